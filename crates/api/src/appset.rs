//! The `ApplicationSet` custom resource: generators → parameters → templated Applications.
//! Field names follow Argo CD's so existing manifests carry over.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::application::{ApplicationSpec, ResourceStatus};
use crate::schema::{preserve_unknown_list, preserve_unknown_object};

/// `spec` of an ApplicationSet.
#[derive(CustomResource, Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "driftless.dev",
    version = "v1alpha1",
    kind = "ApplicationSet",
    plural = "applicationsets",
    shortname = "appset",
    shortname = "appsets",
    namespaced,
    status = "ApplicationSetStatus"
)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationSetSpec {
    /// Parameter sources; each yields a list of parameter sets, one Application each.
    pub generators: Vec<ApplicationSetGenerator>,
    /// The Application every parameter set is rendered into.
    pub template: ApplicationSetTemplate,
    /// Render the template with Go templates (`{{.path.basename}}`) instead of `{{path.basename}}`.
    #[serde(default)]
    pub go_template: bool,
    /// Go template options, e.g. `missingkey=error`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub go_template_options: Vec<String>,
    /// What the set may do to the Applications it generated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync_policy: Option<ApplicationSetSyncPolicy>,
}

/// One generator; exactly one field is set.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationSetGenerator {
    /// Literal parameter sets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list: Option<ListGenerator>,
    /// Directories or files of a git repository.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub git: Option<GitGenerator>,
    /// Cartesian product of two child generators.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matrix: Option<MatrixGenerator>,
    /// Child generators' parameter sets merged on keys.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merge: Option<MergeGenerator>,
}

/// `list` generator.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ListGenerator {
    /// Parameter sets (free-form objects).
    #[schemars(schema_with = "preserve_unknown_list")]
    pub elements: Vec<serde_json::Value>,
}

/// `git` generator.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct GitGenerator {
    /// Git URL of the repository.
    #[serde(rename = "repoURL")]
    pub repo_url: String,
    /// Branch, tag or SHA (default `HEAD`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<String>,
    /// Directory globs; one parameter set per matching directory.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub directories: Vec<GitDirectoryGeneratorItem>,
    /// File globs; each JSON/YAML file's keys become a parameter set.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<GitFileGeneratorItem>,
    /// Prefix for the `path` parameters (needed when a matrix has two git children).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path_param_prefix: Option<String>,
    /// Poll interval in seconds (default 180).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requeue_after_seconds: Option<i64>,
    /// Extra parameters added to every set, as `values.<key>`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub values: BTreeMap<String, String>,
}

/// One `git.directories` entry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct GitDirectoryGeneratorItem {
    /// Glob (`path.Match` syntax), e.g. `apps/*/overlays/prod`.
    pub path: String,
    /// Exclude matches instead (exclusions always win).
    #[serde(default)]
    pub exclude: bool,
}

/// One `git.files` entry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct GitFileGeneratorItem {
    /// Glob of JSON/YAML files.
    pub path: String,
}

/// `matrix` generator: exactly two children.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct MatrixGenerator {
    /// The two child generators.
    pub generators: Vec<ApplicationSetNestedGenerator>,
}

/// `merge` generator.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct MergeGenerator {
    /// Child generators; later ones override the first on matching keys.
    pub generators: Vec<ApplicationSetNestedGenerator>,
    /// Parameter names that identify a set across children.
    pub merge_keys: Vec<String>,
}

/// A child of `matrix`/`merge`. A nested `matrix`/`merge` is kept as free-form JSON (as Argo CD
/// does), because a CRD schema cannot be recursive; read it with [`Self::nested_matrix`] and
/// [`Self::nested_merge`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationSetNestedGenerator {
    /// Literal parameter sets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list: Option<ListGenerator>,
    /// Git directories or files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub git: Option<GitGenerator>,
    /// A nested matrix (free-form; see [`Self::nested_matrix`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "preserve_unknown_object")]
    pub matrix: Option<serde_json::Value>,
    /// A nested merge (free-form; see [`Self::nested_merge`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "preserve_unknown_object")]
    pub merge: Option<serde_json::Value>,
}

impl ApplicationSetNestedGenerator {
    /// The nested `matrix`, typed.
    pub fn nested_matrix(&self) -> Result<Option<MatrixGenerator>, serde_json::Error> {
        self.matrix.clone().map(serde_json::from_value).transpose()
    }
    /// The nested `merge`, typed.
    pub fn nested_merge(&self) -> Result<Option<MergeGenerator>, serde_json::Error> {
        self.merge.clone().map(serde_json::from_value).transpose()
    }
}

/// `spec.template`: the Application each parameter set renders into.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationSetTemplate {
    /// Name, namespace, labels, annotations and finalizers of generated Applications.
    pub metadata: ApplicationSetTemplateMeta,
    /// Spec of generated Applications.
    pub spec: ApplicationSpec,
}

/// `spec.template.metadata`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationSetTemplateMeta {
    /// Name template, e.g. `{{path.basename}}-prod`.
    #[serde(default)]
    pub name: String,
    /// Namespace (default: the set's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Labels.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    /// Annotations.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    /// Finalizers (e.g. `driftless.dev/resources-finalizer`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub finalizers: Vec<String>,
}

/// `spec.syncPolicy` of a set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationSetSyncPolicy {
    /// Do not add the resources finalizer: deleting an Application keeps its objects.
    #[serde(default)]
    pub preserve_resources_on_deletion: bool,
    /// What the set may do to its Applications (default `sync`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applications_sync: Option<ApplicationsSyncPolicy>,
}

/// `syncPolicy.applicationsSync`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ApplicationsSyncPolicy {
    /// Create, never update or delete.
    CreateOnly,
    /// Create and update, never delete.
    CreateUpdate,
    /// Create and delete, never update.
    CreateDelete,
    /// Create, update and delete.
    #[default]
    Sync,
}

impl ApplicationsSyncPolicy {
    /// May existing Applications be updated?
    pub fn allows_update(self) -> bool {
        matches!(
            self,
            ApplicationsSyncPolicy::CreateUpdate | ApplicationsSyncPolicy::Sync
        )
    }
    /// May stale Applications be deleted?
    pub fn allows_delete(self) -> bool {
        matches!(
            self,
            ApplicationsSyncPolicy::CreateDelete | ApplicationsSyncPolicy::Sync
        )
    }
}

/// `status` of an ApplicationSet.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationSetStatus {
    /// `ErrorOccurred`, `ParametersGenerated`, `ResourcesUpToDate`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<Condition>,
    /// The Applications generated, with their sync and health.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<ResourceStatus>,
    /// The `metadata.generation` this status describes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
}
