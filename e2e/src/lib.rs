//! End-to-end scenarios against the `driftless` binary, driven only through Kubernetes
//! objects, git commits and its HTTP endpoints. Cluster bring-up lives in `e2e/cluster/`.

use std::path::PathBuf;
use std::process::Command;

/// Builds the `driftless` binary (a no-op when it is current) and returns its path.
pub fn driftless_binary() -> Result<PathBuf, String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args(["build", "--quiet", "-p", "driftless", "--bin", "driftless"])
        .arg("--message-format=json")
        .current_dir(driftless_testkit::cluster::repo_root())
        .output()
        .map_err(|e| format!("running cargo: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "cargo build -p driftless failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|message| message["target"]["name"] == "driftless")
        .find_map(|message| message["executable"].as_str().map(PathBuf::from))
        .ok_or_else(|| "cargo reported no driftless executable".to_owned())
}
