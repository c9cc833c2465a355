//! `wsman.client`: outside Windows, a WSMan client library for
//! New-PSSession.

use super::*;

pub(super) fn wsman_client(f: &Facts, lang: &str) -> Finding {
    let id = "wsman.client";
    if platform_is_windows(f) {
        return finding(
            id,
            None,
            Status::NotApplicable,
            t!(
                lang,
                "Windows has its own WSMan client.",
                "Windows a son propre client WSMan."
            ),
        );
    }
    match f.known("host.wsman_client").and_then(|v| v.as_bool()) {
        Some(true) => finding(
            id,
            None,
            Status::Ok,
            t!(
                lang,
                "A WSMan client library is available for remote sessions.",
                "Une bibliothèque cliente WSMan est disponible pour les sessions distantes."
            ),
        )
        .with_evidence(vec!["wsman_client (host): true".into()]),
        Some(false) => {
            let mut out = finding(
                id,
                None,
                Status::Warning,
                t!(
                    lang,
                    "No WSMan client library was found: PowerShell on {os} cannot open a remote session to the service.",
                    "Aucune bibliothèque cliente WSMan n'a été trouvée : PowerShell sous {os} ne peut pas ouvrir de session distante vers le service.",
                    os = platform_name(f)
                ),
            )
            .with_evidence(vec!["wsman_client (host): false".into()]);
            out.resolution = Some(vec![t!(
                lang,
                "Use the MicrosoftTeams module (Connect-MicrosoftTeams), which needs no WSMan, or run the connector from Windows PowerShell on Windows.",
                "Utilisez le module MicrosoftTeams (Connect-MicrosoftTeams), qui n'a pas besoin de WSMan, ou exécutez le connecteur depuis Windows PowerShell sous Windows."
            )]);
            out.fix = Some("Install-Module -Name MicrosoftTeams -Scope CurrentUser".into());
            out
        }
        None => finding(
            id,
            None,
            Status::Unknown,
            t!(
                lang,
                "Whether a WSMan client library is usable is known only to PowerShell (hand in wsman_client).",
                "Seul PowerShell sait si une bibliothèque cliente WSMan est utilisable (transmettez wsman_client)."
            ),
        ),
    }
}
