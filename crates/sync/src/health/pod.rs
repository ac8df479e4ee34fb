//! Pod: with `restartPolicy: Always`, a container waiting with an `Err*`/`*Error`/`*BackOff`
//! reason (CrashLoopBackOff, ImagePullBackOff, ErrImagePull, CreateContainerConfigError) →
//! Degraded. Then by phase: Pending → Progressing, Succeeded → Healthy, Failed → Degraded,
//! Running → Healthy when Ready (Always) else Progressing, Unknown → Unknown.

use kube::api::DynamicObject;
use serde_json::Value;

use super::{Health, HealthStatusCode, condition, condition_fields, str_at};

/// Health of a Pod.
pub fn assess(obj: &DynamicObject) -> Health {
    let restart_policy = str_at(obj, "/spec/restartPolicy").unwrap_or("Always");
    let statuses: Vec<&Value> = ["/status/initContainerStatuses", "/status/containerStatuses"]
        .iter()
        .filter_map(|p| obj.data.pointer(p).and_then(Value::as_array))
        .flatten()
        .collect();
    if restart_policy == "Always" {
        let failing: Vec<String> = statuses
            .iter()
            .filter_map(|s| s.pointer("/state/waiting"))
            .filter(|w| {
                let reason = w.get("reason").and_then(Value::as_str).unwrap_or("");
                reason.starts_with("Err") || reason.ends_with("Error") || reason.ends_with("BackOff")
            })
            .map(|w| {
                let reason = w.get("reason").and_then(Value::as_str).unwrap_or("");
                w.get("message")
                    .and_then(Value::as_str)
                    .map_or_else(|| reason.to_owned(), |m| format!("{reason}: {m}"))
            })
            .collect();
        if !failing.is_empty() {
            return Health::new(HealthStatusCode::Degraded, failing.join(", "));
        }
    }
    let message = str_at(obj, "/status/message").unwrap_or("").to_owned();
    match str_at(obj, "/status/phase").unwrap_or("") {
        "Pending" => Health::new(HealthStatusCode::Progressing, message),
        "Succeeded" => Health::new(HealthStatusCode::Healthy, message),
        "Failed" => {
            let message = if message.is_empty() {
                terminated_message(&statuses)
            } else {
                message
            };
            Health::new(HealthStatusCode::Degraded, message)
        }
        "Running" => {
            let ready = condition(obj, "Ready").is_some_and(|c| condition_fields(c).0 == "True");
            if restart_policy == "Always" && ready {
                Health::new(HealthStatusCode::Healthy, message)
            } else {
                Health::new(HealthStatusCode::Progressing, message)
            }
        }
        _ => Health::new(HealthStatusCode::Unknown, message),
    }
}

/// The message of the first container that terminated with a non-zero exit code.
fn terminated_message(statuses: &[&Value]) -> String {
    statuses
        .iter()
        .filter_map(|s| s.pointer("/state/terminated"))
        .find(|t| t.get("exitCode").and_then(Value::as_i64).is_some_and(|c| c != 0))
        .map(|t| {
            let reason = t.get("reason").and_then(Value::as_str).unwrap_or("Error");
            let code = t.get("exitCode").and_then(Value::as_i64).unwrap_or(0);
            format!("container terminated: {reason} (exit code {code})")
        })
        .unwrap_or_default()
}
