//! What every reconcile shares: clients, caches, metrics, the event recorder.

use std::sync::Arc;

use driftless_git::RepoCache;
use driftless_sync::discovery::Discovery;
use kube::Client;
use kube::runtime::events::{Recorder, Reporter};

use crate::config::ControllerConfig;
use crate::identity::Identities;
use crate::metrics::Metrics;
use crate::render::RenderCache;
use crate::triggers::DriftWatches;

/// Shared state of the controller, passed to reconciles as `Arc<Context>`.
pub struct Context {
    /// Kubernetes client.
    pub client: Client,
    /// Kind → API resource lookups.
    pub discovery: Discovery,
    /// Bare mirrors of the config repositories.
    pub repos: RepoCache,
    /// Renders by (repo, commit, path).
    pub renders: RenderCache,
    /// Every exported metric.
    pub metrics: Metrics,
    /// Publishes Kubernetes Events.
    pub recorder: Recorder,
    /// Settings.
    pub config: ControllerConfig,
    /// Server-side dry-run results by (desired hash, live resourceVersion).
    pub comparisons: crate::application::compare::ComparisonCache,
    /// Failed sync attempts per app and revision (`syncPolicy.retry`).
    pub retries: crate::application::retry::RetryBook,
    /// Metadata watches on managed kinds, feeding drift into the controller.
    pub drift: Arc<DriftWatches>,
    /// ApplicationSet state kept between passes (held mass deletions).
    pub appsets: crate::appset::SetMemory,
    /// Whom applies and prunes act as (the controller, or a project's ServiceAccount).
    pub identities: Identities,
    /// Consecutive failed reconciles per Application, for the error backoff.
    pub failures: crate::backoff::FailureCount,
    /// Repository credentials from the Secrets in the controller's namespace.
    pub credentials: crate::repo_credentials::RepoCredentials,
}

/// Could not build the context.
#[derive(Debug, thiserror::Error)]
pub enum ContextError {
    /// The repository cache directory is unusable.
    #[error(transparent)]
    Git(#[from] driftless_git::GitError),
    /// Metrics could not be registered.
    #[error(transparent)]
    Metrics(#[from] crate::metrics::MetricsError),
    /// No Kubernetes client could be built from the settings.
    #[error("building the Kubernetes client: {0}")]
    Client(#[from] kube::Error),
}

impl Context {
    /// Builds the context for `config`, talking to the cluster `kube` describes.
    pub fn new(kube: kube::Config, config: ControllerConfig) -> Result<Arc<Context>, ContextError> {
        let metrics = Metrics::new()?;
        let client = crate::metered::client(kube.clone(), metrics.kube_api_requests_total.clone())?;
        let discovery = Discovery::new(client.clone());
        let repos = RepoCache::new(driftless_git::RepoCacheConfig {
            unused_after: config.repo_unused_after,
            ..driftless_git::RepoCacheConfig::new(&config.cache_dir)
        })?;
        let reporter = Reporter {
            controller: "driftless".into(),
            instance: std::env::var("POD_NAME").ok(),
        };
        Ok(Arc::new(Context {
            drift: DriftWatches::new(client.clone(), metrics.drift_watch_errors_total.clone()),
            credentials: crate::repo_credentials::RepoCredentials::watch(
                client.clone(),
                config.home_namespace(),
            ),
            identities: Identities::new(kube, discovery.clone(), metrics.kube_api_requests_total.clone()),
            discovery,
            recorder: Recorder::new(client.clone(), reporter),
            renders: RenderCache::new(config.render_cache_size),
            metrics,
            comparisons: Default::default(),
            retries: Default::default(),
            appsets: Default::default(),
            failures: Default::default(),
            repos,
            client,
            config,
        }))
    }
}
