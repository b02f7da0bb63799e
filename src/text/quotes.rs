//! Quotations: the spans of a text that are someone else's words.
//!
//! Found per paragraph (paragraphs end at blank lines):
//! - double quotes: straight `"…"`, curly `“…”`, low-high `„…“`, guillemets `«…»` and `»…«`; an opening
//!   quote left open at the end of a paragraph runs to the end of that paragraph (news style opens
//!   each paragraph of a long quotation and closes only the last);
//! - Markdown block quotes (lines starting with `>`), in Markdown;
//! - embedded posts: a paragraph followed by a signature line such as `— Name (@handle) 13 Jun 2017`;
//! - unmarked block quotations: the paragraphs that follow a short introduction ending in a comma
//!   or colon with a report verb ("Reuters reported,"), while they read as running text.
//!
//! A quoted span of one to three words is a scare quote ("caliphate", “Islamic state”): the words
//! stay the writer's own. Four words or more make a quotation, and so does a shorter span that is
//! plainly speech: it ends in a comma, question or exclamation mark inside the quotes, or a speech
//! verb follows it (“ISIL will stay,” he said).

use std::ops::Range;

use super::markdown::{after_leading_comments, Flavor};

/// What kind of quoted span this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QuoteKind {
    /// A direct quotation of four words or more, marks included.
    Quotation,
    /// One to three quoted words: the writer's own, set off.
    Scare,
    /// A Markdown block quote line.
    Block,
    /// An embedded social-media post and its signature line.
    Post,
}

/// A quoted span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quote {
    /// Byte range, quote marks included.
    pub range: Range<usize>,
    pub kind: QuoteKind,
}

impl Quote {
    /// Whether the span holds someone else's words (everything but scare quotes).
    pub fn is_others_words(&self) -> bool {
        self.kind != QuoteKind::Scare
    }
}

/// Paragraphs: maximal runs of non-blank lines, as byte ranges without the final line break.
pub fn paragraphs(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut end = 0;
    for (pos, content, _) in super::lines_at(text) {
        if content.trim().is_empty() {
            if let Some(s) = start.take() {
                out.push(s..end);
            }
        } else {
            start.get_or_insert(pos);
            end = pos + content.len();
        }
    }
    if let Some(s) = start {
        out.push(s..end);
    }
    out
}

fn closing_for(open: char) -> Option<&'static [char]> {
    match open {
        '“' => Some(&['”']),
        '„' => Some(&['“', '”']),
        '«' => Some(&['»']),
        '»' => Some(&['«']),
        _ => None,
    }
}

fn word_count(s: &str) -> usize {
    s.split(|c: char| c.is_whitespace()).filter(|w| w.chars().any(char::is_alphanumeric)).count()
}

/// Speech verbs that mark a short quoted span as someone's words (“ISIL will stay,” he said).
const SPEECH: &[&str] =
    &["said", "says", "added", "told", "stated", "wrote", "asked", "replied", "declared", "insisted"];

fn is_speech(text: &str, range: &Range<usize>) -> bool {
    let inner = text[range.clone()].trim_end_matches(['”', '"', '»', '«', '“']);
    if inner.trim_end().ends_with([',', '?', '!']) {
        return true;
    }
    let after: String = text[range.end..].chars().take(40).collect::<String>().to_lowercase();
    let words: Vec<&str> = after.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).take(3).collect();
    words.iter().any(|w| SPEECH.contains(w))
}

fn classify(text: &str, range: Range<usize>) -> Quote {
    let long = word_count(&text[range.clone()]) >= 4;
    let kind = if long || is_speech(text, &range) { QuoteKind::Quotation } else { QuoteKind::Scare };
    Quote { range, kind }
}

/// Whether a straight `"` at `i` opens a quotation (it follows a space, an opening bracket, or starts the text).
fn straight_opens(text: &str, i: usize) -> bool {
    text[..i].chars().next_back().is_none_or(|c| c.is_whitespace() || matches!(c, '(' | '[' | '—' | '–' | '-' | ':'))
}

/// Double-quoted spans inside one paragraph.
fn quotes_in(text: &str, para: Range<usize>, out: &mut Vec<Quote>) {
    let mut i = para.start;
    while let Some((at, c)) = next_char_of(text, i..para.end, &['"', '“', '„', '«', '»']) {
        let closers: &[char] = match closing_for(c) {
            Some(cl) => cl,
            None if straight_opens(text, at) => &['"'],
            None => {
                i = at + 1;
                continue;
            }
        };
        let end = next_char_of(text, at + c.len_utf8()..para.end, closers).map_or(para.end, |(j, d)| j + d.len_utf8());
        out.push(classify(text, at..end));
        i = end;
    }
}

/// The first of `chars` (whose encodings start with at most three different bytes) in
/// `text[range]`, and where it is: `memchr` finds their first bytes, which never occur inside
/// another character.
fn next_char_of(text: &str, range: Range<usize>, chars: &[char]) -> Option<(usize, char)> {
    let (mut leads, mut n) = ([0u8; 4], 0);
    for c in chars {
        let lead = c.encode_utf8(&mut [0; 4]).as_bytes()[0];
        if !leads[..n].contains(&lead) && n < leads.len() {
            leads[n] = lead;
            n += 1;
        }
    }
    let leads = &leads[..n];
    let bytes = &text.as_bytes()[..range.end];
    let mut from = range.start;
    while from < range.end {
        let hay = &bytes[from..];
        let p = match *leads {
            [a] => memchr::memchr(a, hay),
            [a, b] => memchr::memchr2(a, b, hay),
            [a, b, c] => memchr::memchr3(a, b, c, hay),
            _ => hay.iter().position(|x| leads.contains(x)),
        }?;
        let at = from + p;
        let c = text[at..].chars().next()?;
        if chars.contains(&c) && at + c.len_utf8() <= range.end {
            return Some((at, c));
        }
        from = at + 1;
    }
    None
}

/// A signature line of an embedded post: a dash, a name, and an `(@handle)`.
pub(crate) fn is_post_signature(line: &str) -> bool {
    let t = after_leading_comments(line);
    (t.starts_with('—') || t.starts_with('–') || t.starts_with("- ")) && t.contains("(@")
}

/// A short paragraph that introduces an unmarked block quotation: "Reuters reported," or
/// "The statement said:".
pub(crate) fn introduces_block(para: &str) -> bool {
    let p = after_leading_comments(para).trim_end();
    if !(p.len() < 100 && p.ends_with([',', ':'])) {
        return false;
    }
    let p = p.to_lowercase();
    ["reported", "wrote", "writes", "said", "says", "stated", "reads", "read", "according to", "added"]
        .iter()
        .any(|v| p.contains(v))
}

/// Whether a paragraph reads as running text (ends like a sentence), as a block quotation does.
pub(crate) fn ends_like_sentence(para: &str) -> bool {
    para.trim_end().trim_end_matches(['”', '"', '’', ')', '»']).ends_with(['.', '!', '?', '…'])
}

/// Every quoted span of `text`, sorted by start and not overlapping.
pub fn quotes(text: &str, flavor: Flavor) -> Vec<Quote> {
    quotes_of_paragraphs(text, &paragraphs(text), flavor)
}

/// [`quotes`], for a caller that has the paragraphs of `text` ([`paragraphs`]) already.
pub fn quotes_of_paragraphs(text: &str, paras: &[Range<usize>], flavor: Flavor) -> Vec<Quote> {
    let mut out = Vec::new();
    let mut in_block = false;
    for (k, para) in paras.iter().enumerate() {
        let body = &text[para.clone()];
        if k > 0 && introduces_block(&text[paras[k - 1].clone()]) {
            in_block = true;
        }
        // (Comment lines at the start of a paragraph are not read.)
        let lead = after_leading_comments(body);
        if in_block && ends_like_sentence(body) && !lead.starts_with(['“', '"', '«']) {
            out.push(Quote { range: para.clone(), kind: QuoteKind::Block });
            continue;
        }
        in_block = false;
        if is_post_signature(body) {
            // The signature and the paragraph before it are the post.
            let start = if k > 0 { paras[k - 1].start } else { para.start };
            out.retain(|q: &Quote| q.range.end <= start);
            out.push(Quote { range: start..para.end, kind: QuoteKind::Post });
            continue;
        }
        if flavor == Flavor::Markdown && lead.starts_with('>') {
            out.push(Quote { range: para.clone(), kind: QuoteKind::Block });
            continue;
        }
        quotes_in(text, para.clone(), &mut out);
    }
    out.sort_by_key(|q| q.range.start);
    out
}

/// The quote containing byte range `r`, if any (`quotes` sorted and disjoint).
pub fn quote_around<'a>(quotes: &'a [Quote], r: &Range<usize>) -> Option<&'a Quote> {
    let i = quotes.partition_point(|q| q.range.end <= r.start);
    quotes.get(i).filter(|q| q.range.start <= r.start && r.end <= q.range.end)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The scan `quotes_in` replaced: every character of the paragraph read in turn.
    fn quotes_in_by_char(text: &str, para: Range<usize>, out: &mut Vec<Quote>) {
        let mut iter = text[para.clone()].char_indices().map(|(i, c)| (para.start + i, c)).peekable();
        while let Some((i, c)) = iter.next() {
            let closers: &[char] = if c == '"' {
                if !straight_opens(text, i) {
                    continue;
                }
                &['"']
            } else if let Some(cl) = closing_for(c) {
                cl
            } else {
                continue;
            };
            let mut end = para.end;
            for (j, d) in iter.by_ref() {
                if closers.contains(&d) {
                    end = j + d.len_utf8();
                    break;
                }
            }
            out.push(classify(text, i..end));
        }
    }

    fn spans(text: &str, flavor: Flavor) -> Vec<(&str, QuoteKind)> {
        quotes(text, flavor).into_iter().map(|q| (&text[q.range], q.kind)).collect()
    }

    #[test]
    fn curly_straight_and_guillemets() {
        let t = "He said “as an air force for ISIS.” and \"it was never this blatant\" and «ISIL ici».";
        assert_eq!(
            spans(t, Flavor::Plain),
            vec![
                ("“as an air force for ISIS.”", QuoteKind::Quotation),
                ("\"it was never this blatant\"", QuoteKind::Quotation),
                ("«ISIL ici»", QuoteKind::Scare),
            ]
        );
    }

    #[test]
    fn scare_quotes_are_short() {
        let t = "the stronghold of the “Islamic state” (banned) and a \"legitimate target.\"";
        let kinds: Vec<QuoteKind> = spans(t, Flavor::Plain).into_iter().map(|(_, k)| k).collect();
        assert_eq!(kinds, vec![QuoteKind::Scare, QuoteKind::Scare]);
    }

    #[test]
    fn an_open_quote_runs_to_the_end_of_its_paragraph() {
        let t = "“The whole thing started with fire from the regime.\n\n“Then ISIL started.” he said.";
        assert_eq!(
            spans(t, Flavor::Plain),
            vec![
                ("“The whole thing started with fire from the regime.", QuoteKind::Quotation),
                ("“Then ISIL started.”", QuoteKind::Quotation),
            ]
        );
    }

    #[test]
    fn apostrophes_and_inch_marks_do_not_open_quotes() {
        let t = "ISIL’s advance; a 12\" gun; al-Qa'ida.";
        assert!(spans(t, Flavor::Plain).is_empty());
    }

    #[test]
    fn block_quotes_and_embedded_posts() {
        let t = "Intro.\n\n> ISIS is here, says the post\n> more\n\nFirst footage of #SAA against #ISIS today.\n\n— Fahd Majd (@Syria_Protector) 13 Jun 2017\n\nAfter.";
        let s = spans(t, Flavor::Markdown);
        assert_eq!(s[0], ("> ISIS is here, says the post\n> more", QuoteKind::Block));
        assert_eq!(
            s[1],
            (
                "First footage of #SAA against #ISIS today.\n\n— Fahd Majd (@Syria_Protector) 13 Jun 2017",
                QuoteKind::Post
            )
        );
        assert_eq!(s.len(), 2);
        // Plain text has no block quotes.
        assert_eq!(spans(t, Flavor::Plain).len(), 1);
    }

    #[test]
    fn unmarked_block_quotations_after_an_introduction() {
        let t = "Reuters reported,\n\nThe groups did not include Islamic State.\n\nInsurgents renewed calls.\n\nRelated stories\n\nOwn text.";
        let s = spans(t, Flavor::Plain);
        assert_eq!(
            s,
            vec![
                ("The groups did not include Islamic State.", QuoteKind::Block),
                ("Insurgents renewed calls.", QuoteKind::Block)
            ]
        );
    }

    #[test]
    fn paragraphs_split_at_blank_lines() {
        let t = "a\nb\n\n  \nc\r\n\r\nd";
        let p: Vec<&str> = paragraphs(t).into_iter().map(|r| &t[r]).collect();
        assert_eq!(p, vec!["a\nb", "c", "d"]);
    }

    proptest::proptest! {
        #[test]
        fn quotes_found_by_their_bytes_as_by_every_character(text in "[a \"“”„«»’é.,\n]{0,30}") {
            let (mut a, mut b) = (Vec::new(), Vec::new());
            quotes_in(&text, 0..text.len(), &mut a);
            quotes_in_by_char(&text, 0..text.len(), &mut b);
            proptest::prop_assert_eq!(a, b);
        }
    }
}
