//! What a sync of an Application would change, changing nothing: the engine of
//! `driftless diff`. Rendered objects go through the reconcile's own steps — decorate,
//! server-side dry-run, compare — and the app's inventory says what git no longer has.

use driftless_api::Application;
use driftless_api::application::SyncStatusCode;
use driftless_sync::ObjectId;
use driftless_sync::apply::{ApiCallError, ApplyOptions, FIELD_MANAGER, get_live};
use driftless_sync::decorate::AppRef;
use driftless_sync::discovery::Discovery;
use driftless_sync::inventory::Inventory;
use driftless_sync::prune::{DesiredState, PruneOptions, SkipReason, prune_candidates};
use kube::ResourceExt;
use kube::api::DynamicObject;

use super::compare::{Compared, ComparisonCache, compare_all};
use super::source::{SourceError, decorated};

/// Why there is no preview.
#[derive(Debug, thiserror::Error)]
pub enum PreviewError {
    /// The rendered objects could not be decorated.
    #[error(transparent)]
    Source(#[from] SourceError),
    /// Reading or dry-running an object failed.
    #[error(transparent)]
    Compare(#[from] ApiCallError),
    /// The Application's `status.inventory` does not parse.
    #[error("status.inventory of Application {app}: {source}")]
    Inventory {
        /// `namespace/name`.
        app: String,
        /// The parse error.
        #[source]
        source: driftless_sync::Error,
    },
}

/// What becomes of an object the app applied before and git no longer has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Removal {
    /// A sync with prune on deletes it.
    Prune,
    /// It stays, and why.
    Kept(SkipReason),
    /// Its deletion has started already.
    Deleting,
}

/// The differences between git and the cluster for one Application.
pub struct Preview {
    /// Rendered objects that differ from the cluster (missing ones included), in render order.
    pub changed: Vec<Compared>,
    /// Rendered objects that already match.
    pub unchanged: usize,
    /// Objects the app applied before that git no longer has and that still exist.
    pub removed: Vec<(ObjectId, Removal)>,
}

impl Preview {
    /// True when a sync (with prune on) would change nothing.
    pub fn is_empty(&self) -> bool {
        self.changed.is_empty() && !self.removed.iter().any(|(_, r)| *r == Removal::Prune)
    }
}

/// Compares `rendered` (the app's source, rendered) with the cluster as `app` would see it.
pub async fn preview(
    discovery: &Discovery,
    app: &Application,
    rendered: Vec<DynamicObject>,
) -> Result<Preview, PreviewError> {
    let app_ref = AppRef {
        namespace: app.namespace().unwrap_or_default(),
        name: app.name_any(),
    };
    let objects = decorated(discovery, app, &app_ref, rendered).await?;
    let options = ApplyOptions {
        field_manager: FIELD_MANAGER.into(),
        force: true,
    };
    let cache = ComparisonCache::default();
    let rules = &app.spec.ignore_differences;
    let (compared, _) = compare_all(discovery, &cache, &app_ref, objects, rules, &options).await?;
    let inventory =
        Inventory::from_status(app.status.as_ref().and_then(|s| s.inventory.as_ref())).map_err(|source| {
            PreviewError::Inventory {
                app: format!("{}/{}", app_ref.namespace, app_ref.name),
                source,
            }
        })?;
    let desired = Inventory::from_ids(compared.iter().map(|c| c.id.clone()));
    let mut stale_live = Vec::new();
    for id in inventory.stale(&desired) {
        if let Some(live) = get_live(discovery, &id.to_stub()).await? {
            stale_live.push(live);
        }
    }
    let prune = prune_candidates(
        &inventory,
        DesiredState::Rendered(&desired),
        &stale_live,
        &PruneOptions {
            app: app_ref.clone(),
            enabled: true,
            allow_empty: true,
            prune_last: false,
            now: jiff::Timestamp::now(),
            deletion_timeout: std::time::Duration::MAX,
        },
    );
    let removed = (prune.now.into_iter().chain(prune.last))
        .map(|id| (id, Removal::Prune))
        .chain(
            prune
                .skipped
                .into_iter()
                .map(|(id, why)| (id, Removal::Kept(why))),
        )
        .chain(
            prune
                .terminating
                .into_iter()
                .map(|stuck| (stuck.id, Removal::Deleting)),
        )
        .collect();
    let (changed, unchanged): (Vec<Compared>, Vec<Compared>) = compared
        .into_iter()
        .partition(|c| c.comparison.status != SyncStatusCode::Synced);
    Ok(Preview {
        changed,
        unchanged: unchanged.len(),
        removed,
    })
}
