//! The steps multipart upload and multipart copy share: settling a batch of parts that ended
//! early (cancel aborts the upload; pause and a failed part keep it for `restart`, and a cancel
//! of the task later aborts it) and completing with retries (aborting when that fails), so that
//! no upload is left behind to bill that the task does not know of.

use std::any::Any;

use crate::api::multipart::{MultipartInitInput, MultipartInitOutput};
use crate::api::multipart_complete::{CompletedPart, MultipartCompleteInput, MultipartCompleteOutput};
use crate::api::object_head::HeadObjectInput;
use crate::client::{Bucket, Client};
use crate::error::{Error, Result};
use crate::transfer::BucketAddress;
use crate::transfer::cleanup::{abort_upload, sweep_uploads_since};
use crate::transfer::parts::{PartsEnd, with_retries};
use crate::transfer::task::TaskCore;

/// Aborts an upload (retried; already gone counts as aborted) and any upload of `key` this run
/// may have made unknowingly since `since` (an Initiate whose answer was lost).
pub(crate) fn abort(bucket: &Bucket, key: &str, upload_id: &str, since: u64) {
    let _ = abort_upload(bucket, key, upload_id);
    sweep_uploads_since(bucket, key, since, None);
}

/// One run of a multipart transfer: when it started, by the server's clock less a second of
/// rounding (uploads of the key initiated from then on may be this run's), and whether it sent
/// an Initiate at all.
pub(crate) struct RunMark {
    pub(crate) since: u64,
    initiated: std::cell::Cell<bool>,
    /// The upload a run that failed in its parts keeps for `restart` (the sweep spares it).
    kept: std::cell::RefCell<Option<String>>,
}

impl RunMark {
    pub(crate) fn start(bucket: &Bucket) -> Self {
        RunMark {
            since: bucket.client().now().saturating_sub(1),
            initiated: std::cell::Cell::new(false),
            kept: std::cell::RefCell::new(None),
        }
    }
}

/// A run's result, after making sure a failed run that sent an Initiate leaves no upload of
/// `key` behind but the one it keeps for `restart`, not even one whose answer never arrived.
pub(crate) fn sweep_on_error<T>(bucket: &Bucket, key: &str, run: &RunMark, result: Result<T>) -> Result<T> {
    if result.is_err() && run.initiated.get() {
        sweep_uploads_since(bucket, key, run.since, run.kept.borrow().as_deref());
    }
    result
}

/// Initiates an upload, retried ChunkRetryTimes times. A failure that may have reached COS (a
/// timeout, a lost or garbled answer) sweeps what it may have made before the next try, so no
/// twin upload is left behind.
pub(crate) fn initiate(bucket: &Bucket, input: MultipartInitInput, run: &RunMark) -> Result<MultipartInitOutput> {
    let (key, since) = (input.key.clone(), run.since);
    run.initiated.set(true);
    with_retries(bucket.client().config().chunk_retry_times, || {
        bucket.execute(input.clone()).inspect_err(|e| {
            if e.transport_kind().is_some() || matches!(e, Error::Io(_) | Error::Xml(_)) {
                sweep_uploads_since(bucket, &key, since, None);
            }
        })
    })
}

/// After `run_parts`: `Ok(true)` when every part is done. Otherwise a cancelled task aborts the
/// upload (`Err(Cancelled)`); a paused one (`Ok(false)`) or one whose part failed (`Err`, the
/// task goes to Error) keeps it on the server, stores `keep()` as the task's resume state for
/// `restart`, and makes a later `cancel` abort it.
pub(crate) fn settle_parts(
    end: PartsEnd,
    bucket: &Bucket,
    task: &TaskCore,
    key: &str,
    upload_id: &str,
    run: &RunMark,
    keep: impl FnOnce() -> Box<dyn Any + Send>,
) -> Result<bool> {
    let since = run.since;
    let keep_for_restart = |resume: Box<dyn Any + Send>| {
        let (address, key, id) = (BucketAddress::of(bucket), key.to_owned(), upload_id.to_owned());
        *task.cancel_cleanup.lock().unwrap_or_else(|p| p.into_inner()) =
            Some(Box::new(move |client: &Client| abort(&address.on(client), &key, &id, since)));
        *task.resume.lock().unwrap_or_else(|p| p.into_inner()) = Some(resume);
    };
    match end {
        PartsEnd::Complete => Ok(true),
        // A cancelled part ends as Failed(Cancelled): the cancel decides, whatever the end.
        _ if task.is_cancelled() => {
            abort(bucket, key, upload_id, since);
            Err(Error::Cancelled)
        }
        PartsEnd::Stopped => {
            keep_for_restart(keep());
            Ok(false)
        }
        PartsEnd::Failed(e) => {
            keep_for_restart(keep());
            *run.kept.borrow_mut() = Some(upload_id.to_owned());
            Err(e)
        }
    }
}

/// Puts back a resume state a run took but could not use (it failed or was paused while it
/// checked the kept upload): `restart` and `cancel` still find it.
pub(crate) fn put_back_resume(task: &TaskCore, resume: Box<dyn Any + Send>) {
    *task.resume.lock().unwrap_or_else(|p| p.into_inner()) = Some(resume);
}

/// True when two ETags are the same, quotes and case aside.
pub(crate) fn same_etag(a: &str, b: &str) -> bool {
    a.trim_matches('"').eq_ignore_ascii_case(b.trim_matches('"'))
}

/// Completes an upload from `(part number, ETag)` pairs sorted by number, retried
/// ChunkRetryTimes times; aborts the upload when it still fails. A retried Complete that finds
/// the upload gone (the first one succeeded, its answer was lost) is a success when the object
/// is there with `expected_crc`.
pub(crate) fn complete_or_abort(
    bucket: &Bucket,
    key: &str,
    upload_id: &str,
    since: u64,
    expected_crc: Option<u64>,
    parts: impl IntoIterator<Item = (u32, String)>,
) -> Result<MultipartCompleteOutput> {
    let complete = MultipartCompleteInput {
        key: key.to_owned(),
        upload_id: upload_id.to_owned(),
        parts: parts.into_iter().map(|(part_number, etag)| CompletedPart { part_number, etag }).collect(),
    };
    let retries = bucket.client().config().chunk_retry_times;
    match with_retries(retries, || bucket.execute(complete.clone())) {
        Err(e) if e.is_not_found() => expected_crc.and_then(|crc| completed_elsewhere(bucket, key, crc)).ok_or(e),
        other => other,
    }
    .inspect_err(|_| abort(bucket, key, upload_id, since))
}

/// The object as a Complete whose answer was lost left it: present, with the expected CRC-64.
fn completed_elsewhere(bucket: &Bucket, key: &str, crc: u64) -> Option<MultipartCompleteOutput> {
    let head = bucket.execute(HeadObjectInput { key: key.to_owned(), ..Default::default() }).ok()?;
    (head.properties.crc64 == Some(crc)).then(|| MultipartCompleteOutput {
        etag: head.properties.etag.clone().unwrap_or_default(),
        crc64: Some(crc),
        meta: head.meta,
        ..Default::default()
    })
}
