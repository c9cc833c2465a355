//! A machine made of maps, for the tests of `windows/` on every OS: a
//! registry (keys and typed values, keys that deny reading, HKLM\SOFTWARE
//! of the 32-bit view redirected to WOW6432Node as on 64-bit Windows),
//! services, WinHTTP's proxy, environment variables and files. Paths and
//! names compare without case, as Windows does. Reads answer as the
//! system calls do: absent is `Ok(None)`, a value of another type than the
//! read asks for is `ERROR_UNSUPPORTED_TYPE`, a denied key its code.

use std::collections::{BTreeMap, BTreeSet};

use super::machine::{
    absent_or, key_place, value_place, Hive, Machine, OsError, RegError, RegValue, Registry,
    ServiceError, ServiceQuery, View, WinHttpProxy,
};
use super::winerr::{self, ERROR_SERVICE_DOES_NOT_EXIST, ERROR_UNSUPPORTED_TYPE};

/// A registry value with its type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Data {
    Dword(u32),
    Qword(u64),
    /// REG_SZ: the text as stored, NULs included (`\0` terminated or not).
    Sz(String),
    ExpandSz(String),
    Binary(Vec<u8>),
    MultiSz(Vec<String>),
}

#[derive(Debug, Default, Clone)]
struct Key {
    values: Vec<(String, Data)>,
    denied: Option<i32>,
}

/// The fake machine (see the module documentation).
#[derive(Debug, Default, Clone)]
pub(crate) struct FakeMachine {
    keys: BTreeMap<(Hive, String), Key>,
    services: BTreeMap<String, Result<ServiceQuery, ServiceError>>,
    winhttp: Option<Result<WinHttpProxy, OsError>>,
    env: BTreeMap<String, String>,
    /// Lower-case path -> (the path as given, the bytes).
    files: BTreeMap<String, (String, Vec<u8>)>,
}

/// The key a path of a view names in the 64-bit registry, lower case.
fn native(hive: Hive, view: View, path: &str) -> String {
    let p = path.trim_matches('\\').to_ascii_lowercase();
    if hive == Hive::LocalMachine && view == View::Bit32 {
        if let Some(rest) = p.strip_prefix("software\\") {
            if !rest.starts_with("wow6432node") {
                return format!("software\\wow6432node\\{}", rest);
            }
        }
    }
    p
}

impl FakeMachine {
    pub(crate) fn new() -> FakeMachine {
        FakeMachine::default()
    }

    /// Creates the key (and its parents) in a view.
    pub(crate) fn key(mut self, hive: Hive, view: View, path: &str) -> FakeMachine {
        let p = native(hive, view, path);
        let mut at = String::new();
        for part in p.split('\\') {
            if !at.is_empty() {
                at.push('\\');
            }
            at.push_str(part);
            self.keys.entry((hive, at.clone())).or_default();
        }
        self
    }

    /// Sets a value in a view (its key created).
    pub(crate) fn set_in(
        self,
        hive: Hive,
        view: View,
        path: &str,
        name: &str,
        data: Data,
    ) -> FakeMachine {
        let mut m = self.key(hive, view, path);
        let key = m.keys.get_mut(&(hive, native(hive, view, path))).unwrap();
        key.values.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        key.values.push((name.to_string(), data));
        m
    }

    /// Sets a value in the 64-bit view.
    pub(crate) fn set(self, hive: Hive, path: &str, name: &str, data: Data) -> FakeMachine {
        self.set_in(hive, View::Bit64, path, name, data)
    }

    /// Sets a value of HKLM (64-bit view).
    pub(crate) fn hklm(self, path: &str, name: &str, data: Data) -> FakeMachine {
        self.set(Hive::LocalMachine, path, name, data)
    }

    /// Sets a value of HKCU.
    pub(crate) fn hkcu(self, path: &str, name: &str, data: Data) -> FakeMachine {
        self.set(Hive::CurrentUser, path, name, data)
    }

    /// Opening the key (64-bit view) fails with `code`.
    pub(crate) fn deny(self, hive: Hive, path: &str, code: i32) -> FakeMachine {
        let mut m = self.key(hive, View::Bit64, path);
        m.keys
            .get_mut(&(hive, native(hive, View::Bit64, path)))
            .unwrap()
            .denied = Some(code);
        m
    }

    /// The service is installed with this state and start type (raw
    /// numbers, as the service manager gives them).
    pub(crate) fn service_is(mut self, name: &str, state: u32, start_type: u32) -> FakeMachine {
        let q = ServiceQuery {
            state: Some(state),
            start_type: Some(start_type),
        };
        self.services.insert(name.to_ascii_lowercase(), Ok(q));
        self
    }

    /// Opening the service fails in `api` with `code`.
    pub(crate) fn service_fails(mut self, name: &str, api: &'static str, code: i32) -> FakeMachine {
        let e = ServiceError {
            api,
            code,
            text: None,
        };
        self.services.insert(name.to_ascii_lowercase(), Err(e));
        self
    }

    pub(crate) fn winhttp(mut self, r: Result<WinHttpProxy, OsError>) -> FakeMachine {
        self.winhttp = Some(r);
        self
    }

    pub(crate) fn env_var(mut self, name: &str, value: &str) -> FakeMachine {
        self.env
            .insert(name.to_ascii_lowercase(), value.to_string());
        self
    }

    pub(crate) fn file(mut self, path: &str, bytes: &[u8]) -> FakeMachine {
        self.files.insert(
            path.to_ascii_lowercase(),
            (path.to_string(), bytes.to_vec()),
        );
        self
    }

    /// The key of a read: `Ok(None)` when absent, its error when denied.
    fn open(&self, hive: Hive, view: View, path: &str) -> Result<Option<&Key>, RegError> {
        match self.keys.get(&(hive, native(hive, view, path))) {
            None => absent_or(key_place(hive, path), winerr::ERROR_FILE_NOT_FOUND, None),
            Some(Key {
                denied: Some(code), ..
            }) => absent_or(key_place(hive, path), *code, None),
            Some(k) => Ok(Some(k)),
        }
    }

    fn data(
        &self,
        hive: Hive,
        view: View,
        path: &str,
        name: &str,
    ) -> Result<Option<Data>, RegError> {
        Ok(self.open(hive, view, path)?.and_then(|k| {
            k.values
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, d)| d.clone())
        }))
    }
}

fn wrong_type<T>(hive: Hive, path: &str, name: &str) -> Result<Option<T>, RegError> {
    absent_or(value_place(hive, path, name), ERROR_UNSUPPORTED_TYPE, None)
}

impl Registry for FakeMachine {
    fn key_exists(&self, hive: Hive, view: View, path: &str) -> Result<bool, RegError> {
        self.open(hive, view, path).map(|k| k.is_some())
    }

    fn dword(
        &self,
        hive: Hive,
        view: View,
        path: &str,
        name: &str,
    ) -> Result<Option<u32>, RegError> {
        match self.data(hive, view, path, name)? {
            None => Ok(None),
            Some(Data::Dword(n)) => Ok(Some(n)),
            Some(_) => wrong_type(hive, path, name),
        }
    }

    fn string(
        &self,
        hive: Hive,
        view: View,
        path: &str,
        name: &str,
    ) -> Result<Option<String>, RegError> {
        match self.data(hive, view, path, name)? {
            None => Ok(None),
            Some(Data::Sz(s)) | Some(Data::ExpandSz(s)) => {
                // RegGetValueW adds the terminating NUL a value may lack.
                let mut units: Vec<u16> = s.encode_utf16().collect();
                if units.last() != Some(&0) {
                    units.push(0);
                }
                Ok(Some(winerr::reg_sz_text(&units)))
            }
            Some(_) => wrong_type(hive, path, name),
        }
    }

    fn value(
        &self,
        hive: Hive,
        view: View,
        path: &str,
        name: &str,
    ) -> Result<Option<RegValue>, RegError> {
        Ok(self
            .data(hive, view, path, name)?
            .map(FakeMachine::reg_value))
    }

    fn values(
        &self,
        hive: Hive,
        view: View,
        path: &str,
    ) -> Result<Option<Vec<(String, RegValue)>>, RegError> {
        Ok(self.open(hive, view, path)?.map(|k| {
            k.values
                .iter()
                .map(|(n, d)| (n.clone(), FakeMachine::reg_value(d.clone())))
                .collect()
        }))
    }
}

impl FakeMachine {
    fn reg_value(d: Data) -> RegValue {
        match d {
            Data::Dword(n) => RegValue::Number(u64::from(n)),
            Data::Qword(n) => RegValue::Number(n),
            Data::Sz(s) | Data::ExpandSz(s) => RegValue::Text(s.trim_end_matches('\0').to_string()),
            Data::Binary(b) => RegValue::Binary(b),
            Data::MultiSz(_) => RegValue::Other,
        }
    }
}

impl Machine for FakeMachine {
    fn service(&self, name: &str) -> Result<ServiceQuery, ServiceError> {
        self.services
            .get(&name.to_ascii_lowercase())
            .cloned()
            .unwrap_or(Err(ServiceError {
                api: "OpenServiceW",
                code: ERROR_SERVICE_DOES_NOT_EXIST,
                text: None,
            }))
    }

    fn winhttp_proxy(&self) -> Result<WinHttpProxy, OsError> {
        self.winhttp.clone().unwrap_or(Ok(WinHttpProxy {
            access_type: 1,
            proxy: None,
            bypass: None,
        }))
    }

    fn env(&self, name: &str) -> Option<String> {
        self.env.get(&name.to_ascii_lowercase()).cloned()
    }

    fn read_file(&self, path: &str) -> Option<Vec<u8>> {
        self.files
            .get(&path.to_ascii_lowercase())
            .map(|(_, b)| b.clone())
    }

    fn is_file(&self, path: &str) -> bool {
        self.files.contains_key(&path.to_ascii_lowercase())
    }

    fn subfolders(&self, path: &str) -> Vec<String> {
        let base = path.trim_end_matches('\\');
        let prefix = format!("{}\\", base.to_ascii_lowercase());
        let mut out = BTreeSet::new();
        for (lower, (given, _)) in &self.files {
            if lower.starts_with(&prefix) {
                let rest = &given[prefix.len()..];
                if let Some(i) = rest.find('\\') {
                    out.insert(format!("{}\\{}", base, &rest[..i]));
                }
            }
        }
        out.into_iter().collect()
    }
}
