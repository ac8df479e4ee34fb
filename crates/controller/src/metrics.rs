//! Every Prometheus metric Driftless exports, on one registry held by the
//! controller's context (no globals, so tests can read values).
//!
//! Label sets are small and bounded: Application names, repos, kinds, verbs
//! and result words — never object names. Every family is listed in the
//! exposition from the start (`# HELP`/`# TYPE`), samples appear once used.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry, TextEncoder,
};

/// Seconds buckets for reconcile, fetch and render latencies.
const LATENCY_BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0,
];

/// The controller's metrics.
#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    /// Every family declared: full name, help, exposition type.
    declared: Vec<(String, String, &'static str)>,
    /// `driftless_app_info`: 1 per Application, labelled with its current state.
    pub app_info: IntGaugeVec,
    /// `driftless_app_sync_total`: sync operations by outcome phase.
    pub app_sync_total: IntCounterVec,
    /// `driftless_app_reconcile_duration_seconds`.
    pub app_reconcile_duration_seconds: HistogramVec,
    /// `driftless_app_last_reconcile_timestamp_seconds`: when each app was last checked.
    pub app_last_reconcile_timestamp_seconds: IntGaugeVec,
    /// `driftless_git_fetch_total` by repo and result.
    pub git_fetch_total: IntCounterVec,
    /// `driftless_git_fetch_duration_seconds` by repo.
    pub git_fetch_duration_seconds: HistogramVec,
    /// `driftless_render_duration_seconds`.
    pub render_duration_seconds: HistogramVec,
    /// `driftless_render_cache_hits_total`.
    pub render_cache_hits_total: IntCounterVec,
    /// `driftless_render_cache_misses_total`.
    pub render_cache_misses_total: IntCounterVec,
    /// `driftless_apply_total` by kind and result.
    pub apply_total: IntCounterVec,
    /// `driftless_prune_total` by kind.
    pub prune_total: IntCounterVec,
    /// `driftless_self_heal_total` by app.
    pub self_heal_total: IntCounterVec,
    /// `driftless_drift_detected_total` by app.
    pub drift_detected_total: IntCounterVec,
    /// `driftless_drift_watch_errors_total` by kind: failed watches of managed kinds (while they
    /// fail, drift there is only found by polling).
    pub drift_watch_errors_total: IntCounterVec,
    /// `driftless_kube_api_requests_total` by verb and status code: every request of every
    /// client the controller builds (see [`crate::metered`]).
    pub kube_api_requests_total: IntCounterVec,
    /// `driftless_workqueue_depth`: Applications due for a reconcile that has not started;
    /// set from [`Metrics::reconcile_due`]/[`Metrics::reconcile_started`] at every scrape.
    pub workqueue_depth: IntGauge,
    /// When each Application (`namespace/name`) is next due.
    due: Arc<Mutex<HashMap<String, Instant>>>,
    /// `driftless_build_info{version,revision}`: always 1.
    pub build_info: IntGaugeVec,
}

/// Failure to create or register a metric (a programming error caught by tests).
#[derive(Debug, thiserror::Error)]
#[error("metrics registry: {0}")]
pub struct MetricsError(#[from] prometheus::Error);

impl Metrics {
    /// Creates and registers every metric, plus process metrics on Linux.
    pub fn new() -> Result<Metrics, MetricsError> {
        let registry = Registry::new_custom(Some("driftless".into()), None)?;
        let declared = std::cell::RefCell::new(Vec::new());
        let declare = |name: &str, help: &str, kind: &'static str| {
            declared
                .borrow_mut()
                .push((format!("driftless_{name}"), help.to_owned(), kind));
        };
        let counter = |name: &str, help: &str, labels: &[&str]| -> Result<IntCounterVec, MetricsError> {
            let metric = IntCounterVec::new(Opts::new(name, help), labels)?;
            registry.register(Box::new(metric.clone()))?;
            declare(name, help, "counter");
            Ok(metric)
        };
        let histogram = |name: &str, help: &str, labels: &[&str]| -> Result<HistogramVec, MetricsError> {
            let opts = HistogramOpts::new(name, help).buckets(LATENCY_BUCKETS.to_vec());
            let metric = HistogramVec::new(opts, labels)?;
            registry.register(Box::new(metric.clone()))?;
            declare(name, help, "histogram");
            Ok(metric)
        };
        let gauge = |name: &str, help: &str, labels: &[&str]| -> Result<IntGaugeVec, MetricsError> {
            let metric = IntGaugeVec::new(Opts::new(name, help), labels)?;
            registry.register(Box::new(metric.clone()))?;
            declare(name, help, "gauge");
            Ok(metric)
        };
        let workqueue_depth = IntGauge::new(
            "workqueue_depth",
            "Applications due for a reconcile that has not started yet.",
        )?;
        registry.register(Box::new(workqueue_depth.clone()))?;
        #[cfg(target_os = "linux")]
        registry.register(Box::new(
            prometheus::process_collector::ProcessCollector::for_self(),
        ))?;

        let metrics = Metrics {
            app_info: gauge(
                "app_info",
                "Information about an Application; always 1.",
                &[
                    "name",
                    "namespace",
                    "project",
                    "repo",
                    "path",
                    "sync_status",
                    "health_status",
                ],
            )?,
            app_sync_total: counter(
                "app_sync_total",
                "Sync operations by phase.",
                &["name", "namespace", "phase"],
            )?,
            app_reconcile_duration_seconds: histogram(
                "app_reconcile_duration_seconds",
                "Time to reconcile one Application.",
                &["name", "namespace"],
            )?,
            app_last_reconcile_timestamp_seconds: gauge(
                "app_last_reconcile_timestamp_seconds",
                "Unix time of the last reconcile of an Application.",
                &["name", "namespace"],
            )?,
            git_fetch_total: counter("git_fetch_total", "Git fetches by result.", &["repo", "result"])?,
            git_fetch_duration_seconds: histogram(
                "git_fetch_duration_seconds",
                "Git fetch latency.",
                &["repo"],
            )?,
            render_duration_seconds: histogram(
                "render_duration_seconds",
                "Kustomize render latency.",
                &["repo"],
            )?,
            render_cache_hits_total: counter(
                "render_cache_hits_total",
                "Renders served from cache.",
                &["repo"],
            )?,
            render_cache_misses_total: counter("render_cache_misses_total", "Renders computed.", &["repo"])?,
            apply_total: counter(
                "apply_total",
                "Server-side applies by kind and result.",
                &["kind", "result"],
            )?,
            prune_total: counter("prune_total", "Objects pruned by kind.", &["kind"])?,
            self_heal_total: counter("self_heal_total", "Self-heal syncs by Application.", &["name"])?,
            drift_detected_total: counter(
                "drift_detected_total",
                "Drift detections by Application.",
                &["name"],
            )?,
            drift_watch_errors_total: counter(
                "drift_watch_errors_total",
                "Errors of the watches that detect drift, by kind (retried with backoff).",
                &["kind"],
            )?,
            kube_api_requests_total: counter(
                "kube_api_requests_total",
                "Kubernetes API requests by verb (get, watch, apply, dry-run, patch, create, delete, ...) and HTTP status code.",
                &["verb", "code"],
            )?,
            workqueue_depth,
            due: Arc::default(),
            build_info: gauge(
                "build_info",
                "Build information; always 1.",
                &["version", "revision"],
            )?,
            registry,
            // Last: every declaring closure above has run.
            declared: declared.into_inner(),
        };
        metrics
            .build_info
            .with_label_values(&[
                env!("CARGO_PKG_VERSION"),
                option_env!("DRIFTLESS_REVISION").unwrap_or("unknown"),
            ])
            .set(1);
        Ok(metrics)
    }

    /// A reconcile of `key` (`namespace/name`) started, or the Application is gone: it no
    /// longer waits.
    pub fn reconcile_started(&self, key: &str) {
        if let Ok(mut due) = self.due.lock() {
            due.remove(key);
        }
    }

    /// `key` asked to be reconciled again `after` from now.
    pub fn reconcile_due(&self, key: &str, after: Duration) {
        if let Ok(mut due) = self.due.lock() {
            due.insert(key.to_owned(), Instant::now() + after);
        }
    }

    /// Sets `workqueue_depth` to the number of reconciles due by now and not started.
    fn refresh_depth(&self) {
        let now = Instant::now();
        if let Ok(due) = self.due.lock() {
            let waiting = due.values().filter(|at| **at <= now).count();
            self.workqueue_depth
                .set(i64::try_from(waiting).unwrap_or(i64::MAX));
        }
    }

    /// The Prometheus text exposition of every metric; a family without samples yet is
    /// still listed by its `# HELP` and `# TYPE` lines.
    pub fn render(&self) -> String {
        self.refresh_depth();
        let families = self.registry.gather();
        let mut out = Vec::new();
        // Encoding into a Vec cannot fail for well-formed metric families.
        let _ = TextEncoder::new().encode(&families, &mut out);
        let mut text = String::from_utf8_lossy(&out).into_owned();
        for (name, help, kind) in &self.declared {
            if !families.iter().any(|f| f.name() == name) {
                text.push_str(&format!("# HELP {name} {help}\n# TYPE {name} {kind}\n"));
            }
        }
        text
    }

    /// Names of every metric family exported (with the `driftless_` prefix), used or not.
    pub fn family_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .registry
            .gather()
            .iter()
            .map(|f| f.name().to_owned())
            .collect();
        for (name, _, _) in &self.declared {
            if !names.contains(name) {
                names.push(name.clone());
            }
        }
        names
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_queue_depth_counts_reconciles_due_and_not_started() {
        let metrics = Metrics::new().unwrap();
        metrics.reconcile_due("apps/overdue", Duration::ZERO);
        metrics.reconcile_due("apps/later", Duration::from_secs(600));
        metrics.reconcile_due("apps/running", Duration::ZERO);
        metrics.reconcile_started("apps/running");
        assert!(metrics.render().contains("driftless_workqueue_depth 1\n"));
        metrics.reconcile_started("apps/overdue");
        assert!(metrics.render().contains("driftless_workqueue_depth 0\n"));
    }

    #[test]
    fn unused_families_are_listed_without_samples() {
        let metrics = Metrics::new().unwrap();
        let text = metrics.render();
        assert!(text.contains("# TYPE driftless_prune_total counter\n"), "{text}");
        assert!(!text.contains("driftless_prune_total{"), "{text}");
        metrics.prune_total.with_label_values(&["ConfigMap"]).inc();
        let text = metrics.render();
        assert_eq!(
            text.matches("# TYPE driftless_prune_total counter").count(),
            1,
            "{text}"
        );
        assert!(
            text.contains("driftless_prune_total{kind=\"ConfigMap\"} 1"),
            "{text}"
        );
    }

    #[test]
    fn exports_prefixed_metrics_with_values() {
        let metrics = Metrics::new().unwrap();
        metrics.apply_total.with_label_values(&["Deployment", "ok"]).inc();
        let text = metrics.render();
        assert!(
            text.contains("driftless_apply_total{kind=\"Deployment\",result=\"ok\"} 1"),
            "{text}"
        );
        assert!(text.contains("driftless_build_info{"), "{text}");
        assert!(
            metrics
                .family_names()
                .iter()
                .any(|n| n == "driftless_workqueue_depth")
        );
    }
}
