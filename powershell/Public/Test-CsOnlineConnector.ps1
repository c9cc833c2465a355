function Test-CsOnlineConnector {
    <#
    .SYNOPSIS
    Diagnoses Skype for Business Online connector (remote PowerShell) problems:
    checks this machine, or explains an error you caught.

    .DESCRIPTION
    Without arguments Test-CsOnlineConnector runs the full health check of this
    machine: it gathers what PowerShell knows (edition and version, execution
    policy at every scope, open sessions to the service, installed connector
    modules, user interface culture, WSMan client), hands it to the csod native
    library, which adds what the operating system and the network say (WinRM
    client settings, sign-in assistant, proxy, reachability of the service
    endpoints, each probe bounded by -TimeoutSec), and returns one
    CsOnlineDiagnostics.Finding per check. The console shows them as a table
    (Status, Problem, Summary); Format-List shows the evidence, the resolution
    steps and the fix command.

    With -ErrorRecord (or an error piped in: $_ in a catch block, $Error[0]) it
    classifies the error from its FullyQualifiedErrorId, exception type,
    HResult and WinRM error code, message and command, runs the probes
    relevant to it and returns one CsOnlineDiagnostics.Diagnosis. With -Message
    it classifies error text (for example pasted from a ticket) in any of the
    languages the library knows.

    Nothing is sent anywhere: the only network traffic is TCP connections to
    the service endpoints (or the ones given with -Endpoint).

    .PARAMETER ErrorRecord
    The error to diagnose: an ErrorRecord, such as $_ in a catch block or
    $Error[0]. Accepts pipeline input.

    .PARAMETER Exception
    The error to diagnose as an exception, such as $_.Exception. Accepts
    pipeline input; the ErrorRecord PowerShell attached to it is used when
    there is one.

    .PARAMETER Message
    Error text to classify, in English, French or another language the library
    recognises, as printed by the console (line wraps and the CategoryInfo /
    FullyQualifiedErrorId tail are fine). Accepts strings from the pipeline.
    Only the text is classified; the machine is not probed.

    .PARAMETER Language
    The language of the output texts: en or fr, or a culture name such as
    fr-CA. Defaults to the user interface culture, or English when the library
    has no texts in that language.

    .PARAMETER TimeoutSec
    The time bound of each probe, in seconds (1 to 120). Probes run
    concurrently, so a silent network costs one timeout, not the sum. Defaults
    to the library's own bound.

    .PARAMETER Endpoint
    The endpoints to test for reachability instead of the default service
    endpoints, as host, host:port or name=host:port (port 443 when omitted).

    .PARAMETER AsJson
    Writes the library's JSON document unchanged (the csod_diagnose report, or
    the csod_classify result with -Message) instead of objects, for scripts and
    tickets. With -Redact, the same document with masked strings.

    .PARAMETER Redact
    Masks user names, tenant and domain names and host names (this computer's
    name, the user's name and domain, UPNs, *.onmicrosoft.com tenants, host
    names other than the public Microsoft service names) in every output
    string, so the result can be pasted into a ticket.

    .PARAMETER Quiet
    Returns only $true when nothing is wrong (no finding has the status
    "problem" and no error matches a known problem) and $false otherwise. With
    several errors piped in, one boolean for all of them.

    .EXAMPLE
    Test-CsOnlineConnector

    Runs the health check of this machine and shows one line per check.

    .EXAMPLE
    Test-CsOnlineConnector | Where-Object Status -ne 'ok' | Format-List

    Shows the evidence, the resolution steps and the fix command of every check
    that is not fine.

    .EXAMPLE
    try {
        $session = New-PSSession -ConnectionUri 'https://admin1a.online.lync.com/OcsPowershellOAuth' -ConfigurationName Microsoft.PowerShell -Authentication Basic -Credential $credential -ErrorAction Stop
    } catch {
        $_ | Test-CsOnlineConnector
    }

    Catches the failed connection and explains it: the problem, its cause, the
    resolution and the fix, with the findings of the probes that matter.

    .EXAMPLE
    function Connect-CsOnlineChecked {
        param([pscredential] $Credential)
        try {
            $session = New-CsOnlineSession -Credential $Credential -ErrorAction Stop
            Import-PSSession $session -AllowClobber -ErrorAction Stop
        } catch {
            $diagnosis = $_ | Test-CsOnlineConnector
            Write-Warning ('{0}: {1}' -f $diagnosis.Problem, $diagnosis.Title)
            $diagnosis | Format-List Problem, Cause, Resolution, Fix
            throw
        }
    }

    A wrapper around New-CsOnlineSession that diagnoses the failure before
    passing the error on.

    .EXAMPLE
    $Error[0] | Test-CsOnlineConnector -Language fr -Redact | Format-List

    Explains the last error in French, with user, tenant and host names masked
    for a support ticket.

    .EXAMPLE
    Get-Content .\ticket.txt -Raw | Test-CsOnlineConnector
    'Import-Module : ... cannot be loaded because running scripts is disabled on this system.' | Test-CsOnlineConnector

    Classifies error text pasted from a ticket or a log.

    .EXAMPLE
    if (-not (Test-CsOnlineConnector -Quiet -TimeoutSec 5)) { throw 'Fix the connector prerequisites first.' }

    A gate for a change-window script: $true only when no check found a problem.

    .EXAMPLE
    Test-CsOnlineConnector -AsJson -Redact | Set-Content -Path .\csod-report.json

    Saves the library's report as JSON, with names masked, to attach to a ticket.

    .EXAMPLE
    Test-CsOnlineConnector -Endpoint 'proxy-test=login.microsoftonline.com:443', 'admin0a.online.lync.com' -TimeoutSec 3

    Tests reachability of the endpoints given instead of the default ones.

    .INPUTS
    System.Management.Automation.ErrorRecord, System.Exception, System.String.

    .OUTPUTS
    CsOnlineDiagnostics.Finding (health check), CsOnlineDiagnostics.Diagnosis
    (-ErrorRecord, -Exception, -Message), System.String (-AsJson),
    System.Boolean (-Quiet).

    .LINK
    Get-CsOnlineConnectorProblem

    .LINK
    https://learn.microsoft.com/skypeforbusiness/set-up-your-computer-for-windows-powershell/diagnose-problems-with-the-skype-for-business-online-connector
    #>
    [CmdletBinding(DefaultParameterSetName = 'Health')]
    [OutputType('CsOnlineDiagnostics.Finding', ParameterSetName = 'Health')]
    [OutputType('CsOnlineDiagnostics.Diagnosis', ParameterSetName = ('ErrorRecord', 'Exception', 'Message'))]
    [OutputType([string], [bool])]
    param(
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipeline = $true, ParameterSetName = 'ErrorRecord')]
        [System.Management.Automation.ErrorRecord[]] $ErrorRecord,

        [Parameter(Mandatory = $true, ValueFromPipeline = $true, ParameterSetName = 'Exception')]
        [System.Exception[]] $Exception,

        [Parameter(Mandatory = $true, ValueFromPipeline = $true, ParameterSetName = 'Message')]
        [AllowEmptyString()]
        [string[]] $Message,

        [string] $Language,

        [Parameter(ParameterSetName = 'Health')]
        [Parameter(ParameterSetName = 'ErrorRecord')]
        [Parameter(ParameterSetName = 'Exception')]
        [ValidateRange(1, 120)]
        [int] $TimeoutSec,

        [Parameter(ParameterSetName = 'Health')]
        [Parameter(ParameterSetName = 'ErrorRecord')]
        [Parameter(ParameterSetName = 'Exception')]
        [ValidateNotNullOrEmpty()]
        [string[]] $Endpoint,

        [switch] $AsJson,

        [switch] $Redact,

        [switch] $Quiet
    )
    begin {
        $activity = 'Test-CsOnlineConnector'
        try {
            $lang = Resolve-CsodLanguage -Language $Language
            $endpoints = $null
            if ($Endpoint) { $endpoints = @(ConvertTo-CsodEndpoint -Endpoint $Endpoint) }
        } catch {
            $PSCmdlet.ThrowTerminatingError($_)
        }
        Write-Verbose ('csod: library {0} (version {1}), output language "{2}"' -f $script:CsodNative.LibraryPath, $script:CsodNative.Version, $lang)
        $terms = @()
        if ($Redact) { $terms = Get-CsodRedactionTerms }
        $wrong = $false
        $hostFacts = $null
        $warnedNoDiagnose = $false

        function Write-CsodResult {
            # -AsJson: the document; otherwise typed objects. Remembers for -Quiet.
            param([string] $Json, [string] $Text, [switch] $Health)
            if ($Redact) {
                $Json = Protect-CsodJson -Json $Json -Terms $terms
                $Text = Protect-CsodText -Text $Text -Terms $terms
            }
            $parsed = ConvertFrom-Json -InputObject $Json
            if ($Health) {
                $findings = @(foreach ($f in @(Get-CsodProperty $parsed 'findings')) { if ($null -ne $f) { ConvertTo-CsodFinding $f } })
                Write-Verbose ('csod: {0} findings, {1} problem(s), {2} warning(s) in {3} ms' -f $findings.Count, @($findings | Where-Object { $_.Status -eq 'problem' }).Count, @($findings | Where-Object { $_.Status -eq 'warning' }).Count, (Get-CsodProperty $parsed 'elapsed_ms'))
                if (@($findings | Where-Object { $_.Status -eq 'problem' }).Count -gt 0) { Set-Variable -Name wrong -Value $true -Scope 1 }
                if ($Quiet) { return }
                if ($AsJson) { return $Json }
                return $findings
            }
            $diagnosis = ConvertTo-CsodDiagnosis -Json $parsed -Message $Text
            if ($diagnosis.Problem) {
                Write-Verbose ('csod: recognised {0} (confidence {1})' -f $diagnosis.Problem, $diagnosis.Confidence)
            } else {
                Write-Verbose 'csod: not one of the known connector problems'
            }
            if ($diagnosis.Status -eq 'problem') { Set-Variable -Name wrong -Value $true -Scope 1 }
            if ($Quiet) { return }
            if ($AsJson) { return $Json }
            $diagnosis
        }

        function Get-CsodRequest {
            param([object] $ErrorJson)
            if ($null -eq $hostFacts) {
                Write-Progress -Activity $activity -Status 'Gathering what PowerShell knows about this host' -PercentComplete 10
                Write-Verbose 'csod: gathering host facts (edition, execution policy, sessions, modules, culture)'
                Set-Variable -Name hostFacts -Value (Get-CsodHostFacts) -Scope 1
            }
            $request = [ordered]@{ language = $lang; host = $hostFacts }
            if ($TimeoutSec) { $request['timeout_ms'] = $TimeoutSec * 1000 }
            if ($endpoints) { $request['endpoints'] = $endpoints }
            if ($ErrorJson) { $request['error'] = $ErrorJson }
            ConvertTo-Json -InputObject $request -Depth 8 -Compress
        }
    }
    process {
        if ($PSCmdlet.ParameterSetName -eq 'Health') { return }
        if ($PSCmdlet.ParameterSetName -eq 'Message') {
            foreach ($text in $Message) {
                if (-not $text -or -not $text.Trim()) {
                    $PSCmdlet.WriteError((New-CsodErrorRecord -Message 'The message is empty: nothing to classify.' -ErrorId 'CsodEmptyMessage' -Category InvalidArgument -TargetObject $text))
                    continue
                }
                try {
                    Write-Verbose ('csod: classifying {0} characters of text' -f $text.Length)
                    $json = Invoke-CsodNative -Method Classify -Arguments @($text, $lang)
                    Write-CsodResult -Json $json -Text $text
                } catch {
                    $PSCmdlet.WriteError($_)
                }
            }
            return
        }
        $items = $ErrorRecord
        if ($PSCmdlet.ParameterSetName -eq 'Exception') { $items = $Exception }
        foreach ($item in $items) {
            try {
                $er = ConvertTo-CsodErrorRecord -InputObject $item
                $record = ConvertTo-CsodRecord -ErrorRecord $er
                Write-Verbose ('csod: error {0} ({1}), HResult {2}, command {3}' -f $record['fully_qualified_error_id'], $record['exception_type'], $record['hresult'], $record['command'])
                $recordJson = ConvertTo-Json -InputObject $record -Compress
                $json = $null
                try {
                    $request = Get-CsodRequest -ErrorJson $record
                    Write-Progress -Activity $activity -Status 'Classifying the error and running the probes relevant to it' -PercentComplete 40
                    $json = Invoke-CsodNative -Method Diagnose -Arguments @($request)
                } catch {
                    if ($_.FullyQualifiedErrorId -notlike 'CsodFunctionMissing*') { throw }
                    if (-not $warnedNoDiagnose) {
                        Write-Warning ('csod: this build of the native library cannot run probes (no csod_diagnose); the error is classified without them.')
                        $warnedNoDiagnose = $true
                    }
                    $json = Invoke-CsodNative -Method ClassifyRecord -Arguments @($recordJson, $lang)
                }
                Write-CsodResult -Json $json -Text $record['message']
            } catch {
                $PSCmdlet.WriteError($_)
            }
        }
    }
    end {
        if ($PSCmdlet.ParameterSetName -eq 'Health') {
            try {
                $request = Get-CsodRequest
                $bound = 'the library default'
                if ($TimeoutSec) { $bound = '{0} s' -f $TimeoutSec }
                Write-Verbose ('csod: running the probes concurrently (time bound: {0})' -f $bound)
                Write-Progress -Activity $activity -Status 'Running the probes (network, WinRM, sign-in assistant, proxy...)' -PercentComplete 40
                $json = Invoke-CsodNative -Method Diagnose -Arguments @($request)
                Write-Progress -Activity $activity -Status 'Reading the findings' -PercentComplete 90
                Write-CsodResult -Json $json -Health
            } catch {
                Write-Progress -Activity $activity -Completed
                $PSCmdlet.ThrowTerminatingError($_)
            }
        }
        Write-Progress -Activity $activity -Completed
        if ($Quiet) { -not $wrong }
    }
}
