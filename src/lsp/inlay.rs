//! Inlay hints (`textDocument/inlayHint`): after a mention written with an alias, the actor's
//! canonical name (`ISIS` → ` (Islamic State)`), for readers who do not know every name. Off
//! unless the editor setting `inlayHints` is on.

use std::ops::Range;

use tower_lsp_server::ls_types::{InlayHint, InlayHintLabel, InlayHintTooltip, MarkupContent, MarkupKind};

use super::convert::lsp_position;
use super::document::Snapshot;
use crate::text::fold::fold_str;
use crate::text::Encoding;

/// The hints for the mentions that overlap `range` (bytes of the snapshot's text).
pub fn hints(snap: &Snapshot, range: Range<usize>, enc: Encoding) -> Vec<InlayHint> {
    let kb = &snap.config.kb;
    snap.analysis
        .mentions_in(range)
        .into_iter()
        .filter(|m| m.others.is_empty())
        .filter_map(|m| {
            let actor = kb.actor(m.actor());
            let canonical = actor.name();
            let written = &snap.text[m.range.clone()];
            if m.name.name == 0 || fold_str(written) == fold_str(canonical) {
                return None;
            }
            // "ISIS (Islamic State)" already says it.
            let after = snap.text[m.range.end..].trim_start().trim_start_matches('(');
            if after.starts_with(canonical) {
                return None;
            }
            Some(InlayHint {
                position: lsp_position(&snap.rope, m.range.end, enc),
                label: InlayHintLabel::String(format!("({canonical})")),
                kind: None,
                text_edits: None,
                tooltip: Some(InlayHintTooltip::MarkupContent(MarkupContent {
                    kind: MarkupKind::Markdown,
                    value: format!("**{canonical}** ({})\n\n{}", actor.kind.label(), actor.description),
                })),
                padding_left: Some(true),
                padding_right: None,
                data: None,
            })
        })
        .collect()
}
