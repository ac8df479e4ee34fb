//! Concurrent callers share one fetch (but not one that began before a push the caller knows
//! of), and a refresh when nothing changed costs one ref advertisement and no pack download.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};

use driftless_git::{FetchOptions, FetchOutcome, GitError, RepoCache};
use driftless_testkit::git_server::{Change, GitServer};
use tokio::task::JoinHandle;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_resolves_of_one_repo_do_one_fetch() {
    let (server, first) = common::server_with_repo("r");
    let (_dir, cache) = common::cache();
    let url = server.http_url("r");
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (cache, url) = (cache.clone(), url.clone());
        tasks.push(tokio::spawn(async move {
            cache
                .fetch_and_resolve(&url, "main", &FetchOptions::default())
                .await
        }));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap().unwrap().to_string(), first);
    }
    let requests = server.http_requests();
    assert_eq!(common::count(&server, "GET", "/info/refs"), 1, "{requests:?}");
    assert_eq!(
        common::count(&server, "POST", "/git-upload-pack"),
        1,
        "{requests:?}"
    );
}

/// Starts a fetch and returns once it has read the refs; its pack waits until the test calls
/// `server.hold_packs(false)`.
async fn fetch_held_after_refs(
    server: &GitServer,
    cache: &RepoCache,
    url: &str,
    options: FetchOptions,
) -> JoinHandle<Result<FetchOutcome, GitError>> {
    server.hold_packs(true);
    let refs_read = common::count(server, "GET", "/info/refs") + 1;
    let fetch = {
        let (cache, url) = (cache.clone(), url.to_owned());
        tokio::spawn(async move { cache.fetch(&url, &options).await })
    };
    driftless_testkit::wait_until("the fetch read the refs", Duration::from_secs(10), || async {
        (common::count(server, "GET", "/info/refs") == refs_read).then_some(())
    })
    .await
    .unwrap();
    fetch
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_caller_who_knows_of_a_push_is_not_answered_by_an_older_fetch() {
    let (server, first) = common::server_with_repo("r");
    let (_dir, cache) = common::cache();
    let url = server.http_url("r");
    // An older fetch has read the refs (main = first) and waits for its pack.
    let older = fetch_held_after_refs(&server, &cache, &url, FetchOptions::default()).await;
    // A push, then a caller who knows of it (a webhook, a refresh).
    let pushed = server
        .commit("r", "main", "pushed", &[Change::file("p", "p")])
        .unwrap();
    let strict = FetchOptions {
        started_after: Some(Instant::now()),
        ..FetchOptions::default()
    };
    let mut newer = Box::pin(cache.fetch(&url, &strict));
    // Polled once, it queues behind the older fetch.
    tokio::select! {
        biased;
        result = &mut newer => panic!("answered while the older fetch was held: {result:?}"),
        () = std::future::ready(()) => {}
    }
    server.hold_packs(false);
    older.await.unwrap().unwrap();
    assert_eq!(cache.resolve(&url, "main").await.unwrap().to_string(), first);
    let outcome = newer.await.unwrap();
    assert!(!outcome.shared, "{outcome:?}");
    assert_eq!(cache.resolve(&url, "main").await.unwrap().to_string(), pushed);
    assert_eq!(common::count(&server, "GET", "/info/refs"), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fetch_its_caller_gave_up_on_does_not_answer_the_callers_behind_it() {
    let (server, first) = common::server_with_repo("r");
    let (_dir, cache) = common::cache();
    let url = server.http_url("r");
    let impatient = FetchOptions {
        timeout: Some(Duration::from_millis(300)),
        ..FetchOptions::default()
    };
    let abandoned = fetch_held_after_refs(&server, &cache, &url, impatient).await;
    let options = FetchOptions::default();
    let mut patient = Box::pin(cache.fetch(&url, &options));
    tokio::select! {
        biased;
        result = &mut patient => panic!("answered while the first fetch was held: {result:?}"),
        () = std::future::ready(()) => {}
    }
    let error = abandoned.await.unwrap().unwrap_err();
    assert_eq!(error.reason(), "GitFetchTimeout", "{error}");
    server.hold_packs(false);
    patient.await.unwrap();
    assert_eq!(cache.resolve(&url, "main").await.unwrap().to_string(), first);
}

#[tokio::test]
async fn warm_refresh_with_no_change_downloads_no_pack() {
    let (server, _) = common::server_with_repo("r");
    server
        .commit("r", "dev", "dev", &[Change::file("d", "d")])
        .unwrap();
    server
        .tag("r", "v1", &server.rev_parse("r", "main").unwrap(), true)
        .unwrap();
    let (_dir, cache) = common::cache();
    let url = server.http_url("r");
    cache.fetch(&url, &FetchOptions::default()).await.unwrap();
    server.clear_http_requests();
    let outcome = cache.fetch(&url, &FetchOptions::default()).await.unwrap();
    assert_eq!(outcome.received_objects, 0, "{outcome:?}");
    assert_eq!(outcome.updated_refs, 0, "{outcome:?}");
    assert!(!outcome.shared);
    let requests = server.http_requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    assert_eq!(
        (requests[0].method.as_str(), requests[0].query.as_str()),
        ("GET", "service=git-upload-pack")
    );
}

#[tokio::test]
async fn max_age_skips_the_network() {
    let (server, _) = common::server_with_repo("r");
    let (_dir, cache) = common::cache();
    let url = server.http_url("r");
    cache.fetch(&url, &FetchOptions::default()).await.unwrap();
    server.clear_http_requests();
    let recent = FetchOptions {
        max_age: Some(std::time::Duration::from_secs(3600)),
        ..FetchOptions::default()
    };
    let outcome = cache.fetch(&url, &recent).await.unwrap();
    assert!(outcome.shared);
    assert!(server.http_requests().is_empty());
}
