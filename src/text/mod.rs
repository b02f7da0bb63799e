//! Text primitives that know nothing about actors or the protocol.
//!
//! - [`pos`]: line/column positions in UTF-8, UTF-16 or UTF-32 over a [`ropey::Rope`], and edits.
//! - [`fold`]: the normalisation used for matching, with a map back to original byte offsets.
//! - [`words`]: Unicode word characters and word boundaries.
//! - [`phrases`]: finding folded phrases at the places where a whole word may start.
//! - [`markdown`]: spans of a document that are not prose (code, URLs, comments, front matter).
//! - [`quotes`]: paragraphs and quoted spans (quotations, scare quotes, block quotes, embedded posts).
//! - [`sentences`]: sentence boundaries.
//! - [`clutter`]: web-page clutter (tag lists, related links, credits).

use std::ops::Range;

pub mod blocks;
pub mod clutter;
pub mod fold;
pub mod markdown;
pub mod phrases;
pub mod pos;
pub mod quotes;
pub mod sentences;
pub mod words;

pub use pos::{Encoding, LineCol};

/// Where the first line break (`\n` or `\r`) of `s` is: `s.find(['\n', '\r'])`, with `memchr`.
pub fn find_line_break(s: &str) -> Option<usize> {
    memchr::memchr2(b'\n', b'\r', s.as_bytes())
}

/// Where the last line break (`\n` or `\r`) of `s` is: `s.rfind(['\n', '\r'])`, with `memchr`.
pub fn rfind_line_break(s: &str) -> Option<usize> {
    memchr::memrchr2(b'\n', b'\r', s.as_bytes())
}

/// The line of `text` that starts at `at`, the way the block, paragraph and clutter scanners read
/// lines (they end at `\n`; a `\r` before it is part of the break): its start, its content
/// without the line break, and where the next line starts. Found with `memchr`.
pub fn line_at(text: &str, at: usize) -> (usize, &str, usize) {
    let next = memchr::memchr(b'\n', &text.as_bytes()[at..]).map_or(text.len(), |i| at + i + 1);
    (at, text[at..next].trim_end_matches(['\n', '\r']), next)
}

/// Every line of `text` as [`line_at`] reads it, in order.
pub fn lines_at(text: &str) -> impl Iterator<Item = (usize, &str, usize)> {
    let mut at = 0;
    std::iter::from_fn(move || {
        (at < text.len()).then(|| {
            let line = line_at(text, at);
            at = line.2;
            line
        })
    })
}

/// The largest char boundary of `s` at or below `i` (clamped to `s.len()`).
pub fn floor_char_boundary(s: &str, i: usize) -> usize {
    let mut i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The bytes an edit changed: `at..old_end` of the old text became `at..new_end` of the new one
/// (the longest common prefix and suffix; not always on character boundaries).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Changed {
    pub at: usize,
    pub old_end: usize,
    pub new_end: usize,
}

impl Changed {
    /// Where a range of the old text that lies outside the changed bytes is in the new text: one
    /// that starts at or after them moves with them, one before them stays.
    pub fn forward(&self, r: &Range<usize>) -> Range<usize> {
        if r.start >= self.old_end {
            r.start - self.old_end + self.new_end..r.end - self.old_end + self.new_end
        } else {
            r.clone()
        }
    }

    /// Where an offset of the new text that lies outside the changed bytes was in the old text.
    pub fn back(&self, p: usize) -> usize {
        if p >= self.new_end {
            p - self.new_end + self.old_end
        } else {
            p
        }
    }
}

/// What changed between `old` and `new`, by comparing them (4 KB at a time where they agree).
pub fn changed_bytes(old: &str, new: &str) -> Changed {
    changed_bytes_between(old, new, 0, 0)
}

/// [`changed_bytes`] for texts whose first `prefix` bytes and last `suffix` bytes are known to be
/// the same (as far as both texts reach): only the bytes between are compared.
pub fn changed_bytes_between(old: &str, new: &str, prefix: usize, suffix: usize) -> Changed {
    let (o, n) = (old.as_bytes(), new.as_bytes());
    let prefix = prefix.min(o.len()).min(n.len());
    let at = prefix + common_prefix(&o[prefix..], &n[prefix..]);
    let known = suffix.min(o.len() - at).min(n.len() - at);
    let suffix = known + common_suffix(&o[at..o.len() - known], &n[at..n.len() - known]);
    Changed { at, old_end: o.len() - suffix, new_end: n.len() - suffix }
}

fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    const CHUNK: usize = 4096;
    let mut i = 0;
    let len = a.len().min(b.len());
    while i + CHUNK <= len && a[i..i + CHUNK] == b[i..i + CHUNK] {
        i += CHUNK;
    }
    while i < len && a[i] == b[i] {
        i += 1;
    }
    i
}

fn common_suffix(a: &[u8], b: &[u8]) -> usize {
    const CHUNK: usize = 4096;
    let len = a.len().min(b.len());
    let (ea, eb) = (a.len(), b.len());
    let mut i = 0;
    while i + CHUNK <= len && a[ea - i - CHUNK..ea - i] == b[eb - i - CHUNK..eb - i] {
        i += CHUNK;
    }
    while i < len && a[ea - i - 1] == b[eb - i - 1] {
        i += 1;
    }
    i
}
