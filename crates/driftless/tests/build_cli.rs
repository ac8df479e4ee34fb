//! `driftless build` as a user runs it: from a directory, and straight from a
//! git repository with `--repo`/`--revision`, giving the same bytes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

use driftless_testkit::git_server::{Change, GitServer};

const KUSTOMIZATION: &str = "resources:\n- cm.yaml\nnamePrefix: dev-\ncommonLabels:\n  team: web\n";
const CONFIG_MAP: &str =
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  mode: \"0755\"\n";

fn driftless(args: &[&str], cache: &std::path::Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_driftless"))
        .args(args)
        .env("DRIFTLESS_CACHE_DIR", cache)
        .output()
        .unwrap()
}

#[test]
fn building_from_git_equals_building_the_checkout() {
    let work = tempfile::tempdir().unwrap();
    let app = work.path().join("app");
    std::fs::create_dir_all(&app).unwrap();
    std::fs::write(app.join("kustomization.yaml"), KUSTOMIZATION).unwrap();
    std::fs::write(app.join("cm.yaml"), CONFIG_MAP).unwrap();
    let server = GitServer::start().unwrap();
    server.create_repo("config").unwrap();
    let tag_commit = server
        .commit(
            "config",
            "main",
            "first",
            &[
                Change::file("app/kustomization.yaml", KUSTOMIZATION),
                Change::file("app/cm.yaml", CONFIG_MAP),
            ],
        )
        .unwrap();
    server.tag("config", "v1", &tag_commit, true).unwrap();

    let from_disk = driftless(&["build", app.to_str().unwrap()], work.path());
    assert!(
        from_disk.status.success(),
        "{}",
        String::from_utf8_lossy(&from_disk.stderr)
    );
    let url = server.git_url("config");
    let from_git = driftless(&["build", "--repo", &url, "--revision", "v1", "app"], work.path());
    assert!(
        from_git.status.success(),
        "{}",
        String::from_utf8_lossy(&from_git.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&from_git.stdout),
        String::from_utf8_lossy(&from_disk.stdout)
    );
    assert!(String::from_utf8_lossy(&from_git.stdout).contains("name: dev-settings"));

    let missing = driftless(
        &["build", "--repo", &url, "--revision", "no-such-branch", "app"],
        work.path(),
    );
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no-such-branch"));
}

#[test]
fn a_broken_kustomization_fails_with_one_line_and_status_1() {
    let work = tempfile::tempdir().unwrap();
    std::fs::write(work.path().join("kustomization.yaml"), "resourcez:\n- cm.yaml\n").unwrap();
    let out = driftless(&["build", work.path().to_str().unwrap()], work.path());
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("resourcez"), "{stderr}");
}
