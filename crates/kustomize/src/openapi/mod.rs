//! The OpenAPI facts strategic merge and namespace scoping need, from the
//! Kubernetes v1.21.2 schema kustomize embeds, compiled into a static table
//! (`generated.rs`, written by `cargo xtask gen-openapi-table`).
//!
//! Lookup rules follow kyaml's `openapi` package: a resource's schema is the
//! definition whose `x-kubernetes-group-version-kind` names it; a field falls
//! back to the `additionalProperties` schema; `$ref`s resolve to the target
//! (dropping extensions beside the `$ref`); a list's merge keys are its
//! `x-kubernetes-list-map-keys` when present, else its patch merge key, and
//! only when it has a patch strategy at all. Unknown kinds (CRDs) have no
//! schema and an unknown scope, which kustomize treats as namespaced.
//!
//! Entry points: [`schema_for`], [`is_namespaced`], and [`Schemas`] when a
//! kustomization adds definitions (`openapi:`, `crds:`).

mod extra;
#[rustfmt::skip]
mod generated;
pub mod table;

pub use extra::{ExtraSchemas, SchemaError};

use table::{Kind, NodeRow};

/// A position in a schema: a resource, a field, or a list's items.
#[derive(Debug, Clone, Copy)]
pub struct SchemaRef<'s> {
    at: At<'s>,
}

#[derive(Debug, Clone, Copy)]
enum At<'s> {
    Builtin(u16),
    Extra(&'s ExtraSchemas, u32),
}

/// What kind of value a schema describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// An object with known fields and/or a map value schema.
    Object,
    /// A list.
    Array,
    /// A string, number or boolean.
    Primitive,
    /// Anything (no type in the schema).
    Any,
}

/// The merge keys of a list, borrowed from the schema.
#[derive(Debug, Clone, Copy)]
pub enum MergeKeys<'s> {
    /// Static keys of the builtin table.
    Builtin(&'static [&'static str]),
    /// Keys of an extra schema.
    Extra(&'s [String]),
    /// A single `x-kubernetes-patch-merge-key`.
    Single(&'s str),
    /// No keys.
    None,
}

impl<'s> MergeKeys<'s> {
    /// The keys in order.
    pub fn iter(&self) -> impl Iterator<Item = &'s str> + 's {
        let (a, b, c): (&'static [&'static str], &'s [String], Option<&'s str>) = match *self {
            MergeKeys::Builtin(keys) => (keys, &[], None),
            MergeKeys::Extra(keys) => (&[], keys, None),
            MergeKeys::Single(key) => (&[], &[], Some(key)),
            MergeKeys::None => (&[], &[], None),
        };
        a.iter().copied().chain(b.iter().map(String::as_str)).chain(c)
    }

    /// True when there are no keys.
    pub fn is_empty(&self) -> bool {
        self.iter().next().is_none()
    }
}

impl<'s> SchemaRef<'s> {
    pub(crate) fn builtin(node: u16) -> Self {
        SchemaRef {
            at: At::Builtin(node),
        }
    }

    pub(crate) fn extra(extra: &'s ExtraSchemas, node: u32) -> Self {
        SchemaRef {
            at: At::Extra(extra, node),
        }
    }

    /// The schema of field `name` of this object (or of its map values).
    pub fn field(&self, name: &str) -> Option<SchemaRef<'s>> {
        match self.at {
            At::Builtin(node) => builtin_field(node, name).map(SchemaRef::builtin),
            At::Extra(extra, node) => extra.field(node, name),
        }
    }

    /// The schema of this list's items.
    pub fn elements(&self) -> Option<SchemaRef<'s>> {
        match self.at {
            At::Builtin(node) => match builtin_node(node)?.kind {
                Kind::Array(items) => items.map(SchemaRef::builtin),
                _ => None,
            },
            At::Extra(extra, node) => extra.elements(node),
        }
    }

    /// Follows a path of field names, with `[]` meaning "the list's items".
    pub fn lookup(&self, path: &[&str]) -> Option<SchemaRef<'s>> {
        path.iter()
            .try_fold(*self, |s, p| if *p == "[]" { s.elements() } else { s.field(p) })
    }

    /// What kind of value this is.
    pub fn kind(&self) -> ValueKind {
        match self.at {
            At::Builtin(node) => match builtin_node(node).map(|n| n.kind) {
                Some(Kind::Object(_)) => ValueKind::Object,
                Some(Kind::Array(_)) => ValueKind::Array,
                Some(Kind::Primitive) => ValueKind::Primitive,
                Some(Kind::Any) | None => ValueKind::Any,
            },
            At::Extra(extra, node) => extra.kind(node),
        }
    }

    /// `x-kubernetes-patch-strategy` as written (`merge`, `merge,retainKeys`, …), or "".
    pub fn patch_strategy(&self) -> &'s str {
        match self.at {
            At::Builtin(node) => builtin_node(node).map_or("", |n| n.strategy),
            At::Extra(extra, node) => extra.strategy(node),
        }
    }

    /// `x-kubernetes-patch-merge-key`, if set.
    pub fn patch_merge_key(&self) -> Option<&'s str> {
        let key = match self.at {
            At::Builtin(node) => builtin_node(node).map_or("", |n| n.merge_key),
            At::Extra(extra, node) => extra.merge_key(node),
        };
        (!key.is_empty()).then_some(key)
    }

    /// `x-kubernetes-list-map-keys`.
    pub fn list_map_keys(&self) -> MergeKeys<'s> {
        match self.at {
            At::Builtin(node) => MergeKeys::Builtin(builtin_node(node).map_or(&[], |n| n.map_keys)),
            At::Extra(extra, node) => MergeKeys::Extra(extra.map_keys(node)),
        }
    }

    /// `x-kubernetes-list-type` (`atomic`, `set`, `map`), if set.
    pub fn list_type(&self) -> Option<&'s str> {
        let t = match self.at {
            At::Builtin(node) => builtin_node(node).map_or("", |n| n.list_type),
            At::Extra(extra, node) => extra.list_type(node),
        };
        (!t.is_empty()).then_some(t)
    }

    /// kyaml's `PatchStrategyAndKeyList`: nothing without a patch strategy;
    /// otherwise list-map-keys win over the single patch merge key.
    pub fn strategy_and_keys(&self) -> (&'s str, MergeKeys<'s>) {
        let strategy = self.patch_strategy();
        if strategy.is_empty() {
            return ("", MergeKeys::None);
        }
        let map_keys = self.list_map_keys();
        if !map_keys.is_empty() {
            return (strategy, map_keys);
        }
        match self.patch_merge_key() {
            Some(key) => (strategy, MergeKeys::Single(key)),
            None => (strategy, MergeKeys::None),
        }
    }

    /// True when the patch strategy includes `merge` (kyaml's test for an associative list).
    pub fn has_merge_strategy(&self) -> bool {
        self.patch_strategy().split(',').any(|s| s == "merge")
    }

    /// True when the patch strategy includes `retainKeys`.
    pub fn retains_keys(&self) -> bool {
        self.patch_strategy().split(',').any(|s| s == "retainKeys")
    }
}

fn builtin_node(node: u16) -> Option<&'static NodeRow> {
    generated::NODES.get(usize::from(node))
}

fn builtin_field(node: u16, name: &str) -> Option<u16> {
    let Kind::Object(def) = builtin_node(node)?.kind else {
        return None;
    };
    builtin_def_field(def, name)
}

/// Field `name` of builtin definition `def`, falling back to its map value schema.
pub(crate) fn builtin_def_field(def: u16, name: &str) -> Option<u16> {
    let def = generated::DEFS.get(usize::from(def))?;
    let start = usize::from(def.first_field);
    let fields = generated::FIELDS.get(start..start + usize::from(def.field_count))?;
    match fields.binary_search_by(|f| f.name.cmp(name)) {
        Ok(i) => Some(fields[i].node),
        Err(_) => def.additional,
    }
}

/// The index of the named builtin definition (`io.k8s.api.core.v1.Container`).
pub(crate) fn builtin_definition(name: &str) -> Option<u16> {
    let named = generated::DEFS.partition_point(|d| !d.name.is_empty());
    let index = generated::DEFS[..named]
        .binary_search_by(|d| d.name.cmp(name))
        .ok()?;
    u16::try_from(index).ok()
}

fn builtin_resource(api_version: &str, kind: &str) -> Option<&'static table::ResourceRow> {
    let i = generated::RESOURCES
        .binary_search_by(|r| (r.api_version, r.kind).cmp(&(api_version, kind)))
        .ok()?;
    generated::RESOURCES.get(i)
}

/// The builtin schema of a resource type, if Kubernetes v1.21.2 defines it.
pub fn schema_for(api_version: &str, kind: &str) -> Option<SchemaRef<'static>> {
    builtin_resource(api_version, kind)?.node.map(SchemaRef::builtin)
}

/// Whether a builtin resource type is namespaced; `None` when its scope is
/// unknown (CRDs and other kinds kustomize treats as namespaced).
pub fn is_namespaced(api_version: &str, kind: &str) -> Option<bool> {
    builtin_resource(api_version, kind)?.namespaced
}

/// kyaml's `IsCertainlyClusterScoped`: known and not namespaced.
pub fn is_certainly_cluster_scoped(api_version: &str, kind: &str) -> bool {
    is_namespaced(api_version, kind) == Some(false)
}

/// The only builtin schema version (the one kustomize v5.5 embeds).
pub const BUILTIN_VERSION: &str = "v1.21.2";

/// The schemas one build uses: the builtin table, plus definitions a
/// kustomization supplies. Cheap to create; borrow it for every merge.
#[derive(Debug, Clone, Default)]
pub struct Schemas {
    extra: Option<ExtraSchemas>,
    without_builtin: bool,
}

impl Schemas {
    /// Only the builtin Kubernetes v1.21.2 table.
    pub fn builtin() -> Schemas {
        Schemas::default()
    }

    /// The builtin table plus `extra`, whose definitions win (as later
    /// `AddDefinitions` calls do in kyaml). With `replace_builtin`, `extra`
    /// alone: that is what kustomize's `openapi: path:` does (checked with
    /// `kubectl kustomize`: builtin kinds then merge lists by replacement, and
    /// `$ref`s to builtin definitions resolve to nothing).
    pub fn with_extra(mut extra: ExtraSchemas, replace_builtin: bool) -> Schemas {
        extra.link_builtin = !replace_builtin;
        Schemas {
            extra: Some(extra),
            without_builtin: replace_builtin,
        }
    }

    /// What a kustomization's `openapi:` field selects: `None` when it sets
    /// nothing (kustomize then keeps the schema chosen before: the top
    /// kustomization's, else the first base's that sets one, else the builtin);
    /// the builtin table for `version: v1.21.2`; the parsed `path:` document alone.
    pub fn from_openapi_field(
        version: Option<&str>,
        custom: Option<ExtraSchemas>,
    ) -> Result<Option<Schemas>, SchemaError> {
        match (version, custom) {
            (Some(_), Some(_)) => Err(SchemaError::VersionAndPath),
            (None, Some(extra)) => Ok(Some(Schemas::with_extra(extra, true))),
            (Some(""), None) | (None, None) => Ok(None),
            (Some(BUILTIN_VERSION), None) => Ok(Some(Schemas::builtin())),
            (Some(other), None) => Err(SchemaError::UnknownVersion {
                version: other.to_owned(),
            }),
        }
    }

    /// The schema of a resource type.
    pub fn schema_for(&self, api_version: &str, kind: &str) -> Option<SchemaRef<'_>> {
        if let Some(found) = self.extra.as_ref().and_then(|e| e.schema_for(api_version, kind)) {
            return Some(found);
        }
        if self.without_builtin {
            return None;
        }
        schema_for(api_version, kind)
    }

    /// Whether a resource type is namespaced, when known. kyaml consults its
    /// precomputed builtin scopes first, even under a custom schema.
    pub fn is_namespaced(&self, api_version: &str, kind: &str) -> Option<bool> {
        is_namespaced(api_version, kind).or_else(|| {
            self.extra
                .as_ref()
                .and_then(|e| e.is_namespaced(api_version, kind))
        })
    }

    /// kyaml's `IsCertainlyClusterScoped` under these schemas.
    pub fn is_certainly_cluster_scoped(&self, api_version: &str, kind: &str) -> bool {
        self.is_namespaced(api_version, kind) == Some(false)
    }
}

#[cfg(test)]
mod tests;
