//! Hostile input (tests/hostile.rs says what every call must do): sizes.
//! Inputs of 64 MiB, a million short lines, JSON nested 100 000 deep.

#[path = "common/hostile/mod.rs"]
mod hostile;
use hostile::*;
use std::ffi::CString;
use std::time::Duration;

use csod::ffi::*;

#[test]
fn inputs_of_64_mib() {
    warm_up();
    let text = big_text(64 * MIB);
    let units: Vec<u16> = text.encode_utf16().chain(Some(0)).collect();
    let c = CString::new(text.clone()).unwrap();
    // Text: only the first 1 MiB is analysed and copied; the result says so.
    // The bound is on memory held at once beyond the input (the analysed
    // copy, its normalised views and byte map, the output).
    let runs: Vec<(&str, Call)> = vec![
        (
            "csod_classify",
            Box::new(|| unsafe { take8(csod_classify(c.as_ptr(), std::ptr::null())) }),
        ),
        (
            "csod_classify_n",
            Box::new(|| unsafe {
                take8(csod_classify_n(text.as_ptr(), text.len(), std::ptr::null()))
            }),
        ),
        (
            "csod_classify_w",
            Box::new(|| unsafe { take16(csod_classify_w(units.as_ptr(), std::ptr::null())) }),
        ),
    ];
    for (name, f) in runs {
        let (out, took, peak) = measure(&f);
        let json = out.ok(name).to_string();
        println!(
            "64 MiB of text through {}: {:?}, {:.1} MiB held at most",
            name,
            took,
            peak as f64 / MIB as f64
        );
        assert_eq!(ids(&json), vec!["shells_per_user".to_string()], "{}", name);
        assert!(
            json.contains("\"truncated\":true"),
            "{}: no truncated flag",
            name
        );
        assert!(peak <= 24 * MIB, "{} held {} bytes", name, peak);
        assert!(took < Duration::from_secs(120), "{} took {:?}", name, took);
    }
    drop((c, units));

    // Records: JSON is parsed whole, so documents above CSOD_MAX_DOCUMENT_BYTES
    // are refused before parsing (the UTF-16 form before decoding).
    let record = record_of(&text);
    let record8 = CString::new(record.clone()).unwrap();
    let record16: Vec<u16> = record.encode_utf16().chain(Some(0)).collect();
    let (out, took, peak) =
        measure(|| unsafe { take8(csod_classify_record(record8.as_ptr(), std::ptr::null())) });
    println!(
        "64 MiB record: {:?}, {:.1} MiB held",
        took,
        peak as f64 / MIB as f64
    );
    assert!(out
        .err("64 MiB record")
        .contains("record_json is too large"));
    assert!(peak < MIB);
    let (out, took, peak) =
        measure(|| unsafe { take16(csod_classify_record_w(record16.as_ptr(), std::ptr::null())) });
    println!(
        "64 MiB record_w: {:?}, {:.1} MiB held",
        took,
        peak as f64 / MIB as f64
    );
    assert!(out
        .err("64 MiB record_w")
        .contains("record_json is too large"));
    assert!(peak < MIB);
    drop((record8, record16, record));

    // Just under the limit: parsed, the message cut to 1 MiB for analysis.
    let near = record_of(&big_text(CSOD_MAX_DOCUMENT_BYTES / 10 * 9));
    assert!(near.len() <= CSOD_MAX_DOCUMENT_BYTES);
    let near8 = CString::new(near.clone()).unwrap();
    let near16: Vec<u16> = near.encode_utf16().chain(Some(0)).collect();
    for (name, f) in [
        (
            "csod_classify_record",
            Box::new(|| unsafe { take8(csod_classify_record(near8.as_ptr(), std::ptr::null())) })
                as Call,
        ),
        (
            "csod_classify_record_w",
            Box::new(|| unsafe {
                take16(csod_classify_record_w(near16.as_ptr(), std::ptr::null()))
            }),
        ),
    ] {
        let (out, took, peak) = measure(&f);
        let json = out.ok(name).to_string();
        println!(
            "{} MiB record through {}: {:?}, {:.1} MiB held at most",
            near.len() / MIB,
            name,
            took,
            peak as f64 / MIB as f64
        );
        assert_eq!(ids(&json), vec!["shells_per_user".to_string()], "{}", name);
        assert!(json.contains("\"truncated\":true"), "{}", name);
        // Parsed document (<= 16 MiB, twice while serde_json unescapes) plus,
        // for UTF-16, the decoded copy, plus the text analysis.
        assert!(
            peak <= 24 * MIB + 4 * CSOD_MAX_DOCUMENT_BYTES,
            "{} held {}",
            name,
            peak
        );
        assert!(took < Duration::from_secs(120), "{} took {:?}", name, took);
    }
}

#[test]
fn a_million_short_lines() {
    let shapes: &[(&str, &str)] = &[
        ("x", "one character"),
        ("+ a", "tail item"),
        (
            "    + FullyQualifiedErrorId : x",
            "FullyQualifiedErrorId lines",
        ),
        ("New-PSSession : a", "error heads"),
        ("C:\\a\\b.psm1 \\\\", "paths"),
        ("0x803380DF -2144108123", "codes"),
        ("a@b.cd [h.example.com]", "users and hosts"),
        ("", "empty lines"),
        ("\r", "carriage returns"),
    ];
    for (line, what) in shapes {
        let mut text = String::with_capacity(1_000_000 * (line.len() + 1));
        text.push_str(SHELLS_USER);
        text.push('\n');
        for _ in 0..1_000_000 {
            text.push_str(line);
            text.push('\n');
        }
        let c = CString::new(text).unwrap();
        warm_up();
        let (out, took, peak) =
            measure(|| unsafe { take8(csod_classify(c.as_ptr(), std::ptr::null())) });
        println!(
            "a million lines of {}: {:?}, {:.1} MiB held at most",
            what,
            took,
            peak as f64 / MIB as f64
        );
        let json = out.ok(what).to_string();
        assert!(
            ids(&json).len() <= 3,
            "{}: too many matches {:?}",
            what,
            ids(&json)
        );
        assert!(took < Duration::from_secs(60), "{} took {:?}", what, took);
        assert!(peak <= 64 * MIB, "{} held {} bytes", what, peak);
    }
}

/// JSON nested 100 000 deep: refused by a scan without recursion before
/// serde_json parses it (CSOD_MAX_JSON_DEPTH), even on a small stack.
fn deep_json_cases() -> usize {
    let mut cases = 0;
    for (open, close) in [("[", "]"), ("{\"a\":", "}"), ("[{\"b\":[", "]}]")] {
        let doc = nested(100_000, open, close);
        for e in exports().into_iter().filter(|e| e.input.is_json()) {
            let (out, took, _) = measure(|| call(&e, &Arg::text(&doc), None).unwrap());
            let err = out.err(e.name);
            assert!(
                err.contains("nested deeper than 32 levels"),
                "{}: {}",
                e.name,
                err
            );
            assert!(took < Duration::from_secs(10));
            cases += 1;
        }
        // Unclosed, too.
        let open_only: String = open.repeat(100_000);
        for e in exports().into_iter().filter(|e| e.input.is_json()) {
            let out = call(&e, &Arg::text(&open_only), None).unwrap();
            out.err(e.name);
            cases += 1;
        }
    }
    // Just under the limit (the record object + 31) is accepted: unknown keys
    // are ignored; one more level is refused.
    for e in with_input(Input::Record) {
        let doc = nested(31, "[", "]");
        call(&e, &Arg::text(&doc), None).unwrap().ok(e.name);
        let doc = nested(32, "[", "]");
        let out = call(&e, &Arg::text(&doc), None).unwrap();
        assert!(out.err(e.name).contains("nested deeper"));
        cases += 1;
        // Past our limit serde_json's own (128) is never reached: the
        // document is refused before parsing.
        let doc = nested(200, "[", "]");
        let out = call(&e, &Arg::text(&doc), None).unwrap();
        assert!(out.err(e.name).contains("nested deeper"));
        cases += 1;
    }
    cases
}

#[test]
fn json_nested_100000_deep() {
    let cases = deep_json_cases();
    println!("json_nested_100000_deep: {} cases", cases);
}

#[test]
fn json_nested_100000_deep_on_a_small_stack() {
    // 128 KiB: an eighth of Windows' default thread stack (the test's own
    // debug-build frames need more than the library's). (The first call
    // of the process on a small stack is tested in tests/small_stack.rs.)
    let h = std::thread::Builder::new()
        .stack_size(128 * 1024)
        .spawn(deep_json_cases)
        .unwrap();
    let cases = h.join().expect("no stack overflow on a 128 KiB stack");
    println!("json_nested_100000_deep_on_a_small_stack: {} cases", cases);
}
