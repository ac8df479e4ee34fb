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
use driftless_kustomize::{BuildOptions, ParsedFiles, build, build_with_cache};

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
    for dir in &dirs {
        let reference = Command::new("kubectl")
            .arg("kustomize")
            .arg(dir)
            .output()
            .unwrap();
        assert!(reference.status.success(), "kubectl failed on {}", dir.display());
        let expected = String::from_utf8(reference.stdout).unwrap();
        match build(&DiskFs, dir, &BuildOptions::default()) {
            Ok(rendered) if rendered.to_yaml() == expected => {}
            Ok(_) => mismatches.push(format!("{}: output differs", dir.display())),
            Err(e) => mismatches.push(format!("{}: {e}", dir.display())),
        }
    }
    println!(
        "{} of {} directories byte-identical to kubectl kustomize",
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
    let start = Instant::now();
    let mut documents = 0;
    for dir in &dirs {
        documents += build(&DiskFs, dir, &BuildOptions::default())
            .map(|r| r.resources.len())
            .unwrap_or(0);
    }
    println!(
        "rendered {} directories ({documents} documents) in {:?}",
        dirs.len(),
        start.elapsed()
    );
}
