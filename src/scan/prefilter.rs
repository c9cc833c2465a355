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
    /// Bytes of the longest piece.
    pub(super) longest: usize,
    /// The bytes a piece may hold (ASCII in either case, any byte of a
    /// multi-byte character): a console cut between two of them may fall
    /// inside a piece.
    pub(super) inner: [bool; 256],
}

impl Prefilter {
    /// Whether a piece starts in `a` and ends in `b` when `b` follows `a`
    /// directly (a term the console cut in two at the end of line `a`).
    pub(super) fn spans_join(&self, a: &[u8], b: &[u8]) -> bool {
        // As much of each side as a piece holds (and a few bytes more: a
        // case-folded character may be longer).
        let reach = self.longest + 4;
        let mut seam = Vec::with_capacity(2 * reach);
        seam.extend_from_slice(&a[a.len().saturating_sub(reach)..]);
        seam.extend_from_slice(&b[..b.len().min(reach)]);
        self.spans(&seam, a.len().min(reach))
    }

    /// Whether a piece spans byte `cut` of `seam`: starts before it and
    /// ends after it.
    fn spans(&self, seam: &[u8], cut: usize) -> bool {
        let mut from = 0;
        // At each start the alternation takes the longest piece that
        // matches there, so trying every start finds any spanning piece.
        while let Some(m) = self.re.find_at(seam, from) {
            if m.start() >= cut {
                return false;
            }
            if m.end() > cut {
                return true;
            }
            from = m.start() + 1;
        }
        false
    }
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
    let longest = pieces.iter().map(|p| p.len()).max().unwrap_or(0);
    let mut inner = [false; 256];
    for b in pieces.iter().flat_map(|p| p.bytes()) {
        inner[b.to_ascii_lowercase() as usize] = true;
        inner[b.to_ascii_uppercase() as usize] = true;
    }
    for b in inner.iter_mut().skip(0x80) {
        *b = true;
    }
    Ok(Prefilter {
        re,
        signals,
        pieces,
        longest,
        inner,
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

    #[test]
    fn pieces_are_found_across_a_cut() {
        let p = prefilter().unwrap();
        assert!(p.spans_join(b"Please create a new PSCred", b"ential object"));
        assert!(p.spans_join(b"assembly 'Microsoft.", b"Identity.Client, Version"));
        // A piece on one side only does not span the cut.
        assert!(!p.spans_join(b"Please create a new PSCredential", b" object"));
        assert!(!p.spans_join(
            b"la strat\xc3\xa9gie est d\xc3\xa9sactiv\xc3\xa9e pour ce test.",
            b"Logon script finished"
        ));
        assert!(p.inner[b'a' as usize] && p.inner[b'Z' as usize] && p.inner[0xc3]);
        assert!(!p.inner[b'\n' as usize]);
    }
}
