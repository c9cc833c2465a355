//! The window: counting lines and offsets once per byte, keeping
//! `BACK_LINES` lines of history, and finding lines in it.

use super::lines::{count_byte, memchr, memrchr, utf16_units};
use super::{Scanner, BACK_LINES, COMPACT_AT};

/// Counts newlines (and, for UTF-16 input, UTF-16 code units) up to a
/// position of the buffer, once for every byte of the input.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Cursor {
    pub(super) pos: usize,
    pub(super) newlines: u64,
    pub(super) decoded: u64,
    pub(super) units: u64,
}

/// Text of an over-long line left out of the buffer just before `pos`,
/// still to be counted in offsets.
#[derive(Debug, Clone, Copy)]
pub(super) struct Elided {
    pub(super) pos: usize,
    pub(super) bytes: u64,
    pub(super) units: u64,
}

impl Scanner {
    pub(super) fn seen(&self, n: usize) {
        self.work.set(self.work.get() + n as u64);
    }

    /// Counts newlines and code units up to `to` (text left out included).
    pub(super) fn advance(&mut self, to: usize) {
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
    pub(super) fn locate(&mut self, line_start: usize) -> (u64, u64) {
        self.advance(line_start);
        let offset = if self.utf16 {
            self.bom + 2 * self.cursor.units
        } else {
            self.bom + self.cursor.decoded
        };
        (self.cursor.newlines + 1, offset)
    }

    pub(super) fn step(&mut self, last: bool) {
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
    pub(super) fn drop_front(&mut self, n: usize) {
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
    pub(super) fn compact(&mut self) {
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
    pub(super) fn lines_up(&self, start: usize, n: usize, floor: usize) -> usize {
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

    pub(super) fn line_end(&self, start: usize, limit: usize) -> usize {
        let e = match memchr(b'\n', &self.buf[start..limit]) {
            Some(i) => start + i,
            None => limit,
        };
        self.seen(e - start);
        e
    }

    /// The line before the one starting at `start`, not before `floor`.
    pub(super) fn prev_line(&self, start: usize, floor: usize) -> Option<(usize, usize)> {
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
}

#[cfg(test)]
mod tests {
    use super::super::{Options, Scanner};

    fn scanner_with(text: &[u8]) -> Scanner {
        let mut s = Scanner::new(Options::default()).unwrap();
        s.decode(text, false);
        s
    }

    #[test]
    fn lines_are_found_up_and_down() {
        let s = scanner_with(b"one\ntwo\nthree\n");
        assert_eq!(s.line_end(4, s.buf.len()), 7);
        assert_eq!(s.prev_line(8, 0), Some((4, 7)));
        assert_eq!(s.prev_line(4, 0), Some((0, 3)));
        assert_eq!(s.prev_line(0, 0), None);
        // Not past the floor, and not a line cut by it.
        assert_eq!(s.prev_line(8, 5), None);
        assert_eq!(s.lines_up(8, 1, 0), 4);
        assert_eq!(s.lines_up(8, 5, 0), 0);
        assert_eq!(s.lines_up(8, 5, 4), 4);
    }

    #[test]
    fn line_numbers_and_offsets_survive_compaction() {
        let mut s = scanner_with(b"");
        let line = b"some ordinary line of output\n";
        for _ in 0..10_000 {
            s.decode(line, false);
        }
        s.scan_from = s.buf.len();
        s.compact();
        assert!(s.buf.len() < line.len() * 10_000, "nothing was dropped");
        s.decode(b"last\n", false);
        let at = s.buf.len() - 5;
        assert_eq!(s.locate(at), (10_001, (line.len() * 10_000) as u64));
    }
}
