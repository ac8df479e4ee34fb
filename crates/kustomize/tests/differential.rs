//! Differential test: every kustomization directory of the medium bench repo
//! (`../shared/bench/config-repo-medium`) must render exactly like
//! `kubectl kustomize` (Kustomize v5.5). Skipped with a message when kubectl
//! or the repo is absent. Also prints the in-process time for the whole repo.
#![cfg(feature = "pipeline")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use driftless_kustomize::fs::DiskFs;
use driftless_kustomize::{BuildOptions, ParsedFiles, backend, build, build_with_cache};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/bench/config-repo-medium")
}

/// Directories with a kustomization that is not a Component, sorted.
fn overlays(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.file_name().is_some_and(|n| n == "kustomization.yaml") {
                let text = std::fs::read_to_string(&path).unwrap();
                if !text.lines().any(|l| l.trim() == "kind: Component") {
                    out.push(dir.clone());
                }
            }
        }
    }
    out.sort();
    out
}

fn documents(text: &str) -> Vec<serde_json::Value> {
    let docs = backend::parse_documents(text).unwrap_or_default();
    docs.iter()
        .map(backend::to_json)
        .filter(|v| !v.is_null())
        .collect()
}

fn first_difference(actual: &str, expected: &str) -> String {
    let (a, e) = (documents(actual), documents(expected));
    if a.len() != e.len() {
        return format!("{} documents, expected {}", a.len(), e.len());
    }
    let index = a.iter().zip(&e).position(|(x, y)| x != y).unwrap_or(0);
    format!(
        "document {index} differs: got {} / expected {}",
        a[index], e[index]
    )
}

#[test]
fn medium_repo_renders_like_kubectl() {
    let root = repo();
    if !root.is_dir() {
        eprintln!("skipping: {} is absent", root.display());
        return;
    }
    if Command::new("kubectl")
        .arg("version")
        .arg("--client")
        .output()
        .is_err()
    {
        eprintln!("skipping: kubectl is not installed");
        return;
    }
    let dirs = overlays(&root);
    let mut mismatches = Vec::new();
    let mut byte_exact = 0;
    for dir in &dirs {
        let reference = Command::new("kubectl")
            .arg("kustomize")
            .arg(dir)
            .output()
            .unwrap();
        assert!(reference.status.success(), "kubectl failed on {}", dir.display());
        let expected = String::from_utf8(reference.stdout).unwrap();
        match build(&DiskFs, dir, &BuildOptions::default()) {
            Ok(rendered) => {
                let actual = rendered.to_yaml();
                if actual == expected {
                    byte_exact += 1;
                } else if documents(&actual) != documents(&expected) {
                    mismatches.push(format!(
                        "{}: {}",
                        dir.display(),
                        first_difference(&actual, &expected)
                    ));
                }
            }
            Err(e) => mismatches.push(format!("{}: {e}", dir.display())),
        }
    }
    println!(
        "{} of {} directories render like kubectl kustomize ({byte_exact} byte-identical)",
        dirs.len() - mismatches.len(),
        dirs.len()
    );
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

#[test]
fn medium_repo_in_process_time() {
    let root = repo();
    if !root.is_dir() {
        eprintln!("skipping: {} is absent", root.display());
        return;
    }
    let dirs = overlays(&root);
    // Warm the OS page cache and the static tables, then time three rounds.
    for dir in &dirs {
        let _ = build(&DiskFs, dir, &BuildOptions::default());
    }
    let mut rounds = Vec::new();
    let mut documents = 0;
    for _ in 0..3 {
        let start = Instant::now();
        let parsed = ParsedFiles::new();
        documents = 0;
        for dir in &dirs {
            let rendered = build_with_cache(&DiskFs, dir, &BuildOptions::default(), &parsed);
            documents += rendered.map(|r| r.resources.len()).unwrap_or(0);
        }
        rounds.push(start.elapsed());
    }
    rounds.sort();
    println!(
        "rendered {} directories ({documents} documents): median {:?} per round",
        dirs.len(),
        rounds[1]
    );
    // With every file already parsed (a warm snapshot cache), what is left is the pipeline itself.
    let parsed = ParsedFiles::new();
    for dir in &dirs {
        let _ = build_with_cache(&DiskFs, dir, &BuildOptions::default(), &parsed);
    }
    let repeat: u32 = std::env::var("WARM_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    let start = Instant::now();
    for _ in 0..repeat {
        for dir in &dirs {
            let _ = build_with_cache(&DiskFs, dir, &BuildOptions::default(), &parsed);
        }
    }
    println!(
        "with a warm snapshot cache: {:?} per round",
        start.elapsed() / repeat
    );
}
