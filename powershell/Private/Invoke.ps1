# Calls into the native library and turns its JSON into typed objects.

$script:CsodOutputLanguages = $null

function script:Invoke-CsodNative {
    # Calls one interop method; unwraps the .NET exception so callers get the
    # library's own reason ("csod_classify_w failed: ...").
    param(
        [Parameter(Mandatory = $true)] [ValidateSet('Classify', 'ClassifyRecord', 'Catalog', 'Diagnose')] [string] $Method,
        [object[]] $Arguments = @()
    )
    $type = $script:CsodNative.Type
    try {
        switch ($Method) {
            'Classify' { return $type::Classify([string]$Arguments[0], [string]$Arguments[1]) }
            'ClassifyRecord' { return $type::ClassifyRecord([string]$Arguments[0], [string]$Arguments[1]) }
            'Catalog' { return $type::Catalog([string]$Arguments[0]) }
            'Diagnose' { return $type::Diagnose([string]$Arguments[0]) }
        }
    } catch {
        $inner = $_.Exception
        while ($inner -is [System.Management.Automation.MethodInvocationException] -and $inner.InnerException) { $inner = $inner.InnerException }
        if ($inner -is [System.EntryPointNotFoundException]) {
            $message = ('The csod native library {0} (version {1}) does not export the function behind {2}; it is older than this module. Rebuild or reinstall it.' -f $script:CsodNative.LibraryPath, $script:CsodNative.Version, $Method)
            throw (New-CsodErrorRecord -Message $message -ErrorId 'CsodFunctionMissing' -Category NotImplemented -TargetObject $Method -InnerException $inner)
        }
        throw (New-CsodErrorRecord -Message $inner.Message -ErrorId 'CsodNativeCallFailed' -Category InvalidResult -TargetObject $Method -InnerException $inner)
    }
}

function script:Get-CsodOutputLanguages {
    # The output languages the library has texts for (asked once per session).
    if (-not $script:CsodOutputLanguages) {
        $catalog = ConvertFrom-Json -InputObject (Invoke-CsodNative -Method Catalog -Arguments @('en'))
        $script:CsodOutputLanguages = @($catalog.output_languages)
    }
    $script:CsodOutputLanguages
}

function script:Resolve-CsodLanguage {
    # -Language given: it must be one the library knows (culture names such as
    # fr-CA are fine). Not given: the UI culture, or English when the library
    # has no texts in that language.
    param([string] $Language)
    $known = Get-CsodOutputLanguages
    if ($Language) {
        $primary = ($Language.Trim() -split '[-_]')[0].ToLowerInvariant()
        if ($known -contains $primary) { return $primary }
        $message = ('The language "{0}" is not available; use one of: {1}.' -f $Language, ($known -join ', '))
        throw (New-CsodErrorRecord -Message $message -ErrorId 'CsodUnknownLanguage' -Category InvalidArgument -TargetObject $Language)
    }
    $culture = [System.Globalization.CultureInfo]::CurrentUICulture
    $primary = $culture.TwoLetterISOLanguageName
    if ($primary -and ($known -contains $primary.ToLowerInvariant())) { return $primary.ToLowerInvariant() }
    'en'
}

function script:ConvertTo-CsodList {
    # JSON arrays arrive as object[] (or a single value, or $null): always a string[].
    param([object] $Value)
    if ($null -eq $Value) { return , ([string[]]@()) }
    $out = New-Object System.Collections.Generic.List[string]
    foreach ($v in @($Value)) {
        if ($null -eq $v) { continue }
        if ($v -is [string]) { $out.Add($v) } else { $out.Add(($v | ConvertTo-Json -Compress -Depth 8)) }
    }
    , $out.ToArray()
}

function script:Get-CsodProperty {
    # A property of a parsed JSON object, or $null when it is absent.
    param([object] $Object, [string] $Name)
    if ($null -eq $Object) { return $null }
    $p = $Object.PSObject.Properties[$Name]
    if ($p) { return $p.Value }
    $null
}

function script:ConvertTo-CsodFinding {
    param([Parameter(Mandatory = $true)] [object] $Json)
    $finding = [pscustomobject]@{
        PSTypeName = 'CsOnlineDiagnostics.Finding'
        Id         = [string](Get-CsodProperty $Json 'id')
        Status     = [string](Get-CsodProperty $Json 'status')
        Problem    = Get-CsodProperty $Json 'problem'
        Summary    = [string](Get-CsodProperty $Json 'summary')
        Evidence   = ConvertTo-CsodList (Get-CsodProperty $Json 'evidence')
        Resolution = ConvertTo-CsodList (Get-CsodProperty $Json 'resolution')
        Fix        = Get-CsodProperty $Json 'fix'
        # With an error: the ids of its matches this finding explains.
        Explains   = ConvertTo-CsodList (Get-CsodProperty $Json 'explains')
    }
    $finding
}

function script:ConvertTo-CsodMatch {
    param([Parameter(Mandatory = $true)] [object] $Json)
    $evidence = foreach ($e in @(Get-CsodProperty $Json 'evidence')) {
        if ($null -eq $e) { continue }
        if ($e -is [string]) { $e } else { '{0}: {1}' -f (Get-CsodProperty $e 'kind'), (Get-CsodProperty $e 'value') }
    }
    [pscustomobject]@{
        PSTypeName      = 'CsOnlineDiagnostics.Match'
        Problem         = [string](Get-CsodProperty $Json 'id')
        Confidence      = [double](Get-CsodProperty $Json 'confidence')
        Title           = [string](Get-CsodProperty $Json 'title')
        Cause           = [string](Get-CsodProperty $Json 'cause')
        Resolution      = ConvertTo-CsodList (Get-CsodProperty $Json 'resolution')
        Fix             = Get-CsodProperty $Json 'fix'
        Doc             = Get-CsodProperty $Json 'doc'
        Fields          = Get-CsodProperty $Json 'fields'
        Evidence        = ConvertTo-CsodList $evidence
        MessageLanguage = Get-CsodProperty $Json 'message_language'
    }
}

function script:ConvertTo-CsodDiagnosis {
    # One diagnosis: the best match (if any), every match, and the findings of
    # the probes that ran for it.
    param(
        [Parameter(Mandatory = $true)] [object] $Json,
        [string] $Message
    )
    $matchList = @(foreach ($m in @(Get-CsodProperty $Json 'matches')) { if ($null -ne $m) { ConvertTo-CsodMatch $m } })
    $findings = @(foreach ($f in @(Get-CsodProperty $Json 'findings')) { if ($null -ne $f) { ConvertTo-CsodFinding $f } })
    $best = $null
    if ($matchList.Count -gt 0) { $best = $matchList[0] }
    $problemFindings = @($findings | Where-Object { $_.Status -eq 'problem' })
    $status = 'ok'
    if ($best) { $status = 'problem' } elseif ($problemFindings.Count -gt 0) { $status = 'problem' } elseif (@($findings | Where-Object { $_.Status -eq 'warning' }).Count -gt 0) { $status = 'warning' }
    $d = [pscustomobject]@{
        PSTypeName = 'CsOnlineDiagnostics.Diagnosis'
        Status     = $status
        Problem    = $null
        Title      = $null
        Confidence = $null
        Cause      = $null
        Resolution = [string[]]@()
        Fix        = $null
        Doc        = $null
        Fields     = $null
        Message    = $Message
        Language   = Get-CsodProperty $Json 'language'
        Matches    = $matchList
        Findings   = $findings
    }
    if ($best) {
        $d.Problem = $best.Problem
        $d.Title = $best.Title
        $d.Confidence = $best.Confidence
        $d.Cause = $best.Cause
        $d.Resolution = $best.Resolution
        $d.Fix = $best.Fix
        # The catalog's fix is for the error in general; the first finding
        # that explains the match says what fits this machine (a disabled
        # msoidsvc must be allowed to start before Start-Service; no local
        # fix under Group Policy), so its fix wins, even when it has none.
        foreach ($f in $findings) {
            if ($f.Explains -contains $best.Problem) { $d.Fix = $f.Fix; break }
        }
        $d.Doc = $best.Doc
        $d.Fields = $best.Fields
    }
    $d
}

function script:ConvertTo-CsodProblem {
    param([Parameter(Mandatory = $true)] [object] $Json, [string] $Language)
    [pscustomobject]@{
        PSTypeName = 'CsOnlineDiagnostics.Problem'
        Id         = [string](Get-CsodProperty $Json 'id')
        Family     = [string](Get-CsodProperty $Json 'family')
        Title      = [string](Get-CsodProperty $Json 'title')
        Cause      = [string](Get-CsodProperty $Json 'cause')
        Resolution = ConvertTo-CsodList (Get-CsodProperty $Json 'resolution')
        Fix        = Get-CsodProperty $Json 'fix'
        Doc        = Get-CsodProperty $Json 'doc'
        Signals    = Get-CsodProperty $Json 'signals'
        Notes      = Get-CsodProperty $Json 'notes'
        Language   = $Language
    }
}

function script:ConvertTo-CsodEndpoint {
    # -Endpoint strings (host, host:port, name=host:port) -> the request's endpoints.
    param([Parameter(Mandatory = $true)] [string[]] $Endpoint)
    foreach ($e in $Endpoint) {
        $m = [regex]::Match($e.Trim(), '^(?:(?<name>[^=]+)=)?(?<host>\[[0-9A-Fa-f:.]+\]|[^:\s]+)(?::(?<port>\d{1,5}))?$')
        if (-not $m.Success) {
            throw (New-CsodErrorRecord -Message ('The endpoint "{0}" is not host, host:port or name=host:port.' -f $e) -ErrorId 'CsodBadEndpoint' -Category InvalidArgument -TargetObject $e)
        }
        $port = 443
        if ($m.Groups['port'].Success) { $port = [int]$m.Groups['port'].Value }
        if ($port -lt 1 -or $port -gt 65535) {
            throw (New-CsodErrorRecord -Message ('The port of "{0}" is out of range.' -f $e) -ErrorId 'CsodBadEndpoint' -Category InvalidArgument -TargetObject $e)
        }
        $name = $m.Groups['host'].Value
        if ($m.Groups['name'].Success) { $name = $m.Groups['name'].Value.Trim() }
        [ordered]@{ name = $name; host = $m.Groups['host'].Value.Trim('[', ']'); port = $port }
    }
}
