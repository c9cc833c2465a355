//! `network.<name>`: DNS and TCP reachability of each endpoint, read
//! against the proxy that applies to it.

use super::*;
use crate::probe::{net, Fact, State};

/// The proxy the environment variables give `host` (HTTPS, so
/// HTTPS_PROXY, else ALL_PROXY), unless NO_PROXY exempts it.
pub(super) fn proxy_for_environment(f: &Facts, host: &str) -> Option<String> {
    let env = f.known("proxy.environment")?;
    let bypass: Vec<String> = env
        .get("no_proxy")
        .and_then(|n| n.get("entries"))
        .and_then(|e| e.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    if net::no_proxy_matches(&bypass, host) {
        return None;
    }
    for key in ["https", "all"] {
        if let Some(p) = env
            .get(key)
            .and_then(|p| p.get("proxy"))
            .and_then(|p| p.as_str())
        {
            let var = env[key]["variable"].as_str().unwrap_or(key);
            return Some(format!("{} ({})", p, var));
        }
    }
    None
}

/// The proxy that applies to `host` according to the facts, if any.
pub(super) fn proxy_for(f: &Facts, host: &str) -> Option<String> {
    if let Some(p) = proxy_for_environment(f, host) {
        return Some(p);
    }
    if let Some(w) = f.known("proxy.winhttp") {
        if let Some(p) = w.get("proxy").and_then(|p| p.as_str()) {
            return Some(format!("{} (WinHTTP)", p));
        }
    }
    None
}

pub(super) fn network(f: &Facts, fact: &Fact, cx: Ctx) -> Finding {
    let name = fact.id.trim_start_matches("network.");
    let v = &fact.value;
    let host = v.get("host").and_then(|x| x.as_str()).unwrap_or("?");
    let port = v.get("port").and_then(|x| x.as_u64()).unwrap_or(0);
    // The sign-in servers' reachability explains a sign-in failure
    // (facts.json: network.<name> sign_in_problem).
    let pair = cx.facts().finding(&fact.id);
    let problem = if cx.facts().is_sign_in_host(host) {
        pair.sign_in_problem.or(pair.problem)
    } else {
        cx.facts()
            .endpoint_problem(host)
            .map(str::to_string)
            .or(pair.problem)
    };
    let problem = problem.as_deref();
    if fact.state != State::Known {
        return finding(
            &fact.id,
            problem,
            Status::Unknown,
            t!(cx, "network.unchecked", host, port),
        )
        .with_evidence(vec![fact.reason.clone().unwrap_or_default()]);
    }
    let dns = v.get("dns").and_then(|x| x.as_str()).unwrap_or("?");
    let tcp = v.get("tcp").and_then(|x| x.as_str()).unwrap_or("?");
    let mut evidence = vec![format!("{} ({}:{})", name, host, port)];
    evidence.extend(handshake_evidence(v));
    if tcp == "reachable" {
        return finding(
            &fact.id,
            problem,
            Status::Ok,
            t!(cx, "network.ok", name, host, port),
        )
        .with_evidence(evidence);
    }
    let what = if dns != "ok" {
        t!(cx, "network.no_dns", host, dns)
    } else {
        match tcp {
            "refused" => t!(cx, "network.refused"),
            "timeout" => t!(cx, "network.timeout"),
            _ => t!(cx, "network.unreachable"),
        }
    };
    let proxy = proxy_for(f, host);
    let (status, summary) = match &proxy {
        Some(p) => {
            evidence.push(format!("proxy: {}", p));
            (
                Status::Warning,
                t!(cx, "network.not_direct", name, host, port, what, proxy = p),
            )
        }
        None => (
            Status::Problem,
            t!(cx, "network.not_reachable", name, host, port, what),
        ),
    };
    let first = vec![t!(cx, "network.check_step", host, port)];
    let out = finding(&fact.id, problem, status, summary).with_evidence(evidence);
    if problem.is_some() {
        out.with_catalog_resolution(cx, first)
    } else {
        let mut out = out;
        out.resolution = Some(first);
        out.fix = Some(format!("Test-NetConnection {} -Port {}", host, port));
        out
    }
}

/// The evidence of a DNS + TCP probe's value (`net::probe_endpoint`, the
/// WinRM target's): the lookup and its addresses, the handshake and its
/// time, the system's error.
pub(super) fn handshake_evidence(v: &Value) -> Vec<String> {
    let field = |k: &str| v.get(k).and_then(|x| x.as_str());
    let addrs: Vec<&str> = v
        .get("addresses")
        .and_then(|a| a.as_array())
        .map(|a| a.iter().filter_map(|x| x.as_str()).collect())
        .unwrap_or_default();
    let mut out = vec![
        format!("DNS: {} {}", field("dns").unwrap_or("?"), addrs.join(" "))
            .trim_end()
            .to_string(),
        format!(
            "TCP: {} after {} ms",
            field("tcp").unwrap_or("?"),
            v.get("elapsed_ms").and_then(|x| x.as_u64()).unwrap_or(0)
        ),
    ];
    if let Some(e) = field("error") {
        out.push(format!("error: {}", e));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;
    use serde_json::json;

    #[test]
    fn a_proxy_turns_an_unreachable_endpoint_into_a_warning() {
        let facts = vec![
            Fact::known("os", json!("linux"), "test"),
            Fact::known(
                "proxy.environment",
                json!({"https": {"variable": "https_proxy", "proxy": "http://proxy:3128", "host": "proxy", "port": 3128}, "http": null, "all": null, "no_proxy": null}),
                "test",
            ),
            Fact::known(
                "network.sign-in",
                json!({"host": "login.microsoftonline.com", "port": 443, "dns": "failed", "addresses": [], "tcp": "not_tried", "elapsed_ms": 5}),
                "test",
            ),
        ];
        let f = evaluate(&facts, "en");
        assert_eq!(status_of(&f, "network.sign-in"), Status::Warning);
        let p = f.iter().find(|x| x.id == "proxy.environment").unwrap();
        assert!(p.summary.contains("http://proxy:3128"), "{}", p.summary);
    }

    #[test]
    fn the_gallery_out_of_reach_explains_the_gallery_error() {
        let facts = windows_facts(vec![Fact::known(
            "network.gallery",
            json!({"host": "www.powershellgallery.com", "port": 443, "dns": "failed", "addresses": [], "tcp": "not_tried", "elapsed_ms": 5}),
            "test",
        )]);
        let f = with_error(&facts, &["gallery_unreachable"], "en");
        let g = f.iter().find(|x| x.id == "network.gallery").unwrap();
        assert_eq!(g.problem.as_deref(), Some("gallery_unreachable"));
        assert_eq!(g.status, Status::Problem);
        assert_eq!(g.explains, vec!["gallery_unreachable".to_string()]);
        assert_eq!(f[0].id, "network.gallery");
        // Another endpoint out of reach names no problem of its own.
        let facts = windows_facts(vec![Fact::known(
            "network.x",
            json!({"host": "example.org", "port": 443, "dns": "failed", "addresses": [], "tcp": "not_tried", "elapsed_ms": 5}),
            "test",
        )]);
        let f = evaluate(&facts, "en");
        assert_eq!(
            f.iter().find(|x| x.id == "network.x").unwrap().problem,
            None
        );
    }
}
