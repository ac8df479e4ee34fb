//! `driftless diff APP`: what a sync of the Application would change, changing nothing. The
//! app's source is rendered from git (or from a local checkout with `--dir`, to preview a pull
//! request), then compared with the cluster by server-side dry-run, as a reconcile does.
//! Exit status: 0 no differences, 1 differences, 2 error (like `kubectl diff`).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::Args;
use driftless_api::Application;
use driftless_controller::application::preview::{Preview, Removal, preview};
use driftless_controller::render::render_objects;
use driftless_kustomize::ParsedFiles;
use driftless_kustomize::fs::DiskFs;
use driftless_sync::ObjectId;
use driftless_sync::diff::FieldChange;
use driftless_sync::discovery::Discovery;
use driftless_sync::prune::SkipReason;
use std::sync::Arc;

use driftless_controller::repo_credentials::choose;
use driftless_git::{Credentials, SECRET_TYPE_LABEL};
use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, DynamicObject, ListParams};

/// Arguments of `driftless diff`.
#[derive(Debug, Clone, Args)]
pub struct DiffArgs {
    /// Name of the Application.
    pub name: String,
    /// Namespace of the Application (the controller's namespace).
    #[arg(short, long, env = "DRIFTLESS_NAMESPACE", default_value = "driftless")]
    pub namespace: String,
    /// Render this local checkout of the repository (the app's `path` inside it) instead of git.
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// Render this branch, tag or commit instead of `spec.source.targetRevision`.
    #[arg(long, conflicts_with = "dir")]
    pub revision: Option<String>,
}

/// Prints the differences; returns whether there are any.
pub async fn run(args: &DiffArgs) -> anyhow::Result<bool> {
    let client = crate::app::connect().await?;
    let apps: Api<Application> = Api::namespaced(client.clone(), &args.namespace);
    let app = crate::app::read(&apps, &args.namespace, &args.name).await?;
    let source = &app.spec.source;
    let rendered = match &args.dir {
        Some(dir) => render_checkout(dir, &source.path)?,
        None => {
            let revision = args.revision.as_deref().unwrap_or(&source.target_revision);
            let credentials = repo_credentials(&client, &args.namespace, &source.repo_url).await?;
            render_git(&source.repo_url, revision, &source.path, credentials).await?
        }
    };
    let preview = preview(&Discovery::new(client), &app, rendered).await?;
    print!("{}", describe(&preview));
    Ok(!preview.is_empty())
}

fn render_checkout(dir: &Path, path: &str) -> anyhow::Result<Vec<DynamicObject>> {
    let root = dir
        .canonicalize()
        .with_context(|| format!("reading {}", dir.display()))?;
    let app_dir = root.join(driftless_controller::render::app_path(path));
    let app_dir = app_dir
        .canonicalize()
        .with_context(|| format!("spec.source.path {path:?}: reading {}", app_dir.display()))?;
    if !app_dir.starts_with(&root) {
        anyhow::bail!("spec.source.path {path:?} leads outside {}", root.display());
    }
    let (objects, _) = render_objects(&DiskFs, &app_dir.to_string_lossy(), &ParsedFiles::new())?;
    Ok(objects)
}

/// The controller's credentials for `url`, when this user may read its repository Secrets
/// (else the fetch goes without, and a private repository needs `--dir`).
async fn repo_credentials(
    client: &kube::Client,
    namespace: &str,
    url: &str,
) -> anyhow::Result<Option<Credentials>> {
    let secrets: Api<Secret> = Api::namespaced(client.clone(), namespace);
    match secrets
        .list(&ListParams::default().labels(SECRET_TYPE_LABEL))
        .await
    {
        Ok(list) => {
            let secrets: Vec<Arc<Secret>> = list.items.into_iter().map(Arc::new).collect();
            Ok(choose(&secrets, url)?)
        }
        Err(_) => Ok(None),
    }
}

async fn render_git(
    url: &str,
    revision: &str,
    path: &str,
    credentials: Option<Credentials>,
) -> anyhow::Result<Vec<DynamicObject>> {
    let repos =
        driftless_git::RepoCache::new(driftless_git::RepoCacheConfig::new(crate::build::cache_root()))?;
    let commit = repos
        .fetch_and_resolve(
            url,
            revision,
            &driftless_git::FetchOptions {
                credentials,
                ..driftless_git::FetchOptions::default()
            },
        )
        .await?;
    let snapshot = repos.snapshot(url, commit).await?;
    let path = driftless_controller::render::app_path(path);
    let (objects, _) = render_objects(&*snapshot, path, &ParsedFiles::new())?;
    Ok(objects)
}

/// The report: one block per differing object, then the counts.
pub fn describe(preview: &Preview) -> String {
    let mut out = String::new();
    let mut created = 0;
    for item in &preview.changed {
        let secret = item.id.kind == "Secret" && item.id.group.is_empty();
        match &item.live {
            None => {
                created += 1;
                let _ = writeln!(out, "+ {} (not in the cluster)", name(&item.id));
            }
            Some(_) => {
                let _ = writeln!(out, "~ {}", name(&item.id));
                for change in &item.comparison.changes {
                    let _ = writeln!(out, "    {}", field(change, secret));
                }
            }
        }
        if let Some(owner) = &item.owned_by_other {
            let _ = writeln!(out, "    ! {owner}: a sync leaves it alone");
        }
        if let Some(error) = &item.dry_run_error {
            let _ = writeln!(out, "    ! the dry-run was refused: {error}");
        }
    }
    let mut to_remove = 0;
    for (id, removal) in &preview.removed {
        let (mark, what) = match removal {
            Removal::Prune => {
                to_remove += 1;
                ("-", "a sync with prune deletes it".to_owned())
            }
            Removal::Kept(why) => (" ", format!("kept: {}", kept_because(why))),
            Removal::Deleting => (" ", "being deleted already".to_owned()),
        };
        let _ = writeln!(out, "{mark} {} (no longer in git; {what})", name(id));
    }
    let _ = writeln!(
        out,
        "{} unchanged, {} changed, {created} to create, {to_remove} to remove",
        preview.unchanged,
        preview.changed.len() - created,
    );
    out
}

fn name(id: &ObjectId) -> String {
    let api_version = if id.group.is_empty() {
        id.version.clone()
    } else {
        format!("{}/{}", id.group, id.version)
    };
    format!("{api_version} {id}")
}

fn kept_because(why: &SkipReason) -> String {
    match why {
        SkipReason::PruneDisabled => "prune is off".into(),
        SkipReason::PruneFalse => "it says Prune=false".into(),
        SkipReason::OwnedByOther(app) => format!("tracked by Application {app}"),
        SkipReason::NotTracked => "no longer tracked by this Application".into(),
        SkipReason::InvalidSyncOptions(message) => {
            format!("its sync-options annotation is invalid: {message}")
        }
    }
}

/// One changed field; every value of a Secret is hidden (as in status summaries).
fn field(change: &FieldChange, secret: bool) -> String {
    let value = |v: &Option<serde_json::Value>| match v {
        None => "(absent)".to_owned(),
        Some(_) if secret => "(hidden)".to_owned(),
        Some(v) => v.to_string(),
    };
    format!(
        "{}: {} → {}",
        change.path,
        value(&change.live),
        value(&change.desired)
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use driftless_api::application::SyncStatusCode;
    use driftless_controller::application::compare::Compared;
    use driftless_sync::diff::Comparison;
    use serde_json::json;

    fn id(kind: &str, name: &str) -> ObjectId {
        let (group, version) = if kind == "Deployment" {
            ("apps", "v1")
        } else {
            ("", "v1")
        };
        ObjectId {
            group: group.into(),
            version: version.into(),
            kind: kind.into(),
            namespace: "shop".into(),
            name: name.into(),
        }
    }

    fn compared(kind: &str, name: &str, live: bool, changes: Vec<FieldChange>) -> Compared {
        let object: DynamicObject = serde_json::from_value(json!({
            "apiVersion": "v1", "kind": kind, "metadata": {"name": name, "namespace": "shop"}
        }))
        .unwrap();
        Compared {
            id: id(kind, name),
            desired: object.clone(),
            live: live.then_some(object),
            comparison: Comparison {
                status: SyncStatusCode::OutOfSync,
                changes,
                summary: None,
            },
            desired_changed: true,
            owned_by_other: None,
            dry_run_error: None,
        }
    }

    #[test]
    fn the_report_names_each_object_and_field_and_hides_secret_values() {
        let change = |path: &str, live, desired| FieldChange {
            path: path.into(),
            live: Some(live),
            desired: Some(desired),
        };
        let preview = Preview {
            changed: vec![
                compared(
                    "Deployment",
                    "web",
                    true,
                    vec![change("/spec/replicas", json!(3), json!(1))],
                ),
                compared(
                    "Secret",
                    "token",
                    true,
                    vec![change("/data/key", json!("b2xk"), json!("bmV3"))],
                ),
                compared("ConfigMap", "new", false, vec![]),
            ],
            unchanged: 4,
            removed: vec![
                (id("ConfigMap", "old"), Removal::Prune),
                (id("ConfigMap", "kept"), Removal::Kept(SkipReason::PruneFalse)),
            ],
        };
        assert_eq!(
            describe(&preview),
            "~ apps/v1 Deployment shop/web\n    /spec/replicas: 3 → 1\n\
             ~ v1 Secret shop/token\n    /data/key: (hidden) → (hidden)\n\
             + v1 ConfigMap shop/new (not in the cluster)\n\
             - v1 ConfigMap shop/old (no longer in git; a sync with prune deletes it)\n  \
             v1 ConfigMap shop/kept (no longer in git; kept: it says Prune=false)\n\
             4 unchanged, 2 changed, 1 to create, 1 to remove\n"
        );
        let quiet = Preview {
            changed: vec![],
            unchanged: 4,
            removed: vec![],
        };
        assert!(quiet.is_empty());
        assert_eq!(
            describe(&quiet),
            "4 unchanged, 0 changed, 0 to create, 0 to remove\n"
        );
    }
}
