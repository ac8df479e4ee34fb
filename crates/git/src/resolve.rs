//! Revision → commit, against the local mirror only (no network).
//!
//! Order, as Argo CD resolves `targetRevision`: `HEAD` (or empty) is the
//! remote's default branch; a full ref name (`refs/…`) is taken as is; a short
//! name is a branch first, then a tag (annotated tags are peeled); anything
//! else that looks like hex is a full or abbreviated commit SHA.

use std::fmt;

use git2::{ErrorCode, ObjectType, Oid, Repository};

use crate::error::GitError;

/// A commit's full SHA.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CommitId(pub(crate) Oid);

impl CommitId {
    /// Parse a full 40-hex SHA; `None` for anything else.
    pub fn parse(hex: &str) -> Option<CommitId> {
        (hex.len() == 40 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| Oid::from_str(hex).ok().map(CommitId))
            .flatten()
    }

    /// The first 7 hex digits, for messages.
    pub fn short(&self) -> String {
        self.0.to_string()[..7].to_string()
    }
}

impl fmt::Display for CommitId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

/// What kind of name a revision string is, decided without the repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RevisionForm<'a> {
    /// `HEAD` or empty.
    Head,
    /// A full ref name such as `refs/heads/main`.
    FullRef(&'a str),
    /// A branch or tag name, and whether it could also be an abbreviated SHA.
    Name { name: &'a str, may_be_sha: bool },
    /// Exactly 40 hex digits.
    FullSha(&'a str),
}

pub(crate) fn classify(revision: &str) -> RevisionForm<'_> {
    let revision = revision.trim();
    let hex = revision.bytes().all(|b| b.is_ascii_hexdigit());
    if revision.is_empty() || revision == "HEAD" {
        RevisionForm::Head
    } else if revision.starts_with("refs/") {
        RevisionForm::FullRef(revision)
    } else if hex && revision.len() == 40 {
        RevisionForm::FullSha(revision)
    } else {
        RevisionForm::Name {
            name: revision,
            may_be_sha: hex && revision.len() >= 4,
        }
    }
}

/// Resolve `revision` in `repo` to a commit. `url` (redacted) goes into errors.
pub(crate) fn resolve(repo: &Repository, url: &str, revision: &str) -> Result<CommitId, GitError> {
    let not_found = |hint: &str| GitError::RevisionNotFound {
        url: url.to_string(),
        revision: revision.to_string(),
        hint: hint.to_string(),
    };
    match classify(revision) {
        RevisionForm::Head => peel_ref(repo, "HEAD").ok_or_else(|| not_found("; the remote HEAD is unknown")),
        RevisionForm::FullRef(name) => peel_ref(repo, name).ok_or_else(|| not_found("")),
        RevisionForm::FullSha(hex) => {
            let oid = Oid::from_str(hex).map_err(|_| not_found(""))?;
            peel_object(repo, oid)
                .ok_or_else(|| not_found("; no such commit (fetched all branches and tags)"))
        }
        RevisionForm::Name { name, may_be_sha } => {
            for candidate in [format!("refs/heads/{name}"), format!("refs/tags/{name}")] {
                if let Some(commit) = peel_ref(repo, &candidate) {
                    return Ok(commit);
                }
            }
            if !may_be_sha {
                return Err(not_found("; no branch or tag has this name"));
            }
            match repo.find_object_by_prefix(name, None) {
                Ok(object) => peel_object(repo, object.id()).ok_or_else(|| not_found("; not a commit")),
                Err(e) if e.code() == ErrorCode::Ambiguous => {
                    Err(not_found("; the abbreviated SHA is ambiguous, use more digits"))
                }
                Err(_) => Err(not_found("; no branch, tag or commit matches")),
            }
        }
    }
}

fn peel_ref(repo: &Repository, name: &str) -> Option<CommitId> {
    let reference = repo.find_reference(name).ok()?;
    let commit = reference.peel_to_commit().ok()?;
    Some(CommitId(commit.id()))
}

fn peel_object(repo: &Repository, oid: Oid) -> Option<CommitId> {
    let object = repo.find_object(oid, None).ok()?;
    let commit = object.peel(ObjectType::Commit).ok()?;
    Some(CommitId(commit.id()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_revisions() {
        let sha = "0123456789abcdef0123456789abcdef01234567";
        let cases = [
            ("", RevisionForm::Head),
            ("HEAD", RevisionForm::Head),
            ("refs/heads/main", RevisionForm::FullRef("refs/heads/main")),
            (sha, RevisionForm::FullSha(sha)),
            (
                "main",
                RevisionForm::Name {
                    name: "main",
                    may_be_sha: false,
                },
            ),
            (
                "v1.0",
                RevisionForm::Name {
                    name: "v1.0",
                    may_be_sha: false,
                },
            ),
            (
                "abc123",
                RevisionForm::Name {
                    name: "abc123",
                    may_be_sha: true,
                },
            ),
            (
                "abc",
                RevisionForm::Name {
                    name: "abc",
                    may_be_sha: false,
                },
            ),
            (
                " main ",
                RevisionForm::Name {
                    name: "main",
                    may_be_sha: false,
                },
            ),
        ];
        for (input, want) in cases {
            assert_eq!(classify(input), want, "{input:?}");
        }
    }

    #[test]
    fn commit_id_parse() {
        assert!(CommitId::parse("0123456789abcdef0123456789abcdef01234567").is_some());
        assert!(CommitId::parse("0123456").is_none());
        assert!(CommitId::parse("z123456789abcdef0123456789abcdef01234567").is_none());
    }
}
