//! `make bench-reconcile`: one Application for the prod overlay of `payments-api` from the medium
//! bench repository (served by a loopback git server), reconciled by an in-process controller
//! against the local control plane. Prints
//! - first sync: Application created → Synced and Healthy (clone, render, applies, rollout);
//! - warm: the mean reconcile once synced, polling every second (git re-checked; render and
//!   dry-run verdicts cached);
//! - quiet: Kubernetes API requests per such reconcile, by verb (target: no dry-run, no apply);
//! - cold: the first reconcile of a restarted controller (empty repository and render caches).
//!
//! Needs `KUBECONFIG` (the Makefile target runs it through `scripts/with-cluster.sh`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use driftless_testkit::{TempNamespace, wait_until};
use driftless_tests::{Harness, app_spec, fake_ingress_controller, http_get, synced_and_healthy};
use serde_json::json;

const APP: &str = "payments-api-prod";
const QUIET_RECONCILES: f64 = 10.0;

fn medium_repo() -> PathBuf {
    let shared = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/bench/config-repo-medium");
    std::env::var_os("DRIFTLESS_BENCH_REPO").map_or(shared, PathBuf::from)
}

/// `(count, sum)` of this app's reconcile-duration histogram.
async fn reconciles(harness: &Harness) -> (f64, f64) {
    let label = format!("name=\"{APP}\"");
    let count = harness
        .metric("driftless_app_reconcile_duration_seconds_count", &[&label])
        .await
        .unwrap();
    let sum = harness
        .metric("driftless_app_reconcile_duration_seconds_sum", &[&label])
        .await
        .unwrap();
    (count, sum)
}

/// `driftless_kube_api_requests_total` summed by verb.
async fn requests_by_verb(harness: &Harness) -> BTreeMap<String, f64> {
    let (_, body) = http_get(harness.metrics_addr, "/metrics").await.unwrap();
    let mut verbs = BTreeMap::new();
    for line in body
        .lines()
        .filter(|l| l.starts_with("driftless_kube_api_requests_total{"))
    {
        let verb = line
            .split("verb=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap_or("?");
        let value: f64 = line
            .rsplit(' ')
            .next()
            .and_then(|v| v.parse().ok())
            .unwrap_or(0.0);
        *verbs.entry(verb.to_owned()).or_insert(0.0) += value;
    }
    verbs
}

fn millis(seconds: f64) -> String {
    format!("{:.1} ms", seconds * 1000.0)
}

#[tokio::main]
async fn main() {
    // Polling every second: once synced, every reconcile is a warm, quiet one (git re-checked,
    // render and dry-run verdicts cached).
    let harness = Harness::start_with(&medium_repo(), Duration::from_secs(1))
        .await
        .unwrap();
    let target = TempNamespace::create(&harness.client, "dl-bench").await.unwrap();
    let ingress = fake_ingress_controller(harness.client.clone(), target.name().to_owned());

    let started = Instant::now();
    harness
        .create_app(
            APP,
            json!({}),
            app_spec(
                &harness.repo_url(),
                "apps/payments-api/overlays/prod",
                target.name(),
                json!({"prune": true, "selfHeal": true}),
            ),
        )
        .await
        .unwrap();
    harness
        .wait_app(APP, "Synced and Healthy", |app| synced_and_healthy(app, None))
        .await
        .unwrap();
    println!(
        "first sync: created → Synced+Healthy (clone, render, applies, rollout) {:.0} ms",
        started.elapsed().as_secs_f64() * 1000.0
    );

    // Settle: two reconciles in a row that leave the Application untouched.
    let harness_ref = &harness;
    let apps = harness.applications();
    let settle_by = Instant::now() + Duration::from_secs(120);
    loop {
        assert!(
            Instant::now() < settle_by,
            "the Application's status never settled"
        );
        let version = apps.get(APP).await.unwrap().metadata.resource_version;
        let (count, _) = reconciles(&harness).await;
        wait_until("two more reconciles", Duration::from_secs(30), || async move {
            (reconciles(harness_ref).await.0 >= count + 2.0).then_some(())
        })
        .await
        .unwrap();
        if apps.get(APP).await.unwrap().metadata.resource_version == version {
            break;
        }
    }

    let (count, sum) = reconciles(&harness).await;
    let verbs = requests_by_verb(&harness).await;
    wait_until("the quiet reconciles", Duration::from_secs(120), || async move {
        (reconciles(harness_ref).await.0 >= count + QUIET_RECONCILES).then_some(())
    })
    .await
    .unwrap();
    let (count_after, sum_after) = reconciles(&harness).await;
    let verbs_after = requests_by_verb(&harness).await;
    let done = count_after - count;
    println!(
        "warm: {done} quiet reconciles, mean {}",
        millis((sum_after - sum) / done)
    );
    let per_reconcile: Vec<String> = verbs_after
        .iter()
        .map(|(verb, after)| (verb, after - verbs.get(verb).copied().unwrap_or(0.0)))
        .filter(|(_, delta)| *delta > 0.0)
        .map(|(verb, delta)| format!("{verb} {:.2}", delta / done))
        .collect();
    println!(
        "quiet: Kubernetes API requests per reconcile: {}",
        if per_reconcile.is_empty() {
            "none".to_owned()
        } else {
            per_reconcile.join(", ")
        }
    );

    // Cold: a restarted controller (empty repository cache: clone, render, dry-runs) looking at
    // the synced app; its first reconcile, before the next poll.
    let mut harness = harness;
    harness.stop_controller().await;
    let replica = harness.spawn_replica(None).unwrap();
    let label = format!("name=\"{APP}\"");
    // Scrape without pausing: the watches a new controller starts bring a second reconcile
    // right after the first.
    let labels = [label.as_str()];
    let deadline = Instant::now() + Duration::from_secs(60);
    let (count, sum) = loop {
        // Refused until its metrics endpoint listens.
        let count = replica
            .metric("driftless_app_reconcile_duration_seconds_count", &labels)
            .await
            .unwrap_or(0.0);
        let sum = replica
            .metric("driftless_app_reconcile_duration_seconds_sum", &labels)
            .await
            .unwrap_or(0.0);
        if count >= 1.0 || Instant::now() > deadline {
            break (count, sum);
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    };
    if count == 1.0 {
        println!("cold: first reconcile after a restart {}", millis(sum));
    } else {
        println!("cold: not isolated ({count} reconciles, {} in all)", millis(sum));
    }
    replica.stop().await.unwrap();
    ingress.abort();
    harness.stop().await;
}
