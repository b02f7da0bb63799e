//! A small LSP client that drives the real `frontline` binary over stdio.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

pub const TIMEOUT: Duration = Duration::from_secs(20);

pub struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    rx: Receiver<Value>,
    next_id: i64,
    /// Notifications and server requests received while waiting for responses.
    pub notifications: Vec<Value>,
}

pub fn seed(name_prefix: &str) -> String {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/seeds/articles");
    let entry = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_str().unwrap().starts_with(name_prefix))
        .unwrap();
    std::fs::read_to_string(entry).unwrap()
}

fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    let mut len = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Content-Length:") {
            len = v.trim().parse::<usize>().ok();
        }
    }
    let mut buf = vec![0; len?];
    reader.read_exact(&mut buf).ok()?;
    serde_json::from_slice(&buf).ok()
}

impl Client {
    pub fn spawn() -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_frontline"))
            .args(["lsp", "--stdio"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start frontline");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(msg) = read_message(&mut reader) {
                if tx.send(msg).is_err() {
                    break;
                }
            }
        });
        let stdin = child.stdin.take();
        Client { child, stdin, rx, next_id: 1, notifications: Vec::new() }
    }

    pub fn send(&mut self, msg: &Value) {
        self.send_raw(&serde_json::to_vec(msg).unwrap());
    }

    pub fn send_raw(&mut self, body: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        write!(stdin, "Content-Length: {}\r\n\r\n", body.len()).unwrap();
        stdin.write_all(body).unwrap();
        stdin.flush().unwrap();
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Sends a request and waits for its response (the whole response object).
    pub fn request_raw(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        self.wait_response(id)
    }

    /// Sends a request and returns its `result`, panicking on an error response.
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let resp = self.request_raw(method, params);
        assert!(resp.get("error").is_none(), "{method} failed: {resp}");
        resp["result"].clone()
    }

    pub fn wait_response(&mut self, id: i64) -> Value {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(msg) if msg.get("id") == Some(&json!(id)) && msg.get("method").is_none() => return msg,
                Ok(msg) => self.notifications.push(msg),
                Err(RecvTimeoutError::Timeout) => {
                    panic!("no response to request {id} within {TIMEOUT:?}")
                }
                Err(RecvTimeoutError::Disconnected) => {
                    panic!("server closed the connection before answering {id}")
                }
            }
        }
    }

    /// Waits until a notification satisfying `pred` arrives (or one already has).
    pub fn wait_notification(&mut self, pred: impl Fn(&Value) -> bool) -> Value {
        if let Some(n) = self.notifications.iter().find(|n| pred(n)) {
            return n.clone();
        }
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(msg) => {
                    let hit = pred(&msg);
                    self.notifications.push(msg.clone());
                    if hit {
                        return msg;
                    }
                }
                Err(e) => panic!("notification not received: {e:?}"),
            }
        }
    }

    /// initialize + initialized, offering the given position encodings.
    pub fn initialize(&mut self, encodings: &[&str]) -> Value {
        let mut caps = json!({ "textDocument": { "hover": { "contentFormat": ["markdown", "plaintext"] } } });
        if !encodings.is_empty() {
            caps["general"] = json!({ "positionEncodings": encodings });
        }
        let result = self.request("initialize", json!({ "processId": null, "rootUri": null, "capabilities": caps }));
        self.notify("initialized", json!({}));
        result
    }

    pub fn open(&mut self, uri: &str, language: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": language, "version": 1, "text": text } }),
        );
    }

    pub fn hover(&mut self, uri: &str, line: u32, character: u32) -> Value {
        self.request(
            "textDocument/hover",
            json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": character } }),
        )
    }

    /// shutdown + exit; returns how long the process took to exit after `exit`.
    pub fn shutdown(mut self) -> Option<Duration> {
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        self.stdin.take();
        let start = Instant::now();
        while start.elapsed() < TIMEOUT {
            if let Ok(Some(_)) = self.child.try_wait() {
                return Some(start.elapsed());
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = self.child.kill();
        None
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

/// The LSP position of byte offset `byte` in `text`, in the given encoding ("utf-8", "utf-16", "utf-32").
pub fn position(text: &str, byte: usize, encoding: &str) -> (u32, u32) {
    let mut line = 0;
    let mut line_start = 0;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < byte {
        match bytes[i] {
            b'\n' => {
                line += 1;
                line_start = i + 1;
            }
            b'\r' if bytes.get(i + 1) != Some(&b'\n') => {
                line += 1;
                line_start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    let prefix = &text[line_start..byte];
    let col = match encoding {
        "utf-8" => prefix.len(),
        "utf-32" => prefix.chars().count(),
        _ => prefix.encode_utf16().count(),
    };
    (line, col as u32)
}

/// The position of the `n`th (0-based) occurrence of `needle`, plus one unit, so the cursor is inside it.
pub fn position_of(text: &str, needle: &str, n: usize, encoding: &str) -> (u32, u32) {
    let byte = text.match_indices(needle).nth(n).unwrap_or_else(|| panic!("`{needle}` #{n} not in text")).0;
    let (l, c) = position(text, byte, encoding);
    (l, c + 1)
}

/// The byte offset of an LSP position in `text` (the test's own conversion, independent of the server's).
pub fn offset(text: &str, line: u32, character: u32, encoding: &str) -> usize {
    let mut starts = vec![0usize];
    let b = text.as_bytes();
    for i in 0..b.len() {
        if b[i] == b'\n' || (b[i] == b'\r' && b.get(i + 1) != Some(&b'\n')) {
            starts.push(i + 1);
        }
    }
    let start = starts[line as usize];
    let mut units = 0u32;
    for (i, c) in text[start..].char_indices() {
        if units >= character || c == '\n' || c == '\r' {
            return start + i;
        }
        units += match encoding {
            "utf-8" => c.len_utf8() as u32,
            "utf-32" => 1,
            _ => c.len_utf16() as u32,
        };
    }
    text.len()
}

/// Applies LSP text edits (non-overlapping, against the same text) and returns the new text.
pub fn apply_edits(text: &str, edits: &[Value], encoding: &str) -> String {
    let mut spans: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|e| {
            let r = &e["range"];
            let pos = |p: &Value| {
                offset(text, p["line"].as_u64().unwrap() as u32, p["character"].as_u64().unwrap() as u32, encoding)
            };
            (pos(&r["start"]), pos(&r["end"]), e["newText"].as_str().unwrap().to_string())
        })
        .collect();
    spans.sort_by_key(|s| std::cmp::Reverse(s.0));
    let mut out = text.to_string();
    for (a, b, t) in spans {
        out.replace_range(a..b, &t);
    }
    out
}

impl Client {
    /// Waits for `publishDiagnostics` for `uri` at `version` (or with no version when `None`).
    pub fn diagnostics(&mut self, uri: &str, version: Option<i64>) -> Vec<Value> {
        let n = self.wait_notification(|n| {
            n["method"] == "textDocument/publishDiagnostics"
                && n["params"]["uri"] == uri
                && match version {
                    Some(v) => n["params"]["version"] == v,
                    None => n["params"]["version"].is_null(),
                }
        });
        n["params"]["diagnostics"].as_array().cloned().unwrap_or_default()
    }
}

/// The codes of a list of diagnostics, in order.
pub fn codes(diags: &[Value]) -> Vec<String> {
    diags.iter().map(|d| d["code"].as_str().unwrap_or_default().to_string()).collect()
}
