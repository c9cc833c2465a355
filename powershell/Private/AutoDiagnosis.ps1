# Auto-diagnosis: proxy functions around the connection commands
# (Enable-/Disable-/Get-CsOnlineConnectorAutoDiagnosis).
#
# How a proxy works, and why it is built this way:
# - It is generated from the wrapped command's own metadata
#   ([System.Management.Automation.ProxyCommand]: CmdletBinding attribute,
#   param block, dynamic parameters), so binding, pipeline input, tab
#   completion and -ErrorAction behave as before; its help is forwarded to
#   the wrapped command.
# - It is the global function CsodAutoDiagnosis.<name>, reached through a
#   global alias <name> (aliases come before functions and cmdlets): the
#   original command's own entry is never modified, and Get-Help <name>
#   finds one topic (a function of the same name as the cmdlet would make it
#   list two).
# - Its script block belongs to no module: it runs in the caller's scope
#   chain, so $ErrorActionPreference and the other preference variables the
#   caller set reach the wrapped command exactly as they did (a module-bound
#   proxy would see the module's scope instead).
# - The wrapped command runs in a steppable pipeline linked to the proxy's
#   output and error pipes: its output and non-terminating errors pass
#   through untouched (same ErrorRecord objects, same $?, same
#   -ErrorVariable contents). A wrapped cmdlet runs in the caller's scope and
#   its errors point at the command in the caller's statement, as unwrapped
#   (internal members set by reflection; skipped where missing). The steppable pipeline is stepped through
#   reflection (MethodInfo.Invoke) so that a terminating error arrives as a
#   MethodInvocationException whose inner exception is the exact exception
#   the wrapped command raised; PowerShell's catch would only hand a copy of
#   its ErrorRecord.
# - That exception is raised again unchanged: a statement-terminating error
#   through $PSCmdlet.ThrowTerminatingError (then the ErrorRecord's
#   InvocationInfo, which ThrowTerminatingError replaces with the proxy's,
#   is put back, so FullyQualifiedErrorId, position and command are the
#   wrapped command's); a script-terminating one (a script's throw,
#   -ErrorAction Stop) with throw, the "thrown by a throw statement" mark put
#   back as it was. The copies our own catch added to $Error and to the
#   caller's -ErrorVariable list are taken out.
# - The diagnosis (Test-CsOnlineConnector -ErrorRecord) is written to the
#   information stream; any failure of ours is swallowed (Write-Verbose) and
#   the records our own code added to $Error are removed.
#
# Commands not loaded when auto-diagnosis is enabled (MicrosoftTeams,
# ExchangeOnlineManagement imported later) are wrapped when their name is
# first looked up: a PreCommandLookupAction handler (chained to any handler
# already there) resolves them, which imports their module as the lookup
# would, and installs the proxy before PowerShell finds the command. The same
# handler wraps a module function again when its module was imported again.
# Kept free of PowerShell 7-only syntax: this file also runs in Windows
# PowerShell 5.1.

$script:CsodAutoDefaultCommands = @(
    'New-PSSession', 'Enter-PSSession', 'Import-PSSession', 'Invoke-Command',
    'New-CsOnlineSession', 'Connect-MicrosoftTeams', 'Connect-ExchangeOnline', 'Connect-IPPSSession'
)

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

# The body of every proxy. __NAME__, __QUALIFIED__, __TYPE__ and __ORIGIN__
# are replaced when it is generated; __STEP_*__ by the step below. Written
# for the caller's strict mode (every variable set before it is read, no
# property read on an object that may lack it).
$script:CsodAutoProxyBody = @'
begin {
    $csodProxyOf = '__QUALIFIED__'
    $csodHook = $null
    $csodHost = $ExecutionContext.InvokeCommand.GetCommand('CsOnlineDiagnostics\Get-CsOnlineConnectorAutoDiagnosis', [System.Management.Automation.CommandTypes]::Function)
    if ($null -ne $csodHost -and $null -ne $csodHost.Module) {
        $csodHook = & $csodHost.Module { param($csodName) Get-CsodAutoDiagnosisHook -Name $csodName } '__NAME__'
    }
    if ($null -ne $csodHook) {
        $csodOriginal = $csodHook.Command
    } else {
        $csodOriginal = $ExecutionContext.InvokeCommand.GetCommand($csodProxyOf, [System.Management.Automation.CommandTypes]::__TYPE__)
    }
    $csodInformationAction = 'Continue'
    if ($PSBoundParameters.ContainsKey('InformationAction')) {
        $csodInformationAction = [string]$InformationPreference
    } elseif ([string]$InformationPreference -eq 'Ignore') {
        $csodInformationAction = 'Ignore'
    }
    if (@('Continue', 'SilentlyContinue', 'Ignore') -notcontains $csodInformationAction) { $csodInformationAction = 'Continue' }
    $csodSeen = @{}
    $csodStopped = $false
    $csodErrorList = $null
    $csodValue = $null
    if ($PSBoundParameters.TryGetValue('ErrorVariable', [ref]$csodValue)) {
        $csodErrorList = $PSCmdlet.SessionState.PSVariable.Get(([string]$csodValue).TrimStart('+'))
    }
    # The proxy's own runtime fills -ErrorVariable, -OutVariable and the
    # others from the linked pipes: passed on too, the wrapped command would
    # record each item a second time.
    foreach ($csodValue in @('ErrorVariable', 'WarningVariable', 'InformationVariable', 'OutVariable')) {
        $null = $PSBoundParameters.Remove($csodValue)
    }
    $outBuffer = $null
    if ($PSBoundParameters.TryGetValue('OutBuffer', [ref]$outBuffer)) { $PSBoundParameters['OutBuffer'] = 1 }
    $csodField = [System.Management.Automation.ErrorRecord].GetField('_invocationInfo', [System.Reflection.BindingFlags]'NonPublic, Instance')
    $csodErrorHead = $null
    if ($global:Error.Count -gt 0) { $csodErrorHead = $global:Error[0] }
    $csodScript = { & $csodOriginal @PSBoundParameters }
    $steppablePipeline = $csodScript.GetSteppablePipeline(__ORIGIN__)
    if ($null -ne $csodHook) { & $csodHook.Prepare $steppablePipeline $MyInvocation $ExecutionContext.SessionState }
    $csodMethod = [System.Management.Automation.SteppablePipeline].GetMethod('Begin', [type[]]@([System.Management.Automation.Internal.InternalCommand]))
    $csodArguments = [object[]]@($PSCmdlet)
__STEP_BEGIN__
}

process {
    if ($csodStopped) { return }
    $csodMethod = [System.Management.Automation.SteppablePipeline].GetMethod('Process', [type[]]@([object]))
    $csodArguments = [object[]]@($_)
__STEP__
}

end {
    if ($csodStopped) { return }
    $csodMethod = [System.Management.Automation.SteppablePipeline].GetMethod('End', [type[]]@())
    $csodArguments = [object[]]@()
__STEP__
}
'@

# One step of the steppable pipeline (begin, process or end) and what follows
# a failure. __INVOKE__ is the call itself.
$script:CsodAutoProxyStep = @'
    $csodFailure = $null
    try {
        __INVOKE__
    } catch {
        $csodFailure = $_
    }
    if ($null -eq $csodFailure) {
        if ($null -ne $csodHook -and $global:Error.Count -gt 0 -and -not [object]::ReferenceEquals($global:Error[0], $csodErrorHead)) {
            if (@('SilentlyContinue', 'Ignore') -notcontains [string]$ErrorActionPreference) {
                $csodNew = New-Object System.Collections.ArrayList
                foreach ($csodItem in $global:Error) {
                    if ([object]::ReferenceEquals($csodItem, $csodErrorHead)) { break }
                    if ($csodItem -is [System.Management.Automation.ErrorRecord]) { $null = $csodNew.Add($csodItem) }
                }
                $csodNew.Reverse()
                & $csodHook.Diagnose $csodNew.ToArray() '__NAME__' $csodSeen $csodInformationAction $false
            }
            if ($global:Error.Count -gt 0) { $csodErrorHead = $global:Error[0] }
        }
    } else {
        $csodStopped = $true
        $csodThrown = $csodFailure.Exception
        $csodRte = $null
        if (($csodThrown -is [System.Management.Automation.MethodInvocationException] -or $csodThrown -is [System.Reflection.TargetInvocationException]) -and $csodThrown.InnerException -is [System.Management.Automation.RuntimeException]) {
            $csodRte = $csodThrown.InnerException
        } elseif ($csodThrown -is [System.Management.Automation.RuntimeException]) {
            $csodRte = $csodThrown
        }
        # Our catch recorded the reflection wrapper in $Error and in the
        # caller's -ErrorVariable list: not the caller's error.
        if ($global:Error.Count -gt 0 -and $global:Error[0] -is [System.Management.Automation.ErrorRecord] -and [object]::ReferenceEquals($global:Error[0].Exception, $csodThrown)) {
            $global:Error.RemoveAt(0)
        }
        $csodKeep = $null
        if ($null -ne $csodErrorList -and $csodErrorList.Value -is [System.Collections.IList]) {
            $csodKeep = New-Object System.Collections.ArrayList
            foreach ($csodItem in $csodErrorList.Value) {
                if ($csodItem -is [System.Management.Automation.ErrorRecord] -and [object]::ReferenceEquals($csodItem.Exception, $csodThrown)) { continue }
                $null = $csodKeep.Add($csodItem)
            }
            $csodErrorList.Value = $csodKeep
        }
        if ($null -eq $csodRte) { throw $csodFailure }
        if ($csodRte -is [System.Management.Automation.PipelineStoppedException]) { throw $csodRte }
        # A terminating error is diagnosed unless the caller's preference
        # silences errors (-ErrorAction on the command does not silence a
        # terminating error, $ErrorActionPreference in the caller does).
        if ($null -ne $csodHook -and ($PSBoundParameters.ContainsKey('ErrorAction') -or @('SilentlyContinue', 'Ignore') -notcontains [string]$ErrorActionPreference)) {
            & $csodHook.Diagnose @($csodRte.ErrorRecord) '__NAME__' $csodSeen $csodInformationAction $true
        }
        $csodWasThrown = $csodRte.WasThrownFromThrowStatement
        $csodRecord = $csodRte.ErrorRecord
        if ($csodWasThrown -or $csodRte -is [System.Management.Automation.ActionPreferenceStopException] -or $null -eq $csodField -or $null -eq $csodRecord) {
            # Script-terminating already (a throw, -ErrorAction Stop): raised
            # again as is. An ActionPreferenceStopException stops the caller's
            # script whatever the mark says, so the mark goes back to false, as
            # the caller would have seen it.
            try {
                throw $csodRte
            } finally {
                if ($csodRte -is [System.Management.Automation.ActionPreferenceStopException]) { $csodRte.WasThrownFromThrowStatement = $csodWasThrown }
                if ($null -ne $csodKeep) { $csodErrorList.Value = $csodKeep }
            }
        }
        $csodInvocation = $csodRecord.InvocationInfo
        try {
            $PSCmdlet.ThrowTerminatingError($csodRecord)
        } finally {
            $csodField.SetValue($csodRecord, $csodInvocation)
            if ($null -ne $csodKeep) { $csodErrorList.Value = $csodKeep }
        }
    }
'@

function script:ConvertTo-CsodSingleQuoted {
    param([string] $Text)
    $Text.Replace("'", "''")
}

function script:Get-CsodQualifiedName {
    param([System.Management.Automation.CommandInfo] $Command)
    if ($Command.ModuleName) { return ('{0}\{1}' -f $Command.ModuleName, $Command.Name) }
    $Command.Name
}

function script:Test-CsodDynamicParameters {
    # Whether the command declares dynamic parameters.
    param([System.Management.Automation.CommandInfo] $Command)
    if ($Command -is [System.Management.Automation.CmdletInfo]) {
        return [System.Management.Automation.IDynamicParameters].IsAssignableFrom($Command.ImplementingType)
    }
    $ast = $Command.ScriptBlock.Ast
    if ($ast -is [System.Management.Automation.Language.FunctionDefinitionAst]) { $ast = $ast.Body }
    ($ast -is [System.Management.Automation.Language.ScriptBlockAst]) -and ($null -ne $ast.DynamicParamBlock)
}

function script:New-CsodAutoProxyText {
    # The text of the proxy function of a cmdlet or module function.
    param(
        [Parameter(Mandatory = $true)] [System.Management.Automation.CommandInfo] $Command,
        [Parameter(Mandatory = $true)] [string] $Name
    )
    $metadata = New-Object System.Management.Automation.CommandMetadata -ArgumentList $Command
    $qualified = Get-CsodQualifiedName -Command $Command
    $type = 'Cmdlet'
    $origin = '$MyInvocation.CommandOrigin'
    if ($Command -is [System.Management.Automation.FunctionInfo]) {
        $type = 'Function'
        # As ProxyCommand does: a function is not subject to the runspace's
        # command-origin restrictions.
        $origin = ''
    }
    $text = New-Object System.Text.StringBuilder
    $null = $text.AppendLine([System.Management.Automation.ProxyCommand]::GetCmdletBindingAttribute($metadata))
    $null = $text.Append('param(').Append([System.Management.Automation.ProxyCommand]::GetParamBlock($metadata)).AppendLine(')').AppendLine()
    if (Test-CsodDynamicParameters -Command $Command) {
        $dynamic = [System.Management.Automation.ProxyCommand]::GetDynamicParam($metadata)
        # The generated block looks the command up by name; a function's
        # name now leads to the proxy itself, so it looks up the module's.
        $dynamic = $dynamic.Replace(("GetCommand('{0}'," -f (ConvertTo-CsodSingleQuoted $Command.Name)), ("GetCommand('{0}'," -f (ConvertTo-CsodSingleQuoted $qualified)))
        $null = $text.AppendLine('dynamicparam').AppendLine('{').AppendLine($dynamic).AppendLine('}').AppendLine()
    }
    $step = $script:CsodAutoProxyStep
    $body = $script:CsodAutoProxyBody
    $body = $body.Replace('__STEP_BEGIN__', $step.Replace('__INVOKE__', '$null = $csodMethod.Invoke($steppablePipeline, $csodArguments)'))
    $body = $body.Replace('__STEP__', $step.Replace('__INVOKE__', '$csodMethod.Invoke($steppablePipeline, $csodArguments)'))
    $body = $body.Replace('__QUALIFIED__', (ConvertTo-CsodSingleQuoted $qualified)).Replace('__NAME__', (ConvertTo-CsodSingleQuoted $Name))
    $body = $body.Replace('__TYPE__', $type).Replace('__ORIGIN__', $origin)
    $null = $text.Append($body)
    if ($null -ne [System.Management.Automation.SteppablePipeline].GetMethod('Clean', [type[]]@())) {
        # PowerShell 7.3 and later: the wrapped command's clean-up runs when
        # the proxy's does (the block's name is a keyword there only).
        $null = $text.AppendLine().AppendLine('clean').AppendLine('{').AppendLine('    if ($null -ne $steppablePipeline) { $steppablePipeline.Clean() }').AppendLine('}')
    }
    $null = $text.AppendLine().AppendLine('<#').AppendLine(('.ForwardHelpTargetName {0}' -f $qualified)).AppendLine(('.ForwardHelpCategory {0}' -f $type)).AppendLine('#>')
    $text.ToString()
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
