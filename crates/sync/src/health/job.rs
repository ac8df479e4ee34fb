//! Job: `Failed=True` → Degraded; `Complete=True` → Healthy; `Suspended=True` → Suspended;
//! otherwise Progressing.

use kube::api::DynamicObject;
use serde_json::Value;

use super::{Health, HealthStatusCode};

/// Health of a Job.
pub fn assess(obj: &DynamicObject) -> Health {
    let conditions = obj.data.pointer("/status/conditions").and_then(Value::as_array);
    let mut verdict: Option<Health> = None;
    for cond in conditions.into_iter().flatten() {
        let field = |k: &str| cond.get(k).and_then(Value::as_str).unwrap_or("");
        if field("status") != "True" {
            continue;
        }
        let candidate = match field("type") {
            "Failed" | "FailureTarget" => Health::new(HealthStatusCode::Degraded, field("message")),
            "Complete" | "SuccessCriteriaMet" => Health::new(HealthStatusCode::Healthy, field("message")),
            "Suspended" => Health::new(HealthStatusCode::Suspended, field("message")),
            _ => continue,
        };
        // Failure outranks completion when both appear.
        if verdict.as_ref().is_none_or(|v| candidate.status > v.status) {
            verdict = Some(candidate);
        }
    }
    verdict.unwrap_or_else(|| Health::new(HealthStatusCode::Progressing, "Job is running"))
}
