//! The `driftless` command: the controller and the tools around it.

mod app;
mod build;
mod controller;
mod diff;

use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;

// Rendering and the sync engine allocate many small values; mimalloc makes that about a
// third cheaper than glibc's allocator and far cheaper than musl's (the static release).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Driftless: GitOps reconciliation for one Kubernetes cluster.
#[derive(Parser)]
#[command(name = "driftless", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the controller (reconciles Applications in its namespace).
    Controller(controller::ControllerArgs),
    /// Render a kustomization directory, like `kustomize build`.
    Build(build::BuildArgs),
    /// Show what a sync of one Application would change (exit 1 when it would change something).
    ///
    /// The dry-runs run with your own Kubernetes credentials, not the project's ServiceAccount,
    /// and the project's policy is not checked: a sync may still refuse what this shows.
    Diff(diff::DiffArgs),
    /// Sync one Application now (sets `operation.sync`) and wait for the result.
    Sync(app::SyncArgs),
    /// Make the controller re-check one Application's git source now.
    Refresh(app::RefreshArgs),
    /// Print the CustomResourceDefinitions (Application, ApplicationSet, AppProject) as YAML.
    Crds,
    /// Print version and build information.
    Version,
}

fn init_logging(json: bool) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Controller(args) => {
            init_logging(args.log_json);
            tokio::runtime::Runtime::new()?.block_on(controller::run(&args))
        }
        Command::Build(args) => build::run(&args),
        Command::Diff(args) => match tokio::runtime::Runtime::new()?.block_on(diff::run(&args)) {
            Ok(false) => Ok(()),
            Ok(true) => std::process::exit(1),
            Err(error) => {
                eprintln!("Error: {error:#}");
                std::process::exit(2)
            }
        },
        Command::Sync(args) => tokio::runtime::Runtime::new()?.block_on(app::sync(&args)),
        Command::Refresh(args) => tokio::runtime::Runtime::new()?.block_on(app::refresh(&args)),
        Command::Crds => {
            print!("{}", driftless_api::crds::all_yaml());
            Ok(())
        }
        Command::Version => {
            println!("driftless {}", env!("CARGO_PKG_VERSION"));
            Ok(())
        }
    }
}
