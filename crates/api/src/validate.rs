//! Checks of an Application spec that need no cluster: destination, sync options, retry backoff.
//! `check_spec` runs them all once and hands back the typed forms downstream code uses.

use std::time::Duration;

use crate::application::{ApplicationDestination, ApplicationSpec, IN_CLUSTER_NAME, IN_CLUSTER_SERVER};
use crate::sync_options::{SyncOptionError, SyncOptions};

/// A spec Driftless cannot act on. Every variant's reason is `InvalidSpecError` (Argo CD's type).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidSpecError {
    /// The destination is another cluster.
    #[error(
        "destination {field} {value:?} is not this cluster: use server {IN_CLUSTER_SERVER:?} or name {IN_CLUSTER_NAME:?}"
    )]
    RemoteDestination {
        /// `server` or `name`.
        field: &'static str,
        /// What was given.
        value: String,
    },
    /// Both or neither of `server` and `name` are set.
    #[error("destination must set exactly one of server and name")]
    AmbiguousDestination,
    /// `spec.source.repoURL` is empty.
    #[error("spec.source.repoURL is empty")]
    MissingRepoUrl,
    /// A `syncPolicy.syncOptions` entry is not understood.
    #[error("spec.syncPolicy.syncOptions: {0}")]
    SyncOption(#[from] SyncOptionError),
    /// A retry backoff field does not parse.
    #[error("spec.syncPolicy.retry.backoff.{field}: {value:?} is not a duration like 5s, 3m or 1h30m")]
    Backoff {
        /// `duration`, `maxDuration` or `factor`.
        field: &'static str,
        /// What was given.
        value: String,
    },
}

impl InvalidSpecError {
    /// Condition/Event reason.
    pub fn reason(&self) -> &'static str {
        "InvalidSpecError"
    }
}

/// A spec that passed [`check_spec`], with its options in typed form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedSpec {
    /// Parsed `syncPolicy.syncOptions`.
    pub sync_options: SyncOptions,
    /// Parsed `syncPolicy.retry`; `None` when absent.
    pub retry: Option<RetryPolicy>,
}

/// `syncPolicy.retry` in typed form, with Argo CD's defaults filled in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first failure; `None` is unlimited (a negative `limit`). An omitted
    /// `limit` is 0, as in Argo CD.
    pub limit: Option<u32>,
    /// First delay (default 5s).
    pub duration: Duration,
    /// Multiplier per retry (default 2).
    pub factor: u32,
    /// Longest delay (default 3m).
    pub max_duration: Duration,
}

impl RetryPolicy {
    /// The delay before retry number `retry` (0-based): `duration · factor^retry`, capped.
    pub fn delay(&self, retry: u32) -> Duration {
        let multiplier = self.factor.max(1).saturating_pow(retry);
        self.duration.saturating_mul(multiplier).min(self.max_duration)
    }

    /// True while another retry is allowed after `retries` retries.
    pub fn allows(&self, retries: u32) -> bool {
        self.limit.is_none_or(|limit| retries < limit)
    }
}

/// Only the local cluster is a valid destination.
pub fn destination(dest: &ApplicationDestination) -> Result<(), InvalidSpecError> {
    match (dest.server.as_deref(), dest.name.as_deref()) {
        (Some(server), None) if server.trim_end_matches('/') == IN_CLUSTER_SERVER => Ok(()),
        (None, Some(IN_CLUSTER_NAME)) => Ok(()),
        (Some(server), None) => Err(InvalidSpecError::RemoteDestination {
            field: "server",
            value: server.to_owned(),
        }),
        (None, Some(name)) => Err(InvalidSpecError::RemoteDestination {
            field: "name",
            value: name.to_owned(),
        }),
        _ => Err(InvalidSpecError::AmbiguousDestination),
    }
}

/// Checks everything in `spec` that can be checked without a cluster.
pub fn check_spec(spec: &ApplicationSpec) -> Result<CheckedSpec, InvalidSpecError> {
    destination(&spec.destination)?;
    if spec.source.repo_url.trim().is_empty() {
        return Err(InvalidSpecError::MissingRepoUrl);
    }
    let policy = spec.sync_policy.as_ref();
    let sync_options = SyncOptions::parse(policy.map_or(&[][..], |p| &p.sync_options))?;
    let retry = policy
        .and_then(|p| p.retry.as_ref())
        .map(retry_policy)
        .transpose()?;
    Ok(CheckedSpec { sync_options, retry })
}

fn retry_policy(retry: &crate::application::RetryStrategy) -> Result<RetryPolicy, InvalidSpecError> {
    let backoff = retry.backoff.clone().unwrap_or_default();
    let duration = go_duration("duration", backoff.duration.as_deref(), Duration::from_secs(5))?;
    let max_duration = go_duration(
        "maxDuration",
        backoff.max_duration.as_deref(),
        Duration::from_secs(180),
    )?;
    let factor = match backoff.factor {
        None => 2,
        Some(f) => u32::try_from(f)
            .ok()
            .filter(|f| *f >= 1)
            .ok_or(InvalidSpecError::Backoff {
                field: "factor",
                value: f.to_string(),
            })?,
    };
    let limit = match retry.limit {
        Some(l) if l < 0 => None,
        Some(l) => Some(u32::try_from(l).unwrap_or(u32::MAX)),
        None => Some(0),
    };
    Ok(RetryPolicy {
        limit,
        duration,
        factor,
        max_duration,
    })
}

/// Parses a Go duration string (`5s`, `3m`, `1h30m`, `500ms`) with jiff's friendly format.
fn go_duration(
    field: &'static str,
    value: Option<&str>,
    default: Duration,
) -> Result<Duration, InvalidSpecError> {
    let Some(value) = value else { return Ok(default) };
    let bad = || InvalidSpecError::Backoff {
        field,
        value: value.to_owned(),
    };
    let parsed: jiff::SignedDuration = value.trim().parse().map_err(|_| bad())?;
    Duration::try_from(parsed).map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::application::{ApplicationSource, Backoff, RetryStrategy, SyncPolicy};

    fn dest(server: Option<&str>, name: Option<&str>) -> ApplicationDestination {
        ApplicationDestination {
            server: server.map(Into::into),
            name: name.map(Into::into),
            namespace: Some("blog".into()),
        }
    }

    #[test]
    fn destinations() {
        let cases = [
            (dest(Some("https://kubernetes.default.svc"), None), true),
            (dest(Some("https://kubernetes.default.svc/"), None), true),
            (dest(None, Some("in-cluster")), true),
            (dest(Some("https://10.0.0.1:6443"), None), false),
            (dest(None, Some("prod-eu")), false),
            (dest(None, None), false),
            (
                dest(Some("https://kubernetes.default.svc"), Some("in-cluster")),
                false,
            ),
        ];
        for (d, ok) in cases {
            let result = destination(&d);
            assert_eq!(result.is_ok(), ok, "{d:?}: {result:?}");
            if let Err(e) = result {
                assert_eq!(e.reason(), "InvalidSpecError");
            }
        }
    }

    fn spec(policy: Option<SyncPolicy>) -> ApplicationSpec {
        ApplicationSpec {
            project: "default".into(),
            source: ApplicationSource {
                repo_url: "https://git.example/config".into(),
                target_revision: "HEAD".into(),
                path: "apps/blog/overlays/prod".into(),
            },
            destination: dest(None, Some("in-cluster")),
            sync_policy: policy,
            ignore_differences: vec![],
        }
    }

    #[test]
    fn retry_defaults_and_parsing() {
        let checked = check_spec(&spec(None)).unwrap();
        assert_eq!(checked.retry, None);
        assert!(checked.sync_options.server_side_apply);

        let policy = SyncPolicy {
            retry: Some(RetryStrategy {
                limit: Some(-1),
                backoff: Some(Backoff {
                    duration: Some("500ms".into()),
                    factor: Some(3),
                    max_duration: Some("1h30m".into()),
                }),
            }),
            ..SyncPolicy::default()
        };
        let retry = check_spec(&spec(Some(policy))).unwrap().retry.unwrap();
        assert_eq!(retry.limit, None);
        assert_eq!(retry.duration, Duration::from_millis(500));
        assert_eq!(retry.max_duration, Duration::from_secs(5400));
        assert_eq!(retry.delay(0), Duration::from_millis(500));
        assert_eq!(retry.delay(2), Duration::from_millis(4500));
        assert_eq!(retry.delay(60), Duration::from_secs(5400));
        assert!(retry.allows(1_000_000));

        let defaults = retry_policy(&RetryStrategy {
            limit: Some(3),
            backoff: None,
        })
        .unwrap();
        assert_eq!(
            (defaults.duration, defaults.factor, defaults.max_duration),
            (Duration::from_secs(5), 2, Duration::from_secs(180))
        );
        assert!(defaults.allows(2) && !defaults.allows(3));
    }

    #[test]
    fn spec_errors() {
        let bad_option = SyncPolicy {
            sync_options: vec!["Replace=true".into()],
            ..SyncPolicy::default()
        };
        let err = check_spec(&spec(Some(bad_option))).unwrap_err();
        assert!(err.to_string().contains("Replace=true"), "{err}");

        let bad_backoff = SyncPolicy {
            retry: Some(RetryStrategy {
                limit: None,
                backoff: Some(Backoff {
                    duration: Some("soon".into()),
                    ..Backoff::default()
                }),
            }),
            ..SyncPolicy::default()
        };
        let err = check_spec(&spec(Some(bad_backoff))).unwrap_err();
        assert!(err.to_string().contains("soon"), "{err}");

        let mut no_repo = spec(None);
        no_repo.source.repo_url = " ".into();
        assert_eq!(
            check_spec(&no_repo).unwrap_err(),
            InvalidSpecError::MissingRepoUrl
        );
    }
}
