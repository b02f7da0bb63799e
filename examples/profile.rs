//! A loop to run under a profiler: `cargo run --release --example profile -- [RUNS] [SIZE] [--edit]`.
//!
//! Analyses the seed articles concatenated (with a blank line between) and repeated until SIZE
//! bytes (default 1,000,000), RUNS times (default 30), and prints the median and the fastest run.
//! With `--edit`, it analyses once and then measures the re-analysis after a one-character edit
//! at a different place each run, as a keystroke costs the server.
//!
//! BENCHMARKS.md counts instructions with it: under `valgrind --tool=callgrind`, the cost of one
//! analysis (and of freeing it) is the difference between 21 runs and 1 run, divided by 20.

// A report on stdout is this program's whole purpose.
#![allow(clippy::print_stdout)]

use std::time::Instant;

use frontline::analysis::{analyze, reanalyze, Settings};
use frontline::kb::KnowledgeBase;
use frontline::text::markdown::Flavor;

fn corpus(size: usize) -> Result<String, String> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/seeds/articles");
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| format!("{dir}: {e}"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    paths.sort();
    let texts = paths
        .iter()
        .map(|p| std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display())))
        .collect::<Result<Vec<_>, _>>()?;
    if texts.is_empty() {
        return Err(format!("no seed articles in {dir}"));
    }
    let mut s = String::new();
    while s.len() < size {
        for t in &texts {
            s.push_str(t);
            s.push_str("\n\n");
        }
    }
    Ok(s)
}

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let edit = args.iter().any(|a| a == "--edit");
    let numbers: Vec<usize> = args.iter().filter_map(|a| a.parse().ok()).collect();
    let runs = numbers.first().copied().unwrap_or(30).max(1);
    let size = numbers.get(1).copied().unwrap_or(1_000_000);
    let text = corpus(size)?;
    let kb = KnowledgeBase::builtin().map_err(|e| e.to_string())?;
    let settings = Settings::new(Flavor::Markdown);
    let mut times = Vec::with_capacity(runs);
    if edit {
        let base = analyze(&kb, &text, &settings);
        for k in 0..runs {
            let at = frontline::text::floor_char_boundary(&text, (k * 7919 * 131) % text.len());
            let mut edited = text.clone();
            edited.insert(at, 'x');
            let t = Instant::now();
            let a = reanalyze(&kb, &base, &text, &edited, &settings);
            times.push(t.elapsed().as_secs_f64() * 1e3);
            std::hint::black_box(a);
        }
    } else {
        for _ in 0..runs {
            let t = Instant::now();
            let a = analyze(&kb, &text, &settings);
            times.push(t.elapsed().as_secs_f64() * 1e3);
            std::hint::black_box(a);
        }
    }
    times.sort_by(f64::total_cmp);
    let what = if edit { "re-analysis after a one-character edit" } else { "fresh analysis" };
    println!(
        "{what} of {} bytes, {runs} runs: median {:.3} ms, fastest {:.3} ms",
        text.len(),
        times[times.len() / 2],
        times[0]
    );
    Ok(())
}
