//! House styles: which name of an actor a newsroom prefers.
//!
//! Presets (`ap`, `reuters`, `bbc`, `nyt`, `guardian`) ship in `seeds/house-styles.json`, built from
//! the facts in the project's reference notes on outlets' naming; each preference cites its source.
//! A style can be extended or overridden per actor (`islamic-state=ISIS`).

use std::collections::HashMap;

use serde::Deserialize;

use super::{ActorId, KnowledgeBase, NameRef};
use crate::text::fold::fold_str;

/// The embedded presets.
pub const PRESETS_JSON: &str = include_str!("../../seeds/house-styles.json");

/// One actor's preferred name under a style, and other forms the style accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preference {
    pub name: NameRef,
    pub allow: Vec<NameRef>,
    pub source: Option<String>,
}

/// A house style resolved against a knowledge base.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HouseStyle {
    /// The preset key (`ap`) or `custom`.
    pub key: String,
    /// A display name ("Associated Press").
    pub name: String,
    pub prefer: HashMap<ActorId, Preference>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PresetsDoc {
    version: u32,
    styles: HashMap<String, StyleDoc>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StyleDoc {
    name: String,
    prefer: HashMap<String, PreferenceDoc>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PreferenceDoc {
    form: String,
    #[serde(default)]
    allow: Vec<String>,
    #[serde(default)]
    source: Option<String>,
}

/// Why a style could not be set up.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StyleError {
    #[error("unknown house style `{0}` (known: {1})")]
    Unknown(String, String),
    #[error("house style `{style}`: no actor `{actor}` in the knowledge base")]
    NoActor { style: String, actor: String },
    #[error("house style `{style}`: `{form}` is not a name of `{actor}`")]
    NoName { style: String, actor: String, form: String },
    #[error("invalid house-style presets: {0}")]
    Presets(String),
    #[error("invalid override `{0}`: write ACTOR-ID=NAME, e.g. islamic-state=ISIS")]
    Override(String),
}

/// The name of `actor` written `form` (compared folded, then exact text preferred).
pub fn find_name(kb: &KnowledgeBase, actor: ActorId, form: &str) -> Option<NameRef> {
    let a = kb.actor(actor);
    let exact = a.names.iter().position(|n| n.text == form);
    let folded = || {
        let f = fold_str(form);
        a.names.iter().position(|n| fold_str(&n.text) == f)
    };
    exact.or_else(folded).map(|i| NameRef { actor, name: i as u16 })
}

fn presets() -> Result<PresetsDoc, StyleError> {
    let doc: PresetsDoc = serde_json::from_str(PRESETS_JSON).map_err(|e| StyleError::Presets(e.to_string()))?;
    if doc.version != 1 {
        return Err(StyleError::Presets(format!("unsupported version {}", doc.version)));
    }
    Ok(doc)
}

/// The keys of the shipped presets, sorted.
pub fn preset_keys() -> Vec<String> {
    let mut keys: Vec<String> = presets().map(|p| p.styles.into_keys().collect()).unwrap_or_default();
    keys.sort();
    keys
}

impl HouseStyle {
    /// A shipped preset, resolved against `kb`.
    pub fn preset(kb: &KnowledgeBase, key: &str) -> Result<HouseStyle, StyleError> {
        let doc = presets()?;
        let Some(style) = doc.styles.get(key) else {
            return Err(StyleError::Unknown(key.to_string(), preset_keys().join(", ")));
        };
        let mut out = HouseStyle { key: key.to_string(), name: style.name.clone(), prefer: HashMap::new() };
        for (actor_id, p) in &style.prefer {
            let actor =
                kb.by_id(actor_id).ok_or_else(|| StyleError::NoActor { style: key.into(), actor: actor_id.clone() })?;
            let resolve = |form: &str| {
                find_name(kb, actor, form).ok_or_else(|| StyleError::NoName {
                    style: key.into(),
                    actor: actor_id.clone(),
                    form: form.to_string(),
                })
            };
            let name = resolve(&p.form)?;
            let allow = p.allow.iter().map(|f| resolve(f)).collect::<Result<Vec<_>, _>>()?;
            out.prefer.insert(actor, Preference { name, allow, source: p.source.clone() });
        }
        Ok(out)
    }

    /// Sets one actor's preferred name from `ACTOR-ID=NAME`.
    pub fn override_with(&mut self, kb: &KnowledgeBase, spec: &str) -> Result<(), StyleError> {
        let (id, form) = spec.split_once('=').ok_or_else(|| StyleError::Override(spec.to_string()))?;
        let (id, form) = (id.trim(), form.trim());
        let actor =
            kb.by_id(id).ok_or_else(|| StyleError::NoActor { style: self.key.clone(), actor: id.to_string() })?;
        let name = find_name(kb, actor, form).ok_or_else(|| StyleError::NoName {
            style: self.key.clone(),
            actor: id.to_string(),
            form: form.to_string(),
        })?;
        self.prefer.insert(actor, Preference { name, allow: Vec::new(), source: Some("per-actor override".into()) });
        Ok(())
    }

    /// An empty custom style, to be filled with overrides.
    pub fn custom() -> HouseStyle {
        HouseStyle { key: "custom".into(), name: "custom style".into(), prefer: HashMap::new() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_resolves_against_the_builtin_knowledge_base() {
        let kb = KnowledgeBase::builtin().unwrap();
        let keys = preset_keys();
        assert_eq!(keys, vec!["ap", "bbc", "guardian", "nyt", "reuters"]);
        for key in keys {
            let style = HouseStyle::preset(&kb, &key).unwrap();
            assert!(!style.prefer.is_empty());
        }
        let g = HouseStyle::preset(&kb, "guardian").unwrap();
        let is = kb.by_id("islamic-state").unwrap();
        assert_eq!(kb.name(g.prefer[&is].name).text, "Isis");
    }

    #[test]
    fn overrides_and_errors() {
        let kb = KnowledgeBase::builtin().unwrap();
        let mut s = HouseStyle::preset(&kb, "ap").unwrap();
        s.override_with(&kb, "islamic-state=ISIS").unwrap();
        assert_eq!(kb.name(s.prefer[&kb.by_id("islamic-state").unwrap()].name).text, "ISIS");
        assert!(matches!(s.override_with(&kb, "islamic-state=Hamas"), Err(StyleError::NoName { .. })));
        assert!(matches!(s.override_with(&kb, "nobody=X"), Err(StyleError::NoActor { .. })));
        assert!(matches!(s.override_with(&kb, "oops"), Err(StyleError::Override(_))));
        assert!(matches!(HouseStyle::preset(&kb, "times"), Err(StyleError::Unknown(..))));
    }
}
