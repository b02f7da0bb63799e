//! Consistency across stories: one actor called by names from different naming families in
//! different stories checked together (`frontline check --cross-story`).
//!
//! Each story is summed up on its own ([`StoryNames::of`]), with the knowledge base and house style
//! it was analysed with: for every actor it names in its own words, the naming family it uses most
//! (ties: the one it uses first), the first mention in that family, and the family its house style
//! prefers for the actor, if any. [`cross_story`] then compares the summaries, matching actors by
//! their knowledge-base id (stories of different projects may have different knowledge bases):
//! the family most stories use is the run's (ties: the one the earliest story uses; when a story's
//! house style prefers a name for the actor, the style's family, the earliest such story's), and
//! every story that uses another family gets an information-level finding (`naming/cross-story`)
//! at its first mention in that family. The summaries own their few strings, so a caller can drop
//! each story's text, and its knowledge base, once it is summed up.

use std::collections::HashMap;
use std::ops::Range;

use super::findings::{Finding, CROSS_STORY};
use super::mentions::Analysis;
use super::naming::counts_as_name;
use super::voice::Voice;
use crate::kb::{ActorId, HouseStyle, KnowledgeBase};

/// What one story says about how one actor is named.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ActorNaming {
    /// The actor's knowledge-base id (`islamic-state`) and canonical name.
    id: String,
    canonical: String,
    family: String,
    /// The family the story's house style prefers for the actor.
    styled: Option<String>,
    /// The first mention in `family`, and how it is written there.
    first: Range<usize>,
    written: String,
}

/// A family a story uses for an actor: its name, how often, and its first mention.
type FamilyUse = (String, usize, Range<usize>);

/// What [`cross_story`] needs of one story.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoryNames {
    actors: Vec<ActorNaming>,
}

impl StoryNames {
    /// Sums up `analysis` of `text`, made with `kb` and `style`: the writer's own mentions that
    /// count as names (not quotations, hashtags, glosses, metonyms or forms that name several
    /// actors).
    pub fn of(kb: &KnowledgeBase, analysis: &Analysis, text: &str, style: Option<&HouseStyle>) -> StoryNames {
        // Per actor, per family: (count, first mention), families in order of first use.
        let mut by_actor: Vec<(ActorId, Vec<FamilyUse>)> = Vec::new();
        for m in analysis.mentions() {
            if m.voice != Voice::Own || !m.others.is_empty() || !counts_as_name(kb, m.name) {
                continue;
            }
            let family = &kb.name(m.name).family;
            let slot = match by_actor.iter().position(|(a, _)| *a == m.actor()) {
                Some(i) => i,
                None => {
                    by_actor.push((m.actor(), Vec::new()));
                    by_actor.len() - 1
                }
            };
            let families = &mut by_actor[slot].1;
            match families.iter_mut().find(|(f, _, _)| f == family) {
                Some(f) => f.1 += 1,
                None => families.push((family.clone(), 1, m.range.clone())),
            }
        }
        let actors = by_actor
            .into_iter()
            .filter_map(|(actor, families)| {
                // The most used family; on a tie, the first used (max_by_key keeps the last maximum).
                let (family, _, first) = families.into_iter().rev().max_by_key(|(_, n, _)| *n)?;
                let written = text.get(first.clone()).unwrap_or_default();
                let written = written.split_whitespace().collect::<Vec<_>>().join(" ");
                let a = kb.actor(actor);
                let styled = style.and_then(|s| s.prefer.get(&actor)).map(|p| kb.name(p.name).family.clone());
                Some(ActorNaming { id: a.id.clone(), canonical: a.name().to_string(), family, styled, first, written })
            })
            .collect();
        StoryNames { actors }
    }

    /// The ranges a cross-story finding may be placed at (to convert them to lines and columns
    /// before the text is dropped).
    pub fn anchors(&self) -> impl Iterator<Item = &Range<usize>> {
        self.actors.iter().map(|a| &a.first)
    }
}

/// At most this many other stories are named in a message.
const NAMED_STORIES: usize = 3;

/// The cross-story findings of each story, in the order of `stories` (each a display name and its
/// summary), sorted by position within each story.
pub fn cross_story(stories: &[(&str, &StoryNames)]) -> Vec<Vec<Finding>> {
    let mut out: Vec<Vec<Finding>> = vec![Vec::new(); stories.len()];
    // Actor id → (story index, its naming), stories in order.
    let mut by_actor: HashMap<&str, Vec<(usize, &ActorNaming)>> = HashMap::new();
    let mut order: Vec<&str> = Vec::new();
    for (i, (_, names)) in stories.iter().enumerate() {
        for a in &names.actors {
            let e = by_actor.entry(a.id.as_str()).or_default();
            if e.is_empty() {
                order.push(&a.id);
            }
            e.push((i, a));
        }
    }
    for actor in order {
        let uses = &by_actor[actor];
        let mut families: Vec<(&str, usize)> = Vec::new();
        for (_, a) in uses {
            match families.iter_mut().find(|(f, _)| *f == a.family) {
                Some(f) => f.1 += 1,
                None => families.push((&a.family, 1)),
            }
        }
        if families.len() < 2 {
            continue;
        }
        let styled = uses.iter().find_map(|(_, a)| a.styled.as_deref());
        // The family most stories use; on a tie, the one used earliest (families are in order).
        let top = families.iter().rev().max_by_key(|(_, n)| *n).map(|(f, _)| *f).unwrap_or_default();
        let main = styled.unwrap_or(top);
        let canonical = &uses[0].1.canonical;
        let others: Vec<String> = uses
            .iter()
            .filter(|(_, a)| a.family == main)
            .map(|(i, a)| format!("{} (`{}`)", stories[*i].0, a.written))
            .collect();
        let listed = if others.len() > NAMED_STORIES {
            format!("{} and {} more", others[..NAMED_STORIES].join(", "), others.len() - NAMED_STORIES)
        } else {
            others.join(", ")
        };
        for (i, a) in uses.iter().filter(|(_, a)| a.family != main) {
            let reference = match (styled, others.is_empty()) {
                (Some(_), true) => format!("the house style prefers the {main} family"),
                (Some(_), false) => format!("the house style prefers the {main} family, as in {listed}"),
                (None, _) => format!("other stories checked with it use the {main} family: {listed}"),
            };
            out[*i].push(Finding {
                rule: CROSS_STORY,
                range: a.first.clone(),
                message: format!("`{}` names {canonical} from the {} naming family; {reference}", a.written, a.family)
                    .into(),
                related: Vec::new().into(),
                fixes: Vec::new().into(),
            });
        }
    }
    for f in &mut out {
        f.sort_by_key(|f| f.range.start);
    }
    out
}

/// [`cross_story`] straight from each story's name, analysis and text, all analysed with `kb` and
/// `style`.
pub fn check(kb: &KnowledgeBase, stories: &[(&str, &Analysis, &str)], style: Option<&HouseStyle>) -> Vec<Vec<Finding>> {
    let names: Vec<StoryNames> = stories.iter().map(|(_, a, t)| StoryNames::of(kb, a, t, style)).collect();
    let pairs: Vec<(&str, &StoryNames)> = stories.iter().zip(&names).map(|((n, _, _), s)| (*n, s)).collect();
    cross_story(&pairs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{analyze, Settings};
    use crate::text::markdown::Flavor;

    fn kb() -> &'static KnowledgeBase {
        static KB: std::sync::OnceLock<KnowledgeBase> = std::sync::OnceLock::new();
        KB.get_or_init(|| KnowledgeBase::builtin().expect("built-in knowledge base"))
    }

    /// (story index, flagged text, message) of every finding.
    fn run(texts: &[&str], style: Option<&HouseStyle>) -> Vec<(usize, String, String)> {
        let analyses: Vec<Analysis> = texts.iter().map(|t| analyze(kb(), t, &Settings::new(Flavor::Plain))).collect();
        let names: Vec<String> = (0..texts.len()).map(|i| format!("{}.md", (b'a' + i as u8) as char)).collect();
        let stories: Vec<(&str, &Analysis, &str)> =
            texts.iter().zip(&analyses).zip(&names).map(|((t, a), n)| (n.as_str(), a, *t)).collect();
        check(kb(), &stories, style)
            .into_iter()
            .enumerate()
            .flat_map(|(i, fs)| {
                fs.into_iter().map(move |f| (i, texts[i][f.range.clone()].to_string(), f.message.to_string()))
            })
            .collect()
    }

    #[test]
    fn the_minority_family_is_reported_where_it_is_first_used() {
        let a = "ISIS fighters entered the town. ISIS held it.";
        let b = "Later the Islamic State left. Islamic State fighters returned.";
        let c = "ISIS struck again.";
        let got = run(&[a, b, c], None);
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].0, 1);
        assert_eq!(got[0].1, "Islamic State");
        assert_eq!(
            got[0].2,
            "`Islamic State` names Islamic State from the is naming family; other stories checked with it use the isis family: a.md (`ISIS`), c.md (`ISIS`)"
        );
        assert_eq!(check(kb(), &[], None), Vec::<Vec<Finding>>::new());
    }

    #[test]
    fn a_tie_goes_to_the_earliest_story_and_one_family_is_quiet() {
        let got = run(&["Daesh attacked.", "The Islamic State attacked."], None);
        assert_eq!(got.iter().map(|(i, t, _)| (*i, t.as_str())).collect::<Vec<_>>(), vec![(1, "Islamic State")]);
        // ISIS and its spelled-out form are one family.
        assert!(run(&["ISIS attacked.", "The Islamic State of Iraq and Syria attacked."], None).is_empty());
        // Quotations and hashtags are someone else's words.
        assert!(run(&["ISIS attacked.", "“The Islamic State will stay,” he said. #IslamicState"], None).is_empty());
    }

    #[test]
    fn actors_are_matched_by_id_across_knowledge_bases() {
        // Stories of different projects are analysed with different knowledge bases.
        let user = (
            "user.json".to_string(),
            r#"{"version": 1, "actors": [{"id": "zz-brigade", "name": "Zz Brigade", "kind": "armed-group", "description": "x"}]}"#
                .to_string(),
        );
        let other = KnowledgeBase::with_files(&[user]).unwrap();
        let (a, b) = ("ISIS attacked.", "The Islamic State attacked.");
        let sa = StoryNames::of(kb(), &analyze(kb(), a, &Settings::new(Flavor::Plain)), a, None);
        let sb = StoryNames::of(&other, &analyze(&other, b, &Settings::new(Flavor::Plain)), b, None);
        let found = cross_story(&[("a.md", &sa), ("b.md", &sb)]);
        assert!(found[0].is_empty());
        assert_eq!(&b[found[1][0].range.clone()], "Islamic State");
    }

    #[test]
    fn a_story_is_summed_up_by_the_family_it_uses_most() {
        // b mixes families (naming/mixed-names speaks for that) but mostly uses the is family.
        let got = run(&["ISIS attacked.", "Islamic State attacked. ISIS fled. Islamic State came back."], None);
        assert_eq!(got.iter().map(|(i, t, _)| (*i, t.as_str())).collect::<Vec<_>>(), vec![(1, "Islamic State")]);
    }

    #[test]
    fn a_house_style_decides_the_family() {
        let mut style = HouseStyle::custom();
        style.override_with(kb(), "islamic-state=Islamic State").unwrap();
        let got = run(&["ISIS attacked.", "ISIS fled.", "The Islamic State group came back."], Some(&style));
        assert_eq!(got.iter().map(|(i, t, _)| (*i, t.as_str())).collect::<Vec<_>>(), vec![(0, "ISIS"), (1, "ISIS")]);
        assert!(
            got[0].2.ends_with("the house style prefers the is family, as in c.md (`Islamic State group`)"),
            "{}",
            got[0].2
        );
        // No story uses the style's family: each other family is reported.
        let got = run(&["ISIS attacked.", "Daesh fled."], Some(&style));
        assert_eq!(got.len(), 2);
        assert!(got[1].2.ends_with("the house style prefers the is family"), "{}", got[1].2);
    }
}
