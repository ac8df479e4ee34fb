//! Step 9 of a reconcile: turn what happened into the Application's next
//! status, the Events to publish and when to look again. Pure: no I/O.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use driftless_api::Application;
use driftless_api::application::{
    ApplicationStatus, HealthStatus, HealthStatusCode, OperationPhase, OperationState, ResourceStatus,
    RevisionHistory, SyncOperationResult, SyncStatusCode, push_history,
};
use driftless_git::CommitId;
use driftless_sync::health::{aggregate, assess_live};
use driftless_sync::inventory::Inventory;
use driftless_sync::prune::{SkipReason, waiting_on};
use driftless_sync::{Action as ChangeAction, ChangeSet, ObjectId};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use kube::api::DynamicObject;

use super::Outcome;
use super::compare::Compared;
use super::decide::{Decision, Trigger};
use super::status::{ConditionInputs, ErrorType, Problem, conditions};
use crate::events::AppEvent;

/// How soon to look again while objects are still rolling out.
const PROGRESSING_REQUEUE: Duration = Duration::from_secs(10);
/// First retry delay after a transient failure.
const TRANSIENT_REQUEUE: Duration = Duration::from_secs(10);

/// What a sync did.
pub struct SyncRun {
    /// When it started.
    pub started_at: jiff::Timestamp,
    /// When it finished.
    pub finished_at: jiff::Timestamp,
    /// Per-object outcomes.
    pub changes: ChangeSet,
    /// Objects as the server returned them after apply.
    pub live: HashMap<ObjectId, DynamicObject>,
}

/// Builds the next status from the previous one and this reconcile's findings.
pub struct Report {
    previous: ApplicationStatus,
    generation: Option<i64>,
    poll_interval: Duration,
    manual: bool,
    refresh: bool,
    revision: Option<CommitId>,
    problems: Vec<Problem>,
}

fn time(at: jiff::Timestamp) -> Time {
    Time(at)
}

impl Report {
    /// Starts from `app`'s current status.
    pub fn new(app: &Application, poll_interval: Duration) -> Report {
        Report {
            previous: app.status.clone().unwrap_or_default(),
            generation: app.metadata.generation,
            poll_interval,
            manual: false,
            refresh: false,
            revision: None,
            problems: Vec::new(),
        }
    }

    /// Notes pending requests (`operation.sync`, refresh annotation) to clear when handled.
    pub fn with_requests(mut self, manual: bool, refresh: bool) -> Report {
        self.manual = manual;
        self.refresh = refresh;
        self
    }

    /// The commit this reconcile compared against.
    pub fn at_revision(mut self, commit: CommitId) -> Report {
        self.revision = Some(commit);
        self
    }

    /// Adds a problem to report.
    pub fn problem(&mut self, problem: Problem) {
        self.problems.push(problem);
    }

    fn base(&self) -> ApplicationStatus {
        let mut status = self.previous.clone();
        status.observed_generation = self.generation;
        status
    }

    /// The reconcile stopped before acting: keep the last good state, report why.
    pub fn failed(mut self, problem: Problem, transient: bool) -> Outcome {
        let mut status = self.base();
        status.sync.status = SyncStatusCode::Unknown;
        let mut events = Vec::new();
        if !self
            .previous
            .conditions
            .iter()
            .any(|c| c.type_ == problem.kind_name() && c.message == problem.message)
        {
            events.push(AppEvent::warning(
                &problem.reason,
                "Compare",
                problem.message.clone(),
            ));
        }
        if self.manual {
            let now = jiff::Timestamp::now();
            status.operation_state = Some(OperationState {
                phase: OperationPhase::Error,
                message: Some(problem.message.clone()),
                started_at: Some(time(now)),
                finished_at: Some(time(now)),
                sync_result: None,
            });
        }
        self.problems.push(problem);
        let inputs = ConditionInputs {
            problems: self.problems.clone(),
            stalled: !transient,
            reconciling: false,
        };
        status.conditions = conditions(
            &status,
            &inputs,
            &self.previous.conditions,
            &time(jiff::Timestamp::now()),
        );
        Outcome {
            status,
            requeue: if transient {
                TRANSIENT_REQUEUE
            } else {
                self.poll_interval
            },
            clear_operation: self.manual,
            clear_refresh: self.refresh,
            events,
            trigger: None,
        }
    }

    /// The reconcile compared (and maybe synced): the full new status.
    pub fn finish(
        self,
        compared: &[Compared],
        inventory: &Inventory,
        decision: &Decision,
        sync: Option<SyncRun>,
    ) -> Outcome {
        let mut status = self.base();
        let mut problems = self.problems.clone();
        let mut events = Vec::new();
        let empty = HashMap::new();
        let applied_live = sync.as_ref().map_or(&empty, |s| &s.live);
        let outcome_of: BTreeMap<&ObjectId, ChangeAction> = sync
            .iter()
            .flat_map(|s| s.changes.entries.iter().map(|e| (&e.id, e.action)))
            .collect();

        let mut resources = Vec::with_capacity(compared.len());
        let mut healths = Vec::with_capacity(compared.len());
        let mut next_inventory = Vec::new();
        let mut app_synced = true;
        for item in compared {
            let live = applied_live.get(&item.id).or(item.live.as_ref());
            let synced = match outcome_of.get(&item.id) {
                Some(ChangeAction::Created | ChangeAction::Configured) => SyncStatusCode::Synced,
                _ => item.comparison.status,
            };
            if synced != SyncStatusCode::Synced {
                app_synced = false;
            }
            if let Some(owner) = &item.owned_by_other {
                problems.push(Problem {
                    kind: ErrorType::SharedResourceWarning,
                    reason: "SharedResourceWarning".into(),
                    message: owner.clone(),
                });
            } else if live.is_some() {
                next_inventory.push(item.id.clone());
            }
            let health = assess_live(live);
            resources.push(resource_status(&item.id, synced, Some(health.clone())));
            healths.push((item.id.clone(), health));
        }
        // Extraneous objects that stay: shown OutOfSync; kept in the inventory while prune is off.
        let pruned: Vec<&ObjectId> = sync
            .iter()
            .flat_map(|s| {
                s.changes
                    .entries
                    .iter()
                    .filter(|e| e.action == ChangeAction::Deleted)
                    .map(|e| &e.id)
            })
            .collect();
        for (id, reason) in &decision.prune.skipped {
            if matches!(reason, SkipReason::PruneDisabled) {
                app_synced = false;
                next_inventory.push(id.clone());
                resources.push(resource_status(id, SyncStatusCode::OutOfSync, None));
            }
        }
        for id in &decision.last_waiting {
            app_synced = false;
            next_inventory.push(id.clone());
            resources.push(leaving(
                id,
                "PruneLast: pruned once everything else is healthy".into(),
            ));
        }
        let prune_blocked = decision.prune.blocked.is_some();
        for id in inventory.iter() {
            let prune_not_done = matches!(
                outcome_of.get(id),
                Some(ChangeAction::Failed | ChangeAction::Skipped)
            ) && !compared.iter().any(|c| &c.id == id);
            let held_back = prune_blocked && !compared.iter().any(|c| &c.id == id);
            if (prune_not_done || held_back) && !pruned.contains(&id) {
                app_synced = false;
                next_inventory.push(id.clone());
                resources.push(resource_status(id, SyncStatusCode::OutOfSync, None));
            }
        }

        // Pruned and still in the cluster (finalizers): tracked until gone, a condition once past
        // the prune timeout.
        let deleting_now = sync.iter().flat_map(|s| &s.changes.entries).filter(|e| {
            e.action == ChangeAction::Deleting && outcome_of.get(&e.id) == Some(&ChangeAction::Deleting)
        });
        for entry in deleting_now {
            app_synced = false;
            next_inventory.push(entry.id.clone());
            let message = entry.message.as_deref().unwrap_or_default();
            resources.push(leaving(&entry.id, format!("being deleted, {message}")));
        }
        for stuck in &decision.prune.terminating {
            app_synced = false;
            next_inventory.push(stuck.id.clone());
            let message = format!("being deleted, {}", waiting_on(&stuck.finalizers));
            resources.push(leaving(&stuck.id, message));
            if stuck.gave_up {
                problems.push(Problem {
                    kind: ErrorType::SyncError,
                    reason: "DeletionStuck".into(),
                    message: format!(
                        "{stuck} for longer than the prune timeout; remove them or fix their controller"
                    ),
                });
            }
        }

        let failures: Vec<String> = sync
            .iter()
            .flat_map(|s| s.changes.entries.iter())
            .filter(|e| e.action == ChangeAction::Failed)
            .map(|e| format!("{}: {}", e.id, e.message.as_deref().unwrap_or("failed")))
            .collect();
        if let Some(first) = failures.first() {
            let more = if failures.len() > 1 {
                format!(" (and {} more)", failures.len() - 1)
            } else {
                String::new()
            };
            problems.push(Problem {
                kind: ErrorType::SyncError,
                reason: "SyncFailed".into(),
                message: format!("{first}{more}"),
            });
            app_synced = false;
        }

        let revision = self.revision.map(|c| c.to_string()).unwrap_or_default();
        status.sync.status = if app_synced {
            SyncStatusCode::Synced
        } else {
            SyncStatusCode::OutOfSync
        };
        status.sync.set_revision(&revision);
        status.health = aggregate(healths.iter().map(|(id, h)| (id, h)));
        status.resources = resources;
        status.inventory = Some(Inventory::from_ids(next_inventory).to_status());

        if let (Some(run), Some(trigger)) = (&sync, decision.trigger) {
            let failed = !failures.is_empty();
            let summary = summarize(&run.changes);
            status.operation_state = Some(OperationState {
                phase: if failed {
                    OperationPhase::Failed
                } else {
                    OperationPhase::Succeeded
                },
                message: Some(summary.clone()),
                started_at: Some(time(run.started_at)),
                finished_at: Some(time(run.finished_at)),
                sync_result: Some(SyncOperationResult {
                    revision: revision.clone(),
                    resources: run.changes.resource_results(),
                }),
            });
            let (reason, action) = match trigger {
                Trigger::SelfHeal => ("SelfHealed", "SelfHeal"),
                Trigger::Manual | Trigger::Git => ("Synced", "Sync"),
            };
            if let Some(first) = failures.first() {
                events.push(AppEvent::warning(
                    "SyncFailed",
                    action,
                    format!("{summary} at {revision}; {first}"),
                ));
            } else {
                events.push(AppEvent::normal(
                    reason,
                    action,
                    format!("{summary} at {revision}"),
                ));
            }
            events.extend(pruned_event(&run.changes));
            let deploys = matches!(trigger, Trigger::Git | Trigger::Manual);
            let last = status.history.last().map(|h| h.revision.as_str());
            if !failed && deploys && last != Some(revision.as_str()) {
                push_history(
                    &mut status.history,
                    RevisionHistory {
                        revision: revision.clone(),
                        deployed_at: time(run.finished_at),
                    },
                );
            }
        } else if self.manual {
            // A handled manual request always leaves its own result, even with nothing to do.
            let refusal = problems.iter().find(|p| p.reason == "SyncWindowClosed");
            let now = time(jiff::Timestamp::now());
            status.operation_state = Some(OperationState {
                phase: if refusal.is_some() {
                    OperationPhase::Error
                } else {
                    OperationPhase::Succeeded
                },
                message: Some(
                    refusal.map_or_else(|| format!("nothing to sync at {revision}"), |p| p.message.clone()),
                ),
                started_at: Some(now.clone()),
                finished_at: Some(now),
                sync_result: None,
            });
        }
        for problem in &problems {
            let seen = self
                .previous
                .conditions
                .iter()
                .any(|c| c.type_ == problem.kind_name() && c.message == problem.message);
            if !seen && problem.kind != ErrorType::SyncError {
                events.push(AppEvent::warning(
                    &problem.reason,
                    "Compare",
                    problem.message.clone(),
                ));
            }
        }
        let progressing = status.health.status == HealthStatusCode::Progressing;
        let inputs = ConditionInputs {
            problems,
            stalled: false,
            reconciling: progressing,
        };
        status.conditions = conditions(
            &status,
            &inputs,
            &self.previous.conditions,
            &time(jiff::Timestamp::now()),
        );

        let mut requeue = self.poll_interval;
        let deleting = decision.prune.terminating.iter().any(|stuck| !stuck.gave_up);
        if progressing || deleting || sync.is_some() {
            requeue = requeue.min(PROGRESSING_REQUEUE);
        }
        if let Some(resume) = decision.resume_at() {
            let wait = resume.duration_since(jiff::Timestamp::now());
            let wait = Duration::try_from(wait).unwrap_or(Duration::ZERO) + Duration::from_secs(1);
            requeue = requeue.min(wait);
        }
        Outcome {
            status,
            requeue,
            clear_operation: self.manual,
            clear_refresh: self.refresh,
            events,
            trigger: decision.trigger,
        }
    }
}

fn resource_status(
    id: &ObjectId,
    status: SyncStatusCode,
    health: Option<driftless_api::application::HealthStatus>,
) -> ResourceStatus {
    ResourceStatus {
        group: id.group.clone(),
        version: id.version.clone(),
        kind: id.kind.clone(),
        namespace: (!id.namespace.is_empty()).then(|| id.namespace.clone()),
        name: id.name.clone(),
        status,
        health,
    }
}

/// The status of an object on its way out of the cluster; `message` says where it stands.
fn leaving(id: &ObjectId, message: String) -> ResourceStatus {
    let health = HealthStatus {
        status: HealthStatusCode::Progressing,
        message: Some(message),
    };
    resource_status(id, SyncStatusCode::OutOfSync, Some(health))
}

/// The Event announcing the sync `decision` is about to run at `revision`.
pub fn sync_started(decision: &Decision, revision: &str) -> Option<AppEvent> {
    let (action, why) = match decision.trigger? {
        Trigger::SelfHeal => ("SelfHeal", "reverting drift"),
        Trigger::Manual => ("Sync", "manual sync"),
        Trigger::Git => ("Sync", "git changed"),
    };
    let prune = decision.prune.now.len() + decision.prune.last.len();
    Some(AppEvent::normal(
        "SyncStarted",
        action,
        format!(
            "{why}: applying {} objects, pruning {prune} at {revision}",
            decision.apply.len()
        ),
    ))
}

/// How many objects an Event names before it says "and N more".
const NAMED_IN_EVENT: usize = 10;

/// The Event naming what a sync deleted, if it deleted anything.
fn pruned_event(changes: &ChangeSet) -> Option<AppEvent> {
    let pruned: Vec<String> = changes
        .entries
        .iter()
        .filter(|e| matches!(e.action, ChangeAction::Deleted | ChangeAction::Deleting))
        .map(|e| e.id.to_string())
        .collect();
    if pruned.is_empty() {
        return None;
    }
    let mut note = format!(
        "pruned {}: {}",
        pruned.len(),
        pruned[..pruned.len().min(NAMED_IN_EVENT)].join(", ")
    );
    if pruned.len() > NAMED_IN_EVENT {
        note.push_str(&format!(" and {} more", pruned.len() - NAMED_IN_EVENT));
    }
    Some(AppEvent::normal("Pruned", "Prune", note))
}

/// `2 created, 1 configured, 1 pruned, 1 failed` (zero counts left out).
fn summarize(changes: &ChangeSet) -> String {
    let parts: Vec<String> = [
        (ChangeAction::Created, "created"),
        (ChangeAction::Configured, "configured"),
        (ChangeAction::Deleted, "pruned"),
        (ChangeAction::Deleting, "being deleted"),
        (ChangeAction::Failed, "failed"),
    ]
    .iter()
    .filter_map(|(action, word)| {
        let count = changes.count(*action);
        (count > 0).then(|| format!("{count} {word}"))
    })
    .collect();
    if parts.is_empty() {
        "nothing to change".into()
    } else {
        parts.join(", ")
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use driftless_sync::prune::PruneDecision;

    fn id(name: &str) -> ObjectId {
        ObjectId {
            group: String::new(),
            version: "v1".into(),
            kind: "ConfigMap".into(),
            namespace: "shop".into(),
            name: name.into(),
        }
    }

    #[test]
    fn a_sync_announces_why_and_how_much() {
        assert_eq!(sync_started(&Decision::default(), "abc"), None);
        let decision = Decision {
            apply: vec![0, 1],
            prune: PruneDecision {
                now: vec![id("old")],
                ..PruneDecision::default()
            },
            trigger: Some(Trigger::SelfHeal),
            ..Decision::default()
        };
        let event = sync_started(&decision, "abc").unwrap();
        assert_eq!((event.reason.as_str(), event.action), ("SyncStarted", "SelfHeal"));
        assert_eq!(
            event.note,
            "reverting drift: applying 2 objects, pruning 1 at abc"
        );
    }

    #[test]
    fn the_prune_event_names_what_went_and_counts_the_rest() {
        let mut changes = ChangeSet::default();
        changes.add(id("kept"), ChangeAction::Unchanged, None);
        assert_eq!(pruned_event(&changes), None);
        for i in 0..12 {
            changes.add(id(&format!("cm{i:02}")), ChangeAction::Deleted, None);
        }
        let event = pruned_event(&changes).unwrap();
        assert_eq!(
            (event.reason.as_str(), event.action, event.warning),
            ("Pruned", "Prune", false)
        );
        assert!(
            event
                .note
                .starts_with("pruned 12: ConfigMap shop/cm00, ConfigMap shop/cm01"),
            "{}",
            event.note
        );
        assert!(
            event.note.ends_with("ConfigMap shop/cm09 and 2 more"),
            "{}",
            event.note
        );
    }
}
