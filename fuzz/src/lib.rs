//! Shared helpers for the fuzz targets: a slow, obvious model of LSP positions written from the
//! rules in `src/text/pos.rs`, independent of ropey, to compare the real code with.
//!
//! Lines end at `\n`, `\r\n` or a lone `\r`. A column counts UTF-8 bytes, UTF-16 code units or
//! scalar values. Turning a position into a byte offset clamps: a line past the end is the end of
//! the text, a column past the end of a line is the end of the line's content (before its break),
//! and a column inside a character is that character's start.

use std::ops::Range;

use frontline::text::{Encoding, LineCol};

/// The three encodings, in a fixed order.
pub const ENCODINGS: [Encoding; 3] = [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32];

/// The encoding picked by a fuzzer byte.
pub fn encoding(b: u8) -> Encoding {
    ENCODINGS[usize::from(b % 3)]
}

/// A line or column number from one fuzzer byte: mostly small, sometimes near `u32::MAX`.
pub fn widen(b: u8) -> u32 {
    if b >= 250 {
        u32::MAX - u32::from(255 - b)
    } else {
        u32::from(b)
    }
}

/// The width of `c` in `enc`, computed without `Encoding::width`.
pub fn width(c: char, enc: Encoding) -> usize {
    match enc {
        Encoding::Utf8 => c.len_utf8(),
        Encoding::Utf16 => c.len_utf16(),
        Encoding::Utf32 => 1,
    }
}

/// One LSP line: where it starts, where its content ends (before the break), and where the next
/// line starts (the text's length for the last line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub content: Range<usize>,
    pub next: usize,
}

/// The LSP lines of `text`; there is always at least one.
pub fn lines(text: &str) -> Vec<Line> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < b.len() {
        let brk = match b[i] {
            b'\r' if b.get(i + 1) == Some(&b'\n') => 2,
            b'\r' | b'\n' => 1,
            _ => 0,
        };
        if brk > 0 {
            out.push(Line { content: start..i, next: i + brk });
            start = i + brk;
            i += brk;
        } else {
            i += 1;
        }
    }
    out.push(Line { content: start..b.len(), next: b.len() });
    out
}

/// Whether a 1-based line and column (in characters), as `kb::Problem` reports them, is a place in
/// `text` with its lines broken as [`lines`] breaks them: the line one of the text's, the column at
/// most one past the line's content, or two past it between the `\r` and `\n` of a `\r\n`.
pub fn check_line_column(text: &str, line: usize, column: usize) -> Result<(), String> {
    let all = lines(text);
    let Some(l) = line.checked_sub(1).and_then(|i| all.get(i)) else {
        return Err(format!("line {line} of {}", all.len()));
    };
    let chars = text[l.content.clone()].chars().count();
    let last = chars + if l.next - l.content.end == 2 { 2 } else { 1 };
    if column == 0 || column > last {
        return Err(format!("column {column} of a {chars}-character line"));
    }
    Ok(())
}

/// The byte offset of `p` by the clamping rules above.
pub fn model_byte(text: &str, lines: &[Line], p: LineCol, enc: Encoding) -> usize {
    let Some(line) = lines.get(p.line as usize) else {
        return text.len();
    };
    let col = p.col as usize;
    let mut acc = 0;
    for (i, c) in text[line.content.clone()].char_indices() {
        let w = width(c, enc);
        if acc + w > col {
            return line.content.start + i;
        }
        acc += w;
    }
    line.content.end
}

/// For each column of `line` in `enc`, the byte offset it maps to: the start of the character
/// that column unit belongs to, and for the column just past the content, the content's end.
/// Columns beyond the table clamp to the content's end. (`model_byte`, in one pass over the line.)
pub fn column_table(text: &str, line: &Line, enc: Encoding) -> Vec<usize> {
    let mut table = Vec::with_capacity(line.content.len() + 1);
    for (i, c) in text[line.content.clone()].char_indices() {
        for _ in 0..width(c, enc) {
            table.push(line.content.start + i);
        }
    }
    table.push(line.content.end);
    table
}

/// Whether `byte` sits between the `\r` and the `\n` of a CRLF pair.
pub fn inside_crlf(text: &str, byte: usize) -> bool {
    let b = text.as_bytes();
    byte > 0 && b.get(byte - 1) == Some(&b'\r') && b.get(byte) == Some(&b'\n')
}

/// The largest char boundary of `s` at or below `i`, clamped to the text.
pub fn floor_boundary(s: &str, i: usize) -> usize {
    let mut i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Whether `r` is an ordered range inside `text` with both ends on char boundaries.
pub fn valid_range(text: &str, r: &Range<usize>) -> bool {
    r.start <= r.end && r.end <= text.len() && text.is_char_boundary(r.start) && text.is_char_boundary(r.end)
}
