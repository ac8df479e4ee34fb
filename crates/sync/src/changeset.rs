//! What a sync did, object by object (Flux's `ssa.ChangeSet`). `act` returns one; status and
//! Events are written from it.

use std::fmt;

use driftless_api::application::ResourceResult;

use crate::object_id::ObjectId;

/// What happened to one object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    /// It did not exist and was applied.
    Created,
    /// It existed, differed, and was applied.
    Configured,
    /// It existed and already matched.
    Unchanged,
    /// It was pruned.
    Deleted,
    /// Its deletion started; finalizers keep it in the cluster for now.
    Deleting,
    /// It was left alone on purpose (Prune=false, self-heal opt-out, owned by another app).
    Skipped,
    /// The API server refused it.
    Failed,
}

impl Action {
    /// The word used in status and Events.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Created => "Created",
            Action::Configured => "Configured",
            Action::Unchanged => "Unchanged",
            Action::Deleted => "Deleted",
            Action::Deleting => "Deleting",
            Action::Skipped => "Skipped",
            Action::Failed => "Failed",
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One object's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeSetEntry {
    /// The object.
    pub id: ObjectId,
    /// What happened.
    pub action: Action,
    /// Why (for Skipped/Failed), or a diff summary (for Configured).
    pub message: Option<String>,
}

/// Outcomes of one sync, in the order they happened.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChangeSet {
    /// The outcomes.
    pub entries: Vec<ChangeSetEntry>,
}

impl ChangeSet {
    /// Records one outcome.
    pub fn add(&mut self, id: ObjectId, action: Action, message: Option<String>) {
        self.entries.push(ChangeSetEntry { id, action, message });
    }

    /// Appends another set's outcomes (a later stage).
    pub fn append(&mut self, other: ChangeSet) {
        self.entries.extend(other.entries);
    }

    /// How many objects had `action`.
    pub fn count(&self, action: Action) -> usize {
        self.entries.iter().filter(|e| e.action == action).count()
    }

    /// True when nothing was created, configured or deleted.
    pub fn is_noop(&self) -> bool {
        self.entries
            .iter()
            .all(|e| matches!(e.action, Action::Unchanged | Action::Skipped))
    }

    /// True when some object failed.
    pub fn has_failures(&self) -> bool {
        self.entries.iter().any(|e| e.action == Action::Failed)
    }

    /// The objects whose action was not Unchanged, for `status.operationState.syncResult.resources`
    /// (unchanged objects are left out so 3,000-object apps keep a small status).
    pub fn resource_results(&self) -> Vec<ResourceResult> {
        self.entries
            .iter()
            .filter(|e| e.action != Action::Unchanged)
            .map(|e| ResourceResult {
                group: e.id.group.clone(),
                version: e.id.version.clone(),
                kind: e.id.kind.clone(),
                namespace: (!e.id.namespace.is_empty()).then(|| e.id.namespace.clone()),
                name: e.id.name.clone(),
                action: e.action.as_str().to_owned(),
                message: e.message.clone(),
            })
            .collect()
    }
}

impl fmt::Display for ChangeSet {
    /// `2 created, 1 configured, 40 unchanged` (only non-zero counts; `no changes` when empty).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let actions = [
            Action::Created,
            Action::Configured,
            Action::Deleted,
            Action::Deleting,
            Action::Skipped,
            Action::Failed,
            Action::Unchanged,
        ];
        let parts: Vec<String> = actions
            .iter()
            .map(|a| (a, self.count(*a)))
            .filter(|(_, n)| *n > 0)
            .map(|(a, n)| format!("{n} {}", a.as_str().to_lowercase()))
            .collect();
        if parts.is_empty() {
            f.write_str("no changes")
        } else {
            f.write_str(&parts.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(name: &str) -> ObjectId {
        ObjectId {
            group: "apps".into(),
            version: "v1".into(),
            kind: "Deployment".into(),
            namespace: "blog".into(),
            name: name.into(),
        }
    }

    #[test]
    fn summary_and_results() {
        let mut set = ChangeSet::default();
        assert_eq!(set.to_string(), "no changes");
        assert!(set.is_noop());
        set.add(id("a"), Action::Unchanged, None);
        set.add(id("b"), Action::Configured, Some("/spec/replicas: 1 → 3".into()));
        let mut later = ChangeSet::default();
        later.add(id("c"), Action::Deleted, None);
        set.append(later);
        assert_eq!(set.to_string(), "1 configured, 1 deleted, 1 unchanged");
        assert!(!set.is_noop() && !set.has_failures());
        let results = set.resource_results();
        assert_eq!(
            results.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
            ["b", "c"]
        );
        assert_eq!(results[0].action, "Configured");
    }
}
