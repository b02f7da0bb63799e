//! The command line: `frontline lsp`, `frontline check`, `frontline actors`.
//!
//! Exit codes (also in the README):
//! - 0: success;
//! - 1: `check` reported a finding at or above `--fail-on` (default `error`), or `actors` found no
//!   actor for the query;
//! - 2: the command line is wrong (clap's usage errors, an unknown house style or actor);
//! - 3: a file could not be read (not found, not UTF-8, no permission);
//! - 4: a knowledge-base file is broken (each problem printed with file:line:col).

mod actors;
mod check;
mod report;

use std::io::Write;
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::kb::KnowledgeBase;

pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_IO: u8 = 3;
pub const EXIT_KB: u8 = 4;

#[derive(Debug, Parser)]
#[command(
    name = "frontline",
    version,
    about = "Checks stories about armed conflict: who is named, how, and whether claims are attributed.",
    arg_required_else_help = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Readable report.
    Text,
    /// One JSON document (schema in docs/cli.md).
    Json,
    /// SARIF 2.1.0, for code-scanning tools (check only).
    Sarif,
}

/// Options shared by the commands that analyse text.
#[derive(Debug, Clone, clap::Args)]
pub struct StyleArgs {
    /// House style: ap, reuters, bbc, nyt or guardian.
    #[arg(long, value_name = "STYLE")]
    pub style: Option<String>,
    /// Prefer a name for one actor, as ACTOR-ID=NAME (repeatable; applies over --style).
    #[arg(long, value_name = "ACTOR=NAME")]
    pub prefer: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the language server on stdin/stdout.
    Lsp {
        /// Accepted for editor clients that add it; stdio is the only transport.
        #[arg(long)]
        stdio: bool,
    },
    /// Check .md and .txt files, or folders of them, and report what they say.
    Check {
        /// Files or folders.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Extra knowledge-base files, applied over the built-in one in order.
        #[arg(long = "kb", value_name = "FILE")]
        kb: Vec<PathBuf>,
        #[command(flatten)]
        style: StyleArgs,
        /// Exit with 1 when a finding of this severity or a more serious one is reported.
        #[arg(long, value_name = "SEVERITY", default_value = "error", value_parser = ["error", "warning", "information", "hint"])]
        fail_on: String,
        /// Also report an actor named from different naming families in different files
        /// (rule naming/cross-story).
        #[arg(long)]
        cross_story: bool,
    },
    /// Look actors up in the knowledge base and print their cards.
    Actors {
        /// A name, alias or id (any case, any spelling the knowledge base knows); all actors if absent.
        query: Option<String>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        #[arg(long = "kb", value_name = "FILE")]
        kb: Vec<PathBuf>,
    },
}

/// An error that ends the command with a given exit code.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct Failure {
    pub code: u8,
    pub message: String,
}

/// Loads the built-in knowledge base and the given files over it.
///
/// A broken file is fatal here: the CLI has no earlier state to fall back on.
pub fn load_kb(files: &[PathBuf]) -> Result<KnowledgeBase, Failure> {
    let mut texts = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(f).map_err(|e| Failure {
            code: EXIT_KB,
            message: format!("{}: cannot read knowledge-base file: {e}", f.display()),
        })?;
        texts.push((f.display().to_string(), text));
    }
    KnowledgeBase::with_files(&texts).map_err(|e| Failure { code: EXIT_KB, message: e.to_string() })
}

/// Runs `check` or `actors` and returns the process exit code. (`lsp` is dispatched by `main.rs`,
/// which sits above both faces.)
pub fn run(command: Command) -> u8 {
    let result = match command {
        Command::Lsp { .. } => {
            Err(Failure { code: 2, message: "`lsp` is run by the binary, not the CLI module".into() })
        }
        Command::Check { paths, format, kb, style, fail_on, cross_story } => load_kb(&kb).and_then(|kb| {
            let style = house_style(&kb, &style)?;
            let fail_on = crate::analysis::Severity::parse(&fail_on).unwrap_or(crate::analysis::Severity::Error);
            Ok(check::run(&kb, &paths, format, style, fail_on, check::Options { cross_story }))
        }),
        Command::Actors { query, format, kb } => load_kb(&kb).map(|kb| actors::run(&kb, query.as_deref(), format)),
    };
    match result {
        Ok(code) => code,
        Err(f) => {
            eprintln!("frontline: {}", f.message);
            f.code
        }
    }
}

/// The house style from `--style` and `--prefer`.
pub fn house_style(kb: &KnowledgeBase, args: &StyleArgs) -> Result<Option<crate::kb::HouseStyle>, Failure> {
    let usage = |e: crate::kb::StyleError| Failure { code: 2, message: e.to_string() };
    let mut style = match &args.style {
        Some(key) => Some(crate::kb::HouseStyle::preset(kb, key).map_err(usage)?),
        None if args.prefer.is_empty() => None,
        None => Some(crate::kb::HouseStyle::custom()),
    };
    if let Some(s) = style.as_mut() {
        for spec in &args.prefer {
            s.override_with(kb, spec).map_err(usage)?;
        }
    }
    Ok(style)
}

/// Writes to stdout, ending quietly if the reader has gone (`frontline actors | head`).
pub(crate) fn out(text: &str) -> bool {
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes()).and_then(|_| stdout.flush()).is_ok()
}
