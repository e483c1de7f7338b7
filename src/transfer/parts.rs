//! Runs the parts of one transfer on the shared part workers, at most `limit` in flight, with
//! per-part retries; stops starting new parts once the task is paused or cancelled.

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use crate::error::{Error, Result};
use crate::retry::RetryPolicy;
use crate::transfer::pool::WorkerPool;
use crate::transfer::task::TaskCore;

/// A part of a transfer: its number (1-based), where it starts, how long it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct PlannedPart {
    pub(crate) number: u32,
    pub(crate) offset: u64,
    pub(crate) len: u64,
}

impl PlannedPart {
    /// The last byte of the part (inclusive), for a `Range`; the part is never empty.
    pub(crate) fn last_byte(&self) -> u64 {
        self.offset + self.len.max(1) - 1
    }
}

/// Checks a transfer's part options before anything is queued: a part size (`field`) of at
/// least 1 MiB, and at least one part in flight.
pub(crate) fn check_part_options(field: &'static str, part_size: u64, async_limit: Option<usize>) -> Result<()> {
    if part_size < 1024 * 1024 {
        return Err(Error::invalid(field, format!("{part_size} bytes is below the 1 MiB minimum")));
    }
    if async_limit == Some(0) {
        return Err(Error::invalid("async_limit", "must be at least 1"));
    }
    Ok(())
}

/// `size` bytes cut into parts of `part_size` (the last one shorter); one empty part for an
/// empty object.
pub(crate) fn plan(size: u64, part_size: u64) -> Vec<PlannedPart> {
    let part_size = part_size.max(1);
    let count = size.div_ceil(part_size).max(1);
    (0..count)
        .map(|i| PlannedPart { number: i as u32 + 1, offset: i * part_size, len: part_size.min(size - i * part_size) })
        .collect()
}

/// The CRC-64 of consecutive pieces given as `(crc, len)`, in order: no second pass over data.
pub(crate) fn combine_crcs(pieces: impl IntoIterator<Item = (u64, u64)>) -> u64 {
    pieces.into_iter().fold(0, |acc, (crc, len)| crate::checksum::crc64_combine(acc, crc, len))
}

/// A 412 to the `If-Match` carrying the ETag seen by HEAD: the object is no longer the one the
/// transfer started with. Said plainly (`what` names it), as an [`Error::Integrity`]; other
/// errors pass unchanged.
pub(crate) fn changed_since_head(e: Error, what: &str, etag: &str) -> Error {
    if e.is_precondition_failed() {
        Error::integrity(what, "ETag", etag, "a different object (412 to If-Match)")
            .with_note("it changed while it was being transferred; start again")
    } else {
        e
    }
}

/// How a batch of parts ended.
pub(crate) enum PartsEnd {
    /// Every part succeeded.
    Complete,
    /// Pause or cancel was asked for (see [`TaskCore::is_cancelled`]).
    Stopped,
    /// A part failed after its retries.
    Failed(Error),
}

/// The parts that finished (in completion order) and how the batch ended.
pub(crate) struct PartsOutcome<R> {
    pub(crate) done: Vec<R>,
    pub(crate) end: PartsEnd,
}

/// A part's work: called with the part, on a part worker; retried by the scheduler.
pub(crate) type PartWork<J, R> = Arc<dyn Fn(&J) -> Result<R> + Send + Sync>;

/// Retries of one part: ChunkRetryTimes extra attempts, backing off between them. Integrity
/// failures (a CRC mismatch) and retryable transport or 5xx errors are retried; a 4xx is not.
pub(crate) fn with_retries<R>(retries: u32, attempt: impl FnMut() -> Result<R>) -> Result<R> {
    retry_loop(retries, None, attempt)
}

/// As [`with_retries`], ending with [`Error::Cancelled`] at once when `cancel` is raised
/// during a backoff. The attempt itself checks `cancel` (it passes the token to its call), so
/// it is not checked here a second time.
pub(crate) fn with_retries_until<R>(
    retries: u32,
    cancel: &crate::CancelToken,
    attempt: impl FnMut() -> Result<R>,
) -> Result<R> {
    retry_loop(retries, Some(cancel), attempt)
}

fn retry_loop<R>(
    retries: u32,
    cancel: Option<&crate::CancelToken>,
    mut attempt: impl FnMut() -> Result<R>,
) -> Result<R> {
    let backoff = RetryPolicy {
        max_retries: retries,
        initial_backoff: Duration::from_millis(200),
        max_backoff: Duration::from_secs(5),
    };
    let mut tries = 0;
    loop {
        match attempt() {
            Ok(r) => return Ok(r),
            Err(e) if tries < retries && (e.is_retryable() || matches!(e, Error::Integrity(_) | Error::Io(_))) => {
                tries += 1;
                match cancel {
                    Some(cancel) => cancel.sleep(backoff.backoff(tries))?,
                    None => std::thread::sleep(backoff.backoff(tries)),
                }
            }
            Err(e) => return Err(e),
        }
    }
}

/// Runs `jobs` through `work` on `pool`, at most `limit` at once; `on_done` sees each result as
/// it arrives (progress). Blocks the calling thread, which must not be a worker of `pool`.
/// Stops starting parts once the task is paused or cancelled.
pub(crate) fn run_parts<J, R>(
    pool: &WorkerPool,
    task: &TaskCore,
    jobs: Vec<J>,
    limit: usize,
    retries: u32,
    work: PartWork<J, R>,
    on_done: impl FnMut(&R),
) -> PartsOutcome<R>
where
    J: Send + 'static,
    R: Send + 'static,
{
    let control = PartsControl { stop: &|| task.should_stop(), cancel: task.cancel_token() };
    run_part_jobs(pool, &control, jobs.into_iter().map(Ok), limit, retries, work, on_done)
}

/// When a batch of parts stops starting new ones, and the token its retries and requests
/// watch.
pub(crate) struct PartsControl<'a> {
    /// True once no new part should start (pause or cancel).
    pub(crate) stop: &'a dyn Fn() -> bool,
    pub(crate) cancel: crate::CancelToken,
}

/// The one loop behind every batch of parts: takes jobs from `jobs` only as slots free up (so
/// a lazy iterator, such as parts read from a stream, is read no further ahead than one job
/// beyond the `limit` in flight: the next one is prepared while the others run), runs each
/// through `work` with its retries on `pool`, and collects the results. An `Err` from `jobs`
/// (a part that could not be prepared) ends the batch like a failed part: no new part starts,
/// the ones in flight are waited for.
pub(crate) fn run_part_jobs<J, R>(
    pool: &WorkerPool,
    control: &PartsControl<'_>,
    jobs: impl IntoIterator<Item = Result<J>>,
    limit: usize,
    retries: u32,
    work: PartWork<J, R>,
    mut on_done: impl FnMut(&R),
) -> PartsOutcome<R>
where
    J: Send + 'static,
    R: Send + 'static,
{
    if pool.is_worker() {
        // Waiting on parts from one of the workers that must run them could deadlock.
        return PartsOutcome {
            done: Vec::new(),
            end: PartsEnd::Failed(Error::invalid_state("task", "a transfer cannot wait for parts on a part worker")),
        };
    }
    let inbox = Arc::new(Inbox::default());
    let mut pending = jobs.into_iter().peekable();
    let mut in_flight = 0usize;
    let mut done = Vec::new();
    let mut failure: Option<Error> = None;
    let limit = limit.max(1);
    loop {
        while failure.is_none() && !(control.stop)() && in_flight < limit {
            let job = match pending.next() {
                None => break,
                Some(Err(e)) => {
                    failure = Some(e);
                    break;
                }
                Some(Ok(job)) => job,
            };
            let (reply, work, cancel) = (Reply::new(&inbox), work.clone(), control.cancel.clone());
            let submitted = pool.submit(move || {
                let result = with_retries_until(retries, &cancel, || work(&job));
                // Let go of the work (it holds the client) and the job (it may hold a buffer
                // to give back) before the coordinator hears back.
                drop((work, job));
                reply.send(result);
            });
            if !submitted {
                failure = Some(Error::Cancelled);
                break;
            }
            in_flight += 1;
            if in_flight == limit && !(control.stop)() {
                // Prepare the next job while the parts in flight run.
                pending.peek();
            }
        }
        if in_flight == 0 {
            break;
        }
        match inbox.recv() {
            Ok(r) => {
                on_done(&r);
                done.push(r);
            }
            Err(e) => {
                failure.get_or_insert(e);
            }
        }
        in_flight -= 1;
    }
    let end = match failure {
        Some(e) => PartsEnd::Failed(e),
        None if pending.peek().is_some() => PartsEnd::Stopped,
        None => PartsEnd::Complete,
    };
    PartsOutcome { done, end }
}

/// Where the part workers leave their results for the coordinator: a queue under a mutex and a
/// condition variable. The waiting coordinator sleeps in the kernel at once (a channel's
/// receive first spins and yields the CPU, measured as 1,000s of `sched_yield` a GiB on 2
/// cores shared with the transfer's own workers).
struct Inbox<R> {
    results: Mutex<VecDeque<Result<R>>>,
    arrived: Condvar,
}

impl<R> Default for Inbox<R> {
    fn default() -> Self {
        Inbox { results: Mutex::new(VecDeque::new()), arrived: Condvar::new() }
    }
}

impl<R> Inbox<R> {
    fn push(&self, result: Result<R>) {
        self.results.lock().unwrap_or_else(|p| p.into_inner()).push_back(result);
        self.arrived.notify_one();
    }

    /// The next result, waiting for it (every submitted job sends exactly one, see [`Reply`]).
    fn recv(&self) -> Result<R> {
        let mut results = self.results.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if let Some(r) = results.pop_front() {
                return r;
            }
            results = self.arrived.wait(results).unwrap_or_else(|p| p.into_inner());
        }
    }
}

/// A job's way back to its [`Inbox`]: exactly one result, also when the job panics (the pool
/// catches the panic and drops the job, and with it this, which then reports it), so the
/// coordinator never waits for a result that will not come.
struct Reply<R> {
    inbox: Option<Arc<Inbox<R>>>,
}

impl<R> Reply<R> {
    fn new(inbox: &Arc<Inbox<R>>) -> Self {
        Reply { inbox: Some(inbox.clone()) }
    }

    fn send(mut self, result: Result<R>) {
        if let Some(inbox) = self.inbox.take() {
            inbox.push(result);
        }
    }
}

impl<R> Drop for Reply<R> {
    fn drop(&mut self) {
        if let Some(inbox) = self.inbox.take() {
            inbox
                .push(Err(Error::CallbackPanicked { callback: "part work", message: "a part's work panicked".into() }));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_cover_the_object_exactly() {
        let parts = plan(10, 4);
        let spans: Vec<(u32, u64, u64)> = parts.iter().map(|p| (p.number, p.offset, p.len)).collect();
        assert_eq!(spans, [(1, 0, 4), (2, 4, 4), (3, 8, 2)]);
        assert_eq!(parts[2].last_byte(), 9);
        assert_eq!(plan(8, 4).len(), 2);
        let empty = plan(0, 4);
        assert_eq!((empty.len(), empty[0].len), (1, 0));
    }

    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Runs `run_part_jobs` on a thread of its own and waits at most 20 s for it: a loop that
    /// lost a result would hang, and the test must say so rather than hang too.
    fn run_bounded<R: Send + 'static>(
        jobs: impl Iterator<Item = Result<u32>> + Send + 'static,
        limit: usize,
        work: PartWork<u32, R>,
        on_done: impl FnMut(&R) + Send + 'static,
    ) -> PartsOutcome<R> {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let pool = WorkerPool::new("parts-test", 4, 4);
            let control = PartsControl { stop: &|| false, cancel: crate::CancelToken::new() };
            let _ = tx.send(run_part_jobs(&pool, &control, jobs, limit, 0, work, on_done));
        });
        rx.recv_timeout(Duration::from_secs(20)).expect("run_part_jobs returned within 20 s")
    }

    #[test]
    fn a_lazy_job_list_is_read_one_job_ahead_of_the_parts_in_flight_and_no_further() {
        let (produced, seen, most_ahead) =
            (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let jobs = {
            let (produced, seen, most_ahead) = (produced.clone(), seen.clone(), most_ahead.clone());
            (1..=10u32).map(move |n| {
                // Jobs made and not yet reported back: those in flight plus the one made ahead.
                let ahead = produced.fetch_add(1, Ordering::SeqCst) + 1 - seen.load(Ordering::SeqCst);
                most_ahead.fetch_max(ahead, Ordering::SeqCst);
                Ok(n)
            })
        };
        let work: PartWork<u32, u32> = Arc::new(|n: &u32| {
            std::thread::sleep(Duration::from_millis(5));
            Ok(*n * 10)
        });
        let on_done = move |_: &u32| {
            seen.fetch_add(1, Ordering::SeqCst);
        };
        let outcome = run_bounded(jobs, 2, work, on_done);
        assert!(matches!(outcome.end, PartsEnd::Complete));
        let mut done = outcome.done;
        done.sort();
        assert_eq!(done, (1..=10).map(|n| n * 10).collect::<Vec<u32>>());
        assert_eq!(produced.load(Ordering::SeqCst), 10);
        assert_eq!(most_ahead.load(Ordering::SeqCst), 3, "2 in flight and 1 prepared, never more");
    }

    #[test]
    fn a_job_that_cannot_be_prepared_ends_the_batch_after_the_parts_in_flight() {
        let produced = Arc::new(AtomicUsize::new(0));
        let jobs = {
            let produced = produced.clone();
            (1..=5u32).map(move |n| {
                produced.fetch_add(1, Ordering::SeqCst);
                if n == 3 { Err(Error::invalid("part_size", "job 3 could not be read")) } else { Ok(n) }
            })
        };
        let work: PartWork<u32, u32> = Arc::new(|n: &u32| Ok(*n));
        let outcome = run_bounded(jobs, 1, work, |_: &u32| {});
        match outcome.end {
            PartsEnd::Failed(Error::InvalidArgument { field: "part_size", reason }) => {
                assert_eq!(reason, "job 3 could not be read")
            }
            _ => panic!("expected the preparation error"),
        }
        assert_eq!(outcome.done, [1, 2]);
        assert_eq!(produced.load(Ordering::SeqCst), 3, "nothing is read after the error");
    }

    #[test]
    fn a_panicking_part_is_reported_instead_of_waited_for_forever() {
        let work: PartWork<u32, u32> = Arc::new(|n: &u32| if *n == 2 { panic!("part 2 panics") } else { Ok(*n) });
        let outcome = run_bounded((1..=3u32).map(Ok), 1, work, |_: &u32| {});
        match outcome.end {
            PartsEnd::Failed(Error::CallbackPanicked { callback: "part work", .. }) => {}
            _ => panic!("expected the panic as an error"),
        }
        assert_eq!(outcome.done, [1]);
    }

    #[test]
    fn combined_crcs_equal_the_crc_of_the_whole() {
        let data: Vec<u8> = (0..1000u32).map(|i| (i * 7) as u8).collect();
        let pieces = plan(1000, 300).into_iter().map(|p| {
            let bytes = &data[p.offset as usize..(p.offset + p.len) as usize];
            (crate::checksum::crc64(bytes), p.len)
        });
        assert_eq!(combine_crcs(pieces), crate::checksum::crc64(&data));
    }
}
