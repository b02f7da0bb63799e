//! Edits to a project's knowledge-base file that the editor applies for the user: adding an alias
//! to an actor, or adding a new actor. Pure functions from the file's text (or its absence) to
//! one insertion, so the change is an ordinary, undoable workspace edit.
//!
//! Insertions keep the rest of the file byte for byte; a file that does not parse is not touched
//! (the user is told to fix it first).

use serde_json::{json, Value};

use crate::kb::locate::{span, Step};
use crate::kb::{ActorId, KnowledgeBase};
use crate::text::fold::fold_str;

/// What to do to the knowledge-base file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KbEdit {
    /// The file does not exist: create it with this text.
    Create { text: String },
    /// Insert `text` at byte offset `at`.
    Insert { at: usize, text: String },
}

impl KbEdit {
    /// The file's text after the edit.
    pub fn apply(&self, old: Option<&str>) -> String {
        match self {
            KbEdit::Create { text } => text.clone(),
            KbEdit::Insert { at, text } => {
                let old = old.unwrap_or_default();
                let at = (*at).min(old.len());
                format!("{}{text}{}", &old[..at], &old[at..])
            }
        }
    }
}

/// The alias object for `text`: an acronym when it is written in capitals, else a spelling
/// variant of the actor's canonical name.
fn alias_object(kb: &KnowledgeBase, actor: ActorId, text: &str) -> Value {
    let letters: Vec<char> = text.chars().filter(|c| c.is_alphabetic()).collect();
    let acronym = letters.len() >= 2 && letters.len() <= 8 && letters.iter().all(|c| c.is_uppercase());
    if acronym {
        json!({"text": text, "form": "acronym"})
    } else {
        json!({"text": text, "form": "variant", "of": kb.actor(actor).name()})
    }
}

fn file_value(old: &str, file: &str) -> Result<Value, String> {
    serde_json::from_str::<Value>(old).map_err(|e| format!("{file} has errors ({e}); fix them first"))
}

/// The text to insert before the closing bracket of the array or object at `range`, which holds
/// `count` items: after the last item, with a comma when there is one.
fn insert_last(old: &str, range: std::ops::Range<usize>, count: usize, item: &str) -> KbEdit {
    let inner_end = range.end - 1;
    let last = old[range.start + 1..inner_end].trim_end().len() + range.start + 1;
    let text = if count == 0 { item.to_string() } else { format!(", {item}") };
    KbEdit::Insert { at: last, text }
}

fn new_file(entry: Value) -> String {
    let doc = json!({"version": 1, "actors": [entry]});
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}

/// Adds `text` as an alias of `actor` to the knowledge-base file `file` (named as the knowledge
/// base knows it), whose current text is `old` (`None`: the file does not exist yet).
pub fn add_alias(
    kb: &KnowledgeBase,
    actor: ActorId,
    file: &str,
    old: Option<&str>,
    text: &str,
) -> Result<KbEdit, String> {
    let text = text.trim();
    let a = kb.actor(actor);
    let folded = fold_str(text);
    if folded.is_empty() {
        return Err("no name to add".into());
    }
    // A name of this actor already, or of another (which would make it ambiguous).
    if let Some(owner) = kb.actors().iter().find(|o| o.names.iter().any(|n| fold_str(&n.text) == folded)) {
        return Err(format!("`{text}` is already a name of {}", owner.name()));
    }
    let alias = alias_object(kb, actor, text);
    let Some(old) = old else {
        return Ok(KbEdit::Create { text: new_file(json!({"id": a.id, "extend": true, "aliases": [alias]})) });
    };
    let doc = file_value(old, file)?;
    let entries = doc["actors"].as_array().ok_or_else(|| format!("{file} has no `actors` array"))?;
    let compact = alias.to_string();
    let own = entries.iter().rposition(|e| e["id"] == a.id.as_str());
    if let Some(i) = own {
        let at = [Step::Key("actors"), Step::Index(i)];
        let aliases = [Step::Key("actors"), Step::Index(i), Step::Key("aliases")];
        if let Some(r) = span(old, &aliases) {
            let count = entries[i]["aliases"].as_array().map_or(0, Vec::len);
            return Ok(insert_last(old, r, count, &compact));
        }
        let r = span(old, &at).ok_or_else(|| format!("cannot find the entry of `{}` in {file}", a.id))?;
        let fields = entries[i].as_object().map_or(0, |o| o.len());
        return Ok(insert_last(old, r, fields, &format!("\"aliases\": [{compact}]")));
    }
    let entry = json!({"id": a.id, "extend": true, "aliases": [alias]});
    append_entry(old, file, entries.len(), &entry)
}

fn append_entry(old: &str, file: &str, count: usize, entry: &Value) -> Result<KbEdit, String> {
    let r = span(old, &[Step::Key("actors")]).ok_or_else(|| format!("cannot find `actors` in {file}"))?;
    let item = format!("\n    {entry}");
    let edit = insert_last(old, r, count, &item);
    // Put the closing bracket back on its own line when the array was written on several lines.
    Ok(match edit {
        KbEdit::Insert { at, text } if count == 0 => KbEdit::Insert { at, text: format!("{text}\n  ") },
        other => other,
    })
}

/// A kebab-case id for a new actor named `name`, not yet taken in `kb`.
pub fn new_id(kb: &KnowledgeBase, name: &str) -> String {
    let mut id = String::new();
    for c in fold_str(name).chars() {
        if c.is_ascii_alphanumeric() {
            id.push(c.to_ascii_lowercase());
        } else if !id.is_empty() && !id.ends_with('-') {
            id.push('-');
        }
    }
    let id = id.trim_end_matches('-').to_string();
    let id = if id.is_empty() { "actor".to_string() } else { id };
    if kb.by_id(&id).is_none() {
        return id;
    }
    (2..).map(|n| format!("{id}-{n}")).find(|c| kb.by_id(c).is_none()).unwrap_or(id)
}

/// Adds a new actor called `name` to the knowledge-base file (kind and description for the user
/// to complete). Returns the edit and the new actor's id.
pub fn add_actor(kb: &KnowledgeBase, file: &str, old: Option<&str>, name: &str) -> Result<(KbEdit, String), String> {
    let name = name.trim();
    if name.is_empty() {
        return Err("no name to add".into());
    }
    let id = new_id(kb, name);
    let entry = json!({
        "id": id,
        "name": name,
        "kind": "armed-group",
        "description": "Added from a story; say who they are, and check the kind.",
    });
    let edit = match old {
        None => KbEdit::Create { text: new_file(entry) },
        Some(old) => {
            let doc = file_value(old, file)?;
            let count = doc["actors"].as_array().ok_or_else(|| format!("{file} has no `actors` array"))?.len();
            append_entry(old, file, count, &entry)?
        }
    };
    Ok((edit, id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kb::Source;

    fn kb_with(file: &str, text: &str) -> KnowledgeBase {
        KnowledgeBase::load(&[
            Source { name: crate::kb::BUILTIN_NAME, text: crate::kb::BUILTIN_JSON },
            Source { name: file, text },
        ])
        .unwrap()
    }

    /// Applies the edit, then loads the result over the built-in knowledge base.
    fn after(kb: &KnowledgeBase, old: Option<&str>, edit: &KbEdit) -> KnowledgeBase {
        let text = edit.apply(old);
        let kb2 = kb_with("actors.json", &text);
        assert!(kb2.actors().len() >= kb.actors().len());
        kb2
    }

    fn names(kb: &KnowledgeBase, id: &str) -> Vec<String> {
        kb.actor(kb.by_id(id).unwrap()).names.iter().map(|n| n.text.clone()).collect()
    }

    #[test]
    fn an_alias_goes_into_a_new_file_an_existing_entry_or_a_new_extension() {
        let kb = KnowledgeBase::builtin().unwrap();
        let manbij = kb.by_id("manbij").unwrap();
        let e = add_alias(&kb, manbij, "actors.json", None, "Menbidj").unwrap();
        let kb2 = after(&kb, None, &e);
        assert!(names(&kb2, "manbij").contains(&"Menbidj".to_string()));

        // A file with the actor's entry already: the alias joins its list.
        let old = e.apply(None);
        let e2 = add_alias(&kb2, manbij, "actors.json", Some(&old), "MBJ").unwrap();
        let kb3 = after(&kb2, Some(&old), &e2);
        let n = names(&kb3, "manbij");
        assert!(n.contains(&"Menbidj".to_string()) && n.contains(&"MBJ".to_string()), "{n:?}");

        // A file with other entries: a new extension is appended.
        let old = "{\n  \"version\": 1,\n  \"actors\": [\n    {\"id\": \"liwa-x\", \"name\": \"Liwa X\", \"kind\": \"armed-group\", \"description\": \"d\"}\n  ]\n}\n";
        let kb4 = kb_with("actors.json", old);
        let e = add_alias(&kb4, manbij, "actors.json", Some(old), "Menbidj").unwrap();
        let kb5 = after(&kb4, Some(old), &e);
        assert!(names(&kb5, "manbij").contains(&"Menbidj".to_string()));
        assert!(kb5.by_id("liwa-x").is_some());
        // An entry without aliases gets the key.
        let liwa = kb4.by_id("liwa-x").unwrap();
        let e = add_alias(&kb4, liwa, "actors.json", Some(old), "LX").unwrap();
        assert_eq!(names(&after(&kb4, Some(old), &e), "liwa-x"), ["Liwa X", "LX"]);
    }

    #[test]
    fn a_new_actor_gets_a_free_id() {
        let kb = KnowledgeBase::builtin().unwrap();
        let (e, id) = add_actor(&kb, "actors.json", None, "Liwa al-Fajr").unwrap();
        assert_eq!(id, "liwa-al-fajr");
        let kb2 = after(&kb, None, &e);
        let old = e.apply(None);
        let (e2, id2) = add_actor(&kb2, "actors.json", Some(&old), "Liwa al Fajr").unwrap();
        assert_eq!(id2, "liwa-al-fajr-2");
        // Two actors with the same folded name are a clash the loader reports; the edit itself is
        // well-formed JSON.
        assert!(serde_json::from_str::<Value>(&e2.apply(Some(&old))).is_ok());
        let empty = "{\"version\": 1, \"actors\": []}";
        let (e3, _) = add_actor(&kb, "actors.json", Some(empty), "Jaysh al-Test").unwrap();
        assert!(after(&kb, Some(empty), &e3).by_id("jaysh-al-test").is_some());
    }

    #[test]
    fn broken_files_and_known_names_are_refused() {
        let kb = KnowledgeBase::builtin().unwrap();
        let is = kb.by_id("islamic-state").unwrap();
        assert!(add_alias(&kb, is, "actors.json", Some("{\"version\": 1, \"actors\": [}"), "Dawla")
            .unwrap_err()
            .contains("fix them first"));
        assert!(add_alias(&kb, is, "actors.json", None, "isis").unwrap_err().contains("already a name"));
        assert!(add_alias(&kb, is, "actors.json", None, "Hezbollah").unwrap_err().contains("name of Hezbollah"));
    }
}
