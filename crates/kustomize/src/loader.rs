//! Reading files for one build: path resolution, load restrictions, the set
//! of files read, and a parse cache so every file is parsed once per build
//! however many overlays include it.
//!
//! Root-only restriction (kustomize's default): a file a kustomization reads
//! (resource file, patch, generator source, ...) must resolve, symlinks
//! followed, inside that kustomization's directory. Directories of other
//! kustomizations may be anywhere (`../base`), like kustomize.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};
use std::path::{Component, Path, PathBuf};
use std::rc::Rc;
use std::sync::{Arc, Mutex};

use crate::error::Error;
use crate::fs::{EntryKind, FileSystem, Lookup};
use crate::yaml::Node;

/// Files larger than this are refused by default (a kustomization input is never this big).
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// The file names kustomize recognises, in its order.
pub const KUSTOMIZATION_FILE_NAMES: [&str; 3] = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// Where files may be read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LoadRestrictions {
    /// Only inside the directory of the kustomization that reads them (default).
    #[default]
    RootOnly,
    /// Anywhere in the file system.
    None,
}

/// What a path resolves to: its canonical path and what that names; `None` when it does not resolve.
type Fact = Option<(PathBuf, Option<EntryKind>)>;

/// Parsed files shared between builds over the same file-system snapshot
/// (e.g. every overlay of one commit): each file is parsed once. Keyed by
/// canonical path, so never share it across different trees.
#[derive(Debug, Default)]
pub struct ParsedFiles {
    docs: Mutex<HashMap<PathBuf, Arc<Vec<Node>>>>,
    /// Path → canonical path and what it names (`None`: does not resolve).
    facts: Mutex<HashMap<PathBuf, Fact>>,
    /// Inline YAML (patches, plugin configs) → its documents; `None` when it does not parse.
    texts: Mutex<HashMap<String, Option<Arc<Vec<Node>>>>>,
    /// Patch target selectors, compiled once.
    selectors:
        Mutex<HashMap<crate::kustomization::Selector, Arc<crate::transform::patches::selector::Compiled>>>,
    /// Kustomization file → its loaded, fixed-up model.
    kustomizations: Mutex<HashMap<PathBuf, Arc<crate::target::KustFile>>>,
}

impl ParsedFiles {
    /// An empty cache.
    pub fn new() -> ParsedFiles {
        ParsedFiles::default()
    }

    fn get(&self, path: &Path) -> Option<Arc<Vec<Node>>> {
        self.docs.lock().ok()?.get(path).cloned()
    }

    fn fact(&self, path: &Path) -> Option<Fact> {
        self.facts.lock().ok()?.get(path).cloned()
    }

    fn put_fact(&self, path: &Path, fact: Fact) {
        if let Ok(mut map) = self.facts.lock() {
            map.insert(path.to_path_buf(), fact);
        }
    }

    /// `selector` compiled (once per snapshot).
    pub(crate) fn selector(
        &self,
        selector: &crate::kustomization::Selector,
    ) -> Result<Arc<crate::transform::patches::selector::Compiled>, String> {
        if let Some(hit) = self.selectors.lock().ok().and_then(|m| m.get(selector).cloned()) {
            return Ok(hit);
        }
        let compiled = Arc::new(crate::transform::patches::selector::Compiled::new(selector)?);
        if let Ok(mut map) = self.selectors.lock() {
            map.insert(selector.clone(), compiled.clone());
        }
        Ok(compiled)
    }

    /// A loaded kustomization, if this snapshot loaded it before.
    pub(crate) fn kustomization(&self, path: &Path) -> Option<Arc<crate::target::KustFile>> {
        self.kustomizations.lock().ok()?.get(path).cloned()
    }

    /// Remembers a loaded kustomization.
    pub(crate) fn put_kustomization(&self, path: &Path, kt: Arc<crate::target::KustFile>) {
        if let Ok(mut map) = self.kustomizations.lock() {
            map.insert(path.to_path_buf(), kt);
        }
    }

    fn put(&self, path: &Path, docs: Arc<Vec<Node>>) {
        if let Ok(mut map) = self.docs.lock() {
            map.insert(path.to_path_buf(), docs);
        }
    }
}

/// The per-build reader.
pub struct Loader<'a> {
    fs: &'a dyn FileSystem,
    restrictions: LoadRestrictions,
    files_read: RefCell<BTreeSet<PathBuf>>,
    probed_absent: RefCell<BTreeSet<PathBuf>>,
    bytes: RefCell<HashMap<PathBuf, Rc<[u8]>>>,
    parsed: &'a ParsedFiles,
    max_file_bytes: u64,
}

impl<'a> Loader<'a> {
    /// Refuses files above `limit` bytes instead of [`MAX_FILE_BYTES`].
    pub fn with_max_file_bytes(mut self, limit: u64) -> Loader<'a> {
        self.max_file_bytes = limit;
        self
    }

    /// A loader over `fs` that shares parsed files through `parsed`.
    pub fn new(
        fs: &'a dyn FileSystem,
        restrictions: LoadRestrictions,
        parsed: &'a ParsedFiles,
    ) -> Loader<'a> {
        Loader {
            fs,
            restrictions,
            files_read: RefCell::default(),
            probed_absent: RefCell::default(),
            bytes: RefCell::default(),
            parsed,
            max_file_bytes: MAX_FILE_BYTES,
        }
    }

    /// The files read so far, and the kustomization names probed and found absent.
    pub fn into_paths(self) -> (BTreeSet<PathBuf>, BTreeSet<PathBuf>) {
        (self.files_read.into_inner(), self.probed_absent.into_inner())
    }

    /// The canonical path `path` resolves to and what it names, cached for the snapshot.
    fn resolve(&self, path: &Path) -> Fact {
        if let Some(fact) = self.parsed.fact(path) {
            return fact;
        }
        let fact = self.resolve_from_parent(path).unwrap_or_else(|| {
            self.fs.canonicalize(path).ok().map(|real| {
                let kind = self.fs.kind(&real);
                (real, kind)
            })
        });
        self.parsed.put_fact(path, fact.clone());
        fact
    }

    /// Resolves `path` from its (cached) resolved parent with one lookup of its last
    /// component; `None` when that cannot settle it (a symlink, the root, an unknown answer).
    fn resolve_from_parent(&self, path: &Path) -> Option<Fact> {
        let (parent, name) = (path.parent()?, path.file_name()?);
        let (real_parent, parent_kind) = match self.resolve(parent) {
            Some(resolved) => resolved,
            None => return Some(None),
        };
        if parent_kind != Some(EntryKind::Dir) {
            return Some(None);
        }
        let real = real_parent.join(name);
        match self.fs.lookup(&real) {
            Lookup::Missing => Some(None),
            Lookup::Entry(kind) => Some(Some((real, Some(kind)))),
            Lookup::Symlink | Lookup::Unknown => None,
        }
    }

    /// Resolves `rel` against `dir` to a canonical existing directory.
    pub fn confirm_dir(&self, dir: &Path, rel: &str) -> Result<PathBuf, Error> {
        let joined = clean(&dir.join(rel));
        let (real, kind) = self
            .resolve(&joined)
            .ok_or_else(|| Error::Missing { path: joined.clone() })?;
        match kind {
            Some(EntryKind::Dir) => Ok(real),
            Some(EntryKind::File) => Err(Error::Invalid {
                what: "path",
                file: joined,
                message: "must build at directory: not a valid directory".into(),
            }),
            None => Err(Error::Missing { path: joined }),
        }
    }

    /// What `rel` (relative to `dir`) is, without reading it.
    pub fn kind(&self, dir: &Path, rel: &str) -> Option<EntryKind> {
        let joined = clean(&dir.join(rel));
        self.resolve(&joined).and_then(|(_, kind)| kind)
    }

    /// Resolves a file `rel` that the kustomization in `dir` reads, enforcing
    /// the load restrictions; returns the canonical path.
    pub fn resolve_file(&self, dir: &Path, rel: &str) -> Result<PathBuf, Error> {
        let joined = clean(&dir.join(rel));
        let (real, kind) = self
            .resolve(&joined)
            .ok_or_else(|| Error::Missing { path: joined.clone() })?;
        if self.restrictions == LoadRestrictions::RootOnly && !real.starts_with(dir) {
            return Err(Error::OutsideRoot {
                path: joined,
                root: dir.to_path_buf(),
            });
        }
        match kind {
            Some(EntryKind::File) => Ok(real),
            Some(EntryKind::Dir) => Err(Error::Invalid {
                what: "path",
                file: joined,
                message: "is a directory, expected a file".into(),
            }),
            None => Err(Error::Missing { path: joined }),
        }
    }

    /// The bytes of file `rel` read by the kustomization in `dir`.
    pub fn read_file(&self, dir: &Path, rel: &str) -> Result<Rc<[u8]>, Error> {
        let path = self.resolve_file(dir, rel)?;
        self.read_resolved(&path)
    }

    /// The bytes of an already resolved (canonical) file, cached.
    pub fn read_resolved(&self, path: &Path) -> Result<Rc<[u8]>, Error> {
        if let Some(hit) = self.bytes.borrow().get(path) {
            return Ok(hit.clone());
        }
        let bytes: Rc<[u8]> = self
            .fs
            .read(path)
            .map_err(|e| Error::Read {
                path: path.to_path_buf(),
                message: e.to_string(),
            })?
            .into();
        if bytes.len() as u64 > self.max_file_bytes {
            return Err(Error::TooLarge {
                path: path.to_path_buf(),
                size: bytes.len() as u64,
                limit: self.max_file_bytes,
            });
        }
        self.files_read.borrow_mut().insert(path.to_path_buf());
        self.bytes.borrow_mut().insert(path.to_path_buf(), bytes.clone());
        Ok(bytes)
    }

    /// The YAML documents of an already resolved file, parsed once per build.
    pub fn read_docs(&self, path: &Path) -> Result<Arc<Vec<Node>>, Error> {
        if let Some(hit) = self.parsed.get(path) {
            // Still part of this build's read set.
            self.files_read.borrow_mut().insert(path.to_path_buf());
            return Ok(hit);
        }
        let bytes = self.read_resolved(path)?;
        let docs = Arc::new(parse_yaml(path, &bytes)?);
        self.parsed.put(path, docs.clone());
        Ok(docs)
    }

    /// The snapshot-wide caches.
    pub fn cache(&self) -> &'a ParsedFiles {
        self.parsed
    }

    /// Inline YAML text parsed once per snapshot; `None` when it does not parse.
    pub fn parse_text(&self, text: &str) -> Option<Arc<Vec<Node>>> {
        if let Some(hit) = self.parsed.texts.lock().ok().and_then(|m| m.get(text).cloned()) {
            return hit;
        }
        let docs = crate::backend::parse_documents(text).ok().map(Arc::new);
        if let Ok(mut map) = self.parsed.texts.lock() {
            map.insert(text.to_owned(), docs.clone());
        }
        docs
    }

    /// The kustomization file of directory `dir` (canonical), if exactly one exists.
    pub fn find_kustomization(&self, dir: &Path) -> Result<PathBuf, Error> {
        let mut found = None;
        for name in KUSTOMIZATION_FILE_NAMES {
            let candidate = dir.join(name);
            let is_file = self
                .resolve(&candidate)
                .is_some_and(|(_, kind)| kind == Some(EntryKind::File));
            if !is_file {
                self.probed_absent.borrow_mut().insert(candidate);
            } else if found.is_some() {
                return Err(Error::MultipleKustomizations {
                    dir: dir.to_path_buf(),
                });
            } else {
                found = Some(candidate);
            }
        }
        let path = found.ok_or_else(|| Error::NoKustomization {
            dir: dir.to_path_buf(),
        })?;
        self.resolve(&path)
            .map(|(real, _)| real)
            .ok_or(Error::Missing { path })
    }
}

/// Parses a file's YAML documents; the bytes must be UTF-8.
pub fn parse_yaml(path: &Path, bytes: &[u8]) -> Result<Vec<Node>, Error> {
    let text = std::str::from_utf8(bytes).map_err(|e| Error::Yaml {
        file: path.to_path_buf(),
        message: format!("not UTF-8: {e}"),
    })?;
    crate::backend::parse_documents(text).map_err(|e| Error::Yaml {
        file: path.to_path_buf(),
        message: e.to_string(),
    })
}

/// Lexically removes `.` and `..` (like Go's `filepath.Clean`); `..` at the root stays at the root.
pub fn clean(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => match out.components().next_back() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => out.push(".."),
            },
            other => out.push(other.as_os_str()),
        }
    }
    if out.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        out
    }
}

/// True for resources kustomize would fetch over the network (git or HTTP).
pub fn is_remote(entry: &str) -> bool {
    const PREFIXES: [&str; 9] = [
        "http://",
        "https://",
        "git@",
        "ssh://",
        "git::",
        "file://",
        "github.com/",
        "gitlab.com/",
        "bitbucket.org/",
    ];
    PREFIXES.iter().any(|p| entry.starts_with(p)) || entry.contains("?ref=") || entry.contains(".git//")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleans_like_go() {
        let cases = [
            ("/a/b/../c", "/a/c"),
            ("/a/./b/", "/a/b"),
            ("/../x", "/x"),
            ("a/../..", ".."),
        ];
        for (input, want) in cases {
            assert_eq!(clean(Path::new(input)), PathBuf::from(want), "{input}");
        }
    }

    #[test]
    fn the_snapshot_cache_can_be_shared_across_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<ParsedFiles>();
    }

    #[test]
    fn remote_entries() {
        assert!(is_remote("https://github.com/org/repo//base?ref=v1"));
        assert!(is_remote("github.com/org/repo/base"));
        assert!(is_remote("git@github.com:org/repo.git"));
        assert!(!is_remote("../base"));
        assert!(!is_remote("deployment.yaml"));
    }
}
