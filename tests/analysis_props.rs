//! Properties of the whole analysis on arbitrary text: it never panics, and every range it
//! returns (mentions, quotes, findings, related places, fix edits) lies inside the text on char
//! boundaries.

use frontline::analysis::{analyze, Settings};
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
    let a = analyze(kb(), text, &Settings { flavor, style });
    let ok = |r: &std::ops::Range<usize>| {
        r.start <= r.end && r.end <= text.len() && text.is_char_boundary(r.start) && text.is_char_boundary(r.end)
    };
    for m in &a.mentions {
        prop_assert!(ok(&m.range) && !m.range.is_empty());
    }
    for q in &a.quotes {
        prop_assert!(ok(&q.range));
    }
    for f in &a.findings {
        prop_assert!(ok(&f.range));
        for r in &f.related {
            prop_assert!(ok(&r.range));
        }
        for fix in &f.fixes {
            for e in &fix.edits {
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
