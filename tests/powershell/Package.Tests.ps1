# The packaged module (scripts/package, run by tests/powershell/run.sh first):
# dist/CsOnlineDiagnostics/<version>/ imports by name in a fresh pwsh.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $script:Version = (Import-PowerShellDataFile $script:Manifest).ModuleVersion
    $script:Dist = Join-Path $script:RepoRoot 'dist'
    $script:Packaged = Join-Path $script:Dist "CsOnlineDiagnostics/$($script:Version)"
}

Describe 'Packaged module' {
    It 'dist/CsOnlineDiagnostics/(version) holds the module files' {
        $script:Packaged | Should -Exist -Because 'tests/powershell/run.sh runs scripts/package first'
        $interop = @(Get-ChildItem (Join-Path $script:ModuleDir 'Private/Interop') -Filter *.cs | ForEach-Object { 'Private/Interop/' + $_.Name })
        $interop.Count | Should -BeGreaterThan 1
        foreach ($f in @('CsOnlineDiagnostics.psd1', 'CsOnlineDiagnostics.psm1', 'CsOnlineDiagnostics.format.ps1xml', 'Public/Test-CsOnlineConnector.ps1', 'Public/Get-CsOnlineConnectorProblem.ps1', 'Private/Interop/Calls.cs') + $interop) {
            Join-Path $script:Packaged $f | Should -Exist
        }
        foreach ($f in Get-ChildItem $script:ModuleDir -Recurse -File) {
            $rel = $f.FullName.Substring($script:ModuleDir.Length + 1)
            (Get-FileHash (Join-Path $script:Packaged $rel)).Hash | Should -Be (Get-FileHash $f.FullName).Hash -Because "$rel must be the current source"
        }
    }

    It 'holds the Linux library and the Windows DLL under bin/(rid)/' {
        $so = Join-Path $script:Packaged 'bin/linux-x64/libcsod.so'
        $dll = Join-Path $script:Packaged 'bin/win-x64/csod.dll'
        $so | Should -Exist
        $dll | Should -Exist
        $soBytes = [System.IO.File]::ReadAllBytes($so)
        [System.Text.Encoding]::ASCII.GetString($soBytes, 1, 3) | Should -Be 'ELF'
        $dllBytes = [System.IO.File]::ReadAllBytes($dll)
        [System.Text.Encoding]::ASCII.GetString($dllBytes, 0, 2) | Should -Be 'MZ'
        foreach ($export in 'csod_abi_version', 'csod_classify_record_w', 'csod_catalog_w', 'csod_diagnose_w', 'csod_wstring_free') {
            [System.Text.Encoding]::ASCII.GetString($dllBytes) | Should -Match $export
        }
    }

    It 'imports by name in a fresh pwsh with dist on PSModulePath, from bin/(rid)/' {
        $sep = [System.IO.Path]::PathSeparator
        $cmd = @'
Import-Module CsOnlineDiagnostics -ErrorAction Stop
$m = Get-Module CsOnlineDiagnostics
"base=" + $m.ModuleBase
"version=" + $m.Version
"library=" + (& $m { $script:CsodNative.LibraryPath })
"problem=" + ('File C:\m\x.psm1 cannot be loaded because running scripts is disabled on this system.' | Test-CsOnlineConnector -Language en).Problem
"count=" + @(Get-CsOnlineConnectorProblem).Count
'@
        $r = Invoke-ChildPwsh -Command $cmd -Environment @{ PSModulePath = ($script:Dist + $sep + (Join-Path $script:RepoRoot '.tools/modules')); CSOD_CACHE_DIR = (Join-Path $TestDrive 'cache'); CSOD_LIBRARY = $null }
        $r.Text | Should -Match ('base=' + [regex]::Escape($script:Packaged))
        $r.Text | Should -Match ('version=' + [regex]::Escape($script:Version))
        $r.Text | Should -Match ('library=' + [regex]::Escape((Join-Path $script:Packaged 'bin/linux-x64/libcsod.so')))
        $r.Text | Should -Match 'problem=execution_policy'
        # Every problem of the catalog the library is built from.
        $catalogCount = @((Get-Content -Raw (Join-Path $script:RepoRoot 'src/catalog/problems.json') | ConvertFrom-Json).problems).Count
        $catalogCount | Should -BeGreaterThan 12
        $r.Text | Should -Match ('count=' + $catalogCount + '(\r?\n|$)')
    }

    It 'shows the try/catch examples with Get-Help -Examples from the packaged module' {
        $sep = [System.IO.Path]::PathSeparator
        $r = Invoke-ChildPwsh -Command 'Import-Module CsOnlineDiagnostics -ErrorAction Stop; Get-Help Test-CsOnlineConnector -Examples | Out-String -Width 200' -Environment @{ PSModulePath = ($script:Dist + $sep + (Join-Path $script:RepoRoot '.tools/modules')); CSOD_CACHE_DIR = (Join-Path $TestDrive 'cache') }
        $r.Text | Should -Match 'catch \{'
        $r.Text | Should -Match '\$_ \| Test-CsOnlineConnector'
        $r.Text | Should -Match 'New-CsOnlineSession'
    }
}
