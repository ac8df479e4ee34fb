//! What an AppProject allows: source repositories, destinations and kinds.
//! Pure checks over the project spec and the decorated desired objects, run
//! before anything is applied (Argo CD's rules: an empty cluster whitelist
//! allows no cluster-scoped kind, an empty namespaced whitelist allows all,
//! a blacklist entry always wins, a `!pattern` entry excludes).

use driftless_api::AppProjectSpec;
use driftless_api::application::{ApplicationDestination, IN_CLUSTER_NAME, IN_CLUSTER_SERVER};
use driftless_api::project::{ClusterResourceRestriction, GroupKind};
use driftless_sync::ObjectId;

/// Something the project does not permit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyViolation {
    /// `spec.source.repoURL` matches no `sourceRepos` entry.
    #[error("repository {repo} is not permitted in project {project} (sourceRepos: {allowed})")]
    SourceRepo {
        /// The project.
        project: String,
        /// The repository URL.
        repo: String,
        /// The project's patterns, comma separated.
        allowed: String,
    },
    /// The destination (or an object's namespace) matches no `destinations` entry.
    #[error("destination {server}/{namespace} is not permitted in project {project}{object}")]
    Destination {
        /// The project.
        project: String,
        /// Server (or cluster name).
        server: String,
        /// Namespace.
        namespace: String,
        /// ` (object …)` when an object's own namespace was checked.
        object: String,
    },
    /// A kind is outside the project's white/blacklists.
    #[error("{object} is not permitted in project {project}: {rule}")]
    Resource {
        /// The project.
        project: String,
        /// `group/kind namespace/name`.
        object: String,
        /// Which list refused it, e.g. `clusterResourceBlacklist matches rbac.authorization.k8s.io/ClusterRole`.
        rule: String,
    },
}

impl PolicyViolation {
    /// Condition/Event reason.
    pub fn reason(&self) -> &'static str {
        match self {
            PolicyViolation::SourceRepo { .. } => "SourceRepoNotPermitted",
            PolicyViolation::Destination { .. } => "DestinationNotPermitted",
            PolicyViolation::Resource { .. } => "ResourceNotPermitted",
        }
    }
}

/// Shell-style glob match (`*`, `?`, `[…]`); an unparsable pattern matches only itself.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    if pattern == "*" || pattern == text {
        return true;
    }
    match globset::GlobBuilder::new(pattern)
        .literal_separator(false)
        .build()
    {
        Ok(glob) => glob.compile_matcher().is_match(text),
        Err(_) => false,
    }
}

/// Argo's list semantics: allowed when a plain pattern matches and no `!pattern` does.
fn allowed_by(patterns: &[String], text: &str) -> bool {
    let mut allowed = false;
    for pattern in patterns {
        match pattern.strip_prefix('!') {
            Some(negated) if glob_match(negated, text) => return false,
            Some(_) => {}
            None => allowed |= glob_match(pattern, text),
        }
    }
    allowed
}

/// `sourceRepos` permits `repo`.
pub fn check_source(project: &str, spec: &AppProjectSpec, repo: &str) -> Result<(), PolicyViolation> {
    if allowed_by(&spec.source_repos, repo) {
        Ok(())
    } else {
        Err(PolicyViolation::SourceRepo {
            project: project.to_owned(),
            repo: repo.to_owned(),
            allowed: spec.source_repos.join(", "),
        })
    }
}

fn destination_allowed(spec: &AppProjectSpec, server: &str, name: &str, namespace: &str) -> bool {
    let (mut allowed, mut denied) = (false, false);
    for dest in &spec.destinations {
        let server_ok = match (&dest.server, &dest.name) {
            (Some(pattern), _) => glob_match(pattern.trim_start_matches('!'), server),
            (None, Some(pattern)) => glob_match(pattern.trim_start_matches('!'), name),
            (None, None) => true,
        };
        let ns_pattern = dest.namespace.as_deref().unwrap_or("*");
        let negated = ns_pattern.starts_with('!')
            || dest.server.as_deref().is_some_and(|s| s.starts_with('!'))
            || dest.name.as_deref().is_some_and(|s| s.starts_with('!'));
        let ns_ok = glob_match(ns_pattern.trim_start_matches('!'), namespace);
        if negated {
            denied |= server_ok && ns_ok;
        } else {
            allowed |= server_ok && ns_ok;
        }
    }
    allowed && !denied
}

/// `destinations` permit the Application's destination.
pub fn check_destination(
    project: &str,
    spec: &AppProjectSpec,
    destination: &ApplicationDestination,
) -> Result<(), PolicyViolation> {
    let server = destination.server.as_deref().unwrap_or(IN_CLUSTER_SERVER);
    let name = destination.name.as_deref().unwrap_or(IN_CLUSTER_NAME);
    let namespace = destination.namespace.as_deref().unwrap_or_default();
    if destination_allowed(spec, server, name, namespace) {
        Ok(())
    } else {
        Err(PolicyViolation::Destination {
            project: project.to_owned(),
            server: server.to_owned(),
            namespace: namespace.to_owned(),
            object: String::new(),
        })
    }
}

fn matches_kind(group: &str, kind: &str, id: &ObjectId) -> bool {
    glob_match(group, &id.group) && glob_match(kind, &id.kind)
}

fn cluster_rule_matches(rule: &ClusterResourceRestriction, id: &ObjectId) -> bool {
    matches_kind(&rule.group, &rule.kind, id) && rule.name.as_deref().is_none_or(|n| glob_match(n, &id.name))
}

fn describe(group: &str, kind: &str) -> String {
    if group.is_empty() {
        kind.to_owned()
    } else {
        format!("{group}/{kind}")
    }
}

/// Every desired object (decorated: cluster-scoped objects have no namespace)
/// is a permitted kind in a permitted namespace. The first refusal is returned.
pub fn check_objects<'a>(
    project: &str,
    spec: &AppProjectSpec,
    objects: impl IntoIterator<Item = &'a ObjectId>,
) -> Result<(), PolicyViolation> {
    for id in objects {
        let refuse = |rule: String| PolicyViolation::Resource {
            project: project.to_owned(),
            object: id.to_string(),
            rule,
        };
        if id.namespace.is_empty() {
            if let Some(rule) = spec
                .cluster_resource_blacklist
                .iter()
                .find(|r| cluster_rule_matches(r, id))
            {
                return Err(refuse(format!(
                    "clusterResourceBlacklist matches {}",
                    describe(&rule.group, &rule.kind)
                )));
            }
            if !spec
                .cluster_resource_whitelist
                .iter()
                .any(|r| cluster_rule_matches(r, id))
            {
                return Err(refuse("not in clusterResourceWhitelist".into()));
            }
        } else {
            let listed =
                |list: &[GroupKind]| list.iter().find(|r| matches_kind(&r.group, &r.kind, id)).cloned();
            if let Some(rule) = listed(&spec.namespace_resource_blacklist) {
                return Err(refuse(format!(
                    "namespaceResourceBlacklist matches {}",
                    describe(&rule.group, &rule.kind)
                )));
            }
            if !spec.namespace_resource_whitelist.is_empty()
                && listed(&spec.namespace_resource_whitelist).is_none()
            {
                return Err(refuse("not in namespaceResourceWhitelist".into()));
            }
            if !destination_allowed(spec, IN_CLUSTER_SERVER, IN_CLUSTER_NAME, &id.namespace) {
                return Err(PolicyViolation::Destination {
                    project: project.to_owned(),
                    server: IN_CLUSTER_SERVER.to_owned(),
                    namespace: id.namespace.clone(),
                    object: format!(" (object {id})"),
                });
            }
        }
    }
    Ok(())
}

/// The spec of project `default`: everything allowed (as Argo CD creates it).
pub fn default_project_spec() -> AppProjectSpec {
    AppProjectSpec {
        description: Some("Created by Driftless: allows everything".into()),
        source_repos: vec!["*".into()],
        destinations: vec![ApplicationDestination {
            server: Some("*".into()),
            name: None,
            namespace: Some("*".into()),
        }],
        cluster_resource_whitelist: vec![ClusterResourceRestriction {
            group: "*".into(),
            kind: "*".into(),
            name: None,
        }],
        ..AppProjectSpec::default()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn id(group: &str, kind: &str, namespace: &str, name: &str) -> ObjectId {
        ObjectId {
            group: group.into(),
            version: "v1".into(),
            kind: kind.into(),
            namespace: namespace.into(),
            name: name.into(),
        }
    }

    fn gk(group: &str, kind: &str) -> GroupKind {
        GroupKind {
            group: group.into(),
            kind: kind.into(),
        }
    }

    fn prod_like() -> AppProjectSpec {
        AppProjectSpec {
            source_repos: vec![
                "https://github.com/my-org/*".into(),
                "!https://github.com/my-org/secret".into(),
            ],
            destinations: vec![ApplicationDestination {
                server: Some(IN_CLUSTER_SERVER.into()),
                name: None,
                namespace: Some("team-*".into()),
            }],
            cluster_resource_whitelist: vec![ClusterResourceRestriction {
                group: String::new(),
                kind: "Namespace".into(),
                name: None,
            }],
            namespace_resource_whitelist: vec![gk("apps", "Deployment"), gk("", "*")],
            namespace_resource_blacklist: vec![gk("", "Secret")],
            ..AppProjectSpec::default()
        }
    }

    #[test]
    fn source_repos() {
        let spec = prod_like();
        let cases = [
            ("https://github.com/my-org/infra", true),
            ("https://github.com/my-org/secret", false),
            ("https://gitlab.com/other/infra", false),
        ];
        for (repo, ok) in cases {
            assert_eq!(check_source("prod", &spec, repo).is_ok(), ok, "{repo}");
        }
        assert!(
            check_source("p", &AppProjectSpec::default(), "x").is_err(),
            "empty allows none"
        );
        assert!(check_source("d", &default_project_spec(), "anything").is_ok());
    }

    #[test]
    fn destinations() {
        let spec = prod_like();
        let dest = |ns: &str| ApplicationDestination {
            server: Some(IN_CLUSTER_SERVER.into()),
            name: None,
            namespace: Some(ns.into()),
        };
        assert!(check_destination("prod", &spec, &dest("team-a")).is_ok());
        assert!(check_destination("prod", &spec, &dest("kube-system")).is_err());
        assert!(check_destination("d", &default_project_spec(), &dest("kube-system")).is_ok());
    }

    #[test]
    fn kinds() {
        let spec = prod_like();
        let cases = [
            (id("apps", "Deployment", "team-a", "web"), None),
            (id("", "ConfigMap", "team-a", "c"), None),
            (id("", "Namespace", "", "team-a"), None),
            (
                id("", "Secret", "team-a", "s"),
                Some("namespaceResourceBlacklist matches Secret"),
            ),
            (
                id("batch", "Job", "team-a", "j"),
                Some("not in namespaceResourceWhitelist"),
            ),
            (
                id("rbac.authorization.k8s.io", "ClusterRole", "", "admin"),
                Some("not in clusterResourceWhitelist"),
            ),
            (
                id("apps", "Deployment", "kube-system", "web"),
                Some("destination"),
            ),
        ];
        for (object, refusal) in cases {
            let result = check_objects("prod", &spec, [&object]);
            match refusal {
                None => assert!(result.is_ok(), "{object}: {result:?}"),
                Some(text) => {
                    let message = result.unwrap_err().to_string();
                    assert!(message.contains(text), "{object}: {message}");
                }
            }
        }
    }

    #[test]
    fn blacklist_wins_over_a_wildcard_whitelist() {
        let mut spec = default_project_spec();
        spec.cluster_resource_blacklist.push(ClusterResourceRestriction {
            group: "rbac.authorization.k8s.io".into(),
            kind: "ClusterRole".into(),
            name: None,
        });
        let role = id("rbac.authorization.k8s.io", "ClusterRole", "", "reader");
        let error = check_objects("locked", &spec, [&role]).unwrap_err();
        assert_eq!(error.reason(), "ResourceNotPermitted");
        assert!(error.to_string().contains("ClusterRole"), "{error}");
        assert!(error.to_string().contains("clusterResourceBlacklist"), "{error}");
        let namespace = id("", "Namespace", "", "x");
        assert!(check_objects("locked", &spec, [&namespace]).is_ok());
    }
}
