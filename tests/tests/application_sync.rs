//! The Application controller against the local control plane and a loopback
//! git server serving the medium bench repository.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::time::Duration;

use driftless_testkit::git_server::Change;
use driftless_testkit::{TempNamespace, wait_until};
use driftless_tests::{
    Harness, config_map, deployment, fake_ingress_controller, kubectl, kustomization, synced_and_healthy,
    write_tree,
};
use k8s_openapi::api::apps::v1::Deployment;
use kube::api::Api;
use serde_json::json;

fn medium_repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/bench/config-repo-medium")
}

#[tokio::test]
async fn a_prod_overlay_syncs_healthy_and_follows_a_new_tag() {
    let harness = Harness::start(&medium_repo()).await.unwrap();
    let target = TempNamespace::create(&harness.client, "dl-payments")
        .await
        .unwrap();
    let ingress = fake_ingress_controller(harness.client.clone(), target.name().to_owned());
    let first = harness.git.rev_parse(driftless_tests::REPO, "main").unwrap();
    harness
        .create_app(
            "payments-api-prod",
            json!({}),
            json!({
                "source": {"repoURL": harness.repo_url(), "targetRevision": "main",
                           "path": "apps/payments-api/overlays/prod"},
                "destination": {"server": "https://kubernetes.default.svc", "namespace": target.name()},
                "syncPolicy": {"automated": {"prune": true, "selfHeal": true}},
            }),
        )
        .await
        .unwrap();
    let app = harness
        .wait_app(
            "payments-api-prod",
            "Synced and Healthy at the first commit",
            |app| synced_and_healthy(app, Some(&first)),
        )
        .await
        .unwrap();
    let status = app.status.unwrap();
    assert_eq!(status.sync.short_revision.as_deref(), Some(&first[..7]));
    assert!(
        status
            .resources
            .iter()
            .any(|r| r.kind == "Deployment" && r.name == "payments-api")
    );
    assert_eq!(status.history.len(), 1);

    let deployments: Api<Deployment> = Api::namespaced(harness.client.clone(), target.name());
    let deployment = deployments.get("payments-api").await.unwrap();
    let image = deployment.spec.unwrap().template.spec.unwrap().containers[0]
        .image
        .clone()
        .unwrap();
    assert!(image.ends_with(":v2.4.1"), "image {image}");

    // kubectl shows the columns and can wait for Ready.
    let table = kubectl(&["get", "applications", "-n", harness.apps.name()]);
    let table = String::from_utf8_lossy(&table.stdout).to_string();
    let header: Vec<&str> = table
        .lines()
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .collect();
    assert_eq!(
        header,
        ["NAME", "SYNC", "STATUS", "HEALTH", "REVISION", "AGE"],
        "{table}"
    );
    assert!(table.contains(&first[..7]), "{table}");
    let wait = kubectl(&[
        "wait",
        "--for=condition=Ready",
        "app/payments-api-prod",
        "-n",
        harness.apps.name(),
        "--timeout=30s",
    ]);
    assert!(wait.status.success(), "{}", String::from_utf8_lossy(&wait.stderr));

    // A promotion PR: bump newTag, then ask for a refresh.
    let kustomization =
        std::fs::read_to_string(medium_repo().join("apps/payments-api/overlays/prod/kustomization.yaml"))
            .unwrap()
            .replace("newTag: v2.4.1", "newTag: v2.4.2");
    let second = harness
        .git
        .commit(
            driftless_tests::REPO,
            "main",
            "promote payments-api v2.4.2",
            &[Change::file(
                "apps/payments-api/overlays/prod/kustomization.yaml",
                &kustomization,
            )],
        )
        .unwrap();
    harness.refresh("payments-api-prod").await.unwrap();
    let app = harness
        .wait_app("payments-api-prod", "synced at the new commit", |app| {
            synced_and_healthy(app, Some(&second))
        })
        .await
        .unwrap();
    let history: Vec<String> = app
        .status
        .unwrap()
        .history
        .iter()
        .map(|h| h.revision.clone())
        .collect();
    assert_eq!(history, [first.clone(), second.clone()]);
    assert!(
        !app.metadata
            .annotations
            .unwrap_or_default()
            .contains_key("driftless.dev/refresh")
    );
    let image = deployments
        .get("payments-api")
        .await
        .unwrap()
        .spec
        .unwrap()
        .template
        .spec
        .unwrap()
        .containers[0]
        .image
        .clone()
        .unwrap();
    assert!(image.ends_with(":v2.4.2"), "image {image}");

    ingress.abort();
    harness.stop().await;
}

/// A small repository whose objects need no controllers to be healthy.
fn small_repo(dir: &std::path::Path, replicas: u32, extra_config_map: bool) {
    let mut resources = vec!["deployment.yaml", "settings.yaml"];
    if extra_config_map {
        resources.push("extra.yaml");
    }
    write_tree(
        dir,
        &[
            ("app/kustomization.yaml", kustomization(&resources)),
            ("app/deployment.yaml", deployment("web", replicas, &[])),
            ("app/settings.yaml", config_map("settings", "blue", &[])),
            ("app/extra.yaml", config_map("extra", "v", &[])),
        ],
    );
}

async fn replicas(api: &Api<Deployment>) -> Option<i32> {
    api.get("web").await.ok()?.spec?.replicas
}

async fn scale(target: &str, replicas: u32) {
    let out = kubectl(&[
        "scale",
        "deployment/web",
        "-n",
        target,
        &format!("--replicas={replicas}"),
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[tokio::test]
async fn drift_is_reverted_only_where_self_heal_allows() {
    let tree = tempfile::tempdir().unwrap();
    small_repo(tree.path(), 2, false);
    let harness = Harness::start(tree.path()).await.unwrap();
    let healing = TempNamespace::create(&harness.client, "dl-heal").await.unwrap();
    let reporting = TempNamespace::create(&harness.client, "dl-report").await.unwrap();
    let spec = |namespace: &str, self_heal: bool| {
        json!({
            "source": {"repoURL": harness.repo_url(), "targetRevision": "main", "path": "app"},
            "destination": {"name": "in-cluster", "namespace": namespace},
            "syncPolicy": {"automated": {"prune": true, "selfHeal": self_heal}},
        })
    };
    harness
        .create_app("healing", json!({}), spec(healing.name(), true))
        .await
        .unwrap();
    harness
        .create_app("reporting", json!({}), spec(reporting.name(), false))
        .await
        .unwrap();
    for name in ["healing", "reporting"] {
        harness
            .wait_app(name, "Synced and Healthy", |app| synced_and_healthy(app, None))
            .await
            .unwrap();
    }

    // selfHeal: a kubectl scale is reverted by the drift watch, well before the 30 s poll.
    let healed: Api<Deployment> = Api::namespaced(harness.client.clone(), healing.name());
    scale(healing.name(), 5).await;
    wait_until("scale reverted", Duration::from_secs(10), || async {
        (replicas(&healed).await == Some(2)).then_some(())
    })
    .await
    .unwrap();

    // No selfHeal: the drift is reported, not reverted.
    let reported: Api<Deployment> = Api::namespaced(harness.client.clone(), reporting.name());
    scale(reporting.name(), 5).await;
    harness
        .wait_app("reporting", "OutOfSync after drift", |app| {
            app.status
                .as_ref()
                .is_some_and(|s| s.sync.status == driftless_api::application::SyncStatusCode::OutOfSync)
        })
        .await
        .unwrap();
    assert_eq!(replicas(&reported).await, Some(5));

    // Paused: a healing app created with a pause does not heal before the pause ends.
    let paused_ns = TempNamespace::create(&harness.client, "dl-paused").await.unwrap();
    let pause = json!({"annotations": {"driftless.dev/self-heal-paused-until": "2099-01-01T00:00:00Z"}});
    harness
        .create_app("paused", pause, spec(paused_ns.name(), true))
        .await
        .unwrap();
    harness
        .wait_app("paused", "Synced and Healthy", |app| {
            synced_and_healthy(app, None)
        })
        .await
        .unwrap();
    let paused: Api<Deployment> = Api::namespaced(harness.client.clone(), paused_ns.name());
    scale(paused_ns.name(), 4).await;
    harness
        .wait_app("paused", "OutOfSync while paused", |app| {
            app.status
                .as_ref()
                .is_some_and(|s| s.sync.status == driftless_api::application::SyncStatusCode::OutOfSync)
        })
        .await
        .unwrap();
    assert_eq!(replicas(&paused).await, Some(4));
    harness.stop().await;
}

#[tokio::test]
async fn removed_objects_are_pruned_and_a_broken_commit_changes_nothing() {
    let tree = tempfile::tempdir().unwrap();
    small_repo(tree.path(), 1, true);
    let harness = Harness::start(tree.path()).await.unwrap();
    let target = TempNamespace::create(&harness.client, "dl-prune").await.unwrap();
    harness
        .create_app(
            "pruning",
            json!({"finalizers": ["driftless.dev/resources-finalizer"]}),
            json!({
                "source": {"repoURL": harness.repo_url(), "targetRevision": "main", "path": "app"},
                "destination": {"server": "https://kubernetes.default.svc", "namespace": target.name()},
                "syncPolicy": {"automated": {"prune": true, "selfHeal": true}},
            }),
        )
        .await
        .unwrap();
    harness
        .wait_app("pruning", "Synced and Healthy", |app| {
            synced_and_healthy(app, None)
        })
        .await
        .unwrap();
    let config_maps: Api<k8s_openapi::api::core::v1::ConfigMap> =
        Api::namespaced(harness.client.clone(), target.name());
    assert!(config_maps.get_opt("extra").await.unwrap().is_some());

    // A broken kustomization: ComparisonError naming the file; nothing pruned.
    let broken = harness
        .git
        .commit(
            driftless_tests::REPO,
            "main",
            "break it",
            &[Change::file(
                "app/kustomization.yaml",
                "resourcez:\n- settings.yaml\n",
            )],
        )
        .unwrap();
    let apps = harness.applications();
    harness.refresh("pruning").await.unwrap();
    let app = harness
        .wait_app("pruning", "ComparisonError", |app| {
            app.status
                .as_ref()
                .is_some_and(|s| s.conditions.iter().any(|c| c.type_ == "ComparisonError"))
        })
        .await
        .unwrap();
    let condition = app
        .status
        .unwrap()
        .conditions
        .into_iter()
        .find(|c| c.type_ == "ComparisonError")
        .unwrap();
    assert!(
        condition.message.contains("kustomization.yaml"),
        "{}",
        condition.message
    );
    assert!(
        config_maps.get_opt("extra").await.unwrap().is_some(),
        "nothing pruned after a broken render"
    );
    let _ = broken;

    // The next good commit drops `extra` from git: it is pruned.
    let fixed = harness
        .git
        .commit(
            driftless_tests::REPO,
            "main",
            "drop extra",
            &[Change::file(
                "app/kustomization.yaml",
                "resources:\n- deployment.yaml\n- settings.yaml\n",
            )],
        )
        .unwrap();
    harness.refresh("pruning").await.unwrap();
    harness
        .wait_app("pruning", "Synced at the fix", |app| {
            synced_and_healthy(app, Some(&fixed))
        })
        .await
        .unwrap();
    wait_until("extra pruned", Duration::from_secs(30), || async {
        config_maps.get_opt("extra").await.ok()?.is_none().then_some(())
    })
    .await
    .unwrap();

    // Deleting the Application with the finalizer deletes its objects.
    apps.delete("pruning", &Default::default()).await.unwrap();
    wait_until(
        "objects deleted with the app",
        Duration::from_secs(60),
        || async {
            config_maps
                .get_opt("settings")
                .await
                .ok()?
                .is_none()
                .then_some(())
        },
    )
    .await
    .unwrap();
    harness.stop().await;
}

#[tokio::test]
async fn a_quiet_cluster_costs_no_dry_runs_and_no_writes() {
    let tree = tempfile::tempdir().unwrap();
    small_repo(tree.path(), 1, false);
    let harness = Harness::start_with(tree.path(), Duration::from_secs(1))
        .await
        .unwrap();
    let target = TempNamespace::create(&harness.client, "dl-quiet").await.unwrap();
    harness
        .create_app(
            "quiet",
            json!({}),
            json!({
                "source": {"repoURL": harness.repo_url(), "targetRevision": "main", "path": "app"},
                "destination": {"server": "https://kubernetes.default.svc", "namespace": target.name()},
                "syncPolicy": {"automated": {"prune": true, "selfHeal": true}},
            }),
        )
        .await
        .unwrap();
    harness
        .wait_app("quiet", "Synced and Healthy", |app| synced_and_healthy(app, None))
        .await
        .unwrap();
    // Let the rollout's last status updates settle: the app must be unchanged for a few reconciles.
    let reconciles = || {
        harness.metric(
            "driftless_app_reconcile_duration_seconds_count",
            &["name=\"quiet\""],
        )
    };
    // Late rollout updates (pods becoming ready under load) may still change the status once;
    // wait until two reconciles in a row leave the Application untouched.
    let apps = harness.applications();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let version = apps.get("quiet").await.unwrap().metadata.resource_version;
        let count = reconciles().await.unwrap();
        wait_until("two more reconciles", Duration::from_secs(20), || async {
            (reconciles().await.ok()? >= count + 2.0).then_some(())
        })
        .await
        .unwrap();
        if apps.get("quiet").await.unwrap().metadata.resource_version == version {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "the status never settled");
    }
    let before_app = harness.applications().get("quiet").await.unwrap();
    let version = before_app.metadata.resource_version.clone();
    // Every request the controller sends is counted by verb; none of these may happen.
    let writes = || async {
        let mut counts = Vec::new();
        for verb in ["dry-run", "apply", "patch", "create", "update", "delete"] {
            let label = format!("verb=\"{verb}\"");
            let count = harness
                .metric("driftless_kube_api_requests_total", &[&label])
                .await
                .unwrap();
            counts.push((verb, count));
        }
        counts
    };
    let writes_before = writes().await;
    let before = reconciles().await.unwrap();
    wait_until("three quiet reconciles", Duration::from_secs(20), || async {
        (reconciles().await.ok()? >= before + 3.0).then_some(())
    })
    .await
    .unwrap();
    let after_version = harness
        .applications()
        .get("quiet")
        .await
        .unwrap()
        .metadata
        .resource_version;
    assert_eq!(after_version, version, "no status writes while nothing changes");
    assert_eq!(writes().await, writes_before, "no dry-runs and no writes");
    let total = harness
        .metric(
            "driftless_app_reconcile_duration_seconds_sum",
            &["name=\"quiet\""],
        )
        .await
        .unwrap();
    let count = reconciles().await.unwrap();
    eprintln!(
        "quiet reconciles: {count} in {total:.3} s total ({:.1} ms mean, cold one included)",
        total / count * 1000.0
    );
    harness.stop().await;
}

#[tokio::test]
async fn a_crd_and_its_custom_resource_sync_in_one_pass() {
    let tree = tempfile::tempdir().unwrap();
    let app = tree.path().join("app");
    std::fs::create_dir_all(&app).unwrap();
    let suffix = driftless_testkit::unique_name("w").replace('-', "");
    let group = format!("{suffix}.driftless.dev");
    std::fs::write(
        app.join("kustomization.yaml"),
        "resources:\n- crd.yaml\n- widget.yaml\n",
    )
    .unwrap();
    std::fs::write(
        app.join("crd.yaml"),
        format!(
            "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.{group}\nspec:\n  group: {group}\n  scope: Namespaced\n  names: {{plural: widgets, singular: widget, kind: Widget}}\n  versions:\n  - name: v1\n    served: true\n    storage: true\n    schema:\n      openAPIV3Schema:\n        type: object\n        x-kubernetes-preserve-unknown-fields: true\n"
        ),
    )
    .unwrap();
    std::fs::write(
        app.join("widget.yaml"),
        format!("apiVersion: {group}/v1\nkind: Widget\nmetadata:\n  name: first\nspec:\n  size: 3\n"),
    )
    .unwrap();
    let harness = Harness::start(tree.path()).await.unwrap();
    let target = TempNamespace::create(&harness.client, "dl-crd").await.unwrap();
    harness
        .create_app(
            "widgets",
            json!({"finalizers": ["driftless.dev/resources-finalizer"]}),
            json!({
                "source": {"repoURL": harness.repo_url(), "targetRevision": "main", "path": "app"},
                "destination": {"server": "https://kubernetes.default.svc", "namespace": target.name()},
                "syncPolicy": {"automated": {"prune": true}},
            }),
        )
        .await
        .unwrap();
    let app = harness
        .wait_app("widgets", "Synced and Healthy", |app| {
            synced_and_healthy(app, None)
        })
        .await
        .unwrap();
    let status = app.status.unwrap();
    assert_eq!(status.history.len(), 1, "one sync applied both");
    let result = status.operation_state.unwrap().sync_result.unwrap();
    let created: Vec<&str> = result.resources.iter().map(|r| r.kind.as_str()).collect();
    assert_eq!(created, ["CustomResourceDefinition", "Widget"]);
    let out = kubectl(&["get", &format!("widgets.{group}"), "first", "-n", target.name()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // Clean up the cluster-scoped CRD through the app's finalizer.
    harness
        .applications()
        .delete("widgets", &Default::default())
        .await
        .unwrap();
    wait_until("CRD deleted", Duration::from_secs(60), || async {
        let out = kubectl(&["get", "crd", &format!("widgets.{group}")]);
        (!out.status.success()).then_some(())
    })
    .await
    .unwrap();
    harness.stop().await;
}
