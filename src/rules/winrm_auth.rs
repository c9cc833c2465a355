//! `winrm.auth`: the WinRM client's authentication mechanisms beyond Basic
//! (Kerberos and Negotiate, which PowerShell uses by default, and Digest)
//! and AllowUnencrypted, Group Policy winning over the local configuration
//! (docs/facts.md#client-authentication-and-allowunencrypted). Basic is
//! `winrm.basic_auth`'s; CredSSP `winrm.credssp`'s.

use serde_json::Value;

use super::winrm::winrm_service_prefix;
use super::*;
use crate::probe::State;

/// The mechanisms judged here: the fact's key, the name PowerShell and
/// `winrm set` use, the Group Policy and local value names.
const MECHANISMS: &[(&str, &str, &str, &str)] = &[
    ("kerberos", "Kerberos", "AllowKerberos", "auth_kerberos"),
    ("negotiate", "Negotiate", "AllowNegotiate", "auth_negotiate"),
    ("digest", "Digest", "AllowDigest", "auth_digest"),
];

/// `name = value (from)` of one setting, as the evidence and the texts
/// show it (`AllowNegotiate = 0 (policy)`, `auth_digest = 0 (local)`,
/// `Kerberos: default`).
pub(super) fn setting(v: &Value, key: &str, policy: &str, local: &str, show: &str) -> String {
    let s = match v.get(key) {
        Some(s) => s,
        None => return format!("{}: not read", show),
    };
    match s.get("from").and_then(|x| x.as_str()) {
        Some("policy") => format!("{} = {} (policy)", policy, s["policy"]),
        Some("local") => format!("{} = {} (local)", local, s["local"]),
        _ => format!("{}: not set (default: {})", show, enabled(v, key)),
    }
}

/// Whether the setting `key` is on.
pub(super) fn enabled(v: &Value, key: &str) -> bool {
    v.get(key)
        .and_then(|s| s.get("enabled"))
        .and_then(|x| x.as_bool())
        .unwrap_or(false)
}

pub(super) fn from_policy(v: &Value, key: &str) -> bool {
    v.get(key)
        .and_then(|s| s.get("from"))
        .and_then(|x| x.as_str())
        == Some("policy")
}

/// `winrm.auth`; `needed` after the server refused the mechanism (facts.json
/// `named_by`): a mechanism the client does not use is then a problem.
pub(super) fn winrm_auth(f: &Facts, cx: Ctx, needed: bool) -> Finding {
    let id = "winrm.auth";
    if !platform_is_windows(f) {
        return cx
            .finding(id, Status::NotApplicable, t!(cx, "winrm_auth.not_windows"))
            .with_evidence(vec![format!("os: {}", platform_name(f))]);
    }
    let v = match f.get("winrm.client.auth") {
        Some(x) if x.state == State::Known => &x.value,
        _ => {
            return cx
                .finding(id, Status::Unknown, t!(cx, "winrm_auth.unreadable"))
                .with_evidence(vec![f.reason("winrm.client.auth")])
        }
    };
    let mut evidence: Vec<String> = MECHANISMS
        .iter()
        .map(|(k, show, p, l)| setting(v, k, p, l, show))
        .collect();
    let unencrypted = setting(
        v,
        "allow_unencrypted",
        "AllowUnencryptedTraffic",
        "allow_unencrypted",
        "AllowUnencrypted",
    );
    evidence.push(unencrypted.clone());
    // Kerberos and Negotiate are what New-PSSession uses by default; a
    // client without them asks for mechanisms servers refuse.
    let off: Vec<&(&str, &str, &str, &str)> = MECHANISMS
        .iter()
        .filter(|(k, ..)| *k != "digest" && !enabled(v, k))
        .collect();
    if !off.is_empty() {
        let mechanisms = off.iter().map(|m| m.1).collect::<Vec<_>>().join(", ");
        let settings = off
            .iter()
            .map(|(k, show, p, l)| setting(v, k, p, l, show))
            .collect::<Vec<_>>()
            .join(", ");
        let status = Status::problem_if(needed);
        let out = cx
            .finding(
                id,
                status,
                t!(cx, "winrm_auth.disabled", mechanisms, settings),
            )
            .with_evidence(evidence);
        if off.iter().any(|(k, ..)| from_policy(v, k)) {
            return out
                .with_catalog_resolution(cx, vec![t!(cx, "winrm_auth.policy_step", settings)])
                .with_fix(None);
        }
        let set = off
            .iter()
            .map(|m| format!("{}=\"true\"", m.1))
            .collect::<Vec<_>>()
            .join(";");
        let fix = format!(
            "{}winrm set winrm/config/client/auth '@{{{}}}'",
            winrm_service_prefix(f),
            set
        );
        return out
            .with_catalog_resolution(cx, vec![t!(cx, "winrm_auth.enable_step")])
            .with_fix(Some(fix));
    }
    if enabled(v, "allow_unencrypted") {
        let settings = unencrypted;
        let out = cx
            .finding(
                id,
                Status::Warning,
                t!(cx, "winrm_auth.unencrypted", settings),
            )
            .with_evidence(evidence);
        if from_policy(v, "allow_unencrypted") {
            let mut out = out;
            out.resolution = Some(vec![t!(cx, "winrm_auth.policy_step", settings)]);
            return out;
        }
        let mut out = out;
        out.resolution = Some(vec![t!(cx, "winrm_auth.encrypt_step")]);
        out.fix = Some(format!(
            "{}winrm set winrm/config/client '@{{AllowUnencrypted=\"false\"}}'",
            winrm_service_prefix(f)
        ));
        return out;
    }
    let on = MECHANISMS
        .iter()
        .filter(|(k, ..)| enabled(v, k))
        .map(|m| m.1)
        .collect::<Vec<_>>()
        .join(", ");
    cx.finding(id, Status::Ok, t!(cx, "winrm_auth.ok", mechanisms = on))
        .with_evidence(evidence)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    fn auth(values: &[(&str, Option<u32>, Option<u32>)]) -> Fact {
        winrm_auth_fact(values)
    }

    fn get(facts: Vec<Fact>, named: bool) -> Finding {
        let facts = windows_facts(facts);
        let all = if named {
            with_error(&facts, &["winrm_auth_unsupported"], "en")
        } else {
            evaluate(&facts, "en")
        };
        all.into_iter().find(|x| x.id == "winrm.auth").unwrap()
    }

    #[test]
    fn policy_wins_and_a_missing_default_mechanism_is_said() {
        let x = get(vec![auth(&[])], false);
        assert_eq!(x.status, Status::Ok);
        assert!(
            x.summary.contains("Kerberos, Negotiate, Digest"),
            "{}",
            x.summary
        );
        // Negotiate off locally, Group Policy silent: a warning, the local fix.
        let x = get(vec![auth(&[("negotiate", None, Some(0))])], false);
        assert_eq!(x.status, Status::Warning);
        assert!(
            x.summary.contains("auth_negotiate = 0 (local)"),
            "{}",
            x.summary
        );
        assert!(
            x.fix
                .as_deref()
                .unwrap()
                .ends_with("winrm set winrm/config/client/auth '@{Negotiate=\"true\"}'"),
            "{:?}",
            x.fix
        );
        // The policy allows it: the local 0 does not count.
        let x = get(vec![auth(&[("negotiate", Some(1), Some(0))])], false);
        assert_eq!(x.status, Status::Ok);
        // The policy refuses Kerberos: after the server's refusal, a
        // problem that explains it, without a local fix.
        let x = get(vec![auth(&[("kerberos", Some(0), Some(1))])], true);
        assert_eq!(x.status, Status::Problem);
        assert_eq!(x.explains, vec!["winrm_auth_unsupported".to_string()]);
        assert_eq!(x.fix, None);
        assert!(
            x.summary.contains("AllowKerberos = 0 (policy)"),
            "{}",
            x.summary
        );
        // Digest off is the hardened default of many baselines: not said.
        let x = get(vec![auth(&[("digest", Some(0), None)])], false);
        assert_eq!(x.status, Status::Ok);
        // AllowUnencrypted on: a warning with the fix that turns it off.
        let x = get(vec![auth(&[("allow_unencrypted", None, Some(1))])], false);
        assert_eq!(x.status, Status::Warning);
        assert!(x.fix.unwrap().contains("AllowUnencrypted=\"false\""));
        let x = get(vec![auth(&[("allow_unencrypted", Some(1), None)])], false);
        assert_eq!(x.status, Status::Warning);
        assert_eq!(x.fix, None);
        assert!(x.summary.contains("AllowUnencryptedTraffic = 1 (policy)"));
    }
}
