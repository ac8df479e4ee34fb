//! Which paths differ between two commits, so a push refreshes only the
//! Applications whose `path` it touches.

use std::collections::BTreeSet;

use git2::{DiffOptions, FileMode, Repository};

use crate::resolve::CommitId;

/// What differs between two commits.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    /// Repository-relative paths (no leading `/`) added, deleted or modified, sorted and unique.
    /// A rename lists both names; a submodule bump lists the submodule's path.
    pub paths: Vec<String>,
    /// A symbolic link was added, removed or retargeted. Reads through it may now land anywhere
    /// (a reader records the path it landed on, not the link), so no path can be ruled out.
    pub links: bool,
}

impl Changes {
    /// Nothing differs.
    pub fn is_empty(&self) -> bool {
        self.paths.is_empty()
    }

    /// Whether anything under `dir` (repository-relative, `""` or `.` for the root) may differ.
    pub fn touches(&self, dir: &str) -> bool {
        let dir = dir.trim_matches('/');
        let dir = if dir == "." { "" } else { dir };
        self.links
            || self.paths.iter().any(|path| {
                dir.is_empty()
                    || path == dir
                    || path.strip_prefix(dir).is_some_and(|rest| rest.starts_with('/'))
            })
    }

    /// Whether a reader of `files` (repository-relative) may read something different now.
    pub fn touches_any(&self, files: &BTreeSet<String>) -> bool {
        self.links || self.paths.iter().any(|path| files.contains(path))
    }
}

/// The [`Changes`] between `from` and `to`.
pub(crate) fn changed_paths(repo: &Repository, from: CommitId, to: CommitId) -> Result<Changes, git2::Error> {
    let old = repo.find_commit(from.0)?.tree()?;
    let new = repo.find_commit(to.0)?.tree()?;
    let mut options = DiffOptions::new();
    options.include_typechange(true).ignore_submodules(false);
    let diff = repo.diff_tree_to_tree(Some(&old), Some(&new), Some(&mut options))?;
    let mut changes = Changes::default();
    for delta in diff.deltas() {
        for file in [delta.old_file(), delta.new_file()] {
            changes.links |= file.exists() && file.mode() == FileMode::Link;
            if let Some(path) = file.path() {
                changes.paths.push(path.to_string_lossy().into_owned());
            }
        }
    }
    changes.paths.sort();
    changes.paths.dedup();
    Ok(changes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn changes(paths: &[&str], links: bool) -> Changes {
        Changes {
            paths: paths.iter().map(|p| p.to_string()).collect(),
            links,
        }
    }

    #[test]
    fn touches_respects_path_segments() {
        let changed = changes(&["apps/web/kustomization.yaml", "base/cm.yaml"], false);
        let cases = [
            ("apps/web", true),
            ("/apps/web/", true),
            ("apps", true),
            ("apps/we", false),
            ("apps/web2", false),
            ("", true),
            (".", true),
            ("base/cm.yaml", true),
            ("other", false),
        ];
        for (dir, want) in cases {
            assert_eq!(changed.touches(dir), want, "{dir}");
        }
        assert!(!changes(&[], false).touches(""));
    }

    #[test]
    fn a_reader_is_touched_by_its_own_files_or_any_link() {
        let read: BTreeSet<String> = [
            "apps/web/base/kustomization.yaml",
            "apps/web/overlays/prod/kustomization.yaml",
        ]
        .map(String::from)
        .into();
        assert!(!changes(&["apps/api/overlays/prod/kustomization.yaml"], false).touches_any(&read));
        assert!(changes(&["apps/web/base/kustomization.yaml"], false).touches_any(&read));
        assert!(!changes(&[], false).touches_any(&read));
        // A retargeted link elsewhere in the repo may be one the reader went through.
        assert!(changes(&["shared/current"], true).touches_any(&read));
        assert!(changes(&["shared/current"], true).touches("apps/web"));
    }
}
