//! The C ABI: the only unsafe layer (with `src/probe/win32.rs`, the Windows
//! system calls). Every export lives in this folder, one file per area:
//! [`classify`], [`diagnose`], [`scan`], [`catalog`] (and the library's
//! identity), [`error`] (last error, its code, freeing); [`args`] checks
//! what comes in and hands out what goes out. `include/csod.h` is generated
//! from this folder only.
//!
//! Rules every export follows:
//! - Pointers are checked; NULL where a value is required is bad input.
//! - Strings in are UTF-8 (`char *`) or UTF-16 (`uint16_t *`), NUL-terminated
//!   unless a length is given; invalid encodings are bad input.
//! - Strings out are owned by the library: free a `char *` with
//!   `csod_string_free` and a `uint16_t *` with `csod_wstring_free`, once.
//! - On bad input or an internal failure the function returns NULL,
//!   `csod_last_error()` says why and `csod_last_error_code()` says which
//!   (`CSOD_ERROR_BAD_INPUT`, `CSOD_ERROR_INTERNAL`, `CSOD_ERROR_CANCELLED`). Every call starts by clearing the last
//!   error of its thread, so it describes the most recent call.
//! - No panic crosses the boundary: every body runs under `catch_unwind`,
//!   and the last error (a thread-local) is reached only with `try_with`, so
//!   a call made while its thread is being torn down (from another
//!   thread-local's destructor, after ours is gone) cannot panic either: it
//!   works, but its last error cannot be kept (see `csod_last_error`).

pub mod args;
pub mod catalog;
pub mod classify;
pub mod diagnose;
pub mod error;
pub mod files;
pub mod scan;

pub use catalog::*;
pub use classify::*;
pub use diagnose::*;
pub use error::*;
pub use files::*;
pub use scan::*;

/// The ABI version of this library. It changes when an existing function's
/// signature or ownership rule changes.
pub const CSOD_ABI_VERSION: u32 = 1;

/// `csod_last_error_code()`: the calling thread's last call succeeded.
pub const CSOD_ERROR_NONE: i32 = 0;
/// `csod_last_error_code()`: the input was refused (NULL where a value is
/// required, bad encoding, bad JSON, a limit passed, an unknown language).
pub const CSOD_ERROR_BAD_INPUT: i32 = 1;
/// `csod_last_error_code()`: a bug in the library (a caught panic, output
/// that cannot be written); the message starts with "internal error".
pub const CSOD_ERROR_INTERNAL: i32 = 2;
/// `csod_last_error_code()`: the call was stopped by `csod_cancel`; the
/// message starts with "cancelled".
pub const CSOD_ERROR_CANCELLED: i32 = 3;

/// Largest JSON document (`record_json`, `request_json`, `options_json`)
/// accepted, in bytes of UTF-8 (a UTF-16 document longer than this many
/// units is refused before decoding). Each is a few kilobytes; a larger
/// document is bad input. JSON is parsed whole, so this bounds what one call
/// can allocate.
pub const CSOD_MAX_DOCUMENT_BYTES: usize = 16 << 20;

/// Deepest nesting of JSON arrays and objects accepted in a document (the
/// record object counts as one level); deeper is bad input, refused before
/// parsing.
pub const CSOD_MAX_JSON_DEPTH: usize = 32;

/// Longest last error kept, in bytes. Messages quote the offending input
/// (an unknown language, a bad number); a hostile caller's 64 MB value must
/// not become a 64 MB error string.
pub const CSOD_MAX_LAST_ERROR_BYTES: usize = 1024;

/// `csod_diagnose`: the probes' time bound when the request gives none (ms).
pub const CSOD_DIAGNOSE_DEFAULT_TIMEOUT_MS: u64 = 3000;
/// `csod_diagnose`: a shorter `timeout_ms` is raised to this.
pub const CSOD_DIAGNOSE_MIN_TIMEOUT_MS: u64 = 100;
/// `csod_diagnose`: a longer `timeout_ms` is lowered to this.
pub const CSOD_DIAGNOSE_MAX_TIMEOUT_MS: u64 = 30000;
/// `csod_diagnose`: most endpoints a request may name.
pub const CSOD_DIAGNOSE_MAX_ENDPOINTS: usize = 32;

/// `csod_scan`: a line longer than this many bytes is counted, not searched.
pub const CSOD_SCAN_MAX_LINE: usize = 64 * 1024;
/// `csod_scan`: hits listed when the options do not say.
pub const CSOD_SCAN_DEFAULT_MAX_HITS: usize = 1000;
/// `csod_scan`: the largest `max_hits` accepted.
pub const CSOD_SCAN_MAX_MAX_HITS: usize = 1_000_000;

/// Most threads the library starts for operating-system probes.
pub const CSOD_OS_PROBE_THREADS: usize = 16;
/// Most threads the library starts for name lookups.
pub const CSOD_RESOLVER_THREADS: usize = 16;

#[cfg(test)]
mod tests {
    use super::args::*;
    use super::*;

    #[test]
    fn published_limits_are_the_ones_the_code_uses() {
        assert_eq!(CSOD_MAX_DOCUMENT_BYTES, crate::document::MAX_DOCUMENT_BYTES);
        assert_eq!(CSOD_MAX_JSON_DEPTH, crate::document::MAX_JSON_DEPTH);
        assert_eq!(
            CSOD_DIAGNOSE_DEFAULT_TIMEOUT_MS,
            crate::diagnose::DEFAULT_TIMEOUT_MS
        );
        assert_eq!(
            CSOD_DIAGNOSE_MIN_TIMEOUT_MS,
            crate::diagnose::MIN_TIMEOUT_MS
        );
        assert_eq!(
            CSOD_DIAGNOSE_MAX_TIMEOUT_MS,
            crate::diagnose::MAX_TIMEOUT_MS
        );
        assert_eq!(CSOD_DIAGNOSE_MAX_ENDPOINTS, crate::diagnose::MAX_ENDPOINTS);
        assert_eq!(CSOD_SCAN_MAX_LINE, crate::scan::MAX_LINE);
        assert_eq!(CSOD_SCAN_DEFAULT_MAX_HITS, crate::scan::DEFAULT_MAX_HITS);
        assert_eq!(CSOD_SCAN_MAX_MAX_HITS, crate::scan::MAX_MAX_HITS);
        assert_eq!(CSOD_OS_PROBE_THREADS, crate::probe::OS_PROBE_THREADS);
        assert_eq!(CSOD_RESOLVER_THREADS, crate::probe::net::RESOLVER_THREADS);
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
