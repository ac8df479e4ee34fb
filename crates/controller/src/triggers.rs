//! What makes an Application reconcile besides its own changes: drift on the
//! objects it manages. Every kube `unstable-runtime` call lives here, so a
//! kube upgrade touches one file.
//!
//! For each kind an app applies, one metadata-only watch (label
//! `driftless.dev/app-instance` present) maps every change to the owning app
//! through its tracking annotation and enqueues that app.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use driftless_api::Application;
use driftless_api::annotations::{APP_INSTANCE_LABEL, TRACKING_ID};
use driftless_api::tracking::TrackingId;
use driftless_sync::discovery::KindInfo;
use futures::{Stream, StreamExt};
use kube::Client;
use kube::api::{Api, DynamicObject, PartialObjectMeta};
use kube::runtime::controller::Controller;
use kube::runtime::reflector::ObjectRef;
use kube::runtime::{WatchStreamExt, watcher};
use prometheus::IntCounterVec;
use tokio::sync::mpsc;

/// Starts and remembers the drift watches; feeds [`DriftWatches::stream`].
pub struct DriftWatches {
    client: Client,
    errors: IntCounterVec,
    watched: Mutex<HashSet<String>>,
    sender: mpsc::UnboundedSender<ObjectRef<Application>>,
    receiver: Mutex<Option<mpsc::UnboundedReceiver<ObjectRef<Application>>>>,
}

impl DriftWatches {
    /// No watches yet; watch errors are counted in `errors` (by kind).
    pub fn new(client: Client, errors: IntCounterVec) -> Arc<DriftWatches> {
        let (sender, receiver) = mpsc::unbounded_channel();
        Arc::new(DriftWatches {
            client,
            errors,
            watched: Mutex::default(),
            sender,
            receiver: Mutex::new(Some(receiver)),
        })
    }

    /// Makes sure `kind` is watched (idempotent; one task per kind).
    pub fn ensure(&self, kind: &KindInfo) {
        let key = format!("{}/{}", kind.resource.api_version, kind.resource.kind);
        let Ok(mut watched) = self.watched.lock() else {
            return;
        };
        if !watched.insert(key) {
            return;
        }
        let api: Api<PartialObjectMeta<DynamicObject>> = Api::all_with(self.client.clone(), &kind.resource);
        let config = watcher::Config::default().labels(APP_INSTANCE_LABEL);
        let sender = self.sender.clone();
        let kind_name = kind.resource.kind.clone();
        let errors = self.errors.with_label_values(&[kind_name.as_str()]);
        tokio::spawn(async move {
            let events = watcher::watcher(api, config).default_backoff().touched_objects();
            futures::pin_mut!(events);
            while let Some(event) = events.next().await {
                match event {
                    Ok(meta) => {
                        if let Some(app) = owner_of(&meta)
                            && sender.send(app).is_err()
                        {
                            return;
                        }
                    }
                    Err(error) => {
                        errors.inc();
                        tracing::warn!(kind = %kind_name, %error, "drift watch error; retrying");
                    }
                }
            }
        });
    }

    /// The stream of apps to reconcile because something they manage changed (once).
    pub fn stream(&self) -> impl Stream<Item = ObjectRef<Application>> + Send + 'static {
        let receiver = self.receiver.lock().ok().and_then(|mut r| r.take());
        futures::stream::unfold(receiver, |receiver| async move {
            let mut receiver = receiver?;
            let next = receiver.recv().await?;
            Some((next, Some(receiver)))
        })
    }
}

/// The Application a managed object belongs to, from its tracking annotation.
fn owner_of(meta: &PartialObjectMeta<DynamicObject>) -> Option<ObjectRef<Application>> {
    let annotation = meta.metadata.annotations.as_ref()?.get(TRACKING_ID)?;
    let id: TrackingId = annotation.parse().ok()?;
    Some(ObjectRef::new(&id.app_name).within(&id.app_namespace))
}

/// Adds the drift stream to an Application controller.
pub fn with_drift(
    controller: Controller<Application>,
    drift: impl Stream<Item = ObjectRef<Application>> + Send + 'static,
) -> Controller<Application> {
    controller.reconcile_on(drift)
}
