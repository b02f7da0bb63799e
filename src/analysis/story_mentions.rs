//! A story's mentions by their index in the story, read from the blocks that hold them.
//!
//! Each block keeps its mentions with ranges relative to it ([`super::blocks::Part`]). Copied
//! after every keystroke into one list in story offsets (with the quotations and attribution
//! anchors, into lists of their own), a 1 MB story's 13,464 mentions took about a fifth of the
//! keystroke's analysis (0.22–0.25 of 1.1 ms) once the processor came back cold from idling
//! between keystrokes. The rules that run after a keystroke read the few mentions around the
//! edit through [`Mentions`] instead, and those of an actor judged again
//! ([`Mentions::gathered`]); the one list is put together only for the analysis afresh and for
//! the requests that read all of them, such as semantic tokens ([`StoryMentions::all`]).

use std::ops::Range;
use std::sync::OnceLock;

use super::block_list::{ActorMask, BlockList, BlockRef};
use super::mentions::Mention;
use super::naming::Spelled;
use crate::kb::ActorId;

/// Mention `m` of block `b`, in story offsets.
fn placed(b: &BlockRef<'_>, m: &Mention) -> Mention {
    Mention { range: m.range.start + b.start..m.range.end + b.start, others: m.others.clone(), ..*m }
}

/// The mentions of a story's blocks, in story offsets, by index.
#[derive(Debug, Clone, Copy)]
pub struct Mentions<'a> {
    blocks: &'a BlockList,
}

impl<'a> Mentions<'a> {
    pub fn new(blocks: &'a BlockList) -> Mentions<'a> {
        Mentions { blocks }
    }

    pub fn len(&self) -> usize {
        self.blocks.mention_count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Mention `i`, in story offsets. Its `first` is the block's (false): whether a mention is
    /// its actor's first is a matter of the whole story, which [`listed`] settles.
    pub fn get(&self, i: usize) -> Option<Mention> {
        let (b, m) = self.blocks.mention(i)?;
        Some(placed(&b, m))
    }

    /// Where mention `i` lies in the story.
    pub fn range(&self, i: usize) -> Option<Range<usize>> {
        let (b, m) = self.blocks.mention(i)?;
        Some(m.range.start + b.start..m.range.end + b.start)
    }

    /// How many mentions end by offset `at`.
    pub fn ending_by(&self, at: usize) -> usize {
        self.blocks.mentions_before(at, true)
    }

    /// How many mentions start before offset `at`.
    pub fn starting_before(&self, at: usize) -> usize {
        self.blocks.mentions_before(at, false)
    }

    /// The mentions from index `i` on, in order: found once, then read block by block.
    pub fn from(&self, i: usize) -> impl Iterator<Item = Mention> + 'a {
        let (b, skip) = self.blocks.mention_place(i).unwrap_or((self.blocks.len(), 0));
        self.of_blocks_from(b).skip(skip)
    }

    /// The mentions of blocks `from..`, in story offsets, in order; `first` as in [`Mentions::get`].
    pub fn of_blocks_from(&self, from: usize) -> impl Iterator<Item = Mention> + 'a {
        self.blocks.iter_from(from).flat_map(|b| b.part.mentions().iter().map(move |m| placed(&b, m)))
    }
}

/// Some of a story's mentions, in story order, each with how it is written ([`Mentions::gathered`]).
#[derive(Debug, Default)]
pub struct Gathered<'a> {
    pub mentions: Vec<Mention>,
    pub spelled: SpelledList<'a>,
}

/// Spellings of mentions, by position in a list of them.
#[derive(Debug, Default)]
pub struct SpelledList<'a>(Vec<&'a Spelled>);

impl std::ops::Index<usize> for SpelledList<'_> {
    type Output = Spelled;

    fn index(&self, i: usize) -> &Spelled {
        self.0[i]
    }
}

impl<'a> Mentions<'a> {
    /// The mentions of the actors that `kept` flags (by actor index), each followed by the
    /// story's next mention (whoever it names), in story order, with their spellings; `first` as
    /// in [`Mentions::get`]. Read from the blocks in one pass, without copying the others, and
    /// passing over the blocks that name none of them ([`BlockList::visit_naming`]): what the
    /// naming rules read to judge those actors again after an edit. The story's next mention of a
    /// kept one is the next in the list, so rules that look at "the mention after this one" read
    /// it the same.
    pub fn gathered(&self, kept: &[bool]) -> Gathered<'a> {
        let is_kept = |a: ActorId| kept.get(a.index()).copied().unwrap_or(false);
        let mask = ActorMask::of((0..kept.len()).filter(|&k| kept[k]).map(|k| ActorId(k as u32)));
        let mut out = Gathered::default();
        // Blocks that name none of them, and do not follow one of their mentions, are passed
        // over without reading their parts.
        self.blocks.visit_naming(mask, |b, mut after_kept| {
            for (m, s) in b.part.mentions().iter().zip(b.part.spelled()) {
                let this_kept = is_kept(m.actor());
                if this_kept || after_kept {
                    out.mentions.push(placed(&b, m));
                    out.spelled.0.push(s);
                }
                after_kept = this_kept;
            }
            after_kept
        });
        out
    }
}

/// Every mention of `blocks` in one list, in story offsets, with the mentions at `first_at`
/// (each actor's first: `naming::Roll::first_at`) marked `first`. Copied block by block.
pub fn listed(blocks: &BlockList, first_at: &[usize]) -> Vec<Mention> {
    let mut out = Vec::with_capacity(blocks.mention_count());
    for b in blocks.iter() {
        out.extend(b.part.mentions().iter().map(|m| placed(&b, m)));
    }
    for &i in first_at {
        if let Some(m) = out.get_mut(i) {
            m.first = true;
        }
    }
    out
}

/// A story's mentions two ways: one by one from the blocks, and all in one list, put together
/// from them when first asked for and kept in `all`.
#[derive(Debug, Clone, Copy)]
pub struct StoryMentions<'a> {
    pub view: Mentions<'a>,
    all: &'a OnceLock<Vec<Mention>>,
    first_at: &'a [usize],
}

impl<'a> StoryMentions<'a> {
    /// The mentions of `blocks`, whose actors are first named at `first_at`, kept in `all` once
    /// listed.
    pub fn new(blocks: &'a BlockList, all: &'a OnceLock<Vec<Mention>>, first_at: &'a [usize]) -> StoryMentions<'a> {
        StoryMentions { view: Mentions::new(blocks), all, first_at }
    }

    /// Every mention, in one list.
    pub fn all(&self) -> &'a [Mention] {
        self.all.get_or_init(|| listed(self.view.blocks, self.first_at))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{analyze, reanalyze, Analysis, Settings};
    use crate::kb::KnowledgeBase;
    use crate::text::markdown::Flavor;

    /// The five seed articles one after the other: more than one chunk of blocks.
    fn story() -> String {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/seeds/articles");
        let mut paths: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
        paths.sort();
        paths.iter().map(|p| std::fs::read_to_string(p).unwrap()).collect::<Vec<_>>().join("\n\n")
    }

    /// `actors` as flags by actor index, as [`Mentions::gathered`] takes them.
    fn flags(actors: &[ActorId]) -> Vec<bool> {
        let mut flags = vec![false; actors.iter().map(|a| a.index() + 1).max().unwrap_or(0)];
        for a in actors {
            flags[a.index()] = true;
        }
        flags
    }

    /// The view reads what the list holds, by index, by offset and in a row.
    fn check(a: &Analysis) {
        let (view, all) = (a.mention_view(), a.mentions());
        assert_eq!(view.len(), all.len());
        for (i, m) in all.iter().enumerate() {
            assert_eq!(view.get(i), Some(Mention { first: false, ..m.clone() }), "mention {i}");
            assert_eq!(view.range(i), Some(m.range.clone()));
        }
        assert_eq!(view.get(all.len()), None);
        for at in (0..all.last().map_or(0, |m| m.range.end + 2)).step_by(7) {
            assert_eq!(view.ending_by(at), all.partition_point(|m| m.range.end <= at), "ending by {at}");
            assert_eq!(view.starting_before(at), all.partition_point(|m| m.range.start < at), "before {at}");
        }
        for i in [0, 1, all.len() / 2, all.len().saturating_sub(1), all.len()] {
            let ranges: Vec<_> = view.from(i).map(|m| m.range).collect();
            assert_eq!(ranges, all.get(i..).unwrap_or_default().iter().map(|m| m.range.clone()).collect::<Vec<_>>());
        }
        // Gathered for one or two actors: theirs, each with the mention after it, as the list has
        // them. Every actor of the story alone (rare ones lie in blocks far apart, with blocks
        // passed over between), the first two together, and two whose masks share a bit.
        let mut actors: Vec<ActorId> = all.iter().map(Mention::actor).collect();
        actors.sort_unstable();
        actors.dedup();
        let mut sets: Vec<Vec<ActorId>> = actors.iter().map(|&a| vec![a]).collect();
        sets.push(all.iter().map(Mention::actor).take(2).collect());
        sets.push(vec![actors[0], ActorId(actors[0].0 + 64)]);
        let spelled: Vec<&Spelled> = a.blocks.iter().flat_map(|b| b.part.spelled()).collect();
        for set in &sets {
            let keep = |m: &Mention| set.contains(&m.actor());
            let expected: Vec<Mention> = (0..all.len())
                .filter(|&i| keep(&all[i]) || (i > 0 && keep(&all[i - 1])))
                .map(|i| Mention { first: false, ..all[i].clone() })
                .collect();
            let g = view.gathered(&flags(set));
            assert_eq!(g.mentions, expected, "{set:?}");
            for (k, m) in g.mentions.iter().enumerate() {
                let i = all.iter().position(|n| n.range == m.range).unwrap();
                assert_eq!(g.spelled[k], *spelled[i]);
            }
        }
        // Each actor's first mention, and only it, is marked.
        let mut seen = std::collections::HashSet::new();
        assert!(all.iter().all(|m| m.first == seen.insert(m.actor())));
    }

    #[test]
    fn the_mention_after_one_gathered_is_found_across_blocks_passed_over() {
        // One actor named, then more than a chunk of blocks that name no one, then another actor:
        // the blocks between are passed over, and the other actor's mention is still the one
        // after.
        let kb = KnowledgeBase::builtin().unwrap();
        let text =
            format!("Hezbollah fighters moved.\n\n{}The Islamic State replied.\n", "Nothing here.\n\n".repeat(200));
        let a = analyze(&kb, &text, &Settings::new(Flavor::Markdown));
        assert!(a.blocks.len() > 128);
        let all = a.mentions();
        assert_eq!(all.len(), 2);
        let (first, second) = (all[0].actor(), all[1].actor());
        assert_ne!(first.0 % 64, second.0 % 64);
        let g = a.mention_view().gathered(&flags(&[first]));
        let ranges: Vec<_> = g.mentions.iter().map(|m| m.range.clone()).collect();
        assert_eq!(ranges, vec![all[0].range.clone(), all[1].range.clone()]);
        assert_eq!(a.mention_view().gathered(&flags(&[second])).mentions.len(), 1);
    }

    #[test]
    fn the_view_reads_what_the_list_holds_before_and_after_edits() {
        let kb = KnowledgeBase::builtin().unwrap();
        let settings = Settings::new(Flavor::Markdown);
        let text = story();
        let a = analyze(&kb, &text, &settings);
        assert!(a.blocks.len() > 64 && a.mentions().len() > 100);
        check(&a);
        // An edit that replaces a name, one that adds one, one that joins two paragraphs.
        let at = text.find("Islamic State").unwrap();
        let mut edited = text.clone();
        edited.replace_range(at..at + "Islamic State".len(), "xyz");
        let b = reanalyze(&kb, &a, &text, &edited, &settings);
        check(&b);
        let mut again = edited.clone();
        let mid = again.len() / 2;
        let mid = (mid..).find(|&i| again.is_char_boundary(i)).unwrap();
        again.insert_str(mid, " ISIS ");
        let c = reanalyze(&kb, &b, &edited, &again, &settings);
        check(&c);
        let joined = again.replacen("\n\n", " ", 1);
        check(&reanalyze(&kb, &c, &again, &joined, &settings));
    }
}
