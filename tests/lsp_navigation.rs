//! Navigation over stdio: document symbols, workspace symbols, references (open documents and the
//! workspace index, with its progress) and rename.

mod common;

use std::path::PathBuf;

use common::{apply_edits, codes, position_of, seed, strict_range, Client};
use serde_json::{json, Value};

const SEED: &str = "file:///000.txt";

/// The text a range the server returned covers (checked to be a valid range first).
fn covered<'a>(text: &'a str, range: &Value, enc: &str) -> &'a str {
    let r = strict_range(text, range, enc).unwrap_or_else(|e| panic!("bad range: {e}"));
    &text[r]
}

fn at(text: &str, needle: &str, n: usize) -> Value {
    let (line, character) = position_of(text, needle, n, "utf-16");
    json!({ "line": line, "character": character })
}

fn caps(extra: Value) -> Value {
    let mut caps = json!({
        "textDocument": { "documentSymbol": { "hierarchicalDocumentSymbolSupport": true } },
        "workspace": { "workspaceEdit": { "documentChanges": true } }
    });
    if let (Some(c), Some(e)) = (caps.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            c.insert(k.clone(), v.clone());
        }
    }
    caps
}

fn start(extra_caps: Value, folders: Option<&[PathBuf]>) -> Client {
    let mut c = Client::spawn();
    c.answer_requests = true;
    let folders: Option<Vec<Value>> = folders.map(|f| {
        f.iter()
            .map(|p| json!({ "uri": format!("file://{}", p.display()), "name": p.file_name().unwrap().to_string_lossy() }))
            .collect()
    });
    c.initialize_with(json!({
        "processId": null,
        "rootUri": null,
        "workspaceFolders": folders,
        "capabilities": caps(extra_caps),
    }));
    c
}

/// `ISIS`, `ISIL`, `Islamic State` and `Islamic State of Iraq and the Levant` as whole words in
/// seed 000: 5 + 4 + 10 + 1 (the hashtags, the gloss and the quotations included).
const ISLAMIC_STATE_IN_000: usize = 20;

#[test]
fn document_symbols_group_the_actors_by_kind() {
    let mut c = start(json!({}), None);
    let text = seed("000");
    c.open(SEED, "plaintext", &text);
    let r = c.request("textDocument/documentSymbol", json!({ "textDocument": { "uri": SEED } }));
    let groups = r.as_array().unwrap();
    let names: Vec<&str> = groups.iter().map(|g| g["name"].as_str().unwrap()).collect();
    assert!(names.contains(&"Armed groups"), "{names:?}");
    assert!(names.contains(&"States"), "{names:?}");
    let armed = groups.iter().find(|g| g["name"] == "Armed groups").unwrap();
    let is = armed["children"].as_array().unwrap().iter().find(|s| s["name"] == "Islamic State").unwrap();
    assert_eq!(is["detail"], format!("{ISLAMIC_STATE_IN_000} mentions"));
    // At its first mention: "ISIS" in the headline.
    assert_eq!(covered(&text, &is["range"], "utf-16"), "ISIS");
    assert_eq!(is["range"]["start"]["line"], 0);
    assert_eq!(is["selectionRange"], is["range"]);
    // Every child lies inside its group, and the selection inside the range.
    for g in groups {
        covered(&text, &g["range"], "utf-16");
        for ch in g["children"].as_array().unwrap() {
            let (gr, cr) =
                (strict_range(&text, &g["range"], "utf-16").unwrap(), covered(&text, &ch["range"], "utf-16"));
            let cr_range = strict_range(&text, &ch["range"], "utf-16").unwrap();
            assert!(gr.start <= cr_range.start && cr_range.end <= gr.end, "{ch} outside {}", g["name"]);
            assert!(!cr.is_empty());
            assert!(
                ch["detail"].as_str().unwrap().ends_with("mention")
                    || ch["detail"].as_str().unwrap().ends_with("mentions")
            );
        }
    }
    let syria = groups.iter().find(|g| g["name"] == "States").unwrap()["children"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "Syria")
        .cloned()
        .unwrap();
    assert_eq!(covered(&text, &syria["range"], "utf-16"), "Syria");
    c.shutdown();
}

#[test]
fn document_symbols_are_flat_without_hierarchical_support() {
    let mut c = Client::spawn();
    c.initialize(&[]);
    let text = seed("000");
    c.open(SEED, "plaintext", &text);
    let r = c.request("textDocument/documentSymbol", json!({ "textDocument": { "uri": SEED } }));
    let is = r.as_array().unwrap().iter().find(|s| s["name"] == "Islamic State").cloned().unwrap();
    assert_eq!(is["containerName"], "Armed groups");
    assert_eq!(is["location"]["uri"], SEED);
    assert_eq!(covered(&text, &is["location"]["range"], "utf-16"), "ISIS");
    c.shutdown();
}

#[test]
fn references_in_one_story_are_every_mention() {
    let mut c = start(json!({}), None);
    let text = seed("000");
    c.open(SEED, "plaintext", &text);
    let refs = c.request(
        "textDocument/references",
        json!({ "textDocument": { "uri": SEED }, "position": at(&text, "ISIL", 0), "context": { "includeDeclaration": true } }),
    );
    let refs = refs.as_array().unwrap();
    assert_eq!(refs.len(), ISLAMIC_STATE_IN_000);
    let mut forms: Vec<&str> = refs.iter().map(|l| covered(&text, &l["range"], "utf-16")).collect();
    assert!(refs.iter().all(|l| l["uri"] == SEED));
    forms.sort();
    forms.dedup();
    assert_eq!(forms, vec!["ISIL", "ISIS", "Islamic State", "Islamic State of Iraq and the Levant"]);
    // Off a mention: nothing.
    let none = c.request(
        "textDocument/references",
        json!({ "textDocument": { "uri": SEED }, "position": at(&text, "reinforcements", 0), "context": { "includeDeclaration": true } }),
    );
    assert!(none.is_null(), "{none}");
    c.shutdown();
}

#[test]
fn rename_makes_seed_000_consistent() {
    let mut c = start(json!({}), None);
    let text = seed("000");
    c.open(SEED, "plaintext", &text);
    let before = c.diagnostics(SEED, Some(1));
    assert!(codes(&before).contains(&"naming/mixed-names".to_string()));

    let prep = c.request(
        "textDocument/prepareRename",
        json!({ "textDocument": { "uri": SEED }, "position": at(&text, "ISIS", 0) }),
    );
    assert_eq!(prep["placeholder"], "ISIS");
    assert_eq!(covered(&text, &prep["range"], "utf-16"), "ISIS");
    // Off a mention: null; in a quotation: an error that says why.
    let off = c.request(
        "textDocument/prepareRename",
        json!({ "textDocument": { "uri": SEED }, "position": at(&text, "reinforcements", 0) }),
    );
    assert!(off.is_null(), "{off}");
    let quoted = c.request_raw(
        "textDocument/prepareRename",
        json!({ "textDocument": { "uri": SEED }, "position": at(&text, "ISIS", 2) }),
    );
    assert!(quoted["error"]["message"].as_str().unwrap().contains("quotation"), "{quoted}");

    // Not a name of the Islamic State: refused, pointing at the alias action.
    let refused = c.request_raw(
        "textDocument/rename",
        json!({ "textDocument": { "uri": SEED }, "position": at(&text, "ISIS", 0), "newName": "Hezbollah" }),
    );
    assert_eq!(refused["error"]["code"], -32602, "{refused}");
    let message = refused["error"]["message"].as_str().unwrap();
    assert!(message.contains("not a name of Islamic State") && message.contains("Add as alias"), "{message}");

    // Typed in lower case: the knowledge base's spelling is used.
    let edit = c.request(
        "textDocument/rename",
        json!({ "textDocument": { "uri": SEED }, "position": at(&text, "ISIS", 0), "newName": "islamic state" }),
    );
    let change = &edit["documentChanges"][0];
    assert_eq!(change["textDocument"]["version"], 1);
    let edits = change["edits"].as_array().unwrap();
    assert!(edits.iter().all(|e| e["newText"] == "Islamic State"));
    let replaced: Vec<&str> = edits.iter().map(|e| covered(&text, &e["range"], "utf-16")).collect();
    // The writer's own ISIS (headline, the embassy paragraph) and the long name; not the gloss
    // ("also known as ISIS and ISIL"), the quotations or the #ISIL hashtags.
    assert_eq!(replaced, vec!["ISIS", "Islamic State of Iraq and the Levant", "ISIS"]);
    let fixed = apply_edits(&text, edits, "utf-16");
    assert!(fixed.contains("also known as ISIS and ISIL"));
    assert!(fixed.contains("“as an air force for ISIS.”"));

    c.notify("textDocument/didClose", json!({ "textDocument": { "uri": SEED } }));
    let uri = "file:///000-renamed.txt";
    c.open(uri, "plaintext", &fixed);
    let after = c.diagnostics(uri, Some(1));
    assert!(!codes(&after).contains(&"naming/mixed-names".to_string()), "{after:?}");
    c.shutdown();
}

#[test]
fn rename_without_document_changes_uses_changes() {
    let mut c = Client::spawn();
    c.initialize(&[]);
    let text = "ISIL took the town. Later ISIS left it.\n";
    let uri = "file:///short.md";
    c.open(uri, "markdown", text);
    let edit = c.request(
        "textDocument/rename",
        json!({ "textDocument": { "uri": uri }, "position": at(text, "ISIS", 0), "newName": "ISIL" }),
    );
    assert!(edit.get("documentChanges").is_none(), "{edit}");
    let edits = edit["changes"][uri].as_array().unwrap();
    assert_eq!(apply_edits(text, edits, "utf-16"), "ISIL took the town. Later ISIL left it.\n");
    c.shutdown();
}

/// A fresh folder under the system's temporary directory.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("frontline-nav-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn wait_index_end(c: &mut Client) -> Value {
    c.wait_notification(|n| n["method"] == "$/progress" && n["params"]["value"]["kind"] == "end")
}

#[test]
fn references_and_symbols_reach_the_workspace_files() {
    let dir = temp_dir("refs");
    let a = dir.join("a.md");
    let b = dir.join("notes").join("b.md");
    std::fs::create_dir_all(b.parent().unwrap()).unwrap();
    std::fs::create_dir_all(dir.join("node_modules")).unwrap();
    std::fs::create_dir_all(dir.join(".hidden")).unwrap();
    let a_text = "# Raqqa\n\nISIS fighters left Raqqa.\n";
    let b_text = "The Islamic State, also known as ISIS, lost the city.\n\nISIL said otherwise.\n";
    std::fs::write(&a, a_text).unwrap();
    std::fs::write(&b, b_text).unwrap();
    std::fs::write(dir.join("node_modules").join("c.md"), "ISIS").unwrap();
    std::fs::write(dir.join(".hidden").join("d.md"), "ISIS").unwrap();
    std::fs::write(dir.join("e.rs"), "// ISIS").unwrap();

    let mut c = start(json!({ "window": { "workDoneProgress": true } }), Some(std::slice::from_ref(&dir)));
    let end = wait_index_end(&mut c);
    assert_eq!(end["params"]["value"]["message"], "2 of 2 files name an actor", "{end}");
    let create = c.notifications.iter().find(|n| n["method"] == "window/workDoneProgress/create").cloned();
    assert!(create.is_some(), "the progress token was created first");
    let begin = c.notifications.iter().find(|n| n["method"] == "$/progress" && n["params"]["value"]["kind"] == "begin");
    assert_eq!(begin.unwrap()["params"]["value"]["message"], "0/2 files");
    let report =
        c.notifications.iter().find(|n| n["method"] == "$/progress" && n["params"]["value"]["kind"] == "report");
    assert_eq!(report.unwrap()["params"]["value"]["message"], "2/2 files");

    let (a_uri, b_uri) = (format!("file://{}", a.display()), format!("file://{}", b.display()));
    // The open copy of a.md differs from the disk: it stands for the file.
    let a_open = "# Raqqa\n\nISIS fighters left Raqqa. ISIS came back.\n";
    c.open(&a_uri, "markdown", a_open);
    let refs = c.request(
        "textDocument/references",
        json!({ "textDocument": { "uri": a_uri }, "position": at(a_open, "ISIS", 0), "context": { "includeDeclaration": true } }),
    );
    let refs = refs.as_array().unwrap();
    let in_a: Vec<&str> =
        refs.iter().filter(|l| l["uri"] == a_uri.as_str()).map(|l| covered(a_open, &l["range"], "utf-16")).collect();
    let in_b: Vec<&str> =
        refs.iter().filter(|l| l["uri"] == b_uri.as_str()).map(|l| covered(b_text, &l["range"], "utf-16")).collect();
    assert_eq!(in_a, vec!["ISIS", "ISIS"]);
    assert_eq!(in_b, vec!["Islamic State", "ISIS", "ISIL"]);
    assert_eq!(refs.len(), 5, "nothing from node_modules, hidden folders or other files: {refs:?}");

    // Workspace symbols: found by any name, located at a first mention.
    let syms = c.request("workspace/symbol", json!({ "query": "daesh" }));
    let syms = syms.as_array().unwrap();
    assert_eq!(syms.len(), 1, "{syms:?}");
    assert_eq!(syms[0]["name"], "Islamic State");
    assert_eq!(syms[0]["containerName"], "Armed groups");
    assert_eq!(syms[0]["location"]["uri"], a_uri.as_str());
    let raqqa = c.request("workspace/symbol", json!({ "query": "Raqqa" }));
    assert!(raqqa.as_array().unwrap().iter().any(|s| s["name"] == "Raqqa"), "{raqqa}");
    // An actor named nowhere is left out (the client does not resolve symbols).
    let none = c.request("workspace/symbol", json!({ "query": "Hezbollah" }));
    assert_eq!(none, json!([]));

    // A symbol given without a range is resolved to a first mention.
    let resolved = c.request(
        "workspaceSymbol/resolve",
        json!({ "name": "Islamic State", "kind": 5, "location": { "uri": a_uri }, "data": "islamic-state" }),
    );
    assert_eq!(resolved["location"]["uri"], a_uri.as_str());
    assert_eq!(covered(a_open, &resolved["location"]["range"], "utf-16"), "ISIS");

    // Closed again, a.md counts from its copy on disk.
    c.notify("textDocument/didClose", json!({ "textDocument": { "uri": a_uri } }));
    c.open(&b_uri, "markdown", b_text);
    let refs = c.request(
        "textDocument/references",
        json!({ "textDocument": { "uri": b_uri }, "position": at(b_text, "ISIL", 0), "context": { "includeDeclaration": true } }),
    );
    let from_a: Vec<&str> = refs
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["uri"] == a_uri.as_str())
        .map(|l| covered(a_text, &l["range"], "utf-16"))
        .collect();
    assert_eq!(from_a, vec!["ISIS"]);
    c.shutdown();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_story_open_when_the_index_reaches_it_is_read_from_the_editor_then_from_disk() {
    // The index lists the files, then waits for the client to create its progress token: the
    // test holds that answer until a.md is open, so the index reaches a.md while it is open (and
    // leaves it to its snapshot), deterministically.
    let dir = temp_dir("openfirst");
    let (a, b) = (dir.join("a.md"), dir.join("b.md"));
    let (a_disk, b_text) = ("ISIS left Raqqa.\n", "The Islamic State came back.\n");
    std::fs::write(&a, a_disk).unwrap();
    std::fs::write(&b, b_text).unwrap();
    let (a_uri, b_uri) = (format!("file://{}", a.display()), format!("file://{}", b.display()));
    let mut c = start(json!({ "window": { "workDoneProgress": true } }), Some(std::slice::from_ref(&dir)));
    c.answer_requests = false;
    let create = c.wait_notification(|n| n["method"] == "window/workDoneProgress/create");
    let a_open = "ISIS left Raqqa. ISIL came back.\n";
    c.open(&a_uri, "markdown", a_open);
    c.diagnostics(&a_uri, Some(1));
    c.answer_requests = true;
    c.send(&json!({ "jsonrpc": "2.0", "id": create["id"], "result": null }));
    let end = wait_index_end(&mut c);
    assert_eq!(end["params"]["value"]["message"], "1 of 2 files name an actor", "{end}");
    let refs_from = |c: &mut Client, uri: &str, text: &str, needle: &str| -> Vec<(String, usize)> {
        let refs = c.request(
            "textDocument/references",
            json!({ "textDocument": { "uri": uri }, "position": at(text, needle, 0), "context": { "includeDeclaration": true } }),
        );
        let mut out: Vec<(String, usize)> = Vec::new();
        for l in refs.as_array().unwrap() {
            let u = l["uri"].as_str().unwrap().to_string();
            match out.iter_mut().find(|(v, _)| *v == u) {
                Some((_, n)) => *n += 1,
                None => out.push((u, 1)),
            }
        }
        out.sort();
        out
    };
    // While open, a.md counts from the editor's copy (two mentions), b.md from the disk.
    let mut want = vec![(a_uri.clone(), 2), (b_uri.clone(), 1)];
    want.sort();
    assert_eq!(refs_from(&mut c, &a_uri, a_open, "ISIS"), want);
    // Closed, a.md is read from the disk (one mention).
    c.notify("textDocument/didClose", json!({ "textDocument": { "uri": a_uri } }));
    c.open(&b_uri, "markdown", b_text);
    let mut want = vec![(a_uri.clone(), 1), (b_uri.clone(), 1)];
    want.sort();
    let mut got = Vec::new();
    for _ in 0..100 {
        got = refs_from(&mut c, &b_uri, b_text, "Islamic State");
        if got == want {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_eq!(got, want);
    c.shutdown();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_index_waits_until_the_client_falls_quiet() {
    // The index runs in quiet moments only (no message for a while): here the window is 300 ms,
    // and the client talks every 10 ms for a second after the index's progress began. No file may
    // be indexed meanwhile; once the client falls silent, the index runs and ends.
    let dir = temp_dir("quiet");
    std::fs::write(dir.join("a.md"), "ISIS left Raqqa.\n").unwrap();
    std::fs::write(dir.join("b.md"), "The Islamic State came back.\n").unwrap();
    let mut c = Client::spawn_with_env(&[("FRONTLINE_TEST_QUIET_MS", "300")]);
    let folder = json!([{ "uri": format!("file://{}", dir.display()), "name": "quiet" }]);
    c.initialize_with(json!({
        "processId": null,
        "rootUri": null,
        "workspaceFolders": folder,
        "capabilities": caps(json!({ "window": { "workDoneProgress": true } })),
    }));
    let mut heard: Vec<Value> = Vec::new();
    let talk_until = std::time::Instant::now() + std::time::Duration::from_secs(1);
    while std::time::Instant::now() < talk_until {
        // A cancellation of a request that does not exist: a message that asks nothing.
        c.notify("$/cancelRequest", json!({ "id": 999_999 }));
        while let Ok(msg) = c.recv(std::time::Duration::ZERO) {
            if msg["method"] == "window/workDoneProgress/create" {
                c.send(&json!({ "jsonrpc": "2.0", "id": msg["id"], "result": null }));
            }
            heard.push(msg);
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let progress = |heard: &[Value], kind: &str| {
        heard.iter().any(|n| n["method"] == "$/progress" && n["params"]["value"]["kind"] == kind)
    };
    assert!(progress(&heard, "begin"), "the index began while the client talked: {heard:?}");
    assert!(
        !progress(&heard, "report") && !progress(&heard, "end"),
        "no file indexed while the client talked: {heard:?}"
    );
    c.notifications.extend(heard);
    let end = wait_index_end(&mut c);
    assert_eq!(end["params"]["value"]["message"], "2 of 2 files name an actor", "{end}");
    c.shutdown();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn no_progress_without_the_capability() {
    let dir = temp_dir("noprogress");
    std::fs::write(dir.join("a.txt"), "ISIS left.\n").unwrap();
    let mut c = start(json!({}), Some(std::slice::from_ref(&dir)));
    let uri = "file:///elsewhere.md";
    let text = "ISIS came.\n";
    c.open(uri, "markdown", text);
    // The index fills in the background; ask until it has the file.
    let a_uri = format!("file://{}", dir.join("a.txt").display());
    let mut found = false;
    for _ in 0..100 {
        let refs = c.request(
            "textDocument/references",
            json!({ "textDocument": { "uri": uri }, "position": at(text, "ISIS", 0), "context": { "includeDeclaration": true } }),
        );
        if refs.as_array().unwrap().iter().any(|l| l["uri"] == a_uri.as_str()) {
            found = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(found, "a.txt was indexed");
    assert!(
        !c.notifications.iter().any(|n| n["method"] == "window/workDoneProgress/create" || n["method"] == "$/progress"),
        "no progress for a client that did not ask for it"
    );
    c.shutdown();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn highlights_references_and_renames_land_on_the_names_in_either_encoding() {
    // Arabic and emoji before the names on their lines, and a long line (over the 512 bytes the
    // line index counts columns on from a line's start): positions in UTF-16 and UTF-8 differ.
    let long = "🙂 الرقة ".repeat(40);
    let text = format!(
        "الرقة 🙂 ISIS here.\n\n{long}ISIL and Daesh {long} the Islamic State\r\nand ISIS again.\n\n🙂 Daesh.\n"
    );
    for enc in ["utf-16", "utf-8"] {
        let mut c = Client::spawn();
        let init = c.initialize(&[enc]);
        assert_eq!(init["capabilities"]["positionEncoding"], enc);
        c.open("file:///e.md", "markdown", &text);
        let (line, character) = position_of(&text, "ISIL", 0, enc);
        let doc = json!({ "uri": "file:///e.md" });
        let at = json!({ "line": line, "character": character });
        let forms = |ranges: Vec<&Value>| -> Vec<&str> { ranges.into_iter().map(|r| covered(&text, r, enc)).collect() };
        let want = ["ISIS", "ISIL", "Daesh", "Islamic State", "ISIS", "Daesh"];
        let hl = c.request("textDocument/documentHighlight", json!({ "textDocument": doc, "position": at }));
        assert_eq!(forms(hl.as_array().unwrap().iter().map(|h| &h["range"]).collect()), want, "{enc}: highlights");
        let refs = c.request(
            "textDocument/references",
            json!({ "textDocument": doc, "position": at, "context": { "includeDeclaration": true } }),
        );
        assert_eq!(forms(refs.as_array().unwrap().iter().map(|l| &l["range"]).collect()), want, "{enc}: references");
        let renamed = c
            .request("textDocument/rename", json!({ "textDocument": doc, "position": at, "newName": "Islamic State" }));
        let edits = renamed["changes"]["file:///e.md"].as_array().unwrap_or_else(|| panic!("{enc}: {renamed}"));
        let replaced = forms(edits.iter().map(|e| &e["range"]).collect());
        assert!(replaced.len() >= 4 && replaced.iter().all(|f| want.contains(f)), "{enc}: rename edits {replaced:?}");
        c.shutdown();
    }
}
