# Finding, compiling (once) and loading the native csod library.
# Kept free of PowerShell 7-only syntax: this file also runs in Windows PowerShell 5.1.

# The ABI this module was written for (csod_abi_version()).
$script:CsodAbiVersion = 1
$script:CsodModuleVersion = $null
# How the interop type came to be: compiled, cache (compiled copy) or session (already loaded).
$script:CsodInteropOrigin = $null

function New-CsodErrorRecord {
    # An ErrorRecord with a stable FullyQualifiedErrorId and a category.
    param(
        [Parameter(Mandatory = $true)] [string] $Message,
        [Parameter(Mandatory = $true)] [string] $ErrorId,
        [System.Management.Automation.ErrorCategory] $Category = 'NotSpecified',
        [object] $TargetObject = $null,
        [System.Exception] $InnerException = $null,
        [string] $RecommendedAction = $null
    )
    if ($InnerException) {
        $exception = New-Object System.InvalidOperationException -ArgumentList $Message, $InnerException
    } else {
        $exception = New-Object System.InvalidOperationException -ArgumentList $Message
    }
    $record = New-Object System.Management.Automation.ErrorRecord -ArgumentList $exception, $ErrorId, $Category, $TargetObject
    if ($RecommendedAction) {
        $record.ErrorDetails = New-Object System.Management.Automation.ErrorDetails -ArgumentList $Message
        $record.ErrorDetails.RecommendedAction = $RecommendedAction
    }
    $record
}

$script:CsodPlatform = $null

function Get-CsodPlatform {
    # The OS, the process architecture, the runtime identifier used for the
    # packaged layout (bin/<rid>/) and the file name of the native library.
    if ($script:CsodPlatform) { return $script:CsodPlatform }
    $os = 'linux'
    $runtimeInfo = 'System.Runtime.InteropServices.RuntimeInformation' -as [type]
    if ([System.Environment]::OSVersion.Platform -eq [System.PlatformID]::Win32NT) {
        $os = 'win'
    } elseif ([System.Environment]::OSVersion.Platform -eq [System.PlatformID]::MacOSX) {
        $os = 'osx'
    } elseif ($runtimeInfo -and $runtimeInfo::IsOSPlatform([System.Runtime.InteropServices.OSPlatform]::OSX)) {
        $os = 'osx'
    }
    $arch = $null
    if ($runtimeInfo) {
        try { $arch = $runtimeInfo::ProcessArchitecture.ToString().ToLowerInvariant() } catch { $arch = $null }
    }
    if (-not $arch) {
        if ([System.Environment]::Is64BitProcess) { $arch = 'x64' } else { $arch = 'x86' }
    }
    switch ($os) {
        'win' { $file = 'csod.dll'; $name = 'Windows' }
        'osx' { $file = 'libcsod.dylib'; $name = 'macOS' }
        default { $file = 'libcsod.so'; $name = 'Linux' }
    }
    $script:CsodPlatform = [pscustomobject]@{
        Os          = $os
        OsName      = $name
        Arch        = $arch
        Rid         = $os + '-' + $arch
        LibraryName = $file
    }
    $script:CsodPlatform
}

function Get-CsodLibraryCandidates {
    # Absolute paths where the native library may be, in order of preference:
    # $env:CSOD_LIBRARY (an explicit override), the packaged layout next to the
    # manifest, then the development builds of a source checkout (the newer of
    # target/release and target/debug first).
    param([Parameter(Mandatory = $true)] [string] $ModuleRoot)
    $platform = Get-CsodPlatform
    if ($env:CSOD_LIBRARY) {
        return , @([System.IO.Path]::GetFullPath($env:CSOD_LIBRARY))
    }
    $list = New-Object System.Collections.Generic.List[string]
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

function Get-CsodInteropSource {
    # The exact C# handed to Add-Type for the library at $LibraryPath, and the
    # versioned type name it defines.
    param([Parameter(Mandatory = $true)] [string] $LibraryPath)
    $template = [System.IO.File]::ReadAllText([System.IO.Path]::Combine($script:ModuleRoot, 'Private', 'Native.cs'))
    $moduleVersion = Get-CsodModuleVersion
    $seed = $template + '|' + $LibraryPath + '|' + $moduleVersion
    $sha = [System.Security.Cryptography.SHA256]::Create()
    try {
        $bytes = $sha.ComputeHash([System.Text.Encoding]::UTF8.GetBytes($seed))
    } finally {
        $sha.Dispose()
    }
    $hash = [System.BitConverter]::ToString($bytes, 0, 8).Replace('-', '').ToLowerInvariant()
    $suffix = 'v' + ($moduleVersion -replace '[^0-9A-Za-z]', '_') + '_' + $hash
    $source = $template.Replace('__SUFFIX__', $suffix).Replace('__LIBRARY__', $LibraryPath.Replace('"', '""'))
    [pscustomobject]@{
        Source   = $source
        TypeName = 'CsOnlineDiagnostics.Interop.Native' + $suffix
        Hash     = $hash
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
    if ($env:CSOD_CACHE_DIR) { return $env:CSOD_CACHE_DIR }
    if ([System.Environment]::OSVersion.Platform -eq [System.PlatformID]::Win32NT) {
        $base = $env:LOCALAPPDATA
        if (-not $base) { $base = [System.Environment]::GetFolderPath('LocalApplicationData') }
    } else {
        $base = $env:XDG_CACHE_HOME
        if (-not $base) { $base = [System.IO.Path]::Combine([System.Environment]::GetFolderPath('UserProfile'), '.cache') }
    }
    [System.IO.Path]::Combine($base, 'CsOnlineDiagnostics', 'interop')
}

function Import-CsodInterop {
    # Defines the interop type for $LibraryPath, reusing (in this order) the type
    # already loaded in this session, a compiled copy from the per-user cache,
    # and only then compiling the C# (and caching the result).
    param([Parameter(Mandatory = $true)] [string] $LibraryPath)
    $interop = Get-CsodInteropSource -LibraryPath $LibraryPath
    $type = $interop.TypeName -as [type]
    if ($type) {
        Write-Verbose ('csod: reusing the interop type {0} already loaded in this session' -f $interop.TypeName)
        $script:CsodInteropOrigin = 'session'
        return $type
    }
    # The compiled copy depends on the runtime that compiled it too.
    $edition = 'Desktop'
    if ($PSVersionTable.ContainsKey('PSEdition')) { $edition = [string]$PSVersionTable.PSEdition }
    $runtime = $edition + [System.Environment]::Version.Major
    $cacheDir = Get-CsodCacheDirectory
    $cached = [System.IO.Path]::Combine($cacheDir, ('CsOnlineDiagnostics.Interop.{0}.{1}.dll' -f $runtime, $interop.Hash))
    if ([System.IO.File]::Exists($cached)) {
        try {
            Add-Type -Path $cached -ErrorAction Stop
            $type = $interop.TypeName -as [type]
            if ($type) {
                Write-Verbose ('csod: loaded the compiled interop from {0}' -f $cached)
                $script:CsodInteropOrigin = 'cache'
                return $type
            }
        } catch {
            Write-Verbose ('csod: cached interop {0} unusable ({1}); compiling again' -f $cached, $_.Exception.Message)
        }
    }
    $compiled = $false
    try {
        [void][System.IO.Directory]::CreateDirectory($cacheDir)
        # Compile to a unique file, then move it into place: two sessions
        # importing at once never see a half-written assembly.
        $temp = [System.IO.Path]::Combine($cacheDir, ('tmp-{0}.dll' -f [System.Guid]::NewGuid().ToString('N')))
        Add-Type -TypeDefinition $interop.Source -Language CSharp -OutputAssembly $temp -OutputType Library -ErrorAction Stop
        $load = $temp
        if (-not [System.IO.File]::Exists($cached)) {
            try { [System.IO.File]::Move($temp, $cached); $load = $cached } catch { $load = $temp }
        }
        # Some hosts load the assembly they just wrote; load it only if not.
        if (-not ($interop.TypeName -as [type])) { Add-Type -Path $load -ErrorAction Stop }
        $compiled = $true
        Write-Verbose ('csod: compiled the interop once into {0}' -f $cached)
    } catch {
        Write-Verbose ('csod: cannot cache the interop ({0}); compiling in memory' -f $_.Exception.Message)
    }
    $script:CsodInteropOrigin = 'compiled'
    $type = $interop.TypeName -as [type]
    if (-not $type -and -not $compiled) {
        Add-Type -TypeDefinition $interop.Source -Language CSharp -ErrorAction Stop
        $type = $interop.TypeName -as [type]
    }
    $type
}

function Initialize-CsodNative {
    # Finds the library, loads the interop, checks the ABI. Throws an ErrorRecord
    # (CsodLibraryNotFound, CsodLibraryLoadFailed, CsodAbiMismatch) on failure.
    param([Parameter(Mandatory = $true)] [string] $ModuleRoot)
    $platform = Get-CsodPlatform
    $candidates = Get-CsodLibraryCandidates -ModuleRoot $ModuleRoot
    $library = $null
    foreach ($c in $candidates) {
        if ([System.IO.File]::Exists($c)) { $library = $c; break }
    }
    if (-not $library) {
        $message = ('The csod native library ({0} for {1}) was not found. Looked at: {2}. Build it with "cargo build --release" in the source checkout, install the packaged module (scripts/package), or set $env:CSOD_LIBRARY to its absolute path.' -f $platform.LibraryName, $platform.Rid, ($candidates -join '; '))
        throw (New-CsodErrorRecord -Message $message -ErrorId 'CsodLibraryNotFound' -Category ObjectNotFound -TargetObject ($candidates -join '; ') -RecommendedAction 'Build or install the native library for this platform.')
    }
    Write-Verbose ('csod: native library {0}' -f $library)
    try {
        $type = Import-CsodInterop -LibraryPath $library
        $abi = $type::AbiVersion()
    } catch {
        $inner = $_.Exception
        while ($inner -is [System.Management.Automation.MethodInvocationException] -and $inner.InnerException) { $inner = $inner.InnerException }
        $message = ('The csod native library {0} could not be loaded: {1} (is it built for {2}?)' -f $library, $inner.Message, $platform.Rid)
        throw (New-CsodErrorRecord -Message $message -ErrorId 'CsodLibraryLoadFailed' -Category ResourceUnavailable -TargetObject $library -InnerException $inner)
    }
    if ($abi -ne $script:CsodAbiVersion) {
        $message = ('The csod native library {0} has ABI version {1}, but this module (CsOnlineDiagnostics {2}) needs ABI version {3}. Install the library and the module from the same build.' -f $library, $abi, (Get-CsodModuleVersion), $script:CsodAbiVersion)
        throw (New-CsodErrorRecord -Message $message -ErrorId 'CsodAbiMismatch' -Category InvalidResult -TargetObject $library -RecommendedAction 'Rebuild the library or reinstall the module so that both come from the same version.')
    }
    [pscustomobject]@{
        Type        = $type
        LibraryPath = $library
        Version     = $type::Version()
        Abi         = $abi
        Platform    = $platform
        Origin      = $script:CsodInteropOrigin
    }
}
