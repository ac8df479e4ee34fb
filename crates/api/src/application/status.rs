//! `status` of an Application.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, Time};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::HISTORY_LIMIT;

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
