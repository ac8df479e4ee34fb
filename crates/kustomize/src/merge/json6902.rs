//! RFC 6902 JSON patches, with the behaviour of the library kustomize uses
//! (evanphx/json-patch v4): `replace` of a missing object key adds it, array
//! indices may be negative (counted from the end), `-` appends, a path's
//! first segment is taken as the root whatever it says, `test` compares JSON
//! values (so `1` equals `1.0`), and error texts follow that library's.
//!
//! Operations run on the node tree directly: kustomize's round trip through
//! JSON changes nothing the printed output can show.

use crate::yaml::{Node, ScalarStyle, Value};

/// A JSON patch that could not be applied.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Json6902Error {
    /// The operation list is not a list of objects.
    #[error("invalid JSON patch: {message}")]
    Invalid {
        /// What is wrong.
        message: String,
    },
    /// Operation `index` (0-based) failed.
    #[error("patch op {index} ({op} {path}): {message}")]
    Op {
        /// The operation's position in the list.
        index: usize,
        /// `add`, `remove`, …
        op: String,
        /// The operation's `path`.
        path: String,
        /// What went wrong, in json-patch's words.
        message: String,
    },
}

impl Json6902Error {
    /// The CamelCase reason for conditions, events and metrics.
    pub fn reason(&self) -> &'static str {
        match self {
            Json6902Error::Invalid { .. } => "InvalidJsonPatch",
            Json6902Error::Op { .. } => "JsonPatchFailed",
        }
    }
}

/// Applies `ops` (a list of `{op, path, value?, from?}` maps) to `target`, in order.
/// On error the target may hold the effect of the earlier operations.
pub fn apply_json6902(target: &mut Node, ops: &Node) -> Result<(), Json6902Error> {
    let Some(list) = ops.as_seq() else {
        return Err(Json6902Error::Invalid {
            message: "the operations must be a list".into(),
        });
    };
    for (index, op) in list.iter().enumerate() {
        let Some(map) = op.as_map() else {
            return Err(Json6902Error::Invalid {
                message: format!("operation {index} is not an object"),
            });
        };
        let text = |key: &str| map.get(key).and_then(|n| n.as_scalar()).map(|s| s.text.clone());
        let kind = text("op").unwrap_or_else(|| "unknown".to_owned());
        let path = text("path");
        let fail = |message: String| Json6902Error::Op {
            index,
            op: kind.clone(),
            path: path.clone().unwrap_or_default(),
            message,
        };
        let value = || map.get("value").cloned().unwrap_or_else(Node::null);
        let need_path = || {
            path.clone()
                .ok_or_else(|| fail("operation missing path field: missing value".into()))
        };
        match kind.as_str() {
            "add" => add(target, &need_path()?, value()),
            "remove" => remove(target, &need_path()?),
            "replace" => replace(target, &need_path()?, value()),
            "move" => {
                let from =
                    text("from").ok_or_else(|| fail("operation missing from field: missing value".into()))?;
                move_value(target, &from, &need_path()?)
            }
            "copy" => {
                let from =
                    text("from").ok_or_else(|| fail("operation missing from field: missing value".into()))?;
                copy(target, &from, &need_path()?)
            }
            "test" => test(target, &need_path()?, map.get("value")),
            other => Err(format!("Unexpected kind: {other}")),
        }
        .map_err(fail)?;
    }
    Ok(())
}

/// kustomize reads operations written as YAML (text not starting with `[`)
/// through a YAML 1.1 parser, so plain `yes`, `y`, `on`, `no`, `n`, `off`
/// (any case variant it knows) are booleans there. Call this on such
/// operations before [`apply_json6902`]; JSON operations need nothing.
pub fn yaml11_booleans(ops: &mut Node) {
    match ops {
        Node::Scalar(s) if s.style == ScalarStyle::Plain && s.tag.is_none() => {
            let value = match s.text.as_str() {
                "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => "true",
                "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => "false",
                _ => return,
            };
            s.text = value.to_owned();
        }
        Node::Scalar(_) => {}
        Node::Seq(items) => items.iter_mut().for_each(yaml11_booleans),
        Node::Map(map) => map.iter_mut().for_each(|(_, v)| yaml11_booleans(v)),
    }
}

fn add(doc: &mut Node, path: &str, value: Node) -> Result<(), String> {
    let (con, key) = find_container(doc, path).ok_or_else(|| {
        format!("add operation does not apply: doc is missing path: {path:?}: missing value")
    })?;
    container_add(con, &key, value).map_err(|e| format!("error in add for path: '{path}': {e}"))
}

fn remove(doc: &mut Node, path: &str) -> Result<(), String> {
    let (con, key) = find_container(doc, path).ok_or_else(|| {
        format!("remove operation does not apply: doc is missing path: {path:?}: missing value")
    })?;
    container_remove(con, &key)
        .map(drop)
        .map_err(|e| format!("error in remove for path: '{path}': {e}"))
}

fn replace(doc: &mut Node, path: &str, value: Node) -> Result<(), String> {
    let (con, key) = find_container(doc, path).ok_or_else(|| {
        format!("replace operation does not apply: doc is missing path: {path}: missing value")
    })?;
    if container_get(con, &key).is_err() {
        return Err(format!(
            "replace operation does not apply: doc is missing key: {path}: missing value"
        ));
    }
    match con {
        Node::Map(map) => map.insert(key, value),
        Node::Seq(list) => {
            if let Some(slot) = seq_index(list.len(), &key, false)
                .ok()
                .and_then(|i| list.get_mut(i))
            {
                *slot = value;
            }
        }
        Node::Scalar(_) => {}
    }
    Ok(())
}

fn move_value(doc: &mut Node, from: &str, path: &str) -> Result<(), String> {
    let (con, key) = find_container(doc, from).ok_or_else(|| {
        format!("move operation does not apply: doc is missing from path: {from}: missing value")
    })?;
    container_get(con, &key).map_err(|e| format!("error in move for path: '{key}': {e}"))?;
    let value = container_remove(con, &key).map_err(|e| format!("error in move for path: '{key}': {e}"))?;
    let (con, key) = find_container(doc, path).ok_or_else(|| {
        format!("move operation does not apply: doc is missing destination path: {path}: missing value")
    })?;
    container_add(con, &key, value).map_err(|e| format!("error in move for path: '{path}': {e}"))
}

fn copy(doc: &mut Node, from: &str, path: &str) -> Result<(), String> {
    let (con, key) = find_container(doc, from).ok_or_else(|| {
        format!("copy operation does not apply: doc is missing from path: {from}: missing value")
    })?;
    let value = container_get(con, &key)
        .map_err(|e| format!("error in copy for from: '{from}': {e}"))?
        .cloned()
        .unwrap_or_else(Node::null);
    let (con, key) = find_container(doc, path).ok_or_else(|| {
        format!("copy operation does not apply: doc is missing destination path: {path}: missing value")
    })?;
    container_add(con, &key, value).map_err(|e| format!("error in copy for path: '{path}': {e}"))
}

fn test(doc: &mut Node, path: &str, want: Option<&Node>) -> Result<(), String> {
    let (con, key) = find_container(doc, path)
        .ok_or_else(|| format!("test operation does not apply: is missing path: {path}: missing value"))?;
    let have = container_get(con, &key).map_err(|e| format!("error in test for path: '{path}': {e}"))?;
    let equal = match (have, want) {
        (None, want) => want.is_none_or(Node::is_null),
        (Some(_), None) => false,
        (Some(have), Some(want)) => json_equal(have, want),
    };
    if equal {
        Ok(())
    } else {
        Err(format!("testing value {path} failed: test failed"))
    }
}

/// RFC 6901 unescaping in one pass (`~01` is `~1`).
fn decode_key(part: &str) -> String {
    let mut out = String::with_capacity(part.len());
    let mut chars = part.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, chars.peek()) {
            ('~', Some('1')) => {
                chars.next();
                out.push('/');
            }
            ('~', Some('0')) => {
                chars.next();
                out.push('~');
            }
            _ => out.push(c),
        }
    }
    out
}

/// The container that holds the path's last segment, and that segment.
fn find_container<'a>(doc: &'a mut Node, path: &str) -> Option<(&'a mut Node, String)> {
    let split: Vec<&str> = path.split('/').collect();
    let (last, parents) = split.split_last()?;
    let parents = parents.get(1..)?;
    let mut current = doc;
    for part in parents {
        let key = decode_key(part);
        let next = match current {
            Node::Map(map) => map.get_mut(&key)?,
            Node::Seq(list) => {
                let index = seq_index(list.len(), &key, false).ok()?;
                list.get_mut(index)?
            }
            Node::Scalar(_) => return None,
        };
        if !matches!(next, Node::Map(_) | Node::Seq(_)) {
            return None;
        }
        current = next;
    }
    if !matches!(current, Node::Map(_) | Node::Seq(_)) {
        return None;
    }
    Some((current, decode_key(last)))
}

/// An array index as json-patch reads it: Go's `Atoi`, negatives from the end.
/// `for_insert` allows the position just past the end.
fn seq_index(len: usize, key: &str, for_insert: bool) -> Result<usize, String> {
    let digits = key.strip_prefix('+').unwrap_or(key);
    let parsed = (!digits.is_empty() && digits.trim_start_matches('-').bytes().all(|b| b.is_ascii_digit()))
        .then(|| key.parse::<i64>().ok())
        .flatten()
        .ok_or_else(|| format!("strconv.Atoi: parsing {key:?}: invalid syntax"))?;
    let size = i64::try_from(len).unwrap_or(i64::MAX) + i64::from(for_insert);
    let invalid = |idx: i64| format!("Unable to access invalid index: {idx}: invalid index referenced");
    let index = if parsed < 0 {
        if parsed < -size {
            return Err(invalid(parsed));
        }
        parsed + size
    } else {
        parsed
    };
    if index >= size {
        return Err(invalid(index));
    }
    usize::try_from(index).map_err(|_| invalid(index))
}

fn container_get<'a>(con: &'a Node, key: &str) -> Result<Option<&'a Node>, String> {
    match con {
        Node::Map(map) => Ok(map.get(key)),
        Node::Seq(list) => Ok(list.get(seq_index(list.len(), key, false)?)),
        Node::Scalar(_) => Ok(None),
    }
}

fn container_add(con: &mut Node, key: &str, value: Node) -> Result<(), String> {
    match con {
        Node::Map(map) => map.insert(key, value),
        Node::Seq(list) if key == "-" => list.push(value),
        Node::Seq(list) => {
            let index = seq_index(list.len(), key, true).map_err(|e| {
                if e.starts_with("strconv") {
                    format!("value was not a proper array index: '{key}': {e}")
                } else {
                    e
                }
            })?;
            list.insert(index.min(list.len()), value);
        }
        Node::Scalar(_) => {}
    }
    Ok(())
}

fn container_remove(con: &mut Node, key: &str) -> Result<Node, String> {
    match con {
        Node::Map(map) => map
            .remove(key)
            .ok_or_else(|| format!("Unable to remove nonexistent key: {key}: missing value")),
        Node::Seq(list) => {
            let index = seq_index(list.len(), key, false)?;
            Ok(list.remove(index))
        }
        Node::Scalar(_) => Err(format!("Unable to remove nonexistent key: {key}: missing value")),
    }
}

/// json-patch v4's `test` equality: objects and arrays compare member by
/// member, scalars by their compact JSON text. The target's numbers are
/// printed as Go prints them (`1.0` becomes `1`); the operation's keep the
/// text they were written with, so `1.0` does not equal `1`.
fn json_equal(have: &Node, want: &Node) -> bool {
    match (have, want) {
        (Node::Map(x), Node::Map(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| json_equal(v, w)))
        }
        (Node::Seq(x), Node::Seq(y)) => x.len() == y.len() && x.iter().zip(y).all(|(v, w)| json_equal(v, w)),
        (Node::Scalar(x), Node::Scalar(y)) => match (x.resolve(), y.resolve()) {
            (Value::String(s), Value::String(t)) => s == t,
            (Value::Null, Value::Null) => true,
            (Value::Bool(p), Value::Bool(q)) => p == q,
            (p, q) => match (go_number(&p), go_number(&q)) {
                (Some(target), Some(_)) => target == y.text.replace('_', ""),
                _ => false,
            },
        },
        _ => false,
    }
}

/// A number as Go's `encoding/json` prints it, or `None` for non-numbers.
fn go_number(v: &Value) -> Option<String> {
    match v {
        Value::Int(i) => Some(i.to_string()),
        Value::Uint(u) => Some(u.to_string()),
        Value::Float(f) if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e21 => Some(format!("{f:.0}")),
        Value::Float(f) => Some(f.to_string()),
        _ => None,
    }
}
