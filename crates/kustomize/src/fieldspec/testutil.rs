//! Test helpers for the transformers: YAML in, a flat `path=value` view out.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use crate::resmap::ResMap;
use crate::resource::Resource;
use crate::yaml::{Mapping, Node, Scalar, ScalarStyle};

/// Parses YAML documents into nodes (serde_yaml until the crate's parser is used here).
pub fn nodes(text: &str) -> Vec<Node> {
    let mut out = Vec::new();
    for doc in serde_yaml::Deserializer::from_str(text) {
        let v: serde_yaml::Value = serde::Deserialize::deserialize(doc).unwrap();
        out.push(from_yaml(&v));
    }
    out
}

/// A resource map of the documents in `text`.
pub fn resmap(text: &str) -> ResMap {
    ResMap::from_resources(nodes(text).into_iter().map(Resource::new)).unwrap()
}

fn from_yaml(v: &serde_yaml::Value) -> Node {
    let plain = |text: String| {
        Node::Scalar(Scalar {
            text,
            style: ScalarStyle::Plain,
            tag: None,
        })
    };
    match v {
        serde_yaml::Value::Null => Node::null(),
        serde_yaml::Value::Bool(b) => plain(b.to_string()),
        serde_yaml::Value::Number(n) => plain(n.to_string()),
        serde_yaml::Value::String(s) => Node::string(s.clone()),
        serde_yaml::Value::Sequence(items) => Node::Seq(items.iter().map(from_yaml).collect()),
        serde_yaml::Value::Mapping(m) => {
            let mut map = Mapping::default();
            for (k, v) in m {
                map.insert(k.as_str().unwrap().to_owned(), from_yaml(v));
            }
            Node::Map(map)
        }
        serde_yaml::Value::Tagged(t) => from_yaml(&t.value),
    }
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
