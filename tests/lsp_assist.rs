//! Writing aids over stdio: completion of actor names, inlay hints with canonical names, and the
//! code lens that counts a story's actors and claims.

mod common;

use common::{position, strict_range, Client};
use serde_json::{json, Value};

fn init_with(c: &mut Client, encodings: &[&str], capabilities: Value, options: Value) -> Value {
    let mut caps = capabilities;
    if !encodings.is_empty() {
        caps["general"] = json!({ "positionEncodings": encodings });
    }
    let r = c.request(
        "initialize",
        json!({ "processId": null, "rootUri": null, "capabilities": caps, "initializationOptions": options }),
    );
    c.notify("initialized", json!({}));
    r
}

fn complete_at_end(c: &mut Client, uri: &str, text: &str, enc: &str) -> Value {
    let (line, character) = position(text, text.len(), enc);
    c.request(
        "textDocument/completion",
        json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": character } }),
    )
}

fn labels(list: &Value) -> Vec<String> {
    list["items"].as_array().unwrap().iter().map(|i| i["label"].as_str().unwrap().to_string()).collect()
}

#[test]
fn completion_offers_names_for_the_typed_prefix_in_every_encoding() {
    for enc in ["utf-16", "utf-8", "utf-32"] {
        let mut c = Client::spawn();
        let init = init_with(&mut c, &[enc], json!({}), json!({}));
        assert_eq!(init["capabilities"]["positionEncoding"], enc);
        assert!(init["capabilities"]["completionProvider"].is_object(), "{init}");
        let uri = "file:///complete.md";
        // Characters of every width before the prefix, on the same line.
        let text = "# Raqqa\n\n🇸🇾 Fighters of the café’s Free Syrian A";
        c.open(uri, "markdown", text);
        let list = complete_at_end(&mut c, uri, text, enc);
        assert_eq!(list["isIncomplete"], false);
        let first = &list["items"][0];
        assert_eq!(first["label"], "Free Syrian Army", "{list}");
        assert_eq!(first["kind"], 7, "an armed group completes as a class");
        assert_eq!(first["detail"], "armed group · Free Syrian Army");
        assert_eq!(first["documentation"]["kind"], "markdown");
        assert!(first["documentation"]["value"].as_str().unwrap().starts_with("**Free Syrian Army** (armed group)"));
        let edit = &first["textEdit"];
        assert_eq!(edit["newText"], "Free Syrian Army");
        let r = strict_range(text, &edit["range"], enc).unwrap();
        assert_eq!(&text[r], "Free Syrian A");
        c.shutdown();
    }
}

#[test]
fn completion_order_style_and_limits() {
    let mut c = Client::spawn();
    init_with(&mut c, &[], json!({}), json!({ "style": "guardian" }));
    let uri = "file:///order.txt";
    let text = "Strikes on Isl";
    c.open(uri, "plaintext", text);
    let l = labels(&complete_at_end(&mut c, uri, text, "utf-16"));
    let canon = l.iter().position(|x| x == "Islamic State").unwrap();
    let alias = l.iter().position(|x| x == "Islamic State of Iraq and the Levant").unwrap();
    assert!(canon < alias, "canonical names come before aliases: {l:?}");
    // The house style's form comes first.
    let text2 = "Strikes on Is";
    c.change(uri, 2, vec![json!({ "text": text2 })]);
    let list = complete_at_end(&mut c, uri, text2, "utf-16");
    assert_eq!(labels(&list)[0], "Isis", "{list}");
    assert_eq!(list["items"][0]["sortText"], "000");
    // `IS` is an ordinary word too: not offered for a short prefix.
    assert!(!labels(&list).contains(&"IS".to_string()));
    // One letter matches more than the list holds.
    let text3 = "Strikes on A";
    c.change(uri, 3, vec![json!({ "text": text3 })]);
    let list = complete_at_end(&mut c, uri, text3, "utf-16");
    assert_eq!(list["isIncomplete"], true);
    assert_eq!(list["items"].as_array().unwrap().len(), 50);
    // A lower-case word is not a name being typed; "al-" is.
    let text4 = "Strikes on fighters";
    c.change(uri, 4, vec![json!({ "text": text4 })]);
    assert!(complete_at_end(&mut c, uri, text4, "utf-16").is_null());
    let text5 = "Strikes on al-Nus";
    c.change(uri, 5, vec![json!({ "text": text5 })]);
    assert!(labels(&complete_at_end(&mut c, uri, text5, "utf-16")).contains(&"al-Nusra Front".to_string()));
    // Inside a word: the whole word is replaced.
    let text6 = "Strikes on Hezbollx today";
    c.change(uri, 6, vec![json!({ "text": text6 })]);
    let at = text6.find("bollx").unwrap();
    let list = c.request(
        "textDocument/completion",
        json!({ "textDocument": { "uri": uri }, "position": { "line": 0, "character": at } }),
    );
    assert_eq!(list["items"][0]["label"], "Hezbollah");
    let r = strict_range(text6, &list["items"][0]["textEdit"]["range"], "utf-16").unwrap();
    assert_eq!(&text6[r], "Hezbollx");
    c.shutdown();
}

fn inlay(c: &mut Client, uri: &str) -> Value {
    c.request(
        "textDocument/inlayHint",
        json!({ "textDocument": { "uri": uri }, "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 99, "character": 0 } } }),
    )
}

#[test]
fn inlay_hints_name_the_canonical_actor_when_switched_on() {
    let mut c = Client::spawn();
    let caps = json!({ "workspace": { "inlayHint": { "refreshSupport": true } } });
    let init = init_with(&mut c, &["utf-16"], caps, json!({ "frontline": { "inlayHints": true } }));
    assert_eq!(init["capabilities"]["inlayHintProvider"], true);
    let uri = "file:///hints.md";
    let text = "ISIS fighters 🇸🇾 entered. The Islamic State held Raqqa.\n\nLater Daesh (Islamic State) left, and ISIS returned.\n";
    c.open(uri, "markdown", text);
    let hints = inlay(&mut c, uri);
    let hints = hints.as_array().unwrap();
    let got: Vec<(usize, &str)> = hints
        .iter()
        .map(|h| {
            let r = strict_range(text, &json!({ "start": h["position"], "end": h["position"] }), "utf-16").unwrap();
            (r.start, h["label"].as_str().unwrap())
        })
        .collect();
    let first = text.find("ISIS").unwrap() + 4;
    let second = text.rfind("ISIS").unwrap() + 4;
    // Not after the canonical name, nor after "Daesh (Islamic State)", which says it already.
    assert_eq!(got, vec![(first, "(Islamic State)"), (second, "(Islamic State)")]);
    assert_eq!(hints[0]["paddingLeft"], true);
    assert!(hints[0]["tooltip"]["value"].as_str().unwrap().contains("Salafi-jihadist"));
    // Only the mentions in the requested range.
    let part = c.request(
        "textDocument/inlayHint",
        json!({ "textDocument": { "uri": uri }, "range": { "start": { "line": 2, "character": 0 }, "end": { "line": 3, "character": 0 } } }),
    );
    assert_eq!(part.as_array().unwrap().len(), 1);
    // Switched off: no hints, and the client is asked to fetch them again.
    c.notify("workspace/didChangeConfiguration", json!({ "settings": { "frontline": { "inlayHints": false } } }));
    let refresh = c.wait_notification(|n| n["method"] == "workspace/inlayHint/refresh");
    c.send(&json!({ "jsonrpc": "2.0", "id": refresh["id"], "result": null }));
    assert_eq!(inlay(&mut c, uri), json!([]));
    c.shutdown();
}

#[test]
fn inlay_hints_are_off_by_default() {
    let mut c = Client::spawn();
    let init = init_with(&mut c, &[], json!({}), json!({}));
    assert_eq!(init["capabilities"]["inlayHintProvider"], true, "advertised so a setting change takes effect");
    c.open("file:///off.txt", "plaintext", "ISIS fighters entered.");
    assert_eq!(inlay(&mut c, "file:///off.txt"), json!([]));
    // A change with a setting that is refused is not applied (the last good settings stay).
    c.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": { "frontline": { "inlayHints": true, "style": "times" } } }),
    );
    let warning = c.wait_notification(|n| n["method"] == "window/showMessage");
    assert!(warning["params"]["message"].as_str().unwrap().contains("times"), "{warning}");
    assert_eq!(inlay(&mut c, "file:///off.txt"), json!([]));
    c.notify("workspace/didChangeConfiguration", json!({ "settings": { "frontline": { "inlayHints": true } } }));
    let hints = inlay(&mut c, "file:///off.txt");
    assert_eq!(hints[0]["label"], "(Islamic State)", "{hints}");
    c.shutdown();
}

#[test]
fn the_code_lens_counts_actors_and_claims() {
    let mut c = Client::spawn();
    let init = init_with(&mut c, &[], json!({}), json!({}));
    assert!(init["capabilities"]["codeLensProvider"].is_object(), "{init}");
    let uri = "file:///lens.md";
    let text = "# Raqqa\n\nISIS fighters killed at least 44 people, the Syrian Observatory for Human Rights said.\n\nThe weather was fine.\n\nHezbollah seized the town on Tuesday.\n";
    c.open(uri, "markdown", text);
    let lenses = c.request("textDocument/codeLens", json!({ "textDocument": { "uri": uri } }));
    let lens = &lenses[0];
    assert_eq!(lens["range"]["start"], json!({ "line": 0, "character": 0 }));
    assert_eq!(lens["command"]["title"], "4 actors named · 2 claims found · 1 attributed", "{lens}");
    assert_eq!(lens["command"]["command"], "frontline.showActors");
    assert_eq!(lens["command"]["arguments"][0], uri);
    let actors = lens["command"]["arguments"][1].as_array().unwrap();
    let names: Vec<&str> = actors.iter().map(|a| a["name"].as_str().unwrap()).collect();
    assert_eq!(names[0], "Raqqa", "{actors:?}");
    assert!(names.contains(&"Islamic State") && names.contains(&"Hezbollah"), "{names:?}");
    let r = strict_range(text, &actors[1]["range"], "utf-16").unwrap();
    assert_eq!(&text[r], "ISIS");
    // Each actor's first mention, after Arabic, emoji and CRLF line ends on the lines before it
    // and on its own line (the ranges are placed one from the other, in order of first mention).
    let uri = "file:///lens-wide.md";
    let text = "دمشق 😀 — Raqqa\r\n\r\n«😀» ISIS fighters left; the Syrian Observatory for Human Rights said so.\r\n\r\nمرحبا 😀😀 Hezbollah seized Manbij.\r\n";
    c.open(uri, "markdown", text);
    let lenses = c.request("textDocument/codeLens", json!({ "textDocument": { "uri": uri } }));
    let actors = lenses[0]["command"]["arguments"][1].as_array().unwrap().clone();
    let written: Vec<&str> = actors.iter().map(|a| &text[strict_range(text, &a["range"], "utf-16").unwrap()]).collect();
    assert_eq!(written, ["دمشق", "Raqqa", "ISIS", "Syrian Observatory for Human Rights", "Hezbollah", "Manbij"]);
    c.shutdown();
}

#[test]
fn a_project_turns_inlay_hints_on_and_a_change_to_it_refreshes_hints_and_lenses() {
    let dir = std::env::temp_dir().join(format!("frontline-assist-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let toml = dir.join("frontline.toml");
    std::fs::write(&toml, "[editor]\ninlay-hints = true\n").unwrap();
    let story = dir.join("story.md");
    std::fs::write(&story, "ISIS fighters entered.\n").unwrap();
    let uri = format!("file://{}", story.display());
    let toml_uri = format!("file://{}", toml.display());

    let mut c = Client::spawn();
    let caps =
        json!({ "workspace": { "inlayHint": { "refreshSupport": true }, "codeLens": { "refreshSupport": true } } });
    init_with(&mut c, &[], caps, json!({}));
    c.open(&uri, "markdown", "ISIS fighters entered.\n");
    let hints = inlay(&mut c, &uri);
    assert_eq!(hints[0]["label"], "(Islamic State)", "the project's [editor] inlay-hints: {hints}");

    // The project turns them off: the client is asked to fetch hints and lenses again.
    c.notifications.clear();
    std::fs::write(&toml, "[editor]\ninlay-hints = false\n").unwrap();
    c.notify("workspace/didChangeWatchedFiles", json!({ "changes": [{ "uri": toml_uri, "type": 2 }] }));
    for method in ["workspace/inlayHint/refresh", "workspace/codeLens/refresh"] {
        let r = c.wait_notification(|n| n["method"] == method);
        c.send(&json!({ "jsonrpc": "2.0", "id": r["id"], "result": null }));
    }
    assert_eq!(inlay(&mut c, &uri), json!([]));
    // Editor settings win over the project's.
    c.notify("workspace/didChangeConfiguration", json!({ "settings": { "frontline": { "inlayHints": true } } }));
    assert_eq!(inlay(&mut c, &uri)[0]["label"], "(Islamic State)");
    // Unset (null, as the VS Code extension sends it by default): the project's again.
    c.notify("workspace/didChangeConfiguration", json!({ "settings": { "frontline": { "inlayHints": null } } }));
    assert_eq!(inlay(&mut c, &uri), json!([]));
    c.shutdown();
    let _ = std::fs::remove_dir_all(&dir);
}
