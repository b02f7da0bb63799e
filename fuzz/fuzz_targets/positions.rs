//! Fuzz target `positions`: arbitrary bytes (lossy UTF-8) as a document; every byte offset and
//! every (line, column) near the text, in UTF-8, UTF-16 and UTF-32, is converted with
//! `text::pos` and compared with the model in `frontline_fuzz`.
//!
//! Checked: the rope has the model's lines (`\n`, `\r\n`, lone `\r`); `pos_of` of a char boundary
//! is its line and the width of the text before it on that line; `byte_of` of that position gives
//! the offset back, except between the `\r` and `\n` of a CRLF, where it gives the `\r`'s offset
//! (the line's content end); an offset inside a character or past the end is that character's
//! start or the end; `byte_of` of any position clamps as documented and lands on a char boundary
//! within the text; `byte_range` orders its ends.

#![no_main]

use frontline::text::pos::{byte_of, byte_range, pos_of};
use frontline::text::LineCol;
use frontline_fuzz::{column_table, floor_boundary, inside_crlf, lines, width, ENCODINGS};
use libfuzzer_sys::fuzz_target;
use ropey::Rope;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let text = text.as_ref();
    let rope = Rope::from_str(text);
    let ls = lines(text);
    assert_eq!(rope.len_lines(), ls.len(), "line count of {text:?}");

    for enc in ENCODINGS {
        // Every char boundary, line by line, with its column counted as we go.
        for (l, line) in ls.iter().enumerate() {
            let stop = if l + 1 == ls.len() { text.len() + 1 } else { line.next };
            let mut col = 0;
            let mut b = line.content.start;
            while b < stop {
                let p = pos_of(&rope, b, enc);
                assert_eq!(p, LineCol::new(l as u32, col as u32), "pos_of({b}) in {enc:?} of {text:?}");
                let back = byte_of(&rope, p, enc);
                let want = if inside_crlf(text, b) { b - 1 } else { b };
                assert_eq!(back, want, "byte_of(pos_of({b}) = {p:?}) in {enc:?} of {text:?}");
                let Some(c) = text[b..].chars().next() else { break };
                col += width(c, enc);
                b += c.len_utf8();
            }
        }
        // Offsets inside a character, or past the end, are the character's start or the end.
        for b in (0..text.len()).filter(|&b| !text.is_char_boundary(b)).chain([text.len() + 1, usize::MAX]) {
            let floor = floor_boundary(text, b);
            assert_eq!(pos_of(&rope, b, enc), pos_of(&rope, floor, enc), "pos_of({b}) vs its char start {floor}");
        }

        // Every column of every line, two past each line's end, far columns and lines past the end.
        // (That `pos_of` of each result is on the same line and not past the column follows from the
        // boundary checks above, since each result is a boundary of that line in the model.)
        let mut prev = LineCol::default();
        for line in (0..ls.len() as u32 + 2).chain([u32::MAX]) {
            let table = ls.get(line as usize).map_or_else(|| vec![text.len()], |l| column_table(text, l, enc));
            let width = table.len() - 1;
            for col in (0..=width as u32 + 2).chain([u32::MAX - 1, u32::MAX]) {
                let p = LineCol::new(line, col);
                let b = byte_of(&rope, p, enc);
                let want = table.get(col as usize).copied().unwrap_or(table[width]);
                assert_eq!(b, want, "byte_of({p:?}) in {enc:?} of {text:?}");
            }
            // A range from the previous line's far end to this line's start, given either way round.
            let p = LineCol::new(line, 0);
            let (a, b) = (byte_of(&rope, prev, enc), table[0]);
            assert_eq!(byte_range(&rope, prev, p, enc), a.min(b)..a.max(b));
            assert_eq!(byte_range(&rope, p, prev, enc), a.min(b)..a.max(b));
            prev = LineCol::new(line, u32::MAX);
        }
    }
});
