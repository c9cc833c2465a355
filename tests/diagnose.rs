//! csod_diagnose through the C ABI: request parsing, network probes against
//! listeners on 127.0.0.1 (reachable, refused, black-holed) with the timing
//! bound, cancellation and the output language. The host facts driving each
//! rule are in tests/diagnose_rules.rs; what both share in
//! tests/common/diagnose.rs.

mod common;
use common::finding;

#[path = "common/diagnose.rs"]
mod diagnose;
use diagnose::*;
use serde_json::{json, Value};
use std::ffi::CStr;
use std::net::TcpListener;
use std::time::{Duration, Instant};

use csod::ffi::{
    csod_cancel, csod_cancel_free, csod_cancel_new, csod_diagnose, csod_diagnose_cancellable,
    csod_diagnose_cancellable_w, csod_diagnose_w, csod_last_error, csod_last_error_w,
    csod_string_free, csod_wstring_free, CsodCancel,
};
#[test]
fn reachable_refused_and_black_holed() {
    let open = TcpListener::bind("127.0.0.1:0").unwrap();
    let open_port = open.local_addr().unwrap().port();
    let closed = closed_port();
    let (_bh, _fill, bh_port) = black_hole();
    let doc = diagnose(json!({
        "timeout_ms": 1500,
        "endpoints": [
            {"name": "open", "host": "127.0.0.1", "port": open_port},
            {"name": "closed", "host": "127.0.0.1", "port": closed},
            {"name": "hole", "host": "127.0.0.1", "port": bh_port},
            {"name": "byname", "host": "localhost", "port": open_port},
        ]
    }));
    assert_eq!(doc["schema"], 1);
    let fact = |id: &str| {
        doc["facts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(fact("network.open")["value"]["tcp"], "reachable");
    assert_eq!(fact("network.closed")["value"]["tcp"], "refused");
    assert_eq!(fact("network.hole")["value"]["tcp"], "timeout");
    assert_eq!(fact("network.hole")["value"]["port"], bh_port);
    assert_eq!(status(&doc, "network.open"), "ok");
    assert_eq!(status(&doc, "network.closed"), "problem");
    assert_eq!(status(&doc, "network.hole"), "problem");
    // Named endpoints replace the defaults, and the report names host and port.
    assert_eq!(doc["endpoints"].as_array().unwrap().len(), 4);
    assert!(finding(&doc, "network.closed")["summary"]
        .as_str()
        .unwrap()
        .contains(&format!("127.0.0.1:{}", closed)));
    // "localhost" resolves (through the resolver thread) and is reachable
    // unless it only resolves to ::1 here.
    let by = fact("network.byname");
    assert_eq!(by["value"]["dns"], "ok", "{}", by);
}

#[test]
fn four_black_holed_endpoints_cost_one_timeout() {
    let (_bh, _fill, port) = black_hole();
    let (_bh2, _fill2, port2) = black_hole();
    let eps: Vec<Value> = (0..4)
        .map(|i| json!({"name": format!("hole{}", i), "host": "127.0.0.1", "port": if i % 2 == 0 { port } else { port2 }}))
        .collect();
    let t = Instant::now();
    let doc = diagnose(json!({"timeout_ms": 2000, "endpoints": eps}));
    let wall = t.elapsed();
    eprintln!(
        "4 black-holed endpoints, timeout_ms 2000: wall {:?}, elapsed_ms {}",
        wall, doc["elapsed_ms"]
    );
    assert!(wall < Duration::from_secs(3), "took {:?}", wall);
    assert!(wall >= Duration::from_millis(1900), "took only {:?}", wall);
    for i in 0..4 {
        let id = format!("network.hole{}", i);
        assert_eq!(status(&doc, &id), "problem");
        let f = doc["facts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["id"] == id.as_str())
            .unwrap();
        assert_eq!(f["value"]["tcp"], "timeout");
    }
    assert_eq!(doc["timeout_ms"], 2000);
}

/// A token pointer that may cross to another thread (the token is made for
/// exactly that: `csod_cancel` from any thread).
#[derive(Clone, Copy)]
struct Token(*mut CsodCancel);
unsafe impl Send for Token {}

/// Runs `csod_diagnose_cancellable` (or its UTF-16 form) on another thread
/// with a black-holed endpoint and a 20 s timeout, cancels it after
/// `after`, and returns how long the call took once cancelled, and its
/// outcome (the result, or the last error of that thread).
fn cancel_black_holed(wide: bool, after: Duration) -> (Duration, Result<String, String>) {
    let (_bh, _fill, port) = black_hole();
    let req = json!({"timeout_ms": 20000, "endpoints": [
        {"name": "hole", "host": "127.0.0.1", "port": port},
        {"name": "hole6", "host": "::1", "port": port}]})
    .to_string();
    let token = Token(csod_cancel_new());
    assert!(!token.0.is_null());
    let call = std::thread::spawn(move || {
        let t = token;
        let out = unsafe {
            if wide {
                let w: Vec<u16> = req.encode_utf16().chain(Some(0)).collect();
                let p = csod_diagnose_cancellable_w(w.as_ptr(), t.0);
                if p.is_null() {
                    let e = csod_last_error_w();
                    let n = (0..).take_while(|&i| *e.add(i) != 0).count();
                    let text = String::from_utf16_lossy(std::slice::from_raw_parts(e, n));
                    csod_wstring_free(e);
                    Err(text)
                } else {
                    let n = (0..).take_while(|&i| *p.add(i) != 0).count();
                    let text = String::from_utf16_lossy(std::slice::from_raw_parts(p, n));
                    csod_wstring_free(p);
                    Ok(text)
                }
            } else {
                let c = std::ffi::CString::new(req).unwrap();
                let p = csod_diagnose_cancellable(c.as_ptr(), t.0);
                if p.is_null() {
                    Err(CStr::from_ptr(csod_last_error())
                        .to_string_lossy()
                        .into_owned())
                } else {
                    let text = CStr::from_ptr(p).to_string_lossy().into_owned();
                    csod_string_free(p);
                    Ok(text)
                }
            }
        };
        (Instant::now(), out)
    });
    std::thread::sleep(after);
    let cancelled_at = Instant::now();
    unsafe { csod_cancel(token.0) };
    // A second cancel, as a second Ctrl-C would, is harmless.
    unsafe { csod_cancel(token.0) };
    let (returned_at, out) = call.join().unwrap();
    unsafe { csod_cancel_free(token.0) };
    assert!(
        returned_at >= cancelled_at,
        "the call returned {:?} before the cancel: {:?}",
        cancelled_at - returned_at,
        out
    );
    (returned_at - cancelled_at, out)
}

#[test]
fn cancel_stops_a_black_holed_diagnose_at_once() {
    for wide in [false, true] {
        let (latency, out) = cancel_black_holed(wide, Duration::from_millis(400));
        eprintln!(
            "csod_diagnose_cancellable{}: returned {:?} after csod_cancel (timeout 20 s)",
            if wide { "_w" } else { "" },
            latency
        );
        let err = out.expect_err("a cancelled diagnose returns NULL");
        assert!(err.starts_with("cancelled"), "{}", err);
        // A hang guard (the timeout is 20 s); scripts/bench measures it.
        assert!(latency < Duration::from_secs(3), "took {:?}", latency);
    }
}

#[test]
fn a_cancelled_token_returns_at_once_and_null_is_not_cancellable() {
    let token = csod_cancel_new();
    unsafe { csod_cancel(token) };
    let req = std::ffi::CString::new(r#"{"endpoints":[],"timeout_ms":100}"#).unwrap();
    let out = unsafe { csod_diagnose_cancellable(req.as_ptr(), token) };
    assert!(out.is_null());
    let e = unsafe { CStr::from_ptr(csod_last_error()) }.to_string_lossy();
    assert!(e.starts_with("cancelled"), "{}", e);
    assert_eq!(
        csod::ffi::csod_last_error_code(),
        csod::ffi::CSOD_ERROR_CANCELLED
    );
    unsafe { csod_cancel_free(token) };
    // NULL token: an ordinary diagnose; NULL and double-free-safe calls.
    let out = unsafe { csod_diagnose_cancellable(req.as_ptr(), std::ptr::null()) };
    assert!(!out.is_null());
    let doc: Value =
        serde_json::from_str(&unsafe { CStr::from_ptr(out) }.to_string_lossy()).unwrap();
    assert_eq!(doc["schema"], 1);
    unsafe {
        csod_string_free(out);
        csod_cancel(std::ptr::null());
        csod_cancel_free(std::ptr::null_mut());
    }
    // A token not cancelled changes nothing: the same report as csod_diagnose.
    let open = TcpListener::bind("127.0.0.1:0").unwrap();
    let r = json!({"timeout_ms": 1000, "endpoints": [{"name": "open", "host": "127.0.0.1", "port": open.local_addr().unwrap().port()}]}).to_string();
    let c = std::ffi::CString::new(r).unwrap();
    let token = csod_cancel_new();
    let out = unsafe { csod_diagnose_cancellable(c.as_ptr(), token) };
    assert!(!out.is_null());
    let doc: Value =
        serde_json::from_str(&unsafe { CStr::from_ptr(out) }.to_string_lossy()).unwrap();
    unsafe {
        csod_string_free(out);
        csod_cancel_free(token);
    }
    assert_eq!(status(&doc, "network.open"), "ok");
}

#[test]
fn a_long_error_text_is_reported_truncated() {
    let long = format!(
        "{} {}",
        "The maximum number of concurrent shells for this user has been exceeded.",
        "x".repeat(csod::normalize::MAX_ANALYSED_BYTES + 10)
    );
    let doc = diagnose(json!({"endpoints": [], "timeout_ms": 100, "error": {"message": long}}));
    assert_eq!(doc["truncated"], true);
    let doc = diagnose(json!({"endpoints": [], "timeout_ms": 100, "error": {"message": "short"}}));
    assert!(doc.get("truncated").is_none(), "{}", doc);
}

#[test]
fn bad_requests_give_null_and_a_clear_error() {
    let null = unsafe { csod_diagnose(std::ptr::null()) };
    assert!(null.is_null());
    let e = unsafe { CStr::from_ptr(csod_last_error()) }
        .to_string_lossy()
        .into_owned();
    assert!(e.contains("NULL"), "{}", e);
    for (req, words) in [
        ("not json", "not valid JSON"),
        ("[]", "must be a JSON object"),
        (r#"{"timeout_ms":-1}"#, "timeout_ms"),
        (r#"{"timeout_ms":"5"}"#, "timeout_ms must be a number"),
        (r#"{"endpoints":{}}"#, "endpoints must be an array"),
        (
            r#"{"endpoints":[{"port":443}]}"#,
            "endpoints[0].host is required",
        ),
        (r#"{"endpoints":[{"host":"a b"}]}"#, "not a host name"),
        (r#"{"endpoints":[{"host":"x","port":70000}]}"#, "1 to 65535"),
        (r#"{"endpoints":[{"host":"x","port":1.5}]}"#, "1 to 65535"),
        (r#"{"endpoints":[{"host":"x"},{"host":"x"}]}"#, "used twice"),
        (r#"{"endpoints":[{"host":"x","name":"a b"}]}"#, "name"),
        (r#"{"language":"xx"}"#, "unknown output language"),
        (r#"{"language":5}"#, "language must be a string"),
        (r#"{"host":[]}"#, "host must be an object"),
        (r#"{"host":{"version":5}}"#, "host.version must be a string"),
        (
            r#"{"host":{"sessions":[{"age_minutes":"old"}]}}"#,
            "host.sessions[0].age_minutes",
        ),
        (
            r#"{"host":{"execution_policy":{"LocalMachine":1}}}"#,
            "host.execution_policy.LocalMachine",
        ),
        (
            r#"{"host":{"wsman_client":"yes"}}"#,
            "host.wsman_client must be a boolean",
        ),
        (
            r#"{"host":{"modules":[{"loaded":1}]}}"#,
            "host.modules[0].loaded",
        ),
        (r#"{"error_host":"yes"}"#, "error_host must be a boolean"),
        (r#"{"error":"text"}"#, "error must be an object"),
        (r#"{"error":{}}"#, "request: error: record needs"),
    ] {
        let err = common::diagnose_call(req)
            .err()
            .unwrap_or_else(|| panic!("{} accepted", req));
        assert!(err.contains(words), "{}: {:?} lacks {:?}", req, err, words);
    }
}

#[test]
fn timeouts_are_clamped_and_unknown_keys_ignored() {
    let mut r = with_host(json!({}));
    r["timeout_ms"] = json!(0);
    r["future_key"] = json!({"anything": true});
    assert_eq!(diagnose(r.clone())["timeout_ms"], 100);
    r["timeout_ms"] = json!(1e12);
    assert_eq!(diagnose(r)["timeout_ms"], 30000);
}

#[test]
fn utf16_entry_point_in_french() {
    let mut r = with_host(json!({"os": "Windows", "edition": "Desktop", "version": "2.0"}));
    r["language"] = json!("fr");
    let w: Vec<u16> = r.to_string().encode_utf16().chain(Some(0)).collect();
    let out = unsafe { csod_diagnose_w(w.as_ptr()) };
    assert!(!out.is_null());
    let s = unsafe { widestring::U16CStr::from_ptr_str(out) }
        .to_string()
        .unwrap();
    unsafe { csod_wstring_free(out) };
    let doc: Value = serde_json::from_str(&s).unwrap();
    assert_eq!(doc["language"], "fr");
    let f = finding(&doc, "powershell.version");
    assert_eq!(f["status"], "problem");
    assert!(
        f["summary"].as_str().unwrap().contains("trop ancien"),
        "{}",
        f
    );
    assert!(unsafe { csod_diagnose_w(std::ptr::null()) }.is_null());
}

#[test]
fn ui_culture_picks_the_language() {
    let doc = diagnose(with_host(json!({"ui_culture": "fr-CA"})));
    assert_eq!(doc["language"], "fr");
    // A culture without output texts (Korean is a message language only):
    // English. German has its texts since issue 11 (tests/languages.rs).
    let doc = diagnose(with_host(json!({"ui_culture": "ko-KR"})));
    assert_eq!(doc["language"], "en");
}
