//! `proxy.environment`: HTTP(S)_PROXY / ALL_PROXY / NO_PROXY, as .NET
//! reads them, and which PowerShell they affect.

use super::network::proxy_for_environment;
use super::*;
use crate::probe::{net, State};

pub(super) fn proxy_environment(f: &Facts, cx: Ctx) -> Finding {
    let id = "proxy.environment";
    let fact = match f.get(id) {
        Some(x) => x,
        None => return cx.finding(id, Status::Unknown, t!(cx, "proxy_environment.not_read")),
    };
    if fact.state != State::Known {
        let mut out = cx
            .finding(
                id,
                Status::Unknown,
                t!(
                    cx,
                    "proxy_environment.unusable",
                    reason = fact.reason.clone().unwrap_or_default()
                ),
            )
            .with_evidence(vec![fact.reason.clone().unwrap_or_default()]);
        out.resolution = Some(vec![t!(cx, "proxy_environment.unusable_step")]);
        return out;
    }
    let v = &fact.value;
    let mut evidence = Vec::new();
    for key in ["https", "http", "all"] {
        if let Some(p) = v.get(key).filter(|x| !x.is_null()) {
            evidence.push(format!(
                "{} = {}",
                p["variable"].as_str().unwrap_or(key),
                p["proxy"].as_str().unwrap_or("?")
            ));
        }
    }
    if let Some(n) = v.get("no_proxy").filter(|x| !x.is_null()) {
        let entries: Vec<&str> = n["entries"]
            .as_array()
            .map(|a| a.iter().filter_map(|x| x.as_str()).collect())
            .unwrap_or_default();
        evidence.push(format!(
            "{} = {}",
            n["variable"].as_str().unwrap_or("NO_PROXY"),
            entries.join(",")
        ));
    }
    if evidence.is_empty() {
        return cx.finding(id, Status::Ok, t!(cx, "proxy_environment.none"));
    }
    let sign_in = cx.facts().hosts.sign_in[0].as_str();
    if let Some(n) = v.get("no_proxy").filter(|x| !x.is_null()) {
        let entries: Vec<String> = n["entries"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        evidence.push(format!(
            "{} as .NET reads it: an entry matches that host name only, or with a leading dot the domain and its subdomains; no '*' wildcard, no port: {} is {}",
            n["variable"].as_str().unwrap_or("NO_PROXY"),
            sign_in,
            if net::no_proxy_matches(&entries, sign_in) {
                "bypassed"
            } else {
                "not bypassed"
            }
        ));
        let dead: Vec<&str> = entries
            .iter()
            .map(|e| e.as_str())
            .filter(|e| net::no_proxy_never_matches(e))
            .collect();
        if !dead.is_empty() {
            evidence.push(format!(
                "entries that match no host under .NET's rules: {}",
                dead.join(",")
            ));
        }
    }
    // Who reads these variables: .NET's HttpClient.DefaultProxy, that is
    // PowerShell 7 (token requests of the modules that sign in through
    // MSAL, Invoke-WebRequest); not .NET Framework, so not Windows
    // PowerShell 5.1 (Internet Settings), and not WinRM or the sign-in
    // assistant (WinHTTP).
    let windows = platform_is_windows(f);
    let summary = match (proxy_for_environment(f, sign_in), windows) {
        (Some(p), true) => t!(
            cx,
            "proxy_environment.via_proxy_windows",
            host = sign_in,
            proxy = p
        ),
        (Some(p), false) => t!(cx, "proxy_environment.via_proxy", host = sign_in, proxy = p),
        (None, true) => t!(cx, "proxy_environment.bypassed_windows", host = sign_in),
        (None, false) => t!(cx, "proxy_environment.bypassed", host = sign_in),
    };
    cx.finding(id, Status::Ok, summary).with_evidence(evidence)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;
    use serde_json::json;

    #[test]
    fn proxy_variables_say_which_powershell_they_affect() {
        let env = Fact::known(
            "proxy.environment",
            json!({"https": {"variable": "HTTPS_PROXY", "proxy": "http://proxy:3128", "host": "proxy", "port": 3128}, "http": null, "all": null, "no_proxy": null}),
            "test",
        );
        let f = evaluate(&windows_facts(vec![env.clone()]), "en");
        let x = get(&f, "proxy.environment");
        assert!(x.summary.starts_with("PowerShell 7"), "{}", x.summary);
        assert!(
            x.summary
                .contains("Windows PowerShell 5.1 ignores these variables"),
            "{}",
            x.summary
        );
        let f = evaluate(&windows_facts(vec![env]), "fr");
        assert!(get(&f, "proxy.environment")
            .summary
            .contains("Windows PowerShell 5.1 ignore ces variables"));
    }

    #[test]
    fn no_proxy_is_read_as_dotnet_reads_it() {
        // "microsoftonline.com" does not cover login.microsoftonline.com,
        // and "*" is no wildcard: the proxy still applies.
        for entries in [json!(["microsoftonline.com"]), json!(["*"])] {
            let facts = vec![
                Fact::known("os", json!("linux"), "test"),
                Fact::known(
                    "proxy.environment",
                    json!({"https": {"variable": "https_proxy", "proxy": "http://proxy:3128", "host": "proxy", "port": 3128}, "http": null, "all": null,
                           "no_proxy": {"variable": "no_proxy", "entries": entries}}),
                    "test",
                ),
                Fact::known(
                    "network.sign-in",
                    json!({"host": "login.microsoftonline.com", "port": 443, "dns": "failed", "addresses": [], "tcp": "not_tried", "elapsed_ms": 5}),
                    "test",
                ),
            ];
            let f = evaluate(&facts, "en");
            assert_eq!(
                get(&f, "network.sign-in").status,
                Status::Warning,
                "{}",
                entries
            );
            let p = get(&f, "proxy.environment");
            assert!(p.summary.contains("http://proxy:3128"), "{}", p.summary);
            assert!(
                p.evidence
                    .iter()
                    .any(|e| e.contains("as .NET reads it") && e.contains("not bypassed")),
                "{:?}",
                p.evidence
            );
        }
    }
}
