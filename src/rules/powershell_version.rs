//! `powershell.version`: the connector needs PowerShell 3.0 or later
//! (`facts.json` `powershell_minimum`).

use super::*;
use crate::probe::State;

/// The major number of a version string ("5.1.19041.4648" -> 5).
pub fn version_major(v: &str) -> Option<u64> {
    v.trim()
        .trim_start_matches(['v', 'V'])
        .split(['.', '-', ' '])
        .next()
        .and_then(|m| m.parse().ok())
}

pub(super) fn powershell_version(f: &Facts, cx: Ctx) -> Finding {
    let id = "powershell.version";
    // facts.json powershell_minimum; engines differ by their major number.
    let minimum = cx.facts().string("powershell_minimum");
    let minimum_major = version_major(minimum).unwrap_or(0);
    let (version, source) = match f.host_str("version") {
        Some(v) => (
            Some(v.to_string()),
            "$PSVersionTable.PSVersion (host)".to_string(),
        ),
        None => match f.get("windows_powershell.engine_version") {
            Some(fact) if fact.state == State::Known => match fact.value.as_str() {
                Some(v) => (Some(v.to_string()), fact.source.clone()),
                None => {
                    return cx
                        .finding(
                            id,
                            Status::Problem,
                            t!(cx, "powershell_version.none_registered", minimum),
                        )
                        .with_evidence(vec![format!("{}: absent", fact.source)])
                        .with_catalog_resolution(cx, Vec::new());
                }
            },
            _ => {
                return cx
                    .finding(id, Status::Unknown, t!(cx, "powershell_version.unknown"))
                    .with_evidence(vec![f.reason("windows_powershell.engine_version")]);
            }
        },
    };
    let version = version.unwrap_or_default();
    let evidence = vec![format!("{}: {}", source, version)];
    match version_major(&version) {
        None => cx
            .finding(
                id,
                Status::Unknown,
                t!(
                    cx,
                    "powershell_version.not_a_version",
                    version = format!("{:?}", version)
                ),
            )
            .with_evidence(evidence),
        Some(m) if m < minimum_major => cx
            .finding(
                id,
                Status::Problem,
                t!(cx, "powershell_version.too_old", version, minimum),
            )
            .with_evidence(evidence)
            .with_catalog_resolution(cx, Vec::new()),
        Some(_) => cx
            .finding(
                id,
                Status::Ok,
                t!(cx, "powershell_version.ok", version, minimum),
            )
            .with_evidence(evidence),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_majors() {
        assert_eq!(version_major("5.1.19041.4648"), Some(5));
        assert_eq!(version_major("2.0"), Some(2));
        assert_eq!(version_major("7.4.0-preview.1"), Some(7));
        assert_eq!(version_major("x"), None);
    }
}
