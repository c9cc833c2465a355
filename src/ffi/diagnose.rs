//! The health check: `csod_diagnose`, `csod_diagnose_w`.

use std::os::raw::c_char;

use super::args::*;
use super::error::guard;
use crate::diagnose::diagnose_json;
use crate::document::check_document_size;

/// Checks this machine for the causes of the Skype for Business Online
/// connector failures. `request_json` is a JSON object (every key optional;
/// "{}" checks this machine against the default endpoints): `language`,
/// `timeout_ms` (clamped to 100..30000, default 3000), `endpoints`
/// (`[{"name","host","port"}]`, replacing the defaults), `host` (facts only
/// PowerShell knows) and `error` (a record as for `csod_classify_record`).
/// Returns `{"schema":1,"language","elapsed_ms","timeout_ms","os",
/// "endpoints","facts","findings"[,"matches"]}` to free with
/// `csod_string_free`, or NULL on bad input (see `csod_last_error`). Probes
/// only read, run concurrently, and each is bounded by the timeout.
///
/// # Safety
/// `request_json` is NULL or a valid NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn csod_diagnose(request_json: *const c_char) -> *mut c_char {
    guard(|| {
        let request = str_arg(request_json, "request_json")?;
        check_document_size(request.len(), "request_json")?;
        out_str(diagnose_json(request)?)
    })
    .unwrap_or(std::ptr::null_mut())
}

/// UTF-16 form of `csod_diagnose`; free the result with `csod_wstring_free`.
///
/// # Safety
/// `request_json` is NULL or a valid NUL-terminated UTF-16 string.
#[no_mangle]
pub unsafe extern "C" fn csod_diagnose_w(request_json: *const u16) -> *mut u16 {
    guard(|| {
        let request = wdoc_arg(request_json, "request_json")?;
        out_wstr(&diagnose_json(&request)?)
    })
    .unwrap_or(std::ptr::null_mut())
}
