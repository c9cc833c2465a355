//! The honest evaluation behind `scripts/eval`: every real sample of every
//! source family through the classifier, with accuracy per family, per
//! language and per problem, and every false match on the negatives.
//!
//! Families live in `tests/samples/<family>/<lang>.json` (plus the seed
//! corpus `tests/corpus/`, family `corpus`). `tests/samples/families.json`
//! says which families were used to design the lexicons and rules and which
//! are held out: a held-out family is scored like the others, but its texts
//! are never printed (`--misses` lists design-family misses only).
//!
//! Usage: scripts/eval [--misses] [--json] [--record]
//!   --misses   list the design families' misses and false matches
//!   --json     the figures as JSON (what tests/eval.rs compares)
//!   --record   write the figures to tests/samples/figures.json

use std::fs;
use std::path::PathBuf;

#[path = "../tests/common/eval.rs"]
mod eval;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    for a in &args {
        if !["--misses", "--json", "--record"].contains(&a.as_str()) {
            eprintln!(
                "eval: unknown option {} (use --misses, --json, --record)",
                a
            );
            std::process::exit(2);
        }
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let r = eval::evaluate(&root).unwrap_or_else(|e| {
        eprintln!("eval: {}", e);
        std::process::exit(1)
    });
    let is_held = |f: &str| r.held_out.iter().any(|h| h == f);
    if args.iter().any(|a| a == "--record") {
        let path = root.join("tests/samples/figures.json");
        fs::write(
            &path,
            serde_json::to_string_pretty(&r.figures).unwrap() + "\n",
        )
        .unwrap_or_else(|e| panic!("{}: {}", path.display(), e));
        eprintln!("eval: figures recorded in {}", path.display());
    }
    if args.iter().any(|a| a == "--json") {
        println!("{}", serde_json::to_string_pretty(&r.figures).unwrap());
        return;
    }

    println!(
        "Recognition of real error texts (scripts/eval); held-out families: {}\n",
        r.held_out.join(", ")
    );
    println!("| family | role | positives right | negatives with a false match |");
    println!("| --- | --- | --- | --- |");
    for (f, (p, n)) in &r.fam {
        println!(
            "| {} | {} | {} | {} of {} |",
            f,
            if is_held(f) { "held out" } else { "design" },
            p.cell(),
            n.total - n.right,
            n.total
        );
    }
    println!(
        "| **design families** | | {} | |\n| **held out** | | {} | |\n| **all negatives** | | | {} of {} |\n",
        r.design_pos.cell(),
        r.held_pos.cell(),
        r.negatives.total - r.negatives.right,
        r.negatives.total
    );
    let langs: std::collections::BTreeSet<String> = r.lang.keys().map(|(_, l)| l.clone()).collect();
    println!("| language | design families | held out | all |");
    println!("| --- | --- | --- | --- |");
    for l in &langs {
        let d = r.lang.get(&(false, l.clone())).copied().unwrap_or_default();
        let h = r.lang.get(&(true, l.clone())).copied().unwrap_or_default();
        let all = eval::Tally {
            right: d.right + h.right,
            total: d.total + h.total,
        };
        println!("| {} | {} | {} | {} |", l, d.cell(), h.cell(), all.cell());
    }
    let probs: std::collections::BTreeSet<String> = r.prob.keys().map(|(_, p)| p.clone()).collect();
    println!("\n| problem | design families | held out |");
    println!("| --- | --- | --- |");
    for p in &probs {
        println!(
            "| {} | {} | {} |",
            p,
            r.prob
                .get(&(false, p.clone()))
                .map(|t| t.cell())
                .unwrap_or_else(|| "-".into()),
            r.prob
                .get(&(true, p.clone()))
                .map(|t| t.cell())
                .unwrap_or_else(|| "-".into())
        );
    }
    if !r.false_matches.is_empty() || r.held_false > 0 {
        println!(
            "\nFalse matches on negatives: {} in design families, {} held out",
            r.false_matches.len(),
            r.held_false
        );
    }
    if args.iter().any(|a| a == "--misses") {
        println!();
        for m in r.misses.iter().chain(r.false_matches.iter()) {
            println!("{}", m);
        }
    }
}
