//! YAML: node model, parser, go-yaml-compatible emitter.

pub mod node;

pub use node::{Mapping, Node, Scalar, ScalarStyle, Value};
