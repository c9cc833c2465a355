//! `proxy.windows`: the WinHTTP proxy (sign-in assistant, WinRM) against
//! the user's Internet Settings proxy.

use super::*;

pub(super) fn proxy_windows(f: &Facts, lang: &str) -> Finding {
    let id = "proxy.windows";
    let problem = Some("liveid_connect_failed");
    if !platform_is_windows(f) {
        return finding(
            id,
            problem,
            Status::NotApplicable,
            t!(
                lang,
                "WinHTTP and Internet Explorer proxy settings exist on Windows only.",
                "Les réglages de proxy WinHTTP et Internet Explorer n'existent que sous Windows."
            ),
        );
    }
    let (winhttp, ie) = match (f.known("proxy.winhttp"), f.known("proxy.ie")) {
        (Some(w), Some(i)) => (w, i),
        _ => {
            return finding(
                id,
                problem,
                Status::Unknown,
                t!(
                    lang,
                    "The Windows proxy settings could not be read.",
                    "Les réglages de proxy de Windows n'ont pas pu être lus."
                ),
            )
            .with_evidence(vec![f.reason("proxy.winhttp"), f.reason("proxy.ie")])
        }
    };
    let wproxy = winhttp.get("proxy").and_then(|x| x.as_str());
    let ie_enabled = ie.get("enabled").and_then(|x| x.as_bool()).unwrap_or(false);
    let ie_server = ie.get("server").and_then(|x| x.as_str());
    let ie_pac = ie.get("auto_config_url").and_then(|x| x.as_str());
    let mut evidence = vec![match wproxy {
        Some(p) => format!("WinHTTP: proxy {}", p),
        None => "WinHTTP: direct".to_string(),
    }];
    evidence.push(match (ie_enabled, ie_server, ie_pac) {
        (true, Some(s), _) => format!("Internet Settings (user): proxy {}", s),
        (_, _, Some(pac)) => format!("Internet Settings (user): configuration script {}", pac),
        _ => "Internet Settings (user): direct".to_string(),
    });
    let ie_manual = ie_enabled && ie_server.is_some();
    let ie_uses_proxy = ie_manual || ie_pac.is_some();
    if wproxy.is_none() && ie_uses_proxy {
        // `netsh winhttp import proxy source=ie` copies the manual proxy
        // only: with just a configuration script it imports nothing. Either
        // way it sets the machine-wide WinHTTP proxy, from an elevated
        // prompt.
        let (step, fix) = if ie_manual {
            (
                t!(
                    lang,
                    "Give WinHTTP the user's proxy from an elevated prompt: netsh winhttp import proxy source=ie copies the manual proxy and its bypass list{script}. It sets the proxy of the whole machine (every program and service that uses WinHTTP); netsh winhttp reset proxy undoes it. For WinRM sessions only, New-PSSessionOption -ProxyAccessType IEConfig is an alternative.",
                    "Donnez à WinHTTP le proxy de l'utilisateur depuis une invite élevée : netsh winhttp import proxy source=ie copie le proxy manuel et sa liste d'exclusions{script}. Le réglage vaut pour tout l'ordinateur (tout programme ou service qui utilise WinHTTP) ; netsh winhttp reset proxy l'annule. Pour les seules sessions WinRM, New-PSSessionOption -ProxyAccessType IEConfig est une autre possibilité.",
                    script = match (ie_pac.is_some(), lang == "fr") {
                        (false, _) => "",
                        (true, false) => " (not the configuration script, which it ignores)",
                        (true, true) => " (pas le script de configuration, qu'il ignore)",
                    }
                ),
                "netsh winhttp import proxy source=ie".to_string(),
            )
        } else {
            (
                t!(
                    lang,
                    "The user's settings use only a configuration script, and netsh winhttp import proxy source=ie imports nothing from a script. From an elevated prompt, set the proxy the script chooses for the sign-in servers with netsh winhttp set proxy: the fix asks .NET which proxy the script gives https://{h}/ and sets it. It sets the proxy of the whole machine (every program and service that uses WinHTTP); netsh winhttp reset proxy undoes it.",
                    "Les réglages de l'utilisateur n'utilisent qu'un script de configuration, et netsh winhttp import proxy source=ie n'importe rien d'un script. Depuis une invite élevée, définissez avec netsh winhttp set proxy le proxy que le script choisit pour les serveurs de connexion : la commande proposée demande à .NET le proxy que le script donne pour https://{h}/ et le définit. Le réglage vaut pour tout l'ordinateur (tout programme ou service qui utilise WinHTTP) ; netsh winhttp reset proxy l'annule.",
                    h = SIGN_IN_HOSTS[0]
                ),
                format!(
                    "$p = [System.Net.WebRequest]::GetSystemWebProxy().GetProxy([uri]'https://{h}/'); if ($p.Host -ne '{h}') {{ netsh winhttp set proxy proxy-server=\"$($p.Authority)\" bypass-list=\"<local>\" }} else {{ 'The configuration script sends {h} direct: WinHTTP needs no proxy for it.' }}",
                    h = SIGN_IN_HOSTS[0]
                ),
            )
        };
        let mut out = finding(
            id,
            problem,
            Status::Warning,
            t!(
                lang,
                "The user's browser settings use a proxy but WinHTTP (used by the sign-in assistant and WinRM) goes direct: if direct connections are blocked, sign-in fails.",
                "Les réglages du navigateur de l'utilisateur passent par un proxy mais WinHTTP (utilisé par l'Assistant de connexion et WinRM) se connecte en direct : si les connexions directes sont bloquées, la connexion échoue."
            ),
        )
        .with_evidence(evidence)
        .with_catalog_resolution(lang, vec![step]);
        out.fix = Some(fix);
        return out;
    }
    finding(
        id,
        problem,
        Status::Ok,
        t!(
            lang,
            "WinHTTP and the user's proxy settings agree.",
            "WinHTTP et les réglages de proxy de l'utilisateur concordent."
        ),
    )
    .with_evidence(evidence)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;
    use serde_json::json;

    #[test]
    fn winhttp_fix_fits_the_user_proxy() {
        // Only a configuration script: import copies nothing, so the fix
        // sets WinHTTP's proxy to what the script returns.
        let pac = Fact::known(
            "proxy.ie",
            json!({"enabled": false, "server": null, "auto_config_url": "http://wpad.contoso.com/proxy.pac"}),
            "test",
        );
        for lang in ["en", "fr"] {
            let f = evaluate(&windows_facts(vec![pac.clone()]), lang);
            let x = get(&f, "proxy.windows");
            assert_eq!(x.status, Status::Warning);
            let fix = x.fix.as_deref().unwrap();
            assert!(fix.contains("netsh winhttp set proxy"), "{}", fix);
            assert!(!fix.contains("import"), "{}", fix);
            let step = &x.resolution.as_ref().unwrap()[0];
            assert!(step.contains("netsh winhttp reset proxy"), "{}", step);
        }
        // A manual proxy: import, machine-wide, elevated.
        let manual = Fact::known(
            "proxy.ie",
            json!({"enabled": true, "server": "proxy.contoso.com:8080"}),
            "test",
        );
        let f = evaluate(&windows_facts(vec![manual]), "en");
        let x = get(&f, "proxy.windows");
        assert_eq!(
            x.fix.as_deref(),
            Some("netsh winhttp import proxy source=ie")
        );
        let step = &x.resolution.as_ref().unwrap()[0];
        assert!(
            step.contains("elevated prompt") && step.contains("whole machine"),
            "{}",
            step
        );
    }
}
