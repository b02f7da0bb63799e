//! Word characters and whole-word boundaries, by Unicode rules.
//!
//! A word character is a letter or digit of any script, a combining mark, the connector `_`, or a
//! zero-width (non-)joiner. A match is a whole word when the characters just outside it are not
//! word characters, checked only on a side where the match itself ends in a word character (an
//! alias that ends in `.` or an emoji needs no boundary there).
//!
//! Arabic script attaches one-letter proclitics (و ف ب ل ك: "and", "so", "in", "for", "like") to the
//! following word, so an Arabic alias may be preceded by up to two of them.

/// Whether `c` is part of a word.
pub fn is_word_char(c: char) -> bool {
    // General Punctuation (dashes, curly quotes, ellipses, invisible spaces) is most of the
    // non-ASCII in English prose: answered without Unicode's tables, which took 440 instructions
    // a character (a test compares the block with them).
    if ('\u{2000}'..='\u{206F}').contains(&c) {
        return c == '\u{200C}' || c == '\u{200D}';
    }
    c.is_alphanumeric()
        || c == '_'
        || c == '\u{200C}'
        || c == '\u{200D}'
        || (!c.is_ascii() && unicode_normalization::char::is_combining_mark(c))
}

fn is_arabic_letter(c: char) -> bool {
    matches!(c, '\u{0620}'..='\u{064A}' | '\u{066E}'..='\u{06D3}' | '\u{06FA}'..='\u{06FF}')
}

/// Whether `c` is one of the Arabic letters that attach to the next word as a proclitic.
pub fn is_arabic_proclitic(c: char) -> bool {
    matches!(c, 'و' | 'ف' | 'ب' | 'ل' | 'ك')
}

/// Whether `text[start..end]` stands as a whole word in `text`.
pub fn is_whole_word(text: &str, start: usize, end: usize) -> bool {
    let inner = &text[start..end];
    let (Some(first), Some(last)) = (inner.chars().next(), inner.chars().next_back()) else {
        return false;
    };
    if is_word_char(last) {
        if let Some(after) = text[end..].chars().next() {
            if is_word_char(after) {
                return false;
            }
        }
    }
    if is_word_char(first) {
        let mut before = text[..start].chars().rev();
        match before.next() {
            Some(b) if is_word_char(b) && !(is_arabic_letter(first) && arabic_proclitics_only(b, before)) => {
                return false;
            }
            _ => {}
        }
    }
    true
}

/// Whether the word before an Arabic alias consists of one or two proclitic letters.
fn arabic_proclitics_only(b: char, mut rest: impl Iterator<Item = char>) -> bool {
    if !is_arabic_proclitic(b) {
        return false;
    }
    match rest.next() {
        None => true,
        Some(c) if !is_word_char(c) => true,
        Some(c) if is_arabic_proclitic(c) => rest.next().is_none_or(|d| !is_word_char(d)),
        Some(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn whole(text: &str, needle: &str) -> bool {
        let s = text.find(needle).unwrap();
        is_whole_word(text, s, s + needle.len())
    }

    #[test]
    fn latin_words() {
        assert!(whole("the ISIS-held town", "ISIS"));
        assert!(whole("#ISIL’s advance", "ISIL"));
        assert!(!whole("this is it", "is"));
        assert!(!whole("@Syria_Protector", "Syria"));
        assert!(!whole("Raqqa2", "Raqqa"));
        assert!(whole("(SDF)", "SDF"));
    }

    #[test]
    fn word_characters_as_unicode_tables_class_them() {
        let by_tables = |c: char| {
            c.is_alphanumeric()
                || c == '_'
                || c == '\u{200C}'
                || c == '\u{200D}'
                || unicode_normalization::char::is_combining_mark(c)
        };
        for c in ('\0'..='\u{17F}').chain('\u{1FF0}'..='\u{20FF}') {
            assert_eq!(is_word_char(c), by_tables(c), "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn marks_and_joiners_are_inside_words() {
        assert!(!whole("Kobani\u{302}", "Kobani"));
        assert!(!whole("سوريا\u{64e}", "سوريا"));
    }

    #[test]
    fn aliases_ending_in_punctuation_or_emoji_need_no_boundary() {
        assert!(whole("U.S.-backed", "U.S."));
        assert!(whole("flag🇸🇾x", "🇸🇾"));
    }

    #[test]
    fn arabic_proclitics_are_allowed() {
        assert!(whole("قتال وداعش اليوم", "داعش"));
        assert!(whole("ضد بداعش", "داعش"));
        assert!(whole("وبداعش", "داعش"));
        assert!(!whole("مداعش", "داعش"));
        assert!(!whole("xداعش", "داعش"));
    }
}
