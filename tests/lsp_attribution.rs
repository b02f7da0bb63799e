//! Attribution diagnostics and their fixes over stdio.

mod common;

use common::{apply_edits, codes, Client};
use serde_json::json;

#[test]
fn unsourced_claims_are_flagged_and_fixed() {
    let mut c = Client::spawn();
    c.initialize(&[]);
    let uri = "file:///claims.md";
    let text = "# Raqqa\n\nRebels seized the town on Tuesday. Many believe the war is over.\n\nActivists said 12 people were killed.\n";
    c.open(uri, "markdown", text);
    let diags = c.diagnostics(uri, Some(1));
    assert_eq!(codes(&diags), vec!["attribution/unsourced-claim", "attribution/weasel", "attribution/vague-source"]);
    assert_eq!(diags[0]["severity"], 2);
    assert_eq!(diags[2]["severity"], 3);
    let actions = c.request(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": uri }, "range": diags[0]["range"], "context": { "diagnostics": [diags[0]] } }),
    );
    let actions = actions.as_array().unwrap();
    let witnessed =
        actions.iter().find(|a| a["title"] == "Mark as witnessed by the reporter").expect("witnessed action");
    let fixed = apply_edits(text, witnessed["edit"]["documentChanges"][0]["edits"].as_array().unwrap(), "utf-16");
    assert!(fixed.contains("<!-- frontline: witnessed --> Rebels seized the town"));
    c.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": 2 }, "contentChanges": [{ "text": fixed }] }),
    );
    assert_eq!(codes(&c.diagnostics(uri, Some(2))), vec!["attribution/weasel", "attribution/vague-source"]);
    let source = actions.iter().find(|a| a["isPreferred"] == true).expect("preferred action");
    let with_source = apply_edits(text, source["edit"]["documentChanges"][0]["edits"].as_array().unwrap(), "utf-16");
    assert!(with_source.contains("Rebels seized the town on Tuesday, according to [source]."), "{with_source}");
    c.shutdown();
}
