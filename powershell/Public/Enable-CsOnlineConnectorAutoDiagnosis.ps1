function Enable-CsOnlineConnectorAutoDiagnosis {
    <#
    .SYNOPSIS
    Makes every failed connection explain itself: the connection commands
    write the diagnosis of their own errors, without a change to your scripts.

    .DESCRIPTION
    Enable-CsOnlineConnectorAutoDiagnosis wraps the connection commands
    (New-PSSession, Enter-PSSession, Import-PSSession, Invoke-Command,
    New-CsOnlineSession, Connect-MicrosoftTeams, Connect-ExchangeOnline and
    Connect-IPPSSession by default) in proxy functions generated from each
    command's own metadata, so that parameters, pipeline input, help, tab
    completion and -ErrorAction behave as before. While a command is wrapped,
    Get-Command shows it as an alias to its proxy (New-PSSession ->
    CsodAutoDiagnosis.New-PSSession); the original command is not modified.

    When a wrapped command fails with an error the connection doctor
    recognises, the diagnosis (the problem, its cause, the steps that resolve
    it and the fix) is written to the information stream, in the language of
    your user interface or the one given with -Language, and shown on the
    console; then the original error is raised unchanged: the same
    FullyQualifiedErrorId, exception and category, the same $?, the same
    -ErrorVariable contents, terminating or not as before. A failure that is
    not a known connector problem adds nothing, nor does one the caller
    silenced (-ErrorAction SilentlyContinue or Ignore for an error that does
    not stop the command, $ErrorActionPreference = 'SilentlyContinue'). At
    most three errors of one call are diagnosed, each problem once; errors
    of the commands run inside Invoke-Command's script block are not. The
    diagnosis is in the
    information stream, not the output: $session = New-PSSession ... still
    receives only sessions. Read it with -InformationVariable or 6>&1 (each
    record is tagged CsOnlineDiagnostics, AutoDiagnosis and the problem
    identifier; its MessageData.Diagnosis is the CsOnlineDiagnostics.Diagnosis
    object). -InformationAction SilentlyContinue on a command keeps its
    diagnosis out of the console; -InformationAction Ignore, or
    $InformationPreference = 'Ignore', turns it off.

    Commands that are not loaded yet (a module imported later, such as
    MicrosoftTeams after your profile ran) are wrapped when their name is
    first used. Enabling again is harmless: commands already wrapped are kept,
    new names are added, -Language replaces the language.
    Disable-CsOnlineConnectorAutoDiagnosis, or removing the module, puts the
    original commands back; Get-CsOnlineConnectorAutoDiagnosis shows what is
    wrapped.

    The diagnosis runs the probes relevant to the error (at most 3 seconds,
    concurrently). Functions defined outside any module are not wrapped.

    .PARAMETER Command
    The names of the commands to wrap, instead of the default connection
    commands. A name that is not loaded yet is wrapped when first used.

    .PARAMETER Language
    The language of the diagnosis: en or fr, or a culture name such as
    fr-CA. Defaults to the user interface culture, or English when the
    library has no texts in that language.

    .PARAMETER Quiet
    Writes nothing: without it, one line says which commands are wrapped and
    which will be when first used.

    .EXAMPLE
    Add-Content -Path $PROFILE -Value 'Import-Module CsOnlineDiagnostics; Enable-CsOnlineConnectorAutoDiagnosis -Quiet'

    Turns auto-diagnosis on in every new session: the one line in your
    profile.

    .EXAMPLE
    Enable-CsOnlineConnectorAutoDiagnosis
    New-PSSession -ComputerName 10.10.1.3 -Credential $credential

    The connection fails as before, with the same error, and the diagnosis
    (here: the target is not in the WinRM client's TrustedHosts list, with the
    Set-Item WSMan:\localhost\Client\TrustedHosts fix) is shown with it.

    .EXAMPLE
    Enable-CsOnlineConnectorAutoDiagnosis -Command New-PSSession, Connect-MicrosoftTeams -Language fr

    Wraps two commands only, with the diagnosis in French.

    .EXAMPLE
    $session = New-PSSession -ConnectionUri $uri -Credential $credential -ErrorAction Stop -InformationVariable diagnosis
    $diagnosis | Where-Object Tags -contains 'AutoDiagnosis' | ForEach-Object { $_.MessageData.Diagnosis }

    In a script: the diagnosis objects of a failed connection, for a log or a
    ticket (the error itself is still raised by -ErrorAction Stop).

    .INPUTS
    None.

    .OUTPUTS
    None. Get-CsOnlineConnectorAutoDiagnosis lists what is wrapped.

    .LINK
    Disable-CsOnlineConnectorAutoDiagnosis

    .LINK
    Get-CsOnlineConnectorAutoDiagnosis

    .LINK
    Test-CsOnlineConnector
    #>
    [CmdletBinding()]
    [OutputType([void])]
    param(
        [Parameter(Position = 0)]
        [ValidateNotNullOrEmpty()]
        [string[]] $Command,

        [ArgumentCompleter({ param($c, $p, $w) & @(Get-Module CsOnlineDiagnostics)[0] { Get-CsodCompletion Language $args[0] } $w })]
        [string] $Language,

        [switch] $Quiet
    )
    Import-CsodImplementation
    try {
        $lang = $null
        if ($Language) {
            # A language without texts: English, with one warning (as the other commands).
            $resolved = Resolve-CsodLanguage -Language $Language
            if ($resolved.Warning) { $PSCmdlet.WriteWarning($resolved.Warning) }
            $lang = $resolved.Language
        }
        $names = Get-CsodAutoDefaultCommands
        if ($Command) {
            $names = @(foreach ($c in $Command) { if ($c -and $c.Trim()) { $c.Trim() } })
        }
        $status = Enable-CsodAutoDiagnosis -Command $names -Language $lang
    } catch {
        $PSCmdlet.ThrowTerminatingError($_)
    }
    foreach ($name in $status.Keys) { Write-Verbose ('csod: {0}: {1}' -f $name, $status[$name]) }
    if ($Quiet) { return }
    $text = Get-CsodAutoText -Language (Get-CsodAutoLanguage)
    $informationAction = 'Continue'
    if ($PSBoundParameters.ContainsKey('InformationAction')) { $informationAction = [string]$InformationPreference }
    $wrapped = @($status.Keys | Where-Object { $status[$_] -eq 'Wrapped' })
    $waiting = @($status.Keys | Where-Object { $status[$_] -eq 'Waiting' })
    $skipped = @($status.Keys | Where-Object { $status[$_] -eq 'Skipped' })
    if ($wrapped.Count -gt 0) {
        Write-Information -MessageData ($text.On -f ($wrapped -join ', ')) -Tags 'CsOnlineDiagnostics', 'AutoDiagnosis' -InformationAction $informationAction
    }
    if ($waiting.Count -gt 0) {
        Write-Information -MessageData ($text.Waiting -f ($waiting -join ', ')) -Tags 'CsOnlineDiagnostics', 'AutoDiagnosis' -InformationAction $informationAction
    }
    if ($skipped.Count -gt 0) {
        $reasons = @(foreach ($name in $skipped) { '{0} ({1})' -f $name, $script:CsodAuto.Skipped[$name] })
        Write-Information -MessageData ($text.Skipped -f ($reasons -join '; ')) -Tags 'CsOnlineDiagnostics', 'AutoDiagnosis' -InformationAction $informationAction
    }
}
