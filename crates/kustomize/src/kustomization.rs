//! The kustomization file model (kustomize `api/types`), read strictly:
//! an unknown field is an error that suggests the closest known name.
//!
//! Reading goes YAML → JSON → struct like kustomize (`YAMLToJSON` then a
//! JSON decoder with unknown fields disallowed), so whatever kustomize's
//! lenient YAML step accepts (a repeated key, last one wins) we accept too.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::error::Error;
use crate::yaml::Node;

/// `kind` of a kustomization.
pub const KUSTOMIZATION_KIND: &str = "Kustomization";
/// `kind` of a component.
pub const COMPONENT_KIND: &str = "Component";
/// `apiVersion` of a kustomization.
pub const KUSTOMIZATION_VERSION: &str = "kustomize.config.k8s.io/v1beta1";
/// `apiVersion` of a component.
pub const COMPONENT_VERSION: &str = "kustomize.config.k8s.io/v1alpha1";

/// A kustomization file.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase", default)]
pub struct Kustomization {
    /// `kind`.
    pub kind: String,
    /// `apiVersion`.
    pub api_version: String,
    /// `metadata`.
    pub metadata: Option<ObjectMeta>,
    /// `openapi`.
    pub openapi: BTreeMap<String, String>,
    /// `namePrefix`.
    pub name_prefix: String,
    /// `nameSuffix`.
    pub name_suffix: String,
    /// `namespace`.
    pub namespace: String,
    /// `commonLabels`.
    pub common_labels: BTreeMap<String, String>,
    /// `labels`.
    pub labels: Vec<Label>,
    /// `commonAnnotations`.
    pub common_annotations: BTreeMap<String, String>,
    /// `patchesStrategicMerge`.
    pub patches_strategic_merge: Vec<String>,
    /// `patchesJson6902`.
    pub patches_json6902: Vec<Patch>,
    /// `patches`.
    pub patches: Vec<Patch>,
    /// `images`.
    pub images: Vec<Image>,
    /// `imageTags`.
    pub image_tags: Vec<Image>,
    /// `replacements`.
    pub replacements: Vec<ReplacementField>,
    /// `replicas`.
    pub replicas: Vec<Replica>,
    /// `vars`.
    pub vars: Vec<Var>,
    /// `sortOptions`.
    pub sort_options: Option<SortOptions>,
    /// `resources`.
    pub resources: Vec<String>,
    /// `components`.
    pub components: Vec<String>,
    /// `crds`.
    pub crds: Vec<String>,
    /// `bases`.
    pub bases: Vec<String>,
    /// `configMapGenerator`.
    pub config_map_generator: Vec<GeneratorArgs>,
    /// `secretGenerator`.
    pub secret_generator: Vec<GeneratorArgs>,
    /// `helmGlobals`.
    pub helm_globals: Option<serde_json::Value>,
    /// `helmCharts`.
    pub helm_charts: Vec<serde_json::Value>,
    /// `helmChartInflationGenerator`.
    pub helm_chart_inflation_generator: Vec<serde_json::Value>,
    /// `generatorOptions`.
    pub generator_options: Option<GeneratorOptions>,
    /// `configurations`.
    pub configurations: Vec<String>,
    /// `generators`.
    pub generators: Vec<String>,
    /// `transformers`.
    pub transformers: Vec<String>,
    /// `validators`.
    pub validators: Vec<String>,
    /// `buildMetadata`.
    pub build_metadata: Vec<String>,
}

/// `metadata` of a kustomization (ignored by the build).
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ObjectMeta {
    /// `name`.
    pub name: String,
    /// `namespace`.
    pub namespace: String,
    /// `labels`.
    pub labels: BTreeMap<String, String>,
    /// `annotations`.
    pub annotations: BTreeMap<String, String>,
}

/// One `labels` entry.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase", default)]
pub struct Label {
    /// `pairs`.
    pub pairs: BTreeMap<String, String>,
    /// `includeSelectors`.
    pub include_selectors: bool,
    /// `includeTemplates`.
    pub include_templates: bool,
    /// `includeVolumeClaimTemplates` (newer than kustomize v5.5; the shared cases use it).
    pub include_volume_claim_templates: bool,
    /// `fields`.
    pub fields: Vec<FieldSpec>,
}

/// Where a transformer writes: a GVK filter plus a `/`-separated path.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct FieldSpec {
    /// `group`.
    pub group: String,
    /// `version`.
    pub version: String,
    /// `kind`.
    pub kind: String,
    /// `path`.
    pub path: String,
    /// `create`.
    pub create: bool,
}

/// A `patches` (or `patchesJson6902`) entry.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Patch {
    /// `path`.
    pub path: String,
    /// `patch`.
    pub patch: String,
    /// `target`.
    pub target: Option<Selector>,
    /// `options`.
    pub options: Option<PatchOptions>,
}

/// `patches[].options`.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase", default)]
pub struct PatchOptions {
    /// `allowNameChange`.
    pub allow_name_change: bool,
    /// `allowKindChange`.
    pub allow_kind_change: bool,
}

/// Selects resources: GVK, name and namespace (regular expressions in
/// patches), label and annotation selectors.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq, Hash)]
#[serde(deny_unknown_fields, rename_all = "camelCase", default)]
pub struct Selector {
    /// `group`.
    pub group: String,
    /// `version`.
    pub version: String,
    /// `kind`.
    pub kind: String,
    /// `name`.
    pub name: String,
    /// `namespace`.
    pub namespace: String,
    /// `annotationSelector`.
    pub annotation_selector: String,
    /// `labelSelector`.
    pub label_selector: String,
}

/// An `images` entry.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase", default)]
pub struct Image {
    /// `name`.
    pub name: String,
    /// `newName`.
    pub new_name: String,
    /// `tagSuffix`.
    pub tag_suffix: String,
    /// `newTag`.
    pub new_tag: String,
    /// `digest`.
    pub digest: String,
}

/// A `replicas` entry.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Replica {
    /// `name`.
    pub name: String,
    /// `count`.
    pub count: i64,
}

/// A legacy `vars` entry.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Var {
    /// `name`.
    pub name: String,
    /// `objref`.
    pub objref: VarTarget,
    /// `fieldref`.
    pub fieldref: FieldSelector,
}

/// The object a var reads from.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase", default)]
pub struct VarTarget {
    /// `group`.
    pub group: String,
    /// `version`.
    pub version: String,
    /// `kind`.
    pub kind: String,
    /// `apiVersion`.
    pub api_version: String,
    /// `name`.
    pub name: String,
    /// `namespace`.
    pub namespace: String,
}

/// The field a var reads.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase", default)]
pub struct FieldSelector {
    /// `fieldPath`.
    pub field_path: String,
}

/// A `replacements` entry: inline, or `path` to a file of replacements.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase", default)]
pub struct ReplacementField {
    /// `path`.
    pub path: String,
    /// `source`.
    pub source: Option<SourceSelector>,
    /// `targets`.
    pub targets: Vec<TargetSelector>,
    /// `sourceValue`.
    pub source_value: Option<String>,
}

/// A replacement (as read from a `path` file).
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase", default)]
pub struct Replacement {
    /// `source`.
    pub source: Option<SourceSelector>,
    /// `targets`.
    pub targets: Vec<TargetSelector>,
    /// `sourceValue`.
    pub source_value: Option<String>,
}

/// Where a replacement reads its value.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase", default)]
pub struct SourceSelector {
    /// `group`.
    pub group: String,
    /// `version`.
    pub version: String,
    /// `kind`.
    pub kind: String,
    /// `name`.
    pub name: String,
    /// `namespace`.
    pub namespace: String,
    /// `fieldPath`.
    pub field_path: String,
    /// `options`.
    pub options: Option<FieldOptions>,
}

/// Where a replacement writes.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase", default)]
pub struct TargetSelector {
    /// `select`.
    pub select: Option<Selector>,
    /// `reject`.
    pub reject: Vec<Selector>,
    /// `fieldPaths`.
    pub field_paths: Vec<String>,
    /// `options`.
    pub options: Option<FieldOptions>,
}

/// `options` of a replacement source or target.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase", default)]
pub struct FieldOptions {
    /// `delimiter`.
    pub delimiter: String,
    /// `index`.
    pub index: i64,
    /// `encoding`.
    pub encoding: String,
    /// `create`.
    pub create: bool,
}

/// `sortOptions`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase", default)]
pub struct SortOptions {
    /// `order`.
    pub order: String,
    /// `legacySortOptions`.
    pub legacy_sort_options: Option<LegacySortOptions>,
}

/// `sortOptions.legacySortOptions`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase", default)]
pub struct LegacySortOptions {
    /// `orderFirst`.
    pub order_first: Vec<String>,
    /// `orderLast`.
    pub order_last: Vec<String>,
}

/// A `configMapGenerator` or `secretGenerator` entry.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase", default)]
pub struct GeneratorArgs {
    /// `namespace`.
    pub namespace: String,
    /// `name`.
    pub name: String,
    /// `behavior`.
    pub behavior: String,
    /// `literals`.
    pub literals: Vec<String>,
    /// `files`.
    pub files: Vec<String>,
    /// `envs`.
    pub envs: Vec<String>,
    /// `env`.
    pub env: String,
    /// `options`.
    pub options: Option<GeneratorOptions>,
    /// Secret type (secrets only; kustomize rejects nothing here for config maps).
    #[serde(rename = "type")]
    pub type_: String,
}

/// `generatorOptions` or a generator's `options`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase", default)]
pub struct GeneratorOptions {
    /// `labels`.
    pub labels: BTreeMap<String, String>,
    /// `annotations`.
    pub annotations: BTreeMap<String, String>,
    /// `disableNameSuffixHash`.
    pub disable_name_suffix_hash: bool,
    /// `immutable`.
    pub immutable: bool,
}

impl Kustomization {
    /// Reads a kustomization document strictly. `file` is for messages.
    pub fn from_node(node: &Node, file: &Path) -> Result<Kustomization, Error> {
        let json = normalize_keys(strip_nulls(crate::backend::to_json(node)));
        if !json.is_object() && !json.is_null() {
            return Err(invalid(file, "expected a mapping".into()));
        }
        let json = if json.is_null() {
            serde_json::Value::Object(Default::default())
        } else {
            json
        };
        serde_json::from_value(json).map_err(|e| from_serde(file, &e.to_string()))
    }

    /// True when nothing but `apiVersion`/`kind` is set (kustomize's `CheckEmpty`).
    pub fn is_empty(&self) -> bool {
        let bare = Kustomization {
            kind: self.kind.clone(),
            api_version: self.api_version.clone(),
            ..Kustomization::default()
        };
        *self == bare
    }

    /// True for `kind: Component`.
    pub fn is_component(&self) -> bool {
        self.kind == COMPONENT_KIND
    }
}

/// Go's JSON decoder leaves a field alone when its value is null; serde
/// would fail, so nulls inside objects are dropped first.
fn strip_nulls(value: serde_json::Value) -> serde_json::Value {
    match value {
        serde_json::Value::Object(map) => {
            let kept = map
                .into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, strip_nulls(v)));
            serde_json::Value::Object(kept.collect())
        }
        serde_json::Value::Array(items) => {
            serde_json::Value::Array(items.into_iter().map(strip_nulls).collect())
        }
        other => other,
    }
}

/// Decodes a JSON value into a model type the way kustomize does (nulls
/// ignored, field names matched ignoring case, unknown fields rejected).
pub fn decode<T: serde::de::DeserializeOwned>(json: serde_json::Value, file: &Path) -> Result<T, Error> {
    serde_json::from_value(normalize_keys(strip_nulls(json))).map_err(|e| from_serde(file, &e.to_string()))
}

/// Decodes a plugin config leniently, as kustomize's `yaml.Unmarshal` does:
/// keys the model does not know are dropped at every level.
pub fn decode_lenient<T: serde::de::DeserializeOwned>(
    json: serde_json::Value,
    file: &Path,
) -> Result<T, Error> {
    decode(drop_unknown(json), file)
}

fn drop_unknown(value: serde_json::Value) -> serde_json::Value {
    drop_unknown_in(value, FIELD_NAMES)
}

/// Field names of the nested types whose names overlap others' (`name` is
/// not a field spec key).
fn fields_under(key: &str) -> &'static [&'static str] {
    match key {
        "fieldSpecs" | "fields" => &["group", "version", "kind", "path", "create"],
        "target" | "select" | "reject" => &[
            "group",
            "version",
            "kind",
            "name",
            "namespace",
            "annotationSelector",
            "labelSelector",
        ],
        _ => FIELD_NAMES,
    }
}

fn drop_unknown_in(value: serde_json::Value, allowed: &[&str]) -> serde_json::Value {
    match value {
        serde_json::Value::Object(map) => {
            let kept = map
                .into_iter()
                .filter(|(k, _)| allowed.iter().any(|f| f.eq_ignore_ascii_case(k)));
            let kept = kept.map(|(k, v)| {
                let free = FREE_MAPS.contains(&k.as_str()) && v.is_object();
                let v = if free {
                    v
                } else {
                    drop_unknown_in(v, fields_under(&k))
                };
                (k, v)
            });
            serde_json::Value::Object(kept.collect())
        }
        serde_json::Value::Array(items) => {
            serde_json::Value::Array(items.into_iter().map(|v| drop_unknown_in(v, allowed)).collect())
        }
        other => other,
    }
}

/// Every field name of the model (Go matches JSON keys to fields ignoring case).
const FIELD_NAMES: &[&str] = &[
    "allowKindChange",
    "allowNameChange",
    "annotationSelector",
    "annotations",
    "apiVersion",
    "bases",
    "behavior",
    "buildMetadata",
    "commonAnnotations",
    "commonLabels",
    "components",
    "configMapGenerator",
    "configurations",
    "count",
    "crds",
    "create",
    "delimiter",
    "digest",
    "disableNameSuffixHash",
    "encoding",
    "env",
    "envs",
    "fieldPath",
    "fieldPaths",
    "fieldref",
    "fields",
    "files",
    "generatorOptions",
    "generators",
    "group",
    "helmChartInflationGenerator",
    "helmCharts",
    "helmGlobals",
    "imageTags",
    "images",
    "immutable",
    "includeSelectors",
    "includeTemplates",
    "includeVolumeClaimTemplates",
    "index",
    "kind",
    "labelSelector",
    "labels",
    "legacySortOptions",
    "literals",
    "metadata",
    "name",
    "namePrefix",
    "nameSuffix",
    "namespace",
    "newName",
    "newTag",
    "objref",
    "openapi",
    "options",
    "order",
    "orderFirst",
    "orderLast",
    "pairs",
    "patch",
    "patches",
    "patchesJson6902",
    "patchesStrategicMerge",
    "path",
    "reject",
    "replacements",
    "replicas",
    "resources",
    "secretGenerator",
    "select",
    "sortOptions",
    "source",
    "sourceValue",
    "tagSuffix",
    "target",
    "targets",
    "transformers",
    "type",
    "validators",
    "vars",
    "version",
    "prefix",
    "suffix",
    "fieldSpecs",
    "jsonOp",
    "paths",
    "imageTag",
    "replica",
    "unsetOnly",
    "setRoleBindingSubjects",
];

/// Fields holding free-form string maps: their keys are user data.
const FREE_MAPS: &[&str] = &[
    "commonLabels",
    "commonAnnotations",
    "labels",
    "annotations",
    "pairs",
    "openapi",
];

/// Renames keys that match a field name ignoring ASCII case (Go's JSON decoder
/// accepts `fieldpath` for `fieldPath`), leaving user-data maps alone.
fn normalize_keys(value: serde_json::Value) -> serde_json::Value {
    match value {
        serde_json::Value::Object(map) => {
            let renamed = map.into_iter().map(|(k, v)| {
                let key = if FIELD_NAMES.contains(&k.as_str()) {
                    k
                } else {
                    FIELD_NAMES
                        .iter()
                        .find(|f| f.eq_ignore_ascii_case(&k))
                        .map_or(k, |f| (*f).to_owned())
                };
                let free = FREE_MAPS.contains(&key.as_str()) && v.is_object();
                let v = if free { v } else { normalize_keys(v) };
                (key, v)
            });
            serde_json::Value::Object(renamed.collect())
        }
        serde_json::Value::Array(items) => {
            serde_json::Value::Array(items.into_iter().map(normalize_keys).collect())
        }
        other => other,
    }
}

fn invalid(file: &Path, message: String) -> Error {
    Error::Invalid {
        what: "Kustomization",
        file: file.to_path_buf(),
        message,
    }
}

/// Turns serde's "unknown field `x`, expected one of `a`, `b`" into an
/// [`Error::UnknownField`] with the closest candidate.
fn from_serde(file: &Path, message: &str) -> Error {
    let Some(rest) = message.strip_prefix("unknown field `") else {
        return invalid(file, message.to_owned());
    };
    let Some((field, tail)) = rest.split_once('`') else {
        return invalid(file, message.to_owned());
    };
    let candidates: Vec<&str> = tail.split('`').skip(1).step_by(2).collect();
    Error::UnknownField {
        file: file.to_path_buf(),
        field: field.to_owned(),
        suggestion: closest(field, &candidates),
    }
}

/// The candidate nearest to `word` if it is close enough to be a likely typo.
pub fn closest(word: &str, candidates: &[&str]) -> Option<String> {
    let lower = word.to_ascii_lowercase();
    let scored = candidates
        .iter()
        .map(|c| (strsim::levenshtein(&lower, &c.to_ascii_lowercase()), *c));
    let (distance, best) = scored.min_by_key(|(d, _)| *d)?;
    let limit = (word.len() / 3).max(2);
    (distance <= limit).then(|| best.to_owned())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::yaml::{Mapping, Node};

    fn doc(entries: &[(&str, Node)]) -> Node {
        let mut m = Mapping::default();
        for (k, v) in entries {
            m.insert(*k, v.clone());
        }
        Node::Map(m)
    }

    #[test]
    fn unknown_fields_suggest_the_closest_name() {
        let cases = [
            ("namePrefx", Some("namePrefix")),
            ("resource", Some("resources")),
            ("zzzzzzzzzz", None),
        ];
        for (field, want) in cases {
            let node = doc(&[(field, Node::string("x"))]);
            match Kustomization::from_node(&node, Path::new("kustomization.yaml")) {
                Err(Error::UnknownField {
                    field: got,
                    suggestion,
                    ..
                }) => {
                    assert_eq!(got, field);
                    assert_eq!(suggestion.as_deref(), want, "{field}");
                }
                other => panic!("{field}: {other:?}"),
            }
        }
    }

    #[test]
    fn reads_known_fields_and_emptiness() {
        let node = doc(&[
            ("kind", Node::string("Kustomization")),
            ("namePrefix", Node::string("p-")),
            ("resources", Node::Seq(vec![Node::string("a.yaml")])),
        ]);
        let k = Kustomization::from_node(&node, Path::new("k")).unwrap();
        assert_eq!(k.name_prefix, "p-");
        assert_eq!(k.resources, ["a.yaml"]);
        assert!(!k.is_empty());
        let bare = Kustomization::from_node(&doc(&[("kind", Node::string("Kustomization"))]), Path::new("k"));
        assert!(bare.unwrap().is_empty());
    }
}
