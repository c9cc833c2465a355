//! `winrm.trusted_hosts`: the WinRM client's TrustedHosts list (Group
//! Policy's when its policy is enabled, else the local one), and whether
//! the host the error names is in it. The list matters for NTLM over HTTP
//! (an IP address, a workgroup or untrusted-domain computer): Kerberos and
//! HTTPS need no entry (docs/facts.md#trustedhosts).

use serde_json::Value;

use super::winrm::winrm_service_prefix;
use super::*;
use crate::probe::State;

/// Whether `text` matches a TrustedHosts or SPN pattern: without case, `*`
/// standing for any run of characters (`*`, `*.contoso.com`, `192.168.1.*`).
pub(super) fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.trim().to_lowercase().chars().collect();
    let t: Vec<char> = text.trim().to_lowercase().chars().collect();
    // Iterative match with one backtrack point (the last `*`).
    let (mut i, mut j) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while j < t.len() {
        if i < p.len() && p[i] == '*' {
            star = Some((i, j));
            i += 1;
        } else if i < p.len() && p[i] == t[j] {
            i += 1;
            j += 1;
        } else if let Some((si, sj)) = star {
            i = si + 1;
            j = sj + 1;
            star = Some((si, sj + 1));
        } else {
            return false;
        }
    }
    while i < p.len() && p[i] == '*' {
        i += 1;
    }
    i == p.len()
}

/// The entry of a TrustedHosts list that lets `host` in, if any.
pub(super) fn trusted_entry<'a>(entries: &'a [String], host: &str) -> Option<&'a str> {
    entries
        .iter()
        .map(|e| e.as_str())
        .find(|e| glob_match(e, host))
}

/// The host the error names, with the transport of its probe (`winrm.target`).
pub(super) fn error_target<'a>(f: &Facts<'a>) -> Option<(&'a str, &'a str)> {
    let v = &f.get("winrm.target")?.value;
    let host = v.get("host").and_then(|x| x.as_str())?;
    let transport = v
        .get("transport")
        .and_then(|x| x.as_str())
        .unwrap_or("http");
    Some((host, transport))
}

fn strings(v: &Value, key: &str) -> Vec<String> {
    v.get(key)
        .and_then(|x| x.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// `winrm.trusted_hosts`; `needed` after a TrustedHosts error (facts.json
/// `named_by`): a host not in the list is then a problem.
pub(super) fn winrm_trusted_hosts(f: &Facts, cx: Ctx, needed: bool) -> Finding {
    let id = "winrm.trusted_hosts";
    if let Some(na) = windows_only(f, cx, id, "winrm_trusted_hosts.not_windows") {
        return na;
    }
    let fact = match f.get("winrm.client.trusted_hosts") {
        Some(x) if x.state == State::Known => x,
        _ => {
            return cx
                .finding(
                    id,
                    Status::Unknown,
                    t!(cx, "winrm_trusted_hosts.unreadable"),
                )
                .with_evidence(vec![f.reason("winrm.client.trusted_hosts")])
        }
    };
    let v = &fact.value;
    let list = v.get("list").and_then(|x| x.as_str()).unwrap_or("");
    let from_policy = v.get("from").and_then(|x| x.as_str()) == Some("policy");
    let entries = strings(v, "entries");
    let show = |x: Option<&Value>| match x {
        Some(Value::Null) | None => "not set".to_string(),
        Some(Value::String(s)) => format!("{:?}", s),
        Some(other) => other.to_string(),
    };
    let mut evidence = vec![
        format!(
            r"HKLM\SOFTWARE\Policies\Microsoft\Windows\WinRM\Client TrustedHosts: {}, TrustedHostsList: {}",
            show(v.pointer("/policy/enabled")),
            show(v.pointer("/policy/list"))
        ),
        format!(
            r"HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\WSMAN\Client trusted_hosts: {}",
            show(v.get("local"))
        ),
    ];
    let target = error_target(f);
    let (host, transport) = match target {
        Some(t) => t,
        None if needed => {
            return cx
                .finding(
                    id,
                    Status::Warning,
                    t!(cx, "winrm_trusted_hosts.no_host", list),
                )
                .with_evidence(evidence)
                .with_catalog_resolution(cx, Vec::new());
        }
        None => {
            let summary = if entries.is_empty() {
                t!(cx, "winrm_trusted_hosts.empty")
            } else {
                t!(cx, "winrm_trusted_hosts.set", list)
            };
            return cx.finding(id, Status::Ok, summary).with_evidence(evidence);
        }
    };
    evidence.push(format!("host named in the error: {} ({})", host, transport));
    if let Some(entry) = trusted_entry(&entries, host) {
        return cx
            .finding(
                id,
                Status::Ok,
                t!(cx, "winrm_trusted_hosts.listed", host, entry),
            )
            .with_evidence(evidence);
    }
    // NTLM over HTTP needs the entry: always for an IP address; for a name
    // only when Kerberos cannot be used, which the error says.
    let ip = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<std::net::IpAddr>()
        .is_ok();
    if !(needed || (ip && transport == "http")) {
        return cx
            .finding(
                id,
                Status::Ok,
                t!(cx, "winrm_trusted_hosts.not_listed_ok", host),
            )
            .with_evidence(evidence);
    }
    let status = Status::problem_if(needed);
    let out = cx
        .finding(
            id,
            status,
            t!(cx, "winrm_trusted_hosts.not_listed", host, list),
        )
        .with_evidence(evidence);
    if from_policy {
        return out
            .with_catalog_resolution(cx, vec![t!(cx, "winrm_trusted_hosts.policy_step", host)])
            .with_fix(None);
    }
    let fix = format!(
        "{}Set-Item -Path WSMan:\\localhost\\Client\\TrustedHosts -Value '{}' -Concatenate -Force",
        winrm_service_prefix(f),
        host
    );
    out.with_catalog_resolution(cx, vec![t!(cx, "winrm_trusted_hosts.add_step")])
        .with_fix(Some(fix))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;
    use serde_json::json;

    #[test]
    fn trusted_hosts_patterns_as_winrm_reads_them() {
        let l: Vec<String> = ["srv01", "*.contoso.com", "192.168.10.*"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(trusted_entry(&l, "SRV01"), Some("srv01"));
        assert_eq!(trusted_entry(&l, "web.contoso.com"), Some("*.contoso.com"));
        assert_eq!(trusted_entry(&l, "a.b.contoso.com"), Some("*.contoso.com"));
        assert_eq!(trusted_entry(&l, "192.168.10.7"), Some("192.168.10.*"));
        assert_eq!(trusted_entry(&l, "srv01.contoso.org"), None);
        assert_eq!(trusted_entry(&l, "contoso.com"), None);
        assert_eq!(trusted_entry(&l, "srv011"), None);
        assert_eq!(
            trusted_entry(&["*".to_string()], "anything.at.all"),
            Some("*")
        );
        assert!(glob_match("WSMAN/*.contoso.com", "wsman/srv01.contoso.com"));
        assert!(!glob_match(
            "WSMAN/*.contoso.com",
            "TERMSRV/srv01.contoso.com"
        ));
        assert!(glob_match("a*b*c", "aXXbYYc"));
        assert!(!glob_match("a*b*c", "aXXbYY"));
    }

    fn trusted(list: &str, from: &str) -> Fact {
        trusted_hosts_fact(list, from)
    }

    fn target(host: &str, transport: &str) -> Fact {
        target_fact(host, transport, "ok", "reachable")
    }

    #[test]
    fn the_error_host_is_looked_for_in_the_list() {
        let get_th = |facts: Vec<Fact>, named: bool| {
            let facts = windows_facts(facts);
            if named {
                with_error(&facts, &["trustedhosts_required"], "en")
            } else {
                evaluate(&facts, "en")
            }
            .into_iter()
            .find(|x| x.id == "winrm.trusted_hosts")
            .unwrap()
        };
        // No error: the list, whatever it holds, is no problem.
        let x = get_th(vec![trusted("", "none")], false);
        assert_eq!(x.status, Status::Ok);
        assert!(x.summary.contains("empty"), "{}", x.summary);
        // The TrustedHosts error, the host missing: a problem, first, with
        // the fix that adds it (the WinRM service started first).
        let x = get_th(
            vec![
                trusted("srv02", "local"),
                target("srv01.contoso.com", "http"),
            ],
            true,
        );
        assert_eq!(x.status, Status::Problem);
        assert_eq!(x.explains, vec!["trustedhosts_required".to_string()]);
        let fix = x.fix.unwrap();
        assert!(
            fix.ends_with("Set-Item -Path WSMan:\\localhost\\Client\\TrustedHosts -Value 'srv01.contoso.com' -Concatenate -Force"),
            "{}",
            fix
        );
        assert!(fix.contains("Start-Service -Name WinRM"), "{}", fix);
        // Listed through a wildcard: ok, naming the entry.
        let x = get_th(
            vec![
                trusted("srv02, *.contoso.com", "local"),
                target("srv01.contoso.com", "http"),
            ],
            true,
        );
        assert_eq!(x.status, Status::Ok);
        assert!(x.summary.contains("*.contoso.com"), "{}", x.summary);
        // Group Policy's list: no local fix, ask its administrators.
        let x = get_th(
            vec![
                trusted("srv02", "policy"),
                target("srv01.contoso.com", "http"),
            ],
            true,
        );
        assert_eq!(x.status, Status::Problem);
        assert_eq!(x.fix, None);
        assert!(x.resolution.unwrap()[0].contains("Group Policy"));
        // Another error, an IP address over HTTP: a warning (NTLM needs it);
        // a name: only said.
        let x = get_th(vec![trusted("", "none"), target("10.0.0.5", "http")], false);
        assert_eq!(x.status, Status::Warning);
        let x = get_th(
            vec![trusted("", "none"), target("10.0.0.5", "https")],
            false,
        );
        assert_eq!(x.status, Status::Ok);
        let x = get_th(
            vec![trusted("", "none"), target("srv01.contoso.com", "http")],
            false,
        );
        assert_eq!(x.status, Status::Ok);
        // Unreadable: unknown with the reason; elsewhere: not applicable.
        let x = get_th(
            vec![Fact::unknown(
                "winrm.client.trusted_hosts",
                "test",
                "denied",
            )],
            false,
        );
        assert_eq!(x.status, Status::Unknown);
        let f = evaluate(&[Fact::known("os", json!("linux"), "test")], "en");
        assert_eq!(status_of(&f, "winrm.trusted_hosts"), Status::NotApplicable);
    }
}
