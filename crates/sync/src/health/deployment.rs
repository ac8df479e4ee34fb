//! Deployment: paused → Suspended; once the latest spec is observed, `ProgressDeadlineExceeded`
//! → Degraded, a rollout still replacing or waiting for replicas → Progressing; else Healthy.

use kube::api::DynamicObject;

use super::{Health, HealthStatusCode, condition, condition_fields, generation_pending, int_at};

/// Health of a Deployment.
pub fn assess(obj: &DynamicObject) -> Health {
    if obj.data.pointer("/spec/paused").and_then(|v| v.as_bool()) == Some(true) {
        return Health::new(HealthStatusCode::Suspended, "Deployment is paused");
    }
    if generation_pending(obj) {
        return Health::new(
            HealthStatusCode::Progressing,
            "Waiting for rollout to finish: observed deployment generation less than desired generation",
        );
    }
    if let Some(cond) = condition(obj, "Progressing")
        && condition_fields(cond).1 == "ProgressDeadlineExceeded"
    {
        let name = obj.metadata.name.as_deref().unwrap_or("");
        return Health::new(
            HealthStatusCode::Degraded,
            format!("Deployment {name:?} exceeded its progress deadline"),
        );
    }
    let desired = int_at(obj, "/spec/replicas").unwrap_or(1);
    let replicas = int_at(obj, "/status/replicas").unwrap_or(0);
    let updated = int_at(obj, "/status/updatedReplicas").unwrap_or(0);
    let available = int_at(obj, "/status/availableReplicas").unwrap_or(0);
    if updated < desired {
        return Health::new(
            HealthStatusCode::Progressing,
            format!(
                "Waiting for rollout to finish: {updated} out of {desired} new replicas have been updated..."
            ),
        );
    }
    if replicas > updated {
        return Health::new(
            HealthStatusCode::Progressing,
            format!(
                "Waiting for rollout to finish: {} old replicas are pending termination...",
                replicas - updated
            ),
        );
    }
    if available < updated {
        return Health::new(
            HealthStatusCode::Progressing,
            format!(
                "Waiting for rollout to finish: {available} of {updated} updated replicas are available..."
            ),
        );
    }
    Health::healthy()
}
