//! Text primitives that know nothing about actors or the protocol.
//!
//! - [`pos`]: line/column positions in UTF-8, UTF-16 or UTF-32 over a [`ropey::Rope`], and edits.
//! - [`fold`]: the normalisation used for matching, with a map back to original byte offsets.
//! - [`words`]: Unicode word characters and word boundaries.
//! - [`markdown`]: spans of a document that are not prose (code, URLs, comments, front matter).
//! - [`quotes`]: paragraphs and quoted spans (quotations, scare quotes, block quotes, embedded posts).
//! - [`sentences`]: sentence boundaries.
//! - [`clutter`]: web-page clutter (tag lists, related links, credits).

pub mod blocks;
pub mod clutter;
pub mod fold;
pub mod markdown;
pub mod pos;
pub mod quotes;
pub mod sentences;
pub mod words;

pub use pos::{Encoding, LineCol};

/// The largest char boundary of `s` at or below `i` (clamped to `s.len()`).
pub fn floor_char_boundary(s: &str, i: usize) -> usize {
    let mut i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}
