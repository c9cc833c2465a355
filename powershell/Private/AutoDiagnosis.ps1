# Auto-diagnosis: proxy functions around the connection commands
# (Enable-/Disable-/Get-CsOnlineConnectorAutoDiagnosis).
#
# Here: the state, the labels, what a proxy calls at each call (the hook,
# the diagnosis), installing and removing proxies, the lookup handler and
# Enable/Disable/Get. The proxies' text and how they work:
# Private/AutoProxy.ps1 (loaded with this file).
#
# Commands not loaded when auto-diagnosis is enabled (MicrosoftTeams,
# ExchangeOnlineManagement imported later) are wrapped when their name is
# first looked up: a PreCommandLookupAction handler (chained to any handler
# already there) resolves them, which imports their module as the lookup
# would, and installs the proxy before PowerShell finds the command. The same
# handler wraps a module function again when its module was imported again.
# Kept free of PowerShell 7-only syntax: this file also runs in Windows
# PowerShell 5.1.

Import-CsodPrivate AutoProxy

# PowerShell's remoting cmdlets, and the connection cmdlets of the connector
# and its successors (the library's facts.json modules.connect_commands).
function script:Get-CsodAutoDefaultCommands {
    Import-CsodPrivate HostFacts
    @('New-PSSession', 'Enter-PSSession', 'Import-PSSession', 'Invoke-Command') + [string[]]@((Get-CsodServiceFacts)['modules']['connect_commands'])
}

# The probes run for one diagnosis are bounded by this (seconds); they run
# concurrently, so a silent network costs one timeout.
$script:CsodAutoTimeoutSec = 3

# At most this many errors of one call are diagnosed (the same problem is
# shown once per call).
$script:CsodAutoMaxPerCall = 3

if (-not (Test-Path -LiteralPath variable:script:CsodAuto)) {
    $script:CsodAuto = @{
        Enabled        = $false
        Language       = $null
        Wrapped        = @{}
        Waiting        = @{}
        Skipped        = @{}
        Busy           = $false
        InLookup       = $false
        Watch          = @{}
        LookupDelegate = $null
        PreviousLookup = $null
    }
}

# The labels of the diagnosis block, in the library's output languages (the
# titles, causes and fixes come from the library in the same language).
$script:CsodAutoText = @{
    en = @{
        Header  = 'csod: {0} failed: {1} [{2}]'
        Cause   = '  Cause: {0}'
        Step    = '  - {0}'
        Fix     = '  Fix: {0}'
        Details = '  Details: $Error[0] | Test-CsOnlineConnector | Format-List'
        On      = 'Auto-diagnosis is on for: {0}.'
        Waiting = 'Wrapped when first used (not loaded yet): {0}. If one is not, run Enable-CsOnlineConnectorAutoDiagnosis again after importing its module.'
        Skipped = 'Not wrapped: {0}.'
        Off     = 'Auto-diagnosis is off: the original commands are back.'
    }
    fr = @{
        Header  = 'csod : {0} a ' + [char]0x00E9 + 'chou' + [char]0x00E9 + ' : {1} [{2}]'
        Cause   = '  Cause : {0}'
        Step    = '  - {0}'
        Fix     = '  Correctif : {0}'
        Details = '  D' + [char]0x00E9 + 'tails : $Error[0] | Test-CsOnlineConnector | Format-List'
        On      = 'Diagnostic automatique actif pour : {0}.'
        Waiting = 'Pris en charge ' + [char]0x00E0 + ' la premi' + [char]0x00E8 + 're utilisation (pas encore charg' + [char]0x00E9 + 's) : {0}. Sinon, relancez Enable-CsOnlineConnectorAutoDiagnosis apr' + [char]0x00E8 + 's avoir import' + [char]0x00E9 + ' leur module.'
        Skipped = 'Non pris en charge : {0}.'
        Off     = 'Diagnostic automatique d' + [char]0x00E9 + 'sactiv' + [char]0x00E9 + ' : les commandes d''origine sont r' + [char]0x00E9 + 'tablies.'
    }
}

function script:Get-CsodAutoText {
    # The label table of a language (English when the library's language has none).
    param([string] $Language)
    if ($Language -and $script:CsodAutoText.ContainsKey($Language)) { return $script:CsodAutoText[$Language] }
    $script:CsodAutoText['en']
}

function script:Get-CsodAutoLanguage {
    # The language the messages of Enable/Disable are written in.
    if ($script:CsodAuto.Language) { return $script:CsodAuto.Language }
    try { return (Resolve-CsodLanguage -Language '').Language } catch { return 'en' }
}

function script:Get-CsodAutoDiagnosisHook {
    # What a proxy asks for at each call: the original command and the
    # diagnosis entry point. $null once auto-diagnosis is off.
    param([string] $Name)
    if (-not $script:CsodAuto.Enabled) { return $null }
    $entry = $script:CsodAuto.Wrapped[$Name]
    if ($null -eq $entry) { return $null }
    @{ Command = $entry.Command; Diagnose = $script:CsodAutoDiagnose; Prepare = $script:CsodAutoPrepare }
}

$script:CsodAutoPrepare = {
    # Makes the wrapped command run as it did unwrapped, in two respects
    # PowerShell handles differently for a proxy's steppable pipeline:
    # - its errors point at the caller's whole statement ($s = New-PSSession
    #   ... | ...); unwrapped, at the command itself: the wrapped command's
    #   InvocationInfo gets the proxy's own position (same line, column and
    #   underline in error messages);
    # - a cmdlet runs in the proxy's scope; unwrapped, in the caller's (where
    #   Set-Variable without -Scope, or -Scope 1, lands): its scope becomes
    #   the proxy's parent. A module function runs in its module's scopes
    #   either way.
    # Internal members, read by reflection: when a PowerShell version lacks
    # one, that part is left as PowerShell made it.
    param(
        [System.Management.Automation.SteppablePipeline] $SteppablePipeline,
        [System.Management.Automation.InvocationInfo] $Invocation,
        [System.Management.Automation.SessionState] $SessionState
    )
    $head = $null
    if ($global:Error.Count -gt 0) { $head = $global:Error[0] }
    try {
        $flags = [System.Reflection.BindingFlags]'NonPublic, Public, Instance'
        $pipelineField = [System.Management.Automation.SteppablePipeline].GetField('_pipeline', $flags)
        if ($null -eq $pipelineField) { return }
        $pipeline = $pipelineField.GetValue($SteppablePipeline)
        if ($null -eq $pipeline) { return }
        $commandsProperty = $pipeline.GetType().GetProperty('Commands', $flags)
        if ($null -eq $commandsProperty) { return }
        $commands = $commandsProperty.GetValue($pipeline, $null)
        if ($null -eq $commands -or $commands.Count -ne 1) { return }
        $processor = $commands[0]
        $commandProperty = $processor.GetType().GetProperty('Command', $flags)
        if ($null -eq $commandProperty) { return }
        $command = $commandProperty.GetValue($processor, $null)
        if ($null -eq $command) { return }

        $positionProperty = [System.Management.Automation.InvocationInfo].GetProperty('ScriptPosition', $flags)
        $invocationProperty = $command.GetType().GetProperty('MyInvocation', $flags)
        if ($null -ne $positionProperty -and $null -ne $invocationProperty) {
            $position = $positionProperty.GetValue($Invocation, $null)
            $inner = $invocationProperty.GetValue($command, $null)
            if ($null -ne $position -and $inner -is [System.Management.Automation.InvocationInfo]) { $inner.DisplayScriptPosition = $position }
        }

        if ($command -is [System.Management.Automation.Cmdlet] -and $null -ne $SessionState) {
            $internalProperty = [System.Management.Automation.SessionState].GetProperty('Internal', $flags)
            $scopeProperty = $processor.GetType().GetProperty('CommandScope', $flags)
            if ($null -eq $internalProperty -or $null -eq $scopeProperty) { return }
            $internal = $internalProperty.GetValue($SessionState, $null)
            $currentProperty = $internal.GetType().GetProperty('CurrentScope', $flags)
            if ($null -eq $currentProperty) { return }
            $proxyScope = $currentProperty.GetValue($internal, $null)
            if ($null -eq $proxyScope -or -not [object]::ReferenceEquals($proxyScope, $scopeProperty.GetValue($processor, $null))) { return }
            $parentProperty = $proxyScope.GetType().GetProperty('Parent', $flags)
            if ($null -eq $parentProperty) { return }
            $callerScope = $parentProperty.GetValue($proxyScope, $null)
            if ($null -ne $callerScope) { $scopeProperty.SetValue($processor, $callerScope, $null) }
        }
    } catch {
        Write-Verbose ('csod: auto-diagnosis could not prepare the wrapped command: {0}' -f $_)
    } finally {
        while ($global:Error.Count -gt 0 -and -not [object]::ReferenceEquals($global:Error[0], $head)) { $global:Error.RemoveAt(0) }
    }
}

function script:Format-CsodAutoDiagnosis {
    # The block shown under a failed command.
    param([object] $Diagnosis, [string] $CommandName)
    $text = Get-CsodAutoText -Language ([string]$Diagnosis.Language)
    $lines = New-Object System.Collections.Generic.List[string]
    $lines.Add(($text.Header -f $CommandName, $Diagnosis.Title, $Diagnosis.Problem))
    if ($Diagnosis.Cause) { $lines.Add(($text.Cause -f $Diagnosis.Cause)) }
    foreach ($step in @($Diagnosis.Resolution)) {
        if ($step) { $lines.Add(($text.Step -f $step)) }
    }
    if ($Diagnosis.Fix) { $lines.Add(($text.Fix -f $Diagnosis.Fix)) }
    $lines.Add($text.Details)
    $lines -join [System.Environment]::NewLine
}

function script:Test-CsodAutoCandidate {
    # A non-terminating error is diagnosed when the wrapped command wrote it
    # (not a command run inside Invoke-Command's script block) or when it is a
    # remoting transport error.
    param([System.Management.Automation.ErrorRecord] $Record, [string] $CommandName)
    if ($Record.Exception -is [System.Management.Automation.Remoting.PSRemotingTransportException]) { return $true }
    $invocation = $Record.InvocationInfo
    if ($null -eq $invocation -or $null -eq $invocation.MyCommand) { return $true }
    $invocation.MyCommand.Name -eq $CommandName
}

$script:CsodAutoDiagnose = {
    # Called by the proxies: diagnoses the errors of one call and writes what
    # is recognised to the information stream. Never throws; leaves $Error
    # as it found it.
    param([object[]] $Records, [string] $CommandName, [hashtable] $Seen, [string] $InformationAction, [bool] $Terminating)
    if ($script:CsodAuto.Busy -or $InformationAction -eq 'Ignore' -or -not $Records) { return }
    $script:CsodAuto.Busy = $true
    $head = $null
    if ($global:Error.Count -gt 0) { $head = $global:Error[0] }
    $ProgressPreference = 'SilentlyContinue'
    try {
        foreach ($record in $Records) {
            if ($record -isnot [System.Management.Automation.ErrorRecord]) { continue }
            if (-not $Terminating -and -not (Test-CsodAutoCandidate -Record $record -CommandName $CommandName)) { continue }
            $message = ''
            if ($null -ne $record.Exception) { $message = $record.Exception.Message }
            $key = 'error:{0}|{1}' -f $record.FullyQualifiedErrorId, $message
            if ($Seen.ContainsKey($key)) { continue }
            $Seen[$key] = $true
            $attempts = 0
            if ($Seen.ContainsKey('attempts')) { $attempts = $Seen['attempts'] }
            if ($attempts -ge $script:CsodAutoMaxPerCall) { break }
            $Seen['attempts'] = $attempts + 1
            try {
                $arguments = @{ ErrorRecord = $record; TimeoutSec = $script:CsodAutoTimeoutSec; ErrorAction = 'Stop'; WarningAction = 'SilentlyContinue' }
                if ($script:CsodAuto.Language) { $arguments['Language'] = $script:CsodAuto.Language }
                $diagnosis = @(Test-CsOnlineConnector @arguments) | Select-Object -First 1
                if ($null -eq $diagnosis -or -not $diagnosis.Problem) {
                    Write-Verbose ('csod: auto-diagnosis: the error of {0} is not a known connector problem' -f $CommandName)
                    continue
                }
                if ($Seen.ContainsKey('problem:' + $diagnosis.Problem)) { continue }
                $Seen['problem:' + $diagnosis.Problem] = $true
                $message = New-Object System.Management.Automation.PSObject -ArgumentList (Format-CsodAutoDiagnosis -Diagnosis $diagnosis -CommandName $CommandName)
                Add-Member -InputObject $message -MemberType NoteProperty -Name Diagnosis -Value $diagnosis
                Write-Information -MessageData $message -Tags 'CsOnlineDiagnostics', 'AutoDiagnosis', $diagnosis.Problem -InformationAction $InformationAction
            } catch {
                Write-Verbose ('csod: auto-diagnosis of {0} failed: {1}' -f $CommandName, $_)
            }
        }
    } catch {
        Write-Verbose ('csod: auto-diagnosis of {0} failed: {1}' -f $CommandName, $_)
    } finally {
        # Errors our own code caught landed in $Error: not the caller's.
        while ($global:Error.Count -gt 0 -and -not [object]::ReferenceEquals($global:Error[0], $head)) { $global:Error.RemoveAt(0) }
        $script:CsodAuto.Busy = $false
    }
}

function script:Get-CsodAutoProxyName {
    # The proxy of New-PSSession is the function
    # CsodAutoDiagnosis.New-PSSession, reached through the alias New-PSSession
    # (an alias takes precedence over functions and cmdlets). A function of
    # the command's own name would make Get-Help New-PSSession list two topics
    # (the function and the cmdlet); through an alias there is one, forwarded
    # to the cmdlet's help. The original command's entry is never touched.
    param([string] $Name)
    'CsodAutoDiagnosis.' + $Name
}

function script:Test-CsodAutoProxyInPlace {
    param([object] $Entry)
    $alias = Get-Item -LiteralPath ('alias:\{0}' -f $Entry.Name) -ErrorAction Ignore
    if ($null -eq $alias -or $alias.Definition -ne $Entry.ProxyName) { return $false }
    $function = Get-Item -LiteralPath ('function:\{0}' -f $Entry.ProxyName) -ErrorAction Ignore
    ($null -ne $function) -and [object]::ReferenceEquals($function.ScriptBlock, $Entry.Proxy)
}

function script:Test-CsodModuleLoaded {
    param([System.Management.Automation.PSModuleInfo] $Module)
    if ($null -eq $Module) { return $true }
    foreach ($m in @(Get-Module -Name $Module.Name -ErrorAction Ignore)) {
        if ([object]::ReferenceEquals($m, $Module)) { return $true }
    }
    $false
}

function script:Resolve-CsodAutoTarget {
    # The command a name resolves to, as a target: a cmdlet, or a function of
    # a module. -Import lets PowerShell import the module that has it.
    param([string] $Name, [switch] $Import)
    $alias = Get-Item -LiteralPath ('alias:\{0}' -f $Name) -ErrorAction Ignore
    if ($null -ne $alias -and $alias.Definition -ne (Get-CsodAutoProxyName -Name $Name)) {
        return @{ Status = 'Skipped'; Note = ('an alias of that name exists (to {0}); it is left alone' -f $alias.Definition) }
    }
    if ($Import) {
        $found = @(Get-Command -Name $Name -CommandType Cmdlet, Function -ErrorAction Ignore)
    } else {
        $found = @(Get-Command -Name $Name -CommandType Cmdlet, Function -ListImported -ErrorAction Ignore)
    }
    $functions = @($found | Where-Object { $_ -is [System.Management.Automation.FunctionInfo] })
    $cmdlets = @($found | Where-Object { $_ -is [System.Management.Automation.CmdletInfo] })
    if ($functions.Count -gt 0) {
        # A function takes precedence over a cmdlet of the same name.
        $function = $functions[0]
        if (-not $function.ModuleName) {
            return @{ Status = 'Skipped'; Note = 'a function defined outside any module has the name (another wrapper?); it is left alone' }
        }
        $original = $ExecutionContext.InvokeCommand.GetCommand((Get-CsodQualifiedName -Command $function), [System.Management.Automation.CommandTypes]::Function)
        if ($null -eq $original) { return @{ Status = 'Skipped'; Note = ('the function of module {0} could not be resolved' -f $function.ModuleName) } }
        return @{ Status = 'Found'; Command = $original; Module = $function.Module }
    }
    if ($cmdlets.Count -gt 0) { return @{ Status = 'Found'; Command = $cmdlets[0]; Module = $null } }
    @{ Status = 'Missing' }
}

function script:Install-CsodAutoProxy {
    # Puts the proxy in front of the command (a global function and a global
    # alias of the command's name); returns the entry.
    param([string] $Name, [hashtable] $Target)
    $command = $Target.Command
    $proxyName = Get-CsodAutoProxyName -Name $Name
    $proxy = [scriptblock]::Create((New-CsodAutoProxyText -Command $command -Name $Name))
    Set-Item -LiteralPath ('function:global:{0}' -f $proxyName) -Value $proxy -Force -ErrorAction Stop
    try {
        Set-Alias -Name $Name -Value $proxyName -Scope Global -Force -Description ('csod auto-diagnosis proxy of {0}' -f (Get-CsodQualifiedName -Command $command)) -ErrorAction Stop
    } catch {
        Remove-Item -LiteralPath ('function:\{0}' -f $proxyName) -Force -ErrorAction Ignore
        throw
    }
    [pscustomobject]@{
        Name      = $Name
        ProxyName = $proxyName
        Command   = $command
        Module    = $Target.Module
        Proxy     = (Get-Item -LiteralPath ('function:\{0}' -f $proxyName)).ScriptBlock
    }
}

function script:Uninstall-CsodAutoProxy {
    # Takes the alias and the proxy away (when they are still ours): the name
    # resolves to the original command again.
    param([object] $Entry)
    $alias = Get-Item -LiteralPath ('alias:\{0}' -f $Entry.Name) -ErrorAction Ignore
    if ($null -ne $alias -and $alias.Definition -eq $Entry.ProxyName) {
        Remove-Item -LiteralPath ('alias:\{0}' -f $Entry.Name) -Force -ErrorAction Ignore
    }
    $function = Get-Item -LiteralPath ('function:\{0}' -f $Entry.ProxyName) -ErrorAction Ignore
    if ($null -ne $function -and [object]::ReferenceEquals($function.ScriptBlock, $Entry.Proxy)) {
        Remove-Item -LiteralPath ('function:\{0}' -f $Entry.ProxyName) -Force -ErrorAction Ignore
    }
}

function script:Add-CsodAutoCommand {
    # Wraps one name now, or waits for its first use. Returns its status.
    param([string] $Name, [switch] $Import)
    $entry = $script:CsodAuto.Wrapped[$Name]
    if ($null -ne $entry) {
        if ((Test-CsodAutoProxyInPlace -Entry $entry) -and (Test-CsodModuleLoaded -Module $entry.Module)) { return 'Wrapped' }
        # Displaced (its module imported again, the function removed): the
        # stale proxy goes, the command is resolved again.
        Uninstall-CsodAutoProxy -Entry $entry
        $script:CsodAuto.Wrapped.Remove($Name)
    }
    $target = Resolve-CsodAutoTarget -Name $Name -Import:$Import
    if ($target.Status -eq 'Found') {
        $script:CsodAuto.Wrapped[$Name] = Install-CsodAutoProxy -Name $Name -Target $target
        $script:CsodAuto.Waiting.Remove($Name)
        $script:CsodAuto.Skipped.Remove($Name)
        return 'Wrapped'
    }
    if ($target.Status -eq 'Skipped') {
        $script:CsodAuto.Skipped[$Name] = $target.Note
        $script:CsodAuto.Waiting.Remove($Name)
        return 'Skipped'
    }
    $script:CsodAuto.Waiting[$Name] = $true
    'Waiting'
}

function script:Update-CsodAutoWatch {
    # The names the lookup handler acts on: those waiting for their module,
    # and the wrapped module functions (their module may be imported again,
    # which leaves the proxy calling the old one). Cmdlets, once wrapped, are
    # not looked at again: the handler costs a hash lookup per command.
    $watch = @{}
    foreach ($name in @($script:CsodAuto.Waiting.Keys)) { $watch[$name] = $true }
    foreach ($entry in @($script:CsodAuto.Wrapped.Values)) {
        if ($null -ne $entry.Module) { $watch[$entry.Name] = $true }
    }
    $script:CsodAuto.Watch = $watch
}

function script:Invoke-CsodAutoLookup {
    # A watched name is being looked up: wrap it (importing its module, as the
    # lookup itself would) or wrap it again. Leaves $Error as it was.
    param([string] $Name)
    if (-not $script:CsodAuto.Enabled -or $script:CsodAuto.InLookup -or $script:CsodAuto.Busy) { return }
    $script:CsodAuto.InLookup = $true
    $head = $null
    if ($global:Error.Count -gt 0) { $head = $global:Error[0] }
    try {
        $null = Add-CsodAutoCommand -Name $Name -Import
    } catch {
        Write-Verbose ('csod: auto-diagnosis could not wrap {0}: {1}' -f $Name, $_)
    } finally {
        Update-CsodAutoWatch
        while ($global:Error.Count -gt 0 -and -not [object]::ReferenceEquals($global:Error[0], $head)) { $global:Error.RemoveAt(0) }
        $script:CsodAuto.InLookup = $false
    }
}

# PreCommandLookupAction: runs before PowerShell looks up any command name,
# so it is kept to a hash lookup (and the call of a handler set before ours).
$script:CsodAutoLookup = {
    param($CommandName, $LookupArgs)
    if ($script:CsodAuto.Watch.ContainsKey($CommandName)) { Invoke-CsodAutoLookup -Name $CommandName }
    if ($null -ne $script:CsodAuto.PreviousLookup) { $script:CsodAuto.PreviousLookup.Invoke($CommandName, $LookupArgs) }
}

function script:Register-CsodAutoLookup {
    if ($null -ne $script:CsodAuto.LookupDelegate) { return }
    $delegate = [System.EventHandler[System.Management.Automation.CommandLookupEventArgs]] $script:CsodAutoLookup
    $script:CsodAuto.PreviousLookup = $ExecutionContext.InvokeCommand.PreCommandLookupAction
    $ExecutionContext.InvokeCommand.PreCommandLookupAction = $delegate
    $script:CsodAuto.LookupDelegate = $delegate
}

function script:Unregister-CsodAutoLookup {
    $delegate = $script:CsodAuto.LookupDelegate
    if ($null -eq $delegate) { return }
    if ([object]::ReferenceEquals($ExecutionContext.InvokeCommand.PreCommandLookupAction, $delegate)) {
        $ExecutionContext.InvokeCommand.PreCommandLookupAction = $script:CsodAuto.PreviousLookup
        $script:CsodAuto.LookupDelegate = $null
        $script:CsodAuto.PreviousLookup = $null
    }
    # Otherwise a handler set later calls ours in turn: ours stays, idle
    # (it does nothing while auto-diagnosis is off) and passes the call on.
}

function script:Enable-CsodAutoDiagnosis {
    # Returns the status of each name.
    param([string[]] $Command, [string] $Language)
    if ($Language) { $script:CsodAuto.Language = $Language }
    $script:CsodAuto.Enabled = $true
    $status = [ordered]@{}
    foreach ($name in $Command) {
        $status[$name] = Add-CsodAutoCommand -Name $name
    }
    Update-CsodAutoWatch
    if ($script:CsodAuto.Watch.Count -gt 0) { Register-CsodAutoLookup }
    $status
}

function script:Disable-CsodAutoDiagnosis {
    # Puts every original command back and stops watching lookups.
    $script:CsodAuto.Enabled = $false
    foreach ($entry in @($script:CsodAuto.Wrapped.Values)) {
        try { Uninstall-CsodAutoProxy -Entry $entry } catch { Write-Verbose ('csod: could not restore {0}: {1}' -f $entry.Name, $_) }
    }
    $script:CsodAuto.Wrapped.Clear()
    $script:CsodAuto.Waiting.Clear()
    $script:CsodAuto.Skipped.Clear()
    $script:CsodAuto.Watch = @{}
    Unregister-CsodAutoLookup
}

function script:Get-CsodAutoDiagnosisState {
    # One object per name: what is wrapped, waiting or skipped, read live.
    $rows = New-Object System.Collections.Generic.List[object]
    foreach ($name in @($script:CsodAuto.Wrapped.Keys | Sort-Object)) {
        $entry = $script:CsodAuto.Wrapped[$name]
        $status = 'Wrapped'
        $note = 'diagnosed when it fails'
        if (-not (Test-CsodAutoProxyInPlace -Entry $entry) -or -not (Test-CsodModuleLoaded -Module $entry.Module)) {
            $status = 'Displaced'
            if ($null -ne $entry.Module) {
                $note = 'its module was imported again, or its alias or proxy replaced; wrapped again when next used'
            } else {
                $note = 'its alias or proxy was replaced; run Enable-CsOnlineConnectorAutoDiagnosis again to wrap it again'
            }
        }
        $rows.Add((New-CsodAutoStateRow -Name $name -Status $status -Command $entry.Command -Note $note))
    }
    foreach ($name in @($script:CsodAuto.Waiting.Keys | Sort-Object)) {
        $rows.Add((New-CsodAutoStateRow -Name $name -Status 'Waiting' -Command $null -Note 'not loaded yet; wrapped when first used'))
    }
    foreach ($name in @($script:CsodAuto.Skipped.Keys | Sort-Object)) {
        $rows.Add((New-CsodAutoStateRow -Name $name -Status 'Skipped' -Command $null -Note $script:CsodAuto.Skipped[$name]))
    }
    $rows.ToArray()
}

function script:New-CsodAutoStateRow {
    param([string] $Name, [string] $Status, [object] $Command, [string] $Note)
    $type = $null
    $source = $null
    if ($null -ne $Command) {
        $type = [string]$Command.CommandType
        $source = $Command.ModuleName
    }
    $language = $script:CsodAuto.Language
    if (-not $language) { $language = Get-CsodAutoLanguage }
    $row = [pscustomobject]@{
        PSTypeName  = 'CsOnlineDiagnostics.AutoDiagnosis'
        Command     = $Name
        Status      = $Status
        CommandType = $type
        Source      = $source
        Language    = $language
        Note        = $Note
    }
    $display = New-Object System.Management.Automation.PSPropertySet -ArgumentList 'DefaultDisplayPropertySet', ([string[]]@('Command', 'Status', 'Source', 'Note'))
    Add-Member -InputObject $row -MemberType MemberSet -Name PSStandardMembers -Value ([System.Management.Automation.PSMemberInfo[]]@($display)) -Force
    $row
}
