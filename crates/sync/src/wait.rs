//! Waiting for the API server to act on what was applied.

use std::time::Duration;

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::Client;
use kube::api::{Api, GroupVersionKind, ListParams};
use kube::runtime::wait::{await_condition, conditions};

use crate::discovery::Discovery;

/// A CRD did not become Established in time.
#[derive(Debug, thiserror::Error)]
#[error("CustomResourceDefinition {name} did not become Established within {timeout:?}")]
pub struct NotEstablished {
    /// The CRD's name.
    pub name: String,
    /// How long was waited.
    pub timeout: Duration,
}

/// Waits until the CRD `name` is Established (its kinds are served).
pub async fn crd_established(client: &Client, name: &str, timeout: Duration) -> Result<(), NotEstablished> {
    let api: Api<CustomResourceDefinition> = Api::all(client.clone());
    let established = await_condition(api, name, conditions::is_crd_established());
    match tokio::time::timeout(timeout, established).await {
        Ok(Ok(_)) => Ok(()),
        _ => Err(NotEstablished {
            name: name.to_owned(),
            timeout,
        }),
    }
}

/// A kind a new CRD serves that the API server did not serve in time.
#[derive(Debug, thiserror::Error)]
#[error("{api_version} {kind} was not served within {timeout:?}")]
pub struct NotServed {
    /// `group/version` of the kind.
    pub api_version: String,
    /// The kind.
    pub kind: String,
    /// How long was waited.
    pub timeout: Duration,
}

/// Waits until the API server serves every kind in `kinds`: discovery knows it and a list
/// request reaches it, retrying with backoff up to `timeout`. A new CRD's group reaches the
/// discovery documents and the request handler a moment after the CRD is Established.
pub async fn kinds_served(
    discovery: &Discovery,
    kinds: &[GroupVersionKind],
    timeout: Duration,
) -> Result<(), NotServed> {
    let deadline = tokio::time::Instant::now() + timeout;
    let mut pause = Duration::from_millis(50);
    for gvk in kinds {
        while !served(discovery, gvk).await {
            if tokio::time::Instant::now() >= deadline {
                return Err(NotServed {
                    api_version: gvk.api_version(),
                    kind: gvk.kind.clone(),
                    timeout,
                });
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_secs(1));
        }
    }
    Ok(())
}

/// True when discovery resolves `gvk` and listing it does not answer 404.
async fn served(discovery: &Discovery, gvk: &GroupVersionKind) -> bool {
    let Ok(info) = discovery.resolve(gvk).await else {
        return false;
    };
    let api = discovery.api(&info, None);
    match api.list_metadata(&ListParams::default().limit(1)).await {
        Err(kube::Error::Api(status)) => status.code != 404,
        _ => true,
    }
}
