//! temp profiling
use frontline::analysis::{analyze, reanalyze, Settings};
use frontline::kb::KnowledgeBase;
use frontline::text::markdown::Flavor;
fn main() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/seeds/articles");
    let mut all: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    all.sort();
    let all: Vec<String> = all.iter().map(|p| std::fs::read_to_string(p).unwrap()).collect();
    let size: usize = std::env::args().nth(2).map(|a| a.parse().unwrap()).unwrap_or(1_000_000);
    let mut s = String::new();
    while s.len() < size {
        for t in &all {
            s.push_str(t);
            s.push_str("\n\n");
        }
    }
    let kb = KnowledgeBase::builtin().unwrap();
    let n: usize = std::env::args().nth(1).map(|a| a.parse().unwrap()).unwrap_or(10);
    let set = Settings::new(Flavor::Markdown);
    let t = std::time::Instant::now();
    let mut a = analyze(&kb, &s, &set);
    for _ in 1..n {
        a = analyze(&kb, &s, &set);
    }
    eprintln!("{} bytes, fresh {:?} per run, findings {}", s.len(), t.elapsed() / n as u32, a.findings.len());
    let t = std::time::Instant::now();
    let mut text = s.clone();
    for i in 0..n * 10 {
        let at = (i * 7919 * 13) % text.len();
        let mut at = at;
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        let mut next = text.clone();
        next.insert(at, 'x');
        a = reanalyze(&kb, &a, &text, &next, &set);
        text = next;
    }
    eprintln!(
        "incremental {:?} per edit (incl. String clone), findings {}",
        t.elapsed() / (n * 10) as u32,
        a.findings.len()
    );
}
