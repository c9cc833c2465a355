//! Line shapes: what a line of PowerShell's error view, of its tail, of a
//! prompt or of a table looks like, and console widths.

use once_cell::sync::Lazy;
use regex::bytes::Regex;

/// PowerShell's error view starts with the command (`Verb-Noun`) or the
/// script (`C:\x\run.ps1`) and ` : ` (`: ` in PowerShell 7). Machine
/// translations (the corpus keeps them as admins see them) also write
/// `导入模块：` (fullwidth colon), `get-help webticket:` and
/// `New PSSession: [host]` (the cmdlet's two words before a `[host]`).
static START_RE: Lazy<Regex> = Lazy::new(|| {
    Regex::new(
        r"^\\?\*?(?:[^\s:\-+*\\]{1,60}-[^\s:]{1,80}(?: [^\s:]{1,40})?\s?:\s|\S{1,200}\.ps[dm]?1\s?:\s|[^\s:：]{1,60}(?: [^\s:：]{1,40}){0,2}\s?：|\*?[A-Za-z]{2,30} [A-Za-z]{2,40}\s?:\s\[)",
    )
    .expect("start regex")
});
/// Any record with a `Name : ` or `NAME: ` head (`WARNING: `, `VERBOSE: `,
/// `AVERTISSEMENT : `, an error): a line that begins something new.
static RECORD_RE: Lazy<Regex> =
    Lazy::new(|| Regex::new(r"^[^\s:+][^\s:]{0,99}\s?:\s").expect("record regex"));
static PROMPT_RE: Lazy<Regex> = Lazy::new(|| Regex::new(r"^PS [^>]{0,300}>").expect("prompt"));

pub(super) fn trim_cr(l: &[u8]) -> &[u8] {
    match l.last() {
        Some(b'\r') => &l[..l.len() - 1],
        _ => l,
    }
}

pub(super) fn is_blank(l: &[u8]) -> bool {
    l.iter().all(|b| b.is_ascii_whitespace())
}

/// The first line of PowerShell's error view: `Verb-Noun : message`
/// (`Verb-Noun: message` in PowerShell 7).
pub(super) fn is_start(l: &[u8]) -> bool {
    START_RE.is_match(l)
}

/// Whether a line is the first line of PowerShell's error view as the
/// scanner recognises it (`Verb-Noun : …` and the variants above). An error
/// without such a head is placed at its first line only after a blank line
/// or a prompt.
pub fn is_error_head(line: &str) -> bool {
    is_start(line.as_bytes())
}

pub(super) fn is_record(l: &[u8]) -> bool {
    RECORD_RE.is_match(l)
}

pub(super) fn is_prompt(l: &[u8]) -> bool {
    PROMPT_RE.is_match(l)
}

/// A line of the error view's tail: `+ CategoryInfo : …`, `+ ~~~`.
pub(super) fn is_tail(l: &[u8]) -> bool {
    l.iter()
        .find(|b| !b.is_ascii_whitespace())
        .map(|b| *b == b'+')
        .unwrap_or(false)
}

/// A line with a run of spaces inside it (a table row, aligned output).
pub(super) fn is_table_row(l: &[u8]) -> bool {
    let t = trim_cr(l);
    let first = t.iter().position(|b| *b != b' ').unwrap_or(t.len());
    t[first..].windows(2).any(|w| w == b"  ")
}

/// Width in console cells, without the line end: East Asian wide
/// characters take two cells, and the console wraps at a number of cells.
pub(super) fn width(l: &[u8]) -> usize {
    let l = trim_cr(l);
    if l.is_ascii() {
        return l.len();
    }
    String::from_utf8_lossy(l)
        .chars()
        .map(|c| if is_wide(c) { 2 } else { 1 })
        .sum()
}

/// `b` goes on with what `a` left unfinished: `a` ends inside a word or a
/// sentence (a letter, a digit, a comma, a space) and `b` starts with a
/// lowercase letter (or a digit right after a letter or digit), maybe
/// after one space: the console cut the line there.
pub(super) fn cut_mid_word(a: &[u8], b: &[u8]) -> bool {
    let last = match std::str::from_utf8(trim_cr(a)) {
        Ok(s) => s.chars().next_back(),
        Err(_) => None,
    };
    // A cut on a space leaves it at the start of the next line.
    let (first, spaced) = match std::str::from_utf8(trim_cr(b)) {
        Ok(s) => match s.strip_prefix(' ') {
            Some(rest) => (rest.chars().next(), true),
            None => (s.chars().next(), false),
        },
        Err(_) => (None, false),
    };
    match (last, first) {
        (Some(x), Some(y)) if spaced => x.is_alphanumeric() && y.is_lowercase(),
        (Some(x), Some(y)) => {
            (x.is_alphanumeric() && (y.is_lowercase() || y.is_ascii_digit()))
                || ((x == ' ' || x == ',') && y.is_lowercase())
        }
        _ => false,
    }
}

/// Cells the start of a line takes, up to the first space after a word:
/// what a word wrapper would have left on the line above had it fit there.
pub(super) fn first_word_width(l: &[u8]) -> usize {
    let l = trim_cr(l);
    let lead = l.iter().take_while(|b| **b == b' ').count();
    let end = l[lead..]
        .iter()
        .position(|b| *b == b' ')
        .map_or(l.len(), |i| lead + i);
    width(&l[..end])
}

/// `b` can be the next line of a paragraph word-wrapped at `wmax` cells
/// (or more) after a line of `prev_w` cells: its first word did not fit
/// after `prev_w` (a word wrapper breaks a line only there).
pub(super) fn word_did_not_fit(prev_w: usize, b: &[u8], wmax: usize) -> bool {
    prev_w + 1 + first_word_width(b) > wmax
}

/// The block's text with the console cuts that fell right after a
/// sentence's end and before a capital joined where a term spans them
/// (`… assembly 'Microsoft.` / `Identity.Client, …`, `restores` tells): the
/// classifier keeps such a break as a line end (a new sentence may start
/// there), which loses the term. Cut lines take the first line's width (at
/// least `MIN_WRAP_WIDTH`), which two lines of the message must share.
/// `None` without such a cut.
pub(super) fn join_cuts_at_stops(
    text: &str,
    restores: impl Fn(&[u8], &[u8]) -> bool,
) -> Option<String> {
    let lines: Vec<&[u8]> = text.split('\n').map(|l| trim_cr(l.as_bytes())).collect();
    let w = width(lines[0]);
    if w < super::MIN_WRAP_WIDTH {
        return None;
    }
    let message = lines.iter().position(|l| is_tail(l)).unwrap_or(lines.len());
    let cut = |l: &[u8]| {
        let lw = width(l);
        lw <= w && same_width(lw, w)
    };
    if lines.iter().take(message).skip(1).all(|l| !cut(l)) {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut joined = false;
    for (i, l) in text.split('\n').enumerate() {
        out.push_str(l);
        if i + 1 == lines.len() {
            break;
        }
        let (a, b) = (lines[i], lines[i + 1]);
        if i + 1 < message
            && cut(a)
            && matches!(a.last(), Some(b'.' | b';' | b':' | b'!' | b'?'))
            && std::str::from_utf8(b)
                .ok()
                .and_then(|b| b.chars().next())
                .map_or(false, char::is_uppercase)
            && restores(a, b)
        {
            if out.ends_with('\r') {
                out.pop();
            }
            joined = true;
        } else {
            out.push('\n');
        }
    }
    if joined {
        Some(out)
    } else {
        None
    }
}

/// Widths of two lines cut at one console width: a wide character that
/// does not fit in the last cell moves to the next line, so a cut line may
/// be one cell short.
pub(super) fn same_width(a: usize, b: usize) -> bool {
    a == b || a + 1 == b || b + 1 == a
}

/// East Asian wide and fullwidth characters (Unicode EAW W and F, main blocks).
pub fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD)
}

/// Counts `needle` in `hay`; u8 lanes over 255-byte blocks so the compiler
/// vectorises it.
pub(super) fn count_byte(hay: &[u8], needle: u8) -> u64 {
    let mut total = 0u64;
    for block in hay.chunks(255) {
        let n: u8 = block
            .iter()
            .fold(0u8, |a, b| a.wrapping_add((*b == needle) as u8));
        total += n as u64;
    }
    total
}

/// Code units of UTF-16 that the UTF-8 text `part` (whole characters)
/// takes: one per character, two for those outside the BMP.
pub(super) fn utf16_units(part: &[u8]) -> u64 {
    let lead = part.iter().filter(|b| (**b & 0xC0) != 0x80).count() as u64;
    let astral = part.iter().filter(|b| **b >= 0xF0).count() as u64;
    lead + astral
}

/// The first `needle` in `hay` (vectorised, also in a debug build).
pub(super) fn memchr(needle: u8, hay: &[u8]) -> Option<usize> {
    memchr::memchr(needle, hay)
}

/// The last `needle` in `hay`.
pub(super) fn memrchr(needle: u8, hay: &[u8]) -> Option<usize> {
    memchr::memrchr(needle, hay)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_shapes() {
        assert!(is_start(b"New-PSSession : [host] Connecting"));
        assert!(is_start(b"New-PSSession: [host] Connecting"));
        assert!(is_start(b"C:\\Scripts\\run.ps1 : boom"));
        assert!(!is_start(b"WARNING: The names"));
        assert!(is_start("导入模块： 文件".as_bytes()));
        assert!(is_start(b"*New PSSession: [admin.vdomain.com] x"));
        assert!(is_start(b"get-help webticket: x"));
        assert!(is_start("获取 CsWebTicket *： 登录失败".as_bytes()));
        assert!(is_start(b"\\*New-PSSession: [admin.vdomain.com] x"));
        assert!(!is_start(b"Error count: 0. The quick brown fox."));
        assert!(!is_start(
            "새 PSSession: [admin.vdomain.com]에서".as_bytes()
        ));
        assert_eq!(width("导入a".as_bytes()), 5);
        assert!(is_record(b"WARNING: The names"));
        assert!(!is_start(b"    + CategoryInfo          : OpenError"));
        assert!(!is_start(b"At line:1 char:1"));
        assert!(is_tail(b"    + FullyQualifiedErrorId : x"));
        assert!(is_prompt(b"PS C:\\Users\\admin> Get-Date"));
    }
}

#[cfg(test)]
mod more_tests {
    use super::*;

    #[test]
    fn cuts_inside_a_word_or_sentence() {
        assert!(cut_mid_word(b"n'est pas recon", b"nu comme nom"));
        assert!(cut_mid_word(b"version 4", b"2.0"));
        assert!(cut_mid_word(b"the request, ", b"and then"));
        assert!(cut_mid_word(b"the request", b" and then"));
        // A sentence that ended, or a new thing that starts, is no cut.
        assert!(!cut_mid_word(b"the request.", b"next thing"));
        assert!(!cut_mid_word(b"the request", b"Status   Name"));
        assert!(!cut_mid_word(b"the request", b"  and then"));
        assert!(!cut_mid_word(b"", b"x"));
        assert!(!cut_mid_word(b"x\xff", b"y"));
    }

    #[test]
    fn widths_tables_and_counts() {
        assert!(same_width(80, 79) && same_width(79, 80) && !same_width(80, 78));
        assert_eq!(width(b"abc\r"), 3);
        assert_eq!(width("한국어".as_bytes()), 6);
        assert!(is_table_row(b"Running  WinRM"));
        assert!(is_table_row(b"  3      Session3"));
        assert!(!is_table_row(b"    Directory: C:\\x"));
        assert!(!is_blank(b"  x ") && is_blank(b" \t\r"));
        let hay: Vec<u8> = b"a\nb\n".iter().cycle().take(1000).copied().collect();
        assert_eq!(count_byte(&hay, b'\n'), 500);
        assert_eq!(count_byte(b"", b'\n'), 0);
        // "é" is one UTF-16 unit, "😀" two.
        assert_eq!(utf16_units("aé😀".as_bytes()), 4);
        assert_eq!(memchr(b'\n', b"ab\ncd\n"), Some(2));
        assert_eq!(memrchr(b'\n', b"ab\ncd\n"), Some(5));
        assert_eq!(memrchr(b'\n', b"abcd"), None);
    }

    #[test]
    fn word_wraps_break_only_before_a_word_that_did_not_fit() {
        assert_eq!(first_word_width(b"Processing user"), 10);
        assert_eq!(first_word_width(b"  Directory: C:"), 12);
        assert_eq!(first_word_width(b"word\r"), 4);
        // 87 cells used of at least 102: a 10-cell word would have fit.
        assert!(!word_did_not_fit(87, b"Processing user", 102));
        assert!(word_did_not_fit(95, b"Processing user", 102));
        assert!(word_did_not_fit(102, b"x", 102));
    }

    #[test]
    fn cuts_after_a_stop_are_joined_only_where_a_term_spans_them() {
        let restores = |a: &[u8], b: &[u8]| {
            let mut s = a.to_vec();
            s.extend_from_slice(b);
            let s = String::from_utf8(s).unwrap();
            s.contains("Microsoft.Identity.Client")
                && !String::from_utf8_lossy(a).contains("Client")
        };
        let w = "x".repeat(40);
        // Two lines of 51 cells, the first cut after `'Microsoft.`.
        let text = format!(
            "{}'Microsoft.\r\nIdentity.Client, {}\r\nThe end.\r\n+ tail",
            w,
            &w[..34]
        );
        assert_eq!(
            join_cuts_at_stops(&text, restores).as_deref(),
            Some(
                format!(
                    "{}'Microsoft.Identity.Client, {}\r\nThe end.\r\n+ tail",
                    w,
                    &w[..34]
                )
                .as_str()
            )
        );
        // No term across the cut, a first line too short, a single line of
        // the cut width, a cut in the tail: nothing to join.
        assert_eq!(
            join_cuts_at_stops(&format!("{}end.\nNext {}", w, &w[..39]), restores),
            None
        );
        assert_eq!(
            join_cuts_at_stops("short 'Microsoft.\nIdentity.Client", restores),
            None
        );
        assert_eq!(
            join_cuts_at_stops(&format!("{}'Microsoft.\nIdentity.Client", w), restores),
            None
        );
        assert_eq!(
            join_cuts_at_stops(
                &format!("{}\n+ {}'Microsoft.\n+ Identity.Client", w, &w[..28]),
                restores
            ),
            None
        );
    }
}
