# The modes of Test-CsOnlineConnector, one worker each: the diagnosis of an
# error or of error text (Invoke-CsodErrorDiagnosis,
# Invoke-CsodTextClassification, here), the health check
# (Invoke-CsodHealthCheck, HealthCheck.ps1) and the scan of a file
# (Invoke-CsodFileScan, Scan.ps1); the last two are parsed only when a call
# needs them. A worker returns an outcome,
# @{ Output; Errors; Warnings; Verbose; Wrong }, and writes nothing itself
# but Write-Progress; it never throws for a failure. The command writes the
# outcome (Write-CsodOutcome): one ErrorRecord per failure, and no internal
# exception in -ErrorVariable. Streams are written through the command's
# $PSCmdlet, not Write-Verbose / Write-Warning, whose module
# (Microsoft.PowerShell.Utility) would cost ~200 ms to autoload in a fresh
# session.

# How long a diagnosis of an error runs before it shows progress: a quick
# answer shows none (and so never loads Write-Progress's module).
$script:CsodProgressAfterMs = 1000

function script:New-CsodOutcome {
    # @{ Output; Errors; Warnings; Verbose (lists, Add returns nothing);
    # Wrong }, made by the interop: a generic type literal here would be
    # resolved on a first answer's path.
    $script:CsodNative.Type::NewOutcome()
}

function script:Write-CsodOutcome {
    # Writes an outcome through the command's streams; remembers for -Quiet.
    param([System.Management.Automation.PSCmdlet] $Cmdlet, [hashtable] $Outcome, [hashtable] $Context)
    foreach ($v in $Outcome.Verbose) { $Cmdlet.WriteVerbose($v) }
    foreach ($w in $Outcome.Warnings) { $Cmdlet.WriteWarning($w) }
    foreach ($e in $Outcome.Errors) { $Cmdlet.WriteError($e) }
    if ($Outcome.Wrong) { $Context.Wrong = $true }
    if (-not $Context.Quiet) {
        foreach ($o in $Outcome.Output) { $Cmdlet.WriteObject($o) }
    }
}

function script:New-CsodContext {
    # What every item of one call shares: output language, endpoints, time
    # bound, switches, the host facts (gathered once), the -Redact terms.
    # $ctx.Error: an ErrorRecord for a bad -Endpoint (the command throws it).
    # The interop's NewContext builds it; Complete-CsodContext adds what
    # needs PowerShell. (Test-CsOnlineConnector makes both calls itself,
    # the second only when needed: one function call less on a first
    # answer.)
    param([string] $Language, [string[]] $Endpoint, [int] $TimeoutSec, [switch] $AsJson, [switch] $Redact, [switch] $Quiet, [switch] $Narrate)
    $ctx = $script:CsodNative.Type::NewContext($Language, $Endpoint, $TimeoutSec, $AsJson.IsPresent, $Redact.IsPresent, $Quiet.IsPresent, $Narrate.IsPresent, [System.Globalization.CultureInfo]::CurrentUICulture.TwoLetterISOLanguageName)
    $script:CsodMessageLanguage = $ctx.Language
    Complete-CsodContext -Context $ctx -Language $Language
    $ctx
}

function script:Complete-CsodContext {
    # What a context from the interop's NewContext needs PowerShell for:
    # the warning for a language without texts, the ErrorRecord of a bad
    # -Endpoint ($ctx.Error), the -Redact terms, the verbose line. Nothing
    # to do when none applies (a first answer's common case).
    param([hashtable] $Context, [string] $Language)
    $ctx = $Context
    if ($ctx.UnknownLanguage) { $ctx.Outcome.Warnings.Add((Get-CsodMessage UnknownLanguage @($Language, ($script:CsodNative.Type::OutputLanguages() -join ', ')) -Language 'en')) }
    if ($ctx.EndpointError) {
        # (ConvertTo-CsodEndpoint's error, made here.)
        $arguments = $ctx.EndpointArguments
        $ctx.Error = New-CsodErrorRecord -Message (Get-CsodMessage $ctx.EndpointError $arguments) -ErrorId 'CsodBadEndpoint' -Category InvalidArgument -TargetObject $arguments[0]
        return
    }
    if ($ctx.Redact) {
        Import-CsodPrivate Redact
        $ctx.Terms = Get-CsodRedactionTerms
    }
    if ($ctx.Narrate) { $ctx.Outcome.Verbose.Add((Get-CsodMessage VerboseLibrary @($script:CsodNative.LibraryPath, $script:CsodNative.Version, $ctx.Language))) }
}

function script:Write-CsodProgress {
    # Write-Progress with the message $StatusKey for this call (remembered,
    # so that the command ends it).
    param([hashtable] $Context, [string] $StatusKey, [int] $Percent)
    # Nobody would see it: neither the string table nor Write-Progress's
    # module is loaded.
    if ($ProgressPreference -eq 'SilentlyContinue') { return }
    $Context.ProgressShown = $true
    Write-Progress -Activity $Context.Activity -Status (Get-CsodMessage $StatusKey) -PercentComplete $Percent
}

function script:Get-CsodRequest {
    # The csod_diagnose request (JSON) for this call, and $ErrorRecord's
    # record when given; the host facts are gathered once per call.
    param([hashtable] $Context, [hashtable] $Outcome, [System.Collections.IDictionary] $ErrorRecord)
    if ($null -eq $Context.HostFacts) {
        $notes = $null
        if ($Context.Narrate) {
            $notes = $Outcome.Verbose
            $notes.Add((Get-CsodMessage VerboseHostFacts))
        }
        $Context.HostFacts = Get-CsodHostFacts -Notes $notes
    }
    $request = [ordered]@{ language = $Context.Language; host = $Context.HostFacts }
    if ($Context.TimeoutSec) { $request['timeout_ms'] = $Context.TimeoutSec * 1000 }
    if ($Context.Endpoints) { $request['endpoints'] = $Context.Endpoints }
    if ($ErrorRecord) { $request['error'] = $ErrorRecord }
    $script:CsodNative.Type::ToJson($request)
}

function script:Invoke-CsodDiagnoseCall {
    # csod_diagnose on a thread of the interop's (DiagnoseCall), waited for
    # here in short slices: when the pipeline stops (Ctrl-C,
    # PowerShell.Stop()), the wait ends at once and the finally block
    # cancels the call, which returns within a poll slice of the library
    # instead of waiting out its probes. Shows the message $StatusKey as
    # progress after $ProgressAfterMs (looked up only then: a quick answer
    # reads no string table). Returns @{ Json } or @{ Error; Missing }.
    param([hashtable] $Context, [string] $Request, [string] $StatusKey, [int] $Percent = 40, [int] $ProgressAfterMs = 0)
    $call = $script:CsodNative.Type::BeginDiagnose($Request)
    try {
        $waited = 0
        $shown = $false
        while (-not $call.Wait(50)) {
            $waited += 50
            if (-not $shown -and $waited -ge $ProgressAfterMs) {
                Write-CsodProgress -Context $Context -StatusKey $StatusKey -Percent $Percent
                $shown = $true
            }
        }
    } finally {
        $call.Dispose()
    }
    if ($null -ne $call.Error) { return @{ Error = $call.Error; Missing = $call.Missing; Json = $null } }
    @{ Json = $call.Result; Error = $null; Missing = $false }
}

function script:New-CsodNativeError {
    # The library refused or failed: its reason as the message.
    param([string] $Message, [object] $Target)
    New-CsodErrorRecord -Message $Message -ErrorId 'CsodNativeCallFailed' -Category InvalidResult -TargetObject $Target
}

function script:Add-CsodDiagnosis {
    # A csod_classify or csod_diagnose document (with an error) -> the
    # outcome: a Diagnosis (or the document, -AsJson), and a warning when
    # the text was longer than the library analyses.
    param([hashtable] $Context, [hashtable] $Outcome, [string] $Json, [string] $Message, [long] $Length)
    $text = $Message
    if ($Context.Redact) {
        $Json = Protect-CsodJson -Json $Json -Terms $Context.Terms
        $text = Protect-CsodText -Text $Message -Terms $Context.Terms
    }
    $doc = $script:CsodNative.Type::ParseJson($Json)
    if ($doc['truncated']) { $Outcome.Warnings.Add((Get-CsodMessage Truncated @($Length))) }
    # (ConvertTo-CsodDiagnosis, called straight.)
    $diagnosis = $script:CsodNative.Type::DiagnosisObject($doc, $text)
    if ($Context.Narrate) {
        if ($diagnosis.Problem) {
            $Outcome.Verbose.Add((Get-CsodMessage VerboseRecognised @($diagnosis.Problem, $diagnosis.Confidence)))
        } else {
            $Outcome.Verbose.Add((Get-CsodMessage VerboseNotRecognised))
        }
    }
    if ($diagnosis.Status -eq 'problem') { $Outcome.Wrong = $true }
    if ($Context.AsJson) { $Outcome.Output.Add($Json) } else { $Outcome.Output.Add($diagnosis) }
}

function script:Invoke-CsodErrorDiagnosis {
    # One error (ErrorRecord, exception, or their deserialized forms):
    # classified from its record, with the probes that matter for it.
    param([hashtable] $Context, [object] $InputObject)
    # (New-CsodOutcome, called straight.)
    $outcome = $script:CsodNative.Type::NewOutcome()
    # (Get-CsodErrorInput's reading, called straight.)
    $record = $script:CsodNative.Type::ReadError($InputObject)
    if ($record.Contains('unsupported')) {
        $outcome.Errors.Add((New-CsodErrorRecord -Message (Get-CsodMessage UnsupportedInput @($record['unsupported'])) -ErrorId 'CsodUnsupportedInput' -Category InvalidType -TargetObject $InputObject))
        return $outcome
    }
    $shown = [string]$record['shown']
    $record.Remove('shown')
    if ($Context.Narrate) {
        $outcome.Verbose.Add((Get-CsodMessage VerboseError @($record['fully_qualified_error_id'], $record['exception_type'], $record['hresult'], $record['command'])))
    }
    $length = 0
    if ($record.Contains('message')) { $length = $record['message'].Length }
    $request = Get-CsodRequest -Context $Context -Outcome $outcome -ErrorRecord $record
    $call = Invoke-CsodDiagnoseCall -Context $Context -Request $request -StatusKey ProgressProbesForError -ProgressAfterMs $script:CsodProgressAfterMs
    if ($call.Missing) {
        # A library without csod_diagnose: the record alone.
        if (-not $Context.WarnedNoDiagnose) {
            $outcome.Warnings.Add((Get-CsodMessage NoDiagnose))
            $Context.WarnedNoDiagnose = $true
        }
        $call = $script:CsodNative.Type::TryClassifyRecord($script:CsodNative.Type::ToJson($record), $Context.Language)
        if ($null -eq $call.Error) { $call = @{ Json = $call.Value; Error = $null } } else { $call = @{ Json = $null; Error = $call.Error } }
    }
    if ($call.Error) {
        $outcome.Errors.Add((New-CsodNativeError -Message $call.Error -Target $InputObject))
        return $outcome
    }
    Add-CsodDiagnosis -Context $Context -Outcome $outcome -Json $call.Json -Message $shown -Length $length
    $outcome
}

function script:Invoke-CsodTextClassification {
    # Error text (pasted from a ticket, a log): classified, no probes. NUL
    # and unpaired surrogates are replaced, not refused.
    param([hashtable] $Context, [string] $Text)
    $outcome = New-CsodOutcome
    if (-not $Text -or -not $Text.Trim()) {
        $outcome.Errors.Add((New-CsodErrorRecord -Message (Get-CsodMessage EmptyMessage) -ErrorId 'CsodEmptyMessage' -Category InvalidArgument -TargetObject $Text))
        return $outcome
    }
    $replaced = 0
    $clean = $script:CsodNative.Type::CleanText($Text, [ref]$replaced)
    if ($Context.Narrate) {
        if ($replaced -gt 0) { $outcome.Verbose.Add((Get-CsodMessage VerboseCleaned @($replaced))) }
        $outcome.Verbose.Add((Get-CsodMessage VerboseClassifying @($Text.Length)))
    }
    $r = $script:CsodNative.Type::TryClassify($clean, $Context.Language)
    if ($null -ne $r.Error) {
        $outcome.Errors.Add((New-CsodNativeError -Message $r.Error -Target $Text))
        return $outcome
    }
    Add-CsodDiagnosis -Context $Context -Outcome $outcome -Json $r.Value -Message $Text -Length $Text.Length
    $outcome
}

function script:Invoke-CsodPathInput {
    # -Path / -LiteralPath (or files from the pipeline): resolves, writes
    # the resolution's errors, then scans and writes each file in turn.
    param([System.Management.Automation.PSCmdlet] $Cmdlet, [hashtable] $Context, [string[]] $Paths, [switch] $Literal, [switch] $ExpectingInput)
    Import-CsodPrivate Invoke
    Import-CsodPrivate Scan
    $resolved = New-CsodOutcome
    Resolve-CsodScanPath -Outcome $resolved -SessionState $Cmdlet.SessionState -Paths $Paths -Literal:$Literal -ExpectingInput:$ExpectingInput -Verbose:($Context.Narrate)
    $files = $resolved.Output.ToArray()
    $resolved.Output.Clear()
    Write-CsodOutcome -Cmdlet $Cmdlet -Outcome $resolved -Context $Context
    foreach ($file in $files) {
        Write-CsodOutcome -Cmdlet $Cmdlet -Outcome (Invoke-CsodFileScan -Context $Context -File $file) -Context $Context
    }
}

function script:Invoke-CsodNamedInput {
    # The input of a named parameter (-ErrorRecord, -Exception, -Message,
    # -Path, -LiteralPath; the pipeline goes to Invoke-CsodInputObject),
    # each item to its worker.
    param([System.Management.Automation.PSCmdlet] $Cmdlet, [hashtable] $Context, [System.Collections.IDictionary] $Bound)
    switch ($Cmdlet.ParameterSetName) {
        'ErrorRecord' {
            foreach ($e in $Bound['ErrorRecord']) { Write-CsodOutcome -Cmdlet $Cmdlet -Outcome (Invoke-CsodErrorDiagnosis -Context $Context -InputObject $e) -Context $Context }
        }
        'Exception' {
            foreach ($e in $Bound['Exception']) { Write-CsodOutcome -Cmdlet $Cmdlet -Outcome (Invoke-CsodErrorDiagnosis -Context $Context -InputObject $e) -Context $Context }
        }
        'Message' {
            foreach ($text in $Bound['Message']) { Write-CsodOutcome -Cmdlet $Cmdlet -Outcome (Invoke-CsodTextClassification -Context $Context -Text $text) -Context $Context }
        }
        'Path' { Invoke-CsodPathInput -Cmdlet $Cmdlet -Context $Context -Paths $Bound['Path'] }
        'LiteralPath' { Invoke-CsodPathInput -Cmdlet $Cmdlet -Context $Context -Paths $Bound['LiteralPath'] -Literal }
    }
}

function script:Invoke-CsodInputObject {
    # One object from the pipeline (or -InputObject), handed to the worker
    # for what it is: an error (live or deserialized), an exception, text,
    # a file (FileInfo, or an object with PSPath, FullName or Path), a
    # collection (each element); $null, an empty collection and anything
    # else give one clear error each. Never the health check.
    param([System.Management.Automation.PSCmdlet] $Cmdlet, [hashtable] $Context, [object] $InputObject, [int] $Depth = 0)
    $path = $null
    $kind = $script:CsodNative.Type::InputKind($InputObject, [ref]$path)
    if ($kind -eq 'error') {
        Write-CsodOutcome -Cmdlet $Cmdlet -Outcome (Invoke-CsodErrorDiagnosis -Context $Context -InputObject $InputObject) -Context $Context
    } elseif ($kind -eq 'text') {
        Write-CsodOutcome -Cmdlet $Cmdlet -Outcome (Invoke-CsodTextClassification -Context $Context -Text $InputObject) -Context $Context
    } elseif ($kind -eq 'file' -or $kind -eq 'literal' -or $kind -eq 'wildcard') {
        Invoke-CsodPathInput -Cmdlet $Cmdlet -Context $Context -Paths @($path) -Literal:($kind -ne 'wildcard') -ExpectingInput
    } elseif ($kind -eq 'null') {
        $Cmdlet.WriteError((New-CsodErrorRecord -Message (Get-CsodMessage NullInput) -ErrorId 'CsodNullInput' -Category InvalidArgument -TargetObject $null))
    } elseif ($kind -eq 'collection' -and $Depth -lt 2) {
        $any = $false
        foreach ($item in $InputObject) {
            $any = $true
            Invoke-CsodInputObject -Cmdlet $Cmdlet -Context $Context -InputObject $item -Depth ($Depth + 1)
        }
        if (-not $any) {
            $Cmdlet.WriteError((New-CsodErrorRecord -Message (Get-CsodMessage NoInput) -ErrorId 'CsodNoInput' -Category InvalidArgument -TargetObject $InputObject))
        }
    } else {
        $type = $script:CsodNative.Type::TypeName($InputObject)
        $Cmdlet.WriteError((New-CsodErrorRecord -Message (Get-CsodMessage UnsupportedInput @($type)) -ErrorId 'CsodUnsupportedInput' -Category InvalidType -TargetObject $InputObject))
    }
}
