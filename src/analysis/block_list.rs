//! The list of a story's blocks, in chunks that the analyses of successive versions share.
//!
//! An edit re-analyses a block or two; the analysis after it keeps every other block's [`Part`].
//! Kept in one list, a keystroke on a 1 MB story copied the list's 4,464 entries and counted one
//! more reference on each part, scattered in memory: 0.19 ms when the processor comes back from
//! idling between keystrokes. Here the blocks sit in chunks of at most [`CHUNK`] with ranges
//! relative to the chunk; after an edit, the chunks before and after the edited blocks are shared
//! with the list before it (those after it with their start moved), and only the chunk the edit
//! falls in is built again.

use std::ops::Range;
use std::sync::Arc;

use super::blocks::Part;
use super::mentions::Mention;
use crate::kb::ActorId;

/// How many blocks a chunk holds at most: a 1 MB story has about 70 chunks.
const CHUNK: usize = 64;

/// Which actors some blocks may name, as 64 bits: an actor sets bit `id % 64`. Kept beside each
/// block and chunk, it lets a search for the mentions of a few actors pass over the blocks that
/// cannot hold any without reading their parts, which lie scattered in memory.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ActorMask(u64);

impl ActorMask {
    pub fn of(actors: impl IntoIterator<Item = ActorId>) -> ActorMask {
        ActorMask(actors.into_iter().fold(0, |bits, a| bits | 1 << (a.0 % 64)))
    }

    /// Whether the two may share an actor (they surely do not when this is false).
    pub fn meets(self, other: ActorMask) -> bool {
        self.0 & other.0 != 0
    }

    fn with(self, other: ActorMask) -> ActorMask {
        ActorMask(self.0 | other.0)
    }
}

/// A block in a chunk: its range relative to the chunk's start, and what it holds.
#[derive(Debug, Clone)]
struct Slot {
    range: Range<usize>,
    /// How many mentions the chunk's blocks before this one hold.
    mentions_before: u32,
    /// The actors the block names.
    actors: ActorMask,
    part: Arc<Part>,
}

/// A run of blocks where the story places it.
#[derive(Debug, Clone)]
struct Chunk {
    /// Where the chunk starts in the story.
    start: usize,
    /// How many blocks come before the chunk.
    before: usize,
    /// How many mentions the blocks before the chunk hold, and how many its own blocks hold.
    mentions_before: usize,
    mentions: usize,
    /// The actors its blocks name.
    actors: ActorMask,
    slots: Arc<[Slot]>,
}

impl Chunk {
    /// Slot `s` of the chunk, where it lies in the story.
    fn block<'a>(&self, s: &'a Slot) -> BlockRef<'a> {
        BlockRef { start: self.start + s.range.start, end: self.start + s.range.end, part: &s.part }
    }
}

/// One block of a [`BlockList`]: where it lies in the story and what it holds.
#[derive(Debug, Clone, Copy)]
pub struct BlockRef<'a> {
    pub start: usize,
    pub end: usize,
    pub part: &'a Arc<Part>,
}

impl BlockRef<'_> {
    pub fn range(&self) -> Range<usize> {
        self.start..self.end
    }
}

/// The blocks of a story, in order, each with its range in the story.
#[derive(Debug, Clone, Default)]
pub struct BlockList {
    chunks: Vec<Chunk>,
    len: usize,
    /// How many mentions the blocks hold.
    mentions: usize,
}

impl BlockList {
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// How many mentions the blocks hold.
    pub fn mention_count(&self) -> usize {
        self.mentions
    }

    /// Mention `i` of the story (counting the blocks' mentions in order): its block, and the
    /// mention with its range relative to the block.
    pub fn mention(&self, i: usize) -> Option<(BlockRef<'_>, &Mention)> {
        let (c, s, k) = self.slot_of_mention(i)?;
        let s = &c.slots[s];
        Some((c.block(s), &s.part.mentions()[k]))
    }

    /// The chunk whose blocks hold mention `i`, the block's slot in it, and the mention's index
    /// in the block.
    fn slot_of_mention(&self, i: usize) -> Option<(&Chunk, usize, usize)> {
        if i >= self.mentions {
            return None;
        }
        let c = &self.chunks[self.chunks.partition_point(|c| c.mentions_before + c.mentions <= i)];
        let j = i - c.mentions_before;
        // The last block with no more mentions before it than `j` holds mention `j`: a block
        // without mentions has as many before it as the next one.
        let s = c.slots.partition_point(|s| s.mentions_before as usize <= j) - 1;
        Some((c, s, j - c.slots[s].mentions_before as usize))
    }

    /// The number of mentions that lie before offset `at` in the story: that end by it
    /// (`ended: true`) or that start before it.
    pub fn mentions_before(&self, at: usize, ended: bool) -> usize {
        // Blocks that end by `at` hold only such mentions, and blocks after the one that does not
        // hold none.
        let k = self.partition_point(|r| r.end <= at);
        let Some(b) = self.get(k) else { return self.mentions };
        let local = b.part.mentions().partition_point(|m| {
            let (start, end) = (m.range.start + b.start, m.range.end + b.start);
            if ended {
                end <= at
            } else {
                start < at
            }
        });
        self.first_mention_of(k) + local
    }

    /// The block holding mention `i` and the mention's index in it.
    pub fn mention_place(&self, i: usize) -> Option<(usize, usize)> {
        self.slot_of_mention(i).map(|(c, s, k)| (c.before + s, k))
    }

    /// The index of the first mention of block `b` (the number of mentions when there is no
    /// block `b`).
    pub fn first_mention_of(&self, b: usize) -> usize {
        match self.chunks.get(self.chunk_index(b)) {
            Some(c) => c.mentions_before + c.slots[b - c.before].mentions_before as usize,
            None => self.mentions,
        }
    }

    /// Where the last block ends (0 without blocks).
    pub fn end(&self) -> usize {
        self.chunks.last().map_or(0, |c| c.slots.last().map_or(c.start, |s| c.start + s.range.end))
    }

    /// The index of the chunk holding block `i` (the number of chunks when there is no block `i`).
    fn chunk_index(&self, i: usize) -> usize {
        if i >= self.len {
            return self.chunks.len();
        }
        self.chunks.partition_point(|c| c.before <= i) - 1
    }

    /// Block `i`.
    pub fn get(&self, i: usize) -> Option<BlockRef<'_>> {
        let c = self.chunks.get(self.chunk_index(i))?;
        Some(c.block(&c.slots[i - c.before]))
    }

    /// Where block `i` starts; for `i` the number of blocks, where the last one ends.
    pub fn start(&self, i: usize) -> usize {
        self.get(i).map_or_else(|| self.end(), |b| b.start)
    }

    /// The blocks from block `i` on.
    pub fn iter_from(&self, i: usize) -> impl Iterator<Item = BlockRef<'_>> + Clone + '_ {
        let k = self.chunk_index(i);
        self.chunks[k..].iter().enumerate().flat_map(move |(n, c)| {
            let skip = if n == 0 { i - c.before } else { 0 };
            c.slots[skip..].iter().map(|s| c.block(s))
        })
    }

    /// Every block, in order.
    pub fn iter(&self) -> impl Iterator<Item = BlockRef<'_>> + Clone + '_ {
        self.iter_from(0)
    }

    /// Blocks `r`.
    pub fn range(&self, r: Range<usize>) -> impl Iterator<Item = BlockRef<'_>> + Clone + '_ {
        self.iter_from(r.start).take(r.end.saturating_sub(r.start))
    }

    /// Calls `visit` on every block, in order, that may name an actor of `actors`, and on every
    /// block after one for which it returned true (passing it that flag: whether the mention
    /// before the block was one it wanted); the other blocks are passed over without reading
    /// their parts. `visit` returns the flag for the block's last mention (the flag it was given
    /// if the block holds none).
    pub fn visit_naming<'s>(&'s self, actors: ActorMask, mut visit: impl FnMut(BlockRef<'s>, bool) -> bool) {
        let mut after = false;
        for c in &self.chunks {
            if !after && !c.actors.meets(actors) {
                continue;
            }
            for s in c.slots.iter() {
                if after || s.actors.meets(actors) {
                    after = visit(c.block(s), after);
                }
            }
        }
    }

    /// The number of blocks from the first on for which `pred` holds of their story range (`pred`
    /// must hold of a prefix of the blocks), as `slice::partition_point`.
    pub fn partition_point(&self, pred: impl Fn(&Range<usize>) -> bool) -> usize {
        // The chunks whose first block passes, then the blocks of the last of them.
        let k = self.chunks.partition_point(|c| c.slots.first().is_some_and(|s| pred(&c.block(s).range())));
        let Some(c) = k.checked_sub(1).and_then(|k| self.chunks.get(k)) else { return 0 };
        c.before + c.slots.partition_point(|s| pred(&c.block(s).range()))
    }

    /// The block that starts at `at`, if one does.
    pub fn starting_at(&self, at: usize) -> Option<usize> {
        let i = self.partition_point(|r| r.start < at);
        self.get(i).filter(|b| b.start == at).map(|_| i)
    }
}

/// Blocks compare by where they lie and what they hold, however they are chunked.
impl PartialEq for BlockList {
    fn eq(&self, other: &BlockList) -> bool {
        self.len == other.len
            && self
                .iter()
                .zip(other.iter())
                .all(|(a, b)| a.range() == b.range() && (Arc::ptr_eq(a.part, b.part) || a.part == b.part))
    }
}

impl Eq for BlockList {}

/// Builds a [`BlockList`] block by block, or chunk by chunk from another list.
#[derive(Default)]
pub struct Builder {
    list: BlockList,
    /// The blocks not yet in a chunk, where the first of them starts, and how many mentions they
    /// hold.
    open: Vec<Slot>,
    open_start: usize,
    open_mentions: usize,
    open_actors: ActorMask,
}

impl Builder {
    /// How many blocks have been added.
    pub fn count(&self) -> usize {
        self.list.len + self.open.len()
    }

    /// A builder holding the first `n` blocks of `from`, sharing its whole chunks.
    pub fn with_first(from: &BlockList, n: usize) -> Builder {
        let mut b = Builder::default();
        for c in &from.chunks {
            if c.before + c.slots.len() <= n {
                b.list.len += c.slots.len();
                b.list.mentions += c.mentions;
                b.list.chunks.push(c.clone());
            } else {
                for s in &c.slots[..n.saturating_sub(c.before)] {
                    b.push_slot(c.block(s).range(), s.part.clone(), s.actors);
                }
                break;
            }
        }
        b
    }

    /// Adds a block after the ones added, at `range` in the story.
    pub fn push(&mut self, range: Range<usize>, part: Arc<Part>) {
        let actors = ActorMask::of(part.mentions().iter().map(Mention::actor));
        self.push_slot(range, part, actors);
    }

    /// [`Builder::push`] of a block that names `actors`.
    fn push_slot(&mut self, range: Range<usize>, part: Arc<Part>, actors: ActorMask) {
        if self.open.is_empty() {
            self.open_start = range.start;
        }
        let at = self.open_start;
        let (mentions_before, n) = (self.open_mentions as u32, part.mentions().len());
        self.open.push(Slot { range: range.start - at..range.end - at, mentions_before, actors, part });
        self.open_mentions += n;
        self.open_actors = self.open_actors.with(actors);
        if self.open.len() == CHUNK {
            self.close();
        }
    }

    fn close(&mut self) {
        if self.open.is_empty() {
            return;
        }
        let slots: Arc<[Slot]> = std::mem::take(&mut self.open).into();
        let (n, mentions) = (slots.len(), std::mem::take(&mut self.open_mentions));
        let (before, mentions_before) = (self.list.len, self.list.mentions);
        let actors = std::mem::take(&mut self.open_actors);
        self.list.chunks.push(Chunk { start: self.open_start, before, mentions_before, mentions, actors, slots });
        self.list.len += n;
        self.list.mentions += mentions;
    }

    /// Adds the blocks of `from` from block `i` on, each `grown` bytes further into the story
    /// (an edit before them inserted `grown` more bytes than it removed; negative if fewer),
    /// sharing the chunks that start with one of them.
    pub fn push_rest(&mut self, from: &BlockList, i: usize, grown: isize) {
        let moved = |x: usize| x.wrapping_add_signed(grown);
        for c in &from.chunks {
            let end = c.before + c.slots.len();
            if end <= i {
                continue;
            }
            if c.before >= i {
                self.close();
                self.list.chunks.push(Chunk {
                    start: moved(c.start),
                    before: self.list.len,
                    mentions_before: self.list.mentions,
                    mentions: c.mentions,
                    actors: c.actors,
                    slots: c.slots.clone(),
                });
                self.list.len += c.slots.len();
                self.list.mentions += c.mentions;
            } else {
                for s in &c.slots[i - c.before..] {
                    let b = c.block(s);
                    self.push_slot(moved(b.start)..moved(b.end), s.part.clone(), s.actors);
                }
            }
        }
    }

    pub fn finish(mut self) -> BlockList {
        self.close();
        self.list
    }
}

impl FromIterator<(Range<usize>, Arc<Part>)> for BlockList {
    fn from_iter<I: IntoIterator<Item = (Range<usize>, Arc<Part>)>>(iter: I) -> BlockList {
        let mut b = Builder::default();
        for (range, part) in iter {
            b.push(range, part);
        }
        b.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A list of `n` blocks of 10 bytes each, each with a part of its own.
    fn list(n: usize) -> (BlockList, Vec<Arc<Part>>) {
        let parts: Vec<Arc<Part>> = (0..n).map(|_| Arc::new(Part::default())).collect();
        (parts.iter().enumerate().map(|(i, p)| (i * 10..i * 10 + 10, p.clone())).collect(), parts)
    }

    fn ranges(l: &BlockList) -> Vec<Range<usize>> {
        l.iter().map(|b| b.range()).collect()
    }

    #[test]
    fn lookups_across_chunks() {
        for n in [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 5] {
            let (l, parts) = list(n);
            assert_eq!(l.len(), n);
            assert_eq!(l.end(), n * 10);
            assert_eq!(ranges(&l), (0..n).map(|i| i * 10..i * 10 + 10).collect::<Vec<_>>());
            for (i, part) in parts.iter().enumerate() {
                let b = l.get(i).unwrap();
                assert_eq!(b.range(), i * 10..i * 10 + 10);
                assert!(Arc::ptr_eq(b.part, part));
                assert_eq!(l.partition_point(|r| r.end <= i * 10 + 3), i);
                assert_eq!(l.starting_at(i * 10), Some(i));
                assert_eq!(l.starting_at(i * 10 + 1), None);
                assert_eq!(l.iter_from(i).count(), n - i);
                assert_eq!(
                    l.range(i..(i + 3).min(n)).map(|b| b.start).collect::<Vec<_>>(),
                    (i..(i + 3).min(n)).map(|j| j * 10).collect::<Vec<_>>()
                );
            }
            assert!(l.get(n).is_none());
            assert_eq!(l.iter_from(n).count(), 0);
            assert_eq!(l.partition_point(|_| true), n);
        }
    }

    #[test]
    fn an_edit_shares_the_chunks_it_does_not_touch() {
        let n = 5 * CHUNK;
        let (l, parts) = list(n);
        // Block 2 * CHUNK + 7 is analysed again and grows by 4 bytes.
        let edited = 2 * CHUNK + 7;
        let mut b = Builder::with_first(&l, edited);
        assert_eq!(b.count(), edited);
        let fresh = Arc::new(Part::default());
        b.push(edited * 10..edited * 10 + 14, fresh.clone());
        b.push_rest(&l, edited + 1, 4);
        let after = b.finish();
        let want: Vec<Range<usize>> = (0..n)
            .map(|i| match i.cmp(&edited) {
                std::cmp::Ordering::Less => i * 10..i * 10 + 10,
                std::cmp::Ordering::Equal => i * 10..i * 10 + 14,
                std::cmp::Ordering::Greater => i * 10 + 4..i * 10 + 14,
            })
            .collect();
        assert_eq!(ranges(&after), want);
        for (i, part) in parts.iter().enumerate() {
            let part = if i == edited { &fresh } else { part };
            assert!(Arc::ptr_eq(after.get(i).unwrap().part, part));
        }
        // The chunks before and after the edited one are the same chunks.
        for (k, c) in after.chunks.iter().enumerate().filter(|(k, _)| *k != 2) {
            assert!(Arc::ptr_eq(&c.slots, &l.chunks[k].slots), "chunk {k} copied");
        }
        // Other blocks, another list; the same blocks chunked from the start, the same list.
        let (before, _) = list(n);
        assert_ne!(after, before);
        let rebuilt: BlockList = after.iter().map(|b| (b.range(), b.part.clone())).collect();
        assert_eq!(after, rebuilt);
    }

    proptest::proptest! {
        /// A sequence of edits, each replacing some blocks with new ones of other lengths, gives
        /// the list that a plain vector of the same blocks gives, however chunked it becomes.
        #[test]
        fn edits_give_the_blocks_of_a_plain_list(
            first in 0usize..300,
            edits in proptest::collection::vec((0.0..1.0f64, 0usize..80, proptest::collection::vec(1usize..30, 0..80)), 1..12),
        ) {
            let mut model: Vec<(Range<usize>, Arc<Part>)> =
                (0..first).map(|i| (i * 10..i * 10 + 10, Arc::new(Part::default()))).collect();
            let mut list: BlockList = model.iter().cloned().collect();
            for (at, removed, lens) in edits {
                // Blocks `at..at + removed` give way to blocks of `lens` bytes.
                let at = (at * model.len() as f64) as usize;
                let tail = (at + removed).min(model.len());
                let start = model.get(at).map_or(model.last().map_or(0, |b| b.0.end), |b| b.0.start);
                let old_end = model.get(tail).map_or(model.last().map_or(0, |b| b.0.end), |b| b.0.start);
                let mut fresh = Vec::new();
                let mut end = start;
                for len in lens {
                    fresh.push((end..end + len, Arc::new(Part::default())));
                    end += len;
                }
                let grown = end as isize - old_end as isize;
                let mut b = Builder::with_first(&list, at);
                for (r, p) in &fresh {
                    b.push(r.clone(), p.clone());
                }
                b.push_rest(&list, tail, grown);
                list = b.finish();
                let moved: Vec<_> = model[tail..]
                    .iter()
                    .map(|(r, p)| (r.start.wrapping_add_signed(grown)..r.end.wrapping_add_signed(grown), p.clone()))
                    .collect();
                model.truncate(at);
                model.extend(fresh);
                model.extend(moved);
                proptest::prop_assert_eq!(list.len(), model.len());
                proptest::prop_assert_eq!(list.end(), model.last().map_or(0, |b| b.0.end));
                for (i, b) in list.iter().enumerate() {
                    proptest::prop_assert_eq!(b.range(), model[i].0.clone());
                    proptest::prop_assert!(Arc::ptr_eq(b.part, &model[i].1));
                    let got = list.get(i).unwrap();
                    proptest::prop_assert_eq!(got.range(), b.range());
                    proptest::prop_assert_eq!(list.partition_point(|r| r.end <= b.start), i);
                    proptest::prop_assert_eq!(list.starting_at(b.start), Some(i));
                }
                proptest::prop_assert!(list.chunks.iter().all(|c| !c.slots.is_empty() && c.slots.len() <= CHUNK));
            }
        }
    }
}
