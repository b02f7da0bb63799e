//! Architecture rules, checked on the source text (after rust-analyzer's `tidy`):
//! every module says what it is for, LSP types stay in `lsp`, and each floor imports only the
//! floors below it: text ← kb ← analysis ← project ← lsp, cli ← main.rs.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

fn sources() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    files.sort();
    files
        .into_iter()
        .map(|p| {
            (p.strip_prefix(&root).unwrap().to_string_lossy().replace('\\', "/"), std::fs::read_to_string(&p).unwrap())
        })
        .collect()
}

fn floor(path: &str) -> Option<&'static str> {
    ["text", "kb", "analysis", "project", "lsp", "cli"].into_iter().find(|f| path.starts_with(&format!("{f}/")))
}

#[test]
fn every_module_has_a_doc_comment() {
    for (path, text) in sources() {
        // Test modules and files declared inline are exempt; every file starts with `//!`.
        assert!(text.trim_start().starts_with("//!"), "src/{path} lacks a `//!` module doc");
    }
}

#[test]
fn lsp_types_stay_in_the_lsp_module() {
    for (path, text) in sources() {
        if floor(&path) == Some("lsp") {
            continue;
        }
        for banned in ["tower_lsp_server", "ls_types", "dashmap", "tokio::"] {
            assert!(!text.contains(banned), "src/{path} uses `{banned}`, which belongs in src/lsp");
        }
    }
}

#[test]
fn floors_import_only_from_below() {
    let allowed: &[(&str, &[&str])] = &[
        ("text", &[]),
        ("kb", &["text"]),
        ("analysis", &["text", "kb"]),
        ("project", &["text", "kb", "analysis"]),
        ("lsp", &["text", "kb", "analysis", "project"]),
        ("cli", &["text", "kb", "analysis", "project"]),
    ];
    for (path, text) in sources() {
        let Some(f) = floor(&path) else { continue };
        let ok = allowed.iter().find(|(name, _)| *name == f).unwrap().1;
        for other in ["text", "kb", "analysis", "project", "lsp", "cli"] {
            if other == f || ok.contains(&other) {
                continue;
            }
            assert!(!text.contains(&format!("crate::{other}")), "src/{path} ({f}) imports crate::{other}");
        }
    }
}

/// SECURITY.md promises that frontline opens no network connection, runs no program and writes no
/// file of its own: none of the APIs for that appear in the source.
#[test]
fn no_network_no_child_processes_no_file_writes() {
    let banned = [
        "std::net",
        "TcpStream",
        "UdpSocket",
        "process::Command",
        "Command::new",
        "fs::write",
        "File::create",
        "OpenOptions",
        "fs::remove",
        "fs::rename",
        "set_permissions",
    ];
    for (path, text) in sources() {
        for b in banned {
            assert!(!text.contains(b), "{path} uses `{b}` (see SECURITY.md)");
        }
    }
}
