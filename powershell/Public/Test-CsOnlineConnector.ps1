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

    With -Path or -LiteralPath (or files piped from Get-ChildItem) it scans
    transcripts and logs for every occurrence of the known errors and returns
    one CsOnlineDiagnostics.ScanResult per file: the hits (line, byte offset,
    problem, confidence, title, the fields cut from the error) and the count
    of each problem. Each file is streamed through the library's scanner in
    1 MB chunks of raw bytes, so memory stays bounded whatever the file size;
    the encoding (UTF-8 with or without BOM, UTF-16 LE as Windows PowerShell
    5.1's Start-Transcript and Out-File write, UTF-16 BE), CRLF line ends and
    console-wrapped lines are handled by the library.

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

    .PARAMETER Path
    The transcripts or log files to scan. Wildcards are resolved as by
    Get-Content -Path (C:\Transcripts\*.txt); directories matched by a
    wildcard are skipped. Accepts pipeline input by property name. A path that
    matches no file gives a non-terminating error (ObjectNotFound) and the
    other files are still scanned.

    .PARAMETER LiteralPath
    The files to scan, taken exactly as written (no wildcards). Files piped
    from Get-ChildItem or Get-Item bind here through their PSPath (FullName
    also binds); piped folders are skipped. A missing file gives a non-terminating error
    (ObjectNotFound), an unreadable one ReadError; the other files are still
    scanned.

    .PARAMETER Language
    The language of the output texts: en, fr, de or ja, or a culture name
    such as fr-CA. Defaults to the user interface culture, or English when
    the library has no texts in that language.

    .PARAMETER TimeoutSec
    The time bound of each probe, in seconds (1 to 120). Probes run
    concurrently, so a silent network costs one timeout, not the sum. Defaults
    to the library's own bound.

    .PARAMETER Endpoint
    The endpoints to test for reachability instead of the default service
    endpoints, as host, host:port or name=host:port (port 443 when omitted).

    .PARAMETER AsJson
    Writes the library's JSON document unchanged (the csod_diagnose report,
    the csod_classify result with -Message, one csod_scan result per file with
    -Path) instead of objects, for scripts and tickets. With -Redact, the same
    document with masked strings.

    .PARAMETER Redact
    Masks user names, tenant and domain names and host names (this computer's
    name, the user's name and domain, UPNs, *.onmicrosoft.com tenants, host
    names other than the public Microsoft service names) in every output
    string, so the result can be pasted into a ticket. With -Path it masks the
    fields and titles of every hit.

    .PARAMETER Quiet
    Returns only $true when nothing is wrong (no finding has the status
    "problem" and no error matches a known problem) and $false otherwise. With
    several errors piped in, one boolean for all of them. With -Path, $true
    when no file holds a known error.

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
    Get-ChildItem C:\Transcripts\*.txt | Test-CsOnlineConnector

    Scans every transcript of the folder and shows one line per file: its
    path, its line count, how many known errors it holds and of which
    problems.

    .EXAMPLE
    Test-CsOnlineConnector -Path 'C:\Transcripts\*.txt', 'C:\Logs\nightly-*.log' | Select-Object -ExpandProperty Hits | Format-Table

    Lists every error found, grouped by file: line number, problem, confidence
    and title.

    .EXAMPLE
    Get-ChildItem C:\Transcripts -Filter *.txt -Recurse | Where-Object LastWriteTime -gt (Get-Date).AddDays(-7) | Test-CsOnlineConnector | Where-Object HitCount -gt 0 | Sort-Object HitCount -Descending

    The transcripts of the last week that recorded a connector failure, the
    worst first.

    .EXAMPLE
    if (-not (Test-CsOnlineConnector -LiteralPath $transcript -Quiet)) { Send-MailMessage -Subject 'Nightly Skype for Business script hit a connector error' -Attachments $transcript }

    After a scheduled script: $true when its transcript holds no known error.

    .EXAMPLE
    Test-CsOnlineConnector -Path .\run.log -AsJson -Redact -Language fr | Set-Content .\run-scan.json

    The library's scan document (hits, counts), with names masked and titles
    in French, for a ticket.

    .EXAMPLE
    Test-CsOnlineConnector -AsJson -Redact | Set-Content -Path .\csod-report.json

    Saves the library's report as JSON, with names masked, to attach to a ticket.

    .EXAMPLE
    Test-CsOnlineConnector -Endpoint 'proxy-test=login.microsoftonline.com:443', 'admin0a.online.lync.com' -TimeoutSec 3

    Tests reachability of the endpoints given instead of the default ones.

    .INPUTS
    System.Management.Automation.ErrorRecord, System.Exception, System.String,
    and by property name Path, PSPath or FullName (System.IO.FileInfo from
    Get-ChildItem).

    .OUTPUTS
    CsOnlineDiagnostics.Finding (health check), CsOnlineDiagnostics.Diagnosis
    (-ErrorRecord, -Exception, -Message), CsOnlineDiagnostics.ScanResult
    (-Path, -LiteralPath), System.String (-AsJson),
    System.Boolean (-Quiet).

    .LINK
    Get-CsOnlineConnectorProblem

    .LINK
    https://learn.microsoft.com/skypeforbusiness/set-up-your-computer-for-windows-powershell/diagnose-problems-with-the-skype-for-business-online-connector
    #>
    [CmdletBinding(DefaultParameterSetName = 'Health')]
    [OutputType('CsOnlineDiagnostics.Finding', ParameterSetName = 'Health')]
    [OutputType('CsOnlineDiagnostics.Diagnosis', ParameterSetName = ('ErrorRecord', 'Exception', 'Message'))]
    [OutputType('CsOnlineDiagnostics.ScanResult', ParameterSetName = ('Path', 'LiteralPath'))]
    [OutputType([string], [bool])]
    param(
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipeline = $true, ParameterSetName = 'ErrorRecord')]
        [System.Management.Automation.ErrorRecord[]] $ErrorRecord,

        [Parameter(Mandatory = $true, ValueFromPipeline = $true, ParameterSetName = 'Exception')]
        [System.Exception[]] $Exception,

        [Parameter(Mandatory = $true, ValueFromPipeline = $true, ParameterSetName = 'Message')]
        [AllowEmptyString()]
        [string[]] $Message,

        [Parameter(Mandatory = $true, Position = 0, ValueFromPipelineByPropertyName = $true, ParameterSetName = 'Path')]
        [SupportsWildcards()]
        [ValidateNotNullOrEmpty()]
        [string[]] $Path,

        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true, ParameterSetName = 'LiteralPath')]
        [Alias('PSPath', 'FullName', 'LP')]
        [ValidateNotNullOrEmpty()]
        [string[]] $LiteralPath,

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
        Import-CsodImplementation
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
        if ($PSCmdlet.ParameterSetName -eq 'Path' -or $PSCmdlet.ParameterSetName -eq 'LiteralPath') {
            if ($PSCmdlet.ParameterSetName -eq 'Path') {
                $files = @(Resolve-CsodScanPath -Cmdlet $PSCmdlet -Paths $Path)
            } else {
                $files = @(Resolve-CsodScanPath -Cmdlet $PSCmdlet -Paths $LiteralPath -Literal)
            }
            $options = ConvertTo-Json -InputObject ([ordered]@{ language = $lang }) -Compress
            foreach ($file in $files) {
                try {
                    $length = ([System.IO.FileInfo]$file).Length
                    Write-Verbose ('csod: scanning {0} ({1:n0} bytes) in chunks of {2:n0} bytes' -f $file, $length, $script:CsodScanChunk)
                    $watch = [System.Diagnostics.Stopwatch]::StartNew()
                    $json = Invoke-CsodScanFile -File $file -OptionsJson $options -Activity $activity
                    $seconds = [math]::Max($watch.Elapsed.TotalSeconds, 0.001)
                    if ($Redact) { $json = Protect-CsodJson -Json $json -Terms $terms }
                    $result = ConvertTo-CsodScanResult -Json (ConvertFrom-Json -InputObject $json) -Path $file
                    $summary = @(foreach ($k in $result.Counts.Keys) { '{0} {1}' -f $result.Counts[$k], $k }) -join ', '
                    if (-not $summary) { $summary = 'no known error' }
                    Write-Verbose ('csod: {0}: {1} encoding, {2:n0} lines, {3} hit(s) ({4}) in {5:n2} s ({6:n1} MB/s)' -f $file, $result.Encoding, $result.Lines, $result.HitCount, $summary, $seconds, ($result.Bytes / 1MB / $seconds))
                    if ($result.Truncated) { Write-Verbose ('csod: {0}: only the first {1} hits are listed; Counts counts them all' -f $file, $result.Hits.Count) }
                    if ($result.HitCount -gt 0) { $wrong = $true }
                    if ($Quiet) { continue }
                    if ($AsJson) { $json } else { $result }
                } catch {
                    $PSCmdlet.WriteError($_)
                }
            }
            return
        }
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
