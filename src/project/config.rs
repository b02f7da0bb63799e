//! `frontline.toml`: parsing a project's configuration file, strictly, with every problem at a
//! line and column.
//!
//! The keys and their defaults are documented in `docs/configuration.md`; the JSON Schema for
//! editors is `seeds/frontline.schema.json`.

use std::collections::BTreeMap;
use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;

use crate::kb::Problem;
use crate::text::pos::line_col_in;

/// The name of a project's configuration file.
pub const FILE_NAME: &str = "frontline.toml";

/// A parsed `frontline.toml`. Values keep their byte spans so that problems found later (an
/// unknown actor, a rule code) point at the value.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ConfigFile {
    #[serde(default)]
    pub style: StyleSection,
    /// Rule levels by code or code prefix: `error`, `warning`, `information`, `hint` or `off`.
    #[serde(default)]
    pub rules: BTreeMap<Spanned<String>, Spanned<String>>,
    #[serde(default)]
    pub actors: ActorsSection,
    #[serde(default)]
    pub files: FilesSection,
    #[serde(default)]
    pub editor: EditorSection,
}

/// `[style]`: the house style.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct StyleSection {
    /// A preset: ap, reuters, bbc, nyt or guardian.
    pub preset: Option<Spanned<String>>,
    /// Preferred names by actor id, applied over the preset.
    #[serde(default)]
    pub prefer: BTreeMap<Spanned<String>, Spanned<String>>,
}

/// `[actors]`: the project's knowledge-base files and the actors it hides.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ActorsSection {
    /// Knowledge-base files, relative to the configuration file. Default: `actors.json` beside it,
    /// when there is one.
    pub files: Option<Vec<Spanned<String>>>,
    /// Actor ids never to recognise in this project.
    #[serde(default)]
    pub hide: Vec<Spanned<String>>,
}

/// `[files]`: which files `frontline check` and the workspace scan read.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FilesSection {
    /// Globs (relative to the project root); default `**/*.md`, `**/*.markdown`, `**/*.txt`.
    pub include: Option<Vec<Spanned<String>>>,
    /// Globs to skip, applied after `include`.
    #[serde(default)]
    pub exclude: Vec<Spanned<String>>,
}

/// `[editor]`: what only the language server uses.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct EditorSection {
    /// Show the canonical name after an alias (inlay hints). Default false.
    pub inlay_hints: Option<bool>,
    /// Stories larger than this many bytes are not analysed. Default 16 MiB.
    pub max_file_size: Option<Spanned<u64>>,
}

/// A problem at a byte span of a configuration file.
pub fn problem_at(file: &str, text: &str, span: Range<usize>, message: impl Into<String>) -> Problem {
    let (line, column) = line_col_in(text, span.start);
    Problem { file: file.to_string(), line, column, message: message.into() }
}

/// Parses a configuration file. `file` is the name problems are reported under.
pub fn parse(file: &str, text: &str) -> Result<ConfigFile, Problem> {
    toml::from_str::<ConfigFile>(text).map_err(|e| {
        let span = e.span().unwrap_or(0..0);
        problem_at(file, text, span, e.message().trim().to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_section() {
        let c = parse(
            "frontline.toml",
            r#"
[style]
preset = "ap"
prefer = { islamic-state = "ISIS" }

[rules]
attribution = "off"
"naming/house-style" = "warning"

[actors]
files = ["actors.json", "../shared/militias.json"]
hide = ["free-syrian-army"]

[files]
include = ["stories/**/*.md"]
exclude = ["stories/archive/**"]

[editor]
inlay-hints = true
max-file-size = 1000000
"#,
        )
        .unwrap();
        assert_eq!(c.style.preset.as_ref().map(|p| p.get_ref().as_str()), Some("ap"));
        assert_eq!(c.rules.len(), 2);
        assert_eq!(c.actors.files.as_ref().map(Vec::len), Some(2));
        assert_eq!(c.editor.inlay_hints, Some(true));
    }

    #[test]
    fn problems_have_lines_and_columns() {
        let p = parse("f.toml", "[style]\npreset = \"ap\"\ncolour = 1\n").unwrap_err();
        assert_eq!((p.line, p.column), (3, 1), "{p}");
        assert!(p.message.contains("unknown field `colour`"), "{p}");
        let p = parse("f.toml", "[rules]\nnaming = \"off\"\n[actors]\nhide = \"x\"\n").unwrap_err();
        assert_eq!(p.line, 4, "{p}");
        let p = parse("f.toml", "[style\n").unwrap_err();
        assert_eq!(p.line, 1, "{p}");
    }

    #[test]
    fn a_problem_after_lone_carriage_returns_is_on_the_line_an_editor_shows() {
        // Found by the `config` fuzz target: toml points at the second `\r`. A lone `\r` ends a
        // line for the protocol and the rope, so that `\r` starts line 3.
        let p = parse("f.toml", "[rules]\nnaming =\r\r\r").unwrap_err();
        assert_eq!((p.line, p.column), (3, 1), "{p}");
        let p = parse("f.toml", "[rules]\r\nnaming =\r\n").unwrap_err();
        assert_eq!(p.line, 2, "{p}");
    }
}
