//! Bulk scan: `csod_scan*` and the incremental `csod_scanner_*`.

use std::os::raw::c_char;
use std::panic::{catch_unwind, AssertUnwindSafe};

use super::args::*;
use super::error::guard;

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
