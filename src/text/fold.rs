//! Folding: the normalisation under which aliases are matched.
//!
//! Both the aliases and the document are folded with the same per-character function, so that
//! matching ignores case, accents, apostrophe style, hyphen-versus-space and runs of white space:
//!
//! - letters are decomposed (NFD), combining marks dropped, and the rest lower-cased;
//! - `’ ‘ ʼ ʿ ʾ ′ ´` become `'`; hyphens (`-`, U+2010, U+2011) and every kind of white space
//!   become one space, and a run of spaces folds to one;
//! - invisible characters (bidi controls, zero-width characters, soft hyphen, tatweel) vanish;
//! - Arabic letter variants fold together (أ إ آ ٱ → ا, ى ی → ي, ة → ه, ک → ك).
//!
//! [`Folded`] keeps, for every folded byte, the byte offset in the original text where the
//! character that produced it starts, so a match in folded text maps back to exact original
//! offsets. Dropped characters belong to the character before them (a combining mark stays with
//! its letter).

use std::borrow::Cow;
use std::ops::Range;

use super::words::{is_arabic_proclitic, is_whole_word, is_word_char};

/// A folded copy of a text with a map back to original byte offsets.
#[derive(Debug, Clone, Default)]
pub struct Folded {
    text: String,
    /// `map[i]` is the original offset of the character that produced folded byte `i`;
    /// `map[text.len()]` is the original length.
    map: Vec<u32>,
    /// The folded offsets, in order, where a whole word of the original may start
    /// ([`Folded::starts`]).
    starts: Vec<u32>,
}

impl Folded {
    /// Folds `src`. Offsets are stored as `u32`: texts over 4 GiB are refused by the callers.
    pub fn new(src: &str) -> Folded {
        Folded::fold(src, true)
    }

    /// [`Folded::new`]; without `chunks`, every byte is folded on its own (the reference that
    /// the eight-byte path is tested against).
    fn fold(src: &str, chunks: bool) -> Folded {
        let bytes = src.as_bytes();
        let mut text: Vec<u8> = Vec::with_capacity(src.len());
        let mut map: Vec<u32> = Vec::with_capacity(src.len() + 1);
        let mut starts: Vec<u32> = Vec::with_capacity(src.len() / 4);
        let mut last_space = false;
        // Whether the original character before the current one is a word character that a word
        // cannot start right after (an Arabic proclitic letter can: see `is_whole_word`).
        let mut glued = false;
        let mut i = 0;
        while i < bytes.len() {
            // ASCII, most of any text, eight bytes at a time where nothing in them needs more
            // than a table would do.
            let chunk = if chunks { bytes.get(i..i + 8).and_then(|c| <[u8; 8]>::try_from(c).ok()) } else { None };
            if let Some(chunk) = chunk {
                if let Some(c) = AsciiChunk::read(u64::from_le_bytes(chunk), last_space, glued) {
                    let at = text.len() as u32;
                    let mut m = c.starts;
                    while m != 0 {
                        starts.push(at + m.trailing_zeros() / 8);
                        m &= m - 1;
                    }
                    text.extend_from_slice(&c.folded.to_le_bytes());
                    map.extend(i as u32..i as u32 + 8);
                    (last_space, glued) = (c.last_space, c.glued);
                    i += 8;
                    continue;
                }
            }
            // Otherwise one byte at a time through a table.
            let b = bytes[i];
            if b.is_ascii() {
                let f = ASCII_FOLDS[b as usize];
                let space = f == b' ';
                let word = ASCII_WORD[b as usize];
                if !(space && last_space) {
                    if !(space || glued && word) {
                        starts.push(text.len() as u32);
                    }
                    text.push(f);
                    map.push(i as u32);
                }
                last_space = space;
                glued = word;
                i += 1;
                continue;
            }
            let Some(c) = src[i..].chars().next() else { break };
            let at = i as u32;
            let word = is_word_char(c);
            let may_start = !(glued && word);
            fold_char(c, |f| {
                if f == ' ' {
                    if last_space {
                        return;
                    }
                    last_space = true;
                } else {
                    last_space = false;
                    if may_start {
                        starts.push(text.len() as u32);
                    }
                }
                let mut buf = [0; 4];
                text.extend_from_slice(f.encode_utf8(&mut buf).as_bytes());
                map.extend(std::iter::repeat_n(at, f.len_utf8()));
            });
            glued = word && !is_arabic_proclitic(c);
            i += c.len_utf8();
        }
        map.push(src.len() as u32);
        // Whole characters were written, ASCII or encoded: always UTF-8.
        let text = String::from_utf8(text).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
        Folded { text, map, starts }
    }

    /// The folded text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The folded offsets, in order, at which a match can stand as a whole word of the original
    /// ([`Folded::whole_word`]): every folded character except a space, unless it comes from a
    /// word character that directly follows another one (other than an Arabic proclitic letter).
    /// A character that folds to several keeps its own original's rule for each of them.
    pub fn starts(&self) -> &[u32] {
        &self.starts
    }

    /// Whether the folded byte range `r` (char boundaries) is certainly not a whole word of the
    /// original text ([`crate::text::words::is_whole_word`]): an ASCII letter or digit of the
    /// original stands right before or after it, against a letter or digit at that end of the
    /// match. A cheap test on the folded bytes that lets automaton matches inside words ("is" in
    /// "this") be dropped before they are mapped back; `false` decides nothing.
    fn glued_ascii(&self, r: &Range<usize>) -> bool {
        let (b, map) = (self.text.as_bytes(), &self.map);
        let alnum = |i: usize| b.get(i).is_some_and(u8::is_ascii_alphanumeric);
        // A folded byte that comes from a one-byte character is that ASCII character, folded.
        let one_byte = |i: usize| map[i] + 1 == map[i + 1];
        if r.is_empty() {
            return false;
        }
        let before = r.start > 0 && alnum(r.start) && alnum(r.start - 1) && one_byte(r.start - 1);
        let after = alnum(r.end - 1) && one_byte(r.end - 1) && alnum(r.end) && one_byte(r.end);
        before || after
    }

    /// The original byte range of a folded byte range (whose ends are char boundaries).
    pub fn original(&self, folded: Range<usize>) -> Range<usize> {
        self.map[folded.start] as usize..self.map[folded.end] as usize
    }

    /// The original range of a match in the folded text when it stands as a whole word of `src`
    /// (the text this is the folding of), else `None`: what the automatons' matches go through.
    pub fn whole_word(&self, src: &str, folded: Range<usize>) -> Option<Range<usize>> {
        if self.glued_ascii(&folded) {
            return None;
        }
        let r = self.original(folded);
        (!r.is_empty() && is_whole_word(src, r.start, r.end)).then_some(r)
    }
}

/// Eight ASCII bytes folded at once, as [`Folded::new`] folds them a byte at a time: its masks
/// restate `ASCII_WORD` and `ASCII_FOLDS` for the bytes they take (a property test compares the
/// two paths).
struct AsciiChunk {
    /// The folded bytes, little-endian.
    folded: u64,
    /// The high bit of each byte at which a word may start.
    starts: u64,
    /// Whether the last of the eight bytes folded to a space.
    last_space: bool,
    /// Whether the last of the eight bytes is a word character.
    glued: bool,
}

/// A one in every byte.
const ONES: u64 = 0x0101_0101_0101_0101;
/// The high bit of every byte.
const HIGH: u64 = 0x8080_8080_8080_8080;

/// The high bit of each byte of `w` (all ASCII) that is at least `n` (1 to 128).
const fn at_least(w: u64, n: u8) -> u64 {
    w.wrapping_add(ONES * (0x80 - n as u64)) & HIGH
}

/// The high bit of each byte of `w` (all ASCII) that is in `lo..=hi`.
const fn within(w: u64, lo: u8, hi: u8) -> u64 {
    at_least(w, lo) & !at_least(w, hi + 1)
}

/// The high bit of each byte of `w` that equals `c`.
const fn equal(w: u64, c: u8) -> u64 {
    let x = w ^ (ONES * c as u64);
    !(((x & !HIGH).wrapping_add(!HIGH)) | x) & HIGH
}

impl AsciiChunk {
    /// The chunk `w` after a space (`last_space`) or a word character (`glued`), or `None` when it
    /// holds a byte that is not ASCII, a backquote, or a space right after a space (these take
    /// the byte-at-a-time path).
    fn read(w: u64, last_space: bool, glued: bool) -> Option<AsciiChunk> {
        if w & HIGH != 0 {
            return None;
        }
        let upper = within(w, b'A', b'Z');
        let word = upper | within(w, b'a', b'z') | within(w, b'0', b'9') | equal(w, b'_');
        let space = within(w, 0x09, 0x0d) | equal(w, b' ') | equal(w, b'-');
        let space_before = (space << 8) | (u64::from(last_space) << 7);
        if equal(w, b'`') != 0 || space & space_before != 0 {
            return None;
        }
        let word_before = (word << 8) | (u64::from(glued) << 7);
        // Spaces as bytes of all ones, to blank them out.
        let spaces = (space >> 7) * 0xff;
        let folded = ((w | (upper >> 2)) & !spaces) | ((ONES * u64::from(b' ')) & spaces);
        Some(AsciiChunk {
            folded,
            starts: !space & !(word_before & word) & HIGH,
            last_space: space >> 63 != 0,
            glued: word >> 63 != 0,
        })
    }
}

/// `s.to_lowercase()`, written into `buf` without allocating when `s` is ASCII and fits
/// (lower-casing an ASCII letter gives an ASCII letter): the many short lower-cased looks of the
/// rules (a line's head, the words after a name) cost no allocation.
pub fn lowercase_in<'b>(s: &str, buf: &'b mut [u8]) -> Cow<'b, str> {
    if !s.is_ascii() || s.len() > buf.len() {
        return Cow::Owned(s.to_lowercase());
    }
    let out = &mut buf[..s.len()];
    out.copy_from_slice(s.as_bytes());
    out.make_ascii_lowercase();
    match std::str::from_utf8(out) {
        Ok(l) => Cow::Borrowed(l),
        Err(_) => Cow::Owned(s.to_lowercase()),
    }
}

/// Folds a short string such as an alias, with no offset map.
pub fn fold_str(s: &str) -> String {
    Folded::new(s).text.trim().to_string()
}

/// Distinct folded phrases, numbered in the order they were first seen: the patterns of an
/// automaton, where several phrases (aliases, cue phrases) may fold alike.
#[derive(Debug, Default)]
pub struct FoldedSet {
    index: std::collections::HashMap<String, usize>,
    phrases: Vec<String>,
}

impl FoldedSet {
    /// The number of `phrase` folded (a phrase not seen before takes the next one), or `None`
    /// when it folds to nothing.
    pub fn insert(&mut self, phrase: &str) -> Option<usize> {
        let folded = fold_str(phrase);
        if folded.is_empty() {
            return None;
        }
        if let Some(&n) = self.index.get(&folded) {
            return Some(n);
        }
        let n = self.phrases.len();
        self.index.insert(folded.clone(), n);
        self.phrases.push(folded);
        Some(n)
    }

    /// The folded phrases, by number.
    pub fn into_phrases(self) -> Vec<String> {
        self.phrases
    }
}

/// Whether each ASCII character is a word character ([`is_word_char`]).
const ASCII_WORD: [bool; 128] = {
    let mut t = [false; 128];
    let mut b = 0;
    while b < 128 {
        t[b] = (b as u8).is_ascii_alphanumeric() || b as u8 == b'_';
        b += 1;
    }
    t
};

/// The folded form of each ASCII character.
const ASCII_FOLDS: [u8; 128] = {
    let mut t = [0u8; 128];
    let mut b = 0;
    while b < 128 {
        t[b] = match b as u8 {
            c @ b'A'..=b'Z' => c.to_ascii_lowercase(),
            b'-' | b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c => b' ',
            b'`' => b'\'',
            c => c,
        };
        b += 1;
    }
    t
};

/// Calls `out` with the folded form of a non-ASCII `c` (zero or more chars).
fn fold_char(c: char, mut out: impl FnMut(char)) {
    match c {
        '\u{2019}' | '\u{2018}' | '\u{02BC}' | '\u{02BF}' | '\u{02BE}' | '\u{2032}' | '\u{00B4}' => out('\''),
        '\u{2010}' | '\u{2011}' => out(' '),
        // Invisible: bidi marks and controls, zero-width characters, soft hyphen, BOM, tatweel.
        '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => {}
        '\u{061C}' | '\u{00AD}' | '\u{FEFF}' | '\u{0640}' => {}
        // Arabic letter variants.
        'أ' | 'إ' | 'آ' | 'ٱ' => out('ا'),
        'ى' | 'ی' => out('ي'),
        'ة' => out('ه'),
        'ک' => out('ك'),
        c if c.is_whitespace() => out(' '),
        c => unicode_normalization::char::decompose_canonical(c, |d| {
            if unicode_normalization::char::is_combining_mark(d) {
                return;
            }
            let mut lower = d.to_lowercase();
            match (lower.next(), lower.next()) {
                (Some(l), None) => out(l),
                _ => out(d),
            }
        }),
    }
}

/// The letters and digits of `s` after decomposition, with marks dropped and case kept:
/// two spellings that fold alike have the same case exactly when these sequences are equal.
pub fn case_signature(s: &str) -> CaseSignature<'_> {
    CaseSignature { chars: s.chars(), pending: ['\0'; 4], len: 0, at: 0 }
}

/// The iterator of [`case_signature`]: it decomposes one character at a time into a small
/// buffer, so that comparing two spellings allocates nothing.
pub struct CaseSignature<'a> {
    chars: std::str::Chars<'a>,
    /// The kept characters of the last decomposed character (a canonical decomposition has at
    /// most four), of which `at..len` are still to come.
    pending: [char; 4],
    len: usize,
    at: usize,
}

impl Iterator for CaseSignature<'_> {
    type Item = char;

    fn next(&mut self) -> Option<char> {
        loop {
            if self.at < self.len {
                self.at += 1;
                return Some(self.pending[self.at - 1]);
            }
            let c = self.chars.next()?;
            if c.is_ascii() {
                if c.is_ascii_alphanumeric() {
                    return Some(c);
                }
                continue;
            }
            let (mut len, pending) = (0, &mut self.pending);
            unicode_normalization::char::decompose_canonical(c, |d| {
                if d.is_alphanumeric() && !unicode_normalization::char::is_combining_mark(d) && len < pending.len() {
                    pending[len] = d;
                    len += 1;
                }
            });
            (self.len, self.at) = (len, 0);
        }
    }
}

/// Whether `a` and `b` have the same letters in the same case (ignoring punctuation and marks).
pub fn same_case(a: &str, b: &str) -> bool {
    case_signature(a).eq(case_signature(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_accents_apostrophes_and_hyphens() {
        assert_eq!(fold_str("al-Qa’ida"), "al qa'ida");
        assert_eq!(fold_str("Al  Qa'ida"), "al qa'ida");
        assert_eq!(fold_str("Kobanî"), "kobani");
        assert_eq!(fold_str("al-Qāʿidah"), "al qa'idah");
        assert_eq!(fold_str("İdlib"), "idlib");
        assert_eq!(fold_str("Islamic\r\n  State"), "islamic state");
    }

    #[test]
    fn folds_arabic_variants_and_invisibles() {
        assert_eq!(fold_str("الدولة الإسلامية"), fold_str("الدولة الاسلامية"));
        assert_eq!(fold_str("داعـــش"), "داعش");
        assert_eq!(fold_str("دَاعِش\u{200f}"), "داعش");
    }

    #[test]
    fn maps_back_to_original_offsets() {
        let src = "The  Kobanî—al-Qa’ida";
        let f = Folded::new(src);
        let at = f.as_str().find("al qa'ida").unwrap();
        let r = f.original(at..at + "al qa'ida".len());
        assert_eq!(&src[r], "al-Qa’ida");
        let at = f.as_str().find("kobani").unwrap();
        let r = f.original(at..at + "kobani".len());
        // The combining circumflex (if decomposed) or the precomposed î stays inside the range.
        assert_eq!(&src[r], "Kobanî");
        let decomposed = "Koban\u{69}\u{302} x";
        let f = Folded::new(decomposed);
        let r = f.original(0..6);
        assert_eq!(&decomposed[r], "Koban\u{69}\u{302}");
    }

    #[test]
    fn glued_ascii_agrees_with_whole_words() {
        let texts = ["this is IS", "Kobanî is", "aİs x", "is\u{00AD}x is", "x\u{200B}is y", "é-is_is1", "al-Qa’ida's"];
        for t in texts {
            let f = Folded::new(t);
            let s = f.as_str();
            for start in (0..s.len()).filter(|&i| s.is_char_boundary(i)) {
                for end in (start + 1..=s.len()).filter(|&i| s.is_char_boundary(i)) {
                    let o = f.original(start..end);
                    if f.glued_ascii(&(start..end)) {
                        assert!(!crate::text::words::is_whole_word(t, o.start, o.end), "{t:?} {start}..{end}");
                    }
                }
            }
        }
        let f = Folded::new("this is");
        assert!(f.glued_ascii(&(2..4)));
        assert!(!f.glued_ascii(&(5..7)));
    }

    #[test]
    fn eight_bytes_at_once_as_one_at_a_time() {
        let cases = [
            "The Islamic State (ISIS) said:  it_was 2014\t-- `x` AZaz@[`{09/:",
            "abcdefgh ijklmnop",
            "ABCDEFGHIJKLMNOPQRSTUVWXYZ-ISIS’s\r\nnext line\x0b\x0cend",
            "        eight spaces, then a tab\t\t",
        ];
        for text in cases {
            let (a, b) = (Folded::fold(text, true), Folded::fold(text, false));
            assert_eq!((a.text, a.map, a.starts), (b.text, b.map, b.starts), "{text:?}");
        }
    }

    proptest::proptest! {
        /// The eight-byte path gives the folded text, the map and the word starts that folding
        /// each byte on its own gives.
        #[test]
        fn chunks_fold_as_bytes_do(text in r"([a-zA-Z0-9_ \t\n\r\x0b\x0c`'.,@\[\]{}/:-]{1,9}|é|’|\u{00AD}|ب|İ){0,24}") {
            let (a, b) = (Folded::fold(&text, true), Folded::fold(&text, false));
            proptest::prop_assert_eq!((a.text, a.map, a.starts), (b.text, b.map, b.starts));
        }

        #[test]
        fn glued_ascii_never_drops_a_whole_word(text in "[aIs1 _'\\-éİ\u{00AD}\u{200B}\u{0301}ب]{1,12}") {
            let f = Folded::new(&text);
            let s = f.as_str();
            for start in (0..s.len()).filter(|&i| s.is_char_boundary(i)) {
                for end in (start + 1..=s.len()).filter(|&i| s.is_char_boundary(i)) {
                    let o = f.original(start..end);
                    if f.glued_ascii(&(start..end)) {
                        proptest::prop_assert!(!crate::text::words::is_whole_word(&text, o.start, o.end));
                    }
                }
            }
        }
    }

    #[test]
    fn lowercasing_in_a_buffer_is_lowercasing() {
        let mut buf = [0u8; 16];
        for s in ["", "Share On", "SOURCE: x", "0-9 AZaz[]", "16 bytes exactly", "Kobanî İ", "seventeen bytes!!"] {
            let fits = s.is_ascii() && s.len() <= buf.len();
            let l = lowercase_in(s, &mut buf);
            assert_eq!(l, s.to_lowercase());
            assert_eq!(matches!(l, Cow::Borrowed(_)), fits, "{s}");
        }
    }

    #[test]
    fn case_signature_ignores_punctuation_only() {
        assert!(same_case("U.S.", "US"));
        assert!(!same_case("ISIS", "Isis"));
        assert!(same_case("al-Qa’ida", "al-Qa'ida"));
        assert!(!same_case("IS", "is"));
        // Decomposed letters keep their case and lose their marks, however the text spells them.
        assert!(same_case("Kobanî", "Koban\u{69}\u{302}"));
        assert!(!same_case("Ḥama", "ḥama"));
        assert_eq!(case_signature("Ǖ-1").collect::<String>(), "U1");
    }
}
