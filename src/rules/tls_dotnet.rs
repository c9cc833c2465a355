//! `tls.dotnet`: whether Windows PowerShell 5.1 (.NET Framework 4) offers
//! TLS 1.2, which Microsoft 365 and the PowerShell Gallery require:
//! `SchUseStrongCrypto` or `SystemDefaultTlsVersions` set to 1 in the
//! 64-bit view (64-bit `powershell.exe`) and in the 32-bit one (the x86
//! shell); neither set leaves an application built for an older framework
//! at SSL 3.0 and TLS 1.0 (docs/facts.md#tls-12-for-net-framework).

use serde_json::Value;

use super::*;
use crate::probe::State;

/// The command that sets both values to 1 in both registry views.
const FIX: &str = "foreach ($k in 'HKLM:\\SOFTWARE\\Microsoft\\.NETFramework\\v4.0.30319', 'HKLM:\\SOFTWARE\\WOW6432Node\\Microsoft\\.NETFramework\\v4.0.30319') { Set-ItemProperty -Path $k -Name SchUseStrongCrypto -Value 1 -Type DWord; Set-ItemProperty -Path $k -Name SystemDefaultTlsVersions -Value 1 -Type DWord }";

fn view_evidence(v: &Value, view: &str) -> String {
    let show = |name: &str| match v.pointer(&format!("/{}/{}", view, name)) {
        Some(Value::Null) | None => format!("{}: not set", name),
        Some(x) => format!("{} = {}", name, x),
    };
    format!(
        "{} view: {}, {}",
        view,
        show("SchUseStrongCrypto"),
        show("SystemDefaultTlsVersions")
    )
}

fn offers(v: &Value, view: &str) -> bool {
    v.pointer(&format!("/{}/tls12", view))
        .and_then(|x| x.as_bool())
        .unwrap_or(false)
}

/// `tls.dotnet`; `needed` after a TLS or Gallery error (facts.json
/// `named_by`): a view without TLS 1.2 is then a problem.
pub(super) fn tls_dotnet(f: &Facts, cx: Ctx, needed: bool) -> Finding {
    let id = "tls.dotnet";
    if let Some(na) = windows_only(f, cx, id, "tls_dotnet.not_windows") {
        return na;
    }
    // This session's own protocols (the host's SecurityProtocol): what a
    // sign-in or Install-Module here offers now, whatever the registry says.
    let session = f.host_str("security_protocol");
    let session_off = session.map(|p| !session_offers_tls12(p)).unwrap_or(false);
    let v = match f.get("dotnet.tls12") {
        Some(x) if x.state == State::Known => &x.value,
        _ => {
            let mut evidence = vec![f.reason("dotnet.tls12")];
            if let Some(p) = session {
                evidence.push(session_evidence(p));
            }
            if !session_off {
                return cx
                    .finding(id, Status::Unknown, t!(cx, "tls_dotnet.unreadable"))
                    .with_evidence(evidence);
            }
            return off(cx, id, needed, t!(cx, "tls_dotnet.session_off"), evidence);
        }
    };
    let mut evidence = vec![view_evidence(v, "64-bit"), view_evidence(v, "32-bit")];
    if let Some(p) = session {
        evidence.push(session_evidence(p));
    }
    let mut summary = match (offers(v, "64-bit"), offers(v, "32-bit")) {
        (true, true) if !session_off => {
            return cx
                .finding(id, Status::Ok, t!(cx, "tls_dotnet.ok"))
                .with_evidence(evidence)
        }
        (true, true) => String::new(),
        (false, false) => t!(cx, "tls_dotnet.off"),
        (false, true) => t!(cx, "tls_dotnet.off_view", view = "64-bit"),
        (true, false) => t!(cx, "tls_dotnet.off_view", view = "32-bit"),
    };
    if session_off {
        if !summary.is_empty() {
            summary.push(' ');
        }
        summary.push_str(&t!(cx, "tls_dotnet.session_off"));
    }
    off(cx, id, needed, summary, evidence)
}

/// Whether `[Net.ServicePointManager]::SecurityProtocol` as PowerShell
/// prints it (`Ssl3, Tls`, `Tls12`, `SystemDefault`, or a number) offers
/// TLS 1.2: it names Tls12 (or Tls13 beside it), or leaves the choice to the
/// OS (`SystemDefault`, 0), or is a number with the Tls12 bit (3072).
pub(super) fn session_offers_tls12(p: &str) -> bool {
    let p = p.trim();
    if let Ok(n) = p.parse::<u64>() {
        return n == 0 || n & 3072 == 3072;
    }
    p.split(|c: char| c == ',' || c.is_whitespace())
        .map(str::trim)
        .any(|w| {
            w.eq_ignore_ascii_case("Tls12")
                || w.eq_ignore_ascii_case("Tls13")
                || w.eq_ignore_ascii_case("SystemDefault")
        })
}

fn session_evidence(p: &str) -> String {
    format!("[Net.ServicePointManager]::SecurityProtocol (host) = {}", p)
}

fn off(cx: Ctx, id: &str, needed: bool, summary: String, evidence: Vec<String>) -> Finding {
    let status = Status::problem_if(needed);
    cx.finding(id, status, summary)
        .with_evidence(evidence)
        .with_catalog_resolution(
            cx,
            vec![t!(cx, "tls_dotnet.session_step"), t!(cx, "tls_dotnet.step")],
        )
        .with_fix(Some(FIX.to_string()))
}

/// After a Gallery error (facts.json `explains`): a view without TLS 1.2
/// is one of its causes.
pub(super) fn explain(f: &Finding) -> bool {
    matches!(f.status, Status::Problem | Status::Warning)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;
    use serde_json::json;

    pub(crate) fn tls(v64: (Option<u32>, Option<u32>), v32: (Option<u32>, Option<u32>)) -> Fact {
        let view = |(s, d): (Option<u32>, Option<u32>)| {
            json!({"SchUseStrongCrypto": s, "SystemDefaultTlsVersions": d,
                   "tls12": crate::probe::windows::offers_tls12(s, d)})
        };
        Fact::known(
            "dotnet.tls12",
            json!({"64-bit": view(v64), "32-bit": view(v32)}),
            "test",
        )
    }

    fn get(fact: Fact, errors: &[&str]) -> Finding {
        let facts = windows_facts(vec![fact]);
        with_error(&facts, errors, "en")
            .into_iter()
            .find(|x| x.id == "tls.dotnet")
            .unwrap()
    }

    #[test]
    fn tls12_needs_a_value_in_each_view() {
        // Neither value in either view: Windows PowerShell offers SSL 3.0
        // and TLS 1.0 only.
        let x = get(tls((None, None), (None, None)), &[]);
        assert_eq!(x.status, Status::Warning);
        assert!(x.fix.as_deref().unwrap().contains("WOW6432Node"));
        // One value is enough in a view; the 32-bit one still lacks it.
        let x = get(tls((Some(1), None), (None, None)), &[]);
        assert_eq!(x.status, Status::Warning);
        assert!(x.summary.contains("32-bit"), "{}", x.summary);
        let x = get(tls((None, Some(1)), (Some(1), Some(0))), &[]);
        assert_eq!(x.status, Status::Ok);
        // 0 is not 1.
        let x = get(tls((Some(0), Some(0)), (Some(1), None)), &[]);
        assert!(x.summary.contains("64-bit"), "{}", x.summary);
        // After the TLS error: a problem, first, explaining it; after a
        // Gallery error too.
        let x = get(tls((None, None), (None, None)), &["tls12_disabled"]);
        assert_eq!(x.status, Status::Problem);
        assert_eq!(x.explains, vec!["tls12_disabled".to_string()]);
        let x = get(tls((None, None), (None, None)), &["gallery_unreachable"]);
        assert_eq!(x.status, Status::Problem);
        assert_eq!(x.explains, vec!["gallery_unreachable".to_string()]);
        let x = get(
            tls((Some(1), Some(1)), (Some(1), Some(1))),
            &["gallery_unreachable"],
        );
        assert_eq!(x.status, Status::Ok);
        assert!(x.explains.is_empty());
    }

    #[test]
    fn the_sessions_security_protocol_counts_whatever_the_registry_says() {
        let with = |p: &str| {
            let facts = windows_facts(vec![
                tls((Some(1), None), (Some(1), None)),
                Fact::known("host.security_protocol", json!(p), "test"),
            ]);
            evaluate(&facts, "en")
                .into_iter()
                .find(|x| x.id == "tls.dotnet")
                .unwrap()
        };
        // A script set this session to SSL 3.0 and TLS 1.0.
        let x = with("Ssl3, Tls");
        assert_eq!(x.status, Status::Warning, "{:?}", x);
        assert!(
            x.summary.contains("Ssl3, Tls")
                || x.evidence.iter().any(|e| e.ends_with("= Ssl3, Tls"))
        );
        assert!(x.resolution.as_ref().unwrap()[0].contains("Tls12"));
        for ok in [
            "SystemDefault",
            "Tls, Tls11, Tls12",
            "Tls12",
            "3072",
            "0",
            "Tls13",
        ] {
            assert_eq!(with(ok).status, Status::Ok, "{}", ok);
        }
        assert_eq!(with("48").status, Status::Warning);
        // The registry unreadable but the session known not to offer it.
        let facts = windows_facts(vec![
            Fact::unknown("dotnet.tls12", "test", "not read"),
            Fact::known("host.security_protocol", json!("Tls"), "test"),
        ]);
        let x = evaluate(&facts, "en")
            .into_iter()
            .find(|x| x.id == "tls.dotnet")
            .unwrap();
        assert_eq!(x.status, Status::Warning);
    }
}
