# The host facts only PowerShell knows, in the shape csod_diagnose reads ("host").

# Remote endpoints of the Skype for Business Online connector and of the Teams
# module's Skype cmdlets (docs/facts.md#endpoints: *.online.lync.com; api.interfaces.records.teams.microsoft.com).
$script:CsodServiceHostPatterns = @('*.online.lync.com', 'api.interfaces.records.teams.microsoft.com')
$script:CsodConnectorModules = @('SkypeOnlineConnector', 'LyncOnlineConnector', 'MicrosoftTeams')
$script:CsodSessionFirstSeen = $null

function script:Get-CsodExecutionPolicyFacts {
    # Get-ExecutionPolicy -List as a scope -> policy map, and the effective policy.
    # On Linux and macOS PowerShell reports Unrestricted everywhere (and cannot
    # change it): the values are passed on as reported, the library knows the OS.
    $scopes = [ordered]@{}
    $effective = $null
    try {
        foreach ($entry in @(Get-ExecutionPolicy -List -ErrorAction Stop)) {
            $scopes[[string]$entry.Scope] = [string]$entry.ExecutionPolicy
        }
        $effective = [string](Get-ExecutionPolicy -ErrorAction Stop)
    } catch {
        Write-Verbose ('csod: Get-ExecutionPolicy failed: {0}' -f $_.Exception.Message)
    }
    [pscustomobject]@{ Scopes = $scopes; Effective = $effective }
}

function script:Get-CsodSessionFacts {
    # Open PSSessions to the service. PowerShell does not record when a session
    # was opened, so the age is only known for sessions this module saw before
    # (a lower bound, from the first time it saw them) and is null otherwise.
    if (-not $script:CsodSessionFirstSeen) { $script:CsodSessionFirstSeen = @{} }
    $now = [datetime]::UtcNow
    $list = New-Object System.Collections.Generic.List[object]
    foreach ($s in @(Get-PSSession -ErrorAction SilentlyContinue)) {
        if ($null -eq $s) { continue }
        $computer = [string]$s.ComputerName
        $isService = $false
        foreach ($p in $script:CsodServiceHostPatterns) { if ($computer -like $p) { $isService = $true } }
        if (-not $isService) { continue }
        $key = [string]$s.InstanceId
        $age = $null
        if ($script:CsodSessionFirstSeen.ContainsKey($key)) {
            $age = [math]::Round(($now - $script:CsodSessionFirstSeen[$key]).TotalMinutes, 1)
        } else {
            $script:CsodSessionFirstSeen[$key] = $now
        }
        $list.Add([ordered]@{
                name          = [string]$s.Name
                computer_name = $computer
                state         = [string]$s.State
                availability  = [string]$s.Availability
                age_minutes   = $age
            })
    }
    , $list.ToArray()
}

function script:Get-CsodModuleFacts {
    # The connector modules installed (Get-Module -ListAvailable) and loaded.
    $loaded = @{}
    foreach ($m in @(Get-Module -Name $script:CsodConnectorModules -ErrorAction SilentlyContinue)) { $loaded[$m.Path] = $true }
    $list = New-Object System.Collections.Generic.List[object]
    foreach ($m in @(Get-Module -ListAvailable -Name $script:CsodConnectorModules -ErrorAction SilentlyContinue)) {
        $list.Add([ordered]@{
                name    = [string]$m.Name
                version = [string]$m.Version
                path    = [string]$m.Path
                loaded  = [bool]$loaded.ContainsKey($m.Path)
            })
    }
    , $list.ToArray()
}

function script:Test-CsodWsmanClient {
    # Windows always has the WinRM client. PowerShell 7 on Linux and macOS needs
    # the separately installed WSMan client libraries (libmi, libpsrpclient).
    param([Parameter(Mandatory = $true)] [object] $Platform)
    if ($Platform.Os -eq 'win') { return $true }
    $ext = '.so'
    if ($Platform.Os -eq 'osx') { $ext = '.dylib' }
    foreach ($name in 'libpsrpclient', 'libmi') {
        if (-not [System.IO.File]::Exists([System.IO.Path]::Combine($PSHOME, $name + $ext))) { return $false }
    }
    $true
}

function script:Get-CsodHostFacts {
    # Everything csod_diagnose expects under "host".
    $platform = Get-CsodPlatform
    $edition = 'Desktop'
    if ($PSVersionTable.ContainsKey('PSEdition')) { $edition = [string]$PSVersionTable.PSEdition }
    $policy = Get-CsodExecutionPolicyFacts
    $facts = [ordered]@{
        edition                    = $edition
        version                    = [string]$PSVersionTable.PSVersion
        os                         = $platform.OsName
        execution_policy           = $policy.Scopes
        effective_execution_policy = $policy.Effective
        sessions                   = Get-CsodSessionFacts
        ui_culture                 = [System.Globalization.CultureInfo]::CurrentUICulture.Name
        modules                    = Get-CsodModuleFacts
        wsman_client               = Test-CsodWsmanClient -Platform $platform
    }
    if (-not $facts.effective_execution_policy) { $facts.Remove('effective_execution_policy') }
    $facts
}
