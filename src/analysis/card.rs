//! Actor cards: what the hover and `frontline actors` show about an actor.
//!
//! A [`Card`] is built once from the knowledge base (and, for a hover, the document's mentions)
//! and rendered either as Markdown or as plain text, so the editor and the terminal show the same
//! facts in the same order.

use std::fmt::Write as _;

use crate::kb::{ActorId, AliasForm, KnowledgeBase};

/// A line of a card section: an emphasised lead and the rest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub lead: String,
    pub rest: String,
}

/// A titled list of items.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub title: String,
    pub items: Vec<Item>,
}

/// Everything a card says about one actor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Card {
    pub name: String,
    pub kind: String,
    pub id: String,
    /// A line about this particular mention (e.g. the form used and its family).
    pub context: Option<String>,
    pub description: String,
    pub sections: Vec<Section>,
}

/// What the document says about the actor, for the "in this document" section.
#[derive(Debug, Clone, Default)]
pub struct Usage {
    /// The form under the cursor and the name it matched.
    pub here: Option<(String, crate::kb::NameRef)>,
    /// Each form used in the document, with its count.
    pub forms: Vec<(String, usize)>,
}

fn lang_label(tag: &str) -> String {
    let (lang, script) = tag.split_once('-').unwrap_or((tag, ""));
    let name = match lang {
        "ar" => "Arabic",
        "ru" => "Russian",
        "fr" => "French",
        "tr" => "Turkish",
        "ku" => "Kurdish",
        "fa" => "Persian",
        "he" => "Hebrew",
        "de" => "German",
        "es" => "Spanish",
        "en" => "English",
        "syc" => "Syriac",
        "hy" => "Armenian",
        "la" => "Latin",
        "grc" => "Ancient Greek",
        _ => return tag.to_string(),
    };
    if script == "Latn" && lang != "en" && lang != "fr" && lang != "tr" && lang != "de" && lang != "es" {
        format!("{name}, romanised")
    } else {
        name.to_string()
    }
}

fn years(from: Option<i32>, to: Option<i32>) -> String {
    match (from, to) {
        (Some(f), Some(t)) if f == t => f.to_string(),
        (Some(f), Some(t)) => format!("{f}–{t}"),
        (Some(f), None) => format!("{f}–"),
        (None, Some(t)) => format!("–{t}"),
        (None, None) => "undated".to_string(),
    }
}

/// Builds the card of `actor`.
pub fn card(kb: &KnowledgeBase, actor: ActorId, usage: Option<&Usage>) -> Card {
    let a = kb.actor(actor);
    let families: std::collections::BTreeSet<&str> = a.names.iter().map(|n| n.family.as_str()).collect();
    let show_family = families.len() > 1;

    let mut groups: [(&str, Vec<Item>); 4] = [
        ("Names", Vec::new()),
        ("Acronyms", Vec::new()),
        ("Spellings and transliterations", Vec::new()),
        ("Other languages", Vec::new()),
    ];
    for n in a.names.iter().skip(1) {
        let slot = match n.form {
            AliasForm::Acronym => 1,
            AliasForm::Variant | AliasForm::Misspelling => 2,
            AliasForm::Translation => 3,
            AliasForm::Name | AliasForm::Short | AliasForm::Descriptive | AliasForm::Metonym => 0,
        };
        let mut tags: Vec<String> = Vec::new();
        match n.form {
            AliasForm::Translation => tags.push(lang_label(&n.lang)),
            AliasForm::Misspelling => tags.push("misspelling".into()),
            AliasForm::Short => tags.push("short form".into()),
            AliasForm::Descriptive => tags.push("descriptive".into()),
            AliasForm::Metonym => tags.push("metonym".into()),
            _ => {}
        }
        if let Some(of) = n.of.as_deref().filter(|_| matches!(n.form, AliasForm::Variant | AliasForm::Misspelling)) {
            tags.push(format!("of {of}"));
        }
        if show_family {
            tags.push(format!("{} family", n.family));
        }
        if n.ambiguous {
            tags.push("ambiguous".into());
        }
        let mut rest = if tags.is_empty() { String::new() } else { format!("({})", tags.join(", ")) };
        if let Some(note) = &n.note {
            if !rest.is_empty() {
                rest.push(' ');
            }
            let _ = write!(rest, "— {note}");
        }
        groups[slot].1.push(Item { lead: n.text.clone(), rest });
    }
    let mut sections: Vec<Section> = groups
        .into_iter()
        .filter(|(_, items)| !items.is_empty())
        .map(|(title, items)| Section { title: title.to_string(), items })
        .collect();

    let mut affs: Vec<_> = a.affiliations.iter().collect();
    affs.sort_by_key(|f| (f.from.unwrap_or(i32::MIN), f.to.unwrap_or(i32::MAX)));
    if !affs.is_empty() {
        let items = affs
            .into_iter()
            .map(|f| {
                let mut rest = format!("{} {}", f.relation.replace('-', " "), kb.actor(f.actor).name());
                if let Some(note) = &f.note {
                    let _ = write!(rest, " — {note}");
                }
                Item { lead: years(f.from, f.to), rest }
            })
            .collect();
        sections.push(Section { title: "Affiliations".into(), items });
    }

    if let Some(u) = usage.filter(|u| !u.forms.is_empty()) {
        let items =
            u.forms.iter().map(|(form, count)| Item { lead: form.clone(), rest: format!("× {count}") }).collect();
        sections.push(Section { title: "In this document".into(), items });
    }
    if !a.sources.is_empty() {
        let items = a.sources.iter().map(|s| Item { lead: String::new(), rest: s.clone() }).collect();
        sections.push(Section { title: "Sources".into(), items });
    }

    let context = usage.and_then(|u| u.here.as_ref()).map(|(written, r)| {
        let n = kb.name(*r);
        let mut line = format!("“{written}”");
        if r.name == 0 {
            line.push_str(" is the canonical name");
        } else {
            let _ = write!(line, " is {}", form_phrase(n.form));
        }
        if show_family {
            let _ = write!(line, " ({} family)", n.family);
        }
        line
    });

    Card {
        name: a.name().to_string(),
        kind: a.kind.label().to_string(),
        id: a.id.clone(),
        context,
        description: a.description.clone(),
        sections,
    }
}

fn form_phrase(form: AliasForm) -> &'static str {
    match form {
        AliasForm::Name => "another name",
        AliasForm::Short => "a short form",
        AliasForm::Acronym => "an acronym",
        AliasForm::Variant => "a spelling variant",
        AliasForm::Misspelling => "a misspelling",
        AliasForm::Translation => "a name in another language",
        AliasForm::Descriptive => "a descriptive form",
        AliasForm::Metonym => "a metonym",
    }
}

/// Escapes characters that Markdown would read as markup.
fn md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

impl Card {
    /// The card as Markdown, for hovers.
    pub fn to_markdown(&self) -> String {
        let mut s = format!("### {}\n*{}* · `{}`\n\n", md(&self.name), self.kind, self.id);
        if let Some(c) = &self.context {
            let _ = write!(s, "{}\n\n", md(c));
        }
        let _ = writeln!(s, "{}", md(&self.description));
        for sec in &self.sections {
            let _ = write!(s, "\n**{}**\n", sec.title);
            for it in &sec.items {
                match (it.lead.is_empty(), it.rest.is_empty()) {
                    (true, _) => {
                        let _ = writeln!(s, "- {}", md(&it.rest));
                    }
                    (false, true) => {
                        let _ = writeln!(s, "- **{}**", md(&it.lead));
                    }
                    (false, false) => {
                        let _ = writeln!(s, "- **{}** {}", md(&it.lead), md(&it.rest));
                    }
                }
            }
        }
        s
    }

    /// The card as plain text, for the terminal.
    pub fn to_text(&self) -> String {
        let mut s = format!("{} ({}, {})\n", self.name, self.kind, self.id);
        if let Some(c) = &self.context {
            let _ = writeln!(s, "{c}");
        }
        let _ = writeln!(s, "{}", self.description);
        for sec in &self.sections {
            let _ = write!(s, "\n{}:\n", sec.title);
            for it in &sec.items {
                let line = [it.lead.as_str(), it.rest.as_str()]
                    .iter()
                    .filter(|x| !x.is_empty())
                    .copied()
                    .collect::<Vec<_>>()
                    .join(" ");
                let _ = writeln!(s, "  - {line}");
            }
        }
        s
    }
}
