//! A namespace per test, deleted when the guard drops.

use std::process::Command;

use k8s_openapi::api::core::v1::Namespace;
use kube::Client;
use kube::api::{Api, DeleteParams, PostParams};

use crate::Error;

/// Label on every namespace a test creates, so leftovers are easy to find.
pub const TEST_LABEL: &str = "driftless.dev/test";

/// A uniquely named namespace that is deleted (without waiting) on drop.
pub struct TempNamespace {
    name: String,
    client: Client,
}

impl TempNamespace {
    /// Creates `<prefix>-<random suffix>`.
    pub async fn create(client: &Client, prefix: &str) -> Result<TempNamespace, Error> {
        let name = unique_name(prefix);
        let namespace: Namespace = serde_json::from_value(serde_json::json!({
            "metadata": { "name": name, "labels": { TEST_LABEL: "true" } }
        }))
        .map_err(|e| Error::Kube(e.to_string()))?;
        Api::<Namespace>::all(client.clone())
            .create(&PostParams::default(), &namespace)
            .await
            .map_err(|e| Error::Kube(format!("creating namespace {name}: {e}")))?;
        Ok(TempNamespace {
            name,
            client: client.clone(),
        })
    }

    /// The namespace's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Deletes the namespace now and waits for the API to accept the request.
    pub async fn delete(self) -> Result<(), Error> {
        let api = Api::<Namespace>::all(self.client.clone());
        let result = api.delete(&self.name, &DeleteParams::background()).await;
        std::mem::forget(self);
        result.map(|_| ()).map_err(|e| Error::Kube(e.to_string()))
    }
}

impl Drop for TempNamespace {
    fn drop(&mut self) {
        // Drop cannot await; kubectl is synchronous and always present where tests run.
        let _ = Command::new("kubectl")
            .args([
                "delete",
                "namespace",
                &self.name,
                "--wait=false",
                "--ignore-not-found",
            ])
            .env("KUBECONFIG", crate::cluster::kubeconfig_path())
            .output();
    }
}

/// `<prefix>-<8 hex chars>`, unique per call (clock, process id and a random seed).
pub fn unique_name(prefix: &str) -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    hasher.write_u32(std::process::id());
    format!("{prefix}-{:08x}", hasher.finish() as u32)
}
