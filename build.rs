//! Build script: embeds every lexicon file of the catalog and writes the C
//! header `include/csod.h` with cbindgen.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};

fn main() {
    let root = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    embed_lexicon_files(&root);
    write_header(&root);
}

/// `src/catalog/lexicon/*.json` become `LEXICON_FILES: &[(&str, &str)]`.
fn embed_lexicon_files(root: &Path) {
    let dir = root.join("src").join("catalog").join("lexicon");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {}", dir.display(), e))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().map(|x| x == "json").unwrap_or(false))
        .collect();
    files.sort();
    let mut code = String::from("/// Lexicon files, embedded by build.rs.\npub static LEXICON_FILES: &[(&str, &str)] = &[\n");
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        code.push_str(&format!(
            "    ({:?}, include_str!({:?})),\n",
            name,
            f.display().to_string()
        ));
    }
    code.push_str("];\n");
    let out = PathBuf::from(env::var("OUT_DIR").expect("OUT_DIR")).join("lexicon.rs");
    fs::write(&out, code).unwrap_or_else(|e| panic!("cannot write {}: {}", out.display(), e));
}

/// Regenerates the header; writes it only when it changed so that builds do
/// not touch a committed file needlessly.
fn write_header(root: &Path) {
    for dep in ["src", "cbindgen.toml"] {
        println!("cargo:rerun-if-changed={}", root.join(dep).display());
    }
    let config = cbindgen::Config::from_file(root.join("cbindgen.toml")).expect("cbindgen.toml");
    let bindings = match cbindgen::Builder::new()
        .with_crate(root)
        .with_config(config)
        .generate()
    {
        Ok(b) => b,
        Err(e) => panic!("cbindgen failed: {}", e),
    };
    let mut text = Vec::new();
    bindings.write(&mut text);
    let path = root.join("include").join("csod.h");
    let current = fs::read(&path).unwrap_or_default();
    if current != text {
        fs::create_dir_all(path.parent().unwrap()).expect("create include/");
        fs::write(&path, &text)
            .unwrap_or_else(|e| panic!("cannot write {}: {}", path.display(), e));
    }
}
