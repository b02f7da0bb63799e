//! Reading and validating knowledge-base files.
//!
//! A file is parsed strictly (unknown keys are errors), then validated as a whole. Every problem is
//! reported with the file, line and column of the value at fault; a file with any problem is
//! rejected whole, so the caller keeps whatever knowledge base it had before.
//!
//! Merging: files are applied in order over the built-in entries. An entry whose `id` is already
//! known replaces the earlier entry; a new `id` adds an actor. An entry with `"extend": true`
//! instead adds its aliases, affiliations and sources to the earlier entry with that `id` (and may
//! replace its description); it may not give a name or a kind. Affiliations and ambiguity are
//! checked across the merged set.

use std::collections::HashMap;
use std::fmt;

use serde::Deserialize;

use super::locate::{locate, Step};
use super::model::{Actor, ActorId, ActorKind, Affiliation, Alias, AliasForm, CaseRule, Entry};
use crate::text::fold::{fold_str, same_case};
use crate::text::pos::line_col_in;

/// One problem in a knowledge-base file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: String,
    /// 1-based line; lines end at `\n`, `\r\n` or a lone `\r`, as in the protocol.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: {}", self.file, self.line, self.column, self.message)
    }
}

/// Why a knowledge base could not be loaded: one or more problems.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct LoadError {
    pub problems: Vec<Problem>,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.problems.len();
        write!(f, "{n} problem{} in the knowledge base", if n == 1 { "" } else { "s" })?;
        for p in &self.problems {
            write!(f, "\n  {p}")?;
        }
        Ok(())
    }
}

/// A knowledge-base file as text, with the name to report it under.
#[derive(Debug, Clone)]
pub struct Source<'a> {
    pub name: &'a str,
    pub text: &'a str,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDoc {
    #[serde(rename = "$schema", default)]
    _schema: Option<String>,
    version: u32,
    actors: Vec<ActorDoc>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ActorDoc {
    id: String,
    #[serde(default)]
    extend: bool,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    family: Option<String>,
    #[serde(default)]
    case: Option<CaseRule>,
    #[serde(default)]
    kind: Option<ActorKind>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    aliases: Vec<AliasDoc>,
    #[serde(default)]
    affiliations: Vec<AffiliationDoc>,
    #[serde(default)]
    sources: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AliasDoc {
    text: String,
    form: AliasForm,
    #[serde(default)]
    family: Option<String>,
    #[serde(default)]
    of: Option<String>,
    #[serde(default)]
    case: Option<CaseRule>,
    #[serde(default)]
    lang: Option<String>,
    #[serde(default)]
    expand: Option<bool>,
    #[serde(default)]
    common_word: bool,
    #[serde(default)]
    ambiguous: bool,
    #[serde(default)]
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AffiliationDoc {
    actor: String,
    relation: String,
    from: Option<i32>,
    to: Option<i32>,
    #[serde(default)]
    note: Option<String>,
}

/// Where a name came from: its file and the path to its text there, for reporting cross-file
/// problems.
#[derive(Clone)]
struct NameSite {
    file: usize,
    path: Vec<Step>,
}

struct Reporter<'a> {
    sources: &'a [Source<'a>],
    problems: Vec<Problem>,
}

impl Reporter<'_> {
    fn at(&mut self, file: usize, path: &[Step], message: String) {
        let src = &self.sources[file];
        // Fall back to shorter paths when a value is missing (e.g. a default).
        let at = (0..=path.len()).rev().find_map(|n| locate(src.text, &path[..n])).unwrap_or(0);
        let (line, column) = line_col_in(src.text, at);
        self.problems.push(Problem { file: src.name.to_string(), line, column, message });
    }
}

const SUPPORTED_VERSION: u32 = 1;

/// The byte offset of a serde_json error position (1-based line, 1-based byte column), on a
/// character boundary and within the text.
fn json_error_offset(text: &str, line: usize, column: usize) -> usize {
    let line_start = text.split_inclusive('\n').take(line.saturating_sub(1)).map(str::len).sum::<usize>();
    // A column inside a multi-byte character means serde_json stopped after reading part of it:
    // the place is after that character.
    let mut at = (line_start + column.saturating_sub(1)).min(text.len());
    while !text.is_char_boundary(at) {
        at += 1;
    }
    at
}

/// Parses, merges and validates knowledge-base files, in order.
pub fn load(sources: &[Source<'_>]) -> Result<Vec<Actor>, LoadError> {
    let mut rep = Reporter { sources, problems: Vec::new() };
    let mut docs: Vec<(usize, usize, ActorDoc)> = Vec::new();
    for (fi, src) in sources.iter().enumerate() {
        match serde_json::from_str::<FileDoc>(src.text) {
            Ok(doc) if doc.version != SUPPORTED_VERSION => {
                rep.at(
                    fi,
                    &[Step::Key("version")],
                    format!("unsupported version {} (expected {SUPPORTED_VERSION})", doc.version),
                );
            }
            Ok(doc) => {
                let mut seen: HashMap<String, usize> = HashMap::new();
                for (ai, actor) in doc.actors.into_iter().enumerate() {
                    if let Some(prev) = seen.insert(actor.id.clone(), ai) {
                        let path = [Step::Key("actors"), Step::Index(ai), Step::Key("id")];
                        rep.at(
                            fi,
                            &path,
                            format!("duplicate id `{}` (first defined in actor #{})", actor.id, prev + 1),
                        );
                        continue;
                    }
                    docs.push((fi, ai, actor));
                }
            }
            Err(e) => {
                // serde_json counts columns in bytes; ours are characters.
                let (line, column) = line_col_in(src.text, json_error_offset(src.text, e.line(), e.column()));
                rep.problems.push(Problem {
                    file: src.name.to_string(),
                    line,
                    column,
                    message: e.to_string().split(" at line ").next().unwrap_or("invalid JSON").to_string(),
                })
            }
        }
    }
    if !rep.problems.is_empty() {
        return Err(LoadError { problems: rep.problems });
    }

    // Later files override earlier entries with the same id, or extend them.
    let mut order: Vec<String> = Vec::new();
    let mut by_id: HashMap<String, Vec<(usize, usize, ActorDoc)>> = HashMap::new();
    for (fi, ai, doc) in docs {
        let base = [Step::Key("actors"), Step::Index(ai)];
        let at = |key: &'static str| -> Vec<Step> { base.iter().cloned().chain([Step::Key(key)]).collect() };
        if doc.extend {
            if doc.name.is_some() || doc.kind.is_some() || doc.family.is_some() || doc.case.is_some() {
                let key = if doc.name.is_some() {
                    "name"
                } else if doc.kind.is_some() {
                    "kind"
                } else {
                    "family"
                };
                rep.at(
                    fi,
                    &at(key),
                    "an entry with \"extend\": true adds aliases, affiliations and sources; it cannot change the \
                     name, kind, family or case (drop \"extend\" to replace the entry)"
                        .into(),
                );
                continue;
            }
            match by_id.get_mut(&doc.id) {
                Some(parts) => parts.push((fi, ai, doc)),
                None => rep.at(
                    fi,
                    &at("id"),
                    format!("\"extend\": true, but no earlier file defines an actor `{}`", doc.id),
                ),
            }
            continue;
        }
        let mut missing = Vec::new();
        if doc.name.is_none() {
            missing.push("name");
        }
        if doc.kind.is_none() {
            missing.push("kind");
        }
        if doc.description.is_none() {
            missing.push("description");
        }
        if !missing.is_empty() {
            rep.at(
                fi,
                &base,
                format!(
                    "actor `{}` lacks {} (or add \"extend\": true to add to an existing actor)",
                    doc.id,
                    missing.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
                ),
            );
            continue;
        }
        if !by_id.contains_key(&doc.id) {
            order.push(doc.id.clone());
        }
        by_id.insert(doc.id.clone(), vec![(fi, ai, doc)]);
    }
    let ids: HashMap<&str, ActorId> =
        order.iter().enumerate().map(|(i, id)| (id.as_str(), ActorId(i as u32))).collect();

    let mut actors = Vec::with_capacity(order.len());
    let mut prov: Vec<Vec<NameSite>> = Vec::with_capacity(order.len());
    for id in &order {
        let parts = &by_id[id];
        let (fi, ai, doc) = &parts[0];
        // Checked above: a defining entry has a kind.
        let Some(kind) = doc.kind else { continue };
        let base = [Step::Key("actors"), Step::Index(*ai)];
        let path = |rest: &[Step]| -> Vec<Step> { base.iter().cloned().chain(rest.iter().cloned()).collect() };
        if !is_kebab(&doc.id) {
            rep.at(
                *fi,
                &path(&[Step::Key("id")]),
                format!("id `{}` is not kebab-case ([a-z0-9] words joined by -)", doc.id),
            );
        }
        // The last part that gives a description wins.
        let (dfi, dai, description) = parts
            .iter()
            .rev()
            .find_map(|(f, a, d)| d.description.as_deref().map(|t| (*f, *a, t)))
            .unwrap_or((*fi, *ai, ""));
        if description.trim().is_empty() {
            rep.at(dfi, &[Step::Key("actors"), Step::Index(dai), Step::Key("description")], "empty description".into());
        }
        let name = doc.name.as_deref().unwrap_or_default();
        let default_family = doc.family.clone().unwrap_or_else(|| "main".into());
        let mut names = vec![Alias {
            text: name.trim().to_string(),
            form: AliasForm::Name,
            family: default_family,
            of: None,
            case: doc.case.unwrap_or(CaseRule::Any),
            lang: "en".into(),
            expand: false,
            common_word: false,
            ambiguous: false,
            note: None,
        }];
        let mut sites = vec![NameSite { file: *fi, path: path(&[Step::Key("name")]) }];
        if name.trim().is_empty() {
            rep.at(*fi, &path(&[Step::Key("name")]), "empty name".into());
        }
        let mut affiliations = Vec::new();
        let mut sources_list = Vec::new();
        for (pfi, pai, part) in parts {
            let pbase = [Step::Key("actors"), Step::Index(*pai)];
            let apath = |k: usize, key: &'static str| -> Vec<Step> {
                pbase.iter().cloned().chain([Step::Key("aliases"), Step::Index(k), Step::Key(key)]).collect()
            };
            for (k, a) in part.aliases.iter().enumerate() {
                let text = a.text.trim();
                if text.is_empty() || fold_str(text).is_empty() {
                    rep.at(*pfi, &apath(k, "text"), "empty alias".into());
                    continue;
                }
                if names.iter().any(|n| n.text == text) {
                    rep.at(*pfi, &apath(k, "text"), format!("alias `{text}` is listed twice for `{}`", doc.id));
                    continue;
                }
                let acronym = a.form == AliasForm::Acronym;
                names.push(Alias {
                    text: text.to_string(),
                    form: a.form,
                    family: a.family.clone().unwrap_or_else(|| "main".into()),
                    of: a.of.clone(),
                    case: a.case.unwrap_or(if acronym { CaseRule::Exact } else { CaseRule::Any }),
                    lang: a.lang.clone().unwrap_or_else(|| "en".into()),
                    expand: a.expand.unwrap_or(acronym),
                    common_word: a.common_word,
                    ambiguous: a.ambiguous,
                    note: a.note.clone().filter(|n| !n.trim().is_empty()),
                });
                sites.push(NameSite { file: *pfi, path: apath(k, "text") });
            }
            for (k, af) in part.affiliations.iter().enumerate() {
                match ids.get(af.actor.as_str()) {
                    Some(&target) => affiliations.push(Affiliation {
                        actor: target,
                        relation: af.relation.clone(),
                        from: af.from,
                        to: af.to,
                        note: af.note.clone().filter(|n| !n.trim().is_empty()),
                    }),
                    None => rep.at(
                        *pfi,
                        &pbase
                            .iter()
                            .cloned()
                            .chain([Step::Key("affiliations"), Step::Index(k), Step::Key("actor")])
                            .collect::<Vec<_>>(),
                        format!("affiliation points to unknown actor `{}`", af.actor),
                    ),
                }
            }
            sources_list.extend(part.sources.iter().cloned());
        }
        for (pfi, pai, part) in parts {
            for (k, a) in part.aliases.iter().enumerate() {
                let apath = |key: &'static str| -> Vec<Step> {
                    vec![Step::Key("actors"), Step::Index(*pai), Step::Key("aliases"), Step::Index(k), Step::Key(key)]
                };
                match &a.of {
                    Some(of) if !names.iter().any(|n| &n.text == of) => {
                        rep.at(*pfi, &apath("of"), format!("`of` names `{of}`, which is not a name of `{}`", doc.id));
                    }
                    None if matches!(a.form, AliasForm::Variant | AliasForm::Misspelling) => {
                        rep.at(
                            *pfi,
                            &apath("form"),
                            format!("a {:?} needs `of`: the form it is a spelling of", a.form).to_lowercase(),
                        );
                    }
                    _ => {}
                }
            }
        }
        actors.push(Actor {
            id: doc.id.clone(),
            kind,
            names,
            description: description.trim().to_string(),
            affiliations,
            sources: sources_list,
            origin: sources[*fi].name.to_string(),
            entries: parts.iter().map(|(f, a, _)| Entry { file: sources[*f].name.to_string(), index: *a }).collect(),
        });
        prov.push(sites);
    }

    check_shared_names(&actors, &prov, &mut rep);
    if rep.problems.is_empty() {
        Ok(actors)
    } else {
        let mut problems = rep.problems;
        // Report in file order, each problem once.
        let order: HashMap<&str, usize> = sources.iter().enumerate().map(|(i, s)| (s.name, i)).collect();
        problems.sort_by(|a, b| {
            (order.get(a.file.as_str()), a.line, a.column).cmp(&(order.get(b.file.as_str()), b.line, b.column))
        });
        problems.dedup();
        Err(LoadError { problems })
    }
}

/// A name claimed by two actors must be marked `ambiguous` in both, unless case keeps them apart.
fn check_shared_names(actors: &[Actor], prov: &[Vec<NameSite>], rep: &mut Reporter<'_>) {
    let mut owners: HashMap<String, Vec<(usize, usize)>> = HashMap::new();
    for (ai, actor) in actors.iter().enumerate() {
        for (ni, name) in actor.names.iter().enumerate() {
            owners.entry(fold_str(&name.text)).or_default().push((ai, ni));
        }
    }
    let mut keys: Vec<&String> = owners.keys().collect();
    keys.sort();
    for key in keys {
        let list = &owners[key];
        for (x, &(a1, n1)) in list.iter().enumerate() {
            for &(a2, n2) in &list[x + 1..] {
                if a1 == a2 {
                    continue;
                }
                let (p, q) = (&actors[a1].names[n1], &actors[a2].names[n2]);
                let apart = p.case == CaseRule::Exact && q.case == CaseRule::Exact && !same_case(&p.text, &q.text);
                if apart || (p.ambiguous && q.ambiguous) {
                    continue;
                }
                // Reported where the clash was introduced: in the later file.
                let site = if prov[a1][n1].file > prov[a2][n2].file { &prov[a1][n1] } else { &prov[a2][n2] };
                rep.at(
                    site.file,
                    &site.path,
                    format!(
                        "`{}` names both `{}` and `{}`: mark it \"ambiguous\": true in both, or remove one",
                        q.text, actors[a1].id, actors[a2].id
                    ),
                );
            }
        }
    }
}

fn is_kebab(id: &str) -> bool {
    !id.is_empty()
        && id.split('-').all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_one(text: &str) -> Result<Vec<Actor>, LoadError> {
        load(&[Source { name: "kb.json", text }])
    }

    const GOOD: &str = r#"{
  "version": 1,
  "actors": [
    {"id": "islamic-state", "name": "Islamic State", "family": "is", "kind": "armed-group",
     "description": "Jihadist group.",
     "aliases": [
       {"text": "ISIL", "form": "acronym", "family": "isil"},
       {"text": "Da'esh", "form": "variant", "of": "Daesh", "family": "daesh"},
       {"text": "Daesh", "form": "acronym", "family": "daesh", "case": "any", "expand": false}
     ],
     "affiliations": [{"actor": "al-qaeda", "relation": "affiliate-of", "from": 2004, "to": 2014}]},
    {"id": "al-qaeda", "name": "al-Qaeda", "kind": "armed-group", "description": "Network."}
  ]
}"#;

    #[test]
    fn loads_with_defaults() {
        let actors = load_one(GOOD).unwrap();
        assert_eq!(actors.len(), 2);
        let is = &actors[0];
        assert_eq!(is.name(), "Islamic State");
        assert_eq!(is.names[0].family, "is");
        assert_eq!(is.names[1].case, CaseRule::Exact);
        assert!(is.names[1].expand);
        assert_eq!(is.names[3].case, CaseRule::Any);
        assert_eq!(is.affiliations[0].actor, ActorId(1));
    }

    fn messages(e: LoadError) -> Vec<String> {
        e.problems.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn syntax_errors_have_positions() {
        let bad = GOOD.replace("\"ISIL\", \"form\"", "\"ISIL\" \"form\"");
        let m = messages(load_one(&bad).unwrap_err());
        assert_eq!(m.len(), 1);
        assert!(m[0].starts_with("kb.json:7:"), "{m:?}");
    }

    #[test]
    fn unknown_keys_and_wrong_types_are_reported() {
        let bad =
            GOOD.replace("\"form\": \"acronym\", \"family\": \"isil\"", "\"form\": \"acronym\", \"famly\": \"isil\"");
        let m = messages(load_one(&bad).unwrap_err());
        assert!(m[0].starts_with("kb.json:7:") && m[0].contains("unknown field `famly`"), "{m:?}");
        let bad = GOOD.replace("\"from\": 2004", "\"from\": \"2004\"");
        let m = messages(load_one(&bad).unwrap_err());
        assert!(m[0].starts_with("kb.json:11:"), "{m:?}");
    }

    #[test]
    fn semantic_problems_point_at_the_value() {
        let bad = GOOD
            .replace("\"actor\": \"al-qaeda\"", "\"actor\": \"nowhere\"")
            .replace("\"of\": \"Daesh\"", "\"of\": \"Dash\"")
            .replace("\"id\": \"al-qaeda\", \"name\": \"al-Qaeda\"", "\"id\": \"al-qaeda\", \"name\": \"Daesh\"");
        let m = messages(load_one(&bad).unwrap_err());
        assert_eq!(m.len(), 3, "{m:?}");
        assert!(m.iter().any(|p| p.starts_with("kb.json:8:") && p.contains("`of` names `Dash`")), "{m:?}");
        assert!(m.iter().any(|p| p.starts_with("kb.json:11:") && p.contains("unknown actor `nowhere`")), "{m:?}");
        assert!(m.iter().any(|p| p.starts_with("kb.json:12:") && p.contains("names both")), "{m:?}");
    }

    #[test]
    fn duplicate_ids_and_empty_aliases() {
        let bad = GOOD.replace("\"id\": \"al-qaeda\"", "\"id\": \"islamic-state\"");
        let m = messages(load_one(&bad).unwrap_err());
        assert!(m[0].starts_with("kb.json:12:") && m[0].contains("duplicate id"), "{m:?}");
        let bad = GOOD.replace("{\"text\": \"ISIL\"", "{\"text\": \"  \"");
        let m = messages(load_one(&bad).unwrap_err());
        assert!(m[0].starts_with("kb.json:7:") && m[0].contains("empty alias"), "{m:?}");
    }

    #[test]
    fn later_files_override_and_extend() {
        let user = r#"{"version": 1, "actors": [
          {"id": "al-qaeda", "name": "al-Qaida", "kind": "armed-group", "description": "House spelling."},
          {"id": "local-militia", "name": "Liwa al-Test", "kind": "armed-group", "description": "Ours."}
        ]}"#;
        let actors = load(&[Source { name: "builtin", text: GOOD }, Source { name: "user.json", text: user }]).unwrap();
        assert_eq!(actors.len(), 3);
        assert_eq!(actors[1].name(), "al-Qaida");
        assert_eq!(actors[1].origin, "user.json");
        assert_eq!(actors[2].id, "local-militia");
    }

    #[test]
    fn an_extension_adds_aliases_to_an_earlier_actor() {
        let user = r#"{"version": 1, "actors": [
          {"id": "al-qaeda", "extend": true, "aliases": [{"text": "AQ", "form": "acronym"}],
           "sources": ["house list"]}
        ]}"#;
        let actors = load(&[Source { name: "builtin", text: GOOD }, Source { name: "user.json", text: user }]).unwrap();
        assert_eq!(actors.len(), 2);
        let aq = &actors[1];
        assert_eq!(aq.name(), "al-Qaeda");
        assert_eq!(aq.description, "Network.");
        assert_eq!(aq.names.iter().map(|n| n.text.as_str()).collect::<Vec<_>>(), ["al-Qaeda", "AQ"]);
        assert_eq!(aq.sources, ["house list"]);
        assert_eq!(aq.origin, "builtin");
        assert_eq!(
            aq.entries,
            [Entry { file: "builtin".into(), index: 1 }, Entry { file: "user.json".into(), index: 0 }]
        );
    }

    #[test]
    fn extension_problems_point_into_the_extending_file() {
        let user = r#"{"version": 1, "actors": [
          {"id": "nobody", "extend": true, "aliases": [{"text": "N", "form": "acronym"}]},
          {"id": "al-qaeda", "extend": true, "name": "AQ"},
          {"id": "islamic-state", "extend": true, "aliases": [{"text": "al-Qaeda", "form": "name"}]},
          {"id": "new-one", "name": "New"}
        ]}"#;
        let err = load(&[Source { name: "builtin", text: GOOD }, Source { name: "user.json", text: user }]);
        let m = messages(err.unwrap_err());
        assert!(m.iter().any(|p| p.starts_with("user.json:2:") && p.contains("no earlier file defines")), "{m:?}");
        assert!(m.iter().any(|p| p.starts_with("user.json:3:") && p.contains("cannot change the name")), "{m:?}");
        assert!(m.iter().any(|p| p.starts_with("user.json:4:") && p.contains("names both")), "{m:?}");
        assert!(m.iter().any(|p| p.starts_with("user.json:5:") && p.contains("lacks `kind`, `description`")), "{m:?}");
    }

    #[test]
    fn syntax_error_columns_count_characters_not_bytes() {
        // Found by the `kb_loader` fuzz target: `"éé` is 3 characters (5 bytes); the error is at
        // the end of the line, column 4.
        let err = load(&[Source { name: "f.json", text: "\"\u{e9}\u{e9}" }]).unwrap_err();
        let p = &err.problems[0];
        assert_eq!((p.line, p.column), (1, 4), "{p:?}");
        let err = load(&[Source { name: "f.json", text: "{\"actors\": [\"\u{62f}\u{62f}\u{627}\u{639}\u{634}" }])
            .unwrap_err();
        assert!(err.problems[0].column <= 19, "{:?}", err.problems[0]);
    }
}
