# Compiling the P/Invoke bridge (Private/Interop/*.cs) with Add-Type: only when
# no compiled copy of this version is in the per-user cache (the first import
# of a version, or an edited bridge).

function script:Invoke-CsodInteropCompile([string] $LibraryPath, [string] $CacheDirectory, [string] $CachedPath) {
    # Compiles the interop for $LibraryPath into the cache (a unique file moved
    # into place) and loads it; in memory when the cache cannot be written.
    $cacheDir = $CacheDirectory
    $cached = $CachedPath
    $interop = Get-CsodInteropSource $LibraryPath
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
        if (-not ($interop.TypeName -as [type])) { [void][System.Reflection.Assembly]::LoadFrom($load) }
        $compiled = $true
        Write-CsodLoadVerbose ('csod: compiled the interop once into {0}' -f $cached)
    } catch {
        Write-CsodLoadVerbose ('csod: cannot cache the interop ({0}); compiling in memory' -f $_.Exception.Message)
    }
    $script:CsodInteropOrigin = 'compiled'
    $type = $interop.TypeName -as [type]
    if (-not $type -and -not $compiled) {
        Add-Type -TypeDefinition $interop.Source -Language CSharp -ErrorAction Stop
        $type = $interop.TypeName -as [type]
    }
    $type
}
