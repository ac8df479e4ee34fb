//! ApplicationSets: generators → parameter sets → templated Applications
//! owned by the set.
//!
//! [`generators`], [`template`], [`plan`] and [`status`] are pure;
//! [`reconcile`] resolves git, applies and deletes, and writes the status.

pub mod generators;
pub mod params;
pub mod plan;
pub mod reconcile;
pub mod status;
pub mod template;

use std::collections::HashMap;
use std::sync::Mutex;

/// What the set reconciler remembers between passes: the fingerprint of a
/// mass deletion held back for confirmation, per set uid.
#[derive(Debug, Default)]
pub struct SetMemory {
    held: Mutex<HashMap<String, u64>>,
}

impl SetMemory {
    /// The deletion held back last time for set `uid`.
    pub fn held(&self, uid: &str) -> Option<u64> {
        self.held.lock().ok().and_then(|h| h.get(uid).copied())
    }

    /// Records (or clears) the deletion held back for set `uid`.
    pub fn remember(&self, uid: &str, fingerprint: Option<u64>) {
        if let Ok(mut held) = self.held.lock() {
            match fingerprint {
                Some(f) => held.insert(uid.to_owned(), f),
                None => held.remove(uid),
            };
        }
    }
}

/// Runs the ApplicationSet controller until `shutdown` resolves. A change to a
/// generated Application (deleted, edited, its status) reconciles its set.
pub async fn run(
    client: kube::Client,
    ctx: std::sync::Arc<crate::context::Context>,
    shutdown: impl std::future::Future<Output = ()> + Send + Sync + 'static,
) {
    use driftless_api::{Application, ApplicationSet};
    use futures::StreamExt;
    use kube::api::Api;
    use kube::runtime::controller::{Config, Controller};
    use kube::runtime::watcher;

    let (sets, apps): (Api<ApplicationSet>, Api<Application>) = match ctx.config.namespaces.as_slice() {
        [only] => (
            Api::namespaced(client.clone(), only),
            Api::namespaced(client, only),
        ),
        _ => (Api::all(client.clone()), Api::all(client)),
    };
    tracing::info!(namespaces = ?ctx.config.namespaces, "starting ApplicationSet controller");
    Controller::new(sets, watcher::Config::default())
        .owns(apps, watcher::Config::default())
        .with_config(Config::default().concurrency(2))
        .graceful_shutdown_on(shutdown)
        .run(reconcile::reconcile, reconcile::error_policy, ctx)
        .for_each(|result| async move {
            if let Err(error) = result {
                tracing::debug!(%error, "ApplicationSet reconcile not run");
            }
        })
        .await;
}
