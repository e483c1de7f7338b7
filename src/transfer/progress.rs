//! Progress of a transfer: `{loaded, total, speed, fraction}`, at most once per interval, always
//! a final call at 100%, and `loaded` never goes backwards.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One progress report, as the JS SDK's `onProgress` receives it.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub struct ProgressInfo {
    /// Bytes done.
    pub loaded: u64,
    /// Bytes in all.
    pub total: u64,
    /// Bytes per second now: the bytes this process transferred over about the last second
    /// (since the newest count at least a second old), not the average since the start, as
    /// the JS SDK reports it. Parts reused from an earlier upload are not counted.
    pub speed: f64,
    /// `loaded / total` in `0.0..=1.0` (1.0 for an empty transfer): multiply by 100 for a
    /// percentage. The JS SDK calls it `percent`.
    pub fraction: f64,
}

impl ProgressInfo {
    /// A report of `loaded` of `total` bytes at `speed` bytes per second, with
    /// [`fraction`](Self::fraction) worked out as the transfers do (to the hundredth, rounded
    /// down; 1.0 when `total` is 0): for testing a progress callback.
    ///
    /// ```
    /// let p = tencent_cos::transfer::ProgressInfo::new(1, 3, 10.0);
    /// assert_eq!((p.loaded, p.total, p.speed, p.fraction), (1, 3, 10.0, 0.33));
    /// assert_eq!(tencent_cos::transfer::ProgressInfo::new(0, 0, 0.0).fraction, 1.0);
    /// ```
    pub fn new(loaded: u64, total: u64, speed: f64) -> ProgressInfo {
        ProgressInfo { loaded, total, speed, fraction: fraction_of(loaded, Some(total)) }
    }

    /// The old name of [`fraction`](Self::fraction): `loaded / total` in `0.0..=1.0`, *not*
    /// 0 to 100.
    ///
    /// ```
    /// # #![allow(deprecated)]
    /// let p = tencent_cos::transfer::ProgressInfo::new(1, 4, 0.0);
    /// assert_eq!((p.percent(), p.fraction * 100.0), (0.25, 25.0));
    /// ```
    #[deprecated(note = "a fraction in 0.0..=1.0, not a percentage: use the `fraction` field")]
    pub fn percent(&self) -> f64 {
        self.fraction
    }
}

/// A progress callback.
pub type ProgressCallback = Arc<dyn Fn(&ProgressInfo) + Send + Sync>;

/// How far back `speed` looks.
const SPEED_WINDOW: Duration = Duration::from_secs(1);

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
    /// Bytes added by this process (reused parts excluded): what `speed` measures.
    moved: u64,
    /// `(when, moved)` counts, oldest first: the newest one at least [`SPEED_WINDOW`] old,
    /// then every later one.
    samples: VecDeque<(Instant, u64)>,
    /// `None` until known (a copy or download learns it from HEAD once it runs).
    total: Option<u64>,
    last_emit: Option<Instant>,
    finished: bool,
}

/// Counts bytes from any thread and calls the callback, throttled.
pub(crate) struct ProgressTracker {
    interval: Duration,
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
        let started = Instant::now();
        ProgressTracker {
            interval,
            callback,
            state: Mutex::new(State {
                loaded: 0,
                moved: 0,
                samples: VecDeque::from([(started, 0)]),
                total: None,
                last_emit: None,
                finished: false,
            }),
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
        self.add_at(bytes, Instant::now());
    }

    fn add_at(&self, bytes: u64, now: Instant) {
        let report = {
            let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
            // An unknown total (a stream of unknown length) does not cap what is counted.
            s.loaded = match s.total {
                Some(total) => (s.loaded + bytes).min(total),
                None => s.loaded + bytes,
            };
            s.moved += bytes;
            let moved = s.moved;
            s.samples.push_back((now, moved));
            while s.samples.len() > 1 && s.samples[1].0 + SPEED_WINDOW <= now {
                s.samples.pop_front();
            }
            let due = s.last_emit.is_none_or(|t| now.saturating_duration_since(t) >= self.interval);
            if due && !s.finished && s.total.is_none_or(|total| s.loaded < total) {
                s.last_emit = Some(now);
                Some(self.info_at(&s, now))
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
        self.info_at(s, Instant::now())
    }

    fn info_at(&self, s: &State, now: Instant) -> ProgressInfo {
        let loaded = s.loaded;
        // From the newest count at least a window old (or the oldest one) to now.
        let anchor = s.samples.iter().rev().find(|(t, _)| *t + SPEED_WINDOW <= now).or(s.samples.front());
        let speed = match anchor {
            Some(&(t, moved)) if now > t => {
                let secs = now.duration_since(t).as_secs_f64();
                (((s.moved - moved) as f64 / secs) * 100.0).round() / 100.0
            }
            _ => 0.0,
        };
        ProgressInfo { loaded, total: s.total.unwrap_or(0), speed, fraction: fraction_of(loaded, s.total) }
    }

    /// The current state as a report (for task lists).
    pub(crate) fn snapshot(&self) -> ProgressInfo {
        self.info(&self.state.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

/// `loaded / total` to the hundredth, rounded down; 0.0 while the total is unknown, 1.0 for 0.
fn fraction_of(loaded: u64, total: Option<u64>) -> f64 {
    match total {
        None => 0.0,
        Some(0) => 1.0,
        Some(total) => ((loaded as f64 / total as f64) * 100.0).floor() / 100.0,
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
        assert_eq!((seen[1].loaded, seen[1].fraction), (1000, 1.0));
    }

    #[test]
    fn speed_is_the_rate_over_the_last_second_not_the_average() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let s = seen.clone();
        let cb: ProgressCallback = Arc::new(move |p: &ProgressInfo| s.lock().unwrap().push(*p));
        let t = ProgressTracker::new(100_000_000, Duration::ZERO, Some(cb));
        let t0 = t.state.lock().unwrap().samples[0].0;
        let at = |ms: u64| t0 + Duration::from_millis(ms);
        // 10 MB in the first 100 ms, then 1 MB a second.
        t.add_at(10_000_000, at(100));
        t.add_at(1_000_000, at(2000));
        t.add_at(1_000_000, at(3000));
        t.add_at(500_000, at(3500));
        let seen = seen.lock().unwrap();
        // 10 MB over 0.1 s from the start; then from the newest count a second old.
        assert_eq!(seen[0].speed, 100_000_000.0);
        assert_eq!(seen[1].speed, 526_315.79, "1 MB over the 1.9 s since the count at 100 ms: {seen:?}");
        assert_eq!(seen[2].speed, 1_000_000.0);
        assert_eq!(seen[3].speed, 1_000_000.0, "1.5 MB over the 1.5 s since the count at 2 s");
        assert!(seen[3].speed < 12_500_000.0 / 3.5, "not the average since the start");
        // A resumed run's reused bytes raise `loaded`, not the speed: nothing moved since 3.5 s.
        t.resume_from(50_000_000);
        let state = t.state.lock().unwrap();
        assert_eq!(t.info_at(&state, at(4500)).speed, 0.0);
        assert_eq!(t.info_at(&state, at(4500)).loaded, 50_000_000);
    }

    #[test]
    fn an_empty_transfer_is_complete() {
        let t = ProgressTracker::new(0, Duration::ZERO, None);
        assert_eq!(t.snapshot().fraction, 1.0);
    }

    #[test]
    fn an_unknown_total_is_0_percent_until_set() {
        let t = ProgressTracker::total_unknown(Duration::ZERO, None);
        assert_eq!((t.snapshot().total, t.snapshot().fraction), (0, 0.0));
        t.set_total(10);
        t.add(5);
        assert_eq!((t.snapshot().loaded, t.snapshot().total, t.snapshot().fraction), (5, 10, 0.5));
    }
}
