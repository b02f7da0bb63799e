//! The real binary over stdio, as an editor drives it: initialize, open, edit, hover, tokens,
//! highlights, shutdown and exit.

mod common;

use common::{position, position_of, seed, Client};
use serde_json::{json, Value};

fn hover_text(h: &Value) -> String {
    h["contents"]["value"].as_str().unwrap_or_default().to_string()
}

/// The card's title line (a note about quoting or ambiguity may come before it).
fn card_title(h: &Value) -> String {
    hover_text(h).lines().find(|l| l.starts_with("### ")).unwrap_or_default().to_string()
}

#[test]
fn negotiates_position_encoding() {
    let mut c = Client::spawn();
    let r = c.initialize(&[]);
    assert_eq!(r["capabilities"]["positionEncoding"], "utf-16");
    assert_eq!(r["capabilities"]["textDocumentSync"]["change"], 2, "incremental sync");
    assert!(c.shutdown().is_some());

    let mut c = Client::spawn();
    let r = c.initialize(&["utf-16", "utf-8"]);
    assert_eq!(r["capabilities"]["positionEncoding"], "utf-8");
    c.shutdown();

    let mut c = Client::spawn();
    let r = c.initialize(&["utf-32"]);
    assert_eq!(r["capabilities"]["positionEncoding"], "utf-32");
    c.shutdown();
}

#[test]
fn hover_cards_on_the_seeds_in_every_encoding() {
    for enc in ["utf-16", "utf-8", "utf-32"] {
        let mut c = Client::spawn();
        c.initialize(&[enc]);
        let cases = [
            ("000", "ISIL", 1, "### Islamic State"),
            ("003", "Daesh", 0, "### Islamic State"),
            ("001", "al-Qa’ida", 0, "### al-Qaeda"),
            ("001", "Menbej", 0, "### Manbij"),
            ("003", "Tabka", 0, "### Tabqa"),
        ];
        for (i, (prefix, needle, n, title)) in cases.iter().enumerate() {
            let text = seed(prefix);
            let uri = format!("file:///seed{i}.txt");
            c.open(&uri, "plaintext", &text);
            let (l, col) = position_of(&text, needle, *n, enc);
            let h = c.hover(&uri, l, col);
            assert_eq!(card_title(&h), *title, "{enc} {needle}: {h}");
            // The hover range is the mention itself, in the negotiated encoding.
            let byte = text.match_indices(needle).nth(*n).unwrap().0;
            let (sl, sc) = position(&text, byte, enc);
            let (el, ec) = position(&text, byte + needle.len(), enc);
            assert_eq!(
                h["range"],
                json!({"start": {"line": sl, "character": sc}, "end": {"line": el, "character": ec}})
            );
        }
        let text = seed("000");
        let h =
            c.hover("file:///seed0.txt", position_of(&text, "ISIL", 1, enc).0, position_of(&text, "ISIL", 1, enc).1);
        let card = hover_text(&h);
        for expected in [
            "ISIS",
            "Daesh",
            "داعش",
            "**Affiliations**",
            "**In this document**",
            "**Sources**",
            "“ISIL” is an acronym (isil family)",
        ] {
            assert!(card.contains(expected), "{enc}: card lacks {expected}: {card}");
        }
        c.shutdown();
    }
}

#[test]
fn the_word_is_is_never_a_mention() {
    let mut c = Client::spawn();
    c.initialize(&[]);
    let text = "The town is held by IS. This is it.\nIS IS NOT HERE\n";
    c.open("file:///is.md", "markdown", text);
    for (needle, n, expect) in [("is", 0, false), ("IS", 0, true), ("is", 1, false), ("IS", 1, false), ("IS", 2, false)]
    {
        let (l, col) = position_of(text, needle, n, "utf-16");
        let h = c.hover("file:///is.md", l, col);
        assert_eq!(!h.is_null(), expect, "{needle} #{n}: {h}");
    }
    c.shutdown();
}

#[test]
fn incremental_edits_with_arabic_and_emoji_keep_positions_right() {
    for enc in ["utf-16", "utf-8"] {
        let mut c = Client::spawn();
        c.initialize(&[enc]);
        let uri = "file:///edit.md";
        let mut text = String::from("Fighters 🇸🇾 of ISIL took the town.\r\nقتال داعش في منبج\r\nThen Menbej fell.");
        c.open(uri, "markdown", &text);
        // Insert emoji and Arabic before the Arabic mention, in the middle of line 1.
        let at = text.find("داعش").unwrap();
        let (l, col) = position(&text, at, enc);
        let insert = "😀 الدولة ";
        c.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": 2 },
                    "contentChanges": [{ "range": { "start": { "line": l, "character": col }, "end": { "line": l, "character": col } }, "text": insert }] }),
        );
        text.insert_str(at, insert);
        // Replace "ISIL" with "Daesh" and delete the CRLF between lines 0 and 1 in one notification.
        let s = text.find("ISIL").unwrap();
        let (sl, sc) = position(&text, s, enc);
        let (el, ec) = position(&text, s + 4, enc);
        let mut after = text.clone();
        after.replace_range(s..s + 4, "Daesh");
        let crlf = after.find("\r\n").unwrap();
        let (cl, cc) = position(&after, crlf, enc);
        let (dl, dc) = position(&after, crlf + 2, enc);
        c.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": 3 },
                    "contentChanges": [
                        { "range": { "start": { "line": sl, "character": sc }, "end": { "line": el, "character": ec } }, "text": "Daesh" },
                        { "range": { "start": { "line": cl, "character": cc }, "end": { "line": dl, "character": dc } }, "text": " " }
                    ] }),
        );
        after.replace_range(crlf..crlf + 2, " ");
        let text = after;
        for (needle, title) in [
            ("Daesh", "### Islamic State"),
            ("داعش", "### Islamic State"),
            ("منبج", "### Manbij"),
            ("Menbej", "### Manbij"),
        ] {
            let (l, col) = position_of(&text, needle, 0, enc);
            let h = c.hover(uri, l, col);
            assert_eq!(card_title(&h), title, "{enc} {needle}: {h}");
            let byte = text.find(needle).unwrap();
            let (sl, sc) = position(&text, byte, enc);
            assert_eq!(h["range"]["start"], json!({"line": sl, "character": sc}), "{enc} {needle}");
        }
        c.shutdown();
    }
}

/// Decodes semantic tokens into (line, start, length, type index, modifiers).
fn decode(data: &[Value]) -> Vec<(u32, u32, u32, u32, u32)> {
    let mut out = Vec::new();
    let (mut line, mut col) = (0u32, 0u32);
    for t in data.chunks(5) {
        let v: Vec<u32> = t.iter().map(|x| x.as_u64().unwrap() as u32).collect();
        if v[0] > 0 {
            line += v[0];
            col = v[1];
        } else {
            col += v[1];
        }
        out.push((line, col, v[2], v[3], v[4]));
    }
    out
}

#[test]
fn semantic_tokens_cover_mentions_with_kinds_and_first_mentions() {
    let mut c = Client::spawn();
    let init = c.initialize(&[]);
    let legend = &init["capabilities"]["semanticTokensProvider"]["legend"];
    let types: Vec<String> =
        legend["tokenTypes"].as_array().unwrap().iter().map(|t| t.as_str().unwrap().to_string()).collect();
    let text = "🇸🇾 ISIS and Aleppo.\nThen ISIL in Aleppo and the Islamic\nState.";
    c.open("file:///t.md", "markdown", text);
    let full = c.request("textDocument/semanticTokens/full", json!({ "textDocument": { "uri": "file:///t.md" } }));
    let toks = decode(full["data"].as_array().unwrap());
    let lines: Vec<Vec<u16>> = text.split('\n').map(|l| l.encode_utf16().collect()).collect();
    let shown: Vec<(String, &str, u32)> = toks
        .iter()
        .map(|&(l, s, n, t, m)| {
            let word = String::from_utf16(&lines[l as usize][s as usize..(s + n) as usize]).unwrap();
            (word, types[t as usize].as_str(), m)
        })
        .collect();
    let expect: Vec<(String, &str, u32)> = vec![
        ("ISIS".into(), "armedGroup", 1),
        ("Aleppo".into(), "place", 1),
        ("ISIL".into(), "armedGroup", 0),
        ("Aleppo".into(), "place", 0),
        ("Islamic".into(), "armedGroup", 0),
        ("State".into(), "armedGroup", 0),
    ];
    assert_eq!(shown, expect);
    // A range request returns only the tokens inside it.
    let range = c.request(
        "textDocument/semanticTokens/range",
        json!({ "textDocument": { "uri": "file:///t.md" }, "range": { "start": { "line": 1, "character": 0 }, "end": { "line": 1, "character": 9 } } }),
    );
    let toks = decode(range["data"].as_array().unwrap());
    assert_eq!(toks, vec![(1, 5, 4, 0, 0)]);
    c.shutdown();
}

#[test]
fn document_highlight_marks_every_mention_of_the_actor() {
    let mut c = Client::spawn();
    c.initialize(&[]);
    let text = seed("000");
    c.open("file:///s.txt", "text", &text);
    let (l, col) = position_of(&text, "ISIL", 0, "utf-16");
    let hl = c.request(
        "textDocument/documentHighlight",
        json!({ "textDocument": { "uri": "file:///s.txt" }, "position": { "line": l, "character": col } }),
    );
    // Islamic State ×10, ISIS ×5, ISIL ×4, Islamic State of Iraq and the Levant ×1.
    assert_eq!(hl.as_array().unwrap().len(), 20);
    c.shutdown();
}

#[test]
fn unknown_documents_and_other_languages_get_empty_answers() {
    let mut c = Client::spawn();
    c.initialize(&[]);
    c.open("file:///x.rs", "rust", "fn isis() {}");
    assert!(c.hover("file:///x.rs", 0, 4).is_null());
    assert!(c.hover("file:///never-opened.md", 0, 0).is_null());
    // Out-of-range positions clamp instead of failing.
    c.open("file:///y.md", "markdown", "ISIL");
    assert_eq!(card_title(&c.hover("file:///y.md", 0, 99)), "### Islamic State");
    assert!(c.hover("file:///y.md", 99, 99)["contents"].is_object());
    c.shutdown();
}

#[test]
fn stale_changes_are_ignored() {
    let mut c = Client::spawn();
    c.initialize(&[]);
    c.open("file:///v.md", "markdown", "ISIL here");
    let change = |v: i32, t: &str| json!({ "textDocument": { "uri": "file:///v.md", "version": v }, "contentChanges": [{ "text": t }] });
    c.notify("textDocument/didChange", change(3, "xx ISIL"));
    c.notify("textDocument/didChange", change(2, "Menbej"));
    assert_eq!(card_title(&c.hover("file:///v.md", 0, 4)), "### Islamic State");
    c.shutdown();
}

#[test]
fn exits_promptly_after_exit() {
    let mut c = Client::spawn();
    c.initialize(&[]);
    // `shutdown` gives up (None) if the process is still alive after the client's timeout.
    c.shutdown().expect("the server did not exit after `exit`");
}
