//! Suppression comments over stdio: a suppressed finding is not published, an unused comment is a
//! hint with a fix that deletes it, and the "Ignore" code actions insert comments that silence the
//! finding (and only it) once applied.

mod common;

use common::{apply_edits, codes, Client};
use serde_json::{json, Value};

fn code_actions(c: &mut Client, uri: &str, diag: &Value) -> Vec<Value> {
    let actions = c.request(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": uri }, "range": diag["range"], "context": { "diagnostics": [diag] } }),
    );
    actions.as_array().cloned().unwrap_or_default()
}

fn apply(text: &str, action: &Value) -> String {
    apply_edits(text, action["edit"]["documentChanges"][0]["edits"].as_array().unwrap(), "utf-16")
}

fn change(c: &mut Client, uri: &str, version: i64, text: &str) {
    c.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": [{ "text": text }] }),
    );
}

#[test]
fn comments_suppress_and_unused_ones_are_hints() {
    let mut c = Client::spawn();
    c.initialize(&[]);
    let uri = "file:///suppressed.md";
    let text = "# Raqqa\n\n<!-- frontline-disable-next-line attribution/unsourced-claim -->\nRebels seized the town on Tuesday. Many believe the war is over.\n\n<!-- frontline-disable-next-line naming -->\nActivists said 12 people were killed.\n";
    c.open(uri, "markdown", text);
    let diags = c.diagnostics(uri, Some(1));
    assert_eq!(codes(&diags), vec!["attribution/weasel", "suppression/unused", "attribution/vague-source"]);
    let unused = &diags[1];
    assert_eq!(unused["severity"], 4);
    assert_eq!(unused["range"]["start"], json!({ "line": 5, "character": 0 }));
    let actions = code_actions(&mut c, uri, unused);
    let delete = actions.iter().find(|a| a["title"] == "Delete the suppression comment").expect("delete action");
    assert!(actions.iter().all(|a| !a["title"].as_str().unwrap().starts_with("Ignore")), "{actions:?}");
    let fixed = apply(text, delete);
    assert!(!fixed.contains("naming -->") && fixed.contains("\n\nActivists said"), "{fixed}");
    change(&mut c, uri, 2, &fixed);
    assert_eq!(codes(&c.diagnostics(uri, Some(2))), vec!["attribution/weasel", "attribution/vague-source"]);

    // An unknown code is a warning; the same story as plain text honours the same comments.
    let plain = "file:///suppressed.txt";
    let text = "<!-- frontline-disable-file attribution/bogus -->\n<!-- frontline-disable attribution -->\nRebels seized the town on Tuesday.\n<!-- frontline-enable -->\nRebels seized the city.\n";
    c.open(plain, "plaintext", text);
    let diags = c.diagnostics(plain, Some(1));
    assert_eq!(codes(&diags), vec!["suppression/unknown-code", "attribution/unsourced-claim"]);
    assert_eq!(diags[0]["severity"], 2);
    assert_eq!(diags[1]["range"]["start"]["line"], 4);
    c.shutdown();
}

#[test]
fn ignore_this_finding_here_silences_it_and_nothing_else() {
    let mut c = Client::spawn();
    c.initialize(&[]);
    let uri = "file:///ignore.md";
    let text = "# Raqqa\n\nThe city was calm.\n  Rebels seized the town on Tuesday. Many believe the war is over.\n\nThe Islamic State took Palmyra.\n";
    c.open(uri, "markdown", text);
    let diags = c.diagnostics(uri, Some(1));
    assert_eq!(codes(&diags), vec!["attribution/unsourced-claim", "attribution/weasel"]);
    let actions = code_actions(&mut c, uri, &diags[0]);
    let titles: Vec<&str> = actions.iter().map(|a| a["title"].as_str().unwrap()).collect();
    let ignore = actions
        .iter()
        .find(|a| a["title"] == "Ignore this finding here (`attribution/unsourced-claim`)")
        .unwrap_or_else(|| panic!("no ignore action in {titles:?}"));
    assert_eq!(ignore["edit"]["documentChanges"][0]["textDocument"]["version"], 1);
    let ignored = apply(text, ignore);
    assert!(
        ignored.contains("calm.\n  <!-- frontline-disable-next-line attribution/unsourced-claim -->\n  Rebels seized"),
        "{ignored}"
    );
    // Re-opened: the finding is gone, the other one on the line stays, no unused hint.
    let again = "file:///ignore-again.md";
    c.open(again, "markdown", &ignored);
    let diags_again = c.diagnostics(again, Some(1));
    assert_eq!(codes(&diags_again), vec!["attribution/weasel"]);
    // Ignoring the other finding on that line stacks a second comment: both are honoured.
    let actions_again = code_actions(&mut c, again, &diags_again[0]);
    let ignore = actions_again
        .iter()
        .find(|a| a["title"] == "Ignore this finding here (`attribution/weasel`)")
        .expect("ignore action for the weasel finding");
    let both = apply(&ignored, ignore);
    assert!(
        both.contains("unsourced-claim -->\n  <!-- frontline-disable-next-line attribution/weasel -->\n  Rebels"),
        "{both}"
    );
    let third = "file:///ignore-both.md";
    c.open(third, "markdown", &both);
    assert_eq!(codes(&c.diagnostics(third, Some(1))), Vec::<String>::new());

    // "In this file" puts the comment at the top, in a paragraph of its own.
    let file = actions.iter().find(|a| a["title"] == "Ignore `attribution/weasel` in this file");
    assert!(file.is_none(), "the weasel finding is not under the first diagnostic's range");
    let actions = code_actions(&mut c, uri, &diags[1]);
    let file = actions.iter().find(|a| a["title"] == "Ignore `attribution/weasel` in this file").expect("file action");
    let ignored = apply(text, file);
    assert!(ignored.starts_with("<!-- frontline-disable-file attribution/weasel -->\n\n# Raqqa"), "{ignored}");
    change(&mut c, uri, 2, &ignored);
    assert_eq!(codes(&c.diagnostics(uri, Some(2))), vec!["attribution/unsourced-claim"]);
    c.shutdown();
}
