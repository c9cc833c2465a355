//! The prefilter: one case-insensitive literal set derived from the
//! catalog at run time (the classifier's trigger terms and the codes'
//! spellings). Lines without one of its pieces cost one pass of a literal
//! search.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use once_cell::sync::Lazy;
use regex::bytes::{Regex, RegexBuilder};

use crate::classify;

pub(super) struct Prefilter {
    /// The pieces, ASCII case-insensitive, longest first (see `build_prefilter`).
    ac: AhoCorasick,
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
    /// For every way to cut every piece in two: up to two bytes before the
    /// cut and up to two after (ASCII lowercased), see `cut_sig`.
    cuts: std::collections::HashSet<u64>,
}

/// The bytes around a cut, `a` (1 or 2 bytes) before it and `b` (1 or 2)
/// after it, ASCII lowercased, in one number.
fn cut_sig(a: &[u8], b: &[u8]) -> u64 {
    let mut sig = ((a.len() as u64) << 4) | b.len() as u64;
    for c in a.iter().chain(b) {
        sig = (sig << 8) | c.to_ascii_lowercase() as u64;
    }
    sig
}

impl Prefilter {
    /// Whether some piece may be cut between line `a` and line `b`: the
    /// bytes around the cut are those around a cut of some piece (a quick
    /// test before `spans_join`; bytes outside ASCII always may).
    pub(super) fn may_span(&self, a: &[u8], b: &[u8]) -> bool {
        if a.is_empty() || b.is_empty() {
            return false;
        }
        let a2 = &a[a.len().saturating_sub(2)..];
        let b2 = &b[..b.len().min(2)];
        if !a2.is_ascii() || !b2.is_ascii() {
            return true;
        }
        let a1 = &a2[a2.len() - 1..];
        let b1 = &b2[..1];
        [(a2, b2), (a1, b2), (a2, b1), (a1, b1)]
            .iter()
            .any(|(x, y)| self.cuts.contains(&cut_sig(x, y)))
    }

    /// Whether a piece starts in `a` and ends in `b` when `b` follows `a`
    /// directly (a term the console cut in two at the end of line `a`).
    pub(super) fn spans_join(&self, a: &[u8], b: &[u8]) -> bool {
        // As much of each side as a piece holds (and a few bytes more: a
        // case-folded character may be longer).
        let reach = self.longest + 4;
        let (a, b) = (
            &a[a.len().saturating_sub(reach)..],
            &b[..b.len().min(reach)],
        );
        let mut stack = [0u8; 512];
        let mut heap = Vec::new();
        let seam: &mut [u8] = if a.len() + b.len() <= stack.len() {
            &mut stack[..a.len() + b.len()]
        } else {
            heap.resize(a.len() + b.len(), 0);
            &mut heap
        };
        seam[..a.len()].copy_from_slice(a);
        seam[a.len()..].copy_from_slice(b);
        self.spans(seam, a.len())
    }

    /// Whether a piece spans byte `cut` of `seam`: starts before it and
    /// ends after it.
    fn spans(&self, seam: &[u8], cut: usize) -> bool {
        let mut from = 0;
        // At each start the alternation takes the longest piece that
        // matches there, so trying every start finds any spanning piece.
        while let Some((start, end)) = self.find(seam, from) {
            if start >= cut {
                return false;
            }
            if end > cut {
                return true;
            }
            from = start + 1;
        }
        false
    }

    /// The first piece at or after `from` in `hay`: its start and end.
    pub(super) fn find(&self, hay: &[u8], from: usize) -> Option<(usize, usize)> {
        let m = self.ac.find(&hay[from..])?;
        Some((from + m.start(), from + m.end()))
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
    // One Aho-Corasick automaton, ASCII case-insensitive; a piece with
    // letters beyond ASCII also in its lower, upper and capitalised forms
    // (how a message, a heading or a sentence start writes it). Leftmost
    // first over the longest-first order: at each start the longest piece.
    let mut patterns: Vec<String> = Vec::with_capacity(pieces.len() + 64);
    let mut variants = std::collections::BTreeSet::new();
    for p in &pieces {
        patterns.push(p.clone());
        if !p.is_ascii() {
            let lower = p.to_lowercase();
            let mut cap: String = lower.chars().take(1).flat_map(char::to_uppercase).collect();
            cap.extend(lower.chars().skip(1));
            for v in [lower.clone(), p.to_uppercase(), cap] {
                if v != *p && variants.insert(v.clone()) {
                    patterns.push(v);
                }
            }
        }
    }
    patterns.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
    patterns.dedup();
    let ac = AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::LeftmostFirst)
        .build(&patterns);
    let longest = pieces.iter().map(|p| p.len()).max().unwrap_or(0);
    let mut inner = [false; 256];
    for b in pieces.iter().flat_map(|p| p.bytes()) {
        inner[b.to_ascii_lowercase() as usize] = true;
        inner[b.to_ascii_uppercase() as usize] = true;
    }
    for b in inner.iter_mut().skip(0x80) {
        *b = true;
    }
    let mut cuts = std::collections::HashSet::new();
    for p in pieces.iter().map(|p| p.as_bytes()) {
        for k in 1..p.len() {
            cuts.insert(cut_sig(
                &p[k.saturating_sub(2)..k],
                &p[k..(k + 2).min(p.len())],
            ));
        }
    }
    Ok(Prefilter {
        ac,
        signals,
        pieces,
        longest,
        inner,
        cuts,
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
    fn pieces_are_found_in_any_case_a_message_writes() {
        let p = prefilter().unwrap();
        let found = |text: &str| p.find(text.as_bytes(), 0).is_some();
        assert!(found("xx PSCREDENTIAL xx") && found("xx pscredential xx"));
        // Pieces beyond ASCII: as written, lower case, upper case and
        // capitalised (a heading, a sentence start).
        let wide: Vec<&String> = p.pieces.iter().filter(|x| !x.is_ascii()).collect();
        assert!(wide.len() > 50, "{} pieces beyond ASCII", wide.len());
        for piece in wide {
            let lower = piece.to_lowercase();
            let mut cap: String = lower.chars().take(1).flat_map(char::to_uppercase).collect();
            cap.extend(lower.chars().skip(1));
            for form in [piece.clone(), lower.clone(), piece.to_uppercase(), cap] {
                assert!(found(&format!("» {} «", form)), "{:?} not found", form);
            }
        }
        assert!(!found("zzzz qqqq jjjj"));
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
        // The quick test lets every real cut through and stops most others.
        assert!(p.may_span(b"a new PSCred", b"ential object"));
        assert!(p.may_span(b"a new P", b"SCredential object"));
        assert!(p.may_span(b"a new PSCredentia", b"l object"));
        assert!(!p.may_span(b"HasMoreData     Location", b"--     ----"));
        assert!(!p.may_span(b"x", b""));
    }
}
