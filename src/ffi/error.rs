//! The last error of each thread (message and code), the guard every
//! export's body runs under, and the functions that free what the library
//! returns.

use std::cell::{Cell, RefCell};
use std::ffi::CString;
use std::os::raw::c_char;
use std::panic::{catch_unwind, AssertUnwindSafe};
use widestring::U16CString;

use super::args::out_wstr;

use super::{
    CSOD_ERROR_BAD_INPUT, CSOD_ERROR_CANCELLED, CSOD_ERROR_INTERNAL, CSOD_ERROR_NONE,
    CSOD_MAX_LAST_ERROR_BYTES,
};

thread_local! {
    static LAST_ERROR: RefCell<CString> = RefCell::new(CString::default());
    static LAST_ERROR_CODE: Cell<i32> = const { Cell::new(CSOD_ERROR_NONE) };
    static INJECT_PANIC: Cell<bool> = const { Cell::new(false) };
}

/// Test hook, not part of the C ABI: the next export called on this thread
/// panics inside its guard, as a bug would. The hostile suite uses it to show
/// that a panic becomes NULL and a last error, never an abort of the host.
#[doc(hidden)]
pub fn inject_panic_for_tests() {
    INJECT_PANIC.with(|p| p.set(true));
}

pub(crate) fn set_last_error(code: i32, msg: &str) {
    let _ = LAST_ERROR_CODE.try_with(|c| c.set(code));
    // At most MAX + 1 characters are copied, whatever the message's size.
    let mut clean: String = msg
        .chars()
        .filter(|c| *c != '\0')
        .take(CSOD_MAX_LAST_ERROR_BYTES + 1)
        .collect();
    if clean.len() > CSOD_MAX_LAST_ERROR_BYTES {
        let mut cut = CSOD_MAX_LAST_ERROR_BYTES - 16;
        while !clean.is_char_boundary(cut) {
            cut -= 1;
        }
        clean.truncate(cut);
        clean.push_str(" [...cut]");
    }
    let c = CString::new(clean).unwrap_or_default();
    // try_with: during thread teardown the slot may be gone; `with` would panic.
    let _ = LAST_ERROR.try_with(|e| *e.borrow_mut() = c);
}

pub(crate) fn clear_last_error() {
    let _ = LAST_ERROR_CODE.try_with(|c| c.set(CSOD_ERROR_NONE));
    let _ = LAST_ERROR.try_with(|e| *e.borrow_mut() = CString::default());
}

/// What `csod_last_error` returns once the calling thread's storage is
/// destroyed (a call from a thread-local destructor as the thread exits).
const LAST_ERROR_GONE: &str =
    "the last error cannot be kept: this thread is exiting (its thread-local storage is destroyed)\0";

/// Runs an export's body: clears the last error, catches panics, records
/// errors. Returns `None` when the caller must return NULL.
pub(crate) fn guard<T, F>(f: F) -> Option<T>
where
    F: FnOnce() -> Result<T, String>,
{
    // Everything, the last error's bookkeeping included, runs under
    // catch_unwind: nothing here may unwind into the caller.
    let run = || {
        clear_last_error();
        let body = || {
            if INJECT_PANIC.try_with(|p| p.replace(false)).unwrap_or(false) {
                panic!("injected panic (test hook)");
            }
            f()
        };
        match catch_unwind(AssertUnwindSafe(body)) {
            Ok(Ok(v)) => Some(v),
            Ok(Err(msg)) => {
                let code = if msg.starts_with("internal error") {
                    CSOD_ERROR_INTERNAL
                } else if msg.starts_with(crate::diagnose::CANCELLED) {
                    CSOD_ERROR_CANCELLED
                } else {
                    CSOD_ERROR_BAD_INPUT
                };
                set_last_error(code, &msg);
                None
            }
            Err(panic) => {
                let what = panic
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown panic".into());
                set_last_error(
                    CSOD_ERROR_INTERNAL,
                    &format!("internal error (please report): {}", what),
                );
                None
            }
        }
    };
    catch_unwind(AssertUnwindSafe(run)).unwrap_or(None)
}

/// Frees a string returned by a `char *` function of this library. NULL is
/// fine. Never pass a pointer from elsewhere, or the same pointer twice.
///
/// # Safety
/// `s` is NULL or a pointer returned by this library and not yet freed.
#[no_mangle]
pub unsafe extern "C" fn csod_string_free(s: *mut c_char) {
    if s.is_null() {
        return;
    }
    let _ = catch_unwind(AssertUnwindSafe(|| drop(CString::from_raw(s))));
}

/// Frees a string returned by a `uint16_t *` function of this library. NULL
/// is fine.
///
/// # Safety
/// `s` is NULL or a pointer returned by this library and not yet freed.
#[no_mangle]
pub unsafe extern "C" fn csod_wstring_free(s: *mut u16) {
    if s.is_null() {
        return;
    }
    let _ = catch_unwind(AssertUnwindSafe(|| drop(U16CString::from_raw(s))));
}

/// The last error of the calling thread, "" when the last call succeeded.
/// The pointer stays valid until this thread's next call into the library;
/// do not free it. Called while the thread exits, after its thread-local
/// storage is destroyed (from a thread-local destructor), it returns a
/// static message saying so, never NULL.
#[no_mangle]
pub extern "C" fn csod_last_error() -> *const c_char {
    let gone = LAST_ERROR_GONE.as_ptr() as *const c_char;
    catch_unwind(|| LAST_ERROR.try_with(|e| e.borrow().as_ptr()).unwrap_or(gone)).unwrap_or(gone)
}

/// UTF-16 form of `csod_last_error`. Returns a new string to free with
/// `csod_wstring_free` (NULL only if memory ran out).
#[no_mangle]
pub extern "C" fn csod_last_error_w() -> *mut u16 {
    match catch_unwind(|| {
        let msg = LAST_ERROR
            .try_with(|e| e.borrow().to_string_lossy().into_owned())
            .unwrap_or_else(|_| LAST_ERROR_GONE.trim_end_matches('\0').to_string());
        out_wstr(&msg)
    }) {
        Ok(Ok(p)) => p,
        _ => std::ptr::null_mut(),
    }
}

/// The kind of the calling thread's last failure: `CSOD_ERROR_NONE` (0)
/// when its last call succeeded, `CSOD_ERROR_BAD_INPUT` (1) when the input
/// was refused (NULL, bad encoding, bad JSON, a limit passed, an unknown
/// language), `CSOD_ERROR_INTERNAL` (2) for a bug in the library (a caught
/// panic, output that cannot be written), `CSOD_ERROR_CANCELLED` (3) when
/// `csod_cancel` stopped it. `csod_last_error` gives the
/// message. Never fails.
#[no_mangle]
pub extern "C" fn csod_last_error_code() -> i32 {
    catch_unwind(|| {
        LAST_ERROR_CODE
            .try_with(|c| c.get())
            .unwrap_or(CSOD_ERROR_NONE)
    })
    .unwrap_or(CSOD_ERROR_INTERNAL)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_error_is_cut_on_a_char_boundary() {
        set_last_error(CSOD_ERROR_BAD_INPUT, &"\u{e9}".repeat(5000));
        let e = LAST_ERROR.with(|e| e.borrow().to_str().unwrap().to_string());
        assert!(e.len() <= CSOD_MAX_LAST_ERROR_BYTES, "{}", e.len());
        assert!(e.ends_with(" [...cut]"));
        set_last_error(CSOD_ERROR_BAD_INPUT, "a\0b");
        let e = LAST_ERROR.with(|e| e.borrow().to_str().unwrap().to_string());
        assert_eq!(e, "ab");
    }

    #[test]
    fn the_last_error_has_a_code() {
        assert_eq!(guard(|| Ok::<_, String>(1)), Some(1));
        assert_eq!(csod_last_error_code(), CSOD_ERROR_NONE);
        assert_eq!(
            guard(|| Err::<(), _>("language \"xx\" is unknown".to_string())),
            None
        );
        assert_eq!(csod_last_error_code(), CSOD_ERROR_BAD_INPUT);
        assert_eq!(
            guard(|| Err::<(), _>("internal error: x".to_string())),
            None
        );
        assert_eq!(csod_last_error_code(), CSOD_ERROR_INTERNAL);
        super::super::inject_panic_for_tests();
        assert_eq!(guard(|| Ok::<_, String>(1)), None);
        assert_eq!(csod_last_error_code(), CSOD_ERROR_INTERNAL);
        // The next call that succeeds clears it.
        assert_eq!(guard(|| Ok::<_, String>(2)), Some(2));
        assert_eq!(csod_last_error_code(), CSOD_ERROR_NONE);
    }
}
