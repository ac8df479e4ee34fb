//! Differential test: every kustomization directory of the medium bench repo
//! (`../shared/bench/config-repo-medium`) must render exactly like
//! `kubectl kustomize` (Kustomize v5.5). Skipped with a message when kubectl
//! or the repo is absent. Also prints the in-process time for the whole repo.
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

/// A small deterministic generator (xorshift) for random kustomizations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

/// Writes a random base + overlay tree under `root`; returns the overlay directory.
fn random_tree(rng: &mut Rng, root: &Path) -> PathBuf {
    let write = |path: &str, text: &str| {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    let apps = ["web", "api", "worker", "cache"];
    let images = ["nginx:1.25", "redis", "ghcr.io/org/app:v1", "busybox@sha256:abc"];
    let mut base_resources = Vec::new();
    let mut base = String::from("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n");
    for (i, app) in apps.iter().enumerate().take(1 + rng.below(4) as usize) {
        let image = rng.pick(&images);
        let replicas = 1 + rng.below(3);
        write(
            &format!("base/{app}.yaml"),
            &format!(
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {app}\nspec:\n  replicas: {replicas}\n  \
                 selector:\n    matchLabels:\n      app: {app}\n  template:\n    metadata:\n      labels:\n        \
                 app: {app}\n    spec:\n      serviceAccountName: sa-{app}\n      containers:\n      - name: main\n        \
                 image: {image}\n        envFrom:\n        - configMapRef:\n            name: config\n---\n\
                 apiVersion: v1\nkind: Service\nmetadata:\n  name: {app}\nspec:\n  selector:\n    app: {app}\n  ports:\n  \
                 - port: {}\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sa-{app}\n",
                8000 + i
            ),
        );
        base_resources.push(format!("{app}.yaml"));
    }
    base.push_str("resources:\n");
    for r in &base_resources {
        base.push_str(&format!("- {r}\n"));
    }
    base.push_str("configMapGenerator:\n- name: config\n  literals:\n  - LEVEL=info\n");
    if rng.chance(50) {
        base.push_str("commonLabels:\n  team: core\n");
    }
    write("base/kustomization.yaml", &base);

    let mut overlay = String::from(
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- ../base\n",
    );
    if rng.chance(70) {
        overlay.push_str(&format!("namePrefix: {}-\n", rng.pick(&["dev", "prod", "a"])));
    }
    if rng.chance(40) {
        overlay.push_str("nameSuffix: -v2\n");
    }
    if rng.chance(60) {
        overlay.push_str(&format!("namespace: {}\n", rng.pick(&["team-a", "prod"])));
    }
    if rng.chance(50) {
        overlay.push_str(
            "labels:\n- pairs:\n    env: test\n  includeSelectors: false\n  includeTemplates: true\n",
        );
    }
    if rng.chance(40) {
        overlay.push_str("commonAnnotations:\n  owner: platform\n");
    }
    if rng.chance(50) {
        overlay.push_str(&format!(
            "images:\n- name: {}\n  newTag: \"2.0\"\n",
            rng.pick(&["nginx", "redis", "ghcr.io/org/app"])
        ));
    }
    if rng.chance(40) {
        overlay.push_str("replicas:\n- name: web\n  count: 5\n");
    }
    if rng.chance(60) {
        overlay.push_str(
            "configMapGenerator:\n- name: config\n  behavior: merge\n  literals:\n  - LEVEL=debug\n",
        );
    }
    if rng.chance(50) {
        let target = rng.pick(&apps[..base_resources.len()]);
        overlay.push_str(&format!(
            "patches:\n- target:\n    kind: Deployment\n    name: {target}\n  patch: |-\n    apiVersion: apps/v1\n    \
             kind: Deployment\n    metadata:\n      name: {target}\n    spec:\n      template:\n        spec:\n          \
             containers:\n          - name: main\n            env:\n            - name: EXTRA\n              value: \"1\"\n"
        ));
    }
    write("overlay/kustomization.yaml", &overlay);
    root.join("overlay")
}

#[test]
fn random_kustomizations_render_like_kubectl() {
    if Command::new("kubectl")
        .arg("version")
        .arg("--client")
        .output()
        .is_err()
    {
        eprintln!("skipping: kubectl is not installed");
        return;
    }
    let cases: u64 = std::env::var("DIFFERENTIAL_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(25);
    let mut failures = Vec::new();
    let mut byte_exact = 0;
    for seed in 1..=cases {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ seed.wrapping_mul(0x2545_F491_4F6C_DD1D));
        let dir = tempfile::tempdir().unwrap();
        let overlay = random_tree(&mut rng, dir.path());
        let reference = Command::new("kubectl")
            .arg("kustomize")
            .arg(&overlay)
            .output()
            .unwrap();
        let ours = build(&DiskFs, &overlay, &BuildOptions::default());
        match (reference.status.success(), ours) {
            (true, Ok(rendered)) => {
                let expected = String::from_utf8(reference.stdout).unwrap();
                let actual = rendered.to_yaml();
                if actual == expected {
                    byte_exact += 1;
                } else if documents(&actual) != documents(&expected) {
                    failures.push(format!("seed {seed}: {}", first_difference(&actual, &expected)));
                }
            }
            (false, Err(_)) => {}
            (true, Err(e)) => failures.push(format!("seed {seed}: we failed: {e}")),
            (false, Ok(_)) => failures.push(format!(
                "seed {seed}: kubectl failed ({}) but we rendered",
                String::from_utf8_lossy(&reference.stderr).trim()
            )),
        }
    }
    println!(
        "{} of {cases} random kustomizations agree with kubectl ({byte_exact} byte-identical)",
        cases as usize - failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn concurrent_builds_share_one_snapshot_cache() {
    let root = repo();
    if !root.is_dir() {
        eprintln!("skipping: {} is absent", root.display());
        return;
    }
    let dirs = overlays(&root);
    let sequential: Vec<String> = dirs
        .iter()
        .map(|d| {
            build(&DiskFs, d, &BuildOptions::default())
                .map(|r| r.to_yaml())
                .unwrap_or_else(|e| e.to_string())
        })
        .collect();
    let parsed = ParsedFiles::new();
    let halves = dirs.split_at(dirs.len() / 2);
    let render = |part: &[PathBuf]| -> Vec<String> {
        part.iter()
            .map(|d| {
                build_with_cache(&DiskFs, d, &BuildOptions::default(), &parsed)
                    .map(|r| r.to_yaml())
                    .unwrap_or_else(|e| e.to_string())
            })
            .collect()
    };
    let (a, b) = std::thread::scope(|s| {
        let first = s.spawn(|| render(halves.0));
        let second = s.spawn(|| render(halves.1));
        (first.join().unwrap(), second.join().unwrap())
    });
    let concurrent: Vec<String> = a.into_iter().chain(b).collect();
    assert_eq!(concurrent, sequential);
}
