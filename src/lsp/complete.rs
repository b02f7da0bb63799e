//! Completion of actor names (`textDocument/completion`): while the writer types a capitalised
//! word (or "al-…"), the knowledge base's names that start with it, as LSP completion items that
//! replace the typed prefix. The matching is [`crate::kb::KnowledgeBase::complete_at`].

use tower_lsp_server::ls_types::{
    CompletionItem, CompletionItemKind, CompletionList, CompletionResponse, CompletionTextEdit, Documentation,
    MarkupContent, MarkupKind, Position, TextEdit,
};

use super::convert::{lsp_range, offset};
use super::document::Snapshot;
use crate::kb::{ActorKind, Rank};
use crate::text::Encoding;

/// At most this many items are sent; the list is marked incomplete when more names match.
pub const MAX_ITEMS: usize = 50;

/// The completion item kind for an actor kind: the same families as the semantic tokens'
/// standard super-types (`docs/semantic-tokens.md`), where LSP has one.
pub fn item_kind(kind: ActorKind) -> CompletionItemKind {
    match kind {
        ActorKind::ArmedGroup => CompletionItemKind::CLASS,
        ActorKind::StateForce => CompletionItemKind::STRUCT,
        ActorKind::State => CompletionItemKind::MODULE,
        ActorKind::Person => CompletionItemKind::VARIABLE,
        ActorKind::Place => CompletionItemKind::ENUM_MEMBER,
        ActorKind::Media => CompletionItemKind::INTERFACE,
        ActorKind::PoliticalBody => CompletionItemKind::CONSTANT,
        ActorKind::Coalition => CompletionItemKind::ENUM,
        ActorKind::InternationalOrg => CompletionItemKind::TYPE_PARAMETER,
    }
}

/// The completion list at `pos`, or `None` when no name is being typed there.
pub fn completion(snap: &Snapshot, pos: Position, enc: Encoding) -> Option<CompletionResponse> {
    if snap.too_large {
        return None;
    }
    let kb = &snap.config.kb;
    let at = offset(&snap.rope, pos, enc);
    let style = snap.config.settings.style.as_ref();
    let (range, found) = kb.complete_at(&snap.text, at, style, MAX_ITEMS)?;
    let replace = lsp_range(&snap.rope, &range, enc);
    let items = found
        .candidates
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let actor = kb.actor(c.name.actor);
            let name = kb.name(c.name);
            let mut doc = format!("**{}** ({})\n\n{}", actor.name(), actor.kind.label(), actor.description);
            if c.rank == Rank::Preferred {
                doc = format!("*The house style's name for {}.*\n\n{doc}", actor.name());
            }
            if let Some(note) = name.note.as_deref().filter(|_| c.name.name != 0) {
                doc.push_str(&format!("\n\n`{}`: {note}", name.text));
            }
            CompletionItem {
                label: name.text.clone(),
                kind: Some(item_kind(actor.kind)),
                detail: Some(format!("{} · {}", actor.kind.label(), actor.name())),
                documentation: Some(Documentation::MarkupContent(MarkupContent {
                    kind: MarkupKind::Markdown,
                    value: doc,
                })),
                preselect: (i == 0).then_some(true),
                sort_text: Some(format!("{i:03}")),
                filter_text: c.filter.clone(),
                text_edit: Some(CompletionTextEdit::Edit(TextEdit { range: replace, new_text: name.text.clone() })),
                ..Default::default()
            }
        })
        .collect();
    Some(CompletionResponse::List(CompletionList { is_incomplete: found.incomplete, items }))
}
