//! Classification: an error (text or record) to ranked catalog matches.
//!
//! Order of evidence: language-free signals first (FullyQualifiedErrorId,
//! WinRM/HRESULT codes), then message patterns of every language at once
//! through one compiled `RegexSet`. Supporting evidence (exception type,
//! command) only raises a match that has a primary signal. When a message
//! pattern names a problem, a bare code pointing elsewhere is dropped: the
//! server's own words are more specific than a reused transport code.

use once_cell::sync::Lazy;
use regex::{Regex, RegexSet};
use serde::Serialize;
use std::collections::BTreeMap;

use crate::catalog::{self, Catalog};
use crate::normalize::{clip, normalize, Normalized};

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
    /// The language of the message pattern that matched, if any.
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

struct Compiled {
    set: RegexSet,
    /// Per pattern: (problem index, language, weight, regex with captures if it has fields).
    patterns: Vec<(usize, String, f64, Option<Regex>)>,
}

static COMPILED: Lazy<Result<Compiled, String>> = Lazy::new(|| {
    let cat = catalog::get()?;
    let mut sources = Vec::new();
    let mut patterns = Vec::new();
    for lang in &cat.message_languages {
        for pat in &lang.patterns {
            let cp = catalog::compile_pattern(&pat.text)?;
            let problem = cat
                .problems
                .iter()
                .position(|p| p.id == pat.problem)
                .ok_or_else(|| format!("pattern for unknown problem {}", pat.problem))?;
            let with_fields = if cp.fields.is_empty() {
                None
            } else {
                Some(Regex::new(&cp.regex).map_err(|e| e.to_string())?)
            };
            sources.push(cp.regex);
            patterns.push((problem, lang.language.clone(), pat.weight, with_fields));
        }
    }
    let set = regex::RegexSetBuilder::new(&sources)
        .size_limit(64 << 20)
        .dfa_size_limit(64 << 20)
        .build()
        .map_err(|e| format!("message patterns do not compile: {}", e))?;
    Ok(Compiled { set, patterns })
});

/// Builds the compiled pattern set now (it is otherwise built on first use).
pub fn warm_up() -> Result<(), String> {
    match &*COMPILED {
        Ok(_) => Ok(()),
        Err(e) => Err(e.clone()),
    }
}

/// Whether any message pattern of any language matches a key view
/// (`normalize::key_of`). The scanner uses it to skip, cheaply, candidate
/// blocks that cannot match: `classify` finds a message match only where
/// this is true.
pub fn any_pattern_matches(key: &str) -> bool {
    match &*COMPILED {
        Ok(c) => c.set.is_match(key),
        Err(_) => true,
    }
}

static CODE_RE: Lazy<Regex> = Lazy::new(|| {
    Regex::new(
        r"(?i)(?-u:\b)0x([0-9a-f]{8})(?-u:\b)|(?:^|[^0-9A-Za-z.])(-?[0-9]{9,10})(?:[^0-9A-Za-z]|$)",
    )
    .unwrap()
});
static EMAIL_RE: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}").unwrap()
});
static BRACKET_HOST_RE: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"\[([A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?)+)\]").unwrap()
});
static SERVICE_HOST_RE: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"(?i)(?-u:\b)([a-z0-9\-]+(?:\.[a-z0-9\-]+)*\.(?:online\.lync\.com|teams\.microsoft\.com|lync\.com))(?-u:\b)").unwrap()
});
static PATH_RE: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r#"(?i)(?:[a-z] ?: ?)?\\?(?:[^\\'"«»\n:]*\\)+[^\\'"«»\n]*?\. ?ps[dm]?1(?-u:\b)"#)
        .unwrap()
});
static VERSION_RE: Lazy<Regex> = Lazy::new(|| Regex::new(r"[0-9]+(?:[.,][0-9]+){0,3}").unwrap());

/// Signed 32-bit view of every code the text spells (hex, signed, unsigned).
fn codes_in(text: &str) -> Vec<i32> {
    let mut out = Vec::new();
    for cap in CODE_RE.captures_iter(text) {
        if let Some(hex) = cap.get(1) {
            if let Ok(v) = u32::from_str_radix(hex.as_str(), 16) {
                out.push(v as i32);
            }
        } else if let Some(dec) = cap.get(2) {
            if let Ok(v) = dec.as_str().parse::<i64>() {
                if v >= i32::MIN as i64 && v <= u32::MAX as i64 {
                    out.push(if v > i32::MAX as i64 {
                        (v as u32) as i32
                    } else {
                        v as i32
                    });
                }
            }
        }
    }
    out
}

fn code_of(v: i64) -> Option<i32> {
    if v >= i32::MIN as i64 && v <= i32::MAX as i64 {
        Some(v as i32)
    } else if v >= 0 && v <= u32::MAX as i64 {
        Some((v as u32) as i32)
    } else {
        None
    }
}

fn fqeid_matches(fqeid: &str, value: &str) -> bool {
    let f = fqeid.trim();
    f.eq_ignore_ascii_case(value)
        || (f.len() > value.len()
            && f.as_bytes()[value.len()] == b','
            && f[..value.len()].eq_ignore_ascii_case(value))
}

fn type_matches(actual: &str, expected: &str) -> bool {
    let a = actual.trim();
    a.eq_ignore_ascii_case(expected)
        || (a.len() > expected.len()
            && a.as_bytes()[a.len() - expected.len() - 1] == b'.'
            && a[a.len() - expected.len()..].eq_ignore_ascii_case(expected))
}

#[derive(Default)]
struct Score {
    primary: Vec<f64>,
    support: Vec<f64>,
    evidence: Vec<Evidence>,
    message: Option<(f64, String)>,
    fields: BTreeMap<String, String>,
}

impl Score {
    fn confidence(&self) -> f64 {
        if self.primary.is_empty() {
            return 0.0;
        }
        let miss: f64 = self
            .primary
            .iter()
            .chain(self.support.iter())
            .map(|w| 1.0 - w)
            .product();
        ((1.0 - miss) * 1000.0).round() / 1000.0
    }
}

fn clean_version(v: &str) -> Option<String> {
    VERSION_RE.find(v).map(|m| m.as_str().replace(',', "."))
}

fn clean_path(p: &str) -> String {
    let mut s = p.trim().to_string();
    // Machine translations write `C :\` and `Startup. psm1`.
    if s.len() > 2 && s.as_bytes()[1] == b' ' && s.as_bytes()[2] == b':' {
        s.remove(1);
    }
    if let Some(i) = s.find(": \\") {
        if i == 1 {
            s.replace_range(1..3, ":");
        }
    }
    for ext in ["psd1", "psm1", "ps1"] {
        s = s.replace(&format!(". {}", ext), &format!(".{}", ext));
    }
    s
}

/// Fields any admin needs, cut from the display text whatever its language.
fn generic_fields(n: &Normalized, out: &mut BTreeMap<String, String>) {
    if !out.contains_key("user") {
        if let Some(m) = EMAIL_RE.find(&n.display) {
            out.insert("user".into(), m.as_str().trim_end_matches('.').to_string());
        }
    }
    if !out.contains_key("host") {
        let host = BRACKET_HOST_RE
            .captures(&n.display)
            .map(|c| c[1].to_string())
            .or_else(|| {
                SERVICE_HOST_RE
                    .captures(&n.display)
                    .map(|c| c[1].to_string())
            });
        if let Some(h) = host {
            out.insert("host".into(), h);
        }
    }
    if !out.contains_key("path") {
        if let Some(m) = PATH_RE.find(&n.display) {
            out.insert("path".into(), clean_path(m.as_str()));
        }
    }
    if !out.contains_key("module") {
        if let Some(path) = out.get("path") {
            let file = path.rsplit('\\').next().unwrap_or(path);
            let stem = file.split('.').next().unwrap_or(file).trim();
            let stem = stem.strip_suffix("Startup").unwrap_or(stem);
            if !stem.is_empty() {
                out.insert("module".into(), stem.to_string());
            }
        }
    }
}

fn apply_fields(n: &Normalized, re: &Regex, out: &mut BTreeMap<String, String>) {
    if let Some(caps) = re.captures(&n.key) {
        for name in catalog::FIELD_NAMES {
            if let Some(m) = caps.name(name) {
                let raw = n.display_span(m.start(), m.end()).trim();
                let raw = raw.trim_matches(|c: char| {
                    c == '\'' || c == '"' || c == '«' || c == '»' || c.is_whitespace()
                });
                let value = match *name {
                    "version_found" | "version_required" => match clean_version(raw) {
                        Some(v) => v,
                        None => continue,
                    },
                    "path" => clean_path(raw),
                    _ => raw.to_string(),
                };
                if !value.is_empty() {
                    out.entry((*name).to_string()).or_insert(value);
                }
            }
        }
    }
}

/// Classifies an error. `lang` must be an output language from the catalog.
pub fn classify(input: &ErrorInput, lang: &str) -> Result<Classification, String> {
    let cat: &Catalog = catalog::get()?;
    let compiled = match &*COMPILED {
        Ok(c) => c,
        Err(e) => return Err(e.clone()),
    };
    let has_message = input
        .message
        .as_deref()
        .map(|m| !m.trim().is_empty())
        .unwrap_or(false);
    let has_fqeid = input
        .fully_qualified_error_id
        .as_deref()
        .map(|m| !m.trim().is_empty())
        .unwrap_or(false);
    if !has_message && !has_fqeid && input.error_code.is_none() && input.hresult.is_none() {
        return Err("nothing to classify: give a message or a fully_qualified_error_id".into());
    }
    let n = normalize(input.message.as_deref().unwrap_or(""));

    let fqeid = input
        .fully_qualified_error_id
        .clone()
        .filter(|s| !s.trim().is_empty())
        .or_else(|| n.tail.fully_qualified_error_id.clone());
    let exception = input.exception_type.clone().or_else(|| {
        n.tail
            .category_info
            .as_deref()
            .and_then(|c| c.rsplit(',').next())
            .map(|s| s.trim().to_string())
    });

    // Codes: from the record, from the FullyQualifiedErrorId, from the text.
    let mut codes: Vec<i32> = Vec::new();
    for v in [input.error_code, input.hresult].iter().flatten() {
        if let Some(c) = code_of(*v) {
            codes.push(c);
        }
    }
    if let Some(f) = &fqeid {
        let head = f.split(',').next().unwrap_or("");
        if let Ok(v) = head.trim().parse::<i64>() {
            if let Some(c) = code_of(v) {
                codes.push(c);
            }
        }
    }
    codes.extend(codes_in(&n.display));

    let mut scores: Vec<Score> = (0..cat.problems.len()).map(|_| Score::default()).collect();

    for (i, p) in cat.problems.iter().enumerate() {
        let s = &mut scores[i];
        if let Some(f) = &fqeid {
            for sig in &p.signals.fqeid {
                if fqeid_matches(f, &sig.value) {
                    s.primary.push(sig.weight);
                    s.evidence.push(Evidence {
                        kind: "fully_qualified_error_id",
                        value: f.trim().to_string(),
                    });
                    break;
                }
            }
        }
        for sig in &p.signals.codes {
            if let Some(c) = code_of(sig.code) {
                if codes.contains(&c) {
                    s.primary.push(sig.weight);
                    s.evidence.push(Evidence {
                        kind: "code",
                        value: format!("{} 0x{:08X} ({})", sig.name, c as u32, c),
                    });
                }
            }
        }
    }

    // Message patterns, all languages in one pass.
    if !n.key.is_empty() {
        for idx in compiled.set.matches(&n.key).into_iter() {
            let (problem, language, weight, with_fields) = &compiled.patterns[idx];
            let s = &mut scores[*problem];
            let better = match &s.message {
                None => true,
                Some((w, _)) => weight > w,
            };
            if better {
                s.message = Some((*weight, language.clone()));
            }
            if let Some(re) = with_fields {
                apply_fields(&n, re, &mut s.fields);
            }
        }
    }
    let any_message = scores.iter().any(|s| s.message.is_some());
    for s in scores.iter_mut() {
        if let Some((w, l)) = s.message.clone() {
            s.primary.push(w);
            s.evidence.push(Evidence {
                kind: "message",
                value: l,
            });
        }
    }

    // Supporting evidence.
    for (i, p) in cat.problems.iter().enumerate() {
        let s = &mut scores[i];
        if s.primary.is_empty() {
            continue;
        }
        if let Some(e) = &exception {
            if let Some(sig) = p
                .signals
                .exception_types
                .iter()
                .find(|sig| type_matches(e, &sig.value))
            {
                s.support.push(sig.weight);
                s.evidence.push(Evidence {
                    kind: "exception_type",
                    value: e.trim().to_string(),
                });
            }
        }
        let command = input.command.clone().or_else(|| {
            n.display
                .split(" : ")
                .next()
                .filter(|h| h.len() < 40 && h.contains('-') && !h.contains(' '))
                .map(|h| h.to_string())
        });
        if let Some(cmd) = command {
            if let Some(sig) = p
                .signals
                .commands
                .iter()
                .find(|sig| sig.value.eq_ignore_ascii_case(cmd.trim()))
            {
                s.support.push(sig.weight);
                s.evidence.push(Evidence {
                    kind: "command",
                    value: cmd.trim().to_string(),
                });
            }
        }
    }

    let mut matches = Vec::new();
    for (i, p) in cat.problems.iter().enumerate() {
        let s = &mut scores[i];
        if any_message && s.message.is_none() {
            continue;
        }
        let confidence = s.confidence();
        if confidence < THRESHOLD {
            continue;
        }
        let mut fields = std::mem::take(&mut s.fields);
        generic_fields(&n, &mut fields);
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
            evidence: std::mem::take(&mut s.evidence),
            message_language: s.message.as_ref().map(|(_, l)| l.clone()),
        });
    }
    matches.sort_by(|a, b| {
        b.confidence
            .partial_cmp(&a.confidence)
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    Ok(Classification {
        schema: 1,
        language: lang.to_string(),
        matches,
        truncated: n.truncated,
    })
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

/// Deepest nesting of JSON arrays and objects accepted in a document (the
/// record object counts as one level); deeper is bad input. Documents are
/// measured before parsing, without recursion, so that a deep document
/// cannot overflow a small thread stack.
pub const CSOD_MAX_JSON_DEPTH: usize = 32;

/// Refuses a JSON text nested deeper than `max` (arrays and objects),
/// scanning it once without recursion. Strings are skipped, escapes too;
/// anything else is left to the parser.
pub fn check_json_depth(json: &str, max: usize, what: &str) -> Result<(), String> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for b in json.bytes() {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > max {
                    return Err(format!(
                        "{} is nested deeper than {} levels of JSON arrays and objects",
                        what, max
                    ));
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// Parses a record document (`csod_classify_record`). Unknown keys are ignored.
pub fn parse_record(json: &str) -> Result<ErrorInput, String> {
    check_json_depth(json, CSOD_MAX_JSON_DEPTH, "record")?;
    let v: serde_json::Value =
        serde_json::from_str(json).map_err(|e| format!("record is not valid JSON: {}", e))?;
    record_from_value(&v)
}

pub fn record_from_value(v: &serde_json::Value) -> Result<ErrorInput, String> {
    let obj = v
        .as_object()
        .ok_or_else(|| "record must be a JSON object".to_string())?;
    let text = |k: &str| -> Result<Option<String>, String> {
        match obj.get(k) {
            None | Some(serde_json::Value::Null) => Ok(None),
            // Only the analysed part is copied (see `normalize::clip`).
            Some(serde_json::Value::String(s)) => Ok(Some(clip(s).to_string())),
            Some(other) => Err(format!(
                "record key {:?} must be a string, not {}",
                k,
                kind(other)
            )),
        }
    };
    let number = |k: &str| -> Result<Option<i64>, String> {
        match obj.get(k) {
            None | Some(serde_json::Value::Null) => Ok(None),
            Some(serde_json::Value::Number(n)) => match n.as_i64() {
                Some(i) if i >= i32::MIN as i64 && i <= u32::MAX as i64 => Ok(Some(i)),
                _ => Err(format!(
                    "record key {:?} must be a 32-bit integer, not {}",
                    k,
                    catalog::quote_short(&n.to_string())
                )),
            },
            Some(serde_json::Value::String(s)) => {
                let t = s.trim();
                let parsed =
                    if let Some(hex) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
                        i64::from_str_radix(hex, 16).ok()
                    } else {
                        t.parse::<i64>().ok()
                    };
                match parsed {
                    Some(i) if i >= i32::MIN as i64 && i <= u32::MAX as i64 => Ok(Some(i)),
                    _ => Err(format!(
                        "record key {:?} must be a 32-bit integer, not {}",
                        k,
                        catalog::quote_short(s)
                    )),
                }
            }
            Some(other) => Err(format!(
                "record key {:?} must be a number, not {}",
                k,
                kind(other)
            )),
        }
    };
    let input = ErrorInput {
        message: text("message")?,
        fully_qualified_error_id: text("fully_qualified_error_id")?,
        exception_type: text("exception_type")?,
        category: text("category")?,
        hresult: number("hresult")?,
        error_code: number("error_code")?,
        command: text("command")?,
    };
    let has = |o: &Option<String>| o.as_deref().map(|s| !s.trim().is_empty()).unwrap_or(false);
    if !has(&input.message) && !has(&input.fully_qualified_error_id) {
        return Err("record needs a \"message\" or a \"fully_qualified_error_id\"".into());
    }
    Ok(input)
}

fn kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_in_every_spelling() {
        assert_eq!(
            codes_in("error 0x803381A5 here"),
            vec![0x803381A5u32 as i32]
        );
        assert_eq!(codes_in("code 2150859173."), vec![0x803381A5u32 as i32]);
        assert_eq!(
            codes_in("-2144108123,PSSessionOpenFailed"),
            vec![0x803381A5u32 as i32]
        );
        assert!(codes_in("version 5.1.19041.1").is_empty());
    }

    #[test]
    fn fqeid_and_type_matching() {
        assert!(fqeid_matches(
            "UnauthorizedAccess,Microsoft.PowerShell.Commands.ImportModuleCommand",
            "UnauthorizedAccess"
        ));
        assert!(!fqeid_matches("UnauthorizedAccessX", "UnauthorizedAccess"));
        assert!(type_matches(
            "System.Management.Automation.Remoting.PSRemotingTransportException",
            "PSRemotingTransportException"
        ));
        assert!(!type_matches(
            "XPSRemotingTransportException",
            "PSRemotingTransportException"
        ));
    }

    #[test]
    fn json_depth_is_measured_without_recursion() {
        assert!(check_json_depth("{\"a\":[[1]]}", 3, "r").is_ok());
        assert!(check_json_depth("{\"a\":[[[1]]]}", 3, "r").is_err());
        // Brackets inside strings, and escaped quotes, do not count.
        assert!(check_json_depth("{\"a\":\"[[[[\\\"[[[[\"}", 1, "r").is_ok());
        assert!(check_json_depth(&"[".repeat(1_000_000), 32, "r")
            .unwrap_err()
            .contains("deeper than 32"));
    }

    #[test]
    fn record_parsing_rejects_wrong_types() {
        assert!(parse_record("{\"message\": 5}")
            .unwrap_err()
            .contains("must be a string"));
        assert!(parse_record("{\"hresult\": 1e300, \"message\":\"x\"}").is_err());
        assert!(parse_record("[]").is_err());
        assert!(parse_record("{}").unwrap_err().contains("needs"));
        let r =
            parse_record("{\"message\":\"x\",\"hresult\":\"0x803381A5\",\"other\":[1]}").unwrap();
        assert_eq!(r.hresult, Some(0x803381A5));
    }

    #[test]
    fn unknown_text_gives_no_match() {
        let c = classify_text("The quick brown fox jumps over the lazy dog.", "en").unwrap();
        assert!(c.matches.is_empty());
    }
}
