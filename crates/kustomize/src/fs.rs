//! The file system the renderer reads from.
//!
//! The renderer never touches `std::fs` directly: it reads through
//! [`FileSystem`], which has a disk implementation here and a git-commit
//! implementation in the `git` crate. Paths are absolute within the file
//! system (`/` is its root for in-memory and git trees).

use std::io;
use std::path::{Path, PathBuf};

/// What a path names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    /// A regular file.
    File,
    /// A directory.
    Dir,
}

/// What a path's last component is, without following it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup {
    /// Nothing is there.
    Missing,
    /// A regular file or a directory.
    Entry(EntryKind),
    /// A symbolic link (resolve it with [`FileSystem::canonicalize`]).
    Symlink,
    /// The file system cannot tell cheaply.
    Unknown,
}

/// Read-only access to a tree of files.
pub trait FileSystem: Send + Sync {
    /// The bytes of the file at `path`.
    fn read(&self, path: &Path) -> io::Result<Vec<u8>>;

    /// What `path` names, or `None` when nothing is there.
    fn kind(&self, path: &Path) -> Option<EntryKind>;

    /// Names of the entries of the directory at `path`, sorted.
    fn read_dir(&self, path: &Path) -> io::Result<Vec<String>>;

    /// `path` with `.`/`..` and symlinks resolved, without leaving the file
    /// system; an error when it does not exist.
    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf>;

    /// What the last component of `path` is, not following a symlink there. Lets the loader
    /// resolve a path from its already-resolved parent with one call instead of a full
    /// [`FileSystem::canonicalize`]; the default answers [`Lookup::Unknown`].
    fn lookup(&self, path: &Path) -> Lookup {
        let _ = path;
        Lookup::Unknown
    }
}

/// The local disk.
#[derive(Debug, Clone, Copy, Default)]
pub struct DiskFs;

impl FileSystem for DiskFs {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        std::fs::read(path)
    }

    fn kind(&self, path: &Path) -> Option<EntryKind> {
        let meta = std::fs::metadata(path).ok()?;
        Some(if meta.is_dir() {
            EntryKind::Dir
        } else {
            EntryKind::File
        })
    }

    fn read_dir(&self, path: &Path) -> io::Result<Vec<String>> {
        let mut names = std::fs::read_dir(path)?
            .map(|entry| entry.map(|e| e.file_name().to_string_lossy().into_owned()))
            .collect::<io::Result<Vec<_>>>()?;
        names.sort();
        Ok(names)
    }

    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf> {
        std::fs::canonicalize(path)
    }

    fn lookup(&self, path: &Path) -> Lookup {
        match std::fs::symlink_metadata(path) {
            Ok(meta) if meta.file_type().is_symlink() => Lookup::Symlink,
            Ok(meta) if meta.is_dir() => Lookup::Entry(EntryKind::Dir),
            Ok(_) => Lookup::Entry(EntryKind::File),
            Err(error) if error.kind() == io::ErrorKind::NotFound => Lookup::Missing,
            Err(_) => Lookup::Unknown,
        }
    }
}
