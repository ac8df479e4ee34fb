//! The thin edge that talks to the API server for one object at a time:
//! server-side apply (for real or as a dry run), get and delete.
//!
//! Decisions (what to apply, in which order, what to prune) are made
//! elsewhere, in pure code; this module only executes them.

use driftless_api::sync_options::PropagationPolicy;
use kube::api::{DeleteParams, DynamicObject, Patch, PatchParams};

use crate::discovery::{Discovery, DiscoveryError, gvk_of};

/// The field manager Driftless applies with.
pub const FIELD_MANAGER: &str = "driftless";

/// How objects are applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplyOptions {
    /// Field manager name.
    pub field_manager: String,
    /// Take ownership of fields another manager owns (server-side apply `force`).
    pub force: bool,
}

impl Default for ApplyOptions {
    fn default() -> Self {
        ApplyOptions {
            field_manager: FIELD_MANAGER.into(),
            force: false,
        }
    }
}

/// A failed API call on one object.
#[derive(Debug, thiserror::Error)]
pub enum ApiCallError {
    /// The object lacks `apiVersion`, `kind` or `metadata.name`.
    #[error("object {0} has no apiVersion, kind or name")]
    Malformed(String),
    /// Its kind is not served.
    #[error(transparent)]
    Discovery(#[from] DiscoveryError),
    /// The API server refused the request.
    #[error("{verb} {object}: {source}")]
    Api {
        /// apply, dry-run, get or delete.
        verb: &'static str,
        /// `Kind namespace/name`.
        object: String,
        /// The API error (its message is the API server's).
        #[source]
        source: kube::Error,
    },
}

impl ApiCallError {
    /// Condition/Event reason.
    pub fn reason(&self) -> &'static str {
        match self {
            ApiCallError::Malformed(_) => "InvalidObject",
            ApiCallError::Discovery(e) => e.reason(),
            ApiCallError::Api {
                source: kube::Error::Api(status),
                ..
            } if status.code == 403 => "Forbidden",
            ApiCallError::Api {
                source: kube::Error::Api(status),
                ..
            } if status.code == 409 => "Conflict",
            ApiCallError::Api {
                source: kube::Error::Api(status),
                ..
            } if status.code == 422 => "InvalidObject",
            ApiCallError::Api { .. } => "ApiError",
        }
    }

    /// True for errors worth retrying soon (API 5xx/429, transport).
    pub fn is_transient(&self) -> bool {
        match self {
            ApiCallError::Api {
                source: kube::Error::Api(status),
                ..
            } => status.code >= 500 || status.code == 429,
            ApiCallError::Api { .. } => true,
            ApiCallError::Discovery(_) | ApiCallError::Malformed(_) => false,
        }
    }

    /// The HTTP status code of an API rejection.
    pub fn status_code(&self) -> Option<u16> {
        match self {
            ApiCallError::Api {
                source: kube::Error::Api(status),
                ..
            } => Some(status.code),
            _ => None,
        }
    }
}

/// `Kind namespace/name` for messages.
pub fn describe(obj: &DynamicObject) -> String {
    let kind = obj.types.as_ref().map_or("?", |t| t.kind.as_str());
    let name = obj.metadata.name.as_deref().unwrap_or("?");
    match obj.metadata.namespace.as_deref() {
        Some(ns) => format!("{kind} {ns}/{name}"),
        None => format!("{kind} {name}"),
    }
}

/// Server-side applies `obj` (or only dry-runs it), returning what the server holds (or would hold).
pub async fn apply(
    discovery: &Discovery,
    obj: &DynamicObject,
    options: &ApplyOptions,
    dry_run: bool,
) -> Result<DynamicObject, ApiCallError> {
    let (gvk, name) = match (gvk_of(obj), obj.metadata.name.as_deref()) {
        (Some(gvk), Some(name)) => (gvk, name),
        _ => return Err(ApiCallError::Malformed(describe(obj))),
    };
    let info = discovery.resolve(&gvk).await?;
    let api = discovery.api(&info, obj.metadata.namespace.as_deref());
    let mut params = PatchParams::apply(&options.field_manager);
    params.force = options.force;
    params.dry_run = dry_run;
    let verb = if dry_run { "dry-run apply" } else { "apply" };
    api.patch(name, &params, &Patch::Apply(obj))
        .await
        .map_err(|source| ApiCallError::Api {
            verb,
            object: describe(obj),
            source,
        })
}

/// The live object with `obj`'s identity, or `None` when it does not exist.
pub async fn get_live(
    discovery: &Discovery,
    obj: &DynamicObject,
) -> Result<Option<DynamicObject>, ApiCallError> {
    let (gvk, name) = match (gvk_of(obj), obj.metadata.name.as_deref()) {
        (Some(gvk), Some(name)) => (gvk, name),
        _ => return Err(ApiCallError::Malformed(describe(obj))),
    };
    let info = discovery.resolve(&gvk).await?;
    let api = discovery.api(&info, obj.metadata.namespace.as_deref());
    api.get_opt(name).await.map_err(|source| ApiCallError::Api {
        verb: "get",
        object: describe(obj),
        source,
    })
}

/// What a delete call achieved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Deletion {
    /// The object is gone.
    Deleted,
    /// There was nothing to delete.
    AlreadyGone,
    /// Deletion started; the object stays until these finalizers are removed.
    Pending {
        /// Finalizers still on the object.
        finalizers: Vec<String>,
    },
}

/// Deletes the object with `obj`'s identity.
pub async fn delete(
    discovery: &Discovery,
    obj: &DynamicObject,
    propagation: PropagationPolicy,
) -> Result<Deletion, ApiCallError> {
    let (gvk, name) = match (gvk_of(obj), obj.metadata.name.as_deref()) {
        (Some(gvk), Some(name)) => (gvk, name),
        _ => return Err(ApiCallError::Malformed(describe(obj))),
    };
    let info = discovery.resolve(&gvk).await?;
    let api = discovery.api(&info, obj.metadata.namespace.as_deref());
    let params = DeleteParams {
        propagation_policy: Some(match propagation {
            PropagationPolicy::Background => kube::api::PropagationPolicy::Background,
            PropagationPolicy::Foreground => kube::api::PropagationPolicy::Foreground,
            PropagationPolicy::Orphan => kube::api::PropagationPolicy::Orphan,
        }),
        ..DeleteParams::default()
    };
    match api.delete(name, &params).await {
        // The API returns the object while it still waits on finalizers (or a grace period).
        Ok(outcome) => Ok(
            match outcome.left().filter(|o| o.metadata.deletion_timestamp.is_some()) {
                Some(pending) => Deletion::Pending {
                    finalizers: pending.metadata.finalizers.unwrap_or_default(),
                },
                None => Deletion::Deleted,
            },
        ),
        Err(kube::Error::Api(status)) if status.code == 404 => Ok(Deletion::AlreadyGone),
        Err(source) => Err(ApiCallError::Api {
            verb: "delete",
            object: describe(obj),
            source,
        }),
    }
}
