//! Driftless `api` crate (see DESIGN.md).
