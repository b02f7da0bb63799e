//! What a story says, computed from its text and the knowledge base.
//!
//! Pure functions over `&str` and byte offsets: nothing here knows about the protocol, ropes or
//! files. [`analyze`] finds the mentions of actors; [`card`] builds the card shown for an actor.

pub mod card;
mod mentions;

pub use mentions::{analyze, Analysis, Mention};
