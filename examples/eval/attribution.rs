//! Scoring the attribution rules:
//! - `../shared/eval/syria-dev.jsonl`: sentence labels (claim, source, window) on the seeds and 15
//!   FA-KES articles; precision, recall and F1 per code group;
//! - `../shared/eval-data/conll2010-wiki/train`: CoNLL-2010 Wikipedia weasel/uncertainty sentences
//!   (train split only; the test split is never read); F1 of the uncertain class;
//! - `../shared/eval-data/polnear/{train,dev}`: news attribution relations; the share of
//!   attributed sentences we flag anyway, and the share of annotated cues we find.

use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;

use frontline::analysis::{analyze, Analysis, Settings};
use frontline::kb::KnowledgeBase;
use frontline::text::markdown::Flavor;
use frontline::text::sentences::sentences;
use serde_json::Value;

use super::naming::Score;

pub const WARNINGS: &[&str] =
    &["attribution/unsourced-claim", "attribution/hedged", "attribution/weasel", "attribution/unsourced-quote"];

fn f1(s: &Score) -> f64 {
    let (p, r) = (s.precision(), s.recall());
    if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    }
}

pub struct Group {
    pub name: &'static str,
    pub score: Score,
}

pub struct SyriaReport {
    pub rows: usize,
    pub groups: Vec<Group>,
    pub misses: Vec<String>,
}

fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    a.start < b.end && b.start < a.end
}

/// Sentence labels of the Syria dev set against our findings.
pub fn syria(shared: &Path) -> Result<SyriaReport, String> {
    let kb = KnowledgeBase::builtin().map_err(|e| e.to_string())?;
    let path = shared.join("eval/syria-dev.jsonl");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let rows: Vec<Value> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(serde_json::from_str)
        .collect::<Result<_, _>>()
        .map_err(|e| e.to_string())?;
    let mut analyses: HashMap<String, (String, Analysis)> = HashMap::new();
    let names = ["unsourced-claim", "hedged", "weasel", "unsourced-quote", "all warnings", "vague-source"];
    let mut scores = vec![Score::default(); names.len()];
    let mut misses = Vec::new();
    for row in &rows {
        let file = row["file"].as_str().unwrap_or_default().to_string();
        if !analyses.contains_key(&file) {
            let t = std::fs::read_to_string(shared.join(&file)).map_err(|e| format!("{file}: {e}"))?;
            let a = analyze(&kb, &t, &Settings::new(Flavor::Plain));
            analyses.insert(file.clone(), (t, a));
        }
        let (_, a) = &analyses[&file];
        let range = row["start"].as_u64().unwrap_or(0) as usize..row["end"].as_u64().unwrap_or(0) as usize;
        let codes: Vec<&str> = a.findings.iter().filter(|f| overlaps(&f.range, &range)).map(|f| f.code()).collect();
        let claim = row["claim"].as_str().unwrap_or("none");
        let source = row["source"].as_str().unwrap_or("n/a");
        let gold = [
            matches!(claim, "casualty" | "contested") && source == "none",
            claim == "hedged" && source != "named",
            claim == "weasel",
            claim == "quote" && source == "none",
            false,
            source == "vague" && matches!(claim, "casualty" | "contested" | "quote"),
        ];
        let mut gold = gold;
        gold[4] = gold[..4].iter().any(|g| *g);
        let pred = [
            codes.contains(&"attribution/unsourced-claim"),
            codes.contains(&"attribution/hedged"),
            codes.contains(&"attribution/weasel"),
            codes.contains(&"attribution/unsourced-quote"),
            codes.iter().any(|c| WARNINGS.contains(c)),
            codes.contains(&"attribution/vague-source"),
        ];
        for i in 0..names.len() {
            match (gold[i], pred[i]) {
                (true, true) => scores[i].tp += 1,
                (false, true) => {
                    scores[i].fp += 1;
                    if i == 4 {
                        misses.push(format!(
                            "FP {file}:{}: [{claim}/{source}] {}",
                            range.start,
                            short(row["text"].as_str().unwrap_or(""))
                        ));
                    }
                }
                (true, false) => {
                    scores[i].fn_ += 1;
                    if i == 4 {
                        misses.push(format!(
                            "FN {file}:{}: [{claim}/{source}] {}",
                            range.start,
                            short(row["text"].as_str().unwrap_or(""))
                        ));
                    }
                }
                (false, false) => {}
            }
        }
    }
    let groups = names.iter().zip(scores).map(|(n, s)| Group { name: n, score: s }).collect();
    Ok(SyriaReport { rows: rows.len(), groups, misses })
}

fn short(s: &str) -> String {
    let s: String = s.chars().take(140).collect();
    s.replace('\n', " ")
}

/// CoNLL-2010 Wikipedia train: is the sentence flagged as hedged, weasel or vague?
pub fn conll(shared: &Path) -> Result<(Score, usize), String> {
    let kb = KnowledgeBase::builtin().map_err(|e| e.to_string())?;
    let path = shared.join("eval-data/conll2010-wiki/train/conll2010_wiki_train_partial.tsv");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut s = Score::default();
    let mut n = 0;
    for line in text.lines().skip(1) {
        let Some((label, sentence)) = line.split_once('\t') else { continue };
        if sentence.trim().is_empty() {
            continue;
        }
        n += 1;
        let gold = label.trim() == "1";
        let a = analyze(&kb, sentence, &Settings::new(Flavor::Plain));
        let pred =
            a.findings.iter().any(|f| matches!(f.code(), "attribution/hedged" | "attribution/weasel" | "style/vague"));
        match (gold, pred) {
            (true, true) => s.tp += 1,
            (false, true) => s.fp += 1,
            (true, false) => s.fn_ += 1,
            _ => {}
        }
    }
    Ok((s, n))
}

pub struct PolnearReport {
    pub articles: usize,
    pub attributed_sentences: usize,
    pub flagged_attributed: usize,
    pub cues: usize,
    pub cues_found: usize,
}

pub fn polnear(shared: &Path, split: &str) -> Result<PolnearReport, String> {
    let kb = KnowledgeBase::builtin().map_err(|e| e.to_string())?;
    let dir = shared.join("eval-data/polnear").join(split);
    let mut anns: Vec<_> = std::fs::read_dir(dir.join("attributions"))
        .map_err(|e| e.to_string())?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    anns.sort();
    // One annotation file per article: the first by name.
    let mut chosen: HashMap<String, std::path::PathBuf> = HashMap::new();
    for p in anns {
        let stem = p.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_string();
        let article = stem.rsplit_once('_').map_or(stem.clone(), |(a, _)| a.to_string());
        chosen.entry(article).or_insert(p);
    }
    let mut r = PolnearReport { articles: 0, attributed_sentences: 0, flagged_attributed: 0, cues: 0, cues_found: 0 };
    let mut articles: Vec<_> = chosen.into_iter().collect();
    articles.sort();
    for (article, ann) in articles {
        let text =
            std::fs::read_to_string(dir.join("text").join(format!("{article}.txt"))).map_err(|e| e.to_string())?;
        let ann = std::fs::read_to_string(&ann).map_err(|e| e.to_string())?;
        // Code-point offsets to bytes, computed once.
        let mut cp_to_byte: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
        cp_to_byte.push(text.len());
        let conv = |cp: usize| cp_to_byte.get(cp).copied().unwrap_or(text.len());
        let mut spans: HashMap<String, (String, Vec<Range<usize>>)> = HashMap::new();
        let mut events: Vec<HashMap<String, String>> = Vec::new();
        for line in ann.lines() {
            let mut parts = line.split('\t');
            let (Some(id), Some(body)) = (parts.next(), parts.next()) else { continue };
            if id.starts_with('T') {
                let (label, offs) = body.split_once(' ').unwrap_or((body, ""));
                let ranges = offs
                    .split(';')
                    .filter_map(|p| {
                        let (a, b) = p.trim().split_once(' ')?;
                        Some(conv(a.parse().ok()?)..conv(b.parse().ok()?))
                    })
                    .collect();
                spans.insert(id.to_string(), (label.to_string(), ranges));
            } else if id.starts_with('E') {
                let roles = body
                    .split_whitespace()
                    .skip(1)
                    .filter_map(|r| r.split_once(':'))
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect();
                events.push(roles);
            }
        }
        let a = analyze(&kb, &text, &Settings::new(Flavor::Plain));
        r.articles += 1;
        let contents: Vec<Range<usize>> = events
            .iter()
            .filter(|e| e.contains_key("Cue"))
            .flat_map(|e| {
                ["Content", "Content2"]
                    .iter()
                    .filter_map(|k| e.get(*k))
                    .flat_map(|t| spans.get(t).map(|s| s.1.clone()).unwrap_or_default())
                    .collect::<Vec<_>>()
            })
            .collect();
        for s in sentences(&text, Flavor::Plain) {
            if !contents.iter().any(|c| overlaps(c, &s)) {
                continue;
            }
            r.attributed_sentences += 1;
            if a.findings.iter().any(|f| WARNINGS.contains(&f.code()) && overlaps(&f.range, &s)) {
                r.flagged_attributed += 1;
            }
        }
        let anchors = a.anchors();
        for e in &events {
            let Some(cue) = e.get("Cue").and_then(|t| spans.get(t)) else { continue };
            if e.get("Content").is_none() {
                continue;
            }
            r.cues += 1;
            if cue.1.iter().any(|c| anchors.iter().any(|an| overlaps(&an.cue, c))) {
                r.cues_found += 1;
            }
        }
    }
    Ok(r)
}

pub fn print_f1(s: &Score) -> String {
    format!("{:.2} | {:.2} | {:.2}", s.precision(), s.recall(), f1(s))
}
