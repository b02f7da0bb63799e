//! Incremental sync, black-box: after any sequence of `didChange` notifications, the server's
//! diagnostics and semantic tokens for the edited document equal those of a fresh `didOpen` of the
//! final text under another URI, in each negotiated position encoding.
//!
//! The client keeps its own model of the text (a `String`), applies every change to it with the
//! negotiated encoding's columns, and clamps positions past the end of a line or of the document, or
//! inside a character, by the rule `src/text/pos.rs` documents. Most ranges fall on valid
//! boundaries; some point past a line's end, past the last line, or into the middle of a character.
//! Along the way every range the server returns is checked to lie in the text, on character
//! boundaries of the negotiated encoding.
//!
//! One server per encoding serves every case (each case uses fresh URIs), so the file stays fast;
//! `FRONTLINE_SYNC_CASES` sets the number of cases per encoding (default 24).

mod common;

use std::cell::RefCell;

use common::{
    apply_change, check_code_actions, check_diagnostics, check_tokens, lines, pos, position, strict_range, width,
    without_uri, Client, PIECES,
};
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence, TestCaseError, TestRunner};
use serde_json::{json, Value};

/// How long to wait for diagnostics before nudging (the server answers in milliseconds).
const WAIT: std::time::Duration = std::time::Duration::from_millis(1500);

/// Where one end of an edit's range goes, resolved against the model text when the edit is sent.
#[derive(Debug, Clone)]
enum Spot {
    /// The `n`th valid position (a character boundary, never between `\r` and `\n`), modulo their number.
    Boundary(usize),
    /// `extra` units past the end of line `n` (modulo the number of lines).
    PastLineEnd(usize, u64),
    /// `extra` lines past the last line, at any column.
    PastDocEnd(u64, u64),
    /// Inside the `n`th character wider than one unit (a surrogate pair, a multi-byte sequence);
    /// a boundary when the text has none.
    InsideChar(usize),
}

#[derive(Debug, Clone)]
enum Change {
    /// Replace the text between two spots (in either order) with `text`.
    Range(Spot, Spot, String),
    /// Replace the whole text (a change without a range).
    Full(String),
}

#[derive(Debug, Clone)]
struct Notification {
    changes: Vec<Change>,
    /// Ask for semantic tokens, highlights and code actions right after this notification.
    probe: bool,
}

#[derive(Debug, Clone)]
struct Case {
    initial: String,
    notifications: Vec<Notification>,
}

fn text(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..max).prop_map(|v| v.concat())
}

fn spot() -> impl Strategy<Value = Spot> {
    prop_oneof![
        14 => any::<usize>().prop_map(Spot::Boundary),
        2 => (any::<usize>(), 1u64..40).prop_map(|(n, e)| Spot::PastLineEnd(n, e)),
        2 => (0u64..4, 0u64..60).prop_map(|(l, c)| Spot::PastDocEnd(l, c)),
        3 => any::<usize>().prop_map(Spot::InsideChar),
    ]
}

fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        20 => (spot(), spot(), text(4)).prop_map(|(a, b, t)| Change::Range(a, b, t)),
        1 => text(30).prop_map(Change::Full),
    ]
}

fn case() -> impl Strategy<Value = Case> {
    let notification = (prop::collection::vec(change(), 1..4), prop::bool::weighted(0.3))
        .prop_map(|(changes, probe)| Notification { changes, probe });
    (text(30), prop::collection::vec(notification, 1..10))
        .prop_map(|(initial, notifications)| Case { initial, notifications })
}

/// The LSP position of a spot in `text`.
fn resolve(text: &str, spot: &Spot, encoding: &str) -> Value {
    let boundaries = || {
        text.char_indices()
            .map(|(i, _)| i)
            .chain([text.len()])
            .filter(|&i| !(i > 0 && text.as_bytes()[i - 1] == b'\r' && text.as_bytes().get(i) == Some(&b'\n')))
    };
    let lines = lines(text);
    match *spot {
        Spot::Boundary(n) => {
            let all: Vec<usize> = boundaries().collect();
            let (l, c) = position(text, all[n % all.len()], encoding);
            pos(l.into(), c.into())
        }
        Spot::PastLineEnd(n, extra) => {
            let l = n % lines.len();
            let (s, e) = lines[l];
            let w: usize = text[s..e].chars().map(|c| width(c, encoding)).sum();
            pos(l as u64, w as u64 + extra)
        }
        Spot::PastDocEnd(extra, col) => pos(lines.len() as u64 + extra, col),
        Spot::InsideChar(n) => {
            let wide: Vec<(usize, char)> = text.char_indices().filter(|&(_, c)| width(c, encoding) > 1).collect();
            if wide.is_empty() {
                return resolve(text, &Spot::Boundary(n), encoding);
            }
            let (i, c) = wide[n % wide.len()];
            let (l, col) = position(text, i, encoding);
            let inside = 1 + (n / wide.len()) % (width(c, encoding) - 1);
            pos(l.into(), u64::from(col) + inside as u64)
        }
    }
}

/// The server under test for one encoding, and a counter for fresh URIs.
struct Harness {
    client: Client,
    encoding: &'static str,
    next: usize,
    /// Final versions whose diagnostics were never published (must stay 0; see `final_diagnostics`).
    skipped: usize,
}

fn fail(msg: String) -> TestCaseError {
    TestCaseError::fail(msg)
}

impl Harness {
    /// Checks the answers of semantic tokens, a highlight, a hover and code actions against the
    /// model text at `version` (the server answers for the text it holds when the request arrives).
    fn probe(&mut self, uri: &str, text: &str, version: i64, seed: usize) -> Result<(), TestCaseError> {
        let enc = self.encoding;
        let c = &mut self.client;
        let tokens = c.semantic_tokens(uri);
        check_tokens(text, &tokens, enc).map_err(|e| fail(format!("semantic tokens: {e}\ntext: {text:?}")))?;
        let at = resolve(text, &Spot::Boundary(seed), enc);
        let doc = json!({ "uri": uri });
        let hl = c.request("textDocument/documentHighlight", json!({ "textDocument": doc, "position": at }));
        for h in hl.as_array().into_iter().flatten() {
            strict_range(text, &h["range"], enc).map_err(|e| fail(format!("highlight: {e}\ntext: {text:?}")))?;
        }
        let hover = c.request("textDocument/hover", json!({ "textDocument": doc, "position": at }));
        if !hover.is_null() {
            strict_range(text, &hover["range"], enc).map_err(|e| fail(format!("hover: {e}\ntext: {text:?}")))?;
        }
        let whole = json!({ "start": pos(0, 0), "end": pos(u32::MAX.into(), 0) });
        let actions = c.request(
            "textDocument/codeAction",
            json!({ "textDocument": doc, "range": whole, "context": { "diagnostics": [] } }),
        );
        check_code_actions(text, version, &actions, enc).map_err(|e| fail(format!("code actions: {e}\ntext: {text:?}")))
    }

    /// The diagnostics of the last version, `version`, of the edited document.
    ///
    /// The last version must be published. Should it not be (a publisher bug fixed once, see
    /// `tests/lsp_ordering.rs`), this counts the skip, which fails the test at its end, and sends
    /// empty changes (the text stays the same) so that the sync properties are still checked.
    fn final_diagnostics(&mut self, uri: &str, mut version: i64) -> Result<Vec<Value>, TestCaseError> {
        for _ in 0..6 {
            if let Some(d) = self.client.diagnostics_within(uri, version, WAIT) {
                return Ok(d);
            }
            if !self.client.is_alive() {
                return Err(fail("the server died".into()));
            }
            self.skipped += 1;
            version += 1;
            self.client.change(uri, version, vec![]);
        }
        Err(fail(format!("no diagnostics for {uri} (published: {:?})", self.client.published_versions(uri))))
    }

    fn run(&mut self, case: &Case) -> Result<(), TestCaseError> {
        let enc = self.encoding;
        self.next += 1;
        let (edited, fresh) =
            (format!("file:///sync/{}.md", self.next), format!("file:///sync/{}-fresh.md", self.next));
        self.client.notifications.clear();
        self.client.open(&edited, "markdown", &case.initial);
        let mut model = case.initial.clone();
        let mut version = 1;
        for (k, n) in case.notifications.iter().enumerate() {
            let mut changes = Vec::new();
            for ch in &n.changes {
                let change = match ch {
                    Change::Full(t) => json!({ "text": t }),
                    Change::Range(a, b, t) => json!({
                        "range": { "start": resolve(&model, a, enc), "end": resolve(&model, b, enc) },
                        "text": t,
                    }),
                };
                // Each change applies to the text the previous one left.
                apply_change(&mut model, &change, enc);
                changes.push(change);
            }
            version += 1;
            self.client.change(&edited, version, changes);
            if n.probe {
                self.probe(&edited, &model, version, k * 7919)?;
            }
        }
        let got = self.final_diagnostics(&edited, version)?;
        check_diagnostics(&model, &got, enc).map_err(|e| fail(format!("edited: {e}\ntext: {model:?}")))?;
        self.client.open(&fresh, "markdown", &model);
        let want = self
            .client
            .diagnostics_within(&fresh, 1, WAIT)
            .ok_or_else(|| fail("no diagnostics for the fresh open".into()))?;
        prop_assert_eq!(without_uri(&got), without_uri(&want), "diagnostics differ; final text {:?}", model);
        let (got, want) = (self.client.semantic_tokens(&edited), self.client.semantic_tokens(&fresh));
        check_tokens(&model, &got, enc).map_err(|e| fail(format!("semantic tokens: {e}\ntext: {model:?}")))?;
        prop_assert_eq!(got, want, "semantic tokens differ; final text {:?}", model);
        for uri in [&edited, &fresh] {
            self.client.notify("textDocument/didClose", json!({ "textDocument": { "uri": uri } }));
        }
        Ok(())
    }
}

fn sync_in(encoding: &'static str) {
    let mut client = Client::spawn();
    let init = client.initialize(&[encoding]);
    assert_eq!(init["capabilities"]["positionEncoding"], encoding);
    let harness = RefCell::new(Harness { client, encoding, next: 0, skipped: 0 });
    let cases = std::env::var("FRONTLINE_SYNC_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(24);
    let config = Config {
        cases,
        max_shrink_iters: 300,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/lsp_sync.proptest-regressions"
        )))),
        ..Config::default()
    };
    let mut runner = TestRunner::new(config);
    let result = runner.run(&case(), |case| harness.borrow_mut().run(&case));
    if let Err(e) = result {
        panic!("{encoding}: {e}");
    }
    let harness = harness.into_inner();
    assert_eq!(harness.skipped, 0, "{encoding}: the server never published the final version of some documents");
    assert!(harness.client.shutdown().is_some(), "{encoding}: the server did not exit");
}

#[test]
fn incremental_edits_match_a_fresh_open_utf8() {
    sync_in("utf-8");
}

#[test]
fn incremental_edits_match_a_fresh_open_utf16() {
    sync_in("utf-16");
}

#[test]
fn incremental_edits_match_a_fresh_open_utf32() {
    sync_in("utf-32");
}

/// The model's clamping rule itself, on the cases `src/text/pos.rs` documents.
#[test]
fn the_model_clamps_like_the_documented_rule() {
    let t = "ab\r\ncd\rx😀y";
    for enc in ["utf-8", "utf-16", "utf-32"] {
        assert_eq!(common::clamped_offset(t, 0, 99, enc), 2);
        assert_eq!(common::clamped_offset(t, 1, 99, enc), 6);
        assert_eq!(common::clamped_offset(t, 7, 0, enc), t.len());
    }
    // Inside the emoji: the start of the emoji.
    assert_eq!(common::clamped_offset(t, 2, 2, "utf-16"), 8);
    assert_eq!(common::clamped_offset(t, 2, 3, "utf-8"), 8);
    assert_eq!(common::clamped_offset(t, 2, 2, "utf-32"), 12);
    let mut m = String::from(t);
    apply_change(&mut m, &json!({ "range": { "start": pos(2, 2), "end": pos(0, 99) }, "text": "-" }), "utf-16");
    assert_eq!(m, "ab-😀y");
}
