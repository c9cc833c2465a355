function Get-CsOnlineConnectorProblem {
    <#
    .SYNOPSIS
    Lists the connector problems the connection doctor recognises.

    .DESCRIPTION
    Get-CsOnlineConnectorProblem returns the catalog compiled into the csod
    native library: for each problem its identifier, title, cause, the steps
    that resolve it, the command that fixes it (when there is one), the
    Microsoft documentation page, and the signals that identify it in an error
    (FullyQualifiedErrorId fragments, exception types, WinRM error codes and the
    languages of the messages recognised).

    .PARAMETER Id
    One or more problem identifiers (wildcards allowed), for example
    execution_policy or shells_*; Tab completes them. Without it every
    problem is listed.

    .PARAMETER Family
    One or more problem families: connector (the Skype for Business Online
    connector), remoting (PowerShell remoting and WinRM around it) or
    modules (the Microsoft 365 modules of today: installing them, signing
    in, their sessions); Tab completes them, and a name that is not
    one of the catalog's families is a terminating InvalidArgument error
    (CsodUnknownFamily) that lists them. Only the problems of these families
    are listed; with -Id, the problems that match both.

    .PARAMETER Language
    The language of the texts: en, fr, de or ja, or a culture name such as
    fr-CA (Tab completes them). Defaults to the user interface culture, or
    English when the library has no texts in that language; a language
    without texts falls back to English with a warning.

    .PARAMETER AsJson
    Writes the library's catalog JSON document unchanged (the whole catalog,
    whatever -Id and -Family say) instead of objects.

    .EXAMPLE
    Get-CsOnlineConnectorProblem

    Lists every problem with its identifier and title.

    .EXAMPLE
    Get-CsOnlineConnectorProblem -Id winrm_basic_auth -Language fr | Format-List

    Shows one problem with its cause, resolution and fix in French.

    .EXAMPLE
    Get-CsOnlineConnectorProblem -Id shells_* | Select-Object Id, Fix

    The fix commands of the problems about shell quotas.

    .EXAMPLE
    Get-CsOnlineConnectorProblem -Family remoting, modules | Format-Table Id, Family, Title

    The problems of PowerShell remoting and of the connector's successor
    modules, without the connector's own.

    .INPUTS
    System.String. Problem identifiers can be piped in.

    .OUTPUTS
    CsOnlineDiagnostics.Problem, or System.String with -AsJson.

    .LINK
    Test-CsOnlineConnector
    #>
    [CmdletBinding()]
    [OutputType('CsOnlineDiagnostics.Problem')]
    param(
        [Parameter(Position = 0, ValueFromPipeline = $true, ValueFromPipelineByPropertyName = $true)]
        [SupportsWildcards()]
        [ArgumentCompleter({ param($c, $p, $w) & @(Get-Module CsOnlineDiagnostics)[0] { Get-CsodCompletion Id $args[0] } $w })]
        [string[]] $Id,

        [ArgumentCompleter({ param($c, $p, $w) & @(Get-Module CsOnlineDiagnostics)[0] { Get-CsodCompletion Family $args[0] } $w })]
        [ValidateNotNullOrEmpty()]
        [string[]] $Family,

        [ArgumentCompleter({ param($c, $p, $w) & @(Get-Module CsOnlineDiagnostics)[0] { Get-CsodCompletion Language $args[0] } $w })]
        [string] $Language,

        [switch] $AsJson
    )
    begin {
        Import-CsodImplementation
        $lang = Resolve-CsodLanguage -Language $Language
        $script:CsodMessageLanguage = $lang.Language
        if ($lang.Warning) { $PSCmdlet.WriteWarning($lang.Warning) }
        if ($VerbosePreference -ne 'SilentlyContinue') { $PSCmdlet.WriteVerbose((Get-CsodMessage VerboseCatalog @($lang.Language, $script:CsodNative.LibraryPath))) }
        $catalog = Get-CsodCatalog $lang.Language
        if ($catalog.Error) {
            $PSCmdlet.ThrowTerminatingError((New-CsodErrorRecord -Message $catalog.Error -ErrorId 'CsodNativeCallFailed' -Category InvalidResult -TargetObject 'Catalog'))
        }
        $all = @($catalog.Doc['problems'])
        $problems = $all
        if ($Family) {
            # Each name must be one of the catalog's families (any case).
            $families = @(Get-CsodFamilies $catalog.Doc)
            $wanted = @(foreach ($f in $Family) {
                    $known = @($families | Where-Object { $_ -eq $f.Trim() })
                    if ($known.Count -eq 0) {
                        $PSCmdlet.ThrowTerminatingError((New-CsodErrorRecord -Message (Get-CsodMessage UnknownFamily @($f, ($families -join ', '))) -ErrorId 'CsodUnknownFamily' -Category InvalidArgument -TargetObject $f))
                    }
                    $known[0]
                })
            $problems = @($all.Where({ $wanted -contains [string]$_['family'] }))
        }
    }
    process {
        if ($AsJson) { return }
        if (-not $Id) {
            foreach ($p in $problems) { ConvertTo-CsodProblem -Json $p -Language $lang.Language }
            return
        }
        foreach ($pattern in $Id) {
            $found = @($problems.Where({ [string]$_['id'] -like $pattern }))
            # An id the catalog does not have is an error; one of another
            # family than -Family's is filtered out like the rest.
            if ($found.Count -eq 0 -and -not [System.Management.Automation.WildcardPattern]::ContainsWildcardCharacters($pattern) -and @($all.Where({ [string]$_['id'] -like $pattern })).Count -eq 0) {
                $known = @(foreach ($p in $all) { [string]$p['id'] }) -join ', '
                $record = New-CsodErrorRecord -Message (Get-CsodMessage ProblemNotFound @($pattern, $known)) -ErrorId 'CsodProblemNotFound' -Category ObjectNotFound -TargetObject $pattern
                $PSCmdlet.WriteError($record)
                continue
            }
            foreach ($p in $found) { ConvertTo-CsodProblem -Json $p -Language $lang.Language }
        }
    }
    end {
        if ($AsJson) { $catalog.Json }
    }
}
