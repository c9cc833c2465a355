# Issue 14: Ctrl-C stops a running check at once. A real black-holed
# listener on 127.0.0.1 (its accept queue full, so the kernel drops new
# SYNs and a connect waits for its whole timeout), a health check or a
# diagnosis with -TimeoutSec 20 running in a PowerShell instance, and
# PowerShell.Stop() called from another thread while the probes wait. The
# module cancels the native call (csod_diagnose_cancellable): the pipeline
# stops in well under a second instead of waiting out the probe.
# (The figure is printed; scripts/bench measures it against 500 ms.)

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-TestModule

    function New-BlackHole {
        # A listener with the smallest backlog whose queue is filled: new
        # connects time out. Returns the listener, the clients and the port.
        $l = [System.Net.Sockets.Socket]::new([System.Net.Sockets.AddressFamily]::InterNetwork, [System.Net.Sockets.SocketType]::Stream, [System.Net.Sockets.ProtocolType]::Tcp)
        $l.Bind([System.Net.IPEndPoint]::new([System.Net.IPAddress]::Loopback, 0))
        $l.Listen(0)
        $port = $l.LocalEndPoint.Port
        $fill = [System.Collections.Generic.List[object]]::new()
        for ($i = 0; $i -lt 16; $i++) {
            $c = [System.Net.Sockets.Socket]::new([System.Net.Sockets.AddressFamily]::InterNetwork, [System.Net.Sockets.SocketType]::Stream, [System.Net.Sockets.ProtocolType]::Tcp)
            $t = $c.ConnectAsync([System.Net.IPAddress]::Loopback, $port)
            if (-not $t.Wait(300)) { $c.Dispose(); break }
            $fill.Add($c)
        }
        # It must really black-hole here: a new connect does not complete.
        $probe = [System.Net.Sockets.Socket]::new([System.Net.Sockets.AddressFamily]::InterNetwork, [System.Net.Sockets.SocketType]::Stream, [System.Net.Sockets.ProtocolType]::Tcp)
        $held = -not $probe.ConnectAsync([System.Net.IPAddress]::Loopback, $port).Wait(500)
        $probe.Dispose()
        [pscustomobject]@{ Listener = $l; Clients = $fill; Port = $port; Holds = $held }
    }

    function Stop-Running {
        # Runs $Script in a new PowerShell instance (with the module), waits
        # until the probes run (their progress record), stops the pipeline
        # from another thread (BeginStop) and returns how long the stop took.
        param([string] $Script, [string] $Status)
        $ps = [PowerShell]::Create()
        try {
            [void]$ps.AddScript(('$ProgressPreference = ''Continue''; Import-Module ''{0}''; ' -f $script:Manifest) + $Script)
            $started = [System.Diagnostics.Stopwatch]::StartNew()
            $async = $ps.BeginInvoke()
            while (-not ($ps.Streams.Progress | Where-Object { $_.StatusDescription -like $Status })) {
                if ($async.IsCompleted) { throw ('finished before the probes ran: ' + ($ps.Streams.Error | Out-String)) }
                if ($started.Elapsed.TotalSeconds -gt 60) { throw 'the probes never started' }
                Start-Sleep -Milliseconds 20
            }
            # The probes wait on the black hole now.
            Start-Sleep -Milliseconds 300
            $running = $started.Elapsed.TotalSeconds
            $watch = [System.Diagnostics.Stopwatch]::StartNew()
            $stop = $ps.BeginStop($null, $null)
            $stopped = $stop.AsyncWaitHandle.WaitOne(30000)
            $ps.EndStop($stop)
            $seconds = $watch.Elapsed.TotalSeconds
            [pscustomobject]@{
                Stopped  = $stopped
                Seconds  = $seconds
                RanFor   = $running
                State    = [string]$ps.InvocationStateInfo.State
                Instance = $ps
            }
        } catch {
            $ps.Dispose()
            throw
        }
    }

    $script:Hole = New-BlackHole
}

AfterAll {
    foreach ($c in $script:Hole.Clients) { $c.Dispose() }
    $script:Hole.Listener.Dispose()
}

Describe 'Ctrl-C (PowerShell.Stop) stops a running check at once' {
    It 'the listener black-holes connects on this machine' {
        $script:Hole.Holds | Should -BeTrue
    }

    It 'a health check with -TimeoutSec 20 on a black-holed endpoint' {
        $r = Stop-Running -Script ('Test-CsOnlineConnector -Endpoint ''hole=127.0.0.1:{0}'' -TimeoutSec 20' -f $script:Hole.Port) -Status '*probes*'
        try {
            Write-Host ('    health check stopped {0:n0} ms after PowerShell.Stop() (probes bounded at 20 s, running for {1:n1} s)' -f ($r.Seconds * 1000), $r.RanFor)
            $r.Stopped | Should -BeTrue
            $r.State | Should -Be 'Stopped'
            # A hang guard: without cancellation the stop waits ~20 s.
            $r.Seconds | Should -BeLessThan 3
            # The instance is usable again at once.
            $r.Instance.Commands.Clear()
            [void]$r.Instance.AddScript('(Get-CsOnlineConnectorProblem -Id logon_failed -Language en).Id')
            $r.Instance.Invoke() | Should -Be 'logon_failed'
        } finally {
            $r.Instance.Dispose()
        }
    }

    It 'a diagnosis of a caught error (its probes) with -TimeoutSec 20 on a black-holed endpoint' {
        $script = 'try {{ throw [System.Management.Automation.PSSecurityException]::new(''File C:\m\x.psm1 cannot be loaded because running scripts is disabled on this system.'') }} catch {{ $_ | Test-CsOnlineConnector -Endpoint ''hole=127.0.0.1:{0}'' -TimeoutSec 20 }}' -f $script:Hole.Port
        $r = Stop-Running -Script $script -Status '*relevant*'
        try {
            Write-Host ('    diagnosis stopped {0:n0} ms after PowerShell.Stop()' -f ($r.Seconds * 1000))
            $r.Stopped | Should -BeTrue
            $r.State | Should -Be 'Stopped'
            $r.Seconds | Should -BeLessThan 3
        } finally {
            $r.Instance.Dispose()
        }
    }

    It 'a check that is not stopped still waits for its probes (the black hole is real)' {
        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        $doc = Test-CsOnlineConnector -Endpoint ('hole=127.0.0.1:{0}' -f $script:Hole.Port) -TimeoutSec 1 -AsJson | ConvertFrom-Json
        $watch.Elapsed.TotalSeconds | Should -BeGreaterOrEqual 0.9
        ($doc.facts | Where-Object id -eq 'network.hole').value.tcp | Should -Be 'timeout'
    }
}
