//! `slice_upload_file`: resumable multipart upload of a local file, part by part from the file
//! at its offset, CRC-64 checked per part and for the whole object; `upload_file` picks a
//! simple put below SliceSize.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::api::multipart::{MultipartInitInput, MultipartUploadInput};
use crate::api::object_attributes::ObjectAttributes;
use crate::api::object_put::PutObjectInput;
use crate::checksum::{Crc64, hex};
use crate::client::{Bucket, CallOptions};
use crate::error::{Error, Result};
use crate::http::{Body, FileSlice, ReplayableBody};
use crate::transfer::cleanup::uploads_of;
use crate::transfer::multipart::{
    RunMark, complete_or_abort, initiate, put_back_resume, same_etag, settle_parts, sweep_on_error,
};
use crate::transfer::parts::{
    PartWork, PlannedPart, check_part_options, combine_crcs, plan, run_parts, with_retries_until,
};
use crate::transfer::progress::{ProgressCallback, ProgressInfo, ProgressTracker};
use crate::transfer::task::{RunOutcome, TaskCore, TaskHandle, TaskKind, TransferOutput, queue_task};

const MIB: u64 = 1024 * 1024;
/// COS's limit on parts per upload.
pub const MAX_PARTS: u64 = 10_000;
/// Part sizes tried, smallest first, until the file fits in [`MAX_PARTS`] (the JS SDK's list).
const PART_SIZES_MIB: [u64; 14] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 5120];

/// The part size for a file: at least `chunk_size`, grown through the JS SDK's list of sizes
/// until `size` fits in `max_parts` parts (MaxPartNumber, 10000 by default).
pub(crate) fn part_size_for(size: u64, chunk_size: u64, max_parts: u64) -> u64 {
    let max_parts = max_parts.max(1);
    let fit = PART_SIZES_MIB.iter().map(|m| m * MIB).find(|s| size.div_ceil(*s) <= max_parts).unwrap_or(5120 * MIB);
    chunk_size.max(fit)
}

pub use crate::transfer::task::TaskReadyCallback;

/// Callbacks and options of an upload, shared by the builder and the running task.
#[derive(Clone, Default)]
pub(crate) struct UploadOptions {
    pub(crate) chunk_size: Option<u64>,
    pub(crate) async_limit: Option<usize>,
    pub(crate) attributes: ObjectAttributes,
    pub(crate) part_content_md5: bool,
    pub(crate) on_progress: Option<ProgressCallback>,
    pub(crate) on_hash_progress: Option<ProgressCallback>,
    pub(crate) on_task_ready: Option<TaskReadyCallback>,
}

/// An uploaded part: what complete needs, and its CRC to combine.
#[derive(Clone, Debug)]
struct UploadedPart {
    number: u32,
    etag: String,
    crc64: u64,
    len: u64,
}

/// What a paused upload keeps for `restart`.
struct ResumeState {
    upload_id: String,
    uploaded: Vec<UploadedPart>,
}

/// Bytes read at a time where the upload reads the file itself (hashing, not sending).
const HASH_CHUNK: usize = 256 << 10;

/// CRC-64 and, when `with_md5`, MD5 of `len` bytes of `file` at `offset`, read in
/// [`HASH_CHUNK`] pieces (never a part-sized buffer).
fn hash_slice(file: &Arc<File>, offset: u64, len: u64, with_md5: bool) -> Result<(u64, Option<[u8; 16]>)> {
    use md5::Digest;
    let mut reader = FileSlice { file: file.clone(), offset, len }.reader();
    let mut buf = vec![0u8; HASH_CHUNK.min(len as usize)];
    let (mut crc, mut md5) = (Crc64::new(), with_md5.then(md5::Md5::new));
    loop {
        let n = match std::io::Read::read(&mut reader, &mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Err(file_got_shorter()),
            Err(e) => return Err(Error::Io(e)),
        };
        crc.update(&buf[..n]);
        if let Some(m) = md5.as_mut() {
            m.update(&buf[..n]);
        }
    }
    Ok((crc.finish(), md5.map(|m| m.finalize().into())))
}

fn file_got_shorter() -> Error {
    Error::Io(std::io::Error::new(
        std::io::ErrorKind::UnexpectedEof,
        "the file got shorter while it was being uploaded",
    ))
}

/// The body of a part streamed from the file: every send (a retry too) opens a fresh
/// positioned reader of the part's bytes that computes their CRC-64 as the transport reads
/// them, and at the part's last byte stores it in `sent_crc` (cleared at each open, so the
/// value is that of the bytes of the send that completed). No part-sized buffer exists.
fn streamed_part(slice: FileSlice, sent_crc: Arc<std::sync::Mutex<Option<u64>>>) -> Body {
    let len = slice.len;
    Body::Replayable(ReplayableBody::new(len, move || {
        let mut slot = sent_crc.lock().unwrap_or_else(|p| p.into_inner());
        *slot = if len == 0 { Some(Crc64::new().finish()) } else { None };
        drop(slot);
        Box::new(CrcReader { inner: slice.reader(), crc: Crc64::new(), left: len, sent_crc: sent_crc.clone() })
    }))
}

/// See [`streamed_part`].
struct CrcReader {
    inner: crate::http::FileSliceReader,
    crc: Crc64,
    left: u64,
    sent_crc: Arc<std::sync::Mutex<Option<u64>>>,
}

impl std::io::Read for CrcReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.crc.update(&buf[..n]);
        self.left -= n as u64;
        if n > 0 && self.left == 0 {
            *self.sent_crc.lock().unwrap_or_else(|p| p.into_inner()) = Some(self.crc.finish());
        }
        Ok(n)
    }
}

/// Builder of [`Bucket::slice_upload_file`].
#[must_use = "call .start() or .send() to run the upload"]
pub struct SliceUploadFile<'a> {
    bucket: &'a Bucket,
    key: String,
    path: PathBuf,
    options: UploadOptions,
}

impl Bucket {
    /// Uploads a local file in parts, resumably (the JS SDK's `sliceUploadFile`).
    ///
    /// Parts are streamed from the file at their offsets and sent by the client's part workers,
    /// at most ChunkParallelLimit (or [`async_limit`](SliceUploadFile::async_limit)) at once.
    /// Memory does not grow with the part size: a part is read from the file as the transport
    /// sends it (positioned reads, its CRC-64 computed on the way), and a retry reads it again;
    /// no part-sized buffer exists.
    ///
    /// ```no_run
    /// let client = tencent_cos::Client::from_env()?;
    /// let bucket = client.bucket("examplebucket-1250000000");
    /// let out = bucket
    ///     .slice_upload_file("backups/db.tar", "/data/db.tar")
    ///     .on_progress(|p| eprintln!("{:.0}% {} B/s", p.fraction * 100.0, p.speed))
    ///     .send()?;
    /// println!("{} {:?}", out.etag, out.crc64);
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn slice_upload_file(&self, key: impl Into<String>, path: impl AsRef<Path>) -> SliceUploadFile<'_> {
        SliceUploadFile {
            bucket: self,
            key: key.into(),
            path: path.as_ref().to_owned(),
            options: UploadOptions::default(),
        }
    }
}

macro_rules! upload_option_setters {
    () => {
        /// Part size in bytes (ChunkSize; at least 1 MiB; grown so the file needs at most
        /// 10000 parts).
        pub fn chunk_size(mut self, bytes: u64) -> Self {
            self.options.chunk_size = Some(bytes);
            self
        }

        /// Parts in flight for this file (AsyncLimit; default ChunkParallelLimit).
        pub fn async_limit(mut self, parts: usize) -> Self {
            self.options.async_limit = Some(parts);
            self
        }

        /// StorageClass of the object.
        pub fn storage_class(mut self, class: impl Into<crate::api::StorageClass>) -> Self {
            self.options.attributes.storage_class = Some(class.into());
            self
        }

        /// Content-Type of the object.
        pub fn content_type(mut self, value: impl Into<String>) -> Self {
            self.options.attributes.content_type = Some(value.into());
            self
        }

        /// Canned ACL (`x-cos-acl`).
        pub fn acl(mut self, acl: crate::api::acl::CannedAcl) -> Self {
            self.options.attributes.acl = Some(acl);
            self
        }

        /// A `x-cos-meta-{name}` header. The same signature as every other `meta` (the
        /// single-request calls' too), so one helper feeds them all:
        ///
        /// ```no_run
        /// # let client = tencent_cos::Client::from_env()?;
        /// # let bucket = client.bucket("examplebucket-1250000000");
        /// fn tagged<N: Into<String>>(bucket: &tencent_cos::Bucket, name: N, big: bool) -> tencent_cos::Result<()> {
        ///     if big {
        ///         bucket.upload_file("big.bin", "big.bin").meta(name, "v").send()?;
        ///     } else {
        ///         bucket.put_object("small.txt").body("x").meta(name, "v").send()?;
        ///     }
        ///     Ok(())
        /// }
        /// tagged(&bucket, String::from("project"), true)?;
        /// # Ok::<(), tencent_cos::Error>(())
        /// ```
        pub fn meta(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
            self.options.attributes.headers.push((format!("x-cos-meta-{}", name.into()), value.into()));
            self
        }

        /// Any other header of the object (Cache-Control, Content-Disposition, x-cos-*).
        pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
            self.options.attributes.headers.push((name.into(), value.into()));
            self
        }

        /// Send Content-MD5 with every part (off by default: parts are checked by CRC-64).
        pub fn part_content_md5(mut self, on: bool) -> Self {
            self.options.part_content_md5 = on;
            self
        }

        /// Progress callback: `{loaded, total, speed, percent}`, at most once per
        /// ProgressInterval, always a final call at 100%.
        pub fn on_progress(mut self, f: impl Fn(&ProgressInfo) + Send + Sync + 'static) -> Self {
            self.options.on_progress = Some(Arc::new(f));
            self
        }

        /// Progress of hashing local parts when resuming an earlier upload.
        pub fn on_hash_progress(mut self, f: impl Fn(&ProgressInfo) + Send + Sync + 'static) -> Self {
            self.options.on_hash_progress = Some(Arc::new(f));
            self
        }

        /// Called with the task id as soon as the task exists.
        pub fn on_task_ready(mut self, f: impl Fn(&str) + Send + Sync + 'static) -> Self {
            self.options.on_task_ready = Some(Arc::new(f));
            self
        }
    };
}
pub(crate) use upload_option_setters;

impl SliceUploadFile<'_> {
    upload_option_setters!();

    /// Queues the upload on the client's workers and returns its task handle.
    pub fn start(self) -> Result<TaskHandle> {
        start_upload(self.bucket, self.key, self.path, self.options, true)
    }

    /// Runs the upload and blocks until it is done.
    pub fn send(self) -> Result<TransferOutput> {
        self.start()?.wait()
    }
}

/// Validates, creates the task and queues it. `multipart` false: one put_object.
pub(crate) fn start_upload(
    bucket: &Bucket,
    key: String,
    path: PathBuf,
    options: UploadOptions,
    multipart: bool,
) -> Result<TaskHandle> {
    crate::config::validate_key(&key)?;
    bucket.scope()?;
    let chunk = options.chunk_size.unwrap_or(bucket.client().config().chunk_size);
    check_part_options("chunk_size", chunk, options.async_limit)?;
    let size =
        std::fs::metadata(&path).map_err(|e| Error::invalid("file_path", format!("{}: {e}", path.display())))?.len();
    let progress = ProgressTracker::new(size, bucket.client().config().progress_interval, options.on_progress.clone());
    let (task_key, task_path, opts) = (key.clone(), path.clone(), options.clone());
    let run = move |bucket: &Bucket, task: &Arc<TaskCore>| {
        if multipart && size > 0 {
            let mark = RunMark::start(bucket);
            let result = slice_upload(bucket, task, &task_key, &task_path, size, &opts, &mark);
            sweep_on_error(bucket, &task_key, &mark, result).into()
        } else {
            RunOutcome::Done(put_whole_file(bucket, task, &task_key, &task_path, size, &opts))
        }
    };
    Ok(queue_task(bucket, TaskKind::Upload, &key, Some(&path), progress, options.on_task_ready.as_ref(), run))
}

/// One `put_object` of the whole file, CRC-checked.
fn put_whole_file(
    bucket: &Bucket,
    task: &TaskCore,
    key: &str,
    path: &Path,
    size: u64,
    opts: &UploadOptions,
) -> Result<TransferOutput> {
    task.set_state(crate::transfer::task::TaskState::Uploading);
    let file = Arc::new(File::open(path)?);
    let (local, _) = hash_slice(&file, 0, size, false)?;
    // Retried as a part is, a damaged body (a CRC mismatch) included: the PUT replaces what it
    // stored.
    let (retries, cancel) = (bucket.client().config().chunk_retry_times, task.cancel_token());
    let options = CallOptions::new().cancel(cancel.clone());
    // As the node SDK's uploadFile: the length declared, `Cache-Control: ` when none is given,
    // and the type of the key's extension last unless the caller gave one.
    let mut attributes = opts.attributes.clone();
    attributes.cache_control.get_or_insert_with(String::new);
    let inferred = if attributes.content_type.is_none() { crate::mime::known_type_of_key(key) } else { None };
    let out = with_retries_until(retries, &cancel, || {
        let input = PutObjectInput {
            key: key.to_owned(),
            body: if size == 0 {
                Body::Empty
            } else {
                Body::File(FileSlice { file: file.clone(), offset: 0, len: size })
            },
            attributes: attributes.clone(),
            content_md5: opts.part_content_md5,
            content_length: Some(size),
            ..Default::default()
        };
        let out = bucket.execute_with(PutWithType { input, content_type: inferred }, &options)?;
        match out.crc64 {
            Some(remote) if remote != local => {
                Err(Error::integrity(key, "CRC-64", local, remote).with_note("local value expected, COS value got"))
            }
            _ => Ok(out),
        }
    })?;
    task.progress.add(size);
    Ok(TransferOutput {
        bucket: bucket.name().to_owned(),
        key: key.to_owned(),
        etag: out.etag.clone().unwrap_or_default(),
        crc64: Some(local),
        size,
        location: None,
        upload_id: None,
        resumed_parts: 0,
        meta: out.meta,
    })
}

/// The hash progress of a run: `on_hash_progress` over the whole file, reported only when
/// local parts were hashed, ending with one report at exactly the file size.
struct Hashing(ProgressTracker);

impl Hashing {
    fn new(bucket: &Bucket, size: u64, opts: &UploadOptions) -> Self {
        Hashing(ProgressTracker::new(size, bucket.client().config().progress_interval, opts.on_hash_progress.clone()))
    }

    fn finish(&self) {
        if self.0.snapshot().loaded > 0 {
            self.0.finish();
        }
    }
}

/// The parts of upload `upload_id` that already hold the local bytes: those this task
/// confirmed itself (`known`: the listing shows the upload is still there, and COS keeps an
/// upload's parts until it is completed or aborted, so a listing damaged on the way cannot make
/// the task send a confirmed part again), and listed parts whose size matches the plan and
/// whose ETag is the MD5 of the local bytes (hashed, reported as hash progress: a part whose
/// answer was lost is found this way). `Ok(None)` when the task was paused or cancelled
/// meanwhile; a 404 when the upload is gone.
#[allow(clippy::too_many_arguments)]
fn parts_on_server(
    bucket: &Bucket,
    task: &TaskCore,
    key: &str,
    upload_id: &str,
    file: &Arc<File>,
    parts: &[PlannedPart],
    known: &[UploadedPart],
    hashing: &Hashing,
) -> Result<Option<Vec<UploadedPart>>> {
    let listed = bucket.multipart_list_part(key, upload_id).all_parts()?;
    let candidates = listed.iter().filter(|p| {
        p.part_number >= 1
            && (p.part_number as usize) <= parts.len()
            && parts[p.part_number as usize - 1].len == p.size
            && !known.iter().any(|k| k.number == p.part_number)
    });
    let mut keep = known.to_vec();
    for p in candidates {
        if task.should_stop() {
            return Ok(None);
        }
        let planned = &parts[p.part_number as usize - 1];
        let (crc64, md5) = hash_slice(file, planned.offset, planned.len, true)?;
        if md5.is_some_and(|m| same_etag(&p.etag, &hex(&m))) {
            keep.push(UploadedPart { number: p.part_number, etag: p.etag.clone(), crc64, len: planned.len });
        }
        hashing.0.add(planned.len);
    }
    Ok(Some(keep))
}

/// Finds an unfinished upload of `key` whose parts match the local file; returns its id and
/// the parts to keep (`Ok(None)` when there is none, or when the task was paused meanwhile).
fn find_resumable(
    bucket: &Bucket,
    task: &TaskCore,
    key: &str,
    file: &Arc<File>,
    parts: &[PlannedPart],
    opts: &UploadOptions,
    hashing: &Hashing,
) -> Result<Option<(String, Vec<UploadedPart>)>> {
    let mut uploads = uploads_of(bucket, key)?;
    if let Some(class) = &opts.attributes.storage_class {
        uploads.retain(|u| u.storage_class.as_ref().is_none_or(|c| c == class));
    }
    // Newest first, as the JS SDK does.
    uploads.reverse();
    for upload in uploads {
        match parts_on_server(bucket, task, key, &upload.upload_id, file, parts, &[], hashing)? {
            None => return Ok(None),
            Some(keep) if !keep.is_empty() => return Ok(Some((upload.upload_id, keep))),
            Some(_) => {}
        }
    }
    Ok(None)
}

/// What a restarted run finds of the upload its task kept.
enum KeptUpload {
    /// Still there, with these parts holding the local bytes.
    Reusable(String, Vec<UploadedPart>),
    /// Gone (aborted by someone else, expired by a lifecycle rule).
    Gone,
    /// The task was paused or cancelled while the parts were checked.
    Stopped,
}

/// Where a restarted run picks up the upload its task kept (after a pause or a failed part):
/// its confirmed parts, and the parts listed on the server that hold the local bytes (a part
/// whose answer was lost is found there). When this fails or the task is stopped meanwhile, the kept state is put back, so
/// `restart` and `cancel` still find it.
fn reuse_kept(
    bucket: &Bucket,
    task: &TaskCore,
    key: &str,
    file: &Arc<File>,
    parts: &[PlannedPart],
    kept: ResumeState,
    hashing: &Hashing,
) -> Result<KeptUpload> {
    match parts_on_server(bucket, task, key, &kept.upload_id, file, parts, &kept.uploaded, hashing) {
        Ok(Some(on_server)) => Ok(KeptUpload::Reusable(kept.upload_id, on_server)),
        Ok(None) => {
            put_back_resume(task, Box::new(kept));
            Ok(KeptUpload::Stopped)
        }
        Err(e) if e.is_not_found() => Ok(KeptUpload::Gone),
        Err(e) => {
            put_back_resume(task, Box::new(kept));
            Err(e)
        }
    }
}

/// The multipart upload; `Ok(None)` when paused.
fn slice_upload(
    bucket: &Bucket,
    task: &Arc<TaskCore>,
    key: &str,
    path: &Path,
    size: u64,
    opts: &UploadOptions,
    run: &RunMark,
) -> Result<Option<TransferOutput>> {
    let since = run.since;
    let client = bucket.client();
    let config = client.config();
    let part_size = part_size_for(size, opts.chunk_size.unwrap_or(config.chunk_size), config.max_part_number);
    let file = Arc::new(File::open(path)?);
    if file.metadata()?.len() != size {
        return Err(Error::Io(std::io::Error::other("the file changed size since the upload was queued")));
    }
    let parts = plan(size, part_size);

    // A restart continues its own upload; a fresh run (or one whose upload is gone) looks for
    // one to resume.
    let hashing = Hashing::new(bucket, size, opts);
    let kept = task.resume.lock().unwrap_or_else(|p| p.into_inner()).take();
    let mut found = None;
    if let Some(kept) = kept.and_then(|r| r.downcast::<ResumeState>().ok()) {
        match reuse_kept(bucket, task, key, &file, &parts, *kept, &hashing)? {
            KeptUpload::Reusable(id, on_server) => found = Some((id, on_server)),
            // Aborted elsewhere, or never known under its true id (an Initiate answer damaged
            // on the way): sweep what the task may have made, as a cancel would.
            KeptUpload::Gone => task.drop_kept(bucket.client()),
            KeptUpload::Stopped => return Ok(None),
        }
    }
    if found.is_none() {
        found = find_resumable(bucket, task, key, &file, &parts, opts, &hashing)?;
    }
    hashing.finish();
    let (upload_id, mut uploaded) = match found {
        Some(found) => found,
        None => {
            if task.should_stop() {
                return Ok(None);
            }
            let init =
                initiate(bucket, MultipartInitInput { key: key.to_owned(), attributes: opts.attributes.clone() }, run)?;
            (init.upload_id, Vec::new())
        }
    };
    let resumed = uploaded.len() as u32;
    if resumed > 0 {
        log::info!(
            "resuming upload {upload_id} of {}/{key}: {resumed} of {} part(s) already on COS",
            bucket.name(),
            parts.len()
        );
    }
    task.set_state(crate::transfer::task::TaskState::Uploading);
    task.progress.resume_from(uploaded.iter().map(|p| p.len).sum());

    let todo: Vec<PlannedPart> =
        parts.iter().filter(|p| !uploaded.iter().any(|u| u.number == p.number)).cloned().collect();
    let limit = opts.async_limit.unwrap_or(config.chunk_parallel_limit);
    let work: PartWork<PlannedPart, UploadedPart> = {
        let (bucket, key, upload_id, file) = (bucket.clone(), key.to_owned(), upload_id.clone(), file.clone());
        let content_md5 = opts.part_content_md5;
        let cancel = task.cancel_token();
        Arc::new(move |part: &PlannedPart| {
            upload_one_part(&bucket, &key, &upload_id, &file, part, content_md5, &cancel)
        })
    };
    let runtime = crate::transfer::runtime(client);
    let outcome =
        run_parts(&runtime.part_pool, task, todo, limit, config.chunk_retry_times, work, |p: &UploadedPart| {
            task.progress.add(p.len)
        });
    uploaded.extend(outcome.done);
    let keep = || -> Box<dyn std::any::Any + Send> {
        Box::new(ResumeState { upload_id: upload_id.clone(), uploaded: uploaded.clone() })
    };
    if !settle_parts(outcome.end, bucket, task, key, &upload_id, run, keep)? {
        return Ok(None);
    }

    uploaded.sort_by_key(|p| p.number);
    let whole_crc = combine_crcs(uploaded.iter().map(|p| (p.crc64, p.len)));
    let out = complete_or_abort(
        bucket,
        key,
        &upload_id,
        since,
        Some(whole_crc),
        uploaded.iter().map(|p| (p.number, p.etag.clone())),
    )?;
    if let Some(remote) = out.crc64
        && remote != whole_crc
    {
        return Err(Error::integrity(key, "CRC-64", whole_crc, remote)
            .with_note("the completed object's value on COS differs from the local file's"));
    }
    Ok(Some(TransferOutput {
        bucket: bucket.name().to_owned(),
        key: key.to_owned(),
        etag: out.etag,
        crc64: Some(whole_crc),
        size,
        location: (!out.location.is_empty()).then_some(out.location),
        upload_id: Some(upload_id),
        resumed_parts: resumed,
        meta: out.meta,
    }))
}

/// Sends one part streamed from the file ([`streamed_part`]: no part-sized buffer, a retry
/// reads the file again), and checks COS's CRC-64 of it against the CRC of the bytes sent.
/// With Content-MD5 asked for, one streamed pass hashes the part first (the header goes
/// before the body).
fn upload_one_part(
    bucket: &Bucket,
    key: &str,
    upload_id: &str,
    file: &Arc<File>,
    part: &PlannedPart,
    content_md5: bool,
    cancel: &crate::CancelToken,
) -> Result<UploadedPart> {
    use base64::Engine;
    let slice = FileSlice { file: file.clone(), offset: part.offset, len: part.len };
    let md5 = match content_md5 {
        true => hash_slice(file, part.offset, part.len, true)?
            .1
            .map(|m| base64::engine::general_purpose::STANDARD.encode(m)),
        false => None,
    };
    let sent_crc = Arc::new(std::sync::Mutex::new(None));
    let out = bucket.execute_with(
        MultipartUploadInput {
            key: key.to_owned(),
            upload_id: upload_id.to_owned(),
            part_number: part.number,
            body: streamed_part(slice, sent_crc.clone()),
            content_md5_value: md5,
            ..Default::default()
        },
        &CallOptions::new().cancel(cancel.clone()),
    )?;
    let sent = sent_crc.lock().unwrap_or_else(|p| p.into_inner()).take();
    // A transport that answered without reading the whole body (none does): hash the part.
    let local = match sent {
        Some(crc) => crc,
        None => hash_slice(file, part.offset, part.len, false)?.0,
    };
    if let Some(remote) = out.crc64
        && remote != local
    {
        return Err(Error::integrity(format!("part {} of {key}", part.number), "CRC-64", local, remote)
            .with_note("local value expected, COS value got"));
    }
    Ok(UploadedPart { number: part.number, etag: out.etag, crc64: local, len: part.len })
}

/// `put_object` with an inferred `Content-Type` appended after every other header, where the
/// node SDK's `uploadFile` places the type it infers (a caller's type keeps `put_object`'s place).
struct PutWithType {
    input: PutObjectInput,
    content_type: Option<&'static str>,
}

impl crate::operation::Operation for PutWithType {
    type Output = crate::api::object_put::PutObjectOutput;

    fn build(&mut self) -> Result<crate::operation::OperationRequest> {
        let mut request = self.input.build()?;
        if let Some(t) = self.content_type {
            request.headers.append("Content-Type", t);
        }
        Ok(request)
    }

    fn parse(&mut self, response: crate::http::Response) -> Result<Self::Output> {
        self.input.parse(response)
    }

    fn locate(&self, output: &mut Self::Output, location: &str) {
        self.input.locate(output, location);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn part_sizes_grow_through_the_js_list() {
        assert_eq!(part_size_for(100 << 20, 1 << 20, 10_000), 1 << 20);
        assert_eq!(part_size_for(20_000 << 20, 1 << 20, 10_000), 2 << 20);
        assert_eq!(part_size_for(1025 << 20, 1 << 20, 1024), 2 << 20);
        assert_eq!(part_size_for(100 << 20, 8 << 20, 10_000), 8 << 20);
    }
}
