//! Credentials from the data of a Kubernetes Secret, with Argo CD's field
//! names, so the controller only has to list the Secrets (pure; no kube).
//!
//! Fields: `url` (required), `username` + `password` (HTTPS; a token goes in
//! `password`, `username` defaults to `git`), `sshPrivateKey` (+ optional
//! `sshPassphrase`, `knownHosts`/`known_hosts`), `insecure: "true"` (skip SSH
//! host-key checking). A Secret with a URL and no credentials means anonymous
//! access.

use std::collections::BTreeMap;

use crate::credentials::{CredentialScope, CredentialSet, Credentials, SshKey};
use crate::error::GitError;

/// Label on Secrets the controller reads; its value selects the scope.
pub const SECRET_TYPE_LABEL: &str = "driftless.dev/secret-type";

/// The scope named by a [`SECRET_TYPE_LABEL`] value: `repository` or `repo-creds`.
pub fn scope_from_label(value: &str) -> Option<CredentialScope> {
    match value {
        "repository" => Some(CredentialScope::Repository),
        "repo-creds" => Some(CredentialScope::RepoCreds),
        _ => None,
    }
}

/// The URL and credentials in a Secret's `data` (already base64-decoded).
pub fn credentials_from_secret(
    data: &BTreeMap<String, Vec<u8>>,
) -> Result<(String, Option<Credentials>), GitError> {
    let text = |field: &str| -> Result<Option<String>, GitError> {
        match data.get(field) {
            None => Ok(None),
            Some(bytes) => {
                String::from_utf8(bytes.clone())
                    .map(Some)
                    .map_err(|_| GitError::InvalidCredentials {
                        field: field.into(),
                        message: "is not UTF-8".into(),
                    })
            }
        }
    };
    let invalid = |field: &str, message: &str| GitError::InvalidCredentials {
        field: field.into(),
        message: message.into(),
    };
    let url = text("url")?
        .filter(|u| !u.trim().is_empty())
        .ok_or_else(|| invalid("url", "is required"))?;
    let password = text("password")?;
    let key = text("sshPrivateKey")?;
    let credentials = match (key, password) {
        (Some(_), Some(_)) => {
            return Err(invalid(
                "sshPrivateKey",
                "set either sshPrivateKey or password, not both",
            ));
        }
        (Some(private_key), None) => Some(Credentials::Ssh(SshKey {
            username: text("username")?,
            private_key,
            passphrase: text("sshPassphrase")?,
            known_hosts: text("knownHosts")?.or(text("known_hosts")?),
            insecure_ignore_host_key: text("insecure")?.is_some_and(|v| v.trim() == "true"),
        })),
        (None, Some(password)) => Some(Credentials::Https {
            username: text("username")?
                .filter(|u| !u.is_empty())
                .unwrap_or_else(|| "git".into()),
            password,
        }),
        (None, None) => None,
    };
    Ok((url, credentials))
}

impl CredentialSet {
    /// Add the credentials of one Secret (anonymous entries are skipped).
    pub fn insert_secret(
        &mut self,
        scope: CredentialScope,
        data: &BTreeMap<String, Vec<u8>>,
    ) -> Result<(), GitError> {
        let (url, credentials) = credentials_from_secret(data)?;
        match credentials {
            Some(credentials) => self.insert(scope, &url, credentials),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::credentials::CredentialStore;

    fn data(fields: &[(&str, &str)]) -> BTreeMap<String, Vec<u8>> {
        fields
            .iter()
            .map(|(k, v)| (k.to_string(), v.as_bytes().to_vec()))
            .collect()
    }

    #[test]
    fn reads_argo_style_fields() {
        let https = data(&[("url", "https://h/acme"), ("password", "tok")]);
        let (url, creds) = credentials_from_secret(&https).unwrap();
        assert_eq!(url, "https://h/acme");
        assert_eq!(
            creds,
            Some(Credentials::Https {
                username: "git".into(),
                password: "tok".into()
            })
        );

        let ssh = data(&[
            ("url", "git@h:acme/r"),
            ("sshPrivateKey", "KEY"),
            ("insecure", "true"),
        ]);
        let Some(Credentials::Ssh(key)) = credentials_from_secret(&ssh).unwrap().1 else {
            panic!()
        };
        assert!(key.insecure_ignore_host_key);
        assert_eq!(key.private_key, "KEY");

        let anonymous = data(&[("url", "https://h/public")]);
        assert_eq!(credentials_from_secret(&anonymous).unwrap().1, None);
    }

    #[test]
    fn rejects_incomplete_secrets_without_echoing_values() {
        let cases = [
            (data(&[("password", "hunter2")]), "url"),
            (data(&[("url", " ")]), "url"),
            (
                data(&[
                    ("url", "https://h/r"),
                    ("password", "hunter2"),
                    ("sshPrivateKey", "k"),
                ]),
                "sshPrivateKey",
            ),
        ];
        for (secret, field) in cases {
            let err = credentials_from_secret(&secret).unwrap_err();
            assert_eq!(err.reason(), "GitCredentialsInvalid");
            assert!(
                err.to_string().contains(field) && !err.to_string().contains("hunter2"),
                "{err}"
            );
        }
    }

    #[test]
    fn scopes_from_labels_feed_the_lookup() {
        let mut set = CredentialSet::new();
        let scope = scope_from_label("repo-creds").unwrap();
        set.insert_secret(scope, &data(&[("url", "https://h/acme"), ("password", "p")]))
            .unwrap();
        assert!(set.lookup("https://h/acme/config").is_some());
        assert_eq!(scope_from_label("cluster"), None);
    }
}
