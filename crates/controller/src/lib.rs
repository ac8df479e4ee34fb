//! Driftless `controller` crate (see DESIGN.md).
