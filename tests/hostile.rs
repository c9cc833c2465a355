//! Hostile input over every export of the C ABI.
//!
//! Every call must return a result, or NULL with a clear last error; nothing
//! may panic through, abort, hang or grow without bound. The `EXPORTS` table
//! names each export with the way to call it; `every_header_export_is_in_the_table`
//! fails when `include/csod.h` declares a function the table lacks, so a new
//! export (csod_diagnose, csod_scan) must be added here (one row, plus its
//! cases in `bad_documents` if it reads JSON).
//!
//! The figures (elapsed time, memory a call allocated) are printed; run with
//! `cargo test --test hostile -- --nocapture` to see them. The bounds asserted
//! are loose on purpose (debug build, a loaded 2-core CI machine).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::ffi::{CStr, CString};
use std::os::raw::c_char;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use csod::ffi::*;
use csod::ffi::{csod_diagnose, csod_diagnose_w};

/// `csod_diagnose_cancellable` with a live token (not cancelled), so that
/// every hostile request goes through it as through `csod_diagnose`.
unsafe extern "C" fn diagnose_cancellable_live(request: *const c_char) -> *mut c_char {
    let token = csod_cancel_new();
    let out = csod_diagnose_cancellable(request, token);
    csod_cancel_free(token);
    out
}

/// The UTF-16 form, with a live token.
unsafe extern "C" fn diagnose_cancellable_live_w(request: *const u16) -> *mut u16 {
    let token = csod_cancel_new();
    let out = csod_diagnose_cancellable_w(request, token);
    csod_cancel_free(token);
    out
}

// ---- a per-thread allocation meter -------------------------------------------
//
// The library allocates through the test binary's global allocator, so this
// counts what a call costs: bytes live on this thread now, and the peak.

struct Meter;

thread_local! {
    static LIVE: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

fn track(delta: isize) {
    let _ = LIVE.try_with(|l| {
        let now = l.get() + delta;
        l.set(now);
        let _ = PEAK.try_with(|p| {
            if now > p.get() {
                p.set(now)
            }
        });
    });
}

unsafe impl GlobalAlloc for Meter {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        track(layout.size() as isize);
        System.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        track(-(layout.size() as isize));
        System.dealloc(ptr, layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        track(new_size as isize - layout.size() as isize);
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static GLOBAL: Meter = Meter;

/// Runs `f` and returns its value, the time it took and the most memory it
/// held at once on this thread beyond what was live before.
fn measure<T>(f: impl FnOnce() -> T) -> (T, Duration, usize) {
    let base = LIVE.with(|l| l.get());
    PEAK.with(|p| p.set(base));
    let t = Instant::now();
    let v = f();
    let took = t.elapsed();
    let peak = PEAK.with(|p| p.get()) - base;
    (v, took, peak.max(0) as usize)
}

const MIB: usize = 1 << 20;

/// Builds the compiled patterns (a one-time cost of the process) so that a
/// measurement counts only the call.
fn warm_up() {
    let c = CString::new(SHELLS_USER).unwrap();
    unsafe { take8(csod_classify(c.as_ptr(), std::ptr::null())) }.ok("warm-up");
}

// ---- calling the exports -------------------------------------------------------

/// What a call gave: the JSON text, or the last error after NULL.
#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    Ok(String),
    Err(String),
}

impl Outcome {
    fn ok(&self, what: &str) -> &str {
        match self {
            Outcome::Ok(s) => s,
            Outcome::Err(e) => panic!("{}: expected a result, got NULL: {}", what, e),
        }
    }
    fn err(&self, what: &str) -> &str {
        match self {
            Outcome::Err(e) => e,
            Outcome::Ok(s) => panic!("{}: expected NULL, got {}", what, &s[..s.len().min(300)]),
        }
    }
}

fn last_error() -> String {
    unsafe { CStr::from_ptr(csod_last_error()) }
        .to_str()
        .expect("last error is UTF-8")
        .to_string()
}

fn last_error_w() -> String {
    unsafe {
        let p = csod_last_error_w();
        assert!(!p.is_null(), "csod_last_error_w returned NULL");
        let s = from_wide(p);
        csod_wstring_free(p);
        s
    }
}

unsafe fn from_wide(p: *const u16) -> String {
    let mut n = 0;
    while *p.add(n) != 0 {
        n += 1;
    }
    String::from_utf16(std::slice::from_raw_parts(p, n)).expect("library output is valid UTF-16")
}

/// A NULL's code says what its message says: internal or bad input.
fn assert_code_matches(err: &str) {
    let want = if err.starts_with("internal error") {
        CSOD_ERROR_INTERNAL
    } else if err.starts_with("cancelled") {
        CSOD_ERROR_CANCELLED
    } else {
        CSOD_ERROR_BAD_INPUT
    };
    assert_eq!(csod_last_error_code(), want, "the code of {:?}", err);
}

/// Takes a UTF-8 result: checks the ABI's promises, frees it.
unsafe fn take8(p: *mut c_char) -> Outcome {
    let err = last_error();
    if p.is_null() {
        assert!(!err.is_empty(), "NULL without a last error");
        assert_code_matches(&err);
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
unsafe fn take16(p: *mut u16) -> Outcome {
    let err = last_error();
    if p.is_null() {
        assert!(!err.is_empty(), "NULL without a last error");
        assert_code_matches(&err);
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
        Outcome::Err(err)
    } else {
        assert_eq!(err, "", "a result, yet a last error");
        let s = from_wide(p);
        csod_wstring_free(p);
        check_json(&s);
        Outcome::Ok(s)
    }
}

fn check_json(s: &str) {
    let v: serde_json::Value = serde_json::from_str(s).expect("output is JSON");
    assert_eq!(v["schema"], 1, "output without \"schema\":1");
}

fn cstr(b: &[u8]) -> CString {
    CString::new(b).expect("no NUL in a NUL-terminated case")
}

fn wide(units: &[u16]) -> Vec<u16> {
    let mut v = units.to_vec();
    v.push(0);
    v
}

fn wide_str(s: &str) -> Vec<u16> {
    s.encode_utf16().chain(Some(0)).collect()
}

/// A document argument: bytes for the UTF-8 forms, UTF-16 units for the `_w`
/// forms; `None` is a NULL pointer.
#[derive(Clone)]
struct Arg {
    bytes: Option<Vec<u8>>,
    units: Option<Vec<u16>>,
}

impl Arg {
    fn null() -> Arg {
        Arg {
            bytes: None,
            units: None,
        }
    }
    fn text(s: &str) -> Arg {
        Arg {
            bytes: Some(s.as_bytes().to_vec()),
            units: Some(s.encode_utf16().collect()),
        }
    }
    fn bytes(b: &[u8]) -> Arg {
        Arg {
            bytes: Some(b.to_vec()),
            units: None,
        }
    }
    fn units(u: &[u16]) -> Arg {
        Arg {
            bytes: None,
            units: Some(u.to_vec()),
        }
    }
}

type Fn8 = unsafe extern "C" fn(*const c_char, *const c_char) -> *mut c_char;
type Fn16 = unsafe extern "C" fn(*const u16, *const u16) -> *mut u16;

/// How an export is called.
#[derive(Clone, Copy)]
enum Kind {
    /// (document, language) -> char*
    Doc8(Fn8),
    /// (document, language) -> uint16_t*
    Doc16(Fn16),
    /// (bytes, len, language) -> char*
    Bytes(unsafe extern "C" fn(*const u8, usize, *const c_char) -> *mut c_char),
    /// (language) -> char*
    Lang8(unsafe extern "C" fn(*const c_char) -> *mut c_char),
    /// (language) -> uint16_t*
    Lang16(unsafe extern "C" fn(*const u16) -> *mut u16),
    /// (request) -> char*; the language goes into the request's "language".
    Req8(unsafe extern "C" fn(*const c_char) -> *mut c_char),
    /// (request) -> uint16_t*
    Req16(unsafe extern "C" fn(*const u16) -> *mut u16),
    /// Everything else (version, free, last error): covered by its own test.
    Other,
}

/// What the document argument is.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Input {
    Text,
    Record,
    /// A csod_diagnose request.
    Request,
    None,
}

impl Input {
    fn is_json(self) -> bool {
        matches!(self, Input::Record | Input::Request)
    }
}

struct Export {
    name: &'static str,
    kind: Kind,
    input: Input,
}

/// Every export of include/csod.h.
fn exports() -> Vec<Export> {
    vec![
        Export {
            name: "csod_classify",
            kind: Kind::Doc8(csod_classify),
            input: Input::Text,
        },
        Export {
            name: "csod_classify_n",
            kind: Kind::Bytes(csod_classify_n),
            input: Input::Text,
        },
        Export {
            name: "csod_classify_w",
            kind: Kind::Doc16(csod_classify_w),
            input: Input::Text,
        },
        Export {
            name: "csod_classify_record",
            kind: Kind::Doc8(csod_classify_record),
            input: Input::Record,
        },
        Export {
            name: "csod_classify_record_w",
            kind: Kind::Doc16(csod_classify_record_w),
            input: Input::Record,
        },
        Export {
            name: "csod_catalog",
            kind: Kind::Lang8(csod_catalog),
            input: Input::None,
        },
        Export {
            name: "csod_catalog_w",
            kind: Kind::Lang16(csod_catalog_w),
            input: Input::None,
        },
        Export {
            name: "csod_diagnose",
            kind: Kind::Req8(csod_diagnose),
            input: Input::Request,
        },
        Export {
            name: "csod_diagnose_w",
            kind: Kind::Req16(csod_diagnose_w),
            input: Input::Request,
        },
        Export {
            name: "csod_diagnose_cancellable",
            kind: Kind::Req8(diagnose_cancellable_live),
            input: Input::Request,
        },
        Export {
            name: "csod_diagnose_cancellable_w",
            kind: Kind::Req16(diagnose_cancellable_live_w),
            input: Input::Request,
        },
        // The token exports: cancel_tokens_survive_misuse below; the
        // cancellation itself in tests/diagnose.rs and tests/c.
        Export {
            name: "csod_cancel_new",
            kind: Kind::Other,
            input: Input::None,
        },
        Export {
            name: "csod_cancel",
            kind: Kind::Other,
            input: Input::None,
        },
        Export {
            name: "csod_cancel_free",
            kind: Kind::Other,
            input: Input::None,
        },
        // Paths: file_kind_hostile_paths below.
        Export {
            name: "csod_file_kind",
            kind: Kind::Other,
            input: Input::None,
        },
        Export {
            name: "csod_file_kind_w",
            kind: Kind::Other,
            input: Input::None,
        },
        // The scan exports take bytes plus an options document, a signature of
        // their own: the scan_* tests below give them the hostile cases,
        // tests/scan.rs the planted transcripts and tests/c valgrind and ASan.
        Export {
            name: "csod_scan",
            kind: Kind::Other,
            input: Input::None,
        },
        Export {
            name: "csod_scan_w",
            kind: Kind::Other,
            input: Input::None,
        },
        Export {
            name: "csod_scanner_new",
            kind: Kind::Other,
            input: Input::None,
        },
        Export {
            name: "csod_scanner_new_w",
            kind: Kind::Other,
            input: Input::None,
        },
        Export {
            name: "csod_scanner_feed",
            kind: Kind::Other,
            input: Input::None,
        },
        Export {
            name: "csod_scanner_finish",
            kind: Kind::Other,
            input: Input::None,
        },
        Export {
            name: "csod_scanner_finish_w",
            kind: Kind::Other,
            input: Input::None,
        },
        Export {
            name: "csod_scanner_free",
            kind: Kind::Other,
            input: Input::None,
        },
        Export {
            name: "csod_abi_version",
            kind: Kind::Other,
            input: Input::None,
        },
        Export {
            name: "csod_version",
            kind: Kind::Other,
            input: Input::None,
        },
        Export {
            name: "csod_string_free",
            kind: Kind::Other,
            input: Input::None,
        },
        Export {
            name: "csod_wstring_free",
            kind: Kind::Other,
            input: Input::None,
        },
        Export {
            name: "csod_last_error",
            kind: Kind::Other,
            input: Input::None,
        },
        Export {
            name: "csod_last_error_w",
            kind: Kind::Other,
            input: Input::None,
        },
        Export {
            name: "csod_last_error_code",
            kind: Kind::Other,
            input: Input::None,
        },
    ]
}

/// Calls an export with a document and a language (UTF-8 or UTF-16 as the
/// export takes them). Returns None when the export cannot take this
/// argument (bytes for a `_w` form, units for a UTF-8 form).
fn call(e: &Export, doc: &Arg, lang: Option<&str>) -> Option<Outcome> {
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
fn with_language(doc: &Arg, lang: Option<&str>) -> Arg {
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
const REQUEST: &str = r#"{"endpoints":[],"timeout_ms":100}"#;

fn request_with(key: &str, value: serde_json::Value) -> String {
    let mut v: serde_json::Value = serde_json::from_str(REQUEST).unwrap();
    v[key] = value;
    v.to_string()
}

fn with_input(input: Input) -> Vec<Export> {
    exports().into_iter().filter(|e| e.input == input).collect()
}

// ---- samples -----------------------------------------------------------------

const SHELLS_USER: &str = "New-PSSession : [admin.vDomain.com] Connecting to remote server admin.vDomain.com failed with the following error message : The WS-Management service cannot process the request. The maximum number of concurrent shells for this user has been exceeded. Close existing shells or raise the quota for this user.";

fn record_of(text: &str) -> String {
    serde_json::json!({ "message": text }).to_string()
}

/// The good document for an export's input kind.
fn good(input: Input) -> String {
    match input {
        Input::Text => SHELLS_USER.to_string(),
        Input::Record => record_of(SHELLS_USER),
        Input::Request => request_with("error", serde_json::json!({ "message": SHELLS_USER })),
        Input::None => String::new(),
    }
}

fn ids(json: &str) -> Vec<String> {
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
type Call<'a> = Box<dyn Fn() -> Outcome + 'a>;

// ---- the tests -----------------------------------------------------------------

#[test]
fn every_header_export_is_in_the_table() {
    let header =
        std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("include/csod.h"))
            .unwrap();
    let names: Vec<&str> = exports().iter().map(|e| e.name).collect();
    let mut declared = 0;
    for line in header.lines() {
        if line.starts_with(' ') || line.starts_with('/') || line.starts_with('#') {
            continue;
        }
        if let Some(i) = line.find("csod_") {
            if let Some(j) = line[i..].find('(') {
                let name = &line[i..i + j];
                declared += 1;
                assert!(
                    names.contains(&name),
                    "{} is declared in include/csod.h but not in tests/hostile.rs's exports(): add it",
                    name
                );
            }
        }
    }
    assert!(
        declared >= 13,
        "only {} exports found in the header",
        declared
    );
    println!("{} exports declared, all in the table", declared);
}

#[test]
fn null_arguments() {
    let mut cases = 0;
    for e in exports() {
        match e.input {
            Input::Request => {
                let out = call(&e, &Arg::null(), None).unwrap();
                assert!(out.err(e.name).contains("request_json is NULL"));
                let out = call(&e, &Arg::text(REQUEST), None).unwrap();
                assert!(out.ok(e.name).contains("\"language\":\"en\""));
                cases += 2;
            }
            Input::Text | Input::Record => {
                let what = format!("{}(NULL)", e.name);
                let out = call(&e, &Arg::null(), None).unwrap();
                let err = out.err(&what);
                // csod_classify_n(NULL, 0) is an empty text; the others name the argument.
                assert!(
                    err.contains("is NULL") || err.contains("nothing to classify"),
                    "{}: {}",
                    what,
                    err
                );
                cases += 1;
                // NULL language means English.
                let out = call(&e, &Arg::text(&good(e.input)), None).unwrap();
                assert!(out.ok(&what).contains("\"language\":\"en\""));
                cases += 1;
            }
            Input::None => {
                if let Some(out) = call(&e, &Arg::null(), None) {
                    assert!(out.ok(e.name).contains("\"language\":\"en\""));
                    cases += 1;
                }
            }
        }
    }
    unsafe {
        // Length-taking form: NULL with a length is bad input, not a read.
        let out = take8(csod_classify_n(std::ptr::null(), 10, std::ptr::null()));
        assert!(out
            .err("classify_n(NULL, 10)")
            .contains("NULL with a length"));
        let out = take8(csod_classify_n(
            b"abc".as_ptr(),
            usize::MAX,
            std::ptr::null(),
        ));
        assert!(out.err("classify_n(len MAX)").contains("too large"));
        csod_string_free(std::ptr::null_mut());
        csod_wstring_free(std::ptr::null_mut());
        cases += 4;
    }
    println!("null_arguments: {} cases", cases);
}

#[test]
fn empty_and_blank_documents() {
    let mut cases = 0;
    for text in ["", " ", "\n\n\r\n", "\t \u{00A0} \u{2003}", "\u{FEFF}"] {
        for e in with_input(Input::Text) {
            let what = format!("{}({:?})", e.name, text);
            if let Some(out) = call(&e, &Arg::text(text), Some("en")) {
                match &out {
                    Outcome::Err(err) => {
                        assert!(err.contains("nothing to classify"), "{}: {}", what, err)
                    }
                    // A BOM alone is not blank to everyone; it must still give no match.
                    Outcome::Ok(s) => assert!(ids(s).is_empty(), "{}: {}", what, s),
                }
                cases += 1;
            }
        }
        for e in exports().into_iter().filter(|e| e.input.is_json()) {
            let what = format!("{}({:?})", e.name, text);
            let out = call(&e, &Arg::text(text), Some("en")).unwrap();
            assert!(out.err(&what).contains("not valid JSON"), "{}", what);
            cases += 1;
        }
    }
    println!("empty_and_blank_documents: {} cases", cases);
}

#[test]
fn invalid_utf8_everywhere() {
    let bad: &[&[u8]] = &[
        b"abc\x80def",
        b"\xc0\xaf",
        b"\xed\xa0\x80", // an encoded surrogate
        b"\xf5\x80\x80\x80",
        b"\xf4\x90\x80\x80", // above U+10FFFF
        b"truncated \xe2\x82",
        b"\xff\xfe\x00",
        b"{\"message\":\"\xff\"}",
    ];
    let mut cases = 0;
    for b in bad {
        let doc = Arg::bytes(b);
        for e in exports() {
            if e.input == Input::None {
                continue;
            }
            if let Some(out) = call(&e, &doc, Some("en")) {
                let err = out.err(&format!("{}({:?})", e.name, b));
                assert!(
                    err.contains("not valid UTF-8") || err.contains("nothing to classify"),
                    "{}: {}",
                    e.name,
                    err
                );
                cases += 1;
            }
        }
        // Invalid language.
        unsafe {
            if !b.contains(&0) {
                let l = cstr(b);
                let t = cstr(SHELLS_USER.as_bytes());
                let out = take8(csod_classify(t.as_ptr(), l.as_ptr()));
                assert!(out.err("language").contains("language is not valid UTF-8"));
                let out = take8(csod_catalog(l.as_ptr()));
                assert!(out.err("catalog").contains("language is not valid UTF-8"));
                cases += 2;
            }
        }
    }
    println!("invalid_utf8_everywhere: {} cases", cases);
}

#[test]
fn unpaired_surrogates() {
    let good_units: Vec<u16> = SHELLS_USER.encode_utf16().collect();
    let mut cases = 0;
    let mut docs: Vec<Vec<u16>> = vec![
        vec![0xD800],
        vec![0xDFFF],
        vec![b'a' as u16, 0xDC00, b'b' as u16],
        vec![0xDBFF, 0xDBFF, 0xDC00], // high, then a valid pair
    ];
    let mut tail_bad = good_units.clone();
    tail_bad.push(0xD83D);
    docs.push(tail_bad);
    // Beyond the analysed 1 MiB: still checked.
    let mut far = vec![b'x' as u16; 3 * MIB];
    far.push(0xDE00);
    docs.push(far);
    for d in &docs {
        for e in exports() {
            if let Kind::Doc16(_) | Kind::Req16(_) = e.kind {
                let out = call(&e, &Arg::units(d), None).unwrap();
                let err = out.err(e.name);
                assert!(err.contains("unpaired surrogate"), "{}: {}", e.name, err);
                cases += 1;
            }
        }
    }
    // As the language.
    let w = wide_str(SHELLS_USER);
    let lang = wide(&[b'f' as u16, 0xD800]);
    unsafe {
        let out = take16(csod_classify_w(w.as_ptr(), lang.as_ptr()));
        assert!(out.err("lang").contains("language is not valid UTF-16"));
        let out = take16(csod_catalog_w(lang.as_ptr()));
        assert!(out.err("catalog lang").contains("unpaired surrogate"));
        // A valid pair (an emoji) is fine.
        let ok = wide_str("New-PSSession \u{1F600} maximum number of concurrent shells for this user has been exceeded");
        let out = take16(csod_classify_w(ok.as_ptr(), std::ptr::null()));
        out.ok("emoji");
    }
    cases += 3;
    // JSON escapes of lone surrogates in a record are refused by serde_json.
    for e in with_input(Input::Record) {
        let out = call(&e, &Arg::text(r#"{"message":"\ud800 x"}"#), None).unwrap();
        assert!(out.err(e.name).contains("not valid JSON"));
        cases += 1;
    }
    println!("unpaired_surrogates: {} cases", cases);
}

#[test]
fn embedded_nuls_through_the_length_taking_form() {
    let with_spaces = unsafe {
        take8(csod_classify_n(
            SHELLS_USER.as_ptr(),
            SHELLS_USER.len(),
            std::ptr::null(),
        ))
    };
    let nul: Vec<u8> = SHELLS_USER
        .bytes()
        .map(|b| if b == b' ' { 0 } else { b })
        .collect();
    let with_nuls = unsafe { take8(csod_classify_n(nul.as_ptr(), nul.len(), std::ptr::null())) };
    assert_eq!(
        ids(with_spaces.ok("spaces")),
        vec!["shells_per_user".to_string()]
    );
    assert_eq!(ids(with_spaces.ok("spaces")), ids(with_nuls.ok("nuls")));
    let mut cases = 2;
    for doc in [vec![0u8; 1], vec![0u8; 100_000], b"\0\0x\0".to_vec()] {
        let out = unsafe { take8(csod_classify_n(doc.as_ptr(), doc.len(), std::ptr::null())) };
        match out {
            Outcome::Err(e) => assert!(e.contains("nothing to classify"), "{}", e),
            Outcome::Ok(s) => assert!(ids(&s).is_empty()),
        }
        cases += 1;
    }
    // A NUL cuts a NUL-terminated string: the part before it is classified.
    let cut = CString::new(&SHELLS_USER.as_bytes()[..40]).unwrap();
    unsafe { take8(csod_classify(cut.as_ptr(), std::ptr::null())) }.ok("cut");
    println!("embedded_nuls: {} cases", cases + 1);
}

fn big_text(bytes: usize) -> String {
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

fn nested(depth: usize, open: &str, close: &str) -> String {
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

#[test]
fn last_error_is_bounded_and_cleared() {
    // A 10 MiB language is quoted in the error cut to 64 characters.
    let long = CString::new("q".repeat(10 * MIB)).unwrap();
    unsafe {
        let out = take8(csod_catalog(long.as_ptr()));
        let err = out.err("long language");
        assert!(err.len() < 200, "{}", err.len());
        assert!(
            err.contains("(10485760 bytes): use one of en, ") && err.contains(", fr"),
            "{}",
            err
        );
        let wide_long = CString::new("\u{e9}".repeat(MIB)).unwrap();
        let out = take8(csod_catalog(wide_long.as_ptr()));
        assert!(out.err("e-acute").len() < 300);
        let long_num = CString::new(format!(
            "{{\"message\":\"x\",\"hresult\":\"{}\"}}",
            "5".repeat(MIB)
        ))
        .unwrap();
        let out = take8(csod_classify_record(long_num.as_ptr(), std::ptr::null()));
        let err = out.err("long number");
        assert!(err.len() < 200 && err.contains("32-bit integer"), "{}", err);
        // Success clears it; it stays until the next call.
        let ok = take8(csod_catalog(std::ptr::null()));
        ok.ok("catalog");
        assert_eq!(last_error(), "");
        assert_eq!(last_error_w(), "");
        let _ = take8(csod_classify(std::ptr::null(), std::ptr::null()));
        assert_eq!(last_error(), "text is NULL");
        assert_eq!(last_error(), "text is NULL");
        assert_eq!(csod_abi_version(), 1);
        assert_eq!(
            last_error(),
            "text is NULL",
            "abi_version does not touch it"
        );
        let v = CStr::from_ptr(csod_version()).to_str().unwrap();
        assert_eq!(v, env!("CARGO_PKG_VERSION"));
    }
}

/// A panic inside any export's body becomes NULL and a last error: the test
/// hook makes the next call on this thread panic inside its guard.
#[test]
fn a_panic_becomes_null_and_a_last_error() {
    let mut cases = 0;
    for e in exports() {
        if let Kind::Other = e.kind {
            continue;
        }
        let doc = Arg::text(&good(e.input));
        inject_panic_for_tests();
        let out = call(&e, &doc, None).unwrap();
        let err = out.err(e.name);
        assert!(
            err.contains("internal error") && err.contains("injected panic"),
            "{}: {}",
            e.name,
            err
        );
        assert_eq!(csod_last_error_code(), CSOD_ERROR_INTERNAL, "{}", e.name);
        // The next call works normally.
        call(&e, &doc, None).unwrap().ok(e.name);
        assert_eq!(csod_last_error_code(), CSOD_ERROR_NONE, "{}", e.name);
        cases += 1;
    }
    println!("a_panic_becomes_null_and_a_last_error: {} exports", cases);
}

// ---- calls during thread teardown ------------------------------------------------
//
// A host may call the library from a thread-local destructor (a C++
// thread_local, a .NET thread-static finaliser, DllMain's thread detach):
// by then the library's own thread-local last error may be destroyed. Before,
// `LAST_ERROR.with` then panicked outside catch_unwind, which unwound out of
// an `extern "C"` function: undefined behaviour under Rust 1.63 (the Windows
// DLL), an abort of the host under today's Rust. The child process below
// makes exactly that order (our destructor registered before the library's,
// so it runs after it: thread-local destructors run last-registered first).

static TEARDOWN_SEEN: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

struct CallsAtExit;

impl Drop for CallsAtExit {
    fn drop(&mut self) {
        let mut seen = Vec::new();
        unsafe {
            let text = CString::new(SHELLS_USER).unwrap();
            let p = csod_classify(text.as_ptr(), std::ptr::null());
            seen.push(format!("good call: null={}", p.is_null()));
            if !p.is_null() {
                let out = CStr::from_ptr(p).to_string_lossy().into_owned();
                seen.push(format!("good call: {}", &out[..out.len().min(60)]));
                csod_string_free(p);
            }
            let p = csod_classify(std::ptr::null(), std::ptr::null());
            seen.push(format!("NULL text: null={}", p.is_null()));
            let e = csod_last_error();
            seen.push(format!(
                "last error: {}",
                if e.is_null() {
                    "NULL".to_string()
                } else {
                    CStr::from_ptr(e).to_string_lossy().into_owned()
                }
            ));
            let w = csod_last_error_w();
            seen.push(format!(
                "last error w: {}",
                if w.is_null() {
                    "NULL".to_string()
                } else {
                    let s = from_wide(w);
                    csod_wstring_free(w);
                    s
                }
            ));
        }
        TEARDOWN_SEEN.lock().unwrap().extend(seen);
    }
}

thread_local! {
    static AT_EXIT: CallsAtExit = const { CallsAtExit };
}

fn teardown_child() {
    std::thread::spawn(|| {
        // Registered first, so destroyed after the library's last error.
        AT_EXIT.with(|_| {});
        let p = unsafe { csod_classify(std::ptr::null(), std::ptr::null()) };
        assert!(p.is_null());
        assert!(last_error().contains("text is NULL"));
    })
    .join()
    .expect("the thread exits cleanly");
    for line in TEARDOWN_SEEN.lock().unwrap().iter() {
        println!("teardown: {}", line);
    }
}

#[test]
fn calls_from_a_thread_local_destructor() {
    if std::env::var_os("CSOD_TEARDOWN_CHILD").is_some() {
        teardown_child();
        return;
    }
    // In a child process: before the fix the child aborted.
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "calls_from_a_thread_local_destructor",
            "--nocapture",
            "--test-threads",
            "1",
        ])
        .env("CSOD_TEARDOWN_CHILD", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the child died ({}):\n{}\n{}",
        out.status,
        stdout,
        stderr
    );
    let seen: Vec<&str> = stdout
        .lines()
        .filter_map(|l| l.split_once("teardown: ").map(|x| x.1))
        .collect();
    println!("{:#?}", seen);
    assert_eq!(seen.len(), 5, "{}", stdout);
    assert_eq!(seen[0], "good call: null=false");
    assert!(seen[1].contains("\"schema\":1"), "{}", seen[1]);
    assert_eq!(seen[2], "NULL text: null=true");
    // The error cannot be kept, and the last error says why, in both forms.
    assert!(seen[3].contains("this thread is exiting"), "{}", seen[3]);
    assert!(seen[4].contains("this thread is exiting"), "{}", seen[4]);
}

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

// ---- the scan exports ------------------------------------------------------------
//
// csod_scan / csod_scan_w take bytes plus an options document;
// csod_scanner_new(_w) / feed / finish(_w) / free stream the same. Feeding
// after finish cannot corrupt anything by design (the scanner is taken out
// while it works and refuses input once finished); passing a scanner to
// csod_scanner_free twice is the caller's bug, as with free(3), and is not
// tested (it would be undefined behaviour in the test itself).

/// Runs the four entry points that read options on `data` (the scanner ones
/// fed in one chunk): all four must agree (a result each, or NULL and the
/// same last error). Returns the UTF-8 outcome.
fn scan_four(data: &[u8], opts8: Option<&[u8]>, opts16: Option<&[u16]>) -> Outcome {
    let c8 = opts8.map(cstr);
    let p8 = c8.as_ref().map(|c| c.as_ptr()).unwrap_or(std::ptr::null());
    let w16 = opts16.map(wide);
    let p16 = w16.as_ref().map(|w| w.as_ptr()).unwrap_or(std::ptr::null());
    unsafe {
        let whole8 = take8(csod_scan(data.as_ptr(), data.len(), p8));
        let whole16 = take16(csod_scan_w(data.as_ptr(), data.len(), p16));
        let stream8 = {
            let s = csod_scanner_new(p8);
            if s.is_null() {
                Outcome::Err(last_error())
            } else {
                assert_eq!(csod_scanner_feed(s, data.as_ptr(), data.len()), 0);
                let o = take8(csod_scanner_finish(s));
                csod_scanner_free(s);
                o
            }
        };
        let stream16 = {
            let s = csod_scanner_new_w(p16);
            if s.is_null() {
                Outcome::Err(last_error_w())
            } else {
                assert_eq!(csod_scanner_feed(s, data.as_ptr(), data.len()), 0);
                let o = take16(csod_scanner_finish_w(s));
                csod_scanner_free(s);
                o
            }
        };
        assert_eq!(whole8, stream8, "csod_scan vs the scanner");
        assert_eq!(whole16, stream16, "csod_scan_w vs the scanner_w");
        whole8
    }
}

/// Builds the scanner's prefilter (a one-time cost of the process, kept for
/// its life) as well as the classifier, so that a measurement counts the call.
fn scan_warm_up() {
    warm_up();
    csod::scan::warm_up().expect("scan warm-up");
}

fn scan8(data: &[u8], opts: Option<&str>) -> Outcome {
    let c = opts.map(|o| cstr(o.as_bytes()));
    let p = c.as_ref().map(|c| c.as_ptr()).unwrap_or(std::ptr::null());
    unsafe { take8(csod_scan(data.as_ptr(), data.len(), p)) }
}

fn scan_value(o: &Outcome, what: &str) -> serde_json::Value {
    let v: serde_json::Value = serde_json::from_str(o.ok(what)).expect("scan result is JSON");
    assert_eq!(v["schema"], 1, "{}", what);
    v
}

fn scan_count(v: &serde_json::Value, id: &str) -> u64 {
    v["counts"][id].as_u64().unwrap_or(0)
}

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

// ---- cancel tokens and file kinds --------------------------------------------

#[test]
fn cancel_tokens_survive_misuse() {
    unsafe {
        // NULL everywhere is fine.
        csod_cancel(std::ptr::null());
        csod_cancel_free(std::ptr::null_mut());
        // Cancelled many times, from many threads at once, then freed.
        let token = csod_cancel_new();
        assert!(!token.is_null());
        let addr = token as usize;
        let threads: Vec<_> = (0..8)
            .map(|_| {
                std::thread::spawn(move || {
                    for _ in 0..1000 {
                        csod_cancel(addr as *const CsodCancel);
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        let req = cstr(REQUEST.as_bytes());
        let out = take8(csod_diagnose_cancellable(req.as_ptr(), token));
        assert!(out.err("cancelled token").starts_with("cancelled"));
        csod_cancel_free(token);
        // csod_cancel leaves this thread's last error alone.
        let bad = cstr(b"not json");
        assert!(csod_diagnose(bad.as_ptr()).is_null());
        let before = last_error();
        let other = csod_cancel_new();
        csod_cancel(other);
        csod_cancel_free(other);
        assert_eq!(last_error(), before);
        // A thousand tokens: nothing grows.
        let (_, _, peak) = measure(|| {
            for _ in 0..1000 {
                let t = csod_cancel_new();
                csod_cancel(t);
                csod_cancel_free(t);
            }
        });
        assert!(peak < 4096, "{} bytes held", peak);
    }
}

#[test]
fn file_kind_hostile_paths() {
    unsafe {
        assert_eq!(csod_file_kind(std::ptr::null()), -1);
        assert!(last_error().contains("path is NULL"));
        assert_eq!(csod_file_kind_w(std::ptr::null()), -1);
        assert!(last_error().contains("path is NULL"));
        let bad = cstr(b"abc\x80xyz");
        assert_eq!(csod_file_kind(bad.as_ptr()), -1);
        assert!(last_error().contains("not valid UTF-8"));
        let lone = wide(&[b'a' as u16, 0xDC00]);
        assert_eq!(csod_file_kind_w(lone.as_ptr()), -1);
        assert!(last_error().contains("unpaired surrogate"));
        // Empty, huge and odd paths are missing or an error, never a crash.
        let empty = cstr(b"");
        assert_eq!(csod_file_kind(empty.as_ptr()), CSOD_FILE_MISSING);
        let huge = cstr(&vec![b'a'; 1 << 20]);
        let k = csod_file_kind(huge.as_ptr());
        assert!(k == -1 || k == CSOD_FILE_MISSING, "{}", k);
        if k == -1 {
            let e = last_error();
            assert!(e.len() <= CSOD_MAX_LAST_ERROR_BYTES, "{}", e.len());
        }
        let dots = cstr(b"../../../../../../../../../../");
        assert_eq!(csod_file_kind(dots.as_ptr()), CSOD_FILE_DIRECTORY);
        // A good call clears the last error.
        let here = cstr(env!("CARGO_MANIFEST_DIR").as_bytes());
        assert_eq!(csod_file_kind(here.as_ptr()), CSOD_FILE_DIRECTORY);
        assert_eq!(last_error(), "");
    }
}
