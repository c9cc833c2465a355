# Issue 14: parameters an admin can trust. -TimeoutSec takes exactly the
# range the library honours; -Endpoint takes [IPv6]:port and refuses bad
# values with short InvalidArgument errors; Tab completes -Language and the
# problem ids; a language without texts falls back to English with one
# warning; the module's messages come from string tables (en-US, fr-FR,
# de-DE, ja-JP: one per output language of the catalog).

BeforeDiscovery {
    $script:TableCultures = @(Get-ChildItem -LiteralPath (Join-Path $PSScriptRoot '../../powershell') -Directory | Where-Object Name -cmatch '^[a-z]{2}-[A-Z]{2}$' | ForEach-Object Name)
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-TestModule
    $script:Header = Get-Content -Raw (Join-Path $script:RepoRoot 'include/csod.h')
    function Get-HeaderConstant([string] $Name) {
        [long]([regex]::Match($script:Header, "#define $Name (\d+)").Groups[1].Value)
    }
    $script:Listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $script:Listener.Start()
    $script:Port = $script:Listener.LocalEndpoint.Port
    $script:Strings = @{}
    foreach ($dir in Get-ChildItem -LiteralPath $script:ModuleDir -Directory | Where-Object Name -match '^[a-z]{2}-[A-Z]{2}$') {
        $table = $null
        Import-LocalizedData -BindingVariable table -BaseDirectory $script:ModuleDir -FileName 'CsOnlineDiagnostics.Strings.psd1' -UICulture $dir.Name
        $script:Strings[$dir.Name] = $table
    }
}

AfterAll {
    $script:Listener.Stop()
}

Describe '-TimeoutSec' {
    It 'accepts exactly the range the library honours (include/csod.h)' {
        $range = (Get-Command Test-CsOnlineConnector).Parameters['TimeoutSec'].Attributes | Where-Object { $_ -is [System.Management.Automation.ValidateRangeAttribute] }
        $max = Get-HeaderConstant 'CSOD_DIAGNOSE_MAX_TIMEOUT_MS'
        $min = Get-HeaderConstant 'CSOD_DIAGNOSE_MIN_TIMEOUT_MS'
        $max | Should -Be 30000
        [long]$range.MaxRange * 1000 | Should -Be $max
        [long]$range.MinRange * 1000 | Should -BeGreaterOrEqual $min
        (Get-Help Test-CsOnlineConnector -Parameter TimeoutSec).Description.Text | Should -Match '1 to 30'
    }

    It 'refuses one second more than the library honours, and sends the largest as it is' {
        { Test-CsOnlineConnector -TimeoutSec 31 -Endpoint "127.0.0.1:$($script:Port)" } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
        $doc = Test-CsOnlineConnector -TimeoutSec 30 -Endpoint "127.0.0.1:$($script:Port)" -AsJson | ConvertFrom-Json
        $doc.timeout_ms | Should -Be 30000
    }
}

Describe '-Endpoint' {
    It 'takes <Value>' -ForEach @(
        @{ Value = '[::1]:PORT'; Name = '--1'; HostName = '::1' }
        @{ Value = 'v6=[::1]:PORT'; Name = 'v6'; HostName = '::1' }
        @{ Value = '::1'; Name = '--1'; HostName = '::1' }
        @{ Value = 'local=127.0.0.1:PORT'; Name = 'local'; HostName = '127.0.0.1' }
        @{ Value = 'localhost:PORT'; Name = 'localhost'; HostName = 'localhost' }
    ) {
        $doc = Test-CsOnlineConnector -Endpoint ($Value -replace 'PORT', $script:Port) -TimeoutSec 1 -AsJson | ConvertFrom-Json
        $doc.endpoints.name | Should -Be $Name
        $doc.endpoints.host | Should -Be $HostName
        @($doc.findings | Where-Object id -eq "network.$Name").Count | Should -Be 1
    }

    It 'names a host given twice by its port' {
        $doc = Test-CsOnlineConnector -Endpoint "127.0.0.1:$($script:Port)", '127.0.0.1:9' -TimeoutSec 1 -AsJson | ConvertFrom-Json
        $doc.endpoints.name | Should -Be @('127.0.0.1', '127.0.0.1-9')
    }

    It 'refuses <Value> with one short InvalidArgument error that names it' -ForEach @(
        @{ Value = 'a b:c:d' }
        @{ Value = 'host:0' }
        @{ Value = 'host:70000' }
        @{ Value = 'host:https' }
        @{ Value = '[not-v6]:443' }
        @{ Value = '[::1]443' }
        @{ Value = 'my probe=host:443' }
        @{ Value = '=host' }
        @{ Value = 'host/path' }
        @{ Value = ('h' * 254) }
    ) {
        $err = $null
        try { Test-CsOnlineConnector -Endpoint $Value -ErrorAction Stop } catch { $err = $_ }
        $err | Should -Not -BeNullOrEmpty
        $err.FullyQualifiedErrorId | Should -Be 'CsodBadEndpoint,Test-CsOnlineConnector'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.Exception.Message.Length | Should -BeLessThan (120 + 2 * $Value.Length)
        $err.Exception.Message | Should -Match ([regex]::Escape($Value.Substring(0, [math]::Min(20, $Value.Length))))
        $err.Exception.Message | Should -Not -Match 'csod_|request:'
    }

    It 'refuses a name used twice, and more endpoints than the library takes' {
        { Test-CsOnlineConnector -Endpoint 'a=h1', 'a=h2' -ErrorAction Stop } | Should -Throw -ErrorId 'CsodBadEndpoint*'
        { Test-CsOnlineConnector -Endpoint (1..33 | ForEach-Object { "h$_" }) -ErrorAction Stop } | Should -Throw -ErrorId 'CsodBadEndpoint*'
    }
}

Describe 'Tab completion' {
    It 'completes Get-CsOnlineConnectorProblem -Id sh<Tab> with the problem ids, titles as tooltips' {
        $r = TabExpansion2 -inputScript 'Get-CsOnlineConnectorProblem -Id sh' -cursorColumn 34
        $ids = @(Get-CsOnlineConnectorProblem -Language en | Where-Object Id -like 'sh*' | ForEach-Object Id)
        $ids | Should -Contain 'shells_per_user'
        @($r.CompletionMatches.CompletionText) | Should -Be $ids
        $r.CompletionMatches[0].ToolTip | Should -Be (Get-CsOnlineConnectorProblem -Id shells_per_user -Language en).Title
    }

    It 'completes -Language with the output languages of the library, for both commands' {
        $known = & (Get-Module CsOnlineDiagnostics) { Get-CsodOutputLanguages }
        foreach ($cmd in 'Test-CsOnlineConnector', 'Get-CsOnlineConnectorProblem') {
            $line = "$cmd -Language "
            @((TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText) | Should -Be @($known)
            $line = "$cmd -Language f"
            @((TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText) | Should -Be @('fr')
        }
    }

    It 'completes in a fresh session, before any command ran' {
        $r = Invoke-ChildPwsh -Command ('Import-Module ''{0}''; (TabExpansion2 -inputScript ''Get-CsOnlineConnectorProblem -Id logon'' -cursorColumn 38).CompletionMatches.CompletionText' -f $script:Manifest)
        $r.Output | Should -Contain 'logon_failed'
    }
}

Describe 'An output language without texts' {
    It 'falls back to English with one warning (<Command>)' -ForEach @(
        @{ Command = 'Test-CsOnlineConnector -Message'; Run = { 'File C:\m\x.psm1 cannot be loaded because running scripts is disabled on this system.' | Test-CsOnlineConnector -Language fi -WarningVariable script:w -WarningAction SilentlyContinue } }
        @{ Command = 'Test-CsOnlineConnector (health check)'; Run = { Test-CsOnlineConnector -Language fi-FI -Endpoint "127.0.0.1:$($script:Port)" -TimeoutSec 1 -AsJson -WarningVariable script:w -WarningAction SilentlyContinue | ConvertFrom-Json } }
        @{ Command = 'Get-CsOnlineConnectorProblem'; Run = { Get-CsOnlineConnectorProblem -Id execution_policy -Language xx -WarningVariable script:w -WarningAction SilentlyContinue } }
    ) {
        $script:w = $null
        $out = & $Run
        $out | Should -Not -BeNullOrEmpty
        $out.Language | Should -Be 'en'
        @($script:w).Count | Should -Be 1
        $script:w[0].Message | Should -Match 'English'
    }
}

Describe 'Messages in string tables' {
    It 'has a table for every output language of the catalog' {
        $languages = & (Get-Module CsOnlineDiagnostics) { Get-CsodOutputLanguages }
        foreach ($l in $languages) {
            @($script:Strings.Keys | Where-Object { $_ -like "$l-*" }).Count | Should -BeGreaterOrEqual 1 -Because "the catalog has texts in $l"
        }
        foreach ($c in 'en-US', 'fr-FR', 'de-DE', 'ja-JP') { $script:Strings.Keys | Should -Contain $c }
    }

    It '<_> has the keys of en-US, none empty, with the same placeholders' -ForEach @($script:TableCultures | Where-Object { $_ -ne 'en-US' }) {
        $en = $script:Strings['en-US']
        $other = $script:Strings[$_]
        @($other.Keys | Sort-Object) | Should -Be @($en.Keys | Sort-Object)
        foreach ($k in $en.Keys) {
            $other[$k] | Should -Not -BeNullOrEmpty
            $place = { param($t) @([regex]::Matches($t, '\{(\d+)') | ForEach-Object { $_.Groups[1].Value } | Sort-Object -Unique) -join ',' }
            (& $place $other[$k]) | Should -Be (& $place $en[$k]) -Because "the placeholders of $k"
        }
    }

    It 'every message the module asks for is in the tables' {
        $code = Get-ChildItem -LiteralPath $script:ModuleDir -Recurse -Include *.ps1, *.psm1 | Get-Content -Raw
        $keys = @([regex]::Matches(($code -join "`n"), 'Get-CsodMessage\s+([A-Za-z]+)') | ForEach-Object { $_.Groups[1].Value } | Sort-Object -Unique)
        $keys.Count | Should -BeGreaterThan 20
        foreach ($k in $keys) { $script:Strings['en-US'].Keys | Should -Contain $k }
    }

    It '<_> is read through its output language (<_> -> its two letters)' -ForEach $script:TableCultures {
        $lang = $_.Substring(0, 2)
        $text = & (Get-Module CsOnlineDiagnostics) { param($l) Get-CsodMessage NullInput -Language $l } $lang
        $text | Should -Be $script:Strings[$_]['NullInput']
        if ($_ -ne 'en-US') { $text | Should -Not -Be $script:Strings['en-US']['NullInput'] }
    }

    It '<_> is UTF-8 with a BOM when it is not ASCII (Windows PowerShell 5.1 reads a file without one in the ANSI code page)' -ForEach $script:TableCultures {
        $bytes = [System.IO.File]::ReadAllBytes((Join-Path $script:ModuleDir "$_/CsOnlineDiagnostics.Strings.psd1"))
        if (@($bytes | Where-Object { $_ -gt 127 }).Count -gt 0) {
            @($bytes[0..2]) | Should -Be @(0xEF, 0xBB, 0xBF)
        }
        # Decodes as strict UTF-8.
        $null = [System.Text.UTF8Encoding]::new($false, $true).GetString($bytes)
    }

    It 'writes the module''s messages in the output language: <Language>' -ForEach @(
        @{ Language = 'en'; Culture = 'en-US' }
        @{ Language = 'fr'; Culture = 'fr-FR' }
    ) {
        $null = $null | Test-CsOnlineConnector -Language $Language -ErrorVariable ev -ErrorAction SilentlyContinue
        $ev[0].Exception.Message | Should -Be $script:Strings[$Culture]['NullInput']
        $null = 42 | Test-CsOnlineConnector -Language $Language -ErrorVariable ev2 -ErrorAction SilentlyContinue
        $ev2[0].Exception.Message | Should -Be ($script:Strings[$Culture]['UnsupportedInput'] -f 'System.Int32')
    }

    It 'fails an import with the library missing in the UI culture''s language (fr-FR)' {
        $r = Invoke-ChildPwsh -Command ('[System.Globalization.CultureInfo]::CurrentUICulture = ''fr-FR''; try {{ Import-Module ''{0}'' -ErrorAction Stop }} catch {{ "id=" + $_.FullyQualifiedErrorId; $_.Exception.Message }}' -f $script:Manifest) -Environment @{ CSOD_LIBRARY = (Join-Path $TestDrive 'none/libcsod.so') }
        $r.Text | Should -Match 'id=CsodLibraryNotFound'
        $r.Text | Should -Match 'introuvable'
    }
}

Describe 'Get-CsOnlineConnectorProblem -Family' {
    BeforeAll {
        # The families and their problems as the catalog source says.
        $source = @((Get-Content -Raw (Join-Path $script:RepoRoot 'src/catalog/problems.json') | ConvertFrom-Json).problems)
        $script:Families = @($source | ForEach-Object family | Select-Object -Unique)
        $script:IdsOf = @{}
        foreach ($f in $script:Families) { $script:IdsOf[$f] = @($source | Where-Object family -eq $f | ForEach-Object id) }
        $script:AllCount = $source.Count
    }

    It 'the catalog has the three families, each with problems' {
        $script:Families | Should -Be @('connector', 'remoting', 'modules')
        foreach ($f in $script:Families) { $script:IdsOf[$f].Count | Should -BeGreaterThan 0 }
    }

    It '-Family <_> lists exactly the problems of that family' -ForEach @('connector', 'remoting', 'modules') {
        $got = @(Get-CsOnlineConnectorProblem -Family $_ -Language en)
        @($got.Id) | Should -Be $script:IdsOf[$_]
        @($got | Where-Object Family -ne $_).Count | Should -Be 0
        $got.Count | Should -BeLessThan $script:AllCount
    }

    It 'takes several families, in any case, and -Id and -Family both filter' {
        $got = @(Get-CsOnlineConnectorProblem -Family Remoting, MODULES -Language en)
        @($got.Id) | Should -Be (@($script:IdsOf['remoting']) + @($script:IdsOf['modules']))
        @(Get-CsOnlineConnectorProblem -Id * -Family modules).Count | Should -Be $script:IdsOf['modules'].Count
        $first = $script:IdsOf['remoting'][0]
        @(Get-CsOnlineConnectorProblem -Id $first -Family remoting).Id | Should -Be $first
    }

    It 'filters out a known id of another family without an error, and still reports an unknown id' {
        $out = @(Get-CsOnlineConnectorProblem -Id execution_policy -Family remoting -ErrorVariable ev -ErrorAction SilentlyContinue)
        $out.Count | Should -Be 0
        @($ev).Count | Should -Be 0
        $null = Get-CsOnlineConnectorProblem -Id no_such_problem -Family remoting -ErrorVariable ev2 -ErrorAction SilentlyContinue
        @($ev2).Count | Should -Be 1
        $ev2[0].FullyQualifiedErrorId | Should -Be 'CsodProblemNotFound,Get-CsOnlineConnectorProblem'
    }

    It 'refuses a family the catalog does not have with one InvalidArgument error that lists the families, and lists nothing' {
        $err = $null
        $out = $null
        try { $out = Get-CsOnlineConnectorProblem -Family connector, networking -ErrorAction Stop } catch { $err = $_ }
        $out | Should -BeNullOrEmpty
        $err.FullyQualifiedErrorId | Should -Be 'CsodUnknownFamily,Get-CsOnlineConnectorProblem'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.TargetObject | Should -Be 'networking'
        $err.Exception.Message | Should -Match '"networking"'
        $err.Exception.Message | Should -Match 'connector, remoting, modules'
        { Get-CsOnlineConnectorProblem -Family '' } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
    }

    It 'refuses in French with -Language fr' {
        $err = $null
        try { Get-CsOnlineConnectorProblem -Family reseau -Language fr -ErrorAction Stop } catch { $err = $_ }
        $err.Exception.Message | Should -Be ($script:Strings['fr-FR']['UnknownFamily'] -f 'reseau', 'connector, remoting, modules')
    }

    It 'completes -Family with the catalog''s families, their problems as tooltips' {
        $line = 'Get-CsOnlineConnectorProblem -Family '
        $r = TabExpansion2 -inputScript $line -cursorColumn $line.Length
        @($r.CompletionMatches.CompletionText) | Should -Be $script:Families
        $line = 'Get-CsOnlineConnectorProblem -Family re'
        $r = TabExpansion2 -inputScript $line -cursorColumn $line.Length
        @($r.CompletionMatches.CompletionText) | Should -Be @('remoting')
        $r.CompletionMatches[0].ToolTip | Should -Match ([regex]::Escape($script:IdsOf['remoting'][0]))
    }

    It 'is documented in the help' {
        (Get-Help Get-CsOnlineConnectorProblem -Parameter Family).Description.Text | Should -Match '(?s)connector.*remoting.*modules'
    }
}
