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
        trusted_hosts_fact("", "none"),
        winrm_auth_fact(&[]),
        credssp_delegation_fact(None, &[]),
        Fact::known(
            "dotnet.tls12",
            json!({"64-bit": {"SchUseStrongCrypto": 1, "SystemDefaultTlsVersions": null, "tls12": true},
                   "32-bit": {"SchUseStrongCrypto": 1, "SystemDefaultTlsVersions": null, "tls12": true}}),
            "test",
        ),
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

/// `winrm.client.trusted_hosts` holding `list`, from `policy`, `local` or
/// `none`.
pub(crate) fn trusted_hosts_fact(list: &str, from: &str) -> Fact {
    let entries = crate::probe::windows::entries(list);
    let enabled = if from == "policy" {
        json!(1)
    } else {
        Value::Null
    };
    Fact::known(
        "winrm.client.trusted_hosts",
        json!({"policy": {"enabled": enabled, "list": if from == "policy" { json!(list) } else { Value::Null }},
               "local": if from == "local" { json!(list) } else { Value::Null },
               "list": list, "entries": entries, "from": from}),
        "test",
    )
}

/// `winrm.client.auth` with these (setting, policy, local) values, the
/// others at the client's defaults, judged as the probe judges them.
pub(crate) fn winrm_auth_fact(values: &[(&str, Option<u32>, Option<u32>)]) -> Fact {
    let mut v = serde_json::Map::new();
    for (key, _, _, default) in crate::probe::windows::WINRM_SETTINGS {
        let (p, l) = values
            .iter()
            .find(|(n, ..)| n == key)
            .map(|(_, p, l)| (*p, *l))
            .unwrap_or((None, None));
        let (on, from) = crate::probe::windows::effective(p, l, *default);
        v.insert(
            (*key).into(),
            json!({"policy": p, "local": l, "enabled": on, "from": from}),
        );
    }
    Fact::known("winrm.client.auth", Value::Object(v), "test")
}

/// `credssp.delegation` with AllowFreshCredentials `policy` and its servers.
pub(crate) fn credssp_delegation_fact(policy: Option<u32>, servers: &[&str]) -> Fact {
    Fact::known(
        "credssp.delegation",
        json!({"allow_fresh": {"policy": policy, "servers": servers},
               "allow_fresh_ntlm_only": {"policy": null, "servers": []}}),
        "test",
    )
}

/// `winrm.target`: the host an error names and what the probe found.
pub(crate) fn target_fact(host: &str, transport: &str, dns: &str, tcp: &str) -> Fact {
    Fact::known(
        "winrm.target",
        json!({"host": host, "port": if transport == "https" { 5986 } else { 5985 },
               "transport": transport, "port_from": "test",
               "dns": dns, "addresses": [], "tcp": tcp, "elapsed_ms": 3}),
        "test",
    )
}
