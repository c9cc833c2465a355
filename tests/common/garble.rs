//! Ways a paste is damaged on its way to an admin's clipboard, for
//! `scripts/garble` (examples/garble.rs) and the recognition tests.
#![allow(dead_code)]

/// JSON with every non-ASCII character escaped (`ConvertTo-Json`, many
/// loggers): `\r\n`, `\"`, `\\`, `\u00e9`.
pub fn json_ascii(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\r\\n"),
            '\r' => {}
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_ascii() => out.push(c),
            c => {
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{:04x}", u));
                }
            }
        }
    }
    out
}

/// HTML as a page quotes it: entities for `& < > " '`, `<br>` for breaks.
pub fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' => out.push_str("<br>"),
            c => out.push(c),
        }
    }
    out
}
