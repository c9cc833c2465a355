//! Arguments in (checked pointers, UTF-8 and UTF-16 strings, buffers,
//! JSON documents within `CSOD_MAX_DOCUMENT_BYTES`) and strings out.

use std::ffi::{CStr, CString};
use std::os::raw::c_char;
use widestring::{U16CStr, U16CString};

pub(crate) use crate::document::{check_document_size, to_json};

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
