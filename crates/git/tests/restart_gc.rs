//! The cache across restarts and crashes, garbage collection, and fetches
//! that time out or are cancelled.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::net::TcpListener;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use driftless_git::{CancellationToken, FetchOptions, RepoCache, RepoCacheConfig};
use driftless_testkit::git_server::Change;

fn mirror_dirs(root: &std::path::Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect()
}

#[tokio::test]
async fn a_complete_mirror_survives_a_restart_without_network() {
    let (server, first) = common::server_with_repo("r");
    let url = server.git_url("r");
    let dir = tempfile::tempdir().unwrap();
    let config = RepoCacheConfig::new(dir.path());
    RepoCache::new(config.clone())
        .unwrap()
        .fetch(&url, &FetchOptions::default())
        .await
        .unwrap();
    drop(server);
    let restarted = RepoCache::new(config).unwrap();
    assert_eq!(restarted.resolve(&url, "main").await.unwrap().to_string(), first);
}

#[tokio::test]
async fn a_half_written_mirror_is_rebuilt_not_trusted() {
    let (server, first) = common::server_with_repo("r");
    let url = server.git_url("r");
    let dir = tempfile::tempdir().unwrap();
    let config = RepoCacheConfig::new(dir.path());
    RepoCache::new(config.clone())
        .unwrap()
        .fetch(&url, &FetchOptions::default())
        .await
        .unwrap();
    // Simulate a crash during the first clone: no ready marker, objects gone.
    let mirror = mirror_dirs(dir.path()).pop().unwrap();
    std::fs::remove_file(mirror.join("driftless-ready")).unwrap();
    std::fs::remove_dir_all(mirror.join("objects")).unwrap();
    let restarted = RepoCache::new(config).unwrap();
    let err = restarted.resolve(&url, "main").await.unwrap_err();
    assert_eq!(err.reason(), "GitNotFetched");
    let outcome = restarted.fetch(&url, &FetchOptions::default()).await.unwrap();
    assert!(outcome.received_objects > 0);
    assert_eq!(restarted.resolve(&url, "main").await.unwrap().to_string(), first);
}

#[tokio::test]
async fn files_left_by_a_crashed_fetch_are_removed_and_do_not_block_later_fetches() {
    let (server, _) = common::server_with_repo("r");
    let url = server.git_url("r");
    let dir = tempfile::tempdir().unwrap();
    let config = RepoCacheConfig::new(dir.path());
    RepoCache::new(config.clone())
        .unwrap()
        .fetch(&url, &FetchOptions::default())
        .await
        .unwrap();
    let mirror = mirror_dirs(dir.path()).pop().unwrap();
    for stale in ["refs/heads/main.lock", "packed-refs.lock", "HEAD.lock"] {
        std::fs::write(mirror.join(stale), b"").unwrap();
    }
    // A half-downloaded pack (libgit2's temporary name) would otherwise stay on disk for good.
    let partial_pack = mirror.join("objects/pack/pack_git2_a1B2c3");
    std::fs::write(&partial_pack, vec![0u8; 4096]).unwrap();
    let next = server
        .commit("r", "main", "next", &[Change::file("n", "n")])
        .unwrap();
    let restarted = RepoCache::new(config).unwrap();
    restarted.fetch(&url, &FetchOptions::default()).await.unwrap();
    assert_eq!(restarted.resolve(&url, "main").await.unwrap().to_string(), next);
    assert!(!partial_pack.exists(), "the partial pack was removed");
}

#[tokio::test]
async fn gc_removes_unused_and_half_written_mirrors_only() {
    let (server, _) = common::server_with_repo("r");
    server.create_repo("s").unwrap();
    server
        .commit("s", "main", "s", &[Change::file("s", "s")])
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut config = RepoCacheConfig::new(dir.path());
    config.unused_after = Duration::from_secs(3600);
    let cache = RepoCache::new(config.clone()).unwrap();
    cache
        .fetch(&server.git_url("r"), &FetchOptions::default())
        .await
        .unwrap();
    cache
        .fetch(&server.git_url("s"), &FetchOptions::default())
        .await
        .unwrap();
    std::fs::create_dir(dir.path().join("crashed-clone")).unwrap();
    let report = cache.gc().await.unwrap();
    assert_eq!(report.removed, ["crashed-clone"]);
    assert_eq!(report.kept, 2);

    config.unused_after = Duration::ZERO;
    let eager = RepoCache::new(config).unwrap();
    eager.resolve(&server.git_url("r"), "main").await.unwrap();
    let report = eager.gc().await.unwrap();
    assert_eq!(report.removed.len(), 2, "{report:?}");
    assert!(mirror_dirs(dir.path()).is_empty());
    let err = eager.resolve(&server.git_url("r"), "main").await.unwrap_err();
    assert_eq!(err.reason(), "GitNotFetched");
}

/// A server that accepts connections and never answers, until told to hang up.
fn silent_server() -> (String, mpsc::Sender<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (hang_up, told) = mpsc::channel::<()>();
    std::thread::spawn(move || {
        let (_stream, _) = listener.accept().unwrap();
        let _ = told.recv();
    });
    (format!("git://127.0.0.1:{port}/r.git"), hang_up)
}

#[tokio::test]
async fn a_silent_server_times_out() {
    let (url, hang_up) = silent_server();
    let (_dir, cache) = common::cache();
    let started = Instant::now();
    let options = FetchOptions {
        timeout: Some(Duration::from_millis(300)),
        ..FetchOptions::default()
    };
    let err = cache.fetch(&url, &options).await.unwrap_err();
    assert_eq!(err.reason(), "GitFetchTimeout", "{err}");
    assert!(started.elapsed() < Duration::from_secs(10));
    // Lets libgit2's blocked read end so the runtime can shut down.
    hang_up.send(()).unwrap();
}

#[tokio::test]
async fn a_cancelled_fetch_returns_at_once() {
    let (url, hang_up) = silent_server();
    let (_dir, cache) = common::cache();
    let cancel = CancellationToken::new();
    let options = FetchOptions {
        cancel: Some(cancel.clone()),
        ..FetchOptions::default()
    };
    let fetch = cache.fetch(&url, &options);
    cancel.cancel();
    let err = fetch.await.unwrap_err();
    assert_eq!(err.reason(), "GitFetchCancelled", "{err}");
    hang_up.send(()).unwrap();
}
