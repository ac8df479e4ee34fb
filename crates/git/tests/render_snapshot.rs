//! Every kustomization of the medium bench repository, rendered from a
//! `Snapshot` of its commit (straight from the object database), equals the
//! render of the same tree on disk, byte for byte.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};

use driftless_git::FetchOptions;
use driftless_kustomize::fs::DiskFs;
use driftless_kustomize::{BuildOptions, ParsedFiles, build, build_with_cache};

fn kustomization_dirs(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            kustomization_dirs(root, &path, out);
        } else if path.file_name().is_some_and(|n| n == "kustomization.yaml") {
            let text = std::fs::read_to_string(&path).unwrap();
            if !text.contains("kind: Component") {
                out.push(path.parent().unwrap().strip_prefix(root).unwrap().to_path_buf());
            }
        }
    }
}

#[tokio::test]
async fn every_overlay_renders_the_same_from_a_snapshot_as_from_disk() {
    let repo = common::medium_bench_repo();
    if !repo.is_dir() {
        eprintln!("skipping: {} not found", repo.display());
        return;
    }
    let server = driftless_testkit::git_server::GitServer::start().unwrap();
    server.create_repo("config").unwrap();
    server.commit_dir("config", "main", "bench repo", &repo).unwrap();
    let (_dir, cache) = common::cache();
    let url = server.git_url("config");
    let commit = cache
        .fetch_and_resolve(&url, "main", &FetchOptions::default())
        .await
        .unwrap();
    let snapshot = cache.snapshot(&url, commit).await.unwrap();

    let mut dirs = Vec::new();
    kustomization_dirs(&repo, &repo, &mut dirs);
    assert!(dirs.len() >= 100, "found {} kustomizations", dirs.len());
    let options = BuildOptions::default();
    let shared = ParsedFiles::default();
    for dir in &dirs {
        let from_disk = build(&DiskFs, &repo.join(dir), &options).unwrap();
        let from_git = build_with_cache(&*snapshot, &Path::new("/").join(dir), &options, &shared).unwrap();
        assert_eq!(from_git.to_yaml(), from_disk.to_yaml(), "{}", dir.display());
        let read: Vec<_> = from_git.files_read.iter().collect();
        assert!(
            read.iter().any(|f| f.starts_with(Path::new("/").join(dir))),
            "{}: {read:?}",
            dir.display()
        );
    }
}
