# Finding, compiling (once) and loading the native csod library.
# Kept free of PowerShell 7-only syntax: this file also runs in Windows PowerShell 5.1.

# The ABI this module was written for (csod_abi_version()).
$script:CsodAbiVersion = 1
$script:CsodModuleVersion = $null
# How the interop type came to be: compiled, cache (compiled copy) or session (already loaded).
$script:CsodInteropOrigin = $null
# The P/Invoke bridge: one partial class over these files of
# Private/Interop/, joined in this order into the one source Add-Type
# compiles (Loader.ps1, Get-CsodInteropSource). Their names, lengths and
# write times are the interop's stamp: editing any of them compiles the
# bridge again.
$script:CsodInteropFiles = @('Calls.cs', 'Loading.cs', 'Workers.cs', 'Text.cs', 'Members.cs', 'Errors.cs', 'HostFacts.cs', 'Context.cs', 'Objects.cs', 'Json.cs')

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
# exists. See Initialize-CsodNative (its slow path: Private/Loader.ps1).

function Write-CsodLoadVerbose([string] $Text) {
    # Write-Verbose lives in Microsoft.PowerShell.Utility: autoloading that
    # module costs more than the rest of the import, so only when asked.
    if ($VerbosePreference -ne 'SilentlyContinue') { Write-Verbose $Text }
}

function Get-CsodCacheDirectory {
    # Per-user cache for the compiled interop assembly ($env:CSOD_CACHE_DIR overrides).
    # (Windows told by its path separator: Get-CsodPlatform is not on the
    # loader's fast path. The environment read through .NET: the first
    # $env: read of a session costs a cold import the provider's start.)
    $dir = [System.Environment]::GetEnvironmentVariable('CSOD_CACHE_DIR')
    if ($dir) { return $dir }
    if ([System.IO.Path]::DirectorySeparatorChar -eq '\') {
        $base = [System.Environment]::GetEnvironmentVariable('LOCALAPPDATA')
        if (-not $base) { $base = [System.Environment]::GetFolderPath('LocalApplicationData') }
    } else {
        $base = [System.Environment]::GetEnvironmentVariable('XDG_CACHE_HOME')
        if (-not $base) { $base = [System.IO.Path]::Combine([System.Environment]::GetFolderPath('UserProfile'), '.cache') }
    }
    [System.IO.Path]::Combine($base, 'CsOnlineDiagnostics', 'interop')
}

function Initialize-CsodNative([string] $ModuleRoot) {
    # Finds the library, loads the interop, checks the ABI (one call into the
    # library, so a missing, unloadable or mismatched library fails
    # Import-Module itself, never a later command). Throws an ErrorRecord
    # (CsodLibraryNotFound, CsodLibraryLoadFailed, CsodAbiMismatch) on failure.
    # The fast path: the interop type loaded before for this module folder,
    # by this process (the AppDomain's data: Import-Module -Force, a second
    # runspace; origin "session") or by the last import of this runtime
    # (the cache's record, last-<runtime>.txt: origin "cache"; a torn or
    # garbled record, or a file gone, is none). It tells whether it was
    # compiled from the Interop/*.cs files as they are (its SourceUnchanged:
    # their names, lengths and write times, a stat each, no read, no hash),
    # the platform and the library the rules pick (its Platform and
    # FindLibrary: a few lines of C# instead of PowerShell's cold cost);
    # when the files are unchanged and that is the library it was compiled
    # for, there is nothing else to find. (Written inline: each function
    # call costs a cold import its own binding.)
    $library = $null
    $type = $null
    $known = [System.AppDomain]::CurrentDomain.GetData('CsOnlineDiagnostics.Interop|' + $ModuleRoot)
    if ($known -is [type]) {
        $type = $known
        $script:CsodInteropOrigin = 'session'
    } else {
        $cacheDir = Get-CsodCacheDirectory
        $record = [System.IO.Path]::Combine($cacheDir, 'last-' + $PSVersionTable.PSEdition + [System.Environment]::Version.Major + '.txt')
        if ([System.IO.File]::Exists($record)) {
            try {
                $last = [System.IO.File]::ReadAllLines($record)
                if ($last.Length -eq 3 -and $last[0].StartsWith($ModuleRoot + '|', [System.StringComparison]::OrdinalIgnoreCase)) {
                    $type = [System.Reflection.Assembly]::LoadFrom($last[1]).GetType($last[2], $false)
                    if ($type) { $script:CsodInteropOrigin = 'cache' }
                }
            } catch {
                $type = $null
                Write-CsodLoadVerbose ('csod: {0} unusable ({1})' -f $record, $_.Exception.Message)
            }
        }
    }
    if ($type) {
        # (A compiled copy from before SourceUnchanged existed lacks it: stale too.)
        $fresh = $false
        try { $fresh = $type::SourceUnchanged($ModuleRoot, $script:CsodInteropFiles) } catch { $fresh = $false }
        if (-not $fresh) { $type = $null }
    }
    if ($type) {
        $platform = $type::Platform()
        $library = $type::FindLibrary($ModuleRoot, [System.Environment]::GetEnvironmentVariable('CSOD_LIBRARY'), $platform)
        if ($library -ceq $type::LibraryPath) {
            $script:CsodPlatform = $platform
            if ($VerbosePreference -ne 'SilentlyContinue') { Write-CsodLoadVerbose ('csod: native library {0}, interop {1} ({2})' -f $library, $type.FullName, $script:CsodInteropOrigin) }
        } else {
            $type = $null
            $library = $null
        }
    }
    if (-not $type) {
        # The slow path (Private/Loader.ps1).
        Import-CsodPrivate Loader
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
        Import-CsodPrivate Loader
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
