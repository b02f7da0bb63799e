//! The `LanguageServer` implementation: requests in, analysis out.

use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use dashmap::DashMap;
use serde_json::Value;
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer, LspService};

use super::convert::{byte_range, encoding_kind, lsp_range, negotiate, offset};
use super::diagnostics;
use super::document::{flavor_of, ChangeRejected, Config, Document, Snapshot};
use super::semantic;
use super::transport;
use super::workspace::{ClientSupport, Workspace};
use super::{references, symbols, workspace};
use crate::analysis::card::{card, Usage};
use crate::analysis::{Settings, Voice};
use crate::kb::{HouseStyle, KnowledgeBase};
use crate::text::Encoding;

/// Handlers run concurrently up to this many at a time (tower-lsp's default is 4, which can wedge
/// a server that waits on the client while four requests are pending).
const CONCURRENCY: usize = 32;

/// Documents larger than this are kept in sync but not analysed, unless the editor settings say
/// otherwise (`maxFileSize`, in bytes).
pub const DEFAULT_MAX_FILE_SIZE: usize = 16 * 1024 * 1024;

/// How long a request waits for the analysis of the version it was sent for before it answers from
/// the latest analysis there is.
const WAIT_FOR_ANALYSIS: Duration = Duration::from_secs(10);

type Docs = Arc<DashMap<Uri, Document>>;

type SharedConfig = Arc<RwLock<Arc<Config>>>;

fn current(config: &SharedConfig) -> Arc<Config> {
    match config.read() {
        Ok(c) => c.clone(),
        Err(poisoned) => poisoned.into_inner().clone(),
    }
}

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
    config: SharedConfig,
    encoding: Arc<RwLock<Encoding>>,
    /// Whether the client pulls diagnostics (`textDocument/diagnostic`) instead of receiving them.
    pull: Arc<AtomicBool>,
    publish: UnboundedSender<Publish>,
    analyse: UnboundedSender<Uri>,
    /// The semantic tokens last sent for each document, with their result id, for deltas.
    tokens: DashMap<Uri, (String, Vec<SemanticToken>)>,
    /// A request method that panics on purpose (`FRONTLINE_TEST_PANIC`), to test panic recovery.
    panic_on: Option<String>,
    /// The workspace folders and the index of the stories in them (references, workspace symbols).
    workspace: Arc<Workspace>,
}

macro_rules! log {
    ($($arg:tt)*) => { eprintln!("[frontline] {}", format_args!($($arg)*)) };
}

/// Analyses documents, one job at a time, off the protocol's path: jobs that pile up for one
/// document while it works are coalesced, so a burst of keystrokes costs one analysis of the
/// latest version. Each analysis starts from the document's previous snapshot and re-analyses only
/// the blocks the edits touched.
async fn analyst(docs: Docs, config: SharedConfig, publish: UnboundedSender<Publish>, mut rx: UnboundedReceiver<Uri>) {
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        while let Ok(more) = rx.try_recv() {
            if !batch.contains(&more) {
                batch.push(more);
            }
        }
        for uri in batch {
            let cfg = current(&config);
            let job = docs.get(&uri).map(|d| (d.id, d.rope.clone(), d.version, d.flavor, d.latest()));
            let Some((id, rope, version, flavor, previous)) = job else { continue };
            if previous.as_ref().is_some_and(|p| p.version == version && p.config.generation == cfg.generation) {
                continue;
            }
            match build_off_path(cfg, rope, version, flavor, previous).await {
                Ok(snap) => {
                    let stored = docs.get(&uri).filter(|d| d.id == id).is_some_and(|d| d.offer(Arc::new(snap)));
                    if stored {
                        let _ = publish.send(Publish::Current(uri));
                    }
                }
                Err(e) => log!("analysis of {} version {version} failed: {e}", uri.as_str()),
            }
        }
    }
}

/// Builds a snapshot on the blocking pool, from `previous` when it can; `previous` is dropped
/// there too, off the protocol's path. A panic in the analysis comes back as the error.
async fn build_off_path(
    cfg: Arc<Config>,
    rope: ropey::Rope,
    version: i32,
    flavor: crate::text::markdown::Flavor,
    previous: Option<Arc<Snapshot>>,
) -> std::result::Result<Snapshot, tokio::task::JoinError> {
    tokio::task::spawn_blocking(move || Snapshot::build(cfg, rope, version, flavor, previous.as_deref())).await
}

/// Publishes diagnostics, one document at a time, always from the document's latest snapshot.
/// Being the only sender of `publishDiagnostics`, it can never publish an older version after a
/// newer one; requests that pile up while it sends are coalesced. Silent while the client pulls.
async fn publisher(
    client: Client,
    docs: Docs,
    encoding: Arc<RwLock<Encoding>>,
    pull: Arc<AtomicBool>,
    mut rx: UnboundedReceiver<Publish>,
) {
    let mut published: HashMap<Uri, u64> = HashMap::new();
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
        if pull.load(Ordering::Relaxed) {
            continue;
        }
        let enc = encoding.read().map(|e| *e).unwrap_or_default();
        for (uri, open) in latest {
            let snap = if open { docs.get(&uri).and_then(|d| d.latest()) } else { None };
            match snap {
                Some(snap) => {
                    if published.get(&uri) == Some(&snap.serial) {
                        continue;
                    }
                    let diags = diagnostics::diagnostics(&uri, &snap, enc);
                    published.insert(uri.clone(), snap.serial);
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
        let pull = Arc::new(AtomicBool::new(false));
        let config = Arc::new(RwLock::new(Arc::new(Config {
            kb,
            settings: Arc::new(Settings::default()),
            generation: 0,
            max_file_size: DEFAULT_MAX_FILE_SIZE,
        })));
        let (publish, rx) = unbounded_channel();
        tokio::spawn(publisher(client.clone(), docs.clone(), encoding.clone(), pull.clone(), rx));
        let (analyse, jobs) = unbounded_channel();
        tokio::spawn(analyst(docs.clone(), config.clone(), publish.clone(), jobs));
        let panic_on = std::env::var("FRONTLINE_TEST_PANIC").ok().filter(|m| !m.is_empty());
        let workspace = Arc::new(Workspace::default());
        Backend { client, docs, config, encoding, pull, publish, analyse, tokens: DashMap::new(), panic_on, workspace }
    }

    /// Applies editor settings; on success re-analyses every open document.
    fn configure(&self, v: &Value) -> std::result::Result<(), String> {
        let old = current(&self.config);
        let style = style_from(&old.kb, v)?;
        let v = v.get("frontline").unwrap_or(v);
        let max_file_size = match v.get("maxFileSize") {
            None | Some(Value::Null) => old.max_file_size,
            Some(n) => n.as_u64().ok_or("maxFileSize must be a number of bytes")? as usize,
        };
        let settings = Arc::new(Settings { flavor: Default::default(), style });
        let config = Arc::new(Config { kb: old.kb.clone(), settings, generation: old.generation + 1, max_file_size });
        if let Ok(mut c) = self.config.write() {
            *c = config;
        }
        for doc in self.docs.iter() {
            let _ = self.analyse.send(doc.key().clone());
        }
        if self.pull.load(Ordering::Relaxed) {
            let client = self.client.clone();
            tokio::spawn(async move {
                let _ = client.workspace_diagnostic_refresh().await;
            });
        }
        Ok(())
    }

    /// The configuration that applies to a document (its project's, once projects exist).
    fn config_for(&self, _uri: &Uri) -> Arc<Config> {
        current(&self.config)
    }

    fn encoding(&self) -> Encoding {
        self.encoding.read().map(|e| *e).unwrap_or_default()
    }

    /// The snapshot of a document at the version the client holds now, when the request arrived:
    /// the analyst's, once it has caught up; when the analyst has already moved on to a later
    /// version (it skips versions that pile up), this version is analysed here from the text held
    /// at arrival. No map guard is held across an `.await`.
    async fn snapshot(&self, uri: &Uri) -> Option<Arc<Snapshot>> {
        let (target, rope, flavor, mut rx) = {
            let d = self.docs.get(uri)?;
            (d.version, d.rope.clone(), d.flavor, d.subscribe())
        };
        let caught_up =
            tokio::time::timeout(WAIT_FOR_ANALYSIS, rx.wait_for(|s| s.as_ref().is_some_and(|s| s.version >= target)))
                .await
                .ok()
                .and_then(|r| r.ok().map(|s| s.clone()));
        let latest = match caught_up {
            Some(Some(s)) if s.version == target => return Some(s),
            Some(s) => s,
            None => {
                log!("analysis of {} is late; analysing version {target} for this request", uri.as_str());
                let latest = rx.borrow().clone();
                latest
            }
        };
        match build_off_path(current(&self.config), rope, target, flavor, latest).await {
            Ok(snap) => Some(Arc::new(snap)),
            Err(e) => {
                log!("analysis of {} version {target} failed: {e}", uri.as_str());
                None
            }
        }
    }

    /// Re-reads one file of the workspace into the index (or drops it when it is gone, no longer
    /// wanted, or too large), off the protocol's path. For `workspace/didChangeWatchedFiles` and
    /// for a document the editor closes (its copy on disk stands for it again).
    pub async fn reindex(&self, path: &std::path::Path) {
        let Some(uri) = Uri::from_file_path(path) else { return };
        let (config, enc, ws, path) = (self.config_for(&uri), self.encoding(), self.workspace.clone(), path.to_owned());
        let _ = tokio::task::spawn_blocking(move || ws.reindex(&path, &config, enc)).await;
    }

    /// The latest snapshots of the open documents other than `except` (clones; no guard kept), and
    /// the indexed files that are not open, for requests that look across documents.
    fn across(&self, except: Option<&Uri>) -> (workspace::OpenDocs, workspace::IndexedFiles) {
        let mut open: Vec<(Uri, Option<Arc<Snapshot>>)> =
            self.docs.iter().filter(|d| Some(d.key()) != except).map(|d| (d.key().clone(), d.latest())).collect();
        open.sort_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
        let mut open_paths: Vec<std::path::PathBuf> =
            self.docs.iter().filter_map(|d| d.key().to_file_path().map(|p| p.into_owned())).collect();
        // An open document not analysed yet is left to its copy on disk, if indexed.
        open_paths.retain(|p| open.iter().any(|(u, s)| s.is_some() && u.to_file_path().is_some_and(|q| q == *p)));
        if let Some(p) = except.and_then(|u| u.to_file_path()) {
            open_paths.push(p.into_owned());
        }
        let index = self
            .workspace
            .files()
            .into_iter()
            .filter(|(u, f)| Some(u) != except && !open_paths.contains(&f.path))
            .filter(|(u, _)| !open.iter().any(|(o, s)| o == u && s.is_some()))
            .collect();
        let open = open.into_iter().filter_map(|(u, s)| Some((u, s?))).collect();
        (open, index)
    }

    /// Runs a request's work; a panic in it is logged and answered with an internal error, and the
    /// server goes on.
    fn guarded<T>(&self, method: &str, work: impl FnOnce() -> T) -> Result<T> {
        let test_panic = self.panic_on.as_deref() == Some(method);
        catch_unwind(AssertUnwindSafe(|| {
            if test_panic {
                panic!("FRONTLINE_TEST_PANIC={method}");
            }
            work()
        }))
        .map_err(|e| {
            let what = e
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| e.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            log!("internal error in {method}: {what}");
            let mut err = Error::internal_error();
            err.message = format!("frontline: internal error in {method}: {what}").into();
            err
        })
    }
}

fn hover_card(kb: &KnowledgeBase, snap: &Snapshot, at: usize, enc: Encoding) -> Option<Hover> {
    let m = snap.analysis.mention_at(at)?;
    let usage = Usage {
        here: Some((snap.text[m.range.clone()].to_string(), m.name)),
        forms: snap.analysis.forms_of(&snap.text, m.actor()),
    };
    let mut value = card(kb, m.actor(), Some(&usage)).to_markdown();
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
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent { kind: MarkupKind::Markdown, value }),
        range: Some(lsp_range(&snap.rope, &m.range, enc)),
    })
}

/// The edits that turn `old` into `new`: one replacement of the differing middle.
fn token_edits(old: &[SemanticToken], new: &[SemanticToken]) -> Vec<SemanticTokensEdit> {
    let prefix = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let suffix = old[prefix..].iter().rev().zip(new[prefix..].iter().rev()).take_while(|(a, b)| a == b).count();
    let (deleted, inserted) = (&old[prefix..old.len() - suffix], &new[prefix..new.len() - suffix]);
    if deleted.is_empty() && inserted.is_empty() {
        return Vec::new();
    }
    vec![SemanticTokensEdit {
        start: 5 * prefix as u32,
        delete_count: 5 * deleted.len() as u32,
        data: Some(inserted.to_vec()),
    }]
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let enc = negotiate(&params.capabilities);
        if let Ok(mut e) = self.encoding.write() {
            *e = enc;
        }
        // Pull only from a client that also lets us ask it to pull again (after a settings or
        // knowledge-base change); others (Neovim 0.11) are pushed to.
        let caps = &params.capabilities;
        let client_pulls = caps.text_document.as_ref().and_then(|t| t.diagnostic.as_ref()).is_some()
            && caps.workspace.as_ref().and_then(|w| w.diagnostics.as_ref()).and_then(|d| d.refresh_support)
                == Some(true);
        let options = params.initialization_options.as_ref();
        let forced = options
            .map(|o| o.get("frontline").unwrap_or(o))
            .and_then(|o| o.get("diagnosticMode"))
            .and_then(Value::as_str);
        let pull = match forced {
            Some("push") => false,
            Some("pull") => true,
            _ => client_pulls,
        };
        self.pull.store(pull, Ordering::Relaxed);
        self.workspace.set_roots(workspace_roots(&params));
        let support = client_support(caps);
        self.workspace.set_support(support);
        log!("initialize: position encoding {enc:?}, diagnostics {}", if pull { "pulled" } else { "pushed" });
        if let Some(options) = options {
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
                document_symbol_provider: Some(OneOf::Left(true)),
                workspace_symbol_provider: Some(OneOf::Right(WorkspaceSymbolOptions {
                    resolve_provider: Some(support.symbol_resolve),
                    work_done_progress_options: Default::default(),
                })),
                references_provider: Some(OneOf::Left(true)),
                rename_provider: Some(OneOf::Right(RenameOptions {
                    prepare_provider: Some(true),
                    work_done_progress_options: Default::default(),
                })),
                semantic_tokens_provider: Some(
                    SemanticTokensOptions {
                        legend: semantic::legend(),
                        range: Some(true),
                        full: Some(SemanticTokensFullOptions::Delta { delta: Some(true) }),
                        ..Default::default()
                    }
                    .into(),
                ),
                diagnostic_provider: pull.then(|| {
                    DiagnosticServerCapabilities::Options(DiagnosticOptions {
                        identifier: Some("frontline".into()),
                        inter_file_dependencies: false,
                        workspace_diagnostics: false,
                        ..Default::default()
                    })
                }),
                ..Default::default()
            },
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        let kb = current(&self.config).kb.clone();
        let message = format!("frontline ready: {} actors, {} names", kb.actors().len(), kb.name_count());
        log!("{message}");
        self.client.log_message(MessageType::INFO, message).await;
        // Index the workspace's stories in the background; nothing waits for it.
        let config = self.config.clone();
        let scan = workspace::scan(self.client.clone(), self.workspace.clone(), self.encoding(), move |_uri| {
            // Becomes `config_for(uri)` once configuration is per project.
            current(&config)
        });
        tokio::spawn(scan);
    }

    async fn shutdown(&self) -> Result<()> {
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let doc = params.text_document;
        let Some(flavor) = flavor_of(&doc.language_id) else {
            log!("not reading {} (language id `{}`)", doc.uri.as_str(), doc.language_id);
            // Re-opened as a language we do not read: what we held of it is gone.
            self.tokens.remove(&doc.uri);
            if self.docs.remove(&doc.uri).is_some() {
                let _ = self.publish.send(Publish::Closed(doc.uri));
            }
            return;
        };
        let limit = self.config_for(&doc.uri).max_file_size;
        if doc.text.len() > limit {
            let message = format!(
                "frontline: {} is {:.1} MB, over the {:.1} MB limit (setting `maxFileSize`); it is not checked",
                doc.uri.as_str(),
                doc.text.len() as f64 / 1e6,
                limit as f64 / 1e6
            );
            log!("{message}");
            let client = self.client.clone();
            tokio::spawn(async move { client.show_message(MessageType::WARNING, message).await });
        }
        self.docs.insert(doc.uri.clone(), Document::open(&doc.text, doc.version, flavor));
        let _ = self.analyse.send(doc.uri);
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let enc = self.encoding();
        let uri = params.text_document.uri;
        let version = params.text_document.version;
        let outcome = match self.docs.get_mut(&uri) {
            Some(mut doc) => Some(doc.change(version, &params.content_changes, enc)),
            None => None,
        };
        match outcome {
            None => log!("change for a document that is not open: {}", uri.as_str()),
            Some(Err(ChangeRejected::Stale { held, got })) => {
                log!("ignoring change to {} for version {got}: version {held} is newer", uri.as_str())
            }
            Some(Ok(())) => {
                let _ = self.analyse.send(uri);
            }
        }
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        self.tokens.remove(&uri);
        if self.docs.remove(&uri).is_some() {
            let _ = self.publish.send(Publish::Closed(uri.clone()));
        }
        // Its copy on disk stands for it again in the workspace index.
        if let Some(path) = uri.to_file_path().filter(|p| self.workspace.contains(p)) {
            self.reindex(&path).await;
        }
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        if let Err(e) = self.configure(&params.settings) {
            log!("configuration ignored: {e}");
            self.client.show_message(MessageType::WARNING, format!("frontline: {e}")).await;
        }
    }

    async fn diagnostic(&self, params: DocumentDiagnosticParams) -> Result<DocumentDiagnosticReportResult> {
        let uri = params.text_document.uri;
        let snap = self.snapshot(&uri).await;
        let enc = self.encoding();
        self.guarded("textDocument/diagnostic", || {
            let Some(snap) = snap else {
                return DocumentDiagnosticReport::Full(RelatedFullDocumentDiagnosticReport::default()).into();
            };
            let id = snap.serial.to_string();
            if params.previous_result_id.as_deref() == Some(id.as_str()) {
                return DocumentDiagnosticReport::Unchanged(RelatedUnchangedDocumentDiagnosticReport {
                    related_documents: None,
                    unchanged_document_diagnostic_report: UnchangedDocumentDiagnosticReport { result_id: id },
                })
                .into();
            }
            DocumentDiagnosticReport::Full(RelatedFullDocumentDiagnosticReport {
                related_documents: None,
                full_document_diagnostic_report: FullDocumentDiagnosticReport {
                    result_id: Some(id),
                    items: diagnostics::diagnostics(&uri, &snap, enc),
                },
            })
            .into()
        })
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let uri = params.text_document.uri;
        let Some(snap) = self.snapshot(&uri).await else { return Ok(None) };
        let enc = self.encoding();
        self.guarded("textDocument/codeAction", || {
            let range = byte_range(&snap.rope, params.range, enc);
            let actions = diagnostics::code_actions(&uri, &snap, range, enc);
            Some(actions.into_iter().map(CodeActionOrCommand::CodeAction).collect())
        })
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let pos = params.text_document_position_params;
        let Some(snap) = self.snapshot(&pos.text_document.uri).await else {
            return Ok(None);
        };
        let enc = self.encoding();
        let kb = snap.config.kb.clone();
        self.guarded("textDocument/hover", || hover_card(&kb, &snap, offset(&snap.rope, pos.position, enc), enc))
    }

    async fn document_highlight(&self, params: DocumentHighlightParams) -> Result<Option<Vec<DocumentHighlight>>> {
        let pos = params.text_document_position_params;
        let Some(snap) = self.snapshot(&pos.text_document.uri).await else {
            return Ok(None);
        };
        let enc = self.encoding();
        self.guarded("textDocument/documentHighlight", || {
            let m = snap.analysis.mention_at(offset(&snap.rope, pos.position, enc))?;
            let highlights = snap
                .analysis
                .mentions_of(m.actor())
                .map(|o| DocumentHighlight {
                    range: lsp_range(&snap.rope, &o.range, enc),
                    kind: Some(DocumentHighlightKind::TEXT),
                })
                .collect();
            Some(highlights)
        })
    }

    async fn document_symbol(&self, params: DocumentSymbolParams) -> Result<Option<DocumentSymbolResponse>> {
        let uri = params.text_document.uri;
        let Some(snap) = self.snapshot(&uri).await else { return Ok(None) };
        let (enc, hierarchical) = (self.encoding(), self.workspace.support().hierarchical_symbols);
        self.guarded("textDocument/documentSymbol", || Some(symbols::document_symbols(&uri, &snap, enc, hierarchical)))
    }

    async fn symbol(&self, params: WorkspaceSymbolParams) -> Result<Option<WorkspaceSymbolResponse>> {
        let kb = match self.workspace.roots().first().and_then(Uri::from_file_path) {
            Some(root) => self.config_for(&root).kb.clone(),
            None => current(&self.config).kb.clone(),
        };
        let (open, index) = self.across(None);
        let (enc, without_range) = (self.encoding(), self.workspace.support().symbol_resolve);
        self.guarded("workspace/symbol", || {
            let firsts = symbols::first_mentions(&open, &index, enc);
            Some(WorkspaceSymbolResponse::Nested(symbols::workspace_symbols(
                &kb,
                &params.query,
                &firsts,
                without_range,
            )))
        })
    }

    async fn symbol_resolve(&self, params: WorkspaceSymbol) -> Result<WorkspaceSymbol> {
        let (open, index) = self.across(None);
        let enc = self.encoding();
        self.guarded("workspaceSymbol/resolve", || {
            symbols::resolve(params, &symbols::first_mentions(&open, &index, enc))
        })
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        let pos = params.text_document_position;
        let uri = pos.text_document.uri;
        let Some(snap) = self.snapshot(&uri).await else { return Ok(None) };
        let (open, index) = self.across(Some(&uri));
        let enc = self.encoding();
        self.guarded("textDocument/references", || {
            let at = offset(&snap.rope, pos.position, enc);
            references::references(&uri, &snap, at, enc, &open, &index)
        })
    }

    async fn prepare_rename(&self, params: TextDocumentPositionParams) -> Result<Option<PrepareRenameResponse>> {
        let Some(snap) = self.snapshot(&params.text_document.uri).await else { return Ok(None) };
        let enc = self.encoding();
        self.guarded("textDocument/prepareRename", || {
            references::prepare_rename(&snap, offset(&snap.rope, params.position, enc), enc)
        })?
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        let pos = params.text_document_position;
        let uri = pos.text_document.uri;
        let Some(snap) = self.snapshot(&uri).await else { return Ok(None) };
        let (enc, versioned) = (self.encoding(), self.workspace.support().document_changes);
        self.guarded("textDocument/rename", || {
            let at = offset(&snap.rope, pos.position, enc);
            references::rename(&uri, &snap, at, &params.new_name, enc, versioned)
        })?
    }

    async fn semantic_tokens_full(&self, params: SemanticTokensParams) -> Result<Option<SemanticTokensResult>> {
        let uri = params.text_document.uri;
        let Some(snap) = self.snapshot(&uri).await else {
            return Ok(None);
        };
        let enc = self.encoding();
        let kb = snap.config.kb.clone();
        let data = self.guarded("textDocument/semanticTokens/full", || {
            semantic::tokens(&kb, &snap.rope, &snap.text, &snap.analysis.mentions, enc)
        })?;
        let id = snap.serial.to_string();
        self.tokens.insert(uri, (id.clone(), data.clone()));
        Ok(Some(SemanticTokensResult::Tokens(SemanticTokens { result_id: Some(id), data })))
    }

    async fn semantic_tokens_full_delta(
        &self,
        params: SemanticTokensDeltaParams,
    ) -> Result<Option<SemanticTokensFullDeltaResult>> {
        let uri = params.text_document.uri;
        let Some(snap) = self.snapshot(&uri).await else {
            return Ok(None);
        };
        let enc = self.encoding();
        let kb = snap.config.kb.clone();
        let previous = self.tokens.get(&uri).filter(|t| t.0 == params.previous_result_id).map(|t| t.1.clone());
        let id = snap.serial.to_string();
        let (data, edits) = self.guarded("textDocument/semanticTokens/full/delta", || {
            let data = semantic::tokens(&kb, &snap.rope, &snap.text, &snap.analysis.mentions, enc);
            let edits = previous.map(|old| token_edits(&old, &data));
            (data, edits)
        })?;
        self.tokens.insert(uri, (id.clone(), data.clone()));
        Ok(Some(match edits {
            Some(edits) => {
                SemanticTokensFullDeltaResult::TokensDelta(SemanticTokensDelta { result_id: Some(id), edits })
            }
            None => SemanticTokensFullDeltaResult::Tokens(SemanticTokens { result_id: Some(id), data }),
        }))
    }

    async fn semantic_tokens_range(
        &self,
        params: SemanticTokensRangeParams,
    ) -> Result<Option<SemanticTokensRangeResult>> {
        let Some(snap) = self.snapshot(&params.text_document.uri).await else {
            return Ok(None);
        };
        let enc = self.encoding();
        let kb = snap.config.kb.clone();
        self.guarded("textDocument/semanticTokens/range", || {
            let range = byte_range(&snap.rope, params.range, enc);
            let mentions = snap.analysis.mentions_in(range);
            let data = semantic::tokens(&kb, &snap.rope, &snap.text, mentions, enc);
            Some(SemanticTokensRangeResult::Tokens(SemanticTokens { result_id: None, data }))
        })
    }
}

/// The workspace folders, else the root URI, as paths.
fn workspace_roots(params: &InitializeParams) -> Vec<std::path::PathBuf> {
    let from_folders: Vec<std::path::PathBuf> = params
        .workspace_folders
        .iter()
        .flatten()
        .filter_map(|f| f.uri.to_file_path().map(|p| p.into_owned()))
        .collect();
    if !from_folders.is_empty() {
        return from_folders;
    }
    #[allow(deprecated)] // `root_uri` is how older clients name their one folder.
    let root = params.root_uri.as_ref().and_then(|u| u.to_file_path()).map(|p| p.into_owned());
    root.into_iter().collect()
}

/// What the client supports that the navigation features depend on.
fn client_support(caps: &ClientCapabilities) -> ClientSupport {
    let td = caps.text_document.as_ref();
    let ws = caps.workspace.as_ref();
    ClientSupport {
        hierarchical_symbols: td
            .and_then(|t| t.document_symbol.as_ref())
            .and_then(|d| d.hierarchical_document_symbol_support)
            == Some(true),
        symbol_resolve: ws.and_then(|w| w.symbol.as_ref()).and_then(|s| s.resolve_support.as_ref()).is_some(),
        work_done_progress: caps.window.as_ref().and_then(|w| w.work_done_progress) == Some(true),
        document_changes: ws.and_then(|w| w.workspace_edit.as_ref()).and_then(|e| e.document_changes) == Some(true),
    }
}

/// Runs the language server on stdin/stdout until the client says `exit`; returns the exit code
/// (1 when the client exits without asking the server to shut down first, as LSP says).
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
    let code = runtime.block_on(async {
        let (service, socket) = LspService::new(|client| Backend::new(client, kb));
        transport::serve(tokio::io::stdin(), tokio::io::stdout(), service, socket, CONCURRENCY).await
    });
    // A read of stdin may still be pending on a blocking thread: do not wait for it.
    runtime.shutdown_background();
    code
}
