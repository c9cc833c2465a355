# The host facts only PowerShell knows, in the shape csod_diagnose reads ("host").

# Sessions this module saw, by InstanceId: when it first saw them (PowerShell
# does not record when a session was opened, so that is the age's lower bound).
$script:CsodSessionFirstSeen = $null
# What the library knows about the service and its tools (facts.json, through
# csod_catalog): read once per session.
$script:CsodServiceFacts = $null

function script:Get-CsodServiceFacts {
    # The library's facts.json as a dictionary: the service's remote
    # PowerShell hosts (hosts.service), the public domains -Redact keeps
    # (hosts.public_domains), the modules whose versions the host facts
    # report (modules.retired, .successors, .gallery) and the sign-in
    # assemblies (modules.assemblies). No copy of them lives in this module.
    # (The catalog's "facts" member, which the interop's warm-up thread
    # parsed with the output languages at import: no parse on a first answer.)
    if ($null -eq $script:CsodServiceFacts) {
        $facts = $script:CsodNative.Type::ServiceFacts()
        if ($null -eq $facts) {
            $r = $script:CsodNative.Type::TryCatalog('en')
            throw (New-CsodErrorRecord -Message ('csod_catalog: {0}' -f $r.Error) -ErrorId 'CsodCatalogFailed' -Category InvalidResult)
        }
        $script:CsodServiceFacts = $facts
    }
    $script:CsodServiceFacts
}
function script:Get-CsodReportedModuleNames {
    # Every module the host facts report (Get-Module -Name): the connector's,
    # its successors and the Gallery's tools, as facts.json lists them.
    , $script:CsodNative.Type::ReportedModuleNames((Get-CsodServiceFacts)['modules'])
}

function script:Get-CsodModuleFolders {
    # The versions of modules installed under PSModulePath's folders, from
    # the folders alone (the interop's ModuleFolders: Get-Module
    # -ListAvailable would analyse each manifest, ~0.5 s for PowerShellGet
    # and PackageManagement on a first answer), as objects shaped like
    # Get-Module's (Name, Version, Path, ModuleBase).
    param([string[]] $Names, [string] $ModulePath = [System.Environment]::GetEnvironmentVariable('PSModulePath'))
    foreach ($h in $script:CsodNative.Type::ModuleFolders($Names, $ModulePath)) { [pscustomobject]$h }
}

function script:Get-CsodLoadedAssemblies {
    # The sign-in assemblies (facts.json modules.assemblies) loaded in this
    # session: name, version, file and, in PowerShell 7, the load context
    # (the interop's LoadedAssemblies: a loop over every assembly costs
    # PowerShell ~25 ms). Two builds of one make the next module fail to
    # load or sign in.
    param([string[]] $Names)
    , $script:CsodNative.Type::LoadedAssemblies($Names)
}

function script:Get-CsodNuGetProvider {
    # The NuGet package provider of PackageManagement (which Install-Module
    # needs in Windows PowerShell 5.1), from its folders (Get-PackageProvider
    # would offer to download it): the newest version found, or $null.
    # Machine-wide under Program Files, per user under LocalAppData.
    param([string[]] $Roots)
    $best = $null
    $bestVersion = $null
    foreach ($root in $Roots) {
        if (-not $root) { continue }
        $dir = [System.IO.Path]::Combine($root, 'PackageManagement', 'ProviderAssemblies', 'nuget')
        if (-not [System.IO.Directory]::Exists($dir)) { continue }
        foreach ($sub in [System.IO.Directory]::GetDirectories($dir)) {
            $v = $null
            if (-not [System.Version]::TryParse([System.IO.Path]::GetFileName($sub), [ref]$v)) { continue }
            if ([System.IO.Directory]::GetFiles($sub, '*.dll').Length -eq 0) { continue }
            if ($null -eq $bestVersion -or $v -gt $bestVersion) { $bestVersion = $v; $best = $sub }
        }
    }
    if ($null -eq $best) { return $null }
    [ordered]@{ version = [string]$bestVersion; path = $best }
}

function script:Get-CsodHostFacts {
    # Everything csod_diagnose expects under "host": edition, version, OS,
    # execution policy at every scope (Get-ExecutionPolicy -List) and the
    # effective one, open sessions to the service (Get-PSSession), connector
    # modules installed and loaded (Get-Module: the connector's, its
    # successors and the Gallery's tools, side by side), UI culture, WSMan
    # client, the sign-in assemblies loaded, this session's
    # [Net.ServicePointManager]::SecurityProtocol and, on Windows, the NuGet
    # provider.
    # On Linux and macOS PowerShell reports Unrestricted everywhere: passed on
    # as reported, the library knows the OS. The interop's HostFacts shapes
    # what the cmdlets gave. $Notes: where to add verbose lines.
    param([object] $Notes)
    # (The platform the import found; Get-CsodPlatform when it did not.)
    $platform = $script:CsodPlatform
    if (-not $platform) {
        Import-CsodPrivate Loader
        $platform = Get-CsodPlatform
    }
    # (Desktop or Core, from Windows PowerShell 5.1 on.)
    $edition = [string]$PSVersionTable.PSEdition
    $policies = $null
    $effective = $null
    # Get-ExecutionPolicy by name when its module (Microsoft.PowerShell.Security)
    # is imported already, so whatever the session made of it (a proxy, a
    # test's mock) answers; otherwise its cmdlet class itself through a
    # CmdletInfo, which runs the same cmdlet without importing the module:
    # that autoload is ~60 ms of a fresh session's first answer. The
    # interop finds the class (ExecutionPolicyCommand: its assembly is not
    # loaded in a fresh PowerShell 7); by name when it cannot.
    # (One Get-Module for that module and the connector modules: each
    # cmdlet call costs a first answer its own binding.)
    $service = Get-CsodServiceFacts
    $moduleNames = Get-CsodReportedModuleNames
    $loaded = @(Get-Module -Name (@('Microsoft.PowerShell.Security') + $moduleNames) -ErrorAction SilentlyContinue)
    $securityLoaded = $false
    foreach ($m in $loaded) { if ($m.Name -eq 'Microsoft.PowerShell.Security') { $securityLoaded = $true } }
    $policy = 'Get-ExecutionPolicy'
    if (-not $securityLoaded) {
        $cmdlet = $script:CsodNative.Type::ExecutionPolicyCommand()
        if ($cmdlet) { $policy = [System.Management.Automation.CmdletInfo]::new('Get-ExecutionPolicy', $cmdlet) }
    }
    try {
        $policies = @(& $policy -List -ErrorAction Stop)
        $effective = & $policy -ErrorAction Stop
    } catch {
        if ($null -ne $Notes) { $Notes.Add((Get-CsodMessage VerbosePolicyFailed @($_.Exception.Message))) }
    }
    if (-not $script:CsodSessionFirstSeen) { $script:CsodSessionFirstSeen = @{} }
    $sessions = @(Get-PSSession -ErrorAction SilentlyContinue)
    # The Gallery's tools from their folders (cheap); the others as
    # Get-Module -ListAvailable lists them.
    $gallery = [string[]]@($service['modules']['gallery'])
    $listNames = @(foreach ($n in $moduleNames) { if ($gallery -notcontains $n) { $n } })
    $available = @(Get-Module -ListAvailable -Name $listNames -ErrorAction SilentlyContinue) + @(Get-CsodModuleFolders -Names $gallery)
    # Loaded and listed are told apart by folder (a loaded module's Path is
    # its root module, a listed one's its manifest). A module loaded from a
    # folder outside PSModulePath (Import-Module with a path) is not listed:
    # reported too, as loaded.
    # (Members read through PSObject: a mock or a deserialized module may
    # lack one, and the module runs in strict mode.)
    $listed = @{}
    foreach ($m in $available) {
        $base = $m.PSObject.Properties['ModuleBase']
        if ($base -and $base.Value) { $listed[[string]$base.Value] = $m }
    }
    $extra = [System.Collections.ArrayList]::new()
    $loadedPaths = [System.Collections.ArrayList]::new()
    foreach ($m in $loaded) {
        if ($m.Name -eq 'Microsoft.PowerShell.Security') { continue }
        $base = $m.PSObject.Properties['ModuleBase']
        $path = $m.PSObject.Properties['Path']
        $hit = $null
        if ($base -and $base.Value) { $hit = $listed[[string]$base.Value] }
        if ($hit) {
            [void]$loadedPaths.Add([pscustomobject]@{ Path = $hit.PSObject.Properties['Path'].Value })
        } elseif ($path -and $path.Value) {
            [void]$loadedPaths.Add([pscustomobject]@{ Path = $path.Value })
            [void]$extra.Add($m)
        }
    }
    $type = $script:CsodNative.Type
    $facts = $type::HostFacts($policies, $effective, $sessions, $loadedPaths.ToArray(), @($available + $extra.ToArray()), $script:CsodSessionFirstSeen, $edition, [string]$PSVersionTable.PSVersion, $platform.OsName, [System.Globalization.CultureInfo]::CurrentUICulture.Name, $type::WsmanClient($platform.Os, $PSHOME), [string[]]@($service['hosts']['service']))
    $facts['assemblies'] = Get-CsodLoadedAssemblies -Names ([string[]]@($service['modules']['assemblies']))
    $facts['security_protocol'] = [string][System.Net.ServicePointManager]::SecurityProtocol
    if ($platform.Os -eq 'win') {
        $facts['nuget_provider'] = Get-CsodNuGetProvider -Roots @([System.Environment]::GetFolderPath('ProgramFiles'), [System.Environment]::GetFolderPath('LocalApplicationData'))
    }
    $facts
}
