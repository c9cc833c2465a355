# The successors' host facts (issue 13): the Microsoft 365 admin modules
# installed side by side and the one loaded, the sign-in assemblies loaded in
# the session (two real MSAL.NET builds from NuGet, in a child process: an
# assembly cannot be unloaded), this session's SecurityProtocol, the NuGet
# provider, and the facts the module reads from the library instead of
# keeping copies.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-TestModule
    $script:Module = Get-Module CsOnlineDiagnostics
    # scripts/setup.sh --pwsh puts them there; a run without them fails here.
    $script:Msal = @{}
    foreach ($v in '4.61.3', '4.65.0') {
        $dll = Join-Path $script:RepoRoot ".tools/nuget/microsoft.identity.client/$v/lib/net6.0/Microsoft.Identity.Client.dll"
        if (-not (Test-Path -LiteralPath $dll)) { throw "Microsoft.Identity.Client $v is missing at $dll (scripts/setup.sh --pwsh installs it)" }
        $script:Msal[$v] = $dll
    }
    $script:LibraryPath = & $script:Module { $script:CsodNative.LibraryPath }
}

Describe 'Sign-in assemblies loaded in the session' {
    It 'reports two real builds of Microsoft.Identity.Client as a conflict before it bites, then as the cause of the error' {
        # 4.61.3 in the default load context (as a module's Add-Type puts
        # it), 4.65.0 beside it (as a module with its own load context
        # does); then a third module's Add-Type of 4.65.0 fails for real.
        $cmd = @'
$a = [Reflection.Assembly]::LoadFrom('{0}')
$b = [Reflection.Assembly]::LoadFile('{1}')
Import-Module '{2}'
$f = Test-CsOnlineConnector -TimeoutSec 1 -Language en | Where-Object Id -eq 'modules.assemblies'
'before=' + $f.Status
'summary=' + $f.Summary
foreach ($e in $f.Evidence) {{ 'evidence=' + $e }}
try {{ Add-Type -Path '{1}' }} catch {{ $err = $_ }}
'type=' + $err.Exception.GetType().FullName
$d = $err | Test-CsOnlineConnector -TimeoutSec 1 -Language en
'problem=' + $d.Problem
'first=' + $d.Findings[0].Id + ' ' + $d.Findings[0].Status + ' ' + ($d.Findings[0].Explains -join ',')
'@ -f $script:Msal['4.61.3'], $script:Msal['4.65.0'], $script:Manifest
        $r = Invoke-ChildPwsh -Command $cmd -Environment @{ CSOD_LIBRARY = $script:LibraryPath }
        $r.Text | Should -Match '(?m)^before=warning$'
        $r.Text | Should -Match '(?m)^summary=.*Microsoft\.Identity\.Client.*4\.61\.3\.0, 4\.65\.0\.0'
        @($r.Output | Where-Object { $_ -like 'evidence=loaded: Microsoft.Identity.Client *' }).Count | Should -Be 2
        $r.Text | Should -Match '(?m)^type=System\.IO\.FileLoadException$'
        $r.Text | Should -Match '(?m)^problem=assembly_load_conflict$'
        $r.Text | Should -Match '(?m)^first=modules\.assemblies problem assembly_load_conflict$'
    }

    It 'one build loaded is fine, and the facts carry its version, file and load context' {
        $cmd = @'
$a = [Reflection.Assembly]::LoadFrom('{0}')
Import-Module '{1}'
$facts = & (Get-Module CsOnlineDiagnostics) {{ Import-CsodImplementation -Part $script:CsodCoreParts; Get-CsodHostFacts }}
foreach ($x in $facts['assemblies']) {{ 'assembly=' + $x['name'] + '|' + $x['version'] + '|' + $x['location'] + '|' + $x['context'] }}
'status=' + (Test-CsOnlineConnector -TimeoutSec 1 -Language en | Where-Object Id -eq 'modules.assemblies').Status
'@ -f $script:Msal['4.65.0'], $script:Manifest
        $r = Invoke-ChildPwsh -Command $cmd -Environment @{ CSOD_LIBRARY = $script:LibraryPath }
        $r.Text | Should -Match ('(?m)^assembly=Microsoft\.Identity\.Client\|4\.65\.0\.0\|' + [regex]::Escape($script:Msal['4.65.0']) + '\|Default$')
        $r.Text | Should -Match '(?m)^status=ok$'
    }

    It 'lists only the assemblies facts.json names, from any AppDomain handed in' {
        $names = & $script:Module { [string[]]@((Get-CsodServiceFacts)['modules']['assemblies']) }
        $names | Should -Contain 'Microsoft.Identity.Client'
        $names | Should -Contain 'System.IdentityModel.Tokens.Jwt'
        # This process has System.Management.Automation loaded: asked for
        # it by name, it is found with its real version; not asked, not.
        $sma = [System.Management.Automation.PSObject].Assembly.GetName()
        $found = & $script:Module { Get-CsodLoadedAssemblies -Names @('System.Management.Automation') }
        @($found).Count | Should -Be 1
        $found[0]['version'] | Should -Be ([string]$sma.Version)
        $found[0]['location'] | Should -Be ([System.Management.Automation.PSObject].Assembly.Location)
        $none = & $script:Module { Get-CsodLoadedAssemblies -Names @('No.Such.Assembly') }
        , $none | Should -BeOfType [object[]]
        $none.Count | Should -Be 0
    }
}

Describe 'Microsoft 365 modules side by side' {
    BeforeAll {
        # Real module folders: MicrosoftTeams 5.9.0 and 5.10.0 side by side,
        # ExchangeOnlineManagement 3.4.0 alone, on a private PSModulePath.
        $script:ModRoot = Join-Path $TestDrive 'modules'
        foreach ($m in @(@('MicrosoftTeams', '5.9.0'), @('MicrosoftTeams', '5.10.0'), @('ExchangeOnlineManagement', '3.4.0'))) {
            $dir = Join-Path $script:ModRoot (Join-Path $m[0] $m[1])
            New-Item -ItemType Directory -Path $dir -Force | Out-Null
            Set-Content -LiteralPath (Join-Path $dir ($m[0] + '.psm1')) -Value 'function Get-TestVersion { $MyInvocation.MyCommand.Module.Version }'
            New-ModuleManifest -Path (Join-Path $dir ($m[0] + '.psd1')) -RootModule ($m[0] + '.psm1') -ModuleVersion $m[1] -FunctionsToExport 'Get-TestVersion'
        }
        # A module loaded by path, from a folder outside PSModulePath.
        $script:Outside = Join-Path $TestDrive 'outside/AzureAD'
        New-Item -ItemType Directory -Path $script:Outside -Force | Out-Null
        Set-Content -LiteralPath (Join-Path $script:Outside 'AzureAD.psm1') -Value '# test'
        New-ModuleManifest -Path (Join-Path $script:Outside 'AzureAD.psd1') -RootModule 'AzureAD.psm1' -ModuleVersion '2.0.2.180'
        $script:SavedPath = $env:PSModulePath
        $env:PSModulePath = $script:ModRoot + [System.IO.Path]::PathSeparator + $env:PSModulePath
    }
    AfterAll {
        $env:PSModulePath = $script:SavedPath
        Remove-Module MicrosoftTeams, ExchangeOnlineManagement, AzureAD -ErrorAction SilentlyContinue
    }

    It 'reports every version installed and the one loaded; an older one loaded is a warning naming the newer' {
        Import-Module MicrosoftTeams -RequiredVersion 5.9.0 -Global
        Import-Module (Join-Path $script:Outside 'AzureAD.psd1') -Global
        $facts = & $script:Module { Get-CsodHostFacts }
        $teams = @($facts['modules'] | Where-Object { $_['name'] -eq 'MicrosoftTeams' })
        @($teams | ForEach-Object { $_['version'] } | Sort-Object) | Should -Be @('5.10.0', '5.9.0')
        ($teams | Where-Object { $_['loaded'] })['version'] | Should -Be '5.9.0'
        ($facts['modules'] | Where-Object { $_['name'] -eq 'ExchangeOnlineManagement' })['loaded'] | Should -BeFalse
        $aad = @($facts['modules'] | Where-Object { $_['name'] -eq 'AzureAD' })
        $aad.Count | Should -Be 1
        $aad[0]['loaded'] | Should -BeTrue
        $aad[0]['version'] | Should -Be '2.0.2.180'
        $f = Test-CsOnlineConnector -TimeoutSec 1 -Language en | Where-Object Id -eq 'modules.versions'
        $f.Status | Should -Be 'warning'
        $f.Problem | Should -Be 'module_version_mismatch'
        $f.Summary | Should -Match 'MicrosoftTeams 5\.9\.0 is loaded although 5\.10\.0 is installed'
        $f.Resolution[0] | Should -Match 'Import-Module MicrosoftTeams -RequiredVersion 5\.10\.0'
        Remove-Module MicrosoftTeams
        Import-Module MicrosoftTeams -Global
        (Get-Module MicrosoftTeams).Version | Should -Be ([version]'5.10.0')
        (Test-CsOnlineConnector -TimeoutSec 1 -Language en | Where-Object Id -eq 'modules.versions').Status | Should -Be 'ok'
    }
}

Describe 'Gallery tools from their folders' {
    It 'reads the versions Get-Module -ListAvailable lists, without analysing a manifest' {
        $root = Join-Path $TestDrive 'gallery-modules'
        foreach ($m in @(@('PowerShellGet', '1.0.0.1'), @('PowerShellGet', '2.2.5'), @('PackageManagement', ''))) {
            $dir = Join-Path $root $m[0]
            if ($m[1]) { $dir = Join-Path $dir $m[1] }
            New-Item -ItemType Directory -Path $dir -Force | Out-Null
            $version = if ($m[1]) { $m[1] } else { '1.4.8.1' }
            New-ModuleManifest -Path (Join-Path $dir ($m[0] + '.psd1')) -ModuleVersion $version
        }
        # Not a version folder, and a version folder without the manifest.
        New-Item -ItemType Directory -Path (Join-Path $root 'PowerShellGet/backup') -Force | Out-Null
        New-Item -ItemType Directory -Path (Join-Path $root 'PowerShellGet/3.0.0') -Force | Out-Null
        $found = & $script:Module { Get-CsodModuleFolders -Names @('PowerShellGet', 'PackageManagement') -ModulePath $args[0] } $root
        $saved = $env:PSModulePath
        try {
            $env:PSModulePath = $root
            $listed = @(Get-Module -ListAvailable -Name PowerShellGet, PackageManagement)
        } finally { $env:PSModulePath = $saved }
        $listed.Count | Should -Be 3
        @($found | ForEach-Object { '{0} {1} {2}' -f $_.Name, $_.Version, $_.Path } | Sort-Object) |
            Should -Be @($listed | ForEach-Object { '{0} {1} {2}' -f $_.Name, $_.Version, $_.Path } | Sort-Object)
        @($found | ForEach-Object ModuleBase | Sort-Object) | Should -Be @($listed | ForEach-Object ModuleBase | Sort-Object)
    }
}

Describe 'TLS of this session, the NuGet provider' {
    It 'hands in [Net.ServicePointManager]::SecurityProtocol as it is now' {
        $saved = [System.Net.ServicePointManager]::SecurityProtocol
        try {
            [System.Net.ServicePointManager]::SecurityProtocol = [System.Net.SecurityProtocolType]::Tls12 -bor [System.Net.SecurityProtocolType]::Tls13
            (& $script:Module { Get-CsodHostFacts })['security_protocol'] | Should -Be 'Tls12, Tls13'
            $json = Test-CsOnlineConnector -TimeoutSec 1 -Language en -AsJson | ConvertFrom-Json
            ($json.facts | Where-Object id -eq 'host.security_protocol').value | Should -Be 'Tls12, Tls13'
        } finally {
            [System.Net.ServicePointManager]::SecurityProtocol = $saved
        }
    }

    It 'finds the newest NuGet provider folder holding a DLL, machine-wide or per user, or says none' {
        $machine = Join-Path $TestDrive 'pf'
        $user = Join-Path $TestDrive 'lad'
        & $script:Module { Get-CsodNuGetProvider -Roots @($args[0], $args[1]) } $machine $user | Should -BeNullOrEmpty
        foreach ($v in @(@($machine, '2.8.5.201'), @($user, '2.8.5.208'), @($user, '3.0.0.1'), @($user, 'not-a-version'))) {
            $dir = Join-Path $v[0] "PackageManagement/ProviderAssemblies/nuget/$($v[1])"
            New-Item -ItemType Directory -Path $dir -Force | Out-Null
            if ($v[1] -ne '3.0.0.1') { Set-Content -LiteralPath (Join-Path $dir 'Microsoft.PackageManagement.NuGetProvider.dll') -Value 'x' }
        }
        # 3.0.0.1 is an empty folder (an interrupted download): not a provider.
        $p = & $script:Module { Get-CsodNuGetProvider -Roots @($args[0], $args[1]) } $machine $user
        $p['version'] | Should -Be '2.8.5.208'
        $p['path'] | Should -Be (Join-Path $user 'PackageManagement/ProviderAssemblies/nuget/2.8.5.208')
    }
}

Describe 'Facts read from the library, not copied' {
    It 'takes the service hosts, modules and public domains from the library''s facts.json' {
        $facts = & $script:Module { Get-CsodServiceFacts }
        $doc = Get-Content -Raw -LiteralPath (Join-Path $script:RepoRoot 'src/catalog/facts.json') | ConvertFrom-Json
        @($facts['hosts']['service']) | Should -Be @($doc.hosts.service)
        @($facts['modules']['successors']) | Should -Be @($doc.modules.successors)
        $names = & $script:Module { Get-CsodReportedModuleNames }
        foreach ($n in @($doc.modules.retired) + @($doc.modules.successors) + @($doc.modules.gallery)) { $names | Should -Contain $n }
        # No copy of those lists in the module's scripts.
        foreach ($file in Get-ChildItem -LiteralPath (Join-Path $script:ModuleDir 'Private') -Filter *.ps1) {
            $text = Get-Content -Raw -LiteralPath $file.FullName
            $text | Should -Not -Match "'\*\.online\.lync\.com'" -Because $file.Name
            $text | Should -Not -Match "'msftauth\.net'" -Because $file.Name
            $text | Should -Not -Match "'ExchangeOnlineManagement'" -Because $file.Name
            $text | Should -Not -Match "'Connect-ExchangeOnline'" -Because $file.Name
        }
        & $script:Module { Import-CsodPrivate Redact; Test-CsodPublicHost 'webdir.online.lync.com' } | Should -BeTrue
        & $script:Module { Test-CsodPublicHost 'fileserver.contoso.com' } | Should -BeFalse
    }
}
