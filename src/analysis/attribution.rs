//! Attribution: who says each contested claim, and whether the story tells the reader.
//!
//! 1. The text is split into paragraphs and sentences ([`crate::text::sentences`]).
//! 2. Cue phrases from the lexicons ([`crate::kb::lexicon`]) mark claims (casualty figures, battlefield
//!    gains, accusations, atrocities), hedges, weasel words and attribution anchors (speech and
//!    report verbs, "according to").
//! 3. Each anchor's **source** is the phrase next to it, graded *named* (a known actor, a proper
//!    name), *described* (a single specific person: "a senior US official", "a nurse at the Douma
//!    hospital"), *vague* (activists, sources, officials, reports, footage) or, for a pronoun or "the
//!    group", the grade of the last source in the paragraph.
//! 4. A claim is attributed when an anchor lies in its **window**: the same sentence; up to three
//!    sentences back in the same paragraph, unless a topic shift ("Meanwhile", "However") intervenes;
//!    or the next sentence (a quotation followed by "…, he said.").
//! 5. Someone else's words are theirs: sentences inside block quotes and embedded posts, and inside
//!    an attributed quotation, are not flagged.
//!
//! A sentence preceded by the comment `<!-- frontline: witnessed -->` is the reporter's own
//! observation and is not checked.

use std::ops::Range;

use super::findings::{
    sort_in_text_order, Chunked, Edit, Finding, Fix, Rule, HEDGED, STYLE_VAGUE, UNSOURCED_CLAIM, UNSOURCED_QUOTE,
    VAGUE_SOURCE, WEASEL,
};
use super::levels::Levels;
use super::mentions::Mention;
use super::voice::Voice;
use crate::kb::lexicon::{Class, Cue};
use crate::kb::{ActorKind, KnowledgeBase};
use crate::text::fold::lowercase_in;
use crate::text::markdown::overlaps;
use crate::text::quotes::{Quote, QuoteKind};
use crate::text::Changed;

/// How well a source is identified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Grade {
    /// No source.
    None,
    /// A crowd or an unidentified channel: activists, sources, officials, reports, footage.
    Vague,
    /// A single specific person or body described but not named.
    Described,
    /// A named person, organisation, outlet or government.
    Named,
}

/// An attribution found in the text: the cue, the source phrase and its grade.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anchor {
    pub cue: Range<usize>,
    pub source: Option<Range<usize>>,
    pub grade: Grade,
}

/// The comment that marks a sentence as witnessed by the reporter.
pub const WITNESSED: &str = "<!-- frontline: witnessed -->";

/// The claim a sentence makes, by precedence: quote > weasel > hedged > casualty > contested.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Claim {
    Quote,
    Weasel,
    Hedged,
    Casualty,
    Contested,
}

struct Sentence {
    range: Range<usize>,
    paragraph: usize,
    /// Indices into the cue list.
    cues: Range<usize>,
}

const NUMBER_WORDS: &[&str] = &[
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
    "thirty",
    "forty",
    "fifty",
    "sixty",
    "seventy",
    "eighty",
    "ninety",
    "hundred",
    "thousand",
    "million",
    "dozen",
    "dozens",
    "scores",
    "hundreds",
    "thousands",
    "tens",
];

/// Words that cannot make a source phrase on their own.
const FUNCTION_WORDS: &[&str] = &[
    "when",
    "while",
    "as",
    "if",
    "but",
    "and",
    "so",
    "because",
    "that",
    "then",
    "since",
    "after",
    "before",
    "although",
    "though",
    "also",
    "not",
    "never",
    "this",
    "which",
    "who",
    "what",
    "where",
    "amid",
    "increased",
];

/// A word every phrase of [`TOPIC_SHIFT_START`] contains (a test checks it).
const TOPIC_SHIFT_HINTS: [&str; 5] = ["meanwhile", "elsewhere", "separately", "however", "other"];

const TOPIC_SHIFT_START: &[&str] = &[
    "meanwhile",
    "elsewhere",
    "separately",
    "however",
    "in other news",
    "on the other hand",
    "in another development",
];

/// Words of a sentence with their byte ranges.
fn words(text: &str, range: &Range<usize>) -> Vec<Range<usize>> {
    words_in(text, range).collect()
}

/// [`words`], one at a time (most rules stop at the first few).
fn words_in<'t>(text: &'t str, range: &Range<usize>) -> impl Iterator<Item = Range<usize>> + 't {
    let (base, end) = (range.start, range.end);
    let mut chars = text[range.clone()].char_indices();
    let mut start = None;
    let mut done = false;
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        for (i, c) in chars.by_ref() {
            let at = base + i;
            if c.is_alphanumeric()
                || c == '\''
                || c == '’'
                || (c == ',' && start.is_some() && text[at + 1..].starts_with(|d: char| d.is_ascii_digit()))
            {
                start.get_or_insert(at);
            } else if let Some(s) = start.take() {
                return Some(s..at);
            }
        }
        done = true;
        start.take().map(|s| s..end)
    })
}

fn is_number(word: &str) -> bool {
    word.chars().next().is_some_and(|c| c.is_ascii_digit())
        || NUMBER_WORDS.contains(&&*crate::text::fold::lowercase_in(word, &mut [0u8; 32]))
}

/// The clause boundary characters that end a source phrase.
fn boundary(c: char) -> bool {
    matches!(c, ',' | ';' | ':' | '“' | '”' | '"' | '(' | ')' | '—' | '–' | '.' | '!' | '?' | '\n' | '\r')
}

/// The source phrase before a cue: back to the last clause boundary within the sentence. When the
/// cue follows an appositive ("Khaled Khoja, the president of …, accused"), the subject before it.
fn phrase_before(text: &str, sentence: &Range<usize>, cue: &Range<usize>) -> Option<Range<usize>> {
    let seg = &text[sentence.start..cue.start];
    if seg.trim_end().ends_with(',') {
        let first = seg.find(',').unwrap_or(0);
        if first > 0 && seg[..first].split_whitespace().count() <= 6 {
            let ws = words(text, &(sentence.start..sentence.start + first));
            return ws.first().map(|w| w.start..ws[ws.len() - 1].end);
        }
    }
    let start = seg
        .rfind(boundary)
        .map_or(sentence.start, |p| sentence.start + p + seg[p..].chars().next().map_or(1, char::len_utf8));
    let s = &text[start..cue.start];
    let trimmed = s.trim();
    if trimmed.is_empty() {
        return None;
    }
    // Keep at most the last ten words.
    let ws = words(text, &(start..cue.start));
    let first = ws.len().saturating_sub(10);
    ws.get(first).map(|w| w.start..ws[ws.len() - 1].end)
}

/// The source phrase after a cue: up to the next clause boundary (at most ten words).
fn phrase_after(text: &str, sentence: &Range<usize>, cue: &Range<usize>) -> Option<Range<usize>> {
    let seg = &text[cue.end..sentence.end];
    let end = seg.find(boundary).map_or(sentence.end, |p| cue.end + p);
    let ws = words(text, &(cue.end..end));
    let ws = &ws[..ws.len().min(10)];
    (!ws.is_empty()).then(|| ws[0].start..ws[ws.len() - 1].end)
}

struct Ctx<'a> {
    kb: &'a KnowledgeBase,
    text: &'a str,
    mentions: &'a [Mention],
    cues: &'a [Cue],
}

impl Ctx<'_> {
    /// Mentions that start inside `r` (mentions are sorted by start).
    fn mentions_in(&self, r: &Range<usize>) -> &[Mention] {
        let a = self.mentions.partition_point(|m| m.range.start < r.start);
        let b = self.mentions.partition_point(|m| m.range.start < r.end);
        &self.mentions[a..b.max(a)]
    }

    fn cues_in(&self, r: &Range<usize>) -> &[Cue] {
        let a = self.cues.partition_point(|c| c.range.start < r.start);
        let b = self.cues.partition_point(|c| c.range.start < r.end);
        &self.cues[a..b.max(a)]
    }

    /// Grades a source phrase (`None` for a pronoun or back-reference, resolved by the caller).
    fn grade(&self, phrase: &Range<usize>, sentence_start: usize) -> Option<Grade> {
        let p = &self.text[phrase.clone()];
        let mut buf = [0u8; 128];
        let lower = lowercase_in(p, &mut buf);
        let mut ws = lower.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty());
        // The first word, and whether there are at most two.
        let (first, few) = (ws.next(), ws.nth(1).is_none());
        let cues = self.cues_in(phrase);
        // A known actor (not a place, unless a capital speaks for its government) names the source.
        let actor = self.mentions_in(phrase).iter().any(|m| {
            m.range.end <= phrase.end && m.voice != Voice::Quoted && self.kb.actor(m.actor()).kind != ActorKind::Place
        });
        let pronoun = cues.iter().any(|c| c.is(Class::Pronoun) && c.range.start <= phrase.start + 4)
            || first.is_some_and(|w| ["he", "she", "they", "it", "we", "i"].contains(&w)) && few;
        let vague = cues.iter().any(|c| c.is(Class::VagueSource));
        let role = cues.iter().any(|c| c.is(Class::Role));
        let singular_article = first.is_some_and(|w| ["a", "an", "one"].contains(&w));
        // A capitalised word that is not the sentence's first word is a proper name.
        let proper = words_in(self.text, phrase).any(|w| {
            let word = &self.text[w.clone()];
            w.start != sentence_start
                && word.chars().next().is_some_and(char::is_uppercase)
                && !["The", "A", "An", "He", "She", "They", "It", "We", "I"].contains(&word)
        });
        // A vague head noun ("A video … in Kafr Batna", "Activists in Douma") makes the source vague,
        // whatever proper names follow it.
        let head_vague = cues
            .iter()
            .any(|c| c.is(Class::VagueSource) && words_in(self.text, &(phrase.start..c.range.start)).nth(2).is_none());
        if head_vague && !actor_at_head(self, phrase) {
            return Some(Grade::Vague);
        }
        // "A senior US official", "a nurse at the Douma hospital": one specific, described person.
        if singular_article && role && !vague {
            return Some(Grade::Described);
        }
        if actor {
            return Some(Grade::Named);
        }
        if pronoun && !proper {
            return None;
        }
        if singular_article && role && !vague {
            return Some(Grade::Described);
        }
        if singular_article && role && lower.contains("source") {
            return Some(Grade::Vague);
        }
        if vague {
            return Some(Grade::Vague);
        }
        if proper {
            return Some(Grade::Named);
        }
        if role {
            return Some(Grade::Described);
        }
        Some(Grade::Vague)
    }

    /// The anchors of one sentence; `last` is the last resolved grade in the paragraph.
    fn anchors(&self, s: &Sentence, last: &mut Option<Grade>) -> Vec<Anchor> {
        let mut out = Vec::new();
        for c in &self.cues[s.cues.clone()] {
            if !c.is(Class::Speech) {
                continue;
            }
            let mut buf = [0u8; 32];
            let cue_text = lowercase_in(&self.text[c.range.clone()], &mut buf);
            let after_first = cue_text == "according to" || cue_text == "as saying";
            let phrase = if after_first {
                phrase_after(self.text, &s.range, &c.range)
            } else {
                phrase_before(self.text, &s.range, &c.range)
                    .filter(|p| {
                        let mut buf = [0u8; 128];
                        let t = lowercase_in(self.text[p.clone()].trim(), &mut buf);
                        !t.is_empty() && t != "that" && !t.ends_with(" that") && !t.ends_with(" and")
                    })
                    .or_else(|| phrase_after(self.text, &s.range, &c.range))
            };
            let Some(phrase) = phrase else { continue };
            // Function words alone ("When", "While") are not a source.
            let mut buf = [0u8; 128];
            let content = lowercase_in(&self.text[phrase.clone()], &mut buf);
            if content.split_whitespace().all(|w| FUNCTION_WORDS.contains(&w)) {
                continue;
            }
            // A passive ("bodies were found", "it was reported") names nobody.
            let mut buf = [0u8; 32];
            let last_word = lowercase_in(self.text[phrase.clone()].rsplit(' ').next().unwrap_or(""), &mut buf);
            if !after_first && ["was", "were", "been", "be", "is", "are", "being"].contains(&&*last_word) {
                continue;
            }
            let grade = match self.grade(&phrase, s.range.start) {
                Some(g) => g,
                None => last.unwrap_or(Grade::Described),
            };
            *last = Some(grade);
            out.push(Anchor { cue: c.range.clone(), source: Some(phrase), grade });
        }
        // A headline's "Speaker: words" names its source.
        let body = &self.text[s.range.clone()];
        if !body.trim_end().ends_with(['.', '!', '?']) {
            if let Some(colon) = body.find(':').filter(|&p| p > 0 && p < 40) {
                let head = &body[..colon];
                let n = head.split_whitespace().count();
                if (1..=4).contains(&n) && head.starts_with(char::is_uppercase) && !body[colon + 1..].trim().is_empty()
                {
                    let r = s.range.start..s.range.start + colon;
                    let grade = self.grade(&r, usize::MAX).unwrap_or(Grade::Vague);
                    out.push(Anchor { cue: r.end..r.end + 1, source: Some(r), grade });
                }
            }
        }
        // A headline's trailing tag names its source: "… – SOHR", "… - monitor".
        if let Some(p) = body.rfind([' ']).filter(|_| !body.trim_end().ends_with(['.', '!', '?'])) {
            let before = body[..p].trim_end();
            if before.ends_with(['–', '—', '-']) {
                let tag = s.range.start + p + 1..s.range.end;
                let grade = self.grade(&tag, s.range.start).unwrap_or(Grade::Vague);
                out.push(Anchor { cue: tag.clone(), source: Some(tag), grade });
            }
        }
        out
    }

    fn claim(&self, s: &Sentence, quotes: &[Quote]) -> Option<(Claim, Range<usize>)> {
        let cues = &self.cues[s.cues.clone()];
        if let Some(q) = quotes_overlapping(quotes, &s.range).iter().find(|q| q.kind == QuoteKind::Quotation) {
            return Some((Claim::Quote, q.range.start.max(s.range.start)..q.range.end.min(s.range.end)));
        }
        if let Some(c) = cues.iter().find(|c| c.is(Class::Weasel)) {
            return Some((Claim::Weasel, c.range.clone()));
        }
        if let Some(c) = cues.iter().find(|c| c.is(Class::Hedge)) {
            return Some((Claim::Hedged, c.range.clone()));
        }
        let mut sentence_words = None;
        for c in cues.iter().filter(|c| c.is(Class::CasualtyWord)) {
            // A figure within six words either side.
            let ws = sentence_words.get_or_insert_with(|| words(self.text, &s.range));
            let i = ws.partition_point(|w| w.end <= c.range.start);
            let lo = i.saturating_sub(6);
            let hi = (i + 7).min(ws.len());
            if let Some(n) = ws[lo..hi].iter().find(|w| is_number(&self.text[(*w).clone()])) {
                let r = n.start.min(c.range.start)..n.end.max(c.range.end);
                return Some((Claim::Casualty, r));
            }
            let quantity = cues.iter().any(|q| q.is(Class::Quantity) && q.range.start.abs_diff(c.range.start) < 60);
            if quantity {
                return Some((Claim::Casualty, c.range.clone()));
            }
        }
        let background = cues.iter().any(|c| c.is(Class::Background));
        cues.iter()
            .find(|c| (c.is(Class::Battlefield) && !background) || c.is(Class::Accusation) || c.is(Class::Atrocity))
            .map(|c| (Claim::Contested, c.range.clone()))
    }
}

/// Whether a known actor stands at the head of a source phrase ("SOHR activists").
fn actor_at_head(cx: &Ctx<'_>, phrase: &Range<usize>) -> bool {
    cx.mentions_in(phrase).iter().any(|m| m.range.start <= phrase.start + 4 && m.range.end <= phrase.end)
}

/// Whether a sentence changes topic in its first few words ("Meanwhile", "In Iraq meanwhile").
fn starts_with_topic_shift(text: &str, s: &Range<usize>) -> bool {
    let sentence = &text[s.clone()];
    let head = &sentence[..crate::text::floor_char_boundary(sentence, 48)];
    // Every phrase has one of these words (lower-casing makes no other ASCII letters): most
    // sentences are settled without lower-casing anything.
    if !has_topic_shift_hint(head.as_bytes()) {
        return false;
    }
    let head: String = head.trim_start_matches(['“', '"', '(']).to_lowercase();
    let first: Vec<&str> = head.split_whitespace().take(4).collect();
    let first = first.join(" ");
    TOPIC_SHIFT_START.iter().any(|t| {
        first.starts_with(t) && first[t.len()..].starts_with([' ', ','])
            || (t.len() > 5 && first.split([' ', ',']).any(|w| w == *t))
    })
}

/// Whether `head` (at most 48 bytes) contains one of [`TOPIC_SHIFT_HINTS`], in any ASCII case:
/// lower-cased once, then compared only where a hint's first two letters are, found through two
/// tables of which hints have each byte first and second (a hint's first letter alone, such as
/// `e` or `o`, is at every other place).
fn has_topic_shift_hint(head: &[u8]) -> bool {
    /// `AT[k][b]`: the hints (one bit each) whose byte `k` is `b`.
    const AT: [[u8; 256]; 2] = {
        let mut t = [[0u8; 256]; 2];
        let mut i = 0;
        while i < TOPIC_SHIFT_HINTS.len() {
            let h = TOPIC_SHIFT_HINTS[i].as_bytes();
            t[0][h[0] as usize] |= 1 << i;
            t[1][h[1] as usize] |= 1 << i;
            i += 1;
        }
        t
    };
    let mut lower = [0u8; 48];
    let n = head.len().min(lower.len());
    for (l, b) in lower.iter_mut().zip(&head[..n]) {
        *l = b.to_ascii_lowercase();
    }
    let lower = &lower[..n];
    lower.windows(2).enumerate().any(|(i, w)| {
        let hints = AT[0][usize::from(w[0])] & AT[1][usize::from(w[1])];
        hints != 0
            && TOPIC_SHIFT_HINTS
                .iter()
                .enumerate()
                .any(|(k, h)| hints & 1 << k != 0 && lower[i..].starts_with(h.as_bytes()))
    })
}

/// Whether a paragraph's first sentence continues the previous paragraph's account
/// ("And 313 people died …", "He added …").
fn continues(text: &str, s: &Range<usize>) -> bool {
    let head = text[s.clone()].trim_start_matches(['“', '"', '(']);
    ["And ", "Also ", "He ", "She ", "They ", "It ", "The killings", "He added", "She added"]
        .iter()
        .any(|w| head.starts_with(w))
}

/// The quotes that overlap `r` (quotes are sorted by start and do not overlap each other).
fn quotes_overlapping<'q>(quotes: &'q [Quote], r: &Range<usize>) -> &'q [Quote] {
    let a = quotes.partition_point(|q| q.range.end <= r.start);
    let b = quotes.partition_point(|q| q.range.start < r.end);
    &quotes[a..b.max(a)]
}

fn overlaps_range(a: &Range<usize>, b: &Range<usize>) -> bool {
    a.start < b.end && b.start < a.end
}

fn finding(rule: Rule, range: Range<usize>, message: String, fixes: Vec<Fix>) -> Finding {
    Finding { rule, range, message: message.into(), related: Vec::new().into(), fixes: fixes.into() }
}

/// The end of a sentence's words (before its final punctuation and closing quotes).
fn insertion_point(text: &str, s: &Range<usize>) -> usize {
    let body = &text[s.clone()];
    let trimmed = body.trim_end_matches(['.', '!', '?', '”', '"', '’', ')', ' ']);
    s.start + trimmed.len()
}

fn attribution_fixes(text: &str, s: &Range<usize>) -> Vec<Fix> {
    let at = insertion_point(text, s);
    vec![
        Fix {
            title: "Add an attribution: “…, according to [source]”".into(),
            edits: vec![Edit { range: at..at, text: ", according to [source]".into() }].into(),
            preferred: true,
        },
        Fix {
            title: "Mark as witnessed by the reporter".into(),
            edits: vec![Edit { range: s.start..s.start, text: format!("{WITNESSED} ").into() }].into(),
            preferred: false,
        },
    ]
}

/// What the attribution rules need to know of one sentence, all found within its block; the
/// windows that reach into neighbouring sentences are judged afterwards, over the whole text
/// ([`judge`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentenceFacts {
    pub range: Range<usize>,
    /// Index of the paragraph (within the block until the story is assembled).
    pub paragraph: usize,
    /// The best grade among the sentence's anchors.
    best: Option<Grade>,
    topic_shift: bool,
    continues: bool,
    /// Not checked: skipped text (code, clutter), or inside a block quote or an embedded post.
    skipped: bool,
    /// The sentence holds the witnessed comment.
    witnessed_inside: bool,
    /// The quotation that overlaps the sentence, and whether the sentence lies inside it.
    quote: Option<Range<usize>>,
    in_quotation: bool,
    claim: Option<(Claim, Range<usize>)>,
    /// Style hints, which do not depend on sources.
    hints: Vec<Finding>,
    /// The phrase of the sentence's first vague anchor.
    vague_source: Option<Range<usize>>,
}

impl SentenceFacts {
    /// A copy without the style hints, which the claim counts do not read (copying them is most
    /// of the cost of a copy).
    pub fn without_hints(&self) -> SentenceFacts {
        SentenceFacts {
            range: self.range.clone(),
            quote: self.quote.clone(),
            claim: self.claim.clone(),
            vague_source: self.vague_source.clone(),
            hints: Vec::new(),
            ..*self
        }
    }

    /// Moves every range by `by` bytes (the block's offset in the story).
    pub fn shift(&mut self, by: usize, paragraphs: usize) {
        let sh = |r: &mut Range<usize>| *r = r.start + by..r.end + by;
        sh(&mut self.range);
        self.paragraph += paragraphs;
        if let Some(q) = &mut self.quote {
            sh(q);
        }
        if let Some((_, r)) = &mut self.claim {
            sh(r);
        }
        if let Some(r) = &mut self.vague_source {
            sh(r);
        }
        for h in &mut self.hints {
            h.shift(by);
        }
    }
}

/// A block of a story with what was read of it before the attribution rules.
#[derive(Clone, Copy)]
pub struct Scanned<'a> {
    pub text: &'a str,
    /// The lexicons' cues in it ([`KnowledgeBase::scan_folded`]).
    pub cues: &'a [Cue],
    /// Its sentences ([`crate::text::sentences::sentences`]), which its cues do not run out of.
    pub sentences: &'a [Range<usize>],
    /// Its paragraphs ([`crate::text::quotes::paragraphs`]).
    pub paragraphs: &'a [Range<usize>],
    pub quotes: &'a [Quote],
    /// What is not read: code, comments, clutter (sorted).
    pub skip: &'a [Range<usize>],
}

/// Finds the attribution anchors of a text (a block of a story) and what each sentence holds for
/// the rules: its best source, its claim, its quotation, its style hints.
pub fn facts(kb: &KnowledgeBase, block: Scanned<'_>, mentions: &[Mention]) -> (Vec<Anchor>, Vec<SentenceFacts>) {
    let Scanned { text, cues, sentences, paragraphs: paras, quotes, skip } = block;
    // Cue words inside actor names ("States" in "United States") are names, not cues.
    let names: Vec<Range<usize>> = mentions.iter().map(|m| m.range.clone()).collect();
    let cues: Vec<Cue> =
        cues.iter().filter(|c| !overlaps(skip, &c.range) && !overlaps(&names, &c.range)).cloned().collect();
    let mut sents: Vec<Sentence> = Vec::new();
    for r in sentences.iter().cloned() {
        let paragraph = paras.partition_point(|p| p.end <= r.start);
        let a = cues.partition_point(|c| c.range.start < r.start);
        let b = cues.partition_point(|c| c.range.start < r.end).max(a);
        // (The scan kept each cue within its sentence: `phrase_after` reads from a cue's end to
        // its sentence's end.)
        debug_assert!(cues[a..b].iter().all(|c| c.range.end <= r.end));
        sents.push(Sentence { range: r, paragraph, cues: a..b });
    }
    let cx = Ctx { kb, text, mentions, cues: &cues };
    // A comment inside a sentence does not keep the sentence from being read (an ignore comment
    // above one of its lines must change nothing else).
    let is_comment = |r: &Range<usize>| text[r.clone()].starts_with("<!--") && text[r.clone()].ends_with("-->");
    let unread: Vec<Range<usize>> = skip.iter().filter(|r| !is_comment(r)).cloned().collect();

    // Anchors of every sentence, pronouns resolved within each paragraph.
    let mut all: Vec<Anchor> = Vec::new();
    let mut facts = Vec::with_capacity(sents.len());
    let mut last: Option<Grade> = None;
    let mut para = usize::MAX;
    for s in &sents {
        if s.paragraph != para {
            para = s.paragraph;
            last = None;
        }
        let anchors = cx.anchors(s, &mut last);
        let near = quotes_overlapping(quotes, &s.range);
        let inside = |kinds: &[QuoteKind]| {
            near.iter().any(|q| kinds.contains(&q.kind) && q.range.start <= s.range.start && s.range.end <= q.range.end)
        };
        let mut hints = Vec::new();
        style_hints(&cx, s, &mut hints);
        facts.push(SentenceFacts {
            range: s.range.clone(),
            paragraph: s.paragraph,
            best: anchors.iter().map(|a| a.grade).max(),
            topic_shift: starts_with_topic_shift(text, &s.range),
            continues: continues(text, &s.range),
            skipped: inside(&[QuoteKind::Block, QuoteKind::Post]) || overlaps(&unread, &s.range),
            witnessed_inside: text[s.range.clone()].contains('<') && text[s.range.clone()].contains(WITNESSED),
            quote: near
                .iter()
                .find(|q| q.kind == QuoteKind::Quotation && overlaps_range(&q.range, &s.range))
                .map(|q| q.range.clone()),
            in_quotation: inside(&[QuoteKind::Quotation]),
            claim: cx.claim(s, quotes),
            hints,
            vague_source: anchors.iter().find(|a| a.grade == Grade::Vague).and_then(|a| a.source.clone()),
        });
        all.extend(anchors);
    }
    // Weasel phrases ("analysts said", "experts say") are attributions to a vague group too; they are
    // reported, but they source nothing but themselves, so they stay out of the windows.
    all.extend(cues.iter().filter(|c| c.is(Class::Weasel)).map(|c| Anchor {
        cue: c.range.clone(),
        source: Some(c.range.clone()),
        grade: Grade::Vague,
    }));
    all.sort_by_key(|a| a.cue.start);
    (all, facts)
}

/// Whether the attribution rules read a sentence: not skipped text, a block quote or an embedded
/// post, and not marked as witnessed by the reporter.
fn checked(text: &str, s: &SentenceFacts) -> bool {
    !(s.skipped || s.witnessed_inside || text[..s.range.start].trim_end().ends_with(WITNESSED))
}

/// The best source in sentence `k`'s window: this sentence, up to three back in the paragraph
/// (stopping at a topic shift), the next sentence, and for a quotation every sentence it spans
/// and the one after it.
fn window_source(sents: &[SentenceFacts], k: usize) -> Grade {
    let s = &sents[k];
    let best = |k: usize| sents.get(k).and_then(|s| s.best);
    let mut source = best(k).unwrap_or(Grade::None);
    let mut see = |g: Option<Grade>| source = source.max(g.unwrap_or(Grade::None));
    if !s.topic_shift {
        // A quotation, or a sentence that continues the account ("And …"), may reach back over
        // a paragraph break.
        let first_in_paragraph = k == 0 || sents[k - 1].paragraph != s.paragraph;
        let cross = s.quote.is_some() || (first_in_paragraph && s.continues);
        for j in (k.saturating_sub(3)..k).rev() {
            if sents[j].paragraph != s.paragraph && !(cross && sents[j].paragraph + 1 >= s.paragraph) {
                break;
            }
            see(best(j));
            if sents[j].topic_shift {
                break;
            }
        }
    }
    // The next sentence ("…" then "he said.", or a placeholder source named there).
    see(best(k + 1));
    // A quotation is attributed by a speaker anywhere in it or right after it.
    if let Some(q) = &s.quote {
        let mut j = k;
        while j < sents.len() && sents[j].range.start < q.end {
            see(best(j));
            j += 1;
        }
        see(best(j));
    }
    source
}

/// How many contested claims (casualty figures, battlefield gains, accusations, atrocities) the
/// attribution rules read in `text`, and how many of them have a source of any grade in their
/// window. A claim inside an attributed quotation counts as attributed.
pub fn claim_counts(text: &str, sents: &[SentenceFacts]) -> (usize, usize) {
    claim_counts_in(text, sents, 0..sents.len())
}

/// [`claim_counts`] of the sentences `which` (indices into `sents`), whose windows read the
/// sentences around them.
pub fn claim_counts_in(text: &str, sents: &[SentenceFacts], which: Range<usize>) -> (usize, usize) {
    let (mut found, mut attributed) = (0, 0);
    for (k, s) in sents.iter().enumerate().take(which.end).skip(which.start) {
        if !checked(text, s) || !matches!(s.claim, Some((Claim::Casualty | Claim::Contested, _))) {
            continue;
        }
        found += 1;
        if window_source(sents, k) > Grade::None {
            attributed += 1;
        }
    }
    (found, attributed)
}

/// Reports unattributed claims, hedges, weasel words, quotations without a speaker, vague sources
/// and words to watch, from the facts of every sentence of `text` (in order, ranges in `text`).
pub fn judge(text: &str, sents: &[SentenceFacts]) -> Vec<Finding> {
    let mut findings = Vec::new();
    for k in 0..sents.len() {
        judge_sentence(text, sents, k, &mut findings);
    }
    sort_in_text_order(&mut findings);
    findings
}

/// [`judge`] after an edit, judging only the sentences `again` (indices into `sents`) and taking
/// the rest from `earlier`, the judgement of the text before the edit `changed`: its findings
/// before those sentences (and before `unchanged`, where the re-read blocks start) as they were,
/// and those after them moved. `again` must cover every sentence whose window reaches the edit,
/// and the sentence after it, if any, must lie after the changed bytes. The sentences judged
/// again give findings at `levels` (those of `earlier` are at theirs already).
pub fn judge_again(
    text: &str,
    sents: &[SentenceFacts],
    again: Range<usize>,
    earlier: &Chunked,
    unchanged: usize,
    changed: &Changed,
    levels: &Levels,
) -> Chunked {
    let start = sents.get(again.start).map_or(text.len(), |s| s.range.start).min(unchanged);
    let mut fresh = Vec::new();
    for k in again.clone() {
        judge_sentence(text, sents, k, &mut fresh);
    }
    sort_in_text_order(&mut fresh);
    levels.apply(&mut fresh);
    let from = sents.get(again.end).map(|s| changed.back(s.range.start));
    earlier.spliced(start, fresh, from, changed)
}

/// The findings of sentence `k`.
fn judge_sentence(text: &str, sents: &[SentenceFacts], k: usize, findings: &mut Vec<Finding>) {
    let s = &sents[k];
    if !checked(text, s) {
        return;
    }
    let source = window_source(sents, k);
    if s.in_quotation && source > Grade::None {
        // An attributed quotation: its claims are the speaker's.
        return;
    }
    findings.extend(s.hints.iter().cloned());
    let Some((claim, range)) = s.claim.clone() else { return };
    let fixes = attribution_fixes(text, &s.range);
    let cue = text[range.clone()].split_whitespace().collect::<Vec<_>>().join(" ");
    match claim {
        Claim::Weasel => findings.push(finding(
            WEASEL,
            range,
            format!("`{cue}` puts an opinion in the mouths of an unnamed group; say who holds it, or drop it"),
            fixes,
        )),
        Claim::Hedged if source < Grade::Described => {
            findings.push(finding(HEDGED, range, format!("`{cue}` stands in for a source; say who reports it"), fixes))
        }
        Claim::Quote if source == Grade::None => findings.push(finding(
            UNSOURCED_QUOTE,
            range,
            "a quotation with no speaker in this sentence or the ones around it; say who said it".into(),
            fixes,
        )),
        Claim::Casualty | Claim::Contested if source == Grade::None => {
            let what = if claim == Claim::Casualty { "a casualty figure" } else { "a contested claim" };
            findings.push(finding(
                UNSOURCED_CLAIM,
                range,
                format!("`{cue}`: {what} with no source in this sentence or the ones around it; say who reports it"),
                fixes,
            ));
        }
        Claim::Casualty | Claim::Contested | Claim::Quote if source == Grade::Vague => {
            let who = s.vague_source.as_ref().map(|r| format!(" (`{}`)", text[r.clone()].trim())).unwrap_or_default();
            findings.push(finding(
                VAGUE_SOURCE,
                range,
                format!("the only source for this claim is vague{who}; describe or name it if you can"),
                Vec::new(),
            ));
        }
        _ => {}
    }
}

fn style_hints(cx: &Ctx<'_>, s: &Sentence, out: &mut Vec<Finding>) {
    let cues = &cx.cues[s.cues.clone()];
    for (i, c) in cues.iter().enumerate() {
        let word = &cx.text[c.range.clone()];
        let message = if c.is(Class::Modal) {
            format!("`{word}` blurs the claim: say what is known and who says so")
        } else if c.is(Class::Puffery) {
            format!("`{word}` is puffery: show it with a fact instead")
        } else if c.is(Class::VagueQuantity) {
            // Only where a figure is expected: right before a casualty word, or as the subject that
            // opens a sentence ("Many believe …", "Some historians argue …").
            let next = cues.get(i + 1).filter(|n| n.is(Class::CasualtyWord) && n.range.start - c.range.end < 40);
            let opens = cx.text[s.range.start..c.range.start].trim_start_matches(['“', '"', '(']).trim().is_empty();
            if next.is_none() && !opens {
                continue;
            }
            format!("`{word}` where a figure is expected: give the number and its source")
        } else {
            continue;
        };
        out.push(finding(STYLE_VAGUE, c.range.clone(), message, Vec::new()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{analyze, Settings};
    use crate::text::markdown::Flavor;

    /// Words as a plain loop finds them: what [`words_in`] gives one at a time.
    fn words_by_loop(text: &str, range: &Range<usize>) -> Vec<Range<usize>> {
        let mut out = Vec::new();
        let mut start = None;
        for (i, c) in text[range.clone()].char_indices() {
            let at = range.start + i;
            if c.is_alphanumeric()
                || c == '\''
                || c == '’'
                || (c == ',' && start.is_some() && text[at + 1..].starts_with(|d: char| d.is_ascii_digit()))
            {
                start.get_or_insert(at);
            } else if let Some(s) = start.take() {
                out.push(s..at);
            }
        }
        if let Some(s) = start {
            out.push(s..range.end);
        }
        out
    }

    proptest::proptest! {
        #[test]
        fn words_one_at_a_time_are_the_words(text in "[a1 ,'’.é\n-]{0,16}", cut in 0usize..16) {
            let range = crate::text::floor_char_boundary(&text, cut.min(text.len()))..text.len();
            proptest::prop_assert_eq!(words(&text, &range), words_by_loop(&text, &range));
        }

        /// The hint search finds what a case-insensitive search of every window finds.
        #[test]
        fn hint_search_is_a_search_of_every_window(
            head in "(meanwhile|ElseWhere|SEPARATELY|however|OTHER|othe|mean|sep|hOw|x|é| |,){0,10}",
        ) {
            let head = &head.as_bytes()[..head.len().min(48)];
            let windows =
                TOPIC_SHIFT_HINTS.iter().any(|w| head.windows(w.len()).any(|x| x.eq_ignore_ascii_case(w.as_bytes())));
            proptest::prop_assert_eq!(has_topic_shift_hint(head), windows);
        }
    }

    fn kb() -> &'static KnowledgeBase {
        static KB: std::sync::OnceLock<KnowledgeBase> = std::sync::OnceLock::new();
        KB.get_or_init(|| KnowledgeBase::builtin().unwrap())
    }

    /// (code, flagged text) of every attribution or style finding.
    fn flags(text: &str) -> Vec<(&'static str, String)> {
        analyze(kb(), text, &Settings::new(Flavor::Plain))
            .findings
            .iter()
            .filter(|f| f.code().starts_with("attribution/") || f.code().starts_with("style/"))
            .map(|f| (f.code(), text[f.range.clone()].to_string()))
            .collect()
    }

    fn grades(text: &str) -> Vec<(String, Grade)> {
        analyze(kb(), text, &Settings::new(Flavor::Plain))
            .anchors()
            .into_iter()
            .map(|a| (a.source.map(|r| text[r].to_string()).unwrap_or_default(), a.grade))
            .collect()
    }

    #[test]
    fn topic_shifts_are_found_through_their_hint_words() {
        for t in TOPIC_SHIFT_START {
            assert!(TOPIC_SHIFT_HINTS.iter().any(|h| t.contains(h)), "{t} has no hint word");
        }
        for h in TOPIC_SHIFT_HINTS {
            assert!(has_topic_shift_hint(format!("x {} y", h.to_uppercase()).as_bytes()), "{h}");
            assert!(!has_topic_shift_hint(&h.as_bytes()[1..]), "{h}");
        }
        let shift = |s: &str| starts_with_topic_shift(s, &(0..s.len()));
        assert!(shift("Meanwhile, rebels shelled the town."));
        assert!(shift("“In  other news, the talks resumed."));
        assert!(shift("In Iraq meanwhile the army advanced."));
        assert!(shift("ON THE OTHER HAND, the talks resumed."));
        assert!(!shift("The other side said nothing."));
        assert!(!shift("Rebels shelled the town."));
    }

    #[test]
    fn a_cue_across_the_end_of_a_sentence_is_not_read_as_its_cue() {
        // Found by the `analysis` fuzz target: in plain text a line break ends the sentence, and
        // "referring to" ran on into the next one, past the end of the sentence it was read in.
        assert!(grades("referring\nto").is_empty());
        assert!(grades("The army said,\nreferring\nto the town.").iter().all(|(p, _)| p.contains("army")));
    }

    #[test]
    fn the_issue_examples() {
        assert_eq!(
            flags("There were unconfirmed reports that close to 300 prisoners were freed from the Raqqa HQ."),
            vec![("attribution/hedged", "unconfirmed reports".to_string())]
        );
        assert_eq!(
            flags("Whether they can hold the territory remains to be seen, but analysts agree the move against the group is significant."),
            vec![("attribution/weasel", "analysts agree".to_string())]
        );
        // Inside an attributed quotation, a hedge is the speaker's.
        let t = "“Reports indicate that the regime is making airstrikes in support of #ISIL’s advance on #Aleppo,” the embassy said.";
        assert!(flags(t).is_empty(), "{:?}", flags(t));
    }

    #[test]
    fn unsourced_and_sourced_claims() {
        assert_eq!(
            flags("Rebels seized the town on Tuesday."),
            vec![("attribution/unsourced-claim", "seized".to_string())]
        );
        assert_eq!(
            flags("The strikes killed at least 44 people."),
            vec![("attribution/unsourced-claim", "killed at least 44".to_string())]
        );
        assert!(flags("Rebels seized the town on Tuesday, the Syrian Observatory for Human Rights said.").is_empty());
        // A source in one of the three sentences before, in the same paragraph.
        assert!(flags("The Observatory said fighting raged. Rebels seized the town. They held it.").is_empty());
        // A topic shift stops the window.
        assert_eq!(
            flags("The Observatory said fighting raged. Meanwhile rebels seized the town."),
            vec![("attribution/unsourced-claim", "seized".to_string())]
        );
        // Background is not a fresh claim.
        assert!(flags("The YPG captured Tel Abyad from ISIS last year.").is_empty());
    }

    #[test]
    fn vague_sources_and_quotes() {
        assert_eq!(
            flags("Activists said 12 people were killed."),
            vec![("attribution/vague-source", "12 people were killed".to_string())]
        );
        assert_eq!(
            flags("“We will never leave this town whatever happens to us.”"),
            vec![(
                "attribution/unsourced-quote",
                "“We will never leave this town whatever happens to us.”".to_string()
            )]
        );
        assert!(flags("“We will never leave this town whatever happens to us,” said a commander.").is_empty());
        // A quotation whose speaker comes two sentences later.
        assert!(flags("“We held the town. Then they shelled it for days.” Abu Omar, a commander, said so.").is_empty());
    }

    #[test]
    fn sources_are_graded() {
        assert_eq!(
            grades("Khaled Khoja, the president of the group, accused the government."),
            vec![("Khaled Khoja".into(), Grade::Named)]
        );
        assert_eq!(
            grades("A senior US official said the strikes continued."),
            vec![("A senior US official".into(), Grade::Described)]
        );
        assert_eq!(
            grades("A military source told SANA that 20 died."),
            vec![("A military source".into(), Grade::Vague)]
        );
        assert_eq!(
            grades("A video purportedly shot in Kafr Batna showed bodies."),
            vec![("A video purportedly shot in Kafr Batna".into(), Grade::Vague)]
        );
        assert_eq!(
            grades("SOHR reported the toll. It said 40 died."),
            vec![("SOHR".into(), Grade::Named), ("It".into(), Grade::Named)]
        );
        assert_eq!(
            grades("Rebels seized the town, according to local media."),
            vec![("local media".into(), Grade::Vague)]
        );
    }

    #[test]
    fn witnessed_sentences_and_style_hints() {
        assert!(flags(&format!("{WITNESSED} Rebels seized the town on Tuesday.")).is_empty());
        assert_eq!(flags("The strike may have hit a school."), vec![("style/vague", "may have".to_string())]);
        assert_eq!(
            flags("Many were killed in the raid, the Observatory said."),
            vec![("style/vague", "Many".to_string())]
        );
    }

    #[test]
    fn fixes_insert_an_attribution_or_mark_as_witnessed() {
        let t = "Rebels seized the town on Tuesday.";
        let a = analyze(kb(), t, &Settings::new(Flavor::Plain));
        let f = &a.findings.to_vec()[0];
        let apply = |e: &Edit| format!("{}{}{}", &t[..e.range.start], e.text, &t[e.range.end..]);
        assert_eq!(
            apply(&f.fixes[0].edits.at(&f.range)[0]),
            "Rebels seized the town on Tuesday, according to [source]."
        );
        assert_eq!(apply(&f.fixes[1].edits.at(&f.range)[0]), format!("{WITNESSED} Rebels seized the town on Tuesday."));
    }
}
