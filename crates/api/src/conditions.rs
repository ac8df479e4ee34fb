//! Condition types the Application controller owns, and the one helper that updates a condition
//! list without churning `lastTransitionTime` (so an unchanged status serializes identically and
//! a quiet cluster sees no status writes).

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, Time};

use crate::application::{HealthStatusCode, SyncStatusCode};

/// kstatus: True when Synced and Healthy (`kubectl wait --for=condition=Ready app/NAME`).
pub const READY: &str = "Ready";
/// kstatus: True while a sync or rollout is under way.
pub const RECONCILING: &str = "Reconciling";
/// kstatus: True when progress needs a change from a person (bad spec, broken commit).
pub const STALLED: &str = "Stalled";
/// Argo CD: git, render or compare failed.
pub const COMPARISON_ERROR: &str = "ComparisonError";
/// Argo CD: applying or pruning failed.
pub const SYNC_ERROR: &str = "SyncError";
/// Argo CD: the spec cannot be acted on.
pub const INVALID_SPEC_ERROR: &str = "InvalidSpecError";
/// Argo CD: an object is tracked by another Application.
pub const SHARED_RESOURCE_WARNING: &str = "SharedResourceWarning";

/// `"True"` or `"False"`.
pub fn status_str(value: bool) -> &'static str {
    if value { "True" } else { "False" }
}

/// Sets condition `type_` in `conditions`. `lastTransitionTime` moves to `now` only when the
/// status flips (or the condition is new). Returns true when anything changed.
pub fn set_condition(
    conditions: &mut Vec<Condition>,
    type_: &str,
    status: bool,
    reason: &str,
    message: &str,
    observed_generation: Option<i64>,
    now: &Time,
) -> bool {
    let status = status_str(status);
    match conditions.iter_mut().find(|c| c.type_ == type_) {
        Some(existing) => {
            let before = existing.clone();
            if existing.status != status {
                existing.last_transition_time = now.clone();
            }
            existing.status = status.to_owned();
            existing.reason = reason.to_owned();
            existing.message = message.to_owned();
            existing.observed_generation = observed_generation;
            *existing != before
        }
        None => {
            conditions.push(Condition {
                type_: type_.to_owned(),
                status: status.to_owned(),
                reason: reason.to_owned(),
                message: message.to_owned(),
                observed_generation,
                last_transition_time: now.clone(),
            });
            true
        }
    }
}

/// Removes condition `type_`; returns true when it was present.
pub fn remove_condition(conditions: &mut Vec<Condition>, type_: &str) -> bool {
    let before = conditions.len();
    conditions.retain(|c| c.type_ != type_);
    conditions.len() != before
}

/// `Ready`'s status, reason and message for a sync/health pair.
pub fn ready(sync: SyncStatusCode, health: HealthStatusCode) -> (bool, &'static str, String) {
    match (sync, health) {
        (SyncStatusCode::Synced, HealthStatusCode::Healthy) => {
            (true, "Succeeded", "Synced and Healthy".to_owned())
        }
        (SyncStatusCode::Synced, h) => (false, "NotHealthy", format!("Synced, health is {h:?}")),
        (s, h) => (
            false,
            "NotSynced",
            format!("Sync status is {s:?}, health is {h:?}"),
        ),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn time(s: &str) -> Time {
        Time(s.parse().unwrap())
    }

    #[test]
    fn transition_time_moves_only_on_flip() {
        let t1 = time("2026-11-23T08:00:00Z");
        let t2 = time("2026-11-23T09:00:00Z");
        let mut conditions = vec![];
        assert!(set_condition(
            &mut conditions,
            READY,
            false,
            "NotSynced",
            "m",
            Some(1),
            &t1
        ));
        assert!(
            !set_condition(&mut conditions, READY, false, "NotSynced", "m", Some(1), &t2),
            "no-op"
        );
        assert_eq!(conditions[0].last_transition_time, t1);
        assert!(set_condition(
            &mut conditions,
            READY,
            false,
            "NotHealthy",
            "m2",
            Some(1),
            &t2
        ));
        assert_eq!(
            conditions[0].last_transition_time, t1,
            "same status keeps the time"
        );
        assert!(set_condition(
            &mut conditions,
            READY,
            true,
            "Succeeded",
            "ok",
            Some(2),
            &t2
        ));
        assert_eq!(
            (conditions[0].status.as_str(), &conditions[0].last_transition_time),
            ("True", &t2)
        );
        assert!(remove_condition(&mut conditions, READY));
        assert!(!remove_condition(&mut conditions, READY));
    }

    #[test]
    fn ready_table() {
        use HealthStatusCode as H;
        use SyncStatusCode as S;
        let cases = [
            (S::Synced, H::Healthy, true),
            (S::Synced, H::Progressing, false),
            (S::OutOfSync, H::Healthy, false),
            (S::Unknown, H::Unknown, false),
        ];
        for (sync, health, want) in cases {
            assert_eq!(ready(sync, health).0, want, "{sync:?} {health:?}");
        }
    }
}
