# Test-CsOnlineConnector -Path / -LiteralPath: transcripts generated with the
# corpus errors planted at known lines (every text sample of tests/corpus,
# every language, the negatives too), written as Windows PowerShell 5.1 and
# PowerShell 7 write them (UTF-8 with and without BOM, UTF-16 LE and BE with
# BOM, LF and CRLF, console-wrapped), scanned through the streaming scanner.
# The hits must be exactly the planted lines, nothing else.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-TestModule

    $script:Samples = @(Get-CorpusSamples | Where-Object { $_.Text })
    $script:Noise = @(
        'PS C:\Users\admin> Get-Service WinRM',
        '',
        'Status   Name               DisplayName',
        '------   ----               -----------',
        'Running  WinRM              Windows Remote Management (WS-Management)',
        'VERBOSE: Loading module from path ''C:\Program Files\WindowsPowerShell\Modules\Pester\Pester.psd1''.',
        'Processing mailbox 312 of 5000 for the quarterly licence review, nothing to change.',
        'Id     Name            PSJobTypeName   State         HasMoreData     Location',
        '2      Session2        RemoteJob       Completed     True            localhost',
        'The command completed successfully.',
        'Transcript started, output file is C:\Transcripts\nightly-20240501.txt',
        'Le script a terminé la synchronisation des comptes ; aucune modification.'
    )

    function Format-Sample {
        # A sample's lines as the console printed them: with the error view's
        # tail, cut at the console width.
        param([object] $Sample, [int] $Width = 0, [switch] $Tail)
        $text = $Sample.Text
        if ($Tail -and $text -notmatch 'FullyQualifiedErrorId') {
            $text += "`nAt C:\Scripts\nightly.ps1:12 char:5`n+     Invoke-Thing -Verbose`n+     ~~~~~~~~~~~~~~`n    + CategoryInfo          : NotSpecified: (:) [Invoke-Thing], Exception`n    + FullyQualifiedErrorId : Csod.TestError,Microsoft.PowerShell.Commands.WriteErrorCommand"
        }
        foreach ($l in $text -split "`n") {
            if ($Width -gt 0 -and $l.Length -gt $Width) {
                for ($i = 0; $i -lt $l.Length; $i += $Width) { $l.Substring($i, [math]::Min($Width, $l.Length - $i)) }
            } else {
                $l
            }
        }
    }

    function Test-AloneRecognised {
        # Whether the library's scanner, on the sample alone (after a prompt),
        # gives exactly the expected hit on its first line (or none for a
        # negative). Samples it does not are the scanner's business
        # (tests/scan.rs); here they would only hide what the module adds.
        param([object] $Sample, [string[]] $Lines)
        $json = & (Get-Module CsOnlineDiagnostics) {
            param($text)
            $t = $script:CsodNative.Type
            $b = [System.Text.Encoding]::UTF8.GetBytes($text)
            $h = $t::ScannerNew('{}')
            try { $t::ScannerFeed($h, $b, $b.Length); $t::ScannerFinish($h) } finally { $t::ScannerFree($h) }
        } ("PS C:\Users\admin> .\nightly.ps1`n" + ($Lines -join "`n") + "`n`n")
        $hits = @(($json | ConvertFrom-Json).hits)
        if ($Sample.Expect) { return ($hits.Count -eq 1 -and $hits[0].line -eq 2 -and $hits[0].id -eq $Sample.Expect) }
        $hits.Count -eq 0
    }

    function New-PlantedTranscript {
        # A transcript (lines) with the samples planted once each, separated
        # by noise, a blank line and a prompt; returns the lines, the planted
        # errors (line, problem) and how many samples were left out.
        param([object[]] $Samples, [int] $Width = 0, [switch] $Tail, [int] $Seed = 7)
        $rng = New-Object System.Random -ArgumentList $Seed
        $lines = New-Object System.Collections.Generic.List[string]
        $planted = New-Object System.Collections.Generic.List[object]
        $left = 0
        foreach ($l in '**********************', 'Windows PowerShell transcript start', 'Start time: 20240501093000', 'PSVersion: 5.1.19045.4291', '**********************') { $lines.Add($l) }
        foreach ($s in $Samples) {
            $block = @(Format-Sample -Sample $s -Width $Width -Tail:$Tail)
            if (-not (Test-AloneRecognised -Sample $s -Lines $block)) { $left++; continue }
            for ($k = 0; $k -lt 1 + $rng.Next(4); $k++) { $lines.Add($script:Noise[$rng.Next($script:Noise.Count)]) }
            $lines.Add('')
            $lines.Add('PS C:\Users\admin> .\nightly.ps1')
            if ($s.Expect) { $planted.Add([pscustomobject]@{ Line = $lines.Count + 1; Problem = $s.Expect }) }
            foreach ($l in $block) { $lines.Add($l) }
            $lines.Add('')
        }
        foreach ($l in '**********************', 'Windows PowerShell transcript end', '**********************') { $lines.Add($l) }
        Write-Host ('    transcript (width {0}, tail {1}): {2} of {3} corpus text samples planted, {4} errors (the others the scanner does not recognise alone: tests/scan.rs)' -f $Width, [bool]$Tail, ($Samples.Count - $left), $Samples.Count, $planted.Count)
        [pscustomobject]@{ Lines = $lines.ToArray(); Planted = $planted.ToArray() }
    }

    function Write-Transcript {
        # Writes lines as Out-File / Start-Transcript do: BOM (or not), line ends.
        param([string] $Path, [string[]] $Lines, [string] $Encoding, [string] $NewLine = "`n")
        switch ($Encoding) {
            'utf-8' { $enc = New-Object System.Text.UTF8Encoding -ArgumentList $false }
            'utf-8-bom' { $enc = New-Object System.Text.UTF8Encoding -ArgumentList $true }
            'utf-16le' { $enc = New-Object System.Text.UnicodeEncoding -ArgumentList $false, $true }
            'utf-16be' { $enc = New-Object System.Text.UnicodeEncoding -ArgumentList $true, $true }
        }
        [System.IO.File]::WriteAllText($Path, (($Lines -join $NewLine) + $NewLine), $enc)
    }

    function Get-HitKeys($Result) { @($Result.Hits | ForEach-Object { '{0}:{1}' -f $_.Line, $_.Problem }) }
    function Get-PlantedKeys($Transcript) { @($Transcript.Planted | ForEach-Object { '{0}:{1}' -f $_.Line, $_.Problem }) }

    $script:Dir = Join-Path $TestDrive 'transcripts'
    New-Item -ItemType Directory -Path $script:Dir -Force | Out-Null
    $script:Plain = New-PlantedTranscript -Samples $script:Samples
    $script:Wrapped = New-PlantedTranscript -Samples $script:Samples -Width 80 -Tail -Seed 11
}

Describe 'Test-CsOnlineConnector -Path finds exactly the planted errors' {
    It 'every corpus sample planted once: <Encoding>, <Name> line ends' -ForEach @(
        @{ Encoding = 'utf-8'; Name = 'LF'; NewLine = "`n" }
        @{ Encoding = 'utf-8-bom'; Name = 'CRLF'; NewLine = "`r`n" }
        @{ Encoding = 'utf-16le'; Name = 'CRLF'; NewLine = "`r`n" }
        @{ Encoding = 'utf-16be'; Name = 'CRLF'; NewLine = "`r`n" }
    ) {
        $file = Join-Path $script:Dir ('plain-{0}-{1}.txt' -f $Encoding, $Name)
        Write-Transcript -Path $file -Lines $script:Plain.Lines -Encoding $Encoding -NewLine $NewLine
        $r = Test-CsOnlineConnector -Path $file
        $r.PSObject.TypeNames[0] | Should -Be 'CsOnlineDiagnostics.ScanResult'
        $r.Path | Should -Be $file
        $r.Encoding | Should -Be ($Encoding -replace '-bom$', '')
        $r.Bytes | Should -Be (Get-Item $file).Length
        $r.Lines | Should -Be $script:Plain.Lines.Count
        $script:Plain.Planted.Count | Should -BeGreaterThan 80
        Get-HitKeys $r | Should -Be (Get-PlantedKeys $script:Plain)
        $r.HitCount | Should -Be $script:Plain.Planted.Count
        ($r.Counts.Values | Measure-Object -Sum).Sum | Should -Be $r.HitCount
        $r.Hits[0].PSObject.TypeNames[0] | Should -Be 'CsOnlineDiagnostics.ScanHit'
        $r.Hits[0].Path | Should -Be $file
        $r.Hits[0].Title | Should -Not -BeNullOrEmpty
        $r.Hits[0].Confidence | Should -BeGreaterThan 0
    }

    It 'console-wrapped errors with their tail, UTF-16 LE with CRLF (Windows PowerShell 5.1 Out-File): one hit per error, at its first line' {
        $file = Join-Path $script:Dir 'wrapped-utf16le.txt'
        Write-Transcript -Path $file -Lines $script:Wrapped.Lines -Encoding 'utf-16le' -NewLine "`r`n"
        [System.IO.File]::ReadAllBytes($file)[0..1] | Should -Be @(0xFF, 0xFE)
        $r = Test-CsOnlineConnector -LiteralPath $file
        $r.Encoding | Should -Be 'utf-16le'
        Get-HitKeys $r | Should -Be (Get-PlantedKeys $script:Wrapped)
    }

    It 'reports the byte offset of each error in the file (BOM included)' {
        $lines = @('first line', 'Import-Module : File C:\x\SkypeOnlineConnectorStartup.psm1 cannot be loaded because running scripts is disabled on this system. For more information, see about_Execution_Policies at https://go.microsoft.com/fwlink/?LinkID=135170.', 'last')
        $file = Join-Path $script:Dir 'offset.txt'
        Write-Transcript -Path $file -Lines $lines -Encoding 'utf-16le' -NewLine "`r`n"
        $hit = (Test-CsOnlineConnector -Path $file).Hits
        $hit.Line | Should -Be 2
        $hit.Offset | Should -Be (2 + 2 * ('first line'.Length + 2))
        $hit.Problem | Should -Be 'execution_policy'
        $hit.Fields.module | Should -Be 'SkypeOnlineConnector'
    }
}

Describe 'Test-CsOnlineConnector -Path: files, wildcards and the pipeline' {
    BeforeAll {
        $script:Set = Join-Path $TestDrive 'set'
        New-Item -ItemType Directory -Path (Join-Path $script:Set 'sub') -Force | Out-Null
        $err = 'New-PSSession : [admin1a.online.lync.com] Connecting to remote server admin1a.online.lync.com failed with the following error message : The WinRM client cannot process the request. Basic authentication is currently disabled in the client configuration. Change the client configuration and try the request again. For more information, see the about_Remote_Troubleshooting Help topic.'
        Write-Transcript -Path (Join-Path $script:Set 'a.txt') -Lines @('noise', $err, 'noise') -Encoding 'utf-8'
        Write-Transcript -Path (Join-Path $script:Set 'b.txt') -Lines @('nothing wrong here', 'PS C:\> exit') -Encoding 'utf-16le' -NewLine "`r`n"
        Write-Transcript -Path (Join-Path $script:Set 'c.log') -Lines @('x', 'y', $err) -Encoding 'utf-8-bom'
        Write-Transcript -Path (Join-Path $script:Set 'sub/d.txt') -Lines @($err) -Encoding 'utf-8'
    }

    It 'resolves wildcards as Get-Content -Path does (files only, in order)' {
        $r = @(Test-CsOnlineConnector -Path (Join-Path $script:Set '*.txt'))
        $r.Path | Should -Be @((Join-Path $script:Set 'a.txt'), (Join-Path $script:Set 'b.txt'))
        $r.HitCount | Should -Be @(1, 0)
        $r[0].Hits.Problem | Should -Be 'winrm_basic_auth'
        @(Test-CsOnlineConnector -Path (Join-Path $script:Set '*')).Count | Should -Be 3 -Because 'the sub folder matched by * is skipped'
    }

    It 'takes -LiteralPath as written (brackets are not wildcards) and works by position' {
        $odd = Join-Path $script:Set 'run[1].txt'
        Write-Transcript -Path $odd -Lines @('ok') -Encoding 'utf-8'
        try {
            (Test-CsOnlineConnector -LiteralPath $odd).Path | Should -Be $odd
            (Test-CsOnlineConnector (Join-Path $script:Set 'c.log')).Hits.Line | Should -Be 3
        } finally {
            Remove-Item -LiteralPath $odd
        }
    }

    It 'scans the files piped from Get-ChildItem (PSPath / FullName), skipping folders' {
        $r = @(Get-ChildItem $script:Set | Test-CsOnlineConnector)
        $r.Path | Should -Be @((Join-Path $script:Set 'a.txt'), (Join-Path $script:Set 'b.txt'), (Join-Path $script:Set 'c.log'))
        $r2 = @(Get-ChildItem $script:Set -Recurse -Filter *.txt | Test-CsOnlineConnector)
        $r2.Count | Should -Be 3
        ($r2 | Measure-Object -Property HitCount -Sum).Sum | Should -Be 2
        $r3 = [pscustomobject]@{ FullName = (Join-Path $script:Set 'a.txt') } | Test-CsOnlineConnector
        $r3.HitCount | Should -Be 1
    }

    It 'still takes strings from the pipeline as messages, not paths' {
        $d = 'Get-CsWebTicket : Logon failed for the user ''kenmyer@litwareinc.com''. Please create a new PSCredential object, making sure that you have used the correct user name and password.' | Test-CsOnlineConnector
        $d.PSObject.TypeNames[0] | Should -Be 'CsOnlineDiagnostics.Diagnosis'
        $d.Problem | Should -Be 'logon_failed'
    }

    It 'a missing file is a non-terminating ObjectNotFound error and the other files still report' {
        $missing = Join-Path $script:Set 'missing.txt'
        $errs = $null
        $r = @(Test-CsOnlineConnector -Path (Join-Path $script:Set 'a.txt'), $missing, (Join-Path $script:Set 'nomatch*.txt'), (Join-Path $script:Set 'c.log') -ErrorVariable errs -ErrorAction SilentlyContinue)
        $r.Path | Should -Be @((Join-Path $script:Set 'a.txt'), (Join-Path $script:Set 'c.log'))
        $errs.Count | Should -Be 2
        $errs[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $errs[0].FullyQualifiedErrorId | Should -Be 'CsodPathNotFound,Test-CsOnlineConnector'
        $errs[0].TargetObject | Should -Be $missing
        $errs[1].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $errs2 = $null
        $r2 = @(Test-CsOnlineConnector -LiteralPath $missing, (Join-Path $script:Set 'a.txt') -ErrorVariable errs2 -ErrorAction SilentlyContinue)
        $r2.Count | Should -Be 1
        $errs2[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'a folder given by name is a ReadError, the other files still report' {
        $errs = $null
        $r = @(Test-CsOnlineConnector -LiteralPath (Join-Path $script:Set 'sub'), (Join-Path $script:Set 'a.txt') -ErrorVariable errs -ErrorAction SilentlyContinue)
        $r.Count | Should -Be 1
        $errs[0].CategoryInfo.Category | Should -Be 'ReadError'
        $errs[0].FullyQualifiedErrorId | Should -Be 'CsodPathIsDirectory,Test-CsOnlineConnector'
    }

    It '-AsJson writes the library''s scan document unchanged' {
        $file = Join-Path $script:Set 'c.log'
        $json = Test-CsOnlineConnector -Path $file -AsJson
        $json | Should -BeOfType [string]
        # The same bytes through the library directly, in one chunk.
        $direct = & (Get-Module CsOnlineDiagnostics) {
            param($f)
            $t = $script:CsodNative.Type
            $s = $t::ScannerNew('{"language":"en"}')
            try { $b = [System.IO.File]::ReadAllBytes($f); $t::ScannerFeed($s, $b, $b.Length); $t::ScannerFinish($s) } finally { $t::ScannerFree($s) }
        } $file
        $json | Should -BeExactly $direct
        $doc = $json | ConvertFrom-Json
        $doc.schema | Should -Be 1
        $doc.encoding | Should -Be 'utf-8'
        $doc.hits[0].line | Should -Be 3
        $doc.counts.winrm_basic_auth | Should -Be 1
    }

    It '-Quiet returns one boolean: $true when no file holds a known error' {
        $clean = Test-CsOnlineConnector -Path (Join-Path $script:Set 'b.txt') -Quiet
        $clean | Should -BeOfType [bool]
        $clean | Should -BeTrue
        $bad = @(Test-CsOnlineConnector -Path (Join-Path $script:Set '*.txt') -Quiet)
        $bad.Count | Should -Be 1
        $bad[0] | Should -BeFalse
    }

    It '-Redact masks the user, tenant and host names in the hits; -Language fr gives French titles' {
        $file = Join-Path $script:Set 'names.txt'
        $lines = @('Import-Module : File C:\Users\kenmyer\Documents\SkypeOnlineConnectorStartup.psm1 cannot be loaded because running scripts is disabled on this system. For more information, see about_Execution_Policies at https://go.microsoft.com/fwlink/?LinkID=135170.')
        Write-Transcript -Path $file -Lines $lines -Encoding 'utf-8'
        try {
            $plain = Test-CsOnlineConnector -Path $file
            ($plain.Hits.Fields | ConvertTo-Json -Compress) | Should -Match 'kenmyer'
            $masked = Test-CsOnlineConnector -Path $file -Redact -Language fr
            ($masked.Hits | ConvertTo-Json -Depth 5 -Compress) | Should -Not -Match 'kenmyer'
            $masked.Hits.Fields.path | Should -Match '<user>'
            $masked.Hits.Title | Should -Not -Be $plain.Hits.Title
            $masked.Language | Should -Be 'fr'
            Test-CsOnlineConnector -Path $file -Redact -AsJson | Should -Not -Match 'kenmyer'
        } finally {
            Remove-Item -LiteralPath $file
        }
    }

    It 'shows one row per file: Path, Lines, Hits and the problems with their counts' {
        $text = Test-CsOnlineConnector -Path (Join-Path $script:Set '*.txt') | Format-Table | Out-String -Width 200
        $text | Should -Match 'Path\s+Lines\s+Hits\s+Problems'
        $text | Should -Match 'a\.txt\s+3\s+1 winrm_basic_auth \(1\)'
        $hits = (Test-CsOnlineConnector -Path (Join-Path $script:Set 'a.txt')).Hits | Format-Table | Out-String -Width 200
        $hits | Should -Match 'Line\s+Problem\s+Confidence\s+Title'
        $hits | Should -Match '2 winrm_basic_auth'
    }

    It 'narrates with -Verbose' {
        $v = Test-CsOnlineConnector -Path (Join-Path $script:Set 'a.txt') -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message
        ($v -join "`n") | Should -Match 'scanning .*a\.txt'
        ($v -join "`n") | Should -Match '1 hit\(s\) \(1 winrm_basic_auth\)'
    }
}

Describe 'Test-CsOnlineConnector -Path on a large file' {
    It 'streams a 64 MB transcript in bounded memory, shows progress and finds the errors planted at its start, middle and end' {
        $big = Join-Path $TestDrive 'big.txt'
        $err = 'New-PSSession : [admin1a.online.lync.com] Connecting to remote server admin1a.online.lync.com failed with the following error message : The WinRM client cannot process the request. Basic authentication is currently disabled in the client configuration. Change the client configuration and try the request again. For more information, see the about_Remote_Troubleshooting Help topic.'
        $block = (@(0..255 | ForEach-Object { $script:Noise[$_ % $script:Noise.Count] + ' #' + $_ }) -join "`r`n") + "`r`n"
        $blockLines = 256
        $writer = New-Object System.IO.StreamWriter -ArgumentList $big, $false, (New-Object System.Text.UTF8Encoding -ArgumentList $true)
        $expected = New-Object System.Collections.Generic.List[long]
        $line = [long]1
        try {
            $writer.Write($block); $line += $blockLines
            $expected.Add($line); $writer.Write($err + "`r`n"); $line++
            $blocks = [int][math]::Ceiling(64MB / [System.Text.Encoding]::UTF8.GetByteCount($block))
            for ($i = 0; $i -lt $blocks; $i++) {
                $writer.Write($block); $line += $blockLines
                if ($i -eq [int]($blocks / 2)) { $expected.Add($line); $writer.Write($err + "`r`n"); $line++ }
            }
            $expected.Add($line); $writer.Write($err + "`r`n"); $line++
        } finally {
            $writer.Dispose()
        }
        (Get-Item $big).Length | Should -BeGreaterOrEqual 64MB
        # A fresh process: import, then scan, and compare the working set.
        $cmd = @'
$ErrorActionPreference = 'Stop'
Import-Module '{0}'
$null = Test-CsOnlineConnector -Message 'warm up the classifier'
[GC]::Collect()
$p = [System.Diagnostics.Process]::GetCurrentProcess()
$p.Refresh(); $before = $p.WorkingSet64
$global:progress = 0
$sw = [System.Diagnostics.Stopwatch]::StartNew()
$r = Test-CsOnlineConnector -LiteralPath '{1}' -Verbose 4>$null 5>$null
$seconds = $sw.Elapsed.TotalSeconds
$p.Refresh()
'before={{0}} peak={{1}} after={{2}} seconds={{3:f2}}' -f $before, $p.PeakWorkingSet64, $p.WorkingSet64, $seconds
'lines=' + $r.Lines
'hits=' + (($r.Hits | ForEach-Object {{ $_.Line }}) -join ',')
'problems=' + (($r.Hits | ForEach-Object {{ $_.Problem }} | Select-Object -Unique) -join ',')
'@ -f $script:Manifest, $big
        $child = Invoke-ChildPwsh -Command $cmd
        $child.ExitCode | Should -Be 0 -Because $child.Text
        $m = [regex]::Match($child.Text, 'before=(\d+) peak=(\d+) after=(\d+) seconds=([\d.]+)')
        $m.Success | Should -BeTrue -Because $child.Text
        $before = [double]$m.Groups[1].Value; $peak = [double]$m.Groups[2].Value; $after = [double]$m.Groups[3].Value
        $growth = [math]::Max($peak, $after) - $before
        Write-Host ('    64 MB scan in a fresh pwsh: working set {0:n0} MB before, {1:n0} MB after, peak {2:n0} MB (growth at most {3:n0} MB), {4} s' -f ($before / 1MB), ($after / 1MB), ($peak / 1MB), ($growth / 1MB), $m.Groups[4].Value)
        # Loose: reading the file whole (as bytes, or as a string) would grow it by 64 to 200 MB.
        ($after - $before) | Should -BeLessThan 48MB
        $child.Text | Should -Match ('lines=' + ($line - 1))
        $child.Text | Should -Match ('hits=' + ($expected -join ','))
        $child.Text | Should -Match 'problems=winrm_basic_auth(\s|$)'
    }

    It 'shows Write-Progress by bytes for large files' {
        $big = Join-Path $TestDrive 'progress.txt'
        $fs = [System.IO.File]::Create($big)
        try {
            $chunk = [System.Text.Encoding]::UTF8.GetBytes(('nothing to see here ' * 50) + "`n")
            for ($i = 0; $i -lt 10MB / $chunk.Length; $i++) { $fs.Write($chunk, 0, $chunk.Length) }
        } finally { $fs.Dispose() }
        $ps = [PowerShell]::Create()
        try {
            [void]$ps.AddScript(('$ProgressPreference = ''Continue''; Import-Module ''{0}''; Test-CsOnlineConnector -LiteralPath ''{1}'' | Out-Null' -f $script:Manifest, $big))
            [void]$ps.Invoke()
            $progress = @($ps.Streams.Progress | Where-Object { $_.Activity -eq 'Test-CsOnlineConnector' -and $_.PercentComplete -ge 0 })
            $progress.Count | Should -BeGreaterThan 5
            ($progress | Measure-Object -Property PercentComplete -Maximum).Maximum | Should -Be 100
            $progress[0].CurrentOperation | Should -Match 'of 10 MB'
        } finally {
            $ps.Dispose()
        }
    }
}
