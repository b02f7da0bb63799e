//! Conversions between LSP types and the byte offsets the analysis uses.

use std::ops::Range;

use ropey::Rope;
use tower_lsp_server::ls_types::{
    ClientCapabilities, Position, PositionEncodingKind, Range as LspRange, TextDocumentContentChangeEvent,
};

use crate::text::pos::{apply_change, byte_of, pos_of, LineIndex, Near, Replaced};
use crate::text::{Encoding, LineCol};

/// Picks the position encoding: UTF-8 when the client offers it, else UTF-16 (LSP's default,
/// which every client supports), else UTF-32 when that is all the client offers.
pub fn negotiate(caps: &ClientCapabilities) -> Encoding {
    let offered: Vec<&PositionEncodingKind> = caps
        .general
        .as_ref()
        .and_then(|g| g.position_encodings.as_ref())
        .map(|v| v.iter().collect())
        .unwrap_or_default();
    let has = |k: &PositionEncodingKind| offered.contains(&k);
    if has(&PositionEncodingKind::UTF8) {
        Encoding::Utf8
    } else if offered.is_empty() || has(&PositionEncodingKind::UTF16) {
        Encoding::Utf16
    } else if has(&PositionEncodingKind::UTF32) {
        Encoding::Utf32
    } else {
        Encoding::Utf16
    }
}

/// The LSP name of an encoding.
pub fn encoding_kind(enc: Encoding) -> PositionEncodingKind {
    match enc {
        Encoding::Utf8 => PositionEncodingKind::UTF8,
        Encoding::Utf16 => PositionEncodingKind::UTF16,
        Encoding::Utf32 => PositionEncodingKind::UTF32,
    }
}

fn line_col(p: Position) -> LineCol {
    LineCol::new(p.line, p.character)
}

fn position(p: LineCol) -> Position {
    Position::new(p.line, p.col)
}

/// The byte offset of an LSP position, clamped into the document.
pub fn offset(rope: &Rope, p: Position, enc: Encoding) -> usize {
    byte_of(rope, line_col(p), enc)
}

/// The LSP position of a byte offset.
pub fn lsp_position(rope: &Rope, byte: usize, enc: Encoding) -> Position {
    position(pos_of(rope, byte, enc))
}

/// The LSP range of a byte range.
pub fn lsp_range(rope: &Rope, range: &Range<usize>, enc: Encoding) -> LspRange {
    LspRange::new(lsp_position(rope, range.start, enc), lsp_position(rope, range.end, enc))
}

/// [`lsp_range`] for many ranges of one text in a row, through its line index (`near` is where
/// the last one was: see [`LineIndex::pos_near`]).
pub fn lsp_range_near(
    lines: &LineIndex,
    rope: &Rope,
    text: &str,
    range: &Range<usize>,
    enc: Encoding,
    near: &mut Near,
) -> LspRange {
    let mut pos = |b: usize| position(lines.pos_near(rope, text, b, enc, near));
    LspRange::new(pos(range.start), pos(range.end))
}

/// The byte range of an LSP range (clamped and put in order).
pub fn byte_range(rope: &Rope, r: LspRange, enc: Encoding) -> Range<usize> {
    crate::text::pos::byte_range(rope, line_col(r.start), line_col(r.end), enc)
}

/// Applies one `didChange` content change to `rope`.
pub fn apply(rope: &mut Rope, change: &TextDocumentContentChangeEvent, enc: Encoding) -> Replaced {
    let range = change.range.map(|r| (line_col(r.start), line_col(r.end)));
    apply_change(rope, range, &change.text, enc)
}
