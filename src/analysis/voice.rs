//! Whose words a mention is in: the writer's own, a quotation, a hashtag or handle, or a gloss that
//! introduces another name ("the Islamic State, also known as ISIS and ISIL").
//!
//! Naming rules judge only the writer's own words.

use std::ops::Range;

use crate::text::floor_char_boundary;
use crate::text::fold::lowercase_in;
use crate::text::quotes::{quote_around, Quote};

/// Whose words a mention is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Voice {
    /// The writer's own text.
    Own,
    /// Inside a quotation, block quote or embedded post.
    Quoted,
    /// A hashtag or handle: someone else's label.
    Tagged,
    /// Introduces another name of an actor named just before ("also known as", "(ISIS)").
    Gloss,
    /// Web-page clutter: tag lists, related links, credits.
    Clutter,
}

/// Phrases that introduce another name when they stand just before a mention.
const GLOSS_CUES: &[&str] = &[
    "also known as",
    "better known as",
    "known as",
    "formerly known as",
    "formerly called",
    "formerly",
    "previously known as",
    "also called",
    "also spelled",
    "also written",
    "also referred to as",
    "otherwise known as",
    "aka",
    "a.k.a.",
    "which calls itself",
    "calling itself",
    "or",
];

/// Phrases that, just after a mention, say it is another name ("Daesh, the Arabic acronym for ...").
const GLOSS_AFTER: &[&str] = &[
    "the arabic acronym",
    "an arabic acronym",
    "the arabic name",
    "the arabic term",
    "an acronym",
    "the acronym",
    "the kurdish name",
    "the arabic for",
    "as it is known",
];

/// The input the gloss rules need about each mention.
pub struct Span<'a> {
    pub range: &'a Range<usize>,
    pub actor: u32,
    pub tagged: bool,
}

fn ends_with_cue(before: &str) -> bool {
    let mut buf = [0u8; 64];
    let b = lowercase_in(before.trim_end().trim_end_matches([',', ':']).trim_end(), &mut buf);
    GLOSS_CUES.iter().any(|cue| {
        b.ends_with(cue) && b[..b.len() - cue.len()].chars().next_back().is_none_or(|c| !c.is_alphanumeric())
    })
}

fn starts_with_after_cue(after: &str) -> bool {
    let a = after.trim_start_matches([',', ' ', '(', '—', '–']);
    // Most mentions are followed by words that begin no cue: settled by their first letter.
    if let Some(&b) = a.as_bytes().first().filter(|b| b.is_ascii()) {
        if !GLOSS_AFTER.iter().any(|c| c.as_bytes()[0] == b.to_ascii_lowercase()) {
            return false;
        }
    }
    // An ASCII look (most) is compared in place, ignoring ASCII case, as its lower case would be.
    if a.is_ascii() {
        return GLOSS_AFTER
            .iter()
            .any(|cue| a.as_bytes().get(..cue.len()).is_some_and(|h| h.eq_ignore_ascii_case(cue.as_bytes())));
    }
    let a = a.to_lowercase();
    GLOSS_AFTER.iter().any(|cue| a.starts_with(cue))
}

/// The voice of every mention, in order. `spans` are the mentions in text order; `clutter` the
/// clutter spans (sorted).
pub fn voices(text: &str, spans: &[Span<'_>], quotes: &[Quote], clutter: &[Range<usize>]) -> Vec<Voice> {
    let mut out: Vec<Voice> = Vec::with_capacity(spans.len());
    for (i, s) in spans.iter().enumerate() {
        if crate::text::markdown::overlaps(clutter, s.range) {
            out.push(Voice::Clutter);
            continue;
        }
        if s.tagged {
            out.push(Voice::Tagged);
            continue;
        }
        if quote_around(quotes, s.range).is_some_and(Quote::is_others_words) {
            out.push(Voice::Quoted);
            continue;
        }
        let prev = i.checked_sub(1).map(|j| (&spans[j], out[j]));
        let same_actor_before = prev.filter(|(p, _)| p.actor == s.actor);
        let between = same_actor_before.map(|(p, _)| &text[p.range.end..s.range.start]);
        let gloss = match between {
            None => false,
            // "X (Y)": Y right after X, in brackets.
            Some(gap) if gap.trim() == "(" => true,
            // A chain of glosses: "also known as ISIS and ISIL".
            Some(gap)
                if matches!(gap.trim(), "" | "," | "and" | "or" | ", and" | ", or")
                    && same_actor_before.is_some_and(|(_, v)| v == Voice::Gloss) =>
            {
                true
            }
            // "X, also known as Y", "X or Y": the cue stands between two names of one actor.
            Some(gap) => gap.len() < 60 && !gap.contains(['.', '\n']) && ends_with_cue(gap),
        };
        let gloss = gloss
            || inside_brackets_after_same_actor(text, spans, i)
            || starts_with_after_cue(
                text[s.range.end..floor_char_boundary(text, s.range.end + 40)].split('\n').next().unwrap_or(""),
            );
        out.push(if gloss { Voice::Gloss } else { Voice::Own });
    }
    out
}

/// "… Islamic State (Islamic State ISIS IS and Daesh) …": a bracketed list right after a name of the
/// same actor.
fn inside_brackets_after_same_actor(text: &str, spans: &[Span<'_>], i: usize) -> bool {
    let s = &spans[i];
    let before = &text[..s.range.start];
    // The bracket opens at most 80 bytes back: only those are searched, not the whole block.
    let near = floor_char_boundary(before, s.range.start.saturating_sub(80));
    let Some(open) = before[near..].rfind('(').map(|p| near + p) else { return false };
    if before[open..].contains(')') || s.range.start - open > 80 {
        return false;
    }
    let head = before[..open].trim_end();
    spans[..i].iter().rev().take_while(|p| p.range.end <= open).any(|p| p.actor == s.actor && p.range.end == head.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::markdown::Flavor;
    use crate::text::quotes::quotes;

    fn voices_of(text: &str, names: &[(&str, u32)]) -> Vec<Voice> {
        let mut ranges = Vec::new();
        let mut from = 0;
        for (n, _) in names {
            let at = from + text[from..].find(n).unwrap();
            ranges.push(at..at + n.len());
            from = at + n.len();
        }
        let spans: Vec<Span> = ranges
            .iter()
            .zip(names)
            .map(|(r, (_, a))| Span { range: r, actor: *a, tagged: text[..r.start].ends_with('#') })
            .collect();
        voices(text, &spans, &quotes(text, Flavor::Plain), &[])
    }

    proptest::proptest! {
        /// Comparing the cue's bytes in place answers as lower-casing the whole look did.
        #[test]
        fn after_cues_as_lower_casing_finds_them(
            head in "[ ,(—–]{0,2}",
            cue in proptest::sample::select(GLOSS_AFTER),
            noise in "[aAtTkK\u{212A}İé’ ]{0,3}",
            cut in 0usize..24,
            upper in proptest::bool::ANY,
            kelvin in proptest::bool::ANY,
        ) {
            let cue = if upper { cue.to_uppercase() } else { cue.to_string() };
            // The Kelvin sign lower-cases to an ASCII `k`.
            let cue = if kelvin { cue.replace(['k', 'K'], "\u{212A}") } else { cue };
            let mut text = format!("{head}{noise}{cue} of it");
            text.truncate(crate::text::floor_char_boundary(&text, text.len().saturating_sub(cut)));
            let a = text.trim_start_matches([',', ' ', '(', '—', '–']).to_lowercase();
            proptest::prop_assert_eq!(starts_with_after_cue(&text), GLOSS_AFTER.iter().any(|c| a.starts_with(c)));
        }
    }

    #[test]
    fn also_known_as_chains() {
        let t = "the Islamic State, also known as ISIS and ISIL, by bombing";
        assert_eq!(
            voices_of(t, &[("Islamic State", 1), ("ISIS", 1), ("ISIL", 1)]),
            vec![Voice::Own, Voice::Gloss, Voice::Gloss]
        );
    }

    #[test]
    fn bracketed_introductions() {
        let t = "the Islamic State of Iraq and the Levant (ISIS) routed. Later ISIS left.";
        assert_eq!(
            voices_of(t, &[("Islamic State of Iraq and the Levant", 1), ("ISIS", 1), ("ISIS", 1)]),
            vec![Voice::Own, Voice::Gloss, Voice::Own]
        );
        let t = "Islamic State (Islamic State ISIS IS and Daesh) said";
        assert_eq!(
            voices_of(t, &[("Islamic State", 1), ("Islamic State", 1), ("ISIS", 1), ("IS", 1), ("Daesh", 1)]),
            vec![Voice::Own, Voice::Gloss, Voice::Gloss, Voice::Gloss, Voice::Gloss]
        );
        // Another actor's acronym in brackets is not a gloss of the first.
        let t = "fought the Free Syrian Army (ISIS said)";
        assert_eq!(voices_of(t, &[("Free Syrian Army", 2), ("ISIS", 1)]), vec![Voice::Own, Voice::Own]);
    }

    #[test]
    fn or_between_two_names_of_one_actor() {
        let t = "the Nusra Front or Jabhat al-Nusra attacked";
        assert_eq!(voices_of(t, &[("Nusra Front", 3), ("Jabhat al-Nusra", 3)]), vec![Voice::Own, Voice::Gloss]);
    }

    #[test]
    fn glosses_after_the_name() {
        let t = "They call it Daesh, the Arabic acronym for the group.";
        assert_eq!(voices_of(t, &[("Daesh", 1)]), vec![Voice::Gloss]);
    }

    #[test]
    fn quotes_and_tags() {
        let t = "“ISIL started their advancements on the town,” he said of #ISIS and “Islamic state”.";
        assert_eq!(
            voices_of(t, &[("ISIL", 1), ("ISIS", 1), ("Islamic state", 1)]),
            vec![Voice::Quoted, Voice::Tagged, Voice::Own]
        );
    }
}
