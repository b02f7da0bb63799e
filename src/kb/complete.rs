//! Completing actor names: which names of the knowledge base start with what the writer has typed.
//!
//! [`typed_starts`] finds where the name being typed may begin (one to four words back on the
//! line); [`KnowledgeBase::complete`] lists the names whose folded form starts with the folded
//! prefix, best first: the house style's preferred form, then canonical names, then other aliases.
//! [`KnowledgeBase::complete_at`] puts the two together for a cursor in a text.

use std::ops::Range;

use super::{ActorId, AliasForm, HouseStyle, KnowledgeBase, NameRef};
use crate::text::fold::fold_str;
use crate::text::rfind_line_break;
use crate::text::words::is_word_char;

/// How a candidate ranks: lower is offered first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rank {
    /// The configured house style's name for the actor.
    Preferred,
    /// The actor's canonical name.
    Canonical,
    /// Any other name.
    Alias,
}

/// One name offered for completion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub name: NameRef,
    pub rank: Rank,
    /// Set when the prefix matched the name after its leading article ("Nus" for
    /// "al-Nusra Front"): the part of the name from there on ("Nusra Front"), for a client to
    /// filter on.
    pub filter: Option<String>,
}

/// The names offered for a prefix, best first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Completions {
    pub candidates: Vec<Candidate>,
    /// More names matched than were kept.
    pub incomplete: bool,
}

/// From this many folded characters on, a prefix also offers aliases that are ordinary words or
/// are shared on purpose with other actors.
pub const LONG_PREFIX: usize = 4;

/// The most words back on the line that a name being typed may start.
const MAX_WORDS: usize = 4;

/// Leading articles (folded) a name may start with, and a writer may type it without.
const ARTICLES: &[&str] = &["al ", "el ", "an ", "ar ", "as ", "ash ", "ad ", "at ", "az ", "the "];

/// Articles that may open a name being typed in lower case ("al-N…").
const TYPED_ARTICLES: &[&str] = &["al-", "el-", "an-", "ar-", "as-", "ash-", "ad-", "at-", "az-"];

fn is_name_char(c: char) -> bool {
    is_word_char(c) || matches!(c, '-' | '\'' | '’' | '.' | '&')
}

/// Whether a word may open a name: a capital letter, or an Arabic article ("al-").
fn opens_name(word: &str) -> bool {
    let lower = word.to_lowercase();
    word.chars().next().is_some_and(char::is_uppercase) || TYPED_ARTICLES.iter().any(|a| lower.starts_with(a))
}

/// Where a name being typed just before byte offset `at` may start, farthest first: the start of
/// the current word and of up to three words before it on the same line (separated by single
/// spaces), keeping only those that open a name. Empty when `at` does not end a word.
pub fn typed_starts(text: &str, at: usize) -> Vec<usize> {
    let at = crate::text::floor_char_boundary(text, at);
    let line_start = rfind_line_break(&text[..at]).map_or(0, |p| p + 1);
    let seg = &text[line_start..at];
    let mut starts = Vec::new();
    let mut end = seg.len();
    for _ in 0..MAX_WORDS {
        let word_start = seg[..end].char_indices().rev().take_while(|&(_, c)| is_name_char(c)).last().map(|(i, _)| i);
        let Some(ws) = word_start else { break };
        let word = &seg[ws..end];
        if !word.chars().any(is_word_char) {
            break;
        }
        if opens_name(word) {
            starts.push(line_start + ws);
        }
        match seg[..ws].strip_suffix(' ') {
            Some(rest) if !rest.ends_with(' ') && !rest.is_empty() => end = rest.len(),
            _ => break,
        }
    }
    starts.reverse();
    starts
}

impl KnowledgeBase {
    /// The names whose folded form starts with `prefix` folded (or does after a leading article),
    /// best first, at most `limit`. Misspellings are never offered; aliases that are ordinary
    /// words or ambiguous only for a prefix of [`LONG_PREFIX`] characters or more.
    pub fn complete(&self, prefix: &str, style: Option<&HouseStyle>, limit: usize) -> Completions {
        let q = fold_str(prefix);
        if q.is_empty() {
            return Completions::default();
        }
        let long = q.chars().count() >= LONG_PREFIX;
        let mut hits: Vec<(Rank, String, Candidate)> = Vec::new();
        for (ai, actor) in self.actors().iter().enumerate() {
            let id = ActorId(ai as u32);
            let preferred = style.and_then(|s| s.prefer.get(&id)).map(|p| p.name.name as usize);
            let mut offered: Vec<&str> = Vec::new();
            for (ni, n) in actor.names.iter().enumerate() {
                if n.form == AliasForm::Misspelling || offered.contains(&n.text.as_str()) {
                    continue;
                }
                let rank = if preferred == Some(ni) {
                    Rank::Preferred
                } else if ni == 0 {
                    Rank::Canonical
                } else {
                    Rank::Alias
                };
                if rank == Rank::Alias && (n.common_word || n.ambiguous) && !long {
                    continue;
                }
                let folded = fold_str(&n.text);
                let filter = if folded.starts_with(&q) {
                    None
                } else if ARTICLES.iter().any(|a| folded.strip_prefix(a).is_some_and(|rest| rest.starts_with(&q))) {
                    n.text.split_once(['-', ' ', '\u{2010}', '\u{2011}']).map(|(_, rest)| rest.trim_start().to_string())
                } else {
                    continue;
                };
                offered.push(&n.text);
                hits.push((rank, folded, Candidate { name: NameRef { actor: id, name: ni as u16 }, rank, filter }));
            }
        }
        hits.sort_by(|a, b| {
            a.0.cmp(&b.0)
                .then_with(|| a.1.cmp(&b.1))
                .then_with(|| (a.2.name.actor, a.2.name.name).cmp(&(b.2.name.actor, b.2.name.name)))
        });
        let incomplete = hits.len() > limit;
        hits.truncate(limit);
        Completions { candidates: hits.into_iter().map(|(_, _, c)| c).collect(), incomplete }
    }

    /// Completion for a cursor at byte offset `at` of `text`: the range to replace (the prefix,
    /// and the rest of the word when the cursor is inside one) and the names for it. Tries the
    /// longest prefix first ("Free Syrian A" before "Syrian A" and "A") and keeps the first that
    /// matches anything.
    pub fn complete_at(
        &self,
        text: &str,
        at: usize,
        style: Option<&HouseStyle>,
        limit: usize,
    ) -> Option<(Range<usize>, Completions)> {
        let at = crate::text::floor_char_boundary(text, at);
        let rest: usize = text[at..].chars().take_while(|&c| is_word_char(c)).map(char::len_utf8).sum();
        typed_starts(text, at).into_iter().find_map(|start| {
            let found = self.complete(&text[start..at], style, limit);
            (!found.candidates.is_empty()).then_some((start..at + rest, found))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kb() -> &'static KnowledgeBase {
        static KB: std::sync::OnceLock<KnowledgeBase> = std::sync::OnceLock::new();
        KB.get_or_init(|| KnowledgeBase::builtin().expect("built-in knowledge base"))
    }

    fn labels(c: &Completions) -> Vec<&str> {
        c.candidates.iter().map(|c| kb().name(c.name).text.as_str()).collect()
    }

    #[test]
    fn typed_starts_go_back_over_words_that_open_a_name() {
        let t = "Fighters of the Free Syrian A";
        let starts: Vec<&str> = typed_starts(t, t.len()).into_iter().map(|s| &t[s..]).collect();
        assert_eq!(starts, vec!["Free Syrian A", "Syrian A", "A"]);
        let t = "attacks by al-Nus";
        assert_eq!(typed_starts(t, t.len()).into_iter().map(|s| &t[s..]).collect::<Vec<_>>(), vec!["al-Nus"]);
        // Nothing typed, or a lower-case word.
        assert!(typed_starts("The ", 4).is_empty());
        assert!(typed_starts("fighters", 8).is_empty());
        // Not across a line break, and clamped into the text.
        assert_eq!(typed_starts("Raqqa\nIs", 8), vec![6]);
        assert_eq!(typed_starts("Is", 99), vec![0]);
    }

    #[test]
    fn canonical_names_come_before_aliases_and_misspellings_never_come() {
        let c = kb().complete("Hez", None, 50);
        let l = labels(&c);
        assert_eq!(l[0], "Hezbollah");
        assert!(!l.contains(&"Hezbolla"), "a misspelling was offered: {l:?}");
        assert!(!c.incomplete);
        let c = kb().complete("Isl", None, 50);
        let l = labels(&c);
        let canon = l.iter().position(|&x| x == "Islamic State").unwrap();
        let alias = l.iter().position(|&x| x == "Islamic State of Iraq and the Levant").unwrap();
        assert!(canon < alias, "{l:?}");
        assert!(c.candidates[canon].rank == Rank::Canonical && c.candidates[alias].rank == Rank::Alias);
    }

    #[test]
    fn the_house_style_form_comes_first() {
        let style = HouseStyle::preset(kb(), "guardian").unwrap();
        let c = kb().complete("Is", Some(&style), 50);
        assert_eq!(labels(&c)[0], "Isis");
        assert_eq!(c.candidates[0].rank, Rank::Preferred);
        // Without a style, `Isis` is an alias like any other.
        let c = kb().complete("Is", None, 200);
        let i = labels(&c).iter().position(|&x| x == "Isis").unwrap();
        assert_eq!(c.candidates[i].rank, Rank::Alias);
    }

    #[test]
    fn common_words_wait_for_a_long_prefix() {
        // `IS` is an acronym of Islamic State that is also an ordinary word.
        let short = kb().complete("IS", None, 500);
        assert!(!labels(&short).contains(&"IS"), "{:?}", labels(&short));
        assert!(labels(&short).contains(&"ISIS"));
        // `Coalition` is shared on purpose by several actors: offered once the prefix is long.
        assert!(!labels(&kb().complete("Coa", None, 500)).contains(&"Coalition"));
        assert!(labels(&kb().complete("Coali", None, 500)).contains(&"Coalition"));
    }

    #[test]
    fn a_name_matches_after_its_article_and_the_list_is_capped() {
        let c = kb().complete("Nusra", None, 50);
        let i = labels(&c).iter().position(|&x| x == "al-Nusra Front").unwrap();
        assert_eq!(c.candidates[i].filter.as_deref(), Some("Nusra Front"));
        let c = kb().complete("al-Nus", None, 50);
        assert!(labels(&c).contains(&"al-Nusra Front"));
        assert_eq!(c.candidates.iter().find(|x| kb().name(x.name).text == "al-Nusra Front").unwrap().filter, None);
        let c = kb().complete("A", None, 5);
        assert_eq!(c.candidates.len(), 5);
        assert!(c.incomplete);
        assert!(kb().complete("", None, 5).candidates.is_empty());
        assert!(kb().complete("Zzzqx", None, 5).candidates.is_empty());
    }

    #[test]
    fn complete_at_prefers_the_longest_prefix_that_matches() {
        let t = "Fighters of the Free Syrian A";
        let (range, c) = kb().complete_at(t, t.len(), None, 50).unwrap();
        assert_eq!(&t[range], "Free Syrian A");
        assert_eq!(labels(&c)[0], "Free Syrian Army");
        let t = "Hezbollah and Is";
        let (range, _) = kb().complete_at(t, t.len(), None, 50).unwrap();
        assert_eq!(&t[range], "Is");
        assert!(kb().complete_at("the fighters", 12, None, 50).is_none());
        // Inside a word: the prefix before the cursor is matched, the whole word replaced.
        let t = "Hezbollx fighters";
        let (range, c) = kb().complete_at(t, 4, None, 50).unwrap();
        assert_eq!(&t[range], "Hezbollx");
        assert_eq!(labels(&c)[0], "Hezbollah");
    }

    #[test]
    fn any_offset_gives_a_range_on_char_boundaries_within_the_line() {
        let t = "Al-Qa’ida 🇸🇾 é\u{301}Is\r\nجبهة النصرة Free-Syrian A.\u{200D}X\n\nHez";
        let mut hits = 0;
        for at in 0..=t.len() + 2 {
            if let Some((r, c)) = kb().complete_at(t, at, None, 10) {
                hits += 1;
                assert!(t.is_char_boundary(r.start) && t.is_char_boundary(r.end), "{at}: {r:?}");
                assert!(r.start < r.end && r.end <= t.len(), "{at}: {r:?}");
                assert!(!t[r].contains(['\n', '\r']));
                assert!(!c.candidates.is_empty() && c.candidates.len() <= 10);
            }
        }
        assert!(hits > 10, "{hits}");
    }
}
