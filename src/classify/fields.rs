//! Fields and codes cut from an error's text: the user, the host, the
//! path, versions, and WinRM/HRESULT codes in their three spellings.

use once_cell::sync::Lazy;
use regex::Regex;
use std::collections::BTreeMap;

use crate::normalize::Normalized;

pub(super) static EMAIL_RE: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}").unwrap()
});
pub(super) static BRACKET_HOST_RE: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"\[([A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?)+)\]").unwrap()
});
pub(super) static SERVICE_HOST_RE: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"(?i)(?-u:\b)([a-z0-9\-]+(?:\.[a-z0-9\-]+)*\.(?:online\.lync\.com|teams\.microsoft\.com|lync\.com|outlook\.office365\.com))(?-u:\b)").unwrap()
});
pub(super) static PATH_RE: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r#"(?i)(?:[a-z] ?: ?)?\\?(?:[^\\'"«»\n:]*\\)+[^\\'"«»\n]*?\. ?ps[dm]?1(?-u:\b)"#)
        .unwrap()
});
/// Links and URL paths: their numbers (`view=powershell-5.1`) are not the
/// versions an error talks about.
pub(super) static URL_RE: Lazy<Regex> =
    Lazy::new(|| Regex::new(r"(?i)(?:https?://|/powershell/|\?view=)\S*").unwrap());
/// A version number as errors quote it: `2.0`, `'3.0'`, `« 2,0 »`, `5.1.19041`.
pub(super) static VERSION_RE: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"(?:^|[^0-9A-Za-z.,\\/_\-])([0-9]{1,2}[.,][0-9]{1,5}(?:\.[0-9]{1,5}){0,2})(?:[^0-9A-Za-z\\/_]|$)")
        .unwrap()
});

/// Signed 32-bit view of every code the text spells: hex `0x8033xxxx`
/// (not inside a word), and signed or unsigned decimal of 9 or 10 digits
/// (not inside a word, a number or a version). A hand-written scan: most
/// texts hold no code, and this runs on every one.
pub(super) fn codes_in(text: &str) -> Vec<i32> {
    let b = text.as_bytes();
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'0'
            && i + 10 <= b.len()
            && (b[i + 1] == b'x' || b[i + 1] == b'X')
            && (i == 0 || !word(b[i - 1]))
            && b[i + 2..i + 10].iter().all(|x| x.is_ascii_hexdigit())
            && (i + 10 == b.len() || !word(b[i + 10]))
        {
            if let Ok(v) = u32::from_str_radix(&text[i + 2..i + 10], 16) {
                out.push(v as i32);
            }
            i += 10;
            continue;
        }
        if c.is_ascii_digit() || (c == b'-' && i + 1 < b.len() && b[i + 1].is_ascii_digit()) {
            let start = i;
            let digits_from = if c == b'-' { i + 1 } else { i };
            let mut j = digits_from;
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
            let n = j - digits_from;
            let before_ok =
                start == 0 || !(b[start - 1].is_ascii_alphanumeric() || b[start - 1] == b'.');
            let after_ok = j == b.len() || !b[j].is_ascii_alphanumeric();
            if (9..=10).contains(&n) && before_ok && after_ok {
                if let Ok(v) = text[start..j].parse::<i64>() {
                    if v >= i32::MIN as i64 && v <= u32::MAX as i64 {
                        out.push(if v > i32::MAX as i64 {
                            (v as u32) as i32
                        } else {
                            v as i32
                        });
                    }
                }
            }
            i = j.max(i + 1);
            continue;
        }
        i += 1;
    }
    out
}

pub(super) fn code_of(v: i64) -> Option<i32> {
    if v >= i32::MIN as i64 && v <= i32::MAX as i64 {
        Some(v as i32)
    } else if v >= 0 && v <= u32::MAX as i64 {
        Some((v as u32) as i32)
    } else {
        None
    }
}

/// The version numbers a text quotes, in order, without duplicates (`2,0`
/// is `2.0`), links left out.
pub(super) fn versions_in(display: &str) -> Vec<String> {
    let text = URL_RE.replace_all(display, " ");
    let mut out: Vec<String> = Vec::new();
    for cap in VERSION_RE.captures_iter(&text) {
        let v = cap[1].replace(',', ".");
        if !out.contains(&v) {
            out.push(v);
        }
    }
    out
}

pub(super) fn version_key(v: &str) -> Vec<u64> {
    v.split('.').map(|p| p.parse().unwrap_or(0)).collect()
}

pub(super) fn clean_path(p: &str) -> String {
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

/// The first e-mail address of a text (cheap when there is no `@`).
pub(super) fn email_in(display: &str) -> Option<&str> {
    if !display.contains('@') {
        return None;
    }
    EMAIL_RE
        .find(display)
        .map(|m| m.as_str().trim_end_matches('.'))
}

/// The host of a `[host]` prefix, else a service host named in the text.
pub(super) fn host_in(display: &str) -> Option<String> {
    let bracket = if display.contains('[') {
        BRACKET_HOST_RE.captures(display).map(|c| c[1].to_string())
    } else {
        None
    };
    bracket.or_else(|| {
        if display.contains(".com") {
            SERVICE_HOST_RE.captures(display).map(|c| c[1].to_string())
        } else {
            None
        }
    })
}

/// Fields any admin needs, cut from the display text whatever its language.
pub(super) fn generic_fields(n: &Normalized, out: &mut BTreeMap<String, String>) {
    if let Some(u) = email_in(&n.display) {
        out.insert("user".into(), u.to_string());
    }
    if let Some(h) = host_in(&n.display) {
        out.insert("host".into(), h);
    }
    let has_script_path = n.display.contains('\\') && n.display.to_ascii_lowercase().contains("ps");
    if let Some(m) = has_script_path.then(|| PATH_RE.find(&n.display)).flatten() {
        let path = clean_path(m.as_str());
        let file = path.rsplit('\\').next().unwrap_or(&path);
        let stem = file.split('.').next().unwrap_or(file).trim();
        let stem = stem.strip_suffix("Startup").unwrap_or(stem);
        if !stem.is_empty() {
            out.insert("module".into(), stem.to_string());
        }
        out.insert("path".into(), path);
    }
}

/// At most `max` bytes of `s`, cut on a character boundary.
pub(super) fn head(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut cut = max;
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    &s[..cut]
}
