//! Repository URLs: parsing, the normalized form that keys the cache and the
//! credential lookup, and redaction of anything secret.
//!
//! Accepted forms: `scheme://[user[:password]@]host[:port]/path` for `https`,
//! `http`, `ssh`, `git` and `file` (`file:///abs/path`), and scp-like
//! `[user@]host:path`, which means SSH.

use sha2::{Digest, Sha256};

use crate::error::GitError;

/// Stands in for every secret in messages.
pub const REDACTED: &str = "***";

/// A parsed repository URL. `Debug` hides the password.
#[derive(Clone, PartialEq, Eq)]
pub struct RepoUrl {
    /// `https`, `http`, `ssh`, `git` or `file` (scp-like URLs are `ssh`).
    pub scheme: String,
    /// User from the URL, if any.
    pub user: Option<String>,
    /// Password from the URL, if any. Never printed.
    pub password: Option<String>,
    /// Host, lower-cased; empty for `file`.
    pub host: String,
    /// Port, if given.
    pub port: Option<u16>,
    /// Path as written (starts with `/` except for scp-like relative paths).
    pub path: String,
    scp_like: bool,
}

impl RepoUrl {
    /// Parse `url`; errors name the redacted URL.
    pub fn parse(url: &str) -> Result<RepoUrl, GitError> {
        RepoUrl::parse_inner(url, false)
    }

    /// Parse a credential-template prefix, which may be just `scheme://host`.
    pub fn parse_prefix(url: &str) -> Result<RepoUrl, GitError> {
        RepoUrl::parse_inner(url, true)
    }

    fn parse_inner(url: &str, allow_empty_path: bool) -> Result<RepoUrl, GitError> {
        let invalid = |message: &str| GitError::InvalidUrl {
            url: redact_url(url),
            message: message.into(),
        };
        let url = url.trim();
        if let Some((scheme, rest)) = url.split_once("://") {
            let scheme = scheme.to_ascii_lowercase();
            if !matches!(scheme.as_str(), "https" | "http" | "ssh" | "git" | "file") {
                return Err(invalid("unsupported scheme (use https, http, ssh, git or file)"));
            }
            let (authority, path) = match rest.find('/') {
                Some(i) => (&rest[..i], &rest[i..]),
                None => (rest, ""),
            };
            let (userinfo, hostport) = match authority.rfind('@') {
                Some(i) => (Some(&authority[..i]), &authority[i + 1..]),
                None => (None, authority),
            };
            let (user, password) = split_userinfo(userinfo);
            let (host, port) = split_port(hostport).ok_or_else(|| invalid("bad port"))?;
            if scheme != "file" && host.is_empty() {
                return Err(invalid("missing host"));
            }
            if !allow_empty_path && path.trim_matches('/').is_empty() {
                return Err(invalid("missing repository path"));
            }
            return Ok(RepoUrl {
                scheme,
                user,
                password,
                host: host.to_ascii_lowercase(),
                port,
                path: path.to_string(),
                scp_like: false,
            });
        }
        // scp-like: user@host:path, where the host part has no '/'.
        if let Some((left, path)) = url.split_once(':')
            && !left.contains('/')
            && !left.is_empty()
            && !path.is_empty()
        {
            let (user, host) = match left.rsplit_once('@') {
                Some((user, host)) => (Some(user.to_string()), host),
                None => (None, left),
            };
            return Ok(RepoUrl {
                scheme: "ssh".into(),
                user,
                password: None,
                host: host.to_ascii_lowercase(),
                port: None,
                path: path.to_string(),
                scp_like: true,
            });
        }
        Err(invalid(
            "not a URL (expected scheme://host/path or user@host:path)",
        ))
    }

    /// The form that keys the cache and credential lookup: no user or password,
    /// lower-case scheme and host, scp-like written as `ssh://`, no trailing `/`
    /// or `.git`.
    pub fn normalized(&self) -> String {
        let mut path = self.path.trim_end_matches('/');
        path = path.strip_suffix(".git").unwrap_or(path);
        let path = path.trim_end_matches('/');
        let sep = if path.starts_with('/') { "" } else { "/" };
        match self.port {
            Some(port) => format!("{}://{}:{}{sep}{path}", self.scheme, self.host, port),
            None => format!("{}://{}{sep}{path}", self.scheme, self.host),
        }
    }

    /// The URL handed to libgit2: credentials go through callbacks, so only
    /// an SSH user name stays in it.
    pub fn for_transport(&self) -> String {
        let user = match (&self.user, self.scheme.as_str()) {
            (Some(user), "ssh") => format!("{user}@"),
            _ => String::new(),
        };
        if self.scp_like {
            return format!("{user}{}:{}", self.host, self.path);
        }
        match self.port {
            Some(port) => format!("{}://{user}{}:{port}{}", self.scheme, self.host, self.path),
            None => format!("{}://{user}{}{}", self.scheme, self.host, self.path),
        }
    }

    /// `host` or `[host]:port`, the way `known_hosts` names a host.
    pub fn known_hosts_name(&self) -> String {
        match self.port {
            Some(port) if port != 22 => format!("[{}]:{port}", self.host),
            _ => self.host.clone(),
        }
    }

    /// A directory name for this repository's mirror: readable, unique per
    /// normalized URL, safe on any file system.
    pub fn mirror_dir_name(&self) -> String {
        let normalized = self.normalized();
        let digest = Sha256::digest(normalized.as_bytes());
        let hash: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
        let readable: String = normalized
            .split_once("://")
            .map_or(normalized.as_str(), |(_, rest)| rest)
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let readable = readable.trim_matches('_');
        let start = readable.len().saturating_sub(48);
        format!("{}-{hash}", &readable[start..])
    }
}

impl std::fmt::Debug for RepoUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RepoUrl")
            .field("scheme", &self.scheme)
            .field("user", &self.user.as_ref().map(|_| REDACTED))
            .field("password", &self.password.as_ref().map(|_| REDACTED))
            .field("host", &self.host)
            .field("port", &self.port)
            .field("path", &self.path)
            .finish()
    }
}

fn split_userinfo(userinfo: Option<&str>) -> (Option<String>, Option<String>) {
    match userinfo {
        None => (None, None),
        Some(info) => match info.split_once(':') {
            Some((user, password)) => (Some(user.to_string()), Some(password.to_string())),
            None => (Some(info.to_string()), None),
        },
    }
}

fn split_port(hostport: &str) -> Option<(&str, Option<u16>)> {
    // IPv6 literals keep their brackets: [::1]:8080.
    let colon = if hostport.starts_with('[') {
        hostport.find("]:").map(|i| i + 1)
    } else {
        hostport.rfind(':')
    };
    match colon {
        Some(i) => Some((&hostport[..i], Some(hostport[i + 1..].parse().ok()?))),
        None => Some((hostport, None)),
    }
}

/// `url` with its secret parts replaced: the password always, and for
/// HTTP(S) the user name too (it is often a token). SSH user names stay.
pub fn redact_url(url: &str) -> String {
    redact_text(url, &[])
}

/// `text` with every URL's userinfo redacted (as [`redact_url`]) and every
/// occurrence of the given secrets replaced by [`REDACTED`].
pub fn redact_text(text: &str, secrets: &[&str]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("://") {
        let scheme_start = rest[..i]
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '+' || c == '-' || c == '.'))
            .map_or(0, |j| j + 1);
        let scheme = rest[scheme_start..i].to_ascii_lowercase();
        let after = &rest[i + 3..];
        let authority_end = after
            .find(|c: char| c == '/' || c.is_whitespace() || "\"'<>".contains(c))
            .unwrap_or(after.len());
        let authority = &after[..authority_end];
        out.push_str(&rest[..i + 3]);
        match authority.rfind('@') {
            Some(at) => {
                let userinfo = &authority[..at];
                let keep_user = scheme == "ssh" && !userinfo.contains(':');
                if keep_user {
                    out.push_str(userinfo);
                } else if scheme == "ssh" {
                    let user = userinfo.split(':').next().unwrap_or_default();
                    out.push_str(user);
                    out.push(':');
                    out.push_str(REDACTED);
                } else {
                    out.push_str(REDACTED);
                }
                out.push_str(&authority[at..]);
            }
            None => out.push_str(authority),
        }
        rest = &after[authority_end..];
    }
    out.push_str(rest);
    for secret in secrets.iter().filter(|s| s.len() >= 3) {
        out = out.replace(secret, REDACTED);
    }
    out
}

/// Whether a credential template for `prefix` applies to `url`: both
/// normalized, and the prefix must end at a path-segment boundary so that
/// credentials for `…/acme` are never sent to `…/acme-evil`.
pub fn prefix_matches(prefix: &RepoUrl, url: &RepoUrl) -> bool {
    let prefix = prefix.normalized();
    let url = url.normalized();
    match url.strip_prefix(&prefix) {
        Some(rest) => rest.is_empty() || rest.starts_with('/') || prefix.ends_with('/'),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn normalizes_equivalent_urls_to_one_key() {
        let cases = [
            (
                "https://GitHub.com/acme/config.git",
                "https://github.com/acme/config",
            ),
            (
                "https://user:pw@github.com/acme/config/",
                "https://github.com/acme/config",
            ),
            ("git@github.com:acme/config.git", "ssh://github.com/acme/config"),
            (
                "ssh://git@github.com:2222/acme/config",
                "ssh://github.com:2222/acme/config",
            ),
            ("git://127.0.0.1:9418/r.git", "git://127.0.0.1:9418/r"),
            ("file:///tmp/x/r.git", "file:///tmp/x/r"),
        ];
        for (input, want) in cases {
            assert_eq!(RepoUrl::parse(input).unwrap().normalized(), want, "{input}");
        }
    }

    #[test]
    fn rejects_bad_urls_without_leaking_secrets() {
        for input in [
            "ftp://u:hunter2@h/r",
            "https://u:hunter2@/r",
            "https://u:hunter2@h",
            "nothing",
        ] {
            let err = RepoUrl::parse(input).unwrap_err();
            assert_eq!(err.reason(), "GitInvalidURL", "{input}");
            assert!(!err.to_string().contains("hunter2"), "{err}");
        }
    }

    #[test]
    fn transport_url_carries_no_password() {
        let cases = [
            ("https://u:pw@h.example/r.git", "https://h.example/r.git"),
            ("ssh://git:pw@h:2222/r", "ssh://git@h:2222/r"),
            ("git@h:org/r.git", "git@h:org/r.git"),
            ("file:///tmp/r", "file:///tmp/r"),
        ];
        for (input, want) in cases {
            assert_eq!(RepoUrl::parse(input).unwrap().for_transport(), want, "{input}");
        }
    }

    #[test]
    fn redacts_userinfo_and_secrets() {
        let cases = [
            ("https://user:s3cret@h/r", "https://***@h/r"),
            ("https://ghp_token@h/r", "https://***@h/r"),
            ("ssh://git@h/r", "ssh://git@h/r"),
            ("ssh://git:pw@h/r", "ssh://git:***@h/r"),
            (
                "failed to fetch http://a:b@h:80/x: 401 s3cret",
                "failed to fetch http://***@h:80/x: 401 ***",
            ),
            ("no url here", "no url here"),
        ];
        for (input, want) in cases {
            assert_eq!(redact_text(input, &["s3cret"]), want, "{input}");
        }
    }

    #[test]
    fn debug_hides_userinfo() {
        let shown = format!("{:?}", RepoUrl::parse("https://ghp_tok:hunter2@h/r").unwrap());
        assert!(
            !shown.contains("hunter2") && !shown.contains("ghp_tok"),
            "{shown}"
        );
    }

    #[test]
    fn prefix_match_respects_segments() {
        let cases = [
            (
                "https://github.com/acme",
                "https://github.com/acme/config.git",
                true,
            ),
            ("https://github.com/acme/", "https://github.com/acme/config", true),
            (
                "https://github.com/acme",
                "https://github.com/acme-evil/config",
                false,
            ),
            ("https://github.com/acme", "https://github.com/acme", true),
            ("https://github.com/acme", "http://github.com/acme/config", false),
        ];
        for (prefix, url, want) in cases {
            let got = prefix_matches(&RepoUrl::parse(prefix).unwrap(), &RepoUrl::parse(url).unwrap());
            assert_eq!(got, want, "{prefix} vs {url}");
        }
    }

    #[test]
    fn mirror_dir_names_are_safe_and_distinct() {
        let a = RepoUrl::parse("https://h/acme/config").unwrap().mirror_dir_name();
        let b = RepoUrl::parse("https://h/acme/config.git")
            .unwrap()
            .mirror_dir_name();
        let c = RepoUrl::parse("https://h/acme/other").unwrap().mirror_dir_name();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert!(
            a.chars()
                .all(|ch| ch.is_ascii_alphanumeric() || "._-".contains(ch)),
            "{a}"
        );
    }
}
