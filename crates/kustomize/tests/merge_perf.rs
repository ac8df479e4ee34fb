//! Timing of the patch engines on a realistic Deployment (run with
//! `cargo test --release -p driftless-kustomize --test merge_perf -- --ignored --nocapture`).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

#[path = "merge/support.rs"]
mod support;

use std::time::Instant;

use driftless_kustomize::merge::{apply_json6902, merge_patch};
use driftless_kustomize::openapi::{Schemas, schema_for};
use support::{to_node, yaml};

const TARGET: &str = "
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, labels: {app: web}}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: app
        image: app:1
        args: [--port=8080, --verbose]
        env: [{name: A, value: '1'}, {name: B, value: '2'}, {name: C, value: '3'}]
        ports: [{containerPort: 8080, name: http}, {containerPort: 9090, name: metrics}]
        volumeMounts: [{name: config, mountPath: /etc/app}]
        resources: {limits: {cpu: 500m, memory: 256Mi}}
      - name: sidecar
        image: sidecar:1
      volumes: [{name: config, configMap: {name: app-config}}]
";

const PATCH: &str = "
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  template:
    spec:
      containers:
      - name: app
        image: app:2
        env: [{name: B, value: '20'}, {name: D, value: '4'}]
        resources: {limits: {memory: 512Mi}}
";

#[test]
#[ignore = "timing, run on demand in release mode"]
fn time_patch_engines() {
    let target = to_node(&yaml(TARGET));
    let patch = to_node(&yaml(PATCH));
    let schemas = Schemas::builtin();
    let rounds = 20_000;
    let start = Instant::now();
    for _ in 0..rounds {
        let mut t = target.clone();
        merge_patch(&mut t, &patch, &schemas).unwrap();
    }
    let smp = start.elapsed() / rounds;
    let ops = to_node(&yaml(
        r#"[{"op":"replace","path":"/spec/replicas","value":5},
            {"op":"add","path":"/spec/template/spec/containers/0/env/-","value":{"name":"E","value":"5"}}]"#,
    ));
    let start = Instant::now();
    for _ in 0..rounds {
        let mut t = target.clone();
        apply_json6902(&mut t, &ops).unwrap();
    }
    let json = start.elapsed() / rounds;
    let start = Instant::now();
    let mut found = 0;
    for _ in 0..rounds {
        let s = schema_for("apps/v1", "Deployment").unwrap();
        found += usize::from(
            s.lookup(&["spec", "template", "spec", "containers", "[]", "env"])
                .is_some(),
        );
    }
    let lookup = start.elapsed() / rounds;
    assert_eq!(found, rounds as usize);
    let clone = {
        let start = Instant::now();
        for _ in 0..rounds {
            std::hint::black_box(target.clone());
        }
        start.elapsed() / rounds
    };
    eprintln!(
        "per call: clone {clone:?}, strategic merge {smp:?} (incl. clone), json6902 {json:?}, schema lookup {lookup:?}"
    );
}
