//! A loop to run under a profiler: `cargo run --release --example profile -- [RUNS] [SIZE] [--edit]`.
//!
//! Analyses the seed articles concatenated (with a blank line between) and repeated until SIZE
//! bytes (default 1,000,000), RUNS times (default 30), and prints the median and the fastest run.
//! With `--edit`, it analyses once and then measures the re-analysis after a one-character edit
//! at a different place each run, as a keystroke costs the server. With `--keystroke` (and
//! `--utf8` for UTF-8 positions instead of UTF-16), it runs
//! what the server runs for each keystroke: the next snapshot from the previous one (the rope to a
//! string from the bytes the edit left alone, the changed bytes, the re-analysis, the line index), then the `publishDiagnostics`
//! body, inserting a letter and deleting it again at spread-out places; it prints both stages,
//! and then what the semantic-tokens delta an editor asks for after each edit costs (the tokens
//! of the new version, derived from the previous version's, and the edit from those).
//! `--pause MS` sleeps MS milliseconds before each keystroke, as a writer's keystrokes come apart:
//! the processor has then done other things, and the keystroke finds less of its data in cache.
//! `--level PATTERN=LEVEL` (repeatable; the fresh analysis and `--edit`) sets a rule level.
//!
//! docs/benchmarks-history.md counts instructions with it: under `valgrind --tool=callgrind`, the cost of one
//! analysis (and of freeing it) is the difference between 21 runs and 1 run, divided by 20.

// A report on stdout is this program's whole purpose.
#![allow(clippy::print_stdout)]

use std::sync::Arc;
use std::time::Instant;

use frontline::analysis::{analyze, reanalyze, Settings};
use frontline::kb::KnowledgeBase;
use frontline::lsp::diagnostics::Publication;
use frontline::lsp::document::Snapshot;
use frontline::lsp::projects::Projects;
use frontline::lsp::semantic;
use frontline::text::markdown::Flavor;
use frontline::text::pos::{Replaced, Untouched};
use frontline::text::Encoding;

fn corpus(size: usize) -> Result<String, String> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/seeds/articles");
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| format!("{dir}: {e}"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    paths.sort();
    let texts = paths
        .iter()
        .map(|p| std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display())))
        .collect::<Result<Vec<_>, _>>()?;
    if texts.is_empty() {
        return Err(format!("no seed articles in {dir}"));
    }
    let mut s = String::new();
    while s.len() < size {
        for t in &texts {
            s.push_str(t);
            s.push_str("\n\n");
        }
    }
    Ok(s)
}

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let edit = args.iter().any(|a| a == "--edit");
    let keystroke = args.iter().any(|a| a == "--keystroke");
    // (The number after `--pause` is its argument, not RUNS or SIZE.)
    let numbers: Vec<usize> = args
        .iter()
        .enumerate()
        .filter(|(i, _)| *i == 0 || args[i - 1] != "--pause")
        .filter_map(|(_, a)| a.parse().ok())
        .collect();
    let runs = numbers.first().copied().unwrap_or(30).max(1);
    let size = numbers.get(1).copied().unwrap_or(1_000_000);
    let text = corpus(size)?;
    let kb = KnowledgeBase::builtin().map_err(|e| e.to_string())?;
    // `--level PATTERN=LEVEL` (repeatable) sets a rule level, as a project's `[rules]` does.
    let mut settings = Settings::new(Flavor::Markdown);
    for (i, a) in args.iter().enumerate() {
        if a == "--level" {
            let (pattern, level) = args.get(i + 1).and_then(|p| p.split_once('=')).ok_or("--level PATTERN=LEVEL")?;
            settings.levels.set(pattern, level).map_err(|e| format!("--level {pattern}={level}: {e:?}"))?;
        }
    }
    let mut times = Vec::with_capacity(runs);
    if keystroke {
        // UTF-16 positions, as VS Code asks for; `--utf8` as Neovim and the LSP bench's client
        // offer.
        let enc = if args.iter().any(|a| a == "--utf8") { Encoding::Utf8 } else { Encoding::Utf16 };
        let pause = args.iter().position(|a| a == "--pause").and_then(|i| args.get(i + 1)?.parse().ok()).unwrap_or(0);
        return keystrokes(kb, &text, runs, enc, std::time::Duration::from_millis(pause));
    }
    if edit {
        let base = analyze(&kb, &text, &settings);
        for k in 0..runs {
            let at = frontline::text::floor_char_boundary(&text, (k * 7919 * 131) % text.len());
            let mut edited = text.clone();
            edited.insert(at, 'x');
            let t = Instant::now();
            let a = reanalyze(&kb, &base, &text, &edited, &settings);
            times.push(t.elapsed().as_secs_f64() * 1e3);
            std::hint::black_box(a);
        }
    } else {
        for _ in 0..runs {
            let t = Instant::now();
            let a = analyze(&kb, &text, &settings);
            times.push(t.elapsed().as_secs_f64() * 1e3);
            std::hint::black_box(a);
        }
    }
    times.sort_by(f64::total_cmp);
    let what = if edit { "re-analysis after a one-character edit" } else { "fresh analysis" };
    println!(
        "{what} of {} bytes, {runs} runs: median {:.3} ms, fastest {:.3} ms",
        text.len(),
        times[times.len() / 2],
        times[0]
    );
    Ok(())
}

/// The server's work for each keystroke, stage by stage (see the module's documentation).
fn keystrokes(
    kb: KnowledgeBase,
    text: &str,
    runs: usize,
    enc: Encoding,
    pause: std::time::Duration,
) -> Result<(), String> {
    let config = Projects::new(Arc::new(kb)).base();
    let uri: tower_lsp_server::ls_types::Uri = "file:///story.md".parse().map_err(|e| format!("{e:?}"))?;
    let mut rope = ropey::Rope::from_str(text);
    let mut snap = Arc::new(Snapshot::build(config.clone(), rope.clone(), 1, Flavor::Markdown, None));
    let mut publication = Publication::new(&uri, snap.clone(), enc, None);
    let (mut build, mut body) = (Vec::with_capacity(runs), Vec::with_capacity(runs));
    let mut tokens = snap.semantic_tokens(enc);
    let (mut delta, mut edited) = (Vec::with_capacity(runs), 0);
    let mut copied = 0;
    for k in 0..runs {
        let at = rope.byte_to_char(frontline::text::floor_char_boundary(text, (k / 2 * 7919 * 131) % text.len()));
        let (len, byte) = (rope.len_bytes(), rope.char_to_byte(at));
        let replaced = if k % 2 == 0 {
            rope.insert_char(at, 'x');
            Replaced { old: byte..byte, new_len: 1 }
        } else {
            let end = rope.char_to_byte(at + 1);
            rope.remove(at..at + 1);
            Replaced { old: byte..end, new_len: 0 }
        };
        // What the server's document tells the snapshot: the bytes the edit left alone.
        let since = Some((snap.version, Untouched::all(len).after(&replaced, len)));
        if !pause.is_zero() {
            std::thread::sleep(pause);
        }
        let t = Instant::now();
        let next =
            Snapshot::build_after(config.clone(), rope.clone(), k as i32 + 2, Flavor::Markdown, Some(&snap), since);
        build.push(t.elapsed().as_secs_f64() * 1e3);
        snap = Arc::new(next);
        let t = Instant::now();
        let p = Publication::new(&uri, snap.clone(), enc, Some(&publication));
        body.push(t.elapsed().as_secs_f64() * 1e3);
        copied += p.copied;
        publication = p;
        // What a semantic-tokens delta request then costs (an editor sends one after each edit).
        let t = Instant::now();
        let now = snap.semantic_tokens(enc);
        let edits = semantic::edits(&tokens.data, &now.data);
        delta.push(t.elapsed().as_secs_f64() * 1e3);
        edited += edits.iter().map(|e| e.data.as_ref().map_or(0, Vec::len)).sum::<usize>();
        tokens = now;
    }
    for v in [&mut build, &mut body, &mut delta] {
        v.sort_by(f64::total_cmp);
    }
    println!(
        "keystrokes on {} bytes ({enc:?} positions, {pause:?} apart), {runs} runs: snapshot median {:.3} ms (fastest {:.3}, p95 {:.3}, slowest {:.3}); publication of {} diagnostics \
         ({} bytes, {:.1} copied from the one before on average) median {:.3} ms (fastest {:.3})",
        text.len(),
        build[runs / 2],
        build[0],
        build[runs * 95 / 100],
        build[runs - 1],
        snap.analysis.findings.len(),
        publication.body.len(),
        copied as f64 / runs as f64,
        body[runs / 2],
        body[0]
    );
    println!(
        "semantic-tokens delta after each keystroke ({} tokens, {:.1} sent per delta on average): median {:.3} ms (fastest {:.3}, p95 {:.3})",
        tokens.data.len(),
        edited as f64 / runs as f64,
        delta[runs / 2],
        delta[0],
        delta[runs * 95 / 100]
    );
    Ok(())
}
