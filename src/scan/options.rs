//! The scan's options document (see the module documentation of
//! [`crate::scan`] for the keys).

use crate::catalog;

pub const DEFAULT_MAX_HITS: usize = 1000;
pub const MAX_MAX_HITS: usize = 1_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Auto,
    Utf8,
    Utf16Le,
    Utf16Be,
}

#[derive(Debug, Clone)]
pub struct Options {
    pub language: &'static str,
    pub max_hits: usize,
    pub fields: bool,
    pub encoding: Encoding,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            language: "en",
            max_hits: DEFAULT_MAX_HITS,
            fields: true,
            encoding: Encoding::Auto,
        }
    }
}

/// Parses the options document (see the module documentation). `None` or
/// an empty string gives the defaults. Like the other JSON documents, it is
/// refused before parsing when larger than
/// [`crate::document::MAX_DOCUMENT_BYTES`] or nested deeper than
/// [`crate::document::MAX_JSON_DEPTH`] (measured without recursion, so deep
/// options cannot overflow a small thread stack).
pub fn parse_options(json: Option<&str>) -> Result<Options, String> {
    let mut o = Options::default();
    let text = match json {
        None => return Ok(o),
        Some(t) => t,
    };
    crate::document::check_document_size(text.len(), "options_json")?;
    if text.trim().is_empty() {
        return Ok(o);
    }
    let v = crate::document::parse(text, "options_json", "options_json")?;
    let obj = v
        .as_object()
        .ok_or_else(|| "options must be a JSON object".to_string())?;
    match obj.get("language") {
        None | Some(serde_json::Value::Null) => {}
        Some(serde_json::Value::String(s)) => o.language = catalog::output_language(Some(s))?,
        Some(_) => return Err("option \"language\" must be a string".into()),
    }
    match obj.get("max_hits") {
        None | Some(serde_json::Value::Null) => {}
        Some(serde_json::Value::Number(n)) => match n.as_u64() {
            Some(m) if m <= MAX_MAX_HITS as u64 => o.max_hits = m as usize,
            _ => {
                return Err(format!(
                    "option \"max_hits\" must be an integer from 0 to {}, not {}",
                    MAX_MAX_HITS, n
                ))
            }
        },
        Some(_) => return Err("option \"max_hits\" must be a number".into()),
    }
    match obj.get("fields") {
        None | Some(serde_json::Value::Null) => {}
        Some(serde_json::Value::Bool(b)) => o.fields = *b,
        Some(_) => return Err("option \"fields\" must be true or false".into()),
    }
    match obj.get("encoding") {
        None | Some(serde_json::Value::Null) => {}
        Some(serde_json::Value::String(s)) => {
            o.encoding = match s.to_ascii_lowercase().replace('_', "-").as_str() {
                "auto" => Encoding::Auto,
                "utf-8" | "utf8" => Encoding::Utf8,
                "utf-16le" | "utf-16" | "unicode" => Encoding::Utf16Le,
                "utf-16be" | "bigendianunicode" => Encoding::Utf16Be,
                other => {
                    return Err(format!(
                        "option \"encoding\" {:?} is not one of auto, utf-8, utf-16le, utf-16be",
                        other
                    ))
                }
            }
        }
        Some(_) => return Err("option \"encoding\" must be a string".into()),
    }
    Ok(o)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_are_checked() {
        assert!(parse_options(None).is_ok());
        assert!(parse_options(Some("{\"max_hits\":-1}")).is_err());
        assert!(parse_options(Some("{\"fields\":1}")).is_err());
        assert!(parse_options(Some("{\"language\":\"xx\"}")).is_err());
        assert!(parse_options(Some("{\"encoding\":\"latin1\"}")).is_err());
        let o =
            parse_options(Some("{\"language\":\"fr-FR\",\"max_hits\":3,\"other\":[]}")).unwrap();
        assert_eq!((o.language, o.max_hits), ("fr", 3));
    }
}
