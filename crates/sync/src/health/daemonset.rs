//! DaemonSet: spec not yet observed → Progressing; `OnDelete` → Healthy; pods not all updated or
//! available → Progressing.

use kube::api::DynamicObject;

use super::{Health, HealthStatusCode, generation_pending, int_at, str_at};

/// Health of a DaemonSet.
pub fn assess(obj: &DynamicObject) -> Health {
    if generation_pending(obj) {
        return Health::new(
            HealthStatusCode::Progressing,
            "Waiting for daemon set spec update to be observed...",
        );
    }
    let desired = int_at(obj, "/status/desiredNumberScheduled").unwrap_or(0);
    let updated = int_at(obj, "/status/updatedNumberScheduled").unwrap_or(0);
    let available = int_at(obj, "/status/numberAvailable").unwrap_or(0);
    if str_at(obj, "/spec/updateStrategy/type") == Some("OnDelete") {
        return Health::new(
            HealthStatusCode::Healthy,
            format!("daemon set {updated} out of {desired} new pods have been updated"),
        );
    }
    let name = obj.metadata.name.as_deref().unwrap_or("");
    if updated < desired {
        return Health::new(
            HealthStatusCode::Progressing,
            format!(
                "Waiting for daemon set {name:?} rollout to finish: {updated} out of {desired} new pods have been updated..."
            ),
        );
    }
    if available < desired {
        return Health::new(
            HealthStatusCode::Progressing,
            format!(
                "Waiting for daemon set {name:?} rollout to finish: {available} of {desired} updated pods are available..."
            ),
        );
    }
    Health::healthy()
}
