//! Recognition of the classes that sat near the held-out line
//! (wam_broker_error, winrm_auth_unsupported, pwsh_wsman_missing): the other
//! ways each shows up, and the neighbours that must keep their own answer.
//! Texts are real pastes (sources in tests/samples/modules/en.json and
//! tests/samples/remoting/en.json) unless said otherwise.

#[path = "common/top.rs"]
mod top;
use top::assert_top;

#[test]
fn the_broker_runtime_and_its_error_codes_are_wam() {
    // MSALRuntime's exception type (MSAL.NET #4147).
    assert_top(
        "Exception: Microsoft.Identity.Client.NativeInterop.MsalRuntimeException: Status: Unexpected\nContext: Caught exception\nTag: 0x2039c1cd",
        Some("wam_broker_error"),
    );
    // The broker's silent failure thrown as MsalUiRequiredException is the
    // broker's, not an MFA prompt (msgraph-sdk-powershell #3613).
    assert_top(
        "Exception type: Microsoft.Identity.Client.MsalUiRequiredException\n, ErrorCode: failed_to_acquire_token_silently_from_broker\nHTTP StatusCode 0",
        Some("wam_broker_error"),
    );
    // The accounts control of MSALRuntime (msgraph-sdk-powershell #3538).
    assert_top(
        "Key: api_error_context, Value: Unexpected exception while waiting for accounts control to finish: '(pii)'",
        Some("wam_broker_error"),
    );
    // WamAdapters.cs names its IncorrectConfiguration/ApiContractViolation
    // errors WAM_provider_error_<code> (the code's form, from the source).
    assert_top(
        "ErrorCode: WAM_provider_error_3399614468",
        Some("wam_broker_error"),
    );
    // The status line without the 0x80070520 code or the known tag: another
    // Win32 error of the broker (MSAL.NET #4115, the tag left out).
    assert_top(
        "Microsoft.Identity.Client.MsalServiceException: Unknown Status: Unexpected\nError: 0x80040154\nContext: (pii)",
        Some("wam_broker_error"),
    );
}

#[test]
fn a_plain_msal_ui_required_exception_stays_an_mfa_prompt() {
    assert_top(
        "Connect-ExchangeOnline : Microsoft.Identity.Client.MsalUiRequiredException: AADSTS50076: Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '00000002-0000-0ff1-ce00-000000000000'.",
        Some("aad_mfa_required"),
    );
    // An Entra error relayed by the broker is the sign-in's problem
    // (office-docs-powershell #8307).
    assert_top(
        "Connect-microsoftTeams : Broker response returned error: WAM Error Wam plugin Microsoft.Identity.Client.Platforms.Features.WamBroker.AadPlugin Error code: 3399614476 Error Message: SubError: basic_action\nV2Error: invalid_grant AADSTS50076: Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access\n'00000003-0000-0000-c000-000000000000'.",
        Some("aad_mfa_required"),
    );
}

#[test]
fn the_graph_wam_notice_is_not_a_broker_failure() {
    let notice = "WARNING: Note: Sign in by Web Account Manager (WAM) is enabled by default on Windows. If using an embedded terminal, the interactive browser window may be hidden behind other windows.\n";
    // msgraph-sdk-powershell #3332: the notice, then an assembly conflict.
    assert_top(
        &format!("{}Connect-MgGraph: InteractiveBrowserCredential authentication failed: Could not load type 'Microsoft.Identity.Client.AuthScheme.TokenType' from assembly 'Microsoft.Identity.Client, Version=4.67.2.0, Culture=neutral, PublicKeyToken=0a613f4dd989e8ae'.", notice),
        Some("assembly_load_conflict"),
    );
    // The notice before a time-out says nothing of the broker
    // (msgraph-sdk-powershell #3518's error, the notice added).
    assert_top(
        &format!("{}Connect-MgGraph: Authentication timed out after 120 seconds due to inactivity. Please try again.", notice),
        None,
    );
    // A broker failure after the notice is still one (github/app #1801's
    // error, the notice added).
    assert_top(
        &format!("{}InteractiveBrowserCredential authentication failed: A window handle must be configured.\nSee https://aka.ms/msal-net-wam#parent-window-handles", notice),
        Some("wam_broker_error"),
    );
}

#[test]
fn the_server_refusing_the_mechanism_survives_a_cut_word_and_a_cut_paste() {
    // office-docs-powershell #6737: the console cut "not" in two.
    assert_top(
        "New-CsOnlineSession : Connecting to remote server api.interfaces.records.teams.microsoft.com failed with the following\nerror message : The WinRM client cannot process the request. The authentication mechanism requested by the client is no\nt supported by the server or unencrypted traffic is disabled in the service configuration.",
        Some("winrm_auth_unsupported"),
    );
    // Only the tail pasted: the server's list of mechanisms and the
    // transport exception (MicrosoftTeams 2.3.2 Get-CsOnlineSession).
    assert_top(
        "specify Basic authentication and provide user name and password. Possible authentication mechanisms reported by\nserver: For more information, see the about_Remote_Troubleshooting Help topic.\n    + CategoryInfo          : NotSpecified: (:) [Get-CsOnlineSession], PSRemotingTransportException",
        Some("winrm_auth_unsupported"),
    );
    // The neighbours keep their answer: TrustedHosts names an "authentication
    // scheme" too (about_Remote_Troubleshooting), Basic off is the client's.
    assert_top(
        "Connecting to remote server 10.0.0.5 failed with the following error message : The WinRM client cannot process the request. If the authentication scheme is different from Kerberos, or if the client computer is not joined to a domain, then HTTPS transport must be used or the destination machine must be added to the TrustedHosts configuration setting. Use winrm.cmd to configure TrustedHosts.",
        Some("trustedhosts_required"),
    );
    assert_top(
        "Connecting to remote server outlook.office365.com failed with the following error message : The WinRM client cannot process the request. Basic authentication is currently disabled in the client configuration. Change the client configuration and try the request again.",
        Some("winrm_basic_auth"),
    );
}

#[test]
fn powershell_7s_wsman_client_libraries_that_do_not_load() {
    // office-docs-powershell #10458 (Connect-IPPSSession, Apple M1).
    assert_top(
        "OperationStopped: Unable to load shared library 'libpsrpclient' or one of its dependencies. In order to help diagnose loading problems, consider setting the DYLD_PRINT_LIBRARIES environment\nvariable:  dlopen(/usr/local/microsoft/powershell/7/libpsrpclient.dylib, 0x0001)",
        Some("pwsh_wsman_missing"),
    );
    // PowerShell #20653 (macOS, libmi.dylib).
    assert_top(
        "Message : Unable to load shared library 'libmi' or one of its dependencies.\n dlopen(/usr/local/microsoft/powershell/7/libmi.dylib, 0x0001): tried: '/usr/local/microsoft/powershell/7/libmi.dylib' (mach-o file, but is an incompatible architecture (have 'x86_64', need 'arm64'))",
        Some("pwsh_wsman_missing"),
    );
    // Desired State Configuration loads libmi too (vmware/photon #1099): not
    // a remoting failure.
    assert_top(
        "Exception calling \"LoadDefaultCimKeywords\" with \"2\" argument(s): \"Unable to load shared library 'libmi' or one of its dependencies. In order to help diagnose loading problems, consider setting the LD_DEBUG environment variable: liblibmi: cannot open shared object file: No such file or directory\"",
        None,
    );
}
