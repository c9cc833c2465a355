//! `modules.installed`: the connector modules (and their successor) found in
//! the connectors' own install folders and the module folders of both
//! editions (docs/facts.md#connector-names-and-folders).

use serde_json::{json, Value};

use super::super::machine::{join, split_last, Machine};
use super::super::Fact;
use super::{documents, read_text, Errors};

const MODULE_NAMES: &[&str] = &[
    "SkypeOnlineConnector",
    "LyncOnlineConnector",
    "MicrosoftTeams",
];

/// `ModuleVersion = '7.0.0.0'` from a manifest.
fn manifest_version(text: &str) -> Option<String> {
    let re = regex::Regex::new(r#"(?im)^\s*ModuleVersion\s*=\s*['"]([^'"]+)['"]"#).ok()?;
    re.captures(text).map(|c| c[1].to_string())
}

/// Looks for `<dir>\<name>\<name>.psd1` and `<dir>\<name>\<version>\<name>.psd1`.
fn find_modules(m: &dyn Machine, dir: &str, name: &str, out: &mut Vec<Value>) {
    let base = join(dir, name);
    let file = format!("{}.psd1", name);
    let mut manifests = vec![join(&base, &file)];
    for sub in m.subfolders(&base) {
        manifests.push(join(&sub, &file));
    }
    for manifest in manifests {
        if let Some(text) = read_text(m, &manifest) {
            let parent = split_last(&manifest).map(|(p, _)| p);
            let folder_version = parent
                .and_then(split_last)
                .map(|(_, f)| f.to_string())
                .filter(|f| {
                    f.chars()
                        .next()
                        .map(|c| c.is_ascii_digit())
                        .unwrap_or(false)
                });
            out.push(json!({
                "name": name,
                "version": manifest_version(&text).or(folder_version),
                "path": parent,
            }));
        }
    }
}

pub(super) fn modules(m: &dyn Machine) -> Fact {
    let mut e = Errors::default();
    let common = m
        .env("CommonProgramW6432")
        .or_else(|| m.env("CommonProgramFiles"));
    let program = m.env("ProgramW6432").or_else(|| m.env("ProgramFiles"));
    let docs = documents(m, &mut e);
    let mut dirs: Vec<String> = Vec::new();
    if let Some(c) = &common {
        // The connectors' own install folders (docs/facts.md#connector-names-and-folders).
        dirs.push(join(&join(c, "Skype for Business Online"), "Modules"));
        dirs.push(join(&join(c, "Microsoft Lync Server 2013"), "Modules"));
    }
    for root in [&program, &docs].iter().copied().flatten() {
        dirs.push(join(&join(root, "WindowsPowerShell"), "Modules"));
        dirs.push(join(&join(root, "PowerShell"), "Modules"));
    }
    let mut found = Vec::new();
    for d in &dirs {
        for name in MODULE_NAMES {
            find_modules(m, d, name, &mut found);
        }
    }
    e.fact(
        "modules.installed",
        Value::Array(found),
        &format!("module folders: {}", dirs.join("; ")),
    )
}
