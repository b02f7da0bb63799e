//! Finding every name of every actor in a text, and the cue phrases of the attribution rules, with
//! one Aho-Corasick automaton.
//!
//! The automaton holds each distinct folded alias once (see [`crate::text::fold`]), and after them
//! each phrase of the [`Lexicon`]: one walk from each word start finds both, where two automatons
//! took two walks and two cache misses on their states. A search for names:
//!
//! 1. folds the text, keeping the map back to original offsets;
//! 2. collects **all** matches that begin where a word may begin ([`Phrases`]), overlapping ones
//!    too, not the leftmost-longest ones: filtering leftmost-longest matches by word boundary
//!    silently loses a shorter valid match when the longest candidate fails the boundary test;
//! 3. keeps a match only if it is a whole word in the original text, lies outside the excluded
//!    spans, and satisfies its alias's case rule (acronyms match only in their case; an alias that
//!    is also a common word, such as `IS`, is ignored on an all-capitals line);
//! 4. resolves overlaps: leftmost first, then longest.

use std::ops::Range;

use super::lexicon::{outermost, Cue, Lexicon};
use super::model::{Actor, ActorId, CaseRule};
use crate::text::fold::{same_case, Folded, FoldedSet};
use crate::text::markdown::overlaps;
use crate::text::phrases::Phrases;
use crate::text::{find_line_break, rfind_line_break};

/// One name of one actor, by position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct NameRef {
    pub actor: ActorId,
    /// Index into [`Actor::names`].
    pub name: u16,
}

/// A name found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// Byte range in the original text.
    pub range: Range<usize>,
    /// The best-fitting name.
    pub name: NameRef,
    /// Other actors this same form names (for aliases marked ambiguous).
    pub others: Vec<ActorId>,
}

/// The compiled matcher over a set of actors and the lexicons' cue phrases.
pub struct Matcher {
    automaton: Phrases,
    /// For each automaton pattern below `names.len()`, every name that folds to it; the patterns
    /// after them are the lexicon's, in its order.
    names: Vec<Vec<NameRef>>,
}

impl std::fmt::Debug for Matcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Matcher").field("patterns", &self.names.len()).finish()
    }
}

impl Matcher {
    /// Builds the automaton over every name of `actors`.
    pub fn new(actors: &[Actor]) -> Matcher {
        Matcher::without(actors, &[])
    }

    /// A matcher over every name of every actor except those in `hidden`.
    pub fn without(actors: &[Actor], hidden: &[ActorId]) -> Matcher {
        let mut set = FoldedSet::default();
        let mut names: Vec<Vec<NameRef>> = Vec::new();
        for (ai, actor) in actors.iter().enumerate() {
            if hidden.contains(&ActorId(ai as u32)) {
                continue;
            }
            for (ni, name) in actor.names.iter().enumerate() {
                let Some(slot) = set.insert(&name.text) else { continue };
                if slot == names.len() {
                    names.push(Vec::new());
                }
                names[slot].push(NameRef { actor: ActorId(ai as u32), name: ni as u16 });
            }
        }
        let mut patterns = set.into_phrases();
        patterns.extend(Lexicon::builtin().patterns().iter().cloned());
        let automaton = Phrases::new(&patterns);
        Matcher { automaton, names }
    }

    /// The number of distinct folded names.
    pub fn pattern_count(&self) -> usize {
        self.names.len()
    }

    /// Every actor name in `text` (folded as `folded`), outside `excluded` (sorted, disjoint byte
    /// ranges), in order.
    pub fn find(&self, actors: &[Actor], text: &str, folded: &Folded, excluded: &[Range<usize>]) -> Vec<Found> {
        self.search(actors, text, folded, excluded, None)
    }

    /// [`Matcher::find`], and the lexicon's cues in `text` (anywhere: the caller decides which
    /// count), in order, those inside a longer cue dropped. With `within` (sorted, disjoint spans
    /// such as sentences) a cue that starts in one of them must end in it too.
    pub fn scan(
        &self,
        actors: &[Actor],
        text: &str,
        folded: &Folded,
        excluded: &[Range<usize>],
        within: &[Range<usize>],
    ) -> (Vec<Found>, Vec<Cue>) {
        let mut cues = Vec::new();
        let found = self.search(actors, text, folded, excluded, Some(&mut cues));
        if !within.is_empty() {
            // A cue that runs out of the span it starts in is not one; the shorter cues inside it,
            // on either side of the span's end, are read instead.
            cues.retain(|c| {
                let k = within.partition_point(|r| r.end <= c.range.start);
                within.get(k).is_none_or(|r| r.start > c.range.start || c.range.end <= r.end)
            });
        }
        (found, outermost(cues))
    }

    fn search(
        &self,
        actors: &[Actor],
        text: &str,
        folded: &Folded,
        excluded: &[Range<usize>],
        mut cues: Option<&mut Vec<Cue>>,
    ) -> Vec<Found> {
        let mut candidates: Vec<Found> = Vec::new();
        let lexicon = Lexicon::builtin();
        self.automaton.each(folded, |m, pattern| {
            if pattern >= self.names.len() {
                if let Some(cues) = cues.as_deref_mut() {
                    if let Some(range) = folded.whole_word(text, m) {
                        cues.push(Cue { range, classes: lexicon.classes(pattern - self.names.len()) });
                    }
                }
                return;
            }
            let Some(range) = folded.whole_word(text, m) else { return };
            if overlaps(excluded, &range) {
                return;
            }
            let written = &text[range.clone()];
            if let Some(found) = self.choose(actors, pattern, written, text, &range) {
                candidates.push(found);
            }
        });
        candidates.sort_by(|a, b| a.range.start.cmp(&b.range.start).then(b.range.end.cmp(&a.range.end)));
        resolve_overlaps(candidates)
    }

    /// The name that best fits `written`, or `None` if no name of this pattern accepts it.
    fn choose(
        &self,
        actors: &[Actor],
        pattern: usize,
        written: &str,
        text: &str,
        range: &Range<usize>,
    ) -> Option<Found> {
        let name_of = |r: &NameRef| &actors[r.actor.index()].names[r.name as usize];
        let accepts = |r: &NameRef| {
            let n = name_of(r);
            (n.case == CaseRule::Any || same_case(&n.text, written)) && !(n.common_word && all_caps_line(text, range))
        };
        // Most forms belong to one name: nothing to rank.
        if let [only] = self.names[pattern][..] {
            return accepts(&only).then(|| Found { range: range.clone(), name: only, others: Vec::new() });
        }
        let mut fits: Vec<NameRef> = self.names[pattern].iter().copied().filter(accepts).collect();
        if fits.is_empty() {
            return None;
        }
        // Prefer the name written exactly so, then one whose case matches, then the first listed.
        fits.sort_by_key(|r| {
            let n = name_of(r);
            (n.text != written, !same_case(&n.text, written))
        });
        let best = fits[0];
        let mut others: Vec<ActorId> = fits.iter().map(|r| r.actor).filter(|&a| a != best.actor).collect();
        others.sort();
        others.dedup();
        Some(Found { range: range.clone(), name: best, others })
    }
}

/// Keeps non-overlapping matches: within each cluster of overlapping candidates (sorted by start),
/// the longest first, then the leftmost. "the Tiger Forces" is the unit, not the man called "the Tiger".
fn resolve_overlaps(candidates: Vec<Found>) -> Vec<Found> {
    let mut out: Vec<Found> = Vec::with_capacity(candidates.len());
    let mut cluster: Vec<Found> = Vec::new();
    let mut cluster_end = 0;
    let flush = |cluster: &mut Vec<Found>, out: &mut Vec<Found>| {
        if cluster.len() <= 1 {
            out.append(cluster);
            return;
        }
        cluster.sort_by(|a, b| b.range.len().cmp(&a.range.len()).then(a.range.start.cmp(&b.range.start)));
        let mut kept: Vec<Found> = Vec::new();
        for c in cluster.drain(..) {
            if kept.iter().all(|k| c.range.end <= k.range.start || c.range.start >= k.range.end) {
                kept.push(c);
            }
        }
        kept.sort_by_key(|k| k.range.start);
        out.extend(kept);
    };
    for c in candidates {
        if !cluster.is_empty() && c.range.start >= cluster_end {
            flush(&mut cluster, &mut out);
        }
        cluster_end = if cluster.is_empty() { c.range.end } else { cluster_end.max(c.range.end) };
        cluster.push(c);
    }
    flush(&mut cluster, &mut out);
    out
}

/// How far either side of a match `all_caps_line` looks: a headline's length, and a bound that keeps
/// the check cheap on a line of a megabyte.
const CAPS_WINDOW: usize = 200;

/// Whether the line around `range` is written in capitals (at least two other letters, none
/// lower-case), looking at most [`CAPS_WINDOW`] bytes either side.
fn all_caps_line(text: &str, range: &Range<usize>) -> bool {
    let lo = crate::text::floor_char_boundary(text, range.start.saturating_sub(CAPS_WINDOW));
    let hi = crate::text::floor_char_boundary(text, (range.end + CAPS_WINDOW).min(text.len()));
    let start = rfind_line_break(&text[lo..range.start]).map_or(lo, |p| lo + p + 1);
    let end = find_line_break(&text[range.end..hi]).map_or(hi, |p| range.end + p);
    let outside = text[start..range.start].chars().chain(text[range.end..end].chars());
    let mut letters = 0;
    for c in outside {
        if c.is_lowercase() {
            return false;
        }
        if c.is_alphabetic() {
            letters += 1;
        }
    }
    letters >= 2
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kb::load::{load, Source};

    const KB: &str = r#"{"version": 1, "actors": [
      {"id": "islamic-state", "name": "Islamic State", "family": "is", "kind": "armed-group", "description": "d",
       "aliases": [
         {"text": "IS", "form": "acronym", "family": "is", "common_word": true},
         {"text": "ISIS", "form": "acronym", "family": "isis"},
         {"text": "Isis", "form": "acronym", "family": "isis", "case": "exact"},
         {"text": "Islamic State of Iraq and the Levant", "form": "name", "family": "isil"},
         {"text": "DAESH", "form": "variant", "of": "Daesh", "family": "daesh", "case": "exact"},
         {"text": "Daesh", "form": "acronym", "family": "daesh", "case": "any", "expand": false},
         {"text": "داعش", "form": "translation", "family": "daesh", "lang": "ar"}
       ]},
      {"id": "al-qaeda", "name": "al-Qaeda", "kind": "armed-group", "description": "d",
       "aliases": [{"text": "al-Qa'ida", "form": "variant", "of": "al-Qaeda"}, {"text": "al Qaeda", "form": "variant", "of": "al-Qaeda"}]},
      {"id": "new-york", "name": "New York", "kind": "place", "description": "d"},
      {"id": "nyt", "name": "New York Times", "kind": "media", "description": "d"},
      {"id": "suheil", "name": "Suheil al-Hassan", "kind": "person", "description": "d", "aliases": [{"text": "the Tiger", "form": "short"}]},
      {"id": "tiger-forces", "name": "Tiger Forces", "kind": "state-force", "description": "d"},
      {"id": "syrian-national-council", "name": "Syrian National Council", "kind": "political-body", "description": "d",
       "aliases": [{"text": "SNC", "form": "acronym", "ambiguous": true}]},
      {"id": "syrian-national-coalition", "name": "National Coalition", "kind": "political-body", "description": "d",
       "aliases": [{"text": "SNC", "form": "acronym", "ambiguous": true}]}
    ]}"#;

    fn found(text: &str) -> Vec<(String, String)> {
        let actors = load(&[Source { name: "t", text: KB }]).unwrap();
        let m = Matcher::new(&actors);
        m.find(&actors, text, &Folded::new(text), &[])
            .into_iter()
            .map(|f| (text[f.range].to_string(), actors[f.name.actor.index()].names[f.name.name as usize].text.clone()))
            .collect()
    }

    fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
    }

    #[test]
    fn a_name_that_is_also_a_cue_phrase_is_found_as_both() {
        // "activists" is a cue (a vague source) of the lexicons; here it is also an actor's alias.
        let kb = r#"{"version": 1, "actors": [{"id": "a", "name": "Activists", "kind": "political-body", "description": "d"}]}"#;
        let actors = load(&[Source { name: "t", text: kb }]).unwrap();
        let text = "Activists said 12 died.";
        let (names, cues) = Matcher::new(&actors).scan(&actors, text, &Folded::new(text), &[], &[]);
        assert_eq!(names.iter().map(|f| &text[f.range.clone()]).collect::<Vec<_>>(), ["Activists"]);
        let cue = |w: &str| cues.iter().find(|c| &text[c.range.clone()] == w);
        assert!(cue("Activists").is_some_and(|c| c.is(crate::kb::lexicon::Class::VagueSource)));
        assert!(cue("said").is_some_and(|c| c.is(crate::kb::lexicon::Class::Speech)));
    }

    #[test]
    fn the_word_is_is_never_the_islamic_state() {
        assert_eq!(found("This is it. Is IS here?"), pairs(&[("IS", "IS")]));
        assert!(found("WHY IS THE WAR HERE").is_empty());
    }

    #[test]
    fn acronyms_match_only_in_their_case() {
        assert_eq!(found("ISIS, Isis, isis"), pairs(&[("ISIS", "ISIS"), ("Isis", "Isis")]));
        assert_eq!(found("DAESH daesh Daesh"), pairs(&[("DAESH", "DAESH"), ("daesh", "Daesh"), ("Daesh", "Daesh")]));
    }

    #[test]
    fn apostrophes_hyphens_and_line_breaks_fold() {
        assert_eq!(
            found("al-Qa’ida, al Qaeda and Al-Qaeda; the Islamic\nState"),
            pairs(&[
                ("al-Qa’ida", "al-Qa'ida"),
                ("al Qaeda", "al Qaeda"),
                ("Al-Qaeda", "al-Qaeda"),
                ("Islamic\nState", "Islamic State")
            ])
        );
    }

    #[test]
    fn longest_wins_without_losing_shorter_valid_matches() {
        assert_eq!(found("the New York Times said"), pairs(&[("New York Times", "New York Times")]));
        // The longer candidate fails the boundary test; the shorter one must survive.
        assert_eq!(found("the New York Timesheet"), pairs(&[("New York", "New York")]));
        // Longest first within a cluster, even when a shorter name starts earlier.
        assert_eq!(found("the the Tiger Forces unit"), pairs(&[("Tiger Forces", "Tiger Forces")]));
        assert_eq!(
            found("the Islamic State of Iraq and the Levant (ISIS)"),
            pairs(&[
                ("Islamic State of Iraq and the Levant", "Islamic State of Iraq and the Levant"),
                ("ISIS", "ISIS")
            ])
        );
    }

    #[test]
    fn arabic_and_hashtags() {
        assert_eq!(found("قصف وداعش و#ISIL"), pairs(&[("داعش", "داعش")]));
        assert_eq!(found("#ISIS’s advance"), pairs(&[("ISIS", "ISIS")]));
    }

    #[test]
    fn ambiguous_aliases_name_every_owner() {
        let actors = load(&[Source { name: "t", text: KB }]).unwrap();
        let m = Matcher::new(&actors);
        let f = m.find(&actors, "the SNC said", &Folded::new("the SNC said"), &[]);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].others.len(), 1);
    }

    #[test]
    fn excluded_spans_are_skipped() {
        let actors = load(&[Source { name: "t", text: KB }]).unwrap();
        let m = Matcher::new(&actors);
        let text = "ISIS `ISIS` ISIS";
        let excluded = [std::ops::Range { start: 5, end: 11 }];
        let f = m.find(&actors, text, &Folded::new(text), &excluded);
        assert_eq!(f.iter().map(|f| f.range.start).collect::<Vec<_>>(), vec![0, 12]);
    }
}
