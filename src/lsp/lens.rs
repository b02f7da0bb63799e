//! The code lens at the top of a story (`textDocument/codeLens`): how many actors it names, how
//! many contested claims it makes and how many of those are attributed. Its command,
//! `frontline.showActors`, carries the actors and their first mentions; the VS Code extension
//! shows them in a quick pick (other clients may show the lens as a label only).

use serde_json::json;
use tower_lsp_server::ls_types::{CodeLens, Command, Position, Range};

use super::document::Snapshot;
use crate::text::pos::Near;
use crate::text::Encoding;

/// The command the lens runs.
pub const SHOW_ACTORS: &str = "frontline.showActors";

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The title: "3 actors named · 2 claims found · 1 attributed".
pub fn title(actors: usize, claims: usize, attributed: usize) -> String {
    format!(
        "{} named · {} found · {attributed} attributed",
        plural(actors, "actor", "actors"),
        plural(claims, "claim", "claims")
    )
}

/// The story's lens, on line 0.
pub fn lenses(uri: &str, snap: &Snapshot, enc: Encoding) -> Vec<CodeLens> {
    if snap.too_large {
        return Vec::new();
    }
    let kb = &snap.config.kb;
    let actors = snap.analysis.actors();
    let (claims, attributed) = snap.analysis.claim_counts(&snap.text);
    // (Actors come in order of first mention: each range is placed from the one before.)
    let mut near = Near::default();
    let listed: Vec<serde_json::Value> = actors
        .iter()
        .map(|named| {
            let a = kb.actor(named.actor);
            json!({
                "id": a.id,
                "name": a.name(),
                "kind": a.kind.label(),
                "count": named.mentions,
                "range": snap.lsp_range_near(&named.first.range, enc, &mut near),
            })
        })
        .collect();
    let top = Range::new(Position::new(0, 0), Position::new(0, 0));
    vec![CodeLens {
        range: top,
        command: Some(Command {
            title: title(actors.len(), claims, attributed),
            command: SHOW_ACTORS.into(),
            arguments: Some(vec![json!(uri), json!(listed)]),
        }),
        data: None,
    }]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_count_in_words() {
        assert_eq!(title(3, 2, 1), "3 actors named · 2 claims found · 1 attributed");
        assert_eq!(title(1, 1, 0), "1 actor named · 1 claim found · 0 attributed");
    }
}
