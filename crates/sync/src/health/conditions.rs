//! Any other kind, from standard conditions (kstatus-style): `Stalled=True` → Degraded;
//! `Ready`/`Available` True → Healthy, False → Progressing; spec not yet observed →
//! Progressing; no conditions → Healthy (it exists, which is all that can be said).

use kube::api::DynamicObject;

use super::{Health, HealthStatusCode, condition, condition_fields, generation_pending};

/// Health of a kind without its own rule.
pub fn assess(obj: &DynamicObject) -> Health {
    if let Some(("True", reason, message)) = condition(obj, "Stalled").map(condition_fields) {
        return Health::new(HealthStatusCode::Degraded, format!("{reason}: {message}"));
    }
    let has_observed = obj.data.pointer("/status/observedGeneration").is_some();
    if has_observed && generation_pending(obj) {
        return Health::new(
            HealthStatusCode::Progressing,
            "Waiting for the controller to observe the latest spec",
        );
    }
    for type_ in ["Ready", "Available"] {
        match condition(obj, type_).map(condition_fields) {
            Some(("True", _, message)) => return Health::new(HealthStatusCode::Healthy, message),
            Some((_, reason, message)) => {
                return Health::new(
                    HealthStatusCode::Progressing,
                    format!("{type_} is not True: {reason}: {message}"),
                );
            }
            None => {}
        }
    }
    Health::healthy()
}
