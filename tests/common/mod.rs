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
    /// Answer requests from the server (such as `window/workDoneProgress/create`) with a null
    /// result as they arrive in `wait_response` and `wait_notification`; off by default.
    pub answer_requests: bool,
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
    let Some(len) = len else {
        return Some(json!({ "unreadable": "a message without Content-Length" }));
    };
    let mut buf = vec![0; len];
    reader.read_exact(&mut buf).ok()?;
    // A body that is not JSON is reported as a message of its own (a protocol violation the
    // tests can see), not taken for the end of the stream.
    Some(
        serde_json::from_slice(&buf)
            .unwrap_or_else(|e| json!({ "unreadable": format!("{e}"), "body": String::from_utf8_lossy(&buf) })),
    )
}

impl Client {
    pub fn spawn() -> Client {
        Client::spawn_with_env(&[])
    }

    /// Starts the server with extra environment variables.
    pub fn spawn_with_env(env: &[(&str, &str)]) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_frontline"))
            .args(["lsp", "--stdio"])
            .envs(env.iter().copied())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            // FRONTLINE_TEST_STDERR=1 shows the server's log (and any panic) in the test output.
            .stderr(if std::env::var_os("FRONTLINE_TEST_STDERR").is_some() { Stdio::inherit() } else { Stdio::null() })
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
        Client { child, stdin, rx, next_id: 1, notifications: Vec::new(), answer_requests: false }
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The server's resident memory in KB (`VmRSS` in `/proc/<pid>/status`).
    pub fn rss_kb(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
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
                Ok(msg) => {
                    self.answer(&msg);
                    self.notifications.push(msg)
                }
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
                    self.answer(&msg);
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

    /// Answers a request from the server with a null result, when `answer_requests` is set.
    fn answer(&mut self, msg: &Value) {
        if self.answer_requests && msg.get("method").is_some() {
            if let Some(id) = msg.get("id") {
                self.send(&json!({ "jsonrpc": "2.0", "id": id, "result": null }));
            }
        }
    }

    /// initialize (with these parameters) + initialized.
    pub fn initialize_with(&mut self, params: Value) -> Value {
        let result = self.request("initialize", params);
        self.notify("initialized", json!({}));
        result
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

// ---------------------------------------------------------------------------------------------
// Traffic without waiting, and a client-side model of the text (the reliability tests).
// ---------------------------------------------------------------------------------------------

impl Client {
    /// Sends a request without waiting for its response; returns its id.
    pub fn send_request(&mut self, method: &str, params: Value) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        id
    }

    /// The next message from the server, whatever it is, or why there is none. Messages read here
    /// are not added to `notifications`.
    pub fn recv(&mut self, timeout: Duration) -> Result<Value, RecvTimeoutError> {
        self.rx.recv_timeout(timeout)
    }

    /// Whether the server process is still running.
    pub fn is_alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Waits up to `timeout` for the server process to exit; its exit code, if it did.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<Option<i32>> {
        let start = Instant::now();
        while start.elapsed() < timeout {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status.code());
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        None
    }

    /// Sends `textDocument/didChange` with the given content changes.
    pub fn change(&mut self, uri: &str, version: i64, changes: Vec<Value>) {
        self.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": changes }),
        );
    }

    /// `textDocument/semanticTokens/full` data, as a flat list of numbers.
    pub fn semantic_tokens(&mut self, uri: &str) -> Vec<u32> {
        let r = self.request("textDocument/semanticTokens/full", json!({ "textDocument": { "uri": uri } }));
        r["data"].as_array().map(|d| d.iter().map(|x| x.as_u64().unwrap() as u32).collect()).unwrap_or_default()
    }
}

/// The width of `c` in a negotiated encoding ("utf-8", "utf-16", "utf-32").
pub fn width(c: char, encoding: &str) -> usize {
    match encoding {
        "utf-8" => c.len_utf8(),
        "utf-32" => 1,
        _ => c.len_utf16(),
    }
}

/// LSP lines of `text`: (start, end of content before the line break) byte offsets. Lines end at
/// `\n`, `\r\n` or a lone `\r`; the text after the last break is a line, even when empty.
pub fn lines(text: &str) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\n' => {
                out.push((start, i));
                start = i + 1;
            }
            b'\r' if b.get(i + 1) == Some(&b'\n') => {
                out.push((start, i));
                i += 1;
                start = i + 1;
            }
            b'\r' => {
                out.push((start, i));
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    out.push((start, b.len()));
    out
}

/// The byte offset the server must give an LSP position, written from the clamping rule of
/// `src/text/pos.rs` (not from its code): a line past the last line means the end of the text; a
/// column past the end of a line means the end of its content (before the line break); a column
/// inside a character (a surrogate pair in UTF-16, a multi-byte sequence in UTF-8) means the start
/// of that character.
pub fn clamped_offset(text: &str, line: u64, character: u64, encoding: &str) -> usize {
    let lines = lines(text);
    let Some(&(start, end)) = usize::try_from(line).ok().and_then(|l| lines.get(l)) else {
        return text.len();
    };
    let mut units = 0u64;
    for (i, c) in text[start..end].char_indices() {
        units += width(c, encoding) as u64;
        if units > character {
            return start + i;
        }
    }
    end
}

/// Applies one `didChange` content change to the client's model of the text, clamping its range
/// as the server must.
pub fn apply_change(text: &mut String, change: &Value, encoding: &str) {
    let Some(r) = change.get("range") else {
        *text = change["text"].as_str().unwrap().to_string();
        return;
    };
    let at = |p: &Value| clamped_offset(text, p["line"].as_u64().unwrap(), p["character"].as_u64().unwrap(), encoding);
    let (a, b) = (at(&r["start"]), at(&r["end"]));
    text.replace_range(a.min(b)..a.max(b), change["text"].as_str().unwrap());
}

/// An LSP position value.
pub fn pos(line: u64, character: u64) -> Value {
    json!({ "line": line, "character": character })
}

/// The byte offset of a position the server returned, or why it is not a valid position in `text`:
/// the line must exist, and the column must be at most the line's content width and fall on a
/// character boundary (never inside a surrogate pair or a multi-byte sequence).
pub fn strict_offset(text: &str, p: &Value, encoding: &str) -> Result<usize, String> {
    let (Some(line), Some(character)) = (p["line"].as_u64(), p["character"].as_u64()) else {
        return Err(format!("not a position: {p}"));
    };
    let lines = lines(text);
    let &(start, end) =
        lines.get(line as usize).ok_or_else(|| format!("{p}: line past the end ({} lines)", lines.len()))?;
    let mut units = 0u64;
    for (i, c) in text[start..end].char_indices() {
        if units == character {
            return Ok(start + i);
        }
        if units > character {
            return Err(format!("{p}: column inside a character of line {line}"));
        }
        units += width(c, encoding) as u64;
    }
    match units.cmp(&character) {
        std::cmp::Ordering::Equal => Ok(end),
        std::cmp::Ordering::Less => Err(format!("{p}: column past the end of line {line} ({units} units)")),
        std::cmp::Ordering::Greater => Err(format!("{p}: column inside the last character of line {line}")),
    }
}

/// The byte range of a range the server returned, or why it is not a valid, ordered range in `text`.
pub fn strict_range(text: &str, r: &Value, encoding: &str) -> Result<std::ops::Range<usize>, String> {
    let a = strict_offset(text, &r["start"], encoding)?;
    let b = strict_offset(text, &r["end"], encoding)?;
    if a > b {
        return Err(format!("{r}: start after end"));
    }
    Ok(a..b)
}

/// Decodes semantic tokens into absolute (line, start, length, type, modifiers).
pub fn decode_tokens(data: &[u32]) -> Vec<[u32; 5]> {
    let mut out = Vec::new();
    let (mut line, mut col) = (0u32, 0u32);
    for t in data.chunks(5) {
        if t[0] > 0 {
            line += t[0];
            col = t[1];
        } else {
            col += t[1];
        }
        out.push([line, col, t[2], t[3], t[4]]);
    }
    out
}

/// Checks semantic-token data against `text`: whole tokens of five numbers, each inside one line,
/// starting and ending on character boundaries, in order and not overlapping.
pub fn check_tokens(text: &str, data: &[u32], encoding: &str) -> Result<(), String> {
    if data.len() % 5 != 0 {
        return Err(format!("{} numbers is not a whole number of tokens", data.len()));
    }
    let mut prev_end: Option<(u32, u32)> = None;
    for [line, start, len, _, _] in decode_tokens(data) {
        let token = format!("token at {line}:{start} length {len}");
        strict_offset(text, &pos(line.into(), start.into()), encoding).map_err(|e| format!("{token}: {e}"))?;
        let end = u64::from(start) + u64::from(len);
        strict_offset(text, &pos(line.into(), end), encoding).map_err(|e| format!("{token}: end {e}"))?;
        if len == 0 {
            return Err(format!("{token}: empty"));
        }
        if let Some((pl, pe)) = prev_end {
            if pl == line && start < pe {
                return Err(format!("{token}: overlaps the previous token"));
            }
        }
        prev_end = Some((line, end as u32));
    }
    Ok(())
}

/// Checks every range of published diagnostics (and their related information) against `text`.
pub fn check_diagnostics(text: &str, diags: &[Value], encoding: &str) -> Result<(), String> {
    for d in diags {
        strict_range(text, &d["range"], encoding).map_err(|e| format!("diagnostic {}: {e}", d["code"]))?;
        for r in d["relatedInformation"].as_array().into_iter().flatten() {
            strict_range(text, &r["location"]["range"], encoding)
                .map_err(|e| format!("related information of {}: {e}", d["code"]))?;
        }
    }
    Ok(())
}

/// Checks a code-action response against `text` at `version`: every action's diagnostics and
/// edits lie in the text, the edits carry that version and do not overlap.
pub fn check_code_actions(text: &str, version: i64, actions: &Value, encoding: &str) -> Result<(), String> {
    for a in actions.as_array().into_iter().flatten() {
        let title = a["title"].as_str().unwrap_or_default();
        check_diagnostics(text, a["diagnostics"].as_array().map(Vec::as_slice).unwrap_or_default(), encoding)
            .map_err(|e| format!("action `{title}`: {e}"))?;
        for dc in a["edit"]["documentChanges"].as_array().into_iter().flatten() {
            if dc["textDocument"]["version"] != version {
                return Err(format!(
                    "action `{title}`: edit for version {}, text is {version}",
                    dc["textDocument"]["version"]
                ));
            }
            let mut spans = Vec::new();
            for e in dc["edits"].as_array().into_iter().flatten() {
                spans.push(strict_range(text, &e["range"], encoding).map_err(|e| format!("action `{title}`: {e}"))?);
            }
            spans.sort_by_key(|s| (s.start, s.end));
            if spans.windows(2).any(|w| w[1].start < w[0].end) {
                return Err(format!("action `{title}`: overlapping edits {spans:?}"));
            }
        }
    }
    Ok(())
}

/// Diagnostics with the document's URI in related information replaced, so the diagnostics of two
/// documents can be compared.
pub fn without_uri(diags: &[Value]) -> Vec<Value> {
    diags
        .iter()
        .map(|d| {
            let mut d = d.clone();
            if let Some(rel) = d.get_mut("relatedInformation").and_then(Value::as_array_mut) {
                for r in rel {
                    r["location"]["uri"] = json!("<doc>");
                }
            }
            d
        })
        .collect()
}

/// A tiny deterministic random-number generator (xorshift64*), for tests that must replay.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// True with probability `num / den`.
    pub fn chance(&mut self, num: usize, den: usize) -> bool {
        self.below(den) < num
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Pieces of text that exercise positions and the analysis: actor names in several spellings,
/// Arabic with combining marks, emoji outside the BMP, every kind of line break, quotations and
/// unattributed claims.
pub const PIECES: &[&str] = &[
    "ISIS",
    "ISIL",
    "Islamic State",
    "the Islamic\nState",
    "Daesh",
    "داعش",
    "دَاعِش",
    "وداعش",
    "منبج",
    "Menbej",
    "Manbij",
    "al-Qa’ida",
    "al-Qaeda",
    "SDF",
    "Syrian Democratic Forces",
    "SNC",
    "U.S.",
    "USA",
    "raqqa",
    " reportedly ",
    "killed 20 civilians",
    "activists said",
    "analysts agree",
    "“",
    "”",
    "\"",
    "also known as",
    " ",
    " ",
    " and ",
    ".",
    ", ",
    "\n",
    "\n\n",
    "\r\n",
    "\r",
    "😀",
    "🇸🇾",
    "👨‍👩‍👧",
    "e\u{301}",
    "\u{64e}\u{651}",
    "ب",
    "\u{200f}",
    "#",
    "> ",
    "`",
    "the",
    "said",
];

impl Client {
    /// Like [`Client::diagnostics`] with a version, but gives up after `timeout` and returns `None`.
    pub fn diagnostics_within(&mut self, uri: &str, version: i64, timeout: Duration) -> Option<Vec<Value>> {
        let hit = |n: &Value| {
            n["method"] == "textDocument/publishDiagnostics"
                && n["params"]["uri"] == uri
                && n["params"]["version"] == version
        };
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(n) = self.notifications.iter().find(|n| hit(n)) {
                return Some(n["params"]["diagnostics"].as_array().cloned().unwrap_or_default());
            }
            let left = deadline.checked_duration_since(Instant::now())?;
            let msg = self.rx.recv_timeout(left).ok()?;
            self.notifications.push(msg);
        }
    }

    /// The versions of every `publishDiagnostics` for `uri` received so far, in order.
    pub fn published_versions(&self, uri: &str) -> Vec<Value> {
        self.notifications
            .iter()
            .filter(|n| n["method"] == "textDocument/publishDiagnostics" && n["params"]["uri"] == uri)
            .map(|n| n["params"]["version"].clone())
            .collect()
    }
}

impl Client {
    /// Writes `bytes` to the server exactly as given (no header added).
    pub fn send_bytes(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        stdin.write_all(bytes).unwrap();
        stdin.flush().unwrap();
    }

    /// Closes the server's stdin (end of input).
    pub fn close_stdin(&mut self) {
        self.stdin.take();
    }

    /// Waits up to `timeout` for a response with a null id (the answer to a message whose id could
    /// not be read).
    pub fn null_id_response(&mut self, timeout: Duration) -> Option<Value> {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.checked_duration_since(Instant::now())?;
            let msg = self.rx.recv_timeout(left).ok()?;
            if msg.get("method").is_none() && msg.get("id") == Some(&Value::Null) {
                return Some(msg);
            }
            self.notifications.push(msg);
        }
    }
}

impl Client {
    /// Waits for the response whose id is `id` (any JSON id: a number or a string).
    pub fn wait_response_to(&mut self, id: &Value) -> Value {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(msg) if msg.get("id") == Some(id) && msg.get("method").is_none() => return msg,
                Ok(msg) => self.notifications.push(msg),
                Err(e) => panic!("no response to request {id}: {e:?}"),
            }
        }
    }
}

/// A random valid position in `text`: a character boundary, never between `\r` and `\n`.
pub fn random_position(rng: &mut Rng, text: &str, encoding: &str) -> Value {
    let mut at = rng.below(text.len() + 1);
    while !text.is_char_boundary(at)
        || (at > 0 && text.as_bytes()[at - 1] == b'\r' && text.as_bytes().get(at) == Some(&b'\n'))
    {
        at -= 1;
    }
    let (l, c) = position(text, at, encoding);
    pos(l.into(), c.into())
}

/// A fresh folder under the target directory for one test (named after the test binary, the
/// given name and the process), removed when dropped.
pub struct Folder(pub std::path::PathBuf);

impl Folder {
    pub fn new(name: &str) -> Folder {
        let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
            "{}-{name}-{}",
            env!("CARGO_CRATE_NAME"),
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Folder(dir)
    }

    /// Writes a file (and the folders it needs); returns its path.
    pub fn write(&self, rel: &str, text: &str) -> std::path::PathBuf {
        let p = self.0.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        p
    }

    /// The `file:` URI of a file in the folder.
    pub fn uri(&self, rel: &str) -> String {
        format!("file://{}", self.0.join(rel).display())
    }
}

impl Drop for Folder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
