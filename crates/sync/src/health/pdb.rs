//! PodDisruptionBudget (Argo CD's bundled rule): a False condition other than `InsufficientPods`
//! → Degraded; any other condition → Healthy; no conditions yet → Progressing.

use kube::api::DynamicObject;
use serde_json::Value;

use super::{Health, HealthStatusCode, condition_fields};

/// Health of a PodDisruptionBudget.
pub fn assess(obj: &DynamicObject) -> Health {
    let mut health = Health::new(HealthStatusCode::Progressing, "Waiting for status");
    let conditions = obj.data.pointer("/status/conditions").and_then(Value::as_array);
    for cond in conditions.into_iter().flatten() {
        let (status, reason, _) = condition_fields(cond);
        // Too few pods to allow a disruption is a normal state for small workloads.
        if status == "False" && reason != "InsufficientPods" {
            return Health::new(
                HealthStatusCode::Degraded,
                format!("PodDisruptionBudget has {reason}"),
            );
        }
        health = Health::new(
            HealthStatusCode::Healthy,
            format!("PodDisruptionBudget has {reason}"),
        );
    }
    health
}
