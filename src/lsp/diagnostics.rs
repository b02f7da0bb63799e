//! Findings as LSP diagnostics and code actions (their fixes, then the "Ignore" actions of
//! [`super::ignore`]).

use serde::ser::{SerializeSeq, SerializeStruct};
use serde::{Serialize, Serializer};
use tower_lsp_server::ls_types::{
    CodeAction, CodeActionKind, Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, DocumentChanges,
    Location, NumberOrString, OneOf, OptionalVersionedTextDocumentIdentifier, Range as LspRange, TextDocumentEdit,
    TextEdit, Uri, WorkspaceEdit,
};

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

pub fn diagnostic(uri: &Uri, snap: &Snapshot, f: &Finding, enc: Encoding) -> Diagnostic {
    let related: Vec<DiagnosticRelatedInformation> = f
        .related
        .iter()
        .map(|r| DiagnosticRelatedInformation {
            location: Location { uri: uri.clone(), range: snap.lsp_range(&r.range, enc) },
            message: r.message.to_string(),
        })
        .collect();
    Diagnostic {
        range: snap.lsp_range(&f.range, enc),
        severity: Some(severity(f.severity())),
        code: Some(NumberOrString::String(f.code().to_string())),
        source: Some("frontline".into()),
        message: f.message.to_string(),
        related_information: (!related.is_empty()).then_some(related),
        ..Default::default()
    }
}

/// Every finding of a snapshot as diagnostics.
pub fn diagnostics(uri: &Uri, snap: &Snapshot, enc: Encoding) -> Vec<Diagnostic> {
    snap.analysis.findings.iter().map(|f| diagnostic(uri, snap, f, enc)).collect()
}

/// The `publishDiagnostics` parameters of a snapshot, serialised straight from its findings: the
/// same JSON as [`PublishDiagnosticsParams`] of [`diagnostics`], without building (and then
/// dropping) a `Diagnostic` with five allocations for each finding. A 1 MB story has thousands.
pub struct Publication<'a> {
    pub uri: &'a Uri,
    pub snap: &'a Snapshot,
    pub enc: Encoding,
}

impl Serialize for Publication<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("PublishDiagnosticsParams", 3)?;
        st.serialize_field("uri", self.uri)?;
        st.serialize_field("diagnostics", &Findings(self))?;
        st.serialize_field("version", &self.snap.version)?;
        st.end()
    }
}

struct Findings<'a>(&'a Publication<'a>);

impl Serialize for Findings<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let Publication { uri, snap, enc } = *self.0;
        let mut seq = s.serialize_seq(Some(snap.analysis.findings.len()))?;
        for f in &snap.analysis.findings {
            seq.serialize_element(&DiagnosticView {
                range: snap.lsp_range(&f.range, enc),
                severity: severity(f.severity()),
                code: f.code(),
                source: "frontline",
                message: &f.message,
                related_information: (!f.related.is_empty()).then_some(RelatedView { uri, snap, f, enc }),
            })?;
        }
        seq.end()
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DiagnosticView<'a> {
    range: LspRange,
    severity: DiagnosticSeverity,
    code: &'a str,
    source: &'a str,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    related_information: Option<RelatedView<'a>>,
}

struct RelatedView<'a> {
    uri: &'a Uri,
    snap: &'a Snapshot,
    f: &'a Finding,
    enc: Encoding,
}

impl Serialize for RelatedView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.f.related.iter().map(|r| DiagnosticRelatedInformation {
            location: Location { uri: self.uri.clone(), range: self.snap.lsp_range(&r.range, self.enc) },
            message: r.message.to_string(),
        }))
    }
}

/// A workspace edit of `edits` (byte ranges in the snapshot's text) that carries the snapshot's
/// version, so a client never applies it to newer text.
pub fn versioned_edit(uri: &Uri, snap: &Snapshot, edits: &[Edit], enc: Encoding) -> WorkspaceEdit {
    let edits = edits
        .iter()
        .map(|e| OneOf::Left(TextEdit { range: snap.lsp_range(&e.range, enc), new_text: e.text.to_string() }))
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
        let diag = diagnostic(uri, snap, f, enc);
        for fix in &f.fixes {
            if out.iter().any(|a| *a.title == *fix.title) {
                continue;
            }
            out.push(CodeAction {
                title: fix.title.to_string(),
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

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use ropey::Rope;
    use tower_lsp_server::ls_types::PublishDiagnosticsParams;

    use super::*;
    use crate::kb::KnowledgeBase;
    use crate::lsp::projects::Projects;
    use crate::text::markdown::Flavor;

    #[test]
    fn a_publication_is_the_json_of_the_diagnostics() {
        let base = Projects::new(Arc::new(KnowledgeBase::builtin().expect("the built-in knowledge base loads"))).base();
        // Every seed, and one with CRLF line ends, Arabic and an emoji before the findings.
        let mut texts: Vec<String> = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/seeds/articles"))
            .expect("seeds")
            .map(|e| std::fs::read_to_string(e.expect("entry").path()).expect("seed"))
            .collect();
        texts.push(format!("الرقة 🙂 Daesh and ISIS.\r\n\r\n{}", texts[0].replace('\n', "\r\n")));
        let uri: Uri = "file:///story.md".parse().expect("uri");
        let mut related = 0;
        for text in &texts {
            let snap = Snapshot::build(base.clone(), Rope::from_str(text), 3, Flavor::Markdown, None);
            related += snap.analysis.findings.iter().filter(|f| !f.related.is_empty()).count();
            for enc in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
                let owned = PublishDiagnosticsParams {
                    uri: uri.clone(),
                    diagnostics: diagnostics(&uri, &snap, enc),
                    version: Some(3),
                };
                let direct = serde_json::to_value(Publication { uri: &uri, snap: &snap, enc }).expect("serialises");
                assert_eq!(direct, serde_json::to_value(&owned).expect("serialises"));
            }
        }
        assert!(related > 0, "some finding has related information");
    }
}
