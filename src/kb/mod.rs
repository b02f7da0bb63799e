//! The knowledge base: who the actors are, what they are called, and how to find them in text.
//!
//! - [`model`]: actors, names (aliases), affiliations.
//! - [`load`]: parsing, merging and validating knowledge-base files, with file:line:col problems.
//! - [`matcher`]: the Aho-Corasick matcher over every name and every cue phrase.
//! - [`lexicon`]: the cue phrases of the attribution rules (speech verbs, hedges, claims...).
//! - [`style`]: house styles (which name a newsroom prefers for an actor).
//! - [`complete`]: which names start with what the writer has typed (completion).
//!
//! The built-in knowledge base is `seeds/actors.json`, embedded in the binary at build time.

pub mod complete;
pub mod lexicon;
pub mod load;
pub mod locate;
pub mod matcher;
pub mod model;
pub mod style;

use std::collections::HashMap;
use std::ops::Range;

pub use complete::{Candidate, Completions, Rank};
pub use load::{LoadError, Problem, Source};
pub use matcher::{Found, NameRef};
pub use model::{Actor, ActorId, ActorKind, Affiliation, Alias, AliasForm, CaseRule, Entry};
pub use style::{HouseStyle, Preference, StyleError};

use crate::text::fold::fold_str;
use matcher::Matcher;

/// The embedded knowledge base, as shipped in `seeds/actors.json`.
pub const BUILTIN_JSON: &str = include_str!("../../seeds/actors.json");

/// The name under which problems in the embedded file are reported.
pub const BUILTIN_NAME: &str = "builtin:seeds/actors.json";

/// A loaded, validated knowledge base with its matcher.
#[derive(Debug)]
pub struct KnowledgeBase {
    actors: Vec<Actor>,
    by_id: HashMap<String, ActorId>,
    matcher: Matcher,
    /// For each actor, for each name: a descriptive form that contains one of the actor's proper
    /// names ("Islamic State group"), worked out once at load ([`KnowledgeBase::contains_proper_name`]).
    contains_proper: Vec<Box<[bool]>>,
    /// Actors a project hides: kept (cards and affiliations still name them) but never matched.
    hidden: Vec<ActorId>,
}

impl KnowledgeBase {
    /// Loads and merges `sources` in order (later entries with the same id replace earlier ones).
    pub fn load(sources: &[Source<'_>]) -> Result<KnowledgeBase, LoadError> {
        let actors = load::load(sources)?;
        let by_id = actors.iter().enumerate().map(|(i, a)| (a.id.clone(), ActorId(i as u32))).collect();
        let matcher = Matcher::new(&actors);
        let contains_proper =
            actors.iter().map(|a| (0..a.names.len()).map(|i| proper_within(a, i)).collect()).collect();
        Ok(KnowledgeBase { actors, by_id, matcher, contains_proper, hidden: Vec::new() })
    }

    /// This knowledge base with `hidden` actors no longer found in text nor offered by
    /// [`KnowledgeBase::search`].
    pub fn hiding(self, hidden: Vec<ActorId>) -> KnowledgeBase {
        let matcher = Matcher::without(&self.actors, &hidden);
        KnowledgeBase { matcher, hidden, ..self }
    }

    /// Whether a project hides this actor.
    pub fn is_hidden(&self, id: ActorId) -> bool {
        self.hidden.contains(&id)
    }

    /// The embedded knowledge base alone.
    pub fn builtin() -> Result<KnowledgeBase, LoadError> {
        KnowledgeBase::load(&[Source { name: BUILTIN_NAME, text: BUILTIN_JSON }])
    }

    /// The embedded knowledge base extended by user files, given as (name, text) pairs.
    pub fn with_files(files: &[(String, String)]) -> Result<KnowledgeBase, LoadError> {
        let mut sources = vec![Source { name: BUILTIN_NAME, text: BUILTIN_JSON }];
        sources.extend(files.iter().map(|(name, text)| Source { name, text }));
        KnowledgeBase::load(&sources)
    }

    pub fn actors(&self) -> &[Actor] {
        &self.actors
    }

    pub fn actor(&self, id: ActorId) -> &Actor {
        &self.actors[id.index()]
    }

    pub fn name(&self, r: NameRef) -> &Alias {
        &self.actors[r.actor.index()].names[r.name as usize]
    }

    /// Whether a name is a descriptive or metonymic form that contains, as whole words, a proper
    /// name of its actor (one that is neither descriptive nor a metonym, of three letters or more):
    /// "Islamic State group" contains "Islamic State"; "Assad government" contains no name.
    pub fn contains_proper_name(&self, r: NameRef) -> bool {
        self.contains_proper[r.actor.index()][r.name as usize]
    }

    pub fn by_id(&self, id: &str) -> Option<ActorId> {
        self.by_id.get(id).copied()
    }

    /// The number of names (canonical names and aliases) over all actors.
    pub fn name_count(&self) -> usize {
        self.actors.iter().map(|a| a.names.len()).sum()
    }

    /// The number of distinct patterns in the matcher.
    pub fn pattern_count(&self) -> usize {
        self.matcher.pattern_count()
    }

    /// Every actor name in `text` outside `excluded`, in order.
    pub fn find(&self, text: &str, excluded: &[Range<usize>]) -> Vec<Found> {
        self.find_folded(text, &crate::text::fold::Folded::new(text), excluded)
    }

    /// As [`KnowledgeBase::find`], with the text already folded (so callers fold once).
    pub fn find_folded(&self, text: &str, folded: &crate::text::fold::Folded, excluded: &[Range<usize>]) -> Vec<Found> {
        self.matcher.find(&self.actors, text, folded, excluded)
    }

    /// [`KnowledgeBase::find_folded`], and the lexicons' cue phrases in `text` (whole words, in order,
    /// those inside a longer cue dropped), found in the same walk. `within`: sorted, disjoint
    /// spans (sentences) that a cue starting in one may not run out of ("referring" ending one
    /// sentence, "to" starting the next); the shorter cues inside such a phrase are kept instead.
    pub fn scan_folded(
        &self,
        text: &str,
        folded: &crate::text::fold::Folded,
        excluded: &[Range<usize>],
        within: &[Range<usize>],
    ) -> (Vec<Found>, Vec<lexicon::Cue>) {
        self.matcher.scan(&self.actors, text, folded, excluded, within)
    }

    /// Actors whose id or any name matches `query` (folded): exact matches first, then prefixes,
    /// then substrings.
    pub fn search(&self, query: &str) -> Vec<ActorId> {
        let q = fold_str(query);
        if q.is_empty() {
            return (0..self.actors.len() as u32).map(ActorId).filter(|a| !self.hidden.contains(a)).collect();
        }
        let mut hits: Vec<(u8, ActorId)> = Vec::new();
        for (i, actor) in self.actors.iter().enumerate() {
            if self.hidden.contains(&ActorId(i as u32)) {
                continue;
            }
            let keys = std::iter::once(fold_str(&actor.id)).chain(actor.names.iter().map(|n| fold_str(&n.text)));
            let rank = keys
                .map(|k| {
                    if k == q {
                        0
                    } else if k.starts_with(&q) {
                        1
                    } else if k.contains(&q) {
                        2
                    } else {
                        3
                    }
                })
                .min()
                .unwrap_or(3);
            if rank < 3 {
                hits.push((rank, ActorId(i as u32)));
            }
        }
        hits.sort();
        hits.into_iter().map(|(_, id)| id).collect()
    }
}

/// See [`KnowledgeBase::contains_proper_name`].
fn proper_within(actor: &Actor, i: usize) -> bool {
    let descriptive = |f: AliasForm| matches!(f, AliasForm::Descriptive | AliasForm::Metonym);
    if !descriptive(actor.names[i].form) {
        return false;
    }
    let folded = fold_str(&actor.names[i].text);
    let words: Vec<&str> = folded.split(' ').collect();
    actor.names.iter().any(|o| {
        !descriptive(o.form) && {
            let f = fold_str(&o.text);
            f.len() >= 3 && words.windows(f.split(' ').count()).any(|w| w.join(" ") == f)
        }
    })
}
