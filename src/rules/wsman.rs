//! `wsman.client`: outside Windows, a WSMan client library for
//! New-PSSession.

use super::*;

pub(super) fn wsman_client(f: &Facts, cx: Ctx) -> Finding {
    let id = "wsman.client";
    if platform_is_windows(f) {
        return cx.finding(id, Status::NotApplicable, t!(cx, "wsman.windows"));
    }
    match f.known("host.wsman_client").and_then(|v| v.as_bool()) {
        Some(true) => cx
            .finding(id, Status::Ok, t!(cx, "wsman.available"))
            .with_evidence(vec!["wsman_client (host): true".into()]),
        Some(false) => {
            let mut out = cx
                .finding(
                    id,
                    Status::Warning,
                    t!(cx, "wsman.missing", os = platform_name(f)),
                )
                .with_evidence(vec!["wsman_client (host): false".into()]);
            out.resolution = Some(vec![t!(cx, "wsman.missing_step")]);
            out.fix = Some("Install-Module -Name MicrosoftTeams -Scope CurrentUser".into());
            out
        }
        None => cx.finding(id, Status::Unknown, t!(cx, "wsman.unknown")),
    }
}
