//! The Windows facts read from a fake machine, on every OS: the machine
//! states of the wine suite (tests/windows/run.sh) and the ones wine cannot
//! make (a denied service query, a value of the wrong type), each checked
//! on the fact and, where it decides something, on the finding.

use serde_json::{json, Value};

use super::super::fake::{Data, FakeMachine};
use super::super::machine::{Hive, OsError, View, WinHttpProxy};
use super::super::winerr::{ERROR_ACCESS_DENIED, ERROR_SERVICE_DOES_NOT_EXIST};
use super::super::{Fact, State, OS_FACT_IDS};
use super::facts;
use crate::rules::{self, Finding, Status};

const WINRM_POLICY: &str = r"SOFTWARE\Policies\Microsoft\Windows\WinRM\Client";
const WINRM_LOCAL: &str = r"SOFTWARE\Microsoft\Windows\CurrentVersion\WSMAN\Client";
const SHELL_IDS: &str = r"SOFTWARE\Microsoft\PowerShell\1\ShellIds\Microsoft.PowerShell";
const PS_POLICY: &str = r"SOFTWARE\Policies\Microsoft\Windows\PowerShell";
const CORE_POLICY: &str = r"SOFTWARE\Policies\Microsoft\PowerShellCore";
const SIA: &str = r"SOFTWARE\Microsoft\MSOIdentityCRL";
const IE: &str = r"Software\Microsoft\Windows\CurrentVersion\Internet Settings";

fn sz(s: &str) -> Data {
    Data::Sz(s.to_string())
}

/// A machine as wine's fresh prefix is: the program folders, a profile.
fn fresh() -> FakeMachine {
    FakeMachine::new()
        .env_var("ProgramFiles", r"C:\Program Files")
        .env_var("ProgramW6432", r"C:\Program Files")
        .env_var("ProgramFiles(x86)", r"C:\Program Files (x86)")
        .env_var("CommonProgramFiles", r"C:\Program Files\Common Files")
        .env_var("USERPROFILE", r"C:\users\admin")
}

fn fact(m: &FakeMachine, id: &str) -> Fact {
    facts(m)
        .into_iter()
        .find(|f| f.id == id)
        .unwrap_or_else(|| panic!("no fact {}", id))
}

/// The findings of the machine's facts (on Windows, no host facts).
fn findings(m: &FakeMachine) -> Vec<Finding> {
    let mut f = vec![Fact::known("os", json!("windows"), "test")];
    f.extend(facts(m));
    rules::evaluate(&f, "en")
}

fn finding(m: &FakeMachine, id: &str) -> Finding {
    findings(m).into_iter().find(|f| f.id == id).unwrap()
}

#[test]
fn a_fresh_machine_gives_every_fact_known_and_empty() {
    let all = facts(&fresh());
    let ids: Vec<&str> = all.iter().map(|f| f.id.as_str()).collect();
    let want: Vec<&str> = OS_FACT_IDS.iter().map(|(id, _)| *id).collect();
    assert_eq!(ids, want);
    for f in &all {
        assert_eq!(f.state, State::Known, "{:?}", f);
    }
    let m = fresh();
    assert_eq!(
        fact(&m, "winrm.client.allow_basic_policy").value,
        Value::Null
    );
    assert_eq!(
        fact(&m, "service.msoidsvc").value,
        json!({"installed": false})
    );
    assert_eq!(
        fact(&m, "windows_powershell.execution_policy").value,
        json!({"MachinePolicy": "Undefined", "UserPolicy": "Undefined", "Process": "Undefined",
               "CurrentUser": "Undefined", "LocalMachine": "Undefined"})
    );
    assert_eq!(
        fact(&m, "powershell7.execution_policy").value["installed"],
        false
    );
    assert_eq!(
        fact(&m, "proxy.winhttp").value,
        json!({"access": "direct", "proxy": null, "bypass": null})
    );
    assert_eq!(fact(&m, "modules.installed").value, json!([]));
    assert_eq!(
        finding(&m, "execution_policy.windows_powershell").status,
        Status::Problem
    );
    assert_eq!(finding(&m, "winrm.basic_auth").status, Status::Ok);
}

#[test]
fn winrm_basic_policy_wins_over_local() {
    let off = fresh()
        .hklm(WINRM_POLICY, "AllowBasic", Data::Dword(0))
        .hklm(WINRM_LOCAL, "auth_basic", Data::Dword(1));
    assert_eq!(
        fact(&off, "winrm.client.allow_basic_policy").value,
        json!(0)
    );
    let x = finding(&off, "winrm.basic_auth");
    assert_eq!(x.status, Status::Problem);
    assert!(
        x.evidence.iter().any(|e| e.contains("AllowBasic = 0")),
        "{:?}",
        x
    );
    assert_eq!(x.fix, None);
    let on = fresh()
        .hklm(WINRM_POLICY, "AllowBasic", Data::Dword(1))
        .hklm(WINRM_LOCAL, "auth_basic", Data::Dword(0));
    assert_eq!(finding(&on, "winrm.basic_auth").status, Status::Ok);
    let local_off = fresh().hklm(WINRM_LOCAL, "auth_basic", Data::Dword(0));
    let x = finding(&local_off, "winrm.basic_auth");
    assert_eq!(x.status, Status::Problem);
    assert!(x.fix.unwrap().contains("winrm set"));
}

#[test]
fn a_value_of_another_type_or_a_denied_key_is_unknown_with_the_code() {
    // RegGetValueW(RRF_RT_REG_DWORD) refuses a REG_SZ: the probe says so
    // rather than reading it as absent.
    let m = fresh().hklm(WINRM_POLICY, "AllowBasic", sz("0"));
    let f = fact(&m, "winrm.client.allow_basic_policy");
    assert_eq!(f.state, State::Unknown);
    assert!(f.reason.unwrap().contains("Windows error 1630"));
    let m = fresh()
        .hklm(WINRM_POLICY, "AllowBasic", Data::Dword(0))
        .deny(Hive::LocalMachine, WINRM_POLICY, ERROR_ACCESS_DENIED);
    let x = finding(&m, "winrm.basic_auth");
    assert_eq!(x.status, Status::Unknown);
    assert!(
        x.evidence
            .iter()
            .any(|e| e.contains("Windows error 5, ERROR_ACCESS_DENIED")
                && e.contains(r"WinRM\Client")),
        "{:?}",
        x.evidence
    );
    let m = fresh()
        .hklm(SHELL_IDS, "ExecutionPolicy", sz("RemoteSigned"))
        .deny(Hive::LocalMachine, SHELL_IDS, ERROR_ACCESS_DENIED);
    assert_eq!(
        fact(&m, "windows_powershell.execution_policy").state,
        State::Unknown
    );
}

#[test]
fn windows_powershell_scopes_in_their_order() {
    let m = fresh().hklm(SHELL_IDS, "ExecutionPolicy", sz("Restricted"));
    assert_eq!(
        fact(&m, "windows_powershell.execution_policy").value["LocalMachine"],
        "Restricted"
    );
    let m = m.hkcu(SHELL_IDS, "ExecutionPolicy", sz("RemoteSigned"));
    let x = finding(&m, "execution_policy.windows_powershell");
    assert_eq!(x.status, Status::Ok);
    let text = serde_json::to_string(&x).unwrap();
    assert!(text.contains("scope CurrentUser"), "{}", text);
    // Group Policy AllSigned wins (MachinePolicy).
    let gp = m
        .clone()
        .hklm(PS_POLICY, "EnableScripts", Data::Dword(1))
        .hklm(PS_POLICY, "ExecutionPolicy", sz("AllSigned"));
    assert_eq!(
        fact(&gp, "windows_powershell.execution_policy").value["MachinePolicy"],
        "AllSigned"
    );
    assert_eq!(
        finding(&gp, "execution_policy.windows_powershell").status,
        Status::Problem
    );
    // EnableScripts 2 is neither 0 nor 1: Undefined.
    let two = m.hklm(PS_POLICY, "EnableScripts", Data::Dword(2)).hklm(
        PS_POLICY,
        "ExecutionPolicy",
        sz("AllSigned"),
    );
    assert_eq!(
        fact(&two, "windows_powershell.execution_policy").value["MachinePolicy"],
        "Undefined"
    );
    // A QWORD 1 is "1" to .NET's ToString, like the DWORD.
    let q = fresh()
        .hklm(PS_POLICY, "EnableScripts", Data::Qword(1))
        .hklm(PS_POLICY, "ExecutionPolicy", sz("AllSigned"));
    assert_eq!(
        fact(&q, "windows_powershell.execution_policy").value["MachinePolicy"],
        "AllSigned"
    );
    // A REG_MULTI_SZ where a string is read: RegGetValueW refuses it.
    let multi = fresh().hklm(
        SHELL_IDS,
        "ExecutionPolicy",
        Data::MultiSz(vec!["RemoteSigned".into()]),
    );
    let f = fact(&multi, "windows_powershell.execution_policy");
    assert_eq!(f.state, State::Unknown);
    assert!(f.reason.unwrap().contains("Windows error 1630"));
    // The Process scope is the environment's.
    let p = fresh().env_var("PSExecutionPolicyPreference", "Bypass");
    assert_eq!(
        fact(&p, "windows_powershell.execution_policy").value["Process"],
        "Bypass"
    );
}

#[test]
fn powershell7_in_both_registry_views_then_the_folders() {
    let key =
        r"SOFTWARE\Microsoft\PowerShellCore\InstalledVersions\1d00683b-0f84-4db8-a64f-2f98ad42fe06";
    let x86 = r"C:\Program Files (x86)\PowerShell\7";
    let m = fresh()
        .set_in(
            Hive::LocalMachine,
            View::Bit32,
            key,
            "InstallLocation",
            sz(r"C:\Program Files (x86)\PowerShell\7\"),
        )
        .file(&format!(r"{}\pwsh.exe", x86), b"")
        .file(
            &format!(r"{}\powershell.config.json", x86),
            br#"{"Microsoft.PowerShell:ExecutionPolicy":"RemoteSigned"}"#,
        );
    let v = fact(&m, "powershell7.execution_policy").value;
    assert_eq!(v["pshome"], x86);
    assert_eq!(
        v["found_by"],
        format!("HKLM\\{} InstallLocation (32-bit registry view)", key)
    );
    assert_eq!(v["LocalMachine"], "RemoteSigned");
    // Without the key, the folder fallback.
    let m = fresh()
        .file(&format!(r"{}\pwsh.exe", x86), b"")
        .file(&format!(r"{}\powershell.config.json", x86), b"{}");
    let v = fact(&m, "powershell7.execution_policy").value;
    assert_eq!(v["found_by"], format!("folder {}", x86));
    // Not installed at all: not applicable.
    let x = finding(&fresh(), "execution_policy.powershell7");
    assert_eq!(x.status, Status::NotApplicable);
}

#[test]
fn powershell7_policy_keys_per_hive_and_the_config_file() {
    let home = r"C:\Program Files\PowerShell\7";
    let m = fresh().file(&format!(r"{}\pwsh.exe", home), b"").file(
        &format!(r"{}\powershell.config.json", home),
        br#"{"Microsoft.PowerShell:ExecutionPolicy":"RemoteSigned","PowerShellPolicies":{"ScriptExecution":{"EnableScripts":true,"ExecutionPolicy":"AllSigned"}}}"#,
    );
    let v = fact(&m, "powershell7.execution_policy").value;
    assert_eq!(v["MachinePolicy"], "AllSigned");
    assert_eq!(v["origin"]["MachinePolicy"]["kind"], "config_file");
    // HKLM its own key, HKCU the Windows PowerShell key of HKCU.
    let m = m
        .hklm(CORE_POLICY, "EnableScripts", Data::Dword(1))
        .hklm(CORE_POLICY, "ExecutionPolicy", sz("RemoteSigned"))
        .hkcu(
            CORE_POLICY,
            "UseWindowsPowerShellPolicySetting",
            Data::Dword(1),
        )
        .hkcu(PS_POLICY, "EnableScripts", Data::Dword(1))
        .hkcu(PS_POLICY, "ExecutionPolicy", sz("Unrestricted"));
    let v = fact(&m, "powershell7.execution_policy").value;
    assert_eq!(v["MachinePolicy"], "RemoteSigned");
    assert_eq!(v["UserPolicy"], "Unrestricted");
    assert_eq!(v["origin"]["MachinePolicy"]["kind"], "group_policy");
    assert_eq!(
        v["origin"]["UserPolicy"]["place"],
        r"HKCU\SOFTWARE\Policies\Microsoft\Windows\PowerShell"
    );
    // A file that is not JSON makes the fact unknown, with the path.
    let bad = fresh()
        .file(&format!(r"{}\pwsh.exe", home), b"")
        .file(&format!(r"{}\powershell.config.json", home), b"{nope");
    let f = fact(&bad, "powershell7.execution_policy");
    assert_eq!(f.state, State::Unknown);
    assert!(f
        .reason
        .unwrap()
        .contains("powershell.config.json: not valid JSON"));
    // The user's file is under Documents (User Shell Folders wins).
    let docs = fresh()
        .file(&format!(r"{}\pwsh.exe", home), b"")
        .hkcu(
            r"Software\Microsoft\Windows\CurrentVersion\Explorer\User Shell Folders",
            "Personal",
            Data::ExpandSz(r"D:\Docs".into()),
        )
        .file(
            r"D:\Docs\PowerShell\powershell.config.json",
            "\u{feff}{\"Microsoft.PowerShell:ExecutionPolicy\":\"Bypass\"}".as_bytes(),
        );
    assert_eq!(
        fact(&docs, "powershell7.execution_policy").value["CurrentUser"],
        "Bypass"
    );
}

#[test]
fn engine_version_3_then_1() {
    let m = fresh().hklm(
        r"SOFTWARE\Microsoft\PowerShell\3\PowerShellEngine",
        "PowerShellVersion",
        sz("5.1.19041.1"),
    );
    assert_eq!(finding(&m, "powershell.version").status, Status::Ok);
    let m = fresh().hklm(
        r"SOFTWARE\Microsoft\PowerShell\1\PowerShellEngine",
        "PowerShellVersion",
        sz("2.0"),
    );
    assert_eq!(fact(&m, "windows_powershell.engine_version").value, "2.0");
    assert_eq!(finding(&m, "powershell.version").status, Status::Problem);
}

#[test]
fn sign_in_assistant_in_the_64_then_the_32_bit_view() {
    let m = fresh()
        .hklm(SIA, "MSOIDCRLVersion", sz("7.250.4303.0"))
        .service_is("msoidsvc", 1, 3);
    let f = fact(&m, "sign_in_assistant.version");
    assert_eq!(f.value, "7.250.4303.0");
    assert!(!f.source.contains("32-bit"));
    assert_eq!(
        fact(&m, "service.msoidsvc").value,
        json!({"installed": true, "state": "stopped", "start_type": "manual"})
    );
    let x = finding(&m, "sign_in_assistant.service");
    assert_eq!(x.status, Status::Warning);
    let m32 = fresh().hklm(
        r"SOFTWARE\WOW6432Node\Microsoft\MSOIdentityCRL",
        "MSOIDCRLVersion",
        sz("7.250.4303.0"),
    );
    let f = fact(&m32, "sign_in_assistant.version");
    assert_eq!(f.value, "7.250.4303.0");
    assert!(f.source.contains("32-bit view"), "{}", f.source);
    let denied = fresh()
        .hklm(SIA, "MSOIDCRLVersion", sz("7.250.4303.0"))
        .deny(Hive::LocalMachine, SIA, ERROR_ACCESS_DENIED);
    assert_eq!(
        fact(&denied, "sign_in_assistant.version").state,
        State::Unknown
    );
}

#[test]
fn services_installed_missing_and_denied() {
    let m = fresh().service_is("winrm", 4, 2);
    assert_eq!(
        fact(&m, "service.winrm").value,
        json!({"installed": true, "state": "running", "start_type": "auto"})
    );
    let m = fresh().service_is("winrm", 1, 4);
    assert_eq!(fact(&m, "service.winrm").value["start_type"], "disabled");
    // Wine's service manager grants every access: this state is only here.
    let m = fresh().service_fails("msoidsvc", "OpenSCManagerW", ERROR_ACCESS_DENIED);
    let f = fact(&m, "service.msoidsvc");
    assert_eq!(f.state, State::Unknown);
    assert!(f
        .reason
        .unwrap()
        .starts_with("OpenSCManagerW: Access is denied."));
    let m = fresh().service_fails("msoidsvc", "OpenServiceW", ERROR_SERVICE_DOES_NOT_EXIST);
    assert_eq!(
        fact(&m, "service.msoidsvc").value,
        json!({"installed": false})
    );
}

#[test]
fn proxies_of_winhttp_and_the_user() {
    let m = fresh().hkcu(IE, "ProxyEnable", Data::Dword(1)).hkcu(
        IE,
        "ProxyServer",
        sz("proxy.contoso.com:8080"),
    );
    assert_eq!(fact(&m, "proxy.ie").value["enabled"], true);
    let x = finding(&m, "proxy.windows");
    assert_eq!(x.status, Status::Warning);
    assert!(x
        .fix
        .unwrap()
        .contains("netsh winhttp import proxy source=ie"));
    // Some tools write ProxyEnable as 4 bytes of REG_BINARY.
    let bin = fresh()
        .hkcu(IE, "ProxyEnable", Data::Binary(vec![1, 0, 0, 0]))
        .hkcu(IE, "ProxyServer", sz("proxy.contoso.com:8080"));
    assert_eq!(fact(&bin, "proxy.ie").value["enabled"], true);
    let named = fresh().winhttp(Ok(WinHttpProxy {
        access_type: 3,
        proxy: Some("proxy:3128".into()),
        bypass: Some("<local>".into()),
    }));
    assert_eq!(
        fact(&named, "proxy.winhttp").value,
        json!({"access": "named", "proxy": "proxy:3128", "bypass": "<local>"})
    );
    let failed = fresh().winhttp(Err(OsError {
        code: 5,
        text: None,
    }));
    let f = fact(&failed, "proxy.winhttp");
    assert_eq!(f.state, State::Unknown);
    assert!(f
        .reason
        .unwrap()
        .starts_with("WinHttpGetDefaultProxyConfiguration: Access is denied."));
}

#[test]
fn connector_modules_in_their_folders_with_versions() {
    let dir =
        r"C:\Program Files\Common Files\Skype for Business Online\Modules\SkypeOnlineConnector";
    let m = fresh().file(
        &format!(r"{}\SkypeOnlineConnector.psd1", dir),
        b"@{\r\n  ModuleVersion = '7.0.0.0'\r\n}\r\n",
    );
    assert_eq!(
        fact(&m, "modules.installed").value,
        json!([{"name": "SkypeOnlineConnector", "version": "7.0.0.0", "path": dir}])
    );
    let x = finding(&m, "connector.installed");
    assert_eq!(x.status, Status::Problem);
    // A versioned folder, a manifest without ModuleVersion: the folder's.
    let teams = r"C:\users\admin\Documents\WindowsPowerShell\Modules\MicrosoftTeams";
    let m = fresh().file(&format!(r"{}\6.1.0\MicrosoftTeams.psd1", teams), b"@{}");
    assert_eq!(
        fact(&m, "modules.installed").value,
        json!([{"name": "MicrosoftTeams", "version": "6.1.0", "path": format!(r"{}\6.1.0", teams)}])
    );
}

const DELEGATION: &str = r"SOFTWARE\Policies\Microsoft\Windows\CredentialsDelegation";

#[test]
fn trusted_hosts_from_the_policy_when_enabled_else_local() {
    let m = fresh();
    let v = fact(&m, "winrm.client.trusted_hosts").value;
    assert_eq!(
        (v["list"].as_str(), v["from"].as_str()),
        (Some(""), Some("none"))
    );
    let local = fresh().hklm(WINRM_LOCAL, "trusted_hosts", sz("srv01, *.contoso.com"));
    let v = fact(&local, "winrm.client.trusted_hosts").value;
    assert_eq!(v["from"], "local");
    assert_eq!(v["entries"], json!(["srv01", "*.contoso.com"]));
    // The policy enabled: its list, the local one ignored.
    let policy = local
        .clone()
        .hklm(WINRM_POLICY, "TrustedHosts", Data::Dword(1))
        .hklm(WINRM_POLICY, "TrustedHostsList", sz("10.0.0.*"));
    let v = fact(&policy, "winrm.client.trusted_hosts").value;
    assert_eq!(
        (v["list"].as_str(), v["from"].as_str()),
        (Some("10.0.0.*"), Some("policy"))
    );
    // Disabled (0): the local list counts again.
    let off = local.hklm(WINRM_POLICY, "TrustedHosts", Data::Dword(0));
    assert_eq!(
        fact(&off, "winrm.client.trusted_hosts").value["from"],
        "local"
    );
}

#[test]
fn client_mechanisms_policy_over_local_over_default() {
    let m = fresh()
        .hklm(WINRM_POLICY, "AllowKerberos", Data::Dword(0))
        .hklm(WINRM_LOCAL, "auth_kerberos", Data::Dword(1))
        .hklm(WINRM_LOCAL, "auth_negotiate", Data::Dword(0))
        .hklm(WINRM_POLICY, "AllowUnencryptedTraffic", Data::Dword(1));
    let v = fact(&m, "winrm.client.auth").value;
    assert_eq!(
        v["kerberos"],
        json!({"policy": 0, "local": 1, "enabled": false, "from": "policy"})
    );
    assert_eq!(v["negotiate"]["from"], "local");
    assert_eq!(v["negotiate"]["enabled"], false);
    assert_eq!(
        v["digest"],
        json!({"policy": null, "local": null, "enabled": true, "from": "default"})
    );
    assert_eq!(v["credssp"]["enabled"], false);
    assert_eq!(v["allow_unencrypted"]["enabled"], true);
    let x = finding(&m, "winrm.auth");
    assert_eq!(x.status, Status::Warning);
    assert_eq!(x.fix, None, "Kerberos is the policy's: no local fix");
}

#[test]
fn credssp_delegation_lists_in_name_order() {
    let list = format!(r"{}\AllowFreshCredentials", DELEGATION);
    let m = fresh()
        .hklm(WINRM_LOCAL, "auth_credssp", Data::Dword(1))
        .hklm(DELEGATION, "AllowFreshCredentials", Data::Dword(1))
        .hklm(&list, "10", sz("WSMAN/ten.contoso.com"))
        .hklm(&list, "2", sz("WSMAN/*.contoso.com"))
        .hklm(&list, "1", sz("WSMAN/srv01"));
    let v = fact(&m, "credssp.delegation").value;
    assert_eq!(v["allow_fresh"]["policy"], 1);
    assert_eq!(
        v["allow_fresh"]["servers"],
        json!([
            "WSMAN/srv01",
            "WSMAN/*.contoso.com",
            "WSMAN/ten.contoso.com"
        ])
    );
    assert_eq!(
        v["allow_fresh_ntlm_only"],
        json!({"policy": null, "servers": []})
    );
    assert_eq!(finding(&m, "winrm.credssp").status, Status::Ok);
    // The list key denied: unknown, with the reason.
    let denied = m.deny(Hive::LocalMachine, &list, ERROR_ACCESS_DENIED);
    let f = fact(&denied, "credssp.delegation");
    assert_eq!(f.state, State::Unknown);
    assert!(f
        .reason
        .unwrap()
        .contains("AllowFreshCredentials: Access is denied."));
    assert_eq!(finding(&denied, "winrm.credssp").status, Status::Unknown);
}

#[test]
fn tls12_for_dotnet_in_both_registry_views() {
    let netfx = r"SOFTWARE\Microsoft\.NETFramework\v4.0.30319";
    let v = fact(&fresh(), "dotnet.tls12").value;
    assert_eq!(v["64-bit"]["tls12"], false);
    assert_eq!(v["32-bit"]["tls12"], false);
    assert_eq!(finding(&fresh(), "tls.dotnet").status, Status::Warning);
    // The 32-bit view is WOW6432Node: a value of the 64-bit view alone
    // leaves the x86 shell without TLS 1.2.
    let m = fresh().hklm(netfx, "SchUseStrongCrypto", Data::Dword(1));
    let v = fact(&m, "dotnet.tls12").value;
    assert_eq!(
        (
            v["64-bit"]["tls12"].as_bool(),
            v["32-bit"]["tls12"].as_bool()
        ),
        (Some(true), Some(false))
    );
    let m = m.hklm(
        r"SOFTWARE\WOW6432Node\Microsoft\.NETFramework\v4.0.30319",
        "SystemDefaultTlsVersions",
        Data::Dword(1),
    );
    assert_eq!(
        fact(&m, "dotnet.tls12").value["32-bit"]["SystemDefaultTlsVersions"],
        1
    );
    assert_eq!(finding(&m, "tls.dotnet").status, Status::Ok);
    // 0 disables: not TLS 1.2.
    let m = m.hklm(netfx, "SchUseStrongCrypto", Data::Dword(0));
    assert_eq!(fact(&m, "dotnet.tls12").value["64-bit"]["tls12"], false);
}
