//! Start-or-reuse the local control plane built by `e2e/cluster/`.
//!
//! Tests call [`client`]: when the admin kubeconfig answers `/readyz` it is
//! reused, otherwise `e2e/cluster/up.sh` starts the control plane (under a file
//! lock, so parallel test binaries start it once). A control plane started
//! here is left running; `make cluster-down` stops it.

use std::path::{Path, PathBuf};
use std::process::Command;

use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};

use crate::Error;

/// The repository root (where `e2e/cluster/up.sh` lives).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The state directory of the local control plane.
pub fn state_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("DRIFTLESS_STATE") {
        return PathBuf::from(dir);
    }
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/tmp"));
    home.join(".local/state/driftless/cluster")
}

/// The kubeconfig tests use: `$KUBECONFIG` when set, else the local control plane's.
pub fn kubeconfig_path() -> PathBuf {
    match std::env::var_os("KUBECONFIG") {
        Some(path) if !path.is_empty() => PathBuf::from(path),
        _ => state_dir().join("kubeconfig"),
    }
}

fn is_ready(kubeconfig: &Path) -> bool {
    kubeconfig.exists()
        && Command::new("kubectl")
            .args(["get", "--raw", "/readyz"])
            .env("KUBECONFIG", kubeconfig)
            .output()
            .is_ok_and(|out| out.status.success())
}

/// Makes sure an API server answers at [`kubeconfig_path`], starting the
/// local control plane when needed.
pub fn ensure_running() -> Result<PathBuf, Error> {
    let kubeconfig = kubeconfig_path();
    if is_ready(&kubeconfig) {
        return Ok(kubeconfig);
    }
    let state = state_dir();
    std::fs::create_dir_all(&state)
        .map_err(|e| Error::Cluster(format!("creating {}: {e}", state.display())))?;
    let up = repo_root().join("e2e/cluster/up.sh");
    let status = Command::new("flock")
        .arg(state.join(".up.lock"))
        .arg(&up)
        .status()
        .map_err(|e| Error::Cluster(format!("running {}: {e}", up.display())))?;
    if !status.success() || !is_ready(&kubeconfig) {
        return Err(Error::Cluster(format!(
            "{} failed ({status}); see the logs under {}",
            up.display(),
            state.join("logs").display()
        )));
    }
    Ok(kubeconfig)
}

/// Client settings for the local control plane (started if needed).
pub async fn config() -> Result<Config, Error> {
    let path = tokio::task::spawn_blocking(ensure_running)
        .await
        .map_err(|e| Error::Cluster(format!("start task failed: {e}")))??;
    let kubeconfig = Kubeconfig::read_from(&path).map_err(|e| Error::Kube(e.to_string()))?;
    Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default())
        .await
        .map_err(|e| Error::Kube(e.to_string()))
}

/// A client for the local control plane (started if needed).
pub async fn client() -> Result<Client, Error> {
    Client::try_from(config().await?).map_err(|e| Error::Kube(e.to_string()))
}
