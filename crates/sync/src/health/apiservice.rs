//! APIService: `Available=True` → Healthy; else Progressing with the condition's message.

use kube::api::DynamicObject;

use super::{Health, HealthStatusCode, condition, condition_fields};

/// Health of an APIService.
pub fn assess(obj: &DynamicObject) -> Health {
    match condition(obj, "Available").map(condition_fields) {
        Some(("True", _, message)) => Health::new(HealthStatusCode::Healthy, message),
        Some((_, reason, message)) => {
            Health::new(HealthStatusCode::Progressing, format!("{reason}: {message}"))
        }
        None => Health::new(
            HealthStatusCode::Progressing,
            "Waiting for the APIService to become available",
        ),
    }
}
