# The catalog (Get-CsOnlineConnectorProblem, the -Id completer): parsed only
# when a call needs it.

$script:CsodCatalog = @{}

function script:Get-CsodCatalog {
    # The library's catalog in one output language, parsed (once per
    # language and session): @{ Json; Doc } or @{ Error }.
    param([string] $Language)
    if ($script:CsodCatalog.ContainsKey($Language)) { return $script:CsodCatalog[$Language] }
    $r = $script:CsodNative.Type::TryCatalog($Language)
    if ($null -ne $r.Error) { return @{ Error = $r.Error; Missing = $r.Missing; Json = $null; Doc = $null } }
    $entry = @{ Json = $r.Value; Doc = $script:CsodNative.Type::ParseJson($r.Value); Error = $null; Missing = $false }
    $script:CsodCatalog[$Language] = $entry
    $entry
}

function script:Get-CsodProblemIds {
    # The catalog's problem ids (the -Id completer).
    $catalog = Get-CsodCatalog 'en'
    if ($catalog.Error) { return @() }
    foreach ($p in @($catalog.Doc['problems'])) { [string]$p['id'] }
}

function script:Get-CsodFamilies {
    # The problem families of a parsed catalog document, in catalog order
    # (Get-CsOnlineConnectorProblem -Family and its completer).
    param([System.Collections.IDictionary] $Doc)
    $seen = @{}
    foreach ($p in @($Doc['problems'])) {
        $f = [string]$p['family']
        if ($f -and -not $seen.ContainsKey($f)) { $seen[$f] = $true; $f }
    }
}

function script:ConvertTo-CsodProblem {
    param([System.Collections.IDictionary] $Json, [string] $Language)
    [pscustomobject]@{
        PSTypeName = 'CsOnlineDiagnostics.Problem'
        Id         = [string]$Json['id']
        Family     = [string]$Json['family']
        Title      = [string]$Json['title']
        Cause      = [string]$Json['cause']
        Resolution = $script:CsodNative.Type::StringList($Json['resolution'])
        Fix        = $Json['fix']
        Doc        = $Json['doc']
        Signals    = ConvertTo-CsodObject $Json['signals']
        Notes      = ConvertTo-CsodObject $Json['notes']
        Language   = $Language
    }
}
