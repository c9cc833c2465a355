//! Hostile input (tests/hostile.rs says what every call must do): the scan
//! exports' bodies (odd encodings, 64 MiB, a million lines, max_hits).

#[path = "common/hostile/mod.rs"]
mod hostile;
use hostile::*;
use std::time::Duration;

use csod::ffi::*;

#[test]
fn scan_odd_bodies() {
    scan_warm_up();
    let mut cases = 0;
    let err_line = format!("{}\n", SHELLS_USER);
    let utf16 = |s: &str, be: bool, bom: bool| -> Vec<u8> {
        let mut b = Vec::new();
        if bom {
            b.extend_from_slice(if be { &[0xFE, 0xFF] } else { &[0xFF, 0xFE] });
        }
        for u in s.encode_utf16() {
            b.extend_from_slice(&if be { u.to_be_bytes() } else { u.to_le_bytes() });
        }
        b
    };
    let mut bodies: Vec<(String, Vec<u8>, Option<&str>, u64)> = vec![
        ("UTF-8 BOM only".into(), vec![0xEF, 0xBB, 0xBF], None, 0),
        ("UTF-16 LE BOM only".into(), vec![0xFF, 0xFE], None, 0),
        ("UTF-16 BE BOM only".into(), vec![0xFE, 0xFF], None, 0),
        ("half a UTF-8 BOM".into(), vec![0xEF, 0xBB], None, 0),
        ("one byte of a BOM".into(), vec![0xFF], None, 0),
        (
            "two BOMs".into(),
            vec![0xEF, 0xBB, 0xBF, 0xEF, 0xBB, 0xBF],
            None,
            0,
        ),
        ("NULs only".into(), vec![0; 100_000], None, 0),
        ("newlines only".into(), vec![b'\n'; 100_000], None, 0),
        ("CRs only".into(), vec![b'\r'; 100_000], None, 0),
        (
            "UTF-16 LE BOM declared UTF-8".into(),
            utf16(&err_line, false, true),
            Some("{\"encoding\":\"utf-8\"}"),
            0,
        ),
        (
            "UTF-16 BE without BOM, declared".into(),
            utf16(&err_line, true, false),
            Some("{\"encoding\":\"utf-16be\"}"),
            1,
        ),
        (
            "UTF-8 declared UTF-16".into(),
            err_line.clone().into_bytes(),
            Some("{\"encoding\":\"utf-16le\"}"),
            0,
        ),
    ];
    // Invalid UTF-8 around the error: every lead byte without its
    // continuation, stray continuations, overlongs, surrogates in UTF-8.
    let mut garbage = Vec::new();
    for b in 0x80u8..=0xFF {
        garbage.extend_from_slice(&[b, b' ', b, b, b'\n']);
    }
    garbage.extend_from_slice(b"\xC0\xAF\xED\xA0\x80\xF4\x90\x80\x80\n");
    let mut g = garbage.clone();
    g.extend_from_slice(err_line.as_bytes());
    g.extend_from_slice(&garbage);
    bodies.push(("invalid UTF-8 around an error".into(), g, None, 1));
    // An error line with invalid bytes inside it still gives no panic.
    let mut broken = err_line.clone().into_bytes();
    broken[30] = 0xFF;
    broken[31] = 0xC3;
    bodies.push((
        "invalid UTF-8 inside the error".into(),
        broken,
        None,
        u64::MAX,
    ));
    // Odd-length UTF-16 (a lone last byte) and unpaired surrogates.
    for (name, be) in [("LE", false), ("BE", true)] {
        let mut b = utf16(&err_line, be, true);
        b.push(b'x');
        bodies.push((format!("odd-length UTF-16 {}", name), b, None, 1));
        let mut b = utf16(&err_line, be, true);
        for u in [0xD800u16, b'a' as u16, 0xDC00, 0xDBFF, b'\n' as u16, 0xD83D] {
            b.extend_from_slice(&if be { u.to_be_bytes() } else { u.to_le_bytes() });
        }
        bodies.push((format!("unpaired surrogates UTF-16 {}", name), b, None, 1));
        bodies.push((
            format!("UTF-16 {} BOM plus one byte", name),
            vec![
                if be { 0xFE } else { 0xFF },
                if be { 0xFF } else { 0xFE },
                0x41,
            ],
            None,
            0,
        ));
    }
    // Embedded NULs between and inside lines.
    let mut nul = err_line.clone().into_bytes();
    nul.extend_from_slice(b"\0\0\0\n\0");
    nul.extend_from_slice(err_line.as_bytes());
    bodies.push(("embedded NULs".into(), nul, None, 2));
    for (what, body, opts, want) in &bodies {
        let units: Option<Vec<u16>> = opts.map(|o| o.encode_utf16().collect());
        let (out, took, peak) =
            measure(|| scan_four(body, opts.map(|o| o.as_bytes()), units.as_deref()));
        let v = scan_value(&out, what);
        assert_eq!(v["bytes"].as_u64(), Some(body.len() as u64), "{}", what);
        let got = scan_count(&v, "shells_per_user");
        if *want != u64::MAX {
            assert_eq!(got, *want, "{}: {}", what, out.ok(what));
        }
        assert!(took < Duration::from_secs(20), "{} took {:?}", what, took);
        assert!(peak < 32 * MIB, "{} held {}", what, peak);
        println!(
            "scan of {} ({} bytes): {:?}, {:.2} MiB held, {} hit(s)",
            what,
            body.len(),
            took,
            peak as f64 / MIB as f64,
            got
        );
        cases += 4;
    }
    println!("scan_odd_bodies: {} cases", cases);
}

#[test]
fn scan_64_mib_and_a_million_lines() {
    scan_warm_up();
    // 64 MiB: one error at the start, one in the middle, one at the end;
    // memory must not grow with the input.
    let filler = big_text(32 * MIB);
    let mut text = filler.clone();
    text.push_str(SHELLS_USER);
    text.push('\n');
    text.push_str(&filler[SHELLS_USER.len() + 1..]);
    text.push_str(SHELLS_USER);
    text.push('\n');
    drop(filler);
    let (out, took, peak) = measure(|| scan8(text.as_bytes(), None));
    let v = scan_value(&out, "64 MiB");
    println!(
        "64 MiB ({} bytes, {} lines) through csod_scan: {:?}, {:.1} MiB held at most",
        text.len(),
        v["lines"],
        took,
        peak as f64 / MIB as f64
    );
    assert_eq!(scan_count(&v, "shells_per_user"), 3, "{}", out.ok("64"));
    assert!(peak <= 16 * MIB, "held {} bytes", peak);
    assert!(took < Duration::from_secs(300), "took {:?}", took);
    // The same as UTF-16 LE through the scanner in 1 MiB chunks.
    let units: Vec<u8> = std::iter::once(0xFEFFu16)
        .chain(text.encode_utf16())
        .flat_map(|u| u.to_le_bytes())
        .collect();
    drop(text);
    let (out, took, peak) = measure(|| unsafe {
        let s = csod_scanner_new(std::ptr::null());
        for c in units.chunks(MIB) {
            assert_eq!(csod_scanner_feed(s, c.as_ptr(), c.len()), 0);
        }
        let o = take8(csod_scanner_finish(s));
        csod_scanner_free(s);
        o
    });
    let v = scan_value(&out, "128 MiB UTF-16");
    println!(
        "{} MiB of UTF-16 LE through the scanner in 1 MiB chunks: {:?}, {:.1} MiB held at most",
        units.len() / MIB,
        took,
        peak as f64 / MIB as f64
    );
    assert_eq!(scan_count(&v, "shells_per_user"), 3);
    assert_eq!(v["encoding"], "utf-16le");
    assert!(peak <= 16 * MIB, "held {} bytes", peak);
    drop(units);

    // A line of 64 MiB without an end: counted, not searched, bounded.
    let long = vec![b'y'; 64 * MIB];
    let (out, took, peak) = measure(|| scan8(&long, None));
    let v = scan_value(&out, "one 64 MiB line");
    println!(
        "one 64 MiB line: {:?}, {:.1} MiB held at most",
        took,
        peak as f64 / MIB as f64
    );
    assert_eq!(v["lines"].as_u64(), Some(1));
    assert!(peak <= 16 * MIB, "held {} bytes", peak);
    drop(long);

    // A million short lines of each shape.
    let shapes: &[(&str, &str)] = &[
        ("x", "one character"),
        ("+ a", "tail item"),
        (
            "    + FullyQualifiedErrorId : x",
            "FullyQualifiedErrorId lines",
        ),
        ("New-PSSession : a", "error heads"),
        ("PS C:\\> ", "prompts"),
        ("0x803380DF -2144108123", "codes"),
        ("a@b.cd [h.example.com]", "users and hosts"),
        ("", "empty lines"),
        ("\r", "carriage returns"),
        ("\u{4E2D}\u{6587}", "wide characters"),
    ];
    for (line, what) in shapes {
        let mut text = String::with_capacity(1_000_000 * (line.len() + 1) + 600);
        text.push_str(SHELLS_USER);
        text.push('\n');
        for _ in 0..1_000_000 {
            text.push_str(line);
            text.push('\n');
        }
        text.push_str(SHELLS_USER);
        text.push('\n');
        let (out, took, peak) = measure(|| scan8(text.as_bytes(), Some("{\"max_hits\":10}")));
        let v = scan_value(&out, what);
        let hits: u64 = v["counts"]
            .as_object()
            .unwrap()
            .values()
            .map(|n| n.as_u64().unwrap())
            .sum();
        println!(
            "a million lines of {} through csod_scan: {:?}, {:.1} MiB held at most, {} hit(s) {}",
            what,
            took,
            peak as f64 / MIB as f64,
            hits,
            v["counts"]
        );
        assert!(v["lines"].as_u64().unwrap() >= 1_000_002, "{}", what);
        assert!(scan_count(&v, "shells_per_user") >= 1, "{}", what);
        assert!(v["hits"].as_array().unwrap().len() <= 10, "{}", what);
        assert!(took < Duration::from_secs(600), "{} took {:?}", what, took);
        assert!(peak <= 16 * MIB, "{} held {} bytes", what, peak);
    }
}

#[test]
fn scan_max_hits_caps_memory_not_counts() {
    scan_warm_up();
    // 2000 errors: max_hits 0 lists none, 1000000 lists all; counts exact.
    let text = format!("{}\n\n", SHELLS_USER).repeat(2000);
    for (opts, listed) in [
        ("{\"max_hits\":0}", 0),
        ("{\"max_hits\":1}", 1),
        ("{\"max_hits\":1000000}", 2000),
    ] {
        let (out, took, peak) = measure(|| scan8(text.as_bytes(), Some(opts)));
        let v = scan_value(&out, opts);
        println!(
            "2000 errors with {}: {:?}, {:.1} MiB held at most",
            opts,
            took,
            peak as f64 / MIB as f64
        );
        assert_eq!(scan_count(&v, "shells_per_user"), 2000, "{}", opts);
        assert_eq!(v["hits"].as_array().unwrap().len(), listed, "{}", opts);
        assert_eq!(v["truncated"], listed < 2000, "{}", opts);
    }
}
