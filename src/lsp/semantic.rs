//! Semantic tokens: every mention of an actor, typed by the actor's kind.
//!
//! Token types are ours, one per actor kind, each with a standard super-type so that themes that
//! know nothing of frontline still colour them (the VS Code extension declares the super-types;
//! Neovim links `@lsp.type.<type>` groups). The `declaration` modifier marks an actor's first
//! mention in the document; `ambiguous` marks a form that names several actors.
//! Tokens never span lines: a mention that wraps ("Islamic⏎State") is split per line.

use std::ops::Range;

use ropey::Rope;
use tower_lsp_server::ls_types::{SemanticToken, SemanticTokenModifier, SemanticTokenType, SemanticTokensLegend};

use crate::analysis::Mention;
use crate::kb::{ActorKind, KnowledgeBase};
use crate::text::find_line_break;
use crate::text::pos::pos_of;
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

/// Encodes `mentions` as LSP's relative semantic-token data.
pub fn tokens(kb: &KnowledgeBase, rope: &Rope, text: &str, mentions: &[Mention], enc: Encoding) -> Vec<SemanticToken> {
    let mut out = Vec::with_capacity(mentions.len());
    let (mut prev_line, mut prev_col) = (0u32, 0u32);
    for m in mentions {
        let token_type = type_index(kb.actor(m.actor()).kind);
        let modifiers = u32::from(m.first) | (u32::from(!m.others.is_empty()) << 1);
        for seg in segments(text, &m.range) {
            let p = pos_of(rope, seg.start, enc);
            let length = enc.len(&text[seg]) as u32;
            let delta_line = p.line - prev_line;
            let delta_start = if delta_line == 0 { p.col - prev_col } else { p.col };
            out.push(SemanticToken { delta_line, delta_start, length, token_type, token_modifiers_bitset: modifiers });
            (prev_line, prev_col) = (p.line, p.col);
        }
    }
    out
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

    #[test]
    fn legend_matches_every_kind() {
        for kind in ActorKind::ALL {
            assert!(TOKEN_TYPES.iter().any(|(k, _, _)| *k == kind), "{kind:?}");
        }
    }
}
