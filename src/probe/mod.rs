//! Probes: gather facts about this machine and its network, read-only and
//! bounded in time.
//!
//! One interface: [`gather`] takes the parsed request and returns facts.
//! Every probe runs in its own thread of one `std::thread::scope`, and each
//! is bounded by the request's timeout, so a black-holed network costs one
//! timeout, not the sum (the local OS probes get at least
//! `OS_PROBE_MIN_BOUND_MS`). A probe that cannot run (wrong OS, no permission,
//! key absent) yields a fact whose `state` is `unknown` or `not_applicable`
//! with the reason, never an error.
//!
//! OS-specific code lives in `windows.rs` (registry, service control
//! manager, WinHTTP) and `unix.rs` (what applies elsewhere). Probes only
//! read; they never change the machine, and the network probes contact only
//! the endpoints of the request.

use serde::Serialize;
use serde_json::Value;
use std::time::Duration;

pub mod net;
pub(crate) mod policy;
#[cfg(not(windows))]
mod unix;
pub(crate) mod win32;
#[cfg(windows)]
mod windows;

/// How much we know about a fact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// `value` holds what was read (which may be "absent" for a key).
    Known,
    /// The probe could not tell; `reason` says why.
    Unknown,
    /// The fact does not exist on this OS or host; `reason` says why.
    NotApplicable,
}

/// One observation, with where it came from.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Fact {
    pub id: String,
    pub value: Value,
    /// The registry path, API, environment variable or request key read.
    pub source: String,
    pub state: State,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl Fact {
    pub fn known(id: &str, value: Value, source: &str) -> Fact {
        Fact {
            id: id.to_string(),
            value,
            source: source.to_string(),
            state: State::Known,
            reason: None,
        }
    }

    pub fn unknown(id: &str, source: &str, reason: &str) -> Fact {
        Fact {
            id: id.to_string(),
            value: Value::Null,
            source: source.to_string(),
            state: State::Unknown,
            reason: Some(reason.to_string()),
        }
    }

    pub fn not_applicable(id: &str, source: &str, reason: &str) -> Fact {
        Fact {
            id: id.to_string(),
            value: Value::Null,
            source: source.to_string(),
            state: State::NotApplicable,
            reason: Some(reason.to_string()),
        }
    }
}

/// A TCP endpoint to check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub name: String,
    pub host: String,
    pub port: u16,
}

/// What the probes need from the request.
#[derive(Debug, Clone)]
pub struct ProbeRequest {
    pub endpoints: Vec<Endpoint>,
    pub timeout: Duration,
}

/// The name of the OS the library was built for, as the report gives it.
pub fn os_name() -> &'static str {
    if cfg!(windows) {
        "windows"
    } else if cfg!(target_os = "macos") {
        "macos"
    } else if cfg!(target_os = "linux") {
        "linux"
    } else {
        "unix"
    }
}

/// The OS probes' bound is the request's timeout, but never less than this:
/// the first call into the service manager can take most of a second (under
/// wine, notably), and a timeout of 100 ms must not turn it into "unknown".
pub(crate) const OS_PROBE_MIN_BOUND_MS: u64 = 3000;

/// Runs every probe concurrently, each bounded by `req.timeout`, and returns
/// their facts in a stable order: OS facts, proxy environment, endpoints.
pub fn gather(req: &ProbeRequest) -> Vec<Fact> {
    let timeout = req.timeout;
    let mut facts = vec![Fact::known(
        "os",
        Value::String(os_name().to_string()),
        "build target",
    )];
    // The OS probes (registry, service manager, WinHTTP) are local and fast,
    // but a wedged service manager must not hang the caller: they run in a
    // detached thread that we stop waiting for at their own bound.
    let (tx, rx) = std::sync::mpsc::channel();
    let os_thread = std::thread::Builder::new()
        .name("csod-os-probe".into())
        .spawn(move || {
            let _ = tx.send(os_facts());
        });
    let os_bound = timeout.max(Duration::from_millis(OS_PROBE_MIN_BOUND_MS));
    let started = std::time::Instant::now();
    std::thread::scope(|s| {
        let net: Vec<_> = req
            .endpoints
            .iter()
            .map(|e| s.spawn(move || net::probe_endpoint(e, timeout)))
            .collect();
        let left = os_bound.saturating_sub(started.elapsed());
        match os_thread.map_err(|e| e.to_string()).and_then(|_| {
            rx.recv_timeout(left).map_err(|e| match e {
                std::sync::mpsc::RecvTimeoutError::Timeout => {
                    format!("no answer within {} ms", os_bound.as_millis())
                }
                std::sync::mpsc::RecvTimeoutError::Disconnected => {
                    "the OS probe failed unexpectedly".to_string()
                }
            })
        }) {
            Ok(mut f) => facts.append(&mut f),
            Err(why) => facts.extend(
                OS_FACT_IDS
                    .iter()
                    .map(|(id, source)| Fact::unknown(id, source, &why)),
            ),
        }
        // var_os, lossy: a value that is not Unicode is garbage to report
        // (as "not a host name"), not a variable to ignore.
        facts.push(net::proxy_environment_fact(&|k| {
            std::env::var_os(k).map(|v| v.to_string_lossy().into_owned())
        }));
        for (e, h) in req.endpoints.iter().zip(net) {
            facts.push(h.join().unwrap_or_else(|_| {
                Fact::unknown(
                    &format!("network.{}", e.name),
                    &format!("{}:{}", e.host, e.port),
                    "the network probe failed unexpectedly",
                )
            }));
        }
    });
    facts
}

fn os_facts() -> Vec<Fact> {
    #[cfg(windows)]
    {
        windows::facts()
    }
    #[cfg(not(windows))]
    {
        unix::facts()
    }
}

/// Fact ids the OS probes produce (on Windows with values, elsewhere as
/// `not_applicable`), so the rules see the same set everywhere.
pub const OS_FACT_IDS: &[(&str, &str)] = &[
    (
        "windows_powershell.execution_policy",
        "HKLM/HKCU\\SOFTWARE\\Microsoft\\PowerShell\\1\\ShellIds\\Microsoft.PowerShell, HKLM/HKCU\\SOFTWARE\\Policies\\Microsoft\\Windows\\PowerShell, env PSExecutionPolicyPreference",
    ),
    (
        "powershell7.execution_policy",
        "HKLM/HKCU\\SOFTWARE\\Policies\\Microsoft\\PowerShellCore, powershell.config.json, env PSExecutionPolicyPreference",
    ),
    (
        "windows_powershell.engine_version",
        "HKLM\\SOFTWARE\\Microsoft\\PowerShell\\3\\PowerShellEngine PowerShellVersion",
    ),
    (
        "winrm.client.allow_basic_policy",
        "HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\WinRM\\Client AllowBasic",
    ),
    (
        "winrm.client.auth_basic",
        "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\WSMAN\\Client auth_basic",
    ),
    (
        "sign_in_assistant.version",
        "HKLM\\SOFTWARE\\Microsoft\\MSOIdentityCRL MSOIDCRLVersion",
    ),
    ("service.msoidsvc", "service control manager: msoidsvc"),
    ("service.winrm", "service control manager: winrm"),
    (
        "proxy.winhttp",
        "WinHttpGetDefaultProxyConfiguration (HKLM\\...\\Internet Settings\\Connections WinHttpSettings)",
    ),
    (
        "proxy.ie",
        "HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings",
    ),
    ("modules.installed", "connector module folders"),
];
