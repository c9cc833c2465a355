function Get-CsOnlineConnectorAutoDiagnosis {
    <#
    .SYNOPSIS
    Shows which connection commands auto-diagnosis wraps.

    .DESCRIPTION
    Get-CsOnlineConnectorAutoDiagnosis returns one
    CsOnlineDiagnostics.AutoDiagnosis object per command named to
    Enable-CsOnlineConnectorAutoDiagnosis: Command, Status, CommandType,
    Source (the module of the wrapped command), Language and Note. Status is
    Wrapped (the proxy is in place), Waiting (not loaded yet: wrapped when
    first used), Skipped (not wrapped, Note says why) or Displaced (something
    replaced the proxy since, such as the command's module imported again
    with -Force: it is wrapped again when next used). Nothing is returned
    when auto-diagnosis is off.

    .EXAMPLE
    Get-CsOnlineConnectorAutoDiagnosis

    Lists the wrapped commands and those waiting for their module.

    .EXAMPLE
    Get-CsOnlineConnectorAutoDiagnosis | Where-Object Status -eq 'Wrapped' | Select-Object -ExpandProperty Command

    The names of the commands wrapped now.

    .EXAMPLE
    if (-not (Get-CsOnlineConnectorAutoDiagnosis)) { Enable-CsOnlineConnectorAutoDiagnosis -Quiet }

    Turns auto-diagnosis on unless it already is.

    .INPUTS
    None.

    .OUTPUTS
    CsOnlineDiagnostics.AutoDiagnosis

    .LINK
    Enable-CsOnlineConnectorAutoDiagnosis

    .LINK
    Disable-CsOnlineConnectorAutoDiagnosis
    #>
    [CmdletBinding()]
    [OutputType('CsOnlineDiagnostics.AutoDiagnosis')]
    param()
    Import-CsodImplementation
    if (-not $script:CsodAuto.Enabled) { return }
    Get-CsodAutoDiagnosisState
}
