//! Open documents: a rope per document, its version, and the latest analysed snapshot.
//!
//! Edits are applied to the rope at once, in arrival order; the analysis runs afterwards, off the
//! protocol's path ([`super::server`]), and each result is published as an immutable [`Snapshot`]
//! through a `watch` channel. A request waits until the snapshot has caught up with the version it
//! was sent for.

use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use ropey::Rope;
use tokio::sync::watch;
use tower_lsp_server::ls_types::{Range as LspRange, TextDocumentContentChangeEvent};

use super::convert;
use super::semantic::{Source, Tokens};
use crate::analysis::{analyze, reanalyze_changed, Analysis, Kept, Settings};
use crate::kb::KnowledgeBase;
use crate::project::Project;
use crate::text::markdown::Flavor;
use crate::text::pos::{edited_text, edited_text_within, text_of, LineIndex, Near, Untouched};
use crate::text::Changed;
use crate::text::Encoding;

/// Every snapshot gets a number never used before: what the publisher, pull diagnostics and
/// semantic-token deltas compare to know whether anything changed.
static SERIAL: AtomicU64 = AtomicU64::new(1);

/// One version of a document with its analysis. Immutable: handlers clone the `Arc` and release
/// the store before doing any work.
#[derive(Debug)]
pub struct Snapshot {
    pub version: i32,
    pub flavor: Flavor,
    pub rope: Rope,
    pub text: String,
    /// Where the lines of `text` start, for the positions of many findings at once.
    pub lines: LineIndex,
    pub analysis: Analysis,
    /// Unique per snapshot.
    pub serial: u64,
    /// The knowledge base and settings it was analysed with: requests on this snapshot use this
    /// knowledge base (actor ids index it), whatever has been loaded since.
    pub config: Arc<Config>,
    /// Not analysed: the document is larger than the configured limit.
    pub too_large: bool,
    /// The snapshot this one was made from by an edit (its serial), and the bytes the edit
    /// changed: what lets the next publication take positions from the one before.
    pub edited_from: Option<(u64, Changed)>,
    /// The semantic tokens, once asked for.
    tokens: OnceLock<Arc<Tokens>>,
    /// The tokens of an earlier version, and what the analyses since kept of its mentions: what
    /// this version's tokens are derived from, when a client asks for them.
    tokens_from: Option<(Arc<Tokens>, Kept)>,
}

/// What the analysis runs with. Replaced whole when the settings change; `generation` tells
/// snapshots made with older settings apart.
#[derive(Debug)]
pub struct Config {
    pub kb: Arc<KnowledgeBase>,
    pub settings: Arc<Settings>,
    pub generation: u64,
    /// Documents larger than this (in bytes) are kept in sync but not analysed.
    pub max_file_size: usize,
    /// The project it was made from (its files, file globs, editor options).
    pub project: Arc<Project>,
}

impl Snapshot {
    /// Analyses one version, re-using what `previous` found in the blocks the edits left alone
    /// when it was made with the same knowledge base, settings and flavour.
    pub fn build(
        config: Arc<Config>,
        rope: Rope,
        version: i32,
        flavor: Flavor,
        previous: Option<&Snapshot>,
    ) -> Snapshot {
        Snapshot::build_after(config, rope, version, flavor, previous, None)
    }

    /// Whether a snapshot with `config` and `flavor` can be built from this one by re-analysing what
    /// the edits changed (else it is analysed afresh).
    pub fn can_follow(&self, config: &Config, flavor: Flavor) -> bool {
        self.config.generation == config.generation && self.flavor == flavor && !self.too_large
    }

    /// [`Snapshot::build`], told what the edits since the text of version `since.0` left alone
    /// (see [`Document::take`]): when `previous` is of that version, its text is copied there.
    pub fn build_after(
        config: Arc<Config>,
        rope: Rope,
        version: i32,
        flavor: Flavor,
        previous: Option<&Snapshot>,
        since: Option<(i32, Untouched)>,
    ) -> Snapshot {
        let Config { kb, settings, max_file_size, .. } = &*config;
        let serial = SERIAL.fetch_add(1, Ordering::Relaxed);
        let too_large = rope.len_bytes() > *max_file_size;
        let settings = Settings { flavor, ..(**settings).clone() };
        let mut tokens_from = None;
        let (text, analysis, lines, edited_from) = match previous {
            // Not analysed: no text or line index is kept either.
            _ if too_large => (String::new(), Analysis::default(), LineIndex::default(), None),
            Some(p) if p.can_follow(&config, flavor) => {
                // (The rope of `previous` is the document's before the edits: they share chunks.)
                // (`reanalyze_changed` checks `c` against `changed_bytes` in debug builds.)
                let (text, c) = match since {
                    Some((v, untouched)) if v == p.version => edited_text_within(&p.text, &rope, untouched),
                    _ => edited_text(&p.rope, &p.text, &rope),
                };
                let analysis = reanalyze_changed(kb, &p.analysis, &p.text, &text, c, &settings);
                let lines = p.lines.edited(&text, c.at, c.old_end, c.new_end);
                // The tokens of `p`, or those `p` would have derived its own from.
                tokens_from = analysis.kept().and_then(|kept| match (p.tokens.get(), &p.tokens_from) {
                    (Some(t), _) => Some((t.clone(), kept)),
                    (None, Some((t, before))) => Some((t.clone(), before.then(kept))),
                    (None, None) => None,
                });
                (text, analysis, lines, Some((p.serial, c)))
            }
            _ => {
                let text = text_of(&rope);
                let (analysis, lines) = (analyze(kb, &text, &settings), LineIndex::new(&text));
                (text, analysis, lines, None)
            }
        };
        if !too_large {
            debug_assert_eq!(text, text_of(&rope));
            // Every test that edits a document checks the edited index against a fresh one.
            debug_assert_eq!(lines, LineIndex::new(&text));
        }
        Snapshot {
            version,
            flavor,
            rope,
            text,
            lines,
            analysis,
            serial,
            config,
            too_large,
            edited_from,
            tokens: OnceLock::new(),
            tokens_from,
        }
    }

    /// The semantic tokens of this version in `enc`: derived from an earlier version's when the
    /// client asked for those (re-encoding only what the edits since changed), else encoded from
    /// every mention; kept for the versions after.
    pub fn semantic_tokens(&self, enc: Encoding) -> Arc<Tokens> {
        let make = || {
            let (src, analysis) = (self.source(), &self.analysis);
            let derived = self.tokens_from.as_ref().and_then(|(t, kept)| t.after(*kept, src, analysis, enc));
            Arc::new(derived.unwrap_or_else(|| Tokens::new(src, analysis, enc)))
        };
        let t = self.tokens.get_or_init(make);
        // (The position encoding is set once, at `initialize`: another one is not kept.)
        if t.encoding() == enc {
            t.clone()
        } else {
            make()
        }
    }

    /// What semantic tokens of this version are placed in.
    pub fn source(&self) -> Source<'_> {
        Source { kb: &self.config.kb, lines: &self.lines, rope: &self.rope, text: &self.text }
    }

    /// The LSP range of a byte range of the snapshot's text.
    pub fn lsp_range(&self, r: &Range<usize>, enc: Encoding) -> LspRange {
        self.lsp_range_near(r, enc, &mut Near::default())
    }

    /// [`Snapshot::lsp_range`] for many ranges in text order: `near` is where the last one ended
    /// ([`LineIndex::pos_near`]).
    pub fn lsp_range_near(&self, r: &Range<usize>, enc: Encoding, near: &mut Near) -> LspRange {
        if self.too_large {
            // Not analysed: no text or line index was kept.
            return convert::lsp_range(&self.rope, r, enc);
        }
        convert::lsp_range_near(&self.lines, &self.rope, &self.text, r, enc, near)
    }
}

/// An open document.
#[derive(Debug)]
pub struct Document {
    /// Unique per opening: an analysis started before a close and re-open is not stored.
    pub id: u64,
    pub rope: Rope,
    pub version: i32,
    pub flavor: Flavor,
    /// The latest analysed snapshot (none until the first analysis is done).
    latest: watch::Sender<Option<Arc<Snapshot>>>,
    /// The version last taken for analysis ([`Document::take`]), and what the changes since left
    /// alone of its text.
    since: Option<(i32, Untouched)>,
}

/// The flavour for an LSP language id, or `None` for languages we do not read.
pub fn flavor_of(language_id: &str) -> Option<Flavor> {
    match language_id {
        "markdown" | "mdx" => Some(Flavor::Markdown),
        "plaintext" | "text" => Some(Flavor::Plain),
        _ => None,
    }
}

/// Why a change was not applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeRejected {
    /// The change's version is not newer than the one held.
    Stale { held: i32, got: i32 },
}

impl Document {
    /// A document as opened; it is analysed afterwards.
    pub fn open(text: &str, version: i32, flavor: Flavor) -> Document {
        let id = SERIAL.fetch_add(1, Ordering::Relaxed);
        Document { id, rope: Rope::from_str(text), version, flavor, latest: watch::Sender::new(None), since: None }
    }

    /// Applies the changes of one `didChange` in order.
    pub fn change(
        &mut self,
        version: i32,
        changes: &[TextDocumentContentChangeEvent],
        enc: Encoding,
    ) -> Result<(), ChangeRejected> {
        if version <= self.version {
            return Err(ChangeRejected::Stale { held: self.version, got: version });
        }
        for c in changes {
            let len = self.rope.len_bytes();
            let replaced = convert::apply(&mut self.rope, c, enc);
            self.since = self.since.map(|(v, u)| (v, u.after(&replaced, len)));
        }
        self.version = version;
        Ok(())
    }

    /// The text to analyse: its rope and version, and, when a version was taken before, that
    /// version and what the changes since left alone of its text (a snapshot of it copies those
    /// bytes instead of finding them).
    pub fn take(&mut self) -> (Rope, i32, Option<(i32, Untouched)>) {
        let since = self.since.replace((self.version, Untouched::all(self.rope.len_bytes())));
        (self.rope.clone(), self.version, since)
    }

    /// The latest analysed snapshot, if any.
    pub fn latest(&self) -> Option<Arc<Snapshot>> {
        self.latest.borrow().clone()
    }

    /// Whether the version held has been analysed: its snapshot (or a newer one's) is stored.
    pub fn analysed(&self) -> bool {
        self.latest.borrow().as_ref().is_some_and(|s| s.version >= self.version)
    }

    /// A receiver that sees every new snapshot.
    pub fn subscribe(&self) -> watch::Receiver<Option<Arc<Snapshot>>> {
        self.latest.subscribe()
    }

    /// Stores a new snapshot unless a newer one (a later version, or the same version analysed
    /// with newer settings) is already there. Returns whether it was stored, and the snapshot it
    /// replaced (or the one refused): the caller drops it where that costs nothing, since the
    /// last reference to a large story's snapshot takes a while to free.
    pub fn offer(&self, snap: Arc<Snapshot>) -> (bool, Option<Arc<Snapshot>>) {
        let mut out = None;
        let stored = self.latest.send_if_modified(|cur| {
            let newer =
                cur.as_ref().is_none_or(|c| (snap.version, snap.config.generation) > (c.version, c.config.generation));
            out = if newer { cur.replace(snap.clone()) } else { Some(snap.clone()) };
            newer
        });
        (stored, out)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use tower_lsp_server::ls_types::Position;

    use super::*;
    use crate::lsp::projects::Projects;
    use crate::text::pos::pos_of;

    fn base() -> Arc<Config> {
        static KB: std::sync::OnceLock<Arc<KnowledgeBase>> = std::sync::OnceLock::new();
        let kb = KB.get_or_init(|| Arc::new(KnowledgeBase::builtin().expect("the built-in knowledge base loads")));
        Projects::new(kb.clone()).base()
    }

    /// A change replacing the characters `a..b` of `rope` (in either order) with `text`, in UTF-16
    /// positions, or the whole text.
    fn change(rope: &Rope, a: usize, b: usize, text: &str, whole: bool) -> TextDocumentContentChangeEvent {
        let n = rope.len_chars();
        let (a, b) = ((a % (n + 1)).min(b % (n + 1)), (a % (n + 1)).max(b % (n + 1)));
        let pos = |c: usize| {
            let p = pos_of(rope, rope.char_to_byte(c), Encoding::Utf16);
            Position::new(p.line, p.col)
        };
        let range = (!whole).then(|| LspRange::new(pos(a), pos(b)));
        let text = if whole { format!("{text}{}", rope) } else { text.to_string() };
        TextDocumentContentChangeEvent { range, range_length: None, text }
    }

    /// A document is analysed once a snapshot of the version it holds is stored, and not while
    /// a newer version waits (the workspace index waits for that).
    #[test]
    fn analysed_means_the_version_held_has_its_snapshot() {
        let mut doc = Document::open("ISIS left.\n", 1, Flavor::Markdown);
        assert!(!doc.analysed(), "nothing stored yet");
        let (rope, version, _) = doc.take();
        let first = Arc::new(Snapshot::build(base(), rope, version, Flavor::Markdown, None));
        doc.offer(first.clone());
        assert!(doc.analysed());
        let edit = TextDocumentContentChangeEvent { range: None, range_length: None, text: "ISIL left.\n".into() };
        doc.change(2, &[edit], Encoding::Utf16).unwrap();
        assert!(!doc.analysed(), "version 2 waits for its analysis");
        let (rope, version, _) = doc.take();
        doc.offer(Arc::new(Snapshot::build(base(), rope, version, Flavor::Markdown, Some(&first))));
        assert!(doc.analysed());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Told what the changes since the last version taken left alone, a snapshot copies that
        /// much of the text before and finds the rest as comparing the ropes does, through several
        /// changes per version, whole-text changes, and versions taken but never stored.
        #[test]
        fn what_changes_leave_alone_is_what_comparing_finds(
            changes in proptest::collection::vec(
                (0usize..4000, 0usize..4000, "[ax\n\r é🙂]{0,3}|ISIS|Daesh", any::<bool>(), 0u8..8),
                1..16,
            ),
        ) {
            let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/seeds/articles/000_a9beee0ed21879d9.txt"))
                .expect("seed");
            let text = format!("الرقة 🙂 ISIS.\r\n\r\n{text}");
            let mut doc = Document::open(&text, 1, Flavor::Markdown);
            let (rope, version, _) = doc.take();
            let mut stored = Snapshot::build(base(), rope, version, Flavor::Markdown, None);
            for (k, (a, b, ins, two, what)) in changes.into_iter().enumerate() {
                let mut events = vec![change(&doc.rope, a, b, &ins, what == 0)];
                if two {
                    let mut after = doc.rope.clone();
                    convert::apply(&mut after, &events[0], Encoding::Utf16);
                    events.push(change(&after, b, a / 2, "y", false));
                }
                doc.change(k as i32 + 2, &events, Encoding::Utf16).expect("a newer version");
                if what % 3 == 0 {
                    continue;
                }
                let (rope, version, since) = doc.take();
                let told = Snapshot::build_after(base(), rope.clone(), version, Flavor::Markdown, Some(&stored), since);
                let found = Snapshot::build(base(), rope, version, Flavor::Markdown, Some(&stored));
                prop_assert_eq!(&told.text, &found.text);
                prop_assert_eq!(told.edited_from.map(|e| e.1), found.edited_from.map(|e| e.1));
                prop_assert_eq!(&told.analysis, &found.analysis);
                // Some versions taken are not stored (a newer one was there first).
                if what % 3 == 1 {
                    stored = told;
                }
            }
        }
    }
}
