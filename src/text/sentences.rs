//! Sentences: where they start and end.
//!
//! A sentence ends after `.`, `!` or `?` (and any closing quotes or brackets right after it) when
//! the next non-space character starts a new sentence: an upper-case letter, a digit, an opening
//! quote, `#`, `@` or a letter of a script without case. Known abbreviations (Mr., Gen., U.S., Oct.,
//! a.m. …), single initials and list numbers ("2. Red lines") do not end a sentence, nor does an
//! ellipsis. So `“…,” he said.` stays one sentence with its quote.
//!
//! A blank line always ends a sentence. A single line break ends one in plain text; in Markdown it
//! does so only before a heading, list item, block quote or another block, so soft-wrapped
//! paragraphs stay whole.

use std::ops::Range;

use super::markdown::{after_leading_comments, before_trailing_comment_lines, Flavor};
use crate::text::rfind_line_break;

/// Abbreviations that do not end a sentence (compared in lower case, with their final point).
const ABBREVIATIONS: &[&str] = &[
    "mr.", "mrs.", "ms.", "dr.", "prof.", "gen.", "lt.", "col.", "maj.", "capt.", "cpt.", "sgt.", "cpl.", "adm.",
    "brig.", "sen.", "rep.", "gov.", "pres.", "amb.", "rev.", "st.", "jr.", "sr.", "no.", "nos.", "vs.", "etc.",
    "inc.", "co.", "corp.", "ltd.", "jan.", "feb.", "mar.", "apr.", "jun.", "jul.", "aug.", "sep.", "sept.", "oct.",
    "nov.", "dec.", "u.s.", "u.n.", "u.k.", "e.u.", "u.s.a.", "a.m.", "p.m.", "e.g.", "i.e.", "approx.", "est.",
    "dept.", "mt.", "ft.", "km.", "vol.", "fig.",
];

/// Whether `c` may start a new sentence.
fn opens_sentence(c: char) -> bool {
    c.is_uppercase()
        || c.is_ascii_digit()
        || matches!(c, '“' | '"' | '‘' | '\'' | '«' | '„' | '#' | '@' | '(' | '[' | '—' | '–')
        || (c.is_alphabetic() && !c.is_lowercase() && !c.is_uppercase())
}

/// The word ending at `end` (exclusive), back to the previous white space.
fn word_before(text: &str, end: usize) -> &str {
    let start = text[..end]
        .char_indices()
        .rev()
        .find(|&(_, c)| c.is_whitespace() || matches!(c, '(' | '“' | '"'))
        .map_or(0, |(p, c)| p + c.len_utf8());
    &text[start..end]
}

fn is_abbreviation(word: &str, at_line_start: bool) -> bool {
    let mut buf = [0u8; 32];
    let w = super::fold::lowercase_in(word.trim_start_matches(['(', '[', '“', '"', '\'', '‘']), &mut buf);
    if ABBREVIATIONS.contains(&&*w) {
        return true;
    }
    let letters: Vec<char> = w.trim_end_matches('.').chars().collect();
    // Single initials ("J. Smith") and list numbers at the start of a line ("2. Red lines").
    (letters.len() == 1 && letters[0].is_alphabetic()) || (at_line_start && letters.iter().all(char::is_ascii_digit))
}

fn is_block_start(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with('#')
        || t.starts_with('>')
        || t.starts_with("- ")
        || t.starts_with("* ")
        || t.starts_with("+ ")
        || t.starts_with("```")
        || t.chars().take_while(char::is_ascii_digit).count() > 0
            && t.trim_start_matches(|c: char| c.is_ascii_digit()).starts_with(". ")
}

/// The sentences of `text`, as trimmed byte ranges in order.
pub fn sentences(text: &str, flavor: Flavor) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    // A sentence does not start with a comment nor end with comment lines: they are not read.
    let push = |s: usize, e: usize, out: &mut Vec<Range<usize>>| {
        let piece = &text[s..e];
        let rest = after_leading_comments(piece);
        let lead = piece.len() - rest.len();
        let trail = rest.len() - before_trailing_comment_lines(rest).len();
        if lead + trail < piece.len() {
            out.push(s + lead..e - trail);
        }
    };
    let mut i = 0;
    let mut marks = Marks::new(bytes);
    // The start of the line the scan is in, kept as it goes (a backward search from every full stop
    // would cost the square of a line's length on a one-line story).
    let mut line = (0, 0); // (start of the current line, how far the text has been searched)
    let line_start_of = |i: usize, line: &mut (usize, usize)| {
        if let Some(p) = rfind_line_break(&text[line.1..i]) {
            line.0 = line.1 + p + 1;
        }
        line.1 = i;
        line.0
    };
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'\n' || b == b'\r' {
            let line_end = i;
            // Skip the whole run of line breaks.
            let mut j = i;
            let mut breaks = 0;
            while j < bytes.len() && (bytes[j] == b'\n' || bytes[j] == b'\r') {
                if bytes[j] == b'\n' || bytes.get(j + 1) != Some(&b'\n') {
                    breaks += 1;
                }
                j += 1;
            }
            let next_line = text[j..].split(['\n', '\r']).next().unwrap_or("");
            let blank_between = breaks > 1 || text[j..].starts_with([' ', '\t']) && next_line.trim().is_empty();
            let ends = flavor == Flavor::Plain
                || blank_between
                || is_block_start(next_line)
                || text[start..line_end].trim_start().starts_with('#');
            if ends {
                push(start, line_end, &mut out);
                start = j;
            }
            i = j;
            continue;
        }
        if matches!(b, b'.' | b'!' | b'?') {
            // Ellipses ("...") never end a sentence.
            if b == b'.' && (bytes.get(i + 1) == Some(&b'.') || (i > 0 && bytes[i - 1] == b'.')) {
                i += 1;
                continue;
            }
            let mut end = i + 1;
            while let Some(c) = text[end..].chars().next() {
                if matches!(c, '”' | '"' | '’' | '\'' | ')' | ']' | '»') {
                    end += c.len_utf8();
                } else {
                    break;
                }
            }
            let after = &text[end..];
            let spaced = after.starts_with([' ', '\t']);
            let next = after.trim_start_matches([' ', '\t']).chars().next();
            let line_start = line_start_of(i, &mut line);
            let word = word_before(text, i + 1);
            let at_line_start = text[line_start..i + 1 - word.len()].trim().is_empty();
            let boundary =
                spaced && next.is_some_and(opens_sentence) && !(b == b'.' && is_abbreviation(word, at_line_start));
            if boundary {
                push(start, end, &mut out);
                start = end;
            }
            i = end;
            continue;
        }
        // On to the next line break or sentence-ending mark.
        i = marks.next(i + 1);
    }
    push(start, text.len(), &mut out);
    out
}

/// Finds the next line break or sentence-ending mark with `memchr` (a byte loop testing five
/// values cost about as much as the rest of the splitter): `\n`, `\r` and `.` searched each time,
/// `!` and `?`, which are rare, searched again only once the scan has passed the last one found.
struct Marks<'a> {
    bytes: &'a [u8],
    /// The next `!` or `?` at or after the last search, or the text's length if there is none.
    rare: usize,
}

impl Marks<'_> {
    fn new(bytes: &[u8]) -> Marks<'_> {
        Marks { bytes, rare: memchr::memchr2(b'!', b'?', bytes).unwrap_or(bytes.len()) }
    }

    /// The offset of the first mark at or after `from`, or the text's length. `from` must not
    /// decrease from one call to the next (the splitter only moves forward).
    fn next(&mut self, from: usize) -> usize {
        let len = self.bytes.len();
        if from >= len {
            return len;
        }
        if self.rare < from {
            self.rare = memchr::memchr2(b'!', b'?', &self.bytes[from..]).map_or(len, |p| from + p);
        }
        let common = memchr::memchr3(b'\n', b'\r', b'.', &self.bytes[from..self.rare]).map_or(self.rare, |p| from + p);
        common.min(self.rare)
    }
}

/// Whether byte offset `at` starts a sentence: it begins the text or a line, or follows `.`, `!`
/// or `?` (with any closing quotes or brackets) and white space, possibly after an opening quote.
pub fn starts_sentence(text: &str, at: usize) -> bool {
    let before = text[..at].trim_end_matches(['“', '"', '‘', '\'', '(', '«', '„']);
    let trimmed = before.trim_end_matches([' ', '\t']);
    if trimmed.is_empty() || trimmed.ends_with(['\n', '\r']) {
        return true;
    }
    if trimmed.len() == before.len() {
        return false; // no space between the previous word and this one
    }
    let core = trimmed.trim_end_matches(['”', '"', '’', '\'', ')', '»']);
    core.ends_with(['.', '!', '?'])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str, flavor: Flavor) -> Vec<&str> {
        sentences(text, flavor).into_iter().map(|r| &text[r]).collect()
    }

    #[test]
    fn sentence_starts() {
        let t = "ISIL took it. “ISIL said so.” Then ISIL\nISIL and (ISIL";
        let starts: Vec<bool> = t.match_indices("ISIL").map(|(i, _)| starts_sentence(t, i)).collect();
        assert_eq!(starts, vec![true, true, false, true, false]);
    }

    #[test]
    fn abbreviations_initials_and_quotes() {
        let t = "Gen. Salim Idris met U.S. officials on Oct. 3. He left. “It was never this blatant,” said Abu Abdo. J. Smith agreed... and left!";
        assert_eq!(
            split(t, Flavor::Plain),
            vec![
                "Gen. Salim Idris met U.S. officials on Oct. 3.",
                "He left.",
                "“It was never this blatant,” said Abu Abdo.",
                "J. Smith agreed... and left!"
            ]
        );
    }

    #[test]
    fn quotes_keep_their_speaker_and_list_numbers_stay() {
        let t = "“Until now they are bombed by air and ISIS isn’t,” he said. He also said more.\n2. Red lines: none.";
        assert_eq!(
            split(t, Flavor::Plain),
            vec![
                "“Until now they are bombed by air and ISIS isn’t,” he said.",
                "He also said more.",
                "2. Red lines: none."
            ]
        );
    }

    #[test]
    fn line_breaks_by_flavor() {
        let t = "A headline\nThe body starts here\nand wraps.\n\n# Title\n- item one\n- item two";
        assert_eq!(
            split(t, Flavor::Plain),
            vec!["A headline", "The body starts here", "and wraps.", "# Title", "- item one", "- item two"]
        );
        assert_eq!(
            split(t, Flavor::Markdown),
            vec!["A headline\nThe body starts here\nand wraps.", "# Title", "- item one", "- item two"]
        );
    }

    #[test]
    fn comment_lines_are_not_read() {
        let t = "<!-- a -->\nMany died.\n<!-- b -->\n\nSome left. <!-- c -->";
        assert_eq!(split(t, Flavor::Plain), vec!["Many died.", "Some left. <!-- c -->"]);
        assert_eq!(split(t, Flavor::Markdown), vec!["Many died.", "Some left. <!-- c -->"]);
    }

    #[test]
    fn no_space_no_split_and_lower_case_continues() {
        let t = "he said.Ebdi added more. then lower case. 3 died.";
        assert_eq!(split(t, Flavor::Plain), vec!["he said.Ebdi added more. then lower case.", "3 died."]);
    }

    proptest::proptest! {
        #[test]
        fn marks_are_the_next_break_or_ending_mark(text in "[a .!?\n\r]{0,40}", steps in proptest::collection::vec(0usize..8, 1..12)) {
            let bytes = text.as_bytes();
            let mut marks = Marks::new(bytes);
            let mut from = 0;
            for step in steps {
                from += step;
                let want = bytes.iter().skip(from).position(|b| matches!(b, b'\n' | b'\r' | b'.' | b'!' | b'?')).map_or(bytes.len(), |p| from + p);
                proptest::prop_assert_eq!(marks.next(from), want.max(from.min(bytes.len())));
            }
        }
    }
}
