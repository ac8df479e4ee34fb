//! The errors of the git cache, each with a stable `reason()`.
//!
//! Every message is built from already-redacted URLs (see [`crate::url`]), so
//! an error can go straight into a condition, an Event or a log line.

use std::time::Duration;

/// A failure of the repo cache. `Clone` because one coalesced fetch hands its
/// result to every caller that waited on it.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum GitError {
    /// The URL could not be understood.
    #[error("invalid repository URL {url}: {message}")]
    InvalidUrl {
        /// The URL, redacted.
        url: String,
        /// Why it was rejected.
        message: String,
    },
    /// The server rejected the credentials, or asked for some and none were configured.
    #[error("authentication to {url} failed: {message}")]
    AuthFailed {
        /// The URL, redacted.
        url: String,
        /// What libgit2 or the server said, redacted.
        message: String,
    },
    /// The SSH host key is unknown or does not match `known_hosts`.
    #[error("host key of {host} not accepted: {message}")]
    HostKeyRejected {
        /// `host` or `[host]:port`.
        host: String,
        /// Why it was rejected.
        message: String,
    },
    /// The fetch failed for a reason other than authentication.
    #[error("fetch of {url} failed: {message}")]
    FetchFailed {
        /// The URL, redacted.
        url: String,
        /// What libgit2 said, redacted.
        message: String,
    },
    /// The fetch did not finish in time.
    #[error("fetch of {url} timed out after {after:?}")]
    FetchTimeout {
        /// The URL, redacted.
        url: String,
        /// The configured timeout.
        after: Duration,
    },
    /// The caller cancelled the fetch.
    #[error("fetch of {url} was cancelled")]
    FetchCancelled {
        /// The URL, redacted.
        url: String,
    },
    /// The revision names no branch, tag or commit in the mirror.
    #[error("revision {revision:?} not found in {url}{hint}")]
    RevisionNotFound {
        /// The URL, redacted.
        url: String,
        /// The revision as the user wrote it.
        revision: String,
        /// Extra context, e.g. an ambiguous abbreviated SHA; empty or starting with "; ".
        hint: String,
    },
    /// The repository has never been fetched into this cache.
    #[error("repository {url} has not been fetched yet")]
    NotFetched {
        /// The URL, redacted.
        url: String,
    },
    /// A credentials Secret is missing a field or has an unusable one.
    #[error("credentials Secret field {field:?}: {message}")]
    InvalidCredentials {
        /// The Secret data key at fault.
        field: String,
        /// What is wrong with it (never its value).
        message: String,
    },
    /// A local object-database or disk failure.
    #[error("git cache at {path}: {message}")]
    Storage {
        /// The mirror directory or cache root.
        path: String,
        /// What failed.
        message: String,
    },
}

impl GitError {
    /// CamelCase reason for conditions, Events and metric labels.
    pub fn reason(&self) -> &'static str {
        match self {
            GitError::InvalidUrl { .. } => "GitInvalidURL",
            GitError::AuthFailed { .. } => "GitAuthFailed",
            GitError::HostKeyRejected { .. } => "GitHostKeyRejected",
            GitError::FetchFailed { .. } => "GitFetchFailed",
            GitError::FetchTimeout { .. } => "GitFetchTimeout",
            GitError::FetchCancelled { .. } => "GitFetchCancelled",
            GitError::RevisionNotFound { .. } => "RevisionNotFound",
            GitError::NotFetched { .. } => "GitNotFetched",
            GitError::InvalidCredentials { .. } => "GitCredentialsInvalid",
            GitError::Storage { .. } => "GitStorageFailed",
        }
    }

    /// Whether retrying later may help (network, timeouts) as opposed to a
    /// configuration problem the user must fix.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            GitError::FetchFailed { .. }
                | GitError::FetchTimeout { .. }
                | GitError::FetchCancelled { .. }
                | GitError::Storage { .. }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_are_camel_case_and_distinct() {
        let url = || "https://example.com/r".to_string();
        let all = [
            GitError::InvalidUrl {
                url: url(),
                message: String::new(),
            },
            GitError::AuthFailed {
                url: url(),
                message: String::new(),
            },
            GitError::HostKeyRejected {
                host: url(),
                message: String::new(),
            },
            GitError::FetchFailed {
                url: url(),
                message: String::new(),
            },
            GitError::FetchTimeout {
                url: url(),
                after: Duration::from_secs(1),
            },
            GitError::FetchCancelled { url: url() },
            GitError::RevisionNotFound {
                url: url(),
                revision: "x".into(),
                hint: String::new(),
            },
            GitError::NotFetched { url: url() },
            GitError::Storage {
                path: url(),
                message: String::new(),
            },
        ];
        let mut seen = std::collections::HashSet::new();
        for err in &all {
            let reason = err.reason();
            assert!(
                reason.chars().next().is_some_and(|c| c.is_ascii_uppercase()),
                "{reason}"
            );
            assert!(reason.chars().all(|c| c.is_ascii_alphanumeric()), "{reason}");
            assert!(seen.insert(reason), "duplicate {reason}");
        }
    }
}
