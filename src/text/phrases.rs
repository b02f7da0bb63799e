//! Finding a set of folded phrases where they can stand as whole words of a text.
//!
//! Actor names and cue phrases are only ever accepted as whole words, so a match can only begin
//! where [`Folded::starts`] says a word may begin: about one byte in five of prose. Instead of
//! running an unanchored automaton over every byte and reporting every overlapping match (most
//! of them inside words, to be thrown away), a [`Phrases`] walks an automaton anchored at each of those
//! starts (a contiguous NFA: its trie of about 250 KB for a thousand names stays in cache, where
//! a full DFA of 5.7 MB did not) until it dies, a few bytes later at most places.
//! It reports the same occurrences that an overlapping search does at those starts, which are all
//! the ones that can pass the whole-word test (a property test below checks this against
//! `aho-corasick`'s own overlapping search).

use std::ops::Range;

use aho_corasick::automaton::Automaton;
use aho_corasick::nfa::contiguous::NFA;
use aho_corasick::{Anchored, MatchKind};

use super::fold::Folded;

/// An automaton over folded phrases, searched from word starts.
#[derive(Debug)]
pub struct Phrases {
    nfa: NFA,
}

impl Phrases {
    /// Compiles `patterns` (folded, non-empty); pattern `i` is reported as `i`.
    pub fn new<P: AsRef<[u8]>>(patterns: &[P]) -> Phrases {
        let nfa = NFA::builder()
            .match_kind(MatchKind::Standard)
            .build(patterns)
            .expect("an automaton over a few thousand short patterns always builds");
        Phrases { nfa }
    }

    /// Calls `found(range, pattern)` for every occurrence of a pattern in `folded` that begins at
    /// one of its [`Folded::starts`], by start and then by length. Ranges are folded offsets.
    pub fn each(&self, folded: &Folded, mut found: impl FnMut(Range<usize>, usize)) {
        let nfa = &self.nfa;
        let Ok(start) = nfa.start_state(Anchored::Yes) else { return };
        let bytes = folded.as_str().as_bytes();
        for &s in folded.starts() {
            let s = s as usize;
            let mut sid = start;
            for (n, &b) in bytes[s..].iter().enumerate() {
                sid = nfa.next_state(Anchored::Yes, sid, b);
                if !nfa.is_special(sid) {
                    continue;
                }
                if nfa.is_dead(sid) {
                    break;
                }
                if nfa.is_match(sid) {
                    let len = n + 1;
                    // A match state also lists the patterns that are suffixes of this one (they
                    // begin later, at starts of their own): keep those that begin here.
                    for k in 0..nfa.match_len(sid) {
                        let p = nfa.match_pattern(sid, k);
                        if nfa.pattern_len(p) == len {
                            found(s..s + len, p.as_usize());
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::fold::fold_str;
    use aho_corasick::AhoCorasick;

    /// Whole-word occurrences as `each` reports them, sorted.
    fn anchored(patterns: &[String], text: &str) -> Vec<(Range<usize>, usize)> {
        let folded = Folded::new(text);
        let mut out = Vec::new();
        Phrases::new(patterns).each(&folded, |r, p| {
            if let Some(o) = folded.whole_word(text, r) {
                out.push((o, p));
            }
        });
        out.sort_by_key(|(r, p)| (r.start, r.end, *p));
        out
    }

    /// Whole-word occurrences found the way the matchers found them before: every overlapping
    /// match of an unanchored automaton, filtered.
    fn overlapping(patterns: &[String], text: &str) -> Vec<(Range<usize>, usize)> {
        let folded = Folded::new(text);
        let ac = AhoCorasick::new(patterns).unwrap();
        let mut out: Vec<_> = ac
            .find_overlapping_iter(folded.as_str())
            .filter_map(|m| folded.whole_word(text, m.range()).map(|o| (o, m.pattern().as_usize())))
            .collect();
        out.sort_by_key(|(r, p)| (r.start, r.end, *p));
        out
    }

    fn folded(ps: &[&str]) -> Vec<String> {
        ps.iter().map(|p| fold_str(p)).collect()
    }

    #[test]
    fn suffix_patterns_are_found_at_their_own_start() {
        let ps = folded(&["New York", "York", "New York Times", "Times", "the Tiger", "Tiger Forces"]);
        let t = "the New York Times; the Tiger Forces; New Yorker";
        let got: Vec<(&str, usize)> = anchored(&ps, t).into_iter().map(|(r, p)| (&t[r], p)).collect();
        assert_eq!(
            got,
            [("New York", 0), ("New York Times", 2), ("York", 1), ("Times", 3), ("the Tiger", 4), ("Tiger Forces", 5),]
        );
        assert_eq!(got, overlapping(&ps, t).into_iter().map(|(r, p)| (&t[r], p)).collect::<Vec<_>>());
    }

    #[test]
    fn words_glued_by_invisible_or_dropped_characters() {
        let ps = folded(&["is", "isis", "داعش", "kobani", "'s", "u.s."]);
        for t in [
            "x\u{FEFF}ISIS and x\u{200D}ISIS",
            "Kobani\u{302} Kobanî is",
            "وداعش مداعش وبداعش",
            "ISIS's U.S.-backed",
            "is\u{00AD}is",
            "a\u{2019}s x's",
        ] {
            assert_eq!(anchored(&ps, t), overlapping(&ps, t), "{t:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn the_same_whole_words_as_an_overlapping_search(
            text in "[aIsS1 _'’\\-.éİ\u{00AD}\u{200B}\u{200D}\u{FEFF}\u{0301}بوداعش한]{0,24}",
            raw in proptest::collection::vec("[aIsS1 _'\\-.éبوداعش한]{1,4}", 1..6),
        ) {
            let mut ps: Vec<String> = raw.iter().map(|p| fold_str(p)).filter(|p| !p.is_empty()).collect();
            ps.sort();
            ps.dedup();
            proptest::prop_assume!(!ps.is_empty());
            proptest::prop_assert_eq!(anchored(&ps, &text), overlapping(&ps, &text));
        }
    }
}
