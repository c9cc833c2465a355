//! `connector.installed`: the retired SkypeOnlineConnector /
//! LyncOnlineConnector modules, present or loaded.

use serde_json::Value;

use super::*;

pub(super) fn connector_installed(f: &Facts, cx: Ctx) -> Finding {
    let id = "connector.installed";
    let mut modules: Vec<(String, &Value)> = Vec::new();
    let mut any_known = false;
    if let Some(list) = f.known("host.modules").and_then(|v| v.as_array()) {
        any_known = true;
        modules.extend(list.iter().map(|m| ("Get-Module (host)".to_string(), m)));
    }
    if let Some(list) = f.known("modules.installed").and_then(|v| v.as_array()) {
        any_known = true;
        modules.extend(list.iter().map(|m| ("module folders".to_string(), m)));
    }
    if !any_known {
        return cx
            .finding(id, Status::Unknown, t!(cx, "connector.unknown"))
            .with_evidence(vec![f.reason("modules.installed")]);
    }
    let describe = |src: &str, m: &Value| {
        let name = m.get("name").and_then(|x| x.as_str()).unwrap_or("?");
        let mut s = name.to_string();
        if let Some(v) = m.get("version").and_then(|x| x.as_str()) {
            s.push_str(&format!(" {}", v));
        }
        if m.get("loaded").and_then(|x| x.as_bool()) == Some(true) {
            s.push_str(" (loaded)");
        }
        if let Some(p) = m.get("path").and_then(|x| x.as_str()) {
            s.push_str(&format!(" at {}", p));
        }
        format!("{}: {}", src, s)
    };
    // The retired modules and their successor (facts.json modules).
    let known = cx.facts();
    fn name(m: &Value) -> &str {
        m.get("name").and_then(|x| x.as_str()).unwrap_or("")
    }
    let retired: Vec<String> = modules
        .iter()
        .filter(|(_, m)| known.is_retired_module(name(m)))
        .map(|(s, m)| describe(s, m))
        .collect();
    let teams: Vec<String> = modules
        .iter()
        .filter(|(_, m)| name(m).eq_ignore_ascii_case(&known.modules.successor))
        .map(|(s, m)| describe(s, m))
        .collect();
    if retired.is_empty() {
        return cx
            .finding(id, Status::Ok, t!(cx, "connector.none"))
            .with_evidence(teams);
    }
    let mut evidence = retired;
    evidence.extend(teams);
    cx.finding(id, Status::Problem, t!(cx, "connector.present"))
        .with_evidence(evidence)
        .with_catalog_resolution(cx, Vec::new())
}
