//! The `driftless` command: the controller and the tools around it.

use clap::{Parser, Subcommand};

/// Driftless: GitOps reconciliation for one Kubernetes cluster.
#[derive(Parser)]
#[command(name = "driftless", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print the CustomResourceDefinitions (Application, ApplicationSet, AppProject) as YAML.
    Crds,
    /// Print version and build information.
    Version,
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
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
