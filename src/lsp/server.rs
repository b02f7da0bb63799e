//! The `LanguageServer` implementation: requests in, analysis out.

use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use dashmap::DashMap;
use serde_json::Value;
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer, LspService};

use super::activity::Activity;
use super::convert::{byte_range, encoding_kind, lsp_range, negotiate, offset};
use super::diagnostics::{self, Publication};
use super::document::{flavor_of, ChangeRejected, Config, Document, Snapshot};
use super::projects::{Outcome, Projects};
use super::semantic;
use super::transport;
use super::workspace::{ClientSupport, Workspace};
use super::{complete, inlay, lens};
use super::{references, symbols, workspace};
use crate::analysis::card::{card, Usage};
use crate::analysis::Voice;
use crate::kb::KnowledgeBase;
use crate::project::Overrides;
use crate::text::Encoding;

/// Handlers run concurrently up to this many at a time (tower-lsp's default is 4, which can wedge
/// a server that waits on the client while four requests are pending).
const CONCURRENCY: usize = 32;

pub use super::projects::DEFAULT_MAX_FILE_SIZE;

/// The command a knowledge-base code action runs after its edit, with the file's new text, so the
/// new actor or alias is recognised at once, before the file is saved.
pub const PROJECT_FILE_EDITED: &str = "frontline.projectFileEdited";

/// How often project files are checked for changes when the client cannot watch them.
const POLL: Duration = Duration::from_millis(500);

/// How long a request waits for the analysis of the version it was sent for before it answers from
/// the latest analysis there is.
const WAIT_FOR_ANALYSIS: Duration = Duration::from_secs(10);

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
    projects: Arc<Projects>,
    /// Whether the client shows change annotations (a rename that adds an alias asks first).
    change_annotations: AtomicBool,
    /// Whether the client watches files for us when asked (dynamic registration).
    watch_dynamically: AtomicBool,
    /// Whether the client asks for workspace edits with file creation (`resourceOperations`).
    can_create_files: AtomicBool,
    encoding: Arc<RwLock<Encoding>>,
    /// Whether the client pulls diagnostics (`textDocument/diagnostic`) instead of receiving them.
    pull: Arc<AtomicBool>,
    publish: UnboundedSender<Publish>,
    analyse: UnboundedSender<Uri>,
    /// The semantic tokens last sent for each document, with their result id, for deltas.
    tokens: DashMap<Uri, (String, Arc<semantic::Tokens>)>,
    /// A request method that panics on purpose (`FRONTLINE_TEST_PANIC`), to test panic recovery.
    panic_on: Option<String>,
    /// Whether the client lets us ask it to fetch inlay hints and code lenses again
    /// (`workspace/inlayHint/refresh`, `workspace/codeLens/refresh`) after a settings or project
    /// change.
    refresh_views: [AtomicBool; 2],
    /// The workspace folders and the index of the stories in them (references, workspace symbols).
    workspace: Arc<Workspace>,
    /// Problems of project files to publish and workspace scans to run, in order (`notices`).
    notices: UnboundedSender<Notice>,
}

/// Asks the client to fetch inlay hints (`inlay`) and code lenses (`lens`) again.
fn refresh_views(client: &Client, inlay: bool, lens: bool) {
    if !inlay && !lens {
        return;
    }
    let client = client.clone();
    tokio::spawn(async move {
        if inlay {
            let _ = client.inlay_hint_refresh().await;
        }
        if lens {
            let _ = client.code_lens_refresh().await;
        }
    });
}

macro_rules! log {
    ($($arg:tt)*) => { eprintln!("[frontline] {}", format_args!($($arg)*)) };
}

/// Analyses documents, one job at a time, off the protocol's path: jobs that pile up for one
/// document while it works are coalesced, so a burst of keystrokes costs one analysis of the
/// latest version. Each analysis starts from the document's previous snapshot and re-analyses only
/// the blocks the edits touched.
async fn analyst(
    docs: Docs,
    projects: Arc<Projects>,
    publish: UnboundedSender<Publish>,
    mut rx: UnboundedReceiver<Uri>,
) {
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        while let Ok(more) = rx.try_recv() {
            if !batch.contains(&more) {
                batch.push(more);
            }
        }
        for uri in batch {
            // Loaded when the document was opened: this is a cache lookup.
            let cfg = projects.project_of(&uri);
            let job = docs.get_mut(&uri).map(|mut d| {
                let (rope, version, since) = d.take();
                (d.id, rope, version, since, d.flavor, d.latest())
            });
            let Some((id, rope, version, since, flavor, previous)) = job else { continue };
            if previous.as_ref().is_some_and(|p| p.version == version && p.config.generation == cfg.generation) {
                continue;
            }
            match build_off_path(cfg, rope, version, since, flavor, previous).await {
                Ok(snap) => {
                    let offered = docs.get(&uri).filter(|d| d.id == id).map(|d| d.offer(Arc::new(snap)));
                    let (stored, old) = offered.unwrap_or_default();
                    if stored {
                        let _ = publish.send(Publish::Current(uri));
                    }
                    // Freeing a large story's analysis takes a while: not on the way to the publish.
                    // Usually the publication before holds it still, and this only counts down:
                    // no blocking thread is woken for that.
                    if let Some(last) = old.and_then(Arc::into_inner) {
                        tokio::task::spawn_blocking(move || drop(last));
                    }
                }
                Err(e) => log!("analysis of {} version {version} failed: {e}", uri.as_str()),
            }
        }
    }
}

/// Up to this size, a snapshot that follows its previous one edit by edit is built on the
/// analyst's own thread: a keystroke's re-analysis of a 1 MB story takes 0.4–1.2 ms, less than
/// handing it to a blocking thread and back costs when the keystroke finds the threads asleep
/// (at typing pace, 100 ms apart, the 1 MB keystroke's diagnostics came 0.3–0.7 ms sooner).
/// Should the previous analysis not be reusable after all, the analysis afresh of up to 2 MB
/// (about 40 ms) holds the runtime's one thread, and requests wait for it.
const INLINE_UP_TO: usize = 2_000_000;

/// Builds a snapshot, from `previous` when it can: on the analyst's thread when it follows
/// `previous` by edits on a story of at most [`INLINE_UP_TO`] bytes, else on the blocking pool,
/// off the protocol's path (the document keeps the previous snapshot until the new one replaces
/// it; the analyst frees it off the path). A panic in the analysis comes back as the error.
async fn build_off_path(
    cfg: Arc<Config>,
    rope: ropey::Rope,
    version: i32,
    since: Option<(i32, crate::text::pos::Untouched)>,
    flavor: crate::text::markdown::Flavor,
    previous: Option<Arc<Snapshot>>,
) -> std::result::Result<Snapshot, String> {
    let follows = previous.as_ref().is_some_and(|p| {
        since.is_some_and(|(v, _)| v == p.version)
            && p.can_follow(&cfg, flavor)
            && p.text.len().max(rope.len_bytes()) <= INLINE_UP_TO
    });
    let build = move || Snapshot::build_after(cfg, rope, version, flavor, previous.as_deref(), since);
    if follows {
        return std::panic::catch_unwind(std::panic::AssertUnwindSafe(build)).map_err(|p| panic_text(&*p));
    }
    tokio::task::spawn_blocking(build).await.map_err(|e| e.to_string())
}

/// What a caught panic says.
fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    format!("panicked: {}", crate::panics::message(payload).unwrap_or("(no message)"))
}

/// What the notices task does.
enum Notice {
    /// Publish the problems of project files (an empty list clears a file) and show messages.
    Problems(Vec<(Uri, Vec<Diagnostic>)>, Vec<String>),
    /// Index the workspace's stories (again). `first`: the scan at start; otherwise only once the
    /// first scan is done.
    Rescan { first: bool },
}

/// Publishes the problems of project files in the order they were found, and starts workspace
/// scans: one at a time, and requests made while one waits are one scan.
async fn notices_task(
    client: Client,
    (projects, docs): (Arc<Projects>, Docs),
    (workspace, activity): (Arc<Workspace>, Arc<Activity>),
    encoding: Arc<RwLock<Encoding>>,
    mut rx: UnboundedReceiver<Notice>,
) {
    let queued = Arc::new(AtomicBool::new(false));
    let running = Arc::new(tokio::sync::Mutex::new(()));
    while let Some(notice) = rx.recv().await {
        match notice {
            Notice::Problems(publish, messages) => {
                for (uri, diags) in publish {
                    client.publish_diagnostics(uri, diags, None).await;
                }
                for m in messages {
                    client.show_message(MessageType::WARNING, format!("frontline settings: {m}")).await;
                }
            }
            Notice::Rescan { first } => {
                if !(first || workspace.scanned()) || queued.swap(true, Ordering::AcqRel) {
                    continue;
                }
                let (queued, running) = (queued.clone(), running.clone());
                let (client, ws, projects, docs) = (client.clone(), workspace.clone(), projects.clone(), docs.clone());
                let (activity, open_docs) = (activity.clone(), docs.clone());
                let enc = encoding.read().map(|e| *e).unwrap_or_default();
                tokio::spawn(async move {
                    let _one_at_a_time = running.lock().await;
                    queued.store(false, Ordering::Release);
                    let config_of = move |uri: &Uri| match super::projects::path_of(uri) {
                        Some(path) => projects.config_for_file(&path),
                        None => projects.base(),
                    };
                    // Quiet: no message coming in, and every open story analysed as it now reads.
                    let quiet = move || activity.is_quiet() && open_docs.iter().all(|d| d.analysed());
                    workspace::scan(client, ws, enc, config_of, move |uri| docs.contains_key(uri), quiet).await;
                });
            }
        }
    }
}

/// Publishes diagnostics, one document at a time, always from the document's latest snapshot.
/// Being the only sender of `publishDiagnostics`, it can never publish an older version after a
/// newer one; requests that pile up while it sends are coalesced. Silent while the client pulls.
async fn publisher(
    client: Client,
    direct: Option<transport::Outbox>,
    docs: Docs,
    encoding: Arc<RwLock<Encoding>>,
    pull: Arc<AtomicBool>,
    mut rx: UnboundedReceiver<Publish>,
) {
    let mut published: HashMap<Uri, u64> = HashMap::new();
    // The last publication of each document written here, which the next one copies from.
    let mut kept: HashMap<Uri, Publication> = HashMap::new();
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
                    published.insert(uri.clone(), snap.serial);
                    match &direct {
                        Some(out) => {
                            let previous = kept.remove(&uri);
                            let publication = Publication::new(&uri, snap, enc, previous.as_ref());
                            // The publication before may hold the last reference to a large
                            // snapshot: freed after the write, off the path.
                            let body = publication.body.clone();
                            let sent = match previous {
                                Some(p) => out.send_then_free(body, Box::new(p)),
                                None => out.send(body),
                            };
                            if !sent {
                                log!("diagnostics could not be sent");
                            }
                            kept.insert(uri.clone(), publication);
                        }
                        None => {
                            let diags = diagnostics::diagnostics(&uri, &snap, enc);
                            client.publish_diagnostics(uri, diags, Some(snap.version)).await;
                        }
                    }
                }
                None => {
                    if let Some(p) = kept.remove(&uri) {
                        tokio::task::spawn_blocking(move || drop(p));
                    }
                    if published.remove(&uri).is_some() || !open {
                        // By the same road as the diagnostics it clears, so it cannot overtake them.
                        let params = PublishDiagnosticsParams { uri, diagnostics: Vec::new(), version: None };
                        match &direct {
                            Some(out) => {
                                out.notify("textDocument/publishDiagnostics", &params);
                            }
                            None => client.publish_diagnostics(params.uri, params.diagnostics, params.version).await,
                        }
                    }
                }
            }
        }
    }
}

/// The editor-side settings we read, from initialization options or from
/// `workspace/didChangeConfiguration` (under a `frontline` key): `style`, `prefer`
/// (`{"islamic-state": "ISIS"}`), `rules` (`{"attribution": "off"}`), `knowledgeBase` (the user's
/// own files), `allowKnowledgeBaseOutsideProject`, `inlayHints`, `maxFileSize`. They apply over
/// every project's `frontline.toml`.
fn editor_settings(v: &Value) -> std::result::Result<Overrides, String> {
    let v = v.get("frontline").unwrap_or(v);
    let mut o = Overrides::default();
    let string_map = |key: &str| -> std::result::Result<Vec<(String, String)>, String> {
        match v.get(key) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Object(m)) => m
                .iter()
                .map(|(k, x)| {
                    x.as_str().map(|x| (k.clone(), x.to_string())).ok_or_else(|| format!("{key}.{k} must be a string"))
                })
                .collect(),
            Some(_) => Err(format!("{key} must be an object")),
        }
    };
    o.style = v.get("style").and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_string);
    o.prefer = string_map("prefer")?.into_iter().map(|(id, name)| format!("{id}={name}")).collect();
    o.rules = string_map("rules")?;
    o.kb_files = match v.get("knowledgeBase") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a
            .iter()
            .map(|x| x.as_str().map(PathBuf::from).ok_or("knowledgeBase must be a list of file paths"))
            .collect::<std::result::Result<_, _>>()?,
        Some(Value::String(s)) => vec![PathBuf::from(s)],
        Some(_) => return Err("knowledgeBase must be a list of file paths".into()),
    };
    let flag = |key: &str| -> std::result::Result<Option<bool>, String> {
        match v.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(b) => b.as_bool().map(Some).ok_or_else(|| format!("{key} must be true or false")),
        }
    };
    o.allow_outside = flag("allowKnowledgeBaseOutsideProject")?.unwrap_or(false);
    o.inlay_hints = flag("inlayHints")?;
    o.max_file_size = match v.get("maxFileSize") {
        None | Some(Value::Null) => None,
        Some(n) => Some(n.as_u64().ok_or("maxFileSize must be a number of bytes")?),
    };
    Ok(o)
}

impl Backend {
    /// `direct`, when given, is how the publisher sends diagnostics: serialised once, straight to
    /// the client's stream (tower-lsp would convert them to a `serde_json::Value` first, which for
    /// a large story cost more than computing them).
    ///
    /// `activity` is what the transport tells of the messages coming in: the workspace index
    /// waits for a quiet moment by it.
    pub fn new(
        client: Client,
        kb: Arc<KnowledgeBase>,
        direct: Option<transport::Outbox>,
        activity: Arc<Activity>,
    ) -> Backend {
        let docs: Docs = Arc::new(DashMap::new());
        let encoding = Arc::new(RwLock::new(Encoding::Utf16));
        let pull = Arc::new(AtomicBool::new(false));
        let projects = Arc::new(Projects::new(kb));
        let workspace = Arc::new(Workspace::default());
        let (notices, notes_rx) = unbounded_channel();
        tokio::spawn(notices_task(
            client.clone(),
            (projects.clone(), docs.clone()),
            (workspace.clone(), activity),
            encoding.clone(),
            notes_rx,
        ));
        let (publish, rx) = unbounded_channel();
        tokio::spawn(publisher(client.clone(), direct, docs.clone(), encoding.clone(), pull.clone(), rx));
        let (analyse, jobs) = unbounded_channel();
        tokio::spawn(analyst(docs.clone(), projects.clone(), publish.clone(), jobs));
        let panic_on = std::env::var("FRONTLINE_TEST_PANIC").ok().filter(|m| !m.is_empty());
        Backend {
            client,
            docs,
            projects,
            can_create_files: AtomicBool::new(false),
            watch_dynamically: AtomicBool::new(false),
            change_annotations: AtomicBool::new(false),
            encoding,
            pull,
            publish,
            analyse,
            tokens: DashMap::new(),
            panic_on,
            refresh_views: [AtomicBool::new(false), AtomicBool::new(false)],
            workspace,
            notices,
        }
    }

    /// Applies editor settings over every project and re-analyses what changed.
    fn configure(&self, v: &Value) -> std::result::Result<(), String> {
        let overrides = editor_settings(v)?;
        let outcome = self.projects.set_editor(overrides);
        self.report(outcome);
        Ok(())
    }

    /// Publishes what a project reload found, shows problems with the user's settings, and
    /// re-analyses the documents of the projects that changed.
    fn report(&self, outcome: Outcome) {
        let Outcome { publish, messages, changed } = outcome;
        if !publish.is_empty() || !messages.is_empty() {
            // Through one task, so two reloads' problems are published in the order they were found.
            let _ = self.notices.send(Notice::Problems(publish, messages));
        }
        if changed.is_empty() {
            return;
        }
        // Stories on disk are indexed with their project's knowledge base: index them again.
        let _ = self.notices.send(Notice::Rescan { first: false });
        for uri in self.projects.documents_of(&changed) {
            let _ = self.analyse.send(uri);
        }
        // Inlay hints can be switched on or off, and a story's counts change with the knowledge base.
        let [inlay, lens] = &self.refresh_views;
        refresh_views(&self.client, inlay.load(Ordering::Relaxed), lens.load(Ordering::Relaxed));
        if self.pull.load(Ordering::Relaxed) {
            let client = self.client.clone();
            tokio::spawn(async move {
                let _ = client.workspace_diagnostic_refresh().await;
            });
        }
    }

    /// Checks the project files every [`POLL`] for a client that does not watch files: each
    /// change reloads what depends on the file.
    fn poll_project_files(&self) {
        let projects = self.projects.clone();
        let analyse = self.analyse.clone();
        let client = self.client.clone();
        let notices = self.notices.clone();
        let [inlay, lens] = self.refresh_views.each_ref().map(|f| f.load(Ordering::Relaxed));
        tokio::spawn(async move {
            let mut before = super::projects::stamps(&projects.watched());
            loop {
                tokio::time::sleep(POLL).await;
                let files = projects.watched();
                let p = projects.clone();
                let Ok(now) = tokio::task::spawn_blocking(move || super::projects::stamps(&files)).await else {
                    continue;
                };
                for (path, stamp) in &now {
                    // A file new to the list is compared with its absence: it may have appeared
                    // between the project's loading and this poll.
                    let old = before.iter().find(|(p, _)| p == path).and_then(|(_, s)| *s);
                    if old != *stamp {
                        log!("{} changed", path.display());
                        let Outcome { publish, messages, changed } = p.file_changed(path);
                        if !publish.is_empty() || !messages.is_empty() {
                            let _ = notices.send(Notice::Problems(publish, messages));
                        }
                        for uri in p.documents_of(&changed) {
                            let _ = analyse.send(uri);
                        }
                        if !changed.is_empty() {
                            let _ = notices.send(Notice::Rescan { first: false });
                            refresh_views(&client, inlay, lens);
                        }
                    }
                }
                before = now;
            }
        });
    }

    /// The configuration that applies to a document: its project's.
    fn config_for(&self, uri: &Uri) -> Arc<Config> {
        let (config, outcome) = self.projects.config_for(uri);
        self.report(outcome);
        config
    }

    fn encoding(&self) -> Encoding {
        self.encoding.read().map(|e| *e).unwrap_or_default()
    }

    /// The snapshot of a document at the version the client holds now, when the request arrived:
    /// the analyst's, once it has caught up; when the analyst has already moved on to a later
    /// version (it skips versions that pile up), this version is analysed here from the text held
    /// at arrival. No map guard is held across an `.await`.
    async fn snapshot(&self, uri: &Uri) -> Option<Arc<Snapshot>> {
        // The settings in force at arrival too: after a settings change the snapshot of the same
        // version made with the settings before is not the answer (a client that pulls
        // diagnostics pulls again at once when told they changed, before the analyst is done).
        let cfg = self.config_for(uri);
        let generation = cfg.generation;
        let (target, rope, flavor, mut rx) = {
            let d = self.docs.get(uri)?;
            (d.version, d.rope.clone(), d.flavor, d.subscribe())
        };
        let current = |s: &Snapshot| s.config.generation >= generation;
        let caught_up = tokio::time::timeout(
            WAIT_FOR_ANALYSIS,
            rx.wait_for(|s| s.as_ref().is_some_and(|s| s.version > target || (s.version == target && current(s)))),
        )
        .await
        .ok()
        .and_then(|r| r.ok().map(|s| s.clone()));
        let latest = match caught_up {
            Some(Some(s)) if s.version == target && current(&s) => return Some(s),
            Some(s) => s,
            None => {
                log!("analysis of {} is late; analysing version {target} for this request", uri.as_str());
                let latest = rx.borrow().clone();
                latest
            }
        };
        match build_off_path(cfg, rope, target, None, flavor, latest).await {
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
        let config = self.projects.config_for_file(path);
        let (enc, ws, path) = (self.encoding(), self.workspace.clone(), path.to_owned());
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
        guard(method, self.panic_on.as_deref() == Some(method), work)
    }

    /// As [`Backend::guarded`], on the blocking pool: for requests whose work grows with the story
    /// (a document's diagnostics, tokens, symbols, highlights and lenses; the workspace's stories),
    /// so that the runtime's one thread, which applies keystrokes and publishes their diagnostics,
    /// is never held up by them.
    async fn off_path<T: Send + 'static>(
        &self,
        method: &'static str,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T> {
        let test_panic = self.panic_on.as_deref() == Some(method);
        match tokio::task::spawn_blocking(move || guard(method, test_panic, work)).await {
            Ok(done) => done,
            Err(e) => Err(internal_error(method, &e.to_string())),
        }
    }
}

/// Runs `work`, turning a panic in it into an LSP internal error (logged) instead of a dead
/// server; `test_panic` panics on purpose first (`FRONTLINE_TEST_PANIC`).
fn guard<T>(method: &str, test_panic: bool, work: impl FnOnce() -> T) -> Result<T> {
    catch_unwind(AssertUnwindSafe(|| {
        if test_panic {
            panic!("FRONTLINE_TEST_PANIC={method}");
        }
        work()
    }))
    .map_err(|e| internal_error(method, crate::panics::message(&*e).unwrap_or_default()))
}

/// The error answered for a request whose work failed inside frontline (logged too).
fn internal_error(method: &str, what: &str) -> Error {
    log!("internal error in {method}: {what}");
    let mut err = Error::internal_error();
    err.message = format!("frontline: internal error in {method}: {what}").into();
    err
}

fn hover_card(kb: &KnowledgeBase, snap: &Snapshot, at: usize, enc: Encoding) -> Option<Hover> {
    let m = snap.analysis.mention_at(at)?;
    let usage = Usage {
        here: Some((snap.text[m.range.clone()].to_string(), m.name)),
        forms: snap.analysis.forms_of(&snap.text, m.actor()).to_vec(),
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

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let enc = negotiate(&params.capabilities);
        if let Ok(mut e) = self.encoding.write() {
            *e = enc;
        }
        self.projects.set_encoding(enc);
        let creates = params
            .capabilities
            .workspace
            .as_ref()
            .and_then(|w| w.workspace_edit.as_ref())
            .and_then(|e| e.resource_operations.as_ref())
            .is_some_and(|ops| ops.contains(&ResourceOperationKind::Create));
        self.can_create_files.store(creates, Ordering::Relaxed);
        let annotations = params
            .capabilities
            .workspace
            .as_ref()
            .and_then(|w| w.workspace_edit.as_ref())
            .and_then(|e| e.change_annotation_support.as_ref())
            .is_some();
        self.change_annotations.store(annotations, Ordering::Relaxed);
        self.watch_dynamically.store(
            params
                .capabilities
                .workspace
                .as_ref()
                .and_then(|w| w.did_change_watched_files.as_ref())
                .and_then(|d| d.dynamic_registration)
                == Some(true),
            Ordering::Relaxed,
        );
        let mut folders: Vec<PathBuf> =
            params.workspace_folders.iter().flatten().filter_map(|f| super::projects::path_of(&f.uri)).collect();
        #[allow(deprecated)]
        if folders.is_empty() {
            folders.extend(params.root_uri.as_ref().and_then(super::projects::path_of));
        }
        if let Ok(mut f) = self.projects.folders.write() {
            *f = folders;
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
        // Only now: the client may not be asked to refresh anything before it is initialised.
        let workspace = caps.workspace.as_ref();
        let inlay = workspace.and_then(|w| w.inlay_hint.as_ref()).and_then(|i| i.refresh_support) == Some(true);
        let lens = workspace.and_then(|w| w.code_lens.as_ref()).and_then(|c| c.refresh_support) == Some(true);
        self.refresh_views[0].store(inlay, Ordering::Relaxed);
        self.refresh_views[1].store(lens, Ordering::Relaxed);
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
                definition_provider: Some(OneOf::Left(true)),
                execute_command_provider: Some(ExecuteCommandOptions {
                    commands: vec![PROJECT_FILE_EDITED.into()],
                    ..Default::default()
                }),
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
                completion_provider: Some(CompletionOptions::default()),
                inlay_hint_provider: Some(OneOf::Left(true)),
                code_lens_provider: Some(CodeLensOptions { resolve_provider: Some(false) }),
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
        let kb = self.projects.base().kb.clone();
        let message = format!("frontline ready: {} actors, {} names", kb.actors().len(), kb.name_count());
        log!("{message}");
        self.client.log_message(MessageType::INFO, message).await;
        // Index the workspace's stories in the background; nothing waits for it.
        let _ = self.notices.send(Notice::Rescan { first: true });
        if self.watch_dynamically.load(Ordering::Relaxed) {
            let watchers = ["**/frontline.toml", "**/*.json", "**/*.{md,markdown,txt}"]
                .into_iter()
                .map(|g| FileSystemWatcher { glob_pattern: GlobPattern::String(g.into()), kind: None })
                .collect();
            let options = DidChangeWatchedFilesRegistrationOptions { watchers };
            let registration = Registration {
                id: "frontline-watch".into(),
                method: "workspace/didChangeWatchedFiles".into(),
                register_options: serde_json::to_value(options).ok(),
            };
            if let Err(e) = self.client.register_capability(vec![registration]).await {
                log!("the client refused to watch files ({e}); polling instead");
                self.poll_project_files();
            }
        } else {
            self.poll_project_files();
        }
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
        // Loads the document's project if it is the first of it (reading a few small files).
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
        self.projects.forget(&uri);
        if self.docs.remove(&uri).is_some() {
            let _ = self.publish.send(Publish::Closed(uri.clone()));
        }
        // Its copy on disk stands for it again in the workspace index.
        if let Some(path) = uri.to_file_path().filter(|p| self.workspace.contains(p)) {
            self.reindex(&path).await;
        }
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        for change in params.changes {
            let Some(path) = super::projects::path_of(&change.uri) else { continue };
            if workspace::wanted(&path) {
                // A story: its copy on disk is indexed again, unless it is open.
                if !self.docs.contains_key(&change.uri) && self.workspace.contains(&path) {
                    self.reindex(&path).await;
                }
                continue;
            }
            let outcome = self.projects.file_changed(&path);
            self.report(outcome);
        }
    }

    async fn execute_command(&self, params: ExecuteCommandParams) -> Result<Option<Value>> {
        if params.command != PROJECT_FILE_EDITED {
            return Err(Error::invalid_params(format!("unknown command `{}`", params.command)));
        }
        let (Some(uri), Some(text)) = (
            params.arguments.first().and_then(Value::as_str).and_then(|u| u.parse::<Uri>().ok()),
            params.arguments.get(1).and_then(Value::as_str),
        ) else {
            return Err(Error::invalid_params(format!("{PROJECT_FILE_EDITED} takes a file URI and its new text")));
        };
        let Some(path) = super::projects::path_of(&uri) else {
            return Err(Error::invalid_params("not a file URI"));
        };
        let outcome = self.projects.file_edited(&path, text.to_string());
        self.report(outcome);
        Ok(None)
    }

    async fn goto_definition(&self, params: GotoDefinitionParams) -> Result<Option<GotoDefinitionResponse>> {
        let pos = params.text_document_position_params;
        let Some(snap) = self.snapshot(&pos.text_document.uri).await else {
            return Ok(None);
        };
        let enc = self.encoding();
        let projects = self.projects.clone();
        self.guarded("textDocument/definition", || {
            let m = snap.analysis.mention_at(offset(&snap.rope, pos.position, enc))?;
            let found = super::kb_actions::definitions(&snap.config.kb, m.actor(), &|p| projects.read(p), enc);
            (!found.is_empty()).then_some(GotoDefinitionResponse::Array(found))
        })
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
        self.off_path("textDocument/diagnostic", move || {
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
        .await
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let uri = params.text_document.uri;
        let Some(snap) = self.snapshot(&uri).await else { return Ok(None) };
        let enc = self.encoding();
        let projects = self.projects.clone();
        let folders = self.projects.folders.read().map(|f| f.clone()).unwrap_or_default();
        let creates = self.can_create_files.load(Ordering::Relaxed);
        self.off_path("textDocument/codeAction", move || {
            let range = byte_range(&snap.rope, params.range, enc);
            let mut actions = diagnostics::code_actions(&uri, &snap, range.clone(), enc);
            let target = super::kb_actions::Target::of(&snap.config.project, &folders);
            actions.extend(super::kb_actions::actions(
                &snap,
                range,
                target.as_ref(),
                creates,
                &|p| projects.read(p),
                enc,
            ));
            Some(actions.into_iter().map(CodeActionOrCommand::CodeAction).collect())
        })
        .await
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
        self.off_path("textDocument/documentHighlight", move || {
            let m = snap.analysis.mention_at(offset(&snap.rope, pos.position, enc))?;
            // (In text order: each position is found from the one before.)
            let mut near = crate::text::pos::Near::default();
            let highlights = snap
                .analysis
                .mentions_of(m.actor())
                .map(|o| DocumentHighlight {
                    range: snap.lsp_range_near(&o.range, enc, &mut near),
                    kind: Some(DocumentHighlightKind::TEXT),
                })
                .collect();
            Some(highlights)
        })
        .await
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        let pos = params.text_document_position;
        let Some(snap) = self.snapshot(&pos.text_document.uri).await else {
            return Ok(None);
        };
        let enc = self.encoding();
        self.guarded("textDocument/completion", || complete::completion(&snap, pos.position, enc))
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        let uri = params.text_document.uri;
        // Off unless the editor settings or the project turn them on (`inlayHints`).
        if !self.config_for(&uri).project.inlay_hints {
            return Ok(Some(Vec::new()));
        }
        let Some(snap) = self.snapshot(&uri).await else {
            return Ok(None);
        };
        let enc = self.encoding();
        self.guarded("textDocument/inlayHint", || {
            Some(inlay::hints(&snap, byte_range(&snap.rope, params.range, enc), enc))
        })
    }

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        let uri = params.text_document.uri;
        let Some(snap) = self.snapshot(&uri).await else {
            return Ok(None);
        };
        let enc = self.encoding();
        self.off_path("textDocument/codeLens", move || Some(lens::lenses(uri.as_str(), &snap, enc))).await
    }

    async fn document_symbol(&self, params: DocumentSymbolParams) -> Result<Option<DocumentSymbolResponse>> {
        let uri = params.text_document.uri;
        let Some(snap) = self.snapshot(&uri).await else { return Ok(None) };
        let (enc, hierarchical) = (self.encoding(), self.workspace.support().hierarchical_symbols);
        self.off_path("textDocument/documentSymbol", move || {
            Some(symbols::document_symbols(&uri, &snap, enc, hierarchical))
        })
        .await
    }

    async fn symbol(&self, params: WorkspaceSymbolParams) -> Result<Option<WorkspaceSymbolResponse>> {
        let kb = match self.workspace.roots().first() {
            Some(root) => self.projects.config_for_file(&root.join("story.md")).kb.clone(),
            None => self.projects.base().kb.clone(),
        };
        let (open, index) = self.across(None);
        let (enc, without_range) = (self.encoding(), self.workspace.support().symbol_resolve);
        self.off_path("workspace/symbol", move || {
            let firsts = symbols::first_mentions(&open, &index, enc);
            Some(WorkspaceSymbolResponse::Nested(symbols::workspace_symbols(
                &kb,
                &params.query,
                &firsts,
                without_range,
            )))
        })
        .await
    }

    async fn symbol_resolve(&self, params: WorkspaceSymbol) -> Result<WorkspaceSymbol> {
        let (open, index) = self.across(None);
        let enc = self.encoding();
        self.off_path("workspaceSymbol/resolve", move || {
            symbols::resolve(params, &symbols::first_mentions(&open, &index, enc))
        })
        .await
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        let pos = params.text_document_position;
        let uri = pos.text_document.uri;
        let Some(snap) = self.snapshot(&uri).await else { return Ok(None) };
        let (open, index) = self.across(Some(&uri));
        let enc = self.encoding();
        self.off_path("textDocument/references", move || {
            let at = offset(&snap.rope, pos.position, enc);
            references::references(&uri, &snap, at, enc, &open, &index)
        })
        .await
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
        let annotations = self.change_annotations.load(Ordering::Relaxed) && versioned;
        let creates = self.can_create_files.load(Ordering::Relaxed);
        let folders = self.projects.folders.read().map(|f| f.clone()).unwrap_or_default();
        let projects = self.projects.clone();
        self.off_path("textDocument/rename", move || {
            let at = offset(&snap.rope, pos.position, enc);
            let plain = references::rename(&uri, &snap, at, &params.new_name, enc, versioned);
            // A name the actor does not have: with the user's confirmation, add it as an alias.
            let not_a_name = matches!(plain, Err(crate::analysis::rename::RenameError::NotAName { .. }));
            if not_a_name && annotations {
                let target = super::kb_actions::Target::of(&snap.config.project, &folders);
                let usable = target.as_ref().filter(|t| creates || projects.read(&t.file).is_ok());
                if let Some(edit) = usable.and_then(|t| {
                    super::kb_actions::rename_adding_alias(
                        &uri,
                        &snap,
                        at,
                        &params.new_name,
                        t,
                        &|p| projects.read(p),
                        enc,
                    )
                }) {
                    return Ok(Some(edit));
                }
            }
            plain.map_err(references::invalid)
        })
        .await?
    }

    async fn semantic_tokens_full(&self, params: SemanticTokensParams) -> Result<Option<SemanticTokensResult>> {
        let uri = params.text_document.uri;
        let Some(snap) = self.snapshot(&uri).await else {
            return Ok(None);
        };
        let enc = self.encoding();
        let id = snap.serial.to_string();
        let (tokens, data) = self
            .off_path("textDocument/semanticTokens/full", move || {
                let tokens = snap.semantic_tokens(enc);
                let data = tokens.data.clone();
                (tokens, data)
            })
            .await?;
        self.tokens.insert(uri, (id.clone(), tokens));
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
        let previous = self.tokens.get(&uri).filter(|t| t.0 == params.previous_result_id).map(|t| t.1.clone());
        let id = snap.serial.to_string();
        let result_id = Some(id.clone());
        let (tokens, answer) = self
            .off_path("textDocument/semanticTokens/full/delta", move || {
                let tokens = snap.semantic_tokens(enc);
                // The edits from the tokens the client holds, if they are the ones sent last; else
                // all of them.
                let answer = match previous {
                    Some(old) => {
                        let edits = semantic::edits(&old.data, &tokens.data);
                        SemanticTokensFullDeltaResult::TokensDelta(SemanticTokensDelta { result_id, edits })
                    }
                    None => {
                        let data = tokens.data.clone();
                        SemanticTokensFullDeltaResult::Tokens(SemanticTokens { result_id, data })
                    }
                };
                (tokens, answer)
            })
            .await?;
        self.tokens.insert(uri, (id, tokens));
        Ok(Some(answer))
    }

    async fn semantic_tokens_range(
        &self,
        params: SemanticTokensRangeParams,
    ) -> Result<Option<SemanticTokensRangeResult>> {
        let Some(snap) = self.snapshot(&params.text_document.uri).await else {
            return Ok(None);
        };
        let enc = self.encoding();
        self.off_path("textDocument/semanticTokens/range", move || {
            let range = byte_range(&snap.rope, params.range, enc);
            let mentions = snap.analysis.mentions_in(range);
            let data = semantic::tokens(snap.source(), &mentions, enc);
            Some(SemanticTokensRangeResult::Tokens(SemanticTokens { result_id: None, data }))
        })
        .await
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
    // One thread runs the protocol: reading, applying edits, the analysis after a keystroke,
    // publishing and writing. At typing pace every hand-off between threads wakes a sleeping one;
    // on one thread the 1 MB keystroke's diagnostics came 0.2–0.6 ms sooner (docs/benchmarks-history.md).
    // Work that grows with the story runs on the blocking pool (`Backend::off_path`, analyses
    // afresh), so that no request holds up a keystroke.
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            log!("cannot start the async runtime: {e}");
            return 3;
        }
    };
    let code = runtime.block_on(async {
        let outbox = transport::outbox();
        let direct = transport::Outbox(outbox.0.downgrade());
        let activity = Arc::new(Activity::default());
        let heard = activity.clone();
        let (service, socket) = LspService::new(|client| Backend::new(client, kb, Some(direct), heard));
        transport::serve(transport::stdin(), transport::stdout(), service, socket, CONCURRENCY, outbox, activity).await
    });
    // A read of stdin may still be pending on a blocking thread: do not wait for it.
    runtime.shutdown_background();
    code
}
