//! The patch engines with the renderer's own YAML parser and emitter: merged
//! fixtures print byte for byte like `kubectl kustomize`, and scalars keep
//! their go-yaml typing through a merge (`0755`, `yes`, quoted numbers, nulls).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::path::Path;
use std::process::Command;

use driftless_kustomize::merge::{Outcome, merge_patch};
use driftless_kustomize::openapi::Schemas;
use driftless_kustomize::yaml::{emit_document, parse_documents};

fn parse_one(text: &str) -> driftless_kustomize::yaml::Node {
    let mut docs = parse_documents(text).unwrap();
    assert_eq!(docs.len(), 1, "one document expected:\n{text}");
    docs.remove(0)
}

fn merged(target: &str, patch: &str) -> String {
    let mut node = parse_one(target);
    let outcome = merge_patch(&mut node, &parse_one(patch), &Schemas::builtin()).unwrap();
    assert_eq!(outcome, Outcome::Merged);
    emit_document(&node)
}

#[test]
fn fixtures_print_like_kubectl() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/merge/fixtures");
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    dirs.sort();
    for dir in dirs {
        let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap();
        let have = merged(&read("target.yaml"), &read("patch.yaml"));
        assert_eq!(have, read("expected.yaml"), "{}", dir.display());
    }
}

const TYPED_TARGET: &str = "apiVersion: v1
kind: ConfigMap
metadata:
  name: typed
data:
  octal: 0755
  word: yes
  quoted: \"8080\"
  keep: ~
  empty:
  float: 1e3
  list: [on, 'off', 012]
";

const TYPED_PATCH: &str = "apiVersion: v1
kind: ConfigMap
metadata:
  name: typed
data:
  octal: \"0755\"
  added: 0x1F
  word: no
  float: null
  nested: {a: 1.50, b: 'true'}
";

#[test]
fn scalars_keep_their_typing_through_a_merge() {
    let have = merged(TYPED_TARGET, TYPED_PATCH);
    let want = "apiVersion: v1
data:
  added: 31
  empty: null
  keep: null
  list:
  - \"on\"
  - \"off\"
  - 10
  nested:
    a: 1.5
    b: \"true\"
  octal: \"0755\"
  quoted: \"8080\"
  word: \"no\"
kind: ConfigMap
metadata:
  name: typed
";
    // kubectl kustomize agrees (see the differential test below); `empty:` is
    // dropped by kyaml's merge, so it must not appear.
    assert!(!have.contains("empty"), "{have}");
    assert_eq!(have, want.replace("  empty: null\n", ""));
}

#[test]
fn typed_merge_matches_kubectl_bytes() {
    if !Command::new("kubectl")
        .args(["version", "--client"])
        .output()
        .is_ok_and(|o| o.status.success())
    {
        eprintln!("skipping: kubectl is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("res.yaml"), TYPED_TARGET).unwrap();
    std::fs::write(dir.path().join("patch.yaml"), TYPED_PATCH).unwrap();
    std::fs::write(
        dir.path().join("kustomization.yaml"),
        "resources: [res.yaml]\npatches:\n- path: patch.yaml\n",
    )
    .unwrap();
    let out = Command::new("kubectl")
        .arg("kustomize")
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(
        merged(TYPED_TARGET, TYPED_PATCH),
        String::from_utf8_lossy(&out.stdout)
    );
}
