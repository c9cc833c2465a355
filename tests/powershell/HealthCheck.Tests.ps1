# The health check (csod_diagnose through Test-CsOnlineConnector): shape,
# -AsJson, -Quiet, -Redact, -Endpoint, -TimeoutSec, probes for an error, the
# host facts PowerShell hands over (Windows-only ones mocked), progress,
# verbose narration and errors.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-TestModule
    $script:Statuses = 'ok', 'problem', 'warning', 'unknown', 'not_applicable'
    # One health check shared by the shape tests (probes bounded at 2 s).
    $script:Findings = @(Test-CsOnlineConnector -TimeoutSec 2 -Language en)
    $script:Json = Test-CsOnlineConnector -TimeoutSec 2 -Language en -AsJson
}

Describe 'Health check shape' {
    It 'returns CsOnlineDiagnostics.Finding objects' {
        $script:Findings.Count | Should -BeGreaterThan 3
        foreach ($f in $script:Findings) { $f.PSObject.TypeNames[0] | Should -Be 'CsOnlineDiagnostics.Finding' }
    }

    It 'every finding has an id, a known status, a summary and list-valued evidence and resolution' {
        foreach ($f in $script:Findings) {
            $f.Id | Should -Match '^[a-z0-9_.-]+$'
            $f.Status | Should -BeIn $script:Statuses
            $f.Summary | Should -Not -BeNullOrEmpty
            , $f.Evidence | Should -BeOfType [string[]]
            , $f.Resolution | Should -BeOfType [string[]]
        }
        @($script:Findings.Id | Select-Object -Unique).Count | Should -Be $script:Findings.Count
    }

    It 'names catalog problems only by their catalog ids' {
        $ids = (Get-CsOnlineConnectorProblem -Language en).Id
        foreach ($f in $script:Findings | Where-Object Problem) { $f.Problem | Should -BeIn $ids }
    }

    It 'checks the network endpoints, the PowerShell version and the execution policy' {
        @($script:Findings | Where-Object Id -like 'network.*').Count | Should -BeGreaterOrEqual 1
        $script:Findings.Problem | Should -Contain 'powershell_version'
        $script:Findings.Problem | Should -Contain 'execution_policy'
    }

    It 'prints as a table of Status, Problem and Summary and lists evidence, resolution and fix' {
        $table = $script:Findings | Out-String -Width 200
        $table | Should -Match 'Status\s+Problem\s+Summary'
        $list = $script:Findings | Format-List | Out-String -Width 200
        $list | Should -Match 'Evidence\s+:'
        $list | Should -Match 'Resolution\s+:'
        $list | Should -Match 'Fix\s+:'
    }
}

Describe 'Health check options' {
    It '-AsJson writes the library document, which round-trips through ConvertFrom-Json' {
        $script:Json | Should -BeOfType [string]
        $doc = $script:Json | ConvertFrom-Json
        $doc.schema | Should -Be 1
        $doc.language | Should -Be 'en'
        $doc.timeout_ms | Should -Be 2000
        @($doc.findings).Count | Should -Be $script:Findings.Count
        @($doc.facts).Count | Should -BeGreaterThan 0
        ($doc | ConvertTo-Json -Depth 20 | ConvertFrom-Json).schema | Should -Be 1
    }

    It '-Quiet returns a single boolean that says whether any finding is a problem' {
        $q = Test-CsOnlineConnector -Quiet -TimeoutSec 2
        @($q).Count | Should -Be 1
        $q | Should -BeOfType [bool]
        $q | Should -Be (-not ($script:Findings.Status -contains 'problem'))
    }

    It '-Endpoint name=host:port is checked as network.<name>' {
        $f = Test-CsOnlineConnector -Endpoint 'probe-test=127.0.0.1:9' -TimeoutSec 1 -Language en
        $net = @($f | Where-Object Id -like 'network.*')
        $net.Id | Should -Be @('network.probe-test')
        ($net.Evidence -join ' ') | Should -Match '127\.0\.0\.1'
    }

    It 'refuses a malformed -Endpoint with a clear terminating error' {
        { Test-CsOnlineConnector -Endpoint 'a b:c:d' -ErrorAction Stop } | Should -Throw -ErrorId 'CsodBadEndpoint*'
    }

    It 'validates -TimeoutSec' {
        { Test-CsOnlineConnector -TimeoutSec 0 } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
    }

    It '-Language fr gives French summaries' {
        $doc = Test-CsOnlineConnector -Language fr -TimeoutSec 1 -AsJson | ConvertFrom-Json
        $doc.language | Should -Be 'fr'
        $en = $script:Json | ConvertFrom-Json
        ($doc.findings.summary -join '|') | Should -Not -Be ($en.findings.summary -join '|')
    }

    It '-Redact leaves neither this machine''s nor generated user and host names behind' {
        $rand = -join ((97..122) | Get-Random -Count 8 | ForEach-Object { [char]$_ })
        $hostName = 'srv' + $rand + '.corp' + $rand + '.example.com'
        $plain = Test-CsOnlineConnector -Endpoint "probe=$($hostName):443" -TimeoutSec 1 -AsJson
        $plain | Should -Match ([regex]::Escape($hostName)) -Because 'the control run shows the name'
        $objects = Test-CsOnlineConnector -Endpoint "probe=$($hostName):443" -TimeoutSec 1 -Redact
        $json = Test-CsOnlineConnector -Endpoint "probe=$($hostName):443" -TimeoutSec 1 -Redact -AsJson
        { $json | ConvertFrom-Json } | Should -Not -Throw
        $all = ($objects | ConvertTo-Json -Depth 10) + $json
        $secrets = @($hostName, $rand, [System.Environment]::MachineName, [System.Environment]::UserName) | Where-Object { $_ -and $_.Length -ge 3 }
        foreach ($s in $secrets) { $all | Should -Not -Match ('(?i)(?<![\w])' + [regex]::Escape($s) + '(?![\w])') }
        $all | Should -Match '<host>'
    }
}

Describe 'Host facts handed to the library (Windows-only facts mocked)' {
    It 'passes Get-ExecutionPolicy -List and the effective policy (mocked as Windows would answer)' {
        Mock -ModuleName CsOnlineDiagnostics Get-ExecutionPolicy -ParameterFilter { $List } -MockWith {
            foreach ($p in @(@('MachinePolicy', 'Undefined'), @('UserPolicy', 'Undefined'), @('Process', 'Undefined'), @('CurrentUser', 'AllSigned'), @('LocalMachine', 'Restricted'))) {
                [pscustomobject]@{ Scope = $p[0]; ExecutionPolicy = $p[1] }
            }
        }
        Mock -ModuleName CsOnlineDiagnostics Get-ExecutionPolicy -ParameterFilter { -not $List } -MockWith { 'AllSigned' }
        $facts = & (Get-Module CsOnlineDiagnostics) { Get-CsodHostFacts }
        $facts.execution_policy['CurrentUser'] | Should -Be 'AllSigned'
        $facts.execution_policy['LocalMachine'] | Should -Be 'Restricted'
        $facts.effective_execution_policy | Should -Be 'AllSigned'
        $json = Test-CsOnlineConnector -TimeoutSec 1 -AsJson
        $json | Should -Match 'AllSigned'
        Should -Invoke -ModuleName CsOnlineDiagnostics Get-ExecutionPolicy -ParameterFilter { $List }
    }

    It 'passes edition, version, OS, culture and WSMan client availability' {
        $facts = & (Get-Module CsOnlineDiagnostics) { Get-CsodHostFacts }
        $facts.edition | Should -Be $PSVersionTable.PSEdition
        $facts.version | Should -Be ([string]$PSVersionTable.PSVersion)
        $facts.os | Should -BeIn 'Windows', 'Linux', 'macOS'
        $facts.ui_culture | Should -Be ([System.Globalization.CultureInfo]::CurrentUICulture.Name)
        $facts.wsman_client | Should -BeOfType [bool]
        if (-not $IsWindows) { $facts.wsman_client | Should -BeFalse -Because 'PowerShell 7 on Linux ships no WSMan client' }
    }

    It 'passes the sessions to the service with state and age, and the connector modules' {
        $id = [guid]::NewGuid()
        Mock -ModuleName CsOnlineDiagnostics Get-PSSession -MockWith {
            [pscustomobject]@{ Name = 'WinRM1'; ComputerName = 'admin1a.online.lync.com'; State = 'Opened'; Availability = 'Available'; InstanceId = $id }
            [pscustomobject]@{ Name = 'Other'; ComputerName = 'fileserver01'; State = 'Opened'; Availability = 'Available'; InstanceId = [guid]::NewGuid() }
        }.GetNewClosure()
        Mock -ModuleName CsOnlineDiagnostics Get-Module -ParameterFilter { $ListAvailable } -MockWith {
            [pscustomobject]@{ Name = 'SkypeOnlineConnector'; Version = [version]'7.0.0.0'; Path = 'C:\Program Files\Common Files\Skype for Business Online\Modules\SkypeOnlineConnector\SkypeOnlineConnector.psd1' }
        }
        & (Get-Module CsOnlineDiagnostics) { param($k) $script:CsodSessionFirstSeen = @{ $k = [datetime]::UtcNow.AddMinutes(-75) } } ([string]$id)
        $facts = & (Get-Module CsOnlineDiagnostics) { Get-CsodHostFacts }
        @($facts.sessions).Count | Should -Be 1
        $facts.sessions[0].computer_name | Should -Be 'admin1a.online.lync.com'
        $facts.sessions[0].state | Should -Be 'Opened'
        $facts.sessions[0].age_minutes | Should -BeGreaterOrEqual 75
        $facts.modules[0].name | Should -Be 'SkypeOnlineConnector'
        $findings = Test-CsOnlineConnector -TimeoutSec 1 -Language en
        ($findings | Where-Object Problem -eq 'connector_retired').Status | Should -Contain 'problem'
        ($findings | Where-Object Problem -eq 'session_expired').Status | Should -BeIn 'problem', 'warning'
    }
}

Describe 'Probes for an error, progress, verbose, errors' {
    It 'runs the probes for a diagnosed error, findings that explain the match first' {
        # Three sessions open here explain "too many shells for this user".
        Mock -ModuleName CsOnlineDiagnostics Get-PSSession -MockWith {
            foreach ($i in 1..3) { [pscustomobject]@{ Name = "WinRM$i"; ComputerName = 'admin1a.online.lync.com'; State = 'Opened'; Availability = 'Available'; InstanceId = [guid]::NewGuid() } }
        }
        $er = New-RealErrorRecord -Problem shells_per_user -Message 'Connecting to remote server admin1a.online.lync.com failed with the following error message : The WS-Management service cannot process the request. The maximum number of concurrent shells for this user has been exceeded. Close existing shells or raise the quota for this user.'
        $d = $er | Test-CsOnlineConnector -TimeoutSec 1 -Language en
        $d.Problem | Should -Be 'shells_per_user'
        @($d.Findings).Count | Should -BeGreaterThan 0
        $d.Findings[0].PSObject.TypeNames[0] | Should -Be 'CsOnlineDiagnostics.Finding'
        $d.Findings[0].Problem | Should -Be 'shells_per_user'
        $d.Findings[0].Explains | Should -Contain 'shells_per_user'
        $json = $er | Test-CsOnlineConnector -TimeoutSec 1 -Language en -AsJson | ConvertFrom-Json
        $json.matches[0].id | Should -Be 'shells_per_user'
        @($json.findings).Count | Should -Be @($d.Findings).Count
    }

    It 'probes for a real failed New-PSSession too, still without a false match' {
        try { New-PSSession -ComputerName 'admin0a.online.lync.com' -ErrorAction Stop } catch { $caught = $_ }
        $d = $caught | Test-CsOnlineConnector -TimeoutSec 1 -Language en
        if ($caught.Exception.Message -match 'no supported WSMan client library') {
            # PowerShell on Linux or macOS without a WSMan client.
            $d.Problem | Should -Be 'pwsh_wsman_missing'
        } else {
            # With a WSMan client the host does not answer: no connector
            # problem may claim that.
            $connector = @(Get-CsOnlineConnectorProblem -Language en | Where-Object { $_.Family -eq 'connector' } | ForEach-Object { $_.Id })
            $connector.Count | Should -BeGreaterOrEqual 12
            $connector | Should -Not -Contain $d.Problem
        }
        @($d.Findings).Count | Should -BeGreaterThan 0
    }

    It 'shows progress while the probes run' {
        Mock -ModuleName CsOnlineDiagnostics Write-Progress -MockWith { }
        $null = Test-CsOnlineConnector -TimeoutSec 1
        Should -Invoke -ModuleName CsOnlineDiagnostics Write-Progress -ParameterFilter { $Status -like '*probes*' }
        Should -Invoke -ModuleName CsOnlineDiagnostics Write-Progress -ParameterFilter { $Completed }
    }

    It 'narrates with -Verbose' {
        $verbose = Test-CsOnlineConnector -TimeoutSec 1 -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
        ($verbose.Message -join "`n") | Should -Match 'csod: running the probes'
        ($verbose.Message -join "`n") | Should -Match 'csod: \d+ findings'
    }

    It 'turns a library failure into a terminating ErrorRecord with the library''s reason' {
        Mock -ModuleName CsOnlineDiagnostics Get-CsodHostFacts -MockWith { [ordered]@{ edition = 5 } }
        $err = $null
        try { Test-CsOnlineConnector -TimeoutSec 1 -ErrorAction Stop } catch { $err = $_ }
        $err | Should -Not -BeNullOrEmpty
        $err.FullyQualifiedErrorId | Should -BeLike 'CsodNativeCallFailed*'
        $err.CategoryInfo.Category | Should -Be 'InvalidResult'
        $err.Exception.Message | Should -Match 'csod_diagnose_w failed: .*edition'
    }
}

Describe 'The diagnosis''s top-level Fix fits this machine' {
    # The library's diagnose document for a Live ID sign-in failure on a
    # machine whose msoidsvc is disabled (as csod_diagnose builds it on
    # Windows; the Windows probes cannot run here, so the document is given).
    BeforeAll {
        $script:LiveIdError = New-RealErrorRecord -Problem liveid_connect_failed -Message 'Get-CsWebTicket : Failed to connect live id servers. Make sure proxy is enabled or machine has network connection to live id servers.'
        $catalogFix = (Get-CsOnlineConnectorProblem -Language en | Where-Object Id -eq 'liveid_connect_failed').Fix
        $script:CatalogFix = $catalogFix
        $script:DiagnoseDoc = {
            param($ServiceFix, [string[]] $Explains)
            [ordered]@{
                schema   = 1
                language = 'en'
                matches  = @([ordered]@{ id = 'liveid_connect_failed'; confidence = 0.9; title = 'Cannot reach the Live ID sign-in servers'; cause = 'c'; resolution = @('r'); fix = $catalogFix; doc = 'd' })
                findings = @(
                    [ordered]@{ id = 'sign_in_assistant.service'; problem = 'liveid_connect_failed'; status = 'problem'; summary = 'The sign-in assistant service (msoidsvc) is stopped'; evidence = @('service msoidsvc: state stopped, start type disabled'); resolution = @('The service is disabled: run Set-Service -Name msoidsvc -StartupType Automatic first, then Start-Service -Name msoidsvc, then try again.'); fix = $ServiceFix; explains = $Explains },
                    [ordered]@{ id = 'powershell.version'; problem = 'powershell_version'; status = 'ok'; summary = 'ok'; evidence = @(); resolution = $null; fix = $null }
                )
            } | ConvertTo-Json -Depth 6 -Compress
        }.GetNewClosure()
    }

    It 'takes the fix of the finding that explains the error: Set-Service before Start-Service for a disabled msoidsvc' {
        $doc = & $script:DiagnoseDoc 'Set-Service -Name msoidsvc -StartupType Automatic; Start-Service -Name msoidsvc' @('liveid_connect_failed')
        Mock -ModuleName CsOnlineDiagnostics Invoke-CsodDiagnoseCall -MockWith { @{ Json = $doc; Error = $null; Missing = $false } }.GetNewClosure()
        $d = $script:LiveIdError | Test-CsOnlineConnector -TimeoutSec 1 -Language en
        $d.Problem | Should -Be 'liveid_connect_failed'
        $d.Fix | Should -Be 'Set-Service -Name msoidsvc -StartupType Automatic; Start-Service -Name msoidsvc'
        $d.Fix | Should -Not -Be $script:CatalogFix
        $d.Matches[0].Fix | Should -Be $script:CatalogFix -Because 'the match keeps the catalog''s general fix'
    }

    It 'gives no top-level fix when the explaining finding has none (Group Policy decides)' {
        $doc = & $script:DiagnoseDoc $null @('liveid_connect_failed')
        Mock -ModuleName CsOnlineDiagnostics Invoke-CsodDiagnoseCall -MockWith { @{ Json = $doc; Error = $null; Missing = $false } }.GetNewClosure()
        $d = $script:LiveIdError | Test-CsOnlineConnector -TimeoutSec 1 -Language en
        $d.Fix | Should -BeNullOrEmpty
    }

    It 'keeps the catalog''s fix when no finding explains the error' {
        $doc = & $script:DiagnoseDoc 'Set-Service -Name msoidsvc -StartupType Automatic; Start-Service -Name msoidsvc' @()
        Mock -ModuleName CsOnlineDiagnostics Invoke-CsodDiagnoseCall -MockWith { @{ Json = $doc; Error = $null; Missing = $false } }.GetNewClosure()
        $d = $script:LiveIdError | Test-CsOnlineConnector -TimeoutSec 1 -Language en
        $d.Fix | Should -Be $script:CatalogFix
    }

    It 'fixes the session count with what it counted: the real library and sessions to both service hosts' {
        Mock -ModuleName CsOnlineDiagnostics Get-PSSession -MockWith {
            foreach ($c in 'admin1a.online.lync.com', 'admin1a.online.lync.com', 'api.interfaces.records.teams.microsoft.com') { [pscustomobject]@{ Name = 'S'; ComputerName = $c; State = 'Opened'; Availability = 'Available'; InstanceId = [guid]::NewGuid() } }
        }
        $f = Test-CsOnlineConnector -TimeoutSec 1 -Language en | Where-Object Id -eq 'sessions.count'
        $f.Status | Should -Be 'problem'
        $f.Fix | Should -Match ([regex]::Escape("-eq 'api.interfaces.records.teams.microsoft.com'"))
        # The fix removes exactly the sessions the finding counted.
        $sessions = @(
            [pscustomobject]@{ ComputerName = 'admin1a.online.lync.com' }, [pscustomobject]@{ ComputerName = 'api.interfaces.records.teams.microsoft.com' }, [pscustomobject]@{ ComputerName = 'fileserver01' }
        )
        $filter = [scriptblock]::Create(($f.Fix -replace '^Get-PSSession \| Where-Object \{(.*)\} \| Remove-PSSession$', '$1'))
        @($sessions | Where-Object $filter).ComputerName | Should -Be @('admin1a.online.lync.com', 'api.interfaces.records.teams.microsoft.com')
    }
}
