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
    # -Path (wildcards) or -LiteralPath (taken as written). Paths that match
    # nothing, that are not on the file system, or that name a directory give
    # non-terminating errors through $Cmdlet; the other paths still come out.
    param($Cmdlet, [string[]] $Paths, [switch] $Literal)
    foreach ($p in $Paths) {
        $provider = $null
        $resolved = @()
        # Test-Path first: a caught resolution exception would still land in
        # the caller's -ErrorVariable next to our own ErrorRecord.
        if ($Literal) { $exists = Test-Path -LiteralPath $p } else { $exists = Test-Path -Path $p }
        if (-not $exists) {
            $message = 'Cannot find the file "{0}": it does not exist.' -f $p
            if ((-not $Literal) -and [System.Management.Automation.WildcardPattern]::ContainsWildcardCharacters($p)) { $message = 'No file matches "{0}".' -f $p }
            $Cmdlet.WriteError((New-CsodErrorRecord -Message $message -ErrorId 'CsodPathNotFound' -Category ObjectNotFound -TargetObject $p))
            continue
        }
        try {
            if ($Literal) {
                $drive = $null
                $resolved = @($Cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath($p, [ref]$provider, [ref]$drive))
            } else {
                $resolved = @($Cmdlet.SessionState.Path.GetResolvedProviderPathFromPSPath($p, [ref]$provider))
            }
        } catch {
            $inner = $_.Exception
            while ($inner -is [System.Management.Automation.MethodInvocationException] -and $inner.InnerException) { $inner = $inner.InnerException }
            if ($inner -is [System.Management.Automation.ItemNotFoundException] -or $inner -is [System.Management.Automation.DriveNotFoundException]) {
                $Cmdlet.WriteError((New-CsodErrorRecord -Message ('Cannot find the file "{0}": it does not exist.' -f $p) -ErrorId 'CsodPathNotFound' -Category ObjectNotFound -TargetObject $p -InnerException $inner))
            } else {
                $Cmdlet.WriteError((New-CsodErrorRecord -Message ('Cannot resolve the path "{0}": {1}' -f $p, $inner.Message) -ErrorId 'CsodBadPath' -Category InvalidArgument -TargetObject $p -InnerException $inner))
            }
            continue
        }
        if ($provider -and $provider.Name -ne 'FileSystem') {
            $Cmdlet.WriteError((New-CsodErrorRecord -Message ('The path "{0}" is on the {1} provider; only files can be scanned.' -f $p, $provider.Name) -ErrorId 'CsodNotAFile' -Category InvalidArgument -TargetObject $p))
            continue
        }
        $wildcard = (-not $Literal) -and [System.Management.Automation.WildcardPattern]::ContainsWildcardCharacters($p)
        $files = 0
        foreach ($r in $resolved) {
            if ([System.IO.Directory]::Exists($r)) {
                if ($wildcard -or $Cmdlet.MyInvocation.ExpectingInput) {
                    # Get-ChildItem output and wildcard matches hold folders too.
                    Write-Verbose ('csod: skipping the directory {0}' -f $r)
                    continue
                }
                $Cmdlet.WriteError((New-CsodErrorRecord -Message ('"{0}" is a directory; give the files in it, for example "{1}".' -f $r, [System.IO.Path]::Combine($r, '*.txt')) -ErrorId 'CsodPathIsDirectory' -Category ReadError -TargetObject $r))
                continue
            }
            if (-not [System.IO.File]::Exists($r)) {
                $Cmdlet.WriteError((New-CsodErrorRecord -Message ('Cannot find the file "{0}": it does not exist.' -f $r) -ErrorId 'CsodPathNotFound' -Category ObjectNotFound -TargetObject $r))
                continue
            }
            $files++
            $r
        }
        if ($wildcard -and $resolved.Count -eq 0) {
            $Cmdlet.WriteError((New-CsodErrorRecord -Message ('No file matches "{0}".' -f $p) -ErrorId 'CsodPathNotFound' -Category ObjectNotFound -TargetObject $p))
        }
    }
}

function script:Invoke-CsodScanFile {
    # Streams one file through the library's scanner and returns its result
    # document (JSON). Throws an ErrorRecord: CsodFileReadFailed (ReadError)
    # when the file cannot be opened or read, CsodNativeCallFailed when the
    # library refuses the input.
    param([string] $File, [string] $OptionsJson, [string] $Activity)
    $type = $script:CsodNative.Type
    try {
        # Shared read: a transcript still being written can be scanned.
        $stream = New-Object System.IO.FileStream -ArgumentList $File, ([System.IO.FileMode]::Open), ([System.IO.FileAccess]::Read), ([System.IO.FileShare]::ReadWrite -bor [System.IO.FileShare]::Delete), 65536, ([System.IO.FileOptions]::SequentialScan)
    } catch {
        $inner = $_.Exception
        while ($inner -is [System.Management.Automation.MethodInvocationException] -and $inner.InnerException) { $inner = $inner.InnerException }
        $category = 'ReadError'
        $id = 'CsodFileReadFailed'
        if ($inner -is [System.IO.FileNotFoundException] -or $inner -is [System.IO.DirectoryNotFoundException]) { $category = 'ObjectNotFound'; $id = 'CsodPathNotFound' }
        throw (New-CsodErrorRecord -Message ('Cannot read "{0}": {1}' -f $File, $inner.Message) -ErrorId $id -Category $category -TargetObject $File -InnerException $inner)
    }
    $scanner = [System.IntPtr]::Zero
    try {
        $length = $stream.Length
        $progress = $length -ge $script:CsodScanProgressBytes
        try {
            $scanner = $type::ScannerNew($OptionsJson)
        } catch {
            $inner = $_.Exception
            while ($inner -is [System.Management.Automation.MethodInvocationException] -and $inner.InnerException) { $inner = $inner.InnerException }
            throw (New-CsodErrorRecord -Message $inner.Message -ErrorId 'CsodNativeCallFailed' -Category InvalidResult -TargetObject $File -InnerException $inner)
        }
        $buffer = New-Object byte[] $script:CsodScanChunk
        $done = [long]0
        $lastPercent = -1
        while ($true) {
            try {
                $n = $stream.Read($buffer, 0, $buffer.Length)
            } catch {
                $inner = $_.Exception
                while ($inner -is [System.Management.Automation.MethodInvocationException] -and $inner.InnerException) { $inner = $inner.InnerException }
                throw (New-CsodErrorRecord -Message ('Cannot read "{0}" at byte {1}: {2}' -f $File, $done, $inner.Message) -ErrorId 'CsodFileReadFailed' -Category ReadError -TargetObject $File -InnerException $inner)
            }
            if ($n -le 0) { break }
            try {
                $type::ScannerFeed($scanner, $buffer, $n)
            } catch {
                $inner = $_.Exception
                while ($inner -is [System.Management.Automation.MethodInvocationException] -and $inner.InnerException) { $inner = $inner.InnerException }
                throw (New-CsodErrorRecord -Message $inner.Message -ErrorId 'CsodNativeCallFailed' -Category InvalidResult -TargetObject $File -InnerException $inner)
            }
            $done += $n
            if ($progress -and $length -gt 0) {
                $percent = [int][math]::Min(100, [math]::Floor(100.0 * $done / $length))
                if ($percent -ne $lastPercent) {
                    $lastPercent = $percent
                    Write-Progress -Activity $Activity -Status ('Scanning {0}' -f $File) -CurrentOperation ('{0:n0} of {1:n0} MB' -f ($done / 1MB), ($length / 1MB)) -PercentComplete $percent
                }
            }
        }
        try {
            $json = $type::ScannerFinish($scanner)
        } catch {
            $inner = $_.Exception
            while ($inner -is [System.Management.Automation.MethodInvocationException] -and $inner.InnerException) { $inner = $inner.InnerException }
            throw (New-CsodErrorRecord -Message $inner.Message -ErrorId 'CsodNativeCallFailed' -Category InvalidResult -TargetObject $File -InnerException $inner)
        }
        $json
    } finally {
        if ($scanner -ne [System.IntPtr]::Zero) { $type::ScannerFree($scanner) }
        $stream.Dispose()
    }
}

function script:ConvertTo-CsodScanResult {
    # The scanner's document for one file -> CsOnlineDiagnostics.ScanResult
    # with CsOnlineDiagnostics.ScanHit objects.
    param([object] $Json, [string] $Path)
    $hits = @(foreach ($h in @(Get-CsodProperty $Json 'hits')) {
            if ($null -eq $h) { continue }
            [pscustomobject]@{
                PSTypeName = 'CsOnlineDiagnostics.ScanHit'
                Path       = $Path
                Line       = [long](Get-CsodProperty $h 'line')
                Offset     = [long](Get-CsodProperty $h 'offset')
                Problem    = [string](Get-CsodProperty $h 'id')
                Confidence = [double](Get-CsodProperty $h 'confidence')
                Title      = [string](Get-CsodProperty $h 'title')
                Fields     = Get-CsodProperty $h 'fields'
            }
        })
    # Counts, most frequent problem first.
    $counts = [ordered]@{}
    $countsJson = Get-CsodProperty $Json 'counts'
    $total = [long]0
    if ($null -ne $countsJson) {
        $pairs = @(foreach ($p in $countsJson.PSObject.Properties) { [pscustomobject]@{ Name = $p.Name; Count = [long]$p.Value } })
        foreach ($p in @($pairs | Sort-Object -Property @{ Expression = 'Count'; Descending = $true }, @{ Expression = 'Name'; Descending = $false })) {
            $counts[$p.Name] = $p.Count
            $total += $p.Count
        }
    }
    [pscustomobject]@{
        PSTypeName = 'CsOnlineDiagnostics.ScanResult'
        Path       = $Path
        Encoding   = [string](Get-CsodProperty $Json 'encoding')
        Bytes      = [long](Get-CsodProperty $Json 'bytes')
        Lines      = [long](Get-CsodProperty $Json 'lines')
        HitCount   = $total
        Counts     = $counts
        Hits       = $hits
        Truncated  = [bool](Get-CsodProperty $Json 'truncated')
        Language   = [string](Get-CsodProperty $Json 'language')
    }
}
