//! What we authenticate with, and which credentials apply to a URL.
//!
//! The controller reads Kubernetes Secrets labelled
//! `driftless.dev/secret-type: repository` (one exact repository URL) or
//! `repo-creds` (a URL prefix, a template for many repositories), like Argo
//! CD, and fills a [`CredentialSet`]. Lookup is by exact normalized URL first,
//! then the longest matching prefix.

use std::fmt;

use crate::url::{RepoUrl, prefix_matches};

/// Credentials for one repository. `Debug` never shows a secret.
#[derive(Clone, PartialEq, Eq)]
pub enum Credentials {
    /// HTTP(S) basic authentication; a token goes in `password`.
    Https {
        /// User name (any non-empty name for most token-based hosts).
        username: String,
        /// Password or access token.
        password: String,
    },
    /// SSH public-key authentication.
    Ssh(SshKey),
}

/// An SSH private key and the host-key policy that goes with it.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct SshKey {
    /// User name; when `None`, the one in the URL (or `git`).
    pub username: Option<String>,
    /// The private key (OpenSSH or PEM text).
    pub private_key: String,
    /// Passphrase of the private key, if it has one.
    pub passphrase: Option<String>,
    /// `known_hosts` lines accepted for this repository, in addition to the
    /// cache-wide ones.
    pub known_hosts: Option<String>,
    /// Skip host-key checking. Off by default; meant for tests only.
    pub insecure_ignore_host_key: bool,
}

impl Credentials {
    /// HTTPS with an access token (sent as the basic-auth password).
    pub fn token(token: impl Into<String>) -> Credentials {
        Credentials::Https {
            username: "git".into(),
            password: token.into(),
        }
    }

    /// The secret strings, so messages can be scrubbed of them.
    pub fn secrets(&self) -> Vec<&str> {
        match self {
            Credentials::Https { password, .. } => vec![password.as_str()],
            Credentials::Ssh(key) => {
                let mut secrets = vec![key.private_key.as_str()];
                secrets.extend(key.passphrase.as_deref());
                secrets
            }
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::Https { username, .. } => f
                .debug_struct("Https")
                .field("username", username)
                .field("password", &"***")
                .finish(),
            Credentials::Ssh(key) => f
                .debug_struct("Ssh")
                .field("username", &key.username)
                .field("private_key", &"***")
                .field("known_hosts", &key.known_hosts.is_some())
                .field("insecure_ignore_host_key", &key.insecure_ignore_host_key)
                .finish(),
        }
    }
}

impl fmt::Debug for SshKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&Credentials::Ssh(self.clone()), f)
    }
}

/// Finds the credentials for a repository URL.
pub trait CredentialStore: Send + Sync {
    /// Credentials for `url`, or `None` for anonymous access.
    fn lookup(&self, url: &str) -> Option<Credentials>;
}

/// How a credential entry matches URLs, as the Secret's type label says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialScope {
    /// `repository`: this exact repository (normalized URL).
    Repository,
    /// `repo-creds`: every repository under this URL prefix.
    RepoCreds,
}

/// An in-memory [`CredentialStore`] built from Secrets.
#[derive(Debug, Default, Clone)]
pub struct CredentialSet {
    entries: Vec<(CredentialScope, RepoUrl, Credentials)>,
}

impl CredentialSet {
    /// An empty set.
    pub fn new() -> CredentialSet {
        CredentialSet::default()
    }

    /// Add an entry; an unparsable URL is an error naming the redacted URL.
    pub fn insert(
        &mut self,
        scope: CredentialScope,
        url: &str,
        credentials: Credentials,
    ) -> Result<(), crate::GitError> {
        let url = scope.parse_entry(url)?;
        self.entries.push((scope, url, credentials));
        Ok(())
    }

    /// The entry for `url`: an exact `repository` match first, then the
    /// longest `repo-creds` prefix.
    pub fn find(&self, url: &RepoUrl) -> Option<&Credentials> {
        let exact = self
            .entries
            .iter()
            .find(|(scope, u, _)| *scope == CredentialScope::Repository && scope.applies(u, url));
        if let Some((_, _, creds)) = exact {
            return Some(creds);
        }
        self.entries
            .iter()
            .filter(|(scope, prefix, _)| *scope == CredentialScope::RepoCreds && scope.applies(prefix, url))
            .max_by_key(|(_, prefix, _)| prefix.normalized().len())
            .map(|(_, _, creds)| creds)
    }
}

impl CredentialScope {
    /// Whether an entry of this scope for `entry` (a URL, or a prefix for `repo-creds`) covers `url`.
    pub fn applies(self, entry: &RepoUrl, url: &RepoUrl) -> bool {
        match self {
            CredentialScope::Repository => entry.normalized() == url.normalized(),
            CredentialScope::RepoCreds => prefix_matches(entry, url),
        }
    }

    /// Parses `url` the way entries of this scope are read (`repo-creds`: as a prefix).
    pub fn parse_entry(self, url: &str) -> Result<RepoUrl, crate::GitError> {
        match self {
            CredentialScope::Repository => RepoUrl::parse(url),
            CredentialScope::RepoCreds => RepoUrl::parse_prefix(url),
        }
    }
}

impl CredentialStore for CredentialSet {
    fn lookup(&self, url: &str) -> Option<Credentials> {
        let url = RepoUrl::parse(url).ok()?;
        self.find(&url).cloned()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn user(name: &str) -> Credentials {
        Credentials::Https {
            username: name.into(),
            password: "pw".into(),
        }
    }

    #[test]
    fn exact_beats_prefix_and_longest_prefix_wins() {
        let mut set = CredentialSet::new();
        set.insert(
            CredentialScope::RepoCreds,
            "https://git.example.com/",
            user("host"),
        )
        .unwrap();
        set.insert(
            CredentialScope::RepoCreds,
            "https://git.example.com/acme",
            user("org"),
        )
        .unwrap();
        set.insert(
            CredentialScope::Repository,
            "https://git.example.com/acme/config.git",
            user("repo"),
        )
        .unwrap();
        let cases = [
            ("https://git.example.com/acme/config", Some("repo")),
            ("https://GIT.example.com/acme/config.git/", Some("repo")),
            ("https://git.example.com/acme/other", Some("org")),
            ("https://git.example.com/acme-evil/x", Some("host")),
            ("https://other.example.com/acme/config", None),
            ("ssh://git.example.com/acme/config", None),
        ];
        for (url, want) in cases {
            let got = set.lookup(url).map(|c| match c {
                Credentials::Https { username, .. } => username,
                Credentials::Ssh(_) => "ssh".into(),
            });
            assert_eq!(got.as_deref(), want, "{url}");
        }
    }

    #[test]
    fn repository_scope_is_not_a_prefix() {
        let mut set = CredentialSet::new();
        set.insert(CredentialScope::Repository, "https://h/acme", user("repo"))
            .unwrap();
        assert!(set.lookup("https://h/acme/sub").is_none());
    }

    #[test]
    fn debug_hides_secrets() {
        let https = Credentials::Https {
            username: "u".into(),
            password: "hunter2".into(),
        };
        let ssh = Credentials::Ssh(SshKey {
            private_key: "-----BEGIN KEY-----secretbytes".into(),
            passphrase: Some("hunter3".into()),
            ..SshKey::default()
        });
        for creds in [https, ssh] {
            let shown = format!("{creds:?}");
            assert!(
                !shown.contains("hunter") && !shown.contains("secretbytes"),
                "{shown}"
            );
        }
    }
}
