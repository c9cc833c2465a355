//! Build script: embeds every lexicon and text file of the catalog and writes the C
//! header `include/csod.h` with cbindgen.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};

fn main() {
    let root = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    embed_catalog_files(&root);
    write_header(&root);
}

/// `src/catalog/lexicon/*.json` become `LEXICON_FILES: &[(&str, &str)]`;
/// `src/catalog/texts/*.json` become `TEXT_FILES` and `OUTPUT_LANGUAGES`
/// (the file names: English first, then the others in name order), so a
/// message language or an output language is one file.
fn embed_catalog_files(root: &Path) {
    let catalog = root.join("src").join("catalog");
    let mut code = String::new();
    let lexicon = json_files(&catalog.join("lexicon"));
    code.push_str(&embed("LEXICON_FILES", "Lexicon files", &lexicon));
    let mut texts = json_files(&catalog.join("texts"));
    let stem = |p: &PathBuf| p.file_stem().unwrap().to_string_lossy().into_owned();
    texts.sort_by_key(|p| (stem(p) != "en", stem(p)));
    code.push_str(&embed("TEXT_FILES", "Output text files", &texts));
    code.push_str("/// Output languages: the names of the text files, English first.\n");
    code.push_str("pub static OUTPUT_LANGUAGES: &[&str] = &[");
    for t in &texts {
        code.push_str(&format!("{:?}, ", stem(t)));
    }
    code.push_str("];\n");
    let out = PathBuf::from(env::var("OUT_DIR").expect("OUT_DIR")).join("catalog_files.rs");
    fs::write(&out, code).unwrap_or_else(|e| panic!("cannot write {}: {}", out.display(), e));
}

/// The `.json` files of a folder, in name order.
fn json_files(dir: &Path) -> Vec<PathBuf> {
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {}", dir.display(), e))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().map(|x| x == "json").unwrap_or(false))
        .collect();
    files.sort();
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
    }
    files
}

/// `pub static NAME: &[(&str, &str)]`: (file name, contents) of each file.
fn embed(name: &str, doc: &str, files: &[PathBuf]) -> String {
    let mut code = format!(
        "/// {}, embedded by build.rs.\npub static {}: &[(&str, &str)] = &[\n",
        doc, name
    );
    for f in files {
        let file = f.file_name().unwrap().to_string_lossy().into_owned();
        code.push_str(&format!(
            "    ({:?}, include_str!({:?})),\n",
            file,
            f.display().to_string()
        ));
    }
    code.push_str("];\n");
    code
}

/// Regenerates the header; writes it only when it changed so that builds do
/// not touch a committed file needlessly.
fn write_header(root: &Path) {
    for dep in ["src/ffi", "cbindgen.toml"] {
        println!("cargo:rerun-if-changed={}", root.join(dep).display());
    }
    let config = cbindgen::Config::from_file(root.join("cbindgen.toml")).expect("cbindgen.toml");
    // Only the C ABI's folder is read: whatever else is public in the crate
    // never reaches the header, so no list of items to leave out is kept.
    // cbindgen follows mod.rs's `mod` declarations to the folder's files.
    watch_ffi_files(&root.join("src").join("ffi"));
    let bindings = match cbindgen::Builder::new()
        .with_config(config)
        .with_src(root.join("src").join("ffi").join("mod.rs"))
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

/// Rebuilds the header when a file of the C ABI's folder changes.
fn watch_ffi_files(dir: &Path) {
    let entries =
        fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot read {}: {}", dir.display(), e));
    for e in entries.filter_map(|e| e.ok()) {
        println!("cargo:rerun-if-changed={}", e.path().display());
    }
}
