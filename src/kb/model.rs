//! The knowledge base's data: actors, their names, and their affiliations.
//!
//! These are the in-memory types the rest of the program uses. The file format (see
//! `docs/knowledge-base.md`) is parsed into them by [`super::load`], which fills in defaults and puts
//! the canonical name first in [`Actor::names`].

use serde::{Deserialize, Serialize};

/// What sort of actor an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ActorKind {
    ArmedGroup,
    StateForce,
    State,
    Person,
    Place,
    Media,
    PoliticalBody,
    Coalition,
    InternationalOrg,
}

impl ActorKind {
    pub const ALL: [ActorKind; 9] = [
        ActorKind::ArmedGroup,
        ActorKind::StateForce,
        ActorKind::State,
        ActorKind::Person,
        ActorKind::Place,
        ActorKind::Media,
        ActorKind::PoliticalBody,
        ActorKind::Coalition,
        ActorKind::InternationalOrg,
    ];

    /// A label for people: "armed group", "state force", ...
    pub fn label(self) -> &'static str {
        match self {
            ActorKind::ArmedGroup => "armed group",
            ActorKind::StateForce => "state force",
            ActorKind::State => "state",
            ActorKind::Person => "person",
            ActorKind::Place => "place",
            ActorKind::Media => "media outlet",
            ActorKind::PoliticalBody => "political body",
            ActorKind::Coalition => "coalition",
            ActorKind::InternationalOrg => "international organisation",
        }
    }

    /// The kebab-case name used in files and JSON output.
    pub fn key(self) -> &'static str {
        match self {
            ActorKind::ArmedGroup => "armed-group",
            ActorKind::StateForce => "state-force",
            ActorKind::State => "state",
            ActorKind::Person => "person",
            ActorKind::Place => "place",
            ActorKind::Media => "media",
            ActorKind::PoliticalBody => "political-body",
            ActorKind::Coalition => "coalition",
            ActorKind::InternationalOrg => "international-org",
        }
    }
}

/// What kind of name an alias is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AliasForm {
    /// A full name (the canonical name is one).
    Name,
    /// A short form of a name.
    Short,
    /// An acronym or initialism.
    Acronym,
    /// A spelling or transliteration variant of another form.
    Variant,
    /// An error seen in copy.
    Misspelling,
    /// The name in another language or script.
    Translation,
    /// A descriptive or qualified form ("Islamic State group").
    Descriptive,
    /// A place standing for its government.
    Metonym,
}

/// Whether an alias matches in any case or only as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CaseRule {
    Exact,
    Any,
}

/// One name of an actor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alias {
    pub text: String,
    pub form: AliasForm,
    /// The naming family: forms in one family derive from each other.
    pub family: String,
    /// The form this one is a spelling of, or the expansion it abbreviates.
    pub of: Option<String>,
    pub case: CaseRule,
    /// BCP 47 language tag.
    pub lang: String,
    /// For acronyms: whether a story must spell it out.
    pub expand: bool,
    /// Also an ordinary word in capitals: ignored in all-capitals text.
    pub common_word: bool,
    /// Shared on purpose with other actors.
    pub ambiguous: bool,
    pub note: Option<String>,
}

/// A link from one actor to another over a span of years.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Affiliation {
    pub actor: ActorId,
    pub relation: String,
    pub from: Option<i32>,
    pub to: Option<i32>,
    pub note: Option<String>,
}

/// Index of an actor in its [`super::KnowledgeBase`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ActorId(pub u32);

impl ActorId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// An actor: an armed group, a force, a state, a person, a place, an outlet ...
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub id: String,
    pub kind: ActorKind,
    /// Every name; `names[0]` is the canonical name.
    pub names: Vec<Alias>,
    pub description: String,
    pub affiliations: Vec<Affiliation>,
    pub sources: Vec<String>,
    /// The file this entry came from (`builtin` for the embedded knowledge base).
    pub origin: String,
    /// Where the actor is written down: the defining entry, then any entries that extend it.
    pub entries: Vec<Entry>,
}

/// One entry of a knowledge-base file: the file's name as loaded and the entry's index in its
/// `actors` array.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub file: String,
    pub index: usize,
}

impl Actor {
    /// The canonical name.
    pub fn name(&self) -> &str {
        &self.names[0].text
    }
}
