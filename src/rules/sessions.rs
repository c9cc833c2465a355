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

/// Whether a computer name is the service's remote PowerShell endpoint.
pub fn is_service_computer(name: &str) -> bool {
    let n = name.trim().trim_end_matches('.').to_ascii_lowercase();
    n.ends_with(".online.lync.com") || n == "api.interfaces.records.teams.microsoft.com"
}

fn service_sessions<'a>(f: &Facts<'a>) -> Option<Vec<Session<'a>>> {
    let list = f.known("host.sessions")?.as_array()?;
    Some(
        list.iter()
            .filter_map(|s| {
                let computer = s.get("computer_name").and_then(|x| x.as_str())?;
                if !is_service_computer(computer) {
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

fn sessions_unknown(id: &str, problem: &str, lang: &str) -> Finding {
    finding(
        id,
        Some(problem),
        Status::Unknown,
        t!(
            lang,
            "Open sessions are known only to PowerShell (hand in host.sessions).",
            "Seul PowerShell connaît les sessions ouvertes (transmettez host.sessions)."
        ),
    )
}

/// Number of open sessions to the service handed in (for diagnose).
pub fn open_service_sessions(facts: &[Fact]) -> usize {
    service_sessions(&Facts(facts))
        .map(|s| {
            s.iter()
                .filter(|x| x.state.eq_ignore_ascii_case("opened"))
                .count()
        })
        .unwrap_or(0)
}

pub(super) fn sessions_count(f: &Facts, lang: &str) -> Finding {
    let id = "sessions.count";
    let problem = "shells_per_user";
    let sessions = match service_sessions(f) {
        Some(s) => s,
        None => return sessions_unknown(id, problem, lang),
    };
    let open: Vec<&Session> = sessions
        .iter()
        .filter(|s| s.state.eq_ignore_ascii_case("opened"))
        .collect();
    let n = open.len();
    let evidence: Vec<String> = open.iter().map(|s| describe(s)).collect();
    if n >= SHELLS_PER_USER {
        return finding(
            id,
            Some(problem),
            Status::Problem,
            t!(
                lang,
                "{n} sessions to the service are open here: the limit is {SHELLS_PER_USER} per user, so a new one will be refused.",
                "{n} sessions vers le service sont ouvertes ici : la limite est de {SHELLS_PER_USER} par utilisateur, une nouvelle sera donc refusée."
            ),
        )
        .with_evidence(evidence)
        .with_catalog_resolution(lang, Vec::new());
    }
    finding(
        id,
        Some(problem),
        Status::Ok,
        t!(
            lang,
            "{n} session(s) to the service open here (limit {SHELLS_PER_USER} per user; sessions in other windows also count).",
            "{n} session(s) vers le service ouverte(s) ici (limite de {SHELLS_PER_USER} par utilisateur ; les sessions d'autres fenêtres comptent aussi)."
        ),
    )
    .with_evidence(evidence)
}

pub(super) fn sessions_age(f: &Facts, lang: &str) -> Finding {
    let id = "sessions.age";
    let problem = "session_expired";
    let sessions = match service_sessions(f) {
        Some(s) => s,
        None => return sessions_unknown(id, problem, lang),
    };
    if sessions.is_empty() {
        return finding(
            id,
            Some(problem),
            Status::NotApplicable,
            t!(
                lang,
                "No session to the service is open here.",
                "Aucune session vers le service n'est ouverte ici."
            ),
        );
    }
    let expired: Vec<&Session> = sessions
        .iter()
        .filter(|s| {
            s.age.map(|a| a >= SESSION_MINUTES).unwrap_or(false)
                || s.state.eq_ignore_ascii_case("broken")
        })
        .collect();
    if !expired.is_empty() {
        return finding(
            id,
            Some(problem),
            Status::Problem,
            t!(
                lang,
                "{n} session(s) have reached the {m}-minute limit or are broken: they no longer work.",
                "{n} session(s) ont atteint la limite de {m} minutes ou sont rompues : elles ne fonctionnent plus.",
                n = expired.len(),
                m = SESSION_MINUTES
            ),
        )
        .with_evidence(expired.iter().map(|s| describe(s)).collect())
        .with_catalog_resolution(lang, Vec::new());
    }
    let near: Vec<&Session> = sessions
        .iter()
        .filter(|s| s.age.map(|a| a >= SESSION_WARN_MINUTES).unwrap_or(false))
        .collect();
    if !near.is_empty() {
        return finding(
            id,
            Some(problem),
            Status::Warning,
            t!(
                lang,
                "{n} session(s) will reach the {m}-minute limit soon.",
                "{n} session(s) atteindront bientôt la limite de {m} minutes.",
                n = near.len(),
                m = SESSION_MINUTES
            ),
        )
        .with_evidence(near.iter().map(|s| describe(s)).collect())
        .with_catalog_resolution(lang, Vec::new());
    }
    if sessions.iter().all(|s| s.age.is_none()) {
        return finding(
            id,
            Some(problem),
            Status::Unknown,
            t!(
                lang,
                "The age of the open sessions is unknown.",
                "L'âge des sessions ouvertes est inconnu."
            ),
        )
        .with_evidence(sessions.iter().map(describe).collect());
    }
    finding(
        id,
        Some(problem),
        Status::Ok,
        t!(
            lang,
            "Every open session is younger than {m} minutes.",
            "Toutes les sessions ouvertes ont moins de {m} minutes.",
            m = SESSION_MINUTES
        ),
    )
    .with_evidence(sessions.iter().map(describe).collect())
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
