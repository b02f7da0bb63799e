//! Code actions that write the project's knowledge-base file for the user ("Add 'X' as an alias
//! of <actor>", "Add 'X' as a new actor"), and go-to-definition into that file.
//!
//! The edits are workspace edits the client applies (creating the file, and a `frontline.toml`
//! beside it, when there is none), so they are undoable like any edit; each action then runs
//! [`PROJECT_FILE_EDITED`] with the new text, so the server recognises the name at once, before the
//! file is saved.

use std::ops::Range;
use std::path::{Path, PathBuf};

use ropey::Rope;
use serde_json::Value;
use tower_lsp_server::ls_types::{
    AnnotatedTextEdit, ChangeAnnotation, CodeAction, CodeActionKind, Command, CreateFile, CreateFileOptions,
    DocumentChangeOperation, DocumentChanges, Location, OneOf, OptionalVersionedTextDocumentIdentifier, Position,
    Range as LspRange, ResourceOp, TextDocumentEdit, TextEdit, Uri, WorkspaceEdit,
};

use super::convert::lsp_range;
use super::document::Snapshot;
use super::server::PROJECT_FILE_EDITED;
use crate::analysis::rename;
use crate::kb::locate::{span, Step};
use crate::kb::{ActorId, KnowledgeBase, BUILTIN_NAME};
use crate::project::edit::{add_actor, add_alias, KbEdit};
use crate::project::{self, Project};
use crate::text::fold::fold_str;
use crate::text::Encoding;

/// Where the actions write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The knowledge-base file.
    pub file: PathBuf,
    /// A `frontline.toml` to create beside it (the story belongs to no project yet).
    pub new_config: Option<PathBuf>,
}

impl Target {
    /// The project's own knowledge-base file (its `actors.json`, or the first file it names), or,
    /// for a story outside any project, an `actors.json` and a `frontline.toml` in the first
    /// workspace folder.
    pub fn of(project: &Project, folders: &[PathBuf]) -> Option<Target> {
        match project.root.as_ref() {
            Some(root) => {
                let default = root.dir.join(project::ACTORS_FILE);
                let file = project
                    .kb_files
                    .iter()
                    .find(|f| f.starts_with(&root.dir))
                    .filter(|_| !project.kb_files.contains(&default))
                    .cloned()
                    .unwrap_or(default);
                Some(Target { file, new_config: None })
            }
            None => {
                let dir = folders.first()?;
                Some(Target { file: dir.join(project::ACTORS_FILE), new_config: Some(dir.join(project::FILE_NAME)) })
            }
        }
    }
}

/// Words that start sentences and are not names, separated by spaces: function words, and days
/// and months (capitalised too).
const NOT_NAMES: &str = "\
    a an the in on at he she it they we i but and or if this that these those his her their its there when after \
    before as for by with from mr mrs ms dr then so yet meanwhile however later now while since during despite \
    although though once until also still today yesterday tomorrow what who where why how some many most all both \
    each every other another such our my your you us them him to into over under between among against without \
    within about across through near around last next earlier here monday tuesday wednesday thursday friday \
    saturday sunday january february march april may june july august september october november december";

/// Whether `word` (lower case) is one of [`NOT_NAMES`].
fn not_a_name(word: &str) -> bool {
    NOT_NAMES.split(' ').any(|w| w == word)
}

/// Lower-case words that may sit inside a name ("Hay'at Tahrir al-Sham", "Army of Islam").
const CONNECTORS: &[&str] = &["al", "el", "ad", "as", "ash", "an", "ar", "bin", "ibn", "bint", "of", "the", "de", "la"];

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '-' | '\'' | '’')
}

/// The words of `line` (byte ranges relative to it).
fn words(line: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in line.char_indices() {
        match (is_word_char(c), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push(s..i);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push(s..line.len());
    }
    out
}

fn capitalised(word: &str) -> bool {
    // "al-Nusra" counts by its second part.
    let last = word.rsplit('-').next().unwrap_or(word);
    last.chars().next().is_some_and(char::is_uppercase) || word.chars().next().is_some_and(char::is_uppercase)
}

fn connector(word: &str) -> bool {
    let w = word.trim_end_matches('-').to_lowercase();
    CONNECTORS.contains(&w.as_str())
}

/// The capitalised phrase around byte `at` of `text` (a run of capitalised words and the
/// connectors between them), if the word there is capitalised and the phrase is not a common
/// sentence opener.
pub fn phrase_at(text: &str, at: usize) -> Option<Range<usize>> {
    let at = at.min(text.len());
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    let line = &text[line_start..line_end];
    let ws = words(line);
    let rel = at - line_start;
    let here = ws.iter().position(|w| w.start <= rel && rel <= w.end)?;
    if !capitalised(&line[ws[here].clone()]) {
        return None;
    }
    let joined = |a: &Range<usize>, b: &Range<usize>| line[a.end..b.start].chars().all(|c| c == ' ');
    let (mut first, mut last) = (here, here);
    while first > 0 && joined(&ws[first - 1], &ws[first]) {
        let w = &line[ws[first - 1].clone()];
        // Leftwards only Arabic particles join: "Fighters of Liwa" is not one name.
        let particle = connector(w) && !matches!(w.to_lowercase().as_str(), "of" | "the" | "de" | "la");
        if capitalised(w) || (particle && first >= 2 && capitalised(&line[ws[first - 2].clone()])) {
            first -= 1;
        } else {
            break;
        }
    }
    while last + 1 < ws.len() && joined(&ws[last], &ws[last + 1]) && last - first < 6 {
        let w = &line[ws[last + 1].clone()];
        let next_cap = ws.get(last + 2).is_some_and(|n| joined(&ws[last + 1], n) && capitalised(&line[n.clone()]));
        if capitalised(w) || (connector(w) && next_cap) {
            last += 1;
        } else {
            break;
        }
    }
    while first < last && not_a_name(&line[ws[first].clone()].to_lowercase()) {
        first += 1;
    }
    let range = ws[first].start..ws[last].end;
    let phrase = &line[range.clone()];
    if not_a_name(&phrase.to_lowercase()) || phrase.chars().filter(|c| c.is_alphabetic()).count() < 2 {
        return None;
    }
    Some(line_start + range.start..line_start + range.end)
}

fn levenshtein(a: &[char], b: &[char]) -> usize {
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// Actors with a name spelled much like `name` (best first, at most three).
pub fn similar_actors(kb: &KnowledgeBase, name: &str) -> Vec<ActorId> {
    let q: Vec<char> = fold_str(name).chars().collect();
    if q.len() < 3 {
        return Vec::new();
    }
    let mut scored: Vec<(usize, ActorId)> = Vec::new();
    for (i, actor) in kb.actors().iter().enumerate() {
        let id = ActorId(i as u32);
        if kb.is_hidden(id) {
            continue;
        }
        let best = actor
            .names
            .iter()
            .map(|n| fold_str(&n.text).chars().collect::<Vec<char>>())
            .filter(|n| n.len() >= 3)
            .map(|n| {
                let d = levenshtein(&q, &n);
                d * 100 / q.len().max(n.len())
            })
            .min();
        if let Some(score) = best.filter(|&s| s <= 34) {
            scored.push((score, id));
        }
    }
    scored.sort();
    scored.into_iter().take(3).map(|(_, id)| id).collect()
}

fn file_uri(path: &Path) -> Option<Uri> {
    Uri::from_file_path(path)
}

/// The LSP range of byte `at` in `text` (an empty range: an insertion point).
fn point(text: &str, at: usize, enc: Encoding) -> LspRange {
    lsp_range(&Rope::from_str(text), &(at..at), enc)
}

/// The operations that write `edit` into the target file (creating it, and a `frontline.toml`,
/// when needed), each tagged with `annotation` if given; and the arguments of
/// [`PROJECT_FILE_EDITED`] that tell the server the files' new texts.
fn kb_ops(
    target: &Target,
    old: Option<&str>,
    edit: &KbEdit,
    enc: Encoding,
    annotation: Option<&str>,
) -> Option<(Vec<DocumentChangeOperation>, Vec<Value>)> {
    let uri = file_uri(&target.file)?;
    let mut ops: Vec<DocumentChangeOperation> = Vec::new();
    let mut command_args: Vec<Value> = Vec::new();
    let create = |uri: &Uri| {
        DocumentChangeOperation::Op(ResourceOp::Create(CreateFile {
            uri: uri.clone(),
            options: Some(CreateFileOptions { overwrite: Some(false), ignore_if_exists: Some(true) }),
            annotation_id: annotation.map(str::to_string),
        }))
    };
    let insert = |uri: &Uri, range: LspRange, text: String| {
        let text_edit = TextEdit { range, new_text: text };
        let edit = match annotation {
            Some(id) => OneOf::Right(AnnotatedTextEdit { text_edit, annotation_id: id.to_string() }),
            None => OneOf::Left(text_edit),
        };
        DocumentChangeOperation::Edit(TextDocumentEdit {
            text_document: OptionalVersionedTextDocumentIdentifier { uri: uri.clone(), version: None },
            edits: vec![edit],
        })
    };
    if let Some(config) = &target.new_config {
        let config_uri = file_uri(config)?;
        let text = "# frontline project settings (docs/configuration.md). Actors of this project: actors.json\n";
        ops.push(create(&config_uri));
        ops.push(insert(&config_uri, LspRange::default(), text.to_string()));
        command_args.extend([Value::String(config_uri.as_str().to_string()), Value::String(text.to_string())]);
    }
    match (edit, old) {
        (KbEdit::Insert { at, text }, Some(old)) => ops.push(insert(&uri, point(old, *at, enc), text.clone())),
        (KbEdit::Create { text }, _) => {
            ops.push(create(&uri));
            ops.push(insert(&uri, LspRange { start: Position::default(), end: Position::default() }, text.clone()));
        }
        (KbEdit::Insert { .. }, None) => return None,
    }
    command_args.extend([Value::String(uri.as_str().to_string()), Value::String(edit.apply(old))]);
    Some((ops, command_args))
}

/// One action writing `edit` into the target file, then telling the server its new text.
fn action(title: String, target: &Target, old: Option<&str>, edit: &KbEdit, enc: Encoding) -> Option<CodeAction> {
    let (ops, command_args) = kb_ops(target, old, edit, enc, None)?;
    Some(CodeAction {
        title: title.clone(),
        kind: Some(CodeActionKind::QUICKFIX),
        edit: Some(WorkspaceEdit { document_changes: Some(DocumentChanges::Operations(ops)), ..Default::default() }),
        command: Some(Command { title, command: PROJECT_FILE_EDITED.into(), arguments: Some(command_args) }),
        ..Default::default()
    })
}

/// The id of the change annotation on a rename that adds an alias.
pub const ADD_ALIAS_ANNOTATION: &str = "frontline.addAlias";

/// A rename to a name the actor does not have yet, for a client that shows change annotations:
/// the story's own-voice mentions renamed and the name added as an alias in the project's
/// knowledge-base file, every edit marked as needing the user's confirmation. `None` when the
/// cursor is not on an own-voice mention or the file cannot take the alias.
pub fn rename_adding_alias(
    uri: &Uri,
    snap: &Snapshot,
    at: usize,
    new: &str,
    target: &Target,
    read: &dyn Fn(&Path) -> std::io::Result<String>,
    enc: Encoding,
) -> Option<WorkspaceEdit> {
    let new = new.trim();
    let m = rename::target(&snap.analysis, at).ok()?;
    let actor = m.actor();
    let kb = &snap.config.kb;
    let old = read(&target.file).ok();
    let edit = add_alias(kb, actor, &target.file.display().to_string(), old.as_deref(), new).ok()?;
    let (mut ops, _) = kb_ops(target, old.as_deref(), &edit, enc, Some(ADD_ALIAS_ANNOTATION))?;
    let story: Vec<OneOf<TextEdit, AnnotatedTextEdit>> = rename::own_mentions(&snap.analysis, actor)
        .filter(|r| snap.text.get(r.clone()) != Some(new))
        .map(|r| {
            OneOf::Right(AnnotatedTextEdit {
                text_edit: TextEdit { range: lsp_range(&snap.rope, &r, enc), new_text: new.to_string() },
                annotation_id: ADD_ALIAS_ANNOTATION.into(),
            })
        })
        .collect();
    ops.insert(
        0,
        DocumentChangeOperation::Edit(TextDocumentEdit {
            text_document: OptionalVersionedTextDocumentIdentifier { uri: uri.clone(), version: Some(snap.version) },
            edits: story,
        }),
    );
    let name = kb.actor(actor).name().to_string();
    let annotation = ChangeAnnotation {
        label: format!("Add '{new}' as an alias of {name}"),
        needs_confirmation: Some(true),
        description: Some(format!(
            "`{new}` is not a name of {name} yet: the rename also adds it to {}",
            target.file.display()
        )),
    };
    Some(WorkspaceEdit {
        document_changes: Some(DocumentChanges::Operations(ops)),
        change_annotations: Some(std::collections::HashMap::from([(ADD_ALIAS_ANNOTATION.to_string(), annotation)])),
        ..Default::default()
    })
}

/// The knowledge-base actions for the selection `range` of a story: for a selected or capitalised
/// name the knowledge base does not know, add it as a new actor or as an alias of an actor whose
/// name it resembles (or, failing that, of the actors named just before it).
pub fn actions(
    snap: &Snapshot,
    range: Range<usize>,
    target: Option<&Target>,
    can_create: bool,
    read: &dyn Fn(&Path) -> std::io::Result<String>,
    enc: Encoding,
) -> Vec<CodeAction> {
    let Some(target) = target else { return Vec::new() };
    let text = &snap.text;
    let name_range = if range.start < range.end {
        let selected = text.get(range.clone()).unwrap_or_default();
        let trimmed = selected.trim();
        if trimmed.is_empty() || trimmed.contains('\n') || trimmed.chars().count() > 80 {
            return Vec::new();
        }
        let start = range.start + (selected.len() - selected.trim_start().len());
        start..start + trimmed.len()
    } else {
        match phrase_at(text, range.start) {
            Some(r) => r,
            None => return Vec::new(),
        }
    };
    // (Read from the blocks: a code action on a long story puts no list of its mentions together.)
    if !snap.analysis.mentions_in(name_range.clone()).is_empty() {
        return Vec::new();
    }
    let name = &text[name_range.clone()];
    let old = read(&target.file).ok();
    if old.is_none() && !can_create {
        return Vec::new();
    }
    let kb = &snap.config.kb;
    let file_name = target.file.display().to_string();
    let mut out = Vec::new();
    let mut candidates = similar_actors(kb, name);
    if candidates.is_empty() {
        // The last two actors named before the phrase (mentions do not overlap: those that end
        // by its start are the first ones).
        let view = snap.analysis.mention_view();
        let mut i = view.ending_by(name_range.start);
        while candidates.len() < 2 && i > 0 {
            i -= 1;
            let Some(m) = view.get(i) else { break };
            if !candidates.contains(&m.actor()) {
                candidates.push(m.actor());
            }
        }
    }
    for actor in candidates {
        if let Ok(edit) = add_alias(kb, actor, &file_name, old.as_deref(), name) {
            let title = format!("Add '{name}' as an alias of {}", kb.actor(actor).name());
            out.extend(action(title, target, old.as_deref(), &edit, enc));
        }
    }
    if let Ok((edit, _)) = add_actor(kb, &file_name, old.as_deref(), name) {
        out.extend(action(format!("Add '{name}' as a new actor"), target, old.as_deref(), &edit, enc));
    }
    out
}

/// Where an actor is written down in the project's knowledge-base files (not the built-in one:
/// its card, shown on hover, is its definition).
pub fn definitions(
    kb: &KnowledgeBase,
    actor: ActorId,
    read: &dyn Fn(&Path) -> std::io::Result<String>,
    enc: Encoding,
) -> Vec<Location> {
    let mut out = Vec::new();
    for entry in &kb.actor(actor).entries {
        if entry.file == BUILTIN_NAME {
            continue;
        }
        let path = PathBuf::from(&entry.file);
        let (Ok(text), Some(uri)) = (read(&path), file_uri(&path)) else { continue };
        let at = [Step::Key("actors"), Step::Index(entry.index), Step::Key("id")];
        let whole = [Step::Key("actors"), Step::Index(entry.index)];
        if let Some(r) = span(&text, &at).or_else(|| span(&text, &whole)) {
            out.push(Location { uri, range: lsp_range(&Rope::from_str(&text), &r, enc) });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_capitalised_phrases_with_connectors() {
        let t = "Fighters of Liwa al-Fajr and the Army of Islam met in Menbej on Monday.\nThe town fell.";
        let at = |w: &str| t.find(w).unwrap() + 1;
        let p = |w: &str| phrase_at(t, at(w)).map(|r| &t[r]);
        assert_eq!(p("Liwa"), Some("Liwa al-Fajr"));
        assert_eq!(p("Fajr"), Some("Liwa al-Fajr"));
        assert_eq!(p("Army"), Some("Army of Islam"));
        assert_eq!(p("Islam"), Some("Islam"));
        assert_eq!(p("Menbej"), Some("Menbej"));
        // Capitals cannot tell a sentence's first word from a name's: the writer selects instead.
        assert_eq!(p("Fighters"), Some("Fighters of Liwa al-Fajr"));
        assert_eq!(p("The town"), None);
        assert_eq!(p("town"), None);
        // A day or a month is not a name; a word that opens a sentence is not part of one.
        assert_eq!(p("Monday"), None);
        let t = "Then Liwa al-Fajr joined. Meanwhile Hezbollah left. In March Jaysh al-Islam came.";
        let p = |w: &str| phrase_at(t, t.find(w).unwrap() + 1).map(|r| &t[r]);
        assert_eq!(p("Liwa"), Some("Liwa al-Fajr"));
        assert_eq!(p("Then"), Some("Liwa al-Fajr"));
        assert_eq!(p("Hezbollah"), Some("Hezbollah"));
        assert_eq!(p("Jaysh"), Some("Jaysh al-Islam"));
        assert_eq!(p("March"), Some("Jaysh al-Islam"));
    }

    #[test]
    fn similar_names_find_their_actor() {
        let kb = KnowledgeBase::builtin().unwrap();
        let manbij = kb.by_id("manbij").unwrap();
        assert_eq!(similar_actors(&kb, "Menbej").first(), Some(&manbij));
        assert!(similar_actors(&kb, "Quetzalcoatl").is_empty());
    }
}
