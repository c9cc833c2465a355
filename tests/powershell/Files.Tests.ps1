# Issue 14: only regular files are read. A FIFO, a socket or a device named
# by -Path / -LiteralPath or piped from Get-ChildItem is one clear
# non-terminating error (CsodNotRegularFile, InvalidType) and never a hang:
# opening a FIFO for reading blocks until a writer comes, /dev/zero never
# ends. Each case runs in a child pwsh with a hang guard (killed after 60 s).

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-TestModule

    function Invoke-BoundedPwsh {
        # A command in a fresh scripts/pwsh, killed when it runs longer than
        # $Seconds (the old module hung forever on a FIFO). Returns its
        # output lines, whether it finished, and how long it took.
        param([string] $Command, [int] $Seconds = 60)
        $psi = [System.Diagnostics.ProcessStartInfo]::new($script:PwshWrapper)
        foreach ($a in '-NoProfile', '-NonInteractive', '-Command', ('$PSStyle.OutputRendering = "PlainText"; ' + $Command)) { $psi.ArgumentList.Add($a) }
        $psi.RedirectStandardOutput = $true
        $psi.RedirectStandardError = $true
        $psi.UseShellExecute = $false
        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        $p = [System.Diagnostics.Process]::Start($psi)
        $out = $p.StandardOutput.ReadToEndAsync()
        $err = $p.StandardError.ReadToEndAsync()
        $done = $p.WaitForExit($Seconds * 1000)
        if (-not $done) {
            $p.Kill($true)
            $p.WaitForExit()
        }
        [pscustomobject]@{
            Finished = $done
            Seconds  = $watch.Elapsed.TotalSeconds
            Output   = ($out.Result + $err.Result) -split "`n"
            Text     = $out.Result + $err.Result
        }
    }

    $script:Dir = Join-Path $TestDrive 'special'
    New-Item -ItemType Directory -Path $script:Dir | Out-Null
    $script:Good = Join-Path $script:Dir 'good.log'
    Set-Content -LiteralPath $script:Good -Value @('PS C:\> .\nightly.ps1', 'Import-Module : File C:\m\x.psm1 cannot be loaded because running scripts is disabled on this system.')
    $script:Fifo = Join-Path $script:Dir 'pipe.log'
    & mkfifo $script:Fifo
    $LASTEXITCODE | Should -Be 0
    $script:Socket = Join-Path $script:Dir 'socket.log'
    $script:SocketHandle = [System.Net.Sockets.Socket]::new([System.Net.Sockets.AddressFamily]::Unix, [System.Net.Sockets.SocketType]::Stream, [System.Net.Sockets.ProtocolType]::Unspecified)
    $script:SocketHandle.Bind([System.Net.Sockets.UnixDomainSocketEndPoint]::new($script:Socket))
    # Each child prints one line per result and per error.
    $script:Report = 'Import-Module ''{0}''; $r = @({1} -ErrorVariable ev -ErrorAction SilentlyContinue); foreach ($x in $r) {{ "result " + $x.Path + " " + $x.HitCount }}; foreach ($e in $ev) {{ "error " + $e.FullyQualifiedErrorId + " " + $e.CategoryInfo.Category + " " + $e.TargetObject }}; "done"'
}

AfterAll {
    $script:SocketHandle.Dispose()
}

Describe 'Only regular files are read' {
    It 'the test files are what they claim (a FIFO, a socket, devices)' {
        $kind = { param($p) & (Get-Module CsOnlineDiagnostics) { param($q) $script:CsodNative.Type::FileKind($q) } $p }
        & $kind $script:Fifo | Should -Be 3
        & $kind $script:Socket | Should -Be 3
        & $kind '/dev/zero' | Should -Be 3
        & $kind $script:Good | Should -Be 1
        & $kind $script:Dir | Should -Be 2
        (Get-Item -LiteralPath $script:Fifo).Length | Should -Be 0
    }

    It '<Name>: one CsodNotRegularFile error, the other files still scanned, no hang' -ForEach @(
        @{ Name = '-LiteralPath on a FIFO'; Call = 'Test-CsOnlineConnector -LiteralPath ''{0}'', ''{1}'''; Bad = 'Fifo' }
        @{ Name = '-Path on a FIFO'; Call = 'Test-CsOnlineConnector -Path ''{0}'', ''{1}'''; Bad = 'Fifo' }
        @{ Name = '-LiteralPath on a socket'; Call = 'Test-CsOnlineConnector -LiteralPath ''{0}'', ''{1}'''; Bad = 'Socket' }
        @{ Name = '-LiteralPath on /dev/zero'; Call = 'Test-CsOnlineConnector -LiteralPath ''{0}'', ''{1}'''; Bad = 'Zero' }
        @{ Name = 'Get-Item of a FIFO piped'; Call = 'Get-Item -LiteralPath ''{0}'', ''{1}'' | Test-CsOnlineConnector'; Bad = 'Fifo' }
    ) {
        $bad = switch ($Bad) { 'Fifo' { $script:Fifo } 'Socket' { $script:Socket } 'Zero' { '/dev/zero' } }
        $call = $Call -f $bad, $script:Good
        $r = Invoke-BoundedPwsh -Command ($script:Report -f $script:Manifest, $call)
        $r.Finished | Should -BeTrue -Because "the child must not hang ($($r.Seconds) s): $($r.Text)"
        $r.Text | Should -Match 'done'
        @($r.Output | Where-Object { $_ -like 'error *' }) | Should -Be @("error CsodNotRegularFile,Test-CsOnlineConnector InvalidType $bad")
        @($r.Output | Where-Object { $_ -like 'result *' }) | Should -Be @("result $($script:Good) 1")
    }

    It 'a folder scanned with a wildcard (Get-ChildItem | ...) skips nothing but the FIFO and the socket, with one error each' {
        $call = 'Get-ChildItem -LiteralPath ''{0}'' | Test-CsOnlineConnector' -f $script:Dir
        $r = Invoke-BoundedPwsh -Command ($script:Report -f $script:Manifest, $call)
        $r.Finished | Should -BeTrue -Because $r.Text
        @($r.Output | Where-Object { $_ -like 'error *' } | Sort-Object) | Should -Be @("error CsodNotRegularFile,Test-CsOnlineConnector InvalidType $($script:Fifo)", "error CsodNotRegularFile,Test-CsOnlineConnector InvalidType $($script:Socket)")
        @($r.Output | Where-Object { $_ -like 'result *' }) | Should -Be @("result $($script:Good) 1")
        $wild = Invoke-BoundedPwsh -Command ($script:Report -f $script:Manifest, ('Test-CsOnlineConnector -Path ''{0}''' -f (Join-Path $script:Dir '*.log')))
        $wild.Finished | Should -BeTrue -Because $wild.Text
        @($wild.Output | Where-Object { $_ -like 'error *' }).Count | Should -Be 2
        @($wild.Output | Where-Object { $_ -like 'result *' }) | Should -Be @("result $($script:Good) 1")
    }
}
