//! Normalisation of error text before classification.
//!
//! An error reaches us as an admin copied it: console-wrapped at the buffer
//! width, followed by the `At line:1 char:1` / `+ CategoryInfo` /
//! `+ FullyQualifiedErrorId` tail, with typographic quotes, non-breaking
//! spaces and whatever a machine translation did to the spacing.
//!
//! We produce the `display` view: console wraps undone (a line cut at the
//! buffer width is joined to the next without a space), the tail removed,
//! whitespace collapsed, quotes unified, original case kept. Lines that were
//! not cut stay separate lines (`\n`): a sentence of an error does not run
//! on into the next line of a transcript. Fields (user, host, path) are cut
//! from it, and the classifier folds it into its lexical view
//! (`classify::view`).

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
    /// The other reading of a text whose lines may have been cut inside a
    /// word: a line that does not end a sentence, followed by one that
    /// starts with a letter or digit, is a word wrap (`display` joins them
    /// with a space) or a cut through a word (`InlineCreden` / `tial`; this
    /// view joins them without one). `None` when no line break is ambiguous.
    pub joined_display: Option<String>,
    pub tail: Tail,
    pub truncated: bool,
}

/// Marks, in the joined lines, a break that is a space or nothing.
const SOFT: char = '\u{1F}';

/// Unifies quotes and spaces for the display view.
fn display_char(c: char) -> char {
    match c {
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' | '\u{00B4}' | '`' => '\'',
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' => '"',
        '\n' => '\n',
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
fn split_tail<'a>(lines: &[&'a str]) -> (Vec<&'a str>, Tail) {
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
                message.push(*line);
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

/// Whether a line holds a whole error view flattened into it (a web page
/// that lost the line breaks): a ` + CategoryInfo` or
/// ` + FullyQualifiedErrorId` after its start (the property names are never
/// translated).
fn is_flattened(line: &str) -> bool {
    if line.trim_start().starts_with('+') || !line.contains(" + ") {
        return false;
    }
    let lower = line.to_ascii_lowercase();
    lower.contains(" + categoryinfo") || lower.contains(" + fullyqualifiederrorid")
}

/// The lines with each flattened error view split back at its ` + `
/// marks (the script line, the `~~~` marks and the tail items start with
/// one), so that the tail is parsed and the position dropped as usual.
/// `None` when no line is flattened.
fn unflatten_tail<'a>(lines: &[&'a str]) -> Option<Vec<&'a str>> {
    if !lines.iter().any(|l| is_flattened(l)) {
        return None;
    }
    let mut out = Vec::with_capacity(lines.len() + 4);
    for line in lines {
        if !is_flattened(line) {
            out.push(*line);
            continue;
        }
        // Split before every " + " that begins a script line, marks or a
        // tail item: the message before the first one stays a line.
        let mut start = 0;
        let bytes = line.as_bytes();
        let mut i = 0;
        while i + 2 < bytes.len() {
            if bytes[i] == b' ' && bytes[i + 1] == b'+' && bytes[i + 2] == b' ' {
                out.push(&line[start..i]);
                start = i + 1;
                i += 3;
                continue;
            }
            i += 1;
        }
        out.push(&line[start..]);
    }
    // A flattened FullyQualifiedErrorId runs on into what followed it (the
    // next error of the paste): the id is its first word, the rest a line.
    let mut split = Vec::with_capacity(out.len() + 2);
    for seg in out {
        let lower = seg.trim_start().to_ascii_lowercase();
        if lower.starts_with("+ fullyqualifiederrorid") {
            if let Some(colon) = seg.find(':') {
                let value = &seg[colon + 1..];
                let lead = value.len() - value.trim_start().len();
                let id_end = value[lead..]
                    .find(char::is_whitespace)
                    .map(|e| colon + 1 + lead + e);
                if let Some(e) = id_end {
                    let rest = seg[e..].trim();
                    if !rest.is_empty() {
                        split.push(&seg[..e]);
                        split.push(rest);
                        continue;
                    }
                }
            }
        }
        split.push(seg);
    }
    Some(split)
}

/// A line that starts a new error after a tail (`New-PSSession : ...`).
fn looks_like_new_error(trimmed: &str) -> bool {
    let head: String = trimmed.chars().take(60).collect();
    head.contains(" : ") || head.contains(": [")
}

/// Console cells a character takes: 2 for East Asian wide characters
/// (CJK ideographs, kana, Hangul, fullwidth forms), else 1.
fn cells(c: char) -> usize {
    match c as u32 {
        0x1100..=0x115F
        | 0x2E80..=0x303E
        | 0x3041..=0x33FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xA960..=0xA97F
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6 => 2,
        _ => 1,
    }
}

/// The widest line of a text, ending inside a word, before a line that
/// starts with a letter or digit: one wrapped line and its short rest may
/// be a cut at the console width too (`… un objet P` / `SCredential, …`).
fn maybe_cut(width: usize, prev: &str, line: &str) -> bool {
    width >= 40 && between_words(prev, line)
}

/// `prev` ends with a letter or digit (no trailing space) and `line` starts
/// with one: the break stands between two words, or cuts through one.
fn between_words(prev: &str, line: &str) -> bool {
    prev.trim_end().len() == prev.len()
        && prev
            .chars()
            .last()
            .map(|c| c.is_alphanumeric())
            .unwrap_or(false)
        && line
            .chars()
            .next()
            .map(|c| c.is_alphanumeric())
            .unwrap_or(false)
}

/// Console wrapping: PowerShell 5.1's console writes long lines cut at the
/// buffer width, so the wrapped lines of an error all take one width (in
/// cells: a wide character that does not fit in the last cell moves to the
/// next line, so a line holding wide characters may take one cell less).
/// When two or more lines take the widest width, those lines were cut and
/// are joined to the next without a space, unless the cut fell after a
/// sentence's end and a new sentence starts (then it stays a line break).
/// Other lines stay lines, except a line that does not end a sentence
/// followed by one that starts in lower case: a word wrap, joined with a
/// space.
fn unwrap_lines(lines: &[&str]) -> String {
    let widths: Vec<(usize, bool)> = lines
        .iter()
        .map(|l| {
            if l.is_ascii() {
                (l.len(), false)
            } else {
                let w: usize = l.chars().map(cells).sum();
                (w, l.chars().any(|c| cells(c) == 2))
            }
        })
        .collect();
    let max = widths.iter().map(|w| w.0).max().unwrap_or(0);
    let is_full = |(w, wide): (usize, bool)| w == max || (wide && w + 1 == max);
    // Lines cut at one width differ: a line printed twice is output.
    let mut full_lines: Vec<&str> = lines
        .iter()
        .zip(&widths)
        .filter(|(_, w)| is_full(**w))
        .map(|(l, _)| *l)
        .collect();
    full_lines.sort_unstable();
    full_lines.dedup();
    let full = full_lines.len();
    let wrapped = max >= 40 && full >= 2;
    let mut out = String::new();
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            let prev = lines[i - 1];
            let prev_cut = wrapped && is_full(widths[i - 1]);
            let prev_ends = prev
                .trim_end()
                .ends_with(['.', ';', ':', '!', '?', '\u{3002}']);
            let next = line.trim_start().chars().next();
            let next_lower = next.map(|c| c.is_lowercase()).unwrap_or(false);
            if prev_cut {
                // A cut that fell after a sentence's end, before a new one.
                if prev_ends && next.map(|c| c.is_uppercase()).unwrap_or(false) {
                    out.push('\n');
                }
            } else if !prev_ends
                && (next_lower
                    || (widths[i - 1].0 == max && maybe_cut(max, prev, line))
                    || prev
                        .trim_end()
                        .chars()
                        .last()
                        .map(|c| cells(c) == 2)
                        .unwrap_or(false))
            {
                // A word wrap (documentation, mail), or a CJK line that has
                // not reached its stop: the sentence goes on. Between two
                // letters it may also be a cut through a word.
                out.push(if between_words(prev, line) { SOFT } else { ' ' });
            } else {
                out.push('\n');
            }
        }
        out.push_str(line);
    }
    out
}

/// PowerShell 7's ConciseView prints an error raised at a script position
/// under a gutter:
///
/// ```text
/// Connect-MgGraph: C:\scripts\report.ps1:12
/// Line |
///   12 |  Connect-MgGraph -NoWelcome
///      |  ~~~~~~~~~~~~~~~~~~~~~~~~~~
///      | A parameter cannot be found that matches parameter name
///      | 'NoWelcome'.
/// ```
///
/// The `Line |` head, the script line (`12 | ...`) and the `~~~~` marks are
/// position, dropped like Windows PowerShell's `+ ...` lines; the message
/// lines lose their gutter. PowerShell wraps the message at the console
/// width between words, so a gutter line that does not end a sentence goes
/// on, with a space, on the next. `None` when the text has no such gutter.
fn concise_view(lines: &[&str]) -> Option<Vec<String>> {
    if !lines.iter().any(|l| l.trim() == "Line |") {
        return None;
    }
    let mut out: Vec<String> = Vec::with_capacity(lines.len());
    let mut in_gutter = false;
    let mut message_goes_on = false;
    for line in lines {
        let trimmed = line.trim();
        if trimmed == "Line |" {
            in_gutter = true;
            message_goes_on = false;
            continue;
        }
        if in_gutter {
            if let Some((head, rest)) = trimmed.split_once('|') {
                let head = head.trim();
                if !head.is_empty() && head.chars().all(|c| c.is_ascii_digit()) {
                    // The script line at the error's position; a paste that
                    // lost the line breaks has the marks and the message on
                    // it too (`12 | code   | ~~~~   | message`).
                    message_goes_on = false;
                    if let Some(message) = after_marks(rest) {
                        out.push(message.to_string());
                        message_goes_on = !message.ends_with(['.', ';', ':', '!', '?', '\u{3002}']);
                    }
                    continue;
                }
                if head.is_empty() {
                    let rest = rest.trim();
                    if rest.is_empty() || rest.chars().all(|c| c == '~') {
                        continue;
                    }
                    match out.last_mut() {
                        Some(prev) if message_goes_on => {
                            prev.push(' ');
                            prev.push_str(rest);
                        }
                        _ => out.push(rest.to_string()),
                    }
                    message_goes_on = !rest.ends_with(['.', ';', ':', '!', '?', '\u{3002}']);
                    continue;
                }
            }
            in_gutter = false;
        }
        out.push(line.to_string());
    }
    Some(out)
}

/// The message after the `| ~~~~ |` marks on a script line whose line
/// breaks were lost in the paste, if any.
fn after_marks(rest: &str) -> Option<&str> {
    let mut parts = rest.splitn(3, '|');
    parts.next()?;
    let marks = parts.next()?.trim();
    let message = parts.next()?.trim();
    (!marks.is_empty() && marks.chars().all(|c| c == '~') && !message.is_empty()).then_some(message)
}

/// Normalises error text into its display view.
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
    let repaired = crate::repair::repair(text);
    let text: &str = &repaired;
    let mut lines: Vec<&str> = text.split('\n').map(|l| l.trim_end_matches('\r')).collect();
    let concise = concise_view(&lines);
    if let Some(c) = &concise {
        lines = c.iter().map(|l| l.as_str()).collect();
    }
    if let Some(u) = unflatten_tail(&lines) {
        lines = u;
    }
    let (message_lines, tail) = split_tail(&lines);
    let joined = unwrap_lines(&message_lines);

    let display = build_display(&joined, Some(' '));
    let joined_display = if joined.contains(SOFT) {
        Some(build_display(&joined, None))
    } else {
        None
    };
    Normalized {
        display,
        joined_display,
        tail,
        truncated,
    }
}

/// The display view of joined lines; `soft` is what an ambiguous break
/// becomes (a space, or nothing).
fn build_display(joined: &str, soft: Option<char>) -> String {
    let mut display = String::with_capacity(joined.len());
    // Pending whitespace: a line break wins over the spaces around it.
    let mut pending: Option<char> = None;
    let mut last_backslash = false;
    for c in joined.chars() {
        let c = if c == SOFT {
            match soft {
                Some(s) => s,
                None => continue,
            }
        } else {
            c
        };
        let d = display_char(c);
        if d == ' ' || d == '\n' {
            if d == '\n' || pending.is_none() {
                pending = Some(d);
            }
            continue;
        }
        if let Some(p) = pending.take() {
            if !display.is_empty() {
                display.push(p);
            }
        }
        // Documentation copies carry markdown-escaped backslashes: `C:\\Program Files`.
        if d == '\\' && last_backslash {
            continue;
        }
        last_backslash = d == '\\';
        display.push(d);
    }
    display
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_and_spaces_are_unified_and_lines_kept() {
        let n =
            normalize("L\u{2019}utilisateur \u{00AB} Ken \u{00BB}\u{00A0}:  X.\n  Second line ");
        assert_eq!(
            n.display,
            "L'utilisateur \u{00AB} Ken \u{00BB} : X.\nSecond line"
        );
        // A word wrap (lower case goes on, no sentence end) is one line.
        let n = normalize("The script\nwill not run.");
        assert_eq!(n.display, "The script will not run.");
    }

    #[test]
    fn powershell_7_gutter_is_read_as_the_message() {
        let text = "Connect-MgGraph: C:\\scripts\\report.ps1:12\nLine |\n  12 |  Connect-ExchangeOnline -Credential $c; Connect-MgGraph -NoWelcome\n     |  ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n     | A parameter cannot be found that matches parameter\n     | name 'NoWelcome'.\n     | Second sentence.";
        let n = normalize(text);
        assert_eq!(
            n.display,
            "Connect-MgGraph: C:\\scripts\\report.ps1:12\nA parameter cannot be found that matches parameter name 'NoWelcome'.\nSecond sentence."
        );
        // A paste that lost the line breaks: marks and message on the script line.
        let flat = "New-ExoPSSession: C:\\m.psm1:475\nLine |\n 475 |  … New-ExoPSSession -X $y …      |  ~~~~~~~~~~~      | Create Powershell Session is failed using OAuth";
        assert_eq!(
            normalize(flat).display,
            "New-ExoPSSession: C:\\m.psm1:475\nCreate Powershell Session is failed using OAuth"
        );
        // Without the gutter's head, bars are text (a table, a pipeline).
        let table = "Name | Value\n   1 | TrustedHosts\n     | ~~";
        assert!(normalize(table).display.contains("1 | TrustedHosts"));
    }

    #[test]
    fn console_wraps_are_joined_without_space() {
        let line = "New-PSSession : [admin.example.com] Connecting to remote server admin.example.com failed with the following error message : The WS-Management service cannot process the request. The maximum number of concurrent shells for this user has been exceeded.";
        let chars: Vec<char> = line.chars().collect();
        let wrapped: Vec<String> = chars.chunks(80).map(|c| c.iter().collect()).collect();
        let text = format!("{}\nAt line:1 char:1", wrapped.join("\n"));
        let n = normalize(&text);
        assert!(n.display.starts_with(line), "{}", n.display);
        assert!(!n.display[..line.len()].contains('\n'), "{}", n.display);
    }

    #[test]
    fn wide_wraps_are_joined_and_sentence_ends_kept() {
        // Cut at 40 cells: a wide character that does not fit moves on.
        let line = "New-PSSession : [h.example.com] リモート サーバーへの接続に失敗しました。このテナントに接続する機能が無効になっています。";
        let mut rows = vec![String::new()];
        let mut used = 0;
        for c in line.chars() {
            if used + cells(c) > 40 {
                rows.push(String::new());
                used = 0;
            }
            rows.last_mut().unwrap().push(c);
            used += cells(c);
        }
        assert!(rows.len() >= 3);
        let n = normalize(&rows.join("\n"));
        assert!(n.display.contains("このテナントに接続"), "{:?}", n.display);
        // Two lines of one width that end a sentence are not glued.
        let a = "Le module a été chargé. La stratégie est désactivée pour ce test.";
        let n = normalize(&format!("{}\n{}\nLogon script finished.", a, a));
        assert_eq!(n.display.matches('\n').count(), 2, "{:?}", n.display);
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
    fn markdown_backslashes_collapse() {
        let n = normalize("C :\\\\Program Files\\\\x\u{FF08}\u{FF21}\u{FF09}");
        assert_eq!(n.display, "C :\\Program Files\\x\u{FF08}\u{FF21}\u{FF09}");
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
