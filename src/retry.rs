//! Retry policy: capped exponential backoff with full jitter.

use std::cell::Cell;
use std::time::Duration;

/// How failed requests are retried: 5xx answers, timeouts and connection failures, for bodies
/// that can be replayed, and a response body that breaks off while it is parsed (not POST).
/// Never a 4xx, except that a `RequestTimeTooSkewed` 403 is re-signed once with the server's
/// clock, when its `Date` is within
/// [`MAX_CLOCK_SKEW_CORRECTION`](crate::client::MAX_CLOCK_SKEW_CORRECTION) (24 h) of ours.
///
/// One call has one budget: at most `max_retries + 1` transport requests, whatever fails; the
/// clock-skew re-sign counts as one of them (with `max_retries: 0` there is none).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts after the first (default 3; 0 disables retries).
    pub max_retries: u32,
    /// Backoff ceiling of the first retry (default 100 ms); doubles each retry.
    pub initial_backoff: Duration,
    /// Largest backoff (default 5 s).
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy { max_retries: 3, initial_backoff: Duration::from_millis(100), max_backoff: Duration::from_secs(5) }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> Self {
        RetryPolicy { max_retries: 0, ..RetryPolicy::default() }
    }

    /// The wait before retry number `retry` (1-based): uniform in `[0, min(max, initial * 2^(retry-1))]`.
    ///
    /// ```
    /// use std::time::Duration;
    /// let p = tencent_cos::RetryPolicy::default();
    /// for retry in 1..10 {
    ///     assert!(p.backoff(retry) <= Duration::from_secs(5));
    /// }
    /// ```
    pub fn backoff(&self, retry: u32) -> Duration {
        let shift = retry.saturating_sub(1).min(30);
        let ceiling = self.initial_backoff.saturating_mul(1u32 << shift).min(self.max_backoff);
        let nanos = ceiling.as_nanos() as u64;
        if nanos == 0 {
            return Duration::ZERO;
        }
        Duration::from_nanos(jitter() % (nanos + 1))
    }
}

/// A nonce from the same generator (the v4 signature's `r`, which the JS SDK takes from
/// `Math.random`): spread, not secrecy.
pub(crate) fn random_u32() -> u32 {
    (jitter() >> 32) as u32
}

/// A per-thread xorshift: jitter needs spread, not cryptographic quality.
fn jitter() -> u64 {
    thread_local! {
        static STATE: Cell<u64> = Cell::new({
            let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(1);
            let addr = &t as *const u64 as u64;
            (t ^ addr.rotate_left(32)) | 1
        });
    }
    STATE.with(|s| {
        let mut x = s.get();
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        s.set(x);
        x
    })
}
