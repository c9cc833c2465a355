# The module itself: manifest, exports, help, loading (absolute path, ABI,
# Import-Module -Force, cache), Windows PowerShell 5.1 compatibility (C# 5 with
# mcs, no PowerShell 7-only syntax), format file.

BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-TestModule
    $script:HelpCases = foreach ($cmd in Get-Command -Module CsOnlineDiagnostics) {
        foreach ($p in $cmd.Parameters.Keys) {
            if ([System.Management.Automation.PSCmdlet]::CommonParameters -contains $p) { continue }
            if ([System.Management.Automation.PSCmdlet]::OptionalCommonParameters -contains $p) { continue }
            @{ Command = $cmd.Name; Parameter = $p }
        }
    }
    $script:ScriptFiles = foreach ($f in Get-ChildItem $script:ModuleDir -Recurse -Include *.ps1, *.psm1, *.psd1) {
        @{ Name = $f.FullName.Substring($script:ModuleDir.Length + 1); Path = $f.FullName }
    }
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-TestModule

    function Find-Ps7OnlySyntax {
        # PowerShell 7-only constructs in a script, from its tokens and AST:
        # ternary ?:, ??, ??=, ?. and ?[], && and ||, clean {}, -Parallel,
        # parameters and variables that Windows PowerShell 5.1 lacks.
        param([string] $Path, [string] $Text)
        $tokens = $null; $errors = $null
        if ($Path) {
            $ast = [System.Management.Automation.Language.Parser]::ParseFile($Path, [ref]$tokens, [ref]$errors)
        } else {
            $ast = [System.Management.Automation.Language.Parser]::ParseInput($Text, [ref]$tokens, [ref]$errors)
        }
        $found = New-Object System.Collections.Generic.List[string]
        foreach ($e in $errors) { $found.Add('parse error: ' + $e.Message) }
        $badTokens = 'QuestionMark', 'QuestionQuestion', 'QuestionQuestionEquals', 'QuestionDot', 'QuestionLBracket', 'AndAnd', 'OrOr', 'Clean'
        foreach ($t in $tokens) {
            if ($badTokens -contains [string]$t.Kind) { $found.Add(('{0} "{1}" at line {2}' -f $t.Kind, $t.Text, $t.Extent.StartLineNumber)) }
        }
        $nodes = $ast.FindAll({ $true }, $true)
        foreach ($n in $nodes) {
            $kind = $n.GetType().Name
            if ($kind -in 'TernaryExpressionAst', 'PipelineChainAst', 'TypeDefinitionAst') { $found.Add(('{0} at line {1}' -f $kind, $n.Extent.StartLineNumber)) }
            if ($n -is [System.Management.Automation.Language.ScriptBlockAst] -and $n.CleanBlock) { $found.Add(('clean block at line {0}' -f $n.Extent.StartLineNumber)) }
            if ($n -is [System.Management.Automation.Language.CommandParameterAst] -and $n.ParameterName -in 'Parallel', 'AsHashtable', 'AdditionalChildPath', 'AsByteStream', 'Top', 'SkipNullOrEmpty') {
                $found.Add(('-{0} at line {1}' -f $n.ParameterName, $n.Extent.StartLineNumber))
            }
            if ($n -is [System.Management.Automation.Language.VariableExpressionAst] -and $n.VariablePath.UserPath -in 'IsWindows', 'IsLinux', 'IsMacOS', 'IsCoreCLR', 'PSStyle') {
                $found.Add(('${0} (not defined in 5.1) at line {1}' -f $n.VariablePath.UserPath, $n.Extent.StartLineNumber))
            }
        }
        , $found.ToArray()
    }
}

Describe 'Manifest and exports' {
    It 'is a valid manifest for Desktop and Core with a format file' {
        $m = Test-ModuleManifest -Path $script:Manifest -ErrorAction Stop
        $m.CompatiblePSEditions | Should -Be @('Desktop', 'Core')
        $m.PowerShellVersion | Should -Be ([version]'5.1')
        $data = Import-PowerShellDataFile $script:Manifest
        $data.FormatsToProcess | Should -Be @('CsOnlineDiagnostics.format.ps1xml')
        Join-Path $script:ModuleDir $data.FormatsToProcess[0] | Should -Exist
    }

    It 'lists its exports explicitly (no wildcards)' {
        $data = Import-PowerShellDataFile $script:Manifest
        $data.FunctionsToExport | Should -Be @('Test-CsOnlineConnector', 'Get-CsOnlineConnectorProblem', 'Enable-CsOnlineConnectorAutoDiagnosis', 'Disable-CsOnlineConnectorAutoDiagnosis', 'Get-CsOnlineConnectorAutoDiagnosis')
        @($data.CmdletsToExport).Count | Should -Be 0
        @($data.VariablesToExport).Count | Should -Be 0
        @($data.AliasesToExport).Count | Should -Be 0
    }

    It 'exports exactly Test-CsOnlineConnector, Get-CsOnlineConnectorProblem and the three auto-diagnosis commands' {
        $names = (Get-Module CsOnlineDiagnostics).ExportedCommands.Keys | Sort-Object
        $names | Should -Be @('Disable-CsOnlineConnectorAutoDiagnosis', 'Enable-CsOnlineConnectorAutoDiagnosis', 'Get-CsOnlineConnectorAutoDiagnosis', 'Get-CsOnlineConnectorProblem', 'Test-CsOnlineConnector')
        Get-Command -Name Initialize-CsodNative, Invoke-CsodNative -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'exports the same commands, and none of its helpers, when its root module is imported directly (Import-Module CsOnlineDiagnostics.psm1)' {
        $psm1 = Join-Path $script:ModuleDir 'CsOnlineDiagnostics.psm1'
        $cmd = 'Import-Module ''{0}'' -ErrorAction Stop; $m = Get-Module CsOnlineDiagnostics; "path=" + $m.Path; "functions=" + (@($m.ExportedFunctions.Keys | Sort-Object) -join '',''); "commands=" + $m.ExportedCommands.Count; "aliases=" + $m.ExportedAliases.Count; "variables=" + $m.ExportedVariables.Count; "helper=" + [bool](Get-Command Initialize-CsodNative, Get-CsodCompletion, Import-CsodImplementation -ErrorAction Ignore); "problems=" + @(Get-CsOnlineConnectorProblem).Count; "completion=" + @(& $m {{ Get-CsodCompletion Language e }}).Count' -f $psm1
        $r = Invoke-ChildPwsh -Command $cmd
        $expected = @((Import-PowerShellDataFile $script:Manifest).FunctionsToExport | Sort-Object)
        $r.Text | Should -Match ('path=' + [regex]::Escape($psm1))
        $r.Text | Should -Match ('(?m)^functions=' + [regex]::Escape($expected -join ',') + '$')
        $r.Text | Should -Match ('(?m)^commands=' + $expected.Count + '$')
        $r.Text | Should -Match '(?m)^aliases=0$'
        $r.Text | Should -Match '(?m)^variables=0$'
        $r.Text | Should -Match '(?m)^helper=False$'
        $r.Text | Should -Match '(?m)^problems=[1-9]'
        $r.Text | Should -Match '(?m)^completion=[1-9]'
    }

    It 'has one file per public function in Public/ and helpers in Private/' {
        $public = Get-ChildItem (Join-Path $script:ModuleDir 'Public') -Filter *.ps1 | ForEach-Object BaseName | Sort-Object
        $public | Should -Be @('Disable-CsOnlineConnectorAutoDiagnosis', 'Enable-CsOnlineConnectorAutoDiagnosis', 'Get-CsOnlineConnectorAutoDiagnosis', 'Get-CsOnlineConnectorProblem', 'Test-CsOnlineConnector')
        @(Get-ChildItem (Join-Path $script:ModuleDir 'Private') -Filter *.ps1).Count | Should -BeGreaterThan 0
    }
}

Describe 'Comment-based help' {
    It '<_> has a synopsis, a description, examples and a link' -ForEach @('Test-CsOnlineConnector', 'Get-CsOnlineConnectorProblem') {
        $help = Get-Help $_ -Full
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis | Should -Not -Match "^\s*$_\s"
        ($help.Description | Out-String).Trim() | Should -Not -BeNullOrEmpty
        @($help.Examples.Example).Count | Should -BeGreaterOrEqual 3
        $help.relatedLinks | Should -Not -BeNullOrEmpty
    }

    It '<Command> -<Parameter> is described' -ForEach $script:HelpCases {
        $help = Get-Help $Command -Parameter $Parameter
        ($help.Description | Out-String).Trim() | Should -Not -BeNullOrEmpty -Because "every parameter needs help"
    }

    It 'Test-CsOnlineConnector has at least five examples, among them try/catch around New-PSSession and a New-CsOnlineSession wrapper' {
        $examples = @((Get-Help Test-CsOnlineConnector -Examples).Examples.Example)
        $examples.Count | Should -BeGreaterOrEqual 5
        $code = $examples | ForEach-Object { $_.Code }
        ($code | Where-Object { $_ -match 'try\s*\{[^}]*New-PSSession[^}]*-ErrorAction Stop' -and $_ -match 'catch\s*\{\s*\$_ \| Test-CsOnlineConnector' }) | Should -Not -BeNullOrEmpty
        ($code | Where-Object { $_ -match 'function ' -and $_ -match 'New-CsOnlineSession' -and $_ -match 'Test-CsOnlineConnector' }) | Should -Not -BeNullOrEmpty
    }

    It 'every example of Test-CsOnlineConnector parses' {
        foreach ($ex in (Get-Help Test-CsOnlineConnector -Examples).Examples.Example) {
            $errors = $null
            [void][System.Management.Automation.Language.Parser]::ParseInput($ex.Code, [ref]$null, [ref]$errors)
            $errors | Should -BeNullOrEmpty -Because $ex.Code
        }
    }
}

Describe 'Loading the native library' {
    It 'loads the library by absolute path for this OS and architecture' {
        $native = & (Get-Module CsOnlineDiagnostics) { $script:CsodNative }
        [System.IO.Path]::IsPathRooted($native.LibraryPath) | Should -BeTrue
        $native.LibraryPath | Should -Exist
        $native.Abi | Should -Be 1
        $native.Platform.Rid | Should -Match '^(linux|win|osx)-(x64|x86|arm64|arm)$'
        Split-Path $native.LibraryPath -Leaf | Should -Be $native.Platform.LibraryName
        $native.Type::LibraryPath | Should -Be $native.LibraryPath
    }

    It 'survives Import-Module -Force twice and reuses the interop type' {
        $before = & (Get-Module CsOnlineDiagnostics) { $script:CsodNative.Type }
        Import-Module $script:Manifest -Force -ErrorAction Stop
        Import-Module $script:Manifest -Force -ErrorAction Stop
        $after = & (Get-Module CsOnlineDiagnostics) { $script:CsodNative.Type }
        $after | Should -Be $before
        @(Get-CsOnlineConnectorProblem).Count | Should -BeGreaterThan 0
    }

    It 'names the interop type after the module version and a hash of its source' {
        $name = (& (Get-Module CsOnlineDiagnostics) { $script:CsodNative.Type }).FullName
        $name | Should -Match '^CsOnlineDiagnostics\.Interop\.Nativev0_1_0_[0-9a-f]{16}$'
    }

    It 'compiles the interop once: a new process loads the cached assembly without compiling' {
        $cache = Join-Path $TestDrive 'cache'
        $cmd = '$t = [Diagnostics.Stopwatch]::StartNew(); Import-Module ''{0}''; "ms=$($t.ElapsedMilliseconds)"; "origin=" + (& (Get-Module CsOnlineDiagnostics) {{ $script:CsodNative.Origin }})' -f $script:Manifest
        $cold = Invoke-ChildPwsh -Command $cmd -Environment @{ CSOD_CACHE_DIR = $cache }
        $cold.Text | Should -Match 'origin=compiled'
        $dll = @(Get-ChildItem $cache -Filter *.dll)
        $dll.Count | Should -Be 1
        $written = $dll[0].LastWriteTimeUtc
        $warm = Invoke-ChildPwsh -Command $cmd -Environment @{ CSOD_CACHE_DIR = $cache }
        $warm.Text | Should -Match 'origin=cache'
        # The compiled copy and the record of the last load (the fast path).
        @(Get-ChildItem $cache -Filter *.dll).Count | Should -Be 1
        @(Get-ChildItem $cache | Where-Object Name -notlike '*.dll' | ForEach-Object Name) | Should -Be @(Get-ChildItem $cache -Filter 'last-*.txt' | ForEach-Object Name)
        (Get-Item $dll[0].FullName).LastWriteTimeUtc | Should -Be $written
        $coldMs = [int]([regex]::Match($cold.Text, 'ms=(\d+)').Groups[1].Value)
        $warmMs = [int]([regex]::Match($warm.Text, 'ms=(\d+)').Groups[1].Value)
        Write-Host ('    Import-Module in a new process: cold {0} ms (compiles the interop), warm {1} ms (cached assembly)' -f $coldMs, $warmMs)
        $warmMs | Should -BeLessThan $coldMs
    }

    It 'compiles the interop again when any of its C# files changes (stamp: module version, name, length and write time of each Interop/*.cs file, library path)' {
        $copy = Join-Path $TestDrive 'stamp'
        Copy-Item -Path $script:ModuleDir -Destination $copy -Recurse
        $cache = Join-Path $TestDrive 'stamp-cache'
        $env = @{ CSOD_CACHE_DIR = $cache; CSOD_LIBRARY = (& (Get-Module CsOnlineDiagnostics) { $script:CsodNative.LibraryPath }) }
        $cmd = 'Import-Module ''{0}''; "origin=" + (& (Get-Module CsOnlineDiagnostics) {{ $script:CsodNative.Origin }}); (Get-CsOnlineConnectorProblem).Count' -f (Join-Path $copy 'CsOnlineDiagnostics.psd1')
        (Invoke-ChildPwsh -Command $cmd -Environment $env).Text | Should -Match 'origin=compiled'
        (Invoke-ChildPwsh -Command $cmd -Environment $env).Text | Should -Match 'origin=cache'
        Add-Content -Path (Join-Path $copy 'Private/Interop/Calls.cs') -Value '// edited'
        $again = Invoke-ChildPwsh -Command $cmd -Environment $env
        $again.Text | Should -Match 'origin=compiled'
        $again.Output[-1] | Should -BeGreaterThan 0
        @(Get-ChildItem $cache -Filter *.dll).Count | Should -Be 2
        # Every other file too, one after the other in one process: after
        # each edit, Import-Module -Force finds the type this process (or
        # the record) has, sees it stale, and compiles.
        $files = @(& (Get-Module CsOnlineDiagnostics) { $script:CsodInteropFiles })
        $files.Count | Should -BeGreaterThan 2
        $rest = @($files | Where-Object { $_ -ne 'Calls.cs' })
        $each = 'foreach ($f in ''{1}''.Split('','')) {{ Add-Content -Path (Join-Path ''{0}'' ''Private/Interop'' $f) -Value ''// edited''; Import-Module (Join-Path ''{0}'' ''CsOnlineDiagnostics.psd1'') -Force; $f + ''='' + (& (Get-Module CsOnlineDiagnostics) {{ $script:CsodNative.Origin }}) + ''='' + (Get-CsOnlineConnectorProblem).Count }}' -f $copy, ($rest -join ',')
        $edited = Invoke-ChildPwsh -Command $each -Environment $env
        foreach ($f in $rest) {
            $edited.Text | Should -Match ('(?m)^' + [regex]::Escape($f) + '=compiled=[1-9]') -Because "an edit of Interop/$f must compile the bridge again"
        }
        @(Get-ChildItem $cache -Filter *.dll).Count | Should -Be (1 + $files.Count)
        (Invoke-ChildPwsh -Command $cmd -Environment $env).Text | Should -Match 'origin=cache'
    }

    It 'joins every Private/Interop/*.cs file, each once and in its fixed order, into the source it compiles' {
        $m = Get-Module CsOnlineDiagnostics
        $files = @(& $m { $script:CsodInteropFiles })
        $onDisk = @(Get-ChildItem (Join-Path $script:ModuleDir 'Private/Interop') -File | ForEach-Object Name)
        @($files | Sort-Object) | Should -Be @($onDisk | Sort-Object) -Because 'a file missing from $script:CsodInteropFiles (Native.ps1) would never be compiled'
        @($files | Select-Object -Unique).Count | Should -Be $files.Count
        $files[0] | Should -Be 'Calls.cs' -Because 'it declares the library path the DllImport attributes name'
        $library = & $m { $script:CsodNative.LibraryPath }
        $source = & $m { Import-CsodPrivate Loader; (Get-CsodInteropSource -LibraryPath $script:CsodNative.LibraryPath).Source }
        $source | Should -Not -Match '__[A-Z]+__' -Because 'every placeholder is filled in'
        $suffix = (& $m { $script:CsodNative.Type.Name }).Substring('Native'.Length)
        $stamp = & $m { Get-CsodInteropFileStamp }
        $stamp | Should -Be ((& $m { $script:CsodNative.Type::SourceStamp }))
        $joined = [string]::Join("`n", @(foreach ($f in $files) { [System.IO.File]::ReadAllText((Join-Path $script:ModuleDir "Private/Interop/$f")) }))
        $source | Should -BeExactly $joined.Replace('__SUFFIX__', $suffix).Replace('__LIBRARY__', $library).Replace('__STAMP__', $stamp)
        ([regex]::Matches($source, 'public static partial class Native')).Count | Should -Be $files.Count
        & $m { $script:CsodNative.Type::SourceUnchanged($script:ModuleRoot, $script:CsodInteropFiles) } | Should -BeTrue
        & $m { $script:CsodNative.Type::SourceUnchanged($script:ModuleRoot, [string[]]($script:CsodInteropFiles + 'Extra.cs')) } | Should -BeFalse -Because 'a file added to the list is a change'
        & $m { $script:CsodNative.Type::SourceUnchanged($script:ModuleRoot, [string[]]@($script:CsodInteropFiles | Select-Object -Skip 1)) } | Should -BeFalse
        & $m { param($Root) $script:CsodNative.Type::SourceUnchanged($Root, $script:CsodInteropFiles) } (Join-Path $TestDrive 'nowhere') | Should -BeFalse
    }

    It 'a record for another module folder is not used, nor one whose type cannot tell its source (an older bridge): the stamp decides' {
        $cache = Join-Path $TestDrive 'old-record-cache'
        $cmd = 'Import-Module ''{0}''; $m = Get-Module CsOnlineDiagnostics; "origin=" + (& $m {{ $script:CsodNative.Origin }}); "stamp=" + [bool](& $m {{ $script:CsodModuleVersion }}); "type=" + (& $m {{ $script:CsodNative.Type.FullName }}); (Get-CsOnlineConnectorProblem).Count' -f $script:Manifest
        $null = Invoke-ChildPwsh -Command $cmd -Environment @{ CSOD_CACHE_DIR = $cache }
        $recordFile = (Get-ChildItem $cache -Filter 'last-*.txt')[0].FullName
        $record = @(Get-Content $recordFile)
        $record.Count | Should -Be 3
        # The same compiled copy, recorded for another folder: not used (it
        # would be, without a look at the stamp, were the folder not checked).
        Set-Content -Path $recordFile -Value @(($script:ModuleDir + '-other' + $record[0].Substring($script:ModuleDir.Length)), $record[1], $record[2])
        $o = Invoke-ChildPwsh -Command $cmd -Environment @{ CSOD_CACHE_DIR = $cache }
        $o.Text | Should -Match 'origin=cache'
        $o.Text | Should -Match 'stamp=True'
        $o.Output[-1] | Should -BeGreaterThan 0
        @(Get-Content $recordFile)[0] | Should -Be $record[0]
        # A type without SourceUnchanged, recorded for this folder: not used.
        $sma = [System.Management.Automation.PSObject].Assembly.Location
        Set-Content -Path $recordFile -Value @($record[0], $sma, 'System.Management.Automation.PSObject')
        $r = Invoke-ChildPwsh -Command $cmd -Environment @{ CSOD_CACHE_DIR = $cache }
        $r.Text | Should -Match 'origin=cache'
        $r.Text | Should -Match 'stamp=True'
        $r.Text | Should -Match ('type=' + [regex]::Escape($record[2]))
        $r.Text | Should -Not -Match 'SourceUnchanged' -Because 'the failed call is no error of the import'
        $r.Output[-1] | Should -BeGreaterThan 0
        @(Get-Content $recordFile)[0] | Should -Be $record[0]
    }

    It 'a warm import loads the last compiled copy from its record, without the stamp (no manifest read, no hash)' {
        $cache = Join-Path $TestDrive 'fast-cache'
        $cmd = 'Import-Module ''{0}''; $m = Get-Module CsOnlineDiagnostics; "origin=" + (& $m {{ $script:CsodNative.Origin }}); "stamp=" + [bool](& $m {{ $script:CsodModuleVersion }}); "library=" + (& $m {{ $script:CsodNative.Type::LibraryPath }}); "rid=" + (& $m {{ $script:CsodNative.Platform.Rid }})' -f $script:Manifest
        $first = Invoke-ChildPwsh -Command $cmd -Environment @{ CSOD_CACHE_DIR = $cache }
        $first.Text | Should -Match 'origin=compiled'
        $first.Text | Should -Match 'stamp=True'
        $record = @(Get-Content (Get-ChildItem $cache -Filter 'last-*.txt')[0].FullName)
        $record.Count | Should -Be 3
        $record[0] | Should -BeLike ($script:ModuleDir + '|*')
        $record[1] | Should -Be (Get-ChildItem $cache -Filter *.dll)[0].FullName
        $warm = Invoke-ChildPwsh -Command $cmd -Environment @{ CSOD_CACHE_DIR = $cache }
        $warm.Text | Should -Match 'origin=cache'
        $warm.Text | Should -Match 'stamp=False'
        $warm.Text | Should -Match ('rid=' + [regex]::Escape((& (Get-Module CsOnlineDiagnostics) { $script:CsodNative.Platform.Rid })))
        $warm.Text | Should -Match ('library=' + [regex]::Escape((& (Get-Module CsOnlineDiagnostics) { $script:CsodNative.LibraryPath })))
    }

    It 'a garbled record, or one for another library, falls back to the stamp and still loads the right library' {
        $cache = Join-Path $TestDrive 'record-cache'
        $cmd = 'Import-Module ''{0}''; $m = Get-Module CsOnlineDiagnostics; "origin=" + (& $m {{ $script:CsodNative.Origin }}); "stamp=" + [bool](& $m {{ $script:CsodModuleVersion }}); "library=" + (& $m {{ $script:CsodNative.Type::LibraryPath }}); (Get-CsOnlineConnectorProblem).Count' -f $script:Manifest
        $null = Invoke-ChildPwsh -Command $cmd -Environment @{ CSOD_CACHE_DIR = $cache }
        $recordFile = (Get-ChildItem $cache -Filter 'last-*.txt')[0].FullName
        # Garbled: the stamp finds the compiled copy; the record is written again.
        Set-Content -Path $recordFile -Value "garbage`nno such file"
        $r = Invoke-ChildPwsh -Command $cmd -Environment @{ CSOD_CACHE_DIR = $cache }
        $r.Text | Should -Match 'origin=cache'
        $r.Text | Should -Match 'stamp=True'
        @(Get-Content $recordFile).Count | Should -Be 3
        # Another library (a copy elsewhere, named by CSOD_LIBRARY): the
        # record's interop calls the first one, so it is not used.
        $copy = Join-Path $TestDrive 'otherlib'
        New-Item -ItemType Directory -Path $copy -Force | Out-Null
        $lib = Join-Path $copy (Split-Path (& (Get-Module CsOnlineDiagnostics) { $script:CsodNative.LibraryPath }) -Leaf)
        Copy-Item (& (Get-Module CsOnlineDiagnostics) { $script:CsodNative.LibraryPath }) $lib
        $other = Invoke-ChildPwsh -Command $cmd -Environment @{ CSOD_CACHE_DIR = $cache; CSOD_LIBRARY = $lib }
        $other.Text | Should -Match ('library=' + [regex]::Escape($lib))
        $other.Text | Should -Match 'origin=compiled'
        $other.Output[-1] | Should -BeGreaterThan 0
        # And back: the default library again, not the copy's interop.
        $back = Invoke-ChildPwsh -Command $cmd -Environment @{ CSOD_CACHE_DIR = $cache }
        $back.Text | Should -Match ('library=' + [regex]::Escape((& (Get-Module CsOnlineDiagnostics) { $script:CsodNative.LibraryPath })))
        $back.Text | Should -Match 'origin=cache'
    }

    It 'defines the private helpers on first use, not at import' {
        $cmd = 'Import-Module ''{0}''; $m = Get-Module CsOnlineDiagnostics; "before=" + [bool](& $m {{ Get-Command Protect-CsodText -ErrorAction SilentlyContinue }}); $null = Get-CsOnlineConnectorProblem; "after=" + [bool](& $m {{ Get-Command Protect-CsodText -ErrorAction SilentlyContinue }})' -f $script:Manifest
        $r = Invoke-ChildPwsh -Command $cmd
        $r.Text | Should -Match 'before=False'
        $r.Text | Should -Match 'after=True'
    }

    It 'reuses the loaded type on Import-Module -Force (origin: session)' {
        Import-Module $script:Manifest -Force -ErrorAction Stop
        & (Get-Module CsOnlineDiagnostics) { $script:CsodNative.Origin } | Should -Be 'session'
    }

    It 'fails with a clear ErrorRecord when the library is missing' {
        $missing = Join-Path $TestDrive 'nowhere/libcsod.so'
        $r = Invoke-ChildPwsh -Command ('try {{ Import-Module ''{0}'' -ErrorAction Stop; "imported" }} catch {{ "id=" + $_.FullyQualifiedErrorId; "category=" + $_.CategoryInfo.Category; $_.Exception.Message }}' -f $script:Manifest) -Environment @{ CSOD_LIBRARY = $missing }
        $r.Text | Should -Not -Match 'imported'
        $r.Text | Should -Match 'id=CsodLibraryNotFound'
        $r.Text | Should -Match 'category=ObjectNotFound'
        $r.Text | Should -Match ([regex]::Escape($missing))
        $r.Text | Should -Match 'cargo build --release'
    }

    It 'fails with a clear ErrorRecord when the library has another ABI version' {
        $dir = Join-Path $TestDrive 'fakeabi'
        New-Item -ItemType Directory -Path $dir -Force | Out-Null
        $c = Join-Path $dir 'fake.c'
        Set-Content -Path $c -Value @'
#include <stdint.h>
uint32_t csod_abi_version(void) { return 2; }
const char *csod_version(void) { return "9.9.9"; }
'@
        $lib = Join-Path $dir 'libcsod.so'
        & gcc -shared -fPIC -o $lib $c
        $LASTEXITCODE | Should -Be 0
        $r = Invoke-ChildPwsh -Command ('try {{ Import-Module ''{0}'' -ErrorAction Stop; "imported" }} catch {{ "id=" + $_.FullyQualifiedErrorId; "category=" + $_.CategoryInfo.Category; $_.Exception.Message }}' -f $script:Manifest) -Environment @{ CSOD_LIBRARY = $lib; CSOD_CACHE_DIR = (Join-Path $dir 'cache') }
        $r.Text | Should -Not -Match 'imported'
        $r.Text | Should -Match 'id=CsodAbiMismatch'
        $r.Text | Should -Match 'category=InvalidResult'
        $r.Text | Should -Match 'ABI version 2'
        $r.Text | Should -Match 'needs ABI version 1'
    }

    It 'fails with a clear ErrorRecord when the file is not a loadable library' {
        $bad = Join-Path $TestDrive 'notalib/libcsod.so'
        New-Item -ItemType File -Path $bad -Force | Out-Null
        Set-Content -Path $bad -Value 'not an ELF file'
        $r = Invoke-ChildPwsh -Command ('try {{ Import-Module ''{0}'' -ErrorAction Stop; "imported" }} catch {{ "id=" + $_.FullyQualifiedErrorId; $_.Exception.Message }}' -f $script:Manifest) -Environment @{ CSOD_LIBRARY = $bad; CSOD_CACHE_DIR = (Join-Path $TestDrive 'notalib/cache') }
        $r.Text | Should -Match 'id=CsodLibraryLoadFailed'
        $r.Text | Should -Match ([regex]::Escape($bad))
    }
}

Describe 'Windows PowerShell 5.1 compatibility' {
    It 'the C# handed to Add-Type compiles as C# 5 (mcs -langversion:5 against the Mono .NET Framework 4.5 profile)' {
        $source = & (Get-Module CsOnlineDiagnostics) { Import-CsodPrivate Loader; (Get-CsodInteropSource -LibraryPath $script:CsodNative.LibraryPath).Source }
        $source | Should -Match 'DllImport\(LibraryPath'
        $source | Should -Match ([regex]::Escape((& (Get-Module CsOnlineDiagnostics) { $script:CsodNative.LibraryPath })))
        $cs = Join-Path $TestDrive 'Interop.cs'
        [System.IO.File]::WriteAllText($cs, $source)
        $out = & mcs -langversion:5 -target:library -warnaserror+ -out:(Join-Path $TestDrive 'Interop.dll') $cs 2>&1
        $LASTEXITCODE | Should -Be 0 -Because ($out -join "`n")
    }

    It 'the mcs check rejects C# 6 (so it would catch a regression)' {
        $cs = Join-Path $TestDrive 'Cs6.cs'
        [System.IO.File]::WriteAllText($cs, 'public static class C6 { public static string F(int x) { return $"{x}"; } }')
        $null = & mcs -langversion:5 -target:library -out:(Join-Path $TestDrive 'Cs6.dll') $cs 2>&1
        $LASTEXITCODE | Should -Not -Be 0
    }

    It '<Name> uses no PowerShell 7-only syntax' -ForEach $script:ScriptFiles {
        Find-Ps7OnlySyntax -Path $Path | Should -BeNullOrEmpty
    }

    It 'the auto-diagnosis proxies it generates use no PowerShell 7-only syntax (the clean block is added on PowerShell 7.3 and later only)' -ForEach @('New-PSSession', 'Invoke-Command', 'Import-PSSession') {
        $command = Get-Command -Name $_ -CommandType Cmdlet
        $text = & (Get-Module CsOnlineDiagnostics) { param($c) Import-CsodImplementation; New-CsodAutoProxyText -Command $c -Name $c.Name } $command
        $text | Should -Match 'GetSteppablePipeline'
        $text = $text -replace '(?ms)^clean\r?\n\{.*?^\}\r?\n', ''
        $text | Should -Not -Match '(?m)^clean'
        Find-Ps7OnlySyntax -Text $text | Should -BeNullOrEmpty
    }

    It 'the syntax check finds each PowerShell 7-only construct' -ForEach @(
        @{ Code = '$a = $b ? 1 : 2' }
        @{ Code = '$a = $b ?? 2' }
        @{ Code = '$a ??= 2' }
        @{ Code = '${a}?.Length' }
        @{ Code = 'git status && echo ok' }
        @{ Code = 'git status || echo no' }
        @{ Code = '1..3 | ForEach-Object -Parallel { $_ }' }
        @{ Code = 'function f { process { 1 } clean { 2 } }' }
        @{ Code = 'if ($IsWindows) { 1 }' }
        @{ Code = 'ConvertFrom-Json $x -AsHashtable' }
    ) {
        Find-Ps7OnlySyntax -Text $Code | Should -Not -BeNullOrEmpty
    }
}

Describe 'Format file' {
    BeforeAll {
        [xml]$script:Format = Get-Content (Join-Path $script:ModuleDir 'CsOnlineDiagnostics.format.ps1xml') -Raw
        $script:FindingViews = @($script:Format.Configuration.ViewDefinitions.View | Where-Object { $_.ViewSelectedBy.TypeName -eq 'CsOnlineDiagnostics.Finding' })
    }

    It 'shows findings as a table of Status, Problem and Summary' {
        $table = $script:FindingViews | Where-Object { $_.TableControl }
        @($table.TableControl.TableHeaders.TableColumnHeader.Label) | Should -Be @('Status', 'Problem', 'Summary')
    }

    It 'shows the evidence, resolution and fix of a finding with Format-List' {
        $list = $script:FindingViews | Where-Object { $_.ListControl }
        $labels = $list.ListControl.ListEntries.ListEntry.ListItems.ListItem | ForEach-Object { if ($_.Label) { $_.Label } else { $_.PropertyName } }
        $labels | Should -Contain 'Evidence'
        $labels | Should -Contain 'Resolution'
        $labels | Should -Contain 'Fix'
    }

    It 'renders a finding through the table view' {
        $f = [pscustomobject]@{ PSTypeName = 'CsOnlineDiagnostics.Finding'; Id = 'x.y'; Status = 'warning'; Problem = 'execution_policy'; Summary = 'A summary'; Evidence = @('e1'); Resolution = @('step'); Fix = 'Do-It' }
        $text = $f | Format-Table | Out-String
        $text | Should -Match 'Status\s+Problem\s+Summary'
        $text | Should -Match 'warning\s+execution_policy\s+A summary'
        $list = $f | Format-List | Out-String
        $list | Should -Match 'Resolution : 1\. step'
        $list | Should -Match 'Fix\s+: Do-It'
    }
}
