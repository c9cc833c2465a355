//! JSON documents from callers (a record, a diagnose request, scan
//! options): the one place they are limit-checked and parsed. A document is
//! refused before parsing when larger than [`MAX_DOCUMENT_BYTES`] or nested
//! deeper than [`MAX_JSON_DEPTH`] (measured without recursion, so a deep
//! document cannot overflow a small thread stack); the C ABI publishes both
//! limits as `CSOD_MAX_DOCUMENT_BYTES` and `CSOD_MAX_JSON_DEPTH`.

/// Largest JSON document accepted, in bytes of UTF-8 (see
/// `CSOD_MAX_DOCUMENT_BYTES` in `crate::ffi`).
pub const MAX_DOCUMENT_BYTES: usize = 16 << 20;

/// Deepest nesting of JSON arrays and objects accepted in a document (the
/// record object counts as one level); deeper is bad input. Documents are
/// measured before parsing, without recursion, so that a deep document
/// cannot overflow a small thread stack.
pub const MAX_JSON_DEPTH: usize = 32;

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

/// Refuses a JSON document larger than `MAX_DOCUMENT_BYTES`.
pub fn check_document_size(len: usize, name: &str) -> Result<(), String> {
    if len > MAX_DOCUMENT_BYTES {
        return Err(format!(
            "{} is too large: {} bytes, the limit is {} (such a document is a few kilobytes)",
            name, len, MAX_DOCUMENT_BYTES
        ));
    }
    Ok(())
}

/// Checks a document's size (reported as `size_name`, the argument's name)
/// and depth, then parses it; `name` says what it is in the messages
/// ("record", "request", "options").
pub fn parse(json: &str, size_name: &str, name: &str) -> Result<serde_json::Value, String> {
    check_document_size(json.len(), size_name)?;
    check_json_depth(json, MAX_JSON_DEPTH, name)?;
    serde_json::from_str(json).map_err(|e| format!("{} is not valid JSON: {}", name, e))
}

/// Writes a value as JSON (the library's answers).
pub fn to_json<T: serde::Serialize>(v: &T) -> Result<String, String> {
    serde_json::to_string(v).map_err(|e| format!("internal error: cannot write JSON: {}", e))
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn parse_checks_size_depth_and_syntax() {
        assert!(parse("{\"a\":1}", "x_json", "x").is_ok());
        let deep = "[".repeat(40);
        assert!(parse(&deep, "x_json", "x")
            .unwrap_err()
            .starts_with("x is nested deeper than 32"));
        assert!(parse("{", "x_json", "x")
            .unwrap_err()
            .starts_with("x is not valid JSON"));
        let big = format!("\"{}\"", "a".repeat(MAX_DOCUMENT_BYTES));
        assert!(parse(&big, "x_json", "x")
            .unwrap_err()
            .starts_with("x_json is too large"));
    }
}
