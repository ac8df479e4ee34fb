//! Row types of the static schema table in `generated.rs`.
//!
//! Definitions, fields and schema nodes refer to each other by index so a
//! definition used in many places (ObjectMeta, Container) is stored once.

/// What a schema node describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An object: index into the generated `DEFS` table.
    Object(u16),
    /// An array: the items' node index, if the schema gives one.
    Array(Option<u16>),
    /// A string, number, integer or boolean.
    Primitive,
    /// A schema without a usable type (e.g. preserve-unknown-fields).
    Any,
}

/// One schema node: its kind plus the list-merge extensions set on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodeRow {
    /// What the node is.
    pub kind: Kind,
    /// `x-kubernetes-patch-strategy` as written (`merge`, `retainKeys`, `merge,retainKeys`, …), or "".
    pub strategy: &'static str,
    /// `x-kubernetes-patch-merge-key`, or "".
    pub merge_key: &'static str,
    /// `x-kubernetes-list-map-keys`.
    pub map_keys: &'static [&'static str],
    /// `x-kubernetes-list-type` (`atomic`, `set`, `map`), or "".
    pub list_type: &'static str,
}

/// One object definition: a run of [`FieldRow`]s sorted by name, plus the
/// node of its `additionalProperties` (the value schema of a map).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DefRow {
    /// The definition's name (`io.k8s.api.core.v1.Container`); "" for inline objects.
    pub name: &'static str,
    /// Index of its first field in `FIELDS`.
    pub first_field: u16,
    /// How many fields it has.
    pub field_count: u16,
    /// `additionalProperties` node, for maps.
    pub additional: Option<u16>,
}

/// One property of a definition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldRow {
    /// The property name.
    pub name: &'static str,
    /// Its schema node.
    pub node: u16,
}

/// One apiVersion/kind: its top-level node and scope (either may be unknown).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResourceRow {
    /// `apps/v1`, `v1`, …
    pub api_version: &'static str,
    /// `Deployment`, …
    pub kind: &'static str,
    /// The resource's schema node (from `x-kubernetes-group-version-kind`).
    pub node: Option<u16>,
    /// Namespace scope, when the bundle records it.
    pub namespaced: Option<bool>,
}
