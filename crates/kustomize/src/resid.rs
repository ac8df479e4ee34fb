//! Resource identity: group/version/kind plus name and namespace, with
//! kustomize's equality rules (kyaml `resid`).
//!
//! Two ids are equal when their group, version, kind and name match and their
//! *effective* namespaces match: an empty namespace means `default` for a
//! namespaced kind, and the namespace is ignored for a cluster-scoped kind.
//! `Hash`/`Eq` follow that rule, so a [`ResId`] can key a `HashMap`.

use std::fmt;
use std::hash::{Hash, Hasher};

/// The namespace kustomize assumes when none is set.
pub const DEFAULT_NAMESPACE: &str = "default";
/// The effective namespace of every cluster-scoped object.
pub const NOT_A_NAMESPACE: &str = "_non_namespaceable_";

/// Group, version and kind, plus whether the kind is known to be cluster-scoped.
#[derive(Debug, Clone, Default)]
pub struct Gvk {
    /// API group; empty for the core group.
    pub group: String,
    /// API version.
    pub version: String,
    /// Kind.
    pub kind: String,
    cluster_scoped: bool,
}

impl Gvk {
    /// A GVK; its scope comes from the embedded OpenAPI data.
    pub fn new(group: impl Into<String>, version: impl Into<String>, kind: impl Into<String>) -> Gvk {
        let mut gvk = Gvk {
            group: group.into(),
            version: version.into(),
            kind: kind.into(),
            cluster_scoped: false,
        };
        gvk.cluster_scoped = is_certainly_cluster_scoped(&gvk.api_version(), &gvk.kind);
        gvk
    }

    /// A GVK from an `apiVersion` string (`group/version` or `version`) and a kind.
    pub fn from_api_version(api_version: &str, kind: &str) -> Gvk {
        let (group, version) = parse_group_version(api_version);
        Gvk::new(group, version, kind)
    }

    /// `group/version`, or `version` for the core group.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// True when the schema says this kind has no namespace.
    pub fn is_cluster_scoped(&self) -> bool {
        self.cluster_scoped
    }

    /// True when every non-empty field of `selector` matches.
    pub fn is_selected_by(&self, selector: &Gvk) -> bool {
        (selector.group.is_empty() || selector.group == self.group)
            && (selector.version.is_empty() || selector.version == self.version)
            && (selector.kind.is_empty() || selector.kind == self.kind)
    }

    /// kustomize's stable sort key: `group_version_kind` with `~G`/`~V`/`~K` for empty parts.
    pub fn stable_sort_string(&self) -> String {
        let or = |s: &str, d: &'static str| if s.is_empty() { d.to_owned() } else { s.to_owned() };
        format!(
            "{}_{}_{}",
            or(&self.group, "~G"),
            or(&self.version, "~V"),
            or(&self.kind, "~K")
        )
    }
}

impl PartialEq for Gvk {
    fn eq(&self, other: &Gvk) -> bool {
        self.group == other.group && self.version == other.version && self.kind == other.kind
    }
}

impl Eq for Gvk {}

impl Hash for Gvk {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.group.hash(state);
        self.version.hash(state);
        self.kind.hash(state);
    }
}

/// kustomize's `Kind.version.group` form, with `[noGrp]`-style placeholders.
impl fmt::Display for Gvk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn or<'a>(s: &'a str, d: &'a str) -> &'a str {
            if s.is_empty() { d } else { s }
        }
        write!(
            f,
            "{}.{}.{}",
            or(&self.kind, "[noKind]"),
            or(&self.version, "[noVer]"),
            or(&self.group, "[noGrp]")
        )
    }
}

/// Splits `group/version`; a string without `/` is a core-group version.
pub fn parse_group_version(api_version: &str) -> (&str, &str) {
    match api_version.split_once('/') {
        Some((group, version)) => (group, version),
        None => ("", api_version),
    }
}

/// A resource's identity: GVK, name and namespace (as written).
#[derive(Debug, Clone, Default)]
pub struct ResId {
    /// Group, version, kind.
    pub gvk: Gvk,
    /// `metadata.name`.
    pub name: String,
    /// `metadata.namespace` as written (may be empty).
    pub namespace: String,
}

impl ResId {
    /// An id from its parts.
    pub fn new(gvk: Gvk, name: impl Into<String>, namespace: impl Into<String>) -> ResId {
        ResId {
            gvk,
            name: name.into(),
            namespace: namespace.into(),
        }
    }

    /// The namespace used for comparisons: `_non_namespaceable_` for a
    /// cluster-scoped kind, `default` for an empty namespace, else the namespace.
    pub fn effective_namespace(&self) -> &str {
        if self.gvk.is_cluster_scoped() {
            NOT_A_NAMESPACE
        } else if self.namespace.is_empty() {
            DEFAULT_NAMESPACE
        } else {
            &self.namespace
        }
    }

    /// True when this namespaced id lives in `default` (explicitly or implicitly).
    pub fn is_in_default_namespace(&self) -> bool {
        !self.gvk.is_cluster_scoped() && (self.namespace.is_empty() || self.namespace == DEFAULT_NAMESPACE)
    }

    /// True when the effective namespaces are equal.
    pub fn same_namespace(&self, other: &ResId) -> bool {
        self.effective_namespace() == other.effective_namespace()
    }

    /// True when GVK and name are equal (namespace ignored).
    pub fn gvkn_equals(&self, other: &ResId) -> bool {
        self.name == other.name && self.gvk == other.gvk
    }

    /// True when `selector`'s non-empty name, namespace and GVK fields match.
    pub fn is_selected_by(&self, selector: &ResId) -> bool {
        (selector.name.is_empty() || selector.name == self.name)
            && (selector.namespace.is_empty() || selector.same_namespace(self))
            && self.gvk.is_selected_by(&selector.gvk)
    }
}

impl PartialEq for ResId {
    fn eq(&self, other: &ResId) -> bool {
        self.gvkn_equals(other) && self.same_namespace(other)
    }
}

impl Eq for ResId {}

impl Hash for ResId {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.gvk.hash(state);
        self.name.hash(state);
        self.effective_namespace().hash(state);
    }
}

/// kustomize's `Kind.version.group/name.namespace` form used in its messages.
impl fmt::Display for ResId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = if self.name.is_empty() {
            "[noName]"
        } else {
            &self.name
        };
        let ns = if self.namespace.is_empty() {
            "[noNs]"
        } else {
            &self.namespace
        };
        write!(f, "{}/{}.{}", self.gvk, name, ns)
    }
}

/// True when the schema knows `api_version`/`kind` and says it is not namespaced
/// (kyaml `IsCertainlyClusterScoped`): unknown kinds count as namespaced.
/// The embedded v1.21.2 schema, plus kyaml's precomputed list of
/// cluster-scoped kinds (`precomputedIsNamespaceScoped`), which also names
/// kinds newer than the schema (ValidatingAdmissionPolicy, …).
pub fn is_certainly_cluster_scoped(api_version: &str, kind: &str) -> bool {
    CLUSTER_SCOPED.contains(&(api_version, kind))
        || crate::openapi::is_certainly_cluster_scoped(api_version, kind)
}

const CLUSTER_SCOPED: &[(&str, &str)] = &[
    ("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicy"),
    (
        "admissionregistration.k8s.io/v1",
        "ValidatingAdmissionPolicyBinding",
    ),
    ("admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration"),
    (
        "admissionregistration.k8s.io/v1",
        "ValidatingWebhookConfiguration",
    ),
    (
        "admissionregistration.k8s.io/v1beta1",
        "MutatingWebhookConfiguration",
    ),
    (
        "admissionregistration.k8s.io/v1beta1",
        "ValidatingWebhookConfiguration",
    ),
    ("apiextensions.k8s.io/v1", "CustomResourceDefinition"),
    ("apiextensions.k8s.io/v1beta1", "CustomResourceDefinition"),
    ("apiregistration.k8s.io/v1", "APIService"),
    ("apiregistration.k8s.io/v1beta1", "APIService"),
    ("certificates.k8s.io/v1", "CertificateSigningRequest"),
    ("certificates.k8s.io/v1beta1", "CertificateSigningRequest"),
    ("flowcontrol.apiserver.k8s.io/v1beta1", "FlowSchema"),
    (
        "flowcontrol.apiserver.k8s.io/v1beta1",
        "PriorityLevelConfiguration",
    ),
    ("networking.k8s.io/v1", "IngressClass"),
    ("networking.k8s.io/v1beta1", "IngressClass"),
    ("node.k8s.io/v1", "RuntimeClass"),
    ("node.k8s.io/v1beta1", "RuntimeClass"),
    ("policy/v1beta1", "PodSecurityPolicy"),
    ("rbac.authorization.k8s.io/v1", "ClusterRole"),
    ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"),
    ("rbac.authorization.k8s.io/v1beta1", "ClusterRole"),
    ("rbac.authorization.k8s.io/v1beta1", "ClusterRoleBinding"),
    ("scheduling.k8s.io/v1", "PriorityClass"),
    ("scheduling.k8s.io/v1beta1", "PriorityClass"),
    ("storage.k8s.io/v1", "CSIDriver"),
    ("storage.k8s.io/v1", "CSINode"),
    ("storage.k8s.io/v1", "StorageClass"),
    ("storage.k8s.io/v1", "VolumeAttachment"),
    ("storage.k8s.io/v1beta1", "CSIDriver"),
    ("storage.k8s.io/v1beta1", "CSINode"),
    ("storage.k8s.io/v1beta1", "StorageClass"),
    ("storage.k8s.io/v1beta1", "VolumeAttachment"),
    ("v1", "ComponentStatus"),
    ("v1", "Namespace"),
    ("v1", "Node"),
    ("v1", "PersistentVolume"),
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn id(api: &str, kind: &str, name: &str, ns: &str) -> ResId {
        ResId::new(Gvk::from_api_version(api, kind), name, ns)
    }

    #[test]
    fn equality_uses_effective_namespace() {
        let cases = [
            (
                id("v1", "ConfigMap", "a", ""),
                id("v1", "ConfigMap", "a", "default"),
                true,
            ),
            (
                id("v1", "ConfigMap", "a", "x"),
                id("v1", "ConfigMap", "a", "default"),
                false,
            ),
            (
                id("v1", "Namespace", "a", "x"),
                id("v1", "Namespace", "a", ""),
                true,
            ),
            (
                id("v1", "ConfigMap", "a", ""),
                id("v1", "ConfigMap", "b", ""),
                false,
            ),
            (
                id("apps/v1", "Deployment", "a", ""),
                id("v1", "Deployment", "a", ""),
                false,
            ),
        ];
        for (a, b, want) in cases {
            assert_eq!(a == b, want, "{a} vs {b}");
            if want {
                let mut map = HashMap::new();
                map.insert(a.clone(), 1);
                assert_eq!(map.get(&b), Some(&1), "{a} hashed like {b}");
            }
        }
    }

    #[test]
    fn displays_like_kustomize() {
        assert_eq!(
            id("apps/v1", "StatefulSet", "my-sts", "").to_string(),
            "StatefulSet.v1.apps/my-sts.[noNs]"
        );
        assert_eq!(
            id("v1", "Deployment", "storefront", "").to_string(),
            "Deployment.v1.[noGrp]/storefront.[noNs]"
        );
        assert_eq!(Gvk::new("", "", "").stable_sort_string(), "~G_~V_~K");
    }

    #[test]
    fn selection_ignores_empty_selector_fields() {
        let target = id("apps/v1", "Deployment", "web", "prod");
        assert!(target.is_selected_by(&ResId::new(Gvk::new("", "", "Deployment"), "", "")));
        assert!(target.is_selected_by(&ResId::new(Gvk::new("apps", "", ""), "web", "prod")));
        assert!(!target.is_selected_by(&ResId::new(Gvk::new("", "", "Service"), "", "")));
        assert!(!target.is_selected_by(&ResId::new(Gvk::default(), "", "dev")));
    }
}
