//! `download_file`: an object to a local file (the Node SDK's `downloadFile`), resumable.

use std::fs::File;
use std::io::{self, Read};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use crate::api::object::{Conditions, builder_doc};
use crate::api::object_get::{ByteRange, GetObjectInput, resolves_to_root};
use crate::api::object_head::HeadObjectInput;
use crate::cancel::CancelToken;
use crate::checksum::Crc64;
use crate::client::{Bucket, CallOptions, Client};
use crate::error::{Error, Result, ServiceError, TransportErrorKind};
use crate::http::{ResponseMeta, read_at};
use crate::transfer::download_journal::{
    DataFile, FetchedPart, Journal, JournalHeader, LocalFiles, read_sidecar, verified_parts,
};
use crate::transfer::local_files::{ensure_dirs_within, preallocate, start_writeback};
use crate::transfer::parts::{
    PartWork, PartsEnd, PlannedPart, changed_since_head, check_part_options, combine_crcs, plan, run_parts,
    with_retries_until,
};
use crate::transfer::progress::{ProgressCallback, ProgressTracker};
use crate::transfer::task::{
    TaskCore, TaskHandle, TaskKind, TaskReadyCallback, TaskState, TransferOutput, queue_task, task_callback_methods,
};
use crate::transfer::upload::{MAX_PARTS, part_size_for};

/// The buffer each part in flight streams through: half the transport's 256 KiB receive
/// buffer, so a read usually takes a whole half of it, and each write to the file is large
/// (64 KiB reads from ureq's 128 KiB buffer cost 5-8% more client CPU a GiB, `benches/e2e.rs`).
const STREAM_BUFFER: usize = 128 * 1024;
/// Bytes of a part written before their write-back to disk is started (and the rest at the
/// part's end): the disk writes while the download goes on, so the fsync before the final
/// rename waits for the last few MiB instead of the whole file.
const WRITEBACK_STEP: u64 = 8 * 1024 * 1024;

/// The local path of `key` under `dir`, refusing any key that could land outside `dir`:
/// absolute keys, `.` and `..` segments, empty segments (`a//b`, a trailing `/`), and `\`
/// (a separator on Windows). The error is an `InvalidArgument` naming `key`.
///
/// ```
/// use std::path::Path;
/// use tencent_cos::transfer::local_path_for_key;
/// assert_eq!(local_path_for_key("/data", "photos/2024/a.jpg")?, Path::new("/data/photos/2024/a.jpg"));
/// for key in ["../x", "/etc/passwd", "a/../../b", "a//b", "a\\..\\b", "dir/", ""] {
///     assert!(local_path_for_key("/data", key).is_err(), "{key}");
/// }
/// # Ok::<(), tencent_cos::Error>(())
/// ```
pub fn local_path_for_key(dir: impl AsRef<Path>, key: &str) -> Result<PathBuf> {
    let refuse = |why: &str| Err(Error::invalid("key", format!("{key:?} {why}")));
    if key.is_empty() {
        return refuse("is empty");
    }
    if key.starts_with('/') {
        return refuse("is absolute: it would not stay in the target directory");
    }
    if key.contains(['\\', '\0']) {
        return refuse("contains '\\' or NUL, which a file system may read as a separator or an end");
    }
    let mut path = dir.as_ref().to_owned();
    for segment in key.split('/') {
        if segment.is_empty() {
            return refuse("has an empty path segment");
        }
        if segment == "." || segment == ".." {
            return refuse("has a '.' or '..' segment: it would not stay in the target directory");
        }
        // A drive (`C:`) or anything else that is not one plain name on this platform.
        let mut components = Path::new(segment).components();
        if !matches!((components.next(), components.next()), (Some(Component::Normal(_)), None)) {
            return refuse("has a segment that is not a plain file name here");
        }
        path.push(segment);
    }
    Ok(path)
}

/// Options of a download, shared by the builder and the running task.
#[derive(Clone, Default)]
struct DownloadOptions {
    chunk_size: Option<u64>,
    async_limit: Option<usize>,
    /// `download_to_dir`'s directory: the directories below it are created, never followed
    /// through a symbolic link.
    within: Option<PathBuf>,
    on_progress: Option<ProgressCallback>,
    on_task_ready: Option<TaskReadyCallback>,
}

/// Builder of [`Bucket::download_file`] and [`Bucket::download_to_dir`].
#[must_use = "call .start() or .send() to run the download"]
pub struct DownloadFile<'a> {
    bucket: &'a Bucket,
    key: String,
    /// A key refused by `download_to_dir` is reported by `start`.
    path: Result<PathBuf>,
    options: DownloadOptions,
}

impl Bucket {
    /// Downloads `key` to the file `path` in parallel ranged GETs, CRC-64 checked and
    /// resumable (the Node SDK's `downloadFile`). See [the contract](crate::transfer#download_file)
    /// for the files it keeps beside `path` (`<path>.<random>.part`, `<path>.cosdownload`),
    /// when, and why they are safe in a shared directory. Memory:
    /// ChunkParallelLimit x 128 KiB per download, whatever the object size.
    ///
    /// ```no_run
    /// let client = tencent_cos::Client::from_env()?;
    /// let bucket = client.bucket("examplebucket-1250000000");
    /// let out = bucket
    ///     .download_file("backups/db.tar", "/data/db.tar")
    ///     .on_progress(|p| eprintln!("{:.0}% {} B/s", p.fraction * 100.0, p.speed))
    ///     .send()?;
    /// println!("{} bytes, CRC-64 {:?}", out.size, out.crc64);
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn download_file(&self, key: impl Into<String>, path: impl AsRef<Path>) -> DownloadFile<'_> {
        DownloadFile {
            bucket: self,
            key: key.into(),
            path: Ok(path.as_ref().to_owned()),
            options: DownloadOptions::default(),
        }
    }

    /// Downloads `key` to the path it names under `dir`, creating the directories between.
    /// A key that could escape `dir` (see [`local_path_for_key`]) is refused by `start`, and so
    /// is a symbolic link (or a file) where a directory below `dir` should be: links are never
    /// followed out of `dir`.
    ///
    /// ```no_run
    /// let client = tencent_cos::Client::from_env()?;
    /// let bucket = client.bucket("examplebucket-1250000000");
    /// bucket.download_to_dir("photos/2024/a.jpg", "/data/mirror").send()?; // /data/mirror/photos/2024/a.jpg
    /// assert!(bucket.download_to_dir("../etc/passwd", "/data/mirror").send().is_err());
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn download_to_dir(&self, key: impl Into<String>, dir: impl AsRef<Path>) -> DownloadFile<'_> {
        let key = key.into();
        let path = local_path_for_key(&dir, &key);
        let within = Some(dir.as_ref().to_owned());
        DownloadFile { bucket: self, key, path, options: DownloadOptions { within, ..Default::default() } }
    }
}

impl DownloadFile<'_> {
    /// Part size in bytes (ChunkSize; at least 1 MiB; grown so there are at most 10000
    /// parts). Objects up to this size are fetched in one GET.
    ///
    #[doc = builder_doc!("download_file(\"big.bin\", \"/tmp/big.bin\")", "chunk_size(8 * 1024 * 1024)")]
    pub fn chunk_size(mut self, bytes: u64) -> Self {
        self.options.chunk_size = Some(bytes);
        self
    }

    /// Parts in flight (default ChunkParallelLimit).
    ///
    #[doc = builder_doc!("download_file(\"big.bin\", \"/tmp/big.bin\")", "async_limit(6)")]
    pub fn async_limit(mut self, parts: usize) -> Self {
        self.options.async_limit = Some(parts);
        self
    }

    /// Checks the options, queues the download on the client's workers and returns its handle.
    ///
    /// ```no_run
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// # let bucket = client.bucket("examplebucket-1250000000");
    /// let task = bucket.download_file("big.bin", "/tmp/big.bin").start()?;
    /// task.pause(); // big.bin.<random>.part and big.bin.cosdownload stay for a restart
    /// task.restart()?;
    /// task.wait()?;
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn start(self) -> Result<TaskHandle> {
        let DownloadFile { bucket, key, path, options } = self;
        let path = path?;
        crate::config::validate_key(&key)?;
        if resolves_to_root(&key) {
            return Err(Error::invalid("key", format!("{key:?} resolves to the bucket root")));
        }
        bucket.scope()?;
        if let Some(root) = &options.within {
            ensure_dirs_within(root, &path, false)?;
        }
        let chunk = options.chunk_size.unwrap_or(bucket.client().config().chunk_size);
        check_part_options("chunk_size", chunk, options.async_limit)?;
        let progress =
            ProgressTracker::total_unknown(bucket.client().config().progress_interval, options.on_progress.clone());
        let (task_key, files, opts) = (key.clone(), LocalFiles::new(&path), options.clone());
        let run = move |bucket: &Bucket, task: &Arc<TaskCore>| download(bucket, task, &task_key, &files, &opts).into();
        Ok(queue_task(bucket, TaskKind::Download, &key, Some(&path), progress, options.on_task_ready.as_ref(), run))
    }

    /// Runs the download and blocks until it is done.
    ///
    #[doc = builder_doc!("download_file(\"big.bin\", \"/tmp/big.bin\")", "async_limit(4)")]
    pub fn send(self) -> Result<TransferOutput> {
        self.start()?.wait()
    }
}

task_callback_methods!(DownloadFile, options, "download_file(\"big.bin\", \"/tmp/big.bin\")");

/// What HEAD said of the object.
#[derive(Clone, Debug)]
struct ObjectInfo {
    size: u64,
    etag: Option<String>,
    crc64: Option<u64>,
    meta: ResponseMeta,
}

impl ObjectInfo {
    fn head(bucket: &Bucket, key: &str, cancel: &CancelToken) -> Result<Self> {
        let input = HeadObjectInput { key: key.to_owned(), ..Default::default() };
        let head = bucket.execute_with(input, &CallOptions::new().cancel(cancel.clone()))?;
        let size = head.properties.content_length.ok_or_else(|| {
            Error::transport(TransportErrorKind::Other, format!("HEAD of {key} answered no Content-Length"))
        })?;
        Ok(ObjectInfo { size, etag: head.properties.etag, crc64: head.properties.crc64, meta: head.meta })
    }

    fn if_match(&self) -> Conditions {
        Conditions { if_match: self.etag.clone(), ..Default::default() }
    }

    /// The ETag as the MD5 of the object's bytes: only for an object uploaded in one request
    /// (32 hex digits; a multipart upload's ETag ends in `-<parts>`).
    fn etag_md5(&self) -> Option<String> {
        let etag = self.etag.as_deref()?.trim_matches('"');
        (etag.len() == 32 && etag.bytes().all(|b| b.is_ascii_hexdigit())).then(|| etag.to_ascii_lowercase())
    }

    fn changed(&self, e: Error, key: &str) -> Error {
        changed_since_head(e, key, self.etag.as_deref().unwrap_or("the one HEAD saw"))
    }

    fn output(&self, key: &str, crc64: u64, resumed_parts: u32) -> TransferOutput {
        TransferOutput {
            // The bucket and the location are filled in by `queue_task`.
            bucket: String::new(),
            key: key.to_owned(),
            etag: self.etag.clone().unwrap_or_default(),
            crc64: Some(crc64),
            size: self.size,
            location: None,
            upload_id: None,
            resumed_parts,
            meta: self.meta.clone(),
        }
    }
}

/// Where a run of the multipart download starts: its data file, the parts already in it, and
/// which of those only a sidecar vouches for (checked against the ETag's MD5 at the end when
/// COS sent no CRC-64).
struct PartsStart {
    data: DataFile,
    done: Vec<FetchedPart>,
    from_sidecar: Vec<u32>,
}

/// What a paused download keeps for `restart` (the sidecar has it too, for a new process):
/// the data file stays open, so a restart never opens it by name again.
struct DownloadResume {
    info: ObjectInfo,
    start: PartsStart,
}

/// Failures after which the data on disk is worth nothing: the object changed or is gone, or
/// its bytes do not check out.
fn leaves_nothing_to_resume(e: &Error) -> bool {
    matches!(e, Error::Integrity(_) | Error::Cancelled) || e.is_not_found() || e.is_precondition_failed()
}

/// The download; `Ok(None)` when paused.
fn download(
    bucket: &Bucket,
    task: &TaskCore,
    key: &str,
    files: &LocalFiles,
    opts: &DownloadOptions,
) -> Result<Option<TransferOutput>> {
    if let Some(root) = &opts.within {
        ensure_dirs_within(root, &files.target, true)?;
    }
    let resume = task.resume.lock().unwrap_or_else(|p| p.into_inner()).take();
    let resume = resume.and_then(|r| r.downcast::<DownloadResume>().ok());
    let info = match &resume {
        Some(r) => r.info.clone(),
        None => ObjectInfo::head(bucket, key, &task.cancel_token())?,
    };
    task.progress.set_total(info.size);
    let config = bucket.client().config();
    let chunk = opts.chunk_size.unwrap_or(config.chunk_size);
    if resume.is_none() && info.size <= chunk {
        task.set_state(TaskState::Uploading);
        return download_whole(bucket, task, key, files, &info).map(Some);
    }
    // Ranges have no count limit; the same growth keeps huge objects to a sane number of GETs.
    let part_size = part_size_for(info.size, chunk, MAX_PARTS);
    let parts = plan(info.size, part_size);
    let etag = info.etag.clone().unwrap_or_default();
    let header = JournalHeader { bucket: bucket.name(), key, etag: &etag, size: info.size, part_size };
    let start = match resume {
        Some(r) => r.start,
        None => start_from_disk(files, &header, &parts, &info)?,
    };
    let data = start.data.clone();
    let result = download_parts(bucket, task, key, files, opts, info, &header, &parts, start);
    let keep = match &result {
        Ok(Some(_)) => false,
        Ok(None) => true,
        Err(e) if leaves_nothing_to_resume(e) => {
            files.discard(Some(&data));
            false
        }
        Err(_) => true,
    };
    if keep {
        // Kept for a later download_file or restart; cancelling the task removes it.
        let files = files.clone();
        *task.cancel_cleanup.lock().unwrap_or_else(|p| p.into_inner()) =
            Some(Box::new(move |_: &Client| files.discard(Some(&data))));
    }
    result
}

/// A new run's start: the data file and parts a sidecar names, when the sidecar describes
/// this very object and the file is the download's own, else a new data file under a new
/// random name (removing the one a stale sidecar named).
fn start_from_disk(
    files: &LocalFiles,
    header: &JournalHeader<'_>,
    parts: &[PlannedPart],
    info: &ObjectInfo,
) -> Result<PartsStart> {
    // Without an ETag nothing tells a resumed part from another version's: start over.
    let sidecar = read_sidecar(&files.sidecar, parts.len()).filter(|s| info.etag.is_some() && s.matches(header));
    if let Some(sidecar) = sidecar
        && let Ok(data) = files.open_data(&sidecar.data)
        && data.file.metadata().is_ok_and(|m| m.len() == info.size)
    {
        // Parts a sidecar claims are trusted only against a checksum from COS, checked once
        // all parts are there: the CRC-64, or the ETag as MD5. Without either they are
        // fetched again.
        let done = if info.crc64.is_some() || info.etag_md5().is_some() {
            verified_parts(&data.file, parts, &sidecar.parts)
        } else {
            Vec::new()
        };
        let from_sidecar = done.iter().map(|p| p.number).collect();
        return Ok(PartsStart { data, done, from_sidecar });
    }
    files.remove_stale_data(MAX_PARTS as usize);
    let data = files.create_data()?;
    preallocate(&data.file, info.size)?;
    Ok(PartsStart { data, done: Vec::new(), from_sidecar: Vec::new() })
}

/// One GET of the whole object into a new data file, retried whole; then renamed.
fn download_whole(
    bucket: &Bucket,
    task: &TaskCore,
    key: &str,
    files: &LocalFiles,
    info: &ObjectInfo,
) -> Result<TransferOutput> {
    files.remove_stale_data(MAX_PARTS as usize);
    let data = files.create_data()?;
    let cancel = task.cancel_token();
    let input = GetObjectInput { key: key.to_owned(), conditions: info.if_match(), ..Default::default() };
    let fetch = || -> Result<u64> {
        cancel.check()?;
        let out = bucket.execute_with(input.clone(), &CallOptions::new().cancel(cancel.clone()))?;
        data.file.set_len(0)?;
        let crc = stream_part(out.into_reader(), info.size, &cancel, written_behind(&data.file, 0, info.size))?;
        check_whole_crc(key, crc, info.crc64)?;
        data.file.sync_all()?;
        Ok(crc)
    };
    let crc = with_retries_until(bucket.client().config().chunk_retry_times, &cancel, fetch)
        .map_err(|e| info.changed(e, key))
        .and_then(|crc| Ok(files.commit(&data).map(|()| crc)?));
    match crc {
        Ok(crc) => {
            task.progress.add(info.size);
            Ok(info.output(key, crc, 0))
        }
        Err(e) => {
            files.discard(Some(&data));
            Err(e)
        }
    }
}

fn check_whole_crc(key: &str, local: u64, remote: Option<u64>) -> Result<()> {
    match remote {
        Some(remote) if remote != local => {
            Err(Error::integrity(key, "CRC-64", remote, local).with_note("COS value expected, bytes received got"))
        }
        _ => Ok(()),
    }
}

/// Copies exactly `len` bytes of `body` to `write(bytes, offset_in_part)` through one small
/// buffer, returning their CRC-64. A shorter or longer body is an I/O error (retried); a
/// cancel ends it between two reads.
fn stream_part(
    mut body: Box<dyn Read + Send>,
    len: u64,
    cancel: &CancelToken,
    mut write: impl FnMut(&[u8], u64) -> io::Result<()>,
) -> Result<u64> {
    let mut buf = vec![0u8; STREAM_BUFFER];
    let mut crc = Crc64::new();
    let mut done = 0u64;
    loop {
        cancel.check()?;
        let n = match body.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e.into()),
        };
        let chunk = &buf[..n];
        if done + n as u64 > len {
            return Err(Error::Io(io::Error::new(io::ErrorKind::InvalidData, format!("body longer than {len} bytes"))));
        }
        crc.update(chunk);
        write(chunk, done)?;
        done += n as u64;
    }
    if done != len {
        return Err(Error::Io(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            format!("body ended after {done} of {len} bytes"),
        )));
    }
    Ok(crc.finish())
}

/// The writer of a part of `len` bytes at `first` in `file` for [`stream_part`]: positioned
/// writes, and the write-back of every [`WRITEBACK_STEP`] bytes written (and of the part's
/// tail once its last byte is in) started at once ([`start_writeback`]).
fn written_behind(file: &File, first: u64, len: u64) -> impl FnMut(&[u8], u64) -> io::Result<()> + '_ {
    let mut handed = 0u64;
    move |buf: &[u8], at: u64| {
        write_all_at(file, buf, first + at)?;
        let end = at + buf.len() as u64;
        if end - handed >= WRITEBACK_STEP || (end == len && end > handed) {
            start_writeback(file, first + handed, end - handed);
            handed = end;
        }
        Ok(())
    }
}

#[cfg(unix)]
fn write_all_at(file: &File, buf: &[u8], offset: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::write_all_at(file, buf, offset)
}

#[cfg(windows)]
fn write_all_at(file: &File, mut buf: &[u8], mut offset: u64) -> io::Result<()> {
    while !buf.is_empty() {
        let n = std::os::windows::fs::FileExt::seek_write(file, buf, offset)?;
        if n == 0 {
            return Err(io::Error::new(io::ErrorKind::WriteZero, "the file took no bytes"));
        }
        buf = &buf[n..];
        offset += n as u64;
    }
    Ok(())
}

/// The lower-case hex MD5 of the first `len` bytes of `file`, read in small pieces.
fn md5_on_disk(file: &File, len: u64) -> io::Result<String> {
    use md5::{Digest, Md5};
    let mut buf = vec![0u8; 256 * 1024];
    let mut md5 = Md5::new();
    let mut done = 0u64;
    while done < len {
        let want = (len - done).min(buf.len() as u64) as usize;
        let n = read_at(file, &mut buf[..want], done)?;
        if n == 0 {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "the data file is shorter than the object"));
        }
        md5.update(&buf[..n]);
        done += n as u64;
    }
    Ok(crate::checksum::hex(&md5.finalize()))
}

/// Fetches parts of one object into one file.
struct PartFetcher {
    bucket: Bucket,
    key: String,
    info: ObjectInfo,
    file: Arc<File>,
    /// The task's: a cancel stops the request's retries and the body between two reads.
    cancel: CancelToken,
}

impl PartFetcher {
    /// One ranged GET, streamed into the file at the part's offset.
    fn fetch(&self, part: &PlannedPart) -> Result<FetchedPart> {
        self.cancel.check()?;
        let (first, last, size) = (part.offset, part.last_byte(), self.info.size);
        let input = GetObjectInput {
            key: self.key.clone(),
            range: Some(ByteRange::Inclusive { start: first, end: last }),
            conditions: self.info.if_match(),
            ..Default::default()
        };
        let out = self.bucket.execute_with(input, &CallOptions::new().cancel(self.cancel.clone()))?;
        // As the Node SDK: an answer about an object of another size or CRC means it changed.
        // Said as a 412, which is not retried and is then reported as a change.
        let other_crc = matches!((out.properties.crc64, self.info.crc64), (Some(a), Some(b)) if a != b);
        let other_size = out.content_range.as_deref().is_some_and(|r| !r.ends_with(&format!("/{size}")));
        if other_crc || other_size {
            return Err(Error::from(ServiceError {
                status: 412,
                code: "ObjectHasChanged".into(),
                message: "a ranged GET answered for an object of another size or CRC-64".into(),
                ..Default::default()
            }));
        }
        let expected_range = format!("bytes {first}-{last}/{size}");
        if out.meta.status != 206 || out.content_range.as_deref() != Some(expected_range.as_str()) {
            return Err(Error::integrity(
                self.key.as_str(),
                "Content-Range",
                format!("206 with {expected_range}"),
                format!("{} with {:?}", out.meta.status, out.content_range),
            ));
        }
        let write = written_behind(&self.file, first, part.len);
        let crc64 = stream_part(out.into_reader(), part.len, &self.cancel, write)?;
        Ok(FetchedPart { number: part.number, crc64, len: part.len })
    }

    /// `fetch` with the part retries, stopped by a cancel.
    fn fetch_with_retries(&self, part: &PlannedPart) -> Result<FetchedPart> {
        let retries = self.bucket.client().config().chunk_retry_times;
        with_retries_until(retries, &self.cancel, || self.fetch(part))
    }
}

/// The multipart download from `start`; `Ok(None)` when paused.
#[allow(clippy::too_many_arguments)]
fn download_parts(
    bucket: &Bucket,
    task: &TaskCore,
    key: &str,
    files: &LocalFiles,
    opts: &DownloadOptions,
    info: ObjectInfo,
    header: &JournalHeader<'_>,
    parts: &[PlannedPart],
    start: PartsStart,
) -> Result<Option<TransferOutput>> {
    let config = bucket.client().config();
    let PartsStart { data, mut done, mut from_sidecar } = start;
    let mut resumed = done.len() as u32;
    let mut journal = Journal::start(files, header, &data.suffix, &done);
    task.set_state(TaskState::Uploading);
    task.progress.resume_from(done.iter().map(|p| p.len).sum());

    let todo: Vec<PlannedPart> = parts.iter().filter(|p| !done.iter().any(|d| d.number == p.number)).copied().collect();
    let fetcher = Arc::new(PartFetcher {
        bucket: bucket.clone(),
        key: key.to_owned(),
        info: info.clone(),
        file: data.file.clone(),
        cancel: task.cancel_token(),
    });
    let work: PartWork<PlannedPart, FetchedPart> = {
        let fetcher = fetcher.clone();
        Arc::new(move |part: &PlannedPart| fetcher.fetch(part))
    };
    let limit = opts.async_limit.unwrap_or(config.chunk_parallel_limit);
    let runtime = crate::transfer::runtime(bucket.client());
    let outcome =
        run_parts(&runtime.part_pool, task, todo, limit, config.chunk_retry_times, work, |p: &FetchedPart| {
            task.progress.add(p.len);
            journal.record(p);
        });
    done.extend(outcome.done);
    journal.flush();
    match outcome.end {
        PartsEnd::Complete => {}
        PartsEnd::Stopped if task.is_cancelled() => return Err(Error::Cancelled),
        PartsEnd::Stopped => {
            let start = PartsStart { data, done, from_sidecar };
            *task.resume.lock().unwrap_or_else(|p| p.into_inner()) = Some(Box::new(DownloadResume { info, start }));
            return Ok(None);
        }
        PartsEnd::Failed(e) => return Err(info.changed(e, key)),
    }

    done.sort_by_key(|p| p.number);
    let mut crc = combine_crcs(done.iter().map(|p| (p.crc64, p.len)));
    if let Some(expected) = info.crc64 {
        if crc != expected {
            crc = repair(&fetcher, task, parts, &mut done, &mut journal, expected).map_err(|e| info.changed(e, key))?;
        }
    } else if !from_sidecar.is_empty() && Some(md5_on_disk(&data.file, info.size)?) != info.etag_md5() {
        // The sidecar's parts do not add up to the object the ETag names: fetch them again.
        for number in from_sidecar.drain(..) {
            let Some(part) = parts.iter().find(|p| p.number == number) else { continue };
            let fresh = fetcher.fetch_with_retries(part).map_err(|e| info.changed(e, key))?;
            journal.record(&fresh);
            if let Some(slot) = done.iter_mut().find(|p| p.number == number) {
                *slot = fresh;
            }
            resumed -= 1;
        }
        journal.flush();
        crc = combine_crcs(done.iter().map(|p| (p.crc64, p.len)));
    }
    data.file.sync_all()?;
    drop(fetcher);
    files.commit(&data)?;
    Ok(Some(info.output(key, crc, resumed)))
}

/// The whole-object CRC did not match: fetches the parts again in order, rewriting those whose
/// bytes differ from the first fetch, until it matches. Only a cancel stops it.
fn repair(
    fetcher: &PartFetcher,
    task: &TaskCore,
    parts: &[PlannedPart],
    done: &mut [FetchedPart],
    journal: &mut Journal,
    expected: u64,
) -> Result<u64> {
    let first_crc = combine_crcs(done.iter().map(|p| (p.crc64, p.len)));
    for i in 0..done.len() {
        if task.is_cancelled() {
            return Err(Error::Cancelled);
        }
        let Some(part) = parts.iter().find(|p| p.number == done[i].number) else { continue };
        let fresh = fetcher.fetch_with_retries(part)?;
        if fresh.crc64 == done[i].crc64 {
            continue;
        }
        done[i] = fresh;
        journal.record(&fresh);
        let crc = combine_crcs(done.iter().map(|p| (p.crc64, p.len)));
        if crc == expected {
            journal.flush();
            return Ok(crc);
        }
    }
    Err(Error::integrity(fetcher.key.as_str(), "CRC-64", expected, first_crc)
        .with_note("COS value expected, bytes received got; fetching the parts again did not fix it"))
}
