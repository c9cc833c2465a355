//! Hostile input (tests/hostile.rs says what every call must do): the fuzzers'
//! inputs replayed (tests/fuzz_regressions/, as tests/fuzz/harness.c calls
//! them), and the harness's generated scan options and scan replay.

#[path = "common/hostile/mod.rs"]
mod hostile;
use hostile::*;
use std::ffi::CString;
use std::path::PathBuf;

use csod::ffi::*;
use csod::ffi::{csod_diagnose, csod_diagnose_w};

/// Every crash the fuzzers ever found (tests/fuzz_regressions/<target>/),
/// replayed through the same calls as tests/fuzz/harness.c.
#[test]
fn fuzz_regressions_replay() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions");
    let mut replayed = 0;
    for target in ["classify", "record", "catalog", "diagnose", "scan"] {
        let entries = match std::fs::read_dir(dir.join(target)) {
            Ok(e) => e,
            Err(_) => continue,
        };
        for entry in entries {
            let path = entry.unwrap().path();
            let data = std::fs::read(&path).unwrap();
            replay(target, &data);
            replayed += 1;
        }
    }
    println!("fuzz_regressions_replay: {} inputs", replayed);
}

fn replay(target: &str, data: &[u8]) {
    let nul_cut = |d: &[u8]| -> CString {
        let end = d.iter().position(|b| *b == 0).unwrap_or(d.len());
        CString::new(&d[..end]).unwrap()
    };
    let units = |d: &[u8]| -> Vec<u16> {
        let mut w: Vec<u16> = d
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        let end = w.iter().position(|u| *u == 0).unwrap_or(w.len());
        w.truncate(end);
        w.push(0);
        w
    };
    unsafe {
        match target {
            "classify" if !data.is_empty() => {
                let d = &data[1..];
                let _ = take8(csod_classify_n(d.as_ptr(), d.len(), std::ptr::null()));
                let c = nul_cut(d);
                let _ = take8(csod_classify(c.as_ptr(), std::ptr::null()));
                let w = units(d);
                let _ = take16(csod_classify_w(w.as_ptr(), std::ptr::null()));
            }
            "record" => {
                let c = nul_cut(data);
                let _ = take8(csod_classify_record(c.as_ptr(), std::ptr::null()));
                let w = units(data);
                let _ = take16(csod_classify_record_w(w.as_ptr(), std::ptr::null()));
            }
            "catalog" => {
                let c = nul_cut(data);
                let _ = take8(csod_catalog(c.as_ptr()));
                let w = units(data);
                let _ = take16(csod_catalog_w(w.as_ptr()));
            }
            "diagnose" => {
                // As the harness: the input is an unknown key's value, the
                // fixed keys (no endpoints) come last and win.
                let mut doc = b"{\"x\":".to_vec();
                doc.extend_from_slice(data);
                doc.extend_from_slice(b",\"endpoints\":[],\"timeout_ms\":100}");
                let c = nul_cut(&doc);
                let _ = take8(csod_diagnose(c.as_ptr()));
                let w: Vec<u16> = c
                    .as_bytes()
                    .iter()
                    .map(|b| *b as u16)
                    .chain(Some(0))
                    .collect();
                let _ = take16(csod_diagnose_w(w.as_ptr()));
            }
            "scan" if data.len() >= 2 => {
                let l = (data[0] as usize).min(data.len() - 2);
                let seed = data[1] as u32;
                let opts = &data[2..2 + l];
                let body = &data[2 + l..];
                let o = if l == 0 { None } else { Some(nul_cut(opts)) };
                scan_replay(o.as_ref(), body, seed);
                if o.is_some() {
                    scan_replay(None, body, seed);
                }
                let generated = CString::new(generated_options(data[0], data[1])).unwrap();
                scan_replay(Some(&generated), body, seed);
            }
            _ => {}
        }
    }
}

/// The harness's options generated from bytes 0 and 1 (tests/fuzz/harness.c,
/// `generated_options`): the same document, byte for byte.
fn generated_options(a: u8, b: u8) -> String {
    const LANGS: [Option<&str>; 8] = [
        None,
        Some("\"en\""),
        Some("\"fr\""),
        Some("\"fr-FR\""),
        Some("\"EN_gb\""),
        Some("\"\""),
        Some("\"ko\""),
        Some("\"xx\""),
    ];
    const HITS: [Option<&str>; 8] = [
        None,
        Some("0"),
        Some("1"),
        Some("2"),
        Some("1000"),
        Some("1000000"),
        Some("-1"),
        Some("1.5"),
    ];
    const FIELDS: [Option<&str>; 4] = [None, Some("true"), Some("false"), Some("1")];
    const ENCODINGS: [Option<&str>; 8] = [
        None,
        Some("\"auto\""),
        Some("\"utf-8\""),
        Some("\"utf-16le\""),
        Some("\"utf-16be\""),
        Some("\"UTF_8\""),
        Some("\"latin1\""),
        Some("5"),
    ];
    const DEPTHS: [usize; 4] = [0, 31, 32, 200];
    let (a, b) = (a as usize, b as usize);
    let vals = [
        ("language", LANGS[a & 7]),
        ("max_hits", HITS[(a >> 3) & 7]),
        ("fields", FIELDS[(a >> 6) & 3]),
        ("encoding", ENCODINGS[b & 7]),
    ];
    let mut parts: Vec<String> = vals
        .iter()
        .filter_map(|(k, v)| v.map(|v| format!("\"{}\":{}", k, v)))
        .collect();
    let depth = DEPTHS[(b >> 3) & 3];
    if depth > 0 {
        parts.push(format!("\"x\":{}{}", "[".repeat(depth), "]".repeat(depth)));
    }
    format!("{{{}}}", parts.join(","))
}

/// Every generated options document through the four entry points: the
/// outcome follows from the values (a bad value or 33 levels is refused
/// with its reason), never from the form.
#[test]
fn scan_generated_options_follow_their_values() {
    let data = format!("{}\n", SHELLS_USER);
    let data = data.as_bytes();
    scan_warm_up();
    let mut seen = std::collections::BTreeSet::new();
    let mut cases = 0;
    for a in 0..=255u8 {
        for b in [0u8, 1, 2, 3, 4, 5, 6, 7, 8, 16, 24, 0x9B] {
            let opts = generated_options(a, b);
            if !seen.insert(opts.clone()) {
                continue;
            }
            let units: Vec<u16> = opts.encode_utf16().collect();
            let out = scan_four(data, Some(opts.as_bytes()), Some(&units));
            // Refused values: languages "ko" (a message language, not an
            // output one) and "xx", max_hits -1 and 1.5, fields 1, encoding
            // "latin1" and 5; 32 nested arrays and more are too deep.
            let bad_value = a & 7 >= 6 || (a >> 3) & 7 >= 6 || (a >> 6) & 3 == 3 || b & 7 >= 6;
            let too_deep = (b >> 3) & 3 >= 2;
            match &out {
                Outcome::Err(e) if too_deep => {
                    assert!(e.contains("nested deeper than 32"), "{}: {}", opts, e)
                }
                Outcome::Err(_) => assert!(bad_value, "{} refused: {:?}", opts, out),
                Outcome::Ok(_) => {
                    assert!(!bad_value && !too_deep, "{} accepted", opts);
                    let v = scan_value(&out, &opts);
                    if !opts.contains("utf-16") {
                        let hits = v["counts"]["shells_per_user"].as_u64();
                        assert_eq!(hits, Some(1), "{}", opts);
                    }
                }
            }
            cases += 4;
        }
    }
    println!(
        "scan_generated_options_follow_their_values: {} documents, {} calls",
        seen.len(),
        cases
    );
}

/// The scan replay itself, on inputs laid out as the harness reads them:
/// UTF-8 and UTF-16 forms (seed bit 7), good, bad and NUL-cut options.
#[test]
fn scan_replay_follows_the_harness() {
    let body = format!("PS C:\\> x\n{}\n\n", SHELLS_USER);
    let mut n = 0;
    for opts in [
        "",
        "{}",
        "{\"language\":\"fr\"}",
        "{\"max_hits\":-1}",
        "{\0}",
        "\u{e9}",
    ] {
        for seed in [0u8, 7, 0x80, 0xFF] {
            let mut input = vec![opts.len() as u8, seed];
            input.extend_from_slice(opts.as_bytes());
            input.extend_from_slice(body.as_bytes());
            replay("scan", &input);
            n += 1;
        }
    }
    // An options length past the end: everything is options, no body.
    replay("scan", &[200, 3, b'{', b'}']);
    println!("scan_replay_follows_the_harness: {} inputs", n + 1);
}

/// The harness's scan target: the whole input through csod_scan(_w) and the
/// same bytes through the scanner in the seed's chunk sizes give the same
/// document, or the same last error.
unsafe fn scan_replay(opts: Option<&CString>, body: &[u8], seed: u32) {
    const CHUNKS: [usize; 10] = [1, 2, 3, 5, 7, 16, 61, 255, 4096, 65536];
    let wide_form = seed & 0x80 != 0;
    let p8 = opts.map(|c| c.as_ptr()).unwrap_or(std::ptr::null());
    let w: Option<Vec<u16>> = opts.map(|c| {
        c.as_bytes()
            .iter()
            .map(|b| *b as u16)
            .chain(Some(0))
            .collect()
    });
    let p16 = w.as_ref().map(|w| w.as_ptr()).unwrap_or(std::ptr::null());
    let whole = if wide_form {
        take16(csod_scan_w(body.as_ptr(), body.len(), p16))
    } else {
        take8(csod_scan(body.as_ptr(), body.len(), p8))
    };
    let s = if wide_form {
        csod_scanner_new_w(p16)
    } else {
        csod_scanner_new(p8)
    };
    if s.is_null() {
        let e = if wide_form {
            last_error_w()
        } else {
            last_error()
        };
        assert_eq!(whole, Outcome::Err(e), "scanner_new and scan disagree");
        assert!(opts.is_some(), "default options refused");
        return;
    }
    let mut rng = seed.wrapping_mul(2654435761).wrapping_add(1);
    let mut at = 0;
    while at < body.len() {
        rng = rng.wrapping_mul(1103515245).wrapping_add(12345);
        let k = CHUNKS[((rng >> 16) % CHUNKS.len() as u32) as usize].min(body.len() - at);
        assert_eq!(
            csod_scanner_feed(s, body[at..].as_ptr(), k),
            0,
            "{}",
            last_error()
        );
        at += k;
    }
    let streamed = if wide_form {
        take16(csod_scanner_finish_w(s))
    } else {
        take8(csod_scanner_finish(s))
    };
    csod_scanner_free(s);
    assert_eq!(streamed, whole, "streamed and whole scans differ");
    streamed.ok("scan replay");
}
