//! The embedded Kustomize renderer: a pure, synchronous drop-in for
//! `kustomize build` (v5.x). It reads through a [`fs::FileSystem`], holds
//! resources in its own YAML node model ([`yaml::Node`]) and prints with a
//! go-yaml-v2-compatible emitter so the bytes match kustomize's.
//!
//! Entry point: [`build`] → [`Rendered`] (the objects plus the files read).
//! It does not fetch, exec or talk to Kubernetes: kustomizations that need
//! helm, plugins or remote resources are refused with [`Error::Unsupported`].

pub mod build;
pub mod error;
pub mod fieldspec;
pub mod finalize;
pub mod fix;
pub mod fs;
pub mod generate;
pub mod kustomization;
pub mod loader;
pub mod merge;
pub mod openapi;
pub mod resid;
pub mod resmap;
pub mod resource;
pub mod target;
pub mod transform;
pub mod yaml;

/// The YAML and merge functions the pipeline calls (one place to switch them).
#[doc(hidden)]
pub mod backend {
    pub use crate::merge::{json6902, strategic_merge};
    pub use crate::yaml::{emit_documents, parse_documents, to_json};
}

pub use build::{BuildOptions, Rendered, Reorder, build, build_with_cache};
pub use error::Error;
pub use loader::{LoadRestrictions, ParsedFiles};
