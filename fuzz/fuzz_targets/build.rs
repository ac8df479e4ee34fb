//! Fuzz `driftless_kustomize::build` over a small in-memory tree.
//!
//! Input format (text, so seeds stay readable): a sequence of sections, each
//! starting with a header line `### <relative path>` followed by that file's
//! bytes. Files land under `/app`; text before the first header is
//! `/app/kustomization.yaml`. At most `MAX_FILES` files are kept. The build
//! may fail with `Err`, but it must never panic.

#![no_main]

use std::collections::BTreeMap;
use std::io;
use std::path::{Component, Path, PathBuf};

use driftless_kustomize::BuildOptions;
use driftless_kustomize::fs::{EntryKind, FileSystem};
use libfuzzer_sys::fuzz_target;

/// Cap on files per input: enough for base + overlay + patches.
const MAX_FILES: usize = 8;
const HEADER: &[u8] = b"### ";

/// Files by normalised absolute path; directories are implied by file paths.
struct MemFs(BTreeMap<PathBuf, Vec<u8>>);

/// `path` made absolute under `/` with `.`/`..` folded (never above the root).
fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::from("/");
    for c in path.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::Normal(n) => out.push(n),
            Component::RootDir | Component::CurDir | Component::Prefix(_) => {}
        }
    }
    out
}

impl MemFs {
    fn is_dir(&self, dir: &Path) -> bool {
        self.0.keys().any(|k| k != dir && k.starts_with(dir))
    }
}

impl FileSystem for MemFs {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        self.0.get(&normalise(path)).cloned().ok_or_else(|| io::Error::from(io::ErrorKind::NotFound))
    }

    fn kind(&self, path: &Path) -> Option<EntryKind> {
        let p = normalise(path);
        if self.0.contains_key(&p) {
            Some(EntryKind::File)
        } else if self.is_dir(&p) {
            Some(EntryKind::Dir)
        } else {
            None
        }
    }

    fn read_dir(&self, path: &Path) -> io::Result<Vec<String>> {
        let dir = normalise(path);
        if !self.is_dir(&dir) {
            return Err(io::Error::from(io::ErrorKind::NotFound));
        }
        let mut names: Vec<String> = self
            .0
            .keys()
            .filter_map(|k| k.strip_prefix(&dir).ok())
            .filter_map(|rest| rest.components().next())
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names.dedup();
        Ok(names)
    }

    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf> {
        let p = normalise(path);
        if p == Path::new("/") || self.0.contains_key(&p) || self.is_dir(&p) {
            Ok(p)
        } else {
            Err(io::Error::from(io::ErrorKind::NotFound))
        }
    }
}

/// Split the input into `(relative path, bytes)` sections.
fn sections(data: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = vec![("kustomization.yaml".to_owned(), Vec::new())];
    for line in data.split_inclusive(|&b| b == b'\n') {
        if let Some(name) = line.strip_prefix(HEADER) {
            if out.len() >= MAX_FILES {
                break;
            }
            let name = String::from_utf8_lossy(name).trim().to_owned();
            out.push((name, Vec::new()));
        } else if let Some((_, body)) = out.last_mut() {
            body.extend_from_slice(line);
        }
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let mut files = BTreeMap::new();
    for (name, body) in sections(data) {
        if name.is_empty() {
            continue;
        }
        let path = normalise(&Path::new("/app").join(name));
        // A file may not also be a directory; first one wins.
        if files.keys().any(|k: &PathBuf| k.starts_with(&path) || path.starts_with(k)) {
            continue;
        }
        files.insert(path, body);
    }
    let fs = MemFs(files);
    let _ = driftless_kustomize::build(&fs, Path::new("/app"), &BuildOptions::default());
});
