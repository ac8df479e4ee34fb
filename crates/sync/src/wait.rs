//! Waiting for the API server to act on what was applied.

use std::time::Duration;

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::Client;
use kube::api::{Api, GroupVersionKind, ListParams};
use kube::runtime::wait::{await_condition, conditions};

use crate::apply::get_live;
use crate::discovery::Discovery;
use crate::health::{Health, HealthStatusCode, assess_live, settled};
use crate::object_id::ObjectId;

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
    let mut poll = Poll::new(timeout, Duration::from_millis(50), Duration::from_secs(1));
    for gvk in kinds {
        while !served(discovery, gvk).await {
            if !poll.pause().await {
                return Err(NotServed {
                    api_version: gvk.api_version(),
                    kind: gvk.kind.clone(),
                    timeout,
                });
            }
        }
    }
    Ok(())
}

/// Waits up to `timeout` until every object in `ids` is [`settled`]; returns the first one that
/// is not, with its health, or `None` when all are. A Degraded object ends the wait at once (it
/// will not heal by waiting).
pub async fn healthy(
    discovery: &Discovery,
    ids: &[ObjectId],
    timeout: Duration,
) -> Option<(ObjectId, Health)> {
    let mut poll = Poll::new(timeout, Duration::from_millis(200), Duration::from_secs(2));
    loop {
        let mut unsettled = None;
        for id in ids {
            let live = get_live(discovery, &id.to_stub()).await.ok().flatten();
            let health = assess_live(live.as_ref());
            if !settled(&health) {
                unsettled = Some((id.clone(), health));
                break;
            }
        }
        let hopeless = unsettled
            .as_ref()
            .is_some_and(|(_, h)| h.status == HealthStatusCode::Degraded);
        if unsettled.is_none() || hopeless || !poll.pause().await {
            return unsettled;
        }
    }
}

/// Waits up to `timeout` until the objects `ids` are gone; returns those still present.
pub async fn gone(discovery: &Discovery, ids: &[ObjectId], timeout: Duration) -> Vec<ObjectId> {
    let mut poll = Poll::new(timeout, Duration::from_millis(100), Duration::from_secs(2));
    loop {
        let mut remaining = Vec::new();
        for id in ids {
            if let Ok(Some(_)) = get_live(discovery, &id.to_stub()).await {
                remaining.push(id.clone());
            }
        }
        if remaining.is_empty() || !poll.pause().await {
            return remaining;
        }
    }
}

/// Pauses between checks, doubling from `first` up to `max`, until a deadline.
struct Poll {
    deadline: tokio::time::Instant,
    pause: Duration,
    max: Duration,
}

impl Poll {
    fn new(timeout: Duration, first: Duration, max: Duration) -> Poll {
        Poll {
            deadline: tokio::time::Instant::now() + timeout,
            pause: first,
            max,
        }
    }

    /// Sleeps before the next check; `false` (without sleeping) once the deadline has passed.
    async fn pause(&mut self) -> bool {
        if tokio::time::Instant::now() >= self.deadline {
            return false;
        }
        tokio::time::sleep(self.pause).await;
        self.pause = (self.pause * 2).min(self.max);
        true
    }
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
