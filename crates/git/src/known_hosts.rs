//! `known_hosts` checking for SSH host keys (pure).
//!
//! Supported: plain host names and `[host]:port` entries, comma-separated
//! host lists, `*`/`?` globs, `!` negations and hashed names
//! (`|1|salt|hash`, as `ssh-keyscan -H` writes). `@cert-authority` lines are
//! skipped (they never match); `@revoked` lines reject the key.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha1::Sha1;

/// The outcome of checking one presented host key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostKeyVerdict {
    /// A line lists this host with exactly this key.
    Trusted,
    /// The host is listed, but with other keys: possibly an attack.
    Mismatch,
    /// The key is marked `@revoked`.
    Revoked,
    /// No line names this host.
    Unknown,
}

/// Check `key` (raw SSH wire bytes) of type `key_type` (e.g. `ssh-ed25519`)
/// presented by `host` (`host` or `[host]:port`) against `known_hosts` text.
pub fn verify(known_hosts: &str, host: &str, key_type: &str, key: &[u8]) -> HostKeyVerdict {
    let mut host_listed = false;
    for line in known_hosts.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut fields = line.split_whitespace();
        let (marker, hosts) = match fields.next() {
            Some(m) if m.starts_with('@') => (Some(m), fields.next()),
            other => (None, other),
        };
        let (Some(hosts), Some(line_type), Some(line_key)) = (hosts, fields.next(), fields.next()) else {
            continue;
        };
        if marker == Some("@cert-authority") || !host_matches(hosts, host) {
            continue;
        }
        let same_key = line_type == key_type && STANDARD.decode(line_key).is_ok_and(|k| k == key);
        if marker == Some("@revoked") {
            if same_key {
                return HostKeyVerdict::Revoked;
            }
            continue;
        }
        if same_key {
            return HostKeyVerdict::Trusted;
        }
        host_listed = true;
    }
    if host_listed {
        HostKeyVerdict::Mismatch
    } else {
        HostKeyVerdict::Unknown
    }
}

fn host_matches(patterns: &str, host: &str) -> bool {
    let mut matched = false;
    for pattern in patterns.split(',') {
        if let Some(negated) = pattern.strip_prefix('!') {
            if glob(negated, host) {
                return false;
            }
        } else if let Some(hashed) = pattern.strip_prefix("|1|") {
            matched |= hashed_matches(hashed, host);
        } else if glob(pattern, host) {
            matched = true;
        }
    }
    matched
}

/// OpenSSH's hashed host names: base64 salt `|` base64 HMAC-SHA1(salt, host).
fn hashed_matches(salt_and_hash: &str, host: &str) -> bool {
    let Some((salt, hash)) = salt_and_hash.split_once('|') else {
        return false;
    };
    let (Ok(salt), Ok(hash)) = (STANDARD.decode(salt), STANDARD.decode(hash)) else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(&salt) else {
        return false;
    };
    mac.update(host.as_bytes());
    mac.verify_slice(&hash).is_ok()
}

/// `*` and `?` globbing, case-insensitive (host names are).
fn glob(pattern: &str, text: &str) -> bool {
    let pattern: Vec<char> = pattern.to_ascii_lowercase().chars().collect();
    let text: Vec<char> = text.to_ascii_lowercase().chars().collect();
    let (mut p, mut t) = (0, 0);
    let mut backtrack: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && (pattern[p] == '?' || pattern[p] == text[t]) {
            p += 1;
            t += 1;
        } else if p < pattern.len() && pattern[p] == '*' {
            backtrack = Some((p, t));
            p += 1;
        } else if let Some((bp, bt)) = backtrack {
            p = bp + 1;
            t = bt + 1;
            backtrack = Some((bp, bt + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn verdicts() {
        let key = b"key-bytes";
        let other = b"other-key";
        let b64 = STANDARD.encode(key);
        let b64_other = STANDARD.encode(other);
        let text = format!(
            "# comment\n\
             github.com,gh ssh-ed25519 {b64}\n\
             [127.0.0.1]:2222 ssh-ed25519 {b64_other}\n\
             *.corp.example,!bad.corp.example ssh-ed25519 {b64}\n\
             @revoked revoked.example ssh-ed25519 {b64}\n\
             |1|c2FsdA==|aGFzaA== ssh-ed25519 {b64}\n"
        );
        let cases = [
            ("github.com", "ssh-ed25519", &key[..], HostKeyVerdict::Trusted),
            ("GH", "ssh-ed25519", &key[..], HostKeyVerdict::Trusted),
            ("github.com", "ssh-rsa", &key[..], HostKeyVerdict::Mismatch),
            ("github.com", "ssh-ed25519", &other[..], HostKeyVerdict::Mismatch),
            (
                "[127.0.0.1]:2222",
                "ssh-ed25519",
                &other[..],
                HostKeyVerdict::Trusted,
            ),
            ("127.0.0.1", "ssh-ed25519", &other[..], HostKeyVerdict::Unknown),
            (
                "git.corp.example",
                "ssh-ed25519",
                &key[..],
                HostKeyVerdict::Trusted,
            ),
            (
                "bad.corp.example",
                "ssh-ed25519",
                &key[..],
                HostKeyVerdict::Unknown,
            ),
            (
                "revoked.example",
                "ssh-ed25519",
                &key[..],
                HostKeyVerdict::Revoked,
            ),
            ("nowhere", "ssh-ed25519", &key[..], HostKeyVerdict::Unknown),
        ];
        for (host, key_type, presented, want) in cases {
            assert_eq!(
                verify(&text, host, key_type, presented),
                want,
                "{host} {key_type}"
            );
        }
    }

    #[test]
    fn hashed_host_names() {
        // Made with `ssh-keygen -H` semantics: HMAC-SHA1 keyed by the salt.
        let salt = b"0123456789abcdef0123";
        let mut mac = Hmac::<Sha1>::new_from_slice(salt).unwrap();
        mac.update(b"[127.0.0.1]:2222");
        let hash = mac.finalize().into_bytes();
        let key = STANDARD.encode(b"key");
        let line = format!(
            "|1|{}|{} ssh-ed25519 {key}\n",
            STANDARD.encode(salt),
            STANDARD.encode(hash)
        );
        assert_eq!(
            verify(&line, "[127.0.0.1]:2222", "ssh-ed25519", b"key"),
            HostKeyVerdict::Trusted
        );
        assert_eq!(
            verify(&line, "127.0.0.1", "ssh-ed25519", b"key"),
            HostKeyVerdict::Unknown
        );
        assert_eq!(
            verify("|1|bad|entry ssh-ed25519 {key}", "h", "ssh-ed25519", b"key"),
            HostKeyVerdict::Unknown
        );
    }

    #[test]
    fn globbing() {
        let cases = [
            ("*", "a", true),
            ("a*c", "abbbc", true),
            ("a?c", "abc", true),
            ("a?c", "ac", false),
        ];
        for (pattern, text, want) in cases {
            assert_eq!(glob(pattern, text), want, "{pattern} {text}");
        }
    }
}
