//! Definitions a kustomization adds (`openapi:` schema files, `crds:`),
//! parsed once from their JSON form into an owned table shaped like the
//! builtin one. `$ref`s may point at builtin definitions (ObjectMeta, …).

use std::collections::HashMap;

use serde_json::Value;

use super::{SchemaRef, ValueKind};

/// A schema document that could not be used.
#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    /// The document is not an object with a `definitions` object.
    #[error("OpenAPI schema {source_name}: {message}")]
    Invalid {
        /// Where the schema came from (a file name).
        source_name: String,
        /// What is wrong.
        message: String,
    },
    /// `openapi:` names both a builtin `version` and a custom `path`.
    #[error("builtin version and custom schema provided, cannot use both")]
    VersionAndPath,
    /// `openapi: version:` names a schema kustomize does not embed.
    #[error("the specified OpenAPI version is not built in: {version}")]
    UnknownVersion {
        /// The version asked for.
        version: String,
    },
}

impl SchemaError {
    /// The CamelCase reason for conditions, events and metrics.
    pub fn reason(&self) -> &'static str {
        match self {
            SchemaError::Invalid { .. } => "InvalidOpenAPISchema",
            SchemaError::VersionAndPath => "OpenAPIVersionAndPath",
            SchemaError::UnknownVersion { .. } => "UnknownOpenAPIVersion",
        }
    }
}

#[derive(Debug, Clone)]
enum ExtraKind {
    Object(u32),
    BuiltinDef(u16),
    Array(Option<u32>),
    Primitive,
    Any,
}

#[derive(Debug, Clone)]
struct ExtraNode {
    kind: ExtraKind,
    strategy: String,
    merge_key: String,
    map_keys: Vec<String>,
    list_type: String,
}

#[derive(Debug, Clone, Default)]
struct ExtraDef {
    fields: HashMap<String, u32>,
    additional: Option<u32>,
}

/// Extra definitions, indexed like the builtin table.
#[derive(Debug, Clone, Default)]
pub struct ExtraSchemas {
    nodes: Vec<ExtraNode>,
    defs: Vec<ExtraDef>,
    resources: HashMap<(String, String), u32>,
    namespaced: HashMap<(String, String), bool>,
    /// Whether `$ref`s to builtin definitions resolve (not when this schema replaces the builtin one).
    pub(super) link_builtin: bool,
}

/// Deeper inline nesting than this is treated as "any" (and cannot recurse forever).
const MAX_DEPTH: usize = 64;

impl ExtraSchemas {
    /// Parses a swagger document's `definitions` (and `paths`, for scope).
    pub fn from_json(doc: &Value, source_name: &str) -> Result<ExtraSchemas, SchemaError> {
        let invalid = |message: &str| SchemaError::Invalid {
            source_name: source_name.to_owned(),
            message: message.to_owned(),
        };
        let definitions = doc
            .get("definitions")
            .and_then(Value::as_object)
            .ok_or_else(|| invalid("it has no `definitions` object"))?;
        let mut table = ExtraSchemas::default();
        let mut named: HashMap<&str, u32> = HashMap::new();
        for (name, body) in definitions {
            if is_object(body) {
                named.insert(name, table.push_def());
            }
        }
        let mut builder = Builder {
            definitions,
            named: &named,
        };
        for (name, body) in definitions {
            if let Some(&def) = named.get(name.as_str()) {
                builder.fill_def(&mut table, def, body, 0);
            }
        }
        for (name, body) in definitions {
            let gvks = body
                .get("x-kubernetes-group-version-kind")
                .and_then(Value::as_array);
            for gvk in gvks.into_iter().flatten() {
                let Some(id) = type_meta(gvk) else { continue };
                let node = builder.node(
                    &mut table,
                    &Value::String(format!("#/definitions/{name}")),
                    0,
                    true,
                );
                table.resources.insert(id, node);
            }
        }
        table.find_namespaceability(doc.get("paths"));
        Ok(table)
    }

    fn find_namespaceability(&mut self, paths: Option<&Value>) {
        let Some(paths) = paths.and_then(Value::as_object) else {
            return;
        };
        for (path, info) in paths {
            let gvk = info
                .get("get")
                .and_then(|g| g.get("x-kubernetes-group-version-kind"));
            let Some(id) = gvk.and_then(type_meta) else {
                continue;
            };
            if path.contains("namespaces/{namespace}") {
                self.namespaced.insert(id, true);
            } else {
                self.namespaced.entry(id).or_insert(false);
            }
        }
    }

    fn push_def(&mut self) -> u32 {
        self.defs.push(ExtraDef::default());
        u32::try_from(self.defs.len() - 1).unwrap_or(u32::MAX)
    }

    fn push_node(&mut self, node: ExtraNode) -> u32 {
        self.nodes.push(node);
        u32::try_from(self.nodes.len() - 1).unwrap_or(u32::MAX)
    }

    pub(super) fn schema_for(&self, api_version: &str, kind: &str) -> Option<SchemaRef<'_>> {
        let node = *self.resources.get(&(api_version.to_owned(), kind.to_owned()))?;
        Some(SchemaRef::extra(self, node))
    }

    pub(super) fn is_namespaced(&self, api_version: &str, kind: &str) -> Option<bool> {
        self.namespaced
            .get(&(api_version.to_owned(), kind.to_owned()))
            .copied()
    }

    fn node(&self, node: u32) -> Option<&ExtraNode> {
        self.nodes.get(usize::try_from(node).ok()?)
    }

    pub(super) fn field(&self, node: u32, name: &str) -> Option<SchemaRef<'_>> {
        match self.node(node)?.kind {
            ExtraKind::Object(def) => {
                let def = self.defs.get(usize::try_from(def).ok()?)?;
                let found = def.fields.get(name).copied().or(def.additional)?;
                Some(SchemaRef::extra(self, found))
            }
            ExtraKind::BuiltinDef(def) if self.link_builtin => {
                super::builtin_def_field(def, name).map(SchemaRef::builtin)
            }
            _ => None,
        }
    }

    pub(super) fn elements(&self, node: u32) -> Option<SchemaRef<'_>> {
        match self.node(node)?.kind {
            ExtraKind::Array(items) => items.map(|i| SchemaRef::extra(self, i)),
            _ => None,
        }
    }

    pub(super) fn kind(&self, node: u32) -> ValueKind {
        match self.node(node).map(|n| &n.kind) {
            Some(ExtraKind::Object(_)) => ValueKind::Object,
            Some(ExtraKind::BuiltinDef(_)) if self.link_builtin => ValueKind::Object,
            Some(ExtraKind::Array(_)) => ValueKind::Array,
            Some(ExtraKind::Primitive) => ValueKind::Primitive,
            Some(ExtraKind::Any | ExtraKind::BuiltinDef(_)) | None => ValueKind::Any,
        }
    }

    pub(super) fn strategy(&self, node: u32) -> &str {
        self.node(node).map_or("", |n| &n.strategy)
    }

    pub(super) fn merge_key(&self, node: u32) -> &str {
        self.node(node).map_or("", |n| &n.merge_key)
    }

    pub(super) fn map_keys(&self, node: u32) -> &[String] {
        self.node(node).map_or(&[], |n| &n.map_keys)
    }

    pub(super) fn list_type(&self, node: u32) -> &str {
        self.node(node).map_or("", |n| &n.list_type)
    }
}

struct Builder<'a> {
    definitions: &'a serde_json::Map<String, Value>,
    named: &'a HashMap<&'a str, u32>,
}

impl Builder<'_> {
    fn fill_def(&mut self, table: &mut ExtraSchemas, def: u32, body: &Value, depth: usize) {
        let mut filled = ExtraDef::default();
        if let Some(props) = body.get("properties").and_then(Value::as_object) {
            for (field, schema) in props {
                let node = self.node(table, schema, depth + 1, false);
                filled.fields.insert(field.clone(), node);
            }
        }
        if let Some(schema @ Value::Object(_)) = body.get("additionalProperties") {
            filled.additional = Some(self.node(table, schema, depth + 1, false));
        }
        if let Some(slot) = usize::try_from(def).ok().and_then(|d| table.defs.get_mut(d)) {
            *slot = filled;
        }
    }

    /// The node for `schema`; with `is_ref`, `schema` is a bare `$ref` string.
    fn node(&mut self, table: &mut ExtraSchemas, schema: &Value, depth: usize, is_ref: bool) -> u32 {
        let plain = |kind| ExtraNode {
            kind,
            strategy: String::new(),
            merge_key: String::new(),
            map_keys: Vec::new(),
            list_type: String::new(),
        };
        let reference = if is_ref {
            schema.as_str()
        } else {
            schema.get("$ref").and_then(Value::as_str)
        };
        if depth > MAX_DEPTH {
            return table.push_node(plain(ExtraKind::Any));
        }
        if let Some(reference) = reference {
            let name = reference.strip_prefix("#/definitions/").unwrap_or(reference);
            if let Some(&def) = self.named.get(name) {
                return table.push_node(plain(ExtraKind::Object(def)));
            }
            if let Some(body) = self.definitions.get(name) {
                return self.node(table, body, depth + 1, false);
            }
            if let Some(def) = super::builtin_definition(name) {
                return table.push_node(plain(ExtraKind::BuiltinDef(def)));
            }
            return table.push_node(plain(ExtraKind::Any));
        }
        let kind = if schema.get("type").and_then(Value::as_str) == Some("array") {
            match schema.get("items") {
                Some(items @ Value::Object(_)) => {
                    ExtraKind::Array(Some(self.node(table, items, depth + 1, false)))
                }
                _ => ExtraKind::Array(None),
            }
        } else if is_object(schema) {
            let def = table.push_def();
            self.fill_def(table, def, schema, depth + 1);
            ExtraKind::Object(def)
        } else if schema.get("type").is_some() {
            ExtraKind::Primitive
        } else {
            ExtraKind::Any
        };
        let text = |key: &str| {
            schema
                .get(key)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        let map_keys = schema
            .get("x-kubernetes-list-map-keys")
            .and_then(Value::as_array)
            .map(|keys| keys.iter().filter_map(Value::as_str).map(str::to_owned).collect())
            .unwrap_or_default();
        table.push_node(ExtraNode {
            kind,
            strategy: text("x-kubernetes-patch-strategy"),
            merge_key: text("x-kubernetes-patch-merge-key"),
            map_keys,
            list_type: text("x-kubernetes-list-type"),
        })
    }
}

fn is_object(schema: &Value) -> bool {
    let typed_object = schema.get("type").and_then(Value::as_str) == Some("object");
    typed_object || schema.get("properties").is_some() || schema.get("additionalProperties").is_some()
}

/// `{group, version, kind}` → (apiVersion, kind).
fn type_meta(gvk: &Value) -> Option<(String, String)> {
    let gvk = match gvk {
        Value::Array(list) => list.first()?,
        other => other,
    };
    let version = gvk.get("version")?.as_str()?;
    let kind = gvk.get("kind")?.as_str()?.to_owned();
    let api_version = match gvk.get("group").and_then(Value::as_str) {
        Some(group) if !group.is_empty() => format!("{group}/{version}"),
        _ => version.to_owned(),
    };
    Some((api_version, kind))
}
