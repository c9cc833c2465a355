//! Issue 12's false matches on unrelated errors: WinRM's own configuration
//! output that names a remoting class's words without being its failure,
//! next to the real failure that must keep its answer. Texts are real pastes
//! (sources in tests/samples/remoting/en.json and zh-cn.json) unless said
//! otherwise; the facts are in docs/facts.md (trustedhosts_required,
//! winrm_unreachable).

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
