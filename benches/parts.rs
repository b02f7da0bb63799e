//! The cost of each stage of the analysis on the largest seed (001, 12 KB), to see where time goes.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use frontline::analysis::{analyze, Settings};
use frontline::kb::KnowledgeBase;
use frontline::text::clutter::clutter_spans;
use frontline::text::fold::Folded;
use frontline::text::markdown::{excluded_spans, Flavor};
use frontline::text::quotes::quotes;
use frontline::text::sentences::sentences;

fn bench(c: &mut Criterion) {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/seeds/articles/001_1e79ab6f679bd460.txt"))
        .unwrap();
    let kb = KnowledgeBase::builtin().unwrap();
    let folded = Folded::new(&text);
    let mut g = c.benchmark_group("stage/seed-001");
    g.bench_function("fold", |b| b.iter(|| Folded::new(black_box(&text))));
    g.bench_function("excluded_spans", |b| b.iter(|| excluded_spans(black_box(&text), Flavor::Plain)));
    g.bench_function("clutter", |b| b.iter(|| clutter_spans(black_box(&text))));
    g.bench_function("quotes", |b| b.iter(|| quotes(black_box(&text), Flavor::Plain)));
    g.bench_function("sentences", |b| b.iter(|| sentences(black_box(&text), Flavor::Plain)));
    g.bench_function("actor_match", |b| b.iter(|| kb.find_folded(black_box(&text), &folded, &[])));
    g.bench_function("actor_and_cue_match", |b| b.iter(|| kb.scan_folded(black_box(&text), &folded, &[], &[])));
    g.bench_function("analyze", |b| b.iter(|| analyze(&kb, black_box(&text), &Settings::new(Flavor::Plain))));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
