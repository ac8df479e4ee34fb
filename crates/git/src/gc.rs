//! Bounded disk: remove mirrors nobody used for a while, and leftovers of
//! crashed clones.

use std::path::Path;
use std::time::{Duration, Instant, SystemTime};

use crate::cache::RepoCache;
use crate::error::GitError;
use crate::mirror::{self, storage_error};

/// What one garbage collection removed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GcReport {
    /// Mirror directory names removed.
    pub removed: Vec<String>,
    /// Mirror directory names kept.
    pub kept: usize,
}

/// Whether a mirror idle for `idle` should go (pure).
pub(crate) fn should_remove(idle: Option<Duration>, ready: bool, busy: bool, unused_after: Duration) -> bool {
    if busy {
        return false;
    }
    // A directory without the ready marker that nobody is fetching into is a crash leftover.
    !ready || idle.is_none_or(|idle| idle >= unused_after)
}

fn idle_since_marker(dir: &Path) -> Option<Duration> {
    mirror::last_fetched(dir).and_then(|t| SystemTime::now().duration_since(t).ok())
}

impl RepoCache {
    /// Remove mirrors unused for [`crate::RepoCacheConfig::unused_after`]
    /// (by this process's last use, or after a restart the last fetch) and
    /// half-written ones. Mirrors with a fetch in flight are kept.
    pub async fn gc(&self) -> Result<GcReport, GitError> {
        let cache = self.clone();
        let root = self.config.root.clone();
        tokio::task::spawn_blocking(move || cache.gc_blocking())
            .await
            .map_err(|e| storage_error(&root, format!("gc task failed: {e}")))?
    }

    fn gc_blocking(&self) -> Result<GcReport, GitError> {
        let root = &self.config.root;
        let mut report = GcReport::default();
        let dir_entries = std::fs::read_dir(root).map_err(|e| storage_error(root, e))?;
        let mut entries = self
            .entries
            .lock()
            .map_err(|_| storage_error(root, "lock poisoned"))?;
        for dir_entry in dir_entries.flatten() {
            let dir = dir_entry.path();
            let name = dir_entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') || !dir.is_dir() {
                continue;
            }
            let known = entries
                .iter()
                .find(|(_, e)| e.dir == dir)
                .map(|(k, e)| (k.clone(), e.clone()));
            let (idle, busy) = match &known {
                Some((_, entry)) => {
                    let last = entry
                        .last_used
                        .lock()
                        .map(|t| *t)
                        .unwrap_or_else(|_| Instant::now());
                    (Some(last.elapsed()), entry.busy())
                }
                None => (idle_since_marker(&dir), false),
            };
            if !should_remove(idle, mirror::is_ready(&dir), busy, self.config.unused_after) {
                report.kept += 1;
                continue;
            }
            if let Some((key, _)) = known {
                entries.remove(&key);
            }
            std::fs::remove_dir_all(&dir).map_err(|e| storage_error(&dir, e))?;
            tracing::info!(mirror = %name, "removed unused git mirror");
            report.removed.push(name);
        }
        report.removed.sort();
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removal_decisions() {
        let hour = Duration::from_secs(3600);
        let cases = [
            (Some(Duration::from_secs(10)), true, false, false),
            (Some(2 * hour), true, false, true),
            (Some(2 * hour), true, true, false),
            (Some(Duration::from_secs(10)), false, false, true),
            (Some(Duration::from_secs(10)), false, true, false),
            (None, true, false, true),
        ];
        for (idle, ready, busy, want) in cases {
            assert_eq!(
                should_remove(idle, ready, busy, hour),
                want,
                "{idle:?} {ready} {busy}"
            );
        }
    }
}
