//! The embedded Kustomize renderer: a pure, synchronous drop-in for
//! `kustomize build` (v5.x). It reads through a [`fs::FileSystem`], holds
//! resources in its own YAML node model ([`yaml::Node`]) and prints with a
//! go-yaml-v2-compatible emitter so the bytes match kustomize's.
//!
//! Entry point: [`build`] → [`Rendered`] (the objects plus the files read).
//! It does not fetch, exec or talk to Kubernetes: kustomizations that need
//! helm, plugins or remote resources are refused with [`Error::Unsupported`].

pub mod error;
pub mod fieldspec;
#[cfg(feature = "pipeline")]
pub mod finalize;
#[cfg(feature = "pipeline")]
pub mod fix;
pub mod fs;
#[cfg(feature = "pipeline")]
pub mod generate;
pub mod kustomization;
#[cfg(feature = "pipeline")]
pub mod loader;
pub mod resid;
pub mod resmap;
pub mod resource;
#[cfg(feature = "pipeline")]
pub mod target;
pub mod transform;
pub mod yaml;

/// The YAML and merge functions the pipeline calls (one place to switch them).
#[cfg(feature = "pipeline")]
#[doc(hidden)]
pub mod backend {
    pub use crate::merge::{json6902, strategic_merge};
    pub use crate::yaml::{emit_documents, parse_documents, to_json};
}

pub use error::Error;
#[cfg(feature = "pipeline")]
pub use loader::LoadRestrictions;

#[cfg(feature = "pipeline")]
mod pipeline {
    use crate::finalize::sort::Order;
    use crate::fs::{EntryKind, FileSystem};
    use crate::loader::Loader;
    use crate::target::{Accumulator, Ctx};
    use crate::*;
    use std::collections::BTreeSet;
    use std::path::{Path, PathBuf};

    /// Final ordering when the kustomization has no `sortOptions` (`--reorder`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
    pub enum Reorder {
        /// kustomize's legacy kind order (the CLI default).
        #[default]
        Legacy,
        /// Input order.
        None,
    }

    /// Build options (the `kustomize build` flags that matter here).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
    pub struct BuildOptions {
        /// `--load-restrictor`.
        pub load_restrictions: LoadRestrictions,
        /// `--reorder`.
        pub reorder: Reorder,
        /// `--enable-managedby-label`.
        pub add_managed_by_label: bool,
    }

    /// The result of a build.
    #[derive(Debug, Clone, PartialEq)]
    pub struct Rendered {
        /// The objects, in output order.
        pub resources: Vec<yaml::Node>,
        /// Every file the build read (canonical paths): a change elsewhere cannot change the output.
        pub files_read: BTreeSet<PathBuf>,
    }

    impl Rendered {
        /// The output exactly as `kustomize build` prints it.
        pub fn to_yaml(&self) -> String {
            crate::backend::emit_documents(&self.resources)
        }
    }

    /// Builds the kustomization in `dir`, like `kustomize build dir`.
    pub fn build(fs: &dyn FileSystem, dir: &Path, opts: &BuildOptions) -> Result<Rendered, Error> {
        let root = fs.canonicalize(dir).map_err(|_| Error::Missing {
            path: dir.to_path_buf(),
        })?;
        if fs.kind(&root) != Some(EntryKind::Dir) {
            return Err(Error::Invalid {
                what: "path",
                file: dir.to_path_buf(),
                message: "must build at directory: not a valid directory".into(),
            });
        }
        let loader = Loader::new(fs, opts.load_restrictions);
        let resources = {
            let top = target::load_kustomization(&loader, &root)?;
            let mut ctx = Ctx::new(&loader, top.k.build_metadata.clone());
            let origin = (!top.k.build_metadata.is_empty()).then(String::new);
            let acc = target::accumulate(&mut ctx, &top, Accumulator::default(), &origin)?;
            let order = match opts.reorder {
                Reorder::Legacy => Order::legacy(),
                Reorder::None => Order::Fifo,
            };
            finalize::finalize(acc, &top.k, &order, opts.add_managed_by_label)?
        };
        Ok(Rendered {
            resources: resources.into_iter().map(resource::Resource::into_node).collect(),
            files_read: loader.into_files_read(),
        })
    }
}
#[cfg(feature = "pipeline")]
pub use pipeline::*;
