//! Properties of the whole analysis on arbitrary text: it never panics, and every range it
//! returns (mentions, quotes, findings, related places, fix edits) lies inside the text on char
//! boundaries.

use frontline::analysis::{analyze, reanalyze, Levels, Mention, Settings};
use frontline::kb::{HouseStyle, KnowledgeBase};
use frontline::text::markdown::Flavor;
use proptest::prelude::*;
use std::sync::OnceLock;

fn kb() -> &'static KnowledgeBase {
    static KB: OnceLock<KnowledgeBase> = OnceLock::new();
    KB.get_or_init(|| KnowledgeBase::builtin().unwrap())
}

fn pieces() -> impl Strategy<Value = String> {
    let p = prop::sample::select(vec![
        "ISIS",
        "ISIL",
        "Isis",
        "IS",
        "is",
        "Daesh",
        "داعش",
        "وداعش",
        "al-Qa’ida",
        "al Qaeda",
        "Menbej",
        "Manbij",
        "raqqa",
        "SDF",
        "Syrian Democratic Forces",
        "SNC",
        "(",
        ")",
        "“",
        "”",
        "\"",
        "«",
        "»",
        "#",
        "@",
        ">",
        "- ",
        "```",
        "`",
        "<!--",
        "-->",
        "<!-- frontline-disable-next-line naming -->\n",
        "<!-- frontline-disable attribution/hedged style -->",
        "<!-- frontline-enable -->",
        "<!-- frontline-disable-file bogus -->",
        "http://x.y/ISIS",
        "[a](b)",
        " ",
        "  ",
        "\n",
        "\r\n",
        "\r",
        "\n\n",
        ".",
        ",",
        "also known as",
        " or ",
        " and ",
        "\u{a0}",
        "\u{200f}",
        "😀",
        "🇸🇾",
        "e\u{301}",
        "ب",
        "the",
        "said",
        "— Name (@handle) 1 Jan",
        "U.S.",
        "US",
        "USA",
    ]);
    prop::collection::vec(p, 0..60).prop_map(|v| v.concat())
}

fn check_ranges(text: &str, style: Option<HouseStyle>, flavor: Flavor) -> Result<(), TestCaseError> {
    let a = analyze(kb(), text, &Settings { flavor, style, ..Default::default() });
    let ok = |r: &std::ops::Range<usize>| {
        r.start <= r.end && r.end <= text.len() && text.is_char_boundary(r.start) && text.is_char_boundary(r.end)
    };
    for m in a.mentions() {
        prop_assert!(ok(&m.range) && !m.range.is_empty());
    }
    for q in &a.quotes() {
        prop_assert!(ok(&q.range));
    }
    for f in &a.findings {
        prop_assert!(ok(&f.range));
        for r in f.related.iter() {
            prop_assert!(ok(&r.range));
        }
        for fix in f.fixes.iter() {
            for e in fix.edits.at(&f.range).iter() {
                prop_assert!(ok(&e.range));
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn analysis_ranges_are_always_valid(text in pieces()) {
        check_ranges(&text, None, Flavor::Markdown)?;
        check_ranges(&text, HouseStyle::preset(kb(), "guardian").ok(), Flavor::Plain)?;
    }

    #[test]
    fn arbitrary_unicode_never_panics(text in "\\PC{0,200}") {
        check_ranges(&text, None, Flavor::Markdown)?;
    }
}

/// Text for the incremental tests: a seed article's opening with paragraph-level structure.
fn base_texts() -> impl Strategy<Value = String> {
    let seed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/seeds/articles/001_1e79ab6f679bd460.txt"))
        .expect("seed 001");
    let head: String = seed.chars().take(3000).collect();
    prop_oneof![Just(head), pieces(), (pieces(), pieces()).prop_map(|(a, b)| format!("{a}\n\n{b}\n\n{a}"))]
}

/// One edit: where (as fractions of the text), what to insert, and whether to start it at the
/// beginning of its line (where block boundaries are decided).
fn edits() -> impl Strategy<Value = Vec<(f64, f64, String, bool)>> {
    let insert = prop_oneof![
        pieces(),
        prop::sample::select(vec![
            "\n\n",
            "```\n",
            "Reuters reported,\n\n",
            "    code\n",
            "---\n",
            "<!-- frontline: witnessed -->\n",
            "<!-- frontline-disable-next-line -->\n",
            "<!-- frontline-disable naming -->\n",
            "Rebels seized the town. ",
            "“Then ISIL started,” he said.\n\n",
            "And 20 people were killed.",
            "Meanwhile ",
            "— Name (@handle) 13 Jun 2017\n\n",
            "    ",
            "The statement said:\n\n",
        ])
        .prop_map(String::from),
    ];
    prop::collection::vec((0.0..1.0f64, 0.0..0.05f64, insert, any::<bool>()), 1..8)
}

/// `PROPTEST_CASES` raises the number of cases for a longer run.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// Applies `edits` to `text` one after the other, re-analysing after each, and checks each result
/// against a fresh analysis.
fn edit_and_compare(
    text: String,
    edits: Vec<(f64, f64, String, bool)>,
    settings: &Settings,
) -> Result<(), TestCaseError> {
    let mut text = text;
    let mut analysis = analyze(kb(), &text, settings);
    for (at, len, insert, line_start) in edits {
        let mut start = boundary(&text, (at * text.len() as f64) as usize);
        if line_start {
            start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        }
        let end = boundary(&text, start + (len * text.len() as f64) as usize);
        let mut next = text.clone();
        next.replace_range(start..end, &insert);
        let before = analysis;
        analysis = reanalyze(kb(), &before, &text, &next, settings);
        // What the analysis says it kept of the one before is there: its first mentions as they
        // were, its last ones moved by the edit (whether each is its actor's first aside).
        if let Some(kept) = analysis.kept() {
            let (old, new) = (before.mentions(), analysis.mentions());
            let bare = |m: &Mention, by: isize| {
                let r = m.range.start.wrapping_add_signed(by)..m.range.end.wrapping_add_signed(by);
                (r, m.name, m.others.to_vec(), m.voice, m.body)
            };
            prop_assert!(
                kept.first + kept.last <= old.len().min(new.len()),
                "{:?} of {} and {}",
                kept,
                old.len(),
                new.len()
            );
            let by = next.len() as isize - text.len() as isize;
            for i in 0..kept.first {
                prop_assert_eq!(bare(&old[i], 0), bare(&new[i], 0));
            }
            for k in 1..=kept.last {
                prop_assert_eq!(bare(&old[old.len() - k], by), bare(&new[new.len() - k], 0));
            }
        }
        text = next;
        let fresh = analyze(kb(), &text, settings);
        prop_assert_eq!(&analysis, &fresh);
        prop_assert_eq!(analysis.claim_counts(&text), fresh.claim_counts(&text), "claim counts");
    }
    Ok(())
}

/// Keystrokes as a writer makes them: (where the cursor jumps to first, if it does, as a
/// fraction of the text; the character typed there, or `None` for a backspace).
fn keystrokes() -> impl Strategy<Value = Vec<(Option<f64>, Option<char>)>> {
    let jump = prop::option::weighted(0.15, 0.0..1.0f64);
    let key = prop::option::weighted(0.7, prop::sample::select(vec!['a', 'S', ' ', '.', '\n', 'é', '“', 'I']));
    prop::collection::vec((jump, key), 10..40)
}

/// The seed articles one after the other: a story of more blocks than one chunk of the block
/// list holds (64), so that edits split, rebuild and share chunks.
fn all_seeds() -> String {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/seeds/articles");
    let mut paths: Vec<_> = std::fs::read_dir(dir).expect("seeds").map(|e| e.expect("seed").path()).collect();
    paths.sort();
    paths.iter().map(|p| std::fs::read_to_string(p).expect("seed")).collect::<Vec<_>>().join("\n\n")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(300)))]

    /// Re-analysing after each edit of a sequence gives exactly what a fresh analysis of the same
    /// text gives: mentions, quotes, anchors, findings and blocks.
    #[test]
    fn incremental_analysis_equals_a_fresh_one(
        text in base_texts(),
        edits in edits(),
        md in any::<bool>(),
        styled in any::<bool>(),
        leveled in any::<bool>(),
    ) {
        let flavor = if md { Flavor::Markdown } else { Flavor::Plain };
        // With a house style too: its rule judges each actor with the others' findings in view.
        let style = styled.then(|| HouseStyle::preset(kb(), "guardian").expect("the guardian preset loads"));
        // And with rule levels: one rule off, others raised or lowered (an analysis after an edit
        // keeps the levelled findings of the one before).
        let mut levels = Levels::default();
        if leveled {
            for (pattern, level) in [("attribution/hedged", "off"), ("naming/", "error"), ("suppression/unused", "off"), ("style", "information")] {
                levels.set(pattern, level).expect("known codes and levels");
            }
        }
        let settings = Settings { flavor, style, levels };
        edit_and_compare(text, edits, &settings)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(300) / 3))]

    /// The same after keystrokes typed and deleted one at a time, mostly where the one before
    /// was (an analysis reads a list of findings through the edits since it was made, and typing
    /// at one place makes one edit of them; more edits than it keeps make it move the list).
    #[test]
    fn incremental_analysis_after_keystrokes_equals_a_fresh_one(
        text in base_texts(),
        keys in keystrokes(),
        md in any::<bool>(),
    ) {
        let settings = Settings::new(if md { Flavor::Markdown } else { Flavor::Plain });
        let mut text = text;
        let mut analysis = analyze(kb(), &text, &settings);
        let mut cursor = text.len() / 2;
        cursor = boundary(&text, cursor);
        for (jump, key) in keys {
            if let Some(at) = jump {
                cursor = boundary(&text, (at * text.len() as f64) as usize);
            }
            let mut next = text.clone();
            match key {
                Some(c) => {
                    next.insert(cursor, c);
                    cursor += c.len_utf8();
                }
                None => match text[..cursor].chars().next_back() {
                    Some(c) => {
                        cursor -= c.len_utf8();
                        next.remove(cursor);
                    }
                    None => continue,
                },
            }
            analysis = reanalyze(kb(), &analysis, &text, &next, &settings);
            text = next;
            prop_assert_eq!(&analysis, &analyze(kb(), &text, &settings), "after {:?} at {}", key, cursor);
        }
    }
}

proptest! {
    // Each case analyses 28 KB afresh after every edit: fewer cases.
    #![proptest_config(ProptestConfig::with_cases(cases(300) / 10))]

    /// The same on a story of several chunks of blocks.
    #[test]
    fn incremental_analysis_of_a_long_story_equals_a_fresh_one(edits in edits(), md in any::<bool>()) {
        let flavor = if md { Flavor::Markdown } else { Flavor::Plain };
        edit_and_compare(all_seeds(), edits, &Settings::new(flavor))?;
    }
}
