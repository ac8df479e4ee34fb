//! `driftless build DIR`: renders a kustomization like `kustomize build`
//! and prints the YAML.

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use driftless_kustomize::fs::DiskFs;
use driftless_kustomize::{BuildOptions, LoadRestrictions, Reorder};

/// `--load-restrictor` values (kustomize's spelling).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LoadRestrictor {
    /// Files must be inside the kustomization's directory.
    #[value(name = "LoadRestrictionsRootOnly")]
    RootOnly,
    /// Files may be anywhere.
    #[value(name = "LoadRestrictionsNone")]
    None,
}

/// `--reorder` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReorderFlag {
    /// kustomize's legacy kind order.
    Legacy,
    /// Input order (unless the kustomization sets `sortOptions`).
    None,
}

/// Arguments of `driftless build`.
#[derive(Debug, Clone, Args)]
pub struct BuildArgs {
    /// Directory holding the kustomization.
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Where files may be read from.
    #[arg(
        long = "load-restrictor",
        value_enum,
        default_value = "LoadRestrictionsRootOnly"
    )]
    pub load_restrictor: LoadRestrictor,
    /// Output order.
    #[arg(long, value_enum, default_value = "legacy")]
    pub reorder: ReorderFlag,
    /// Render straight from this git repository (URL) instead of the local disk; DIR is then
    /// the path inside the repository.
    #[arg(long)]
    pub repo: Option<String>,
    /// Branch, tag or commit to render with `--repo`.
    #[arg(long, default_value = "HEAD", requires = "repo")]
    pub revision: String,
    /// Add the `app.kubernetes.io/managed-by` label.
    #[arg(long = "enable-managedby-label")]
    pub managed_by_label: bool,
}

impl BuildArgs {
    /// The renderer options these flags select.
    pub fn options(&self) -> BuildOptions {
        BuildOptions {
            load_restrictions: match self.load_restrictor {
                LoadRestrictor::RootOnly => LoadRestrictions::RootOnly,
                LoadRestrictor::None => LoadRestrictions::None,
            },
            reorder: match self.reorder {
                ReorderFlag::Legacy => Reorder::Legacy,
                ReorderFlag::None => Reorder::None,
            },
            add_managed_by_label: self.managed_by_label,
            max_file_bytes: None,
        }
    }
}

/// Renders and prints. On a render error, prints one line to stderr and
/// exits with status 1 (like `kustomize build`).
pub fn run(args: &BuildArgs) -> anyhow::Result<()> {
    let result = match &args.repo {
        Some(url) => build_from_git(url, &args.revision, &args.dir, &args.options())?,
        None => driftless_kustomize::build(&DiskFs, &args.dir, &args.options()),
    };
    match result {
        Ok(rendered) => {
            let mut out = std::io::stdout().lock();
            out.write_all(rendered.to_yaml().as_bytes())?;
            out.flush()?;
            Ok(())
        }
        Err(e) => {
            eprintln!("Error: {}", e.to_string().replace('\n', " "));
            std::process::exit(1);
        }
    }
}

/// Fetches `url` into the user's repository cache and renders `dir` at `revision`
/// straight from the commit (no checkout).
fn build_from_git(
    url: &str,
    revision: &str,
    dir: &std::path::Path,
    options: &BuildOptions,
) -> anyhow::Result<Result<driftless_kustomize::Rendered, driftless_kustomize::Error>> {
    let runtime = tokio::runtime::Runtime::new()?;
    let snapshot = runtime.block_on(async {
        let repos = driftless_git::RepoCache::new(driftless_git::RepoCacheConfig::new(cache_root()))?;
        let commit = repos
            .fetch_and_resolve(url, revision, &driftless_git::FetchOptions::default())
            .await?;
        repos.snapshot(url, commit).await
    })?;
    let path = std::path::Path::new("/").join(dir.strip_prefix(".").unwrap_or(dir));
    Ok(driftless_kustomize::build(&*snapshot, &path, options))
}

/// The command line's repository cache: `$DRIFTLESS_CACHE_DIR`, else `~/.cache/driftless/repos`.
pub fn cache_root() -> PathBuf {
    std::env::var_os("DRIFTLESS_CACHE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let home = std::env::var_os("HOME")
                .map(PathBuf::from)
                .unwrap_or_else(std::env::temp_dir);
            home.join(".cache/driftless/repos")
        })
}
