@{
    RootModule           = 'CsOnlineDiagnostics.psm1'
    ModuleVersion        = '0.1.0'
    GUID                 = '5b0c8f3e-6a2d-4c61-9f1e-2d7a4b8c0e13'
    Author               = 'csod contributors'
    CompanyName          = 'csod'
    Copyright            = '(c) csod contributors. MIT License.'
    Description          = 'Connection doctor for Skype for Business Online remote PowerShell: checks this machine and explains connector errors (execution policy, PowerShell version, WinRM Basic authentication, sign-in assistant, credentials, tenant access, shell quotas, session expiry, connector retirement).'
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Desktop', 'Core')
    FormatsToProcess     = @('CsOnlineDiagnostics.format.ps1xml')
    FunctionsToExport    = @('Test-CsOnlineConnector', 'Get-CsOnlineConnectorProblem', 'Enable-CsOnlineConnectorAutoDiagnosis', 'Disable-CsOnlineConnectorAutoDiagnosis', 'Get-CsOnlineConnectorAutoDiagnosis')
    CmdletsToExport      = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags       = @('SkypeForBusinessOnline', 'Diagnostics', 'WinRM', 'Troubleshooting', 'PSEdition_Desktop', 'PSEdition_Core', 'Windows', 'Linux')
            LicenseUri = 'https://opensource.org/licenses/MIT'
        }
    }
}
