//! Helpers of the rules' tests: the facts a Windows probe would give.

use super::*;
use crate::probe::Fact;
use serde_json::{json, Value};

/// The facts a Windows probe would give, handed to the rules here: the
/// same facts give the same findings on every OS.
pub(crate) fn windows_facts(extra: Vec<Fact>) -> Vec<Fact> {
    let mut f = vec![
        Fact::known("os", json!("windows"), "test"),
        Fact::known(
            "windows_powershell.execution_policy",
            json!({"MachinePolicy":"Undefined","UserPolicy":"Undefined","Process":"Undefined","CurrentUser":"Undefined","LocalMachine":"RemoteSigned","installation_type":"Client"}),
            "test",
        ),
        Fact::known(
            "powershell7.execution_policy",
            json!({"installed": false}),
            "test",
        ),
        Fact::known(
            "windows_powershell.engine_version",
            json!("5.1.19041.1"),
            "test",
        ),
        Fact::known("winrm.client.allow_basic_policy", Value::Null, "test"),
        Fact::known("winrm.client.auth_basic", Value::Null, "test"),
        Fact::known("sign_in_assistant.version", json!("7.250.4303.0"), "test"),
        Fact::known(
            "service.msoidsvc",
            json!({"installed": true, "state": "running", "start_type": "auto"}),
            "test",
        ),
        Fact::known(
            "proxy.winhttp",
            json!({"access": "direct", "proxy": null}),
            "test",
        ),
        Fact::known("proxy.ie", json!({"enabled": false}), "test"),
        Fact::known("modules.installed", json!([]), "test"),
    ];
    for e in extra {
        f.retain(|x| x.id != e.id);
        f.push(e);
    }
    f
}

pub(crate) fn status_of(findings: &[Finding], id: &str) -> Status {
    findings.iter().find(|f| f.id == id).unwrap().status
}

pub(crate) fn get<'a>(findings: &'a [Finding], id: &str) -> &'a Finding {
    findings
        .iter()
        .find(|f| f.id == id)
        .unwrap_or_else(|| panic!("no finding {}", id))
}

pub(crate) fn winps_policy(scopes: Value) -> Fact {
    Fact::known("windows_powershell.execution_policy", scopes, "test")
}

pub(crate) fn with_error(facts: &[Fact], matches: &[&str], lang: &str) -> Vec<Finding> {
    let ids: Vec<String> = matches.iter().map(|m| m.to_string()).collect();
    crate::diagnose::order_findings(evaluate(facts, lang), &ids, facts, lang)
}
