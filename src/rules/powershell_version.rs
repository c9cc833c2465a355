//! `powershell.version`: the connector needs PowerShell 3.0 or later.

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

pub(super) fn powershell_version(f: &Facts, lang: &str) -> Finding {
    let id = "powershell.version";
    let (version, source) = match f.host_str("version") {
        Some(v) => (
            Some(v.to_string()),
            "$PSVersionTable.PSVersion (host)".to_string(),
        ),
        None => match f.get("windows_powershell.engine_version") {
            Some(fact) if fact.state == State::Known => match fact.value.as_str() {
                Some(v) => (Some(v.to_string()), fact.source.clone()),
                None => {
                    return finding(
                        id,
                        Some("powershell_version"),
                        Status::Problem,
                        t!(
                            lang,
                            "No Windows PowerShell 3.0 or later is registered on this machine.",
                            "Aucun Windows PowerShell 3.0 ou ultérieur n'est enregistré sur cet ordinateur."
                        ),
                    )
                    .with_evidence(vec![format!("{}: absent", fact.source)])
                    .with_catalog_resolution(lang, Vec::new());
                }
            },
            _ => {
                return finding(
                    id,
                    Some("powershell_version"),
                    Status::Unknown,
                    t!(
                        lang,
                        "The PowerShell version is unknown: hand in $PSVersionTable.PSVersion.",
                        "La version de PowerShell est inconnue : transmettez $PSVersionTable.PSVersion."
                    ),
                )
                .with_evidence(vec![f.reason("windows_powershell.engine_version")]);
            }
        },
    };
    let version = version.unwrap_or_default();
    let evidence = vec![format!("{}: {}", source, version)];
    match version_major(&version) {
        None => finding(
            id,
            Some("powershell_version"),
            Status::Unknown,
            t!(
                lang,
                "PowerShell version {version:?} is not a version number.",
                "La version de PowerShell {version:?} n'est pas un numéro de version."
            ),
        )
        .with_evidence(evidence),
        Some(m) if m < 3 => finding(
            id,
            Some("powershell_version"),
            Status::Problem,
            t!(
                lang,
                "PowerShell {version} is too old: the connector needs 3.0 or later (5.1 recommended).",
                "PowerShell {version} est trop ancien : le connecteur demande la version 3.0 ou ultérieure (5.1 recommandée)."
            ),
        )
        .with_evidence(evidence)
        .with_catalog_resolution(lang, Vec::new()),
        Some(_) => finding(
            id,
            Some("powershell_version"),
            Status::Ok,
            t!(
                lang,
                "PowerShell {version} meets the connector's minimum (3.0).",
                "PowerShell {version} satisfait le minimum du connecteur (3.0)."
            ),
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
