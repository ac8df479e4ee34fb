//! The ApplicationSet reconcile: resolve the generators' git trees, generate
//! parameters, render one Application per set, then create/update/delete the
//! set's Applications (server-side apply, field manager `driftless-appset`)
//! and write one status.
//!
//! Any failure before acting — git, a generator, a template, duplicate names —
//! keeps every Application the set has and reports `ErrorOccurred`.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use driftless_api::annotations::{REFRESH, RESOURCES_FINALIZER};
use driftless_api::application::{GROUP, VERSION};
use driftless_api::appset::ApplicationsSyncPolicy;
use driftless_api::{Application, ApplicationSet};
use driftless_git::FetchOptions;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams};
use kube::runtime::controller::Action;
use kube::{Resource, ResourceExt};
use serde_json::json;

use super::generators::{self, GenError, Trees, revision_of};
use super::plan::{duplicates, plan};
use super::status::{Findings, next_status};
use super::template::{Mode, TemplateError, render};
use crate::context::Context;

/// Field manager of the generated Applications.
pub const FIELD_MANAGER: &str = "driftless-appset";
/// How soon a held mass deletion is looked at again.
const CONFIRM_REQUEUE: Duration = Duration::from_secs(5);
/// Retry delay after an error.
const ERROR_REQUEUE: Duration = Duration::from_secs(15);

/// A reconcile that could not finish (retried by [`error_policy`]).
#[derive(Debug, thiserror::Error)]
pub enum AppSetError {
    /// An API call failed.
    #[error("ApplicationSet {name}: {source}")]
    Kube {
        /// `namespace/name`.
        name: String,
        /// The API error.
        #[source]
        source: kube::Error,
    },
}

impl AppSetError {
    /// Metric/Event reason.
    pub fn reason(&self) -> &'static str {
        "ApplicationSetUpdateFailed"
    }
}

/// Why no Applications could be generated this time.
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    /// A git repository could not be resolved.
    #[error("generator repository {repo}: {source}")]
    Git {
        /// Redacted URL.
        repo: String,
        /// The git error.
        #[source]
        source: driftless_git::GitError,
    },
    /// The repository Secret for a generator's repository is unusable.
    #[error("generator repository {repo}: {source}")]
    Credentials {
        /// Redacted URL.
        repo: String,
        /// Which Secret and field.
        #[source]
        source: crate::repo_credentials::CredentialError,
    },
    /// A generator failed.
    #[error(transparent)]
    Generator(#[from] GenError),
    /// A template failed.
    #[error(transparent)]
    Template(#[from] TemplateError),
    /// Two parameter sets render the same name.
    #[error("generated Application names are not unique: {0}; nothing was applied")]
    Duplicates(String),
}

impl GenerateError {
    /// Condition reason.
    pub fn reason(&self) -> &'static str {
        match self {
            GenerateError::Git { source, .. } => source.reason(),
            GenerateError::Credentials { source, .. } => source.reason(),
            GenerateError::Generator(e) => e.reason(),
            GenerateError::Template(e) => e.reason(),
            GenerateError::Duplicates(_) => "DuplicateApplicationNames",
        }
    }
}

/// Reconciles one ApplicationSet.
pub async fn reconcile(set: Arc<ApplicationSet>, ctx: Arc<Context>) -> Result<Action, AppSetError> {
    let namespace = set.namespace().unwrap_or_default();
    let name = set.name_any();
    if !ctx.config.namespaces.contains(&namespace) || set.metadata.deletion_timestamp.is_some() {
        // Deleting the set deletes its Applications through their owner references.
        return Ok(Action::await_change());
    }
    let kube_error = |source| AppSetError::Kube {
        name: format!("{namespace}/{name}"),
        source,
    };
    let refresh = set.annotations().contains_key(REFRESH);
    let apps: Api<Application> = Api::namespaced(ctx.client.clone(), &namespace);
    let uid = set.uid().unwrap_or_default();
    let owned: Vec<Application> = apps
        .list(&ListParams::default())
        .await
        .map_err(kube_error)?
        .items
        .into_iter()
        .filter(|a| a.owner_references().iter().any(|o| o.uid == uid))
        .collect();

    let mut findings = Findings::default();
    let mut requeue = crate::backoff::jittered_poll(poll_interval(&set, &ctx));
    match generate(&set, &ctx, refresh).await {
        Err(error) => {
            tracing::warn!(appset = %name, %error, "generation failed; keeping every Application");
            findings.error = Some((error.reason().to_owned(), error.to_string()));
            findings.generated = !matches!(error, GenerateError::Git { .. } | GenerateError::Generator(_));
            requeue = requeue.min(ERROR_REQUEUE);
            findings.desired_names = owned.iter().map(ResourceExt::name_any).collect();
        }
        Ok(desired) => {
            findings.generated = true;
            findings.desired_names = desired.iter().map(ResourceExt::name_any).collect();
            let policy = set
                .spec
                .sync_policy
                .as_ref()
                .and_then(|p| p.applications_sync)
                .unwrap_or(ApplicationsSyncPolicy::Sync);
            let previous = ctx.appsets.held(&uid);
            let max_share = ctx.config.appset_max_delete_share;
            let plan = plan(&desired, &owned, policy, max_share, previous);
            ctx.appsets
                .remember(&uid, plan.held_delete.as_ref().map(|h| h.fingerprint));
            if let Some(held) = &plan.held_delete {
                findings.held_delete = Some((held.count, held.total));
                requeue = requeue.min(CONFIRM_REQUEUE);
            }
            let params = PatchParams::apply(FIELD_MANAGER).force();
            for app in desired.iter().filter(|a| {
                let n = a.name_any();
                plan.create.contains(&n) || plan.update.contains(&n)
            }) {
                if let Err(error) = apps.patch(&app.name_any(), &params, &Patch::Apply(app)).await {
                    findings.apply_errors.push(format!("{}: {error}", app.name_any()));
                }
            }
            let preserve = set
                .spec
                .sync_policy
                .as_ref()
                .is_some_and(|p| p.preserve_resources_on_deletion);
            for stale in owned.iter().filter(|a| plan.delete.contains(&a.name_any())) {
                if let Err(error) = delete(&apps, stale, preserve).await {
                    findings
                        .apply_errors
                        .push(format!("deleting {}: {error}", stale.name_any()));
                }
            }
            if !findings.apply_errors.is_empty() {
                requeue = requeue.min(ERROR_REQUEUE);
            }
        }
    }
    let status = next_status(&set, &findings, &owned, &jiff::Timestamp::now());
    if set.status.as_ref() != Some(&status) {
        let sets: Api<ApplicationSet> = Api::namespaced(ctx.client.clone(), &namespace);
        // Conditional on the version this pass read: a status from a stale copy is refused.
        let patch = json!({
            "metadata": { "resourceVersion": set.resource_version() },
            "status": status,
        });
        match sets
            .patch_status(&name, &PatchParams::default(), &Patch::Merge(&patch))
            .await
        {
            Ok(_) => {}
            Err(kube::Error::Api(error)) if error.code == 409 => {
                tracing::debug!("ApplicationSet changed during the pass; status not written");
                return Ok(Action::requeue(Duration::from_secs(1)));
            }
            Err(source) => return Err(kube_error(source)),
        }
    }
    if refresh {
        let sets: Api<ApplicationSet> = Api::namespaced(ctx.client.clone(), &namespace);
        crate::requests::clear(&sets, &name, |current| {
            crate::requests::annotation_removal(set.as_ref(), current, REFRESH)
        })
        .await
        .map_err(kube_error)?;
    }
    ctx.failures
        .succeeded(&format!("applicationset/{namespace}/{name}"));
    Ok(Action::requeue(requeue))
}

/// The smallest `requeueAfterSeconds` of the set's git generators, else the poll interval.
fn poll_interval(set: &ApplicationSet, ctx: &Context) -> Duration {
    generators::git_sources(&set.spec.generators)
        .iter()
        .filter_map(|g| g.requeue_after_seconds)
        .filter(|s| *s > 0)
        .map(|s| Duration::from_secs(s.unsigned_abs()))
        .min()
        .unwrap_or(ctx.config.poll_interval)
}

/// Resolves the git trees, generates and renders the set's Applications.
async fn generate(
    set: &ApplicationSet,
    ctx: &Context,
    refresh: bool,
) -> Result<Vec<Application>, GenerateError> {
    let mut trees = Trees::default();
    for git in generators::git_sources(&set.spec.generators) {
        let revision = revision_of(&git).to_owned();
        let repo = driftless_git::url::redact_url(&git.repo_url);
        let credentials =
            ctx.credentials
                .for_url(&git.repo_url)
                .await
                .map_err(|source| GenerateError::Credentials {
                    repo: repo.clone(),
                    source,
                })?;
        let options = FetchOptions {
            credentials,
            // A refresh wants what was pushed before it was asked for; a poll takes a recent fetch.
            max_age: (!refresh).then_some(ctx.config.poll_interval),
            started_after: refresh.then(std::time::Instant::now),
            ..FetchOptions::default()
        };
        let git_error = |source| GenerateError::Git {
            repo: repo.clone(),
            source,
        };
        let resolution = ctx
            .repos
            .resolve_with_fallback(&git.repo_url, &revision, &options)
            .await
            .map_err(git_error)?;
        let snapshot = ctx
            .repos
            .snapshot(&git.repo_url, resolution.commit)
            .await
            .map_err(git_error)?;
        trees.insert(&git.repo_url, &revision, snapshot);
    }
    let mode = Mode::of(set.spec.go_template, &set.spec.go_template_options);
    let params = generators::generate_all(&set.spec.generators, &trees, mode.go_template)?;
    let mut desired = Vec::with_capacity(params.len());
    for set_params in &params {
        desired.push(to_application(set, set_params, mode)?);
    }
    let dups = duplicates(&desired);
    if !dups.is_empty() {
        return Err(GenerateError::Duplicates(dups.join(", ")));
    }
    Ok(desired)
}

/// One generated Application, owned by the set.
fn to_application(
    set: &ApplicationSet,
    params: &super::params::Params,
    mode: Mode,
) -> Result<Application, TemplateError> {
    let (meta, spec) = render(&set.spec.template, params, mode)?;
    let mut app = Application::new(&meta.name, spec);
    app.metadata.namespace = set.namespace();
    let non_empty = |map: BTreeMap<String, String>| (!map.is_empty()).then_some(map);
    app.metadata.labels = non_empty(meta.labels);
    app.metadata.annotations = non_empty(meta.annotations);
    let mut finalizers = meta.finalizers;
    let preserve = set
        .spec
        .sync_policy
        .as_ref()
        .is_some_and(|p| p.preserve_resources_on_deletion);
    if !preserve && !finalizers.iter().any(|f| f == RESOURCES_FINALIZER) {
        finalizers.push(RESOURCES_FINALIZER.to_owned());
    }
    app.metadata.finalizers = (!finalizers.is_empty()).then_some(finalizers);
    app.metadata.owner_references = Some(vec![OwnerReference {
        api_version: format!("{GROUP}/{VERSION}"),
        kind: ApplicationSet::kind(&()).into_owned(),
        name: set.name_any(),
        uid: set.uid().unwrap_or_default(),
        controller: Some(true),
        block_owner_deletion: Some(true),
    }]);
    Ok(app)
}

/// Deletes a stale Application; with `preserve`, its resources finalizer is dropped first so its objects stay.
async fn delete(apps: &Api<Application>, app: &Application, preserve: bool) -> Result<(), kube::Error> {
    let name = app.name_any();
    if preserve && app.finalizers().iter().any(|f| f == RESOURCES_FINALIZER) {
        let kept: Vec<&String> = app
            .finalizers()
            .iter()
            .filter(|f| *f != RESOURCES_FINALIZER)
            .collect();
        let patch = json!({ "metadata": { "finalizers": kept } });
        apps.patch(&name, &PatchParams::default(), &Patch::Merge(&patch))
            .await?;
    }
    apps.delete(&name, &DeleteParams::background()).await.map(|_| ())
}

/// Requeue after an error, backing off while it keeps failing (as Applications do).
pub fn error_policy(set: Arc<ApplicationSet>, error: &AppSetError, ctx: Arc<Context>) -> Action {
    let key = format!(
        "applicationset/{}/{}",
        set.namespace().unwrap_or_default(),
        set.name_any()
    );
    let (failures, delay) = ctx.failures.retry_after(&key);
    tracing::warn!(%error, reason = error.reason(), failures, retry_in = ?delay, "ApplicationSet reconcile failed");
    Action::requeue(delay)
}
