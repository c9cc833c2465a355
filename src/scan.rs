//! Bulk scan of transcripts and logs: every occurrence of a catalog error,
//! with its line and byte offset, at grep speed and in bounded memory.
//!
//! How it works:
//! - **Decode.** The input's encoding is detected from its byte-order mark
//!   (UTF-8 with or without BOM, UTF-16 LE/BE with BOM; Windows PowerShell
//!   5.1's `Start-Transcript` and `Out-File` write UTF-16 LE) or given in the
//!   options. UTF-16 is transcoded to UTF-8 as it streams; UTF-8 is searched
//!   as raw bytes (invalid sequences are harmless).
//! - **Prefilter.** One case-insensitive literal set, built once from the
//!   catalog at run time (never a hand list): the classifier's trigger
//!   terms (for every required concept set of every problem, the terms of
//!   its rarest concept, in every language, as written and folded) and the
//!   codes' spellings (signed, unsigned, hex). An error holds several
//!   required sets, so a console wrap through one term leaves another.
//!   Lines without a piece cost one pass of a literal search.
//! - **Blocks.** Around each candidate line we rebuild the error as
//!   PowerShell printed it: the first line (`Verb-Noun : …`), the
//!   console-wrapped continuation lines (cut at one width), the position
//!   line and the `+ CategoryInfo` / `+ FullyQualifiedErrorId` tail. Only
//!   that block goes through the full classifier ([`crate::classify`]); a
//!   block that matches is one hit, reported at its first line.
//! - **Bounded.** The scanner keeps the unprocessed part of the last chunk,
//!   [`BACK_LINES`] lines of history and at most one pending error block,
//!   whatever the input size. Hits kept in the result are capped by
//!   `max_hits` (counts stay exact).
//! - **Any chunking, one result, linear work.** Chunks may cut lines,
//!   characters and UTF-16 code units anywhere; the result is the same for
//!   any chunking. One rule for long lines: a line longer than
//!   [`MAX_LINE`] bytes before its line feed (for UTF-16 input, bytes of
//!   its UTF-8 form; a carriage return counts) is counted but not searched:
//!   the scanner sees an empty line in its place, so it also ends an error
//!   block. A walk up from a candidate line never goes past
//!   [`BACK_LINES`] lines, which the history always holds, and a block that
//!   may go on past the text at hand is taken up again only after
//!   [`LOOKAHEAD_LINES`] more lines: each byte is examined a bounded number
//!   of times whatever the chunk size ([`Scanner::work`] counts them).
//!
//! Options (JSON object, every key optional, unknown keys ignored, a wrong
//! type is bad input):
//! - `"language"`: output language of the hit titles (one with a
//!   `catalog/texts/<lang>.json` file: `"en"`, `"fr"`, `"de"`, `"ja"`, or a
//!   culture name such as `"fr-FR"`); default `"en"`.
//! - `"max_hits"`: how many hits the result lists (0 to 1000000); default
//!   1000. `counts` always counts every hit; `"truncated": true` says some
//!   were left out.
//! - `"fields"`: whether each hit carries the fields cut from the error
//!   (user, host, path, versions); default `true`.
//! - `"encoding"`: `"auto"` (default: BOM, else UTF-8), `"utf-8"`,
//!   `"utf-16le"` or `"utf-16be"` (a matching BOM is still skipped).

use once_cell::sync::Lazy;
use regex::bytes::{Regex, RegexBuilder};
use serde::Serialize;
use std::collections::BTreeMap;

use crate::catalog;
use crate::classify;

/// Lines longer than this many bytes (line end excluded; for UTF-16 input,
/// bytes of its UTF-8 form) are counted but not searched: the scanner sees
/// an empty line in their place, whatever the chunking, so such a line also
/// ends an error block. No PowerShell error line is that long, and it
/// bounds the memory a line without end can take.
pub const MAX_LINE: usize = 64 * 1024;
/// Input is decoded and searched in slices of this size.
const SLICE: usize = 1 << 20;
/// How far back from a candidate line we look for the error's first line.
const MAX_BACK: usize = 16;
/// No walk from a candidate line goes further up than this many lines, and
/// the scanner always keeps this many lines of history before the text it
/// has not searched yet: so a candidate sees the same lines above it
/// whatever the chunk boundaries were.
const BACK_LINES: usize = 2 * MAX_BACK + 8;
/// The buffer is compacted once this much of it has been searched (and at
/// least twice the history kept by the last compaction, so that finding the
/// history again costs at most twice the new text).
const COMPACT_AT: usize = 64 * 1024;
/// Longest error block, in lines and in bytes of text classified.
const MAX_BLOCK_LINES: usize = 48;
/// A candidate whose block may go on past the text at hand is taken up
/// again only once this many more lines have arrived: by then the block's
/// end is certain (it is at most `MAX_BLOCK_LINES` long, and the walk looks
/// two lines past its last line), so it is resolved at most twice whatever
/// the chunk size.
const LOOKAHEAD_LINES: u64 = MAX_BLOCK_LINES as u64 + 4;
const MAX_BLOCK_TEXT: usize = 64 * 1024;
/// Lines shorter than this are never taken for console-wrapped lines.
const MIN_WRAP_WIDTH: usize = 40;
/// A word-wrapped line leaves at most this many cells free.
const WORD_WRAP_SLACK: usize = 24;

pub const DEFAULT_MAX_HITS: usize = 1000;
pub const MAX_MAX_HITS: usize = 1_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Auto,
    Utf8,
    Utf16Le,
    Utf16Be,
}

#[derive(Debug, Clone)]
pub struct Options {
    pub language: &'static str,
    pub max_hits: usize,
    pub fields: bool,
    pub encoding: Encoding,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            language: "en",
            max_hits: DEFAULT_MAX_HITS,
            fields: true,
            encoding: Encoding::Auto,
        }
    }
}

/// Parses the options document (see the module documentation). `None` or
/// an empty string gives the defaults. Like the other JSON documents, it is
/// refused before parsing when larger than
/// [`crate::ffi::CSOD_MAX_DOCUMENT_BYTES`] or nested deeper than
/// [`classify::CSOD_MAX_JSON_DEPTH`] (measured without recursion, so deep
/// options cannot overflow a small thread stack).
pub fn parse_options(json: Option<&str>) -> Result<Options, String> {
    let mut o = Options::default();
    let text = match json {
        None => return Ok(o),
        Some(t) => t,
    };
    crate::ffi::check_document_size(text.len(), "options_json")?;
    if text.trim().is_empty() {
        return Ok(o);
    }
    classify::check_json_depth(text, classify::CSOD_MAX_JSON_DEPTH, "options_json")?;
    let v: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("options are not valid JSON: {}", e))?;
    let obj = v
        .as_object()
        .ok_or_else(|| "options must be a JSON object".to_string())?;
    match obj.get("language") {
        None | Some(serde_json::Value::Null) => {}
        Some(serde_json::Value::String(s)) => o.language = catalog::output_language(Some(s))?,
        Some(_) => return Err("option \"language\" must be a string".into()),
    }
    match obj.get("max_hits") {
        None | Some(serde_json::Value::Null) => {}
        Some(serde_json::Value::Number(n)) => match n.as_u64() {
            Some(m) if m <= MAX_MAX_HITS as u64 => o.max_hits = m as usize,
            _ => {
                return Err(format!(
                    "option \"max_hits\" must be an integer from 0 to {}, not {}",
                    MAX_MAX_HITS, n
                ))
            }
        },
        Some(_) => return Err("option \"max_hits\" must be a number".into()),
    }
    match obj.get("fields") {
        None | Some(serde_json::Value::Null) => {}
        Some(serde_json::Value::Bool(b)) => o.fields = *b,
        Some(_) => return Err("option \"fields\" must be true or false".into()),
    }
    match obj.get("encoding") {
        None | Some(serde_json::Value::Null) => {}
        Some(serde_json::Value::String(s)) => {
            o.encoding = match s.to_ascii_lowercase().replace('_', "-").as_str() {
                "auto" => Encoding::Auto,
                "utf-8" | "utf8" => Encoding::Utf8,
                "utf-16le" | "utf-16" | "unicode" => Encoding::Utf16Le,
                "utf-16be" | "bigendianunicode" => Encoding::Utf16Be,
                other => {
                    return Err(format!(
                        "option \"encoding\" {:?} is not one of auto, utf-8, utf-16le, utf-16be",
                        other
                    ))
                }
            }
        }
        Some(_) => return Err("option \"encoding\" must be a string".into()),
    }
    Ok(o)
}

// ---------------------------------------------------------------------------
// Prefilter, derived from the catalog.

struct Prefilter {
    re: Regex,
    /// The language-free pieces only (the codes' spellings): a block holding
    /// one always goes to the classifier.
    signals: Regex,
    /// The literal pieces, for the bench and the tests.
    pieces: Vec<String>,
}

fn build_prefilter() -> Result<Prefilter, String> {
    // The classifier's trigger terms: for every required concept set of
    // every problem, the terms of its rarest concept, as written and folded
    // (a match is impossible without one of them).
    let mut pieces = classify::trigger_terms()?;
    let mut signals: Vec<String> = Vec::new();
    for v in classify::cue_codes()? {
        for spelling in [
            v.unsigned_abs().to_string(), // signed form, without its sign
            (v as u32).to_string(),
            format!("{:08x}", v as u32),
        ] {
            signals.push(spelling.clone());
            pieces.push(spelling);
        }
    }
    if signals.is_empty() {
        signals.push("[^\\s\\S]".into()); // matches nothing
    }
    let signals = RegexBuilder::new(&signals.join("|"))
        .case_insensitive(true)
        .build()
        .map_err(|e| format!("scan signal set does not compile: {}", e))?;
    let mut seen = std::collections::BTreeSet::new();
    pieces.retain(|p| seen.insert(p.to_lowercase()));
    // Longest first: the alternation prefers the more specific piece.
    pieces.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
    let alternation: Vec<String> = pieces.iter().map(|p| regex::escape(p)).collect();
    let re = RegexBuilder::new(&alternation.join("|"))
        .case_insensitive(true)
        .size_limit(64 << 20)
        .dfa_size_limit(64 << 20)
        .build()
        .map_err(|e| format!("scan prefilter does not compile: {}", e))?;
    Ok(Prefilter {
        re,
        signals,
        pieces,
    })
}

static PREFILTER: Lazy<Result<Prefilter, String>> = Lazy::new(build_prefilter);

fn prefilter() -> Result<&'static Prefilter, String> {
    match &*PREFILTER {
        Ok(p) => Ok(p),
        Err(e) => Err(e.clone()),
    }
}

/// The literal pieces the prefilter searches for (derived from the catalog).
pub fn prefilter_pieces() -> Result<Vec<String>, String> {
    Ok(prefilter()?.pieces.clone())
}

/// Builds the prefilter and the classifier now (otherwise on first use).
pub fn warm_up() -> Result<(), String> {
    prefilter()?;
    classify::warm_up()
}

// ---------------------------------------------------------------------------
// Line shapes.

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

fn trim_cr(l: &[u8]) -> &[u8] {
    match l.last() {
        Some(b'\r') => &l[..l.len() - 1],
        _ => l,
    }
}

fn is_blank(l: &[u8]) -> bool {
    l.iter().all(|b| b.is_ascii_whitespace())
}

/// The first line of PowerShell's error view: `Verb-Noun : message`
/// (`Verb-Noun: message` in PowerShell 7).
fn is_start(l: &[u8]) -> bool {
    START_RE.is_match(l)
}

/// Whether a line is the first line of PowerShell's error view as the
/// scanner recognises it (`Verb-Noun : …` and the variants above). An error
/// without such a head is placed at its first line only after a blank line
/// or a prompt.
pub fn is_error_head(line: &str) -> bool {
    is_start(line.as_bytes())
}

fn is_record(l: &[u8]) -> bool {
    RECORD_RE.is_match(l)
}

fn is_prompt(l: &[u8]) -> bool {
    PROMPT_RE.is_match(l)
}

/// A line of the error view's tail: `+ CategoryInfo : …`, `+ ~~~`.
fn is_tail(l: &[u8]) -> bool {
    l.iter()
        .find(|b| !b.is_ascii_whitespace())
        .map(|b| *b == b'+')
        .unwrap_or(false)
}

/// A line with a run of spaces inside it (a table row, aligned output).
fn is_table_row(l: &[u8]) -> bool {
    let t = trim_cr(l);
    let first = t.iter().position(|b| *b != b' ').unwrap_or(t.len());
    t[first..].windows(2).any(|w| w == b"  ")
}

/// Width in console cells, without the line end: East Asian wide
/// characters take two cells, and the console wraps at a number of cells.
fn width(l: &[u8]) -> usize {
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
fn cut_mid_word(a: &[u8], b: &[u8]) -> bool {
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

/// Widths of two lines cut at one console width: a wide character that
/// does not fit in the last cell moves to the next line, so a cut line may
/// be one cell short.
fn same_width(a: usize, b: usize) -> bool {
    a == b || a + 1 == b || b + 1 == a
}

/// East Asian wide and fullwidth characters (Unicode EAW W and F, main blocks).
pub fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD)
}

// ---------------------------------------------------------------------------
// The scanner.

#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    pub line: u64,
    pub offset: u64,
    pub id: String,
    pub confidence: f64,
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<BTreeMap<String, String>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ScanResult {
    pub schema: u32,
    pub language: String,
    pub encoding: &'static str,
    pub bytes: u64,
    pub lines: u64,
    pub hits: Vec<Hit>,
    pub counts: BTreeMap<String, u64>,
    pub truncated: bool,
}

enum Decoder {
    /// Waiting for up to three bytes to see a byte-order mark.
    Detect(Vec<u8>),
    Utf8,
    Utf16 {
        be: bool,
        odd: Option<u8>,
        high: Option<u16>,
    },
}

/// Counts newlines (and, for UTF-16 input, UTF-16 code units) up to a
/// position of the buffer, once for every byte of the input.
#[derive(Debug, Default, Clone, Copy)]
struct Cursor {
    pos: usize,
    newlines: u64,
    decoded: u64,
    units: u64,
}

enum Resolution {
    Defer,
    Block(usize, usize),
}

/// Text of an over-long line left out of the buffer just before `pos`,
/// still to be counted in offsets.
#[derive(Debug, Clone, Copy)]
struct Elided {
    pos: usize,
    bytes: u64,
    units: u64,
}

pub struct Scanner {
    opts: Options,
    pre: &'static Prefilter,
    decoder: Decoder,
    utf16: bool,
    bom: u64,
    encoding: &'static str,
    /// Decoded text: history, then text not yet searched. Over-long lines
    /// are left out (only their line end is kept).
    buf: Vec<u8>,
    /// Where the literal search resumes.
    scan_from: usize,
    /// Text before this belongs to an error block already handled.
    covered: usize,
    cursor: Cursor,
    /// Bytes of the open (unterminated) line, counting any left out.
    line_len: usize,
    /// Leaving out the rest of an over-long line.
    skipping: bool,
    /// Where over-long lines were left out, in buffer order.
    elided: std::collections::VecDeque<Elided>,
    /// Just after the last line end in the buffer.
    last_nl_end: usize,
    /// Line ends decoded so far.
    nl_total: u64,
    /// A deferred candidate waits until `nl_total` reaches this.
    resume_at: Option<u64>,
    /// History kept by the last compaction, in bytes.
    kept: usize,
    /// Bytes examined so far (searched, walked, counted, classified).
    work: std::cell::Cell<u64>,
    input_bytes: u64,
    last_decoded: Option<u8>,
    hits: Vec<Hit>,
    counts: BTreeMap<String, u64>,
    truncated: bool,
    finished: bool,
    scratch: Vec<u16>,
    scratch8: Vec<u8>,
}

impl Scanner {
    pub fn new(opts: Options) -> Result<Scanner, String> {
        let pre = prefilter()?;
        classify::warm_up()?;
        let (decoder, utf16, encoding) = match opts.encoding {
            Encoding::Auto => (Decoder::Detect(Vec::new()), false, "utf-8"),
            Encoding::Utf8 => (Decoder::Detect(Vec::new()), false, "utf-8"),
            Encoding::Utf16Le => (Decoder::Detect(Vec::new()), true, "utf-16le"),
            Encoding::Utf16Be => (Decoder::Detect(Vec::new()), true, "utf-16be"),
        };
        Ok(Scanner {
            opts,
            pre,
            decoder,
            utf16,
            bom: 0,
            encoding,
            buf: Vec::new(),
            scan_from: 0,
            covered: 0,
            cursor: Cursor::default(),
            line_len: 0,
            skipping: false,
            elided: std::collections::VecDeque::new(),
            last_nl_end: 0,
            nl_total: 0,
            resume_at: None,
            kept: 0,
            work: std::cell::Cell::new(0),
            input_bytes: 0,
            last_decoded: None,
            hits: Vec::new(),
            counts: BTreeMap::new(),
            truncated: false,
            finished: false,
            scratch: Vec::new(),
            scratch8: Vec::new(),
        })
    }

    /// Feeds the next bytes of the input (any chunk size).
    pub fn feed(&mut self, data: &[u8]) -> Result<(), String> {
        if self.finished {
            return Err("the scanner is finished: create a new one".into());
        }
        for slice in data.chunks(SLICE) {
            self.input_bytes += slice.len() as u64;
            self.decode(slice, false);
            self.step(false);
        }
        Ok(())
    }

    /// Bytes the scanner holds for its window (capacity of its buffer), for
    /// the memory tests.
    pub fn buffered_bytes(&self) -> usize {
        self.buf.capacity() + self.scratch.capacity() * 2 + self.scratch8.capacity()
    }

    /// Bytes examined so far: searched for the prefilter's pieces, walked
    /// over to find lines, counted for line numbers and offsets, and
    /// classified. The linearity tests compare it across chunk sizes.
    pub fn work(&self) -> u64 {
        self.work.get()
    }

    fn seen(&self, n: usize) {
        self.work.set(self.work.get() + n as u64);
    }

    /// Ends the input and returns the result. The scanner takes no more input.
    pub fn finish(&mut self) -> Result<ScanResult, String> {
        if self.finished {
            return Err("the scanner is already finished".into());
        }
        self.decode(&[], true);
        self.step(true);
        self.finished = true;
        let lines = self.cursor.newlines
            + match self.last_decoded {
                Some(b) if b != b'\n' => 1,
                _ => 0,
            };
        Ok(ScanResult {
            schema: 1,
            language: self.opts.language.to_string(),
            encoding: self.encoding,
            bytes: self.input_bytes,
            lines,
            hits: std::mem::take(&mut self.hits),
            counts: std::mem::take(&mut self.counts),
            truncated: self.truncated,
        })
    }

    fn decode(&mut self, data: &[u8], last: bool) {
        if let Decoder::Detect(head) = &mut self.decoder {
            head.extend_from_slice(data);
            if head.len() < 3 && !last {
                return;
            }
            let head = std::mem::take(head);
            let forced = self.opts.encoding;
            let (utf16, be, bom) = if head.starts_with(&[0xEF, 0xBB, 0xBF])
                && matches!(forced, Encoding::Auto | Encoding::Utf8)
            {
                (false, false, 3)
            } else if head.starts_with(&[0xFF, 0xFE])
                && matches!(forced, Encoding::Auto | Encoding::Utf16Le)
            {
                (true, false, 2)
            } else if head.starts_with(&[0xFE, 0xFF])
                && matches!(forced, Encoding::Auto | Encoding::Utf16Be)
            {
                (true, true, 2)
            } else {
                match forced {
                    Encoding::Utf16Le => (true, false, 0),
                    Encoding::Utf16Be => (true, true, 0),
                    _ => (false, false, 0),
                }
            };
            self.utf16 = utf16;
            self.bom = bom as u64;
            self.encoding = match (utf16, be) {
                (false, _) => "utf-8",
                (true, false) => "utf-16le",
                (true, true) => "utf-16be",
            };
            self.decoder = if utf16 {
                Decoder::Utf16 {
                    be,
                    odd: None,
                    high: None,
                }
            } else {
                Decoder::Utf8
            };
            let rest = head[bom..].to_vec();
            self.decode(&rest, last);
            return;
        }
        match &mut self.decoder {
            Decoder::Detect(_) => {}
            Decoder::Utf8 => self.push_decoded(data),
            Decoder::Utf16 { be, odd, high } => {
                let be = *be;
                let units = &mut self.scratch;
                units.clear();
                if let Some(h) = high.take() {
                    units.push(h);
                }
                let mut bytes = data;
                if let Some(o) = odd.take() {
                    if let Some((&b, rest)) = bytes.split_first() {
                        units.push(if be {
                            u16::from_be_bytes([o, b])
                        } else {
                            u16::from_le_bytes([o, b])
                        });
                        bytes = rest;
                    } else {
                        *odd = Some(o);
                    }
                }
                let pairs = bytes.chunks_exact(2);
                if let [o] = pairs.remainder() {
                    *odd = Some(*o);
                }
                for p in pairs {
                    units.push(if be {
                        u16::from_be_bytes([p[0], p[1]])
                    } else {
                        u16::from_le_bytes([p[0], p[1]])
                    });
                }
                if !last {
                    if let Some(&u) = units.last() {
                        if (0xD800..0xDC00).contains(&u) {
                            *high = Some(u);
                            units.pop();
                        }
                    }
                }
                let mut tmp = [0u8; 4];
                let mut text = std::mem::take(&mut self.scratch8);
                text.clear();
                for c in char::decode_utf16(units.iter().copied()) {
                    let c = c.unwrap_or(char::REPLACEMENT_CHARACTER);
                    text.extend_from_slice(c.encode_utf8(&mut tmp).as_bytes());
                }
                self.push_decoded(&text);
                self.scratch8 = text;
            }
        }
    }

    /// Appends decoded text to the buffer, line by line: the part of a line
    /// past `MAX_LINE` bytes, and what the buffer held of it, are left out
    /// (counted for offsets), so the buffer holds an empty line in its place
    /// however the input was cut into chunks.
    fn push_decoded(&mut self, data: &[u8]) {
        if let Some(b) = data.last() {
            self.last_decoded = Some(*b);
        }
        self.seen(data.len());
        let mut rest = data;
        while !rest.is_empty() {
            let (part, newline) = match memchr(b'\n', rest) {
                Some(i) => (&rest[..i], true),
                None => (rest, false),
            };
            if self.skipping {
                self.elide(part);
            } else if self.line_len + part.len() > MAX_LINE {
                let start = self.buf.len() - self.line_len;
                let held = self.buf.split_off(start);
                self.elide(&held);
                self.elide(part);
                self.skipping = true;
            } else {
                self.buf.extend_from_slice(part);
            }
            self.line_len += part.len();
            if newline {
                self.buf.push(b'\n');
                self.line_len = 0;
                self.skipping = false;
                self.last_nl_end = self.buf.len();
                self.nl_total += 1;
                rest = &rest[part.len() + 1..];
            } else {
                rest = &[];
            }
        }
    }

    /// Records text left out at the end of the buffer.
    fn elide(&mut self, part: &[u8]) {
        if part.is_empty() {
            return;
        }
        let units = if self.utf16 { utf16_units(part) } else { 0 };
        let pos = self.buf.len();
        match self.elided.back_mut() {
            Some(e) if e.pos == pos => {
                e.bytes += part.len() as u64;
                e.units += units;
            }
            _ => self.elided.push_back(Elided {
                pos,
                bytes: part.len() as u64,
                units,
            }),
        }
    }

    /// Counts newlines and code units up to `to` (text left out included).
    fn advance(&mut self, to: usize) {
        while let Some(e) = self.elided.front() {
            if e.pos > to {
                break;
            }
            self.cursor.decoded += e.bytes;
            self.cursor.units += e.units;
            self.elided.pop_front();
        }
        if to <= self.cursor.pos {
            return;
        }
        let part = &self.buf[self.cursor.pos..to];
        self.seen(part.len());
        self.cursor.newlines += count_byte(part, b'\n');
        self.cursor.decoded += part.len() as u64;
        if self.utf16 {
            self.cursor.units += utf16_units(part);
        }
        self.cursor.pos = to;
    }

    /// Line number (from 1) and input offset of a line start at or after
    /// the cursor.
    fn locate(&mut self, line_start: usize) -> (u64, u64) {
        self.advance(line_start);
        let offset = if self.utf16 {
            self.bom + 2 * self.cursor.units
        } else {
            self.bom + self.cursor.decoded
        };
        (self.cursor.newlines + 1, offset)
    }

    fn step(&mut self, last: bool) {
        // Whole lines only, until the end of the input.
        let limit = if last {
            self.buf.len()
        } else {
            self.last_nl_end
        };
        let waiting = match self.resume_at {
            Some(n) => !last && self.nl_total < n,
            None => false,
        };
        if !waiting {
            self.resume_at = None;
            self.search(limit, last);
        }
        if last {
            self.advance(self.buf.len());
            return;
        }
        self.compact();
    }

    /// Drops `buf[..n]` after counting it.
    fn drop_front(&mut self, n: usize) {
        self.advance(n);
        self.buf.drain(..n);
        self.cursor.pos -= n;
        self.scan_from = self.scan_from.saturating_sub(n);
        self.covered = self.covered.saturating_sub(n);
        self.last_nl_end = self.last_nl_end.saturating_sub(n);
        for e in self.elided.iter_mut() {
            e.pos -= n;
        }
    }

    /// Keeps `BACK_LINES` lines of history before the unsearched text.
    fn compact(&mut self) {
        if self.scan_from < COMPACT_AT.max(2 * self.kept) {
            // Not worth a move yet (small chunks would pay it every time).
            return;
        }
        let keep = self.lines_up(self.scan_from, BACK_LINES, 0);
        self.kept = self.scan_from - keep;
        if keep > 0 {
            self.drop_front(keep);
        }
    }

    /// The start of the line `n` lines above the line starting at `start`,
    /// or `floor` if that comes first.
    fn lines_up(&self, start: usize, n: usize, floor: usize) -> usize {
        let mut at = start;
        for _ in 0..n {
            if at <= floor || at == 0 {
                break;
            }
            at = match memrchr(b'\n', &self.buf[floor..at - 1]) {
                Some(i) => floor + i + 1,
                None => floor,
            };
        }
        self.seen(start - at);
        at
    }

    /// Searches `buf[scan_from..limit]` (whole lines) and handles every
    /// candidate. Without `force`, a block that may go on past `limit`
    /// waits for `LOOKAHEAD_LINES` more lines.
    fn search(&mut self, limit: usize, force: bool) {
        let mut at = self.scan_from;
        while at < limit {
            let m = match self.pre.re.find(&self.buf[at..limit]) {
                None => {
                    self.seen(limit - at);
                    break;
                }
                Some(m) => m,
            };
            self.seen(m.end());
            let pos = at + m.start();
            let line = match memrchr(b'\n', &self.buf[at..pos]) {
                Some(i) => at + i + 1,
                None => at,
            };
            let next_line = self.line_end(pos, limit);
            let next_line = if next_line < limit {
                next_line + 1
            } else {
                limit
            };
            if line < self.covered {
                at = next_line.max(self.covered.min(limit));
                continue;
            }
            // The lines a walk up from here may see: the same whatever the
            // chunking (see BACK_LINES).
            let floor = self.covered.max(self.cursor.pos).max(self.lines_up(
                line,
                BACK_LINES,
                self.covered.max(self.cursor.pos),
            ));
            match self.resolve(line, limit, force, floor) {
                Resolution::Defer => {
                    self.scan_from = line;
                    self.resume_at = Some(self.nl_total + LOOKAHEAD_LINES);
                    return;
                }
                Resolution::Block(start, end) => {
                    self.record(start, end);
                    self.covered = end.max(next_line);
                    at = self.covered;
                }
            }
        }
        self.scan_from = limit;
    }

    fn line_end(&self, start: usize, limit: usize) -> usize {
        let e = match memchr(b'\n', &self.buf[start..limit]) {
            Some(i) => start + i,
            None => limit,
        };
        self.seen(e - start);
        e
    }

    /// The line before the one starting at `start`, not before `floor`.
    fn prev_line(&self, start: usize, floor: usize) -> Option<(usize, usize)> {
        if start <= floor || start == 0 {
            return None;
        }
        let end = start - 1;
        let s = match memrchr(b'\n', &self.buf[floor..end]) {
            Some(i) => floor + i + 1,
            None => floor,
        };
        self.seen(end - s);
        if s > floor || s == 0 || self.buf[s - 1] == b'\n' {
            Some((s, end))
        } else {
            None
        }
    }

    /// The first line of the wrapped paragraph that holds line `h`.
    fn wrap_top(&self, h: (usize, usize), floor: usize) -> usize {
        let hl = &self.buf[h.0..h.1];
        let p = match self.prev_line(h.0, floor) {
            Some(p) => p,
            None => return h.0,
        };
        let w = width(&self.buf[p.0..p.1]);
        if w < MIN_WRAP_WIDTH || width(hl) > w + WORD_WRAP_SLACK {
            return h.0;
        }
        // A short line with aligned columns or an indent does not end a
        // wrapped message (unless the cut fell inside a word).
        if !same_width(width(hl), w)
            && (is_table_row(hl) || hl.starts_with(b"  "))
            && !cut_mid_word(&self.buf[p.0..p.1], hl)
        {
            return h.0;
        }
        // Up the lines that look wrapped: cut at one width, or word-wrapped
        // (nearly full). The topmost error head among them is the first
        // line (a wrapped line can look like a head too).
        let mut wmax = w.max(width(hl));
        let mut top = h.0;
        let mut exact = width(hl) <= w + 1;
        let mut head = if is_start(hl) { Some(h.0) } else { None };
        let mut above = 0;
        let mut j = Some(p);
        let mut below = h;
        while let Some((s, e)) = j {
            let l = &self.buf[s..e];
            let lw = width(l);
            // A line printed twice is output, not a message cut in two.
            if trim_cr(l) == trim_cr(&self.buf[below.0..below.1])
                || is_blank(l)
                || is_prompt(l)
                || is_tail(l)
                || lw < MIN_WRAP_WIDTH
                || lw + WORD_WRAP_SLACK < wmax
                || lw > wmax + WORD_WRAP_SLACK
            {
                break;
            }
            wmax = wmax.max(lw);
            if is_start(l) {
                head = Some(s);
            } else if is_table_row(l) {
                // Rows of a table share one width too; messages have no gaps.
                break;
            }
            if exact && same_width(lw, w) {
                top = s;
                above += 1;
            } else {
                exact = false;
            }
            if above >= MAX_BACK {
                break;
            }
            below = (s, e);
            j = self.prev_line(s, floor);
        }
        if let Some(s) = head {
            return s;
        }
        // Without a `Verb-Noun : ` head, a run of equal-width lines is taken
        // for a wrapped message only when it stands after a blank line or a
        // prompt (lines of ordinary output share a width too); otherwise the
        // hit is the line where the message is recognised.
        let after_break = match self.prev_line(top, floor) {
            None => true,
            Some((s, e)) => is_blank(&self.buf[s..e]) || is_prompt(&self.buf[s..e]),
        };
        if above >= 1 && after_break {
            top
        } else {
            h.0
        }
    }

    /// Finds the error block around the candidate line starting at `c`.
    fn resolve(&self, c: usize, limit: usize, force: bool, floor: usize) -> Resolution {
        let ce = self.line_end(c, limit);
        let start = if is_tail(&self.buf[c..ce]) {
            // Up over the tail to the message, past at most one position line.
            let mut m = (c, ce);
            let mut steps = 0;
            while let Some(p) = self.prev_line(m.0, floor) {
                if steps >= MAX_BACK {
                    break;
                }
                steps += 1;
                if is_tail(&self.buf[p.0..p.1]) {
                    m = p;
                    continue;
                }
                // A tail item wrapped at the console width: its second part
                // follows a long `+` line and is no wider.
                match self.prev_line(p.0, floor) {
                    Some(pp)
                        if is_tail(&self.buf[pp.0..pp.1])
                            && width(&self.buf[pp.0..pp.1]) >= MIN_WRAP_WIDTH
                            && width(&self.buf[p.0..p.1]) <= width(&self.buf[pp.0..pp.1]) =>
                    {
                        m = pp
                    }
                    _ => break,
                }
            }
            match self.prev_line(m.0, floor) {
                None => m.0,
                Some(p) => {
                    let l = &self.buf[p.0..p.1];
                    if is_blank(l) || is_prompt(l) {
                        m.0
                    } else {
                        let s1 = self.wrap_top(p, floor);
                        let e1 = self.line_end(s1, limit);
                        if is_start(&self.buf[s1..e1]) {
                            s1
                        } else {
                            match self.prev_line(p.0, floor) {
                                Some(q)
                                    if !is_blank(&self.buf[q.0..q.1])
                                        && !is_prompt(&self.buf[q.0..q.1]) =>
                                {
                                    let s2 = self.wrap_top(q, floor);
                                    let e2 = self.line_end(s2, limit);
                                    if is_start(&self.buf[s2..e2]) {
                                        s2
                                    } else {
                                        s1
                                    }
                                }
                                _ => s1,
                            }
                        }
                    }
                }
            }
        } else {
            self.wrap_top((c, ce), floor)
        };
        // Down from the first line: wrapped lines, position line, tail.
        let first_end = self.line_end(start, limit);
        let w = width(&self.buf[start..first_end]);
        let mut in_tail = is_tail(&self.buf[start..first_end]);
        let mut prev_w = w;
        let mut wmax = w;
        let mut end = first_end;
        let mut prev_start = start;
        let mut lines = 1;
        // The first line heads a wrapped paragraph if it is an error's first
        // line or if the next line has its width too (as in `wrap_top`).
        let first_is_head = is_start(&self.buf[start..first_end]);
        // A first line cut inside a word (a letter or digit at its end, a
        // lowercase letter or digit starting the next line) heads one too.
        let wrap_ok = first_is_head || {
            let next = first_end + 1;
            next < limit && {
                let nl = &self.buf[next..self.line_end(next, limit)];
                same_width(width(nl), w)
                    || (w >= MIN_WRAP_WIDTH && cut_mid_word(&self.buf[start..first_end], nl))
            }
        };
        loop {
            if lines >= MAX_BLOCK_LINES {
                break;
            }
            let next = end + 1;
            if next >= limit {
                if force {
                    break;
                }
                return Resolution::Defer;
            }
            let ne = self.line_end(next, limit);
            let l = &self.buf[next..ne];
            if is_blank(l) || is_prompt(l) {
                break;
            }
            let lw = width(l);
            // A line printed twice is output, not a message cut in two.
            let repeated = trim_cr(l) == trim_cr(&self.buf[prev_start..end]);
            let wrapped = !repeated && w >= MIN_WRAP_WIDTH && same_width(prev_w, w) && lw <= w + 1;
            let word_wrapped = !repeated
                && !in_tail
                && wrap_ok
                && prev_w >= MIN_WRAP_WIDTH
                && prev_w + WORD_WRAP_SLACK >= wmax
                && lw <= wmax + WORD_WRAP_SLACK
                && !is_tail(l)
                && !is_record(l);
            wmax = wmax.max(lw);
            // The short last line of a wrapped message has no aligned
            // columns, unless the cut fell inside a word,
            // nor an indent (`    Directory: …` after the message).
            let aligned_after = !same_width(lw, w)
                && (is_table_row(l) || l.starts_with(b"  "))
                && !cut_mid_word(&self.buf[prev_start..end], l);
            let take = if !in_tail
                && wrapped
                && wrap_ok
                && !aligned_after
                && !is_tail(l)
                && (first_is_head || !is_start(l))
            {
                // A wrapped line may begin with anything, even something
                // that looks like a head (`message : `, `le-programme\: `).
                true
            } else if is_start(l) {
                false
            } else if word_wrapped && !aligned_after {
                true
            } else if is_start(l) {
                false
            } else if is_tail(l) {
                in_tail = true;
                true
            } else if in_tail {
                // A tail item wrapped at the console width: cut at the
                // message's width, or wedged between two tail lines.
                if wrapped {
                    true
                } else if prev_w >= MIN_WRAP_WIDTH && lw <= prev_w && !is_record(l) {
                    let after = ne + 1;
                    if after >= limit {
                        if !force {
                            return Resolution::Defer;
                        }
                        false
                    } else {
                        let ae = self.line_end(after, limit);
                        is_tail(&self.buf[after..ae])
                    }
                } else {
                    false
                }
            } else if is_record(l) {
                false
            } else {
                // A position line ("At line:1 char:1") is followed by the
                // tail; the message's last wrapped line by the position line.
                let after = ne + 1;
                if after >= limit {
                    if !force {
                        return Resolution::Defer;
                    }
                    false
                } else {
                    let ae = self.line_end(after, limit);
                    let a = &self.buf[after..ae];
                    if is_tail(a) {
                        true
                    } else if in_tail || is_blank(a) || is_prompt(a) || is_start(a) {
                        false
                    } else if ae + 1 >= limit {
                        if !force {
                            return Resolution::Defer;
                        }
                        false
                    } else {
                        let be = self.line_end(ae + 1, limit);
                        is_tail(&self.buf[ae + 1..be])
                    }
                }
            };
            if !take {
                break;
            }
            prev_w = lw;
            prev_start = next;
            end = ne;
            lines += 1;
        }
        let end = end.max(ce);
        let end = if end < limit { end + 1 } else { end };
        Resolution::Block(start, end)
    }

    fn record(&mut self, start: usize, end: usize) {
        let raw = &self.buf[start..end.min(start + MAX_BLOCK_TEXT)];
        self.seen(raw.len());
        // Cheap check first: most candidates are ordinary lines that share
        // a few words with a message. The classifier can only match if a
        // pattern matches the block's key view or the block holds a signal.
        if !self.pre.signals.is_match(raw) && !classify::could_match(&String::from_utf8_lossy(raw))
        {
            return;
        }
        let text = String::from_utf8_lossy(raw).replace('\0', " ");
        let result = match classify::classify_text(&text, self.opts.language) {
            Ok(r) => r,
            Err(_) => return,
        };
        let top = match result.matches.into_iter().next() {
            Some(m) => m,
            None => return,
        };
        let (line, offset) = self.locate(start);
        *self.counts.entry(top.id.clone()).or_insert(0) += 1;
        if self.hits.len() >= self.opts.max_hits {
            self.truncated = true;
            return;
        }
        self.hits.push(Hit {
            line,
            offset,
            id: top.id,
            confidence: top.confidence,
            title: top.title,
            fields: if self.opts.fields {
                Some(top.fields)
            } else {
                None
            },
        });
    }
}

/// Counts `needle` in `hay`; u8 lanes over 255-byte blocks so the compiler
/// vectorises it.
fn count_byte(hay: &[u8], needle: u8) -> u64 {
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
fn utf16_units(part: &[u8]) -> u64 {
    let lead = part.iter().filter(|b| (**b & 0xC0) != 0x80).count() as u64;
    let astral = part.iter().filter(|b| **b >= 0xF0).count() as u64;
    lead + astral
}

fn memchr(needle: u8, hay: &[u8]) -> Option<usize> {
    // The C library's memchr: vectorised, also in a debug build.
    if hay.is_empty() {
        return None;
    }
    let p = unsafe {
        libc::memchr(
            hay.as_ptr() as *const libc::c_void,
            needle as i32,
            hay.len(),
        )
    };
    if p.is_null() {
        None
    } else {
        Some(p as usize - hay.as_ptr() as usize)
    }
}

fn memrchr(needle: u8, hay: &[u8]) -> Option<usize> {
    hay.iter().rposition(|b| *b == needle)
}

/// Scans a whole buffer (through the streaming scanner, so memory stays
/// bounded by the scanner's window, not by `data`).
pub fn scan(data: &[u8], opts: Options) -> Result<ScanResult, String> {
    let mut s = Scanner::new(opts)?;
    s.feed(data)?;
    s.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefilter_holds_the_rare_words_and_codes() {
        let p = prefilter_pieces().unwrap();
        for want in [
            "about_execution_polic",
            "pscredential",
            "rbac",
            "803381a5",
            "2144108123",
        ] {
            assert!(
                p.iter().any(|x| x.eq_ignore_ascii_case(want)),
                "{} not in prefilter",
                want
            );
        }
    }

    #[test]
    fn options_are_checked() {
        assert!(parse_options(None).is_ok());
        assert!(parse_options(Some("{\"max_hits\":-1}")).is_err());
        assert!(parse_options(Some("{\"fields\":1}")).is_err());
        assert!(parse_options(Some("{\"language\":\"xx\"}")).is_err());
        assert!(parse_options(Some("{\"encoding\":\"latin1\"}")).is_err());
        let o =
            parse_options(Some("{\"language\":\"fr-FR\",\"max_hits\":3,\"other\":[]}")).unwrap();
        assert_eq!((o.language, o.max_hits), ("fr", 3));
    }

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
