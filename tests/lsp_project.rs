//! A newsroom's project files in the editor, over stdio: frontline.toml and actors.json found by
//! walking up from a story, broken files reported in place while the last good ones stay in use,
//! changes taking effect at once (watched by the client, or polled), editor settings on top,
//! adding actors and aliases from a story, and go-to-definition into actors.json.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::{position_of, Client, Folder};
use serde_json::{json, Value};

const STORY: &str = "Fighters from Liwa al-Fajr entered Menbidj on Monday.\n\n\
                     Government forces killed 20 civilians in the town.\n";

const ACTORS: &str = r#"{
  "version": 1,
  "actors": [
    {"id": "liwa-al-fajr", "name": "Liwa al-Fajr", "kind": "armed-group",
     "description": "A local militia (test entry)."}
  ]
}
"#;

fn start(f: &Folder, watch: bool) -> Client {
    let mut c = Client::spawn();
    let caps = json!({
        "workspace": {
            "didChangeWatchedFiles": { "dynamicRegistration": watch },
            "workspaceEdit": { "documentChanges": true, "resourceOperations": ["create"] }
        }
    });
    let root = format!("file://{}", f.0.display());
    c.request(
        "initialize",
        json!({ "processId": null, "rootUri": root, "workspaceFolders": [{"uri": root, "name": "desk"}], "capabilities": caps }),
    );
    c.notify("initialized", json!({}));
    c
}

fn hover_text(c: &mut Client, uri: &str, text: &str, needle: &str) -> String {
    let (line, ch) = position_of(text, needle, 0, "utf-16");
    let h = c.hover(uri, line, ch + 1);
    h["contents"]["value"].as_str().unwrap_or_default().to_string()
}

/// Asks for a hover until it satisfies `pred` (a change takes effect asynchronously).
fn hover_until(c: &mut Client, uri: &str, text: &str, needle: &str, pred: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let h = hover_text(c, uri, text, needle);
        if pred(&h) || Instant::now() > deadline {
            return h;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn codes(diags: &[Value]) -> Vec<String> {
    diags.iter().map(|d| d["code"].as_str().unwrap_or_default().to_string()).collect()
}

/// The next diagnostics published for `uri` that satisfy `pred`.
fn published(c: &mut Client, uri: &str, pred: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    let msg = c.wait_notification(|m| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["uri"] == uri
            && pred(m["params"]["diagnostics"].as_array().map(Vec::as_slice).unwrap_or_default())
    });
    msg["params"]["diagnostics"].as_array().cloned().unwrap_or_default()
}

fn changed(c: &mut Client, uri: &str) {
    c.notify("workspace/didChangeWatchedFiles", json!({ "changes": [{ "uri": uri, "type": 2 }] }));
}

#[test]
fn the_projects_rules_and_actors_apply_and_definition_leads_to_the_entry() {
    let f = Folder::new("apply");
    f.write("frontline.toml", "[rules]\nattribution = \"off\"\n");
    f.write("actors.json", ACTORS);
    f.write("stories/a.md", STORY);
    let mut c = start(&f, false);
    let story = f.uri("stories/a.md");
    c.open(&story, "markdown", STORY);
    let diags = published(&mut c, &story, |_| true);
    assert!(!codes(&diags).iter().any(|c| c.starts_with("attribution/")), "{diags:?}");
    assert!(hover_text(&mut c, &story, STORY, "Liwa").contains("A local militia (test entry)."));

    let (line, ch) = position_of(STORY, "Liwa", 0, "utf-16");
    let defs = c.request(
        "textDocument/definition",
        json!({ "textDocument": { "uri": story }, "position": { "line": line, "character": ch } }),
    );
    assert_eq!(defs[0]["uri"], f.uri("actors.json"));
    assert_eq!(defs[0]["range"]["start"]["line"], 3, "{defs}");
    // A built-in actor has no file to go to: its card is on hover.
    let (line, ch) = position_of(STORY, "Government", 0, "utf-16");
    let none = c.request(
        "textDocument/definition",
        json!({ "textDocument": { "uri": story }, "position": { "line": line, "character": ch } }),
    );
    assert!(none.is_null(), "{none}");
}

#[test]
fn a_broken_actors_json_is_reported_in_place_and_the_last_good_one_stays() {
    let f = Folder::new("broken-kb");
    f.write("frontline.toml", "");
    let actors = f.write("actors.json", ACTORS);
    f.write("a.md", STORY);
    let mut c = start(&f, true);
    let story = f.uri("a.md");
    c.open(&story, "markdown", STORY);
    assert!(hover_text(&mut c, &story, STORY, "Liwa").contains("test entry"));

    // A typo: a missing comma on line 4.
    std::fs::write(&actors, ACTORS.replace("\"kind\": \"armed-group\",", "\"kind\": \"armed-group\"")).unwrap();
    changed(&mut c, &f.uri("actors.json"));
    let diags = published(&mut c, &f.uri("actors.json"), |d| !d.is_empty());
    assert_eq!(diags[0]["range"]["start"]["line"], 4, "{diags:?}");
    assert_eq!(diags[0]["severity"], 1);
    // The story keeps the last good knowledge base.
    assert!(hover_text(&mut c, &story, STORY, "Liwa").contains("test entry"));

    // Fixed, with one more actor: the error goes and the new actor is recognised.
    let fixed = ACTORS.replace(
        "\n  ]",
        ",\n    {\"id\": \"menbidj-council\", \"name\": \"Menbidj\", \"kind\": \"political-body\", \"description\": \"Test council.\"}\n  ]",
    );
    std::fs::write(&actors, fixed).unwrap();
    changed(&mut c, &f.uri("actors.json"));
    published(&mut c, &f.uri("actors.json"), <[Value]>::is_empty);
    let h = hover_until(&mut c, &story, STORY, "Menbidj", |h| h.contains("Test council"));
    assert!(h.contains("Test council."), "{h}");
}

#[test]
fn a_broken_frontline_toml_is_reported_at_its_position() {
    let f = Folder::new("broken-config");
    f.write("frontline.toml", "[rules]\nnaming = \"loud\"\n");
    f.write("a.md", STORY);
    let mut c = start(&f, false);
    let story = f.uri("a.md");
    c.open(&story, "markdown", STORY);
    let diags = published(&mut c, &f.uri("frontline.toml"), |d| !d.is_empty());
    assert_eq!(diags[0]["range"]["start"], json!({"line": 1, "character": 9}));
    assert!(diags[0]["message"].as_str().unwrap().contains("`loud` is not a level"));
    // The story is still checked, with the defaults.
    let story_diags = published(&mut c, &story, |_| true);
    assert!(codes(&story_diags).contains(&"attribution/unsourced-claim".to_string()), "{story_diags:?}");
}

#[test]
fn without_file_watching_the_server_notices_changes_itself() {
    let f = Folder::new("poll");
    f.write("frontline.toml", "");
    f.write("a.md", STORY);
    let mut c = start(&f, false);
    let story = f.uri("a.md");
    c.open(&story, "markdown", STORY);
    assert!(!hover_text(&mut c, &story, STORY, "Liwa").contains("test entry"));
    f.write("actors.json", ACTORS);
    let t = Instant::now();
    let h = hover_until(&mut c, &story, STORY, "Liwa", |h| h.contains("test entry"));
    assert!(h.contains("test entry"), "not noticed within {:?}: {h}", t.elapsed());
    eprintln!("a new actors.json noticed by polling after {:?}", t.elapsed());
}

#[test]
fn the_server_asks_a_client_that_can_to_watch_the_project_files() {
    let f = Folder::new("register");
    let mut c = start(&f, true);
    let req = c.wait_notification(|m| m["method"] == "client/registerCapability");
    let watchers = &req["params"]["registrations"][0]["registerOptions"]["watchers"];
    let globs: Vec<&str> = watchers.as_array().unwrap().iter().map(|w| w["globPattern"].as_str().unwrap()).collect();
    assert!(globs.contains(&"**/frontline.toml") && globs.contains(&"**/*.json"), "{globs:?}");
    c.send(&json!({ "jsonrpc": "2.0", "id": req["id"], "result": null }));
}

#[test]
fn editor_settings_apply_over_the_project() {
    let f = Folder::new("layers");
    f.write("frontline.toml", "[rules]\nattribution = \"off\"\n");
    f.write("a.md", STORY);
    let mut c = start(&f, false);
    let story = f.uri("a.md");
    c.open(&story, "markdown", STORY);
    published(&mut c, &story, |_| true);
    c.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": { "frontline": { "rules": { "attribution/unsourced-claim": "error" } } } }),
    );
    let diags = published(&mut c, &story, |d| codes(d).contains(&"attribution/unsourced-claim".to_string()));
    let claim = diags.iter().find(|d| d["code"] == "attribution/unsourced-claim").unwrap();
    assert_eq!(claim["severity"], 1);
}

/// Applies a code action's workspace edit to the disk as an editor would, then runs its command.
fn apply_action(c: &mut Client, action: &Value) {
    for op in action["edit"]["documentChanges"].as_array().unwrap() {
        if op["kind"] == "create" {
            let path = op["uri"].as_str().unwrap().strip_prefix("file://").unwrap();
            if !Path::new(path).exists() {
                std::fs::write(path, "").unwrap();
            }
            continue;
        }
        let path = op["textDocument"]["uri"].as_str().unwrap().strip_prefix("file://").unwrap();
        let old = std::fs::read_to_string(path).unwrap();
        let new = common::apply_edits(&old, op["edits"].as_array().unwrap(), "utf-16");
        std::fs::write(path, new).unwrap();
    }
    let cmd = &action["command"];
    c.request("workspace/executeCommand", json!({ "command": cmd["command"], "arguments": cmd["arguments"] }));
}

fn actions_at(c: &mut Client, uri: &str, text: &str, needle: &str) -> Vec<Value> {
    let (line, ch) = position_of(text, needle, 0, "utf-16");
    let p = json!({ "line": line, "character": ch + 1 });
    let r = c.request(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": uri }, "range": { "start": p, "end": p }, "context": { "diagnostics": [] } }),
    );
    r.as_array().cloned().unwrap_or_default()
}

#[test]
fn a_writer_adds_a_militia_and_an_alias_from_the_story() {
    let f = Folder::new("add");
    f.write("frontline.toml", "");
    f.write("a.md", STORY);
    let mut c = start(&f, false);
    let story = f.uri("a.md");
    c.open(&story, "markdown", STORY);

    let actions = actions_at(&mut c, &story, STORY, "Liwa");
    let titles: Vec<&str> = actions.iter().map(|a| a["title"].as_str().unwrap()).collect();
    let add = actions.iter().find(|a| a["title"] == "Add 'Liwa al-Fajr' as a new actor");
    let add = add.unwrap_or_else(|| panic!("{titles:?}"));
    assert_eq!(add["edit"]["documentChanges"][0]["kind"], "create", "the project has no actors.json yet");
    // Another open story of the project names the militia too.
    let other_text = "Liwa al-Fajr denied the report.\n";
    f.write("b.md", other_text);
    let other = f.uri("b.md");
    c.open(&other, "markdown", other_text);
    let t = Instant::now();
    apply_action(&mut c, add);
    let h = hover_until(&mut c, &story, STORY, "Liwa", |h| h.contains("Liwa al-Fajr"));
    assert!(h.contains("Liwa al-Fajr"), "{h}");
    let h = hover_until(&mut c, &other, other_text, "Liwa", |h| h.contains("Liwa al-Fajr"));
    assert!(h.contains("Liwa al-Fajr"), "{h}");
    eprintln!("new actor recognised in both open stories {:?} after the edit was applied", t.elapsed());
    // The file the edit wrote loads cleanly from the command line too.
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_frontline"))
        .args(["check", "--format", "json", "a.md"])
        .current_dir(&f.0)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains("\"liwa-al-fajr\""));

    let actions = actions_at(&mut c, &story, STORY, "Menbidj");
    let alias = actions.iter().find(|a| a["title"] == "Add 'Menbidj' as an alias of Manbij");
    let titles: Vec<&str> = actions.iter().map(|a| a["title"].as_str().unwrap()).collect();
    apply_action(&mut c, alias.unwrap_or_else(|| panic!("{titles:?}")));
    let h = hover_until(&mut c, &story, STORY, "Menbidj", |h| h.contains("Manbij"));
    assert!(h.contains("Manbij"), "{h}");
    // On a known name there is nothing to add.
    assert!(actions_at(&mut c, &story, STORY, "Menbidj")
        .iter()
        .all(|a| !a["title"].as_str().unwrap().starts_with("Add '")));
}

#[test]
fn a_story_outside_any_project_gets_one_created() {
    let f = Folder::new("create");
    f.write("a.md", STORY);
    let mut c = start(&f, false);
    let story = f.uri("a.md");
    c.open(&story, "markdown", STORY);
    let actions = actions_at(&mut c, &story, STORY, "Liwa");
    let add = actions.iter().find(|a| a["title"] == "Add 'Liwa al-Fajr' as a new actor").expect("offered");
    let created: Vec<&str> = add["edit"]["documentChanges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|op| op["kind"] == "create")
        .map(|op| op["uri"].as_str().unwrap())
        .collect();
    assert_eq!(created, [f.uri("frontline.toml"), f.uri("actors.json")]);
    apply_action(&mut c, add);
    let h = hover_until(&mut c, &story, STORY, "Liwa", |h| h.contains("Liwa al-Fajr"));
    assert!(h.contains("Liwa al-Fajr"), "{h}");
}

#[test]
fn a_new_actor_is_found_in_the_workspace_stories_too() {
    let f = Folder::new("rescan");
    f.write("frontline.toml", "");
    f.write("a.md", STORY);
    f.write("b.md", "Liwa al-Fajr denied the report.\n");
    let mut c = start(&f, false);
    let story = f.uri("a.md");
    c.open(&story, "markdown", STORY);
    let actions = actions_at(&mut c, &story, STORY, "Liwa");
    let add = actions.iter().find(|a| a["title"] == "Add 'Liwa al-Fajr' as a new actor").expect("offered");
    apply_action(&mut c, add);
    let (line, ch) = position_of(STORY, "Liwa", 0, "utf-16");
    let deadline = Instant::now() + Duration::from_secs(10);
    let other = f.uri("b.md");
    loop {
        let refs = c.request(
            "textDocument/references",
            json!({ "textDocument": { "uri": story }, "position": { "line": line, "character": ch + 1 },
                    "context": { "includeDeclaration": true } }),
        );
        let uris: Vec<&str> = refs.as_array().into_iter().flatten().filter_map(|l| l["uri"].as_str()).collect();
        if uris.contains(&other.as_str()) {
            assert!(uris.contains(&story.as_str()));
            break;
        }
        assert!(Instant::now() < deadline, "b.md never indexed with the new actor: {refs}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn renaming_to_a_new_name_offers_to_add_it_as_an_alias_with_confirmation() {
    let f = Folder::new("rename-alias");
    f.write("frontline.toml", "");
    let text = "Fighters entered Manbij on Monday. Manbij was quiet by night.\n";
    f.write("a.md", text);
    let mut c = Client::spawn();
    let root = format!("file://{}", f.0.display());
    let caps = json!({ "workspace": { "workspaceEdit": {
        "documentChanges": true, "resourceOperations": ["create"], "changeAnnotationSupport": { "groupsOnLabel": true }
    } } });
    c.request("initialize", json!({ "processId": null, "rootUri": root, "capabilities": caps }));
    c.notify("initialized", json!({}));
    let story = f.uri("a.md");
    c.open(&story, "markdown", text);
    let (line, ch) = position_of(text, "Manbij", 0, "utf-16");
    let at = json!({ "line": line, "character": ch + 1 });
    let rename = |c: &mut Client, name: &str| {
        c.request_raw(
            "textDocument/rename",
            json!({ "textDocument": { "uri": story }, "position": at, "newName": name }),
        )
    };
    // Another actor's name is still refused.
    let refused = rename(&mut c, "Hezbollah");
    assert_eq!(refused["error"]["code"], -32602, "{refused}");

    let edit = rename(&mut c, "Menbidj")["result"].clone();
    let annotation = &edit["changeAnnotations"]["frontline.addAlias"];
    assert_eq!(annotation["needsConfirmation"], true, "{edit}");
    assert_eq!(annotation["label"], "Add 'Menbidj' as an alias of Manbij");
    let ops = edit["documentChanges"].as_array().unwrap();
    // The story: both mentions, each annotated.
    assert_eq!(ops[0]["textDocument"]["uri"], story.as_str());
    assert_eq!(ops[0]["edits"].as_array().unwrap().len(), 2);
    assert!(ops[0]["edits"].as_array().unwrap().iter().all(|e| e["annotationId"] == "frontline.addAlias"));
    // The knowledge base: actors.json created with the alias.
    assert_eq!(ops[1]["kind"], "create");
    assert_eq!(ops[1]["uri"], f.uri("actors.json"));
    let added = ops[2]["edits"][0]["newText"].as_str().unwrap();
    let kb: Value = serde_json::from_str(added).unwrap();
    assert_eq!(kb["actors"][0]["id"], "manbij");
    assert_eq!(kb["actors"][0]["aliases"][0]["text"], "Menbidj");

    // Applied and saved, the alias is recognised (the server notices the new file by itself).
    f.write("actors.json", added);
    let renamed = common::apply_edits(text, ops[0]["edits"].as_array().unwrap(), "utf-16");
    assert_eq!(renamed, "Fighters entered Menbidj on Monday. Menbidj was quiet by night.\n");
    let h = hover_until(&mut c, &story, text, "Manbij", |_| true);
    assert!(h.contains("Manbij"));
    let b = f.uri("b.md");
    c.open(&b, "markdown", &renamed);
    let h = hover_until(&mut c, &b, &renamed, "Menbidj", |h| h.contains("Manbij"));
    assert!(h.contains("Manbij"), "{h}");
}

#[test]
fn an_unknown_name_can_join_the_actors_named_just_before_it() {
    let f = Folder::new("before");
    f.write("frontline.toml", "");
    let text =
        "ISIS attacked. The Islamic State and Hezbollah fought on.\n\nIn the end Liwa al-Fajr joined. Assad spoke.\n";
    f.write("a.md", text);
    let mut c = start(&f, false);
    let story = f.uri("a.md");
    c.open(&story, "markdown", text);
    let actions = actions_at(&mut c, &story, text, "Liwa");
    let titles: Vec<&str> = actions.iter().filter_map(|a| a["title"].as_str()).collect();
    // The two actors named last before it, nearest first; not the one named after it.
    let aliases: Vec<&str> = titles.iter().copied().filter(|t| t.contains("as an alias of")).collect();
    assert_eq!(
        aliases,
        ["Add 'Liwa al-Fajr' as an alias of Hezbollah", "Add 'Liwa al-Fajr' as an alias of Islamic State"],
        "{titles:?}"
    );
    c.shutdown();
}
