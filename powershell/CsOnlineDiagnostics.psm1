# CsOnlineDiagnostics: the connection doctor for Skype for Business Online
# remote PowerShell. Loads the csod native library (by absolute path, for this
# OS and architecture), checks its ABI, and defines the public commands.
# Runs on Windows PowerShell 5.1 and PowerShell 7: no PowerShell 7-only syntax.
Set-StrictMode -Version 2.0

$script:ModuleRoot = $PSScriptRoot

# At import: the loader (Private/Native.ps1) and the public commands only.
# The helpers the commands run with (the other Private/*.ps1) are dot-sourced
# on first use by Import-CsodImplementation: parsing them was most of the
# import's cost. Their functions are declared script: so that they land in
# the module's scope from there.
. ([System.IO.Path]::Combine($PSScriptRoot, 'Private', 'Native.ps1'))
foreach ($file in [System.IO.Directory]::GetFiles([System.IO.Path]::Combine($PSScriptRoot, 'Public'), '*.ps1')) {
    . $file
}

$script:CsodImplementationLoaded = $false

function Import-CsodImplementation {
    # Once per import: defines the helpers of Private/ (all but Native.ps1).
    if ($script:CsodImplementationLoaded) { return }
    foreach ($file in [System.IO.Directory]::GetFiles([System.IO.Path]::Combine($script:ModuleRoot, 'Private'), '*.ps1')) {
        if ([System.IO.Path]::GetFileName($file) -eq 'Native.ps1') { continue }
        . $file
    }
    $script:CsodImplementationLoaded = $true
}

# Throws a clear ErrorRecord (CsodLibraryNotFound, CsodLibraryLoadFailed,
# CsodAbiMismatch) and so fails Import-Module when the library is unusable.
$script:CsodNative = Initialize-CsodNative $PSScriptRoot

$languageCompleter = {
    param($commandName, $parameterName, $wordToComplete)
    Import-CsodImplementation
    foreach ($l in @(Get-CsodOutputLanguages)) {
        if ($l -like ($wordToComplete + '*')) {
            New-Object System.Management.Automation.CompletionResult -ArgumentList $l, $l, 'ParameterValue', $l
        }
    }
}
Register-ArgumentCompleter -CommandName Test-CsOnlineConnector, Get-CsOnlineConnectorProblem, Enable-CsOnlineConnectorAutoDiagnosis -ParameterName Language -ScriptBlock $languageCompleter

# Removing the module puts back the commands auto-diagnosis wrapped.
$ExecutionContext.SessionState.Module.OnRemove = {
    if ($script:CsodImplementationLoaded) {
        try { Disable-CsodAutoDiagnosis } catch { Write-Verbose ('csod: auto-diagnosis could not be turned off: {0}' -f $_) }
    }
}

Export-ModuleMember -Function Test-CsOnlineConnector, Get-CsOnlineConnectorProblem, Enable-CsOnlineConnectorAutoDiagnosis, Disable-CsOnlineConnectorAutoDiagnosis, Get-CsOnlineConnectorAutoDiagnosis
