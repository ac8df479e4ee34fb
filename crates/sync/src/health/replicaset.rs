//! ReplicaSet: once the latest spec is observed, `ReplicaFailure=True` → Degraded, too few
//! available replicas → Progressing; else Healthy.

use kube::api::DynamicObject;

use super::{Health, HealthStatusCode, condition, condition_fields, generation_pending, int_at};

/// Health of a ReplicaSet.
pub fn assess(obj: &DynamicObject) -> Health {
    if generation_pending(obj) {
        return Health::new(
            HealthStatusCode::Progressing,
            "Waiting for rollout to finish: observed replica set generation less than desired generation",
        );
    }
    if let Some(cond) = condition(obj, "ReplicaFailure") {
        let (status, _, message) = condition_fields(cond);
        if status == "True" {
            return Health::new(HealthStatusCode::Degraded, message);
        }
    }
    let desired = int_at(obj, "/spec/replicas").unwrap_or(1);
    let available = int_at(obj, "/status/availableReplicas").unwrap_or(0);
    if available < desired {
        return Health::new(
            HealthStatusCode::Progressing,
            format!(
                "Waiting for rollout to finish: {available} out of {desired} new replicas are available..."
            ),
        );
    }
    Health::healthy()
}
