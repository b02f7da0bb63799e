//! The accuracy evaluation: `cargo run --release --example eval [-- SHARED_DIR] [--verbose]`.
//!
//! Reads the labelled data from `../shared` (or the folder given) and prints precision and recall
//! of each rule. The data is third-party or internal and is never copied into this repository;
//! where it is absent, the evaluation says so and exits without a score.

// A report on stdout is this program's whole purpose.
#![allow(clippy::print_stdout)]

mod attribution;
mod naming;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn naming_report(shared: &Path, verbose: bool) -> Result<(), String> {
    let r = naming::run(shared)?;
    println!(
        "Naming rules on {} ({} articles, {} labelled actors)",
        shared.join("eval/syria-dev-naming.json").display(),
        r.files,
        r.actors
    );
    println!();
    println!("| rule | TP | FP | FN | precision | recall |");
    println!("|---|---|---|---|---|---|");
    for (name, s) in [("naming/mixed-names", r.mixed), ("naming/variant-spelling", r.variant)] {
        println!("| {name} | {} | {} | {} | {:.2} | {:.2} |", s.tp, s.fp, s.fn_, s.precision(), s.recall());
    }
    if verbose {
        if !r.unmapped.is_empty() {
            println!("\nLabelled actors not in the knowledge base: {}", r.unmapped.join("; "));
        }
        println!("\nDisagreements:");
        for m in &r.misses {
            println!("- {m}");
        }
    }
    Ok(())
}

fn attribution_report(shared: &Path, verbose: bool) -> Result<(), String> {
    let r = attribution::syria(shared)?;
    println!("\nAttribution rules on {} ({} sentences)", shared.join("eval/syria-dev.jsonl").display(), r.rows);
    println!();
    println!("| group | TP | FP | FN | precision | recall | F1 |");
    println!("|---|---|---|---|---|---|---|");
    for g in &r.groups {
        println!(
            "| {} | {} | {} | {} | {} |",
            g.name,
            g.score.tp,
            g.score.fp,
            g.score.fn_,
            attribution::print_f1(&g.score)
        );
    }
    if verbose {
        println!("\nDisagreements (all warnings):");
        for m in &r.misses {
            println!("- {m}");
        }
    }
    match attribution::conll(shared) {
        Ok((s, n)) => {
            println!(
                "\nCoNLL-2010 Wikipedia, train split ({n} sentences), uncertain class, flagged by attribution/hedged, attribution/weasel or style/vague:"
            );
            println!("TP {} FP {} FN {}; precision | recall | F1 = {}", s.tp, s.fp, s.fn_, attribution::print_f1(&s));
        }
        Err(e) => println!("\nCoNLL-2010: SKIPPED: {e}"),
    }
    for split in ["train", "dev"] {
        match attribution::polnear(shared, split) {
            Ok(p) => println!(
                "\nPolNeAR {split} ({} articles): attributed sentences flagged anyway {}/{} = {:.1}%; annotated cues found {}/{} = {:.1}%",
                p.articles,
                p.flagged_attributed,
                p.attributed_sentences,
                100.0 * p.flagged_attributed as f64 / p.attributed_sentences.max(1) as f64,
                p.cues_found,
                p.cues,
                100.0 * p.cues_found as f64 / p.cues.max(1) as f64
            ),
            Err(e) => println!("\nPolNeAR {split}: SKIPPED: {e}"),
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let verbose = args.iter().any(|a| a == "--verbose");
    let shared = args
        .iter()
        .find(|a| !a.starts_with("--"))
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared")));
    if !shared.join("eval").is_dir() {
        println!("eval: SKIPPED: {} not found (the labelled data lives outside the repository)", shared.display());
        return ExitCode::SUCCESS;
    }
    for step in [naming_report, attribution_report] {
        if let Err(e) = step(&shared, verbose) {
            eprintln!("eval: {e}");
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}
