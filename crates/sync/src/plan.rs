//! Order of apply and of prune (pure).
//!
//! Apply is staged like Flux's `ApplyAllStaged`: Namespaces, CRDs and ClusterRoles first (the
//! caller waits for the CRDs to be Established), then `*Class` kinds, then everything else in
//! kustomize's legacy kind order. Prune runs the other way round: webhook configurations and custom
//! resources first (their controllers still run and can clear finalizers), then workloads and the
//! rest in reverse legacy order, then CRDs, then Namespaces.

use kube::api::{DynamicObject, GroupVersionKind};

use crate::object_id::{ObjectId, split_api_version};

/// Kustomize's legacy sort, kinds sorted first (kyaml `resid/gvk.go` `orderFirst`).
/// The renderer has the same table; sync may not depend on it, so a test keeps the two equal.
pub const LEGACY_ORDER_FIRST: [&str; 22] = [
    "Namespace",
    "ResourceQuota",
    "StorageClass",
    "CustomResourceDefinition",
    "ServiceAccount",
    "PodSecurityPolicy",
    "Role",
    "ClusterRole",
    "RoleBinding",
    "ClusterRoleBinding",
    "ConfigMap",
    "Secret",
    "Endpoints",
    "Service",
    "LimitRange",
    "PriorityClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "Deployment",
    "StatefulSet",
    "CronJob",
    "PodDisruptionBudget",
];

/// Kustomize's legacy sort, kinds sorted last (`orderLast`).
pub const LEGACY_ORDER_LAST: [&str; 2] = ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"];

/// Kinds applied in the first stage (Flux `IsClusterDefinition`-style).
const FOUNDATION_KINDS: [&str; 3] = ["Namespace", "CustomResourceDefinition", "ClusterRole"];

/// API groups served by Kubernetes itself; kinds of any other group are custom resources.
/// (`gateway.networking.k8s.io` and `snapshot.storage.k8s.io` are CRDs despite the suffix, so
/// the list is explicit rather than "ends with k8s.io".)
const BUILTIN_GROUPS: [&str; 21] = [
    "",
    "apps",
    "batch",
    "autoscaling",
    "policy",
    "extensions",
    "networking.k8s.io",
    "rbac.authorization.k8s.io",
    "storage.k8s.io",
    "apiextensions.k8s.io",
    "apiregistration.k8s.io",
    "admissionregistration.k8s.io",
    "scheduling.k8s.io",
    "coordination.k8s.io",
    "discovery.k8s.io",
    "node.k8s.io",
    "certificates.k8s.io",
    "flowcontrol.apiserver.k8s.io",
    "events.k8s.io",
    "resource.k8s.io",
    "authorization.k8s.io",
];

/// Position of `kind` in the legacy order: first-list kinds, then unknown kinds, then last-list kinds.
pub fn legacy_rank(kind: &str) -> usize {
    if let Some(i) = LEGACY_ORDER_FIRST.iter().position(|k| *k == kind) {
        i
    } else if let Some(i) = LEGACY_ORDER_LAST.iter().position(|k| *k == kind) {
        LEGACY_ORDER_FIRST.len() + 1 + i
    } else {
        LEGACY_ORDER_FIRST.len()
    }
}

/// True for kinds served by Kubernetes itself rather than by a CRD.
pub fn is_builtin_group(group: &str) -> bool {
    BUILTIN_GROUPS.contains(&group)
}

/// Which apply stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum StageKind {
    /// Namespaces, CRDs, ClusterRoles; wait for CRDs to be Established afterwards.
    Foundation,
    /// `*Class` kinds (StorageClass, IngressClass, PriorityClass…).
    Classes,
    /// Everything else, in legacy kind order.
    Rest,
}

/// One apply stage: apply `objects` in order, then wait for `wait_established` CRDs.
#[derive(Debug, Clone)]
pub struct Stage {
    /// Which stage.
    pub kind: StageKind,
    /// Objects in apply order.
    pub objects: Vec<DynamicObject>,
    /// Names of CRDs to wait for (condition `Established`) before the next stage.
    pub wait_established: Vec<String>,
    /// The kinds those CRDs serve: discovery must know them before the next stage, since the
    /// API server publishes discovery for a new group a moment after the CRD is Established.
    pub served_kinds: Vec<GroupVersionKind>,
}

fn is_crd(obj: &DynamicObject) -> bool {
    kind_of(obj) == "CustomResourceDefinition"
        && obj
            .types
            .as_ref()
            .is_some_and(|t| split_api_version(&t.api_version).0 == "apiextensions.k8s.io")
}

/// The group/version/kinds a CRD object serves (`spec.versions[]` with `served: true`).
pub fn crd_served_kinds(crd: &DynamicObject) -> Vec<GroupVersionKind> {
    let spec = &crd.data["spec"];
    let (Some(group), Some(kind)) = (spec["group"].as_str(), spec["names"]["kind"].as_str()) else {
        return vec![];
    };
    spec["versions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|v| v["served"].as_bool().unwrap_or(false))
        .filter_map(|v| v["name"].as_str())
        .map(|version| GroupVersionKind::gvk(group, version, kind))
        .collect()
}

fn kind_of(obj: &DynamicObject) -> &str {
    obj.types.as_ref().map_or("", |t| t.kind.as_str())
}

fn stage_of(kind: &str) -> StageKind {
    if FOUNDATION_KINDS.contains(&kind) {
        StageKind::Foundation
    } else if kind.ends_with("Class") {
        StageKind::Classes
    } else {
        StageKind::Rest
    }
}

/// Splits `objects` into non-empty apply stages. Within a stage the sort is stable, so the
/// render's own order breaks ties.
pub fn apply_stages(objects: Vec<DynamicObject>) -> Vec<Stage> {
    let mut stages: Vec<Stage> = [StageKind::Foundation, StageKind::Classes, StageKind::Rest]
        .into_iter()
        .map(|kind| Stage {
            kind,
            objects: vec![],
            wait_established: vec![],
            served_kinds: vec![],
        })
        .collect();
    for obj in objects {
        let index = stage_of(kind_of(&obj)) as usize;
        stages[index].objects.push(obj);
    }
    for stage in &mut stages {
        stage.objects.sort_by_key(|o| legacy_rank(kind_of(o)));
        let crds: Vec<&DynamicObject> = stage.objects.iter().filter(|o| is_crd(o)).collect();
        stage.wait_established = crds.iter().filter_map(|o| o.metadata.name.clone()).collect();
        stage.served_kinds = crds.iter().flat_map(|o| crd_served_kinds(o)).collect();
    }
    stages.retain(|s| !s.objects.is_empty());
    stages
}

/// One prune wave: delete `objects`, and when `wait_until_gone`, wait for them to disappear (with
/// the prune timeout) before the next wave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PruneWave {
    /// Objects to delete.
    pub objects: Vec<ObjectId>,
    /// Wait for them to be gone before the next wave (custom resources: their finalizers need
    /// their controllers, which later waves delete).
    pub wait_until_gone: bool,
}

/// Orders prune candidates into waves: webhook configurations and custom resources, then the
/// rest (workloads before their RBAC and config), then CRDs, then Namespaces. Empty waves are dropped.
pub fn prune_waves(mut candidates: Vec<ObjectId>) -> Vec<PruneWave> {
    candidates.sort_by(|a, b| {
        legacy_rank(&b.kind)
            .cmp(&legacy_rank(&a.kind))
            .then_with(|| a.cmp(b))
    });
    let mut waves: [Vec<ObjectId>; 4] = Default::default();
    for id in candidates {
        let wave = if LEGACY_ORDER_LAST.contains(&id.kind.as_str()) || !is_builtin_group(&id.group) {
            0
        } else if id.kind == "Namespace" && id.group.is_empty() {
            3
        } else if id.kind == "CustomResourceDefinition" {
            2
        } else {
            1
        };
        waves[wave].push(id);
    }
    waves
        .into_iter()
        .enumerate()
        .filter(|(_, objects)| !objects.is_empty())
        .map(|(i, objects)| PruneWave {
            objects,
            wait_until_gone: i == 0,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn kind_order_is_the_renderers() {
        use driftless_kustomize::finalize::sort::{DEFAULT_ORDER_FIRST, DEFAULT_ORDER_LAST};
        assert_eq!(LEGACY_ORDER_FIRST, DEFAULT_ORDER_FIRST);
        assert_eq!(LEGACY_ORDER_LAST, DEFAULT_ORDER_LAST);
    }

    fn obj(api_version: &str, kind: &str, name: &str) -> DynamicObject {
        serde_json::from_value(
            serde_json::json!({"apiVersion": api_version, "kind": kind, "metadata": {"name": name}}),
        )
        .unwrap()
    }

    fn names(objects: &[DynamicObject]) -> Vec<String> {
        objects
            .iter()
            .map(|o| format!("{}/{}", kind_of(o), o.metadata.name.as_deref().unwrap_or("")))
            .collect()
    }

    #[test]
    fn stages_follow_flux_then_legacy_order() {
        let rendered = vec![
            obj("example.io/v1", "Widget", "w"),
            obj("apps/v1", "Deployment", "web"),
            obj(
                "admissionregistration.k8s.io/v1",
                "ValidatingWebhookConfiguration",
                "hook",
            ),
            obj("v1", "Service", "web"),
            obj("rbac.authorization.k8s.io/v1", "ClusterRole", "reader"),
            obj("networking.k8s.io/v1", "IngressClass", "nginx"),
            obj(
                "apiextensions.k8s.io/v1",
                "CustomResourceDefinition",
                "widgets.example.io",
            ),
            obj("v1", "ConfigMap", "cfg"),
            obj("v1", "Namespace", "blog"),
            obj("storage.k8s.io/v1", "StorageClass", "fast"),
        ];
        let stages = apply_stages(rendered);
        let kinds: Vec<StageKind> = stages.iter().map(|s| s.kind).collect();
        assert_eq!(
            kinds,
            [StageKind::Foundation, StageKind::Classes, StageKind::Rest]
        );
        assert_eq!(
            names(&stages[0].objects),
            [
                "Namespace/blog",
                "CustomResourceDefinition/widgets.example.io",
                "ClusterRole/reader"
            ]
        );
        assert_eq!(stages[0].wait_established, ["widgets.example.io"]);
        assert_eq!(
            names(&stages[1].objects),
            ["StorageClass/fast", "IngressClass/nginx"]
        );
        assert_eq!(
            names(&stages[2].objects),
            [
                "ConfigMap/cfg",
                "Service/web",
                "Deployment/web",
                "Widget/w",
                "ValidatingWebhookConfiguration/hook"
            ]
        );
        assert!(stages[1].wait_established.is_empty());
    }

    #[test]
    fn a_crd_stage_waits_for_every_served_version_of_its_kind() {
        let crd: DynamicObject = serde_json::from_value(serde_json::json!({
            "apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition",
            "metadata": {"name": "widgets.example.io"},
            "spec": {
                "group": "example.io",
                "names": {"kind": "Widget", "plural": "widgets"},
                "versions": [
                    {"name": "v1", "served": true},
                    {"name": "v1beta1", "served": false},
                    {"name": "v2", "served": true},
                ],
            },
        }))
        .unwrap();
        let stages = apply_stages(vec![crd, obj("example.io/v1", "Widget", "w")]);
        let served: Vec<String> = stages[0]
            .served_kinds
            .iter()
            .map(|g| format!("{}/{}", g.api_version(), g.kind))
            .collect();
        assert_eq!(served, ["example.io/v1/Widget", "example.io/v2/Widget"]);
        assert!(stages[1].served_kinds.is_empty());
    }

    #[test]
    fn empty_stages_are_dropped() {
        let stages = apply_stages(vec![obj("v1", "ConfigMap", "a"), obj("v1", "ConfigMap", "b")]);
        assert_eq!(stages.len(), 1);
        assert_eq!(
            names(&stages[0].objects),
            ["ConfigMap/a", "ConfigMap/b"],
            "stable within a kind"
        );
        assert!(apply_stages(vec![]).is_empty());
    }

    fn id(group: &str, kind: &str, name: &str) -> ObjectId {
        ObjectId {
            group: group.into(),
            version: "v1".into(),
            kind: kind.into(),
            namespace: String::new(),
            name: name.into(),
        }
    }

    #[test]
    fn prune_runs_in_reverse_dependency_order() {
        let candidates = vec![
            id("", "Namespace", "blog"),
            id(
                "apiextensions.k8s.io",
                "CustomResourceDefinition",
                "widgets.example.io",
            ),
            id("apps", "Deployment", "widget-operator"),
            id("", "ServiceAccount", "widget-operator"),
            id("example.io", "Widget", "w"),
            id("gateway.networking.k8s.io", "HTTPRoute", "r"),
            id("", "ConfigMap", "cfg"),
            id(
                "admissionregistration.k8s.io",
                "ValidatingWebhookConfiguration",
                "hook",
            ),
        ];
        let waves = prune_waves(candidates);
        let shape: Vec<(Vec<String>, bool)> = waves
            .iter()
            .map(|w| {
                (
                    w.objects
                        .iter()
                        .map(|o| format!("{}/{}", o.kind, o.name))
                        .collect(),
                    w.wait_until_gone,
                )
            })
            .collect();
        assert_eq!(
            shape,
            [
                (
                    vec![
                        "ValidatingWebhookConfiguration/hook".into(),
                        "Widget/w".into(),
                        "HTTPRoute/r".into()
                    ],
                    true
                ),
                (
                    vec![
                        "Deployment/widget-operator".into(),
                        "ConfigMap/cfg".into(),
                        "ServiceAccount/widget-operator".into()
                    ],
                    false
                ),
                (vec!["CustomResourceDefinition/widgets.example.io".into()], false),
                (vec!["Namespace/blog".into()], false),
            ]
        );
        assert!(prune_waves(vec![]).is_empty());
    }
}
