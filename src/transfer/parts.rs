//! Runs the parts of one transfer on the shared part workers, at most `limit` in flight, with
//! per-part retries; stops starting new parts once the task is paused or cancelled.

use std::sync::Arc;
use std::time::Duration;

use crossbeam_channel::unbounded;

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
    if pool.is_worker() {
        // Waiting on parts from one of the workers that must run them could deadlock.
        return PartsOutcome {
            done: Vec::new(),
            end: PartsEnd::Failed(Error::invalid_state("task", "a transfer cannot wait for parts on a part worker")),
        };
    }
    let (tx, rx) = unbounded::<Result<R>>();
    let mut pending = jobs.into_iter();
    let mut in_flight = 0usize;
    let mut done = Vec::new();
    let mut failure: Option<Error> = None;
    let limit = limit.max(1);
    loop {
        while failure.is_none() && !task.should_stop() && in_flight < limit {
            let Some(job) = pending.next() else { break };
            let (tx, work, cancel) = (tx.clone(), work.clone(), task.cancel_token());
            let submitted = pool.submit(move || {
                let result = with_retries_until(retries, &cancel, || work(&job));
                // Let go of the work (it holds the client) before the coordinator hears back.
                drop((work, job));
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
    let end = match failure {
        Some(e) => PartsEnd::Failed(e),
        None if pending.next().is_some() => PartsEnd::Stopped,
        None => PartsEnd::Complete,
    };
    PartsOutcome { done, end }
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
