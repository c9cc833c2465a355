//! How a pasted error is read before it is classified: PowerShell 7's
//! gutter, a wrapper around an inner error, a policy text without its
//! WinRM wrapper. Texts are real pastes (sources in tests/samples/*/en.json)
//! unless said otherwise.

#[path = "common/top.rs"]
mod top;
use top::assert_top;
#[path = "common/garble.rs"]
mod garble;
use garble::json_ascii;

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

/// `text`'s UTF-8 bytes as Windows-1252 (or ISO 8859-1 for the bytes it
/// leaves out) shows them: the mojibake of a browser or editor.
fn as_windows_1252(text: &str) -> String {
    const HIGH: [char; 32] = [
        '\u{20AC}', '\u{81}', '\u{201A}', '\u{192}', '\u{201E}', '\u{2026}', '\u{2020}',
        '\u{2021}', '\u{2C6}', '\u{2030}', '\u{160}', '\u{2039}', '\u{152}', '\u{8D}', '\u{17D}',
        '\u{8F}', '\u{90}', '\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}', '\u{2022}', '\u{2013}',
        '\u{2014}', '\u{2DC}', '\u{2122}', '\u{161}', '\u{203A}', '\u{153}', '\u{9D}', '\u{17E}',
        '\u{178}',
    ];
    text.bytes()
        .map(|b| match b {
            0x80..=0x9F => HIGH[(b - 0x80) as usize],
            _ => b as char,
        })
        .collect()
}

#[test]
fn a_text_garbled_on_its_way_is_read_as_the_text() {
    // The seed article's French text, the Russian machine translation of
    // the connector article (tests/corpus) and a Chinese console paste
    // (tests/samples/remoting/zh-cn.json), each as mojibake and as escaped
    // JSON: the garbling is derived, the texts are real.
    let texts = [
        ("Get-CsWebTicket : échec de connexion aux serveurs d’ID Live. Assurez-vous que l’option proxy est activée ou que l’ordinateur dispose d’une connexion réseau à des serveurs d’ID Live.", "liveid_connect_failed"),
        ("Import-Module: версия загруженных PowerShell — «2.0\". Модуль \"D:\\Program Files\\общие файлы\\Microsoft Lync Server 2013\\модулей\\LyncOnlineConnector\\LyncOnlineConnector.psd1\" требует Минимальная версия PowerShell «3.0\"для выполнения. Проверьте установку PowerShell и повторите попытку.", "powershell_version"),
        ("Enter-PSSession :\n连接到远程服务器失败，错误消息如下: WinRM 客户端无法处理该请求。如果身份验证方案与 Kerberos 不同，或\n者客户端计算机未加入到域中， 则必须使用 HTTPS 传输或者必须将目标计算机添加到 TrustedHosts 配置设置。\n使用 winrm.cmd 配 置 TrustedHosts。请注意，TrustedHosts 列表中的计算机可能未经过身份验证。", "trustedhosts_required"),
    ];
    for (text, id) in texts.iter() {
        assert_top(text, Some(id));
        assert_top(&as_windows_1252(text), Some(id));
        assert_top(&json_ascii(text), Some(id));
    }
}

#[test]
fn a_prompt_and_a_path_are_no_words_of_the_message() {
    // An unrelated quota message (tests/samples/remoting/en.json, bigbluebuttonbn)
    // holds "max", "concurrent" and "exceeded": with the "Users" of a
    // prompt's or a log's path it read as the per-user shell quota.
    let quota = "bigbluebuttonbn/You have exceeded the max number of concurrent meetings.";
    assert_top(&format!("PS C:\\Users\\admin> .\\run.ps1\n{}", quota), None);
    assert_top(&format!("{} See C:\\Users\\admin\\log.txt", quota), None);
    // The command an admin typed is no word of the error: "Connect" of a
    // cmdlet in the prompt line made a logon-session text a Kerberos one
    // (tests/samples/remoting/en.json, error 1312).
    assert_top(
        "PS C:\\Users\\admin> Connect-Something\nA specified logon session does not exist. It may already have been terminated",
        None,
    );
    // The typed command still counts as a command, and the error after it
    // is read whole, even when a page flattened the lines.
    assert_top(
        "PS C:\\Users\\[redacted]> Import-Module ExchangeOnlineManagement Import-Module: The specified module 'ExchangeOnlineManagement' was not loaded because no valid module file was found in any module directory.",
        Some("module_not_installed"),
    );
}

#[test]
fn an_error_view_flattened_by_a_page_keeps_its_tail_apart() {
    // tests/samples/console/en.json (MI_RESULT_SERVER_LIMITS_EXCEEDED), its
    // line breaks lost: the Exchange URL in CategoryInfo is the record's,
    // not the message's ("liveid" in it read as a Live ID failure).
    assert_top(
        "Failed to convert string with iconv, 7 New-PSSession : MI_RESULT_SERVER_LIMITS_EXCEEDED At line:1 char:6 + $s = New-PSSession -ConfigurationName Microsoft.Exchange -ConnectionU ... +      ~~~~~~~~~~~~~~~~~~~~~~~~~~ + CategoryInfo          : InvalidArgument: (https://outlook...ershell-liveid/:Uri) [New-PSSession], PSInvalidOperationException + FullyQualifiedErrorId : CreateRemoteRunspaceFailed,Microsoft.PowerShell.Commands.NewPSSessionCommand",
        None,
    );
    // Two errors flattened into one line: the second one's message follows
    // the first one's FullyQualifiedErrorId (tests/samples/modules/en.json).
    assert_top(
        "Connect-Microsoftteams : One or more errors occurred. At line:4 char:1 + Connect-Microsoftteams -Credential $cred + CategoryInfo : AuthenticationError: (:) [Connect-MicrosoftTeams], AggregateException + FullyQualifiedErrorId : Connect-MicrosoftTeams,Microsoft.TeamsCmdlets.Powershell.Connect.ConnectMicrosoftTeams Connect-Microsoftteams : An error occurred while sending the request. At line:4 char:1 + Connect-Microsoftteams -Credential $cred + CategoryInfo : AuthenticationError: (:) [Connect-MicrosoftTeams], HttpRequestException + FullyQualifiedErrorId : Connect-MicrosoftTeams,Microsoft.TeamsCmdlets.Powershell.Connect.ConnectMicrosoftTeams Connect-Microsoftteams : The underlying connection was closed: An unexpected error occurred on a send.",
        Some("tls12_disabled"),
    );
}

#[test]
fn a_paste_quoted_as_a_markdown_list_keeps_its_tail_apart() {
    // tests/samples/console/en.json (MI_RESULT_SERVER_LIMITS_EXCEEDED) with
    // "* " before every line: the tail lines are the record's again, and
    // the URL in CategoryInfo is no Live ID failure.
    assert_top(
        "* Failed to convert string with iconv, 7\n* New-PSSession : MI_RESULT_SERVER_LIMITS_EXCEEDED\n* At line:1 char:6\n* + $s = New-PSSession -ConfigurationName Microsoft.Exchange -ConnectionU ...\n* +      ~~~~~~~~~~~~~~~~~~~~~~~~~~\n* + CategoryInfo          : InvalidArgument: (https://outlook...ershell-liveid/:Uri) [New-PSSession], PSInvalidOperationException\n* + FullyQualifiedErrorId : CreateRemoteRunspaceFailed,Microsoft.PowerShell.Commands.NewPSSessionCommand",
        None,
    );
}
