//! The execution policy facts of both editions: which keys and files each
//! PowerShell reads, per scope (the rules of each in src/probe/policy.rs;
//! docs/facts.md#execution-policy and #powershell-7-installs).

use serde_json::{json, Map, Value};

use super::super::machine::{join, Hive, Machine, RegValue, View};
use super::super::{policy, Fact};
use super::{documents, read_text, string64, value64, Errors};

const SHELL_IDS: &str = r"SOFTWARE\Microsoft\PowerShell\1\ShellIds\Microsoft.PowerShell";
const WINPS_POLICY: &str = r"SOFTWARE\Policies\Microsoft\Windows\PowerShell";
const CORE_POLICY: &str = r"SOFTWARE\Policies\Microsoft\PowerShellCore";

/// A Windows PowerShell Group Policy scope: `EnableScripts` "0" is
/// Restricted, "1" means the `ExecutionPolicy` value; anything else is
/// Undefined (src/probe/policy.rs).
fn group_policy(m: &dyn Machine, errors: &mut Errors, hive: Hive, path: &str) -> String {
    let enable = errors.take(value64(m, hive, path, "EnableScripts"));
    let policy = errors.take(value64(m, hive, path, "ExecutionPolicy"));
    policy::windows_powershell_group_policy(enable.as_ref(), policy.as_ref())
        .unwrap_or_else(|| "Undefined".into())
}

/// The Process scope: `PSExecutionPolicyPreference`.
fn process_policy(m: &dyn Machine) -> String {
    m.env("PSExecutionPolicyPreference")
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| "Undefined".into())
}

pub(super) fn windows_powershell_policy(m: &dyn Machine) -> Fact {
    let mut e = Errors::default();
    let mut v = Map::new();
    v.insert(
        "MachinePolicy".into(),
        json!(group_policy(m, &mut e, Hive::LocalMachine, WINPS_POLICY)),
    );
    v.insert(
        "UserPolicy".into(),
        json!(group_policy(m, &mut e, Hive::CurrentUser, WINPS_POLICY)),
    );
    v.insert("Process".into(), json!(process_policy(m)));
    for (scope, hive) in [
        ("CurrentUser", Hive::CurrentUser),
        ("LocalMachine", Hive::LocalMachine),
    ] {
        let p = e
            .take(string64(m, hive, SHELL_IDS, "ExecutionPolicy"))
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
pub(crate) fn pwsh_home(m: &dyn Machine, e: &mut Errors) -> Option<(String, String)> {
    for code in PWSH_UPGRADE_CODES {
        let path = format!(
            r"SOFTWARE\Microsoft\PowerShellCore\InstalledVersions\{}",
            code
        );
        for view in [View::Bit64, View::Bit32] {
            let loc = e.take(m.string(Hive::LocalMachine, view, &path, "InstallLocation"));
            if let Some(loc) = loc {
                let p = loc.trim_end_matches('\\').to_string();
                if m.is_file(&join(&p, "pwsh.exe")) {
                    let how = format!(
                        "HKLM\\{} InstallLocation ({} registry view)",
                        path,
                        view.name()
                    );
                    return Some((p, how));
                }
            }
        }
    }
    let mut folders: Vec<String> = Vec::new();
    for var in ["ProgramW6432", "ProgramFiles", "ProgramFiles(x86)"] {
        if let Some(pf) = m.env(var) {
            if !folders.iter().any(|f| f.eq_ignore_ascii_case(&pf)) {
                folders.push(pf);
            }
        }
    }
    for pf in folders {
        for v in ["7", "7-preview"] {
            let p = join(&join(&pf, "PowerShell"), v);
            if m.is_file(&join(&p, "pwsh.exe")) {
                let how = format!("folder {}", p);
                return Some((p, how));
            }
        }
    }
    None
}

/// The execution policy settings of a powershell.config.json (`Ok(None)`
/// when the file does not exist; `Err` when it is not a JSON object).
fn config_file(m: &dyn Machine, path: &str) -> Result<Option<policy::ConfigFile>, String> {
    match read_text(m, path) {
        None => Ok(None),
        Some(text) => policy::config_file(&text)
            .map(Some)
            .map_err(|err| format!("{}: {}", path, err)),
    }
}

/// PowerShell 7's MachinePolicy (HKLM, $PSHOME's file) or UserPolicy (HKCU,
/// the user's file): the hive's PowerShellCore key, or the Windows
/// PowerShell key of the same hive when that key's
/// UseWindowsPowerShellPolicySetting is not 0; when the registry holds no
/// setting, the file's PowerShellPolicies.ScriptExecution. Returns the
/// policy and where it came from.
fn powershell7_policy_scope(
    m: &dyn Machine,
    e: &mut Errors,
    hive: Hive,
    file: Option<(&str, &Option<policy::ConfigFile>)>,
) -> (String, Value) {
    let mut from_registry = None;
    let exists = m
        .key_exists(hive, View::Bit64, CORE_POLICY)
        .map(|x| x.then_some(()));
    if e.take(exists).is_some() {
        let fallback = e.take(value64(
            m,
            hive,
            CORE_POLICY,
            "UseWindowsPowerShellPolicySetting",
        ));
        let key = match fallback {
            Some(RegValue::Number(n)) if n != 0 => WINPS_POLICY,
            _ => CORE_POLICY,
        };
        let enable = e.take(value64(m, hive, key, "EnableScripts"));
        let policy = e.take(value64(m, hive, key, "ExecutionPolicy"));
        if let Some((en, p)) =
            policy::powershell7_registry_setting(enable.as_ref(), policy.as_ref())
        {
            from_registry = Some((en, p, format!("{}\\{}", hive.name(), key)));
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
                json!({"kind": "config_file", "place": path}),
            ),
            _ => (None, Value::Null),
        },
    };
    let p = setting
        .and_then(|(en, p)| policy::script_execution_policy(en, p.as_deref()))
        .unwrap_or_else(|| "Undefined".into());
    (p, origin)
}

pub(super) fn powershell7_policy(m: &dyn Machine) -> Fact {
    let mut e = Errors::default();
    let mut v = Map::new();
    let found = pwsh_home(m, &mut e);
    v.insert("installed".into(), json!(found.is_some()));
    v.insert(
        "pshome".into(),
        json!(found.as_ref().map(|(h, _)| h.clone())),
    );
    v.insert(
        "found_by".into(),
        json!(found.as_ref().map(|(_, how)| how.clone())),
    );
    let home = found.map(|(h, _)| h);
    let machine_file = home.as_ref().map(|d| join(d, "powershell.config.json"));
    let user_file =
        documents(m, &mut e).map(|d| join(&join(&d, "PowerShell"), "powershell.config.json"));
    let read = |p: &Option<String>, e: &mut Errors| -> Option<policy::ConfigFile> {
        p.as_ref().and_then(|p| match config_file(m, p) {
            Ok(c) => c,
            Err(err) => {
                e.push(err);
                None
            }
        })
    };
    let machine = read(&machine_file, &mut e);
    let user = read(&user_file, &mut e);
    let mut origin = Map::new();
    for (scope, hive, path, conf) in [
        ("MachinePolicy", Hive::LocalMachine, &machine_file, &machine),
        ("UserPolicy", Hive::CurrentUser, &user_file, &user),
    ] {
        let file = path.as_deref().map(|p| (p, conf));
        let (p, o) = powershell7_policy_scope(m, &mut e, hive, file);
        v.insert(scope.into(), json!(p));
        if !o.is_null() {
            origin.insert(scope.into(), o);
        }
    }
    v.insert("Process".into(), json!(process_policy(m)));
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
