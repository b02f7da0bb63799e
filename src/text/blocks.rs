//! Blocks: the independent pieces a story is analysed in.
//!
//! A block is one paragraph or more, with the blank lines after it; the blocks of a text tile it
//! with no gap. A block ends at a blank line only where nothing read across that line: not inside
//! Markdown front matter, a fenced code block or an HTML comment, not before an indented line (code
//! or a list continuation in Markdown), not after a paragraph that introduces an unmarked block
//! quotation ("Reuters reported,") nor inside the quotation it introduces, and not before the
//! signature line of an embedded post. Every per-text scanner of this module ([`super::quotes`],
//! [`super::markdown`], [`super::sentences`], [`super::clutter`]) therefore gives the same answer
//! on a block as on the text around it, and a block can be analysed on its own and its result kept
//! until its text changes.
//!
//! Where a block ends depends only on the text from its start onwards (and on whether it starts
//! the text, for front matter): re-splitting from any block start reproduces the same blocks. It
//! looks no further ahead than the next paragraph, except for front matter, whose closing line may
//! lie anywhere ([`opens_front_matter`]).

use std::ops::Range;

use super::line_at;
use super::markdown::{self, after_leading_comments, closes_fence, fence_of, front_matter_end, indent_width, Flavor};
use super::quotes::{ends_like_sentence, introduces_block, is_post_signature};

/// The blocks of `text`, in order, tiling it.
pub fn blocks(text: &str, flavor: Flavor) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < text.len() {
        let end = next_block_end(text, start, flavor);
        out.push(start..end);
        start = end;
    }
    out
}

fn is_blank(line: &str) -> bool {
    line.trim().is_empty()
}

/// The paragraph that starts at `at` (a non-blank line): its text up to the next blank line.
fn paragraph_from(text: &str, at: usize) -> &str {
    let mut end = at;
    let mut pos = at;
    while pos < text.len() {
        let (_, content, next) = line_at(text, pos);
        if is_blank(content) {
            break;
        }
        end = pos + content.len();
        pos = next;
    }
    &text[at..end]
}

/// Whether the text opens like Markdown front matter (`---` or `+++` on the first line): then
/// where the first block ends depends on where, anywhere later, the front matter closes.
pub fn opens_front_matter(text: &str, flavor: Flavor) -> bool {
    flavor == Flavor::Markdown && markdown::opens_front_matter(text)
}

/// Whether an HTML comment is still open after `line`, given whether one was open before it.
fn comment_open_after(line: &str, mut open: bool) -> bool {
    let mut rest = line;
    loop {
        let marker = if open { "-->" } else { "<!--" };
        // Most lines have no `<` (or no `-` inside a comment): one `memchr` says so.
        if memchr::memchr(marker.as_bytes()[0], rest.as_bytes()).is_none() {
            return open;
        }
        match memchr::memmem::find(rest.as_bytes(), marker.as_bytes()) {
            Some(i) => {
                rest = &rest[i + marker.len()..];
                open = !open;
            }
            None => return open,
        }
    }
}

/// Where the block that starts at `start` (a block boundary: 0 or the end of another block) ends.
pub fn next_block_end(text: &str, start: usize, flavor: Flavor) -> usize {
    let md = flavor == Flavor::Markdown;
    let mut pos = start;
    if md && start == 0 {
        if let Some(end) = front_matter_end(text) {
            pos = end;
        }
    }
    let mut comment = false;
    // The last paragraph before the current run of blank lines, and whether the current paragraph
    // belongs to an unmarked block quotation.
    let mut prev: Option<Range<usize>> = None;
    let mut in_para: Option<usize> = None;
    let mut para_end = pos;
    let mut quoting = false;
    while pos < text.len() {
        let (line_start, line, next) = line_at(text, pos);
        if is_blank(line) {
            if let Some(s) = in_para.take() {
                prev = Some(s..para_end);
            }
            pos = next;
            continue;
        }
        if in_para.is_none() {
            let para = paragraph_from(text, line_start);
            if let Some(p) = &prev {
                let introduced = introduces_block(&text[p.clone()]);
                let continues =
                    |para: &str| ends_like_sentence(para) && !after_leading_comments(para).starts_with(['“', '"', '«']);
                let joined = comment
                    || (md && indent_width(line) > 0)
                    || introduced
                    || (quoting && continues(para))
                    || is_post_signature(para);
                if !joined {
                    return line_start;
                }
                quoting = (introduced || quoting) && continues(para);
            }
            in_para = Some(line_start);
        }
        if md && !comment {
            if let Some((c, n)) = fence_of(line) {
                // The fence runs to its closing line, blank lines included.
                let mut p = next;
                let mut close = text.len();
                while p < text.len() {
                    let (_, l, nx) = line_at(text, p);
                    if closes_fence(l, (c, n)) {
                        close = nx;
                        para_end = p + l.len();
                        break;
                    }
                    p = nx;
                }
                if close == text.len() {
                    return text.len();
                }
                pos = close;
                continue;
            }
        }
        if md {
            comment = comment_open_after(line, comment);
        }
        para_end = line_start + line.len();
        pos = next;
    }
    text.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str, flavor: Flavor) -> Vec<&str> {
        blocks(text, flavor).into_iter().map(|r| &text[r]).collect()
    }

    #[test]
    fn paragraphs_are_blocks_with_their_blank_lines() {
        assert_eq!(
            split("One.\nTwo.\n\nThree.\n\n\nFour.", Flavor::Plain),
            vec!["One.\nTwo.\n\n", "Three.\n\n\n", "Four."]
        );
        assert_eq!(split("A.\r\n\r\nB.\r\n", Flavor::Plain), vec!["A.\r\n\r\n", "B.\r\n"]);
        assert_eq!(split("\n\nA.", Flavor::Plain), vec!["\n\nA."]);
        assert!(split("", Flavor::Plain).is_empty());
    }

    #[test]
    fn constructs_that_read_across_blank_lines_stay_whole() {
        let t = "---\ntitle: x\n\nmore: y\n---\nA.\n\n```\ncode\n\nmore code\n```\n\nB.\n\n    indented\n\nC.";
        assert_eq!(
            split(t, Flavor::Markdown),
            vec![
                "---\ntitle: x\n\nmore: y\n---\nA.\n\n",
                "```\ncode\n\nmore code\n```\n\n",
                "B.\n\n    indented\n\n",
                "C."
            ]
        );
        let c = "A <!-- open\n\nstill -->.\n\nB.";
        assert_eq!(split(c, Flavor::Markdown), vec!["A <!-- open\n\nstill -->.\n\n", "B."]);
        let q = "Reuters reported,\n\nThe groups met.\n\nThey left.\n\n“Quoted,” he said.\n\nOwn.";
        assert_eq!(
            split(q, Flavor::Plain),
            vec!["Reuters reported,\n\nThe groups met.\n\nThey left.\n\n", "“Quoted,” he said.\n\n", "Own."]
        );
        let post = "Footage today.\n\n— Name (@handle) 13 Jun 2017\n\nAfter.";
        assert_eq!(split(post, Flavor::Plain), vec!["Footage today.\n\n— Name (@handle) 13 Jun 2017\n\n", "After."]);
    }

    #[test]
    fn re_splitting_from_any_block_start_gives_the_same_blocks() {
        let t = "# Head\n\nA para.\n\n```\nx\n\ny\n```\n\nReuters reported,\n\nQuoted text.\n\nOwn text.\n";
        let all = blocks(t, Flavor::Markdown);
        for (i, b) in all.iter().enumerate() {
            let mut rest = Vec::new();
            let mut s = b.start;
            while s < t.len() {
                let e = next_block_end(t, s, Flavor::Markdown);
                rest.push(s..e);
                s = e;
            }
            assert_eq!(rest, all[i..].to_vec());
        }
    }
}
