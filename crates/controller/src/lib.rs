//! The Driftless controller: the Application reconciler (render → diff →
//! server-side apply → prune → health → status), its triggers (git poll,
//! refresh annotation, drift watches), Events, the metrics registry and the
//! HTTP endpoints. Entry point: [`run`].
//!
//! It wires the libraries together; rendering, git and the sync engine live
//! in their own crates.

pub mod application;
pub mod appset;
pub mod backoff;
pub mod config;
pub mod context;
pub mod events;
pub mod http;
pub mod identity;
pub mod leader;
pub mod metered;
pub mod metrics;
pub mod project;
pub mod render;
pub mod repo_credentials;
pub mod requests;
pub mod run;
pub mod triggers;
pub mod webhook;

pub use config::ControllerConfig;
pub use run::{run, run_until};
