function Disable-CsOnlineConnectorAutoDiagnosis {
    <#
    .SYNOPSIS
    Turns auto-diagnosis off and puts the original connection commands back.

    .DESCRIPTION
    Disable-CsOnlineConnectorAutoDiagnosis removes the aliases and proxy
    functions that Enable-CsOnlineConnectorAutoDiagnosis installed:
    New-PSSession and the other cmdlets resolve to the cmdlets again,
    Connect-ExchangeOnline and the other module functions to their modules'
    functions. It also stops
    watching for commands not loaded yet. Removing the CsOnlineDiagnostics
    module does the same. Running it when auto-diagnosis is off does nothing.

    .PARAMETER Quiet
    Writes nothing: without it, one line confirms that the original commands
    are back.

    .EXAMPLE
    Disable-CsOnlineConnectorAutoDiagnosis

    Turns auto-diagnosis off for this session.

    .EXAMPLE
    Disable-CsOnlineConnectorAutoDiagnosis -Quiet; Get-Command New-PSSession

    Shows the cmdlet again (CommandType Cmdlet, Source
    Microsoft.PowerShell.Core).

    .EXAMPLE
    Remove-Module CsOnlineDiagnostics

    Also puts the original commands back.

    .INPUTS
    None.

    .OUTPUTS
    None.

    .LINK
    Enable-CsOnlineConnectorAutoDiagnosis

    .LINK
    Get-CsOnlineConnectorAutoDiagnosis
    #>
    [CmdletBinding()]
    [OutputType([void])]
    param([switch] $Quiet)
    Import-CsodImplementation
    $wasOn = $script:CsodAuto.Enabled -or $script:CsodAuto.Wrapped.Count -gt 0
    try {
        Disable-CsodAutoDiagnosis
    } catch {
        $PSCmdlet.ThrowTerminatingError($_)
    }
    if ($Quiet -or -not $wasOn) { return }
    $informationAction = 'Continue'
    if ($PSBoundParameters.ContainsKey('InformationAction')) { $informationAction = [string]$InformationPreference }
    $text = Get-CsodAutoText -Language (Get-CsodAutoLanguage)
    Write-Information -MessageData $text.Off -Tags 'CsOnlineDiagnostics', 'AutoDiagnosis' -InformationAction $informationAction
}
