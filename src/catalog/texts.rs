//! Output texts: `texts/<lang>.json`, one file per output language.
//!
//! A file holds `language` (its code, the file's name), `name` (the
//! language's own name), optional `notes`, and sections of texts:
//! `problems` (per problem: `title`, `cause`, `resolution` steps) and
//! `findings` (the sentences of the rules). Nested objects and lists are
//! read as dotted keys: `problems.execution_policy.title`,
//! `problems.execution_policy.resolution.2`, `findings.network.ok`.
//!
//! A text may hold named placeholders, `{host}`: a lowercase identifier
//! between braces. Anything else between braces is literal
//! (`'@{Basic="true"}'`). The code fills the placeholders of findings; the
//! problems' placeholders are values of `facts.json` (`{shells_per_user}`),
//! filled when the catalog loads. Every file must have exactly the keys of
//! `en.json`, each with the same placeholders.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::{Display, Write};

/// One output language's texts.
#[derive(Debug, Clone)]
pub struct TextFile {
    /// The language code: `en`, `de`, `pt-br`.
    pub language: String,
    /// The language's own name: `Deutsch`.
    pub name: String,
    /// Dotted key -> text.
    pub texts: BTreeMap<String, String>,
}

/// The keys of a file that are not texts.
const META: [&str; 3] = ["language", "name", "notes"];

/// Whether `code` can name an output language: a lowercase language subtag
/// of 2 or 3 letters, optionally followed by `-` and a region or script.
pub fn valid_code(code: &str) -> bool {
    let mut parts = code.split('-');
    let primary = parts.next().unwrap_or("");
    let rest: Vec<&str> = parts.collect();
    (2..=3).contains(&primary.len())
        && primary.bytes().all(|b| b.is_ascii_lowercase())
        && rest.len() <= 1
        && rest.iter().all(|r| {
            (2..=8).contains(&r.len())
                && r.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// Parses `texts/<file>`.
pub fn parse(file: &str, json: &str) -> Result<TextFile, String> {
    let where_ = format!("texts/{}", file);
    let v: serde_json::Value =
        serde_json::from_str(json).map_err(|e| format!("{}: {}", where_, e))?;
    let o = v
        .as_object()
        .ok_or_else(|| format!("{}: must be a JSON object", where_))?;
    let string = |k: &str| -> Result<String, String> {
        match o.get(k) {
            Some(serde_json::Value::String(s)) if !s.trim().is_empty() => Ok(s.clone()),
            _ => Err(format!("{}: \"{}\" must be a non-empty string", where_, k)),
        }
    };
    let language = string("language")?;
    let name = string("name")?;
    if let Some(n) = o.get("notes") {
        if !n.is_string() {
            return Err(format!("{}: \"notes\" must be a string", where_));
        }
    }
    if !valid_code(&language) {
        return Err(format!(
            "{}: language {:?} is not a language code (en, de, pt-br)",
            where_, language
        ));
    }
    if format!("{}.json", language) != file {
        return Err(format!(
            "{}: language {:?} does not match the file name",
            where_, language
        ));
    }
    let mut texts = BTreeMap::new();
    for (k, v) in o {
        if !META.contains(&k.as_str()) {
            flatten(k, v, &mut texts, &where_)?;
        }
    }
    Ok(TextFile {
        language,
        name,
        texts,
    })
}

fn flatten(
    key: &str,
    v: &serde_json::Value,
    out: &mut BTreeMap<String, String>,
    file: &str,
) -> Result<(), String> {
    match v {
        serde_json::Value::String(s) => {
            out.insert(key.to_string(), s.clone());
            Ok(())
        }
        serde_json::Value::Object(o) => {
            for (k, x) in o {
                if k.is_empty() || k.contains('.') {
                    return Err(format!(
                        "{}: {}: {:?} is not a key (no dot, not empty)",
                        file, key, k
                    ));
                }
                flatten(&format!("{}.{}", key, k), x, out, file)?;
            }
            Ok(())
        }
        serde_json::Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                flatten(&format!("{}.{}", key, i + 1), x, out, file)?;
            }
            Ok(())
        }
        _ => Err(format!(
            "{}: {} must be a text, an object or a list of texts",
            file, key
        )),
    }
}

fn is_identifier(s: &str) -> bool {
    let mut b = s.bytes();
    matches!(b.next(), Some(c) if c.is_ascii_lowercase() || c == b'_')
        && b.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_')
}

/// Splits a text into literal pieces and placeholders, in order.
fn pieces(text: &str) -> Vec<(bool, &str)> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) if is_identifier(&after[..close]) => {
                if open > 0 {
                    out.push((false, &rest[..open]));
                }
                out.push((true, &after[..close]));
                rest = &after[close + 1..];
            }
            _ => {
                out.push((false, &rest[..open + 1]));
                rest = after;
            }
        }
    }
    if !rest.is_empty() {
        out.push((false, rest));
    }
    out
}

/// The placeholders of a text.
pub fn placeholders(text: &str) -> BTreeSet<&str> {
    pieces(text)
        .into_iter()
        .filter(|(p, _)| *p)
        .map(|(_, s)| s)
        .collect()
}

/// Fills a text's placeholders. A placeholder without a value stays as it
/// is, and a value without its placeholder is dropped: both are bugs the
/// tests catch (debug builds assert).
pub fn render(text: &str, args: &[(&str, &dyn Display)]) -> String {
    let mut out = String::with_capacity(text.len() + 32);
    for (is_placeholder, s) in pieces(text) {
        if !is_placeholder {
            out.push_str(s);
            continue;
        }
        match args.iter().find(|(k, _)| *k == s) {
            Some((_, v)) => {
                let _ = write!(out, "{}", v);
            }
            None => {
                debug_assert!(false, "no value for {{{}}} in {:?}", s, text);
                out.push('{');
                out.push_str(s);
                out.push('}');
            }
        }
    }
    debug_assert!(
        args.iter().all(|(k, _)| placeholders(text).contains(k)),
        "a value without its placeholder for {:?}",
        text
    );
    out
}

fn list(set: &BTreeSet<&str>) -> String {
    if set.is_empty() {
        "none".to_string()
    } else {
        set.iter()
            .map(|p| format!("{{{}}}", p))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Checks the files against each other (`en` is the reference): the same
/// keys, the same placeholders per key, no empty text; the problems'
/// texts complete (title, cause, resolution steps 1..n) and their
/// placeholders among `values`.
pub fn validate(
    files: &[TextFile],
    problem_ids: &[&str],
    values: &BTreeMap<String, String>,
) -> Vec<String> {
    let mut errors = Vec::new();
    let en = match files.iter().find(|f| f.language == "en") {
        Some(f) => f,
        None => return vec!["texts/en.json is missing: it is the reference".to_string()],
    };
    let mut seen = BTreeSet::new();
    for f in files {
        if !seen.insert(f.language.as_str()) {
            errors.push(format!("texts/{}.json listed twice", f.language));
        }
        for (k, t) in &f.texts {
            if t.trim().is_empty() {
                errors.push(format!("texts/{}.json: {} is empty", f.language, k));
            }
        }
        if f.language == "en" {
            continue;
        }
        for (k, t) in &en.texts {
            match f.texts.get(k) {
                None => errors.push(format!(
                    "texts/{}.json lacks {} (texts/en.json has it)",
                    f.language, k
                )),
                Some(x) => {
                    let (want, got) = (placeholders(t), placeholders(x));
                    if want != got {
                        errors.push(format!(
                            "texts/{}.json: {} has placeholders {} where texts/en.json has {}",
                            f.language,
                            k,
                            list(&got),
                            list(&want)
                        ));
                    }
                }
            }
        }
        for k in f.texts.keys() {
            if !en.texts.contains_key(k) {
                errors.push(format!(
                    "texts/{}.json: {} is not a key of texts/en.json",
                    f.language, k
                ));
            }
        }
    }
    for (k, t) in &en.texts {
        if let Some(rest) = k.strip_prefix("problems.") {
            let (id, field) = rest.split_once('.').unwrap_or((rest, ""));
            if !problem_ids.contains(&id) {
                errors.push(format!(
                    "texts/en.json: {} names no problem of problems.json",
                    k
                ));
            }
            let step_ok = field
                .strip_prefix("resolution.")
                .and_then(|n| n.parse::<usize>().ok())
                .map(|n| n >= 1)
                .unwrap_or(false);
            if field != "title" && field != "cause" && !step_ok {
                errors.push(format!(
                    "texts/en.json: {} is not a title, a cause or a resolution step",
                    k
                ));
            }
            for p in placeholders(t) {
                if !values.contains_key(p) {
                    errors.push(format!(
                        "texts/en.json: {} has {{{}}}, which is no value of facts.json",
                        k, p
                    ));
                }
            }
        }
    }
    for id in problem_ids {
        for field in ["title", "cause", "resolution.1"] {
            let k = format!("problems.{}.{}", id, field);
            if !en.texts.contains_key(&k) {
                errors.push(format!("texts/en.json lacks {}", k));
            }
        }
        let mut n = 1;
        while en
            .texts
            .contains_key(&format!("problems.{}.resolution.{}", id, n))
        {
            n += 1;
        }
        let prefix = format!("problems.{}.resolution.", id);
        let steps = en.texts.keys().filter(|k| k.starts_with(&prefix)).count();
        if steps != n - 1 {
            errors.push(format!(
                "texts/en.json: the resolution steps of {} are not numbered 1 to {}",
                id, steps
            ));
        }
    }
    errors
}

impl TextFile {
    /// The text of `key`, its placeholders filled from `values`; `None`
    /// when it is absent or has a placeholder `values` lacks (validation
    /// says which).
    pub fn filled(&self, key: &str, values: &BTreeMap<String, String>) -> Option<String> {
        let t = self.texts.get(key)?;
        if !placeholders(t).iter().all(|p| values.contains_key(*p)) {
            return None;
        }
        let args: Vec<(&str, &dyn Display)> = values
            .iter()
            .filter(|(k, _)| placeholders(t).contains(k.as_str()))
            .map(|(k, v)| (k.as_str(), v as &dyn Display))
            .collect();
        Some(render(t, &args))
    }

    /// A problem's texts (steps in order), or `None` when incomplete.
    pub fn problem(
        &self,
        id: &str,
        fix: Option<String>,
        values: &BTreeMap<String, String>,
    ) -> Option<super::Text> {
        let key = |f: &str| format!("problems.{}.{}", id, f);
        let mut resolution = Vec::new();
        while let Some(s) = self.filled(
            &key(&format!("resolution.{}", resolution.len() + 1)),
            values,
        ) {
            resolution.push(s);
        }
        Some(super::Text {
            title: self.filled(&key("title"), values)?,
            cause: self.filled(&key("cause"), values)?,
            resolution,
            fix,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_lowercase_identifiers_only() {
        let t = "{host}:{port} and '@{Basic=\"true\"}', {Not} {a b} {} {x_1}";
        let p: Vec<&str> = placeholders(t).into_iter().collect();
        assert_eq!(p, vec!["host", "port", "x_1"]);
        let port = 443;
        let out = render(
            t,
            &[
                ("host", &"h" as &dyn Display),
                ("port", &port),
                ("x_1", &"x"),
            ],
        );
        assert_eq!(out, "h:443 and '@{Basic=\"true\"}', {Not} {a b} {} x");
        assert_eq!(render("{ {a}", &[("a", &1 as &dyn Display)]), "{ 1");
        assert_eq!(render("a}{", &[]), "a}{");
    }

    #[test]
    fn files_are_flattened_to_dotted_keys() {
        let f = parse(
            "xx.json",
            r#"{"language":"xx","name":"X","problems":{"p":{"title":"T","resolution":["a","b"]}}}"#,
        )
        .unwrap();
        let keys: Vec<&str> = f.texts.keys().map(|k| k.as_str()).collect();
        assert_eq!(
            keys,
            vec![
                "problems.p.resolution.1",
                "problems.p.resolution.2",
                "problems.p.title"
            ]
        );
        for (file, json, want) in [
            (
                "xx.json",
                r#"{"language":"yy","name":"X"}"#,
                "does not match the file name",
            ),
            (
                "XX.json",
                r#"{"language":"XX","name":"X"}"#,
                "is not a language code",
            ),
            (
                "xx.json",
                r#"{"language":"xx"}"#,
                "\"name\" must be a non-empty string",
            ),
            (
                "xx.json",
                r#"{"language":"xx","name":"X","findings":{"a":5}}"#,
                "findings.a must be a text",
            ),
            (
                "xx.json",
                r#"{"language":"xx","name":"X","findings":{"a.b":"t"}}"#,
                "is not a key",
            ),
            ("xx.json", "[1]", "must be a JSON object"),
        ] {
            let e = parse(file, json).unwrap_err();
            assert!(e.contains(want), "{}: {}", json, e);
        }
    }

    #[test]
    fn codes() {
        for ok in ["en", "de", "pt-br", "zh-hant", "sr-latn"] {
            assert!(valid_code(ok), "{}", ok);
        }
        for bad in [
            "", "e", "EN", "english", "en-", "en-us-x", "-en", "en_us", "e1",
        ] {
            assert!(!valid_code(bad), "{}", bad);
        }
    }
}
