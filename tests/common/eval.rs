//! The evaluation shared by `scripts/eval` (examples/eval.rs) and the
//! regression test (tests/eval.rs): every real sample of every source family
//! through the classifier, tallied per family, language and problem.
#![allow(dead_code)]

use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

pub struct Sample {
    pub family: String,
    pub language: String,
    pub expect: Option<String>,
    pub text: Option<String>,
    pub record: Option<Value>,
    pub source: String,
}

pub fn load(root: &Path) -> Result<(Vec<Sample>, Vec<String>), String> {
    let mut out = Vec::new();
    let families_file = root.join("tests/samples/families.json");
    let families: Value = serde_json::from_str(
        &fs::read_to_string(&families_file)
            .map_err(|e| format!("{}: {}", families_file.display(), e))?,
    )
    .map_err(|e| format!("{}: {}", families_file.display(), e))?;
    let held_out: Vec<String> = families["held_out"]
        .as_array()
        .ok_or("families.json: held_out must be an array")?
        .iter()
        .filter_map(|v| v.as_str().map(String::from))
        .collect();
    let mut dirs: Vec<(String, PathBuf)> = vec![("corpus".into(), root.join("tests/corpus"))];
    let mut names: Vec<String> = fs::read_dir(root.join("tests/samples"))
        .map_err(|e| e.to_string())?
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    // Only the families families.json declares: a folder being filled is
    // not measured until it is declared.
    let declared = families["families"]
        .as_object()
        .ok_or("families.json: families must be an object")?;
    for n in names {
        if declared.contains_key(&n) {
            dirs.push((n.clone(), root.join("tests/samples").join(n)));
        } else {
            eprintln!(
                "eval: tests/samples/{} is not a declared family (families.json): not measured",
                n
            );
        }
    }
    for (family, dir) in dirs {
        let mut files: Vec<PathBuf> = fs::read_dir(&dir)
            .map_err(|e| format!("{}: {}", dir.display(), e))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().map(|x| x == "json").unwrap_or(false))
            .collect();
        files.sort();
        for f in files {
            let doc: Value = serde_json::from_str(
                &fs::read_to_string(&f).map_err(|e| format!("{}: {}", f.display(), e))?,
            )
            .map_err(|e| format!("{}: {}", f.display(), e))?;
            let language = doc["language"]
                .as_str()
                .ok_or_else(|| format!("{}: no language", f.display()))?
                .to_string();
            for s in doc["samples"]
                .as_array()
                .ok_or_else(|| format!("{}: no samples", f.display()))?
            {
                out.push(Sample {
                    family: family.clone(),
                    language: language.clone(),
                    expect: s["expect"].as_str().map(String::from),
                    text: s["text"].as_str().map(String::from),
                    record: s.get("record").cloned(),
                    source: s["source"].as_str().unwrap_or("").to_string(),
                });
            }
        }
    }
    Ok((out, held_out))
}

pub fn predict(s: &Sample) -> Result<Option<(String, f64)>, String> {
    let c = match (&s.text, &s.record) {
        (Some(t), _) => csod::classify::classify_text(t, "en")?,
        (None, Some(r)) => {
            let input = csod::classify::record_from_value(r)?;
            csod::classify::classify(&input, "en")?
        }
        _ => return Err("sample without text or record".into()),
    };
    Ok(c.matches.first().map(|m| (m.id.clone(), m.confidence)))
}

#[derive(Default, Clone, Copy)]
pub struct Tally {
    pub right: u32,
    pub total: u32,
}

impl Tally {
    pub fn pct(&self) -> f64 {
        if self.total == 0 {
            100.0
        } else {
            100.0 * self.right as f64 / self.total as f64
        }
    }
    pub fn cell(&self) -> String {
        if self.total == 0 {
            "-".into()
        } else {
            format!("{}/{} {:.1}%", self.right, self.total, self.pct())
        }
    }
}

/// The figures of one evaluation, and the design families' misses.
pub struct Report {
    pub held_out: Vec<String>,
    pub fam: BTreeMap<String, (Tally, Tally)>,
    pub lang: BTreeMap<(bool, String), Tally>,
    pub prob: BTreeMap<(bool, String), Tally>,
    pub misses: Vec<String>,
    pub false_matches: Vec<String>,
    pub held_false: u32,
    pub design_pos: Tally,
    pub held_pos: Tally,
    pub negatives: Tally,
    pub figures: Value,
}

pub fn evaluate(root: &Path) -> Result<Report, String> {
    let (samples, held_out) = load(root)?;
    let is_held = |f: &str| held_out.iter().any(|h| h == f);
    // family -> positives tally, negatives tally (right = no match)
    let mut fam: BTreeMap<String, (Tally, Tally)> = BTreeMap::new();
    // (design|held_out, language) -> tally over positives
    let mut lang: BTreeMap<(bool, String), Tally> = BTreeMap::new();
    let mut prob: BTreeMap<(bool, String), Tally> = BTreeMap::new();
    let mut misses: Vec<String> = Vec::new();
    let mut false_matches: Vec<String> = Vec::new();
    let mut held_false = 0u32;
    for s in &samples {
        let got = predict(s).map_err(|e| format!("{} ({}): {}", s.family, s.source, e))?;
        let held = is_held(&s.family);
        let e = fam.entry(s.family.clone()).or_default();
        match &s.expect {
            Some(id) => {
                let ok = got.as_ref().map(|(g, _)| g == id).unwrap_or(false);
                e.0.total += 1;
                let l = lang.entry((held, s.language.clone())).or_default();
                l.total += 1;
                let p = prob.entry((held, id.clone())).or_default();
                p.total += 1;
                if ok {
                    e.0.right += 1;
                    l.right += 1;
                    p.right += 1;
                } else if !held {
                    misses.push(format!(
                        "MISS {} {} expected {} got {:?}\n     source: {}\n     text: {}",
                        s.family,
                        s.language,
                        id,
                        got,
                        s.source,
                        s.text
                            .clone()
                            .unwrap_or_else(|| s
                                .record
                                .as_ref()
                                .map(|r| r.to_string())
                                .unwrap_or_default())
                            .chars()
                            .take(600)
                            .collect::<String>()
                            .replace('\n', " / ")
                    ));
                }
            }
            None => {
                e.1.total += 1;
                if got.is_none() {
                    e.1.right += 1;
                } else if held {
                    held_false += 1;
                } else {
                    false_matches.push(format!(
                        "FALSE {} {} got {:?}\n     source: {}\n     text: {}",
                        s.family,
                        s.language,
                        got,
                        s.source,
                        s.text
                            .clone()
                            .unwrap_or_default()
                            .chars()
                            .take(600)
                            .collect::<String>()
                            .replace('\n', " / ")
                    ));
                }
            }
        }
    }
    let design_pos =
        fam.iter()
            .filter(|(f, _)| !is_held(f))
            .fold(Tally::default(), |a, (_, (p, _))| Tally {
                right: a.right + p.right,
                total: a.total + p.total,
            });
    let held_pos =
        fam.iter()
            .filter(|(f, _)| is_held(f))
            .fold(Tally::default(), |a, (_, (p, _))| Tally {
                right: a.right + p.right,
                total: a.total + p.total,
            });
    let negatives = fam.values().fold(Tally::default(), |a, (_, n)| Tally {
        right: a.right + n.right,
        total: a.total + n.total,
    });

    let figures = json!({
        "families": fam.iter().map(|(f, (p, n))| (f.clone(), json!({
            "held_out": is_held(f),
            "positives": p.total, "right": p.right, "accuracy": (p.pct() * 10.0).round() / 10.0,
            "negatives": n.total, "false_matches": n.total - n.right,
        }))).collect::<serde_json::Map<String, Value>>(),
        "languages": lang.iter().map(|((h, l), t)| (format!("{}{}", if *h { "held_out:" } else { "" }, l),
            json!({"positives": t.total, "right": t.right, "accuracy": (t.pct() * 10.0).round() / 10.0}))).collect::<serde_json::Map<String, Value>>(),
        "problems": prob.iter().map(|((h, p), t)| (format!("{}{}", if *h { "held_out:" } else { "" }, p),
            json!({"positives": t.total, "right": t.right, "accuracy": (t.pct() * 10.0).round() / 10.0}))).collect::<serde_json::Map<String, Value>>(),
        "design": {"positives": design_pos.total, "right": design_pos.right, "accuracy": (design_pos.pct() * 10.0).round() / 10.0},
        "held_out": {"positives": held_pos.total, "right": held_pos.right, "accuracy": (held_pos.pct() * 10.0).round() / 10.0},
        "negatives": {"total": negatives.total, "false_matches": negatives.total - negatives.right},
    });
    Ok(Report {
        held_out,
        fam,
        lang,
        prob,
        misses,
        false_matches,
        held_false,
        design_pos,
        held_pos,
        negatives,
        figures,
    })
}
