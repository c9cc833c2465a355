# Issue 14, the module as admins use it: what the pipeline gives
# Test-CsOnlineConnector ($null, numbers, hashtables, empty collections,
# deserialized ErrorRecords from a real Export-Clixml round trip and a real
# Receive-Job, wrapped exceptions), one ErrorRecord per failure, text as
# admins paste it (NUL, a cut emoji, more than the library analyses), and
# the workers behind the command.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-TestModule
    # The probes of a diagnosis go to a loopback listener: fast and offline.
    $script:Listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $script:Listener.Start()
    $script:Local = '127.0.0.1:{0}' -f $script:Listener.LocalEndpoint.Port
    $script:ExecPolicy = 'File C:\m\SkypeOnlineConnectorStartup.psm1 cannot be loaded because running scripts is disabled on this system.'
    $script:Shells = 'Connecting to remote server admin1a.online.lync.com failed with the following error message : The WS-Management service cannot process the request. The maximum number of concurrent shells for this user has been exceeded. Close existing shells or raise the quota for this user.'
    function Get-Record([object] $InputObject) {
        & (Get-Module CsOnlineDiagnostics) { param($x) ConvertTo-CsodRecord -ErrorRecord $x } $InputObject
    }
}

AfterAll {
    $script:Listener.Stop()
}

Describe 'Pipeline binding that never surprises' {
    It '<Name> piped in gives one <Id> error and never starts a health check' -ForEach @(
        @{ Name = '$null'; Id = 'CsodNullInput'; Category = 'InvalidArgument'; Make = { $null } }
        @{ Name = '$Error[0] with $Error empty'; Id = 'CsodNullInput'; Category = 'InvalidArgument'; Make = { $Error.Clear(); $Error[0] } }
        @{ Name = 'an integer'; Id = 'CsodUnsupportedInput'; Category = 'InvalidType'; Make = { 42 } }
        @{ Name = 'a hashtable'; Id = 'CsodUnsupportedInput'; Category = 'InvalidType'; Make = { @{ Message = 'x'; Path = '/tmp' } } }
        @{ Name = 'a date'; Id = 'CsodUnsupportedInput'; Category = 'InvalidType'; Make = { [datetime]::Now } }
    ) {
        Mock -ModuleName CsOnlineDiagnostics Invoke-CsodHealthCheck { @{ Output = @('health check ran'); Errors = @(); Warnings = @(); Verbose = @(); Wrong = $false } }
        $value = & $Make
        $out = @($value | Test-CsOnlineConnector -ErrorVariable ev -ErrorAction SilentlyContinue)
        $out.Count | Should -Be 0
        @($ev).Count | Should -Be 1
        $ev[0].FullyQualifiedErrorId | Should -Be "$Id,Test-CsOnlineConnector"
        $ev[0].CategoryInfo.Category | Should -Be $Category
        $ev[0].Exception.Message.Length | Should -BeLessThan 300
        Should -Invoke -ModuleName CsOnlineDiagnostics Invoke-CsodHealthCheck -Times 0 -Exactly
    }

    It 'an empty collection (<Name>) gives one CsodNoInput error and no health check' -ForEach @(
        @{ Name = '@() piped'; Run = { @() | Test-CsOnlineConnector -ErrorVariable script:ev -ErrorAction SilentlyContinue } }
        @{ Name = ',@() piped'; Run = { , @() | Test-CsOnlineConnector -ErrorVariable script:ev -ErrorAction SilentlyContinue } }
        @{ Name = 'a command with no output'; Run = { Get-ChildItem -LiteralPath $TestDrive -Filter 'nothing-*' | Test-CsOnlineConnector -ErrorVariable script:ev -ErrorAction SilentlyContinue } }
        @{ Name = '-InputObject @()'; Run = { Test-CsOnlineConnector -InputObject @() -ErrorVariable script:ev -ErrorAction SilentlyContinue } }
    ) {
        Mock -ModuleName CsOnlineDiagnostics Invoke-CsodHealthCheck { @{ Output = @('health check ran'); Errors = @(); Warnings = @(); Verbose = @(); Wrong = $false } }
        $script:ev = $null
        $out = @(& $Run)
        $out.Count | Should -Be 0
        @($script:ev).Count | Should -Be 1
        $script:ev[0].FullyQualifiedErrorId | Should -Be 'CsodNoInput,Test-CsOnlineConnector'
        Should -Invoke -ModuleName CsOnlineDiagnostics Invoke-CsodHealthCheck -Times 0 -Exactly
    }

    It 'runs the health check only when no input is bound at all' {
        Mock -ModuleName CsOnlineDiagnostics Invoke-CsodHealthCheck { @{ Output = @('health check ran'); Errors = @(); Warnings = @(); Verbose = @(); Wrong = $false } }
        Test-CsOnlineConnector | Should -Be 'health check ran'
        Should -Invoke -ModuleName CsOnlineDiagnostics Invoke-CsodHealthCheck -Times 1 -Exactly
    }

    It 'handles a mixed pipeline in order: each good item answered, each bad one one error' {
        $er = New-RealErrorRecord -Problem shells_per_user -Message $script:Shells
        $out = @($null, $er, 42, $script:ExecPolicy | Test-CsOnlineConnector -Endpoint $script:Local -TimeoutSec 1 -Language en -ErrorVariable ev -ErrorAction SilentlyContinue)
        $out.Problem | Should -Be @('shells_per_user', 'execution_policy')
        @($ev).FullyQualifiedErrorId | Should -Be @('CsodNullInput,Test-CsOnlineConnector', 'CsodUnsupportedInput,Test-CsOnlineConnector')
    }

    It 'still binds ErrorRecords, exceptions, text and files named or piped' {
        $er = New-RealErrorRecord -Problem shells_per_user -Message $script:Shells
        (Test-CsOnlineConnector $er -Endpoint $script:Local -TimeoutSec 1).Problem | Should -Be 'shells_per_user'
        (Test-CsOnlineConnector -Exception ([System.Management.Automation.PSSecurityException]::new($script:ExecPolicy)) -Endpoint $script:Local).Problem | Should -Be 'execution_policy'
        (Test-CsOnlineConnector -Message $script:ExecPolicy).Problem | Should -Be 'execution_policy'
        (Test-CsOnlineConnector -InputObject $script:ExecPolicy).Problem | Should -Be 'execution_policy'
        $file = Join-Path $TestDrive 'one.log'
        Set-Content -LiteralPath $file -Value ('PS C:\> .\x.ps1', ('Import-Module : ' + $script:ExecPolicy))
        (Get-Item -LiteralPath $file | Test-CsOnlineConnector).HitCount | Should -Be 1
        ([pscustomobject]@{ Path = (Join-Path $TestDrive 'one.*') } | Test-CsOnlineConnector).HitCount | Should -Be 1
    }
}

Describe 'Deserialized errors bind as records' {
    It 'a real Export-Clixml round trip keeps the FullyQualifiedErrorId, exception type, HResult, message, category and command (<Name>)' -ForEach @(
        @{ Name = 'a caught Get-Item failure'; Make = { try { Get-Item -LiteralPath (Join-Path $TestDrive 'missing.txt') -ErrorAction Stop } catch { $_ } }; Problem = $null }
        @{ Name = 'too many shells (WinRM ErrorCode)'; Make = { New-RealErrorRecord -Problem shells_per_user -Message $script:Shells }; Problem = 'shells_per_user' }
        @{ Name = 'a thrown PSSecurityException'; Make = { try { throw [System.Management.Automation.PSSecurityException]::new($script:ExecPolicy) } catch { $_ } }; Problem = 'execution_policy' }
    ) {
        $live = & $Make
        $xml = Join-Path $TestDrive 'error.xml'
        $live | Export-Clixml -LiteralPath $xml
        $back = Import-Clixml -LiteralPath $xml
        $back.PSObject.TypeNames[0] | Should -Be 'Deserialized.System.Management.Automation.ErrorRecord'
        $liveRecord = Get-Record $live
        $backRecord = Get-Record $back
        foreach ($key in 'fully_qualified_error_id', 'exception_type', 'hresult', 'message', 'category', 'command', 'error_code') {
            $backRecord[$key] | Should -Be $liveRecord[$key] -Because "$key survives the round trip"
        }
        $backRecord['fully_qualified_error_id'] | Should -Not -BeNullOrEmpty
        $backRecord['exception_type'] | Should -Not -BeLike 'Deserialized.*'
        $d = $back | Test-CsOnlineConnector -Endpoint $script:Local -TimeoutSec 1 -Language en
        $d.PSObject.TypeNames[0] | Should -Be 'CsOnlineDiagnostics.Diagnosis'
        $d.Message | Should -Be $live.Exception.Message
        if ($Problem) { $d.Problem | Should -Be $Problem } else { $d.Problem | Should -BeNullOrEmpty }
    }

    It 'an error output by a background job (Receive-Job) is diagnosed from its record' {
        $job = Start-Job -ScriptBlock {
            try { throw [System.Management.Automation.PSSecurityException]::new($using:ExecPolicy) } catch { $_ }
        }
        $back = Receive-Job -Job $job -Wait -AutoRemoveJob
        $back.PSObject.TypeNames[0] | Should -Be 'Deserialized.System.Management.Automation.ErrorRecord'
        $r = Get-Record $back
        $r['exception_type'] | Should -Be 'System.Management.Automation.PSSecurityException'
        ($back | Test-CsOnlineConnector -Endpoint $script:Local -TimeoutSec 1 -Language en).Problem | Should -Be 'execution_policy'
    }

    It 'an error a background job wrote (RemoteException) is read from the original exception' {
        $job = Start-Job -ScriptBlock {
            $e = [System.Management.Automation.Remoting.PSRemotingTransportException]::new('Xyzzy plugh frobnicate quux.')
            $e.ErrorCode = -2144108123
            Write-Error -Exception $e -ErrorId '-2144108123,PSSessionOpenFailed' -Category OpenError
        }
        $null = Receive-Job -Job $job -Wait -AutoRemoveJob -ErrorVariable jobErrors -ErrorAction SilentlyContinue
        $jobErrors[0].Exception | Should -BeOfType [System.Management.Automation.RemoteException]
        $r = Get-Record $jobErrors[0]
        $r['exception_type'] | Should -Be 'System.Management.Automation.Remoting.PSRemotingTransportException'
        $r['error_code'] | Should -Be -2144108123
        ($jobErrors[0] | Test-CsOnlineConnector -Endpoint $script:Local -TimeoutSec 1 -Language en).Problem | Should -Be 'shells_per_user'
    }
}

Describe 'The whole exception chain is evidence' {
    It 'reads the members of an AggregateException inside a MethodInvocationException' {
        $transport = [System.Management.Automation.Remoting.PSRemotingTransportException]::new($script:Shells)
        $aggregate = [System.AggregateException]::new('One or more errors occurred.', [System.Exception[]]@([System.TimeoutException]::new('first'), $transport))
        $outer = [System.Management.Automation.MethodInvocationException]::new('Exception calling "Open" with "0" argument(s): "One or more errors occurred."', $aggregate)
        $er = [System.Management.Automation.ErrorRecord]::new($outer, 'MethodInvocationException', 'NotSpecified', $null)
        $r = Get-Record $er
        $r['message'] | Should -Match 'maximum number of concurrent shells'
        $r['message'] | Should -Match 'first'
        $r['exception_type'] | Should -Be 'System.TimeoutException' -Because 'the first exception that is not a wrapper'
        ($er | Test-CsOnlineConnector -Endpoint $script:Local -TimeoutSec 1 -Language en).Problem | Should -Be 'shells_per_user'
    }

    It 'reads an InnerException behind a TargetInvocationException (exception type and HResult from the inner one)' {
        $inner = [System.Management.Automation.PSSecurityException]::new($script:ExecPolicy)
        $outer = [System.Reflection.TargetInvocationException]::new('Exception has been thrown by the target of an invocation.', $inner)
        $r = Get-Record $outer
        $r['exception_type'] | Should -Be 'System.Management.Automation.PSSecurityException'
        $r['hresult'] | Should -Be $inner.HResult
        ($outer | Test-CsOnlineConnector -Endpoint $script:Local -TimeoutSec 1 -Language en).Problem | Should -Be 'execution_policy'
    }

    It 'stops at 16 exceptions however deep the chain' {
        $e = [System.Exception]::new('bottom')
        foreach ($i in 1..200) { $e = [System.Exception]::new("level $i", $e) }
        $r = Get-Record $e
        @($r['message'] -split "`n").Count | Should -Be 16
    }
}

Describe 'One ErrorRecord per failure' {
    It '<Name>: -ErrorVariable and $Error get exactly one record' -ForEach @(
        @{ Name = 'an unsupported input'; Id = 'CsodUnsupportedInput'; Mock = $false; Run = { 42 | Test-CsOnlineConnector -ErrorVariable script:ev -ErrorAction SilentlyContinue } }
        @{ Name = 'a library failure during a diagnosis'; Id = 'CsodNativeCallFailed'; Mock = $true; Run = { (New-RealErrorRecord -Problem shells_per_user -Message $script:Shells) | Test-CsOnlineConnector -ErrorVariable script:ev -ErrorAction SilentlyContinue } }
        @{ Name = 'an empty message'; Id = 'CsodEmptyMessage'; Mock = $false; Run = { ' ' | Test-CsOnlineConnector -ErrorVariable script:ev -ErrorAction SilentlyContinue } }
        @{ Name = 'a missing file'; Id = 'CsodPathNotFound'; Mock = $false; Run = { Test-CsOnlineConnector -LiteralPath (Join-Path $TestDrive 'nope.log') -ErrorVariable script:ev -ErrorAction SilentlyContinue } }
        @{ Name = 'a bad -Endpoint'; Id = 'CsodBadEndpoint'; Mock = $false; Run = { try { Test-CsOnlineConnector -Endpoint 'a b:c:d' -ErrorVariable script:ev -ErrorAction Stop } catch { $null = $_ } } }
    ) {
        if ($Mock) { Mock -ModuleName CsOnlineDiagnostics Get-CsodHostFacts { [ordered]@{ edition = 5 } } }
        $script:ev = $null
        $Error.Clear()
        $null = & $Run
        @($script:ev).Count | Should -Be 1
        $record = $script:ev[0]
        if ($record -isnot [System.Management.Automation.ErrorRecord]) { $record = $record.ErrorRecord }
        $record.FullyQualifiedErrorId | Should -BeLike "$Id*"
        # No internal exception on the way: $Error holds the one record too.
        $Error.Count | Should -Be 1 -Because (@($Error | ForEach-Object { '[{0}] {1}' -f $_.GetType().Name, $_ }) -join ' | ')
    }
}

Describe 'Text as admins paste it' {
    It 'replaces NUL characters instead of cutting the text at them' {
        $text = 'File C:\m\x.psm1 cannot be loaded because' + [char]0 + ' running scripts is disabled on this system.'
        $d = $text | Test-CsOnlineConnector -Language en -ErrorVariable ev -ErrorAction SilentlyContinue
        @($ev).Count | Should -Be 0
        $d.Problem | Should -Be 'execution_policy'
        $d.Message | Should -Be $text
    }

    It 'replaces unpaired surrogates (a cut emoji) in text and in an error''s message' {
        $cut = [string][char]0xD83D
        $d = ($script:ExecPolicy + ' ' + $cut) | Test-CsOnlineConnector -Language en -ErrorVariable ev -ErrorAction SilentlyContinue
        @($ev).Count | Should -Be 0
        $d.Problem | Should -Be 'execution_policy'
        $er = [System.Management.Automation.ErrorRecord]::new([System.Management.Automation.PSSecurityException]::new([char]0xDC00 + $script:ExecPolicy), 'UnauthorizedAccess', 'SecurityError', $null)
        $d2 = $er | Test-CsOnlineConnector -Endpoint $script:Local -TimeoutSec 1 -Language en -ErrorVariable ev2 -ErrorAction SilentlyContinue
        @($ev2).Count | Should -Be 0
        $d2.Problem | Should -Be 'execution_policy'
    }

    It 'warns once when the text is longer than the library analyses (the library says truncated)' {
        $long = $script:ExecPolicy + ' ' + ('x' * 1100000)
        $d = $long | Test-CsOnlineConnector -Language en -WarningVariable w -WarningAction SilentlyContinue
        $d.Problem | Should -Be 'execution_policy'
        @($w).Count | Should -Be 1
        $w[0].Message | Should -Match '1 MiB'
        $er = [System.Management.Automation.ErrorRecord]::new([System.Management.Automation.PSSecurityException]::new($long), 'UnauthorizedAccess', 'SecurityError', $null)
        $null = $er | Test-CsOnlineConnector -Endpoint $script:Local -TimeoutSec 1 -Language en -WarningVariable w2 -WarningAction SilentlyContinue
        @($w2).Count | Should -Be 1
        $null = $script:ExecPolicy | Test-CsOnlineConnector -Language en -WarningVariable w3 -WarningAction SilentlyContinue
        @($w3).Count | Should -Be 0
    }

    It 'warns when a scan lists only the first hits (the library says truncated)' {
        $file = Join-Path $TestDrive 'many.log'
        $lines = foreach ($i in 1..1005) { 'PS C:\> .\run.ps1'; ('Import-Module : ' + $script:ExecPolicy); '' }
        Set-Content -LiteralPath $file -Value $lines
        $r = Test-CsOnlineConnector -LiteralPath $file -WarningVariable w -WarningAction SilentlyContinue
        $r.Truncated | Should -BeTrue
        $r.HitCount | Should -Be 1005
        @($w).Count | Should -Be 1
        $w[0].Message | Should -Match '1000'
    }
}

Describe 'The command hands each mode to a private worker that returns values' {
    It '<Worker> returns an outcome and writes nothing itself' -ForEach @(
        @{ Worker = 'Invoke-CsodTextClassification'; Type = 'CsOnlineDiagnostics.Diagnosis' }
        @{ Worker = 'Invoke-CsodErrorDiagnosis'; Type = 'CsOnlineDiagnostics.Diagnosis' }
        @{ Worker = 'Invoke-CsodFileScan'; Type = 'CsOnlineDiagnostics.ScanResult' }
        @{ Worker = 'Invoke-CsodHealthCheck'; Type = 'CsOnlineDiagnostics.Finding' }
    ) {
        $file = Join-Path $TestDrive 'worker.log'
        Set-Content -LiteralPath $file -Value ('PS C:\> x', ('Import-Module : ' + $script:ExecPolicy))
        $all = @(& (Get-Module CsOnlineDiagnostics) {
                param($worker, $local, $text, $file)
                Import-CsodPrivate Scan
                $ctx = New-CsodContext -Language en -Endpoint $local -TimeoutSec 1
                switch ($worker) {
                    'Invoke-CsodTextClassification' { Invoke-CsodTextClassification -Context $ctx -Text $text }
                    'Invoke-CsodErrorDiagnosis' { Invoke-CsodErrorDiagnosis -Context $ctx -InputObject ([System.Management.Automation.PSSecurityException]::new($text)) }
                    'Invoke-CsodFileScan' { Invoke-CsodFileScan -Context $ctx -File $file }
                    'Invoke-CsodHealthCheck' { Invoke-CsodHealthCheck -Context $ctx }
                }
            } $Worker $script:Local $script:ExecPolicy $file *>&1)
        $all.Count | Should -Be 1 -Because 'the outcome is the only thing a worker gives'
        $all[0] | Should -BeOfType [hashtable]
        $all[0].Errors.Count | Should -Be 0
        $all[0].Output.Count | Should -BeGreaterThan 0
        $all[0].Output[0].PSObject.TypeNames[0] | Should -Be $Type
    }

    It 'keeps the parameters of Test-CsOnlineConnector (names, sets, positions, aliases)' {
        $cmd = Get-Command Test-CsOnlineConnector
        foreach ($p in 'ErrorRecord', 'Exception', 'Message', 'Path', 'LiteralPath', 'Language', 'TimeoutSec', 'Endpoint', 'AsJson', 'Redact', 'Quiet') {
            $cmd.Parameters.Keys | Should -Contain $p
        }
        $cmd.Parameters['LiteralPath'].Aliases | Should -Be @('PSPath', 'FullName', 'LP')
        $cmd.Parameters['ErrorRecord'].ParameterSets['ErrorRecord'].Position | Should -Be 0
        $cmd.Parameters['Path'].ParameterSets['Path'].Position | Should -Be 0
        $cmd.DefaultParameterSet | Should -Be 'Health'
    }
}
