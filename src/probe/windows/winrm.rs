//! The WinRM client's configuration beyond Basic: the authentication
//! mechanisms and AllowUnencrypted (Group Policy wins over the local
//! configuration, else the client's default), the TrustedHosts list (Group
//! Policy's list when its TrustedHosts policy is enabled, else the local
//! one), and the CredSSP delegation policy (Allow delegating fresh
//! credentials and its NTLM-only variant, with their server lists).
//! Locations, defaults and sources: docs/facts.md#winrm-client-configuration.

use serde_json::{json, Map, Value};

use super::super::machine::{Hive, Machine, RegValue, View};
use super::super::Fact;
use super::Errors;

pub(crate) const POLICY: &str = r"SOFTWARE\Policies\Microsoft\Windows\WinRM\Client";
pub(crate) const LOCAL: &str = r"SOFTWARE\Microsoft\Windows\CurrentVersion\WSMAN\Client";
pub(crate) const DELEGATION: &str = r"SOFTWARE\Policies\Microsoft\Windows\CredentialsDelegation";

/// The client settings read: the fact's name, the Group Policy value, the
/// local value, and the client's default.
pub(crate) const SETTINGS: &[(&str, &str, &str, bool)] = &[
    ("basic", "AllowBasic", "auth_basic", true),
    ("digest", "AllowDigest", "auth_digest", true),
    ("kerberos", "AllowKerberos", "auth_kerberos", true),
    ("negotiate", "AllowNegotiate", "auth_negotiate", true),
    ("credssp", "AllowCredSSP", "auth_credssp", false),
    (
        "allow_unencrypted",
        "AllowUnencryptedTraffic",
        "allow_unencrypted",
        false,
    ),
];

fn dword(m: &dyn Machine, e: &mut Errors, path: &str, name: &str) -> Option<u32> {
    e.take(m.dword(Hive::LocalMachine, View::Bit64, path, name))
}

fn string(m: &dyn Machine, e: &mut Errors, path: &str, name: &str) -> Option<String> {
    e.take(m.string(Hive::LocalMachine, View::Bit64, path, name))
}

/// One setting: Group Policy's value wins (any value but 0 allows), else
/// the local one, else the default.
pub(crate) fn effective(
    policy: Option<u32>,
    local: Option<u32>,
    default: bool,
) -> (bool, &'static str) {
    match (policy, local) {
        (Some(p), _) => (p != 0, "policy"),
        (None, Some(l)) => (l != 0, "local"),
        (None, None) => (default, "default"),
    }
}

/// `winrm.client.auth`: each mechanism and AllowUnencrypted.
pub(super) fn client_auth(m: &dyn Machine) -> Fact {
    let mut e = Errors::default();
    let mut v = Map::new();
    for (key, policy_name, local_name, default) in SETTINGS {
        let policy = dword(m, &mut e, POLICY, policy_name);
        let local = dword(m, &mut e, LOCAL, local_name);
        let (enabled, from) = effective(policy, local, *default);
        v.insert(
            (*key).into(),
            json!({"policy": policy, "local": local, "enabled": enabled, "from": from}),
        );
    }
    e.fact(
        "winrm.client.auth",
        Value::Object(v),
        r"HKLM\SOFTWARE\Policies\Microsoft\Windows\WinRM\Client (AllowBasic, AllowDigest, AllowKerberos, AllowNegotiate, AllowCredSSP, AllowUnencryptedTraffic), else HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\WSMAN\Client (auth_basic, auth_digest, auth_kerberos, auth_negotiate, auth_credssp, allow_unencrypted), else the client's defaults",
    )
}

/// The entries of a TrustedHosts list (comma-separated, spaces trimmed).
pub(crate) fn entries(list: &str) -> Vec<String> {
    list.split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// `winrm.client.trusted_hosts`: the list the client uses and where it
/// comes from.
pub(super) fn trusted_hosts(m: &dyn Machine) -> Fact {
    let mut e = Errors::default();
    let enabled = dword(m, &mut e, POLICY, "TrustedHosts");
    let policy_list = string(m, &mut e, POLICY, "TrustedHostsList");
    let local = string(m, &mut e, LOCAL, "trusted_hosts");
    let (list, from) = match (enabled, &local) {
        (Some(n), _) if n != 0 => (policy_list.clone().unwrap_or_default(), "policy"),
        (_, Some(l)) => (l.clone(), "local"),
        (_, None) => (String::new(), "none"),
    };
    e.fact(
        "winrm.client.trusted_hosts",
        json!({
            "policy": {"enabled": enabled, "list": policy_list},
            "local": local,
            "list": list,
            "entries": entries(&list),
            "from": from,
        }),
        r"HKLM\SOFTWARE\Policies\Microsoft\Windows\WinRM\Client (TrustedHosts, TrustedHostsList) when enabled, else HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\WSMAN\Client trusted_hosts",
    )
}

/// The servers of a delegation list key: its text values in the order of
/// their names (`1`, `2`, … `10`).
fn servers(m: &dyn Machine, e: &mut Errors, path: &str) -> Vec<String> {
    let mut values = e
        .take(m.values(Hive::LocalMachine, View::Bit64, path))
        .unwrap_or_default();
    values.sort_by_key(|(name, _)| (name.parse::<u64>().unwrap_or(u64::MAX), name.clone()));
    values
        .into_iter()
        .filter_map(|(_, v)| match v {
            RegValue::Text(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
            _ => None,
        })
        .collect()
}

/// `credssp.delegation`: Allow delegating fresh credentials (and with
/// NTLM-only server authentication): the policy value and its servers.
pub(super) fn credssp_delegation(m: &dyn Machine) -> Fact {
    let mut e = Errors::default();
    let mut v = Map::new();
    for (key, name) in [
        ("allow_fresh", "AllowFreshCredentials"),
        ("allow_fresh_ntlm_only", "AllowFreshCredentialsWhenNTLMOnly"),
    ] {
        let policy = dword(m, &mut e, DELEGATION, name);
        let list = servers(m, &mut e, &format!("{}\\{}", DELEGATION, name));
        v.insert(key.into(), json!({"policy": policy, "servers": list}));
    }
    e.fact(
        "credssp.delegation",
        Value::Object(v),
        r"HKLM\SOFTWARE\Policies\Microsoft\Windows\CredentialsDelegation (AllowFreshCredentials, AllowFreshCredentialsWhenNTLMOnly, and their server lists under the subkeys of the same names)",
    )
}

/// The WinRM client facts, one probe (the same few keys).
pub(super) fn winrm_client(m: &dyn Machine) -> Vec<Fact> {
    vec![trusted_hosts(m), client_auth(m), credssp_delegation(m)]
}
