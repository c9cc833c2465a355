//! Unit tests of the classifier's rules (src/classify/mod.rs).

use super::*;

#[test]
fn codes_in_every_spelling() {
    assert_eq!(
        codes_in("error 0x803381A5 here"),
        vec![0x803381A5u32 as i32]
    );
    assert_eq!(codes_in("code 2150859173."), vec![0x803381A5u32 as i32]);
    assert_eq!(
        codes_in("-2144108123,PSSessionOpenFailed"),
        vec![0x803381A5u32 as i32]
    );
    assert!(codes_in("version 5.1.19041.1").is_empty());
}

#[test]
fn codes_in_every_spelling_and_not_inside_numbers() {
    assert_eq!(
        codes_in("-2144108123,PSSessionOpenFailed"),
        vec![0x803381A5u32 as i32]
    );
    assert_eq!(codes_in("x 0X803381a5."), vec![0x803381A5u32 as i32]);
    assert!(codes_in("a0x803381A5 0x803381A5b 1.2144108123 12345678901 x2150859173").is_empty());
    assert_eq!(codes_in("2150859173"), vec![0x803381A5u32 as i32]);
}

fn top(text: &str) -> Option<String> {
    classify_text(text, "en")
        .unwrap()
        .matches
        .first()
        .map(|m| m.id.clone())
}

#[test]
fn generic_windows_codes_need_a_remoting_context() {
    // Access denied and SSPI failures are WinRM's only when something
    // says remoting: WMI/DCOM, COM and a domain join are not.
    for text in [
        "Get-WmiObject : Access is denied. (Exception from HRESULT: 0x80070005 (E_ACCESSDENIED))",
        "pywintypes.com_error: (-2147024891, 'Access is denied.', None, None)",
        "Add-Computer : The logon attempt failed (Exception from HRESULT: 0x8009030C)",
    ] {
        assert_eq!(top(text), None, "{}", text);
    }
    // The same codes with remoting around them.
    for (text, id) in [
        ("winrm : WSManFault Message = Access is denied. Error number: -2147024891 0x80070005 Access is denied.", "winrm_access_denied"),
        ("[srv] Processing data from remote server srv failed with the following error message: Access is denied. + CategoryInfo : OpenError: (srv:String) [], PSRemotingTransportException", "winrm_access_denied"),
        ("pywintypes.error: (-2146893053, 'InitializeSecurityContext', 'The specified target is unknown or unreachable')", "kerberos_auth_failed"),
        ("Connecting to remote server srv failed with the following error message : WinRM cannot process the request. The following error with errorcode 0x8009030e occurred while using Kerberos authentication: A specified logon session does not exist.", "kerberos_auth_failed"),
    ] {
        assert_eq!(top(text).as_deref(), Some(id), "{}", text);
    }
}

#[test]
fn a_generic_word_beside_a_generic_code_or_phrase_is_no_winrm_frame() {
    // E_ACCESSDENIED with "remote" somewhere else (a DCOM tool's log:
    // "the remote host forcibly closed a connection"), "Access is
    // denied" with the word WinRM in a tool's prompt or the WinRM
    // service's name, "Basic authentication is disabled" from an SMTP
    // server: none is the WinRM client refusing a connection.
    for text in [
        "[+] Attempting DCOM NTLM interception with CLID 4991D34B on port 6666\n拒绝访问。 (异常来自 HRESULT:0x80070005 (E_ACCESSDENIED))\n[!] No authenticated interception took place, exploit failed\n[!] COM Listener thread failed: 远程主机强迫关闭了一个现有的连接。",
        "net.exe : System error 5 has occurred.\n    + CategoryInfo          : NotSpecified: (System error 5 has occurred.:String) [], RemoteException\n**Access is denied.***Evil-WinRM* PS C:\\Users\\hell\\Documents> exit",
        "Set-Service : Service 'Windows Remote Management (WS-Management) (WinRM)' cannot be configured due to the following error: Access is denied",
        "javax.mail.AuthenticationFailedException: 535 5.7.139 Authentication unsuccessful, basic authentication is disabled. [BM1P287CA0015.INDP287.PROD.OUTLOOK.COM]",
    ] {
        assert_eq!(top(text), None, "{}", text);
    }
    // The WinRM frames stay recognised.
    for (text, id) in [
        ("[srv01] Connecting to remote server srv01 failed with the following error message : Access is denied. For more information, see the about_Remote_Troubleshooting Help topic.", "winrm_access_denied"),
        ("WSManFault Message = Access is denied. Error number: -2147024891 0x80070005", "winrm_access_denied"),
        ("New-PSSession : [admin1a.online.lync.com] Connecting to remote server admin1a.online.lync.com failed with the following error message : The WinRM client cannot process the request. Basic authentication is currently disabled in the client configuration.", "winrm_basic_auth"),
    ] {
        assert_eq!(top(text).as_deref(), Some(id), "{}", text);
    }
}

#[test]
fn a_socket_refusal_is_winrms_only_with_the_ws_management_endpoint_named() {
    // WinSock 10061 as .NET prints it, in English and Spanish: any TCP
    // client's refusal.
    for text in [
        "Unhandled Exception: System.Net.WebException: Unable to connect to the remote server ---> System.Net.Sockets.SocketException: No connection could be made because the target machine actively refused it 91.121.222.127:443",
        "ConnectionRefused 1006: El host remoto rechaza activamente una conexión.",
        "Die Verbindung mit dem Remoteserver kann nicht hergestellt werden. ---> System.Net.Sockets.SocketException: Es konnte keine Verbindung hergestellt werden, da der Zielcomputer die Verbindung verweigerte 127.0.0.1:8888",
        "无法连接到远程服务器 ---> System.Net.Sockets.SocketException: 由于目标计算机积极拒绝，无法连接。 127.0.0.1:8888",
    ] {
        assert_eq!(top(text), None, "{}", text);
    }
    for text in [
        // WinRM's own refusal.
        "Connecting to remote server failed with the following error message: The connection to the specified remote host was refused. Verify that the WS-Management service is running on the remote host and configured to listen for requests on the correct port and HTTP URL.",
        // A WinRM client library's socket refusal at the WS-Management URL.
        "requests.exceptions.ConnectionError: HTTPConnectionPool(host='10.0.0.5', port=5985): Max retries exceeded with url: /wsman (Caused by NewConnectionError('Failed to establish a new connection: [WinError 10061] No connection could be made because the target machine actively refused it'))",
    ] {
        assert_eq!(top(text).as_deref(), Some("winrm_cannot_connect"), "{}", text);
    }
}

#[test]
fn a_certificate_failure_is_a_proxys_only_on_the_way_to_a_microsoft_365_endpoint() {
    for text in [
        "irm : The underlying connection was closed: Could not establish trust relationship for the SSL/TLS secure channel.\n    + FullyQualifiedErrorId : WebCmdletWebResponseException,Microsoft.PowerShell.Commands.InvokeRestMethodCommand",
        "Connect-Vmc: Unable to create security context. Details: The SSL connection could not be established, see inner exception.",
        // Localized: not the TLS 1.2 problem either.
        "fatal: 基础连接已经关闭: 未能为 SSL/TLS 安全通道建立信任关系",
    ] {
        assert_eq!(top(text), None, "{}", text);
    }
    for text in [
        "Connect-ExchangeOnline -ShowProgress $true\nOperationStopped: The SSL connection could not be established, see inner exception.",
        "Exception calling \"GetRemoteNewCsOnlineSession\" with \"1\" argument(s): \"The underlying connection was closed: Could not establish trust relationship for the SSL/TLS secure channel.",
        // A 407 is the proxy's answer, whatever the site.
        "Invoke-WebRequest : The remote server returned an error: (407) Proxy Authentication Required.",
    ] {
        assert_eq!(top(text).as_deref(), Some("proxy_or_network_blocked"), "{}", text);
    }
}

#[test]
fn exchanges_rbac_refusal_is_app_authentication_only_for_an_application() {
    assert_eq!(
        top("[AuthZRequestId=8a7b453d][FailureCategory=AuthZ-CmdletAccessDeniedException] The user \"contoso/SERVERS/EX01\" isn't assigned to any management roles."),
        None
    );
    assert_eq!(
        top("New-ExoPSSession : Processing data from remote server partner.outlook.cn failed with the following error message: [AuthZRequestId=2f19e449][FailureCategory=AuthZ-CmdletAccessDeniedException] The application f9684132-be1f-45da-835a-e296116f7cb8 isn't assigned to any management roles. Please check online documentation for assigning Directory Roles to Azure AD Application.").as_deref(),
        Some("app_auth_misconfigured")
    );
}

#[test]
fn local_configuration_and_parameter_errors_of_remoting_cmdlets_are_no_connection_failure() {
    for text in [
        // *-PSSessionConfiguration configures this computer.
        "Register-PSSessionConfiguration : Access is denied. To run this cmdlet, start PowerShell with the \"Run as administrator\" option.",
        // A parameter to add before any logon.
        "New-PSSession : Basic authentication requires an explicit user name and password.  Specify the user name and password by using the -Credential parameter and try the command again.",
    ] {
        assert_eq!(top(text), None, "{}", text);
    }
    assert_eq!(
        top("New-PSSession : Connecting to remote server srv01 failed with the following error message : Access is denied.").as_deref(),
        Some("winrm_access_denied")
    );
}

#[test]
fn the_wam_brokers_code_needs_a_microsoft_365_module_beside_it() {
    // 0x80070520 (Win32 1312 as an HRESULT) in any of its spellings.
    assert_eq!(
        top("Connect-ExchangeOnline : Error Acquiring Token: error code -2147023584").as_deref(),
        Some("wam_broker_error")
    );
    assert_eq!(
        top("Microsoft.Identity.Client.MsalServiceException: broker failed with 0x80070520")
            .as_deref(),
        Some("wam_broker_error")
    );
    // The same Win32 error elsewhere is not the broker's.
    assert_eq!(top("LogonUser failed: 0x80070520"), None);
}

#[test]
fn a_connection_cmdlets_real_parameter_missing_is_a_version_mismatch_a_typo_is_not() {
    assert_eq!(
        top("Connect-ExchangeOnline: A parameter cannot be found that matches parameter name 'Credential'.").as_deref(),
        Some("module_version_mismatch")
    );
    // A name no version of the cmdlet has (a typo), or the same name
    // missing from another cmdlet.
    assert_eq!(top("Connect-MicrosoftTeams : A parameter cannot be found that matches parameter name 'Credentials'"), None);
    assert_eq!(top("Send-MailMessage : A parameter cannot be found that matches parameter name 'Credential'."), None);
}

#[test]
fn versions_skip_links_and_commas() {
    assert_eq!(
        versions_in("version '2,0' ... of '3.0' see https://x/y?view=powershell-5.1 and 2013"),
        vec!["2.0".to_string(), "3.0".to_string()]
    );
    assert_eq!(
        versions_in("PowerShell 5.1.19041.1 «2.0»"),
        vec!["5.1.19041.1", "2.0"]
    );
}

#[test]
fn record_parsing_rejects_wrong_types() {
    assert!(parse_record("{\"message\": 5}")
        .unwrap_err()
        .contains("must be a string"));
    assert!(parse_record("{\"hresult\": 1e300, \"message\":\"x\"}").is_err());
    assert!(parse_record("[]").is_err());
    assert!(parse_record("{}").unwrap_err().contains("needs"));
    let r = parse_record("{\"message\":\"x\",\"hresult\":\"0x803381A5\",\"other\":[1]}").unwrap();
    assert_eq!(r.hresult, Some(0x803381A5));
}

#[test]
fn unknown_text_gives_no_match() {
    let c = classify_text("The quick brown fox jumps over the lazy dog.", "en").unwrap();
    assert!(c.matches.is_empty());
}

#[test]
fn the_last_word_of_a_message_without_a_full_stop_stays_a_word() {
    // Pasted without the final full stop, the parameter's name ran into the
    // FullyQualifiedErrorId of the tail ("…inlinecredentialnamedparameter…")
    // and the whole-word term was lost.
    for tail in [
        "\n+ FullyQualifiedErrorId : NamedParameterNotFound,Microsoft.Exchange.Management.ExoPowershellSnapin.ConnectExchangeOnline",
        "\n    + CategoryInfo          : InvalidArgument: (:) [Connect-ExchangeOnline], ParameterBindingException",
    ] {
        let text = format!(
            "Connect-ExchangeOnline : A parameter cannot be found that matches parameter name 'InlineCredential'{}",
            tail
        );
        let r = classify_text(&text, "en").unwrap();
        assert_eq!(
            r.matches.first().map(|m| m.id.as_str()),
            Some("module_version_mismatch"),
            "{}",
            text
        );
    }
}
