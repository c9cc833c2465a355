//! Classification: an error (text or record) to the catalog problem it is,
//! decided on evidence that survives translation.
//!
//! 1. The text is normalised (`normalize`: console wraps undone, the error
//!    view's tail parsed) and folded into the lexical view (`view`).
//! 2. One pass of every lexicon term and language-free token (`lexicon`)
//!    finds the *concepts* the text holds: FullyQualifiedErrorIds,
//!    exception types, commands and their translated forms, tokens
//!    translators keep (RBAC, PSCredential, about_Execution_Policies, Live
//!    ID), and the words of each language for user, tenant, disabled,
//!    maximum, concurrent, ... Codes are read in hex, unsigned and signed
//!    decimal; shapes (an e-mail address, a `[host]` prefix, two version
//!    numbers) are read from the text.
//! 3. Each problem's rule (`catalog::Recognize`, data) needs one of its
//!    concept sets whole; its confidence is the noisy-OR of the weights of
//!    its cues present, scaled down by the concepts that speak against it.
//!    The best problem at or above [`THRESHOLD`] is the match; every match
//!    lists the evidence that decided it.
//!
//! Nothing here knows a language: a new one is a lexicon file.

mod fields;
mod input;
pub mod lexicon;
pub mod view;

use once_cell::sync::Lazy;
use serde::Serialize;
use std::collections::BTreeMap;

use crate::catalog::{self, Catalog, ConceptKind};
use crate::normalize::{clip, normalize, Normalized};
use fields::*;
pub use input::{parse_record, record_from_value};
use lexicon::{Found, How, Lexicon};

/// A record as PowerShell's ErrorRecord gives it. Every field is optional,
/// but a record needs a message or a FullyQualifiedErrorId.
#[derive(Debug, Clone, Default)]
pub struct ErrorInput {
    pub message: Option<String>,
    pub fully_qualified_error_id: Option<String>,
    pub exception_type: Option<String>,
    pub category: Option<String>,
    pub hresult: Option<i64>,
    pub error_code: Option<i64>,
    pub command: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Evidence {
    pub kind: &'static str,
    pub value: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Match {
    pub id: String,
    pub confidence: f64,
    pub title: String,
    pub cause: String,
    pub resolution: Vec<String>,
    pub fix: Option<String>,
    pub doc: String,
    pub fields: BTreeMap<String, String>,
    pub evidence: Vec<Evidence>,
    /// The language whose words decided the match, if words did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_language: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Classification {
    pub schema: u32,
    pub language: String,
    pub matches: Vec<Match>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub truncated: bool,
}

/// Minimum confidence for a match to be reported.
pub const THRESHOLD: f64 = 0.5;

/// The words of a required set must stand within this many consecutive
/// sentences, and this many bytes of the lexical view (first word to last):
/// an error says them in a sentence or two, while unrelated lines of a
/// transcript that happen to hold the same words lie further apart.
const MAX_SENTENCES: usize = 2;
const WINDOW: usize = 400;

/// A problem's rule with concept names resolved to indexes.
struct Rule {
    cues: Vec<(usize, f64)>,
    require: Vec<Vec<usize>>,
    against: Vec<(usize, f64)>,
    versions: bool,
    wrapper: bool,
}

struct Compiled {
    lexicon: Lexicon,
    rules: Vec<Rule>,
    shapes: [usize; 3],
    /// The keyword concept "version", if the lexicons have it.
    version_word: Option<usize>,
}

static COMPILED: Lazy<Result<Compiled, String>> = Lazy::new(|| {
    let cat = catalog::get()?;
    let lexicon = Lexicon::build(cat)?;
    let idx = |name: &str| {
        lexicon
            .concept(name)
            .ok_or_else(|| format!("unknown concept {}", name))
    };
    let mut rules = Vec::new();
    for p in &cat.problems {
        let r = &p.recognize;
        rules.push(Rule {
            cues: r
                .cues
                .iter()
                .map(|(n, w)| Ok((idx(n)?, *w)))
                .collect::<Result<_, String>>()?,
            require: r
                .require
                .iter()
                .map(|set| set.iter().map(|n| idx(n)).collect::<Result<_, String>>())
                .collect::<Result<_, String>>()?,
            against: r
                .against
                .iter()
                .map(|(n, w)| Ok((idx(n)?, *w)))
                .collect::<Result<_, String>>()?,
            versions: r.fields.iter().any(|f| f.starts_with("version")),
            wrapper: r.wrapper,
        });
    }
    let shapes = [idx("email")?, idx("bracket_host")?, idx("version_pair")?];
    let version_word = lexicon.concept("version");
    Ok(Compiled {
        lexicon,
        rules,
        shapes,
        version_word,
    })
});

fn compiled() -> Result<&'static Compiled, String> {
    match &*COMPILED {
        Ok(c) => Ok(c),
        Err(e) => Err(e.clone()),
    }
}

/// Builds the lexicon automaton now (it is otherwise built on first use).
pub fn warm_up() -> Result<(), String> {
    compiled().map(|_| ())
}

/// Everything the classifier read from one error.
struct Read {
    n: Normalized,
    /// The readings of the text: the display view, then (when some line
    /// break may cut a word) the view with those breaks joined.
    readings: Vec<Reading>,
}

struct Reading {
    found: Found,
    versions: Vec<String>,
}

fn read(input: &ErrorInput, c: &Compiled) -> Read {
    let n = normalize(input.message.as_deref().unwrap_or(""));
    let mut readings = vec![read_view(input, c, &n, &n.display)];
    if let Some(joined) = &n.joined_display {
        readings.push(read_view(input, c, &n, joined));
    }
    Read { n, readings }
}

fn read_view(input: &ErrorInput, c: &Compiled, n: &Normalized, display: &str) -> Reading {
    // The lexical view: the message, then the record's language-free parts
    // (FullyQualifiedErrorId, exception type, category, command) and the
    // error view's tail, which normalisation took out of the message.
    let mut source = display.to_string();
    let message_len = source.len();
    for part in [
        input.fully_qualified_error_id.as_deref(),
        input.exception_type.as_deref(),
        input.category.as_deref(),
        input.command.as_deref(),
        n.tail.fully_qualified_error_id.as_deref(),
        n.tail.category_info.as_deref(),
    ]
    .iter()
    .flatten()
    {
        source.push_str(" \n ");
        source.push_str(head(part, 4096));
    }
    let (mut view, mut ends) = view::fold_with_ends(&source[..message_len]);
    if source.len() > message_len && !view.is_empty() && !view.ends_with('\n') {
        // The message ends where the record's parts begin, like a line
        // break: its last word must not run into the first part's.
        if ends.last() != Some(&(view.len() as u32)) {
            ends.push(view.len() as u32);
        }
        view.push('\n');
    }
    let record_from = view.len();
    let view = if source.len() > message_len {
        format!("{}{}", view, view::fold(&source[message_len..]))
    } else {
        view
    };
    let masked = masked_in(&view[..record_from]);
    let mut found = c.lexicon.find_outside(&view, record_from, ends, &masked);

    let mut codes: Vec<i32> = Vec::new();
    for v in [input.error_code, input.hresult].iter().flatten() {
        if let Some(code) = code_of(*v) {
            codes.push(code);
        }
    }
    codes.extend(codes_in(&source));
    for (concept, code) in &c.lexicon.codes {
        if codes.contains(code) {
            found.set_code(*concept);
        }
    }
    if email_in(display).is_some() {
        found.set_code(c.shapes[0]);
    }
    if display.contains('[') && BRACKET_HOST_RE.is_match(display) {
        found.set_code(c.shapes[1]);
    }
    // Version numbers only matter next to the word for version.
    let versions = match c.version_word {
        Some(v) if found.has(v) => versions_in(display),
        _ => Vec::new(),
    };
    if versions.len() >= 2 {
        found.set_code(c.shapes[2]);
    }
    Reading { found, versions }
}

/// A Windows path in the folded view: a drive, a UNC share or a relative
/// `.\`, up to a space, a quote or a prompt's `>`.
static PATH_IN_VIEW_RE: Lazy<regex::Regex> = Lazy::new(|| {
    regex::Regex::new(
        r"(?:(?-u:\b)[a-z]:\\|\\\\[a-z0-9]|(?:^|[\s(\[])\.{1,2}\\)[^\s<>|\\]*(?:\\[^\s<>|\\]*)*",
    )
    .unwrap()
});

/// A PowerShell prompt and the command the admin typed after it:
/// `PS C:\Users\admin> Connect-Something`, `PS> .\run.ps1`, `[srv01]: PS
/// C:\> Get-Foo`. The command's name only: its parameters, and the error
/// of a paste that lost its line breaks, follow.
static PROMPT_IN_VIEW_RE: Lazy<regex::Regex> = Lazy::new(|| {
    regex::Regex::new(
        r"(?m)^[ \t]*(?:\[[^\]\n]*\]: )?ps(?: [a-z]:\\[^>\n]*|)> ?[^\s]*(?: [^\s:]+)?",
    )
    .unwrap()
});

/// The parts of a folded message view whose words are no words of the
/// message, as sorted byte ranges: paths (the folders and files of
/// `C:\Users\…`, `.\run.ps1`) and prompt lines (the command an admin typed
/// is no error; its cmdlet and parameters still count as tokens).
fn masked_in(view: &str) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = Vec::new();
    if view.contains('>') {
        out.extend(
            PROMPT_IN_VIEW_RE
                .find_iter(view)
                .map(|m| (m.start(), m.end())),
        );
    }
    if view.contains('\\') {
        out.extend(
            PATH_IN_VIEW_RE
                .find_iter(view)
                .map(|m| (m.start(), m.end())),
        );
    }
    if out.is_empty() {
        return out;
    }
    // Sorted and merged: a path inside a prompt line is one range.
    out.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(out.len());
    for (s, e) in out {
        match merged.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    merged
}

/// Whether a concept against a rule counts: a word of a language only in
/// the sentences of the rule's evidence (anywhere for a wrapper's rule,
/// whose inner message follows them), a language-free token (a host, a
/// code, an identifier) anywhere in the error.
fn against_counts(
    found: &Found,
    lexicon: &Lexicon,
    rule: &Rule,
    concept: usize,
    first: usize,
    last: usize,
) -> bool {
    match lexicon.concepts[concept].1 {
        ConceptKind::Keyword if !rule.wrapper => found.near(concept, first, last),
        _ => found.has(concept),
    }
}

/// A rule's confidence on what was found (0 when no required set holds),
/// and the sentences its evidence was taken from. Cues count in the
/// sentences of the required set and the ones next to them; a word against
/// the rule counts only in the set's own sentences (a path or a prompt on
/// the line before says nothing against the error), a token anywhere.
fn score(rule: &Rule, found: &Found, lexicon: &Lexicon) -> (f64, (usize, usize)) {
    let mut best = (0.0, (0, 0));
    for set in &rule.require {
        let (first, last) = match found.holds(set, MAX_SENTENCES, WINDOW) {
            Some(r) => r,
            None => continue,
        };
        let (cf, cl) = (first.saturating_sub(1), last.saturating_add(1));
        let miss: f64 = rule
            .cues
            .iter()
            .filter(|(c, _)| found.near(*c, cf, cl))
            .map(|(_, w)| 1.0 - w)
            .product();
        let keep: f64 = rule
            .against
            .iter()
            .filter(|(c, _)| against_counts(found, lexicon, rule, *c, first, last))
            .map(|(_, w)| 1.0 - w)
            .product();
        let conf = ((1.0 - miss) * keep * 1000.0).round() / 1000.0;
        if conf > best.0 {
            best = (conf, (first, last));
        }
    }
    best
}

fn evidence_of(
    lex: &Lexicon,
    cat: &Catalog,
    found: &Found,
    concept: usize,
    against: bool,
) -> Evidence {
    let (name, kind) = &lex.concepts[concept];
    let kind_str = if against { "against" } else { kind.as_str() };
    let value = match (kind, lex.how(found, concept)) {
        (ConceptKind::Code, _) => {
            let code = cat.codes.iter().find(|c| &c.name == name);
            match code {
                Some(c) => format!("{} 0x{:08X} ({})", c.name, c.code as i32 as u32, c.code),
                None => name.clone(),
            }
        }
        (ConceptKind::Shape, _) => name.clone(),
        (ConceptKind::Keyword, Some(How::Term { written, language })) => format!(
            "{}: {} ({})",
            name,
            written,
            language.as_deref().unwrap_or("any")
        ),
        (
            _,
            Some(How::Term {
                written,
                language: Some(l),
            }),
        ) => format!("{} ({})", written, l),
        (_, Some(How::Term { written, .. })) => written,
        _ => name.clone(),
    };
    Evidence {
        kind: kind_str,
        value,
    }
}

/// Classifies an error. `lang` must be an output language from the catalog.
pub fn classify(input: &ErrorInput, lang: &str) -> Result<Classification, String> {
    let cat: &Catalog = catalog::get()?;
    let c = compiled()?;
    let has = |o: &Option<String>| o.as_deref().map(|m| !m.trim().is_empty()).unwrap_or(false);
    if !has(&input.message)
        && !has(&input.fully_qualified_error_id)
        && input.error_code.is_none()
        && input.hresult.is_none()
    {
        return Err("nothing to classify: give a message or a fully_qualified_error_id".into());
    }
    let r = read(input, c);

    // The best problem of the first reading that has one: the display view,
    // else the view with the ambiguous line breaks joined.
    let mut best: Option<(usize, f64, (usize, usize), usize)> = None;
    for (ri, reading) in r.readings.iter().enumerate() {
        for (i, rule) in c.rules.iter().enumerate() {
            let (s, range) = score(rule, &reading.found, &c.lexicon);
            if s >= THRESHOLD && best.map(|(_, b, _, _)| s > b).unwrap_or(true) {
                best = Some((i, s, range, ri));
            }
        }
        if best.is_some() {
            break;
        }
    }
    let mut matches = Vec::new();
    if let Some((i, confidence, (first, last), ri)) = best {
        let reading = &r.readings[ri];
        let p = &cat.problems[i];
        let rule = &c.rules[i];
        let (cf, cl) = (first.saturating_sub(1), last.saturating_add(1));
        let mut cues: Vec<&(usize, f64)> = rule
            .cues
            .iter()
            .filter(|(k, _)| reading.found.near(*k, cf, cl))
            .collect();
        cues.sort_by(|a, b| b.1.partial_cmp(&a.1).unwrap_or(std::cmp::Ordering::Equal));
        let mut evidence: Vec<Evidence> = cues
            .iter()
            .map(|(k, _)| evidence_of(&c.lexicon, cat, &reading.found, *k, false))
            .collect();
        evidence.extend(
            rule.against
                .iter()
                .filter(|(k, _)| against_counts(&reading.found, &c.lexicon, rule, *k, first, last))
                .map(|(k, _)| evidence_of(&c.lexicon, cat, &reading.found, *k, true)),
        );
        // The language whose words carried the most of this rule's keywords.
        let mut per_lang: Vec<(usize, u32)> = Vec::new();
        for (k, _) in &cues {
            if let Some(How::Term {
                language: Some(l), ..
            }) = c.lexicon.how(&reading.found, *k)
            {
                let li = c
                    .lexicon
                    .languages
                    .iter()
                    .position(|x| *x == l)
                    .unwrap_or(0);
                match per_lang.iter_mut().find(|(x, _)| *x == li) {
                    Some(e) => e.1 += 1,
                    None => per_lang.push((li, 1)),
                }
            }
        }
        let message_language = per_lang
            .iter()
            .max_by_key(|(li, n)| (*n, std::cmp::Reverse(*li)))
            .map(|(li, _)| c.lexicon.languages[*li].clone());
        let mut fields = BTreeMap::new();
        generic_fields(&r.n, &mut fields);
        if rule.versions && reading.versions.len() >= 2 {
            let mut vs = reading.versions.clone();
            vs.sort_by_key(|v| version_key(v));
            fields.insert("version_found".into(), vs[0].clone());
            fields.insert("version_required".into(), vs[vs.len() - 1].clone());
        }
        let t = &p.text[lang];
        matches.push(Match {
            id: p.id.clone(),
            confidence,
            title: t.title.clone(),
            cause: t.cause.clone(),
            resolution: t.resolution.clone(),
            fix: t.fix.clone(),
            doc: p.doc.clone(),
            fields,
            evidence,
            message_language,
        });
    }
    Ok(Classification {
        schema: 1,
        language: lang.to_string(),
        matches,
        truncated: r.n.truncated,
    })
}

/// Whether a text could match a problem: some rule has a required set
/// whole. The scanner uses it to skip, cheaply, candidate blocks; `classify`
/// finds a match only where this is true.
pub fn could_match(text: &str) -> bool {
    let c = match compiled() {
        Ok(c) => c,
        Err(_) => return true,
    };
    let input = ErrorInput {
        message: Some(clip(text).to_string()),
        ..ErrorInput::default()
    };
    let r = read(&input, c);
    r.readings.iter().any(|reading| {
        c.rules
            .iter()
            .any(|rule| score(rule, &reading.found, &c.lexicon).0 > 0.0)
    })
}

/// The literal strings that lead to a match: for each rule's required set,
/// every term of its first (rarest) concept, as written and folded, and
/// with a hyphen or a dot between its words. The scanner's prefilter searches raw text for them;
/// codes are searched separately.
pub fn trigger_terms() -> Result<Vec<String>, String> {
    let c = compiled()?;
    let mut out = std::collections::BTreeSet::new();
    for rule in &c.rules {
        for set in &rule.require {
            let first = set[0];
            if matches!(
                c.lexicon.concepts[first].1,
                ConceptKind::Code | ConceptKind::Shape
            ) {
                continue;
            }
            for t in c.lexicon.terms_of(first) {
                // Folding joins words with one space where the text may
                // have a hyphen or a dot (`Connect-ExchangeOnline`); a term
                // cut by a line break is left to another required set.
                out.insert(t.to_string());
                if t.contains(' ') {
                    out.insert(t.replace(' ', "-"));
                    out.insert(t.replace(' ', "."));
                }
            }
        }
    }
    Ok(out.into_iter().collect())
}

/// The signed codes some rule's cues name (the scanner searches for their
/// spellings).
pub fn cue_codes() -> Result<Vec<i32>, String> {
    let c = compiled()?;
    let mut out: Vec<i32> = Vec::new();
    for (concept, code) in &c.lexicon.codes {
        if c.rules
            .iter()
            .any(|r| r.cues.iter().any(|(k, _)| k == concept))
            && !out.contains(code)
        {
            out.push(*code);
        }
    }
    Ok(out)
}

/// Classifies plain text.
pub fn classify_text(text: &str, lang: &str) -> Result<Classification, String> {
    classify(
        &ErrorInput {
            // Only the analysed part is copied: a 64 MB input costs 1 MiB here.
            message: Some(clip(text).to_string()),
            ..ErrorInput::default()
        },
        lang,
    )
}

#[cfg(test)]
mod tests;
