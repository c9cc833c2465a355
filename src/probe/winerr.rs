//! What a Win32 error code means for a fact, kept apart from the calls
//! (win32.rs) so the mapping is one pure function per API family that the
//! tests can feed any code on any OS, including the codes that wine cannot
//! produce (its service manager grants every access it is asked for).
//!
//! - Registry (`RegOpenKeyExW`, `RegGetValueW`): `ERROR_FILE_NOT_FOUND` is
//!   "absent", which is a known answer; every other code (access denied,
//!   a bad handle, a broken hive…) means the value could not be read: the
//!   fact becomes `unknown` with the code and its text as the reason
//!   (`machine::absent_or`).
//! - Service manager (`OpenSCManagerW`, `OpenServiceW`):
//!   `ERROR_SERVICE_DOES_NOT_EXIST` is the known answer "not installed";
//!   every other code (access denied above all) makes the fact `unknown`.
//!
//! Codes and their names: Microsoft Learn, "System Error Codes (0-499)" and
//! "(1000-1299)".

// Outside Windows only the tests call these.
#![cfg_attr(not(windows), allow(dead_code))]

use serde_json::json;

use super::Fact;

pub(crate) const ERROR_FILE_NOT_FOUND: i32 = 2;
pub(crate) const ERROR_PATH_NOT_FOUND: i32 = 3;
pub(crate) const ERROR_ACCESS_DENIED: i32 = 5;
pub(crate) const ERROR_INVALID_HANDLE: i32 = 6;
pub(crate) const ERROR_INVALID_PARAMETER: i32 = 87;
pub(crate) const ERROR_MORE_DATA: i32 = 234;
pub(crate) const ERROR_SERVICE_DOES_NOT_EXIST: i32 = 1060;
pub(crate) const ERROR_BADDB: i32 = 1009;
pub(crate) const ERROR_INVALID_NAME: i32 = 123;
/// `RegGetValueW` with a type filter the value does not pass.
#[cfg(test)]
pub(crate) const ERROR_UNSUPPORTED_TYPE: i32 = 1630;

/// The symbolic name of the codes the probes may meet.
pub fn error_name(code: i32) -> Option<&'static str> {
    Some(match code {
        ERROR_FILE_NOT_FOUND => "ERROR_FILE_NOT_FOUND",
        ERROR_PATH_NOT_FOUND => "ERROR_PATH_NOT_FOUND",
        ERROR_ACCESS_DENIED => "ERROR_ACCESS_DENIED",
        ERROR_INVALID_HANDLE => "ERROR_INVALID_HANDLE",
        ERROR_INVALID_PARAMETER => "ERROR_INVALID_PARAMETER",
        ERROR_INVALID_NAME => "ERROR_INVALID_NAME",
        ERROR_MORE_DATA => "ERROR_MORE_DATA",
        ERROR_BADDB => "ERROR_BADDB",
        ERROR_SERVICE_DOES_NOT_EXIST => "ERROR_SERVICE_DOES_NOT_EXIST",
        _ => return None,
    })
}

/// "Access is denied. (Windows error 5, ERROR_ACCESS_DENIED)": the system's
/// text when there is one (on Windows, in the system's language), and always
/// the number, and the name when it is one we know.
pub fn describe(code: i32, system_text: Option<&str>) -> String {
    let text = system_text
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .or_else(|| {
            Some(
                match code {
                    ERROR_ACCESS_DENIED => "Access is denied.",
                    ERROR_FILE_NOT_FOUND => "The system cannot find the file specified.",
                    ERROR_INVALID_HANDLE => "The handle is invalid.",
                    ERROR_SERVICE_DOES_NOT_EXIST => {
                        "The specified service does not exist as an installed service."
                    }
                    _ => return None,
                }
                .to_string(),
            )
        });
    let tail = match error_name(code) {
        Some(n) => format!("Windows error {}, {}", code, n),
        None => format!("Windows error {}", code),
    };
    match text {
        Some(t) => format!("{} ({})", t, tail),
        None => tail,
    }
}

/// The text of a REG_SZ value as .NET's `RegistryKey.GetValue` (so
/// PowerShell) reads it: one terminating NUL dropped, an embedded NUL kept
/// (dotnet/runtime RegistryKey.Windows.cs and the .NET Framework reference
/// source, REG_SZ case). PowerShell then compares the whole string, so
/// `RemoteSigned<NUL>x`, and `RemoteSigned` stored with two NULs, are not
/// RemoteSigned for it (SecuritySupport.ParseExecutionPolicy: Restricted).
/// The report must not hide that: each embedded NUL is shown as the two
/// characters `\0`, which keeps the value unequal to any policy name.
pub fn reg_sz_text(units: &[u16]) -> String {
    let units = match units.split_last() {
        Some((0, rest)) => rest,
        _ => units,
    };
    String::from_utf16_lossy(units).replace('\0', "\\0")
}

/// The fact `service.<name>` when `api` (OpenSCManagerW or OpenServiceW)
/// failed with `code`.
pub fn service_open_failed(name: &str, api: &str, code: i32, system_text: Option<&str>) -> Fact {
    let id = format!("service.{}", name);
    let source = format!("service control manager: {}", name);
    if api == "OpenServiceW" && code == ERROR_SERVICE_DOES_NOT_EXIST {
        return Fact::known(&id, json!({"installed": false}), &source);
    }
    Fact::unknown(
        &id,
        &source,
        &format!("{}: {}", api, describe(code, system_text)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::State;
    use crate::rules::{self, Status};

    /// What `machine::absent_or` makes of a code, as text.
    fn registry_failure(place: &str, code: i32, text: Option<&str>) -> Result<(), String> {
        crate::probe::machine::absent_or::<()>(place.to_string(), code, text.map(str::to_string))
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    #[test]
    fn registry_codes() {
        assert_eq!(
            registry_failure("HKLM\\X", ERROR_FILE_NOT_FOUND, None),
            Ok(())
        );
        let e = registry_failure("HKLM\\X v", ERROR_ACCESS_DENIED, None).unwrap_err();
        assert_eq!(
            e,
            "HKLM\\X v: Access is denied. (Windows error 5, ERROR_ACCESS_DENIED)"
        );
        // The system's (localized) text wins, the number and name stay.
        let e = registry_failure("K", ERROR_ACCESS_DENIED, Some("Accès refusé.\r\n")).unwrap_err();
        assert_eq!(e, "K: Accès refusé. (Windows error 5, ERROR_ACCESS_DENIED)");
        for code in [
            ERROR_PATH_NOT_FOUND,
            ERROR_INVALID_HANDLE,
            ERROR_INVALID_PARAMETER,
            ERROR_BADDB,
            ERROR_MORE_DATA,
            31337,
        ] {
            let e = registry_failure("K", code, None).unwrap_err();
            assert!(e.contains(&format!("Windows error {}", code)), "{}", e);
        }
    }

    #[test]
    fn reg_sz_text_is_what_powershell_reads_with_nuls_shown() {
        let u = |s: &str| -> Vec<u16> { s.encode_utf16().collect() };
        assert_eq!(reg_sz_text(&u("RemoteSigned\0")), "RemoteSigned");
        assert_eq!(reg_sz_text(&u("RemoteSigned")), "RemoteSigned");
        assert_eq!(reg_sz_text(&u("")), "");
        assert_eq!(reg_sz_text(&u("\0")), "");
        // Embedded: kept and shown, never a hidden NUL in the report.
        let t = reg_sz_text(&u("RemoteSigned\0Restricted\0"));
        assert_eq!(t, "RemoteSigned\\0Restricted");
        assert!(!t.contains('\0'));
        // Two terminating NULs: .NET keeps one, so PowerShell does not
        // read RemoteSigned; neither do the rules.
        let t = reg_sz_text(&u("RemoteSigned\0\0"));
        assert_eq!(t, "RemoteSigned\\0");
        assert_eq!(rules::canonical_policy(&t), "Restricted");
        assert_eq!(
            rules::canonical_policy(&reg_sz_text(&u("RemoteSigned\0"))),
            "RemoteSigned"
        );
    }

    /// Windows facts as rules see them, with one fact replaced.
    fn windows_facts(replace: Fact) -> Vec<Fact> {
        let mut facts = vec![
            Fact::known("os", json!("windows"), "test"),
            Fact::known("sign_in_assistant.version", json!("7.250.4303.0"), "test"),
            Fact::known("winrm.client.allow_basic_policy", json!(null), "test"),
            Fact::known("winrm.client.auth_basic", json!(null), "test"),
        ];
        facts.retain(|f| f.id != replace.id);
        facts.push(replace);
        facts
    }

    #[test]
    fn a_denied_service_query_is_unknown_with_the_reason() {
        for api in ["OpenSCManagerW", "OpenServiceW"] {
            let f = service_open_failed("msoidsvc", api, ERROR_ACCESS_DENIED, None);
            assert_eq!(f.state, State::Unknown);
            let reason = f.reason.clone().unwrap();
            assert!(reason.starts_with(api), "{}", reason);
            assert!(reason.contains("ERROR_ACCESS_DENIED"), "{}", reason);
            let findings = rules::evaluate(&windows_facts(f), "en");
            for id in ["sign_in_assistant.installed", "sign_in_assistant.service"] {
                let x = findings.iter().find(|x| x.id == id).unwrap();
                assert_eq!(x.status, Status::Unknown, "{}: {:?}", id, x);
                assert!(
                    x.evidence.iter().any(|e| e.contains("Windows error 5")),
                    "{}: {:?}",
                    id,
                    x.evidence
                );
            }
        }
        // "Does not exist" is an answer, not a failure.
        let f = service_open_failed(
            "msoidsvc",
            "OpenServiceW",
            ERROR_SERVICE_DOES_NOT_EXIST,
            None,
        );
        assert_eq!(f.state, State::Known);
        assert_eq!(f.value["installed"], false);
        // …but only from OpenServiceW.
        let f = service_open_failed(
            "msoidsvc",
            "OpenSCManagerW",
            ERROR_SERVICE_DOES_NOT_EXIST,
            None,
        );
        assert_eq!(f.state, State::Unknown);
        for code in [ERROR_INVALID_HANDLE, ERROR_INVALID_NAME, 1722] {
            let f = service_open_failed("msoidsvc", "OpenServiceW", code, None);
            assert_eq!(f.state, State::Unknown, "{}", code);
        }
    }

    #[test]
    fn an_unreadable_registry_key_is_unknown_with_the_reason() {
        let reason = registry_failure(
            "HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\WinRM\\Client",
            ERROR_ACCESS_DENIED,
            None,
        )
        .unwrap_err();
        let f = Fact::unknown(
            "winrm.client.allow_basic_policy",
            "HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\WinRM\\Client AllowBasic",
            &reason,
        );
        let findings = rules::evaluate(&windows_facts(f), "en");
        let x = findings
            .iter()
            .find(|x| x.id == "winrm.basic_auth")
            .unwrap();
        assert_eq!(x.status, Status::Unknown, "{:?}", x);
        assert!(
            x.evidence.iter().any(|e| e.contains("ERROR_ACCESS_DENIED")),
            "{:?}",
            x.evidence
        );
        // The sign-in assistant's key unreadable is not "missing": the
        // finding is unknown with the reason, not a warning about damage.
        let reason = registry_failure(
            "HKLM\\SOFTWARE\\Microsoft\\MSOIdentityCRL MSOIDCRLVersion",
            ERROR_ACCESS_DENIED,
            None,
        )
        .unwrap_err();
        let mut facts = windows_facts(Fact::unknown(
            "sign_in_assistant.version",
            "HKLM\\SOFTWARE\\Microsoft\\MSOIdentityCRL MSOIDCRLVersion",
            &reason,
        ));
        facts.push(Fact::known(
            "service.msoidsvc",
            json!({"installed": true, "state": "running", "start_type": "auto"}),
            "test",
        ));
        let findings = rules::evaluate(&facts, "en");
        let x = findings
            .iter()
            .find(|x| x.id == "sign_in_assistant.installed")
            .unwrap();
        assert_eq!(x.status, Status::Unknown, "{:?}", x);
        assert!(x.summary.contains("could not be read"), "{:?}", x);
        assert!(
            x.evidence.iter().any(|e| e.contains("ERROR_ACCESS_DENIED")),
            "{:?}",
            x.evidence
        );
    }
}
