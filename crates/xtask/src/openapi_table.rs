//! Turns kustomize's OpenAPI bundle into the renderer's static schema table.
//!
//! The lookup rules follow kyaml's `openapi` package: a resource's schema is
//! found through the `x-kubernetes-group-version-kind` extension of its
//! definition, a `$ref` is replaced by the referenced schema (extensions next
//! to a `$ref` are lost there, so they are dropped here too), and the scope
//! comes from the bundle's `resources` list.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::io::Read as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};
use serde_json::Value;

/// The bundle, relative to the xtask crate.
pub const BUNDLE: &str = "data/kubernetes-openapi-union-v1.21.2.bundle-v1.json.gz";
/// kustomize's schema for its own config kinds, relative to the xtask crate.
pub const KUSTOMIZATION_SCHEMA: &str = "data/kustomizationapi-swagger.json";
/// The generated file, relative to the workspace root.
pub const OUTPUT: &str = "crates/kustomize/src/openapi/generated.rs";

/// The bundle's path.
pub fn bundle_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(BUNDLE)
}

/// The kustomization schema's path.
pub fn kustomization_schema_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(KUSTOMIZATION_SCHEMA)
}

/// The generated file's path.
pub fn output_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(OUTPUT)
}

/// Reads the gzipped bundle plus kustomize's own schema and renders `generated.rs`.
pub fn generate(bundle: &Path, kustomization_schema: &Path) -> Result<String> {
    let file = std::fs::File::open(bundle).with_context(|| format!("opening {}", bundle.display()))?;
    let mut json = String::new();
    flate2::read::GzDecoder::new(file)
        .read_to_string(&mut json)
        .with_context(|| format!("decompressing {}", bundle.display()))?;
    let mut doc: Value =
        serde_json::from_str(&json).with_context(|| format!("parsing {}", bundle.display()))?;
    // kyaml adds kustomize's own definitions after the Kubernetes ones.
    let extra = std::fs::read_to_string(kustomization_schema)
        .with_context(|| format!("reading {}", kustomization_schema.display()))?;
    let extra: Value = serde_json::from_str(&extra)
        .with_context(|| format!("parsing {}", kustomization_schema.display()))?;
    if let (Some(defs), Some(more)) = (
        doc.get_mut("definitions").and_then(Value::as_object_mut),
        extra.get("definitions").and_then(Value::as_object),
    ) {
        for (name, body) in more {
            defs.insert(name.clone(), body.clone());
        }
    }
    let mut builder = Builder::new(&doc)?;
    builder.build_named()?;
    let resources = builder.resources(&doc)?;
    Ok(builder.render(&resources))
}

#[derive(Clone, PartialEq, Eq, Hash)]
enum Kind {
    Object(usize),
    Array(Option<usize>),
    Primitive,
    Any,
}

#[derive(Clone, PartialEq, Eq, Hash)]
struct Node {
    kind: Kind,
    strategy: String,
    merge_key: String,
    map_keys: Vec<String>,
    list_type: String,
}

#[derive(Clone, PartialEq, Eq, Hash)]
struct Def {
    name: String,
    fields: Vec<(String, usize)>,
    additional: Option<usize>,
}

struct Resource {
    api_version: String,
    kind: String,
    node: Option<usize>,
    namespaced: Option<bool>,
}

struct Builder<'a> {
    definitions: &'a serde_json::Map<String, Value>,
    def_index: BTreeMap<&'a str, usize>,
    defs: Vec<Option<Def>>,
    anonymous: HashMap<Def, usize>,
    nodes: Vec<Node>,
    node_index: HashMap<Node, usize>,
}

impl<'a> Builder<'a> {
    fn new(doc: &'a Value) -> Result<Self> {
        let Some(definitions) = doc.get("definitions").and_then(Value::as_object) else {
            bail!("the bundle has no `definitions` object");
        };
        // Named definitions take the first indices, in name order, so their
        // index is stable and `DEFS` can be binary-searched by name.
        let def_index: BTreeMap<&str, usize> = definitions
            .iter()
            .filter(|(_, body)| is_object(body))
            .map(|(name, _)| name.as_str())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .enumerate()
            .map(|(i, name)| (name, i))
            .collect();
        Ok(Builder {
            definitions,
            defs: vec![None; def_index.len()],
            def_index,
            anonymous: HashMap::new(),
            nodes: Vec::new(),
            node_index: HashMap::new(),
        })
    }

    fn build_named(&mut self) -> Result<()> {
        let names: Vec<(&'a str, usize)> = self.def_index.iter().map(|(n, i)| (*n, *i)).collect();
        for (name, index) in names {
            let body = &self.definitions[name];
            let def = self.object_def(name, body)?;
            self.defs[index] = Some(def);
        }
        Ok(())
    }

    fn object_def(&mut self, name: &str, body: &Value) -> Result<Def> {
        let mut fields = Vec::new();
        if let Some(props) = body.get("properties").and_then(Value::as_object) {
            for (field, schema) in props {
                fields.push((field.clone(), self.node(schema)?));
            }
        }
        fields.sort_by(|a, b| a.0.cmp(&b.0));
        let additional = match body.get("additionalProperties") {
            Some(schema @ Value::Object(_)) => Some(self.node(schema)?),
            _ => None,
        };
        Ok(Def {
            name: name.to_owned(),
            fields,
            additional,
        })
    }

    /// The node for a schema: `$ref`s resolve to the referenced schema.
    fn node(&mut self, schema: &Value) -> Result<usize> {
        if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
            let Some(name) = reference.strip_prefix("#/definitions/") else {
                bail!("unsupported $ref {reference}");
            };
            if let Some(&index) = self.def_index.get(name) {
                return Ok(self.intern(plain(Kind::Object(index))));
            }
            let Some(target) = self.definitions.get(name) else {
                bail!("dangling $ref {reference}");
            };
            return self.node(target);
        }
        let kind = if schema.get("type").and_then(Value::as_str) == Some("array") {
            match schema.get("items") {
                Some(items @ Value::Object(_)) => Kind::Array(Some(self.node(items)?)),
                _ => Kind::Array(None),
            }
        } else if is_object(schema) {
            let def = self.object_def("", schema)?;
            Kind::Object(self.anonymous_def(def))
        } else if schema.get("type").is_some() {
            Kind::Primitive
        } else {
            Kind::Any
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
        Ok(self.intern(Node {
            kind,
            strategy: text("x-kubernetes-patch-strategy"),
            merge_key: text("x-kubernetes-patch-merge-key"),
            map_keys,
            list_type: text("x-kubernetes-list-type"),
        }))
    }

    fn anonymous_def(&mut self, def: Def) -> usize {
        if let Some(&index) = self.anonymous.get(&def) {
            return index;
        }
        self.defs.push(Some(def.clone()));
        let index = self.defs.len() - 1;
        self.anonymous.insert(def, index);
        index
    }

    fn intern(&mut self, node: Node) -> usize {
        if let Some(&index) = self.node_index.get(&node) {
            return index;
        }
        self.nodes.push(node.clone());
        self.node_index.insert(node, self.nodes.len() - 1);
        self.nodes.len() - 1
    }

    /// Resources by apiVersion/kind: schemas from the GVK extension, scopes from `resources`.
    fn resources(&mut self, doc: &Value) -> Result<Vec<Resource>> {
        let mut by_id: BTreeMap<(String, String), Resource> = BTreeMap::new();
        let definitions = self.definitions;
        for (name, body) in definitions {
            let gvks = body
                .get("x-kubernetes-group-version-kind")
                .and_then(Value::as_array);
            for gvk in gvks.into_iter().flatten() {
                let field = |key: &str| gvk.get(key).and_then(Value::as_str).unwrap_or_default();
                let api_version = match field("group") {
                    "" => field("version").to_owned(),
                    group => format!("{group}/{}", field("version")),
                };
                let node = match self.def_index.get(name.as_str()) {
                    Some(&index) => self.intern(plain(Kind::Object(index))),
                    None => self.node(body)?,
                };
                let id = (api_version.clone(), field("kind").to_owned());
                if by_id.contains_key(&id) {
                    bail!("two definitions claim {}/{}", id.0, id.1);
                }
                let row = Resource {
                    api_version,
                    kind: id.1.clone(),
                    node: Some(node),
                    namespaced: None,
                };
                by_id.insert(id, row);
            }
        }
        let listed = doc
            .get("resources")
            .and_then(Value::as_array)
            .context("no `resources` list")?;
        for entry in listed {
            let field = |key: &str| {
                entry
                    .get(key)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned()
            };
            let namespaced = match field("scope").as_str() {
                "Namespaced" => Some(true),
                "Cluster" => Some(false),
                _ => None,
            };
            let id = (field("apiVersion"), field("kind"));
            let row = by_id.entry(id.clone()).or_insert(Resource {
                api_version: id.0,
                kind: id.1,
                node: None,
                namespaced: None,
            });
            row.namespaced = namespaced;
        }
        Ok(by_id.into_values().collect())
    }

    fn render(&self, resources: &[Resource]) -> String {
        let mut out = String::new();
        out.push_str("// @generated by `cargo xtask gen-openapi-table` from\n");
        out.push_str("// crates/xtask/data/kubernetes-openapi-union-v1.21.2.bundle-v1.json.gz and\n");
        out.push_str("// crates/xtask/data/kustomizationapi-swagger.json (kustomize, Apache-2.0).\n");
        out.push_str(
            "// Do not edit: regenerate instead. `cargo xtask check-generated` keeps it current.\n\n",
        );
        out.push_str("use super::table::{DefRow, FieldRow, Kind, NodeRow, ResourceRow};\n\n");

        let _ = writeln!(
            out,
            "/// Schema nodes.\npub static NODES: [NodeRow; {}] = [",
            self.nodes.len()
        );
        for node in &self.nodes {
            let kind = match node.kind {
                Kind::Object(d) => format!("Kind::Object({d})"),
                Kind::Array(Some(n)) => format!("Kind::Array(Some({n}))"),
                Kind::Array(None) => "Kind::Array(None)".to_owned(),
                Kind::Primitive => "Kind::Primitive".to_owned(),
                Kind::Any => "Kind::Any".to_owned(),
            };
            let keys: Vec<String> = node.map_keys.iter().map(|k| format!("{k:?}")).collect();
            let _ = writeln!(
                out,
                "    NodeRow {{ kind: {kind}, strategy: {:?}, merge_key: {:?}, map_keys: &[{}], list_type: {:?} }},",
                node.strategy,
                node.merge_key,
                keys.join(", "),
                node.list_type
            );
        }
        out.push_str("];\n\n");

        let mut fields = String::new();
        let mut field_count = 0usize;
        let _ = writeln!(
            out,
            "/// Object definitions (named ones first, sorted by name).\npub static DEFS: [DefRow; {}] = [",
            self.defs.len()
        );
        for def in self.defs.iter().flatten() {
            let additional = match def.additional {
                Some(n) => format!("Some({n})"),
                None => "None".to_owned(),
            };
            let _ = writeln!(
                out,
                "    DefRow {{ name: {:?}, first_field: {field_count}, field_count: {}, additional: {additional} }},",
                def.name,
                def.fields.len()
            );
            for (name, node) in &def.fields {
                let _ = writeln!(fields, "    FieldRow {{ name: {name:?}, node: {node} }},");
            }
            field_count += def.fields.len();
        }
        out.push_str("];\n\n");
        let _ = writeln!(
            out,
            "/// Fields of all definitions, each definition's run sorted by name.\npub static FIELDS: [FieldRow; {field_count}] = ["
        );
        out.push_str(&fields);
        out.push_str("];\n\n");

        let _ = writeln!(
            out,
            "/// Resources sorted by (apiVersion, kind).\npub static RESOURCES: [ResourceRow; {}] = [",
            resources.len()
        );
        for r in resources {
            let node = r.node.map_or("None".to_owned(), |n| format!("Some({n})"));
            let namespaced = r.namespaced.map_or("None".to_owned(), |n| format!("Some({n})"));
            let _ = writeln!(
                out,
                "    ResourceRow {{ api_version: {:?}, kind: {:?}, node: {node}, namespaced: {namespaced} }},",
                r.api_version, r.kind
            );
        }
        out.push_str("];\n");
        out
    }
}

fn plain(kind: Kind) -> Node {
    Node {
        kind,
        strategy: String::new(),
        merge_key: String::new(),
        map_keys: Vec::new(),
        list_type: String::new(),
    }
}

/// kyaml treats a schema as an object when it has properties or a map value schema.
fn is_object(schema: &Value) -> bool {
    let typed_object = schema.get("type").and_then(Value::as_str) == Some("object");
    typed_object || schema.get("properties").is_some() || schema.get("additionalProperties").is_some()
}
