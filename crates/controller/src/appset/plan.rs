//! The pure decision of an ApplicationSet reconcile: which generated
//! Applications to create, update and delete, under the set's
//! `applicationsSync` policy and the mass-deletion guard.

use std::collections::{BTreeMap, BTreeSet};
use std::hash::{DefaultHasher, Hash, Hasher};

use driftless_api::Application;
use driftless_api::appset::ApplicationsSyncPolicy;
use kube::ResourceExt;

/// Share of a set's Applications one pass may delete without confirmation.
pub const DEFAULT_MAX_DELETE_SHARE: f64 = 0.5;

/// What to do to the set's Applications.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Plan {
    /// Names to create.
    pub create: Vec<String>,
    /// Names whose generated form differs from the live one.
    pub update: Vec<String>,
    /// Owned Applications no longer generated, to delete now.
    pub delete: Vec<String>,
    /// A large deletion waiting for the next generation to confirm it.
    pub held_delete: Option<HeldDelete>,
}

/// A deletion above the share, seen once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldDelete {
    /// Fingerprint of the names, to compare with the next generation.
    pub fingerprint: u64,
    /// How many would be deleted.
    pub count: usize,
    /// Out of how many owned.
    pub total: usize,
}

/// Generated names that occur more than once.
pub fn duplicates(desired: &[Application]) -> Vec<String> {
    let mut seen = BTreeSet::new();
    let mut dups = BTreeSet::new();
    for app in desired {
        let name = app.name_any();
        if !seen.insert(name.clone()) {
            dups.insert(name);
        }
    }
    dups.into_iter().collect()
}

/// True when `live` already carries everything `desired` sets.
pub fn up_to_date(desired: &Application, live: &Application) -> bool {
    let subset = |want: &Option<BTreeMap<String, String>>, have: &Option<BTreeMap<String, String>>| {
        want.iter()
            .flatten()
            .all(|(k, v)| have.as_ref().and_then(|h| h.get(k)) == Some(v))
    };
    desired.spec == live.spec
        && subset(&desired.metadata.labels, &live.metadata.labels)
        && subset(&desired.metadata.annotations, &live.metadata.annotations)
        && desired.finalizers().iter().all(|f| live.finalizers().contains(f))
        && desired.owner_references().iter().all(|o| {
            live.owner_references()
                .iter()
                .any(|l| l.uid == o.uid && l.controller == o.controller)
        })
}

fn fingerprint(names: &[String]) -> u64 {
    let mut hasher = DefaultHasher::new();
    names.hash(&mut hasher);
    hasher.finish()
}

/// Plans the changes. `previous_held` is the fingerprint of the deletion held
/// back last time (the same deletion now goes ahead).
pub fn plan(
    desired: &[Application],
    owned: &[Application],
    policy: ApplicationsSyncPolicy,
    max_delete_share: f64,
    previous_held: Option<u64>,
) -> Plan {
    let live: BTreeMap<String, &Application> = owned.iter().map(|a| (a.name_any(), a)).collect();
    let wanted: BTreeSet<String> = desired.iter().map(ResourceExt::name_any).collect();
    let mut plan = Plan::default();
    for app in desired {
        match live.get(&app.name_any()) {
            None => plan.create.push(app.name_any()),
            Some(existing) if policy.allows_update() && !up_to_date(app, existing) => {
                plan.update.push(app.name_any());
            }
            Some(_) => {}
        }
    }
    if policy.allows_delete() {
        let stale: Vec<String> = live
            .iter()
            .filter(|(name, app)| !wanted.contains(*name) && app.metadata.deletion_timestamp.is_none())
            .map(|(name, _)| name.clone())
            .collect();
        let total = live.len();
        let share = if total == 0 {
            0.0
        } else {
            stale.len() as f64 / total as f64
        };
        let print = fingerprint(&stale);
        if share > max_delete_share && previous_held != Some(print) {
            plan.held_delete = Some(HeldDelete {
                fingerprint: print,
                count: stale.len(),
                total,
            });
        } else {
            plan.delete = stale;
        }
    }
    plan
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    fn app(name: &str, path: &str) -> Application {
        serde_json::from_value(json!({
            "metadata": {"name": name},
            "spec": {"source": {"repoURL": "r", "targetRevision": "main", "path": path},
                     "destination": {"namespace": name}}
        }))
        .unwrap()
    }

    fn names(apps: &[&str]) -> Vec<Application> {
        apps.iter().map(|n| app(n, n)).collect()
    }

    #[test]
    fn creates_updates_and_deletes_by_policy() {
        let desired = vec![app("a", "a"), app("b", "changed"), app("new", "new")];
        let owned = names(&["a", "b", "gone", "x"]);
        use ApplicationsSyncPolicy::*;
        let cases = [
            (Sync, vec!["new"], vec!["b"], vec!["gone", "x"]),
            (CreateOnly, vec!["new"], vec![], vec![]),
            (CreateUpdate, vec!["new"], vec!["b"], vec![]),
            (CreateDelete, vec!["new"], vec![], vec!["gone", "x"]),
        ];
        for (policy, create, update, delete) in cases {
            let got = plan(&desired, &owned, policy, DEFAULT_MAX_DELETE_SHARE, None);
            assert_eq!(got.create, create, "{policy:?}");
            assert_eq!(got.update, update, "{policy:?}");
            assert_eq!(got.delete, delete, "{policy:?}");
            assert_eq!(got.held_delete, None);
        }
    }

    #[test]
    fn a_mass_deletion_needs_two_generations() {
        let owned = names(&["a", "b", "c", "d"]);
        let desired = names(&["a"]);
        let first = plan(&desired, &owned, ApplicationsSyncPolicy::Sync, 0.5, None);
        assert!(first.delete.is_empty());
        let held = first.held_delete.unwrap();
        assert_eq!((held.count, held.total), (3, 4));
        let second = plan(
            &desired,
            &owned,
            ApplicationsSyncPolicy::Sync,
            0.5,
            Some(held.fingerprint),
        );
        assert_eq!(second.delete, ["b", "c", "d"]);
        // A different result does not confirm.
        let other = plan(
            &names(&["b"]),
            &owned,
            ApplicationsSyncPolicy::Sync,
            0.5,
            Some(held.fingerprint),
        );
        assert!(other.delete.is_empty() && other.held_delete.is_some());
        // Half is allowed at once.
        let half = plan(
            &names(&["a", "b"]),
            &owned,
            ApplicationsSyncPolicy::Sync,
            0.5,
            None,
        );
        assert_eq!(half.delete, ["c", "d"]);
    }

    #[test]
    fn finds_duplicates() {
        assert_eq!(duplicates(&names(&["a", "b", "a", "a"])), ["a"]);
        assert!(duplicates(&names(&["a", "b"])).is_empty());
    }
}
