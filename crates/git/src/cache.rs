//! [`RepoCache`]: the async face of the mirrors. Blocking libgit2 work runs
//! on tokio's blocking pool; fetches of one repository are serialized and
//! coalesced (callers that arrive while a fetch runs share its result).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::Mutex as AsyncMutex;
use tokio_util::sync::CancellationToken;

use crate::changes::Changes;
use crate::credentials::Credentials;
use crate::error::GitError;
use crate::mirror::{self, FetchOutcome, storage_error};
use crate::resolve::{self, CommitId, RevisionForm};
use crate::snapshot::Snapshot;
use crate::url::{RepoUrl, redact_url};

/// Settings of a [`RepoCache`].
#[derive(Debug, Clone)]
pub struct RepoCacheConfig {
    /// Directory holding one bare mirror per repository.
    pub root: PathBuf,
    /// Default limit for one fetch, waiting for a running one included.
    pub fetch_timeout: Duration,
    /// Mirrors not used for this long are removed by [`RepoCache::gc`].
    pub unused_after: Duration,
    /// `known_hosts` lines trusted for every SSH repository.
    pub known_hosts: String,
}

impl RepoCacheConfig {
    /// Defaults: 2-minute fetch timeout, mirrors kept 24 hours after last use.
    pub fn new(root: impl Into<PathBuf>) -> RepoCacheConfig {
        RepoCacheConfig {
            root: root.into(),
            fetch_timeout: Duration::from_secs(120),
            unused_after: Duration::from_secs(24 * 3600),
            known_hosts: String::new(),
        }
    }
}

/// Per-call fetch settings.
#[derive(Debug, Clone, Default)]
pub struct FetchOptions {
    /// Credentials; `None` for anonymous access (or user:password in the URL).
    pub credentials: Option<Credentials>,
    /// Overrides [`RepoCacheConfig::fetch_timeout`].
    pub timeout: Option<Duration>,
    /// Cancels the fetch (the caller gets `GitFetchCancelled` at once).
    pub cancel: Option<CancellationToken>,
    /// Skip the network when the last successful fetch is younger than this.
    pub max_age: Option<Duration>,
    /// Only a fetch that began at or after this instant may answer: a caller who learnt of a
    /// push (a webhook, a refresh) gets it even while an older fetch is still under way. Without
    /// it, any fetch that ends after the call began answers (bursts of callers share one).
    pub started_after: Option<Instant>,
}

/// A resolved revision and, when it came from the cache because the fetch
/// failed, why (for a condition such as `GitFetchFailed`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolution {
    /// The commit `revision` names.
    pub commit: CommitId,
    /// The fetch failure, when `commit` is what the mirror already had.
    pub fetch_error: Option<GitError>,
}

/// The last fetch of one repository, shared with coalesced callers.
#[derive(Default)]
struct FetchRecord {
    started: Option<Instant>,
    finished: Option<Instant>,
    result: Option<Result<FetchOutcome, GitError>>,
    last_success: Option<(Instant, FetchOutcome)>,
}

pub(crate) struct RepoEntry {
    pub(crate) url: RepoUrl,
    pub(crate) dir: PathBuf,
    fetch: Arc<AsyncMutex<FetchRecord>>,
    pub(crate) last_used: Mutex<Instant>,
    snapshot: Mutex<Option<Arc<Snapshot>>>,
}

impl RepoEntry {
    fn touch(&self) {
        if let Ok(mut last) = self.last_used.lock() {
            *last = Instant::now();
        }
    }

    /// True while a fetch holds the repository.
    pub(crate) fn busy(&self) -> bool {
        self.fetch.try_lock().is_err()
    }

    fn redacted(&self) -> String {
        redact_url(&self.url.for_transport())
    }
}

/// Bare mirrors of remote repositories under one directory. Cheap to clone.
#[derive(Clone)]
pub struct RepoCache {
    pub(crate) config: Arc<RepoCacheConfig>,
    pub(crate) entries: Arc<Mutex<HashMap<String, Arc<RepoEntry>>>>,
}

impl std::fmt::Debug for RepoCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RepoCache")
            .field("root", &self.config.root)
            .finish()
    }
}

impl RepoCache {
    /// A cache over `config.root`, created if missing. Mirrors from an
    /// earlier run are reused; half-written ones are rebuilt on first fetch.
    pub fn new(config: RepoCacheConfig) -> Result<RepoCache, GitError> {
        std::fs::create_dir_all(&config.root).map_err(|e| storage_error(&config.root, e))?;
        Ok(RepoCache {
            config: Arc::new(config),
            entries: Arc::new(Mutex::new(HashMap::new())),
        })
    }

    pub(crate) fn entry(&self, url: &str) -> Result<Arc<RepoEntry>, GitError> {
        let url = RepoUrl::parse(url)?;
        let key = url.normalized();
        let mut entries = self
            .entries
            .lock()
            .map_err(|_| storage_error(&self.config.root, "lock poisoned"))?;
        let entry = entries.entry(key).or_insert_with(|| {
            Arc::new(RepoEntry {
                dir: self.config.root.join(url.mirror_dir_name()),
                url,
                fetch: Arc::new(AsyncMutex::new(FetchRecord::default())),
                last_used: Mutex::new(Instant::now()),
                snapshot: Mutex::new(None),
            })
        });
        entry.touch();
        Ok(entry.clone())
    }

    /// Fetch every branch and tag of `url`. Concurrent calls for one
    /// repository share one fetch; on failure the mirror keeps what it had.
    pub async fn fetch(&self, url: &str, options: &FetchOptions) -> Result<FetchOutcome, GitError> {
        let entry = self.entry(url)?;
        // This caller's URL, not the entry's: user:password in it belong to this call.
        let call_url = RepoUrl::parse(url)?;
        let requested = Instant::now();
        let timeout = options.timeout.unwrap_or(self.config.fetch_timeout);
        let cancel = options.cancel.clone().unwrap_or_default();
        let abort = Arc::new(AtomicBool::new(false));
        let timed_out = || GitError::FetchTimeout {
            url: entry.redacted(),
            after: timeout,
        };
        let work = self.fetch_coalesced(entry.clone(), call_url, requested, options, abort.clone());
        let result = tokio::select! {
            result = work => result,
            () = tokio::time::sleep(timeout) => Err(timed_out()),
            () = cancel.cancelled() => Err(GitError::FetchCancelled { url: entry.redacted() }),
        };
        // Stops a fetch we started and no longer wait for at its next progress callback.
        abort.store(result.is_err(), Ordering::Relaxed);
        match &result {
            Ok(outcome) if !outcome.shared => tracing::info!(
                repo = %entry.redacted(), objects = outcome.received_objects,
                refs = outcome.updated_refs, ms = outcome.duration.as_millis() as u64, "fetched"
            ),
            Ok(_) => {}
            Err(err) => tracing::warn!(repo = %entry.redacted(), reason = err.reason(), "{err}"),
        }
        result
    }

    async fn fetch_coalesced(
        &self,
        entry: Arc<RepoEntry>,
        url: RepoUrl,
        requested: Instant,
        options: &FetchOptions,
        abort: Arc<AtomicBool>,
    ) -> Result<FetchOutcome, GitError> {
        let mut record = entry.fetch.clone().lock_owned().await;
        let fresh_enough = match options.started_after {
            Some(after) => record.started.is_some_and(|started| started >= after),
            None => record.finished.is_some_and(|finished| finished >= requested),
        };
        if fresh_enough && let Some(result) = &record.result {
            return result.clone().map(|outcome| FetchOutcome {
                shared: true,
                ..outcome
            });
        }
        if let (Some(max_age), Some((at, outcome))) = (options.max_age, &record.last_success)
            && options.started_after.is_none()
            && at.elapsed() <= max_age
            && mirror::is_ready(&entry.dir)
        {
            return Ok(FetchOutcome {
                shared: true,
                ..outcome.clone()
            });
        }
        let credentials = options.credentials.clone();
        let known_hosts = self.config.known_hosts.clone();
        let task_entry = entry.clone();
        // The record's guard moves into the blocking task, so the mirror stays
        // locked until libgit2 is really done, even if our caller gave up.
        let task = tokio::task::spawn_blocking(move || {
            let started = Instant::now();
            let result = mirror::fetch(&task_entry.dir, &url, credentials.as_ref(), &known_hosts, &abort);
            // A fetch its caller abandoned (timeout, cancel) answers nobody else: the callers
            // queued behind it fetch for themselves.
            if result.is_err() && abort.load(Ordering::Relaxed) {
                return result;
            }
            let now = Instant::now();
            record.started = Some(started);
            record.finished = Some(now);
            record.result = Some(result.clone());
            if let Ok(outcome) = &result {
                record.last_success = Some((now, outcome.clone()));
            }
            result
        });
        task.await
            .map_err(|e| storage_error(&entry.dir, format!("fetch task failed: {e}")))?
    }

    /// Resolve `revision` (branch, tag, full or abbreviated SHA, `HEAD`)
    /// against what was last fetched; no network.
    pub async fn resolve(&self, url: &str, revision: &str) -> Result<CommitId, GitError> {
        let entry = self.entry(url)?;
        let revision = revision.to_string();
        blocking(&entry, move |entry| {
            let repo = mirror::open(&entry.dir, &entry.url)?;
            resolve::resolve(&repo, &entry.redacted(), &revision)
        })
        .await
    }

    /// Fetch (unless `revision` is a full SHA already present), then resolve.
    pub async fn fetch_and_resolve(
        &self,
        url: &str,
        revision: &str,
        options: &FetchOptions,
    ) -> Result<CommitId, GitError> {
        if let RevisionForm::FullSha(_) = resolve::classify(revision)
            && let Ok(commit) = self.resolve(url, revision).await
        {
            return Ok(commit);
        }
        self.fetch(url, options).await?;
        self.resolve(url, revision).await
    }

    /// Fetch, then resolve; when the fetch fails but the mirror still
    /// resolves `revision`, return that commit with the fetch error, so a
    /// dead remote never costs what is already cached. Errors only when
    /// nothing can be resolved (then the fetch error, if any, wins).
    pub async fn resolve_with_fallback(
        &self,
        url: &str,
        revision: &str,
        options: &FetchOptions,
    ) -> Result<Resolution, GitError> {
        match self.fetch_and_resolve(url, revision, options).await {
            Ok(commit) => Ok(Resolution {
                commit,
                fetch_error: None,
            }),
            Err(fetch_error @ GitError::RevisionNotFound { .. }) => Err(fetch_error),
            Err(fetch_error) => match self.resolve(url, revision).await {
                Ok(commit) => Ok(Resolution {
                    commit,
                    fetch_error: Some(fetch_error),
                }),
                Err(_) => Err(fetch_error),
            },
        }
    }

    /// A read-only view of `commit`; the last one per repository is reused,
    /// so many renders of one commit share one handle and its tree cache.
    pub async fn snapshot(&self, url: &str, commit: CommitId) -> Result<Arc<Snapshot>, GitError> {
        let entry = self.entry(url)?;
        if let Ok(last) = entry.snapshot.lock()
            && let Some(snapshot) = last.as_ref().filter(|s| s.commit() == commit)
        {
            return Ok(snapshot.clone());
        }
        blocking(&entry, move |entry| {
            let repo = mirror::open(&entry.dir, &entry.url)?;
            let snapshot = Snapshot::new(repo, commit).map_err(|_| GitError::RevisionNotFound {
                url: entry.redacted(),
                revision: commit.to_string(),
                hint: "; no such commit in the mirror".into(),
            })?;
            let snapshot = Arc::new(snapshot);
            if let Ok(mut last) = entry.snapshot.lock() {
                *last = Some(snapshot.clone());
            }
            Ok(snapshot)
        })
        .await
    }

    /// What differs between two commits.
    pub async fn changed_paths(&self, url: &str, from: CommitId, to: CommitId) -> Result<Changes, GitError> {
        let entry = self.entry(url)?;
        blocking(&entry, move |entry| {
            let repo = mirror::open(&entry.dir, &entry.url)?;
            crate::changes::changed_paths(&repo, from, to).map_err(|e| GitError::RevisionNotFound {
                url: entry.redacted(),
                revision: format!("{from}..{to}"),
                hint: format!("; {}", e.message()),
            })
        })
        .await
    }
}

/// Run `work` on the blocking pool with the entry.
async fn blocking<T, F>(entry: &Arc<RepoEntry>, work: F) -> Result<T, GitError>
where
    T: Send + 'static,
    F: FnOnce(&RepoEntry) -> Result<T, GitError> + Send + 'static,
{
    let task_entry = entry.clone();
    tokio::task::spawn_blocking(move || work(&task_entry))
        .await
        .map_err(|e| storage_error(&entry.dir, format!("blocking task failed: {e}")))?
}
