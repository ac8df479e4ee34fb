//! [`Node`] ↔ JSON, matching kyaml's `RNode.MarshalJSON` (a go-yaml v3
//! decode into `interface{}`, then `encoding/json`).
//!
//! What that decode does, measured with `kubectl kustomize` (v5.5.0):
//! plain scalars resolve with v3 rules (`0755` → 493, `yes` → "yes"); a plain
//! or `!!timestamp` date/time becomes a `time.Time` and so the RFC 3339 string
//! `2001-12-14T00:00:00Z`; `!!binary` is base64-decoded; map keys come out
//! sorted. `.inf`/`.nan` make kustomize fail ("json: unsupported value"); JSON
//! has no such numbers, so they become `null` here.

use std::borrow::Cow;

use base64::Engine as _;
use serde_json::{Map, Number, Value as Json};

use super::node::{Mapping, Node, Scalar, ScalarStyle, Value};
use super::timestamp;

/// A scalar as kyaml's JSON sees it, borrowing the text when it can.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Resolved<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(f64),
    Str(Cow<'a, str>),
}

/// Resolves a scalar the way kyaml's JSON encoding does.
pub(crate) fn resolve_scalar(s: &Scalar) -> Resolved<'_> {
    match s.tag.as_deref() {
        None if s.style != ScalarStyle::Plain => return Resolved::Str(Cow::Borrowed(&s.text)),
        None => match s.text.as_str() {
            "" | "~" | "null" | "Null" | "NULL" => return Resolved::Null,
            "true" | "True" | "TRUE" => return Resolved::Bool(true),
            "false" | "False" | "FALSE" => return Resolved::Bool(false),
            text if !text.starts_with(|c: char| c.is_ascii_digit() || matches!(c, '+' | '-' | '.')) => {
                return Resolved::Str(Cow::Borrowed(text));
            }
            _ => {}
        },
        Some("!!binary") => return Resolved::Str(decode_binary(&s.text)),
        Some("!!str") => return Resolved::Str(Cow::Borrowed(&s.text)),
        Some(_) => {}
    }
    let timestamp_allowed = match s.tag.as_deref() {
        None => s.style == ScalarStyle::Plain,
        Some(tag) => tag == "!!timestamp",
    };
    match s.resolve() {
        Value::Null => Resolved::Null,
        Value::Bool(b) => Resolved::Bool(b),
        Value::Int(i) => Resolved::Int(i),
        Value::Uint(u) => Resolved::Uint(u),
        Value::Float(f) => Resolved::Float(f),
        // `resolve` only ever gives back the scalar's own text as a string.
        Value::String(_) => match timestamp::parse(&s.text).filter(|_| timestamp_allowed) {
            Some(ts) => Resolved::Str(Cow::Owned(ts.to_rfc3339())),
            None => Resolved::Str(Cow::Borrowed(&s.text)),
        },
    }
}

/// go-yaml v3 decodes `!!binary` to its bytes; JSON then holds them as text.
fn decode_binary(text: &str) -> Cow<'_, str> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    match base64::engine::general_purpose::STANDARD.decode(compact.as_bytes()) {
        Ok(bytes) => Cow::Owned(String::from_utf8_lossy(&bytes).into_owned()),
        Err(_) => Cow::Borrowed(text),
    }
}

/// The JSON kyaml's `MarshalJSON` gives for a node (map keys sorted).
pub fn to_json(node: &Node) -> Json {
    match node {
        Node::Scalar(s) => match resolve_scalar(s) {
            Resolved::Null => Json::Null,
            Resolved::Bool(b) => Json::Bool(b),
            Resolved::Int(i) => Json::Number(i.into()),
            Resolved::Uint(u) => Json::Number(u.into()),
            Resolved::Float(f) => Number::from_f64(f).map_or(Json::Null, Json::Number),
            Resolved::Str(text) => Json::String(text.into_owned()),
        },
        Node::Seq(items) => Json::Array(items.iter().map(to_json).collect()),
        Node::Map(map) => {
            let mut entries: Vec<(&String, &Node)> = map.iter().collect();
            entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
            let mut out = Map::with_capacity(entries.len());
            for (k, v) in entries {
                out.insert(k.clone(), to_json(v));
            }
            Json::Object(out)
        }
    }
}

/// A node tree for a JSON value; strings stay strings whatever their text.
pub fn from_json(value: &Json) -> Node {
    match value {
        Json::Null => Node::null(),
        Json::Bool(b) => plain(if *b { "true" } else { "false" }.to_owned()),
        Json::Number(n) => plain(n.to_string()),
        Json::String(s) => Node::string(s.as_str()),
        Json::Array(items) => Node::Seq(items.iter().map(from_json).collect()),
        Json::Object(map) => {
            let mut out = Mapping::default();
            for (k, v) in map {
                out.insert(k.as_str(), from_json(v));
            }
            Node::Map(out)
        }
    }
}

fn plain(text: String) -> Node {
    Node::Scalar(Scalar {
        text,
        style: ScalarStyle::Plain,
        tag: None,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn scalar(text: &str, style: ScalarStyle, tag: Option<&str>) -> Node {
        Node::Scalar(Scalar {
            text: text.into(),
            style,
            tag: tag.map(Into::into),
        })
    }

    #[test]
    fn scalars_resolve_like_kyaml() {
        use ScalarStyle::*;
        let cases: &[(Node, Json)] = &[
            (scalar("yes", Plain, None), json!("yes")),
            (scalar("0755", Plain, None), json!(493)),
            (scalar("0755", DoubleQuoted, None), json!("0755")),
            (scalar("~", Plain, None), json!(null)),
            (scalar("", Plain, None), json!(null)),
            (scalar("true", SingleQuoted, None), json!("true")),
            (scalar("True", Plain, None), json!(true)),
            (scalar("1.5", Plain, None), json!(1.5)),
            (scalar("12", Plain, Some("!!str")), json!("12")),
            (scalar("12", DoubleQuoted, Some("!!int")), json!(12)),
            (scalar("2001-12-14", Plain, None), json!("2001-12-14T00:00:00Z")),
            (scalar("2001-12-14", DoubleQuoted, None), json!("2001-12-14")),
            (
                scalar("2002-02-03", Plain, Some("!!timestamp")),
                json!("2002-02-03T00:00:00Z"),
            ),
            (scalar("aGVsbG8=", Plain, Some("!!binary")), json!("hello")),
            (scalar("bar", Plain, Some("!foo")), json!("bar")),
            (scalar(".inf", Plain, None), json!(null)),
            (
                scalar("18446744073709551615", Plain, None),
                json!(18446744073709551615u64),
            ),
        ];
        for (node, want) in cases {
            assert_eq!(&to_json(node), want, "{node:?}");
        }
    }

    #[test]
    fn json_round_trips_through_nodes() {
        let value = json!({"b": ["true", 1, 1.5, null, "", "2001-12-14", "0755"], "a": {"x": false}});
        let back = to_json(&from_json(&value));
        assert_eq!(back, value);
        let keys: Vec<&String> = back.as_object().map(|m| m.keys().collect()).unwrap_or_default();
        assert_eq!(keys, ["a", "b"]);
    }
}
