//! Steps 2–4 of a reconcile: resolve the revision, render the path at that
//! commit (cached), and decorate the result for this Application.

use std::collections::HashMap;
use std::time::Duration;

use driftless_api::Application;
use driftless_api::annotations::RefreshKind;
use driftless_git::{CommitId, FetchOptions, GitError, Resolution};
use driftless_sync::decorate::{AppRef, decorate};
use driftless_sync::discovery::{Discovery, gvk_of};
use kube::api::DynamicObject;

use super::compare::stamp_desired_hash;
use crate::context::Context;
use crate::render::{CacheOutcome, RenderError};

/// The desired state of one Application at one commit.
pub struct Desired {
    /// The commit rendered.
    pub commit: CommitId,
    /// Decorated objects, each stamped with its desired hash, in render order.
    pub objects: Vec<DynamicObject>,
    /// Set when the fetch failed and the cached commit was used instead.
    pub fetch_error: Option<GitError>,
}

/// Why there is no desired state (nothing may be applied or pruned).
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// Git failed and nothing usable is cached.
    #[error(transparent)]
    Git(#[from] GitError),
    /// The repository Secret that applies to the source is unusable.
    #[error(transparent)]
    Credentials(#[from] crate::repo_credentials::CredentialError),
    /// The render failed.
    #[error(transparent)]
    Render(#[from] RenderError),
    /// A rendered object could not be decorated (unknown kind, no name).
    #[error(transparent)]
    Decorate(#[from] driftless_sync::Error),
}

impl SourceError {
    /// Condition/Event reason.
    pub fn reason(&self) -> &'static str {
        match self {
            SourceError::Git(e) => e.reason(),
            SourceError::Credentials(e) => e.reason(),
            SourceError::Render(e) => e.reason(),
            SourceError::Decorate(e) => e.reason(),
        }
    }

    /// Transient errors are retried with backoff; others wait for a change.
    pub fn is_transient(&self) -> bool {
        match self {
            SourceError::Git(e) => e.is_transient(),
            // Retried with backoff, so a fixed Secret counts soon.
            SourceError::Credentials(_) => true,
            SourceError::Render(e) => e.is_transient(),
            // A CR whose CRD is not yet served becomes resolvable soon.
            SourceError::Decorate(driftless_sync::Error::UnknownKind { .. }) => true,
            SourceError::Decorate(_) => false,
        }
    }
}

/// Resolves, renders and decorates `app`'s source. `revision` overrides the
/// spec's target (a manual sync to a given revision).
pub async fn desired_state(
    ctx: &Context,
    app: &Application,
    app_ref: &AppRef,
    revision: &str,
    refresh: Option<RefreshKind>,
) -> Result<Desired, SourceError> {
    let source = &app.spec.source;
    let path = crate::render::app_path(&source.path);
    let options = FetchOptions {
        credentials: ctx.credentials.for_url(&source.repo_url).await?,
        // A refresh wants what was pushed before it was asked for; a poll takes a recent fetch.
        max_age: refresh.is_none().then_some(ctx.config.poll_interval),
        started_after: refresh.is_some().then(std::time::Instant::now),
        ..FetchOptions::default()
    };
    let started = std::time::Instant::now();
    let resolution = ctx
        .repos
        .resolve_with_fallback(&source.repo_url, revision, &options)
        .await;
    record_fetch(ctx, &source.repo_url, started.elapsed(), &resolution);
    let resolution = resolution?;
    if refresh == Some(RefreshKind::Hard) {
        ctx.renders.forget(&source.repo_url, path);
    }
    let previous = app
        .status
        .as_ref()
        .and_then(|s| s.sync.revision.as_deref())
        .and_then(CommitId::parse);
    let render_started = std::time::Instant::now();
    let (rendered, outcome) = ctx
        .renders
        .get_or_render(&ctx.repos, &source.repo_url, path, resolution.commit, previous)
        .await?;
    let repo = driftless_git::url::redact_url(&source.repo_url);
    let repo_label = [repo.as_str()];
    match outcome {
        CacheOutcome::Miss => {
            ctx.metrics
                .render_cache_misses_total
                .with_label_values(&repo_label)
                .inc();
            ctx.metrics
                .render_duration_seconds
                .with_label_values(&repo_label)
                .observe(render_started.elapsed().as_secs_f64());
        }
        CacheOutcome::Hit | CacheOutcome::Carried => {
            ctx.metrics
                .render_cache_hits_total
                .with_label_values(&repo_label)
                .inc();
        }
    }
    let objects = decorated(&ctx.discovery, app, app_ref, rendered.objects.clone()).await?;
    Ok(Desired {
        commit: resolution.commit,
        objects,
        fetch_error: resolution.fetch_error,
    })
}

fn record_fetch(ctx: &Context, repo: &str, elapsed: Duration, result: &Result<Resolution, GitError>) {
    let outcome = match result {
        Ok(Resolution {
            fetch_error: Some(e), ..
        })
        | Err(e) => e.reason(),
        Ok(_) => "ok",
    };
    let repo = driftless_git::url::redact_url(repo);
    ctx.metrics
        .git_fetch_total
        .with_label_values(&[&repo, outcome])
        .inc();
    ctx.metrics
        .git_fetch_duration_seconds
        .with_label_values(&[&repo])
        .observe(elapsed.as_secs_f64());
}

/// Rendered `objects` made into `app`'s desired state: decorated for the app (namespace,
/// tracking id, instance label) and stamped with their desired hashes.
pub async fn decorated(
    discovery: &Discovery,
    app: &Application,
    app_ref: &AppRef,
    mut objects: Vec<DynamicObject>,
) -> Result<Vec<DynamicObject>, SourceError> {
    let scopes = resolve_scopes(discovery, &objects).await;
    let lookup = |group: &str, kind: &str| scopes.get(&(group.to_owned(), kind.to_owned())).copied();
    decorate(
        &mut objects,
        app_ref,
        app.spec.destination.namespace.as_deref(),
        &lookup,
    )?;
    for object in &mut objects {
        stamp_desired_hash(object);
    }
    Ok(objects)
}

/// `(group, kind) → namespaced` for every kind the API server serves among `objects`.
async fn resolve_scopes(discovery: &Discovery, objects: &[DynamicObject]) -> HashMap<(String, String), bool> {
    let mut scopes = HashMap::new();
    for object in objects {
        let Some(gvk) = gvk_of(object) else { continue };
        let key = (gvk.group.clone(), gvk.kind.clone());
        if scopes.contains_key(&key) {
            continue;
        }
        if let Ok(info) = discovery.resolve(&gvk).await {
            scopes.insert(key, info.namespaced);
        }
    }
    scopes
}
