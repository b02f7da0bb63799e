//! The analysis of a story block by block, and again after an edit, reusing the blocks it did not touch.
//!
//! A story is cut into blocks ([`crate::text::blocks`]): paragraphs, kept together where something
//! reads across a blank line. Everything local is found per block, with ranges relative to the
//! block: mentions and whose words they are, quotations, attribution anchors and the facts of each
//! sentence ([`Part`]). The story-level rules then run over the assembled parts: the naming rules
//! (one actor, one name, across the whole story) and the attribution windows, which reach into the
//! neighbouring sentences ([`attribution::judge`]).
//!
//! Suppression comments are applied last, to the findings of the whole story ([`suppress`]).
//!
//! After an edit, [`reanalyze`] keeps the parts of the blocks before and after the changed text and
//! analyses only the blocks in between; the result is the same as analysing the new text afresh
//! (a property test checks it after random edit sequences).

use std::ops::Range;
use std::sync::{Arc, OnceLock};

use rayon::prelude::*;

use super::attribution::{self, Anchor, SentenceFacts};
use super::block_list::{BlockList, BlockRef, Builder};
use super::findings::{Chunked, Findings};
use super::mentions::{Analysis, Kept, Mention, Settings, Uncompared};
use super::naming::{self, Named, Spelled, Spellings};
use super::story_mentions::{Mentions, StoryMentions};
use super::suppress;
use super::voice::{voices, Span, Voice};
use crate::kb::{ActorId, KnowledgeBase};
use crate::text::blocks::{blocks, next_block_end, opens_front_matter};
use crate::text::clutter::clutter_spans;
use crate::text::fold::Folded;
use crate::text::markdown::{excluded_spans_in, Flavor};
use crate::text::quotes::{paragraphs, quotes_of_paragraphs, Quote};
use crate::text::sentences::sentences;
use crate::text::{changed_bytes, Changed};

/// What one block holds, with ranges relative to the block's start.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Part {
    mentions: Vec<Mention>,
    quotes: Vec<Quote>,
    anchors: Vec<Anchor>,
    sentences: Vec<SentenceFacts>,
    /// How each mention is written, for the naming rules.
    spelled: Vec<Spelled>,
    paragraphs: usize,
}

impl Story {
    /// Where each actor the story names is first named (indices of mentions), in the order of
    /// [`Story::actors_named`].
    pub(crate) fn first_mentions(&self) -> &[usize] {
        &self.roll.first_at
    }

    /// The actors the story names, in order of first mention.
    pub(crate) fn actors_named(&self) -> &[ActorId] {
        &self.roll.order
    }

    /// The contested claims the attribution rules read, and how many of them have a source.
    pub(crate) fn claims(&self) -> (usize, usize) {
        self.claims
    }

    /// How many times the story names actor `a`.
    pub(crate) fn mentions_of(&self, a: ActorId) -> usize {
        self.roll.counts.get(a.index()).copied().unwrap_or(0)
    }
}

impl Part {
    /// The block's mentions, with ranges relative to it.
    pub(crate) fn mentions(&self) -> &[Mention] {
        &self.mentions
    }

    /// How each of the block's mentions is written, in the same order.
    pub(crate) fn spelled(&self) -> &[Spelled] {
        &self.spelled
    }
}

/// What the story-level rules found, at their levels (a rule turned off finds nothing), before
/// suppressions apply.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Story {
    named: Named,
    attributed: Chunked,
    /// The contested claims the attribution rules read, and how many of them have a source
    /// ([`Story::claims`]): counted by an analysis afresh beside the attribution rules, and made
    /// after an edit from the counts before.
    claims: (usize, usize),
    /// Where a suppression directive may start ([`suppress::marks`]).
    marks: Vec<usize>,
    /// The actors named, in order, and the mentions with ambiguous aliases.
    roll: naming::Roll,
}

/// What an analysis after an edit takes from the analysis before it.
struct Earlier<'a> {
    previous: &'a Analysis,
    /// The text before the edit.
    old_text: &'a str,
    /// The bytes the edit changed.
    changed: Changed,
    /// The first block analysed again, and the first block taken (moved) from `previous` after
    /// the edit, if any: the blocks before `restart` are `previous`'s as they were.
    restart: usize,
    tail: Option<usize>,
}

/// Analyses one block; `starts_document` tells whether it is the first (front matter).
fn analyze_block(kb: &KnowledgeBase, text: &str, flavor: Flavor, starts_document: bool) -> Part {
    let excluded = excluded_spans_in(text, flavor, starts_document);
    let paras = paragraphs(text);
    let quotes = quotes_of_paragraphs(text, &paras, flavor);
    let folded = Folded::new(text);
    let sentences = sentences(text, flavor);
    let (found, cues) = kb.scan_folded(text, &folded, &excluded, &sentences);
    let spans: Vec<Span> = found
        .iter()
        .map(|f| Span { range: &f.range, actor: f.name.actor.0, tagged: text[..f.range.start].ends_with(['#', '@']) })
        .collect();
    let clutter = clutter_spans(text);
    let voices = voices(text, &spans, &quotes, &clutter);
    let mut body = naming::BodyLines::default();
    let mentions: Vec<Mention> = found
        .into_iter()
        .zip(voices)
        .map(|(f, voice)| {
            let body = body.at(text, f.range.start);
            Mention { range: f.range, name: f.name, others: f.others.into(), voice, first: false, body }
        })
        .collect();
    let mut skip = excluded;
    skip.extend(clutter);
    skip.sort_by_key(|r| r.start);
    let scanned = attribution::Scanned {
        text,
        cues: &cues,
        sentences: &sentences,
        paragraphs: &paras,
        quotes: &quotes,
        skip: &skip,
    };
    let (anchors, sentences) = attribution::facts(kb, scanned, &mentions);
    let spelled = mentions.iter().map(|m| Spelled::new(kb, text, m)).collect();
    Part { mentions, quotes, anchors, sentences, spelled, paragraphs: paras.len() }
}

/// Where `text` names each actor, found block by block without voices or rules: the ranges and
/// actors of `analyze(kb, text, ..).mentions`, for a story that is only indexed (a workspace file
/// on disk), at a fraction of the time and memory.
pub fn mention_ranges(kb: &KnowledgeBase, text: &str, flavor: Flavor) -> Vec<(Range<usize>, ActorId)> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < text.len() {
        let end = next_block_end(text, start, flavor);
        let block = &text[start..end];
        let excluded = excluded_spans_in(block, flavor, start == 0);
        let folded = Folded::new(block);
        out.extend(
            kb.find_folded(block, &folded, &excluded).into_iter().map(|f| (shifted(&f.range, start), f.name.actor)),
        );
        start = end;
    }
    out
}

fn shifted(r: &Range<usize>, by: usize) -> Range<usize> {
    r.start + by..r.end + by
}

/// Below this size a story is analysed on one thread (handing blocks to the pool would cost more
/// than it saves). At 20 KB two threads take 1.4 ms against 2.2 ms for one (docs/benchmarks-history.md).
const PARALLEL_FROM: usize = 8 * 1024;

/// `(a(), b())`, on two threads of the pool when `parallel`.
fn both<A: Send, B: Send>(parallel: bool, a: impl FnOnce() -> A + Send, b: impl FnOnce() -> B + Send) -> (A, B) {
    if parallel {
        rayon::join(a, b)
    } else {
        (a(), b())
    }
}

/// Analyses `text` afresh; the blocks of a long story are analysed in parallel.
pub fn analyze(kb: &KnowledgeBase, text: &str, settings: &Settings) -> Analysis {
    let ranges = blocks(text, settings.flavor);
    let block = |r: &Range<usize>| Arc::new(analyze_block(kb, &text[r.clone()], settings.flavor, r.start == 0));
    let parts: Vec<Arc<Part>> = if text.len() >= PARALLEL_FROM {
        ranges.par_iter().map(block).collect()
    } else {
        ranges.iter().map(block).collect()
    };
    let blocks = ranges.into_iter().zip(parts).collect();
    assemble(kb, text, settings, blocks, None)
}

/// Analyses `text`, an edited `old_text` whose analysis was `previous` (with the same knowledge
/// base and flavour), re-analysing only the blocks the edit touched.
pub fn reanalyze(kb: &KnowledgeBase, previous: &Analysis, old_text: &str, text: &str, settings: &Settings) -> Analysis {
    reanalyze_changed(kb, previous, old_text, text, changed_bytes(old_text, text), settings)
}

/// [`reanalyze`] for a caller that has already compared the texts: `changed` must be
/// `changed_bytes(old_text, text)` (the server needs it for its line index too).
pub fn reanalyze_changed(
    kb: &KnowledgeBase,
    previous: &Analysis,
    old_text: &str,
    text: &str,
    changed: Changed,
    settings: &Settings,
) -> Analysis {
    debug_assert_eq!(changed, changed_bytes(old_text, text));
    let old = &previous.blocks;
    if old.end() != old_text.len() {
        // Not the analysis of `old_text`: start afresh.
        return analyze(kb, text, settings);
    }
    let (prefix, suffix) = (changed.at, text.len() - changed.new_end);
    // The first block the edit touches, and one more before it: where that block ends was decided
    // by looking at the paragraph the edit may have changed.
    let touched = old.partition_point(|r| r.end < prefix);
    let restart = if opens_front_matter(text, settings.flavor) || opens_front_matter(old_text, settings.flavor) {
        // Where front matter ends may have moved with any edit: split again from the start (the
        // blocks that come out as before keep their parts).
        0
    } else {
        touched.saturating_sub(1)
    };
    let mut blocks = Builder::with_first(old, restart);
    let mut tail = None;
    let mut start = old.get(restart).map_or(0, |b| b.start);
    let unchanged_from = text.len() - suffix;
    while start < text.len() {
        if start >= unchanged_from {
            // The rest of the text is as before; once a block starts where one started before, the
            // blocks from there on are the old ones, moved.
            let old_start = start + old_text.len() - text.len();
            // (A block that now starts the document is read differently: front matter.)
            let found = old.starting_at(old_start).filter(|_| (start == 0) == (old_start == 0));
            if let Some(i) = found {
                tail = Some(blocks.count());
                blocks.push_rest(old, i, text.len() as isize - old_text.len() as isize);
                break;
            }
        }
        let end = next_block_end(text, start, settings.flavor);
        // A block before the edit that ends where it did holds what it held.
        let same = old.get(blocks.count()).filter(|b| end <= prefix && b.range() == (start..end));
        let part = match same {
            Some(b) => b.part.clone(),
            None => Arc::new(analyze_block(kb, &text[start..end], settings.flavor, start == 0)),
        };
        blocks.push(start..end, part);
        start = end;
    }
    let blocks = blocks.finish();
    let earlier = Earlier { previous, old_text, changed, restart, tail };
    assemble(kb, text, settings, blocks, Some(earlier))
}

/// The attribution facts of every sentence of `blocks`, in story offsets, with paragraphs numbered
/// from the first block's.
pub(crate) fn story_sentences<'a>(blocks: impl Iterator<Item = BlockRef<'a>> + Clone) -> Vec<SentenceFacts> {
    sentences_of(blocks, SentenceFacts::clone)
}

/// [`story_sentences`] without their style hints: what the claim counts read.
pub(crate) fn story_sentences_without_hints<'a>(
    blocks: impl Iterator<Item = BlockRef<'a>> + Clone,
) -> Vec<SentenceFacts> {
    sentences_of(blocks, SentenceFacts::without_hints)
}

fn sentences_of<'a>(
    blocks: impl Iterator<Item = BlockRef<'a>> + Clone,
    copy: impl Fn(&SentenceFacts) -> SentenceFacts,
) -> Vec<SentenceFacts> {
    let mut sentences = Vec::with_capacity(blocks.clone().map(|b| b.part.sentences.len()).sum());
    let mut paragraphs = 0;
    for b in blocks {
        sentences.extend(b.part.sentences.iter().map(|s| {
            let mut s = copy(s);
            s.shift(b.start, paragraphs);
            s
        }));
        paragraphs += b.part.paragraphs;
    }
    sentences
}

/// How the mentions `which` are spelled: indices into `mentions`, the mentions of `blocks` in
/// story offsets. The first one's block is found by its offset, without reading the blocks
/// before it.
fn spelled_in<'b>(blocks: &'b BlockList, mentions: Mentions<'_>, which: Range<usize>) -> Vec<&'b Spelled> {
    let mut out = Vec::with_capacity(which.len());
    let Some(at) = mentions.range(which.start).map(|r| r.start) else { return out };
    let k = blocks.partition_point(|r| r.end <= at);
    let mut skip = blocks.get(k).map_or(0, |b| b.part.mentions.partition_point(|m| m.range.start + b.start < at));
    for b in blocks.iter_from(k) {
        if out.len() >= which.len() {
            break;
        }
        let list = &b.part.spelled;
        let take = (which.len() - out.len()).min(list.len().saturating_sub(skip));
        out.extend(&list[skip..skip + take]);
        skip = 0;
    }
    out
}

/// The quoted spans of `blocks`, in story offsets.
pub(crate) fn story_quotes(blocks: &BlockList) -> Vec<Quote> {
    let mut out = Vec::with_capacity(blocks.iter().map(|b| b.part.quotes.len()).sum());
    for b in blocks.iter() {
        out.extend(b.part.quotes.iter().map(|q| Quote { range: shifted(&q.range, b.start), kind: q.kind }));
    }
    out
}

/// The attribution anchors of `blocks`, in story offsets.
pub(crate) fn story_anchors(blocks: &BlockList) -> Vec<Anchor> {
    let mut out = Vec::with_capacity(blocks.iter().map(|b| b.part.anchors.len()).sum());
    for b in blocks.iter() {
        out.extend(b.part.anchors.iter().map(|a| Anchor {
            cue: shifted(&a.cue, b.start),
            source: a.source.as_ref().map(|s| shifted(s, b.start)),
            grade: a.grade,
        }));
    }
    out
}

/// The story's roll of actors, read from all of `blocks`.
fn roll_of(kb: &KnowledgeBase, blocks: &BlockList) -> naming::Roll {
    let mut roll = naming::Roll { counts: vec![0; kb.actors().len()], ..Default::default() };
    extend_roll(&mut roll, &mut vec![false; kb.actors().len()], Mentions::new(blocks).of_blocks_from(0), 0);
    roll
}

/// Adds `mentions`, the story's from index `at` on, to `roll`; `seen` tells the actors named
/// before them.
fn extend_roll(roll: &mut naming::Roll, seen: &mut [bool], mentions: impl Iterator<Item = Mention>, at: usize) {
    for (i, m) in (at..).zip(mentions) {
        if let Some(n) = roll.counts.get_mut(m.actor().index()) {
            *n += 1;
        }
        if !std::mem::replace(&mut seen[m.actor().index()], true) {
            roll.order.push(m.actor());
            roll.first_at.push(i);
        }
        if !m.others.is_empty() && m.voice == Voice::Own && m.body {
            roll.ambiguous.push((i, m.range));
        }
    }
}

/// The roll of actors after the edit that `e` describes, made from the roll before it without
/// reading every mention: the actors first named before the blocks read again keep their place,
/// those first named in them are read from them, and those first named after them move with the
/// indices of the mentions there; an actor whose first mention was in the blocks read again, and
/// is no more, is looked for after them.
fn roll_after_edit(kb: &KnowledgeBase, blocks: &BlockList, e: &Earlier<'_>, text_len: usize) -> naming::Roll {
    let (old, was) = (&e.previous.blocks, &e.previous.story.roll);
    let view = Mentions::new(blocks);
    // The mentions before the blocks read again are the same as before the edit; those after
    // them start at `old_mb` before it and at `new_mb` after it.
    let ma = blocks.first_mention_of(e.restart);
    let (new_mb, old_mb) = match e.tail {
        Some(t) => (blocks.first_mention_of(t), old.first_mention_of(old.len() - (blocks.len() - t))),
        None => (blocks.mention_count(), old.mention_count()),
    };
    let moved = |i: usize| i + new_mb - old_mb;
    let kept = was.first_at.partition_point(|&i| i < ma);
    // The counts, less the mentions of the blocks read again as they were (those they hold now
    // are added as they are read below).
    let mut counts = was.counts.clone();
    for m in Mentions::new(old).from(ma).take(old_mb - ma) {
        if let Some(n) = counts.get_mut(m.actor().index()) {
            *n = n.saturating_sub(1);
        }
    }
    let mut roll = naming::Roll {
        order: was.order[..kept].to_vec(),
        first_at: was.first_at[..kept].to_vec(),
        ambiguous: was.ambiguous.iter().take_while(|(i, _)| *i < ma).cloned().collect(),
        counts,
    };
    let mut seen = vec![false; kb.actors().len()];
    for a in &roll.order {
        seen[a.index()] = true;
    }
    extend_roll(&mut roll, &mut seen, view.of_blocks_from(e.restart).take(new_mb - ma), ma);
    let mut after: Vec<(usize, ActorId)> = Vec::new();
    let mut lost = 0;
    for (&a, &i) in was.order[kept..].iter().zip(&was.first_at[kept..]) {
        if seen[a.index()] {
            // First named in the blocks read again, now.
            continue;
        }
        if i >= old_mb {
            after.push((moved(i), a));
            seen[a.index()] = true;
        } else {
            lost += 1;
        }
    }
    if lost > 0 {
        // The actors still unseen that the story named before the edit: found where they are
        // named next, if anywhere.
        let mut wanted = vec![false; kb.actors().len()];
        for &a in &was.order[kept..] {
            wanted[a.index()] = !seen[a.index()];
        }
        for (i, a) in (new_mb..).zip(view.of_blocks_from(e.tail.unwrap_or(blocks.len())).map(|m| m.actor())) {
            if std::mem::replace(&mut wanted[a.index()], false) {
                after.push((i, a));
                lost -= 1;
                if lost == 0 {
                    break;
                }
            }
        }
        after.sort_unstable();
    }
    for (i, a) in after {
        roll.order.push(a);
        roll.first_at.push(i);
    }
    let grown = text_len as isize - e.old_text.len() as isize;
    let moved_range = |r: &Range<usize>| r.start.wrapping_add_signed(grown)..r.end.wrapping_add_signed(grown);
    roll.ambiguous.extend(was.ambiguous.iter().filter(|(i, _)| *i >= old_mb).map(|(i, r)| (moved(*i), moved_range(r))));
    roll
}

/// Puts the blocks' parts together in story offsets and runs the story-level rules.
fn assemble(
    kb: &KnowledgeBase,
    text: &str,
    settings: &Settings,
    blocks: BlockList,
    earlier: Option<Earlier<'_>>,
) -> Analysis {
    // The blocks before `restart` are the analysis before's, and so are those from `tail` on
    // (moved): their mentions are kept.
    let kept = earlier.as_ref().map(|e| Kept {
        first: blocks.first_mention_of(e.restart),
        last: e.tail.map_or(0, |t| blocks.mention_count() - blocks.first_mention_of(t)),
    });
    let previous = earlier.as_ref().map(|e| e.previous);
    // (An edit that left no block to read again is judged afresh.)
    let earlier = earlier.filter(|e| e.restart < blocks.len());
    let roll = match &earlier {
        Some(e) => roll_after_edit(kb, &blocks, e, text.len()),
        None => roll_of(kb, &blocks),
    };
    let listed = OnceLock::new();
    // (A copy, a few hundred indices: the roll goes into the story while the list may still be made.)
    let first_at = roll.first_at.clone();
    let mentions = StoryMentions::new(&blocks, &listed, &first_at);
    let nm = mentions.view.len();
    let spelled = Spellings::new(|| spelled_in(&blocks, mentions.view, 0..nm));
    let story = match earlier {
        None => {
            // The naming rules and the attribution windows read different things: on a long
            // story they run side by side (1 MB: 2.4 ms and 1.2 ms, one after the other before).
            // The claims are counted beside the attribution rules, from the same sentences (the
            // shorter of the two sides): the code lens then reads them without a pass of its own.
            let (named, (attributed, claims, marks)) = both(
                text.len() >= PARALLEL_FROM,
                || naming::check(kb, text, mentions, &spelled, &roll, settings),
                || {
                    let sentences = story_sentences(blocks.iter());
                    let mut judged = attribution::judge(text, &sentences);
                    settings.levels.apply(&mut judged);
                    let attributed = Chunked::new(judged);
                    (attributed, attribution::claim_counts(text, &sentences), suppress::marks(text))
                },
            );
            Story { named, attributed, claims, marks, roll }
        }
        Some(Earlier { previous, old_text, changed, restart, tail }) => {
            let old_len = old_text.len();
            // The edit's blocks lie between `restart` and `tail`. The naming rules look at the
            // mentions there, and the ones next to them; one block more is read after them (a
            // mention there may look back for the start of its sentence).
            let from = blocks.start(restart);
            let new_end = tail.map_or(text.len(), |t| blocks.get(t).map_or(text.len(), |b| b.end));
            let old_end = new_end + old_len - text.len();
            let old_mentions = Mentions::new(&previous.blocks);
            let old_spelled =
                spelled_in(&previous.blocks, old_mentions, naming::window(old_mentions, &(from..old_end)));
            let new_spelled = spelled_in(&blocks, mentions.view, naming::window(mentions.view, &(from..new_end)));
            let earlier = naming::Earlier {
                named: &previous.story.named,
                text: old_text,
                mentions: old_mentions,
                spelled: &old_spelled,
                new_spelled: &new_spelled,
                old: from..old_end,
                new: from..new_end,
                changed,
            };
            let named = naming::check_again(kb, text, mentions, &spelled, &roll, settings, Some(earlier));
            // A sentence's window reaches three sentences back, one forward, and through its
            // quotation (which lies in its block) to the sentence after it: the sentences from the
            // block before the edit's to three after them are judged again. They are read with
            // the sentences their windows reach: blocks back until three sentences come before
            // them, forward until four come after the edit's blocks, and one block more.
            let moved_to = tail.map_or(text.len(), |t| blocks.start(t));
            let count = |r: Range<usize>| blocks.range(r).map(|b| b.part.sentences.len()).sum::<usize>();
            let judged_from = restart.saturating_sub(1);
            let mut first = judged_from;
            while first > 0 && count(first..judged_from) < 3 {
                first -= 1;
            }
            let moved_block = tail.unwrap_or(blocks.len());
            let mut last = moved_block;
            while last < blocks.len() && count(moved_block..last) < 4 {
                last += 1;
            }
            let last = (last + 1).min(blocks.len());
            let sentences = story_sentences(blocks.range(first..last));
            let lo_at = blocks.start(judged_from);
            let lo = sentences.partition_point(|s| s.range.start < lo_at);
            let hi = (sentences.partition_point(|s| s.range.start < moved_to) + 3).min(sentences.len());
            let attributed = attribution::judge_again(
                text,
                &sentences,
                lo..hi,
                &previous.story.attributed,
                from,
                &changed,
                &settings.levels,
            );
            // The claim counts before, less those of the sentences judged again as they were,
            // plus theirs now (read from the same blocks before the edit, with the old text; the
            // sentences outside them are as they were, those after moved).
            let (found, with_source) = previous.story.claims;
            let old_blocks = &previous.blocks;
            let old_last = (last + old_blocks.len()).saturating_sub(blocks.len()).max(first);
            let old_sentences = story_sentences_without_hints(old_blocks.range(first..old_last));
            let old_hi = (hi + old_sentences.len()).saturating_sub(sentences.len()).max(lo);
            let (was, now) = (
                attribution::claim_counts_in(old_text, &old_sentences, lo..old_hi),
                attribution::claim_counts_in(text, &sentences, lo..hi),
            );
            let claims = ((found + now.0).saturating_sub(was.0), (with_source + now.1).saturating_sub(was.1));
            let marks = suppress::marks_after_edit(&previous.story.marks, text, &changed);
            Story { named, attributed, claims, marks, roll }
        }
    };
    drop(spelled);
    // (The lists hold their findings at their levels already.)
    let lists = story.named.lists().chain(story.attributed.pieces().iter().cloned());
    let mut findings = match previous {
        // Most lists are the previous analysis's, read through the edit: their order is kept.
        Some(p) => Findings::merged_after(lists, &p.findings),
        None => Findings::merged(lists),
    };
    // Last, over the whole story: a suppression comment may be far from what it silences. A
    // directive counts where its block's scanner sees a comment (not in code); blocks are scanned
    // again only where a directive is, once each.
    let mut scanned: Option<(usize, Vec<Range<usize>>)> = None;
    let mut is_comment = |at: usize| {
        let i = blocks.partition_point(|r| r.end <= at);
        let Some(b) = blocks.get(i) else { return false };
        if scanned.as_ref().is_none_or(|(k, _)| *k != i) {
            let spans = excluded_spans_in(&text[b.range()], settings.flavor, b.start == 0);
            scanned = Some((i, spans));
        }
        scanned.as_ref().is_some_and(|(_, spans)| spans.iter().any(|s| s.start + b.start == at))
    };
    let mut own = suppress::apply(text, &story.marks, &mut is_comment, &mut findings);
    // The suppression rules' own findings have levels too (`suppression/unused` may be off).
    settings.levels.apply(&mut own);
    findings.add(own);
    Analysis {
        listed: Uncompared(listed),
        findings,
        blocks,
        story,
        by_actor: Default::default(),
        kept: Uncompared(kept),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kb() -> &'static KnowledgeBase {
        static KB: std::sync::OnceLock<KnowledgeBase> = std::sync::OnceLock::new();
        KB.get_or_init(|| KnowledgeBase::builtin().expect("built-in knowledge base"))
    }

    #[test]
    fn mention_ranges_are_the_analysis_mentions() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/seeds/articles");
        let mut texts: Vec<String> =
            std::fs::read_dir(dir).unwrap().map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap()).collect();
        texts.push("---\ntitle: ISIS\n---\n\n```\nISIS\n```\n\nThe Islamic State (ISIS) <!-- ISIL --> left.\n".into());
        for text in &texts {
            for flavor in [Flavor::Plain, Flavor::Markdown] {
                let full: Vec<(Range<usize>, ActorId)> = analyze(kb(), text, &Settings::new(flavor))
                    .mentions()
                    .iter()
                    .map(|m| (m.range.clone(), m.actor()))
                    .collect();
                assert!(!full.is_empty());
                assert_eq!(mention_ranges(kb(), text, flavor), full);
            }
        }
    }

    #[test]
    fn an_edit_reuses_the_blocks_it_does_not_touch() {
        let s = Settings::new(Flavor::Markdown);
        let old = "ISIS attacked.\n\nDaesh left, activists said.\n\nThe Islamic State killed 20 people.\n\nEnd.\n";
        let new = old.replace("Daesh left", "ISIL left");
        let a = analyze(kb(), old, &s);
        let b = reanalyze(kb(), &a, old, &new, &s);
        assert_eq!(b, analyze(kb(), &new, &s));
        // The first, third and fourth blocks are the old ones.
        for i in [0, 2, 3] {
            assert!(Arc::ptr_eq(a.blocks.get(i).unwrap().part, b.blocks.get(i).unwrap().part), "block {i} re-analysed");
        }
    }

    #[test]
    fn an_edit_that_joins_a_paragraph_to_the_one_before_re_splits_both() {
        // Adding the `@` makes the second paragraph the signature of a post, which the first
        // paragraph then belongs to: the boundary before the edited paragraph goes.
        let s = Settings::new(Flavor::Plain);
        let old = "Intro.\n\nFootage of ISIS today.\n\n— Name (handle) 13 Jun 2017\n\nAfter.";
        let new = old.replace("(handle)", "(@handle)");
        let a = analyze(kb(), old, &s);
        let b = reanalyze(kb(), &a, old, &new, &s);
        assert_eq!(b, analyze(kb(), &new, &s));
        assert_eq!(b.blocks.len(), a.blocks.len() - 1);
    }

    #[test]
    fn suppressions_count_only_outside_code() {
        let s = Settings::new(Flavor::Markdown);
        let codes = |t: &str| analyze(kb(), t, &s).findings.iter().map(|f| f.code()).collect::<Vec<_>>();
        let claim = "Rebels seized the town on Tuesday.\n";
        assert_eq!(codes(claim), vec!["attribution/unsourced-claim"]);
        let real = format!("<!-- frontline-disable-next-line attribution -->\n{claim}");
        assert!(codes(&real).is_empty());
        let fenced = format!("```\n<!-- frontline-disable-file -->\n```\n\n{claim}");
        assert_eq!(codes(&fenced), vec!["attribution/unsourced-claim"]);
        let inline = format!("Write `<!-- frontline-disable-file -->` to silence all.\n\n{claim}");
        assert_eq!(codes(&inline), vec!["attribution/unsourced-claim"]);
        let plain = Settings::new(Flavor::Plain);
        assert!(analyze(kb(), &real, &plain).findings.is_empty());
    }

    #[test]
    fn a_block_that_comes_to_start_the_document_is_read_again() {
        // Deleting the first line makes `---` the first line: front matter now.
        let s = Settings::new(Flavor::Markdown);
        let old = "Intro.\n---\ntitle: ISIS\n---\n\nISIL fighters.\n";
        let new = &old["Intro.\n".len()..];
        let a = analyze(kb(), old, &s);
        assert_eq!(reanalyze(kb(), &a, old, new, &s), analyze(kb(), new, &s));
    }
}
