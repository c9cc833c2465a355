//! `wsman.client`: outside Windows, a WSMan client library for
//! New-PSSession (`pwsh_wsman_missing`): the host's own word about its
//! `$PSHOME` when handed in, else the libraries next to the PowerShell 7
//! the probe finds (docs/facts.md#wsman-client-outside-windows).

use super::*;
use crate::probe::State;

/// The finding when the client is missing: the step specific to the
/// connector, then the catalog's resolution of `pwsh_wsman_missing`.
fn missing(cx: Ctx, summary: String, evidence: Vec<String>, needed: bool) -> Finding {
    let status = Status::problem_if(needed);
    cx.finding("wsman.client", status, summary)
        .with_evidence(evidence)
        .with_catalog_resolution(cx, vec![t!(cx, "wsman.missing_step")])
        .with_fix(Some(
            "Install-Module -Name MicrosoftTeams -Scope CurrentUser".into(),
        ))
}

/// `wsman.client`; `needed` after the "no supported WSMan client library"
/// error (facts.json `named_by`).
pub(super) fn wsman_client(f: &Facts, cx: Ctx, needed: bool) -> Finding {
    let id = "wsman.client";
    if platform_is_windows(f) {
        return cx.finding(id, Status::NotApplicable, t!(cx, "wsman.windows"));
    }
    match f.known("host.wsman_client").and_then(|v| v.as_bool()) {
        Some(true) => {
            return cx
                .finding(id, Status::Ok, t!(cx, "wsman.available"))
                .with_evidence(vec!["wsman_client (host): true".into()])
        }
        Some(false) => {
            return missing(
                cx,
                t!(cx, "wsman.missing", os = platform_name(f)),
                vec!["wsman_client (host): false".into()],
                needed,
            )
        }
        None => {}
    }
    let probe = f
        .get("pwsh.wsman_client")
        .filter(|x| x.state == State::Known)
        .map(|x| &x.value);
    let home = probe.and_then(|v| v.get("pshome")).and_then(|x| x.as_str());
    let (v, home) = match (probe, home) {
        (Some(v), Some(h)) => (v, h),
        _ => return cx.finding(id, Status::Unknown, t!(cx, "wsman.unknown")),
    };
    let has = |lib: &str| v.get(lib).and_then(|x| x.as_bool()).unwrap_or(false);
    let evidence = vec![
        format!(
            "PowerShell 7 in {} ({})",
            home,
            v.get("found_by").and_then(|x| x.as_str()).unwrap_or("?")
        ),
        format!(
            "libmi: {}, libpsrpclient: {}",
            has("libmi"),
            has("libpsrpclient")
        ),
    ];
    if has("libmi") && has("libpsrpclient") {
        return cx
            .finding(id, Status::Ok, t!(cx, "wsman.found", pshome = home))
            .with_evidence(evidence);
    }
    missing(
        cx,
        t!(cx, "wsman.missing_in", pshome = home, os = platform_name(f)),
        evidence,
        needed,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn linux(extra: Vec<Fact>) -> Vec<Fact> {
        let mut f = vec![Fact::known("os", json!("linux"), "test")];
        f.extend(extra);
        f
    }

    fn probe(libs: bool) -> Fact {
        Fact::known(
            "pwsh.wsman_client",
            json!({"pshome": "/opt/microsoft/powershell/7", "found_by": "folder /opt/microsoft/powershell/7",
                   "libmi": libs, "libpsrpclient": libs, "available": libs}),
            "test",
        )
    }

    fn get(facts: Vec<Fact>, errors: &[&str]) -> Finding {
        crate::rules::testing::with_error(&linux(facts), errors, "en")
            .into_iter()
            .find(|x| x.id == "wsman.client")
            .unwrap()
    }

    #[test]
    fn the_host_first_then_the_libraries_next_to_pwsh() {
        let x = get(vec![probe(false)], &[]);
        assert_eq!(x.status, Status::Warning);
        assert_eq!(x.problem.as_deref(), Some("pwsh_wsman_missing"));
        assert!(
            x.summary.contains("/opt/microsoft/powershell/7"),
            "{}",
            x.summary
        );
        // The catalog's steps follow the connector's own.
        assert!(x.resolution.as_ref().unwrap().len() > 1);
        let x = get(vec![probe(true)], &[]);
        assert_eq!(x.status, Status::Ok);
        // The host's word wins over the probe's.
        let x = get(
            vec![
                probe(true),
                Fact::known("host.wsman_client", json!(false), "t"),
            ],
            &[],
        );
        assert_eq!(x.status, Status::Warning);
        // After the error: a problem, first, explaining it.
        let f = crate::rules::testing::with_error(
            &linux(vec![probe(false)]),
            &["pwsh_wsman_missing"],
            "en",
        );
        assert_eq!(f[0].id, "wsman.client");
        assert_eq!(f[0].status, Status::Problem);
        assert_eq!(f[0].explains, vec!["pwsh_wsman_missing".to_string()]);
        // No PowerShell 7 found: not known.
        let none = Fact::known("pwsh.wsman_client", json!({"pshome": null}), "test");
        assert_eq!(get(vec![none], &[]).status, Status::Unknown);
    }
}
