//! Which objects a sync may delete (pure). Deleting them is the caller's thin edge; the order
//! comes from [`crate::plan::prune_waves`].
//!
//! Rules (DESIGN.md "Prune"): candidates are inventory − desired, and only after a render that
//! succeeded and produced ≥1 object (unless `allowEmpty`). An object is kept when it carries
//! `driftless.dev/sync-options: Prune=false`, when its tracking id names another Application, or
//! when it carries no tracking id of ours. `PruneLast` (app or object) defers it to the last wave.

use std::collections::HashMap;

use driftless_api::annotations::SYNC_OPTIONS;
use driftless_api::sync_options::ObjectSyncOptions;
use kube::api::DynamicObject;

use crate::decorate::{AppRef, tracking_id_of};
use crate::inventory::Inventory;
use crate::object_id::{ObjectId, ObjectKey};

/// What the render produced.
#[derive(Debug, Clone, Copy)]
pub enum DesiredState<'a> {
    /// The render (or git, or decorate) failed: nothing may be pruned.
    RenderFailed,
    /// The render succeeded with these objects.
    Rendered(&'a Inventory),
}

/// App-level prune settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PruneOptions {
    /// The Application deciding.
    pub app: AppRef,
    /// `automated.prune`, or `operation.sync.prune` for a manual sync.
    pub enabled: bool,
    /// `automated.allowEmpty`: an empty render may prune everything.
    pub allow_empty: bool,
    /// App-level `PruneLast=true`.
    pub prune_last: bool,
    /// The current time, to tell how long an object has been deleting.
    pub now: jiff::Timestamp,
    /// How long an object may stay deleting before it is reported as stuck.
    pub deletion_timeout: std::time::Duration,
}

/// Why prune did not run at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PruneBlocked {
    /// The render failed.
    RenderFailed,
    /// The render produced no objects and `allowEmpty` is off.
    EmptyRender,
}

/// Why one stale object is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkipReason {
    /// Prune is off for this app; the object shows as OutOfSync (extraneous).
    PruneDisabled,
    /// The object says `Prune=false`.
    PruneFalse,
    /// Its tracking id names another Application (`namespace/name`).
    OwnedByOther(String),
    /// It has no (valid) tracking id of ours: someone else took it over.
    NotTracked,
    /// Its `driftless.dev/sync-options` annotation does not parse (kept to be safe).
    InvalidSyncOptions(String),
}

/// The prune verdict for one reconcile.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PruneDecision {
    /// Set when nothing may be pruned this time.
    pub blocked: Option<PruneBlocked>,
    /// Delete now (order them with `plan::prune_waves`).
    pub now: Vec<ObjectId>,
    /// Delete after everything else is applied and healthy (`PruneLast`).
    pub last: Vec<ObjectId>,
    /// Stale objects kept, with why.
    pub skipped: Vec<(ObjectId, SkipReason)>,
    /// Stale inventory entries whose objects no longer exist: drop them from the inventory.
    pub gone: Vec<ObjectId>,
    /// Stale objects already being deleted (finalizers pending): not deleted or waited on
    /// again, kept in the inventory and reported until they are gone.
    pub terminating: Vec<StuckDeletion>,
}

/// Decides what to prune. `live` holds the live objects of (at least) the stale ids; a stale id
/// with no live object is already gone.
pub fn prune_candidates(
    inventory: &Inventory,
    desired: DesiredState<'_>,
    live: &[DynamicObject],
    options: &PruneOptions,
) -> PruneDecision {
    let desired = match desired {
        DesiredState::RenderFailed => {
            return PruneDecision {
                blocked: Some(PruneBlocked::RenderFailed),
                ..PruneDecision::default()
            };
        }
        DesiredState::Rendered(d) if d.is_empty() && !options.allow_empty => {
            return PruneDecision {
                blocked: Some(PruneBlocked::EmptyRender),
                ..PruneDecision::default()
            };
        }
        DesiredState::Rendered(d) => d,
    };
    let live: HashMap<ObjectKey, &DynamicObject> = live
        .iter()
        .filter_map(|o| ObjectId::of(o).map(|id| (id.key(), o)))
        .collect();
    let mut decision = PruneDecision::default();
    for id in inventory.stale(desired) {
        let Some(object) = live.get(&id.key()) else {
            decision.gone.push(id);
            continue;
        };
        let deleting = object.metadata.deletion_timestamp.is_some();
        match verdict(object, options) {
            Err(reason @ (SkipReason::OwnedByOther(_) | SkipReason::NotTracked)) => {
                decision.skipped.push((id, reason));
            }
            // Ours and already asked to go: not deleted again, tracked until gone.
            _ if deleting => {
                decision
                    .terminating
                    .extend(deletion_state(object, options.now, options.deletion_timeout))
            }
            Ok(true) => decision.last.push(id),
            Ok(false) => decision.now.push(id),
            Err(reason) => decision.skipped.push((id, reason)),
        }
    }
    decision
}

/// `Ok(prune_last)` when the object may be pruned, else why not.
fn verdict(object: &DynamicObject, options: &PruneOptions) -> Result<bool, SkipReason> {
    match tracking_id_of(object) {
        Some(Ok(owner)) if owner.is_owned_by(&options.app.namespace, &options.app.name) => {}
        Some(Ok(owner)) => {
            return Err(SkipReason::OwnedByOther(format!(
                "{}/{}",
                owner.app_namespace, owner.app_name
            )));
        }
        Some(Err(_)) | None => return Err(SkipReason::NotTracked),
    }
    let annotation = object
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(SYNC_OPTIONS));
    let object_options = match annotation.map(|a| ObjectSyncOptions::parse(a)).transpose() {
        Ok(parsed) => parsed.unwrap_or_default(),
        Err(e) => return Err(SkipReason::InvalidSyncOptions(e.to_string())),
    };
    if !object_options.prune {
        return Err(SkipReason::PruneFalse);
    }
    if !options.enabled {
        return Err(SkipReason::PruneDisabled);
    }
    Ok(options.prune_last || object_options.prune_last)
}

/// An object whose deletion is held up by finalizers (its text stays the same while it
/// waits, so a status showing it is not rewritten on every reconcile).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StuckDeletion {
    /// The object.
    pub id: ObjectId,
    /// The finalizers still on it.
    pub finalizers: Vec<String>,
    /// How long it has been deleting.
    pub waited: std::time::Duration,
    /// True once `waited` passed the prune timeout: report it and stop waiting for it.
    pub gave_up: bool,
}

impl std::fmt::Display for StuckDeletion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} is being deleted, {}",
            self.id,
            waiting_on(&self.finalizers)
        )
    }
}

/// What an object whose deletion has started waits on: its finalizers, or (with none) its
/// graceful deletion period.
pub fn waiting_on(finalizers: &[String]) -> String {
    if finalizers.is_empty() {
        "waiting for its graceful deletion".to_owned()
    } else {
        format!("waiting on finalizers [{}]", finalizers.join(", "))
    }
}

/// For a live object that is being deleted (it has a `deletionTimestamp`), how long and on which
/// finalizers; `None` when it is not being deleted.
pub fn deletion_state(
    live: &DynamicObject,
    now: jiff::Timestamp,
    timeout: std::time::Duration,
) -> Option<StuckDeletion> {
    let since = live.metadata.deletion_timestamp.as_ref()?.0;
    let id = ObjectId::of(live)?;
    let waited = std::time::Duration::try_from(now.duration_since(since)).unwrap_or_default();
    Some(StuckDeletion {
        id,
        finalizers: live.metadata.finalizers.clone().unwrap_or_default(),
        waited,
        gave_up: waited > timeout,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use driftless_api::annotations::TRACKING_ID;
    use proptest::prelude::*;
    use serde_json::json;

    use super::*;

    fn app() -> AppRef {
        AppRef {
            namespace: "driftless".into(),
            name: "blog".into(),
        }
    }

    fn options(enabled: bool, allow_empty: bool) -> PruneOptions {
        PruneOptions {
            app: app(),
            enabled,
            allow_empty,
            prune_last: false,
            now: "2026-11-23T08:01:00Z".parse().unwrap(),
            deletion_timeout: std::time::Duration::from_secs(300),
        }
    }

    fn cm(name: &str) -> ObjectId {
        ObjectId {
            group: String::new(),
            version: "v1".into(),
            kind: "ConfigMap".into(),
            namespace: "blog".into(),
            name: name.into(),
        }
    }

    /// A live ConfigMap tracked by `owner` with extra annotations.
    fn live(name: &str, owner: Option<&str>, sync_options: Option<&str>) -> DynamicObject {
        let mut annotations = serde_json::Map::new();
        if let Some(owner) = owner {
            annotations.insert(
                TRACKING_ID.into(),
                json!(format!("{owner}:/ConfigMap:blog/{name}")),
            );
        }
        if let Some(o) = sync_options {
            annotations.insert(SYNC_OPTIONS.into(), json!(o));
        }
        serde_json::from_value(json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": name, "namespace": "blog", "annotations": annotations}}))
        .unwrap()
    }

    #[test]
    fn table() {
        let inventory = Inventory::from_ids(["keep", "a", "b", "c", "d", "e", "f", "g", "h", "i"].map(cm));
        let since =
            k8s_openapi::apimachinery::pkg::apis::meta::v1::Time("2026-11-23T08:00:00Z".parse().unwrap());
        let mut deleting = live("h", Some("driftless/blog"), None);
        deleting.metadata.deletion_timestamp = Some(since.clone());
        let mut foreign_deleting = live("i", Some("driftless/shop"), None);
        foreign_deleting.metadata.deletion_timestamp = Some(since);
        let desired = Inventory::from_ids([cm("keep")]);
        let live_objects = vec![
            live("a", Some("driftless/blog"), None),
            live("b", Some("driftless/blog"), Some("Prune=false")),
            live("c", Some("driftless/shop"), None),
            live("d", None, None),
            live("e", Some("driftless/blog"), Some("PruneLast=true")),
            live("f", Some("driftless/blog"), Some("Prune=perhaps")),
            // "g" is gone already; "h" is being deleted, and so is "i", which is not ours.
            deleting,
            foreign_deleting,
        ];
        let decision = prune_candidates(
            &inventory,
            DesiredState::Rendered(&desired),
            &live_objects,
            &options(true, false),
        );
        assert_eq!(decision.blocked, None);
        assert_eq!(decision.now, [cm("a")]);
        assert_eq!(decision.last, [cm("e")]);
        assert_eq!(decision.gone, [cm("g")]);
        let terminating: Vec<&ObjectId> = decision.terminating.iter().map(|t| &t.id).collect();
        assert_eq!(terminating, [&cm("h")], "asked once, not deleted again");
        assert!(!decision.terminating[0].gave_up, "60 s of a 300 s timeout");
        let skipped: Vec<(&str, &SkipReason)> = decision
            .skipped
            .iter()
            .map(|(id, r)| (id.name.as_str(), r))
            .collect();
        assert_eq!(skipped[0], ("b", &SkipReason::PruneFalse));
        assert_eq!(
            skipped[1],
            ("c", &SkipReason::OwnedByOther("driftless/shop".into()))
        );
        assert_eq!(skipped[2], ("d", &SkipReason::NotTracked));
        assert!(matches!(skipped[3], ("f", SkipReason::InvalidSyncOptions(_))));
        assert_eq!(
            skipped[4],
            ("i", &SkipReason::OwnedByOther("driftless/shop".into()))
        );

        let disabled = prune_candidates(
            &inventory,
            DesiredState::Rendered(&desired),
            &live_objects,
            &options(false, false),
        );
        assert!(disabled.now.is_empty() && disabled.last.is_empty());
        assert!(disabled.skipped.contains(&(cm("a"), SkipReason::PruneDisabled)));

        let app_last = PruneOptions {
            prune_last: true,
            ..options(true, false)
        };
        let deferred = prune_candidates(
            &inventory,
            DesiredState::Rendered(&desired),
            &live_objects,
            &app_last,
        );
        assert_eq!((deferred.now.len(), deferred.last.len()), (0, 2));
    }

    #[test]
    fn failed_or_empty_render_blocks() {
        let inventory = Inventory::from_ids([cm("a")]);
        let live_objects = vec![live("a", Some("driftless/blog"), None)];
        let empty = Inventory::default();
        let failed = prune_candidates(
            &inventory,
            DesiredState::RenderFailed,
            &live_objects,
            &options(true, true),
        );
        assert_eq!(failed.blocked, Some(PruneBlocked::RenderFailed));
        let blocked = prune_candidates(
            &inventory,
            DesiredState::Rendered(&empty),
            &live_objects,
            &options(true, false),
        );
        assert_eq!(blocked.blocked, Some(PruneBlocked::EmptyRender));
        let allowed = prune_candidates(
            &inventory,
            DesiredState::Rendered(&empty),
            &live_objects,
            &options(true, true),
        );
        assert_eq!(allowed.now, [cm("a")]);
    }

    #[test]
    fn stuck_deletions() {
        let deleting: DynamicObject =
            serde_json::from_value(json!({"apiVersion": "example.io/v1", "kind": "Widget",
            "metadata": {"name": "w", "namespace": "blog", "deletionTimestamp": "2026-11-23T08:00:00Z",
                "finalizers": ["example.io/cleanup"]}}))
            .unwrap();
        let timeout = std::time::Duration::from_secs(300);
        let early = deletion_state(&deleting, "2026-11-23T08:01:00Z".parse().unwrap(), timeout).unwrap();
        assert!(!early.gave_up);
        assert_eq!(
            early.to_string(),
            "Widget blog/w is being deleted, waiting on finalizers [example.io/cleanup]"
        );
        let late = deletion_state(&deleting, "2026-11-23T08:06:00Z".parse().unwrap(), timeout).unwrap();
        assert!(late.gave_up);
        assert_eq!(
            deletion_state(
                &live("a", Some("driftless/blog"), None),
                "2026-11-23T08:06:00Z".parse().unwrap(),
                timeout
            ),
            None
        );
    }

    proptest! {
        /// The safety net behind "a broken commit prunes nothing": whatever the inventory and live
        /// state, a failed render — or an empty one without allowEmpty — deletes nothing.
        #[test]
        fn never_prunes_after_failed_or_empty_render(
            names in proptest::collection::btree_set("[a-z]{1,8}", 0..30),
            failed in any::<bool>(),
            prune_last in any::<bool>(),
        ) {
            let inventory = Inventory::from_ids(names.iter().map(|n| cm(n)));
            let live_objects: Vec<_> = names.iter().map(|n| live(n, Some("driftless/blog"), None)).collect();
            let empty = Inventory::default();
            let desired = if failed { DesiredState::RenderFailed } else { DesiredState::Rendered(&empty) };
            let opts = PruneOptions { prune_last, ..options(true, false) };
            let decision = prune_candidates(&inventory, desired, &live_objects, &opts);
            prop_assert!(decision.now.is_empty() && decision.last.is_empty());
            prop_assert!(decision.blocked.is_some());
        }

        /// Nothing desired and nothing owned by another app is ever a candidate.
        #[test]
        fn never_prunes_desired_or_foreign(
            names in proptest::collection::btree_set("[a-z]{1,8}", 1..30),
            keep_mask in proptest::collection::vec(any::<bool>(), 30),
            foreign_mask in proptest::collection::vec(any::<bool>(), 30),
        ) {
            let names: Vec<_> = names.into_iter().collect();
            let inventory = Inventory::from_ids(names.iter().map(|n| cm(n)));
            let desired = Inventory::from_ids(names.iter().zip(&keep_mask).filter(|(_, k)| **k).map(|(n, _)| cm(n)));
            let live_objects: Vec<_> = names
                .iter()
                .zip(&foreign_mask)
                .map(|(n, foreign)| live(n, Some(if *foreign { "driftless/shop" } else { "driftless/blog" }), None))
                .collect();
            let decision = prune_candidates(&inventory, DesiredState::Rendered(&desired), &live_objects, &options(true, true));
            for id in decision.now.iter().chain(&decision.last) {
                prop_assert!(!desired.contains(id));
                let i = names.iter().position(|n| *n == id.name).unwrap();
                prop_assert!(!foreign_mask[i]);
            }
        }
    }
}
