//! The scan exports, called as the hostile suites need them (tests/hostile_scan.rs,
//! tests/hostile_scan_bodies.rs, tests/hostile_replay.rs).

use super::*;
/// Runs the four entry points that read options on `data` (the scanner ones
/// fed in one chunk): all four must agree (a result each, or NULL and the
/// same last error). Returns the UTF-8 outcome.
pub fn scan_four(data: &[u8], opts8: Option<&[u8]>, opts16: Option<&[u16]>) -> Outcome {
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
pub fn scan_warm_up() {
    warm_up();
    csod::scan::warm_up().expect("scan warm-up");
}

pub fn scan8(data: &[u8], opts: Option<&str>) -> Outcome {
    let c = opts.map(|o| cstr(o.as_bytes()));
    let p = c.as_ref().map(|c| c.as_ptr()).unwrap_or(std::ptr::null());
    unsafe { take8(csod_scan(data.as_ptr(), data.len(), p)) }
}

pub fn scan_value(o: &Outcome, what: &str) -> serde_json::Value {
    let v: serde_json::Value = serde_json::from_str(o.ok(what)).expect("scan result is JSON");
    assert_eq!(v["schema"], 1, "{}", what);
    v
}

pub fn scan_count(v: &serde_json::Value, id: &str) -> u64 {
    v["counts"][id].as_u64().unwrap_or(0)
}
