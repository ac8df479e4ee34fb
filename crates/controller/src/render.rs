//! Desired state from git: render an app's path at a commit, cached.
//!
//! The cache key is (repository, commit, path). When a new commit arrives, a
//! render of the previous commit is reused if none of the files it read
//! changed ([`still_valid`]), so a push that touches one app costs the others
//! nothing. Renders of one commit share a parse cache, so files every overlay
//! reads (bases, components) are parsed once per commit, not once per app.
//! Rendering runs on the blocking pool.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use driftless_git::{CommitId, GitError, RepoCache};
use driftless_kustomize::{BuildOptions, ParsedFiles, yaml};
use kube::api::DynamicObject;

/// The objects one app's path renders to at one commit.
#[derive(Debug)]
pub struct Rendered {
    /// The commit rendered.
    pub commit: CommitId,
    /// Desired objects in render order, not yet decorated.
    pub objects: Vec<DynamicObject>,
    /// Repository-relative paths of every file the build read.
    pub files_read: BTreeSet<String>,
}

/// Why an app's desired state could not be produced.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// Reading the commit failed.
    #[error(transparent)]
    Git(#[from] GitError),
    /// The kustomization failed to build.
    #[error("kustomize build {path}: {source}")]
    Build {
        /// The app's path in the repository.
        path: String,
        /// The renderer's error (names file and field).
        #[source]
        source: driftless_kustomize::Error,
    },
    /// A rendered document is not a Kubernetes object.
    #[error("rendered object #{index} of {path} is not a Kubernetes object: {message}")]
    NotAnObject {
        /// The app's path.
        path: String,
        /// Its position in the render.
        index: usize,
        /// What is wrong.
        message: String,
    },
    /// The blocking render task died.
    #[error("render task failed: {0}")]
    Task(String),
}

impl RenderError {
    /// Condition/Event reason.
    pub fn reason(&self) -> &'static str {
        match self {
            RenderError::Git(e) => e.reason(),
            RenderError::Build { source, .. } => source.reason(),
            RenderError::NotAnObject { .. } => "InvalidObject",
            RenderError::Task(_) => "RenderFailed",
        }
    }

    /// Transient errors are retried soon; the others wait for a new commit.
    pub fn is_transient(&self) -> bool {
        match self {
            RenderError::Git(e) => e.is_transient(),
            RenderError::Task(_) => true,
            RenderError::Build { .. } | RenderError::NotAnObject { .. } => false,
        }
    }
}

/// An Application's `source.path` as the cache keys it: no surrounding `/`, `.` is the root.
pub fn app_path(path: &str) -> &str {
    let path = path.trim_matches('/');
    if path == "." { "" } else { path }
}

#[derive(Clone, PartialEq, Eq, Hash)]
struct Key {
    repo: String,
    commit: CommitId,
    path: String,
}

/// How many commits keep their parse cache (the newest ones rendered).
const PARSED_SNAPSHOTS: usize = 4;

/// A commit of a repository, with the files parsed from it so far.
type ParsedSnapshot = ((String, CommitId), Arc<ParsedFiles>);

/// A bounded cache of renders, shared by every app.
pub struct RenderCache {
    capacity: usize,
    state: Mutex<CacheState>,
    parsed: Mutex<VecDeque<ParsedSnapshot>>,
}

#[derive(Default)]
struct CacheState {
    entries: HashMap<Key, Arc<Rendered>>,
    order: VecDeque<Key>,
}

/// Whether [`RenderCache::get_or_render`] rendered or reused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheOutcome {
    /// Found for this commit.
    Hit,
    /// Reused from the previous commit: nothing it read changed.
    Carried,
    /// Rendered now.
    Miss,
}

impl RenderCache {
    /// A cache holding at most `capacity` renders.
    pub fn new(capacity: usize) -> RenderCache {
        RenderCache {
            capacity: capacity.max(1),
            state: Mutex::default(),
            parsed: Mutex::default(),
        }
    }

    /// The parse cache of `repo` at `commit`, shared by every render of that commit.
    fn parsed_files(&self, repo: &str, commit: CommitId) -> Arc<ParsedFiles> {
        let Ok(mut parsed) = self.parsed.lock() else {
            return Arc::default();
        };
        if let Some((_, files)) = parsed.iter().find(|((r, c), _)| r == repo && *c == commit) {
            return Arc::clone(files);
        }
        let files = Arc::new(ParsedFiles::new());
        parsed.push_back(((repo.to_owned(), commit), Arc::clone(&files)));
        while parsed.len() > PARSED_SNAPSHOTS {
            parsed.pop_front();
        }
        files
    }

    fn get(&self, key: &Key) -> Option<Arc<Rendered>> {
        self.state.lock().ok()?.entries.get(key).cloned()
    }

    fn put(&self, key: Key, rendered: Arc<Rendered>) {
        let Ok(mut state) = self.state.lock() else { return };
        if state.entries.insert(key.clone(), rendered).is_none() {
            state.order.push_back(key);
        }
        while state.order.len() > self.capacity {
            if let Some(old) = state.order.pop_front() {
                state.entries.remove(&old);
            }
        }
    }

    /// The files the cached render of `path` at `commit` read, if it is cached.
    pub fn files_read(&self, repo: &str, path: &str, commit: CommitId) -> Option<BTreeSet<String>> {
        let key = Key {
            repo: repo.to_owned(),
            commit,
            path: app_path(path).to_owned(),
        };
        self.get(&key).map(|rendered| rendered.files_read.clone())
    }

    /// Drops every render of `repo`/`path` (a hard refresh).
    pub fn forget(&self, repo: &str, path: &str) {
        let Ok(mut state) = self.state.lock() else { return };
        state.entries.retain(|k, _| !(k.repo == repo && k.path == path));
        state.order.retain(|k| !(k.repo == repo && k.path == path));
    }

    /// The render of `path` at `commit`: cached, carried over from `previous`
    /// when the push did not touch what it read, or built now.
    pub async fn get_or_render(
        &self,
        repos: &RepoCache,
        repo: &str,
        path: &str,
        commit: CommitId,
        previous: Option<CommitId>,
    ) -> Result<(Arc<Rendered>, CacheOutcome), RenderError> {
        let key = Key {
            repo: repo.to_owned(),
            commit,
            path: path.to_owned(),
        };
        if let Some(hit) = self.get(&key) {
            return Ok((hit, CacheOutcome::Hit));
        }
        if let Some(previous) = previous.filter(|p| *p != commit) {
            let old_key = Key {
                commit: previous,
                ..key.clone()
            };
            if let Some(old) = self.get(&old_key) {
                // When the commits cannot be compared, render afresh rather than fail.
                let changes = repos.changed_paths(repo, previous, commit).await;
                if changes.is_ok_and(|changes| !changes.touches_any(&old.files_read)) {
                    let carried = Arc::new(Rendered {
                        commit,
                        objects: old.objects.clone(),
                        files_read: old.files_read.clone(),
                    });
                    self.put(key, carried.clone());
                    return Ok((carried, CacheOutcome::Carried));
                }
            }
        }
        let snapshot = repos.snapshot(repo, commit).await?;
        let app_path = path.to_owned();
        let parsed = self.parsed_files(repo, commit);
        let rendered =
            tokio::task::spawn_blocking(move || render_snapshot(&*snapshot, &app_path, commit, &parsed))
                .await
                .map_err(|e| RenderError::Task(e.to_string()))??;
        let rendered = Arc::new(rendered);
        self.put(key, rendered.clone());
        Ok((rendered, CacheOutcome::Miss))
    }
}

/// Renders `path` of a snapshot (or any file system rooted at `/`), sharing `parsed` with
/// other renders of the same snapshot.
pub fn render_snapshot(
    fs: &dyn driftless_kustomize::fs::FileSystem,
    path: &str,
    commit: CommitId,
    parsed: &ParsedFiles,
) -> Result<Rendered, RenderError> {
    let (objects, files_read) = render_objects(fs, path, parsed)?;
    Ok(Rendered {
        commit,
        objects,
        files_read,
    })
}

/// Renders the kustomization at `path` (below `/` of `fs`) into objects, with the
/// repository-relative paths the build read or looked for.
pub fn render_objects(
    fs: &dyn driftless_kustomize::fs::FileSystem,
    path: &str,
    parsed: &ParsedFiles,
) -> Result<(Vec<DynamicObject>, BTreeSet<String>), RenderError> {
    let dir = Path::new("/").join(path.trim_start_matches('/'));
    let options = BuildOptions::default();
    let built = driftless_kustomize::build_with_cache(fs, &dir, &options, parsed).map_err(|source| {
        RenderError::Build {
            path: path.to_owned(),
            source,
        }
    })?;
    let objects = built
        .resources
        .iter()
        .enumerate()
        .map(|(index, node)| {
            serde_json::from_value::<DynamicObject>(yaml::to_json(node)).map_err(|e| {
                RenderError::NotAnObject {
                    path: path.to_owned(),
                    index,
                    message: e.to_string(),
                }
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    // A push creating a kustomization name the build looked for changes the render too.
    let files_read = built
        .files_read
        .iter()
        .chain(&built.probed_absent)
        .map(|p: &PathBuf| repo_relative(p))
        .collect();
    Ok((objects, files_read))
}

fn repo_relative(path: &Path) -> String {
    path.strip_prefix("/")
        .unwrap_or(path)
        .to_string_lossy()
        .into_owned()
}
