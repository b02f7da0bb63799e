//! Fuzz target `kb_loader`: arbitrary bytes (lossy UTF-8) as a knowledge-base file. Loading must
//! return a knowledge base or problems, never panic, and every problem must name a file that was
//! given and a line and column inside it: 1-based, the line at most the number of lines, the
//! column counted in characters as `kb::Problem` documents, at most one past the line's last
//! character.
//!
//! The input is loaded alone, and then over a small base (the first actors of the built-in
//! knowledge base) as `--kb` loads a file over the built-in one, so that merging, affiliations to
//! earlier actors and names shared across files are exercised without parsing the whole built-in
//! file on every run.
//!
//! `FRONTLINE_FUZZ_KB_COLUMNS=bytes` accepts columns up to the line's length in bytes, to fuzz
//! past the known finding that JSON syntax errors carry byte columns (see `fuzz/README.md`).

#![no_main]

use std::sync::OnceLock;

use frontline::kb::{KnowledgeBase, LoadError, Source, BUILTIN_JSON};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

const NAME: &str = "fuzz.json";
const BASE_NAME: &str = "base.json";
/// How many built-in actors the base keeps.
const BASE_ACTORS: usize = 12;

/// The first built-in actors, with affiliations only among themselves.
fn base() -> &'static str {
    static BASE: OnceLock<String> = OnceLock::new();
    BASE.get_or_init(|| {
        let mut doc: Value = serde_json::from_str(BUILTIN_JSON).expect("built-in JSON parses");
        let actors = doc["actors"].as_array_mut().expect("actors array");
        actors.truncate(BASE_ACTORS);
        let ids: Vec<Value> = actors.iter().map(|a| a["id"].clone()).collect();
        for a in actors.iter_mut() {
            if let Some(affs) = a.get_mut("affiliations").and_then(Value::as_array_mut) {
                affs.retain(|f| ids.contains(&f["actor"]));
            }
        }
        let text = serde_json::to_string_pretty(&doc).expect("serialises");
        KnowledgeBase::load(&[Source { name: BASE_NAME, text: &text }]).expect("the base loads");
        text
    })
}

fn byte_columns() -> bool {
    static BYTES: OnceLock<bool> = OnceLock::new();
    *BYTES.get_or_init(|| std::env::var("FRONTLINE_FUZZ_KB_COLUMNS").is_ok_and(|v| v == "bytes"))
}

fn check(sources: &[Source<'_>], result: Result<KnowledgeBase, LoadError>) {
    let Err(e) = result else { return };
    assert!(!e.problems.is_empty(), "an error without problems");
    for p in &e.problems {
        let src = sources.iter().find(|s| s.name == p.file).unwrap_or_else(|| panic!("unknown file in {p}"));
        let lines: Vec<&str> = src.text.split('\n').collect();
        assert!(p.line >= 1 && p.line <= lines.len(), "line out of the input: {p} ({} lines)", lines.len());
        let line = lines[p.line - 1];
        let (width, unit) = if byte_columns() { (line.len(), "bytes") } else { (line.chars().count(), "chars") };
        assert!(p.column >= 1 && p.column <= width + 1, "column out of line {} ({width} {unit}): {p}", p.line);
    }
    let _ = e.to_string();
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let one = [Source { name: NAME, text: &text }];
    check(&one, KnowledgeBase::load(&one));
    let two = [Source { name: BASE_NAME, text: base() }, Source { name: NAME, text: &text }];
    check(&two, KnowledgeBase::load(&two));
});
