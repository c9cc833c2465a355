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
    $Error[0]. Piped errors are handled the same way (through -InputObject),
    deserialized ones too (Import-Clixml, Receive-Job, remoting): their
    FullyQualifiedErrorId, exception type, HResult and message are kept. The
    messages of the whole exception chain (inner exceptions, the members of
    an AggregateException) are read.

    .PARAMETER Exception
    The error to diagnose as an exception, such as $_.Exception (piped
    exceptions too, through -InputObject); the ErrorRecord PowerShell
    attached to it is used when there is one.

    .PARAMETER Message
    Error text to classify, in English, French or another language the library
    recognises, as printed by the console (line wraps and the CategoryInfo /
    FullyQualifiedErrorId tail are fine). Piped strings are handled the same
    way (through -InputObject). NUL characters and unpaired surrogates (half
    of a cut emoji) are replaced; a text longer than the library analyses
    (1 MiB) gives a warning. Only the text is classified; the machine is not
    probed.

    .PARAMETER Path
    The transcripts or log files to scan. Wildcards are resolved as by
    Get-Content -Path (C:\Transcripts\*.txt); directories matched by a
    wildcard are skipped. Objects piped with a Path property are handled the
    same way (through -InputObject). A path that matches no file gives a
    non-terminating error (ObjectNotFound), and so does something that is not
    a regular file (a named pipe, a socket, a device: InvalidType, never
    read); the other files are still scanned.

    .PARAMETER LiteralPath
    The files to scan, taken exactly as written (no wildcards). Files piped
    from Get-ChildItem or Get-Item are handled the same way (through
    -InputObject, by their FullName; objects with a PSPath or FullName
    property too); piped folders are skipped. A missing file gives a
    non-terminating error (ObjectNotFound), an unreadable one ReadError,
    something that is not a regular file (a named pipe, a socket, a device)
    InvalidType without being opened; the other files are still scanned.

    .PARAMETER InputObject
    What the pipeline gives: an ErrorRecord or an exception (live, or
    deserialized by Import-Clixml, Receive-Job or remoting), error text, or
    files (FileInfo from Get-ChildItem, objects with a PSPath, FullName or
    Path property), each handled as by -ErrorRecord, -Exception, -Message or
    -LiteralPath / -Path; the elements of a collection one by one. $null, an
    empty collection, numbers, hashtables and other objects give one clear
    error each (CsodNullInput, CsodNoInput, CsodUnsupportedInput), and the
    health check never runs when input was piped.

    .PARAMETER Language
    The language of the output texts and messages: en, fr, de or ja, or a
    culture name such as fr-CA (Tab completes them). Defaults to the user
    interface culture, or English when the library has no texts in that
    language; a language without texts falls back to English with a warning.

    .PARAMETER TimeoutSec
    The time bound of each probe, in seconds: 1 to 30, the range the library
    honours. Probes run concurrently, so a silent network costs one timeout,
    not the sum. Defaults to the library's own bound (3 s). Ctrl-C stops a
    running check at once, whatever the bound.

    .PARAMETER Endpoint
    The endpoints to test for reachability instead of the default service
    endpoints, as host, host:port, [IPv6]:port or name=host:port (port 443
    when omitted; the name defaults to the host). A bad value is a
    terminating InvalidArgument error (CsodBadEndpoint) that names it.

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
    Test-CsOnlineConnector -Endpoint 'proxy-test=login.microsoftonline.com:443', 'admin0a.online.lync.com', '[2603:1037::1]:443' -TimeoutSec 3

    Tests reachability of the endpoints given instead of the default ones.

    .EXAMPLE
    Import-Clixml .\ticket-4711-error.xml | Test-CsOnlineConnector

    Diagnoses an error saved with Export-Clixml (as attached to a ticket):
    the deserialized record keeps its FullyQualifiedErrorId, exception type,
    HResult and message.

    .INPUTS
    System.Management.Automation.ErrorRecord, System.Exception (live or
    deserialized), System.String, System.IO.FileInfo, and objects with a
    Path, PSPath or FullName property.

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
    [OutputType('CsOnlineDiagnostics.Diagnosis', ParameterSetName = ('ErrorRecord', 'Exception', 'Message', 'InputObject'))]
    [OutputType('CsOnlineDiagnostics.ScanResult', ParameterSetName = ('Path', 'LiteralPath', 'InputObject'))]
    [OutputType([string], [bool])]
    param(
        [Parameter(Mandatory = $true, Position = 0, ParameterSetName = 'ErrorRecord')]
        [System.Management.Automation.ErrorRecord[]] $ErrorRecord,

        [Parameter(Mandatory = $true, ParameterSetName = 'Exception')]
        [System.Exception[]] $Exception,

        [Parameter(Mandatory = $true, ParameterSetName = 'Message')]
        [AllowEmptyString()]
        [string[]] $Message,

        [Parameter(Mandatory = $true, Position = 0, ParameterSetName = 'Path')]
        [SupportsWildcards()]
        [ValidateNotNullOrEmpty()]
        [string[]] $Path,

        [Parameter(Mandatory = $true, ParameterSetName = 'LiteralPath')]
        [Alias('PSPath', 'FullName', 'LP')]
        [ValidateNotNullOrEmpty()]
        [string[]] $LiteralPath,

        # The only parameter bound from the pipeline: whatever comes binds
        # here (no parameter set to guess, so nothing falls through to the
        # health check) and Invoke-CsodInputObject hands it to its worker.
        [Parameter(Mandatory = $true, ValueFromPipeline = $true, ParameterSetName = 'InputObject')]
        [AllowNull()]
        [AllowEmptyString()]
        [AllowEmptyCollection()]
        [object] $InputObject,

        [ArgumentCompleter({ param($c, $p, $w) & @(Get-Module CsOnlineDiagnostics)[0] { Get-CsodCompletion Language $args[0] } $w })]
        [string] $Language,

        # The range the library honours (src/diagnose.rs: 100 to 30000 ms).
        [Parameter(ParameterSetName = 'Health')]
        [Parameter(ParameterSetName = 'ErrorRecord')]
        [Parameter(ParameterSetName = 'Exception')]
        [Parameter(ParameterSetName = 'InputObject')]
        [ValidateRange(1, 30)]
        [int] $TimeoutSec,

        [Parameter(ParameterSetName = 'Health')]
        [Parameter(ParameterSetName = 'ErrorRecord')]
        [Parameter(ParameterSetName = 'Exception')]
        [Parameter(ParameterSetName = 'InputObject')]
        [ValidateNotNullOrEmpty()]
        [string[]] $Endpoint,

        [switch] $AsJson,

        [switch] $Redact,

        [switch] $Quiet
    )
    begin {
        # The work is done by the private workers of Private/Workers.ps1 (one
        # per mode); this command binds, dispatches and writes.
        # (Import-CsodImplementation -Part $script:CsodCoreParts, inline: a
        # function call costs a first answer its own binding. The parts
        # declare their functions script:, so they land in the module.)
        foreach ($part in $script:CsodCoreParts) {
            if (-not $script:CsodPrivateLoaded.ContainsKey($part)) {
                . ([System.IO.Path]::Combine($script:ModuleRoot, 'Private', $part + '.ps1'))
                $script:CsodPrivateLoaded[$part] = $true
            }
        }
        # (New-CsodContext, inline.)
        $narrate = $VerbosePreference -ne 'SilentlyContinue'
        $ctx = $script:CsodNative.Type::NewContext($Language, $Endpoint, $TimeoutSec, $AsJson.IsPresent, $Redact.IsPresent, $Quiet.IsPresent, $narrate, [System.Globalization.CultureInfo]::CurrentUICulture.TwoLetterISOLanguageName)
        $script:CsodMessageLanguage = $ctx.Language
        if ($ctx.UnknownLanguage -or $ctx.EndpointError -or $Redact -or $narrate) {
            Complete-CsodContext -Context $ctx -Language $Language
            if ($ctx.Error) { $PSCmdlet.ThrowTerminatingError($ctx.Error) }
        }
        Write-CsodOutcome -Cmdlet $PSCmdlet -Outcome $ctx.Outcome -Context $ctx
        $received = $false
    }
    process {
        $received = $true
        if ($PSCmdlet.ParameterSetName -eq 'InputObject') {
            # An error, the common case, straight to its worker (one
            # function call less on a first answer); anything else through
            # Invoke-CsodInputObject.
            # ($inputPath, not $path: that is -Path, which refuses $null.)
            $inputPath = $null
            if ($script:CsodNative.Type::InputKind($InputObject, [ref]$inputPath) -eq 'error') {
                Write-CsodOutcome -Cmdlet $PSCmdlet -Outcome (Invoke-CsodErrorDiagnosis -Context $ctx -InputObject $InputObject) -Context $ctx
            } else {
                Invoke-CsodInputObject -Cmdlet $PSCmdlet -Context $ctx -InputObject $InputObject
            }
        } elseif ($PSCmdlet.ParameterSetName -ne 'Health') {
            # -ErrorRecord, -Exception, -Message, -Path, -LiteralPath.
            Invoke-CsodNamedInput -Cmdlet $PSCmdlet -Context $ctx -Bound $PSBoundParameters
        }
    }
    end {
        if ($MyInvocation.ExpectingInput -and -not $received) {
            # Input was piped but nothing came (an empty collection): an
            # error, not the health check.
            $PSCmdlet.WriteError((New-CsodErrorRecord -Message (Get-CsodMessage NoInput) -ErrorId 'CsodNoInput' -Category InvalidArgument -TargetObject $null))
        } elseif ($PSCmdlet.ParameterSetName -eq 'Health') {
            if (-not $MyInvocation.ExpectingInput) {
                Import-CsodPrivate HealthCheck
                $outcome = Invoke-CsodHealthCheck -Context $ctx
                if ($outcome.Errors.Count -gt 0) {
                    Write-Progress -Activity $ctx.Activity -Completed
                    $PSCmdlet.ThrowTerminatingError($outcome.Errors[0])
                }
                Write-CsodOutcome -Cmdlet $PSCmdlet -Outcome $outcome -Context $ctx
            }
        }
        if ($ctx.ProgressShown) { Write-Progress -Activity $ctx.Activity -Completed }
        if ($Quiet) { -not $ctx.Wrong }
    }
}
