//! The embedded Kustomize renderer: a pure, synchronous drop-in for
//! `kustomize build` (v5.x). It reads through a [`fs::FileSystem`], holds
//! resources in its own YAML node model ([`yaml::Node`]) and prints with a
//! go-yaml-v2-compatible emitter so the bytes match kustomize's.
//!
//! It does not fetch, exec or talk to Kubernetes.

pub mod error;
pub mod fs;
pub mod resid;
pub mod resmap;
pub mod resource;
pub mod yaml;

pub use error::Error;
