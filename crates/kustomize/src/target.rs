//! Accumulating one kustomization (kustomize `internal/target`): resources
//! (files and nested kustomizations) → extra field-spec configurations and
//! CRDs → generators → components → builtin transformers → vars.
//!
//! A component runs on everything its parent accumulated so far; a nested
//! kustomization is accumulated on its own and then appended.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::error::Error;
use crate::fieldspec::TransformerConfig;
use crate::fix;
use crate::fs::EntryKind;
use crate::generate;
use crate::kustomization::{Kustomization, Var};
use crate::loader::{self, Loader};
use crate::openapi::{ExtraSchemas, Schemas};
use crate::resid::{Gvk, ResId};
use crate::resmap::ResMap;
use crate::resource::{Origin, Resource};
use crate::transform;
use crate::yaml::Node;

/// What a kustomization contributes: its resources plus the configuration
/// later steps need (field-spec tables, CRDs, vars).
#[derive(Debug, Default)]
pub struct Accumulator {
    /// The resources, in order.
    pub resources: ResMap,
    /// The field-spec tables merged so far (kustomize's `ra.tConfig`).
    pub config: Tables,
    /// `vars` declared so far.
    pub vars: Vec<Var>,
}

/// kustomize's accumulated `TransformerConfig`, which starts empty and
/// takes each kustomization's defaults-plus-`configurations:`. The common
/// cases (nothing yet, defaults only) share the static default tables.
#[derive(Debug, Clone, Default)]
pub enum Tables {
    /// Nothing merged yet.
    #[default]
    Empty,
    /// Exactly kustomize's default tables.
    Builtin,
    /// Defaults plus extra `configurations:` (or a merge order that matters).
    Custom(Box<TransformerConfig>),
}

impl Tables {
    /// The tables in force (the defaults when nothing was merged yet).
    pub fn get(&self) -> &TransformerConfig {
        match self {
            Tables::Custom(c) => c,
            _ => TransformerConfig::builtin(),
        }
    }

    /// kustomize's `MergeConfig` of `other` into these tables.
    fn merge(&mut self, other: &Tables) -> Result<(), Error> {
        let merged = match (std::mem::take(self), other) {
            (current, Tables::Empty) => current,
            (Tables::Empty | Tables::Builtin, Tables::Builtin) => Tables::Builtin,
            (Tables::Empty, Tables::Custom(o)) => {
                let mut c = TransformerConfig::default();
                c.merge(o)?;
                Tables::Custom(Box::new(c))
            }
            (Tables::Builtin, Tables::Custom(o)) => {
                let mut c = TransformerConfig::builtin().clone();
                c.merge(o)?;
                Tables::Custom(Box::new(c))
            }
            (Tables::Custom(mut c), o) => {
                c.merge(o.get())?;
                Tables::Custom(c)
            }
        };
        *self = merged;
        Ok(())
    }
}

/// A loaded kustomization file.
#[derive(Debug, Clone)]
pub struct KustFile {
    /// The directory (canonical): the root for its relative paths.
    pub dir: PathBuf,
    /// The kustomization file's name within `dir`.
    pub file_name: String,
    /// Its content, fixed up.
    pub k: Kustomization,
}

/// State shared by the whole build.
pub struct Ctx<'l, 'a> {
    /// The file reader.
    pub loader: &'l Loader<'a>,
    /// `buildMetadata` of the top kustomization (inherited by everything below).
    pub build_metadata: Vec<String>,
    /// The OpenAPI schemas strategic merges use (kustomize's global schema:
    /// the first kustomization, top first, that sets `openapi:` decides).
    pub schemas: Schemas,
    schema_set: bool,
    /// Kustomization directories being accumulated (cycle detection).
    stack: Vec<PathBuf>,
}

impl<'l, 'a> Ctx<'l, 'a> {
    /// A context for a build with the given top-level `buildMetadata`.
    pub fn new(loader: &'l Loader<'a>, build_metadata: Vec<String>) -> Ctx<'l, 'a> {
        Ctx {
            loader,
            build_metadata,
            schemas: Schemas::builtin(),
            schema_set: false,
            stack: Vec::new(),
        }
    }

    /// kustomize's `openapi.SetSchema` for a kustomization being loaded: a
    /// builtin `version` or a custom schema `path` (which replaces the
    /// builtin one), honoured only if no earlier kustomization chose.
    pub fn set_schema(&mut self, kt: &KustFile) -> Result<(), Error> {
        if self.schema_set {
            return Ok(());
        }
        if let Some(path) = kt.k.openapi.get("path") {
            let file = self.loader.resolve_file(&kt.dir, path)?;
            let docs = self.loader.read_docs(&file)?;
            let json = docs.first().map(crate::backend::to_json).unwrap_or_default();
            let extra = ExtraSchemas::from_json(&json, path).map_err(|e| Error::Invalid {
                what: "OpenAPI schema",
                file: file.clone(),
                message: e.to_string(),
            })?;
            self.schemas = Schemas::with_extra(extra, true);
            self.schema_set = true;
        } else if kt.k.openapi.get("version").is_some_and(|v| !v.is_empty()) {
            self.schema_set = true;
        }
        Ok(())
    }

    fn tracks_origin(&self) -> bool {
        !self.build_metadata.is_empty()
    }
}

/// The only Kubernetes OpenAPI version kustomize v5 embeds.
pub const BUILTIN_OPENAPI_VERSION: &str = "v1.21.2";

/// Reads and fixes the kustomization in `dir` (once per snapshot).
pub fn load_kustomization(loader: &Loader<'_>, dir: &Path) -> Result<Arc<KustFile>, Error> {
    let path = loader.find_kustomization(dir)?;
    if let Some(hit) = loader.cache().kustomization(&path) {
        // Re-reading marks the file as part of this build.
        loader.read_docs(&path)?;
        return Ok(hit);
    }
    let kt = Arc::new(read_kustomization(loader, dir, &path)?);
    loader.cache().put_kustomization(&path, kt.clone());
    Ok(kt)
}

fn read_kustomization(loader: &Loader<'_>, dir: &Path, path: &Path) -> Result<KustFile, Error> {
    let path = path.to_path_buf();
    let docs = loader.read_docs(&path)?;
    let empty = Node::map();
    let node = docs.first().unwrap_or(&empty);
    let k = Kustomization::from_node(node, &path)?;
    let k = fix::fix(k, &path)?;
    refuse_external(&k, &path)?;
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(KustFile {
        dir: dir.to_path_buf(),
        file_name,
        k,
    })
}

/// Features that need a program or the network are refused, naming the field.
fn refuse_external(k: &Kustomization, file: &Path) -> Result<(), Error> {
    let refuse = |feature: &str, needs: &'static str| {
        Err(Error::Unsupported {
            feature: feature.to_owned(),
            file: file.to_path_buf(),
            needs,
        })
    };
    if !k.helm_charts.is_empty() || !k.helm_chart_inflation_generator.is_empty() {
        return refuse("helmCharts", "the helm program");
    }
    if k.openapi.contains_key("path") && k.openapi.contains_key("version") {
        return Err(Error::Invalid {
            what: "Kustomization",
            file: file.to_path_buf(),
            message: "builtin version and custom schema provided, cannot use both".into(),
        });
    }
    if let Some(version) = k
        .openapi
        .get("version")
        .filter(|v| !v.is_empty() && *v != BUILTIN_OPENAPI_VERSION)
    {
        return Err(Error::Invalid {
            what: "Kustomization",
            file: file.to_path_buf(),
            message: format!("openapi version {version}: the specified OpenAPI version is not built in"),
        });
    }
    if !k.validators.is_empty() {
        return refuse("validators", "validator plugins");
    }
    if let Some(remote) = k
        .resources
        .iter()
        .chain(&k.components)
        .find(|r| loader::is_remote(r))
    {
        return refuse(&format!("remote resource '{remote}'"), "network access");
    }
    Ok(())
}

/// Accumulates the kustomization at `kt` on top of `acc` (empty for a
/// resource kustomization, the parent's for a component).
pub fn accumulate(
    ctx: &mut Ctx<'_, '_>,
    kt: &KustFile,
    mut acc: Accumulator,
    origin: &Option<String>,
) -> Result<Accumulator, Error> {
    ctx.stack.push(kt.dir.clone());
    let result = accumulate_inner(ctx, kt, &mut acc, origin);
    ctx.stack.pop();
    result.map(|()| acc)
}

fn accumulate_inner(
    ctx: &mut Ctx<'_, '_>,
    kt: &KustFile,
    acc: &mut Accumulator,
    origin: &Option<String>,
) -> Result<(), Error> {
    for entry in &kt.k.resources {
        accumulate_resource(ctx, kt, acc, entry, origin)?;
    }
    // kustomize's MakeTransformerConfig: the defaults plus this kustomization's files.
    let own = if kt.k.configurations.is_empty() {
        Tables::Builtin
    } else {
        let mut own = TransformerConfig::builtin().clone();
        for entry in &kt.k.configurations {
            let path = ctx.loader.resolve_file(&kt.dir, entry)?;
            for doc in ctx.loader.read_docs(&path)?.iter() {
                own.merge_document(doc)?;
            }
        }
        Tables::Custom(Box::new(own))
    };
    acc.config.merge(&own)?;
    // kustomize's LoadConfigFromCRDs: field specs the CRDs' schemas declare.
    if !kt.k.crds.is_empty() {
        let mut from_crds = TransformerConfig::default();
        for entry in &kt.k.crds {
            let path = ctx.loader.resolve_file(&kt.dir, entry)?;
            for doc in ctx.loader.read_docs(&path)?.iter() {
                from_crds.merge(&TransformerConfig::from_crd_document(doc)?)?;
            }
        }
        acc.config.merge(&Tables::Custom(Box::new(from_crds)))?;
    }
    for (kind, mut generated) in generate::generate_all(ctx.loader, &kt.dir, &kt.k)? {
        if ctx.tracks_origin() {
            generated.origin = Some(Origin {
                configured_in: Some(join_origin(origin, &kt.file_name)),
                config_api_version: Some("builtin".into()),
                config_kind: Some(kind.plugin_kind().into()),
                ..Origin::default()
            });
        }
        generate::absorb(&mut acc.resources, generated)?;
    }
    for config in plugin_configs(ctx, kt, &kt.k.generators, origin)? {
        let mut generated = generate::from_plugin_config(ctx.loader, &kt.dir, &config)?;
        if ctx.tracks_origin() {
            generated.origin = Some(configured_by(&config));
        }
        generate::absorb(&mut acc.resources, generated)?;
    }
    for entry in &kt.k.components {
        let dir = enter_dir(ctx, &kt.dir, entry)?;
        let sub = load_kustomization(ctx.loader, &dir)?;
        ctx.set_schema(&sub)?;
        if !sub.k.is_component() {
            return Err(Error::Invalid {
                what: "Component",
                file: dir,
                message: format!("expected kind 'Component' but got '{}'", sub.k.kind),
            });
        }
        let sub_origin = origin_for(ctx, origin, entry);
        *acc = accumulate(ctx, &sub, std::mem::take(acc), &sub_origin)?;
    }
    let configured_in = ctx.tracks_origin().then(|| join_origin(origin, &kt.file_name));
    let env = transform::Env {
        dir: &kt.dir,
        loader: ctx.loader,
        schemas: &ctx.schemas,
    };
    transform::run_builtin(acc, &kt.k, &env, configured_in.as_deref())?;
    for config in plugin_configs(ctx, kt, &kt.k.transformers, origin)? {
        let env = transform::Env {
            dir: &kt.dir,
            loader: ctx.loader,
            schemas: &ctx.schemas,
        };
        transform::run_plugin(acc, &config, &env)?;
        if ctx.tracks_origin() {
            transform::record_transformation(&mut acc.resources, &configured_by(&config));
        }
    }
    merge_vars(acc, &kt.k.vars)
}

/// The plugin configuration objects a `generators:`/`transformers:` list
/// names: inline YAML, files, or kustomization directories that output them.
fn plugin_configs(
    ctx: &mut Ctx<'_, '_>,
    kt: &KustFile,
    entries: &[String],
    origin: &Option<String>,
) -> Result<Vec<Resource>, Error> {
    let mut from_paths = Accumulator::default();
    let mut inline = Vec::new();
    for entry in entries {
        match inline_objects(ctx.loader, entry) {
            Some(objects) => {
                for node in objects {
                    let mut r = Resource::new(node);
                    if ctx.tracks_origin() {
                        r.origin = Some(Origin {
                            path: Some(join_origin(origin, &kt.file_name)),
                            ..Origin::default()
                        });
                    }
                    inline.push(r);
                }
            }
            None => accumulate_resource(ctx, kt, &mut from_paths, entry, origin)?,
        }
    }
    inline.extend(from_paths.resources.into_vec());
    Ok(inline)
}

/// Objects written inline in a list entry (else the entry is a path).
pub(crate) fn inline_objects(loader: &Loader<'_>, entry: &str) -> Option<Vec<Node>> {
    let docs = loader.parse_text(entry)?;
    if docs.is_empty() || !docs.iter().any(|d| matches!(d, Node::Map(m) if !m.is_empty())) {
        return None;
    }
    if !docs.iter().all(|d| matches!(d, Node::Map(_)) || is_empty_doc(d)) {
        return None;
    }
    resources_from_docs(&docs, Path::new("inline")).ok()
}

/// The origin of an object a plugin made: the plugin config and where it was read.
fn configured_by(config: &Resource) -> Origin {
    let some = |s: &str| (!s.is_empty()).then(|| s.to_owned());
    Origin {
        configured_in: config.origin.as_ref().and_then(|o| o.path.clone()),
        config_api_version: some(config.api_version()),
        config_kind: some(config.kind()),
        config_name: some(config.name()),
        config_namespace: some(config.namespace()),
        ..Origin::default()
    }
}

fn origin_for(ctx: &Ctx<'_, '_>, origin: &Option<String>, entry: &str) -> Option<String> {
    ctx.tracks_origin().then(|| join_origin(origin, entry))
}

/// `filepath.Join(origin, entry)`.
fn join_origin(origin: &Option<String>, entry: &str) -> String {
    let joined = Path::new(origin.as_deref().unwrap_or("")).join(entry);
    let cleaned = loader::clean(&joined);
    cleaned.to_string_lossy().into_owned()
}

fn accumulate_resource(
    ctx: &mut Ctx<'_, '_>,
    kt: &KustFile,
    acc: &mut Accumulator,
    entry: &str,
    origin: &Option<String>,
) -> Result<(), Error> {
    let wrap = |e: Error| Error::Accumulating {
        path: PathBuf::from(entry),
        source: Box::new(e),
    };
    match ctx.loader.kind(&kt.dir, entry) {
        Some(EntryKind::Dir) => {
            let dir = enter_dir(ctx, &kt.dir, entry).map_err(wrap)?;
            let sub = load_kustomization(ctx.loader, &dir).map_err(wrap)?;
            ctx.set_schema(&sub).map_err(wrap)?;
            if sub.k.is_component() {
                return Err(wrap(Error::Invalid {
                    what: "Kustomization",
                    file: dir,
                    message: "expected kind != 'Component'".into(),
                }));
            }
            let sub_origin = origin_for(ctx, origin, entry);
            let sub_acc = accumulate(ctx, &sub, Accumulator::default(), &sub_origin).map_err(wrap)?;
            acc.resources.append_all(sub_acc.resources)?;
            acc.config.merge(&sub_acc.config)?;
            merge_var_set(&mut acc.vars, sub_acc.vars)
        }
        Some(EntryKind::File) => {
            let path = ctx.loader.resolve_file(&kt.dir, entry).map_err(wrap)?;
            let docs = ctx.loader.read_docs(&path).map_err(wrap)?;
            let file_origin = origin_for(ctx, origin, entry).map(|p| Origin {
                path: Some(p),
                ..Origin::default()
            });
            for node in resources_from_docs(&docs, &path)? {
                let mut resource = Resource::new(node);
                resource.origin = file_origin.clone();
                acc.resources.append(resource)?;
            }
            Ok(())
        }
        None => Err(wrap(Error::Missing {
            path: loader::clean(&kt.dir.join(entry)),
        })),
    }
}

/// Resolves a kustomization directory and checks for cycles: a directory
/// that contains (or is) one being accumulated cannot be entered.
fn enter_dir(ctx: &Ctx<'_, '_>, from: &Path, entry: &str) -> Result<PathBuf, Error> {
    let dir = ctx.loader.confirm_dir(from, entry)?;
    if ctx.stack.iter().any(|visited| visited.starts_with(&dir)) {
        return Err(Error::Cycle { dir });
    }
    Ok(dir)
}

/// Documents → objects: empty documents dropped, `*List` kinds with `items`
/// expanded (items go after the file's other documents, like kustomize),
/// each object checked for `kind` and `metadata.name`.
pub fn resources_from_docs(docs: &[Node], file: &Path) -> Result<Vec<Node>, Error> {
    let mut queue: std::collections::VecDeque<Node> = docs.iter().cloned().collect();
    let mut out = Vec::new();
    while let Some(node) = queue.pop_front() {
        if is_empty_doc(&node) {
            continue;
        }
        let invalid = |message: String| Error::InvalidResource {
            file: file.to_path_buf(),
            message,
        };
        let Some(map) = node.as_map() else {
            return Err(invalid("a document is not a mapping".into()));
        };
        let kind = map
            .get("kind")
            .and_then(|k| k.as_scalar())
            .map(|s| s.text.clone())
            .unwrap_or_default();
        if kind.is_empty() {
            return Err(invalid("missing kind in object".into()));
        }
        if kind.ends_with("List") {
            match map.get("items") {
                Some(Node::Seq(items)) => {
                    queue.extend(items.iter().cloned());
                    continue;
                }
                Some(items) if items.is_null() => continue,
                Some(_) => return Err(invalid(format!("expected array in {kind}/items"))),
                None => {}
            }
        } else if node
            .get_path(&["metadata", "name"])
            .and_then(|n| n.as_scalar())
            .is_none_or(|s| s.text.is_empty())
        {
            return Err(invalid(format!("missing metadata.name in object of kind {kind}")));
        }
        out.push(node);
    }
    Ok(out)
}

fn is_empty_doc(node: &Node) -> bool {
    match node {
        Node::Map(m) => m.is_empty(),
        other => other.is_null(),
    }
}

/// kustomize's `MergeVars`: each var marks the object it reads (found by any
/// of its ids) and joins the set; a repeated name is an error.
fn merge_vars(acc: &mut Accumulator, vars: &[Var]) -> Result<(), Error> {
    for var in vars {
        let api_version = if var.objref.api_version.is_empty() {
            Gvk::new(&var.objref.group, &var.objref.version, &var.objref.kind)
        } else {
            Gvk::from_api_version(&var.objref.api_version, &var.objref.kind)
        };
        let target = ResId::new(api_version, &var.objref.name, &var.objref.namespace);
        let strict = !target.namespace.is_empty() || target.gvk.is_cluster_scoped();
        let hits: Vec<usize> = acc
            .resources
            .iter()
            .enumerate()
            .filter(|(_, r)| {
                r.all_ids().iter().any(|id| {
                    if strict {
                        id == &target
                    } else {
                        id.gvkn_equals(&target)
                    }
                })
            })
            .map(|(i, _)| i)
            .collect();
        if hits.len() > 1 {
            return Err(Error::Transform {
                transformer: "vars",
                message: format!(
                    "found {} resId matches for var {} (unable to disambiguate)",
                    hits.len(),
                    var.name
                ),
            });
        }
        if let Some(r) = hits.first().and_then(|i| acc.resources.get_mut(*i)) {
            r.ref_var_names.push(var.name.clone());
        }
    }
    merge_var_set(&mut acc.vars, vars.to_vec())
}

fn merge_var_set(set: &mut Vec<Var>, incoming: Vec<Var>) -> Result<(), Error> {
    for var in incoming {
        if set.iter().any(|v| v.name == var.name) {
            return Err(Error::Transform {
                transformer: "vars",
                message: format!("var '{}' already encountered", var.name),
            });
        }
        set.push(var);
    }
    Ok(())
}
