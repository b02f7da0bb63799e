//! LSP-level latency benchmark: drives language servers over stdio the way an editor does and
//! measures what a writer feels — start-up, open → diagnostics, keystroke → diagnostics, hover —
//! plus the server's memory, for frontline and, in the same run, any other server.
//!
//! ```sh
//! cargo bench --bench lsp                                   # frontline, 10k/100k/1m
//! cargo bench --bench lsp -- --sizes 10k,100k,1m,10m \
//!     --server frontline --server "harper=/work/tools/harper/bin/harper-ls --stdio"
//! cargo bench --bench lsp -- --help                         # every option
//! ```
//!
//! Every server gets the same documents (the seed articles concatenated to each size, as
//! Markdown), the same edits and the same hover positions. Each size runs in a fresh server
//! process so its memory figures are its own. Results go to stdout as Markdown and to
//! `target/lsp-bench/results.json`; each server's stderr goes to `target/lsp-bench/logs/`.

// A `harness = false` bench reports on stdout, as criterion does; the crate denies this lint
// because the server's stdout is the protocol, which does not apply to this client.
#![allow(clippy::print_stdout)]

use std::fmt::Write as _;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};

const USAGE: &str = "\
usage: cargo bench --bench lsp -- [OPTIONS]

  --server SPEC     a server to measure; repeat to compare several in one run. SPEC is
                    `frontline` (the binary cargo built for this bench, `lsp --stdio`) or
                    `[LABEL=]PROGRAM ARG...`, split on white space (no quoting, no shell), e.g.
                    `harper=/work/tools/harper/bin/harper-ls --stdio`. Default: frontline.
                    The first server is the baseline of the printed ratios.
  --sizes LIST      document sizes, comma-separated: 10k, 100k, 1m, 10m (k = 1000 bytes,
                    m = 1000000 bytes) or a byte count. Default: 10k,100k,1m.
  --starts N        start-up runs per server (default 10)
  --edits N         single-character edits per size, as insert/delete pairs (default 100)
  --hovers N        hover requests per size (default 40)
  --timeout SECS    longest wait for one answer or one publish (default 30)
  --budget SECS     longest time for one series of edits or hovers; the series stops there
                    and the table says how many were done (default 30)
  --pace MS         send each edit at least MS milliseconds after the one before, as a writer
                    types (default 0: as soon as the one before is answered). A server that
                    idles between keystrokes finds its data gone cold; a paced series also
                    leaves more of the budget unused, so raise --budget with it
  --settings JSON   the settings object sent as initializationOptions and returned to
                    `workspace/configuration` (default: harper-ls maxFileLength 100000000 and
                    diagnosticDelayMs 0; frontline defaults)
  --max-rss MB      a watchdog kills a server whose RSS passes this (default 8000); the
                    table then says \"killed: RSS over … MB\"
  --quick           3 starts, 20 edits, 10 hovers; sizes 10k,100k unless --sizes is given
  --utf16           offer the servers UTF-16 positions only, as VS Code does (by default the
                    client offers UTF-8 and UTF-16, as Neovim does)
  --editor          after each edit's diagnostics, also ask what an editor asks after an edit,
                    each request answered before the next: semantic tokens (a delta from the
                    last ones), code actions and highlights at the edit, inlay hints for the 60
                    lines around it, document symbols and code lenses; each is timed on its own,
                    for the servers that advertise it (and the full semantic tokens once, after
                    the open)
  -h, --help        this text

Run without `--bench` (as `cargo test --benches` does) and without options, it makes one quick
smoke pass on 10k.";

/// The settings every server is given, keyed by server as editors do: harper-ls reads its
/// `harper-ls` object (from `workspace/configuration`), frontline its `frontline` object.
fn default_settings() -> Value {
    json!({
        "harper-ls": { "maxFileLength": 100_000_000, "diagnosticDelayMs": 0 },
        "frontline": {}
    })
}

/// Words the hover positions are placed on: actor names frontline knows, common in the seeds.
const HOVER_NAMES: [&str; 3] = ["Islamic State", "Assad", "Hezbollah"];

// ---------------------------------------------------------------------------------------------
// Options

#[derive(Clone, Debug)]
struct ServerSpec {
    label: String,
    program: String,
    args: Vec<String>,
}

impl ServerSpec {
    fn frontline() -> ServerSpec {
        ServerSpec {
            label: "frontline".into(),
            program: env!("CARGO_BIN_EXE_frontline").into(),
            args: vec!["lsp".into(), "--stdio".into()],
        }
    }

    fn parse(spec: &str) -> Result<ServerSpec, String> {
        let spec = spec.trim();
        if spec == "frontline" {
            return Ok(ServerSpec::frontline());
        }
        let is_label = |l: &str| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
        let (label, command) = match spec.split_once('=') {
            Some((l, rest)) if is_label(l) => (Some(l.to_string()), rest),
            _ => (None, spec),
        };
        let mut words = command.split_whitespace().map(String::from);
        let program = words.next().ok_or_else(|| format!("--server `{spec}`: no command"))?;
        let label = label.unwrap_or_else(|| {
            Path::new(&program).file_name().map_or(program.clone(), |f| f.to_string_lossy().into_owned())
        });
        Ok(ServerSpec { label, program, args: words.collect() })
    }

    fn command_line(&self) -> String {
        std::iter::once(self.program.as_str()).chain(self.args.iter().map(String::as_str)).collect::<Vec<_>>().join(" ")
    }
}

#[derive(Debug)]
struct Opts {
    servers: Vec<ServerSpec>,
    sizes: Vec<(String, usize)>,
    starts: usize,
    edits: usize,
    hovers: usize,
    timeout: Duration,
    budget: Duration,
    /// The least time between the starts of two edits.
    pace: Duration,
    settings: Value,
    max_rss_mb: u64,
    /// The position encodings the client offers.
    encodings: Vec<&'static str>,
    /// Whether each edit is followed by the requests an editor sends ([`EDITOR_REQUESTS`]).
    editor: bool,
}

fn parse_size(s: &str) -> Result<(String, usize), String> {
    let t = s.trim().to_ascii_lowercase();
    let (num, mult) = match t.strip_suffix('k') {
        Some(n) => (n, 1_000),
        None => match t.strip_suffix('m') {
            Some(n) => (n, 1_000_000),
            None => (t.as_str(), 1),
        },
    };
    let n: usize = num.parse().map_err(|_| format!("bad size `{s}` (try 10k, 1m or a byte count)"))?;
    if n == 0 {
        return Err(format!("size `{s}` is empty"));
    }
    Ok((t.clone(), n * mult))
}

/// Parses the command line; `Ok(None)` means "nothing to do" (help printed, or filtered out).
fn parse_args(raw: &[String]) -> Result<Option<Opts>, String> {
    let mut servers = Vec::new();
    let mut sizes = None;
    let (mut starts, mut edits, mut hovers) = (None, None, None);
    let mut timeout = Duration::from_secs(30);
    let mut budget = Duration::from_secs(30);
    let mut pace = Duration::ZERO;
    let mut settings = default_settings();
    let mut quick = false;
    let mut utf16 = false;
    let mut editor = false;
    let mut max_rss_mb = 8000;
    let mut bench_mode = false;
    let mut filters = Vec::new();
    let mut it = raw.iter();
    let value = |it: &mut std::slice::Iter<String>, flag: &str| {
        it.next().cloned().ok_or_else(|| format!("{flag} needs a value"))
    };
    let number = |v: String, flag: &str| v.parse::<usize>().map_err(|_| format!("{flag}: `{v}` is not a number"));
    let seconds = |v: String, flag: &str| {
        v.parse::<f64>()
            .ok()
            .filter(|s| *s > 0.0)
            .map(Duration::from_secs_f64)
            .ok_or_else(|| format!("{flag}: `{v}` is not a positive number of seconds"))
    };
    while let Some(a) = it.next() {
        match a.as_str() {
            "--bench" => bench_mode = true,
            "--server" => servers.push(ServerSpec::parse(&value(&mut it, a)?)?),
            "--sizes" => sizes = Some(value(&mut it, a)?.split(',').map(parse_size).collect::<Result<Vec<_>, _>>()?),
            "--starts" => starts = Some(number(value(&mut it, a)?, a)?),
            "--edits" => edits = Some(number(value(&mut it, a)?, a)?),
            "--hovers" => hovers = Some(number(value(&mut it, a)?, a)?),
            "--timeout" => timeout = seconds(value(&mut it, a)?, a)?,
            "--budget" => budget = seconds(value(&mut it, a)?, a)?,
            "--pace" => pace = Duration::from_millis(number(value(&mut it, a)?, a)? as u64),
            "--settings" => {
                settings = serde_json::from_str(&value(&mut it, a)?).map_err(|e| format!("--settings: {e}"))?
            }
            "--max-rss" => max_rss_mb = number(value(&mut it, a)?, a)? as u64,
            "--quick" => quick = true,
            "--utf16" => utf16 = true,
            "--editor" => editor = true,
            "-h" | "--help" => {
                eprintln!("{USAGE}");
                return Ok(None);
            }
            s if s.starts_with('-') => return Err(format!("unknown option `{s}`\n\n{USAGE}")),
            // `cargo bench NAME` passes NAME to every bench binary as a filter.
            s => filters.push(s.to_string()),
        }
    }
    if !filters.is_empty() && !filters.iter().any(|f| "lsp".contains(f.as_str())) {
        eprintln!("lsp bench: skipped (filter {filters:?})");
        return Ok(None);
    }
    let smoke = !bench_mode && raw.is_empty();
    if servers.is_empty() {
        servers.push(ServerSpec::frontline());
    }
    let (def_sizes, def_starts, def_edits, def_hovers) = if smoke {
        ("10k", 2, 4, 4)
    } else if quick {
        ("10k,100k", 3, 20, 10)
    } else {
        ("10k,100k,1m", 10, 100, 40)
    };
    let sizes = match sizes {
        Some(s) => s,
        None => def_sizes.split(',').map(parse_size).collect::<Result<Vec<_>, _>>()?,
    };
    Ok(Some(Opts {
        servers,
        sizes,
        starts: starts.unwrap_or(def_starts),
        // Edits come in insert/delete pairs so the text is back to the original after each pair.
        edits: edits.unwrap_or(def_edits).div_ceil(2) * 2,
        hovers: hovers.unwrap_or(def_hovers),
        timeout,
        budget,
        pace,
        settings,
        max_rss_mb,
        encodings: if utf16 { vec!["utf-16"] } else { vec!["utf-8", "utf-16"] },
        editor,
    }))
}

// ---------------------------------------------------------------------------------------------
// The documents

/// The seed articles concatenated (blank line between) until `size` bytes, cut at a line end.
fn corpus(size: usize) -> String {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/seeds/articles");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("seeds/articles is readable")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    paths.sort();
    let seeds: Vec<String> =
        paths.iter().map(|p| std::fs::read_to_string(p).expect("seed articles are UTF-8 text")).collect();
    assert!(!seeds.is_empty(), "no seed articles in {dir}");
    let mut s = String::with_capacity(size + 16_384);
    'fill: loop {
        for t in &seeds {
            if s.len() >= size {
                break 'fill;
            }
            s.push_str(t.trim_end());
            s.push_str("\n\n");
        }
    }
    let mut cut = size.min(s.len());
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    if let Some(nl) = s[..cut].rfind('\n').filter(|&nl| nl > cut / 2) {
        cut = nl + 1;
    }
    s.truncate(cut);
    s
}

/// Line starts of a text, for LSP positions. Lines end at `\n`, `\r\n` or `\r`.
struct Lines {
    starts: Vec<usize>,
}

impl Lines {
    fn new(text: &str) -> Lines {
        let b = text.as_bytes();
        let mut starts = vec![0];
        for i in 0..b.len() {
            if b[i] == b'\n' || (b[i] == b'\r' && b.get(i + 1) != Some(&b'\n')) {
                starts.push(i + 1);
            }
        }
        Lines { starts }
    }

    /// The LSP position of byte `byte` (a char boundary) in the given position encoding.
    fn position(&self, text: &str, byte: usize, encoding: &str) -> Value {
        let line = self.starts.partition_point(|&s| s <= byte) - 1;
        let prefix = &text[self.starts[line]..byte];
        let character = match encoding {
            "utf-8" => prefix.len(),
            "utf-32" => prefix.chars().count(),
            _ => prefix.encode_utf16().count(),
        };
        json!({ "line": line, "character": character })
    }
}

/// `n` byte offsets spread through the text, each just after a space (the start of a word), so
/// an inserted letter is typing at a word start and never splits a character.
fn edit_offsets(text: &str, n: usize) -> Vec<usize> {
    let b = text.as_bytes();
    (0..n)
        .map(|i| {
            let target = (2 * i + 1) * b.len() / (2 * n);
            match b[target..].iter().position(|&c| c == b' ') {
                Some(p) => target + p + 1,
                None => b.iter().rposition(|&c| c == b' ').map_or(0, |p| p + 1),
            }
        })
        .collect()
}

/// `n` offsets one byte inside an actor name (see [`HOVER_NAMES`]), spread through the text.
fn hover_offsets(text: &str, n: usize) -> Vec<usize> {
    let mut all: Vec<usize> =
        HOVER_NAMES.iter().flat_map(|name| text.match_indices(name).map(|(i, _)| i + 1)).collect();
    all.sort_unstable();
    if all.is_empty() || n == 0 {
        return Vec::new();
    }
    (0..n).map(|i| all[(2 * i + 1) * all.len() / (2 * n)]).collect()
}

// ---------------------------------------------------------------------------------------------
// The client

/// A message from the server and when its last byte was read (before JSON parsing).
struct Incoming {
    msg: Value,
    at: Instant,
    bytes: usize,
}

enum Wait<T> {
    Got(T),
    Timeout,
    Closed,
}

/// One running server, spoken to over stdio. A writer thread sends; a reader thread reads,
/// timestamps, and answers the server's own requests at once (configuration, registrations,
/// progress), so a server that asks mid-edit is never kept waiting by the measuring thread.
struct Conn {
    child: Child,
    out: Sender<Vec<u8>>,
    rx: Receiver<Incoming>,
    next_id: i64,
    watch: Arc<Watch>,
}

/// The memory watchdog's state: it samples the server's RSS every 50 ms and kills the server
/// (by its pid, with SIGKILL) above the cap, so a runaway server cannot take a shared machine down.
#[derive(Default)]
struct Watch {
    stop: AtomicBool,
    killed: AtomicBool,
    max_rss_kb: AtomicU64,
}

fn rss_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

fn watchdog(pid: u32, cap_kb: u64, watch: Arc<Watch>) {
    while !watch.stop.load(Ordering::Relaxed) {
        let Some(kb) = rss_kb(pid) else { return };
        watch.max_rss_kb.fetch_max(kb, Ordering::Relaxed);
        if kb > cap_kb {
            watch.killed.store(true, Ordering::Relaxed);
            let _ = Command::new("kill").args(["-KILL", &pid.to_string()]).status();
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn read_message(reader: &mut impl BufRead) -> io::Result<Option<(Vec<u8>, Instant)>> {
    let mut len = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(None);
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, v)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                len = v.trim().parse::<usize>().ok();
            }
        }
    }
    let len = len.ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "message without Content-Length"))?;
    let mut body = vec![0; len];
    reader.read_exact(&mut body)?;
    Ok(Some((body, Instant::now())))
}

/// The client's answer to a request from the server: a result, or an error code and message.
fn answer(method: &str, params: &Value, settings: &Value, root_uri: &str) -> Result<Value, (i64, String)> {
    match method {
        "workspace/configuration" => {
            let items = params["items"].as_array().cloned().unwrap_or_default();
            Ok(Value::Array(
                items
                    .iter()
                    .map(|item| match item["section"].as_str() {
                        None | Some("") => settings.clone(),
                        Some(section) => section.split('.').fold(settings, |v, key| &v[key]).clone(),
                    })
                    .collect(),
            ))
        }
        "client/registerCapability"
        | "client/unregisterCapability"
        | "window/workDoneProgress/create"
        | "window/showMessageRequest"
        | "workspace/semanticTokens/refresh"
        | "workspace/diagnostic/refresh"
        | "workspace/inlayHint/refresh"
        | "workspace/codeLens/refresh" => Ok(Value::Null),
        "workspace/workspaceFolders" => Ok(json!([{ "uri": root_uri, "name": "lsp-bench" }])),
        "workspace/applyEdit" => Ok(json!({ "applied": false, "failureReason": "the benchmark client edits nothing" })),
        _ => Err((-32601, format!("the benchmark client does not handle {method}"))),
    }
}

fn encode(v: &Value) -> Vec<u8> {
    serde_json::to_vec(v).expect("JSON values serialise")
}

impl Conn {
    fn spawn(spec: &ServerSpec, opts: &Opts, root_uri: String, log: &Path) -> io::Result<Conn> {
        let settings = Arc::new(opts.settings.clone());
        let mut child = Command::new(&spec.program)
            .args(&spec.args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(File::create(log)?))
            .spawn()?;
        let (mut stdin, stdout) = match (child.stdin.take(), child.stdout.take()) {
            (Some(i), Some(o)) => (i, o),
            _ => return Err(io::Error::other("the server's stdio pipes are missing")),
        };
        let (out, out_rx) = channel::<Vec<u8>>();
        std::thread::spawn(move || {
            for body in out_rx {
                let sent = write!(stdin, "Content-Length: {}\r\n\r\n", body.len())
                    .and_then(|()| stdin.write_all(&body))
                    .and_then(|()| stdin.flush());
                if sent.is_err() {
                    break;
                }
            }
        });
        let (tx, rx) = channel();
        let replies = out.clone();
        std::thread::spawn(move || {
            let mut reader = BufReader::with_capacity(1 << 16, stdout);
            while let Ok(Some((body, at))) = read_message(&mut reader) {
                let Ok(msg) = serde_json::from_slice::<Value>(&body) else {
                    eprintln!("lsp bench: a message from the server is not JSON; skipped");
                    continue;
                };
                if let (Some(id), Some(method)) = (msg.get("id"), msg["method"].as_str()) {
                    let reply = match answer(method, &msg["params"], &settings, &root_uri) {
                        Ok(result) => json!({ "jsonrpc": "2.0", "id": id, "result": result }),
                        Err((code, message)) => {
                            json!({ "jsonrpc": "2.0", "id": id, "error": { "code": code, "message": message } })
                        }
                    };
                    let _ = replies.send(encode(&reply));
                }
                if tx.send(Incoming { msg, at, bytes: body.len() }).is_err() {
                    break;
                }
            }
        });
        let watch = Arc::new(Watch::default());
        let (pid, cap_kb, w) = (child.id(), opts.max_rss_mb * 1024, watch.clone());
        std::thread::spawn(move || watchdog(pid, cap_kb, w));
        Ok(Conn { child, out, rx, next_id: 1, watch })
    }

    /// The server's processor time so far, in seconds (`None` once it has exited).
    fn cpu_seconds(&self) -> Option<f64> {
        cpu_seconds(self.child.id())
    }

    /// `VmRSS` and `VmHWM` in MB; after the server died, the watchdog's highest RSS for both.
    fn memory_mb(&self) -> (Option<f64>, Option<f64>) {
        match memory_mb(self.child.id()) {
            (None, None) => {
                let max = self.watch.max_rss_kb.load(Ordering::Relaxed) as f64 / 1024.0;
                (None, (max > 0.0).then_some(max))
            }
            m => m,
        }
    }

    /// Why the connection closed: the watchdog's kill, or the server's own exit.
    fn gone(&self, opts: &Opts) -> String {
        if self.watch.killed.load(Ordering::Relaxed) {
            format!("killed: RSS over {} MB", opts.max_rss_mb)
        } else {
            "server exited".into()
        }
    }

    /// Queues an encoded message; returns the instant just before it was handed to the writer.
    fn send_bytes(&self, body: Vec<u8>) -> Instant {
        let t = Instant::now();
        let _ = self.out.send(body);
        t
    }

    fn notify(&self, method: &str, params: Value) -> Instant {
        self.send_bytes(encode(&json!({ "jsonrpc": "2.0", "method": method, "params": params })))
    }

    fn request(&mut self, method: &str, params: Value) -> (i64, Instant) {
        let id = self.next_id;
        self.next_id += 1;
        (id, self.send_bytes(encode(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }))))
    }

    /// Drops the messages that have arrived so far.
    fn drain(&self) {
        while self.rx.try_recv().is_ok() {}
    }

    /// Waits until `pick` accepts a message, or the deadline passes, or the server goes away.
    fn wait<T>(&self, deadline: Instant, mut pick: impl FnMut(&Incoming) -> Option<T>) -> Wait<T> {
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(inc) => {
                    if let Some(t) = pick(&inc) {
                        return Wait::Got(t);
                    }
                }
                Err(RecvTimeoutError::Timeout) => return Wait::Timeout,
                Err(RecvTimeoutError::Disconnected) => return Wait::Closed,
            }
        }
    }

    /// The response to request `id` (a result or an error object) and when it arrived.
    fn response(&self, id: i64, deadline: Instant) -> Wait<(Value, Instant)> {
        self.wait(deadline, |inc| {
            (inc.msg["id"] == id && inc.msg.get("method").is_none()).then(|| (inc.msg.clone(), inc.at))
        })
    }

    /// Polite shutdown, then `exit`; kills the process if it has not gone within a few seconds.
    fn close(mut self) {
        let (id, _) = self.request("shutdown", Value::Null);
        let _ = self.response(id, Instant::now() + Duration::from_secs(5));
        self.notify("exit", Value::Null);
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Conn {
    fn drop(&mut self) {
        self.watch.stop.store(true, Ordering::Relaxed);
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

fn initialize_params(root: &Path, root_uri: &str, opts: &Opts) -> Value {
    let mut text_document = json!({
        "synchronization": { "dynamicRegistration": false, "didSave": false },
        "publishDiagnostics": { "versionSupport": true },
        "hover": { "contentFormat": ["markdown", "plaintext"] }
    });
    if opts.editor {
        // What the requests of `--editor` need the client to say it reads, as VS Code says it.
        let more = json!({
            "semanticTokens": {
                "requests": { "full": { "delta": true }, "range": true },
                "tokenTypes": [], "tokenModifiers": [], "formats": ["relative"],
                "multilineTokenSupport": false, "overlappingTokenSupport": false
            },
            "codeAction": {
                "codeActionLiteralSupport": { "codeActionKind": { "valueSet": ["", "quickfix", "refactor", "source"] } },
                "resolveSupport": { "properties": ["edit"] }
            },
            "documentHighlight": {},
            "inlayHint": {},
            "documentSymbol": { "hierarchicalDocumentSymbolSupport": true },
            "codeLens": {}
        });
        if let (Some(td), Value::Object(more)) = (text_document.as_object_mut(), more) {
            td.extend(more);
        }
    }
    json!({
        "processId": std::process::id(),
        "clientInfo": { "name": "frontline-lsp-bench" },
        "rootPath": root,
        "rootUri": root_uri,
        "workspaceFolders": [{ "uri": root_uri, "name": "lsp-bench" }],
        "initializationOptions": opts.settings,
        "capabilities": {
            "general": { "positionEncodings": opts.encodings },
            "textDocument": text_document,
            "workspace": {
                "configuration": true,
                "workspaceFolders": true,
                "didChangeConfiguration": { "dynamicRegistration": false }
            },
            "window": { "workDoneProgress": true }
        }
    })
}

/// `VmRSS` and `VmHWM` of a process, in MB.
fn memory_mb(pid: u32) -> (Option<f64>, Option<f64>) {
    let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status")) else { return (None, None) };
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok().map(|kb| kb / 1024.0))
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// The processor time a process has used so far, in seconds: user and system time of all its
/// threads (`/proc/PID/stat`, in clock ticks, usually 10 ms each).
fn cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name, in parentheses, may hold spaces: count the fields after it.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i)?.parse::<f64>().ok();
    // SAFETY: `sysconf` reads a configuration value and has no preconditions.
    let per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    (per_second > 0).then_some(())?;
    // Fields 14 and 15 of the file (utime, stime) are the 12th and 13th after the name.
    Some((ticks(11)? + ticks(12)?) / per_second as f64)
}

// ---------------------------------------------------------------------------------------------
// Measurements

/// A series of latencies, in milliseconds, and why it stopped early if it did.
#[derive(Default)]
struct Series {
    samples: Vec<f64>,
    planned: usize,
    failure: Option<String>,
}

fn percentile(sorted: &[f64], q: f64) -> f64 {
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

impl Series {
    fn new(planned: usize) -> Series {
        Series { planned, ..Series::default() }
    }

    fn stopped(planned: usize, why: impl Into<String>) -> Series {
        Series { planned, failure: Some(why.into()), ..Series::default() }
    }

    fn sorted(&self) -> Vec<f64> {
        let mut s = self.samples.clone();
        s.sort_by(f64::total_cmp);
        s
    }

    fn p(&self, q: f64) -> Option<f64> {
        (!self.samples.is_empty()).then(|| percentile(&self.sorted(), q))
    }

    /// A table cell: the chosen percentiles, or why there are none; a partial series says so.
    fn cell(&self, qs: &[f64]) -> String {
        if self.samples.is_empty() {
            return self.failure.clone().unwrap_or_else(|| "—".into());
        }
        let sorted = self.sorted();
        let mut s = qs.iter().map(|&q| ms(percentile(&sorted, q))).collect::<Vec<_>>().join(" / ");
        if self.samples.len() < self.planned {
            let _ = write!(s, " ({}/{}: {})", self.samples.len(), self.planned, self.failure.as_deref().unwrap_or("?"));
        }
        s
    }

    fn to_json(&self) -> Value {
        json!({
            "planned": self.planned,
            "count": self.samples.len(),
            "p50_ms": self.p(0.50),
            "p95_ms": self.p(0.95),
            "max_ms": self.p(1.0),
            "failure": self.failure,
            "samples_ms": self.samples,
        })
    }
}

fn ms(v: f64) -> String {
    if v < 10.0 {
        format!("{v:.2} ms")
    } else if v < 1000.0 {
        format!("{v:.1} ms")
    } else {
        format!("{:.2} s", v / 1000.0)
    }
}

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn secs(d: Duration) -> String {
    format!("{} s", d.as_secs_f64())
}

/// What a server told us about itself, from `initialize` and the first publish.
#[derive(Default, Clone)]
struct ServerInfo {
    name: String,
    encoding: String,
    sync: String,
    hover: bool,
    matching: String,
}

/// Start-up: spawn → `initialize` answered, over several fresh processes.
fn measure_startup(spec: &ServerSpec, opts: &Opts, ws: &Workspace) -> Series {
    let mut series = Series::new(opts.starts);
    for i in 0..opts.starts {
        let t0 = Instant::now();
        let log = ws.log(&spec.label, &format!("start{i}"));
        let mut conn = match Conn::spawn(spec, opts, ws.root_uri.clone(), &log) {
            Ok(c) => c,
            Err(e) => {
                series.failure = Some(format!("cannot start: {e}"));
                break;
            }
        };
        let (id, _) = conn.request("initialize", initialize_params(&ws.root, &ws.root_uri, opts));
        match conn.response(id, Instant::now() + opts.timeout) {
            Wait::Got((resp, at)) if resp.get("error").is_none() => series.samples.push(millis(at - t0)),
            Wait::Got((resp, _)) => {
                series.failure = Some(format!("refused: {}", resp["error"]["message"]));
                break;
            }
            Wait::Timeout => {
                series.failure = Some(format!("no answer in {}", secs(opts.timeout)));
                break;
            }
            Wait::Closed => {
                series.failure = Some(conn.gone(opts));
                break;
            }
        }
        conn.notify("initialized", json!({}));
        conn.close();
    }
    series
}

/// Everything measured for one server at one size.
struct SizeRun {
    size: String,
    bytes: usize,
    open: Series,
    edits: Series,
    hovers: Series,
    hover_answers: usize,
    /// With `--editor`: the full semantic tokens after the open, and each request of
    /// [`EDITOR_REQUESTS`] after each edit (`None`: not advertised).
    semantic_full: Option<Series>,
    after_edit: Vec<Option<Series>>,
    /// Diagnostics in the last publish, and that publish's size in bytes.
    diagnostics: Option<(usize, usize)>,
    rss_open_mb: Option<f64>,
    peak_rss_mb: Option<f64>,
    /// The server's processor time over the edit series, per edit, in ms: what the server did,
    /// whatever the scheduling of the two processes made the latencies.
    cpu_per_edit_ms: Option<f64>,
}

impl SizeRun {
    /// The document was opened and every edit was answered (or the series ran out of budget).
    fn complete(&self) -> bool {
        !self.open.samples.is_empty() && self.edits.failure.as_deref().is_none_or(|f| f.starts_with("budget"))
    }
}

fn is_publish_for(inc: &Incoming, uri: &str) -> bool {
    inc.msg["method"] == "textDocument/publishDiagnostics" && inc.msg["params"]["uri"] == uri
}

/// The number of diagnostics in a publish and the size of its JSON body.
fn diag_count(inc: &Incoming) -> (usize, usize) {
    (inc.msg["params"]["diagnostics"].as_array().map_or(0, Vec::len), inc.bytes)
}

/// What an editor asks for after an edit (`--editor`), in the order sent.
const EDITOR_REQUESTS: [&str; 6] = [
    "textDocument/semanticTokens/full/delta",
    "textDocument/codeAction",
    "textDocument/documentHighlight",
    "textDocument/inlayHint",
    "textDocument/documentSymbol",
    "textDocument/codeLens",
];

/// Whether the server's `initialize` result advertises `method`.
fn advertises(init: &Value, method: &str) -> bool {
    let caps = &init["capabilities"];
    let on = |v: &Value| !v.is_null() && *v != false;
    match method {
        "textDocument/semanticTokens/full" => on(&caps["semanticTokensProvider"]["full"]),
        "textDocument/semanticTokens/full/delta" => caps["semanticTokensProvider"]["full"]["delta"] == true,
        "textDocument/codeAction" => on(&caps["codeActionProvider"]),
        "textDocument/documentHighlight" => on(&caps["documentHighlightProvider"]),
        "textDocument/inlayHint" => on(&caps["inlayHintProvider"]),
        "textDocument/documentSymbol" => on(&caps["documentSymbolProvider"]),
        "textDocument/codeLens" => on(&caps["codeLensProvider"]),
        _ => false,
    }
}

/// The parameters of an [`EDITOR_REQUESTS`] request after an edit at `at` (an LSP position);
/// a delta of semantic tokens needs the result id of the last ones.
fn editor_params(method: &str, uri: &str, at: &Value, tokens_id: Option<&str>) -> Option<Value> {
    let doc = json!({ "uri": uri });
    let line = at["line"].as_u64().unwrap_or(0);
    Some(match method {
        "textDocument/semanticTokens/full/delta" => json!({ "textDocument": doc, "previousResultId": tokens_id? }),
        "textDocument/codeAction" => json!({
            "textDocument": doc,
            "range": { "start": at, "end": at },
            "context": { "diagnostics": [], "triggerKind": 2 }
        }),
        "textDocument/documentHighlight" => json!({ "textDocument": doc, "position": at }),
        "textDocument/inlayHint" => json!({
            "textDocument": doc,
            "range": {
                "start": { "line": line.saturating_sub(30), "character": 0 },
                "end": { "line": line + 30, "character": 0 }
            }
        }),
        _ => json!({ "textDocument": doc }),
    })
}

/// Sends one request and times it into `series`; the answer, if it came without an error.
fn timed_request(conn: &mut Conn, opts: &Opts, method: &str, params: Value, series: &mut Series) -> Option<Value> {
    let (id, t0) = conn.request(method, params);
    match conn.response(id, t0 + opts.timeout) {
        Wait::Got((resp, at)) if resp.get("error").is_none() => {
            series.samples.push(millis(at - t0));
            Some(resp)
        }
        Wait::Got((resp, _)) => {
            series.failure = Some(format!("refused ({})", resp["error"]["message"].as_str().unwrap_or("error")));
            None
        }
        Wait::Timeout => {
            series.failure = Some(format!("no answer in {}", secs(opts.timeout)));
            None
        }
        Wait::Closed => {
            series.failure = Some(conn.gone(opts));
            None
        }
    }
}

/// After an edit at `at`: each request of [`EDITOR_REQUESTS`] the server advertises, answered
/// before the next is sent. A series that failed once is not asked again.
fn editor_round(
    conn: &mut Conn,
    opts: &Opts,
    uri: &str,
    at: &Value,
    run: &mut SizeRun,
    tokens_id: &mut Option<String>,
) {
    for (method, series) in EDITOR_REQUESTS.iter().zip(run.after_edit.iter_mut()) {
        let Some(series) = series.as_mut().filter(|s| s.failure.is_none()) else { continue };
        let Some(params) = editor_params(method, uri, at, tokens_id.as_deref()) else {
            series.failure = Some("no result id to ask a delta from".into());
            continue;
        };
        let resp = timed_request(conn, opts, method, params, series);
        if let Some(id) = resp.as_ref().and_then(|r| r["result"]["resultId"].as_str()) {
            *tokens_id = Some(id.to_string());
        }
    }
}

/// Open → diagnostics, then the edits, then the hovers, in one fresh server process.
fn measure_size(
    spec: &ServerSpec,
    opts: &Opts,
    ws: &Workspace,
    size: &(String, usize),
    info: &mut ServerInfo,
) -> SizeRun {
    let text = corpus(size.1);
    let name = format!("story-{}.md", size.0);
    // The workspace folder holds this story only: a server that indexes its workspace (frontline
    // does, in the background) must not find the stories of earlier runs there.
    if let Ok(entries) = std::fs::read_dir(&ws.root) {
        for e in entries.flatten() {
            let _ = std::fs::remove_file(e.path());
        }
    }
    let path = ws.root.join(&name);
    std::fs::write(&path, &text).expect("the benchmark can write its document to the temporary folder");
    let uri = format!("{}/{name}", ws.root_uri);
    let mut run = SizeRun {
        size: size.0.clone(),
        bytes: text.len(),
        open: Series::new(1),
        edits: Series::new(opts.edits),
        hovers: Series::new(opts.hovers),
        hover_answers: 0,
        semantic_full: None,
        after_edit: Vec::new(),
        diagnostics: None,
        rss_open_mb: None,
        peak_rss_mb: None,
        cpu_per_edit_ms: None,
    };
    let fail_all = |run: &mut SizeRun, why: String| {
        run.open = Series::stopped(1, why.clone());
        run.edits = Series::stopped(opts.edits, "skipped");
        run.hovers = Series::stopped(opts.hovers, "skipped");
    };
    let log = ws.log(&spec.label, &size.0);
    let mut conn = match Conn::spawn(spec, opts, ws.root_uri.clone(), &log) {
        Ok(c) => c,
        Err(e) => {
            fail_all(&mut run, format!("cannot start: {e}"));
            return run;
        }
    };

    let (id, _) = conn.request("initialize", initialize_params(&ws.root, &ws.root_uri, opts));
    let caps = match conn.response(id, Instant::now() + opts.timeout) {
        Wait::Got((resp, _)) if resp.get("error").is_none() => resp["result"].clone(),
        Wait::Got((resp, _)) => {
            fail_all(&mut run, format!("initialize refused: {}", resp["error"]["message"]));
            return run;
        }
        _ => {
            fail_all(&mut run, "initialize: no answer".into());
            return run;
        }
    };
    let encoding = caps["capabilities"]["positionEncoding"].as_str().unwrap_or("utf-16").to_string();
    let sync_kind = match &caps["capabilities"]["textDocumentSync"] {
        Value::Number(n) => n.as_u64(),
        v => v["change"].as_u64(),
    }
    .unwrap_or(0);
    info.name = match (caps["serverInfo"]["name"].as_str(), caps["serverInfo"]["version"].as_str()) {
        (Some(n), Some(v)) => format!("{n} {v}"),
        (Some(n), None) => n.to_string(),
        _ => "(no serverInfo)".into(),
    };
    info.encoding = encoding.clone();
    info.sync = match sync_kind {
        1 => "full".into(),
        2 => "incremental".into(),
        _ => "none".into(),
    };
    let hover_cap = &caps["capabilities"]["hoverProvider"];
    info.hover = !hover_cap.is_null() && *hover_cap != false;
    conn.notify("initialized", json!({}));

    // Open → first publish for this document (with version 1 when the server sends versions).
    conn.drain();
    let t0 = conn.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": uri, "languageId": "markdown", "version": 1, "text": text } }),
    );
    let versioned = match conn.wait(t0 + opts.timeout, |inc| {
        let v = &inc.msg["params"]["version"];
        (is_publish_for(inc, &uri) && (v.is_null() || *v == 1)).then(|| (inc.at, !v.is_null(), diag_count(inc)))
    }) {
        Wait::Got((at, versioned, n)) => {
            run.open.samples.push(millis(at - t0));
            run.diagnostics = Some(n);
            versioned
        }
        Wait::Timeout => {
            fail_all(&mut run, format!("no answer in {}", secs(opts.timeout)));
            (run.rss_open_mb, run.peak_rss_mb) = conn.memory_mb();
            return run;
        }
        Wait::Closed => {
            fail_all(&mut run, conn.gone(opts));
            (run.rss_open_mb, run.peak_rss_mb) = conn.memory_mb();
            return run;
        }
    };
    // With `--editor`: the full semantic tokens of the story, as an editor asks once it is open.
    let mut tokens_id = None;
    if opts.editor {
        run.after_edit =
            EDITOR_REQUESTS.iter().map(|m| advertises(&caps, m).then(|| Series::new(opts.edits))).collect();
        if advertises(&caps, "textDocument/semanticTokens/full") {
            let mut full = Series::new(1);
            let params = json!({ "textDocument": { "uri": uri } });
            let resp = timed_request(&mut conn, opts, "textDocument/semanticTokens/full", params, &mut full);
            tokens_id = resp.as_ref().and_then(|r| r["result"]["resultId"].as_str()).map(String::from);
            run.semantic_full = Some(full);
        }
    }
    info.matching = if versioned {
        "publish carrying the edit's version".into()
    } else {
        "first publish for the URI after the edit was sent (no version)".into()
    };

    // Edits: insert a letter at a word start, wait for its diagnostics, delete it, wait again.
    let lines = Lines::new(&text);
    let offsets = edit_offsets(&text, opts.edits / 2);
    let mut version = 1;
    let cpu_before = conn.cpu_seconds();
    let series_start = Instant::now();
    let mut last_sent: Option<Instant> = None;
    if sync_kind == 0 {
        run.edits.failure = Some("server takes no edits".into());
    }
    for k in 0..opts.edits {
        if sync_kind == 0 {
            break;
        }
        if k % 2 == 0 && series_start.elapsed() > opts.budget {
            run.edits.failure = Some(format!("budget {} spent", secs(opts.budget)));
            // The requests after each edit stop with the edits.
            for series in run.after_edit.iter_mut().flatten().filter(|s| s.failure.is_none()) {
                series.failure = Some(format!("edits' budget {} spent", secs(opts.budget)));
            }
            break;
        }
        let off = offsets[k / 2];
        let insert = k % 2 == 0;
        version += 1;
        let change = if sync_kind == 2 {
            let start = lines.position(&text, off, &encoding);
            let end = if insert {
                start.clone()
            } else {
                json!({ "line": start["line"], "character": start["character"].as_u64().unwrap_or(0) + 1 })
            };
            json!({ "range": { "start": start, "end": end }, "text": if insert { "x" } else { "" } })
        } else if insert {
            json!({ "text": format!("{}x{}", &text[..off], &text[off..]) })
        } else {
            json!({ "text": text })
        };
        let body = encode(&json!({
            "jsonrpc": "2.0",
            "method": "textDocument/didChange",
            "params": { "textDocument": { "uri": uri, "version": version }, "contentChanges": [change] }
        }));
        if let Some(wait) = last_sent.and_then(|t| opts.pace.checked_sub(t.elapsed())) {
            std::thread::sleep(wait);
        }
        conn.drain();
        let t0 = conn.send_bytes(body);
        last_sent = Some(t0);
        let got = conn.wait(t0 + opts.timeout, |inc| {
            let ok = is_publish_for(inc, &uri)
                && if versioned { inc.msg["params"]["version"] == version } else { inc.at >= t0 };
            ok.then(|| (inc.at, diag_count(inc)))
        });
        match got {
            Wait::Got((at, n)) => {
                run.edits.samples.push(millis(at - t0));
                run.diagnostics = Some(n);
                if opts.editor {
                    let at = lines.position(&text, off, &encoding);
                    editor_round(&mut conn, opts, &uri, &at, &mut run, &mut tokens_id);
                }
            }
            Wait::Timeout => {
                run.edits.failure = Some(format!("no answer in {} to edit {}", secs(opts.timeout), k + 1));
                break;
            }
            Wait::Closed => {
                run.edits.failure = Some(format!("{} at edit {}", conn.gone(opts), k + 1));
                break;
            }
        }
    }
    if let (Some(a), Some(b)) = (cpu_before, conn.cpu_seconds()) {
        let n = run.edits.samples.len();
        run.cpu_per_edit_ms = (n > 0).then(|| (b - a) * 1e3 / n as f64);
    }
    let text_restored =
        run.edits.samples.len() % 2 == 0 && run.edits.failure.as_deref().is_none_or(|f| f.starts_with("budget"));

    // Hovers on actor names, against the original text.
    let hover_at = hover_offsets(&text, opts.hovers);
    if !text_restored {
        run.hovers.failure = Some("skipped: the edits did not finish".into());
    } else if hover_at.is_empty() && opts.hovers > 0 {
        run.hovers.failure = Some("no actor names in the text".into());
    }
    let series_start = Instant::now();
    for &off in hover_at.iter().filter(|_| text_restored) {
        if series_start.elapsed() > opts.budget {
            run.hovers.failure = Some(format!("budget {} spent", secs(opts.budget)));
            break;
        }
        conn.drain();
        let pos = lines.position(&text, off, &encoding);
        let (id, t0) = conn.request("textDocument/hover", json!({ "textDocument": { "uri": uri }, "position": pos }));
        match conn.response(id, t0 + opts.timeout) {
            Wait::Got((resp, at)) if resp.get("error").is_none() => {
                run.hovers.samples.push(millis(at - t0));
                if !resp["result"].is_null() {
                    run.hover_answers += 1;
                }
            }
            Wait::Got((resp, _)) => {
                run.hovers.failure =
                    Some(format!("refused ({})", resp["error"]["message"].as_str().unwrap_or("error")));
                break;
            }
            Wait::Timeout => {
                run.hovers.failure = Some(format!("no answer in {}", secs(opts.timeout)));
                break;
            }
            Wait::Closed => {
                run.hovers.failure = Some(conn.gone(opts));
                break;
            }
        }
    }

    (run.rss_open_mb, run.peak_rss_mb) = conn.memory_mb();
    conn.close();
    run
}

// ---------------------------------------------------------------------------------------------
// Reporting

struct Workspace {
    root: PathBuf,
    root_uri: String,
    out: PathBuf,
}

impl Workspace {
    fn log(&self, label: &str, what: &str) -> PathBuf {
        self.out.join("logs").join(format!("{label}-{what}.stderr.log"))
    }
}

/// `target/` (or `$CARGO_TARGET_DIR`), found from this binary's path: `<target>/<profile>/deps/lsp-…`.
fn target_dir() -> PathBuf {
    let from_exe = std::env::current_exe().ok().and_then(|exe| {
        let deps = exe.parent()?;
        (deps.file_name()? == "deps").then(|| deps.parent()?.parent().map(Path::to_path_buf)).flatten()
    });
    from_exe.unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"))
}

/// Today's date (UTC) and time, from the system clock, as `YYYY-MM-DD HH:MM UTC`.
fn now_utc() -> String {
    let secs = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (days, rem) = ((secs / 86_400) as i64, secs % 86_400);
    // Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02} {:02}:{:02} UTC", rem / 3600, rem % 3600 / 60)
}

fn machine() -> (usize, String) {
    let nproc = std::thread::available_parallelism().map_or(0, |n| n.get());
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find_map(|l| l.strip_prefix("model name").map(|v| v.trim_start_matches([' ', '\t', ':']).to_string()))
        })
        .unwrap_or_else(|| "unknown CPU".into());
    (nproc, cpu)
}

fn kb(bytes: usize) -> String {
    if bytes < 1_000_000 {
        format!("{:.0} KB", bytes as f64 / 1000.0)
    } else {
        format!("{:.1} MB", bytes as f64 / 1e6)
    }
}

fn mb(v: Option<f64>) -> String {
    v.map_or("—".into(), |v| format!("{v:.0}"))
}

fn ratio(other: Option<f64>, base: Option<f64>) -> String {
    match (other, base) {
        (Some(o), Some(b)) if b > 0.0 => format!("{:.2}×", o / b),
        _ => "n/a".into(),
    }
}

struct ServerResult {
    spec: ServerSpec,
    info: ServerInfo,
    startup: Series,
    sizes: Vec<SizeRun>,
}

fn main() {
    let raw: Vec<String> = std::env::args().skip(1).collect();
    let opts = match parse_args(&raw) {
        Ok(Some(o)) => o,
        Ok(None) => return,
        Err(e) => {
            eprintln!("lsp bench: {e}");
            std::process::exit(2);
        }
    };
    let wall = Instant::now();
    let out = target_dir().join("lsp-bench");
    std::fs::create_dir_all(out.join("logs")).expect("the benchmark can create target/lsp-bench/logs");
    let root = std::env::temp_dir().join(format!("lsp-bench-{}", std::process::id()));
    std::fs::create_dir_all(&root).expect("the benchmark can create its temporary folder");
    let root = root.canonicalize().unwrap_or(root);
    let root_uri = format!("file://{}", root.display());
    let ws = Workspace { root, root_uri, out };

    let mut results = Vec::new();
    for spec in &opts.servers {
        eprintln!("lsp bench: {} ({})", spec.label, spec.command_line());
        let startup = measure_startup(spec, &opts, &ws);
        eprintln!("  start-up: {}", startup.cell(&[0.5, 0.95]));
        let mut info = ServerInfo::default();
        let mut sizes = Vec::new();
        for size in &opts.sizes {
            let t = Instant::now();
            let run = measure_size(spec, &opts, &ws, size, &mut info);
            eprintln!(
                "  {}: open {}, edits {} (server CPU {} per edit), hovers {} ({:.1} s)",
                size.0,
                run.open.cell(&[0.5]),
                run.edits.cell(&[0.5, 0.95]),
                run.cpu_per_edit_ms.map_or("—".into(), ms),
                run.hovers.cell(&[0.5, 0.95]),
                t.elapsed().as_secs_f64()
            );
            sizes.push(run);
        }
        results.push(ServerResult { spec: spec.clone(), info, startup, sizes });
    }
    let _ = std::fs::remove_dir_all(&ws.root);
    report(&opts, &ws, &results, wall.elapsed());
}

fn report(opts: &Opts, ws: &Workspace, results: &[ServerResult], wall: Duration) {
    let (nproc, cpu) = machine();
    let date = now_utc();
    let quote = |a: String| if a.contains(char::is_whitespace) { format!("'{a}'") } else { a };
    let command = std::env::args().map(quote).collect::<Vec<_>>().join(" ");
    let mut md = String::new();
    let _ = writeln!(md, "## LSP latency\n");
    let _ = writeln!(md, "- date: {date}");
    let _ = writeln!(md, "- machine: {nproc} CPUs (nproc), {cpu}");
    let _ = writeln!(md, "- command: `{command}`");
    let _ = writeln!(
        md,
        "- per size: {} single-character edits (insert/delete pairs, {}{}), {} hovers; timeout {}, budget per series {}, RSS cap {} MB; the client offers positions in {}",
        opts.edits,
        if opts.pace.is_zero() {
            "each sent when the one before was answered".to_string()
        } else {
            format!("one every {} ms at most", opts.pace.as_millis())
        },
        if opts.editor { "; each followed by what an editor asks, which the server CPU per edit includes" } else { "" },
        opts.hovers,
        secs(opts.timeout),
        secs(opts.budget),
        opts.max_rss_mb,
        opts.encodings.join(", ")
    );
    let _ = writeln!(md, "- wall time: {:.1} s\n", wall.as_secs_f64());
    for r in results {
        let _ = writeln!(
            md,
            "- **{}**: `{}` — {}; positions {}; sync {}; hover {}; diagnostics matched to an edit by the {}",
            r.spec.label,
            r.spec.command_line(),
            r.info.name,
            r.info.encoding,
            r.info.sync,
            if r.info.hover { "advertised" } else { "not advertised" },
            if r.info.matching.is_empty() { "(no publish seen)" } else { &r.info.matching },
        );
    }
    let _ = writeln!(md);
    let _ = writeln!(
        md,
        "| server | size | start-up p50 / p95 | open → diagnostics | edit → diagnostics p50 / p95 / max | server CPU per edit | hover p50 / p95 | diagnostics (publish size) | RSS open / peak MB |"
    );
    let _ = writeln!(md, "|---|---|---|---|---|---|---|---|---|");
    for r in results {
        for s in &r.sizes {
            let _ = writeln!(
                md,
                "| {} | {} ({} B) | {} | {} | {} | {} | {} | {} | {} / {} |",
                r.spec.label,
                s.size,
                s.bytes,
                r.startup.cell(&[0.5, 0.95]),
                s.open.cell(&[0.5]),
                s.edits.cell(&[0.5, 0.95, 1.0]),
                s.cpu_per_edit_ms.map_or("—".into(), ms),
                s.hovers.cell(&[0.5, 0.95]),
                s.diagnostics.map_or("—".into(), |(n, bytes)| format!("{n} ({})", kb(bytes))),
                mb(s.rss_open_mb),
                mb(s.peak_rss_mb),
            );
        }
    }
    if opts.editor {
        let _ = writeln!(
            md,
            "\nAfter each edit's diagnostics, what an editor asks (`--editor`; p50 / p95 / max, each request answered before the next is sent; the full semantic tokens once, after the open):\n"
        );
        let short: Vec<&str> = EDITOR_REQUESTS.iter().map(|m| m.trim_start_matches("textDocument/")).collect();
        let _ = writeln!(md, "| server | size | semanticTokens/full after open | {} |", short.join(" | "));
        let _ = writeln!(md, "|---|---|---|{}", "---|".repeat(short.len()));
        for r in results {
            for s in &r.sizes {
                let cells: Vec<String> = (0..EDITOR_REQUESTS.len())
                    .map(|i| match s.after_edit.get(i) {
                        Some(Some(series)) => series.cell(&[0.5, 0.95, 1.0]),
                        Some(None) => "not advertised".into(),
                        None => "—".into(),
                    })
                    .collect();
                let full = s.semantic_full.as_ref().map_or("not advertised".into(), |f| f.cell(&[0.5]));
                let _ = writeln!(md, "| {} | {} | {} | {} |", r.spec.label, s.size, full, cells.join(" | "));
            }
        }
    }
    if let Some((base, others)) = results.split_first() {
        for other in others {
            let _ = writeln!(
                md,
                "\nRatios {} / {} (above 1: {} is slower or larger):\n",
                other.spec.label, base.spec.label, other.spec.label
            );
            let _ = writeln!(md, "| size | edit p50 | edit p95 | server CPU per edit | hover p95 | peak RSS |");
            let _ = writeln!(md, "|---|---|---|---|---|---|");
            for (b, o) in base.sizes.iter().zip(&other.sizes) {
                let _ = writeln!(
                    md,
                    "| {} | {} | {} | {} | {} | {} |",
                    b.size,
                    ratio(o.edits.p(0.5), b.edits.p(0.5)),
                    ratio(o.edits.p(0.95), b.edits.p(0.95)),
                    ratio(o.cpu_per_edit_ms, b.cpu_per_edit_ms),
                    ratio(o.hovers.p(0.95), b.hovers.p(0.95)),
                    // Memory of a run that was killed or gave up is not comparable.
                    if o.complete() && b.complete() { ratio(o.peak_rss_mb, b.peak_rss_mb) } else { "n/a".into() },
                );
            }
        }
    }
    println!("{md}");

    let json = json!({
        "date": date,
        "machine": { "nproc": nproc, "cpu": cpu },
        "command": command,
        "wall_s": wall.as_secs_f64(),
        "options": {
            "sizes": opts.sizes.iter().map(|s| &s.0).collect::<Vec<_>>(),
            "starts": opts.starts, "edits": opts.edits, "hovers": opts.hovers, "position_encodings": opts.encodings,
            "timeout_s": opts.timeout.as_secs_f64(), "budget_s": opts.budget.as_secs_f64(), "pace_ms": opts.pace.as_millis() as u64, "max_rss_mb": opts.max_rss_mb,
            "settings": opts.settings, "editor": opts.editor,
        },
        "servers": results.iter().map(|r| json!({
            "label": r.spec.label,
            "command": r.spec.command_line(),
            "server_info": r.info.name,
            "position_encoding": r.info.encoding,
            "sync": r.info.sync,
            "hover_advertised": r.info.hover,
            "diagnostics_matching": r.info.matching,
            "startup": r.startup.to_json(),
            "sizes": r.sizes.iter().map(|s| json!({
                "size": s.size,
                "bytes": s.bytes,
                "open_to_diagnostics": s.open.to_json(),
                "edit_to_diagnostics": s.edits.to_json(),
                "hover": s.hovers.to_json(),
                "hover_non_null": s.hover_answers,
                "diagnostics_in_last_publish": s.diagnostics.map(|d| d.0),
                "last_publish_bytes": s.diagnostics.map(|d| d.1),
                "rss_open_mb": s.rss_open_mb,
                "peak_rss_mb": s.peak_rss_mb,
                "server_cpu_per_edit_ms": s.cpu_per_edit_ms,
                "semantic_tokens_full_after_open": s.semantic_full.as_ref().map(Series::to_json),
                "after_each_edit": EDITOR_REQUESTS.iter().zip(&s.after_edit)
                    .map(|(m, series)| (m.to_string(), series.as_ref().map_or(Value::Null, Series::to_json)))
                    .collect::<serde_json::Map<String, Value>>(),
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    });
    let path = ws.out.join("results.json");
    match serde_json::to_string_pretty(&json).map(|s| std::fs::write(&path, s)) {
        Ok(Ok(())) => eprintln!("lsp bench: wrote {}", path.display()),
        Ok(Err(e)) => eprintln!("lsp bench: cannot write {}: {e}", path.display()),
        Err(e) => eprintln!("lsp bench: cannot encode the results: {e}"),
    }
}
