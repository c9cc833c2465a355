//! Rules: facts to findings. Pure functions of the facts (no OS calls, no
//! clock), so the same facts give the same findings on every OS.
//!
//! One finding per checked cause. Each names the catalog problem it checks
//! (or none), a status, a summary in the output language, the evidence it
//! used, and when something is wrong the resolution steps and fix command
//! (from the catalog, in the output language, sometimes preceded by a step
//! specific to what was found).
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
//! | `wsman.client` | none | outside Windows: a WSMan client library for New-PSSession |
//! | `sign_in_assistant.installed` | `liveid_module_load_failed` | msoidsvc service, MSOIdentityCRL key (64/32-bit view) and version, judged against what needs it |
//! | `sign_in_assistant.service` | `liveid_connect_failed` | msoidsvc running, judged against what needs it |
//! | `network.<name>` | `liveid_connect_failed` for sign-in hosts, else none | DNS and TCP reachability of each endpoint |
//! | `proxy.environment` | none | HTTP(S)_PROXY / ALL_PROXY / NO_PROXY parse and apply |
//! | `proxy.windows` | `liveid_connect_failed` | WinHTTP (sign-in assistant, WinRM) versus the user's IE proxy |
//! | `sessions.count` | `shells_per_user` | open sessions to the service in this PowerShell (3 is the limit) |
//! | `sessions.age` | `session_expired` | sessions 60 minutes old or broken |
//! | `connector.installed` | `connector_retired` | SkypeOnlineConnector / LyncOnlineConnector present or loaded |
//!
//! What each rule relies on, with its sources: docs/facts/advice.md.

use serde::Serialize;
use serde_json::Value;

use crate::catalog;
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

/// Hosts whose failure means the sign-in (Live ID / Entra ID) servers are
/// out of reach.
pub const SIGN_IN_HOSTS: &[&str] = &[
    "login.microsoftonline.com",
    "login.windows.net",
    "login.microsoft.com",
];

/// The per-user limit of concurrent remote PowerShell sessions (FACTS §7).
pub(crate) const SHELLS_PER_USER: usize = 3;
/// Minutes after which the service closes a session (FACTS §5).
pub(crate) const SESSION_MINUTES: f64 = 60.0;
/// Minutes from which a session is close to its end (a warning).
pub(crate) const SESSION_WARN_MINUTES: f64 = 50.0;

fn tr(lang: &str, en: String, fr: String) -> String {
    if lang == "fr" {
        fr
    } else {
        en
    }
}

/// `t!(lang, "english {x}", "français {x}", x = value)`: the text in the
/// output language; named values are captured by both strings.
macro_rules! t {
    ($lang:expr, $en:expr, $fr:expr $(, $k:ident = $v:expr)* $(,)?) => {{
        $(let $k = $v;)*
        tr($lang, format!($en), format!($fr))
    }};
}

mod connector;
mod execution_policy;
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
mod winrm;
mod wsman;

pub use connector::RETIRED_MODULES;
pub use execution_policy::{
    canonical_policy, effective_policy, host_is_powershell7, policy_allows_connector, SCOPES,
};
pub use powershell_version::version_major;
pub use sessions::{is_service_computer, open_service_sessions};
pub(crate) use sign_in_assistant::{sign_in_assistant_installed, sign_in_assistant_service};
pub use sign_in_assistant::{version_older, SIGN_IN_ASSISTANT_MIN_VERSION};

use connector::connector_installed;
use execution_policy::{execution_policy_powershell7, execution_policy_windows_powershell};
use network::network;
use powershell_version::powershell_version;
use proxy_environment::proxy_environment;
use proxy_windows::proxy_windows;
use sessions::{sessions_age, sessions_count};
use winrm::winrm_basic_auth;
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
    fn with_catalog_resolution(mut self, lang: &str, first: Vec<String>) -> Finding {
        let mut steps = first;
        let mut fix = None;
        if let Some(p) = self
            .problem
            .as_deref()
            .and_then(|id| catalog::get().ok().and_then(|c| c.problem(id)))
        {
            if let Some(t) = p.text.get(lang) {
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

/// Evaluates every rule. The order is the natural reading order; diagnose
/// moves the findings that explain an error to the front.
pub fn evaluate(facts: &[Fact], lang: &str) -> Vec<Finding> {
    let f = Facts(facts);
    let mut out = vec![
        execution_policy_windows_powershell(&f, lang),
        execution_policy_powershell7(&f, lang),
        powershell_version(&f, lang),
        winrm_basic_auth(&f, lang),
        wsman_client(&f, lang),
        sign_in_assistant_installed(facts, lang, false),
        sign_in_assistant_service(facts, lang, false),
    ];
    for fact in facts.iter().filter(|x| x.id.starts_with("network.")) {
        out.push(network(&f, fact, lang));
    }
    out.push(proxy_environment(&f, lang));
    out.push(proxy_windows(&f, lang));
    out.push(sessions_count(&f, lang));
    out.push(sessions_age(&f, lang));
    out.push(connector_installed(&f, lang));
    out
}

fn service_installed(v: &Value) -> bool {
    v.get("installed")
        .and_then(|x| x.as_bool())
        .unwrap_or(false)
}
