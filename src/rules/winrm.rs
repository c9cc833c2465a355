//! `winrm.basic_auth`: WinRM client Basic authentication; Group Policy
//! AllowBasic wins over the local auth_basic.

use serde_json::Value;

use super::*;
use crate::probe::{Fact, State};

pub(super) fn dword(v: &Value) -> Option<i64> {
    v.as_i64()
}

/// The command that allows Basic for the WinRM client.
const WINRM_SET_BASIC: &str = "winrm set winrm/config/client/auth '@{Basic=\"true\"}'";

pub(super) fn winrm_service_evidence(f: &Facts) -> String {
    match f.known("service.winrm") {
        Some(v) if service_installed(v) => format!(
            "service WinRM: state {}, start type {}",
            v.get("state").and_then(|x| x.as_str()).unwrap_or("unknown"),
            v.get("start_type")
                .and_then(|x| x.as_str())
                .unwrap_or("unknown")
        ),
        Some(_) => "service WinRM: not installed".to_string(),
        None => format!("service WinRM: {}", f.reason("service.winrm")),
    }
}

/// The step and the fix that allow WinRM client Basic locally. `winrm set`
/// talks to the WinRM service, which must run, and writes HKLM, which needs
/// an elevated prompt; the service is disabled by default on Windows
/// clients, and Start-Service fails on a disabled service, so its start
/// type comes first when it is disabled (or not known).
pub(super) fn winrm_enable_basic(f: &Facts, cx: Ctx) -> (String, String) {
    let step = t!(cx, "winrm.enable_basic_step");
    (
        step,
        format!("{}{}", winrm_service_prefix(f), WINRM_SET_BASIC),
    )
}

/// What must run before a command that changes the WinRM client
/// configuration (`winrm set`, the `WSMan:` drive, `Enable-WSManCredSSP`):
/// they go through the WinRM service, so it is started, and allowed to
/// start first when it is disabled (or not known).
pub(super) fn winrm_service_prefix(f: &Facts) -> String {
    let svc = f.known("service.winrm").filter(|v| service_installed(v));
    let state = svc.and_then(|v| v.get("state")).and_then(|x| x.as_str());
    let start = svc
        .and_then(|v| v.get("start_type"))
        .and_then(|x| x.as_str());
    match (state, start) {
        (Some("running"), _) => String::new(),
        (Some(_), Some("disabled")) => {
            "Set-Service -Name WinRM -StartupType Manual; Start-Service -Name WinRM; ".to_string()
        }
        (Some(_), Some(_)) => "Start-Service -Name WinRM; ".to_string(),
        _ => "if ((Get-Service -Name WinRM).StartType -eq 'Disabled') { Set-Service -Name WinRM -StartupType Manual }; Start-Service -Name WinRM; ".to_string(),
    }
}

pub(super) fn winrm_basic_auth(f: &Facts, cx: Ctx) -> Finding {
    let id = "winrm.basic_auth";
    if let Some(na) = windows_only(f, cx, id, "winrm.not_windows") {
        return na;
    }
    let policy = f.get("winrm.client.allow_basic_policy");
    let local = f.get("winrm.client.auth_basic");
    let (policy, local) = match (policy, local) {
        (Some(pf), Some(lf)) if pf.state == State::Known && lf.state == State::Known => (pf, lf),
        _ => {
            return cx
                .finding(id, Status::Unknown, t!(cx, "winrm.unreadable"))
                .with_evidence(vec![
                    f.reason("winrm.client.allow_basic_policy"),
                    f.reason("winrm.client.auth_basic"),
                ]);
        }
    };
    let show = |fact: &Fact| match dword(&fact.value) {
        Some(n) => format!("{} = {}", fact.source, n),
        None => format!("{}: not set", fact.source),
    };
    let evidence = vec![show(policy), show(local)];
    if let Some(n) = dword(&policy.value) {
        if n == 0 {
            return cx
                .finding(id, Status::Problem, t!(cx, "winrm.policy_disables"))
                .with_evidence(evidence)
                .with_catalog_resolution(cx, Vec::new())
                .with_fix(None);
        }
        return cx
            .finding(id, Status::Ok, t!(cx, "winrm.policy_allows"))
            .with_evidence(evidence);
    }
    match dword(&local.value) {
        Some(0) => {
            let (step, fix) = winrm_enable_basic(f, cx);
            let mut evidence = evidence;
            evidence.push(winrm_service_evidence(f));
            cx.finding(id, Status::Problem, t!(cx, "winrm.local_disables"))
                .with_evidence(evidence)
                .with_catalog_resolution(cx, vec![step])
                .with_fix(Some(fix))
        }
        Some(_) => cx
            .finding(id, Status::Ok, t!(cx, "winrm.local_allows"))
            .with_evidence(evidence),
        None => cx
            .finding(id, Status::Ok, t!(cx, "winrm.default_allows"))
            .with_evidence(evidence),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;
    use serde_json::json;

    #[test]
    fn winrm_basic_is_fixed_from_an_elevated_prompt_with_the_service_running() {
        let off = Fact::known("winrm.client.auth_basic", json!(0), "test");
        let svc = |state: &str, start: &str| {
            Fact::known(
                "service.winrm",
                json!({"installed": true, "state": state, "start_type": start}),
                "test",
            )
        };
        let fix_for = |extra: Vec<Fact>| {
            let mut v = vec![off.clone()];
            v.extend(extra);
            let f = evaluate(&windows_facts(v), "en");
            let x = get(&f, "winrm.basic_auth").clone();
            assert_eq!(x.status, Status::Problem);
            assert!(
                x.resolution.as_ref().unwrap()[0].contains("elevated prompt"),
                "{:?}",
                x.resolution
            );
            x.fix.unwrap()
        };
        let set = "winrm set winrm/config/client/auth '@{Basic=\"true\"}'";
        // Disabled (the client default): allowed to start, started, then set.
        assert_eq!(
            fix_for(vec![svc("stopped", "disabled")]),
            format!(
                "Set-Service -Name WinRM -StartupType Manual; Start-Service -Name WinRM; {}",
                set
            )
        );
        assert_eq!(
            fix_for(vec![svc("stopped", "manual")]),
            format!("Start-Service -Name WinRM; {}", set)
        );
        assert_eq!(fix_for(vec![svc("running", "auto")]), set);
        // Service not known: the fix checks the start type itself.
        let fix = fix_for(vec![]);
        assert!(fix.starts_with("if ((Get-Service -Name WinRM).StartType -eq 'Disabled')"));
        assert!(fix.ends_with(set));
    }
}
