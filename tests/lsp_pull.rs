//! Pull diagnostics with result ids, semantic-token deltas, the document size limit, and recovery
//! from a panic in a handler, over stdio against the real binary.

mod common;

use common::{codes, Client};
use serde_json::{json, Value};
use std::time::Duration;

const URI: &str = "file:///pull.md";
const STORY: &str = "ISIS fighters advanced on Tuesday.\n\nISIL later withdrew, the ministry said.\n";

fn initialize(c: &mut Client, caps: Value, options: Value) -> Value {
    let result = c.request(
        "initialize",
        json!({ "processId": null, "rootUri": null, "capabilities": caps, "initializationOptions": options }),
    );
    c.notify("initialized", json!({}));
    result
}

fn pull(c: &mut Client, previous: Option<&str>) -> Value {
    c.request("textDocument/diagnostic", json!({ "textDocument": { "uri": URI }, "previousResultId": previous }))
}

#[test]
fn pulled_diagnostics_carry_result_ids_and_an_unchanged_story_costs_nothing() {
    let mut c = Client::spawn();
    let caps = json!({
        "textDocument": { "diagnostic": { "dynamicRegistration": false } },
        "workspace": { "diagnostics": { "refreshSupport": true } }
    });
    let init = initialize(&mut c, caps, json!({}));
    assert_eq!(init["capabilities"]["diagnosticProvider"]["identifier"], "frontline", "{init}");
    c.open(URI, "markdown", STORY);
    let first = pull(&mut c, None);
    assert_eq!(first["kind"], "full");
    let items: Vec<Value> = first["items"].as_array().unwrap().clone();
    assert!(codes(&items).contains(&"naming/mixed-names".to_string()), "{first}");
    let id = first["resultId"].as_str().expect("a result id").to_string();

    let again = pull(&mut c, Some(&id));
    assert_eq!(again, json!({ "kind": "unchanged", "resultId": id }));

    // An edit: the next pull is a full report with a new id, for the new text.
    c.change(URI, 2, vec![json!({ "range": { "start": { "line": 2, "character": 0 }, "end": { "line": 2, "character": 4 } }, "text": "ISIS" })]);
    let after = pull(&mut c, Some(&id));
    assert_eq!(after["kind"], "full");
    assert_ne!(after["resultId"].as_str(), Some(id.as_str()));
    assert!(!codes(after["items"].as_array().unwrap()).contains(&"naming/mixed-names".to_string()), "{after}");

    // A client that pulls is not also pushed to (the same findings would show twice).
    std::thread::sleep(Duration::from_millis(300));
    let _ = c.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": URI }, "position": { "line": 0, "character": 1 } }),
    );
    assert!(
        !c.notifications.iter().any(|n| n["method"] == "textDocument/publishDiagnostics"),
        "pushed to a pulling client"
    );
    assert!(c.shutdown().is_some());
}

#[test]
fn a_pull_right_after_a_settings_change_answers_with_the_new_settings() {
    let caps = json!({
        "textDocument": { "diagnostic": { "dynamicRegistration": false } },
        "workspace": { "diagnostics": { "refreshSupport": true } }
    });
    // Several rounds: the pull races the analyst's re-analysis with the new settings.
    for round in 0..5 {
        let mut c = Client::spawn();
        initialize(&mut c, caps.clone(), json!({}));
        c.open(URI, "markdown", STORY);
        let before = pull(&mut c, None);
        assert!(codes(before["items"].as_array().unwrap()).contains(&"naming/mixed-names".to_string()), "{before}");
        let id = before["resultId"].as_str().expect("a result id").to_string();
        c.notify(
            "workspace/didChangeConfiguration",
            json!({ "settings": { "frontline": { "rules": { "naming": "off" } } } }),
        );
        let after = pull(&mut c, Some(&id));
        assert_eq!(after["kind"], "full", "round {round}: {after}");
        assert!(
            !codes(after["items"].as_array().unwrap()).iter().any(|c| c.starts_with("naming/")),
            "round {round}: {after}"
        );
        assert!(c.shutdown().is_some());
    }
}

#[test]
fn a_client_that_does_not_pull_or_cannot_be_asked_to_pull_again_is_pushed_to() {
    let mut c = Client::spawn();
    // Neovim 0.11 offers pull diagnostics but no refresh.
    let init = initialize(&mut c, json!({ "textDocument": { "diagnostic": {} } }), json!({}));
    assert!(init["capabilities"].get("diagnosticProvider").is_none_or(Value::is_null), "{init}");
    c.open(URI, "markdown", STORY);
    assert!(codes(&c.diagnostics(URI, Some(1))).contains(&"naming/mixed-names".to_string()));
    assert!(c.shutdown().is_some());
}

/// Applies LSP semantic-token edits to the old data.
fn apply_token_edits(old: &[u32], edits: &[Value]) -> Vec<u32> {
    let mut data = old.to_vec();
    let mut edits: Vec<&Value> = edits.iter().collect();
    edits.sort_by_key(|e| std::cmp::Reverse(e["start"].as_u64()));
    for e in edits {
        let start = e["start"].as_u64().unwrap() as usize;
        let delete = e["deleteCount"].as_u64().unwrap() as usize;
        let insert: Vec<u32> =
            e["data"].as_array().map(|a| a.iter().map(|v| v.as_u64().unwrap() as u32).collect()).unwrap_or_default();
        data.splice(start..start + delete, insert);
    }
    data
}

#[test]
fn semantic_token_deltas_turn_the_old_tokens_into_the_new() {
    let mut c = Client::spawn();
    let init = initialize(&mut c, json!({}), json!({}));
    assert_eq!(init["capabilities"]["semanticTokensProvider"]["full"]["delta"], true, "{init}");
    let story = common::seed("001");
    c.open(URI, "plaintext", &story);
    let full = c.request("textDocument/semanticTokens/full", json!({ "textDocument": { "uri": URI } }));
    let id = full["resultId"].as_str().expect("a result id").to_string();
    let old: Vec<u32> = full["data"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap() as u32).collect();
    // A new mention in the middle of the story.
    let line = story.lines().count() as u64 / 2;
    c.change(URI, 2, vec![json!({ "range": { "start": { "line": line, "character": 0 }, "end": { "line": line, "character": 0 } }, "text": "Hezbollah and the Islamic State. " })]);
    let delta = c.request(
        "textDocument/semanticTokens/full/delta",
        json!({ "textDocument": { "uri": URI }, "previousResultId": id }),
    );
    let edits = delta["edits"].as_array().expect("a delta, not full tokens");
    assert_eq!(edits.len(), 1, "{delta}");
    let deleted = edits[0]["deleteCount"].as_u64().unwrap() as usize;
    let inserted = edits[0]["data"].as_array().map_or(0, Vec::len);
    assert!(inserted + deleted < old.len() / 2, "the delta resends most of the story: {delta}");
    // The tokens of a story opened with the new text, encoded afresh.
    let at = |text: &str, line: u64| text.split_inclusive('\n').take(line as usize).map(str::len).sum::<usize>();
    let mut text = story.clone();
    text.insert_str(at(&text, line), "Hezbollah and the Islamic State. ");
    let fresh = |c: &mut Client, text: &str, n: usize| -> Vec<u32> {
        let uri = format!("file:///fresh{n}.txt");
        c.open(&uri, "plaintext", text);
        let now = c.request("textDocument/semanticTokens/full", json!({ "textDocument": { "uri": uri } }));
        now["data"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap() as u32).collect()
    };
    let mut held = apply_token_edits(&old, edits);
    assert_eq!(held, fresh(&mut c, &text, 1));
    // Two more edits, the tokens asked for after the second only: a line break that splits the new
    // mention, and the story's first mention of an actor removed.
    let id = delta["resultId"].as_str().expect("a result id").to_string();
    let col = "Hezbollah and the Islamic".len() as u64;
    c.change(URI, 3, vec![json!({ "range": { "start": { "line": line, "character": col }, "end": { "line": line, "character": col + 1 } }, "text": "\n" })]);
    let cut = at(&text, line) + col as usize;
    text.replace_range(cut..cut + 1, "\n");
    // (A request on this version makes the server analyse it before the next one.)
    c.hover(URI, 0, 0);
    c.change(URI, 4, vec![json!({ "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 1, "character": 0 } }, "text": "" })]);
    text.replace_range(..at(&text, 1), "");
    let delta = c.request(
        "textDocument/semanticTokens/full/delta",
        json!({ "textDocument": { "uri": URI }, "previousResultId": id }),
    );
    held = apply_token_edits(&held, delta["edits"].as_array().expect("a delta"));
    assert_eq!(held, fresh(&mut c, &text, 2));
    // An unknown previous id gets full tokens.
    let unknown = c.request(
        "textDocument/semanticTokens/full/delta",
        json!({ "textDocument": { "uri": URI }, "previousResultId": "nope" }),
    );
    assert!(unknown["data"].is_array(), "{unknown}");
    assert!(c.shutdown().is_some());
}

#[test]
fn a_document_over_the_size_limit_is_kept_in_sync_but_not_checked_and_the_user_is_told() {
    let mut c = Client::spawn();
    initialize(&mut c, json!({}), json!({ "maxFileSize": 1000 }));
    let big = STORY.repeat(30);
    c.open(URI, "markdown", &big);
    let shown = c.wait_notification(|n| n["method"] == "window/showMessage");
    let message = shown["params"]["message"].as_str().unwrap();
    assert!(message.contains("limit") && message.contains("maxFileSize"), "{message}");
    assert!(c.diagnostics(URI, Some(1)).is_empty());
    let hover = c.hover(URI, 0, 1);
    assert!(hover.is_null(), "{hover}");
    // A small story in the same session is checked.
    let small = "file:///small.md";
    c.open(small, "markdown", STORY);
    assert!(!c.diagnostics(small, Some(1)).is_empty());
    assert!(c.shutdown().is_some());
}

#[test]
fn a_panicking_handler_answers_with_an_error_and_the_server_goes_on() {
    // Hover runs on the runtime's thread, highlights on the blocking pool (`Backend::off_path`).
    let (hover, highlight) = ("textDocument/hover", "textDocument/documentHighlight");
    for (panics, answers) in [(hover, highlight), (highlight, hover)] {
        let mut c = Client::spawn_with_env(&[("FRONTLINE_TEST_PANIC", panics)]);
        initialize(&mut c, json!({}), json!({}));
        c.open(URI, "markdown", STORY);
        let params = json!({ "textDocument": { "uri": URI }, "position": { "line": 0, "character": 1 } });
        for _ in 0..3 {
            let r = c.request_raw(panics, params.clone());
            assert_eq!(r["error"]["code"], -32603, "{r}");
            assert!(r["error"]["message"].as_str().unwrap().contains(&format!("internal error in {panics}")), "{r}");
        }
        let answer = c.request(answers, params);
        assert!(!answer.is_null(), "{answers}: {answer}");
        if answers == highlight {
            assert_eq!(answer.as_array().map(Vec::len), Some(2), "{answer}");
        }
        let range = json!({ "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } });
        c.change(URI, 2, vec![json!({ "range": range, "text": "x" })]);
        assert!(!c.diagnostics(URI, Some(2)).is_empty());
        assert!(c.shutdown().is_some());
    }
}
