//! Semantic tokens: every mention of an actor, typed by the actor's kind.
//!
//! Token types are ours, one per actor kind, each with a standard super-type so that themes that
//! know nothing of frontline still colour them (the VS Code extension declares the super-types;
//! Neovim links `@lsp.type.<type>` groups). The `declaration` modifier marks an actor's first
//! mention in the document; `ambiguous` marks a form that names several actors.
//! Tokens never span lines: a mention that wraps ("Islamic⏎State") is split per line.

use std::ops::Range;

use ropey::Rope;
use tower_lsp_server::ls_types::{
    SemanticToken, SemanticTokenModifier, SemanticTokenType, SemanticTokensEdit, SemanticTokensLegend,
};

use crate::analysis::Mention;
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

/// Encodes `mentions` (in text order) as LSP's relative semantic-token data. `lines` indexes
/// `text`, the text of `rope`: the positions are found in a row, each from the one before.
pub fn tokens(
    kb: &KnowledgeBase,
    lines: &LineIndex,
    rope: &Rope,
    text: &str,
    mentions: &[Mention],
    enc: Encoding,
) -> Vec<SemanticToken> {
    let mut out = Vec::with_capacity(mentions.len());
    let (mut prev_line, mut prev_col) = (0u32, 0u32);
    let mut near = Near::default();
    for m in mentions {
        let token_type = type_index(kb.actor(m.actor()).kind);
        let modifiers = u32::from(m.first) | (u32::from(!m.others.is_empty()) << 1);
        for seg in segments(text, &m.range) {
            let p = lines.pos_near(rope, text, seg.start, enc, &mut near);
            let length = enc.len(&text[seg]) as u32;
            let delta_line = p.line - prev_line;
            let delta_start = if delta_line == 0 { p.col - prev_col } else { p.col };
            out.push(SemanticToken { delta_line, delta_start, length, token_type, token_modifiers_bitset: modifiers });
            (prev_line, prev_col) = (p.line, p.col);
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
                    tokens(kb(), &lines, &rope, &text, mentions, enc),
                    placed_one_by_one(&rope, &text, mentions, enc),
                    "{:?}", enc
                );
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
