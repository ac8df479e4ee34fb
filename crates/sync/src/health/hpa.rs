//! HorizontalPodAutoscaler: in condition order, `AbleToScale` with reason FailedGetScale or
//! FailedUpdateScale, or `ScalingActive` with FailedGetResourceMetric or InvalidSelector →
//! Degraded; `AbleToScale=True` or `ScalingLimited=True` → Healthy; else Progressing.

use kube::api::DynamicObject;
use serde_json::Value;

use super::{Health, HealthStatusCode, condition_fields};

const DEGRADED: [(&str, &str); 4] = [
    ("AbleToScale", "FailedGetScale"),
    ("AbleToScale", "FailedUpdateScale"),
    ("ScalingActive", "FailedGetResourceMetric"),
    ("ScalingActive", "InvalidSelector"),
];

/// Health of a HorizontalPodAutoscaler.
pub fn assess(obj: &DynamicObject) -> Health {
    let conditions = obj.data.pointer("/status/conditions").and_then(Value::as_array);
    for cond in conditions.into_iter().flatten() {
        let type_ = cond.get("type").and_then(Value::as_str).unwrap_or("");
        let (status, reason, message) = condition_fields(cond);
        if DEGRADED.contains(&(type_, reason)) {
            return Health::new(HealthStatusCode::Degraded, message);
        }
        if matches!(type_, "AbleToScale" | "ScalingLimited") && status == "True" {
            return Health::new(HealthStatusCode::Healthy, message);
        }
    }
    Health::new(HealthStatusCode::Progressing, "Waiting to Autoscale")
}
