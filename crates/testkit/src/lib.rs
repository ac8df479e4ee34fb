//! Driftless `testkit` crate (see DESIGN.md).
