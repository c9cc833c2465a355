# The health check of this machine (Test-CsOnlineConnector without input):
# a worker of Workers.ps1's kind, parsed only when a call runs it.

function script:Invoke-CsodHealthCheck {
    # The health check of this machine: one Finding per check (or the
    # report, -AsJson). A library failure is the outcome's only error (the
    # command makes it terminating).
    param([hashtable] $Context)
    $outcome = New-CsodOutcome
    Write-CsodProgress -Context $Context -StatusKey ProgressGathering -Percent 10
    $request = Get-CsodRequest -Context $Context -Outcome $outcome
    if ($Context.Narrate) {
        $bound = Get-CsodMessage VerboseDefaultBound
        if ($Context.TimeoutSec) { $bound = '{0} s' -f $Context.TimeoutSec }
        $outcome.Verbose.Add((Get-CsodMessage VerboseProbes @($bound)))
    }
    Write-CsodProgress -Context $Context -StatusKey ProgressProbes -Percent 40
    $r = Invoke-CsodDiagnoseCall -Context $Context -Request $request -StatusKey ProgressProbes
    if ($r.Error) {
        $outcome.Errors.Add((New-CsodNativeError -Message $r.Error -Target 'Diagnose'))
        return $outcome
    }
    Write-CsodProgress -Context $Context -StatusKey ProgressReading -Percent 90
    $json = $r.Json
    if ($Context.Redact) { $json = Protect-CsodJson -Json $json -Terms $Context.Terms }
    $doc = $script:CsodNative.Type::ParseJson($json)
    $findings = @($script:CsodNative.Type::FindingObjects($doc['findings']))
    $problems = 0
    $warnings = 0
    foreach ($f in $findings) {
        if ($f.Status -eq 'problem') { $problems++ } elseif ($f.Status -eq 'warning') { $warnings++ }
    }
    if ($Context.Narrate) {
        $outcome.Verbose.Add((Get-CsodMessage VerboseFindings @($findings.Count, $problems, $warnings, $doc['elapsed_ms'])))
    }
    if ($problems -gt 0) { $outcome.Wrong = $true }
    if ($Context.AsJson) { $outcome.Output.Add($json) } else { foreach ($f in $findings) { $outcome.Output.Add($f) } }
    $outcome
}
