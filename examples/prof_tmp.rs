//! temp profiling
use frontline::analysis::{analyze, Settings};
use frontline::kb::KnowledgeBase;
use frontline::text::markdown::Flavor;
fn main() {
    let s = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/seeds/articles/001_1e79ab6f679bd460.txt"))
        .unwrap();
    let kb = KnowledgeBase::builtin().unwrap();
    let set = Settings::new(Flavor::Plain);
    let t = std::time::Instant::now();
    let mut n = 0;
    for _ in 0..3000 {
        n += analyze(&kb, &s, &set).findings.len();
    }
    eprintln!("{:?} per run {}", t.elapsed() / 3000, n);
}
