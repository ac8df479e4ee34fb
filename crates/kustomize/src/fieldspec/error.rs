//! Errors of the field-spec driven transformers (namespace, prefix/suffix,
//! labels, annotations, images, replicas, name references, replacements, vars).
//! Messages keep kustomize's wording where users search for it.

/// A transformer failure, naming the transformer, and the object and field when known.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransformError {
    /// A field could not be read or set.
    #[error("{transformer}: considering field '{path}' of object {object}: {message}")]
    Field {
        /// The kustomization field (`namespace`, `images`, ...).
        transformer: &'static str,
        /// The object, as kustomize prints ids (`Kind.version.group/name.namespace`).
        object: String,
        /// The field-spec path.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// Two objects end up with the same id.
    #[error("{transformer} transformation produces ID conflict: {id}")]
    IdConflict {
        /// The transformer.
        transformer: &'static str,
        /// The id held by more than one object.
        id: String,
    },
    /// A transformer's configuration is wrong.
    #[error("{transformer}: {message}")]
    Config {
        /// The transformer.
        transformer: &'static str,
        /// What is wrong.
        message: String,
    },
    /// A reference that cannot be resolved uniquely (or at all, where kustomize fails).
    #[error("{transformer}: {message}")]
    Resolve {
        /// The transformer.
        transformer: &'static str,
        /// What could not be resolved.
        message: String,
    },
}

impl TransformError {
    /// A stable CamelCase reason.
    pub fn reason(&self) -> &'static str {
        match self {
            TransformError::Field { .. } => "TransformFieldError",
            TransformError::IdConflict { .. } => "IdConflict",
            TransformError::Config { .. } => "InvalidTransformerConfig",
            TransformError::Resolve { .. } => "UnresolvedReference",
        }
    }

    /// A field error for `object` at `path`.
    pub fn field(
        transformer: &'static str,
        object: impl ToString,
        path: &str,
        message: impl Into<String>,
    ) -> TransformError {
        TransformError::Field {
            transformer,
            object: object.to_string(),
            path: path.to_owned(),
            message: message.into(),
        }
    }
}
