//! The accuracy evaluation: `cargo run --release --example eval [-- SHARED_DIR]`.
//!
//! Reads the labelled data from `../shared` (or the folder given) and prints precision and recall
//! of each rule. The data is third-party or internal and is never copied into this repository;
//! where it is absent, the evaluation says so and exits without a score.

// A report on stdout is this program's whole purpose.
#![allow(clippy::print_stdout)]

mod naming;

use std::path::PathBuf;

fn main() -> std::process::ExitCode {
    let shared = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared")));
    if !shared.join("eval").is_dir() {
        println!("eval: SKIPPED: {} not found (the labelled data lives outside the repository)", shared.display());
        return std::process::ExitCode::SUCCESS;
    }
    match naming::run(&shared) {
        Ok(r) => {
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
            if !r.unmapped.is_empty() {
                println!("\nLabelled actors not in the knowledge base: {}", r.unmapped.join("; "));
            }
            println!("\nDisagreements:");
            for m in &r.misses {
                println!("- {m}");
            }
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("eval: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
