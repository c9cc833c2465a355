//! `sign_in_assistant.installed` and `sign_in_assistant.service`: the
//! Microsoft Online Services Sign-In Assistant (msoidsvc), judged against
//! what needs it.

use serde_json::Value;

use super::*;
use crate::probe::{Fact, State};

/// Not applicable off Windows, unknown without the `fact`; None when the
/// check can judge.
fn cannot_judge(f: &Facts, id: &str, cx: Ctx, fact: &str) -> Option<Finding> {
    if let Some(na) = windows_only(f, cx, id, "sign_in_assistant.not_windows") {
        return Some(na);
    }
    match f.get(fact) {
        Some(x) if x.state == State::Known => None,
        _ => Some(
            cx.finding(id, Status::Unknown, t!(cx, "sign_in_assistant.unchecked"))
                .with_evidence(vec![f.reason(fact)]),
        ),
    }
}

/// The numbers of a dotted version ("7.250.4303.0"), or `None`.
fn version_parts(v: &str) -> Option<Vec<u64>> {
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
fn sign_in_assistant_needed_by(
    f: &Facts,
    known_modules: &ServiceFacts,
    named_by_error: bool,
) -> Option<Vec<String>> {
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
                if known_modules.is_retired_module(name) {
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
fn need_evidence(
    needed: &Option<Vec<String>>,
    known_modules: &ServiceFacts,
) -> (Vec<String>, Option<bool>) {
    match needed {
        Some(v) if !v.is_empty() => (
            v.iter().map(|x| format!("needed by: {}", x)).collect(),
            Some(true),
        ),
        Some(_) => (
            vec![format!(
                "needed by: nothing found (no {} module)",
                known_modules.modules.retired.join(" or ")
            )],
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
    cx: Ctx,
    named_by_error: bool,
) -> Finding {
    let f = &Facts(facts);
    let id = "sign_in_assistant.installed";
    if let Some(x) = cannot_judge(f, id, cx, "service.msoidsvc") {
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
    let needed = sign_in_assistant_needed_by(f, cx.facts(), named_by_error);
    let (need_lines, needs) = need_evidence(&needed, cx.facts());
    evidence.extend(need_lines);
    if !service_installed(&svc) {
        return match needs {
            Some(true) => cx
                .finding(
                    id,
                    Status::Problem,
                    t!(cx, "sign_in_assistant.missing_needed"),
                )
                .with_evidence(evidence)
                .with_catalog_resolution(cx, Vec::new()),
            Some(false) => cx
                .finding(
                    id,
                    Status::NotApplicable,
                    t!(cx, "sign_in_assistant.missing_not_needed"),
                )
                .with_evidence(evidence),
            None => cx
                .finding(
                    id,
                    Status::Warning,
                    t!(cx, "sign_in_assistant.missing_need_unknown"),
                )
                .with_evidence(evidence)
                .with_catalog_resolution(cx, Vec::new()),
        };
    }
    if unreadable {
        return cx
            .finding(
                id,
                Status::Unknown,
                t!(cx, "sign_in_assistant.key_unreadable"),
            )
            .with_evidence(evidence);
    }
    // The release the connector's documentation links (docs/facts.md#sign-in-assistant).
    let min = cx.facts().string("sign_in_assistant_minimum");
    let v = match version {
        Some(v) => v,
        None => {
            return cx
                .finding(id, Status::Warning, t!(cx, "sign_in_assistant.key_missing"))
                .with_evidence(evidence)
                .with_catalog_resolution(cx, Vec::new())
        }
    };
    let view32 = version_fact
        .map(|x| x.source.contains("32-bit view"))
        .unwrap_or(false);
    let bits = if view32 {
        t!(cx, "sign_in_assistant.package_32")
    } else {
        String::new()
    };
    match version_older(&v, min) {
        Some(false) => cx
            .finding(
                id,
                Status::Ok,
                t!(cx, "sign_in_assistant.ok", version = v, bits, minimum = min),
            )
            .with_evidence(evidence),
        Some(true) => cx
            .finding(
                id,
                Status::problem_if(needs == Some(true)),
                t!(
                    cx,
                    "sign_in_assistant.older",
                    version = v,
                    bits,
                    minimum = min
                ),
            )
            .with_evidence(evidence)
            .with_catalog_resolution(cx, Vec::new()),
        None => cx
            .finding(
                id,
                Status::Warning,
                t!(
                    cx,
                    "sign_in_assistant.not_a_version",
                    version = format!("{:?}", v),
                    minimum = min
                ),
            )
            .with_evidence(evidence),
    }
}

/// The state of a service that is neither running nor starting (as the
/// probe names it) in the output language.
fn state_text(cx: Ctx, state: &str) -> String {
    let key = match state {
        "stopped" | "stop_pending" | "continue_pending" | "pause_pending" | "paused" => state,
        _ => "unknown",
    };
    cx.t(&format!("service_state.{}", key), &[])
}

/// `sign_in_assistant.service`: msoidsvc running. Not running is a problem
/// when something needs the sign-in assistant (see
/// [`sign_in_assistant_installed`]), else a warning; starting is a warning.
/// A disabled service cannot be started (Start-Service fails with error
/// 1058) until its start type allows it, so Set-Service comes first.
pub(crate) fn sign_in_assistant_service(facts: &[Fact], cx: Ctx, named_by_error: bool) -> Finding {
    let f = &Facts(facts);
    let id = "sign_in_assistant.service";
    if let Some(x) = cannot_judge(f, id, cx, "service.msoidsvc") {
        return x;
    }
    let svc = f.known("service.msoidsvc").cloned().unwrap_or(Value::Null);
    if !service_installed(&svc) {
        return cx.finding(
            id,
            Status::NotApplicable,
            t!(cx, "sign_in_assistant.service_not_installed"),
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
        return cx
            .finding(id, Status::Ok, t!(cx, "sign_in_assistant.service_running"))
            .with_evidence(evidence);
    }
    if state == "start_pending" {
        return cx
            .finding(
                id,
                Status::Warning,
                t!(cx, "sign_in_assistant.service_starting"),
            )
            .with_evidence(evidence);
    }
    let needed = sign_in_assistant_needed_by(f, cx.facts(), named_by_error);
    let (need_lines, needs) = need_evidence(&needed, cx.facts());
    evidence.extend(need_lines);
    let then = if named_by_error {
        t!(cx, "sign_in_assistant.then_try_again")
    } else {
        String::new()
    };
    let mut first = Vec::new();
    let mut fix = None;
    if start == "disabled" {
        first.push(t!(cx, "sign_in_assistant.service_disabled_step", then));
        fix = Some(
            "Set-Service -Name msoidsvc -StartupType Automatic; Start-Service -Name msoidsvc"
                .to_string(),
        );
    } else if named_by_error {
        first.push(t!(cx, "sign_in_assistant.service_start_first"));
    }
    let shown = state_text(cx, state);
    let (status, summary) = if needs == Some(true) {
        (
            Status::Problem,
            t!(
                cx,
                "sign_in_assistant.service_stopped_needed",
                state = shown
            ),
        )
    } else {
        (
            Status::Warning,
            t!(cx, "sign_in_assistant.service_stopped", state = shown),
        )
    };
    let out = cx
        .finding(id, status, summary)
        .with_evidence(evidence)
        .with_catalog_resolution(cx, first);
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
