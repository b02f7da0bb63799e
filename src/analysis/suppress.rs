//! Suppression comments: the writer's way to silence a finding they have judged.
//!
//! Four HTML comments, the same in Markdown and plain text (`docs/suppressions.md`):
//!
//! - `<!-- frontline-disable-next-line CODES -->`: findings that start on the next line that is
//!   neither blank nor only comments;
//! - `<!-- frontline-disable CODES -->` … `<!-- frontline-enable CODES -->`: findings between the
//!   two (to the end of the story if never enabled again); an `enable` with codes re-enables only
//!   those, one without re-enables everything;
//! - `<!-- frontline-disable-file CODES -->`, anywhere: the whole story.
//!
//! CODES are optional (none means every rule), separated by spaces or commas; a code may name a
//! group of rules up to a `/` (`attribution` for every `attribution/…` rule).
//!
//! [`apply`] runs last, over the whole story's findings (so incremental analysis stays equal to a
//! fresh one), and reports the comments that suppressed nothing ([`UNUSED_SUPPRESSION`]) and the
//! codes that name no rule ([`UNKNOWN_CODE`]), each with a fix that removes the comment or the
//! code. A directive is honoured only where the text scanners see a comment: not inside a Markdown
//! fence or code span, and in plain text only when it closes on its line. These two rules cannot themselves be suppressed. A story with no `frontline-` in it costs
//! one substring search.
//!
//! [`ignore_here`] and [`ignore_in_file`] build the comments the editor's "Ignore" actions insert.

use std::ops::Range;

use super::findings::{Edit, Finding, Findings, Fix, RULES, UNKNOWN_CODE, UNUSED_SUPPRESSION};
use crate::text::markdown::{front_matter_end, is_comment_line, Flavor};
use crate::text::{find_line_break, rfind_line_break, Changed};

/// What every directive starts with, after `<!--` and optional white space.
const MARK: &str = "frontline-";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    NextLine,
    File,
    Disable,
    Enable,
}

impl Kind {
    fn keyword(self) -> &'static str {
        match self {
            Kind::NextLine => "frontline-disable-next-line",
            Kind::File => "frontline-disable-file",
            Kind::Disable => "frontline-disable",
            Kind::Enable => "frontline-enable",
        }
    }
}

/// One code of a directive.
#[derive(Debug)]
struct Code {
    /// As written, without a trailing `/`.
    pattern: String,
    range: Range<usize>,
    known: bool,
    used: bool,
}

/// One suppression comment.
#[derive(Debug)]
struct Directive {
    kind: Kind,
    /// The whole comment, `<!--` to `-->`.
    range: Range<usize>,
    /// Where the keyword ends (codes follow).
    keyword_end: usize,
    codes: Vec<Code>,
    /// For a directive without codes: whether it did anything.
    used: bool,
}

/// Whether `pattern` (a code or a group such as `attribution`) covers the rule `code`.
fn covers(pattern: &str, code: &str) -> bool {
    code.strip_prefix(pattern).is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// Whether `pattern` names a rule or a group of rules that can be suppressed.
fn is_known(pattern: &str) -> bool {
    RULES.iter().any(|r| !is_suppression_rule(r.code) && covers(pattern, r.code))
}

fn is_suppression_rule(code: &str) -> bool {
    code == UNUSED_SUPPRESSION.code || code == UNKNOWN_CODE.code
}

/// The suppression comments of `text`, in order; `is_comment(at)` tells whether the `<!--` at byte
/// `at` opens a comment (and is not shown as code).
fn parse(text: &str, is_comment: &mut dyn FnMut(usize) -> bool) -> Vec<Directive> {
    let mut out = Vec::new();
    let mut from = 0;
    let finder = memchr::memmem::Finder::new(MARK);
    while let Some(i) = finder.find(&text.as_bytes()[from..]).map(|i| from + i) {
        from = i + MARK.len();
        let head = text[..i].trim_end_matches([' ', '\t']);
        let Some(open) = head.strip_suffix("<!--").map(str::len) else { continue };
        let rest = &text[i..];
        let Some(kind) = [Kind::NextLine, Kind::File, Kind::Disable, Kind::Enable].into_iter().find(|k| {
            rest.strip_prefix(k.keyword())
                .is_some_and(|after| after.starts_with(|c: char| c.is_whitespace()) || after.starts_with("-->"))
        }) else {
            continue;
        };
        let keyword_end = i + kind.keyword().len();
        let Some(close) = text[keyword_end..].find("-->").map(|c| keyword_end + c) else { continue };
        if !is_comment(open) {
            continue;
        }
        let mut codes = Vec::new();
        let mut word: Option<usize> = None;
        let mut push = |start: usize, end: usize| {
            let pattern = text[start..end].trim_end_matches('/').to_string();
            codes.push(Code { known: is_known(&pattern), pattern, range: start..end, used: false });
        };
        for (k, c) in text[keyword_end..close].char_indices() {
            let at = keyword_end + k;
            match (c.is_whitespace() || c == ',', word) {
                (true, Some(start)) => {
                    push(start, at);
                    word = None;
                }
                (false, None) => word = Some(at),
                _ => {}
            }
        }
        if let Some(start) = word {
            push(start, close);
        }
        out.push(Directive { kind, range: open..close + 3, keyword_end, codes, used: false });
        from = close + 3;
    }
    out
}

/// Where a directive applies, and to which of its codes (`None`: all of them).
struct Scope {
    directive: usize,
    code: Option<usize>,
    range: Range<usize>,
    /// Codes an `enable` re-enabled inside a wider disabled region, from where.
    except: Vec<(String, usize)>,
}

impl Scope {
    fn pattern<'a>(&self, dirs: &'a [Directive]) -> Option<&'a str> {
        self.code.map(|c| dirs[self.directive].codes[c].pattern.as_str())
    }
}

/// The line after the one `at` is on that is neither blank nor only comments (so that comments
/// stack: two "Ignore" actions on one line insert two comments above it): its start and end
/// (before the break).
fn next_non_blank_line(text: &str, at: usize) -> Option<Range<usize>> {
    let mut pos = find_line_break(&text[at..]).map(|i| at + i)?;
    loop {
        pos += if text[pos..].starts_with("\r\n") { 2 } else { 1 };
        if pos >= text.len() {
            return None;
        }
        let end = find_line_break(&text[pos..]).map_or(text.len(), |i| pos + i);
        if !text[pos..end].trim().is_empty() && !is_comment_line(&text[pos..end]) {
            return Some(pos..end);
        }
        pos = end;
        if pos >= text.len() {
            return None;
        }
    }
}

/// The scopes of every directive; an `enable` marks what it re-enabled as used.
fn scopes(text: &str, dirs: &mut [Directive]) -> Vec<Scope> {
    let mut out = Vec::new();
    let mut open: Vec<Scope> = Vec::new();
    for d in 0..dirs.len() {
        let (kind, comment) = (dirs[d].kind, dirs[d].range.clone());
        let codes: Vec<Option<usize>> = if dirs[d].codes.is_empty() {
            vec![None]
        } else {
            (0..dirs[d].codes.len()).filter(|&c| dirs[d].codes[c].known).map(Some).collect()
        };
        let range = match kind {
            Kind::File => 0..text.len() + 1,
            Kind::NextLine => next_non_blank_line(text, comment.end).unwrap_or(0..0),
            Kind::Disable => comment.end..text.len() + 1,
            Kind::Enable => {
                let at = comment.start;
                for c in codes {
                    let mut did = false;
                    match c {
                        None => {
                            did = !open.is_empty();
                            for mut s in open.drain(..) {
                                s.range.end = at;
                                out.push(s);
                            }
                        }
                        Some(c) => {
                            let pattern = dirs[d].codes[c].pattern.clone();
                            let mut k = 0;
                            while k < open.len() {
                                match open[k].pattern(dirs) {
                                    Some(p) if p == pattern => {
                                        let mut s = open.remove(k);
                                        s.range.end = at;
                                        out.push(s);
                                        did = true;
                                        continue;
                                    }
                                    p if p.is_none_or(|p| covers(p, &pattern)) => {
                                        open[k].except.push((pattern.clone(), at));
                                        did = true;
                                    }
                                    _ => {}
                                }
                                k += 1;
                            }
                        }
                    }
                    match c {
                        None => dirs[d].used |= did,
                        Some(c) => dirs[d].codes[c].used |= did,
                    }
                }
                continue;
            }
        };
        for code in codes {
            let s = Scope { directive: d, code, range: range.clone(), except: Vec::new() };
            if kind == Kind::Disable {
                open.push(s);
            } else {
                out.push(s);
            }
        }
    }
    out.extend(open);
    out
}

/// Where a directive may start in `text`: the offset of every `frontline-`, found with a
/// vectorised search. A story without any (most stories) costs the suppression pass nothing more.
pub fn marks(text: &str) -> Vec<usize> {
    memchr::memmem::find_iter(text.as_bytes(), MARK).collect()
}

/// [`marks`] of `text`, made by the edit `changed` from a text whose marks were `old`: the marks
/// clear of the changed bytes move with the text, and only the changed bytes (and a mark's length
/// around them) are searched.
pub fn marks_after_edit(old: &[usize], text: &str, changed: &Changed) -> Vec<usize> {
    let n = MARK.len();
    let before = old.partition_point(|&p| p + n <= changed.at);
    let after = old.partition_point(|&p| p < changed.old_end);
    let from = changed.at.saturating_sub(n - 1);
    let to = (changed.new_end + n - 1).min(text.len());
    let mut out = old[..before].to_vec();
    if from < to {
        // Only the marks not wholly before or after the changed bytes: those are the old ones.
        let found = memchr::memmem::find_iter(&text.as_bytes()[from..to], MARK).map(|p| p + from);
        out.extend(found.filter(|&p| p + n > changed.at && p < changed.new_end));
    }
    out.extend(old[after..].iter().map(|&p| p - changed.old_end + changed.new_end));
    out
}

/// Removes the findings that suppression comments in `text` silence, and returns a finding for
/// each comment or code that silenced nothing or names no rule (to be added to `findings`).
/// `marks` are the text's [`marks`]. `is_comment(at)` tells whether the `<!--` at byte `at` is a
/// comment rather than text shown as code (a Markdown fence or code span); it is asked only where
/// a directive is.
pub fn apply(
    text: &str,
    marks: &[usize],
    is_comment: &mut dyn FnMut(usize) -> bool,
    findings: &mut Findings,
) -> Vec<Finding> {
    let mut own = Vec::new();
    if marks.is_empty() {
        return own;
    }
    let mut dirs = parse(text, is_comment);
    if dirs.is_empty() {
        return own;
    }
    // Next-line scopes are lines (disjoint or equal): sorted, each finding looks up its own line.
    // File and region scopes are few and checked one by one.
    let (mut lines, wide): (Vec<Scope>, Vec<Scope>) =
        scopes(text, &mut dirs).into_iter().partition(|s| dirs[s.directive].kind == Kind::NextLine);
    lines.sort_by_key(|s| s.range.start);
    findings.retain(|f| {
        if is_suppression_rule(f.code()) {
            return true;
        }
        let at = f.range().start;
        let first = lines.partition_point(|s| s.range.end <= at);
        let on_line = lines[first..].iter().take_while(|s| s.range.start <= at);
        let mut keep = true;
        for s in on_line.chain(&wide) {
            let pattern = s.pattern(&dirs);
            let inside = s.range.start <= at && at < s.range.end;
            let applies = inside
                && pattern.is_none_or(|p| covers(p, f.code()))
                && !s.except.iter().any(|(e, from)| *from <= at && covers(e, f.code()));
            if applies {
                keep = false;
                let d = &mut dirs[s.directive];
                match s.code {
                    None => d.used = true,
                    Some(c) => d.codes[c].used = true,
                }
            }
        }
        keep
    });
    for d in &dirs {
        report(text, d, &mut own);
    }
    own
}

/// What a directive of this kind failed to find, for the messages.
fn nothing(kind: Kind, what: &str) -> String {
    match kind {
        Kind::NextLine => format!("no finding{what} starts on the next line"),
        Kind::File => format!("no finding{what} in this story"),
        Kind::Disable => format!("no finding{what} in the region it disables"),
        Kind::Enable => format!("nothing{what} was disabled here"),
    }
}

fn report(text: &str, d: &Directive, out: &mut Vec<Finding>) {
    let keyword = d.kind.keyword();
    let delete_comment = || Fix {
        title: "Delete the suppression comment".into(),
        edits: vec![delete(text, &d.range)].into(),
        preferred: true,
    };
    if d.codes.is_empty() {
        if !d.used {
            out.push(Finding {
                rule: UNUSED_SUPPRESSION,
                range: d.range.clone(),
                message: format!("`{keyword}` suppresses nothing: {}", nothing(d.kind, "")).into(),
                related: Vec::new().into(),
                fixes: vec![delete_comment()].into(),
            });
        }
        return;
    }
    let useless = d.codes.iter().all(|c| !c.known || !c.used);
    if useless && d.codes.iter().all(|c| c.known) {
        // Nothing in the comment works: one finding on the whole comment.
        let list = d.codes.iter().map(|c| format!("`{}`", c.pattern)).collect::<Vec<_>>().join(", ");
        out.push(Finding {
            rule: UNUSED_SUPPRESSION,
            range: d.range.clone(),
            message: format!("`{keyword}` suppresses nothing: {}", nothing(d.kind, &format!(" of {list}"))).into(),
            related: Vec::new().into(),
            fixes: vec![delete_comment()].into(),
        });
        return;
    }
    for (k, c) in d.codes.iter().enumerate() {
        if c.known && c.used {
            continue;
        }
        let fix = if useless {
            delete_comment()
        } else {
            // The code and the separator before it (after it, for the first code).
            let range = match d.codes.get(k + 1) {
                Some(next) if k == 0 => c.range.start..next.range.start,
                _ => d.codes.get(k.wrapping_sub(1)).map_or(d.keyword_end, |p| p.range.end)..c.range.end,
            };
            Fix {
                title: format!("Remove `{}` from the suppression comment", c.pattern).into(),
                edits: vec![Edit { range, text: String::new().into() }].into(),
                preferred: true,
            }
        };
        let (rule, message) = if c.known {
            (UNUSED_SUPPRESSION, format!("`{}` suppresses nothing here: {}", c.pattern, nothing(d.kind, " of it")))
        } else {
            (UNKNOWN_CODE, format!("`{}` is not a frontline rule code nor a group of codes", c.pattern))
        };
        out.push(Finding {
            rule,
            range: c.range.clone(),
            message: message.into(),
            related: Vec::new().into(),
            fixes: vec![fix].into(),
        });
    }
}

/// The edit that deletes a comment: its whole line when it stands alone on one, else the comment
/// and the blanks before it.
fn delete(text: &str, comment: &Range<usize>) -> Edit {
    let line_start = rfind_line_break(&text[..comment.start]).map_or(0, |p| p + 1);
    let line_end = find_line_break(&text[comment.end..]).map_or(text.len(), |p| comment.end + p);
    let alone = text[line_start..comment.start].trim().is_empty() && text[comment.end..line_end].trim().is_empty();
    let range = if alone {
        let brk = if text[line_end..].starts_with("\r\n") { 2 } else { usize::from(line_end < text.len()) };
        line_start..line_end + brk
    } else {
        let before = text[..comment.start].trim_end_matches([' ', '\t']).len();
        before..comment.end
    };
    Edit { range, text: String::new().into() }
}

/// The line break that ends the line starting at `line_start` (for the last line, the text's
/// first line break).
fn line_break(text: &str, line_start: usize) -> &'static str {
    let ending = |at: usize| {
        let i = at + find_line_break(&text[at..])?;
        Some(match &text.as_bytes()[i..] {
            [b'\r', b'\n', ..] => "\r\n",
            [b'\r', ..] => "\r",
            _ => "\n",
        })
    };
    ending(line_start).or_else(|| ending(0)).unwrap_or("\n")
}

/// The edit that suppresses findings of `code` on the line holding byte `at`: a
/// `frontline-disable-next-line` comment on a line of its own above it, indented like it. Nothing
/// else in the story reads differently: a comment line is not part of any sentence, and no blank
/// line is added, so paragraphs stay whole.
pub fn ignore_here(text: &str, at: usize, code: &str) -> Edit {
    let at = crate::text::floor_char_boundary(text, at);
    let line_start = rfind_line_break(&text[..at]).map_or(0, |p| p + 1);
    let line = &text[line_start..];
    let indent = &line[..line.len() - line.trim_start_matches([' ', '\t']).len()];
    let brk = line_break(text, line_start);
    Edit {
        range: line_start..line_start,
        text: format!("{indent}<!-- frontline-disable-next-line {code} -->{brk}").into(),
    }
}

/// The edit that suppresses `code` in the whole story: a `frontline-disable-file` comment in a
/// paragraph of its own at the top (after Markdown front matter).
pub fn ignore_in_file(text: &str, flavor: Flavor, code: &str) -> Edit {
    let at = if flavor == Flavor::Markdown { front_matter_end(text).unwrap_or(0) } else { 0 };
    let brk = line_break(text, at);
    let lead = if at > 0 && !text[..at].ends_with(['\n', '\r']) { brk } else { "" };
    Edit { range: at..at, text: format!("{lead}<!-- frontline-disable-file {code} -->{brk}{brk}").into() }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::analysis::findings::{Severity, HEDGED, STYLE_VAGUE, UNSOURCED_CLAIM};
    use crate::text::changed_bytes;

    proptest! {
        #[test]
        fn marks_after_an_edit_are_the_marks_of_the_new_text(
            pieces in proptest::collection::vec(prop_oneof!["frontline-", "frontline", "-", "f", "x", "line-"], 0..12),
            at in 0usize..120,
            len in 0usize..20,
            insert in proptest::collection::vec(prop_oneof!["frontline-", "front", "line-", "-", "x"], 0..3),
        ) {
            let old = pieces.concat();
            let at = at.min(old.len());
            let end = (at + len).min(old.len());
            let new = format!("{}{}{}", &old[..at], insert.concat(), &old[end..]);
            let changed = changed_bytes(&old, &new);
            prop_assert_eq!(marks_after_edit(&marks(&old), &new, &changed), marks(&new));
        }
    }

    fn finding(rule: super::super::findings::Rule, text: &str, needle: &str) -> Finding {
        let start = text.find(needle).expect(needle);
        Finding {
            rule,
            range: start..start + needle.len(),
            message: "".into(),
            related: Vec::new().into(),
            fixes: Vec::new().into(),
        }
    }

    /// `findings` once the suppressions of `text` apply (every `<!--` a comment), with the
    /// suppressions' own findings, in text order.
    fn applied(text: &str, findings: Vec<Finding>) -> Vec<Finding> {
        let mut all = Findings::merged([findings.into()]);
        let own = apply(text, &marks(text), &mut |_| true, &mut all);
        all.add(own);
        all.to_vec()
    }

    /// The codes and texts of what is left after applying the suppressions.
    fn run(text: &str, findings: Vec<Finding>) -> Vec<(&'static str, String)> {
        applied(text, findings).iter().map(|f| (f.code(), text[f.range.clone()].to_string())).collect()
    }

    #[test]
    fn next_line_suppresses_its_code_on_the_next_non_blank_line_only() {
        let t = "<!-- frontline-disable-next-line attribution/hedged -->\n\nIt reportedly fell.\nIt reportedly fell.";
        let second = t.rfind("reportedly").unwrap();
        let fs = vec![
            finding(HEDGED, t, "reportedly"),
            finding(STYLE_VAGUE, t, "fell"),
            Finding { range: second..second + 10, ..finding(HEDGED, t, "reportedly") },
        ];
        assert_eq!(
            run(t, fs),
            vec![("style/vague", "fell".to_string()), ("attribution/hedged", "reportedly".to_string())]
        );
    }

    #[test]
    fn no_code_means_every_rule_and_groups_stop_at_a_slash() {
        let t = "<!-- frontline-disable-next-line -->\nIt reportedly fell.\n<!--frontline-disable-next-line attribution-->\nIt reportedly fell.";
        let second = t.rfind("reportedly").unwrap();
        let fs = vec![
            finding(HEDGED, t, "reportedly"),
            finding(STYLE_VAGUE, t, "fell"),
            Finding { range: second..second + 10, ..finding(HEDGED, t, "reportedly") },
        ];
        assert!(run(t, fs).is_empty());
        assert!(covers("attribution", "attribution/hedged"));
        assert!(!covers("attrib", "attribution/hedged"));
        assert!(!covers("attribution/hedged", "attribution"));
    }

    #[test]
    fn regions_and_partial_enables() {
        let t = "A reportedly. <!-- frontline-disable -->\nB reportedly seized.\n<!-- frontline-enable attribution/hedged -->\nC reportedly seized.\n<!-- frontline-enable -->\nD seized.";
        let at = |n: &str| t.find(n).unwrap();
        let f = |rule, from: &str, needle: &str| {
            let s = at(from) + t[at(from)..].find(needle).unwrap();
            Finding { range: s..s + needle.len(), ..finding(rule, t, needle) }
        };
        let fs = vec![
            f(HEDGED, "A ", "reportedly"),
            f(HEDGED, "B ", "reportedly"),
            f(UNSOURCED_CLAIM, "B ", "seized"),
            f(HEDGED, "C ", "reportedly"),
            f(UNSOURCED_CLAIM, "C ", "seized"),
            f(UNSOURCED_CLAIM, "D ", "seized"),
        ];
        let left = run(t, fs);
        let starts: Vec<(&str, usize)> = left.iter().map(|(c, s)| (*c, s.len())).collect();
        assert_eq!(
            starts,
            vec![("attribution/hedged", 10), ("attribution/hedged", 10), ("attribution/unsourced-claim", 6)]
        );
    }

    #[test]
    fn many_next_line_comments_each_find_their_line() {
        let mut t = String::new();
        for k in 0..50 {
            if k % 2 == 0 {
                t.push_str("<!-- frontline-disable-next-line style/vague -->\n");
                t.push_str("<!-- frontline-disable-next-line attribution/hedged -->\n");
            }
            t.push_str(&format!("Line {k} reportedly fell.\n"));
        }
        let fs: Vec<Finding> = t
            .match_indices("reportedly")
            .flat_map(|(i, _)| {
                let f = finding(HEDGED, &t, "reportedly");
                [Finding { range: i..i + 10, ..f.clone() }, Finding { rule: STYLE_VAGUE, range: i + 11..i + 15, ..f }]
            })
            .collect();
        let left = run(&t, fs);
        // Odd lines keep both findings; even lines lose both; every comment was used.
        assert_eq!(left.len(), 50);
        assert!(left.iter().all(|(c, _)| !c.starts_with("suppression/")));
    }

    #[test]
    fn file_wide_several_codes_with_commas() {
        let t = "It reportedly fell.\n<!-- frontline-disable-file style/vague, attribution/hedged -->";
        let fs = vec![finding(HEDGED, t, "reportedly"), finding(STYLE_VAGUE, t, "fell")];
        assert!(run(t, fs).is_empty());
    }

    #[test]
    fn unused_comments_and_codes_are_reported_with_fixes() {
        let t = "Text.\n<!-- frontline-disable-next-line naming -->\nIt reportedly fell.\n";
        let fs = applied(t, vec![finding(HEDGED, t, "reportedly")]);
        assert_eq!(fs.len(), 2);
        let unused = &fs[0];
        assert_eq!((unused.code(), unused.severity()), ("suppression/unused", Severity::Hint));
        assert_eq!(&t[unused.range.clone()], "<!-- frontline-disable-next-line naming -->");
        let e = &unused.fixes[0].edits.at(&unused.range)[0].clone();
        assert_eq!(&t[e.range.clone()], "<!-- frontline-disable-next-line naming -->\n");

        // One code used, one unknown, one unused: each reported on its own, removable.
        let t = "<!-- frontline-disable-next-line bogus, attribution/hedged naming -->\nIt reportedly fell.";
        let fs = applied(t, vec![finding(HEDGED, t, "reportedly")]);
        let got: Vec<(&str, &str, &str)> = fs
            .iter()
            .map(|f| (f.code(), &t[f.range.clone()], &t[f.fixes[0].edits.at(&f.range)[0].range.clone()]))
            .collect();
        assert_eq!(
            got,
            vec![("suppression/unknown-code", "bogus", "bogus, "), ("suppression/unused", "naming", " naming")]
        );
        assert_eq!(fs[0].severity(), Severity::Warning);

        // An enable that closes nothing, inline: the comment and the blank before it go.
        let t = "Text. <!-- frontline-enable -->";
        let fs = applied(t, Vec::new());
        assert_eq!(fs.len(), 1);
        assert_eq!(fs[0].fixes[0].edits.at(&fs[0].range)[0].range, 5..t.len());
    }

    #[test]
    fn not_directives() {
        let t =
            "frontline-disable here. <!-- frontline-disabled --> <!-- frontline: witnessed --> <!-- frontline-disable";
        let fs = applied(t, vec![finding(HEDGED, "x reportedly", "reportedly")]);
        assert_eq!(fs.len(), 1);
    }

    #[test]
    fn ignore_edits() {
        let t = "Para one.\r\n  It reportedly fell.\r\n";
        let e = ignore_here(t, t.find("fell").unwrap(), "attribution/hedged");
        assert_eq!(e.range, 11..11);
        assert_eq!(&*e.text, "  <!-- frontline-disable-next-line attribution/hedged -->\r\n");
        let t = "---\ntitle: x\n---\nText.";
        let e = ignore_in_file(t, Flavor::Markdown, "style/vague");
        assert_eq!((e.range.start, &*e.text), (17, "<!-- frontline-disable-file style/vague -->\n\n"));
        assert_eq!(ignore_in_file(t, Flavor::Plain, "x").range, 0..0);
        assert_eq!(&*ignore_here("Last line", 3, "x").text, "<!-- frontline-disable-next-line x -->\n");
    }
}
