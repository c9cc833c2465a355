//! The catalog: the problems we recognise, as data compiled into the library.
//!
//! - `problems.json`: one entry per problem, with its language-free signals
//!   (FullyQualifiedErrorId, WinRM/HRESULT codes, exception types, commands)
//!   and its texts (title, cause, resolution steps, fix command) in every
//!   output language.
//! - `messages/<lang>.json`: message patterns in one language. `build.rs`
//!   picks up every file in that folder, so adding a language is adding a file.
//!
//! Pattern syntax (see `compile_pattern`): a phrase as the user sees it, with
//! `{*}` for any text and `{name}` for a field to extract (`user`, `host`,
//! `version_found`, `version_required`, `path`, `module`, `tenant`).

use once_cell::sync::Lazy;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::normalize::key_of;

/// Output languages: every problem has complete texts in each of them.
pub const OUTPUT_LANGUAGES: &[&str] = &["en", "fr"];

static PROBLEMS_JSON: &str = include_str!("problems.json");
include!(concat!(env!("OUT_DIR"), "/messages.rs"));

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Text {
    pub title: String,
    pub cause: String,
    pub resolution: Vec<String>,
    #[serde(default)]
    pub fix: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Weighted {
    pub value: String,
    pub weight: f64,
    #[serde(default)]
    pub source: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CodeSignal {
    /// Signed 32-bit form as PowerShell prints it in FullyQualifiedErrorId.
    pub code: i64,
    pub name: String,
    pub weight: f64,
    #[serde(default)]
    pub source: String,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Signals {
    /// FullyQualifiedErrorId: equal to the value, or starting with `value,`.
    #[serde(default)]
    pub fqeid: Vec<Weighted>,
    /// WinRM / HRESULT codes, recognised in hex, unsigned and signed decimal.
    #[serde(default)]
    pub codes: Vec<CodeSignal>,
    /// Exception type names (suffix match). Supporting evidence only.
    #[serde(default)]
    pub exception_types: Vec<Weighted>,
    /// Commands (`Get-CsWebTicket`, `New-PSSession`). Supporting evidence only.
    #[serde(default)]
    pub commands: Vec<Weighted>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Problem {
    pub id: String,
    /// Link to the section of the source article (or the fact's source).
    pub doc: String,
    /// Facts worth stating with numbers that changed over time.
    #[serde(default)]
    pub notes: BTreeMap<String, String>,
    #[serde(default)]
    pub signals: Signals,
    pub text: BTreeMap<String, Text>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProblemsFile {
    schema: u32,
    problems: Vec<Problem>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Pattern {
    pub problem: String,
    pub text: String,
    pub weight: f64,
    #[serde(default)]
    pub source: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct MessagesFile {
    language: String,
    name: String,
    #[serde(default)]
    #[allow(dead_code)]
    notes: String,
    patterns: Vec<Pattern>,
}

/// One message language: its patterns.
#[derive(Debug, Clone)]
pub struct MessageLanguage {
    pub language: String,
    pub name: String,
    pub patterns: Vec<Pattern>,
}

#[derive(Debug)]
pub struct Catalog {
    pub problems: Vec<Problem>,
    pub message_languages: Vec<MessageLanguage>,
}

/// A pattern compiled for the key view of the text.
#[derive(Debug, Clone)]
pub struct CompiledPattern {
    pub regex: String,
    pub fields: Vec<String>,
}

pub const FIELD_NAMES: &[&str] = &[
    "user",
    "host",
    "version_found",
    "version_required",
    "path",
    "module",
    "tenant",
];

/// Turns a pattern phrase into a regex over the key view. Literal text is
/// folded like the input (lower case, no spaces or quotes) and escaped.
pub fn compile_pattern(text: &str) -> Result<CompiledPattern, String> {
    let mut regex = String::new();
    let mut fields = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        regex.push_str(&regex::escape(&key_of(&rest[..open])));
        let after = &rest[open + 1..];
        let close = after
            .find('}')
            .ok_or_else(|| format!("unclosed '{{' in pattern {:?}", text))?;
        let name = &after[..close];
        if name == "*" {
            regex.push_str(".*?");
        } else if FIELD_NAMES.contains(&name) {
            if fields.iter().any(|f| f == name) {
                return Err(format!("field {{{}}} twice in pattern {:?}", name, text));
            }
            regex.push_str(&format!("(?P<{}>.+?)", name));
            fields.push(name.to_string());
        } else {
            return Err(format!(
                "unknown placeholder {{{}}} in pattern {:?}",
                name, text
            ));
        }
        rest = &after[close + 1..];
    }
    regex.push_str(&regex::escape(&key_of(rest)));
    if key_of(&text.replace("{*}", "")).chars().count() < 8 {
        return Err(format!("pattern too short to be specific: {:?}", text));
    }
    Ok(CompiledPattern { regex, fields })
}

fn load() -> Result<Catalog, String> {
    let file: ProblemsFile =
        serde_json::from_str(PROBLEMS_JSON).map_err(|e| format!("problems.json: {}", e))?;
    if file.schema != 1 {
        return Err(format!("problems.json: schema {} is not 1", file.schema));
    }
    let mut message_languages = Vec::new();
    for (name, json) in MESSAGE_FILES {
        let m: MessagesFile =
            serde_json::from_str(json).map_err(|e| format!("messages/{}: {}", name, e))?;
        message_languages.push(MessageLanguage {
            language: m.language,
            name: m.name,
            patterns: m.patterns,
        });
    }
    Ok(Catalog {
        problems: file.problems,
        message_languages,
    })
}

/// Every consistency rule the catalog must satisfy. The library refuses to
/// work with a catalog that breaks one (the tests make sure it never ships).
pub fn validate(c: &Catalog) -> Vec<String> {
    let mut errors = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for p in &c.problems {
        if !seen.insert(p.id.clone()) {
            errors.push(format!("problem {} listed twice", p.id));
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
        let weights = p
            .signals
            .fqeid
            .iter()
            .map(|w| w.weight)
            .chain(p.signals.codes.iter().map(|c| c.weight))
            .chain(p.signals.exception_types.iter().map(|w| w.weight))
            .chain(p.signals.commands.iter().map(|w| w.weight));
        for w in weights {
            if !(w > 0.0 && w < 1.0) {
                errors.push(format!("problem {}: weight {} outside (0, 1)", p.id, w));
            }
        }
        for code in &p.signals.codes {
            if code.code < i32::MIN as i64 || code.code > i32::MAX as i64 {
                errors.push(format!(
                    "problem {}: code {} is not a signed 32-bit value",
                    p.id, code.code
                ));
            }
        }
    }
    let mut langs = std::collections::BTreeSet::new();
    for m in &c.message_languages {
        if !langs.insert(m.language.clone()) {
            errors.push(format!("message language {} listed twice", m.language));
        }
        for pat in &m.patterns {
            if !seen.contains(&pat.problem) {
                errors.push(format!(
                    "messages/{}: pattern for unknown problem {}",
                    m.language, pat.problem
                ));
            }
            if !(pat.weight > 0.0 && pat.weight < 1.0) {
                errors.push(format!(
                    "messages/{}: weight {} outside (0, 1)",
                    m.language, pat.weight
                ));
            }
            match compile_pattern(&pat.text) {
                Err(e) => errors.push(format!("messages/{}: {}", m.language, e)),
                Ok(cp) => {
                    if let Err(e) = regex::Regex::new(&cp.regex) {
                        errors.push(format!(
                            "messages/{}: {:?} does not compile: {}",
                            m.language, pat.text, e
                        ));
                    }
                }
            }
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

    /// The catalog document for one output language (`csod_catalog`).
    pub fn to_json(&self, lang: &str) -> serde_json::Value {
        let problems: Vec<serde_json::Value> = self
            .problems
            .iter()
            .map(|p| {
                let t = &p.text[lang];
                let mut languages: Vec<&str> = self
                    .message_languages
                    .iter()
                    .filter(|m| m.patterns.iter().any(|pat| pat.problem == p.id))
                    .map(|m| m.language.as_str())
                    .collect();
                languages.sort_unstable();
                serde_json::json!({
                    "id": p.id,
                    "title": t.title,
                    "cause": t.cause,
                    "resolution": t.resolution,
                    "fix": t.fix,
                    "doc": p.doc,
                    "notes": p.notes,
                    "signals": {
                        "fully_qualified_error_ids": p.signals.fqeid.iter().map(|s| s.value.clone()).collect::<Vec<_>>(),
                        "codes": p.signals.codes.iter().map(|c| serde_json::json!({
                            "name": c.name,
                            "signed": c.code,
                            "unsigned": (c.code as i32) as u32,
                            "hex": format!("0x{:08X}", (c.code as i32) as u32),
                        })).collect::<Vec<_>>(),
                        "exception_types": p.signals.exception_types.iter().map(|s| s.value.clone()).collect::<Vec<_>>(),
                        "message_languages": languages,
                    }
                })
            })
            .collect();
        let mut message_languages: Vec<serde_json::Value> = self
            .message_languages
            .iter()
            .map(|m| serde_json::json!({"language": m.language, "name": m.name, "patterns": m.patterns.len()}))
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
            assert!(c.problem(id).is_some(), "missing {}", id);
        }
        assert_eq!(c.problems.len(), 12);
    }

    #[test]
    fn pattern_compiles_to_key_regex() {
        let p = compile_pattern("Logon failed for the user '{user}'. Please").unwrap();
        assert_eq!(p.fields, vec!["user".to_string()]);
        assert!(p.regex.starts_with("logonfailedfortheuser(?P<user>"));
        assert!(compile_pattern("a {nope} b c d e f g").is_err());
        assert!(compile_pattern("short").is_err());
        assert!(compile_pattern("unclosed {user").is_err());
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
