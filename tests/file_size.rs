//! No source file over 700 lines (issue 11): a file that long does more than
//! one job and is split by job (see how tests/hostile*.rs share
//! tests/common/hostile/, or powershell/Private/Interop/*.cs).
//!
//! Source files are the tracked (`git ls-files`) .rs, .ps1, .psm1, .cs, .c,
//! .h and .sh files and the scripts of scripts/ (a `#!` first line); not the
//! generated include/csod.h, nor data (tests/samples/, .json, .md, .psd1).
//! Without git (an exported tree), every such file under the crate is
//! checked, target/, dist/ and .git/ aside.

use std::path::{Path, PathBuf};
use std::process::Command;

const MAX_LINES: usize = 700;

const EXTENSIONS: &[&str] = &["rs", "ps1", "psm1", "cs", "c", "h", "sh"];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The tracked files, relative to the crate root, or None without git.
fn tracked() -> Option<Vec<String>> {
    let out = Command::new("git")
        .args(["ls-files", "-z"])
        .current_dir(root())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8(out.stdout).expect("git ls-files gave UTF-8 names");
    Some(
        text.split('\0')
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect(),
    )
}

/// Every file under `dir`, relative to the crate root (no git).
fn walk(dir: &Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {}", dir.display(), e)) {
        let path = entry.unwrap().path();
        let rel = path
            .strip_prefix(root())
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if path.is_dir() {
            if !matches!(rel.as_str(), "target" | "dist" | ".git" | ".tools") {
                walk(&path, out);
            }
        } else {
            out.push(rel);
        }
    }
}

/// Whether `rel` is a source file this rule counts.
fn is_source(rel: &str, first_bytes: &[u8]) -> bool {
    if rel == "include/csod.h" || rel.starts_with("tests/samples/") {
        return false;
    }
    let name = rel.rsplit('/').next().unwrap_or(rel);
    match name.rsplit_once('.') {
        Some((_, ext)) if EXTENSIONS.contains(&ext) => true,
        _ => rel.starts_with("scripts/") && first_bytes.starts_with(b"#!"),
    }
}

/// Lines as an editor shows them: a last line without a newline counts.
fn line_count(bytes: &[u8]) -> usize {
    let newlines = bytes.iter().filter(|b| **b == b'\n').count();
    if bytes.last().map(|b| *b != b'\n').unwrap_or(false) {
        newlines + 1
    } else {
        newlines
    }
}

/// The source files over `max` lines, with their counts, and how many
/// source files there are.
fn over(files: &[String], max: usize) -> (Vec<(String, usize)>, usize) {
    let mut long = Vec::new();
    let mut sources = 0;
    for rel in files {
        let path = root().join(rel);
        // A tracked file deleted in the work tree is not there to count.
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(_) => continue,
        };
        if !is_source(rel, &bytes[..bytes.len().min(2)]) {
            continue;
        }
        sources += 1;
        let n = line_count(&bytes);
        if n > max {
            long.push((rel.clone(), n));
        }
    }
    (long, sources)
}

#[test]
fn no_source_file_is_over_700_lines() {
    let files = tracked().unwrap_or_else(|| {
        let mut all = Vec::new();
        walk(&root(), &mut all);
        all
    });
    let (long, sources) = over(&files, MAX_LINES);
    println!("{} source files checked", sources);
    // The rule sees the files it is about (this one among them).
    assert!(sources > 50, "only {} source files found", sources);
    assert!(files.iter().any(|f| f == "tests/file_size.rs"));
    assert!(
        long.is_empty(),
        "source files over {} lines (split them by job): {:?}",
        MAX_LINES,
        long
    );
}

#[test]
fn the_rule_counts_lines_and_picks_source_files() {
    assert_eq!(line_count(b""), 0);
    assert_eq!(line_count(b"a\nb\n"), 2);
    assert_eq!(line_count(b"a\nb"), 2);
    assert!(is_source("src/lib.rs", b"//"));
    assert!(is_source("powershell/Private/Interop/Calls.cs", b"//"));
    assert!(is_source("powershell/CsOnlineDiagnostics.psm1", b"# "));
    assert!(is_source("tests/c/test_csod.h", b"/*"));
    assert!(is_source("scripts/setup.sh", b"#!"));
    assert!(is_source("scripts/bench", b"#!"));
    assert!(!is_source("scripts/README", b"Th"));
    assert!(!is_source("include/csod.h", b"/*"));
    assert!(!is_source("tests/samples/figures.json", b"{\n"));
    assert!(!is_source("tests/samples/x/y.rs", b"//"));
    assert!(!is_source("docs/facts.md", b"# "));
    assert!(!is_source("powershell/CsOnlineDiagnostics.psd1", b"@{"));
    // A file one line over the bound is reported with its count.
    let dir = root().join("target").join("file-size-test");
    std::fs::create_dir_all(&dir).unwrap();
    let long = "x\n".repeat(MAX_LINES + 1);
    std::fs::write(dir.join("long.rs"), &long).unwrap();
    std::fs::write(dir.join("ok.rs"), "x\n".repeat(MAX_LINES)).unwrap();
    let files = vec![
        "target/file-size-test/long.rs".to_string(),
        "target/file-size-test/ok.rs".to_string(),
    ];
    let (found, sources) = over(&files, MAX_LINES);
    assert_eq!(sources, 2);
    assert_eq!(
        found,
        vec![("target/file-size-test/long.rs".to_string(), MAX_LINES + 1)]
    );
}
