//! Writes the fuzzers' seed corpus from the sample corpus (`tests/corpus/`)
//! and the kept regressions (`tests/fuzz_regressions/`):
//! `cargo run --example fuzz_seeds -- OUT_DIR` makes `OUT_DIR/<target>/`.
//! Used by `scripts/fuzz`.

use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};

fn main() {
    let out = PathBuf::from(std::env::args().nth(1).expect("usage: fuzz_seeds OUT_DIR"));
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut texts: Vec<String> = Vec::new();
    let mut records: Vec<String> = Vec::new();
    let mut files: Vec<PathBuf> = fs::read_dir(root.join("tests/corpus"))
        .expect("tests/corpus")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().map(|x| x == "json").unwrap_or(false))
        .collect();
    files.sort();
    for f in &files {
        let doc: Value = serde_json::from_str(&fs::read_to_string(f).expect("read corpus"))
            .expect("corpus JSON");
        for s in doc["samples"].as_array().into_iter().flatten() {
            if let Some(t) = s["text"].as_str() {
                texts.push(t.to_string());
                records.push(serde_json::json!({ "message": t }).to_string());
            }
            if let Some(r) = s.get("record") {
                records.push(r.to_string());
                if let Some(m) = r["message"].as_str() {
                    texts.push(m.to_string());
                }
            }
        }
    }
    // The classify target's first byte picks the output language.
    let classify: Vec<Vec<u8>> = texts
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let mut v = vec![(i % 7) as u8];
            v.extend_from_slice(t.as_bytes());
            v
        })
        .collect();
    write(&out.join("classify"), &classify);
    write(
        &out.join("record"),
        &records
            .iter()
            .map(|r| r.as_bytes().to_vec())
            .collect::<Vec<_>>(),
    );
    let langs = ["en", "fr", "fr-FR", "", "xx", "en_US", "FR-ca"];
    write(
        &out.join("catalog"),
        &langs
            .iter()
            .map(|l| l.as_bytes().to_vec())
            .collect::<Vec<_>>(),
    );
    // diagnose: the value of an unknown key, then the harness's fixed keys;
    // a leading `1,` lets the input add keys of its own.
    let mut diagnose: Vec<Vec<u8>> = vec![
        b"1".to_vec(),
        b"1,\"language\":\"fr\"".to_vec(),
        b"1,\"host\":{\"edition\":\"Desktop\",\"version\":\"5.1.19041.4648\",\"os\":\"Windows\",\"execution_policy\":{\"CurrentUser\":\"Restricted\"},\"sessions\":[{\"name\":\"S\",\"computer_name\":\"admin1a.online.lync.com\",\"state\":\"Opened\",\"age_minutes\":75}],\"modules\":[{\"name\":\"SkypeOnlineConnector\",\"version\":\"7.0.0.0\",\"loaded\":true}]}".to_vec(),
    ];
    for r in records.iter().take(40) {
        diagnose.push(format!("1,\"error\":{}", r).into_bytes());
    }
    write(&out.join("diagnose"), &diagnose);
    // scan: byte 0 is the options' length, byte 1 the chunk seed, then the
    // options and the transcript (a few samples between prompts; every
    // fourth one in UTF-16 LE with a BOM, as Windows PowerShell writes).
    let options = [
        "",
        "{}",
        "{\"language\":\"fr\",\"max_hits\":2}",
        "{\"fields\":false}",
        "{\"encoding\":\"utf-16le\"}",
        "{\"max_hits\":0}",
    ];
    let mut scan: Vec<Vec<u8>> = Vec::new();
    for (i, group) in texts.chunks(4).enumerate() {
        let mut body = String::from("PS C:\\> Connect\n");
        for t in group {
            body.push_str(t);
            body.push_str("\n\nPS C:\\> \n");
        }
        let body: Vec<u8> = if i % 4 == 3 {
            let mut b = vec![0xFF, 0xFE];
            b.extend(body.encode_utf16().flat_map(|u| u.to_le_bytes()));
            b
        } else {
            body.into_bytes()
        };
        let o = options[i % options.len()];
        let mut v = vec![o.len() as u8, (i * 37 % 256) as u8];
        v.extend_from_slice(o.as_bytes());
        v.extend_from_slice(&body);
        scan.push(v);
    }
    write(&out.join("scan"), &scan);
    // Every crash ever found seeds its target again.
    let regressions = root.join("tests/fuzz_regressions");
    for target in ["classify", "record", "catalog", "diagnose", "scan"] {
        let dir = regressions.join(target);
        if let Ok(entries) = fs::read_dir(&dir) {
            let kept: Vec<Vec<u8>> = entries
                .filter_map(|e| e.ok())
                .filter(|e| e.path().is_file())
                .filter_map(|e| fs::read(e.path()).ok())
                .collect();
            write(&out.join(target), &kept);
        }
    }
    println!(
        "fuzz seeds: {} texts, {} records, {} languages in {}",
        classify.len(),
        records.len(),
        langs.len(),
        out.display()
    );
}

fn write(dir: &Path, items: &[Vec<u8>]) {
    fs::create_dir_all(dir).expect("create seed dir");
    for (i, item) in items.iter().enumerate() {
        let name = format!("seed-{:04}-{:016x}", i, hash(item));
        fs::write(dir.join(name), item).expect("write seed");
    }
}

fn hash(b: &[u8]) -> u64 {
    // FNV-1a: stable names so reruns overwrite rather than pile up.
    b.iter().fold(0xcbf29ce484222325u64, |h, x| {
        (h ^ *x as u64).wrapping_mul(0x100000001b3)
    })
}
