//! `sign_in_assistant.installed` and `sign_in_assistant.service`: the
//! Microsoft Online Services Sign-In Assistant (msoidsvc), judged against
//! what needs it.

use serde_json::Value;

use super::*;
use crate::probe::{Fact, State};

pub(super) fn windows_only(
    f: &Facts,
    id: &str,
    problem: &str,
    lang: &str,
    fact: &str,
) -> Option<Finding> {
    if !platform_is_windows(f) {
        return Some(
            finding(
                id,
                Some(problem),
                Status::NotApplicable,
                t!(
                    lang,
                    "The sign-in assistant exists on Windows only.",
                    "L'Assistant de connexion n'existe que sous Windows."
                ),
            )
            .with_evidence(vec![format!("os: {}", platform_name(f))]),
        );
    }
    match f.get(fact) {
        Some(x) if x.state == State::Known => None,
        _ => Some(
            finding(
                id,
                Some(problem),
                Status::Unknown,
                t!(
                    lang,
                    "The sign-in assistant could not be checked.",
                    "L'Assistant de connexion n'a pas pu être vérifié."
                ),
            )
            .with_evidence(vec![f.reason(fact)]),
        ),
    }
}

/// The sign-in assistant version the connector needs: "Microsoft Online
/// Services Sign-In Assistant for IT Professionals RTW" (FACTS §4; the
/// connector's documentation links this release, Download Center id 28177).
pub const SIGN_IN_ASSISTANT_MIN_VERSION: &str = "7.250.4303.0";

/// The numbers of a dotted version ("7.250.4303.0"), or `None`.
pub(super) fn version_parts(v: &str) -> Option<Vec<u64>> {
    let parts: Option<Vec<u64>> = v.trim().split('.').map(|p| p.parse().ok()).collect();
    parts.filter(|p| !p.is_empty())
}

/// Whether `v` is older than `min` (missing parts are 0); `None` when one
/// is not a version.
pub fn version_older(v: &str, min: &str) -> Option<bool> {
    let (mut a, mut b) = (version_parts(v)?, version_parts(min)?);
    let n = a.len().max(b.len());
    a.resize(n, 0);
    b.resize(n, 0);
    Some(a < b)
}

/// What needs the sign-in assistant here: the retired connector modules
/// found (only they sign in through it; MicrosoftTeams does not), and the
/// error when it names the sign-in assistant. Empty: nothing needs it;
/// `None`: the installed modules are unknown.
pub(super) fn sign_in_assistant_needed_by(f: &Facts, named_by_error: bool) -> Option<Vec<String>> {
    let mut known = named_by_error;
    let mut out = Vec::new();
    if named_by_error {
        out.push("the error is a Live ID sign-in failure".to_string());
    }
    for (fact, label) in [
        ("host.modules", "Get-Module (host)"),
        ("modules.installed", "module folders"),
    ] {
        if let Some(list) = f.known(fact).and_then(|v| v.as_array()) {
            known = true;
            for m in list {
                let name = m.get("name").and_then(|x| x.as_str()).unwrap_or("");
                if RETIRED_MODULES.iter().any(|r| r.eq_ignore_ascii_case(name)) {
                    let version = m.get("version").and_then(|x| x.as_str()).unwrap_or("");
                    out.push(
                        format!("{}: {} {}", label, name, version)
                            .trim_end()
                            .to_string(),
                    );
                }
            }
        }
    }
    if known {
        Some(out)
    } else {
        None
    }
}

/// The evidence lines of what needs the sign-in assistant, and whether
/// something does (`None`: unknown).
pub(super) fn need_evidence(needed: &Option<Vec<String>>) -> (Vec<String>, Option<bool>) {
    match needed {
        Some(v) if !v.is_empty() => (
            v.iter().map(|x| format!("needed by: {}", x)).collect(),
            Some(true),
        ),
        Some(_) => (
            vec![
                "needed by: nothing found (no SkypeOnlineConnector or LyncOnlineConnector module)"
                    .to_string(),
            ],
            Some(false),
        ),
        None => (
            vec!["needed by: unknown (installed modules not known)".to_string()],
            None,
        ),
    }
}

/// `sign_in_assistant.installed`. The sign-in assistant matters only to the
/// retired connector's Live ID sign-in: missing, it is a problem when a
/// connector module is installed or the error is a Live ID sign-in failure
/// (`named_by_error`, set by diagnose), not applicable when the modules are
/// known and none is, a warning when they are unknown.
pub(crate) fn sign_in_assistant_installed(
    facts: &[Fact],
    lang: &str,
    named_by_error: bool,
) -> Finding {
    let f = &Facts(facts);
    let id = "sign_in_assistant.installed";
    let problem = "liveid_module_load_failed";
    if let Some(x) = windows_only(f, id, problem, lang, "service.msoidsvc") {
        return x;
    }
    let svc = f.known("service.msoidsvc").cloned().unwrap_or(Value::Null);
    let version_fact = f.get("sign_in_assistant.version");
    let version = f
        .known("sign_in_assistant.version")
        .and_then(|v| v.as_str())
        .map(str::to_string);
    let mut evidence = vec![if service_installed(&svc) {
        "service msoidsvc: installed".to_string()
    } else {
        "service msoidsvc: not installed".to_string()
    }];
    evidence.push(match (&version, version_fact) {
        (Some(v), Some(x)) => format!("{} = {}", x.source, v),
        // Unreadable (access denied…) is not absent.
        (None, Some(x)) if x.state == State::Unknown => format!(
            "{}: not read: {}",
            x.source,
            f.reason("sign_in_assistant.version")
        ),
        _ => "HKLM\\SOFTWARE\\Microsoft\\MSOIdentityCRL MSOIDCRLVersion: absent (64-bit and 32-bit views)"
            .to_string(),
    });
    let unreadable = version.is_none()
        && version_fact
            .map(|x| x.state == State::Unknown)
            .unwrap_or(false);
    let needed = sign_in_assistant_needed_by(f, named_by_error);
    let (need_lines, needs) = need_evidence(&needed);
    evidence.extend(need_lines);
    if !service_installed(&svc) {
        return match needs {
            Some(true) => finding(
                id,
                Some(problem),
                Status::Problem,
                t!(
                    lang,
                    "The Microsoft Online Services Sign-In Assistant is not installed (no msoidsvc service): the connector cannot load its Live ID module.",
                    "L'Assistant de connexion Microsoft Online Services n'est pas installé (pas de service msoidsvc) : le connecteur ne peut pas charger son module Live ID."
                ),
            )
            .with_evidence(evidence)
            .with_catalog_resolution(lang, Vec::new()),
            Some(false) => finding(
                id,
                Some(problem),
                Status::NotApplicable,
                t!(
                    lang,
                    "The sign-in assistant is not installed, and nothing here needs it: only the retired Skype for Business Online connector signs in through it (MicrosoftTeams does not).",
                    "L'Assistant de connexion n'est pas installé, et rien ici n'en a besoin : seul le connecteur Skype Entreprise Online retiré se connecte par lui (MicrosoftTeams non)."
                ),
            )
            .with_evidence(evidence),
            None => finding(
                id,
                Some(problem),
                Status::Warning,
                t!(
                    lang,
                    "The sign-in assistant is not installed (no msoidsvc service). Only the retired connector needs it; whether it is installed here is unknown (hand in host.modules).",
                    "L'Assistant de connexion n'est pas installé (pas de service msoidsvc). Seul le connecteur retiré en a besoin ; on ne sait pas s'il est installé ici (transmettez host.modules)."
                ),
            )
            .with_evidence(evidence)
            .with_catalog_resolution(lang, Vec::new()),
        };
    }
    if unreadable {
        return finding(
            id,
            Some(problem),
            Status::Unknown,
            t!(
                lang,
                "The msoidsvc service exists but the sign-in assistant's registry key could not be read.",
                "Le service msoidsvc existe mais la clé de registre de l'Assistant de connexion n'a pas pu être lue."
            ),
        )
        .with_evidence(evidence);
    }
    let min = SIGN_IN_ASSISTANT_MIN_VERSION;
    let v = match version {
        Some(v) => v,
        None => {
            return finding(
                id,
                Some(problem),
                Status::Warning,
                t!(
                    lang,
                    "The msoidsvc service exists but the sign-in assistant's registry key is missing (64-bit and 32-bit views): the installation may be damaged.",
                    "Le service msoidsvc existe mais la clé de registre de l'Assistant de connexion manque (vues 64 bits et 32 bits) : l'installation est peut-être endommagée."
                ),
            )
            .with_evidence(evidence)
            .with_catalog_resolution(lang, Vec::new())
        }
    };
    let view32 = version_fact
        .map(|x| x.source.contains("32-bit view"))
        .unwrap_or(false);
    let bits = match (view32, lang == "fr") {
        (false, _) => "",
        (true, false) => " (32-bit package)",
        (true, true) => " (paquet 32 bits)",
    };
    match version_older(&v, min) {
        Some(false) => finding(
            id,
            Some(problem),
            Status::Ok,
            t!(
                lang,
                "The sign-in assistant {v}{bits} is installed (the connector needs {min} or later).",
                "L'Assistant de connexion {v}{bits} est installé (le connecteur demande la version {min} ou ultérieure)."
            ),
        )
        .with_evidence(evidence),
        Some(true) => finding(
            id,
            Some(problem),
            if needs == Some(true) {
                Status::Problem
            } else {
                Status::Warning
            },
            t!(
                lang,
                "The sign-in assistant {v}{bits} is older than {min}, the version the connector needs: its Live ID module may fail to load.",
                "L'Assistant de connexion {v}{bits} est antérieur à la version {min} que demande le connecteur : son module Live ID peut ne pas se charger."
            ),
        )
        .with_evidence(evidence)
        .with_catalog_resolution(lang, Vec::new()),
        None => finding(
            id,
            Some(problem),
            Status::Warning,
            t!(
                lang,
                "The sign-in assistant's version {v:?} is not a version number (the connector needs {min} or later).",
                "La version {v:?} de l'Assistant de connexion n'est pas un numéro de version (le connecteur demande la version {min} ou ultérieure)."
            ),
        )
        .with_evidence(evidence),
    }
}

/// A service state (as the probe names it) in the output language.
pub(super) fn state_text(lang: &str, state: &str) -> String {
    let (en, fr) = match state {
        "stopped" => ("stopped", "arrêté"),
        "start_pending" => ("starting", "en cours de démarrage"),
        "stop_pending" => ("stopping", "en cours d'arrêt"),
        "running" => ("running", "en cours d'exécution"),
        "continue_pending" => ("resuming", "en cours de reprise"),
        "pause_pending" => ("pausing", "en cours de suspension"),
        "paused" => ("paused", "suspendu"),
        _ => ("in an unknown state", "dans un état inconnu"),
    };
    if lang == "fr" {
        fr.to_string()
    } else {
        en.to_string()
    }
}

/// `sign_in_assistant.service`: msoidsvc running. Not running is a problem
/// when something needs the sign-in assistant (see
/// [`sign_in_assistant_installed`]), else a warning; starting is a warning.
/// A disabled service cannot be started (Start-Service fails with error
/// 1058) until its start type allows it, so Set-Service comes first.
pub(crate) fn sign_in_assistant_service(
    facts: &[Fact],
    lang: &str,
    named_by_error: bool,
) -> Finding {
    let f = &Facts(facts);
    let id = "sign_in_assistant.service";
    let problem = "liveid_connect_failed";
    if let Some(x) = windows_only(f, id, problem, lang, "service.msoidsvc") {
        return x;
    }
    let svc = f.known("service.msoidsvc").cloned().unwrap_or(Value::Null);
    if !service_installed(&svc) {
        return finding(
            id,
            Some(problem),
            Status::NotApplicable,
            t!(
                lang,
                "The msoidsvc service is not installed (see sign_in_assistant.installed).",
                "Le service msoidsvc n'est pas installé (voir sign_in_assistant.installed)."
            ),
        );
    }
    let state = svc
        .get("state")
        .and_then(|x| x.as_str())
        .unwrap_or("unknown");
    let start = svc
        .get("start_type")
        .and_then(|x| x.as_str())
        .unwrap_or("unknown");
    let mut evidence = vec![format!(
        "service msoidsvc: state {}, start type {}",
        state, start
    )];
    if state == "running" {
        return finding(
            id,
            Some(problem),
            Status::Ok,
            t!(
                lang,
                "The sign-in assistant service (msoidsvc) is running.",
                "Le service de l'Assistant de connexion (msoidsvc) s'exécute."
            ),
        )
        .with_evidence(evidence);
    }
    if state == "start_pending" {
        return finding(
            id,
            Some(problem),
            Status::Warning,
            t!(
                lang,
                "The sign-in assistant service (msoidsvc) is starting: wait a moment, then check that it runs (Get-Service msoidsvc).",
                "Le service de l'Assistant de connexion (msoidsvc) est en cours de démarrage : patientez un instant, puis vérifiez qu'il s'exécute (Get-Service msoidsvc)."
            ),
        )
        .with_evidence(evidence);
    }
    let (need_lines, needs) = need_evidence(&sign_in_assistant_needed_by(f, named_by_error));
    evidence.extend(need_lines);
    let then = if named_by_error {
        t!(lang, ", then try again", ", puis réessayez")
    } else {
        String::new()
    };
    let mut first = Vec::new();
    let mut fix = None;
    if start == "disabled" {
        first.push(t!(
            lang,
            "The service is disabled: run Set-Service -Name msoidsvc -StartupType Automatic first, then Start-Service -Name msoidsvc{then} (while it is disabled, Start-Service fails with error 1058). Both need an elevated prompt.",
            "Le service est désactivé : exécutez d'abord Set-Service -Name msoidsvc -StartupType Automatic, puis Start-Service -Name msoidsvc{then} (tant qu'il est désactivé, Start-Service échoue avec l'erreur 1058). Les deux demandent une invite élevée."
        ));
        fix = Some(
            "Set-Service -Name msoidsvc -StartupType Automatic; Start-Service -Name msoidsvc"
                .to_string(),
        );
    } else if named_by_error {
        first.push(t!(
            lang,
            "Start the service first: Start-Service -Name msoidsvc, then try again.",
            "Démarrez d'abord le service : Start-Service -Name msoidsvc, puis réessayez."
        ));
    }
    let shown = state_text(lang, state);
    let (status, summary) = if needs == Some(true) {
        (
            Status::Problem,
            t!(
                lang,
                "The sign-in assistant service (msoidsvc) is {shown}: the connector cannot reach the Live ID servers through it.",
                "Le service de l'Assistant de connexion (msoidsvc) est {shown} : le connecteur ne peut pas joindre les serveurs Live ID par lui."
            ),
        )
    } else {
        (
            Status::Warning,
            t!(
                lang,
                "The sign-in assistant service (msoidsvc) is {shown}; only the retired connector signs in through it.",
                "Le service de l'Assistant de connexion (msoidsvc) est {shown} ; seul le connecteur retiré se connecte par lui."
            ),
        )
    };
    let out = finding(id, Some(problem), status, summary)
        .with_evidence(evidence)
        .with_catalog_resolution(lang, first);
    match fix {
        Some(x) => out.with_fix(Some(x)),
        None => out,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;
    use serde_json::json;
    use serde_json::Value;

    #[test]
    fn liveid_error_puts_the_stopped_service_first() {
        let facts = windows_facts(vec![
            Fact::known(
                "service.msoidsvc",
                json!({"installed": true, "state": "stopped", "start_type": "manual"}),
                "test",
            ),
            Fact::known(
                "network.sign-in",
                json!({"host": "login.microsoftonline.com", "port": 443, "dns": "ok", "addresses": ["192.0.2.1"], "tcp": "timeout", "elapsed_ms": 3000}),
                "test",
            ),
        ]);
        let f = evaluate(&facts, "en");
        let f = crate::diagnose::order_findings(
            f,
            &["liveid_connect_failed".to_string()],
            &facts,
            "en",
        );
        assert_eq!(f[0].id, "sign_in_assistant.service");
        assert!(f[0].resolution.as_ref().unwrap()[0].starts_with("Start the service first"));
        assert_eq!(f[0].explains, vec!["liveid_connect_failed".to_string()]);
        assert_eq!(f[1].id, "network.sign-in");
        assert_eq!(f[1].status, Status::Problem);
    }

    #[test]
    fn a_disabled_sign_in_service_is_allowed_to_start_before_it_is_started() {
        let facts = windows_facts(vec![Fact::known(
            "service.msoidsvc",
            json!({"installed": true, "state": "stopped", "start_type": "disabled"}),
            "test",
        )]);
        for lang in ["en", "fr"] {
            let f = with_error(&facts, &["liveid_connect_failed"], lang);
            let x = &f[0];
            assert_eq!(x.id, "sign_in_assistant.service");
            assert_eq!(x.status, Status::Problem);
            let steps = x.resolution.as_ref().unwrap();
            let first = &steps[0];
            // Set-Service comes before any Start-Service, in the first step…
            let set = first.find("Set-Service").expect("no Set-Service first");
            assert!(
                first.find("Start-Service").map(|s| s > set).unwrap_or(true),
                "{}",
                first
            );
            assert!(!steps
                .iter()
                .any(|s| s.starts_with("Start the service first")
                    || s.starts_with("Démarrez d'abord")));
            // …and in the fix.
            assert!(
                x.fix
                    .as_deref()
                    .unwrap()
                    .starts_with("Set-Service -Name msoidsvc -StartupType"),
                "{:?}",
                x.fix
            );
        }
        // Stopped but allowed to start: Start-Service first.
        let facts = windows_facts(vec![Fact::known(
            "service.msoidsvc",
            json!({"installed": true, "state": "stopped", "start_type": "manual"}),
            "test",
        )]);
        let f = with_error(&facts, &["liveid_connect_failed"], "fr");
        assert!(f[0].resolution.as_ref().unwrap()[0].starts_with("Démarrez d'abord le service"));
    }

    #[test]
    fn a_starting_sign_in_service_is_a_warning() {
        let facts = windows_facts(vec![Fact::known(
            "service.msoidsvc",
            json!({"installed": true, "state": "start_pending", "start_type": "auto"}),
            "test",
        )]);
        let f = evaluate(&facts, "en");
        assert_eq!(get(&f, "sign_in_assistant.service").status, Status::Warning);
    }

    #[test]
    fn the_sign_in_assistant_matters_only_to_the_connector() {
        let missing = Fact::known("service.msoidsvc", json!({"installed": false}), "test");
        let none = Fact::known("sign_in_assistant.version", Value::Null, "test");
        // No connector installed: not needed, so not a problem (-Quiet).
        let facts = windows_facts(vec![missing.clone(), none.clone()]);
        for lang in ["en", "fr"] {
            let f = evaluate(&facts, lang);
            let x = get(&f, "sign_in_assistant.installed");
            assert_eq!(x.status, Status::NotApplicable, "{:?}", x);
            assert!(!f
                .iter()
                .any(|x| x.status == Status::Problem && x.id.starts_with("sign_in_assistant")));
        }
        // The retired connector is installed: it needs it.
        let facts = windows_facts(vec![
            missing.clone(),
            none.clone(),
            Fact::known(
                "modules.installed",
                json!([{"name": "SkypeOnlineConnector", "version": "7.0.0.0"}]),
                "test",
            ),
        ]);
        let x = evaluate(&facts, "en");
        let x = get(&x, "sign_in_assistant.installed");
        assert_eq!(x.status, Status::Problem);
        assert!(x
            .evidence
            .iter()
            .any(|e| e.contains("SkypeOnlineConnector")));
        // The modules are unknown: a warning.
        let mut facts = windows_facts(vec![missing.clone(), none.clone()]);
        facts.retain(|x| x.id != "modules.installed");
        let x = evaluate(&facts, "en");
        assert_eq!(
            get(&x, "sign_in_assistant.installed").status,
            Status::Warning
        );
        // An error that names it: a problem, whatever is installed.
        let facts = windows_facts(vec![missing, none]);
        let f = with_error(&facts, &["liveid_module_load_failed"], "en");
        assert_eq!(f[0].id, "sign_in_assistant.installed");
        assert_eq!(f[0].status, Status::Problem);
        // A stopped service without a connector: a warning, not a problem.
        let facts = windows_facts(vec![Fact::known(
            "service.msoidsvc",
            json!({"installed": true, "state": "stopped", "start_type": "manual"}),
            "test",
        )]);
        let f = evaluate(&facts, "en");
        assert_eq!(get(&f, "sign_in_assistant.service").status, Status::Warning);
    }

    #[test]
    fn the_sign_in_assistant_version_is_compared_with_the_minimum() {
        let connector = Fact::known(
            "modules.installed",
            json!([{"name": "LyncOnlineConnector", "version": "6.0.0.0"}]),
            "test",
        );
        let old = Fact::known("sign_in_assistant.version", json!("7.0.1734.0"), "test");
        let f = evaluate(&windows_facts(vec![old, connector.clone()]), "en");
        let x = get(&f, "sign_in_assistant.installed");
        assert_eq!(x.status, Status::Problem, "{:?}", x);
        assert!(
            x.summary.contains("older than 7.250.4303.0"),
            "{}",
            x.summary
        );
        let newer = Fact::known("sign_in_assistant.version", json!("7.250.4551.0"), "test");
        let f = evaluate(&windows_facts(vec![newer, connector.clone()]), "en");
        assert_eq!(get(&f, "sign_in_assistant.installed").status, Status::Ok);
        assert_eq!(version_older("7.250.4303", "7.250.4303.0"), Some(false));
        assert_eq!(version_older("7.250.4303.0", "7.250.4303.1"), Some(true));
        assert_eq!(version_older("x", "7"), None);
        // Registered in the 32-bit view only: installed, not damaged.
        let v32 = Fact::known(
            "sign_in_assistant.version",
            json!("7.250.4303.0"),
            r"HKLM\SOFTWARE\Microsoft\MSOIdentityCRL MSOIDCRLVersion (32-bit view: HKLM\SOFTWARE\WOW6432Node\Microsoft\MSOIdentityCRL)",
        );
        let f = evaluate(&windows_facts(vec![v32, connector]), "en");
        let x = get(&f, "sign_in_assistant.installed");
        assert_eq!(x.status, Status::Ok, "{:?}", x);
        assert!(x.summary.contains("32-bit"), "{}", x.summary);
    }
}
