//! Fuzz target `edits`: a text and a script of LSP edits, applied with `text::pos::apply_change`
//! in UTF-8, UTF-16 and UTF-32, must give what a plain `String` model gives, and never panic.
//!
//! Input: the starting text (lossy UTF-8) up to the first NUL byte, then edits of six header bytes
//! `op, start line, start col, end line, end col, n` followed by `n` bytes of new text (lossy UTF-8).
//! `op % 3` picks the encoding; `op >= 240` replaces the whole document (a change without range).
//! Lines and columns are small numbers, or near `u32::MAX` for bytes >= 250.

#![no_main]

use std::borrow::Cow;

use frontline::text::pos::{apply_change, byte_of, pos_of};
use frontline::text::LineCol;
use frontline_fuzz::{encoding, lines, model_byte, widen};
use libfuzzer_sys::fuzz_target;
use ropey::Rope;

/// At most this many edits per input.
const MAX_EDITS: usize = 64;

fuzz_target!(|data: &[u8]| {
    let (text, mut script) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let mut model = String::from_utf8_lossy(text).into_owned();
    let mut rope = Rope::from_str(&model);
    let mut edits = 0;
    while let [op, sl, sc, el, ec, n, rest @ ..] = script {
        if edits == MAX_EDITS {
            break;
        }
        edits += 1;
        let n = usize::from(*n).min(rest.len());
        let new_text: Cow<'_, str> = String::from_utf8_lossy(&rest[..n]);
        script = &rest[n..];
        let enc = encoding(*op);
        let start = LineCol::new(widen(*sl), widen(*sc));
        let end = LineCol::new(widen(*el), widen(*ec));

        if *op >= 240 {
            apply_change(&mut rope, None, &new_text, enc);
            model = new_text.into_owned();
        } else {
            let ls = lines(&model);
            let a = model_byte(&model, &ls, start, enc);
            let b = model_byte(&model, &ls, end, enc);
            assert_eq!(byte_of(&rope, start, enc), a, "start {start:?} in {enc:?} of {model:?}");
            assert_eq!(byte_of(&rope, end, enc), b, "end {end:?} in {enc:?} of {model:?}");
            apply_change(&mut rope, Some((start, end)), &new_text, enc);
            model.replace_range(a.min(b)..a.max(b), &new_text);
        }

        rope.assert_integrity();
        rope.assert_invariants();
        assert_eq!(rope.len_bytes(), model.len());
        assert_eq!(rope, model.as_str(), "after {edits} edits");
        assert_eq!(rope.len_lines(), lines(&model).len(), "line count of {model:?}");
        // The end of the text is a position that maps back to the end.
        let end_pos = pos_of(&rope, model.len(), enc);
        assert_eq!(byte_of(&rope, end_pos, enc), model.len());
    }
});
