//! Findings as LSP diagnostics (and as the JSON of a whole publication, [`Publication`]) and
//! code actions (their fixes, then the "Ignore" actions of [`super::ignore`]).

use std::ops::Range;
use std::sync::Arc;

use tower_lsp_server::ls_types::{
    CodeAction, CodeActionKind, Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, DocumentChanges,
    Location, NumberOrString, OneOf, OptionalVersionedTextDocumentIdentifier, Position, Range as LspRange,
    TextDocumentEdit, TextEdit, Uri, WorkspaceEdit,
};

use super::document::Snapshot;
use super::ignore::ignore_actions;
use super::transport::{Body, Bytes};
use crate::analysis::findings::{Edit, Placed};
use crate::analysis::{Finding, Severity};
use crate::text::pos::Near;
use crate::text::{Changed, Encoding};

fn severity(s: Severity) -> DiagnosticSeverity {
    match s {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Information => DiagnosticSeverity::INFORMATION,
        Severity::Hint => DiagnosticSeverity::HINT,
    }
}

pub fn diagnostic(uri: &Uri, snap: &Snapshot, f: &Finding, enc: Encoding) -> Diagnostic {
    let related: Vec<DiagnosticRelatedInformation> = f
        .related
        .iter()
        .map(|r| DiagnosticRelatedInformation {
            location: Location { uri: uri.clone(), range: snap.lsp_range(&r.range, enc) },
            message: r.message.to_string(),
        })
        .collect();
    Diagnostic {
        range: snap.lsp_range(&f.range, enc),
        severity: Some(severity(f.severity())),
        code: Some(NumberOrString::String(f.code().to_string())),
        source: Some("frontline".into()),
        message: f.message.to_string(),
        related_information: (!related.is_empty()).then_some(related),
        ..Default::default()
    }
}

/// Every finding of a snapshot as diagnostics.
pub fn diagnostics(uri: &Uri, snap: &Snapshot, enc: Encoding) -> Vec<Diagnostic> {
    snap.analysis.findings.iter().map(|f| diagnostic(uri, snap, &f, enc)).collect()
}

/// Writes `s` as a JSON string: as it is between quotes when nothing in it needs escaping (finding
/// messages are plain prose: a message is scanned, 32 bytes at a time, not escaped byte by byte),
/// else escaped by serde_json.
fn write_json_str(out: &mut Vec<u8>, s: &str) {
    // Without branches or an early exit inside a chunk, so that it compiles to vector compares.
    let needs = |any: bool, b: &u8| any | (*b < 0x20) | (*b == b'"') | (*b == b'\\');
    let mut chunks = s.as_bytes().chunks_exact(32);
    let plain = chunks.by_ref().all(|c| !c.iter().fold(false, needs)) && !chunks.remainder().iter().fold(false, needs);
    if plain {
        out.reserve(s.len() + 2);
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
    } else if serde_json::to_writer(&mut *out, s).is_err() {
        // Writing to a `Vec` cannot fail; keep the JSON valid all the same.
        out.extend_from_slice(b"\"\"");
    }
}

/// A `textDocument/publishDiagnostics` notification of a snapshot, written by hand: the JSON of
/// [`diagnostics`] without building a `Diagnostic` (five allocations) for each finding, with
/// strings and numbers written straight into the buffer. A 1 MB story has thousands of findings
/// and its publication is a megabyte, resent whole after each keystroke (LSP has no way to send
/// only what changed); so the publisher keeps each publication until the next, which takes from
/// it the JSON of every diagnostic that reads the same: the diagnostics the edit left as they were
/// (most of them) as pieces of the buffers they lie in, without copying them, and the others'
/// JSON copied when they read as one published before.
pub struct Publication {
    /// The snapshot published: held so that its findings' texts stay alive, which lets the next
    /// publication compare texts by address.
    snap: Arc<Snapshot>,
    enc: Encoding,
    /// The whole message.
    pub body: Body,
    /// The buffers that the body's pieces lie in: the publication's own first, then those of
    /// earlier publications that it takes diagnostics from.
    bufs: Vec<Bytes>,
    /// Per finding of `snap`, in order: where its JSON lies, and where its positions start in
    /// `positions`.
    items: Vec<Item>,
    /// The LSP positions of every finding in turn: its range's start and end, then those of each
    /// related place.
    positions: Vec<Position>,
    /// How many diagnostics were copied from the publication before.
    pub copied: usize,
}

struct Item {
    /// Which of the publication's `bufs` holds its JSON, and where.
    buf: u32,
    json: Range<usize>,
    positions: usize,
}

/// A body is made of at most this many pieces; past it, the publication is written out in one
/// buffer, so that a body does not fray into ever more pieces and old buffers are let go (each
/// edit adds a few).
const MAX_PIECES: usize = 48;

/// The body of a publication as it is made: bytes written into its own buffer, and pieces of the
/// buffers of the publication before.
struct Pieces {
    own: Vec<u8>,
    /// The buffers pieces lie in; the own buffer is the first, put in place by [`Pieces::finish`].
    bufs: Vec<Bytes>,
    /// For each buffer of the publication before, its index in `bufs` once a piece lies in it.
    from_old: Vec<Option<u32>>,
    /// The body: ranges of `bufs`, in order.
    pieces: Vec<(u32, Range<usize>)>,
}

impl Pieces {
    fn new(room: usize, previous: Option<&Publication>) -> Pieces {
        Pieces {
            own: Vec::with_capacity(room),
            bufs: vec![Arc::default()],
            from_old: vec![None; previous.map_or(0, |p| p.bufs.len())],
            pieces: Vec::new(),
        }
    }

    /// Adds `r` of buffer `buf` to the body, extending the last piece when it runs on.
    fn extend(&mut self, buf: u32, r: Range<usize>) {
        match self.pieces.last_mut() {
            Some((b, last)) if *b == buf && last.end == r.start => last.end = r.end,
            _ => self.pieces.push((buf, r)),
        }
    }

    /// Writes `bytes` into the own buffer, at the end of the body.
    fn push(&mut self, bytes: &[u8]) {
        let start = self.own.len();
        self.own.extend_from_slice(bytes);
        self.extend(0, start..self.own.len());
    }

    /// Writes with `write` into the own buffer, at the end of the body; returns where.
    fn write(&mut self, write: impl FnOnce(&mut Vec<u8>)) -> Range<usize> {
        let start = self.own.len();
        write(&mut self.own);
        self.extend(0, start..self.own.len());
        start..self.own.len()
    }

    /// The index in `bufs` of buffer `old` of the publication before.
    fn old_buf(&mut self, p: &Publication, old: u32) -> u32 {
        let slot = &mut self.from_old[old as usize];
        *slot.get_or_insert_with(|| {
            self.bufs.push(p.bufs[old as usize].clone());
            (self.bufs.len() - 1) as u32
        })
    }

    /// The body and its buffers; `items` are moved into one buffer when the body is made of too
    /// many pieces.
    fn finish(mut self, items: &mut [Item]) -> (Body, Vec<Bytes>) {
        self.bufs[0] = Arc::new(std::mem::take(&mut self.own));
        if self.pieces.len() > MAX_PIECES {
            let mut flat = Vec::with_capacity(self.pieces.iter().map(|(_, r)| r.len()).sum());
            let mut starts = Vec::with_capacity(self.pieces.len());
            for (b, r) in &self.pieces {
                starts.push(flat.len());
                flat.extend_from_slice(&self.bufs[*b as usize][r.clone()]);
            }
            // Items lie in pieces, in order.
            let mut k = 0;
            for item in items.iter_mut() {
                let holds = |(b, r): &(u32, Range<usize>)| {
                    *b == item.buf && r.start <= item.json.start && item.json.end <= r.end
                };
                while k < self.pieces.len() && !holds(&self.pieces[k]) {
                    k += 1;
                }
                let Some(piece) = self.pieces.get(k) else {
                    debug_assert!(false, "every item lies in a piece, in order");
                    break;
                };
                let at = starts[k] + item.json.start - piece.1.start;
                *item = Item { buf: 0, json: at..at + item.json.len(), positions: item.positions };
            }
            let len = flat.len();
            let flat = Arc::new(flat);
            return (Body::new(vec![(flat.clone(), 0..len)]), vec![flat]);
        }
        let body = Body::new(self.pieces.iter().map(|(b, r)| (self.bufs[*b as usize].clone(), r.clone())).collect());
        (body, self.bufs)
    }
}

impl Publication {
    /// The publication of `snap`'s findings for `uri`, copying what it can from `previous` (the
    /// last publication for the same URI).
    pub fn new(uri: &Uri, snap: Arc<Snapshot>, enc: Encoding, previous: Option<&Publication>) -> Publication {
        let previous = previous.filter(|p| p.enc == enc);
        let findings = &snap.analysis.findings;
        let uri_json = serde_json::to_vec(uri).unwrap_or_else(|_| b"\"\"".to_vec());
        let mut before = previous.and_then(|p| Before::new(p, &snap));
        // Enough room for what is written here (a 1 MB story's body is 1 MB; after an edit most
        // of it is taken from the publication before): growing the buffer would copy it. The
        // positions of a finding are two, and two per related place.
        let (mut room, mut places) = (256 + uri_json.len(), 0);
        for f in findings.placed_iter() {
            places += 2 + 2 * f.finding.related.len();
        }
        if before.is_none() {
            for f in findings.placed_iter().map(|p| p.finding) {
                let related: usize = f.related.iter().map(|r| 128 + uri_json.len() + r.message.len()).sum();
                room += 192 + f.message.len() + related;
            }
        }
        let mut out = Pieces::new(room, previous);
        let mut positions = Vec::with_capacity(places);
        let mut items = Vec::with_capacity(findings.len());
        let mut copied = 0;
        let mut cursor = 0;
        // Findings come in text order, and so, mostly, do their related places.
        let (mut near, mut near_related) = (Near::default(), Near::default());
        out.push(br#"{"jsonrpc":"2.0","method":"textDocument/publishDiagnostics","params":{"uri":"#);
        out.push(&uri_json);
        out.push(br#","diagnostics":["#);
        // The old diagnostics taken last and not yet added: added together, as pieces of the
        // buffers they lie in.
        let mut run: Option<Range<usize>> = None;
        for f in findings.placed_iter() {
            if let Some((b, k)) = before.as_mut().and_then(|b| b.unchanged(f).map(|k| (b.p, k))) {
                copied += 1;
                match &mut run {
                    Some(r) if r.end == k => r.end = k + 1,
                    _ => {
                        if let Some(r) = run.replace(k..k + 1) {
                            take_run(&mut out, &mut positions, &mut items, b, r);
                        }
                    }
                }
                continue;
            }
            if let (Some(b), Some(r)) = (&before, run.take()) {
                take_run(&mut out, &mut positions, &mut items, b.p, r);
            }
            if !items.is_empty() {
                out.push(b",");
            }
            let at = positions.len();
            let old = before.as_mut().and_then(|b| b.positions_of(f));
            for (j, r) in ranges(f).enumerate() {
                let near = if j == 0 { &mut near } else { &mut near_related };
                let r = match (&before, old) {
                    (Some(b), Some(old)) => b.range(&snap, &r, &old[2 * j..2 * j + 2], enc, near),
                    _ => snap.lsp_range_near(&r, enc, near),
                };
                positions.extend([r.start, r.end]);
            }
            let json = match previous.and_then(|p| p.json_like(&mut cursor, f.finding, &positions[at..])) {
                Some(json) => {
                    copied += 1;
                    out.write(|o| o.extend_from_slice(json))
                }
                None => out.write(|o| write_diagnostic(o, f.finding, &positions[at..], &uri_json)),
            };
            items.push(Item { buf: 0, json, positions: at });
        }
        if let (Some(b), Some(r)) = (&before, run.take()) {
            take_run(&mut out, &mut positions, &mut items, b.p, r);
        }
        out.push(br#"],"version":"#);
        out.push(itoa::Buffer::new().format(snap.version).as_bytes());
        out.push(b"}}");
        let (body, bufs) = out.finish(&mut items);
        Publication { snap, enc, body, bufs, items, positions, copied }
    }

    /// The JSON published for a finding that reads as `f` at `positions` does, if there was one.
    /// `cursor` is where to look from: findings are asked about in text order.
    fn json_like(&self, cursor: &mut usize, f: &Finding, positions: &[Position]) -> Option<&[u8]> {
        let start = positions[0];
        let first = |k: usize| self.positions[self.items[k].positions];
        while *cursor < self.items.len() && first(*cursor) < start {
            *cursor += 1;
        }
        let old = &self.snap.analysis.findings;
        (*cursor..self.items.len()).take_while(|&k| first(k) == start).find_map(|k| {
            let (g, item) = (old.placed(k)?.finding, &self.items[k]);
            let same = g.rule == f.rule
                && same_text(&g.message, &f.message)
                && g.related.len() == f.related.len()
                && (Arc::ptr_eq(&g.related, &f.related)
                    || g.related.iter().zip(f.related.iter()).all(|(a, b)| same_text(&a.message, &b.message)))
                && self.positions.get(item.positions..item.positions + positions.len()) == Some(positions);
            same.then(|| &self.bufs[item.buf as usize][item.json.clone()])
        })
    }
}

/// Adds the old diagnostics `run` (indices into `p`'s items) to the body as they were, with their
/// positions: as pieces of the buffers they lie in, one piece for those that lie side by side
/// (with the commas between them).
fn take_run(
    out: &mut Pieces,
    positions: &mut Vec<Position>,
    items: &mut Vec<Item>,
    p: &Publication,
    run: Range<usize>,
) {
    let mut k = run.start;
    while k < run.end {
        // The longest stretch from `k` that lies side by side in one buffer.
        let mut end = k + 1;
        while end < run.end
            && p.items[end].buf == p.items[k].buf
            && p.items[end].json.start == p.items[end - 1].json.end + 1
        {
            end += 1;
        }
        let (first, last) = (&p.items[k], &p.items[end - 1]);
        if !items.is_empty() {
            out.push(b",");
        }
        let buf = out.old_buf(p, first.buf);
        out.extend(buf, first.json.start..last.json.end);
        let pos_end = p.items.get(end).map_or(p.positions.len(), |i| i.positions);
        let pos_from = positions.len();
        positions.extend_from_slice(&p.positions[first.positions..pos_end]);
        items.extend(p.items[k..end].iter().map(|i| Item {
            buf,
            json: i.json.clone(),
            positions: i.positions - first.positions + pos_from,
        }));
        k = end;
    }
}

/// What a publication after an edit takes from the publication of the text before it: the
/// positions of the findings that were there already, where the edit cannot have changed them.
/// An offset before the changed bytes keeps its position; one after them keeps its column when
/// its line starts after them (and the line is looked up). Counting a column in UTF-16 can mean
/// reading the line up to it, for thousands of findings on every keystroke.
struct Before<'p> {
    p: &'p Publication,
    changed: Changed,
    /// The first of `p`'s findings not passed yet (findings are looked up in text order).
    cursor: usize,
    /// The edit left the number of lines as it was: a line that starts after it keeps its number.
    same_lines: bool,
}

impl<'p> Before<'p> {
    /// For a publication of `snap` after `p`'s, when `snap` was made by an edit of `p`'s snapshot.
    fn new(p: &'p Publication, snap: &Snapshot) -> Option<Before<'p>> {
        let (serial, changed) = snap.edited_from?;
        let same_lines = p.snap.lines.lines() == snap.lines.lines();
        (serial == p.snap.serial && !snap.too_large && !p.snap.too_large).then_some(Before {
            p,
            changed,
            cursor: 0,
            same_lines,
        })
    }

    /// Where `r`, a range of the text after the edit, was before it: `None` if the edit touched it.
    fn back(&self, r: &Range<usize>) -> Option<Range<usize>> {
        let c = &self.changed;
        if r.end <= c.at {
            Some(r.clone())
        } else if r.start >= c.new_end {
            Some(c.back(r.start)..c.back(r.end))
        } else {
            None
        }
    }

    /// The old finding at `f`'s ranges as they were before the edit (`None` if the edit touched
    /// one), with the same rule and texts too when `same_texts`. Findings are asked about in text
    /// order.
    fn old_finding(&mut self, f: Placed<'_>, same_texts: bool) -> Option<usize> {
        let range = self.back(&f.range())?;
        let start = range.start;
        let old = &self.p.snap.analysis.findings;
        let old_start = |k: usize| old.placed(k).map(|g| g.range().start);
        while old_start(self.cursor).is_some_and(|s| s < start) {
            self.cursor += 1;
        }
        let (f_at, f) = (f, f.finding);
        let same = |g_at: Placed<'_>| {
            let g = g_at.finding;
            g_at.range() == range
                && (!same_texts || (g.rule == f.rule && same_text(&g.message, &f.message)))
                && g.related.len() == f.related.len()
                && g.related.iter().zip(f.related.iter()).enumerate().all(|(j, (a, b))| {
                    (!same_texts || same_text(&a.message, &b.message))
                        && Some(g_at.related_range(j)) == self.back(&f_at.related_range(j))
                })
        };
        (self.cursor..old.len()).take_while(|&k| old_start(k) == Some(start)).find(|&k| old.placed(k).is_some_and(same))
    }

    /// The old finding that `f` is (the same rule, message and related places, its ranges moved
    /// by the edit at most) when the edit left every one of its positions as it was: then its
    /// JSON is the old one too. Most findings of a long story, after a keystroke.
    fn unchanged(&mut self, f: Placed<'_>) -> Option<usize> {
        let k = self.old_finding(f, true)?;
        // A range before the changed bytes reads as before; one after them too, on a line that
        // starts after them (a `\r\n` is two bytes) when the edit added or removed no line.
        let (p, c) = (self.p, &self.changed);
        let kept = |r: &Range<usize>, old: Position| {
            r.end <= c.at
                || (self.same_lines && p.snap.lines.line_start(old.line as usize).is_some_and(|s| s >= c.old_end + 2))
        };
        let from = p.items[k].positions;
        ranges(f).enumerate().all(|(j, r)| kept(&r, p.positions[from + 2 * j])).then_some(k)
    }

    /// The positions published before for a finding whose ranges were those of `f` (see
    /// [`Publication::positions`]), if there was one.
    fn positions_of(&mut self, f: Placed<'_>) -> Option<&'p [Position]> {
        let k = self.old_finding(f, false)?;
        let (p, from) = (self.p, self.p.items[k].positions);
        p.positions.get(from..from + 2 + 2 * f.finding.related.len())
    }

    /// The LSP range of `r` in `snap`, a range that was at `old` (its two positions) before the
    /// edit and that the edit did not touch.
    fn range(&self, snap: &Snapshot, r: &Range<usize>, old: &[Position], enc: Encoding, near: &mut Near) -> LspRange {
        let c = &self.changed;
        if r.end <= c.at {
            return LspRange::new(old[0], old[1]);
        }
        // The line break before the line is after the changed bytes (a `\r\n` is two bytes), so
        // the line reads as before up to the range.
        let line_kept = self.p.snap.lines.line_start(old[0].line as usize).is_some_and(|s| s >= c.old_end + 2);
        if !line_kept {
            return snap.lsp_range_near(r, enc, near);
        }
        let mut pos = |b: usize, old: Position| {
            let p = snap.lines.pos_near_in_column(b, old.character as usize, enc, near);
            Position::new(p.line, p.col)
        };
        LspRange::new(pos(r.start, old[0]), pos(r.end, old[1]))
    }
}

/// Whether two findings' texts are the same: shared (a finding kept or moved), or equal (a finding
/// of an actor or a sentence judged again that reads as before, made anew).
fn same_text(a: &Arc<str>, b: &Arc<str>) -> bool {
    Arc::ptr_eq(a, b) || a == b
}

/// The ranges of `f` where they lie now: its own, then those of its related places.
fn ranges(f: Placed<'_>) -> impl Iterator<Item = Range<usize>> + '_ {
    std::iter::once(f.range()).chain((0..f.finding.related.len()).map(move |j| f.related_range(j)))
}

/// The JSON of one diagnostic: `f` at `positions` (see [`Publication::positions`]).
fn write_diagnostic(out: &mut Vec<u8>, f: &Finding, positions: &[Position], uri_json: &[u8]) {
    let mut num = itoa::Buffer::new();
    let mut range = |out: &mut Vec<u8>, start: Position, end: Position| {
        for (key, n) in [
            (&br#"{"start":{"line":"#[..], start.line),
            (br#","character":"#, start.character),
            (br#"},"end":{"line":"#, end.line),
            (br#","character":"#, end.character),
        ] {
            out.extend_from_slice(key);
            out.extend_from_slice(num.format(n).as_bytes());
        }
        out.extend_from_slice(b"}}");
    };
    out.extend_from_slice(br#"{"range":"#);
    range(out, positions[0], positions[1]);
    let severity = match f.severity() {
        Severity::Error => b'1',
        Severity::Warning => b'2',
        Severity::Information => b'3',
        Severity::Hint => b'4',
    };
    out.extend_from_slice(br#","severity":"#);
    out.push(severity);
    // Codes are ASCII without quotes or backslashes (rule table).
    out.extend_from_slice(br#","code":""#);
    out.extend_from_slice(f.code().as_bytes());
    out.extend_from_slice(br#"","source":"frontline","message":"#);
    write_json_str(out, &f.message);
    if !f.related.is_empty() {
        out.extend_from_slice(br#","relatedInformation":["#);
        for (j, r) in f.related.iter().enumerate() {
            if j > 0 {
                out.push(b',');
            }
            out.extend_from_slice(br#"{"location":{"uri":"#);
            out.extend_from_slice(uri_json);
            out.extend_from_slice(br#","range":"#);
            range(out, positions[2 + 2 * j], positions[3 + 2 * j]);
            out.extend_from_slice(br#"},"message":"#);
            write_json_str(out, &r.message);
            out.push(b'}');
        }
        out.push(b']');
    }
    out.push(b'}');
}

/// A workspace edit of `edits` (byte ranges in the snapshot's text) that carries the snapshot's
/// version, so a client never applies it to newer text.
pub fn versioned_edit(uri: &Uri, snap: &Snapshot, edits: &[Edit], enc: Encoding) -> WorkspaceEdit {
    let edits = edits
        .iter()
        .map(|e| OneOf::Left(TextEdit { range: snap.lsp_range(&e.range, enc), new_text: e.text.to_string() }))
        .collect();
    let doc_edit = TextDocumentEdit {
        text_document: OptionalVersionedTextDocumentIdentifier { uri: uri.clone(), version: Some(snap.version) },
        edits,
    };
    WorkspaceEdit { document_changes: Some(DocumentChanges::Edits(vec![doc_edit])), ..Default::default() }
}

/// The quick fixes of the findings that overlap `range` (byte offsets), as code actions whose edits
/// carry the snapshot's version, so a client never applies them to newer text; then, for each of
/// those findings, the actions that ignore it ([`super::ignore`]).
pub fn code_actions(uri: &Uri, snap: &Snapshot, range: std::ops::Range<usize>, enc: Encoding) -> Vec<CodeAction> {
    let mut out: Vec<CodeAction> = Vec::new();
    let mut ignores: Vec<CodeAction> = Vec::new();
    for placed in snap.analysis.findings.placed_iter() {
        let at = placed.range();
        let touches = at.start <= range.end && range.start <= at.end;
        if !touches {
            continue;
        }
        let f = &*placed.moved();
        let diag = diagnostic(uri, snap, f, enc);
        for fix in f.fixes.iter() {
            if out.iter().any(|a| *a.title == *fix.title) {
                continue;
            }
            out.push(CodeAction {
                title: fix.title.to_string(),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![diag.clone()]),
                edit: Some(versioned_edit(uri, snap, &fix.edits.at(&f.range), enc)),
                is_preferred: Some(fix.preferred),
                ..Default::default()
            });
        }
        for a in ignore_actions(uri, snap, f, &diag, enc) {
            // Two findings of one code on one line are ignored by one comment.
            if !ignores.iter().any(|b| b.title == a.title && b.edit == a.edit) {
                ignores.push(a);
            }
        }
    }
    out.extend(ignores);
    out
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use ropey::Rope;
    use tower_lsp_server::ls_types::PublishDiagnosticsParams;

    use super::*;
    use crate::kb::KnowledgeBase;
    use crate::lsp::projects::Projects;
    use crate::text::markdown::Flavor;

    fn base() -> Arc<crate::lsp::document::Config> {
        Projects::new(Arc::new(KnowledgeBase::builtin().expect("the built-in knowledge base loads"))).base()
    }

    /// Every seed, and one with CRLF line ends, Arabic and an emoji before the findings.
    fn texts() -> Vec<String> {
        let mut texts: Vec<String> = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/seeds/articles"))
            .expect("seeds")
            .map(|e| std::fs::read_to_string(e.expect("entry").path()).expect("seed"))
            .collect();
        texts.push(format!("الرقة 🙂 Daesh and ISIS.\r\n\r\n{}", texts[0].replace('\n', "\r\n")));
        texts
    }

    /// Checks that `publication` is the JSON of the snapshot's diagnostics.
    fn check(uri: &Uri, snap: &Snapshot, enc: Encoding, publication: &Publication) {
        let owned = PublishDiagnosticsParams {
            uri: uri.clone(),
            diagnostics: diagnostics(uri, snap, enc),
            version: Some(snap.version),
        };
        let direct: serde_json::Value = serde_json::from_slice(&publication.body.to_vec()).expect("valid JSON");
        assert_eq!(direct["method"], "textDocument/publishDiagnostics");
        assert_eq!(direct["params"], serde_json::to_value(&owned).expect("serialises"));
    }

    #[test]
    fn a_publication_body_is_the_json_of_the_diagnostics() {
        let base = base();
        let uri: Uri = "file:///story.md".parse().expect("uri");
        let mut related = 0;
        for text in &texts() {
            let snap = Arc::new(Snapshot::build(base.clone(), Rope::from_str(text), 3, Flavor::Markdown, None));
            related += snap.analysis.findings.iter().filter(|f| !f.related.is_empty()).count();
            for enc in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
                check(&uri, &snap, enc, &Publication::new(&uri, snap.clone(), enc, None));
            }
        }
        assert!(related > 0, "some finding has related information");
    }

    #[test]
    fn an_actor_judged_again_keeps_the_json_of_its_findings_that_read_the_same() {
        // Twenty paragraphs that mix ISIS and Daesh: a mixed-names finding on each Daesh. A letter
        // typed into the last ISIS makes the actor be judged again, so its findings are made anew;
        // all but those next to the edit read as before, and their JSON is copied.
        let base = base();
        let uri: Uri = "file:///story.md".parse().expect("uri");
        let text: String = (0..20).map(|k| format!("ISIS fighters left town {k}. Daesh came back.\n\n")).collect();
        let mut rope = Rope::from_str(&text);
        let snap = Arc::new(Snapshot::build(base.clone(), rope.clone(), 1, Flavor::Markdown, None));
        let before = Publication::new(&uri, snap.clone(), Encoding::Utf16, None);
        let at = text.rfind("ISIS").expect("a last ISIS") + 2;
        rope.insert_char(rope.byte_to_char(at), 'x');
        let next = Arc::new(Snapshot::build(base, rope, 2, Flavor::Markdown, Some(&snap)));
        let p = Publication::new(&uri, next.clone(), Encoding::Utf16, Some(&before));
        check(&uri, &next, Encoding::Utf16, &p);
        let n = next.analysis.findings.len();
        let mixed = next.analysis.findings.iter().filter(|f| f.code() == "naming/mixed-names").count();
        assert!(mixed >= 19, "a finding on each Daesh: {mixed} of {n}");
        assert!(p.copied + 2 >= n, "{} of {n} copied", p.copied);
    }

    #[test]
    fn a_publication_after_an_edit_copies_only_what_reads_the_same() {
        // Edits of every kind at spread-out places, each published after the one before: a letter
        // in a line, a line break, a letter deleted, a name replaced (its findings change but stay
        // where they were), in every encoding; every body must be the JSON of its diagnostics.
        let base = base();
        let uri: Uri = "file:///story.md".parse().expect("uri");
        let (mut copied, mut written) = (0, 0);
        for text in &texts() {
            for enc in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
                let mut rope = Rope::from_str(text);
                let mut snap = Arc::new(Snapshot::build(base.clone(), rope.clone(), 1, Flavor::Markdown, None));
                let mut publication = Publication::new(&uri, snap.clone(), enc, None);
                for k in 0..12 {
                    let chars = rope.len_chars();
                    let at = (k * 7919 + 31) % chars;
                    match k % 4 {
                        0 => rope.insert_char(at, 'x'),
                        1 => rope.insert_char(at, '\n'),
                        2 => rope.remove(at..at + 1),
                        _ => {
                            let s = rope.to_string();
                            let Some(found) = s.find("ISIS").or_else(|| s.find("Daesh")) else { continue };
                            let from = rope.byte_to_char(found);
                            rope.remove(from..from + 4);
                            rope.insert(from, "ISIL");
                        }
                    }
                    let next = Arc::new(Snapshot::build(
                        base.clone(),
                        rope.clone(),
                        k as i32 + 2,
                        Flavor::Markdown,
                        Some(&snap),
                    ));
                    let p = Publication::new(&uri, next.clone(), enc, Some(&publication));
                    check(&uri, &next, enc, &p);
                    if k % 2 == 0 {
                        // A letter typed or deleted changes a few diagnostics (a line break moves
                        // every one after it; a name replaced changes its actor's).
                        copied += p.copied;
                        written += next.analysis.findings.len() - p.copied;
                    }
                    (snap, publication) = (next, p);
                }
            }
        }
        assert!(copied > 10 * written, "most diagnostics are copied: {copied} copied, {written} written");
        assert!(written > 0, "the edits changed some diagnostics");
    }

    #[test]
    fn a_long_run_of_edits_takes_pieces_of_earlier_bodies_and_stays_whole() {
        // Two hundred letters typed and deleted at spread-out places, with a line break now and
        // then, each published after the one before: the bodies are pieces of earlier ones (fewer
        // than the limit, which a flattened body starts again from), and always the JSON of their
        // diagnostics.
        let base = base();
        let uri: Uri = "file:///story.md".parse().expect("uri");
        let text = texts().concat();
        let mut rope = Rope::from_str(&text);
        let mut snap = Arc::new(Snapshot::build(base.clone(), rope.clone(), 1, Flavor::Markdown, None));
        let mut publication = Publication::new(&uri, snap.clone(), Encoding::Utf16, None);
        let (mut most, mut flattened) = (0, 0);
        for k in 0..200_usize {
            let at = (k / 2 * 7919 + 31) % rope.len_chars();
            match k % 2 {
                0 if k % 34 == 0 => rope.insert_char(at, '\n'),
                0 => rope.insert_char(at, 'x'),
                _ => rope.remove(at..at + 1),
            }
            let next =
                Arc::new(Snapshot::build(base.clone(), rope.clone(), k as i32 + 2, Flavor::Markdown, Some(&snap)));
            let p = Publication::new(&uri, next.clone(), Encoding::Utf16, Some(&publication));
            check(&uri, &next, Encoding::Utf16, &p);
            assert!(p.body.pieces() <= MAX_PIECES, "{} pieces", p.body.pieces());
            assert!(p.bufs.len() <= MAX_PIECES);
            most = most.max(p.body.pieces());
            flattened += usize::from(p.body.pieces() == 1);
            (snap, publication) = (next, p);
        }
        assert!(most > 10, "bodies are made of pieces of earlier ones (at most {most})");
        assert!(flattened > 0, "a body with too many pieces is flattened");
    }

    #[test]
    fn positions_are_taken_from_before_an_edit_only_where_it_cannot_move_them() {
        // Every edit at every place around line breaks of each kind (`\r\n`, `\n`, a lone `\r`),
        // with findings on the lines before and after and on the edited line itself, in UTF-16
        // (Arabic and an emoji make columns differ from byte counts).
        let base = base();
        let uri: Uri = "file:///story.md".parse().expect("uri");
        let text = "الرقة 🙂 ISIS and Daesh.\r\nThe Islamic State 🙂 and ISIL.\nDaesh 🙂 and ISIS.\rISIL and Daesh.\n";
        let (mut reused, mut findings) = (0, 0);
        for at in 0..=text.len() {
            if !text.is_char_boundary(at) {
                continue;
            }
            for edit in ["x", "\n", "\r", "🙂", ""] {
                let mut new = text.to_string();
                if edit.is_empty() {
                    let Some(c) = text[at..].chars().next() else { continue };
                    new.replace_range(at..at + c.len_utf8(), "");
                } else {
                    new.insert_str(at, edit);
                }
                let snap = Arc::new(Snapshot::build(base.clone(), Rope::from_str(text), 1, Flavor::Plain, None));
                let before = Publication::new(&uri, snap.clone(), Encoding::Utf16, None);
                let next = Arc::new(Snapshot::build(base.clone(), Rope::from_str(&new), 2, Flavor::Plain, Some(&snap)));
                let after = Publication::new(&uri, next.clone(), Encoding::Utf16, Some(&before));
                check(&uri, &next, Encoding::Utf16, &after);
                let mut b = Before::new(&before, &next).expect("an edit of the snapshot published before");
                reused += next.analysis.findings.placed_iter().filter(|f| b.positions_of(*f).is_some()).count();
                findings += next.analysis.findings.len();
            }
        }
        assert!(reused * 2 > findings, "{reused} of {findings} findings took their positions from before");
    }
}
