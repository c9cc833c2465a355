//! One C-ABI layer over a safe core (issue 11): every `#[no_mangle]` export
//! lives in src/ffi/, and `unsafe` appears only there and in the one Windows
//! system-call file, src/probe/win32.rs. Everything else is checked by the
//! compiler too (`#![deny(unsafe_code)]` in src/lib.rs), but an
//! `#[allow(unsafe_code)]` added to a module would silence it: this test
//! reads the sources.

use std::path::{Path, PathBuf};

/// The files allowed to hold `unsafe`, relative to the crate root.
fn unsafe_allowed(rel: &str) -> bool {
    rel.starts_with("src/ffi/") || rel == "src/probe/win32.rs"
}

/// The code of a line: without its `//` comment (doc comments included).
/// A `//` inside a string literal ends the code early, which can only hide a
/// use, never invent one; none of the sources puts `unsafe` after such a
/// string.
fn code(line: &str) -> &str {
    match line.find("//") {
        Some(i) => &line[..i],
        None => line,
    }
}

/// Whether `code` uses the keyword `unsafe` (not `unsafe_code` in a lint).
fn uses_unsafe(code: &str) -> bool {
    code.match_indices("unsafe").any(|(i, _)| {
        let before = code[..i].chars().next_back();
        let after = code[i + "unsafe".len()..].chars().next();
        let ident = |c: Option<char>| c.map_or(false, |c| c.is_alphanumeric() || c == '_');
        !ident(before) && !ident(after)
    })
}

fn rust_files(dir: &Path, root: &Path, out: &mut Vec<(String, PathBuf)>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {}", dir.display(), e)) {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, root, out);
        } else if path.extension().map_or(false, |e| e == "rs") {
            let rel = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            out.push((rel, path));
        }
    }
}

/// Every (file:line) that breaks the rule.
fn offences(files: &[(String, String)]) -> Vec<String> {
    let mut bad = Vec::new();
    for (rel, text) in files {
        for (n, line) in text.lines().enumerate() {
            let c = code(line);
            if c.contains("#[no_mangle]") && !rel.starts_with("src/ffi/") {
                bad.push(format!("{}:{}: #[no_mangle] outside src/ffi/", rel, n + 1));
            }
            if uses_unsafe(c) && !unsafe_allowed(rel) {
                bad.push(format!("{}:{}: unsafe: {}", rel, n + 1, line.trim()));
            }
        }
    }
    bad
}

#[test]
fn unsafe_and_exports_stay_in_their_layer() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &root, &mut files);
    assert!(files.len() > 20, "src/ has {} Rust files", files.len());
    let texts: Vec<(String, String)> = files
        .into_iter()
        .map(|(rel, path)| (rel, std::fs::read_to_string(path).unwrap()))
        .collect();
    // The rule has something to find: the exports and the system calls.
    let exports = texts
        .iter()
        .filter(|(r, t)| r.starts_with("src/ffi/") && t.contains("#[no_mangle]"))
        .count();
    assert!(exports >= 3, "only {} src/ffi/ files export", exports);
    assert!(texts
        .iter()
        .any(|(r, t)| r == "src/probe/win32.rs" && t.lines().any(|l| uses_unsafe(code(l)))));
    let bad = offences(&texts);
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn the_check_sees_unsafe_code_and_exports_elsewhere() {
    let file = |rel: &str, text: &str| (rel.to_string(), text.to_string());
    let bad = offences(&[
        file(
            "src/probe/cancel.rs",
            "    let n = unsafe { libc::poll(p, 1, 0) };",
        ),
        file(
            "src/scan/mod.rs",
            "#[no_mangle]\npub extern \"C\" fn f() {}",
        ),
        file("src/probe/net.rs", "unsafe fn f() {}"),
    ]);
    assert_eq!(bad.len(), 3, "{:?}", bad);
    let good = offences(&[
        file("src/lib.rs", "#![deny(unsafe_code)]\n#[allow(unsafe_code)]"),
        file(
            "src/probe/mod.rs",
            "//! the only `unsafe` code\nlet a = 1; // unsafe",
        ),
        file(
            "src/ffi/mod.rs",
            "#[no_mangle]\npub unsafe extern \"C\" fn f() {}",
        ),
        file("src/probe/win32.rs", "let n = unsafe { select(0) };"),
        file("src/x.rs", "let unsafe_code = 1; let is_unsafe = 2;"),
    ]);
    assert!(good.is_empty(), "{:?}", good);
}
