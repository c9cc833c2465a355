//! Hostile input (tests/hostile.rs says what every call must do): the scan
//! exports' pointers, handles and options.

#[path = "common/hostile/mod.rs"]
mod hostile;
use hostile::*;
use std::time::Duration;

use csod::ffi::*;

// ---- the scan exports ------------------------------------------------------------
//
// csod_scan / csod_scan_w take bytes plus an options document;
// csod_scanner_new(_w) / feed / finish(_w) / free stream the same. Feeding
// after finish cannot corrupt anything by design (the scanner is taken out
// while it works and refuses input once finished); passing a scanner to
// csod_scanner_free twice is the caller's bug, as with free(3), and is not
// tested (it would be undefined behaviour in the test itself).

#[test]
fn scan_null_pointers_and_handles() {
    let mut cases = 0;
    unsafe {
        for len in [1usize, 7, usize::MAX] {
            let o = take8(csod_scan(std::ptr::null(), len, std::ptr::null()));
            assert!(
                o.err("csod_scan NULL data").contains("data is NULL"),
                "{:?}",
                o
            );
            let o = take16(csod_scan_w(std::ptr::null(), len, std::ptr::null()));
            assert!(o.err("csod_scan_w NULL data").contains("data is NULL"));
            let s = csod_scanner_new(std::ptr::null());
            assert!(!s.is_null());
            assert_eq!(csod_scanner_feed(s, std::ptr::null(), len), -1);
            assert!(last_error().contains("data is NULL"), "{}", last_error());
            // A refused chunk leaves the scanner usable.
            let text = format!("{}\n", SHELLS_USER);
            assert_eq!(csod_scanner_feed(s, text.as_ptr(), text.len()), 0);
            assert_eq!(last_error(), "");
            let v = scan_value(&take8(csod_scanner_finish(s)), "after a refused chunk");
            assert_eq!(scan_count(&v, "shells_per_user"), 1);
            csod_scanner_free(s);
            cases += 4;
        }
        // NULL data with length 0 and NULL options: an empty scan.
        let v = scan_value(
            &take8(csod_scan(std::ptr::null(), 0, std::ptr::null())),
            "NULL, 0",
        );
        assert_eq!(
            (v["bytes"].as_u64(), v["lines"].as_u64()),
            (Some(0), Some(0))
        );
        let v = scan_value(
            &take16(csod_scan_w(std::ptr::null(), 0, std::ptr::null())),
            "NULL, 0 (w)",
        );
        assert_eq!(v["hits"].as_array().map(|a| a.len()), Some(0));
        // NULL scanner handles.
        assert_eq!(
            csod_scanner_feed(std::ptr::null_mut(), b"x".as_ptr(), 1),
            -1
        );
        assert_eq!(last_error(), "scanner is NULL");
        assert_eq!(last_error_w(), "scanner is NULL");
        assert!(take8(csod_scanner_finish(std::ptr::null_mut()))
            .err("finish NULL")
            .contains("scanner is NULL"));
        assert!(take16(csod_scanner_finish_w(std::ptr::null_mut()))
            .err("finish_w NULL")
            .contains("scanner is NULL"));
        csod_scanner_free(std::ptr::null_mut());
        cases += 6;
        // Finished: feed and finish are refused, free still releases it.
        for wide_finish in [false, true] {
            let s = csod_scanner_new(std::ptr::null());
            let first = if wide_finish {
                take16(csod_scanner_finish_w(s))
            } else {
                take8(csod_scanner_finish(s))
            };
            first.ok("first finish");
            assert_eq!(csod_scanner_feed(s, b"x\n".as_ptr(), 2), -1);
            assert!(
                last_error().contains("already finished"),
                "{}",
                last_error()
            );
            assert!(take8(csod_scanner_finish(s))
                .err("second finish")
                .contains("already finished"));
            assert!(take16(csod_scanner_finish_w(s))
                .err("second finish_w")
                .contains("already finished"));
            csod_scanner_free(s);
            cases += 3;
        }
    }
    println!("scan_null_pointers_and_handles: {} cases", cases);
}

#[test]
fn scan_bad_options() {
    let data = format!("{}\n", SHELLS_USER);
    let data = data.as_bytes();
    let deep = format!("{{\"x\":{}{}}}", "[".repeat(100_000), "]".repeat(100_000));
    let deep_obj = format!("{}{}", "{\"a\":".repeat(100_000), "}".repeat(100_000));
    let bad: Vec<(String, &str)> = vec![
        ("not json".into(), "not valid JSON"),
        ("{".into(), "not valid JSON"),
        ("{\"language\":\"fr\"} x".into(), "not valid JSON"),
        ("[]".into(), "must be a JSON object"),
        ("1".into(), "must be a JSON object"),
        ("\"{}\"".into(), "must be a JSON object"),
        ("null".into(), "must be a JSON object"),
        ("{\"language\":1}".into(), "\"language\" must be a string"),
        (
            "{\"language\":[\"fr\"]}".into(),
            "\"language\" must be a string",
        ),
        ("{\"language\":\"xx\"}".into(), "xx"),
        ("{\"language\":\"klingon-KL\"}".into(), "klingon"),
        (
            "{\"max_hits\":\"10\"}".into(),
            "\"max_hits\" must be a number",
        ),
        (
            "{\"max_hits\":true}".into(),
            "\"max_hits\" must be a number",
        ),
        (
            "{\"max_hits\":-1}".into(),
            "\"max_hits\" must be an integer",
        ),
        (
            "{\"max_hits\":1.5}".into(),
            "\"max_hits\" must be an integer",
        ),
        (
            "{\"max_hits\":1000001}".into(),
            "\"max_hits\" must be an integer",
        ),
        ("{\"max_hits\":18446744073709551615}".into(), "\"max_hits\""),
        ("{\"max_hits\":1e300}".into(), "\"max_hits\""),
        ("{\"max_hits\":1e999}".into(), "not valid JSON"),
        (
            format!("{{\"max_hits\":{}}}", "9".repeat(10_000)),
            "number out of range",
        ),
        ("{\"fields\":1}".into(), "\"fields\" must be true or false"),
        (
            "{\"fields\":\"true\"}".into(),
            "\"fields\" must be true or false",
        ),
        ("{\"encoding\":\"latin1\"}".into(), "\"encoding\""),
        ("{\"encoding\":5}".into(), "\"encoding\" must be a string"),
        (
            format!("{{\"encoding\":\"{}\"}}", "z".repeat(1 << 20)),
            "\"encoding\"",
        ),
        (deep, "nested deeper than 32 levels"),
        (deep_obj, "nested deeper than 32 levels"),
    ];
    scan_warm_up();
    let mut cases = 0;
    for (opts, want) in &bad {
        let units: Vec<u16> = opts.encode_utf16().collect();
        let (out, took, peak) = measure(|| scan_four(data, Some(opts.as_bytes()), Some(&units)));
        let err = out.err(&opts[..opts.len().min(80)]).to_string();
        assert!(
            err.contains(want),
            "{}: {:?} lacks {:?}",
            &opts[..opts.len().min(80)],
            err,
            want
        );
        assert!(err.len() <= CSOD_MAX_LAST_ERROR_BYTES);
        assert!(took < Duration::from_secs(10), "{:?}", took);
        assert!(peak < 32 * MIB, "{} bytes", peak);
        cases += 4;
    }
    // Invalid UTF-8 and unpaired surrogates in the options themselves.
    unsafe {
        let c = cstr(b"{\"language\":\"f\xffr\"}");
        let o = take8(csod_scan(data.as_ptr(), data.len(), c.as_ptr()));
        assert!(o
            .err("bad UTF-8 options")
            .contains("options_json is not valid UTF-8"));
        assert!(csod_scanner_new(c.as_ptr()).is_null());
        assert!(last_error().contains("not valid UTF-8"));
        let w = wide(&[b'{' as u16, 0xD800, b'}' as u16]);
        let o = take16(csod_scan_w(data.as_ptr(), data.len(), w.as_ptr()));
        assert!(o.err("bad UTF-16 options").contains("unpaired surrogate"));
        assert!(csod_scanner_new_w(w.as_ptr()).is_null());
        assert!(last_error_w().contains("unpaired surrogate"));
        cases += 4;
    }
    // Accepted: empty, blank, unknown keys, nulls, the extremes of max_hits,
    // culture names.
    for opts in [
        "",
        "  \n",
        "{}",
        "{\"unknown\":{\"deep\":[1,2,{\"x\":null}]},\"language\":null}",
        "{\"max_hits\":0}",
        "{\"max_hits\":1000000}",
        "{\"max_hits\":1000000.0e0}",
        "{\"language\":\"fr-FR\",\"fields\":false,\"encoding\":\"UTF_8\"}",
    ] {
        let units: Vec<u16> = opts.encode_utf16().collect();
        let out = scan_four(data, Some(opts.as_bytes()), Some(&units));
        let what = format!("options {:?}", opts);
        if opts.contains("1000000.0e0") {
            // A float is not an integer, even a whole one.
            assert!(out.err(&what).contains("max_hits"));
        } else {
            let v = scan_value(&out, &what);
            assert_eq!(scan_count(&v, "shells_per_user"), 1, "{}", what);
        }
        cases += 4;
    }
    println!("scan_bad_options: {} cases (4 entry points each)", cases);
}

/// Scan options are checked like the other documents, before parsing: at
/// most CSOD_MAX_DOCUMENT_BYTES (a larger one is refused without being
/// decoded or parsed, so it costs no memory) and CSOD_MAX_JSON_DEPTH levels
/// (measured without recursion). Before this, 64 MiB of options were parsed
/// (6 s, 1.1 GB peak) and a bigger document ran the host out of memory;
/// 127-deep options reached serde_json's recursion (tests/small_stack.rs).
type NamedCall<'a> = (&'a str, Box<dyn Fn() -> Outcome + 'a>);

#[test]
fn scan_options_size_and_depth_checked_before_parsing() {
    let data = format!("{}\n", SHELLS_USER);
    let data = data.as_bytes();
    scan_warm_up();
    // An unknown key holding a long string: valid options of any size.
    let sized = |n: usize| -> String {
        let head = "{\"language\":\"fr\",\"pad\":\"";
        let tail = "\"}";
        format!(
            "{}{}{}",
            head,
            "p".repeat(n - head.len() - tail.len()),
            tail
        )
    };
    let mut cases = 0;
    for n in [CSOD_MAX_DOCUMENT_BYTES + 1, 64 * MIB] {
        let opts = sized(n);
        assert_eq!(opts.len(), n);
        let c = cstr(opts.as_bytes());
        let w = wide(&opts.encode_utf16().collect::<Vec<u16>>());
        drop(opts);
        // Each entry point measured alone (the test's own copies of the
        // document are made before).
        let calls: [NamedCall; 4] = unsafe {
            [
                (
                    "csod_scan",
                    Box::new(|| take8(csod_scan(data.as_ptr(), data.len(), c.as_ptr()))),
                ),
                (
                    "csod_scan_w",
                    Box::new(|| take16(csod_scan_w(data.as_ptr(), data.len(), w.as_ptr()))),
                ),
                (
                    "csod_scanner_new",
                    Box::new(|| {
                        let s = csod_scanner_new(c.as_ptr());
                        assert!(s.is_null());
                        Outcome::Err(last_error())
                    }),
                ),
                (
                    "csod_scanner_new_w",
                    Box::new(|| {
                        let s = csod_scanner_new_w(w.as_ptr());
                        assert!(s.is_null());
                        Outcome::Err(last_error_w())
                    }),
                ),
            ]
        };
        for (name, call) in calls.iter() {
            let (out, took, peak) = measure(call);
            let err = out.err(name);
            assert!(
                err.contains("options_json is too large"),
                "{}: {}",
                name,
                err
            );
            assert!(err.contains(&n.to_string()), "{}: {}", name, err);
            // Refused before decoding or parsing: nothing near the
            // document's size is allocated.
            assert!(
                peak < 64 * 1024,
                "{}: {} bytes of options held {} bytes",
                name,
                n,
                peak
            );
            println!(
                "{}: options of {} bytes refused in {:?}, {} bytes held",
                name, n, took, peak
            );
            assert!(took < Duration::from_secs(30), "{:?}", took);
            cases += 1;
        }
    }
    // At the limit: accepted, and parsed in memory of the document's order.
    let opts = sized(CSOD_MAX_DOCUMENT_BYTES);
    let units: Vec<u16> = opts.encode_utf16().collect();
    let (out, _, peak) = measure(|| scan_four(data, Some(opts.as_bytes()), Some(&units)));
    let v = scan_value(&out, "options at the size limit");
    assert_eq!(v["language"], "fr");
    assert_eq!(scan_count(&v, "shells_per_user"), 1);
    // The four calls one after the other, with the test's own copies of the
    // document (16 + 32 MiB): a parse of the order of the document's size.
    println!("options at the limit: {} bytes held", peak);
    assert!(peak < 10 * CSOD_MAX_DOCUMENT_BYTES, "{} bytes", peak);
    cases += 4;
    // Depth: the object and 31 levels inside it pass, one more is refused,
    // as are 127 (which overflowed a 64 KiB stack) and 100 000, opened only too.
    let nested = |depth: usize| -> String {
        format!(
            "{{\"language\":\"fr\",\"x\":{}{}}}",
            "[".repeat(depth - 1),
            "]".repeat(depth - 1)
        )
    };
    let ok = nested(32);
    let units: Vec<u16> = ok.encode_utf16().collect();
    let v = scan_value(
        &scan_four(data, Some(ok.as_bytes()), Some(&units)),
        "32 levels",
    );
    assert_eq!(v["language"], "fr");
    cases += 4;
    for doc in [
        nested(33),
        nested(127),
        nested(100_000),
        "{\"a\":".repeat(100_000),
    ] {
        let units: Vec<u16> = doc.encode_utf16().collect();
        let (out, took, _) = measure(|| scan_four(data, Some(doc.as_bytes()), Some(&units)));
        let err = out.err("deep options");
        assert!(
            err.contains("options_json is nested deeper than 32 levels"),
            "{}",
            err
        );
        assert!(took < Duration::from_secs(10), "{:?}", took);
        cases += 4;
    }
    println!(
        "scan_options_size_and_depth_checked_before_parsing: {} cases",
        cases
    );
}
