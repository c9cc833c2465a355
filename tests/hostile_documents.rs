//! Hostile input (tests/hostile.rs says what every call must do): documents.
//! Wrong types and huge numbers, unknown keys and languages, csod_diagnose's
//! requests.

#[path = "common/hostile/mod.rs"]
mod hostile;
use hostile::*;
use std::ffi::CString;
use std::time::Duration;

use csod::ffi::*;
use csod::ffi::{csod_diagnose, csod_diagnose_w};

/// Record documents that are bad input, with what the last error must say.
fn bad_documents() -> Vec<(String, &'static str)> {
    let mut v: Vec<(String, &'static str)> = vec![
        ("{".into(), "not valid JSON"),
        ("{\"message\":".into(), "not valid JSON"),
        ("{'message':'x'}".into(), "not valid JSON"),
        ("{\"message\":\"x\",}".into(), "not valid JSON"),
        ("{\"message\":\"x\"} {}".into(), "not valid JSON"),
        ("{\"message\":\"x\" // c\n}".into(), "not valid JSON"),
        ("NaN".into(), "not valid JSON"),
        ("null".into(), "must be a JSON object"),
        ("[]".into(), "must be a JSON object"),
        ("42".into(), "must be a JSON object"),
        ("\"New-PSSession : x\"".into(), "must be a JSON object"),
        ("{}".into(), "needs a \"message\""),
        ("{\"message\":null}".into(), "needs a \"message\""),
        ("{\"message\":\"   \"}".into(), "needs a \"message\""),
        (
            "{\"command\":\"New-PSSession\"}".into(),
            "needs a \"message\"",
        ),
        ("{\"message\":1}".into(), "must be a string"),
        ("{\"message\":true}".into(), "must be a string"),
        ("{\"message\":{}}".into(), "must be a string"),
        ("{\"message\":[\"a\"]}".into(), "must be a string"),
        (
            "{\"message\":\"x\",\"fully_qualified_error_id\":7}".into(),
            "must be a string",
        ),
        (
            "{\"message\":\"x\",\"exception_type\":[]}".into(),
            "must be a string",
        ),
        (
            "{\"message\":\"x\",\"category\":false}".into(),
            "must be a string",
        ),
        (
            "{\"message\":\"x\",\"command\":{}}".into(),
            "must be a string",
        ),
        (
            "{\"message\":\"x\",\"hresult\":\"abc\"}".into(),
            "32-bit integer",
        ),
        (
            "{\"message\":\"x\",\"hresult\":true}".into(),
            "must be a number",
        ),
        (
            "{\"message\":\"x\",\"hresult\":[1]}".into(),
            "must be a number",
        ),
        (
            "{\"message\":\"x\",\"hresult\":1.5}".into(),
            "32-bit integer",
        ),
        (
            "{\"message\":\"x\",\"hresult\":1e308}".into(),
            "32-bit integer",
        ),
        (
            "{\"message\":\"x\",\"hresult\":-1e308}".into(),
            "32-bit integer",
        ),
        (
            "{\"message\":\"x\",\"hresult\":4294967296}".into(),
            "32-bit integer",
        ),
        (
            "{\"message\":\"x\",\"hresult\":-2147483649}".into(),
            "32-bit integer",
        ),
        (
            "{\"message\":\"x\",\"hresult\":18446744073709551615}".into(),
            "32-bit integer",
        ),
        (
            "{\"message\":\"x\",\"hresult\":123456789012345678901234567890}".into(),
            "32-bit integer",
        ),
        (
            "{\"message\":\"x\",\"error_code\":\"0x1FFFFFFFF\"}".into(),
            "32-bit integer",
        ),
        (
            "{\"message\":\"x\",\"error_code\":\"0x\"}".into(),
            "32-bit integer",
        ),
        (
            "{\"message\":\"x\",\"error_code\":\"-0x1\"}".into(),
            "32-bit integer",
        ),
    ];
    // Huge values.
    v.push((
        format!("{{\"message\":\"x\",\"hresult\":{}}}", "9".repeat(100_000)),
        "number out of range",
    ));
    v.push((
        format!(
            "{{\"message\":\"x\",\"hresult\":\"{}\"}}",
            "7".repeat(100_000)
        ),
        "32-bit integer",
    ));
    v.push((
        format!("{{\"message\":\"x\",\"hresult\":1e{}}}", "9".repeat(1000)),
        "not valid JSON",
    ));
    v
}

#[test]
fn wrong_types_and_huge_numbers() {
    let mut cases = 0;
    for (doc, why) in bad_documents() {
        for e in with_input(Input::Record) {
            let out = call(&e, &Arg::text(&doc), Some("fr")).unwrap();
            let err = out.err(&format!("{}({})", e.name, &doc[..doc.len().min(80)]));
            assert!(
                err.contains(why),
                "{}({}): {:?} does not say {:?}",
                e.name,
                &doc[..doc.len().min(80)],
                err,
                why
            );
            cases += 1;
        }
    }
    // Numbers that are fine: every spelling of a 32-bit code.
    for ok in [
        "-2144108123",
        "2150859173",
        "\"0x803380DF\"",
        "\"0X803380df\"",
        "\" -2144108123 \"",
        "0",
        "4294967295",
        "-2147483648",
    ] {
        for e in with_input(Input::Record) {
            let doc = format!(
                "{{\"message\":\"x\",\"hresult\":{},\"error_code\":null}}",
                ok
            );
            call(&e, &Arg::text(&doc), None).unwrap().ok(&doc);
            cases += 1;
        }
    }
    println!("wrong_types_and_huge_numbers: {} cases", cases);
}

#[test]
fn unknown_keys_are_ignored() {
    let plain = call(
        &with_input(Input::Record)[0],
        &Arg::text(&record_of(SHELLS_USER)),
        None,
    )
    .unwrap();
    let mut cases = 0;
    for extra in [
        "\"zzz\":1",
        "\"Message\":42",
        "\"\":null",
        "\"deep\":{\"a\":[1,{\"b\":[]}]}",
        "\"password\":\"hunter2\"",
        "\"\\u0000\":\"\\u0000\"",
    ] {
        let doc = format!(
            "{{{},\"message\":{}}}",
            extra,
            serde_json::to_string(SHELLS_USER).unwrap()
        );
        for e in with_input(Input::Record) {
            let out = call(&e, &Arg::text(&doc), None).unwrap();
            assert_eq!(out, plain, "{} with {}", e.name, extra);
            cases += 1;
        }
    }
    // Duplicate keys: serde_json keeps the last one; either way no crash.
    let dup = format!(
        "{{\"message\":\"x\",\"message\":{}}}",
        serde_json::to_string(SHELLS_USER).unwrap()
    );
    for e in with_input(Input::Record) {
        call(&e, &Arg::text(&dup), None).unwrap().ok("dup");
        cases += 1;
    }
    println!("unknown_keys_are_ignored: {} cases", cases);
}

#[test]
fn unknown_and_odd_languages() {
    let long = "x".repeat(10 * MIB);
    let bad = [
        "xx",
        "english",
        "zh-Hans-CN-x-private",
        "-",
        "_fr",
        "fr\u{00E9}",
        "\u{1F600}",
        "ko",
        long.as_str(),
    ];
    let fine = [
        "en", "EN", "fr", "fr-FR", "fr_CA", "en-GB", "", "  ", " fr ",
    ];
    let mut cases = 0;
    for e in exports() {
        if let Kind::Other = e.kind {
            continue;
        }
        let doc = Arg::text(&good(e.input));
        for l in bad {
            let out = call(&e, &doc, Some(l)).unwrap();
            let err = out.err(&format!("{}(lang {:?})", e.name, &l[..l.len().min(40)]));
            assert!(
                err.contains("unknown output language"),
                "{}: {}",
                e.name,
                err
            );
            // Every output language is listed, English first (adding a
            // language file adds it here).
            assert!(
                err.contains("use one of en, ") && err.contains(", fr"),
                "{}: {}",
                e.name,
                err
            );
            cases += 1;
        }
        for l in fine {
            let out = call(&e, &doc, Some(l)).unwrap();
            let json = out.ok(&format!("{}(lang {:?})", e.name, l));
            let want = if l.trim().to_ascii_lowercase().starts_with("fr") {
                "\"language\":\"fr\""
            } else {
                "\"language\":\"en\""
            };
            assert!(json.contains(want), "{} {:?}: {}", e.name, l, &json[..80]);
            cases += 1;
        }
    }
    println!("unknown_and_odd_languages: {} cases", cases);
}

/// csod_diagnose's request: wrong types, absurd numbers, unknown keys, sizes.
/// Every request here names no endpoint, so nothing leaves the process.
#[test]
fn requests_wrong_types_sizes_and_unknown_keys() {
    use serde_json::json;
    let bad: Vec<(String, &str)> = vec![
        (
            request_with("timeout_ms", json!("x")),
            "timeout_ms must be a number",
        ),
        (request_with("timeout_ms", json!(-5)), "timeout_ms"),
        (request_with("timeout_ms", json!([1])), "timeout_ms"),
        (
            request_with("endpoints", json!({})),
            "endpoints must be an array",
        ),
        (
            request_with(
                "endpoints",
                json!([{"name": "a", "host": "h", "port": 70000}]),
            ),
            "65535",
        ),
        (
            request_with("endpoints", json!([{"name": "a", "host": "h", "port": -1}])),
            "port",
        ),
        (
            request_with("endpoints", json!([{"name": "a", "host": 5, "port": 1}])),
            "host",
        ),
        (request_with("host", json!([])), "host must be an object"),
        (request_with("host", json!({"sessions": {}})), "sessions"),
        (
            request_with("language", json!(5)),
            "language must be a string",
        ),
        (
            request_with("language", json!("xx")),
            "unknown output language",
        ),
        (request_with("error", json!([])), "error must be an object"),
        (
            request_with("error", json!({"message": 5})),
            "must be a string",
        ),
        (
            request_with("error", json!({"hresult": 1e300, "message": "x"})),
            "32-bit integer",
        ),
        ("[]".into(), "must be a JSON object"),
        ("null".into(), "must be a JSON object"),
        ("{\"endpoints\":[],}".into(), "not valid JSON"),
    ];
    let mut cases = 0;
    for e in with_input(Input::Request) {
        for (doc, why) in &bad {
            let out = call(&e, &Arg::text(doc), None).unwrap();
            let err = out.err(&format!("{}({})", e.name, doc));
            assert!(
                err.contains(why),
                "{}({}): {:?} does not say {:?}",
                e.name,
                doc,
                err,
                why
            );
            cases += 1;
        }
        // Absurd timeouts are clamped, not refused; unknown keys are ignored.
        for doc in [
            request_with("timeout_ms", json!(0)),
            request_with("timeout_ms", json!(1e308)),
            request_with("timeout_ms", json!(u64::MAX)),
            request_with("zzz", json!({"deep": [1, [2, [3]]]})),
            request_with("host", json!({"zzz": 1, "edition": "Desktop"})),
        ] {
            let (out, took, _) = measure(|| call(&e, &Arg::text(&doc), None).unwrap());
            out.ok(&doc);
            assert!(took < Duration::from_secs(30), "{} took {:?}", doc, took);
            cases += 1;
        }
    }
    // Sizes: above CSOD_MAX_DOCUMENT_BYTES refused before parsing.
    let huge = request_with("zzz", json!("x".repeat(CSOD_MAX_DOCUMENT_BYTES)));
    let huge8 = CString::new(huge.clone()).unwrap();
    let huge16 = wide_str(&huge);
    let runs: Vec<(&str, Call)> = vec![
        (
            "csod_diagnose",
            Box::new(|| unsafe { take8(csod_diagnose(huge8.as_ptr())) }),
        ),
        (
            "csod_diagnose_w",
            Box::new(|| unsafe { take16(csod_diagnose_w(huge16.as_ptr())) }),
        ),
    ];
    for (name, f) in runs {
        let (out, took, peak) = measure(&f);
        assert!(out.err(name).contains("request_json is too large"));
        println!(
            "{} MiB request through {}: {:?}, {:.1} MiB held",
            huge.len() / MIB,
            name,
            took,
            peak as f64 / MIB as f64
        );
        assert!(peak < MIB);
        cases += 1;
    }
    println!(
        "requests_wrong_types_sizes_and_unknown_keys: {} cases",
        cases
    );
}
