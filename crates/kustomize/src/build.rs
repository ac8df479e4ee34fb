//! The build entry point: load the top kustomization, accumulate it, then
//! finalize (kustomize's `Kustomizer.Run`).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::finalize::{self, sort::Order};
use crate::fs::{EntryKind, FileSystem};
use crate::loader::{LoadRestrictions, Loader, ParsedFiles};
use crate::resource::Resource;
use crate::target::{self, Accumulator, Ctx};
use crate::yaml::Node;

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
    /// Largest file the build reads; `None` for [`crate::loader::MAX_FILE_BYTES`].
    pub max_file_bytes: Option<u64>,
}

/// The result of a build.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    /// The objects, in output order.
    pub resources: Vec<Node>,
    /// Every file the build read (canonical paths).
    pub files_read: BTreeSet<PathBuf>,
    /// Kustomization file names looked for and not found (`kustomization.yml` beside a
    /// `kustomization.yaml`, say): creating one changes the build. A change to any path
    /// outside `files_read` and `probed_absent` cannot change the output.
    pub probed_absent: BTreeSet<PathBuf>,
}

impl Rendered {
    /// The output exactly as `kustomize build` prints it.
    pub fn to_yaml(&self) -> String {
        crate::backend::emit_documents(&self.resources)
    }
}

/// Builds the kustomization in `dir`, like `kustomize build dir`.
pub fn build(fs: &dyn FileSystem, dir: &Path, opts: &BuildOptions) -> Result<Rendered, Error> {
    build_with_cache(fs, dir, opts, &ParsedFiles::new())
}

/// [`build`], sharing parsed files with other builds over the same snapshot
/// of `fs` (render every overlay of a commit, parse each file once).
pub fn build_with_cache(
    fs: &dyn FileSystem,
    dir: &Path,
    opts: &BuildOptions,
    parsed: &ParsedFiles,
) -> Result<Rendered, Error> {
    let mut loader = Loader::new(fs, opts.load_restrictions, parsed);
    if let Some(limit) = opts.max_file_bytes {
        loader = loader.with_max_file_bytes(limit);
    }
    // An absolute root resolves through the loader's cache (its parents are shared by
    // every overlay of a snapshot); a relative one against the working directory.
    let root = if dir.is_absolute() {
        loader.confirm_dir(dir, ".")?
    } else {
        let root = fs.canonicalize(dir).map_err(|_| Error::Missing {
            path: dir.to_path_buf(),
        })?;
        if fs.kind(&root) != Some(EntryKind::Dir) {
            let message = "must build at directory: not a valid directory".into();
            return Err(Error::Invalid {
                what: "path",
                file: dir.to_path_buf(),
                message,
            });
        }
        root
    };
    let resources = {
        let top = target::load_kustomization(&loader, &root)?;
        let mut ctx = Ctx::new(&loader, top.k.build_metadata.clone());
        ctx.set_schema(&top)?;
        let origin = (!top.k.build_metadata.is_empty()).then(String::new);
        let acc = target::accumulate(&mut ctx, &top, Accumulator::default(), &origin)?;
        let order = match opts.reorder {
            Reorder::Legacy => Order::legacy(),
            Reorder::None => Order::Fifo,
        };
        finalize::finalize(acc, &top.k, &order, opts.add_managed_by_label)?
    };
    let (files_read, probed_absent) = loader.into_paths();
    Ok(Rendered {
        resources: resources.into_iter().map(Resource::into_node).collect(),
        files_read,
        probed_absent,
    })
}
