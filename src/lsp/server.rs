//! The `LanguageServer` implementation: requests in, analysis out.

use std::sync::{Arc, RwLock};

use dashmap::DashMap;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer, LspService, Server};

use super::convert::{encoding_kind, lsp_range, negotiate, offset};
use super::document::{flavor_of, ChangeRejected, Document, Snapshot};
use super::semantic;
use crate::analysis::card::{card, Usage};
use crate::kb::KnowledgeBase;
use crate::text::Encoding;

/// Handlers run concurrently up to this many at a time (tower-lsp's default is 4, which can wedge
/// a server that waits on the client while four requests are pending).
const CONCURRENCY: usize = 32;

/// The server's state. Cheap to share: every field is behind its own lock or map.
pub struct Backend {
    client: Client,
    docs: DashMap<Uri, Document>,
    kb: RwLock<Arc<KnowledgeBase>>,
    encoding: RwLock<Encoding>,
}

macro_rules! log {
    ($($arg:tt)*) => { eprintln!("[frontline] {}", format_args!($($arg)*)) };
}

impl Backend {
    pub fn new(client: Client, kb: Arc<KnowledgeBase>) -> Backend {
        Backend { client, docs: DashMap::new(), kb: RwLock::new(kb), encoding: RwLock::new(Encoding::Utf16) }
    }

    fn kb(&self) -> Arc<KnowledgeBase> {
        match self.kb.read() {
            Ok(kb) => kb.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    fn encoding(&self) -> Encoding {
        self.encoding.read().map(|e| *e).unwrap_or_default()
    }

    /// The current snapshot of a document; the map guard is released before this returns.
    fn snapshot(&self, uri: &Uri) -> Option<Arc<Snapshot>> {
        self.docs.get(uri).map(|d| d.snapshot.clone())
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let enc = negotiate(&params.capabilities);
        if let Ok(mut e) = self.encoding.write() {
            *e = enc;
        }
        log!("initialize: position encoding {enc:?}");
        Ok(InitializeResult {
            offset_encoding: None,
            server_info: Some(ServerInfo { name: "frontline".into(), version: Some(env!("CARGO_PKG_VERSION").into()) }),
            capabilities: ServerCapabilities {
                position_encoding: Some(encoding_kind(enc)),
                text_document_sync: Some(TextDocumentSyncCapability::Options(TextDocumentSyncOptions {
                    open_close: Some(true),
                    change: Some(TextDocumentSyncKind::INCREMENTAL),
                    ..Default::default()
                })),
                hover_provider: Some(HoverProviderCapability::Simple(true)),
                document_highlight_provider: Some(OneOf::Left(true)),
                semantic_tokens_provider: Some(
                    SemanticTokensOptions {
                        legend: semantic::legend(),
                        range: Some(true),
                        full: Some(SemanticTokensFullOptions::Bool(true)),
                        ..Default::default()
                    }
                    .into(),
                ),
                ..Default::default()
            },
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        let kb = self.kb();
        let message = format!("frontline ready: {} actors, {} names", kb.actors().len(), kb.name_count());
        log!("{message}");
        self.client.log_message(MessageType::INFO, message).await;
    }

    async fn shutdown(&self) -> Result<()> {
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let doc = params.text_document;
        let Some(flavor) = flavor_of(&doc.language_id) else {
            log!("not reading {} (language id `{}`)", doc.uri.as_str(), doc.language_id);
            return;
        };
        let kb = self.kb();
        self.docs.insert(doc.uri, Document::open(&kb, &doc.text, doc.version, flavor));
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let kb = self.kb();
        let enc = self.encoding();
        let uri = params.text_document.uri;
        let version = params.text_document.version;
        let outcome = match self.docs.get_mut(&uri) {
            Some(mut doc) => Some(doc.change(&kb, version, &params.content_changes, enc)),
            None => None,
        };
        match outcome {
            None => log!("change for a document that is not open: {}", uri.as_str()),
            Some(Err(ChangeRejected::Stale { held, got })) => {
                log!("ignoring change to {} for version {got}: version {held} is newer", uri.as_str())
            }
            Some(Ok(())) => {}
        }
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        self.docs.remove(&params.text_document.uri);
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let pos = params.text_document_position_params;
        let Some(snap) = self.snapshot(&pos.text_document.uri) else {
            return Ok(None);
        };
        let enc = self.encoding();
        let kb = self.kb();
        let at = offset(&snap.rope, pos.position, enc);
        let Some(m) = snap.analysis.mention_at(at) else {
            return Ok(None);
        };
        let usage = Usage {
            here: Some((snap.text[m.range.clone()].to_string(), m.name)),
            forms: snap.analysis.forms_of(&snap.text, m.actor()),
        };
        let mut value = card(&kb, m.actor(), Some(&usage)).to_markdown();
        if !m.others.is_empty() {
            let names: Vec<&str> = m.others.iter().map(|&a| kb.actor(a).name()).collect();
            value = format!("*Ambiguous: this form also names {}.*\n\n{value}", names.join(", "));
        }
        Ok(Some(Hover {
            contents: HoverContents::Markup(MarkupContent { kind: MarkupKind::Markdown, value }),
            range: Some(lsp_range(&snap.rope, &m.range, enc)),
        }))
    }

    async fn document_highlight(&self, params: DocumentHighlightParams) -> Result<Option<Vec<DocumentHighlight>>> {
        let pos = params.text_document_position_params;
        let Some(snap) = self.snapshot(&pos.text_document.uri) else {
            return Ok(None);
        };
        let enc = self.encoding();
        let at = offset(&snap.rope, pos.position, enc);
        let Some(m) = snap.analysis.mention_at(at) else {
            return Ok(None);
        };
        let highlights = snap
            .analysis
            .mentions_of(m.actor())
            .map(|o| DocumentHighlight {
                range: lsp_range(&snap.rope, &o.range, enc),
                kind: Some(DocumentHighlightKind::TEXT),
            })
            .collect();
        Ok(Some(highlights))
    }

    async fn semantic_tokens_full(&self, params: SemanticTokensParams) -> Result<Option<SemanticTokensResult>> {
        let Some(snap) = self.snapshot(&params.text_document.uri) else {
            return Ok(None);
        };
        let data = semantic::tokens(&self.kb(), &snap.rope, &snap.text, &snap.analysis.mentions, self.encoding());
        Ok(Some(SemanticTokensResult::Tokens(SemanticTokens { result_id: None, data })))
    }

    async fn semantic_tokens_range(
        &self,
        params: SemanticTokensRangeParams,
    ) -> Result<Option<SemanticTokensRangeResult>> {
        let Some(snap) = self.snapshot(&params.text_document.uri) else {
            return Ok(None);
        };
        let enc = self.encoding();
        let range = super::convert::byte_range(&snap.rope, params.range, enc);
        let mentions = snap.analysis.mentions_in(range);
        let data = semantic::tokens(&self.kb(), &snap.rope, &snap.text, mentions, enc);
        Ok(Some(SemanticTokensRangeResult::Tokens(SemanticTokens { result_id: None, data })))
    }
}

/// Runs the language server on stdin/stdout until the client says `exit`; returns the exit code.
pub fn run_stdio() -> u8 {
    let kb = match KnowledgeBase::builtin() {
        Ok(kb) => Arc::new(kb),
        Err(e) => {
            log!("cannot load the built-in knowledge base: {e}");
            return 4;
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            log!("cannot start the async runtime: {e}");
            return 3;
        }
    };
    runtime.block_on(async {
        let (service, socket) = LspService::new(|client| Backend::new(client, kb));
        Server::new(tokio::io::stdin(), tokio::io::stdout(), socket)
            .concurrency_level(CONCURRENCY)
            .serve(service)
            .await;
    });
    0
}
