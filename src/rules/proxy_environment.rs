//! `proxy.environment`: HTTP(S)_PROXY / ALL_PROXY / NO_PROXY, as .NET
//! reads them, and which PowerShell they affect.

use super::network::proxy_for_environment;
use super::*;
use crate::probe::{net, State};

pub(super) fn proxy_environment(f: &Facts, lang: &str) -> Finding {
    let id = "proxy.environment";
    let fact = match f.get(id) {
        Some(x) => x,
        None => {
            return finding(
                id,
                None,
                Status::Unknown,
                t!(
                    lang,
                    "Proxy variables not read.",
                    "Variables de proxy non lues."
                ),
            )
        }
    };
    if fact.state != State::Known {
        let mut out = finding(
            id,
            None,
            Status::Unknown,
            t!(
                lang,
                "A proxy variable cannot be used: {r}.",
                "Une variable de proxy est inutilisable : {r}.",
                r = fact.reason.clone().unwrap_or_default()
            ),
        )
        .with_evidence(vec![fact.reason.clone().unwrap_or_default()]);
        out.resolution = Some(vec![t!(
            lang,
            "Set it to a proxy address such as http://proxy.example.com:8080, or remove it.",
            "Donnez-lui une adresse de proxy comme http://proxy.example.com:8080, ou supprimez-la."
        )]);
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
        return finding(
            id,
            None,
            Status::Ok,
            t!(
                lang,
                "No proxy environment variable is set.",
                "Aucune variable d'environnement de proxy n'est définie."
            ),
        );
    }
    let sign_in = SIGN_IN_HOSTS[0];
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
            lang,
            "PowerShell 7 (.NET's HttpClient.DefaultProxy) sends HTTPS to {sign_in} through {p}. Windows PowerShell 5.1 ignores these variables (.NET Framework uses the Internet Settings proxy), and so do WinRM sessions and the sign-in assistant (WinHTTP).",
            "PowerShell 7 (HttpClient.DefaultProxy de .NET) envoie le HTTPS vers {sign_in} par {p}. Windows PowerShell 5.1 ignore ces variables (.NET Framework suit le proxy des Paramètres Internet), tout comme les sessions WinRM et l'Assistant de connexion (WinHTTP)."
        ),
        (Some(p), false) => t!(
            lang,
            "PowerShell 7 (.NET's HttpClient.DefaultProxy) sends HTTPS to {sign_in} through {p}.",
            "PowerShell 7 (HttpClient.DefaultProxy de .NET) envoie le HTTPS vers {sign_in} par {p}."
        ),
        (None, true) => t!(
            lang,
            "Proxy variables are set but {sign_in} bypasses them (they apply to PowerShell 7 only; Windows PowerShell 5.1, WinRM and the sign-in assistant ignore them).",
            "Des variables de proxy sont définies mais {sign_in} les contourne (elles ne valent que pour PowerShell 7 ; Windows PowerShell 5.1, WinRM et l'Assistant de connexion les ignorent)."
        ),
        (None, false) => t!(
            lang,
            "Proxy variables are set but {sign_in} bypasses them.",
            "Des variables de proxy sont définies mais {sign_in} les contourne."
        ),
    };
    finding(id, None, Status::Ok, summary).with_evidence(evidence)
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
