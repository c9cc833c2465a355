//! The Windows facts: what each registry key, service and file means, read
//! through the [`Machine`] interface (machine.rs). This code has no system
//! call and compiles on every OS: on Windows it reads the real machine
//! (win32.rs), and its unit tests read a fake one (fake.rs) on any OS. The
//! wine suite (tests/windows/run.sh) is the end-to-end proof.
//!
//! Keys are read in the 64-bit view where WinRM, PowerShell and the sign-in
//! assistant keep theirs; where installers differ both views are read:
//! PowerShell 7 x86's installer registers its InstalledVersions key in the
//! 32-bit view (and installs under Program Files (x86)), and a 32-bit
//! sign-in assistant package registers under WOW6432Node. Locations and
//! their sources: docs/facts.md#execution-policy, #powershell-version,
//! #winrm-client, #sign-in-assistant, #connector-module, #proxies and
//! #windows-apis.

// Outside Windows only the tests call these.
#![cfg_attr(not(windows), allow(dead_code))]

use serde_json::{json, Value};

use super::machine::{value_place, Hive, Machine, RegError, RegValue, ServiceError, ServiceQuery};
use super::{winerr, Fact, OsProbe, OS_FACT_IDS};

mod execution_policy;
mod modules;
#[cfg(test)]
mod tests;
mod tls;
mod winrm;

use execution_policy::{powershell7_policy, windows_powershell_policy};
use modules::modules;
#[cfg(test)]
pub(crate) use tls::offers_tls12;
#[cfg(test)]
pub(crate) use winrm::{effective, entries, SETTINGS as WINRM_SETTINGS};

/// Collects read errors so one fact can say what could not be read.
#[derive(Default)]
pub(crate) struct Errors(Vec<String>);

impl Errors {
    pub(crate) fn take<T>(&mut self, r: Result<Option<T>, RegError>) -> Option<T> {
        match r {
            Ok(v) => v,
            Err(e) => {
                self.0.push(e.to_string());
                None
            }
        }
    }

    pub(crate) fn push(&mut self, e: String) {
        self.0.push(e);
    }

    pub(crate) fn fact(self, id: &str, value: Value, source: &str) -> Fact {
        if self.0.is_empty() {
            Fact::known(id, value, source)
        } else {
            let mut f = Fact::unknown(id, source, &self.0.join("; "));
            f.value = value;
            f
        }
    }
}

/// One Windows check: the facts it reads from a machine.
type Check = fn(&dyn Machine) -> Vec<Fact>;

/// The checks, each with the number of facts it gives, in the order of
/// `OS_FACT_IDS`.
pub(crate) const CHECKS: [(usize, Check); 13] = [
    (1, |m| vec![windows_powershell_policy(m)]),
    (1, |m| vec![powershell7_policy(m)]),
    (1, |m| vec![engine_version(m)]),
    (1, |m| {
        vec![dword_fact(
            m,
            "winrm.client.allow_basic_policy",
            r"SOFTWARE\Policies\Microsoft\Windows\WinRM\Client",
            "AllowBasic",
        )]
    }),
    (1, |m| {
        vec![dword_fact(
            m,
            "winrm.client.auth_basic",
            r"SOFTWARE\Microsoft\Windows\CurrentVersion\WSMAN\Client",
            "auth_basic",
        )]
    }),
    (3, winrm::winrm_client),
    (1, |m| vec![sign_in_assistant_version(m)]),
    (1, |m| vec![service(m, "msoidsvc")]),
    (1, |m| vec![service(m, "winrm")]),
    (1, |m| vec![winhttp_proxy(m)]),
    (1, |m| vec![ie_proxy(m)]),
    (1, |m| vec![modules(m)]),
    (1, |m| vec![tls::dotnet_tls12(m)]),
];

/// Every Windows fact of a machine, in the order of `OS_FACT_IDS` (the
/// tests; the probes run each check in the pool on its own).
#[cfg(test)]
pub(crate) fn facts(m: &dyn Machine) -> Vec<Fact> {
    CHECKS.iter().flat_map(|(_, c)| c(m)).collect()
}

/// The OS probes, one per check, in the order of `OS_FACT_IDS`: each runs
/// in the OS probe pool and is bounded on its own, so a slow one (the
/// Documents folder on an unreachable share, a wedged service manager)
/// costs only its own facts.
#[cfg(windows)]
pub(crate) fn probes() -> Vec<OsProbe> {
    fn on_system(i: usize) -> Vec<Fact> {
        (CHECKS[i].1)(&super::win32::SYSTEM)
    }
    let runs: [fn() -> Vec<Fact>; 13] = [
        || on_system(0),
        || on_system(1),
        || on_system(2),
        || on_system(3),
        || on_system(4),
        || on_system(5),
        || on_system(6),
        || on_system(7),
        || on_system(8),
        || on_system(9),
        || on_system(10),
        || on_system(11),
        || on_system(12),
    ];
    probes_of(&runs)
}

/// The probes running `runs` (one per check), each named by its first fact.
fn probes_of(runs: &[fn() -> Vec<Fact>]) -> Vec<OsProbe> {
    let mut at = 0;
    CHECKS
        .iter()
        .zip(runs)
        .map(|((n, _), run)| {
            let facts = &OS_FACT_IDS[at..at + n];
            at += n;
            OsProbe {
                key: facts[0].0,
                facts,
                run: *run,
            }
        })
        .collect()
}

/// A DWORD of HKLM (64-bit view) as a fact: the number, or null when absent.
fn dword_fact(m: &dyn Machine, id: &str, path: &str, value: &str) -> Fact {
    let source = value_place(Hive::LocalMachine, path, value);
    match m.dword(Hive::LocalMachine, super::machine::View::Bit64, path, value) {
        Ok(v) => Fact::known(id, v.map(|n| json!(n)).unwrap_or(Value::Null), &source),
        Err(e) => Fact::unknown(id, &source, &e.to_string()),
    }
}

/// A string of the 64-bit view.
pub(crate) fn string64(
    m: &dyn Machine,
    hive: Hive,
    path: &str,
    name: &str,
) -> Result<Option<String>, RegError> {
    m.string(hive, super::machine::View::Bit64, path, name)
}

/// A value of any type of the 64-bit view.
pub(crate) fn value64(
    m: &dyn Machine,
    hive: Hive,
    path: &str,
    name: &str,
) -> Result<Option<RegValue>, RegError> {
    m.value(hive, super::machine::View::Bit64, path, name)
}

fn engine_version(m: &dyn Machine) -> Fact {
    let mut e = Errors::default();
    let v3 = e.take(string64(
        m,
        Hive::LocalMachine,
        r"SOFTWARE\Microsoft\PowerShell\3\PowerShellEngine",
        "PowerShellVersion",
    ));
    let v = v3.or_else(|| {
        e.take(string64(
            m,
            Hive::LocalMachine,
            r"SOFTWARE\Microsoft\PowerShell\1\PowerShellEngine",
            "PowerShellVersion",
        ))
    });
    e.fact(
        "windows_powershell.engine_version",
        v.map(Value::String).unwrap_or(Value::Null),
        r"HKLM\SOFTWARE\Microsoft\PowerShell\3\PowerShellEngine PowerShellVersion (else ...\1\PowerShellEngine)",
    )
}

/// The sign-in assistant's version: `MSOIDCRLVersion` in the 64-bit view,
/// else in the 32-bit view (`SOFTWARE\WOW6432Node\...`), where a 32-bit
/// package registers on 64-bit Windows. The source says which view held it.
fn sign_in_assistant_version(m: &dyn Machine) -> Fact {
    let id = "sign_in_assistant.version";
    let path = r"SOFTWARE\Microsoft\MSOIdentityCRL";
    let source = value_place(Hive::LocalMachine, path, "MSOIDCRLVersion");
    match string64(m, Hive::LocalMachine, path, "MSOIDCRLVersion") {
        Ok(Some(v)) => Fact::known(id, Value::String(v), &source),
        Ok(None) => {
            let source32 = format!(
                "{} (32-bit view: HKLM\\SOFTWARE\\WOW6432Node\\Microsoft\\MSOIdentityCRL)",
                source
            );
            let bit32 = super::machine::View::Bit32;
            match m.string(Hive::LocalMachine, bit32, path, "MSOIDCRLVersion") {
                Ok(Some(v)) => Fact::known(id, Value::String(v), &source32),
                Ok(None) => Fact::known(id, Value::Null, &source),
                Err(e) => Fact::unknown(id, &source32, &e.to_string()),
            }
        }
        Err(e) => Fact::unknown(id, &source, &e.to_string()),
    }
}

// ---------------------------------------------------------------- services

/// The fact `service.<name>` from the service manager's answer: installed
/// with its state and start type, not installed, or unknown with the reason
/// (winerr.rs).
pub(crate) fn service_fact(name: &str, answer: Result<ServiceQuery, ServiceError>) -> Fact {
    let q = match answer {
        Ok(q) => q,
        Err(e) => return winerr::service_open_failed(name, e.api, e.code, e.text.as_deref()),
    };
    let state = match q.state {
        Some(1) => "stopped",
        Some(2) => "start_pending",
        Some(3) => "stop_pending",
        Some(4) => "running",
        Some(5) => "continue_pending",
        Some(6) => "pause_pending",
        Some(7) => "paused",
        _ => "unknown",
    };
    let start = match q.start_type {
        Some(0) => "boot",
        Some(1) => "system",
        Some(2) => "auto",
        Some(3) => "manual",
        Some(4) => "disabled",
        _ => "unknown",
    };
    Fact::known(
        &format!("service.{}", name),
        json!({"installed": true, "state": state, "start_type": start}),
        &format!("service control manager: {}", name),
    )
}

fn service(m: &dyn Machine, name: &str) -> Fact {
    service_fact(name, m.service(name))
}

// ---------------------------------------------------------------- proxy

fn winhttp_proxy(m: &dyn Machine) -> Fact {
    let source = r"WinHttpGetDefaultProxyConfiguration (HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Internet Settings\Connections WinHttpSettings)";
    let info = match m.winhttp_proxy() {
        Ok(i) => i,
        Err(e) => {
            return Fact::unknown(
                "proxy.winhttp",
                source,
                &format!(
                    "WinHttpGetDefaultProxyConfiguration: {}",
                    winerr::describe(e.code, e.text.as_deref())
                ),
            )
        }
    };
    // WINHTTP_ACCESS_TYPE_NAMED_PROXY (3) with a proxy; anything else is
    // direct.
    let named = info.access_type == 3 && info.proxy.is_some();
    Fact::known(
        "proxy.winhttp",
        json!({
            "access": if named { "named" } else { "direct" },
            "proxy": if named { info.proxy } else { None },
            "bypass": info.bypass,
        }),
        source,
    )
}

fn ie_proxy(m: &dyn Machine) -> Fact {
    let path = r"Software\Microsoft\Windows\CurrentVersion\Internet Settings";
    let hkcu = Hive::CurrentUser;
    let mut e = Errors::default();
    // WinINet writes a DWORD; some tools write 4 bytes of REG_BINARY.
    let enabled = match e.take(value64(m, hkcu, path, "ProxyEnable")) {
        Some(RegValue::Number(n)) => n != 0,
        Some(RegValue::Binary(b)) => b.iter().take(4).any(|x| *x != 0),
        _ => false,
    };
    let server = e.take(string64(m, hkcu, path, "ProxyServer"));
    let over = e.take(string64(m, hkcu, path, "ProxyOverride"));
    let pac = e.take(string64(m, hkcu, path, "AutoConfigURL"));
    e.fact(
        "proxy.ie",
        json!({
            "enabled": enabled,
            "server": server.filter(|s| !s.is_empty()),
            "override": over,
            "auto_config_url": pac.filter(|s| !s.is_empty()),
        }),
        r"HKCU\Software\Microsoft\Windows\CurrentVersion\Internet Settings (ProxyEnable, ProxyServer, ProxyOverride, AutoConfigURL)",
    )
}

/// Reads a text file that may be UTF-16 (with BOM) or UTF-8 (with or
/// without BOM).
pub(crate) fn read_text(m: &dyn Machine, path: &str) -> Option<String> {
    let bytes = m.read_file(path)?;
    if bytes.len() >= 2 && bytes[0] == 0xFF && bytes[1] == 0xFE {
        let units: Vec<u16> = bytes[2..]
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        return Some(String::from_utf16_lossy(&units));
    }
    let s = String::from_utf8_lossy(&bytes).into_owned();
    Some(s.trim_start_matches('\u{feff}').to_string())
}

/// The user's Documents folder (User Shell Folders "Personal", expanded),
/// else `%USERPROFILE%\Documents`.
pub(crate) fn documents(m: &dyn Machine, e: &mut Errors) -> Option<String> {
    e.take(string64(
        m,
        Hive::CurrentUser,
        r"Software\Microsoft\Windows\CurrentVersion\Explorer\User Shell Folders",
        "Personal",
    ))
    .or_else(|| {
        m.env("USERPROFILE")
            .map(|p| super::machine::join(&p, "Documents"))
    })
}
