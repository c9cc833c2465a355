//! Hostile input over every export of the C ABI: the export table and bad
//! arguments.
//!
//! Every call must return a result, or NULL with a clear last error; nothing
//! may panic through, abort, hang or grow without bound. The `exports()` table
//! (tests/common/hostile/exports.rs) names each export with the way to call
//! it; `every_header_export_is_in_the_table` fails when `include/csod.h`
//! declares a function the table lacks, so a new export (csod_diagnose,
//! csod_scan) must be added there (one row, plus its cases in
//! `bad_documents`, tests/hostile_documents.rs, if it reads JSON).
//!
//! The hostile suites, by theme: this file (NULLs, empty and blank text,
//! invalid UTF-8, unpaired surrogates, embedded NULs, the last error, an
//! injected panic, calls during thread teardown, cancel tokens, file kinds),
//! tests/hostile_sizes.rs (64 MiB, a million lines, deep JSON),
//! tests/hostile_documents.rs (wrong types, unknown keys and languages,
//! requests), tests/hostile_replay.rs (the fuzz regressions, the harness's
//! scan replay), tests/hostile_scan.rs (the scan exports' pointers, handles
//! and options) and tests/hostile_scan_bodies.rs (odd, huge and many-line
//! bodies); what they share is in tests/common/hostile/.
//!
//! The figures (elapsed time, memory a call allocated) are printed; run with
//! `cargo test --test 'hostile*' -- --nocapture` to see them. The bounds
//! asserted are loose on purpose (debug build, a loaded 2-core CI machine).

#[path = "common/hostile/mod.rs"]
mod hostile;
use hostile::*;
use std::ffi::{CStr, CString};
use std::path::PathBuf;

use csod::ffi::csod_diagnose;
use csod::ffi::*;

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
                    "{} is declared in include/csod.h but not in tests/common/hostile/exports.rs's exports(): add it",
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
