//! Credentials for git fetches: the Secrets in the controller's namespace labelled
//! `driftless.dev/secret-type` — `repository` (one URL) or `repo-creds` (a URL prefix), with
//! Argo CD's field names — kept current by a watch, so a new or rotated Secret counts at the
//! next fetch. Secret values go to git only; errors name the Secret and field, never a value.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use driftless_git::url::RepoUrl;
use driftless_git::{CredentialScope, CredentialSet, Credentials, SECRET_TYPE_LABEL, scope_from_label};
use futures::StreamExt;
use k8s_openapi::api::core::v1::Secret;
use kube::runtime::{WatchStreamExt, reflector, watcher};
use kube::{Api, Client, ResourceExt};

/// How long the first lookup waits for the Secrets to be listed.
const FIRST_LIST_TIMEOUT: Duration = Duration::from_secs(10);

/// A repository Secret that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("repository Secret {secret}: {message}")]
pub struct CredentialError {
    /// `namespace/name` of the Secret.
    pub secret: String,
    /// What is wrong (the field at fault, never its value).
    pub message: String,
}

impl CredentialError {
    /// Condition/Event reason.
    pub fn reason(&self) -> &'static str {
        "GitCredentialsInvalid"
    }
}

/// The watched repository Secrets of one namespace.
#[derive(Clone)]
pub struct RepoCredentials {
    store: reflector::Store<Secret>,
    /// Set once a lookup has waited for the first list: later ones never wait (without RBAC
    /// to list Secrets, say, every fetch would otherwise pay the timeout).
    waited: Arc<AtomicBool>,
}

impl RepoCredentials {
    /// Starts watching the labelled Secrets of `namespace`.
    pub fn watch(client: Client, namespace: &str) -> RepoCredentials {
        let api: Api<Secret> = Api::namespaced(client, namespace);
        let (store, writer) = reflector::store();
        let config = watcher::Config::default().labels(SECRET_TYPE_LABEL);
        let stream = reflector::reflector(writer, watcher::watcher(api, config))
            .default_backoff()
            .touched_objects();
        tokio::spawn(async move {
            futures::pin_mut!(stream);
            while let Some(event) = stream.next().await {
                if let Err(error) = event {
                    tracing::warn!(%error, "watching repository Secrets failed; retrying");
                }
            }
        });
        RepoCredentials {
            store,
            waited: Arc::default(),
        }
    }

    /// The credentials for `url` (`None`: anonymous).
    pub async fn for_url(&self, url: &str) -> Result<Option<Credentials>, CredentialError> {
        if !self.waited.swap(true, Ordering::Relaxed)
            && tokio::time::timeout(FIRST_LIST_TIMEOUT, self.store.wait_until_ready())
                .await
                .is_err()
        {
            tracing::warn!("repository Secrets not listed yet; fetching without credentials");
        }
        choose(&self.store.state(), url)
    }
}

/// The credentials `secrets` give `url`, most specific first: a `repository` Secret for the URL,
/// then the longest `repo-creds` prefix. A malformed Secret that would apply at a level is an
/// error naming it (a broken Secret for this URL is not silently replaced by a prefix's).
pub fn choose(secrets: &[Arc<Secret>], url: &str) -> Result<Option<Credentials>, CredentialError> {
    let Ok(target) = RepoUrl::parse(url) else {
        return Ok(None);
    };
    let mut sorted: Vec<&Arc<Secret>> = secrets.iter().collect();
    sorted.sort_by_key(|s| s.name_any());
    for level in [CredentialScope::Repository, CredentialScope::RepoCreds] {
        let mut usable = CredentialSet::new();
        let mut broken = None;
        for secret in &sorted {
            let name = format!("{}/{}", secret.namespace().unwrap_or_default(), secret.name_any());
            let label = secret
                .labels()
                .get(SECRET_TYPE_LABEL)
                .cloned()
                .unwrap_or_default();
            let Some(scope) = scope_from_label(&label) else {
                tracing::warn!(secret = %name, %label, "unknown {SECRET_TYPE_LABEL} (repository or repo-creds); ignored");
                continue;
            };
            if scope != level {
                continue;
            }
            let data: BTreeMap<String, Vec<u8>> = secret
                .data
                .iter()
                .flatten()
                .map(|(key, value)| (key.clone(), value.0.clone()))
                .collect();
            if let Err(error) = usable.insert_secret(scope, &data) {
                if broken.is_none() && applies(scope, &data, &target) {
                    broken = Some(CredentialError {
                        secret: name,
                        message: error.to_string(),
                    });
                } else {
                    tracing::debug!(secret = %name, %error, "repository Secret ignored");
                }
            }
        }
        if let Some(credentials) = usable.find(&target) {
            return Ok(Some(credentials.clone()));
        }
        if let Some(error) = broken {
            return Err(error);
        }
    }
    Ok(None)
}

/// Whether a Secret of `scope` whose `url` field is in `data` would cover `target`.
fn applies(scope: CredentialScope, data: &BTreeMap<String, Vec<u8>>, target: &RepoUrl) -> bool {
    data.get("url")
        .and_then(|bytes| std::str::from_utf8(bytes).ok())
        .and_then(|url| scope.parse_entry(url).ok())
        .is_some_and(|entry| scope.applies(&entry, target))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use k8s_openapi::ByteString;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

    fn secret(name: &str, scope: &str, fields: &[(&str, &str)]) -> Arc<Secret> {
        let data = fields
            .iter()
            .map(|(k, v)| ((*k).to_owned(), ByteString(v.as_bytes().to_vec())))
            .collect();
        Arc::new(Secret {
            metadata: ObjectMeta {
                name: Some(name.into()),
                namespace: Some("driftless".into()),
                labels: Some([(SECRET_TYPE_LABEL.to_owned(), scope.to_owned())].into()),
                ..ObjectMeta::default()
            },
            data: Some(data),
            ..Secret::default()
        })
    }

    fn password_in(secrets: &[Arc<Secret>], url: &str) -> Option<String> {
        match choose(secrets, url).unwrap() {
            Some(Credentials::Https { password, .. }) => Some(password),
            _ => None,
        }
    }

    #[test]
    fn exact_repository_beats_prefix_and_broken_secrets_are_named_only_where_they_apply() {
        let secrets = vec![
            secret(
                "org",
                "repo-creds",
                &[("url", "https://git.example/acme"), ("password", "org-token")],
            ),
            secret(
                "config",
                "repository",
                &[
                    ("url", "https://git.example/acme/config"),
                    ("password", "repo-token"),
                ],
            ),
            secret(
                "broken",
                "repository",
                &[
                    ("url", "https://git.example/other/app"),
                    ("password", "p"),
                    ("sshPrivateKey", "k"),
                ],
            ),
        ];
        let password = |url: &str| password_in(&secrets, url);
        assert_eq!(
            password("https://git.example/acme/config").as_deref(),
            Some("repo-token")
        );
        assert_eq!(
            password("https://git.example/acme/web.git").as_deref(),
            Some("org-token")
        );
        assert_eq!(password("https://elsewhere.example/x"), None);
        let error = choose(&secrets, "https://git.example/other/app").unwrap_err();
        let mut with_prefix = secrets.clone();
        with_prefix.push(secret(
            "all",
            "repo-creds",
            &[("url", "https://git.example"), ("password", "any")],
        ));
        assert_eq!(
            choose(&with_prefix, "https://git.example/other/app").unwrap_err(),
            error,
            "a broken Secret for the URL is not replaced by a prefix's"
        );
        assert_eq!(
            password_in(&with_prefix, "https://git.example/else").as_deref(),
            Some("any")
        );
        assert_eq!(error.secret, "driftless/broken");
        assert!(error.message.contains("sshPrivateKey"), "{error}");
        assert!(
            !error.to_string().contains(": p") && !error.to_string().contains("k\""),
            "{error}"
        );
    }
}
