//! `syncPolicy.retry`: failed syncs are retried with the configured backoff,
//! and automated syncs stop at the limit until the revision changes or a
//! person asks for a sync. Attempts are counted per app and revision in
//! memory (a restart grants a fresh budget, like a new revision).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use driftless_api::validate::RetryPolicy;

/// What to do after `failures` failed syncs of one revision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Sync as usual.
    Proceed,
    /// Try again after this delay.
    RetryAfter(Duration),
    /// The limit is reached: no more automated attempts at this revision.
    GiveUp,
}

/// The pure rule. Without a retry policy a failed sync is tried again on the next reconcile.
pub fn verdict(policy: Option<&RetryPolicy>, failures: u32) -> Verdict {
    match (policy, failures) {
        (_, 0) | (None, _) => Verdict::Proceed,
        (Some(policy), n) if policy.allows(n - 1) => Verdict::RetryAfter(policy.delay(n - 1)),
        (Some(_), _) => Verdict::GiveUp,
    }
}

/// Failed attempts per Application (`namespace/name`) at its current revision.
#[derive(Default)]
pub struct RetryBook {
    attempts: Mutex<HashMap<String, (String, u32)>>,
}

impl RetryBook {
    /// Failures so far of `app` at `revision`.
    pub fn failures(&self, app: &str, revision: &str) -> u32 {
        let Ok(attempts) = self.attempts.lock() else {
            return 0;
        };
        attempts
            .get(app)
            .filter(|(rev, _)| rev == revision)
            .map_or(0, |(_, n)| *n)
    }

    /// Records a sync outcome; returns the failures now counted (0 after a success).
    pub fn record(&self, app: &str, revision: &str, failed: bool) -> u32 {
        let Ok(mut attempts) = self.attempts.lock() else {
            return 0;
        };
        if !failed {
            attempts.remove(app);
            return 0;
        }
        let entry = attempts
            .entry(app.to_owned())
            .or_insert_with(|| (revision.to_owned(), 0));
        if entry.0 != revision {
            *entry = (revision.to_owned(), 0);
        }
        entry.1 += 1;
        entry.1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(limit: Option<u32>) -> RetryPolicy {
        RetryPolicy {
            limit,
            duration: Duration::from_secs(5),
            factor: 2,
            max_duration: Duration::from_secs(12),
        }
    }

    #[test]
    fn backoff_grows_and_stops_at_the_limit() {
        let limited = policy(Some(2));
        assert_eq!(verdict(Some(&limited), 0), Verdict::Proceed);
        assert_eq!(
            verdict(Some(&limited), 1),
            Verdict::RetryAfter(Duration::from_secs(5))
        );
        assert_eq!(
            verdict(Some(&limited), 2),
            Verdict::RetryAfter(Duration::from_secs(10))
        );
        assert_eq!(verdict(Some(&limited), 3), Verdict::GiveUp);
        let unlimited = policy(None);
        assert_eq!(
            verdict(Some(&unlimited), 9),
            Verdict::RetryAfter(Duration::from_secs(12))
        );
        assert_eq!(verdict(None, 9), Verdict::Proceed);
    }

    #[test]
    fn the_book_counts_per_revision_and_forgets_on_success() {
        let book = RetryBook::default();
        assert_eq!(book.record("ns/a", "r1", true), 1);
        assert_eq!(book.record("ns/a", "r1", true), 2);
        assert_eq!(book.failures("ns/a", "r1"), 2);
        assert_eq!(
            book.failures("ns/a", "r2"),
            0,
            "a new revision has a fresh budget"
        );
        assert_eq!(book.record("ns/a", "r2", true), 1);
        assert_eq!(book.record("ns/a", "r2", false), 0);
        assert_eq!(book.failures("ns/a", "r2"), 0);
    }
}
