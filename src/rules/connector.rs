//! `connector.installed`: the retired SkypeOnlineConnector /
//! LyncOnlineConnector modules, present or loaded.

use serde_json::Value;

use super::*;

/// The retired connector modules (FACTS §5).
pub const RETIRED_MODULES: &[&str] = &["SkypeOnlineConnector", "LyncOnlineConnector"];

pub(super) fn connector_installed(f: &Facts, lang: &str) -> Finding {
    let id = "connector.installed";
    let problem = Some("connector_retired");
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
        return finding(
            id,
            problem,
            Status::Unknown,
            t!(
                lang,
                "The installed modules are unknown (hand in host.modules).",
                "Les modules installés sont inconnus (transmettez host.modules)."
            ),
        )
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
    let is = |m: &Value, names: &[&str]| {
        m.get("name")
            .and_then(|x| x.as_str())
            .map(|n| names.iter().any(|r| r.eq_ignore_ascii_case(n)))
            .unwrap_or(false)
    };
    let retired: Vec<String> = modules
        .iter()
        .filter(|(_, m)| is(m, RETIRED_MODULES))
        .map(|(s, m)| describe(s, m))
        .collect();
    let teams: Vec<String> = modules
        .iter()
        .filter(|(_, m)| is(m, &["MicrosoftTeams"]))
        .map(|(s, m)| describe(s, m))
        .collect();
    if retired.is_empty() {
        return finding(
            id,
            problem,
            Status::Ok,
            t!(
                lang,
                "No retired connector module is installed.",
                "Aucun module de connecteur retiré n'est installé."
            ),
        )
        .with_evidence(teams);
    }
    let mut evidence = retired;
    evidence.extend(teams);
    finding(
        id,
        problem,
        Status::Problem,
        t!(
            lang,
            "A retired Skype for Business Online connector module is present: the service rejects its connections since 17 May 2021.",
            "Un module de connecteur Skype Entreprise Online retiré est présent : le service refuse ses connexions depuis le 17 mai 2021."
        ),
    )
    .with_evidence(evidence)
    .with_catalog_resolution(lang, Vec::new())
}
