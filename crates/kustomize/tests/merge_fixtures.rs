//! Fixture directories of real objects (`tests/merge/fixtures/<case>/`):
//! `target.yaml` patched with `patch.yaml` must equal `expected.yaml`, which
//! was produced by `kubectl kustomize` (v5.5) on the same two files.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

#[path = "merge/support.rs"]
mod support;

use std::path::Path;

use driftless_kustomize::merge::{Outcome, merge_patch};
use driftless_kustomize::openapi::Schemas;
use support::{to_json, to_node, yaml};

#[test]
fn fixtures_merge_to_their_expected_output() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/merge/fixtures");
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 3, "fixtures missing under {}", root.display());
    for dir in dirs {
        let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap();
        let mut target = to_node(&yaml(&read("target.yaml")));
        let patch = to_node(&yaml(&read("patch.yaml")));
        let outcome = merge_patch(&mut target, &patch, &Schemas::builtin()).unwrap();
        assert_eq!(outcome, Outcome::Merged, "{}", dir.display());
        assert_eq!(
            to_json(&target),
            yaml(&read("expected.yaml")),
            "{}",
            dir.display()
        );
    }
}
