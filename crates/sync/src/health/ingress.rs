//! Ingress: non-empty `status.loadBalancer.ingress` → Healthy; else Progressing.

use kube::api::DynamicObject;

use super::{Health, HealthStatusCode, has_load_balancer_ingress};

/// Health of an Ingress.
pub fn assess(obj: &DynamicObject) -> Health {
    if has_load_balancer_ingress(obj) {
        Health::healthy()
    } else {
        Health::new(
            HealthStatusCode::Progressing,
            "Waiting for the ingress controller to publish an address",
        )
    }
}
