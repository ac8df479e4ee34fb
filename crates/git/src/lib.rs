//! Driftless `git` crate (see DESIGN.md).
