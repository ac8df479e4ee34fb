//! Per-object policies and ownership against the local control plane:
//! self-heal opt-out, `Prune=false`, garbage collection of pruned workloads,
//! deletion without the finalizer, and objects shared between Applications.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use driftless_api::application::SyncStatusCode;
use driftless_testkit::git_server::Change;
use driftless_testkit::{TempNamespace, wait_until};
use driftless_tests::{
    Harness, app_spec, config_map, deployment, kubectl, kustomization, synced_and_healthy, write_tree,
};
use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{Api, ListParams};
use serde_json::json;

const OPT_OUT: (&str, &str) = ("driftless.dev/self-heal", "false");
const KEEP: (&str, &str) = ("driftless.dev/sync-options", "Prune=false");

async fn replicas(api: &Api<Deployment>, name: &str) -> Option<i32> {
    api.get(name).await.ok()?.spec?.replicas
}

fn out_of_sync(app: &driftless_api::Application) -> bool {
    app.status
        .as_ref()
        .is_some_and(|s| s.sync.status == SyncStatusCode::OutOfSync)
}

#[tokio::test]
async fn an_opted_out_object_keeps_its_drift_but_follows_git() {
    let tree = tempfile::tempdir().unwrap();
    write_tree(
        tree.path(),
        &[
            (
                "app/kustomization.yaml",
                kustomization(&["healed.yaml", "manual.yaml"]),
            ),
            ("app/healed.yaml", deployment("healed", 1, &[])),
            ("app/manual.yaml", deployment("manual", 1, &[OPT_OUT])),
        ],
    );
    let harness = Harness::start(tree.path()).await.unwrap();
    let target = TempNamespace::create(&harness.client, "dl-optout").await.unwrap();
    let spec = app_spec(
        &harness.repo_url(),
        "app",
        target.name(),
        json!({"prune": true, "selfHeal": true}),
    );
    harness.create_app("optout", json!({}), spec).await.unwrap();
    harness
        .wait_app("optout", "Synced and Healthy", |app| {
            synced_and_healthy(app, None)
        })
        .await
        .unwrap();
    let deployments: Api<Deployment> = Api::namespaced(harness.client.clone(), target.name());

    for name in ["healed", "manual"] {
        let out = kubectl(&[
            "scale",
            &format!("deployment/{name}"),
            "-n",
            target.name(),
            "--replicas=3",
        ]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    wait_until("healed reverted", Duration::from_secs(10), || async {
        (replicas(&deployments, "healed").await == Some(1)).then_some(())
    })
    .await
    .unwrap();
    harness
        .wait_app("optout", "OutOfSync for the opted-out drift", out_of_sync)
        .await
        .unwrap();
    assert_eq!(
        replicas(&deployments, "manual").await,
        Some(3),
        "opted-out drift is not reverted"
    );

    // A change in git to the opted-out object is still applied.
    let second = harness
        .git
        .commit(
            driftless_tests::REPO,
            "main",
            "scale manual",
            &[Change::file(
                "app/manual.yaml",
                &deployment("manual", 2, &[OPT_OUT]),
            )],
        )
        .unwrap();
    harness.refresh("optout").await.unwrap();
    harness
        .wait_app("optout", "Synced at the new commit", |app| {
            synced_and_healthy(app, Some(&second))
        })
        .await
        .unwrap();
    assert_eq!(replicas(&deployments, "manual").await, Some(2));
    harness.stop().await;
}

#[tokio::test]
async fn pruning_collects_dependents_keeps_prune_false_and_needs_the_finalizer_to_delete() {
    let tree = tempfile::tempdir().unwrap();
    write_tree(
        tree.path(),
        &[
            (
                "app/kustomization.yaml",
                kustomization(&["web.yaml", "kept.yaml", "settings.yaml"]),
            ),
            ("app/web.yaml", deployment("web", 1, &[])),
            ("app/kept.yaml", config_map("kept", "v", &[KEEP])),
            ("app/settings.yaml", config_map("settings", "v", &[])),
        ],
    );
    let harness = Harness::start(tree.path()).await.unwrap();
    let target = TempNamespace::create(&harness.client, "dl-gc").await.unwrap();
    // No resources finalizer: deleting the Application leaves its objects.
    let spec = app_spec(&harness.repo_url(), "app", target.name(), json!({"prune": true}));
    harness.create_app("gc", json!({}), spec).await.unwrap();
    harness
        .wait_app("gc", "Synced and Healthy", |app| synced_and_healthy(app, None))
        .await
        .unwrap();
    let replica_sets: Api<ReplicaSet> = Api::namespaced(harness.client.clone(), target.name());
    let config_maps: Api<ConfigMap> = Api::namespaced(harness.client.clone(), target.name());
    let web_sets = ListParams::default().labels("app=web");
    wait_until("web ReplicaSet exists", Duration::from_secs(30), || async {
        (!replica_sets.list(&web_sets).await.ok()?.items.is_empty()).then_some(())
    })
    .await
    .unwrap();

    let next = harness
        .git
        .commit(
            driftless_tests::REPO,
            "main",
            "drop web and kept",
            &[Change::file(
                "app/kustomization.yaml",
                &kustomization(&["settings.yaml"]),
            )],
        )
        .unwrap();
    harness.refresh("gc").await.unwrap();
    harness
        .wait_app("gc", "Synced at the new commit", |app| {
            synced_and_healthy(app, Some(&next))
        })
        .await
        .unwrap();
    wait_until(
        "web's ReplicaSet garbage-collected",
        Duration::from_secs(30),
        || async {
            replica_sets
                .list(&web_sets)
                .await
                .ok()?
                .items
                .is_empty()
                .then_some(())
        },
    )
    .await
    .unwrap();
    assert!(
        config_maps.get_opt("kept").await.unwrap().is_some(),
        "Prune=false keeps the object"
    );

    harness
        .applications()
        .delete("gc", &Default::default())
        .await
        .unwrap();
    wait_until("Application gone", Duration::from_secs(30), || async {
        harness
            .applications()
            .get_opt("gc")
            .await
            .ok()?
            .is_none()
            .then_some(())
    })
    .await
    .unwrap();
    assert!(
        config_maps.get_opt("settings").await.unwrap().is_some(),
        "without the finalizer objects stay"
    );
    harness.stop().await;
}

#[tokio::test]
async fn an_object_tracked_by_another_application_is_left_alone() {
    let tree = tempfile::tempdir().unwrap();
    write_tree(
        tree.path(),
        &[
            ("first/kustomization.yaml", kustomization(&["shared.yaml"])),
            ("first/shared.yaml", config_map("shared", "first", &[])),
            (
                "second/kustomization.yaml",
                kustomization(&["shared.yaml", "own.yaml"]),
            ),
            ("second/shared.yaml", config_map("shared", "second", &[])),
            ("second/own.yaml", config_map("own", "second", &[])),
        ],
    );
    let harness = Harness::start(tree.path()).await.unwrap();
    let target = TempNamespace::create(&harness.client, "dl-shared").await.unwrap();
    let automated = json!({"prune": true, "selfHeal": true});
    harness
        .create_app(
            "first",
            json!({}),
            app_spec(&harness.repo_url(), "first", target.name(), automated.clone()),
        )
        .await
        .unwrap();
    harness
        .wait_app("first", "Synced and Healthy", |app| synced_and_healthy(app, None))
        .await
        .unwrap();
    harness
        .create_app(
            "second",
            json!({}),
            app_spec(&harness.repo_url(), "second", target.name(), automated),
        )
        .await
        .unwrap();
    let second = harness
        .wait_app("second", "SharedResourceWarning", |app| {
            app.status
                .as_ref()
                .is_some_and(|s| s.conditions.iter().any(|c| c.type_ == "SharedResourceWarning"))
        })
        .await
        .unwrap();
    let warning = second
        .status
        .unwrap()
        .conditions
        .into_iter()
        .find(|c| c.type_ == "SharedResourceWarning")
        .unwrap();
    assert!(warning.message.contains("first"), "{}", warning.message);
    let config_maps: Api<ConfigMap> = Api::namespaced(harness.client.clone(), target.name());
    wait_until("second's own object applied", Duration::from_secs(30), || async {
        config_maps.get_opt("own").await.ok()?.map(|_| ())
    })
    .await
    .unwrap();
    let shared = config_maps.get("shared").await.unwrap();
    assert_eq!(
        shared.data.unwrap()["value"],
        "first",
        "the other app's object is not overwritten"
    );
    harness.stop().await;
}

#[tokio::test]
async fn ignored_replicas_are_left_to_their_other_owner() {
    let tree = tempfile::tempdir().unwrap();
    write_tree(
        tree.path(),
        &[
            ("app/kustomization.yaml", kustomization(&["web.yaml"])),
            ("app/web.yaml", deployment("web", 2, &[])),
        ],
    );
    let harness = Harness::start(tree.path()).await.unwrap();
    let by_pointer = TempNamespace::create(&harness.client, "dl-ignore-ptr")
        .await
        .unwrap();
    let by_manager = TempNamespace::create(&harness.client, "dl-ignore-mgr")
        .await
        .unwrap();
    let rules = [
        (
            "pointer",
            by_pointer.name(),
            json!({"group": "apps", "kind": "Deployment", "jsonPointers": ["/spec/replicas"]}),
        ),
        (
            "manager",
            by_manager.name(),
            json!({"group": "apps", "kind": "Deployment", "managedFieldsManagers": ["kubectl"]}),
        ),
    ];
    for (name, namespace, rule) in &rules {
        let mut spec = app_spec(
            &harness.repo_url(),
            "app",
            namespace,
            json!({"prune": true, "selfHeal": true}),
        );
        spec["ignoreDifferences"] = json!([rule]);
        harness.create_app(name, json!({}), spec).await.unwrap();
        harness
            .wait_app(name, "Synced and Healthy", |app| synced_and_healthy(app, None))
            .await
            .unwrap();
    }
    // Another owner (an HPA would do the same through the scale subresource) sets replicas.
    for (_, namespace, _) in &rules {
        let out = kubectl(&["scale", "deployment/web", "-n", namespace, "--replicas=5"]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    // A git change to another field is applied without taking replicas back.
    let next = harness
        .git
        .commit(
            driftless_tests::REPO,
            "main",
            "new image",
            &[Change::file(
                "app/web.yaml",
                &deployment("web", 2, &[]).replace("nginx:1.27", "nginx:1.28"),
            )],
        )
        .unwrap();
    for (name, namespace, _) in &rules {
        harness.refresh(name).await.unwrap();
        harness
            .wait_app(name, "Synced at the new image", |app| {
                synced_and_healthy(app, Some(&next))
            })
            .await
            .unwrap();
        let deployments: Api<Deployment> = Api::namespaced(harness.client.clone(), namespace);
        let web = deployments.get("web").await.unwrap();
        let spec = web.spec.unwrap();
        assert_eq!(
            spec.replicas,
            Some(5),
            "{name}: replicas stay with their other owner"
        );
        assert_eq!(
            spec.template.spec.unwrap().containers[0].image.as_deref(),
            Some("nginx:1.28"),
            "{name}"
        );
    }
    harness.stop().await;
}
