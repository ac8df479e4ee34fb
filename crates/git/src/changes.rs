//! Which paths differ between two commits, so a push refreshes only the
//! Applications whose `path` it touches.

use git2::{DiffOptions, Repository};

use crate::resolve::CommitId;

/// Repository-relative paths (no leading `/`) added, deleted or modified
/// between `from` and `to`, sorted and unique. A rename lists both names;
/// a submodule bump lists the submodule's path.
pub(crate) fn changed_paths(
    repo: &Repository,
    from: CommitId,
    to: CommitId,
) -> Result<Vec<String>, git2::Error> {
    let old = repo.find_commit(from.0)?.tree()?;
    let new = repo.find_commit(to.0)?.tree()?;
    let mut options = DiffOptions::new();
    options.include_typechange(true).ignore_submodules(false);
    let diff = repo.diff_tree_to_tree(Some(&old), Some(&new), Some(&mut options))?;
    let mut paths: Vec<String> = Vec::new();
    for delta in diff.deltas() {
        for file in [delta.old_file(), delta.new_file()] {
            if let Some(path) = file.path() {
                paths.push(path.to_string_lossy().into_owned());
            }
        }
    }
    paths.sort();
    paths.dedup();
    Ok(paths)
}

/// Whether any of `changed` (from [`crate::RepoCache::changed_paths`]) lies under `dir`
/// (repository-relative, `""` or `.` for the root).
pub fn touches(changed: &[String], dir: &str) -> bool {
    let dir = dir.trim_matches('/');
    let dir = if dir == "." { "" } else { dir };
    changed.iter().any(|path| {
        dir.is_empty() || path == dir || path.strip_prefix(dir).is_some_and(|rest| rest.starts_with('/'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn touches_respects_path_segments() {
        let changed = vec![
            "apps/web/kustomization.yaml".to_string(),
            "base/cm.yaml".to_string(),
        ];
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
            assert_eq!(touches(&changed, dir), want, "{dir}");
        }
        assert!(!touches(&[], ""));
    }
}
