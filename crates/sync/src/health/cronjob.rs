//! CronJob (Argo CD's bundled rule): suspended → Suspended; never scheduled → Healthy; last run
//! not successful with no job active → Degraded; else Healthy. No status yet → Progressing.

use kube::api::DynamicObject;
use serde_json::Value;

use super::{Health, HealthStatusCode, str_at};

/// Health of a CronJob.
pub fn assess(obj: &DynamicObject) -> Health {
    if obj.data.pointer("/spec/suspend").and_then(Value::as_bool) == Some(true) {
        return Health::new(HealthStatusCode::Suspended, "CronJob is Suspended");
    }
    if obj.data.get("status").is_none() {
        return Health::new(HealthStatusCode::Progressing, "Waiting for CronJob");
    }
    let Some(scheduled) = timestamp(str_at(obj, "/status/lastScheduleTime")) else {
        return Health::new(HealthStatusCode::Healthy, "CronJob has not been scheduled yet");
    };
    let Some(succeeded) = timestamp(str_at(obj, "/status/lastSuccessfulTime")) else {
        return Health::new(
            HealthStatusCode::Healthy,
            "The CronJob never completed successfully. It may not be healthy",
        );
    };
    let active = obj
        .data
        .pointer("/status/active")
        .and_then(Value::as_array)
        .is_some_and(|a| !a.is_empty());
    if active {
        return Health::new(
            HealthStatusCode::Healthy,
            "The job is running. Its last execution may not have been successful",
        );
    }
    if succeeded < scheduled {
        return Health::new(
            HealthStatusCode::Degraded,
            "CronJob has not completed its last execution successfully",
        );
    }
    Health::new(
        HealthStatusCode::Healthy,
        "CronJob has completed its last execution successfully",
    )
}

fn timestamp(value: Option<&str>) -> Option<jiff::Timestamp> {
    value?.parse().ok()
}
