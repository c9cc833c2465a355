//! Recognition of garbled pastes behind `scripts/garble`: every real sample
//! of every family, damaged the ways pasted errors are damaged on their way
//! to an admin's clipboard, through the classifier. For each kind of damage:
//! of the positives recognised as they are, how many keep their answer, and
//! how many negatives gain a false match. Held-out families are counted like
//! the others; no text is ever printed.
//!
//! Usage: scripts/garble

use std::path::PathBuf;

#[path = "../tests/common/eval.rs"]
mod eval;
#[path = "../tests/common/garble.rs"]
mod garble;
use garble::{html, json_ascii};

type Garble = fn(&str) -> String;

const KINDS: [(&str, Garble); 10] = [
    ("as pasted", |t| t.to_string()),
    ("UTF-8 shown as Windows-1252", |t| {
        csod::repair::mojibake(t, 1252).unwrap()
    }),
    ("UTF-8 shown as code page 850", |t| {
        csod::repair::mojibake(t, 850).unwrap()
    }),
    ("UTF-8 shown as Windows-1251", |t| {
        csod::repair::mojibake(t, 1251).unwrap()
    }),
    ("JSON, ASCII escapes", json_ascii),
    ("HTML entities and <br>", html),
    ("line breaks lost", |t| t.replace('\n', " ")),
    ("a prompt and a command before it", |t| {
        format!("PS C:\\Users\\admin> .\\Connect-Tenant.ps1\n{}", t)
    }),
    ("every line break doubled", |t| t.replace('\n', "\n\n")),
    ("a Markdown list of its lines", |t| {
        t.lines()
            .map(|l| format!("* {}", l))
            .collect::<Vec<_>>()
            .join("\n")
    }),
];

fn main() {
    if std::env::args().len() > 1 {
        eprintln!("garble: no options (usage: scripts/garble)");
        std::process::exit(2);
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let (samples, held_out) = eval::load(&root).unwrap_or_else(|e| {
        eprintln!("garble: {}", e);
        std::process::exit(1)
    });
    // (sample, its answer as it is)
    let mut texts: Vec<(&eval::Sample, &str, Option<String>)> = Vec::new();
    for s in &samples {
        if let Some(t) = &s.text {
            let got = eval::predict(s)
                .unwrap_or_else(|e| {
                    eprintln!("garble: {}", e);
                    std::process::exit(1)
                })
                .map(|m| m.0);
            texts.push((s, t.as_str(), got));
        }
    }
    println!(
        "Recognition of garbled pastes (scripts/garble); held-out families: {}\n",
        held_out.join(", ")
    );
    println!("Positives: of those recognised as pasted, how many keep their answer. Negatives: how many gain a false match.\n");
    println!("| damage | design positives kept | design negatives false | held-out positives kept | held-out negatives false |");
    println!("| --- | --- | --- | --- | --- |");
    for (name, garble) in KINDS.iter() {
        let mut t = [[eval::Tally::default(); 2]; 2]; // [held][positive?]
        for (s, text, got) in &texts {
            let held = held_out.iter().any(|h| h == &s.family) as usize;
            let garbled = garble(text);
            let now = csod::classify::classify_text(&garbled, "en")
                .unwrap_or_else(|e| {
                    eprintln!("garble: {}", e);
                    std::process::exit(1)
                })
                .matches
                .first()
                .map(|m| m.id.clone());
            match &s.expect {
                Some(e) if got.as_deref() == Some(e.as_str()) => {
                    t[held][1].total += 1;
                    t[held][1].right += (now.as_deref() == Some(e.as_str())) as u32;
                }
                Some(_) => {}
                None => {
                    t[held][0].total += 1;
                    t[held][0].right += now.is_some() as u32;
                }
            }
        }
        println!(
            "| {} | {} | {} of {} | {} | {} of {} |",
            name,
            t[0][1].cell(),
            t[0][0].right,
            t[0][0].total,
            t[1][1].cell(),
            t[1][0].right,
            t[1][0].total
        );
    }
}
