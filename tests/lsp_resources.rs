//! Documents that push the limits: a 50 MB story, one line of 1 MB, 100,000 empty lines. Each is
//! handled (diagnostics arrive and the server keeps serving) or refused with a message, never by
//! running out of memory or dying.

mod common;

use common::Client;

use serde_json::json;

fn hover_works(c: &mut Client, uri: &str) {
    let r = c.request_raw(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri }, "position": { "line": 0, "character": 2 } }),
    );
    assert!(r.get("error").is_none(), "{r}");
}

#[test]
fn one_line_of_a_megabyte_is_analysed_and_edited() {
    let mut c = Client::spawn();
    c.initialize(&["utf-16"]);
    let uri = "file:///one-line.md";
    let line = "ISIS fighters and ISIL units crossed the river, the monitor said. ".repeat(16_000);
    assert!(line.len() > 1_000_000);
    c.open(uri, "markdown", &line);
    let diags = c.diagnostics(uri, Some(1));
    assert!(!diags.is_empty());
    // An edit in the middle of the line.
    let mid = (line.len() / 2) as u64;
    c.change(uri, 2, vec![json!({ "range": { "start": { "line": 0, "character": mid }, "end": { "line": 0, "character": mid } }, "text": "Daesh " })]);
    assert!(!c.diagnostics(uri, Some(2)).is_empty());
    hover_works(&mut c, uri);
    assert!(c.shutdown().is_some());
}

#[test]
fn a_hundred_thousand_empty_lines() {
    let mut c = Client::spawn();
    c.initialize(&["utf-16"]);
    let uri = "file:///empty-lines.md";
    let text = format!("ISIS\n{}ISIL\n", "\n".repeat(100_000));
    c.open(uri, "markdown", &text);
    let diags = c.diagnostics(uri, Some(1));
    assert!(diags.iter().any(|d| d["range"]["start"]["line"] == 100_001), "{diags:?}");
    c.change(uri, 2, vec![json!({ "range": { "start": { "line": 50_000, "character": 0 }, "end": { "line": 50_000, "character": 0 } }, "text": "Daesh." })]);
    assert!(!c.diagnostics(uri, Some(2)).is_empty());
    hover_works(&mut c, uri);
    assert!(c.shutdown().is_some());
}

#[test]
fn a_fifty_megabyte_story_is_refused_with_a_message_and_kept_in_sync() {
    let mut c = Client::spawn();
    c.initialize(&["utf-16"]);
    let uri = "file:///huge.md";
    let text = "The Islamic State attacked. ISIS fighters withdrew, the ministry said.\n\n".repeat(700_000);
    assert!(text.len() > 50_000_000);
    c.open(uri, "markdown", &text);
    let shown = c.wait_notification(|n| n["method"] == "window/showMessage");
    assert!(shown["params"]["message"].as_str().unwrap().contains("maxFileSize"), "{shown}");
    assert!(c.diagnostics(uri, Some(1)).is_empty());
    // Edits still apply; a small story is still checked.
    c.change(uri, 2, vec![json!({ "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } }, "text": "x" })]);
    assert!(c.diagnostics(uri, Some(2)).is_empty());
    let small = "file:///small.md";
    c.open(small, "markdown", "ISIS and ISIL.");
    assert!(!c.diagnostics(small, Some(1)).is_empty());
    // Closing it keeps the server serving.
    c.notify("textDocument/didClose", json!({ "textDocument": { "uri": uri } }));
    hover_works(&mut c, small);
    assert!(c.shutdown().is_some());
}

#[test]
fn closing_documents_frees_them() {
    let mut c = Client::spawn();
    c.initialize(&["utf-16"]);
    let story = common::seed("001").repeat(40); // about 500 KB
    let mut after_first = 0;
    for round in 0..6 {
        let uri = format!("file:///round-{round}.md");
        c.open(&uri, "markdown", &story);
        assert!(!c.diagnostics(&uri, Some(1)).is_empty());
        c.notify("textDocument/didClose", json!({ "textDocument": { "uri": uri } }));
        hover_works(&mut c, "file:///nothing.md");
        if round == 0 {
            after_first = c.rss_kb();
        }
    }
    let last = c.rss_kb();
    // Six stories opened and closed one after another take no more room than one (the allocator
    // may keep what was freed, but reuses it): a leak would add ~5 stories' worth.
    assert!(last < after_first + after_first / 2, "RSS {after_first} kB after one story, {last} kB after six");
    assert!(c.shutdown().is_some());
}
