# Auto-diagnosis (Enable-/Disable-/Get-CsOnlineConnectorAutoDiagnosis), with
# real commands: the error a wrapped command raises is the one it raised
# unwrapped (FullyQualifiedErrorId, exception type, category, position, $?,
# $Error, -ErrorVariable, terminating or not), the diagnosis is on the
# information stream when the error is a known problem and absent otherwise,
# successful output is unchanged, help and tab completion still work, and
# Disable / Remove-Module put the original commands back.
#
# Each error case runs twice in a fresh runspace (no enclosing try/catch, so a
# statement-terminating error lets the script go on and a script-terminating
# one does not): unwrapped, then wrapped; everything but the information
# stream must match.

BeforeDiscovery {
    # Runs of one script, unwrapped and wrapped. Diagnosis: 'expected' (the
    # problem Test-CsOnlineConnector finds in the unwrapped error must be
    # shown, and something must be found), 'none' (nothing shown, and
    # Test-CsOnlineConnector must indeed find no problem), 'any' (shown
    # exactly when the unwrapped error is a known problem).
    $script:ErrorCases = @(
        @{ Name = 'New-PSSession to a closed loopback port'; Diagnosis = 'any'; Script = 'New-PSSession -ComputerName 127.0.0.1 -Port $ClosedPort; "after: $?"' }
        @{ Name = 'New-PSSession -ConnectionUri to a closed loopback port'; Diagnosis = 'any'; Script = 'New-PSSession -ConnectionUri "http://127.0.0.1:$ClosedPort/wsman"; "after: $?"' }
        @{ Name = 'New-PSSession -ErrorAction Stop'; Diagnosis = 'any'; Script = 'New-PSSession -ComputerName 127.0.0.1 -Port $ClosedPort -ErrorAction Stop; "after: $?"' }
        @{ Name = 'New-PSSession -ErrorAction Stop in try/catch'; Diagnosis = 'any'; Script = 'try { New-PSSession -ComputerName 127.0.0.1 -Port $ClosedPort -ErrorAction Stop; "no error" } catch { "caught: " + (Format-TestError $_) }; "after: $?"' }
        @{ Name = 'New-PSSession in try/catch'; Diagnosis = 'any'; Script = 'try { New-PSSession -ComputerName 127.0.0.1 -Port $ClosedPort; "no error" } catch { "caught: " + (Format-TestError $_) }' }
        @{ Name = 'New-PSSession -ErrorVariable'; Diagnosis = 'any'; Script = 'New-PSSession -ComputerName 127.0.0.1 -Port $ClosedPort -ErrorVariable ev; "after: $?"; "ev: " + (Format-TestErrorList $ev)' }
        @{ Name = 'New-PSSession -ErrorVariable +ev (append)'; Diagnosis = 'any'; Script = '$ev = @("before"); New-PSSession -ComputerName 127.0.0.1 -Port $ClosedPort -ErrorVariable +ev; "ev: " + (Format-TestErrorList $ev)' }
        @{ Name = 'New-PSSession -ErrorAction Stop -ErrorVariable in try/catch'; Diagnosis = 'any'; Script = 'try { New-PSSession -ComputerName 127.0.0.1 -Port $ClosedPort -ErrorAction Stop -ErrorVariable ev } catch { "caught: " + (Format-TestError $_) }; "ev: " + (Format-TestErrorList $ev)' }
        @{ Name = 'New-PSSession under $ErrorActionPreference = Stop'; Diagnosis = 'any'; Script = '$ErrorActionPreference = "Stop"; New-PSSession -ComputerName 127.0.0.1 -Port $ClosedPort; "after"' }
        @{ Name = 'New-PSSession under $ErrorActionPreference = SilentlyContinue (silenced: no diagnosis)'; Diagnosis = 'none'; Script = '$ErrorActionPreference = "SilentlyContinue"; New-PSSession -ComputerName 127.0.0.1 -Port $ClosedPort; "after: $?"' }
        @{ Name = 'New-PSSession piped on'; Diagnosis = 'any'; Script = 'New-PSSession -ComputerName 127.0.0.1 -Port $ClosedPort | ForEach-Object { "session: $_" }; "after: $?"' }
        @{ Name = 'New-PSSession assigned'; Diagnosis = 'any'; Script = '$s = New-PSSession -ComputerName 127.0.0.1 -Port $ClosedPort; "after: $? $($null -eq $s)"' }
        @{ Name = 'New-PSSession under Set-StrictMode -Version Latest'; Diagnosis = 'any'; Script = 'Set-StrictMode -Version Latest; New-PSSession -ComputerName 127.0.0.1 -Port $ClosedPort; "after: $?"; Invoke-Command -ScriptBlock { 1 }' }
        @{ Name = 'a recognised error under Set-StrictMode -Version Latest'; Diagnosis = 'expected'; Script = 'Set-StrictMode -Version Latest; Connect-CsodFake -ComputerName 10.10.1.3; "after: $?"' }
        @{ Name = 'a recognised terminating error under Set-StrictMode -Version Latest'; Diagnosis = 'expected'; Script = 'Set-StrictMode -Version Latest; try { Connect-CsodFake -ComputerName 10.10.1.3 -Terminating } catch { "caught: " + (Format-TestError $_) }' }
        @{ Name = 'a recognised non-terminating error'; Diagnosis = 'expected'; Script = 'Connect-CsodFake -ComputerName 10.10.1.3; "after: $?"' }
        @{ Name = 'a recognised non-terminating error, assigned'; Diagnosis = 'expected'; Script = '$s = Connect-CsodFake -ComputerName 10.10.1.3; "after: $? $($null -eq $s)"' }
        @{ Name = 'a recognised non-terminating error, -ErrorVariable'; Diagnosis = 'expected'; Script = 'Connect-CsodFake -ComputerName 10.10.1.3 -ErrorVariable ev; "after: $?"; "ev: " + (Format-TestErrorList $ev); "same exception: " + [object]::ReferenceEquals($ev[0].Exception, $global:CsodRaised)' }
        @{ Name = 'a recognised non-terminating error, -ErrorAction Stop in try/catch'; Diagnosis = 'expected'; Script = 'try { Connect-CsodFake -ComputerName 10.10.1.3 -ErrorAction Stop -ErrorVariable ev } catch { "caught: " + (Format-TestError $_); "same exception: " + [object]::ReferenceEquals($_.Exception, $global:CsodRaised) }; "ev: " + (Format-TestErrorList $ev)' }
        @{ Name = 'a recognised non-terminating error, -ErrorAction Stop'; Diagnosis = 'expected'; Script = 'Connect-CsodFake -ComputerName 10.10.1.3 -ErrorAction Stop; "after"' }
        @{ Name = 'a recognised non-terminating error, several targets piped in'; Diagnosis = 'expected'; Script = '"10.10.1.3", "ok", "10.10.1.4" | Connect-CsodFake; "after: $?"' }
        @{ Name = 'a recognised terminating error'; Diagnosis = 'expected'; Script = 'Connect-CsodFake -ComputerName 10.10.1.3 -Terminating; "after: $?"' }
        @{ Name = 'a recognised terminating error in try/catch'; Diagnosis = 'expected'; Script = 'try { Connect-CsodFake -ComputerName 10.10.1.3 -Terminating } catch { "caught: " + (Format-TestError $_); "same exception: " + [object]::ReferenceEquals($_.Exception, $global:CsodRaised) }' }
        @{ Name = 'a recognised error thrown by a script'; Diagnosis = 'expected'; Script = 'Connect-CsodFake -ComputerName 10.10.1.3 -Throw; "after"' }
        @{ Name = 'an error that is not a known problem'; Diagnosis = 'none'; Script = 'Connect-CsodFake -ComputerName 10.10.1.3 -Other; "after: $?"' }
        @{ Name = 'an error that is not a known problem, terminating'; Diagnosis = 'none'; Script = 'try { Connect-CsodFake -ComputerName 10.10.1.3 -Other -Terminating } catch { "caught: " + (Format-TestError $_) }' }
        @{ Name = 'an error of a command run by Invoke-Command'; Diagnosis = 'none'; Script = 'Invoke-Command -ScriptBlock { Get-Item -LiteralPath /nonexistent/csod-auto; "inside" }; "after: $?"' }
        @{ Name = 'a recognised error under -ErrorAction Ignore'; Diagnosis = 'none'; Script = 'Connect-CsodFake -ComputerName 10.10.1.3 -ErrorAction Ignore; "after: $?"' }
        @{ Name = 'a recognised error under -ErrorAction SilentlyContinue (silenced: no diagnosis)'; Diagnosis = 'none'; Script = 'Connect-CsodFake -ComputerName 10.10.1.3 -ErrorAction SilentlyContinue; "after: $?"' }
        @{ Name = 'a recognised terminating error with -ErrorAction SilentlyContinue (not silenced)'; Diagnosis = 'expected'; Script = 'Connect-CsodFake -ComputerName 10.10.1.3 -Terminating -ErrorAction SilentlyContinue; "after: $?"' }
        @{ Name = 'a successful command'; Diagnosis = 'none'; Script = '$r = Invoke-Command -ScriptBlock { 1; "two"; [pscustomobject]@{ A = 3 } }; "q: $?"; $r | ForEach-Object { ($_ | Out-String).Trim() }' }
        @{ Name = 'a successful command with pipeline input'; Diagnosis = 'none'; Script = '1, 2, 3 | Invoke-Command -ScriptBlock { $input | ForEach-Object { $_ * 2 } }; "q: $?"' }
        @{ Name = 'a successful command with -OutVariable'; Diagnosis = 'none'; Script = 'Invoke-Command -ScriptBlock { 7; 8 } -OutVariable ov | Out-Null; "q: $?"; "ov: $($ov -join ",")"' }
        @{ Name = 'a successful module function'; Diagnosis = 'none'; Script = '$r = Connect-CsodFake -ComputerName ok; "q: $?"; $r' }
    )
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-TestModule

    # A port nothing listens on: bound, read, released.
    $listener = New-Object System.Net.Sockets.TcpListener -ArgumentList ([System.Net.IPAddress]::Loopback), 0
    $listener.Start()
    $script:ClosedPort = $listener.LocalEndpoint.Port
    $listener.Stop()

    # Defined in each runspace: a module command that fails the way
    # New-PSSession does when the target is an IP address outside
    # TrustedHosts (the real message, exception type, WinRM error code and
    # FullyQualifiedErrorId: tests/samples/remoting/en.json, FACTS-remoting),
    # and the formatting of errors for comparison.
    $script:RunspaceSetup = @'
param([string] $Manifest, [bool] $Wrapped, [int] $Port)
$ClosedPort = $Port
Import-Module $Manifest -ErrorAction Stop
$null = New-Module -Name CsodFakeRemoting -ScriptBlock {
    function Connect-CsodFake {
        [CmdletBinding()]
        param(
            [Parameter(ValueFromPipeline = $true)] [string] $ComputerName,
            [switch] $Other,
            [switch] $Terminating,
            [switch] $Throw
        )
        process {
            if ($ComputerName -eq 'ok') { return [pscustomobject]@{ ComputerName = $ComputerName; State = 'Opened' } }
            if ($Other) {
                # Not a connection problem: no known problem matches it.
                $exception = New-Object System.InvalidOperationException -ArgumentList 'The quota of the mailbox was exceeded.'
                $global:CsodRaised = $exception
                $record = New-Object System.Management.Automation.ErrorRecord -ArgumentList $exception, 'MailboxQuotaExceeded', 'QuotaExceeded', $ComputerName
                if ($Terminating) { $PSCmdlet.ThrowTerminatingError($record) }
                $PSCmdlet.WriteError($record)
                return
            }
            $Message = "[$ComputerName] Connecting to remote server $ComputerName failed with the following error message : The WinRM client cannot process the request. Default authentication may be used with an IP address under the following conditions: the transport is HTTPS or the destination is in the TrustedHosts list, and explicit credentials are provided. Use winrm.cmd to configure TrustedHosts. Note that computers in the TrustedHosts list might not be authenticated. For more information on how to set TrustedHosts run the following command: winrm help config. For more information, see the about_Remote_Troubleshooting Help topic."
            $exception = New-Object System.Management.Automation.Remoting.PSRemotingTransportException -ArgumentList $Message
            $exception.ErrorCode = -2144108101
            $global:CsodRaised = $exception
            if ($Throw) { throw $exception }
            $record = New-Object System.Management.Automation.ErrorRecord -ArgumentList $exception, 'CannotUseIPAddress,PSSessionOpenFailed', 'OpenError', $ComputerName
            if ($Terminating) { $PSCmdlet.ThrowTerminatingError($record) }
            $PSCmdlet.WriteError($record)
        }
    }
} | Import-Module -Global
function global:Format-TestError {
    param([object] $Item)
    if ($Item -is [System.Management.Automation.ErrorRecord]) {
        $i = $Item.InvocationInfo
        $where = if ($i) { '{0}:{1}:{2} {3}' -f $i.ScriptLineNumber, $i.OffsetInLine, $i.MyCommand, ($i.PositionMessage -replace '\s+', ' ') } else { '-' }
        return ('{0} | {1} | {2} | {3} | {4} | {5}' -f $Item.FullyQualifiedErrorId, $Item.Exception.GetType().FullName, $Item.CategoryInfo.Category, $where, $Item.TargetObject, $Item.Exception.Message)
    }
    if ($Item -is [System.Exception]) {
        $inner = if ($Item -is [System.Management.Automation.IContainsErrorRecord]) { Format-TestError $Item.ErrorRecord } else { $Item.Message }
        return ('{0} -> {1}' -f $Item.GetType().FullName, $inner)
    }
    [string]$Item
}
function global:Format-TestErrorList {
    param([object] $List)
    '{0} item(s): {1}' -f @($List).Count, ((@($List) | ForEach-Object { Format-TestError $_ }) -join ' || ')
}
if ($Wrapped) {
    # Twice, as a profile and a script might: the defaults, then one more name.
    Enable-CsOnlineConnectorAutoDiagnosis -Quiet
    Enable-CsOnlineConnectorAutoDiagnosis -Quiet -Command Connect-CsodFake
}
$Error.Clear()
'@

    function Invoke-AutoCase {
        # Runs a script in a fresh runspace; returns what can be compared.
        param([string] $Script, [switch] $Wrapped, [string] $Before = '')
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript($script:RunspaceSetup).AddArgument($script:Manifest).AddArgument([bool]$Wrapped).AddArgument($script:ClosedPort).Invoke()
            if ($ps.Streams.Error.Count -gt 0) { throw ('setup failed: {0}' -f $ps.Streams.Error[0]) }
            $ps.Commands.Clear()
            if ($Before) { $null = $ps.AddScript($Before).Invoke(); $ps.Commands.Clear() }
            $ps.Streams.ClearStreams()
            $null = $ps.AddScript($Script)
            $output = @()
            $escaped = $null
            try {
                $output = @($ps.Invoke() | ForEach-Object { [string]$_ })
            } catch {
                $e = $_.Exception
                while ($e -is [System.Management.Automation.MethodInvocationException] -and $e.InnerException) { $e = $e.InnerException }
                $escaped = $e
            }
            $errors = @($ps.Streams.Error)
            $information = @($ps.Streams.Information)
            $ps.Commands.Clear()
            $null = $ps.AddScript('param($x) if ($null -ne $x) { Format-TestError $x }').AddArgument($escaped)
            $escapedText = @($ps.Invoke()) -join ''
            $ps.Commands.Clear()
            $null = $ps.AddScript('param($e) $e | ForEach-Object { Format-TestError $_ }').AddArgument($errors)
            $errorTexts = @($ps.Invoke() | ForEach-Object { [string]$_ })
            $ps.Commands.Clear()
            $dollarError = @($ps.AddScript('$Error | ForEach-Object { Format-TestError $_ }').Invoke() | ForEach-Object { [string]$_ })
            $ps.Commands.Clear()
            # What the connection doctor says about the first error raised.
            $known = @($ps.AddScript('$r = $Error | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] -or $_ -is [System.Management.Automation.IContainsErrorRecord] } | Select-Object -Last 1; if ($r -isnot [System.Management.Automation.ErrorRecord] -and $null -ne $r) { $r = $r.ErrorRecord }; if ($r) { (Test-CsOnlineConnector -ErrorRecord $r -TimeoutSec 3).Problem }').Invoke() | Where-Object { $_ })
            [pscustomobject]@{
                Output      = $output
                Escaped     = $escapedText
                Errors      = $errorTexts
                DollarError = $dollarError
                Information = $information
                Diagnoses   = @($information | Where-Object { @($_.Tags) -contains 'AutoDiagnosis' })
                Known       = $(if ($known.Count -gt 0) { [string]$known[0] } else { $null })
            }
        } finally {
            $ps.Dispose()
        }
    }

    function Get-CompletionText {
        param([string] $Line)
        @((TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches | ForEach-Object CompletionText)
    }
}

AfterAll {
    Disable-CsOnlineConnectorAutoDiagnosis -Quiet -ErrorAction SilentlyContinue
}

Describe 'Auto-diagnosis: the error is raised unchanged, the diagnosis is on the information stream' {
    It '<Name>' -ForEach $script:ErrorCases {
        $plain = Invoke-AutoCase -Script $Script
        $wrapped = Invoke-AutoCase -Script $Script -Wrapped
        $wrapped.Output | Should -Be $plain.Output
        $wrapped.Escaped | Should -Be $plain.Escaped
        $wrapped.Errors | Should -Be $plain.Errors
        $wrapped.DollarError | Should -Be $plain.DollarError
        $plain.Diagnoses.Count | Should -Be 0
        switch ($Diagnosis) {
            'expected' {
                $plain.Known | Should -Not -BeNullOrEmpty -Because 'the case is built on a recognised error'
                $wrapped.Diagnoses.Count | Should -Be 1
                @($wrapped.Diagnoses[0].Tags) | Should -Contain $plain.Known
                $wrapped.Diagnoses[0].MessageData.Diagnosis.Problem | Should -Be $plain.Known
                [string]$wrapped.Diagnoses[0].MessageData | Should -Match ([regex]::Escape($wrapped.Diagnoses[0].MessageData.Diagnosis.Title))
            }
            'none' {
                if ($Name -notmatch 'Ignore|silenced|successful|Invoke-Command') {
                    $plain.Known | Should -BeNullOrEmpty -Because 'the case is built on an error no problem matches'
                }
                $wrapped.Diagnoses.Count | Should -Be 0
            }
            'any' {
                if ($plain.Known) {
                    $wrapped.Diagnoses.Count | Should -Be 1
                    @($wrapped.Diagnoses[0].Tags) | Should -Contain $plain.Known
                } else {
                    $wrapped.Diagnoses.Count | Should -Be 0
                }
            }
        }
        # Nothing but the diagnoses on the information stream.
        $wrapped.Information.Count | Should -Be $wrapped.Diagnoses.Count
    }

    It 'a wrapped cmdlet runs in the caller''s scope (Set-Variable, -Scope 1, Import-Module), as unwrapped' {
        $script = @'
& {
    Set-Variable -Name sv -Value 'local'
    function Set-InCaller { Set-Variable -Name up -Value 'one up' -Scope 1 }
    Set-InCaller
    New-Module -Name CsodScopeMod -ScriptBlock { function Get-CsodScopeMod { 'imported' } } | Import-Module
    "inner: sv=$sv up=$up mod=$(Get-CsodScopeMod)"
}
"outer: sv=$sv up=$up"
Set-Variable -Name top -Value 'top'; "top=$top"
Get-Variable -Name sv -Scope 0 -ErrorAction SilentlyContinue
'@
        $plain = Invoke-AutoCase -Script $script
        $wrapped = Invoke-AutoCase -Script $script -Wrapped -Before 'Enable-CsOnlineConnectorAutoDiagnosis -Quiet -Command Set-Variable, Import-Module'
        $plain.Output | Should -Be @('inner: sv=local up=one up mod=imported', 'outer: sv= up=', 'top=top')
        $wrapped.Output | Should -Be $plain.Output
        $wrapped.Errors | Should -Be $plain.Errors
    }

    It 'the statement-terminating case is not script-terminating (the comparison above would not see a difference if both stopped)' {
        $plain = Invoke-AutoCase -Script 'Connect-CsodFake -ComputerName 10.10.1.3 -Terminating; "after: $?"'
        $plain.Output | Should -Be @('after: False')
        $plain.Escaped | Should -BeNullOrEmpty
        $stop = Invoke-AutoCase -Script 'Connect-CsodFake -ComputerName 10.10.1.3 -ErrorAction Stop; "after"'
        $stop.Output | Should -BeNullOrEmpty
        $stop.Escaped | Should -Match 'ActionPreferenceStopException'
    }

    It 'a real New-PSSession failure on this machine is recognised (the diagnosis cases above are not vacuous)' {
        $plain = Invoke-AutoCase -Script 'New-PSSession -ComputerName 127.0.0.1 -Port $ClosedPort -ErrorAction Stop'
        $wrapped = Invoke-AutoCase -Script 'New-PSSession -ComputerName 127.0.0.1 -Port $ClosedPort -ErrorAction Stop' -Wrapped
        Write-Host ('    New-PSSession to 127.0.0.1:{0}: {1}; diagnosis: {2}' -f $script:ClosedPort, (@($plain.Errors + $plain.Escaped) -split ' \| ')[0], $plain.Known)
        $plain.Known | Should -Not -BeNullOrEmpty
        @($wrapped.Diagnoses[0].Tags) | Should -Contain $plain.Known
    }

    It 'the diagnosis can be captured with 6>&1 and -InformationVariable, not in the output' {
        $r = Invoke-AutoCase -Wrapped -Script @'
$s = Connect-CsodFake -ComputerName 10.10.1.3 -InformationVariable iv 2>$null
"output: $(@($s).Count)"
"iv: " + (@($iv | ForEach-Object { $_.Tags -join ',' }) -join ';')
$merged = Connect-CsodFake -ComputerName 10.10.1.3 2>$null 6>&1
"merged: " + (@($merged | ForEach-Object { $_.GetType().Name + ':' + ($_.Tags -join ',') }) -join ';')
'@
        $r.Output[0] | Should -Be 'output: 0'
        $r.Output[1] | Should -Be 'iv: CsOnlineDiagnostics,AutoDiagnosis,trustedhosts_required'
        $r.Output[2] | Should -Be 'merged: InformationRecord:CsOnlineDiagnostics,AutoDiagnosis,trustedhosts_required'
    }

    It '-InformationAction Ignore and $InformationPreference = Ignore turn the diagnosis off' {
        $r = Invoke-AutoCase -Wrapped -Script 'Connect-CsodFake -ComputerName 10.10.1.3 -InformationAction Ignore; $InformationPreference = "Ignore"; Connect-CsodFake -ComputerName 10.10.1.4'
        $r.Diagnoses.Count | Should -Be 0
        $r.Errors.Count | Should -Be 2
        $on = Invoke-AutoCase -Wrapped -Script 'Connect-CsodFake -ComputerName 10.10.1.3 -InformationAction SilentlyContinue'
        $on.Diagnoses.Count | Should -Be 1
    }

    It 'writes the diagnosis in the language given to -Language' {
        $r = Invoke-AutoCase -Wrapped -Before 'Enable-CsOnlineConnectorAutoDiagnosis -Quiet -Language fr-CA' -Script 'Connect-CsodFake -ComputerName 10.10.1.3 2>$null'
        $title = (Get-CsOnlineConnectorProblem -Id trustedhosts_required -Language fr).Title
        $r.Diagnoses.Count | Should -Be 1
        $r.Diagnoses[0].MessageData.Diagnosis.Language | Should -Be 'fr'
        [string]$r.Diagnoses[0].MessageData | Should -Match ([regex]::Escape($title))
        [string]$r.Diagnoses[0].MessageData | Should -Match ('Connect-CsodFake a ' + [char]0x00E9 + 'chou' + [char]0x00E9)
    }

    It 'a failure of the diagnosis itself is swallowed: the error and $Error are as unwrapped, nothing is shown' {
        $script = 'Connect-CsodFake -ComputerName 10.10.1.3; "after: $?"; try { Connect-CsodFake -ComputerName 10.10.1.3 -Terminating } catch { "caught: " + (Format-TestError $_) }'
        $plain = Invoke-AutoCase -Script $script
        $broken = Invoke-AutoCase -Wrapped -Script $script -Before '& (Get-Module CsOnlineDiagnostics) { function script:Test-CsOnlineConnector { throw "the diagnosis broke" } }'
        $broken.Output | Should -Be $plain.Output
        $broken.Errors | Should -Be $plain.Errors
        $broken.DollarError | Should -Be $plain.DollarError
        $broken.Diagnoses.Count | Should -Be 0
    }
}

Describe 'Auto-diagnosis: the wrapped command keeps its interface' {
    BeforeAll {
        $script:Cmdlet = Get-Command -Name 'Microsoft.PowerShell.Core\New-PSSession' -CommandType Cmdlet
        $script:PlainHelp = (Get-Help New-PSSession -Parameter ComputerName | Out-String).Trim()
        $script:PlainParameterCompletion = Get-CompletionText 'New-PSSession -Comp'
        $script:PlainValueCompletion = Get-CompletionText 'New-PSSession -Authentication '
        Enable-CsOnlineConnectorAutoDiagnosis -Quiet
    }

    AfterAll {
        Disable-CsOnlineConnectorAutoDiagnosis -Quiet
    }

    It 'New-PSSession is now an alias to a proxy function with the cmdlet''s parameters and parameter sets' {
        $alias = Get-Command New-PSSession
        $alias.CommandType | Should -Be 'Alias'
        $proxy = $alias.ResolvedCommand
        $proxy.CommandType | Should -Be 'Function'
        $proxy.Name | Should -Be 'CsodAutoDiagnosis.New-PSSession'
        @($proxy.Parameters.Keys | Sort-Object) | Should -Be @($script:Cmdlet.Parameters.Keys | Sort-Object)
        @($proxy.ParameterSets.Name | Sort-Object) | Should -Be @($script:Cmdlet.ParameterSets.Name | Sort-Object)
        $proxy.DefaultParameterSet | Should -Be $script:Cmdlet.DefaultParameterSet
    }

    It 'Get-Help New-PSSession -Parameter ComputerName shows the cmdlet''s help' {
        $help = (Get-Help New-PSSession -Parameter ComputerName | Out-String).Trim()
        $help | Should -Not -BeNullOrEmpty
        $help | Should -Match 'ComputerName'
        $help | Should -Be $script:PlainHelp
    }

    It 'tab completion of parameter names and values is unchanged' {
        $script:PlainParameterCompletion | Should -Contain '-ComputerName'
        Get-CompletionText 'New-PSSession -Comp' | Should -Be $script:PlainParameterCompletion
        $script:PlainValueCompletion | Should -Contain 'Negotiate'
        Get-CompletionText 'New-PSSession -Authentication ' | Should -Be $script:PlainValueCompletion
    }

    It 'Get-CsOnlineConnectorAutoDiagnosis lists each command once, wrapped or waiting' {
        Enable-CsOnlineConnectorAutoDiagnosis -Quiet
        $rows = @(Get-CsOnlineConnectorAutoDiagnosis)
        @($rows | Where-Object Command -eq 'New-PSSession').Count | Should -Be 1
        ($rows | Where-Object Command -eq 'New-PSSession').Status | Should -Be 'Wrapped'
        ($rows | Where-Object Command -eq 'New-PSSession').Source | Should -Be 'Microsoft.PowerShell.Core'
        ($rows | Where-Object Command -eq 'Invoke-Command').Status | Should -Be 'Wrapped'
        @($rows.Command | Sort-Object) | Should -Be @(& (Get-Module CsOnlineDiagnostics) { Get-CsodAutoDefaultCommands } | Sort-Object)
        # The connection cmdlets come from the library's facts.json.
        $rows.Command | Should -Contain 'Connect-ExchangeOnline'
        $rows.Command | Should -Contain 'New-CsOnlineSession'
        foreach ($row in $rows | Where-Object Status -ne 'Wrapped') {
            $row.Status | Should -Be 'Waiting'
            Get-Command -Name $row.Command -ListImported -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        }
    }
}

Describe 'Auto-diagnosis: Disable and Remove-Module restore the original commands' {
    BeforeEach {
        $script:Fake = New-Module -Name CsodRestoreFake -ScriptBlock {
            function Connect-CsodRestore { [CmdletBinding()] param([string] $Name) "original $Name" }
        } | Import-Module -Global -PassThru
    }

    AfterEach {
        if (-not (Get-Module CsOnlineDiagnostics)) { Import-TestModule }
        Disable-CsOnlineConnectorAutoDiagnosis -Quiet
        Remove-Module CsodRestoreFake -ErrorAction SilentlyContinue
    }

    It 'Disable-CsOnlineConnectorAutoDiagnosis puts the cmdlet and the module function back' {
        $before = Get-Command Connect-CsodRestore
        Enable-CsOnlineConnectorAutoDiagnosis -Quiet -Command New-PSSession, Connect-CsodRestore
        (Get-Command New-PSSession).CommandType | Should -Be 'Alias'
        (Get-Command Connect-CsodRestore).CommandType | Should -Be 'Alias'
        Connect-CsodRestore -Name x | Should -Be 'original x'
        Disable-CsOnlineConnectorAutoDiagnosis -Quiet
        (Get-Command New-PSSession).CommandType | Should -Be 'Cmdlet'
        (Get-Command New-PSSession).Source | Should -Be 'Microsoft.PowerShell.Core'
        $after = Get-Command Connect-CsodRestore
        $after.CommandType | Should -Be 'Function'
        $after.Source | Should -Be 'CsodRestoreFake'
        [object]::ReferenceEquals($after, $before) | Should -BeTrue
        Get-Command -Name 'CsodAutoDiagnosis.*' -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        Connect-CsodRestore -Name y | Should -Be 'original y'
        Get-CsOnlineConnectorAutoDiagnosis | Should -BeNullOrEmpty
        # The module function still goes with its module.
        Remove-Module CsodRestoreFake
        Get-Command Connect-CsodRestore -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'Remove-Module CsOnlineDiagnostics puts the original commands back' {
        Enable-CsOnlineConnectorAutoDiagnosis -Quiet -Command New-PSSession, Connect-CsodRestore
        (Get-Command New-PSSession).CommandType | Should -Be 'Alias'
        Remove-Module CsOnlineDiagnostics
        (Get-Command New-PSSession).CommandType | Should -Be 'Cmdlet'
        (Get-Command Connect-CsodRestore).Source | Should -Be 'CsodRestoreFake'
    }

    It 'Import-Module -Force of CsOnlineDiagnostics puts the original commands back' {
        Enable-CsOnlineConnectorAutoDiagnosis -Quiet -Command New-PSSession
        Import-TestModule
        (Get-Command New-PSSession).CommandType | Should -Be 'Cmdlet'
    }

    It 'leaves alone a function defined outside any module, and says so' {
        function global:Connect-CsodLocal { 'local' }
        try {
            Enable-CsOnlineConnectorAutoDiagnosis -Command Connect-CsodLocal -InformationVariable iv -InformationAction SilentlyContinue
            ($iv | Out-String) | Should -Match 'Not wrapped: Connect-CsodLocal'
            (Get-CsOnlineConnectorAutoDiagnosis | Where-Object Command -eq 'Connect-CsodLocal').Status | Should -Be 'Skipped'
            Connect-CsodLocal | Should -Be 'local'
            (Get-Command Connect-CsodLocal).ScriptBlock.ToString().Trim() | Should -Be "'local'"
        } finally {
            Remove-Item function:Connect-CsodLocal -ErrorAction SilentlyContinue
        }
    }

    It 'answers in English with one warning for a language the library has no texts in (as the other commands)' {
        try {
            Enable-CsOnlineConnectorAutoDiagnosis -Quiet -Language xx -WarningVariable warnings -WarningAction SilentlyContinue
            @($warnings).Count | Should -Be 1
            $warnings[0].Message | Should -Match '"xx"'
            @(Get-CsOnlineConnectorAutoDiagnosis | Where-Object { $_.Language -and $_.Language -ne 'en' }).Count | Should -Be 0
        } finally {
            Disable-CsOnlineConnectorAutoDiagnosis
        }
    }
}

Describe 'Auto-diagnosis: a module imported later' {
    It 'a wrapped cmdlet whose alias was removed is shown Displaced, and Enable wraps it again' {
        $r = Invoke-AutoCase -Wrapped -Script @'
Remove-Item -LiteralPath alias:\New-PSSession
"removed: " + (Get-CsOnlineConnectorAutoDiagnosis | Where-Object Command -eq 'New-PSSession').Status + " " + (Get-Command New-PSSession).CommandType
Enable-CsOnlineConnectorAutoDiagnosis -Quiet
"enabled: " + (Get-CsOnlineConnectorAutoDiagnosis | Where-Object Command -eq 'New-PSSession').Status + " " + (Get-Command New-PSSession).CommandType
'@
        $r.Output | Should -Be @('removed: Displaced Cmdlet', 'enabled: Wrapped Alias')
    }

    It 'a wrapped module function whose module is imported again is wrapped again when next used' {
        $r = Invoke-AutoCase -Wrapped -Script @'
Remove-Module CsodFakeRemoting
New-Module -Name CsodFakeRemoting -ScriptBlock { function Connect-CsodFake { [CmdletBinding()] param([string] $ComputerName) "second module: $ComputerName" } } | Import-Module -Global
"status: " + (Get-CsOnlineConnectorAutoDiagnosis | Where-Object Command -eq 'Connect-CsodFake').Status
Connect-CsodFake -ComputerName x
"status: " + (Get-CsOnlineConnectorAutoDiagnosis | Where-Object Command -eq 'Connect-CsodFake').Status + " " + (Get-Command Connect-CsodFake).CommandType
'@
        $r.Output | Should -Be @('status: Displaced', 'second module: x', 'status: Wrapped Alias')
    }

    It 'a command of a module not loaded at Enable is wrapped when first used, and diagnosed' {
        $root = Join-Path $TestDrive 'modules'
        $dir = Join-Path $root 'CsodLater'
        New-Item -ItemType Directory -Path $dir -Force | Out-Null
        Set-Content -Path (Join-Path $dir 'CsodLater.psd1') -Value "@{ RootModule = 'CsodLater.psm1'; ModuleVersion = '1.0'; GUID = '0b8f6c2e-4f5e-4a53-9d3c-6d1f0e2a7b41'; FunctionsToExport = @('Connect-CsodLater') }"
        Set-Content -Path (Join-Path $dir 'CsodLater.psm1') -Value @'
function Connect-CsodLater {
    [CmdletBinding()] param([string] $ComputerName)
    $message = "[$ComputerName] Connecting to remote server $ComputerName failed with the following error message : The WinRM client cannot process the request. Default authentication may be used with an IP address under the following conditions: the transport is HTTPS or the destination is in the TrustedHosts list, and explicit credentials are provided. Use winrm.cmd to configure TrustedHosts. Note that computers in the TrustedHosts list might not be authenticated. For more information on how to set TrustedHosts run the following command: winrm help config. For more information, see the about_Remote_Troubleshooting Help topic."
    $exception = New-Object System.Management.Automation.Remoting.PSRemotingTransportException -ArgumentList $message
    $PSCmdlet.WriteError((New-Object System.Management.Automation.ErrorRecord -ArgumentList $exception, 'CannotUseIPAddress,PSSessionOpenFailed', 'OpenError', $ComputerName))
}
'@
        $sep = [System.IO.Path]::PathSeparator
        $r = Invoke-AutoCase -Wrapped -Before 'Enable-CsOnlineConnectorAutoDiagnosis -Quiet -Command Connect-CsodLater' -Script (@'
"before: " + (Get-CsOnlineConnectorAutoDiagnosis | Where-Object Command -eq 'Connect-CsodLater').Status
"loaded before: " + [bool](Get-Module CsodLater)
$env:PSModulePath = '{0}' + '{1}' + $env:PSModulePath
Connect-CsodLater -ComputerName 10.10.1.3 2>$null
"loaded after: " + [bool](Get-Module CsodLater)
$row = Get-CsOnlineConnectorAutoDiagnosis | Where-Object Command -eq 'Connect-CsodLater'
"after: " + $row.Status + " " + $row.Source
'@ -f $root, $sep)
        $r.Output | Should -Be @('before: Waiting', 'loaded before: False', 'loaded after: True', 'after: Wrapped CsodLater')
        $r.Diagnoses.Count | Should -Be 1
        @($r.Diagnoses[0].Tags) | Should -Contain 'trustedhosts_required'
    }

    It 'says which commands wait for their module and what to re-run' {
        $r = Invoke-AutoCase -Script 'Enable-CsOnlineConnectorAutoDiagnosis -Command New-PSSession, Connect-CsodNowhere'
        ($r.Information | Out-String) | Should -Match 'on for: New-PSSession'
        ($r.Information | Out-String) | Should -Match 'first used \(not loaded yet\): Connect-CsodNowhere'
        ($r.Information | Out-String) | Should -Match 'run Enable-CsOnlineConnectorAutoDiagnosis again after importing its module'
    }
}

Describe 'Auto-diagnosis: help' {
    It '<_> has a synopsis, a description, examples and links' -ForEach @('Enable-CsOnlineConnectorAutoDiagnosis', 'Disable-CsOnlineConnectorAutoDiagnosis', 'Get-CsOnlineConnectorAutoDiagnosis') {
        $help = Get-Help $_ -Full
        $help.Synopsis | Should -Not -BeNullOrEmpty
        ($help.Description | Out-String).Trim() | Should -Not -BeNullOrEmpty
        @($help.Examples.Example).Count | Should -BeGreaterOrEqual 3
        $help.relatedLinks | Should -Not -BeNullOrEmpty
        foreach ($ex in $help.Examples.Example) {
            $errors = $null
            [void][System.Management.Automation.Language.Parser]::ParseInput($ex.Code, [ref]$null, [ref]$errors)
            $errors | Should -BeNullOrEmpty -Because $ex.Code
        }
    }

    It 'Enable-CsOnlineConnectorAutoDiagnosis shows the profile line' {
        $code = (Get-Help Enable-CsOnlineConnectorAutoDiagnosis -Examples).Examples.Example | ForEach-Object { $_.Code }
        ($code | Where-Object { $_ -match '\$PROFILE' -and $_ -match 'Enable-CsOnlineConnectorAutoDiagnosis' }) | Should -Not -BeNullOrEmpty
    }
}
