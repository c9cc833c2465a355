//! `proxy.windows`: the WinHTTP proxy (sign-in assistant, WinRM) against
//! the user's Internet Settings proxy.

use super::*;

pub(super) fn proxy_windows(f: &Facts, cx: Ctx) -> Finding {
    let id = "proxy.windows";
    if !platform_is_windows(f) {
        return cx.finding(
            id,
            Status::NotApplicable,
            t!(cx, "proxy_windows.not_windows"),
        );
    }
    let (winhttp, ie) = match (f.known("proxy.winhttp"), f.known("proxy.ie")) {
        (Some(w), Some(i)) => (w, i),
        _ => {
            return cx
                .finding(id, Status::Unknown, t!(cx, "proxy_windows.unreadable"))
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
                    cx,
                    "proxy_windows.import_step",
                    script = if ie_pac.is_some() {
                        t!(cx, "proxy_windows.script_ignored")
                    } else {
                        String::new()
                    }
                ),
                "netsh winhttp import proxy source=ie".to_string(),
            )
        } else {
            let sign_in = cx.facts().hosts.sign_in[0].as_str();
            (
                t!(cx, "proxy_windows.script_step", host = sign_in),
                format!(
                    "$p = [System.Net.WebRequest]::GetSystemWebProxy().GetProxy([uri]'https://{h}/'); if ($p.Host -ne '{h}') {{ netsh winhttp set proxy proxy-server=\"$($p.Authority)\" bypass-list=\"<local>\" }} else {{ 'The configuration script sends {h} direct: WinHTTP needs no proxy for it.' }}",
                    h = sign_in
                ),
            )
        };
        let mut out = cx
            .finding(
                id,
                Status::Warning,
                t!(cx, "proxy_windows.direct_but_user_proxy"),
            )
            .with_evidence(evidence)
            .with_catalog_resolution(cx, vec![step]);
        out.fix = Some(fix);
        return out;
    }
    cx.finding(id, Status::Ok, t!(cx, "proxy_windows.agree"))
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
