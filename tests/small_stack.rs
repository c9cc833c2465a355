//! The library on a thread with a small stack, as a host's worker thread may
//! be: the first call of the process (which parses the catalog and compiles
//! the patterns), JSON nested 100 000 deep and scan options nested 127 and
//! 100 000 deep must not overflow it. This file
//! is its own test binary so that its first call really is the process's first.

use std::ffi::{CStr, CString};

use csod::ffi::*;

/// Windows gives a thread 1 MiB unless told otherwise; .NET's default is
/// 1.5 MiB. The library works in a sixteenth of that, in a debug build.
/// (Before documents were depth-checked without recursion, serde_json's
/// 128 levels of recursion overflowed 128 KiB in a debug build.)
const SMALL_STACK: usize = 64 * 1024;

fn run() -> Vec<String> {
    let mut seen = Vec::new();
    unsafe {
        let text = CString::new("New-PSSession : [admin.vDomain.com] Connecting to remote server admin.vDomain.com failed with the following error message : The WS-Management service cannot process the request. The maximum number of concurrent shells for this user has been exceeded.").unwrap();
        let p = csod_classify(text.as_ptr(), std::ptr::null());
        assert!(!p.is_null(), "{:?}", CStr::from_ptr(csod_last_error()));
        seen.push(CStr::from_ptr(p).to_string_lossy().into_owned());
        csod_string_free(p);

        let mut deep = String::from("{\"message\":\"x\",\"d\":");
        deep.push_str(&"[".repeat(100_000));
        deep.push_str(&"]".repeat(100_000));
        deep.push('}');
        let d = CString::new(deep).unwrap();
        let p = csod_classify_record(d.as_ptr(), std::ptr::null());
        assert!(p.is_null());
        seen.push(
            CStr::from_ptr(csod_last_error())
                .to_string_lossy()
                .into_owned(),
        );

        let p = csod_catalog(std::ptr::null());
        assert!(!p.is_null());
        csod_string_free(p);

        // Scan options 127 and 100 000 levels deep, through the four entry
        // points that read options: refused before serde_json recurses
        // (127 levels of it aborted the process on this stack).
        let line = b"New-PSSession : x\n";
        for depth in [127usize, 100_000] {
            let doc = format!(
                "{{\"x\":{}{}}}",
                "[".repeat(depth - 1),
                "]".repeat(depth - 1)
            );
            let c = CString::new(doc.clone()).unwrap();
            let w: Vec<u16> = doc.encode_utf16().chain(Some(0)).collect();
            let p = csod_scan(line.as_ptr(), line.len(), c.as_ptr());
            assert!(p.is_null());
            seen.push(last());
            let p = csod_scan_w(line.as_ptr(), line.len(), w.as_ptr());
            assert!(p.is_null());
            seen.push(last());
            let s = csod_scanner_new(c.as_ptr());
            assert!(s.is_null());
            seen.push(last());
            let s = csod_scanner_new_w(w.as_ptr());
            assert!(s.is_null());
            seen.push(last());
        }
    }
    seen
}

fn last() -> String {
    unsafe { CStr::from_ptr(csod_last_error()) }
        .to_string_lossy()
        .into_owned()
}

#[test]
fn first_call_and_deep_json_on_a_small_stack() {
    let seen = std::thread::Builder::new()
        .stack_size(SMALL_STACK)
        .spawn(run)
        .unwrap()
        .join()
        .expect("the library overflowed a 64 KiB stack");
    assert!(
        seen[0].contains("\"id\":\"shells_per_user\""),
        "{}",
        seen[0]
    );
    assert!(seen[1].contains("nested deeper"), "{}", seen[1]);
    assert_eq!(seen.len(), 2 + 8);
    for e in &seen[2..] {
        assert!(
            e.contains("options_json is nested deeper than 32 levels"),
            "{}",
            e
        );
    }
    println!("64 KiB stack: first call, 100 000-deep JSON, catalog and deep scan options fine");
}
