//! The sync engine: given decorated desired objects (`DynamicObject`s) and the live cluster, decide
//! what to apply, in which order, what to prune, whether drift may be reverted, and how healthy the
//! result is — and the thin API edges that carry those decisions out.
//!
//! It knows nothing of git or kustomize. Pure modules: [`decorate`], [`plan`], [`inventory`],
//! [`prune`], [`self_heal`], [`diff`], [`health`], [`changeset`]. API edges: [`discovery`],
//! [`apply`], [`wait`].

pub mod apply;
pub mod changeset;
pub mod decorate;
pub mod diff;
pub mod discovery;
pub mod error;
pub mod health;
pub mod inventory;
pub mod object_id;
pub mod plan;
pub mod prune;
pub mod self_heal;
pub mod wait;

pub use changeset::{Action, ChangeSet};
pub use error::Error;
pub use object_id::ObjectId;
