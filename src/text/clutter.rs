//! Web-page clutter: tag lists, "Related" and "Read more" links, share prompts, source credits.
//!
//! Copy pasted from the web carries these; names in them are not the writer's prose. A clutter
//! span is a whole line that starts with a clutter cue and does not end like a sentence, or, inside a line, a `Tags` run to the end
//! of the line (corpora that lost their line breaks keep tag lists inline).

use std::ops::Range;

const LINE_CUES: &[&str] = &[
    "tags",
    "related",
    "read also",
    "read more",
    "more:",
    "see also",
    "click here",
    "source:",
    "sources:",
    "share this",
    "share on",
    "follow us",
    "subscribe",
    "advertisement",
    "photo:",
    "photo credit",
    "image:",
    "copyright",
    "©",
    "all rights reserved",
];

fn starts_with_cue(line: &str) -> bool {
    let l = line.trim_start();
    // Most lines begin with two ASCII letters that begin no cue ("Th", "In"): no need to
    // lower-case their head.
    if let [a, b, ..] = *l.as_bytes() {
        let head = [a.to_ascii_lowercase(), b.to_ascii_lowercase()];
        if a.is_ascii() && b.is_ascii() && !LINE_CUES.iter().any(|c| c.as_bytes().starts_with(&head)) {
            return false;
        }
    }
    // The longest cue is 19 bytes: the head of the line is enough to lower-case. An ASCII head
    // (most) is compared in place, ignoring ASCII case, as its lower case would be.
    let head = &l[..crate::text::floor_char_boundary(l, 64)];
    if head.is_ascii() {
        let h = head.as_bytes();
        return LINE_CUES.iter().any(|c| {
            h.get(..c.len()).is_some_and(|w| w.eq_ignore_ascii_case(c.as_bytes()))
                && h.get(c.len()).is_none_or(|n| !n.is_ascii_alphanumeric())
        });
    }
    let mut buf = [0u8; 64];
    let l = super::fold::lowercase_in(head, &mut buf);
    LINE_CUES.iter().any(|c| l.starts_with(c) && l[c.len()..].chars().next().is_none_or(|n| !n.is_alphanumeric()))
}

/// The searcher for an inline tag list, built once rather than for every line.
fn inline_tags() -> &'static memchr::memmem::Finder<'static> {
    static TAGS: std::sync::OnceLock<memchr::memmem::Finder<'static>> = std::sync::OnceLock::new();
    TAGS.get_or_init(|| memchr::memmem::Finder::new(b" Tags "))
}

/// Clutter spans of `text`, sorted and disjoint.
pub fn clutter_spans(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    for (pos, content, _) in super::lines_at(text) {
        if starts_with_cue(content) && !content.trim_end().ends_with(['.', '!', '?']) {
            out.push(pos..pos + content.len());
        } else if let Some(i) = inline_tags().find(content.as_bytes()) {
            // An inline tag list: "… Tags Daesh airstrikes Turkey Syria …" with no sentence after it.
            let rest = &content[i + 6..];
            if !rest.contains(['.', '!', '?']) {
                out.push(pos + i + 1..pos + content.len());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full_look(line: &str) -> bool {
        let l = line.trim_start().to_lowercase();
        LINE_CUES.iter().any(|c| l.starts_with(c) && l[c.len()..].chars().next().is_none_or(|n| !n.is_alphanumeric()))
    }

    proptest::proptest! {
        #[test]
        fn a_line_head_is_a_cue_as_lower_casing_it_says(line in "[ tTaAgGsSrReEhH©İ:x1]{0,8}") {
            proptest::prop_assert_eq!(starts_with_cue(&line), full_look(&line));
        }
    }

    #[test]
    fn the_quick_look_at_a_line_head_agrees_with_lower_casing_it() {
        let full = full_look;
        for line in [
            "",
            "T",
            "TAGS",
            "Tags: a",
            "tagsx",
            "Tags1",
            "source:x",
            " The end",
            "SOURCE: x",
            "© 2016",
            "All rights reserved",
            "Share On",
            "RElated",
            "İmage: x",
            "Photo credit",
            "Read more",
            "Reading",
            "  related",
        ] {
            assert_eq!(starts_with_cue(line), full(line), "{line:?}");
        }
    }

    #[test]
    fn clutter_lines_and_inline_tags() {
        let t = "Body ISIS text.\nRelated: ISIL news\nSOURCE: NY Times\nAid 2015 UN Tags Daesh airstrikes Syria\nTags are fine. Really.";
        let s: Vec<&str> = clutter_spans(t).into_iter().map(|r| &t[r]).collect();
        assert_eq!(s, vec!["Related: ISIL news", "SOURCE: NY Times", "Tags Daesh airstrikes Syria"]);
    }
}
