//! Generators: each turns its spec (and, for git, a commit's tree) into
//! parameter sets. Pure and synchronous: the reconciler resolves every git
//! source first and hands the trees in as [`Trees`].

pub mod git_dirs;
pub mod git_files;
pub mod list;
pub mod matrix;
pub mod merge;

use std::collections::HashMap;
use std::sync::Arc;

use driftless_api::appset::{ApplicationSetGenerator, ApplicationSetNestedGenerator, GitGenerator};
use driftless_kustomize::fs::FileSystem;

use super::params::Params;

/// A generator that cannot produce its parameters.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GenError {
    /// A generator sets none or several of list/git/matrix/merge.
    #[error("generator {at}: exactly one of list, git, matrix, merge must be set")]
    Shape {
        /// Where (`generators[0].matrix.generators[1]`).
        at: String,
    },
    /// A git generator sets neither `directories` nor `files`.
    #[error("generator {at}: git needs directories or files")]
    GitShape {
        /// Where.
        at: String,
    },
    /// The git tree was not resolved (fetch failed).
    #[error("generator {at}: repository {repo} at {revision} is not available")]
    NoTree {
        /// Where.
        at: String,
        /// Repository URL (redacted).
        repo: String,
        /// Revision.
        revision: String,
    },
    /// A file of a files generator could not be read or parsed.
    #[error("generator {at}: {file}: {message}")]
    File {
        /// Where.
        at: String,
        /// Path in the repository.
        file: String,
        /// What is wrong.
        message: String,
    },
    /// A glob does not parse.
    #[error("generator {at}: path {pattern:?}: {message}")]
    Glob {
        /// Where.
        at: String,
        /// The pattern.
        pattern: String,
        /// The parser's complaint.
        message: String,
    },
    /// A list element is not an object.
    #[error("generator {at}: list element {index} is not an object")]
    Element {
        /// Where.
        at: String,
        /// Index in `elements`.
        index: usize,
    },
    /// A matrix needs exactly two children; a merge at least one and merge keys.
    #[error("generator {at}: {message}")]
    Combine {
        /// Where.
        at: String,
        /// What is wrong.
        message: String,
    },
    /// A nested matrix/merge does not parse.
    #[error("generator {at}: {message}")]
    Nested {
        /// Where.
        at: String,
        /// The decoder's complaint.
        message: String,
    },
}

impl GenError {
    /// Condition reason.
    pub fn reason(&self) -> &'static str {
        match self {
            GenError::NoTree { .. } => "GitUnavailable",
            GenError::File { .. } => "GeneratorFileInvalid",
            _ => "InvalidGenerator",
        }
    }
}

/// The resolved git trees by (repoURL, revision).
#[derive(Default, Clone)]
pub struct Trees {
    trees: HashMap<(String, String), Arc<dyn FileSystem>>,
}

impl Trees {
    /// Adds the tree of `repo` at `revision`.
    pub fn insert(&mut self, repo: &str, revision: &str, tree: Arc<dyn FileSystem>) {
        self.trees.insert((repo.to_owned(), revision.to_owned()), tree);
    }

    fn get(&self, at: &str, git: &GitGenerator) -> Result<&dyn FileSystem, GenError> {
        let revision = revision_of(git);
        self.trees
            .get(&(git.repo_url.clone(), revision.to_owned()))
            .map(|t| t.as_ref())
            .ok_or_else(|| GenError::NoTree {
                at: at.to_owned(),
                repo: driftless_git::url::redact_url(&git.repo_url),
                revision: revision.to_owned(),
            })
    }
}

/// The revision a git generator reads (`HEAD` when unset).
pub fn revision_of(git: &GitGenerator) -> &str {
    git.revision
        .as_deref()
        .filter(|r| !r.is_empty())
        .unwrap_or("HEAD")
}

/// A generator at any depth, borrowed.
enum Node<'a> {
    Top(&'a ApplicationSetGenerator),
    Nested(&'a ApplicationSetNestedGenerator),
}

/// Every git generator of `generators` (nested ones too), to resolve before generating.
pub fn git_sources(generators: &[ApplicationSetGenerator]) -> Vec<GitGenerator> {
    fn from_nested(children: &[ApplicationSetNestedGenerator], out: &mut Vec<GitGenerator>) {
        for child in children {
            out.extend(child.git.clone());
            if let Ok(Some(m)) = child.nested_matrix() {
                from_nested(&m.generators, out);
            }
            if let Ok(Some(m)) = child.nested_merge() {
                from_nested(&m.generators, out);
            }
        }
    }
    let mut out = Vec::new();
    for generator in generators {
        out.extend(generator.git.clone());
        if let Some(m) = &generator.matrix {
            from_nested(&m.generators, &mut out);
        }
        if let Some(m) = &generator.merge {
            from_nested(&m.generators, &mut out);
        }
    }
    out
}

/// All parameter sets of `generators`, in order (one list per generator, concatenated).
pub fn generate_all(
    generators: &[ApplicationSetGenerator],
    trees: &Trees,
    go_template: bool,
) -> Result<Vec<Params>, GenError> {
    let mut all = Vec::new();
    for (i, generator) in generators.iter().enumerate() {
        all.extend(generate(
            Node::Top(generator),
            &format!("generators[{i}]"),
            trees,
            go_template,
        )?);
    }
    Ok(all)
}

/// The parameter sets of one child of a matrix/merge.
pub(crate) fn generate_nested(
    generator: &ApplicationSetNestedGenerator,
    at: &str,
    trees: &Trees,
    go_template: bool,
) -> Result<Vec<Params>, GenError> {
    generate(Node::Nested(generator), at, trees, go_template)
}

fn generate(node: Node<'_>, at: &str, trees: &Trees, go_template: bool) -> Result<Vec<Params>, GenError> {
    let nested_error = |e: serde_json::Error| GenError::Nested {
        at: at.to_owned(),
        message: e.to_string(),
    };
    let (list, git, matrix, merge) = match node {
        Node::Top(g) => (g.list.as_ref(), g.git.as_ref(), g.matrix.clone(), g.merge.clone()),
        Node::Nested(g) => (
            g.list.as_ref(),
            g.git.as_ref(),
            g.nested_matrix().map_err(nested_error)?,
            g.nested_merge().map_err(nested_error)?,
        ),
    };
    let set = [list.is_some(), git.is_some(), matrix.is_some(), merge.is_some()];
    if set.iter().filter(|s| **s).count() != 1 {
        return Err(GenError::Shape { at: at.to_owned() });
    }
    if let Some(list) = list {
        return list::generate(list, at, go_template);
    }
    if let Some(git) = git {
        let tree = trees.get(at, git)?;
        return match (git.directories.is_empty(), git.files.is_empty()) {
            (false, true) => git_dirs::generate(git, tree, at, go_template),
            (true, false) => git_files::generate(git, tree, at, go_template),
            _ => Err(GenError::GitShape { at: at.to_owned() }),
        };
    }
    if let Some(matrix) = matrix {
        return matrix::generate(&matrix, &format!("{at}.matrix"), trees, go_template);
    }
    match merge {
        Some(merge) => merge::generate(&merge, &format!("{at}.merge"), trees, go_template),
        None => Err(GenError::Shape { at: at.to_owned() }),
    }
}

/// Adds `values.<key>` to every set (the git generators' `values`).
pub(crate) fn add_values(
    params: &mut Params,
    values: &std::collections::BTreeMap<String, String>,
    go_template: bool,
) {
    if values.is_empty() {
        return;
    }
    if go_template {
        let map: Params = values
            .iter()
            .map(|(k, v)| (k.clone(), v.clone().into()))
            .collect();
        params.insert("values".into(), serde_json::Value::Object(map));
    } else {
        for (k, v) in values {
            params.insert(format!("values.{k}"), v.clone().into());
        }
    }
}

#[cfg(test)]
pub(crate) mod testing {
    //! An in-memory tree for generator tests.
    use std::collections::BTreeMap;
    use std::io;
    use std::path::{Path, PathBuf};

    use driftless_kustomize::fs::{EntryKind, FileSystem};

    /// Files by absolute path; directories are implied.
    pub struct MemTree(pub BTreeMap<String, Vec<u8>>);

    impl MemTree {
        pub fn new(files: &[(&str, &str)]) -> MemTree {
            MemTree(
                files
                    .iter()
                    .map(|(p, t)| (format!("/{p}"), t.as_bytes().to_vec()))
                    .collect(),
            )
        }
    }

    impl FileSystem for MemTree {
        fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
            let key = path.to_string_lossy().to_string();
            self.0
                .get(&key)
                .cloned()
                .ok_or_else(|| io::Error::from(io::ErrorKind::NotFound))
        }
        fn kind(&self, path: &Path) -> Option<EntryKind> {
            let key = path.to_string_lossy().to_string();
            if self.0.contains_key(&key) {
                return Some(EntryKind::File);
            }
            let dir = if key.ends_with('/') {
                key
            } else {
                format!("{key}/")
            };
            self.0
                .keys()
                .any(|k| k.starts_with(&dir))
                .then_some(EntryKind::Dir)
        }
        fn read_dir(&self, path: &Path) -> io::Result<Vec<String>> {
            let key = path.to_string_lossy().to_string();
            let dir = if key.ends_with('/') {
                key
            } else {
                format!("{key}/")
            };
            let mut names: Vec<String> = self
                .0
                .keys()
                .filter_map(|k| k.strip_prefix(&dir))
                .filter_map(|rest| rest.split('/').next())
                .map(str::to_owned)
                .collect();
            names.dedup();
            Ok(names)
        }
        fn canonicalize(&self, path: &Path) -> io::Result<PathBuf> {
            Ok(path.to_path_buf())
        }
    }
}
