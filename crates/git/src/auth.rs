//! libgit2 callbacks for one fetch: credentials (asked at most once per kind,
//! so a rejected password is not retried in a storm), SSH host-key checking,
//! cancellation through progress callbacks, and turning a libgit2 failure
//! into a [`GitError`] with secrets scrubbed.

use std::cell::{Cell, RefCell};
use std::sync::atomic::{AtomicBool, Ordering};

use git2::{CertificateCheckStatus, Cred, CredentialType, RemoteCallbacks};

use crate::credentials::Credentials;
use crate::error::GitError;
use crate::known_hosts::{self, HostKeyVerdict};
use crate::url::{RepoUrl, redact_text};

/// Why an auth-related callback refused to go on; decides the error reason.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Refusal {
    /// The server asked again after we answered: the answer was rejected.
    Rejected,
    /// The server wants credentials and none are configured (or not of the kind it wants).
    Missing(String),
    /// The host key was not accepted.
    HostKey(String),
}

/// State shared by the callbacks of one fetch.
pub(crate) struct FetchSession<'a> {
    url: &'a RepoUrl,
    credentials: Option<&'a Credentials>,
    known_hosts: &'a str,
    cancel: &'a AtomicBool,
    asked: Cell<CredentialType>,
    refusal: RefCell<Option<Refusal>>,
    updated_refs: Cell<usize>,
}

impl<'a> FetchSession<'a> {
    /// A session for `url`; `known_hosts` is the cache-wide list.
    pub(crate) fn new(
        url: &'a RepoUrl,
        credentials: Option<&'a Credentials>,
        known_hosts: &'a str,
        cancel: &'a AtomicBool,
    ) -> FetchSession<'a> {
        FetchSession {
            url,
            credentials,
            known_hosts,
            cancel,
            asked: Cell::new(CredentialType::empty()),
            refusal: RefCell::new(None),
            updated_refs: Cell::new(0),
        }
    }

    /// How many local refs the fetch created, moved or deleted.
    pub(crate) fn updated_refs(&self) -> usize {
        self.updated_refs.get()
    }

    /// The callbacks to hand to `FetchOptions::remote_callbacks`.
    pub(crate) fn callbacks(&'a self) -> RemoteCallbacks<'a> {
        let mut callbacks = RemoteCallbacks::new();
        callbacks.credentials(move |url, username_from_url, allowed| {
            if !self.same_server(url) {
                return Err(self.refuse(Refusal::Missing(format!(
                    "the server redirected the fetch to another host; credentials for {} are only sent to it",
                    self.url.host
                ))));
            }
            self.credential(username_from_url, allowed)
        });
        callbacks.certificate_check(move |cert, _host| match cert.as_hostkey() {
            Some(hostkey) => self.check_host_key(hostkey),
            None => Ok(CertificateCheckStatus::CertificatePassthrough),
        });
        callbacks.transfer_progress(move |_| !self.cancel.load(Ordering::Relaxed));
        callbacks.sideband_progress(move |_| !self.cancel.load(Ordering::Relaxed));
        callbacks.update_tips(move |_, _, _| {
            self.updated_refs.set(self.updated_refs.get() + 1);
            true
        });
        callbacks
    }

    /// Whether libgit2 asks for credentials on behalf of the repository's own host and port
    /// (a redirect may point anywhere; a Secret is for the host it names).
    fn same_server(&self, url: &str) -> bool {
        let port = |url: &RepoUrl| {
            url.port.or(match url.scheme.as_str() {
                "https" => Some(443),
                "http" => Some(80),
                "ssh" => Some(22),
                "git" => Some(9418),
                _ => None,
            })
        };
        RepoUrl::parse(url).is_ok_and(|asked| asked.host == self.url.host && port(&asked) == port(self.url))
    }

    fn refuse(&self, refusal: Refusal) -> git2::Error {
        let message = match &refusal {
            Refusal::Rejected => "credentials rejected".to_string(),
            Refusal::Missing(m) | Refusal::HostKey(m) => m.clone(),
        };
        *self.refusal.borrow_mut() = Some(refusal);
        git2::Error::from_str(&message)
    }

    fn credential(
        &self,
        username_from_url: Option<&str>,
        allowed: CredentialType,
    ) -> Result<Cred, git2::Error> {
        // libgit2 asks again whenever the server rejects an answer; answering
        // the same kind twice would only repeat the failure.
        let kind = if allowed.contains(CredentialType::USERNAME) {
            CredentialType::USERNAME
        } else if allowed.contains(CredentialType::SSH_KEY) {
            CredentialType::SSH_KEY
        } else {
            CredentialType::USER_PASS_PLAINTEXT
        };
        if self.asked.get().contains(kind) {
            return Err(self.refuse(Refusal::Rejected));
        }
        self.asked.set(self.asked.get() | kind);
        let ssh_user = |key_user: Option<&str>| {
            key_user
                .or(username_from_url)
                .or(self.url.user.as_deref())
                .unwrap_or("git")
                .to_string()
        };
        match (self.credentials, kind) {
            (Some(Credentials::Ssh(key)), k) if k == CredentialType::USERNAME => {
                Cred::username(&ssh_user(key.username.as_deref()))
            }
            (None, k) if k == CredentialType::USERNAME => Cred::username(&ssh_user(None)),
            (Some(Credentials::Ssh(key)), k) if k == CredentialType::SSH_KEY => Cred::ssh_key_from_memory(
                &ssh_user(key.username.as_deref()),
                None,
                &key.private_key,
                key.passphrase.as_deref(),
            ),
            (Some(Credentials::Https { username, password }), k)
                if k == CredentialType::USER_PASS_PLAINTEXT && allowed.contains(k) =>
            {
                Cred::userpass_plaintext(username, password)
            }
            (None, k) if k == CredentialType::USER_PASS_PLAINTEXT && allowed.contains(k) => {
                match (&self.url.user, &self.url.password) {
                    (Some(user), Some(password)) => Cred::userpass_plaintext(user, password),
                    _ => Err(self.refuse(Refusal::Missing("the server requires credentials".into()))),
                }
            }
            _ => Err(self.refuse(Refusal::Missing(format!(
                "the server asks for {} credentials, none configured",
                describe(allowed)
            )))),
        }
    }

    fn check_host_key(
        &self,
        hostkey: &git2::cert::CertHostkey<'_>,
    ) -> Result<CertificateCheckStatus, git2::Error> {
        let ssh = match self.credentials {
            Some(Credentials::Ssh(key)) => Some(key),
            _ => None,
        };
        if ssh.is_some_and(|key| key.insecure_ignore_host_key) {
            return Ok(CertificateCheckStatus::CertificateOk);
        }
        let host = self.url.known_hosts_name();
        let (Some(key), Some(key_type)) = (hostkey.hostkey(), hostkey.hostkey_type()) else {
            return Err(self.refuse(Refusal::HostKey("the server sent no raw host key".into())));
        };
        let mut known = self.known_hosts.to_string();
        if let Some(extra) = ssh.and_then(|key| key.known_hosts.as_deref()) {
            known.push('\n');
            known.push_str(extra);
        }
        match known_hosts::verify(&known, &host, key_type.name(), key) {
            HostKeyVerdict::Trusted => Ok(CertificateCheckStatus::CertificateOk),
            verdict => {
                let why = match verdict {
                    HostKeyVerdict::Mismatch => "the key differs from the one in known_hosts",
                    HostKeyVerdict::Revoked => "the key is marked @revoked in known_hosts",
                    _ => "the host is not in known_hosts",
                };
                Err(self.refuse(Refusal::HostKey(format!("{} key: {why}", key_type.name()))))
            }
        }
    }

    /// The error for a failed fetch, with every secret scrubbed.
    pub(crate) fn classify(&self, err: &git2::Error) -> GitError {
        let secrets: Vec<&str> = self.credentials.map(Credentials::secrets).unwrap_or_default();
        let mut url_secrets = secrets.clone();
        url_secrets.extend(self.url.password.as_deref());
        let url = redact_text(&self.url.for_transport(), &url_secrets);
        let message = redact_text(err.message(), &url_secrets);
        match self.refusal.borrow().clone() {
            Some(Refusal::HostKey(message)) => GitError::HostKeyRejected {
                host: self.url.known_hosts_name(),
                message,
            },
            Some(Refusal::Rejected) => GitError::AuthFailed {
                url,
                message: "the server rejected the credentials".into(),
            },
            Some(Refusal::Missing(message)) => GitError::AuthFailed { url, message },
            None if err.code() == git2::ErrorCode::Auth
                || (err.class() == git2::ErrorClass::Ssh && message.to_lowercase().contains("auth")) =>
            {
                GitError::AuthFailed { url, message }
            }
            None => GitError::FetchFailed { url, message },
        }
    }
}

fn describe(allowed: CredentialType) -> &'static str {
    if allowed.contains(CredentialType::SSH_KEY) {
        "SSH key"
    } else if allowed.contains(CredentialType::USER_PASS_PLAINTEXT) {
        "username/password"
    } else {
        "unsupported"
    }
}
