//! SSH with a key against a loopback sshd (skipped, with a note, when
//! Debian's openssh-server is not installed): host keys are checked against
//! known_hosts by default, a wrong key is an auth error.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use driftless_git::{Credentials, FetchOptions, SshKey};
use driftless_testkit::git_server::{GitServer, SshServer};

fn options(key: SshKey) -> FetchOptions {
    FetchOptions {
        credentials: Some(Credentials::Ssh(key)),
        ..FetchOptions::default()
    }
}

#[tokio::test]
async fn ssh_key_auth_with_known_hosts() {
    let Some(sshd) = SshServer::start().unwrap() else {
        eprintln!("skipped: /usr/sbin/sshd not installed (apt-get install openssh-server)");
        return;
    };
    let (server, first): (GitServer, String) = common::server_with_repo("r");
    let url = sshd.url(&server.repo_path("r"));
    let key = SshKey {
        private_key: sshd.client_key().unwrap(),
        known_hosts: Some(sshd.known_hosts()),
        ..SshKey::default()
    };
    let (_dir, cache) = common::cache();
    cache.fetch(&url, &options(key.clone())).await.unwrap();
    assert_eq!(cache.resolve(&url, "main").await.unwrap().to_string(), first);

    // Host key checking is on by default: unknown host, then a wrong key.
    let unknown = SshKey {
        known_hosts: None,
        ..key.clone()
    };
    let err = cache.fetch(&url, &options(unknown)).await.unwrap_err();
    assert_eq!(err.reason(), "GitHostKeyRejected", "{err}");
    assert!(err.to_string().contains("not in known_hosts"), "{err}");
    let other_key = "AAAAC3NzaC1lZDI1NTE5AAAAIOQgyHNjF8apo7SsFEZlvG38DIZezWxGBbJCgW1HNkjp";
    let spoofed = sshd
        .known_hosts()
        .split_whitespace()
        .take(2)
        .collect::<Vec<_>>()
        .join(" ");
    let mismatch = SshKey {
        known_hosts: Some(format!("{spoofed} {other_key}\n")),
        ..key.clone()
    };
    let err = cache.fetch(&url, &options(mismatch)).await.unwrap_err();
    assert_eq!(err.reason(), "GitHostKeyRejected", "{err}");
    assert!(err.to_string().contains("differs"), "{err}");
    // Hashed entries, as `ssh-keygen -H` writes them, are trusted too.
    let hashed_file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(hashed_file.path(), sshd.known_hosts()).unwrap();
    let mut hash = std::process::Command::new("ssh-keygen");
    hash.args(["-q", "-H", "-f"])
        .arg(hashed_file.path())
        .stderr(std::process::Stdio::null());
    assert!(hash.status().unwrap().success());
    let hashed = std::fs::read_to_string(hashed_file.path()).unwrap();
    let _ = std::fs::remove_file(format!("{}.old", hashed_file.path().display()));
    assert!(hashed.starts_with("|1|"), "{hashed}");
    cache
        .fetch(
            &url,
            &options(SshKey {
                known_hosts: Some(hashed),
                ..key.clone()
            }),
        )
        .await
        .unwrap();
    let insecure = SshKey {
        known_hosts: None,
        insecure_ignore_host_key: true,
        ..key.clone()
    };
    cache.fetch(&url, &options(insecure)).await.unwrap();

    // A key the server does not know: one attempt, an auth error, no key in the message.
    let stranger = SshServer::start().unwrap().unwrap().client_key().unwrap();
    let wrong = SshKey {
        private_key: stranger.clone(),
        ..key
    };
    let before = sshd.log();
    let err = cache.fetch(&url, &options(wrong)).await.unwrap_err();
    let attempts = sshd.log()[before.len()..].matches("Failed publickey").count();
    assert_eq!(
        attempts,
        1,
        "one key offered once, no retry storm: {}",
        sshd.log()
    );
    assert_eq!(err.reason(), "GitAuthFailed", "{err}");
    let body = stranger.lines().nth(1).unwrap();
    assert!(!err.to_string().contains(body), "{err}");
}
