//! The tracking id: the one format that ties an applied object to its Application.
//!
//! `<app-ns>/<app-name>:<group>/<kind>:<ns>/<name>` — the group is empty for the core API and the
//! namespace is empty for cluster-scoped objects. Object names may contain `:` (RBAC names such as
//! `system:aggregate-to-view`) but never `/`, so parsing splits app and kind on the first two `:`
//! and namespace from name on the last `/`.

use std::fmt;
use std::str::FromStr;

use sha2::{Digest, Sha256};

/// Who applied an object and which object it is.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TrackingId {
    /// Namespace of the owning Application.
    pub app_namespace: String,
    /// Name of the owning Application.
    pub app_name: String,
    /// API group of the object (`""` for core).
    pub group: String,
    /// Kind of the object.
    pub kind: String,
    /// Namespace of the object (`""` when cluster-scoped).
    pub namespace: String,
    /// Name of the object.
    pub name: String,
}

/// A tracking-id annotation value that does not have the expected shape.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed tracking id {value:?}: expected <app-ns>/<app-name>:<group>/<kind>:<ns>/<name>")]
pub struct ParseTrackingIdError {
    /// The value that failed to parse.
    pub value: String,
}

impl ParseTrackingIdError {
    /// Condition/Event reason.
    pub fn reason(&self) -> &'static str {
        "MalformedTrackingId"
    }
}

impl TrackingId {
    /// True when this id names the Application `app_namespace/app_name`.
    pub fn is_owned_by(&self, app_namespace: &str, app_name: &str) -> bool {
        self.app_namespace == app_namespace && self.app_name == app_name
    }
}

impl fmt::Display for TrackingId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}/{}:{}/{}:{}/{}",
            self.app_namespace, self.app_name, self.group, self.kind, self.namespace, self.name
        )
    }
}

impl FromStr for TrackingId {
    type Err = ParseTrackingIdError;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        let err = || ParseTrackingIdError {
            value: value.to_owned(),
        };
        let (app, rest) = value.split_once(':').ok_or_else(err)?;
        let (group_kind, object) = rest.split_once(':').ok_or_else(err)?;
        let (app_namespace, app_name) = app.split_once('/').ok_or_else(err)?;
        let (group, kind) = group_kind.split_once('/').ok_or_else(err)?;
        let (namespace, name) = object.rsplit_once('/').ok_or_else(err)?;
        let well_formed = !app_namespace.is_empty()
            && !app_name.is_empty()
            && !app_name.contains('/')
            && !kind.is_empty()
            && !kind.contains('/')
            && !name.is_empty()
            && !namespace.contains(':');
        if !well_formed {
            return Err(err());
        }
        Ok(TrackingId {
            app_namespace: app_namespace.to_owned(),
            app_name: app_name.to_owned(),
            group: group.to_owned(),
            kind: kind.to_owned(),
            namespace: namespace.to_owned(),
            name: name.to_owned(),
        })
    }
}

/// Longest label value Kubernetes accepts.
const MAX_LABEL_VALUE: usize = 63;

/// The `driftless.dev/app-instance` label value for an Application name: the name itself when it
/// is a valid label value, otherwise a readable prefix plus a hash so distinct names stay distinct.
pub fn app_instance_label(app_name: &str) -> String {
    if is_label_value(app_name) {
        return app_name.to_owned();
    }
    let digest = Sha256::digest(app_name.as_bytes());
    let hash: String = digest.iter().take(5).map(|b| format!("{b:02x}")).collect();
    let keep = MAX_LABEL_VALUE - hash.len() - 1;
    let prefix: String = app_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '-'
            }
        })
        .take(keep)
        .collect();
    let prefix = prefix.trim_matches(|c: char| !c.is_ascii_alphanumeric());
    if prefix.is_empty() {
        hash
    } else {
        format!("{prefix}-{hash}")
    }
}

/// Kubernetes' label value rule: ≤63 chars, alphanumerics with `-_.` inside.
fn is_label_value(value: &str) -> bool {
    let bytes = value.as_bytes();
    if value.is_empty() {
        return true;
    }
    bytes.len() <= MAX_LABEL_VALUE
        && bytes[0].is_ascii_alphanumeric()
        && bytes[bytes.len() - 1].is_ascii_alphanumeric()
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use proptest::prelude::*;

    use super::*;

    fn id(group: &str, kind: &str, namespace: &str, name: &str) -> TrackingId {
        TrackingId {
            app_namespace: "driftless".into(),
            app_name: "blog-prod".into(),
            group: group.into(),
            kind: kind.into(),
            namespace: namespace.into(),
            name: name.into(),
        }
    }

    #[test]
    fn formats_known_shapes() {
        let cases = [
            (
                id("apps", "Deployment", "blog", "web"),
                "driftless/blog-prod:apps/Deployment:blog/web",
            ),
            (
                id("", "Namespace", "", "blog"),
                "driftless/blog-prod:/Namespace:/blog",
            ),
            (
                id("rbac.authorization.k8s.io", "ClusterRole", "", "system:view"),
                "driftless/blog-prod:rbac.authorization.k8s.io/ClusterRole:/system:view",
            ),
        ];
        for (tracking, text) in cases {
            assert_eq!(tracking.to_string(), text);
            assert_eq!(text.parse::<TrackingId>().unwrap(), tracking);
        }
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "",
            "x",
            "ns/app",
            "ns/app:apps/Deployment",
            "ns/app:Deployment:ns/name",
            "/app:g/K:n/x",
            "ns/app:g/:n/x",
            "ns/app:g/K:n/",
        ] {
            assert!(bad.parse::<TrackingId>().is_err(), "{bad:?} parsed");
        }
    }

    #[test]
    fn label_values() {
        assert_eq!(app_instance_label("blog-prod"), "blog-prod");
        let long = "a".repeat(40) + "." + &"b".repeat(40);
        let label = app_instance_label(&long);
        assert!(is_label_value(&label), "{label}");
        assert_ne!(label, app_instance_label(&(long.clone() + "c")));
        assert_eq!(label, app_instance_label(&long), "stable");
    }

    fn dns_label() -> impl Strategy<Value = String> {
        "[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?"
    }

    proptest! {
        #[test]
        fn round_trips(
            app_namespace in dns_label(),
            app_name in "[a-z0-9]([a-z0-9.-]{0,40}[a-z0-9])?",
            group in "([a-z0-9]([a-z0-9.-]{0,20}[a-z0-9])?)?",
            kind in "[A-Z][A-Za-z0-9]{0,20}",
            namespace in "(|[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?)",
            name in "[a-z0-9:_.-]{1,40}",
        ) {
            let tracking = TrackingId { app_namespace, app_name, group, kind, namespace, name };
            let parsed: TrackingId = tracking.to_string().parse().unwrap();
            prop_assert_eq!(parsed, tracking);
        }

        #[test]
        fn label_is_always_valid(app_name in "[a-z0-9]([a-z0-9.-]{0,250}[a-z0-9])?") {
            prop_assert!(is_label_value(&app_instance_label(&app_name)));
        }
    }
}
