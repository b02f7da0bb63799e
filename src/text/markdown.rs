//! Spans of a document that are not prose and must not be analysed.
//!
//! In Markdown: front matter, fenced and indented code blocks, inline code, HTML comments, link
//! targets and reference definitions. In plain text: HTML comments that close on the line they
//! open on (the suppression and `witnessed` comments). In every flavour: bare URLs. The result is a
//! sorted list of disjoint byte ranges.
//!
//! A line that holds nothing but HTML comments is invisible in rendered Markdown, and the scanners
//! treat it so where it matters: [`after_leading_comments`] and [`is_comment_line`].
//!
//! This is a line scanner that follows CommonMark where it matters for prose (fence lengths, the
//! blank line before indented code, backtick run lengths), not a full Markdown parser.

use crate::text::{find_line_break, rfind_line_break};
use std::ops::Range;

/// How a document is to be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Flavor {
    #[default]
    Markdown,
    Plain,
}

/// Byte ranges of `text` that are not prose, sorted and disjoint.
pub fn excluded_spans(text: &str, flavor: Flavor) -> Vec<Range<usize>> {
    excluded_spans_in(text, flavor, true)
}

/// Like [`excluded_spans`], for a piece of a document; front matter is only looked for when the
/// piece starts the document.
pub fn excluded_spans_in(text: &str, flavor: Flavor, starts_document: bool) -> Vec<Range<usize>> {
    let mut spans = Vec::new();
    if flavor == Flavor::Markdown {
        block_spans(text, starts_document, &mut spans);
        let blocks = merge(std::mem::take(&mut spans));
        inline_spans(text, &blocks, &mut spans);
        spans.extend(blocks);
    } else {
        one_line_comment_spans(text, &mut spans);
    }
    url_spans(text, &mut spans);
    merge(spans)
}

/// HTML comments that close on the line they open on (plain text has no multi-line constructs: a
/// block of plain text may end at any blank line).
fn one_line_comment_spans(text: &str, spans: &mut Vec<Range<usize>>) {
    let mut from = 0;
    let finder = memchr::memmem::Finder::new("<!--");
    while let Some(i) = finder.find(&text.as_bytes()[from..]).map(|i| from + i) {
        let line_end = find_line_break(&text[i..]).map_or(text.len(), |e| i + e);
        match text[i + 4..line_end].find("-->") {
            Some(e) => {
                let end = i + 4 + e + 3;
                spans.push(i..end);
                from = end;
            }
            None => from = line_end,
        }
    }
}

/// `s` without the white space and the closed HTML comments it starts with.
pub fn after_leading_comments(s: &str) -> &str {
    let mut t = s.trim_start();
    while let Some(rest) = t.strip_prefix("<!--") {
        match rest.find("-->") {
            Some(e) => t = rest[e + 3..].trim_start(),
            None => break,
        }
    }
    t
}

/// Whether a line (without its line break) holds one HTML comment or more and nothing else.
pub fn is_comment_line(line: &str) -> bool {
    let t = line.trim();
    t.starts_with("<!--") && after_leading_comments(t).is_empty()
}

/// `s` without the white space and the whole-line HTML comments it ends with.
pub fn before_trailing_comment_lines(s: &str) -> &str {
    let mut t = s.trim_end();
    while t.ends_with("-->") {
        let line_start = rfind_line_break(t).map_or(0, |p| p + 1);
        if line_start == 0 || !is_comment_line(&t[line_start..]) {
            break;
        }
        t = t[..line_start].trim_end();
    }
    t
}

/// Whether `range` overlaps any of the sorted, disjoint `spans`.
pub fn overlaps(spans: &[Range<usize>], range: &Range<usize>) -> bool {
    let i = spans.partition_point(|s| s.end <= range.start);
    spans.get(i).is_some_and(|s| s.start < range.end)
}

fn merge(mut spans: Vec<Range<usize>>) -> Vec<Range<usize>> {
    spans.retain(|s| s.start < s.end);
    spans.sort_by_key(|s| (s.start, s.end));
    let mut out: Vec<Range<usize>> = Vec::with_capacity(spans.len());
    for s in spans {
        match out.last_mut() {
            Some(last) if s.start <= last.end => last.end = last.end.max(s.end),
            _ => out.push(s),
        }
    }
    out
}

/// Lines with their start offset, content (without the line break) and end (after the break).
fn lines(text: &str) -> impl Iterator<Item = (usize, &str, usize)> {
    let mut pos = 0;
    std::iter::from_fn(move || {
        if pos >= text.len() {
            return None;
        }
        let rest = &text[pos..];
        let (content_len, brk) = match find_line_break(rest) {
            Some(i) if rest[i..].starts_with("\r\n") => (i, 2),
            Some(i) => (i, 1),
            None => (rest.len(), 0),
        };
        let start = pos;
        pos += content_len + brk;
        Some((start, &rest[..content_len], pos))
    })
}

pub(crate) fn indent_width(line: &str) -> usize {
    let mut w = 0;
    for c in line.chars() {
        match c {
            ' ' => w += 1,
            '\t' => w += 4 - (w % 4),
            _ => break,
        }
    }
    w
}

/// The delimiter (`---` or `+++`) when the first line opens front matter.
fn front_matter_delim(text: &str) -> Option<&str> {
    let (_, first, _) = lines(text).next()?;
    let delim = first.trim_end();
    (delim == "---" || delim == "+++").then_some(delim)
}

/// Whether the first line of `text` opens front matter (whether or not it is closed).
pub(crate) fn opens_front_matter(text: &str) -> bool {
    front_matter_delim(text).is_some()
}

/// Where the front matter at the start of `text` ends (after its closing line), if it has one.
pub(crate) fn front_matter_end(text: &str) -> Option<usize> {
    let delim = front_matter_delim(text)?;
    lines(text).skip(1).find_map(|(_, line, end)| {
        let l = line.trim_end();
        (l == delim || (delim == "---" && l == "...")).then_some(end)
    })
}

/// Whether `line` closes the fence `open` (its character and length) opened.
pub(crate) fn closes_fence(line: &str, open: (char, usize)) -> bool {
    fence_of(line).is_some_and(|(c, n)| c == open.0 && n >= open.1 && line.trim()[n..].trim().is_empty())
}

pub(crate) fn fence_of(line: &str) -> Option<(char, usize)> {
    if indent_width(line) > 3 {
        return None;
    }
    let t = line.trim_start();
    let c = t.chars().next()?;
    if c != '`' && c != '~' {
        return None;
    }
    let n = t.chars().take_while(|&x| x == c).count();
    if n < 3 || (c == '`' && t[n..].contains('`')) {
        return None;
    }
    Some((c, n))
}

fn is_list_item(line: &str) -> bool {
    let t = line.trim_start();
    let bullet = t.starts_with("- ") || t.starts_with("* ") || t.starts_with("+ ");
    let digits = t.chars().take_while(char::is_ascii_digit).count();
    let numbered = digits > 0 && (t[digits..].starts_with(". ") || t[digits..].starts_with(") "));
    bullet || numbered
}

fn block_spans(text: &str, starts_document: bool, spans: &mut Vec<Range<usize>>) {
    let mut iter = lines(text).peekable();
    // Front matter: `---` (YAML) or `+++` (TOML) on the very first line, closed further down.
    if let Some(end) = front_matter_end(text).filter(|_| starts_document) {
        spans.push(0..end);
        while iter.peek().is_some_and(|&(s, _, _)| s < end) {
            iter.next();
        }
    }
    let mut prev_blank = true;
    let mut in_list = false;
    let mut in_indented_code = false;
    while let Some((start, line, end)) = iter.next() {
        let blank = line.trim().is_empty();
        if let Some((c, n)) = fence_of(line) {
            let mut close = text.len();
            for (_, l, e) in iter.by_ref() {
                if closes_fence(l, (c, n)) {
                    close = e;
                    break;
                }
            }
            spans.push(start..close);
            prev_blank = false;
            in_indented_code = false;
            continue;
        }
        let indented = !blank && indent_width(line) >= 4;
        if indented && (in_indented_code || (prev_blank && !in_list)) {
            spans.push(start..end);
            in_indented_code = true;
        } else if !blank {
            in_indented_code = false;
            if is_list_item(line) {
                in_list = true;
            } else if indent_width(line) == 0 && prev_blank {
                in_list = false;
            }
        }
        prev_blank = blank;
    }
}

/// Inline code, HTML comments, link targets and reference definitions, outside `blocks`.
fn inline_spans(text: &str, blocks: &[Range<usize>], spans: &mut Vec<Range<usize>>) {
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut next_block = 0;
    while i < bytes.len() {
        while blocks.get(next_block).is_some_and(|b| b.end <= i) {
            next_block += 1;
        }
        if let Some(b) = blocks.get(next_block).filter(|b| b.start <= i) {
            i = b.end;
            continue;
        }
        match bytes[i] {
            b'<' if text[i..].starts_with("<!--") => {
                let end = text[i + 4..].find("-->").map_or(text.len(), |e| i + 4 + e + 3);
                spans.push(i..end);
                i = end;
            }
            b'`' => {
                let n = bytes[i..].iter().take_while(|&&b| b == b'`').count();
                match find_backtick_run(text, i + n, n) {
                    Some(close) => {
                        spans.push(i..close + n);
                        i = close + n;
                    }
                    None => i += n,
                }
            }
            b']' if bytes.get(i + 1) == Some(&b'(') => {
                if let Some(close) = matching_paren(text, i + 1) {
                    spans.push(i + 1..close + 1);
                    i = close + 1;
                } else {
                    i += 2;
                }
            }
            b']' if bytes.get(i + 1) == Some(&b':') && line_starts_with_bracket(text, i) => {
                let end = find_line_break(&text[i..]).map_or(text.len(), |e| i + e);
                spans.push(i + 2..end);
                i = end;
            }
            _ => {
                // On to the next byte that can open a span (or the next block).
                let limit = blocks.get(next_block).map_or(bytes.len(), |b| b.start.max(i + 1));
                i = memchr::memchr3(b'<', b'`', b']', &bytes[i + 1..limit]).map_or(limit, |k| i + 1 + k);
            }
        }
    }
}

/// The start of the next run of exactly `n` backticks before a blank line.
fn find_backtick_run(text: &str, from: usize, n: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut j = from;
    while j < bytes.len() {
        if bytes[j] == b'`' {
            let m = bytes[j..].iter().take_while(|&&b| b == b'`').count();
            if m == n {
                return Some(j);
            }
            j += m;
        } else if bytes[j..].starts_with(b"\n\n") || bytes[j..].starts_with(b"\r\n\r\n") {
            return None;
        } else {
            j += 1;
        }
    }
    None
}

fn matching_paren(text: &str, open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (k, c) in text[open..].char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(open + k);
                }
            }
            '\n' | '\r' => return None,
            _ => {}
        }
    }
    None
}

fn line_starts_with_bracket(text: &str, at: usize) -> bool {
    let line_start = rfind_line_break(&text[..at]).map_or(0, |p| p + 1);
    let head = &text[line_start..at];
    head.trim_start().starts_with('[') && indent_width(head) <= 3 && !head.contains(']')
}

fn url_spans(text: &str, spans: &mut Vec<Range<usize>>) {
    let bytes = text.as_bytes();
    let mut i = 0;
    // Every prefix has a `:` or a `.` at a fixed place, far rarer in prose than the `h` and `w`
    // it starts with: find those with `memchr`, then look back for the rest of the prefix.
    for at in memchr::memchr2_iter(b':', b'.', bytes) {
        let looks_back = |prefix: &str, sep: usize| {
            let s = at.checked_sub(sep)?;
            let p = bytes.get(s..s + prefix.len())?;
            p.eq_ignore_ascii_case(prefix.as_bytes()).then_some((s, prefix.len()))
        };
        let found = if bytes[at] == b':' {
            looks_back("https://", 5).or_else(|| looks_back("http://", 4))
        } else {
            looks_back("www.", 3)
        };
        let Some((s, len)) = found else { continue };
        let preceded_by_word = s > 0 && text[..s].chars().next_back().is_some_and(super::words::is_word_char);
        if s < i || preceded_by_word {
            continue;
        }
        let mut e = s + len;
        while e < bytes.len() {
            let c = text[e..].chars().next().unwrap_or(' ');
            if c.is_whitespace() || matches!(c, '<' | '>' | '"' | '“' | '”') {
                break;
            }
            e += c.len_utf8();
        }
        // Trailing punctuation belongs to the sentence, not the URL.
        while e > s + len && matches!(bytes[e - 1], b'.' | b',' | b';' | b':' | b'!' | b'?' | b')' | b'\'') {
            if bytes[e - 1] == b')' && text[s..e].matches('(').count() >= text[s..e].matches(')').count() {
                break;
            }
            e -= 1;
        }
        spans.push(s..e);
        i = e;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The scan `url_spans` replaced: every `h` and `w` tried as the start of a prefix.
    fn url_spans_bytewise(text: &str, spans: &mut Vec<Range<usize>>) {
        let bytes = text.as_bytes();
        let mut i = 0;
        // A byte loop: `h`, `w` and their capitals are ASCII, so never part of another character.
        while let Some(off) = bytes[i..].iter().position(|&b| matches!(b | 0x20, b'h' | b'w')) {
            let s = i + off;
            let rest = &text[s..];
            let prefix = ["https://", "http://", "www."]
                .iter()
                .find(|p| rest.len() >= p.len() && rest.as_bytes()[..p.len()].eq_ignore_ascii_case(p.as_bytes()));
            let preceded_by_word =
                || s > 0 && text[..s].chars().next_back().is_some_and(crate::text::words::is_word_char);
            match prefix {
                Some(p) if !preceded_by_word() => {
                    let mut e = s + p.len();
                    while e < bytes.len() {
                        let c = text[e..].chars().next().unwrap_or(' ');
                        if c.is_whitespace() || matches!(c, '<' | '>' | '"' | '“' | '”') {
                            break;
                        }
                        e += c.len_utf8();
                    }
                    // Trailing punctuation belongs to the sentence, not the URL.
                    while e > s + p.len()
                        && matches!(bytes[e - 1], b'.' | b',' | b';' | b':' | b'!' | b'?' | b')' | b'\'')
                    {
                        if bytes[e - 1] == b')' && text[s..e].matches('(').count() >= text[s..e].matches(')').count() {
                            break;
                        }
                        e -= 1;
                    }
                    spans.push(s..e);
                    i = e;
                }
                _ => i = s + 1,
            }
        }
    }

    fn excluded(text: &str, flavor: Flavor) -> Vec<&str> {
        excluded_spans(text, flavor).into_iter().map(|r| &text[r]).collect()
    }

    #[test]
    fn code_blocks_and_inline_code() {
        let t = "ISIS here\n\n```\nISIS in code\n```\n\n    ISIL indented\n\nUse `ISIL` or ``a ` b``.";
        assert_eq!(
            excluded(t, Flavor::Markdown),
            vec!["```\nISIS in code\n```\n", "    ISIL indented\n", "`ISIL`", "``a ` b``"]
        );
    }

    #[test]
    fn list_continuations_are_not_code() {
        let t = "- item\n\n    continued ISIS\n";
        assert!(excluded(t, Flavor::Markdown).is_empty());
    }

    #[test]
    fn comments_links_front_matter_and_urls() {
        let t = "---\ntitle: ISIS\n---\nSee [ISIL](https://x.org/ISIL) <!-- ISIS -->\n[ref]: http://y.org/isis\nand www.isis.org/a.";
        assert_eq!(
            excluded(t, Flavor::Markdown),
            vec![
                "---\ntitle: ISIS\n---\n",
                "(https://x.org/ISIL)",
                "<!-- ISIS -->",
                " http://y.org/isis",
                "www.isis.org/a"
            ]
        );
    }

    #[test]
    fn plain_text_only_skips_urls_and_one_line_comments() {
        let t = "`ISIS` and https://a.b/ISIS, then";
        assert_eq!(excluded(t, Flavor::Plain), vec!["https://a.b/ISIS"]);
        let c = "<!-- frontline-disable ISIS -->\nISIL <!-- open\nISIS -->";
        assert_eq!(excluded(c, Flavor::Plain), vec!["<!-- frontline-disable ISIS -->"]);
    }

    #[test]
    fn comment_lines() {
        assert!(is_comment_line("  <!-- a --> <!-- b -->"));
        assert!(!is_comment_line("<!-- a --> text"));
        assert!(!is_comment_line("<!-- open"));
        assert_eq!(after_leading_comments(" <!-- a -->\n<!-- b --> Text"), "Text");
        assert_eq!(before_trailing_comment_lines("Text. <!-- a -->"), "Text. <!-- a -->");
        assert_eq!(before_trailing_comment_lines("Text.\n  <!-- a -->\n<!-- b -->\n"), "Text.");
        assert_eq!(before_trailing_comment_lines("<!-- a -->"), "<!-- a -->");
    }

    #[test]
    fn overlap_query() {
        let spans = vec![2..4, 10..12];
        assert!(overlaps(&spans, &(3..5)));
        assert!(!overlaps(&spans, &(4..10)));
        assert!(overlaps(&spans, &(0..20)));
    }

    proptest::proptest! {
        #[test]
        fn urls_found_from_separators_as_from_every_letter(
            text in "(https?://|HTTP://|www\\.|WwW\\.|xhttp://|http:|ww\\.|[a-z]{1,3}|[ .:,)(/\n]|é|“){0,16}"
        ) {
            let mut a = Vec::new();
            url_spans(&text, &mut a);
            let mut b = Vec::new();
            url_spans_bytewise(&text, &mut b);
            proptest::prop_assert_eq!(a, b);
        }
    }
}
