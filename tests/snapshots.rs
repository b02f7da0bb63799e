//! Snapshot tests on the five seed articles: every mention found, and the hover cards of the
//! names the issues single out. Review changes with `cargo insta review`.

use std::fmt::Write as _;

use frontline::analysis::card::{card, Usage};
use frontline::analysis::{analyze, Analysis, Settings, Voice};
use frontline::kb::{HouseStyle, KnowledgeBase};
use frontline::text::markdown::Flavor;

const SEEDS: [&str; 5] = [
    "000_a9beee0ed21879d9.txt",
    "001_1e79ab6f679bd460.txt",
    "002_975f8ab4e326f945.txt",
    "003_ebde9c7ef49edc9c.txt",
    "004_a68ae34d37384242.txt",
];

fn seed(name: &str) -> String {
    std::fs::read_to_string(format!("{}/seeds/articles/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn line_col(text: &str, byte: usize) -> (usize, usize) {
    let before = &text[..byte];
    let line = before.matches('\n').count() + 1;
    let start = before.rfind('\n').map_or(0, |p| p + 1);
    (line, before[start..].chars().count() + 1)
}

#[test]
fn mentions_on_the_seeds() {
    let kb = KnowledgeBase::builtin().unwrap();
    for name in SEEDS {
        let text = seed(name);
        let analysis = analyze(&kb, &text, &Settings::new(Flavor::Plain));
        let mut out = String::new();
        for m in analysis.mentions() {
            let (l, c) = line_col(&text, m.range.start);
            let n = kb.name(m.name);
            let mut flags = Vec::new();
            if m.first {
                flags.push("first".to_string());
            }
            if m.voice != Voice::Own {
                flags.push(format!("{:?}", m.voice).to_lowercase());
            }
            if !m.others.is_empty() {
                let others: Vec<&str> = m.others.iter().map(|&o| kb.actor(o).id.as_str()).collect();
                flags.push(format!("also {}", others.join(",")));
            }
            let _ = writeln!(
                out,
                "{l}:{c} {:?} -> {} [{:?} {:?}, {}]{}",
                &text[m.range.clone()],
                kb.actor(m.actor()).id,
                n.text,
                n.form,
                n.family,
                if flags.is_empty() { String::new() } else { format!(" ({})", flags.join("; ")) }
            );
        }
        insta::assert_snapshot!(format!("mentions_{}", &name[..3]), out);
    }
}

#[test]
fn hover_cards_on_the_seeds() {
    let kb = KnowledgeBase::builtin().unwrap();
    let cases = [
        ("000", "ISIL", 1),
        ("003", "Daesh", 0),
        ("001", "al-Qa’ida", 0),
        ("001", "Menbej", 0),
        ("001", "SOC", 0),
        ("004", "Hezbollah", 0),
    ];
    for (prefix, needle, n) in cases {
        let name = SEEDS.iter().find(|s| s.starts_with(prefix)).unwrap();
        let text = seed(name);
        let analysis = analyze(&kb, &text, &Settings::new(Flavor::Plain));
        let at = text.match_indices(needle).nth(n).unwrap().0;
        let m = analysis.mention_at(at).unwrap_or_else(|| panic!("no mention at {needle}"));
        let usage = Usage {
            here: Some((text[m.range.clone()].to_string(), m.name)),
            forms: analysis.forms_of(&text, m.actor()).to_vec(),
        };
        let md = card(&kb, m.actor(), Some(&usage)).to_markdown();
        insta::assert_snapshot!(format!("hover_{prefix}_{}", needle.replace(['’', '\''], "")), md);
    }
}

/// Findings with their related places and fixes, as a reviewer reads them.
fn render_findings(text: &str, analysis: &Analysis) -> String {
    let mut out = String::new();
    for f in &analysis.findings {
        let (l, c) = line_col(text, f.range.start);
        let _ = writeln!(out, "{l}:{c} {} {:?}: {}", f.code(), &text[f.range.clone()], f.message);
        for r in f.related.iter() {
            let (rl, rc) = line_col(text, r.range.start);
            let _ = writeln!(out, "    related {rl}:{rc}: {}", r.message);
        }
        for fix in f.fixes.iter() {
            let edits: Vec<String> = fix
                .edits
                .at(&f.range)
                .iter()
                .map(|e| {
                    let (el, ec) = line_col(text, e.range.start);
                    format!("{el}:{ec} {:?}->{:?}", &text[e.range.clone()], e.text)
                })
                .collect();
            let _ =
                writeln!(out, "    fix{} {}: {}", if fix.preferred { "*" } else { "" }, fix.title, edits.join(", "));
        }
    }
    out
}

#[test]
fn naming_findings_on_the_seeds() {
    let kb = KnowledgeBase::builtin().unwrap();
    for name in SEEDS {
        let text = seed(name);
        let analysis = analyze(&kb, &text, &Settings::new(Flavor::Plain));
        insta::assert_snapshot!(format!("findings_{}", &name[..3]), render_findings(&text, &analysis));
    }
}

#[test]
fn naming_findings_with_a_house_style() {
    let kb = KnowledgeBase::builtin().unwrap();
    let text = seed(SEEDS[0]);
    let style = HouseStyle::preset(&kb, "guardian").unwrap();
    let analysis = analyze(&kb, &text, &Settings { flavor: Flavor::Plain, style: Some(style), ..Default::default() });
    insta::assert_snapshot!("findings_000_guardian", render_findings(&text, &analysis));
}
