//! Step 7 of a reconcile: carry out a decision. Applies in stages
//! (foundation kinds first, waiting for CRDs to be Established), then prunes
//! in waves, and reports every object's outcome in a `ChangeSet`.

use std::collections::HashMap;
use std::time::Duration;

use driftless_api::application::ResourceIgnoreDifferences;
use driftless_api::sync_options::PropagationPolicy;
use driftless_sync::apply::{self, ApplyOptions};
use driftless_sync::diff::ignore::{matching, strip_ignored};
use driftless_sync::discovery::Discovery;
use driftless_sync::plan::{apply_stages, prune_waves};
use driftless_sync::prune::waiting_on;
use driftless_sync::{Action, ChangeSet, ObjectId};
use kube::api::DynamicObject;

use crate::metrics::Metrics;

/// How long a CRD may take to become Established before its stage fails.
const CRD_ESTABLISHED_TIMEOUT: Duration = Duration::from_secs(60);

/// One object to apply, with what the comparison knew.
pub struct ToApply {
    /// The decorated desired object.
    pub desired: DynamicObject,
    /// The live object before the sync.
    pub live: Option<DynamicObject>,
}

/// What applying produced: outcomes plus the objects as the server now holds them.
#[derive(Default)]
pub struct Applied {
    /// Per-object outcomes.
    pub changes: ChangeSet,
    /// Live objects returned by the apply, by id.
    pub live: HashMap<ObjectId, DynamicObject>,
}

/// Applies `objects` stage by stage. Ignored fields are left out of objects
/// that already exist, so another manager (an HPA, say) keeps owning them.
pub async fn apply_all_staged(
    discovery: &Discovery,
    objects: Vec<ToApply>,
    rules: &[ResourceIgnoreDifferences],
    options: &ApplyOptions,
    metrics: &Metrics,
) -> Applied {
    let mut existed: HashMap<ObjectId, DynamicObject> = HashMap::new();
    let mut desired = Vec::with_capacity(objects.len());
    for item in objects {
        let Some(id) = ObjectId::of(&item.desired) else {
            continue;
        };
        let mut object = item.desired;
        if let Some(live) = item.live {
            let matched = matching(rules, &id);
            if !matched.is_empty() {
                object = without_ignored(object, &matched, &live);
            }
            existed.insert(id, live);
        }
        desired.push(object);
    }
    let mut applied = Applied::default();
    for stage in apply_stages(desired) {
        for object in &stage.objects {
            let Some(id) = ObjectId::of(object) else { continue };
            let kind = id.kind.clone();
            match apply::apply(discovery, object, options, false).await {
                Ok(live) => {
                    let action = if existed.contains_key(&id) {
                        Action::Configured
                    } else {
                        Action::Created
                    };
                    metrics.apply_total.with_label_values(&[&kind, "ok"]).inc();
                    applied.changes.add(id.clone(), action, None);
                    applied.live.insert(id, live);
                }
                Err(error) => {
                    metrics
                        .apply_total
                        .with_label_values(&[&kind, error.reason()])
                        .inc();
                    applied.changes.add(id, Action::Failed, Some(error.to_string()));
                }
            }
        }
        for crd in &stage.wait_established {
            if let Err(error) =
                driftless_sync::wait::crd_established(discovery.client(), crd, CRD_ESTABLISHED_TIMEOUT).await
            {
                tracing::warn!(%error, "CRD not established");
            }
        }
        if let Err(error) =
            driftless_sync::wait::kinds_served(discovery, &stage.served_kinds, CRD_ESTABLISHED_TIMEOUT).await
        {
            tracing::warn!(%error, "a new CRD's kind is not served yet");
        }
    }
    applied
}

fn without_ignored(
    object: DynamicObject,
    rules: &[&ResourceIgnoreDifferences],
    live: &DynamicObject,
) -> DynamicObject {
    let Ok(mut value) = serde_json::to_value(&object) else {
        return object;
    };
    strip_ignored(&mut value, rules, Some(live));
    serde_json::from_value(value).unwrap_or(object)
}

/// Deletes `candidates` in dependency-safe waves. Objects of a wave that must
/// be gone before the next (custom resources with finalizers) are waited for
/// up to `timeout`; one still terminating then is reported, not waited on.
pub async fn prune(
    discovery: &Discovery,
    candidates: Vec<ObjectId>,
    propagation: PropagationPolicy,
    timeout: Duration,
    metrics: &Metrics,
) -> ChangeSet {
    let mut changes = ChangeSet::default();
    for wave in prune_waves(candidates) {
        for id in &wave.objects {
            match apply::delete(discovery, &id.to_stub(), propagation).await {
                Ok(deletion) => {
                    if deletion != apply::Deletion::AlreadyGone {
                        metrics.prune_total.with_label_values(&[&id.kind]).inc();
                    }
                    match deletion {
                        apply::Deletion::Pending { finalizers } => {
                            changes.add(id.clone(), Action::Deleting, Some(waiting_on(&finalizers)))
                        }
                        apply::Deletion::Deleted | apply::Deletion::AlreadyGone => {
                            changes.add(id.clone(), Action::Deleted, None);
                        }
                    }
                }
                Err(error) => changes.add(id.clone(), Action::Failed, Some(error.to_string())),
            }
        }
        if wave.wait_until_gone {
            // What is still there stays `Deleting`: tracked until gone, reported past the timeout.
            for id in driftless_sync::wait::gone(discovery, &wave.objects, timeout).await {
                tracing::info!(object = %id, "still being deleted after the prune timeout; moving on");
            }
        }
    }
    changes
}
