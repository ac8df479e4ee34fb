//! Reading a commit through `Snapshot`: files, directories, symlinks kept
//! inside the repository, and clear errors for submodules and LFS pointers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use driftless_git::{CommitId, FetchOptions, Snapshot};
use driftless_kustomize::fs::{DiskFs, EntryKind, FileSystem, Lookup};
use driftless_testkit::git_server::{Change, GitServer};

const LFS_POINTER: &str = "version https://git-lfs.github.com/spec/v1\noid sha256:4d7a\nsize 12345\n";

async fn snapshot_of(changes: &[Change]) -> (GitServer, tempfile::TempDir, std::sync::Arc<Snapshot>) {
    let server = GitServer::start().unwrap();
    server.create_repo("r").unwrap();
    let sha = server.commit("r", "main", "tree", changes).unwrap();
    let (dir, cache) = common::cache();
    let url = server.file_url("r");
    cache.fetch(&url, &FetchOptions::default()).await.unwrap();
    let snapshot = cache
        .snapshot(&url, CommitId::parse(&sha).unwrap())
        .await
        .unwrap();
    (server, dir, snapshot)
}

#[tokio::test]
async fn reads_files_dirs_and_symlinks_within_the_repo() {
    let submodule_sha = "0123456789abcdef0123456789abcdef01234567".to_string();
    let (_server, _dir, fs) = snapshot_of(&[
        Change::file("base/kustomization.yaml", "resources: [cm.yaml]\n"),
        Change::file("base/cm.yaml", "kind: ConfigMap\n"),
        Change::Symlink("overlays/prod/base".into(), "../../base".into()),
        Change::Symlink("overlays/prod/cm.yaml".into(), "base/cm.yaml".into()),
        Change::Symlink("escape".into(), "../outside".into()),
        Change::Symlink("absolute".into(), "/etc/passwd".into()),
        Change::Symlink("loop1".into(), "loop2".into()),
        Change::Symlink("loop2".into(), "loop1".into()),
        Change::Symlink("dangling".into(), "nowhere".into()),
        Change::Submodule("vendor/lib".into(), submodule_sha),
        Change::file("big/pointer.yaml", LFS_POINTER),
    ])
    .await;
    let p = Path::new;
    assert_eq!(fs.read(p("/base/cm.yaml")).unwrap(), b"kind: ConfigMap\n");
    assert_eq!(
        fs.read(p("/overlays/prod/cm.yaml")).unwrap(),
        b"kind: ConfigMap\n"
    );
    assert_eq!(
        fs.read(p("/overlays/prod/base/kustomization.yaml")).unwrap(),
        b"resources: [cm.yaml]\n"
    );
    assert_eq!(
        fs.read(p("/base/../base/./cm.yaml")).unwrap(),
        b"kind: ConfigMap\n"
    );
    assert_eq!(
        fs.read_dir(p("/")).unwrap(),
        [
            "absolute", "base", "big", "dangling", "escape", "loop1", "loop2", "overlays", "vendor"
        ]
    );
    assert_eq!(
        fs.read_dir(p("/overlays/prod/base")).unwrap(),
        ["cm.yaml", "kustomization.yaml"]
    );
    assert_eq!(
        fs.canonicalize(p("/overlays/prod/base/cm.yaml")).unwrap(),
        PathBuf::from("/base/cm.yaml")
    );
    assert_eq!(fs.canonicalize(p("/")).unwrap(), PathBuf::from("/"));
    // `lookup` names the last component itself, link or not, through linked parents too.
    assert_eq!(fs.lookup(p("/overlays/prod/base")), Lookup::Symlink);
    assert_eq!(fs.lookup(p("/loop1")), Lookup::Symlink);
    assert_eq!(fs.lookup(p("/base")), Lookup::Entry(EntryKind::Dir));
    assert_eq!(
        fs.lookup(p("/overlays/prod/base/cm.yaml")),
        Lookup::Entry(EntryKind::File)
    );
    assert_eq!(fs.lookup(p("/vendor/lib")), Lookup::Entry(EntryKind::Dir));
    assert_eq!(fs.lookup(p("/base/missing.yaml")), Lookup::Missing);
    assert_eq!(fs.lookup(p("/nowhere/missing.yaml")), Lookup::Missing);

    let kinds = [
        ("/", Some(EntryKind::Dir)),
        ("/base", Some(EntryKind::Dir)),
        ("/base/cm.yaml", Some(EntryKind::File)),
        ("/overlays/prod/base", Some(EntryKind::Dir)),
        ("/overlays/prod/cm.yaml", Some(EntryKind::File)),
        ("/missing", None),
        ("/escape", None),
        ("/absolute", None),
        ("/loop1", None),
        ("/dangling", None),
        ("/base/cm.yaml/x", None),
    ];
    for (path, want) in kinds {
        assert_eq!(fs.kind(p(path)), want, "{path}");
    }

    let errors = [
        ("/missing", ErrorKind::NotFound, "not found"),
        ("/escape", ErrorKind::PermissionDenied, "leaves the repository"),
        ("/absolute", ErrorKind::PermissionDenied, "outside the repository"),
        ("/loop1", ErrorKind::InvalidInput, "too many levels of symlinks"),
        ("/base", ErrorKind::IsADirectory, "is a directory"),
        (
            "/vendor/lib/kustomization.yaml",
            ErrorKind::Unsupported,
            "submodule",
        ),
        ("/big/pointer.yaml", ErrorKind::Unsupported, "Git LFS pointer"),
        ("relative/path", ErrorKind::InvalidInput, "absolute"),
    ];
    for (path, kind, text) in errors {
        let err = fs.read(p(path)).unwrap_err();
        assert_eq!(err.kind(), kind, "{path}: {err}");
        assert!(err.to_string().contains(text), "{path}: {err}");
        assert!(err.to_string().contains(path), "error names the path: {err}");
    }
    let err = fs.read_dir(p("/vendor/lib")).unwrap_err();
    assert!(
        err.to_string().contains("/vendor/lib") && err.to_string().contains("submodule"),
        "{err}"
    );
}

/// Every file of a tree read through `fs`, by walking with read_dir/kind/read.
fn walk(fs: &dyn FileSystem, root: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for name in fs.read_dir(&dir).unwrap() {
            let path = dir.join(&name);
            match fs.kind(&path) {
                Some(EntryKind::Dir) => pending.push(path),
                Some(EntryKind::File) => {
                    let relative = path.strip_prefix(root).unwrap().display().to_string();
                    out.push((relative, fs.read(&path).unwrap()));
                }
                None => panic!("{} vanished", path.display()),
            }
        }
    }
    out.sort();
    out
}

#[tokio::test]
async fn medium_bench_repo_reads_the_same_from_git_as_from_disk() {
    let source = common::medium_bench_repo();
    let server = GitServer::start().unwrap();
    server.create_repo("medium").unwrap();
    let sha = server.commit_dir("medium", "main", "import", &source).unwrap();
    let (_dir, cache) = common::cache();
    let url = server.git_url("medium");
    let commit = cache
        .fetch_and_resolve(&url, "main", &FetchOptions::default())
        .await
        .unwrap();
    assert_eq!(commit.to_string(), sha);
    let snapshot = cache.snapshot(&url, commit).await.unwrap();
    let from_disk = walk(&DiskFs, &source);
    let from_git = walk(snapshot.as_ref(), Path::new("/"));
    assert!(from_disk.len() > 500, "{}", from_disk.len());
    assert_eq!(from_git.len(), from_disk.len());
    for (git, disk) in from_git.iter().zip(&from_disk) {
        assert_eq!(git.0, disk.0);
        assert!(git.1 == disk.1, "{} differs", git.0);
    }
}
