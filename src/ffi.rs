//! The C ABI: the only unsafe layer.
//!
//! Rules every export follows:
//! - Pointers are checked; NULL where a value is required is bad input.
//! - Strings in are UTF-8 (`char *`) or UTF-16 (`uint16_t *`), NUL-terminated
//!   unless a length is given; invalid encodings are bad input.
//! - Strings out are owned by the library: free a `char *` with
//!   `csod_string_free` and a `uint16_t *` with `csod_wstring_free`, once.
//! - On bad input or an internal failure the function returns NULL and
//!   `csod_last_error()` says why. Every call starts by clearing the last
//!   error of its thread, so it describes the most recent call.
//! - No panic crosses the boundary: every body runs under `catch_unwind`,
//!   and the last error (a thread-local) is reached only with `try_with`, so
//!   a call made while its thread is being torn down (from another
//!   thread-local's destructor, after ours is gone) cannot panic either: it
//!   works, but its last error cannot be kept (see `csod_last_error`).

use std::cell::{Cell, RefCell};
use std::ffi::{CStr, CString};
use std::os::raw::c_char;
use std::panic::{catch_unwind, AssertUnwindSafe};
use widestring::{U16CStr, U16CString};

use crate::{catalog, classify};

/// The ABI version of this library. It changes when an existing function's
/// signature or ownership rule changes.
pub const CSOD_ABI_VERSION: u32 = 1;

thread_local! {
    static LAST_ERROR: RefCell<CString> = RefCell::new(CString::default());
    static INJECT_PANIC: Cell<bool> = const { Cell::new(false) };
}

/// Test hook, not part of the C ABI: the next export called on this thread
/// panics inside its guard, as a bug would. The hostile suite uses it to show
/// that a panic becomes NULL and a last error, never an abort of the host.
#[doc(hidden)]
pub fn inject_panic_for_tests() {
    INJECT_PANIC.with(|p| p.set(true));
}

/// Largest JSON document (`record_json`, `request_json`, `options_json`)
/// accepted, in bytes of UTF-8 (a UTF-16 document longer than this many
/// units is refused before decoding). Each is a few kilobytes; a larger
/// document is bad input. JSON is parsed whole, so this bounds what one call
/// can allocate.
pub const CSOD_MAX_DOCUMENT_BYTES: usize = 16 << 20;

/// Longest last error kept, in bytes. Messages quote the offending input
/// (an unknown language, a bad number); a hostile caller's 64 MB value must
/// not become a 64 MB error string.
pub const CSOD_MAX_LAST_ERROR_BYTES: usize = 1024;

pub(crate) fn set_last_error(msg: &str) {
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
                set_last_error(&msg);
                None
            }
            Err(panic) => {
                let what = panic
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown panic".into());
                set_last_error(&format!("internal error (please report): {}", what));
                None
            }
        }
    };
    catch_unwind(AssertUnwindSafe(run)).unwrap_or(None)
}

/// Reads a required NUL-terminated UTF-8 argument.
///
/// # Safety
/// `p` is NULL or points to a NUL-terminated string valid for this call.
pub(crate) unsafe fn str_arg<'a>(p: *const c_char, name: &str) -> Result<&'a str, String> {
    if p.is_null() {
        return Err(format!("{} is NULL", name));
    }
    CStr::from_ptr(p)
        .to_str()
        .map_err(|e| format!("{} is not valid UTF-8 (byte {})", name, e.valid_up_to()))
}

/// Reads an optional NUL-terminated UTF-8 argument.
///
/// # Safety
/// As `str_arg`.
pub(crate) unsafe fn opt_str_arg<'a>(
    p: *const c_char,
    name: &str,
) -> Result<Option<&'a str>, String> {
    if p.is_null() {
        Ok(None)
    } else {
        str_arg(p, name).map(Some)
    }
}

/// Reads a buffer of `len` bytes as UTF-8 (NULs allowed).
///
/// # Safety
/// `p` is NULL (then `len` must be 0) or valid for `len` bytes.
pub(crate) unsafe fn bytes_arg<'a>(
    p: *const u8,
    len: usize,
    name: &str,
) -> Result<&'a [u8], String> {
    if p.is_null() {
        if len == 0 {
            return Ok(&[]);
        }
        return Err(format!("{} is NULL with a length of {}", name, len));
    }
    if len > isize::MAX as usize {
        return Err(format!("{} length {} is too large", name, len));
    }
    Ok(std::slice::from_raw_parts(p, len))
}

/// Reads a required NUL-terminated UTF-16 argument.
///
/// # Safety
/// `p` is NULL or points to a NUL-terminated UTF-16 string valid for this call.
pub(crate) unsafe fn wstr_arg(p: *const u16, name: &str) -> Result<String, String> {
    if p.is_null() {
        return Err(format!("{} is NULL", name));
    }
    U16CStr::from_ptr_str(p)
        .to_string()
        .map_err(|_| format!("{} is not valid UTF-16 (unpaired surrogate)", name))
}

/// Reads a required NUL-terminated UTF-16 text argument for classification:
/// the whole string is checked (an unpaired surrogate anywhere is bad input)
/// but only the part classification analyses is decoded (see
/// `normalize::clip`), so a huge input costs no more than 1 MiB of memory.
///
/// # Safety
/// As `wstr_arg`.
pub(crate) unsafe fn wtext_arg(p: *const u16, name: &str) -> Result<String, String> {
    if p.is_null() {
        return Err(format!("{} is NULL", name));
    }
    let units = U16CStr::from_ptr_str(p).as_slice();
    let limit = crate::normalize::MAX_ANALYSED_BYTES;
    // Decoded in chunks (std's decoder, fast in any build); a chunk never
    // ends between the two halves of a pair. Chunks past the analysed part
    // are checked and dropped.
    const CHUNK: usize = 1 << 16;
    let mut out = String::new();
    let mut rest = units;
    while !rest.is_empty() {
        let mut n = rest.len().min(CHUNK);
        if n < rest.len() && (0xD800..0xDC00).contains(&rest[n - 1]) {
            n += 1;
        }
        let part = String::from_utf16(&rest[..n])
            .map_err(|_| format!("{} is not valid UTF-16 (unpaired surrogate)", name))?;
        if out.len() <= limit {
            out.push_str(&part);
        }
        rest = &rest[n..];
    }
    Ok(out)
}

/// Refuses a JSON document larger than `CSOD_MAX_DOCUMENT_BYTES`.
pub(crate) fn check_document_size(len: usize, name: &str) -> Result<(), String> {
    if len > CSOD_MAX_DOCUMENT_BYTES {
        return Err(format!(
            "{} is too large: {} bytes, the limit is {} (such a document is a few kilobytes)",
            name, len, CSOD_MAX_DOCUMENT_BYTES
        ));
    }
    Ok(())
}

/// Reads a required NUL-terminated UTF-16 JSON document, refusing one longer
/// than `CSOD_MAX_DOCUMENT_BYTES` units before decoding it.
///
/// # Safety
/// As `wstr_arg`.
pub(crate) unsafe fn wdoc_arg(p: *const u16, name: &str) -> Result<String, String> {
    if p.is_null() {
        return Err(format!("{} is NULL", name));
    }
    let units = U16CStr::from_ptr_str(p).as_slice();
    check_document_size(units.len(), name)?;
    let s = String::from_utf16(units)
        .map_err(|_| format!("{} is not valid UTF-16 (unpaired surrogate)", name))?;
    check_document_size(s.len(), name)?;
    Ok(s)
}

/// Reads an optional NUL-terminated UTF-16 JSON document (as `wdoc_arg`).
///
/// # Safety
/// As `wstr_arg`.
pub(crate) unsafe fn opt_wdoc_arg(p: *const u16, name: &str) -> Result<Option<String>, String> {
    if p.is_null() {
        Ok(None)
    } else {
        wdoc_arg(p, name).map(Some)
    }
}

/// Reads an optional NUL-terminated UTF-16 argument.
///
/// # Safety
/// As `wstr_arg`.
pub(crate) unsafe fn opt_wstr_arg(p: *const u16, name: &str) -> Result<Option<String>, String> {
    if p.is_null() {
        Ok(None)
    } else {
        wstr_arg(p, name).map(Some)
    }
}

/// Hands a string to the caller as `char *`.
pub(crate) fn out_str(s: String) -> Result<*mut c_char, String> {
    CString::new(s)
        .map(CString::into_raw)
        .map_err(|_| "internal error: output holds a NUL".to_string())
}

/// Hands a string to the caller as `uint16_t *`.
pub(crate) fn out_wstr(s: &str) -> Result<*mut u16, String> {
    U16CString::from_str(s)
        .map(U16CString::into_raw)
        .map_err(|_| "internal error: output holds a NUL".to_string())
}

pub(crate) fn to_json<T: serde::Serialize>(v: &T) -> Result<String, String> {
    serde_json::to_string(v).map_err(|e| format!("internal error: cannot write JSON: {}", e))
}

fn classify_text_json(text: &str, language: Option<&str>) -> Result<String, String> {
    let lang = catalog::output_language(language)?;
    to_json(&classify::classify_text(text, lang)?)
}

fn classify_record_json(record: &str, language: Option<&str>) -> Result<String, String> {
    let lang = catalog::output_language(language)?;
    let input = classify::parse_record(record)?;
    to_json(&classify::classify(&input, lang)?)
}

/// Returns the ABI version (1). Refuse the library when it differs from the
/// version you were built for.
#[no_mangle]
pub extern "C" fn csod_abi_version() -> u32 {
    CSOD_ABI_VERSION
}

/// Returns the library's semantic version as a static NUL-terminated string.
/// Do not free it.
#[no_mangle]
pub extern "C" fn csod_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr() as *const c_char
}

/// Classifies error text (UTF-8, NUL-terminated).
///
/// `language` is the output language (one with a `catalog/texts/<lang>.json`
/// file: "en", "fr", "de", "ja", or a culture name such as "fr-FR"); NULL
/// means "en". Returns a JSON document
/// `{"schema":1,"language":…,"matches":[…]}` to free with
/// `csod_string_free`, or NULL on bad input (see `csod_last_error`).
///
/// # Safety
/// `text` and `language` are NULL or valid NUL-terminated strings.
#[no_mangle]
pub unsafe extern "C" fn csod_classify(
    text: *const c_char,
    language: *const c_char,
) -> *mut c_char {
    guard(|| {
        let text = str_arg(text, "text")?;
        let language = opt_str_arg(language, "language")?;
        out_str(classify_text_json(text, language)?)
    })
    .unwrap_or(std::ptr::null_mut())
}

/// Classifies `len` bytes of UTF-8 text that need not be NUL-terminated and
/// may hold NULs (treated as spaces). Otherwise as `csod_classify`.
///
/// # Safety
/// `text` is valid for `len` bytes (or NULL with `len` 0); `language` is NULL
/// or a valid NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn csod_classify_n(
    text: *const u8,
    len: usize,
    language: *const c_char,
) -> *mut c_char {
    guard(|| {
        let bytes = bytes_arg(text, len, "text")?;
        let text = std::str::from_utf8(bytes)
            .map_err(|e| format!("text is not valid UTF-8 (byte {})", e.valid_up_to()))?;
        let language = opt_str_arg(language, "language")?;
        let text = crate::normalize::clip(text).replace('\0', " ");
        out_str(classify_text_json(&text, language)?)
    })
    .unwrap_or(std::ptr::null_mut())
}

/// Classifies an error record given as JSON: keys `message`,
/// `fully_qualified_error_id`, `exception_type`, `category`, `hresult`,
/// `error_code`, `command` (all optional, but a message or an id is needed;
/// unknown keys are ignored). Output as `csod_classify`. A document larger
/// than `CSOD_MAX_DOCUMENT_BYTES` is bad input.
///
/// # Safety
/// `record_json` and `language` are NULL or valid NUL-terminated strings.
#[no_mangle]
pub unsafe extern "C" fn csod_classify_record(
    record_json: *const c_char,
    language: *const c_char,
) -> *mut c_char {
    guard(|| {
        let record = str_arg(record_json, "record_json")?;
        check_document_size(record.len(), "record_json")?;
        let language = opt_str_arg(language, "language")?;
        out_str(classify_record_json(record, language)?)
    })
    .unwrap_or(std::ptr::null_mut())
}

/// UTF-16 form of `csod_classify`; free the result with `csod_wstring_free`.
///
/// # Safety
/// `text` and `language` are NULL or valid NUL-terminated UTF-16 strings.
#[no_mangle]
pub unsafe extern "C" fn csod_classify_w(text: *const u16, language: *const u16) -> *mut u16 {
    guard(|| {
        let text = wtext_arg(text, "text")?;
        let language = opt_wstr_arg(language, "language")?;
        out_wstr(&classify_text_json(&text, language.as_deref())?)
    })
    .unwrap_or(std::ptr::null_mut())
}

/// UTF-16 form of `csod_classify_record`; free the result with
/// `csod_wstring_free`.
///
/// # Safety
/// `record_json` and `language` are NULL or valid NUL-terminated UTF-16 strings.
#[no_mangle]
pub unsafe extern "C" fn csod_classify_record_w(
    record_json: *const u16,
    language: *const u16,
) -> *mut u16 {
    guard(|| {
        let record = wdoc_arg(record_json, "record_json")?;
        let language = opt_wstr_arg(language, "language")?;
        out_wstr(&classify_record_json(&record, language.as_deref())?)
    })
    .unwrap_or(std::ptr::null_mut())
}

/// Returns the catalog (every problem with its texts in `language`, its
/// signals and the message languages recognised) as JSON; NULL language
/// means "en". Free with `csod_string_free`.
///
/// # Safety
/// `language` is NULL or a valid NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn csod_catalog(language: *const c_char) -> *mut c_char {
    guard(|| {
        let language = opt_str_arg(language, "language")?;
        let lang = catalog::output_language(language)?;
        out_str(to_json(&catalog::get()?.to_json(lang))?)
    })
    .unwrap_or(std::ptr::null_mut())
}

/// UTF-16 form of `csod_catalog`; free with `csod_wstring_free`.
///
/// # Safety
/// `language` is NULL or a valid NUL-terminated UTF-16 string.
#[no_mangle]
pub unsafe extern "C" fn csod_catalog_w(language: *const u16) -> *mut u16 {
    guard(|| {
        let language = opt_wstr_arg(language, "language")?;
        let lang = catalog::output_language(language.as_deref())?;
        out_wstr(&to_json(&catalog::get()?.to_json(lang))?)
    })
    .unwrap_or(std::ptr::null_mut())
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

// ---------------------------------------------------------------------------
// Bulk scan (src/scan.rs).

/// An incremental scanner: create with `csod_scanner_new`, give it the input
/// in chunks of any size with `csod_scanner_feed`, get the result with
/// `csod_scanner_finish`, release it with `csod_scanner_free`. Memory stays
/// bounded whatever the input size. One scanner is used by one thread at a
/// time.
pub struct CsodScanner {
    inner: Option<crate::scan::Scanner>,
}

fn scan_json(data: &[u8], options: Option<&str>) -> Result<String, String> {
    let opts = crate::scan::parse_options(options)?;
    to_json(&crate::scan::scan(data, opts)?)
}

fn scanner_new(options: Option<&str>) -> Result<*mut CsodScanner, String> {
    let opts = crate::scan::parse_options(options)?;
    let inner = crate::scan::Scanner::new(opts)?;
    Ok(Box::into_raw(Box::new(CsodScanner { inner: Some(inner) })))
}

unsafe fn scanner_finish(s: *mut CsodScanner) -> Result<String, String> {
    let s = s.as_mut().ok_or_else(|| "scanner is NULL".to_string())?;
    let mut inner = s.inner.take().ok_or_else(|| {
        "the scanner is already finished (or failed): create a new one".to_string()
    })?;
    to_json(&inner.finish()?)
}

/// Scans `len` bytes of a transcript or log for every catalog error.
///
/// The input is UTF-8 (with or without BOM) or UTF-16 LE/BE with a BOM (as
/// Windows PowerShell 5.1's transcripts and `Out-File` write), LF or CRLF.
/// `options_json` may be NULL; otherwise a JSON object with the optional
/// keys `"language"` (output language of the titles: one with a
/// `catalog/texts/<lang>.json` file, "en", "fr", "de", "ja", or a culture
/// name; default "en"), `"max_hits"` (0..1000000 hits listed,
/// default 1000), `"fields"` (true/false: list the fields cut from each
/// error, default true) and `"encoding"` ("auto", "utf-8", "utf-16le",
/// "utf-16be"; default "auto"). Unknown keys are ignored; a wrong type is
/// bad input, and so is an options document larger than
/// `CSOD_MAX_DOCUMENT_BYTES` or nested deeper than 32 levels (both checked
/// before parsing, in every entry point that reads options).
///
/// Returns `{"schema":1,"language":…,"encoding":…,"bytes":…,"lines":…,
/// "hits":[{"line":…,"offset":…,"id":…,"confidence":…,"title":…,
/// "fields":{…}}],"counts":{"<id>":n},"truncated":false}`: one hit per error
/// occurrence (a console-wrapped error is one hit, at its first line), lines
/// from 1, offsets in bytes into the input (BOM included). `counts` counts
/// every hit, also those beyond `max_hits`. Free with `csod_string_free`;
/// NULL on bad input (see `csod_last_error`). Memory use does not grow with
/// `len`; for input that does not fit in memory use `csod_scanner_new`.
///
/// # Safety
/// `data` is valid for `len` bytes (or NULL with `len` 0); `options_json` is
/// NULL or a valid NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn csod_scan(
    data: *const u8,
    len: usize,
    options_json: *const c_char,
) -> *mut c_char {
    guard(|| {
        let data = bytes_arg(data, len, "data")?;
        let options = opt_str_arg(options_json, "options_json")?;
        out_str(scan_json(data, options)?)
    })
    .unwrap_or(std::ptr::null_mut())
}

/// UTF-16 form of `csod_scan`: the data are still bytes (any encoding
/// `csod_scan` accepts), the options are a NUL-terminated UTF-16 string
/// (or NULL) and the result is freed with `csod_wstring_free`.
///
/// # Safety
/// As `csod_scan`, with `options_json` NULL or a valid NUL-terminated
/// UTF-16 string.
#[no_mangle]
pub unsafe extern "C" fn csod_scan_w(
    data: *const u8,
    len: usize,
    options_json: *const u16,
) -> *mut u16 {
    guard(|| {
        let data = bytes_arg(data, len, "data")?;
        let options = opt_wdoc_arg(options_json, "options_json")?;
        out_wstr(&scan_json(data, options.as_deref())?)
    })
    .unwrap_or(std::ptr::null_mut())
}

/// Creates an incremental scanner; `options_json` as for `csod_scan` (NULL
/// for the defaults). Returns NULL on bad options (see `csod_last_error`).
/// Release it with `csod_scanner_free`.
///
/// # Safety
/// `options_json` is NULL or a valid NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn csod_scanner_new(options_json: *const c_char) -> *mut CsodScanner {
    guard(|| {
        let options = opt_str_arg(options_json, "options_json")?;
        scanner_new(options)
    })
    .unwrap_or(std::ptr::null_mut())
}

/// UTF-16 form of `csod_scanner_new`.
///
/// # Safety
/// `options_json` is NULL or a valid NUL-terminated UTF-16 string.
#[no_mangle]
pub unsafe extern "C" fn csod_scanner_new_w(options_json: *const u16) -> *mut CsodScanner {
    guard(|| {
        let options = opt_wdoc_arg(options_json, "options_json")?;
        scanner_new(options.as_deref())
    })
    .unwrap_or(std::ptr::null_mut())
}

/// Gives the scanner the next `len` bytes of the input. Chunks may be of
/// any size and may cut lines, characters and UTF-16 code units anywhere:
/// the result is the same for any chunking, and the work stays linear in
/// the input. A line longer than 64 KiB before its line feed is counted but
/// not searched (it ends an error block as a blank line would), however it
/// was cut.
/// Returns 0, or -1 on bad input (NULL scanner, NULL data with a length, a
/// finished scanner; see `csod_last_error`).
///
/// # Safety
/// `scanner` is NULL or a live scanner from `csod_scanner_new`; `data` is
/// valid for `len` bytes (or NULL with `len` 0).
#[no_mangle]
pub unsafe extern "C" fn csod_scanner_feed(
    scanner: *mut CsodScanner,
    data: *const u8,
    len: usize,
) -> i32 {
    guard(|| {
        let s = scanner
            .as_mut()
            .ok_or_else(|| "scanner is NULL".to_string())?;
        let data = bytes_arg(data, len, "data")?;
        // Taken out while it works: after a panic it stays out, so a broken
        // scanner is never used again.
        let mut inner = s.inner.take().ok_or_else(|| {
            "the scanner is already finished (or failed): create a new one".to_string()
        })?;
        let result = inner.feed(data);
        s.inner = Some(inner);
        result.map(|_| 0)
    })
    .unwrap_or(-1)
}

/// Ends the input and returns the result document (as `csod_scan`), to free
/// with `csod_string_free`; NULL on bad input. The scanner takes no more
/// input but must still be released with `csod_scanner_free`.
///
/// # Safety
/// `scanner` is NULL or a live scanner from `csod_scanner_new`.
#[no_mangle]
pub unsafe extern "C" fn csod_scanner_finish(scanner: *mut CsodScanner) -> *mut c_char {
    guard(|| out_str(scanner_finish(scanner)?)).unwrap_or(std::ptr::null_mut())
}

/// UTF-16 form of `csod_scanner_finish`; free with `csod_wstring_free`.
///
/// # Safety
/// As `csod_scanner_finish`.
#[no_mangle]
pub unsafe extern "C" fn csod_scanner_finish_w(scanner: *mut CsodScanner) -> *mut u16 {
    guard(|| out_wstr(&scanner_finish(scanner)?)).unwrap_or(std::ptr::null_mut())
}

/// Releases a scanner (finished or not). NULL is fine; never pass the same
/// scanner twice.
///
/// # Safety
/// `scanner` is NULL or a scanner from `csod_scanner_new` not yet released.
#[no_mangle]
pub unsafe extern "C" fn csod_scanner_free(scanner: *mut CsodScanner) {
    if scanner.is_null() {
        return;
    }
    let _ = catch_unwind(AssertUnwindSafe(|| drop(Box::from_raw(scanner))));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_error_is_cut_on_a_char_boundary() {
        set_last_error(&"\u{e9}".repeat(5000));
        let e = LAST_ERROR.with(|e| e.borrow().to_str().unwrap().to_string());
        assert!(e.len() <= CSOD_MAX_LAST_ERROR_BYTES, "{}", e.len());
        assert!(e.ends_with(" [...cut]"));
        set_last_error("a\0b");
        let e = LAST_ERROR.with(|e| e.borrow().to_str().unwrap().to_string());
        assert_eq!(e, "ab");
    }

    #[test]
    fn utf16_text_is_checked_whole_but_decoded_in_part() {
        let limit = crate::normalize::MAX_ANALYSED_BYTES;
        // A pair straddling a chunk boundary is fine.
        let mut units = vec![b'a' as u16; (1 << 16) - 1];
        units.extend_from_slice(&[0xD83D, 0xDE00, 0]);
        let s = unsafe { wtext_arg(units.as_ptr(), "t") }.unwrap();
        assert!(s.ends_with('\u{1F600}'));
        // Far past the analysed part: decoded only up to it, checked to the end.
        let mut big = vec![b'b' as u16; 4 * limit];
        big.push(0);
        let s = unsafe { wtext_arg(big.as_ptr(), "t") }.unwrap();
        assert!(s.len() > limit && s.len() <= limit + 4 * (1 << 16));
        let n = big.len();
        big[n - 2] = 0xDC00;
        assert!(unsafe { wtext_arg(big.as_ptr(), "t") }
            .unwrap_err()
            .contains("unpaired"));
        // A high surrogate ending a chunk, not followed by a low one.
        let mut bad = vec![b'c' as u16; (1 << 16) - 1];
        bad.extend_from_slice(&[0xD800, b'd' as u16, 0]);
        assert!(unsafe { wtext_arg(bad.as_ptr(), "t") }.is_err());
    }
}
