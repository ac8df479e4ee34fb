//! StatefulSet: spec not yet observed or pods not ready → Progressing; a partitioned rolling
//! update is done when the pods above the partition are updated; `OnDelete` is Healthy once pods
//! are ready; otherwise the update revision must equal the current one.

use kube::api::DynamicObject;

use super::{Health, HealthStatusCode, generation_pending, int_at, str_at};

/// Health of a StatefulSet.
pub fn assess(obj: &DynamicObject) -> Health {
    let observed = int_at(obj, "/status/observedGeneration").unwrap_or(0);
    if observed == 0 || generation_pending(obj) {
        return Health::new(
            HealthStatusCode::Progressing,
            "Waiting for statefulset spec update to be observed...",
        );
    }
    let desired = int_at(obj, "/spec/replicas").unwrap_or(1);
    let ready = int_at(obj, "/status/readyReplicas").unwrap_or(0);
    if ready < desired {
        return Health::new(
            HealthStatusCode::Progressing,
            format!("Waiting for {} pods to be ready...", desired - ready),
        );
    }
    let strategy = str_at(obj, "/spec/updateStrategy/type").unwrap_or("RollingUpdate");
    let updated = int_at(obj, "/status/updatedReplicas").unwrap_or(0);
    if strategy == "RollingUpdate"
        && let Some(partition) = int_at(obj, "/spec/updateStrategy/rollingUpdate/partition")
    {
        let expected = desired - partition;
        if updated < expected {
            return Health::new(
                HealthStatusCode::Progressing,
                format!(
                    "Waiting for partitioned roll out to finish: {updated} out of {expected} new pods have been updated..."
                ),
            );
        }
        return Health::new(
            HealthStatusCode::Healthy,
            format!("partitioned roll out complete: {updated} new pods have been updated..."),
        );
    }
    if strategy == "OnDelete" {
        return Health::new(
            HealthStatusCode::Healthy,
            format!("statefulset has {ready} ready pods"),
        );
    }
    let current = str_at(obj, "/status/currentRevision").unwrap_or("");
    let update = str_at(obj, "/status/updateRevision").unwrap_or("");
    if current != update {
        return Health::new(
            HealthStatusCode::Progressing,
            format!(
                "waiting for statefulset rolling update to complete {updated} pods at revision {update}..."
            ),
        );
    }
    Health::new(
        HealthStatusCode::Healthy,
        format!("statefulset rolling update complete {ready} pods at revision {current}..."),
    )
}
