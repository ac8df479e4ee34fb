//! Two controller replicas with leader election against the local control
//! plane: only the Lease holder reconciles, and when it dies (killed, no
//! release) the standby takes over once the Lease expires and carries on
//! without repeating the sync.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use driftless_controller::leader::LeaderElection;
use driftless_testkit::git_server::Change;
use driftless_testkit::{TempNamespace, unique_name, wait_until};
use driftless_tests::{Harness, app_spec, config_map, kustomization, synced_and_healthy, write_tree};
use k8s_openapi::api::coordination::v1::Lease;
use kube::api::Api;
use serde_json::json;

const RECONCILES: &str = "driftless_app_reconcile_duration_seconds_count";

fn election(lease: &str, identity: &str) -> Option<LeaderElection> {
    Some(LeaderElection {
        lease_name: lease.into(),
        identity: identity.into(),
        // Long enough that a slow API server under a loaded CI does not make the leader miss its renewal.
        lease_duration: Duration::from_secs(10),
    })
}

#[tokio::test]
async fn only_the_leader_reconciles_and_a_standby_takes_over() {
    let tree = tempfile::tempdir().unwrap();
    write_tree(
        tree.path(),
        &[
            ("app/kustomization.yaml", kustomization(&["settings.yaml"])),
            ("app/settings.yaml", config_map("settings", "one", &[])),
        ],
    );
    let mut harness = Harness::start(tree.path()).await.unwrap();
    harness.stop_controller().await;
    let lease_name = unique_name("lease");
    let leases: Api<Lease> = Api::namespaced(harness.client.clone(), harness.apps.name());
    let holder = || async { leases.get_opt(&lease_name).await.ok()??.spec?.holder_identity };

    let first = harness.spawn_replica(election(&lease_name, "first")).unwrap();
    wait_until("first holds the lease", Duration::from_secs(30), || async {
        (holder().await.as_deref() == Some("first")).then_some(())
    })
    .await
    .unwrap();
    let second = harness.spawn_replica(election(&lease_name, "second")).unwrap();

    let target = TempNamespace::create(&harness.client, "dl-leader").await.unwrap();
    let spec = app_spec(
        &harness.repo_url(),
        "app",
        target.name(),
        json!({"prune": true, "selfHeal": true}),
    );
    harness.create_app("led", json!({}), spec).await.unwrap();
    harness
        .wait_app("led", "Synced and Healthy", |app| synced_and_healthy(app, None))
        .await
        .unwrap();
    // The status is written before the reconcile records its metrics: wait for them.
    wait_until(
        "the leader counted its reconcile",
        Duration::from_secs(30),
        || async { (first.metric(RECONCILES, &[]).await.ok()? >= 1.0).then_some(()) },
    )
    .await
    .unwrap();
    assert_eq!(
        second.metric(RECONCILES, &[]).await.unwrap(),
        0.0,
        "the standby does not reconcile"
    );

    // The leader dies without a word (kill -9, a lost node): nothing releases the Lease, so the
    // standby takes it once the last renewal has expired.
    let app = harness.applications().get("led").await.unwrap();
    let syncs_before = app.status.unwrap().history.len();
    first.kill();
    let last_renewal = leases.get(&lease_name).await.unwrap().spec.unwrap();
    let acquired = wait_until("second holds the lease", Duration::from_secs(30), || async {
        let spec = leases.get_opt(&lease_name).await.ok()??.spec?;
        (spec.holder_identity.as_deref() == Some("second")).then_some(spec)
    })
    .await
    .unwrap();
    if let (Some(renewed), Some(taken)) = (&last_renewal.renew_time, &acquired.acquire_time) {
        eprintln!(
            "handover {:.2} s after the dead leader's last renewal (lease {} s)",
            taken.0.duration_since(renewed.0).as_secs_f64(),
            last_renewal.lease_duration_seconds.unwrap_or_default()
        );
    }
    // The new leader finds the app in sync: it does not sync the same revision again.
    wait_until("the new leader reconciled", Duration::from_secs(30), || async {
        (second.metric(RECONCILES, &[]).await.ok()? >= 1.0).then_some(())
    })
    .await
    .unwrap();
    let app = harness.applications().get("led").await.unwrap();
    assert_eq!(app.status.unwrap().history.len(), syncs_before);
    assert_eq!(
        second.metric("driftless_app_sync_total", &[]).await.unwrap(),
        0.0,
        "no sync repeated by the new leader"
    );
    let next = harness
        .git
        .commit(
            driftless_tests::REPO,
            "main",
            "change settings",
            &[Change::file(
                "app/settings.yaml",
                &config_map("settings", "two", &[]),
            )],
        )
        .unwrap();
    harness.refresh("led").await.unwrap();
    let app = harness
        .wait_app("led", "synced by the new leader", |app| {
            synced_and_healthy(app, Some(&next))
        })
        .await
        .unwrap();
    let history: Vec<String> = app
        .status
        .unwrap()
        .history
        .into_iter()
        .map(|h| h.revision)
        .collect();
    assert_eq!(
        history.len(),
        2,
        "one sync per revision, none repeated: {history:?}"
    );
    assert!(second.metric(RECONCILES, &[]).await.unwrap() >= 1.0);
    second.stop().await.unwrap();
}
