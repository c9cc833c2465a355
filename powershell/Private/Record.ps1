# ErrorRecords and exceptions -> the record csod_classify_record / csod_diagnose read.

function script:ConvertTo-CsodErrorRecord {
    # An exception becomes the ErrorRecord PowerShell attached to it, or a new one.
    param([Parameter(Mandatory = $true)] [object] $InputObject)
    if ($InputObject -is [System.Management.Automation.ErrorRecord]) { return $InputObject }
    if ($InputObject -is [System.Management.Automation.IContainsErrorRecord] -and $InputObject.ErrorRecord) {
        return $InputObject.ErrorRecord
    }
    if ($InputObject -is [System.Exception]) {
        return New-Object System.Management.Automation.ErrorRecord -ArgumentList $InputObject, $InputObject.GetType().Name, 'NotSpecified', $null
    }
    throw (New-CsodErrorRecord -Message ('Expected an ErrorRecord or an exception, got {0}.' -f $InputObject.GetType().FullName) -ErrorId 'CsodNotAnError' -Category InvalidArgument -TargetObject $InputObject)
}

function script:Get-CsodErrorCode {
    # PSRemotingTransportException.ErrorCode (the WinRM error number), looked
    # for along the inner exceptions.
    param([System.Exception] $Exception)
    $e = $Exception
    while ($e) {
        $p = $e.PSObject.Properties['ErrorCode']
        if ($p -and $null -ne $p.Value) {
            try { return [int64]$p.Value } catch { $null = $_ }
        }
        $e = $e.InnerException
    }
    $null
}

function script:ConvertTo-CsodRecord {
    # The keys of csod_classify_record: message, fully_qualified_error_id,
    # exception_type (full name), category, hresult, error_code, command.
    param([Parameter(Mandatory = $true)] [System.Management.Automation.ErrorRecord] $ErrorRecord)
    $message = $null
    if ($ErrorRecord.ErrorDetails -and $ErrorRecord.ErrorDetails.Message) { $message = $ErrorRecord.ErrorDetails.Message }
    if (-not $message -and $ErrorRecord.Exception) { $message = $ErrorRecord.Exception.Message }
    $record = [ordered]@{}
    if ($message) { $record['message'] = [string]$message }
    if ($ErrorRecord.FullyQualifiedErrorId) { $record['fully_qualified_error_id'] = [string]$ErrorRecord.FullyQualifiedErrorId }
    if ($ErrorRecord.Exception) {
        $record['exception_type'] = $ErrorRecord.Exception.GetType().FullName
        $record['hresult'] = [int64]$ErrorRecord.Exception.HResult
        $code = Get-CsodErrorCode -Exception $ErrorRecord.Exception
        if ($null -ne $code) { $record['error_code'] = $code }
    }
    if ($ErrorRecord.CategoryInfo) { $record['category'] = $ErrorRecord.CategoryInfo.Category.ToString() }
    $command = $null
    if ($ErrorRecord.InvocationInfo -and $ErrorRecord.InvocationInfo.MyCommand) { $command = $ErrorRecord.InvocationInfo.MyCommand.Name }
    if (-not $command -and $ErrorRecord.CategoryInfo -and $ErrorRecord.CategoryInfo.Activity) { $command = $ErrorRecord.CategoryInfo.Activity }
    if ($command) { $record['command'] = [string]$command }
    $record
}
