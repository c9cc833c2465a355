//! `execution_policy.windows_powershell` and `execution_policy.powershell7`:
//! the effective policy of each edition (docs/facts.md#execution-policy-scopes).

use serde_json::{Map, Value};

use super::powershell_version::version_major;
use super::*;
use crate::probe::{Fact, State};

/// Scopes in the order PowerShell evaluates them (docs/facts.md#execution-policy-scopes).
pub const SCOPES: [&str; 5] = [
    "MachinePolicy",
    "UserPolicy",
    "Process",
    "CurrentUser",
    "LocalMachine",
];

const POLICIES: [&str; 6] = [
    "Unrestricted",
    "RemoteSigned",
    "AllSigned",
    "Restricted",
    "Bypass",
    "Undefined",
];

/// Canonical policy name; `Default` and anything unrecognised are Restricted
/// (PowerShell's ParseExecutionPolicy does the same).
pub fn canonical_policy(s: &str) -> &'static str {
    let t = s.trim();
    if t.eq_ignore_ascii_case("default") {
        return "Restricted";
    }
    POLICIES
        .iter()
        .find(|p| p.eq_ignore_ascii_case(t))
        .copied()
        .unwrap_or("Restricted")
}

/// Whether the connector's unsigned implicit-remoting module can load.
pub fn policy_allows_connector(p: &str) -> bool {
    matches!(
        canonical_policy(p),
        "RemoteSigned" | "Unrestricted" | "Bypass"
    )
}

/// The effective policy of a scope list and the scope that decided it
/// (`None` when every scope is Undefined and `fallback` applies).
pub fn effective_policy(
    scopes: &Map<String, Value>,
    fallback: &'static str,
) -> (&'static str, Option<&'static str>) {
    for scope in SCOPES {
        let v = scopes
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(scope))
            .and_then(|(_, v)| v.as_str());
        if let Some(v) = v {
            let p = canonical_policy(v);
            if p != "Undefined" {
                return (p, Some(scope));
            }
        }
    }
    (fallback, None)
}

pub(super) fn scope_list(scopes: &Map<String, Value>) -> String {
    SCOPES
        .iter()
        .map(|s| {
            let v = scopes
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(s))
                .and_then(|(_, v)| v.as_str())
                .unwrap_or("Undefined");
            format!("{}={}", s, v)
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Is the handed-in host this edition? (`Desktop` = Windows PowerShell.)
/// Without edition or version, the host is taken for Windows PowerShell,
/// where the connector runs.
pub(super) fn host_is_edition(f: &Facts, desktop: bool) -> bool {
    if let Some(e) = f.host_str("edition") {
        return e.eq_ignore_ascii_case("desktop") == desktop;
    }
    f.host_str("version")
        .and_then(version_major)
        .map(|m| (m <= 5) == desktop)
        .unwrap_or(desktop)
}

/// Whether the host handed in is PowerShell 7 (Core) rather than Windows
/// PowerShell (the default when neither edition nor version is given).
pub fn host_is_powershell7(facts: &[Fact]) -> bool {
    host_is_edition(&Facts(facts), false)
}

pub(super) fn policy_finding(
    f: &Facts,
    cx: Ctx,
    id: &str,
    product: &str,
    desktop: bool,
    registry_fact: &str,
) -> Finding {
    if !platform_is_windows(f) {
        return cx
            .finding(
                id,
                Status::NotApplicable,
                t!(
                    cx,
                    "execution_policy.not_enforced",
                    product,
                    os = platform_name(f)
                ),
            )
            .with_evidence(vec![format!("os: {}", platform_name(f))]);
    }
    let host_list = f
        .known("host.execution_policy")
        .and_then(|v| v.as_object())
        .filter(|_| host_is_edition(f, desktop));
    // Where a policy scope's value came from, when the probe knows
    // (PowerShell 7: Group Policy or powershell.config.json).
    let mut origin = Map::new();
    let (scopes, source) = if let Some(list) = host_list {
        (list.clone(), "Get-ExecutionPolicy -List (host)")
    } else {
        match f.get(registry_fact) {
            Some(fact) if fact.state == State::Known => {
                let v = fact.value.as_object().cloned().unwrap_or_default();
                if v.get("installed") == Some(&Value::Bool(false)) {
                    return cx
                        .finding(
                            id,
                            Status::NotApplicable,
                            t!(cx, "execution_policy.not_installed", product),
                        )
                        .with_evidence(vec![format!("{}: {}", fact.source, "not found")]);
                }
                if let Some(o) = v.get("origin").and_then(|o| o.as_object()) {
                    origin = o.clone();
                }
                let scopes: Map<String, Value> = v
                    .into_iter()
                    .filter(|(k, _)| SCOPES.contains(&k.as_str()))
                    .collect();
                (scopes, "registry")
            }
            _ => {
                return cx
                    .finding(
                        id,
                        Status::Unknown,
                        t!(cx, "execution_policy.unreadable", product),
                    )
                    .with_evidence(vec![f.reason(registry_fact)]);
            }
        }
    };
    // Every scope Undefined is Restricted on every edition of Windows,
    // Server included (SecuritySupport.cs GetExecutionPolicy has no other
    // fallback; a server is RemoteSigned because its image sets LocalMachine).
    let (mut effective, scope) = effective_policy(&scopes, "Restricted");
    let mut evidence = vec![format!("{}: {}", source, scope_list(&scopes))];
    if host_list.is_some() {
        if let Some(e) = f.host_str("effective_execution_policy") {
            effective = canonical_policy(e);
            evidence.push(format!("Get-ExecutionPolicy (host): {}", e));
        }
    }
    let from_file = scope
        .and_then(|s| origin.get(s))
        .filter(|o| o.get("kind").and_then(|k| k.as_str()) == Some("config_file"))
        .and_then(|o| o.get("place"))
        .and_then(|p| p.as_str())
        .map(str::to_string);
    match scope {
        Some(s) => {
            let place = origin
                .get(s)
                .and_then(|o| o.get("place"))
                .and_then(|p| p.as_str());
            evidence.push(match (place, &from_file) {
                (Some(p), Some(_)) => format!(
                    "effective: {} (scope {}, from PowerShellPolicies.ScriptExecution in {})",
                    effective, s, p
                ),
                (Some(p), None) => format!("effective: {} (scope {}, from {})", effective, s, p),
                (None, _) => format!("effective: {} (scope {})", effective, s),
            })
        }
        None => evidence.push(format!(
            "effective: {} (every scope Undefined: PowerShell's default on every edition of Windows, Server included)",
            effective
        )),
    }
    if policy_allows_connector(effective) {
        return cx
            .finding(
                id,
                Status::Ok,
                t!(cx, "execution_policy.ok", product, policy = effective),
            )
            .with_evidence(evidence);
    }
    let by_policy = matches!(scope, Some("MachinePolicy") | Some("UserPolicy"));
    let mut first = Vec::new();
    let fix;
    if let Some(place) = &from_file {
        first.push(t!(
            cx,
            "execution_policy.from_config_file",
            scope = scope.unwrap_or(""),
            place
        ));
        fix = None;
    } else if by_policy {
        first.push(t!(
            cx,
            "execution_policy.from_group_policy",
            scope = scope.unwrap_or("")
        ));
        fix = None;
    } else if scope == Some("Process") {
        // Setting CurrentUser here writes the value, then fails with
        // ExecutionPolicyOverride: the Process scope still wins.
        first.push(t!(cx, "execution_policy.from_process"));
        fix = Some("Set-ExecutionPolicy -ExecutionPolicy RemoteSigned -Scope Process".to_string());
    } else {
        // Each edition keeps its own CurrentUser value (Windows PowerShell:
        // the registry; PowerShell 7: powershell.config.json), so the fix
        // starts the right one whatever shell it is pasted into.
        let exe = if desktop { "powershell.exe" } else { "pwsh" };
        first.push(if desktop {
            t!(cx, "execution_policy.set_in_windows_powershell")
        } else {
            t!(cx, "execution_policy.set_in_powershell7")
        });
        fix = Some(format!(
            "{} -NoProfile -Command \"Set-ExecutionPolicy -ExecutionPolicy RemoteSigned -Scope CurrentUser -Force\"",
            exe
        ));
    }
    cx.finding(
        id,
        Status::Problem,
        t!(cx, "execution_policy.blocked", product, policy = effective),
    )
    .with_evidence(evidence)
    .with_catalog_resolution(cx, first)
    .with_fix(fix)
}

pub(super) fn execution_policy_windows_powershell(f: &Facts, cx: Ctx) -> Finding {
    policy_finding(
        f,
        cx,
        "execution_policy.windows_powershell",
        "Windows PowerShell",
        true,
        "windows_powershell.execution_policy",
    )
}

pub(super) fn execution_policy_powershell7(f: &Facts, cx: Ctx) -> Finding {
    policy_finding(
        f,
        cx,
        "execution_policy.powershell7",
        "PowerShell 7",
        false,
        "powershell7.execution_policy",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;
    use serde_json::json;

    #[test]
    fn policy_order_and_fallback() {
        let m = |v: Value| v.as_object().unwrap().clone();
        assert_eq!(
            effective_policy(
                &m(json!({"LocalMachine":"Restricted","CurrentUser":"RemoteSigned"})),
                "Restricted"
            ),
            ("RemoteSigned", Some("CurrentUser"))
        );
        assert_eq!(
            effective_policy(
                &m(json!({"MachinePolicy":"AllSigned","CurrentUser":"Bypass"})),
                "Restricted"
            ),
            ("AllSigned", Some("MachinePolicy"))
        );
        assert_eq!(
            effective_policy(&m(json!({"Process":"Undefined"})), "Restricted"),
            ("Restricted", None)
        );
        assert_eq!(canonical_policy("garbage"), "Restricted");
        assert_eq!(canonical_policy("default"), "Restricted");
        assert!(policy_allows_connector("bypass"));
        assert!(!policy_allows_connector("AllSigned"));
    }

    #[test]
    fn every_scope_undefined_is_restricted_on_servers_too() {
        // Windows Server with no policy value anywhere: PowerShell falls
        // back to Restricted (the old rule said RemoteSigned for "Server").
        for kind in ["Server", "Server Core", "Client"] {
            let facts = windows_facts(vec![winps_policy(
                json!({"MachinePolicy":"Undefined","UserPolicy":"Undefined","Process":"Undefined","CurrentUser":"Undefined","LocalMachine":"Undefined","installation_type":kind}),
            )]);
            let f = evaluate(&facts, "en");
            let x = get(&f, "execution_policy.windows_powershell");
            assert_eq!(x.status, Status::Problem, "{}: {:?}", kind, x);
            assert!(
                x.evidence
                    .iter()
                    .any(|e| e.contains("Restricted (every scope Undefined")),
                "{:?}",
                x.evidence
            );
        }
    }

    #[test]
    fn powershell7_policy_from_the_config_file_is_not_fixed_by_set_executionpolicy() {
        // $PSHOME\powershell.config.json PowerShellPolicies.ScriptExecution
        // is the MachinePolicy scope: Set-ExecutionPolicy cannot beat it.
        let place = r"C:\Program Files\PowerShell\7\powershell.config.json";
        let facts = windows_facts(vec![Fact::known(
            "powershell7.execution_policy",
            json!({"installed": true, "pshome": r"C:\Program Files\PowerShell\7",
                   "MachinePolicy":"AllSigned","UserPolicy":"Undefined","Process":"Undefined","CurrentUser":"Undefined","LocalMachine":"RemoteSigned",
                   "origin": {"MachinePolicy": {"kind": "config_file", "place": place}}}),
            "test",
        )]);
        for lang in ["en", "fr"] {
            let f = evaluate(&facts, lang);
            let x = get(&f, "execution_policy.powershell7");
            assert_eq!(x.status, Status::Problem, "{:?}", x);
            assert_eq!(x.fix, None, "{:?}", x);
            let first = &x.resolution.as_ref().unwrap()[0];
            assert!(
                first.contains("PowerShellPolicies.ScriptExecution") && first.contains(place),
                "{}",
                first
            );
            assert!(
                x.evidence.iter().any(|e| e.contains("scope MachinePolicy")),
                "{:?}",
                x.evidence
            );
        }
    }

    #[test]
    fn a_process_scope_gets_a_process_fix() {
        // Set-ExecutionPolicy -Scope CurrentUser would write its value and
        // then throw ExecutionPolicyOverride: Process still decides.
        let facts = windows_facts(vec![winps_policy(
            json!({"MachinePolicy":"Undefined","UserPolicy":"Undefined","Process":"Restricted","CurrentUser":"Undefined","LocalMachine":"RemoteSigned"}),
        )]);
        for lang in ["en", "fr"] {
            let f = evaluate(&facts, lang);
            let x = get(&f, "execution_policy.windows_powershell");
            assert_eq!(x.status, Status::Problem);
            assert_eq!(
                x.fix.as_deref(),
                Some("Set-ExecutionPolicy -ExecutionPolicy RemoteSigned -Scope Process")
            );
        }
    }

    #[test]
    fn each_edition_is_fixed_in_its_own_shell() {
        // From pwsh, Set-ExecutionPolicy writes PowerShell 7's config file,
        // not Windows PowerShell's registry (and the other way round).
        let facts = windows_facts(vec![
            winps_policy(
                json!({"MachinePolicy":"Undefined","UserPolicy":"Undefined","Process":"Undefined","CurrentUser":"Undefined","LocalMachine":"Restricted"}),
            ),
            Fact::known(
                "powershell7.execution_policy",
                json!({"installed": true, "MachinePolicy":"Undefined","UserPolicy":"Undefined","Process":"Undefined","CurrentUser":"Undefined","LocalMachine":"AllSigned","origin":{}}),
                "test",
            ),
        ]);
        let f = evaluate(&facts, "en");
        let w = get(&f, "execution_policy.windows_powershell");
        assert!(
            w.fix.as_deref().unwrap().starts_with("powershell.exe -NoProfile -Command \"Set-ExecutionPolicy -ExecutionPolicy RemoteSigned -Scope CurrentUser"),
            "{:?}",
            w.fix
        );
        assert!(w.resolution.as_ref().unwrap()[0].contains("powershell.exe"));
        let p = get(&f, "execution_policy.powershell7");
        assert!(
            p.fix.as_deref().unwrap().starts_with("pwsh -NoProfile -Command \"Set-ExecutionPolicy -ExecutionPolicy RemoteSigned -Scope CurrentUser"),
            "{:?}",
            p.fix
        );
        let fr = evaluate(&facts, "fr");
        assert!(get(&fr, "execution_policy.powershell7")
            .resolution
            .as_ref()
            .unwrap()[0]
            .starts_with("Définissez-la dans PowerShell 7"));
        // After an error from pwsh, PowerShell 7's finding (and fix) leads.
        let mut core = facts.clone();
        core.push(Fact::known("host.edition", json!("Core"), "test"));
        let f = with_error(&core, &["execution_policy"], "en");
        assert_eq!(f[0].id, "execution_policy.powershell7");
        let f = with_error(&facts, &["execution_policy"], "en");
        assert_eq!(f[0].id, "execution_policy.windows_powershell");
    }
}
