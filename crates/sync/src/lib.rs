//! Driftless `sync` crate (see DESIGN.md).
