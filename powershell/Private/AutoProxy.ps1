# Auto-diagnosis, the proxy functions themselves: the text of the proxy of a
# connection command (New-CsodAutoProxyText), which Install-CsodAutoProxy
# (Private/AutoDiagnosis.ps1: state, enable/disable, lookup) defines.
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
# Kept free of PowerShell 7-only syntax: this file also runs in Windows
# PowerShell 5.1 (the clean block is added on PowerShell 7.3 and later only).

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
