//! Waiting on a condition with a deadline, never for a fixed time.

use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;

use crate::Error;

/// Polls `check` until it returns `Some`, backing off from 20 ms to 500 ms,
/// and fails with a message naming `what` once `deadline` has passed.
pub async fn wait_until<T, F, Fut>(what: &str, deadline: Duration, mut check: F) -> Result<T, Error>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let until = Instant::now() + deadline;
    let mut pause = Duration::from_millis(20);
    loop {
        if let Some(value) = check().await {
            return Ok(value);
        }
        if Instant::now() >= until {
            return Err(Error::Timeout {
                what: what.to_owned(),
                after: deadline,
            });
        }
        tokio::time::sleep(pause.min(until.saturating_duration_since(Instant::now()))).await;
        pause = (pause * 2).min(Duration::from_millis(500));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[tokio::test]
    async fn returns_the_value_once_the_condition_holds() {
        let calls = AtomicU32::new(0);
        let got = wait_until("third call", Duration::from_secs(5), || async {
            (calls.fetch_add(1, Ordering::SeqCst) == 2).then_some("ready")
        })
        .await;
        assert_eq!(got.ok(), Some("ready"));
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn times_out_with_the_condition_named() {
        let got: Result<(), _> = wait_until("never", Duration::from_millis(50), || async { None }).await;
        let message = got.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(message.contains("never"), "{message}");
    }
}
