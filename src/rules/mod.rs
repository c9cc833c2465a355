//! Rules: facts to findings. Pure functions of the facts (no OS calls, no
//! clock), so the same facts give the same findings on every OS.
//!
//! One finding per checked cause, one file per check. Each names the
//! catalog problem it checks (or none), a status, a summary in the output
//! language, the evidence it used, and when something is wrong the
//! resolution steps and fix command (from the catalog, in the output
//! language, sometimes preceded by a step specific to what was found).
//!
//! The rules hold no sentence and no number of the service: the sentences
//! are `findings.<check>.<what>` of `catalog/texts/<lang>.json` (the `t!`
//! macro), the hosts, modules, quotas and the finding <-> problem pairs
//! are `catalog/facts.json` (the problem column below). Evidence lines are
//! records of what was read (`source: value`), the same in every language.
//!
//! Finding ids (stable; the PowerShell module reads them from the result and
//! must not depend on more than this list):
//!
//! | id | problem | checks |
//! | --- | --- | --- |
//! | `execution_policy.windows_powershell` | `execution_policy` | effective policy of Windows PowerShell (host list, else registry; all Undefined is Restricted): Restricted/AllSigned fail |
//! | `execution_policy.powershell7` | `execution_policy` | the same for PowerShell 7 (host list when the host is Core, else the probe's scopes: policy keys per hive and powershell.config.json) |
//! | `powershell.version` | `powershell_version` | the connector needs PowerShell 3.0 or later |
//! | `winrm.basic_auth` | `winrm_basic_auth` | WinRM client Basic: Group Policy AllowBasic wins over local auth_basic (fix per the WinRM service) |
//! | `winrm.trusted_hosts` | `trustedhosts_required` | the WinRM client's TrustedHosts (Group Policy list when enabled, else local) and whether the host the error names is in it (`*` patterns) |
//! | `winrm.auth` | `winrm_auth_unsupported` | client Kerberos/Negotiate (Digest shown) and AllowUnencrypted: Group Policy wins over local, else the defaults |
//! | `winrm.credssp` | `credssp_not_configured` | client CredSSP (policy over local, off by default) and Allow delegating fresh credentials with `WSMAN/<host>` |
//! | `winrm.target` | `winrm_unreachable` (explains `winrm_cannot_connect`, `winrm_name_not_resolved`) | after a WinRM error naming a host: DNS and TCP handshake to its WinRM port |
//! | `tls.dotnet` | `tls12_disabled` (explains `gallery_unreachable`) | TLS 1.2 for Windows PowerShell 5.1: SchUseStrongCrypto or SystemDefaultTlsVersions in both registry views, and this session's `SecurityProtocol` (host) |
//! | `wsman.client` | `pwsh_wsman_missing` | outside Windows: a WSMan client library for New-PSSession (the host's `$PSHOME`, else next to the pwsh found) |
//! | `sign_in_assistant.installed` | `liveid_module_load_failed` | msoidsvc service, MSOIdentityCRL key (64/32-bit view) and version, judged against what needs it |
//! | `sign_in_assistant.service` | `liveid_connect_failed` | msoidsvc running, judged against what needs it |
//! | `network.<name>` | `liveid_connect_failed` for sign-in hosts, else none | DNS and TCP reachability of each endpoint |
//! | `proxy.environment` | none | HTTP(S)_PROXY / ALL_PROXY / NO_PROXY parse and apply |
//! | `proxy.windows` | `liveid_connect_failed` | WinHTTP (sign-in assistant, WinRM) versus the user's IE proxy |
//! | `sessions.count` | `shells_per_user` | open sessions to the service in this PowerShell (3 is the limit) |
//! | `sessions.age` | `session_expired` | sessions 60 minutes old or broken |
//! | `connector.installed` | `connector_retired` | SkypeOnlineConnector / LyncOnlineConnector present or loaded |
//! | `modules.versions` | `module_version_mismatch` | the Microsoft 365 admin modules installed side by side (host): a loaded one older than one installed, or two loaded |
//! | `modules.assemblies` | `assembly_load_conflict` | the sign-in assemblies loaded in the session (host): two builds of one |
//! | `gallery.tools` | `gallery_unreachable` | Windows PowerShell 5.1: PowerShellGet 2 or later and the NuGet provider (host) |
//!
//! What each rule relies on, with its sources: docs/facts/advice.md.

use serde::Serialize;
use serde_json::Value;
use std::fmt::Display;

use crate::catalog::{self, Catalog, ServiceFacts};
use crate::probe::{Fact, State};

/// Status of a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Ok,
    Problem,
    Warning,
    Unknown,
    NotApplicable,
}

impl Status {
    /// A local setting that blocks something: a problem when the error (or
    /// the check's scope) needs it, else a warning.
    pub fn problem_if(needed: bool) -> Status {
        if needed {
            Status::Problem
        } else {
            Status::Warning
        }
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Finding {
    pub id: String,
    pub problem: Option<String>,
    pub status: Status,
    pub summary: String,
    pub evidence: Vec<String>,
    pub resolution: Option<Vec<String>>,
    pub fix: Option<String>,
    /// Ids of the error's matches this finding explains (set by diagnose).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub explains: Vec<String>,
}

/// What the rules read besides the facts: the catalog (the texts of every
/// output language, `facts.json`) and the output language.
#[derive(Clone, Copy)]
pub struct Ctx<'a> {
    pub catalog: &'a Catalog,
    pub lang: &'a str,
}

impl<'a> Ctx<'a> {
    /// The text `findings.<key>` in the output language, its placeholders
    /// filled (see the `t!` macro).
    fn t(&self, key: &str, args: &[(&str, &dyn Display)]) -> String {
        self.catalog
            .text(self.lang, &format!("findings.{}", key), args)
    }

    /// `facts.json`.
    fn facts(&self) -> &'a ServiceFacts {
        &self.catalog.facts
    }

    /// A finding with the problem `facts.json` pairs it with.
    fn finding(&self, id: &str, status: Status, summary: String) -> Finding {
        let problem = self.facts().finding(id).problem;
        finding(id, problem.as_deref(), status, summary)
    }
}

/// `t!(cx, "check.what", name = value, other)`: the text `findings.check.what`
/// of `texts/<lang>.json` with its placeholders `{name}` and `{other}`
/// filled (a bare name is a variable of that name).
macro_rules! t {
    (@arg $k:ident) => {
        &$k as &dyn std::fmt::Display
    };
    (@arg $k:ident = $v:expr) => {
        &$v as &dyn std::fmt::Display
    };
    ($cx:expr, $key:expr $(, $k:ident $(= $v:expr)?)* $(,)?) => {
        $cx.t($key, &[$((stringify!($k), t!(@arg $k $(= $v)?))),*])
    };
}

mod connector;
mod execution_policy;
mod modules;
mod network;
mod powershell_version;
mod proxy_environment;
mod proxy_windows;
mod sessions;
mod sign_in_assistant;
#[cfg(test)]
mod testing;
#[cfg(test)]
mod tests;
mod tls_dotnet;
mod winrm;
mod winrm_auth;
mod winrm_credssp;
mod winrm_target;
mod winrm_trusted_hosts;
mod wsman;

pub use execution_policy::{
    canonical_policy, effective_policy, host_is_powershell7, policy_allows_connector, SCOPES,
};
pub use powershell_version::version_major;
pub use sessions::{is_service_computer, open_service_sessions};
pub use sign_in_assistant::version_older;
pub(crate) use sign_in_assistant::{sign_in_assistant_installed, sign_in_assistant_service};

use connector::connector_installed;
use execution_policy::{execution_policy_powershell7, execution_policy_windows_powershell};
use modules::{gallery_tools, modules_assemblies, modules_versions};
use network::network;
use powershell_version::powershell_version;
use proxy_environment::proxy_environment;
use proxy_windows::proxy_windows;
use sessions::{sessions_age, sessions_count};
use tls_dotnet::tls_dotnet;
use winrm::winrm_basic_auth;
use winrm_auth::winrm_auth;
use winrm_credssp::winrm_credssp;
use winrm_target::winrm_target;
use winrm_trusted_hosts::winrm_trusted_hosts;
use wsman::wsman_client;

struct Facts<'a>(&'a [Fact]);

impl<'a> Facts<'a> {
    fn get(&self, id: &str) -> Option<&'a Fact> {
        self.0.iter().find(|f| f.id == id)
    }
    fn known(&self, id: &str) -> Option<&'a Value> {
        self.get(id)
            .filter(|f| f.state == State::Known)
            .map(|f| &f.value)
    }
    fn host_str(&self, key: &str) -> Option<&'a str> {
        self.known(&format!("host.{}", key))
            .and_then(|v| v.as_str())
    }
    fn reason(&self, id: &str) -> String {
        self.get(id)
            .and_then(|f| f.reason.clone())
            .unwrap_or_else(|| format!("{} not gathered", id))
    }
}

fn finding(id: &str, problem: Option<&str>, status: Status, summary: String) -> Finding {
    Finding {
        id: id.to_string(),
        problem: problem.map(str::to_string),
        status,
        summary,
        evidence: Vec::new(),
        resolution: None,
        fix: None,
        explains: Vec::new(),
    }
}

impl Finding {
    fn with_evidence(mut self, e: Vec<String>) -> Finding {
        self.evidence = e;
        self
    }

    /// Adds the catalog's resolution and fix for the finding's problem, after
    /// `first` (steps specific to what was found).
    fn with_catalog_resolution(mut self, cx: Ctx, first: Vec<String>) -> Finding {
        let mut steps = first;
        let mut fix = None;
        if let Some(p) = self
            .problem
            .as_deref()
            .and_then(|id| cx.catalog.problem(id))
        {
            if let Some(t) = p.text.get(cx.lang) {
                steps.extend(t.resolution.iter().cloned());
                fix = t.fix.clone();
            }
        }
        self.resolution = Some(steps);
        self.fix = fix;
        self
    }

    fn with_fix(mut self, fix: Option<String>) -> Finding {
        self.fix = fix;
        self
    }
}

/// The OS the PowerShell host runs on: the host's own word when handed in,
/// else the probe's.
fn platform_is_windows(f: &Facts) -> bool {
    match f.host_str("os") {
        Some(os) => ["windows", "win32nt", "win"]
            .iter()
            .any(|w| os.eq_ignore_ascii_case(w)),
        None => f
            .known("os")
            .and_then(|v| v.as_str())
            .map(|s| s == "windows")
            .unwrap_or(false),
    }
}

/// A Windows-only check elsewhere: `id` not applicable, the catalog text
/// `key` saying why, the system as evidence; None on Windows.
fn windows_only(f: &Facts, cx: Ctx, id: &str, key: &str) -> Option<Finding> {
    if platform_is_windows(f) {
        return None;
    }
    Some(
        cx.finding(id, Status::NotApplicable, cx.t(key, &[]))
            .with_evidence(vec![format!("os: {}", platform_name(f))]),
    )
}

fn platform_name(f: &Facts) -> String {
    let raw = f
        .host_str("os")
        .map(str::to_string)
        .or_else(|| f.known("os").and_then(|v| v.as_str()).map(str::to_string))
        .unwrap_or_else(|| "?".into());
    match raw.to_ascii_lowercase().as_str() {
        "linux" => "Linux".into(),
        "macos" | "osx" | "darwin" => "macOS".into(),
        "windows" => "Windows".into(),
        _ => raw,
    }
}

/// Evaluates every rule with the built-in catalog. The order is the natural
/// reading order; diagnose moves the findings that explain an error to the
/// front.
pub fn evaluate(facts: &[Fact], lang: &str) -> Vec<Finding> {
    match catalog::get() {
        Ok(c) => evaluate_with(c, facts, lang),
        // Never with a shipped library (the tests load the catalog); said
        // rather than hidden.
        Err(e) => vec![finding("catalog", None, Status::Unknown, e)],
    }
}

/// Evaluates every rule with `catalog`'s texts and facts.
pub fn evaluate_with(catalog: &Catalog, facts: &[Fact], lang: &str) -> Vec<Finding> {
    let cx = Ctx { catalog, lang };
    let f = Facts(facts);
    let mut out = vec![
        execution_policy_windows_powershell(&f, cx),
        execution_policy_powershell7(&f, cx),
        powershell_version(&f, cx),
        winrm_basic_auth(&f, cx),
        winrm_trusted_hosts(&f, cx, false),
        winrm_auth(&f, cx, false),
        winrm_credssp(&f, cx, false),
        tls_dotnet(&f, cx, false),
        wsman_client(&f, cx, false),
        sign_in_assistant_installed(facts, cx, false),
        sign_in_assistant_service(facts, cx, false),
    ];
    for fact in facts.iter().filter(|x| x.id.starts_with("network.")) {
        out.push(network(&f, fact, cx));
    }
    if let Some(fact) = f.get("winrm.target") {
        out.push(winrm_target(fact, cx));
    }
    out.push(proxy_environment(&f, cx));
    out.push(proxy_windows(&f, cx));
    out.push(sessions_count(&f, cx));
    out.push(sessions_age(&f, cx));
    out.push(connector_installed(&f, cx));
    out.push(modules_versions(&f, cx));
    out.push(modules_assemblies(&f, cx, false));
    out.push(gallery_tools(&f, cx));
    out
}

/// The finding `id` judged again because the error names what it checks
/// (`facts.json` `named_by`): what it finds missing or stopped is then a
/// problem. `None` for a finding that is not judged so.
pub(crate) fn evaluate_named(id: &str, facts: &[Fact], cx: Ctx) -> Option<Finding> {
    match id {
        "sign_in_assistant.installed" => Some(sign_in_assistant_installed(facts, cx, true)),
        "sign_in_assistant.service" => Some(sign_in_assistant_service(facts, cx, true)),
        "winrm.trusted_hosts" => Some(winrm_trusted_hosts(&Facts(facts), cx, true)),
        "winrm.auth" => Some(winrm_auth(&Facts(facts), cx, true)),
        "winrm.credssp" => Some(winrm_credssp(&Facts(facts), cx, true)),
        "tls.dotnet" => Some(tls_dotnet(&Facts(facts), cx, true)),
        "wsman.client" => Some(wsman_client(&Facts(facts), cx, true)),
        "modules.assemblies" => Some(modules_assemblies(&Facts(facts), cx, true)),
        _ => None,
    }
}

/// Lets a finding explain the error `problem` it lists in `facts.json`
/// `explains`, when it found what the error reports; returns whether it
/// does.
pub(crate) fn explain(f: &mut Finding, problem: &str, facts: &[Fact], cx: Ctx) -> bool {
    match f.id.as_str() {
        "sessions.count" => sessions::explain_too_many(f, problem, facts, cx),
        "winrm.target" => winrm_target::explain(f, problem, facts),
        "tls.dotnet" => tls_dotnet::explain(f),
        _ => false,
    }
}

fn service_installed(v: &Value) -> bool {
    v.get("installed")
        .and_then(|x| x.as_bool())
        .unwrap_or(false)
}
