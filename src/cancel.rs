//! Cancelling calls in flight: a [`CancelToken`] handed to
//! [`Client::execute_with`](crate::Client::execute_with) stops the call's retries and backoff
//! sleeps as soon as it is cancelled, and is checked before every attempt.

use std::fmt;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

/// A flag that many threads can watch and any thread can raise once. Cheap to clone (one
/// `Arc`); all clones share the flag.
///
/// ```
/// use std::time::Duration;
/// use tencent_cos::CancelToken;
///
/// let token = CancelToken::new();
/// let watcher = token.clone();
/// assert!(!watcher.is_cancelled());
/// token.cancel();
/// assert!(watcher.is_cancelled());
/// // A cancelled token's sleep returns at once with Error::Cancelled.
/// assert!(matches!(watcher.sleep(Duration::from_secs(3600)), Err(tencent_cos::Error::Cancelled)));
/// ```
#[derive(Clone, Default)]
pub struct CancelToken {
    inner: Arc<(Mutex<bool>, Condvar)>,
}

impl fmt::Debug for CancelToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CancelToken").field("cancelled", &self.is_cancelled()).finish()
    }
}

impl CancelToken {
    /// A token that is not cancelled.
    pub fn new() -> Self {
        Self::default()
    }

    /// Raises the flag and wakes every [`sleep`](CancelToken::sleep). Idempotent.
    pub fn cancel(&self) {
        let (flag, changed) = &*self.inner;
        *flag.lock().unwrap_or_else(|p| p.into_inner()) = true;
        changed.notify_all();
    }

    /// True once [`cancel`](CancelToken::cancel) was called on any clone.
    pub fn is_cancelled(&self) -> bool {
        *self.inner.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// `Err(Error::Cancelled)` when cancelled, else `Ok(())`.
    pub fn check(&self) -> Result<()> {
        if self.is_cancelled() { Err(Error::Cancelled) } else { Ok(()) }
    }

    /// Sleeps for `duration`, or until cancelled: then `Err(Error::Cancelled)` at once.
    pub fn sleep(&self, duration: Duration) -> Result<()> {
        let deadline = Instant::now().checked_add(duration);
        let (flag, changed) = &*self.inner;
        let mut cancelled = flag.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if *cancelled {
                return Err(Error::Cancelled);
            }
            let left = match deadline {
                Some(d) => d.saturating_duration_since(Instant::now()),
                None => Duration::from_secs(3600),
            };
            if left.is_zero() {
                return Ok(());
            }
            cancelled = changed.wait_timeout(cancelled, left).unwrap_or_else(|p| p.into_inner()).0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sleep_is_cut_short_by_cancel_from_another_thread() {
        let token = CancelToken::new();
        let other = token.clone();
        let started = Instant::now();
        let sleeper = std::thread::spawn(move || other.sleep(Duration::from_secs(60)));
        std::thread::sleep(Duration::from_millis(20));
        token.cancel();
        assert!(matches!(sleeper.join().unwrap(), Err(Error::Cancelled)));
        assert!(started.elapsed() < Duration::from_secs(30));
    }

    #[test]
    fn sleep_without_cancel_sleeps_the_duration() {
        let token = CancelToken::new();
        let started = Instant::now();
        token.sleep(Duration::from_millis(30)).unwrap();
        assert!(started.elapsed() >= Duration::from_millis(30));
        assert!(token.check().is_ok());
    }
}
