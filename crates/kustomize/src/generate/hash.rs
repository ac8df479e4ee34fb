//! kustomize's content hash for name suffixes (`api/hasher`): SHA-256 over a
//! Go-`encoding/json` rendering of the object's identifying content, then the
//! first ten hex digits with `0 1 3 a e` replaced by `g h k m t` (so the
//! suffix never looks like a number or a word with vowels).

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::yaml::Node;

/// The suffix (without the `-`) for a ConfigMap, Secret or other object.
pub fn hash_suffix(node: &Node) -> String {
    let kind = node.get_path(&["kind"]).and_then(text).unwrap_or_default();
    let encoded = match kind {
        "ConfigMap" => encode_object(node, "ConfigMap", &[], &["data"], "binaryData"),
        "Secret" => encode_object(node, "Secret", &["type"], &["data"], "stringData"),
        _ => go_json(&crate::backend::to_json(node)),
    };
    encode(&hex::encode(Sha256::digest(encoded.as_bytes())))
}

/// Builds `{"kind":…, "name":…, <scalars>, <maps>, [optional map]}` the way
/// kustomize's `encodeConfigMap`/`encodeSecret` do; Go sorts the keys.
fn encode_object(node: &Node, kind: &str, scalars: &[&str], maps: &[&str], optional: &str) -> String {
    let mut out = serde_json::Map::new();
    out.insert("kind".into(), Value::String(kind.into()));
    // kustomize looks up "metadata/name" as one field name, which never
    // exists: the name is always "" in the hash (checked against kubectl).
    out.insert("name".into(), field_value(node.get_path(&["metadata/name"])));
    for key in scalars.iter().chain(maps) {
        out.insert((*key).into(), field_value(node.get_path(&[key])));
    }
    if let Some(extra @ Node::Map(_)) = node.get_path(&[optional]) {
        out.insert(optional.into(), crate::backend::to_json(extra));
    }
    go_json(&Value::Object(out))
}

/// A missing field is `""`, a scalar its text, anything else its JSON.
fn field_value(node: Option<&Node>) -> Value {
    match node {
        None => Value::String(String::new()),
        Some(Node::Scalar(s)) => Value::String(s.text.clone()),
        Some(other) => crate::backend::to_json(other),
    }
}

fn text(node: &Node) -> Option<&str> {
    node.as_scalar().map(|s| s.text.as_str())
}

/// kustomize's `encode`: ten hex digits with a fixed substitution.
fn encode(hex: &str) -> String {
    hex.chars()
        .take(10)
        .map(|c| match c {
            '0' => 'g',
            '1' => 'h',
            '3' => 'k',
            'a' => 'm',
            'e' => 't',
            other => other,
        })
        .collect()
}

/// Go's `json.Marshal` output for a decoded JSON value: object keys sorted,
/// `<`, `>`, `&`, U+2028 and U+2029 escaped, no spaces.
pub fn go_json(value: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, value);
    out
}

fn write_value(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => write_string(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(out, key);
                out.push(':');
                if let Some(v) = map.get(key) {
                    write_value(out, v);
                }
            }
            out.push('}');
        }
    }
}

fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_substitutes_like_kustomize() {
        assert_eq!(encode("0123456789abcdef"), "gh2k456789");
        assert_eq!(encode("ae3e1"), "mtkth");
    }

    #[test]
    fn matches_kubectl_for_generated_objects() {
        // `kubectl kustomize` (v5.5) names these cm1-g99h2k4bh8 and s1-ftgtgc4t9f.
        let cm = r#"{"data":{"a":"\u003cb\u0026c\u003e","b":"x"},"kind":"ConfigMap","name":""}"#;
        assert_eq!(encode(&hex::encode(Sha256::digest(cm.as_bytes()))), "g99h2k4bh8");
        let secret = r#"{"data":{"k":"dg=="},"kind":"Secret","name":"","type":"Opaque"}"#;
        assert_eq!(
            encode(&hex::encode(Sha256::digest(secret.as_bytes()))),
            "ftgtgc4t9f"
        );
    }

    #[test]
    fn go_json_sorts_and_escapes() {
        let v: Value = serde_json::from_str(r#"{"b":"<a&b>","a":["x\n",1,true,null]}"#).unwrap_or_default();
        assert_eq!(
            go_json(&v),
            r#"{"a":["x\n",1,true,null],"b":"\u003ca\u0026b\u003e"}"#
        );
    }
}
