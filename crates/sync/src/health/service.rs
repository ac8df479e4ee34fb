//! Service: a LoadBalancer without `status.loadBalancer.ingress` → Progressing; else Healthy.

use kube::api::DynamicObject;

use super::{Health, HealthStatusCode, has_load_balancer_ingress, str_at};

/// Health of a Service.
pub fn assess(obj: &DynamicObject) -> Health {
    if str_at(obj, "/spec/type") == Some("LoadBalancer") && !has_load_balancer_ingress(obj) {
        return Health::new(
            HealthStatusCode::Progressing,
            "Waiting for the load balancer to get an address",
        );
    }
    Health::healthy()
}
