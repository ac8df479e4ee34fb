//! Smoke tests of the local control plane: the API behaviours the sync engine
//! builds on (CRDs, server-side apply, watches, workloads and garbage
//! collection) work here the way they do in a real cluster.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use driftless_testkit::{TempNamespace, cluster, unique_name, wait_until};
use futures::StreamExt;
use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::core::v1::ConfigMap;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams};
use kube::runtime::watcher;
use serde_json::json;

const DEADLINE: Duration = Duration::from_secs(60);

#[tokio::test]
async fn crd_becomes_established() {
    let client = cluster::client().await.unwrap();
    let crds: Api<CustomResourceDefinition> = Api::all(client.clone());
    let plural = unique_name("widgets").replace('-', "");
    let name = format!("{plural}.smoke.driftless.dev");
    let crd = json!({
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": name},
        "spec": {"group": "smoke.driftless.dev", "scope": "Namespaced",
            "names": {"plural": plural, "singular": plural, "kind": "Widget"},
            "versions": [{"name": "v1", "served": true, "storage": true,
                "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}]}
    });
    crds.patch(&name, &PatchParams::apply("driftless"), &Patch::Apply(&crd))
        .await
        .unwrap();
    let established = wait_until("CRD Established", DEADLINE, || async {
        let crd = crds.get(&name).await.ok()?;
        let conditions = crd.status?.conditions?;
        conditions
            .iter()
            .any(|c| c.type_ == "Established" && c.status == "True")
            .then_some(())
    })
    .await;
    crds.delete(&name, &DeleteParams::default()).await.unwrap();
    established.unwrap();
}

#[tokio::test]
async fn server_side_apply_records_the_field_manager_and_watch_sees_updates() {
    let client = cluster::client().await.unwrap();
    let ns = TempNamespace::create(&client, "smoke-ssa").await.unwrap();
    let config_maps: Api<ConfigMap> = Api::namespaced(client.clone(), ns.name());
    let apply = |value: &str| {
        json!({
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "settings"}, "data": {"mode": value}
        })
    };
    let params = PatchParams::apply("driftless");
    let created = config_maps
        .patch("settings", &params, &Patch::Apply(&apply("blue")))
        .await
        .unwrap();
    let managers: Vec<_> = created.metadata.managed_fields.unwrap_or_default();
    let ours = managers
        .iter()
        .find(|m| m.manager.as_deref() == Some("driftless"))
        .expect("driftless manager");
    assert_eq!(ours.operation.as_deref(), Some("Apply"));
    let fields = serde_json::to_string(&ours.fields_v1).unwrap();
    assert!(
        fields.contains("f:mode"),
        "managed fields should own data.mode: {fields}"
    );

    let stream = watcher::watcher(
        config_maps.clone(),
        watcher::Config::default().fields("metadata.name=settings"),
    );
    let mut stream = Box::pin(kube::runtime::WatchStreamExt::applied_objects(stream));
    // The first event is the current object; then change it and expect the update.
    let first = tokio::time::timeout(DEADLINE, stream.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(first.data.unwrap()["mode"], "blue");
    config_maps
        .patch("settings", &params, &Patch::Apply(&apply("green")))
        .await
        .unwrap();
    let updated = tokio::time::timeout(DEADLINE, async {
        while let Some(event) = stream.next().await {
            let cm = event.unwrap();
            if cm.data.as_ref().and_then(|d| d.get("mode")).map(String::as_str) == Some("green") {
                return cm;
            }
        }
        panic!("watch ended")
    })
    .await
    .unwrap();
    assert_eq!(updated.metadata.name.as_deref(), Some("settings"));
    ns.delete().await.unwrap();
}

#[tokio::test]
async fn deployment_becomes_available_and_background_delete_collects_its_replicaset() {
    let client = cluster::client().await.unwrap();
    let ns = TempNamespace::create(&client, "smoke-deploy").await.unwrap();
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), ns.name());
    let replica_sets: Api<ReplicaSet> = Api::namespaced(client.clone(), ns.name());
    let deployment = json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web"},
        "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}}}
    });
    deployments
        .patch(
            "web",
            &PatchParams::apply("driftless"),
            &Patch::Apply(&deployment),
        )
        .await
        .unwrap();
    wait_until(
        "Deployment web Available with 2 ready replicas",
        Duration::from_secs(120),
        || async {
            let status = deployments.get("web").await.ok()?.status?;
            let available = status
                .conditions?
                .iter()
                .any(|c| c.type_ == "Available" && c.status == "True");
            (available && status.ready_replicas == Some(2)).then_some(())
        },
    )
    .await
    .unwrap();
    let owned = replica_sets
        .list(&ListParams::default().labels("app=web"))
        .await
        .unwrap();
    assert_eq!(owned.items.len(), 1, "one ReplicaSet owned by the Deployment");

    deployments
        .delete("web", &DeleteParams::background())
        .await
        .unwrap();
    wait_until("ReplicaSet garbage-collected", DEADLINE, || async {
        let left = replica_sets
            .list(&ListParams::default().labels("app=web"))
            .await
            .ok()?;
        left.items.is_empty().then_some(())
    })
    .await
    .unwrap();
    ns.delete().await.unwrap();
}
