//! Fuzz target `kb_loader`: arbitrary bytes (lossy UTF-8) as a knowledge-base file. Loading must
//! return a knowledge base or problems, never panic, and every problem must name a file that was
//! given and a line and column inside it, counted as the language server counts them (lines end at
//! `\n`, `\r\n` or a lone `\r`; see `frontline_fuzz::check_line_column`).
//!
//! The input is loaded alone, and then over a small base (the first actors of the built-in
//! knowledge base) as `--kb` loads a file over the built-in one, so that merging, affiliations to
//! earlier actors and names shared across files are exercised without parsing the whole built-in
//! file on every run.

#![no_main]

use std::sync::OnceLock;

use frontline::kb::{KnowledgeBase, LoadError, Source, BUILTIN_JSON};
use frontline_fuzz::check_line_column;
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

fn check(sources: &[Source<'_>], result: Result<KnowledgeBase, LoadError>) {
    let Err(e) = result else { return };
    assert!(!e.problems.is_empty(), "an error without problems");
    for p in &e.problems {
        let src = sources.iter().find(|s| s.name == p.file).unwrap_or_else(|| panic!("unknown file in {p}"));
        if let Err(why) = check_line_column(src.text, p.line, p.column) {
            panic!("{p}: position outside the file ({why})");
        }
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
