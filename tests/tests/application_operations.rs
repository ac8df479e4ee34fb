//! How an Application behaves over its life, against the local control plane: the Events it
//! leaves, `syncPolicy.retry` giving up and a fix recovering, an object stuck in deletion,
//! `CreateNamespace=true`, commits that do not touch the app, hard refreshes and
//! `PrunePropagationPolicy=orphan`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use driftless_api::Application;
use driftless_api::application::{HealthStatusCode, OperationPhase, SyncStatusCode};
use driftless_testkit::git_server::Change;
use driftless_testkit::{TempNamespace, wait_until};
use driftless_tests::{
    Harness, REPO, app_spec, config_map, deployment, kubectl, kustomization, synced_and_healthy, write_tree,
};
use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::core::v1::{ConfigMap, Namespace};
use k8s_openapi::api::events::v1::Event;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams};
use serde_json::json;

/// A Service the API server refuses (422): `type` is not one it knows.
fn invalid_service() -> String {
    "apiVersion: v1\nkind: Service\nmetadata:\n  name: front\nspec:\n  type: Bogus\n  \
     selector: {app: web}\n  ports:\n  - port: 80\n"
        .into()
}

fn service() -> String {
    invalid_service().replace("Bogus", "ClusterIP")
}

/// `(type, reason, note)` of every Event about Application `name`.
async fn events(harness: &Harness, name: &str) -> Vec<(String, String, String)> {
    let api: Api<Event> = Api::namespaced(harness.client.clone(), harness.apps.name());
    let list = api.list(&ListParams::default()).await.unwrap();
    list.items
        .into_iter()
        .filter(|e| e.regarding.as_ref().and_then(|r| r.name.as_deref()) == Some(name))
        .map(|e| {
            (
                e.type_.unwrap_or_default(),
                e.reason.unwrap_or_default(),
                e.note.unwrap_or_default(),
            )
        })
        .collect()
}

/// Waits for an Event about `app` with `reason` whose note contains `text`; returns its type.
async fn wait_event(harness: &Harness, app: &str, reason: &str, text: &str) -> String {
    let found = wait_until(&format!("a {reason} Event"), Duration::from_secs(30), || async {
        events(harness, app)
            .await
            .into_iter()
            .find(|(_, r, note)| r == reason && note.contains(text))
            .map(|(kind, _, _)| kind)
    })
    .await;
    match found {
        Ok(kind) => kind,
        Err(error) => panic!("{error}; events: {:#?}", events(harness, app).await),
    }
}

/// Waits until the controller has handled (and removed) the refresh annotation of `app`.
async fn wait_refreshed(harness: &Harness, app: &str) {
    harness
        .wait_app(app, "the refresh annotation removed", |app| {
            !app.metadata
                .annotations
                .as_ref()
                .is_some_and(|a| a.contains_key("driftless.dev/refresh"))
        })
        .await
        .unwrap();
}

fn condition<'a>(app: &'a Application, reason: &str) -> Option<&'a Condition> {
    app.status
        .as_ref()?
        .conditions
        .iter()
        .find(|c| c.reason == reason)
}

#[tokio::test]
async fn events_tell_the_story_and_retries_stop_at_the_limit_until_git_fixes_it() {
    let tree = tempfile::tempdir().unwrap();
    write_tree(
        tree.path(),
        &[
            (
                "app/kustomization.yaml",
                kustomization(&["web.yaml", "extra.yaml", "front.yaml"]),
            ),
            ("app/web.yaml", deployment("web", 1, &[])),
            ("app/extra.yaml", config_map("extra", "one", &[])),
            ("app/front.yaml", invalid_service()),
        ],
    );
    let harness = Harness::start(tree.path()).await.unwrap();
    let target = TempNamespace::create(&harness.client, "dl-story").await.unwrap();
    let mut spec = app_spec(
        &harness.repo_url(),
        "app",
        target.name(),
        json!({"prune": true, "selfHeal": true}),
    );
    spec["syncPolicy"]["retry"] =
        json!({"limit": 2, "backoff": {"duration": "1s", "factor": 2, "maxDuration": "4s"}});
    harness.create_app("story", json!({}), spec).await.unwrap();

    // The Service is refused: one first attempt and two retries, then no more at this commit.
    let app = harness
        .wait_app("story", "the retry limit reached", |app| {
            condition(app, "RetryLimitReached").is_some()
        })
        .await
        .unwrap();
    let message = &condition(&app, "RetryLimitReached").unwrap().message;
    assert!(message.contains("failed 3 times"), "{message}");
    let failed_syncs = harness
        .metric(
            "driftless_app_sync_total",
            &["name=\"story\"", "phase=\"Failed\""],
        )
        .await
        .unwrap();
    assert_eq!(failed_syncs, 3.0, "1 attempt + limit 2 retries");
    let status = app.status.as_ref().unwrap();
    let operation = status.operation_state.as_ref().unwrap();
    assert_eq!(operation.phase, OperationPhase::Failed);
    let front = operation
        .sync_result
        .as_ref()
        .unwrap()
        .resources
        .iter()
        .find(|r| r.name == "front")
        .unwrap();
    assert_eq!(front.action, "Failed");
    assert!(
        front.message.as_deref().unwrap_or_default().contains("Bogus"),
        "the API's own message: {front:?}"
    );
    let configmaps: Api<ConfigMap> = Api::namespaced(harness.client.clone(), target.name());
    assert!(
        configmaps.get_opt("extra").await.unwrap().is_some(),
        "the other objects were applied"
    );
    assert_eq!(
        wait_event(&harness, "story", "SyncStarted", "git changed").await,
        "Normal"
    );
    assert_eq!(
        wait_event(&harness, "story", "SyncFailed", "front").await,
        "Warning"
    );

    // Fixing it in git recovers without a restart.
    let fixed = harness
        .git
        .commit(
            REPO,
            "main",
            "fix the service",
            &[Change::file("app/front.yaml", &service())],
        )
        .unwrap();
    harness.refresh("story").await.unwrap();
    let app = harness
        .wait_app("story", "Synced and Healthy at the fix", |app| {
            synced_and_healthy(app, Some(&fixed))
        })
        .await
        .unwrap();
    assert!(condition(&app, "RetryLimitReached").is_none());
    assert_eq!(wait_event(&harness, "story", "Synced", &fixed).await, "Normal");

    // Self-heal and prune each say what they did.
    let out = kubectl(&["scale", "deployment/web", "-n", target.name(), "--replicas=3"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(
        wait_event(&harness, "story", "SyncStarted", "reverting drift").await,
        "Normal"
    );
    assert_eq!(
        wait_event(&harness, "story", "SelfHealed", "1 configured").await,
        "Normal"
    );
    harness
        .git
        .commit(
            REPO,
            "main",
            "drop extra",
            &[
                Change::file(
                    "app/kustomization.yaml",
                    &kustomization(&["web.yaml", "front.yaml"]),
                ),
                Change::Delete("app/extra.yaml".into()),
            ],
        )
        .unwrap();
    harness.refresh("story").await.unwrap();
    let note = format!("ConfigMap {}/extra", target.name());
    assert_eq!(wait_event(&harness, "story", "Pruned", &note).await, "Normal");
    harness.stop().await;
}

/// A namespaced CRD of a group unique to the calling test, and its kind's `kubectl` name.
fn widget_crd() -> (String, String) {
    let group = format!(
        "{}.driftless.dev",
        driftless_testkit::unique_name("w").replace('-', "")
    );
    let crd = format!(
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.{group}\n\
         spec:\n  group: {group}\n  scope: Namespaced\n  names: {{plural: widgets, singular: widget, kind: Widget}}\n  \
         versions:\n  - name: v1\n    served: true\n    storage: true\n    schema:\n      openAPIV3Schema:\n        \
         type: object\n        x-kubernetes-preserve-unknown-fields: true\n"
    );
    (crd, format!("widgets.{group}"))
}

/// Holds `kind/name` with another controller's finalizer (`null` releases it).
fn set_finalizers(namespace: &str, object: &str, finalizers: &str) {
    let patch = format!(r#"{{"metadata":{{"finalizers":{finalizers}}}}}"#);
    let out = kubectl(&["patch", object, "-n", namespace, "--type=merge", "-p", &patch]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[tokio::test]
async fn objects_stuck_in_deletion_are_reported_not_deleted_again_and_released_when_gone() {
    let (crd, widgets) = widget_crd();
    let group = widgets.trim_start_matches("widgets.").to_owned();
    let widget = format!("apiVersion: {group}/v1\nkind: Widget\nmetadata:\n  name: held\nspec:\n  size: 1\n");
    let tree = tempfile::tempdir().unwrap();
    write_tree(
        tree.path(),
        &[
            (
                "app/kustomization.yaml",
                kustomization(&["crd.yaml", "settings.yaml", "held.yaml", "widget.yaml"]),
            ),
            ("app/crd.yaml", crd),
            ("app/settings.yaml", config_map("settings", "one", &[])),
            ("app/held.yaml", config_map("held", "one", &[])),
            ("app/widget.yaml", widget),
        ],
    );
    let harness = Harness::start(tree.path()).await.unwrap();
    let target = TempNamespace::create(&harness.client, "dl-stuck").await.unwrap();
    let ns = target.name();
    let spec = app_spec(&harness.repo_url(), "app", ns, json!({"prune": true}));
    harness.create_app("stuck", json!({}), spec).await.unwrap();
    harness
        .wait_app("stuck", "Synced and Healthy", |app| synced_and_healthy(app, None))
        .await
        .unwrap();
    // Another controller holds both objects with its finalizer.
    let held_widget = format!("{widgets}/held");
    set_finalizers(ns, "configmap/held", r#"["example.com/hold"]"#);
    set_finalizers(ns, &held_widget, r#"["example.com/hold"]"#);

    let second = harness
        .git
        .commit(
            REPO,
            "main",
            "drop held and the widget, change settings",
            &[
                Change::file(
                    "app/kustomization.yaml",
                    &kustomization(&["crd.yaml", "settings.yaml"]),
                ),
                Change::Delete("app/held.yaml".into()),
                Change::Delete("app/widget.yaml".into()),
                Change::file("app/settings.yaml", &config_map("settings", "two", &[])),
            ],
        )
        .unwrap();
    harness.refresh("stuck").await.unwrap();
    let being_deleted = |app: &Application, kind: &str| {
        app.status.as_ref().is_some_and(|s| {
            s.resources.iter().any(|r| {
                r.kind == kind
                    && r.name == "held"
                    && r.health.as_ref().is_some_and(|h| {
                        h.status == HealthStatusCode::Progressing
                            && h.message
                                .as_deref()
                                .unwrap_or_default()
                                .contains("[example.com/hold]")
                    })
            })
        })
    };
    // The custom resource's wave waits up to the prune timeout (20 s in the harness) for it to
    // go, then the sync moves on.
    let app = harness
        .wait_app("stuck", "both reported as being deleted", |app| {
            app.status.as_ref().and_then(|s| s.sync.revision.as_deref()) == Some(second.as_str())
                && being_deleted(app, "ConfigMap")
                && being_deleted(app, "Widget")
        })
        .await
        .unwrap();
    let status = app.status.as_ref().unwrap();
    assert_eq!(status.sync.status, SyncStatusCode::OutOfSync);
    assert_eq!(
        status.operation_state.as_ref().unwrap().phase,
        OperationPhase::Succeeded,
        "a deletion under way is not a failure"
    );
    let configmaps: Api<ConfigMap> = Api::namespaced(harness.client.clone(), ns);
    let settings = configmaps.get("settings").await.unwrap();
    assert_eq!(
        settings.data.unwrap()["value"],
        "two",
        "the rest of the sync went through"
    );

    // Past the prune timeout it becomes a condition; each object was asked to go once and is not
    // deleted again by later reconciles.
    let app = harness
        .wait_app("stuck", "a DeletionStuck condition", |app| {
            condition(app, "DeletionStuck").is_some()
        })
        .await
        .unwrap();
    let message = &condition(&app, "DeletionStuck").unwrap().message;
    assert!(
        message.contains("held") && message.contains("example.com/hold"),
        "{message}"
    );
    for kind in ["ConfigMap", "Widget"] {
        let deletes = harness
            .metric("driftless_prune_total", &[&format!("kind=\"{kind}\"")])
            .await
            .unwrap();
        assert_eq!(deletes, 1.0, "{kind} deleted once");
    }

    // The other controller lets go: the objects leave the inventory and the app is Synced.
    set_finalizers(ns, "configmap/held", "null");
    set_finalizers(ns, &held_widget, "null");
    let app = harness
        .wait_app("stuck", "Synced once both are gone", |app| {
            synced_and_healthy(app, Some(&second)) && condition(app, "DeletionStuck").is_none()
        })
        .await
        .unwrap();
    let inventory = &app.status.unwrap().inventory.unwrap().entries;
    assert!(!inventory.iter().any(|e| e.contains("_held_")), "{inventory:?}");
    harness.stop().await;
    let out = kubectl(&["delete", "crd", &widgets, "--wait=false"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[tokio::test]
async fn create_namespace_untouched_commits_and_hard_refresh() {
    let tree = tempfile::tempdir().unwrap();
    write_tree(
        tree.path(),
        &[
            ("app/kustomization.yaml", kustomization(&["settings.yaml"])),
            ("app/settings.yaml", config_map("settings", "one", &[])),
            ("docs/README.md", "config repo\n".into()),
        ],
    );
    let harness = Harness::start(tree.path()).await.unwrap();
    let namespace = driftless_testkit::unique_name("dl-created");
    let namespaces: Api<Namespace> = Api::all(harness.client.clone());
    assert!(namespaces.get_opt(&namespace).await.unwrap().is_none());
    let mut spec = app_spec(&harness.repo_url(), "app", &namespace, json!({"prune": true}));
    spec["syncPolicy"]["syncOptions"] = json!(["CreateNamespace=true"]);
    harness.create_app("fresh", json!({}), spec).await.unwrap();
    let first = harness.git.rev_parse(REPO, "main").unwrap();
    let app = harness
        .wait_app("fresh", "Synced and Healthy", |app| {
            synced_and_healthy(app, Some(&first))
        })
        .await
        .unwrap();
    assert!(namespaces.get_opt(&namespace).await.unwrap().is_some(), "created");
    let first_operation = app.status.as_ref().unwrap().operation_state.clone();

    // One refresh first: its reconcile makes the one dry-run the synced state needs.
    harness.refresh("fresh").await.unwrap();
    wait_refreshed(&harness, "fresh").await;

    // A commit outside the app's path: only the revision moves, with no render and no dry-run.
    let renders = harness
        .metric("driftless_render_cache_misses_total", &[])
        .await
        .unwrap();
    let dry_runs = harness
        .metric("driftless_kube_api_requests_total", &["verb=\"dry-run\""])
        .await
        .unwrap();
    let docs = harness
        .git
        .commit(
            REPO,
            "main",
            "docs",
            &[Change::file("docs/README.md", "config repo, v2\n")],
        )
        .unwrap();
    harness.refresh("fresh").await.unwrap();
    let app = harness
        .wait_app("fresh", "the revision moved", |app| {
            synced_and_healthy(app, Some(&docs))
        })
        .await
        .unwrap();
    let status = app.status.as_ref().unwrap();
    assert_eq!(status.operation_state, first_operation, "no sync ran");
    assert_eq!(status.history.len(), 1, "nothing was deployed");
    assert_eq!(
        harness
            .metric("driftless_render_cache_misses_total", &[])
            .await
            .unwrap(),
        renders
    );
    assert_eq!(
        harness
            .metric("driftless_kube_api_requests_total", &["verb=\"dry-run\""])
            .await
            .unwrap(),
        dry_runs
    );

    // A hard refresh renders again, and the controller removes the annotation.
    let hard = json!({"metadata": {"annotations": {"driftless.dev/refresh": "hard"}}});
    harness
        .applications()
        .patch(
            "fresh",
            &kube::api::PatchParams::default(),
            &kube::api::Patch::Merge(&hard),
        )
        .await
        .unwrap();
    wait_refreshed(&harness, "fresh").await;
    assert_eq!(
        harness
            .metric("driftless_render_cache_misses_total", &[])
            .await
            .unwrap(),
        renders + 1.0
    );
    harness.stop().await;
    namespaces
        .delete(&namespace, &DeleteParams::default())
        .await
        .unwrap();
}

#[tokio::test]
async fn orphan_propagation_leaves_the_pruned_deployments_replicaset() {
    let tree = tempfile::tempdir().unwrap();
    write_tree(
        tree.path(),
        &[
            (
                "app/kustomization.yaml",
                kustomization(&["settings.yaml", "web.yaml"]),
            ),
            ("app/settings.yaml", config_map("settings", "one", &[])),
            ("app/web.yaml", deployment("web", 1, &[])),
        ],
    );
    let harness = Harness::start(tree.path()).await.unwrap();
    let target = TempNamespace::create(&harness.client, "dl-orphan").await.unwrap();
    let mut spec = app_spec(&harness.repo_url(), "app", target.name(), json!({"prune": true}));
    spec["syncPolicy"]["syncOptions"] = json!(["PrunePropagationPolicy=orphan"]);
    harness.create_app("orphan", json!({}), spec).await.unwrap();
    harness
        .wait_app("orphan", "Synced and Healthy", |app| {
            synced_and_healthy(app, None)
        })
        .await
        .unwrap();
    let sets: Api<ReplicaSet> = Api::namespaced(harness.client.clone(), target.name());
    let list = ListParams::default().labels("app=web");
    assert_eq!(sets.list(&list).await.unwrap().items.len(), 1);

    let second = harness
        .git
        .commit(
            REPO,
            "main",
            "drop web",
            &[
                Change::file("app/kustomization.yaml", &kustomization(&["settings.yaml"])),
                Change::Delete("app/web.yaml".into()),
            ],
        )
        .unwrap();
    harness.refresh("orphan").await.unwrap();
    harness
        .wait_app("orphan", "Synced after the prune", |app| {
            synced_and_healthy(app, Some(&second))
        })
        .await
        .unwrap();
    let deployments: Api<Deployment> = Api::namespaced(harness.client.clone(), target.name());
    wait_until("web deleted", Duration::from_secs(30), || async {
        deployments.get_opt("web").await.unwrap().is_none().then_some(())
    })
    .await
    .unwrap();
    // Orphaned, not collected: the ReplicaSet stays, without its owner reference.
    let orphans = wait_until("the ReplicaSet released", Duration::from_secs(30), || async {
        let items = sets.list(&list).await.unwrap().items;
        let released = items.len() == 1
            && items[0]
                .metadata
                .owner_references
                .as_ref()
                .is_none_or(|o| o.is_empty());
        released.then_some(items)
    })
    .await
    .unwrap();
    assert_eq!(orphans.len(), 1);
    harness.stop().await;
}

/// A harness whose Application `name` (automated prune, `PruneLast=true`) has synced Deployment
/// `web` and ConfigMap `old` from `app/`; `extra` files sit beside them in the repository.
async fn synced_prune_last_app(name: &str, extra: &[(&str, String)]) -> (Harness, TempNamespace) {
    let tree = tempfile::tempdir().unwrap();
    let mut files = vec![
        ("app/kustomization.yaml", kustomization(&["web.yaml", "old.yaml"])),
        ("app/web.yaml", deployment("web", 1, &[])),
        ("app/old.yaml", config_map("old", "one", &[])),
    ];
    files.extend(extra.iter().cloned());
    write_tree(tree.path(), &files);
    let harness = Harness::start(tree.path()).await.unwrap();
    let target = TempNamespace::create(&harness.client, &format!("dl-{name}"))
        .await
        .unwrap();
    let mut spec = app_spec(&harness.repo_url(), "app", target.name(), json!({"prune": true}));
    spec["syncPolicy"]["syncOptions"] = json!(["PruneLast=true"]);
    harness.create_app(name, json!({}), spec).await.unwrap();
    harness
        .wait_app(name, "Synced and Healthy", |app| synced_and_healthy(app, None))
        .await
        .unwrap();
    (harness, target)
}

/// Deployment `web` with a new image that takes 8 s to count as available.
fn slow_web() -> String {
    deployment("web", 1, &[])
        .replace("nginx:1.27", "nginx:1.28")
        .replace(
            "spec:\n  replicas: 1\n",
            "spec:\n  replicas: 1\n  minReadySeconds: 8\n",
        )
}

#[tokio::test]
async fn prune_last_waits_until_the_rollout_is_healthy() {
    let (harness, target) = synced_prune_last_app("last", &[]).await;
    // A new image that takes 8 s to count as available, and `old` removed from git.
    let slow = slow_web();
    let second = harness
        .git
        .commit(
            REPO,
            "main",
            "roll web, drop old",
            &[
                Change::file("app/kustomization.yaml", &kustomization(&["web.yaml"])),
                Change::file("app/web.yaml", &slow),
                Change::Delete("app/old.yaml".into()),
            ],
        )
        .unwrap();
    harness.refresh("last").await.unwrap();
    let deployments: Api<Deployment> = Api::namespaced(harness.client.clone(), target.name());
    // The new generation is observed and its ReplicaSet is not available yet.
    wait_until("the rollout under way", Duration::from_secs(30), || async {
        let web = deployments.get("web").await.ok()?;
        let status = web.status?;
        let progressing_reason = status
            .conditions
            .iter()
            .flatten()
            .find(|c| c.type_ == "Progressing")
            .and_then(|c| c.reason.clone());
        let rolling = web.spec?.min_ready_seconds == Some(8)
            && status.observed_generation == web.metadata.generation
            && progressing_reason.is_some_and(|r| r != "NewReplicaSetAvailable");
        rolling.then_some(())
    })
    .await
    .unwrap();
    let configmaps: Api<ConfigMap> = Api::namespaced(harness.client.clone(), target.name());
    assert!(
        configmaps.get_opt("old").await.unwrap().is_some(),
        "PruneLast keeps old while the rollout is progressing"
    );
    harness
        .wait_app("last", "Synced and Healthy after the rollout", |app| {
            synced_and_healthy(app, Some(&second))
        })
        .await
        .unwrap();
    assert!(
        configmaps.get_opt("old").await.unwrap().is_none(),
        "pruned once healthy"
    );
    harness.stop().await;
}

/// A spec edit while a sync is under way makes the status write conflict. What the sync applied
/// must still reach the inventory, or the newer spec's reconcile could never prune it.
#[tokio::test]
async fn a_spec_edit_during_a_sync_keeps_what_the_sync_applied_in_the_inventory() {
    let other = [
        ("other/kustomization.yaml", kustomization(&["keep.yaml"])),
        ("other/keep.yaml", config_map("keep", "one", &[])),
    ];
    let (harness, target) = synced_prune_last_app("moved", &other).await;
    // The next sync applies `fresh`, then waits ~8 s for the slow rollout of web before it
    // prunes `old` (PruneLast).
    let slow = slow_web();
    let second = harness
        .git
        .commit(
            REPO,
            "main",
            "roll web, add fresh, drop old",
            &[
                Change::file(
                    "app/kustomization.yaml",
                    &kustomization(&["web.yaml", "fresh.yaml"]),
                ),
                Change::file("app/web.yaml", &slow),
                Change::file("app/fresh.yaml", &config_map("fresh", "one", &[])),
                Change::Delete("app/old.yaml".into()),
            ],
        )
        .unwrap();
    harness.refresh("moved").await.unwrap();
    let configmaps: Api<ConfigMap> = Api::namespaced(harness.client.clone(), target.name());
    wait_until("fresh applied", Duration::from_secs(30), || async {
        configmaps.get_opt("fresh").await.ok().flatten().map(|_| ())
    })
    .await
    .unwrap();
    // While that sync waits, the Application moves to another path.
    let moved = json!({"spec": {"source": {"path": "other"}}});
    harness
        .applications()
        .patch("moved", &PatchParams::default(), &Patch::Merge(&moved))
        .await
        .unwrap();

    let deployments: Api<Deployment> = Api::namespaced(harness.client.clone(), target.name());
    wait_until(
        "everything the old path applied is pruned",
        Duration::from_secs(60),
        || async {
            let fresh = configmaps.get_opt("fresh").await.ok()?;
            let old = configmaps.get_opt("old").await.ok()?;
            let web = deployments.get_opt("web").await.ok()?;
            (fresh.is_none() && old.is_none() && web.is_none()).then_some(())
        },
    )
    .await
    .unwrap();
    let app = harness
        .wait_app("moved", "Synced and Healthy on the new path", |app| {
            synced_and_healthy(app, Some(&second))
        })
        .await
        .unwrap();
    assert!(configmaps.get_opt("keep").await.unwrap().is_some());
    let history = &app.status.as_ref().unwrap().history;
    assert!(
        history.iter().any(|entry| entry.revision == second),
        "the interrupted sync is in the history: {history:?}"
    );
    harness.stop().await;
}

#[tokio::test]
async fn git_going_away_keeps_the_last_good_state_and_its_return_recovers() {
    let tree = tempfile::tempdir().unwrap();
    write_tree(
        tree.path(),
        &[
            ("app/kustomization.yaml", kustomization(&["settings.yaml"])),
            ("app/settings.yaml", config_map("settings", "one", &[])),
        ],
    );
    let harness = Harness::start(tree.path()).await.unwrap();
    let target = TempNamespace::create(&harness.client, "dl-gitdown")
        .await
        .unwrap();
    let spec = app_spec(&harness.repo_url(), "app", target.name(), json!({"prune": true}));
    harness.create_app("gitdown", json!({}), spec).await.unwrap();
    let first = harness.git.rev_parse(REPO, "main").unwrap();
    let synced = harness
        .wait_app("gitdown", "Synced and Healthy", |app| {
            synced_and_healthy(app, Some(&first))
        })
        .await
        .unwrap();
    let inventory = synced.status.unwrap().inventory;

    // The repository disappears from the server: the fetch fails, the cached commit still
    // renders, and nothing is pruned or lost.
    harness.git.delete_repo(REPO).unwrap();
    harness.refresh("gitdown").await.unwrap();
    let git_problem = |app: &Application| {
        app.status.as_ref().and_then(|s| {
            s.conditions
                .iter()
                .find(|c| c.type_ == "ComparisonError" && c.reason.starts_with("Git"))
                .map(|c| c.message.clone())
        })
    };
    let app = harness
        .wait_app("gitdown", "a git condition", |app| git_problem(app).is_some())
        .await
        .unwrap();
    let message = git_problem(&app).unwrap();
    assert!(
        message.contains(&format!("{REPO}.git")),
        "names the repository: {message}"
    );
    let status = app.status.as_ref().unwrap();
    assert_eq!(status.sync.revision.as_deref(), Some(first.as_str()));
    assert_eq!(status.inventory, inventory, "the inventory is kept");
    let configmaps: Api<ConfigMap> = Api::namespaced(harness.client.clone(), target.name());
    assert!(
        configmaps.get_opt("settings").await.unwrap().is_some(),
        "nothing pruned"
    );

    // It comes back with a new history: the app follows without a restart.
    write_tree(
        tree.path(),
        &[("app/settings.yaml", config_map("settings", "two", &[]))],
    );
    harness.git.create_repo(REPO).unwrap();
    let second = harness
        .git
        .commit_dir(REPO, "main", "restored", tree.path())
        .unwrap();
    harness.git.set_head(REPO, "main").unwrap();
    harness.refresh("gitdown").await.unwrap();
    harness
        .wait_app("gitdown", "Synced at the restored repository", |app| {
            synced_and_healthy(app, Some(&second)) && git_problem(app).is_none()
        })
        .await
        .unwrap();
    assert_eq!(
        configmaps.get("settings").await.unwrap().data.unwrap()["value"],
        "two"
    );
    harness.stop().await;
}
