# The output language (Get-CsOnlineConnectorProblem, the -Language
# completer) and the library's JSON objects as PSCustomObjects (catalog,
# scan). A diagnosis needs none of it: the interop builds its context and
# objects (NewContext, DiagnosisObject, FindingObjects, MatchObjects).
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

function script:ConvertTo-CsodObject {
    # A parsed JSON object (fields, signals, notes) as a PSCustomObject, as
    # ConvertFrom-Json gave it; other values as they are.
    param([object] $Value)
    if ($Value -is [System.Collections.IDictionary]) { return [pscustomobject]$Value }
    $Value
}
