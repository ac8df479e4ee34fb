//! Differential JSON 6902 test: generated operation lists (fixed seed) over a
//! Deployment, applied by us and by `kubectl kustomize`; results and error
//! texts must agree.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

#[path = "merge/support.rs"]
mod support;

use driftless_kustomize::merge::apply_json6902;
use serde_json::{Value as Json, json};
use support::{have_kubectl, kubectl_json6902, to_json, to_node};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// Paths whose values are containers, and paths whose values are strings:
/// kubectl runs more of the pipeline after the patch, which rejects objects
/// broken in other ways, so values stay of the kind each place expects.
const CONTAINER_PATHS: &[&str] = &[
    "/spec/template/spec/containers/0",
    "/spec/template/spec/containers/1",
    "/spec/template/spec/containers/2",
    "/spec/template/spec/containers/-",
    "/spec/template/spec/containers/-1",
    "/spec/template/spec/containers/-3",
    "/spec/template/spec/containers/x",
    "/spec/template/spec/containers/01",
];
const SCALAR_PATHS: &[&str] = &[
    "/spec/paused",
    "/spec/missing/deeper",
    "/spec/template/spec/containers/0/image",
    "/spec/template/spec/containers/1/image",
    "/spec/template/spec/containers/0/args/0",
    "/spec/template/spec/containers/0/args/-",
    "/spec/template/spec/containers/0/args/1",
    "/metadata/labels/app",
    "/metadata/labels/a~1b",
    "/metadata/labels/t~0x",
    "/metadata/labels/none",
    "/spec/template/metadata",
];

fn target() -> Json {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "labels": {"app": "web", "a/b": "1", "t~x": "2"}},
        "spec": {"replicas": 1, "template": {"spec": {"containers": [
            {"name": "a", "image": "a:1", "args": ["--x"]},
            {"name": "b", "image": "b:1"}
        ]}}}
    })
}

fn ops(rng: &mut Rng) -> Json {
    let mut list = Vec::new();
    for _ in 0..=rng.below(3) {
        let op = rng.pick(&["add", "add", "replace", "remove", "move", "copy", "test"]);
        let containers = rng.below(3) == 0;
        let (paths, value) = if containers {
            (
                CONTAINER_PATHS,
                json!({"name": rng.pick(&["a", "n"]), "image": "n:1"}),
            )
        } else {
            (SCALAR_PATHS, json!(rng.pick(&["v", "a:1", "--x"])))
        };
        let mut entry = json!({"op": op, "path": rng.pick(paths)});
        match op {
            "move" | "copy" => entry["from"] = json!(rng.pick(paths)),
            "remove" => {}
            _ => entry["value"] = value,
        }
        list.push(entry);
    }
    Json::Array(list)
}

#[test]
fn generated_operations_apply_like_kubectl() {
    if !have_kubectl() {
        eprintln!("skipping: kubectl is not installed");
        return;
    }
    let mut rng = Rng(0xC0FF_EE00_1234_5678);
    let target_text = serde_json::to_string(&target()).unwrap();
    let (mut applied, mut failed) = (0, 0);
    for case in 0..120 {
        let ops = ops(&mut rng);
        let ops_text = serde_json::to_string(&ops).unwrap();
        let mut ours = to_node(&target());
        let result = apply_json6902(&mut ours, &to_node(&ops));
        match (kubectl_json6902(&target_text, "Deployment", &ops_text), result) {
            (Ok(want), Ok(())) => {
                applied += 1;
                assert_eq!(to_json(&ours), want, "case {case}: {ops_text}");
            }
            (Err(text), Err(e)) => {
                failed += 1;
                let message = e.to_string();
                let detail = message.split_once("): ").map_or(message.as_str(), |(_, d)| d);
                let text = text.replace("\\\"", "\"");
                assert!(
                    text.contains(detail),
                    "case {case}: {ops_text}\nkubectl: {text}\nours: {message}"
                );
            }
            (theirs, ours) => panic!("case {case}: {ops_text}\nkubectl: {theirs:?}\nours: {ours:?}"),
        }
    }
    assert!(
        applied > 10 && failed > 10,
        "{applied} applied, {failed} failed: generator too uniform"
    );
    eprintln!("120 generated JSON patches agree with kubectl ({applied} applied, {failed} failed)");
}
