//! The command line: `frontline lsp`, `frontline check`, `frontline actors`.
//!
//! Exit codes (also in the README):
//! - 0: success;
//! - 1: `check` reported a finding at or above `--fail-on` (default `error`), or `actors` found no
//!   actor for the query;
//! - 2: the command line is wrong (clap's usage errors, an unknown house style or actor);
//! - 3: a file could not be read (not found, not UTF-8, no permission);
//! - 4: a knowledge-base file is broken (each problem printed with file:line:col);
//! - 5: a `frontline.toml` (or a setting given on the command line) is wrong (file:line:col).

mod actors;
mod check;
mod report;

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::{Parser, Subcommand, ValueEnum};

use crate::project::{self, Overrides, Project, Root};

pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_IO: u8 = 3;
pub const EXIT_KB: u8 = 4;
pub const EXIT_CONFIG: u8 = 5;

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

/// Where the project configuration comes from.
#[derive(Debug, Clone, clap::Args)]
pub struct ProjectArgs {
    /// Extra knowledge-base files, applied over the project's in order.
    #[arg(long = "kb", value_name = "FILE")]
    pub kb: Vec<PathBuf>,
    /// Use this frontline.toml for every file instead of the one found above each file.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,
    /// Ignore frontline.toml and actors.json files: the built-in knowledge base and the flags only.
    #[arg(long)]
    pub no_config: bool,
    /// Let a frontline.toml name knowledge-base files outside its folder.
    #[arg(long)]
    pub allow_outside: bool,
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
        #[command(flatten)]
        project: ProjectArgs,
        #[command(flatten)]
        style: StyleArgs,
        /// Set a rule's level, as CODE=LEVEL (a code or code prefix; error, warning, information,
        /// hint or off); applies over frontline.toml (repeatable).
        #[arg(long = "rule", value_name = "CODE=LEVEL")]
        rule: Vec<String>,
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
        #[command(flatten)]
        project: ProjectArgs,
    },
}

/// An error that ends the command with a given exit code.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct Failure {
    pub code: u8,
    pub message: String,
}

/// The projects of the files a command reads, each loaded once.
pub struct Projects {
    overrides: Overrides,
    /// `--config`: one configuration for every file.
    fixed: Option<Root>,
    no_config: bool,
    loaded: HashMap<Option<Root>, Arc<Project>>,
    /// Folder → its project's root, so each folder is walked up once.
    roots: HashMap<PathBuf, Option<Root>>,
}

impl Projects {
    pub fn new(args: &ProjectArgs, style: &StyleArgs, rules: &[String]) -> Result<Projects, Failure> {
        let mut parsed = Vec::new();
        for r in rules {
            let (code, level) = r.split_once('=').ok_or_else(|| Failure {
                code: 2,
                message: format!("--rule {r}: expected CODE=LEVEL, e.g. attribution/hedged=off"),
            })?;
            parsed.push((code.trim().to_string(), level.trim().to_string()));
        }
        let overrides = Overrides {
            style: style.style.clone(),
            prefer: style.prefer.clone(),
            rules: parsed,
            kb_files: args.kb.clone(),
            allow_outside: args.allow_outside,
            ..Overrides::default()
        };
        let fixed = match &args.config {
            Some(path) => {
                if !path.is_file() {
                    return Err(Failure { code: EXIT_CONFIG, message: format!("{}: no such file", path.display()) });
                }
                let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
                Some(Root { dir, config: Some(path.clone()) })
            }
            None => None,
        };
        Ok(Projects { overrides, fixed, no_config: args.no_config, loaded: HashMap::new(), roots: HashMap::new() })
    }

    /// The project that `path` (a file or a folder) belongs to.
    pub fn for_path(&mut self, path: &Path) -> Result<Arc<Project>, Failure> {
        let root = if self.no_config {
            None
        } else if let Some(fixed) = &self.fixed {
            Some(fixed.clone())
        } else {
            let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
            let dir = if abs.is_dir() { abs } else { abs.parent().map(Path::to_path_buf).unwrap_or_default() };
            self.roots.entry(dir.clone()).or_insert_with(|| project::discover(&dir)).clone()
        };
        if let Some(p) = self.loaded.get(&root) {
            return Ok(p.clone());
        }
        let project = project::load(root.as_ref(), &self.overrides, &project::read_disk).map_err(|e| {
            // A wrong flag (--style, --prefer, --rule) is a usage error.
            let flags_only = e.problems.iter().all(|p| p.file == project::SETTINGS);
            let code = if flags_only {
                2
            } else if e.in_config {
                EXIT_CONFIG
            } else {
                EXIT_KB
            };
            let message = if flags_only {
                e.problems.iter().map(|p| p.message.clone()).collect::<Vec<_>>().join("\n")
            } else {
                e.to_string()
            };
            Failure { code, message }
        })?;
        let project = Arc::new(project);
        self.loaded.insert(root, project.clone());
        Ok(project)
    }
}

/// Runs `check` or `actors` and returns the process exit code. (`lsp` is dispatched by `main.rs`,
/// which sits above both faces.)
pub fn run(command: Command) -> u8 {
    let result = match command {
        Command::Lsp { .. } => {
            Err(Failure { code: 2, message: "`lsp` is run by the binary, not the CLI module".into() })
        }
        Command::Check { paths, format, project, style, rule, fail_on, cross_story } => {
            Projects::new(&project, &style, &rule).and_then(|mut projects| {
                let fail_on = crate::analysis::Severity::parse(&fail_on).unwrap_or(crate::analysis::Severity::Error);
                check::run(&paths, format, fail_on, &mut projects, check::Options { cross_story })
            })
        }
        Command::Actors { query, format, project } => Projects::new(&project, &StyleArgs::none(), &[])
            .and_then(|mut projects| projects.for_path(Path::new(".")))
            .map(|p| actors::run(&p.kb, query.as_deref(), format)),
    };
    match result {
        Ok(code) => code,
        Err(f) => {
            eprintln!("frontline: {}", f.message);
            f.code
        }
    }
}

impl StyleArgs {
    fn none() -> StyleArgs {
        StyleArgs { style: None, prefer: Vec::new() }
    }
}

/// Writes to stdout, ending quietly if the reader has gone (`frontline actors | head`).
pub(crate) fn out(text: &str) -> bool {
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes()).and_then(|_| stdout.flush()).is_ok()
}
