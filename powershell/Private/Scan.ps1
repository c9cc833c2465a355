# Test-CsOnlineConnector -Path / -LiteralPath: scanning transcripts and logs
# with the library's streaming scanner (csod_scanner_new_w / feed /
# finish_w / free). Files are read in fixed-size chunks of raw bytes (the
# library detects UTF-8 with or without BOM and UTF-16 LE/BE), so memory stays
# bounded whatever the file size, and never goes through Get-Content.

# Bytes read and handed to the scanner at a time.
$script:CsodScanChunk = 1048576
# Files at least this large show Write-Progress by bytes.
$script:CsodScanProgressBytes = 8388608

function script:Resolve-CsodScanPath {
    # Provider paths of the files to scan, resolved as Get-Content resolves
    # -Path (wildcards) or -LiteralPath (taken as written), into
    # $Outcome.Output; paths that match nothing, that are not on the file
    # system, that name a directory, or that name something other than a
    # regular file (a FIFO, a socket, a device: reading one could block
    # forever) become ErrorRecords in $Outcome.Errors. Nothing is thrown.
    param([hashtable] $Outcome, [System.Management.Automation.SessionState] $SessionState, [string[]] $Paths, [switch] $Literal, [switch] $ExpectingInput, [switch] $Verbose)
    foreach ($p in $Paths) {
        $provider = $null
        $resolved = @()
        # Test-Path first: a caught resolution exception would still land in
        # the caller's -ErrorVariable next to our own ErrorRecord.
        if ($Literal) { $exists = Test-Path -LiteralPath $p } else { $exists = Test-Path -Path $p }
        $wildcard = (-not $Literal) -and [System.Management.Automation.WildcardPattern]::ContainsWildcardCharacters($p)
        if (-not $exists) {
            if ($wildcard) { $key = 'NoFileMatches' } else { $key = 'PathNotFound' }
            $Outcome.Errors.Add((New-CsodErrorRecord -Message (Get-CsodMessage $key @($p)) -ErrorId 'CsodPathNotFound' -Category ObjectNotFound -TargetObject $p))
            continue
        }
        try {
            if ($Literal) {
                $drive = $null
                $resolved = @($SessionState.Path.GetUnresolvedProviderPathFromPSPath($p, [ref]$provider, [ref]$drive))
            } else {
                $resolved = @($SessionState.Path.GetResolvedProviderPathFromPSPath($p, [ref]$provider))
            }
        } catch {
            $inner = $_.Exception
            while ($inner -is [System.Management.Automation.MethodInvocationException] -and $inner.InnerException) { $inner = $inner.InnerException }
            if ($inner -is [System.Management.Automation.ItemNotFoundException] -or $inner -is [System.Management.Automation.DriveNotFoundException]) {
                $Outcome.Errors.Add((New-CsodErrorRecord -Message (Get-CsodMessage PathNotFound @($p)) -ErrorId 'CsodPathNotFound' -Category ObjectNotFound -TargetObject $p -InnerException $inner))
            } else {
                $Outcome.Errors.Add((New-CsodErrorRecord -Message (Get-CsodMessage BadPath @($p, $inner.Message)) -ErrorId 'CsodBadPath' -Category InvalidArgument -TargetObject $p -InnerException $inner))
            }
            continue
        }
        if ($provider -and $provider.Name -ne 'FileSystem') {
            $Outcome.Errors.Add((New-CsodErrorRecord -Message (Get-CsodMessage NotFileSystem @($p, $provider.Name)) -ErrorId 'CsodNotAFile' -Category InvalidArgument -TargetObject $p))
            continue
        }
        foreach ($r in $resolved) {
            $kind = $script:CsodNative.Type::FileKind($r)
            if ($kind -lt 0) {
                # The library cannot tell (or is older): ask .NET.
                if ([System.IO.Directory]::Exists($r)) { $kind = 2 } elseif ([System.IO.File]::Exists($r)) { $kind = 1 } else { $kind = 0 }
            }
            if ($kind -eq 2) {
                if ($wildcard -or $ExpectingInput) {
                    # Get-ChildItem output and wildcard matches hold folders too.
                    if ($Verbose) { $Outcome.Verbose.Add((Get-CsodMessage VerboseSkipDirectory @($r))) }
                    continue
                }
                $Outcome.Errors.Add((New-CsodErrorRecord -Message (Get-CsodMessage PathIsDirectory @($r, [System.IO.Path]::Combine($r, '*.txt'))) -ErrorId 'CsodPathIsDirectory' -Category ReadError -TargetObject $r))
                continue
            }
            if ($kind -eq 3) {
                $Outcome.Errors.Add((New-CsodErrorRecord -Message (Get-CsodMessage NotRegularFile @($r)) -ErrorId 'CsodNotRegularFile' -Category InvalidType -TargetObject $r))
                continue
            }
            if ($kind -ne 1) {
                $Outcome.Errors.Add((New-CsodErrorRecord -Message (Get-CsodMessage PathNotFound @($r)) -ErrorId 'CsodPathNotFound' -Category ObjectNotFound -TargetObject $r))
                continue
            }
            $Outcome.Output.Add($r)
        }
        if ($wildcard -and $resolved.Count -eq 0) {
            $Outcome.Errors.Add((New-CsodErrorRecord -Message (Get-CsodMessage NoFileMatches @($p)) -ErrorId 'CsodPathNotFound' -Category ObjectNotFound -TargetObject $p))
        }
    }
}

function script:Invoke-CsodScanFile {
    # Streams one file through the library's scanner (the interop's
    # ScanCall: it reads a regular file only, in chunks of
    # $script:CsodScanChunk bytes) and returns @{ Json } or @{ Error = an
    # ErrorRecord }: CsodPathNotFound (ObjectNotFound), CsodPathIsDirectory
    # or CsodFileReadFailed (ReadError), CsodNotRegularFile (InvalidType),
    # CsodNativeCallFailed (InvalidResult).
    param([string] $File, [string] $OptionsJson, [string] $Activity)
    $scan = $script:CsodNative.Type::BeginScan($File, $OptionsJson, $script:CsodScanChunk)
    try {
        $progress = $scan.Length -ge $script:CsodScanProgressBytes
        $lastPercent = -1
        while ($scan.Step()) {
            if ($progress -and $scan.Length -gt 0) {
                $percent = [int][math]::Min(100, [math]::Floor(100.0 * $scan.Done / $scan.Length))
                if ($percent -ne $lastPercent) {
                    $lastPercent = $percent
                    Write-Progress -Activity $Activity -Status (Get-CsodMessage ProgressScanning @($File)) -CurrentOperation (Get-CsodMessage ProgressScanBytes @(($scan.Done / 1MB), ($scan.Length / 1MB))) -PercentComplete $percent
                }
            }
        }
        $json = $scan.Finish()
        if ($null -ne $json) { return @{ Json = $json; Error = $null; Progress = $progress } }
        switch ($scan.Kind) {
            'missing' { $id = 'CsodPathNotFound'; $category = 'ObjectNotFound'; $message = Get-CsodMessage PathNotFound @($File) }
            'directory' { $id = 'CsodPathIsDirectory'; $category = 'ReadError'; $message = Get-CsodMessage PathIsDirectory @($File, [System.IO.Path]::Combine($File, '*.txt')) }
            'special' { $id = 'CsodNotRegularFile'; $category = 'InvalidType'; $message = Get-CsodMessage NotRegularFile @($File) }
            'native' { $id = 'CsodNativeCallFailed'; $category = 'InvalidResult'; $message = $scan.Error }
            default { $id = 'CsodFileReadFailed'; $category = 'ReadError'; $message = Get-CsodMessage FileReadFailed @($File, $scan.Error) }
        }
        @{ Error = (New-CsodErrorRecord -Message $message -ErrorId $id -Category $category -TargetObject $File); Json = $null; Progress = $progress }
    } finally {
        $scan.Dispose()
    }
}

function script:ConvertTo-CsodScanResult {
    # The scanner's document for one file -> CsOnlineDiagnostics.ScanResult
    # with CsOnlineDiagnostics.ScanHit objects.
    param([object] $Json, [string] $Path)
    $hits = @(foreach ($h in @($Json['hits'])) {
            if ($null -eq $h) { continue }
            [pscustomobject]@{
                PSTypeName = 'CsOnlineDiagnostics.ScanHit'
                Path       = $Path
                Line       = [long]$h['line']
                Offset     = [long]$h['offset']
                Problem    = [string]$h['id']
                Confidence = [double]$h['confidence']
                Title      = [string]$h['title']
                Fields     = ConvertTo-CsodObject $h['fields']
            }
        })
    # Counts, most frequent problem first.
    $counts = [ordered]@{}
    $countsJson = $Json['counts']
    $total = [long]0
    if ($countsJson -is [System.Collections.IDictionary]) {
        $pairs = [System.Collections.Generic.List[object]]::new()
        foreach ($k in $countsJson.Keys) { $pairs.Add([pscustomobject]@{ Name = [string]$k; Count = [long]$countsJson[$k] }) }
        $pairs.Sort([System.Comparison[object]] {
                param($a, $b)
                if ($a.Count -ne $b.Count) { return $b.Count.CompareTo($a.Count) }
                [string]::CompareOrdinal($a.Name, $b.Name)
            })
        foreach ($p in $pairs) {
            $counts[$p.Name] = $p.Count
            $total += $p.Count
        }
    }
    [pscustomobject]@{
        PSTypeName = 'CsOnlineDiagnostics.ScanResult'
        Path       = $Path
        Encoding   = [string]$Json['encoding']
        Bytes      = [long]$Json['bytes']
        Lines      = [long]$Json['lines']
        HitCount   = $total
        Counts     = $counts
        Hits       = $hits
        Truncated  = [bool]$Json['truncated']
        Language   = [string]$Json['language']
    }
}

function script:Invoke-CsodFileScan {
    # One file through the library's scanner: a ScanResult (or the scan
    # document, -AsJson); a warning when only the first hits are listed.
    param([hashtable] $Context, [string] $File)
    $outcome = New-CsodOutcome
    if (-not $Context.ScanOptions) { $Context.ScanOptions = $script:CsodNative.Type::ToJson([ordered]@{ language = $Context.Language }) }
    if ($Context.Narrate) {
        $length = 0
        try { $length = [System.IO.FileInfo]::new($File).Length } catch { $length = 0 }
        $outcome.Verbose.Add((Get-CsodMessage VerboseScanning @($File, $length, $script:CsodScanChunk)))
    }
    $watch = [System.Diagnostics.Stopwatch]::StartNew()
    $r = Invoke-CsodScanFile -File $File -OptionsJson $Context.ScanOptions -Activity $Context.Activity
    if ($r.Progress) { $Context.ProgressShown = $true }
    if ($r.Error) {
        $outcome.Errors.Add($r.Error)
        return $outcome
    }
    $seconds = [math]::Max($watch.Elapsed.TotalSeconds, 0.001)
    $json = $r.Json
    if ($Context.Redact) { $json = Protect-CsodJson -Json $json -Terms $Context.Terms }
    $result = ConvertTo-CsodScanResult -Json ($script:CsodNative.Type::ParseJson($json)) -Path $File
    if ($Context.Narrate) {
        $summary = @(foreach ($k in $result.Counts.Keys) { '{0} {1}' -f $result.Counts[$k], $k }) -join ', '
        if (-not $summary) { $summary = Get-CsodMessage VerboseNoKnownError }
        $outcome.Verbose.Add((Get-CsodMessage VerboseScanned @($File, $result.Encoding, $result.Lines, $result.HitCount, $summary, $seconds, ($result.Bytes / 1MB / $seconds))))
    }
    if ($result.Truncated) { $outcome.Warnings.Add((Get-CsodMessage ScanTruncated @($File, $result.Hits.Count, $result.HitCount))) }
    if ($result.HitCount -gt 0) { $outcome.Wrong = $true }
    if ($Context.AsJson) { $outcome.Output.Add($json) } else { $outcome.Output.Add($result) }
    $outcome
}
