<#
.SYNOPSIS
  Onboard, change, suspend, resume and erase tenants through the admin API; show their usage.
.EXAMPLE
  .\scripts\tenants.ps1 create ACME -Plan pro -Mint -DisplayName "Acme Roofing"
.EXAMPLE
  .\scripts\tenants.ps1 plan ACME pro
.EXAMPLE
  .\scripts\tenants.ps1 usage ACME -Reset
.EXAMPLE
  .\scripts\tenants.ps1 erase ACME -Yes
.NOTES
  Commands: list, show, create, plan, suspend, resume, usage, audit, erase (see
  npm run tenants -- --help). Needs $env:API_ADMIN_KEY.
#>
param(
  [Parameter(Position = 0)][string]$Command = "",
  [Parameter(Position = 1)][string]$Tenant = "",
  [Parameter(Position = 2)][string]$NewPlan = "",
  [string]$Plan = "",
  [string]$DisplayName = "",
  [switch]$Mint,
  [switch]$Reset,
  [int]$Limit = 0,
  [switch]$Yes,
  [string]$Url = ""
)
$ErrorActionPreference = "Stop"
$cliArgs = @()
if ($Command) { $cliArgs += $Command }
if ($Tenant) { $cliArgs += $Tenant }
if ($NewPlan) { $cliArgs += $NewPlan }
if ($Plan) { $cliArgs += @("--plan", $Plan) }
if ($DisplayName) { $cliArgs += @("--display-name", $DisplayName) }
if ($Mint) { $cliArgs += "--mint" }
if ($Reset) { $cliArgs += "--reset" }
if ($Limit) { $cliArgs += @("--limit", $Limit) }
if ($Yes) { $cliArgs += "--yes" }
if ($Url) { $cliArgs += @("--url", $Url) }

Push-Location (Split-Path -Parent $PSScriptRoot)
try {
  # On Windows call npm.cmd: the npm.ps1 shim can drop the "--" that separates the tool's flags.
  $npm = if ($env:OS -eq "Windows_NT") { "npm.cmd" } else { "npm" }
  & $npm run --silent tenants -- @cliArgs
  $code = $LASTEXITCODE
} finally {
  Pop-Location
}
exit $code
