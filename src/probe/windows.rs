//! OS probes on Windows: the registry (advapi32), the service control
//! manager (advapi32) and WinHTTP. Every call only reads: keys are opened
//! with KEY_READ, the service manager with SC_MANAGER_CONNECT and the
//! service with SERVICE_QUERY_STATUS | SERVICE_QUERY_CONFIG. Keys are read in
//! the 64-bit view (KEY_WOW64_64KEY) where WinRM, PowerShell and the sign-in
//! assistant keep theirs; where installers differ both views are read:
//! PowerShell 7 x86's installer registers its InstalledVersions key in the
//! 32-bit view (and installs under Program Files (x86)). Locations and their
//! sources: docs/facts.md#execution-policy, #powershell-version, #winrm-client,
//! #sign-in-assistant, #connector-module, #proxies and #windows-apis.
//!
//! The few Win32 functions are declared here (no bindings crate).

use serde_json::{json, Map, Value};
use std::ffi::c_void;
use std::path::{Path, PathBuf};
use widestring::U16CString;

use super::policy::{self, RegValue};
use super::win32::{self, ERROR_MORE_DATA};
use super::{Fact, OsProbe, OS_FACT_IDS};

type Hkey = isize;
type ScHandle = *mut c_void;

const HKEY_CURRENT_USER: Hkey = 0x8000_0001u32 as i32 as isize;
const HKEY_LOCAL_MACHINE: Hkey = 0x8000_0002u32 as i32 as isize;
const KEY_READ: u32 = 0x20019;
const KEY_WOW64_64KEY: u32 = 0x0100;
const KEY_WOW64_32KEY: u32 = 0x0200;
const RRF_RT_REG_SZ: u32 = 0x0000_0002;
const RRF_RT_REG_DWORD: u32 = 0x0000_0010;
const RRF_RT_ANY: u32 = 0x0000_ffff;
const REG_SZ: u32 = 1;
const REG_EXPAND_SZ: u32 = 2;
const REG_BINARY: u32 = 3;
const REG_DWORD: u32 = 4;
const REG_QWORD: u32 = 11;
const ERROR_SUCCESS: i32 = 0;
const SC_MANAGER_CONNECT: u32 = 0x0001;
const SERVICE_QUERY_CONFIG: u32 = 0x0001;
const SERVICE_QUERY_STATUS: u32 = 0x0004;
const SC_STATUS_PROCESS_INFO: u32 = 0;

#[repr(C)]
struct WinHttpProxyInfo {
    access_type: u32,
    proxy: *mut u16,
    proxy_bypass: *mut u16,
}

#[link(name = "advapi32")]
extern "system" {
    fn RegOpenKeyExW(key: Hkey, sub: *const u16, options: u32, sam: u32, out: *mut Hkey) -> i32;
    fn RegGetValueW(
        key: Hkey,
        sub: *const u16,
        value: *const u16,
        flags: u32,
        kind: *mut u32,
        data: *mut c_void,
        size: *mut u32,
    ) -> i32;
    fn RegCloseKey(key: Hkey) -> i32;
    fn OpenSCManagerW(machine: *const u16, database: *const u16, access: u32) -> ScHandle;
    fn OpenServiceW(manager: ScHandle, name: *const u16, access: u32) -> ScHandle;
    fn QueryServiceStatusEx(
        service: ScHandle,
        level: u32,
        buffer: *mut u8,
        size: u32,
        needed: *mut u32,
    ) -> i32;
    fn QueryServiceConfigW(service: ScHandle, config: *mut u8, size: u32, needed: *mut u32) -> i32;
    fn CloseServiceHandle(handle: ScHandle) -> i32;
}

#[link(name = "winhttp")]
extern "system" {
    fn WinHttpGetDefaultProxyConfiguration(info: *mut WinHttpProxyInfo) -> i32;
}

#[link(name = "kernel32")]
extern "system" {
    fn GlobalFree(mem: *mut c_void) -> *mut c_void;
    fn GetLastError() -> u32;
}

fn wide(s: &str) -> U16CString {
    U16CString::from_str(s).unwrap_or_default()
}

fn root_name(root: Hkey) -> &'static str {
    if root == HKEY_LOCAL_MACHINE {
        "HKLM"
    } else {
        "HKCU"
    }
}

/// `HKLM\path value` for evidence.
fn where_(root: Hkey, path: &str, value: &str) -> String {
    format!("{}\\{} {}", root_name(root), path, value)
}

/// The system's text for a code, without std's " (os error N)" tail.
fn system_text(code: i32) -> String {
    let t = std::io::Error::from_raw_os_error(code).to_string();
    match t.rfind(" (os error ") {
        Some(i) => t[..i].to_string(),
        None => t,
    }
}

fn win_error(code: i32) -> String {
    win32::describe(code, Some(&system_text(code)))
}

/// An open key, closed on drop.
struct Key(Hkey);

impl Drop for Key {
    fn drop(&mut self) {
        unsafe {
            RegCloseKey(self.0);
        }
    }
}

/// Opens a key for reading in the 64-bit view; `Ok(None)` when it does not
/// exist.
fn open(root: Hkey, path: &str) -> Result<Option<Key>, String> {
    open_view(root, path, KEY_WOW64_64KEY)
}

/// Opens a key for reading in a registry view (`KEY_WOW64_64KEY` or
/// `KEY_WOW64_32KEY`); `Ok(None)` when it does not exist.
fn open_view(root: Hkey, path: &str, view: u32) -> Result<Option<Key>, String> {
    let p = wide(path);
    let mut h: Hkey = 0;
    let rc = unsafe { RegOpenKeyExW(root, p.as_ptr(), 0, KEY_READ | view, &mut h) };
    match rc {
        ERROR_SUCCESS => Ok(Some(Key(h))),
        rc => win32::registry_failure(
            &format!("{}\\{}", root_name(root), path),
            rc,
            Some(&system_text(rc)),
        )
        .map(|()| None),
    }
}

/// Reads a string value (REG_SZ, or REG_EXPAND_SZ expanded) in the 64-bit
/// view; `Ok(None)` when the key or the value is absent.
fn read_string(root: Hkey, path: &str, value: &str) -> Result<Option<String>, String> {
    read_string_view(root, path, value, KEY_WOW64_64KEY)
}

/// `read_string` in a registry view. The text is what .NET (so PowerShell)
/// reads, with an embedded NUL made visible (`win32::reg_sz_text`).
fn read_string_view(
    root: Hkey,
    path: &str,
    value: &str,
    view: u32,
) -> Result<Option<String>, String> {
    let key = match open_view(root, path, view)? {
        Some(k) => k,
        None => return Ok(None),
    };
    let v = wide(value);
    // RRF_RT_REG_SZ alone: a REG_EXPAND_SZ value is expanded and accepted
    // (asking for RRF_RT_REG_EXPAND_SZ without RRF_NOEXPAND is refused).
    let flags = RRF_RT_REG_SZ;
    let mut size: u32 = 0;
    for _ in 0..4 {
        let mut buf: Vec<u16> = vec![0; (size as usize / 2) + 1];
        let mut cb: u32 = (buf.len() * 2) as u32;
        let rc = unsafe {
            RegGetValueW(
                key.0,
                std::ptr::null(),
                v.as_ptr(),
                flags,
                std::ptr::null_mut(),
                buf.as_mut_ptr() as *mut c_void,
                &mut cb,
            )
        };
        match rc {
            ERROR_SUCCESS => {
                let n = (cb as usize / 2).min(buf.len());
                return Ok(Some(win32::reg_sz_text(&buf[..n])));
            }
            ERROR_MORE_DATA => size = cb.max(size * 2 + 2),
            rc => {
                return win32::registry_failure(
                    &where_(root, path, value),
                    rc,
                    Some(&system_text(rc)),
                )
                .map(|()| None)
            }
        }
    }
    Err(format!(
        "{}: the value keeps growing",
        where_(root, path, value)
    ))
}

/// Reads a REG_DWORD; `Ok(None)` when the key or the value is absent.
fn read_dword(root: Hkey, path: &str, value: &str) -> Result<Option<u32>, String> {
    let key = match open(root, path)? {
        Some(k) => k,
        None => return Ok(None),
    };
    let v = wide(value);
    let mut data: u32 = 0;
    let mut cb: u32 = 4;
    let rc = unsafe {
        RegGetValueW(
            key.0,
            std::ptr::null(),
            v.as_ptr(),
            RRF_RT_REG_DWORD,
            std::ptr::null_mut(),
            &mut data as *mut u32 as *mut c_void,
            &mut cb,
        )
    };
    match rc {
        ERROR_SUCCESS => Ok(Some(data)),
        rc => win32::registry_failure(&where_(root, path, value), rc, Some(&system_text(rc)))
            .map(|()| None),
    }
}

/// Reads a value of any type as .NET's `GetValue` would see it (a DWORD or
/// QWORD as a number, REG_SZ/REG_EXPAND_SZ as text, REG_BINARY as bytes);
/// `Ok(None)` when the key or the value is absent.
fn read_value(root: Hkey, path: &str, value: &str) -> Result<Option<RegValue>, String> {
    let key = match open(root, path)? {
        Some(k) => k,
        None => return Ok(None),
    };
    let v = wide(value);
    let mut size: u32 = 64;
    for _ in 0..4 {
        let mut buf: Vec<u8> = vec![0; size as usize + 2];
        let mut cb: u32 = size;
        let mut kind: u32 = 0;
        let rc = unsafe {
            RegGetValueW(
                key.0,
                std::ptr::null(),
                v.as_ptr(),
                RRF_RT_ANY,
                &mut kind,
                buf.as_mut_ptr() as *mut c_void,
                &mut cb,
            )
        };
        match rc {
            ERROR_SUCCESS => {
                let data = &buf[..(cb as usize).min(buf.len())];
                return Ok(Some(match kind {
                    REG_DWORD if data.len() >= 4 => {
                        RegValue::Number(u64::from(u32::from_le_bytes([
                            data[0], data[1], data[2], data[3],
                        ])))
                    }
                    REG_QWORD if data.len() >= 8 => {
                        let mut b = [0u8; 8];
                        b.copy_from_slice(&data[..8]);
                        RegValue::Number(u64::from_le_bytes(b))
                    }
                    REG_SZ | REG_EXPAND_SZ => {
                        let units: Vec<u16> = data
                            .chunks_exact(2)
                            .map(|c| u16::from_le_bytes([c[0], c[1]]))
                            .collect();
                        let s = String::from_utf16_lossy(&units);
                        RegValue::Text(s.trim_end_matches('\0').to_string())
                    }
                    REG_BINARY => RegValue::Binary(data.to_vec()),
                    _ => RegValue::Other,
                }));
            }
            ERROR_MORE_DATA => size = cb.max(size * 2),
            rc => {
                return win32::registry_failure(
                    &where_(root, path, value),
                    rc,
                    Some(&system_text(rc)),
                )
                .map(|()| None)
            }
        }
    }
    Err(format!(
        "{}: the value keeps growing",
        where_(root, path, value)
    ))
}

/// Collects read errors so one fact can say what could not be read.
#[derive(Default)]
struct Errors(Vec<String>);

impl Errors {
    fn take<T>(&mut self, r: Result<Option<T>, String>) -> Option<T> {
        match r {
            Ok(v) => v,
            Err(e) => {
                self.0.push(e);
                None
            }
        }
    }

    fn fact(self, id: &str, value: Value, source: &str) -> Fact {
        if self.0.is_empty() {
            Fact::known(id, value, source)
        } else {
            let mut f = Fact::unknown(id, source, &self.0.join("; "));
            f.value = value;
            f
        }
    }
}

/// The eleven OS probes, one per fact, in the order of `OS_FACT_IDS`: each
/// runs in the OS probe pool and is bounded on its own, so a slow one (the
/// Documents folder on an unreachable share, a wedged service manager)
/// costs only its own fact.
pub(crate) fn probes() -> Vec<OsProbe> {
    let runs: [fn() -> Vec<Fact>; 11] = [
        || vec![windows_powershell_policy()],
        || vec![powershell7_policy()],
        || vec![engine_version()],
        || {
            vec![dword_fact(
                "winrm.client.allow_basic_policy",
                HKEY_LOCAL_MACHINE,
                r"SOFTWARE\Policies\Microsoft\Windows\WinRM\Client",
                "AllowBasic",
            )]
        },
        || {
            vec![dword_fact(
                "winrm.client.auth_basic",
                HKEY_LOCAL_MACHINE,
                r"SOFTWARE\Microsoft\Windows\CurrentVersion\WSMAN\Client",
                "auth_basic",
            )]
        },
        || vec![sign_in_assistant_version()],
        || vec![service("msoidsvc")],
        || vec![service("winrm")],
        || vec![winhttp_proxy()],
        || vec![ie_proxy()],
        || vec![modules()],
    ];
    OS_FACT_IDS
        .iter()
        .zip(runs)
        .enumerate()
        .map(|(i, ((id, _), run))| OsProbe {
            key: id,
            facts: &OS_FACT_IDS[i..i + 1],
            run,
        })
        .collect()
}

fn dword_fact(id: &str, root: Hkey, path: &str, value: &str) -> Fact {
    let source = where_(root, path, value);
    match read_dword(root, path, value) {
        Ok(v) => Fact::known(id, v.map(|n| json!(n)).unwrap_or(Value::Null), &source),
        Err(e) => Fact::unknown(id, &source, &e),
    }
}

// ---------------------------------------------------------------- execution policy

const SHELL_IDS: &str = r"SOFTWARE\Microsoft\PowerShell\1\ShellIds\Microsoft.PowerShell";
const WINPS_POLICY: &str = r"SOFTWARE\Policies\Microsoft\Windows\PowerShell";
const CORE_POLICY: &str = r"SOFTWARE\Policies\Microsoft\PowerShellCore";

/// A Windows PowerShell Group Policy scope: `EnableScripts` "0" is
/// Restricted, "1" means the `ExecutionPolicy` value; anything else is
/// Undefined (src/probe/policy.rs).
fn group_policy(errors: &mut Errors, root: Hkey, path: &str) -> String {
    let enable = errors.take(read_value(root, path, "EnableScripts"));
    let policy = errors.take(read_value(root, path, "ExecutionPolicy"));
    policy::windows_powershell_group_policy(enable.as_ref(), policy.as_ref())
        .unwrap_or_else(|| "Undefined".into())
}

fn process_policy() -> String {
    std::env::var("PSExecutionPolicyPreference")
        .ok()
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| "Undefined".into())
}

fn windows_powershell_policy() -> Fact {
    let mut e = Errors::default();
    let mut v = Map::new();
    v.insert(
        "MachinePolicy".into(),
        json!(group_policy(&mut e, HKEY_LOCAL_MACHINE, WINPS_POLICY)),
    );
    v.insert(
        "UserPolicy".into(),
        json!(group_policy(&mut e, HKEY_CURRENT_USER, WINPS_POLICY)),
    );
    v.insert("Process".into(), json!(process_policy()));
    for (scope, root) in [
        ("CurrentUser", HKEY_CURRENT_USER),
        ("LocalMachine", HKEY_LOCAL_MACHINE),
    ] {
        let p = e
            .take(read_string(root, SHELL_IDS, "ExecutionPolicy"))
            .unwrap_or_else(|| "Undefined".into());
        v.insert(scope.into(), json!(p));
    }
    e.fact(
        "windows_powershell.execution_policy",
        Value::Object(v),
        r"HKLM/HKCU\SOFTWARE\Policies\Microsoft\Windows\PowerShell (EnableScripts, ExecutionPolicy); env PSExecutionPolicyPreference; HKCU/HKLM\SOFTWARE\Microsoft\PowerShell\1\ShellIds\Microsoft.PowerShell ExecutionPolicy",
    )
}

/// MSI install locations of PowerShell 7 (docs/facts.md#powershell-7-installs): stable and preview,
/// x64 and x86 upgrade codes.
const PWSH_UPGRADE_CODES: &[&str] = &[
    "31ab5147-9a97-4452-8443-d9709f0516e1",
    "1d00683b-0f84-4db8-a64f-2f98ad42fe06",
    "39243d76-adaf-42b1-94fb-16ecf83237c8",
    "86abcfbd-1ccc-4a88-b8b2-0facfde29094",
];

/// Where PowerShell 7 is installed, and how it was found. Its MSI registers
/// InstalledVersions in the view of its own architecture: the x86 package
/// in the 32-bit view (WOW6432Node on 64-bit Windows), so both views are
/// read; then the default folders, `%ProgramFiles%` (64-bit) and
/// `%ProgramFiles(x86)%`.
fn pwsh_home(e: &mut Errors) -> Option<(PathBuf, String)> {
    for code in PWSH_UPGRADE_CODES {
        let path = format!(
            r"SOFTWARE\Microsoft\PowerShellCore\InstalledVersions\{}",
            code
        );
        for (view, name) in [(KEY_WOW64_64KEY, "64-bit"), (KEY_WOW64_32KEY, "32-bit")] {
            let loc = e.take(read_string_view(
                HKEY_LOCAL_MACHINE,
                &path,
                "InstallLocation",
                view,
            ));
            if let Some(loc) = loc {
                let p = PathBuf::from(loc.trim_end_matches('\\'));
                if p.join("pwsh.exe").is_file() {
                    let how = format!("HKLM\\{} InstallLocation ({} registry view)", path, name);
                    return Some((p, how));
                }
            }
        }
    }
    let mut folders: Vec<String> = Vec::new();
    for var in ["ProgramW6432", "ProgramFiles", "ProgramFiles(x86)"] {
        if let Ok(pf) = std::env::var(var) {
            if !folders.iter().any(|f| f.eq_ignore_ascii_case(&pf)) {
                folders.push(pf);
            }
        }
    }
    for pf in folders {
        for v in ["7", "7-preview"] {
            let p = Path::new(&pf).join("PowerShell").join(v);
            if p.join("pwsh.exe").is_file() {
                let how = format!("folder {}", p.display());
                return Some((p, how));
            }
        }
    }
    None
}

/// Reads a text file that may be UTF-16 (with BOM) or UTF-8 (with or
/// without BOM).
fn read_text(path: &Path) -> Option<String> {
    let bytes = std::fs::read(path).ok()?;
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

/// The execution policy settings of a powershell.config.json (`Ok(None)`
/// when the file does not exist; `Err` when it is not a JSON object).
fn config_file(path: &Path) -> Result<Option<policy::ConfigFile>, String> {
    match read_text(path) {
        None => Ok(None),
        Some(text) => policy::config_file(&text)
            .map(Some)
            .map_err(|err| format!("{}: {}", path.display(), err)),
    }
}

/// The user's Documents folder (User Shell Folders "Personal", expanded).
fn documents(e: &mut Errors) -> Option<PathBuf> {
    e.take(read_string(
        HKEY_CURRENT_USER,
        r"Software\Microsoft\Windows\CurrentVersion\Explorer\User Shell Folders",
        "Personal",
    ))
    .map(PathBuf::from)
    .or_else(|| {
        std::env::var("USERPROFILE")
            .ok()
            .map(|p| Path::new(&p).join("Documents"))
    })
}

/// PowerShell 7's MachinePolicy (HKLM, $PSHOME's file) or UserPolicy (HKCU,
/// the user's file): the hive's PowerShellCore key, or the Windows
/// PowerShell key of the same hive when that key's
/// UseWindowsPowerShellPolicySetting is not 0; when the registry holds no
/// setting, the file's PowerShellPolicies.ScriptExecution. Returns the
/// policy and where it came from.
fn powershell7_policy_scope(
    e: &mut Errors,
    root: Hkey,
    file: Option<(&Path, &Option<policy::ConfigFile>)>,
) -> (String, Value) {
    let mut from_registry = None;
    if e.take(open(root, CORE_POLICY)).is_some() {
        let fallback = e.take(read_value(
            root,
            CORE_POLICY,
            "UseWindowsPowerShellPolicySetting",
        ));
        let key = match fallback {
            Some(RegValue::Number(n)) if n != 0 => WINPS_POLICY,
            _ => CORE_POLICY,
        };
        let enable = e.take(read_value(root, key, "EnableScripts"));
        let policy = e.take(read_value(root, key, "ExecutionPolicy"));
        if let Some((en, p)) =
            policy::powershell7_registry_setting(enable.as_ref(), policy.as_ref())
        {
            from_registry = Some((en, p, format!("{}\\{}", root_name(root), key)));
        }
    }
    let (setting, origin) = match from_registry {
        Some((en, p, place)) => (
            Some((en, p)),
            json!({"kind": "group_policy", "place": place}),
        ),
        None => match file {
            Some((path, Some(c))) if c.script_execution.is_some() => (
                c.script_execution.clone(),
                json!({"kind": "config_file", "place": path.display().to_string()}),
            ),
            _ => (None, Value::Null),
        },
    };
    let p = setting
        .and_then(|(en, p)| policy::script_execution_policy(en, p.as_deref()))
        .unwrap_or_else(|| "Undefined".into());
    (p, origin)
}

fn powershell7_policy() -> Fact {
    let mut e = Errors::default();
    let mut v = Map::new();
    let found = pwsh_home(&mut e);
    v.insert("installed".into(), json!(found.is_some()));
    v.insert(
        "pshome".into(),
        json!(found.as_ref().map(|(h, _)| h.display().to_string())),
    );
    v.insert(
        "found_by".into(),
        json!(found.as_ref().map(|(_, how)| how.clone())),
    );
    let home = found.map(|(h, _)| h);
    let machine_file = home.as_ref().map(|d| d.join("powershell.config.json"));
    let user_file = documents(&mut e).map(|d| d.join("PowerShell").join("powershell.config.json"));
    let read = |p: &Option<PathBuf>, e: &mut Errors| -> Option<policy::ConfigFile> {
        p.as_ref().and_then(|p| e.take(config_file(p)))
    };
    let machine = read(&machine_file, &mut e);
    let user = read(&user_file, &mut e);
    let mut origin = Map::new();
    for (scope, root, path, conf) in [
        ("MachinePolicy", HKEY_LOCAL_MACHINE, &machine_file, &machine),
        ("UserPolicy", HKEY_CURRENT_USER, &user_file, &user),
    ] {
        let file = path.as_deref().map(|p| (p, conf));
        let (p, o) = powershell7_policy_scope(&mut e, root, file);
        v.insert(scope.into(), json!(p));
        if !o.is_null() {
            origin.insert(scope.into(), o);
        }
    }
    v.insert("Process".into(), json!(process_policy()));
    for (scope, conf) in [("CurrentUser", &user), ("LocalMachine", &machine)] {
        let p = conf
            .as_ref()
            .and_then(|c| c.root_policy.clone())
            .unwrap_or_else(|| "Undefined".into());
        v.insert(scope.into(), json!(p));
    }
    v.insert("origin".into(), Value::Object(origin));
    e.fact(
        "powershell7.execution_policy",
        Value::Object(v),
        r"MachinePolicy: HKLM\SOFTWARE\Policies\Microsoft\PowerShellCore (or ...\Windows\PowerShell when UseWindowsPowerShellPolicySetting), else $PSHOME\powershell.config.json PowerShellPolicies.ScriptExecution; UserPolicy: the same under HKCU, else Documents\PowerShell\powershell.config.json; env PSExecutionPolicyPreference; CurrentUser/LocalMachine: Microsoft.PowerShell:ExecutionPolicy of Documents\PowerShell\ and $PSHOME\powershell.config.json ($PSHOME: HKLM\SOFTWARE\Microsoft\PowerShellCore\InstalledVersions, 64- and 32-bit views, else %ProgramFiles% and %ProgramFiles(x86)%\PowerShell\7)",
    )
}

fn engine_version() -> Fact {
    let mut e = Errors::default();
    let v3 = e.take(read_string(
        HKEY_LOCAL_MACHINE,
        r"SOFTWARE\Microsoft\PowerShell\3\PowerShellEngine",
        "PowerShellVersion",
    ));
    let v = v3.or_else(|| {
        e.take(read_string(
            HKEY_LOCAL_MACHINE,
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
fn sign_in_assistant_version() -> Fact {
    let path = r"SOFTWARE\Microsoft\MSOIdentityCRL";
    let source = where_(HKEY_LOCAL_MACHINE, path, "MSOIDCRLVersion");
    match read_string(HKEY_LOCAL_MACHINE, path, "MSOIDCRLVersion") {
        Ok(Some(v)) => Fact::known("sign_in_assistant.version", Value::String(v), &source),
        Ok(None) => {
            let source32 = format!(
                "{} (32-bit view: HKLM\\SOFTWARE\\WOW6432Node\\Microsoft\\MSOIdentityCRL)",
                source
            );
            match read_string_view(HKEY_LOCAL_MACHINE, path, "MSOIDCRLVersion", KEY_WOW64_32KEY) {
                Ok(Some(v)) => {
                    Fact::known("sign_in_assistant.version", Value::String(v), &source32)
                }
                Ok(None) => Fact::known("sign_in_assistant.version", Value::Null, &source),
                Err(e) => Fact::unknown("sign_in_assistant.version", &source32, &e),
            }
        }
        Err(e) => Fact::unknown("sign_in_assistant.version", &source, &e),
    }
}

// ---------------------------------------------------------------- services

struct Sc(ScHandle);

impl Drop for Sc {
    fn drop(&mut self) {
        unsafe {
            CloseServiceHandle(self.0);
        }
    }
}

fn last_error() -> i32 {
    unsafe { GetLastError() as i32 }
}

fn service(name: &str) -> Fact {
    let id = format!("service.{}", name);
    let source = format!("service control manager: {}", name);
    let scm = unsafe { OpenSCManagerW(std::ptr::null(), std::ptr::null(), SC_MANAGER_CONNECT) };
    if scm.is_null() {
        let rc = last_error();
        return win32::service_open_failed(name, "OpenSCManagerW", rc, Some(&system_text(rc)));
    }
    let scm = Sc(scm);
    let n = wide(name);
    let h = unsafe {
        OpenServiceW(
            scm.0,
            n.as_ptr(),
            SERVICE_QUERY_STATUS | SERVICE_QUERY_CONFIG,
        )
    };
    if h.is_null() {
        let rc = last_error();
        return win32::service_open_failed(name, "OpenServiceW", rc, Some(&system_text(rc)));
    }
    let h = Sc(h);
    // SERVICE_STATUS_PROCESS: nine DWORDs; dwCurrentState is the second.
    let mut status = [0u32; 9];
    let mut needed: u32 = 0;
    let ok = unsafe {
        QueryServiceStatusEx(
            h.0,
            SC_STATUS_PROCESS_INFO,
            status.as_mut_ptr() as *mut u8,
            std::mem::size_of_val(&status) as u32,
            &mut needed,
        )
    };
    let state = if ok != 0 {
        match status[1] {
            1 => "stopped",
            2 => "start_pending",
            3 => "stop_pending",
            4 => "running",
            5 => "continue_pending",
            6 => "pause_pending",
            7 => "paused",
            _ => "unknown",
        }
    } else {
        "unknown"
    };
    // QUERY_SERVICE_CONFIGW: dwServiceType, dwStartType, … then strings.
    let mut start = "unknown";
    let mut needed: u32 = 0;
    unsafe { QueryServiceConfigW(h.0, std::ptr::null_mut(), 0, &mut needed) };
    if needed > 0 && needed < 1 << 20 {
        let mut buf = vec![0u64; (needed as usize + 7) / 8];
        let ok =
            unsafe { QueryServiceConfigW(h.0, buf.as_mut_ptr() as *mut u8, needed, &mut needed) };
        if ok != 0 {
            let start_type = (buf[0] >> 32) as u32;
            start = match start_type {
                0 => "boot",
                1 => "system",
                2 => "auto",
                3 => "manual",
                4 => "disabled",
                _ => "unknown",
            };
        }
    }
    Fact::known(
        &id,
        json!({"installed": true, "state": state, "start_type": start}),
        &source,
    )
}

// ---------------------------------------------------------------- proxy

fn take_wide(p: *mut u16) -> Option<String> {
    if p.is_null() {
        return None;
    }
    let s = unsafe { widestring::U16CStr::from_ptr_str(p) }.to_string_lossy();
    unsafe { GlobalFree(p as *mut c_void) };
    Some(s).filter(|s| !s.is_empty())
}

fn winhttp_proxy() -> Fact {
    let source = r"WinHttpGetDefaultProxyConfiguration (HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Internet Settings\Connections WinHttpSettings)";
    let mut info = WinHttpProxyInfo {
        access_type: 0,
        proxy: std::ptr::null_mut(),
        proxy_bypass: std::ptr::null_mut(),
    };
    let ok = unsafe { WinHttpGetDefaultProxyConfiguration(&mut info) };
    if ok == 0 {
        return Fact::unknown(
            "proxy.winhttp",
            source,
            &format!(
                "WinHttpGetDefaultProxyConfiguration: {}",
                win_error(last_error())
            ),
        );
    }
    let proxy = take_wide(info.proxy);
    let bypass = take_wide(info.proxy_bypass);
    let named = info.access_type == 3 && proxy.is_some();
    Fact::known(
        "proxy.winhttp",
        json!({
            "access": if named { "named" } else { "direct" },
            "proxy": if named { proxy } else { None },
            "bypass": bypass,
        }),
        source,
    )
}

fn ie_proxy() -> Fact {
    let path = r"Software\Microsoft\Windows\CurrentVersion\Internet Settings";
    let mut e = Errors::default();
    // WinINet writes a DWORD; some tools write 4 bytes of REG_BINARY.
    let enabled = match e.take(read_value(HKEY_CURRENT_USER, path, "ProxyEnable")) {
        Some(RegValue::Number(n)) => n != 0,
        Some(RegValue::Binary(b)) => b.iter().take(4).any(|x| *x != 0),
        _ => false,
    };
    let server = e.take(read_string(HKEY_CURRENT_USER, path, "ProxyServer"));
    let over = e.take(read_string(HKEY_CURRENT_USER, path, "ProxyOverride"));
    let pac = e.take(read_string(HKEY_CURRENT_USER, path, "AutoConfigURL"));
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

// ---------------------------------------------------------------- modules

const MODULE_NAMES: &[&str] = &[
    "SkypeOnlineConnector",
    "LyncOnlineConnector",
    "MicrosoftTeams",
];

/// `ModuleVersion = '7.0.0.0'` from a manifest.
fn manifest_version(text: &str) -> Option<String> {
    let re = regex::Regex::new(r#"(?im)^\s*ModuleVersion\s*=\s*['"]([^'"]+)['"]"#).ok()?;
    re.captures(text).map(|c| c[1].to_string())
}

/// Looks for `<dir>\<name>\<name>.psd1` and `<dir>\<name>\<version>\<name>.psd1`.
fn find_modules(dir: &Path, name: &str, out: &mut Vec<Value>) {
    let base = dir.join(name);
    let mut manifests = vec![base.join(format!("{}.psd1", name))];
    if let Ok(entries) = std::fs::read_dir(&base) {
        for entry in entries.flatten() {
            let p = entry.path();
            if p.is_dir() {
                manifests.push(p.join(format!("{}.psd1", name)));
            }
        }
    }
    for m in manifests {
        if let Some(text) = read_text(&m) {
            let folder_version = m
                .parent()
                .and_then(|p| p.file_name())
                .map(|f| f.to_string_lossy().into_owned())
                .filter(|f| {
                    f.chars()
                        .next()
                        .map(|c| c.is_ascii_digit())
                        .unwrap_or(false)
                });
            out.push(json!({
                "name": name,
                "version": manifest_version(&text).or(folder_version),
                "path": m.parent().map(|p| p.display().to_string()),
            }));
        }
    }
}

fn modules() -> Fact {
    let mut e = Errors::default();
    let env = |k: &str| std::env::var(k).ok().map(PathBuf::from);
    let common = env("CommonProgramW6432").or_else(|| env("CommonProgramFiles"));
    let program = env("ProgramW6432").or_else(|| env("ProgramFiles"));
    let docs = documents(&mut e);
    let mut dirs: Vec<PathBuf> = Vec::new();
    if let Some(c) = &common {
        // The connectors' own install folders (docs/facts.md#connector-names-and-folders).
        dirs.push(c.join("Skype for Business Online").join("Modules"));
        dirs.push(c.join("Microsoft Lync Server 2013").join("Modules"));
    }
    if let Some(p) = &program {
        dirs.push(p.join("WindowsPowerShell").join("Modules"));
        dirs.push(p.join("PowerShell").join("Modules"));
    }
    if let Some(d) = &docs {
        dirs.push(d.join("WindowsPowerShell").join("Modules"));
        dirs.push(d.join("PowerShell").join("Modules"));
    }
    let mut found = Vec::new();
    for d in &dirs {
        for name in MODULE_NAMES {
            find_modules(d, name, &mut found);
        }
    }
    let searched: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
    e.fact(
        "modules.installed",
        Value::Array(found),
        &format!("module folders: {}", searched.join("; ")),
    )
}
