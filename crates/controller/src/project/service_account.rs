//! Which ServiceAccount an Application's sync acts as (`destinationServiceAccounts`, pure).
//!
//! Argo CD's rules: the first entry whose `server` and `namespace` globs match the
//! destination wins; `defaultServiceAccount` is `name` (in the destination namespace) or
//! `namespace:name`. A project without entries syncs as the controller itself; a project
//! with entries but none matching refuses the sync rather than fall back to more power.

use driftless_api::AppProjectSpec;
use driftless_api::application::{ApplicationDestination, IN_CLUSTER_SERVER};

use super::policy::glob_match;

/// A ServiceAccount to impersonate.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ServiceAccountRef {
    /// Its namespace.
    pub namespace: String,
    /// Its name.
    pub name: String,
}

impl ServiceAccountRef {
    /// The user name the API server knows it by.
    pub fn user_name(&self) -> String {
        format!("system:serviceaccount:{}:{}", self.namespace, self.name)
    }
}

/// The project lists service accounts, but none fits the destination (or one is malformed).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ServiceAccountError {
    /// No entry matches.
    #[error(
        "project {project} sets destinationServiceAccounts, but no entry matches destination \
         {server}/{namespace}; add one, or the sync would run with the controller's own rights"
    )]
    NoMatch {
        /// The project.
        project: String,
        /// The destination server.
        server: String,
        /// The destination namespace.
        namespace: String,
    },
    /// `defaultServiceAccount` is empty, has a glob, or its namespace cannot be told.
    #[error(
        "project {project}: destinationServiceAccounts[{index}].defaultServiceAccount {value:?} {problem}"
    )]
    Invalid {
        /// The project.
        project: String,
        /// The entry's index.
        index: usize,
        /// The value given.
        value: String,
        /// What is wrong with it.
        problem: &'static str,
    },
}

impl ServiceAccountError {
    /// Condition/Event reason.
    pub fn reason(&self) -> &'static str {
        match self {
            ServiceAccountError::NoMatch { .. } => "NoServiceAccountForDestination",
            ServiceAccountError::Invalid { .. } => "InvalidServiceAccount",
        }
    }
}

/// The ServiceAccount `project` makes syncs to `destination` act as; `None` when the project
/// lists none (the controller's own identity applies).
pub fn service_account_for(
    project: &str,
    spec: &AppProjectSpec,
    destination: &ApplicationDestination,
) -> Result<Option<ServiceAccountRef>, ServiceAccountError> {
    if spec.destination_service_accounts.is_empty() {
        return Ok(None);
    }
    let server = destination.server.as_deref().unwrap_or(IN_CLUSTER_SERVER);
    let namespace = destination.namespace.as_deref().unwrap_or_default();
    let found = spec
        .destination_service_accounts
        .iter()
        .enumerate()
        .find(|(_, entry)| {
            let server_pattern = if entry.server.is_empty() {
                "*"
            } else {
                &entry.server
            };
            glob_match(server_pattern, server)
                && glob_match(entry.namespace.as_deref().unwrap_or("*"), namespace)
        });
    let Some((index, entry)) = found else {
        return Err(ServiceAccountError::NoMatch {
            project: project.to_owned(),
            server: server.to_owned(),
            namespace: namespace.to_owned(),
        });
    };
    let invalid = |problem| ServiceAccountError::Invalid {
        project: project.to_owned(),
        index,
        value: entry.default_service_account.clone(),
        problem,
    };
    let value = entry.default_service_account.trim();
    let (sa_namespace, name) = match value.split_once(':') {
        Some((ns, name)) => (ns, name),
        None => (namespace, value),
    };
    if name.is_empty() || (sa_namespace.is_empty() && value.contains(':')) {
        return Err(invalid("needs a name, or namespace:name"));
    }
    if sa_namespace.is_empty() {
        return Err(invalid(
            "has no namespace and the destination sets none; write namespace:name",
        ));
    }
    if value.contains(['*', '?', '[']) {
        return Err(invalid("must not be a glob"));
    }
    Ok(Some(ServiceAccountRef {
        namespace: sa_namespace.to_owned(),
        name: name.to_owned(),
    }))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use driftless_api::project::DestinationServiceAccount;

    use super::*;

    fn entry(server: &str, namespace: Option<&str>, account: &str) -> DestinationServiceAccount {
        DestinationServiceAccount {
            server: server.into(),
            namespace: namespace.map(Into::into),
            default_service_account: account.into(),
        }
    }

    fn project(entries: Vec<DestinationServiceAccount>) -> AppProjectSpec {
        AppProjectSpec {
            destination_service_accounts: entries,
            ..AppProjectSpec::default()
        }
    }

    fn to(namespace: &str) -> ApplicationDestination {
        ApplicationDestination {
            server: Some(IN_CLUSTER_SERVER.into()),
            namespace: Some(namespace.into()),
            ..ApplicationDestination::default()
        }
    }

    fn sa(namespace: &str, name: &str) -> Option<ServiceAccountRef> {
        Some(ServiceAccountRef {
            namespace: namespace.into(),
            name: name.into(),
        })
    }

    #[test]
    fn no_entries_means_the_controller_acts_itself() {
        assert_eq!(service_account_for("p", &project(vec![]), &to("web")), Ok(None));
    }

    #[test]
    fn the_first_matching_entry_wins_and_a_bare_name_lives_in_the_destination() {
        let spec = project(vec![
            entry("*", Some("prod-*"), "platform:prod-deployer"),
            entry(IN_CLUSTER_SERVER, Some("*"), "deployer"),
        ]);
        assert_eq!(
            service_account_for("p", &spec, &to("prod-web")),
            Ok(sa("platform", "prod-deployer"))
        );
        assert_eq!(
            service_account_for("p", &spec, &to("web")),
            Ok(sa("web", "deployer"))
        );
        let user = sa("web", "deployer").unwrap().user_name();
        assert_eq!(user, "system:serviceaccount:web:deployer");
    }

    #[test]
    fn an_unmatched_destination_is_refused_not_run_as_the_controller() {
        let spec = project(vec![entry("", Some("team-*"), "deployer")]);
        let error = service_account_for("p", &spec, &to("web")).unwrap_err();
        assert_eq!(error.reason(), "NoServiceAccountForDestination");
        assert!(error.to_string().contains("/web"), "{error}");
    }

    #[test]
    fn malformed_accounts_are_named() {
        for account in ["", "ns:", ":name", "team-*"] {
            let spec = project(vec![entry("*", None, account)]);
            let error = service_account_for("p", &spec, &to("web")).unwrap_err();
            assert_eq!(error.reason(), "InvalidServiceAccount", "{account:?}");
            assert!(
                error.to_string().contains("destinationServiceAccounts[0]"),
                "{error}"
            );
        }
        let spec = project(vec![entry("*", None, "deployer")]);
        let no_namespace = ApplicationDestination::default();
        assert!(service_account_for("p", &spec, &no_namespace).is_err());
    }
}
