<#
.SYNOPSIS
  Add or remove tenant API keys in the keys file and reload the running API.
.EXAMPLE
  .\scripts\rotate-keys.ps1 -AddTenants "NEWCO:NEWKEY123"
.EXAMPLE
  .\scripts\rotate-keys.ps1 -RemoveKeys "OLDKEY1"
.NOTES
  Needs $env:API_ADMIN_KEY unless -NoReload. Relative -File paths are relative to the
  repository root. Several values may be given as an array or comma-separated.
#>
param(
  [string[]]$AddTenants = @(),
  [string[]]$RemoveKeys = @(),
  [string]$Url = "",
  [string]$File = "",
  [switch]$NoReload
)
$ErrorActionPreference = "Stop"
$cliArgs = @()
foreach ($spec in $AddTenants) { foreach ($one in ($spec -split ",")) { if ($one) { $cliArgs += @("--add", $one.Trim()) } } }
foreach ($spec in $RemoveKeys) { foreach ($one in ($spec -split ",")) { if ($one) { $cliArgs += @("--remove", $one.Trim()) } } }
if ($Url) { $cliArgs += @("--url", $Url) }
if ($File) { $cliArgs += @("--file", $File) }
if ($NoReload) { $cliArgs += "--no-reload" }

Push-Location (Split-Path -Parent $PSScriptRoot)
try {
  # On Windows call npm.cmd: the npm.ps1 shim can drop the "--" that separates the tool's flags.
  $npm = if ($env:OS -eq "Windows_NT") { "npm.cmd" } else { "npm" }
  & $npm run --silent rotate-keys -- @cliArgs
  $code = $LASTEXITCODE
} finally {
  Pop-Location
}
exit $code
