//! `patches`, `patchesStrategicMerge` and `patchesJson6902` (kustomize's
//! PatchTransformer, PatchStrategicMergeTransformer, PatchJson6902Transformer).
//!
//! A `patches` entry holds either a strategic-merge patch (one or more
//! objects) or a JSON 6902 operation list, told apart by its shape. Without a
//! `target`, a strategic-merge patch applies to the object its own id names
//! (matched against current or previous ids); with one, to every selected
//! object. The patch may not change its target's name, kind or namespace
//! unless `options` allow it.

pub mod selector;

use std::path::Path;

use crate::error::Error;
use crate::kustomization::{Patch, PatchOptions, Selector};
use crate::loader;
use crate::openapi::Schemas;
use crate::resmap::ResMap;
use crate::resource::Resource;
use crate::transform::Env;
use crate::yaml::Node;

/// What a patch text turned out to be.
#[derive(Debug, Clone, PartialEq)]
pub enum Parsed {
    /// Strategic-merge patch objects.
    StrategicMerge(Vec<Node>),
    /// A JSON 6902 operation list.
    Json6902(Node),
}

/// Runs the `patches` entries in order.
pub fn apply_patches(resources: &mut ResMap, patches: &[Patch], env: &Env<'_>) -> Result<(), Error> {
    let (dir, loader) = (env.dir, env.loader);
    for patch in patches {
        let (docs, source) = patch_docs(patch, dir, loader)?;
        let fail = |message: String| Error::Patch {
            patch: source.clone(),
            message,
        };
        let options = patch.options.unwrap_or_default();
        match classify(docs, &source)? {
            Parsed::StrategicMerge(objects) => match &patch.target {
                Some(target) => {
                    let [object] = objects.as_slice() else {
                        return Err(fail(
                            "Multiple Strategic-Merge Patches in one `patches` entry is not allowed to set `patches.target` field".into(),
                        ));
                    };
                    let selected = select(resources, target, env).map_err(&fail)?;
                    apply_smp_to(resources, &selected, object, options, env.schemas).map_err(&fail)?;
                }
                None => {
                    for object in &objects {
                        let index = by_patch_id(resources, object).map_err(&fail)?;
                        apply_smp_to(resources, &[index], object, options, env.schemas).map_err(&fail)?;
                    }
                }
            },
            Parsed::Json6902(ops) => {
                let Some(target) = &patch.target else {
                    return Err(fail("must specify a target for JSON patch".into()));
                };
                let selected = select(resources, target, env).map_err(&fail)?;
                apply_json_to(resources, &selected, &ops, true).map_err(&fail)?;
            }
        }
    }
    Ok(())
}

/// Runs `patchesStrategicMerge`: each entry is inline YAML or a file.
pub fn apply_strategic_merge_files(
    resources: &mut ResMap,
    entries: &[String],
    env: &Env<'_>,
) -> Result<(), Error> {
    let (dir, loader) = (env.dir, env.loader);
    for entry in entries {
        let objects = match crate::target::inline_objects(loader, entry) {
            Some(objects) => objects,
            None => {
                let path = loader.resolve_file(dir, entry)?;
                let docs = loader.read_docs(&path)?;
                crate::target::resources_from_docs(&docs, &path)?
            }
        };
        for object in &objects {
            let fail = |message: String| Error::Patch {
                patch: entry.clone(),
                message,
            };
            let index = by_patch_id(resources, object).map_err(&fail)?;
            apply_smp_to(resources, &[index], object, PatchOptions::default(), env.schemas).map_err(&fail)?;
        }
    }
    Ok(())
}

/// Runs `patchesJson6902`: a target plus operations from a file or inline.
pub fn apply_json6902(resources: &mut ResMap, patches: &[Patch], env: &Env<'_>) -> Result<(), Error> {
    let (dir, loader) = (env.dir, env.loader);
    for patch in patches {
        let (docs, source) = patch_docs(patch, dir, loader)?;
        let fail = |message: String| Error::Patch {
            patch: source.clone(),
            message,
        };
        let Some(target) = patch.target.as_ref().filter(|t| !t.name.is_empty()) else {
            return Err(fail("must specify the target name".into()));
        };
        let ops = match classify(docs, &source)? {
            Parsed::Json6902(ops) => ops,
            Parsed::StrategicMerge(_) => return Err(fail("expected a list of JSON patch operations".into())),
        };
        let selected = select(resources, target, env).map_err(&fail)?;
        apply_json_to(resources, &selected, &ops, false).map_err(&fail)?;
    }
    Ok(())
}

/// The patch text and a short description of where it came from.
/// The patch's documents (a file's are parsed once per snapshot) and a
/// short description of where it came from.
fn patch_docs(patch: &Patch, dir: &Path, loader: &loader::Loader<'_>) -> Result<(Vec<Node>, String), Error> {
    let inline = patch.patch.trim();
    match (inline.is_empty(), patch.path.is_empty()) {
        (true, true) => Err(Error::Patch {
            patch: "(empty)".into(),
            message: "must specify one of patch and path".into(),
        }),
        (false, false) => Err(Error::Patch {
            patch: patch.path.clone(),
            message: "patch and path can't be set at the same time".into(),
        }),
        (false, true) => {
            let source = format!("[patch: {inline:?}]");
            match loader.parse_text(inline) {
                Some(docs) => Ok((docs.as_ref().clone(), source)),
                None => Ok((loader::parse_yaml(Path::new(&source), inline.as_bytes())?, source)),
            }
        }
        (true, false) => {
            let path = loader.resolve_file(dir, &patch.path)?;
            Ok((loader.read_docs(&path)?.as_ref().clone(), patch.path.clone()))
        }
    }
}

/// Tells a strategic-merge patch from a JSON 6902 operation list.
pub fn classify(docs: Vec<Node>, source: &str) -> Result<Parsed, Error> {
    let fail = |message: &str| Error::Patch {
        patch: source.to_owned(),
        message: message.to_owned(),
    };
    let non_empty: Vec<Node> = docs.into_iter().filter(|d| !is_empty(d)).collect();
    match non_empty.as_slice() {
        [] => Err(fail("unable to parse SM or JSON patch: it is empty")),
        [ops @ Node::Seq(_)] => Ok(Parsed::Json6902(ops.clone())),
        objects if objects.iter().all(|d| matches!(d, Node::Map(_))) => {
            let objects = crate::target::resources_from_docs(objects, Path::new(source))?;
            Ok(Parsed::StrategicMerge(objects))
        }
        _ => Err(fail("unable to parse SM or JSON patch")),
    }
}

fn is_empty(node: &Node) -> bool {
    match node {
        Node::Map(m) => m.is_empty(),
        other => other.is_null(),
    }
}

/// Positions of the resources a target selects.
fn select(resources: &ResMap, target: &Selector, env: &Env<'_>) -> Result<Vec<usize>, String> {
    let compiled = env.loader.cache().selector(target)?;
    Ok(resources
        .iter()
        .enumerate()
        .filter(|(_, r)| compiled.matches(r))
        .map(|(i, _)| i)
        .collect())
}

/// The one resource whose current or previous id is the patch's own id.
fn by_patch_id(resources: &ResMap, object: &Node) -> Result<usize, String> {
    let id = Resource::new(object.clone()).cur_id();
    match resources.positions_by_any_id(&id).as_slice() {
        [index] => Ok(*index),
        [] => Err(format!(
            "no matches for Id {id}; failed to find unique target for patch {id}"
        )),
        _ => Err(format!(
            "multiple matches for Id {id}; failed to find unique target for patch {id}"
        )),
    }
}

/// Strategic-merges `patch` into each selected resource, keeping name,
/// kind and namespace unless allowed; objects a patch deletes are removed.
fn apply_smp_to(
    resources: &mut ResMap,
    selected: &[usize],
    patch: &Node,
    options: PatchOptions,
    schemas: &Schemas,
) -> Result<(), String> {
    for &index in selected {
        let Some(target) = resources.get_mut(index) else {
            continue;
        };
        let (name, namespace, kind) = (
            target.name().to_owned(),
            target.namespace().to_owned(),
            target.kind().to_owned(),
        );
        if options.allow_name_change || options.allow_kind_change {
            target.store_previous_id();
        }
        let mut patch = patch.clone();
        // The patch takes the target's apiVersion (kustomize's SetGvk) but keeps its own kind.
        if let (Some(p), Some(api)) = (
            patch.as_map_mut(),
            target.node().get_path(&["apiVersion"]).cloned(),
        ) {
            p.insert("apiVersion", api);
        }
        strategic_merge(target.node_mut(), &patch, schemas)?;
        if target.is_empty() {
            continue;
        }
        if !options.allow_kind_change {
            target.set_kind(&kind);
        }
        if !options.allow_name_change {
            target.set_name(&name);
        }
        restore_namespace(target, &namespace);
    }
    if resources.iter().any(Resource::is_empty) {
        resources.retain(|r| !r.is_empty());
    }
    Ok(())
}

fn restore_namespace(target: &mut Resource, namespace: &str) {
    if namespace.is_empty() {
        if let Some(meta) = target
            .node_mut()
            .get_path_mut(&["metadata"])
            .and_then(Node::as_map_mut)
        {
            meta.remove("namespace");
        }
    } else {
        target.set_namespace(namespace);
    }
}

/// Applies JSON 6902 operations to each selected resource. Like kustomize,
/// an emptied `metadata.annotations` is dropped afterwards.
fn apply_json_to(
    resources: &mut ResMap,
    selected: &[usize],
    ops: &Node,
    store_id: bool,
) -> Result<(), String> {
    for &index in selected {
        let Some(target) = resources.get_mut(index) else {
            continue;
        };
        if store_id {
            target.store_previous_id();
        }
        json6902(target.node_mut(), ops)?;
        target.drop_empty_annotations();
    }
    Ok(())
}

/// kyaml `merge2` strategic merge; a deleted object becomes an empty map.
fn strategic_merge(target: &mut Node, patch: &Node, schemas: &Schemas) -> Result<(), String> {
    match crate::merge::merge_patch(target, patch, schemas) {
        Ok(crate::merge::Outcome::Deleted) => {
            *target = Node::map();
            Ok(())
        }
        Ok(_) => Ok(()),
        Err(e) => Err(e.to_string()),
    }
}

/// RFC 6902 operations (the merge engineer's implementation).
fn json6902(target: &mut Node, ops: &Node) -> Result<(), String> {
    crate::backend::json6902(target, ops).map_err(|e| e.to_string())
}
