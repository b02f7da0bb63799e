//! References and rename: every place the open documents and the workspace's files name the actor
//! under the cursor (`textDocument/references`), and renaming an actor in one story
//! (`textDocument/prepareRename`, `textDocument/rename`), whose edits come from
//! [`crate::analysis::rename`].

use std::collections::HashMap;
use std::sync::Arc;

use tower_lsp_server::jsonrpc::Error;
use tower_lsp_server::ls_types::{
    DocumentChanges, Location, OneOf, OptionalVersionedTextDocumentIdentifier, PrepareRenameResponse, TextDocumentEdit,
    TextEdit, Uri, WorkspaceEdit,
};

use super::convert::lsp_range;
use super::document::Snapshot;
use super::workspace::FileIndex;
use crate::analysis::rename::{self, RenameError};
use crate::text::pos::Near;
use crate::text::Encoding;

/// Every mention of the actor at byte offset `at` of `snap` (the document `uri`): in it, in the
/// other open documents (`open`, which must not include `uri`) and in the indexed files (`index`,
/// which must not include open documents). `None` when the cursor is not on a mention.
pub fn references(
    uri: &Uri,
    snap: &Snapshot,
    at: usize,
    enc: Encoding,
    open: &[(Uri, Arc<Snapshot>)],
    index: &[(Uri, Arc<FileIndex>)],
) -> Option<Vec<Location>> {
    let m = snap.analysis.mention_at(at)?;
    let id = snap.config.kb.actor(m.actor()).id.clone();
    // (Each list is in text order: its positions are found each from the one before.)
    let mut near = Near::default();
    let mut out: Vec<Location> = snap
        .analysis
        .mentions_of(m.actor())
        .map(|o| Location { uri: uri.clone(), range: snap.lsp_range_near(&o.range, enc, &mut near) })
        .collect();
    for (other, s) in open {
        // Each snapshot indexes its own knowledge base: find the actor there by its id.
        let Some(actor) = s.config.kb.by_id(&id) else { continue };
        let mut near = Near::default();
        out.extend(
            s.analysis
                .mentions_of(actor)
                .map(|o| Location { uri: other.clone(), range: s.lsp_range_near(&o.range, enc, &mut near) }),
        );
    }
    for (file, entry) in index {
        if let Some(ranges) = entry.mentions.get(&id) {
            out.extend(ranges.iter().map(|r| Location { uri: file.clone(), range: *r }));
        }
    }
    Some(out)
}

/// A rename's refusal as the LSP error the user reads.
pub fn invalid(e: RenameError) -> Error {
    Error::invalid_params(format!("frontline: {e}"))
}

/// The range and text of the mention a rename would start from; `Ok(None)` off a mention, an error
/// on a mention that is not in the writer's own words.
pub fn prepare_rename(snap: &Snapshot, at: usize, enc: Encoding) -> Result<Option<PrepareRenameResponse>, Error> {
    match rename::target(&snap.analysis, at) {
        Ok(m) => {
            let written = snap.text[m.range.clone()].split_whitespace().collect::<Vec<_>>().join(" ");
            Ok(Some(PrepareRenameResponse::RangeWithPlaceholder {
                range: lsp_range(&snap.rope, &m.range, enc),
                placeholder: written,
            }))
        }
        Err(RenameError::NotAMention) => Ok(None),
        Err(e) => Err(invalid(e)),
    }
}

/// The edit that renames the actor at `at` to `new` in this document, tied to the snapshot's
/// version when the client takes versioned document changes.
pub fn rename(
    uri: &Uri,
    snap: &Snapshot,
    at: usize,
    new: &str,
    enc: Encoding,
    document_changes: bool,
) -> Result<Option<WorkspaceEdit>, RenameError> {
    let r = match rename::rename(&snap.config.kb, &snap.analysis, &snap.text, at, new) {
        Ok(r) => r,
        Err(RenameError::NotAMention) => return Ok(None),
        Err(e) => return Err(e),
    };
    let mut near = Near::default();
    let edits: Vec<TextEdit> = r
        .edits
        .iter()
        .map(|e| TextEdit { range: snap.lsp_range_near(&e.range, enc, &mut near), new_text: e.text.to_string() })
        .collect();
    Ok(Some(if document_changes {
        let doc_edit = TextDocumentEdit {
            text_document: OptionalVersionedTextDocumentIdentifier { uri: uri.clone(), version: Some(snap.version) },
            edits: edits.into_iter().map(OneOf::Left).collect(),
        };
        WorkspaceEdit { document_changes: Some(DocumentChanges::Edits(vec![doc_edit])), ..Default::default() }
    } else {
        WorkspaceEdit { changes: Some(HashMap::from([(uri.clone(), edits)])), ..Default::default() }
    }))
}
