//! frontline: a language server and command-line checker for people who write about armed conflict.
//!
//! The crate is layered in floors; each module imports only the floors below it:
//!
//! - [`text`]: ropes, positions in every LSP encoding, folding for matching, Markdown spans.
//! - [`kb`]: the knowledge base of actors, its loader and validator, and the alias matcher.
//! - [`analysis`]: what a story says: mentions of actors, and the cards shown for them.
//! - [`project`]: `frontline.toml`, a project's knowledge-base files and the settings they make.
//! - [`lsp`] and [`cli`]: the two faces, the language server and the command line.
//! - [`panics`]: the message of a caught panic, which both faces report.
//!
//! Only [`lsp`] knows about the Language Server Protocol. See `ARCHITECTURE.md`.

#![forbid(unsafe_code)]

pub mod analysis;
pub mod cli;
pub mod kb;
pub mod lsp;
pub mod panics;
pub mod project;
pub mod text;
