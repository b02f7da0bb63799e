//! Suppression comments change nothing but what they suppress: on every seed article, in both
//! flavours, the comment the "Ignore this finding here" action inserts removes exactly the findings
//! of that code on that line, and the "Ignore CODE in this file" comment exactly those of that code;
//! no other finding appears, disappears or moves except by the inserted bytes.

use frontline::analysis::suppress::{ignore_here, ignore_in_file};
use frontline::analysis::{analyze, Finding, Settings};
use frontline::kb::KnowledgeBase;
use frontline::text::markdown::Flavor;

fn seeds() -> Vec<(String, String)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/seeds/articles");
    let mut out: Vec<(String, String)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read_to_string(&p).unwrap()))
        .collect();
    out.sort();
    // The same stories hard-wrapped, so that comments land inside paragraphs and sentences.
    let wrapped: Vec<(String, String)> = out.iter().map(|(n, t)| (format!("{n} wrapped"), wrap(t, 60))).collect();
    out.extend(wrapped);
    out
}

/// `text` with every line longer than `width` broken at spaces.
fn wrap(text: &str, width: usize) -> String {
    let mut out = String::new();
    for line in text.split('\n') {
        let mut len = 0;
        for (k, word) in line.split(' ').enumerate() {
            if k > 0 {
                if len + word.len() > width {
                    out.push('\n');
                    len = 0;
                } else {
                    out.push(' ');
                    len += 1;
                }
            }
            out.push_str(word);
            len += word.len();
        }
        out.push('\n');
    }
    out.pop();
    out
}

/// What identifies a finding, its range moved past an insertion of `len` bytes at `at`.
fn key(f: &Finding, at: usize, len: usize) -> (&'static str, usize, usize, String) {
    let mv = |p: usize| if p >= at { p + len } else { p };
    (f.code(), mv(f.range.start), mv(f.range.end), f.message.to_string())
}

fn line_of(text: &str, at: usize) -> usize {
    text[..at].matches('\n').count()
}

#[test]
fn ignoring_a_finding_changes_nothing_else() {
    let kb = KnowledgeBase::builtin().unwrap();
    let (mut checked, mut cut) = (0, 0);
    for (name, text) in seeds() {
        for flavor in [Flavor::Markdown, Flavor::Plain] {
            let settings = Settings::new(flavor);
            let analysis = analyze(&kb, &text, &settings);
            let before = analysis.findings.clone();
            for f in &before {
                let edit = ignore_here(&text, f.range.start, f.code());
                let at = edit.range.start;
                // A name or phrase wrapped across the line break above the finding is cut by the
                // comment (a known limit, in docs/suppressions.md).
                let across = |r: &std::ops::Range<usize>| r.start < at && at < r.end;
                if analysis.mentions().iter().any(|m| across(&m.range)) || before.iter().any(|g| across(&g.range)) {
                    cut += 1;
                    continue;
                }
                let mut edited = text.clone();
                edited.insert_str(at, &edit.text);
                let after: Vec<_> =
                    analyze(&kb, &edited, &settings).findings.iter().map(|g| key(&g, usize::MAX, 0)).collect();
                let expected: Vec<_> = before
                    .iter()
                    .filter(|g| {
                        !(g.code() == f.code() && line_of(&text, g.range.start) == line_of(&text, f.range.start))
                    })
                    .map(|g| key(&g, at, edit.text.len()))
                    .collect();
                assert_eq!(after, expected, "{name} ({flavor:?}): ignoring {} at {:?}", f.code(), f.range);
                checked += 1;

                let edit = ignore_in_file(&text, flavor, f.code());
                let mut edited = text.clone();
                edited.insert_str(edit.range.start, &edit.text);
                let after: Vec<_> =
                    analyze(&kb, &edited, &settings).findings.iter().map(|g| key(&g, usize::MAX, 0)).collect();
                let expected: Vec<_> = before
                    .iter()
                    .filter(|g| g.code() != f.code())
                    .map(|g| key(&g, edit.range.start, edit.text.len()))
                    .collect();
                assert_eq!(after, expected, "{name} ({flavor:?}): ignoring {} in the file", f.code());
            }
        }
    }
    assert!(checked > 200 && cut < 10, "{checked} findings checked, {cut} skipped");
}
