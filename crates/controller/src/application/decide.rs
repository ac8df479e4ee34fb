//! The pure heart of a reconcile: from what was compared, decide what to
//! apply, what to prune and why. It composes the sync engine's per-object
//! self-heal rule and its prune rule with the app-level policy (manual vs
//! automated sync, prune on or off). No I/O.

use driftless_sync::decorate::AppRef;
use driftless_sync::inventory::Inventory;
use driftless_sync::prune::{DesiredState, PruneDecision, PruneOptions, prune_candidates};
use driftless_sync::self_heal::{self, HealDecision, HoldReason, SelfHealPolicy};
use jiff::Timestamp;
use kube::api::DynamicObject;

/// One desired object, as compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ObjectFacts {
    /// Out of sync, changed in git, opted out of self-heal.
    pub state: self_heal::ObjectState,
    /// Tracked by another Application: never touched.
    pub conflict: bool,
}

/// A pending manual sync (`operation.sync`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ManualSync {
    /// `operation.sync.prune`.
    pub prune: bool,
}

/// Everything `decide` looks at.
pub struct Facts<'a> {
    /// The Application deciding.
    pub app: AppRef,
    /// Self-heal policy (automated, selfHeal, paused-until).
    pub policy: SelfHealPolicy,
    /// `automated.prune`.
    pub auto_prune: bool,
    /// `automated.allowEmpty`.
    pub allow_empty: bool,
    /// App-level `PruneLast=true`.
    pub prune_last: bool,
    /// A manual sync to run now.
    pub manual: Option<ManualSync>,
    /// Desired objects, in render order.
    pub objects: Vec<ObjectFacts>,
    /// What the app applied before.
    pub inventory: &'a Inventory,
    /// What it renders now.
    pub desired: &'a Inventory,
    /// Live objects of the stale inventory entries.
    pub stale_live: &'a [DynamicObject],
    /// Every desired object (but those tracked by another app) is Healthy or Suspended now.
    pub settled: bool,
    /// How long a pruned object may stay deleting before it counts as stuck.
    pub prune_timeout: std::time::Duration,
    /// The current time.
    pub now: Timestamp,
}

/// Why a sync runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// `operation.sync`.
    Manual,
    /// Git changed what the app renders.
    Git,
    /// Only cluster drift is reverted.
    SelfHeal,
}

/// What to do.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Decision {
    /// Indexes into `Facts::objects` to apply.
    pub apply: Vec<usize>,
    /// Out-of-sync objects left alone, with why.
    pub held: Vec<(usize, HoldReason)>,
    /// What to prune (and what is kept).
    pub prune: PruneDecision,
    /// Why a sync runs; `None` when nothing is applied or pruned.
    pub trigger: Option<Trigger>,
    /// `PruneLast` objects waiting until everything else is healthy (kept, no sync for them yet).
    pub last_waiting: Vec<driftless_sync::ObjectId>,
}

impl Decision {
    /// The earliest time a held object may be healed (a pause ending), to requeue then.
    pub fn resume_at(&self) -> Option<Timestamp> {
        self.held
            .iter()
            .filter_map(|(_, reason)| match reason {
                HoldReason::Paused(until) => Some(*until),
                _ => None,
            })
            .min()
    }
}

/// Decides which objects to apply and prune.
pub fn decide(facts: &Facts<'_>) -> Decision {
    let manual = facts.manual.is_some();
    let mut decision = Decision::default();
    let mut from_git = false;
    for (index, object) in facts.objects.iter().enumerate() {
        if object.conflict {
            continue;
        }
        match self_heal::decide(&facts.policy, object.state, manual, facts.now) {
            HealDecision::InSync => {}
            HealDecision::Apply => {
                from_git |= object.state.desired_changed;
                decision.apply.push(index);
            }
            HealDecision::Hold(reason) => decision.held.push((index, reason)),
        }
    }
    let prune_enabled = match facts.manual {
        Some(sync) => sync.prune || facts.auto_prune,
        None => facts.policy.automated && facts.auto_prune,
    };
    let options = PruneOptions {
        app: facts.app.clone(),
        enabled: prune_enabled,
        allow_empty: facts.allow_empty,
        prune_last: facts.prune_last,
        now: facts.now,
        deletion_timeout: facts.prune_timeout,
    };
    decision.prune = prune_candidates(
        facts.inventory,
        DesiredState::Rendered(facts.desired),
        facts.stale_live,
        &options,
    );
    // PruneLast alone does not start a sync until the rest is healthy (a sync that applies
    // something waits for health itself before pruning last).
    if !facts.settled && decision.apply.is_empty() && decision.prune.now.is_empty() {
        decision.last_waiting = std::mem::take(&mut decision.prune.last);
    }
    let prunes = !decision.prune.now.is_empty() || !decision.prune.last.is_empty();
    if !decision.apply.is_empty() || prunes {
        decision.trigger = Some(if manual {
            Trigger::Manual
        } else if from_git || prunes {
            Trigger::Git
        } else {
            Trigger::SelfHeal
        });
    }
    decision
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use driftless_api::annotations::{SYNC_OPTIONS, TRACKING_ID};
    use driftless_sync::ObjectId;

    fn app() -> AppRef {
        AppRef {
            namespace: "driftless".into(),
            name: "web".into(),
        }
    }

    fn state(out_of_sync: bool, desired_changed: bool, opted_out: bool) -> ObjectFacts {
        ObjectFacts {
            state: self_heal::ObjectState {
                out_of_sync,
                desired_changed,
                opted_out,
            },
            conflict: false,
        }
    }

    fn id(name: &str) -> ObjectId {
        ObjectId {
            group: String::new(),
            version: "v1".into(),
            kind: "ConfigMap".into(),
            namespace: "web".into(),
            name: name.into(),
        }
    }

    fn live(name: &str, prune_false: bool) -> DynamicObject {
        let mut obj = id(name).to_stub();
        let annotations = obj.metadata.annotations.get_or_insert_with(Default::default);
        annotations.insert(TRACKING_ID.into(), app().tracking_id(&id(name)).to_string());
        if prune_false {
            annotations.insert(SYNC_OPTIONS.into(), "Prune=false".into());
        }
        obj
    }

    struct Case {
        automated: bool,
        self_heal: bool,
        auto_prune: bool,
        manual: Option<ManualSync>,
        objects: Vec<ObjectFacts>,
    }

    fn run(case: Case, inventory: &Inventory, desired: &Inventory, stale: &[DynamicObject]) -> Decision {
        run_with(case, inventory, desired, stale, false, true)
    }

    fn run_with(
        case: Case,
        inventory: &Inventory,
        desired: &Inventory,
        stale: &[DynamicObject],
        prune_last: bool,
        settled: bool,
    ) -> Decision {
        decide(&Facts {
            app: app(),
            policy: SelfHealPolicy {
                automated: case.automated,
                self_heal: case.self_heal,
                paused_until: None,
            },
            auto_prune: case.auto_prune,
            allow_empty: false,
            prune_last,
            manual: case.manual,
            objects: case.objects,
            inventory,
            desired,
            stale_live: stale,
            settled,
            prune_timeout: std::time::Duration::from_secs(120),
            now: Timestamp::UNIX_EPOCH,
        })
    }

    #[test]
    fn manual_mode_reports_until_a_sync_is_requested() {
        let empty = Inventory::default();
        let case = || Case {
            automated: false,
            self_heal: false,
            auto_prune: false,
            manual: None,
            objects: vec![state(true, true, false)],
        };
        let idle = run(case(), &empty, &empty, &[]);
        assert!(idle.apply.is_empty() && idle.trigger.is_none());
        let requested = run(
            Case {
                manual: Some(ManualSync::default()),
                ..case()
            },
            &empty,
            &empty,
            &[],
        );
        assert_eq!(
            (requested.apply.as_slice(), requested.trigger),
            (&[0][..], Some(Trigger::Manual))
        );
    }

    #[test]
    fn git_changes_apply_and_drift_heals_only_where_allowed() {
        let empty = Inventory::default();
        let objects = vec![
            state(true, true, true),
            state(true, false, false),
            state(true, false, true),
        ];
        let healing = Case {
            automated: true,
            self_heal: true,
            auto_prune: false,
            manual: None,
            objects,
        };
        let decision = run(healing, &empty, &empty, &[]);
        assert_eq!(decision.apply, [0, 1]);
        assert_eq!(decision.held, [(2, HoldReason::ObjectOptedOut)]);
        assert_eq!(decision.trigger, Some(Trigger::Git));

        let drift_only = Case {
            automated: true,
            self_heal: true,
            auto_prune: false,
            manual: None,
            objects: vec![state(true, false, false)],
        };
        assert_eq!(
            run(drift_only, &empty, &empty, &[]).trigger,
            Some(Trigger::SelfHeal)
        );
    }

    #[test]
    fn conflicting_objects_are_never_applied() {
        let empty = Inventory::default();
        let mut object = state(true, true, false);
        object.conflict = true;
        let case = Case {
            automated: true,
            self_heal: true,
            auto_prune: true,
            manual: None,
            objects: vec![object],
        };
        assert!(run(case, &empty, &empty, &[]).apply.is_empty());
    }

    #[test]
    fn prune_follows_the_policy_and_the_object_annotation() {
        let inventory = Inventory::from_ids([id("keep"), id("gone"), id("stays")]);
        let desired = Inventory::from_ids([id("keep")]);
        let stale = [live("gone", false), live("stays", true)];
        let case = |auto_prune| Case {
            automated: true,
            self_heal: false,
            auto_prune,
            manual: None,
            objects: vec![state(false, false, false)],
        };
        let pruning = run(case(true), &inventory, &desired, &stale);
        assert_eq!(pruning.prune.now, [id("gone")]);
        assert_eq!(pruning.trigger, Some(Trigger::Git));
        let off = run(case(false), &inventory, &desired, &stale);
        assert!(off.prune.now.is_empty() && off.trigger.is_none());
    }

    #[test]
    fn prune_last_alone_waits_for_health_without_starting_syncs() {
        let inventory = Inventory::from_ids([id("keep"), id("old")]);
        let desired = Inventory::from_ids([id("keep")]);
        let stale = [live("old", false)];
        let case = |objects| Case {
            automated: true,
            self_heal: true,
            auto_prune: true,
            manual: None,
            objects,
        };
        let rolling = run_with(
            case(vec![state(false, false, false)]),
            &inventory,
            &desired,
            &stale,
            true,
            false,
        );
        assert_eq!(
            (rolling.trigger, rolling.last_waiting.as_slice()),
            (None, &[id("old")][..])
        );
        assert!(rolling.prune.last.is_empty());
        let healthy = run_with(
            case(vec![state(false, false, false)]),
            &inventory,
            &desired,
            &stale,
            true,
            true,
        );
        assert_eq!(
            (healthy.trigger, healthy.prune.last.as_slice()),
            (Some(Trigger::Git), &[id("old")][..])
        );
        // A sync that applies something keeps it: the sync waits for health before pruning last.
        let applying = run_with(
            case(vec![state(true, true, false)]),
            &inventory,
            &desired,
            &stale,
            true,
            false,
        );
        assert_eq!(applying.prune.last, [id("old")]);
        assert!(applying.last_waiting.is_empty());
    }
}
