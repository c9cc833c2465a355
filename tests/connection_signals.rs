//! The signals of the modules family's weakest classes read in general
//! (issue 13): the sign-in cmdlets of every Microsoft 365 module, not only
//! Exchange's and Teams', and the client that printed a proxy's 407 or a
//! TLS failure. Texts are real pastes (sources beside each, also in
//! tests/samples/modules/) unless said to be built from a module's or
//! .NET's own message.

#[path = "common/top.rs"]
mod top;
use top::assert_top;

#[test]
fn a_sign_in_parameter_of_another_version_is_a_version_mismatch() {
    let mismatch = Some("module_version_mismatch");
    // Built from PowerShell's ParameterBinder message: Connect-MgGraph has
    // -Identity only from the managed identity support (msgraph-sdk-powershell
    // #1462), so an older Microsoft.Graph.Authentication does not know it.
    assert_top(
        "Connect-MgGraph : A parameter cannot be found that matches parameter name 'Identity'.\nAt line:1 char:17\n+ Connect-MgGraph -Identity\n+                 ~~~~~~~~~\n    + CategoryInfo          : InvalidArgument: (:) [Connect-MgGraph], ParameterBindingException\n    + FullyQualifiedErrorId : NamedParameterNotFound,Microsoft.Graph.PowerShell.Authentication.Cmdlets.ConnectMgGraph",
        mismatch,
    );
    // Set-MgGraphOption -DisableLoginByWAM exists from 2.35 (#3505).
    assert_top(
        "Set-MgGraphOption : A parameter cannot be found that matches parameter name 'DisableLoginByWAM'.",
        mismatch,
    );
    // msgraph-sdk-powershell #2809: Microsoft.Graph.Authentication 1.*.
    assert_top(
        "ERROR: A parameter cannot be found that matches parameter name 'ClientSecretCredential'.\n\nException             : \n    Type              : System.Management.Automation.ParameterBindingException\n    Message           : A parameter cannot be found that matches parameter name 'ClientSecretCredential'.\n    ParameterName     : ClientSecretCredential\n    ErrorId           : NamedParameterNotFound\n    Line              : 46\n    Offset            : 66\n    CommandInvocation : \n        MyCommand        : Connect-MgGraph",
        mismatch,
    );
}

#[test]
fn a_parameter_of_another_cmdlet_or_tool_is_no_version_mismatch() {
    for text in [
        // msgraph-sdk-powershell #1530: a Graph cmdlet after the sign-in.
        "Get-MgUser : A parameter cannot be found that matches parameter name 'all'.\nAt line:1 char:12\n+ get-mguser -all\n+            ~~~~\n    + CategoryInfo          : InvalidArgument: (:) [Get-MgUser], ParameterBindingException\n    + FullyQualifiedErrorId : NamedParameterNotFound,Get-MgUser",
        // IntuneManagement #410.
        "Invoke-MgGraphRequest: A parameter cannot be found that matches parameter name 'Url'.",
        // maester #1100: another tool's connection cmdlet.
        "connect-maester -GraphClientId \"random-guid\"\nConnect-Maester: A parameter cannot be found that matches parameter name 'GraphClientId'.",
        // A name no version of Connect-MgGraph has (it is -Scopes): a typo.
        "Connect-MgGraph : A parameter cannot be found that matches parameter name 'Scope'.",
    ] {
        assert_top(text, None);
    }
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
fn a_cmdlet_before_the_sign_in_is_a_missing_session() {
    let missing = Some("session_missing_or_expired");
    // AZ-500-Azure-Security #74 (AzureAD).
    assert_top(
        "Get-AzureADDomain: You must call the Connect-AzureAD cmdlet before calling any other cmdlets.",
        missing,
    );
    // msgraph-sdk-powershell #2145 (Graph 2.x) and Microsoft365DSC #1887 (1.x).
    assert_top(
        "Get-MgBetaDeviceAppManagementManagedAppPolicy : Authentication needed. Please call Connect-MgGraph.",
        missing,
    );
    assert_top("Authentication needed, call Connect-MgGraph", missing);
    // Built from MSOnline's message, the same words with its cmdlet.
    assert_top(
        "Get-MsolUser : You must call the Connect-MsolService cmdlet before calling any other cmdlets.",
        missing,
    );
    // Graph's refusal after a successful sign-in is not a missing session
    // (microsoft-graph-docs-contrib #8159).
    assert_top(
        "{\n  \"error\": {\n    \"code\": \"Authorization_RequestDenied\",\n    \"message\": \"Insufficient privileges to complete the operation.\",",
        None,
    );
}

#[test]
fn a_sign_in_cmdlet_not_found_is_a_module_not_installed() {
    let not_installed = Some("module_not_installed");
    // dynamics-365-unified-operations-public #2152.
    assert_top(
        "Connect-MsolService : The term 'Connect-MsolService' is not recognized as the name of a cmdlet, function, script file, or operable program.",
        not_installed,
    );
    // fhir-server-samples #125 (PowerShell 7 on macOS).
    assert_top(
        "Connect-AzureAd: The term 'Connect-AzureAd' is not recognized as a name of a cmdlet, function, script file, or executable program.\nCheck the spelling of the name, or if a path was included, verify that the path is correct and try again.",
        not_installed,
    );
    // Another cmdlet of the module not found says nothing of the sign-in
    // (hidden by RBAC, a prefix, a typo).
    assert_top(
        "Get-MsolCompanyInformation : The term 'Get-MsolCompanyInformation' is not recognized as the name of a cmdlet,function, script file, or operable program.",
        None,
    );
}

#[test]
fn the_nuget_provider_list_out_of_reach_is_the_gallery() {
    let gallery = Some("gallery_unreachable");
    // PSResourceGet #333.
    assert_top(
        "WARNING: Unable to download from URI 'https://go.microsoft.com/fwlink/?LinkID=627338&clcid=0x409' to ''.\nWARNING: Unable to download the list of available providers. Check your internet connection.\nInstall-PackageProvider : No match was found for the specified search criteria for the provider 'NuGet'. The package provider requires 'PackageManagement' and 'Provider' tags. Please check if the specified package has the\ntags.",
        gallery,
    );
    // PowerShellGetv2 #609: the French console keeps the link.
    assert_top(
        "AVERTISSEMENT : Impossible de télécharger à partir de l'URI\n'https://go.microsoft.com/fwlink/?LinkID=627338&clcid=0x409' dans ''.",
        gallery,
    );
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

#[test]
fn a_missing_certificate_of_a_teams_sign_in_is_app_auth() {
    // Microsoft365DSC #3998.
    assert_top(
        "PowerShell DSC resource MSFT_TeamsEnhancedEncryptionPolicy  failed to execute Test-TargetResource functionality with error message: Cannot bind parameter 'Certificate'. Cannot convert \nvalue \"A937EEF7DA9343D62922DFE51F8F06478B4D90A7\" to type \"Microsoft.TeamsCmdlets.Powershell.Connect.Utilities.CertificateParameter\". Error: \"Certificate not found: \nA937EEF7DA9343D62922DFE51F8F06478B4D90A7\"",
        Some("app_auth_misconfigured"),
    );
    // Another tool's missing certificate is that tool's.
    assert_top(
        "Error: Certificate not found: A937EEF7DA9343D62922DFE51F8F06478B4D90A7",
        None,
    );
}
