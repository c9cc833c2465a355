//! What the hostile suites share (tests/hostile*.rs, each with
//! `#[path = "common/hostile/mod.rs"] mod hostile;`): calling the exports and
//! checking what the ABI promises of every result (`take8`, `take16`),
//! document arguments, samples and generated inputs; the export table
//! (exports.rs), the per-thread allocation meter (meter.rs: the test
//! binary's global allocator) and the scan helpers (scan.rs).
#![allow(dead_code)]

mod exports;
mod meter;
mod scan;

// (Each suite uses some of them.)
#[allow(unused_imports)]
pub use exports::*;
#[allow(unused_imports)]
pub use meter::*;
#[allow(unused_imports)]
pub use scan::*;

use std::ffi::{CStr, CString};
use std::os::raw::c_char;

use csod::ffi::*;
/// Builds the compiled patterns (a one-time cost of the process) so that a
/// measurement counts only the call.
pub fn warm_up() {
    let c = CString::new(SHELLS_USER).unwrap();
    unsafe { take8(csod_classify(c.as_ptr(), std::ptr::null())) }.ok("warm-up");
}

// ---- calling the exports -------------------------------------------------------

/// What a call gave: the JSON text, or the last error after NULL.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Ok(String),
    Err(String),
}

impl Outcome {
    pub fn ok(&self, what: &str) -> &str {
        match self {
            Outcome::Ok(s) => s,
            Outcome::Err(e) => panic!("{}: expected a result, got NULL: {}", what, e),
        }
    }
    pub fn err(&self, what: &str) -> &str {
        match self {
            Outcome::Err(e) => e,
            Outcome::Ok(s) => panic!("{}: expected NULL, got {}", what, &s[..s.len().min(300)]),
        }
    }
}

pub fn last_error() -> String {
    unsafe { CStr::from_ptr(csod_last_error()) }
        .to_str()
        .expect("last error is UTF-8")
        .to_string()
}

pub fn last_error_w() -> String {
    unsafe {
        let p = csod_last_error_w();
        assert!(!p.is_null(), "csod_last_error_w returned NULL");
        let s = from_wide(p);
        csod_wstring_free(p);
        s
    }
}

pub unsafe fn from_wide(p: *const u16) -> String {
    let mut n = 0;
    while *p.add(n) != 0 {
        n += 1;
    }
    String::from_utf16(std::slice::from_raw_parts(p, n)).expect("library output is valid UTF-16")
}

/// A NULL's code says what its message says: internal or bad input.
pub fn assert_code_matches(err: &str) {
    let want = if err.starts_with("internal error") {
        CSOD_ERROR_INTERNAL
    } else if err.starts_with("cancelled") {
        CSOD_ERROR_CANCELLED
    } else {
        CSOD_ERROR_BAD_INPUT
    };
    assert_eq!(csod_last_error_code(), want, "the code of {:?}", err);
}

/// A NULL result's last error: set, coded, not a bug (an injected panic
/// aside), within its documented size.
pub fn check_null_error(err: &str) {
    assert!(!err.is_empty(), "NULL without a last error");
    assert_code_matches(err);
    assert!(
        !err.starts_with("internal error") || err.contains("injected panic"),
        "a bug: {}",
        err
    );
    assert!(
        err.len() <= CSOD_MAX_LAST_ERROR_BYTES,
        "last error of {} bytes",
        err.len()
    );
}

/// Takes a UTF-8 result: checks the ABI's promises, frees it.
pub unsafe fn take8(p: *mut c_char) -> Outcome {
    let err = last_error();
    if p.is_null() {
        check_null_error(&err);
        assert_eq!(err, last_error_w(), "csod_last_error_w differs");
        Outcome::Err(err)
    } else {
        assert_eq!(err, "", "a result, yet a last error");
        let s = CStr::from_ptr(p)
            .to_str()
            .expect("output is UTF-8")
            .to_string();
        csod_string_free(p);
        check_json(&s);
        Outcome::Ok(s)
    }
}

/// As `take8` for a UTF-16 result.
pub unsafe fn take16(p: *mut u16) -> Outcome {
    let err = last_error();
    if p.is_null() {
        check_null_error(&err);
        Outcome::Err(err)
    } else {
        assert_eq!(err, "", "a result, yet a last error");
        let s = from_wide(p);
        csod_wstring_free(p);
        check_json(&s);
        Outcome::Ok(s)
    }
}

pub fn check_json(s: &str) {
    let v: serde_json::Value = serde_json::from_str(s).expect("output is JSON");
    assert_eq!(v["schema"], 1, "output without \"schema\":1");
}

pub fn cstr(b: &[u8]) -> CString {
    CString::new(b).expect("no NUL in a NUL-terminated case")
}

pub fn wide(units: &[u16]) -> Vec<u16> {
    let mut v = units.to_vec();
    v.push(0);
    v
}

pub fn wide_str(s: &str) -> Vec<u16> {
    s.encode_utf16().chain(Some(0)).collect()
}

/// A document argument: bytes for the UTF-8 forms, UTF-16 units for the `_w`
/// forms; `None` is a NULL pointer.
#[derive(Clone)]
pub struct Arg {
    pub bytes: Option<Vec<u8>>,
    pub units: Option<Vec<u16>>,
}

impl Arg {
    pub fn null() -> Arg {
        Arg {
            bytes: None,
            units: None,
        }
    }
    pub fn text(s: &str) -> Arg {
        Arg {
            bytes: Some(s.as_bytes().to_vec()),
            units: Some(s.encode_utf16().collect()),
        }
    }
    pub fn bytes(b: &[u8]) -> Arg {
        Arg {
            bytes: Some(b.to_vec()),
            units: None,
        }
    }
    pub fn units(u: &[u16]) -> Arg {
        Arg {
            bytes: None,
            units: Some(u.to_vec()),
        }
    }
}

/// Calls an export with a document and a language (UTF-8 or UTF-16 as the
/// export takes them). Returns None when the export cannot take this
/// argument (bytes for a `_w` form, units for a UTF-8 form).
pub fn call(e: &Export, doc: &Arg, lang: Option<&str>) -> Option<Outcome> {
    let lang8 = lang.map(|l| cstr(l.as_bytes()));
    let lang8p = lang8
        .as_ref()
        .map(|l| l.as_ptr())
        .unwrap_or(std::ptr::null());
    let lang16 = lang.map(wide_str);
    let lang16p = lang16
        .as_ref()
        .map(|l| l.as_ptr())
        .unwrap_or(std::ptr::null());
    unsafe {
        match e.kind {
            Kind::Doc8(f) => {
                if doc.bytes.is_none() && doc.units.is_some() {
                    return None;
                }
                match &doc.bytes {
                    None => Some(take8(f(std::ptr::null(), lang8p))),
                    Some(b) if b.contains(&0) => None,
                    Some(b) => {
                        let c = cstr(b);
                        Some(take8(f(c.as_ptr(), lang8p)))
                    }
                }
            }
            Kind::Bytes(f) => {
                if doc.bytes.is_none() && doc.units.is_some() {
                    return None;
                }
                match &doc.bytes {
                    None => Some(take8(f(std::ptr::null(), 0, lang8p))),
                    Some(b) => Some(take8(f(b.as_ptr(), b.len(), lang8p))),
                }
            }
            Kind::Doc16(f) => {
                if doc.units.is_none() && doc.bytes.is_some() {
                    return None;
                }
                match &doc.units {
                    None => Some(take16(f(std::ptr::null(), lang16p))),
                    Some(u) if u.contains(&0) => None,
                    Some(u) => {
                        let w = wide(u);
                        Some(take16(f(w.as_ptr(), lang16p)))
                    }
                }
            }
            Kind::Req8(f) => {
                let doc = with_language(doc, lang);
                match &doc.bytes {
                    None if doc.units.is_some() => None,
                    None => Some(take8(f(std::ptr::null()))),
                    Some(b) if b.contains(&0) => None,
                    Some(b) => {
                        let c = cstr(b);
                        Some(take8(f(c.as_ptr())))
                    }
                }
            }
            Kind::Req16(f) => {
                let doc = with_language(doc, lang);
                match &doc.units {
                    None if doc.bytes.is_some() => None,
                    None => Some(take16(f(std::ptr::null()))),
                    Some(u) if u.contains(&0) => None,
                    Some(u) => {
                        let w = wide(u);
                        Some(take16(f(w.as_ptr())))
                    }
                }
            }
            Kind::Lang8(f) => Some(take8(f(lang8p))),
            Kind::Lang16(f) => Some(take16(f(lang16p))),
            Kind::Other => None,
        }
    }
}

/// A request takes its language inside: put it there when the document is
/// a JSON object (anything else goes as it is).
pub fn with_language(doc: &Arg, lang: Option<&str>) -> Arg {
    let l = match lang {
        Some(l) => l,
        None => return doc.clone(),
    };
    let text = match &doc.bytes {
        Some(b) => std::str::from_utf8(b).ok().map(|s| s.to_string()),
        None => doc.units.as_ref().and_then(|u| String::from_utf16(u).ok()),
    };
    match text.and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok()) {
        Some(serde_json::Value::Object(mut o)) => {
            o.insert("language".into(), serde_json::Value::String(l.into()));
            let t = serde_json::Value::Object(o).to_string();
            Arg {
                bytes: doc.bytes.as_ref().map(|_| t.as_bytes().to_vec()),
                units: doc.units.as_ref().map(|_| t.encode_utf16().collect()),
            }
        }
        _ => doc.clone(),
    }
}

/// A request that probes nothing outside this process.
pub const REQUEST: &str = r#"{"endpoints":[],"timeout_ms":100}"#;

pub fn request_with(key: &str, value: serde_json::Value) -> String {
    let mut v: serde_json::Value = serde_json::from_str(REQUEST).unwrap();
    v[key] = value;
    v.to_string()
}

pub fn with_input(input: Input) -> Vec<Export> {
    exports().into_iter().filter(|e| e.input == input).collect()
}

// ---- samples -----------------------------------------------------------------

pub const SHELLS_USER: &str = "New-PSSession : [admin.vDomain.com] Connecting to remote server admin.vDomain.com failed with the following error message : The WS-Management service cannot process the request. The maximum number of concurrent shells for this user has been exceeded. Close existing shells or raise the quota for this user.";

pub fn record_of(text: &str) -> String {
    serde_json::json!({ "message": text }).to_string()
}

/// The good document for an export's input kind.
pub fn good(input: Input) -> String {
    match input {
        Input::Text => SHELLS_USER.to_string(),
        Input::Record => record_of(SHELLS_USER),
        Input::Request => request_with("error", serde_json::json!({ "message": SHELLS_USER })),
        Input::None => String::new(),
    }
}

pub fn ids(json: &str) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    v["matches"]
        .as_array()
        .map(|m| {
            m.iter()
                .map(|x| x["id"].as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// A boxed call, for tables of calls.
pub type Call<'a> = Box<dyn Fn() -> Outcome + 'a>;

pub fn big_text(bytes: usize) -> String {
    // The matching message first, then a log's worth of filler: the result
    // must be the same and say the text was cut.
    let mut s = String::with_capacity(bytes + 100);
    s.push_str(SHELLS_USER);
    s.push('\n');
    let line = "2024-01-01 12:00:00 VERBOSE: nothing to see here \u{00E9}\u{4E2D}\n";
    while s.len() + line.len() <= bytes {
        s.push_str(line);
    }
    s
}

pub fn nested(depth: usize, open: &str, close: &str) -> String {
    let mut s = String::from("{\"message\":\"New-PSSession : x\",\"deep\":");
    for _ in 0..depth {
        s.push_str(open);
    }
    for _ in 0..depth {
        s.push_str(close);
    }
    s.push('}');
    s
}
