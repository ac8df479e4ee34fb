//! The one place an Application's status is computed and written.
//!
//! [`conditions`] is pure: it derives the kstatus-style `Ready`, `Reconciling`
//! and `Stalled` conditions plus Argo CD's error conditions from what the
//! reconcile observed, keeping `lastTransitionTime` when a condition did not
//! change. [`patch_if_changed`] writes with server-side apply only when the
//! new status differs from the current one, so a quiet cluster sees no writes.

use driftless_api::Application;
use driftless_api::application::ApplicationStatus;
use driftless_api::conditions as cond;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, Time};
use kube::api::{Api, Patch, PatchParams};
use serde_json::json;

/// Field manager of status writes (separate from the one applying objects).
pub const STATUS_MANAGER: &str = "driftless-status";

/// Argo CD's error condition types Driftless reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorType {
    /// Git or render failed; nothing was compared.
    ComparisonError,
    /// Applying or pruning failed.
    SyncError,
    /// The spec cannot be acted on.
    InvalidSpecError,
    /// An object is tracked by another Application.
    SharedResourceWarning,
}

impl ErrorType {
    /// The condition type's name.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorType::ComparisonError => cond::COMPARISON_ERROR,
            ErrorType::SyncError => cond::SYNC_ERROR,
            ErrorType::InvalidSpecError => cond::INVALID_SPEC_ERROR,
            ErrorType::SharedResourceWarning => cond::SHARED_RESOURCE_WARNING,
        }
    }
}

/// One problem to report as a condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Condition type.
    pub kind: ErrorType,
    /// CamelCase reason (the error's `reason()`).
    pub reason: String,
    /// One actionable sentence.
    pub message: String,
}

impl Problem {
    /// The condition type this problem is reported under.
    pub fn kind_name(&self) -> &'static str {
        self.kind.as_str()
    }
}

/// What the conditions are derived from.
#[derive(Debug, Clone, Default)]
pub struct ConditionInputs {
    /// Current problems.
    pub problems: Vec<Problem>,
    /// True when progress needs a change from the user (bad spec, bad render).
    pub stalled: bool,
    /// True while a sync is running or objects are still progressing.
    pub reconciling: bool,
}

/// The conditions for `status` (its sync and health already set), updating
/// `previous` so unchanged conditions keep their transition times.
pub fn conditions(
    status: &ApplicationStatus,
    inputs: &ConditionInputs,
    previous: &[Condition],
    now: &Time,
) -> Vec<Condition> {
    let generation = status.observed_generation;
    let mut next = previous.to_vec();
    let first_problem = inputs
        .problems
        .iter()
        .find(|p| p.kind != ErrorType::SharedResourceWarning);
    let (ready, reason, message) = match first_problem {
        Some(problem) => (false, problem.reason.as_str(), problem.message.clone()),
        None => cond::ready(status.sync.status, status.health.status),
    };
    cond::set_condition(&mut next, cond::READY, ready, reason, &message, generation, now);
    if inputs.reconciling {
        let message = "Sync or rollout in progress";
        cond::set_condition(
            &mut next,
            cond::RECONCILING,
            true,
            "Progressing",
            message,
            generation,
            now,
        );
    } else {
        cond::remove_condition(&mut next, cond::RECONCILING);
    }
    match first_problem.filter(|_| inputs.stalled) {
        Some(problem) => {
            cond::set_condition(
                &mut next,
                cond::STALLED,
                true,
                &problem.reason,
                &problem.message,
                generation,
                now,
            );
        }
        None => {
            cond::remove_condition(&mut next, cond::STALLED);
        }
    }
    let kinds = [
        ErrorType::ComparisonError,
        ErrorType::SyncError,
        ErrorType::InvalidSpecError,
        ErrorType::SharedResourceWarning,
    ];
    for kind in kinds {
        let of_kind: Vec<&Problem> = inputs.problems.iter().filter(|p| p.kind == kind).collect();
        match of_kind.first() {
            Some(first) => {
                let message = of_kind
                    .iter()
                    .map(|p| p.message.as_str())
                    .collect::<Vec<_>>()
                    .join("; ");
                cond::set_condition(
                    &mut next,
                    kind.as_str(),
                    true,
                    &first.reason,
                    &message,
                    generation,
                    now,
                );
            }
            None => {
                cond::remove_condition(&mut next, kind.as_str());
            }
        }
    }
    next
}

/// Writes `status` when it differs from the Application's current status.
/// Returns whether a write happened.
pub async fn patch_if_changed(
    api: &Api<Application>,
    app: &Application,
    status: &ApplicationStatus,
) -> Result<bool, kube::Error> {
    if app.status.as_ref() == Some(status) {
        return Ok(false);
    }
    let name = app.metadata.name.as_deref().unwrap_or_default();
    // The resourceVersion makes the write conditional: a status computed from an Application
    // that has changed since is refused (409) instead of overwriting newer state.
    let patch = json!({
        "apiVersion": "driftless.dev/v1alpha1",
        "kind": "Application",
        "metadata": {"resourceVersion": app.metadata.resource_version},
        "status": status,
    });
    api.patch_status(
        name,
        &PatchParams::apply(STATUS_MANAGER).force(),
        &Patch::Apply(&patch),
    )
    .await?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftless_api::application::{HealthStatus, HealthStatusCode, SyncStatusCode};

    fn at(seconds: i64) -> Time {
        Time(k8s_openapi::jiff::Timestamp::from_second(seconds).unwrap_or_default())
    }

    fn status(sync: SyncStatusCode, health: HealthStatusCode) -> ApplicationStatus {
        let mut status = ApplicationStatus::default();
        status.sync.status = sync;
        status.health = HealthStatus {
            status: health,
            message: None,
        };
        status
    }

    fn find<'a>(conditions: &'a [Condition], type_: &str) -> Option<&'a Condition> {
        conditions.iter().find(|c| c.type_ == type_)
    }

    #[test]
    fn ready_is_true_only_when_synced_and_healthy() {
        let cases = [
            (
                SyncStatusCode::Synced,
                HealthStatusCode::Healthy,
                "True",
                "Succeeded",
            ),
            (
                SyncStatusCode::OutOfSync,
                HealthStatusCode::Healthy,
                "False",
                "NotSynced",
            ),
            (
                SyncStatusCode::Synced,
                HealthStatusCode::Progressing,
                "False",
                "NotHealthy",
            ),
            (
                SyncStatusCode::Synced,
                HealthStatusCode::Degraded,
                "False",
                "NotHealthy",
            ),
        ];
        for (sync, health, want_status, want_reason) in cases {
            let got = conditions(&status(sync, health), &ConditionInputs::default(), &[], &at(10));
            let ready = find(&got, "Ready").map(|c| (c.status.as_str(), c.reason.as_str()));
            assert_eq!(ready, Some((want_status, want_reason)), "{sync:?} {health:?}");
        }
    }

    #[test]
    fn problems_become_conditions_and_stall_names_the_cause() {
        let inputs = ConditionInputs {
            problems: vec![Problem {
                kind: ErrorType::ComparisonError,
                reason: "InvalidKustomization".into(),
                message: "apps/web/kustomization.yaml: unknown field".into(),
            }],
            stalled: true,
            reconciling: false,
        };
        let got = conditions(
            &status(SyncStatusCode::Unknown, HealthStatusCode::Unknown),
            &inputs,
            &[],
            &at(5),
        );
        assert_eq!(
            find(&got, "Ready").map(|c| c.reason.as_str()),
            Some("InvalidKustomization")
        );
        assert_eq!(find(&got, "Stalled").map(|c| c.status.as_str()), Some("True"));
        assert!(find(&got, "ComparisonError").is_some_and(|c| c.message.contains("kustomization.yaml")));
        assert!(find(&got, "Reconciling").is_none());
    }

    #[test]
    fn unchanged_conditions_keep_their_transition_time() {
        let healthy = status(SyncStatusCode::Synced, HealthStatusCode::Healthy);
        let first = conditions(&healthy, &ConditionInputs::default(), &[], &at(1));
        let again = conditions(&healthy, &ConditionInputs::default(), &first, &at(99));
        assert_eq!(first, again);
        let drifted = conditions(
            &status(SyncStatusCode::OutOfSync, HealthStatusCode::Healthy),
            &ConditionInputs::default(),
            &first,
            &at(99),
        );
        assert_eq!(
            find(&drifted, "Ready").map(|c| c.last_transition_time.clone()),
            Some(at(99))
        );
    }
}
