//! `configMapGenerator` and `secretGenerator`, and how generated objects
//! join the resources already accumulated (`behavior: create|merge|replace`,
//! kustomize's `AbsorbAll`).

pub mod hash;
pub mod kv;

use std::collections::BTreeMap;
use std::path::Path;

use base64::Engine as _;

use crate::error::Error;
use crate::kustomization::{GeneratorArgs, GeneratorOptions, Kustomization};
use crate::loader::Loader;
use crate::resmap::ResMap;
use crate::resource::{Behavior, Resource};
use crate::yaml::{Mapping, Node, Scalar, ScalarStyle};

/// Which generator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GeneratorKind {
    /// `configMapGenerator`.
    ConfigMap,
    /// `secretGenerator`.
    Secret,
}

impl GeneratorKind {
    fn field(self) -> &'static str {
        match self {
            GeneratorKind::ConfigMap => "configMapGenerator",
            GeneratorKind::Secret => "secretGenerator",
        }
    }

    /// The builtin plugin kind (for origin annotations).
    pub fn plugin_kind(self) -> &'static str {
        match self {
            GeneratorKind::ConfigMap => "ConfigMapGenerator",
            GeneratorKind::Secret => "SecretGenerator",
        }
    }
}

/// Every generator of a kustomization, config maps first, in file order.
pub fn generate_all(
    loader: &Loader<'_>,
    dir: &Path,
    k: &Kustomization,
) -> Result<Vec<(GeneratorKind, Resource)>, Error> {
    let config_maps = k
        .config_map_generator
        .iter()
        .map(|a| (GeneratorKind::ConfigMap, a));
    let secrets = k.secret_generator.iter().map(|a| (GeneratorKind::Secret, a));
    let mut out = Vec::new();
    for (kind, args) in config_maps.chain(secrets) {
        let options = merge_options(args.options.as_ref(), k.generator_options.as_ref());
        out.push((kind, generate(loader, dir, kind, args, &options)?));
    }
    Ok(out)
}

/// Runs a builtin generator configured by a plugin config object
/// (`apiVersion: builtin`, `kind: ConfigMapGenerator|SecretGenerator`);
/// other generator plugins need programs and are refused.
pub fn from_plugin_config(loader: &Loader<'_>, dir: &Path, config: &Resource) -> Result<Resource, Error> {
    let kind = match (config.api_version(), config.kind()) {
        ("builtin", "ConfigMapGenerator") => GeneratorKind::ConfigMap,
        ("builtin", "SecretGenerator") => GeneratorKind::Secret,
        ("builtin", "IAMPolicyGenerator") => return iam_policy(config, dir),
        (api, kind) => {
            return Err(Error::Unsupported {
                feature: format!("generator plugin {api}/{kind}"),
                file: dir.to_path_buf(),
                needs: "a plugin program",
            });
        }
    };
    // Plugin configs are read leniently (sigs.k8s.io/yaml.Unmarshal): unknown fields are ignored.
    const ARGS: [&str; 9] = [
        "namespace",
        "name",
        "behavior",
        "literals",
        "files",
        "envs",
        "env",
        "options",
        "type",
    ];
    let mut json = crate::backend::to_json(config.node());
    if let Some(map) = json.as_object_mut() {
        map.retain(|k, _| ARGS.contains(&k.as_str()));
    }
    let mut args: GeneratorArgs = crate::kustomization::decode_lenient(json, dir)?;
    if args.name.is_empty() {
        args.name = config.name().to_owned();
    }
    if args.namespace.is_empty() {
        args.namespace = config.namespace().to_owned();
    }
    let options = args.options.clone().unwrap_or_default();
    generate(loader, dir, kind, &args, &options)
}

/// The builtin `IAMPolicyGenerator` (cloud `gke`): a ServiceAccount bound
/// to a Google service account by annotation.
fn iam_policy(config: &Resource, dir: &Path) -> Result<Resource, Error> {
    let get = |path: &[&str]| {
        config
            .node()
            .get_path(path)
            .and_then(Node::as_scalar)
            .map(|s| s.text.clone())
    };
    let fail = |message: &str| Error::Generator {
        generator: "IAMPolicyGenerator",
        name: config.name().to_owned(),
        message: format!("{message} (in {})", dir.display()),
    };
    if get(&["cloud"]).as_deref() != Some("gke") {
        return Err(fail("only cloud 'gke' is supported"));
    }
    let name =
        get(&["kubernetesService", "name"]).ok_or_else(|| fail("kubernetesService.name is required"))?;
    let account = get(&["serviceAccount", "name"]).ok_or_else(|| fail("serviceAccount.name is required"))?;
    let project =
        get(&["serviceAccount", "projectId"]).ok_or_else(|| fail("serviceAccount.projectId is required"))?;
    let mut annotations = Mapping::default();
    annotations.insert(
        "iam.gke.io/gcp-service-account",
        Node::string(format!("{account}@{project}.iam.gserviceaccount.com")),
    );
    let mut meta = Mapping::default();
    meta.insert("annotations", Node::Map(annotations));
    meta.insert("name", Node::string(name));
    if let Some(namespace) = get(&["kubernetesService", "namespace"]).filter(|n| !n.is_empty()) {
        meta.insert("namespace", Node::string(namespace));
    }
    let mut top = Mapping::default();
    top.insert("apiVersion", Node::string("v1"));
    top.insert("kind", Node::string("ServiceAccount"));
    top.insert("metadata", Node::Map(meta));
    Ok(Resource::new(Node::Map(top)))
}

/// kustomize's `MergeGlobalOptionsIntoLocal`: local labels/annotations win,
/// the global flags switch on.
fn merge_options(local: Option<&GeneratorOptions>, global: Option<&GeneratorOptions>) -> GeneratorOptions {
    let mut merged = local.cloned().unwrap_or_default();
    if let Some(global) = global {
        for (k, v) in &global.labels {
            merged.labels.entry(k.clone()).or_insert_with(|| v.clone());
        }
        for (k, v) in &global.annotations {
            merged.annotations.entry(k.clone()).or_insert_with(|| v.clone());
        }
        merged.disable_name_suffix_hash |= global.disable_name_suffix_hash;
        merged.immutable |= global.immutable;
    }
    merged
}

fn generate(
    loader: &Loader<'_>,
    dir: &Path,
    kind: GeneratorKind,
    args: &GeneratorArgs,
    options: &GeneratorOptions,
) -> Result<Resource, Error> {
    let fail = |message: String| Error::Generator {
        generator: kind.field(),
        name: args.name.clone(),
        message,
    };
    if args.name.is_empty() {
        return Err(fail("a configmap must have a name".into()));
    }
    let behavior = Behavior::parse(&args.behavior).unwrap_or(Behavior::Unspecified);
    let pairs = kv::load_pairs(loader, dir, args).map_err(fail)?;
    let mut data = BTreeMap::new();
    for (key, value) in pairs {
        if !kv::is_valid_key(&key) {
            return Err(fail(format!("\"{key}\" is not a valid key name")));
        }
        if data.insert(key.clone(), value).is_some() {
            return Err(fail(format!(
                "configmap {} illegally repeats the key `{key}`",
                args.name
            )));
        }
    }

    let mut meta = Mapping::default();
    meta.insert("name", Node::string(&args.name));
    if !args.namespace.is_empty() {
        meta.insert("namespace", Node::string(&args.namespace));
    }
    if !options.labels.is_empty() {
        meta.insert("labels", string_map(&options.labels));
    }
    if !options.annotations.is_empty() {
        meta.insert("annotations", string_map(&options.annotations));
    }
    let mut top = Mapping::default();
    top.insert("apiVersion", Node::string("v1"));
    let kind_name = match kind {
        GeneratorKind::ConfigMap => "ConfigMap",
        GeneratorKind::Secret => "Secret",
    };
    top.insert("kind", Node::string(kind_name));
    top.insert("metadata", Node::Map(meta));
    if kind == GeneratorKind::Secret {
        let secret_type = if args.type_.is_empty() {
            "Opaque"
        } else {
            &args.type_
        };
        top.insert("type", Node::string(secret_type));
    }
    let (text, binary) = split_data(kind, data);
    // kyaml creates a secret's `data` even when it stays empty.
    if !text.is_empty() || kind == GeneratorKind::Secret {
        top.insert("data", Node::Map(text));
    }
    if !binary.is_empty() {
        top.insert("binaryData", Node::Map(binary));
    }
    if options.immutable {
        top.insert(
            "immutable",
            Node::Scalar(Scalar {
                text: "true".into(),
                style: ScalarStyle::Plain,
                tag: None,
            }),
        );
    }
    let mut resource = Resource::new(Node::Map(top));
    resource.behavior = behavior;
    resource.needs_hash_suffix = !options.disable_name_suffix_hash;
    Ok(resource)
}

/// Config maps keep UTF-8 values as text and base64 the rest into
/// `binaryData`; secrets base64 everything into `data`.
fn split_data(kind: GeneratorKind, data: BTreeMap<String, Vec<u8>>) -> (Mapping, Mapping) {
    let mut text = Mapping::default();
    let mut binary = Mapping::default();
    for (key, value) in data {
        match (kind, String::from_utf8(value)) {
            (GeneratorKind::ConfigMap, Ok(s)) => text.insert(key, Node::string(s)),
            (GeneratorKind::ConfigMap, Err(e)) => {
                binary.insert(key, Node::string(encode_base64(e.as_bytes())))
            }
            (GeneratorKind::Secret, Ok(s)) => text.insert(key, Node::string(encode_base64(s.as_bytes()))),
            (GeneratorKind::Secret, Err(e)) => text.insert(key, Node::string(encode_base64(e.as_bytes()))),
        }
    }
    (text, binary)
}

/// kyaml's `encodeBase64`: standard base64, broken into 70-character lines
/// (each ending in a newline) once it reaches 70 characters.
pub fn encode_base64(bytes: &[u8]) -> String {
    const LINE: usize = 70;
    let encoded = base64::engine::general_purpose::STANDARD.encode(bytes);
    if encoded.len() < LINE {
        return encoded;
    }
    let mut out = String::with_capacity(encoded.len() + encoded.len() / LINE + 1);
    for chunk in encoded.as_bytes().chunks(LINE) {
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push('\n');
    }
    out
}

fn string_map(map: &BTreeMap<String, String>) -> Node {
    Node::Map(map.iter().map(|(k, v)| (k.clone(), Node::string(v))).collect())
}

/// Adds a generated object: appended when new (`create`), else merged into
/// or replacing the object with the same (current or previous) id.
pub fn absorb(resources: &mut ResMap, mut generated: Resource) -> Result<(), Error> {
    let id = generated.cur_id();
    let matches = resources.positions_by_any_id(&id);
    match matches.as_slice() {
        [] => match generated.behavior {
            Behavior::Merge | Behavior::Replace => Err(Error::Transform {
                transformer: "generators",
                message: format!("id {id} does not exist; cannot merge or replace"),
            }),
            _ => resources.append(generated),
        },
        [index] => {
            let Some(old) = resources.get(*index) else {
                return Ok(());
            };
            match generated.behavior {
                Behavior::Replace => copy_metadata_from(&mut generated, old),
                Behavior::Merge => {
                    copy_metadata_from(&mut generated, old);
                    merge_data_from(&mut generated, old, "data");
                    merge_data_from(&mut generated, old, "binaryData");
                    generated.origin = old.origin.clone().or(generated.origin);
                }
                _ => {
                    return Err(Error::Transform {
                        transformer: "generators",
                        message: format!("id {id} exists; behavior must be merge or replace"),
                    });
                }
            }
            resources.replace(*index, generated);
            Ok(())
        }
        _ => Err(Error::Transform {
            transformer: "generators",
            message: format!("found multiple objects that could accept merge of {id}"),
        }),
    }
}

/// kustomize's `CopyMergeMetaDataFieldsFrom`: labels and annotations merged
/// (new wins), name and namespace and build bookkeeping from the old object;
/// the hash suffix stays only when both want it.
fn copy_metadata_from(new: &mut Resource, old: &Resource) {
    for field in ["labels", "annotations"] {
        let mut merged: Mapping = old
            .node()
            .get_path(&["metadata", field])
            .and_then(Node::as_map)
            .cloned()
            .unwrap_or_default();
        if let Some(mine) = new.node().get_path(&["metadata", field]).and_then(Node::as_map) {
            for (k, v) in mine.iter() {
                merged.insert(k.clone(), v.clone());
            }
        }
        if let Some(meta) = new
            .node_mut()
            .get_path_mut(&["metadata"])
            .and_then(Node::as_map_mut)
        {
            if merged.is_empty() {
                meta.remove(field);
            } else {
                meta.insert(field, Node::Map(merged));
            }
        }
    }
    let (name, namespace) = (old.name().to_owned(), old.namespace().to_owned());
    new.set_name(&name);
    if namespace.is_empty() {
        if let Some(meta) = new
            .node_mut()
            .get_path_mut(&["metadata"])
            .and_then(Node::as_map_mut)
        {
            meta.remove("namespace");
        }
    } else {
        new.set_namespace(&namespace);
    }
    new.needs_hash_suffix = new.needs_hash_suffix && old.needs_hash_suffix;
    new.behavior = old.behavior;
    new.prev_ids = old.prev_ids.clone();
    new.prefixes = old.prefixes.clone();
    new.suffixes = old.suffixes.clone();
    new.ref_by = old.ref_by.clone();
    new.ref_var_names = old.ref_var_names.clone();
}

/// Old entries, overridden by new ones with the same key.
fn merge_data_from(new: &mut Resource, old: &Resource, field: &str) {
    let Some(old_map) = old.node().get_path(&[field]).and_then(Node::as_map) else {
        return;
    };
    let mut merged = old_map.clone();
    if let Some(mine) = new.node().get_path(&[field]).and_then(Node::as_map) {
        for (k, v) in mine.iter() {
            merged.insert(k.clone(), v.clone());
        }
    }
    if let Some(top) = new.node_mut().as_map_mut() {
        top.insert(field, Node::Map(merged));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_lines_like_kyaml() {
        assert_eq!(encode_base64(b"v"), "dg==");
        let long = encode_base64(&[b'x'; 60]);
        let lines: Vec<&str> = long.split_terminator('\n').collect();
        assert_eq!(lines.iter().map(|l| l.len()).collect::<Vec<_>>(), [70, 10]);
        assert!(long.ends_with('\n'));
    }
}
