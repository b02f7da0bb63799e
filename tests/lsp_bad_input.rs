//! Bad input over stdio: out-of-range positions, unknown documents, malformed JSON-RPC, unknown
//! methods, wrong parameter types and stale versions. Each is answered (an error or an empty
//! result, as LSP says) or ignored, and after each the server keeps serving: a hover still answers.
//!
//! What is not tested, by choice: a `Content-Length` that lies about the body. The header is the
//! only framing the base protocol has, so a wrong length legitimately desynchronises the stream (a
//! longer one makes the server wait for bytes that never come; a shorter one cuts a message). What a
//! robust server can survive, and is tested here, is a body that is not JSON, not JSON-RPC or not
//! UTF-8 inside a correct frame: the frame says where the next message starts.
//! (`tests/lsp_stdio.rs` already covers hovers past the end of a line or of the document, unknown
//! documents for hover, other languages, and a stale full-text change.)

mod common;

use std::time::Duration;

use common::{check_tokens, pos, strict_range, without_uri, Client};
use serde_json::{json, Value};

const OK: &str = "file:///ok.md";

/// A client with an initialized server and one open document, `OK`, that says "ISIL".
fn client(encoding: &str) -> Client {
    let mut c = Client::spawn();
    c.initialize(&[encoding]);
    c.open(OK, "markdown", "ISIL took the town.");
    c
}

/// The server still answers a hover with the right card.
fn assert_serving(c: &mut Client, after: &str) {
    let h = c.hover(OK, 0, 1);
    let card = h["contents"]["value"].as_str().unwrap_or_default();
    assert!(card.contains("### Islamic State"), "after {after}: hover answered {h}");
}

fn error_code(resp: &Value) -> Option<i64> {
    resp["error"]["code"].as_i64()
}

fn at(line: u64, character: u64) -> Value {
    pos(line, character)
}

#[test]
fn out_of_range_positions_clamp_in_every_request() {
    for enc in ["utf-16", "utf-8"] {
        let mut c = client(enc);
        let uri = "file:///range.md";
        let text = "🇸🇾 ISIS in منبج\r\nISIL\rDaesh 😀";
        c.open(uri, "markdown", text);
        let doc = json!({ "uri": uri });
        let max = u64::from(u32::MAX);
        // Inside the first emoji's surrogate pair (UTF-16) or its bytes (UTF-8); past every end.
        let spots = [at(0, 1), at(0, 3), at(1, 99), at(2, max), at(3, 0), at(max, max), at(max, 0)];
        for p in &spots {
            for method in ["textDocument/hover", "textDocument/documentHighlight"] {
                let r = c.request(method, json!({ "textDocument": doc, "position": p }));
                let ranges: Vec<&Value> = match r.as_array() {
                    Some(hl) => hl.iter().map(|h| &h["range"]).collect(),
                    None if r.is_null() => vec![],
                    None => vec![&r["range"]],
                };
                for range in ranges {
                    strict_range(text, range, enc).unwrap_or_else(|e| panic!("{enc} {method} at {p}: {e}"));
                }
            }
        }
        for (a, b) in [(at(0, 1), at(max, max)), (at(max, max), at(0, 0)), (at(2, 3), at(0, 2)), (at(9, 0), at(9, 9))] {
            let range = json!({ "start": a, "end": b });
            let r = c.request("textDocument/semanticTokens/range", json!({ "textDocument": doc, "range": range }));
            let data: Vec<u32> = r["data"].as_array().unwrap().iter().map(|x| x.as_u64().unwrap() as u32).collect();
            check_tokens(text, &data, enc).unwrap_or_else(|e| panic!("{enc} tokens in {range}: {e}"));
            let actions = c.request(
                "textDocument/codeAction",
                json!({ "textDocument": doc, "range": range, "context": { "diagnostics": [] } }),
            );
            common::check_code_actions(text, 1, &actions, enc)
                .unwrap_or_else(|e| panic!("{enc} actions in {range}: {e}"));
        }
        // Positions are unsigned: a negative one is not a position.
        let r = c.request_raw(
            "textDocument/hover",
            json!({ "textDocument": doc, "position": { "line": -1, "character": 0 } }),
        );
        assert_eq!(error_code(&r), Some(-32602), "{enc}: {r}");
        assert_serving(&mut c, "out-of-range positions");
        c.shutdown();
    }
}

#[test]
fn edits_past_the_end_clamp_to_the_end() {
    for enc in ["utf-16", "utf-8", "utf-32"] {
        let mut c = client(enc);
        let uri = "file:///clamp.md";
        let mut text = String::from("Menbej 😀\r\nISIL");
        c.open(uri, "markdown", &text);
        let max = u64::from(u32::MAX);
        let changes = vec![
            // Past the end of line 0: before its CRLF.
            json!({ "range": { "start": at(0, 99), "end": at(0, 999) }, "text": " and ISIS" }),
            // Past the last line: at the end of the text.
            json!({ "range": { "start": at(max, max), "end": at(7, 0) }, "text": " in Daesh" }),
            // Reversed, from inside the emoji (UTF-32 has no inside: its start) to the start of the text.
            json!({ "range": { "start": at(0, if enc == "utf-32" { 7 } else { 8 }), "end": at(0, 0) }, "text": "Manbij " }),
        ];
        for ch in &changes {
            common::apply_change(&mut text, ch, enc);
        }
        assert_eq!(text, "Manbij 😀 and ISIS\r\nISIL in Daesh", "{enc}: the model");
        c.change(uri, 2, changes);
        let got = c.diagnostics(uri, Some(2));
        c.open("file:///clamp-fresh.md", "markdown", &text);
        let want = c.diagnostics("file:///clamp-fresh.md", Some(1));
        assert_eq!(without_uri(&got), without_uri(&want), "{enc}");
        assert_eq!(c.semantic_tokens(uri), c.semantic_tokens("file:///clamp-fresh.md"), "{enc}");
        c.shutdown();
    }
}

#[test]
fn unknown_and_closed_documents_get_empty_answers() {
    let mut c = client("utf-16");
    c.open("file:///closed.md", "markdown", "ISIL");
    c.notify("textDocument/didClose", json!({ "textDocument": { "uri": "file:///closed.md" } }));
    // Closing clears the document's diagnostics.
    assert!(c.diagnostics("file:///closed.md", None).is_empty());
    for uri in ["file:///never-opened.md", "file:///closed.md", "untitled:Untitled-1", "not a uri at all"] {
        let doc = json!({ "uri": uri });
        let range = json!({ "start": at(0, 0), "end": at(1, 0) });
        for (method, params) in [
            ("textDocument/hover", json!({ "textDocument": doc, "position": at(0, 1) })),
            ("textDocument/documentHighlight", json!({ "textDocument": doc, "position": at(0, 1) })),
            ("textDocument/semanticTokens/full", json!({ "textDocument": doc })),
            ("textDocument/semanticTokens/range", json!({ "textDocument": doc, "range": range })),
            (
                "textDocument/codeAction",
                json!({ "textDocument": doc, "range": range, "context": { "diagnostics": [] } }),
            ),
        ] {
            let r = c.request_raw(method, params);
            let empty = r["result"].is_null() || r["result"].as_array().is_some_and(Vec::is_empty);
            assert!(r.get("error").is_some() || empty, "{method} on {uri}: {r}");
        }
        // Changes and closes for documents that are not open are ignored.
        c.change(uri, 5, vec![json!({ "text": "ISIS" })]);
        c.notify("textDocument/didClose", json!({ "textDocument": { "uri": uri } }));
    }
    assert!(c.hover("file:///closed.md", 0, 1).is_null(), "a change must not reopen a closed document");
    assert_serving(&mut c, "requests for unknown documents");
    c.shutdown();
}

#[test]
fn unknown_methods() {
    let mut c = client("utf-16");
    for method in ["frontline/unknown", "textDocument/notAThing"] {
        let r = c.request_raw(method, json!({}));
        assert_eq!(error_code(&r), Some(-32601), "request {method}: {r}");
    }
    // Notifications are never answered; unknown ones (with or without `$/`) are ignored.
    for method in ["frontline/unknown", "$/unknownNotification", "$/cancelRequest", "$/setTrace"] {
        c.notify(method, json!({ "id": 12345, "value": "off" }));
    }
    assert_serving(&mut c, "unknown methods");
    assert!(
        c.notifications.iter().all(|n| n.get("method").is_some()),
        "a notification was answered: {:?}",
        c.notifications
    );
    c.shutdown();
}

/// LSP: "If a server or client receives a request starting with '$/' it must error the request with
/// error code MethodNotFound". tower-lsp-server drops the error response of any `$/` method (meant
/// for notifications, it also hits requests), so the client waits forever.
#[test]
fn unknown_dollar_requests_are_method_not_found() {
    let mut c = client("utf-16");
    let id = c.send_request("$/unknownRequest", json!({}));
    let r = c.wait_response(id);
    assert_eq!(error_code(&r), Some(-32601), "{r}");
    assert_serving(&mut c, "a `$/` request");
    c.shutdown();
}

#[test]
fn wrong_parameter_types_are_invalid_params() {
    let mut c = client("utf-16");
    let doc = json!({ "uri": OK });
    for (method, params) in [
        ("textDocument/hover", json!({ "textDocument": doc, "position": { "line": "0", "character": 1 } })),
        ("textDocument/hover", json!({ "textDocument": doc })),
        ("textDocument/hover", Value::Null),
        ("textDocument/hover", json!([1, 2])),
        ("textDocument/documentHighlight", json!({ "textDocument": 7, "position": at(0, 0) })),
        ("textDocument/semanticTokens/full", json!({ "textDocument": { "uri": 42 } })),
        ("textDocument/semanticTokens/range", json!({ "textDocument": doc, "range": "all" })),
        ("textDocument/codeAction", json!({ "textDocument": doc, "range": { "start": at(0, 0) } })),
        ("textDocument/hover", json!({ "textDocument": doc, "position": { "line": 4294967296u64, "character": 0 } })),
    ] {
        let r = c.request_raw(method, params.clone());
        assert_eq!(error_code(&r), Some(-32602), "{method} {params}: {r}");
    }
    // Malformed notifications cannot be answered: they are dropped and change nothing.
    let v = |version: Value| json!({ "textDocument": { "uri": OK, "version": version }, "contentChanges": [{ "text": "Menbej" }] });
    c.notify("textDocument/didChange", v(json!("2")));
    c.notify("textDocument/didChange", v(json!(2147483648u64)));
    c.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": OK, "version": 3 }, "contentChanges": "Menbej" }),
    );
    c.notify("textDocument/didOpen", json!({ "textDocument": { "uri": "file:///half.md", "version": 1 } }));
    c.notify("textDocument/didClose", json!({ "textDocument": OK }));
    c.notify("workspace/didChangeConfiguration", json!({ "settings": { "frontline": { "style": 12, "prefer": [] } } }));
    assert_serving(&mut c, "wrong parameter types");
    assert!(c.hover("file:///half.md", 0, 0).is_null());
    c.shutdown();
}

#[test]
fn stale_incremental_changes_are_ignored_and_never_published() {
    let mut c = client("utf-16");
    let uri = "file:///stale.md";
    c.open(uri, "markdown", "ISIL and ISIS");
    c.diagnostics(uri, Some(1));
    let insert = |v: i64, t: &str| {
        json!({ "textDocument": { "uri": uri, "version": v },
                "contentChanges": [{ "range": { "start": at(0, 0), "end": at(0, 0) }, "text": t }] })
    };
    c.notify("textDocument/didChange", insert(5, "Daesh "));
    c.notify("textDocument/didChange", insert(5, "Menbej "));
    c.notify("textDocument/didChange", insert(4, "Manbij "));
    c.notify("textDocument/didChange", insert(-3, "SNC "));
    let got = c.diagnostics(uri, Some(5));
    c.open("file:///stale-fresh.md", "markdown", "Daesh ISIL and ISIS");
    let want = c.diagnostics("file:///stale-fresh.md", Some(1));
    assert_eq!(without_uri(&got), without_uri(&want));
    assert_serving(&mut c, "stale changes");
    let versions = c.published_versions(uri);
    assert_eq!(versions.last(), Some(&json!(5)), "published after the stale changes: {versions:?}");
    // Reopening a document replaces it, version and all.
    c.open(uri, "markdown", "Menbej");
    c.diagnostics(uri, Some(1));
    let h = c.hover(uri, 0, 1);
    assert!(h["contents"]["value"].as_str().unwrap().contains("### Manbij"), "{h}");
    c.shutdown();
}

#[test]
fn framing_variants_a_robust_server_must_read() {
    let mut c = client("utf-16");
    let hover = |id: i64| {
        serde_json::to_vec(&json!({ "jsonrpc": "2.0", "id": id, "method": "textDocument/hover",
            "params": { "textDocument": { "uri": OK }, "position": at(0, 1) } }))
        .unwrap()
    };
    // The optional Content-Type header, before or after the length.
    let body = hover(1001);
    let mut msg =
        format!("Content-Type: application/vscode-jsonrpc; charset=utf-8\r\nContent-Length: {}\r\n\r\n", body.len())
            .into_bytes();
    msg.extend_from_slice(&body);
    c.send_bytes(&msg);
    assert!(c.wait_response(1001)["result"].is_object());
    // Two messages in one write, then one message dribbled out a few bytes at a time.
    let (a, b) = (hover(1002), hover(1003));
    let mut both = format!("Content-Length: {}\r\n\r\n", a.len()).into_bytes();
    both.extend_from_slice(&a);
    both.extend_from_slice(format!("Content-Length: {}\r\n\r\n", b.len()).as_bytes());
    both.extend_from_slice(&b);
    c.send_bytes(&both);
    assert!(c.wait_response(1002)["result"].is_object());
    assert!(c.wait_response(1003)["result"].is_object());
    let d = hover(1004);
    let mut msg = format!("Content-Length: {}\r\n\r\n", d.len()).into_bytes();
    msg.extend_from_slice(&d);
    for chunk in msg.chunks(7) {
        c.send_bytes(chunk);
        std::thread::sleep(Duration::from_millis(1));
    }
    assert!(c.wait_response(1004)["result"].is_object());
    // A string id is answered with the same string.
    c.send(&json!({ "jsonrpc": "2.0", "id": "abc", "method": "textDocument/hover",
        "params": { "textDocument": { "uri": OK }, "position": at(0, 1) } }));
    let r = c.wait_response_to(&json!("abc"));
    assert!(r["result"].is_object(), "{r}");
    assert_serving(&mut c, "framing variants");
    c.shutdown();
}

/// Sends `body` in a correct frame, expects an error response with a null id and `code`, then a
/// working server.
fn survives_body(body: &[u8], code: i64) {
    let mut c = client("utf-16");
    c.send_raw(body);
    let r = c.null_id_response(Duration::from_secs(5));
    assert_eq!(r.as_ref().and_then(error_code), Some(code), "answer to {:?}: {r:?}", String::from_utf8_lossy(body));
    assert_serving(&mut c, &format!("the body {:?}", String::from_utf8_lossy(body)));
    c.shutdown();
}

#[test]
fn a_body_that_is_not_json_is_a_parse_error() {
    survives_body(b"{not json", -32700);
}

#[test]
fn a_body_that_is_not_utf8_is_a_parse_error() {
    survives_body(b"{\"jsonrpc\":\"2.0\",\"method\":\"x\xff\xfe\"}", -32700);
}

#[test]
fn json_that_is_not_json_rpc_is_an_invalid_request() {
    for body in [&b"{\"foo\":1}"[..], b"[]", b"42", b"{\"jsonrpc\":\"1.0\",\"id\":3,\"method\":\"shutdown\"}"] {
        survives_body(body, -32600);
    }
}

#[test]
fn a_frame_without_content_length_is_skipped() {
    let mut c = client("utf-16");
    c.send_bytes(b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{}");
    c.null_id_response(Duration::from_secs(5));
    assert_serving(&mut c, "a frame without Content-Length");
    c.shutdown();
}

#[test]
fn requests_before_initialize_and_after_shutdown() {
    let mut c = Client::spawn();
    let r = c.request_raw("textDocument/hover", json!({ "textDocument": { "uri": OK }, "position": at(0, 0) }));
    assert_eq!(error_code(&r), Some(-32002), "before initialize: {r}");
    c.initialize(&[]);
    c.open(OK, "markdown", "ISIL");
    assert_serving(&mut c, "a request before initialize");
    let r = c.request_raw("initialize", json!({ "capabilities": {} }));
    assert!(r.get("error").is_some(), "a second initialize must fail: {r}");
    assert!(c.request_raw("shutdown", Value::Null).get("error").is_none());
    let r = c.request_raw("textDocument/hover", json!({ "textDocument": { "uri": OK }, "position": at(0, 0) }));
    assert_eq!(error_code(&r), Some(-32600), "after shutdown: {r}");
    c.notify("exit", Value::Null);
    assert_eq!(c.wait_exit(Duration::from_secs(10)), Some(Some(0)), "exit after shutdown");
}

#[test]
fn exit_without_shutdown_is_an_error_exit() {
    let mut c = client("utf-16");
    c.notify("exit", Value::Null);
    // LSP: "exit with success code 0 if the shutdown request has been received before; otherwise
    // with error code 1".
    assert_eq!(c.wait_exit(Duration::from_secs(10)), Some(Some(1)));
}

#[test]
fn end_of_input_stops_the_server() {
    let mut c = client("utf-16");
    c.close_stdin();
    assert!(c.wait_exit(Duration::from_secs(10)).is_some(), "the server outlived its input");
}

#[test]
fn reopening_as_a_language_we_do_not_read_drops_the_document() {
    let mut c = client("utf-16");
    c.open(OK, "markdown", "ISIS and ISIL");
    assert!(!c.diagnostics(OK, Some(1)).is_empty());
    c.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": OK, "languageId": "rust", "version": 2, "text": "fn main() {}" } }),
    );
    // Its diagnostics are cleared and nothing is answered from the old text.
    c.wait_notification(|n| {
        n["method"] == "textDocument/publishDiagnostics"
            && n["params"]["uri"] == OK
            && n["params"]["diagnostics"].as_array().is_some_and(Vec::is_empty)
    });
    let r = c.request("textDocument/hover", json!({ "textDocument": { "uri": OK }, "position": at(0, 1) }));
    assert!(r.is_null(), "{r}");
    c.shutdown();
}
