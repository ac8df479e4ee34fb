//! When to look again: the poll interval spread out so that many Applications created
//! together do not poll git and the API server in lockstep, and a growing, capped delay
//! after reconciles that keep failing.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

/// Largest share added to a poll interval.
pub const POLL_JITTER: f64 = 0.2;
/// First delay after a failed reconcile.
pub const ERROR_BASE: Duration = Duration::from_secs(5);
/// Longest delay after failed reconciles.
pub const ERROR_CAP: Duration = Duration::from_secs(300);

/// `base` stretched by `unit` (0–1) times `share`.
pub fn spread(base: Duration, share: f64, unit: f64) -> Duration {
    base.mul_f64(1.0 + share * unit.clamp(0.0, 1.0))
}

/// The poll interval with up to [`POLL_JITTER`] added at random.
pub fn jittered_poll(interval: Duration) -> Duration {
    spread(interval, POLL_JITTER, fastrand::f64())
}

/// The delay after `failures` consecutive failed reconciles (1 = the first): doubling
/// from [`ERROR_BASE`] up to [`ERROR_CAP`], before jitter.
pub fn error_delay(failures: u32) -> Duration {
    let doublings = failures.saturating_sub(1).min(16);
    ERROR_BASE.saturating_mul(1 << doublings).min(ERROR_CAP)
}

/// Largest share added to an error delay.
pub const ERROR_JITTER: f64 = 0.1;

/// Consecutive failed reconciles per object key (`namespace/name`).
#[derive(Debug, Default)]
pub struct FailureCount {
    counts: Mutex<HashMap<String, u32>>,
}

impl FailureCount {
    /// Counts one more failure of `key`; returns how many in a row now.
    pub fn failed(&self, key: &str) -> u32 {
        let Ok(mut counts) = self.counts.lock() else {
            return 1;
        };
        let count = counts.entry(key.to_owned()).or_default();
        *count = count.saturating_add(1);
        *count
    }

    /// Counts one more failure of `key`; returns how many in a row now and how long to wait
    /// before trying again ([`error_delay`] with up to [`ERROR_JITTER`] added).
    pub fn retry_after(&self, key: &str) -> (u32, Duration) {
        let failures = self.failed(key);
        let delay = spread(error_delay(failures), ERROR_JITTER, fastrand::f64());
        (failures, delay)
    }

    /// `key` reconciled fine: its next failure starts from the base delay again.
    pub fn succeeded(&self, key: &str) {
        if let Ok(mut counts) = self.counts.lock() {
            counts.remove(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polls_spread_over_a_fifth_of_the_interval() {
        let base = Duration::from_secs(180);
        assert_eq!(spread(base, POLL_JITTER, 0.0), base);
        assert_eq!(spread(base, POLL_JITTER, 1.0), Duration::from_secs(216));
        assert_eq!(
            spread(base, POLL_JITTER, 7.0),
            Duration::from_secs(216),
            "clamped"
        );
        for _ in 0..100 {
            let got = jittered_poll(base);
            assert!(got >= base && got <= Duration::from_secs(216), "{got:?}");
        }
    }

    #[test]
    fn failures_back_off_doubling_up_to_the_cap() {
        let delays: Vec<u64> = (1..=8).map(|n| error_delay(n).as_secs()).collect();
        assert_eq!(delays, [5, 10, 20, 40, 80, 160, 300, 300]);
        assert_eq!(error_delay(0), ERROR_BASE);
        assert_eq!(error_delay(u32::MAX), ERROR_CAP);
    }

    #[test]
    fn a_success_resets_the_count() {
        let count = FailureCount::default();
        assert_eq!(count.failed("web/a"), 1);
        assert_eq!(count.failed("web/a"), 2);
        assert_eq!(count.failed("web/b"), 1);
        count.succeeded("web/a");
        assert_eq!(count.failed("web/a"), 1);
        let (failures, delay) = count.retry_after("web/a");
        assert_eq!(failures, 2);
        assert!(
            delay >= Duration::from_secs(10) && delay <= Duration::from_secs(11),
            "{delay:?}"
        );
    }
}
