//! Push webhooks (GitHub, Gitea/Forgejo, GitLab) on their own port.
//!
//! A push is verified (HMAC-SHA256 signature, or GitLab's token) when a
//! secret is configured, then mapped to the Applications that use that
//! repository and branch. Of those, only the ones whose last render read a
//! file the push changed get a `driftless.dev/refresh` annotation (an app
//! never rendered yet is always refreshed), so a push costs untouched apps
//! nothing. ApplicationSets whose git generators read that repository and
//! branch are refreshed too, so a new `apps/<service>` directory shows up at once.

use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use driftless_api::annotations::REFRESH;
use driftless_api::{Application, ApplicationSet};
use driftless_git::CommitId;
use hmac::{Hmac, Mac};
use kube::ResourceExt;
use kube::api::{Api, ListParams, Patch, PatchParams};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::appset::generators::{git_sources, revision_of};
use crate::context::Context;

/// A verified push: which repository (by every URL the payload names) and branch moved where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Push {
    /// Clone URLs of the repository (HTTPS, SSH, web).
    pub repo_urls: Vec<String>,
    /// Branch pushed (without `refs/heads/`); `None` for tags.
    pub branch: Option<String>,
    /// Commit before the push (all zeros for a new branch).
    pub before: Option<String>,
    /// Commit after the push.
    pub after: Option<String>,
}

/// Why a webhook request was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    /// A secret is configured and the request's signature or token is missing or wrong.
    #[error("webhook signature missing or invalid")]
    Unauthorized,
    /// Not a push event of a known provider.
    #[error("not a push event ({0})")]
    NotAPush(String),
    /// The body is not the JSON the provider sends.
    #[error("malformed payload: {0}")]
    Malformed(String),
}

impl WebhookError {
    /// Metric/log reason.
    pub fn reason(&self) -> &'static str {
        match self {
            WebhookError::Unauthorized => "WebhookUnauthorized",
            WebhookError::NotAPush(_) => "WebhookIgnored",
            WebhookError::Malformed(_) => "WebhookMalformed",
        }
    }
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn hmac_matches(secret: &str, body: &[u8], hex_signature: &str) -> bool {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return false;
    };
    mac.update(body);
    let Some(expected) = decode_hex(hex_signature) else {
        return false;
    };
    mac.verify_slice(&expected).is_ok()
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Constant-time equality for tokens.
fn same_token(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Checks the request against `secret` (when set) and reads the push it describes.
pub fn parse_push(headers: &HeaderMap, body: &[u8], secret: Option<&str>) -> Result<Push, WebhookError> {
    let gitlab = header(headers, "x-gitlab-event");
    let gitea = header(headers, "x-gitea-event").or_else(|| header(headers, "x-forgejo-event"));
    let github = header(headers, "x-github-event");
    if let Some(secret) = secret.filter(|s| !s.is_empty()) {
        let verified = if gitlab.is_some() {
            header(headers, "x-gitlab-token").is_some_and(|token| same_token(token, secret))
        } else if let Some(signature) = header(headers, "x-hub-signature-256") {
            signature
                .strip_prefix("sha256=")
                .is_some_and(|hex| hmac_matches(secret, body, hex))
        } else if let Some(signature) =
            header(headers, "x-gitea-signature").or_else(|| header(headers, "x-forgejo-signature"))
        {
            hmac_matches(secret, body, signature)
        } else {
            false
        };
        if !verified {
            return Err(WebhookError::Unauthorized);
        }
    }
    let event = gitlab.or(gitea).or(github).unwrap_or("none");
    if !matches!(event, "push" | "Push Hook") {
        return Err(WebhookError::NotAPush(event.to_owned()));
    }
    let payload: Value = serde_json::from_slice(body).map_err(|e| WebhookError::Malformed(e.to_string()))?;
    let text = |pointer: &str| {
        payload
            .pointer(pointer)
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let pointers: &[&str] = if gitlab.is_some() {
        &[
            "/project/git_http_url",
            "/project/git_ssh_url",
            "/project/web_url",
        ]
    } else {
        &[
            "/repository/clone_url",
            "/repository/ssh_url",
            "/repository/html_url",
            "/repository/url",
        ]
    };
    let repo_urls: Vec<String> = pointers.iter().filter_map(|p| text(p)).collect();
    if repo_urls.is_empty() {
        return Err(WebhookError::Malformed("no repository URL in the payload".into()));
    }
    let branch = text("/ref").and_then(|r| r.strip_prefix("refs/heads/").map(str::to_owned));
    Ok(Push {
        repo_urls,
        branch,
        before: text("/before"),
        after: text("/after"),
    })
}

/// The comparable form of a repository URL (scheme, credentials, `.git` and case of the host ignored).
fn repo_key(url: &str) -> String {
    match driftless_git::url::RepoUrl::parse(url) {
        Ok(parsed) => parsed.normalized(),
        Err(_) => url.trim_end_matches('/').trim_end_matches(".git").to_lowercase(),
    }
}

/// True when the Application follows `push`'s repository and branch.
pub fn follows(app: &Application, push: &Push, remote_head: Option<&str>) -> bool {
    let source = &app.spec.source;
    source_follows(&source.repo_url, &source.target_revision, push, remote_head)
}

/// True when a git generator of the ApplicationSet reads `push`'s repository and branch.
pub fn set_follows(set: &ApplicationSet, push: &Push) -> bool {
    git_sources(&set.spec.generators)
        .iter()
        .any(|git| source_follows(&git.repo_url, revision_of(git), push, None))
}

/// True when `repo_url` at `revision` is what `push` moved (`HEAD` follows the remote's
/// default branch, taken to be the pushed one when unknown).
fn source_follows(repo_url: &str, revision: &str, push: &Push, remote_head: Option<&str>) -> bool {
    let repo = repo_key(repo_url);
    if !push.repo_urls.iter().any(|url| repo_key(url) == repo) {
        return false;
    }
    let Some(branch) = push.branch.as_deref() else {
        return false;
    };
    let target = revision.trim_start_matches("refs/heads/");
    target == branch
        || (target == "HEAD" || target.is_empty()) && remote_head.is_none_or(|head| head == branch)
}

/// The router for the webhook port.
pub fn router(ctx: Arc<Context>, secret: Option<String>) -> Router {
    Router::new()
        .route("/webhook", post(receive))
        .route("/api/webhook", post(receive))
        .with_state((ctx, secret))
}

async fn receive(
    State((ctx, secret)): State<(Arc<Context>, Option<String>)>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, String) {
    let received = Instant::now();
    let push = match parse_push(&headers, &body, secret.as_deref()) {
        Ok(push) => push,
        Err(error @ WebhookError::Unauthorized) => return (StatusCode::UNAUTHORIZED, error.to_string()),
        Err(error @ WebhookError::NotAPush(_)) => return (StatusCode::OK, error.to_string()),
        Err(error) => return (StatusCode::BAD_REQUEST, error.to_string()),
    };
    match refresh_affected(&ctx, &push, received).await {
        Ok(refreshed) => (StatusCode::OK, format!("refreshed {}", refreshed.join(","))),
        Err(error) => {
            tracing::warn!(%error, "webhook handling failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "could not refresh applications".into(),
            )
        }
    }
}

/// Annotates the Applications and ApplicationSets the push affects; returns their
/// `namespace/name`s (sets as `applicationset/namespace/name`).
async fn refresh_affected(ctx: &Context, push: &Push, received: Instant) -> Result<Vec<String>, kube::Error> {
    let patch = json!({"metadata": {"annotations": {REFRESH: "normal"}}});
    let mut refreshed = Vec::new();
    for namespace in &ctx.config.namespaces {
        let api: Api<Application> = Api::namespaced(ctx.client.clone(), namespace);
        for app in api.list(&ListParams::default()).await?.items {
            if !follows(&app, push, None) || !touched(ctx, &app, push, received).await {
                continue;
            }
            api.patch(&app.name_any(), &PatchParams::default(), &Patch::Merge(&patch))
                .await?;
            refreshed.push(format!("{namespace}/{}", app.name_any()));
        }
        // A set's generators may find new or removed directories anywhere in the repository.
        let sets: Api<ApplicationSet> = Api::namespaced(ctx.client.clone(), namespace);
        for set in sets.list(&ListParams::default()).await?.items {
            if set_follows(&set, push) {
                sets.patch(&set.name_any(), &PatchParams::default(), &Patch::Merge(&patch))
                    .await?;
                refreshed.push(format!("applicationset/{namespace}/{}", set.name_any()));
            }
        }
    }
    tracing::info!(refreshed = ?refreshed, branch = ?push.branch, "push received");
    Ok(refreshed)
}

/// Whether the push (`received` at that instant) changed a file the app's last render read
/// (true when unknown).
async fn touched(ctx: &Context, app: &Application, push: &Push, received: Instant) -> bool {
    let source = &app.spec.source;
    let current = app
        .status
        .as_ref()
        .and_then(|s| s.sync.revision.as_deref())
        .and_then(CommitId::parse);
    let (Some(current), Some(after)) = (current, push.after.as_deref().and_then(CommitId::parse)) else {
        return true;
    };
    let Some(files) = ctx.renders.files_read(&source.repo_url, &source.path, current) else {
        return true;
    };
    let Ok(credentials) = ctx.credentials.for_url(&source.repo_url).await else {
        return true;
    };
    let fetch = driftless_git::FetchOptions {
        credentials,
        started_after: Some(received),
        ..driftless_git::FetchOptions::default()
    };
    if ctx.repos.fetch(&source.repo_url, &fetch).await.is_err() {
        return true;
    }
    match ctx.repos.changed_paths(&source.repo_url, current, after).await {
        Ok(changes) => changes.touches_any(&files),
        Err(_) => true,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn sign(secret: &str, body: &[u8]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(body);
        mac.finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, v.parse().unwrap());
        }
        map
    }

    const GITHUB: &str = r#"{"ref":"refs/heads/main","before":"aaa","after":"bbb",
        "repository":{"clone_url":"https://github.com/acme/config.git","ssh_url":"git@github.com:acme/config.git"}}"#;

    #[test]
    fn github_pushes_need_a_valid_signature_when_a_secret_is_set() {
        let body = GITHUB.as_bytes();
        let good = format!("sha256={}", sign("s3cret", body));
        let signed = headers(&[("x-github-event", "push"), ("x-hub-signature-256", &good)]);
        let push = parse_push(&signed, body, Some("s3cret")).unwrap();
        assert_eq!(push.branch.as_deref(), Some("main"));
        assert_eq!(push.after.as_deref(), Some("bbb"));
        let forged = headers(&[("x-github-event", "push"), ("x-hub-signature-256", "sha256=00")]);
        assert_eq!(
            parse_push(&forged, body, Some("s3cret")),
            Err(WebhookError::Unauthorized)
        );
        let unsigned = headers(&[("x-github-event", "push")]);
        assert_eq!(
            parse_push(&unsigned, body, Some("s3cret")),
            Err(WebhookError::Unauthorized)
        );
        assert!(
            parse_push(&unsigned, body, None).is_ok(),
            "no secret configured: accepted"
        );
    }

    #[test]
    fn gitlab_uses_its_token_and_gitea_its_signature() {
        let gitlab = r#"{"ref":"refs/heads/main","before":"a","after":"b",
            "project":{"git_http_url":"https://gitlab.com/acme/config.git"}}"#;
        let ok = headers(&[("x-gitlab-event", "Push Hook"), ("x-gitlab-token", "tok")]);
        assert!(parse_push(&ok, gitlab.as_bytes(), Some("tok")).is_ok());
        let bad = headers(&[("x-gitlab-event", "Push Hook"), ("x-gitlab-token", "nope")]);
        assert_eq!(
            parse_push(&bad, gitlab.as_bytes(), Some("tok")),
            Err(WebhookError::Unauthorized)
        );
        let signature = sign("k", GITHUB.as_bytes());
        let gitea = headers(&[("x-gitea-event", "push"), ("x-gitea-signature", &signature)]);
        assert!(parse_push(&gitea, GITHUB.as_bytes(), Some("k")).is_ok());
    }

    #[test]
    fn other_events_are_ignored() {
        let ping = headers(&[("x-github-event", "ping")]);
        assert!(matches!(
            parse_push(&ping, b"{}", None),
            Err(WebhookError::NotAPush(_))
        ));
    }

    #[test]
    fn apps_follow_their_repository_and_branch() {
        let push = parse_push(&headers(&[("x-github-event", "push")]), GITHUB.as_bytes(), None).unwrap();
        let app = |repo: &str, revision: &str| -> Application {
            serde_json::from_value(json!({
                "metadata": {"name": "a"},
                "spec": {"source": {"repoURL": repo, "targetRevision": revision, "path": "x"},
                         "destination": {"name": "in-cluster"}}
            }))
            .unwrap()
        };
        assert!(follows(
            &app("https://github.com/acme/config", "main"),
            &push,
            None
        ));
        assert!(follows(
            &app("https://github.com/acme/config.git", "HEAD"),
            &push,
            Some("main")
        ));
        assert!(!follows(
            &app("https://github.com/acme/config", "release"),
            &push,
            None
        ));
        assert!(!follows(
            &app("https://github.com/acme/other", "main"),
            &push,
            None
        ));
    }

    #[test]
    fn sets_follow_through_their_git_generators_nested_ones_too() {
        let push = parse_push(&headers(&[("x-github-event", "push")]), GITHUB.as_bytes(), None).unwrap();
        let set = |generators: Value| -> ApplicationSet {
            serde_json::from_value(json!({
                "metadata": {"name": "s"},
                "spec": {"generators": generators,
                         "template": {"metadata": {"name": "x"},
                                      "spec": {"source": {"repoURL": "r", "path": "p"},
                                               "destination": {"name": "in-cluster"}}}}
            }))
            .unwrap()
        };
        let git = |repo: &str, revision: &str| json!({"git": {"repoURL": repo, "revision": revision, "directories": [{"path": "apps/*"}]}});
        assert!(set_follows(
            &set(json!([git("https://github.com/acme/config", "main")])),
            &push
        ));
        let nested = json!([{"matrix": {"generators": [
            {"list": {"elements": [{"env": "prod"}]}},
            git("git@github.com:acme/config.git", "HEAD"),
        ]}}]);
        assert!(set_follows(&set(nested), &push));
        assert!(!set_follows(
            &set(json!([git("https://github.com/acme/config", "release")])),
            &push
        ));
        assert!(!set_follows(
            &set(json!([{"list": {"elements": [{"a": "b"}]}}])),
            &push
        ));
    }
}
