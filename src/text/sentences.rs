//! Sentence boundaries (what the naming fixes need so far: whether a word starts a sentence).

/// Whether byte offset `at` starts a sentence: it begins the text or a line, or follows `.`, `!`
/// or `?` (with any closing quotes or brackets) and white space, possibly after an opening quote.
pub fn starts_sentence(text: &str, at: usize) -> bool {
    let before = text[..at].trim_end_matches(['“', '"', '‘', '\'', '(', '«', '„']);
    let trimmed = before.trim_end_matches([' ', '\t']);
    if trimmed.is_empty() || trimmed.ends_with(['\n', '\r']) {
        return true;
    }
    if trimmed.len() == before.len() {
        return false; // no space between the previous word and this one
    }
    let core = trimmed.trim_end_matches(['”', '"', '’', '\'', ')', '»']);
    core.ends_with(['.', '!', '?'])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentence_starts() {
        let t = "ISIL took it. “ISIL said so.” Then ISIL\nISIL and (ISIL";
        let starts: Vec<bool> = t.match_indices("ISIL").map(|(i, _)| starts_sentence(t, i)).collect();
        assert_eq!(starts, vec![true, true, false, true, false]);
    }
}
