//! The per-object verdict: Synced or OutOfSync, with the changed fields.
//!
//! `desired` is what the server would store (the server-side dry-run result), so defaults and
//! mutating webhooks are already in it; both sides are normalized and stripped of ignored fields
//! before the compare.

use std::fmt::Write as _;

use driftless_api::application::{ResourceIgnoreDifferences, SyncStatusCode};
use kube::api::DynamicObject;
use serde_json::Value;

use super::ignore::{matching, strip_ignored};
use super::normalize::normalize;
use crate::object_id::ObjectId;

/// How many changed fields a summary names before "and N more".
const SUMMARY_FIELDS: usize = 5;

/// One changed field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    /// JSON pointer of the field.
    pub path: String,
    /// Live value (`None`: absent live).
    pub live: Option<Value>,
    /// Desired value (`None`: absent in desired).
    pub desired: Option<Value>,
}

/// The verdict for one object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comparison {
    /// Synced or OutOfSync.
    pub status: SyncStatusCode,
    /// Changed fields (empty when Synced or when the object is missing).
    pub changes: Vec<FieldChange>,
    /// One line for status/Events: `missing`, or the first changed fields. Secret values are
    /// never printed.
    pub summary: Option<String>,
}

/// Compares the dry-run result `desired` with `live` (absent: the object is missing).
pub fn compare(
    desired: &DynamicObject,
    live: Option<&DynamicObject>,
    rules: &[ResourceIgnoreDifferences],
) -> Comparison {
    let Some(live) = live else {
        return Comparison {
            status: SyncStatusCode::OutOfSync,
            changes: vec![],
            summary: Some("missing from the cluster".to_owned()),
        };
    };
    let rules = ObjectId::of(desired)
        .map(|id| matching(rules, &id))
        .unwrap_or_default();
    let mut desired_value = normalize(desired);
    let mut live_value = normalize(live);
    strip_ignored(&mut desired_value, &rules, Some(live));
    strip_ignored(&mut live_value, &rules, Some(live));
    let mut changes = vec![];
    diff_values("", &live_value, &desired_value, &mut changes);
    if changes.is_empty() {
        return Comparison {
            status: SyncStatusCode::Synced,
            changes,
            summary: None,
        };
    }
    let secret = desired
        .types
        .as_ref()
        .is_some_and(|t| t.kind == "Secret" && t.api_version == "v1");
    let summary = summarize(&changes, secret);
    Comparison {
        status: SyncStatusCode::OutOfSync,
        changes,
        summary: Some(summary),
    }
}

fn diff_values(path: &str, live: &Value, desired: &Value, out: &mut Vec<FieldChange>) {
    match (live, desired) {
        (Value::Object(l), Value::Object(d)) => {
            let mut keys: Vec<&String> = l.keys().chain(d.keys()).collect();
            keys.sort();
            keys.dedup();
            for key in keys {
                let child = format!("{path}/{}", key.replace('~', "~0").replace('/', "~1"));
                match (l.get(key), d.get(key)) {
                    (Some(lv), Some(dv)) => diff_values(&child, lv, dv, out),
                    (lv, dv) => out.push(FieldChange {
                        path: child,
                        live: lv.cloned(),
                        desired: dv.cloned(),
                    }),
                }
            }
        }
        (Value::Array(l), Value::Array(d)) if l.len() == d.len() => {
            for (i, (lv, dv)) in l.iter().zip(d).enumerate() {
                diff_values(&format!("{path}/{i}"), lv, dv, out);
            }
        }
        (l, d) if l == d => {}
        (l, d) => out.push(FieldChange {
            path: path.to_owned(),
            live: Some(l.clone()),
            desired: Some(d.clone()),
        }),
    }
}

fn summarize(changes: &[FieldChange], secret: bool) -> String {
    let show = |v: &Option<Value>| match v {
        None => "(absent)".to_owned(),
        Some(_) if secret => "(hidden)".to_owned(),
        Some(v) => {
            let text = v.to_string();
            if text.chars().count() > 60 {
                format!("{}…", text.chars().take(60).collect::<String>())
            } else {
                text
            }
        }
    };
    let mut summary = String::new();
    for (i, change) in changes.iter().take(SUMMARY_FIELDS).enumerate() {
        if i > 0 {
            summary.push_str("; ");
        }
        let _ = write!(
            summary,
            "{}: {} → {}",
            change.path,
            show(&change.live),
            show(&change.desired)
        );
    }
    if changes.len() > SUMMARY_FIELDS {
        let _ = write!(summary, "; and {} more", changes.len() - SUMMARY_FIELDS);
    }
    summary
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use serde_json::json;

    use super::*;

    fn deployment(replicas: i64, image: &str, resource_version: &str) -> DynamicObject {
        serde_json::from_value(json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "blog", "resourceVersion": resource_version, "generation": 2,
                "managedFields": [{"manager": "kube-controller-manager", "operation": "Update", "fieldsType": "FieldsV1",
                    "fieldsV1": {"f:spec": {"f:replicas": {}}}}]},
            "spec": {"replicas": replicas, "template": {"spec": {"containers": [{"name": "web", "image": image}]}}},
            "status": {"replicas": replicas}
        }))
        .unwrap()
    }

    #[test]
    fn verdicts() {
        let hpa_rule = ResourceIgnoreDifferences {
            group: "apps".into(),
            kind: "Deployment".into(),
            managed_fields_managers: vec!["kube-controller-manager".into()],
            ..Default::default()
        };
        let pointer_rule = ResourceIgnoreDifferences {
            group: "apps".into(),
            kind: "Deployment".into(),
            json_pointers: vec!["/spec/replicas".into()],
            ..Default::default()
        };
        type Case<'a> = (
            DynamicObject,
            Option<DynamicObject>,
            Vec<ResourceIgnoreDifferences>,
            SyncStatusCode,
            Option<&'a str>,
        );
        let cases: Vec<Case> = vec![
            (
                deployment(3, "web:1", "9"),
                Some(deployment(3, "web:1", "5")),
                vec![],
                SyncStatusCode::Synced,
                None,
            ),
            (
                deployment(3, "web:1", "9"),
                Some(deployment(1, "web:1", "5")),
                vec![],
                SyncStatusCode::OutOfSync,
                Some("/spec/replicas: 1 → 3"),
            ),
            (
                deployment(3, "web:1", "9"),
                Some(deployment(1, "web:1", "5")),
                vec![pointer_rule],
                SyncStatusCode::Synced,
                None,
            ),
            (
                deployment(3, "web:1", "9"),
                Some(deployment(7, "web:1", "5")),
                vec![hpa_rule.clone()],
                SyncStatusCode::Synced,
                None,
            ),
            (
                deployment(3, "web:2", "9"),
                Some(deployment(7, "web:1", "5")),
                vec![hpa_rule],
                SyncStatusCode::OutOfSync,
                Some("/spec/template/spec/containers/0/image: \"web:1\" → \"web:2\""),
            ),
            (
                deployment(3, "web:1", "9"),
                None,
                vec![],
                SyncStatusCode::OutOfSync,
                Some("missing from the cluster"),
            ),
        ];
        for (i, (desired, live, rules, status, summary)) in cases.into_iter().enumerate() {
            let result = compare(&desired, live.as_ref(), &rules);
            assert_eq!(result.status, status, "case {i}: {result:?}");
            assert_eq!(result.summary.as_deref(), summary, "case {i}");
        }
    }

    #[test]
    fn secrets_are_masked_and_summaries_bounded() {
        let secret = |value: &str| -> DynamicObject {
            serde_json::from_value(
                json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"},
                "data": {"password": value}}),
            )
            .unwrap()
        };
        let result = compare(&secret("bmV3"), Some(&secret("b2xk")), &[]);
        let summary = result.summary.unwrap();
        assert!(
            !summary.contains("bmV3") && !summary.contains("b2xk"),
            "{summary}"
        );
        assert!(summary.contains("/data/password"));

        let cm = |n: usize| -> DynamicObject {
            let data: serde_json::Map<String, Value> =
                (0..n).map(|i| (format!("k{i}"), json!("v"))).collect();
            serde_json::from_value(
                json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": data}),
            )
            .unwrap()
        };
        let result = compare(&cm(8), Some(&cm(0)), &[]);
        assert_eq!(result.changes.len(), 8);
        assert!(result.summary.unwrap().ends_with("and 3 more"));
    }
}
