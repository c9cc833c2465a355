//! Network probes: DNS resolution and TCP reachability of each endpoint, and
//! the proxy environment variables. These apply on every OS.
//!
//! Bounds: name resolution (`getaddrinfo`) cannot be cancelled and may block
//! far longer than we want, so it runs in the process-wide resolver pool
//! (at most [`RESOLVER_THREADS`] threads, a lookup of the same `host:port`
//! still under way is joined rather than started again; see
//! [`super::pool`]) and we stop waiting at the deadline; the connects that
//! follow share what is left of the same deadline (`cancel::connect`). A
//! probe therefore takes at most about one timeout, returns within a poll
//! slice of a `csod_cancel`, and a resolver that never answers holds a
//! bounded number of threads however many calls are made. Only a TCP
//! handshake is made, then the connection is closed: nothing is sent.

use once_cell::sync::Lazy;
use serde_json::{json, Map, Value};
use std::net::{SocketAddr, ToSocketAddrs};
use std::time::{Duration, Instant};

use super::cancel::{self, Cancel};
use super::pool::{self, Pool};
use super::{Endpoint, Fact};

/// Most threads name lookups hold in the whole process.
pub const RESOLVER_THREADS: usize = 16;

type Lookup = Result<Vec<SocketAddr>, String>;

static RESOLVER: Lazy<Pool<Lookup>> =
    Lazy::new(|| Pool::new("csod-dns", "name lookup", RESOLVER_THREADS));

/// Resolver threads the process has now (for the tests).
pub fn resolver_threads() -> usize {
    RESOLVER.threads()
}

/// Resolves `host:port`, giving up at `timeout` or when `cancel` is cancelled.
fn resolve(
    host: &str,
    port: u16,
    timeout: Duration,
    cancel: &Cancel,
) -> Result<Vec<SocketAddr>, String> {
    // An address literal needs no lookup (and no thread).
    if let Ok(ip) = host.trim_start_matches('[').trim_end_matches(']').parse() {
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    let deadline = Instant::now() + timeout;
    let name = host.to_string();
    let ticket = RESOLVER.submit(&format!("{}:{}", host, port), move || {
        (name.as_str(), port)
            .to_socket_addrs()
            .map(|a| a.collect::<Vec<_>>())
            .map_err(|e| e.to_string())
    })?;
    match ticket.wait_or_cancel(deadline, cancel) {
        Ok(Ok(addrs)) if addrs.is_empty() => Err("no address".into()),
        Ok(r) => r,
        Err(why) if why.starts_with("abandoned") => Err(format!(
            "timeout: no answer within {} ms ({})",
            timeout.as_millis(),
            why
        )),
        Err(why) if why == pool::CANCELLED => Err("cancelled".into()),
        Err(why) => Err(why),
    }
}

/// Probes one endpoint: the fact `network.<name>`.
///
/// Value: `{"host","port","dns":"ok"|"failed"|"timeout","addresses":[…],
/// "tcp":"reachable"|"refused"|"timeout"|"unreachable"|"not_tried",
/// "address": the address that answered or was last tried,
/// "error": the system's words, "elapsed_ms"}`. A cancelled probe returns at
/// once (`cancel`); its fact says "cancelled".
pub fn probe_endpoint(e: &Endpoint, timeout: Duration, cancel: &Cancel) -> Fact {
    let start = Instant::now();
    let deadline = start + timeout;
    let id = format!("network.{}", e.name);
    let source = format!("DNS + TCP connect to {}:{}", e.host, e.port);
    let mut v = Map::new();
    v.insert("host".into(), json!(e.host));
    v.insert("port".into(), json!(e.port));
    match resolve(&e.host, e.port, timeout, cancel) {
        Err(err) => {
            let status = if err.starts_with("timeout") {
                "timeout"
            } else if err == "cancelled" {
                "cancelled"
            } else {
                "failed"
            };
            v.insert("dns".into(), json!(status));
            v.insert("addresses".into(), json!([]));
            v.insert("tcp".into(), json!("not_tried"));
            v.insert("error".into(), json!(err));
        }
        Ok(addrs) => {
            v.insert("dns".into(), json!("ok"));
            v.insert(
                "addresses".into(),
                Value::Array(addrs.iter().map(|a| json!(a.ip().to_string())).collect()),
            );
            let (tcp, addr, err) = connect_any(&addrs, deadline, cancel);
            v.insert("tcp".into(), json!(tcp));
            if let Some(a) = addr {
                v.insert("address".into(), json!(a.to_string()));
            }
            if let Some(err) = err {
                v.insert("error".into(), json!(err));
            }
        }
    }
    v.insert(
        "elapsed_ms".into(),
        json!(start.elapsed().as_millis() as u64),
    );
    Fact::known(&id, Value::Object(v), &source)
}

/// Tries each address until one accepts, the deadline passes or `cancel`
/// is cancelled.
fn connect_any(
    addrs: &[SocketAddr],
    deadline: Instant,
    cancel: &Cancel,
) -> (&'static str, Option<SocketAddr>, Option<String>) {
    let mut last = ("timeout", None, Some("no time left to connect".to_string()));
    for a in addrs {
        let now = Instant::now();
        if now >= deadline {
            break;
        }
        let left = deadline - now;
        match cancel::connect(a, left, cancel) {
            Ok(s) => {
                let _ = s.shutdown(std::net::Shutdown::Both);
                return ("reachable", Some(*a), None);
            }
            Err(err) => {
                let status = match err.kind() {
                    std::io::ErrorKind::ConnectionRefused => "refused",
                    std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => "timeout",
                    std::io::ErrorKind::Interrupted => "cancelled",
                    _ => "unreachable",
                };
                last = (status, Some(*a), Some(err.to_string()));
            }
        }
    }
    last
}

/// A proxy setting parsed from an environment variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyUrl {
    pub scheme: String,
    pub host: String,
    pub port: u16,
    /// The value with any user:password removed, safe to print.
    pub display: String,
}

/// A fragment of a rejected value, for an error message: at most
/// [`SHOWN_MAX_CHARS`] characters (a 100 KB variable must not become a
/// 100 KB report), control characters escaped.
fn shown(s: &str) -> String {
    let n = s.chars().count();
    if n <= SHOWN_MAX_CHARS {
        format!("{:?}", s)
    } else {
        let head: String = s.chars().take(SHOWN_MAX_CHARS).collect();
        format!("{:?}… ({} characters)", head, n)
    }
}

/// The longest fragment of a rejected proxy value an error message quotes.
pub(crate) const SHOWN_MAX_CHARS: usize = 64;

/// Parses a proxy variable the way .NET's `HttpClient.DefaultProxy` accepts
/// it: `[scheme://][user[:password]@]host[:port][/]`, scheme http (default),
/// https, socks4, socks4a or socks5. Credentials are never echoed back.
pub fn parse_proxy(raw: &str) -> Result<ProxyUrl, String> {
    let t = raw.trim();
    if t.is_empty() {
        return Err("empty".into());
    }
    let (scheme, rest) = match t.find("://") {
        Some(i) => (t[..i].to_ascii_lowercase(), &t[i + 3..]),
        None => ("http".to_string(), t),
    };
    if !["http", "https", "socks4", "socks4a", "socks5"].contains(&scheme.as_str()) {
        return Err(format!("unsupported scheme {}", shown(&scheme)));
    }
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    if rest.contains('/') || rest.contains('?') || rest.contains('#') {
        return Err("a proxy address has no path".into());
    }
    let (has_user, hostport) = match rest.rfind('@') {
        Some(i) => (true, &rest[i + 1..]),
        None => (false, rest),
    };
    let (host, port) = if let Some(inner) = hostport.strip_prefix('[') {
        let close = inner.find(']').ok_or("unclosed '[' in an IPv6 address")?;
        let host = &inner[..close];
        if host.parse::<std::net::Ipv6Addr>().is_err() {
            return Err(format!("{} is not an IPv6 address", shown(host)));
        }
        let after = &inner[close + 1..];
        let port = match after.strip_prefix(':') {
            Some(p) => Some(p),
            None if after.is_empty() => None,
            None => return Err("text after the IPv6 address".into()),
        };
        (format!("[{}]", host), port)
    } else {
        match hostport.rfind(':') {
            Some(i) => (hostport[..i].to_string(), Some(&hostport[i + 1..])),
            None => (hostport.to_string(), None),
        }
    };
    if host.is_empty() {
        return Err("no host".into());
    }
    if !host.starts_with('[')
        && !host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_')
    {
        return Err(format!("{} is not a host name", shown(&host)));
    }
    // A DNS name has at most 253 characters, in labels of at most 63
    // (RFC 1035 §2.3.4).
    if !host.starts_with('[') && (host.len() > 253 || host.split('.').any(|l| l.len() > 63)) {
        return Err(format!(
            "{} is not a host name (a name has at most 253 characters, 63 per label)",
            shown(&host)
        ));
    }
    let port = match port {
        None => {
            if scheme == "https" {
                443
            } else if scheme.starts_with("socks") {
                1080
            } else {
                80
            }
        }
        Some(p) => match p.parse::<u16>() {
            Ok(n) if n > 0 => n,
            // Only digits are quoted: text after the last ':' may be a
            // password written without its user@ (user:password).
            _ if !p.is_empty() && p.len() <= 20 && p.bytes().all(|b| b.is_ascii_digit()) => {
                return Err(format!("port {} is not a number from 1 to 65535", p))
            }
            _ => return Err("the port is not a number from 1 to 65535".into()),
        },
    };
    let display = format!(
        "{}://{}{}:{}",
        scheme,
        if has_user { "***@" } else { "" },
        host,
        port
    );
    Ok(ProxyUrl {
        scheme,
        host,
        port,
        display,
    })
}

/// Whether `host` is exempt from the proxy by a NO_PROXY list, as .NET's
/// `HttpClient.DefaultProxy` decides (HttpEnvironmentProxy.cs
/// `IsMatchInBypassList`): entries are trimmed, and compared without case;
/// an entry with a leading dot matches that domain and its subdomains
/// (`.example.com`: example.com and www.example.com); any other entry
/// matches only the same host name (`example.com` does not cover
/// www.example.com). There is no wildcard: `*` matches no host, and neither
/// does an entry with a port.
pub fn no_proxy_matches(list: &[String], host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    list.iter().any(|entry| {
        let e = entry.trim().to_ascii_lowercase();
        match e.strip_prefix('.') {
            Some(domain) => host == domain || host.ends_with(&e),
            None => !e.is_empty() && host == e,
        }
    })
}

/// NO_PROXY entries that can match no host name under .NET's rules: `*`
/// and other wildcards, ports, paths and schemes.
pub fn no_proxy_never_matches(entry: &str) -> bool {
    let e = entry.trim();
    e.contains(['*', ':', '/', '?'])
}

/// The pairs of variables read, lower case first as .NET does.
pub const PROXY_VARIABLES: &[(&str, &str, &str)] = &[
    ("https", "https_proxy", "HTTPS_PROXY"),
    ("http", "http_proxy", "HTTP_PROXY"),
    ("all", "all_proxy", "ALL_PROXY"),
];

/// The fact `proxy.environment` from an environment lookup (a function so
/// tests need not touch the process environment).
///
/// Value: `{"https": {"variable","proxy"} | null, "http": …, "all": …,
/// "no_proxy": {"variable","entries":[…]} | null}`. A value that is not a
/// proxy address makes the fact `unknown` with the reason.
pub fn proxy_environment_fact(get: &dyn Fn(&str) -> Option<String>) -> Fact {
    let source = "environment: https_proxy, HTTPS_PROXY, http_proxy, HTTP_PROXY, all_proxy, ALL_PROXY, no_proxy, NO_PROXY (lower case first)";
    let mut v = Map::new();
    let mut bad = Vec::new();
    for (key, lower, upper) in PROXY_VARIABLES {
        let found = [lower, upper]
            .iter()
            .find_map(|n| get(n).filter(|s| !s.trim().is_empty()).map(|s| (*n, s)));
        match found {
            None => {
                v.insert((*key).into(), Value::Null);
            }
            Some((name, raw)) => match parse_proxy(&raw) {
                Ok(p) => {
                    v.insert(
                        (*key).into(),
                        json!({"variable": name, "proxy": p.display, "host": p.host, "port": p.port}),
                    );
                }
                Err(e) => bad.push(format!("{} is not a proxy address: {}", name, e)),
            },
        }
    }
    let no_proxy = ["no_proxy", "NO_PROXY"]
        .iter()
        .find_map(|n| get(n).filter(|s| !s.trim().is_empty()).map(|s| (*n, s)));
    v.insert(
        "no_proxy".into(),
        match no_proxy {
            None => Value::Null,
            Some((name, raw)) => {
                let entries: Vec<String> = raw
                    .split(',')
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect();
                json!({"variable": name, "entries": entries})
            }
        },
    );
    if bad.is_empty() {
        Fact::known("proxy.environment", Value::Object(v), source)
    } else {
        let mut f = Fact::unknown("proxy.environment", source, &bad.join("; "));
        f.value = Value::Object(v);
        f
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxy_urls() {
        let p = parse_proxy("http://proxy.corp:8080").unwrap();
        assert_eq!((p.host.as_str(), p.port), ("proxy.corp", 8080));
        let p = parse_proxy("proxy.corp").unwrap();
        assert_eq!((p.scheme.as_str(), p.port), ("http", 80));
        let p = parse_proxy("http://user:secret@proxy:3128/").unwrap();
        assert!(!p.display.contains("secret"), "{}", p.display);
        assert_eq!(p.port, 3128);
        let p = parse_proxy("socks5://[::1]:1080").unwrap();
        assert_eq!(p.host, "[::1]");
        for bad in [
            "",
            "http://",
            "ftp://x:1",
            "http://proxy:99999",
            "http://proxy:abc",
            "http://pro xy:80",
            "http://proxy/path",
            "[zz]:1",
        ] {
            assert!(parse_proxy(bad).is_err(), "{:?} accepted", bad);
        }
    }

    #[test]
    fn no_proxy_lists_as_dotnet_reads_them() {
        let l: Vec<String> = vec![".microsoftonline.com".into(), "lync.com".into()];
        // A leading dot: the domain itself and its subdomains.
        assert!(no_proxy_matches(&l, "login.microsoftonline.com"));
        assert!(no_proxy_matches(&l, "microsoftonline.com"));
        assert!(!no_proxy_matches(&l, "notmicrosoftonline.com"));
        // No leading dot: that host only (the old rule also took
        // webdir.online.lync.com for lync.com).
        assert!(no_proxy_matches(&l, "lync.com"));
        assert!(no_proxy_matches(&l, "LYNC.com"));
        assert!(!no_proxy_matches(&l, "webdir.online.lync.com"));
        assert!(!no_proxy_matches(&l, "notlync.com"));
        // No wildcard: "*" and "*.lync.com" match nothing; nor does a port.
        for e in ["*", "*.lync.com", "webdir.online.lync.com:443"] {
            assert!(
                !no_proxy_matches(&[e.to_string()], "webdir.online.lync.com"),
                "{}",
                e
            );
            assert!(no_proxy_never_matches(e), "{}", e);
        }
        assert!(!no_proxy_never_matches(".lync.com"));
        // Spaces around entries are trimmed; empty entries match nothing.
        assert!(no_proxy_matches(&[" lync.com ".into()], "lync.com"));
        assert!(!no_proxy_matches(&["".into(), " ".into()], "lync.com"));
    }

    #[test]
    fn environment_lower_case_first_and_garbage() {
        let env = |k: &str| match k {
            "https_proxy" => Some("http://lower:1".to_string()),
            "HTTPS_PROXY" => Some("http://upper:2".to_string()),
            "NO_PROXY" => Some("localhost, .corp".to_string()),
            _ => None,
        };
        let f = proxy_environment_fact(&env);
        assert_eq!(f.state, crate::probe::State::Known);
        assert_eq!(f.value["https"]["host"], "lower");
        assert_eq!(f.value["no_proxy"]["entries"][1], ".corp");
        let f = proxy_environment_fact(&|k: &str| {
            (k == "HTTP_PROXY").then(|| "http://:::garbage".to_string())
        });
        assert_eq!(f.state, crate::probe::State::Unknown);
        assert!(f.reason.unwrap().contains("HTTP_PROXY"));
    }
}
