//! The library's identity and its catalog: `csod_abi_version`,
//! `csod_version`, `csod_catalog*`.

use std::os::raw::c_char;

use super::args::*;
use super::error::guard;
use super::CSOD_ABI_VERSION;
use crate::catalog;

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
