//! `sessions.count` and `sessions.age`: the open sessions to the service
//! against the per-user limit and the session lifetime.

use super::*;
use crate::probe::Fact;

/// A session to the service, as handed in by PowerShell.
struct Session<'a> {
    name: &'a str,
    computer: &'a str,
    state: &'a str,
    age: Option<f64>,
}

/// Whether a computer name is the service's remote PowerShell endpoint
/// (`facts.json` `hosts.service`).
pub fn is_service_computer(name: &str) -> bool {
    catalog::get()
        .map(|c| c.facts.is_service_host(name))
        .unwrap_or(false)
}

fn service_sessions<'a>(f: &Facts<'a>, known: &ServiceFacts) -> Option<Vec<Session<'a>>> {
    let list = f.known("host.sessions")?.as_array()?;
    Some(
        list.iter()
            .filter_map(|s| {
                let computer = s.get("computer_name").and_then(|x| x.as_str())?;
                if !known.is_service_host(computer) {
                    return None;
                }
                Some(Session {
                    name: s.get("name").and_then(|x| x.as_str()).unwrap_or("?"),
                    computer,
                    state: s.get("state").and_then(|x| x.as_str()).unwrap_or("?"),
                    age: s.get("age_minutes").and_then(|x| x.as_f64()),
                })
            })
            .collect(),
    )
}

fn describe(s: &Session) -> String {
    match s.age {
        Some(a) => format!("{} -> {} ({}, {:.0} min)", s.name, s.computer, s.state, a),
        None => format!("{} -> {} ({})", s.name, s.computer, s.state),
    }
}

fn sessions_unknown(id: &str, cx: Ctx) -> Finding {
    cx.finding(id, Status::Unknown, t!(cx, "sessions.unknown"))
}

/// Number of open sessions to the service handed in (for diagnose).
pub fn open_service_sessions(facts: &[Fact]) -> usize {
    match catalog::get() {
        Ok(c) => open_sessions(facts, &c.facts),
        Err(_) => 0,
    }
}

fn open_sessions(facts: &[Fact], known: &ServiceFacts) -> usize {
    service_sessions(&Facts(facts), known)
        .map(|s| {
            s.iter()
                .filter(|x| x.state.eq_ignore_ascii_case("opened"))
                .count()
        })
        .unwrap_or(0)
}

pub(super) fn sessions_count(f: &Facts, cx: Ctx) -> Finding {
    let id = "sessions.count";
    let sessions = match service_sessions(f, cx.facts()) {
        Some(s) => s,
        None => return sessions_unknown(id, cx),
    };
    let open: Vec<&Session> = sessions
        .iter()
        .filter(|s| s.state.eq_ignore_ascii_case("opened"))
        .collect();
    let n = open.len();
    let evidence: Vec<String> = open.iter().map(|s| describe(s)).collect();
    let limit = cx.facts().number("shells_per_user");
    if n as f64 >= limit {
        return cx
            .finding(
                id,
                Status::Problem,
                t!(cx, "sessions.too_many", count = n, limit),
            )
            .with_evidence(evidence)
            .with_catalog_resolution(cx, Vec::new());
    }
    cx.finding(
        id,
        Status::Ok,
        t!(cx, "sessions.count_ok", count = n, limit),
    )
    .with_evidence(evidence)
}

pub(super) fn sessions_age(f: &Facts, cx: Ctx) -> Finding {
    let id = "sessions.age";
    let sessions = match service_sessions(f, cx.facts()) {
        Some(s) => s,
        None => return sessions_unknown(id, cx),
    };
    let minutes = cx.facts().number("session_minutes");
    let warn = cx.facts().number("session_warn_minutes");
    if sessions.is_empty() {
        return cx.finding(id, Status::NotApplicable, t!(cx, "sessions.none_open"));
    }
    let expired: Vec<&Session> = sessions
        .iter()
        .filter(|s| {
            s.age.map(|a| a >= minutes).unwrap_or(false) || s.state.eq_ignore_ascii_case("broken")
        })
        .collect();
    if !expired.is_empty() {
        return cx
            .finding(
                id,
                Status::Problem,
                t!(cx, "sessions.expired", count = expired.len(), minutes),
            )
            .with_evidence(expired.iter().map(|s| describe(s)).collect())
            .with_catalog_resolution(cx, Vec::new());
    }
    let near: Vec<&Session> = sessions
        .iter()
        .filter(|s| s.age.map(|a| a >= warn).unwrap_or(false))
        .collect();
    if !near.is_empty() {
        return cx
            .finding(
                id,
                Status::Warning,
                t!(cx, "sessions.near_limit", count = near.len(), minutes),
            )
            .with_evidence(near.iter().map(|s| describe(s)).collect())
            .with_catalog_resolution(cx, Vec::new());
    }
    if sessions.iter().all(|s| s.age.is_none()) {
        return cx
            .finding(id, Status::Unknown, t!(cx, "sessions.age_unknown"))
            .with_evidence(sessions.iter().map(describe).collect());
    }
    cx.finding(id, Status::Ok, t!(cx, "sessions.age_ok", minutes))
        .with_evidence(sessions.iter().map(describe).collect())
}

/// `sessions.count` explains a "too many sessions" error (`facts.json`
/// `explains`) when sessions to the service are open here: it becomes a
/// problem that says to remove them, with the error's resolution.
pub(super) fn explain_too_many(f: &mut Finding, problem: &str, facts: &[Fact], cx: Ctx) -> bool {
    let open = open_sessions(facts, cx.facts());
    if open == 0 {
        return false;
    }
    f.status = Status::Problem;
    f.summary = t!(cx, "sessions.error_reports_too_many", count = open);
    if let Some(t) = cx
        .catalog
        .problem(problem)
        .and_then(|p| p.text.get(cx.lang))
    {
        f.resolution = Some(t.resolution.clone());
        f.fix = t.fix.clone();
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;
    use serde_json::json;

    #[test]
    fn service_computers() {
        assert!(is_service_computer("admin1a.online.lync.com"));
        assert!(is_service_computer(
            "API.interfaces.records.teams.microsoft.com"
        ));
        assert!(!is_service_computer("online.lync.com.evil"));
    }

    #[test]
    fn session_cleanup_removes_what_was_counted() {
        let s = |name: &str, computer: &str| json!({"name": name, "computer_name": computer, "state": "Opened", "age_minutes": 5.0});
        let facts = windows_facts(vec![Fact::known(
            "host.sessions",
            json!([
                s("a", "admin1a.online.lync.com"),
                s("b", "admin1a.online.lync.com"),
                s("c", "api.interfaces.records.teams.microsoft.com")
            ]),
            "test",
        )]);
        for lang in ["en", "fr"] {
            let f = evaluate(&facts, lang);
            let x = get(&f, "sessions.count");
            assert_eq!(x.status, Status::Problem);
            let fix = x.fix.as_deref().unwrap();
            assert!(fix.contains("*.online.lync.com"), "{}", fix);
            assert!(
                fix.contains("'api.interfaces.records.teams.microsoft.com'"),
                "{}",
                fix
            );
        }
    }
}
