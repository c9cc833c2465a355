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
pub(super) fn winrm_enable_basic(f: &Facts, lang: &str) -> (String, String) {
    let svc = f.known("service.winrm").filter(|v| service_installed(v));
    let state = svc.and_then(|v| v.get("state")).and_then(|x| x.as_str());
    let start = svc
        .and_then(|v| v.get("start_type"))
        .and_then(|x| x.as_str());
    let prefix = match (state, start) {
        (Some("running"), _) => String::new(),
        (Some(_), Some("disabled")) => {
            "Set-Service -Name WinRM -StartupType Manual; Start-Service -Name WinRM; ".to_string()
        }
        (Some(_), Some(_)) => "Start-Service -Name WinRM; ".to_string(),
        _ => "if ((Get-Service -Name WinRM).StartType -eq 'Disabled') { Set-Service -Name WinRM -StartupType Manual }; Start-Service -Name WinRM; ".to_string(),
    };
    let step = t!(
        lang,
        "Run the fix from an elevated prompt (Run as administrator): winrm set writes the machine's WinRM configuration through the WinRM service, which must be running; that service is disabled by default on Windows clients, so it is allowed to start (Set-Service -StartupType Manual) and started first. Without the service, an elevated prompt can write the value directly: Set-ItemProperty -Path HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\WSMAN\\Client -Name auth_basic -Value 1.",
        "Exécutez la commande depuis une invite élevée (Exécuter en tant qu'administrateur) : winrm set écrit la configuration WinRM de l'ordinateur par le service WinRM, qui doit s'exécuter ; ce service est désactivé par défaut sur les postes clients Windows, il faut donc d'abord autoriser son démarrage (Set-Service -StartupType Manual) et le démarrer. Sans le service, une invite élevée peut écrire la valeur directement : Set-ItemProperty -Path HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\WSMAN\\Client -Name auth_basic -Value 1."
    );
    (step, format!("{}{}", prefix, WINRM_SET_BASIC))
}

pub(super) fn winrm_basic_auth(f: &Facts, lang: &str) -> Finding {
    let id = "winrm.basic_auth";
    let p = Some("winrm_basic_auth");
    if !platform_is_windows(f) {
        return finding(
            id,
            p,
            Status::NotApplicable,
            t!(
                lang,
                "The WinRM client configuration exists on Windows only.",
                "La configuration du client WinRM n'existe que sous Windows."
            ),
        )
        .with_evidence(vec![format!("os: {}", platform_name(f))]);
    }
    let policy = f.get("winrm.client.allow_basic_policy");
    let local = f.get("winrm.client.auth_basic");
    let (policy, local) = match (policy, local) {
        (Some(pf), Some(lf)) if pf.state == State::Known && lf.state == State::Known => (pf, lf),
        _ => {
            return finding(
                id,
                p,
                Status::Unknown,
                t!(
                    lang,
                    "The WinRM client configuration could not be read.",
                    "La configuration du client WinRM n'a pas pu être lue."
                ),
            )
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
            return finding(
                id,
                p,
                Status::Problem,
                t!(
                    lang,
                    "Group Policy disables WinRM client Basic authentication (AllowBasic = 0); local settings cannot override it.",
                    "Une stratégie de groupe désactive l'authentification de base du client WinRM (AllowBasic = 0) ; la configuration locale ne peut pas la remplacer."
                ),
            )
            .with_evidence(evidence)
            .with_catalog_resolution(lang, Vec::new())
            .with_fix(None);
        }
        return finding(
            id,
            p,
            Status::Ok,
            t!(
                lang,
                "Group Policy allows WinRM client Basic authentication.",
                "Une stratégie de groupe autorise l'authentification de base du client WinRM."
            ),
        )
        .with_evidence(evidence);
    }
    match dword(&local.value) {
        Some(0) => {
            let (step, fix) = winrm_enable_basic(f, lang);
            let mut evidence = evidence;
            evidence.push(winrm_service_evidence(f));
            finding(
                id,
                p,
                Status::Problem,
                t!(
                    lang,
                    "WinRM client Basic authentication is disabled in the local configuration (auth_basic = 0).",
                    "L'authentification de base du client WinRM est désactivée dans la configuration locale (auth_basic = 0)."
                ),
            )
            .with_evidence(evidence)
            .with_catalog_resolution(lang, vec![step])
            .with_fix(Some(fix))
        }
        Some(_) => finding(
            id,
            p,
            Status::Ok,
            t!(
                lang,
                "WinRM client Basic authentication is allowed (local configuration).",
                "L'authentification de base du client WinRM est autorisée (configuration locale)."
            ),
        )
        .with_evidence(evidence),
        None => finding(
            id,
            p,
            Status::Ok,
            t!(
                lang,
                "WinRM client Basic authentication is allowed (neither policy nor local setting: the default is allowed).",
                "L'authentification de base du client WinRM est autorisée (ni stratégie ni réglage local : autorisée par défaut)."
            ),
        )
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
