# Recognising the catalog's problems through the cmdlets: from text (the corpus
# in tests/corpus/*.json: every language, output in English and French), from real ErrorRecords and
# exceptions, and a real failed New-PSSession on this machine. Also the catalog
# command, -Language, -AsJson, -Quiet and -Redact on classified errors.

BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-TestModule
    $samples = @(Get-CorpusSamples)
    $script:TextCases = @($samples | Where-Object { $_.Text } | ForEach-Object {
            @{ Language = $_.Language; Out = (Get-OutputLanguage $_.Language); Index = $_.Index; Expect = $_.Expect; Name = $(if ($_.Expect) { $_.Expect } else { 'no known problem' }); Text = $_.Text; Source = $_.Source; Fields = $_.Fields }
        })
    $script:RecordCases = @($samples | Where-Object { $_.Record } | ForEach-Object {
            @{ Language = $_.Language; Index = $_.Index; Expect = $_.Expect; Name = $(if ($_.Expect) { $_.Expect } else { 'no known problem' }); Record = $_.Record; Source = $_.Source }
        })
    # Every problem, in every language its lexicons cover, from the first
    # sample of that problem and language in the corpus or, failing that, in
    # the design families of tests/samples. Problems for which no public text
    # exists in some languages (tests/corpus.rs, NO_PUBLIC_TEXT: recognised
    # there through language-free signals) have no case in those languages.
    $design = @(Get-DesignSamples)
    $noPublicText = @('winrm_basic_auth', 'session_expired', 'connector_retired')
    $catalog = Get-CsOnlineConnectorProblem -Language en
    $script:ProblemLanguageCases = foreach ($p in $catalog) {
        # The remoting and modules problems have real texts mostly in English
        # (tests/corpus.rs checks their number and their codes).
        if ($p.Family -and $p.Family -ne 'connector') { continue }
        foreach ($lang in @($p.Signals.message_languages)) {
            $sample = @($samples) + $design | Where-Object { $_.Expect -eq $p.Id -and $_.Language -eq $lang -and $_.Text } | Select-Object -First 1
            if (-not $sample -and $noPublicText -contains $p.Id) { continue }
            @{ Problem = $p.Id; Language = $lang; Out = (Get-OutputLanguage $lang); Text = $(if ($sample) { $sample.Text } else { $null }) }
        }
    }
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-TestModule
    $script:Catalog = @{}
    foreach ($lang in 'en', 'fr') {
        $script:Catalog[$lang] = @{}
        foreach ($p in Get-CsOnlineConnectorProblem -Language $lang) { $script:Catalog[$lang][$p.Id] = $p }
    }
    # The message as the exception carries it: the console view without the
    # "Command : " prefix and the "+ CategoryInfo" tail.
    function Get-ExceptionMessage([string] $Text) {
        $t = ($Text -split "`n" | Where-Object { $_ -notmatch '^\s*(\+|At line:|Line \||\|)' }) -join "`n"
        $t -replace '^[A-Za-z]+-[A-Za-z]+ ?: ', ''
    }
}

Describe 'Text from the corpus (-Message)' {
    It '<Language> sample <Index> is recognised as <Name> (<Source>)' -ForEach $script:TextCases {
        $d = $Text | Test-CsOnlineConnector -Language $Out
        $d.PSObject.TypeNames[0] | Should -Be 'CsOnlineDiagnostics.Diagnosis'
        if ($Expect) {
            $d.Problem | Should -Be $Expect
            $d.Status | Should -Be 'problem'
            $d.Title | Should -Be $script:Catalog[$Out][$Expect].Title
            $d.Fix | Should -Be $script:Catalog[$Out][$Expect].Fix
            if ($Fields) {
                foreach ($f in $Fields.PSObject.Properties) { $d.Fields.($f.Name) | Should -Be $f.Value }
            }
        } else {
            $d.Problem | Should -BeNullOrEmpty -Because 'a related but different error must not be forced into a known problem'
            @($d.Matches).Count | Should -Be 0
        }
    }
}

Describe 'Every catalog problem, in every language it is recognised in' {
    It '<Problem> in <Language>: from text and from a real ErrorRecord' -ForEach $script:ProblemLanguageCases {
        $Text | Should -Not -BeNullOrEmpty -Because "tests/corpus/$Language.json or a design family needs a sample of $Problem"
        ($Text | Test-CsOnlineConnector -Language $Out).Problem | Should -Be $Problem
        $record = New-RealErrorRecord -Problem $Problem -Message (Get-ExceptionMessage $Text)
        $d = Test-CsOnlineConnector -ErrorRecord $record -Language $Out -TimeoutSec 1
        $d.Problem | Should -Be $Problem
        $d.Title | Should -Be $script:Catalog[$Out][$Problem].Title
        $d.Resolution | Should -Be $script:Catalog[$Out][$Problem].Resolution
    }

    It 'the English and French texts differ for <_>' -ForEach @('execution_policy', 'shells_per_user', 'logon_failed') {
        $script:Catalog['fr'][$_].Title | Should -Not -Be $script:Catalog['en'][$_].Title
    }
}

Describe 'Real ErrorRecords and exceptions (-ErrorRecord, -Exception, pipeline)' {
    It 'corpus record <Language>/<Index> is recognised as <Name> (<Source>)' -ForEach $script:RecordCases {
        $er = New-CorpusErrorRecord -Record $Record
        $d = $er | Test-CsOnlineConnector -Language en -TimeoutSec 1
        if ($Expect) { $d.Problem | Should -Be $Expect } else { $d.Problem | Should -BeNullOrEmpty }
    }

    It 'recognises a real CommandNotFoundException for New-CsOnlineSession on this machine as connector_retired' {
        $caught = $null
        try { New-CsOnlineSession -ErrorAction Stop } catch { $caught = $_ }
        $caught.FullyQualifiedErrorId | Should -Be 'CommandNotFoundException'
        $caught.Exception | Should -BeOfType [System.Management.Automation.CommandNotFoundException]
        ($caught | Test-CsOnlineConnector -Language en -TimeoutSec 1).Problem | Should -Be 'connector_retired'
    }

    It 'recognises WinRM errors from the ErrorCode alone, whatever the message language' -ForEach @(
        @{ Problem = 'winrm_basic_auth'; Code = -2144108321 }
        @{ Problem = 'shells_per_user'; Code = -2144108123 }
    ) {
        $e = New-Object System.Management.Automation.Remoting.PSRemotingTransportException -ArgumentList 'Xyzzy plugh frobnicate quux.'
        $e.ErrorCode = $Code
        $er = New-Object System.Management.Automation.ErrorRecord -ArgumentList $e, ('{0},PSSessionOpenFailed' -f $Code), 'OpenError', $null
        ($er | Test-CsOnlineConnector -Language en).Problem | Should -Be $Problem
    }

    It 'reads the FullyQualifiedErrorId, exception type, HResult, ErrorCode and command of a record' {
        $er = New-RealErrorRecord -Problem shells_per_user -Message 'The maximum number of concurrent shells for this user has been exceeded.'
        $r = & (Get-Module CsOnlineDiagnostics) { param($x) ConvertTo-CsodRecord -ErrorRecord $x } $er
        $r['fully_qualified_error_id'] | Should -Be '-2144108123,PSSessionOpenFailed'
        $r['exception_type'] | Should -Be 'System.Management.Automation.Remoting.PSRemotingTransportException'
        $r['hresult'] | Should -Be $er.Exception.HResult
        $r['error_code'] | Should -Be -2144108123
        $r['category'] | Should -Be 'OpenError'
        $r['command'] | Should -Be 'New-PSSession'
        $r['message'] | Should -Match 'concurrent shells'
    }

    It 'takes $_ in a catch block through the pipeline' {
        $d = try {
            throw (New-Object System.Management.Automation.PSSecurityException -ArgumentList 'File C:\m\SkypeOnlineConnectorStartup.psm1 cannot be loaded because running scripts is disabled on this system.')
        } catch {
            $_ | Test-CsOnlineConnector -Language en
        }
        $d.Problem | Should -Be 'execution_policy'
    }

    It 'takes an exception (-Exception and by pipeline)' {
        $ex = New-Object System.Management.Automation.PSSecurityException -ArgumentList 'File C:\m\x.psm1 cannot be loaded because running scripts is disabled on this system.'
        ($ex | Test-CsOnlineConnector -Language en).Problem | Should -Be 'execution_policy'
        (Test-CsOnlineConnector -Exception $ex -Language en).Problem | Should -Be 'execution_policy'
    }

    It 'diagnoses a real failed New-PSSession on this machine: WSMan missing where pwsh has no WSMan client, no false match elsewhere' {
        $caught = $null
        try {
            New-PSSession -ComputerName 'admin0a.online.lync.com' -ErrorAction Stop | Remove-PSSession
        } catch {
            $caught = $_
        }
        $caught | Should -Not -BeNullOrEmpty -Because 'there is no WinRM endpoint to open a session with here'
        $d = $caught | Test-CsOnlineConnector -Language en -TimeoutSec 2
        $d.PSObject.TypeNames[0] | Should -Be 'CsOnlineDiagnostics.Diagnosis'
        if ($caught.Exception.Message -match 'no supported WSMan client library') {
            # PowerShell on Linux or macOS without a WSMan client: that is
            # the modules family's pwsh_wsman_missing, and nothing else.
            $d.Problem | Should -Be 'pwsh_wsman_missing' -Because ("the error was: " + $caught.Exception.Message)
            @($d.Matches | ForEach-Object { $_.Problem }) | Should -Be @('pwsh_wsman_missing')
        } else {
            # With a WSMan client the host does not answer: no connector
            # problem may claim that.
            $connector = @(Get-CsOnlineConnectorProblem -Language en | Where-Object { $_.Family -eq 'connector' } | ForEach-Object { $_.Id })
            $connector.Count | Should -BeGreaterOrEqual 12
            @($d.Matches | Where-Object { $connector -contains $_.Problem }).Count | Should -Be 0 -Because ("the error was: " + $caught.Exception.Message)
        }
        $d.Message | Should -Be $caught.Exception.Message
    }
}

Describe 'Get-CsOnlineConnectorProblem' {
    It 'lists the catalog as typed objects with their texts' {
        $all = @(Get-CsOnlineConnectorProblem -Language en)
        $all.Count | Should -BeGreaterOrEqual 12
        foreach ($p in $all) {
            $p.PSObject.TypeNames[0] | Should -Be 'CsOnlineDiagnostics.Problem'
            $p.Id | Should -Match '^[a-z][a-z0-9_]*$'
            $p.Title | Should -Not -BeNullOrEmpty
            $p.Cause | Should -Not -BeNullOrEmpty
            @($p.Resolution).Count | Should -BeGreaterThan 0
            $p.Doc | Should -Match '^https://'
        }
    }

    It 'filters with -Id, wildcards and pipeline input' {
        (Get-CsOnlineConnectorProblem -Id winrm_basic_auth -Language en).Id | Should -Be 'winrm_basic_auth'
        @(Get-CsOnlineConnectorProblem -Id 'shells_*' -Language en).Id | Should -Be @('shells_per_user', 'shells_per_tenant')
        @('logon_failed', 'session_expired' | Get-CsOnlineConnectorProblem -Language en).Id | Should -Be @('logon_failed', 'session_expired')
    }

    It 'writes a non-terminating ObjectNotFound error for an unknown id' {
        $out = Get-CsOnlineConnectorProblem -Id nope, logon_failed -Language en -ErrorVariable err -ErrorAction SilentlyContinue
        $out.Id | Should -Be 'logon_failed'
        $err[0].FullyQualifiedErrorId | Should -BeLike 'CsodProblemNotFound*'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'gives French texts with -Language fr (and fr-CA)' {
        (Get-CsOnlineConnectorProblem -Id execution_policy -Language fr).Title | Should -Match 'stratégie'
        (Get-CsOnlineConnectorProblem -Id execution_policy -Language fr-CA).Language | Should -Be 'fr'
    }

    It '-AsJson writes the library catalog, which round-trips through ConvertFrom-Json' {
        $json = Get-CsOnlineConnectorProblem -AsJson -Language en
        $json | Should -BeOfType [string]
        $doc = $json | ConvertFrom-Json
        $doc.language | Should -Be 'en'
        @($doc.problems).Count | Should -Be @(Get-CsOnlineConnectorProblem -Language en).Count
        $json | Should -BeExactly (& (Get-Module CsOnlineDiagnostics) { $script:CsodNative.Type::Catalog('en') })
    }
}

Describe 'Language, JSON, Quiet and Redact on classified errors' {
    It 'defaults to the UI culture: French for fr-FR' {
        $saved = [System.Globalization.CultureInfo]::CurrentUICulture
        try {
            [System.Globalization.CultureInfo]::CurrentUICulture = [System.Globalization.CultureInfo]::new('fr-FR')
            $d = 'File C:\m\x.psm1 cannot be loaded because running scripts is disabled on this system.' | Test-CsOnlineConnector
            $d.Language | Should -Be 'fr'
            $d.Title | Should -Be $script:Catalog['fr']['execution_policy'].Title
        } finally {
            [System.Globalization.CultureInfo]::CurrentUICulture = $saved
        }
    }

    It 'falls back to English when the library has no texts in the UI language (ko-KR)' {
        $saved = [System.Globalization.CultureInfo]::CurrentUICulture
        try {
            [System.Globalization.CultureInfo]::CurrentUICulture = [System.Globalization.CultureInfo]::new('ko-KR')
            $d = 'File C:\m\x.psm1 cannot be loaded because running scripts is disabled on this system.' | Test-CsOnlineConnector
            $d.Language | Should -Be 'en'
        } finally {
            [System.Globalization.CultureInfo]::CurrentUICulture = $saved
        }
    }

    It 'defaults to the UI culture: German for de-DE, Japanese for ja-JP' {
        $saved = [System.Globalization.CultureInfo]::CurrentUICulture
        try {
            foreach ($c in @(@{ Culture = 'de-DE'; Language = 'de' }, @{ Culture = 'ja-JP'; Language = 'ja' })) {
                [System.Globalization.CultureInfo]::CurrentUICulture = [System.Globalization.CultureInfo]::new($c.Culture)
                $d = 'File C:\m\x.psm1 cannot be loaded because running scripts is disabled on this system.' | Test-CsOnlineConnector
                $d.Language | Should -Be $c.Language
                $d.Title | Should -Be (Get-CsOnlineConnectorProblem -Id execution_policy -Language $c.Language).Title
                $d.Title | Should -Not -Be $script:Catalog['en']['execution_policy'].Title
            }
        } finally {
            [System.Globalization.CultureInfo]::CurrentUICulture = $saved
        }
    }

    It '-Language de and -Language ja give the catalog and the health check in German and Japanese' {
        $en = @(Test-CsOnlineConnector -TimeoutSec 1 -Language en -Endpoint 'local=127.0.0.1:9')
        foreach ($lang in 'de', 'ja') {
            @(Get-CsOnlineConnectorProblem -Language $lang).Count | Should -Be $script:Catalog['en'].Count
            $findings = @(Test-CsOnlineConnector -TimeoutSec 1 -Language $lang -Endpoint 'local=127.0.0.1:9')
            $findings.Count | Should -Be $en.Count
            foreach ($f in $findings) {
                $e = $en | Where-Object Id -eq $f.Id
                $f.Status | Should -Be $e.Status
                $f.Summary | Should -Not -BeNullOrEmpty
                $f.Summary | Should -Not -Be $e.Summary
            }
        }
    }

    It 'answers in English with one warning for an -Language without texts (issue 14: no longer a terminating error)' {
        $d = 'File C:\m\x.psm1 cannot be loaded because running scripts is disabled on this system.' | Test-CsOnlineConnector -Language xx -ErrorAction Stop -WarningVariable warnings -WarningAction SilentlyContinue
        $d.Problem | Should -Be 'execution_policy'
        $d.Language | Should -Be 'en'
        @($warnings).Count | Should -Be 1
        $warnings[0].Message | Should -Match '"xx"'
    }

    It '-AsJson writes csod_classify''s document unchanged, and it round-trips' {
        $text = 'Get-CsWebTicket : Logon failed for the user ''someone@example.com''. Please create a new PSCredential object, making sure that you have used the correct user name and password.'
        $json = $text | Test-CsOnlineConnector -Language en -AsJson
        $json | Should -BeOfType [string]
        $json | Should -BeExactly (& (Get-Module CsOnlineDiagnostics) { param($t) $script:CsodNative.Type::Classify($t, 'en') } $text)
        $doc = $json | ConvertFrom-Json
        $doc.schema | Should -Be 1
        $doc.matches[0].id | Should -Be 'logon_failed'
    }

    It '-Quiet returns one boolean: $false for a known problem, $true for an unrelated error' {
        $q = 'File C:\m\x.psm1 cannot be loaded because running scripts is disabled on this system.' | Test-CsOnlineConnector -Quiet
        $q | Should -BeOfType [bool]
        $q | Should -BeFalse
        $q2 = 'Something unrelated happened.', 'Another harmless line.' | Test-CsOnlineConnector -Quiet
        @($q2).Count | Should -Be 1
        $q2 | Should -BeTrue
    }

    It 'writes a non-terminating error for an empty message and goes on' {
        $out = '', 'File C:\m\x.psm1 cannot be loaded because running scripts is disabled on this system.' | Test-CsOnlineConnector -Language en -ErrorVariable err -ErrorAction SilentlyContinue
        @($out).Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'CsodEmptyMessage*'
    }

    It '-Redact leaves none of the generated user, tenant, domain and host names behind' {
        $rand = -join ((97..122) | Get-Random -Count 8 | ForEach-Object { [char]$_ })
        $user = 'u' + $rand
        $tenant = 't' + $rand
        $dns = 'corp' + $rand + '.example.com'
        $hostName = 'srv' + $rand + '.' + $dns
        $texts = @(
            "Get-CsWebTicket : Logon failed for the user '$user@$tenant.onmicrosoft.com'. Please create a new PSCredential object, making sure that you have used the correct user name and password."
            "New-PSSession : [$hostName] Connecting to remote server $hostName failed with the following error message : The WinRM client cannot process the request. Basic authentication is currently disabled in the client configuration."
            "Import-Module : File C:\Users\$user\Documents\WindowsPowerShell\Modules\SkypeOnlineConnector\SkypeOnlineConnectorStartup.psm1 cannot be loaded because running scripts is disabled on this system."
            "Processing data from remote server $hostName failed: CORP$rand\$user does not have permission to manage this tenant."
        )
        $objects = $texts | Test-CsOnlineConnector -Language en -Redact
        $json = $texts | Test-CsOnlineConnector -Language en -Redact -AsJson
        $all = (($objects | ConvertTo-Json -Depth 10) + ($json -join "`n"))
        foreach ($secret in $user, $tenant, $hostName, $dns, $rand) {
            $all | Should -Not -Match ([regex]::Escape($secret))
        }
        $all | Should -Match '<user>'
        $all | Should -Match '<host>'
        $all | Should -Match '<tenant>'
        foreach ($j in $json) { { $j | ConvertFrom-Json } | Should -Not -Throw }
        # The diagnosis itself survives the masking.
        @($objects | ForEach-Object Problem) | Should -Be @('logon_failed', 'winrm_basic_auth', 'execution_policy', 'tenant_permission')
        ($objects | Select-Object -First 1).Doc | Should -Match 'learn\.microsoft\.com'
    }
}
