//! `frontline check`: analyse files and folders and report, as text or JSON.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use ropey::Rope;
use serde_json::{json, Value};

use super::{out, Format, EXIT_IO};
use crate::analysis::{analyze, Analysis};
use crate::kb::KnowledgeBase;
use crate::text::markdown::Flavor;
use crate::text::pos::pos_of;
use crate::text::Encoding;

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

struct Checked {
    path: PathBuf,
    text: String,
    rope: Rope,
    analysis: Analysis,
}

impl Checked {
    /// 1-based line and column (in characters).
    fn line_col(&self, byte: usize) -> (u32, u32) {
        let p = pos_of(&self.rope, byte, Encoding::Utf32);
        (p.line + 1, p.col + 1)
    }
}

pub fn run(kb: &KnowledgeBase, paths: &[PathBuf], format: Format) -> u8 {
    let mut errors = Vec::new();
    let files = collect(paths, &mut errors);
    let mut checked = Vec::new();
    for path in files {
        match std::fs::read(&path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => {
                    let flavor = flavor_of_path(&path).unwrap_or(Flavor::Plain);
                    let analysis = analyze(kb, &text, flavor);
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
    let report = match format {
        Format::Text => text_report(kb, &checked),
        Format::Json => serde_json::to_string_pretty(&json_report(kb, &checked, &errors)).unwrap_or_default() + "\n",
    };
    out(&report);
    for e in &errors {
        eprintln!("frontline: {e}");
    }
    if errors.is_empty() {
        0
    } else {
        EXIT_IO
    }
}

fn text_report(kb: &KnowledgeBase, files: &[Checked]) -> String {
    let mut s = String::new();
    let mut total_mentions = 0;
    for f in files {
        let actors = f.analysis.actors();
        total_mentions += f.analysis.mentions.len();
        let _ = writeln!(s, "{}", f.path.display());
        let _ = writeln!(s, "  {} actors, {} mentions", actors.len(), f.analysis.mentions.len());
        for (id, count) in actors {
            let a = kb.actor(id);
            let first = f.analysis.mentions_of(id).next().map(|m| f.line_col(m.range.start)).unwrap_or((1, 1));
            let forms: Vec<String> =
                f.analysis.forms_of(&f.text, id).into_iter().map(|(form, n)| format!("{form} ×{n}")).collect();
            let _ = writeln!(
                s,
                "  {}:{}: {} ({}) ×{count}: {}",
                first.0,
                first.1,
                a.name(),
                a.kind.label(),
                forms.join(", ")
            );
        }
        s.push('\n');
    }
    let _ = writeln!(s, "{} file{}, {} mentions", files.len(), if files.len() == 1 { "" } else { "s" }, total_mentions);
    s
}

fn json_report(kb: &KnowledgeBase, files: &[Checked], errors: &[String]) -> Value {
    let files: Vec<Value> = files
        .iter()
        .map(|f| {
            let actors: Vec<Value> = f
                .analysis
                .actors()
                .into_iter()
                .map(|(id, count)| {
                    let a = kb.actor(id);
                    let mentions: Vec<Value> = f
                        .analysis
                        .mentions_of(id)
                        .map(|m| {
                            let (line, column) = f.line_col(m.range.start);
                            let (end_line, end_column) = f.line_col(m.range.end);
                            let name = kb.name(m.name);
                            json!({
                                "text": &f.text[m.range.clone()],
                                "start": m.range.start,
                                "end": m.range.end,
                                "line": line, "column": column,
                                "end_line": end_line, "end_column": end_column,
                                "name": name.text,
                                "form": name.form,
                                "family": name.family,
                                "tagged": m.tagged,
                                "also": m.others.iter().map(|&o| kb.actor(o).id.clone()).collect::<Vec<_>>(),
                            })
                        })
                        .collect();
                    json!({ "id": a.id, "name": a.name(), "kind": a.kind, "count": count, "mentions": mentions })
                })
                .collect();
            json!({ "path": f.path.display().to_string(), "actors": actors })
        })
        .collect();
    json!({ "version": 1, "files": files, "errors": errors })
}
