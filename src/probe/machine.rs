//! The small interface between the Windows probes and the machine they read:
//! the registry, the service control manager, WinHTTP's default proxy, the
//! environment and the file system.
//!
//! `win32.rs` implements it with the system calls (the only code with
//! `unsafe` in the probes); `fake.rs` implements it with maps, so what each
//! key means (`windows/`: which scope wins, policy over local, both registry
//! views, the defaults) is compiled and unit-tested on every OS. The
//! interface only reads: there is no call that writes.
//!
//! Errors keep what the call said (the Win32 code, the system's text) and
//! where (`HKLM\path` or `HKLM\path value`); `winerr.rs` says what a code
//! means for a fact.

// Outside Windows only the tests read a machine.
#![cfg_attr(not(windows), allow(dead_code))]

use std::fmt;

use super::winerr;

/// A registry root the probes read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Hive {
    LocalMachine,
    CurrentUser,
}

impl Hive {
    /// `HKLM` or `HKCU`, as the evidence writes it.
    pub fn name(self) -> &'static str {
        match self {
            Hive::LocalMachine => "HKLM",
            Hive::CurrentUser => "HKCU",
        }
    }
}

/// A registry view (`KEY_WOW64_64KEY` or `KEY_WOW64_32KEY`): on 64-bit
/// Windows, `HKLM\SOFTWARE\X` of the 32-bit view is
/// `HKLM\SOFTWARE\WOW6432Node\X` of the 64-bit one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum View {
    Bit64,
    Bit32,
}

impl View {
    /// `64-bit` or `32-bit`, as the evidence writes it.
    pub fn name(self) -> &'static str {
        match self {
            View::Bit64 => "64-bit",
            View::Bit32 => "32-bit",
        }
    }
}

/// A registry value as .NET's `RegistryKey.GetValue` would hand it over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegValue {
    /// REG_DWORD (and REG_QWORD, which .NET also hands over as a number).
    Number(u64),
    /// REG_SZ or REG_EXPAND_SZ (expanded).
    Text(String),
    /// REG_BINARY.
    Binary(Vec<u8>),
    /// REG_MULTI_SZ and every other type.
    Other,
}

/// A registry read that failed for another reason than "absent".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegError {
    /// The call returned `code`; `place` is `HKLM\path` (opening the key)
    /// or `HKLM\path value` (reading the value); `text` is the system's
    /// text for the code, when there is one.
    Failed {
        place: String,
        code: i32,
        text: Option<String>,
    },
    /// The value grew between the calls that size and read it, every time.
    Growing { place: String },
}

impl fmt::Display for RegError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RegError::Failed { place, code, text } => {
                write!(f, "{}: {}", place, winerr::describe(*code, text.as_deref()))
            }
            RegError::Growing { place } => write!(f, "{}: the value keeps growing", place),
        }
    }
}

/// `HKLM\path`, the place of a key.
pub fn key_place(hive: Hive, path: &str) -> String {
    format!("{}\\{}", hive.name(), path)
}

/// `HKLM\path value`, the place of a value.
pub fn value_place(hive: Hive, path: &str, name: &str) -> String {
    format!("{}\\{} {}", hive.name(), path, name)
}

/// What a registry call that did not succeed means: `Ok(None)` when the key
/// or the value is absent (`ERROR_FILE_NOT_FOUND`), else the error.
pub fn absent_or<T>(place: String, code: i32, text: Option<String>) -> Result<Option<T>, RegError> {
    if code == winerr::ERROR_FILE_NOT_FOUND {
        Ok(None)
    } else {
        Err(RegError::Failed { place, code, text })
    }
}

/// Reading the registry. Every read is `Ok(None)` when the key or the value
/// is absent; a value of another type than the read asks for is an error
/// (`ERROR_UNSUPPORTED_TYPE`, as `RegGetValueW` answers).
pub trait Registry: Sync {
    /// Whether the key exists (it is opened for reading).
    fn key_exists(&self, hive: Hive, view: View, path: &str) -> Result<bool, RegError>;
    /// A REG_DWORD.
    fn dword(
        &self,
        hive: Hive,
        view: View,
        path: &str,
        name: &str,
    ) -> Result<Option<u32>, RegError>;
    /// A REG_SZ, or a REG_EXPAND_SZ expanded, as .NET reads it (one
    /// terminating NUL dropped, an embedded one shown: `winerr::reg_sz_text`).
    fn string(
        &self,
        hive: Hive,
        view: View,
        path: &str,
        name: &str,
    ) -> Result<Option<String>, RegError>;
    /// A value of any type, as .NET's `GetValue` sees it (REG_SZ without
    /// its trailing NULs).
    fn value(
        &self,
        hive: Hive,
        view: View,
        path: &str,
        name: &str,
    ) -> Result<Option<RegValue>, RegError>;
    /// Every value of a key (at most [`MAX_VALUES`]), in the order the
    /// registry lists them, each as [`Registry::value`] reads it.
    fn values(
        &self,
        hive: Hive,
        view: View,
        path: &str,
    ) -> Result<Option<Vec<(String, RegValue)>>, RegError>;
}

/// Most values [`Registry::values`] reads from one key (a policy list
/// holds a few).
pub(crate) const MAX_VALUES: u32 = 1024;

/// What the service manager says of an installed service: the raw
/// `dwCurrentState` and `dwStartType`, `None` when that query failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ServiceQuery {
    pub state: Option<u32>,
    pub start_type: Option<u32>,
}

/// A service manager call that failed: `OpenSCManagerW` or `OpenServiceW`,
/// its code and the system's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceError {
    pub api: &'static str,
    pub code: i32,
    pub text: Option<String>,
}

/// WinHTTP's default proxy setting (`WINHTTP_PROXY_INFO`), empty strings
/// as `None`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WinHttpProxy {
    pub access_type: u32,
    pub proxy: Option<String>,
    pub bypass: Option<String>,
}

/// A system call that failed: its code and the system's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OsError {
    pub code: i32,
    pub text: Option<String>,
}

/// The machine the Windows probes read: the registry, one service query,
/// WinHTTP's default proxy, the environment and the files. Paths are
/// Windows paths as text (`join` builds them).
pub trait Machine: Registry {
    /// The service `name` (`OpenServiceW` answers `ERROR_SERVICE_DOES_NOT_EXIST`
    /// when it is not installed).
    fn service(&self, name: &str) -> Result<ServiceQuery, ServiceError>;
    /// `WinHttpGetDefaultProxyConfiguration`.
    fn winhttp_proxy(&self) -> Result<WinHttpProxy, OsError>;
    /// An environment variable of this process (`None` when unset or not
    /// Unicode).
    fn env(&self, name: &str) -> Option<String>;
    /// The bytes of a file, `None` when it cannot be read.
    fn read_file(&self, path: &str) -> Option<Vec<u8>>;
    /// Whether `path` is a file.
    fn is_file(&self, path: &str) -> bool;
    /// The folders in folder `path`, as full paths, in the order the system
    /// lists them (none when it cannot be read).
    fn subfolders(&self, path: &str) -> Vec<String>;
}

/// `base\name`, as `PathBuf::join` builds a Windows path (no second
/// separator after one that ends `base`).
pub fn join(base: &str, name: &str) -> String {
    if base.is_empty() || base.ends_with('\\') || base.ends_with('/') {
        format!("{}{}", base, name)
    } else {
        format!("{}\\{}", base, name)
    }
}

/// The folder of a path and its last part (`C:\a\b` -> `C:\a`, `b`).
pub fn split_last(path: &str) -> Option<(&str, &str)> {
    let i = path.rfind(['\\', '/'])?;
    Some((&path[..i], &path[i + 1..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_join_and_split_as_windows_does() {
        assert_eq!(
            join(r"C:\Program Files", "PowerShell"),
            r"C:\Program Files\PowerShell"
        );
        assert_eq!(join(r"C:\Users\a\", "Documents"), r"C:\Users\a\Documents");
        assert_eq!(split_last(r"C:\a\b\c.psd1"), Some((r"C:\a\b", "c.psd1")));
        assert_eq!(split_last("nothing"), None);
    }

    #[test]
    fn absent_is_an_answer_and_the_rest_an_error_with_its_place() {
        let r: Result<Option<u32>, _> =
            absent_or("HKLM\\X".into(), winerr::ERROR_FILE_NOT_FOUND, None);
        assert_eq!(r, Ok(None));
        let e =
            absent_or::<u32>("HKLM\\X v".into(), winerr::ERROR_ACCESS_DENIED, None).unwrap_err();
        assert_eq!(
            e.to_string(),
            "HKLM\\X v: Access is denied. (Windows error 5, ERROR_ACCESS_DENIED)"
        );
        let g = RegError::Growing {
            place: "HKLM\\X v".into(),
        };
        assert_eq!(g.to_string(), "HKLM\\X v: the value keeps growing");
    }
}
