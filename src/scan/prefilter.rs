//! The prefilter: one case-insensitive literal set derived from the
//! catalog at run time (the classifier's trigger terms and the codes'
//! spellings). Lines without one of its pieces cost one pass of a literal
//! search.

use once_cell::sync::Lazy;
use regex::bytes::{Regex, RegexBuilder};

use crate::classify;

pub(super) struct Prefilter {
    pub(super) re: Regex,
    /// The language-free pieces only (the codes' spellings): a block holding
    /// one always goes to the classifier.
    pub(super) signals: Regex,
    /// The literal pieces, for the bench and the tests.
    pieces: Vec<String>,
}

fn build_prefilter() -> Result<Prefilter, String> {
    // The classifier's trigger terms: for every required concept set of
    // every problem, the terms of its rarest concept, as written and folded
    // (a match is impossible without one of them).
    let mut pieces = classify::trigger_terms()?;
    let mut signals: Vec<String> = Vec::new();
    for v in classify::cue_codes()? {
        for spelling in [
            v.unsigned_abs().to_string(), // signed form, without its sign
            (v as u32).to_string(),
            format!("{:08x}", v as u32),
        ] {
            signals.push(spelling.clone());
            pieces.push(spelling);
        }
    }
    if signals.is_empty() {
        signals.push("[^\\s\\S]".into()); // matches nothing
    }
    let signals = RegexBuilder::new(&signals.join("|"))
        .case_insensitive(true)
        .build()
        .map_err(|e| format!("scan signal set does not compile: {}", e))?;
    let mut seen = std::collections::BTreeSet::new();
    pieces.retain(|p| seen.insert(p.to_lowercase()));
    // Longest first: the alternation prefers the more specific piece.
    pieces.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
    let alternation: Vec<String> = pieces.iter().map(|p| regex::escape(p)).collect();
    let re = RegexBuilder::new(&alternation.join("|"))
        .case_insensitive(true)
        .size_limit(64 << 20)
        .dfa_size_limit(64 << 20)
        .build()
        .map_err(|e| format!("scan prefilter does not compile: {}", e))?;
    Ok(Prefilter {
        re,
        signals,
        pieces,
    })
}

static PREFILTER: Lazy<Result<Prefilter, String>> = Lazy::new(build_prefilter);

pub(super) fn prefilter() -> Result<&'static Prefilter, String> {
    match &*PREFILTER {
        Ok(p) => Ok(p),
        Err(e) => Err(e.clone()),
    }
}

/// The literal pieces the prefilter searches for (derived from the catalog).
pub fn prefilter_pieces() -> Result<Vec<String>, String> {
    Ok(prefilter()?.pieces.clone())
}

/// Builds the prefilter and the classifier now (otherwise on first use).
pub fn warm_up() -> Result<(), String> {
    prefilter()?;
    classify::warm_up()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefilter_holds_the_rare_words_and_codes() {
        let p = prefilter_pieces().unwrap();
        for want in [
            "about_execution_polic",
            "pscredential",
            "rbac",
            "803381a5",
            "2144108123",
        ] {
            assert!(
                p.iter().any(|x| x.eq_ignore_ascii_case(want)),
                "{} not in prefilter",
                want
            );
        }
    }
}
