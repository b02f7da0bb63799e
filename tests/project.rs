//! A newsroom's project files as `frontline check` reads them: frontline.toml found by walking
//! up, its rule levels, hidden actors and globs, the project's actors.json, and broken files.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::Folder;

use serde_json::Value;

fn check(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_frontline")).arg("check").args(args).current_dir(dir).output().unwrap()
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stdout)))
}

fn codes(v: &Value) -> Vec<String> {
    let mut c: Vec<String> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["findings"].as_array().unwrap().iter().map(|x| x["code"].as_str().unwrap().to_string()))
        .collect();
    c.sort();
    c.dedup();
    c
}

fn actor_ids(v: &Value) -> Vec<String> {
    let mut ids: Vec<String> =
        v["files"][0]["actors"].as_array().unwrap().iter().map(|a| a["id"].as_str().unwrap().to_string()).collect();
    ids.sort();
    ids
}

const STORY: &str = "ISIS fighters attacked the town on Monday. Later the Islamic State of Iraq and the Levant \
                     withdrew. Liwa al-Fajr fighters and Hezbollah units moved in.\n";

#[test]
fn rule_levels_from_the_nearest_frontline_toml() {
    let f = Folder::new("levels");
    f.write("frontline.toml", "[rules]\n\"naming/mixed-names\" = \"error\"\nattribution = \"off\"\n");
    f.write("stories/syria/a.md", STORY);
    let o = check(&f.0.join("stories"), &["--format", "json", "syria/a.md"]);
    assert_eq!(o.status.code(), Some(1), "an error-level finding fails the check");
    let v = json(&o);
    let found = codes(&v);
    assert!(found.contains(&"naming/mixed-names".to_string()), "{found:?}");
    assert!(!found.iter().any(|c| c.starts_with("attribution/")), "{found:?}");
    let mixed = v["files"][0]["findings"].as_array().unwrap().iter().find(|x| x["code"] == "naming/mixed-names");
    assert_eq!(mixed.unwrap()["severity"], "error");
    // Without the project file, the defaults apply.
    let o = check(&f.0, &["--no-config", "--format", "json", "stories/syria/a.md"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(codes(&json(&o)).contains(&"naming/mixed-names".to_string()));
    // A flag applies over the file.
    let o = check(&f.0, &["--rule", "naming=off", "--format", "json", "stories/syria/a.md"]);
    assert!(!codes(&json(&o)).iter().any(|c| c.starts_with("naming/")));
}

#[test]
fn the_projects_actors_json_adds_actors_and_aliases_and_hide_removes() {
    let f = Folder::new("actors");
    f.write("frontline.toml", "[actors]\nhide = [\"hezbollah\"]\n");
    f.write(
        "actors.json",
        r#"{"version": 1, "actors": [
  {"id": "liwa-al-fajr", "name": "Liwa al-Fajr", "kind": "armed-group", "description": "A local militia (test)."}
]}"#,
    );
    f.write("a.md", STORY);
    let v = json(&check(&f.0, &["--format", "json", "a.md"]));
    assert_eq!(actor_ids(&v), ["islamic-state", "liwa-al-fajr"]);
}

#[test]
fn folders_keep_only_the_files_the_globs_want() {
    let f = Folder::new("globs");
    f.write("frontline.toml", "[files]\nexclude = [\"archive/**\"]\n");
    f.write("a.md", STORY);
    f.write("archive/old.md", STORY);
    let v = json(&check(&f.0, &["--format", "json", "."]));
    let paths: Vec<&str> = v["files"].as_array().unwrap().iter().map(|x| x["path"].as_str().unwrap()).collect();
    assert_eq!(paths.len(), 1, "{paths:?}");
    assert!(paths[0].ends_with("a.md"));
    // A file named on the command line is checked whatever the globs say.
    let v = json(&check(&f.0, &["--format", "json", "archive/old.md"]));
    assert_eq!(v["files"].as_array().unwrap().len(), 1);
}

#[test]
fn a_broken_configuration_exits_5_with_its_position() {
    let f = Folder::new("broken-config");
    let config = f.write("frontline.toml", "[rules]\nnaming = \"loud\"\n");
    f.write("a.md", STORY);
    let o = check(&f.0, &["a.md"]);
    assert_eq!(o.status.code(), Some(5));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains(&format!("{}:2:10: `loud` is not a level", config.display())), "{err}");
}

#[test]
fn a_broken_knowledge_base_exits_4_with_its_position() {
    let f = Folder::new("broken-kb");
    f.write("frontline.toml", "");
    let actors = f.write("actors.json", "{\"version\": 1,\n \"actors\": [\n  {\"id\": \"x\", \"name\": \"X\",}\n]}\n");
    f.write("a.md", STORY);
    let o = check(&f.0, &["a.md"]);
    assert_eq!(o.status.code(), Some(4));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains(&format!("{}:3:", actors.display())), "{err}");
}

#[test]
fn knowledge_base_files_outside_the_project_need_permission() {
    let f = Folder::new("outside");
    f.write("shared/militias.json", r#"{"version": 1, "actors": []}"#);
    f.write("desk/frontline.toml", "[actors]\nfiles = [\"../shared/militias.json\"]\n");
    f.write("desk/a.md", STORY);
    let o = check(&f.0.join("desk"), &["a.md"]);
    assert_eq!(o.status.code(), Some(5));
    assert!(String::from_utf8_lossy(&o.stderr).contains("outside the project folder"));
    let o = check(&f.0.join("desk"), &["--allow-outside", "a.md"]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
}

/// The example in docs/configuration.md is a valid configuration, and the schema and the
/// documentation name the same keys.
#[test]
fn the_documented_example_loads_and_the_schema_matches_the_docs() {
    let docs = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/configuration.md")).unwrap();
    let example = docs.split("```toml\n").nth(1).unwrap().split("```").next().unwrap();
    let f = Folder::new("docs-example");
    f.write("frontline.toml", example);
    f.write("actors.json", r#"{"version": 1, "actors": []}"#);
    f.write("desk/militias.json", r#"{"version": 1, "actors": []}"#);
    f.write("stories/a.md", STORY);
    let o = check(&f.0, &["stories/a.md"]);
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", String::from_utf8_lossy(&o.stderr));

    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds/frontline.schema.json")).unwrap(),
    )
    .unwrap();
    for (section, v) in schema["properties"].as_object().unwrap() {
        let keys: Vec<String> = match v["properties"].as_object() {
            Some(props) => props.keys().map(|k| format!("`{section}.{k}`")).collect(),
            None => vec![format!("`{section}`")],
        };
        for k in keys {
            assert!(docs.contains(&k), "docs/configuration.md does not document {k}");
        }
    }
}

#[test]
fn a_project_turns_on_cross_story_checks() {
    let f = Folder::new("cross");
    f.write("a.md", "ISIS fighters attacked the town.\n");
    f.write("b.md", "ISIS fighters left the town.\n");
    f.write("c.md", "Islamic State fighters returned.\n");
    let code = |v: &Value| codes(v).contains(&"naming/cross-story".to_string());
    f.write("frontline.toml", "");
    assert!(!code(&json(&check(&f.0, &["--format", "json", "."]))));
    f.write("frontline.toml", "[rules]\n\"naming/cross-story\" = \"warning\"\n");
    let v = json(&check(&f.0, &["--format", "json", "."]));
    assert!(code(&v), "{v}");
}
