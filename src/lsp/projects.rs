//! The projects of open documents, as the server keeps them: which configuration each document is
//! analysed with, reloading a project when one of its files changes (keeping the last good one
//! when the new one is broken), and the problems of broken files as diagnostics in those files.
//!
//! The files themselves are read and checked by [`crate::project`]; this module adds what only a
//! server needs: a cache per project, texts that the editor has changed but not yet saved
//! (overlays), a global generation counter, and the conversion of problems into diagnostics.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::SystemTime;

use dashmap::DashMap;
use ropey::Rope;
use tower_lsp_server::ls_types::{Diagnostic, DiagnosticSeverity, NumberOrString, Range as LspRange, Uri};

use super::convert::lsp_range;
use super::document::Config;
use crate::analysis::Settings;
use crate::kb::{KnowledgeBase, Problem};
use crate::project::{self, FileFilter, Overrides, Project, Root};
use crate::text::pos::{byte_of, LineCol};
use crate::text::Encoding;

/// Documents larger than this are kept in sync but not analysed, unless settings say otherwise.
pub const DEFAULT_MAX_FILE_SIZE: usize = 16 * 1024 * 1024;

/// What a reload found.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Diagnostics to publish on project files (an empty list clears a file's old problems).
    pub publish: Vec<(Uri, Vec<Diagnostic>)>,
    /// Problems with the user's own settings, to show as a message.
    pub messages: Vec<String>,
    /// Projects whose configuration changed: their documents must be analysed again.
    pub changed: Vec<Option<Root>>,
}

impl Outcome {
    fn merge(&mut self, other: Outcome) {
        self.publish.extend(other.publish);
        self.messages.extend(other.messages);
        self.changed.extend(other.changed);
    }
}

/// Every project the server has loaded.
pub struct Projects {
    /// The built-in knowledge base with default settings: what is left when everything else fails.
    base: Arc<Config>,
    editor: RwLock<Overrides>,
    /// Texts of project files that the editor holds but may not have saved (our own edits to a
    /// knowledge-base file); they win over the disk until the file changes on disk.
    overlays: DashMap<PathBuf, String>,
    /// The last good configuration of each project (`None`: documents outside any project).
    loaded: RwLock<HashMap<Option<Root>, Arc<Config>>>,
    /// The project of each open document.
    roots: DashMap<Uri, Option<Root>>,
    /// What files of a project that failed to load and has no open story are indexed with.
    unopened: DashMap<Option<Root>, Arc<Config>>,
    /// The project files whose problems are published, per project.
    reported: Mutex<HashMap<Option<Root>, Vec<PathBuf>>>,
    generation: AtomicU64,
    /// Held while a project loads (see `lock_reloads`).
    reloading: Mutex<()>,
    encoding: RwLock<Encoding>,
    /// The workspace folders, where a knowledge-base file is created when a story has no project.
    pub folders: RwLock<Vec<PathBuf>>,
}

fn read_lock<T: Clone>(l: &RwLock<T>) -> T {
    match l.read() {
        Ok(v) => v.clone(),
        Err(p) => p.into_inner().clone(),
    }
}

/// The path of a `file:` URI.
pub fn path_of(uri: &Uri) -> Option<PathBuf> {
    uri.to_file_path().map(|p| p.into_owned())
}

impl Projects {
    pub fn new(builtin: Arc<KnowledgeBase>) -> Projects {
        let base = Arc::new(Config {
            kb: builtin.clone(),
            settings: Arc::new(Settings::default()),
            generation: 0,
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            project: Arc::new(Project {
                root: None,
                kb_files: Vec::new(),
                kb: builtin,
                settings: Settings::default(),
                files: FileFilter::default(),
                inlay_hints: false,
                max_file_size: None,
            }),
        });
        Projects {
            base,
            editor: RwLock::new(Overrides::default()),
            overlays: DashMap::new(),
            loaded: RwLock::new(HashMap::new()),
            roots: DashMap::new(),
            unopened: DashMap::new(),
            reported: Mutex::new(HashMap::new()),
            generation: AtomicU64::new(1),
            reloading: Mutex::new(()),
            encoding: RwLock::new(Encoding::Utf16),
            folders: RwLock::new(Vec::new()),
        }
    }

    /// The last good configuration of a project, if it has loaded once.
    fn loaded_config(&self, root: &Option<Root>) -> Option<Arc<Config>> {
        match self.loaded.read() {
            Ok(l) => l.get(root).cloned(),
            Err(p) => p.into_inner().get(root).cloned(),
        }
    }

    /// The built-in knowledge base with default settings.
    pub fn base(&self) -> Arc<Config> {
        self.base.clone()
    }

    pub fn set_encoding(&self, enc: Encoding) {
        if let Ok(mut e) = self.encoding.write() {
            *e = enc;
        }
    }

    fn encoding(&self) -> Encoding {
        read_lock(&self.encoding)
    }

    /// A file's text: the editor's unsaved text if we hold one, else the disk's.
    pub fn read(&self, path: &Path) -> std::io::Result<String> {
        match self.overlays.get(path) {
            Some(t) => Ok(t.clone()),
            None => std::fs::read_to_string(path),
        }
    }

    fn root_of(&self, uri: &Uri) -> Option<Root> {
        if let Some(r) = self.roots.get(uri) {
            return r.clone();
        }
        let root = path_of(uri).and_then(|p| project::discover(&p));
        self.roots.insert(uri.clone(), root.clone());
        root
    }

    /// Forgets a closed document.
    pub fn forget(&self, uri: &Uri) {
        self.roots.remove(uri);
    }

    /// The configuration a document is analysed with: its project's last good one, loaded now if
    /// this is the first document of the project. The outcome holds problems to report.
    pub fn config_for(&self, uri: &Uri) -> (Arc<Config>, Outcome) {
        let root = self.root_of(uri);
        if let Some(c) = self.loaded_config(&root) {
            return (c.clone(), Outcome::default());
        }
        let _one_at_a_time = self.lock_reloads();
        // Loaded by another caller while this one waited?
        if let Some(c) = self.loaded_config(&root) {
            return (c.clone(), Outcome::default());
        }
        let outcome = self.reload_locked(&root);
        let config = match self.loaded_config(&root) {
            Some(c) => c,
            None => {
                // Never loaded and broken now: analyse with the fallback until it is fixed.
                let c = self.fallback();
                if let Ok(mut l) = self.loaded.write() {
                    l.entry(root.clone()).or_insert_with(|| c.clone());
                }
                c
            }
        };
        (config, outcome)
    }

    /// The configuration of a file that is not open (the workspace scan): its project's, loaded if
    /// need be, without remembering the file as a document.
    pub fn config_for_file(&self, path: &Path) -> Arc<Config> {
        let root = project::discover(path);
        if let Some(c) = self.loaded_config(&root) {
            return c.clone();
        }
        if let Some(c) = self.unopened.get(&root) {
            return c.clone();
        }
        let _one_at_a_time = self.lock_reloads();
        if let Some(c) = self.loaded_config(&root) {
            return c.clone();
        }
        // Its problems are reported once one of its stories is opened (that reload publishes
        // every problem again); meanwhile, the fallback.
        let _ = self.reload_locked(&root);
        match self.loaded_config(&root) {
            Some(c) => c,
            None => self.unopened.entry(root).or_insert_with(|| self.fallback()).clone(),
        }
    }

    /// The project a document belongs to, as loaded.
    pub fn project_of(&self, uri: &Uri) -> Arc<Config> {
        self.config_for(uri).0
    }

    /// The configuration of documents whose project cannot be loaded and has never been: the
    /// built-in knowledge base and the editor settings (or, if those are wrong too, nothing but
    /// the built-in knowledge base).
    fn fallback(&self) -> Arc<Config> {
        if let Some(c) = self.loaded_config(&None) {
            return c.clone();
        }
        let editor = read_lock(&self.editor);
        match project::load_over(Some(&self.base.kb), None, &editor, &|p: &Path| self.read(p)) {
            Ok(p) => self.config_of(p),
            Err(_) => self.base.clone(),
        }
    }

    fn config_of(&self, project: Project) -> Arc<Config> {
        let generation = self.generation.fetch_add(1, Ordering::Relaxed);
        let max_file_size = project.max_file_size.map_or(DEFAULT_MAX_FILE_SIZE, |n| n as usize);
        Arc::new(Config {
            kb: project.kb.clone(),
            settings: Arc::new(project.settings.clone()),
            generation,
            max_file_size,
            project: Arc::new(project),
        })
    }

    /// Loads a project again. On success its configuration is replaced and its files' problems
    /// are cleared; on failure the last good configuration stays and the problems are reported.
    pub fn reload(&self, root: &Option<Root>) -> Outcome {
        let _one_at_a_time = self.lock_reloads();
        self.reload_locked(root)
    }

    /// Reloads run one at a time, so each reads the files as they are when it runs and the
    /// results are applied in that order: a reload that started earlier (reading older files)
    /// can never overwrite a later one, nor take the problems it reported.
    fn lock_reloads(&self) -> std::sync::MutexGuard<'_, ()> {
        match self.reloading.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        }
    }

    fn reload_locked(&self, root: &Option<Root>) -> Outcome {
        let editor = read_lock(&self.editor);
        let result = project::load_over(Some(&self.base.kb), root.as_ref(), &editor, &|p: &Path| self.read(p));
        let mut outcome = Outcome::default();
        let problems = match result {
            Ok(project) => {
                let config = self.config_of(project);
                if let Ok(mut l) = self.loaded.write() {
                    l.insert(root.clone(), config);
                }
                self.unopened.remove(root);
                outcome.changed.push(root.clone());
                Vec::new()
            }
            Err(e) => e.problems,
        };
        let mut by_file: HashMap<PathBuf, Vec<Problem>> = HashMap::new();
        for p in problems {
            if p.file == project::SETTINGS {
                outcome.messages.push(p.message);
            } else {
                by_file.entry(PathBuf::from(&p.file)).or_default().push(p);
            }
        }
        let mut reported = match self.reported.lock() {
            Ok(r) => r,
            Err(p) => p.into_inner(),
        };
        let before = reported.remove(root).unwrap_or_default();
        for file in &before {
            if !by_file.contains_key(file) {
                if let Some(uri) = Uri::from_file_path(file) {
                    outcome.publish.push((uri, Vec::new()));
                }
            }
        }
        let enc = self.encoding();
        for (file, problems) in &by_file {
            let Some(uri) = Uri::from_file_path(file) else { continue };
            let text = self.read(file).unwrap_or_default();
            let rope = Rope::from_str(&text);
            outcome.publish.push((uri, problems.iter().map(|p| diagnostic(&rope, p, enc)).collect()));
        }
        reported.insert(root.clone(), by_file.into_keys().collect());
        outcome
    }

    /// Applies new editor settings and reloads every project.
    pub fn set_editor(&self, overrides: Overrides) -> Outcome {
        if let Ok(mut e) = self.editor.write() {
            *e = overrides;
        }
        if let Ok(mut l) = self.loaded.write() {
            l.remove(&None);
        }
        self.reload_all()
    }

    /// Reloads every project in use.
    pub fn reload_all(&self) -> Outcome {
        let mut roots: Vec<Option<Root>> = read_lock(&self.loaded).into_keys().collect();
        for r in self.roots.iter() {
            if !roots.contains(r.value()) {
                roots.push(r.value().clone());
            }
        }
        let mut outcome = Outcome::default();
        for root in roots {
            outcome.merge(self.reload(&root));
        }
        outcome
    }

    /// A file changed on disk (or was created or deleted): reload what depends on it. A change to
    /// a `frontline.toml` may move documents to another project, so every document's project is
    /// found again.
    pub fn file_changed(&self, path: &Path) -> Outcome {
        self.overlays.remove(path);
        self.affected(path)
    }

    /// The editor holds a new, maybe unsaved, text for a project file (our own edit to it).
    pub fn file_edited(&self, path: &Path, text: String) -> Outcome {
        self.overlays.insert(path.to_path_buf(), text);
        self.affected(path)
    }

    fn affected(&self, path: &Path) -> Outcome {
        if path.file_name().is_some_and(|n| n == project::FILE_NAME) {
            let uris: Vec<Uri> = self.roots.iter().map(|r| r.key().clone()).collect();
            for uri in uris {
                let root = path_of(&uri).and_then(|p| project::discover(&p));
                self.roots.insert(uri, root);
            }
            return self.reload_all();
        }
        let loaded = read_lock(&self.loaded);
        let mut outcome = Outcome::default();
        let reported: Vec<(Option<Root>, Vec<PathBuf>)> = match self.reported.lock() {
            Ok(r) => r.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            Err(_) => Vec::new(),
        };
        let mut roots: Vec<Option<Root>> = Vec::new();
        for (root, config) in &loaded {
            let default_actors = root.as_ref().map(|r| r.dir.join(project::ACTORS_FILE));
            if config.project.kb_files.iter().any(|f| f == path) || default_actors.as_deref() == Some(path) {
                roots.push(root.clone());
            }
        }
        for (root, files) in reported {
            if files.iter().any(|f| f == path) && !roots.contains(&root) {
                roots.push(root);
            }
        }
        for root in roots {
            outcome.merge(self.reload(&root));
        }
        outcome
    }

    /// The open documents of the given projects.
    pub fn documents_of(&self, roots: &[Option<Root>]) -> Vec<Uri> {
        self.roots.iter().filter(|r| roots.contains(r.value())).map(|r| r.key().clone()).collect()
    }

    /// The files to watch when the client cannot: every loaded project's configuration and
    /// knowledge-base files, and the places a `frontline.toml` could appear above open documents.
    pub fn watched(&self) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = Vec::new();
        for (root, config) in read_lock(&self.loaded) {
            files.extend(config.project.kb_files.iter().cloned());
            if let Some(r) = root {
                files.push(r.dir.join(project::ACTORS_FILE));
            }
        }
        for r in self.roots.iter() {
            if let Some(dir) = path_of(r.key()).as_deref().and_then(Path::parent) {
                files.extend(dir.ancestors().map(|d| d.join(project::FILE_NAME)));
            }
        }
        files.sort();
        files.dedup();
        files
    }
}

/// When each file was last modified (`None`: it does not exist).
pub fn stamps(files: &[PathBuf]) -> Vec<(PathBuf, Option<SystemTime>)> {
    files.iter().map(|f| (f.clone(), std::fs::metadata(f).and_then(|m| m.modified()).ok())).collect()
}

/// A problem as a diagnostic in its file: from its line and column to the end of that line.
fn diagnostic(rope: &Rope, p: &Problem, enc: Encoding) -> Diagnostic {
    let line = p.line.saturating_sub(1) as u32;
    let start = byte_of(rope, LineCol::new(line, p.column.saturating_sub(1) as u32), Encoding::Utf32);
    let line_end = if (line as usize) < rope.len_lines() {
        let l = rope.line(line as usize);
        let text = l.to_string();
        rope.line_to_byte(line as usize) + text.trim_end().len()
    } else {
        rope.len_bytes()
    };
    let end = line_end.max(start);
    let range: LspRange = lsp_range(rope, &(start..end), enc);
    Diagnostic {
        range,
        severity: Some(DiagnosticSeverity::ERROR),
        code: Some(NumberOrString::String("project/invalid".into())),
        source: Some("frontline".into()),
        message: p.message.clone(),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_point_at_their_line_and_column_in_every_encoding() {
        let text = "{\"a\": \"é😀\", \"b\": x}\n";
        let rope = Rope::from_str(text);
        // Column 18 (characters) is the `x`; in UTF-16 the emoji counts twice.
        let p = Problem { file: "f".into(), line: 1, column: 18, message: "bad".into() };
        let d = diagnostic(&rope, &p, Encoding::Utf16);
        assert_eq!((d.range.start.line, d.range.start.character), (0, 18));
        let d = diagnostic(&rope, &p, Encoding::Utf8);
        assert_eq!(d.range.start.character as usize, text.find('x').unwrap());
        let past = Problem { file: "f".into(), line: 9, column: 1, message: "bad".into() };
        let d = diagnostic(&rope, &past, Encoding::Utf16);
        assert!(d.range.start <= d.range.end);
    }
}
