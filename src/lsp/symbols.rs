//! Symbols: the actors a story names, as an outline (`textDocument/documentSymbol`, grouped by
//! kind), and the actors of the knowledge base found by name across the workspace
//! (`workspace/symbol`).

use std::collections::HashMap;
use std::sync::Arc;

use tower_lsp_server::ls_types::{
    DocumentSymbol, DocumentSymbolResponse, Location, OneOf, Range as LspRange, SymbolInformation, SymbolKind, Uri,
    WorkspaceLocation, WorkspaceSymbol,
};

use super::document::Snapshot;
use super::workspace::FileIndex;
use crate::kb::{ActorKind, KnowledgeBase};
use crate::text::pos::Near;
use crate::text::Encoding;

/// The heading of a kind's group in the outline.
pub fn group_label(kind: ActorKind) -> &'static str {
    match kind {
        ActorKind::ArmedGroup => "Armed groups",
        ActorKind::StateForce => "State forces",
        ActorKind::State => "States",
        ActorKind::Person => "People",
        ActorKind::Place => "Places",
        ActorKind::Media => "Media",
        ActorKind::PoliticalBody => "Political bodies",
        ActorKind::Coalition => "Coalitions",
        ActorKind::InternationalOrg => "International organisations",
    }
}

/// The symbol kind an actor is shown with (the same families as its semantic-token super-type).
pub fn symbol_kind(kind: ActorKind) -> SymbolKind {
    match kind {
        ActorKind::ArmedGroup => SymbolKind::CLASS,
        ActorKind::StateForce => SymbolKind::STRUCT,
        ActorKind::State => SymbolKind::NAMESPACE,
        ActorKind::Person => SymbolKind::VARIABLE,
        ActorKind::Place => SymbolKind::ENUM_MEMBER,
        ActorKind::Media => SymbolKind::INTERFACE,
        ActorKind::PoliticalBody => SymbolKind::OBJECT,
        ActorKind::Coalition => SymbolKind::ENUM,
        ActorKind::InternationalOrg => SymbolKind::TYPE_PARAMETER,
    }
}

fn mentions_label(n: usize) -> String {
    if n == 1 {
        "1 mention".to_string()
    } else {
        format!("{n} mentions")
    }
}

/// The outline of a story: one parent per actor kind (in `ActorKind::ALL` order), its actors as
/// children in order of first mention, each at its first mention. Flat `SymbolInformation` (with
/// the kind's heading as container) for clients without hierarchical support.
#[allow(deprecated)] // `SymbolInformation::deprecated` and `DocumentSymbol::deprecated` must be set.
pub fn document_symbols(uri: &Uri, snap: &Snapshot, enc: Encoding, hierarchical: bool) -> DocumentSymbolResponse {
    let kb = &snap.config.kb;
    let mut groups: Vec<(ActorKind, Vec<DocumentSymbol>)> = Vec::new();
    // (Actors come in order of first mention: each range is placed from the one before.)
    let mut near = Near::default();
    for named in snap.analysis.actors() {
        let (a, count) = (kb.actor(named.actor), named.mentions);
        let range = snap.lsp_range_near(&named.first.range, enc, &mut near);
        let child = DocumentSymbol {
            name: a.name().to_string(),
            detail: Some(mentions_label(count)),
            kind: symbol_kind(a.kind),
            tags: None,
            deprecated: None,
            range,
            selection_range: range,
            children: None,
        };
        match groups.iter_mut().find(|(k, _)| *k == a.kind) {
            Some((_, v)) => v.push(child),
            None => groups.push((a.kind, vec![child])),
        }
    }
    groups.sort_by_key(|(k, _)| ActorKind::ALL.iter().position(|x| x == k));
    if !hierarchical {
        let flat = groups
            .into_iter()
            .flat_map(|(kind, children)| {
                children.into_iter().map(move |c| SymbolInformation {
                    name: c.name,
                    kind: c.kind,
                    tags: None,
                    deprecated: None,
                    location: Location { uri: uri.clone(), range: c.range },
                    container_name: Some(group_label(kind).to_string()),
                })
            })
            .collect();
        return DocumentSymbolResponse::Flat(flat);
    }
    let nested = groups
        .into_iter()
        .map(|(kind, children)| {
            let start = children.iter().map(|c| c.range.start).min().unwrap_or_default();
            let end = children.iter().map(|c| c.range.end).max().unwrap_or_default();
            let total: usize = children.len();
            DocumentSymbol {
                name: group_label(kind).to_string(),
                detail: Some(if total == 1 { "1 actor".to_string() } else { format!("{total} actors") }),
                kind: SymbolKind::PACKAGE,
                tags: None,
                deprecated: None,
                range: LspRange::new(start, end),
                selection_range: children.first().map(|c| c.range).unwrap_or_default(),
                children: Some(children),
            }
        })
        .collect();
    DocumentSymbolResponse::Nested(nested)
}

/// Where an actor is first named, by actor id: the open documents first (in the order given), then
/// the indexed files. Open documents stand for their files: `index` must not hold them.
pub fn first_mentions(
    open: &[(Uri, Arc<Snapshot>)],
    index: &[(Uri, Arc<FileIndex>)],
    enc: Encoding,
) -> HashMap<String, Location> {
    let mut out: HashMap<String, Location> = HashMap::new();
    for (uri, snap) in open {
        let kb = &snap.config.kb;
        let mut near = Near::default();
        for named in snap.analysis.actors() {
            let id = &kb.actor(named.actor).id;
            if out.contains_key(id) {
                continue;
            }
            let range = snap.lsp_range_near(&named.first.range, enc, &mut near);
            out.insert(id.clone(), Location { uri: uri.clone(), range });
        }
    }
    for (uri, file) in index {
        for (id, ranges) in &file.mentions {
            if let (false, Some(r)) = (out.contains_key(id), ranges.first()) {
                out.insert(id.clone(), Location { uri: uri.clone(), range: *r });
            }
        }
    }
    out
}

/// The file an actor's entry came from, when it is a file on disk (user knowledge-base files).
fn origin_uri(kb: &KnowledgeBase, id: &str) -> Option<Uri> {
    let actor = kb.actor(kb.by_id(id)?);
    let path = std::path::Path::new(&actor.origin);
    if path.is_absolute() && path.is_file() {
        Uri::from_file_path(path)
    } else {
        None
    }
}

/// The actors matching `query` (see [`KnowledgeBase::search`]) that the workspace names, each at
/// its first mention; with `without_range` (the client resolves locations), actors not named
/// anywhere but defined in a knowledge-base file on disk are given as that file, without a range.
#[allow(deprecated)]
pub fn workspace_symbols(
    kb: &KnowledgeBase,
    query: &str,
    firsts: &HashMap<String, Location>,
    without_range: bool,
) -> Vec<WorkspaceSymbol> {
    kb.search(query)
        .into_iter()
        .filter_map(|id| {
            let a = kb.actor(id);
            let location = match firsts.get(&a.id) {
                Some(l) => OneOf::Left(l.clone()),
                None if without_range => OneOf::Right(WorkspaceLocation { uri: origin_uri(kb, &a.id)? }),
                None => return None,
            };
            Some(WorkspaceSymbol {
                name: a.name().to_string(),
                kind: symbol_kind(a.kind),
                tags: None,
                container_name: Some(group_label(a.kind).to_string()),
                location,
                data: Some(serde_json::Value::String(a.id.clone())),
            })
        })
        .collect()
}

/// Fills in the location of a symbol given without a range, if the workspace names the actor now.
pub fn resolve(mut symbol: WorkspaceSymbol, firsts: &HashMap<String, Location>) -> WorkspaceSymbol {
    let id = symbol.data.as_ref().and_then(|d| d.as_str());
    if let (OneOf::Right(_), Some(l)) = (&symbol.location, id.and_then(|id| firsts.get(id))) {
        symbol.location = OneOf::Left(l.clone());
    }
    symbol
}
