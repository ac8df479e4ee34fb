//! Output order: kustomize's legacy kind order (`SortOrderTransformer`) or
//! FIFO (input order).

use std::cmp::Ordering;
use std::collections::HashMap;

use crate::error::Error;
use crate::kustomization::SortOptions;
use crate::resid::{Gvk, ResId};
use crate::resmap::ResMap;

/// Kinds that come first, in this order.
pub const DEFAULT_ORDER_FIRST: [&str; 22] = [
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

/// Kinds that come last, in this order.
pub const DEFAULT_ORDER_LAST: [&str; 2] = ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"];

/// The order to apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Order {
    /// Input order.
    Fifo,
    /// Legacy kind order with these first/last lists.
    Legacy {
        /// Kinds first.
        first: Vec<String>,
        /// Kinds last.
        last: Vec<String>,
    },
}

impl Order {
    /// The default legacy order.
    pub fn legacy() -> Order {
        Order::Legacy {
            first: DEFAULT_ORDER_FIRST.iter().map(|s| s.to_string()).collect(),
            last: DEFAULT_ORDER_LAST.iter().map(|s| s.to_string()).collect(),
        }
    }

    /// The order a kustomization's `sortOptions` asks for, validated like kustomize.
    pub fn from_options(options: &SortOptions) -> Result<Order, Error> {
        let invalid = |message: String| Error::Transform {
            transformer: "sortOptions",
            message,
        };
        match options.order.as_str() {
            "fifo" if options.legacy_sort_options.is_some() => Err(invalid(
                "the field 'sortOptions.legacySortOptions' is set but the selected sort order is 'fifo', not 'legacy'"
                    .into(),
            )),
            "fifo" => Ok(Order::Fifo),
            "legacy" => Ok(match &options.legacy_sort_options {
                Some(l) => Order::Legacy { first: l.order_first.clone(), last: l.order_last.clone() },
                None => Order::legacy(),
            }),
            _ => Err(invalid("the field 'sortOptions.order' must be one of [fifo, legacy]".into())),
        }
    }
}

/// Reorders the resources.
pub fn apply(resources: &mut ResMap, order: &Order) {
    let Order::Legacy { first, last } = order else {
        return;
    };
    let mut ranks: HashMap<&str, i64> = HashMap::new();
    let n_first = first.len() as i64;
    for (i, kind) in first.iter().enumerate() {
        ranks.insert(kind, i as i64 - n_first);
    }
    for (i, kind) in last.iter().enumerate() {
        ranks.insert(kind, 1 + i as i64);
    }
    let mut keyed: Vec<_> = std::mem::take(resources)
        .into_vec()
        .into_iter()
        .map(|r| (r.cur_id(), r))
        .collect();
    keyed.sort_by(|(a, _), (b, _)| compare(a, b, &ranks));
    resources.set_resources(keyed.into_iter().map(|(_, r)| r).collect());
}

fn compare(a: &ResId, b: &ResId, ranks: &HashMap<&str, i64>) -> Ordering {
    if a.gvk != b.gvk {
        return compare_gvk(&a.gvk, &b.gvk, ranks);
    }
    id_sort_string(a).cmp(&id_sort_string(b))
}

fn compare_gvk(a: &Gvk, b: &Gvk, ranks: &HashMap<&str, i64>) -> Ordering {
    let rank = |g: &Gvk| ranks.get(g.kind.as_str()).copied().unwrap_or(0);
    let (ra, rb) = (rank(a), rank(b));
    if ra != rb {
        return ra.cmp(&rb);
    }
    let ordering = a.stable_sort_string().cmp(&b.stable_sort_string());
    // kustomize reverses the comparison between two Namespace kinds when one is in the core group.
    if a.kind == "Namespace" && b.kind == "Namespace" && (a.group.is_empty() || b.group.is_empty()) {
        return ordering.reverse();
    }
    ordering
}

/// `Kind.version.group|namespace|name` with `~X`/`~N` for empty parts.
fn id_sort_string(id: &ResId) -> String {
    let ns = if id.namespace.is_empty() {
        "~X"
    } else {
        &id.namespace
    };
    let name = if id.name.is_empty() { "~N" } else { &id.name };
    format!("{}|{}|{}", id.gvk, ns, name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(api: &str, kind: &str, name: &str, ns: &str) -> ResId {
        ResId::new(Gvk::from_api_version(api, kind), name, ns)
    }

    #[test]
    fn legacy_order() {
        let Order::Legacy { first, last } = Order::legacy() else {
            return;
        };
        let ranks: HashMap<&str, i64> = first
            .iter()
            .enumerate()
            .map(|(i, k)| (k.as_str(), i as i64 - first.len() as i64))
            .chain(last.iter().enumerate().map(|(i, k)| (k.as_str(), 1 + i as i64)))
            .collect();
        let mut ids = [
            id(
                "admissionregistration.k8s.io/v1",
                "ValidatingWebhookConfiguration",
                "w",
                "",
            ),
            id("example.com/v1", "Widget", "b", ""),
            id("apps/v1", "Deployment", "d", ""),
            id("v1", "Service", "s", "b"),
            id("v1", "Service", "s", "a"),
            id("v1", "Namespace", "ns", ""),
            id("example.com/v1", "Namespace", "ns", ""),
            id("v1", "ConfigMap", "c", ""),
        ];
        ids.sort_by(|a, b| compare(a, b, &ranks));
        let got: Vec<String> = ids
            .iter()
            .map(|i| format!("{}/{}", i.gvk.kind, i.namespace))
            .collect();
        assert_eq!(
            got,
            [
                "Namespace/",
                "Namespace/",
                "ConfigMap/",
                "Service/a",
                "Service/b",
                "Deployment/",
                "Widget/",
                "ValidatingWebhookConfiguration/"
            ]
        );
        assert_eq!(
            ids[0].gvk.group, "",
            "the reversed Namespace comparison puts the core group first"
        );
    }
}
