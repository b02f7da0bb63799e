//! Naming rules: one actor, one name, spelled one way.
//!
//! Every rule judges only the writer's own words ([`Voice::Own`]); quotations, hashtags, handles and
//! glosses that introduce other names are never flagged. Metonyms ("Washington" for the US
//! government) are left alone. Rules, codes and fixes are documented in `docs/diagnostics.md`.
//!
//! **Which name is preferred.** With a house style, the style's name for the actor. Otherwise the
//! name the writer used first in the body (a headline's choice counts only if the body never names
//! the actor). An introduction such as "the Islamic State of Iraq and the Levant (ISIS)" commits the
//! story to the bracketed name.

use super::findings::{
    Edit, Edits, Finding, Fix, Listed, Moves, Related, ACRONYM_BEFORE_DEFINITION, AMBIGUOUS_ALIAS, HOUSE_STYLE,
    MIXED_NAMES, VARIANT_SPELLING,
};
use super::mentions::{Mention, Settings};
use super::story_mentions::{Mentions, StoryMentions};
use super::voice::Voice;
use crate::kb::{ActorId, AliasForm, CaseRule, HouseStyle, KnowledgeBase, NameRef};
use crate::text::fold::case_signature;
use crate::text::markdown::is_comment_line;
use crate::text::sentences::starts_sentence;
use crate::text::Changed;
use crate::text::{find_line_break, rfind_line_break};
use std::borrow::Cow;
use std::ops::{Index, Range};
use std::sync::{Arc, OnceLock};

/// A line that is a title, caption, byline or link rather than running text: a `#` heading, or a
/// line that does not end like a sentence.
fn is_title_line(line: &str) -> bool {
    let line = line.trim();
    let core = line.trim_end_matches(['”', '"', '’', '\'', ')', '»', ' ']);
    line.starts_with('#') || (!line.is_empty() && !core.ends_with(['.', '!', '?', ':', ';']))
}

/// Whether the line `start..end` of `text` is body text: a line that ends like a sentence, or a
/// line of hand-wrapped prose (the next line, or this one, carries on in lower case). `#` headings
/// are not body.
fn in_body(text: &str, start: usize, end: usize) -> bool {
    let line = &text[start..end];
    if line.trim_start().starts_with('#') {
        return false;
    }
    let prose = |l: &str| !l.trim().is_empty() && !l.trim_start().starts_with('#');
    let lower_start = |l: &str| l.trim_start().chars().next().is_some_and(char::is_lowercase);
    let prev_line = line_before(text, start);
    let next_line = line_after(text, end);
    // Hand-wrapped prose: the next line, or this one, carries on in lower case.
    if next_line.is_some_and(|n| prose(n) && lower_start(n)) || (prev_line.is_some_and(prose) && lower_start(line)) {
        return true;
    }
    !is_title_line(line)
}

/// The line before the line that starts at `start`, unless a blank line is between; lines of
/// nothing but comments are passed over (they are not seen in the rendered story).
fn line_before(text: &str, mut start: usize) -> Option<&str> {
    loop {
        let before = text[..start].trim_end_matches(['\n', '\r']);
        if before.is_empty() || start - before.len() > 2 {
            return None;
        }
        let line = before.rsplit(['\n', '\r']).next().unwrap_or("");
        if !is_comment_line(line) {
            return Some(line);
        }
        start = before.len() - line.len();
    }
}

/// The line after the line that ends at `end` (before its line break), comment lines passed over.
fn line_after(text: &str, mut end: usize) -> Option<&str> {
    loop {
        let rest = text[end..].strip_prefix("\r\n").or_else(|| text[end..].strip_prefix(['\n', '\r']))?;
        let line = rest.split(['\n', '\r']).next().unwrap_or("");
        if !is_comment_line(line) {
            return Some(line);
        }
        end = text.len() - rest.len() + line.len();
    }
}

/// [`in_body`] for mentions in text order, worked out once per line (a line of a megabyte with
/// thousands of mentions is searched once, not once per mention).
#[derive(Debug, Default)]
pub(crate) struct BodyLines {
    /// The current line's start and end, and whether it is body text.
    line: Option<(usize, usize, bool)>,
}

impl BodyLines {
    /// Whether byte offset `at` (not before the previous call's) lies in body text.
    pub(crate) fn at(&mut self, text: &str, at: usize) -> bool {
        if let Some((start, end, body)) = self.line {
            if start <= at && at < end {
                return body;
            }
        }
        let from = self.line.map_or(0, |(_, end, _)| end.min(at));
        let start = rfind_line_break(&text[from..at]).map_or(from, |p| from + p + 1);
        let end = find_line_break(&text[at..]).map_or(text.len(), |p| at + p);
        let body = in_body(text, start, end);
        self.line = Some((start, end.max(at + 1), body));
        body
    }
}

/// How the writer spelled a mention, for comparing spellings: apostrophes unified, white space
/// collapsed, case kept.
fn spelling(text: &str, m: &Mention) -> String {
    spelling_of(&text[m.range.clone()])
}

fn spelling_of(written: &str) -> String {
    spelled(written).into_owned()
}

/// [`spelling_of`], borrowed when the mention is its own spelling.
fn spelled(written: &str) -> Cow<'_, str> {
    if is_its_own_spelling(written) {
        Cow::Borrowed(written)
    } else {
        Cow::Owned(normalised_spelling(written))
    }
}

/// [`spelling_of`] `written` followed by its [`spelling_key`] in one string, and where the key
/// begins.
fn spelling_and_key(written: &str) -> (String, usize) {
    let spelled = spelled(written);
    let mut both = String::with_capacity(2 * spelled.len());
    both.push_str(&spelled);
    push_key(&spelled, &mut both);
    (both, spelled.len())
}

/// Most mentions are ASCII without white space: nothing to normalise.
fn is_its_own_spelling(written: &str) -> bool {
    written.bytes().all(|b| b.is_ascii_graphic() && b != b'`')
}

/// [`spelling_of`] for any text.
fn normalised_spelling(written: &str) -> String {
    let mut out = String::with_capacity(written.len());
    let mut space = false;
    for c in written.chars() {
        if c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if std::mem::take(&mut space) {
            out.push(' ');
        }
        out.push(if matches!(c, '’' | '‘' | 'ʼ' | '`' | '´') { '\'' } else { c });
    }
    out
}

/// What two spellings must share to be the same: case, a leading article (`al-`, `el-`, `the`)
/// and a possessive are not spelling.
fn spelling_key(spelled: &str) -> String {
    let mut key = String::with_capacity(spelled.len());
    push_key(spelled, &mut key);
    key
}

/// Appends [`spelling_key`] of `spelled` to `out`.
fn push_key(spelled: &str, out: &mut String) {
    let start = out.len();
    if spelled.is_ascii() {
        out.push_str(spelled);
        out[start..].make_ascii_lowercase();
    } else {
        out.push_str(&spelled.to_lowercase());
    }
    for article in ["al-", "al ", "el-", "el ", "ar-", "as-", "ash-", "the "] {
        if out[start..].starts_with(article) {
            out.drain(start..start + article.len());
            break;
        }
    }
}

/// How the mentions of a story are spelled, by mention index: gathered from where the blocks
/// keep them when first asked for, by the analysis afresh. After a keystroke the naming rules read
/// only the spellings around the edit (handed over apart, in [`Earlier`]) and those of the actors
/// they judge again (gathered with their mentions): gathering references to all of them (13,464
/// on the 1 MB benchmark story) cost more than the rules.
pub struct Spellings<'a> {
    all: OnceLock<Vec<&'a Spelled>>,
    gather: Box<dyn Fn() -> Vec<&'a Spelled> + Send + Sync + 'a>,
}

impl<'a> Spellings<'a> {
    /// The spellings that `gather` gathers, in mention order.
    pub fn new(gather: impl Fn() -> Vec<&'a Spelled> + Send + Sync + 'a) -> Spellings<'a> {
        Spellings { all: OnceLock::new(), gather: Box::new(gather) }
    }
}

impl std::ops::Index<usize> for Spellings<'_> {
    type Output = Spelled;

    fn index(&self, i: usize) -> &Spelled {
        self.all.get_or_init(|| (self.gather)())[i]
    }
}

impl std::fmt::Debug for Spellings<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Spellings").field("gathered", &self.all.get().map(Vec::len)).finish()
    }
}

/// How one mention is written, worked out once per mention (and kept with its block): its
/// spelling, the key spellings are compared by, and whether it lowers a capital of the name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spelled {
    /// The spelling and then its key, in one allocation per mention.
    both: String,
    /// Where the key begins in `both`.
    split: u32,
    /// The key without dots ("US" for "U.S."), to match a headline's form to the body's; `None`
    /// when the key has no dots (most keys: no second string for them).
    dotless: Option<String>,
    lowered: bool,
    /// The form counts as a name for the naming rules ([`counts_as_name`]).
    counts: bool,
    /// The spelling group of its name.
    root: SpellingRoot,
}

impl Spelled {
    /// The facts of a mention of `text` (the text it lies in).
    pub fn new(kb: &KnowledgeBase, text: &str, m: &Mention) -> Spelled {
        let written = &text[m.range.clone()];
        let (both, split) = spelling_and_key(written);
        let n = kb.name(m.name);
        let descriptive = matches!(n.form, AliasForm::Descriptive | AliasForm::Metonym);
        let lowered = n.case == CaseRule::Any && !descriptive && lowered_capitals(written, &n.text);
        let key = &both[split..];
        Spelled {
            dotless: key.contains('.').then(|| key.replace('.', "")),
            split: split as u32,
            both,
            lowered,
            counts: counts_as_name(kb, m.name),
            root: spelling_root(kb, m.name),
        }
    }

    /// How the mention is spelled ([`spelling`]).
    fn text(&self) -> &str {
        &self.both[..self.split as usize]
    }

    /// What spellings are compared by ([`spelling_key`]).
    fn key(&self) -> &str {
        &self.both[self.split as usize..]
    }

    fn dotless(&self) -> &str {
        self.dotless.as_deref().unwrap_or(self.key())
    }
}

/// The spelling group of a name: variants and misspellings belong to the name they spell; the
/// acronyms of one family form one group (U.S., US, USA). Groups are compared within one actor.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum SpellingRoot {
    Name(u16),
    /// The acronyms of a family, by the first of the actor's names in that family (an index, not
    /// the family's name: no string per mention).
    Acronyms(u16),
}

/// The group of the acronyms in the family of `actor.names[idx]`.
fn acronyms(actor: &crate::kb::Actor, idx: usize) -> SpellingRoot {
    let family = &actor.names[idx].family;
    SpellingRoot::Acronyms(actor.names.iter().position(|n| &n.family == family).unwrap_or(idx) as u16)
}

fn spelling_root(kb: &KnowledgeBase, r: NameRef) -> SpellingRoot {
    let actor = kb.actor(r.actor);
    let mut idx = r.name as usize;
    for _ in 0..8 {
        let n = &actor.names[idx];
        match n.form {
            AliasForm::Variant | AliasForm::Misspelling => {
                match n.of.as_ref().and_then(|of| actor.names.iter().position(|x| &x.text == of)) {
                    Some(next) if next != idx => idx = next,
                    _ => break,
                }
            }
            AliasForm::Acronym => return acronyms(actor, idx),
            _ => break,
        }
    }
    match actor.names[idx].form {
        AliasForm::Acronym => acronyms(actor, idx),
        _ => SpellingRoot::Name(idx as u16),
    }
}

/// Whether a form is a name for the naming rules. Metonyms never are; a descriptive form is only
/// when it contains another, proper name of the actor ("Islamic State group" does,
/// "opposition-in-exile" and "Assad government" do not).
pub(crate) fn counts_as_name(kb: &KnowledgeBase, r: NameRef) -> bool {
    match kb.name(r).form {
        AliasForm::Metonym => false,
        AliasForm::Descriptive => kb.contains_proper_name(r),
        _ => true,
    }
}

/// Whether a name is an acronym or a spelling of one (SDS for SDF).
fn is_acronymish(kb: &KnowledgeBase, r: NameRef) -> bool {
    matches!(spelling_root(kb, r), SpellingRoot::Acronyms(_))
}

/// Capitalises `replacement` when it stands at the start of a sentence.
fn fit(text: &str, at: usize, replacement: &str) -> String {
    let mut chars = replacement.chars();
    match chars.next() {
        Some(c) if c.is_lowercase() && starts_sentence(text, at) => c.to_uppercase().chain(chars).collect(),
        _ => replacement.to_string(),
    }
}

/// Generic words that styles differ on capitalising inside names ("Syrian army", "Idlib province").
const GENERIC_WORDS: &[&str] = &[
    "army",
    "province",
    "governorate",
    "district",
    "city",
    "countryside",
    "region",
    "forces",
    "force",
    "front",
    "party",
    "council",
    "coalition",
    "group",
    "military",
    "government",
    "ministry",
    "minister",
    "airbase",
    "base",
    "air",
    "field",
    "oil",
    "mountains",
    "river",
    "dam",
    "state",
    "rural",
    "the",
    "of",
    "and",
    "in",
    "al",
    "el",
    "ar",
    "as",
    "an",
    "ash",
];

/// Whether the writer put in lower case a word the name capitalises ("raqqa", "Syrian democratic
/// forces", "Donald trump"), other than generic words such as "army" or "province".
fn lowered_capitals(written: &str, name: &str) -> bool {
    // Most mentions are written as the name is (and a letter cannot be both an upper-case one and
    // a lower-case one).
    written != name && lowered_capitals_of_other(written, name)
}

/// [`lowered_capitals`] for any two texts.
fn lowered_capitals_of_other(written: &str, name: &str) -> bool {
    let lowered =
        |a: &str, b: &str| case_signature(a).zip(case_signature(b)).any(|(x, y)| y.is_uppercase() && x.is_lowercase());
    let words = |s| str::split(s, [' ', '-', '\n', '\r', '\t']).filter(|w| !w.is_empty());
    if words(written).count() != words(name).count() {
        return lowered(written, name);
    }
    words(written).zip(words(name)).any(|(a, b)| {
        let generic = || {
            if b.is_ascii() {
                GENERIC_WORDS.iter().any(|g| g.eq_ignore_ascii_case(b))
            } else {
                GENERIC_WORDS.contains(&b.to_lowercase().as_str())
            }
        };
        lowered(a, b) && !generic()
    })
}

struct Ctx<'a> {
    /// How each mention of `mentions` is written.
    spelled: &'a dyn Index<usize, Output = Spelled>,
    kb: &'a KnowledgeBase,
    text: &'a str,
    /// The mentions the rules read, by position: all the story's, or those gathered for the
    /// actors judged again after an edit ([`check_again`]).
    mentions: &'a [Mention],
    style: Option<&'a HouseStyle>,
    out: Vec<Finding>,
    /// The lists of fixes made for the actor being judged: findings that offer the same fixes
    /// share one list (and an edit before them moves it once).
    fix_lists: Vec<Arc<[Fix]>>,
    /// The "replace" fixes made for the actor being judged, by what they are made of (see
    /// [`Ctx::replace_fixes`]): the findings of an actor named thousands of times make a few.
    replaced: Vec<Replaced<'a>>,
}

/// What a list of "replace" fixes was made from: the spelling replaced, the replacement and its
/// form where it goes (capitalised at a sentence start), and the "replace them all" edits.
struct Replaced<'a> {
    written: &'a str,
    with: Option<String>,
    fitted: Option<String>,
    all: Arc<[Edit]>,
    fixes: Arc<[Fix]>,
}

/// The naming findings of a story, kept by actor: after an edit only the actors named near it are
/// judged again, and the others' findings are moved ([`check_again`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Named {
    /// The actors with findings, in order of first mention, each with its findings in the order
    /// the rules made them.
    actors: Vec<(ActorId, Listed)>,
    /// The ambiguous-alias findings, in text order.
    ambiguous: Vec<Finding>,
}

impl Named {
    /// Every finding's list: the actors' in order of first mention (shared), then the ambiguous
    /// aliases'. [`super::findings::Findings::merged`] puts them in text order.
    pub fn lists(&self) -> impl Iterator<Item = Listed> + '_ {
        self.actors.iter().map(|(_, f)| f.clone()).chain([Listed::from(self.ambiguous.clone())])
    }
}

/// What the check of the text before an edit lends to the check after it.
pub struct Earlier<'a> {
    pub named: &'a Named,
    /// The text before the edit and its mentions.
    pub text: &'a str,
    pub mentions: Mentions<'a>,
    /// How the mentions around the bytes read again were spelled: those of
    /// `window(mentions, &old)`, in order.
    pub spelled: &'a [&'a Spelled],
    /// And after the edit: those of `window(mentions, &new)` of the mentions after it.
    pub new_spelled: &'a [&'a Spelled],
    /// The bytes read again, in the text before the edit and after it: everything outside them is
    /// as it was, moved by `moved`.
    pub old: Range<usize>,
    pub new: Range<usize>,
    /// The bytes the edit changed: how the rest moved.
    pub changed: Changed,
}

/// What the naming rules read of one mention, with its range in the terms of the text after the
/// edit: an actor whose mentions near an edit read the same before and after it has the same
/// findings, moved.
#[derive(PartialEq)]
struct Read<'a> {
    range: Range<usize>,
    name: NameRef,
    voice: Voice,
    body: bool,
    others: &'a [ActorId],
    spelled: &'a Spelled,
    /// Whether the mention starts a sentence (a replacement there is capitalised).
    starts_sentence: bool,
    /// When the next mention of the story names the same actor: whether only "(" lies between.
    next_in_brackets: Option<bool>,
}

/// The mentions of `mentions` in `region`, and the one just before and just after it.
pub(crate) fn window(mentions: Mentions<'_>, region: &Range<usize>) -> Range<usize> {
    let first = mentions.ending_by(region.start);
    let last = mentions.starting_before(region.end);
    first.saturating_sub(1)..(last + 1).min(mentions.len())
}

/// What the rules read of the mentions of `actor` among the first `n` of `read` (a window of the
/// story's mentions, and the one after it if there is one); `spelled(k)` is how `read[k]` is
/// spelled.
fn reads<'a>(
    text: &str,
    read: &'a [Mention],
    n: usize,
    spelled: impl Fn(usize) -> &'a Spelled,
    actor: ActorId,
    map: impl Fn(&Range<usize>) -> Range<usize>,
) -> Vec<Read<'a>> {
    (0..n)
        .filter(|&k| read[k].actor() == actor)
        .map(|k| {
            let m = &read[k];
            let next_in_brackets =
                read.get(k + 1).filter(|n| n.actor() == actor).map(|n| text[m.range.end..n.range.start].trim() == "(");
            Read {
                range: map(&m.range),
                name: m.name,
                voice: m.voice,
                body: m.body,
                others: &m.others,
                spelled: spelled(k),
                starts_sentence: starts_sentence(text, m.range.start),
                next_in_brackets,
            }
        })
        .collect()
}

/// Which actors a story names, in order of first mention, and which of its mentions in the
/// writer's own words and body text use an ambiguous alias: kept with the story and made after an
/// edit from the roll before it, so that the rules need not pass over all mentions again after
/// each keystroke.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Roll {
    pub order: Vec<ActorId>,
    /// The index of each of those actors' first mention.
    pub first_at: Vec<usize>,
    /// The index and range of each own-voice body mention with other actors it could mean.
    pub ambiguous: Vec<(usize, Range<usize>)>,
    /// How many times the story names each actor, by actor index (in any voice).
    pub counts: Vec<usize>,
}

/// Runs every naming rule.
pub fn check(
    kb: &KnowledgeBase,
    text: &str,
    mentions: StoryMentions<'_>,
    spelled: &Spellings<'_>,
    roll: &Roll,
    settings: &Settings,
) -> Named {
    check_again(kb, text, mentions, spelled, roll, settings, None)
}

/// Runs every naming rule, judging again only the actors named near the edit that `earlier`
/// describes and moving the findings of the others. The result is what [`check`] gives.
pub fn check_again(
    kb: &KnowledgeBase,
    text: &str,
    story: StoryMentions<'_>,
    spelled: &Spellings<'_>,
    roll: &Roll,
    settings: &Settings,
    earlier: Option<Earlier<'_>>,
) -> Named {
    let style = settings.style.as_ref();
    // Which actors must be judged again: those named near the edit whose mentions there read
    // differently after it. And what the earlier check found for each.
    let mut again = vec![earlier.is_none(); kb.actors().len()];
    let mut before: Vec<Option<&Listed>> = vec![None; kb.actors().len()];
    if let Some(e) = &earlier {
        let mentions = story.view;
        let (old_window, new_window) = (window(e.mentions, &e.old), window(mentions, &e.new));
        debug_assert_eq!(e.spelled.len(), old_window.len());
        debug_assert_eq!(e.new_spelled.len(), new_window.len());
        // The windows' mentions and the one after each, read in a row from the blocks.
        let old_read: Vec<Mention> = e.mentions.from(old_window.start).take(old_window.len() + 1).collect();
        let new_read: Vec<Mention> = mentions.from(new_window.start).take(new_window.len() + 1).collect();
        let (old_n, new_n) = (old_window.len(), new_window.len());
        let near = old_read[..old_n].iter().chain(&new_read[..new_n]).map(Mention::actor);
        let map = |r: &Range<usize>| e.changed.forward(r);
        let mut compared = vec![false; kb.actors().len()];
        for actor in near {
            let k = actor.0 as usize;
            if !std::mem::replace(&mut compared[k], true) {
                let was = reads(e.text, &old_read, old_n, |k| e.spelled[k], actor, map);
                let is = reads(text, &new_read, new_n, |k| e.new_spelled[k], actor, Range::clone);
                again[k] = was != is;
            }
        }
        for (a, f) in &e.named.actors {
            before[a.0 as usize] = Some(f);
        }
    }
    // What the rules read to judge them: afresh, every mention, in the story's one list; after an
    // edit, only the mentions of the actors judged again (each with the story's next mention),
    // gathered from the blocks, not a list of the whole story (10 MB: 134k mentions).
    let judged = again.iter().any(|&a| a);
    let gathered = (judged && earlier.is_some()).then(|| story.view.gathered(&again));
    let (read, read_spelled): (&[Mention], &dyn Index<usize, Output = Spelled>) = match &gathered {
        Some(g) => (&g.mentions, &g.spelled),
        None if judged => (story.all(), spelled),
        None => (&[], spelled),
    };
    // The mentions of each actor judged again, by position in `read` (actor `k`'s are
    // `by_actor[first[k]..first[k + 1]]`: no list grows); after a keystroke, usually none.
    let (first, by_actor) = if judged { by_actor(kb, read) } else { Default::default() };
    let mut cx = Ctx {
        kb,
        text,
        mentions: read,
        spelled: read_spelled,
        style,
        out: Vec::new(),
        fix_lists: Vec::new(),
        replaced: Vec::new(),
    };
    let mut named = Named::default();
    for &actor in &roll.order {
        let k = actor.0 as usize;
        if !again[k] {
            if let (Some(f), Some(e)) = (before[k], &earlier) {
                // The same list, read through the edit.
                named.actors.push((actor, f.moved(&e.changed)));
            }
            continue;
        }
        let all = &by_actor[first[k]..first[k + 1]];
        let own: Vec<usize> =
            all.iter().copied().filter(|&i| cx.mentions[i].voice == Voice::Own && cx.spelled[i].counts).collect();
        if own.is_empty() {
            continue;
        }
        cx.fix_lists.clear();
        cx.replaced.clear();
        cx.mixed_names(actor, &own);
        cx.variant_spelling(&own);
        cx.acronyms(actor, all, &own);
        cx.house_style(actor, &own);
        // Levels apply to what the rules found (the house style reads the mixed names before).
        settings.levels.apply(&mut cx.out);
        if !cx.out.is_empty() {
            named.actors.push((actor, Listed::from(std::mem::take(&mut cx.out))));
        }
    }
    let mut moves = Moves::default();
    for (i, range) in &roll.ambiguous {
        let reused = earlier.as_ref().and_then(|e| {
            let outside = range.end <= e.new.start || range.start >= e.new.end;
            let old_start = e.changed.back(range.start);
            let found = e.named.ambiguous.binary_search_by_key(&old_start, |f| f.range.start).ok();
            found.filter(|_| outside).map(|j| e.named.ambiguous[j].moved(&e.changed, &mut moves))
        });
        match reused {
            Some(f) => named.ambiguous.push(f),
            None => {
                // Read from the blocks: no list of the story's mentions is made for it.
                if let Some(m) = story.view.get(*i) {
                    cx.ambiguous(&m);
                }
                settings.levels.apply(&mut cx.out);
                named.ambiguous.append(&mut cx.out);
            }
        }
    }
    named
}

/// The mentions of every actor in one buffer: actor `k`'s are `by_actor[first[k]..first[k + 1]]`.
fn by_actor(kb: &KnowledgeBase, mentions: &[Mention]) -> (Vec<usize>, Vec<usize>) {
    let mut first = vec![0usize; kb.actors().len() + 1];
    for m in mentions {
        first[m.actor().0 as usize + 1] += 1;
    }
    for k in 1..first.len() {
        first[k] += first[k - 1];
    }
    let mut by_actor = vec![0usize; mentions.len()];
    let mut next = first.clone();
    for (i, m) in mentions.iter().enumerate() {
        let k = m.actor().0 as usize;
        by_actor[next[k]] = i;
        next[k] += 1;
    }
    (first, by_actor)
}

impl<'a> Ctx<'a> {
    fn written(&self, i: usize) -> &str {
        &self.text[self.mentions[i].range.clone()]
    }

    fn family(&self, i: usize) -> &'a str {
        let (kb, mentions): (&'a KnowledgeBase, &'a [Mention]) = (self.kb, self.mentions);
        &kb.name(mentions[i].name).family
    }

    /// How mention `i` is spelled, borrowed for as long as the mentions are (not from `self`).
    fn spelling_of(&self, i: usize) -> &'a str {
        let spelled: &'a dyn Index<usize, Output = Spelled> = self.spelled;
        spelled[i].text()
    }

    /// The mention that sets the story's choice: the first own mention in body text (headlines,
    /// captions and other lines that do not end like sentences count only if the body never names
    /// the actor), or, for an introduction "X (Y)", its bracketed name Y.
    fn choice(&self, own: &[usize]) -> usize {
        let first = own.iter().copied().find(|&i| self.mentions[i].body).unwrap_or(own[0]);
        let next = first + 1;
        match self.mentions.get(next) {
            Some(m)
                if m.voice == Voice::Gloss
                    && m.actor() == self.mentions[first].actor()
                    && self.text[self.mentions[first].range.end..m.range.start].trim() == "(" =>
            {
                next
            }
            _ => first,
        }
    }

    /// The text to write instead of mention `i` in `family`: the house style's form if there is one;
    /// else a form of the same shape (acronym or name) that the story already uses, else any form
    /// of that family the story uses, else the knowledge base's.
    fn replacement_in_family(&self, actor: ActorId, i: usize, family: &str, used: &[usize]) -> Option<String> {
        if let Some(p) = self.style.and_then(|s| s.prefer.get(&actor)) {
            let n = self.kb.name(p.name);
            if n.family == family {
                return Some(n.text.clone());
            }
        }
        let acronym = is_acronymish(self.kb, self.mentions[i].name);
        let in_family: Vec<usize> = used.iter().copied().filter(|&j| self.family(j) == family).collect();
        let same_shape = in_family.iter().copied().find(|&j| is_acronymish(self.kb, self.mentions[j].name) == acronym);
        if let Some(j) = same_shape.or(in_family.first().copied()) {
            return Some(self.spelled[j].text().to_string());
        }
        let a = self.kb.actor(actor);
        let shape_ok = |n: &crate::kb::Alias| {
            n.family == family
                && if acronym {
                    n.form == AliasForm::Acronym
                } else {
                    matches!(n.form, AliasForm::Name | AliasForm::Short | AliasForm::Descriptive) && n.lang == "en"
                }
        };
        a.names
            .iter()
            .find(|n| shape_ok(n))
            .or_else(|| a.names.iter().find(|n| n.family == family && n.lang == "en"))
            .map(|n| n.text.clone())
    }

    fn replace_fix(&self, title: String, edits: impl Into<Edits>, preferred: bool) -> Fix {
        Fix { title: title.into(), edits: edits.into(), preferred }
    }

    /// A list of fixes, shared with an earlier finding of the actor that offers the same ones.
    fn share_fixes(&mut self, fixes: Vec<Fix>) -> Arc<[Fix]> {
        if let Some(list) = self.fix_lists.iter().find(|l| ***l == fixes[..]) {
            return list.clone();
        }
        let list: Arc<[Fix]> = fixes.into();
        self.fix_lists.push(list.clone());
        list
    }

    /// "Replace this one" (preferred) and, when there is more than one, "replace them all" in one
    /// edit, for mention `i`. Made once for each spelling replaced, replacement (as it fits where
    /// it goes) and list of all edits, and shared by the findings that offer the same.
    fn replace_fixes(&mut self, i: usize, with: Option<&str>, all_title: &Arc<str>, all: &Arc<[Edit]>) -> Arc<[Fix]> {
        let written = self.spelling_of(i);
        let fitted = with.map(|r| fit(self.text, self.mentions[i].range.start, r));
        let made = self.replaced.iter().find(|m| {
            m.written == written && m.with.as_deref() == with && m.fitted == fitted && Arc::ptr_eq(&m.all, all)
        });
        if let Some(m) = made {
            return m.fixes.clone();
        }
        let mut fixes: Vec<Fix> = with
            .zip(fitted.as_deref())
            .map(|(r, f)| self.replace_fix(format!("Replace `{written}` with `{r}`"), Edits::Here(f.into()), true))
            .into_iter()
            .collect();
        if all.len() > 1 {
            fixes.push(Fix { title: all_title.clone(), edits: all.clone().into(), preferred: false });
        }
        let fixes = self.share_fixes(fixes);
        self.replaced.push(Replaced {
            written,
            with: with.map(str::to_string),
            fitted,
            all: all.clone(),
            fixes: fixes.clone(),
        });
        fixes
    }

    fn edit(&self, i: usize, replacement: &str) -> Edit {
        let r = self.mentions[i].range.clone();
        Edit { text: fit(self.text, r.start, replacement).into(), range: r }
    }

    /// Mention `i` (the finding's own range) replaced with `replacement`.
    fn here(&self, i: usize, replacement: &str) -> Edits {
        Edits::Here(fit(self.text, self.mentions[i].range.start, replacement).into())
    }

    fn mixed_names(&mut self, actor: ActorId, own: &[usize]) {
        let mut families: Vec<&str> = own.iter().map(|&i| self.family(i)).collect();
        families.sort();
        families.dedup();
        if families.len() < 2 {
            // One family (if not the style's, the house-style rule speaks for that).
            return;
        }
        let styled = self.style.and_then(|s| s.prefer.get(&actor)).map(|p| p.name);
        let choice = self.choice(own);
        let (preferred_family, anchor): (String, Option<usize>) = match styled {
            Some(n) => {
                let fam = self.kb.name(n).family.clone();
                let first = own.iter().copied().find(|&i| self.family(i) == fam);
                (fam, first)
            }
            None => (self.family(choice).to_string(), Some(choice)),
        };
        let name = self.kb.actor(actor).name().to_string();
        let offenders: Vec<usize> = own.iter().copied().filter(|&i| self.family(i) != preferred_family).collect();
        // An introduction "X (Y)" is not an offence of X.
        let offenders: Vec<usize> = offenders
            .into_iter()
            .filter(|&i| !(i + 1 == choice && self.mentions[choice].voice == Voice::Gloss && styled.is_none()))
            .collect();
        if offenders.is_empty() {
            return;
        }
        let preferred_used: Vec<usize> = own.iter().copied().filter(|&i| self.family(i) == preferred_family).collect();
        // One replacement per shape (acronym or name), computed once.
        let mut by_shape: [Option<Option<String>>; 2] = [None, None];
        let replacements: Vec<Option<String>> = offenders
            .iter()
            .map(|&i| {
                let shape = usize::from(is_acronymish(self.kb, self.mentions[i].name));
                by_shape[shape]
                    .get_or_insert_with(|| self.replacement_in_family(actor, i, &preferred_family, &preferred_used))
                    .clone()
            })
            .collect();
        let all_edits: Arc<[Edit]> =
            offenders.iter().zip(&replacements).filter_map(|(&i, r)| r.as_ref().map(|r| self.edit(i, r))).collect();
        let pref_label = match (styled, anchor) {
            (Some(n), _) if self.style.is_some_and(|s| s.key == "custom") => {
                format!("the preferred `{}`", self.kb.name(n).text)
            }
            (Some(n), _) => format!("the house style's `{}`", self.kb.name(n).text),
            (None, Some(a)) => format!("`{}` (the name this story uses first)", self.spelled[a].text()),
            (None, None) => "the preferred name".to_string(),
        };
        // One list for every finding: an edit before them moves it once.
        let related: Arc<[Related]> = anchor
            .map(|a| Related {
                range: self.mentions[a].range.clone(),
                message: format!("first use of `{}`", self.spelled[a].text()).into(),
            })
            .into_iter()
            .collect();
        let all_title: Arc<str> =
            format!("Use the {preferred_family} family for {name} throughout ({} changes)", all_edits.len()).into();
        // One message for each spelling and family: shared by the findings that say the same.
        let mut said = Vec::new();
        for (&i, repl) in offenders.iter().zip(&replacements) {
            let (written, family) = (self.spelling_of(i), self.family(i));
            let message = said_once(&mut said, (written, family), || {
                format!(
                    "`{written}` and {pref_label} both name {name}, from different naming families ({family} and {preferred_family}); keep to one"
                )
            });
            let fixes = self.replace_fixes(i, repl.as_deref(), &all_title, &all_edits);
            self.out.push(Finding {
                rule: MIXED_NAMES,
                range: self.mentions[i].range.clone(),
                message,
                related: related.clone(),
                fixes,
            });
        }
    }

    fn variant_spelling(&mut self, own: &[usize]) {
        // Spellings that differ within one spelling group.
        let mut groups: Vec<(&SpellingRoot, Vec<usize>)> = Vec::new();
        for &i in own {
            let root = &self.spelled[i].root;
            match groups.iter_mut().find(|(r, _)| *r == root) {
                Some((_, v)) => v.push(i),
                None => groups.push((root, vec![i])),
            }
        }
        for (_, members) in &groups {
            // In a headline, "US" for the body's "U.S." is headline style, not another spelling.
            let keys: Vec<&str> = members.iter().map(|&i| self.spelled[i].key()).collect();
            // The first body mention of each dotless key (few per group: a linear list).
            let mut body_keys: Vec<(&str, usize)> = Vec::new();
            for (k, &i) in members.iter().enumerate() {
                let dotless = self.spelled[i].dotless();
                if self.mentions[i].body && !body_keys.iter().any(|(d, _)| *d == dotless) {
                    body_keys.push((dotless, k));
                }
            }
            let keys: Vec<&str> = members
                .iter()
                .enumerate()
                .map(|(k, &i)| match body_keys.iter().find(|(d, _)| *d == self.spelled[i].dotless()).map(|(_, b)| b) {
                    Some(&b) if !self.mentions[i].body => keys[b],
                    _ => keys[k],
                })
                .collect();
            if keys.iter().all(|k| *k == keys[0]) {
                continue;
            }
            let style_form = self
                .style
                .and_then(|s| s.prefer.get(&self.mentions[members[0]].actor()))
                .map(|p| spelling_key(&self.kb.name(p.name).text));
            let preferred = (0..members.len()).find(|&k| style_form.as_deref() == Some(keys[k])).unwrap_or(0);
            let pref_key = keys[preferred];
            let preferred = members[preferred];
            let pref_text = self.spelled[preferred].text().to_string();
            let offenders: Vec<usize> =
                members.iter().zip(&keys).filter(|(_, k)| **k != pref_key).map(|(&i, _)| i).collect();
            let all_edits: Arc<[Edit]> = offenders.iter().map(|&i| self.edit(i, &pref_text)).collect();
            let related: Arc<[Related]> = vec![Related {
                range: self.mentions[preferred].range.clone(),
                message: format!("`{pref_text}` here").into(),
            }]
            .into();
            let all_title: Arc<str> = format!("Spell it `{pref_text}` throughout ({} changes)", all_edits.len()).into();
            let mut said = Vec::new();
            for &i in &offenders {
                let written = self.spelling_of(i);
                let message = said_once(&mut said, written, || {
                    format!("`{written}` is spelled `{pref_text}` elsewhere in this story; keep to one spelling")
                });
                let fixes = self.replace_fixes(i, Some(&pref_text), &all_title, &all_edits);
                self.out.push(Finding {
                    rule: VARIANT_SPELLING,
                    range: self.mentions[i].range.clone(),
                    message,
                    related: related.clone(),
                    fixes,
                });
            }
        }
        // Capitals written in lower case.
        for &i in own {
            let n = self.kb.name(self.mentions[i].name);
            let written = self.written(i);
            if self.spelled[i].lowered {
                let fixed = fix_case(written, &n.text);
                self.out.push(Finding {
                    rule: VARIANT_SPELLING,
                    range: self.mentions[i].range.clone(),
                    message: format!(
                        "`{written}` is written with lower-case letters where the name has capitals: `{fixed}`"
                    )
                    .into(),
                    related: Vec::new().into(),
                    fixes: vec![self.replace_fix(format!("Capitalise as `{fixed}`"), Edits::Here(fixed.into()), true)]
                        .into(),
                });
            }
        }
    }

    fn acronyms(&mut self, actor: ActorId, all: &[usize], own: &[usize]) {
        let mut seen: Vec<String> = Vec::new();
        for &i in own {
            let m = &self.mentions[i];
            let n = self.kb.name(m.name);
            if n.form != AliasForm::Acronym || !n.expand || !self.mentions[i].body {
                continue;
            }
            let written = spelling(self.text, m);
            if seen.contains(&written) {
                continue;
            }
            seen.push(written.clone());
            let defined = all.iter().copied().take_while(|&j| j <= i + 1).any(|j| {
                let o = self.kb.name(self.mentions[j].name);
                o.family == n.family
                    && !is_acronymish(self.kb, self.mentions[j].name)
                    && o.lang == "en"
                    && (j < i || (j == i + 1 && self.text[m.range.end..self.mentions[j].range.start].trim() == "("))
            }) || all
                .iter()
                .copied()
                .any(|j| j < i && self.mentions[j].voice == Voice::Gloss && self.spelled[j].text() == written);
            if defined {
                continue;
            }
            let expansion = self.expansion(actor, m.name);
            let later = all.iter().copied().any(|j| {
                j > i && {
                    let o = self.kb.name(self.mentions[j].name);
                    o.family == n.family && !is_acronymish(self.kb, self.mentions[j].name)
                }
            });
            let message = match (&expansion, later) {
                (Some(e), true) => format!("`{written}` is used before the story spells it out ({e})"),
                (Some(e), false) => format!("`{written}` is never spelled out ({e})"),
                (None, _) => format!("`{written}` is never spelled out"),
            };
            let fixes = expansion
                .map(|e| {
                    let text = fit(self.text, m.range.start, &format!("{e} ({written})"));
                    vec![self.replace_fix(format!("Spell out: `{e} ({written})`"), Edits::Here(text.into()), true)]
                })
                .unwrap_or_default();
            self.out.push(Finding {
                rule: ACRONYM_BEFORE_DEFINITION,
                range: m.range.clone(),
                message: message.into(),
                related: Vec::new().into(),
                fixes: fixes.into(),
            });
        }
    }

    /// What an acronym stands for: its `of`, else the family's English full name, else the canonical name.
    fn expansion(&self, actor: ActorId, r: NameRef) -> Option<String> {
        let a = self.kb.actor(actor);
        let n = self.kb.name(r);
        if let Some(of) =
            n.of.as_ref()
                .filter(|of| a.names.iter().any(|x| &x.text == *of && x.form != AliasForm::Acronym && x.lang == "en"))
        {
            return Some(of.clone());
        }
        a.names
            .iter()
            .find(|x| x.family == n.family && x.form == AliasForm::Name && x.lang == "en")
            .or_else(|| a.names.first().filter(|x| x.family == n.family))
            .map(|x| x.text.clone())
    }

    /// Mention `m`, of an ambiguous alias.
    fn ambiguous(&mut self, m: &Mention) {
        let written = spelling(self.text, m);
        let mut actors = vec![m.actor()];
        actors.extend(m.others.iter().copied());
        let names: Vec<&str> = actors.iter().map(|&a| self.kb.actor(a).name()).collect();
        let here = |n: &str| Edits::Here(fit(self.text, m.range.start, n).into());
        let fixes = names.iter().map(|n| self.replace_fix(format!("Spell out as `{n}`"), here(n), false)).collect();
        self.out.push(Finding {
            rule: AMBIGUOUS_ALIAS,
            range: m.range.clone(),
            message: format!("`{written}` can stand for {}; spell out which one", join_or(&names)).into(),
            related: Vec::new().into(),
            fixes,
        });
    }

    fn house_style(&mut self, actor: ActorId, own: &[usize]) {
        let Some(style) = self.style else { return };
        let Some(pref) = style.prefer.get(&actor) else { return };
        let wanted = self.kb.name(pref.name).text.clone();
        let allowed: Vec<String> = std::iter::once(pref.name)
            .chain(pref.allow.iter().copied())
            .map(|r| self.kb.name(r).text.replace('’', "'"))
            .collect();
        let mixed: std::collections::HashSet<usize> =
            self.out.iter().filter(|f| f.rule == MIXED_NAMES).map(|f| f.range.start).collect();
        for &i in own {
            let written = self.spelled[i].text().to_string();
            let already = mixed.contains(&self.mentions[i].range.start);
            if allowed.contains(&written) || already {
                continue;
            }
            self.out.push(Finding {
                rule: HOUSE_STYLE,
                range: self.mentions[i].range.clone(),
                message: format!("{} style writes `{wanted}`", style.name).into(),
                related: Vec::new().into(),
                fixes: vec![self.replace_fix(
                    format!("Replace `{written}` with `{wanted}`"),
                    self.here(i, &wanted),
                    true,
                )]
                .into(),
            });
        }
    }
}

/// The message said for `key`, made by `make` the first time and shared after that: the findings
/// of an actor named thousands of times say a few different things.
fn said_once<K: PartialEq>(said: &mut Vec<(K, Arc<str>)>, key: K, make: impl FnOnce() -> String) -> Arc<str> {
    if let Some((_, m)) = said.iter().find(|(k, _)| *k == key) {
        return m.clone();
    }
    let m: Arc<str> = make().into();
    said.push((key, m.clone()));
    m
}

/// `written` with the capitals of `name` restored, letter by letter where they line up.
fn fix_case(written: &str, name: &str) -> String {
    let mut caps = case_signature(name);
    written
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                match caps.next() {
                    Some(n) if n.is_uppercase() && c.is_lowercase() => c.to_uppercase().next().unwrap_or(c),
                    _ => c,
                }
            } else {
                c
            }
        })
        .collect()
}

fn join_or(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [a] => a.to_string(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A lower-cased spelling without its leading article: what [`spelling_key`] gives.
    fn without_article(mut key: String) -> String {
        for article in ["al-", "al ", "el-", "el ", "ar-", "as-", "ash-", "the "] {
            if key.starts_with(article) {
                key.drain(..article.len());
                break;
            }
        }
        key
    }

    proptest::proptest! {
        /// The shortcuts for the common case (an ASCII mention written as its name is) give what
        /// the general rules give.
        #[test]
        fn shortcuts_agree_with_the_general_rules(
            a in "(al-|al |el |the |ash-|[aAiIsS `'’.\t\nİéا-]){0,8}",
            b in "[aAiIsS `'’.\t\nİéا-]{0,12}",
        ) {
            proptest::prop_assert_eq!(spelling_of(&a), normalised_spelling(&a));
            proptest::prop_assert_eq!(spelling_key(&a), without_article(a.to_lowercase()));
            let (both, split) = spelling_and_key(&a);
            proptest::prop_assert_eq!(&both[..split], spelling_of(&a));
            proptest::prop_assert_eq!(&both[split..], spelling_key(&spelling_of(&a)));
            proptest::prop_assert_eq!(lowered_capitals(&a, &b), lowered_capitals_of_other(&a, &b));
            proptest::prop_assert_eq!(lowered_capitals(&a, &a), lowered_capitals_of_other(&a, &a));
        }
    }

    /// The ambiguous-alias findings of `text`, as (range, message, fix titles).
    fn ambiguous_in(a: &crate::analysis::Analysis) -> Vec<(Range<usize>, String, Vec<String>)> {
        let found = a.findings.iter().filter(|f| f.rule == AMBIGUOUS_ALIAS);
        found
            .map(|f| (f.range.clone(), f.message.to_string(), f.fixes.iter().map(|x| x.title.to_string()).collect()))
            .collect()
    }

    #[test]
    fn an_ambiguous_alias_is_reported_where_it_is_with_a_fix_for_each_actor() {
        use crate::analysis::{analyze, reanalyze, Settings};
        let kb = KnowledgeBase::builtin().unwrap();
        let settings = Settings::new(crate::text::markdown::Flavor::Markdown);
        let text = "Rebels held the town.\n\nThe SNC met in Istanbul on Monday.\n\nThe army shelled it.";
        let found = ambiguous_in(&analyze(&kb, text, &settings));
        assert_eq!(found.len(), 1, "{found:?}");
        let (range, message, fixes) = &found[0];
        assert_eq!(&text[range.clone()], "SNC");
        assert!(message.starts_with("`SNC` can stand for "), "{message}");
        for name in ["Syrian National Council", "High Negotiations Committee"] {
            assert!(message.contains(name), "{message}");
            assert!(fixes.contains(&format!("Spell out as `{name}`")), "{fixes:?}");
        }
        // After an edit in its paragraph (judged again) and one before it (moved), it is where the
        // text now has it.
        let a = analyze(&kb, text, &settings);
        for (at, insert) in [(text.find("met").unwrap(), "quietly "), (0, "Overnight, ")] {
            let mut edited = text.to_string();
            edited.insert_str(at, insert);
            let again = ambiguous_in(&reanalyze(&kb, &a, text, &edited, &settings));
            assert_eq!(again, ambiguous_in(&analyze(&kb, &edited, &settings)));
            assert_eq!(&edited[again[0].0.clone()], "SNC");
        }
    }

    #[test]
    fn rule_levels_apply_to_every_naming_finding_afresh_and_after_an_edit() {
        use crate::analysis::{analyze, reanalyze, Levels, Settings, Severity};
        let kb = KnowledgeBase::builtin().unwrap();
        let text = "ISIS fighters left. The SNC met.\n\nThe Islamic State returned. ISIL came back.";
        let severities = |a: &crate::analysis::Analysis| -> Vec<(&'static str, Severity)> {
            a.findings.iter().filter(|f| f.code().starts_with("naming/")).map(|f| (f.code(), f.severity())).collect()
        };
        for (pattern, level) in [("naming", "error"), ("naming/ambiguous-alias", "off")] {
            let mut levels = Levels::default();
            levels.set(pattern, level).unwrap();
            let settings = Settings { levels, ..Settings::new(crate::text::markdown::Flavor::Markdown) };
            let a = analyze(&kb, text, &settings);
            let mut edited = text.to_string();
            edited.insert_str(text.find("met").unwrap(), "quietly ");
            let again = reanalyze(&kb, &a, text, &edited, &settings);
            for found in [severities(&a), severities(&again)] {
                let ambiguous = found.iter().filter(|(c, _)| *c == "naming/ambiguous-alias").count();
                if level == "off" {
                    assert_eq!(ambiguous, 0, "{found:?}");
                } else {
                    assert!(ambiguous == 1 && found.len() > 1, "{found:?}");
                    assert!(found.iter().all(|(_, s)| *s == Severity::Error), "{found:?}");
                }
            }
        }
    }
}
