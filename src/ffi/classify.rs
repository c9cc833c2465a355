//! Classification: `csod_classify*`.

use std::os::raw::c_char;

use super::args::*;
use super::error::guard;
use crate::{catalog, classify};

fn classify_text_json(text: &str, language: Option<&str>) -> Result<String, String> {
    let lang = catalog::output_language(language)?;
    to_json(&classify::classify_text(text, lang)?)
}

fn classify_record_json(record: &str, language: Option<&str>) -> Result<String, String> {
    let lang = catalog::output_language(language)?;
    let input = classify::parse_record(record)?;
    to_json(&classify::classify(&input, lang)?)
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
