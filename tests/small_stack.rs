//! The library on a thread with a small stack, as a host's worker thread may
//! be: the first call of the process (which parses the catalog and compiles
//! the patterns) and JSON nested 100 000 deep must not overflow it. This file
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
    }
    seen
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
    println!("64 KiB stack: first call, 100 000-deep JSON and catalog fine");
}
