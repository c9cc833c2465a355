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
    execution_policy or shells_*. Without it every problem is listed.

    .PARAMETER Language
    The language of the texts: en, fr, de or ja, or a culture name such as fr-CA.
    Defaults to the user interface culture, or English when the library has no
    texts in that language.

    .PARAMETER AsJson
    Writes the library's catalog JSON document unchanged (the whole catalog,
    whatever -Id says) instead of objects.

    .EXAMPLE
    Get-CsOnlineConnectorProblem

    Lists every problem with its identifier and title.

    .EXAMPLE
    Get-CsOnlineConnectorProblem -Id winrm_basic_auth -Language fr | Format-List

    Shows one problem with its cause, resolution and fix in French.

    .EXAMPLE
    Get-CsOnlineConnectorProblem -Id shells_* | Select-Object Id, Fix

    The fix commands of the problems about shell quotas.

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
        [string[]] $Id,

        [string] $Language,

        [switch] $AsJson
    )
    begin {
        Import-CsodImplementation
        try {
            $lang = Resolve-CsodLanguage -Language $Language
            Write-Verbose ('csod: catalog in "{0}" from {1}' -f $lang, $script:CsodNative.LibraryPath)
            $json = Invoke-CsodNative -Method Catalog -Arguments @($lang)
        } catch {
            $PSCmdlet.ThrowTerminatingError($_)
        }
        $problems = @((ConvertFrom-Json -InputObject $json).problems)
    }
    process {
        if ($AsJson) { return }
        if (-not $Id) {
            foreach ($p in $problems) { ConvertTo-CsodProblem -Json $p -Language $lang }
            return
        }
        foreach ($pattern in $Id) {
            $found = @($problems | Where-Object { $_.id -like $pattern })
            if ($found.Count -eq 0 -and -not [System.Management.Automation.WildcardPattern]::ContainsWildcardCharacters($pattern)) {
                $known = ($problems | ForEach-Object { $_.id }) -join ', '
                $record = New-CsodErrorRecord -Message ('No problem has the id "{0}". Known ids: {1}.' -f $pattern, $known) -ErrorId 'CsodProblemNotFound' -Category ObjectNotFound -TargetObject $pattern
                $PSCmdlet.WriteError($record)
                continue
            }
            foreach ($p in $found) { ConvertTo-CsodProblem -Json $p -Language $lang }
        }
    }
    end {
        if ($AsJson) { $json }
    }
}
