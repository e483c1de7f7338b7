//! Leaving nothing to bill: aborting an upload for sure, sweeping the uploads a lost answer may
//! have created (an `Initiate` that reached COS but whose answer never came back leaves an
//! upload nobody knows the id of), and [`Bucket::abort_incomplete_uploads`] for the uploads
//! that failed transfers kept for a `restart` that never came.

use std::time::Duration;

use crate::api::multipart::MultipartAbortInput;
use crate::api::multipart_list::Upload;
use crate::client::Bucket;
use crate::error::{Error, Result};

/// Attempts at aborting or listing before giving up; each attempt also has the client's own
/// retries of 5xx answers and broken connections.
const ATTEMPTS: u32 = 5;

/// Aborts an upload, retrying; an upload already gone (404 NoSuchUpload) counts as aborted.
pub(crate) fn abort_upload(bucket: &Bucket, key: &str, upload_id: &str) -> Result<()> {
    let mut last = Ok(());
    for _ in 0..ATTEMPTS {
        match bucket.execute(MultipartAbortInput { key: key.to_owned(), upload_id: upload_id.to_owned() }) {
            Ok(_) => return Ok(()),
            Err(e) if e.is_not_found() => return Ok(()),
            Err(e) => last = Err(e),
        }
    }
    last
}

/// Aborts every upload of exactly `key` initiated at or after `since` (Unix seconds, server
/// clock), except `keep`. Uploads started by anyone else before this transfer are left alone;
/// one started by another writer of the same key during this transfer is aborted too, which
/// makes that writer fail rather than both racing to overwrite the key.
pub(crate) fn sweep_uploads_since(bucket: &Bucket, key: &str, since: u64, keep: Option<&str>) {
    for upload in stable_uploads_of(bucket, key) {
        if Some(upload.upload_id.as_str()) == keep {
            continue;
        }
        let started = upload.initiated.as_deref().and_then(parse_iso8601);
        if started.is_some_and(|t| t >= since) {
            let _ = abort_upload(bucket, key, &upload.upload_id);
        }
    }
}

/// The uploads of exactly `key`, read until two listings agree: this runs after failures,
/// when the network has shown it can corrupt an answer, and a corrupted key would hide an
/// upload from the sweep.
fn stable_uploads_of(bucket: &Bucket, key: &str) -> Vec<Upload> {
    let mut previous: Option<Vec<Upload>> = None;
    for _ in 0..ATTEMPTS * 2 {
        let Ok(current) = uploads_of(bucket, key) else { continue };
        if previous.as_ref() == Some(&current) {
            return current;
        }
        previous = Some(current);
    }
    previous.unwrap_or_default()
}

/// Every unfinished upload of exactly `key` (the listing matches by prefix).
pub(crate) fn uploads_of(bucket: &Bucket, key: &str) -> Result<Vec<Upload>> {
    let mut uploads = bucket.multipart_list().prefix(key).all_uploads()?;
    uploads.retain(|u| u.key == key);
    Ok(uploads)
}

/// Builder of [`Bucket::abort_incomplete_uploads`].
#[must_use = "call .send() to abort the uploads"]
#[derive(Debug)]
pub struct AbortIncompleteUploads<'a> {
    bucket: &'a Bucket,
    prefix: String,
    older_than: Duration,
    page_size: Option<u32>,
}

/// What [`Bucket::abort_incomplete_uploads`] did.
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct AbortedUploads {
    /// `(key, upload id)` of every upload aborted (one already gone counts as aborted), in
    /// listing order.
    pub aborted: Vec<(String, String)>,
    /// The uploads that could not be aborted, each with its error; the others were still tried.
    pub failed: Vec<AbortFailure>,
}

/// An upload [`Bucket::abort_incomplete_uploads`] could not abort.
#[derive(Debug)]
#[non_exhaustive]
pub struct AbortFailure {
    /// The object key.
    pub key: String,
    /// The UploadId.
    pub upload_id: String,
    /// Why the abort failed (after its retries).
    pub error: Error,
}

impl Bucket {
    /// Aborts every unfinished multipart upload under `prefix` initiated at least `older_than`
    /// ago (by the server's clock as this client knows it): what failed or paused transfers
    /// kept for a `restart` that never came, and what other tools left. Lists all pages first,
    /// then aborts each upload (retried), going on past failures: the result names what was
    /// aborted and what could not be. An upload whose `Initiated` time cannot be read is left
    /// alone unless `older_than` is zero. A COS lifecycle rule (AbortIncompleteMultipartUpload)
    /// does the same on the server's side.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// let client = tencent_cos::Client::from_env()?;
    /// let bucket = client.bucket("examplebucket-1250000000");
    /// let done = bucket.abort_incomplete_uploads("backups/", Duration::from_secs(7 * 86_400)).send()?;
    /// for (key, upload_id) in &done.aborted {
    ///     println!("aborted {key} {upload_id}");
    /// }
    /// for failure in &done.failed {
    ///     eprintln!("{} {}: {}", failure.key, failure.upload_id, failure.error);
    /// }
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn abort_incomplete_uploads(
        &self,
        prefix: impl Into<String>,
        older_than: Duration,
    ) -> AbortIncompleteUploads<'_> {
        AbortIncompleteUploads { bucket: self, prefix: prefix.into(), older_than, page_size: None }
    }
}

impl AbortIncompleteUploads<'_> {
    /// Uploads per listing page (MaxUploads, 1..=1000; COS's default 1000 when unset).
    ///
    /// ```no_run
    /// # let client = tencent_cos::Client::from_env()?;
    /// # let bucket = client.bucket("examplebucket-1250000000");
    /// bucket.abort_incomplete_uploads("", std::time::Duration::ZERO).page_size(100).send()?;
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn page_size(mut self, uploads: u32) -> Self {
        self.page_size = Some(uploads);
        self
    }

    /// Lists every page, then aborts the uploads old enough. `Err` only when the listing
    /// fails (nothing was aborted then); failed aborts are in [`AbortedUploads::failed`].
    pub fn send(self) -> Result<AbortedUploads> {
        if let Some(n) = self.page_size
            && !(1..=1000).contains(&n)
        {
            return Err(Error::invalid("page_size", format!("{n} is outside 1..=1000")));
        }
        self.bucket.scope()?;
        let mut listing = self.bucket.multipart_list().prefix(self.prefix.clone());
        if let Some(n) = self.page_size {
            listing = listing.max_uploads(n);
        }
        let uploads = listing.all_uploads()?;
        let now = self.bucket.client().now();
        let old_enough = |u: &Upload| match u.initiated.as_deref().and_then(parse_iso8601) {
            Some(t) => t.saturating_add(self.older_than.as_secs()) <= now,
            None => self.older_than.is_zero(),
        };
        let mut done = AbortedUploads::default();
        for upload in uploads.into_iter().filter(old_enough) {
            match abort_upload(self.bucket, &upload.key, &upload.upload_id) {
                Ok(()) => done.aborted.push((upload.key, upload.upload_id)),
                Err(error) => done.failed.push(AbortFailure { key: upload.key, upload_id: upload.upload_id, error }),
            }
        }
        Ok(done)
    }
}

/// Formats Unix seconds as COS writes dates in XML and policies: `2023-11-14T22:13:20.000Z`
/// (the inverse of [`parse_iso8601`]).
pub(crate) fn format_iso8601(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.000Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// Howard Hinnant's days-to-civil algorithm (proleptic Gregorian).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Parses `2023-11-14T22:13:20.000Z` (fraction optional) into Unix seconds.
pub(crate) fn parse_iso8601(s: &str) -> Option<u64> {
    let b = s.as_bytes();
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> { s.get(r)?.parse().ok() };
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hh, mm, ss) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || hh > 23 || mm > 59 || ss > 60 {
        return None;
    }
    // Howard Hinnant's days_from_civil.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    u64::try_from(days * 86_400 + hh * 3600 + mm * 60 + ss).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso8601_dates_parse_to_unix_seconds() {
        assert_eq!(parse_iso8601("2023-11-14T22:13:20.000Z"), Some(1_700_000_000));
        assert_eq!(parse_iso8601("2000-02-29T00:00:00Z"), Some(951_782_400));
        assert_eq!(parse_iso8601("Wed Jan 18 16:04:17 2017"), None);
    }

    #[test]
    fn iso8601_formats_unix_seconds() {
        assert_eq!(format_iso8601(1_700_000_000), "2023-11-14T22:13:20.000Z");
    }
}
