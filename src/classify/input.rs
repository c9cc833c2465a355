//! The record document (`csod_classify_record`) and the JSON depth limit
//! every document is checked against before parsing.

use super::ErrorInput;
use crate::catalog;
use crate::normalize::clip;

/// Parses a record document (`csod_classify_record`). Unknown keys are ignored.
pub fn parse_record(json: &str) -> Result<ErrorInput, String> {
    let v = crate::document::parse(json, "record_json", "record")?;
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
