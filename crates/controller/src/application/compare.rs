//! Step 5 of a reconcile: compare each desired object with the cluster.
//!
//! Every desired object is read live (one GET). Its verdict comes from a
//! server-side dry-run apply compared with the live object — unless the
//! same desired content was already judged against the same live
//! `resourceVersion`, in which case the cached verdict is reused, so a quiet
//! cluster costs no dry-runs.

use std::collections::HashMap;
use std::sync::Mutex;

use driftless_api::annotations::DESIRED_HASH;
use driftless_api::application::{ResourceIgnoreDifferences, SyncStatusCode};
use driftless_sync::ObjectId;
use driftless_sync::apply::{self, ApiCallError, ApplyOptions};
use driftless_sync::decorate::{AppRef, check_not_shared};
use driftless_sync::diff::{Comparison, compare, desired_hash};
use driftless_sync::discovery::Discovery;
use kube::api::DynamicObject;

/// Most verdicts kept; beyond it the cache starts over (verdicts are cheap to redo).
const CACHE_LIMIT: usize = 50_000;

/// How one desired object stands.
#[derive(Debug, Clone)]
pub struct Compared {
    /// Its identity.
    pub id: ObjectId,
    /// The decorated desired object (with its desired-hash annotation).
    pub desired: DynamicObject,
    /// The live object, if it exists.
    pub live: Option<DynamicObject>,
    /// Synced or OutOfSync, with a summary.
    pub comparison: Comparison,
    /// Git changed it since it was last applied (or it never was).
    pub desired_changed: bool,
    /// `namespace/name` of another Application that tracks it.
    pub owned_by_other: Option<String>,
    /// The dry-run was refused (the apply will most likely fail the same way).
    pub dry_run_error: Option<String>,
}

#[derive(Clone, PartialEq, Eq, Hash)]
struct CacheKey {
    uid: String,
    desired_hash: String,
    resource_version: String,
}

/// Verdicts by (object uid, desired hash, live resourceVersion).
#[derive(Default)]
pub struct ComparisonCache {
    verdicts: Mutex<HashMap<CacheKey, Comparison>>,
}

impl ComparisonCache {
    fn get(&self, key: &CacheKey) -> Option<Comparison> {
        self.verdicts.lock().ok()?.get(key).cloned()
    }

    fn put(&self, key: CacheKey, verdict: Comparison) {
        if let Ok(mut verdicts) = self.verdicts.lock() {
            if verdicts.len() >= CACHE_LIMIT {
                verdicts.clear();
            }
            verdicts.insert(key, verdict);
        }
    }
}

/// Counts of API work done by one comparison pass (for metrics and the quiet-cluster check).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CompareCost {
    /// GETs of live objects.
    pub gets: usize,
    /// Server-side dry-run applies.
    pub dry_runs: usize,
}

/// Stamps `obj` with the short hash of its desired state (computed without the stamp).
pub fn stamp_desired_hash(obj: &mut DynamicObject) -> String {
    if let Some(annotations) = obj.metadata.annotations.as_mut() {
        annotations.remove(DESIRED_HASH);
        if annotations.is_empty() {
            obj.metadata.annotations = None;
        }
    }
    let hash: String = desired_hash(obj).chars().take(16).collect();
    obj.metadata
        .annotations
        .get_or_insert_with(Default::default)
        .insert(DESIRED_HASH.into(), hash.clone());
    hash
}

fn live_hash(live: &DynamicObject) -> Option<&str> {
    live.metadata
        .annotations
        .as_ref()?
        .get(DESIRED_HASH)
        .map(String::as_str)
}

/// Compares every desired object (already decorated and hash-stamped) with the cluster.
pub async fn compare_all(
    discovery: &Discovery,
    cache: &ComparisonCache,
    app: &AppRef,
    desired: Vec<DynamicObject>,
    rules: &[ResourceIgnoreDifferences],
    options: &ApplyOptions,
) -> Result<(Vec<Compared>, CompareCost), ApiCallError> {
    let mut cost = CompareCost::default();
    let mut compared = Vec::with_capacity(desired.len());
    for object in desired {
        let Some(id) = ObjectId::of(&object) else {
            return Err(ApiCallError::Malformed(apply::describe(&object)));
        };
        let live = match apply::get_live(discovery, &object).await {
            Ok(live) => live,
            // The kind is not served yet (its CRD is in this render): it is missing.
            Err(ApiCallError::Discovery(_)) => None,
            Err(error) => return Err(error),
        };
        cost.gets += 1;
        let hash = object
            .metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get(DESIRED_HASH))
            .cloned()
            .unwrap_or_default();
        let desired_changed = live.as_ref().and_then(live_hash) != Some(hash.as_str());
        let owned_by_other = live
            .as_ref()
            .and_then(|l| check_not_shared(l, app).err())
            .map(|e| e.to_string());
        let mut dry_run_error = None;
        let comparison = match &live {
            None => compare(&object, None, rules),
            Some(live) => {
                let key = CacheKey {
                    uid: live.metadata.uid.clone().unwrap_or_default(),
                    desired_hash: hash,
                    resource_version: live.metadata.resource_version.clone().unwrap_or_default(),
                };
                match cache.get(&key) {
                    Some(verdict) => verdict,
                    None => {
                        cost.dry_runs += 1;
                        match apply::apply(discovery, &object, options, true).await {
                            Ok(dry_run) => {
                                let verdict = compare(&dry_run, Some(live), rules);
                                cache.put(key, verdict.clone());
                                verdict
                            }
                            Err(error) => {
                                dry_run_error = Some(error.to_string());
                                Comparison {
                                    status: SyncStatusCode::OutOfSync,
                                    changes: vec![],
                                    summary: Some(format!("dry-run failed: {error}")),
                                }
                            }
                        }
                    }
                }
            }
        };
        compared.push(Compared {
            id,
            desired: object,
            live,
            comparison,
            desired_changed,
            owned_by_other,
            dry_run_error,
        });
    }
    Ok((compared, cost))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn config_map(value: &str) -> DynamicObject {
        serde_json::from_value(serde_json::json!({
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "settings", "namespace": "web"},
            "data": {"mode": value}
        }))
        .unwrap()
    }

    #[test]
    fn the_desired_hash_ignores_its_own_stamp_and_follows_content() {
        let mut first = config_map("blue");
        let hash = stamp_desired_hash(&mut first);
        let mut again = first.clone();
        assert_eq!(stamp_desired_hash(&mut again), hash, "restamping is stable");
        let mut changed = config_map("green");
        assert_ne!(stamp_desired_hash(&mut changed), hash);
        assert_eq!(live_hash(&first), Some(hash.as_str()));
    }
}
