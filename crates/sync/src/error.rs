//! Errors of the sync engine's pure steps. Each names the object it is about; `reason()` is the
//! condition/Event reason.

/// An error in decorating, planning or deciding about objects.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// A rendered object lacks `apiVersion`, `kind` or `metadata.name`.
    #[error("rendered object {object} has no apiVersion, kind or metadata.name")]
    InvalidObject {
        /// What could be told about it.
        object: String,
    },
    /// Neither the cluster nor a CRD in the render says whether the kind is namespaced.
    #[error("{object}: the cluster does not serve {api_version} {kind} and no CRD in the render defines it")]
    UnknownKind {
        /// `Kind namespace/name`.
        object: String,
        /// `group/version`.
        api_version: String,
        /// Kind.
        kind: String,
    },
    /// A namespaced object names no namespace and the Application sets no `destination.namespace`.
    #[error("{object} is namespaced but has no namespace, and spec.destination.namespace is not set")]
    MissingNamespace {
        /// `Kind name`.
        object: String,
    },
    /// The object already carries another Application's tracking id.
    #[error("{object} is already managed by Application {owner}")]
    SharedResource {
        /// `Kind namespace/name`.
        object: String,
        /// `namespace/name` of the other Application.
        owner: String,
    },
    /// An entry of `status.inventory` does not parse.
    #[error("malformed inventory entry {entry:?}: expected <namespace>_<name>_<group>_<kind>_<version>")]
    MalformedInventoryEntry {
        /// The entry.
        entry: String,
    },
    /// A Driftless annotation on an object or Application has a bad value.
    #[error("{object}: annotation {annotation}={value:?}: {problem}")]
    InvalidAnnotation {
        /// `Kind namespace/name`.
        object: String,
        /// The annotation key.
        annotation: &'static str,
        /// Its value.
        value: String,
        /// What is wrong.
        problem: String,
    },
}

impl Error {
    /// Condition/Event reason (CamelCase).
    pub fn reason(&self) -> &'static str {
        match self {
            Error::InvalidObject { .. } => "InvalidObject",
            Error::UnknownKind { .. } => "UnknownKind",
            Error::MissingNamespace { .. } => "MissingNamespace",
            Error::SharedResource { .. } => "SharedResourceWarning",
            Error::MalformedInventoryEntry { .. } => "MalformedInventory",
            Error::InvalidAnnotation { .. } => "InvalidAnnotation",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_are_camel_case() {
        let errors = [
            Error::InvalidObject { object: "?".into() },
            Error::UnknownKind {
                object: "Foo a/b".into(),
                api_version: "x.io/v1".into(),
                kind: "Foo".into(),
            },
            Error::SharedResource {
                object: "Deployment a/b".into(),
                owner: "driftless/other".into(),
            },
            Error::MalformedInventoryEntry { entry: "x".into() },
            Error::MissingNamespace {
                object: "ConfigMap c".into(),
            },
            Error::InvalidAnnotation {
                object: "o".into(),
                annotation: "a",
                value: "v".into(),
                problem: "p".into(),
            },
        ];
        for e in errors {
            let reason = e.reason();
            assert!(
                reason.chars().next().is_some_and(|c| c.is_ascii_uppercase()) && !reason.contains(' '),
                "{reason}"
            );
            assert!(!e.to_string().is_empty());
        }
    }
}
