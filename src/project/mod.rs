//! Projects: the `frontline.toml` a story falls under, the knowledge-base files it names, and the
//! analysis settings they make, with the user's own settings (editor or command line) on top.
//!
//! Both faces use this module, so a newsroom's editor and its CI job see the same findings:
//! - [`discover`] walks up from a file to its project's folder (the nearest with a
//!   `frontline.toml`);
//! - [`load`] reads the configuration and knowledge-base files (through a reader the caller gives,
//!   so the language server can put open, unsaved buffers first) and returns a [`Project`], or
//!   every problem with its file, line and column.
//!
//! This module reads files; it never writes them.

pub mod config;
pub mod edit;
pub mod files;

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use crate::analysis::{Levels, Settings};
use crate::kb::{HouseStyle, KnowledgeBase, Problem};
pub use config::{ConfigFile, FILE_NAME};
pub use files::FileFilter;

/// The name of the knowledge-base file a project uses when its configuration names none.
pub const ACTORS_FILE: &str = "actors.json";

/// The name under which problems with the user's own settings are reported.
pub const SETTINGS: &str = "settings";

/// Where a project lives.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Root {
    /// The folder its relative paths start from.
    pub dir: PathBuf,
    /// Its `frontline.toml` (none only for a `Root` made by hand around a folder).
    pub config: Option<PathBuf>,
}

/// The project of a file or folder: the nearest folder at or above `start` that holds a
/// `frontline.toml` (an empty one will do; its `actors.json` is then loaded too).
pub fn discover(start: &Path) -> Option<Root> {
    let start = if start.is_dir() { start } else { start.parent()? };
    start.ancestors().find_map(|dir| {
        let config = dir.join(FILE_NAME);
        config.is_file().then(|| Root { dir: dir.to_path_buf(), config: Some(config) })
    })
}

/// Settings the user gives in the editor or on the command line; they apply over the project's.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overrides {
    /// A house-style preset, replacing the project's.
    pub style: Option<String>,
    /// Preferred names as `actor-id=Name`, applied after the project's.
    pub prefer: Vec<String>,
    /// Rule levels (pattern, level), applied after the project's.
    pub rules: Vec<(String, String)>,
    /// The user's own knowledge-base files, loaded after the project's.
    pub kb_files: Vec<PathBuf>,
    /// Let a project's configuration name knowledge-base files outside its folder.
    pub allow_outside: bool,
    pub inlay_hints: Option<bool>,
    pub max_file_size: Option<u64>,
}

/// A loaded project: everything the analysis of one of its stories needs.
#[derive(Debug)]
pub struct Project {
    pub root: Option<Root>,
    /// Knowledge-base files in the order they were loaded over the built-in one.
    pub kb_files: Vec<PathBuf>,
    pub kb: Arc<KnowledgeBase>,
    /// House style and rule levels (the flavour is set per story).
    pub settings: Settings,
    pub files: FileFilter,
    pub inlay_hints: bool,
    pub max_file_size: Option<u64>,
}

impl Project {
    /// Every file this project was loaded from: its configuration and knowledge-base files.
    pub fn sources(&self) -> Vec<PathBuf> {
        let config = self.root.as_ref().and_then(|r| r.config.clone());
        config.into_iter().chain(self.kb_files.iter().cloned()).collect()
    }
}

/// Why a project could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectError {
    pub problems: Vec<Problem>,
    /// Whether a problem is in the configuration (or the user's settings) rather than in a
    /// knowledge-base file: the CLI exits with a different code for each.
    pub in_config: bool,
}

impl std::fmt::Display for ProjectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.problems.len();
        let what = if self.in_config { "the configuration" } else { "the knowledge base" };
        write!(f, "{n} problem{} in {what}", if n == 1 { "" } else { "s" })?;
        for p in &self.problems {
            if p.file == SETTINGS {
                write!(f, "\n  settings: {}", p.message)?;
            } else {
                write!(f, "\n  {p}")?;
            }
        }
        Ok(())
    }
}

/// Reads a file's text (the language server gives one that prefers open buffers).
pub type Reader<'a> = &'a dyn Fn(&Path) -> std::io::Result<String>;

/// Reads from the file system.
pub fn read_disk(path: &Path) -> std::io::Result<String> {
    std::fs::read_to_string(path)
}

/// `path` with `.` and `..` resolved without touching the file system.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

fn settings_problem(message: impl Into<String>) -> Problem {
    Problem { file: SETTINGS.into(), line: 0, column: 0, message: message.into() }
}

/// Loads a project (or, with no root, the built-in knowledge base and the user's settings alone).
pub fn load(root: Option<&Root>, overrides: &Overrides, read: Reader<'_>) -> Result<Project, ProjectError> {
    load_over(None, root, overrides, read)
}

/// As [`load`], re-using `builtin` (the built-in knowledge base, already built) when the project
/// and the user add no knowledge-base file and hide no actor, instead of building it again.
pub fn load_over(
    builtin: Option<&Arc<KnowledgeBase>>,
    root: Option<&Root>,
    overrides: &Overrides,
    read: Reader<'_>,
) -> Result<Project, ProjectError> {
    let fail = |problems: Vec<Problem>, in_config: bool| Err(ProjectError { problems, in_config });
    let config_name = root.and_then(|r| r.config.as_ref()).map(|p| p.display().to_string());
    let mut config_text = String::new();
    let config = match root.and_then(|r| r.config.as_ref()) {
        Some(path) => {
            let name = path.display().to_string();
            config_text = match read(path) {
                Ok(t) => t,
                Err(e) => return fail(vec![config::problem_at(&name, "", 0..0, format!("cannot read: {e}"))], true),
            };
            match config::parse(&name, &config_text) {
                Ok(c) => c,
                Err(p) => return fail(vec![p], true),
            }
        }
        None => ConfigFile::default(),
    };
    let at = |span: std::ops::Range<usize>, message: String| -> Problem {
        config::problem_at(config_name.as_deref().unwrap_or(SETTINGS), &config_text, span, message)
    };
    let mut problems = Vec::new();

    // Knowledge-base files: the project's, then the user's.
    let mut kb_files: Vec<PathBuf> = Vec::new();
    if let Some(root) = root {
        match &config.actors.files {
            Some(files) => {
                let real_root = root.dir.canonicalize().unwrap_or_else(|_| root.dir.clone());
                for f in files {
                    let path = normalize(&root.dir.join(f.get_ref()));
                    // Where the file really is (a symlink inside the project may lead out of it).
                    let inside = match path.canonicalize() {
                        Ok(real) => real.starts_with(&real_root),
                        Err(_) => path.starts_with(&root.dir),
                    };
                    if !(overrides.allow_outside || inside) {
                        problems.push(at(
                            f.span(),
                            format!(
                                "`{}` is outside the project folder: frontline reads it only if your own settings allow \
                                 it (editor setting `allowKnowledgeBaseOutsideProject`, or `check --allow-outside`)",
                                f.get_ref()
                            ),
                        ));
                        continue;
                    }
                    if !path.is_file() {
                        problems.push(at(f.span(), format!("knowledge-base file `{}` not found", path.display())));
                        continue;
                    }
                    kb_files.push(path);
                }
            }
            None => {
                let default = root.dir.join(ACTORS_FILE);
                if default.is_file() {
                    kb_files.push(default);
                }
            }
        }
    }
    if !problems.is_empty() {
        return fail(problems, true);
    }
    let mut texts = Vec::new();
    for path in kb_files.iter().chain(&overrides.kb_files) {
        match read(path) {
            Ok(t) => texts.push((path.display().to_string(), t)),
            Err(e) => problems.push(Problem {
                file: path.display().to_string(),
                line: 1,
                column: 1,
                message: format!("cannot read knowledge-base file: {e}"),
            }),
        }
    }
    if !problems.is_empty() {
        return fail(problems, false);
    }
    let kb: Arc<KnowledgeBase> = match builtin.filter(|_| texts.is_empty() && config.actors.hide.is_empty()) {
        Some(b) => b.clone(),
        None => match KnowledgeBase::with_files(&texts) {
            Ok(kb) => {
                // Hidden actors.
                let mut hidden = Vec::new();
                for id in &config.actors.hide {
                    match kb.by_id(id.get_ref()) {
                        Some(a) => hidden.push(a),
                        None => problems.push(at(id.span(), format!("no actor has the id `{}`", id.get_ref()))),
                    }
                }
                Arc::new(if hidden.is_empty() { kb } else { kb.hiding(hidden) })
            }
            Err(e) => return fail(e.problems, false),
        },
    };
    kb_files.extend(overrides.kb_files.iter().cloned());

    // House style: the project's, then the user's.
    let mut style: Option<HouseStyle> = None;
    if let Some(p) = &config.style.preset {
        match HouseStyle::preset(&kb, p.get_ref()) {
            Ok(s) => style = Some(s),
            Err(e) => problems.push(at(p.span(), e.to_string())),
        }
    }
    for (id, name) in &config.style.prefer {
        let s = style.get_or_insert_with(HouseStyle::custom);
        if let Err(e) = s.override_with(&kb, &format!("{}={}", id.get_ref(), name.get_ref())) {
            problems.push(at(id.span(), e.to_string()));
        }
    }
    if let Some(key) = &overrides.style {
        match HouseStyle::preset(&kb, key) {
            Ok(s) => style = Some(s),
            Err(e) => problems.push(settings_problem(e.to_string())),
        }
    }
    for spec in &overrides.prefer {
        let s = style.get_or_insert_with(HouseStyle::custom);
        if let Err(e) = s.override_with(&kb, spec) {
            problems.push(settings_problem(e.to_string()));
        }
    }

    // Rule levels: the project's, then the user's.
    let mut levels = Levels::default();
    for (pattern, level) in &config.rules {
        if let Err(e) = levels.set(pattern.get_ref(), level.get_ref()) {
            let span = match e {
                crate::analysis::levels::LevelError::UnknownCode(_) => pattern.span(),
                crate::analysis::levels::LevelError::UnknownLevel(_) => level.span(),
            };
            problems.push(at(span, e.to_string()));
        }
    }
    for (pattern, level) in &overrides.rules {
        if let Err(e) = levels.set_in(1, pattern, level) {
            problems.push(settings_problem(e.to_string()));
        }
    }

    let files = match FileFilter::new(&config.files) {
        Ok(f) => f,
        Err((span, message)) => {
            problems.push(at(span, message));
            FileFilter::default()
        }
    };
    if !problems.is_empty() {
        return fail(problems, true);
    }
    Ok(Project {
        root: root.cloned(),
        kb_files,
        kb,
        settings: Settings { style, levels, ..Settings::default() },
        files,
        inlay_hints: overrides.inlay_hints.or(config.editor.inlay_hints).unwrap_or(false),
        max_file_size: overrides.max_file_size.or(config.editor.max_file_size.as_ref().map(|s| *s.get_ref())),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// A reader over an in-memory file system.
    fn files(list: &[(&str, &str)]) -> HashMap<PathBuf, String> {
        list.iter().map(|(p, t)| (PathBuf::from(p), t.to_string())).collect()
    }

    fn load_from(fs: &HashMap<PathBuf, String>, root: Root) -> Result<Project, ProjectError> {
        let read = |p: &Path| fs.get(p).cloned().ok_or_else(|| std::io::Error::from(std::io::ErrorKind::NotFound));
        load(Some(&root), &Overrides::default(), &read)
    }

    fn root(config: bool) -> Root {
        Root { dir: "/p".into(), config: config.then(|| "/p/frontline.toml".into()) }
    }

    #[test]
    fn levels_style_and_hidden_actors_come_from_the_file() {
        let fs = files(&[(
            "/p/frontline.toml",
            "[style]\npreset = \"ap\"\n[rules]\nattribution = \"off\"\n[actors]\nfiles = []\nhide = [\"hezbollah\"]\n",
        )]);
        let p = load_from(&fs, root(true)).unwrap();
        assert!(p.settings.style.is_some());
        assert_eq!(p.settings.levels.level(&crate::analysis::findings::HEDGED), None);
        let hezbollah = p.kb.by_id("hezbollah").unwrap();
        assert!(p.kb.is_hidden(hezbollah));
        assert!(p.kb.find("Hezbollah fired rockets.", &[]).is_empty());
    }

    #[test]
    fn semantic_problems_point_at_their_values() {
        let fs = files(&[(
            "/p/frontline.toml",
            "[rules]\nnam = \"off\"\nnaming = \"loud\"\n[actors]\nfiles = []\nhide = [\"nobody\"]\n[style]\npreset = \"xyz\"\n",
        )]);
        let e = load_from(&fs, root(true)).unwrap_err();
        let m: Vec<String> = e.problems.iter().map(ToString::to_string).collect();
        assert!(e.in_config);
        assert!(m.iter().any(|p| p.starts_with("/p/frontline.toml:2:1:") && p.contains("`nam`")), "{m:?}");
        assert!(m.iter().any(|p| p.starts_with("/p/frontline.toml:3:10:") && p.contains("`loud`")), "{m:?}");
        assert!(m.iter().any(|p| p.starts_with("/p/frontline.toml:6:9:") && p.contains("`nobody`")), "{m:?}");
        assert!(m.iter().any(|p| p.starts_with("/p/frontline.toml:8:10:")), "{m:?}");
    }

    #[test]
    fn paths_outside_the_project_are_refused_unless_allowed() {
        let fs = files(&[("/p/frontline.toml", "[actors]\nfiles = [\"../elsewhere/actors.json\"]\n")]);
        let e = load_from(&fs, root(true)).unwrap_err();
        assert!(e.problems[0].message.contains("outside the project folder"), "{e}");
        assert_eq!((e.problems[0].line, e.problems[0].column), (2, 10));
    }
}
