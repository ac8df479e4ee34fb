//! Helpers shared by the merge tests: YAML/JSON fixtures to nodes and back,
//! and `kubectl kustomize` as the reference for a strategic-merge patch.
//! Each test file uses only some of them.
#![allow(dead_code)]

use std::process::Command;

use driftless_kustomize::yaml::{Node, Scalar, Value};
use serde_json::Value as Json;

/// A fixture written in YAML, as JSON (serde_yaml reads it).
pub fn yaml(text: &str) -> Json {
    serde_yaml::from_str(text).unwrap_or_else(|e| panic!("bad fixture: {e}\n{text}"))
}

/// JSON to the renderer's node model.
pub fn to_node(json: &Json) -> Node {
    match json {
        Json::Null => Node::null(),
        Json::Bool(b) => plain(if *b { "true" } else { "false" }),
        Json::Number(n) => plain(&n.to_string()),
        Json::String(s) => Node::string(s.clone()),
        Json::Array(items) => Node::Seq(items.iter().map(to_node).collect()),
        Json::Object(map) => Node::Map(map.iter().map(|(k, v)| (k.clone(), to_node(v))).collect()),
    }
}

fn plain(text: &str) -> Node {
    Node::Scalar(Scalar {
        text: text.to_owned(),
        ..Default::default()
    })
}

/// The node model to JSON, resolving scalars like go-yaml.
pub fn to_json(node: &Node) -> Json {
    match node {
        Node::Scalar(s) => match s.resolve() {
            Value::Null => Json::Null,
            Value::Bool(b) => Json::Bool(b),
            Value::Int(i) => Json::from(i),
            Value::Uint(u) => Json::from(u),
            Value::Float(f) => serde_json::Number::from_f64(f).map_or(Json::Null, Json::Number),
            Value::String(s) => Json::String(s),
        },
        Node::Seq(items) => Json::Array(items.iter().map(to_json).collect()),
        Node::Map(map) => Json::Object(map.iter().map(|(k, v)| (k.clone(), to_json(v))).collect()),
    }
}

/// True when `kubectl kustomize` can be run here.
pub fn have_kubectl() -> bool {
    Command::new("kubectl")
        .arg("version")
        .arg("--client")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// What `kubectl kustomize` makes of `target` patched with `patches` (in a
/// `patches:` entry each): `Ok(None)` when the object was deleted, `Err` with
/// kubectl's message when it failed.
pub fn kubectl_patch(target: &str, patches: &[&str]) -> Result<Option<Json>, String> {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("res.yaml"), target).expect("write");
    let mut k = String::from("resources:\n- res.yaml\npatches:\n");
    for (i, patch) in patches.iter().enumerate() {
        std::fs::write(dir.path().join(format!("p{i}.yaml")), patch).expect("write");
        k.push_str(&format!("- path: p{i}.yaml\n"));
    }
    std::fs::write(dir.path().join("kustomization.yaml"), k).expect("write");
    let out = Command::new("kubectl")
        .arg("kustomize")
        .arg(dir.path())
        .output()
        .expect("run kubectl");
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    let text = String::from_utf8_lossy(&out.stdout);
    if text.trim().is_empty() {
        return Ok(None);
    }
    Ok(Some(serde_yaml::from_str(&text).map_err(|e| e.to_string())?))
}

/// What `kubectl kustomize` makes of `target` after the JSON 6902 `ops`
/// (JSON text), applied through a `patches:` entry aimed at the target's kind.
pub fn kubectl_json6902(target: &str, kind: &str, ops: &str) -> Result<Json, String> {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("res.yaml"), target).expect("write");
    std::fs::write(dir.path().join("ops.json"), ops).expect("write");
    let k = format!("resources:\n- res.yaml\npatches:\n- path: ops.json\n  target:\n    kind: {kind}\n");
    std::fs::write(dir.path().join("kustomization.yaml"), k).expect("write");
    let out = Command::new("kubectl")
        .arg("kustomize")
        .arg(dir.path())
        .output()
        .expect("run kubectl");
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    serde_yaml::from_str(&String::from_utf8_lossy(&out.stdout)).map_err(|e| e.to_string())
}
