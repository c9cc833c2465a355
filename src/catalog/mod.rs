//! The catalog: the problems we recognise, as data compiled into the library.
//!
//! - `problems.json`: one entry per problem: how it is recognised
//!   (`recognize`: weighted cues, the concept sets that must be present, the
//!   concepts that speak against it) and its fix command (the same in every
//!   language).
//! - `texts/<lang>.json`: per output language, every text the library
//!   writes: the problems' title, cause and resolution steps, and the
//!   sentences of the rules' findings (see [`texts`]). `build.rs` embeds
//!   every file in that folder, so an output language is one file.
//! - `lexicon/<lang>.json`: per message language, the words of each concept
//!   (user, tenant, disabled, ...) with their inflections and the spellings
//!   translators use. `build.rs` embeds every file in that folder, so a
//!   message language is one file.
//! - `lexicon/any.json`: language-free tokens (FullyQualifiedErrorIds,
//!   exception types, commands and their translated forms, words
//!   translators keep such as RBAC, PSCredential, about_Execution_Policies).
//! - `codes.json`: WinRM / HRESULT codes, recognised in hex, unsigned and
//!   signed decimal.
//! - `facts.json`: hosts, module names, quotas and minimum versions, the
//!   default endpoints, and which finding explains which error (see
//!   [`facts`]).

use once_cell::sync::Lazy;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt::Display;

pub mod facts;
pub mod texts;
mod validate;

pub use facts::ServiceFacts;
pub use texts::TextFile;
pub use validate::validate;

/// The problem families, in the order the catalog lists them.
pub const FAMILIES: &[&str] = &["connector", "remoting", "modules"];

static PROBLEMS_JSON: &str = include_str!("problems.json");
static CODES_JSON: &str = include_str!("codes.json");
static FACTS_JSON: &str = include_str!("facts.json");
// LEXICON_FILES, TEXT_FILES and OUTPUT_LANGUAGES (the text files' names,
// English first): every problem and finding has complete texts in each.
include!(concat!(env!("OUT_DIR"), "/catalog_files.rs"));

/// A problem's texts in one output language (from `texts/<lang>.json`)
/// and its fix command (from `problems.json`).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Text {
    pub title: String,
    pub cause: String,
    pub resolution: Vec<String>,
    #[serde(default)]
    pub fix: Option<String>,
}

/// How a problem is recognised. Every name is a concept: a keyword of the
/// lexicons, a language-free token of `lexicon/any.json`, or a code of
/// `codes.json`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Recognize {
    /// Concept -> weight in (0, 1): the confidence is the noisy-OR of the
    /// weights of the cues present.
    pub cues: BTreeMap<String, f64>,
    /// At least one of these concept sets must be present whole. The first
    /// concept of each set is its rarest: the scanner's prefilter looks for it.
    pub require: Vec<Vec<String>>,
    /// Concept -> weight in (0, 1): each one present scales the confidence
    /// by (1 - weight).
    #[serde(default)]
    pub against: BTreeMap<String, f64>,
    /// Fields this problem's errors carry beyond the generic ones
    /// (`version_found`, `version_required`).
    #[serde(default)]
    pub fields: Vec<String>,
    /// The problem is named by a wrapper around another error (`Connecting
    /// to remote server X failed with the following error message : ...`):
    /// a word against it counts anywhere in the error, not only in the
    /// wrapper's sentences, since the inner message that names the real
    /// problem follows them.
    #[serde(default, skip_serializing_if = "is_false")]
    pub wrapper: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Problem {
    pub id: String,
    /// `connector` (the Skype for Business Online connector's problems),
    /// `remoting` (the WinRM client failures around them) or `modules`
    /// (MicrosoftTeams / ExchangeOnlineManagement connections).
    pub family: String,
    /// Link to the section of the source article (or the fact's source).
    pub doc: String,
    /// Facts worth stating with numbers that changed over time.
    #[serde(default)]
    pub notes: BTreeMap<String, String>,
    pub recognize: Recognize,
    /// The command that fixes the usual cause, the same in every language.
    #[serde(default)]
    pub fix: Option<String>,
    /// Output language -> texts, filled from `texts/<lang>.json` at load.
    #[serde(skip)]
    pub text: BTreeMap<String, Text>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProblemsFile {
    schema: u32,
    problems: Vec<Problem>,
}

/// What kind of evidence a concept is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConceptKind {
    /// A word of a message language (lexicon/<lang>.json).
    Keyword,
    /// A word translators keep, a link, a module or host name.
    Token,
    /// A FullyQualifiedErrorId.
    FullyQualifiedErrorId,
    /// An exception type name.
    ExceptionType,
    /// A command name, or its translated form.
    Command,
    /// A WinRM / HRESULT code (codes.json).
    Code,
    /// Found from the shape of the text: `email`, `bracket_host`,
    /// `version_pair`.
    Shape,
}

/// The shape concepts the classifier computes.
pub const SHAPES: &[&str] = &["email", "bracket_host", "version_pair"];

impl ConceptKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ConceptKind::Keyword => "keyword",
            ConceptKind::Token => "token",
            ConceptKind::FullyQualifiedErrorId => "fully_qualified_error_id",
            ConceptKind::ExceptionType => "exception_type",
            ConceptKind::Command => "command",
            ConceptKind::Code => "code",
            ConceptKind::Shape => "shape",
        }
    }
}

/// A concept: its id, kind and (for language-free ones) its terms.
#[derive(Debug, Clone)]
pub struct Concept {
    pub id: String,
    pub kind: ConceptKind,
    pub terms: Vec<String>,
    pub source: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct AnyConcept {
    kind: ConceptKind,
    terms: Vec<String>,
    #[serde(default)]
    source: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct AnyFile {
    #[serde(default)]
    #[allow(dead_code)]
    notes: String,
    concepts: BTreeMap<String, AnyConcept>,
}

/// One message language: the words of each keyword concept.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LexiconFile {
    pub language: String,
    pub name: String,
    #[serde(default)]
    pub notes: String,
    #[serde(default)]
    pub sources: Vec<String>,
    /// Frequent words that show a text holds this language (Latin scripts).
    #[serde(default)]
    pub stopwords: Vec<String>,
    /// Or the script that shows it: `cyrillic`, `kana`, `hangul`, `han`.
    #[serde(default)]
    pub script: Option<String>,
    pub concepts: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CodeDef {
    pub name: String,
    /// Signed 32-bit form as PowerShell prints it in FullyQualifiedErrorId.
    pub code: i64,
    #[serde(default)]
    pub source: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct CodesFile {
    codes: Vec<CodeDef>,
}

#[derive(Debug)]
pub struct Catalog {
    pub problems: Vec<Problem>,
    /// Every concept: tokens of any.json, codes, then the keywords of the
    /// lexicons (in name order).
    pub concepts: Vec<Concept>,
    pub lexicons: Vec<LexiconFile>,
    pub codes: Vec<CodeDef>,
    /// The output languages: the text files, English first.
    pub output_languages: Vec<String>,
    /// The texts of each output language, in the same order.
    pub texts: Vec<TextFile>,
    /// Hosts, modules, quotas, endpoints, finding <-> problem pairs.
    pub facts: ServiceFacts,
}

/// The files a catalog is made of: (file name, contents).
#[derive(Debug, Clone)]
pub struct Sources<'a> {
    pub problems: &'a str,
    pub codes: &'a str,
    pub facts: &'a str,
    pub lexicons: Vec<(&'a str, &'a str)>,
    pub texts: Vec<(&'a str, &'a str)>,
}

impl Sources<'static> {
    /// The files compiled into the library.
    pub fn builtin() -> Sources<'static> {
        Sources {
            problems: PROBLEMS_JSON,
            codes: CODES_JSON,
            facts: FACTS_JSON,
            lexicons: LEXICON_FILES.to_vec(),
            texts: TEXT_FILES.to_vec(),
        }
    }
}

/// Parses a catalog from its files (not yet validated: see [`validate`]).
pub fn load_from(src: &Sources) -> Result<Catalog, String> {
    let mut file: ProblemsFile =
        serde_json::from_str(src.problems).map_err(|e| format!("problems.json: {}", e))?;
    if file.schema != 3 {
        return Err(format!("problems.json: schema {} is not 3", file.schema));
    }
    let codes: CodesFile =
        serde_json::from_str(src.codes).map_err(|e| format!("codes.json: {}", e))?;
    let mut texts = Vec::new();
    for (name, json) in &src.texts {
        texts.push(texts::parse(name, json)?);
    }
    texts.sort_by(|a, b| (a.language != "en", &a.language).cmp(&(b.language != "en", &b.language)));
    let facts = ServiceFacts::parse(src.facts)?;
    let values = facts.text_values();
    for p in file.problems.iter_mut() {
        for t in &texts {
            if let Some(x) = t.problem(&p.id, p.fix.clone(), &values) {
                p.text.insert(t.language.clone(), x);
            }
        }
    }
    let mut concepts = Vec::new();
    let mut lexicons = Vec::new();
    for (name, json) in &src.lexicons {
        if *name == "any.json" {
            let any: AnyFile =
                serde_json::from_str(json).map_err(|e| format!("lexicon/{}: {}", name, e))?;
            for (id, c) in any.concepts {
                concepts.push(Concept {
                    id,
                    kind: c.kind,
                    terms: c.terms,
                    source: c.source,
                });
            }
        } else {
            let l: LexiconFile =
                serde_json::from_str(json).map_err(|e| format!("lexicon/{}: {}", name, e))?;
            if format!("{}.json", l.language) != *name {
                return Err(format!(
                    "lexicon/{}: language {:?} does not match the file name",
                    name, l.language
                ));
            }
            lexicons.push(l);
        }
    }
    for c in &codes.codes {
        concepts.push(Concept {
            id: c.name.clone(),
            kind: ConceptKind::Code,
            terms: Vec::new(),
            source: c.source.clone(),
        });
    }
    // A language file's concept is a keyword unless any.json defines it (a
    // token with translated forms, such as liveid or rbac).
    let mut keywords = std::collections::BTreeSet::new();
    for l in &lexicons {
        for k in l.concepts.keys() {
            if !concepts.iter().any(|c: &Concept| &c.id == k) {
                keywords.insert(k.clone());
            }
        }
    }
    for k in keywords {
        concepts.push(Concept {
            id: k,
            kind: ConceptKind::Keyword,
            terms: Vec::new(),
            source: String::new(),
        });
    }
    Ok(Catalog {
        problems: file.problems,
        concepts,
        lexicons,
        codes: codes.codes,
        output_languages: texts.iter().map(|t| t.language.clone()).collect(),
        texts,
        facts,
    })
}

/// Loads and validates: the catalog, or every inconsistency found.
pub fn build(src: &Sources) -> Result<Catalog, String> {
    let c = load_from(src)?;
    let errors = validate(&c);
    if errors.is_empty() {
        Ok(c)
    } else {
        Err(format!(
            "the catalog is inconsistent: {}",
            errors.join("; ")
        ))
    }
}

static CATALOG: Lazy<Result<Catalog, String>> =
    Lazy::new(|| build(&Sources::builtin()).map_err(|e| format!("the built-in {}", e)));

/// The built-in catalog, parsed and checked once.
pub fn get() -> Result<&'static Catalog, String> {
    match &*CATALOG {
        Ok(c) => Ok(c),
        Err(e) => Err(e.clone()),
    }
}

/// Quotes a caller's value in an error message, cut to 64 characters so a
/// hostile 64 MB value does not become a 64 MB error.
pub fn quote_short(s: &str) -> String {
    const KEEP: usize = 64;
    let mut chars = s.chars();
    let head: String = chars.by_ref().take(KEEP).collect();
    if chars.next().is_some() {
        format!("{:?}... ({} bytes)", head, s.len())
    } else {
        format!("{:?}", head)
    }
}

/// Maps a requested output language (`fr`, `fr-CA`, `FR`, `ja_JP`) to one
/// we have: the whole tag when a text file has that name, else its primary
/// subtag. `None` or blank means "en".
pub fn output_language(requested: Option<&str>) -> Result<&'static str, String> {
    pick_language(OUTPUT_LANGUAGES, requested)
}

fn pick_language<'a, S: AsRef<str>>(
    languages: &'a [S],
    requested: Option<&str>,
) -> Result<&'a str, String> {
    let find = |code: &str| languages.iter().map(|l| l.as_ref()).find(|l| *l == code);
    let raw = requested.map(str::trim).unwrap_or("");
    let tag = raw.replace('_', "-").to_ascii_lowercase();
    let primary = tag.split('-').next().unwrap_or("");
    if raw.is_empty() {
        if let Some(en) = find("en") {
            return Ok(en);
        }
    }
    find(&tag).or_else(|| find(primary)).ok_or_else(|| {
        format!(
            "unknown output language {}: use one of {}",
            quote_short(raw),
            languages
                .iter()
                .map(|l| l.as_ref())
                .collect::<Vec<_>>()
                .join(", ")
        )
    })
}

impl Catalog {
    /// [`output_language`] for this catalog's languages.
    pub fn output_language(&self, requested: Option<&str>) -> Result<&str, String> {
        pick_language(&self.output_languages, requested)
    }

    /// The texts of an output language.
    pub fn texts_of(&self, lang: &str) -> Option<&TextFile> {
        self.texts.iter().find(|t| t.language == lang)
    }

    /// The text `key` in `lang` (English when `lang` has none), its
    /// placeholders filled from `args`. A key no file has comes back as
    /// the key itself (a bug the tests catch: debug builds assert).
    pub fn text(&self, lang: &str, key: &str, args: &[(&str, &dyn Display)]) -> String {
        #[cfg(test)]
        USED_KEYS.with(|u| u.borrow_mut().insert(key.to_string()));
        let t = self
            .texts_of(lang)
            .and_then(|t| t.texts.get(key))
            .or_else(|| self.texts_of("en").and_then(|t| t.texts.get(key)));
        match t {
            Some(t) => texts::render(t, args),
            None => {
                debug_assert!(false, "no text {} in {}", key, lang);
                key.to_string()
            }
        }
    }

    pub fn problem(&self, id: &str) -> Option<&Problem> {
        self.problems.iter().find(|p| p.id == id)
    }

    pub fn concept(&self, id: &str) -> Option<&Concept> {
        self.concepts.iter().find(|c| c.id == id)
    }

    /// The message languages that can recognise a problem: those whose
    /// lexicon has every keyword of one of its required sets (a set of
    /// language-free concepts only counts for every language).
    pub fn message_languages_of(&self, p: &Problem) -> Vec<&str> {
        let mut out: Vec<&str> = self
            .lexicons
            .iter()
            .filter(|l| {
                p.recognize.require.iter().any(|set| {
                    set.iter().all(|n| match self.concept(n).map(|c| c.kind) {
                        Some(ConceptKind::Keyword) => l.concepts.contains_key(n),
                        _ => true,
                    })
                })
            })
            .map(|l| l.language.as_str())
            .collect();
        out.sort_unstable();
        out
    }

    fn cue_values(&self, p: &Problem, kind: ConceptKind) -> Vec<String> {
        p.recognize
            .cues
            .keys()
            .filter_map(|n| self.concept(n))
            .filter(|c| c.kind == kind)
            .flat_map(|c| {
                c.terms
                    .iter()
                    .map(|t| t.trim_start_matches(['@', '=', '*']).to_string())
            })
            .collect()
    }

    /// The catalog document for one output language (`csod_catalog`).
    pub fn to_json(&self, lang: &str) -> serde_json::Value {
        let problems: Vec<serde_json::Value> = self
            .problems
            .iter()
            .map(|p| {
                let t = &p.text[lang];
                let codes: Vec<serde_json::Value> = self
                    .codes
                    .iter()
                    .filter(|c| p.recognize.cues.contains_key(&c.name))
                    .map(|c| {
                        serde_json::json!({
                            "name": c.name,
                            "signed": c.code,
                            "unsigned": (c.code as i32) as u32,
                            "hex": format!("0x{:08X}", (c.code as i32) as u32),
                        })
                    })
                    .collect();
                serde_json::json!({
                    "id": p.id,
                    "family": p.family,
                    "title": t.title,
                    "cause": t.cause,
                    "resolution": t.resolution,
                    "fix": t.fix,
                    "doc": p.doc,
                    "notes": p.notes,
                    "signals": {
                        "fully_qualified_error_ids": self.cue_values(p, ConceptKind::FullyQualifiedErrorId),
                        "codes": codes,
                        "exception_types": self.cue_values(p, ConceptKind::ExceptionType),
                        "commands": self.cue_values(p, ConceptKind::Command),
                        "tokens": self.cue_values(p, ConceptKind::Token),
                        "message_languages": self.message_languages_of(p),
                    }
                })
            })
            .collect();
        let mut message_languages: Vec<serde_json::Value> = self
            .lexicons
            .iter()
            .map(|l| {
                serde_json::json!({
                    "language": l.language,
                    "name": l.name,
                    "concepts": l.concepts.len(),
                    "terms": l.concepts.values().map(|v| v.len()).sum::<usize>(),
                })
            })
            .collect();
        message_languages.sort_by(|a, b| a["language"].as_str().cmp(&b["language"].as_str()));
        serde_json::json!({
            "schema": 1,
            "language": lang,
            "output_languages": self.output_languages,
            "facts": self.facts,
            "message_languages": message_languages,
            "problems": problems,
        })
    }
}

#[cfg(test)]
thread_local! {
    /// The text keys rendered on this thread: the rules' tests check that
    /// every text of the files is reachable.
    pub(crate) static USED_KEYS: std::cell::RefCell<std::collections::BTreeSet<String>> =
        std::cell::RefCell::new(std::collections::BTreeSet::new());
}

#[cfg(test)]
mod tests;
