# The library's JSON to typed objects; the output language; -Endpoint.
# Nothing here throws: a failure comes back as a value (see Workers.ps1), so
# that the command writes one ErrorRecord per failure.

$script:CsodOutputLanguages = $null
function script:Get-CsodOutputLanguages {
    # The output languages the library has texts for (asked once per session).
    $script:CsodNative.Type::OutputLanguages()
}

function script:Resolve-CsodLanguage {
    # -Language given: one the library has texts in (a culture name such as
    # fr-CA picks fr); any other falls back to English with a warning. Not
    # given: the UI culture, or English when the library has no texts in it.
    # Returns @{ Language; Warning }.
    param([string] $Language)
    $unknown = $false
    $lang = $script:CsodNative.Type::ResolveLanguage($Language, [System.Globalization.CultureInfo]::CurrentUICulture.TwoLetterISOLanguageName, [ref]$unknown)
    $warning = $null
    if ($unknown) { $warning = Get-CsodMessage UnknownLanguage @($Language, ((Get-CsodOutputLanguages) -join ', ')) -Language 'en' }
    @{ Language = $lang; Warning = $warning }
}

function script:ConvertTo-CsodList {
    # A JSON array (or a single value, or $null) as a string[]: strings as
    # they are, anything else as its JSON.
    param([object] $Value)
    , $script:CsodNative.Type::StringList($Value)
}

function script:Get-CsodProperty {
    # A key of a parsed JSON object (an ordered dictionary from ParseJson,
    # or an object's property), or $null when it is absent.
    param([object] $Object, [string] $Name)
    if ($null -eq $Object) { return $null }
    if ($Object -is [System.Collections.IDictionary]) { return $Object[$Name] }
    $p = $Object.PSObject.Properties[$Name]
    if ($p) { return $p.Value }
    $null
}

function script:ConvertTo-CsodObject {
    # A parsed JSON object (fields, signals, notes) as a PSCustomObject, as
    # ConvertFrom-Json gave it; other values as they are.
    param([object] $Value)
    if ($Value -is [System.Collections.IDictionary]) { return [pscustomobject]$Value }
    $Value
}

# The converters below read the dictionaries of ParseJson by key (a missing
# key is $null) and turn lists with the interop's StringList: a first answer
# builds a few dozen of these objects, so each is one hashtable literal.

function script:ConvertTo-CsodFinding {
    # One "findings" element -> CsOnlineDiagnostics.Finding.
    param([System.Collections.IDictionary] $Json)
    $script:CsodNative.Type::FindingObjects(@(, $Json))
}

function script:ConvertTo-CsodMatch {
    # One "matches" element -> CsOnlineDiagnostics.Match.
    param([System.Collections.IDictionary] $Json)
    $script:CsodNative.Type::MatchObjects(@(, $Json))
}

function script:ConvertTo-CsodDiagnosis {
    # One diagnosis: the best match (if any), every match, and the findings of
    # the probes that ran for it.
    param(
        [System.Collections.IDictionary] $Json,
        [string] $Message
    )
    # The interop builds the Match and Finding objects (one call each
    # instead of a PowerShell loop over them).
    $type = $script:CsodNative.Type
    $matchList = @($type::MatchObjects($Json['matches']))
    $findings = @($type::FindingObjects($Json['findings']))
    $best = $null
    if ($matchList.Count -gt 0) { $best = $matchList[0] }
    $status = 'ok'
    if ($best) {
        $status = 'problem'
    } else {
        foreach ($f in $findings) {
            if ($f.Status -eq 'problem') { $status = 'problem'; break }
            if ($f.Status -eq 'warning') { $status = 'warning' }
        }
    }
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
        Language   = $Json['language']
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

function script:ConvertTo-CsodEndpoint {
    # -Endpoint strings (host, host:port, [IPv6]:port, name=host:port) ->
    # @{ Endpoints = the request's endpoints } or @{ Error = an ErrorRecord
    # (CsodBadEndpoint, InvalidArgument, a short message) for the first bad
    # value }. The rules are the library's (the interop's ParseEndpoints).
    param([string[]] $Endpoint)
    $key = $null
    $arguments = $null
    $list = $script:CsodNative.Type::ParseEndpoints($Endpoint, [ref]$key, [ref]$arguments)
    if ($null -ne $key) {
        $record = New-CsodErrorRecord -Message (Get-CsodMessage $key $arguments) -ErrorId 'CsodBadEndpoint' -Category InvalidArgument -TargetObject $arguments[0]
        return @{ Error = $record; Endpoints = $null }
    }
    @{ Endpoints = $list; Error = $null }
}
