//! The language server: the only module that knows about the Language Server Protocol.
//!
//! It converts between LSP positions and byte offsets ([`convert`]), keeps open documents in ropes
//! ([`document`]), encodes semantic tokens ([`semantic`]) and diagnostics and code actions
//! ([`diagnostics`], with the "Ignore" actions of [`ignore`]), completes actor names ([`complete`]), shows canonical names as inlay hints
//! ([`inlay`]) and a story's counts as a code lens ([`lens`]), symbols ([`symbols`]), references
//! and rename ([`references`]) with the index of the workspace's stories ([`workspace`]), keeps
//! the projects of open documents ([`projects`]) and writes their knowledge-base files
//! ([`kb_actions`]), and wires requests to the analysis ([`server`]), leaving background work
//! for quiet moments ([`activity`]). Everything it shows is
//! computed by [`crate::analysis`].
//!
//! Invariants (see `ARCHITECTURE.md`):
//! - every `didOpen`/`didChange`/`didClose` is applied synchronously, before the handler's first
//!   `.await`, so edits are applied in arrival order even though handlers run concurrently;
//! - no `DashMap` guard is held across an `.await`: handlers clone an `Arc` snapshot and drop it;
//! - whatever is published carries the document version it was computed from;
//! - nothing is written to stdout but the protocol.

pub mod activity;
pub mod complete;
pub mod convert;
pub mod diagnostics;
pub mod document;
pub mod ignore;
pub mod inlay;
pub mod kb_actions;
pub mod lens;
pub mod projects;
pub mod references;
pub mod semantic;
pub mod server;
pub mod symbols;
pub mod transport;
pub mod workspace;

pub use server::{run_stdio, Backend};
