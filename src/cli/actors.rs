//! `frontline actors`: look actors up and print their cards.

use serde_json::json;

use super::{out, Format, EXIT_FINDINGS};
use crate::analysis::card::card;
use crate::kb::KnowledgeBase;
use crate::text::fold::fold_str;

pub fn run(kb: &KnowledgeBase, query: Option<&str>, format: Format) -> u8 {
    let Some(query) = query else {
        return list(kb, &kb.search(""), format);
    };
    let hits = kb.search(query);
    let q = fold_str(query);
    let exact: Vec<_> = hits
        .iter()
        .copied()
        .filter(|&id| {
            let a = kb.actor(id);
            fold_str(&a.id) == q || a.names.iter().any(|n| fold_str(&n.text) == q)
        })
        .collect();
    let shown = if !exact.is_empty() {
        exact
    } else if hits.len() == 1 {
        hits.clone()
    } else if hits.is_empty() {
        eprintln!("frontline: no actor matches `{query}`");
        return EXIT_FINDINGS;
    } else {
        return list(kb, &hits, format);
    };
    match format {
        Format::Text => {
            let cards: Vec<String> = shown.iter().map(|&id| card(kb, id, None).to_text()).collect();
            out(&cards.join("\n"));
        }
        Format::Json | Format::Sarif => {
            let cards: Vec<_> = shown.iter().map(|&id| card_json(kb, id)).collect();
            out(&(serde_json::to_string_pretty(&json!({ "actors": cards })).unwrap_or_default() + "\n"));
        }
    }
    0
}

fn card_json(kb: &KnowledgeBase, id: crate::kb::ActorId) -> serde_json::Value {
    let a = kb.actor(id);
    json!({
        "id": a.id,
        "name": a.name(),
        "kind": a.kind,
        "description": a.description,
        "names": a.names.iter().map(|n| json!({
            "text": n.text, "form": n.form, "family": n.family, "lang": n.lang, "note": n.note,
        })).collect::<Vec<_>>(),
        "affiliations": a.affiliations.iter().map(|f| json!({
            "actor": kb.actor(f.actor).id, "relation": f.relation, "from": f.from, "to": f.to, "note": f.note,
        })).collect::<Vec<_>>(),
        "sources": a.sources,
    })
}

fn list(kb: &KnowledgeBase, ids: &[crate::kb::ActorId], format: Format) -> u8 {
    match format {
        Format::Text => {
            let mut s = String::new();
            for &id in ids {
                let a = kb.actor(id);
                s.push_str(&format!("{:<32} {:<18} {}\n", a.id, a.kind.key(), a.name()));
            }
            out(&s);
        }
        Format::Json | Format::Sarif => {
            let v: Vec<_> = ids
                .iter()
                .map(|&id| {
                    let a = kb.actor(id);
                    json!({ "id": a.id, "name": a.name(), "kind": a.kind })
                })
                .collect();
            out(&(serde_json::to_string_pretty(&json!({ "actors": v })).unwrap_or_default() + "\n"));
        }
    }
    0
}
