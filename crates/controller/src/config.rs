//! The controller's settings (filled from flags and environment by the binary).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Settings for [`crate::run`].
#[derive(Debug, Clone)]
pub struct ControllerConfig {
    /// Namespaces whose Applications are reconciled; the first is the controller's own.
    pub namespaces: Vec<String>,
    /// How often git is polled and every app re-checked (jittered by up to 20%).
    pub poll_interval: Duration,
    /// Directory of the repository cache.
    pub cache_dir: PathBuf,
    /// Mirrors no Application used for this long are removed from the cache.
    pub repo_unused_after: Duration,
    /// Address of `/metrics`, `/healthz` and `/readyz`.
    pub metrics_addr: SocketAddr,
    /// Most renders kept in memory.
    pub render_cache_size: usize,
    /// How long a pruned object may stay in deletion before the prune gives up on it.
    pub prune_timeout: Duration,
    /// How many Applications reconcile at once.
    pub concurrency: u16,
    /// Where push webhooks are received; `None` disables the receiver.
    pub webhook_addr: Option<SocketAddr>,
    /// Secret that webhook requests must be signed with (HMAC) or carry (GitLab token).
    pub webhook_secret: Option<String>,
    /// Leader election; `None` runs as the only replica.
    pub leader_election: Option<crate::leader::LeaderElection>,
    /// Largest share (0–1) of an ApplicationSet's Applications one generation may delete
    /// before the deletion must be seen twice in a row.
    pub appset_max_delete_share: f64,
}

impl Default for ControllerConfig {
    fn default() -> Self {
        ControllerConfig {
            namespaces: vec!["driftless".into()],
            poll_interval: Duration::from_secs(180),
            cache_dir: std::env::temp_dir().join("driftless-repos"),
            repo_unused_after: Duration::from_secs(24 * 3600),
            metrics_addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            render_cache_size: 512,
            prune_timeout: Duration::from_secs(120),
            concurrency: 8,
            webhook_addr: None,
            webhook_secret: None,
            leader_election: None,
            appset_max_delete_share: crate::appset::plan::DEFAULT_MAX_DELETE_SHARE,
        }
    }
}

impl ControllerConfig {
    /// The controller's own namespace (where repository credentials live).
    pub fn home_namespace(&self) -> &str {
        self.namespaces.first().map_or("driftless", String::as_str)
    }
}
