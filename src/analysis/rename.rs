//! Renaming an actor in a story: which mention the cursor is on, whether the new name is one of
//! that actor's names, and the edits that put it in place of every mention in the writer's own
//! voice (quotations, hashtags, glosses and clutter keep the words as they were written).

use std::ops::Range;

use super::findings::Edit;
use super::mentions::{Analysis, Mention};
use super::voice::Voice;
use crate::kb::{ActorId, KnowledgeBase};
use crate::text::fold::fold_str;

/// Why a rename cannot be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RenameError {
    /// The cursor is not on a mention of an actor.
    NotAMention,
    /// The mention is someone else's words (a quotation, a hashtag, a gloss, clutter).
    NotOwnVoice(Voice),
    /// The new name is not one of the actor's names.
    NotAName { new: String, actor: String },
}

impl std::fmt::Display for RenameError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RenameError::NotAMention => write!(f, "no actor is named here"),
            RenameError::NotOwnVoice(v) => {
                let whose = match v {
                    Voice::Quoted => "inside a quotation",
                    Voice::Tagged => "a hashtag or handle",
                    Voice::Gloss => "a gloss introducing another name",
                    Voice::Clutter => "web-page clutter",
                    Voice::Own => "the writer's own words",
                };
                write!(f, "this name is {whose}: it stays as written; rename from a mention in your own words")
            }
            RenameError::NotAName { new, actor } => write!(
                f,
                "`{new}` is not a name of {actor} in the knowledge base; the \"Add as alias\" code action adds it"
            ),
        }
    }
}

impl std::error::Error for RenameError {}

/// A rename worked out: the actor, the name as the knowledge base spells it, and the edits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rename {
    pub actor: ActorId,
    pub name: String,
    /// One edit per own-voice mention not already spelled exactly so, in text order.
    pub edits: Vec<Edit>,
}

/// The mention a rename at byte offset `at` starts from: one in the writer's own voice.
pub fn target(analysis: &Analysis, at: usize) -> Result<Mention, RenameError> {
    let m = analysis.mention_at(at).ok_or(RenameError::NotAMention)?;
    if m.voice != Voice::Own {
        return Err(RenameError::NotOwnVoice(m.voice));
    }
    Ok(m)
}

/// The knowledge base's spelling of `new` if it is a name of `actor` (compared folded; an exact
/// match wins over a folded one).
pub fn name_of<'a>(kb: &'a KnowledgeBase, actor: ActorId, new: &str) -> Option<&'a str> {
    let names = &kb.actor(actor).names;
    let new = new.trim();
    if let Some(n) = names.iter().find(|n| n.text == new) {
        return Some(&n.text);
    }
    let folded = fold_str(new);
    if folded.is_empty() {
        return None;
    }
    names.iter().find(|n| fold_str(&n.text) == folded).map(|n| n.text.as_str())
}

/// The ranges of the mentions of `actor` that a rename changes: those in the writer's own voice.
pub fn own_mentions(analysis: &Analysis, actor: ActorId) -> impl Iterator<Item = Range<usize>> + '_ {
    analysis.mentions_of(actor).filter(|m| m.voice == Voice::Own).map(|m| m.range.clone())
}

/// Renames the actor under byte offset `at` to `new` throughout `text`'s own-voice mentions.
pub fn rename(
    kb: &KnowledgeBase,
    analysis: &Analysis,
    text: &str,
    at: usize,
    new: &str,
) -> Result<Rename, RenameError> {
    let m = target(analysis, at)?;
    let actor = m.actor();
    let name = name_of(kb, actor, new)
        .ok_or_else(|| RenameError::NotAName {
            new: new.trim().to_string(),
            actor: kb.actor(actor).name().to_string(),
        })?
        .to_string();
    let edits = own_mentions(analysis, actor)
        .filter(|r| text.get(r.clone()) != Some(name.as_str()))
        .map(|range| Edit { range, text: name.clone().into() })
        .collect();
    Ok(Rename { actor, name, edits })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{analyze, Settings};
    use crate::text::markdown::Flavor;

    fn kb() -> KnowledgeBase {
        KnowledgeBase::builtin().unwrap()
    }

    fn apply(text: &str, edits: &[Edit]) -> String {
        let mut out = text.to_string();
        for e in edits.iter().rev() {
            out.replace_range(e.range.clone(), &e.text);
        }
        out
    }

    #[test]
    fn renames_own_words_and_leaves_quotes_and_glosses() {
        let kb = kb();
        let text = "The Islamic State, also known as ISIS, took the town. ISIL fighters stayed. \
                    “ISIS will win,” one said. Later ISIS left.";
        let a = analyze(&kb, text, &Settings::new(Flavor::Plain));
        let at = text.find("ISIL").unwrap() + 1;
        let r = rename(&kb, &a, text, at, "islamic state").unwrap();
        assert_eq!(r.name, "Islamic State");
        assert_eq!(
            apply(text, &r.edits),
            "The Islamic State, also known as ISIS, took the town. Islamic State fighters stayed. \
             “ISIS will win,” one said. Later Islamic State left."
        );
    }

    #[test]
    fn refuses_names_of_others_and_non_mentions() {
        let kb = kb();
        let text = "ISIS attacked. “ISIS is here,” he said.";
        let a = analyze(&kb, text, &Settings::new(Flavor::Plain));
        let e = rename(&kb, &a, text, 1, "Hezbollah").unwrap_err();
        assert!(matches!(&e, RenameError::NotAName { actor, .. } if actor == "Islamic State"), "{e:?}");
        assert!(e.to_string().contains("Add as alias"), "{e}");
        assert_eq!(rename(&kb, &a, text, text.find("attacked").unwrap() + 2, "ISIL"), Err(RenameError::NotAMention));
        let quoted = text.rfind("ISIS").unwrap() + 1;
        assert_eq!(rename(&kb, &a, text, quoted, "ISIL"), Err(RenameError::NotOwnVoice(Voice::Quoted)));
    }

    #[test]
    fn exact_spelling_wins_over_folded() {
        let kb = kb();
        let isis = kb.search("ISIS")[0];
        assert_eq!(name_of(&kb, isis, "ISIL"), Some("ISIL"));
        assert_eq!(name_of(&kb, isis, "  isil "), Some("ISIL"));
        assert_eq!(name_of(&kb, isis, ""), None);
        assert_eq!(name_of(&kb, isis, "Hamas"), None);
    }
}
