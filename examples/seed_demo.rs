//! Demo: classifies every error message of the seed article (or of the
//! markdown files given as arguments) through the C ABI and prints the
//! diagnosis, then this machine's findings (csod_diagnose).
//! `cargo run --example seed_demo [-- --lang fr] [--offline] [--no-diagnose] [FILE...]`
//! (`--offline`: no network probe; `--no-diagnose`: skip this machine).

use std::ffi::{CStr, CString};
use std::path::PathBuf;

fn main() {
    let mut lang = String::from("en");
    let mut files: Vec<PathBuf> = Vec::new();
    let mut offline = false;
    let mut diagnose = true;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--lang" {
            lang = args.next().unwrap_or_else(|| fail("--lang needs a value"));
        } else if a == "--offline" {
            offline = true;
        } else if a == "--no-diagnose" {
            diagnose = false;
        } else {
            files.push(PathBuf::from(a));
        }
    }
    if files.is_empty() {
        let seed = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/seed");
        let entries = std::fs::read_dir(&seed)
            .unwrap_or_else(|e| fail(&format!("{}: {}", seed.display(), e)));
        files = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        files.sort();
    }
    let lang_c = CString::new(lang.clone()).unwrap();
    let mut count = 0;
    for f in files {
        let text = std::fs::read_to_string(&f)
            .unwrap_or_else(|e| fail(&format!("{}: {}", f.display(), e)));
        for line in text.lines() {
            // The article marks each error as "**Erreur**: *...*" (or "**Error**:").
            let msg = match error_of(line) {
                Some(m) => m,
                None => continue,
            };
            count += 1;
            let c = CString::new(msg.clone()).unwrap();
            let out = unsafe { csod::ffi::csod_classify(c.as_ptr(), lang_c.as_ptr()) };
            if out.is_null() {
                let e = unsafe { CStr::from_ptr(csod::ffi::csod_last_error()) };
                fail(&e.to_string_lossy());
            }
            let json = unsafe { CStr::from_ptr(out) }
                .to_string_lossy()
                .into_owned();
            unsafe { csod::ffi::csod_string_free(out) };
            let v: serde_json::Value = serde_json::from_str(&json).unwrap();
            let short: String = msg.chars().take(90).collect();
            println!("error: {}…", short);
            match v["matches"].as_array().and_then(|m| m.first()) {
                None => println!("  -> not recognised\n"),
                Some(m) => {
                    println!(
                        "  -> {} ({:.2}) {}",
                        m["id"].as_str().unwrap_or(""),
                        m["confidence"].as_f64().unwrap_or(0.0),
                        m["title"].as_str().unwrap_or("")
                    );
                    if let Some(fix) = m["fix"].as_str() {
                        println!("     fix: {}", fix);
                    }
                    if let Some(fields) = m["fields"].as_object() {
                        for (k, val) in fields {
                            println!("     {}: {}", k, val.as_str().unwrap_or(""));
                        }
                    }
                    println!();
                }
            }
        }
    }
    println!("{} error messages classified", count);
    if diagnose {
        this_machine(&lang, offline);
    }
}

/// Prints this machine's findings (csod_diagnose with the default endpoints,
/// or none when offline).
fn this_machine(lang: &str, offline: bool) {
    let mut req = serde_json::json!({ "language": lang });
    if offline {
        req["endpoints"] = serde_json::json!([]);
    }
    let c = CString::new(req.to_string()).unwrap();
    let out = unsafe { csod::ffi::csod_diagnose(c.as_ptr()) };
    if out.is_null() {
        let e = unsafe { CStr::from_ptr(csod::ffi::csod_last_error()) };
        fail(&e.to_string_lossy());
    }
    let json = unsafe { CStr::from_ptr(out) }
        .to_string_lossy()
        .into_owned();
    unsafe { csod::ffi::csod_string_free(out) };
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    println!(
        "\nthis machine ({}, {} ms, probes bounded by {} ms):",
        v["os"].as_str().unwrap_or("?"),
        v["elapsed_ms"],
        v["timeout_ms"]
    );
    for f in v["findings"].as_array().into_iter().flatten() {
        println!(
            "  [{:<14}] {:<38} {}",
            f["status"].as_str().unwrap_or(""),
            f["id"].as_str().unwrap_or(""),
            f["summary"].as_str().unwrap_or("")
        );
        if matches!(f["status"].as_str(), Some("problem") | Some("warning")) {
            if let Some(fix) = f["fix"].as_str() {
                println!("  {:<16} {:<38} fix: {}", "", "", fix);
            }
        }
    }
}

fn error_of(line: &str) -> Option<String> {
    let l = line.trim_start_matches([' ', '-']);
    let rest = l
        .strip_prefix("**Erreur**:")
        .or_else(|| l.strip_prefix("**Error**:"))?;
    let msg = rest
        .trim()
        .trim_matches(|c| c == '*' || c == '_')
        .replace("<em>", "")
        .replace("</em>", "");
    let msg = msg.trim_matches('*').trim().to_string();
    if msg.is_empty() {
        None
    } else {
        Some(msg)
    }
}

fn fail(msg: &str) -> ! {
    eprintln!("seed_demo: {}", msg);
    std::process::exit(1)
}
