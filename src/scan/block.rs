//! Error blocks: around each candidate line, the error as PowerShell
//! printed it (first line, console-wrapped lines, position line, tail),
//! classified as one text.

use super::lines::*;
use super::memo::Answer;
use super::{
    Hit, Scanner, BACK_LINES, LOOKAHEAD_LINES, MAX_BACK, MAX_BLOCK_LINES, MAX_BLOCK_TEXT,
    MIN_WRAP_WIDTH, WORD_WRAP_SLACK,
};
use crate::classify;

pub(super) enum Resolution {
    Defer,
    Block(usize, usize),
}

impl Scanner {
    /// Searches `buf[scan_from..limit]` (whole lines) and handles every
    /// candidate. Without `force`, a block that may go on past `limit`
    /// waits for `LOOKAHEAD_LINES` more lines.
    pub(super) fn search(&mut self, limit: usize, force: bool) {
        let mut at = self.scan_from;
        // Where the next piece found at or after `at` starts, and the next
        // line after `at - 1` and `covered` that goes on with a piece the
        // console cut in two; `Some(None)` once there is none before
        // `limit`. Each is looked for again only once `at` or `covered` has
        // passed it, so each byte is searched once.
        let mut piece: Option<Option<usize>> = None;
        let mut seam: Option<Option<usize>> = None;
        while at < limit {
            if piece.map_or(true, |p| p.map_or(false, |s| s < at)) {
                piece = Some(match self.pre.find(&self.buf[..limit], at) {
                    None => {
                        self.seen(limit - at);
                        None
                    }
                    Some((start, end)) => {
                        self.seen(end - at);
                        Some(start)
                    }
                });
            }
            if seam.map_or(true, |b| b.map_or(false, |b| b < at || b <= self.covered)) {
                seam = Some(self.next_seam(at, limit));
            }
            // The candidate line, and a position in it.
            let (line, pos) = match (piece.flatten(), seam.flatten()) {
                (None, None) => break,
                (Some(pos), b) => {
                    let line = match memrchr(b'\n', &self.buf[at..pos]) {
                        Some(i) => at + i + 1,
                        None => at,
                    };
                    match b {
                        Some(b) if b < line => (b, b),
                        _ => (line, pos),
                    }
                }
                (None, Some(b)) => (b, b),
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

    /// The first line at or after `from` (before `limit`) that goes on
    /// with a prefilter piece cut in two by a console wrap: the line above
    /// is as wide as a wrapped line, ends inside a word and the next starts
    /// inside one, and a piece spans the cut. The line end just before
    /// `from` counts too (the line after it may have arrived only now).
    fn next_seam(&self, from: usize, limit: usize) -> Option<usize> {
        let mut p = from.saturating_sub(1).max(self.covered);
        while p < limit {
            let nl = match memchr(b'\n', &self.buf[p..limit]) {
                Some(i) => p + i,
                None => {
                    self.seen(limit - p);
                    return None;
                }
            };
            self.seen(nl + 1 - p);
            let b = nl + 1;
            if b >= limit {
                return None;
            }
            p = b;
            let a_end = if nl > 0 && self.buf[nl - 1] == b'\r' {
                nl - 1
            } else {
                nl
            };
            if a_end == 0
                || !self.pre.inner[self.buf[a_end - 1] as usize]
                || !self.pre.inner[self.buf[b] as usize]
                || !self.pre.may_span(
                    &self.buf[a_end.saturating_sub(2)..a_end],
                    &self.buf[b..limit.min(b + 2)],
                )
            {
                continue;
            }
            let a_start = match memrchr(b'\n', &self.buf[..nl]) {
                Some(i) => i + 1,
                None => 0,
            };
            let b_end = self.line_end(b, limit);
            let aw = width(&self.buf[a_start..a_end]);
            if aw < MIN_WRAP_WIDTH || width(&self.buf[b..b_end]) > aw + 1 {
                continue;
            }
            self.seen(a_end - a_start);
            if self
                .pre
                .spans_join(&self.buf[a_start..a_end], trim_cr(&self.buf[b..b_end]))
            {
                return Some(b);
            }
        }
        None
    }

    /// The first line of the wrapped paragraph that holds line `h`.
    pub(super) fn wrap_top(&self, h: (usize, usize), floor: usize) -> usize {
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
                || !word_did_not_fit(lw, &self.buf[below.0..below.1], wmax.max(lw))
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
    pub(super) fn resolve(&self, c: usize, limit: usize, force: bool, floor: usize) -> Resolution {
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
                && word_did_not_fit(prev_w, l, wmax)
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
                    match self.look_at(ne + 1, limit, force, |a, _| Some(is_tail(a))) {
                        Some(t) => t,
                        None => return Resolution::Defer,
                    }
                } else {
                    false
                }
            } else if is_record(l) {
                false
            } else {
                // A position line ("At line:1 char:1") is followed by the
                // tail; the message's last wrapped line by the position line.
                let take = self.look_at(ne + 1, limit, force, |a, ae| {
                    if is_tail(a) {
                        Some(true)
                    } else if in_tail || is_blank(a) || is_prompt(a) || is_start(a) {
                        Some(false)
                    } else {
                        self.look_at(ae + 1, limit, force, |b, _| Some(is_tail(b)))
                    }
                });
                match take {
                    Some(t) => t,
                    None => return Resolution::Defer,
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

    /// Looks at the line starting at `start` (`what` gets it and its end):
    /// `None` when it has not arrived yet (without `force` the block waits
    /// for it), `Some(false)` when the input ended before it.
    fn look_at(
        &self,
        start: usize,
        limit: usize,
        force: bool,
        what: impl FnOnce(&[u8], usize) -> Option<bool>,
    ) -> Option<bool> {
        if start >= limit {
            return if force { Some(false) } else { None };
        }
        let end = self.line_end(start, limit);
        what(&self.buf[start..end], end)
    }

    pub(super) fn record(&mut self, start: usize, end: usize) {
        let raw = &self.buf[start..end.min(start + MAX_BLOCK_TEXT)];
        self.seen(raw.len());
        let top = match self.memo.get(raw) {
            Some(known) => known,
            None => {
                let answer = self.classify_block(raw);
                self.memo.put(raw, answer.clone());
                answer
            }
        };
        let top = match top {
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

    /// The classifier's best match for a block's bytes.
    fn classify_block(&self, raw: &[u8]) -> Option<Answer> {
        let signal = self.pre.signals.is_match(raw);
        let text = String::from_utf8_lossy(raw).replace('\0', " ");
        // The block as printed, then with its cuts after a sentence's end
        // joined (a term cut at its dot).
        let joined = join_cuts_at_stops(&text, |a, b| self.pre.spans_join(a, b));
        let mut top = None;
        for t in std::iter::once(&text).chain(joined.as_ref()) {
            // Cheap check first: most candidates are ordinary lines that
            // share a few words with a message. The classifier can only
            // match if a pattern matches the block's key view or the block
            // holds a signal.
            if !signal && !classify::could_match(t) {
                continue;
            }
            if let Ok(r) = classify::classify_text(t, self.opts.language) {
                top = r.matches.into_iter().next();
                if top.is_some() {
                    break;
                }
            }
        }
        top.map(|m| Answer {
            id: m.id,
            confidence: m.confidence,
            title: m.title,
            fields: m.fields,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Options, Scanner};
    use super::Resolution;

    fn block_of(text: &str, candidate_line: usize) -> String {
        let mut s = Scanner::new(Options::default()).unwrap();
        s.decode(text.as_bytes(), false);
        let c = text
            .split_inclusive('\n')
            .take(candidate_line)
            .map(str::len)
            .sum::<usize>();
        match s.resolve(c, s.buf.len(), true, 0) {
            Resolution::Block(a, b) => String::from_utf8_lossy(&s.buf[a..b]).into_owned(),
            Resolution::Defer => panic!("deferred with force"),
        }
    }

    #[test]
    fn a_wrapped_error_with_its_tail_is_one_block() {
        let text = "PS C:\\> x\nNew-PSSession : [h] Connecting to remote server h failed with the fol\nlowing error message : Access is denied. For more information, see the \nabout_Remote_Troubleshooting Help topic.\nAt line:1 char:1\n+ New-PSSession h\n+ ~~~~~~~~~~~~~~~\n    + CategoryInfo          : OpenError\n\nnext\n";
        // From the middle line, from the tail: the same block.
        let want = &text[10..text.find("\n\nnext").unwrap() + 1];
        assert_eq!(block_of(text, 2), want);
        assert_eq!(block_of(text, 7), want);
    }

    #[test]
    fn a_line_printed_twice_is_not_one_message() {
        let one =
            "Get-CsWebTicket : Failed to connect live id servers. Make sure proxy is enabled.\n";
        let text = format!("{}{}", one, one);
        assert_eq!(block_of(&text, 0), one);
        assert_eq!(block_of(&text, 1), one);
    }

    /// Cuts `text` into lines of `width` characters (ASCII and Latin
    /// text), as the console does.
    fn cut(text: &str, width: usize) -> String {
        let chars: Vec<char> = text.chars().collect();
        let lines: Vec<String> = chars.chunks(width).map(|c| c.iter().collect()).collect();
        lines.join("\n")
    }

    fn hits(text: &str) -> Vec<(u64, String)> {
        super::super::scan(text.as_bytes(), Options::default())
            .unwrap()
            .hits
            .into_iter()
            .map(|h| (h.line, h.id))
            .collect()
    }

    #[test]
    fn an_error_whose_terms_are_all_cut_by_the_console_is_found() {
        // At 86 columns the cuts fall inside `Anme|ldung`, `Credenti|al`
        // and `Kennwo|rt`: no prefilter piece is left whole on a line, so
        // only the cut itself makes the block a candidate. Before, the
        // error was not found.
        let msg = "ManagementService.log: Fehler CceService: 0: Unerwartete Ausnahme beim Statusberichte zu online: System.Management.Automation.CmdletInvocationException: Fehler bei der Anmeldung f\u{fc}r den Benutzer admin@contoso.onmicrosoft.com. Erstellen Sie ein neues Credential-Objekt, und stellen Sie sicher, dass Sie den richtigen Benutzernamen und das Kennwort verwendet haben.";
        let wrapped = cut(msg, 86);
        assert!(wrapped.contains("Anme\nldung") && wrapped.contains("Credenti\nal"));
        for crlf in [false, true] {
            let text = format!("Status   Name\n\n{}\n\nPS C:\\> Get-Date\n", wrapped);
            let text = if crlf {
                text.replace('\n', "\r\n")
            } else {
                text
            };
            assert_eq!(hits(&text), vec![(3, "logon_failed".to_string())]);
        }
        // Any chunking: the line after the cut may arrive after its search.
        let text = format!("x\n\n{}\n", wrapped);
        let whole = super::super::scan(text.as_bytes(), Options::default()).unwrap();
        for chunk in [1, 7, 90, 200] {
            let mut s = Scanner::new(Options::default()).unwrap();
            for c in text.as_bytes().chunks(chunk) {
                s.feed(c).unwrap();
            }
            let r = s.finish().unwrap();
            assert_eq!(r.counts, whole.counts, "chunks of {}", chunk);
            assert_eq!(r.hits.len(), 1, "chunks of {}", chunk);
        }
    }

    #[test]
    fn a_line_after_a_cut_message_whose_first_word_would_have_fit_is_not_its_end() {
        // The message is cut at 102 columns; its last line leaves 15 cells
        // free, so a word-wrapped paragraph would have taken `Processing`
        // there: the next line is other output, not the message's end.
        // Before, it was taken in and its `policy disabled` turned the
        // block into another problem.
        let msg = cut("Enable-CsOnlineSessionForReconnection : Le terme \u{ab}Enable-CsOnlineSessionForReconnection\u{bb} n'est pas reconnu comme nom d'applet de commande, fonction, fichier de script ou programme ex\u{e9}cutable.", 102);
        let noise = "Processing user 1843 of 12000: adele.vance@contoso.com (policy disabled for this user, skipping)";
        let text = format!("{}\n{}\n", msg, noise);
        assert_eq!(block_of(&text, 0), format!("{}\n", msg));
        assert_eq!(hits(&text), vec![(1, "connector_retired".to_string())]);
        // A paragraph word-wrapped at 60 columns still goes on: each next
        // word did not fit on the line above.
        let mut para = String::new();
        let mut line = String::new();
        for word in "Get-CsWebTicket : Logon failed for the user 'kenmyer@litwareinc.com'. Please create a new PSCredential object, making sure that you have used the correct user name and password.".split(' ') {
            if !line.is_empty() && line.len() + 1 + word.len() > 60 {
                para.push_str(&line);
                para.push('\n');
                line.clear();
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        para.push_str(&line);
        para.push_str("\nProcessing user 1843 of 12000\n");
        assert_eq!(para.lines().count(), 5);
        let want = &para[..para.find("Processing").unwrap()];
        assert_eq!(block_of(&para, 0), want);
        assert_eq!(block_of(&para, 2), want);
    }

    #[test]
    fn a_term_cut_right_after_its_dot_is_joined_again() {
        // At 68 columns the first cut falls after `'Microsoft.`, before
        // `Identity.Client`: the classifier keeps a cut after a sentence's
        // end as a line end, so the assembly's name was lost. Before, the
        // error was not found.
        let msg = cut("Connect-ExchangeOnline : Could not load file or assembly 'Microsoft.Identity.Client, Version=4.62.0.0, Culture=neutral, PublicKeyToken=0a613f4dd989e8ae'. The located assembly's manifest definition does not match the assembly reference. (0x80131040)", 68);
        assert!(msg.starts_with(
            "Connect-ExchangeOnline : Could not load file or assembly 'Microsoft.\nIdentity.Client"
        ));
        let text = format!(
            "PS C:\\> .\\run.ps1\n{}\nAt line:1 char:1\n+ Connect-ExchangeOnline\n\n",
            msg
        );
        assert_eq!(hits(&text), vec![(2, "assembly_load_conflict".to_string())]);
        assert_eq!(
            hits(&format!("{}\n", msg)),
            vec![(1, "assembly_load_conflict".to_string())]
        );
    }

    #[test]
    fn an_indented_line_after_a_message_is_not_its_end() {
        let text = "Get-Thing : Could not load file or assembly 'Microsoft.Identity.Client, Version=4.62.0.0'\n    Directory: C:\\Program Files\\x\n";
        assert_eq!(
            block_of(text, 0),
            text.lines().next().unwrap().to_string() + "\n"
        );
    }
}
