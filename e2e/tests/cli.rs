//! `driftless sync` and `driftless refresh` as a person runs them: the binary against the local
//! control plane, with a controller reconciling the Application.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Output;

use driftless_api::application::{OperationPhase, SyncStatusCode};
use driftless_e2e::driftless_binary;
use driftless_testkit::TempNamespace;
use driftless_tests::{
    Harness, app_spec, config_map, deployment, kustomization, synced_and_healthy, write_tree,
};
use serde_json::json;

/// Runs `driftless ARGS` against the test cluster.
async fn driftless(args: &[&str]) -> Output {
    let binary = driftless_binary().unwrap();
    tokio::process::Command::new(binary)
        .args(args)
        .env("KUBECONFIG", driftless_testkit::cluster::kubeconfig_path())
        .env("RUST_LOG", "warn")
        .output()
        .await
        .unwrap()
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[tokio::test]
async fn sync_runs_a_manual_apps_sync_and_refresh_rechecks_it() {
    let tree = tempfile::tempdir().unwrap();
    write_tree(
        tree.path(),
        &[
            ("app/kustomization.yaml", kustomization(&["cm.yaml", "web.yaml"])),
            ("app/cm.yaml", config_map("settings", "one", &[])),
            ("app/web.yaml", deployment("web", 1, &[])),
        ],
    );
    let harness = Harness::start(tree.path()).await.unwrap();
    let target = TempNamespace::create(&harness.client, "dl-cli").await.unwrap();
    // Manual mode: no `automated`.
    let mut spec = app_spec(&harness.repo_url(), "app", target.name(), json!(null));
    spec["syncPolicy"] = json!({});
    harness.create_app("manual", json!({}), spec).await.unwrap();
    let first = harness.git.rev_parse(driftless_tests::REPO, "main").unwrap();
    harness
        .wait_app("manual", "OutOfSync, nothing applied", |app| {
            app.status
                .as_ref()
                .is_some_and(|s| s.sync.status == SyncStatusCode::OutOfSync && s.operation_state.is_none())
        })
        .await
        .unwrap();

    let apps = harness.apps.name().to_owned();
    let out = driftless(&["sync", "manual", "-n", &apps, "--timeout", "90s"]).await;
    assert!(out.status.success(), "{}", text(&out));
    let printed = text(&out);
    assert!(printed.contains("manual: sync Succeeded"), "{printed}");
    assert!(
        printed.contains(&format!("apps/Deployment {}/web: Created", target.name())),
        "{printed}"
    );
    let app = harness
        .wait_app("manual", "Synced and Healthy", |app| {
            synced_and_healthy(app, Some(&first))
        })
        .await
        .unwrap();
    assert!(app.operation.is_none(), "the request is cleared");
    assert_eq!(
        app.status.unwrap().operation_state.unwrap().phase,
        OperationPhase::Succeeded
    );

    // Syncing again with nothing to do reports that, not the earlier sync's result.
    let out = driftless(&["sync", "manual", "-n", &apps]).await;
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains(&format!("manual: sync Succeeded: nothing to sync at {first}")),
        "{}",
        text(&out)
    );

    // `diff` against git: nothing to change (exit 0).
    let out = driftless(&["diff", "manual", "-n", &apps]).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains("2 unchanged, 0 changed, 0 to create, 0 to remove"),
        "{}",
        text(&out)
    );
    // `diff --dir` against a local checkout with edits (a pull request): exit 1, each change named,
    // and nothing applied.
    write_tree(
        tree.path(),
        &[
            (
                "app/kustomization.yaml",
                kustomization(&["cm.yaml", "extra.yaml"]),
            ),
            ("app/cm.yaml", config_map("settings", "two", &[])),
            ("app/extra.yaml", config_map("extra", "new", &[])),
        ],
    );
    let checkout = tree.path().to_string_lossy().into_owned();
    let out = driftless(&["diff", "manual", "-n", &apps, "--dir", &checkout]).await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let ns = target.name();
    for line in [
        format!(
            "~ v1 ConfigMap {ns}/settings
    /data/value: \"one\" → \"two\"
"
        ),
        format!(
            "+ v1 ConfigMap {ns}/extra (not in the cluster)
"
        ),
        format!(
            "- apps/v1 Deployment {ns}/web (no longer in git; a sync with prune deletes it)
"
        ),
        "0 unchanged, 1 changed, 1 to create, 1 to remove
"
        .to_owned(),
    ] {
        assert!(text(&out).contains(&line), "{line:?} in:\n{}", text(&out));
    }
    let configmaps: kube::Api<k8s_openapi::api::core::v1::ConfigMap> =
        kube::Api::namespaced(harness.client.clone(), ns);
    assert_eq!(
        configmaps.get("settings").await.unwrap().data.unwrap()["value"],
        "one"
    );
    assert!(configmaps.get_opt("extra").await.unwrap().is_none());

    // A revision that does not exist: the command fails and says which.
    let out = driftless(&["sync", "manual", "-n", &apps, "--revision", "no-such-branch"]).await;
    assert!(!out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("no-such-branch"), "{}", text(&out));

    // `refresh --hard` returns once the controller has looked again, and prints the state.
    let out = driftless(&["refresh", "manual", "-n", &apps, "--hard"]).await;
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains(&format!("manual: Synced Healthy at {first}")),
        "{}",
        text(&out)
    );

    // An Application that does not exist is named in the error.
    let out = driftless(&["sync", "absent", "-n", &apps]).await;
    assert!(!out.status.success());
    assert!(
        text(&out).contains(&format!("Application {apps}/absent not found")),
        "{}",
        text(&out)
    );
    harness.stop().await;
}
