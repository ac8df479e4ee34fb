//! Waiting for the API server to act on what was applied.

use std::time::Duration;

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::Client;
use kube::api::Api;
use kube::runtime::wait::{await_condition, conditions};

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
