//! Driftless's API: the CRD types (`Application`, `ApplicationSet`, `AppProject` in
//! `driftless.dev/v1alpha1`), their CRD manifests, and the small formats every other crate shares:
//! well-known annotation keys, the tracking id and the typed sync options.
//!
//! It holds data and pure checks only — no API calls, no controller logic.
//! Entry points: [`Application`], [`ApplicationSet`], [`AppProject`], [`crds::all_yaml`],
//! [`tracking::TrackingId`], [`sync_options::SyncOptions`], [`validate::check_spec`].

pub mod annotations;
pub mod application;
pub mod appset;
pub mod conditions;
pub mod crds;
pub mod project;
mod schema;
pub mod sync_options;
pub mod tracking;
pub mod validate;

pub use application::{Application, ApplicationSpec, ApplicationStatus};
pub use appset::{ApplicationSet, ApplicationSetSpec, ApplicationSetStatus};
pub use project::{AppProject, AppProjectSpec, AppProjectStatus};
