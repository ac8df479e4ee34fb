//! The compact inventory in `status.inventory`: one string per applied object (Flux-style), the
//! source of truth for prune.
//!
//! Entry format: `<namespace>_<name>_<group>_<kind>_<version>` (namespace and group empty when
//! cluster-scoped / core). Namespaces, groups, kinds and versions never contain `_`; names may
//! (RBAC names), so parsing takes the namespace from the left and the rest from the right.

use std::collections::BTreeMap;

use driftless_api::application::Inventory as StatusInventory;
use kube::api::DynamicObject;

use crate::decorate::describe;
use crate::error::Error;
use crate::object_id::{ObjectId, ObjectKey};

/// Formats one inventory entry.
pub fn format_entry(id: &ObjectId) -> String {
    format!(
        "{}_{}_{}_{}_{}",
        id.namespace, id.name, id.group, id.kind, id.version
    )
}

/// Parses one inventory entry.
pub fn parse_entry(entry: &str) -> Result<ObjectId, Error> {
    let bad = || Error::MalformedInventoryEntry {
        entry: entry.to_owned(),
    };
    let (namespace, rest) = entry.split_once('_').ok_or_else(bad)?;
    let (rest, version) = rest.rsplit_once('_').ok_or_else(bad)?;
    let (rest, kind) = rest.rsplit_once('_').ok_or_else(bad)?;
    let (name, group) = rest.rsplit_once('_').ok_or_else(bad)?;
    if name.is_empty() || kind.is_empty() || version.is_empty() {
        return Err(bad());
    }
    Ok(ObjectId {
        group: group.to_owned(),
        version: version.to_owned(),
        kind: kind.to_owned(),
        namespace: namespace.to_owned(),
        name: name.to_owned(),
    })
}

/// A set of objects keyed by version-independent identity.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Inventory {
    objects: BTreeMap<ObjectKey, ObjectId>,
}

impl Inventory {
    /// The inventory of the given ids (a later id with the same key replaces an earlier one).
    pub fn from_ids(ids: impl IntoIterator<Item = ObjectId>) -> Inventory {
        Inventory {
            objects: ids.into_iter().map(|id| (id.key(), id)).collect(),
        }
    }

    /// The inventory of rendered (decorated) objects.
    pub fn from_objects(objects: &[DynamicObject]) -> Result<Inventory, Error> {
        objects
            .iter()
            .map(|o| ObjectId::of(o).ok_or_else(|| Error::InvalidObject { object: describe(o) }))
            .collect::<Result<Vec<_>, _>>()
            .map(Inventory::from_ids)
    }

    /// Reads `status.inventory`; a missing inventory is empty.
    pub fn from_status(status: Option<&StatusInventory>) -> Result<Inventory, Error> {
        let entries = status.map_or(&[][..], |s| &s.entries[..]);
        entries
            .iter()
            .map(|e| parse_entry(e))
            .collect::<Result<Vec<_>, _>>()
            .map(Inventory::from_ids)
    }

    /// The value for `status.inventory` (entries sorted, so an unchanged set serializes the same).
    pub fn to_status(&self) -> StatusInventory {
        let mut entries: Vec<String> = self.objects.values().map(format_entry).collect();
        entries.sort();
        StatusInventory { entries }
    }

    /// Objects in `self` that `desired` no longer has (compared by key, not version).
    pub fn stale(&self, desired: &Inventory) -> Vec<ObjectId> {
        self.objects
            .iter()
            .filter(|(key, _)| !desired.objects.contains_key(*key))
            .map(|(_, id)| id.clone())
            .collect()
    }

    /// Adds `other`'s objects (ids in `other` win).
    pub fn merge(&mut self, other: &Inventory) {
        self.objects
            .extend(other.objects.iter().map(|(k, v)| (k.clone(), v.clone())));
    }

    /// Removes one object (after it was pruned).
    pub fn remove(&mut self, id: &ObjectId) {
        self.objects.remove(&id.key());
    }

    /// True when the object (any version) is in the set.
    pub fn contains(&self, id: &ObjectId) -> bool {
        self.objects.contains_key(&id.key())
    }

    /// Number of objects.
    pub fn len(&self) -> usize {
        self.objects.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.objects.is_empty()
    }

    /// The ids, in key order.
    pub fn iter(&self) -> impl Iterator<Item = &ObjectId> {
        self.objects.values()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use driftless_api::application::{
        ApplicationStatus, HealthStatus, HealthStatusCode, ResourceStatus, SyncStatusCode,
    };

    use super::*;

    fn id(group: &str, version: &str, kind: &str, namespace: &str, name: &str) -> ObjectId {
        ObjectId {
            group: group.into(),
            version: version.into(),
            kind: kind.into(),
            namespace: namespace.into(),
            name: name.into(),
        }
    }

    #[test]
    fn entries_round_trip() {
        let cases = [
            (
                id("apps", "v1", "Deployment", "blog", "web"),
                "blog_web_apps_Deployment_v1",
            ),
            (id("", "v1", "Namespace", "", "blog"), "_blog__Namespace_v1"),
            (
                id(
                    "rbac.authorization.k8s.io",
                    "v1",
                    "ClusterRole",
                    "",
                    "system:odd_name",
                ),
                "_system:odd_name_rbac.authorization.k8s.io_ClusterRole_v1",
            ),
        ];
        for (object, entry) in cases {
            assert_eq!(format_entry(&object), entry);
            assert_eq!(parse_entry(entry).unwrap(), object);
        }
        for bad in ["", "a_b", "ns_name_group_Kind", "ns__g_K_v1", "ns_n_g__v1"] {
            assert_eq!(
                parse_entry(bad).unwrap_err().reason(),
                "MalformedInventory",
                "{bad:?}"
            );
        }
    }

    #[test]
    fn stale_ignores_version_changes() {
        let old = Inventory::from_ids([
            id("autoscaling", "v2beta2", "HorizontalPodAutoscaler", "blog", "web"),
            id("", "v1", "ConfigMap", "blog", "old"),
            id("apps", "v1", "Deployment", "blog", "web"),
        ]);
        let desired = Inventory::from_ids([
            id("autoscaling", "v2", "HorizontalPodAutoscaler", "blog", "web"),
            id("apps", "v1", "Deployment", "blog", "web"),
        ]);
        assert_eq!(old.stale(&desired), [id("", "v1", "ConfigMap", "blog", "old")]);
        assert!(desired.stale(&old).is_empty());
        let back = Inventory::from_status(Some(&old.to_status())).unwrap();
        assert_eq!(back, old);
        assert!(Inventory::from_status(None).unwrap().is_empty());
    }

    /// An app with 3,000 objects must keep its whole status far below etcd's 1.5 MiB object limit.
    #[test]
    fn status_for_3000_objects_stays_small() {
        let ids: Vec<ObjectId> = (0..3000)
            .map(|i| {
                id(
                    "apps",
                    "v1",
                    "Deployment",
                    &format!("team-{:02}-prod", i % 40),
                    &format!("service-{i:05}-api"),
                )
            })
            .collect();
        let inventory = Inventory::from_ids(ids.clone());
        let resources = ids
            .iter()
            .map(|o| ResourceStatus {
                group: o.group.clone(),
                version: o.version.clone(),
                kind: o.kind.clone(),
                namespace: Some(o.namespace.clone()),
                name: o.name.clone(),
                status: SyncStatusCode::Synced,
                health: Some(HealthStatus {
                    status: HealthStatusCode::Healthy,
                    message: None,
                }),
            })
            .collect();
        let inventory_bytes = serde_json::to_vec(&inventory.to_status()).unwrap().len();
        let status = ApplicationStatus {
            inventory: Some(inventory.to_status()),
            resources,
            ..Default::default()
        };
        let status_bytes = serde_json::to_vec(&status).unwrap().len();
        eprintln!("3000 objects: inventory {inventory_bytes} B, status with resources[] {status_bytes} B");
        assert!(inventory_bytes < 256 * 1024, "{inventory_bytes}");
        assert!(status_bytes < 1024 * 1024, "{status_bytes}");
    }
}
