# Runs the Pester 5 tests of tests/powershell and exits with the number of failures.
param([string[]] $Path = @($PSScriptRoot))
$ErrorActionPreference = 'Stop'
$PSStyle.OutputRendering = 'PlainText'
Import-Module Pester -MinimumVersion 5.7.1 -MaximumVersion 5.99 -ErrorAction Stop
$config = New-PesterConfiguration
$config.Run.Path = $Path
$config.Run.PassThru = $true
$config.Output.Verbosity = 'Detailed'
$config.Output.RenderMode = 'Plaintext'
$result = Invoke-Pester -Configuration $config
Write-Host ''
Write-Host ('Pester {0}: {1} tests, {2} passed, {3} failed, {4} skipped, {5} not run, in {6:n1} s' -f
    $result.Version, $result.TotalCount, $result.PassedCount, $result.FailedCount, $result.SkippedCount, $result.NotRunCount, $result.Duration.TotalSeconds)
$bad = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
if ($result.SkippedCount -gt 0) {
    Write-Host 'Skipped tests count as failures here: nothing is skipped silently.'
    $bad += $result.SkippedCount
}
if ($result.TotalCount -eq 0) { $bad = 1 }
exit $bad
