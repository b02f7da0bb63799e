//! Scoring the naming rules against `../shared/eval/syria-dev-naming.json`: per article and actor,
//! does the story mix naming families, and does it spell one name in several ways? (Labels and
//! their rules: `../shared/eval/GUIDELINES.md`.)

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use frontline::analysis::findings::{MIXED_NAMES, VARIANT_SPELLING};
use frontline::analysis::{analyze, Settings};
use frontline::kb::{ActorId, KnowledgeBase};
use frontline::text::markdown::Flavor;
use serde_json::Value;

/// Counts for one rule.
#[derive(Debug, Default, Clone, Copy)]
pub struct Score {
    pub tp: usize,
    pub fp: usize,
    pub fn_: usize,
}

impl Score {
    pub fn precision(&self) -> f64 {
        if self.tp + self.fp == 0 {
            1.0
        } else {
            self.tp as f64 / (self.tp + self.fp) as f64
        }
    }

    pub fn recall(&self) -> f64 {
        if self.tp + self.fn_ == 0 {
            1.0
        } else {
            self.tp as f64 / (self.tp + self.fn_) as f64
        }
    }
}

pub struct Report {
    pub files: usize,
    pub actors: usize,
    pub unmapped: Vec<String>,
    pub mixed: Score,
    pub variant: Score,
    /// Disagreements, one line each.
    pub misses: Vec<String>,
}

fn actor_by_name(kb: &KnowledgeBase, name: &str) -> Option<ActorId> {
    let hits = kb.search(name);
    hits.into_iter().find(|&id| kb.actor(id).names.iter().any(|n| n.text.eq_ignore_ascii_case(name)))
}

/// Runs the evaluation. `shared` is the `shared` folder.
pub fn run(shared: &Path) -> Result<Report, String> {
    let path = shared.join("eval/syria-dev-naming.json");
    let data: Value =
        serde_json::from_str(&std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?)
            .map_err(|e| format!("{}: {e}", path.display()))?;
    let kb = KnowledgeBase::builtin().map_err(|e| e.to_string())?;
    let mut report = Report {
        files: 0,
        actors: 0,
        unmapped: Vec::new(),
        mixed: Score::default(),
        variant: Score::default(),
        misses: Vec::new(),
    };
    for entry in data.as_array().ok_or("expected an array")? {
        let file = entry["file"].as_str().ok_or("entry without file")?;
        let text = std::fs::read_to_string(shared.join(file)).map_err(|e| format!("{file}: {e}"))?;
        let analysis = analyze(&kb, &text, &Settings::new(Flavor::Plain));
        report.files += 1;
        // What we flag, per actor.
        let mut flagged: HashMap<ActorId, BTreeSet<&str>> = HashMap::new();
        for f in &analysis.findings {
            if f.rule != MIXED_NAMES && f.rule != VARIANT_SPELLING {
                continue;
            }
            if let Some(m) = analysis.mentions().iter().find(|m| m.range == f.range) {
                flagged.entry(m.actor()).or_default().insert(f.rule.code);
            }
        }
        let mut gold_actors: Vec<ActorId> = Vec::new();
        for a in entry["actors"].as_array().ok_or("actors")? {
            let name = a["actor"].as_str().unwrap_or_default();
            let verdict = a["verdict"].as_str().unwrap_or_default();
            report.actors += 1;
            let Some(id) = actor_by_name(&kb, name) else {
                report.unmapped.push(format!("{file}: {name}"));
                // An actor we do not know cannot be flagged: count its positives as misses.
                if verdict != "consistent" {
                    report.misses.push(format!("{file}: {name}: gold {verdict}, actor unknown"));
                }
                for (rule, score) in [("mixed-names", &mut report.mixed), ("variant-spelling", &mut report.variant)] {
                    if verdict == rule || verdict == "both" {
                        score.fn_ += 1;
                    }
                }
                continue;
            };
            gold_actors.push(id);
            let ours = flagged.get(&id).cloned().unwrap_or_default();
            for (rule, code, score) in [
                ("mixed-names", MIXED_NAMES.code, &mut report.mixed),
                ("variant-spelling", VARIANT_SPELLING.code, &mut report.variant),
            ] {
                let gold = verdict == rule || verdict == "both";
                let pred = ours.contains(code);
                match (gold, pred) {
                    (true, true) => score.tp += 1,
                    (false, true) => {
                        score.fp += 1;
                        report.misses.push(format!("{file}: {name}: flagged {rule}, gold {verdict}"));
                    }
                    (true, false) => {
                        score.fn_ += 1;
                        report.misses.push(format!("{file}: {name}: missed {rule}"));
                    }
                    (false, false) => {}
                }
            }
        }
        // Actors we flag that the labels do not list at all are false alarms too.
        for (id, codes) in &flagged {
            if gold_actors.contains(id) {
                continue;
            }
            for code in codes {
                let score = if *code == MIXED_NAMES.code { &mut report.mixed } else { &mut report.variant };
                score.fp += 1;
                report.misses.push(format!("{file}: {}: flagged {code}, not in the labels", kb.actor(*id).name()));
            }
        }
    }
    Ok(report)
}
