//! Findings as LSP diagnostics and code actions (their fixes, then the "Ignore" actions of
//! [`super::ignore`]).

use std::collections::HashMap;
use std::sync::Arc;

use tower_lsp_server::ls_types::{
    CodeAction, CodeActionKind, Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, DocumentChanges,
    Location, NumberOrString, OneOf, OptionalVersionedTextDocumentIdentifier, TextDocumentEdit, TextEdit, Uri,
    WorkspaceEdit,
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

/// The JSON of finding messages, kept from one publication of a document to the next: a message
/// is escaped once, not on every keystroke (a finding that an edit moves keeps its message, which
/// is shared). Entries not used by the latest publication are dropped once they outnumber it.
#[derive(Default)]
pub struct Escaped {
    /// By the address of the message's text: the entry holds the text, so the address cannot be
    /// reused while it is here.
    map: HashMap<usize, EscapedText>,
    round: u64,
}

/// A message, its JSON string, and the last publication that used it.
struct EscapedText {
    text: Arc<str>,
    json: Box<[u8]>,
    round: u64,
}

impl Escaped {
    fn write(&mut self, out: &mut Vec<u8>, s: &Arc<str>) {
        let round = self.round;
        let entry = self.map.entry(s.as_ptr() as usize).or_insert_with(|| {
            let json = serde_json::to_vec(&**s).unwrap_or_else(|_| b"\"\"".to_vec());
            EscapedText { text: s.clone(), json: json.into_boxed_slice(), round }
        });
        debug_assert!(Arc::ptr_eq(&entry.text, s));
        entry.round = round;
        out.extend_from_slice(&entry.json);
    }
}

/// The whole `textDocument/publishDiagnostics` notification of a snapshot, written by hand: the
/// JSON of [`diagnostics`] without building a `Diagnostic` (five allocations) for each finding,
/// with messages escaped once (`cache`) and numbers written straight into the buffer. A 1 MB
/// story has thousands of findings.
pub fn publication_body(uri: &Uri, snap: &Snapshot, enc: Encoding, cache: &mut Escaped) -> Vec<u8> {
    cache.round += 1;
    let findings = &snap.analysis.findings;
    let uri_json = serde_json::to_vec(uri).unwrap_or_else(|_| b"\"\"".to_vec());
    // Enough room for the whole body (a 1 MB story's is 1 MB): growing the buffer would copy it.
    let room = |f: &Finding| {
        let related: usize = f.related.iter().map(|r| 128 + uri_json.len() + r.message.len()).sum();
        192 + f.message.len() + related
    };
    let mut out: Vec<u8> = Vec::with_capacity(256 + uri_json.len() + findings.iter().map(room).sum::<usize>());
    out.extend_from_slice(br#"{"jsonrpc":"2.0","method":"textDocument/publishDiagnostics","params":{"uri":"#);
    out.extend_from_slice(&uri_json);
    out.extend_from_slice(br#","diagnostics":["#);
    let mut num = itoa::Buffer::new();
    let mut range = |out: &mut Vec<u8>, r: &std::ops::Range<usize>| {
        let r = snap.lsp_range(r, enc);
        for (key, n) in [
            (&br#"{"start":{"line":"#[..], r.start.line),
            (br#","character":"#, r.start.character),
            (br#"},"end":{"line":"#, r.end.line),
            (br#","character":"#, r.end.character),
        ] {
            out.extend_from_slice(key);
            out.extend_from_slice(num.format(n).as_bytes());
        }
        out.extend_from_slice(b"}}");
    };
    for (i, f) in findings.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(br#"{"range":"#);
        range(&mut out, &f.range);
        let severity = match f.severity() {
            Severity::Error => b'1',
            Severity::Warning => b'2',
            Severity::Information => b'3',
            Severity::Hint => b'4',
        };
        out.extend_from_slice(br#","severity":"#);
        out.push(severity);
        // Codes are ASCII without quotes or backslashes (rule table).
        out.extend_from_slice(br#","code":""#);
        out.extend_from_slice(f.code().as_bytes());
        out.extend_from_slice(br#"","source":"frontline","message":"#);
        cache.write(&mut out, &f.message);
        if !f.related.is_empty() {
            out.extend_from_slice(br#","relatedInformation":["#);
            for (j, r) in f.related.iter().enumerate() {
                if j > 0 {
                    out.push(b',');
                }
                out.extend_from_slice(br#"{"location":{"uri":"#);
                out.extend_from_slice(&uri_json);
                out.extend_from_slice(br#","range":"#);
                range(&mut out, &r.range);
                out.extend_from_slice(br#"},"message":"#);
                cache.write(&mut out, &r.message);
                out.push(b'}');
            }
            out.push(b']');
        }
        out.push(b'}');
    }
    out.extend_from_slice(br#"],"version":"#);
    out.extend_from_slice(num.format(snap.version).as_bytes());
    out.extend_from_slice(b"}}");
    let used = cache.map.values().filter(|e| e.round == cache.round).count();
    if cache.map.len() > 2 * used + 1024 {
        let round = cache.round;
        cache.map.retain(|_, e| e.round == round);
    }
    out
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
        for fix in f.fixes.iter() {
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
    fn a_publication_body_is_the_json_of_the_diagnostics() {
        let base = Projects::new(Arc::new(KnowledgeBase::builtin().expect("the built-in knowledge base loads"))).base();
        // Every seed, and one with CRLF line ends, Arabic and an emoji before the findings.
        let mut texts: Vec<String> = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/seeds/articles"))
            .expect("seeds")
            .map(|e| std::fs::read_to_string(e.expect("entry").path()).expect("seed"))
            .collect();
        texts.push(format!("الرقة 🙂 Daesh and ISIS.\r\n\r\n{}", texts[0].replace('\n', "\r\n")));
        let uri: Uri = "file:///story.md".parse().expect("uri");
        let mut cache = Escaped::default();
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
                let body = publication_body(&uri, &snap, enc, &mut cache);
                let direct: serde_json::Value = serde_json::from_slice(&body).expect("valid JSON");
                assert_eq!(direct["method"], "textDocument/publishDiagnostics");
                assert_eq!(direct["params"], serde_json::to_value(&owned).expect("serialises"));
            }
        }
        assert!(related > 0, "some finding has related information");
    }
}
