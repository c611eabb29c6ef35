<#
.SYNOPSIS
  Smoke-test a running CustomerOps deployment in under a minute; exits 1 when any check fails.
.EXAMPLE
  .\scripts\verify_production_ready.ps1
.EXAMPLE
  .\scripts\verify_production_ready.ps1 -Url https://api.example.com -CorsOrigin https://ui.example.com
.NOTES
  Keys default to $env:API_ADMIN_KEY, $env:API_KEY_EXPERTCO and $env:METRICS_TOKEN.
#>
param(
  [string]$Url = "",
  [string]$AdminKey = "",
  [string]$TenantKey = "",
  [string]$MetricsToken = "",
  [string]$CorsOrigin = ""
)
$ErrorActionPreference = "Stop"
$cliArgs = @()
if ($Url) { $cliArgs += @("--url", $Url) }
if ($AdminKey) { $cliArgs += @("--admin-key", $AdminKey) }
if ($TenantKey) { $cliArgs += @("--tenant-key", $TenantKey) }
if ($MetricsToken) { $cliArgs += @("--metrics-token", $MetricsToken) }
if ($CorsOrigin) { $cliArgs += @("--cors-origin", $CorsOrigin) }

Push-Location (Split-Path -Parent $PSScriptRoot)
try {
  # On Windows call npm.cmd: the npm.ps1 shim can drop the "--" that separates the tool's flags.
  $npm = if ($env:OS -eq "Windows_NT") { "npm.cmd" } else { "npm" }
  & $npm run --silent verify -- @cliArgs
  $code = $LASTEXITCODE
} finally {
  Pop-Location
}
exit $code
