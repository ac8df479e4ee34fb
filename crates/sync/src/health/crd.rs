//! CustomResourceDefinition: `NamesAccepted=False` or `NonStructuralSchema=True` → Degraded;
//! `Established=True` → Healthy; else Progressing.

use kube::api::DynamicObject;

use super::{Health, HealthStatusCode, condition, condition_fields};

/// Health of a CustomResourceDefinition.
pub fn assess(obj: &DynamicObject) -> Health {
    if let Some(("False", _, message)) = condition(obj, "NamesAccepted").map(condition_fields) {
        return Health::new(HealthStatusCode::Degraded, message);
    }
    if let Some(("True", _, message)) = condition(obj, "NonStructuralSchema").map(condition_fields) {
        return Health::new(HealthStatusCode::Degraded, message);
    }
    match condition(obj, "Established").map(condition_fields) {
        Some(("True", _, _)) => Health::healthy(),
        Some((_, _, message)) => Health::new(HealthStatusCode::Progressing, message),
        None => Health::new(
            HealthStatusCode::Progressing,
            "Waiting for the CRD to be established",
        ),
    }
}
