//! Every export of include/csod.h with the way to call it (tests/hostile.rs,
//! `every_header_export_is_in_the_table`, checks the table against the header).

use std::os::raw::c_char;

use csod::ffi::*;
use csod::ffi::{csod_diagnose, csod_diagnose_w};
/// `csod_diagnose_cancellable` with a live token (not cancelled), so that
/// every hostile request goes through it as through `csod_diagnose`.
unsafe extern "C" fn diagnose_cancellable_live(request: *const c_char) -> *mut c_char {
    let token = csod_cancel_new();
    let out = csod_diagnose_cancellable(request, token);
    csod_cancel_free(token);
    out
}

/// The UTF-16 form, with a live token.
unsafe extern "C" fn diagnose_cancellable_live_w(request: *const u16) -> *mut u16 {
    let token = csod_cancel_new();
    let out = csod_diagnose_cancellable_w(request, token);
    csod_cancel_free(token);
    out
}

pub type Fn8 = unsafe extern "C" fn(*const c_char, *const c_char) -> *mut c_char;
pub type Fn16 = unsafe extern "C" fn(*const u16, *const u16) -> *mut u16;

/// How an export is called.
#[derive(Clone, Copy)]
pub enum Kind {
    /// (document, language) -> char*
    Doc8(Fn8),
    /// (document, language) -> uint16_t*
    Doc16(Fn16),
    /// (bytes, len, language) -> char*
    Bytes(unsafe extern "C" fn(*const u8, usize, *const c_char) -> *mut c_char),
    /// (language) -> char*
    Lang8(unsafe extern "C" fn(*const c_char) -> *mut c_char),
    /// (language) -> uint16_t*
    Lang16(unsafe extern "C" fn(*const u16) -> *mut u16),
    /// (request) -> char*; the language goes into the request's "language".
    Req8(unsafe extern "C" fn(*const c_char) -> *mut c_char),
    /// (request) -> uint16_t*
    Req16(unsafe extern "C" fn(*const u16) -> *mut u16),
    /// Everything else (version, free, last error): covered by its own test.
    Other,
}

/// What the document argument is.
#[derive(Clone, Copy, PartialEq, Debug)]
pub enum Input {
    Text,
    Record,
    /// A csod_diagnose request.
    Request,
    None,
}

impl Input {
    pub fn is_json(self) -> bool {
        matches!(self, Input::Record | Input::Request)
    }
}

pub struct Export {
    pub name: &'static str,
    pub kind: Kind,
    pub input: Input,
}

/// Every export of include/csod.h.
pub fn exports() -> Vec<Export> {
    vec![
        Export {
            name: "csod_classify",
            kind: Kind::Doc8(csod_classify),
            input: Input::Text,
        },
        Export {
            name: "csod_classify_n",
            kind: Kind::Bytes(csod_classify_n),
            input: Input::Text,
        },
        Export {
            name: "csod_classify_w",
            kind: Kind::Doc16(csod_classify_w),
            input: Input::Text,
        },
        Export {
            name: "csod_classify_record",
            kind: Kind::Doc8(csod_classify_record),
            input: Input::Record,
        },
        Export {
            name: "csod_classify_record_w",
            kind: Kind::Doc16(csod_classify_record_w),
            input: Input::Record,
        },
        Export {
            name: "csod_catalog",
            kind: Kind::Lang8(csod_catalog),
            input: Input::None,
        },
        Export {
            name: "csod_catalog_w",
            kind: Kind::Lang16(csod_catalog_w),
            input: Input::None,
        },
        Export {
            name: "csod_diagnose",
            kind: Kind::Req8(csod_diagnose),
            input: Input::Request,
        },
        Export {
            name: "csod_diagnose_w",
            kind: Kind::Req16(csod_diagnose_w),
            input: Input::Request,
        },
        Export {
            name: "csod_diagnose_cancellable",
            kind: Kind::Req8(diagnose_cancellable_live),
            input: Input::Request,
        },
        Export {
            name: "csod_diagnose_cancellable_w",
            kind: Kind::Req16(diagnose_cancellable_live_w),
            input: Input::Request,
        },
        // The token exports: cancel_tokens_survive_misuse below; the
        // cancellation itself in tests/diagnose.rs and tests/c.
        Export {
            name: "csod_cancel_new",
            kind: Kind::Other,
            input: Input::None,
        },
        Export {
            name: "csod_cancel",
            kind: Kind::Other,
            input: Input::None,
        },
        Export {
            name: "csod_cancel_free",
            kind: Kind::Other,
            input: Input::None,
        },
        // Paths: file_kind_hostile_paths below.
        Export {
            name: "csod_file_kind",
            kind: Kind::Other,
            input: Input::None,
        },
        Export {
            name: "csod_file_kind_w",
            kind: Kind::Other,
            input: Input::None,
        },
        // The scan exports take bytes plus an options document, a signature of
        // their own: the scan_* tests below give them the hostile cases,
        // tests/scan.rs the planted transcripts and tests/c valgrind and ASan.
        Export {
            name: "csod_scan",
            kind: Kind::Other,
            input: Input::None,
        },
        Export {
            name: "csod_scan_w",
            kind: Kind::Other,
            input: Input::None,
        },
        Export {
            name: "csod_scanner_new",
            kind: Kind::Other,
            input: Input::None,
        },
        Export {
            name: "csod_scanner_new_w",
            kind: Kind::Other,
            input: Input::None,
        },
        Export {
            name: "csod_scanner_feed",
            kind: Kind::Other,
            input: Input::None,
        },
        Export {
            name: "csod_scanner_finish",
            kind: Kind::Other,
            input: Input::None,
        },
        Export {
            name: "csod_scanner_finish_w",
            kind: Kind::Other,
            input: Input::None,
        },
        Export {
            name: "csod_scanner_free",
            kind: Kind::Other,
            input: Input::None,
        },
        Export {
            name: "csod_abi_version",
            kind: Kind::Other,
            input: Input::None,
        },
        Export {
            name: "csod_version",
            kind: Kind::Other,
            input: Input::None,
        },
        Export {
            name: "csod_string_free",
            kind: Kind::Other,
            input: Input::None,
        },
        Export {
            name: "csod_wstring_free",
            kind: Kind::Other,
            input: Input::None,
        },
        Export {
            name: "csod_last_error",
            kind: Kind::Other,
            input: Input::None,
        },
        Export {
            name: "csod_last_error_w",
            kind: Kind::Other,
            input: Input::None,
        },
        Export {
            name: "csod_last_error_code",
            kind: Kind::Other,
            input: Input::None,
        },
    ]
}
