//! Concept matching: every lexicon term of every language, and every
//! language-free token, found in one pass over the lexical view.
//!
//! A term is written as an admin would read it; it is folded like the text
//! (`view::fold`). Its first character says how it may match:
//! - plain: a stem that starts a word (`utilisat` matches `utilisateur`,
//!   `utilisateurs`), the rest of the word is free;
//! - `=`: a whole word (`=client` does not match `clientèle`);
//! - `*`: anywhere, also inside a word (German compounds: `*version` in
//!   `Mindestversion`);
//! - `@` (before the others): only when the text holds the term's language
//!   (its stopwords, or its script), for words another language uses with
//!   another meaning (French `client` is a tenant, English `client` is not).
//!
//! Terms with a Chinese, Japanese or Korean character match anywhere.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use super::view::{fold, is_cjk, is_word_char};
use crate::catalog::{Catalog, ConceptKind};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Boundary {
    Stem,
    Word,
    Inside,
}

#[derive(Debug, Clone)]
struct Term {
    concept: usize,
    /// Index into `Lexicon::languages`; `None` for language-free tokens.
    language: Option<usize>,
    /// The term as written in the lexicon file (for evidence).
    written: String,
    boundary: Boundary,
    /// Counts only when its language is present in the text.
    guarded: bool,
}

/// How a text shows it holds a language.
enum Presence {
    Stopwords(std::collections::HashSet<String>),
    Script(fn(char) -> bool),
}

fn is_cyrillic(c: char) -> bool {
    ('\u{0400}'..='\u{04FF}').contains(&c)
}
fn is_kana(c: char) -> bool {
    ('\u{3040}'..='\u{30FF}').contains(&c)
}
fn is_hangul(c: char) -> bool {
    ('\u{AC00}'..='\u{D7AF}').contains(&c) || ('\u{1100}'..='\u{11FF}').contains(&c)
}
fn is_han(c: char) -> bool {
    ('\u{4E00}'..='\u{9FFF}').contains(&c) || ('\u{3400}'..='\u{4DBF}').contains(&c)
}

/// Whether `start..end` lies within one of the sorted, disjoint `ranges`.
fn inside(ranges: &[(usize, usize)], start: usize, end: usize) -> bool {
    if ranges.is_empty() {
        return false;
    }
    let i = match ranges.binary_search_by(|r| r.0.cmp(&start)) {
        Ok(i) => i,
        Err(0) => return false,
        Err(i) => i - 1,
    };
    ranges[i].0 <= start && end <= ranges[i].1
}

/// The compiled lexicon of the whole catalog.
pub struct Lexicon {
    /// Concept ids and kinds, in catalog order (codes included).
    pub concepts: Vec<(String, ConceptKind)>,
    pub languages: Vec<String>,
    terms: Vec<Term>,
    ac: AhoCorasick,
    presence: Vec<Presence>,
    /// (concept index, signed 32-bit code) for every code signal.
    pub codes: Vec<(usize, i32)>,
}

/// Occurrences kept per concept (the first ones): enough for the window
/// checks of the rules, bounded whatever the input.
const MAX_AT: usize = 16;

/// What one text holds: for each concept, the first term that matched and
/// where it occurs in the view.
#[derive(Debug, Clone)]
pub struct Found {
    first: Vec<Option<u32>>,
    /// Byte offsets in the view of the concept's first occurrences.
    at: Vec<Vec<u32>>,
    /// Found where position does not count: a code, a shape, or a record
    /// part (FullyQualifiedErrorId, exception type) after the message.
    anywhere: Vec<bool>,
    /// Where each sentence of the view ends (`view::fold_with_ends`).
    sentence_ends: Vec<u32>,
    /// Per language index: how many distinct concepts its terms matched.
    pub per_language: Vec<u32>,
}

/// How a concept was found, for evidence.
#[derive(Debug, Clone, PartialEq)]
pub enum How {
    Term {
        written: String,
        language: Option<String>,
    },
    Code,
}

impl Found {
    pub fn has(&self, concept: usize) -> bool {
        self.first[concept].is_some()
    }

    pub fn count(&self) -> usize {
        self.first.iter().filter(|f| f.is_some()).count()
    }

    /// Marks a concept found by other means (a numeric code, a shape).
    pub fn set_code(&mut self, concept: usize) {
        if self.first[concept].is_none() {
            self.first[concept] = Some(u32::MAX);
        }
        self.anywhere[concept] = true;
    }

    fn sentence_of(&self, pos: u32) -> usize {
        match self.sentence_ends.binary_search(&pos) {
            Ok(i) | Err(i) => i,
        }
    }

    /// Whether every concept of `set` is present, the ones with a position
    /// within at most `max_sentences` consecutive sentences and `max_bytes`
    /// of the view (first occurrence's start to last): the sentences of the
    /// first such stretch, or `(0, usize::MAX)` when no concept of the set
    /// has a position (codes, shapes, record parts: "anywhere").
    pub fn holds(
        &self,
        set: &[usize],
        max_sentences: usize,
        max_bytes: usize,
    ) -> Option<(usize, usize)> {
        let mut points: Vec<(u32, usize)> = Vec::new();
        let mut need = 0usize;
        for (k, &c) in set.iter().enumerate() {
            self.first[c]?;
            if self.anywhere[c] {
                continue;
            }
            need += 1;
            points.extend(self.at[c].iter().map(|&p| (p, k)));
        }
        if need == 0 {
            return Some((0, usize::MAX));
        }
        points.sort_unstable();
        // Sliding window over the sorted occurrences: for each right end,
        // the narrowest window holding every concept; both limits only get
        // easier as a window narrows, so these windows are the ones to test.
        let mut count = vec![0u32; set.len()];
        let mut have = 0usize;
        let mut lo = 0usize;
        for hi in 0..points.len() {
            let k = points[hi].1;
            if count[k] == 0 {
                have += 1;
            }
            count[k] += 1;
            if have < need {
                continue;
            }
            // Narrow from the left while every concept stays in.
            while count[points[lo].1] > 1 {
                count[points[lo].1] -= 1;
                lo += 1;
            }
            let width = (points[hi].0 - points[lo].0) as usize;
            let (first, last) = (
                self.sentence_of(points[lo].0),
                self.sentence_of(points[hi].0),
            );
            if width <= max_bytes && last - first < max_sentences {
                return Some((first, last));
            }
        }
        None
    }

    /// Whether a concept is present in sentences `first..=last` (or found
    /// anywhere).
    pub fn near(&self, concept: usize, first: usize, last: usize) -> bool {
        self.first[concept].is_some()
            && (self.anywhere[concept]
                || self.at[concept].iter().any(|&p| {
                    let s = self.sentence_of(p);
                    s >= first && s <= last
                }))
    }
}

impl Lexicon {
    pub fn build(cat: &Catalog) -> Result<Lexicon, String> {
        let mut concepts: Vec<(String, ConceptKind)> = Vec::new();
        let mut index = std::collections::BTreeMap::new();
        for c in &cat.concepts {
            index.insert(c.id.clone(), concepts.len());
            concepts.push((c.id.clone(), c.kind));
        }
        let languages: Vec<String> = cat.lexicons.iter().map(|l| l.language.clone()).collect();
        let mut terms = Vec::new();
        let mut folded = Vec::new();
        let mut add =
            |concept: usize, language: Option<usize>, written: &str| -> Result<(), String> {
                let (guarded, written) = match written.strip_prefix('@') {
                    Some(rest) => (true, rest),
                    None => (false, written),
                };
                let (boundary, body) = if let Some(rest) = written.strip_prefix('=') {
                    (Boundary::Word, rest)
                } else if let Some(rest) = written.strip_prefix('*') {
                    (Boundary::Inside, rest)
                } else {
                    (Boundary::Stem, written)
                };
                let f = fold(body);
                if f.trim().is_empty() {
                    return Err(format!("empty lexicon term {:?}", written));
                }
                let boundary = if f.chars().any(is_cjk) {
                    Boundary::Inside
                } else {
                    boundary
                };
                folded.push(f);
                terms.push(Term {
                    concept,
                    language,
                    written: body.to_string(),
                    boundary,
                    guarded: guarded && language.is_some(),
                });
                Ok(())
            };
        for c in &cat.concepts {
            let ci = index[&c.id];
            for t in &c.terms {
                add(ci, None, t)?;
            }
        }
        for (li, lex) in cat.lexicons.iter().enumerate() {
            for (concept, list) in &lex.concepts {
                let ci = *index.get(concept).ok_or_else(|| {
                    format!("lexicon {}: unknown concept {}", lex.language, concept)
                })?;
                for t in list {
                    add(ci, Some(li), t)?;
                }
            }
        }
        let ac = AhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            .dfa(true)
            .build(&folded);
        let presence = cat
            .lexicons
            .iter()
            .map(|l| match l.script.as_deref() {
                Some("cyrillic") => Presence::Script(is_cyrillic),
                Some("kana") => Presence::Script(is_kana),
                Some("hangul") => Presence::Script(is_hangul),
                Some("han") => Presence::Script(is_han),
                _ => Presence::Stopwords(l.stopwords.iter().map(|w| fold(w)).collect()),
            })
            .collect();
        let codes = cat
            .codes
            .iter()
            .map(|c| (index[&c.name], c.code as i32))
            .collect();
        Ok(Lexicon {
            concepts,
            languages,
            terms,
            ac,
            presence,
            codes,
        })
    }

    pub fn concept(&self, id: &str) -> Option<usize> {
        self.concepts.iter().position(|(c, _)| c == id)
    }

    /// Every concept the folded view holds; occurrences at or after
    /// `record_from` (the record's parts appended to the message) count
    /// anywhere. A term found inside a longer
    /// term of another concept does not count: `租使用者` (tenant) holds
    /// `使用者` (user), `nom d'utilisateur` (user name) holds `utilisateur`,
    /// `powershell-liveid` (an endpoint URL) holds `liveid`.
    pub fn find(&self, view: &str, record_from: usize, sentence_ends: Vec<u32>) -> Found {
        self.find_outside(view, record_from, sentence_ends, &[])
    }

    /// `find`, where a word of a language inside one of `masked` (sorted,
    /// disjoint byte ranges of the view: paths, prompt lines) does not count; a
    /// language-free token does. `C:\Users\admin\run.ps1` holds no "user"
    /// and no "run", and still its `.ps1`.
    pub fn find_outside(
        &self,
        view: &str,
        record_from: usize,
        sentence_ends: Vec<u32>,
        masked: &[(usize, usize)],
    ) -> Found {
        let mut present: Option<Vec<bool>> = None;
        let mut hits: Vec<(usize, usize, usize, u32)> = Vec::new();
        for m in self.ac.find_overlapping_iter(view) {
            let term = &self.terms[m.pattern()];
            if term.guarded {
                let p = present.get_or_insert_with(|| self.languages_present(view));
                if !term.language.map(|l| p[l]).unwrap_or(true) {
                    continue;
                }
            }
            let ok = match term.boundary {
                Boundary::Inside => true,
                Boundary::Stem | Boundary::Word => {
                    let before_ok = view[..m.start()]
                        .chars()
                        .next_back()
                        .map(|c| !is_word_char(c))
                        .unwrap_or(true);
                    let after_ok = term.boundary == Boundary::Stem
                        || view[m.end()..]
                            .chars()
                            .next()
                            .map(|c| !is_word_char(c))
                            .unwrap_or(true);
                    before_ok && after_ok
                }
            };
            if ok && term.language.is_some() && inside(masked, m.start(), m.end()) {
                continue;
            }
            if ok {
                hits.push((term.concept, m.start(), m.end(), m.pattern() as u32));
            }
        }
        // Sorted by start, longer first: every hit that can contain this one
        // comes before it. `best` is the hit reaching furthest so far, and
        // `second` the one reaching furthest among the other concepts.
        hits.sort_by(|a, b| a.1.cmp(&b.1).then(b.2.cmp(&a.2)));
        let mut first: Vec<Option<u32>> = vec![None; self.concepts.len()];
        let mut at: Vec<Vec<u32>> = vec![Vec::new(); self.concepts.len()];
        let mut anywhere = vec![false; self.concepts.len()];
        let mut seen_lang: Vec<Vec<bool>> = Vec::new();
        let mut best: Option<(usize, usize, usize)> = None; // (end, start, concept)
        let mut second: Option<(usize, usize, usize)> = None;
        for &(concept, start, end, pattern) in &hits {
            let cover = match best {
                Some(b) if b.2 != concept => Some(b),
                _ => second,
            };
            let inside_longer = cover
                .map(|(ce, cs, _)| ce >= end && (cs < start || ce > end))
                .unwrap_or(false);
            match best {
                Some(b) if end <= b.0 => {
                    if concept != b.2 && second.map(|s| end > s.0).unwrap_or(true) {
                        second = Some((end, start, concept));
                    }
                }
                Some(b) => {
                    if b.2 != concept {
                        second = Some(b);
                    }
                    best = Some((end, start, concept));
                }
                None => best = Some((end, start, concept)),
            }
            if inside_longer {
                continue;
            }
            if first[concept].is_none() {
                first[concept] = Some(pattern);
            }
            if start >= record_from {
                anywhere[concept] = true;
            } else if at[concept].len() < MAX_AT {
                at[concept].push(start as u32);
            }
            if let Some(l) = self.terms[pattern as usize].language {
                if seen_lang.is_empty() {
                    seen_lang = vec![vec![false; self.concepts.len()]; self.languages.len()];
                }
                seen_lang[l][concept] = true;
            }
        }
        let per_language = if seen_lang.is_empty() {
            vec![0; self.languages.len()]
        } else {
            seen_lang
                .iter()
                .map(|s| s.iter().filter(|b| **b).count() as u32)
                .collect()
        };
        Found {
            first,
            at,
            anywhere,
            sentence_ends,
            per_language,
        }
    }

    /// Which languages a view holds: two of its stopwords or more, or a
    /// character of its script.
    pub fn languages_present(&self, view: &str) -> Vec<bool> {
        let mut out = vec![false; self.presence.len()];
        let mut hits = vec![std::collections::HashSet::new(); self.presence.len()];
        for word in view.split(|c: char| !super::view::is_word_char(c)) {
            if word.is_empty() {
                continue;
            }
            for (i, p) in self.presence.iter().enumerate() {
                if let Presence::Stopwords(set) = p {
                    if !out[i] && set.contains(word) {
                        hits[i].insert(word);
                        if hits[i].len() >= 2 {
                            out[i] = true;
                        }
                    }
                }
            }
        }
        for (i, p) in self.presence.iter().enumerate() {
            if let Presence::Script(f) = p {
                out[i] = view.chars().any(f);
            }
        }
        out
    }

    /// How a found concept was found.
    pub fn how(&self, found: &Found, concept: usize) -> Option<How> {
        match found.first[concept] {
            None => None,
            Some(u32::MAX) => Some(How::Code),
            Some(t) => {
                let term = &self.terms[t as usize];
                Some(How::Term {
                    written: term.written.clone(),
                    language: term.language.map(|l| self.languages[l].clone()),
                })
            }
        }
    }

    /// The terms of a concept, folded and as written (the scanner's
    /// prefilter searches raw text for both).
    pub fn terms_of(&self, concept: usize) -> Vec<String> {
        let mut out = Vec::new();
        for t in self.terms.iter().filter(|t| t.concept == concept) {
            out.push(t.written.clone());
            let f = fold(&t.written);
            if f != t.written {
                out.push(f);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boundaries() {
        let cat = crate::catalog::get().unwrap();
        let lex = Lexicon::build(cat).unwrap();
        let user = lex.concept("user").unwrap();
        let f = lex.find(&fold("l’utilisateur"), usize::MAX, Vec::new());
        assert!(f.has(user));
        // A stem must start a word.
        let f = lex.find(&fold("xutilisateur"), usize::MAX, Vec::new());
        assert!(!f.has(user));
    }

    #[test]
    fn a_term_inside_a_longer_term_of_another_concept_does_not_count() {
        let cat = crate::catalog::get().unwrap();
        let lex = Lexicon::build(cat).unwrap();
        let user = lex.concept("user").unwrap();
        let tenant = lex.concept("tenant").unwrap();
        // 租使用者 (tenant, zh-TW) holds 使用者 (user).
        let f = lex.find(&fold("此租使用者的配額"), usize::MAX, Vec::new());
        assert!(f.has(tenant) && !f.has(user));
        let f = lex.find(&fold("此使用者的配額"), usize::MAX, Vec::new());
        assert!(f.has(user) && !f.has(tenant));
        // The Exchange endpoint's "powershell-liveid" is not Live ID.
        let liveid = lex.concept("liveid").unwrap();
        assert!(!lex
            .find(
                &fold("https://outlook.office365.com/powershell-liveid/"),
                usize::MAX,
                Vec::new()
            )
            .has(liveid));
        assert!(lex
            .find(&fold("live id servers"), usize::MAX, Vec::new())
            .has(liveid));
        // Many hits stay cheap (sorted sweep, not pairs).
        let big = "new-pssession : a\n".repeat(60_000);
        let t = std::time::Instant::now();
        let f = lex.find(&fold(&big), usize::MAX, Vec::new());
        assert!(f.has(lex.concept("cmd_pssession").unwrap()));
        assert!(t.elapsed() < std::time::Duration::from_secs(20));
    }
}
