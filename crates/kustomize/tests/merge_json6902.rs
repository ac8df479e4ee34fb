//! JSON 6902 patches: a table of operations and edge cases, with expected
//! results and error texts taken from `kubectl kustomize` (v5.5, which uses
//! evanphx/json-patch v4), re-checked against kubectl when it is installed.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

#[path = "merge/support.rs"]
mod support;

use driftless_kustomize::merge::{apply_json6902, yaml11_booleans};
use driftless_kustomize::yaml::{Mapping, Node, Scalar, ScalarStyle};
use serde_json::json;
use support::{have_kubectl, kubectl_json6902, to_json, to_node, yaml};

const TARGET: &str = r#"{
  "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "labels": {"a/b": "1", "t~x": "2"}},
  "spec": {"replicas": 1, "template": {"spec": {"containers": [{"name": "a", "image": "a:1"}, {"name": "b", "image": "b:1"}]}}}
}"#;

/// (name, ops, Ok(expected spec) or Err(text the error must contain))
fn cases() -> Vec<(&'static str, &'static str, Result<&'static str, &'static str>)> {
    vec![
        (
            "add a field",
            r#"[{"op":"add","path":"/spec/paused","value":true}]"#,
            Ok(r#"{"paused":true}"#),
        ),
        (
            "add inserts at an index, - appends, negative counts from the end",
            r#"[{"op":"add","path":"/spec/template/spec/containers/0","value":{"name":"z"}},
               {"op":"add","path":"/spec/template/spec/containers/-","value":{"name":"end"}},
               {"op":"add","path":"/spec/template/spec/containers/-1","value":{"name":"neg"}}]"#,
            Ok(
                r#"{"template":{"spec":{"containers":[{"name":"z"},{"name":"a","image":"a:1"},{"name":"b","image":"b:1"},
                  {"name":"end"},{"name":"neg"}]}}}"#,
            ),
        ),
        (
            "add without a value adds null",
            r#"[{"op":"add","path":"/spec/x"}]"#,
            Ok(r#"{"x":null}"#),
        ),
        (
            "replace of a missing object key adds it (json-patch v4)",
            r#"[{"op":"replace","path":"/spec/replicas","value":3},{"op":"replace","path":"/spec/missing","value":1}]"#,
            Ok(r#"{"replicas":3,"missing":1}"#),
        ),
        (
            "~1 and ~0 escape / and ~",
            r#"[{"op":"replace","path":"/metadata/labels/a~1b","value":"x"},{"op":"remove","path":"/metadata/labels/t~0x"}]"#,
            Ok(r#"{"labels":{"a/b":"x"}}"#),
        ),
        (
            "remove, move and copy",
            r#"[{"op":"remove","path":"/spec/template/spec/containers/1"},
               {"op":"copy","from":"/spec/template/spec/containers/0/image","path":"/spec/image"},
               {"op":"move","from":"/spec/replicas","path":"/spec/count"}]"#,
            Ok(
                r#"{"template":{"spec":{"containers":[{"name":"a","image":"a:1"}]}},"image":"a:1","count":1}"#,
            ),
        ),
        (
            "test compares JSON values, objects in any key order",
            r#"[{"op":"test","path":"/spec/replicas","value":1},{"op":"test","path":"/spec/nothing","value":null},
               {"op":"test","path":"/spec/template/spec/containers/0","value":{"image":"a:1","name":"a"}},
               {"op":"add","path":"/spec/ok","value":"yes"}]"#,
            Ok(r#"{"ok":"yes"}"#),
        ),
        (
            "failed test",
            r#"[{"op":"test","path":"/metadata/name","value":"nope"}]"#,
            Err("testing value /metadata/name failed: test failed"),
        ),
        (
            "test compares numbers by their JSON text",
            r#"[{"op":"test","path":"/spec/replicas","value":1.0}]"#,
            Err("testing value /spec/replicas failed: test failed"),
        ),
        (
            "add under a missing parent",
            r#"[{"op":"add","path":"/spec/missing/x","value":1}]"#,
            Err(r#"add operation does not apply: doc is missing path: "/spec/missing/x": missing value"#),
        ),
        (
            "remove of a missing key",
            r#"[{"op":"remove","path":"/spec/missing"}]"#,
            Err(
                "error in remove for path: '/spec/missing': Unable to remove nonexistent key: missing: missing value",
            ),
        ),
        (
            "replace past the end of a list",
            r#"[{"op":"replace","path":"/spec/template/spec/containers/5","value":1}]"#,
            Err(
                "replace operation does not apply: doc is missing key: /spec/template/spec/containers/5: missing value",
            ),
        ),
        (
            "unknown op",
            r#"[{"op":"bogus","path":"/spec"}]"#,
            Err("Unexpected kind: bogus"),
        ),
    ]
}

#[test]
fn json6902_cases() {
    for (index, (name, ops, want)) in cases().into_iter().enumerate() {
        let mut target = to_node(&yaml(TARGET));
        let result = apply_json6902(&mut target, &to_node(&yaml(ops)));
        match (want, result) {
            (Ok(spec), Ok(())) => {
                let have = to_json(&target);
                let want: serde_json::Value = serde_json::from_str(spec).unwrap();
                let found = ["spec", "metadata"].iter().any(|part| {
                    let section = &have[*part];
                    want.as_object().unwrap().iter().all(|(k, v)| &section[k] == v)
                });
                assert!(found, "case {index} {name}: have {have:#}");
            }
            (Err(text), Err(e)) => {
                assert!(e.to_string().contains(text), "case {index} {name}: {e}");
                assert_eq!(e.reason(), "JsonPatchFailed");
            }
            (_, other) => panic!("case {index} {name}: unexpected {other:?}"),
        }
    }
}

#[test]
fn errors_name_the_operation() {
    let mut target = to_node(&yaml(TARGET));
    let ops = r#"[{"op":"add","path":"/spec/a","value":1},{"op":"replace","path":"/spec/x/y","value":1}]"#;
    let err = apply_json6902(&mut target, &to_node(&yaml(ops))).unwrap_err();
    assert!(
        err.to_string().starts_with("patch op 1 (replace /spec/x/y): "),
        "{err}"
    );
    let err = apply_json6902(&mut target, &to_node(&yaml("{op: add}"))).unwrap_err();
    assert_eq!(err.reason(), "InvalidJsonPatch");
}

#[test]
fn json6902_matches_kubectl() {
    if !have_kubectl() {
        eprintln!("skipping: kubectl is not installed");
        return;
    }
    for (name, ops, _) in cases() {
        let reference = kubectl_json6902(TARGET, "Deployment", ops);
        let mut target = to_node(&yaml(TARGET));
        let ours = apply_json6902(&mut target, &to_node(&yaml(ops)));
        match (reference, ours) {
            (Ok(want), Ok(())) => assert_eq!(to_json(&target), want, "{name}"),
            (Err(text), Err(e)) => {
                let message = e.to_string();
                let detail = message.split_once("): ").map_or(message.as_str(), |(_, d)| d);
                let text = text.replace("\\\"", "\"");
                assert!(
                    text.contains(detail),
                    "{name}: kubectl said {text}, we said {message}"
                );
            }
            (reference, ours) => panic!("{name}: kubectl {reference:?}, ours {ours:?}"),
        }
    }
}

/// Operations written in YAML go through a YAML 1.1 reader in kustomize:
/// `yes`, `y` and `off` are booleans there, quoted `"yes"` stays a string
/// (expectations from `kubectl kustomize`).
#[test]
fn yaml_operations_read_yaml11_booleans() {
    let plain = |t: &str| {
        Node::Scalar(Scalar {
            text: t.to_owned(),
            ..Default::default()
        })
    };
    let quoted = |t: &str| {
        Node::Scalar(Scalar {
            text: t.to_owned(),
            style: ScalarStyle::DoubleQuoted,
            tag: None,
        })
    };
    let op = |path: &str, value: Node| {
        let mut m = Mapping::default();
        m.insert("op", plain("add"));
        m.insert("path", plain(path));
        m.insert("value", value);
        Node::Map(m)
    };
    let mut ops = Node::Seq(vec![
        op("/spec/a", plain("yes")),
        op("/spec/b", plain("y")),
        op("/spec/d", plain("off")),
        op("/spec/e", plain("0755")),
        op(
            "/spec/f",
            Node::Seq(vec![plain("on"), quoted("yes"), plain("No")]),
        ),
    ]);
    yaml11_booleans(&mut ops);
    let mut target = to_node(&yaml(TARGET));
    apply_json6902(&mut target, &ops).unwrap();
    let spec = &to_json(&target)["spec"];
    assert_eq!(
        (&spec["a"], &spec["b"], &spec["d"], &spec["e"], &spec["f"]),
        (
            &json!(true),
            &json!(true),
            &json!(false),
            &json!(493),
            &json!([true, "yes", false])
        )
    );
}
