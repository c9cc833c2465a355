//! The catalog: the problems we recognise, as data compiled into the library.
//!
//! - `problems.json`: one entry per problem: how it is recognised
//!   (`recognize`: weighted cues, the concept sets that must be present, the
//!   concepts that speak against it) and its texts (title, cause,
//!   resolution steps, fix command) in every output language.
//! - `lexicon/<lang>.json`: per message language, the words of each concept
//!   (user, tenant, disabled, ...) with their inflections and the spellings
//!   translators use. `build.rs` embeds every file in that folder, so a
//!   message language is one file.
//! - `lexicon/any.json`: language-free tokens (FullyQualifiedErrorIds,
//!   exception types, commands and their translated forms, words
//!   translators keep such as RBAC, PSCredential, about_Execution_Policies).
//! - `codes.json`: WinRM / HRESULT codes, recognised in hex, unsigned and
//!   signed decimal.

use once_cell::sync::Lazy;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The problem families, in the order the catalog lists them.
pub const FAMILIES: &[&str] = &["connector", "remoting", "modules"];

/// Output languages: every problem has complete texts in each of them.
pub const OUTPUT_LANGUAGES: &[&str] = &["en", "fr"];

static PROBLEMS_JSON: &str = include_str!("problems.json");
static CODES_JSON: &str = include_str!("codes.json");
include!(concat!(env!("OUT_DIR"), "/lexicon.rs"));

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
}

fn load() -> Result<Catalog, String> {
    let file: ProblemsFile =
        serde_json::from_str(PROBLEMS_JSON).map_err(|e| format!("problems.json: {}", e))?;
    if file.schema != 2 {
        return Err(format!("problems.json: schema {} is not 2", file.schema));
    }
    let codes: CodesFile =
        serde_json::from_str(CODES_JSON).map_err(|e| format!("codes.json: {}", e))?;
    let mut concepts = Vec::new();
    let mut lexicons = Vec::new();
    for (name, json) in LEXICON_FILES {
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
    })
}

fn weight_ok(w: f64) -> bool {
    w > 0.0 && w < 1.0
}

/// Every consistency rule the catalog must satisfy. The library refuses to
/// work with a catalog that breaks one (the tests make sure it never ships).
pub fn validate(c: &Catalog) -> Vec<String> {
    let mut errors = Vec::new();
    let mut ids = std::collections::BTreeSet::new();
    for k in &c.concepts {
        if !ids.insert(k.id.clone()) {
            errors.push(format!(
                "concept {} defined twice (token, code or keyword)",
                k.id
            ));
        }
        match k.kind {
            ConceptKind::Keyword | ConceptKind::Code => {}
            ConceptKind::Shape => {
                if !SHAPES.contains(&k.id.as_str()) || !k.terms.is_empty() {
                    errors.push(format!(
                        "shape concept {} must be one of {} and have no terms",
                        k.id,
                        SHAPES.join(", ")
                    ));
                }
            }
            _ => {
                if k.terms.is_empty() {
                    errors.push(format!("concept {} has no term", k.id));
                }
            }
        }
    }
    let kind_of = |id: &str| c.concepts.iter().find(|k| k.id == id).map(|k| k.kind);
    let mut seen = std::collections::BTreeSet::new();
    for p in &c.problems {
        if !seen.insert(p.id.clone()) {
            errors.push(format!("problem {} listed twice", p.id));
        }
        if !FAMILIES.contains(&p.family.as_str()) {
            errors.push(format!(
                "problem {}: family {:?} is not one of {}",
                p.id,
                p.family,
                FAMILIES.join(", ")
            ));
        }
        for lang in OUTPUT_LANGUAGES {
            match p.text.get(*lang) {
                None => errors.push(format!("problem {} has no {} text", p.id, lang)),
                Some(t) => {
                    if t.title.trim().is_empty()
                        || t.cause.trim().is_empty()
                        || t.resolution.is_empty()
                    {
                        errors.push(format!("problem {} has an incomplete {} text", p.id, lang));
                    }
                    if t.resolution.iter().any(|s| s.trim().is_empty()) {
                        errors.push(format!(
                            "problem {} has an empty {} resolution step",
                            p.id, lang
                        ));
                    }
                }
            }
        }
        for lang in p.text.keys() {
            if !OUTPUT_LANGUAGES.contains(&lang.as_str()) {
                errors.push(format!(
                    "problem {} has text in {}, not an output language",
                    p.id, lang
                ));
            }
        }
        let fix_presence: Vec<bool> = OUTPUT_LANGUAGES
            .iter()
            .filter_map(|l| p.text.get(*l))
            .map(|t| t.fix.is_some())
            .collect();
        if fix_presence.windows(2).any(|w| w[0] != w[1]) {
            errors.push(format!(
                "problem {}: fix command present in some languages only",
                p.id
            ));
        }
        let r = &p.recognize;
        for (name, w) in r.cues.iter().chain(r.against.iter()) {
            if kind_of(name).is_none() {
                errors.push(format!("problem {}: unknown concept {}", p.id, name));
            }
            if !weight_ok(*w) {
                errors.push(format!(
                    "problem {}: weight {} of {} outside (0, 1)",
                    p.id, w, name
                ));
            }
        }
        if r.require.is_empty() {
            errors.push(format!("problem {}: no required concept set", p.id));
        }
        for set in &r.require {
            if set.is_empty() {
                errors.push(format!("problem {}: an empty required set", p.id));
            }
            for name in set {
                if !r.cues.contains_key(name) {
                    errors.push(format!(
                        "problem {}: required {} is not among its cues",
                        p.id, name
                    ));
                }
                if kind_of(name) == Some(ConceptKind::Keyword) {
                    for l in &c.lexicons {
                        if !l.concepts.contains_key(name) {
                            errors.push(format!(
                                "problem {} requires keyword {}, which lexicon/{}.json lacks",
                                p.id, name, l.language
                            ));
                        }
                    }
                }
            }
        }
        for f in &r.fields {
            if f != "version_found" && f != "version_required" {
                errors.push(format!("problem {}: unknown field {}", p.id, f));
            }
        }
    }
    let mut langs = std::collections::BTreeSet::new();
    for l in &c.lexicons {
        if !langs.insert(l.language.clone()) {
            errors.push(format!("lexicon {} listed twice", l.language));
        }
        match (&l.script, l.stopwords.len()) {
            (Some(s), 0) if ["cyrillic", "kana", "hangul", "han"].contains(&s.as_str()) => {}
            (None, n) if n >= 10 => {}
            _ => errors.push(format!(
                "lexicon/{}: needs a script (cyrillic, kana, hangul, han) or 10 stopwords or more",
                l.language
            )),
        }
        for (concept, terms) in &l.concepts {
            if terms.is_empty() {
                errors.push(format!(
                    "lexicon/{}: concept {} has no term",
                    l.language, concept
                ));
            }
            for t in terms {
                let body = t.trim_start_matches(['@', '=', '*']);
                let folded = crate::classify::view::fold(body);
                let n = folded.trim().chars().count();
                // One Hangul syllable is a whole morpheme (셸, shell); any other
                // term needs two characters or more.
                let hangul = folded
                    .chars()
                    .all(|c| ('\u{AC00}'..='\u{D7AF}').contains(&c));
                if n < 2 && !(n == 1 && hangul) {
                    errors.push(format!(
                        "lexicon/{}: term {:?} of {} is too short to be specific",
                        l.language, t, concept
                    ));
                }
            }
        }
    }
    for code in &c.codes {
        if code.code < i32::MIN as i64 || code.code > i32::MAX as i64 {
            errors.push(format!("code {} is not a signed 32-bit value", code.name));
        }
    }
    errors
}

static CATALOG: Lazy<Result<Catalog, String>> = Lazy::new(|| {
    let c = load()?;
    let errors = validate(&c);
    if errors.is_empty() {
        Ok(c)
    } else {
        Err(format!(
            "the built-in catalog is inconsistent: {}",
            errors.join("; ")
        ))
    }
});

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

/// Maps a requested output language (`fr`, `fr-CA`, `FR`) to one we have.
/// `None` means "en".
pub fn output_language(requested: Option<&str>) -> Result<&'static str, String> {
    let raw = match requested {
        None => return Ok("en"),
        Some(r) => r.trim(),
    };
    if raw.is_empty() {
        return Ok("en");
    }
    let primary = raw
        .split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    OUTPUT_LANGUAGES
        .iter()
        .find(|l| **l == primary)
        .copied()
        .ok_or_else(|| {
            format!(
                "unknown output language {}: use one of {}",
                quote_short(raw),
                OUTPUT_LANGUAGES.join(", ")
            )
        })
}

impl Catalog {
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
            "output_languages": OUTPUT_LANGUAGES,
            "message_languages": message_languages,
            "problems": problems,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_catalog_is_consistent() {
        let c = load().expect("catalog parses");
        let errors = validate(&c);
        assert!(errors.is_empty(), "{:#?}", errors);
    }

    #[test]
    fn fixed_ids_are_all_present() {
        let c = get().unwrap();
        for id in [
            "execution_policy",
            "powershell_version",
            "winrm_basic_auth",
            "liveid_connect_failed",
            "liveid_module_load_failed",
            "logon_failed",
            "tenant_permission",
            "tenant_access_disabled",
            "shells_per_user",
            "shells_per_tenant",
            "session_expired",
            "connector_retired",
        ] {
            assert_eq!(
                c.problem(id).map(|p| p.family.as_str()),
                Some("connector"),
                "{}",
                id
            );
        }
        for id in [
            "trustedhosts_required",
            "winrm_access_denied",
            "winrm_cannot_connect",
            "winrm_http_error",
            "kerberos_auth_failed",
            "winrm_unreachable",
            "credssp_not_configured",
            "session_config_not_found",
            "winrm_auth_unsupported",
            "shell_not_found",
            "winrm_name_not_resolved",
            "winrm_ssl_certificate",
        ] {
            assert_eq!(
                c.problem(id).map(|p| p.family.as_str()),
                Some("remoting"),
                "{}",
                id
            );
        }
        for id in [
            "module_not_installed",
            "assembly_load_conflict",
            "session_missing_or_expired",
            "module_version_mismatch",
            "teams_remoting_failed",
            "gallery_unreachable",
            "proxy_or_network_blocked",
            "aad_mfa_required",
            "aad_signin_blocked",
            "app_auth_misconfigured",
            "wam_broker_error",
            "tls12_disabled",
            "pwsh_wsman_missing",
        ] {
            assert_eq!(
                c.problem(id).map(|p| p.family.as_str()),
                Some("modules"),
                "{}",
                id
            );
        }
        assert_eq!(c.problems.len(), 37);
    }

    #[test]
    fn validation_catches_broken_rules() {
        let mut c = load().unwrap();
        c.problems[0]
            .recognize
            .require
            .push(vec!["no_such_concept".into()]);
        c.problems[0].recognize.cues.insert("user".into(), 1.5);
        let errors = validate(&c).join("\n");
        assert!(
            errors.contains("no_such_concept is not among its cues"),
            "{}",
            errors
        );
        assert!(errors.contains("weight 1.5 of user"), "{}", errors);
        let mut c = load().unwrap();
        let lang = c.lexicons[0].language.clone();
        c.lexicons[0].concepts.remove("tenant");
        let errors = validate(&c).join("\n");
        assert!(
            errors.contains(&format!(
                "keyword tenant, which lexicon/{}.json lacks",
                lang
            )),
            "{}",
            errors
        );
    }

    #[test]
    fn quote_short_cuts_long_values() {
        assert_eq!(quote_short("xx"), "\"xx\"");
        let q = quote_short(&"é".repeat(1000));
        assert!(q.len() < 200 && q.ends_with("(2000 bytes)"), "{}", q);
    }

    #[test]
    fn output_language_accepts_culture_names() {
        assert_eq!(output_language(None).unwrap(), "en");
        assert_eq!(output_language(Some("fr-CA")).unwrap(), "fr");
        assert_eq!(output_language(Some("EN_us")).unwrap(), "en");
        assert!(output_language(Some("xx"))
            .unwrap_err()
            .contains("unknown output language"));
    }
}
