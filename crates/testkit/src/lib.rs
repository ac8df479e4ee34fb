//! Test support for Driftless' integration and end-to-end tests: start or
//! reuse the local control plane ([`cluster::client`]), a per-test namespace
//! ([`TempNamespace`]), condition waits with a deadline ([`wait_until`]) and a
//! loopback git server. Dev-only: nothing here ships in the binary.

pub mod cluster;
pub mod git_server;
pub mod namespace;
pub mod wait;

pub use namespace::{TempNamespace, unique_name};
pub use wait::wait_until;

use std::time::Duration;

/// What can go wrong while setting up a test environment.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The local control plane could not be started.
    #[error("local control plane: {0}")]
    Cluster(String),
    /// A Kubernetes API call failed.
    #[error("kubernetes: {0}")]
    Kube(String),
    /// A condition did not hold before its deadline.
    #[error("timed out after {after:?} waiting for {what}")]
    Timeout {
        /// The condition waited for.
        what: String,
        /// How long was waited.
        after: Duration,
    },
}
