//! PersistentVolumeClaim: Bound → Healthy, Pending → Progressing, Lost → Degraded.

use kube::api::DynamicObject;

use super::{Health, HealthStatusCode, str_at};

/// Health of a PersistentVolumeClaim.
pub fn assess(obj: &DynamicObject) -> Health {
    match str_at(obj, "/status/phase") {
        Some("Bound") => Health::healthy(),
        Some("Pending") => Health::new(HealthStatusCode::Progressing, "Waiting for the claim to be bound"),
        Some("Lost") => Health::new(HealthStatusCode::Degraded, "The claim lost its volume"),
        other => Health::new(
            HealthStatusCode::Unknown,
            format!("Unknown phase {:?}", other.unwrap_or("")),
        ),
    }
}
