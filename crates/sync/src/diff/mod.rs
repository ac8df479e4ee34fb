//! Desired vs live: normalization, ignore rules and the per-object verdict (pure). The server-side
//! dry-run that produces the "desired as the server would store it" object is the caller's edge.

pub mod compare;
pub mod hash;
pub mod ignore;
pub mod normalize;

pub use compare::{Comparison, FieldChange, compare};
pub use hash::desired_hash;
