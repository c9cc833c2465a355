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

pub(super) fn network(f: &Facts, fact: &Fact, lang: &str) -> Finding {
    let name = fact.id.trim_start_matches("network.");
    let v = &fact.value;
    let host = v.get("host").and_then(|x| x.as_str()).unwrap_or("?");
    let port = v.get("port").and_then(|x| x.as_u64()).unwrap_or(0);
    let sign_in = SIGN_IN_HOSTS.iter().any(|h| h.eq_ignore_ascii_case(host));
    let problem = if sign_in {
        Some("liveid_connect_failed")
    } else {
        None
    };
    if fact.state != State::Known {
        return finding(
            &fact.id,
            problem,
            Status::Unknown,
            t!(
                lang,
                "{host}:{port} could not be checked.",
                "{host}:{port} n'a pas pu être vérifié."
            ),
        )
        .with_evidence(vec![fact.reason.clone().unwrap_or_default()]);
    }
    let dns = v.get("dns").and_then(|x| x.as_str()).unwrap_or("?");
    let tcp = v.get("tcp").and_then(|x| x.as_str()).unwrap_or("?");
    let ms = v.get("elapsed_ms").and_then(|x| x.as_u64()).unwrap_or(0);
    let mut evidence = vec![format!("{} ({}:{})", name, host, port)];
    let addrs: Vec<&str> = v
        .get("addresses")
        .and_then(|a| a.as_array())
        .map(|a| a.iter().filter_map(|x| x.as_str()).collect())
        .unwrap_or_default();
    evidence.push(
        format!("DNS: {} {}", dns, addrs.join(" "))
            .trim_end()
            .to_string(),
    );
    evidence.push(format!("TCP: {} after {} ms", tcp, ms));
    if let Some(e) = v.get("error").and_then(|x| x.as_str()) {
        evidence.push(format!("error: {}", e));
    }
    if tcp == "reachable" {
        return finding(
            &fact.id,
            problem,
            Status::Ok,
            t!(
                lang,
                "{name}: {host}:{port} is reachable.",
                "{name} : {host}:{port} est joignable."
            ),
        )
        .with_evidence(evidence);
    }
    let what = if dns != "ok" {
        t!(
            lang,
            "the name {host} does not resolve ({dns})",
            "le nom {host} ne se résout pas ({dns})"
        )
    } else {
        match tcp {
            "refused" => t!(
                lang,
                "the connection is refused",
                "la connexion est refusée"
            ),
            "timeout" => t!(
                lang,
                "no answer (timeout: blocked or black-holed)",
                "pas de réponse (délai dépassé : bloqué ou perdu)"
            ),
            _ => t!(
                lang,
                "the network is unreachable",
                "le réseau est injoignable"
            ),
        }
    };
    let proxy = proxy_for(f, host);
    let (status, summary) = match &proxy {
        Some(p) => {
            evidence.push(format!("proxy: {}", p));
            (
                Status::Warning,
                t!(
                    lang,
                    "{name}: {host}:{port} is not reachable directly ({what}); a proxy is configured ({p}), which the connection must use.",
                    "{name} : {host}:{port} n'est pas joignable directement ({what}) ; un proxy est configuré ({p}), que la connexion doit utiliser."
                ),
            )
        }
        None => (
            Status::Problem,
            t!(
                lang,
                "{name}: {host}:{port} is not reachable: {what}.",
                "{name} : {host}:{port} n'est pas joignable : {what}."
            ),
        ),
    };
    let first = vec![t!(
        lang,
        "Check the network path to {host}:{port} (firewall, DNS, proxy): Test-NetConnection {host} -Port {port}.",
        "Vérifiez le chemin réseau vers {host}:{port} (pare-feu, DNS, proxy) : Test-NetConnection {host} -Port {port}."
    )];
    let out = finding(&fact.id, problem, status, summary).with_evidence(evidence);
    if problem.is_some() {
        out.with_catalog_resolution(lang, first)
    } else {
        let mut out = out;
        out.resolution = Some(first);
        out.fix = Some(format!("Test-NetConnection {} -Port {}", host, port));
        out
    }
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
}
