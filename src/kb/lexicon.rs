//! Lexicons: the cue phrases of the attribution rules, kept as data files beside this module
//! (`lexicons/*.txt`: `[class]` headers, one phrase a line, `#` comments). The matcher compiles
//! them into the automaton of actor names ([`super::matcher`]), so that one walk over a text finds
//! both.
//!
//! Phrases match as whole words under the same folding as actor names (any case, apostrophe style,
//! hyphen or space). A match that lies strictly inside a longer match is dropped, so "said" in "is
//! said to" is a hedge, not a speech verb; one phrase may belong to several classes ("accused" is
//! both an accusation and a speech verb).

use std::ops::Range;
use std::sync::OnceLock;

use crate::text::fold::FoldedSet;

/// A cue class: which list a phrase comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Class {
    CasualtyWord,
    Battlefield,
    Accusation,
    Atrocity,
    Quantity,
    Background,
    Speech,
    TopicShift,
    Hedge,
    Weasel,
    VagueSource,
    Pronoun,
    Role,
    Modal,
    VagueQuantity,
    Puffery,
}

impl Class {
    fn parse(name: &str) -> Option<Class> {
        Some(match name {
            "casualty-word" => Class::CasualtyWord,
            "battlefield" => Class::Battlefield,
            "accusation" => Class::Accusation,
            "atrocity" => Class::Atrocity,
            "quantity" => Class::Quantity,
            "background" => Class::Background,
            "speech" => Class::Speech,
            "topic-shift" => Class::TopicShift,
            "hedge" => Class::Hedge,
            "weasel" => Class::Weasel,
            "vague-source" => Class::VagueSource,
            "pronoun" => Class::Pronoun,
            "role" => Class::Role,
            "modal" => Class::Modal,
            "vague-quantity" => Class::VagueQuantity,
            "puffery" => Class::Puffery,
            _ => return None,
        })
    }
}

/// The shipped lexicon files.
pub const FILES: &[(&str, &str)] = &[
    ("claims.txt", include_str!("lexicons/claims.txt")),
    ("attribution.txt", include_str!("lexicons/attribution.txt")),
    ("hedges.txt", include_str!("lexicons/hedges.txt")),
    ("sources.txt", include_str!("lexicons/sources.txt")),
    ("style.txt", include_str!("lexicons/style.txt")),
];

/// A set of classes, one bit each.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Classes(u32);

impl Classes {
    fn with(self, c: Class) -> Classes {
        Classes(self.0 | 1 << c as u32)
    }

    pub fn contains(self, c: Class) -> bool {
        self.0 & 1 << c as u32 != 0
    }
}

/// A phrase found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cue {
    pub range: Range<usize>,
    pub classes: Classes,
}

impl Cue {
    pub fn is(&self, c: Class) -> bool {
        self.classes.contains(c)
    }
}

/// The lexicons' phrases, folded, each once with all its classes.
#[derive(Debug)]
pub struct Lexicon {
    patterns: Vec<String>,
    classes: Vec<Classes>,
}

/// Parses one lexicon file into (phrase, class) pairs; errors name the file and line.
pub fn parse(name: &str, text: &str) -> Result<Vec<(String, Class)>, String> {
    let mut class = None;
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        if let Some(h) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            class = Some(Class::parse(h).ok_or_else(|| format!("{name}:{}: unknown class [{h}]", n + 1))?);
            continue;
        }
        let c = class.ok_or_else(|| format!("{name}:{}: phrase before any [class] header", n + 1))?;
        out.push((line.to_string(), c));
    }
    Ok(out)
}

impl Lexicon {
    pub fn new(entries: &[(String, Class)]) -> Lexicon {
        let mut set = FoldedSet::default();
        let mut classes: Vec<Classes> = Vec::new();
        for (phrase, class) in entries {
            let Some(slot) = set.insert(phrase) else { continue };
            if slot == classes.len() {
                classes.push(Classes::default());
            }
            classes[slot] = classes[slot].with(*class);
        }
        let patterns = set.into_phrases();
        Lexicon { patterns, classes }
    }

    /// The shipped lexicons, parsed once.
    pub fn builtin() -> &'static Lexicon {
        static LEX: OnceLock<Lexicon> = OnceLock::new();
        LEX.get_or_init(|| {
            let mut entries = Vec::new();
            for (name, text) in FILES {
                // The shipped files are checked by a unit test; a bad line here is a build defect.
                entries.extend(parse(name, text).unwrap_or_default());
            }
            Lexicon::new(&entries)
        })
    }

    /// The folded phrases; phrase `i` has the classes `classes(i)`.
    pub fn patterns(&self) -> &[String] {
        &self.patterns
    }

    pub fn classes(&self, i: usize) -> Classes {
        self.classes[i]
    }
}

/// Cues found as whole words (in any order, overlapping ones too) put in text order, with those
/// that lie strictly inside a longer one dropped.
pub fn outermost(mut found: Vec<Cue>) -> Vec<Cue> {
    found.sort_by(|a, b| a.range.start.cmp(&b.range.start).then(b.range.end.cmp(&a.range.end)));
    let mut out: Vec<Cue> = Vec::with_capacity(found.len());
    for c in found {
        let inside = out
            .iter()
            .rev()
            .take(8)
            .any(|o| o.range.start <= c.range.start && c.range.end <= o.range.end && o.range.len() > c.range.len());
        if !inside {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_files_parse() {
        for (name, text) in FILES {
            let entries = parse(name, text).unwrap();
            assert!(entries.len() > 10, "{name}");
        }
    }

    #[test]
    fn parse_errors_name_the_line() {
        assert_eq!(parse("x.txt", "said\n").unwrap_err(), "x.txt:1: phrase before any [class] header");
        assert_eq!(parse("x.txt", "# c\n[nope]\n").unwrap_err(), "x.txt:2: unknown class [nope]");
    }

    #[test]
    fn a_cue_does_not_run_out_of_its_span_and_the_cues_inside_it_are_kept() {
        let kb = crate::kb::KnowledgeBase::builtin().unwrap();
        let t = "There were unverified\nreports of clashes, referring\nto the town.";
        let f = crate::text::fold::Folded::new(t);
        let cues = |within: &[std::ops::Range<usize>]| -> Vec<&str> {
            kb.scan_folded(t, &f, &[], within).1.iter().map(|c| &t[c.range.clone()]).collect()
        };
        // As one span, the phrases run over the line breaks.
        let whole = cues(&[]);
        assert!(whole.contains(&"unverified\nreports") && whole.contains(&"referring\nto"), "{whole:?}");
        assert!(!whole.contains(&"reports"), "{whole:?}");
        // Line by line (plain text's sentences), each line keeps its own cues.
        let lines = [0..21, 22..51, 52..t.len()];
        let split = cues(&lines);
        assert!(split.contains(&"reports"), "{split:?}");
        assert!(split.iter().all(|c| !c.contains('\n')), "{split:?}");
    }

    #[test]
    fn inner_matches_are_dropped_and_classes_merge() {
        let kb = crate::kb::KnowledgeBase::builtin().unwrap();
        let t = "He is said to have been accused. Activists said 12 were killed, reportedly.";
        let f = crate::text::fold::Folded::new(t);
        let cues: Vec<(&str, bool)> =
            kb.scan_folded(t, &f, &[], &[]).1.iter().map(|c| (&t[c.range.clone()], c.is(Class::Speech))).collect();
        assert!(cues.contains(&("is said to", false)));
        assert!(!cues.contains(&("said", true)) || cues.iter().filter(|c| c.0 == "said").count() == 1);
        assert!(cues.contains(&("accused", true)));
        assert!(cues.contains(&("Activists", false)));
        assert!(cues.contains(&("reportedly", false)));
    }
}
