//! What a story says, computed from its text and the knowledge base.
//!
//! Pure functions over `&str` and byte offsets: nothing here knows about the protocol, ropes or
//! files.
//!
//! - [`analyze`] finds the mentions of actors, decides whose words each is in ([`voice`]), and runs
//!   the rules ([`naming`], [`attribution`] with the cue lexicons of [`crate::kb::lexicon`]) that produce [`findings`].
//! - [`blocks`] cuts the story into blocks analysed on their own, assembles them, and after an
//!   edit re-analyses only the blocks it touched ([`reanalyze`]); [`block_list`] keeps the blocks
//!   in chunks that the analyses of successive versions share; [`story_mentions`] reads the
//!   story's mentions from them by index.
//! - [`suppress`] applies the writer's suppression comments to the findings, last.
//! - [`card`] builds the card shown for an actor.
//! - [`corpus`] compares the naming of stories checked together.
//! - [`rename`] works out the edits that rename an actor in a story.

pub mod attribution;
pub mod block_list;
pub mod blocks;
pub mod card;
pub mod corpus;
pub mod findings;
pub mod levels;
mod mentions;
pub mod naming;
pub mod rename;
pub mod story_mentions;
pub mod suppress;
pub mod voice;

pub use blocks::{reanalyze, reanalyze_changed};
pub use findings::{Finding, Severity};
pub use levels::Levels;
pub use mentions::{analyze, Analysis, Kept, Mention, NamedActor, Others, Settings};
pub use voice::Voice;
