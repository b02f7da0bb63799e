//! Finding where a value sits in a JSON text, so that problems found after parsing can be
//! reported with a line and a column.
//!
//! `serde_json` reports syntax and type errors with positions, but once a file has parsed, the
//! values no longer know where they came from. [`locate`] walks the text along a path of object
//! keys and array indices and returns the byte offset of the value at the end of it. It assumes
//! the text is valid JSON (it is only called after a successful parse).

/// One step of a path into a JSON value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Key(&'static str),
    Index(usize),
}

/// The byte offset of the value at `path` in `json`, if there is one.
pub fn locate(json: &str, path: &[Step]) -> Option<usize> {
    let mut s = Scanner { b: json.as_bytes(), i: 0 };
    s.ws();
    for step in path {
        match (step, s.peek()?) {
            (Step::Key(k), b'{') => {
                s.i += 1;
                loop {
                    s.ws();
                    if s.peek()? == b'}' {
                        return None;
                    }
                    let key = s.string()?;
                    s.ws();
                    s.expect(b':')?;
                    s.ws();
                    if &json[key] == *k {
                        break;
                    }
                    s.skip_value()?;
                    s.ws();
                    if s.peek()? == b',' {
                        s.i += 1;
                    }
                }
            }
            (Step::Index(n), b'[') => {
                s.i += 1;
                for _ in 0..*n {
                    s.ws();
                    if s.peek()? == b']' {
                        return None;
                    }
                    s.skip_value()?;
                    s.ws();
                    s.expect(b',')?;
                }
                s.ws();
                if s.peek()? == b']' {
                    return None;
                }
            }
            _ => return None,
        }
    }
    Some(s.i)
}

/// The byte range of the whole value at `path` in `json` (from its first to past its last byte).
pub fn span(json: &str, path: &[Step]) -> Option<std::ops::Range<usize>> {
    let start = locate(json, path)?;
    let mut s = Scanner { b: json.as_bytes(), i: start };
    s.skip_value()?;
    Some(start..s.i)
}

struct Scanner<'a> {
    b: &'a [u8],
    i: usize,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    fn expect(&mut self, c: u8) -> Option<()> {
        (self.peek()? == c).then(|| self.i += 1)
    }

    /// Reads a string and returns the range of its raw contents (escapes are not decoded).
    fn string(&mut self) -> Option<std::ops::Range<usize>> {
        self.expect(b'"')?;
        let start = self.i;
        while self.peek()? != b'"' {
            if self.peek()? == b'\\' {
                self.i += 1;
            }
            self.i += 1;
        }
        let range = start..self.i;
        self.i += 1;
        Some(range)
    }

    fn skip_value(&mut self) -> Option<()> {
        match self.peek()? {
            b'"' => self.string().map(|_| ()),
            open @ (b'{' | b'[') => {
                let close = if open == b'{' { b'}' } else { b']' };
                self.i += 1;
                loop {
                    self.ws();
                    match self.peek()? {
                        c if c == close => {
                            self.i += 1;
                            return Some(());
                        }
                        b',' | b':' => self.i += 1,
                        _ => self.skip_value()?,
                    }
                }
            }
            _ => {
                while !matches!(self.peek()?, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r') {
                    self.i += 1;
                }
                Some(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_nested_values() {
        let j = "{\n  \"version\": 1,\n  \"actors\": [\n    {\"id\": \"a\", \"x\": [1, {\"y\": \"}\"}]},\n    {\"id\": \"b\"}\n  ]\n}";
        let at = locate(j, &[Step::Key("actors"), Step::Index(1), Step::Key("id")]).unwrap();
        assert_eq!(&j[at..at + 3], "\"b\"");
        assert_eq!(crate::text::pos::line_col_in(j, at), (5, 12));
        assert_eq!(locate(j, &[Step::Key("actors"), Step::Index(2)]), None);
        assert_eq!(locate(j, &[Step::Key("nope")]), None);
        let r = span(j, &[Step::Key("actors"), Step::Index(0), Step::Key("x")]).unwrap();
        assert_eq!(&j[r], "[1, {\"y\": \"}\"}]");
        let r = span(j, &[Step::Key("actors"), Step::Index(1)]).unwrap();
        assert_eq!(&j[r], "{\"id\": \"b\"}");
    }
}
