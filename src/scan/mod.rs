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

mod block;
mod buffer;
mod decode;
mod lines;
mod memo;
mod options;
mod prefilter;

use serde::Serialize;
use std::collections::BTreeMap;

pub use lines::{is_error_head, is_wide};
pub use options::{parse_options, Encoding, Options, DEFAULT_MAX_HITS, MAX_MAX_HITS};
pub use prefilter::{prefilter_pieces, warm_up};

use buffer::{Cursor, Elided};
use decode::Decoder;
use prefilter::Prefilter;

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
    /// The classifier's answers for blocks seen before.
    memo: memo::Memo,
}

impl Scanner {
    pub fn new(opts: Options) -> Result<Scanner, String> {
        let pre = prefilter::prefilter()?;
        crate::classify::warm_up()?;
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
            memo: memo::Memo::default(),
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
}

/// Scans a whole buffer (through the streaming scanner, so memory stays
/// bounded by the scanner's window, not by `data`).
pub fn scan(data: &[u8], opts: Options) -> Result<ScanResult, String> {
    let mut s = Scanner::new(opts)?;
    s.feed(data)?;
    s.finish()
}
