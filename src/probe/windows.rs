//! OS probes on Windows (filled in by the next commit).

use super::{Fact, OS_FACT_IDS};

pub fn facts() -> Vec<Fact> {
    OS_FACT_IDS
        .iter()
        .map(|(id, source)| Fact::unknown(id, source, "not probed yet"))
        .collect()
}
