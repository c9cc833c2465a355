# The loader's slow path (Private/Native.ps1, Initialize-CsodNative): the
# platform and the library search in PowerShell, the interop's stamp (the
# manifest's version, a hash naming the compiled copy), the record of the
# last load. Parsed only when the fast path had no compiled copy for this
# module and library (a first import, an edited bridge, another library).
# Kept free of PowerShell 7-only syntax: this file also runs in Windows
# PowerShell 5.1. Functions declared script: (dot-sourced from a function).

function script:Get-CsodPlatform {
    # The OS, the process architecture, the runtime identifier used for the
    # packaged layout (bin/<rid>/) and the file name of the native library.
    if ($script:CsodPlatform) { return $script:CsodPlatform }
    $os = 'linux'
    $arch = $null
    if ([System.Environment]::OSVersion.Platform -eq [System.PlatformID]::Win32NT) {
        $os = 'win'
        # Windows PowerShell 5.1 may lack RuntimeInformation; the environment
        # says it on every Windows (AMD64, x86, ARM64).
        $arch = @{ AMD64 = 'x64'; x86 = 'x86'; ARM64 = 'arm64' }[[string]$env:PROCESSOR_ARCHITECTURE]
    }
    if ($os -ne 'win') {
        # Outside Windows this is PowerShell 7 on .NET, which has
        # RuntimeInformation (a type literal: cheaper than a lookup by name).
        if ([System.Environment]::OSVersion.Platform -eq [System.PlatformID]::MacOSX -or [System.IO.Directory]::Exists('/System/Library/CoreServices')) { $os = 'osx' }
        $arch = [string][System.Runtime.InteropServices.RuntimeInformation]::ProcessArchitecture
        $arch = $arch.ToLowerInvariant()
    }
    if (-not $arch) {
        if ([System.Environment]::Is64BitProcess) { $arch = 'x64' } else { $arch = 'x86' }
    }
    $file = 'libcsod.so'; $name = 'Linux'
    if ($os -eq 'win') { $file = 'csod.dll'; $name = 'Windows' }
    elseif ($os -eq 'osx') { $file = 'libcsod.dylib'; $name = 'macOS' }
    $script:CsodPlatform = @{
        Os          = $os
        OsName      = $name
        Arch        = $arch
        Rid         = $os + '-' + $arch
        LibraryName = $file
    }
    $script:CsodPlatform
}

function script:Get-CsodLibraryCandidates([string] $ModuleRoot) {
    # Absolute paths where the native library may be, in order of preference:
    # $env:CSOD_LIBRARY (an explicit override), the packaged layout next to the
    # manifest, then the development builds of a source checkout (the newer of
    # target/release and target/debug first).
    $platform = Get-CsodPlatform
    if ($env:CSOD_LIBRARY) {
        return , @([System.IO.Path]::GetFullPath($env:CSOD_LIBRARY))
    }
    $list = [System.Collections.Generic.List[string]]::new()
    $list.Add([System.IO.Path]::Combine($ModuleRoot, 'bin', $platform.Rid, $platform.LibraryName))
    $checkout = [System.IO.Path]::GetFullPath([System.IO.Path]::Combine($ModuleRoot, '..'))
    $release = [System.IO.Path]::Combine($checkout, 'target', 'release', $platform.LibraryName)
    $debug = [System.IO.Path]::Combine($checkout, 'target', 'debug', $platform.LibraryName)
    $hasRelease = [System.IO.File]::Exists($release)
    $hasDebug = [System.IO.File]::Exists($debug)
    if ($hasRelease -and $hasDebug -and [System.IO.File]::GetLastWriteTimeUtc($debug) -gt [System.IO.File]::GetLastWriteTimeUtc($release)) {
        $list.Add($debug); $list.Add($release)
    } else {
        if ($hasRelease) { $list.Add($release) }
        if ($hasDebug) { $list.Add($debug) }
    }
    return , $list.ToArray()
}

function script:Get-CsodStampHash([string] $Text) {
    # The first 8 bytes of the SHA-256 of a short string, as 16 hex digits:
    # it only names the compiled interop for one source stamp and library
    # path. One .NET call: a hash loop written in PowerShell cost three
    # times more on a cold start (every arithmetic operator binds once).
    $sha = [System.Security.Cryptography.SHA256]::Create()
    try {
        $bytes = $sha.ComputeHash([System.Text.Encoding]::UTF8.GetBytes($Text))
    } finally {
        $sha.Dispose()
    }
    [System.BitConverter]::ToString($bytes, 0, 8).Replace('-', '').ToLowerInvariant()
}

function script:Get-CsodInteropFileStamp {
    # The files of the bridge ($script:CsodInteropFiles, in order) as
    # 'name|length|write time|name|...': one stat each, no read. Baked into
    # the compiled type (its SourceStamp), which the import's fast path asks
    # whether the files are still these (SourceUnchanged).
    $parts = foreach ($name in $script:CsodInteropFiles) {
        $cs = [System.IO.FileInfo]::new([System.IO.Path]::Combine($script:ModuleRoot, 'Private', 'Interop', $name))
        $name + '|' + $cs.Length + '|' + $cs.LastWriteTimeUtc.Ticks
    }
    [string]::Join('|', [string[]]@($parts))
}

function script:Get-CsodInteropStamp([string] $LibraryPath) {
    # What identifies the compiled interop (Key): the module version, the
    # name, length and write time of each Interop/*.cs file (an edit of any
    # of them gets the bridge a new name, so a stale compiled copy is never
    # loaded) and the library's absolute path (baked into the DllImport
    # attributes); cheap: one stat a file, no read of the source. From it,
    # the type name and the cache file's hash.
    $moduleVersion = Get-CsodModuleVersion
    $files = Get-CsodInteropFileStamp
    $paths = @(foreach ($name in $script:CsodInteropFiles) { [System.IO.Path]::Combine($script:ModuleRoot, 'Private', 'Interop', $name) })
    $key = '{0}|{1}|{2}' -f $moduleVersion, $files, $LibraryPath
    $hash = Get-CsodStampHash $key
    $suffix = 'v' + ($moduleVersion -replace '[^0-9A-Za-z]', '_') + '_' + $hash
    @{
        Key      = $key
        TypeName = 'CsOnlineDiagnostics.Interop.Native' + $suffix
        Suffix   = $suffix
        Hash     = $hash
        Files    = $files
        Paths    = $paths
    }
}

function script:Get-CsodInteropSource([string] $LibraryPath) {
    # The exact C# handed to Add-Type for the library at $LibraryPath (the
    # Interop/*.cs files joined in order, their stamp filled in after the
    # stat and before the read: an edit in between compiles again next
    # time), and the versioned type name it defines (read only when it must
    # be compiled).
    $stamp = Get-CsodInteropStamp $LibraryPath
    $template = [string]::Join("`n", [string[]]@(foreach ($path in $stamp.Paths) { [System.IO.File]::ReadAllText($path) }))
    $source = $template.Replace('__SUFFIX__', $stamp.Suffix).Replace('__LIBRARY__', $LibraryPath.Replace('"', '""')).Replace('__STAMP__', $stamp.Files.Replace('"', '""'))
    @{
        Source   = $source
        TypeName = $stamp.TypeName
        Hash     = $stamp.Hash
    }
}

function script:Get-CsodModuleVersion {
    # The module version from the manifest next to this file (read once).
    if (-not $script:CsodModuleVersion) {
        $manifest = [System.IO.Path]::Combine($script:ModuleRoot, 'CsOnlineDiagnostics.psd1')
        $text = [System.IO.File]::ReadAllText($manifest)
        $m = [regex]::Match($text, "ModuleVersion\s*=\s*'([^']+)'")
        if ($m.Success) { $script:CsodModuleVersion = $m.Groups[1].Value } else { $script:CsodModuleVersion = '0.0.0' }
    }
    $script:CsodModuleVersion
}

function script:Get-CsodInteropPointer {
    # The cache's record of the last compiled copy this runtime loaded
    # (last-<runtime>.txt: its key, its file, its type), and the runtime:
    # a compiled copy depends on the runtime that compiled it too.
    # (PSEdition: Desktop or Core, from Windows PowerShell 5.1 on.)
    $runtime = [string]$PSVersionTable.PSEdition + [System.Environment]::Version.Major
    $cacheDir = Get-CsodCacheDirectory
    @{ Runtime = $runtime; Directory = $cacheDir; Path = [System.IO.Path]::Combine($cacheDir, 'last-' + $runtime + '.txt') }
}

function script:Import-CsodInterop([string] $LibraryPath) {
    # Defines the interop type for $LibraryPath when the fast path of
    # Initialize-CsodNative had none for it: a compiled copy from the per-user cache, named by the
    # stamp (loaded with Assembly.LoadFrom: no Add-Type, no compiler), and
    # only then compiling the C# (and caching the result). Records it for
    # the fast path (the AppDomain's data, last-<runtime>.txt).
    # (No lookup of the type by name: a lookup that finds nothing searches
    # every assembly.)
    $pointer = Get-CsodInteropPointer
    $cacheDir = $pointer.Directory
    $stamp = Get-CsodInteropStamp $LibraryPath
    $cached = [System.IO.Path]::Combine($cacheDir, ('CsOnlineDiagnostics.Interop.{0}.{1}.dll' -f $pointer.Runtime, $stamp.Hash))
    $type = $null
    if ([System.IO.File]::Exists($cached)) {
        try {
            $assembly = [System.Reflection.Assembly]::LoadFrom($cached)
            $type = $assembly.GetType($stamp.TypeName, $false)
            if ($type) {
                Write-CsodLoadVerbose ('csod: loaded the compiled interop from {0}' -f $cached)
                $script:CsodInteropOrigin = 'cache'
            } else {
                Write-CsodLoadVerbose ('csod: cached interop {0} lacks {1}; compiling again' -f $cached, $stamp.TypeName)
            }
        } catch {
            Write-CsodLoadVerbose ('csod: cached interop {0} unusable ({1}); compiling again' -f $cached, $_.Exception.Message)
        }
    }
    if (-not $type) {
        # No usable compiled copy: compile (Private/Compile.ps1, parsed only then).
        Import-CsodPrivate Compile
        $type = Invoke-CsodInteropCompile -LibraryPath $LibraryPath -CacheDirectory $cacheDir -CachedPath $cached
    }
    if ($type) {
        # The record's key: the module folder and the files' stamp (the
        # fast path loads a record's copy for this folder only, then asks it
        # whether the files are unchanged).
        [System.AppDomain]::CurrentDomain.SetData('CsOnlineDiagnostics.Interop|' + $script:ModuleRoot, $type)
        if ([System.IO.File]::Exists($cached)) { Set-CsodInteropPointer -Pointer $pointer.Path -Key ($script:ModuleRoot + '|' + $stamp.Files) -Path $cached -TypeName $stamp.TypeName }
    }
    $type
}

function script:Set-CsodInteropPointer([string] $Pointer, [string] $Key, [string] $Path, [string] $TypeName) {
    # Writes last-<runtime>.txt for the next import (a unique file moved
    # into place); a cache that cannot be written only costs the next
    # import the stamp.
    $temp = $Pointer + '.' + [System.Guid]::NewGuid().ToString('N')
    try {
        [System.IO.File]::WriteAllLines($temp, [string[]]@($Key, $Path, $TypeName))
        if ([System.IO.File]::Exists($Pointer)) {
            [System.IO.File]::Replace($temp, $Pointer, [NullString]::Value)
        } else {
            [System.IO.File]::Move($temp, $Pointer)
        }
    } catch {
        Write-CsodLoadVerbose ('csod: cannot write {0} ({1})' -f $Pointer, $_.Exception.Message)
        try { [System.IO.File]::Delete($temp) } catch { }
    }
}
