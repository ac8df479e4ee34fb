//! Health of live objects (pure), after Argo CD's built-in rules (gitops-engine `pkg/health` and
//! the bundled `resource_customizations` scripts for CronJob, PDB, CRD).
//!
//! One module per kind, each `assess(obj) -> Health`; kinds without a rule fall back to
//! [`conditions::assess`] (standard `Ready`/`Available`/`Stalled` conditions, else Healthy when it
//! exists). App health is the worst object's ([`aggregate`], Argo's order
//! Healthy < Suspended < Progressing < Missing < Degraded < Unknown).

pub mod apiservice;
pub mod conditions;
pub mod crd;
pub mod cronjob;
pub mod daemonset;
pub mod deployment;
pub mod hpa;
pub mod ingress;
pub mod job;
pub mod namespace;
pub mod pdb;
pub mod pod;
pub mod pvc;
pub mod replicaset;
pub mod service;
pub mod statefulset;

pub use driftless_api::application::{HealthStatus as Health, HealthStatusCode};
use kube::api::DynamicObject;
use serde_json::Value;

use crate::object_id::{ObjectId, split_api_version};

/// Health of one live object.
pub fn assess(obj: &DynamicObject) -> Health {
    if obj.metadata.deletion_timestamp.is_some() {
        return Health::new(HealthStatusCode::Progressing, "Pending deletion");
    }
    let Some(types) = obj.types.as_ref() else {
        return conditions::assess(obj);
    };
    let group = split_api_version(&types.api_version).0;
    match (group, types.kind.as_str()) {
        ("apps" | "extensions", "Deployment") => deployment::assess(obj),
        ("apps", "StatefulSet") => statefulset::assess(obj),
        ("apps" | "extensions", "DaemonSet") => daemonset::assess(obj),
        ("apps" | "extensions", "ReplicaSet") => replicaset::assess(obj),
        ("", "Pod") => pod::assess(obj),
        ("batch", "Job") => job::assess(obj),
        ("batch", "CronJob") => cronjob::assess(obj),
        ("", "PersistentVolumeClaim") => pvc::assess(obj),
        ("", "Service") => service::assess(obj),
        ("networking.k8s.io" | "extensions", "Ingress") => ingress::assess(obj),
        ("autoscaling", "HorizontalPodAutoscaler") => hpa::assess(obj),
        ("policy", "PodDisruptionBudget") => pdb::assess(obj),
        ("apiextensions.k8s.io", "CustomResourceDefinition") => crd::assess(obj),
        ("apiregistration.k8s.io", "APIService") => apiservice::assess(obj),
        ("", "Namespace") => namespace::assess(obj),
        _ => conditions::assess(obj),
    }
}

/// Health of an object that may not exist: Missing when absent.
pub fn assess_live(live: Option<&DynamicObject>) -> Health {
    live.map_or_else(
        || Health::new(HealthStatusCode::Missing, "Object does not exist"),
        assess,
    )
}

/// Healthy or Suspended: nothing left to wait for (what `PruneLast` waits for).
pub fn settled(health: &Health) -> bool {
    matches!(
        health.status,
        HealthStatusCode::Healthy | HealthStatusCode::Suspended
    )
}

/// App health: the worst object's status, with that object named in the message. No objects is Healthy.
pub fn aggregate<'a>(objects: impl IntoIterator<Item = (&'a ObjectId, &'a Health)>) -> Health {
    let mut worst: Option<(&ObjectId, &Health)> = None;
    for (id, health) in objects {
        if worst.is_none_or(|(_, w)| health.status > w.status) {
            worst = Some((id, health));
        }
    }
    match worst {
        None => Health::healthy(),
        Some((_, health)) if health.status == HealthStatusCode::Healthy => Health::healthy(),
        Some((id, health)) => Health {
            status: health.status,
            message: Some(match &health.message {
                Some(message) => format!("{id}: {message}"),
                None => format!("{id} is {:?}", health.status),
            }),
        },
    }
}

/// The integer at JSON `pointer` inside the object's body (`spec`, `status`…).
pub(crate) fn int_at(obj: &DynamicObject, pointer: &str) -> Option<i64> {
    obj.data.pointer(pointer).and_then(Value::as_i64)
}

/// The string at JSON `pointer` inside the object's body.
pub(crate) fn str_at<'a>(obj: &'a DynamicObject, pointer: &str) -> Option<&'a str> {
    obj.data.pointer(pointer).and_then(Value::as_str)
}

/// The condition of `type_` in `status.conditions`, if any.
pub(crate) fn condition<'a>(obj: &'a DynamicObject, type_: &str) -> Option<&'a Value> {
    obj.data
        .pointer("/status/conditions")
        .and_then(Value::as_array)?
        .iter()
        .find(|c| c.get("type").and_then(Value::as_str) == Some(type_))
}

/// `status` ("True"/"False"/"Unknown"), `reason` and `message` of a condition.
pub(crate) fn condition_fields(cond: &Value) -> (&str, &str, &str) {
    let field = |k: &str| cond.get(k).and_then(Value::as_str).unwrap_or("");
    (field("status"), field("reason"), field("message"))
}

/// True when the controller has not yet seen the latest spec (`observedGeneration < generation`).
pub(crate) fn generation_pending(obj: &DynamicObject) -> bool {
    let generation = obj.metadata.generation.unwrap_or(0);
    let observed = int_at(obj, "/status/observedGeneration").unwrap_or(0);
    generation > observed
}

/// Non-empty `status.loadBalancer.ingress`.
pub(crate) fn has_load_balancer_ingress(obj: &DynamicObject) -> bool {
    obj.data
        .pointer("/status/loadBalancer/ingress")
        .and_then(Value::as_array)
        .is_some_and(|a| !a.is_empty())
}

#[cfg(test)]
mod fixtures;

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn id(name: &str) -> ObjectId {
        ObjectId {
            group: "apps".into(),
            version: "v1".into(),
            kind: "Deployment".into(),
            namespace: "blog".into(),
            name: name.into(),
        }
    }

    #[test]
    fn aggregate_is_worst() {
        use HealthStatusCode::*;
        let cases: Vec<(Vec<HealthStatusCode>, HealthStatusCode)> = vec![
            (vec![], Healthy),
            (vec![Healthy, Healthy], Healthy),
            (vec![Healthy, Suspended], Suspended),
            (vec![Suspended, Progressing, Healthy], Progressing),
            (vec![Progressing, Missing], Missing),
            (vec![Missing, Degraded, Progressing], Degraded),
            (vec![Degraded, Unknown], Unknown),
        ];
        for (statuses, want) in cases {
            let ids: Vec<ObjectId> = (0..statuses.len()).map(|i| id(&format!("d{i}"))).collect();
            let healths: Vec<Health> = statuses.iter().map(|s| Health::new(*s, "why")).collect();
            let got = aggregate(ids.iter().zip(&healths));
            assert_eq!(got.status, want, "{statuses:?}");
            if want != Healthy {
                assert!(got.message.unwrap().starts_with("Deployment blog/d"));
            }
        }
    }

    #[test]
    fn missing_and_deleting() {
        assert_eq!(assess_live(None).status, HealthStatusCode::Missing);
        let deleting: DynamicObject = serde_json::from_value(serde_json::json!({
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "c", "deletionTimestamp": "2026-11-23T08:00:00Z", "finalizers": ["x"]}
        }))
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            assess(&deleting),
            Health::new(HealthStatusCode::Progressing, "Pending deletion")
        );
    }
}
