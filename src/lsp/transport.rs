//! The stdio transport: frames in, frames out, and nothing the client sends can stop the server.
//!
//! tower-lsp stops reading at the first frame it cannot decode, and ignores requests whose method
//! starts with `$/`. This layer sits between stdio and tower-lsp's `Server`: it reads each frame
//! itself, answers what must not reach tower-lsp with the JSON-RPC error LSP asks for, and forwards
//! the rest:
//! - a body that is not JSON (or not UTF-8): `-32700 Parse error`, `id: null`;
//! - JSON that is not a JSON-RPC 2.0 message: `-32600 Invalid Request`;
//! - a header block without `Content-Length`: `-32700`, and the reader resynchronises on the next
//!   `Content-Length` header;
//! - a request for an unknown `$/` method: `-32601 Method not found`.
//!
//! It also remembers whether `shutdown` came before `exit`, for the exit code LSP prescribes.

use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};
use tower_lsp_server::{ClientSocket, LanguageServer, LspService, Server};

use super::activity::Activity;

/// Bodies larger than this are read and discarded with an error (the document size limit is far
/// lower; this only keeps a broken header from exhausting memory).
const MAX_BODY: usize = 512 * 1024 * 1024;

#[derive(Default)]
struct Flags {
    shutdown: AtomicBool,
    exit: AtomicBool,
}

/// Serves `service` over `input`/`output` until the client exits or closes the input; returns the
/// process exit code: 1 for `exit` without `shutdown`, else 0.
pub async fn serve<I, O, S>(
    input: I,
    output: O,
    service: LspService<S>,
    socket: ClientSocket,
    concurrency: usize,
    outbox: (UnboundedSender<Outgoing>, UnboundedReceiver<Outgoing>),
    activity: Arc<Activity>,
) -> u8
where
    I: AsyncRead + Unpin + Send + 'static,
    O: AsyncWrite + Unpin + Send + 'static,
    S: LanguageServer,
{
    let (to_server, server_in) = tokio::io::duplex(1 << 20);
    let (server_out, from_server) = tokio::io::duplex(1 << 20);
    let (frames, rx) = outbox;
    let flags = Arc::new(Flags::default());
    let writer = tokio::spawn(write_frames(output, rx));
    let relay = tokio::spawn(relay_frames(from_server, frames.clone()));
    let reader = tokio::spawn(read_frames(input, to_server, frames, flags.clone(), activity));
    Server::new(server_in, server_out, socket).concurrency_level(concurrency).serve(service).await;
    reader.abort();
    let _ = relay.await;
    let _ = writer.await;
    let clean = flags.shutdown.load(Ordering::SeqCst) || !flags.exit.load(Ordering::SeqCst);
    u8::from(!clean)
}

/// A shared buffer of message bytes.
pub type Bytes = Arc<Vec<u8>>;

/// A message body on its way to the client: pieces of shared buffers, written one after the
/// other. Most bodies are one buffer. A publication of diagnostics after an edit is mostly the
/// publication before it: its body is pieces of that one's buffers, not a copy of them (on a
/// 1 MB story, a megabyte less to read and write for each keystroke).
#[derive(Clone, Debug, Default)]
pub struct Body {
    pieces: Arc<[(Bytes, Range<usize>)]>,
    len: usize,
}

impl Body {
    /// The body made of `pieces` (ranges of their buffers), in order.
    pub fn new(pieces: Vec<(Bytes, Range<usize>)>) -> Body {
        let len = pieces.iter().map(|(_, r)| r.len()).sum();
        Body { pieces: pieces.into(), len }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The body's bytes, piece by piece.
    pub fn slices(&self) -> impl Iterator<Item = &[u8]> {
        self.pieces.iter().map(|(b, r)| &b[r.clone()])
    }

    /// How many pieces the body is made of.
    pub fn pieces(&self) -> usize {
        self.pieces.len()
    }

    /// The body in one buffer.
    pub fn to_vec(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.len);
        for s in self.slices() {
            out.extend_from_slice(s);
        }
        out
    }
}

impl From<Vec<u8>> for Body {
    fn from(bytes: Vec<u8>) -> Body {
        let len = bytes.len();
        Body::new(vec![(Arc::new(bytes), 0..len)])
    }
}

/// A message on its way to the client, and what to free once it is written.
pub struct Outgoing {
    body: Body,
    /// Freed on the blocking pool after the write: a large story's replaced analysis takes a
    /// while to free, and would otherwise take a core from the write and the client reading it.
    then_free: Option<Box<dyn Send>>,
}

impl From<Body> for Outgoing {
    fn from(body: Body) -> Outgoing {
        Outgoing { body, then_free: None }
    }
}

impl From<Vec<u8>> for Outgoing {
    fn from(body: Vec<u8>) -> Outgoing {
        Body::from(body).into()
    }
}

/// The channel of message bodies to write to the client, in order. Its sender may also be given
/// (downgraded, see [`Outbox`]) to code that serialises a message itself, skipping tower-lsp's
/// detour through `serde_json::Value` (the publisher does, for large diagnostic lists).
pub fn outbox() -> (UnboundedSender<Outgoing>, UnboundedReceiver<Outgoing>) {
    unbounded_channel()
}

/// A way to send a serialised message body straight to the client. Weak: it does not keep the
/// writer alive once the server is done.
#[derive(Clone, Debug)]
pub struct Outbox(pub tokio::sync::mpsc::WeakUnboundedSender<Outgoing>);

impl Outbox {
    /// Sends a message body serialised by the caller. Returns false if the connection is gone.
    pub fn send(&self, body: impl Into<Outgoing>) -> bool {
        self.0.upgrade().is_some_and(|tx| tx.send(body.into()).is_ok())
    }

    /// Sends a shared body, and frees `then_free` once it is written. Returns false if the
    /// connection is gone.
    pub fn send_then_free(&self, body: Body, then_free: Box<dyn Send>) -> bool {
        self.0.upgrade().is_some_and(|tx| tx.send(Outgoing { body, then_free: Some(then_free) }).is_ok())
    }

    /// Sends a JSON-RPC notification whose `params` are serialised from `params` directly.
    /// Returns false if the connection is gone or `params` cannot be serialised.
    pub fn notify<P: serde::Serialize>(&self, method: &str, params: &P) -> bool {
        #[derive(serde::Serialize)]
        struct Note<'a, P> {
            jsonrpc: &'static str,
            method: &'a str,
            params: &'a P,
        }
        let Some(tx) = self.0.upgrade() else { return false };
        match serde_json::to_vec(&Note { jsonrpc: "2.0", method, params }) {
            Ok(body) => tx.send(body.into()).is_ok(),
            Err(_) => false,
        }
    }
}

/// Standard output as the server's writer. When it is a pipe, as when an editor starts the
/// server, frames are written straight from their buffers to the pipe as the client drains it
/// (`tokio::net::unix::pipe::Sender`, non-blocking). `tokio::io::stdout()`, the fallback for a
/// file or a terminal, first copies each frame into a buffer of its own and writes it on a
/// blocking thread through the standard library's line-buffered stdout, which searches the whole
/// frame for its last line break: on a 1 MB publish, about a tenth of the server's processor time
/// per keystroke (docs/benchmarks-history.md).
pub fn stdout() -> std::pin::Pin<Box<dyn AsyncWrite + Send>> {
    // (Nothing else writes to standard output: the crate denies `print!`.)
    #[cfg(unix)]
    if let Some(pipe) =
        as_pipe(std::os::fd::AsFd::as_fd(&std::io::stdout()), tokio::net::unix::pipe::Sender::from_owned_fd)
    {
        return Box::pin(pipe);
    }
    Box::pin(tokio::io::stdout())
}

/// Standard input as an async reader: when it is a pipe (as editors start a server), read
/// through the runtime's reactor, so that a keystroke's message wakes the runtime directly
/// instead of a blocking thread that then wakes it (at typing pace, a 10 KB story's keystroke got
/// its diagnostics 0.2–0.3 ms sooner); otherwise tokio's reader on a blocking thread.
pub fn stdin() -> std::pin::Pin<Box<dyn AsyncRead + Send>> {
    // (The pipe's read end is the server's alone.)
    #[cfg(unix)]
    if let Some(pipe) =
        as_pipe(std::os::fd::AsFd::as_fd(&std::io::stdin()), tokio::net::unix::pipe::Receiver::from_owned_fd)
    {
        return Box::pin(pipe);
    }
    Box::pin(tokio::io::stdin())
}

/// A pipe end for the runtime's reactor, made by `make` from a duplicate of `fd` (the pipe's file
/// description, which `make` sets non-blocking); `None` when `fd` is not a pipe (a file, a
/// terminal).
#[cfg(unix)]
fn as_pipe<P>(
    fd: std::os::fd::BorrowedFd<'_>,
    make: impl FnOnce(std::os::fd::OwnedFd) -> std::io::Result<P>,
) -> Option<P> {
    make(fd.try_clone_to_owned().ok()?).ok()
}

/// Writes each body as a frame, flushing after each.
async fn write_frames<O: AsyncWrite + Unpin>(mut out: O, mut rx: UnboundedReceiver<Outgoing>) {
    while let Some(Outgoing { body, then_free }) = rx.recv().await {
        let header = format!("Content-Length: {}\r\n\r\n", body.len());
        if out.write_all(header.as_bytes()).await.is_err() {
            return;
        }
        for piece in body.slices() {
            if out.write_all(piece).await.is_err() {
                return;
            }
        }
        if out.flush().await.is_err() {
            return;
        }
        if let Some(garbage) = then_free {
            tokio::task::spawn_blocking(move || drop(garbage));
        }
    }
}

/// A frame read from a stream: its body, or why there is none.
enum Frame {
    Body(Vec<u8>),
    /// A header block without a usable `Content-Length`, or a body too large to keep.
    Bad(String),
    End,
}

/// Reads one frame. Header names are matched without regard to case, and a `Content-Length`
/// header is found even after stray bytes on its line (what is left of a frame that had none).
/// `activity`, if any, hears of the frame once its header is read, before its body.
async fn next_frame<R: AsyncRead + Unpin>(reader: &mut BufReader<R>, activity: Option<&Activity>) -> Frame {
    let mut length: Option<usize> = None;
    let mut bad_length = false;
    let mut any = false;
    loop {
        let mut line = Vec::new();
        match reader.read_until(b'\n', &mut line).await {
            Ok(0) | Err(_) => return Frame::End,
            Ok(_) => {}
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            if any {
                break;
            }
            continue;
        }
        any = true;
        let lower = text.to_ascii_lowercase();
        if let Some(i) = lower.find("content-length:") {
            match text[i + "content-length:".len()..].trim().parse::<usize>() {
                Ok(n) => length = Some(n),
                Err(_) => bad_length = true,
            }
        }
    }
    if let Some(a) = activity {
        a.arriving();
    }
    let Some(n) = length else {
        let why = if bad_length { "the Content-Length header is not a number" } else { "no Content-Length header" };
        return Frame::Bad(why.into());
    };
    if n > MAX_BODY {
        let mut rest = reader.take(n as u64);
        let _ = tokio::io::copy(&mut rest, &mut tokio::io::sink()).await;
        return Frame::Bad(format!("a message of {n} bytes is over the {MAX_BODY}-byte limit"));
    }
    let mut body = vec![0; n];
    match reader.read_exact(&mut body).await {
        Ok(_) => Frame::Body(body),
        Err(_) => Frame::End,
    }
}

fn error(id: Value, code: i64, message: &str) -> Vec<u8> {
    json!({ "jsonrpc": "2.0", "id": id, "error": { "code": code, "message": message } }).to_string().into_bytes()
}

/// What to do with a body from the client: forward it to tower-lsp, or answer it here.
fn judge(body: &[u8], flags: &Flags) -> Result<(), Vec<u8>> {
    let Ok(msg) = serde_json::from_slice::<Value>(body) else {
        return Err(error(Value::Null, -32700, "Parse error: the message is not JSON in UTF-8"));
    };
    let Some(obj) = msg.as_object() else {
        return Err(error(Value::Null, -32600, "Invalid Request: a message must be a JSON object"));
    };
    let id = obj.get("id").cloned();
    let valid_id = id.as_ref().is_none_or(|i| i.is_string() || i.is_number() || i.is_null());
    let reply_id = id.clone().filter(|_| valid_id).unwrap_or(Value::Null);
    if obj.get("jsonrpc").and_then(Value::as_str) != Some("2.0") || !valid_id {
        // The message is not JSON-RPC, so neither is its `id`: JSON-RPC answers with a null id.
        return Err(error(Value::Null, -32600, "Invalid Request: not a JSON-RPC 2.0 message"));
    }
    match obj.get("method") {
        Some(Value::String(method)) => {
            let request = id.is_some();
            if request && method.starts_with("$/") {
                return Err(error(reply_id, -32601, &format!("Method not found: {method}")));
            }
            if request && method == "shutdown" {
                flags.shutdown.store(true, Ordering::SeqCst);
            }
            if !request && method == "exit" {
                flags.exit.store(true, Ordering::SeqCst);
            }
            Ok(())
        }
        Some(_) => Err(error(Value::Null, -32600, "Invalid Request: the method must be a string")),
        // A response to one of our requests.
        None if id.is_some() && (obj.contains_key("result") || obj.contains_key("error")) => Ok(()),
        None => Err(error(Value::Null, -32600, "Invalid Request: neither a request, a notification nor a response")),
    }
}

/// Reads the client's frames, answers the bad ones and forwards the rest to tower-lsp.
async fn read_frames<R, W>(
    input: R,
    mut to_server: W,
    frames: UnboundedSender<Outgoing>,
    flags: Arc<Flags>,
    activity: Arc<Activity>,
) where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut reader = BufReader::with_capacity(1 << 16, input);
    loop {
        let frame = next_frame(&mut reader, Some(&activity)).await;
        // Handed on or rejected below: either way, the server has heard from the client.
        let _heard = Heard(&activity);
        match frame {
            Frame::End => break,
            Frame::Bad(why) => {
                eprintln!("[frontline] unreadable frame: {why}");
                let _ = frames.send(error(Value::Null, -32700, &format!("Parse error: {why}")).into());
            }
            Frame::Body(body) => match judge(&body, &flags) {
                Err(reply) => {
                    eprintln!("[frontline] rejected a message: {}", String::from_utf8_lossy(&reply));
                    let _ = frames.send(reply.into());
                }
                Ok(()) => {
                    let header = format!("Content-Length: {}\r\n\r\n", body.len());
                    let sent = async {
                        to_server.write_all(header.as_bytes()).await?;
                        to_server.write_all(&body).await?;
                        to_server.flush().await
                    };
                    if sent.await.is_err() {
                        break;
                    }
                }
            },
        }
    }
    let _ = to_server.shutdown().await;
}

/// Tells `activity` that a frame was handled when dropped (after the frame is handed on, or on
/// any way out of the loop).
struct Heard<'a>(&'a Activity);

impl Drop for Heard<'_> {
    fn drop(&mut self) {
        self.0.handled();
    }
}

/// Passes tower-lsp's frames on to the writer, whole.
async fn relay_frames<R: AsyncRead + Unpin>(from_server: R, frames: UnboundedSender<Outgoing>) {
    let mut reader = BufReader::new(from_server);
    loop {
        match next_frame(&mut reader, None).await {
            Frame::Body(body) => {
                if frames.send(body.into()).is_err() {
                    return;
                }
            }
            Frame::Bad(why) => eprintln!("[frontline] internal: server wrote an unreadable frame: {why}"),
            Frame::End => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(body: &str) -> Option<i64> {
        judge(body.as_bytes(), &Flags::default())
            .err()
            .map(|r| serde_json::from_slice::<Value>(&r).unwrap()["error"]["code"].as_i64().unwrap())
    }

    #[test]
    fn bad_messages_get_the_json_rpc_error_codes() {
        assert_eq!(code("{not json"), Some(-32700));
        assert_eq!(code("[]"), Some(-32600));
        assert_eq!(code(r#"{"jsonrpc":"1.0","id":1,"method":"x"}"#), Some(-32600));
        assert_eq!(code(r#"{"jsonrpc":"2.0","id":1,"method":"$/unknown"}"#), Some(-32601));
        assert_eq!(code(r#"{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":1}}"#), None);
        assert_eq!(code(r#"{"jsonrpc":"2.0","id":1,"method":"textDocument/hover"}"#), None);
        assert_eq!(code(r#"{"jsonrpc":"2.0","id":1,"result":null}"#), None);
        assert_eq!(code(r#"{"jsonrpc":"2.0"}"#), Some(-32600));
    }

    #[test]
    fn exit_without_shutdown_is_remembered() {
        let flags = Flags::default();
        assert!(judge(br#"{"jsonrpc":"2.0","method":"exit"}"#, &flags).is_ok());
        assert!(flags.exit.load(Ordering::SeqCst) && !flags.shutdown.load(Ordering::SeqCst));
    }
}
