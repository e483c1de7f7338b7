//! Progress of a transfer: `{loaded, total, speed, percent}`, at most once per interval, always
//! a final call at 100%, and `loaded` never goes backwards.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One progress report, as the JS SDK's `onProgress` receives it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ProgressInfo {
    /// Bytes done.
    pub loaded: u64,
    /// Bytes in all.
    pub total: u64,
    /// Bytes per second since the transfer started.
    pub speed: f64,
    /// `loaded / total` in `0.0..=1.0` (1.0 for an empty transfer).
    pub percent: f64,
}

/// A progress callback.
pub type ProgressCallback = Arc<dyn Fn(&ProgressInfo) + Send + Sync>;

/// A progress callback held by a builder (whose `Debug` cannot print a closure).
#[derive(Clone)]
pub(crate) struct ProgressHook(pub(crate) ProgressCallback);

impl std::fmt::Debug for ProgressHook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ProgressHook(..)")
    }
}

/// Reports the bytes a reader hands out (a single GET's body) and the final 100% at its end.
pub(crate) struct ProgressReader<R> {
    pub(crate) inner: R,
    pub(crate) tracker: ProgressTracker,
}

impl<R: std::io::Read> std::io::Read for ProgressReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n == 0 && !buf.is_empty() {
            self.tracker.finish();
        } else {
            self.tracker.add(n as u64);
        }
        Ok(n)
    }
}

struct State {
    loaded: u64,
    /// `None` until known (a copy or download learns it from HEAD once it runs).
    total: Option<u64>,
    last_emit: Option<Instant>,
    finished: bool,
}

/// Counts bytes from any thread and calls the callback, throttled.
pub(crate) struct ProgressTracker {
    interval: Duration,
    started: Instant,
    callback: Option<ProgressCallback>,
    state: Mutex<State>,
    /// Set when the user's callback panicked (the panic goes on to the task runner).
    panicked: std::sync::atomic::AtomicBool,
}

impl ProgressTracker {
    pub(crate) fn new(total: u64, interval: Duration, callback: Option<ProgressCallback>) -> Self {
        let tracker = Self::total_unknown(interval, callback);
        tracker.set_total(total);
        tracker
    }

    /// A tracker whose total is learnt later ([`set_total`](Self::set_total)); until then it
    /// reports 0 of 0 at 0%.
    pub(crate) fn total_unknown(interval: Duration, callback: Option<ProgressCallback>) -> Self {
        ProgressTracker {
            interval,
            started: Instant::now(),
            callback,
            state: Mutex::new(State { loaded: 0, total: None, last_emit: None, finished: false }),
            panicked: std::sync::atomic::AtomicBool::new(false),
        }
    }

    /// Sets the total once it is known (again on a restart: the same value).
    pub(crate) fn set_total(&self, total: u64) {
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        s.total = Some(total);
        s.loaded = s.loaded.min(total);
    }

    /// Adds `bytes` done; reports when the interval has passed.
    pub(crate) fn add(&self, bytes: u64) {
        let report = {
            let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
            // An unknown total (a stream of unknown length) does not cap what is counted.
            s.loaded = match s.total {
                Some(total) => (s.loaded + bytes).min(total),
                None => s.loaded + bytes,
            };
            let due = s.last_emit.is_none_or(|t| t.elapsed() >= self.interval);
            if due && !s.finished && s.total.is_none_or(|total| s.loaded < total) {
                s.last_emit = Some(Instant::now());
                Some(self.info(&s))
            } else {
                None
            }
        };
        self.report(report);
    }

    /// Raises `loaded` to `confirmed` when that is more (a request body read again from its
    /// start on a retry does not move it back); reports when the interval has passed.
    pub(crate) fn advance_to(&self, confirmed: u64) {
        let ahead = {
            let s = self.state.lock().unwrap_or_else(|p| p.into_inner());
            confirmed.saturating_sub(s.loaded)
        };
        if ahead > 0 {
            self.add(ahead);
        }
    }

    /// The final report at 100%, once.
    pub(crate) fn finish(&self) {
        let report = {
            let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
            if s.finished {
                None
            } else {
                s.finished = true;
                let total = s.total.unwrap_or(s.loaded);
                s.total = Some(total);
                s.loaded = total;
                Some(self.info(&s))
            }
        };
        self.report(report);
    }

    /// A run resuming with `confirmed` bytes already on the server (kept by this task or found
    /// from an earlier one): `loaded` becomes `confirmed`, so bytes counted by an earlier run
    /// of the same task are not counted twice. It never goes backwards.
    pub(crate) fn resume_from(&self, confirmed: u64) {
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let total = s.total.unwrap_or(0);
        s.loaded = s.loaded.max(confirmed.min(total));
    }

    /// True once the user's callback panicked.
    pub(crate) fn callback_panicked(&self) -> bool {
        self.panicked.load(std::sync::atomic::Ordering::SeqCst)
    }

    fn report(&self, report: Option<ProgressInfo>) {
        if let (Some(info), Some(cb)) = (report, &self.callback)
            && let Err(panic) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| cb(&info)))
        {
            self.panicked.store(true, std::sync::atomic::Ordering::SeqCst);
            std::panic::resume_unwind(panic);
        }
    }

    fn info(&self, s: &State) -> ProgressInfo {
        let loaded = s.loaded;
        let secs = self.started.elapsed().as_secs_f64();
        let speed = if secs > 0.0 { ((loaded as f64 / secs) * 100.0).round() / 100.0 } else { 0.0 };
        let percent = match s.total {
            None => 0.0,
            Some(0) => 1.0,
            Some(total) => ((loaded as f64 / total as f64) * 100.0).floor() / 100.0,
        };
        ProgressInfo { loaded, total: s.total.unwrap_or(0), speed, percent }
    }

    /// The current state as a report (for task lists).
    pub(crate) fn snapshot(&self) -> ProgressInfo {
        self.info(&self.state.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttles_never_goes_back_and_ends_at_exactly_100_percent() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let s = seen.clone();
        let cb: ProgressCallback = Arc::new(move |p: &ProgressInfo| s.lock().unwrap().push(*p));
        let t = ProgressTracker::new(1000, Duration::from_secs(3600), Some(cb));
        for _ in 0..20 {
            t.add(100); // capped at the total
        }
        t.finish();
        t.finish();
        let seen = seen.lock().unwrap();
        assert_eq!(seen.len(), 2, "one immediate report, then throttled until the final one: {seen:?}");
        assert_eq!(seen[0].loaded, 100);
        assert_eq!((seen[1].loaded, seen[1].percent), (1000, 1.0));
    }

    #[test]
    fn an_empty_transfer_is_complete() {
        let t = ProgressTracker::new(0, Duration::ZERO, None);
        assert_eq!(t.snapshot().percent, 1.0);
    }

    #[test]
    fn an_unknown_total_is_0_percent_until_set() {
        let t = ProgressTracker::total_unknown(Duration::ZERO, None);
        assert_eq!((t.snapshot().total, t.snapshot().percent), (0, 0.0));
        t.set_total(10);
        t.add(5);
        assert_eq!((t.snapshot().loaded, t.snapshot().total, t.snapshot().percent), (5, 10, 0.5));
    }
}
