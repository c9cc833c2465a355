//! The successors' own causes, from what PowerShell reports about itself:
//! `modules.versions` (the Microsoft 365 admin modules installed side by
//! side, and the one loaded), `modules.assemblies` (two builds of a sign-in
//! assembly loaded in one session) and `gallery.tools` (PowerShellGet and
//! the NuGet provider of Windows PowerShell 5.1).
//! Sources: docs/facts.md#successor-modules.

use serde_json::Value;
use std::collections::BTreeMap;

use super::*;
use crate::rules::execution_policy::host_is_edition;

fn text<'a>(m: &'a Value, key: &str) -> &'a str {
    m.get(key).and_then(|x| x.as_str()).unwrap_or("")
}

/// Versions compared as numbers part by part; what is not a version sorts
/// first.
fn version_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    match (version_older(a, b), version_older(b, a)) {
        (Some(true), _) => std::cmp::Ordering::Less,
        (_, Some(true)) => std::cmp::Ordering::Greater,
        (Some(false), Some(false)) => std::cmp::Ordering::Equal,
        _ => a.cmp(b),
    }
}

/// One module as the host reported it: its versions installed (newest
/// first) and the ones loaded.
#[derive(Default)]
struct Module {
    name: String,
    installed: Vec<String>,
    loaded: Vec<String>,
}

fn modules_by_name(list: &[Value], wanted: &dyn Fn(&str) -> bool) -> Vec<Module> {
    let mut by: BTreeMap<String, Module> = BTreeMap::new();
    for m in list {
        let name = text(m, "name");
        if !wanted(name) {
            continue;
        }
        let e = by.entry(name.to_ascii_lowercase()).or_default();
        if e.name.is_empty() {
            e.name = name.to_string();
        }
        let v = text(m, "version").to_string();
        if !e.installed.contains(&v) {
            e.installed.push(v.clone());
        }
        if m.get("loaded").and_then(|x| x.as_bool()) == Some(true) && !e.loaded.contains(&v) {
            e.loaded.push(v);
        }
    }
    let mut out: Vec<Module> = by.into_values().collect();
    for m in out.iter_mut() {
        m.installed.sort_by(|a, b| version_cmp(b, a));
        m.loaded.sort_by(|a, b| version_cmp(b, a));
    }
    out
}

fn describe(m: &Module) -> String {
    let versions: Vec<String> = m
        .installed
        .iter()
        .map(|v| {
            if m.loaded.contains(v) {
                format!("{} (loaded)", v)
            } else {
                v.clone()
            }
        })
        .collect();
    format!("Get-Module (host): {} {}", m.name, versions.join(", "))
}

/// `modules.versions`: a loaded module older than one installed beside it,
/// or two versions of one module loaded at once: the session runs the old
/// one's cmdlets (a parameter the newer one has is missing).
pub(super) fn modules_versions(f: &Facts, cx: Ctx) -> Finding {
    let id = "modules.versions";
    let list = match f.known("host.modules").and_then(|v| v.as_array()) {
        Some(l) => l,
        None => {
            return cx
                .finding(id, Status::Unknown, t!(cx, "modules.unknown"))
                .with_evidence(vec![f.reason("host.modules")])
        }
    };
    let known = cx.facts();
    let modules = modules_by_name(list, &|n| known.is_successor_module(n));
    let evidence: Vec<String> = modules.iter().map(describe).collect();
    if modules.is_empty() {
        return cx
            .finding(
                id,
                Status::Ok,
                t!(
                    cx,
                    "modules.none",
                    modules = known.modules.successors.join(", ")
                ),
            )
            .with_evidence(evidence);
    }
    let mut steps = Vec::new();
    let mut summaries = Vec::new();
    for m in &modules {
        let newest = &m.installed[0];
        if m.loaded.len() > 1 {
            summaries.push(t!(
                cx,
                "modules.loaded_twice",
                module = m.name,
                versions = m.loaded.join(", ")
            ));
        } else if let Some(l) = m.loaded.first() {
            if version_older(l, newest) == Some(true) {
                summaries.push(t!(
                    cx,
                    "modules.loaded_old",
                    module = m.name,
                    loaded = l,
                    newest = newest
                ));
            } else {
                continue;
            }
        } else {
            continue;
        }
        steps.push(t!(cx, "modules.step", module = m.name, newest = newest));
    }
    if summaries.is_empty() {
        return cx
            .finding(id, Status::Ok, t!(cx, "modules.ok"))
            .with_evidence(evidence);
    }
    cx.finding(id, Status::Warning, summaries.join(" "))
        .with_evidence(evidence)
        .with_catalog_resolution(cx, steps)
}

/// `modules.assemblies`; `needed` after an assembly conflict error
/// (facts.json `named_by`): two builds loaded are then a problem.
pub(super) fn modules_assemblies(f: &Facts, cx: Ctx, needed: bool) -> Finding {
    let id = "modules.assemblies";
    let list = match f.known("host.assemblies").and_then(|v| v.as_array()) {
        Some(l) => l,
        None => {
            return cx
                .finding(id, Status::Unknown, t!(cx, "assemblies.unknown"))
                .with_evidence(vec![f.reason("host.assemblies")])
        }
    };
    let known = cx.facts();
    let mut by: BTreeMap<String, (String, Vec<String>)> = BTreeMap::new();
    let mut evidence = Vec::new();
    for a in list {
        let name = text(a, "name");
        if !known
            .modules
            .assemblies
            .iter()
            .any(|n| n.eq_ignore_ascii_case(name))
        {
            continue;
        }
        let version = text(a, "version");
        let mut line = format!("loaded: {} {}", name, version);
        let location = text(a, "location");
        if !location.is_empty() {
            line.push_str(&format!(" from {}", location));
        }
        let context = text(a, "context");
        if !context.is_empty() {
            line.push_str(&format!(" (load context {})", context));
        }
        evidence.push(line);
        let e = by
            .entry(name.to_ascii_lowercase())
            .or_insert_with(|| (name.to_string(), Vec::new()));
        if !e.1.iter().any(|v| v == version) {
            e.1.push(version.to_string());
        }
    }
    let twice: Vec<&(String, Vec<String>)> = by.values().filter(|(_, v)| v.len() > 1).collect();
    if twice.is_empty() {
        let summary = if by.is_empty() {
            t!(
                cx,
                "assemblies.none",
                assemblies = known.modules.assemblies.join(", ")
            )
        } else {
            t!(cx, "assemblies.ok")
        };
        return cx.finding(id, Status::Ok, summary).with_evidence(evidence);
    }
    let summary = twice
        .iter()
        .map(|(name, versions)| {
            let mut v = versions.clone();
            v.sort_by(|a, b| version_cmp(a, b));
            t!(
                cx,
                "assemblies.conflict",
                assembly = name,
                versions = v.join(", ")
            )
        })
        .collect::<Vec<_>>()
        .join(" ");
    let status = Status::problem_if(needed);
    cx.finding(id, status, summary)
        .with_evidence(evidence)
        .with_catalog_resolution(cx, Vec::new())
}

/// `gallery.tools`: what `Install-Module` needs in Windows PowerShell 5.1
/// besides the network: PowerShellGet 2 or later (5.1 ships 1.0.0.1, which
/// also needs the NuGet provider and asks to download it first).
pub(super) fn gallery_tools(f: &Facts, cx: Ctx) -> Finding {
    let id = "gallery.tools";
    let list = match f.known("host.modules").and_then(|v| v.as_array()) {
        Some(l) => l,
        None => {
            return cx
                .finding(id, Status::Unknown, t!(cx, "gallery.unknown"))
                .with_evidence(vec![f.reason("host.modules")])
        }
    };
    let known = cx.facts();
    let tools = modules_by_name(list, &|n| {
        known
            .modules
            .gallery
            .iter()
            .any(|g| g.eq_ignore_ascii_case(n))
    });
    let mut evidence: Vec<String> = tools.iter().map(describe).collect();
    let provider = f
        .get("host.nuget_provider")
        .filter(|x| x.state == State::Known);
    match provider.map(|p| &p.value) {
        Some(Value::Null) => evidence.push("NuGet provider: not installed".into()),
        Some(p) => evidence.push(format!(
            "NuGet provider: {} at {}",
            text(p, "version"),
            text(p, "path")
        )),
        None => evidence.push(f.reason("host.nuget_provider")),
    }
    if !host_is_edition(f, true) {
        return cx
            .finding(id, Status::Ok, t!(cx, "gallery.core"))
            .with_evidence(evidence);
    }
    let get = tools
        .iter()
        .find(|m| m.name.eq_ignore_ascii_case(&known.modules.gallery[0]));
    let newest = get.and_then(|m| m.installed.first()).map(|s| s.as_str());
    // PowerShellGet 2 and later bring the NuGet components themselves: the
    // provider matters with the inbox 1.0.0.1 only.
    let mut summaries = Vec::new();
    match newest {
        Some(v) if version_older(v, "2.0") == Some(true) => {
            summaries.push(t!(cx, "gallery.old_powershellget", version = v));
            if matches!(provider.map(|p| &p.value), Some(Value::Null)) {
                summaries.push(t!(cx, "gallery.no_nuget"));
            }
        }
        None => summaries.push(t!(cx, "gallery.no_powershellget")),
        _ => {}
    }
    if summaries.is_empty() {
        return cx
            .finding(id, Status::Ok, t!(cx, "gallery.ok"))
            .with_evidence(evidence);
    }
    cx.finding(id, Status::Warning, summaries.join(" "))
        .with_evidence(evidence)
        .with_catalog_resolution(cx, vec![t!(cx, "gallery.step")])
        .with_fix(Some(GALLERY_FIX.to_string()))
}

/// TLS 1.2 for this session, the NuGet provider and a current
/// PowerShellGet, for the current user (no elevation).
const GALLERY_FIX: &str = "[Net.ServicePointManager]::SecurityProtocol = [Net.ServicePointManager]::SecurityProtocol -bor [Net.SecurityProtocolType]::Tls12; Install-PackageProvider -Name NuGet -MinimumVersion 2.8.5.201 -Scope CurrentUser -Force; Install-Module -Name PowerShellGet -Scope CurrentUser -AllowClobber -Force";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::Fact;
    use crate::rules::testing::*;
    use serde_json::json;

    fn host(extra: Vec<Fact>) -> Vec<Fact> {
        let mut v = vec![
            Fact::known("host.edition", json!("Desktop"), "test"),
            Fact::known("host.version", json!("5.1.19041.1"), "test"),
        ];
        v.extend(extra);
        windows_facts(v)
    }

    fn modules(list: Value) -> Fact {
        Fact::known("host.modules", list, "test")
    }

    fn assemblies(list: Value) -> Fact {
        Fact::known("host.assemblies", list, "test")
    }

    #[test]
    fn a_loaded_module_older_than_one_installed_beside_it_is_a_warning() {
        let both = json!([
            {"name": "ExchangeOnlineManagement", "version": "2.0.5", "path": "a", "loaded": true},
            {"name": "ExchangeOnlineManagement", "version": "3.4.0", "path": "b", "loaded": false},
            {"name": "MicrosoftTeams", "version": "6.1.0", "path": "c", "loaded": false},
        ]);
        let x = evaluate(&host(vec![modules(both)]), "en");
        let m = get(&x, "modules.versions");
        assert_eq!(m.status, Status::Warning, "{:?}", m);
        assert!(
            m.summary.contains("2.0.5") && m.summary.contains("3.4.0"),
            "{}",
            m.summary
        );
        assert_eq!(m.problem.as_deref(), Some("module_version_mismatch"));
        assert!(
            m.evidence
                .iter()
                .any(|e| e.contains("3.4.0, 2.0.5 (loaded)")),
            "{:?}",
            m.evidence
        );
        assert!(m.resolution.as_ref().unwrap()[0].contains("ExchangeOnlineManagement"));
        // The newest loaded: fine; versions compare as numbers (10 > 9).
        let fine = json!([
            {"name": "MicrosoftTeams", "version": "5.9.0", "path": "a", "loaded": false},
            {"name": "MicrosoftTeams", "version": "5.10.0", "path": "b", "loaded": true},
        ]);
        assert_eq!(
            status_of(
                &evaluate(&host(vec![modules(fine)]), "en"),
                "modules.versions"
            ),
            Status::Ok
        );
        // Two versions loaded at once.
        let twice = json!([
            {"name": "MicrosoftTeams", "version": "5.9.0", "path": "a", "loaded": true},
            {"name": "MicrosoftTeams", "version": "5.10.0", "path": "b", "loaded": true},
        ]);
        let x = evaluate(&host(vec![modules(twice)]), "en");
        assert_eq!(status_of(&x, "modules.versions"), Status::Warning);
        // Other modules are not this rule's business; without host facts it
        // says it does not know.
        let other = json!([{"name": "Az.Accounts", "version": "1.0", "path": "a", "loaded": true},
                           {"name": "Az.Accounts", "version": "2.0", "path": "b", "loaded": false}]);
        let x = evaluate(&host(vec![modules(other)]), "en");
        assert_eq!(status_of(&x, "modules.versions"), Status::Ok);
        assert!(get(&x, "modules.versions")
            .summary
            .contains("MicrosoftTeams"));
        assert_eq!(
            status_of(&evaluate(&windows_facts(vec![]), "en"), "modules.versions"),
            Status::Unknown
        );
    }

    #[test]
    fn two_builds_of_msal_loaded_are_a_warning_then_the_cause_of_the_error() {
        let two = json!([
            {"name": "Microsoft.Identity.Client", "version": "4.61.3.0", "location": "/m/a.dll", "context": "Default"},
            {"name": "Microsoft.Identity.Client", "version": "4.65.0.0", "location": "/m/b.dll"},
            {"name": "System.IdentityModel.Tokens.Jwt", "version": "6.35.0.0", "location": "/m/c.dll"},
        ]);
        let x = evaluate(&host(vec![assemblies(two.clone())]), "en");
        let a = get(&x, "modules.assemblies");
        assert_eq!(a.status, Status::Warning, "{:?}", a);
        assert!(a.summary.contains("4.61.3.0, 4.65.0.0"), "{}", a.summary);
        assert!(!a.summary.contains("Jwt"), "{}", a.summary);
        assert_eq!(a.evidence.len(), 3);
        assert!(a.evidence[0].contains("load context Default"));
        assert!(a.fix.is_some());
        // After the error: a problem, and the first finding.
        let x = with_error(
            &host(vec![assemblies(two)]),
            &["assembly_load_conflict"],
            "en",
        );
        assert_eq!(x[0].id, "modules.assemblies");
        assert_eq!(x[0].status, Status::Problem);
        assert_eq!(x[0].explains, vec!["assembly_load_conflict".to_string()]);
        // One build each, the same build twice, or none: fine.
        let one = json!([
            {"name": "Microsoft.Identity.Client", "version": "4.65.0.0", "location": "/m/a.dll"},
            {"name": "microsoft.identity.client", "version": "4.65.0.0", "location": "/m/b.dll"},
        ]);
        assert_eq!(
            status_of(
                &evaluate(&host(vec![assemblies(one)]), "en"),
                "modules.assemblies"
            ),
            Status::Ok
        );
        let none = evaluate(&host(vec![assemblies(json!([]))]), "en");
        assert_eq!(status_of(&none, "modules.assemblies"), Status::Ok);
        assert!(get(&none, "modules.assemblies")
            .summary
            .contains("Microsoft.Identity.Client"));
        assert_eq!(
            status_of(
                &evaluate(&windows_facts(vec![]), "en"),
                "modules.assemblies"
            ),
            Status::Unknown
        );
    }

    #[test]
    fn windows_powershell_needs_powershellget_2_and_the_nuget_provider() {
        let inbox =
            json!([{"name": "PowerShellGet", "version": "1.0.0.1", "path": "a", "loaded": false}]);
        let x = evaluate(
            &host(vec![
                modules(inbox.clone()),
                Fact::known("host.nuget_provider", Value::Null, "test"),
            ]),
            "en",
        );
        let g = get(&x, "gallery.tools");
        assert_eq!(g.status, Status::Warning, "{:?}", g);
        assert!(
            g.summary.contains("1.0.0.1") && g.summary.contains("NuGet"),
            "{}",
            g.summary
        );
        assert!(g
            .fix
            .as_deref()
            .unwrap()
            .contains("Install-PackageProvider"));
        assert!(g
            .evidence
            .iter()
            .any(|e| e == "NuGet provider: not installed"));
        // After a Gallery error it explains it.
        let x = with_error(
            &host(vec![
                modules(inbox),
                Fact::known("host.nuget_provider", Value::Null, "test"),
            ]),
            &["gallery_unreachable"],
            "en",
        );
        assert!(get(&x, "gallery.tools")
            .explains
            .contains(&"gallery_unreachable".to_string()));
        // Current tools: fine.
        let current = json!([
            {"name": "PowerShellGet", "version": "1.0.0.1", "path": "a", "loaded": false},
            {"name": "PowerShellGet", "version": "2.2.5", "path": "b", "loaded": true},
        ]);
        let provider = Fact::known(
            "host.nuget_provider",
            json!({"version": "2.8.5.208", "path": "C:\\Program Files\\PackageManagement\\ProviderAssemblies\\nuget\\2.8.5.208"}),
            "test",
        );
        let x = evaluate(&host(vec![modules(current.clone()), provider]), "en");
        assert_eq!(status_of(&x, "gallery.tools"), Status::Ok);
        // PowerShellGet 2 brings the NuGet components itself.
        let none = Fact::known("host.nuget_provider", Value::Null, "test");
        let x = evaluate(&host(vec![modules(current), none]), "en");
        assert_eq!(status_of(&x, "gallery.tools"), Status::Ok);
        // PowerShell 7 ships what it needs.
        let core = windows_facts(vec![
            Fact::known("host.edition", json!("Core"), "test"),
            modules(json!([])),
            Fact::known("host.nuget_provider", Value::Null, "test"),
        ]);
        assert_eq!(
            status_of(&evaluate(&core, "en"), "gallery.tools"),
            Status::Ok
        );
    }
}
