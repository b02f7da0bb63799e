//! `frontline check`: analyse files and folders and report, as text, JSON or SARIF.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use ropey::Rope;

use super::report::{self, Checked};
use super::{out, Format, EXIT_FINDINGS, EXIT_IO};
use crate::analysis::{analyze, Settings, Severity};
use crate::kb::{HouseStyle, KnowledgeBase};
use crate::text::markdown::Flavor;

/// The flavour of a file by its extension, or `None` if `check` does not read such files.
pub fn flavor_of_path(path: &Path) -> Option<Flavor> {
    match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
        "md" | "markdown" => Some(Flavor::Markdown),
        "txt" => Some(Flavor::Plain),
        _ => None,
    }
}

/// Expands folders into the .md/.txt files below them (sorted; hidden folders and symlink loops
/// skipped). Paths named explicitly are kept whatever their extension.
fn collect(paths: &[PathBuf], errors: &mut Vec<String>) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut seen_dirs = HashSet::new();
    for p in paths {
        if p.is_dir() {
            walk(p, &mut files, &mut seen_dirs, errors);
        } else {
            files.push(p.clone());
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

pub fn run(kb: &KnowledgeBase, paths: &[PathBuf], format: Format, style: Option<HouseStyle>, fail_on: Severity) -> u8 {
    let mut errors = Vec::new();
    let files = collect(paths, &mut errors);
    let mut checked = Vec::new();
    for path in files {
        match std::fs::read(&path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => {
                    let settings =
                        Settings { flavor: flavor_of_path(&path).unwrap_or(Flavor::Plain), style: style.clone() };
                    let analysis = analyze(kb, &text, &settings);
                    let rope = Rope::from_str(&text);
                    checked.push(Checked { path, text, rope, analysis });
                }
                Err(e) => errors.push(format!(
                    "{}: not UTF-8 (invalid byte at offset {}); save it as UTF-8",
                    path.display(),
                    e.utf8_error().valid_up_to()
                )),
            },
            Err(e) => errors.push(format!("{}: {e}", path.display())),
        }
    }
    let rendered = match format {
        Format::Text => report::text(kb, &checked),
        Format::Json => report::json(kb, &checked, &errors),
        Format::Sarif => report::sarif(&checked),
    };
    if !checked.is_empty() || format != Format::Text {
        out(&rendered);
    }
    for e in &errors {
        eprintln!("frontline: {e}");
    }
    let failing = checked.iter().flat_map(|c| &c.analysis.findings).any(|f| f.severity() <= fail_on);
    if !errors.is_empty() {
        EXIT_IO
    } else if failing {
        EXIT_FINDINGS
    } else {
        0
    }
}
