//! The set's next status from what one reconcile found (pure): Argo CD's
//! conditions `ErrorOccurred`, `ParametersGenerated`, `ResourcesUpToDate`,
//! and the generated Applications with their sync and health.

use driftless_api::ApplicationSet;
use driftless_api::application::{GROUP, ResourceStatus, SyncStatusCode, VERSION};
use driftless_api::appset::ApplicationSetStatus;
use driftless_api::conditions::set_condition;
use driftless_api::{Application, application::HealthStatus};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use kube::ResourceExt;

/// `ErrorOccurred`.
pub const ERROR_OCCURRED: &str = "ErrorOccurred";
/// `ParametersGenerated`.
pub const PARAMETERS_GENERATED: &str = "ParametersGenerated";
/// `ResourcesUpToDate`.
pub const RESOURCES_UP_TO_DATE: &str = "ResourcesUpToDate";

/// What the reconcile found.
#[derive(Debug, Default, Clone)]
pub struct Findings {
    /// Generation or rendering failed: (reason, message).
    pub error: Option<(String, String)>,
    /// The generators produced parameters.
    pub generated: bool,
    /// The Applications the set should have (all owned ones after an error).
    pub desired_names: Vec<String>,
    /// Applies or deletes that failed.
    pub apply_errors: Vec<String>,
    /// A deletion held for confirmation: (count, total).
    pub held_delete: Option<(usize, usize)>,
}

/// The status to write.
pub fn next_status(
    set: &ApplicationSet,
    findings: &Findings,
    owned: &[Application],
    now: &jiff::Timestamp,
) -> ApplicationSetStatus {
    let previous = set.status.clone().unwrap_or_default();
    let generation = set.metadata.generation;
    let now = Time(*now);
    let mut conditions = previous.conditions.clone();
    let apply_error = findings.apply_errors.first().map(|first| {
        let more = findings.apply_errors.len() - 1;
        if more > 0 {
            format!("{first} (and {more} more)")
        } else {
            first.clone()
        }
    });
    let (error, reason, message) = match (&findings.error, &apply_error) {
        (Some((reason, message)), _) => (true, reason.as_str(), message.clone()),
        (None, Some(message)) => (true, "ApplicationApplyFailed", message.clone()),
        (None, None) => (
            false,
            "ApplicationSetUpToDate",
            "Successfully generated parameters for all Applications".into(),
        ),
    };
    set_condition(
        &mut conditions,
        ERROR_OCCURRED,
        error,
        reason,
        &message,
        generation,
        &now,
    );
    let (generated_reason, generated_message) = if findings.generated {
        (
            "ParametersGenerated",
            "Successfully generated parameters for all Applications".to_owned(),
        )
    } else {
        (reason, message.clone())
    };
    set_condition(
        &mut conditions,
        PARAMETERS_GENERATED,
        findings.generated,
        generated_reason,
        &generated_message,
        generation,
        &now,
    );
    let (up_to_date, up_reason, up_message) = match (error, findings.held_delete) {
        (true, _) => (false, reason, message.clone()),
        (false, Some((count, total))) => (
            false,
            "DeletionAwaitingConfirmation",
            format!(
                "deleting {count} of {total} Applications waits for the next generation to give the same result"
            ),
        ),
        (false, None) => (
            true,
            "ApplicationSetUpToDate",
            "All Applications are up to date".into(),
        ),
    };
    set_condition(
        &mut conditions,
        RESOURCES_UP_TO_DATE,
        up_to_date,
        up_reason,
        &up_message,
        generation,
        &now,
    );

    let mut names = findings.desired_names.clone();
    names.sort();
    names.dedup();
    let resources = names
        .iter()
        .map(|name| {
            let live = owned.iter().find(|a| &a.name_any() == name);
            let status = live.and_then(|a| a.status.as_ref());
            ResourceStatus {
                group: GROUP.into(),
                version: VERSION.into(),
                kind: "Application".into(),
                namespace: set.namespace(),
                name: name.clone(),
                status: status.map_or(SyncStatusCode::Unknown, |s| s.sync.status),
                health: status.map(|s| HealthStatus {
                    status: s.health.status,
                    message: None,
                }),
            }
        })
        .collect();
    ApplicationSetStatus {
        conditions,
        resources,
        observed_generation: generation,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    fn set() -> ApplicationSet {
        serde_json::from_value(json!({
            "apiVersion": "driftless.dev/v1alpha1", "kind": "ApplicationSet",
            "metadata": {"name": "s", "namespace": "ns", "generation": 2},
            "spec": {"generators": [], "template": {"metadata": {"name": "x"}, "spec": {
                "source": {"repoURL": "r", "targetRevision": "main", "path": "p"}, "destination": {}}}}
        }))
        .unwrap()
    }

    fn condition<'a>(
        status: &'a ApplicationSetStatus,
        type_: &str,
    ) -> &'a k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition {
        status.conditions.iter().find(|c| c.type_ == type_).unwrap()
    }

    #[test]
    fn conditions_follow_findings() {
        let now = jiff::Timestamp::from_second(1_800_000_000).unwrap();
        let ok = Findings {
            generated: true,
            desired_names: vec!["b".into(), "a".into()],
            ..Findings::default()
        };
        let status = next_status(&set(), &ok, &[], &now);
        assert_eq!(condition(&status, ERROR_OCCURRED).status, "False");
        assert_eq!(condition(&status, RESOURCES_UP_TO_DATE).status, "True");
        assert_eq!(
            status
                .resources
                .iter()
                .map(|r| r.name.as_str())
                .collect::<Vec<_>>(),
            ["a", "b"]
        );
        assert_eq!(status.observed_generation, Some(2));

        let failed = Findings {
            error: Some(("GitUnavailable".into(), "repo down".into())),
            ..Findings::default()
        };
        let status = next_status(&set(), &failed, &[], &now);
        assert_eq!(condition(&status, ERROR_OCCURRED).status, "True");
        assert_eq!(condition(&status, ERROR_OCCURRED).message, "repo down");
        assert_eq!(condition(&status, PARAMETERS_GENERATED).status, "False");
        assert_eq!(condition(&status, RESOURCES_UP_TO_DATE).status, "False");

        let held = Findings {
            generated: true,
            held_delete: Some((3, 4)),
            ..Findings::default()
        };
        let status = next_status(&set(), &held, &[], &now);
        assert_eq!(
            condition(&status, RESOURCES_UP_TO_DATE).reason,
            "DeletionAwaitingConfirmation"
        );
    }
}
