//! Tests across the checks.

use super::*;
use crate::probe::Fact;
use crate::rules::testing::*;
use serde_json::json;

#[test]
fn windows_facts_give_windows_findings_anywhere() {
    let f = evaluate(&windows_facts(vec![]), "en");
    for id in [
        "execution_policy.windows_powershell",
        "powershell.version",
        "winrm.basic_auth",
        "sign_in_assistant.installed",
        "sign_in_assistant.service",
        "proxy.windows",
        "connector.installed",
        "winrm.trusted_hosts",
        "winrm.auth",
        "winrm.credssp",
    ] {
        assert_eq!(status_of(&f, id), Status::Ok, "{}", id);
    }
    assert_eq!(
        status_of(&f, "execution_policy.powershell7"),
        Status::NotApplicable
    );
    assert_eq!(status_of(&f, "wsman.client"), Status::NotApplicable);

    let f = evaluate(
        &windows_facts(vec![
            Fact::known("winrm.client.allow_basic_policy", json!(0), "test"),
            Fact::known("winrm.client.auth_basic", json!(1), "test"),
            Fact::known(
                "service.msoidsvc",
                json!({"installed": true, "state": "stopped", "start_type": "manual"}),
                "test",
            ),
            Fact::known(
                "proxy.ie",
                json!({"enabled": true, "server": "proxy:8080"}),
                "test",
            ),
            Fact::known(
                "modules.installed",
                json!([{"name": "LyncOnlineConnector", "version": "6.0.0.0"}]),
                "test",
            ),
        ]),
        "fr",
    );
    assert_eq!(status_of(&f, "winrm.basic_auth"), Status::Problem);
    assert_eq!(status_of(&f, "sign_in_assistant.service"), Status::Problem);
    assert_eq!(status_of(&f, "proxy.windows"), Status::Warning);
    assert_eq!(status_of(&f, "connector.installed"), Status::Problem);
    let svc = f
        .iter()
        .find(|x| x.id == "sign_in_assistant.service")
        .unwrap();
    assert!(svc.summary.contains("arrêté"), "{}", svc.summary);
}

#[test]
fn fixes_that_cannot_work_today_are_replaced() {
    let facts = windows_facts(vec![
        Fact::known(
            "host.sessions",
            json!([{"name": "a", "computer_name": "admin1a.online.lync.com", "state": "Opened", "age_minutes": 75.0}]),
            "test",
        ),
        Fact::known(
            "modules.installed",
            json!([{"name": "SkypeOnlineConnector", "version": "7.0.0.0"}]),
            "test",
        ),
    ]);
    for lang in ["en", "fr"] {
        let f = evaluate(&facts, lang);
        // Enable-CsOnlineSessionForReconnection left with MicrosoftTeams 2.0.
        let x = get(&f, "sessions.age");
        assert_eq!(x.status, Status::Problem);
        let fix = x.fix.as_deref().unwrap();
        assert!(
            !fix.contains("Enable-CsOnlineSessionForReconnection"),
            "{}",
            fix
        );
        assert!(fix.contains("Connect-MicrosoftTeams"), "{}", fix);
        // Install-Module on a stock 5.1: TLS 1.2 and NuGet first.
        let x = get(&f, "connector.installed");
        let fix = x.fix.as_deref().unwrap();
        let tls = fix.find("Tls12").expect("no TLS 1.2");
        let nuget = fix
            .find("Install-PackageProvider -Name NuGet")
            .expect("no NuGet");
        let install = fix.find("Install-Module").unwrap();
        assert!(tls < install && nuget < install, "{}", fix);
    }
}

// ------------------------------------------------ every text, every language

fn k(id: &str, v: serde_json::Value) -> Fact {
    Fact::known(id, v, "test")
}

fn without(mut facts: Vec<Fact>, id: &str) -> Vec<Fact> {
    facts.retain(|f| f.id != id);
    facts
}

/// Fact sets that together take every branch of every check.
fn every_branch() -> Vec<Vec<Fact>> {
    let w = |extra: Vec<Fact>| windows_facts(extra);
    let linux = |extra: Vec<Fact>| {
        let mut f = vec![k("os", json!("linux"))];
        f.extend(extra);
        f
    };
    let policy = |v: serde_json::Value| k("windows_powershell.execution_policy", v);
    let svc = |state: &str, start: &str| {
        k(
            "service.msoidsvc",
            json!({"installed": true, "state": state, "start_type": start}),
        )
    };
    let conn = k(
        "modules.installed",
        json!([{"name": "SkypeOnlineConnector", "version": "7.0.0.0"}]),
    );
    let net = |host: &str, dns: &str, tcp: &str| {
        k(
            "network.x",
            json!({"host": host, "port": 443, "dns": dns, "addresses": [], "tcp": tcp, "elapsed_ms": 5}),
        )
    };
    let env_proxy = k(
        "proxy.environment",
        json!({"https": {"variable": "HTTPS_PROXY", "proxy": "http://p:1"}, "http": null, "all": null, "no_proxy": null}),
    );
    let env_bypass = k(
        "proxy.environment",
        json!({"https": {"variable": "HTTPS_PROXY", "proxy": "http://p:1"}, "http": null, "all": null,
               "no_proxy": {"variable": "NO_PROXY", "entries": ["login.microsoftonline.com", "*"]}}),
    );
    let session = |age: serde_json::Value, state: &str| json!({"name": "s", "computer_name": "admin1a.online.lync.com", "state": state, "age_minutes": age});
    let sessions = |list: serde_json::Value| k("host.sessions", list);
    let mut out = vec![
        w(vec![]),
        linux(vec![]),
        linux(vec![k("host.wsman_client", json!(true)), env_proxy.clone()]),
        linux(vec![
            k("host.wsman_client", json!(false)),
            env_bypass.clone(),
        ]),
        linux(vec![k(
            "pwsh.wsman_client",
            json!({"pshome": "/opt/microsoft/powershell/7", "libmi": true, "libpsrpclient": true}),
        )]),
        linux(vec![k(
            "pwsh.wsman_client",
            json!({"pshome": "/opt/microsoft/powershell/7", "libmi": false, "libpsrpclient": true}),
        )]),
        w(vec![env_bypass, sessions(json!([]))]),
        w(vec![
            env_proxy.clone(),
            net("login.microsoftonline.com", "ok", "timeout"),
        ]),
        // Execution policy.
        w(vec![Fact::unknown(
            "windows_powershell.execution_policy",
            "t",
            "denied",
        )]),
        w(vec![policy(json!({"MachinePolicy": "AllSigned"}))]),
        w(vec![policy(json!({"Process": "Restricted"}))]),
        w(vec![policy(json!({"LocalMachine": "Restricted"}))]),
        w(vec![k(
            "powershell7.execution_policy",
            json!({"installed": true, "MachinePolicy": "AllSigned",
                   "origin": {"MachinePolicy": {"kind": "config_file", "place": "C:\\p.json"}}}),
        )]),
        w(vec![k(
            "powershell7.execution_policy",
            json!({"installed": true, "LocalMachine": "AllSigned"}),
        )]),
        // PowerShell version.
        w(vec![k(
            "windows_powershell.engine_version",
            serde_json::Value::Null,
        )]),
        without(w(vec![]), "windows_powershell.engine_version"),
        w(vec![k("host.version", json!("x"))]),
        w(vec![k("host.version", json!("2.0"))]),
        // WinRM.
        w(vec![Fact::unknown(
            "winrm.client.auth_basic",
            "t",
            "denied",
        )]),
        w(vec![k("winrm.client.allow_basic_policy", json!(0))]),
        w(vec![k("winrm.client.allow_basic_policy", json!(1))]),
        w(vec![k("winrm.client.auth_basic", json!(0))]),
        w(vec![k("winrm.client.auth_basic", json!(1))]),
        // WinRM client: TrustedHosts, mechanisms, CredSSP, the error's host.
        w(vec![Fact::unknown(
            "winrm.client.trusted_hosts",
            "t",
            "denied",
        )]),
        w(vec![trusted_hosts_fact("srv02", "local")]),
        w(vec![
            trusted_hosts_fact("*.contoso.com", "local"),
            target_fact("srv01.contoso.com", "http", "ok", "reachable"),
        ]),
        w(vec![target_fact(
            "srv01.contoso.com",
            "http",
            "failed",
            "not_tried",
        )]),
        w(vec![
            trusted_hosts_fact("srv02", "policy"),
            target_fact("10.0.0.5", "http", "ok", "refused"),
        ]),
        w(vec![target_fact("10.0.0.5", "http", "ok", "timeout")]),
        w(vec![target_fact("10.0.0.5", "http", "ok", "unreachable")]),
        w(vec![Fact::unknown("winrm.target", "t", "failed")]),
        w(vec![{
            let mut f = Fact::not_applicable("winrm.target", "t", "not contacted");
            f.value = json!({"host": "srv01", "port": 5985, "transport": "http"});
            f
        }]),
        w(vec![Fact::unknown("winrm.client.auth", "t", "denied")]),
        // TLS 1.2 for .NET Framework.
        w(vec![Fact::unknown("dotnet.tls12", "t", "denied")]),
        w(vec![k(
            "dotnet.tls12",
            json!({"64-bit": {"tls12": false}, "32-bit": {"tls12": false}}),
        )]),
        w(vec![k(
            "dotnet.tls12",
            json!({"64-bit": {"tls12": true, "SchUseStrongCrypto": 1}, "32-bit": {"tls12": false}}),
        )]),
        w(vec![winrm_auth_fact(&[("negotiate", None, Some(0))])]),
        w(vec![winrm_auth_fact(&[("kerberos", Some(0), None)])]),
        w(vec![winrm_auth_fact(&[(
            "allow_unencrypted",
            None,
            Some(1),
        )])]),
        w(vec![winrm_auth_fact(&[(
            "allow_unencrypted",
            Some(1),
            None,
        )])]),
        w(vec![winrm_auth_fact(&[("credssp", Some(0), None)])]),
        w(vec![winrm_auth_fact(&[("credssp", None, Some(1))])]),
        w(vec![
            winrm_auth_fact(&[("credssp", None, Some(1))]),
            credssp_delegation_fact(Some(1), &["WSMAN/*.contoso.com"]),
            target_fact("srv01.fabrikam.com", "http", "ok", "reachable"),
        ]),
        w(vec![
            winrm_auth_fact(&[("credssp", None, Some(1))]),
            credssp_delegation_fact(Some(1), &["WSMAN/*"]),
        ]),
        // Sign-in assistant.
        w(vec![Fact::unknown("service.msoidsvc", "t", "denied")]),
        w(vec![k("service.msoidsvc", json!({"installed": false}))]),
        w(vec![
            k("service.msoidsvc", json!({"installed": false})),
            conn.clone(),
        ]),
        without(
            w(vec![k("service.msoidsvc", json!({"installed": false}))]),
            "modules.installed",
        ),
        w(vec![Fact::unknown(
            "sign_in_assistant.version",
            "t",
            "denied",
        )]),
        w(vec![k(
            "sign_in_assistant.version",
            serde_json::Value::Null,
        )]),
        w(vec![k("sign_in_assistant.version", json!("abc"))]),
        w(vec![
            Fact::known(
                "sign_in_assistant.version",
                json!("7.0.1"),
                "x (32-bit view: y)",
            ),
            conn.clone(),
        ]),
        w(vec![svc("start_pending", "auto")]),
        w(vec![svc("stopped", "disabled"), conn.clone()]),
        // Network.
        w(vec![Fact::unknown("network.x", "t", "bad")]),
        w(vec![net("login.microsoftonline.com", "ok", "reachable")]),
        w(vec![net(
            "login.microsoftonline.com",
            "failed",
            "not_tried",
        )]),
        w(vec![net("webdir.online.lync.com", "ok", "refused")]),
        w(vec![net("webdir.online.lync.com", "ok", "unreachable")]),
        // Proxies.
        w(vec![Fact::unknown("proxy.environment", "t", "not a URL")]),
        w(vec![k(
            "proxy.environment",
            json!({"https": null, "http": null, "all": null, "no_proxy": null}),
        )]),
        without(w(vec![]), "proxy.ie"),
        w(vec![k(
            "proxy.ie",
            json!({"enabled": true, "server": "p:1", "auto_config_url": "http://w/x.pac"}),
        )]),
        w(vec![k(
            "proxy.ie",
            json!({"enabled": false, "auto_config_url": "http://w/x.pac"}),
        )]),
        // Sessions and modules.
        w(vec![sessions(json!([
            session(json!(5.0), "Opened"),
            session(json!(5.0), "Opened"),
            session(json!(5.0), "Opened")
        ]))]),
        w(vec![sessions(json!([session(json!(75.0), "Opened")]))]),
        w(vec![sessions(json!([session(json!(55.0), "Opened")]))]),
        w(vec![sessions(json!([session(
            serde_json::Value::Null,
            "Opened"
        )]))]),
        without(w(vec![]), "modules.installed"),
        w(vec![conn]),
        // The successors' host facts (modules.rs, tls_dotnet.rs).
        w(vec![
            k("host.edition", json!("Desktop")),
            k(
                "host.modules",
                json!([
                    {"name": "MicrosoftTeams", "version": "5.0.0", "path": "a", "loaded": true},
                    {"name": "MicrosoftTeams", "version": "6.0.0", "path": "b", "loaded": false},
                    {"name": "AzureAD", "version": "2.0.2", "path": "c", "loaded": true},
                    {"name": "AzureAD", "version": "2.0.1", "path": "d", "loaded": true},
                    {"name": "PowerShellGet", "version": "1.0.0.1", "path": "e", "loaded": false},
                ]),
            ),
            k("host.nuget_provider", serde_json::Value::Null),
            k(
                "host.assemblies",
                json!([
                    {"name": "Microsoft.Identity.Client", "version": "4.61.3.0"},
                    {"name": "Microsoft.Identity.Client", "version": "4.65.0.0"},
                ]),
            ),
            k("host.security_protocol", json!("Ssl3, Tls")),
        ]),
        w(vec![
            k("host.edition", json!("Desktop")),
            k(
                "host.modules",
                json!([
                    {"name": "MicrosoftTeams", "version": "6.0.0", "path": "b", "loaded": true},
                    {"name": "PowerShellGet", "version": "2.2.5", "path": "e", "loaded": false},
                ]),
            ),
            k(
                "host.assemblies",
                json!([{"name": "Microsoft.Identity.Client", "version": "4.65.0.0"}]),
            ),
            k(
                "host.nuget_provider",
                json!({"version": "2.8.5.208", "path": "p"}),
            ),
        ]),
        w(vec![
            k("host.edition", json!("Desktop")),
            k("host.modules", json!([])),
            k("host.assemblies", json!([])),
        ]),
        w(vec![
            k("host.edition", json!("Core")),
            k("host.modules", json!([])),
        ]),
    ];
    // Every state the service control manager reports.
    for state in [
        "stopped",
        "stop_pending",
        "continue_pending",
        "pause_pending",
        "paused",
        "weird",
    ] {
        out.push(w(vec![svc(state, "manual")]));
    }
    out
}

#[test]
fn every_text_is_written_in_every_language() {
    // Each output language renders every branch: a placeholder without a
    // value or a value without its placeholder fails (debug assertions of
    // catalog::texts::render), and every finding text of the files must be
    // written by some branch (no dead text, no branch without its text).
    let c = catalog::get().unwrap();
    let errors: [&[&str]; 6] = [
        &[],
        &["shells_per_user"],
        &["liveid_connect_failed"],
        &["execution_policy"],
        &[
            "trustedhosts_required",
            "winrm_auth_unsupported",
            "credssp_not_configured",
            "winrm_cannot_connect",
        ],
        &["assembly_load_conflict", "tls12_disabled"],
    ];
    catalog::USED_KEYS.with(|u| u.borrow_mut().clear());
    for facts in every_branch() {
        for lang in &c.output_languages {
            let f = evaluate(&facts, lang);
            assert!(f.iter().all(|x| !x.summary.is_empty()));
            for m in errors {
                let ids: Vec<String> = m.iter().map(|x| x.to_string()).collect();
                crate::diagnose::order_findings(f.clone(), &ids, &facts, lang);
            }
        }
    }
    let used = catalog::USED_KEYS.with(|u| u.borrow().clone());
    let unused: Vec<&String> = c
        .texts_of("en")
        .unwrap()
        .texts
        .keys()
        .filter(|k| k.starts_with("findings.") && !used.contains(*k))
        .collect();
    assert!(unused.is_empty(), "texts no rule writes: {:?}", unused);
}
