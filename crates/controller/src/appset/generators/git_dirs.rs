//! `git.directories`: one set per directory of the commit matching an
//! include glob and no exclude glob (exclusions win, order does not matter;
//! directories whose name starts with `.` are skipped). Globs follow Go's
//! `path.Match`: `*` does not cross `/`.

use std::path::Path;

use driftless_api::appset::GitGenerator;
use driftless_kustomize::fs::{EntryKind, FileSystem, Lookup};
use globset::{GlobBuilder, GlobMatcher};

use super::{GenError, add_values};
use crate::appset::params::{Params, path_params};

/// Deepest directory walk when a pattern contains `**`.
const MAX_DEPTH: usize = 32;

pub(crate) fn matcher(at: &str, pattern: &str) -> Result<GlobMatcher, GenError> {
    GlobBuilder::new(pattern.trim_start_matches('/'))
        .literal_separator(true)
        .build()
        .map(|g| g.compile_matcher())
        .map_err(|e| GenError::Glob {
            at: at.to_owned(),
            pattern: pattern.to_owned(),
            message: e.to_string(),
        })
}

/// How deep the walk must go for `patterns`.
pub(crate) fn depth_for<'a>(patterns: impl Iterator<Item = &'a str>) -> usize {
    patterns
        .map(|p| {
            if p.contains("**") {
                MAX_DEPTH
            } else {
                p.trim_matches('/').split('/').count()
            }
        })
        .max()
        .unwrap_or(0)
}

/// Every entry under the root (relative paths, sorted), down to `depth` levels; dot-entries and
/// links to directories skipped.
pub(crate) fn walk(tree: &dyn FileSystem, depth: usize, want: EntryKind) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![(String::new(), 0usize)];
    while let Some((dir, level)) = stack.pop() {
        if level >= depth {
            continue;
        }
        let abs = format!("/{dir}");
        let Ok(names) = tree.read_dir(Path::new(&abs)) else {
            continue;
        };
        for name in names {
            if name.starts_with('.') {
                continue;
            }
            let rel = if dir.is_empty() {
                name
            } else {
                format!("{dir}/{name}")
            };
            let path = format!("/{rel}");
            match tree.kind(Path::new(&path)) {
                // A link to a directory is neither listed nor entered, as in Argo CD's walk:
                // links can loop, and the directory they name is listed where it really is.
                Some(EntryKind::Dir) if tree.lookup(Path::new(&path)) == Lookup::Symlink => {}
                Some(EntryKind::Dir) => {
                    if want == EntryKind::Dir {
                        found.push(rel.clone());
                    }
                    stack.push((rel, level + 1));
                }
                Some(EntryKind::File) if want == EntryKind::File => found.push(rel),
                _ => {}
            }
        }
    }
    found.sort();
    found
}

/// One set per matching directory, sorted by path.
pub fn generate(
    git: &GitGenerator,
    tree: &dyn FileSystem,
    at: &str,
    go_template: bool,
) -> Result<Vec<Params>, GenError> {
    let mut include = Vec::new();
    let mut exclude = Vec::new();
    for item in &git.directories {
        let m = matcher(at, &item.path)?;
        if item.exclude {
            exclude.push(m);
        } else {
            include.push(m);
        }
    }
    let depth = depth_for(
        git.directories
            .iter()
            .filter(|d| !d.exclude)
            .map(|d| d.path.as_str()),
    );
    let prefix = git.path_param_prefix.as_deref().filter(|p| !p.is_empty());
    Ok(walk(tree, depth, EntryKind::Dir)
        .into_iter()
        .filter(|dir| include.iter().any(|m| m.is_match(dir)) && !exclude.iter().any(|m| m.is_match(dir)))
        .map(|dir| {
            let mut params = path_params(&dir, None, prefix, go_template);
            add_values(&mut params, &git.values, go_template);
            params
        })
        .collect())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::appset::generators::testing::MemTree;
    use driftless_api::appset::GitDirectoryGeneratorItem;

    fn tree() -> MemTree {
        MemTree::new(&[
            ("apps/web/overlays/prod/kustomization.yaml", ""),
            ("apps/web/overlays/dev/kustomization.yaml", ""),
            ("apps/api/overlays/prod/kustomization.yaml", ""),
            ("apps/legacy/overlays/prod/kustomization.yaml", ""),
            ("apps/.hidden/overlays/prod/kustomization.yaml", ""),
            ("README.md", ""),
        ])
    }

    fn dirs(items: &[(&str, bool)]) -> GitGenerator {
        GitGenerator {
            repo_url: "r".into(),
            directories: items
                .iter()
                .map(|(p, e)| GitDirectoryGeneratorItem {
                    path: (*p).into(),
                    exclude: *e,
                })
                .collect(),
            ..GitGenerator::default()
        }
    }

    fn paths(params: &[Params]) -> Vec<String> {
        params
            .iter()
            .map(|p| p["path"].as_str().unwrap().to_owned())
            .collect()
    }

    type Case<'a> = (&'a [(&'a str, bool)], &'a [&'a str]);

    #[test]
    fn globs_and_excludes() {
        let cases: [Case<'_>; 4] = [
            (
                &[("apps/*/overlays/prod", false)],
                &[
                    "apps/api/overlays/prod",
                    "apps/legacy/overlays/prod",
                    "apps/web/overlays/prod",
                ],
            ),
            (
                // Exclusions win whatever their position.
                &[("apps/legacy/*/*", true), ("apps/*/overlays/prod", false)],
                &["apps/api/overlays/prod", "apps/web/overlays/prod"],
            ),
            (&[("apps/*", false)], &["apps/api", "apps/legacy", "apps/web"]),
            (
                &[("apps/w?b/overlays/[dp]*", false)],
                &["apps/web/overlays/dev", "apps/web/overlays/prod"],
            ),
        ];
        for (items, want) in cases {
            let got = generate(&dirs(items), &tree(), "g", false).unwrap();
            assert_eq!(paths(&got), want, "{items:?}");
        }
    }

    #[test]
    fn argo_parameter_names() {
        let got = generate(&dirs(&[("apps/api/overlays/prod", false)]), &tree(), "g", false).unwrap();
        assert_eq!(got[0]["path[1]"], "api");
        assert_eq!(got[0]["path.basename"], "prod");
        let go = generate(&dirs(&[("apps/api", false)]), &tree(), "g", true).unwrap();
        assert_eq!(go[0]["path"]["basename"], "api");
        assert_eq!(go[0]["path"]["path"], "apps/api");
    }

    #[tokio::test]
    async fn linked_directories_are_neither_listed_nor_entered() {
        use driftless_git::{FetchOptions, RepoCache, RepoCacheConfig};
        use driftless_testkit::git_server::{Change, GitServer};
        let server = GitServer::start().unwrap();
        server.create_repo("r").unwrap();
        let files = [
            Change::file("apps/web/kustomization.yaml", ""),
            Change::Symlink("apps/loop".into(), "..".into()),
            Change::Symlink("apps/self".into(), ".".into()),
            Change::Symlink("apps/web-again".into(), "web".into()),
        ];
        server.commit("r", "main", "links", &files).unwrap();
        let cache_dir = tempfile::tempdir().unwrap();
        let cache = RepoCache::new(RepoCacheConfig::new(cache_dir.path())).unwrap();
        let url = server.file_url("r");
        let commit = cache
            .fetch_and_resolve(&url, "main", &FetchOptions::default())
            .await
            .unwrap();
        let snapshot = cache.snapshot(&url, commit).await.unwrap();
        let got = generate(&dirs(&[("apps/**", false)]), snapshot.as_ref(), "g", false).unwrap();
        assert_eq!(paths(&got), ["apps/web"]);
    }

    #[test]
    fn bad_glob_is_an_error() {
        let error = generate(&dirs(&[("apps/[", false)]), &tree(), "g", false).unwrap_err();
        assert_eq!(error.reason(), "InvalidGenerator");
    }
}
