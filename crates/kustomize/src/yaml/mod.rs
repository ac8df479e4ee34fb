//! YAML: node model, parser, go-yaml-compatible emitter.
//!
//! [`parse_documents`] reads text the way kustomize's kyaml does,
//! [`to_json`] gives what kyaml's JSON encoding gives, and [`emit_documents`]
//! prints byte-for-byte what `kustomize build` prints (JSON round trip, then
//! go-yaml v2).

pub mod emit;
mod folded;
mod goscalar;
pub mod json;
pub mod keyorder;
pub mod node;
pub mod parse;
mod timestamp;

pub use emit::{emit_document, emit_documents};
pub use json::{from_json, to_json};
pub use node::{Mapping, Node, Scalar, ScalarStyle, Value};
pub use parse::{ParseError, parse_document, parse_documents, parse_documents_strict};
