//! The builtin transformers a kustomization configures, run in kustomize's
//! fixed order (`configureBuiltinTransformers`). Each transformer is its own
//! module with an `apply` over the resources plus its config.

pub mod annotations;
pub mod images;
pub mod labels;
pub mod name_reference;
pub mod namespace;
pub mod patches;
pub mod prefix_suffix;
pub mod replacements;
pub mod replicas;
pub mod vars;

use crate::kustomization::Kustomization;

/// One builtin transformer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Builtin {
    /// `patchesStrategicMerge`.
    PatchStrategicMerge,
    /// `patches`.
    Patch,
    /// `namespace`.
    Namespace,
    /// `namePrefix`.
    Prefix,
    /// `nameSuffix`.
    Suffix,
    /// `labels` then `commonLabels`.
    Label,
    /// `commonAnnotations`.
    Annotations,
    /// `patchesJson6902`.
    PatchJson6902,
    /// `replicas`.
    ReplicaCount,
    /// `images`.
    ImageTag,
    /// `replacements`.
    Replacement,
}

/// kustomize's order; user `transformers:` would run after these.
pub const BUILTIN_ORDER: [Builtin; 11] = [
    Builtin::PatchStrategicMerge,
    Builtin::Patch,
    Builtin::Namespace,
    Builtin::Prefix,
    Builtin::Suffix,
    Builtin::Label,
    Builtin::Annotations,
    Builtin::PatchJson6902,
    Builtin::ReplicaCount,
    Builtin::ImageTag,
    Builtin::Replacement,
];

impl Builtin {
    /// The kustomization field that configures it.
    pub fn field(self) -> &'static str {
        match self {
            Builtin::PatchStrategicMerge => "patchesStrategicMerge",
            Builtin::Patch => "patches",
            Builtin::Namespace => "namespace",
            Builtin::Prefix => "namePrefix",
            Builtin::Suffix => "nameSuffix",
            Builtin::Label => "labels",
            Builtin::Annotations => "commonAnnotations",
            Builtin::PatchJson6902 => "patchesJson6902",
            Builtin::ReplicaCount => "replicas",
            Builtin::ImageTag => "images",
            Builtin::Replacement => "replacements",
        }
    }

    /// True when it can change names, namespaces or kinds (so ids must be reindexed).
    pub fn may_rename(self) -> bool {
        !matches!(
            self,
            Builtin::Label | Builtin::Annotations | Builtin::ReplicaCount | Builtin::ImageTag
        )
    }

    /// kustomize's builtin plugin kind (for transformer annotations).
    pub fn plugin_kind(self) -> &'static str {
        match self {
            Builtin::PatchStrategicMerge => "PatchStrategicMergeTransformer",
            Builtin::Patch => "PatchTransformer",
            Builtin::Namespace => "NamespaceTransformer",
            Builtin::Prefix => "PrefixTransformer",
            Builtin::Suffix => "SuffixTransformer",
            Builtin::Label => "LabelTransformer",
            Builtin::Annotations => "AnnotationsTransformer",
            Builtin::PatchJson6902 => "PatchJson6902Transformer",
            Builtin::ReplicaCount => "ReplicaCountTransformer",
            Builtin::ImageTag => "ImageTagTransformer",
            Builtin::Replacement => "ReplacementTransformer",
        }
    }

    /// How many transformer instances kustomize configures for `k` (one per
    /// patch, image, replica or `labels` entry plus one for `commonLabels`).
    pub fn instances(self, k: &Kustomization) -> usize {
        match self {
            Builtin::Patch => k.patches.len(),
            Builtin::Label => k.labels.len() + 1,
            Builtin::PatchJson6902 => k.patches_json6902.len(),
            Builtin::ReplicaCount => k.replicas.len(),
            Builtin::ImageTag => k.images.len(),
            _ => 1,
        }
    }

    /// True when `k` configures this transformer.
    pub fn is_configured(self, k: &Kustomization) -> bool {
        match self {
            Builtin::PatchStrategicMerge => !k.patches_strategic_merge.is_empty(),
            Builtin::Patch => !k.patches.is_empty(),
            Builtin::Namespace => !k.namespace.is_empty(),
            Builtin::Prefix => !k.name_prefix.is_empty(),
            Builtin::Suffix => !k.name_suffix.is_empty(),
            Builtin::Label => !k.labels.is_empty() || !k.common_labels.is_empty(),
            Builtin::Annotations => !k.common_annotations.is_empty(),
            Builtin::PatchJson6902 => !k.patches_json6902.is_empty(),
            Builtin::ReplicaCount => !k.replicas.is_empty(),
            Builtin::ImageTag => !k.images.is_empty(),
            Builtin::Replacement => !k.replacements.is_empty(),
        }
    }
}

/// What a transformer needs besides the resources: the kustomization's
/// directory (relative paths), the file reader and the merge schemas.
pub struct Env<'e> {
    /// The kustomization directory.
    pub dir: &'e std::path::Path,
    /// The build's file reader.
    pub loader: &'e crate::loader::Loader<'e>,
    /// The OpenAPI schemas for strategic merges.
    pub schemas: &'e crate::openapi::Schemas,
}

/// Runs every configured builtin transformer of `k` over the accumulation.
pub fn run_builtin(
    acc: &mut crate::target::Accumulator,
    k: &Kustomization,
    env: &Env<'_>,
    configured_in: Option<&str>,
) -> Result<(), crate::error::Error> {
    let dir = env.dir;
    use crate::error::Error;
    for builtin in BUILTIN_ORDER {
        if !builtin.is_configured(k) {
            continue;
        }
        let tc = acc.config.get();
        let resources = &mut acc.resources;
        match builtin {
            Builtin::PatchStrategicMerge => {
                patches::apply_strategic_merge_files(resources, &k.patches_strategic_merge, env)?
            }
            Builtin::Patch => patches::apply_patches(resources, &k.patches, env)?,
            Builtin::Namespace => {
                let cfg = namespace::Config::from_kustomization(&k.namespace);
                namespace::apply(resources, &cfg, &tc.namespace)?
            }
            Builtin::Prefix => prefix_suffix::apply_prefix(resources, &k.name_prefix, &tc.name_prefix)?,
            Builtin::Suffix => prefix_suffix::apply_suffix(resources, &k.name_suffix, &tc.name_suffix)?,
            Builtin::Label => labels::apply(resources, &k.labels, &k.common_labels, tc)?,
            Builtin::Annotations => {
                annotations::apply(resources, &k.common_annotations, &tc.common_annotations)?
            }
            Builtin::PatchJson6902 => patches::apply_json6902(resources, &k.patches_json6902, env)?,
            Builtin::ReplicaCount => replicas::apply(resources, &k.replicas, &tc.replicas)?,
            Builtin::ImageTag => images::apply(resources, &k.images, &tc.images)?,
            Builtin::Replacement => {
                let list = load_replacements(&k.replacements, env)?;
                replacements::apply(resources, &list)?
            }
            #[allow(unreachable_patterns)]
            other => {
                return Err(Error::NotImplemented {
                    feature: other.field(),
                    file: dir.to_path_buf(),
                });
            }
        }
        if builtin.may_rename() {
            acc.resources.reindex();
        }
        if let Some(configured_in) = configured_in {
            let origin = crate::resource::Origin {
                configured_in: Some(configured_in.to_owned()),
                config_api_version: Some("builtin".into()),
                config_kind: Some(builtin.plugin_kind().into()),
                ..Default::default()
            };
            for _ in 0..builtin.instances(k) {
                record_transformation(&mut acc.resources, &origin);
            }
        }
    }
    Ok(())
}

/// kustomize's `AddTransformerAnnotation`: every object gets the transformer
/// as a transformation, or as its origin when it has none.
pub fn record_transformation(resources: &mut crate::resmap::ResMap, origin: &crate::resource::Origin) {
    for r in resources.iter_mut() {
        match r.origin {
            None => r.origin = Some(origin.clone()),
            Some(_) => r.transformations.push(origin.clone()),
        }
    }
}

/// A builtin transformer's plugin config (`apiVersion: builtin`): the union
/// of the fields the builtin kinds read. Read leniently like kustomize
/// (`yaml.Unmarshal`): unknown fields are ignored.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct PluginConfig {
    path: String,
    patch: String,
    json_op: String,
    paths: Vec<String>,
    patches: String,
    target: Option<crate::kustomization::Selector>,
    options: Option<crate::kustomization::PatchOptions>,
    prefix: String,
    suffix: String,
    field_specs: Option<Vec<crate::kustomization::FieldSpec>>,
    labels: std::collections::BTreeMap<String, String>,
    annotations: std::collections::BTreeMap<String, String>,
    image_tag: crate::kustomization::Image,
    replica: crate::kustomization::Replica,
    unset_only: bool,
    set_role_binding_subjects: String,
    replacements: Vec<crate::kustomization::ReplacementField>,
}

/// Runs one transformer named in `transformers:` by its config object.
/// Builtin kinds run in-process; anything else needs a plugin program and
/// is refused.
pub fn run_plugin(
    acc: &mut crate::target::Accumulator,
    config: &crate::resource::Resource,
    env: &Env<'_>,
) -> Result<(), crate::error::Error> {
    let dir = env.dir;
    use crate::error::Error;
    use crate::fieldspec::FieldSpec;
    use crate::kustomization::Patch;
    if config.api_version() != "builtin" {
        return Err(Error::Unsupported {
            feature: format!("transformer plugin {}/{}", config.api_version(), config.kind()),
            file: dir.to_path_buf(),
            needs: "a plugin program",
        });
    }
    let mut json = crate::backend::to_json(config.node());
    if let Some(map) = json.as_object_mut() {
        for key in ["apiVersion", "kind", "metadata"] {
            map.remove(key);
        }
    }
    let c: PluginConfig = crate::kustomization::decode_lenient(json, dir)?;
    let specs: Vec<FieldSpec> = c.field_specs.iter().flatten().map(FieldSpec::from).collect();
    let require_specs = |kind: &str| -> Result<(), Error> {
        if c.field_specs.is_none() {
            return Err(Error::Transform {
                transformer: "transformers",
                message: format!("{kind}: fieldSpecs is not expected to be nil"),
            });
        }
        Ok(())
    };
    let resources = &mut acc.resources;
    match config.kind() {
        "PatchTransformer" => {
            let patch = Patch {
                path: c.path,
                patch: c.patch,
                target: c.target,
                options: c.options,
            };
            patches::apply_patches(resources, &[patch], env)?;
        }
        "PatchJson6902Transformer" => {
            let patch = Patch {
                path: c.path,
                patch: c.json_op,
                target: c.target,
                options: None,
            };
            patches::apply_json6902(resources, &[patch], env)?;
        }
        "PatchStrategicMergeTransformer" => {
            let mut entries = c.paths;
            if !c.patches.is_empty() {
                entries.push(c.patches);
            }
            patches::apply_strategic_merge_files(resources, &entries, env)?;
        }
        "PrefixSuffixTransformer" => {
            require_specs("PrefixSuffixTransformer")?;
            prefix_suffix::apply_prefix(resources, &c.prefix, &specs)?;
            acc.resources.reindex();
            prefix_suffix::apply_suffix(&mut acc.resources, &c.suffix, &specs)?;
        }
        "PrefixTransformer" => {
            require_specs("PrefixTransformer")?;
            prefix_suffix::apply_prefix(resources, &c.prefix, &specs)?;
        }
        "SuffixTransformer" => {
            require_specs("SuffixTransformer")?;
            prefix_suffix::apply_suffix(resources, &c.suffix, &specs)?;
        }
        "LabelTransformer" => labels::set_pairs(resources, &c.labels, &specs, "LabelTransformer")?,
        "AnnotationsTransformer" => annotations::apply(resources, &c.annotations, &specs)?,
        "NamespaceTransformer" => {
            let plugin = namespace::PluginConfig {
                metadata: namespace::PluginMeta {
                    namespace: config.namespace().to_owned(),
                },
                field_specs: c.field_specs.clone().unwrap_or_default(),
                unset_only: c.unset_only,
                set_role_binding_subjects: c.set_role_binding_subjects.clone(),
            };
            let cfg = namespace::Config::from_plugin(&plugin)?;
            let specs = if specs.is_empty() {
                acc.config.get().namespace.clone()
            } else {
                specs
            };
            namespace::apply(&mut acc.resources, &cfg, &specs)?;
        }
        "ImageTagTransformer" => images::apply(resources, std::slice::from_ref(&c.image_tag), &specs)?,
        "ReplicaCountTransformer" => replicas::apply(resources, std::slice::from_ref(&c.replica), &specs)?,
        "ReplacementTransformer" => {
            let list = load_replacements(&c.replacements, env)?;
            replacements::apply(resources, &list)?
        }
        other => {
            let feature = BUILTIN_PLUGIN_KINDS
                .iter()
                .find(|k| **k == other)
                .copied()
                .unwrap_or("transformers");
            return Err(Error::NotImplemented {
                feature,
                file: dir.to_path_buf(),
            });
        }
    }
    acc.resources.reindex();
    Ok(())
}

/// Builtin transformer plugin kinds kustomize knows.
pub const BUILTIN_PLUGIN_KINDS: [&str; 13] = [
    "AnnotationsTransformer",
    "HashTransformer",
    "ImageTagTransformer",
    "LabelTransformer",
    "NamespaceTransformer",
    "PatchJson6902Transformer",
    "PatchStrategicMergeTransformer",
    "PatchTransformer",
    "PrefixSuffixTransformer",
    "PrefixTransformer",
    "SuffixTransformer",
    "ReplicaCountTransformer",
    "ReplacementTransformer",
];

/// The replacements of a `replacements:` list: inline entries as they are,
/// `path:` entries read from a file holding one replacement or a list.
pub fn load_replacements(
    fields: &[crate::kustomization::ReplacementField],
    env: &Env<'_>,
) -> Result<Vec<crate::kustomization::Replacement>, crate::error::Error> {
    use crate::error::Error;
    use crate::kustomization::Replacement;
    let mut out = Vec::new();
    for field in fields {
        if field.path.is_empty() {
            let inline = Replacement {
                source: field.source.clone(),
                targets: field.targets.clone(),
                source_value: field.source_value.clone(),
            };
            out.push(inline);
            continue;
        }
        if field.source.is_some() || !field.targets.is_empty() {
            return Err(Error::Transform {
                transformer: "replacements",
                message: "cannot specify both path and inline replacement".into(),
            });
        }
        let path = env.loader.resolve_file(env.dir, &field.path)?;
        for doc in env.loader.read_docs(&path)?.iter() {
            match crate::backend::to_json(doc) {
                serde_json::Value::Array(items) => {
                    for item in items {
                        out.push(crate::kustomization::decode_lenient(item, &path)?);
                    }
                }
                map @ serde_json::Value::Object(_) => {
                    out.push(crate::kustomization::decode_lenient(map, &path)?)
                }
                serde_json::Value::Null => {}
                other => {
                    return Err(Error::Transform {
                        transformer: "replacements",
                        message: format!("unsupported replacement type {other} in '{}'", path.display()),
                    });
                }
            }
        }
    }
    Ok(out)
}
