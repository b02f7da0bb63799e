//! Analysis throughput, matching alone for comparison (on each seed, and on the 1 MB story block
//! by block on one thread), re-analysis after a one-character edit, the
//! `publishDiagnostics` notification written after it, and knowledge-base start-up cost.
//!
//! Inputs: the five seed articles, each alone (the largest is 001, 12 KB), all five
//! concatenated and repeated to about 20 KB (one round, 27.8 KB), 1 MB and 10 MB, and the
//! concatenation cut at a paragraph break before 20,000 bytes (`analyze/story/20KB`, 19.8 KB).
//! Run with `cargo bench --bench analysis` (`-- analyze/`, `-- reanalyze/` or `-- publish/` for
//! one group).

use std::hint::black_box;
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion, Throughput};
use frontline::analysis::{analyze, reanalyze, Settings};
use frontline::kb::KnowledgeBase;
use frontline::lsp::diagnostics::Publication;
use frontline::lsp::document::Snapshot;
use frontline::lsp::projects::Projects;
use frontline::text::fold::Folded;
use frontline::text::markdown::Flavor;
use frontline::text::Encoding;

fn seeds() -> Vec<(String, String)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/seeds/articles");
    let mut v: Vec<(String, String)> = std::fs::read_dir(dir)
        .expect("seeds/articles")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read_to_string(&p).unwrap()))
        .collect();
    v.sort();
    v
}

/// The seeds concatenated (blank line between) and repeated until at least `size` bytes.
fn corpus(size: usize) -> String {
    let all: Vec<String> = seeds().into_iter().map(|(_, t)| t).collect();
    let mut s = String::new();
    while s.len() < size {
        for t in &all {
            s.push_str(t);
            s.push_str("\n\n");
        }
    }
    s
}

/// The concatenation cut at its last paragraph break before `size` bytes: one story of about that
/// size (the concatenations above add whole rounds of the five seeds: "20KB" is 27.8 KB).
fn story(size: usize) -> String {
    let text = corpus(size);
    let head = &text[..frontline::text::floor_char_boundary(&text, size)];
    head[..head.rfind("\n\n").map_or(head.len(), |i| i + 1)].to_string()
}

fn bench(c: &mut Criterion) {
    c.bench_function("kb/builtin_load_and_build_automaton", |b| b.iter(|| KnowledgeBase::builtin().unwrap()));

    let kb = KnowledgeBase::builtin().unwrap();
    // Matching alone (fold + automaton + filters), to compare with the full analysis below.
    let mut m = c.benchmark_group("match_only");
    for (name, text) in seeds() {
        m.throughput(Throughput::Bytes(text.len() as u64));
        m.bench_with_input(BenchmarkId::new("seed", &name[..3]), &text, |b, t| b.iter(|| kb.find(black_box(t), &[])));
    }
    // What the full analysis of 1 MB spends before anything is built on the matches: each block
    // folded and walked for actors and cues, on one thread (`analyze` spreads blocks over the
    // pool). Beside `analyze/concatenated/1MB`, a floor for the present design.
    let text = corpus(1_000_000);
    let blocks = frontline::text::blocks::blocks(&text, Flavor::Markdown);
    m.throughput(Throughput::Bytes(text.len() as u64));
    m.sample_size(20);
    m.bench_function(BenchmarkId::new("blocks_one_thread", "1MB"), |b| {
        b.iter(|| {
            for r in &blocks {
                let t = black_box(&text[r.clone()]);
                black_box(kb.scan_folded(t, &Folded::new(t), &[], &[]));
            }
        })
    });
    m.finish();
    let mut g = c.benchmark_group("analyze");
    for (name, text) in seeds() {
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_with_input(BenchmarkId::new("seed", &name[..3]), &text, |b, t| {
            b.iter(|| analyze(&kb, black_box(t), &Settings::new(Flavor::Plain)))
        });
    }
    let text = story(20_000);
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.bench_with_input(BenchmarkId::new("story", "20KB"), &text, |b, t| {
        b.iter(|| analyze(&kb, black_box(t), &Settings::new(Flavor::Markdown)))
    });
    for (label, size) in [("20KB", 20_000), ("1MB", 1_000_000), ("10MB", 10_000_000)] {
        let text = corpus(size);
        if size >= 1_000_000 {
            g.sample_size(10);
        }
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_with_input(BenchmarkId::new("concatenated", label), &text, |b, t| {
            b.iter(|| analyze(&kb, black_box(t), &Settings::new(Flavor::Markdown)))
        });
    }
    g.finish();

    // One character typed at spread-out places: the analysis of the edited text from the
    // analysis of the text before (the work a keystroke costs the server).
    let mut r = c.benchmark_group("reanalyze");
    for (label, size) in [("20KB", 20_000), ("1MB", 1_000_000), ("10MB", 10_000_000)] {
        let text = corpus(size);
        let settings = Settings::new(Flavor::Markdown);
        let base = analyze(&kb, &text, &settings);
        let mut k = 0usize;
        r.bench_function(BenchmarkId::new("one_char_edit", label), |b| {
            b.iter_batched(
                || {
                    k += 1;
                    let mut at = (k * 7919 * 131) % text.len();
                    while !text.is_char_boundary(at) {
                        at -= 1;
                    }
                    let mut edited = text.clone();
                    edited.insert(at, 'x');
                    edited
                },
                |edited| reanalyze(&kb, &base, &text, black_box(&edited), &settings),
                BatchSize::LargeInput,
            )
        });
    }
    r.finish();

    // The notification the server writes after a keystroke, from the snapshot of the edited text
    // and the publication before it (which it copies unchanged diagnostics from), in UTF-16; and
    // the same notification written afresh.
    let config = Projects::new(Arc::new(kb)).base();
    let uri: tower_lsp_server::ls_types::Uri = "file:///story.md".parse().unwrap();
    let mut p = c.benchmark_group("publish");
    for (label, size) in [("20KB", 20_000), ("1MB", 1_000_000)] {
        let rope = ropey::Rope::from_str(&corpus(size));
        let base = Arc::new(Snapshot::build(config.clone(), rope.clone(), 1, Flavor::Markdown, None));
        let before = Publication::new(&uri, base.clone(), Encoding::Utf16, None);
        let edited: Vec<Arc<Snapshot>> = (1..=16)
            .map(|k| {
                let mut r = rope.clone();
                r.insert_char((k * 7919 * 131) % r.len_chars(), 'x');
                Arc::new(Snapshot::build(config.clone(), r, 2, Flavor::Markdown, Some(&base)))
            })
            .collect();
        let mut k = 0usize;
        p.bench_function(BenchmarkId::new("after_one_char_edit", label), |b| {
            b.iter(|| {
                k += 1;
                Publication::new(&uri, edited[k % edited.len()].clone(), Encoding::Utf16, Some(&before))
            })
        });
        p.bench_function(BenchmarkId::new("afresh", label), |b| {
            b.iter(|| Publication::new(&uri, edited[0].clone(), Encoding::Utf16, None))
        });
    }
    p.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
