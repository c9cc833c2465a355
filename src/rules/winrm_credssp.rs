//! `winrm.credssp`: CredSSP in the WinRM client (Group Policy
//! `AllowCredSSP` wins over the local `auth_credssp`; off by default) and
//! the computer policy that lets fresh credentials be delegated
//! (`AllowFreshCredentials` and its NTLM-only variant, with their
//! `WSMAN/<host>` lists) to the host the error names
//! (docs/facts.md#credssp-delegation).

use serde_json::Value;

use super::winrm::winrm_service_prefix;
use super::winrm_auth::{enabled, from_policy, setting};
use super::winrm_trusted_hosts::{error_target, glob_match};
use super::*;
use crate::probe::State;

fn servers(v: &Value, key: &str) -> Vec<String> {
    v.pointer(&format!("/{}/servers", key))
        .and_then(|x| x.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn policy_on(v: &Value, key: &str) -> bool {
    v.pointer(&format!("/{}/policy", key))
        .and_then(|x| x.as_u64())
        .map(|n| n != 0)
        .unwrap_or(false)
}

/// `winrm.credssp`; `needed` after a CredSSP error (facts.json `named_by`).
pub(super) fn winrm_credssp(f: &Facts, cx: Ctx, needed: bool) -> Finding {
    let id = "winrm.credssp";
    if let Some(na) = windows_only(f, cx, id, "winrm_credssp.not_windows") {
        return na;
    }
    let known = |fid: &str| f.get(fid).filter(|x| x.state == State::Known);
    let (auth, deleg) = match (known("winrm.client.auth"), known("credssp.delegation")) {
        (Some(a), Some(d)) => (&a.value, &d.value),
        _ => {
            return cx
                .finding(id, Status::Unknown, t!(cx, "winrm_credssp.unreadable"))
                .with_evidence(vec![
                    f.reason("winrm.client.auth"),
                    f.reason("credssp.delegation"),
                ])
        }
    };
    let client = setting(auth, "credssp", "AllowCredSSP", "auth_credssp", "CredSSP");
    let fresh = servers(deleg, "allow_fresh");
    let ntlm = servers(deleg, "allow_fresh_ntlm_only");
    let show = |key: &str, name: &str, list: &[String]| {
        format!(
            r"HKLM\SOFTWARE\Policies\Microsoft\Windows\CredentialsDelegation {}: {}, servers: [{}]",
            name,
            deleg
                .pointer(&format!("/{}/policy", key))
                .map(|x| x.to_string())
                .unwrap_or_else(|| "null".into()),
            list.join(", ")
        )
    };
    let mut evidence = vec![
        client.clone(),
        show("allow_fresh", "AllowFreshCredentials", &fresh),
        show(
            "allow_fresh_ntlm_only",
            "AllowFreshCredentialsWhenNTLMOnly",
            &ntlm,
        ),
    ];
    let host = error_target(f).map(|(h, _)| h);
    if let Some(h) = host {
        evidence.push(format!("host named in the error: {}", h));
    }
    let status = Status::problem_if(needed);
    let delegate = host.unwrap_or("*");
    let fix = format!(
        "{}Enable-WSManCredSSP -Role Client -DelegateComputer '{}' -Force",
        winrm_service_prefix(f),
        delegate
    );
    if !enabled(auth, "credssp") {
        if !needed {
            return cx
                .finding(id, Status::Ok, t!(cx, "winrm_credssp.off"))
                .with_evidence(evidence);
        }
        let out = cx
            .finding(
                id,
                Status::Problem,
                t!(cx, "winrm_credssp.off_needed", settings = client),
            )
            .with_evidence(evidence);
        return if from_policy(auth, "credssp") {
            out.with_catalog_resolution(
                cx,
                vec![t!(
                    cx,
                    "winrm_credssp.policy_step",
                    settings = client,
                    host = delegate
                )],
            )
            .with_fix(None)
        } else {
            out.with_catalog_resolution(cx, vec![t!(cx, "winrm_credssp.step")])
                .with_fix(Some(fix))
        };
    }
    let allowed = policy_on(deleg, "allow_fresh") || policy_on(deleg, "allow_fresh_ntlm_only");
    if !allowed {
        return cx
            .finding(id, status, t!(cx, "winrm_credssp.no_delegation"))
            .with_evidence(evidence)
            .with_catalog_resolution(cx, vec![t!(cx, "winrm_credssp.step")])
            .with_fix(Some(fix));
    }
    let mut listed: Vec<String> = Vec::new();
    for (key, list) in [("allow_fresh", &fresh), ("allow_fresh_ntlm_only", &ntlm)] {
        if policy_on(deleg, key) {
            listed.extend(list.iter().cloned());
        }
    }
    let servers_text = listed.join(", ");
    if let Some(h) = host {
        let spn = format!("WSMAN/{}", h);
        if !listed.iter().any(|p| glob_match(p, &spn)) {
            return cx
                .finding(
                    id,
                    status,
                    t!(
                        cx,
                        "winrm_credssp.not_delegated",
                        host = h,
                        servers = servers_text
                    ),
                )
                .with_evidence(evidence)
                .with_catalog_resolution(cx, vec![t!(cx, "winrm_credssp.step")])
                .with_fix(Some(fix));
        }
    }
    cx.finding(
        id,
        Status::Ok,
        t!(cx, "winrm_credssp.on", servers = servers_text),
    )
    .with_evidence(evidence)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    fn deleg(policy: Option<u32>, servers: &[&str]) -> Fact {
        credssp_delegation_fact(policy, servers)
    }

    fn credssp(p: Option<u32>, l: Option<u32>) -> Fact {
        winrm_auth_fact(&[("credssp", p, l)])
    }

    fn target(host: &str) -> Fact {
        target_fact(host, "http", "ok", "reachable")
    }

    fn get(facts: Vec<Fact>, named: bool) -> Finding {
        let facts = windows_facts(facts);
        let all = if named {
            with_error(&facts, &["credssp_not_configured"], "en")
        } else {
            evaluate(&facts, "en")
        };
        all.into_iter().find(|x| x.id == "winrm.credssp").unwrap()
    }

    #[test]
    fn credssp_off_is_fine_until_asked_for() {
        let x = get(vec![credssp(None, None), deleg(None, &[])], false);
        assert_eq!(x.status, Status::Ok);
        let x = get(
            vec![
                credssp(None, None),
                deleg(None, &[]),
                target("srv01.contoso.com"),
            ],
            true,
        );
        assert_eq!(x.status, Status::Problem);
        assert_eq!(x.explains, vec!["credssp_not_configured".to_string()]);
        assert!(x.fix.unwrap().ends_with(
            "Enable-WSManCredSSP -Role Client -DelegateComputer 'srv01.contoso.com' -Force"
        ));
        // Group Policy turns it off: no local fix.
        let x = get(vec![credssp(Some(0), Some(1)), deleg(None, &[])], true);
        assert_eq!(x.status, Status::Problem);
        assert_eq!(x.fix, None);
        assert!(
            x.summary.contains("AllowCredSSP = 0 (policy)"),
            "{}",
            x.summary
        );
    }

    #[test]
    fn credssp_on_needs_the_delegation_policy_for_the_host() {
        // On, but no delegation policy.
        let x = get(vec![credssp(None, Some(1)), deleg(None, &[])], false);
        assert_eq!(x.status, Status::Warning);
        assert!(x.summary.contains("AllowFreshCredentials"), "{}", x.summary);
        // Delegation to *.contoso.com: the host is covered.
        let x = get(
            vec![
                credssp(None, Some(1)),
                deleg(Some(1), &["WSMAN/*.contoso.com"]),
                target("srv01.contoso.com"),
            ],
            true,
        );
        assert_eq!(x.status, Status::Ok);
        // Another domain: not covered, a problem after the error.
        let x = get(
            vec![
                credssp(None, Some(1)),
                deleg(Some(1), &["WSMAN/*.contoso.com"]),
                target("srv01.fabrikam.com"),
            ],
            true,
        );
        assert_eq!(x.status, Status::Problem);
        assert!(
            x.summary.contains("WSMAN/srv01.fabrikam.com"),
            "{}",
            x.summary
        );
        // The policy disabled, its list ignored.
        let x = get(
            vec![
                credssp(None, Some(1)),
                deleg(Some(0), &["WSMAN/*"]),
                target("srv01"),
            ],
            false,
        );
        assert_eq!(x.status, Status::Warning);
    }
}
