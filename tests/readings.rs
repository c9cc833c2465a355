//! How a pasted error is read before it is classified: PowerShell 7's
//! gutter, a wrapper around an inner error, a policy text without its
//! WinRM wrapper. Texts are real pastes (sources in tests/samples/*/en.json)
//! unless said otherwise.

use csod::classify::classify_text;

fn top(text: &str) -> Option<String> {
    classify_text(text, "en")
        .unwrap()
        .matches
        .first()
        .map(|m| m.id.clone())
}

fn assert_top(text: &str, want: Option<&str>) {
    assert_eq!(top(text).as_deref(), want, "text: {}", text);
}

#[test]
fn powershell_7s_gutter_is_read_as_one_message() {
    // office-docs-powershell #7672: the message wrapped over three gutter
    // lines; the sentence that names the problem runs across two of them.
    assert_top(
        "ParentContainsErrorRecordException: C:\\Users\\Administrator\\Documents\\PowerShell\\Modules\\MicrosoftTeams\\2.0.0\\netcoreapp2.1\\SfBORemotePowershellModule.psm1:8210\nLine |\n8210 |              $steppablePipeline = $scriptCmd.GetSteppablePipeline($myI \u{2026}\n     |              ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n     | Exception calling \"GetSteppablePipeline\" with \"1\" argument(s): \"Exception calling\n     | \"GetRemoteNewCsOnlineSession\" with \"1\" argument(s): \"Run either Connect-MicrosoftTeams or\n     | new-csonlinesession before running cmdlets.\"\"",
        Some("session_missing_or_expired"),
    );
    // office-docs-powershell #8508: the same view with its line breaks lost
    // in the paste; the message sits on the script line, after the marks.
    assert_top(
        "New-ExoPSSession: C:\\Program Files\\WindowsPowerShell\\Modules\\ExchangeOnlineManagement\\2.0.5\\netCore\\ExchangeOnlineManagement.psm1:475\nLine |\n 475 |  \u{2026} PSSession = New-ExoPSSession -ExchangeEnvironmentName $ExchangeEnviro \u{2026}                                                                                     |                ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~                                                                                       | Create Powershell Session is failed using OAuth",
        Some("winrm_basic_auth"),
    );
}

#[test]
fn the_script_line_in_powershell_7s_gutter_is_position_not_message() {
    // Constructed: the script line quotes a quota message the script warns
    // about; the error itself is an ordinary binding error. Windows
    // PowerShell's `+ ...` position lines are dropped the same way.
    let gutter = "Get-Mailbox: C:\\scripts\\report.ps1:4\nLine |\n   4 |  Write-Warning 'The maximum number of concurrent shells for this user has been exceeded'; Get-Mailbox $u\n     |  ~~~~~~~~~~~\n     | Cannot bind argument to parameter 'Identity' because it is null.";
    let plain = "Get-Mailbox : Cannot bind argument to parameter 'Identity' because it is null.\nAt C:\\scripts\\report.ps1:4 char:1\n+ Write-Warning 'The maximum number of concurrent shells for this user has been exceeded'; Get-Mailbox $u\n+ ~~~~~~~~~~~";
    assert_top(plain, None);
    assert_top(gutter, None);
}

#[test]
fn a_quota_inside_the_teams_wrapper_is_the_quota() {
    // Microsoft365DSC #1225: the Teams endpoint's wrapper around the WS-Man
    // per-user shell quota.
    assert_top(
        "Connecting to remote server api.interfaces.records.teams.microsoft.com failed with the following error message : The \nWS-Management service cannot process the request. The maximum number of concurrent shells for this user has been \nexceeded. Close existing shells or raise the quota for this user. For more information, see the \nabout_Remote_Troubleshooting Help topic.\n    + CategoryInfo          : NotSpecified: (:) [], CimException\n    + FullyQualifiedErrorId : PSRemotingTransportException,Microsoft.Teams.ConfigApi.Cmdlets.GetCsOnlineSession\n    + PSComputerName        : localhost",
        Some("shells_per_user"),
    );
    // office-docs-powershell #7464: the same wrapper around a plain HTTP
    // refusal stays the Teams remoting failure.
    assert_top(
        "Get-CsOnlineSession : Connecting to remote server api.interfaces.records.teams.microsoft.com failed with the following\nerror message : The WinRM client received an HTTP status code of 403 from the remote WS-Management service. For more in\nformation, see the about_Remote_Troubleshooting Help topic.",
        Some("teams_remoting_failed"),
    );
}

#[test]
fn the_credential_delegation_policy_without_its_winrm_wrapper() {
    // winrs / the WinRM client's message as a tool prints it alone (csod
    // search index, file id 52493492529), and with its WinRM sentence.
    assert_top(
        "ERROR: A computer policy does not allow the delegation of the user credentials",
        Some("credssp_not_configured"),
    );
    assert_top(
        "The WinRM client cannot process the request. A computer policy does not allow the delegation of the user credentials to the target computer because the computer is not trusted.",
        Some("credssp_not_configured"),
    );
    // A delegation that is not of credentials: not CredSSP's.
    assert_top(
        "A computer policy does not allow the delegation of administration to this user.",
        None,
    );
}

#[test]
fn the_connector_session_ended_is_read_from_its_fqeid_in_any_language() {
    // Win32 error 995 behind the German wrapper: the message is translated,
    // the FQEID is not (derived: the German wrapper of docs/facts.md with
    // the connector's host; the FQEID as PowerShell builds it).
    assert_top(
        "Die Verarbeitung von Daten vom Remoteserver admin1a.online.lync.com ist mit folgender Fehlermeldung fehlgeschlagen: Der E/A-Vorgang wurde abgebrochen.\n    + CategoryInfo          : OpenError: (admin1a.online.lync.com:String) [], PSRemotingTransportException\n    + FullyQualifiedErrorId : WinRMOperationAborted,PSSessionStateBroken",
        Some("session_expired"),
    );
    // The same code on a domain controller is no connector session (csod
    // search index file 37934210773).
    assert_top(
        "[dcorp-dc.dollarcorp.moneycorp.local] Processing data from remote server dcorp-dc.dollarcorp.moneycorp.local failed\nwith the following error message: The I/O operation has been aborted because of either a thread exit or an application\nrequest. For more information, see the about_Remote_Troubleshooting Help topic.\n    + CategoryInfo          : OpenError: (dcorp-dc.dollarcorp.moneycorp.local:String) [], PSRemotingTransportException\n    + FullyQualifiedErrorId : WinRMOperationAborted,PSSessionStateBroken",
        None,
    );
}
