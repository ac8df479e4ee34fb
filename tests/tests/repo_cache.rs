//! The controller's repository cache stays bounded: a mirror no Application uses any more is
//! removed after `repo_unused_after` (here 5 s; the default is 24 h).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::time::Duration;

use driftless_testkit::{TempNamespace, wait_until};
use driftless_tests::{
    Harness, Replica, app_spec, config_map, kustomization, synced_and_healthy, write_tree,
};
use serde_json::json;

/// Mirror directories in the cache (hidden bookkeeping entries left out).
fn mirrors(cache: &Path) -> usize {
    std::fs::read_dir(cache)
        .map(|entries| {
            entries
                .flatten()
                .filter(|e| !e.file_name().to_string_lossy().starts_with('.') && e.path().is_dir())
                .count()
        })
        .unwrap_or(0)
}

#[tokio::test]
async fn a_mirror_no_application_uses_is_removed() {
    let tree = tempfile::tempdir().unwrap();
    write_tree(
        tree.path(),
        &[
            ("app/kustomization.yaml", kustomization(&["cm.yaml"])),
            ("app/cm.yaml", config_map("settings", "one", &[])),
        ],
    );
    let mut harness = Harness::start(tree.path()).await.unwrap();
    harness.stop_controller().await;
    let replica = Replica::spawn_tuned(
        harness.kube.clone(),
        harness.apps.name(),
        Duration::from_secs(600),
        None,
        |config| config.repo_unused_after = Duration::from_secs(5),
    )
    .unwrap();
    let target = TempNamespace::create(&harness.client, "dl-cache").await.unwrap();
    let spec = app_spec(&harness.repo_url(), "app", target.name(), json!({"prune": true}));
    harness.create_app("cached", json!({}), spec).await.unwrap();
    harness
        .wait_app("cached", "Synced and Healthy", |app| {
            synced_and_healthy(app, None)
        })
        .await
        .unwrap();
    assert_eq!(
        mirrors(replica.cache_dir()),
        1,
        "one mirror for the one repository"
    );

    // The app goes; nothing fetches the repository any more (the poll is 10 min away).
    harness
        .applications()
        .delete("cached", &Default::default())
        .await
        .unwrap();
    let cache = replica.cache_dir();
    wait_until(
        "the unused mirror removed",
        Duration::from_secs(30),
        || async move { (mirrors(cache) == 0).then_some(()) },
    )
    .await
    .unwrap();
    replica.stop().await.unwrap();
}
