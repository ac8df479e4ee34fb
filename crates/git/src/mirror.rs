//! One bare mirror on disk and the blocking libgit2 work on it.
//!
//! A mirror is trusted only once its ready marker exists: the marker is
//! written (atomically, by rename) after the first fetch succeeded, so a
//! directory left by a crash mid-clone has none and is rebuilt. The marker's
//! mtime also records the last fetch, which garbage collection reads after a
//! restart.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant, SystemTime};

use git2::{AutotagOption, FetchPrune, Repository};

use crate::auth::FetchSession;
use crate::credentials::Credentials;
use crate::error::GitError;
use crate::url::RepoUrl;

/// Name of the marker file inside a mirror directory.
pub(crate) const READY_MARKER: &str = "driftless-ready";

/// Mirror every branch and tag, moving them even when the server rewrote
/// history (force push, moved tag).
const REFSPECS: [&str; 2] = ["+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"];

/// What one fetch did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchOutcome {
    /// Objects received from the server (0 when nothing changed).
    pub received_objects: usize,
    /// Bytes of pack data received.
    pub received_bytes: usize,
    /// Local refs created, moved or deleted.
    pub updated_refs: usize,
    /// The branch the remote `HEAD` points at, if the server said.
    pub head: Option<String>,
    /// How long the fetch took.
    pub duration: Duration,
    /// True when this result came from another caller's fetch (coalesced)
    /// or from one recent enough for `max_age`.
    pub shared: bool,
}

/// Whether `dir` holds a complete mirror.
pub(crate) fn is_ready(dir: &Path) -> bool {
    dir.join(READY_MARKER).is_file()
}

/// When the mirror was last fetched successfully, from its marker.
pub(crate) fn last_fetched(dir: &Path) -> Option<SystemTime> {
    std::fs::metadata(dir.join(READY_MARKER))
        .and_then(|m| m.modified())
        .ok()
}

pub(crate) fn storage_error(path: &Path, err: impl std::fmt::Display) -> GitError {
    GitError::Storage {
        path: path.display().to_string(),
        message: err.to_string(),
    }
}

/// Open a complete mirror for reading.
pub(crate) fn open(dir: &Path, url: &RepoUrl) -> Result<Repository, GitError> {
    if !is_ready(dir) {
        return Err(GitError::NotFetched {
            url: crate::url::redact_url(&url.for_transport()),
        });
    }
    Repository::open_bare(dir).map_err(|e| storage_error(dir, e.message()))
}

/// Open the mirror for fetching, starting over when it is half-written.
fn open_for_fetch(dir: &Path) -> Result<Repository, GitError> {
    if dir.exists() && !is_ready(dir) {
        tracing::warn!(dir = %dir.display(), "removing incomplete mirror left by an earlier run");
        std::fs::remove_dir_all(dir).map_err(|e| storage_error(dir, e))?;
    }
    if dir.exists() {
        remove_stale_locks(dir);
        if let Ok(repo) = Repository::open_bare(dir) {
            return Ok(repo);
        }
        tracing::warn!(dir = %dir.display(), "removing unreadable mirror");
        std::fs::remove_dir_all(dir).map_err(|e| storage_error(dir, e))?;
    }
    Repository::init_bare(dir).map_err(|e| storage_error(dir, e.message()))
}

/// Remove lock files and temporary packs a crashed fetch left behind; they
/// would make every later ref update fail. Only called while this process
/// holds the repository's fetch lock, and one process owns the cache
/// directory, so no live writer owns them.
fn remove_stale_locks(dir: &Path) {
    let is_lock = |name: &str| name.ends_with(".lock");
    // libgit2's indexer writes `pack_git2_*`; git itself `tmp_pack_*`/`tmp_idx_*`.
    let is_tmp_pack = |name: &str| name.starts_with("pack_git2_") || name.starts_with("tmp_");
    // Top level (HEAD.lock, packed-refs.lock, config.lock), then every ref.
    let mut stale = files_matching(dir, false, &is_lock);
    stale.extend(files_matching(&dir.join("refs"), true, &is_lock));
    stale.extend(files_matching(&dir.join("objects/pack"), false, &is_tmp_pack));
    for path in stale {
        tracing::warn!(file = %path.display(), "removing file left by an interrupted fetch");
        let _ = std::fs::remove_file(&path);
    }
}

/// Files under `dir` whose name satisfies `wanted`, descending if `recursive`.
fn files_matching(dir: &Path, recursive: bool, wanted: &dyn Fn(&str) -> bool) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&current) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                if recursive {
                    pending.push(path);
                }
            } else if wanted(&entry.file_name().to_string_lossy()) {
                found.push(path);
            }
        }
    }
    found
}

/// Fetch every branch and tag of `url` into the mirror at `dir`, pruning refs
/// the server deleted. Blocking; `cancel` aborts at the next progress callback.
pub(crate) fn fetch(
    dir: &Path,
    url: &RepoUrl,
    credentials: Option<&Credentials>,
    known_hosts: &str,
    cancel: &AtomicBool,
) -> Result<FetchOutcome, GitError> {
    let started = Instant::now();
    let repo = open_for_fetch(dir)?;
    let session = FetchSession::new(url, credentials, known_hosts, cancel);
    let mut remote = repo
        .remote_anonymous(&url.for_transport())
        .map_err(|e| session.classify(&e))?;
    let mut options = git2::FetchOptions::new();
    options.remote_callbacks(session.callbacks());
    options.prune(FetchPrune::On);
    options.download_tags(AutotagOption::None);
    remote
        .fetch(&REFSPECS, Some(&mut options), None)
        .map_err(|e| session.classify(&e))?;
    let stats = remote.stats();
    let (received_objects, received_bytes) = (stats.received_objects(), stats.received_bytes());
    let head = remote
        .default_branch()
        .ok()
        .and_then(|b| b.as_str().ok().map(str::to_string));
    if let Some(branch) = &head {
        let current = repo
            .find_reference("HEAD")
            .ok()
            .and_then(|r| r.symbolic_target().ok().flatten().map(str::to_string));
        if current.as_deref() != Some(branch) {
            repo.reference_symbolic("HEAD", branch, true, "remote HEAD")
                .map_err(|e| storage_error(dir, e.message()))?;
        }
    }
    mark_ready(dir)?;
    Ok(FetchOutcome {
        received_objects,
        received_bytes,
        updated_refs: session.updated_refs(),
        head,
        duration: started.elapsed(),
        shared: false,
    })
}

/// Write (or refresh the mtime of) the ready marker, atomically.
fn mark_ready(dir: &Path) -> Result<(), GitError> {
    let tmp: PathBuf = dir.join(format!("{READY_MARKER}.tmp"));
    std::fs::write(&tmp, b"complete mirror; mtime = last successful fetch\n")
        .and_then(|()| std::fs::rename(&tmp, dir.join(READY_MARKER)))
        .map_err(|e| storage_error(dir, e))
}
