//! The renderer's errors. Each names what the user must fix (file, field,
//! object) and has a stable CamelCase [`Error::reason`].
//!
//! Where kustomize's wording is well known (duplicate ids, security
//! restrictions, missing kustomization) the message keeps it, so users and
//! tests can search for the same text.

use std::path::PathBuf;

/// Anything that makes a build fail.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file or directory could not be read.
    #[error("reading '{}': {message}", path.display())]
    Read {
        /// What was being read.
        path: PathBuf,
        /// Why it failed.
        message: String,
    },
    /// A referenced file or directory does not exist.
    #[error("'{}' does not exist", path.display())]
    Missing {
        /// The missing path.
        path: PathBuf,
    },
    /// A file is larger than the renderer accepts.
    #[error("'{}' is {size} bytes, above the {limit}-byte limit", path.display())]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// A directory used as a kustomization has none.
    #[error(
        "unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' in directory '{}'",
        dir.display()
    )]
    NoKustomization {
        /// The directory.
        dir: PathBuf,
    },
    /// A directory holds more than one kustomization file.
    #[error("Found multiple kustomization files under: {}", dir.display())]
    MultipleKustomizations {
        /// The directory.
        dir: PathBuf,
    },
    /// YAML that does not parse (or exceeds the alias bound).
    #[error("MalformedYAMLError: {message} in '{}'", file.display())]
    Yaml {
        /// The file.
        file: PathBuf,
        /// Parser message, with line and column.
        message: String,
    },
    /// A kustomization field that does not exist.
    #[error("invalid Kustomization in '{}': unknown field \"{field}\"{}", file.display(), suggest(suggestion))]
    UnknownField {
        /// The kustomization file.
        file: PathBuf,
        /// The field path, e.g. `patches[0].targett`.
        field: String,
        /// The closest known field.
        suggestion: Option<String>,
    },
    /// A kustomization (or config file) whose content is wrong.
    #[error("invalid {what} in '{}': {message}", file.display())]
    Invalid {
        /// What kind of document (`Kustomization`, `Component`, `patch`, ...).
        what: &'static str,
        /// The file.
        file: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A path outside the kustomization root with root-only load restrictions.
    #[error("security; file '{}' is not in or below '{}'", path.display(), root.display())]
    OutsideRoot {
        /// The rejected path.
        path: PathBuf,
        /// The root it must stay in.
        root: PathBuf,
    },
    /// Kustomizations that include each other.
    #[error("cycle detected: '{}' includes itself", dir.display())]
    Cycle {
        /// The directory reached again.
        dir: PathBuf,
    },
    /// Two resources with the same id.
    #[error("may not add resource with an already registered id: {id}")]
    DuplicateId {
        /// kustomize's rendering of the id.
        id: String,
    },
    /// A feature that needs an external program or the network.
    #[error("{feature} in '{}' is not supported: it needs {needs}", file.display())]
    Unsupported {
        /// The kustomization field or plugin kind.
        feature: String,
        /// The kustomization file.
        file: PathBuf,
        /// What it would need (helm, exec, network, ...).
        needs: &'static str,
    },
    /// A kustomization field the renderer does not handle yet.
    #[error("'{feature}' (in the kustomization in '{}') is not implemented yet", file.display())]
    NotImplemented {
        /// The kustomization field.
        feature: &'static str,
        /// The kustomization directory.
        file: PathBuf,
    },
    /// A resource document that is not a Kubernetes object.
    #[error("invalid resource in '{}': {message}", file.display())]
    InvalidResource {
        /// The file.
        file: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A generator that cannot produce its object.
    #[error("{generator} '{name}': {message}")]
    Generator {
        /// `configMapGenerator` or `secretGenerator`.
        generator: &'static str,
        /// The object's name.
        name: String,
        /// What is wrong.
        message: String,
    },
    /// A patch whose target is missing or that cannot apply.
    #[error("patch '{patch}': {message}")]
    Patch {
        /// The patch file or a short form of the inline patch.
        patch: String,
        /// What is wrong.
        message: String,
    },
    /// A transformer that failed.
    #[error("{transformer}: {message}")]
    Transform {
        /// The kustomization field (`namespace`, `replacements`, ...).
        transformer: &'static str,
        /// What is wrong.
        message: String,
    },
    /// A builtin transformer failed (field specs, values, references).
    #[error(transparent)]
    Transformer(#[from] crate::fieldspec::TransformError),
    /// A field-spec configuration (`configurations:`) is wrong.
    #[error(transparent)]
    Config(#[from] crate::fieldspec::ConfigError),
    /// An error while accumulating another kustomization or file, with kustomize's prefix.
    #[error("accumulating resources from '{}': {source}", path.display())]
    Accumulating {
        /// The resource entry.
        path: PathBuf,
        /// The cause.
        source: Box<Error>,
    },
}

fn suggest(suggestion: &Option<String>) -> String {
    suggestion
        .as_ref()
        .map(|s| format!(" (did you mean \"{s}\"?)"))
        .unwrap_or_default()
}

impl Error {
    /// A stable CamelCase reason for conditions, events and metrics.
    pub fn reason(&self) -> &'static str {
        match self {
            Error::Read { .. } => "ReadFailed",
            Error::Missing { .. } => "MissingFile",
            Error::TooLarge { .. } => "InputTooLarge",
            Error::NoKustomization { .. } => "NoKustomization",
            Error::MultipleKustomizations { .. } => "MultipleKustomizations",
            Error::Yaml { .. } => "MalformedYaml",
            Error::UnknownField { .. } => "UnknownField",
            Error::Invalid { .. } => "InvalidKustomization",
            Error::OutsideRoot { .. } => "PathOutsideRoot",
            Error::Cycle { .. } => "KustomizationCycle",
            Error::DuplicateId { .. } => "DuplicateResourceId",
            Error::Unsupported { .. } => "UnsupportedFeature",
            Error::NotImplemented { .. } => "NotImplemented",
            Error::InvalidResource { .. } => "InvalidResource",
            Error::Generator { .. } => "GeneratorFailed",
            Error::Patch { .. } => "PatchFailed",
            Error::Transform { .. } => "TransformFailed",
            Error::Transformer(e) => e.reason(),
            Error::Config(e) => e.reason(),
            Error::Accumulating { source, .. } => source.reason(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_and_reasons() {
        let cases: Vec<(Error, &str, &str)> = vec![
            (
                Error::DuplicateId {
                    id: "Deployment.v1.apps/a.[noNs]".into(),
                },
                "already registered id: Deployment.v1.apps/a.[noNs]",
                "DuplicateResourceId",
            ),
            (
                Error::UnknownField {
                    file: "k.yaml".into(),
                    field: "namePrefx".into(),
                    suggestion: Some("namePrefix".into()),
                },
                "did you mean \"namePrefix\"",
                "UnknownField",
            ),
            (
                Error::Accumulating {
                    path: "base".into(),
                    source: Box::new(Error::Cycle { dir: "/a".into() }),
                },
                "accumulating resources from 'base': cycle",
                "KustomizationCycle",
            ),
        ];
        for (err, text, reason) in cases {
            assert!(err.to_string().contains(text), "{err}");
            assert_eq!(err.reason(), reason);
        }
    }
}
