//! OS probes outside Windows: the registry, the service control manager and
//! WinHTTP do not exist here, so those facts are `not_applicable` with the
//! reason. The network and proxy-environment probes (net.rs) apply
//! everywhere.

use super::{Fact, OsProbe, OS_FACT_IDS};

/// One probe gives every OS fact (nothing here can block).
pub(crate) fn probes() -> Vec<OsProbe> {
    vec![OsProbe {
        key: "os.not_windows",
        facts: OS_FACT_IDS,
        run: facts,
    }]
}

pub fn facts() -> Vec<Fact> {
    OS_FACT_IDS
        .iter()
        .map(|(id, source)| {
            Fact::not_applicable(
                id,
                source,
                &format!("Windows only: this library runs on {}", super::os_name()),
            )
        })
        .collect()
}
