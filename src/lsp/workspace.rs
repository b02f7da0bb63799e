//! The workspace index: where the stories on disk (under the workspace folders) name each actor,
//! for references and workspace symbols across files the editor has not opened.
//!
//! The folders are walked and the files analysed in the background after `initialized`; requests
//! never wait for it and answer from what is indexed so far. Ranges are stored as LSP ranges in the
//! negotiated encoding, per file and per actor id (the knowledge base's string id, so the index
//! stays meaningful when the knowledge base is reloaded).

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};

use dashmap::DashMap;
use rayon::prelude::*;
use ropey::Rope;
use tower_lsp_server::ls_types::{NumberOrString, Range as LspRange, Uri};
use tower_lsp_server::Client;

use super::activity::{until_quiet, MAX_WAIT};
use super::convert::lsp_range_near;
use super::document::Config;
use crate::analysis::blocks::mention_ranges;
use crate::project::files::flavor_of_path;
use crate::text::pos::{LineIndex, Near};
use crate::text::Encoding;

/// The latest snapshots of open documents, by URI.
pub type OpenDocs = Vec<(Uri, Arc<super::document::Snapshot>)>;

/// Indexed files, by URI.
pub type IndexedFiles = Vec<(Uri, Arc<FileIndex>)>;

/// How long the scan waits for the client to accept its progress token before going on without.
const PROGRESS_CREATE_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// Files analysed between two progress reports.
const CHUNK: usize = 32;

/// At most this many files are indexed; the walk stops there (and says so in the log).
pub const MAX_FILES: usize = 20_000;

/// Folders never walked (besides hidden ones).
const SKIPPED_DIRS: &[&str] = &["node_modules", "target"];

/// What the client said it supports, for the navigation features.
#[derive(Debug, Clone, Copy, Default)]
pub struct ClientSupport {
    /// `textDocument.documentSymbol.hierarchicalDocumentSymbolSupport`.
    pub hierarchical_symbols: bool,
    /// `workspace.symbol.resolveSupport`: locations without a range are allowed.
    pub symbol_resolve: bool,
    /// `window.workDoneProgress`: the server may create progress tokens.
    pub work_done_progress: bool,
    /// `workspace.workspaceEdit.documentChanges`: versioned document edits.
    pub document_changes: bool,
}

/// One indexed file.
#[derive(Debug, Default)]
pub struct FileIndex {
    pub path: PathBuf,
    /// Actor id → the ranges of its mentions, in text order.
    pub mentions: HashMap<String, Vec<LspRange>>,
}

/// The workspace folders, the index of their files, and the client's support.
#[derive(Debug, Default)]
pub struct Workspace {
    roots: RwLock<Vec<PathBuf>>,
    index: DashMap<Uri, Arc<FileIndex>>,
    support: RwLock<ClientSupport>,
    scanned: AtomicBool,
}

/// Whether a file is one of the stories the index reads (by default: `.md`, `.markdown`, `.txt`).
pub fn wanted(path: &Path) -> bool {
    flavor_of_path(path).is_some()
}

fn skipped_dir(path: &Path) -> bool {
    path.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with('.') || SKIPPED_DIRS.contains(&n))
}

/// The wanted files below `roots`, in path order, at most `max` of them (the flag says whether the
/// cap was reached). Hidden folders and files, `node_modules`, `target` and symlink loops are
/// skipped; unreadable folders are passed over.
pub fn walk(roots: &[PathBuf], max: usize) -> (Vec<PathBuf>, bool) {
    let mut files = Vec::new();
    let mut seen: HashSet<PathBuf> = HashSet::new();
    for root in roots {
        let mut stack = vec![root.clone()];
        while let Some(dir) = stack.pop() {
            let Ok(canon) = dir.canonicalize() else { continue };
            if !seen.insert(canon) {
                continue;
            }
            let Ok(entries) = std::fs::read_dir(&dir) else { continue };
            let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
            paths.sort();
            let mut dirs = Vec::new();
            for p in paths {
                if p.is_dir() {
                    if !skipped_dir(&p) {
                        dirs.push(p);
                    }
                } else if wanted(&p) && !skipped_dir(&p) && p.is_file() {
                    if files.len() >= max {
                        return (files, true);
                    }
                    files.push(p);
                }
            }
            // Depth first, in path order.
            stack.extend(dirs.into_iter().rev());
        }
    }
    (files, false)
}

/// Reads and analyses one file; `None` when it is not a wanted file, cannot be read as UTF-8 text
/// or is over the configured size limit.
pub fn index_file(path: &Path, config: &Config, enc: Encoding) -> Option<FileIndex> {
    let flavor = flavor_of_path(path)?;
    let len = std::fs::metadata(path).ok()?.len();
    if len > config.max_file_size as u64 {
        return None;
    }
    let text = std::fs::read_to_string(path).ok()?;
    // The mentions alone: an index needs no voices, quotations or rules.
    let found = mention_ranges(&config.kb, &text, flavor);
    let (rope, lines) = (Rope::from_str(&text), LineIndex::new(&text));
    let mut near = Near::default();
    let mut mentions: HashMap<String, Vec<LspRange>> = HashMap::new();
    for (range, actor) in &found {
        let id = &config.kb.actor(*actor).id;
        mentions.entry(id.clone()).or_default().push(lsp_range_near(&lines, &rope, &text, range, enc, &mut near));
    }
    Some(FileIndex { path: path.to_path_buf(), mentions })
}

impl Workspace {
    pub fn set_roots(&self, roots: Vec<PathBuf>) {
        if let Ok(mut r) = self.roots.write() {
            *r = roots;
        }
    }

    pub fn roots(&self) -> Vec<PathBuf> {
        self.roots.read().map(|r| r.clone()).unwrap_or_default()
    }

    pub fn set_support(&self, support: ClientSupport) {
        if let Ok(mut s) = self.support.write() {
            *s = support;
        }
    }

    pub fn support(&self) -> ClientSupport {
        self.support.read().map(|s| *s).unwrap_or_default()
    }

    /// Whether the first scan of the folders has finished.
    pub fn scanned(&self) -> bool {
        self.scanned.load(Ordering::Relaxed)
    }

    pub fn mark_scanned(&self) {
        self.scanned.store(true, Ordering::Relaxed);
    }

    /// Whether `path` lies under one of the workspace folders.
    pub fn contains(&self, path: &Path) -> bool {
        self.roots().iter().any(|r| path.starts_with(r))
    }

    /// Stores (or, with `None`, drops) the index of one file.
    pub fn store(&self, uri: Uri, entry: Option<FileIndex>) {
        match entry {
            Some(e) => {
                self.index.insert(uri, Arc::new(e));
            }
            None => {
                self.index.remove(&uri);
            }
        }
    }

    /// Re-reads one file and updates its entry: re-indexed when it is a wanted file under a
    /// workspace folder that can be read, dropped otherwise (deleted, renamed away, too large).
    /// Blocking (reads and analyses the file): call it off the protocol's path. This is what a
    /// `workspace/didChangeWatchedFiles` handler or a close calls.
    pub fn reindex(&self, path: &Path, config: &Config, enc: Encoding) {
        let Some(uri) = Uri::from_file_path(path) else { return };
        let wants = config.project.files.wants(config.project.root.as_ref().map(|r| r.dir.as_path()), path);
        let entry = if wanted(path) && wants && self.contains(path) { index_file(path, config, enc) } else { None };
        self.store(uri, entry);
    }

    /// Every indexed file, in URI order.
    pub fn files(&self) -> IndexedFiles {
        let mut v: IndexedFiles = self.index.iter().map(|e| (e.key().clone(), e.value().clone())).collect();
        v.sort_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
        v
    }

    /// How many indexed files name at least one actor.
    pub fn named_files(&self) -> usize {
        self.index.iter().filter(|e| !e.value().mentions.is_empty()).count()
    }

    pub fn len(&self) -> usize {
        self.index.len()
    }

    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }
}

/// Walks the workspace folders and indexes every wanted file, in chunks on the blocking pool,
/// reporting `$/progress` (when the client supports it) with file counts. `config_of` gives the
/// configuration (knowledge base, size limit) for a file. Requests never wait for this: they use
/// whatever is indexed when they arrive. A file open in the editor when its turn comes is not
/// read (`is_open`): its snapshot stands for it, and it is indexed when it is closed. (Read, a
/// long story opened as the server starts was analysed twice at once, on the same cores.) Each
/// chunk waits for the server to be `quiet` (see [`super::activity`]), so that the index does
/// not take the cores from a story being opened or edited.
pub async fn scan(
    client: Client,
    workspace: Arc<Workspace>,
    enc: Encoding,
    config_of: impl Fn(&Uri) -> Arc<Config> + Send + Sync + 'static,
    is_open: impl Fn(&Uri) -> bool + Send + Sync + 'static,
    quiet: impl Fn() -> bool,
) {
    let roots = workspace.roots();
    if roots.is_empty() {
        workspace.mark_scanned();
        return;
    }
    let walked = tokio::task::spawn_blocking(move || walk(&roots, MAX_FILES)).await;
    let Ok((paths, capped)) = walked else {
        workspace.mark_scanned();
        return;
    };
    if capped {
        eprintln!("[frontline] workspace index: stopped at {MAX_FILES} files; the rest are not indexed");
    }
    // Finding each file's project reads the disk: on the blocking pool too.
    let configured = tokio::task::spawn_blocking(move || -> Vec<(Uri, PathBuf, Arc<Config>)> {
        paths
            .into_iter()
            .filter_map(|p| {
                let uri = Uri::from_file_path(&p)?;
                let cfg = config_of(&uri);
                // The project's `[files]` globs decide too.
                let root = cfg.project.root.as_ref().map(|r| r.dir.as_path());
                cfg.project.files.wants(root, &p).then_some((uri, p, cfg))
            })
            .collect()
    })
    .await;
    let files = configured.unwrap_or_default();
    // A file that is gone, or that the globs no longer want, leaves the index (a re-scan).
    let keep: std::collections::HashSet<&Uri> = files.iter().map(|(u, _, _)| u).collect();
    workspace.index.retain(|u, _| keep.contains(u));
    let total = files.len();
    let mut progress = None;
    if workspace.support().work_done_progress {
        let token = NumberOrString::String("frontline/workspace-index".into());
        // A client that never answers costs the progress, not the index.
        let created = tokio::time::timeout(PROGRESS_CREATE_WAIT, client.create_work_done_progress(token.clone())).await;
        if matches!(created, Ok(Ok(()))) {
            let p = client
                .progress(token, "frontline: indexing stories")
                .with_message(format!("0/{total} files"))
                .with_percentage(0)
                .begin()
                .await;
            progress = Some(p);
        }
    }
    let mut done = 0;
    let is_open = Arc::new(is_open);
    let mut chunks = files.into_iter().peekable();
    while chunks.peek().is_some() {
        until_quiet(&quiet, MAX_WAIT).await;
        let chunk: Vec<(Uri, PathBuf, Arc<Config>)> = chunks.by_ref().take(CHUNK).collect();
        let n = chunk.len();
        let (ws, is_open) = (workspace.clone(), is_open.clone());
        let worked = tokio::task::spawn_blocking(move || {
            chunk.into_par_iter().filter(|(uri, _, _)| !is_open(uri)).for_each(|(uri, path, cfg)| {
                ws.store(uri, index_file(&path, &cfg, enc));
            });
        })
        .await;
        if let Err(e) = worked {
            eprintln!("[frontline] workspace index: a chunk of files failed: {e}");
        }
        done += n;
        if let Some(p) = &progress {
            let pct = (done * 100 / total.max(1)) as u32;
            p.report_with_message(format!("{done}/{total} files"), pct).await;
        }
    }
    workspace.mark_scanned();
    let message = format!("{} of {total} files name an actor", workspace.named_files());
    eprintln!("[frontline] workspace index: {message}");
    if let Some(p) = progress {
        p.finish_with_message(message).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wanted_files_by_extension() {
        assert!(wanted(Path::new("a/story.md")));
        assert!(wanted(Path::new("a/story.MARKDOWN")));
        assert!(wanted(Path::new("story.txt")));
        assert!(!wanted(Path::new("story.rs")));
        assert!(!wanted(Path::new("README")));
    }

    #[test]
    fn skips_hidden_and_build_folders() {
        assert!(skipped_dir(Path::new("x/.git")));
        assert!(skipped_dir(Path::new("x/node_modules")));
        assert!(skipped_dir(Path::new("target")));
        assert!(!skipped_dir(Path::new("x/stories")));
    }

    #[test]
    fn walks_the_seed_articles_in_order_and_caps() {
        let seeds = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/seeds"));
        let (files, capped) = walk(std::slice::from_ref(&seeds), MAX_FILES);
        assert!(!capped);
        let articles: Vec<&PathBuf> = files.iter().filter(|p| p.starts_with(seeds.join("articles"))).collect();
        assert_eq!(articles.len(), 5, "{files:?}");
        assert!(articles.windows(2).all(|w| w[0] < w[1]));
        let (two, capped) = walk(&[seeds.clone(), seeds], 2);
        assert_eq!(two.len(), 2);
        assert!(capped);
    }
}
