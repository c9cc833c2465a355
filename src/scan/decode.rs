//! Decoding: the byte-order mark, UTF-16 to UTF-8 as it streams, and the
//! one rule for over-long lines (left out, counted).

use super::buffer::Elided;
use super::lines::{memchr, utf16_units};
use super::{Encoding, Scanner, MAX_LINE};

pub(super) enum Decoder {
    /// Waiting for up to three bytes to see a byte-order mark.
    Detect(Vec<u8>),
    Utf8,
    Utf16 {
        be: bool,
        odd: Option<u8>,
        high: Option<u16>,
    },
}

impl Scanner {
    pub(super) fn decode(&mut self, data: &[u8], last: bool) {
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
    pub(super) fn push_decoded(&mut self, data: &[u8]) {
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
    pub(super) fn elide(&mut self, part: &[u8]) {
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
}

#[cfg(test)]
mod tests {
    use super::super::{Encoding, Options, Scanner, MAX_LINE};

    fn fed(data: &[u8], chunk: usize, encoding: Encoding) -> Scanner {
        let mut s = Scanner::new(Options {
            encoding,
            ..Options::default()
        })
        .unwrap();
        for c in data.chunks(chunk.max(1)) {
            s.decode(c, false);
        }
        s.decode(&[], true);
        s
    }

    #[test]
    fn byte_order_marks_are_seen_one_byte_at_a_time() {
        let s = fed(b"\xEF\xBB\xBFabc\n", 1, Encoding::Auto);
        assert_eq!((s.encoding, s.bom, &s.buf[..]), ("utf-8", 3, &b"abc\n"[..]));
        let s = fed(b"\xFF\xFEa\x00\n\x00", 1, Encoding::Auto);
        assert_eq!(
            (s.encoding, s.bom, &s.buf[..]),
            ("utf-16le", 2, &b"a\n"[..])
        );
        let s = fed(b"\xFE\xFF\x00a\x00\n", 1, Encoding::Auto);
        assert_eq!(
            (s.encoding, s.bom, &s.buf[..]),
            ("utf-16be", 2, &b"a\n"[..])
        );
        // Forced UTF-16 without a mark; a UTF-8 mark is not skipped then.
        let s = fed(b"a\x00", 1, Encoding::Utf16Le);
        assert_eq!((s.encoding, s.bom, &s.buf[..]), ("utf-16le", 0, &b"a"[..]));
        // Shorter than a mark.
        let s = fed(b"a", 1, Encoding::Auto);
        assert_eq!(&s.buf[..], b"a");
    }

    #[test]
    fn a_surrogate_pair_cut_between_chunks_is_one_character() {
        let mut data = vec![0xFF, 0xFE];
        for u in "x😀y".encode_utf16() {
            data.extend_from_slice(&u.to_le_bytes());
        }
        for chunk in 1..data.len() {
            let s = fed(&data, chunk, Encoding::Auto);
            assert_eq!(String::from_utf8_lossy(&s.buf), "x😀y", "chunk {}", chunk);
        }
        // A lone high surrogate at the end becomes U+FFFD.
        let s = fed(&[0xFF, 0xFE, 0x3D, 0xD8], 1, Encoding::Auto);
        assert_eq!(String::from_utf8_lossy(&s.buf), "\u{FFFD}");
    }

    #[test]
    fn an_over_long_line_is_left_out_and_counted() {
        let mut data = vec![b'x'; MAX_LINE + 10];
        data.extend_from_slice(b"\nok\n");
        for chunk in [7, 4096, data.len()] {
            let s = fed(&data, chunk, Encoding::Auto);
            assert_eq!(&s.buf[..], b"\nok\n", "chunk {}", chunk);
            let left: u64 = s.elided.iter().map(|e| e.bytes).sum();
            assert_eq!(left, (MAX_LINE + 10) as u64);
        }
    }
}
