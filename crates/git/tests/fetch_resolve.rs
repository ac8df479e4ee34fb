//! Fetching and resolving revisions over git://, smart HTTP and file://,
//! including history rewrites on the server.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use driftless_git::{CommitId, FetchOptions};
use driftless_kustomize::fs::FileSystem;
use driftless_testkit::git_server::Change;
use std::path::Path;

#[tokio::test]
async fn resolves_every_revision_form_over_every_transport() {
    let (server, first) = common::server_with_repo("r");
    let second = server
        .commit("r", "main", "second", &[Change::file("b.txt", "b")])
        .unwrap();
    let dev = server
        .commit("r", "dev", "dev", &[Change::file("dev.txt", "d")])
        .unwrap();
    server.tag("r", "v1", &first, true).unwrap();
    server.tag("r", "light", &second, false).unwrap();
    for url in [server.git_url("r"), server.http_url("r"), server.file_url("r")] {
        let (_dir, cache) = common::cache();
        let outcome = cache.fetch(&url, &FetchOptions::default()).await.unwrap();
        assert!(outcome.received_objects > 0, "{url}");
        assert_eq!(outcome.head.as_deref(), Some("refs/heads/main"), "{url}");
        let cases = [
            ("HEAD", &second),
            ("", &second),
            ("main", &second),
            ("refs/heads/main", &second),
            ("dev", &dev),
            ("v1", &first),
            ("refs/tags/v1", &first),
            ("light", &second),
            (first.as_str(), &first),
            (&first[..8], &first),
        ];
        for (revision, want) in cases {
            let got = cache.resolve(&url, revision).await.unwrap();
            assert_eq!(got.to_string(), *want, "{url} {revision:?}");
        }
    }
}

#[tokio::test]
async fn unknown_revision_is_an_error_naming_it() {
    let (server, _) = common::server_with_repo("r");
    let (_dir, cache) = common::cache();
    let url = server.git_url("r");
    cache.fetch(&url, &FetchOptions::default()).await.unwrap();
    for revision in [
        "no-such-branch",
        "deadbeef",
        "0000000000000000000000000000000000000000",
    ] {
        let err = cache.resolve(&url, revision).await.unwrap_err();
        assert_eq!(err.reason(), "RevisionNotFound", "{revision}");
        assert!(err.to_string().contains(revision), "{err}");
    }
}

#[tokio::test]
async fn resolve_before_any_fetch_says_not_fetched() {
    let (server, _) = common::server_with_repo("r");
    let (_dir, cache) = common::cache();
    let err = cache.resolve(&server.git_url("r"), "main").await.unwrap_err();
    assert_eq!(err.reason(), "GitNotFetched");
}

#[tokio::test]
async fn force_push_tag_move_and_branch_deletion_are_mirrored() {
    let (server, first) = common::server_with_repo("r");
    server
        .commit("r", "feature", "f", &[Change::file("f.txt", "f")])
        .unwrap();
    server.tag("r", "release", &first, true).unwrap();
    let (_dir, cache) = common::cache();
    let url = server.http_url("r");
    cache.fetch(&url, &FetchOptions::default()).await.unwrap();
    assert_eq!(cache.resolve(&url, "main").await.unwrap().to_string(), first);

    let rewritten = server
        .force_push("r", "main", "rewrite", &[Change::file("new.txt", "n")])
        .unwrap();
    let moved_to = server
        .commit("r", "other", "o", &[Change::file("o.txt", "o")])
        .unwrap();
    server.tag("r", "release", &moved_to, true).unwrap();
    server.delete_branch("r", "feature").unwrap();
    let outcome = cache.fetch(&url, &FetchOptions::default()).await.unwrap();
    assert!(outcome.updated_refs >= 3, "{outcome:?}");

    assert_eq!(cache.resolve(&url, "main").await.unwrap().to_string(), rewritten);
    assert_eq!(
        cache.resolve(&url, "release").await.unwrap().to_string(),
        moved_to
    );
    let err = cache.resolve(&url, "feature").await.unwrap_err();
    assert_eq!(err.reason(), "RevisionNotFound");
    assert!(err.to_string().contains("\"feature\""), "{err}");
    // The old commit is still in the object database and readable by SHA.
    let old = CommitId::parse(&first).unwrap();
    let snapshot = cache.snapshot(&url, old).await.unwrap();
    assert!(snapshot.read(Path::new("/app/kustomization.yaml")).is_ok());
}

#[tokio::test]
async fn repo_deleted_on_server_keeps_the_cached_commit() {
    let (server, first) = common::server_with_repo("r");
    let (_dir, cache) = common::cache();
    for url in [server.git_url("r"), server.http_url("r")] {
        cache.fetch(&url, &FetchOptions::default()).await.unwrap();
    }
    server.delete_repo("r").unwrap();
    for url in [server.git_url("r"), server.http_url("r")] {
        let err = cache.fetch(&url, &FetchOptions::default()).await.unwrap_err();
        assert_eq!(err.reason(), "GitFetchFailed", "{url}: {err}");
        let commit = cache.resolve(&url, "main").await.unwrap();
        assert_eq!(commit.to_string(), first);
        let snapshot = cache.snapshot(&url, commit).await.unwrap();
        assert_eq!(
            snapshot.read(Path::new("/app/kustomization.yaml")).unwrap(),
            b"resources: []\n"
        );
    }
}

#[tokio::test]
async fn resolve_with_fallback_keeps_serving_the_cached_commit() {
    let (server, first) = common::server_with_repo("r");
    let (_dir, cache) = common::cache();
    let url = server.http_url("r");
    let fresh = cache
        .resolve_with_fallback(&url, "main", &FetchOptions::default())
        .await
        .unwrap();
    assert_eq!(
        (fresh.commit.to_string(), fresh.fetch_error),
        (first.clone(), None)
    );
    server.delete_repo("r").unwrap();
    let stale = cache
        .resolve_with_fallback(&url, "main", &FetchOptions::default())
        .await
        .unwrap();
    assert_eq!(stale.commit.to_string(), first);
    assert_eq!(stale.fetch_error.map(|e| e.reason()), Some("GitFetchFailed"));
    let err = cache
        .resolve_with_fallback(&url, "gone", &FetchOptions::default())
        .await
        .unwrap_err();
    assert_eq!(err.reason(), "GitFetchFailed", "the fetch error wins: {err}");
    let (_other_dir, empty) = common::cache();
    let err = empty
        .resolve_with_fallback(&url, "main", &FetchOptions::default())
        .await
        .unwrap_err();
    assert_eq!(err.reason(), "GitFetchFailed", "{err}");
}

#[tokio::test]
async fn fetch_and_resolve_skips_the_network_for_a_known_sha() {
    let (server, first) = common::server_with_repo("r");
    let (_dir, cache) = common::cache();
    let url = server.http_url("r");
    let commit = cache
        .fetch_and_resolve(&url, "main", &FetchOptions::default())
        .await
        .unwrap();
    assert_eq!(commit.to_string(), first);
    server.clear_http_requests();
    let again = cache
        .fetch_and_resolve(&url, &first, &FetchOptions::default())
        .await
        .unwrap();
    assert_eq!(again, commit);
    assert!(server.http_requests().is_empty(), "{:?}", server.http_requests());
}

#[tokio::test]
async fn changed_paths_lists_what_a_push_touched() {
    let (server, first) = common::server_with_repo("r");
    server
        .commit(
            "r",
            "main",
            "base",
            &[Change::file("base/cm.yaml", "a"), Change::file("keep.txt", "k")],
        )
        .unwrap();
    let base = server.rev_parse("r", "main").unwrap();
    let next = server
        .commit(
            "r",
            "main",
            "edit",
            &[
                Change::file("base/cm.yaml", "b"),
                Change::Delete("app/kustomization.yaml".into()),
                Change::file("new/x.yaml", "x"),
            ],
        )
        .unwrap();
    let (_dir, cache) = common::cache();
    let url = server.git_url("r");
    cache.fetch(&url, &FetchOptions::default()).await.unwrap();
    let (from, to) = (CommitId::parse(&base).unwrap(), CommitId::parse(&next).unwrap());
    let changed = cache.changed_paths(&url, from, to).await.unwrap();
    assert_eq!(
        changed.paths,
        vec!["app/kustomization.yaml", "base/cm.yaml", "new/x.yaml"]
    );
    assert!(!changed.links);
    assert!(changed.touches("base"));
    assert!(!changed.touches("keep.txt"));
    let none = cache.changed_paths(&url, to, to).await.unwrap();
    assert!(none.is_empty());

    // Retargeting a link is a change no list of files read can rule out.
    let linked = server
        .commit(
            "r",
            "main",
            "link",
            &[Change::Symlink("current".into(), "base".into())],
        )
        .unwrap();
    let retargeted = server
        .commit(
            "r",
            "main",
            "retarget",
            &[Change::Symlink("current".into(), "new".into())],
        )
        .unwrap();
    cache.fetch(&url, &FetchOptions::default()).await.unwrap();
    let (linked, retargeted) = (
        CommitId::parse(&linked).unwrap(),
        CommitId::parse(&retargeted).unwrap(),
    );
    let changed = cache.changed_paths(&url, linked, retargeted).await.unwrap();
    assert_eq!(
        (changed.paths.as_slice(), changed.links),
        (&["current".to_string()][..], true)
    );
    let read = ["base/cm.yaml".to_string()].into();
    assert!(changed.touches_any(&read));
    let _ = first;
}

#[tokio::test]
async fn head_follows_the_remote_default_branch() {
    let (server, first) = common::server_with_repo("r");
    let dev = server
        .commit("r", "dev", "dev", &[Change::file("dev.txt", "d")])
        .unwrap();
    let (_dir, cache) = common::cache();
    let url = server.git_url("r");
    cache.fetch(&url, &FetchOptions::default()).await.unwrap();
    assert_eq!(cache.resolve(&url, "HEAD").await.unwrap().to_string(), first);
    server.set_head("r", "dev").unwrap();
    let outcome = cache.fetch(&url, &FetchOptions::default()).await.unwrap();
    assert_eq!(outcome.head.as_deref(), Some("refs/heads/dev"));
    assert_eq!(cache.resolve(&url, "HEAD").await.unwrap().to_string(), dev);
}
