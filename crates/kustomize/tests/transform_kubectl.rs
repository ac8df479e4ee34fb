//! The field-spec transformers against the reference: every kustomization
//! under `tests/transform/` (namespace, prefix/suffix, labels, annotations,
//! images, replicas, name references, replacements, vars, in combination)
//! must render like `kubectl kustomize`, object for object. Skipped with a
//! message when kubectl is absent.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use driftless_kustomize::fs::DiskFs;
use driftless_kustomize::{BuildOptions, backend, build};

/// Fixture directories holding a kustomization that is meant to be built
/// (bases are only reached through overlays). `TRANSFORM_FIXTURES` points the
/// test at another tree (e.g. generated scenarios).
fn fixtures() -> Vec<PathBuf> {
    let root = match std::env::var_os("TRANSFORM_FIXTURES") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/transform"),
    };
    let mut out = Vec::new();
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            }
        }
        let is_base = dir.file_name().is_some_and(|n| n == "base");
        if dir.join("kustomization.yaml").is_file() && !is_base {
            out.push(dir);
        }
    }
    out.sort();
    out
}

fn documents(text: &str) -> Vec<serde_json::Value> {
    let docs = backend::parse_documents(text).unwrap();
    docs.iter()
        .map(backend::to_json)
        .filter(|v| !v.is_null())
        .collect()
}

#[test]
fn transformers_render_like_kubectl() {
    if Command::new("kubectl")
        .arg("version")
        .arg("--client")
        .output()
        .is_err()
    {
        eprintln!("skipping: kubectl is not installed");
        return;
    }
    let dirs = fixtures();
    assert!(!dirs.is_empty(), "no fixtures found");
    let mut failures = Vec::new();
    let (mut rendered_count, mut byte_exact) = (0, 0);
    for dir in &dirs {
        let reference = Command::new("kubectl")
            .arg("kustomize")
            .arg(dir)
            .output()
            .unwrap();
        let ours = build(&DiskFs, dir, &BuildOptions::default());
        // Where kubectl refuses the input, we must refuse it too.
        let got = match (reference.status.success(), ours) {
            (true, Ok(rendered)) => {
                let text = rendered.to_yaml();
                rendered_count += 1;
                byte_exact += usize::from(text.as_bytes() == reference.stdout.as_slice());
                documents(&text)
            }
            (false, Err(e)) => {
                if std::env::var_os("TRANSFORM_VERBOSE").is_some() {
                    let why = String::from_utf8_lossy(&reference.stderr);
                    let why = why
                        .lines()
                        .find(|l| l.contains("command failed"))
                        .unwrap_or_default();
                    println!("BOTHFAIL {}\n  ours: {e}\n  kubectl: {why}", dir.display());
                }
                continue;
            }
            (true, Err(e)) => {
                failures.push(format!("{}: {e}", dir.display()));
                continue;
            }
            (false, Ok(_)) => {
                let why = String::from_utf8_lossy(&reference.stderr);
                failures.push(format!(
                    "{}: kubectl fails ({}) but we build",
                    dir.display(),
                    why.trim()
                ));
                continue;
            }
        };
        let expected = documents(&String::from_utf8(reference.stdout).unwrap());
        if got.len() != expected.len() {
            failures.push(format!(
                "{}: {} documents, expected {}",
                dir.display(),
                got.len(),
                expected.len()
            ));
            continue;
        }
        for (i, (g, e)) in got.iter().zip(&expected).enumerate() {
            if g != e {
                failures.push(format!("{}: document {i}:\n got {g}\nwant {e}", dir.display()));
            }
        }
    }
    println!("{rendered_count} builds compared, {byte_exact} byte-identical to kubectl kustomize");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
