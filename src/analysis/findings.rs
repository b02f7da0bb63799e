//! Findings: what the rules report, with their fixes, independent of any output format.

use std::borrow::Cow;
use std::ops::Range;
use std::sync::Arc;

use crate::text::Changed;

/// How serious a finding is (the LSP severities).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Information,
    Hint,
}

impl Severity {
    pub fn label(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Information => "information",
            Severity::Hint => "hint",
        }
    }

    /// Parses `error`, `warning`, `information` (or `info`) and `hint`.
    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "error" => Some(Severity::Error),
            "warning" => Some(Severity::Warning),
            "information" | "info" => Some(Severity::Information),
            "hint" => Some(Severity::Hint),
            _ => None,
        }
    }
}

/// A rule: its stable code, default severity and one-line summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub code: &'static str,
    pub severity: Severity,
    pub summary: &'static str,
}

pub const MIXED_NAMES: Rule = Rule {
    code: "naming/mixed-names",
    severity: Severity::Warning,
    summary: "one actor is called by names from more than one naming family",
};
pub const VARIANT_SPELLING: Rule = Rule {
    code: "naming/variant-spelling",
    severity: Severity::Warning,
    summary: "one name is spelled or capitalised in more than one way",
};
pub const ACRONYM_BEFORE_DEFINITION: Rule = Rule {
    code: "naming/acronym-before-definition",
    severity: Severity::Information,
    summary: "an acronym is used before the story spells it out, or never spelled out",
};
pub const AMBIGUOUS_ALIAS: Rule = Rule {
    code: "naming/ambiguous-alias",
    severity: Severity::Information,
    summary: "a name that stands for several actors",
};
pub const HOUSE_STYLE: Rule = Rule {
    code: "naming/house-style",
    severity: Severity::Hint,
    summary: "the configured house style prefers another name",
};
pub const CROSS_STORY: Rule = Rule {
    code: "naming/cross-story",
    severity: Severity::Information,
    summary: "stories checked together call one actor by names from different naming families",
};

pub const UNSOURCED_CLAIM: Rule = Rule {
    code: "attribution/unsourced-claim",
    severity: Severity::Warning,
    summary: "a contested claim (casualties, battlefield gains, accusations, atrocities) with no source nearby",
};
pub const HEDGED: Rule = Rule {
    code: "attribution/hedged",
    severity: Severity::Warning,
    summary: "an agentless or hedged report standing in for a source",
};
pub const WEASEL: Rule =
    Rule { code: "attribution/weasel", severity: Severity::Warning, summary: "opinion attributed to an unnamed group" };
pub const UNSOURCED_QUOTE: Rule = Rule {
    code: "attribution/unsourced-quote",
    severity: Severity::Warning,
    summary: "a quotation of four words or more with no speaker nearby",
};
pub const VAGUE_SOURCE: Rule = Rule {
    code: "attribution/vague-source",
    severity: Severity::Information,
    summary: "the only source of a claim is vague (activists, sources, officials)",
};
pub const STYLE_VAGUE: Rule = Rule {
    code: "style/vague",
    severity: Severity::Hint,
    summary: "words that blur a claim: modal hedges, vague quantities, puffery",
};

pub const UNUSED_SUPPRESSION: Rule = Rule {
    code: "suppression/unused",
    severity: Severity::Hint,
    summary: "a suppression comment (or one of its codes) that suppresses nothing",
};
pub const UNKNOWN_CODE: Rule = Rule {
    code: "suppression/unknown-code",
    severity: Severity::Warning,
    summary: "a suppression comment names a code that is no rule's",
};

/// Every rule, in documentation order.
pub const RULES: &[Rule] = &[
    MIXED_NAMES,
    VARIANT_SPELLING,
    ACRONYM_BEFORE_DEFINITION,
    AMBIGUOUS_ALIAS,
    HOUSE_STYLE,
    CROSS_STORY,
    UNSOURCED_CLAIM,
    HEDGED,
    WEASEL,
    UNSOURCED_QUOTE,
    VAGUE_SOURCE,
    STYLE_VAGUE,
    UNUSED_SUPPRESSION,
    UNKNOWN_CODE,
];

/// One replacement in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub range: Range<usize>,
    pub text: Arc<str>,
}

/// The edits of a fix. Most fixes replace the finding's own text: that edit is kept without a
/// range (it moves with the finding, and the findings that offer the same replacement share one
/// list of fixes, which an edit before them moves once). Other fixes make one edit elsewhere; a
/// "replace all" fix offers the same list on every finding it is attached to, shared.
#[derive(Debug, Clone, Eq)]
pub enum Edits {
    /// Replace the finding's range with this text.
    Here(Arc<str>),
    One(Edit),
    Shared(Arc<[Edit]>),
}

impl Edits {
    /// The edits, for a finding at `here`.
    pub fn at(&self, here: &Range<usize>) -> Cow<'_, [Edit]> {
        match self {
            Edits::Here(text) => Cow::Owned(vec![Edit { range: here.clone(), text: text.clone() }]),
            Edits::One(e) => Cow::Borrowed(std::slice::from_ref(e)),
            Edits::Shared(list) => Cow::Borrowed(list),
        }
    }

    /// The list, when several findings share it (a "replace all" fix of more than one edit).
    pub fn shared(&self) -> Option<&Arc<[Edit]>> {
        match self {
            Edits::Shared(list) if list.len() > 1 => Some(list),
            _ => None,
        }
    }

    /// Whether an edit that ends at `at` moves any of these edits' own ranges (the finding's
    /// range moves with the finding).
    fn moves(&self, at: usize) -> bool {
        match self {
            Edits::Here(_) => false,
            Edits::One(e) => e.range.start >= at,
            Edits::Shared(list) => list.last().is_some_and(|e| e.range.start >= at),
        }
    }
}

/// Edits are equal when they make the same edits (a shared list is compared by address first).
impl PartialEq for Edits {
    fn eq(&self, other: &Edits) -> bool {
        match (self, other) {
            (Edits::Here(a), Edits::Here(b)) => a == b,
            (Edits::One(a), Edits::One(b)) => a == b,
            (Edits::Shared(a), Edits::Shared(b)) => Arc::ptr_eq(a, b) || a == b,
            _ => false,
        }
    }
}

impl From<Vec<Edit>> for Edits {
    fn from(edits: Vec<Edit>) -> Edits {
        match <[Edit; 1]>::try_from(edits) {
            Ok([e]) => Edits::One(e),
            Err(edits) => Edits::Shared(edits.into()),
        }
    }
}

impl From<Arc<[Edit]>> for Edits {
    fn from(list: Arc<[Edit]>) -> Edits {
        Edits::Shared(list)
    }
}

/// What [`Finding::moved`] has moved already for the findings before, by the address of the
/// original: lists that several findings share (of fixes, of edits, of related places) are moved
/// once and stay shared.
#[derive(Default)]
pub struct Moves {
    edits: Vec<(*const Edit, Arc<[Edit]>)>,
    fixes: Vec<(*const Fix, Arc<[Fix]>)>,
    related: Vec<(*const Related, Arc<[Related]>)>,
}

/// A fix the user can apply: a title and the edits it makes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    pub title: Arc<str>,
    pub edits: Edits,
    /// The fix to apply when the user asks for "the" fix.
    pub preferred: bool,
}

/// Another place in the text that explains a finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Related {
    pub range: Range<usize>,
    pub message: Arc<str>,
}

/// One thing a rule found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub rule: Rule,
    pub range: Range<usize>,
    /// Shared text (like the titles and texts of fixes): findings are copied and moved after each
    /// edit, and a copy then costs no allocation for them.
    pub message: Arc<str>,
    pub related: Arc<[Related]>,
    pub fixes: Arc<[Fix]>,
}

impl Finding {
    pub fn code(&self) -> &'static str {
        self.rule.code
    }

    pub fn severity(&self) -> Severity {
        self.rule.severity
    }

    /// Whether any of the finding's ranges starts at or after `at` (the edits of a fix are in text
    /// order).
    pub fn reaches(&self, at: usize) -> bool {
        self.range.start >= at
            || self.related.iter().any(|r| r.range.start >= at)
            || self.fixes.iter().any(|f| f.edits.moves(at))
    }

    /// A copy for the text after the edit `changed`: ranges that start at or after the changed
    /// bytes move with them, the others stay (no range may straddle them). The lists of fixes and
    /// of edits that several findings share are moved once, through `moves`, and stay shared.
    pub fn moved(&self, changed: &Changed, moves: &mut Moves) -> Finding {
        let at = changed.old_end;
        if changed.new_end == at || !self.reaches(at) {
            // Nothing moves: the copy shares everything.
            return self.clone();
        }
        let move_edit = |e: &Edit| Edit { range: changed.forward(&e.range), text: e.text.clone() };
        let move_fixes = |moves: &mut Vec<(*const Edit, Arc<[Edit]>)>| -> Arc<[Fix]> {
            self.fixes
                .iter()
                .map(|f| {
                    let edits = match &f.edits {
                        Edits::One(e) if f.edits.moves(at) => Edits::One(move_edit(e)),
                        Edits::Shared(list) if f.edits.moves(at) => {
                            Edits::Shared(moved_list(moves, list, || list.iter().map(move_edit).collect()))
                        }
                        unmoved => unmoved.clone(),
                    };
                    Fix { title: f.title.clone(), edits, preferred: f.preferred }
                })
                .collect()
        };
        let fixes = if !self.fixes.iter().any(|f| f.edits.moves(at)) {
            self.fixes.clone()
        } else if self.fixes.iter().all(|f| matches!(f.edits, Edits::One(_))) {
            // Edits elsewhere than the finding's own text, and not shared: a list of its own.
            move_fixes(&mut moves.edits)
        } else {
            moved_list(&mut moves.fixes, &self.fixes, || move_fixes(&mut moves.edits))
        };
        let related = if !self.related.iter().any(|r| r.range.start >= at) {
            self.related.clone()
        } else {
            moved_list(&mut moves.related, &self.related, || {
                self.related
                    .iter()
                    .map(|r| Related { range: changed.forward(&r.range), message: r.message.clone() })
                    .collect()
            })
        };
        Finding { rule: self.rule, range: changed.forward(&self.range), message: self.message.clone(), related, fixes }
    }

    /// Moves every range of the finding by `by` bytes.
    pub fn shift(&mut self, by: usize) {
        if by != 0 {
            // As if `by` bytes were inserted before the text.
            *self = self.moved(&Changed { at: 0, old_end: 0, new_end: by }, &mut Moves::default());
        }
    }
}

/// The moved copy of `list`, which several findings may share: the one in `memo` when `list` was
/// moved before, else the one `move_list` makes, kept in `memo`.
fn moved_list<T>(
    memo: &mut Vec<(*const T, Arc<[T]>)>,
    list: &Arc<[T]>,
    move_list: impl FnOnce() -> Arc<[T]>,
) -> Arc<[T]> {
    if let Some((_, moved)) = memo.iter().find(|(k, _)| *k == list.as_ptr()) {
        return moved.clone();
    }
    let moved = move_list();
    memo.push((list.as_ptr(), moved.clone()));
    moved
}

/// Sorts findings in text order, ties by code (a stable sort: the rules' order stays for the rest).
pub fn sort_in_text_order(findings: &mut [Finding]) {
    findings.sort_by(|a, b| a.range.start.cmp(&b.range.start).then(a.rule.code.cmp(b.rule.code)));
}

/// The edits made since a list of findings was made, oldest first: read through them, the list's
/// ranges are those of the text now, so that an edit moves a list without copying it (a 1 MB
/// story's naming findings are thousands, and moving each after every keystroke, with the three
/// shared texts it holds, was a third of the keystroke). Typing at one place keeps one edit: an
/// edit over or next to the bytes the edit before it wrote is one edit with it, and an edit
/// undone is none.
#[derive(Debug, Clone, Default)]
pub struct Drift(Option<Arc<[Changed]>>);

/// A list of findings gets its own copy, moved, once its drift holds this many edits.
const MAX_DRIFT: usize = 8;

impl Drift {
    /// The edits, oldest first.
    fn steps(&self) -> &[Changed] {
        self.0.as_deref().unwrap_or(&[])
    }

    /// Where a range of the list, which no edit since touched, lies now.
    pub fn range(&self, r: &Range<usize>) -> Range<usize> {
        self.steps().iter().fold(r.clone(), |r, c| c.forward(&r))
    }

    /// This drift, then `c`.
    fn then(&self, c: &Changed) -> Drift {
        let mut steps = self.steps().to_vec();
        match steps.last_mut() {
            // Bytes that overlap or touch those the last edit wrote: one edit with it, over the
            // bytes of the two (nothing the list holds lies there, or they would have touched it).
            Some(last) if c.at <= last.new_end && c.old_end >= last.at => {
                *last = Changed {
                    at: last.at.min(c.at),
                    old_end: last.old_end + c.old_end.saturating_sub(last.new_end),
                    new_end: c.new_end + last.new_end.saturating_sub(c.old_end),
                };
                if last.new_end == last.old_end {
                    // Undone: nothing moves.
                    steps.pop();
                }
            }
            _ if c.new_end == c.old_end => {}
            _ => steps.push(*c),
        }
        Drift((!steps.is_empty()).then(|| steps.into()))
    }
}

/// A list of findings as a rule made it, and the edits made since ([`Drift`]).
#[derive(Debug, Clone, Default)]
pub struct Listed {
    findings: Arc<[Finding]>,
    drift: Drift,
}

impl From<Arc<[Finding]>> for Listed {
    fn from(findings: Arc<[Finding]>) -> Listed {
        Listed { findings, drift: Drift::default() }
    }
}

impl From<Vec<Finding>> for Listed {
    fn from(findings: Vec<Finding>) -> Listed {
        Listed::from(Arc::<[Finding]>::from(findings))
    }
}

impl Listed {
    pub fn len(&self) -> usize {
        self.findings.len()
    }

    pub fn is_empty(&self) -> bool {
        self.findings.is_empty()
    }

    /// Finding `k`, where it lies now.
    pub fn placed(&self, k: usize) -> Placed<'_> {
        Placed { finding: &self.findings[k], drift: &self.drift }
    }

    /// The findings, where they lie now.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = Placed<'_>> + '_ {
        self.findings.iter().map(|finding| Placed { finding, drift: &self.drift })
    }

    /// The list after the edit `changed`, which touched none of its findings: the same list with
    /// one more edit to read it through, or, once that makes too many, a moved copy.
    pub fn moved(&self, changed: &Changed) -> Listed {
        let moved = Listed { findings: self.findings.clone(), drift: self.drift.then(changed) };
        if moved.drift.steps().len() <= MAX_DRIFT {
            return moved;
        }
        Listed::from(moved.to_vec())
    }

    /// The findings with every range where it lies now: moved edit by edit, the lists that
    /// several of them share moved once per edit and still shared.
    pub fn to_vec(&self) -> Vec<Finding> {
        self.part(0..self.len())
    }

    /// [`Listed::to_vec`] of the findings `which` (indices).
    fn part(&self, which: Range<usize>) -> Vec<Finding> {
        let mut findings: Vec<Finding> = self.findings[which].to_vec();
        for c in self.drift.steps() {
            let mut moves = Moves::default();
            for f in &mut findings {
                *f = f.moved(c, &mut moves);
            }
        }
        findings
    }
}

/// Lists are equal when their findings read the same where they lie now.
impl PartialEq for Listed {
    fn eq(&self, other: &Listed) -> bool {
        self.len() == other.len() && self.iter().zip(other.iter()).all(|(a, b)| *a.moved() == *b.moved())
    }
}

impl Eq for Listed {}

/// A finding of a [`Listed`] and where it lies now: its rule and texts are the finding's own, its
/// ranges are read through the list's drift.
#[derive(Debug, Clone, Copy)]
pub struct Placed<'a> {
    /// The finding as the rule made it (its ranges may be those of an earlier text).
    pub finding: &'a Finding,
    drift: &'a Drift,
}

impl<'a> Placed<'a> {
    pub fn code(&self) -> &'static str {
        self.finding.rule.code
    }

    /// The finding's range now.
    pub fn range(&self) -> Range<usize> {
        self.drift.range(&self.finding.range)
    }

    /// Where related place `j` lies now.
    pub fn related_range(&self, j: usize) -> Range<usize> {
        self.drift.range(&self.finding.related[j].range)
    }

    /// The finding with every range where it lies now.
    pub fn moved(&self) -> Cow<'a, Finding> {
        match self.drift.steps() {
            [] => Cow::Borrowed(self.finding),
            steps => {
                let mut moves = Moves::default();
                let mut f = self.finding.moved(&steps[0], &mut moves);
                for c in &steps[1..] {
                    f = f.moved(c, &mut Moves::default());
                }
                Cow::Owned(f)
            }
        }
    }
}

/// A list in text order kept in pieces of about [`CHUNK`] findings: after an edit, only the piece
/// it falls in is made again, and the pieces after it are moved without copying
/// ([`Listed::moved`]). The attribution findings of a story are kept so.
#[derive(Debug, Clone, Default)]
pub struct Chunked(Vec<Listed>);

/// How many findings a piece of a [`Chunked`] list holds when it is cut.
const CHUNK: usize = 64;

impl Chunked {
    /// `findings`, in text order, cut into pieces.
    pub fn new(findings: Vec<Finding>) -> Chunked {
        let mut pieces = Vec::with_capacity(findings.len().div_ceil(CHUNK));
        Chunked::cut(findings, &mut pieces);
        Chunked(pieces)
    }

    fn cut(findings: Vec<Finding>, into: &mut Vec<Listed>) {
        let mut findings = findings.into_iter().peekable();
        while findings.peek().is_some() {
            into.push(Listed::from(findings.by_ref().take(CHUNK).collect::<Vec<_>>()));
        }
    }

    /// The pieces, in text order.
    pub fn pieces(&self) -> &[Listed] {
        &self.0
    }

    /// The findings, where they lie now.
    pub fn placed_iter(&self) -> impl Iterator<Item = Placed<'_>> + '_ {
        self.0.iter().flat_map(Listed::iter)
    }

    /// How many findings there are.
    pub fn len(&self) -> usize {
        self.0.iter().map(Listed::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// After the edit `changed`: the findings that start before `before` as they are, then
    /// `middle` (in text order, of the text after the edit), then, when `from` is given, those
    /// that start at or after it (an offset of the text before the edit) moved by the edit. Only
    /// the pieces that hold findings on both sides of `before` or `from` are copied.
    pub fn spliced(&self, before: usize, middle: Vec<Finding>, from: Option<usize>, changed: &Changed) -> Chunked {
        let start = |l: &Listed, k: usize| l.placed(k).range().start;
        let mut out: Vec<Listed> = Vec::with_capacity(self.0.len() + 1);
        let mut mid: Vec<Finding> = Vec::new();
        let mut i = 0;
        // The pieces wholly before `before`, and the part before it of the piece that reaches it.
        while let Some(l) = self.0.get(i) {
            if start(l, l.len() - 1) < before {
                out.push(l.clone());
                i += 1;
                continue;
            }
            mid.extend(l.part(0..l.iter().take_while(|p| p.range().start < before).count()));
            break;
        }
        mid.extend(middle);
        let mut after: Vec<Listed> = Vec::new();
        if let Some(from) = from {
            // The pieces wholly from `from` on, moved, and the part from it of the piece that
            // reaches it (the first one, at `i` or later, with a finding that starts there).
            let mut k = self.0.len();
            while k > i && start(&self.0[k - 1], 0) >= from {
                k -= 1;
            }
            if k > i {
                let l = &self.0[k - 1];
                let n = l.iter().take_while(|p| p.range().start < from).count();
                mid.extend(l.moved(changed).part(n..l.len()));
            }
            after.extend(self.0[k..].iter().map(|l| l.moved(changed)));
        }
        if mid.len() > 2 * CHUNK {
            Chunked::cut(mid, &mut out);
        } else if !mid.is_empty() {
            out.push(Listed::from(mid));
        }
        out.append(&mut after);
        let spliced = Chunked(out);
        // Small pieces, one per edit at a new place, are put together again once they are many.
        if spliced.0.len() > 8 + 4 * spliced.len().div_ceil(CHUNK) {
            return Chunked::new(spliced.0.iter().flat_map(Listed::to_vec).collect());
        }
        spliced
    }
}

/// Lists are equal when they hold the same findings where they lie now, however they are cut.
impl PartialEq for Chunked {
    fn eq(&self, other: &Chunked) -> bool {
        self.len() == other.len() && self.placed_iter().zip(other.placed_iter()).all(|(a, b)| a.moved() == b.moved())
    }
}

impl Eq for Chunked {}

/// The findings of a story in text order, kept as the lists the rules made them in (one per
/// actor for the naming rules, the pieces of the attribution rules' ([`Chunked`]), one for the
/// suppression comments) and the order to read them in. After an edit most of those lists are the ones of the analysis
/// before, shared and read through the edit ([`Listed`]): putting the story's findings in order
/// copies none of them (a 1 MB story has 2,557, and a copy of each touched its three shared texts
/// on every keystroke), only small keys.
#[derive(Debug, Clone, Default)]
pub struct Findings {
    lists: Vec<Listed>,
    /// (list, index in it) of each finding, in text order.
    order: Vec<(u32, u32)>,
    /// Whether `order` holds every finding of `lists` (none was suppressed).
    whole: bool,
}

impl Findings {
    /// The findings of `lists`, one after the other, in the order [`sort_in_text_order`] puts
    /// them (ties keep the order of the lists and the order within each): by sorting small keys
    /// that tell every finding apart, so that an unstable sort is exact.
    pub fn merged(lists: impl IntoIterator<Item = Listed>) -> Findings {
        let lists: Vec<Listed> = lists.into_iter().filter(|l| !l.is_empty()).collect();
        let mut keys: Vec<(usize, &str, u32, u32)> = Vec::with_capacity(lists.iter().map(|l| l.len()).sum());
        for (i, l) in lists.iter().enumerate() {
            keys.extend(l.iter().enumerate().map(|(j, f)| (f.range().start, f.code(), i as u32, j as u32)));
        }
        keys.sort_unstable();
        let order = keys.into_iter().map(|(_, _, i, j)| (i, j)).collect();
        Findings { lists, order, whole: true }
    }

    /// [`Findings::merged`] for the analysis after an edit, whose lists are mostly those of
    /// `before` (the same lists, read through the edit): their findings keep the order they had
    /// there (an edit moves none of them past another), and only the findings of the lists new
    /// since are sorted and put in among them, each by a binary search. Everything is sorted
    /// afresh when `before` lacks findings of its lists (suppressed) or holds its lists in
    /// another order than now (ties between lists are broken by their order).
    pub fn merged_after(lists: impl IntoIterator<Item = Listed>, before: &Findings) -> Findings {
        let lists: Vec<Listed> = lists.into_iter().filter(|l| !l.is_empty()).collect();
        if !before.whole {
            return Findings::merged(lists);
        }
        // The lists of `before` by address, and where each one is now.
        let mut was: Vec<(*const Finding, u32)> =
            before.lists.iter().enumerate().map(|(i, l)| (l.findings.as_ptr(), i as u32)).collect();
        was.sort_unstable();
        if was.windows(2).any(|w| w[0].0 == w[1].0) {
            return Findings::merged(lists);
        }
        let mut now: Vec<Option<u32>> = vec![None; before.lists.len()];
        let mut new_lists: Vec<u32> = Vec::new();
        let mut last: Option<u32> = None;
        for (i, l) in lists.iter().enumerate() {
            match was.binary_search_by_key(&l.findings.as_ptr(), |&(p, _)| p) {
                Ok(k) => {
                    let old = was[k].1;
                    if last.is_some_and(|last| last >= old) {
                        return Findings::merged(lists);
                    }
                    last = Some(old);
                    now[old as usize] = Some(i as u32);
                }
                Err(_) => new_lists.push(i as u32),
            }
        }
        let kept: Vec<(u32, u32)> = before.order.iter().filter_map(|&(old, j)| Some((now[old as usize]?, j))).collect();
        let order = put_in(&lists, &kept, &new_lists);
        Findings { lists, order, whole: true }
    }

    /// How many findings there are.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// The `k`th finding in text order, where it lies.
    pub fn placed(&self, k: usize) -> Option<Placed<'_>> {
        self.order.get(k).map(|&(i, j)| self.lists[i as usize].placed(j as usize))
    }

    /// The findings in text order, where they lie (their ranges read through the edits since
    /// they were made, without copying them).
    pub fn placed_iter(&self) -> impl DoubleEndedIterator<Item = Placed<'_>> + ExactSizeIterator + Clone + '_ {
        self.order.iter().map(|&(i, j)| self.lists[i as usize].placed(j as usize))
    }

    /// The findings in text order, each with its ranges where they lie now: a copy of those an
    /// edit since moved.
    pub fn iter(&self) -> Iter<'_> {
        Iter { lists: &self.lists, order: self.order.iter() }
    }

    /// Keeps only the findings for which `keep` holds (called once each, in text order).
    pub fn retain(&mut self, mut keep: impl FnMut(Placed<'_>) -> bool) {
        let (lists, len) = (&self.lists, self.order.len());
        self.order.retain(|&(i, j)| keep(lists[i as usize].placed(j as usize)));
        self.whole &= self.order.len() == len;
    }

    /// Adds `more` (in any order): each goes where [`sort_in_text_order`] would put it, after the
    /// findings already there that start at the same place with the same code.
    pub fn add(&mut self, more: Vec<Finding>) {
        if more.is_empty() {
            return;
        }
        // (The new list comes last: ties with the findings kept put it after them.)
        self.lists.push(more.into());
        self.order = put_in(&self.lists, &self.order, &[(self.lists.len() - 1) as u32]);
    }

    /// The findings where they lie now, copied into one list.
    pub fn to_vec(&self) -> Vec<Finding> {
        self.iter().map(Cow::into_owned).collect()
    }
}

/// `kept`, findings of `lists` in text order (by [`Findings::merged`]'s keys), with every finding of
/// the lists `new` put in where those keys say, each by a search from where the one before went:
/// galloping, then binary, so that a few findings cost a few binary searches and many (an actor
/// with thousands judged again) about one pass over `kept`.
fn put_in(lists: &[Listed], kept: &[(u32, u32)], new: &[u32]) -> Vec<(u32, u32)> {
    let key = |(i, j): (u32, u32)| {
        let f = lists[i as usize].placed(j as usize);
        (f.range().start, f.code(), i, j)
    };
    let mut added: Vec<(usize, &str, u32, u32)> = Vec::new();
    for &i in new {
        added.extend((0..lists[i as usize].len() as u32).map(|j| key((i, j))));
    }
    added.sort_unstable();
    let mut order = Vec::with_capacity(kept.len() + added.len());
    let mut from = 0;
    for a in added {
        // The first of `kept[from..]` not before `a` lies within `kept[from..from + step]` once
        // the entry at `from + step - 1` is not before it.
        let rest = &kept[from..];
        let mut step = 1;
        while step < rest.len() && key(rest[step - 1]) < a {
            step *= 2;
        }
        let window = &rest[step / 2..step.min(rest.len())];
        let at = from + step / 2 + window.partition_point(|&e| key(e) < a);
        order.extend_from_slice(&kept[from..at]);
        order.push((a.2, a.3));
        from = at;
    }
    order.extend_from_slice(&kept[from..]);
    order
}

impl From<Vec<Finding>> for Findings {
    /// `findings`, in text order already.
    fn from(findings: Vec<Finding>) -> Findings {
        let order = (0..findings.len() as u32).map(|j| (0, j)).collect();
        Findings { lists: vec![findings.into()], order, whole: true }
    }
}

/// Findings are equal when they read the same, in the same order, however they are kept.
impl PartialEq for Findings {
    fn eq(&self, other: &Findings) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl Eq for Findings {}

impl<'a> IntoIterator for &'a Findings {
    type Item = Cow<'a, Finding>;
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

/// The findings of a [`Findings`] in text order, each where it lies now.
pub struct Iter<'a> {
    lists: &'a [Listed],
    order: std::slice::Iter<'a, (u32, u32)>,
}

impl<'a> Iterator for Iter<'a> {
    type Item = Cow<'a, Finding>;

    fn next(&mut self) -> Option<Cow<'a, Finding>> {
        self.order.next().map(|&(i, j)| self.lists[i as usize].placed(j as usize).moved())
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.order.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn at(start: usize, rule: Rule, tag: usize) -> Finding {
        let message = format!("{tag}").into();
        Finding { rule, range: start..start + 1, message, related: Vec::new().into(), fixes: Vec::new().into() }
    }

    proptest! {
        /// Reading offsets through a drift puts them where moving them edit by edit does: edits
        /// that never touch them, at random places or next to the edit before (typing, deleting
        /// back, undoing).
        #[test]
        fn a_drift_moves_offsets_as_the_edits_do(
            points in proptest::collection::vec(0usize..200, 1..12),
            edits in proptest::collection::vec((any::<bool>(), 0usize..200, 0usize..4, 0usize..4), 1..30),
        ) {
            let mut len = 200;
            let mut now: Vec<usize> = points.clone();
            let mut drift = Drift::default();
            let mut last_end = 0usize;
            for (near, at, del, ins) in edits {
                // Next to the last edit's end or anywhere; deleting no offset a finding starts at.
                let at = if near { last_end.saturating_sub(del).min(len) } else { at.min(len) };
                let old_end = (at + del).min(len);
                let c = Changed { at, old_end, new_end: at + ins };
                if now.iter().any(|&p| p >= at && p < old_end && old_end > at) {
                    continue;
                }
                now = now.iter().map(|&p| c.forward(&(p..p)).start).collect();
                drift = drift.then(&c);
                len = len - (old_end - at) + ins;
                last_end = c.new_end;
                let read: Vec<usize> = points.iter().map(|&p| drift.range(&(p..p)).start).collect();
                prop_assert_eq!(&read, &now, "{:?}", drift);
            }
        }

        /// Splicing a chunked list after edits gives what splicing one plain list does: the
        /// findings before the edit, the new ones, those after it moved, however the pieces fall
        /// (edits inside a piece, across pieces, between them; pieces put together again).
        #[test]
        fn a_chunked_list_splices_as_a_plain_one(
            starts in proptest::collection::vec(0usize..2000, 0..300),
            edits in proptest::collection::vec((0usize..2000, 0usize..40, 0usize..40, 0usize..4, any::<bool>()), 1..60),
        ) {
            let mut tag = 0;
            let mut next = |start: usize| {
                tag += 1;
                at(start, if tag % 3 == 0 { MIXED_NAMES } else { HEDGED }, tag)
            };
            let mut plain: Vec<Finding> = starts.into_iter().map(&mut next).collect();
            sort_in_text_order(&mut plain);
            let mut len = 2000;
            let mut chunked = Chunked::new(plain.clone());
            for (a, del, ins, new, rest) in edits {
                let a = a.min(len);
                let b = (a + del).min(len);
                let changed = Changed { at: a, old_end: b, new_end: a + ins };
                let mut middle: Vec<Finding> = (0..new).map(|k| next(a + k * ins / new.max(1))).collect();
                sort_in_text_order(&mut middle);
                let from = rest.then_some(b);
                let mut moves = Moves::default();
                let mut expected: Vec<Finding> = plain.iter().filter(|f| f.range.start < a).cloned().collect();
                expected.extend(middle.iter().cloned());
                if rest {
                    expected.extend(plain.iter().filter(|f| f.range.start >= b).map(|f| f.moved(&changed, &mut moves)));
                }
                chunked = chunked.spliced(a, middle, from, &changed);
                plain = expected;
                len = len - (b - a) + ins;
                let got: Vec<Finding> = chunked.placed_iter().map(|p| p.moved().into_owned()).collect();
                prop_assert_eq!(&got, &plain);
                prop_assert!(chunked.pieces().iter().all(|l| !l.is_empty()));
            }
        }

        /// Merging after an edit, from the merge before it, gives what merging afresh does:
        /// whichever lists are kept (moved by the edit), replaced, added or put in another order,
        /// with ties between lists, and after findings were suppressed.
        #[test]
        fn merging_after_an_edit_is_merging_afresh(
            lists in proptest::collection::vec(proptest::collection::vec((0usize..40, any::<bool>()), 1..8), 1..6),
            fates in proptest::collection::vec(0u8..4, 6),
            edit in (0usize..50, 0usize..3, 0usize..3),
            extra in proptest::collection::vec((0usize..40, any::<bool>()), 0..5),
            swap in any::<bool>(),
            suppressed in any::<bool>(),
        ) {
            let mut tag = 0;
            let mut make = |l: &[(usize, bool)]| -> Listed {
                let mut v: Vec<Finding> = l.iter().map(|&(start, mixed)| {
                    tag += 1;
                    at(start * 3, if mixed { MIXED_NAMES } else { HEDGED }, tag)
                }).collect();
                sort_in_text_order(&mut v);
                Listed::from(v)
            };
            let old: Vec<Listed> = lists.iter().map(|l| make(l)).collect();
            let mut before = Findings::merged(old.clone());
            if suppressed {
                before.retain(|f| f.finding.message.parse::<usize>().unwrap_or(0) % 4 != 0);
            }
            // An edit between offsets (starts are multiples of 3: one that starts on one is
            // never touched), so that the lists kept are read through it.
            let (a, del, ins) = edit;
            let a = a * 3 + 1;
            let changed = Changed { at: a, old_end: a + del.min(1), new_end: a + ins };
            let mut now: Vec<Listed> = Vec::new();
            for (l, fate) in old.iter().zip(&fates) {
                match fate {
                    0 => {}
                    1 => now.push(make(&[(7, true), (2, false)])),
                    _ => now.push(l.moved(&changed)),
                }
            }
            if !extra.is_empty() {
                now.push(make(&extra));
            }
            if swap && now.len() > 1 {
                now.swap(0, 1);
            }
            let after = Findings::merged_after(now.clone(), &before);
            let afresh = Findings::merged(now);
            prop_assert_eq!(&after.order, &afresh.order);
            prop_assert_eq!(after.to_vec(), afresh.to_vec());
        }

        #[test]
        fn merging_is_sorting_the_lists_one_after_the_other(
            lists in proptest::collection::vec(proptest::collection::vec((0usize..12, any::<bool>()), 0..8), 0..5),
            presorted in any::<bool>(),
        ) {
            // Few places and two codes, so that ties are common; each finding is told apart by its
            // message.
            let mut tag = 0;
            let lists: Vec<Vec<Finding>> = lists
                .into_iter()
                .map(|l| {
                    let mut l: Vec<Finding> = l
                        .into_iter()
                        .map(|(start, mixed)| {
                            tag += 1;
                            at(start, if mixed { MIXED_NAMES } else { HEDGED }, tag)
                        })
                        .collect();
                    if presorted {
                        sort_in_text_order(&mut l);
                    }
                    l
                })
                .collect();
            let mut sorted: Vec<Finding> = lists.concat();
            sort_in_text_order(&mut sorted);
            let mut merged = Findings::merged(lists.iter().map(|l| Listed::from(l.clone())));
            prop_assert_eq!(merged.to_vec(), sorted.clone());
            // Dropping some and adding more: as if the list were filtered, extended and sorted
            // again (a stable sort: those added come after those kept that tie with them).
            let keep = |f: &Finding| f.message.parse::<usize>().unwrap_or(0) % 3 != 0;
            merged.retain(|f| keep(f.finding));
            sorted.retain(keep);
            let more: Vec<Finding> = (0..4).map(|k| at(k * 3, if k % 2 == 0 { HEDGED } else { MIXED_NAMES }, 100 + k)).rev().collect();
            merged.add(more.clone());
            sorted.extend(more);
            sort_in_text_order(&mut sorted);
            prop_assert_eq!(merged.to_vec(), sorted);
        }
    }
}
