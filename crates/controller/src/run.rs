//! Wiring: the Application controller, its triggers and the HTTP endpoints,
//! until SIGTERM/SIGINT (in-flight reconciles finish first).

use std::sync::Arc;

use driftless_api::Application;
use futures::StreamExt;
use kube::Client;
use kube::api::Api;
use kube::runtime::controller::{Config as ControllerSettings, Controller};
use kube::runtime::watcher;

use crate::application::{error_policy, reconcile};
use crate::config::ControllerConfig;
use crate::context::{Context, ContextError};
use crate::http::{self, Readiness};
use crate::triggers;

/// Why the controller stopped.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// Startup failed.
    #[error(transparent)]
    Context(#[from] ContextError),
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

/// Runs the controller until SIGTERM or Ctrl-C.
pub async fn run(client: Client, config: ControllerConfig) -> Result<(), RunError> {
    run_until(client, config, shutdown_signal()).await
}

/// Runs the controller until `shutdown` resolves (tests stop it this way).
pub async fn run_until(
    client: Client,
    config: ControllerConfig,
    shutdown: impl std::future::Future<Output = ()> + Send + Sync + 'static,
) -> Result<(), RunError> {
    let ctx = Context::new(client.clone(), config)?;
    let stop = futures::future::FutureExt::shared(Box::pin(shutdown));
    let readiness = Readiness::default();
    let addr = ctx.config.metrics_addr;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| RunError::Http { addr, source })?;
    let router = http::router(ctx.metrics.clone(), readiness.clone());
    let server = tokio::spawn(http::serve_on(listener, router, stop.clone()));

    let apps: Api<Application> = match ctx.config.namespaces.as_slice() {
        [only] => Api::namespaced(client.clone(), only),
        _ => Api::all(client.clone()),
    };
    tracing::info!(namespaces = ?ctx.config.namespaces, "starting Application controller");
    let controller = Controller::new(apps, watcher::Config::default())
        .with_config(ControllerSettings::default().concurrency(ctx.config.concurrency));
    let controller = triggers::with_drift(controller, ctx.drift.stream());
    readiness.set(true);
    controller
        .graceful_shutdown_on(stop)
        .run(reconcile, error_policy, Arc::clone(&ctx))
        .for_each(|result| async move {
            if let Err(error) = result {
                tracing::debug!(%error, "reconcile not run");
            }
        })
        .await;
    readiness.set(false);
    let _ = server.await;
    Ok(())
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
