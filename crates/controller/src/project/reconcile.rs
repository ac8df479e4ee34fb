//! The thin edge of project enforcement: load an Application's AppProject
//! from the controller's home namespace (creating the allow-everything
//! `default` when it is missing) and turn a closed sync window into a held
//! decision.

use driftless_api::{AppProject, AppProjectSpec, Application};
use driftless_sync::prune::SkipReason;
use kube::ResourceExt;
use kube::api::{Api, PostParams};

use super::policy::default_project_spec;
use super::sync_window::{Gate, SyncKind, Target, WindowError, evaluate};
use crate::application::decide::Decision;
use crate::context::Context;

/// Name of the project that allows everything.
pub const DEFAULT_PROJECT: &str = "default";

/// The project could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ProjectError {
    /// `spec.project` names no AppProject.
    #[error("AppProject {namespace}/{name} does not exist (spec.project)")]
    NotFound {
        /// Project name.
        name: String,
        /// Where it was looked for.
        namespace: String,
    },
    /// Reading or creating the project failed.
    #[error("reading AppProject {namespace}/{name}: {source}")]
    Kube {
        /// Project name.
        name: String,
        /// Namespace.
        namespace: String,
        /// The API error.
        #[source]
        source: kube::Error,
    },
}

impl ProjectError {
    /// Condition/Event reason.
    pub fn reason(&self) -> &'static str {
        match self {
            ProjectError::NotFound { .. } => "ProjectNotFound",
            ProjectError::Kube { .. } => "ProjectUnreadable",
        }
    }

    /// API failures are retried soon.
    pub fn is_transient(&self) -> bool {
        matches!(self, ProjectError::Kube { .. })
    }
}

/// The spec of `app`'s project (`default` when unset), created when it is `default` and missing.
pub async fn load(ctx: &Context, app: &Application) -> Result<AppProjectSpec, ProjectError> {
    let name = if app.spec.project.is_empty() {
        DEFAULT_PROJECT
    } else {
        app.spec.project.as_str()
    };
    let namespace = ctx.config.home_namespace();
    let api: Api<AppProject> = Api::namespaced(ctx.client.clone(), namespace);
    let error = |source| ProjectError::Kube {
        name: name.to_owned(),
        namespace: namespace.to_owned(),
        source,
    };
    if let Some(project) = api.get_opt(name).await.map_err(error)? {
        return Ok(project.spec);
    }
    if name != DEFAULT_PROJECT {
        return Err(ProjectError::NotFound {
            name: name.to_owned(),
            namespace: namespace.to_owned(),
        });
    }
    let spec = default_project_spec();
    let mut project = AppProject::new(DEFAULT_PROJECT, spec.clone());
    project.metadata.namespace = Some(namespace.to_owned());
    match api.create(&PostParams::default(), &project).await {
        Ok(created) => {
            tracing::info!(project = %created.name_any(), "created the default AppProject");
            Ok(created.spec)
        }
        // Another reconcile created it first.
        Err(kube::Error::Api(status)) if status.code == 409 => Ok(spec),
        Err(source) => Err(error(source)),
    }
}

/// The sync-window verdict for `app` now.
pub fn window_gate(
    spec: &AppProjectSpec,
    app: &Application,
    kind: SyncKind,
    now: jiff::Timestamp,
) -> Result<Gate, WindowError> {
    let name = app.name_any();
    let target = Target {
        app: &name,
        namespace: app.spec.destination.namespace.as_deref().unwrap_or_default(),
    };
    evaluate(&spec.sync_windows, target, kind, now)
}

/// Holds `decision` back: nothing applied or pruned; what would have been
/// pruned stays in the inventory and shows OutOfSync.
pub fn hold(decision: &mut Decision) {
    decision.apply.clear();
    let prune = &mut decision.prune;
    for id in prune.now.drain(..).chain(prune.last.drain(..)) {
        prune.skipped.push((id, SkipReason::PruneDisabled));
    }
    decision.trigger = None;
}
