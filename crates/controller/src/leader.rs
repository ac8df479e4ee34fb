//! Leader election over a `coordination.k8s.io` Lease (kube-lease-manager),
//! so two replicas run safely: only the holder reconciles; a replica that
//! loses the lease stops, and another takes over once the lease expires (or
//! at once, when the holder shut down cleanly and released it).

use std::time::Duration;

use kube::Client;
use kube_lease_manager::{LeaseManagerBuilder, LeaseManagerError};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// Leader-election settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaderElection {
    /// Name of the Lease in the controller's namespace.
    pub lease_name: String,
    /// This replica's identity (the Pod name in a cluster).
    pub identity: String,
    /// How long a lease is held without renewal before another replica may take it.
    pub lease_duration: Duration,
}

impl LeaderElection {
    /// Defaults: lease `driftless-controller`, 15 s, identity from `POD_NAME` or host and pid.
    pub fn with_defaults() -> LeaderElection {
        let identity = std::env::var("POD_NAME").unwrap_or_else(|_| {
            let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "driftless".into());
            format!("{host}-{}", std::process::id())
        });
        LeaderElection {
            lease_name: "driftless-controller".into(),
            identity,
            lease_duration: Duration::from_secs(15),
        }
    }
}

/// Leader election failed to start.
#[derive(Debug, thiserror::Error)]
#[error("leader election on Lease {lease}: {source}")]
pub struct LeaderError {
    /// `namespace/name` of the Lease.
    pub lease: String,
    /// The lease manager's error.
    #[source]
    pub source: LeaseManagerError,
}

/// Held leadership: watch it for loss; drop or [`Leadership::release`] to give it up.
pub struct Leadership {
    state: watch::Receiver<bool>,
    task: JoinHandle<Result<kube_lease_manager::LeaseManager, LeaseManagerError>>,
}

/// Waits until this replica holds the Lease.
pub async fn acquire(
    client: Client,
    namespace: &str,
    settings: &LeaderElection,
) -> Result<Leadership, LeaderError> {
    let lease = format!("{namespace}/{}", settings.lease_name);
    let manager = LeaseManagerBuilder::new(client, &settings.lease_name)
        .with_namespace(namespace)
        .with_identity(&settings.identity)
        .with_duration(settings.lease_duration.as_secs().max(2))
        .with_grace(2)
        .with_field_manager("driftless-leader")
        .build()
        .await
        .map_err(|source| LeaderError {
            lease: lease.clone(),
            source,
        })?;
    let (mut state, task) = manager.watch().await;
    tracing::info!(%lease, identity = %settings.identity, "waiting for leadership");
    while !*state.borrow_and_update() {
        if state.changed().await.is_err() {
            break;
        }
    }
    tracing::info!(%lease, identity = %settings.identity, "became leader");
    Ok(Leadership { state, task })
}

impl Leadership {
    /// Resolves when leadership is lost (or the lease task ended).
    pub async fn lost(&mut self) {
        while *self.state.borrow_and_update() {
            if self.state.changed().await.is_err() {
                return;
            }
        }
    }

    /// Gives the Lease up so another replica takes over at once.
    pub async fn release(self) {
        drop(self.state);
        match self.task.await {
            Ok(Ok(_)) => tracing::info!("released leadership"),
            Ok(Err(error)) => tracing::warn!(%error, "could not release the lease"),
            Err(error) => tracing::warn!(%error, "lease task failed"),
        }
    }
}
