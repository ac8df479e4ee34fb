//! Namespace: Active → Healthy; Terminating → Progressing.

use kube::api::DynamicObject;

use super::{Health, HealthStatusCode, str_at};

/// Health of a Namespace.
pub fn assess(obj: &DynamicObject) -> Health {
    match str_at(obj, "/status/phase") {
        Some("Terminating") => Health::new(HealthStatusCode::Progressing, "Namespace is terminating"),
        _ => Health::healthy(),
    }
}
