//! Fuzz target `config`: arbitrary bytes (lossy UTF-8) as a project's `frontline.toml`, loaded
//! with an `actors.json` beside it. Loading must return a project or problems, never panic, and
//! every problem must name a file that was given (or the user's settings) with a line and column
//! inside that file's text, counted as the language server counts them (lines end at `\n`, `\r\n`
//! or a lone `\r`; see `frontline_fuzz::check_line_column`).

#![no_main]

use std::path::{Path, PathBuf};

use frontline::project::{load, Overrides, Root, SETTINGS};
use frontline_fuzz::check_line_column;
use libfuzzer_sys::fuzz_target;

const ACTORS: &str = r#"{"version": 1, "actors": [
  {"id": "liwa-al-fuzz", "name": "Liwa al-Fuzz", "kind": "armed-group", "description": "Test."}
]}"#;

fuzz_target!(|data: &[u8]| {
    let config = String::from_utf8_lossy(data).into_owned();
    let dir = PathBuf::from("/fuzz-project");
    let config_path = dir.join("frontline.toml");
    let actors_path = dir.join("actors.json");
    let read = |p: &Path| -> std::io::Result<String> {
        if p == config_path {
            Ok(config.clone())
        } else if p == actors_path {
            Ok(ACTORS.to_string())
        } else {
            Err(std::io::ErrorKind::NotFound.into())
        }
    };
    let root = Root { dir: dir.clone(), config: Some(config_path.clone()) };
    if let Err(e) = load(Some(&root), &Overrides::default(), &read) {
        assert!(!e.problems.is_empty(), "an error without problems");
        for p in &e.problems {
            let text = if p.file == config_path.display().to_string() {
                &config
            } else if p.file == actors_path.display().to_string() {
                ACTORS
            } else {
                assert_eq!(p.file, SETTINGS, "a problem in a file that was not given: {p}");
                continue;
            };
            if let Err(why) = check_line_column(text, p.line, p.column) {
                panic!("{p}: position outside the file ({why})");
            }
        }
    }
});
