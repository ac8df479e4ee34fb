//! Well-known annotation, label and finalizer keys. One place per key: code elsewhere names
//! these constants, never the strings.

/// On an Application: `normal` re-checks git now, `hard` also bypasses the render cache.
/// The controller removes it once handled.
pub const REFRESH: &str = "driftless.dev/refresh";

/// On an Application: an RFC 3339 instant before which self-heal does not revert drift.
pub const SELF_HEAL_PAUSED_UNTIL: &str = "driftless.dev/self-heal-paused-until";

/// On a managed object (set in git): `"false"` opts the object out of self-heal.
pub const SELF_HEAL: &str = "driftless.dev/self-heal";

/// On a managed object (set in git): comma list of per-object options, e.g. `Prune=false`.
pub const SYNC_OPTIONS: &str = "driftless.dev/sync-options";

/// Written by us on every applied object: which Application owns it (see [`crate::tracking`]).
pub const TRACKING_ID: &str = "driftless.dev/tracking-id";

/// Label written by us on every applied object: a label-safe form of the owning app's name.
pub const APP_INSTANCE_LABEL: &str = "driftless.dev/app-instance";

/// Finalizer on an Application: deleting the Application deletes its objects.
pub const RESOURCES_FINALIZER: &str = "driftless.dev/resources-finalizer";

/// Written by us on every applied object: a short hash of its desired state from git (before this
/// annotation was added). A live value that differs from the new render's means git changed the
/// object; an equal value with a live diff means the cluster drifted.
pub const DESIRED_HASH: &str = "driftless.dev/desired-hash";

/// Values of [`REFRESH`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefreshKind {
    /// Re-check git now.
    Normal,
    /// Re-check git and re-render, bypassing caches.
    Hard,
}

impl RefreshKind {
    /// Reads the annotation value; anything but `hard` is treated as `normal` (a refresh was asked for).
    pub fn from_annotation(value: &str) -> RefreshKind {
        if value.trim().eq_ignore_ascii_case("hard") {
            RefreshKind::Hard
        } else {
            RefreshKind::Normal
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refresh_values() {
        for (value, want) in [
            ("hard", RefreshKind::Hard),
            ("HARD", RefreshKind::Hard),
            ("normal", RefreshKind::Normal),
            ("", RefreshKind::Normal),
        ] {
            assert_eq!(RefreshKind::from_annotation(value), want, "{value:?}");
        }
    }
}
