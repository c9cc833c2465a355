//! `dotnet.tls12`: whether .NET Framework 4 offers TLS 1.2 to Windows
//! PowerShell 5.1, in each registry view (64-bit `powershell.exe` reads the
//! 64-bit key, the 32-bit one under SysWOW64 the WOW6432Node key):
//! `SchUseStrongCrypto` or `SystemDefaultTlsVersions` set to 1 under
//! `HKLM\SOFTWARE\Microsoft\.NETFramework\v4.0.30319`
//! (docs/facts.md#tls-12-for-net-framework).

use serde_json::{json, Map, Value};

use super::super::machine::{Hive, Machine, View};
use super::super::Fact;
use super::Errors;

pub(crate) const NET_FRAMEWORK: &str = r"SOFTWARE\Microsoft\.NETFramework\v4.0.30319";

/// Whether the values offer TLS 1.2: either one set to anything but 0.
/// Neither set is the framework's default for an application built for an
/// older framework, as Windows PowerShell is: SSL 3.0 and TLS 1.0 only.
pub(crate) fn offers_tls12(strong_crypto: Option<u32>, system_default: Option<u32>) -> bool {
    strong_crypto.map(|n| n != 0).unwrap_or(false)
        || system_default.map(|n| n != 0).unwrap_or(false)
}

pub(super) fn dotnet_tls12(m: &dyn Machine) -> Fact {
    let mut e = Errors::default();
    let mut v = Map::new();
    for view in [View::Bit64, View::Bit32] {
        let mut read = |name: &str| e.take(m.dword(Hive::LocalMachine, view, NET_FRAMEWORK, name));
        let strong = read("SchUseStrongCrypto");
        let system = read("SystemDefaultTlsVersions");
        v.insert(
            view.name().into(),
            json!({
                "SchUseStrongCrypto": strong,
                "SystemDefaultTlsVersions": system,
                "tls12": offers_tls12(strong, system),
            }),
        );
    }
    e.fact(
        "dotnet.tls12",
        Value::Object(v),
        r"HKLM\SOFTWARE\Microsoft\.NETFramework\v4.0.30319 (SchUseStrongCrypto, SystemDefaultTlsVersions), 64-bit view and 32-bit view (HKLM\SOFTWARE\WOW6432Node\Microsoft\.NETFramework\v4.0.30319)",
    )
}
