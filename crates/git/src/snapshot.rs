//! A read-only view of one commit, served straight from the object database.
//!
//! Nothing is checked out and nothing is written. Paths are absolute with `/`
//! as the repository root. Symlinks are followed inside the tree only: an
//! absolute target, or one that climbs above the root, is an error. Git
//! submodules and Git LFS pointers cannot be rendered and say so.

use std::collections::{HashMap, VecDeque};
use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

use driftless_kustomize::fs::{EntryKind, FileSystem, Lookup};
use git2::{Oid, Repository};

use crate::resolve::CommitId;

/// How many symlinks one lookup may follow (as Linux's `MAXSYMLINKS`).
const MAX_SYMLINK_HOPS: usize = 40;
/// Every Git LFS pointer file starts with this line.
const LFS_POINTER_PREFIX: &[u8] = b"version https://git-lfs.github.com/spec/v1";
/// Pointer files are tiny; anything larger is real content.
const LFS_POINTER_MAX_LEN: usize = 1024;

/// What a tree entry is, from its Git file mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NodeKind {
    Tree,
    Blob,
    Symlink,
    Submodule,
}

impl NodeKind {
    fn from_mode(mode: i32) -> NodeKind {
        match mode & 0o170000 {
            0o040000 => NodeKind::Tree,
            0o120000 => NodeKind::Symlink,
            0o160000 => NodeKind::Submodule,
            _ => NodeKind::Blob,
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Node {
    kind: NodeKind,
    oid: Oid,
}

type Listing = Arc<Vec<(String, Node)>>;

struct Inner {
    repo: Repository,
    /// Directory listings by resolved path ("" is the root), filled lazily.
    listings: HashMap<String, Listing>,
}

/// One commit of one repository, readable as a [`FileSystem`].
pub struct Snapshot {
    commit: CommitId,
    root: Oid,
    // `Repository` is `Send` but not `Sync`: one lock guards the handle and
    // the listing cache it fills.
    inner: Mutex<Inner>,
}

impl std::fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Snapshot").field("commit", &self.commit).finish()
    }
}

impl Snapshot {
    /// A view of `commit` in `repo` (which the snapshot keeps open).
    pub(crate) fn new(repo: Repository, commit: CommitId) -> Result<Snapshot, git2::Error> {
        let root = repo.find_commit(commit.0)?.tree_id();
        Ok(Snapshot {
            commit,
            root,
            inner: Mutex::new(Inner {
                repo,
                listings: HashMap::new(),
            }),
        })
    }

    /// The commit this snapshot shows.
    pub fn commit(&self) -> CommitId {
        self.commit
    }

    fn lock(&self) -> io::Result<std::sync::MutexGuard<'_, Inner>> {
        self.inner
            .lock()
            .map_err(|_| io::Error::other("snapshot lock poisoned by a panic"))
    }

    fn error(&self, kind: io::ErrorKind, path: &str, why: &str) -> io::Error {
        io::Error::new(kind, format!("{path}: {why} (commit {})", self.commit.short()))
    }

    /// Resolve `path` to its node and its canonical components. The last
    /// component's symlink is followed too.
    fn walk_to(&self, inner: &mut Inner, path: &Path) -> io::Result<(Vec<String>, Node)> {
        let shown = path.display().to_string();
        if !path.is_absolute() {
            return Err(self.error(io::ErrorKind::InvalidInput, &shown, "path must be absolute"));
        }
        let mut pending: VecDeque<String> = VecDeque::new();
        for component in path.components() {
            match component {
                Component::Normal(name) => pending.push_back(name.to_string_lossy().into_owned()),
                Component::ParentDir => pending.push_back("..".into()),
                Component::RootDir | Component::CurDir | Component::Prefix(_) => {}
            }
        }
        let mut resolved: Vec<String> = Vec::new();
        let mut node = Node {
            kind: NodeKind::Tree,
            oid: self.root,
        };
        let mut hops = 0;
        while let Some(name) = pending.pop_front() {
            if name == "." {
                continue;
            }
            if name == ".." {
                if resolved.pop().is_none() {
                    return Err(self.error(io::ErrorKind::PermissionDenied, &shown, "leaves the repository"));
                }
                node = self.node_at(inner, &resolved, &shown)?;
                continue;
            }
            match node.kind {
                NodeKind::Tree => {}
                NodeKind::Submodule => return Err(self.submodule_error(path, &resolved)),
                _ => return Err(self.error(io::ErrorKind::NotADirectory, &shown, "not a directory")),
            }
            let listing = self.listing(inner, &resolved, node.oid)?;
            let Some(child) = listing.iter().find(|(n, _)| *n == name).map(|(_, node)| *node) else {
                return Err(self.error(io::ErrorKind::NotFound, &shown, "not found"));
            };
            if child.kind == NodeKind::Symlink {
                hops += 1;
                if hops > MAX_SYMLINK_HOPS {
                    return Err(self.error(
                        io::ErrorKind::InvalidInput,
                        &shown,
                        "too many levels of symlinks",
                    ));
                }
                let target = inner
                    .repo
                    .find_blob(child.oid)
                    .map_err(|e| io::Error::other(e.message()))?;
                let target = String::from_utf8_lossy(target.content()).into_owned();
                if target.starts_with('/') {
                    let why = format!("symlink to {target} points outside the repository");
                    return Err(self.error(io::ErrorKind::PermissionDenied, &shown, &why));
                }
                for part in target.split('/').filter(|p| !p.is_empty()).rev() {
                    pending.push_front(part.to_string());
                }
                continue;
            }
            resolved.push(name);
            node = child;
        }
        Ok((resolved, node))
    }

    /// The node at already-resolved components (no symlinks among them).
    fn node_at(&self, inner: &mut Inner, resolved: &[String], shown: &str) -> io::Result<Node> {
        let mut node = Node {
            kind: NodeKind::Tree,
            oid: self.root,
        };
        for (depth, name) in resolved.iter().enumerate() {
            let listing = self.listing(inner, &resolved[..depth], node.oid)?;
            node = listing
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, n)| *n)
                .ok_or_else(|| self.error(io::ErrorKind::NotFound, shown, "not found"))?;
        }
        Ok(node)
    }

    fn listing(&self, inner: &mut Inner, dir: &[String], tree: Oid) -> io::Result<Listing> {
        let key = dir.join("/");
        if let Some(listing) = inner.listings.get(&key) {
            return Ok(listing.clone());
        }
        let tree = inner
            .repo
            .find_tree(tree)
            .map_err(|e| io::Error::other(e.message()))?;
        let mut entries: Vec<(String, Node)> = tree
            .iter()
            .map(|entry| {
                let name = String::from_utf8_lossy(entry.name_bytes()).into_owned();
                (
                    name,
                    Node {
                        kind: NodeKind::from_mode(entry.filemode()),
                        oid: entry.id(),
                    },
                )
            })
            .collect();
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        let listing: Listing = Arc::new(entries);
        inner.listings.insert(key, listing.clone());
        Ok(listing)
    }

    fn submodule_error(&self, shown: &Path, resolved: &[String]) -> io::Error {
        let why = format!(
            "/{} is a git submodule; submodules are not supported",
            resolved.join("/")
        );
        self.error(io::ErrorKind::Unsupported, &shown.display().to_string(), &why)
    }
}

impl FileSystem for Snapshot {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        let mut inner = self.lock()?;
        let (resolved, node) = self.walk_to(&mut inner, path)?;
        let shown = path.display().to_string();
        match node.kind {
            NodeKind::Blob => {}
            NodeKind::Tree => return Err(self.error(io::ErrorKind::IsADirectory, &shown, "is a directory")),
            NodeKind::Submodule => return Err(self.submodule_error(path, &resolved)),
            NodeKind::Symlink => {
                return Err(self.error(io::ErrorKind::InvalidData, &shown, "dangling symlink"));
            }
        }
        let blob = inner
            .repo
            .find_blob(node.oid)
            .map_err(|e| io::Error::other(e.message()))?;
        let content = blob.content();
        if content.len() <= LFS_POINTER_MAX_LEN && content.starts_with(LFS_POINTER_PREFIX) {
            let why = "is a Git LFS pointer; LFS content is not fetched, commit the file itself";
            return Err(self.error(io::ErrorKind::Unsupported, &shown, why));
        }
        Ok(content.to_vec())
    }

    fn kind(&self, path: &Path) -> Option<EntryKind> {
        let mut inner = self.lock().ok()?;
        let (_, node) = self.walk_to(&mut inner, path).ok()?;
        match node.kind {
            // A submodule looks like a directory so that reading inside it
            // gives the clear "submodule" error rather than "not found".
            NodeKind::Tree | NodeKind::Submodule => Some(EntryKind::Dir),
            NodeKind::Blob => Some(EntryKind::File),
            NodeKind::Symlink => None,
        }
    }

    fn read_dir(&self, path: &Path) -> io::Result<Vec<String>> {
        let mut inner = self.lock()?;
        let (resolved, node) = self.walk_to(&mut inner, path)?;
        match node.kind {
            NodeKind::Tree => {}
            NodeKind::Submodule => return Err(self.submodule_error(path, &resolved)),
            _ => {
                let shown = path.display().to_string();
                return Err(self.error(io::ErrorKind::NotADirectory, &shown, "not a directory"));
            }
        }
        let listing = self.listing(&mut inner, &resolved, node.oid)?;
        Ok(listing.iter().map(|(name, _)| name.clone()).collect())
    }

    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf> {
        let mut inner = self.lock()?;
        let (resolved, _) = self.walk_to(&mut inner, path)?;
        let mut out = PathBuf::from("/");
        out.extend(resolved);
        Ok(out)
    }

    fn lookup(&self, path: &Path) -> Lookup {
        let (Some(parent), Some(Component::Normal(name))) = (path.parent(), path.components().next_back())
        else {
            return Lookup::Unknown;
        };
        let Ok(mut inner) = self.lock() else {
            return Lookup::Unknown;
        };
        let (resolved, node) = match self.walk_to(&mut inner, parent) {
            Ok(found) => found,
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Lookup::Missing,
            Err(_) => return Lookup::Unknown,
        };
        if node.kind != NodeKind::Tree {
            return Lookup::Unknown;
        }
        let Ok(listing) = self.listing(&mut inner, &resolved, node.oid) else {
            return Lookup::Unknown;
        };
        let name = name.to_string_lossy();
        match listing
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, node)| node.kind)
        {
            None => Lookup::Missing,
            Some(NodeKind::Symlink) => Lookup::Symlink,
            Some(NodeKind::Blob) => Lookup::Entry(EntryKind::File),
            Some(NodeKind::Tree | NodeKind::Submodule) => Lookup::Entry(EntryKind::Dir),
        }
    }
}
