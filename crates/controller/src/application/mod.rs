//! The Application reconciler: project check → source → render → decorate →
//! compare → decide (pure) → act → health → one status patch.
//!
//! A failure before `act` stops the reconcile with a condition naming the
//! cause; nothing is applied and nothing is pruned, and the last good status
//! (resources, inventory, history) is kept.

pub mod act;
pub mod compare;
pub mod decide;
pub mod preview;
pub mod report;
pub mod retry;
pub mod source;
pub mod status;

use std::sync::Arc;
use std::time::{Duration, Instant};

use driftless_api::Application;
use driftless_api::annotations::{REFRESH, RESOURCES_FINALIZER, RefreshKind};
use driftless_api::validate::{CheckedSpec, check_spec};
use driftless_sync::apply::{ApplyOptions, FIELD_MANAGER};
use driftless_sync::decorate::AppRef;
use driftless_sync::health::{assess_live, settled};
use driftless_sync::inventory::Inventory;
use driftless_sync::self_heal::{self, SelfHealPolicy, object_opted_out};
use driftless_sync::{Action as ChangeAction, ChangeSet};
use kube::api::{Api, Patch, PatchParams};
use kube::runtime::controller::Action;
use kube::{Resource, ResourceExt};
use serde_json::json;
use tracing::Instrument;

use self::decide::{Facts, ManualSync, ObjectFacts, Trigger, decide};
use self::report::{Report, SyncRun};
use self::status::{ErrorType, Problem};
use crate::context::Context;
use crate::events;
use crate::project;
use crate::project::sync_window::{Gate, SyncKind};

/// When to run again after the status write lost a race with another writer.
const CONFLICT_REQUEUE: Duration = Duration::from_secs(1);

/// A reconcile that could not finish; retried with backoff by `error_policy`.
#[derive(Debug, thiserror::Error)]
pub enum ReconcileError {
    /// Writing the Application or its status failed.
    #[error("updating Application {name}: {source}")]
    Kube {
        /// `namespace/name`.
        name: String,
        /// The API error.
        #[source]
        source: kube::Error,
    },
}

impl ReconcileError {
    /// Metric/Event reason.
    pub fn reason(&self) -> &'static str {
        "StatusUpdateFailed"
    }
}

/// Reconciles one Application (the kube `Controller` calls this).
pub async fn reconcile(app: Arc<Application>, ctx: Arc<Context>) -> Result<Action, ReconcileError> {
    let namespace = app.namespace().unwrap_or_default();
    let name = app.name_any();
    let span = tracing::info_span!("reconcile", app = %name, namespace = %namespace, revision = tracing::field::Empty);
    async move {
        if !ctx.config.namespaces.contains(&namespace) {
            return Ok(Action::await_change());
        }
        let api: Api<Application> = Api::namespaced(ctx.client.clone(), &namespace);
        let kube_error = |source| ReconcileError::Kube {
            name: format!("{namespace}/{name}"),
            source,
        };
        let key = format!("{namespace}/{name}");
        ctx.metrics.reconcile_started(&key);
        // The watch cache can lag our own last status write; a reconcile built on an older
        // status would write it back (history, inventory, operation state lost). Read it fresh.
        let app = match api.get_opt(&name).await.map_err(kube_error)? {
            Some(fresh) => fresh,
            None => return Ok(Action::await_change()),
        };
        if app.metadata.deletion_timestamp.is_some() {
            return finalize(&app, &api, &ctx).await.map_err(kube_error);
        }
        let started = Instant::now();
        let outcome = run(&app, &ctx).await;
        let written = write_status(&api, &app, &outcome).await.map_err(kube_error)?;
        if written == Written::Dropped {
            // Changed while we worked (a spec edit, say): its watch event brings a fresh reconcile.
            tracing::debug!("Application changed during the reconcile; status not written");
            ctx.metrics.reconcile_due(&key, CONFLICT_REQUEUE);
            return Ok(Action::requeue(CONFLICT_REQUEUE));
        }
        record_metrics(&ctx, &app, &outcome, started.elapsed());
        if outcome.clear_operation || outcome.clear_refresh {
            clear_requests(&api, &app, outcome.clear_operation, outcome.clear_refresh)
                .await
                .map_err(kube_error)?;
        }
        for event in &outcome.events {
            events::publish(&ctx, &app, event).await;
        }
        ctx.failures.succeeded(&key);
        let requeue = match written {
            Written::OverNewer => CONFLICT_REQUEUE,
            _ => outcome.requeue,
        };
        ctx.metrics.reconcile_due(&key, requeue);
        Ok(Action::requeue(requeue))
    }
    .instrument(span)
    .await
}

/// What became of a reconcile's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Written {
    /// Written (or already current) on the Application the reconcile read.
    Current,
    /// The Application changed meanwhile and this run only looked: the status was dropped.
    Dropped,
    /// The Application changed meanwhile, but this run synced: the status was written over the
    /// newer Application, because what the sync applied and pruned (inventory, history,
    /// operationState) must not be lost. A reconcile of the newer spec follows at once.
    OverNewer,
}

/// Writes the outcome's status, conditional on the Application being the one read (see
/// [`Written`] for what happens when it is not).
async fn write_status(
    api: &Api<Application>,
    app: &Application,
    outcome: &Outcome,
) -> Result<Written, kube::Error> {
    let is_conflict = |error: &kube::Error| matches!(error, kube::Error::Api(status) if status.code == 409);
    match status::patch_if_changed(api, app, &outcome.status).await {
        Ok(_) => return Ok(Written::Current),
        Err(error) if !is_conflict(&error) => return Err(error),
        Err(_) if outcome.trigger.is_none() => return Ok(Written::Dropped),
        Err(_) => {}
    }
    for _ in 0..3 {
        let Some(newer) = api.get_opt(&app.name_any()).await? else {
            return Ok(Written::Dropped);
        };
        match status::patch_if_changed(api, &newer, &outcome.status).await {
            Ok(_) => return Ok(Written::OverNewer),
            Err(error) if is_conflict(&error) => continue,
            Err(error) => return Err(error),
        }
    }
    tracing::warn!("the Application kept changing; the sync's status was not written");
    Ok(Written::Dropped)
}

/// What one run produced: the status to write and what to do next.
pub struct Outcome {
    /// The complete new status.
    pub status: driftless_api::ApplicationStatus,
    /// When to look again at the latest.
    pub requeue: Duration,
    /// `operation.sync` ran: remove it.
    pub clear_operation: bool,
    /// A refresh annotation was handled: remove it.
    pub clear_refresh: bool,
    /// Events to publish.
    pub events: Vec<events::AppEvent>,
    /// What kind of sync ran, if any.
    pub trigger: Option<Trigger>,
}

async fn run(app: &Application, ctx: &Context) -> Outcome {
    // Spread the next look so apps created together do not poll in lockstep.
    let report = Report::new(app, crate::backoff::jittered_poll(ctx.config.poll_interval));
    let checked = match check_spec(&app.spec) {
        Ok(checked) => checked,
        Err(error) => {
            return report.failed(
                problem(ErrorType::InvalidSpecError, error.reason(), &error),
                false,
            );
        }
    };
    let policy = match SelfHealPolicy::from_app(app) {
        Ok(policy) => policy,
        Err(error) => {
            return report.failed(
                problem(ErrorType::InvalidSpecError, error.reason(), &error),
                false,
            );
        }
    };
    // Step 1: the project allows this repository and destination.
    let project = match guard_spec(ctx, app).await {
        Ok(project) => project,
        Err((problem, transient)) => return report.failed(problem, transient),
    };
    // Applies and prunes act as the project's ServiceAccount for this destination, if it names one.
    let acting = match acting_as(ctx, app, &project) {
        Ok(acting) => acting,
        Err(problem) => return report.failed(problem, false),
    };
    let app_ref = AppRef {
        namespace: app.namespace().unwrap_or_default(),
        name: app.name_any(),
    };
    let refresh = app
        .annotations()
        .get(REFRESH)
        .map(|v| RefreshKind::from_annotation(v));
    let manual = app.operation.as_ref().and_then(|op| op.sync.as_ref());
    let revision = manual
        .and_then(|m| m.revision.clone())
        .unwrap_or_else(|| app.spec.source.target_revision.clone());
    let report = report.with_requests(manual.is_some(), refresh.is_some());

    let desired = match source::desired_state(ctx, app, &app_ref, &revision, refresh).await {
        Ok(desired) => desired,
        Err(error) => {
            let transient = error.is_transient();
            return report.failed(
                problem(ErrorType::ComparisonError, error.reason(), &error),
                transient,
            );
        }
    };
    tracing::Span::current().record("revision", desired.commit.to_string());
    let mut report = report.at_revision(desired.commit);
    if let Some(error) = &desired.fetch_error {
        report.problem(problem(ErrorType::ComparisonError, error.reason(), error));
    }
    // The project allows every rendered kind in its namespace: otherwise nothing is applied.
    let ids: Vec<_> = desired
        .objects
        .iter()
        .filter_map(driftless_sync::ObjectId::of)
        .collect();
    if let Err(error) = project::policy::check_objects(&app.spec.project, &project, &ids) {
        return report.failed(problem(ErrorType::SyncError, error.reason(), &error), false);
    }

    let options = ApplyOptions {
        field_manager: FIELD_MANAGER.into(),
        force: true,
    };
    let rules = &app.spec.ignore_differences;
    let (compared, cost) = match compare::compare_all(
        &ctx.discovery,
        &ctx.comparisons,
        &app_ref,
        desired.objects,
        rules,
        &options,
    )
    .await
    {
        Ok(result) => result,
        Err(error) => {
            let transient = error.is_transient();
            return report.failed(
                problem(ErrorType::ComparisonError, error.reason(), &error),
                transient,
            );
        }
    };
    tracing::debug!(gets = cost.gets, dry_runs = cost.dry_runs, "compared");
    for item in &compared {
        if let Some(gvk) = driftless_sync::discovery::gvk_of(&item.desired)
            && let Some(kind) = ctx.discovery.cached(&gvk)
        {
            ctx.drift.ensure(&kind);
        }
    }

    let inventory = match Inventory::from_status(app.status.as_ref().and_then(|s| s.inventory.as_ref())) {
        Ok(inventory) => inventory,
        Err(error) => {
            return report.failed(problem(ErrorType::ComparisonError, error.reason(), &error), false);
        }
    };
    let desired_inventory = Inventory::from_ids(compared.iter().map(|c| c.id.clone()));
    let mut stale_live = Vec::new();
    for id in inventory.stale(&desired_inventory) {
        match driftless_sync::apply::get_live(&ctx.discovery, &id.to_stub()).await {
            Ok(Some(live)) => stale_live.push(live),
            // Gone, or its kind is no longer served (CRD removed): nothing left to prune.
            Ok(None) => {}
            Err(driftless_sync::apply::ApiCallError::Discovery(error)) if error.not_served() => {}
            // Unknown is not gone: stop before pruning or dropping it from the inventory.
            Err(error) => {
                let message = format!("reading {id}, which git no longer has: {error}");
                return report.failed(
                    problem(ErrorType::ComparisonError, error.reason(), &message),
                    true,
                );
            }
        }
    }

    let automated = app.spec.sync_policy.as_ref().and_then(|p| p.automated);
    let facts = Facts {
        app: app_ref.clone(),
        policy,
        auto_prune: automated.is_some_and(|a| a.prune),
        allow_empty: automated.is_some_and(|a| a.allow_empty),
        prune_last: checked.sync_options.prune_last,
        manual: manual.map(|m| ManualSync {
            prune: m.prune.unwrap_or(false),
        }),
        objects: compared
            .iter()
            .map(|c| ObjectFacts {
                state: self_heal::ObjectState {
                    out_of_sync: c.comparison.status != driftless_api::application::SyncStatusCode::Synced,
                    desired_changed: c.desired_changed,
                    opted_out: object_opted_out(&c.desired),
                },
                conflict: c.owned_by_other.is_some(),
            })
            .collect(),
        inventory: &inventory,
        desired: &desired_inventory,
        stale_live: &stale_live,
        prune_timeout: ctx.config.prune_timeout,
        // Only PruneLast asks, and only when something is stale: skip the health pass otherwise.
        settled: stale_live.is_empty()
            || compared
                .iter()
                .filter(|c| c.owned_by_other.is_none())
                .all(|c| settled(&assess_live(c.live.as_ref()))),
        now: jiff::Timestamp::now(),
    };
    if facts
        .objects
        .iter()
        .any(|o| o.state.out_of_sync && !o.state.desired_changed && !o.conflict)
    {
        ctx.metrics
            .drift_detected_total
            .with_label_values(&[&app_ref.name])
            .inc();
    }
    let mut decision = decide(&facts);
    let mut window_opens = None;
    if let Some(trigger) = decision.trigger {
        let kind = if trigger == Trigger::Manual {
            SyncKind::Manual
        } else {
            SyncKind::Automated
        };
        match project::reconcile::window_gate(&project, app, kind, facts.now) {
            Ok(Gate::Open) => {}
            Ok(gate) => {
                if let (Some(message), Gate::Closed { opens_at, .. }) = (gate.message(kind), &gate) {
                    report.problem(Problem {
                        kind: ErrorType::SyncError,
                        reason: "SyncWindowClosed".into(),
                        message,
                    });
                    window_opens = *opens_at;
                }
                project::reconcile::hold(&mut decision);
            }
            Err(error) => {
                return report.failed(
                    problem(ErrorType::InvalidSpecError, error.reason(), &error),
                    false,
                );
            }
        }
    }
    let app_key = format!("{}/{}", app_ref.namespace, app_ref.name);
    let revision_text = desired.commit.to_string();
    let retry_policy = checked.retry.as_ref();
    let failures = ctx.retries.failures(&app_key, &revision_text);
    if decision.trigger.is_some_and(|t| t != Trigger::Manual)
        && retry::verdict(retry_policy, failures) == retry::Verdict::GiveUp
    {
        report.problem(Problem {
            kind: ErrorType::SyncError,
            reason: "RetryLimitReached".into(),
            message: format!(
                "sync failed {failures} times at {revision_text}; push a new commit or request a sync"
            ),
        });
        project::reconcile::hold(&mut decision);
    }
    let sync = if decision.trigger.is_some() {
        if let Some(event) = report::sync_started(&decision, &revision_text) {
            crate::events::publish(ctx, app, &event).await;
        }
        Some(act(ctx, &acting, app, &checked, &compared, &decision, &options).await)
    } else {
        None
    };
    let failed = sync.as_ref().map(|run| run.changes.has_failures());
    let mut outcome = report.finish(&compared, &inventory, &decision, sync);
    if let Some(failed) = failed {
        let failures = ctx.retries.record(&app_key, &revision_text, failed);
        if let retry::Verdict::RetryAfter(delay) = retry::verdict(retry_policy, failures) {
            outcome.requeue = outcome.requeue.min(delay);
        }
    }
    if let Some(opens) = window_opens {
        // Look again the moment the window lets the sync through.
        let wait = Duration::try_from(opens.duration_since(jiff::Timestamp::now())).unwrap_or(Duration::ZERO);
        outcome.requeue = outcome.requeue.min(wait + Duration::from_secs(1));
    }
    outcome
}

/// Loads the project and checks the source repository and destination against it.
async fn guard_spec(
    ctx: &Context,
    app: &Application,
) -> Result<driftless_api::AppProjectSpec, (Problem, bool)> {
    let spec = project::reconcile::load(ctx, app).await.map_err(|error| {
        let transient = error.is_transient();
        (
            problem(ErrorType::InvalidSpecError, error.reason(), &error),
            transient,
        )
    })?;
    let name = &app.spec.project;
    project::policy::check_source(name, &spec, &app.spec.source.repo_url)
        .and_then(|()| project::policy::check_destination(name, &spec, &app.spec.destination))
        .map_err(|error| {
            (
                problem(ErrorType::InvalidSpecError, error.reason(), &error),
                false,
            )
        })?;
    Ok(spec)
}

/// The discovery cache whose client applies and prunes for `app`: the controller's own, or
/// one impersonating the ServiceAccount `project` names for the app's destination.
fn acting_as(
    ctx: &Context,
    app: &Application,
    project: &driftless_api::AppProjectSpec,
) -> Result<driftless_sync::discovery::Discovery, Problem> {
    let account =
        project::service_account::service_account_for(&app.spec.project, project, &app.spec.destination)
            .map_err(|error| problem(ErrorType::InvalidSpecError, error.reason(), &error))?;
    ctx.identities
        .acting_as(account.as_ref())
        .map_err(|error| problem(ErrorType::SyncError, "ImpersonationFailed", &error))
}

/// Carries out `decision` as `acting`: create the namespace if asked, apply, prune.
async fn act(
    ctx: &Context,
    acting: &driftless_sync::discovery::Discovery,
    app: &Application,
    checked: &CheckedSpec,
    compared: &[compare::Compared],
    decision: &decide::Decision,
    options: &ApplyOptions,
) -> SyncRun {
    let started_at = jiff::Timestamp::now();
    let mut changes = ChangeSet::default();
    if checked.sync_options.create_namespace
        && let Some(namespace) = app.spec.destination.namespace.as_deref()
        && let Err(error) = ensure_namespace(acting, namespace).await
    {
        changes.add(
            namespace_id(namespace),
            ChangeAction::Failed,
            Some(error.to_string()),
        );
    }
    let to_apply = decision
        .apply
        .iter()
        .map(|&i| act::ToApply {
            desired: compared[i].desired.clone(),
            live: compared[i].live.clone(),
        })
        .collect();
    let applied = act::apply_all_staged(
        acting,
        to_apply,
        &app.spec.ignore_differences,
        options,
        &ctx.metrics,
    )
    .await;
    changes.append(applied.changes);
    let propagation = checked.sync_options.prune_propagation_policy;
    let timeout = ctx.config.prune_timeout;
    changes.append(
        act::prune(
            acting,
            decision.prune.now.clone(),
            propagation,
            timeout,
            &ctx.metrics,
        )
        .await,
    );
    if !decision.prune.last.is_empty() {
        // PruneLast: only after a clean apply, once everything the app renders (and owns) is
        // healthy; otherwise a later reconcile prunes them.
        let ids: Vec<_> = compared
            .iter()
            .filter(|c| c.owned_by_other.is_none())
            .map(|c| c.id.clone())
            .collect();
        let unsettled = if changes.has_failures() {
            Some("the apply failed".to_owned())
        } else {
            driftless_sync::wait::healthy(acting, &ids, timeout)
                .await
                .map(|(id, health)| format!("{id} is {:?}", health.status))
        };
        match unsettled {
            None => changes.append(
                act::prune(
                    acting,
                    decision.prune.last.clone(),
                    propagation,
                    timeout,
                    &ctx.metrics,
                )
                .await,
            ),
            Some(reason) => {
                let why = format!("PruneLast: not pruned yet, {reason}");
                for id in &decision.prune.last {
                    changes.add(id.clone(), ChangeAction::Skipped, Some(why.clone()));
                }
            }
        }
    }
    SyncRun {
        started_at,
        finished_at: jiff::Timestamp::now(),
        changes,
        live: applied.live,
    }
}

fn namespace_id(name: &str) -> driftless_sync::ObjectId {
    driftless_sync::ObjectId {
        group: String::new(),
        version: "v1".into(),
        kind: "Namespace".into(),
        namespace: String::new(),
        name: name.into(),
    }
}

/// `CreateNamespace=true`: the destination namespace exists before anything is applied (not tracked).
async fn ensure_namespace(
    acting: &driftless_sync::discovery::Discovery,
    name: &str,
) -> Result<(), driftless_sync::apply::ApiCallError> {
    let stub = namespace_id(name).to_stub();
    if driftless_sync::apply::get_live(acting, &stub).await?.is_none() {
        driftless_sync::apply::apply(acting, &stub, &ApplyOptions::default(), false).await?;
    }
    Ok(())
}

fn problem(kind: ErrorType, reason: &str, error: &dyn std::fmt::Display) -> Problem {
    Problem {
        kind,
        reason: reason.to_owned(),
        message: error.to_string(),
    }
}

/// Removes the `operation` and/or refresh annotation this reconcile handled, as long as they
/// are still the ones it read: a request made meanwhile stays for the next reconcile.
async fn clear_requests(
    api: &Api<Application>,
    handled: &Application,
    operation: bool,
    refresh: bool,
) -> Result<(), kube::Error> {
    crate::requests::clear(api, &handled.name_any(), |current| {
        requests_to_clear(handled, current, operation, refresh)
    })
    .await
}

/// The merge patch removing the handled requests still present unchanged on `current`;
/// `None` when there is nothing to remove.
fn requests_to_clear(
    handled: &Application,
    current: &Application,
    operation: bool,
    refresh: bool,
) -> Option<serde_json::Value> {
    let same_operation = operation && current.operation.is_some() && current.operation == handled.operation;
    let refresh_removal = refresh
        .then(|| crate::requests::annotation_removal(handled, current, REFRESH))
        .flatten();
    let mut patch = match (same_operation, refresh_removal) {
        (false, None) => return None,
        (_, Some(removal)) => removal,
        (true, None) => json!({}),
    };
    if same_operation {
        patch["operation"] = serde_json::Value::Null;
    }
    Some(patch)
}

/// Deletion: with the resources finalizer, delete every inventoried object
/// (background propagation), then release the Application.
async fn finalize(app: &Application, api: &Api<Application>, ctx: &Context) -> Result<Action, kube::Error> {
    let finalizers = app.finalizers();
    if !finalizers.iter().any(|f| f == RESOURCES_FINALIZER) {
        return Ok(Action::await_change());
    }
    if let Ok(inventory) = Inventory::from_status(app.status.as_ref().and_then(|s| s.inventory.as_ref())) {
        // Delete as whom the app synced as. A project that no longer exists names nobody: the
        // controller deletes what the inventory says the app itself created.
        let acting = match project::reconcile::load(ctx, app).await {
            Ok(spec) => acting_as(ctx, app, &spec),
            Err(error) if !error.is_transient() => Ok(ctx.discovery.clone()),
            Err(error) => Err(problem(ErrorType::SyncError, error.reason(), &error)),
        };
        let acting = match acting {
            Ok(acting) => acting,
            Err(problem) => {
                tracing::warn!(reason = %problem.reason, message = %problem.message, "cannot delete the app's objects yet");
                return Ok(Action::requeue(Duration::from_secs(30)));
            }
        };
        let ids: Vec<_> = inventory.iter().cloned().collect();
        let changes = act::prune(
            &acting,
            ids,
            driftless_api::sync_options::PropagationPolicy::Background,
            ctx.config.prune_timeout,
            &ctx.metrics,
        )
        .await;
        if changes.has_failures() {
            tracing::warn!("some objects could not be deleted; retrying");
            return Ok(Action::requeue(Duration::from_secs(5)));
        }
    }
    let remaining: Vec<&String> = finalizers.iter().filter(|f| *f != RESOURCES_FINALIZER).collect();
    let patch = json!({ "metadata": { "finalizers": remaining, "resourceVersion": app.resource_version() } });
    api.patch(&app.name_any(), &PatchParams::default(), &Patch::Merge(&patch))
        .await?;
    Ok(Action::await_change())
}

fn record_metrics(ctx: &Context, app: &Application, outcome: &Outcome, elapsed: Duration) {
    let name = app.name_any();
    let namespace = app.namespace().unwrap_or_default();
    let labels = [name.as_str(), namespace.as_str()];
    ctx.metrics
        .app_reconcile_duration_seconds
        .with_label_values(&labels)
        .observe(elapsed.as_secs_f64());
    ctx.metrics
        .app_last_reconcile_timestamp_seconds
        .with_label_values(&labels)
        .set(jiff::Timestamp::now().as_second());
    let sync = format!("{:?}", outcome.status.sync.status);
    let health = format!("{:?}", outcome.status.health.status);
    // Drop the previous info series of this app so only the current state reads 1.
    let info = &ctx.metrics.app_info;
    if let Some(previous) = app.status.as_ref() {
        let old = [
            name.as_str(),
            namespace.as_str(),
            app.spec.project.as_str(),
            &driftless_git::url::redact_url(&app.spec.source.repo_url),
            app.spec.source.path.as_str(),
            &format!("{:?}", previous.sync.status),
            &format!("{:?}", previous.health.status),
        ];
        let _ = info.remove_label_values(&old);
    }
    info.with_label_values(&[
        name.as_str(),
        namespace.as_str(),
        app.spec.project.as_str(),
        &driftless_git::url::redact_url(&app.spec.source.repo_url),
        app.spec.source.path.as_str(),
        &sync,
        &health,
    ])
    .set(1);
    if let Some(trigger) = outcome.trigger {
        if trigger == Trigger::SelfHeal {
            ctx.metrics.self_heal_total.with_label_values(&[&name]).inc();
        }
        let phase = outcome
            .status
            .operation_state
            .as_ref()
            .map_or("Unknown".to_owned(), |o| format!("{:?}", o.phase));
        ctx.metrics
            .app_sync_total
            .with_label_values(&[&name, &namespace, &phase])
            .inc();
    }
}

/// Requeue after an error, backing off (5 s doubling to 5 min, jittered) while it keeps failing.
pub fn error_policy(app: Arc<Application>, error: &ReconcileError, ctx: Arc<Context>) -> Action {
    let key = format!("{}/{}", app.namespace().unwrap_or_default(), app.name_any());
    let (failures, delay) = ctx.failures.retry_after(&key);
    tracing::warn!(%error, reason = error.reason(), failures, retry_in = ?delay, "reconcile failed");
    ctx.metrics.reconcile_due(&key, delay);
    Action::requeue(delay)
}

/// The object reference Events are attached to.
pub fn object_ref(app: &Application) -> k8s_openapi::api::core::v1::ObjectReference {
    app.object_ref(&())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn app(refresh: Option<&str>, sync_revision: Option<&str>, version: &str) -> Application {
        let mut app: Application = serde_json::from_value(json!({
            "apiVersion": "driftless.dev/v1alpha1", "kind": "Application",
            "metadata": {"name": "web", "namespace": "driftless", "resourceVersion": version},
            "spec": {"source": {"repoURL": "git://example/config", "targetRevision": "main", "path": "app"},
                     "destination": {"namespace": "web"}},
        }))
        .unwrap();
        if let Some(kind) = refresh {
            app.annotations_mut().insert(REFRESH.into(), kind.into());
        }
        if let Some(revision) = sync_revision {
            app.operation = Some(serde_json::from_value(json!({"sync": {"revision": revision}})).unwrap());
        }
        app
    }

    #[test]
    fn only_the_requests_handled_are_cleared() {
        let handled = app(Some("normal"), Some("v1"), "10");
        let both = requests_to_clear(&handled, &app(Some("normal"), Some("v1"), "12"), true, true).unwrap();
        assert_eq!(
            both,
            json!({"metadata": {"annotations": {REFRESH: null}}, "operation": null})
        );
        // A hard refresh and another sync asked for meanwhile stay for the next reconcile.
        assert_eq!(
            requests_to_clear(&handled, &app(Some("hard"), Some("v2"), "12"), true, true),
            None
        );
        let newer_sync =
            requests_to_clear(&handled, &app(Some("normal"), Some("v2"), "12"), true, true).unwrap();
        assert!(newer_sync.get("operation").is_none(), "{newer_sync}");
        // What this reconcile did not handle is never touched.
        assert_eq!(
            requests_to_clear(&handled, &app(Some("normal"), Some("v1"), "12"), false, false),
            None
        );
        assert_eq!(
            requests_to_clear(&handled, &app(None, None, "12"), true, true),
            None
        );
    }
}
