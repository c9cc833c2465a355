//! csod_diagnose through the C ABI: host facts driving each rule, the order of
//! the findings after an error, and what a WinRM error's host adds (helpers:
//! tests/common/diagnose.rs).

mod common;
use common::finding;

#[path = "common/diagnose.rs"]
mod diagnose;
use diagnose::*;
use serde_json::{json, Value};
use std::net::TcpListener;

fn windows_desktop(policy: Value) -> Value {
    with_host(
        json!({"os": "Windows", "edition": "Desktop", "version": "5.1.19041.4648", "execution_policy": policy}),
    )
}

#[test]
fn execution_policy_rules() {
    let doc = diagnose(windows_desktop(json!({"LocalMachine": "Restricted"})));
    let f = finding(&doc, "execution_policy.windows_powershell");
    assert_eq!(f["status"], "problem");
    assert_eq!(f["problem"], "execution_policy");
    assert!(f["fix"].as_str().unwrap().contains("RemoteSigned"));
    let doc = diagnose(windows_desktop(json!({"LocalMachine": "RemoteSigned"})));
    assert_eq!(status(&doc, "execution_policy.windows_powershell"), "ok");
    // CurrentUser beats LocalMachine.
    let doc = diagnose(windows_desktop(
        json!({"CurrentUser": "RemoteSigned", "LocalMachine": "Restricted"}),
    ));
    assert_eq!(status(&doc, "execution_policy.windows_powershell"), "ok");
    // Group Policy beats both, and no local fix is offered.
    let doc = diagnose(windows_desktop(
        json!({"MachinePolicy": "AllSigned", "UserPolicy": "Undefined", "Process": "Undefined", "CurrentUser": "RemoteSigned", "LocalMachine": "RemoteSigned"}),
    ));
    let f = finding(&doc, "execution_policy.windows_powershell");
    assert_eq!(f["status"], "problem");
    assert!(f["evidence"].to_string().contains("MachinePolicy"), "{}", f);
    assert!(f["fix"].is_null());
    assert!(f["resolution"][0]
        .as_str()
        .unwrap()
        .contains("Group Policy"));
    // Every scope Undefined: Restricted.
    let doc = diagnose(windows_desktop(json!({"Process": "Undefined"})));
    assert_eq!(
        status(&doc, "execution_policy.windows_powershell"),
        "problem"
    );
    // The host's effective policy is the authority.
    let mut r = windows_desktop(json!({"LocalMachine": "Restricted"}));
    r["host"]["effective_execution_policy"] = json!("Bypass");
    assert_eq!(
        status(&diagnose(r), "execution_policy.windows_powershell"),
        "ok"
    );
    // A Core host's list describes PowerShell 7.
    let mut r = windows_desktop(json!({"LocalMachine": "AllSigned"}));
    r["host"]["edition"] = json!("Core");
    r["host"]["version"] = json!("7.4.6");
    let doc = diagnose(r);
    assert_eq!(status(&doc, "execution_policy.powershell7"), "problem");
}

#[test]
fn powershell_version_rules() {
    let doc = diagnose(with_host(json!({"version": "2.0"})));
    let f = finding(&doc, "powershell.version");
    assert_eq!(
        (f["status"].as_str(), f["problem"].as_str()),
        (Some("problem"), Some("powershell_version"))
    );
    assert_eq!(
        status(
            &diagnose(with_host(json!({"version": "5.1.1"}))),
            "powershell.version"
        ),
        "ok"
    );
    assert_eq!(
        status(
            &diagnose(with_host(json!({"version": "7.4.6"}))),
            "powershell.version"
        ),
        "ok"
    );
}

fn sessions(list: Value) -> Value {
    with_host(json!({"os": "Windows", "sessions": list}))
}

#[test]
fn session_rules() {
    let s = |n: &str, age: Value| json!({"name": n, "computer_name": "admin1a.online.lync.com", "state": "Opened", "availability": "Available", "age_minutes": age});
    let doc = diagnose(sessions(json!([
        s("S1", json!(5)),
        s("S2", json!(10)),
        s("S3", Value::Null)
    ])));
    let f = finding(&doc, "sessions.count");
    assert_eq!(
        (f["status"].as_str(), f["problem"].as_str()),
        (Some("problem"), Some("shells_per_user"))
    );
    assert_eq!(f["evidence"].as_array().unwrap().len(), 3);
    assert_eq!(status(&doc, "sessions.age"), "ok");
    let doc = diagnose(sessions(
        json!([s("S1", json!(61.5)), {"name": "other", "computer_name": "server.contoso.com", "state": "Opened"}]),
    ));
    assert_eq!(status(&doc, "sessions.count"), "ok");
    let f = finding(&doc, "sessions.age");
    assert_eq!(
        (f["status"].as_str(), f["problem"].as_str()),
        (Some("problem"), Some("session_expired"))
    );
    assert_eq!(
        status(
            &diagnose(sessions(json!([s("S1", json!(60))]))),
            "sessions.age"
        ),
        "problem"
    );
    assert_eq!(
        status(
            &diagnose(sessions(json!([s("S1", json!(55))]))),
            "sessions.age"
        ),
        "warning"
    );
    assert_eq!(
        status(
            &diagnose(sessions(json!([s("S1", Value::Null)]))),
            "sessions.age"
        ),
        "unknown"
    );
    assert_eq!(
        status(&diagnose(sessions(json!([]))), "sessions.age"),
        "not_applicable"
    );
    assert_eq!(
        status(&diagnose(with_host(json!({}))), "sessions.count"),
        "unknown"
    );
}

#[test]
fn connector_rules() {
    let doc = diagnose(with_host(
        json!({"modules": [{"name": "SkypeOnlineConnector", "version": "7.0.0.0", "path": "C:\\Program Files\\Common Files\\Skype for Business Online\\Modules\\SkypeOnlineConnector", "loaded": true}]}),
    ));
    let f = finding(&doc, "connector.installed");
    assert_eq!(
        (f["status"].as_str(), f["problem"].as_str()),
        (Some("problem"), Some("connector_retired"))
    );
    assert!(f["evidence"][0]
        .as_str()
        .unwrap()
        .contains("7.0.0.0 (loaded)"));
    let doc = diagnose(with_host(
        json!({"modules": [{"name": "MicrosoftTeams", "version": "6.6.0"}]}),
    ));
    assert_eq!(status(&doc, "connector.installed"), "ok");
}

#[test]
fn wsman_client_rule_outside_windows() {
    let doc = diagnose(with_host(
        json!({"os": "Linux", "edition": "Core", "version": "7.4.6", "wsman_client": false}),
    ));
    assert_eq!(status(&doc, "wsman.client"), "warning");
    assert_eq!(status(&doc, "winrm.basic_auth"), "not_applicable");
    assert_eq!(
        status(&doc, "execution_policy.windows_powershell"),
        "not_applicable"
    );
    let doc = diagnose(with_host(json!({"os": "Linux", "wsman_client": true})));
    assert_eq!(status(&doc, "wsman.client"), "ok");
}

#[test]
fn error_matches_order_the_findings() {
    let s = |n: &str| json!({"name": n, "computer_name": "admin1a.online.lync.com", "state": "Opened", "age_minutes": 3});
    let mut r = sessions(json!([s("S1"), s("S2")]));
    r["error"] = json!({"message": "Connecting to remote server admin1a.online.lync.com failed with the following error message : The WS-Management service cannot process the request. The maximum number of concurrent shells for this user has been exceeded. Close existing shells or raise the quota for this user.", "fully_qualified_error_id": "-2144108123,PSSessionOpenFailed"});
    let doc = diagnose(r);
    assert_eq!(doc["matches"][0]["id"], "shells_per_user");
    let first = &doc["findings"][0];
    assert_eq!(first["id"], "sessions.count", "{:#}", doc["findings"]);
    assert_eq!(first["status"], "problem");
    assert!(first["summary"]
        .as_str()
        .unwrap()
        .contains("remove them first"));
    assert!(first["fix"].as_str().unwrap().contains("Remove-PSSession"));
    assert_eq!(first["explains"][0], "shells_per_user");
    // Without an error there are no matches.
    let doc = diagnose(sessions(json!([s("S1"), s("S2")])));
    assert!(doc.get("matches").is_none());
    assert_eq!(status(&doc, "sessions.count"), "ok");
}

#[test]
fn facts_say_why_windows_probes_do_not_apply_here() {
    let doc = diagnose(with_host(json!({})));
    let facts = doc["facts"].as_array().unwrap();
    let f = facts
        .iter()
        .find(|f| f["id"] == "service.msoidsvc")
        .unwrap();
    assert_eq!(f["state"], "not_applicable");
    assert!(f["reason"].as_str().unwrap().contains("Windows only"));
    assert_eq!(
        status(&doc, "sign_in_assistant.installed"),
        "not_applicable"
    );
    // Every finding has the documented shape.
    for f in doc["findings"].as_array().unwrap() {
        for k in [
            "id",
            "problem",
            "status",
            "summary",
            "evidence",
            "resolution",
            "fix",
        ] {
            assert!(f.get(k).is_some(), "{} lacks {}", f, k);
        }
    }
}

#[test]
fn execution_policy_is_not_applicable_outside_windows_and_desktop_by_default() {
    // A list without edition or version describes Windows PowerShell.
    let doc = diagnose(with_host(
        json!({"os": "Windows", "execution_policy": {"LocalMachine": "AllSigned"}}),
    ));
    assert_eq!(
        status(&doc, "execution_policy.windows_powershell"),
        "problem"
    );
    // On Linux, policies are not enforced whatever the list says.
    let doc = diagnose(with_host(
        json!({"os": "Linux", "edition": "Core", "version": "7.4.6",
        "execution_policy": {"LocalMachine": "Restricted"}}),
    ));
    assert_eq!(
        status(&doc, "execution_policy.powershell7"),
        "not_applicable"
    );
}

/// After a WinRM client failure naming a host, the report tries a TCP
/// handshake to that host's WinRM port (the port of a URI of the error
/// naming it) and nothing else new; after a connector error naming a
/// service host, no handshake is added.
#[test]
fn the_host_of_a_winrm_error_is_tried_on_its_port() {
    let closed = closed_port();
    let request = |error_host: bool| {
        json!({
            "timeout_ms": 1000,
            "endpoints": [],
            "error_host": error_host,
            "error": {
                "message": format!("New-PSSession : [127.0.0.1] Connecting to remote server 127.0.0.1 failed with the following error message : The client cannot connect to the destination specified in the request. Verify that the service on the destination is running and is accepting requests. Consult the logs and documentation for the WS-Management service running on the destination, most commonly IIS or WinRM. If the destination is the WinRM service, run the following command on the destination to analyze and configure the WinRM service: \"winrm quickconfig\". (http://127.0.0.1:{}/wsman)", closed),
                "fully_qualified_error_id": "CannotConnect,PSSessionOpenFailed"
            }
        })
    };
    let doc = diagnose(request(true));
    assert_eq!(
        doc["matches"][0]["id"], "winrm_cannot_connect",
        "{}",
        doc["matches"]
    );
    let fact = common::fact(&doc, "winrm.target");
    assert_eq!(fact["value"]["port"], closed);
    assert_eq!(fact["value"]["tcp"], "refused");
    assert!(
        fact["source"]
            .as_str()
            .unwrap()
            .contains("the host named in the error"),
        "{}",
        fact
    );
    let first = &doc["findings"][0];
    assert_eq!(first["id"], "winrm.target", "{}", doc["findings"]);
    assert_eq!(first["status"], "problem");
    assert_eq!(first["explains"], json!(["winrm_cannot_connect"]));
    assert_eq!(
        first["fix"],
        format!("Test-NetConnection 127.0.0.1 -Port {}", closed)
    );
    // Outside Windows the client configuration checks do not apply.
    for id in ["winrm.trusted_hosts", "winrm.auth", "winrm.credssp"] {
        assert_eq!(status(&doc, id), "not_applicable", "{}", id);
    }
    // A request that lists its endpoints has them contacted alone: the
    // host is named, not contacted (unless error_host says so).
    let doc = diagnose(request(false));
    let fact = common::fact(&doc, "winrm.target");
    assert_eq!(fact["state"], "not_applicable");
    assert_eq!(fact["value"]["host"], "127.0.0.1");
    assert!(fact["value"].get("tcp").is_none(), "{}", fact);
    assert_eq!(status(&doc, "winrm.target"), "not_applicable");

    let open = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = open.local_addr().unwrap().port();
    let doc = diagnose(json!({
        "timeout_ms": 1000,
        "endpoints": [],
        "error_host": true,
        "error": {"message": format!("[127.0.0.1] Connecting to remote server 127.0.0.1 failed with the following error message : The WinRM client cannot process the request. If the authentication scheme is different from Kerberos, or if the client computer is not joined to a domain, then HTTPS transport must be used or the destination machine must be added to the TrustedHosts configuration setting. Use winrm.cmd to configure TrustedHosts. (http://127.0.0.1:{}/wsman)", port)}
    }));
    assert_eq!(
        doc["matches"][0]["id"], "trustedhosts_required",
        "{}",
        doc["matches"]
    );
    assert_eq!(status(&doc, "winrm.target"), "ok");

    // A connector error naming the service's host: no new host contacted.
    let doc = diagnose(json!({
        "timeout_ms": 1000,
        "endpoints": [],
        "error_host": true,
        "error": {"message": "New-PSSession : [admin1a.online.lync.com] Connecting to remote server admin1a.online.lync.com failed with the following error message : The WS-Management service cannot process the request. The maximum number of concurrent shells for this user has been exceeded. Close existing shells or raise the quota for this user."}
    }));
    assert_eq!(doc["matches"][0]["id"], "shells_per_user");
    assert!(
        doc["facts"].as_array().unwrap().iter().all(
            |f| f["id"] != "winrm.target" && !f["id"].as_str().unwrap().starts_with("network.")
        ),
        "{}",
        doc["facts"]
    );
}
