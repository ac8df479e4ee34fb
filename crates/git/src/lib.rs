//! Driftless' git source: a cache of bare mirrors and read-only views of
//! commits, over libgit2 (`git2`).
//!
//! [`RepoCache`] keeps one bare mirror per normalized repository URL.
//! [`RepoCache::fetch`] mirrors every branch and tag (force-pushes and moved
//! tags included, deleted refs pruned) with a timeout and cancellation, and
//! coalesces concurrent fetches of one repository. [`RepoCache::resolve`]
//! turns a branch, tag, SHA or `HEAD` into a [`CommitId`] without network,
//! and [`RepoCache::resolve_with_fallback`] fetches first but falls back to
//! the cached commit (with the fetch error) when the remote is down;
//! [`RepoCache::snapshot`] gives a [`Snapshot`] of a commit that implements the
//! renderer's `FileSystem` straight from the object database (no checkout);
//! [`RepoCache::changed_paths`] lists what a push touched; [`RepoCache::gc`]
//! bounds the disk. [`CredentialSet`] picks [`Credentials`] for a URL the way
//! Argo CD's `repository`/`repo-creds` Secrets do; reading those Secrets is
//! the controller's job, not this crate's. Every error is a [`GitError`] with
//! a `reason()`, and no message ever carries a credential.
//!
//! All libgit2 work runs on tokio's blocking pool; the API is async.

mod auth;
mod cache;
mod changes;
mod credentials;
mod error;
mod gc;
mod known_hosts;
mod mirror;
mod resolve;
mod secret;
mod snapshot;
pub mod url;

pub use cache::{FetchOptions, RepoCache, RepoCacheConfig, Resolution};
pub use changes::Changes;
pub use credentials::{CredentialScope, CredentialSet, CredentialStore, Credentials, SshKey};
pub use error::GitError;
pub use gc::GcReport;
pub use known_hosts::{HostKeyVerdict, verify as verify_host_key};
pub use mirror::FetchOutcome;
pub use resolve::CommitId;
pub use secret::{SECRET_TYPE_LABEL, credentials_from_secret, scope_from_label};
pub use snapshot::Snapshot;
pub use tokio_util::sync::CancellationToken;

#[cfg(test)]
mod tests {
    /// The controller shares these across tasks; this fails to compile if one stops being shareable.
    #[test]
    fn shared_types_are_send_and_sync() {
        fn shareable<T: Send + Sync + 'static>() {}
        shareable::<super::RepoCache>();
        shareable::<super::Snapshot>();
        shareable::<super::GitError>();
        shareable::<super::CredentialSet>();
    }
}
