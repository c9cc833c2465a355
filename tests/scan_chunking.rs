//! The bulk scan through the C ABI and the Rust scanner, chunked: the work
//! stays linear in the input and the result is the same for any chunking,
//! long lines included (transcripts and checks: tests/common/scan.rs).

mod common;
use common::Rng;

#[path = "common/scan.rs"]
mod scan;
use scan::*;
use serde_json::Value;

// ---- chunking: linear work, identical results ---------------------------------

const SHELLS: &str = "New-PSSession : [admin.vDomain.com] Connecting to remote server admin.vDomain.com failed with the following error message : The WS-Management service cannot process the request. The maximum number of concurrent shells for this user has been exceeded. Close existing shells or raise the quota for this user.";
const LIVEID: &str = "Get-CsWebTicket : Failed to connect live id servers. Make sure proxy is enabled or machine has network connection to live id servers.";

/// Scans through the Rust scanner in chunks of `chunk` bytes (0: one feed
/// of the whole input); returns the result document and the work done.
fn scan_counted(data: &[u8], chunk: usize) -> (String, u64, std::time::Duration) {
    let t = std::time::Instant::now();
    let mut s = csod::scan::Scanner::new(csod::scan::Options::default()).unwrap();
    if chunk == 0 {
        s.feed(data).unwrap();
    } else {
        for c in data.chunks(chunk) {
            s.feed(c).unwrap();
        }
    }
    let r = s.finish().unwrap();
    let took = t.elapsed();
    (serde_json::to_string(&r).unwrap(), s.work(), took)
}

/// Error views whose message is console-wrapped at 2000 columns into 40
/// lines, then the position line and tail: while such a block is open, the
/// scanner cannot yet tell where it ends. Before, every feed re-ran the
/// search and the block's resolution over all of it: 2.9 MB took 0.8 s
/// whole, 6.4 s in 512-byte chunks and about a minute in 64-byte chunks.
fn wide_wrapped_errors(bytes: usize) -> String {
    let width = 2000;
    let long = format!("{} ", SHELLS).repeat(width * 40 / SHELLS.len());
    let chars: Vec<char> = long.chars().collect();
    let lines: Vec<String> = chars.chunks(width).map(|c| c.iter().collect()).collect();
    let block = format!(
        "{}\nAt line:1 char:1\n+ New-PSSession\n+ ~~~~~~~~~~~~~\n    + CategoryInfo          : OpenError: (:) [], PSRemotingTransportException\n    + FullyQualifiedErrorId : -2144108477,PSSessionOpenFailed\n\nPS C:\\> Get-Date\n",
        lines.join("\n")
    );
    let mut text = String::new();
    while text.len() < bytes {
        text.push_str(&block);
    }
    text
}

#[test]
fn chunked_scanning_is_linear_in_the_input() {
    let text = wide_wrapped_errors(2_900_000);
    let data = text.as_bytes();
    let (whole, whole_work, whole_time) = scan_counted(data, 0);
    let blocks = text.matches("PSSessionOpenFailed").count() as u64;
    let v: Value = serde_json::from_str(&whole).unwrap();
    assert_eq!(v["counts"]["shells_per_user"].as_u64(), Some(blocks));
    println!(
        "{} bytes, {} error blocks: whole {:?}, {} bytes examined ({:.2} per input byte)",
        data.len(),
        blocks,
        whole_time,
        whole_work,
        whole_work as f64 / data.len() as f64
    );
    for chunk in [1 << 20, 65536, 4096, 512, 64, 7] {
        let (r, work, took) = scan_counted(data, chunk);
        println!(
            "chunks of {:>7} bytes: {:?}, {} bytes examined ({:.2}x whole)",
            chunk,
            took,
            work,
            work as f64 / whole_work as f64
        );
        assert_eq!(r, whole, "chunks of {} bytes", chunk);
        // Each byte is examined a bounded number of times: chunking costs
        // at most twice the work of the whole input.
        assert!(
            work <= 2 * whole_work,
            "chunks of {}: {} bytes examined, whole {}",
            chunk,
            work,
            whole_work
        );
        if chunk == 64 {
            // And in time (a generous guard: the machine is shared).
            assert!(
                took <= 3 * whole_time + std::time::Duration::from_secs(2),
                "64-byte chunks took {:?}, the whole input {:?}",
                took,
                whole_time
            );
        }
    }
}

/// Lines longer than MAX_LINE are not searched, whatever the chunking: the
/// scanner sees an empty line in their place. Before, a 70 000-character
/// line holding an error was found whole and in 1 MiB chunks but not in
/// 4 KiB chunks (it was dropped only when a chunk left it open).
#[test]
fn long_lines_give_the_same_result_for_any_chunking() {
    let max = csod::scan::MAX_LINE;
    let pad = |head: &str, n: usize, fill: &str| -> String {
        let mut l = head.to_string();
        while l.len() + fill.len() <= n {
            l.push_str(fill);
        }
        while l.len() < n {
            l.push('x');
        }
        l
    };
    // MAX_LINE counts the bytes before the line feed (a carriage return
    // included): `cr` is 1 for CRLF line ends.
    let text = |cr: usize| -> String {
        let mut lines: Vec<String> = vec!["PS C:\\> .\\run.ps1".into()];
        // Found: an error line of exactly MAX_LINE bytes.
        lines.push(pad(LIVEID, max - cr, " y"));
        lines.push(String::new());
        // Not searched: one byte more, 70 000 characters (wide ones and one
        // outside the BMP included, for the UTF-16 offsets), and 3 MiB.
        lines.push(pad(LIVEID, max + 1 - cr, " y"));
        lines.push(String::new());
        lines.push(pad(SHELLS, 70_000, " \u{4E2D}\u{1F600}"));
        lines.push(pad("noise", 3 << 20, " z"));
        // Found after them, at the right line and offset.
        lines.push(SHELLS.into());
        lines.push(String::new());
        // An error block cut by a long line: the part before it is one block,
        // the long line ends it (as a blank line would), the part after is
        // another (not an error head, so not an error on its own here).
        lines.push(LIVEID.into());
        lines.push(pad("+ ", max + 10, "~"));
        lines.push("    + FullyQualifiedErrorId : Csod.TestError".into());
        lines.push(String::new());
        lines.push(LIVEID.into());
        let sep = if cr == 1 { "\r\n" } else { "\n" };
        lines.join(sep) + sep
    };
    let lf = text(0);
    let crlf = text(1);
    let want: Vec<(u64, &str)> = vec![
        (2, "liveid_connect_failed"),
        (8, "shells_per_user"),
        (10, "liveid_connect_failed"),
        (14, "liveid_connect_failed"),
    ];
    for (label, text) in [("LF", &lf), ("CRLF", &crlf)] {
        for enc in [Enc::Utf8, Enc::Utf16Le] {
            let data = encode(text, enc);
            let (whole, _, _) = scan_counted(&data, 0);
            let v: Value = serde_json::from_str(&whole).unwrap();
            let got: Vec<(u64, u64, String)> = v["hits"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| {
                    (
                        h["line"].as_u64().unwrap(),
                        h["offset"].as_u64().unwrap(),
                        h["id"].as_str().unwrap().to_string(),
                    )
                })
                .collect();
            let expect: Vec<(u64, u64, String)> = want
                .iter()
                .map(|(line, id)| {
                    let sep = if label == "CRLF" { "\r\n" } else { "\n" };
                    let pos: usize = text
                        .split(sep)
                        .take(*line as usize - 1)
                        .map(|l| l.len() + sep.len())
                        .sum();
                    (*line, offset_of(text, pos, enc), id.to_string())
                })
                .collect();
            assert_eq!(got, expect, "{} {:?}", label, enc);
            assert_eq!(v["lines"].as_u64(), Some(14));
            assert_eq!(v["bytes"].as_u64(), Some(data.len() as u64));
            for chunk in [1, 2, 3, 7, 64, 4096, max - 1, max, max + 1, 1 << 20] {
                if chunk < 64 && (label == "CRLF" || enc != Enc::Utf8) {
                    // Tiny chunks once per length: they are slow in a debug build.
                    continue;
                }
                let (r, _, _) = scan_counted(&data, chunk);
                assert_eq!(r, whole, "{} {:?}, chunks of {} bytes", label, enc, chunk);
            }
            // And through the C ABI in random chunk sizes.
            let mut rng = Rng(0x5EED ^ data.len() as u64);
            let v2 = scan_chunked(&data, &mut rng, 100_000);
            assert_eq!(v2, v, "{} {:?}, random chunks", label, enc);
        }
    }
}
