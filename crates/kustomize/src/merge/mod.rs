//! Patch engines: strategic merge (kustomize's kyaml `merge2` semantics) and
//! RFC 6902 JSON patches (evanphx/json-patch v4 semantics).
//!
//! Entry points: [`smp::merge_patch`] (with a [`Schemas`]), the shorthand
//! [`strategic_merge`] (builtin schema), and [`json6902::apply_json6902`].

mod assoc;
pub mod directives;
mod elements;
pub mod json6902;
pub mod smp;

pub use json6902::{Json6902Error, apply_json6902, yaml11_booleans};
pub use smp::{Outcome, merge_patch};

use crate::openapi::Schemas;
use crate::yaml::Node;

/// A strategic-merge patch that could not be applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MergeError {
    /// The patch and the target disagree on a value's kind (map, list, scalar).
    #[error("wrong node kind at {path}: expected {expected} but got {found}")]
    WrongKind {
        /// Dotted field path.
        path: String,
        /// The kind kyaml expected there.
        expected: &'static str,
        /// The kind found.
        found: &'static str,
    },
    /// A `$patch` value other than merge, replace or delete.
    #[error("unknown patch strategy '{value}' at {path}")]
    UnknownDirective {
        /// Dotted field path.
        path: String,
        /// The value given.
        value: String,
    },
    /// The documents nest deeper than the merge walks.
    #[error("patch nests too deeply at {path}")]
    TooDeep {
        /// Dotted field path.
        path: String,
    },
}

impl MergeError {
    /// The CamelCase reason for conditions, events and metrics.
    pub fn reason(&self) -> &'static str {
        match self {
            MergeError::WrongKind { .. } => "PatchKindMismatch",
            MergeError::UnknownDirective { .. } => "UnknownPatchDirective",
            MergeError::TooDeep { .. } => "PatchTooDeep",
        }
    }

    /// Fills in the field path where the error was found.
    pub(crate) fn at(self, path: &[String]) -> Self {
        let here = path.join(".");
        match self {
            MergeError::WrongKind {
                path,
                expected,
                found,
            } if path.is_empty() => MergeError::WrongKind {
                path: here,
                expected,
                found,
            },
            MergeError::UnknownDirective { path, value } if path.is_empty() => {
                MergeError::UnknownDirective { path: here, value }
            }
            other => other,
        }
    }
}

/// Strategic-merges `patch` into `target` with the builtin schema. When the
/// patch deletes the object (`$patch: delete`), `target` becomes an empty map.
pub fn strategic_merge(target: &mut Node, patch: &Node) -> Result<(), MergeError> {
    if merge_patch(target, patch, &Schemas::builtin())? == Outcome::Deleted {
        *target = Node::map();
    }
    Ok(())
}

/// RFC 6902 operations; the pipeline's shorthand for [`apply_json6902`].
pub fn json6902(target: &mut Node, ops: &Node) -> Result<(), Json6902Error> {
    apply_json6902(target, ops)
}
