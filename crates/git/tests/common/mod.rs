//! Shared setup for the git integration tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use driftless_git::{RepoCache, RepoCacheConfig};
use driftless_testkit::git_server::{Change, GitServer};

/// A cache in a fresh temporary directory.
pub fn cache() -> (tempfile::TempDir, RepoCache) {
    let dir = tempfile::tempdir().unwrap();
    let cache = RepoCache::new(RepoCacheConfig::new(dir.path().join("cache"))).unwrap();
    (dir, cache)
}

/// A server with repo `name` holding one commit on `main`; returns the SHA.
pub fn server_with_repo(name: &str) -> (GitServer, String) {
    let server = GitServer::start().unwrap();
    server.create_repo(name).unwrap();
    let sha = server
        .commit(
            name,
            "main",
            "first",
            &[Change::file("app/kustomization.yaml", "resources: []\n")],
        )
        .unwrap();
    (server, sha)
}

/// Count of requests by (method, path suffix).
pub fn count(server: &GitServer, method: &str, suffix: &str) -> usize {
    server
        .http_requests()
        .iter()
        .filter(|r| r.method == method && r.path.ends_with(suffix))
        .count()
}

/// `shared/bench/config-repo-medium`: `$DRIFTLESS_SHARED` or `shared/` beside the repository.
pub fn medium_bench_repo() -> std::path::PathBuf {
    let shared = std::env::var_os("DRIFTLESS_SHARED")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    shared
        .join("bench/config-repo-medium")
        .canonicalize()
        .expect("shared/bench/config-repo-medium exists")
}
