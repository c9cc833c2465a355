//! The lexical view: error text folded so that one lexicon term matches
//! every way a translator, a console or a forum printed the word.
//!
//! - lower case; Latin diacritics removed (`désactivée` -> `desactivee`,
//!   `Größe` -> `grosse`); Cyrillic `ё` -> `е`;
//! - fullwidth ASCII to ASCII, ideographic punctuation to its ASCII sibling;
//! - quotes of every script, apostrophes, hyphens and dashes, markdown `*`
//!   become spaces (`l’utilisateur` -> `l utilisateur`, `Live-ID` ->
//!   `live id`, `Remote-PowerShell-Sitzung` -> `remote powershell sitzung`);
//! - a line break stays a line break (`\n`, a sentence boundary);
//! - other runs of whitespace become one space, and spaces next to a Chinese,
//!   Japanese or Korean character are dropped (machine translations put
//!   spaces between CJK words at random: `テナント を 管理`).
//!
//! Lexicon terms are folded with the same function, so both sides agree.

/// Chinese, Japanese and Korean characters (and their punctuation): no word
/// boundaries are checked around them, and spaces next to them are dropped.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x11FF     // Hangul Jamo
        | 0x3000..=0x303F   // CJK symbols and punctuation
        | 0x3040..=0x30FF   // Hiragana, Katakana
        | 0x3130..=0x318F   // Hangul compatibility Jamo
        | 0x31F0..=0x31FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xAC00..=0xD7AF   // Hangul syllables
        | 0xF900..=0xFAFF
        | 0xFF61..=0xFF9F) // halfwidth Katakana
}

/// A letter or digit of a script written with spaces between words: what a
/// word boundary is checked against.
pub fn is_word_char(c: char) -> bool {
    // `_` joins an identifier: `E_ACCESSDENIED` (a code's name) does not
    // hold the word `accessdenied` (a FullyQualifiedErrorId).
    (c.is_alphanumeric() && !is_cjk(c)) || c == '_'
}

/// Latin letters with diacritics, as their base letters.
fn strip_diacritic(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'æ' => "ae",
        'ç' | 'ć' | 'č' => "c",
        'ď' | 'đ' | 'ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => "e",
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' | 'ı' => "i",
        'ł' | 'ľ' => "l",
        'ñ' | 'ń' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => "o",
        'œ' => "oe",
        'ř' => "r",
        'ś' | 'š' | 'ş' => "s",
        'ß' => "ss",
        'ť' | 'ţ' => "t",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' | 'ų' => "u",
        'ý' | 'ÿ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        'ё' => "е",
        _ => return None,
    })
}

/// Characters that separate words like a space does.
fn is_separator(c: char) -> bool {
    (c.is_whitespace() && c != '\n')
        || matches!(
            c,
            '\'' | '"'
                | '`'
                | '*'
                | '-'
                | '\u{00AB}' // «
                | '\u{00BB}' // »
                | '\u{00B4}' // ´
                | '\u{2010}'..='\u{2015}' // hyphens and dashes
                | '\u{2018}'..='\u{201F}' // typographic quotes
                | '\u{2032}'
                | '\u{2033}'
                | '\u{2039}'
                | '\u{203A}'
                | '\u{2212}' // minus sign
                | '\u{300C}'..='\u{300F}' // 「」『』
                | '\u{FF02}' // fullwidth "
                | '\u{FF07}' // fullwidth '
                | '\u{FF0D}' // fullwidth -
                | '\u{FF0A}' // fullwidth *
        )
}

/// Characters dropped without a trace (zero-width marks).
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{200E}' | '\u{200F}' | '\u{FEFF}' | '\u{00AD}'
    )
}

fn push_folded(c: char, out: &mut String) {
    let c = match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3002}' | '\u{FF61}' => '.',
        '\u{3001}' | '\u{FF64}' => ',',
        _ => c,
    };
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
        return;
    }
    for l in c.to_lowercase() {
        match strip_diacritic(l) {
            Some(s) => out.push_str(s),
            None => out.push(l),
        }
    }
}

/// Folds text into the lexical view (see the module documentation).
pub fn fold(text: &str) -> String {
    fold_with_ends(text).0
}

/// Sentence-ending punctuation as the original text writes it.
fn ends_sentence(c: char) -> Option<bool> {
    match c {
        // Ideographic stops end a sentence whatever follows.
        '\u{3002}' | '\u{FF01}' | '\u{FF1F}' | '\u{FF1B}' => Some(true),
        // Latin ones only before a space and a capital or a digit: "id. en
        // directo" and "admin.vdomain.com" go on.
        '.' | ';' | '!' | '?' => Some(false),
        _ => None,
    }
}

/// Folds text into the lexical view and says where its sentences end: at a
/// line break, at an ideographic stop, and at `.` `;` `!` `?` followed by
/// whitespace and a capital letter, a digit or the end of the text. Each
/// offset is where a sentence holding a letter or a digit ends; empty
/// sentences (". . ") do not count.
pub fn fold_with_ends(text: &str) -> (String, Vec<u32>) {
    let mut out = String::with_capacity(text.len() + 8);
    let mut ends: Vec<u32> = Vec::new();
    // A space is written only before the next kept character, and only if
    // neither side is CJK.
    let mut pending_space = false;
    // Whether the last kept character was CJK; None before the first one
    // and right after a line break.
    let mut last_cjk: Option<bool> = None;
    let mut has_word = false;
    // Whether the last line break ended a sentence (a CJK wrap undoes both).
    let mut break_ended = false;
    // A Latin stop waiting for what follows it: (offset, seen whitespace).
    let mut stop: Option<(u32, bool)> = None;
    for c in text.chars() {
        let ascii = c.is_ascii();
        if c == '\n' {
            pending_space = false;
            stop = None;
            if !out.is_empty() && !out.ends_with('\n') {
                break_ended = has_word;
                if has_word {
                    ends.push(out.len() as u32);
                }
                has_word = false;
                out.push('\n');
            }
            continue;
        }
        let sep = if ascii {
            matches!(
                c,
                ' ' | '\t' | '\r' | '\x0b' | '\x0c' | '\'' | '"' | '`' | '*' | '-'
            )
        } else {
            if is_invisible(c) {
                continue;
            }
            is_separator(c)
        };
        if sep {
            pending_space = true;
            if let Some(s) = stop.as_mut() {
                s.1 = true;
            }
            continue;
        }
        let cjk = !ascii && is_cjk(c);
        // A line break between two CJK characters is a console wrap the
        // width check missed: CJK text ends its sentences with 。.
        if cjk && out.ends_with('\n') && last_cjk_before_break(&out) {
            out.pop();
            if break_ended {
                ends.pop();
                has_word = true;
            }
        }
        if let Some((at, spaced)) = stop.take() {
            let starts = if ascii {
                c.is_ascii_uppercase() || c.is_ascii_digit()
            } else {
                cjk || c.is_uppercase()
            };
            if spaced && starts {
                if has_word {
                    ends.push(at);
                }
                has_word = false;
            }
        }
        if pending_space {
            pending_space = false;
            if last_cjk == Some(false) && !cjk && !out.ends_with('\n') {
                out.push(' ');
            }
        }
        if ascii {
            out.push(c.to_ascii_lowercase());
        } else {
            push_folded(c, &mut out);
        }
        last_cjk = Some(cjk);
        match ends_sentence(c) {
            Some(true) => {
                if has_word {
                    ends.push(out.len() as u32);
                }
                has_word = false;
            }
            Some(false) => stop = Some((out.len() as u32, false)),
            None => {
                if if ascii {
                    c.is_ascii_alphanumeric()
                } else {
                    cjk || c.is_alphanumeric()
                } {
                    has_word = true;
                }
            }
        }
    }
    if stop.is_some() && has_word {
        ends.push(out.len() as u32);
    }
    (out, ends)
}

/// Whether the character before a view's trailing line break is CJK.
fn last_cjk_before_break(out: &str) -> bool {
    out[..out.len() - 1]
        .chars()
        .next_back()
        .map(is_cjk)
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_diacritics_quotes_and_hyphens() {
        assert_eq!(
            fold("L’utilisateur « Ken » n’est   pas autorisé"),
            "l utilisateur ken n est pas autorise"
        );
        assert_eq!(
            fold("Remote-PowerShell-Sitzung Größe"),
            "remote powershell sitzung grosse"
        );
        assert_eq!(fold("Live‑ID ＲＢＡＣ"), "live id rbac");
        assert_eq!(fold("Ещё"), "еще");
    }

    #[test]
    fn drops_spaces_next_to_cjk() {
        assert_eq!(fold("テナント を 管理 する"), "テナントを管理する");
        assert_eq!(fold("PowerShell 세션 을"), "powershell세션을");
        assert_eq!(fold("a  b\t c"), "a b c");
        assert_eq!(fold("a \n\n b"), "a\nb");
    }

    #[test]
    fn word_chars_exclude_cjk() {
        assert!(is_word_char('é'));
        assert!(is_word_char('д'));
        assert!(!is_word_char('を'));
        assert!(!is_word_char('.'));
        assert!(is_word_char('_'));
    }
}

#[cfg(test)]
mod sentence_tests {
    use super::*;

    #[test]
    fn sentences_end_at_stops_before_capitals_and_at_lines() {
        let (v, ends) = fold_with_ends(
            "Failed on admin.vdomain.com. Retry 2.0 now; ok\nNext . . Last id. en directo",
        );
        // "failed on admin.vdomain.com." | "retry 2.0 now; ok" | "next . ." |
        // "last id. en directo" (the last sentence has no end mark)
        assert_eq!(ends.len(), 3, "{:?} in {:?}", ends, v);
        let (_, ends) = fold_with_ends("無法載入。因為停用");
        assert_eq!(ends.len(), 1);
        let (_, ends) = fold_with_ends("finished; 3 modules");
        assert_eq!(ends.len(), 1);
    }
}
