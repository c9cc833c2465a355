//! The health check: `csod_diagnose`, `csod_diagnose_w`, and the
//! cancellable forms with their cancel handles (`csod_cancel_new`,
//! `csod_cancel`, `csod_cancel_free`).

use std::os::raw::c_char;
use std::panic::{catch_unwind, AssertUnwindSafe};

use super::args::*;
use super::error::guard;
use crate::diagnose::{diagnose_json, diagnose_json_cancellable};
use crate::document::check_document_size;

/// Checks this machine for the causes of the Skype for Business Online
/// connector failures. `request_json` is a JSON object (every key optional;
/// "{}" checks this machine against the default endpoints): `language`,
/// `timeout_ms` (clamped to 100..30000, default 3000), `endpoints`
/// (`[{"name","host","port"}]`, replacing the defaults), `host` (facts only
/// PowerShell knows) and `error` (a record as for `csod_classify_record`).
/// Returns `{"schema":1,"language","elapsed_ms","timeout_ms","os",
/// "endpoints","facts","findings"[,"matches"][,"truncated":true]}` to free with
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

/// `csod_diagnose` that another thread can stop: `cancel` is a handle from
/// `csod_cancel_new` (NULL: not cancellable, as `csod_diagnose`). When
/// `csod_cancel(cancel)` is called while this runs, the probes stop waiting
/// (a black-holed endpoint included) and this returns NULL within about
/// 20 ms, with a last error that starts with "cancelled"; a handle already
/// cancelled returns NULL at once. The handle must outlive the call; free it
/// with `csod_cancel_free` after the call returned. A handle is one-shot: use
/// a new one for the next call.
///
/// # Safety
/// `request_json` is NULL or a valid NUL-terminated string; `cancel` is NULL
/// or a live handle from `csod_cancel_new`.
#[no_mangle]
pub unsafe extern "C" fn csod_diagnose_cancellable(
    request_json: *const c_char,
    cancel: *const CsodCancel,
) -> *mut c_char {
    guard(|| {
        let cancel = cancel_arg(cancel);
        let request = str_arg(request_json, "request_json")?;
        check_document_size(request.len(), "request_json")?;
        out_str(diagnose_json_cancellable(request, &cancel)?)
    })
    .unwrap_or(std::ptr::null_mut())
}

/// UTF-16 form of `csod_diagnose_cancellable`; free the result with
/// `csod_wstring_free`.
///
/// # Safety
/// As `csod_diagnose_cancellable`, with `request_json` NULL or a valid
/// NUL-terminated UTF-16 string.
#[no_mangle]
pub unsafe extern "C" fn csod_diagnose_cancellable_w(
    request_json: *const u16,
    cancel: *const CsodCancel,
) -> *mut u16 {
    guard(|| {
        let cancel = cancel_arg(cancel);
        let request = wdoc_arg(request_json, "request_json")?;
        out_wstr(&diagnose_json_cancellable(&request, &cancel)?)
    })
    .unwrap_or(std::ptr::null_mut())
}

/// A cancel handle: create one with `csod_cancel_new`, hand it to a
/// cancellable call (`csod_diagnose_cancellable`), call `csod_cancel` from
/// any thread to stop that call early, and free it with `csod_cancel_free`
/// once the call has returned.
pub struct CsodCancel {
    token: crate::probe::cancel::Cancel,
}

/// The handle behind a `CsodCancel` pointer; NULL gives one never cancelled.
///
/// # Safety
/// `p` is NULL or a live handle from `csod_cancel_new`.
pub(crate) unsafe fn cancel_arg(p: *const CsodCancel) -> crate::probe::cancel::Cancel {
    match p.as_ref() {
        Some(c) => c.token.clone(),
        None => crate::probe::cancel::Cancel::new(),
    }
}

/// Creates a cancel handle, not cancelled yet. Free it with `csod_cancel_free`.
/// Returns NULL only if memory ran out.
#[no_mangle]
pub extern "C" fn csod_cancel_new() -> *mut CsodCancel {
    catch_unwind(|| {
        Box::into_raw(Box::new(CsodCancel {
            token: crate::probe::cancel::Cancel::new(),
        }))
    })
    .unwrap_or(std::ptr::null_mut())
}

/// Cancels the calls using `cancel`: they return NULL soon after, with a
/// last error that starts with "cancelled". Safe from any thread, while a
/// call uses the handle, and any number of times. NULL is fine. It does not
/// touch the calling thread's last error.
///
/// # Safety
/// `cancel` is NULL or a live handle from `csod_cancel_new`.
#[no_mangle]
pub unsafe extern "C" fn csod_cancel(cancel: *const CsodCancel) {
    if let Some(c) = cancel.as_ref() {
        c.token.cancel();
    }
}

/// Frees a handle. NULL is fine. Only once the calls that use it have
/// returned, and never twice.
///
/// # Safety
/// `cancel` is NULL or a handle from `csod_cancel_new` not yet freed, used by
/// no running call.
#[no_mangle]
pub unsafe extern "C" fn csod_cancel_free(cancel: *mut CsodCancel) {
    if cancel.is_null() {
        return;
    }
    let _ = catch_unwind(AssertUnwindSafe(|| drop(Box::from_raw(cancel))));
}
