//! The "Ignore" code actions offered on every finding: a suppression comment above the finding's
//! line, or one for the whole story. The comments are built by [`crate::analysis::suppress`]; this
//! file only turns them into versioned document edits.

use tower_lsp_server::ls_types::{CodeAction, CodeActionKind, Diagnostic, Uri};

use super::diagnostics::versioned_edit;
use super::document::Snapshot;
use crate::analysis::suppress::{ignore_here, ignore_in_file};
use crate::analysis::Finding;
use crate::text::Encoding;

/// "Ignore this finding here" and "Ignore CODE in this file" for `f`; nothing for the findings of
/// the suppression rules themselves (those are removed by deleting the comment).
pub fn ignore_actions(uri: &Uri, snap: &Snapshot, f: &Finding, diag: &Diagnostic, enc: Encoding) -> Vec<CodeAction> {
    let code = f.code();
    if code.starts_with("suppression/") {
        return Vec::new();
    }
    let here = ignore_here(&snap.text, f.range.start, code);
    let file = ignore_in_file(&snap.text, snap.flavor, code);
    [(format!("Ignore this finding here (`{code}`)"), here), (format!("Ignore `{code}` in this file"), file)]
        .into_iter()
        .map(|(title, edit)| CodeAction {
            title,
            kind: Some(CodeActionKind::QUICKFIX),
            diagnostics: Some(vec![diag.clone()]),
            edit: Some(versioned_edit(uri, snap, std::slice::from_ref(&edit), enc)),
            is_preferred: Some(false),
            ..Default::default()
        })
        .collect()
}
