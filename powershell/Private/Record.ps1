# Errors -> the record csod_classify_record / csod_diagnose read. The reading
# itself is the interop's ReadError (one call: live ErrorRecords and
# exceptions, and the deserialized ones Import-Clixml, Receive-Job and
# remoting give; the whole exception chain: inner exceptions, the members of
# an AggregateException, a RemoteException's original).

function script:Get-CsodErrorInput {
    # An error -> @{ Record = the record's keys (message,
    # fully_qualified_error_id, exception_type, category, hresult,
    # error_code, command); Message = the message an admin sees }, or
    # @{ Unsupported = the input's type name } when it is no error.
    param([object] $InputObject)
    $r = $script:CsodNative.Type::ReadError($InputObject)
    $unsupported = $r['unsupported']
    $shown = $r['shown']
    $r.Remove('unsupported')
    $r.Remove('shown')
    @{ Record = $r; Message = [string]$shown; Unsupported = $unsupported }
}

function script:ConvertTo-CsodRecord {
    # The record of an ErrorRecord (or of any error Get-CsodErrorInput reads).
    param([object] $ErrorRecord)
    (Get-CsodErrorInput -InputObject $ErrorRecord).Record
}
