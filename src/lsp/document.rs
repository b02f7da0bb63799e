//! Open documents: a rope per document, its version, and the analysis of that version.

use std::sync::Arc;

use ropey::Rope;
use tower_lsp_server::ls_types::TextDocumentContentChangeEvent;

use super::convert;
use crate::analysis::{analyze, Analysis, Settings};
use crate::kb::KnowledgeBase;
use crate::text::markdown::Flavor;
use crate::text::Encoding;

/// One version of a document with its analysis. Immutable: handlers clone the `Arc` and release
/// the store before doing any work.
#[derive(Debug)]
pub struct Snapshot {
    pub version: i32,
    pub flavor: Flavor,
    pub rope: Rope,
    pub text: String,
    pub analysis: Analysis,
}

impl Snapshot {
    pub fn new(kb: &KnowledgeBase, settings: &Settings, rope: Rope, version: i32, flavor: Flavor) -> Snapshot {
        let text = rope.to_string();
        let settings = Settings { flavor, style: settings.style.clone() };
        let analysis = analyze(kb, &text, &settings);
        Snapshot { version, flavor, rope, text, analysis }
    }
}

/// An open document.
#[derive(Debug)]
pub struct Document {
    pub rope: Rope,
    pub version: i32,
    pub flavor: Flavor,
    pub snapshot: Arc<Snapshot>,
}

/// The flavour for an LSP language id, or `None` for languages we do not read.
pub fn flavor_of(language_id: &str) -> Option<Flavor> {
    match language_id {
        "markdown" | "mdx" => Some(Flavor::Markdown),
        "plaintext" | "text" => Some(Flavor::Plain),
        _ => None,
    }
}

/// Why a change was not applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeRejected {
    /// The change's version is not newer than the one held.
    Stale { held: i32, got: i32 },
}

impl Document {
    pub fn open(kb: &KnowledgeBase, settings: &Settings, text: &str, version: i32, flavor: Flavor) -> Document {
        let rope = Rope::from_str(text);
        let snapshot = Arc::new(Snapshot::new(kb, settings, rope.clone(), version, flavor));
        Document { rope, version, flavor, snapshot }
    }

    /// Applies the changes of one `didChange` in order and re-analyses.
    pub fn change(
        &mut self,
        kb: &KnowledgeBase,
        settings: &Settings,
        version: i32,
        changes: &[TextDocumentContentChangeEvent],
        enc: Encoding,
    ) -> Result<(), ChangeRejected> {
        if version <= self.version {
            return Err(ChangeRejected::Stale { held: self.version, got: version });
        }
        for c in changes {
            convert::apply(&mut self.rope, c, enc);
        }
        self.version = version;
        self.reanalyze(kb, settings);
        Ok(())
    }

    /// Re-analyses the current text (after an edit, or when the knowledge base changed).
    pub fn reanalyze(&mut self, kb: &KnowledgeBase, settings: &Settings) {
        self.snapshot = Arc::new(Snapshot::new(kb, settings, self.rope.clone(), self.version, self.flavor));
    }
}
