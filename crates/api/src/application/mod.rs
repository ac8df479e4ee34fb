//! The `Application` custom resource: one source path synced to one destination.
//!
//! `Application` is written by hand rather than by `#[derive(CustomResource)]` because it carries
//! a top-level `operation` field next to `spec` and `status` (Argo CD's shape: `driftless sync APP`
//! sets `operation.sync`, the controller runs it once and clears it); the derive only knows
//! `spec` and `status`. The `Resource` impl below is the derive's, and [`crate::crds`] builds the
//! CRD with the derive's schema settings.
//!
//! The spec types live in `spec.rs`, the status types in `status.rs`; both are re-exported here.

mod spec;
mod status;

pub use spec::*;
pub use status::*;

use std::borrow::Cow;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
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
