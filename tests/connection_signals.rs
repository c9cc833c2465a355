//! The signals of the modules family's weakest classes read in general
//! (issue 13): the sign-in cmdlets of every Microsoft 365 module, not only
//! Exchange's and Teams', and the client that printed a proxy's 407 or a
//! TLS failure. Texts are real pastes (sources beside each, also in
//! tests/samples/modules/) unless said to be built from a module's or
//! .NET's own message.

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
fn a_proxy_407_is_ours_when_powershell_or_dotnet_printed_it() {
    let proxy = Some("proxy_or_network_blocked");
    // NeverRed #26: .NET Framework's WebException through a module.
    assert_top(
        "WARNING: Invoke-EvergreenWebRequest: The remote server returned an error: (407) Proxy Authentication Required.,",
        proxy,
    );
    // PowerShell #11577: .NET's HttpRequestException.
    assert_top(
        "Invoke-RestMethod: Response status code does not indicate success: 407 (Proxy Authentication Required).",
        proxy,
    );
    // Built from .NET Framework's French WebException: the status after a
    // colon in parentheses is the same in every language.
    assert_top(
        "Install-Module : Le serveur distant a retourné une erreur : (407) Authentification proxy requise.",
        proxy,
    );
}

#[test]
fn a_proxy_407_printed_by_another_client_is_not_ours() {
    for text in [
        // speedtest-cli #556 (Python).
        "Cannot retrieve speedtest configuration\nERROR: HTTP Error 407: Proxy Authentication Required",
        // npm #17396.
        "npm ERR! code E407\nnpm ERR! 407 Proxy Authentication Required ( Forefront TMG requires authorizatio\nn to fulfill the request. Access to the Web Proxy filter is denied.  ): multer@l\natest",
        // pip #8818.
        "Retrying (Retry(total=4, connect=None, read=None, redirect=None, status=None)) after connection broken by 'ProxyError('Cannot connect to proxy.', OSError('Tunnel connection failed: 407 Proxy authentication required'))'",
        // package_control #87 (Sublime Text).
        "Error 407: Proxy Authentication Required",
    ] {
        assert_top(text, None);
    }
}

#[test]
fn a_secure_channel_failure_is_tls_only_on_the_way_to_microsoft_365() {
    let tls = Some("tls12_disabled");
    // Built from .NET Framework's SecureChannelFailure as the real pastes
    // print it (Scoop #4565, winutil #99, 1024RegisterTool #11), on the
    // way to the Gallery or Exchange Online.
    assert_top(
        "Install-Module : The request was aborted: Could not create SSL/TLS secure channel.",
        tls,
    );
    assert_top(
        "Connect-ExchangeOnline : The request was aborted: Could not create SSL/TLS secure channel.",
        tls,
    );
    assert_top(
        "Install-Module : Richiesta annullata: Impossibile creare un canale sicuro SSL/TLS..",
        tls,
    );
    assert_top(
        "Install-Module : 请求被中止: 未能创建 SSL/TLS 安全通道。",
        tls,
    );
    // To another site it is that site's TLS.
    for text in [
        // Scoop #4565.
        "Exception calling \"DownloadString\" with \"1\" argument(s): \"The request was aborted: Could not create SSL/TLS secure\nchannel.\"\nAt C:\\Users\\justkamiii\\Desktop\\sad\\install.ps1:33 char:1\n+ Invoke-Expression (new-object net.webclient).downloadstring($core_url ...\n+ ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n    + CategoryInfo          : NotSpecified: (:) [], ParentContainsErrorRecordException\n    + FullyQualifiedErrorId : WebException",
        // Wox #2788.
        "Exception message:\n <请求被中止: 未能创建 SSL/TLS 安全通道。>",
    ] {
        assert_top(text, None);
    }
}
