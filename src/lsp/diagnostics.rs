//! Findings as LSP diagnostics and code actions (their fixes, then the "Ignore" actions of
//! [`super::ignore`]).

use ropey::Rope;
use tower_lsp_server::ls_types::{
    CodeAction, CodeActionKind, Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, DocumentChanges,
    Location, NumberOrString, OneOf, OptionalVersionedTextDocumentIdentifier, TextDocumentEdit, TextEdit, Uri,
    WorkspaceEdit,
};

use super::convert::lsp_range;
use super::document::Snapshot;
use super::ignore::ignore_actions;
use crate::analysis::findings::Edit;
use crate::analysis::{Finding, Severity};
use crate::text::Encoding;

fn severity(s: Severity) -> DiagnosticSeverity {
    match s {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Information => DiagnosticSeverity::INFORMATION,
        Severity::Hint => DiagnosticSeverity::HINT,
    }
}

pub fn diagnostic(uri: &Uri, rope: &Rope, f: &Finding, enc: Encoding) -> Diagnostic {
    let related: Vec<DiagnosticRelatedInformation> = f
        .related
        .iter()
        .map(|r| DiagnosticRelatedInformation {
            location: Location { uri: uri.clone(), range: lsp_range(rope, &r.range, enc) },
            message: r.message.clone(),
        })
        .collect();
    Diagnostic {
        range: lsp_range(rope, &f.range, enc),
        severity: Some(severity(f.severity())),
        code: Some(NumberOrString::String(f.code().to_string())),
        source: Some("frontline".into()),
        message: f.message.clone(),
        related_information: (!related.is_empty()).then_some(related),
        ..Default::default()
    }
}

/// Every finding of a snapshot as diagnostics.
pub fn diagnostics(uri: &Uri, snap: &Snapshot, enc: Encoding) -> Vec<Diagnostic> {
    snap.analysis.findings.iter().map(|f| diagnostic(uri, &snap.rope, f, enc)).collect()
}

/// A workspace edit of `edits` (byte ranges in the snapshot's text) that carries the snapshot's
/// version, so a client never applies it to newer text.
pub fn versioned_edit(uri: &Uri, snap: &Snapshot, edits: &[Edit], enc: Encoding) -> WorkspaceEdit {
    let edits = edits
        .iter()
        .map(|e| OneOf::Left(TextEdit { range: lsp_range(&snap.rope, &e.range, enc), new_text: e.text.clone() }))
        .collect();
    let doc_edit = TextDocumentEdit {
        text_document: OptionalVersionedTextDocumentIdentifier { uri: uri.clone(), version: Some(snap.version) },
        edits,
    };
    WorkspaceEdit { document_changes: Some(DocumentChanges::Edits(vec![doc_edit])), ..Default::default() }
}

/// The quick fixes of the findings that overlap `range` (byte offsets), as code actions whose edits
/// carry the snapshot's version, so a client never applies them to newer text; then, for each of
/// those findings, the actions that ignore it ([`super::ignore`]).
pub fn code_actions(uri: &Uri, snap: &Snapshot, range: std::ops::Range<usize>, enc: Encoding) -> Vec<CodeAction> {
    let mut out: Vec<CodeAction> = Vec::new();
    let mut ignores: Vec<CodeAction> = Vec::new();
    for f in &snap.analysis.findings {
        let touches = f.range.start <= range.end && range.start <= f.range.end;
        if !touches {
            continue;
        }
        let diag = diagnostic(uri, &snap.rope, f, enc);
        for fix in &f.fixes {
            if out.iter().any(|a| a.title == fix.title) {
                continue;
            }
            out.push(CodeAction {
                title: fix.title.clone(),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![diag.clone()]),
                edit: Some(versioned_edit(uri, snap, &fix.edits, enc)),
                is_preferred: Some(fix.preferred),
                ..Default::default()
            });
        }
        for a in ignore_actions(uri, snap, f, &diag, enc) {
            // Two findings of one code on one line are ignored by one comment.
            if !ignores.iter().any(|b| b.title == a.title && b.edit == a.edit) {
                ignores.push(a);
            }
        }
    }
    out.extend(ignores);
    out
}
