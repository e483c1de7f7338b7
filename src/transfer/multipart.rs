//! The steps multipart upload and multipart copy share: settling a batch of parts that ended
//! early (cancel or failure abort the upload, pause keeps it for `restart`) and completing with
//! retries (aborting when that fails), so that no upload is left behind to bill.

use std::any::Any;

use crate::api::multipart::MultipartAbortInput;
use crate::api::multipart_complete::{CompletedPart, MultipartCompleteInput, MultipartCompleteOutput};
use crate::client::{Bucket, Client};
use crate::error::{Error, Result};
use crate::transfer::BucketAddress;
use crate::transfer::parts::{PartsEnd, with_retries};
use crate::transfer::task::TaskCore;

/// Aborts an upload, best effort: the transfer is failing already, and a leftover upload is
/// found and reused (upload) or aborted by the next run.
pub(crate) fn abort(bucket: &Bucket, key: &str, upload_id: &str) {
    let _ = bucket.execute(MultipartAbortInput { key: key.to_owned(), upload_id: upload_id.to_owned() });
}

/// After `run_parts`: `Ok(true)` when every part is done; `Ok(false)` when paused, the upload
/// kept on the server, `keep()` stored as the task's resume state and cancelling later aborting
/// it; `Err` when cancelled or failed, the upload aborted.
pub(crate) fn settle_parts(
    end: PartsEnd,
    bucket: &Bucket,
    task: &TaskCore,
    key: &str,
    upload_id: &str,
    keep: impl FnOnce() -> Box<dyn Any + Send>,
) -> Result<bool> {
    match end {
        PartsEnd::Complete => Ok(true),
        PartsEnd::Stopped if task.is_cancelled() => {
            abort(bucket, key, upload_id);
            Err(Error::Cancelled)
        }
        PartsEnd::Stopped => {
            let (address, key, id) = (BucketAddress::of(bucket), key.to_owned(), upload_id.to_owned());
            *task.cancel_cleanup.lock().unwrap_or_else(|p| p.into_inner()) =
                Some(Box::new(move |client: &Client| abort(&address.on(client), &key, &id)));
            *task.resume.lock().unwrap_or_else(|p| p.into_inner()) = Some(keep());
            Ok(false)
        }
        PartsEnd::Failed(e) => {
            abort(bucket, key, upload_id);
            Err(e)
        }
    }
}

/// Completes an upload from `(part number, ETag)` pairs sorted by number, retried
/// ChunkRetryTimes times; aborts the upload when it still fails.
pub(crate) fn complete_or_abort(
    bucket: &Bucket,
    key: &str,
    upload_id: &str,
    parts: impl IntoIterator<Item = (u32, String)>,
) -> Result<MultipartCompleteOutput> {
    let complete = MultipartCompleteInput {
        key: key.to_owned(),
        upload_id: upload_id.to_owned(),
        parts: parts.into_iter().map(|(part_number, etag)| CompletedPart { part_number, etag }).collect(),
    };
    let retries = bucket.client().config().chunk_retry_times;
    with_retries(retries, || bucket.execute(complete.clone())).inspect_err(|_| abort(bucket, key, upload_id))
}
