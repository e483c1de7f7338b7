//! Runs the parts of one transfer on the shared part workers, at most `limit` in flight, with
//! per-part retries; stops starting new parts once the task is paused or cancelled.

use std::sync::Arc;
use std::time::Duration;

use crossbeam_channel::unbounded;

use crate::error::{Error, Result};
use crate::retry::RetryPolicy;
use crate::transfer::pool::WorkerPool;
use crate::transfer::task::TaskCore;

/// How a batch of parts ended.
pub(crate) enum PartsOutcome<R> {
    /// Every part succeeded; results in completion order.
    Done(Vec<R>),
    /// Pause or cancel was asked for; the parts that finished before that.
    Stopped(Vec<R>),
    /// A part failed after its retries; the parts that finished.
    Failed(Error, Vec<R>),
}

/// A part's work: called with the part, on a part worker; retried by the scheduler.
pub(crate) type PartWork<J, R> = Arc<dyn Fn(&J) -> Result<R> + Send + Sync>;

/// Retries of one part: ChunkRetryTimes extra attempts, backing off between them. Integrity
/// failures (a CRC mismatch) and retryable transport or 5xx errors are retried; a 4xx is not.
pub(crate) fn with_retries<R>(retries: u32, mut attempt: impl FnMut() -> Result<R>) -> Result<R> {
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
                std::thread::sleep(backoff.backoff(tries));
            }
            Err(e) => return Err(e),
        }
    }
}

/// Runs `jobs` through `work` on `pool`, at most `limit` at once; `on_done` sees each result as
/// it arrives (progress). Blocks the calling thread, which must not be a worker of `pool`.
pub(crate) fn run_parts<J, R>(
    pool: &WorkerPool,
    task: &TaskCore,
    jobs: Vec<J>,
    limit: usize,
    retries: u32,
    work: PartWork<J, R>,
    mut on_done: impl FnMut(&R),
) -> PartsOutcome<R>
where
    J: Send + 'static,
    R: Send + 'static,
{
    let (tx, rx) = unbounded::<Result<R>>();
    let mut pending = jobs.into_iter();
    let mut in_flight = 0usize;
    let mut done = Vec::new();
    let mut failure: Option<Error> = None;
    let limit = limit.max(1);
    loop {
        while failure.is_none() && !task.should_stop() && in_flight < limit {
            let Some(job) = pending.next() else { break };
            let (tx, work) = (tx.clone(), work.clone());
            let submitted = pool.submit(move || {
                let result = with_retries(retries, || work(&job));
                let _ = tx.send(result);
            });
            if !submitted {
                failure = Some(Error::Cancelled);
                break;
            }
            in_flight += 1;
        }
        if in_flight == 0 {
            break;
        }
        match rx.recv() {
            Ok(Ok(r)) => {
                on_done(&r);
                done.push(r);
            }
            Ok(Err(e)) => {
                failure.get_or_insert(e);
            }
            Err(_) => {
                failure.get_or_insert(Error::Cancelled);
                break;
            }
        }
        in_flight -= 1;
    }
    match failure {
        Some(e) => PartsOutcome::Failed(e, done),
        None if pending.next().is_some() => PartsOutcome::Stopped(done),
        None => PartsOutcome::Done(done),
    }
}
