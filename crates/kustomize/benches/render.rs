//! In-process render rate: every kustomization directory of a repository,
//! rendered with one shared parse cache per round (as the controller does for
//! one commit). Prints the median round time and directories per second.
//! Run through `make bench-render`; takes the repository path as argument.

use std::path::{Path, PathBuf};
use std::time::Instant;

use driftless_kustomize::fs::DiskFs;
use driftless_kustomize::{BuildOptions, ParsedFiles, build_with_cache};

// The allocator the `driftless` binary runs with, so the rate is the controller's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn kustomization_dirs(root: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(root) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            kustomization_dirs(&path, out);
        } else if path.file_name().is_some_and(|n| n == "kustomization.yaml") {
            let is_component = std::fs::read_to_string(&path).is_ok_and(|t| t.contains("kind: Component"));
            if !is_component {
                out.extend(path.parent().map(Path::to_path_buf));
            }
        }
    }
}

fn main() {
    let Some(repo) = std::env::args().skip(1).find(|a| !a.starts_with('-')) else {
        eprintln!("usage: cargo bench --bench render -- <repo>");
        return;
    };
    let mut dirs = Vec::new();
    kustomization_dirs(Path::new(&repo), &mut dirs);
    if dirs.is_empty() {
        eprintln!(
            "no kustomization directories under {repo} (a relative path is taken from crates/kustomize)"
        );
        std::process::exit(1);
    }
    let options = BuildOptions::default();
    let mut rounds = Vec::new();
    for _ in 0..15 {
        let cache = ParsedFiles::default();
        let start = Instant::now();
        for dir in &dirs {
            if let Err(error) = build_with_cache(&DiskFs, dir, &options, &cache) {
                eprintln!("{}: {error}", dir.display());
            }
        }
        rounds.push(start.elapsed());
    }
    rounds.sort();
    let median = rounds[rounds.len() / 2];
    println!(
        "in-process: {} directories in {:.1} ms per round (median of 15), {:.0} directories/s",
        dirs.len(),
        median.as_secs_f64() * 1000.0,
        dirs.len() as f64 / median.as_secs_f64()
    );
}
