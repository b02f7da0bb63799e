//! The `LanguageServer` implementation: requests in, analysis out.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use dashmap::DashMap;
use serde_json::Value;
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer, LspService, Server};

use super::convert::{byte_range, encoding_kind, lsp_range, negotiate, offset};
use super::diagnostics;
use super::document::{flavor_of, ChangeRejected, Document, Snapshot};
use super::semantic;
use crate::analysis::card::{card, Usage};
use crate::analysis::{Settings, Voice};
use crate::kb::{HouseStyle, KnowledgeBase};
use crate::text::Encoding;

/// Handlers run concurrently up to this many at a time (tower-lsp's default is 4, which can wedge
/// a server that waits on the client while four requests are pending).
const CONCURRENCY: usize = 32;

type Docs = Arc<DashMap<Uri, Document>>;

/// What the publisher task is asked to do.
enum Publish {
    /// Publish the current diagnostics of this document.
    Current(Uri),
    /// The document was closed: clear its diagnostics.
    Closed(Uri),
}

/// The server's state. Cheap to share: every field is behind its own lock or map.
pub struct Backend {
    client: Client,
    docs: Docs,
    kb: RwLock<Arc<KnowledgeBase>>,
    settings: RwLock<Arc<Settings>>,
    encoding: Arc<RwLock<Encoding>>,
    publish: UnboundedSender<Publish>,
}

macro_rules! log {
    ($($arg:tt)*) => { eprintln!("[frontline] {}", format_args!($($arg)*)) };
}

/// Publishes diagnostics, one document at a time, always from the document's current snapshot.
/// Being the only sender of `publishDiagnostics`, it can never publish an older version after a
/// newer one; requests that pile up while it sends are coalesced.
async fn publisher(client: Client, docs: Docs, encoding: Arc<RwLock<Encoding>>, mut rx: UnboundedReceiver<Publish>) {
    let mut published: HashMap<Uri, usize> = HashMap::new();
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        while let Ok(more) = rx.try_recv() {
            batch.push(more);
        }
        let mut latest: Vec<(Uri, bool)> = Vec::new();
        for p in batch {
            let (uri, open) = match p {
                Publish::Current(u) => (u, true),
                Publish::Closed(u) => (u, false),
            };
            latest.retain(|(u, _)| *u != uri);
            latest.push((uri, open));
        }
        let enc = encoding.read().map(|e| *e).unwrap_or_default();
        for (uri, open) in latest {
            let snap = if open { docs.get(&uri).map(|d| d.snapshot.clone()) } else { None };
            match snap {
                Some(snap) => {
                    let id = Arc::as_ptr(&snap) as usize;
                    if published.get(&uri) == Some(&id) {
                        continue;
                    }
                    let diags = diagnostics::diagnostics(&uri, &snap, enc);
                    published.insert(uri.clone(), id);
                    client.publish_diagnostics(uri, diags, Some(snap.version)).await;
                }
                None => {
                    if published.remove(&uri).is_some() || !open {
                        client.publish_diagnostics(uri, Vec::new(), None).await;
                    }
                }
            }
        }
    }
}

/// The editor-side settings we read: `{"style": "ap", "prefer": {"islamic-state": "ISIS"}}`, from
/// initialization options or from `workspace/didChangeConfiguration` (under a `frontline` key).
fn style_from(kb: &KnowledgeBase, v: &Value) -> std::result::Result<Option<HouseStyle>, String> {
    let v = v.get("frontline").unwrap_or(v);
    let mut style = match v.get("style").and_then(Value::as_str).filter(|s| !s.is_empty()) {
        Some(key) => Some(HouseStyle::preset(kb, key).map_err(|e| e.to_string())?),
        None => None,
    };
    if let Some(prefer) = v.get("prefer").and_then(Value::as_object) {
        let s = style.get_or_insert_with(HouseStyle::custom);
        for (id, form) in prefer {
            let form = form.as_str().ok_or_else(|| format!("prefer.{id} must be a string"))?;
            s.override_with(kb, &format!("{id}={form}")).map_err(|e| e.to_string())?;
        }
    }
    Ok(style)
}

impl Backend {
    pub fn new(client: Client, kb: Arc<KnowledgeBase>) -> Backend {
        let docs: Docs = Arc::new(DashMap::new());
        let encoding = Arc::new(RwLock::new(Encoding::Utf16));
        let (publish, rx) = unbounded_channel();
        tokio::spawn(publisher(client.clone(), docs.clone(), encoding.clone(), rx));
        Backend {
            client,
            docs,
            kb: RwLock::new(kb),
            settings: RwLock::new(Arc::new(Settings::default())),
            encoding,
            publish,
        }
    }

    fn settings(&self) -> Arc<Settings> {
        match self.settings.read() {
            Ok(s) => s.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Applies editor settings; on success re-analyses every open document and republishes.
    fn configure(&self, v: &Value) -> std::result::Result<(), String> {
        let kb = self.kb();
        let style = style_from(&kb, v)?;
        let settings = Arc::new(Settings { flavor: Default::default(), style });
        if let Ok(mut s) = self.settings.write() {
            *s = settings.clone();
        }
        for mut doc in self.docs.iter_mut() {
            doc.reanalyze(&kb, &settings);
            let _ = self.publish.send(Publish::Current(doc.key().clone()));
        }
        Ok(())
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
        if let Some(options) = &params.initialization_options {
            if let Err(e) = self.configure(options) {
                log!("initialization options ignored: {e}");
                let client = self.client.clone();
                tokio::spawn(async move {
                    client.show_message(MessageType::WARNING, format!("frontline: {e}")).await;
                });
            }
        }
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
                code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
                    code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
                    ..Default::default()
                })),
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
        let settings = self.settings();
        self.docs.insert(doc.uri.clone(), Document::open(&kb, &settings, &doc.text, doc.version, flavor));
        let _ = self.publish.send(Publish::Current(doc.uri));
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let kb = self.kb();
        let settings = self.settings();
        let enc = self.encoding();
        let uri = params.text_document.uri;
        let version = params.text_document.version;
        let outcome = match self.docs.get_mut(&uri) {
            Some(mut doc) => Some(doc.change(&kb, &settings, version, &params.content_changes, enc)),
            None => None,
        };
        match outcome {
            None => log!("change for a document that is not open: {}", uri.as_str()),
            Some(Err(ChangeRejected::Stale { held, got })) => {
                log!("ignoring change to {} for version {got}: version {held} is newer", uri.as_str())
            }
            Some(Ok(())) => {
                let _ = self.publish.send(Publish::Current(uri));
            }
        }
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        if self.docs.remove(&params.text_document.uri).is_some() {
            let _ = self.publish.send(Publish::Closed(params.text_document.uri));
        }
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        if let Err(e) = self.configure(&params.settings) {
            log!("configuration ignored: {e}");
            self.client.show_message(MessageType::WARNING, format!("frontline: {e}")).await;
        }
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let uri = params.text_document.uri;
        let Some(snap) = self.snapshot(&uri) else { return Ok(None) };
        let enc = self.encoding();
        let range = byte_range(&snap.rope, params.range, enc);
        let actions = diagnostics::code_actions(&uri, &snap, range, enc);
        Ok(Some(actions.into_iter().map(CodeActionOrCommand::CodeAction).collect()))
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
        let voice = match m.voice {
            Voice::Own => None,
            Voice::Quoted => Some("Quoted: these are someone else's words, so the naming rules leave this name alone."),
            Voice::Tagged => Some("A hashtag or handle: someone else's label, left alone by the naming rules."),
            Voice::Gloss => Some("Introduces another name of the actor, so the naming rules leave it alone."),
            Voice::Clutter => Some("Web-page clutter (tags, links, credits): left alone by the naming rules."),
        };
        if let Some(v) = voice {
            value = format!("*{v}*\n\n{value}");
        }
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
        let range = byte_range(&snap.rope, params.range, enc);
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
    // Compile the attribution lexicons now, not on the first keystroke.
    crate::analysis::lexicon::Lexicon::builtin();
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
