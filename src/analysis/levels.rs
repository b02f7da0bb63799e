//! Rule levels chosen by a project: a severity, or off, for a rule code or a code prefix.
//!
//! `naming` sets every `naming/…` rule; `naming/house-style` only that one; the longest pattern
//! that matches a code wins, within a layer. Layers stack: a project's file is layer 0, the user's
//! own settings layer 1; any pattern of a higher layer beats every pattern of a lower one. Rules listed in [`OFF_BY_DEFAULT`] report nothing unless a pattern
//! turns them on.

use super::findings::{Finding, Rule, Severity, RULES};

/// Rules that stay silent unless a project sets a level for them.
pub const OFF_BY_DEFAULT: &[&str] = &[];

/// The level of each rule, by code or code prefix.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Levels {
    /// (layer, pattern, level); `None` is off.
    entries: Vec<(u8, String, Option<Severity>)>,
}

/// Why a level could not be set.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LevelError {
    #[error("no rule has the code or code prefix `{0}` (codes are listed in docs/diagnostics.md)")]
    UnknownCode(String),
    #[error("`{0}` is not a level: use error, warning, information, hint or off")]
    UnknownLevel(String),
}

/// Whether `pattern` is `code` or a prefix of it ending at a `/`.
pub fn covers(pattern: &str, code: &str) -> bool {
    let pattern = pattern.trim_end_matches('/');
    code == pattern || (code.starts_with(pattern) && code.as_bytes().get(pattern.len()) == Some(&b'/'))
}

impl Levels {
    /// Sets the level (`error`, `warning`, `information`, `hint` or `off`) of the rules `pattern`
    /// covers; a later setting of the same pattern replaces an earlier one.
    pub fn set(&mut self, pattern: &str, level: &str) -> Result<(), LevelError> {
        self.set_in(0, pattern, level)
    }

    /// As [`Levels::set`], in a layer (higher layers beat lower ones).
    pub fn set_in(&mut self, layer: u8, pattern: &str, level: &str) -> Result<(), LevelError> {
        let level = match level {
            "off" => None,
            other => Some(Severity::parse(other).ok_or_else(|| LevelError::UnknownLevel(other.to_string()))?),
        };
        if !RULES.iter().any(|r| covers(pattern, r.code)) {
            return Err(LevelError::UnknownCode(pattern.to_string()));
        }
        self.entries.retain(|(l, p, _)| !(*l == layer && p == pattern));
        self.entries.push((layer, pattern.to_string(), level));
        Ok(())
    }

    /// The level of `rule` (`None`: off).
    pub fn level(&self, rule: &Rule) -> Option<Severity> {
        let chosen = self
            .entries
            .iter()
            .filter(|(_, p, _)| covers(p, rule.code))
            .max_by_key(|(layer, p, _)| (*layer, p.trim_end_matches('/').len()));
        match chosen {
            Some((_, _, level)) => *level,
            None if OFF_BY_DEFAULT.contains(&rule.code) => None,
            None => Some(rule.severity),
        }
    }

    /// Whether a pattern names `code` itself with a level other than off (a prefix does not count):
    /// how a project turns on a rule that runs only when asked for.
    pub fn turns_on(&self, code: &str) -> bool {
        self.entries.iter().any(|(_, p, level)| p.trim_end_matches('/') == code && level.is_some())
    }

    /// Whether no pattern is set.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Drops the findings of rules that are off and gives the others their level.
    pub fn apply(&self, findings: &mut Vec<Finding>) {
        if self.entries.is_empty() && OFF_BY_DEFAULT.is_empty() {
            return;
        }
        findings.retain_mut(|f| match self.level(&f.rule) {
            Some(severity) => {
                f.rule.severity = severity;
                true
            }
            None => false,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::findings::{HEDGED, HOUSE_STYLE, MIXED_NAMES, UNSOURCED_CLAIM};

    #[test]
    fn the_longest_pattern_wins() {
        let mut l = Levels::default();
        l.set("attribution", "off").unwrap();
        l.set("attribution/hedged", "error").unwrap();
        l.set("naming/", "information").unwrap();
        assert_eq!(l.level(&UNSOURCED_CLAIM), None);
        assert_eq!(l.level(&HEDGED), Some(Severity::Error));
        assert_eq!(l.level(&MIXED_NAMES), Some(Severity::Information));
        assert_eq!(Levels::default().level(&HOUSE_STYLE), Some(Severity::Hint));
        // The user's layer beats the project's, however specific.
        l.set_in(1, "attribution", "hint").unwrap();
        assert_eq!(l.level(&HEDGED), Some(Severity::Hint));
    }

    #[test]
    fn prefixes_end_at_a_slash() {
        assert!(covers("naming", "naming/mixed-names"));
        assert!(!covers("nam", "naming/mixed-names"));
        assert!(!covers("naming/mixed", "naming/mixed-names"));
        let mut l = Levels::default();
        assert_eq!(l.set("nam", "off"), Err(LevelError::UnknownCode("nam".into())));
        assert_eq!(l.set("naming", "loud"), Err(LevelError::UnknownLevel("loud".into())));
    }
}
