# CsOnlineDiagnostics: the connection doctor for Skype for Business Online
# remote PowerShell. Loads the csod native library (by absolute path, for this
# OS and architecture), checks its ABI, and defines the public commands.
# Runs on Windows PowerShell 5.1 and PowerShell 7: no PowerShell 7-only syntax.
Set-StrictMode -Version 2.0

$script:ModuleRoot = $PSScriptRoot

foreach ($file in [System.IO.Directory]::GetFiles([System.IO.Path]::Combine($PSScriptRoot, 'Private'), '*.ps1')) {
    . $file
}
foreach ($file in [System.IO.Directory]::GetFiles([System.IO.Path]::Combine($PSScriptRoot, 'Public'), '*.ps1')) {
    . $file
}

# Throws a clear ErrorRecord (CsodLibraryNotFound, CsodLibraryLoadFailed,
# CsodAbiMismatch) and so fails Import-Module when the library is unusable.
$script:CsodNative = Initialize-CsodNative $PSScriptRoot

$languageCompleter = {
    param($commandName, $parameterName, $wordToComplete)
    foreach ($l in @(Get-CsodOutputLanguages)) {
        if ($l -like ($wordToComplete + '*')) {
            New-Object System.Management.Automation.CompletionResult -ArgumentList $l, $l, 'ParameterValue', $l
        }
    }
}
Register-ArgumentCompleter -CommandName Test-CsOnlineConnector, Get-CsOnlineConnectorProblem -ParameterName Language -ScriptBlock $languageCompleter

Export-ModuleMember -Function Test-CsOnlineConnector, Get-CsOnlineConnectorProblem
