//! Fuzz target `analysis`: arbitrary bytes (lossy UTF-8) analysed with the built-in knowledge
//! base, as Markdown without a house style and as plain text with one, must not panic, and every
//! range in the result must be usable on the text.
//!
//! Checked: mentions are non-empty, in text order and do not overlap; every mention, quote,
//! attribution anchor (cue and source), finding, related place and fix edit lies inside the text on
//! char boundaries; findings are in text order; the edits of one fix do not overlap (LSP rejects a
//! workspace edit whose edits overlap); the queries on the analysis (`mention_at`, `forms_of`,
//! `actors`) run on the text.
//!
//! Incremental analysis: the text is also taken as an edit of a second text (the input with a
//! slice cut out, the slice chosen by the input's first bytes); `reanalyze` from that text's
//! analysis must equal a fresh `analyze` of this one, and `reanalyze` back, the fresh analysis of
//! that text.

#![no_main]

use std::sync::OnceLock;

use frontline::analysis::{analyze, reanalyze, Settings};
use frontline::kb::{HouseStyle, KnowledgeBase};
use frontline::text::markdown::Flavor;
use frontline_fuzz::valid_range;
use libfuzzer_sys::fuzz_target;

/// The house-style presets tried in turn (picked by the input's length).
const STYLES: [&str; 5] = ["ap", "reuters", "bbc", "nyt", "guardian"];

fn kb() -> &'static KnowledgeBase {
    static KB: OnceLock<KnowledgeBase> = OnceLock::new();
    KB.get_or_init(|| KnowledgeBase::builtin().expect("the built-in knowledge base loads"))
}

fn styles() -> &'static [HouseStyle] {
    static STYLES_: OnceLock<Vec<HouseStyle>> = OnceLock::new();
    STYLES_.get_or_init(|| STYLES.iter().map(|k| HouseStyle::preset(kb(), k).expect("preset loads")).collect())
}

fn check(text: &str, settings: &Settings) {
    let a = analyze(kb(), text, settings);
    let ctx = |what: &str| format!("{what} ({:?}, style {})", settings.flavor, settings.style.is_some());

    for m in a.mentions() {
        assert!(valid_range(text, &m.range) && !m.range.is_empty(), "{}: {:?}", ctx("mention"), m.range);
    }
    for w in a.mentions().windows(2) {
        assert!(w[0].range.end <= w[1].range.start, "{}: {:?} {:?}", ctx("mentions overlap"), w[0].range, w[1].range);
    }
    let quotes = a.quotes();
    for q in &quotes {
        assert!(valid_range(text, &q.range), "{}: {:?}", ctx("quote"), q.range);
    }
    for w in quotes.windows(2) {
        assert!(w[0].range.start <= w[1].range.start, "{}: {:?} {:?}", ctx("quotes order"), w[0].range, w[1].range);
    }
    for an in &a.anchors() {
        assert!(valid_range(text, &an.cue), "{}: {:?}", ctx("anchor cue"), an.cue);
        if let Some(s) = &an.source {
            assert!(valid_range(text, s), "{}: {:?}", ctx("anchor source"), s);
        }
    }
    for f in &a.findings {
        assert!(valid_range(text, &f.range), "{} {}: {:?}", ctx("finding"), f.code(), f.range);
        for r in f.related.iter() {
            assert!(valid_range(text, &r.range), "{} {}: {:?}", ctx("related"), f.code(), r.range);
        }
        for fix in f.fixes.iter() {
            let edits = fix.edits.at(&f.range);
            for e in edits.iter() {
                assert!(valid_range(text, &e.range), "{} {}: {:?}", ctx("fix edit"), f.code(), e.range);
            }
            let mut ranges: Vec<_> = edits.iter().map(|e| e.range.clone()).collect();
            ranges.sort_by_key(|r| (r.start, r.end));
            for w in ranges.windows(2) {
                assert!(
                    w[0].end <= w[1].start,
                    "{} {} `{}`: {ranges:?}",
                    ctx("fix edits overlap"),
                    f.code(),
                    fix.title
                );
            }
        }
    }
    for (f, g) in a.findings.iter().zip(a.findings.iter().skip(1)) {
        assert!(f.range.start <= g.range.start, "{}", ctx("findings order"));
    }

    for m in a.mentions() {
        assert!(a.mention_at(m.range.start).is_some());
    }
    for named in a.actors() {
        let forms = a.forms_of(text, named.actor);
        assert_eq!(forms.iter().map(|(_, c)| c).sum::<usize>(), named.mentions);
        assert!(named.first.first && named.first.actor() == named.actor);
    }
}

/// `text` analysed after an edit from `before` equals `text` analysed afresh; and undoing the
/// edit from there gives `before`'s analysis again (the findings kept are then read through two
/// edits that cancel out).
fn check_incremental(before: &str, text: &str, settings: &Settings) {
    let old = analyze(kb(), before, settings);
    let fresh = analyze(kb(), text, settings);
    let edited = reanalyze(kb(), &old, before, text, settings);
    assert_eq!(edited, fresh, "incremental != fresh ({:?})", settings.flavor);
    assert_eq!(reanalyze(kb(), &edited, text, before, settings), old, "undone != fresh ({:?})", settings.flavor);
}

/// The text with a slice cut out: where and how much picked by the first two bytes.
fn cut(text: &str, data: &[u8]) -> String {
    let (a, b) = (*data.first().unwrap_or(&0) as usize, *data.get(1).unwrap_or(&0) as usize);
    let mut start = text.len() * a / 256;
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = (start + b).min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}{}", &text[..start], &text[end..])
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    check(&text, &Settings::new(Flavor::Markdown));
    let before = cut(&text, data);
    check_incremental(&before, &text, &Settings::new(Flavor::Markdown));
    check_incremental(&text, &before, &Settings::new(Flavor::Plain));
    let style = styles()[data.len() % STYLES.len()].clone();
    check(&text, &Settings { flavor: Flavor::Plain, style: Some(style), ..Default::default() });
});
