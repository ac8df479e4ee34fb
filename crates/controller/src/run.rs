//! Wiring: the Application controller, its triggers and the HTTP endpoints,
//! until SIGTERM/SIGINT (in-flight reconciles finish first).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use driftless_api::Application;
use futures::StreamExt;
use kube::api::Api;
use kube::runtime::controller::{Config as ControllerSettings, Controller};
use kube::runtime::watcher;

use crate::application::{error_policy, reconcile};
use crate::config::ControllerConfig;
use crate::context::{Context, ContextError};
use crate::http::{self, Readiness};
use crate::leader;
use crate::triggers;

/// Why the controller stopped.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// Startup failed.
    #[error(transparent)]
    Context(#[from] ContextError),
    /// Leader election could not start.
    #[error(transparent)]
    Leader(#[from] crate::leader::LeaderError),
    /// Another replica took the lease: this one stopped so it can restart as a standby.
    #[error("lost leadership")]
    LostLeadership,
    /// The HTTP endpoint could not be served.
    #[error("serving {addr}: {source}")]
    Http {
        /// The address.
        addr: std::net::SocketAddr,
        /// The socket error.
        #[source]
        source: std::io::Error,
    },
}

/// Runs the controller against the cluster `kube` describes until SIGTERM or Ctrl-C.
pub async fn run(kube: kube::Config, config: ControllerConfig) -> Result<(), RunError> {
    run_until(kube, config, shutdown_signal()).await
}

/// Runs the controller until `shutdown` resolves (tests stop it this way).
pub async fn run_until(
    kube: kube::Config,
    config: ControllerConfig,
    shutdown: impl std::future::Future<Output = ()> + Send + Sync + 'static,
) -> Result<(), RunError> {
    let ctx = Context::new(kube, config)?;
    let client = ctx.client.clone();
    let stop = futures::future::FutureExt::shared(Box::pin(shutdown));
    let readiness = Readiness::default();
    let addr = ctx.config.metrics_addr;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| RunError::Http { addr, source })?;
    let router = http::router(ctx.metrics.clone(), readiness.clone());
    let server = tokio::spawn(http::serve_on(listener, router, stop.clone()));
    if let Some(addr) = ctx.config.webhook_addr {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|source| RunError::Http { addr, source })?;
        let router = crate::webhook::router(Arc::clone(&ctx), ctx.config.webhook_secret.clone());
        tokio::spawn(http::serve_on(listener, router, stop.clone()));
    }

    // Standbys are ready too (leadership is decided); only the leader reconciles.
    readiness.set(true);
    let mut leadership = match &ctx.config.leader_election {
        Some(settings) => {
            let namespace = ctx.config.home_namespace().to_owned();
            tokio::select! {
                held = leader::acquire(client.clone(), &namespace, settings) => Some(held?),
                _ = stop.clone() => {
                    let _ = server.await;
                    return Ok(());
                }
            }
        }
        None => None,
    };
    // While leading, a watcher task turns a lost lease into a shutdown of the controller.
    let lost = Arc::new(AtomicBool::new(false));
    let (lost_tx, lost_rx) = tokio::sync::oneshot::channel::<()>();
    let (release_tx, release_rx) = tokio::sync::oneshot::channel::<()>();
    let guard = leadership.take().map(|mut held| {
        let lost = lost.clone();
        tokio::spawn(async move {
            tokio::select! {
                _ = held.lost() => {
                    lost.store(true, Ordering::SeqCst);
                    let _ = lost_tx.send(());
                }
                _ = release_rx => {}
            }
            held.release().await;
        })
    });
    let until = {
        let stop = stop.clone();
        async move {
            tokio::select! {
                _ = stop => {}
                Ok(()) = lost_rx => {}
            }
        }
    };

    let apps: Api<Application> = match ctx.config.namespaces.as_slice() {
        [only] => Api::namespaced(client.clone(), only),
        _ => Api::all(client.clone()),
    };
    tracing::info!(namespaces = ?ctx.config.namespaces, "starting Application controller");
    let controller = Controller::new(apps, watcher::Config::default())
        .with_config(ControllerSettings::default().concurrency(ctx.config.concurrency));
    let controller = triggers::with_drift(controller, ctx.drift.stream());
    let sets = tokio::spawn(crate::appset::run(client.clone(), Arc::clone(&ctx), stop.clone()));
    let repo_gc = tokio::spawn(collect_unused_repos(
        ctx.repos.clone(),
        ctx.config.repo_unused_after,
    ));
    controller
        .graceful_shutdown_on(until)
        .run(reconcile, error_policy, Arc::clone(&ctx))
        .for_each(|result| {
            let metrics = ctx.metrics.clone();
            async move {
                if let Err(error) = result {
                    // A deleted Application is due for nothing any more.
                    if let kube::runtime::controller::Error::ObjectNotFound(gone) = &error {
                        let namespace = gone.namespace.as_deref().unwrap_or_default();
                        metrics.reconcile_started(&format!("{namespace}/{}", gone.name));
                    }
                    tracing::debug!(%error, "reconcile not run");
                }
            }
        })
        .await;
    sets.abort();
    repo_gc.abort();
    readiness.set(false);
    let _ = release_tx.send(());
    if let Some(guard) = guard {
        let _ = guard.await;
    }
    if lost.load(Ordering::SeqCst) {
        return Err(RunError::LostLeadership);
    }
    let _ = server.await;
    Ok(())
}

/// How often the repository cache is swept for mirrors unused for `unused_after`.
pub fn gc_interval(unused_after: Duration) -> Duration {
    (unused_after / 4).clamp(Duration::from_secs(1), Duration::from_secs(3600))
}

/// Removes mirrors nobody used for `unused_after` (and leftovers of crashed clones), forever.
async fn collect_unused_repos(repos: driftless_git::RepoCache, unused_after: Duration) {
    loop {
        tokio::time::sleep(gc_interval(unused_after)).await;
        match repos.gc().await {
            Ok(report) if !report.removed.is_empty() => {
                tracing::info!(removed = ?report.removed, kept = report.kept, "removed unused repository mirrors");
            }
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "sweeping the repository cache failed"),
        }
    }
}

/// Resolves on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(term) => term,
            Err(_) => {
                let _ = ctrl_c.await;
                return;
            }
        };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cache_is_swept_four_times_per_idle_limit_within_bounds() {
        assert_eq!(
            gc_interval(Duration::from_secs(24 * 3600)),
            Duration::from_secs(3600)
        );
        assert_eq!(gc_interval(Duration::from_secs(600)), Duration::from_secs(150));
        assert_eq!(gc_interval(Duration::from_secs(2)), Duration::from_secs(1));
    }
}
