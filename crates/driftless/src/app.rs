//! `driftless sync APP` and `driftless refresh APP`: ask the controller, through the
//! Application object, to sync or re-check one Application, and (by default) wait for it.

use std::time::Duration;

use anyhow::{Context as _, bail};
use clap::Args;
use driftless_api::Application;
use driftless_api::annotations::REFRESH;
use driftless_api::application::{OperationPhase, OperationState};
use kube::api::{Api, Patch, PatchParams};
use serde_json::json;

/// How often a waiting command reads the Application.
const POLL: Duration = Duration::from_millis(500);

/// Which Application, and how long to wait for the controller.
#[derive(Debug, Clone, Args)]
pub struct Target {
    /// Name of the Application.
    pub name: String,
    /// Namespace of the Application (the controller's namespace).
    #[arg(short, long, env = "DRIFTLESS_NAMESPACE", default_value = "driftless")]
    pub namespace: String,
    /// Return once the request is recorded instead of waiting for the controller.
    #[arg(long)]
    pub no_wait: bool,
    /// How long to wait for the controller (e.g. 90s, 5m).
    #[arg(long, default_value = "5m", value_parser = crate::controller::parse_duration)]
    pub timeout: Duration,
}

/// Arguments of `driftless sync`.
#[derive(Debug, Clone, Args)]
pub struct SyncArgs {
    #[command(flatten)]
    pub target: Target,
    /// Sync this branch, tag or commit instead of `spec.source.targetRevision`.
    #[arg(long)]
    pub revision: Option<String>,
    /// Prune objects no longer in git in this sync, even without `automated.prune`.
    #[arg(long)]
    pub prune: bool,
}

/// Arguments of `driftless refresh`.
#[derive(Debug, Clone, Args)]
pub struct RefreshArgs {
    #[command(flatten)]
    pub target: Target,
    /// Also bypass the render cache.
    #[arg(long)]
    pub hard: bool,
}

/// Sets `operation.sync` on the Application and, unless `--no-wait`, waits for the
/// controller to run it; fails when the sync failed.
pub async fn sync(args: &SyncArgs) -> anyhow::Result<()> {
    let api = applications(&args.target).await?;
    let name = &args.target.name;
    let app = get(&api, &args.target).await?;
    if app.operation.is_some() {
        bail!(
            "Application {}/{name} already has a sync pending",
            args.target.namespace
        );
    }
    let previous = app.status.and_then(|s| s.operation_state);
    api.patch(name, &PatchParams::default(), &Patch::Merge(&sync_request(args)))
        .await
        .with_context(|| {
            format!(
                "requesting a sync of Application {}/{name}",
                args.target.namespace
            )
        })?;
    if args.target.no_wait {
        println!("sync of {name} requested");
        return Ok(());
    }
    let app = wait_for(&api, &args.target, "the sync to finish", |app| {
        app.operation.is_none()
    })
    .await?;
    let state = app
        .status
        .as_ref()
        .and_then(|s| s.operation_state.as_ref())
        .filter(|state| Some(*state) != previous.as_ref())
        .context("the controller cleared the request without recording its result")?;
    println!("{}", describe(name, state));
    match state.phase {
        OperationPhase::Succeeded => Ok(()),
        phase => bail!("sync of {name} ended {phase:?}"),
    }
}

/// Sets the refresh annotation and, unless `--no-wait`, waits until the controller has
/// handled it; prints the resulting sync and health status.
pub async fn refresh(args: &RefreshArgs) -> anyhow::Result<()> {
    let api = applications(&args.target).await?;
    let name = &args.target.name;
    get(&api, &args.target).await?;
    let kind = if args.hard { "hard" } else { "normal" };
    let patch = json!({ "metadata": { "annotations": { REFRESH: kind } } });
    api.patch(name, &PatchParams::default(), &Patch::Merge(&patch))
        .await
        .with_context(|| {
            format!(
                "requesting a refresh of Application {}/{name}",
                args.target.namespace
            )
        })?;
    if args.target.no_wait {
        println!("{kind} refresh of {name} requested");
        return Ok(());
    }
    let refreshed = |app: &Application| {
        !app.metadata
            .annotations
            .as_ref()
            .is_some_and(|a| a.contains_key(REFRESH))
    };
    let app = wait_for(&api, &args.target, "the refresh", refreshed).await?;
    let status = app.status.unwrap_or_default();
    println!(
        "{name}: {:?} {:?} at {}",
        status.sync.status,
        status.health.status,
        status.sync.revision.as_deref().unwrap_or("<no revision>")
    );
    Ok(())
}

/// The merge patch asking for one sync with these flags.
fn sync_request(args: &SyncArgs) -> serde_json::Value {
    let mut sync = json!({});
    if let Some(revision) = &args.revision {
        sync["revision"] = json!(revision);
    }
    if args.prune {
        sync["prune"] = json!(true);
    }
    let mut operation = json!({ "sync": sync });
    if let Ok(user) = std::env::var("USER") {
        operation["initiatedBy"] = json!({ "username": user });
    }
    json!({ "operation": operation })
}

/// One line for the finished operation, then one per object it touched.
fn describe(name: &str, state: &OperationState) -> String {
    let mut text = format!(
        "{name}: sync {:?}: {}",
        state.phase,
        state.message.as_deref().unwrap_or("")
    );
    for resource in state.sync_result.iter().flat_map(|r| &r.resources) {
        let group = if resource.group.is_empty() {
            "core"
        } else {
            &resource.group
        };
        let namespace = resource
            .namespace
            .as_deref()
            .map(|n| format!("{n}/"))
            .unwrap_or_default();
        let message = resource
            .message
            .as_deref()
            .map(|m| format!(" ({m})"))
            .unwrap_or_default();
        text.push_str(&format!(
            "\n  {group}/{} {namespace}{}: {}{message}",
            resource.kind, resource.name, resource.action
        ));
    }
    text
}

/// A client from the kubeconfig (`KUBECONFIG`) or the Pod's ServiceAccount.
pub async fn connect() -> anyhow::Result<kube::Client> {
    kube::Client::try_default()
        .await
        .context("connecting to Kubernetes (KUBECONFIG or in-cluster)")
}

/// The Application `namespace/name`; a missing one is an error naming it.
pub async fn read(api: &Api<Application>, namespace: &str, name: &str) -> anyhow::Result<Application> {
    api.get_opt(name)
        .await
        .with_context(|| format!("reading Application {namespace}/{name}"))?
        .with_context(|| format!("Application {namespace}/{name} not found"))
}

async fn applications(target: &Target) -> anyhow::Result<Api<Application>> {
    Ok(Api::namespaced(connect().await?, &target.namespace))
}

async fn get(api: &Api<Application>, target: &Target) -> anyhow::Result<Application> {
    read(api, &target.namespace, &target.name).await
}

/// Reads the Application until `done` holds; on timeout the error carries its error conditions.
async fn wait_for(
    api: &Api<Application>,
    target: &Target,
    what: &str,
    done: impl Fn(&Application) -> bool,
) -> anyhow::Result<Application> {
    let deadline = tokio::time::Instant::now() + target.timeout;
    loop {
        let app = get(api, target).await?;
        if done(&app) {
            return Ok(app);
        }
        if tokio::time::Instant::now() >= deadline {
            bail!(
                "gave up waiting {:?} for {what} of Application {}/{}{}",
                target.timeout,
                target.namespace,
                target.name,
                problems(&app)
            );
        }
        tokio::time::sleep(POLL).await;
    }
}

/// The Application's error conditions, as `; Type: message` parts.
fn problems(app: &Application) -> String {
    app.status
        .iter()
        .flat_map(|s| &s.conditions)
        .filter(|c| c.type_.ends_with("Error") || c.type_ == "SharedResourceWarning")
        .map(|c| format!("; {}: {}", c.type_, c.message))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        sync: SyncArgs,
    }

    #[test]
    fn the_request_carries_only_the_flags_given() {
        let plain = Cli::parse_from(["sync", "web"]).sync;
        assert_eq!(sync_request(&plain)["operation"]["sync"], json!({}));
        assert_eq!(plain.target.namespace, "driftless");
        let full = Cli::parse_from(["sync", "web", "-n", "apps", "--revision", "v2", "--prune"]).sync;
        assert_eq!(
            sync_request(&full)["operation"]["sync"],
            json!({"revision": "v2", "prune": true})
        );
        assert_eq!(full.target.namespace, "apps");
    }
}
