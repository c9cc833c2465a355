# Issue 14, the first answer: Import-Module and the first diagnosis of a
# caught error in a fresh pwsh. Its speed is measured by scripts/bench
# ("first answer" row, against a trivial module); here, what makes it fast
# and can be checked without a clock: the answer loads no module it does not
# need (Microsoft.PowerShell.Utility alone costs ~200 ms to autoload: no
# ConvertTo-Json, Write-Verbose, Write-Progress, Import-LocalizedData...
# on that path) and parses only the helpers a diagnosis needs.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $script:Listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $script:Listener.Start()
}

AfterAll {
    $script:Listener.Stop()
}

Describe 'The first answer in a fresh pwsh' {
    It 'diagnoses a caught error without autoloading Microsoft.PowerShell.Utility or .Security, or parsing the scan, redaction, message and JSON-object helpers' {
        $cmd = @'
# Progress shows only for a slow answer (a second): none here.
$ProgressPreference = 'SilentlyContinue'
Import-Module '{0}'
$d = try {{ throw [System.Management.Automation.PSSecurityException]::new('File C:\m\x.psm1 cannot be loaded because running scripts is disabled on this system.') }} catch {{ $_ | Test-CsOnlineConnector -Endpoint 127.0.0.1:{1} }}
"problem=" + $d.Problem
"utility=" + [bool](Get-Module Microsoft.PowerShell.Utility)
"security=" + [bool](Get-Module Microsoft.PowerShell.Security)
$m = Get-Module CsOnlineDiagnostics
"scan=" + [bool](& $m {{ Get-Command Invoke-CsodScanFile -ErrorAction Ignore }})
"redact=" + [bool](& $m {{ Get-Command Protect-CsodText -ErrorAction Ignore }})
"messages=" + [bool](& $m {{ Get-Command Get-CsodMessageTable -ErrorAction Ignore }})
"invoke=" + [bool](& $m {{ Get-Command ConvertTo-CsodObject -ErrorAction Ignore }})
"type=" + $d.PSObject.TypeNames[0] + " findings=" + @($d.Findings).Count + " fix=" + [bool]$d.Fix
$j = try {{ throw [System.Management.Automation.PSSecurityException]::new('File C:\m\x.psm1 cannot be loaded because running scripts is disabled on this system.') }} catch {{ $_ | Test-CsOnlineConnector -Endpoint 127.0.0.1:{1} -AsJson }}
"policy=" + (($j | ConvertFrom-Json).facts | Where-Object id -eq 'host.effective_execution_policy').value
'@ -f $script:Manifest, $script:Listener.LocalEndpoint.Port
        # The interop cache warm (compiling it uses Add-Type, in
        # Microsoft.PowerShell.Utility), as when this file runs alone.
        $null = Invoke-ChildPwsh -Command ('Import-Module ''{0}''' -f $script:Manifest)
        $r = Invoke-ChildPwsh -Command $cmd
        $r.Text | Should -Match 'problem=execution_policy'
        $r.Text | Should -Match 'utility=False'
        # Get-ExecutionPolicy ran through its cmdlet class (the interop
        # loads Microsoft.PowerShell.Security's assembly), not by autoloading
        # its module (~60 ms).
        $r.Text | Should -Match 'security=False'
        $r.Text | Should -Match 'policy=(Unrestricted|RemoteSigned|AllSigned|Restricted|Bypass|Undefined|Default)'
        $r.Text | Should -Match 'scan=False'
        $r.Text | Should -Match 'redact=False'
        $r.Text | Should -Match 'messages=False'
        # The context and the Diagnosis come from the interop (NewContext,
        # DiagnosisObject): Private/Invoke.ps1 is not parsed.
        $r.Text | Should -Match 'invoke=False'
        $r.Text | Should -Match 'type=CsOnlineDiagnostics.Diagnosis findings=[1-9]\d* fix=True'
    }

    It 'the import parses only the loader''s fast path and the public commands' {
        $null = Invoke-ChildPwsh -Command ('Import-Module ''{0}''' -f $script:Manifest)
        $r = Invoke-ChildPwsh -Command ('Import-Module ''{0}''; $m = Get-Module CsOnlineDiagnostics; foreach ($f in ''Initialize-CsodNative'', ''Get-CsodMessageTable'', ''Invoke-CsodErrorDiagnosis'', ''Invoke-CsodInteropCompile'', ''Get-CsodInteropStamp'') {{ $f + ''='' + [bool](& $m {{ param($n) Get-Command $n -ErrorAction Ignore }} $f) }}' -f $script:Manifest)
        $r.Text | Should -Match 'Initialize-CsodNative=True'
        # A warm import: the slow path (Private/Loader.ps1: library search,
        # stamp, record) is not parsed.
        $r.Text | Should -Match 'Get-CsodInteropStamp=False'
        # The messages (string tables), the workers and the compiler come
        # when a command needs them.
        $r.Text | Should -Match 'Get-CsodMessageTable=False'
        $r.Text | Should -Match 'Invoke-CsodErrorDiagnosis=False'
        $r.Text | Should -Match 'Invoke-CsodInteropCompile=False'
    }
}
