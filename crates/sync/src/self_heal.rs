//! Whether an out-of-sync object is applied now or only reported (pure).
//!
//! A change in git is applied by automated sync — also for objects that opted out of self-heal.
//! Drift made in the cluster (desired unchanged) is reverted only when the app has `selfHeal`,
//! the object has not opted out (`driftless.dev/self-heal: "false"`) and the app is not paused
//! (`driftless.dev/self-heal-paused-until`). A manual sync (`operation.sync`) applies everything.

use driftless_api::annotations::{SELF_HEAL, SELF_HEAL_PAUSED_UNTIL};
use driftless_api::application::Application;
use jiff::Timestamp;
use kube::api::DynamicObject;

use crate::error::Error;

/// The app-level inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SelfHealPolicy {
    /// `spec.syncPolicy.automated` is set.
    pub automated: bool,
    /// `spec.syncPolicy.automated.selfHeal`.
    pub self_heal: bool,
    /// From `driftless.dev/self-heal-paused-until`.
    pub paused_until: Option<Timestamp>,
}

impl SelfHealPolicy {
    /// Reads the policy from an Application; a paused-until value that is not RFC 3339 is an error
    /// (the caller reports it; guessing either way would surprise someone mid-incident).
    pub fn from_app(app: &Application) -> Result<SelfHealPolicy, Error> {
        let automated = app.spec.sync_policy.as_ref().and_then(|p| p.automated);
        let paused_until = app
            .metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get(SELF_HEAL_PAUSED_UNTIL))
            .map(|value| {
                value
                    .trim()
                    .parse::<Timestamp>()
                    .map_err(|e| Error::InvalidAnnotation {
                        object: format!(
                            "Application {}/{}",
                            app.metadata.namespace.as_deref().unwrap_or(""),
                            app.metadata.name.as_deref().unwrap_or("")
                        ),
                        annotation: SELF_HEAL_PAUSED_UNTIL,
                        value: value.clone(),
                        problem: format!("not an RFC 3339 time ({e})"),
                    })
            })
            .transpose()?;
        Ok(SelfHealPolicy {
            automated: automated.is_some(),
            self_heal: automated.is_some_and(|a| a.self_heal),
            paused_until,
        })
    }
}

/// True when the desired object opts out of self-heal (`driftless.dev/self-heal: "false"`).
pub fn object_opted_out(desired: &DynamicObject) -> bool {
    desired
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(SELF_HEAL))
        .is_some_and(|v| v.trim() == "false")
}

/// One object's situation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ObjectState {
    /// Live differs from desired (or is missing).
    pub out_of_sync: bool,
    /// Its desired state changed in git since it was last applied (new objects count as changed).
    pub desired_changed: bool,
    /// It opted out of self-heal.
    pub opted_out: bool,
}

/// Why an out-of-sync object is only reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HoldReason {
    /// No automated sync: wait for `operation.sync`.
    ManualSync,
    /// Drift, and the app does not self-heal.
    SelfHealDisabled,
    /// Drift, and the object opted out.
    ObjectOptedOut,
    /// Drift, and self-heal is paused until this instant (requeue then).
    Paused(Timestamp),
}

/// The verdict for one object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HealDecision {
    /// In sync: nothing to do.
    InSync,
    /// Apply it.
    Apply,
    /// Leave it and report it OutOfSync.
    Hold(HoldReason),
}

/// Decides for one object at time `now`. `manual_sync` is true while `operation.sync` runs.
pub fn decide(
    policy: &SelfHealPolicy,
    object: ObjectState,
    manual_sync: bool,
    now: Timestamp,
) -> HealDecision {
    if !object.out_of_sync {
        return HealDecision::InSync;
    }
    if manual_sync {
        return HealDecision::Apply;
    }
    if !policy.automated {
        return HealDecision::Hold(HoldReason::ManualSync);
    }
    if object.desired_changed {
        return HealDecision::Apply;
    }
    if !policy.self_heal {
        return HealDecision::Hold(HoldReason::SelfHealDisabled);
    }
    if object.opted_out {
        return HealDecision::Hold(HoldReason::ObjectOptedOut);
    }
    match policy.paused_until {
        Some(until) if now < until => HealDecision::Hold(HoldReason::Paused(until)),
        _ => HealDecision::Apply,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use driftless_api::application::{
        ApplicationDestination, ApplicationSource, ApplicationSpec, AutomatedSyncPolicy, SyncPolicy,
    };

    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn decision_table() {
        let until = ts("2026-11-23T12:00:00Z");
        let before = ts("2026-11-23T11:59:59Z");
        let after = ts("2026-11-23T12:00:00Z");
        let auto = SelfHealPolicy {
            automated: true,
            self_heal: true,
            paused_until: None,
        };
        let no_heal = SelfHealPolicy {
            self_heal: false,
            ..auto
        };
        let manual = SelfHealPolicy {
            automated: false,
            self_heal: false,
            paused_until: None,
        };
        let paused = SelfHealPolicy {
            paused_until: Some(until),
            ..auto
        };
        let drift = ObjectState {
            out_of_sync: true,
            desired_changed: false,
            opted_out: false,
        };
        let git = ObjectState {
            desired_changed: true,
            ..drift
        };
        let opted = ObjectState {
            opted_out: true,
            ..drift
        };
        let opted_git = ObjectState {
            desired_changed: true,
            ..opted
        };
        let synced = ObjectState {
            out_of_sync: false,
            ..drift
        };
        use HealDecision::*;
        use HoldReason::*;
        let cases = [
            (auto, synced, false, before, InSync),
            (auto, drift, false, before, Apply),
            (auto, git, false, before, Apply),
            (no_heal, drift, false, before, Hold(SelfHealDisabled)),
            (no_heal, git, false, before, Apply),
            (manual, git, false, before, Hold(ManualSync)),
            (manual, drift, true, before, Apply),
            (auto, opted, false, before, Hold(ObjectOptedOut)),
            (auto, opted_git, false, before, Apply),
            (auto, opted, true, before, Apply),
            (paused, drift, false, before, Hold(Paused(until))),
            (paused, drift, false, after, Apply),
            (paused, git, false, before, Apply),
        ];
        for (i, (policy, object, manual_sync, now, want)) in cases.into_iter().enumerate() {
            assert_eq!(decide(&policy, object, manual_sync, now), want, "case {i}");
        }
    }

    fn app(annotation: Option<&str>, automated: Option<AutomatedSyncPolicy>) -> Application {
        let mut app = Application::new(
            "blog",
            ApplicationSpec {
                project: "default".into(),
                source: ApplicationSource {
                    repo_url: "r".into(),
                    target_revision: "HEAD".into(),
                    path: ".".into(),
                },
                destination: ApplicationDestination::default(),
                sync_policy: Some(SyncPolicy {
                    automated,
                    ..SyncPolicy::default()
                }),
                ignore_differences: vec![],
            },
        );
        if let Some(value) = annotation {
            app.metadata.annotations = Some([(SELF_HEAL_PAUSED_UNTIL.to_owned(), value.to_owned())].into());
        }
        app
    }

    #[test]
    fn policy_from_app() {
        let heal = Some(AutomatedSyncPolicy {
            prune: true,
            self_heal: true,
            allow_empty: false,
        });
        let policy = SelfHealPolicy::from_app(&app(Some("2026-11-23T12:00:00+01:00"), heal)).unwrap();
        assert_eq!(
            policy,
            SelfHealPolicy {
                automated: true,
                self_heal: true,
                paused_until: Some(ts("2026-11-23T11:00:00Z"))
            }
        );
        let manual = SelfHealPolicy::from_app(&app(None, None)).unwrap();
        assert!(!manual.automated && !manual.self_heal && manual.paused_until.is_none());
        let err = SelfHealPolicy::from_app(&app(Some("tomorrow"), heal)).unwrap_err();
        assert_eq!(err.reason(), "InvalidAnnotation");
        assert!(err.to_string().contains("tomorrow"));
    }

    #[test]
    fn opt_out_annotation() {
        let obj = |value: &str| -> DynamicObject {
            serde_json::from_value(serde_json::json!({"apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": {"name": "web", "annotations": {SELF_HEAL: value}}}))
            .unwrap()
        };
        assert!(object_opted_out(&obj("false")));
        assert!(!object_opted_out(&obj("true")));
    }
}
