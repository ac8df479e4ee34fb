//! Removes what the API server owns or rewrites on every write, so two objects that mean the same
//! compare equal.

use kube::api::DynamicObject;
use serde_json::Value;

/// `metadata` fields the server sets; they differ between a dry-run result and the live object.
const SERVER_METADATA: [&str; 8] = [
    "managedFields",
    "resourceVersion",
    "generation",
    "uid",
    "creationTimestamp",
    "selfLink",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
];

/// Annotations written by tools and controllers, never by git.
const SERVER_ANNOTATIONS: [&str; 1] = ["kubectl.kubernetes.io/last-applied-configuration"];

/// The object as JSON without server-owned fields and without `status`.
pub fn normalize(obj: &DynamicObject) -> Value {
    let mut value = serde_json::to_value(obj).unwrap_or(Value::Null);
    normalize_value(&mut value);
    value
}

/// [`normalize`] on an object already in JSON form.
pub fn normalize_value(value: &mut Value) {
    let Some(root) = value.as_object_mut() else { return };
    root.remove("status");
    let Some(metadata) = root.get_mut("metadata").and_then(Value::as_object_mut) else {
        return;
    };
    for key in SERVER_METADATA {
        metadata.remove(key);
    }
    if let Some(annotations) = metadata.get_mut("annotations").and_then(Value::as_object_mut) {
        for key in SERVER_ANNOTATIONS {
            annotations.remove(key);
        }
    }
    // An empty map and an absent one mean the same to the server.
    for key in ["annotations", "labels"] {
        if metadata
            .get(key)
            .is_some_and(|v| v.as_object().is_some_and(|m| m.is_empty()) || v.is_null())
        {
            metadata.remove(key);
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use serde_json::json;

    use super::*;

    #[test]
    fn strips_server_fields() {
        let live: DynamicObject = serde_json::from_value(json!({
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {
                "name": "cfg", "namespace": "blog", "uid": "1", "resourceVersion": "42", "generation": 3,
                "creationTimestamp": "2026-11-23T08:00:00Z",
                "managedFields": [{"manager": "driftless", "operation": "Apply"}],
                "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{}"},
                "labels": {}
            },
            "data": {"a": "1"},
            "status": {"x": 1}
        }))
        .unwrap();
        assert_eq!(
            normalize(&live),
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg", "namespace": "blog"}, "data": {"a": "1"}})
        );
    }
}
