//! Normalisation of error text before classification.
//!
//! An error reaches us as an admin copied it: console-wrapped at the buffer
//! width, followed by the `At line:1 char:1` / `+ CategoryInfo` /
//! `+ FullyQualifiedErrorId` tail, with typographic quotes, non-breaking
//! spaces and whatever a machine translation did to the spacing.
//!
//! We produce two views of the same text:
//! - `display`: wraps undone, the tail removed, whitespace collapsed, quotes
//!   unified, original case kept. Fields (user, host, path) are cut from it.
//! - `key`: `display` lower-cased with every whitespace and quote character
//!   removed. Patterns are matched against it, so a line wrap in the middle
//!   of a word, a missing space or a French `« »` cannot defeat a pattern.
//!
//! `map[i]` gives, for byte `i` of `key`, the byte offset in `display` of the
//! character it came from (`map[key.len()] == display.len()`), so a span
//! matched in `key` maps back to readable text.

/// Largest amount of text we analyse in one classification. A single error
/// record is a few kilobytes; anything larger is a log and belongs to the
/// scanner. The result says when text was cut.
pub const MAX_ANALYSED_BYTES: usize = 1 << 20;

/// The part of `text` that classification looks at: at most
/// `MAX_ANALYSED_BYTES` and one more character, so that `normalize` still
/// sees the cut and reports it. Callers copy only this part of a huge input,
/// which keeps a classification's memory bounded whatever the input's size.
pub fn clip(text: &str) -> &str {
    if text.len() <= MAX_ANALYSED_BYTES {
        return text;
    }
    let mut cut = MAX_ANALYSED_BYTES + 1;
    while !text.is_char_boundary(cut) {
        cut += 1;
    }
    &text[..cut]
}

/// The language-free signals found in the text itself (the error view tail).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Tail {
    pub fully_qualified_error_id: Option<String>,
    pub category_info: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Normalized {
    pub display: String,
    pub key: String,
    pub map: Vec<u32>,
    pub tail: Tail,
    pub truncated: bool,
}

/// Characters dropped from the key: quotes of every script, and markdown
/// emphasis that documentation copies carry.
pub fn is_key_dropped(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '\'' | '"'
                | '`'
                | '\u{00B4}' // ´
                | '\u{2018}'
                | '\u{2019}'
                | '\u{201A}'
                | '\u{201B}'
                | '\u{201C}'
                | '\u{201D}'
                | '\u{201E}'
                | '\u{201F}'
                | '\u{2032}'
                | '\u{2033}'
                | '\u{00AB}' // «
                | '\u{00BB}' // »
                | '\u{2039}'
                | '\u{203A}'
                | '\u{300C}' // 「
                | '\u{300D}'
                | '\u{300E}'
                | '\u{300F}'
                | '\u{FF02}' // fullwidth "
                | '\u{FF07}' // fullwidth '
                | '\u{200B}' // zero width space
                | '\u{200E}'
                | '\u{200F}'
                | '\u{FEFF}'
                | '*'
        )
}

/// Folds one character for the key: lower case, fullwidth ASCII to ASCII,
/// ideographic punctuation to its ASCII sibling.
fn fold_into(c: char, out: &mut String) {
    let c = match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3002}' => '.',
        '\u{3001}' => ',',
        '\u{2010}'..='\u{2015}' | '\u{2212}' => '-',
        '\u{2026}' => {
            out.push_str("...");
            return;
        }
        _ => c,
    };
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
    } else {
        for l in c.to_lowercase() {
            out.push(l);
        }
    }
}

/// Unifies quotes and spaces for the display view.
fn display_char(c: char) -> char {
    match c {
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' | '\u{00B4}' | '`' => '\'',
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' => '"',
        c if c.is_whitespace() => ' ',
        c => c,
    }
}

fn is_tail_line(trimmed: &str) -> bool {
    trimmed.starts_with('+')
}

/// Characters of a FullyQualifiedErrorId: an error id (letters, digits, `_`,
/// or a signed HRESULT), a comma, a .NET type name.
fn is_fqeid_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | ',' | '-')
}

fn is_fqeid_item(item: &str) -> bool {
    item.split(':')
        .next()
        .map(|n| n.trim().eq_ignore_ascii_case("FullyQualifiedErrorId"))
        .unwrap_or(false)
}

/// Whether `line` can be the console-wrapped rest of tail item `item`. The
/// rest of a FullyQualifiedErrorId is made of its own characters only: a
/// line such as `Password: ...` or `$pw = '...'` pasted after the error is
/// not glued to the id (which the result quotes as evidence).
fn continues(item: &str, line: &str) -> bool {
    !is_fqeid_item(item) || line.chars().all(is_fqeid_char)
}

/// Splits the PowerShell error view into message lines and the tail items
/// (`+ CategoryInfo : ...`, `+ FullyQualifiedErrorId : ...`). The script
/// position lines (`+ New-PSSession ...`, `+ ~~~~`) are dropped.
fn split_tail(lines: &[&str]) -> (Vec<String>, Tail) {
    let mut message = Vec::new();
    let mut tail = Tail::default();
    let mut items: Vec<String> = Vec::new();
    let mut in_tail = false;
    for line in lines {
        let trimmed = line.trim();
        if is_tail_line(trimmed) {
            in_tail = true;
            items.push(trimmed.trim_start_matches('+').trim().to_string());
        } else if in_tail
            && !trimmed.is_empty()
            && !items.is_empty()
            && !looks_like_new_error(trimmed)
            && continues(items.last().expect("checked non-empty"), trimmed)
        {
            // A wrapped continuation of the previous tail item.
            let last = items.last_mut().expect("checked non-empty");
            last.push_str(trimmed);
        } else {
            if in_tail && !trimmed.is_empty() {
                in_tail = false;
            }
            if !in_tail {
                message.push((*line).to_string());
            }
        }
    }
    for item in items {
        if let Some((name, value)) = item.split_once(':') {
            let name = name.trim();
            let value = value.trim().to_string();
            if name.eq_ignore_ascii_case("FullyQualifiedErrorId")
                && tail.fully_qualified_error_id.is_none()
            {
                // Only the id's own characters: whatever follows is not echoed.
                let id: String = value
                    .chars()
                    .filter(|c| *c != ' ')
                    .take_while(|c| is_fqeid_char(*c))
                    .collect();
                tail.fully_qualified_error_id = Some(id).filter(|s| !s.is_empty());
            } else if name.eq_ignore_ascii_case("CategoryInfo") && tail.category_info.is_none() {
                tail.category_info = Some(value);
            }
        }
    }
    (message, tail)
}

/// A line that starts a new error after a tail (`New-PSSession : ...`).
fn looks_like_new_error(trimmed: &str) -> bool {
    let head: String = trimmed.chars().take(60).collect();
    head.contains(" : ") || head.contains(": [")
}

/// Console wrapping: PowerShell 5.1's console writes long lines cut at the
/// buffer width, so the wrapped lines of an error all have one length. When
/// two or more lines share the longest length, those lines were cut and are
/// joined to the next without a space.
fn unwrap_lines(lines: &[String]) -> String {
    let lens: Vec<usize> = lines.iter().map(|l| l.chars().count()).collect();
    let max = lens.iter().copied().max().unwrap_or(0);
    let at_max = lens.iter().filter(|&&l| l == max).count();
    let wrapped_width = if max >= 40 && at_max >= 2 {
        Some(max)
    } else {
        None
    };
    let mut out = String::new();
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            let prev_cut = wrapped_width == Some(lens[i - 1]);
            if !prev_cut {
                out.push(' ');
            }
        }
        out.push_str(line);
    }
    out
}

/// Normalises error text into its display and key views.
pub fn normalize(input: &str) -> Normalized {
    let mut truncated = false;
    let mut text = input;
    if text.len() > MAX_ANALYSED_BYTES {
        let mut cut = MAX_ANALYSED_BYTES;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text = &text[..cut];
        truncated = true;
    }
    let lines: Vec<&str> = text.split('\n').map(|l| l.trim_end_matches('\r')).collect();
    let (message_lines, tail) = split_tail(&lines);
    let joined = unwrap_lines(&message_lines);

    let mut display = String::with_capacity(joined.len());
    let mut key = String::with_capacity(joined.len());
    let mut map: Vec<u32> = Vec::with_capacity(joined.len() + 1);
    let mut last_space = true;
    let mut last_backslash = false;
    for c in joined.chars() {
        let d = display_char(c);
        if d == ' ' {
            if !last_space {
                display.push(' ');
            }
            last_space = true;
            continue;
        }
        // Documentation copies carry markdown-escaped backslashes: `C:\\Program Files`.
        if d == '\\' && last_backslash {
            continue;
        }
        last_backslash = d == '\\';
        last_space = false;
        let at = display.len() as u32;
        display.push(d);
        if is_key_dropped(c) {
            continue;
        }
        let before = key.len();
        fold_into(c, &mut key);
        for _ in before..key.len() {
            map.push(at);
        }
    }
    if display.ends_with(' ') {
        display.pop();
    }
    map.push(display.len() as u32);
    Normalized {
        display,
        key,
        map,
        tail,
        truncated,
    }
}

/// The key form of a pattern phrase: the same folding as the text.
pub fn key_of(phrase: &str) -> String {
    let mut key = String::with_capacity(phrase.len());
    for c in phrase.chars() {
        if is_key_dropped(c) {
            continue;
        }
        fold_into(c, &mut key);
    }
    key
}

impl Normalized {
    /// The display text behind a key span.
    pub fn display_span(&self, start: usize, end: usize) -> &str {
        let s = self.map[start] as usize;
        let e = if end >= self.map.len() - 1 {
            self.display.len()
        } else {
            // The end of the last character of the span in display.
            let last = self.map[end - 1] as usize;
            let mut e = last + 1;
            while e < self.display.len() && !self.display.is_char_boundary(e) {
                e += 1;
            }
            e
        };
        &self.display[s..e.max(s)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_drops_spaces_quotes_and_case() {
        let n = normalize("L\u{2019}utilisateur \u{00AB} Ken \u{00BB}\u{00A0}:  X");
        assert_eq!(n.key, "lutilisateurken:x");
        assert_eq!(n.display, "L'utilisateur \u{00AB} Ken \u{00BB} : X");
    }

    #[test]
    fn console_wraps_are_joined_without_space() {
        let line = "New-PSSession : [admin.example.com] Connecting to remote server admin.example.com failed with the following error message : The WS-Management service cannot process the request. The maximum number of concurrent shells for this user has been exceeded.";
        let chars: Vec<char> = line.chars().collect();
        let wrapped: Vec<String> = chars.chunks(80).map(|c| c.iter().collect()).collect();
        let text = format!("{}\nAt line:1 char:1", wrapped.join("\n"));
        let n = normalize(&text);
        assert!(n.display.starts_with(line), "{}", n.display);
        assert!(n.key.contains("failedwiththefollowingerrormessage:"));
    }

    #[test]
    fn tail_is_parsed_and_removed() {
        let text = "Import-Module : File C:\\x.psm1 cannot be loaded.\nAt line:1 char:1\n+ Import-Module x\n+ ~~~~~~~~~~~~~\n    + CategoryInfo          : SecurityError: (:) [Import-Module], PSSecurityException\n    + FullyQualifiedErrorId : UnauthorizedAccess,Microsoft.PowerShell.Com\nmands.ImportModuleCommand\n";
        let n = normalize(text);
        assert_eq!(
            n.tail.fully_qualified_error_id.as_deref(),
            Some("UnauthorizedAccess,Microsoft.PowerShell.Commands.ImportModuleCommand")
        );
        assert!(n
            .tail
            .category_info
            .as_deref()
            .unwrap()
            .starts_with("SecurityError"));
        assert!(!n.display.contains("CategoryInfo"));
        assert!(!n.display.contains("~~~"));
    }

    #[test]
    fn text_pasted_after_the_tail_is_not_glued_to_the_id() {
        let head = "Import-Module : x\n    + FullyQualifiedErrorId : UnauthorizedAccess,Microsoft.PowerShell.Com\nmands.ImportModuleCommand\n";
        for after in [
            "Password: Hunter2",
            "$pw = 'Hunter2'",
            "pw=Hunter2",
            "x;Hunter2",
        ] {
            let n = normalize(&format!("{}{}", head, after));
            assert_eq!(
                n.tail.fully_qualified_error_id.as_deref(),
                Some("UnauthorizedAccess,Microsoft.PowerShell.Commands.ImportModuleCommand"),
                "{}",
                after
            );
        }
        let n = normalize("x\n + FullyQualifiedErrorId : -2144108123,PSSessionOpenFailed;rm -rf");
        assert_eq!(
            n.tail.fully_qualified_error_id.as_deref(),
            Some("-2144108123,PSSessionOpenFailed")
        );
    }

    #[test]
    fn spans_map_back_to_display() {
        let n = normalize("The user 'Ken Myer@x.com' failed");
        let k = n.key.find("kenmyer@x.com").unwrap();
        assert_eq!(
            n.display_span(k, k + "kenmyer@x.com".len()),
            "Ken Myer@x.com"
        );
    }

    #[test]
    fn markdown_backslashes_collapse_and_fullwidth_folds() {
        let n = normalize("C :\\\\Program Files\\\\x\u{FF08}\u{FF21}\u{FF09}");
        assert_eq!(n.display, "C :\\Program Files\\x\u{FF08}\u{FF21}\u{FF09}");
        assert_eq!(n.key, "c:\\programfiles\\x(a)");
    }

    #[test]
    fn clip_keeps_the_cut_visible() {
        assert_eq!(clip("short"), "short");
        let big = "é".repeat(MAX_ANALYSED_BYTES);
        let c = clip(&big);
        assert!(c.len() > MAX_ANALYSED_BYTES && c.len() <= MAX_ANALYSED_BYTES + 4);
        assert!(normalize(c).truncated);
        let exact = "a".repeat(MAX_ANALYSED_BYTES);
        assert_eq!(clip(&exact).len(), MAX_ANALYSED_BYTES);
        assert!(!normalize(clip(&exact)).truncated);
    }

    #[test]
    fn truncates_huge_input_on_a_char_boundary() {
        let big = "é".repeat(MAX_ANALYSED_BYTES);
        let n = normalize(&big);
        assert!(n.truncated);
        assert!(n.display.len() <= MAX_ANALYSED_BYTES);
    }
}
