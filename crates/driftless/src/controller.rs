//! `driftless controller`: run the reconcilers against the current kubeconfig
//! (in a cluster: the Pod's ServiceAccount).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use driftless_controller::ControllerConfig;
use driftless_controller::leader::LeaderElection;

/// Flags of `driftless controller`; every flag also reads an environment variable.
#[derive(Debug, Clone, Args)]
pub struct ControllerArgs {
    /// The controller's own namespace: Applications live here, and so do repository Secrets.
    #[arg(long, env = "DRIFTLESS_NAMESPACE", default_value = "driftless")]
    pub namespace: String,
    /// More namespaces whose Applications are reconciled (repeat or comma-separate).
    #[arg(
        long = "app-namespace",
        env = "DRIFTLESS_APP_NAMESPACES",
        value_delimiter = ','
    )]
    pub app_namespaces: Vec<String>,
    /// How often git is polled and every Application re-checked (e.g. 3m, 30s).
    #[arg(long, env = "DRIFTLESS_POLL_INTERVAL", default_value = "3m", value_parser = parse_duration)]
    pub poll_interval: Duration,
    /// Directory of the repository cache.
    #[arg(long, env = "DRIFTLESS_CACHE_DIR", default_value_os_t = std::env::temp_dir().join("driftless-repos"))]
    pub cache_dir: PathBuf,
    /// Remove repository mirrors no Application used for this long (e.g. 24h, 90m).
    #[arg(long, env = "DRIFTLESS_REPO_UNUSED_AFTER", default_value = "24h", value_parser = parse_duration)]
    pub repo_unused_after: Duration,
    /// Address of /metrics, /healthz and /readyz.
    #[arg(long, env = "DRIFTLESS_METRICS_ADDR", default_value = "127.0.0.1:8080")]
    pub metrics_addr: SocketAddr,
    /// Applications reconciled at once.
    #[arg(long, env = "DRIFTLESS_CONCURRENCY", default_value_t = 8)]
    pub concurrency: u16,
    /// How long a pruned object may stay terminating before prune reports it and moves on.
    #[arg(long, env = "DRIFTLESS_PRUNE_TIMEOUT", default_value = "2m", value_parser = parse_duration)]
    pub prune_timeout: Duration,
    /// Address of the push webhook receiver (`/webhook`); `off` disables it.
    #[arg(long, env = "DRIFTLESS_WEBHOOK_ADDR", default_value = "127.0.0.1:8081")]
    pub webhook_addr: String,
    /// Secret webhook requests are verified with (GitHub/Gitea HMAC-SHA256, GitLab token).
    #[arg(long, env = "DRIFTLESS_WEBHOOK_SECRET", hide_env_values = true)]
    pub webhook_secret: Option<String>,
    /// Elect a leader over a Lease in the controller's namespace (run several replicas safely).
    #[arg(long, env = "DRIFTLESS_LEADER_ELECT")]
    pub leader_elect: bool,
    /// Name of the leader-election Lease.
    #[arg(long, env = "DRIFTLESS_LEASE_NAME", default_value = "driftless-controller")]
    pub lease_name: String,
    /// Largest share (0 to 1) of an ApplicationSet's Applications one generation may delete
    /// at once; a bigger deletion waits until the next generation confirms it.
    #[arg(long, env = "DRIFTLESS_APPSET_MAX_DELETE_SHARE", default_value_t = 0.5, value_parser = parse_share)]
    pub appset_max_delete_share: f64,
    /// Log as JSON lines.
    #[arg(long, env = "DRIFTLESS_LOG_JSON")]
    pub log_json: bool,
}

impl ControllerArgs {
    /// The library configuration.
    pub fn config(&self) -> anyhow::Result<ControllerConfig> {
        let mut namespaces = vec![self.namespace.clone()];
        namespaces.extend(
            self.app_namespaces
                .iter()
                .filter(|n| **n != self.namespace)
                .cloned(),
        );
        Ok(ControllerConfig {
            namespaces,
            poll_interval: self.poll_interval,
            cache_dir: self.cache_dir.clone(),
            repo_unused_after: self.repo_unused_after,
            metrics_addr: self.metrics_addr,
            prune_timeout: self.prune_timeout,
            concurrency: self.concurrency,
            webhook_addr: (self.webhook_addr != "off")
                .then(|| self.webhook_addr.parse())
                .transpose()?,
            webhook_secret: self.webhook_secret.clone(),
            leader_election: self.leader_elect.then(|| LeaderElection {
                lease_name: self.lease_name.clone(),
                ..LeaderElection::with_defaults()
            }),
            appset_max_delete_share: self.appset_max_delete_share,
            ..ControllerConfig::default()
        })
    }
}

/// Parses a share between 0 and 1 (`0.5`).
pub fn parse_share(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(share) if (0.0..=1.0).contains(&share) => Ok(share),
        _ => Err(format!("{text:?} is not a share between 0 and 1, like 0.5")),
    }
}

/// Parses `90s`, `3m`, `1h30m` or a number of seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    if let Ok(seconds) = text.parse::<u64>() {
        return Ok(Duration::from_secs(seconds));
    }
    let span: jiff::Span = text
        .parse()
        .map_err(|e| format!("{text:?} is not a duration like 30s or 3m: {e}"))?;
    let signed = jiff::SignedDuration::try_from(span).map_err(|e| e.to_string())?;
    Duration::try_from(signed).map_err(|e| e.to_string())
}

/// Runs the controller until SIGTERM.
pub async fn run(args: &ControllerArgs) -> anyhow::Result<()> {
    let kube = kube::Config::infer().await?;
    driftless_controller::run(kube, args.config()?).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_like_go_durations() {
        assert_eq!(parse_duration("3m"), Ok(Duration::from_secs(180)));
        assert_eq!(parse_duration("90"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert!(parse_duration("soon").is_err());
    }

    #[test]
    fn shares_lie_between_zero_and_one() {
        assert_eq!(parse_share("0.25"), Ok(0.25));
        assert_eq!(parse_share("1"), Ok(1.0));
        assert!(parse_share("1.5").is_err());
        assert!(parse_share("-0.1").is_err());
        assert!(parse_share("half").is_err());
    }
}
