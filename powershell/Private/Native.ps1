# Finding, compiling (once) and loading the native csod library.
# Kept free of PowerShell 7-only syntax: this file also runs in Windows PowerShell 5.1.

# The ABI this module was written for (csod_abi_version()).
$script:CsodAbiVersion = 1
$script:CsodModuleVersion = $null
# How the interop type came to be: compiled, cache (compiled copy) or session (already loaded).
$script:CsodInteropOrigin = $null
$script:CsodInteropKey = $null

# New-CsodErrorRecord and the messages (Get-CsodMessage) live in
# Private/Messages.ps1, loaded on the first failure or message: an import,
# or an answer, that needs none never parses it. Until then these two stand
# in: they load it (which replaces them) and call the real one.
function New-CsodErrorRecord {
    param([string] $Message, [string] $ErrorId, [System.Management.Automation.ErrorCategory] $Category = 'NotSpecified', [object] $TargetObject = $null, [System.Exception] $InnerException = $null, [string] $RecommendedAction = $null)
    Import-CsodPrivate Messages
    New-CsodErrorRecord @PSBoundParameters
}

function Get-CsodMessage([string] $Name, [object[]] $Arguments = @(), [string] $Language) {
    Import-CsodPrivate Messages
    Get-CsodMessage -Name $Name -Arguments $Arguments -Language $Language
}

function Import-CsodPrivate([string] $Name) {
    # Dot-sources Private/<Name>.ps1 once (its functions are declared script:).
    if ($script:CsodPrivateLoaded.ContainsKey($Name)) { return }
    . ([System.IO.Path]::Combine($script:ModuleRoot, 'Private', $Name + '.ps1'))
    $script:CsodPrivateLoaded[$Name] = $true
}
$script:CsodPrivateLoaded = @{}

$script:CsodPlatform = $null

# The import path below is kept cheap on purpose (it runs at every
# Import-Module): plain functions (no [Parameter()] binding), no cmdlet that
# would load another module (Add-Type, New-Object, Write-Verbose unless
# -Verbose), no reading or hashing of the C# source once a compiled copy
# exists. See Import-CsodInterop.

function Write-CsodLoadVerbose([string] $Text) {
    # Write-Verbose lives in Microsoft.PowerShell.Utility: autoloading that
    # module costs more than the rest of the import, so only when asked.
    if ($VerbosePreference -ne 'SilentlyContinue') { Write-Verbose $Text }
}

function Get-CsodPlatform {
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

function Get-CsodLibraryCandidates([string] $ModuleRoot) {
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

function Get-CsodStampHash([string] $Text) {
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

function Get-CsodInteropStamp([string] $LibraryPath) {
    # What identifies the compiled interop (Key): the module version, the
    # length and write time of Native.cs (an edited bridge gets a new name,
    # so a stale compiled copy is never loaded) and the library's absolute
    # path (baked into the DllImport attributes); cheap: one stat, no read
    # of the source. From it, the type name and the cache file's hash.
    $moduleVersion = Get-CsodModuleVersion
    $path = [System.IO.Path]::Combine($script:ModuleRoot, 'Private', 'Native.cs')
    $cs = [System.IO.FileInfo]::new($path)
    $key = '{0}|{1}|{2}|{3}' -f $moduleVersion, $cs.Length, $cs.LastWriteTimeUtc.Ticks, $LibraryPath
    $hash = Get-CsodStampHash $key
    $suffix = 'v' + ($moduleVersion -replace '[^0-9A-Za-z]', '_') + '_' + $hash
    @{
        Key      = $key
        TypeName = 'CsOnlineDiagnostics.Interop.Native' + $suffix
        Suffix   = $suffix
        Hash     = $hash
        Path     = $path
    }
}

function Get-CsodInteropSource([string] $LibraryPath) {
    # The exact C# handed to Add-Type for the library at $LibraryPath, and the
    # versioned type name it defines (read only when it must be compiled).
    $stamp = Get-CsodInteropStamp $LibraryPath
    $template = [System.IO.File]::ReadAllText($stamp.Path)
    $source = $template.Replace('__SUFFIX__', $stamp.Suffix).Replace('__LIBRARY__', $LibraryPath.Replace('"', '""'))
    @{
        Source   = $source
        TypeName = $stamp.TypeName
        Hash     = $stamp.Hash
    }
}

function Get-CsodModuleVersion {
    # The module version from the manifest next to this file (read once).
    if (-not $script:CsodModuleVersion) {
        $manifest = [System.IO.Path]::Combine($script:ModuleRoot, 'CsOnlineDiagnostics.psd1')
        $text = [System.IO.File]::ReadAllText($manifest)
        $m = [regex]::Match($text, "ModuleVersion\s*=\s*'([^']+)'")
        if ($m.Success) { $script:CsodModuleVersion = $m.Groups[1].Value } else { $script:CsodModuleVersion = '0.0.0' }
    }
    $script:CsodModuleVersion
}

function Get-CsodCacheDirectory {
    # Per-user cache for the compiled interop assembly ($env:CSOD_CACHE_DIR overrides).
    # (Windows told by its path separator: Get-CsodPlatform is not on the
    # loader's fast path.)
    if ($env:CSOD_CACHE_DIR) { return $env:CSOD_CACHE_DIR }
    if ([System.IO.Path]::DirectorySeparatorChar -eq '\') {
        $base = $env:LOCALAPPDATA
        if (-not $base) { $base = [System.Environment]::GetFolderPath('LocalApplicationData') }
    } else {
        $base = $env:XDG_CACHE_HOME
        if (-not $base) { $base = [System.IO.Path]::Combine([System.Environment]::GetFolderPath('UserProfile'), '.cache') }
    }
    [System.IO.Path]::Combine($base, 'CsOnlineDiagnostics', 'interop')
}

function Get-CsodInteropPointer {
    # The cache's record of the last compiled copy this runtime loaded
    # (last-<runtime>.txt: its key, its file, its type), and the runtime:
    # a compiled copy depends on the runtime that compiled it too.
    $edition = 'Desktop'
    if ($PSVersionTable.ContainsKey('PSEdition')) { $edition = [string]$PSVersionTable.PSEdition }
    $runtime = $edition + [System.Environment]::Version.Major
    $cacheDir = Get-CsodCacheDirectory
    @{ Runtime = $runtime; Directory = $cacheDir; Path = [System.IO.Path]::Combine($cacheDir, 'last-' + $runtime + '.txt') }
}

function Find-CsodKnownInterop([string] $ModuleRoot) {
    # The loader's fast path: the interop type loaded before for this module
    # folder and this Native.cs (its length and write time: no read, no
    # hash), by this process (the AppDomain's data: Import-Module -Force, a
    # second runspace; origin "session") or by the last import of this
    # runtime (the cache's last-<runtime>.txt; origin "cache"). $null when
    # none; a torn or garbled record, or a file gone, is none. The caller
    # checks that it was compiled for the library the rules pick now.
    $cs = [System.IO.FileInfo]::new([System.IO.Path]::Combine($ModuleRoot, 'Private', 'Native.cs'))
    $key = $ModuleRoot + '|' + $cs.Length + '|' + $cs.LastWriteTimeUtc.Ticks
    $script:CsodInteropKey = $key
    $type = [System.AppDomain]::CurrentDomain.GetData('CsOnlineDiagnostics.Interop|' + $key)
    if ($type -is [type]) {
        $script:CsodInteropOrigin = 'session'
        return $type
    }
    $pointer = Get-CsodInteropPointer
    if ([System.IO.File]::Exists($pointer.Path)) {
        try {
            $last = [System.IO.File]::ReadAllLines($pointer.Path)
            if ($last.Length -eq 3 -and $last[0] -eq $key) {
                $type = [System.Reflection.Assembly]::LoadFrom($last[1]).GetType($last[2], $false)
                if ($type) {
                    $script:CsodInteropOrigin = 'cache'
                    return $type
                }
            }
        } catch {
            Write-CsodLoadVerbose ('csod: {0} unusable ({1})' -f $pointer.Path, $_.Exception.Message)
        }
    }
    $null
}

function Import-CsodInterop([string] $LibraryPath) {
    # Defines the interop type for $LibraryPath when Find-CsodKnownInterop
    # had none for it: a compiled copy from the per-user cache, named by the
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
        $key = $script:CsodInteropKey
        if (-not $key) {
            $cs = [System.IO.FileInfo]::new($stamp.Path)
            $key = $script:ModuleRoot + '|' + $cs.Length + '|' + $cs.LastWriteTimeUtc.Ticks
        }
        [System.AppDomain]::CurrentDomain.SetData('CsOnlineDiagnostics.Interop|' + $key, $type)
        if ([System.IO.File]::Exists($cached)) { Set-CsodInteropPointer -Pointer $pointer.Path -Key $key -Path $cached -TypeName $stamp.TypeName }
    }
    $type
}

function Set-CsodInteropPointer([string] $Pointer, [string] $Key, [string] $Path, [string] $TypeName) {
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

function Initialize-CsodNative([string] $ModuleRoot) {
    # Finds the library, loads the interop, checks the ABI (one call into the
    # library, so a missing, unloadable or mismatched library fails
    # Import-Module itself, never a later command). Throws an ErrorRecord
    # (CsodLibraryNotFound, CsodLibraryLoadFailed, CsodAbiMismatch) on failure.
    # The fast path: an interop loaded before for this module (see
    # Find-CsodKnownInterop) tells the platform and the library the rules
    # pick (its Platform and FindLibrary: a few lines of C# instead of
    # PowerShell's cold cost); when that is the library it was compiled
    # for, there is nothing else to find.
    $library = $null
    $type = Find-CsodKnownInterop $ModuleRoot
    if ($type) {
        $platform = $type::Platform()
        $library = $type::FindLibrary($ModuleRoot, $env:CSOD_LIBRARY, $platform)
        if ($library -ceq $type::LibraryPath) {
            $script:CsodPlatform = $platform
            if ($VerbosePreference -ne 'SilentlyContinue') { Write-CsodLoadVerbose ('csod: native library {0}, interop {1} ({2})' -f $library, $type.FullName, $script:CsodInteropOrigin) }
        } else {
            $type = $null
            $library = $null
        }
    }
    if (-not $type) {
        $platform = Get-CsodPlatform
    }
    if (-not $type -and -not $env:CSOD_LIBRARY) {
        # The packaged layout, the common case: one stat.
        $library = [System.IO.Path]::Combine($ModuleRoot, 'bin', $platform.Rid, $platform.LibraryName)
        if (-not [System.IO.File]::Exists($library)) { $library = $null }
    }
    if (-not $type -and -not $library) {
        $candidates = Get-CsodLibraryCandidates $ModuleRoot
        foreach ($c in $candidates) {
            if ([System.IO.File]::Exists($c)) { $library = $c; break }
        }
    }
    if (-not $library) {
        Import-CsodPrivate Messages
        $message = Get-CsodMessage LibraryNotFound @($platform.LibraryName, $platform.Rid, ($candidates -join '; '))
        throw (New-CsodErrorRecord -Message $message -ErrorId 'CsodLibraryNotFound' -Category ObjectNotFound -TargetObject ($candidates -join '; ') -RecommendedAction (Get-CsodMessage LibraryNotFoundAction))
    }
    try {
        if (-not $type) {
            if ($VerbosePreference -ne 'SilentlyContinue') { Write-CsodLoadVerbose ('csod: native library {0}' -f $library) }
            $type = Import-CsodInterop $library
        }
        $abi = $type::AbiVersion()
    } catch {
        Import-CsodPrivate Messages
        $inner = $_.Exception
        while ($inner -is [System.Management.Automation.MethodInvocationException] -and $inner.InnerException) { $inner = $inner.InnerException }
        $message = Get-CsodMessage LibraryLoadFailed @($library, $inner.Message, $platform.Rid)
        throw (New-CsodErrorRecord -Message $message -ErrorId 'CsodLibraryLoadFailed' -Category ResourceUnavailable -TargetObject $library -InnerException $inner)
    }
    if ($abi -ne $script:CsodAbiVersion) {
        Import-CsodPrivate Messages
        $message = Get-CsodMessage AbiMismatch @($library, $abi, (Get-CsodModuleVersion), $script:CsodAbiVersion)
        throw (New-CsodErrorRecord -Message $message -ErrorId 'CsodAbiMismatch' -Category InvalidResult -TargetObject $library -RecommendedAction (Get-CsodMessage AbiMismatchAction))
    }
    @{
        Type        = $type
        LibraryPath = $library
        Version     = $type::Version()
        Abi         = $abi
        Platform    = $platform
        Origin      = $script:CsodInteropOrigin
    }
}
