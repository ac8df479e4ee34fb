//! The `Application` custom resource: one source path synced to one destination.
//!
//! `Application` is written by hand rather than by `#[derive(CustomResource)]` because it carries
//! a top-level `operation` field next to `spec` and `status` (Argo CD's shape: `driftless sync APP`
//! sets `operation.sync`, the controller runs it once and clears it); the derive only knows
//! `spec` and `status`. The `Resource` impl below is the derive's, and [`crate::crds`] builds the
//! CRD with the derive's schema settings.

use std::borrow::Cow;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, ObjectMeta, Time};
use kube::core::{NamespaceResourceScope, Resource};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// API group of all Driftless kinds.
pub const GROUP: &str = "driftless.dev";
/// API version of all Driftless kinds.
pub const VERSION: &str = "v1alpha1";
/// The only destination server: the cluster Driftless runs in.
pub const IN_CLUSTER_SERVER: &str = "https://kubernetes.default.svc";
/// The only destination name: the cluster Driftless runs in.
pub const IN_CLUSTER_NAME: &str = "in-cluster";
/// How many `status.history` entries are kept.
pub const HISTORY_LIMIT: usize = 10;

/// An Application: render `spec.source` and keep `spec.destination` equal to it.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Application {
    /// Standard object metadata.
    #[schemars(skip)]
    pub metadata: ObjectMeta,
    /// What to sync, where, and how.
    pub spec: ApplicationSpec,
    /// A requested one-off operation (a manual sync); the controller clears it once run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation: Option<Operation>,
    /// What the controller observed and did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<ApplicationStatus>,
}

impl Application {
    /// A new Application named `name` (namespace unset).
    pub fn new(name: &str, spec: ApplicationSpec) -> Application {
        Application {
            metadata: ObjectMeta {
                name: Some(name.to_owned()),
                ..ObjectMeta::default()
            },
            spec,
            operation: None,
            status: None,
        }
    }
}

impl Serialize for Application {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Wire<'a> {
            api_version: &'a str,
            kind: &'a str,
            metadata: &'a ObjectMeta,
            spec: &'a ApplicationSpec,
            #[serde(skip_serializing_if = "Option::is_none")]
            operation: Option<&'a Operation>,
            #[serde(skip_serializing_if = "Option::is_none")]
            status: Option<&'a ApplicationStatus>,
        }
        Wire {
            api_version: &Application::api_version(&()),
            kind: &Application::kind(&()),
            metadata: &self.metadata,
            spec: &self.spec,
            operation: self.operation.as_ref(),
            status: self.status.as_ref(),
        }
        .serialize(serializer)
    }
}

impl Resource for Application {
    type DynamicType = ();
    type Scope = NamespaceResourceScope;

    fn kind(_: &()) -> Cow<'_, str> {
        "Application".into()
    }
    fn group(_: &()) -> Cow<'_, str> {
        GROUP.into()
    }
    fn version(_: &()) -> Cow<'_, str> {
        VERSION.into()
    }
    fn plural(_: &()) -> Cow<'_, str> {
        "applications".into()
    }
    fn meta(&self) -> &ObjectMeta {
        &self.metadata
    }
    fn meta_mut(&mut self) -> &mut ObjectMeta {
        &mut self.metadata
    }
}

impl kube::core::object::HasSpec for Application {
    type Spec = ApplicationSpec;
    fn spec(&self) -> &ApplicationSpec {
        &self.spec
    }
    fn spec_mut(&mut self) -> &mut ApplicationSpec {
        &mut self.spec
    }
}

impl kube::core::object::HasStatus for Application {
    type Status = ApplicationStatus;
    fn status(&self) -> Option<&ApplicationStatus> {
        self.status.as_ref()
    }
    fn status_mut(&mut self) -> &mut Option<ApplicationStatus> {
        &mut self.status
    }
}

fn default_project() -> String {
    "default".to_owned()
}

fn default_revision() -> String {
    "HEAD".to_owned()
}

/// `spec` of an Application.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationSpec {
    /// The AppProject this Application belongs to.
    #[serde(default = "default_project")]
    pub project: String,
    /// Where the manifests come from.
    pub source: ApplicationSource,
    /// Where they are applied.
    pub destination: ApplicationDestination,
    /// When and how to sync.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync_policy: Option<SyncPolicy>,
    /// Fields left out of the diff and of apply.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ignore_differences: Vec<ResourceIgnoreDifferences>,
}

/// A git repository path holding a kustomization (or plain manifests).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationSource {
    /// Git URL of the repository.
    #[serde(rename = "repoURL")]
    pub repo_url: String,
    /// Branch, tag, commit SHA or `HEAD`.
    #[serde(default = "default_revision")]
    pub target_revision: String,
    /// Directory inside the repository (empty or `.` for the root).
    #[serde(default)]
    pub path: String,
}

/// The cluster and namespace objects are applied to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationDestination {
    /// API server URL; only `https://kubernetes.default.svc`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
    /// Cluster name; only `in-cluster`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Namespace for namespaced objects that name none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// `spec.syncPolicy`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SyncPolicy {
    /// Sync automatically; absent means manual (report OutOfSync until `operation.sync`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub automated: Option<AutomatedSyncPolicy>,
    /// Options such as `CreateNamespace=true` (see `sync_options`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sync_options: Vec<String>,
    /// Retry of failed syncs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry: Option<RetryStrategy>,
}

/// `spec.syncPolicy.automated`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AutomatedSyncPolicy {
    /// Delete objects that left git.
    #[serde(default)]
    pub prune: bool,
    /// Revert drift made in the cluster.
    #[serde(default)]
    pub self_heal: bool,
    /// Allow a render with no objects to prune everything.
    #[serde(default)]
    pub allow_empty: bool,
}

/// `spec.syncPolicy.retry`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RetryStrategy {
    /// Attempts before giving up; negative means unlimited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i64>,
    /// Delay between attempts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backoff: Option<Backoff>,
}

/// `spec.syncPolicy.retry.backoff`; durations are Go-style (`5s`, `3m`, `1h30m`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Backoff {
    /// First delay (default `5s`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<String>,
    /// Multiplier per attempt (default 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub factor: Option<i64>,
    /// Longest delay (default `3m`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_duration: Option<String>,
}

/// One `spec.ignoreDifferences` rule: which objects, which fields.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ResourceIgnoreDifferences {
    /// API group (`""` for core).
    #[serde(default)]
    pub group: String,
    /// Kind.
    pub kind: String,
    /// Object name; absent matches all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Object namespace; absent matches all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// RFC 6901 pointers of ignored fields, e.g. `/spec/replicas`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub json_pointers: Vec<String>,
    /// Fields owned by these field managers (e.g. an HPA's) are ignored.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub managed_fields_managers: Vec<String>,
}

/// Top-level `operation`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Operation {
    /// Run one sync now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync: Option<SyncOperation>,
    /// Who asked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initiated_by: Option<OperationInitiator>,
}

/// `operation.sync`: all fields optional, `{}` syncs the current target with the spec's options.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SyncOperation {
    /// Revision to sync instead of `spec.source.targetRevision`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<String>,
    /// Prune in this sync even if `automated.prune` is off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prune: Option<bool>,
    /// Extra sync options for this sync only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sync_options: Vec<String>,
}

/// `operation.initiatedBy`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OperationInitiator {
    /// User name, if a person asked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// True when the controller itself started it.
    #[serde(default)]
    pub automated: bool,
}

/// `status` of an Application.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationStatus {
    /// Desired vs live.
    #[serde(default)]
    pub sync: SyncStatus,
    /// Aggregated health (the worst object's).
    #[serde(default)]
    pub health: HealthStatus,
    /// Per-object sync and health.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<ResourceStatus>,
    /// `Ready`, `Reconciling`, `Stalled` and error conditions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<Condition>,
    /// The last or current operation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation_state: Option<OperationState>,
    /// What Driftless applied: the source of truth for prune.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inventory: Option<Inventory>,
    /// The last [`HISTORY_LIMIT`] synced revisions, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<RevisionHistory>,
    /// The `metadata.generation` this status describes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
}

/// `status.sync`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SyncStatus {
    /// Synced, OutOfSync or Unknown.
    #[serde(default)]
    pub status: SyncStatusCode,
    /// Full commit SHA compared against.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<String>,
    /// First 7 characters of `revision`, for the REVISION printer column (JSONPath cannot slice).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub short_revision: Option<String>,
}

impl SyncStatus {
    /// Sets `revision` and the matching `shortRevision` together.
    pub fn set_revision(&mut self, revision: &str) {
        self.revision = Some(revision.to_owned());
        self.short_revision = Some(revision.chars().take(7).collect());
    }
}

/// Sync state of an app or object.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum SyncStatusCode {
    /// Live equals desired.
    Synced,
    /// Live differs from desired (or is missing, or extraneous).
    OutOfSync,
    /// Not compared (yet, or comparison failed).
    #[default]
    Unknown,
}

/// Health of an app or object, with a message saying why when not Healthy.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HealthStatus {
    /// The verdict.
    #[serde(default)]
    pub status: HealthStatusCode,
    /// Why, in one sentence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

impl HealthStatus {
    /// A verdict with a message (an empty message is left out).
    pub fn new(status: HealthStatusCode, message: impl Into<String>) -> HealthStatus {
        HealthStatus {
            status,
            message: Some(message.into()),
        }
    }
    /// Healthy, no message.
    pub fn healthy() -> HealthStatus {
        HealthStatus {
            status: HealthStatusCode::Healthy,
            message: None,
        }
    }
}

/// Health verdicts, declared from best to worst (Argo CD's order), so `Ord` means "worse".
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
pub enum HealthStatusCode {
    /// Running as desired.
    Healthy,
    /// Paused or suspended on purpose.
    Suspended,
    /// Not yet healthy, still moving.
    Progressing,
    /// Does not exist.
    Missing,
    /// Failed or stuck.
    Degraded,
    /// Could not be assessed.
    #[default]
    Unknown,
}

/// One object in `status.resources`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ResourceStatus {
    /// API group (`""` for core).
    #[serde(default)]
    pub group: String,
    /// API version.
    #[serde(default)]
    pub version: String,
    /// Kind.
    pub kind: String,
    /// Namespace (absent when cluster-scoped).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Name.
    pub name: String,
    /// Sync state of this object.
    #[serde(default)]
    pub status: SyncStatusCode,
    /// Health of this object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health: Option<HealthStatus>,
}

/// `status.operationState`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OperationState {
    /// Running, Succeeded, Failed or Error.
    pub phase: OperationPhase,
    /// What happened, in one sentence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// When it started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<Time>,
    /// When it finished.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<Time>,
    /// What the sync did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync_result: Option<SyncOperationResult>,
}

/// Phase of an operation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum OperationPhase {
    /// In progress.
    #[default]
    Running,
    /// Done, all objects applied.
    Succeeded,
    /// Done, some object failed.
    Failed,
    /// Could not run (render, git, spec).
    Error,
}

/// `status.operationState.syncResult`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SyncOperationResult {
    /// Commit SHA synced.
    pub revision: String,
    /// Objects the sync changed or failed on (unchanged objects are left out to keep status small).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<ResourceResult>,
}

/// One object's outcome in a sync.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ResourceResult {
    /// API group.
    #[serde(default)]
    pub group: String,
    /// API version.
    #[serde(default)]
    pub version: String,
    /// Kind.
    pub kind: String,
    /// Namespace (absent when cluster-scoped).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Name.
    pub name: String,
    /// Created, Configured, Unchanged, Deleted, Skipped or Failed.
    pub action: String,
    /// Details (the API message on failure).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// `status.inventory`: one compact id per applied object (see `driftless_sync::inventory`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Inventory {
    /// `<namespace>_<name>_<group>_<kind>_<version>`, sorted.
    #[serde(default)]
    pub entries: Vec<String>,
}

/// One entry of `status.history`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RevisionHistory {
    /// Commit SHA deployed.
    pub revision: String,
    /// When the sync finished.
    pub deployed_at: Time,
}

/// Appends `entry` to `history`, keeping the last [`HISTORY_LIMIT`].
pub fn push_history(history: &mut Vec<RevisionHistory>, entry: RevisionHistory) {
    history.push(entry);
    if history.len() > HISTORY_LIMIT {
        history.drain(..history.len() - HISTORY_LIMIT);
    }
}
