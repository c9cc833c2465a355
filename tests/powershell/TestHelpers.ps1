# Shared by the *.Tests.ps1 files (dot-sourced in BeforeAll / BeforeDiscovery).
$script:RepoRoot = [System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot '../..'))
$script:ModuleDir = Join-Path $script:RepoRoot 'powershell'
$script:Manifest = Join-Path $script:ModuleDir 'CsOnlineDiagnostics.psd1'
$script:PwshWrapper = Join-Path $script:RepoRoot 'scripts/pwsh'

function Import-TestModule {
    Import-Module $script:Manifest -Force -ErrorAction Stop
    # The private helpers are defined on first use; tests call and mock them.
    & (Get-Module CsOnlineDiagnostics) { Import-CsodImplementation }
}

function Invoke-ChildPwsh {
    # Runs a command in a fresh scripts/pwsh process with extra environment
    # variables; returns its output lines (stdout and stderr) and exit code.
    param([string] $Command, [hashtable] $Environment = @{})
    $saved = @{}
    foreach ($k in $Environment.Keys) {
        $saved[$k] = [System.Environment]::GetEnvironmentVariable($k)
        [System.Environment]::SetEnvironmentVariable($k, $Environment[$k])
    }
    try {
        $output = & $script:PwshWrapper -NoProfile -NonInteractive -Command ('$PSStyle.OutputRendering = "PlainText"; ' + $Command) 2>&1 | ForEach-Object { "$_" }
        [pscustomobject]@{ Output = @($output); Text = ($output -join "`n"); ExitCode = $LASTEXITCODE }
    } finally {
        foreach ($k in $saved.Keys) { [System.Environment]::SetEnvironmentVariable($k, $saved[$k]) }
    }
}

function Get-DesignSamples {
    # Every sample of the design families of tests/samples (scripts/eval):
    # the held-out family named in tests/samples/families.json is left out.
    $families = Get-Content (Join-Path $script:RepoRoot 'tests/samples/families.json') -Raw | ConvertFrom-Json
    foreach ($dir in Get-ChildItem (Join-Path $script:RepoRoot 'tests/samples') -Directory) {
        if (@($families.held_out) -contains $dir.Name) { continue }
        if (-not $families.families.PSObject.Properties[$dir.Name]) { continue }
        foreach ($file in Get-ChildItem $dir.FullName -Filter *.json) {
            $doc = Get-Content $file.FullName -Raw | ConvertFrom-Json
            foreach ($s in $doc.samples) {
                [pscustomobject]@{ Language = $doc.language; Expect = $s.expect; Text = $s.text; Source = $s.source }
            }
        }
    }
}

function Get-CorpusSamples {
    # Every sample of tests/corpus/<lang>.json with its language.
    foreach ($file in Get-ChildItem (Join-Path $script:RepoRoot 'tests/corpus') -Filter *.json) {
        $doc = Get-Content $file.FullName -Raw | ConvertFrom-Json
        $i = 0
        foreach ($s in $doc.samples) {
            $i++
            [pscustomobject]@{
                Language = $doc.language
                Index    = $i
                Expect   = $s.expect
                Text     = $s.PSObject.Properties['text'] | ForEach-Object Value
                Record   = $s.PSObject.Properties['record'] | ForEach-Object Value
                Source   = $s.source
                Fields   = $s.PSObject.Properties['fields'] | ForEach-Object Value
            }
        }
    }
}

# The real FullyQualifiedErrorId, exception type, category and command of each
# catalog problem, as PowerShell raises it (docs/facts.md#connector-errors).
# The Get-CsWebTicket errors have no public id or type (docs/facts.md#get-cswebticket-errors):
# they are built as PowerShell records a script's throw (RuntimeException,
# FullyQualifiedErrorId = the message), so only their text identifies them.
$script:RealErrors = @{
    execution_policy          = @{ Fqeid = 'UnauthorizedAccess,Microsoft.PowerShell.Commands.ImportModuleCommand'; Type = 'System.Management.Automation.PSSecurityException'; Category = 'SecurityError'; Command = 'Import-Module' }
    powershell_version        = @{ Fqeid = 'Modules_InsufficientPowerShellVersion,Microsoft.PowerShell.Commands.ImportModuleCommand'; Type = 'System.InvalidOperationException'; Category = 'ResourceUnavailable'; Command = 'Import-Module' }
    winrm_basic_auth          = @{ Fqeid = '-2144108321,PSSessionOpenFailed'; Type = 'System.Management.Automation.Remoting.PSRemotingTransportException'; Category = 'OpenError'; Command = 'New-PSSession'; ErrorCode = -2144108321 }
    liveid_connect_failed     = @{ Fqeid = $null; Type = 'System.Management.Automation.RuntimeException'; Category = 'NotSpecified'; Command = 'Get-CsWebTicket' }
    liveid_module_load_failed = @{ Fqeid = $null; Type = 'System.Management.Automation.RuntimeException'; Category = 'NotSpecified'; Command = 'Get-CsWebTicket' }
    logon_failed              = @{ Fqeid = $null; Type = 'System.Management.Automation.RuntimeException'; Category = 'NotSpecified'; Command = 'Get-CsWebTicket' }
    tenant_permission         = @{ Fqeid = '-2144108477,PSSessionOpenFailed'; Type = 'System.Management.Automation.Remoting.PSRemotingTransportException'; Category = 'OpenError'; Command = 'New-PSSession'; ErrorCode = -2144108477 }
    tenant_access_disabled    = @{ Fqeid = '-2144108477,PSSessionOpenFailed'; Type = 'System.Management.Automation.Remoting.PSRemotingTransportException'; Category = 'OpenError'; Command = 'New-PSSession'; ErrorCode = -2144108477 }
    shells_per_user           = @{ Fqeid = '-2144108123,PSSessionOpenFailed'; Type = 'System.Management.Automation.Remoting.PSRemotingTransportException'; Category = 'OpenError'; Command = 'New-PSSession'; ErrorCode = -2144108123 }
    session_expired           = @{ Fqeid = 'JobFailure'; Type = 'System.Management.Automation.Remoting.PSRemotingTransportException'; Category = 'OperationStopped'; Command = $null }
    connector_retired         = @{ Fqeid = 'CommandNotFoundException'; Type = 'System.Management.Automation.CommandNotFoundException'; Category = 'ObjectNotFound'; Command = $null }
    shells_per_tenant         = @{ Fqeid = '-2144108477,PSSessionOpenFailed'; Type = 'System.Management.Automation.Remoting.PSRemotingTransportException'; Category = 'OpenError'; Command = 'New-PSSession'; ErrorCode = -2144108477 }
}

function New-RealErrorRecord {
    # An ErrorRecord as PowerShell builds it: real exception type (with the
    # WinRM ErrorCode for transport errors), FullyQualifiedErrorId, category,
    # and the failing command in its InvocationInfo.
    param([string] $Problem, [string] $Message, [string] $Fqeid, [string] $Type)
    $real = $script:RealErrors[$Problem]
    if (-not $Fqeid) { $Fqeid = $real.Fqeid }
    if (-not $Fqeid) { $Fqeid = $Message }
    if (-not $Type) { $Type = $real.Type }
    $exception = New-Object -TypeName $Type -ArgumentList $Message
    if ($real.ContainsKey('ErrorCode') -and $exception.PSObject.Properties['ErrorCode']) {
        $exception.ErrorCode = $real.ErrorCode
    }
    $record = New-Object System.Management.Automation.ErrorRecord -ArgumentList $exception, $Fqeid, ([System.Management.Automation.ErrorCategory]$real.Category), $null
    if ($real.Command) { $record.CategoryInfo.Activity = $real.Command }
    $record
}

function Get-OutputLanguage([string] $Language) {
    # The corpus language when the library has texts in it, else English.
    if ($Language -in 'en', 'fr') { return $Language }
    'en'
}

function New-CorpusErrorRecord {
    # An ErrorRecord from a corpus "record": its exception type, HResult (an
    # unsigned code is stored as the signed Int32 it is), WinRM ErrorCode
    # (from a numeric FullyQualifiedErrorId), FullyQualifiedErrorId and command.
    param([object] $Record)
    $get = { param($n) $p = $Record.PSObject.Properties[$n]; if ($p) { $p.Value } else { $null } }
    $message = & $get 'message'
    if (-not $message) { $message = '' }
    $type = & $get 'exception_type'
    if (-not $type) { $type = 'System.Management.Automation.RuntimeException' }
    $exception = New-Object -TypeName $type -ArgumentList $message
    $hresult = & $get 'hresult'
    if ($null -ne $hresult) {
        $h = [int64]$hresult
        if ($h -gt [int32]::MaxValue) { $h -= 4294967296 }
        $exception.HResult = [int32]$h
    }
    $fqeid = & $get 'fully_qualified_error_id'
    if (-not $fqeid) { $fqeid = $type.Split('.')[-1] }
    if ($fqeid -match '^(-?\d+),' -and $exception.PSObject.Properties['ErrorCode']) { $exception.ErrorCode = [int]$Matches[1] }
    $er = New-Object System.Management.Automation.ErrorRecord -ArgumentList $exception, $fqeid, 'NotSpecified', $null
    $command = & $get 'command'
    if ($command) { $er.CategoryInfo.Activity = $command }
    $er
}
