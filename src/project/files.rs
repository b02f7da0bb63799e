//! Which files of a project are stories: `[files] include` and `exclude` globs, relative to the
//! project's folder.

use std::ops::Range;
use std::path::Path;

use globset::{Glob, GlobSet, GlobSetBuilder};

use super::config::FilesSection;
use crate::text::markdown::Flavor;

/// The globs a story's path must match (include) and must not match (exclude).
#[derive(Debug, Clone)]
pub struct FileFilter {
    include: GlobSet,
    exclude: GlobSet,
}

/// The flavour of a story by its file's extension (`.md`, `.markdown`: Markdown; `.txt`: plain
/// text), or `None` for files that are not read as stories.
pub fn flavor_of_path(path: &Path) -> Option<Flavor> {
    match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
        "md" | "markdown" => Some(Flavor::Markdown),
        "txt" => Some(Flavor::Plain),
        _ => None,
    }
}

/// The stories a project reads when its configuration does not say.
pub const DEFAULT_INCLUDE: &[&str] = &["**/*.md", "**/*.markdown", "**/*.txt"];

impl Default for FileFilter {
    fn default() -> FileFilter {
        let mut include = GlobSetBuilder::new();
        for g in DEFAULT_INCLUDE {
            if let Ok(g) = Glob::new(g) {
                include.add(g);
            }
        }
        FileFilter { include: include.build().unwrap_or_else(|_| GlobSet::empty()), exclude: GlobSet::empty() }
    }
}

impl FileFilter {
    /// The filter a `[files]` section describes; a bad glob comes back with its span.
    pub fn new(section: &FilesSection) -> Result<FileFilter, (Range<usize>, String)> {
        let build = |globs: &[toml::Spanned<String>]| -> Result<GlobSet, (Range<usize>, String)> {
            let mut set = GlobSetBuilder::new();
            for g in globs {
                let glob = Glob::new(g.get_ref()).map_err(|e| (g.span(), format!("bad glob: {e}")))?;
                set.add(glob);
            }
            set.build().map_err(|e| (0..0, format!("bad globs: {e}")))
        };
        let include = match &section.include {
            Some(globs) => build(globs)?,
            None => FileFilter::default().include,
        };
        Ok(FileFilter { include, exclude: build(&section.exclude)? })
    }

    /// Whether `path` (relative to the project folder, or absolute under `root`) is a story of
    /// the project.
    pub fn wants(&self, root: Option<&Path>, path: &Path) -> bool {
        let abs = std::path::absolute(path).map(|p| super::normalize(&p)).unwrap_or_else(|_| path.to_path_buf());
        let rel = root.and_then(|r| abs.strip_prefix(r).ok()).unwrap_or(path);
        self.include.is_match(rel) && !self.exclude.is_match(rel)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::config::parse;

    #[test]
    fn include_then_exclude() {
        let c = parse("f", "[files]\ninclude = [\"stories/**/*.md\"]\nexclude = [\"stories/archive/**\"]\n").unwrap();
        let f = FileFilter::new(&c.files).unwrap();
        let root = Path::new("/p");
        assert!(f.wants(Some(root), Path::new("/p/stories/syria/a.md")));
        assert!(!f.wants(Some(root), Path::new("/p/stories/archive/a.md")));
        assert!(!f.wants(Some(root), Path::new("/p/notes/a.md")));
        let d = FileFilter::default();
        assert!(d.wants(None, Path::new("x/y.txt")) && !d.wants(None, Path::new("x/y.json")));
    }

    #[test]
    fn bad_globs_point_at_the_value() {
        let text = "[files]\nexclude = [\"a/[b\"]\n";
        let c = parse("f", text).unwrap();
        let (span, message) = FileFilter::new(&c.files).unwrap_err();
        assert_eq!(&text[span], "\"a/[b\"");
        assert!(message.contains("bad glob"), "{message}");
    }
}
