//! Semantic tokens: every mention of an actor, typed by the actor's kind.
//!
//! Token types are ours, one per actor kind, each with a standard super-type so that themes that
//! know nothing of frontline still colour them (the VS Code extension declares the super-types;
//! Neovim links `@lsp.type.<type>` groups). The `declaration` modifier marks an actor's first
//! mention in the document; `ambiguous` marks a form that names several actors.
//! Tokens never span lines: a mention that wraps ("Islamic⏎State") is split per line.
//!
//! An editor asks for the tokens again after each keystroke (as a delta from the ones it holds).
//! A version's [`Tokens`] are then derived from an earlier version's: only the mentions the
//! analyses since did not keep are encoded again, so the work follows the edit, not the story.

use std::ops::Range;

use ropey::Rope;
use tower_lsp_server::ls_types::{
    SemanticToken, SemanticTokenModifier, SemanticTokenType, SemanticTokensEdit, SemanticTokensLegend,
};

use crate::analysis::{Analysis, Kept, Mention};
use crate::kb::{ActorKind, KnowledgeBase};
use crate::text::find_line_break;
use crate::text::pos::{LineIndex, Near};
use crate::text::Encoding;

/// Our token type for each actor kind, with its standard super-type, in legend order.
pub const TOKEN_TYPES: [(ActorKind, &str, &str); 9] = [
    (ActorKind::ArmedGroup, "armedGroup", "class"),
    (ActorKind::StateForce, "stateForce", "struct"),
    (ActorKind::State, "state", "namespace"),
    (ActorKind::Person, "person", "variable"),
    (ActorKind::Place, "place", "enumMember"),
    (ActorKind::Media, "media", "interface"),
    (ActorKind::PoliticalBody, "politicalBody", "type"),
    (ActorKind::Coalition, "coalition", "enum"),
    (ActorKind::InternationalOrg, "internationalOrg", "typeParameter"),
];

/// Modifiers, in legend order (bit 0, bit 1, ...).
pub const TOKEN_MODIFIERS: [&str; 2] = ["declaration", "ambiguous"];

pub fn legend() -> SemanticTokensLegend {
    SemanticTokensLegend {
        token_types: TOKEN_TYPES.iter().map(|(_, name, _)| SemanticTokenType::new(name)).collect(),
        token_modifiers: TOKEN_MODIFIERS.iter().map(|m| SemanticTokenModifier::new(m)).collect(),
    }
}

fn type_index(kind: ActorKind) -> u32 {
    TOKEN_TYPES.iter().position(|(k, _, _)| *k == kind).unwrap_or(0) as u32
}

/// Line segments of `range` in `text`: a mention that contains line breaks becomes several pieces.
fn segments<'a>(text: &'a str, range: &Range<usize>) -> impl Iterator<Item = Range<usize>> + 'a {
    let (start, end) = (range.start, range.end);
    let mut at = start;
    std::iter::from_fn(move || {
        while at < end {
            let rest = &text[at..end];
            match find_line_break(rest) {
                Some(0) => at += 1,
                Some(i) => {
                    let seg = at..at + i;
                    at += i;
                    return Some(seg);
                }
                None => {
                    let seg = at..end;
                    at = end;
                    return Some(seg);
                }
            }
        }
        None
    })
}

/// What tokens are placed in: a version's text, its rope and its line index, and the knowledge
/// base that gives each actor's kind.
#[derive(Clone, Copy)]
pub struct Source<'a> {
    pub kb: &'a KnowledgeBase,
    /// Indexes `text`, the text of `rope`.
    pub lines: &'a LineIndex,
    pub rope: &'a Rope,
    pub text: &'a str,
}

/// Encodes `mentions` (in text order) as LSP's relative semantic-token data; the positions are
/// found in a row, each from the one before.
pub fn tokens(src: Source<'_>, mentions: &[Mention], enc: Encoding) -> Vec<SemanticToken> {
    let mut e = Encoder::new(src, enc, mentions.len());
    for (i, m) in mentions.iter().enumerate() {
        e.push(i, m);
    }
    e.out
}

/// Appends the tokens of mentions, in text order, each after the token before it.
struct Encoder<'a> {
    src: Source<'a>,
    enc: Encoding,
    near: Near,
    /// Where the last token starts (line, column).
    prev: (u32, u32),
    out: Vec<SemanticToken>,
    /// [`Tokens::split`] of the mentions pushed.
    split: Vec<(usize, usize)>,
    /// Tokens beyond one per mention so far.
    extra: usize,
}

impl<'a> Encoder<'a> {
    fn new(src: Source<'a>, enc: Encoding, n: usize) -> Self {
        let (near, prev, out) = (Near::default(), (0, 0), Vec::with_capacity(n));
        Encoder { src, enc, near, prev, out, split: Vec::new(), extra: 0 }
    }

    /// Where byte `at` of the text is (line, column).
    fn place(&mut self, at: usize) -> (u32, u32) {
        let Source { lines, rope, text, .. } = self.src;
        let p = lines.pos_near(rope, text, at, self.enc, &mut self.near);
        (p.line, p.col)
    }

    /// The token of a piece of a mention at `at`, after the token before.
    fn token(&mut self, at: (u32, u32), length: u32, token_type: u32, modifiers: u32) -> SemanticToken {
        let delta_line = at.0 - self.prev.0;
        let delta_start = if delta_line == 0 { at.1 - self.prev.1 } else { at.1 };
        self.prev = at;
        SemanticToken { delta_line, delta_start, length, token_type, token_modifiers_bitset: modifiers }
    }

    /// Appends the tokens of mention `i`, `m`.
    fn push(&mut self, i: usize, m: &Mention) {
        let (kb, text) = (self.src.kb, self.src.text);
        let token_type = type_index(kb.actor(m.actor()).kind);
        let modifiers = if m.first { DECLARATION } else { 0 } | (u32::from(!m.others.is_empty()) << 1);
        let mut pieces = 0;
        for seg in segments(text, &m.range) {
            let at = self.place(seg.start);
            let length = self.enc.len(&text[seg]) as u32;
            let t = self.token(at, length, token_type, modifiers);
            self.out.push(t);
            pieces += 1;
        }
        if pieces > 1 {
            self.extra += pieces - 1;
            self.split.push((i, self.extra));
        }
    }
}

/// The modifier bit of an actor's first mention.
const DECLARATION: u32 = 1;

/// A document's semantic tokens, with what it takes to derive the next version's from them
/// ([`Tokens::after`]) instead of encoding every mention again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tokens {
    pub data: Vec<SemanticToken>,
    /// The mentions split into several tokens at line breaks, in order: each one's index, and
    /// how many tokens beyond one per mention the mentions up to it have.
    split: Vec<(usize, usize)>,
    /// How many mentions the tokens are of, and which are their actors' first (in order).
    mentions: usize,
    firsts: Vec<usize>,
    enc: Encoding,
}

/// The story's mention indices that are their actors' first, in order.
fn firsts_of(analysis: &Analysis) -> Vec<usize> {
    let mut firsts = analysis.first_mention_indices().to_vec();
    firsts.sort_unstable();
    firsts
}

impl Tokens {
    /// The tokens of every mention of `analysis`, the analysis of `src`'s text.
    pub fn new(src: Source<'_>, analysis: &Analysis, enc: Encoding) -> Tokens {
        let mentions = analysis.mentions();
        let mut e = Encoder::new(src, enc, mentions.len());
        for (i, m) in mentions.iter().enumerate() {
            e.push(i, m);
        }
        Tokens { data: e.out, split: e.split, mentions: mentions.len(), firsts: firsts_of(analysis), enc }
    }

    /// The position encoding of the tokens.
    pub fn encoding(&self) -> Encoding {
        self.enc
    }

    /// The index of the first token of mention `i` (the number of tokens for the end).
    fn token_of(&self, i: usize) -> usize {
        let k = self.split.partition_point(|&(m, _)| m < i);
        i + k.checked_sub(1).map_or(0, |k| self.split[k].1)
    }

    /// These tokens' successor: the tokens of `analysis` (of `src`'s text), made from an analysis that
    /// kept `kept` of the mentions these tokens are of (after one edit or several), re-encoding
    /// only the mentions in between, the token after them (which starts from the one before it)
    /// and the mentions that became, or stopped being, their actor's first. `None` when `kept`
    /// cannot be of these tokens.
    pub fn after(&self, kept: Kept, src: Source<'_>, analysis: &Analysis, enc: Encoding) -> Option<Tokens> {
        let view = analysis.mention_view();
        let (old_n, new_n) = (self.mentions, view.len());
        let Kept { first: p, last: s } = kept;
        if enc != self.enc || p + s > old_n.min(new_n) {
            return None;
        }
        let (old_q, new_q) = (old_n - s, new_n - s);
        let text = src.text;
        let mut e = Encoder::new(src, enc, self.data.len() + new_q.saturating_sub(old_q));
        // The mentions before the edits, as they were.
        let kept_tokens = self.token_of(p);
        e.out.extend_from_slice(&self.data[..kept_tokens]);
        let before = self.split.partition_point(|&(m, _)| m < p);
        e.split.extend_from_slice(&self.split[..before]);
        e.extra = before.checked_sub(1).map_or(0, |k| self.split[k].1);
        if let Some(last) = p.checked_sub(1).and_then(|i| view.range(i)) {
            // The token before: the last piece of the last mention kept.
            let start = segments(text, &last).last().map_or(last.start, |seg| seg.start);
            e.prev = e.place(start);
        }
        // The mentions the edits read again.
        for (i, m) in (p..new_q).zip(analysis.mentions_from(p)) {
            e.push(i, &m);
        }
        // The mentions after the edits, moved: their first token starts from the one before it
        // now; the others start from one of them, as before.
        let from = self.token_of(old_q);
        if let (Some(first), Some(range)) = (self.data.get(from), view.range(new_q)) {
            let at = e.place(segments(text, &range).next().map_or(range.start, |seg| seg.start));
            let t = e.token(at, first.length, first.token_type, first.token_modifiers_bitset);
            e.out.push(t);
            e.out.extend_from_slice(&self.data[from + 1..]);
            let after = self.split.partition_point(|&(m, _)| m < old_q);
            let was = after.checked_sub(1).map_or(0, |k| self.split[k].1);
            let moved = self.split[after..].iter().map(|&(m, x)| (m - old_q + new_q, x - was + e.extra));
            e.split.extend(moved);
        }
        let mut t = Tokens { data: e.out, split: e.split, mentions: new_n, firsts: firsts_of(analysis), enc };
        // Mentions kept that became, or stopped being, their actor's first.
        let was_first: Vec<usize> = self
            .firsts
            .iter()
            .filter_map(|&f| match f {
                f if f < p => Some(f),
                f if f >= old_q => Some(f - old_q + new_q),
                _ => None,
            })
            .collect();
        let kept_range = |i: &usize| *i < p || *i >= new_q;
        let is_first: Vec<usize> = t.firsts.iter().copied().filter(kept_range).collect();
        for i in symmetric_difference(&was_first, &is_first) {
            for k in t.token_of(i)..t.token_of(i + 1) {
                t.data[k].token_modifiers_bitset ^= DECLARATION;
            }
        }
        Some(t)
    }
}

/// The items of one sorted list and not the other.
fn symmetric_difference(a: &[usize], b: &[usize]) -> Vec<usize> {
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() || j < b.len() {
        match (a.get(i), b.get(j)) {
            (Some(x), Some(y)) if x == y => (i, j) = (i + 1, j + 1),
            (Some(x), Some(y)) if x < y => {
                out.push(*x);
                i += 1;
            }
            (Some(x), None) => {
                out.push(*x);
                i += 1;
            }
            (_, Some(y)) => {
                out.push(*y);
                j += 1;
            }
            (None, None) => break,
        }
    }
    out
}

/// The edits that turn `old` into `new`: one replacement of the differing middle.
pub fn edits(old: &[SemanticToken], new: &[SemanticToken]) -> Vec<SemanticTokensEdit> {
    let prefix = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let suffix = old[prefix..].iter().rev().zip(new[prefix..].iter().rev()).take_while(|(a, b)| a == b).count();
    let (deleted, inserted) = (&old[prefix..old.len() - suffix], &new[prefix..new.len() - suffix]);
    if deleted.is_empty() && inserted.is_empty() {
        return Vec::new();
    }
    vec![SemanticTokensEdit {
        start: 5 * prefix as u32,
        delete_count: 5 * deleted.len() as u32,
        data: Some(inserted.to_vec()),
    }]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_split_at_line_breaks() {
        let t = "the Islamic\r\nState here";
        let r = 4..t.find(" here").unwrap();
        let segs: Vec<&str> = segments(t, &r).map(|s| &t[s]).collect();
        assert_eq!(segs, vec!["Islamic", "State"]);
    }

    fn kb() -> &'static KnowledgeBase {
        static KB: std::sync::OnceLock<KnowledgeBase> = std::sync::OnceLock::new();
        KB.get_or_init(|| KnowledgeBase::builtin().expect("the built-in knowledge base loads"))
    }

    /// The tokens as the rope places each one on its own, without the line index.
    fn placed_one_by_one(rope: &Rope, text: &str, mentions: &[Mention], enc: Encoding) -> Vec<SemanticToken> {
        let mut out = Vec::new();
        let (mut prev_line, mut prev_col) = (0u32, 0u32);
        for m in mentions {
            let token_type = type_index(kb().actor(m.actor()).kind);
            let modifiers = u32::from(m.first) | (u32::from(!m.others.is_empty()) << 1);
            for seg in segments(text, &m.range) {
                let p = crate::text::pos::pos_of(rope, seg.start, enc);
                let delta_start = if p.line == prev_line { p.col - prev_col } else { p.col };
                let length = enc.len(&text[seg]) as u32;
                let delta_line = p.line - prev_line;
                out.push(SemanticToken {
                    delta_line,
                    delta_start,
                    length,
                    token_type,
                    token_modifiers_bitset: modifiers,
                });
                (prev_line, prev_col) = (p.line, p.col);
            }
        }
        out
    }

    proptest::proptest! {
        /// Positions found in a row from the line index are the rope's, in every encoding, on
        /// lines of Arabic, emoji and CRLF, lines longer than the index scans, and names that wrap.
        #[test]
        fn tokens_are_placed_where_the_rope_places_them(
            pieces in proptest::collection::vec(
                proptest::sample::select(vec![
                    "ISIS ", "the Islamic\r\nState ", "Islamic\nState ", "Daesh ", "داعش ", "الرقة ", "🙂 ",
                    "Hezbollah", "\r\n", "\n", "\n\n", "word ", "é ", "Assad ", "Raqqa ",
                ]),
                0..80,
            ),
            long in 0usize..3,
        ) {
            let mut text: String = pieces.concat();
            // A line longer than the index counts columns on (512 bytes).
            let middle = crate::text::floor_char_boundary(&text, text.len() / 2);
            text.insert_str(middle, &"🙂 Raqqa ".repeat(long * 60));
            let analysis = crate::analysis::analyze(kb(), &text, &crate::analysis::Settings::new(Default::default()));
            let rope = Rope::from_str(&text);
            let lines = LineIndex::new(&text);
            for enc in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
                let mentions = analysis.mentions();
                proptest::prop_assert_eq!(
                    tokens(Source { kb: kb(), lines: &lines, rope: &rope, text: &text }, mentions, enc),
                    placed_one_by_one(&rope, &text, mentions, enc),
                    "{:?}", enc
                );
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

        /// Tokens derived from an earlier version's, through one edit or several (composing what
        /// each analysis kept), are the tokens of the new version encoded afresh: edits that add
        /// and remove mentions and line breaks, wrap names, and move actors' first mentions.
        #[test]
        fn tokens_derived_after_edits_are_the_tokens_encoded_afresh(
            edits in proptest::collection::vec(
                (
                    0usize..3000,
                    0usize..40,
                    proptest::sample::select(vec![
                        "", "x", "ISIS ", "Islamic\nState ", "\n", "\r\n\r\n", "Daesh", "🙂 الرقة ", "Hezbollah said ",
                    ]),
                    proptest::prelude::any::<bool>(),
                ),
                1..8,
            ),
            utf8 in proptest::prelude::any::<bool>(),
        ) {
            let enc = if utf8 { Encoding::Utf8 } else { Encoding::Utf16 };
            let settings = crate::analysis::Settings::new(Default::default());
            let mut text = format!("Hezbollah 🙂 and the Islamic\nState.\n\nISIS and الرقة.\n\n{}", "Daesh fought Hezbollah. Words here.\n\n".repeat(20));
            let mut analysis = crate::analysis::analyze(kb(), &text, &settings);
            let encode = |text: &str, a: &Analysis| {
                let (lines, rope) = (LineIndex::new(text), Rope::from_str(text));
                Tokens::new(Source { kb: kb(), lines: &lines, rope: &rope, text }, a, enc)
            };
            let mut base = encode(&text, &analysis);
            let mut kept: Option<Kept> = None;
            for (at, len, insert, derive) in edits {
                let at = crate::text::floor_char_boundary(&text, at);
                let end = crate::text::floor_char_boundary(&text, at + len);
                let mut next = text.clone();
                next.replace_range(at..end, insert);
                analysis = crate::analysis::reanalyze(kb(), &analysis, &text, &next, &settings);
                text = next;
                kept = match (kept, analysis.kept()) {
                    (Some(k), Some(now)) => Some(k.then(now)),
                    (None, now) => now,
                    (Some(_), None) => None,
                };
                if !derive {
                    // Not asked for this version: the next one derives from `base` over both edits.
                    continue;
                }
                let fresh = encode(&text, &analysis);
                let k = kept.expect("an analysis after an edit says what it kept");
                let (lines, rope) = (LineIndex::new(&text), Rope::from_str(&text));
                let src = Source { kb: kb(), lines: &lines, rope: &rope, text: &text };
                let derived = base.after(k, src, &analysis, enc);
                proptest::prop_assert_eq!(derived.as_ref(), Some(&fresh), "kept {:?}", k);
                base = fresh;
                kept = None;
            }
        }
    }

    #[test]
    fn legend_matches_every_kind() {
        for kind in ActorKind::ALL {
            assert!(TOKEN_TYPES.iter().any(|(k, _, _)| *k == kind), "{kind:?}");
        }
    }
}
