//! `frontline check`: analyse files and folders and report, as text, JSON or SARIF.
//!
//! Files are analysed in parallel (rayon); the text report streams, file by file, in path order.
//! With `--cross-story`, each file is also summed up for the comparison of the stories' naming
//! ([`crate::analysis::corpus`]), whose findings are known only after the last file: the text
//! report prints them after the files, JSON and SARIF include them in each file's findings.

use std::collections::{BTreeMap, HashMap, HashSet};

use rayon::prelude::*;
use std::path::{Path, PathBuf};

use ropey::Rope;

use super::report::{self, Checked, Place, Totals};
use super::{out, Failure, Format, Projects, EXIT_FINDINGS, EXIT_IO};
use crate::analysis::corpus::{cross_story, StoryNames};
use crate::analysis::levels::Levels;
use crate::analysis::{analyze, Finding, Settings, Severity};
use crate::project::files::flavor_of_path;
use crate::project::Project;
use crate::text::markdown::Flavor;
use std::sync::Arc;

/// Expands folders into the .md/.txt files below them (sorted; hidden folders and symlink loops
/// skipped). Paths named explicitly are kept whatever their extension.
/// Each file comes with whether it was named on the command line.
fn collect(paths: &[PathBuf], errors: &mut Vec<String>) -> Vec<(PathBuf, bool)> {
    let mut files = Vec::new();
    let mut seen_dirs = HashSet::new();
    for p in paths {
        if p.is_dir() {
            let mut found = Vec::new();
            walk(p, &mut found, &mut seen_dirs, errors);
            files.extend(found.into_iter().map(|f| (f, false)));
        } else {
            files.push((p.clone(), true));
        }
    }
    files
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>, seen: &mut HashSet<PathBuf>, errors: &mut Vec<String>) {
    let Ok(canon) = dir.canonicalize() else {
        errors.push(format!("{}: cannot resolve folder", dir.display()));
        return;
    };
    if !seen.insert(canon) {
        return;
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            errors.push(format!("{}: {e}", dir.display()));
            return;
        }
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        let hidden = p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with('.'));
        if hidden {
            continue;
        }
        if p.is_dir() {
            walk(&p, files, seen, errors);
        } else if flavor_of_path(&p).is_some() {
            files.push(p);
        }
    }
}

/// Reads and analyses one file with its project's knowledge base and settings.
fn check_file(project: &Project, path: &Path) -> Result<Checked, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        format!(
            "{}: not UTF-8 (invalid byte at offset {}); save it as UTF-8",
            path.display(),
            e.utf8_error().valid_up_to()
        )
    })?;
    let settings = Settings { flavor: flavor_of_path(path).unwrap_or(Flavor::Plain), ..project.settings.clone() };
    // A bug in the analysis costs this file its report, not the whole run (the panic's message and
    // place are printed by the default hook above this error).
    let analysis = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| analyze(&project.kb, &text, &settings)))
        .map_err(|p| {
            format!(
                "{}: frontline failed on this file (a bug; please report it with the file): {}",
                path.display(),
                crate::panics::message(&*p).unwrap_or("no message")
            )
        })?;
    let rope = Rope::from_str(&text);
    Ok(Checked { path: path.to_path_buf(), kb: project.kb.clone(), text, rope, analysis })
}

/// Checks files in parallel and hands each result, in the order of `files`, to `each` as soon as
/// it and every file before it are done (so a text report streams).
fn check_all(files: &[(PathBuf, Arc<Project>)], mut each: impl FnMut(Result<Checked, String>)) {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::scope(|scope| {
        scope.spawn(move || {
            files.par_iter().enumerate().for_each_with(tx, |tx, (i, (path, project))| {
                let _ = tx.send((i, check_file(project, path)));
            });
        });
        let mut pending = BTreeMap::new();
        let mut next = 0;
        for (i, result) in rx {
            pending.insert(i, result);
            while let Some(r) = pending.remove(&next) {
                each(r);
                next += 1;
            }
        }
    });
}

/// What `check` does beyond checking each file on its own.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Compare the naming of the stories checked together (`--cross-story`).
    pub cross_story: bool,
}

/// What the cross-story comparison keeps of a streamed file: its path, its naming summary, where
/// its possible findings sit, and its project's rule levels.
struct Summed {
    path: PathBuf,
    names: StoryNames,
    places: HashMap<usize, Place>,
    levels: Levels,
}

/// Checks `paths` and returns the exit code. Each file is checked with the project it belongs to
/// (`projects`); files found by walking a folder are kept only if their project's `[files]` globs
/// want them.
pub fn run(
    paths: &[PathBuf],
    format: Format,
    fail_on: Severity,
    projects: &mut Projects,
    options: Options,
) -> Result<u8, Failure> {
    let mut errors = Vec::new();
    let mut files = Vec::new();
    for (path, named) in collect(paths, &mut errors) {
        let project = projects.for_path(&path)?;
        let root = project.root.as_ref().map(|r| r.dir.as_path());
        if named || project.files.wants(root, &path) {
            files.push((path, project));
        }
    }
    // `--cross-story`, or a project whose `[rules]` names the rule.
    let options = Options {
        cross_story: options.cross_story
            || files.iter().any(|(_, p)| p.settings.levels.turns_on(crate::analysis::findings::CROSS_STORY.code)),
    };
    let mut checked = Vec::new();
    let mut summed: Vec<Summed> = Vec::new();
    let mut failing = false;
    let mut totals = Totals::default();
    // Results come in the order of `files`: the index finds each one's project.
    let mut index = 0;
    check_all(&files, |result| match result {
        Ok(c) => {
            let project = &files[index].1;
            index += 1;
            failing |= c.analysis.findings.iter().any(|f| f.severity() <= fail_on);
            if options.cross_story {
                let names = StoryNames::of(&c.kb, &c.analysis, &c.text, project.settings.style.as_ref());
                let places = if format == Format::Text { report::places(&c, names.anchors()) } else { HashMap::new() };
                let levels = project.settings.levels.clone();
                summed.push(Summed { path: c.path.clone(), names, places, levels });
            }
            if format == Format::Text {
                // Streamed: printed as soon as it is ready, then dropped.
                out(&report::text_file(&c, &mut totals));
            } else {
                checked.push(c);
            }
        }
        Err(e) => {
            index += 1;
            errors.push(e)
        }
    });
    if options.cross_story {
        let labels: Vec<String> = summed.iter().map(|s| s.path.display().to_string()).collect();
        let stories: Vec<(&str, &StoryNames)> =
            labels.iter().map(String::as_str).zip(summed.iter().map(|s| &s.names)).collect();
        let mut late: Vec<Vec<Finding>> = cross_story(&stories);
        for (found, s) in late.iter_mut().zip(&summed) {
            // The file's project may set the rule's level, or turn it off.
            s.levels.apply(found);
        }
        failing |= late.iter().flatten().any(|f| f.severity() <= fail_on);
        if format == Format::Text {
            // Known only now that every file is checked: reported after the files.
            let text: String = summed
                .iter()
                .zip(&late)
                .filter(|(_, f)| !f.is_empty())
                .map(|(s, f)| report::text_late(&s.path, f, &s.places, &mut totals))
                .collect();
            out(&text);
        } else {
            // `summed` and `checked` hold the same files in the same order.
            for (c, found) in checked.iter_mut().zip(late) {
                c.analysis.findings.add(found);
            }
        }
    }
    let rendered = match format {
        Format::Text => (totals.files() > 0).then(|| report::text_summary(&totals)),
        Format::Json => Some(report::json(&checked, &errors)),
        Format::Sarif => Some(report::sarif(&checked)),
    };
    if let Some(r) = rendered {
        out(&r);
    }
    for e in &errors {
        eprintln!("frontline: {e}");
    }
    Ok(if !errors.is_empty() {
        EXIT_IO
    } else if failing {
        EXIT_FINDINGS
    } else {
        0
    })
}
