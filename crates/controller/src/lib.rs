//! The Driftless controller: reconcilers for Application, ApplicationSet and
//! AppProject, their triggers (git poll, refresh annotation, drift watches),
//! status and Events, the metrics registry and the HTTP endpoints.
//!
//! It wires the libraries together; rendering, git and the sync engine live in
//! their own crates.

pub mod http;
pub mod metrics;
