//! Mentions: where a story names an actor, and with which of its names.

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;
use std::sync::{Arc, Mutex, OnceLock};

use super::attribution::Anchor;
use super::block_list::BlockList;
use super::blocks;
use super::findings::Findings;
use super::levels::Levels;
use super::story_mentions::{self, Mentions};
use super::voice::Voice;
use crate::kb::{ActorId, HouseStyle, KnowledgeBase, NameRef};
use crate::text::markdown::Flavor;
use crate::text::quotes::Quote;

/// One place where the text names an actor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mention {
    /// Byte range in the text.
    pub range: Range<usize>,
    /// The actor and the name of theirs that the writer used.
    pub name: NameRef,
    /// Other actors the same form could mean (an ambiguous alias such as "SNC").
    pub others: Others,
    /// Whose words these are: the writer's, a quotation's, a hashtag's, or a gloss.
    pub voice: Voice,
    /// The first mention of this actor in the text.
    pub first: bool,
    /// In body text: not a headline, caption, byline or link line.
    pub body: bool,
}

impl Mention {
    pub fn actor(&self) -> ActorId {
        self.name.actor
    }
}

/// The other actors a mention's form may stand for, read as a slice. Most mentions have none:
/// the list sits behind one pointer, null for them, so that a mention is 40 bytes instead of 56
/// (a 1 MB story has 13,464 of them, and reading one from its block copies it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Others(Option<Arc<Vec<ActorId>>>);

impl std::ops::Deref for Others {
    type Target = [ActorId];

    fn deref(&self) -> &[ActorId] {
        self.0.as_deref().map_or(&[], |v| v)
    }
}

impl From<Vec<ActorId>> for Others {
    fn from(list: Vec<ActorId>) -> Others {
        Others((!list.is_empty()).then(|| Arc::new(list)))
    }
}

/// The result of analysing one text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Analysis {
    /// Mentions in text order, not overlapping: the blocks hold them, and this list of them in
    /// story offsets is put together when first asked for ([`Analysis::mentions`]).
    pub(crate) listed: Uncompared<OnceLock<Vec<Mention>>>,
    /// What the rules found, in text order.
    pub findings: Findings,
    /// The blocks the text was analysed in, kept to re-analyse only what an edit touches.
    pub blocks: BlockList,
    /// What the story-level rules found before levels and suppressions, kept so that after an
    /// edit they judge again only what the edit can change.
    pub story: blocks::Story,
    /// Which mentions name each actor: built by the first [`Analysis::mentions_of`], not on every
    /// keystroke.
    pub by_actor: ByActor,
    /// After an edit: what the analysis kept of the one before ([`Kept`]); none afresh. A record of
    /// how the analysis was made, not of what it says.
    pub(crate) kept: Uncompared<Option<Kept>>,
}

/// A cache or a record kept beside what an analysis says (made from it, or telling how it was
/// made): it takes no part in comparisons, so that an analysis after edits equals one afresh.
#[derive(Debug, Clone, Copy, Default)]
pub struct Uncompared<T>(pub T);

impl<T> PartialEq for Uncompared<T> {
    fn eq(&self, _: &Uncompared<T>) -> bool {
        true
    }
}

impl<T> Eq for Uncompared<T> {}

/// How many of its first and last mentions an analysis after an edit took unchanged from the
/// analysis before (the last ones moved by the edit): the mentions of the blocks it did not read
/// again. What is derived from mentions (semantic tokens) is then derived again only between
/// them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kept {
    pub first: usize,
    pub last: usize,
}

impl Kept {
    /// What two edits in a row kept of the mentions before the first.
    pub fn then(self, next: Kept) -> Kept {
        Kept { first: self.first.min(next.first), last: self.last.min(next.last) }
    }
}

/// For each actor (by id), the indices of its mentions in [`Analysis::mentions`], worked out once
/// per analysis when first asked for, and the forms of the actors a hover asked about. Caches of
/// `mentions`: they take no part in comparisons.
#[derive(Debug, Default)]
pub struct ByActor {
    mentions: OnceLock<Vec<Vec<u32>>>,
    /// Where each actor is named (story offsets), read from the blocks once per analysis for the
    /// forms a hover shows, without putting the mentions into one list.
    ranges: OnceLock<Vec<Vec<Range<usize>>>>,
    forms: Mutex<HashMap<ActorId, Forms>>,
}

/// An actor's forms as written, each with its count, in order of first use.
pub type Forms = Arc<[(String, usize)]>;

impl Clone for ByActor {
    fn clone(&self) -> ByActor {
        // Only the index: the forms are worked out again when asked for.
        ByActor { mentions: self.mentions.clone(), ranges: self.ranges.clone(), forms: Mutex::default() }
    }
}

impl PartialEq for ByActor {
    fn eq(&self, _: &ByActor) -> bool {
        true
    }
}

impl Eq for ByActor {}

/// `items` grouped by actor: the list of actor `a`'s is at `a.index()`, in the order given.
fn by_actor<T>(items: impl Iterator<Item = (ActorId, T)>) -> Vec<Vec<T>> {
    let mut index: Vec<Vec<T>> = Vec::new();
    for (a, item) in items {
        if a.index() >= index.len() {
            index.resize_with(a.index() + 1, Vec::new);
        }
        index[a.index()].push(item);
    }
    index
}

/// How to read a text and which rules' options apply.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub flavor: Flavor,
    /// The house style, if one is configured.
    pub style: Option<HouseStyle>,
    /// Rule levels set by the project (severities, or off).
    pub levels: Levels,
}

impl Settings {
    pub fn new(flavor: Flavor) -> Settings {
        Settings { flavor, style: None, levels: Levels::default() }
    }
}

/// Analyses `text`: mentions of known actors, whose words they are, and the rules' findings.
pub fn analyze(kb: &KnowledgeBase, text: &str, settings: &Settings) -> Analysis {
    blocks::analyze(kb, text, settings)
}

impl Analysis {
    /// After an edit: how many of its first and last mentions this analysis took unchanged from
    /// the analysis before (none for an analysis afresh).
    pub fn kept(&self) -> Option<Kept> {
        self.kept.0
    }

    /// Where each actor the story names is first named (indices of mentions), in no set order.
    pub fn first_mention_indices(&self) -> &[usize] {
        self.story.first_mentions()
    }

    /// The mentions, in text order, each actor's first marked `first`. The first call on an
    /// analysis puts them together from its blocks (the analysis after a keystroke does not).
    pub fn mentions(&self) -> &[Mention] {
        self.listed.0.get_or_init(|| story_mentions::listed(&self.blocks, self.story.first_mentions()))
    }

    /// The mentions read one by one from the blocks, without putting them together
    /// (`first` is not set).
    pub fn mention_view(&self) -> Mentions<'_> {
        Mentions::new(&self.blocks)
    }

    /// The mention under byte offset `at` (a cursor just after a mention also counts), read from
    /// its block. (`first` is not set.)
    pub fn mention_at(&self, at: usize) -> Option<Mention> {
        let v = self.mention_view();
        let i = v.ending_by(at);
        if let Some(m) = v.get(i).filter(|m| m.range.start <= at) {
            return Some(m);
        }
        i.checked_sub(1).and_then(|j| v.get(j)).filter(|m| m.range.end == at)
    }

    /// Mentions of one actor, in text order. The first call on an analysis indexes the mentions of
    /// every actor (one pass over them); hovers, the highlights that follow the cursor and the
    /// references of a long story then read only that actor's mentions.
    pub fn mentions_of(&self, actor: ActorId) -> impl Iterator<Item = &Mention> {
        let all = self.mentions();
        let index =
            self.by_actor.mentions.get_or_init(|| by_actor(all.iter().enumerate().map(|(i, m)| (m.actor(), i as u32))));
        index.get(actor.index()).into_iter().flatten().map(move |&i| &all[i as usize])
    }

    /// Quoted spans (quotations, scare quotes, block quotes, embedded posts), in order. Put
    /// together from the blocks when asked for: nothing that runs after a keystroke needs them.
    pub fn quotes(&self) -> Vec<Quote> {
        blocks::story_quotes(&self.blocks)
    }

    /// Attribution anchors (speech and report cues with their graded sources), in order. Put
    /// together from the blocks when asked for, like [`Analysis::quotes`].
    pub fn anchors(&self) -> Vec<Anchor> {
        blocks::story_anchors(&self.blocks)
    }

    /// Mentions whose range overlaps `range`, each actor's first marked `first`: read from the
    /// blocks, without putting the story's mentions into one list.
    pub fn mentions_in(&self, range: Range<usize>) -> Vec<Mention> {
        let v = self.mention_view();
        let (a, b) = (v.ending_by(range.start), v.starting_before(range.end));
        self.mentions_from(a).take(b.saturating_sub(a)).collect()
    }

    /// The mentions from index `i` on, in text order, each actor's first marked `first`, as
    /// [`Analysis::mentions`] lists them, but read one by one from the blocks.
    pub fn mentions_from(&self, i: usize) -> impl Iterator<Item = Mention> + '_ {
        let mut firsts: Vec<usize> = self.story.first_mentions().iter().copied().filter(|&k| k >= i).collect();
        firsts.sort_unstable();
        let mut next = firsts.into_iter().peekable();
        self.mention_view().from(i).zip(i..).map(move |(mut m, k)| {
            while next.next_if(|&f| f < k).is_some() {}
            m.first = next.next_if_eq(&k).is_some();
            m
        })
    }

    /// Each form the writer used for `actor`, as written, with its count, in order of first use.
    /// (White space inside a form counts as one space.) A hover asks for this: a long story names
    /// an actor thousands of times, so the forms are counted once per analysis and actor, and a
    /// form is copied only where its white space needs evening. `text` must be the text this is
    /// the analysis of.
    pub fn forms_of(&self, text: &str, actor: ActorId) -> Forms {
        if let Some(forms) = self.by_actor.forms.lock().ok().and_then(|c| c.get(&actor).cloned()) {
            return forms;
        }
        let forms: Forms = self.count_forms(text, actor).into();
        if let Ok(mut c) = self.by_actor.forms.lock() {
            c.insert(actor, forms.clone());
        }
        forms
    }

    fn count_forms(&self, text: &str, actor: ActorId) -> Vec<(String, usize)> {
        // An actor has a few forms, mostly written in runs: a list searched from the form found
        // last is faster than hashing each of thousands of mentions.
        let mut forms: Vec<(Cow<'_, str>, usize)> = Vec::new();
        let mut last = 0;
        // The actor's mentions from the index when a request has made it; else where the blocks
        // say the actors are named, without putting the story's mentions into one list for a
        // hover (10 MB: 134k of them).
        let ranges: Box<dyn Iterator<Item = Range<usize>> + '_> = match self.by_actor.mentions.get() {
            Some(_) => Box::new(self.mentions_of(actor).map(|m| m.range.clone())),
            None => {
                let index = self.by_actor.ranges.get_or_init(|| {
                    by_actor(self.blocks.iter().flat_map(|b| {
                        let at = move |m: &Mention| (m.actor(), m.range.start + b.start..m.range.end + b.start);
                        b.part.mentions().iter().map(at)
                    }))
                });
                Box::new(index.get(actor.index()).into_iter().flatten().cloned())
            }
        };
        for range in ranges {
            let raw = &text[range];
            let written: Cow<'_, str> = if evenly_spaced(raw) {
                Cow::Borrowed(raw)
            } else {
                Cow::Owned(raw.split_whitespace().collect::<Vec<_>>().join(" "))
            };
            if forms.get(last).is_none_or(|(f, _)| *f != written) {
                last = match forms.iter().position(|(f, _)| *f == written) {
                    Some(i) => i,
                    None => {
                        forms.push((written, 0));
                        forms.len() - 1
                    }
                };
            }
            forms[last].1 += 1;
        }
        forms.into_iter().map(|(f, n)| (f.into_owned(), n)).collect()
    }

    /// How many contested claims (casualty figures, battlefield gains, accusations, atrocities)
    /// the attribution rules read in `text` (the text this is the analysis of), and how many of
    /// them have a source nearby.
    pub fn claim_counts(&self, text: &str) -> (usize, usize) {
        if self.blocks.end() != text.len() {
            return (0, 0);
        }
        self.story.claims()
    }

    /// The actors named, in order of first mention, each with its number of mentions and its first
    /// mention: read from the story's roll, which an analysis after an edit makes from the one
    /// before (no pass over the story's mentions).
    pub fn actors(&self) -> Vec<NamedActor> {
        let (order, firsts) = (self.story.actors_named(), self.story.first_mentions());
        let view = self.mention_view();
        order
            .iter()
            .zip(firsts)
            .filter_map(|(&actor, &i)| {
                let first = Mention { first: true, ..view.get(i)? };
                Some(NamedActor { actor, mentions: self.story.mentions_of(actor), first })
            })
            .collect()
    }
}

/// An actor a story names: how often, and where first ([`Analysis::actors`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedActor {
    pub actor: ActorId,
    /// Its mentions, in any voice.
    pub mentions: usize,
    pub first: Mention,
}

/// Whether a form's white space is single spaces between words (nothing to even out).
fn evenly_spaced(raw: &str) -> bool {
    // The start counts as a space, so that a leading space is one too many.
    let mut prev = ' ';
    for c in raw.chars() {
        if c.is_whitespace() && (c != ' ' || prev == ' ') {
            return false;
        }
        prev = c;
    }
    prev != ' '
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::markdown::Flavor;

    #[test]
    fn a_mention_without_other_actors_holds_no_list() {
        assert_eq!(Others::from(Vec::new()), Others::default());
        assert!(Others::default().is_empty());
        let two = Others::from(vec![ActorId(3), ActorId(5)]);
        assert_eq!(&*two, &[ActorId(3), ActorId(5)]);
        // Each version of an analysis copies every mention: keep them small.
        #[cfg(target_pointer_width = "64")]
        assert_eq!(std::mem::size_of::<Mention>(), 40);
    }

    #[test]
    fn forms_are_counted_with_their_white_space_evened() {
        let kb = KnowledgeBase::builtin().unwrap();
        // Three paragraphs: three blocks, whose mentions are counted where they lie in the story.
        let text =
            "The Islamic State attacked. The Islamic\nState withdrew.\n\nThe Islamic  State and ISIS left.\n\nISIS.";
        let a = analyze(&kb, text, &Settings::new(Flavor::Plain));
        assert_eq!(a.blocks.len(), 3);
        let isis = a.mention_at(text.find("ISIS").unwrap()).unwrap().actor();
        let counted = vec![("Islamic State".to_string(), 3), ("ISIS".to_string(), 2)];
        assert_eq!(a.forms_of(text, isis).to_vec(), counted);
        // Asked again, the kept forms; a copy of the analysis counts them again, alike.
        assert!(Arc::ptr_eq(&a.forms_of(text, isis), &a.forms_of(text, isis)));
        assert_eq!(a.clone().forms_of(text, isis), a.forms_of(text, isis));
        // Counted from the index of each actor's mentions once a request has made it, alike.
        let b = analyze(&kb, text, &Settings::new(Flavor::Plain));
        assert_eq!(b.mentions_of(isis).count(), 5);
        assert_eq!(b.forms_of(text, isis).to_vec(), counted);
    }

    #[test]
    fn mentions_of_an_actor_are_its_mentions_in_text_order() {
        let kb = KnowledgeBase::builtin().unwrap();
        let text = "ISIS and the SDF fought. The SDF said ISIS fled; Daesh denied it. Nobody else.";
        let a = analyze(&kb, text, &Settings::new(Flavor::Plain));
        let actors: std::collections::BTreeSet<ActorId> = a.mentions().iter().map(Mention::actor).collect();
        assert!(actors.len() >= 2);
        for actor in actors {
            let indexed: Vec<&Mention> = a.mentions_of(actor).collect();
            let scanned: Vec<&Mention> = a.mentions().iter().filter(|m| m.actor() == actor).collect();
            assert_eq!(indexed, scanned);
        }
        assert_eq!(a.mentions_of(ActorId(100_000)).count(), 0);
        // The index is a cache: an analysis that built it equals one that did not.
        assert_eq!(a, analyze(&kb, text, &Settings::new(Flavor::Plain)));
    }

    /// The actors and the mentions in a range as read from the story's one list of mentions.
    fn listed_actors(a: &Analysis) -> Vec<NamedActor> {
        let mut out: Vec<NamedActor> = Vec::new();
        for m in a.mentions() {
            match out.iter_mut().find(|n| n.actor == m.actor()) {
                Some(n) => n.mentions += 1,
                None => out.push(NamedActor { actor: m.actor(), mentions: 1, first: m.clone() }),
            }
        }
        out
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]

        /// Read from the blocks, the actors named (with their counts and first mentions) and the
        /// mentions in a range are what the story's one list of mentions says, afresh and after
        /// edits that add, remove and move first mentions.
        #[test]
        fn actors_and_mentions_in_a_range_are_the_lists(
            edits in proptest::collection::vec(
                (0usize..4000, 0usize..12, proptest::sample::select(vec!["", "ISIS ", "Daesh", "the SDF ", "\n\n", "Assad said "])),
                0..6,
            ),
            ranges in proptest::collection::vec((0usize..5000, 0usize..400), 1..6),
        ) {
            let kb = KnowledgeBase::builtin().unwrap();
            let seed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/seeds/articles/000_a9beee0ed21879d9.txt")).unwrap();
            let settings = Settings::new(Flavor::Markdown);
            let mut text = format!("Hezbollah and ISIS.\n\n{seed}");
            let mut a = analyze(&kb, &text, &settings);
            for (at, len, insert) in edits {
                let at = crate::text::floor_char_boundary(&text, at);
                let end = crate::text::floor_char_boundary(&text, at + len);
                let mut next = text.clone();
                next.replace_range(at..end, insert);
                a = crate::analysis::reanalyze(&kb, &a, &text, &next, &settings);
                text = next;
                let fresh = analyze(&kb, &text, &settings);
                proptest::prop_assert_eq!(fresh.actors(), listed_actors(&fresh));
                proptest::prop_assert_eq!(a.actors(), listed_actors(&a));
            }
            let all = a.mentions();
            for (start, len) in ranges {
                let r = start.min(text.len())..(start + len).min(text.len());
                let listed: Vec<Mention> =
                    all.iter().filter(|m| m.range.start < r.end && m.range.end > r.start).cloned().collect();
                proptest::prop_assert_eq!(a.mentions_in(r), listed);
            }
        }
    }

    #[test]
    fn only_single_spaces_between_words_are_even() {
        assert!(evenly_spaced("Islamic State"));
        assert!(evenly_spaced("al-Qa’ida"));
        for odd in [
            " ISIS",
            "ISIS ",
            "Islamic  State",
            "Islamic\nState",
            "Islamic\tState",
            "Islamic\u{0b}State",
            "Islamic\u{a0}State",
        ] {
            assert!(!evenly_spaced(odd), "{odd:?}");
        }
    }

    #[test]
    fn claim_counts_count_contested_claims_and_those_with_a_source() {
        let kb = KnowledgeBase::builtin().unwrap();
        let text = "The strikes killed at least 44 people, the Syrian Observatory for Human Rights said.\n\nActivists said 12 people were killed.\n\nThe weather was fine.\n\nRebels seized the town on Tuesday.\n";
        let a = analyze(&kb, text, &Settings::new(Flavor::Plain));
        assert_eq!(a.claim_counts(text), (3, 2));
        let quiet = "The weather was fine.";
        assert_eq!(analyze(&kb, quiet, &Settings::new(Flavor::Plain)).claim_counts(quiet), (0, 0));
        // Not the text it was made from.
        assert_eq!(a.claim_counts("other"), (0, 0));
    }
}
