//! Rendering `check` results: a readable report, JSON (docs/cli.md) and SARIF 2.1.0.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::path::PathBuf;

use ropey::Rope;
use serde_json::{json, Value};

use crate::analysis::findings::{Finding, RULES};
use crate::analysis::{Analysis, Severity};
use crate::kb::KnowledgeBase;
use crate::text::pos::pos_of;
use crate::text::Encoding;
use crate::text::{find_line_break, rfind_line_break};

/// One analysed file.
pub struct Checked {
    pub path: PathBuf,
    /// The knowledge base of the file's project, which the analysis's actor ids index.
    pub kb: std::sync::Arc<KnowledgeBase>,
    pub text: String,
    pub rope: Rope,
    pub analysis: Analysis,
}

impl Checked {
    /// 1-based line and column (in characters).
    pub fn line_col(&self, byte: usize) -> (u32, u32) {
        let p = pos_of(&self.rope, byte, Encoding::Utf32);
        (p.line + 1, p.col + 1)
    }

    fn span_json(&self, range: &std::ops::Range<usize>) -> Value {
        let (line, column) = self.line_col(range.start);
        let (end_line, end_column) = self.line_col(range.end);
        json!({ "start": range.start, "end": range.end, "line": line, "column": column, "end_line": end_line, "end_column": end_column })
    }
}

/// The source line around a finding, cut to a window, with a caret line under the finding.
fn excerpt(c: &Checked, f: &Finding) -> String {
    excerpt_of(c, &f.range)
}

fn excerpt_of(c: &Checked, range: &std::ops::Range<usize>) -> String {
    let start = range.start;
    let line_start = rfind_line_break(&c.text[..start]).map_or(0, |p| p + 1);
    let line_end = find_line_break(&c.text[start..]).map_or(c.text.len(), |p| start + p);
    let end = range.end.min(line_end);
    let before: Vec<char> = c.text[line_start..start].chars().collect();
    let (cut_before, lead) = if before.len() > 50 { (before.len() - 45, "…") } else { (0, "") };
    let shown_before: String = before[cut_before..].iter().collect();
    let marked = &c.text[start..end];
    let after: String = c.text[end..line_end].chars().take(40).collect();
    let tail = if c.text[end..line_end].chars().count() > 40 { "…" } else { "" };
    let (line, _) = c.line_col(start);
    let gutter = line.to_string();
    let pad = " ".repeat(gutter.len());
    let caret_pad = " ".repeat(lead.chars().count() + shown_before.chars().count());
    let carets = "^".repeat(marked.chars().count().max(1));
    format!("{gutter} | {lead}{shown_before}{marked}{after}{tail}\n{pad} | {caret_pad}{carets}\n")
}

/// Totals of a text report, kept while files stream past.
#[derive(Debug, Default)]
pub struct Totals {
    files: usize,
    mentions: usize,
    by_severity: [usize; 4],
}

/// The text report of one file: each finding with an excerpt, then the actors it names.
pub fn text_file(c: &Checked, totals: &mut Totals) -> String {
    let kb = &*c.kb;
    let mut s = String::new();
    let path = c.path.display();
    for f in &c.analysis.findings {
        let (l, col) = c.line_col(f.range.start);
        totals.by_severity[f.severity() as usize] += 1;
        let _ = writeln!(s, "{path}:{l}:{col}: {}[{}]: {}", f.severity().label(), f.code(), f.message);
        s.push_str(&excerpt(c, &f));
        for r in f.related.iter() {
            let (rl, rc) = c.line_col(r.range.start);
            let _ = writeln!(s, "  note: {path}:{rl}:{rc}: {}", r.message);
        }
        s.push('\n');
    }
    let actors = c.analysis.actors();
    let _ = writeln!(
        s,
        "{path}: {} actors, {} mentions, {} findings",
        actors.len(),
        c.analysis.mentions().len(),
        c.analysis.findings.len()
    );
    for named in actors {
        let (id, count) = (named.actor, named.mentions);
        let a = kb.actor(id);
        let first = c.line_col(named.first.range.start);
        let forms: Vec<String> =
            c.analysis.forms_of(&c.text, id).iter().map(|(form, n)| format!("{form} ×{n}")).collect();
        let _ =
            writeln!(s, "  {}:{}: {} ({}) ×{count}: {}", first.0, first.1, a.name(), a.kind.label(), forms.join(", "));
    }
    s.push('\n');
    totals.files += 1;
    totals.mentions += c.analysis.mentions().len();
    s
}

impl Totals {
    pub fn files(&self) -> usize {
        self.files
    }
}

/// Where a finding found after a file's text was dropped is shown: its 1-based line and column
/// and the excerpt under it.
#[derive(Debug, Clone)]
pub struct Place {
    line: u32,
    col: u32,
    excerpt: String,
}

/// The places of `ranges` in `c`, by start offset (kept while the text report streams on).
pub fn places<'r>(c: &Checked, ranges: impl Iterator<Item = &'r std::ops::Range<usize>>) -> HashMap<usize, Place> {
    ranges
        .map(|r| {
            let (line, col) = c.line_col(r.start);
            (r.start, Place { line, col, excerpt: excerpt_of(c, r) })
        })
        .collect()
}

/// The text report of the findings about one file that are known only once every file is checked
/// (cross-story findings), placed with what [`places`] kept.
pub fn text_late(
    path: &std::path::Path,
    findings: &[Finding],
    places: &HashMap<usize, Place>,
    totals: &mut Totals,
) -> String {
    let mut s = String::new();
    let path = path.display();
    for f in findings {
        totals.by_severity[f.severity() as usize] += 1;
        let (line, col, excerpt) =
            places.get(&f.range.start).map_or((1, 1, ""), |p| (p.line, p.col, p.excerpt.as_str()));
        let _ = writeln!(s, "{path}:{line}:{col}: {}[{}]: {}", f.severity().label(), f.code(), f.message);
        s.push_str(excerpt);
        s.push('\n');
    }
    s
}

/// The last line of a text report.
pub fn text_summary(t: &Totals) -> String {
    format!(
        "{} file{}, {} mentions; {} warnings, {} information, {} hints\n",
        t.files,
        if t.files == 1 { "" } else { "s" },
        t.mentions,
        t.by_severity[Severity::Warning as usize] + t.by_severity[Severity::Error as usize],
        t.by_severity[Severity::Information as usize],
        t.by_severity[Severity::Hint as usize],
    )
}

/// A "replace all" fix offers the same edits on every finding it fixes; the report writes them
/// out once per file, on the first such finding, and the later ones name that finding
/// (`"edits_as_finding": index`), so a long story's report does not grow with the square of its
/// mentions.
fn finding_json(c: &Checked, f: &Finding, index: usize, written: &mut HashMap<usize, usize>) -> Value {
    let mut v = c.span_json(&f.range);
    v["code"] = json!(f.code());
    v["severity"] = json!(f.severity());
    v["message"] = json!(f.message);
    v["text"] = json!(&c.text[f.range.clone()]);
    v["related"] = f
        .related
        .iter()
        .map(|r| {
            let mut j = c.span_json(&r.range);
            j["message"] = json!(r.message);
            j
        })
        .collect();
    v["fixes"] = f
        .fixes
        .iter()
        .map(|fix| {
            if let Some(list) = fix.edits.shared() {
                let key = list.as_ptr() as usize;
                if let Some(&first) = written.get(&key) {
                    return json!({ "title": fix.title, "preferred": fix.preferred, "edits": [], "edits_as_finding": first });
                }
                written.insert(key, index);
            }
            json!({
                "title": fix.title,
                "preferred": fix.preferred,
                "edits": fix.edits.at(&f.range).iter().map(|e| {
                    let mut j = c.span_json(&e.range);
                    j["new_text"] = json!(e.text);
                    j
                }).collect::<Vec<_>>(),
            })
        })
        .collect();
    v
}

pub fn json(files: &[Checked], errors: &[String]) -> String {
    let files: Vec<Value> = files
        .iter()
        .map(|c| {
            let kb = &*c.kb;
            let actors: Vec<Value> = c
                .analysis
                .actors()
                .into_iter()
                .map(|named| {
                    let (id, count) = (named.actor, named.mentions);
                    let a = kb.actor(id);
                    let mentions: Vec<Value> = c
                        .analysis
                        .mentions_of(id)
                        .map(|m| {
                            let name = kb.name(m.name);
                            let mut j = c.span_json(&m.range);
                            j["text"] = json!(&c.text[m.range.clone()]);
                            j["name"] = json!(name.text);
                            j["form"] = json!(name.form);
                            j["family"] = json!(name.family);
                            j["voice"] = json!(m.voice);
                            j["also"] = json!(m.others.iter().map(|&o| kb.actor(o).id.clone()).collect::<Vec<_>>());
                            j
                        })
                        .collect();
                    json!({ "id": a.id, "name": a.name(), "kind": a.kind, "count": count, "mentions": mentions })
                })
                .collect();
            let mut written = HashMap::new();
            let findings: Vec<Value> =
                c.analysis.findings.iter().enumerate().map(|(i, f)| finding_json(c, &f, i, &mut written)).collect();
            let sources: Vec<Value> = c
                .analysis
                .anchors()
                .iter()
                .map(|a| {
                    let mut j = c.span_json(&a.cue);
                    j["cue"] = json!(&c.text[a.cue.clone()]);
                    j["source"] = json!(a.source.as_ref().map(|r| &c.text[r.clone()]));
                    j["grade"] = json!(a.grade);
                    j
                })
                .collect();
            json!({ "path": c.path.display().to_string(), "findings": findings, "sources": sources, "actors": actors })
        })
        .collect();
    serde_json::to_string_pretty(&json!({ "version": 1, "files": files, "errors": errors })).unwrap_or_default() + "\n"
}

fn sarif_level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Information | Severity::Hint => "note",
    }
}

fn sarif_region(c: &Checked, range: &std::ops::Range<usize>) -> Value {
    let (sl, sc) = c.line_col(range.start);
    let (el, ec) = c.line_col(range.end);
    json!({ "startLine": sl, "startColumn": sc, "endLine": el, "endColumn": ec })
}

fn uri(c: &Checked) -> String {
    c.path.display().to_string().replace('\\', "/")
}

pub fn sarif(files: &[Checked]) -> String {
    let rules: Vec<Value> = RULES
        .iter()
        .map(|r| {
            json!({
                "id": r.code,
                "shortDescription": { "text": r.summary },
                "defaultConfiguration": { "level": sarif_level(r.severity) },
                "helpUri": format!("https://github.com/frontline/frontline/blob/main/docs/diagnostics.md#{}", r.code.replace('/', "")),
            })
        })
        .collect();
    let results: Vec<Value> = files
        .iter()
        .flat_map(|c| {
            let seen = RefCell::new(HashSet::new());
            c.analysis.findings.iter().map(move |f| {
                let location = json!({ "physicalLocation": { "artifactLocation": { "uri": uri(c) }, "region": sarif_region(c, &f.range) } });
                let related: Vec<Value> = f
                    .related
                    .iter()
                    .enumerate()
                    .map(|(k, r)| json!({
                        "id": k,
                        "message": { "text": r.message },
                        "physicalLocation": { "artifactLocation": { "uri": uri(c) }, "region": sarif_region(c, &r.range) },
                    }))
                    .collect();
                // A "replace all" fix is given once per file, on its first finding.
                let fixes: Vec<Value> = f
                    .fixes
                    .iter()
                    .filter(|fix| fix.edits.shared().is_none_or(|list| seen.borrow_mut().insert(list.as_ptr() as usize)))
                    .map(|fix| json!({
                        "description": { "text": fix.title },
                        "artifactChanges": [{
                            "artifactLocation": { "uri": uri(c) },
                            "replacements": fix.edits.at(&f.range).iter().map(|e| json!({
                                "deletedRegion": sarif_region(c, &e.range),
                                "insertedContent": { "text": e.text },
                            })).collect::<Vec<_>>(),
                        }],
                    }))
                    .collect();
                json!({
                    "ruleId": f.code(),
                    "ruleIndex": RULES.iter().position(|r| r.code == f.code()).unwrap_or(0),
                    "level": sarif_level(f.severity()),
                    "message": { "text": f.message },
                    "locations": [location],
                    "relatedLocations": related,
                    "fixes": fixes,
                })
            })
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "frontline",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/frontline/frontline",
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}
