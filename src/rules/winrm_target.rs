//! `winrm.target`: whether the host a WinRM client failure names answers a
//! TCP handshake on its WinRM port (the one host contacted that the request
//! does not list: the admin was already connecting to it;
//! docs/facts.md#the-host-of-an-error).

use super::*;
use crate::probe::{Fact, State};

pub(super) fn winrm_target(fact: &Fact, cx: Ctx) -> Finding {
    let id = "winrm.target";
    let v = &fact.value;
    let host = v.get("host").and_then(|x| x.as_str()).unwrap_or("?");
    let port = v.get("port").and_then(|x| x.as_u64()).unwrap_or(0);
    let mut evidence = vec![format!(
        "host named in the error: {}:{} ({})",
        host,
        port,
        v.get("port_from").and_then(|x| x.as_str()).unwrap_or("?")
    )];
    if fact.state == State::NotApplicable {
        return cx
            .finding(
                id,
                Status::NotApplicable,
                t!(cx, "winrm_target.not_contacted", host, port),
            )
            .with_evidence(evidence);
    }
    if fact.state != State::Known {
        evidence.push(fact.reason.clone().unwrap_or_default());
        return cx
            .finding(
                id,
                Status::Unknown,
                t!(cx, "winrm_target.unchecked", host, port),
            )
            .with_evidence(evidence);
    }
    let dns = v.get("dns").and_then(|x| x.as_str()).unwrap_or("?");
    let tcp = v.get("tcp").and_then(|x| x.as_str()).unwrap_or("?");
    evidence.extend(super::network::handshake_evidence(v));
    if tcp == "reachable" {
        return cx
            .finding(id, Status::Ok, t!(cx, "winrm_target.reachable", host, port))
            .with_evidence(evidence);
    }
    let summary = if dns != "ok" {
        t!(cx, "winrm_target.no_dns", host, dns)
    } else {
        let what = match tcp {
            "refused" => t!(cx, "network.refused"),
            "timeout" => t!(cx, "network.timeout"),
            _ => t!(cx, "network.unreachable"),
        };
        t!(cx, "winrm_target.not_reachable", host, port, what)
    };
    cx.finding(id, Status::Problem, summary)
        .with_evidence(evidence)
        .with_catalog_resolution(cx, vec![t!(cx, "winrm_target.check_step", host, port)])
        .with_fix(Some(format!("Test-NetConnection {} -Port {}", host, port)))
}

/// After a WinRM error that the target's answer explains (facts.json
/// `explains`): refused or silent for "cannot connect", a name that does
/// not resolve for "name not resolved".
pub(super) fn explain(f: &mut Finding, problem: &str, facts: &[Fact]) -> bool {
    if f.status != Status::Problem {
        return false;
    }
    let dns_ok = facts
        .iter()
        .find(|x| x.id == "winrm.target")
        .and_then(|x| x.value.get("dns"))
        .and_then(|x| x.as_str())
        == Some("ok");
    match problem {
        "winrm_cannot_connect" => dns_ok,
        "winrm_name_not_resolved" => !dns_ok,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;
    use serde_json::json;

    fn target(dns: &str, tcp: &str) -> Fact {
        Fact::known(
            "winrm.target",
            json!({"host": "srv01.contoso.com", "port": 5985, "transport": "http",
                   "port_from": "WinRM's HTTP port (no URI in the error)",
                   "dns": dns, "addresses": [], "tcp": tcp, "elapsed_ms": 3}),
            "test",
        )
    }

    #[test]
    fn the_target_answer_explains_the_connection_errors() {
        let get = |fact: Fact, error: &str| {
            let facts = windows_facts(vec![fact]);
            with_error(&facts, &[error], "en")
        };
        let f = get(target("ok", "refused"), "winrm_cannot_connect");
        assert_eq!(f[0].id, "winrm.target");
        assert_eq!(f[0].status, Status::Problem);
        assert_eq!(f[0].explains, vec!["winrm_cannot_connect".to_string()]);
        assert!(
            f[0].summary.contains("srv01.contoso.com:5985"),
            "{}",
            f[0].summary
        );
        assert_eq!(
            f[0].fix.as_deref(),
            Some("Test-NetConnection srv01.contoso.com -Port 5985")
        );
        let f = get(target("failed", "not_tried"), "winrm_name_not_resolved");
        assert_eq!(f[0].id, "winrm.target");
        let f = get(target("ok", "timeout"), "winrm_unreachable");
        assert_eq!(f[0].id, "winrm.target");
        // Reachable: explains nothing, whatever the error.
        let f = get(target("ok", "reachable"), "winrm_cannot_connect");
        let x = get_finding(&f, "winrm.target");
        assert_eq!(x.status, Status::Ok);
        assert!(x.explains.is_empty());
        // A resolving name does not explain "name not resolved".
        let f = get(target("ok", "refused"), "winrm_name_not_resolved");
        assert!(get_finding(&f, "winrm.target").explains.is_empty());
        // No target fact: no finding.
        let f = evaluate(&windows_facts(vec![]), "en");
        assert!(f.iter().all(|x| x.id != "winrm.target"));
    }

    fn get_finding<'a>(f: &'a [Finding], id: &str) -> &'a Finding {
        f.iter().find(|x| x.id == id).unwrap()
    }
}
