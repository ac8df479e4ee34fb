//! `ObjectId`: an object's identity (group, version, kind, namespace, name) as plain data.
//! Inventory entries, change sets and prune candidates all speak it.

use std::fmt;

use driftless_api::application::{HealthStatus, ResourceStatus, SyncStatusCode};
use kube::api::DynamicObject;

/// Identity of one Kubernetes object. Equality and ordering ignore nothing; use [`ObjectId::key`]
/// to compare across API versions (the same object served as `v1beta1` and `v1`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectId {
    /// API group (`""` for core).
    pub group: String,
    /// API version (without group).
    pub version: String,
    /// Kind.
    pub kind: String,
    /// Namespace (`""` when cluster-scoped).
    pub namespace: String,
    /// Name.
    pub name: String,
}

/// Version-independent identity: what "the same object" means for prune and inventory.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectKey {
    /// API group.
    pub group: String,
    /// Kind.
    pub kind: String,
    /// Namespace (`""` when cluster-scoped).
    pub namespace: String,
    /// Name.
    pub name: String,
}

impl ObjectId {
    /// The identity of `obj`; `None` when it lacks `apiVersion`, `kind` or a name.
    pub fn of(obj: &DynamicObject) -> Option<ObjectId> {
        let types = obj.types.as_ref()?;
        let (group, version) = split_api_version(&types.api_version);
        let name = obj.metadata.name.clone().filter(|n| !n.is_empty())?;
        if types.kind.is_empty() || version.is_empty() {
            return None;
        }
        Some(ObjectId {
            group: group.to_owned(),
            version: version.to_owned(),
            kind: types.kind.clone(),
            namespace: obj.metadata.namespace.clone().unwrap_or_default(),
            name,
        })
    }

    /// The version-independent key.
    pub fn key(&self) -> ObjectKey {
        ObjectKey {
            group: self.group.clone(),
            kind: self.kind.clone(),
            namespace: self.namespace.clone(),
            name: self.name.clone(),
        }
    }

    /// `group/version`, or `version` for the core group.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// The `status.resources[]` entry for this object.
    pub fn resource_status(&self, sync: SyncStatusCode, health: Option<HealthStatus>) -> ResourceStatus {
        ResourceStatus {
            group: self.group.clone(),
            version: self.version.clone(),
            kind: self.kind.clone(),
            namespace: (!self.namespace.is_empty()).then(|| self.namespace.clone()),
            name: self.name.clone(),
            status: sync,
            health,
        }
    }

    /// A `DynamicObject` with only this identity set (enough to get or delete it).
    pub fn to_stub(&self) -> DynamicObject {
        let mut obj = DynamicObject {
            types: Some(kube::api::TypeMeta {
                api_version: self.api_version(),
                kind: self.kind.clone(),
            }),
            metadata: Default::default(),
            data: serde_json::Value::Object(Default::default()),
        };
        obj.metadata.name = Some(self.name.clone());
        obj.metadata.namespace = (!self.namespace.is_empty()).then(|| self.namespace.clone());
        obj
    }
}

/// Splits `apps/v1` into `("apps", "v1")` and `v1` into `("", "v1")`.
pub fn split_api_version(api_version: &str) -> (&str, &str) {
    api_version.split_once('/').unwrap_or(("", api_version))
}

impl fmt::Display for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.namespace.is_empty() {
            write!(f, "{} {}", self.kind, self.name)
        } else {
            write!(f, "{} {}/{}", self.kind, self.namespace, self.name)
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn identity_of_objects() {
        let obj: DynamicObject = serde_json::from_value(serde_json::json!({
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "blog"}
        }))
        .unwrap();
        let id = ObjectId::of(&obj).unwrap();
        assert_eq!(id.to_string(), "Deployment blog/web");
        assert_eq!(id.api_version(), "apps/v1");
        assert_eq!(ObjectId::of(&id.to_stub()).unwrap(), id);
        let entry = id.resource_status(SyncStatusCode::Synced, None);
        assert_eq!(
            (
                entry.group.as_str(),
                entry.namespace.as_deref(),
                entry.name.as_str()
            ),
            ("apps", Some("blog"), "web")
        );

        let ns: DynamicObject = serde_json::from_value(serde_json::json!({
            "apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "blog"}
        }))
        .unwrap();
        let id = ObjectId::of(&ns).unwrap();
        assert_eq!(
            (id.group.as_str(), id.namespace.as_str(), id.to_string().as_str()),
            ("", "", "Namespace blog")
        );

        let nameless: DynamicObject = serde_json::from_value(
            serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {}}),
        )
        .unwrap();
        assert_eq!(ObjectId::of(&nameless), None);
    }
}
