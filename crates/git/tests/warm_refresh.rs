//! The medium bench repository on a loopback smart-HTTP server: a warm
//! refresh when nothing changed is one ref advertisement and no pack
//! download. Prints timings (run with `--nocapture`); asserts none.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use driftless_git::FetchOptions;
use driftless_kustomize::fs::{EntryKind, FileSystem};
use driftless_testkit::git_server::GitServer;

#[tokio::test]
async fn warm_no_change_refresh_of_the_medium_repo() {
    let source = common::medium_bench_repo();
    let server = GitServer::start().unwrap();
    server.create_repo("medium").unwrap();
    server.commit_dir("medium", "main", "import", &source).unwrap();
    let (_dir, cache) = common::cache();
    for url in [server.http_url("medium"), server.git_url("medium")] {
        let started = Instant::now();
        let cold = cache.fetch(&url, &FetchOptions::default()).await.unwrap();
        let cold_time = started.elapsed();
        let mut warm_times: Vec<Duration> = Vec::new();
        for _ in 0..20 {
            server.clear_http_requests();
            let started = Instant::now();
            let warm = cache.fetch(&url, &FetchOptions::default()).await.unwrap();
            warm_times.push(started.elapsed());
            assert_eq!((warm.received_objects, warm.updated_refs), (0, 0), "{warm:?}");
            if url.starts_with("http") {
                let requests = server.http_requests();
                assert_eq!(requests.len(), 1, "{requests:?}");
                assert!(requests[0].path.ends_with("/info/refs"), "{requests:?}");
            }
        }
        warm_times.sort();
        let commit = cache.resolve(&url, "main").await.unwrap();
        let started = Instant::now();
        let snapshot = cache.snapshot(&url, commit).await.unwrap();
        let files = read_everything(snapshot.as_ref(), Path::new("/"));
        let cold_read = started.elapsed();
        let started = Instant::now();
        read_everything(snapshot.as_ref(), Path::new("/"));
        let warm_read = started.elapsed();
        println!(
            "{}: cold fetch {:?} ({} objects, {} KiB); \
             warm no-change refresh median {:?}, min {:?}, max {:?}; \
             reading all {} files through a Snapshot {:?} (again {:?})",
            url.split(':').next().unwrap_or_default(),
            cold_time,
            cold.received_objects,
            cold.received_bytes / 1024,
            warm_times[warm_times.len() / 2],
            warm_times[0],
            warm_times[warm_times.len() - 1],
            files,
            cold_read,
            warm_read,
        );
    }
}

/// Read every file below `dir`; returns how many.
fn read_everything(fs: &dyn FileSystem, dir: &Path) -> usize {
    let mut count = 0;
    for name in fs.read_dir(dir).unwrap() {
        let path = dir.join(name);
        match fs.kind(&path) {
            Some(EntryKind::Dir) => count += read_everything(fs, &path),
            _ => {
                fs.read(&path).unwrap();
                count += 1;
            }
        }
    }
    count
}
