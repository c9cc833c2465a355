//! The record document (`csod_classify_record`) and the JSON depth limit
//! every document is checked against before parsing.

use super::ErrorInput;
use crate::catalog;
use crate::normalize::clip;

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
