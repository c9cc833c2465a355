# The host facts only PowerShell knows, in the shape csod_diagnose reads ("host").

# Remote endpoints of the Skype for Business Online connector and of the Teams
# module's Skype cmdlets (docs/facts.md#endpoints: *.online.lync.com; api.interfaces.records.teams.microsoft.com).
$script:CsodServiceHostPatterns = [string[]]@('*.online.lync.com', 'api.interfaces.records.teams.microsoft.com')
$script:CsodConnectorModules = @('SkypeOnlineConnector', 'LyncOnlineConnector', 'MicrosoftTeams')
# Sessions this module saw, by InstanceId: when it first saw them (PowerShell
# does not record when a session was opened, so that is the age's lower bound).
$script:CsodSessionFirstSeen = $null

function script:Get-CsodHostFacts {
    # Everything csod_diagnose expects under "host": edition, version, OS,
    # execution policy at every scope (Get-ExecutionPolicy -List) and the
    # effective one, open sessions to the service (Get-PSSession), connector
    # modules installed and loaded (Get-Module), UI culture, WSMan client.
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
    $loaded = @(Get-Module -Name (@('Microsoft.PowerShell.Security') + $script:CsodConnectorModules) -ErrorAction SilentlyContinue)
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
    $available = @(Get-Module -ListAvailable -Name $script:CsodConnectorModules -ErrorAction SilentlyContinue)
    $type = $script:CsodNative.Type
    $type::HostFacts($policies, $effective, $sessions, $loaded, $available, $script:CsodSessionFirstSeen, $edition, [string]$PSVersionTable.PSVersion, $platform.OsName, [System.Globalization.CultureInfo]::CurrentUICulture.Name, $type::WsmanClient($platform.Os, $PSHOME), $script:CsodServiceHostPatterns)
}
