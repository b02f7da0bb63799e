//! Text primitives that know nothing about actors or the protocol.
//!
//! - [`pos`]: line/column positions in UTF-8, UTF-16 or UTF-32 over a [`ropey::Rope`], and edits.
//! - [`fold`]: the normalisation used for matching, with a map back to original byte offsets.
//! - [`words`]: Unicode word characters and word boundaries.
//! - [`markdown`]: spans of a document that are not prose (code, URLs, comments, front matter).

pub mod fold;
pub mod markdown;
pub mod pos;
pub mod words;

pub use pos::{Encoding, LineCol};
