//! Probes: gather facts about this machine and its network, read-only and
//! bounded in time.
//!
//! One interface: [`gather`] takes the parsed request and returns facts.
//! The probes run concurrently, each bounded on its own by the request's
//! timeout, so a black-holed network costs one timeout, not the sum, and one
//! slow probe costs only its own fact (the local OS probes get at least
//! `OS_PROBE_MIN_BOUND_MS`). The calls that cannot be cancelled (name
//! lookups, each OS probe) run in the process-wide pools of [`pool`]: a
//! probe given up at its bound keeps its thread until it returns, but
//! repeated calls reuse it rather than adding threads, and the fact says
//! which probe was abandoned. A probe that cannot run (wrong OS, no
//! permission, key absent) yields a fact whose `state` is `unknown` or
//! `not_applicable` with the reason, never an error.
//!
//! The Windows facts are read through a small interface (`machine.rs`):
//! `win32.rs` holds the system calls (registry, service control manager,
//! WinHTTP, Winsock: the only `unsafe` code of the probes), `windows/` what each key,
//! service and file means, compiled and unit-tested on every OS against a
//! fake machine (`fake.rs`); `unix.rs` is what applies elsewhere. Probes
//! only read; they never change the machine, and the network probes contact
//! only the endpoints of the request and, after a WinRM client failure that
//! names a host, that host on its WinRM port (`target.rs`): the host the
//! admin was already connecting to.

#![deny(unsafe_code)]

use once_cell::sync::Lazy;
use serde::Serialize;
use serde_json::Value;
use std::time::{Duration, Instant};

pub mod cancel;
#[cfg(test)]
pub(crate) mod fake;
pub(crate) mod machine;
pub mod net;
pub(crate) mod policy;
pub mod pool;
pub mod target;
#[cfg(not(windows))]
mod unix;
// The Windows system calls: with src/ffi/, the only unsafe code.
#[cfg(windows)]
#[allow(unsafe_code)]
mod win32;
pub(crate) mod windows;
pub(crate) mod winerr;

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
    /// Ends every wait early when cancelled (`csod_cancel`).
    pub cancel: cancel::Cancel,
    /// The host an error names and its WinRM port (`winrm.target`).
    pub target: Option<target::Target>,
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

/// Most threads the OS probes hold in the whole process (there are
/// thirteen probes on Windows; each key runs at most once at a time).
pub const OS_PROBE_THREADS: usize = 16;

/// The OS probes' pool (see [`pool`]).
pub(crate) static OS_POOL: Lazy<pool::Pool<Vec<Fact>>> =
    Lazy::new(|| pool::Pool::new("csod-os-probe", "OS probe", OS_PROBE_THREADS));

/// One OS probe: the facts it gives (id, source), each `unknown` with the
/// reason when it is abandoned.
#[derive(Clone, Copy)]
pub(crate) struct OsProbe {
    pub key: &'static str,
    pub facts: &'static [(&'static str, &'static str)],
    pub run: fn() -> Vec<Fact>,
}

/// Runs every probe concurrently, each bounded by `req.timeout`, and returns
/// their facts in a stable order: OS facts, proxy environment, endpoints,
/// the error's target. When `req.cancel` is cancelled every wait ends
/// within a poll slice (the facts are then incomplete: the caller discards
/// them).
pub fn gather(req: &ProbeRequest) -> Vec<Fact> {
    gather_with(req, &os_probes())
}

/// `gather` with these OS probes (the tests give their own).
pub(crate) fn gather_with(req: &ProbeRequest, os: &[OsProbe]) -> Vec<Fact> {
    let timeout = req.timeout;
    let cancel = &req.cancel;
    let started = Instant::now();
    let os_bound = timeout.max(Duration::from_millis(OS_PROBE_MIN_BOUND_MS));
    let os_deadline = started + os_bound;
    let mut facts = vec![Fact::known(
        "os",
        Value::String(os_name().to_string()),
        "build target",
    )];
    // Every OS probe is queued first, so they all run at once; each is then
    // waited for until the same deadline, and one that has not answered by
    // then costs only its own facts.
    let tickets: Vec<_> = os.iter().map(|p| OS_POOL.submit(p.key, p.run)).collect();
    std::thread::scope(|s| {
        let net: Vec<_> = req
            .endpoints
            .iter()
            .map(|e| s.spawn(move || net::probe_endpoint(e, timeout, cancel)))
            .collect();
        let target = req
            .target
            .as_ref()
            .filter(|t| t.contact)
            .map(|t| (t, s.spawn(move || target::probe(t, timeout, cancel))));
        for (p, t) in os.iter().zip(tickets) {
            match t.and_then(|t| t.wait_or_cancel(os_deadline, cancel)) {
                Ok(mut f) => facts.append(&mut f),
                Err(why) => {
                    let why = if why == pool::CANCELLED {
                        why
                    } else {
                        format!("no answer within {} ms ({})", os_bound.as_millis(), why)
                    };
                    facts.extend(
                        p.facts
                            .iter()
                            .map(|(id, source)| Fact::unknown(id, source, &why)),
                    )
                }
            }
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
        match (target, &req.target) {
            (Some((t, h)), _) => facts.push(h.join().unwrap_or_else(|_| target::failed(t))),
            (None, Some(t)) => facts.push(target::not_contacted(t)),
            (None, None) => {}
        }
    });
    facts
}

fn os_probes() -> Vec<OsProbe> {
    #[cfg(windows)]
    {
        windows::probes()
    }
    #[cfg(not(windows))]
    {
        unix::probes()
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
        "winrm.client.trusted_hosts",
        "HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\WinRM\\Client (TrustedHosts, TrustedHostsList), HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\WSMAN\\Client trusted_hosts",
    ),
    (
        "winrm.client.auth",
        "HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\WinRM\\Client, HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\WSMAN\\Client",
    ),
    (
        "credssp.delegation",
        "HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\CredentialsDelegation",
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
    (
        "dotnet.tls12",
        "HKLM\\SOFTWARE\\Microsoft\\.NETFramework\\v4.0.30319 (SchUseStrongCrypto, SystemDefaultTlsVersions), 64- and 32-bit views",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::sync::{Condvar, Mutex};

    static GATE: Mutex<bool> = Mutex::new(false);
    static OPENED: Condvar = Condvar::new();

    fn wedged() -> Vec<Fact> {
        // A service manager or a share that never answers (until the test
        // lets it go, at its end).
        let mut open = GATE.lock().unwrap();
        while !*open {
            open = OPENED.wait(open).unwrap();
        }
        vec![Fact::known("test.slow", json!("late"), "test")]
    }

    fn quick_a() -> Vec<Fact> {
        vec![Fact::known("test.a", json!(1), "test")]
    }

    fn quick_b() -> Vec<Fact> {
        vec![Fact::known("test.b", json!(2), "test")]
    }

    /// One slow OS probe costs only its own fact, and calls repeated while
    /// it never returns hold one thread for it, not one each.
    #[test]
    fn one_wedged_os_probe_costs_only_its_fact_and_one_thread() {
        let probes = [
            OsProbe {
                key: "test.a",
                facts: &[("test.a", "test")],
                run: quick_a,
            },
            OsProbe {
                key: "test.slow",
                facts: &[("test.slow", "a probe that never answers")],
                run: wedged,
            },
            OsProbe {
                key: "test.b",
                facts: &[("test.b", "test")],
                run: quick_b,
            },
        ];
        let req = ProbeRequest {
            endpoints: vec![],
            timeout: Duration::from_millis(100),
            cancel: cancel::Cancel::new(),
            target: None,
        };
        let mut threads = Vec::new();
        for call in 0..5 {
            let t = Instant::now();
            let facts = gather_with(&req, &probes);
            let took = t.elapsed();
            assert!(
                took >= Duration::from_millis(OS_PROBE_MIN_BOUND_MS)
                    && took < Duration::from_millis(OS_PROBE_MIN_BOUND_MS + 2000),
                "{:?}",
                took
            );
            let get = |id: &str| facts.iter().find(|f| f.id == id).unwrap().clone();
            assert_eq!(get("test.a").state, State::Known);
            assert_eq!(get("test.b").state, State::Known);
            let slow = get("test.slow");
            assert_eq!(slow.state, State::Unknown);
            assert_eq!(slow.source, "a probe that never answers");
            let why = slow.reason.unwrap();
            assert!(
                why.starts_with("no answer within 3000 ms (abandoned: the OS probe test.slow"),
                "{}",
                why
            );
            if call > 0 {
                assert!(why.contains("by an earlier call"), "{}", why);
            }
            threads.push(OS_POOL.threads());
        }
        // The wedged probe holds one thread whatever the number of calls;
        // the quick ones reuse the others (one more may serve another test
        // of this binary running at the same time).
        assert!(
            threads.iter().all(|n| *n <= probes.len() + 1),
            "{:?}",
            threads
        );
        *GATE.lock().unwrap() = true;
        OPENED.notify_all();
    }

    static CANCEL_GATE: Mutex<bool> = Mutex::new(false);
    static CANCEL_OPENED: Condvar = Condvar::new();

    fn wedged_until_cancel_test_ends() -> Vec<Fact> {
        let mut open = CANCEL_GATE.lock().unwrap_or_else(|e| e.into_inner());
        while !*open {
            open = CANCEL_OPENED.wait(open).unwrap_or_else(|e| e.into_inner());
        }
        vec![]
    }

    /// A cancelled gather does not wait out a wedged OS probe (its pool
    /// ticket looks at the token): it returns within a few poll slices,
    /// the probe's fact unknown because "cancelled".
    #[test]
    fn a_cancel_ends_the_wait_for_a_wedged_os_probe() {
        let probes = [
            OsProbe {
                key: "test.quick",
                facts: &[("test.a", "test")],
                run: quick_a,
            },
            OsProbe {
                key: "test.wedged_cancel",
                facts: &[("test.wedged", "a probe that never answers")],
                run: wedged_until_cancel_test_ends,
            },
        ];
        let req = ProbeRequest {
            endpoints: vec![],
            timeout: Duration::from_millis(20_000),
            cancel: cancel::Cancel::new(),
            target: None,
        };
        let c = req.cancel.clone();
        let stopper = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(200));
            c.cancel();
        });
        let t = Instant::now();
        let facts = gather_with(&req, &probes);
        let took = t.elapsed();
        stopper.join().unwrap();
        assert!(took < Duration::from_millis(2000), "{:?}", took);
        let wedged = facts.iter().find(|f| f.id == "test.wedged").unwrap();
        assert_eq!(wedged.state, State::Unknown);
        assert_eq!(wedged.reason.as_deref(), Some("cancelled"));
        *CANCEL_GATE.lock().unwrap() = true;
        CANCEL_OPENED.notify_all();
    }
}
