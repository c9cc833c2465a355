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
