//! Test helpers for the transformers: YAML in, a flat `path=value` view out.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use crate::resmap::ResMap;
use crate::resource::Resource;
use crate::yaml::Node;

/// Parses YAML documents into nodes with the crate's parser.
pub fn nodes(text: &str) -> Vec<Node> {
    crate::yaml::parse_documents(text).unwrap()
}

/// A resource map of the documents in `text`.
pub fn resmap(text: &str) -> ResMap {
    ResMap::from_resources(nodes(text).into_iter().map(Resource::new)).unwrap()
}

/// One line per object: its scalar leaves as `a.b[0].c=value`, in document order.
pub fn objects(map: &ResMap) -> String {
    let mut out = String::new();
    for r in map.iter() {
        out.push_str(&flat(r.node()));
        out.push('\n');
    }
    out
}

/// The scalar leaves of one node as `a.b[0].c=value`, space-separated.
pub fn flat(node: &Node) -> String {
    let mut parts = Vec::new();
    leaves(node, "", &mut parts);
    parts.join(" ")
}

fn leaves(node: &Node, prefix: &str, out: &mut Vec<String>) {
    match node {
        Node::Scalar(s) => out.push(format!("{prefix}={}", s.text)),
        Node::Seq(items) if items.is_empty() => out.push(format!("{prefix}=[]")),
        Node::Seq(items) => {
            for (i, item) in items.iter().enumerate() {
                leaves(item, &format!("{prefix}[{i}]"), out);
            }
        }
        Node::Map(m) if m.is_empty() => out.push(format!("{prefix}={{}}")),
        Node::Map(m) => {
            for (k, v) in m.iter() {
                let p = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                leaves(v, &p, out);
            }
        }
    }
}
