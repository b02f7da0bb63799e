//! Stress: the real binary under a client that sends random valid and invalid traffic without
//! waiting — opens, closes and reopens several documents, edits them (sometimes past the end,
//! sometimes with stale versions), asks for hovers, highlights, semantic tokens, code actions,
//! completions, inlay hints and code lenses (sometimes out of range, for unknown documents, with
//! wrong parameters), calls unknown methods —
//! and checks as it goes that:
//!
//! - every request gets exactly one response, of the expected kind (a result, or the right error);
//! - every range in a response or a publication lies in the text the client had when it sent the
//!   request (or for the published version), on character boundaries of the negotiated encoding;
//! - code-action edits carry that version, and diagnostics for a URI are published in version order;
//!
//! and at the end that the server is alive, every request was answered, and the diagnostics and
//! tokens of every open document equal those of a fresh open of the client's text.
//!
//! The traffic is a function of a seed: `FRONTLINE_STRESS_SEED` (default fixed) replays a run;
//! `FRONTLINE_STRESS_SECS` (default 8, shared by the three encodings) runs longer.

mod common;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{
    apply_change, check_code_actions, check_diagnostics, check_tokens, lines, pos, random_position, seed,
    strict_offset, strict_range, without_uri, Client, Rng, PIECES,
};
use serde_json::{json, Value};

const SLOTS: usize = 4;
const LANGUAGES: [&str; 3] = ["markdown", "plaintext", "text"];

/// What a response must be.
#[derive(Debug)]
enum Expect {
    /// A result whose ranges lie in `text` (the document at `version` when the request was sent).
    Valid { method: &'static str, text: Arc<String>, version: i64 },
    /// A null or empty result, or an error (a request about a document that is not open).
    Empty,
    /// An error with this code.
    Error(i64),
}

#[derive(Debug, Clone)]
struct Doc {
    text: Arc<String>,
    version: i64,
}

struct Stress {
    c: Client,
    rng: Rng,
    enc: &'static str,
    docs: [Option<Doc>; SLOTS],
    /// The next version to use for each slot: versions only grow, across reopens too.
    next_version: [i64; SLOTS],
    /// The text of every version sent, per slot.
    texts: HashMap<(usize, i64), Arc<String>>,
    pending: HashMap<i64, (Expect, String)>,
    /// The last version published per slot, with its diagnostics.
    published: [Option<(i64, Vec<Value>)>; SLOTS],
    publications: usize,
    answered: usize,
    /// Also send frames whose body is not JSON or not JSON-RPC.
    malformed: bool,
    /// How many such frames were sent, and how many null-id errors answered them.
    malformed_sent: usize,
    malformed_answered: usize,
    /// Versions the server never published (a known bug; see `tests/lsp_ordering.rs`).
    skipped: usize,
}

fn uri(slot: usize) -> String {
    format!("file:///stress/doc{slot}.md")
}

fn slot_of(uri: &str) -> Option<usize> {
    (0..SLOTS).find(|&s| self::uri(s) == uri)
}

fn random_text(rng: &mut Rng, max: usize) -> String {
    if rng.chance(1, 8) {
        let s = seed(&format!("00{}", rng.below(5)));
        let cut = rng.below(s.len() + 1);
        let cut = (0..=cut).rev().find(|&i| s.is_char_boundary(i)).unwrap();
        return s[..cut].to_string();
    }
    (0..rng.below(max)).map(|_| *rng.pick(PIECES)).collect()
}

impl Stress {
    fn new(enc: &'static str, seed: u64) -> Stress {
        let mut c = Client::spawn();
        let init = c.initialize(&[enc]);
        assert_eq!(init["capabilities"]["positionEncoding"], enc);
        c.notify("workspace/didChangeConfiguration", json!({ "settings": { "frontline": { "inlayHints": true } } }));
        Stress {
            c,
            rng: Rng::new(seed),
            enc,
            docs: Default::default(),
            next_version: [1; SLOTS],
            texts: HashMap::new(),
            pending: HashMap::new(),
            published: Default::default(),
            publications: 0,
            answered: 0,
            skipped: 0,
            malformed: false,
            malformed_sent: 0,
            malformed_answered: 0,
        }
    }

    fn fail(&self, what: &str) -> ! {
        panic!("{}: {what}", self.enc)
    }

    /// A position: mostly valid, sometimes past a line's end, past the last line, or inside a character.
    fn position(&mut self, text: &str) -> Value {
        match self.rng.below(10) {
            0 => {
                let l = self.rng.below(lines(text).len());
                pos(l as u64, 200 + self.rng.below(50) as u64)
            }
            1 => pos(lines(text).len() as u64 + self.rng.below(3) as u64, self.rng.below(9) as u64),
            2 => {
                let mut p = random_position(&mut self.rng, text, self.enc);
                p["character"] = json!(p["character"].as_u64().unwrap() + 1);
                p
            }
            _ => random_position(&mut self.rng, text, self.enc),
        }
    }

    fn request(&mut self, method: &'static str, params: Value, expect: Expect) {
        let id = self.c.send_request(method, params.clone());
        self.pending.insert(id, (expect, format!("{method} {params}")));
    }

    fn open(&mut self, slot: usize) {
        let text = random_text(&mut self.rng, 40);
        let version = self.next_version[slot];
        self.next_version[slot] += 1;
        let language = *self.rng.pick(&LANGUAGES);
        self.c.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri(slot), "languageId": language, "version": version, "text": text } }),
        );
        let text = Arc::new(text);
        self.texts.insert((slot, version), text.clone());
        self.docs[slot] = Some(Doc { text, version });
    }

    fn close(&mut self, slot: usize) {
        self.c.notify("textDocument/didClose", json!({ "textDocument": { "uri": uri(slot) } }));
        self.docs[slot] = None;
    }

    fn edit(&mut self, slot: usize) {
        let Some(doc) = self.docs[slot].clone() else { return };
        if self.rng.chance(1, 25) {
            // A stale change: not newer than the version held, so ignored.
            let old = doc.version - self.rng.below(3) as i64;
            self.c.change(&uri(slot), old, vec![json!({ "text": "stale ISIS" })]);
            return;
        }
        let mut text = (*doc.text).clone();
        let mut changes = Vec::new();
        for _ in 0..1 + self.rng.below(3) {
            let change = if self.rng.chance(1, 30) {
                json!({ "text": random_text(&mut self.rng, 30) })
            } else {
                let start = self.position(&text);
                let end = if self.rng.chance(1, 2) { start.clone() } else { self.position(&text) };
                let insert = if text.len() > 6000 { String::new() } else { random_text(&mut self.rng, 4) };
                json!({ "range": { "start": start, "end": end }, "text": insert })
            };
            apply_change(&mut text, &change, self.enc);
            changes.push(change);
        }
        let version = self.next_version[slot];
        self.next_version[slot] += 1;
        self.c.change(&uri(slot), version, changes);
        let text = Arc::new(text);
        self.texts.insert((slot, version), text.clone());
        self.docs[slot] = Some(Doc { text, version });
    }

    fn ask(&mut self, slot: usize) {
        let u = uri(slot);
        let (expect, text) = match self.docs[slot].clone() {
            Some(d) => (Some(d.version), d.text),
            None => (None, Arc::new(String::new())),
        };
        let p = self.position(&text);
        let q = self.position(&text);
        let doc = json!({ "uri": u });
        let (method, params) = match self.rng.below(8) {
            0 => ("textDocument/hover", json!({ "textDocument": doc, "position": p })),
            1 => ("textDocument/documentHighlight", json!({ "textDocument": doc, "position": p })),
            2 => ("textDocument/semanticTokens/full", json!({ "textDocument": doc })),
            3 => {
                ("textDocument/semanticTokens/range", json!({ "textDocument": doc, "range": { "start": p, "end": q } }))
            }
            4 => ("textDocument/completion", json!({ "textDocument": doc, "position": p })),
            5 => ("textDocument/inlayHint", json!({ "textDocument": doc, "range": { "start": p, "end": q } })),
            6 => ("textDocument/codeLens", json!({ "textDocument": doc })),
            _ => (
                "textDocument/codeAction",
                json!({ "textDocument": doc, "range": { "start": p, "end": q }, "context": { "diagnostics": [] } }),
            ),
        };
        let e = match expect {
            Some(version) => Expect::Valid { method, text, version },
            None => Expect::Empty,
        };
        self.request(method, params, e);
    }

    /// Invalid traffic the server must answer with an error, or ignore.
    fn garbage(&mut self) {
        let doc = json!({ "uri": uri(self.rng.below(SLOTS)) });
        if self.malformed && self.rng.chance(1, 4) {
            const BODIES: [&[u8]; 4] = [b"{not json", b"[]", b"{\"id\":1}", b"\xff\xfe"];
            let body = *self.rng.pick(&BODIES);
            self.c.send_raw(body);
            self.malformed_sent += 1;
            return;
        }
        match self.rng.below(6) {
            0 => self.request("frontline/noSuchMethod", json!({ "x": 1 }), Expect::Error(-32601)),
            1 => self.request(
                "textDocument/hover",
                json!({ "textDocument": doc, "position": { "line": "one", "character": 0 } }),
                Expect::Error(-32602),
            ),
            2 => self.request("textDocument/codeAction", json!({ "textDocument": doc }), Expect::Error(-32602)),
            3 => self.c.notify("frontline/noSuchNotification", json!([1, 2, 3])),
            4 => self.c.notify("textDocument/didChange", json!({ "textDocument": doc, "contentChanges": 5 })),
            _ => self.request(
                "textDocument/hover",
                json!({ "textDocument": { "uri": "file:///stress/never.md" }, "position": pos(0, 0) }),
                Expect::Empty,
            ),
        }
    }

    /// Checks one message from the server.
    fn check(&mut self, msg: Value) {
        if msg["method"] == "textDocument/publishDiagnostics" {
            self.publications += 1;
            let p = &msg["params"];
            let u = p["uri"].as_str().unwrap_or_default();
            let slot = slot_of(u).unwrap_or_else(|| self.fail(&format!("diagnostics for an unknown URI: {msg}")));
            let diags = p["diagnostics"].as_array().cloned().unwrap_or_default();
            let Some(v) = p["version"].as_i64() else {
                if !diags.is_empty() {
                    self.fail(&format!("unversioned diagnostics that are not a clear: {msg}"));
                }
                return;
            };
            if let Some((prev, _)) = self.published[slot] {
                if v < prev {
                    self.fail(&format!("{u}: diagnostics for version {v} published after version {prev}"));
                }
            }
            let text =
                self.texts.get(&(slot, v)).unwrap_or_else(|| self.fail(&format!("{u}: version {v} was never sent")));
            if let Err(e) = check_diagnostics(text, &diags, self.enc) {
                self.fail(&format!("{u} version {v}: {e}"));
            }
            self.published[slot] = Some((v, diags));
            return;
        }
        if msg.get("method").is_some() {
            return; // window/logMessage and the like
        }
        if msg["id"].is_null() && matches!(msg["error"]["code"].as_i64(), Some(-32700 | -32600)) {
            self.malformed_answered += 1;
            if self.malformed_answered > self.malformed_sent {
                self.fail(&format!("a parse error for no malformed message: {msg}"));
            }
            return;
        }
        let Some(id) = msg["id"].as_i64() else { self.fail(&format!("a response without a numeric id: {msg}")) };
        let Some((expect, what)) = self.pending.remove(&id) else {
            self.fail(&format!("a response to no pending request (repeated?): {msg}"))
        };
        self.answered += 1;
        let err = msg["error"]["code"].as_i64();
        let r = &msg["result"];
        let checked = match expect {
            Expect::Error(code) if err == Some(code) => Ok(()),
            Expect::Error(code) => Err(format!("expected error {code}")),
            Expect::Empty if err.is_some() || r.is_null() || r.as_array().is_some_and(Vec::is_empty) => Ok(()),
            Expect::Empty => Err("expected an empty answer".into()),
            Expect::Valid { .. } if err.is_some() => Err("unexpected error".into()),
            Expect::Valid { method, text, version } => match method {
                "textDocument/hover" if r.is_null() => Ok(()),
                "textDocument/hover" => strict_range(&text, &r["range"], self.enc).map(drop),
                "textDocument/documentHighlight" => r
                    .as_array()
                    .into_iter()
                    .flatten()
                    .try_for_each(|h| strict_range(&text, &h["range"], self.enc).map(drop)),
                "textDocument/codeAction" => check_code_actions(&text, version, r, self.enc),
                "textDocument/completion" => r["items"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .try_for_each(|i| strict_range(&text, &i["textEdit"]["range"], self.enc).map(drop)),
                "textDocument/inlayHint" => r
                    .as_array()
                    .into_iter()
                    .flatten()
                    .try_for_each(|h| strict_offset(&text, &h["position"], self.enc).map(drop)),
                "textDocument/codeLens" => r.as_array().into_iter().flatten().try_for_each(|l| {
                    strict_range(&text, &l["range"], self.enc)?;
                    l["command"]["arguments"][1]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .try_for_each(|a| strict_range(&text, &a["range"], self.enc).map(drop))
                }),
                _ if r.is_null() => Ok(()), // a document in a language we do not read
                _ => {
                    let data: Vec<u32> =
                        r["data"].as_array().into_iter().flatten().map(|x| x.as_u64().unwrap_or(0) as u32).collect();
                    check_tokens(&text, &data, self.enc)
                }
            },
        };
        if let Err(e) = checked {
            self.fail(&format!("{e}\nrequest: {what}\nresponse: {msg}"));
        }
    }

    /// Reads what the server has sent, waiting at most `wait` for the first message.
    fn drain(&mut self, wait: Duration) {
        let mut wait = wait;
        while let Ok(msg) = self.c.recv(wait) {
            self.check(msg);
            wait = Duration::ZERO;
        }
        if !self.c.is_alive() {
            self.fail("the server died");
        }
    }

    fn step(&mut self) {
        let slot = self.rng.below(SLOTS);
        match self.rng.below(100) {
            0..=5 => {
                if self.docs[slot].is_some() && self.rng.chance(1, 2) {
                    self.close(slot);
                } else {
                    self.open(slot);
                }
            }
            6..=40 => self.edit(slot),
            41..=85 => self.ask(slot),
            _ => self.garbage(),
        }
        if self.pending.len() > 48 {
            self.wait_pending(8);
        } else {
            self.drain(Duration::ZERO);
        }
    }

    /// Reads until at most `left` requests are pending; fails after 20 s without progress.
    fn wait_pending(&mut self, left: usize) {
        let mut deadline = Instant::now() + Duration::from_secs(20);
        while self.pending.len() > left {
            let before = self.pending.len();
            match self.c.recv(deadline.saturating_duration_since(Instant::now())) {
                Ok(msg) => self.check(msg),
                Err(e) => {
                    let alive = self.c.is_alive();
                    let what: Vec<&String> = self.pending.values().map(|(_, w)| w).take(5).collect();
                    self.fail(&format!("{e:?}: {before} requests unanswered (alive: {alive}), e.g. {what:?}"))
                }
            }
            if self.pending.len() < before {
                deadline = Instant::now() + Duration::from_secs(20);
            }
        }
    }

    /// Waits until the current version of `slot` is published; should the server skip it (a
    /// skip fails the run at its end), sends empty changes until a newer version is. Returns its
    /// diagnostics.
    fn settle(&mut self, slot: usize) -> Vec<Value> {
        let u = uri(slot);
        for _ in 0..8 {
            // The blocking helpers used for the final checks (`diagnostics`, `semantic_tokens`)
            // keep what else arrives in `notifications`: check those too, or a publish received
            // while checking another document is lost (this once looked like a server bug).
            for msg in std::mem::take(&mut self.c.notifications) {
                // (Publishes for the fresh copies opened by those checks are theirs.)
                let fresh = msg["method"] == "textDocument/publishDiagnostics"
                    && slot_of(msg["params"]["uri"].as_str().unwrap_or_default()).is_none();
                if !fresh {
                    self.check(msg);
                }
            }
            let doc = self.docs[slot].clone().unwrap();
            let deadline = Instant::now() + Duration::from_secs(5);
            loop {
                if let Some((v, diags)) = &self.published[slot] {
                    if *v == doc.version {
                        return diags.clone();
                    }
                }
                if Instant::now() >= deadline {
                    break;
                }
                if let Ok(msg) = self.c.recv(Duration::from_millis(50)) {
                    self.check(msg);
                }
            }
            if !self.c.is_alive() {
                self.fail("the server died");
            }
            eprintln!(
                "NUDGE slot {slot} version {} published {:?}",
                doc.version,
                self.published[slot].as_ref().map(|p| p.0)
            );
            self.skipped += 1;
            let version = self.next_version[slot];
            self.next_version[slot] += 1;
            self.c.change(&u, version, vec![]);
            self.texts.insert((slot, version), doc.text.clone());
            self.docs[slot] = Some(Doc { text: doc.text, version });
        }
        self.fail(&format!("{u}: no diagnostics for its current version"));
    }

    /// The end: every request answered, the server alive, every open document's diagnostics and
    /// tokens equal to a fresh open of the client's text.
    fn finish(mut self) {
        self.wait_pending(0);
        for slot in 0..SLOTS {
            let Some(_) = &self.docs[slot] else { continue };
            // Only Markdown and plain text are read; reopen as Markdown for a like-for-like check.
            let got = self.settle(slot);
            let doc = self.docs[slot].clone().unwrap();
            let fresh = format!("file:///stress/fresh{slot}.md");
            self.c.open(&fresh, "markdown", &doc.text);
            let want = self.c.diagnostics(&fresh, Some(1));
            let (a, b) = (self.c.semantic_tokens(&uri(slot)), self.c.semantic_tokens(&fresh));
            let language_markdown = a == b && without_uri(&got) == without_uri(&want);
            // A document opened as plain text may legitimately differ from Markdown: compare with
            // a fresh open in its own language instead.
            if !language_markdown {
                let fresh_text = format!("file:///stress/fresh{slot}.txt");
                self.c.open(&fresh_text, "plaintext", &doc.text);
                let want_text = self.c.diagnostics(&fresh_text, Some(1));
                let c = self.c.semantic_tokens(&fresh_text);
                assert!(
                    a == c && without_uri(&got) == without_uri(&want_text),
                    "{}: doc{slot} (version {}) differs from a fresh open of its text {:?}",
                    self.enc,
                    doc.version,
                    doc.text
                );
            }
        }
        // Every request was answered exactly once (`check` fails on a repeated response); give
        // a late duplicate a moment to show up.
        self.drain(Duration::from_millis(200));
        assert!(self.c.is_alive(), "{}: the server died", self.enc);
        eprintln!(
            "{}: {} responses, {} publications, {} skipped version(s)",
            self.enc, self.answered, self.publications, self.skipped
        );
        assert_eq!(self.skipped, 0, "{}: a current version was not published", self.enc);
        assert!(self.c.shutdown().is_some(), "the server did not exit after shutdown and exit");
    }
}

fn run(secs: f64, seed: u64, malformed: bool) {
    let encodings = ["utf-16", "utf-8", "utf-32"];
    for (i, enc) in encodings.into_iter().enumerate() {
        let mut s = Stress::new(enc, seed.wrapping_add(i as u64));
        s.malformed = malformed;
        for slot in 0..SLOTS {
            s.open(slot);
        }
        let started = Instant::now();
        let mut steps = 0;
        while started.elapsed().as_secs_f64() < secs / encodings.len() as f64 {
            s.step();
            steps += 1;
        }
        eprintln!("{enc}: {steps} steps (seed {seed})");
        s.finish();
    }
}

fn settings() -> (f64, u64) {
    let seed = std::env::var("FRONTLINE_STRESS_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x5EED_F00D);
    let secs = std::env::var("FRONTLINE_STRESS_SECS").ok().and_then(|s| s.parse().ok()).unwrap_or(8.0);
    (secs, seed)
}

#[test]
fn random_traffic_keeps_every_invariant() {
    let (secs, seed) = settings();
    run(secs, seed, false);
}

/// The same traffic with frames whose body is not JSON, not JSON-RPC or not UTF-8 mixed in: each
/// must get a null-id error and the server must go on (see `tests/lsp_bad_input.rs`).
#[test]
fn random_traffic_with_malformed_frames_keeps_every_invariant() {
    let (secs, seed) = settings();
    run(secs, seed, true);
}
