//! The host an error says the admin was connecting to, and its WinRM port:
//! the one probe that contacts a host the request does not list, allowed
//! because the admin was already connecting to it (issue 12). Only a TCP
//! handshake is made (net.rs), within the request's bound; the fact
//! `winrm.target` says where the host and the port come from.
//!
//! The port (docs/facts.md#the-host-of-an-error): the port of a URI of the
//! error that names the same host, else that URI's scheme default (80 for
//! `http://`, 443 for `https://`, as `New-PSSession -ConnectionUri` uses
//! them); else 443 for a Microsoft 365 remote PowerShell host (always
//! HTTPS); else 5985, WinRM's HTTP port for `-ComputerName`.

use once_cell::sync::Lazy;
use regex::Regex;
use serde_json::json;
use std::time::Duration;

use super::{net, Endpoint, Fact};

/// What to probe, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub host: String,
    pub port: u16,
    /// `http` or `https`.
    pub transport: &'static str,
    /// How the port was chosen, for the evidence.
    pub how: String,
    /// Whether to contact it (the request's `error_host`): when not, the
    /// fact only names it, for the rules that look it up in the client's
    /// settings.
    pub contact: bool,
}

static URI_RE: Lazy<Regex> = Lazy::new(|| {
    Regex::new(
        r"(?i)\b(https?)://([a-z0-9](?:[a-z0-9.\-]*[a-z0-9])?|\[[0-9a-f:.]+\])(?::([0-9]{1,5}))?",
    )
    .unwrap()
});

/// A host name or address the probe may contact: letters, digits, dots and
/// hyphens (at most 253), or an IP address.
fn plain_host(h: &str) -> bool {
    let bare = h.trim_start_matches('[').trim_end_matches(']');
    if bare.parse::<std::net::IpAddr>().is_ok() {
        return true;
    }
    !h.is_empty()
        && h.len() <= 253
        && !h.starts_with('-')
        && !h.starts_with('.')
        && h.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
}

/// The target of an error whose text names `host` (the classifier's `host`
/// field); `None` when there is no host or it is not a plain name.
pub fn winrm_target(
    message: &str,
    host: Option<&str>,
    is_service_host: &dyn Fn(&str) -> bool,
) -> Option<Target> {
    let host = host?.trim().trim_end_matches('.');
    if !plain_host(host) {
        return None;
    }
    for c in URI_RE.captures_iter(message) {
        if !c[2].eq_ignore_ascii_case(host) {
            continue;
        }
        let scheme = c[1].to_ascii_lowercase();
        let transport = if scheme == "https" { "https" } else { "http" };
        let (port, how) = match c.get(3).and_then(|p| p.as_str().parse::<u16>().ok()) {
            Some(p) if p > 0 => (p, format!("the port of {}", &c[0])),
            _ => {
                let p = if transport == "https" { 443 } else { 80 };
                (p, format!("the {} default of {}", scheme, &c[0]))
            }
        };
        return Some(Target {
            host: host.to_string(),
            port,
            transport,
            how,
            contact: true,
        });
    }
    let (port, transport, how) = if is_service_host(host) {
        (
            443,
            "https",
            "a Microsoft 365 remote PowerShell host (HTTPS)",
        )
    } else {
        (5985, "http", "WinRM's HTTP port (no URI in the error)")
    };
    Some(Target {
        host: host.to_string(),
        port,
        transport,
        how: how.to_string(),
        contact: true,
    })
}

/// What the fact says of the target besides the probe's answer.
fn described(t: &Target) -> serde_json::Value {
    json!({"host": t.host, "port": t.port, "transport": t.transport, "port_from": t.how})
}

/// The fact `winrm.target` of a target not contacted: `not_applicable`,
/// naming the host and port.
pub fn not_contacted(t: &Target) -> Fact {
    let mut f = Fact::not_applicable(
        "winrm.target",
        &format!(
            "{}:{}, the host named in the error ({})",
            t.host, t.port, t.how
        ),
        "not contacted: the request lists the endpoints to check (error_host: false)",
    );
    f.value = described(t);
    f
}

/// The fact `winrm.target`: the handshake of `net::probe_endpoint` with
/// where the host and port come from.
pub fn probe(t: &Target, timeout: Duration, cancel: &super::cancel::Cancel) -> Fact {
    if !t.contact {
        return not_contacted(t);
    }
    let e = Endpoint {
        name: "winrm.target".into(),
        host: t.host.clone(),
        port: t.port,
    };
    let mut f = net::probe_endpoint(&e, timeout, cancel);
    f.id = "winrm.target".into();
    f.source = format!(
        "DNS + TCP connect to {}:{}, the host named in the error ({})",
        t.host, t.port, t.how
    );
    if let Some(v) = f.value.as_object_mut() {
        v.insert("transport".into(), json!(t.transport));
        v.insert("port_from".into(), json!(t.how));
    }
    f
}

/// The fact when the probe failed unexpectedly.
pub fn failed(t: &Target) -> Fact {
    let mut f = Fact::unknown(
        "winrm.target",
        &format!("{}:{}", t.host, t.port),
        "the network probe failed unexpectedly",
    );
    f.value = described(t);
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_service(_: &str) -> bool {
        false
    }

    #[test]
    fn the_port_comes_from_a_uri_naming_the_host_else_the_defaults() {
        let t = winrm_target(
            "Connecting to remote server srv01.contoso.com failed ... http://srv01.contoso.com:8080/wsman",
            Some("srv01.contoso.com"),
            &no_service,
        )
        .unwrap();
        assert_eq!((t.port, t.transport), (8080, "http"));
        let t = winrm_target(
            "[srv01.contoso.com] ... https://SRV01.contoso.com/wsman",
            Some("srv01.contoso.com"),
            &no_service,
        )
        .unwrap();
        assert_eq!((t.port, t.transport), (443, "https"));
        // A URI of another host (a resource URI, a help link) is not it.
        let t = winrm_target(
            "[srv01.contoso.com] The resource URI (http://schemas.microsoft.com/powershell/x) was not found",
            Some("srv01.contoso.com"),
            &no_service,
        )
        .unwrap();
        assert_eq!((t.port, t.transport), (5985, "http"));
        let t = winrm_target("x", Some("admin1a.online.lync.com"), &|h: &str| {
            h.ends_with(".online.lync.com")
        })
        .unwrap();
        assert_eq!((t.port, t.transport), (443, "https"));
        let t = winrm_target("[10.0.0.5] x", Some("10.0.0.5"), &no_service).unwrap();
        assert_eq!(t.port, 5985);
    }

    #[test]
    fn no_host_or_a_strange_one_is_no_target() {
        assert_eq!(
            winrm_target("http://srv01:5985/wsman", None, &no_service),
            None
        );
        for bad in ["", "srv01 contoso", "-x", "a/b", "a@b", &"a".repeat(300)] {
            assert_eq!(winrm_target("x", Some(bad), &no_service), None, "{}", bad);
        }
    }
}
