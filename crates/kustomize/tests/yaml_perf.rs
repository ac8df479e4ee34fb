//! Timing of the YAML layer on every YAML file of the medium bench repo (run with
//! `cargo test --release -p driftless-kustomize --test yaml_perf -- --ignored --nocapture`).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::path::Path;
use std::time::Instant;

use driftless_kustomize::yaml::{emit_documents, parse_documents, to_json};

#[test]
#[ignore = "timing; run in release"]
fn medium_repo_yaml_parse_and_emit_time() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/bench/config-repo-medium");
    let mut texts = Vec::new();
    let mut pending = vec![root];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                texts.push(std::fs::read_to_string(&path).unwrap());
            }
        }
    }
    let bytes: usize = texts.iter().map(String::len).sum();
    let mut best = [f64::MAX; 3];
    for _ in 0..20 {
        let start = Instant::now();
        let docs: Vec<_> = texts.iter().map(|t| parse_documents(t).unwrap()).collect();
        let parsed = start.elapsed().as_secs_f64();
        let start = Instant::now();
        let json: usize = docs
            .iter()
            .flatten()
            .map(|d| to_json(d).is_object() as usize)
            .sum();
        let jsoned = start.elapsed().as_secs_f64();
        let start = Instant::now();
        let out: usize = docs.iter().map(|d| emit_documents(d).len()).sum();
        let emitted = start.elapsed().as_secs_f64();
        assert!(out > 0 && json > 0);
        best = [best[0].min(parsed), best[1].min(jsoned), best[2].min(emitted)];
    }
    println!(
        "{} files, {} KiB: parse {:.2} ms, to_json {:.2} ms, emit {:.2} ms (best of 20)",
        texts.len(),
        bytes / 1024,
        best[0] * 1e3,
        best[1] * 1e3,
        best[2] * 1e3
    );
}
