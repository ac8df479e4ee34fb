//! `namespace:` (kustomize `NamespaceTransformer` + `filters/namespace`).
//!
//! Sets `metadata.namespace` on every namespaced object (unknown kinds count as
//! namespaced), renames `v1` Namespace objects to the namespace, sets the
//! namespace in the fields of the `namespace` table (APIService service, CRD
//! conversion webhook), and on RoleBinding/ClusterRoleBinding subjects per
//! `setRoleBindingSubjects` (default: only subjects *named* `default`).

use std::collections::HashSet;

use serde::Deserialize;

use crate::fieldspec::{self, Create, FieldSpec, TransformError, path};
use crate::resmap::ResMap;
use crate::resource::Resource;
use crate::yaml::Node;

const NAME: &str = "namespace";

/// Which RoleBinding/ClusterRoleBinding subjects get the namespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SubjectMode {
    /// Subjects named `default` (kustomize's default, `defaultOnly`).
    #[default]
    DefaultOnly,
    /// Every subject of kind ServiceAccount (`allServiceAccounts`).
    AllServiceAccounts,
    /// None (`none`).
    None,
}

impl SubjectMode {
    /// Parses kustomize's spelling; empty means the default.
    pub fn parse(word: &str) -> Result<SubjectMode, TransformError> {
        match word {
            "" | "defaultOnly" => Ok(SubjectMode::DefaultOnly),
            "allServiceAccounts" => Ok(SubjectMode::AllServiceAccounts),
            "none" => Ok(SubjectMode::None),
            other => Err(TransformError::Config {
                transformer: NAME,
                message: format!(
                    "invalid value \"{other}\" for setRoleBindingSubjects: must be one of \
                     \"defaultOnly\", \"none\" or \"allServiceAccounts\""
                ),
            }),
        }
    }
}

/// The `NamespaceTransformer` plugin config (also what `namespace:` amounts to).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PluginConfig {
    /// `metadata.namespace` of the plugin config: the namespace to set.
    pub metadata: PluginMeta,
    /// Extra field specs (the builtin table is used when empty).
    pub field_specs: Vec<crate::kustomization::FieldSpec>,
    /// Only set namespaces that are empty.
    pub unset_only: bool,
    /// `defaultOnly` (default), `allServiceAccounts` or `none`.
    pub set_role_binding_subjects: String,
}

/// The part of the plugin's metadata that matters.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PluginMeta {
    /// The namespace to set.
    pub namespace: String,
}

/// The transformer's settings.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Config {
    /// The namespace to set; nothing happens when empty.
    pub namespace: String,
    /// Only fill in empty namespaces.
    pub unset_only: bool,
    /// Which binding subjects to update.
    pub subjects: SubjectMode,
}

impl Config {
    /// The settings for a kustomization's `namespace:` field.
    pub fn from_kustomization(namespace: &str) -> Config {
        Config {
            namespace: namespace.to_owned(),
            ..Config::default()
        }
    }

    /// The settings of a `NamespaceTransformer` plugin config.
    pub fn from_plugin(p: &PluginConfig) -> Result<Config, TransformError> {
        Ok(Config {
            namespace: p.metadata.namespace.clone(),
            unset_only: p.unset_only,
            subjects: SubjectMode::parse(&p.set_role_binding_subjects)?,
        })
    }
}

/// Applies the namespace to every object; `specs` is the `namespace` field-spec table.
pub fn apply(resources: &mut ResMap, cfg: &Config, specs: &[FieldSpec]) -> Result<(), TransformError> {
    if cfg.namespace.is_empty() {
        return Ok(());
    }
    for res in resources.iter_mut() {
        if res.is_empty() {
            continue;
        }
        res.store_previous_id();
        apply_one(res, cfg, specs)?;
    }
    resources.reindex();
    let mut seen = HashSet::with_capacity(resources.len());
    for res in resources.iter() {
        let id = res.cur_id();
        if !seen.insert(id.clone()) {
            return Err(TransformError::IdConflict {
                transformer: NAME,
                id: id.to_string(),
            });
        }
    }
    Ok(())
}

fn apply_one(res: &mut Resource, cfg: &Config, specs: &[FieldSpec]) -> Result<(), TransformError> {
    let is_v1 = res.api_version() == "v1";
    let kind = res.kind().to_owned();
    let binding = kind == "RoleBinding" || kind == "ClusterRoleBinding";
    // kustomize drops these specs: metadata/namespace is handled below, metadata/name
    // only applies to core objects (Namespace), and binding subjects follow the mode.
    let kept = |fs: &&FieldSpec| {
        fs.path != "metadata/namespace"
            && (is_v1 || fs.path != "metadata/name")
            && !(binding && is_binding_kind(&fs.gvk.kind) && fs.path == "subjects/namespace")
    };
    let mut set = setter(cfg);
    if !res.gvk().is_cluster_scoped() {
        let meta = [FieldSpec::any("metadata/namespace", true)];
        fieldspec::apply_specs(res, &meta, Create::Scalar, NAME, &mut set)?;
    }
    if binding {
        set_subjects(res, cfg, &mut set)?;
    }
    for fs in specs.iter().filter(kept) {
        fieldspec::apply_specs(res, std::slice::from_ref(fs), Create::Scalar, NAME, &mut set)?;
    }
    Ok(())
}

fn is_binding_kind(kind: &str) -> bool {
    kind == "RoleBinding" || kind == "ClusterRoleBinding"
}

/// The value setter: replaces the scalar (or fills it only when empty).
fn setter(cfg: &Config) -> impl FnMut(&mut Node) -> Result<(), path::WalkError> + '_ {
    move |node: &mut Node| {
        if cfg.unset_only && path::scalar_text(node).is_some_and(|t| !t.is_empty()) {
            return Ok(());
        }
        *node = Node::string(&cfg.namespace);
        Ok(())
    }
}

fn set_subjects<F>(res: &mut Resource, cfg: &Config, set: &mut F) -> Result<(), TransformError>
where
    F: FnMut(&mut Node) -> Result<(), path::WalkError>,
{
    let wanted = |subject: &crate::yaml::Mapping| match cfg.subjects {
        SubjectMode::None => false,
        SubjectMode::DefaultOnly => subject.get("name").and_then(path::scalar_text) == Some("default"),
        SubjectMode::AllServiceAccounts => {
            subject.get("kind").and_then(path::scalar_text) == Some("ServiceAccount")
        }
    };
    let id = res.cur_id();
    let Some(subjects) = res.node_mut().as_map_mut().and_then(|m| m.get_mut("subjects")) else {
        return Ok(());
    };
    let Node::Seq(items) = subjects else {
        return Ok(());
    };
    for item in items {
        let Some(subject) = item.as_map_mut() else {
            continue;
        };
        if !wanted(subject) {
            continue;
        }
        if !subject.contains_key("namespace") {
            subject.insert("namespace", Node::string(""));
        }
        if let Some(ns) = subject.get_mut("namespace") {
            set(ns).map_err(|e| TransformError::field(NAME, &id, "subjects/namespace", e.to_string()))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::fieldspec::TransformerConfig;
    use crate::fieldspec::testutil::{objects, resmap};

    fn run(input: &str, cfg: &Config) -> Result<String, TransformError> {
        let mut map = resmap(input);
        apply(&mut map, cfg, &TransformerConfig::builtin().namespace)?;
        Ok(objects(&map))
    }

    #[test]
    fn sets_namespaces_like_kustomize() {
        let input = "\
apiVersion: v1
kind: Namespace
metadata: {name: foo}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: rb}
subjects:
- {kind: ServiceAccount, name: default, namespace: other}
- {kind: ServiceAccount, name: sa, namespace: other}
- {kind: User, name: default}
---
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {name: v1.foo}
spec:
  service: {name: s}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: sa, namespace: x}
";
        let got = run(input, &Config::from_kustomization("prod")).unwrap();
        let want = "\
apiVersion=v1 kind=Namespace metadata.name=prod
apiVersion=rbac.authorization.k8s.io/v1 kind=RoleBinding metadata.name=rb metadata.namespace=prod \
subjects[0].kind=ServiceAccount subjects[0].name=default subjects[0].namespace=prod \
subjects[1].kind=ServiceAccount subjects[1].name=sa subjects[1].namespace=other \
subjects[2].kind=User subjects[2].name=default subjects[2].namespace=prod
apiVersion=apiregistration.k8s.io/v1 kind=APIService metadata.name=v1.foo spec.service.name=s \
spec.service.namespace=prod
apiVersion=v1 kind=ServiceAccount metadata.name=sa metadata.namespace=prod
";
        assert_eq!(got, want);
    }

    #[test]
    fn unset_only_and_subject_modes() {
        let input = "\
apiVersion: v1
kind: ConfigMap
metadata: {name: a, namespace: keep}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: crb}
subjects:
- {kind: ServiceAccount, name: sa}
";
        let cfg = Config {
            namespace: "prod".into(),
            unset_only: true,
            subjects: SubjectMode::AllServiceAccounts,
        };
        let got = run(input, &cfg).unwrap();
        assert!(got.contains("metadata.namespace=keep"), "{got}");
        assert!(got.contains("subjects[0].namespace=prod"), "{got}");
        assert!(
            !got.contains("kind=ClusterRoleBinding metadata.name=crb metadata.namespace"),
            "{got}"
        );
        assert!(SubjectMode::parse("bogus").is_err());
    }

    #[test]
    fn conflicting_ids_are_an_error() {
        let input = "\
apiVersion: v1
kind: ConfigMap
metadata: {name: a, namespace: x}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: a, namespace: y}
";
        let err = run(input, &Config::from_kustomization("z")).unwrap_err();
        assert_eq!(err.reason(), "IdConflict");
    }
}
