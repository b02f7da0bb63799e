//! Naming diagnostics and quick fixes over stdio, as an editor sees them.

mod common;

use common::{apply_edits, codes, position_of, seed, Client};
use serde_json::{json, Value};

fn covered<'a>(text: &'a str, d: &Value) -> &'a str {
    let r = &d["range"];
    let a = common::offset(
        text,
        r["start"]["line"].as_u64().unwrap() as u32,
        r["start"]["character"].as_u64().unwrap() as u32,
        "utf-16",
    );
    let b = common::offset(
        text,
        r["end"]["line"].as_u64().unwrap() as u32,
        r["end"]["character"].as_u64().unwrap() as u32,
        "utf-16",
    );
    &text[a..b]
}

#[test]
fn seed_000_flags_the_writers_own_names_only() {
    let mut c = Client::spawn();
    c.initialize(&[]);
    let text = seed("000");
    c.open("file:///000.txt", "plaintext", &text);
    let diags = c.diagnostics("file:///000.txt", Some(1));
    assert_eq!(codes(&diags), vec!["naming/mixed-names"; 3]);
    let flagged: Vec<&str> = diags.iter().map(|d| covered(&text, d)).collect();
    assert_eq!(flagged, vec!["ISIS", "Islamic State of Iraq and the Levant", "ISIS"]);
    // None sits in a quotation, the #ISIL hashtags or the "also known as" gloss.
    for d in &diags {
        let line = d["range"]["start"]["line"].as_u64().unwrap();
        assert!(![6, 8, 16, 22, 24].contains(&line), "flagged inside a quote or gloss: {d}");
    }
    assert_eq!(diags[0]["relatedInformation"][0]["message"], "first use of `Islamic State`");
    assert_eq!(diags[0]["source"], "frontline");
    // A quoted mention says so in its hover.
    let (l, col) = position_of(&text, "ISIL", 3, "utf-16");
    let h = c.hover("file:///000.txt", l, col);
    assert!(h["contents"]["value"].as_str().unwrap().starts_with("*Quoted:"), "{h}");
    c.shutdown();
}

#[test]
fn replace_all_makes_the_story_consistent_in_one_edit() {
    for enc in ["utf-16", "utf-8"] {
        let mut c = Client::spawn();
        c.initialize(&[enc]);
        let uri = "file:///mixed.md";
        let text = "# ISIL 🇸🇾 advance\n\nThe Islamic State took Palmyra. ISIL’s fighters, and later ISIS, held it.\n\n“ISIL will stay,” he said.\n";
        c.open(uri, "markdown", text);
        let diags: Vec<Value> =
            c.diagnostics(uri, Some(1)).into_iter().filter(|d| d["code"] == "naming/mixed-names").collect();
        assert_eq!(diags.iter().map(|d| covered_in(text, d, enc)).collect::<Vec<_>>(), vec!["ISIL", "ISIL", "ISIS"]);
        let target = &diags[1];
        let actions = c.request(
            "textDocument/codeAction",
            json!({ "textDocument": { "uri": uri }, "range": target["range"], "context": { "diagnostics": [target] } }),
        );
        let actions = actions.as_array().unwrap();
        let by_title = |t: &str| {
            actions.iter().find(|a| a["title"] == t).unwrap_or_else(|| panic!("no action `{t}` in {actions:?}"))
        };
        assert_eq!(by_title("Replace `ISIL` with `Islamic State`")["isPreferred"], true);
        let all = by_title("Use the is family for Islamic State throughout (3 changes)");
        assert_eq!(all["isPreferred"], false);
        let change = &all["edit"]["documentChanges"][0];
        assert_eq!(change["textDocument"]["version"], 1, "edits are tied to the version they were computed for");
        let fixed = apply_edits(text, change["edits"].as_array().unwrap(), enc);
        assert_eq!(
            fixed,
            "# Islamic State 🇸🇾 advance\n\nThe Islamic State took Palmyra. Islamic State’s fighters, and later Islamic State, held it.\n\n“ISIL will stay,” he said.\n"
        );
        c.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": 2 }, "contentChanges": [{ "text": fixed }] }),
        );
        let after = c.diagnostics(uri, Some(2));
        assert!(
            !codes(&after).contains(&"naming/mixed-names".to_string()),
            "{enc}: the story is consistent after one fix: {after:?}"
        );
        // Closing clears the diagnostics.
        c.notify("textDocument/didClose", json!({ "textDocument": { "uri": uri } }));
        assert!(c.diagnostics(uri, None).is_empty());
        c.shutdown();
    }
}

fn covered_in<'a>(text: &'a str, d: &Value, enc: &str) -> &'a str {
    let r = &d["range"];
    let p = |k: &str| {
        common::offset(text, r[k]["line"].as_u64().unwrap() as u32, r[k]["character"].as_u64().unwrap() as u32, enc)
    };
    &text[p("start")..p("end")]
}

#[test]
fn a_fix_at_the_start_of_a_sentence_is_capitalised() {
    let mut c = Client::spawn();
    c.initialize(&[]);
    let uri = "file:///q.md";
    let text = "Fighters of al-Qa'ida attacked. Al-Qaida denied it. al-Qai'da again.\n";
    c.open(uri, "markdown", text);
    let diags = c.diagnostics(uri, Some(1));
    assert_eq!(diags.iter().map(|d| covered(text, d)).collect::<Vec<_>>(), vec!["Al-Qaida", "al-Qai'da"]);
    let actions = c.request(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": uri }, "range": diags[1]["range"], "context": { "diagnostics": [] } }),
    );
    let all = actions.as_array().unwrap().iter().find(|a| a["title"].as_str().unwrap().contains("throughout")).unwrap();
    let fixed = apply_edits(text, all["edit"]["documentChanges"][0]["edits"].as_array().unwrap(), "utf-16");
    assert_eq!(fixed, "Fighters of al-Qa'ida attacked. Al-Qa'ida denied it. Al-Qa'ida again.\n");
    c.shutdown();
}

#[test]
fn house_style_from_initialization_options_and_configuration_changes() {
    let mut c = Client::spawn();
    let r = c.request(
        "initialize",
        json!({ "processId": null, "rootUri": null, "capabilities": {}, "initializationOptions": { "style": "guardian" } }),
    );
    assert!(r["capabilities"]["codeActionProvider"].is_object());
    c.notify("initialized", json!({}));
    let uri = "file:///g.md";
    c.open(uri, "markdown", "ISIS fighters advanced. ISIS said so.\n");
    let diags = c.diagnostics(uri, Some(1));
    assert_eq!(codes(&diags), vec!["naming/acronym-before-definition", "naming/house-style", "naming/house-style"]);
    assert_eq!(diags[1]["severity"], 4);
    c.notify("workspace/didChangeConfiguration", json!({ "settings": { "frontline": { "style": "", "prefer": {} } } }));
    // Re-analysed under the new settings: the same version is published again, now clean.
    let n = c.wait_notification(|n| {
        n["method"] == "textDocument/publishDiagnostics"
            && n["params"]["diagnostics"]
                .as_array()
                .is_some_and(|d| d.iter().all(|x| x["code"] != "naming/house-style"))
    });
    assert_eq!(n["params"]["version"], 1);
    // An unknown style is reported to the user and changes nothing.
    c.notify("workspace/didChangeConfiguration", json!({ "settings": { "frontline": { "style": "times" } } }));
    let m = c.wait_notification(|n| n["method"] == "window/showMessage");
    assert!(m["params"]["message"].as_str().unwrap().contains("unknown house style `times`"), "{m}");
    c.shutdown();
}

#[test]
fn seed_003_tweets_do_not_count_against_the_writer() {
    let mut c = Client::spawn();
    c.initialize(&[]);
    let text = seed("003");
    c.open("file:///003.txt", "plaintext", &text);
    let diags = c.diagnostics("file:///003.txt", Some(1));
    let flagged: Vec<&str> = diags.iter().map(|d| covered(&text, d)).collect();
    // #Tabqah sits in an embedded tweet: only the writer's es-Saura is flagged against Tabka.
    assert!(!flagged.contains(&"Tabqah") && !flagged.contains(&"Tabka"), "{flagged:?}");
    assert!(flagged.contains(&"es-Saura"));
    assert!(!flagged.contains(&"Daesh"), "Daesh is only in a tweet");
    assert!(flagged.contains(&"ISIL") && flagged.contains(&"raqqa"));
    c.shutdown();
}

#[test]
fn a_hand_wrapped_line_is_body_text_not_a_headline() {
    let mut c = Client::spawn();
    c.initialize(&[]);
    let uri = "file:///wrap.md";
    let text = "Fighters of the Islamic State entered Raqqa on Tuesday, and\nresidents said ISIS had taken the city.\n";
    c.open(uri, "markdown", text);
    let diags: Vec<Value> =
        c.diagnostics(uri, Some(1)).into_iter().filter(|d| d["code"] == "naming/mixed-names").collect();
    assert_eq!(diags.iter().map(|d| covered(text, d)).collect::<Vec<_>>(), vec!["ISIS"]);
    c.shutdown();
}
