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
    match driftless_kustomize::build(&DiskFs, &args.dir, &args.options()) {
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
