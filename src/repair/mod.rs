//! Repairs of the damage a pasted error text took on its way to us, before
//! it is normalised.
//!
//! Two kinds of damage keep an error from being read at all, and both are
//! common in what admins paste:
//!
//! - **Escaped text**: the error copied out of JSON (`ConvertTo-Json`, a
//!   pipeline's log, an API answer) or a Python `repr` (pywinrm, Ansible):
//!   `\r\n` for its line breaks, `\"` for its quotes and, with
//!   `ensure_ascii`-style encoders, `\u00e9` for every non-ASCII letter. A
//!   French or Japanese message escaped that way has none of its words left.
//! - **Mojibake**: UTF-8 read with a single-byte code page — a browser or
//!   editor on Windows-1252 turns `é` into `Ã©`, a console on code page 850
//!   into `├⌐`, Windows-1251 turns Russian into `Ð`/`Ñ`-less `РїСЂ` pairs.
//!   The bytes are all still there: read back with the same code page and
//!   decoded as UTF-8, they give the text.
//!
//! Both repairs are conservative: escapes are undone only when the text is
//! one escaped line (or carries `\uXXXX` escapes of non-ASCII letters), and
//! a code page is undone only when its reading explains at least half of
//! the text's non-ASCII characters, each as a plausible letter or sign. A
//! correct text in any of the eleven languages is returned as it is.

mod tables;

use std::borrow::Cow;

/// The text with escapes, markup and mojibake undone, or the text itself.
pub fn repair(text: &str) -> Cow<'_, str> {
    let mut current = Cow::Borrowed(text);
    if let Some(s) = unescape(&current) {
        current = Cow::Owned(s);
    }
    if let Some(s) = unmarkup(&current) {
        current = Cow::Owned(s);
    }
    if let Some(s) = undouble_lines(&current) {
        current = Cow::Owned(s);
    }
    if let Some(s) = unlist(&current) {
        current = Cow::Owned(s);
    }
    if let Some(s) = demojibake(&current) {
        current = Cow::Owned(s);
    }
    current
}

/// The HTML a page left in a copied text: `<br>` line breaks and the
/// character entities (`&quot;`, `&#39;`, `&#x27;`, `&lt;` …). Other tags
/// stay: `<f:WSManFault>` is part of the error.
fn unmarkup(text: &str) -> Option<String> {
    if !text.contains('&') && !text.contains("<br") && !text.contains("<BR") {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut changed = false;
    let mut rest = text;
    while let Some(i) = rest.find(['&', '<']) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if let Some(len) = br_tag(tail) {
            out.push('\n');
            rest = &tail[len..];
            changed = true;
        } else if let Some((c, len)) = entity(tail) {
            out.push(c);
            rest = &tail[len..];
            changed = true;
        } else {
            out.push(tail.chars().next().unwrap_or('&'));
            rest = &tail[1..];
        }
    }
    out.push_str(rest);
    changed.then_some(out)
}

/// The length of a `<br>`, `<br/>` or `<br />` tag at the start of `s`.
fn br_tag(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    if b.len() < 4 || b[0] != b'<' || !b[1..3].eq_ignore_ascii_case(b"br") {
        return None;
    }
    let mut i = 3;
    while i < b.len() && b[i] == b' ' {
        i += 1;
    }
    if i < b.len() && b[i] == b'/' {
        i += 1;
    }
    (i < b.len() && b[i] == b'>').then_some(i + 1)
}

/// A character entity at the start of `s` (it starts with `&`): the
/// character and the entity's length.
fn entity(s: &str) -> Option<(char, usize)> {
    let end = s.bytes().take(12).position(|b| b == b';')?;
    let name = &s[1..end];
    let c = match name {
        "quot" => '"',
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "apos" => '\'',
        "nbsp" => '\u{a0}',
        _ => {
            let num = name.strip_prefix('#')?;
            let code = match num.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => num.parse::<u32>().ok()?,
            };
            char::from_u32(code)?
        }
    };
    Some((c, end + 1))
}

/// A text quoted line by line as a Markdown list or quote (`* `, `- `,
/// `> ` before every line) without the marks; a text where some lines lack
/// the mark is left as it is (`+ CategoryInfo` lines are the error's own).
fn unlist(text: &str) -> Option<String> {
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let first = lines.next()?.trim_start();
    let mark = ["* ", "- ", "> "].iter().find(|m| first.starts_with(*m))?;
    let mut others = 0;
    for l in lines {
        if !l.trim_start().starts_with(*mark) {
            return None;
        }
        others += 1;
    }
    if others == 0 {
        return None;
    }
    let out: Vec<&str> = text
        .lines()
        .map(|l| {
            let t = l.trim_start();
            t.strip_prefix(*mark).unwrap_or(t)
        })
        .collect();
    Some(out.join("\n"))
}

/// A text whose every line break was doubled (a blank line after each
/// line, as some editors and pages paste it) with its breaks single again;
/// a text with paragraphs of several lines is left as it is.
fn undouble_lines(text: &str) -> Option<String> {
    if !text.contains("\n\n") && !text.contains("\n\r\n") {
        return None;
    }
    let lines: Vec<&str> = text
        .trim_end()
        .split('\n')
        .map(|l| l.trim_end_matches('\r'))
        .collect();
    if lines.len() < 5 {
        return None;
    }
    let doubled = lines
        .iter()
        .enumerate()
        .all(|(i, l)| (i % 2 == 0) != l.trim().is_empty());
    if !doubled {
        return None;
    }
    Some(
        lines
            .iter()
            .step_by(2)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n"),
    )
}

/// How `code_page` (1252, 850, 437, 1251 or 866) shows the UTF-8 bytes of
/// `text`: the damage `repair` undoes, for measurements (`scripts/garble`)
/// and tests. `None` for another code page.
pub fn mojibake(text: &str, code_page: u16) -> Option<String> {
    let page = match code_page {
        1252 => &CODE_PAGES[0],
        850 => &CODE_PAGES[1],
        437 => &CODE_PAGES[2],
        1251 => &CODE_PAGES[3],
        866 => &CODE_PAGES[4],
        _ => return None,
    };
    let mut by_byte = ['\u{0}'; 128];
    for &(c, b) in page.table {
        by_byte[(b - 0x80) as usize] = char::from_u32(c).unwrap_or('\u{FFFD}');
    }
    Some(
        text.bytes()
            .map(|b| match b {
                0x00..=0x7F => b as char,
                _ => match by_byte[(b - 0x80) as usize] {
                    '\u{0}' => char::from_u32(b as u32).unwrap_or('\u{FFFD}'),
                    c => c,
                },
            })
            .collect(),
    )
}

/// The four hex digits at the start of `s` as a number.
fn hex4(s: &[u8]) -> Option<u32> {
    if s.len() < 4 {
        return None;
    }
    let mut v = 0u32;
    for &b in &s[..4] {
        v = v * 16 + (b as char).to_digit(16)?;
    }
    Some(v)
}

/// A `\uXXXX` escape (or a surrogate pair of two) at the start of `s`:
/// the character and the bytes it takes.
fn unicode_escape(s: &[u8]) -> Option<(char, usize)> {
    if s.len() < 6 || s[0] != b'\\' || s[1] != b'u' {
        return None;
    }
    let hi = hex4(&s[2..])?;
    if (0xD800..0xDC00).contains(&hi) {
        if s.len() >= 12 && s[6] == b'\\' && s[7] == b'u' {
            let lo = hex4(&s[8..])?;
            if (0xDC00..0xE000).contains(&lo) {
                let c = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                return char::from_u32(c).map(|c| (c, 12));
            }
        }
        return None;
    }
    char::from_u32(hi).map(|c| (c, 6))
}

/// Whether the text is one line whose line breaks are escapes: it has no
/// line break of its own, and an escaped one (`\r\n`, or `\n` before
/// anything but a lowercase ASCII letter, `.` or `_`: `C:\new`, `\n.ps1`
/// are paths).
fn escaped_lines(text: &str) -> bool {
    if text.contains('\n') {
        return false;
    }
    if text.contains("\\r\\n") {
        return true;
    }
    let b = text.as_bytes();
    let mut i = 0;
    while i + 1 < b.len() {
        if b[i] == b'\\' && b[i + 1] == b'\\' {
            i += 2;
            continue;
        }
        if b[i] == b'\\' && b[i + 1] == b'n' {
            match b.get(i + 2) {
                Some(n) if n.is_ascii_lowercase() || *n == b'.' || *n == b'_' => {}
                _ => return true,
            }
        }
        i += 1;
    }
    false
}

/// The text with its escapes undone, when it is escaped text.
fn unescape(text: &str) -> Option<String> {
    if !text.contains('\\') {
        return None;
    }
    let b = text.as_bytes();
    // Escapes of non-ASCII characters: the text's letters are in them.
    let mut letters = false;
    let mut i = 0;
    while i < b.len() {
        if let Some((c, len)) = unicode_escape(&b[i..]) {
            if !c.is_ascii() {
                letters = true;
                break;
            }
            i += len;
        } else {
            i += 1;
        }
    }
    let lines = escaped_lines(text);
    if !letters && !lines {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' {
            if let Some((c, len)) = unicode_escape(&b[i..]) {
                out.push(c);
                i += len;
                continue;
            }
            if lines {
                let simple = match b.get(i + 1) {
                    Some(b'n') => Some("\n"),
                    Some(b'r') => Some(""),
                    Some(b't') => Some(" "),
                    Some(b'"') => Some("\""),
                    Some(b'\'') => Some("'"),
                    Some(b'/') => Some("/"),
                    Some(b'\\') => Some("\\"),
                    _ => None,
                };
                if let Some(s) = simple {
                    out.push_str(s);
                    i += 2;
                    continue;
                }
            }
        }
        // Copy one whole character (the escapes above are all ASCII).
        let len = utf8_len(b[i]).max(1);
        out.push_str(&text[i..i + len]);
        i += len;
    }
    Some(out)
}

/// The length of the UTF-8 sequence a lead byte starts (0 for a
/// continuation byte or an invalid one).
fn utf8_len(lead: u8) -> usize {
    match lead {
        0x00..=0x7F => 1,
        0xC2..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF4 => 4,
        _ => 0,
    }
}

/// A code page a UTF-8 text may have been read with.
struct CodePage {
    /// Its upper half, by character.
    table: &'static [(u32, u8)],
    /// The C1 controls (U+0080..=U+009F) stand for their own byte: a browser
    /// reading Windows-1252 or -1251 keeps the bytes the code page leaves
    /// out that way, as ISO 8859-1 does for all of them.
    c1_as_bytes: bool,
}

const CODE_PAGES: [CodePage; 5] = [
    CodePage {
        table: tables::CP1252,
        c1_as_bytes: true,
    },
    CodePage {
        table: tables::CP850,
        c1_as_bytes: false,
    },
    CodePage {
        table: tables::CP437,
        c1_as_bytes: false,
    },
    CodePage {
        table: tables::CP1251,
        c1_as_bytes: true,
    },
    CodePage {
        table: tables::CP866,
        c1_as_bytes: false,
    },
];

impl CodePage {
    /// The byte this code page shows as `c` (only bytes 0x80 and above).
    fn byte(&self, c: char) -> Option<u8> {
        let u = c as u32;
        if u < 0x80 {
            return None;
        }
        if self.c1_as_bytes && (0x80..=0x9F).contains(&u) {
            return Some(u as u8);
        }
        self.table
            .binary_search_by_key(&u, |&(ch, _)| ch)
            .ok()
            .map(|i| self.table[i].1)
    }
}

/// A character an error text in one of our languages is made of: letters
/// and signs of the Latin, Greek and Cyrillic scripts, punctuation, CJK,
/// kana and Hangul. A decoding that gives anything else was no mojibake.
fn plausible(c: char) -> bool {
    matches!(c as u32,
        0x00A0..=0x024F
        | 0x0370..=0x04FF
        | 0x1100..=0x11FF
        | 0x2000..=0x206F
        | 0x20A0..=0x20CF
        | 0x2100..=0x21FF
        | 0x3000..=0x30FF
        | 0x3130..=0x318F
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xAC00..=0xD7AF
        | 0xF900..=0xFAFF
        | 0xFF00..=0xFFEF)
}

/// Reads `chars` back as bytes of `page` and decodes each run that forms
/// UTF-8: how many characters the repairs take, and the repaired text
/// written to `out` when one is given.
fn undo(chars: &[char], page: &CodePage, mut out: Option<&mut String>) -> usize {
    let mut taken = 0;
    let mut i = 0;
    let mut buf = [0u8; 4];
    while i < chars.len() {
        let c = chars[i];
        let lead = page.byte(c);
        let len = lead.map(utf8_len).unwrap_or(0);
        if len >= 2 && i + len <= chars.len() {
            buf[0] = lead.unwrap_or(0);
            let mut ok = true;
            for k in 1..len {
                match page.byte(chars[i + k]) {
                    Some(b) if (0x80..=0xBF).contains(&b) => buf[k] = b,
                    _ => {
                        ok = false;
                        break;
                    }
                }
            }
            if ok {
                if let Ok(s) = std::str::from_utf8(&buf[..len]) {
                    if s.chars().all(plausible) {
                        if let Some(o) = out.as_mut() {
                            o.push_str(s);
                        }
                        taken += len;
                        i += len;
                        continue;
                    }
                }
            }
        }
        if let Some(o) = out.as_mut() {
            o.push(c);
        }
        i += 1;
    }
    taken
}

/// The text read back from the code page that explains it, when one does:
/// its repairs take at least half of the text's non-ASCII characters (other
/// than spaces).
fn demojibake(text: &str) -> Option<String> {
    if text.is_ascii() {
        return None;
    }
    let chars: Vec<char> = text.chars().collect();
    let foreign = chars
        .iter()
        .filter(|c| !c.is_ascii() && !c.is_whitespace())
        .count();
    // Counted first, written once for the code page that explains most.
    let mut best: Option<(&CodePage, usize)> = None;
    for page in CODE_PAGES.iter() {
        let taken = undo(&chars, page, None);
        if taken * 2 >= foreign && taken > best.map(|b| b.1).unwrap_or(0) {
            best = Some((page, taken));
        }
    }
    let (page, _) = best?;
    let mut fixed = String::with_capacity(text.len());
    undo(&chars, page, Some(&mut fixed));
    Some(fixed)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXTS: [&str; 5] = [
        "Le traitement des données à partir du serveur distant a échoué : l’opération d’entrée/sortie a été abandonnée.",
        "Die Verarbeitung von Daten vom Remoteserver ist fehlgeschlagen: Zugriff verweigert. Überprüfen Sie die Einstellungen für „TrustedHosts“.",
        "Обработка данных с удаленного сервера завершилась следующей ошибкой: Отказано в доступе.",
        "リモート サーバーへの接続に失敗しました。アクセスが拒否されました。",
        "원격 서버에 연결하지 못했습니다. 액세스가 거부되었습니다. 无法连接到远程服务器。",
    ];

    #[test]
    fn mojibake_of_every_code_page_is_undone() {
        for page in [1252, 850, 437, 1251, 866] {
            for text in TEXTS.iter() {
                let garbled = mojibake(text, page).unwrap();
                assert_ne!(&garbled, text);
                assert_eq!(repair(&garbled), *text, "garbled: {}", garbled);
            }
        }
    }

    #[test]
    fn correct_text_in_every_language_is_left_alone() {
        for text in TEXTS.iter() {
            assert!(matches!(repair(text), Cow::Borrowed(_)), "{}", text);
        }
        // Russian with a non-breaking space after a one-letter word: 'В'
        // and the space are bytes C2 A0 in Windows-1251, a UTF-8 sequence;
        // one such pair among the text's letters is no mojibake.
        let ru = "В\u{a0}доступе отказано. С\u{a0}помощью командлета Set-Item добавьте узел.";
        assert_eq!(repair(ru), ru);
        // German and French texts whose letters sit next to signs.
        for text in ["Straße» und „Größe“", "À «l'hôte» près"] {
            assert_eq!(repair(text), text);
        }
    }

    #[test]
    fn json_escaped_text_is_unescaped() {
        let escaped = "New-PSSession : [srv01] La connexion au serveur distant srv01 a \\u00e9chou\\u00e9 : Acc\\u00e8s refus\\u00e9.\\r\\n    + FullyQualifiedErrorId : AccessDenied,PSSessionOpenFailed";
        assert_eq!(
            repair(escaped),
            "New-PSSession : [srv01] La connexion au serveur distant srv01 a échoué : Accès refusé.\n    + FullyQualifiedErrorId : AccessDenied,PSSessionOpenFailed"
        );
        // A surrogate pair, and quotes and backslashes of an escaped line.
        assert_eq!(
            repair("\\\"C:\\\\Temp\\\" \\ud83d\\ude00\\nAt line:1"),
            "\"C:\\Temp\" \u{1F600}\nAt line:1"
        );
        // Python's repr of a line (pywinrm): escaped breaks before a capital.
        assert_eq!(
            repair("Access is denied.\\nAt line:1 char:1"),
            "Access is denied.\nAt line:1 char:1"
        );
    }

    #[test]
    fn markup_and_doubled_lines_are_undone() {
        assert_eq!(
            repair("Connect-ExchangeOnline : &quot;Access is denied&quot;<br>At line:1 char:1<BR />+ Connect-ExchangeOnline &amp;&#39;x&#x27;"),
            "Connect-ExchangeOnline : \"Access is denied\"\nAt line:1 char:1\n+ Connect-ExchangeOnline &'x'"
        );
        // The XML of a WSMan fault is the error's own: it stays.
        let fault =
            "<f:WSManFault Code=\"5\"><f:Message>Access is denied. </f:Message></f:WSManFault>";
        assert_eq!(repair(fault), fault);
        // Unknown or unterminated entities stay as they are.
        assert_eq!(repair("a &copy b &bogus; c &"), "a &copy b &bogus; c &");
        assert_eq!(repair("&ééééééé; &#233;"), "&ééééééé; é");
        assert_eq!(
            repair("New-PSSession : [srv] Connecting to remote server srv failed\n\nwith the following error message : Access is denied.\n\nFor more\n\ninformation, see the about_Remote_Troubleshooting Help topic.\n\n"),
            "New-PSSession : [srv] Connecting to remote server srv failed\nwith the following error message : Access is denied.\nFor more\ninformation, see the about_Remote_Troubleshooting Help topic."
        );
        // A Markdown list or quote of the lines loses its marks, not a
        // text where only some lines have one.
        assert_eq!(
            repair("* Access is denied.\n*     + CategoryInfo : OpenError\n* + FullyQualifiedErrorId : AccessDenied"),
            "Access is denied.\n    + CategoryInfo : OpenError\n+ FullyQualifiedErrorId : AccessDenied"
        );
        let mixed = "- one\ntwo\n- three";
        assert_eq!(repair(mixed), mixed);
        // Paragraphs of several lines keep their blank lines.
        let paragraphs = "line one\nline two\n\nline three\nline four\n\nline five";
        assert_eq!(repair(paragraphs), paragraphs);
    }

    #[test]
    fn paths_and_real_line_breaks_keep_their_backslashes() {
        for text in [
            "C:\\Program Files\\WindowsPowerShell\\Modules\\ExchangeOnlineManagement\\3.4.0\\netCore\\ExchangeOnlineManagement.psm1",
            "Import-Module : C:\\new\\nothing.psd1\nAt line:1 char:1",
            "At C:\\Users\\admin\\n.ps1:3 char:1",
        ] {
            assert!(matches!(repair(text), Cow::Borrowed(_)), "{}", text);
        }
        // An invalid or lone escape is left as it is.
        assert_eq!(repair("a \\ud83d b \\u00e9"), "a \\ud83d b é");
    }
}
