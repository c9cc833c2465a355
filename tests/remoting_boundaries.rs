//! Issue 12's false matches on unrelated errors: WinRM's own configuration
//! output that names a remoting class's words without being its failure,
//! next to the real failure that must keep its answer. Texts are real pastes
//! (sources in tests/samples/remoting/en.json and zh-cn.json) unless said
//! otherwise; the facts are in docs/facts.md (trustedhosts_required,
//! winrm_unreachable).

#[path = "common/top.rs"]
mod top;
use top::assert_top;

#[test]
fn setting_trustedhosts_is_no_trustedhosts_failure() {
    // Set-Item's confirmation prompt (csod search index file 7782687414).
    assert_top(
        "PS C:\\> Set-Item WSMan:\\localhost\\Client\\TrustedHosts -Value 10.50.22.95\n\n    WinRM Security Configuration.\n    This command modifies the TrustedHosts list for the WinRM client. The computers in the TrustedHosts list might not be authenticated. The client might send\n    credential information to these computers. Are you sure that you want to modify this list?\n    [Y] Yes  [N] No  [S] Suspend  [?] Help (default is \"Y\"): Y",
        None,
    );
    // The prompt alone, without the command (file 37859783842).
    assert_top(
        "WinRM Security Configuration.\nThis command modifies the TrustedHosts list for the WinRM client. The computers in the TrustedHosts list might not be\nauthenticated. The client might send credential information to these computers. Are you sure that you want to modify this\nlist?\n[Y] Yes  [N] No  [S] Suspend  [?] Help (default is \"Y\"): Y",
        None,
    );
    // winrm.cmd's usage error on a TrustedHosts setting
    // (PowerShell/psl-omi-provider#97).
    assert_top(
        "PS C:\\WINDOWS\\system32> winrm set winrm/config/Client @{TrustedHosts=\"*\"}\nError: Invalid use of command line. Type \"winrm -?\" for help.",
        None,
    );
}

#[test]
fn the_trustedhosts_failure_keeps_its_answer() {
    // The IP-address text, whole (PowerShell-Docs#4177).
    assert_top(
        "New-PSSession : [10.10.1.3] Connecting to remote server 10.10.1.3 failed with the following error message : The WinRM client cannot process the\nrequest. Default authentication may be used with an IP address under the following conditions: the transport is HTTPS or the destination is in the\nTrustedHosts list, and explicit credentials are provided. Use winrm.cmd to configure TrustedHosts. Note that computers in the TrustedHosts list might\nnot be authenticated. For more information on how to set TrustedHosts run the following command: winrm help config. For more information, see the\nabout_Remote_Troubleshooting Help topic.",
        Some("trustedhosts_required"),
    );
    // The domain text of WSMan-WinRM#1, cut after its second sentence (a
    // paste cut before "winrm.cmd": derived): Kerberos and HTTPS carry it.
    assert_top(
        "Session: The WinRM client cannot process the request. If the authentication scheme is different from Kerberos, or if the client computer is not joined to a domain, then HTTPS transport must be used or the destination machine must be added to the TrustedHosts configuration setting.",
        Some("trustedhosts_required"),
    );
    // The Chinese domain text cut the same way (search index file
    // 36615858344, cut before "winrm.cmd": derived).
    assert_top(
        "Enter-PSSession: Connecting to remote server x.x.x.x failed with the following error message : WinRM 客户端无法处理该请求。如果身份验证方案与 Kerberos 不同，或者客户端计算机未加入到域中， 则必须使用 HTTPS 传输或者必须将目标计算机添加到 TrustedHosts 配置设置。",
        Some("trustedhosts_required"),
    );
}

#[test]
fn winrm_quickconfig_success_is_no_unreachable_failure() {
    // Enable-PSRemoting's output (csod search index file 17922417716).
    assert_top(
        "PS C:\\> Enable-PSRemoting -force\nWinRM is already set up to receive requests on this computer.\nWinRM has been updated for remote management.\nWinRM firewall exception enabled.",
        None,
    );
    // winrm quickconfig's dialogue, flattened by the page (file 68485778873).
    assert_top(
        "PS C:\\WINDOWS\\system32> winrm quickconfig  WinRM service is already running on this machine. WinRM is not set up to allow remote access to this machine for management. The following changes must be made:  Enable the WinRM firewall exception. Configure LocalAccountTokenFilterPolicy to grant administrative rights remotely to local users.  Make these changes [y/n]? y  WinRM has been updated for remote management.  WinRM firewall exception enabled. Configured LocalAccountTokenFilterPolicy to grant administrative rights remotely to local users.",
        None,
    );
}

#[test]
fn the_unreachable_failure_keeps_its_answer() {
    // winrm.cmd's fault (windowsserverdocs#826).
    assert_top(
        "WSManFault\n    Message = WinRM cannot complete the operation. Verify that the specified computer name is valid, that the computer is accessible over the network, and that a firewall exception for the WinRM service is enabled and allows access from this computer. By default, the WinRM firewall exception for public profiles limits access to remote computers within the same local subnet.",
        Some("winrm_unreachable"),
    );
    // Behind PowerShell's wrapper, wrapped by the console (dbatools#9368).
    assert_top(
        "New-PSSession : [db01.internal.local] Connecting to remote server db01.internal.local failed with the\nfollowing error message : WinRM cannot complete the operation. Verify that the specified computer name is valid, that\nthe computer is accessible over the network, and that a firewall exception for the WinRM service is enabled and allows\naccess from this computer. By default, the WinRM firewall exception for public profiles limits access to remote\ncomputers within the same local subnet. For more information, see the about_Remote_Troubleshooting Help topic.",
        Some("winrm_unreachable"),
    );
}

#[test]
fn a_trustedhosts_paste_cut_short_keeps_the_setting_it_names() {
    // Partial pastes of the localized domain text that keep only "added to
    // the TrustedHosts configuration setting" (csod search index files
    // 11749282209, 70891933638, 25530254680; docs/facts.md#trustedhosts_required).
    assert_top(
        ".. der Zielcomputer muss der TrustedHosts-Konfigurationseinstellung hinzugefügt werden..",
        Some("trustedhosts_required"),
    );
    assert_top(
        "TrustedHosts 構成設定に追加されている必要があります",
        Some("trustedhosts_required"),
    );
    assert_top(
        "HTTPS 전송을 사용하거 나 대상 컴퓨터를 TrustedHosts 구성 설정에 추가해야 합니다",
        Some("trustedhosts_required"),
    );
    // Or only its first condition (winrs, file 7834291381).
    assert_top(
        "Winrs error:WinRM 客户端无法处理该请求。如果身份验证方案与 Kerberos 不同，或者客户端计算机…",
        Some("trustedhosts_required"),
    );
    // The French text cut the same way (file 36581317293, cut after its
    // first condition: derived).
    assert_top(
        "New-PSSession : [WINSERV] La connexion au serveur distant WINSERV a échoué avec le message d’erreur suivant: Le client WinRM ne peut pas traiter la demande. Si le modèle d’authentification n’est pas Kerberos, ou si l’ordinateur client n’est pas membre d’un domaine",
        Some("trustedhosts_required"),
    );
}

#[test]
fn kerberos_naming_the_trustedhosts_setting_stays_kerberos() {
    // The template's advice names the same setting (microsoft/diskspd#171).
    assert_top(
        "HCI01A: Cannot connect to CIM server. WinRM cannot process the request. The following error with errorcode 0x8009030e occurred while using Kerberos authentication: A specified logon session does not exist. It may\nalready have been terminated.\n Possible causes are:\n  -The user name or password specified are invalid.\n  -Kerberos is used when no authentication method and no user name are specified.\n  -Kerberos accepts domain user names, but not local user names.\n  -The Service Principal Name (SPN) for the remote computer name and port does not exist.\n  -The client and remote computers are in different domains and there is no trust between the two domains.\n After checking for the above issues, try the following:\n  -Check the Event Viewer for events related to authentication.\n  -Change the authentication method; add the destination computer to the WinRM TrustedHosts configuration setting or use HTTPS transport.\n Note that computers in the TrustedHosts list might not be authenticated.\n   -For more information about WinRM configuration, run the following command: winrm help config.",
        Some("kerberos_auth_failed"),
    );
}

#[test]
fn negotiate_without_trustedhosts_is_the_explicit_credentials_failure() {
    // ERROR_WSMAN_EXPLICIT_CREDENTIALS_REQUIRED's text: TrustedHosts and
    // Negotiate, no HTTPS, no Kerberos (csod search index files 7125361301
    // and 43830815230).
    assert_top(
        "PS C:\\Tools> Enter-PSSession srv02 -Authentication Negotiate\nEnter-PSSession : Connecting to remote server srv02 failed with the following error message : The WinRM client cannot\nprocess the request.  Default credentials with Negotiate over HTTP can be used only if the target machine is part of\nthe TrustedHosts list or the Allow implicit credentials for Negotiate option is specified. For more information, see\nthe about_Remote_Troubleshooting Help topic.",
        Some("trustedhosts_required"),
    );
    assert_top(
        "ERROR: Connection failure on foo.domain.local [The WinRM client cannot process the request.\n        Default credentials with Negotiate over HTTP can be used only if the target machine is part of\n        the TrustedHosts list or the Allow implicit credentials for Negotiate option is specified.]",
        Some("trustedhosts_required"),
    );
    // Its code alone, as winrm.cmd prints it (derived: wsmerror.h 0x803380E5).
    assert_top(
        "Error number:  -2144108315 0x803380E5",
        Some("trustedhosts_required"),
    );
}

#[test]
fn the_ssl_connection_text_asks_for_an_https_listener() {
    // 0x803381BA's text without its code (csod search index files
    // 24088586527, 57591548932; docs/facts.md#winrm_ssl_certificate).
    assert_top(
        "Winrs error:The SSL connection cannot be established. Verify that the service on the remote host is properly configured to listen for HTTPS requests. Consult the logs and documentation for the WS-Management service running on the destination, most commonly IIS or WinRM. If the destination is the WinRM service, run the following command on the destination to analyze and configure the WinRM service: \"winrm quickconfig -transport: HTTPs\".",
        Some("winrm_ssl_certificate"),
    );
    assert_top(
        "New-PSession: Connecting to remote server myserver.domain.com failed with the following error message: The SSL connection cannot be established. Verify that the service on the remote host is properly configured to listen for HTTPS requests.",
        Some("winrm_ssl_certificate"),
    );
    // .NET's own wording names no listener (derived from the web cmdlets'
    // message, docs/facts.md#winrm_ssl_certificate).
    assert_top(
        "Invoke-WebRequest : The SSL connection could not be established, see inner exception.",
        None,
    );
}

#[test]
fn a_certificate_paste_cut_before_the_reason_keeps_its_frame() {
    // microsoft/omi#750 and a design sample (csod search index file
    // 28359493510), each cut after "has the following errors:" (derived):
    // WinRM's HTTPS port, or PowerShell's help topic (the port set to 443
    // so that the topic alone decides).
    assert_top(
        "New-CimSession : The server certificate on the destination computer (xxx.xxx.xxx.xxx:5986) has the following errors:",
        Some("winrm_ssl_certificate"),
    );
    assert_top(
        "[SSLTEST] Connecting to remote server SSLTEST failed with the following error message : The server certificate on the destination computer (SSLTEST:443) has the following errors: For more information, see the about_Remote_Troubleshooting Help topic.",
        Some("winrm_ssl_certificate"),
    );
}

#[test]
fn the_italian_http_server_error_is_the_http_error() {
    // Azure Stack's Italian release notes quote WinRM's HTTP 500 text
    // behind PowerShell's wrapper (csod search index file 3726006106;
    // docs/facts.md#winrm_http_error).
    assert_top(
        "Abilitazione dell'anello di valore di inizializzazione VM non è riuscita nel nodo Host Node03 con errore: [Host Node03] connessione al server remoto, Host Node03 non riuscita con il messaggio di errore seguente: il client WinRM ha ricevuto lo stato di errore server HTTP (500), ma il servizio remoto non include eventuali altre informazioni sulla causa dell'errore.",
        Some("winrm_http_error"),
    );
}
