//! How PowerShell reads its execution policy settings, as pure functions of
//! the raw values (the registry reads live in windows.rs), so the rules of
//! both editions are tested on every OS. Sources and the rules in words:
//! docs/facts/advice.md, "Execution policy".
//!
//! - Windows PowerShell 5.1, Group Policy scopes (`HKLM`/`HKCU\SOFTWARE\
//!   Policies\Microsoft\Windows\PowerShell`): `EnableScripts` is compared as
//!   text with "0" (Restricted) and "1" (then `ExecutionPolicy` decides);
//!   any other value, or none, leaves the scope Undefined
//!   (SecuritySupport.cs `GetGroupPolicyValue`, Windows PowerShell code).
//! - PowerShell 7, MachinePolicy (`HKLM`) and UserPolicy (`HKCU`): the
//!   `PowerShellCore` policy key of that hive (or, when its DWORD
//!   `UseWindowsPowerShellPolicySetting` is not 0, the Windows PowerShell
//!   key of the same hive) gives a `ScriptExecution` setting when it holds a
//!   DWORD `EnableScripts` of 0 or 1 or a string `ExecutionPolicy`; when it
//!   gives none, `PowerShellPolicies.ScriptExecution` of that scope's
//!   powershell.config.json does ($PSHOME for MachinePolicy, the user's
//!   Documents\PowerShell for UserPolicy). Either counts only through
//!   `EnableScripts`: false is Restricted, true means `ExecutionPolicy`,
//!   absent is Undefined (Utils.cs `GetPolicySetting`,
//!   `GetPolicySettingFromGPOImpl`, `TrySetPolicySettingsFromRegistryKey`;
//!   SecuritySupport.cs `GetGroupPolicyValue`).
//! - PowerShell 7, CurrentUser and LocalMachine: the root key
//!   `Microsoft.PowerShell:ExecutionPolicy` of the user's and of $PSHOME's
//!   powershell.config.json (PSConfiguration.cs; keys compared without case).

// Outside Windows only the tests call the registry helpers.
#![cfg_attr(not(windows), allow(dead_code))]

use serde_json::Value;

pub use super::machine::RegValue;

/// The policy a `ScriptExecution` setting gives: `EnableScripts` false is
/// Restricted, true means `ExecutionPolicy` (Undefined when it is absent or
/// empty), absent is Undefined. `None` is Undefined.
pub fn script_execution_policy(
    enable_scripts: Option<bool>,
    execution_policy: Option<&str>,
) -> Option<String> {
    match enable_scripts {
        Some(false) => Some("Restricted".to_string()),
        Some(true) => execution_policy
            .filter(|p| !p.is_empty())
            .map(str::to_string),
        None => None,
    }
}

/// Windows PowerShell 5.1: the policy of one Group Policy scope from the
/// values `EnableScripts` and `ExecutionPolicy` of its key (`None`:
/// Undefined). The values are compared as .NET prints them (`ToString`), so
/// a DWORD 1 and a string "1" both enable scripts; 2 does not.
pub fn windows_powershell_group_policy(
    enable_scripts: Option<&RegValue>,
    execution_policy: Option<&RegValue>,
) -> Option<String> {
    let as_text = |v: &RegValue| match v {
        RegValue::Number(n) => Some(n.to_string()),
        RegValue::Text(s) => Some(s.clone()),
        _ => None,
    };
    let enable = match enable_scripts.and_then(as_text).as_deref() {
        Some("0") => Some(false),
        Some("1") => Some(true),
        _ => None,
    };
    let policy = execution_policy.and_then(as_text);
    script_execution_policy(enable, policy.as_deref())
}

/// PowerShell 7: the `ScriptExecution` setting a policy key holds, or `None`
/// when it holds none (then the config file of the scope is read).
/// `EnableScripts` counts only as a DWORD 0 or 1, `ExecutionPolicy` only as
/// a string.
pub fn powershell7_registry_setting(
    enable_scripts: Option<&RegValue>,
    execution_policy: Option<&RegValue>,
) -> Option<(Option<bool>, Option<String>)> {
    let enable = match enable_scripts {
        Some(RegValue::Number(1)) => Some(true),
        Some(RegValue::Number(0)) => Some(false),
        _ => None,
    };
    let policy = match execution_policy {
        Some(RegValue::Text(s)) => Some(s.clone()),
        _ => None,
    };
    if enable.is_none() && policy.is_none() {
        None
    } else {
        Some((enable, policy))
    }
}

/// What one powershell.config.json says about the execution policy.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConfigFile {
    /// `PowerShellPolicies.ScriptExecution` (`EnableScripts`,
    /// `ExecutionPolicy`) when the object is there.
    pub script_execution: Option<(Option<bool>, Option<String>)>,
    /// The root key `Microsoft.PowerShell:ExecutionPolicy`.
    pub root_policy: Option<String>,
}

/// A member of a JSON object, its name compared without case (PowerShell
/// reads the root keys with OrdinalIgnoreCase, and Newtonsoft matches
/// property names without case).
fn member<'a>(v: &'a Value, name: &str) -> Option<&'a Value> {
    v.as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

/// Reads the execution policy settings of a powershell.config.json text.
/// `Err` when it is not a JSON object (PowerShell 7 then fails to start
/// its policy lookup: "cannot read the configuration file").
pub fn config_file(text: &str) -> Result<ConfigFile, String> {
    let v: Value = serde_json::from_str(text).map_err(|e| format!("not valid JSON ({})", e))?;
    if !v.is_object() {
        return Err("not a JSON object".into());
    }
    let script_execution = member(&v, "PowerShellPolicies")
        .and_then(|p| member(p, "ScriptExecution"))
        .filter(|s| s.is_object())
        .map(|s| {
            (
                member(s, "EnableScripts").and_then(|x| x.as_bool()),
                member(s, "ExecutionPolicy")
                    .and_then(|x| x.as_str())
                    .map(str::to_string),
            )
        });
    let root_policy = member(&v, "Microsoft.PowerShell:ExecutionPolicy")
        .and_then(|x| x.as_str())
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    Ok(ConfigFile {
        script_execution,
        root_policy,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_powershell_enable_scripts_is_0_or_1_as_text() {
        let n = RegValue::Number;
        let t = |s: &str| RegValue::Text(s.to_string());
        let all_signed = t("AllSigned");
        assert_eq!(
            windows_powershell_group_policy(Some(&n(0)), Some(&all_signed)),
            Some("Restricted".into())
        );
        assert_eq!(
            windows_powershell_group_policy(Some(&n(1)), Some(&all_signed)),
            Some("AllSigned".into())
        );
        // A string "1" is "1" to ToString(), like the DWORD.
        assert_eq!(
            windows_powershell_group_policy(Some(&t("1")), Some(&all_signed)),
            Some("AllSigned".into())
        );
        // Any other value leaves the scope Undefined (the old probe took
        // every value but 0 for 1).
        for other in [n(2), n(0xFFFF_FFFF), t("yes"), RegValue::Binary(vec![1])] {
            assert_eq!(
                windows_powershell_group_policy(Some(&other), Some(&all_signed)),
                None,
                "{:?}",
                other
            );
        }
        // Enabled without a policy value, or no EnableScripts: Undefined.
        assert_eq!(windows_powershell_group_policy(Some(&n(1)), None), None);
        assert_eq!(
            windows_powershell_group_policy(None, Some(&all_signed)),
            None
        );
    }

    #[test]
    fn powershell7_registry_counts_a_dword_0_or_1_and_a_string() {
        let n = RegValue::Number;
        let t = |s: &str| RegValue::Text(s.to_string());
        assert_eq!(
            powershell7_registry_setting(Some(&n(1)), Some(&t("Bypass"))),
            Some((Some(true), Some("Bypass".into())))
        );
        // A policy string alone is a setting (so the config file is not
        // read), but without EnableScripts the scope is Undefined.
        let s = powershell7_registry_setting(None, Some(&t("AllSigned")));
        assert_eq!(s, Some((None, Some("AllSigned".into()))));
        assert_eq!(script_execution_policy(None, Some("AllSigned")), None);
        // A string "1" or a 2 sets nothing: the config file decides.
        assert_eq!(powershell7_registry_setting(Some(&t("1")), None), None);
        assert_eq!(powershell7_registry_setting(Some(&n(2)), None), None);
        assert_eq!(powershell7_registry_setting(None, None), None);
    }

    #[test]
    fn config_files() {
        let c = config_file(
            r#"{"PowerShellPolicies":{"ScriptExecution":{"EnableScripts":true,"ExecutionPolicy":"AllSigned"}},
                "Microsoft.PowerShell:ExecutionPolicy":"RemoteSigned"}"#,
        )
        .unwrap();
        assert_eq!(
            c.script_execution,
            Some((Some(true), Some("AllSigned".into())))
        );
        assert_eq!(c.root_policy.as_deref(), Some("RemoteSigned"));
        // Names without case, as PowerShell reads them.
        let c = config_file(
            r#"{"powershellpolicies":{"scriptexecution":{"enablescripts":false}},
                "microsoft.powershell:executionpolicy":"Bypass"}"#,
        )
        .unwrap();
        assert_eq!(c.script_execution, Some((Some(false), None)));
        assert_eq!(c.root_policy.as_deref(), Some("Bypass"));
        // The documented example without EnableScripts sets nothing.
        let c = config_file(
            r#"{"PowerShellPolicies":{"ScriptExecution":{"ExecutionPolicy":"RemoteSigned"}}}"#,
        )
        .unwrap();
        let (e, p) = c.script_execution.clone().unwrap();
        assert_eq!(script_execution_policy(e, p.as_deref()), None);
        assert_eq!(config_file("{}").unwrap(), ConfigFile::default());
        assert!(config_file("{nope").is_err());
        assert!(config_file("[1]").is_err());
    }
}
