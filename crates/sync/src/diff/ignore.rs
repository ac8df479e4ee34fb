//! `spec.ignoreDifferences`: fields left out of the diff and of apply.
//!
//! A rule picks objects by group/kind (and optionally name/namespace) and fields by RFC 6901
//! pointer or by field manager: fields that `managedFieldsManagers` own in the live object's
//! `managedFields` (e.g. `/spec/replicas` owned by the HPA controller) are dropped.
//!
//! Dropping a field from the applied object means Driftless stops asserting it. If Driftless was
//! the field's only owner, server-side apply then removes it; callers should strip only fields
//! another manager owns (the managers rule) or accept that the server default comes back.

use driftless_api::application::ResourceIgnoreDifferences;
use kube::api::DynamicObject;
use serde_json::{Map, Value};

use crate::object_id::ObjectId;

/// The rules that apply to `id` (`*` matches any group or kind).
pub fn matching<'a>(
    rules: &'a [ResourceIgnoreDifferences],
    id: &ObjectId,
) -> Vec<&'a ResourceIgnoreDifferences> {
    rules
        .iter()
        .filter(|r| r.group == id.group || r.group == "*")
        .filter(|r| r.kind == id.kind || r.kind == "*")
        .filter(|r| r.name.as_ref().is_none_or(|n| *n == id.name))
        .filter(|r| r.namespace.as_ref().is_none_or(|n| *n == id.namespace))
        .collect()
}

/// Removes from `value` (an object in JSON form) every field `rules` ignore, using `live`'s
/// `managedFields` for the managers rules.
pub fn strip_ignored(value: &mut Value, rules: &[&ResourceIgnoreDifferences], live: Option<&DynamicObject>) {
    for rule in rules {
        for pointer in &rule.json_pointers {
            remove_pointer(value, pointer);
        }
        if let Some(live) = live {
            for fields in owned_fields(live, &rule.managed_fields_managers) {
                remove_owned(value, fields);
            }
        }
    }
}

/// Removes the value at an RFC 6901 `pointer`; returns whether something was removed.
pub fn remove_pointer(value: &mut Value, pointer: &str) -> bool {
    let Some(rest) = pointer.strip_prefix('/') else {
        return false;
    };
    let tokens: Vec<String> = rest
        .split('/')
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect();
    let Some((last, parents)) = tokens.split_last() else {
        return false;
    };
    let mut current = value;
    for token in parents {
        current = match current {
            Value::Object(map) => match map.get_mut(token) {
                Some(next) => next,
                None => return false,
            },
            Value::Array(items) => match token.parse::<usize>().ok().and_then(|i| items.get_mut(i)) {
                Some(next) => next,
                None => return false,
            },
            _ => return false,
        };
    }
    match current {
        Value::Object(map) => map.remove(last).is_some(),
        Value::Array(items) => match last.parse::<usize>() {
            Ok(i) if i < items.len() => {
                items.remove(i);
                true
            }
            _ => false,
        },
        _ => false,
    }
}

/// The `fieldsV1` trees of `managers`' entries in `live.metadata.managedFields`.
fn owned_fields<'a>(live: &'a DynamicObject, managers: &[String]) -> Vec<&'a Map<String, Value>> {
    let Some(entries) = live.metadata.managed_fields.as_ref() else {
        return vec![];
    };
    entries
        .iter()
        .filter(|e| e.manager.as_ref().is_some_and(|m| managers.contains(m)))
        .filter_map(|e| e.fields_v1.as_ref())
        .filter_map(|f| f.0.as_object())
        .collect()
}

/// Removes from `value` the leaves of a `fieldsV1` tree (`f:name`, `k:{json}`, `v:json`, `i:n`;
/// `.` marks ownership of the node itself, which removes it whole).
fn remove_owned(value: &mut Value, fields: &Map<String, Value>) {
    for (key, child) in fields {
        if key == "." {
            continue;
        }
        let child = child.as_object();
        let leaf = child.is_none_or(|c| c.is_empty() || c.contains_key("."));
        match value {
            Value::Object(map) => {
                let Some(name) = key.strip_prefix("f:") else {
                    continue;
                };
                if leaf {
                    map.remove(name);
                } else if let (Some(next), Some(child)) = (map.get_mut(name), child) {
                    remove_owned(next, child);
                }
            }
            Value::Array(items) => {
                let Some(index) = list_index(items, key) else {
                    continue;
                };
                if leaf {
                    items.remove(index);
                } else if let (Some(next), Some(child)) = (items.get_mut(index), child) {
                    remove_owned(next, child);
                }
            }
            _ => {}
        }
    }
}

/// The position of the list item a `fieldsV1` key names.
fn list_index(items: &[Value], key: &str) -> Option<usize> {
    if let Some(json) = key.strip_prefix("k:") {
        let wanted: Map<String, Value> = serde_json::from_str(json).ok()?;
        items
            .iter()
            .position(|item| wanted.iter().all(|(k, v)| item.get(k) == Some(v)))
    } else if let Some(json) = key.strip_prefix("v:") {
        let wanted: Value = serde_json::from_str(json).ok()?;
        items.iter().position(|item| *item == wanted)
    } else if let Some(index) = key.strip_prefix("i:") {
        index.parse().ok().filter(|i| *i < items.len())
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use serde_json::json;

    use super::*;

    fn rule(kind: &str, pointers: &[&str], managers: &[&str]) -> ResourceIgnoreDifferences {
        ResourceIgnoreDifferences {
            group: "apps".into(),
            kind: kind.into(),
            json_pointers: pointers.iter().map(|p| (*p).to_owned()).collect(),
            managed_fields_managers: managers.iter().map(|m| (*m).to_owned()).collect(),
            ..ResourceIgnoreDifferences::default()
        }
    }

    fn deploy_id(name: &str) -> ObjectId {
        ObjectId {
            group: "apps".into(),
            version: "v1".into(),
            kind: "Deployment".into(),
            namespace: "blog".into(),
            name: name.into(),
        }
    }

    #[test]
    fn rule_matching() {
        let mut named = rule("Deployment", &[], &[]);
        named.name = Some("web".into());
        let rules = vec![
            rule("Deployment", &[], &[]),
            rule("StatefulSet", &[], &[]),
            named,
            rule("*", &[], &[]),
        ];
        assert_eq!(matching(&rules, &deploy_id("web")).len(), 3);
        assert_eq!(matching(&rules, &deploy_id("api")).len(), 2);
    }

    #[test]
    fn pointers() {
        let mut value = json!({"spec": {"replicas": 3, "template": {"spec": {"containers": [{"name": "a"}, {"name": "b"}]}}},
            "metadata": {"annotations": {"a/b": "x"}}});
        let cases = [
            ("/spec/replicas", true),
            ("/spec/replicas", false),
            ("/spec/template/spec/containers/1", true),
            ("/metadata/annotations/a~1b", true),
            ("/nope/x", false),
            ("spec", false),
        ];
        for (pointer, removed) in cases {
            assert_eq!(remove_pointer(&mut value, pointer), removed, "{pointer}");
        }
        assert_eq!(
            value,
            json!({"spec": {"template": {"spec": {"containers": [{"name": "a"}]}}}, "metadata": {"annotations": {}}})
        );
    }

    #[test]
    fn managed_fields_managers() {
        let live: DynamicObject = serde_json::from_value(json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "blog", "managedFields": [
                {"manager": "driftless", "operation": "Apply", "fieldsType": "FieldsV1",
                 "fieldsV1": {"f:spec": {"f:template": {}}}},
                {"manager": "kube-controller-manager", "operation": "Update", "fieldsType": "FieldsV1", "subresource": "scale",
                 "fieldsV1": {"f:spec": {"f:replicas": {}}}},
                {"manager": "sidecar-injector", "operation": "Update", "fieldsType": "FieldsV1",
                 "fieldsV1": {"f:spec": {"f:template": {"f:spec": {"f:containers": {"k:{\"name\":\"proxy\"}": {".": {}, "f:image": {}}}}}}}}
            ]},
            "spec": {"replicas": 7}
        }))
        .unwrap();
        let mut desired = json!({"spec": {"replicas": 3, "template": {"spec": {"containers": [
            {"name": "web", "image": "web:1"}, {"name": "proxy", "image": "proxy:2"}]}}}});
        let r = rule(
            "Deployment",
            &[],
            &["kube-controller-manager", "sidecar-injector"],
        );
        strip_ignored(&mut desired, &[&r], Some(&live));
        assert_eq!(
            desired,
            json!({"spec": {"template": {"spec": {"containers": [{"name": "web", "image": "web:1"}]}}}})
        );
    }
}
