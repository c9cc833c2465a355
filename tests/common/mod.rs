//! Helpers shared by the integration tests (`mod common;` in each).
#![allow(dead_code)]

use serde_json::Value;
use std::ffi::{CStr, CString};
use std::path::PathBuf;

use csod::ffi::csod_diagnose;
use csod::ffi::{csod_last_error, csod_string_free};

/// Every `tests/corpus/<language>.json` document with its file name, sorted.
pub fn corpus_docs() -> Vec<(String, Value)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("corpus");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {}", dir.display(), e))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().map(|x| x == "json").unwrap_or(false))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|f| {
            let name = f.file_name().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&f).unwrap();
            let doc: Value =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {}", name, e));
            (name, doc)
        })
        .collect()
}

/// Every sample of the corpus with the document's language.
pub fn corpus_samples() -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for (name, doc) in corpus_docs() {
        let language = doc["language"].as_str().unwrap_or("?").to_string();
        let samples = doc["samples"]
            .as_array()
            .unwrap_or_else(|| panic!("{}: no samples", name));
        for s in samples {
            out.push((language.clone(), s.clone()));
        }
    }
    out
}

/// `csod_diagnose` as a Rust call: the parsed report, or the last error.
pub fn diagnose_call(request: &str) -> Result<Value, String> {
    let c = CString::new(request).unwrap();
    let out = unsafe { csod_diagnose(c.as_ptr()) };
    if out.is_null() {
        let e = unsafe { CStr::from_ptr(csod_last_error()) };
        return Err(e.to_string_lossy().into_owned());
    }
    let s = unsafe { CStr::from_ptr(out) }
        .to_string_lossy()
        .into_owned();
    unsafe { csod_string_free(out) };
    Ok(serde_json::from_str(&s).expect("result is JSON"))
}

/// `csod_diagnose` that must succeed.
pub fn diagnose(request: &Value) -> Value {
    diagnose_call(&request.to_string()).unwrap_or_else(|e| panic!("diagnose failed: {}", e))
}

/// The item of a report's `list` ("facts" or "findings") with this id.
fn item<'a>(doc: &'a Value, list: &str, id: &str) -> &'a Value {
    doc[list]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == id)
        .unwrap_or_else(|| panic!("no {} {} in {:#}", list, id, doc[list]))
}

pub fn fact<'a>(doc: &'a Value, id: &str) -> &'a Value {
    item(doc, "facts", id)
}

pub fn finding<'a>(doc: &'a Value, id: &str) -> &'a Value {
    item(doc, "findings", id)
}

/// xorshift64*: deterministic and dependency-free.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545F4914F6CDD1D)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}
