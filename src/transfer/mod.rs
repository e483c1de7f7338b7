//! Managed transfers on a fixed worker pool: resumable multipart upload, copy, ranged download,
//! with tasks, progress, pause, cancel and restart.
//!
//! # Contracts of the transfers
//!
//! ## `slice_copy_file`
//!
//! `slice_copy_file`: a server-side copy of an object of any size (the JS SDK's `sliceCopyFile`). The source is read with HEAD; up to CopySliceSize it is one `put_object_copy`, above it a multipart upload whose parts are `upload_part_copy` ranges, CopyChunkParallelLimit at once. No byte passes through this process.
//!
//! Integrity: every copy request carries `x-cos-copy-source-If-Match` with the ETag HEAD saw,
//! so a source replaced mid-copy is a clear error rather than a mix of two versions; the CRC-64
//! of the parts (combined), of the completed object and of the source must agree.
//!
//! ## `download_file`
//!
//! `download_file`: an object to a local file (the Node SDK's `downloadFile`), resumable.
//!
//! HEAD first. Up to ChunkSize it is one GET streamed to disk; above, ranged GETs of the part
//! size (ChunkSize, grown so there are at most 10000 parts), ChunkParallelLimit at once, each
//! streamed into the file at its offset with positional writes. Every GET carries `If-Match`
//! with the ETag HEAD saw, so an object replaced mid-download is a clear error, never a file
//! made of two versions.
//!
//! Integrity: each part's bytes are CRC-64'd as they arrive; the part CRCs are combined and
//! compared with the object's `x-cos-hash-crc64ecma` from HEAD (when COS sent one). On a
//! mismatch the parts are fetched once more in order, the ones whose bytes differ rewritten,
//! until the CRC matches; otherwise it is an [`Error::Integrity`](crate::Error::Integrity).
//!
//! Cancel reaches the requests: a part's GET (and HEAD, and the one GET of a small object)
//! carries the task's [`CancelToken`](crate::CancelToken), so `cancel()` stops its retries and backoff at once and
//! ends its body between two 128 KiB reads; `wait()` then returns `Error::Cancelled` promptly.
//!
//! ### On disk: safe in a directory other users can write to
//!
//! Another user may plant a symbolic link, a hard link or a FIFO at any name they can guess.
//! So every file the download writes is created new (`O_CREAT | O_EXCL`, under a random
//! 64-bit suffix: nothing can be pre-planted), renames replace a link at the target name
//! rather than follow it, and an existing file is opened only if it is the download's own: a
//! regular file, not a link (`O_NOFOLLOW` where the platform's value is known, and the open
//! handle must be the very file the name showed), with one link, owned by this user.
//!
//! | file | created | removed | trusted |
//! | --- | --- | --- | --- |
//! | `<path>` | only by renaming the verified data file over it, so it is only ever a whole object; a file or link already there is replaced (never written through) only on success | never by the download | -- |
//! | `<path>.<16 hex>.part`, the data | new, under a fresh random name, when a run does not resume; written at part offsets | renamed to `<path>` on success (taking an existing regular target's permissions; a new target gets the umask's mode); removed on cancel, when the data cannot be used (the object changed or is gone, a CRC mismatch that persists), and when a new run starts over from a sidecar naming it | reopened by a new process only through the sidecar, without following links, and only if it is a regular file with one link, owned by this user, of the object's size; a restart in the same process keeps the open handle, and the name must still lead to that file at the final rename |
//! | `<path>.cosdownload`, the sidecar | replaced by renaming a new temp file over it: when parts start, at most once a second while they finish, and at every stop | on success and with the data | read only if a regular file of this user of at most 1 MiB + 40 bytes a part; parsed strictly (any bad line: ignored, the download starts over); its header must equal the object's ETag and size and the part size |
//! | `<path>.cosdownload.<16 hex>.tmp` | new, for each write of the sidecar | renamed to the sidecar at once (removed if the write fails) | never read |
//!
//! On pause, and on failures that resuming can help (network, 5xx, local I/O), the data file
//! and the sidecar are kept; cancelling the task (also a paused or failed one) removes them.
//!
//! A part the sidecar claims is kept only if the bytes on disk hash to its record again, and
//! then only against a checksum from COS, checked once every part is there:
//!
//! | COS sent | parts a sidecar claims |
//! | --- | --- |
//! | `x-cos-hash-crc64ecma` | kept; the combined CRC-64 must equal it, else the parts are fetched again in order until it does, or [`Error::Integrity`](crate::Error::Integrity) |
//! | no CRC-64, an ETag that is an MD5 (an object put in one request) | kept; the MD5 of the whole file must equal the ETag, else those parts are fetched again |
//! | neither (a multipart ETag, no CRC-64) | fetched again |
//!
//! [`Bucket::download_to_dir`](crate::Bucket::download_to_dir) creates the directories below its directory one at a time and
//! looks at each with `symlink_metadata`: a symbolic link or a file on the way is refused with
//! `InvalidArgument { field: "dir" }` naming it (by `start`, and again when the run begins), so
//! nothing is written outside the directory. The directory itself is the caller's choice.
//!
//! The sidecar is plain text, one record a line: the header, the data file's random suffix,
//! then `part <number> <crc64>` in ascending order:
//!
//! ```text
//! tencent-cos download v2
//! bucket examplebucket-1250000000
//! key dir%2Fbig%20file.bin
//! etag "5d41402abc4b2a76b9719d911017c592-3"
//! size 3145728
//! part-size 1048576
//! data 3f9a0c6e1b2d4e57
//! part 1 13830418315512925212
//! part 3 4473622397839271235
//! ```
//!
//! Memory: one 128 KiB buffer per part in flight, so ChunkParallelLimit x 128 KiB per download
//! (and FileParallelLimit downloads at once), whatever the part size.
//!
//! Disk: a new data file gets its blocks reserved at once (Linux `fallocate`, so a full disk
//! fails before the first GET; elsewhere a sparse file of the object's size), and the
//! write-back of each part's bytes is started every 8 MiB as they arrive (Linux
//! `sync_file_range`), so the disk writes while the network delivers and the fsync before the
//! final rename waits only for the last few MiB. That fsync stays: the target name only ever
//! appears with durable, verified bytes.
//!
//! ## Tasks
//!
//! Tasks: every transfer gets an id when created, a state, and controls (pause, restart, cancel, wait) usable from any thread, as the JS SDK's task list.
//!
//! ### The state contract
//!
//! Every control is idempotent and may be called from any thread at any time. A task runs on
//! at most one file worker at once, and `wait` returns once the task is finished, also when a
//! callback or the runner panicked ([`Error::CallbackPanicked`](crate::Error::CallbackPanicked)).
//!
//! | State | `pause()` | `restart()` | `cancel()` | `wait()` |
//! |---|---|---|---|---|
//! | Waiting | Paused at once | nothing (`Ok`) | Cancelled at once | blocks |
//! | Checking / Uploading | parts in flight finish, then Paused | withdraws a pending pause: the run goes on (`Ok`) | upload, copy and download part requests and every part's retry backoff stop (a download's body stops between two 128 KiB reads); aborts the upload; Cancelled | blocks |
//! | Paused | nothing | Waiting again, resuming what it kept: an upload or copy lists its kept upload's parts and sends only the missing ones | aborts the kept upload; Cancelled | blocks until restarted and finished, or cancelled |
//! | Error | nothing | Waiting again, resuming what it kept: an upload or copy lists its kept upload's parts and sends only the missing ones (a copy reads its source again first) | aborts the kept upload; Cancelled | returns the error |
//! | Success | nothing | `Err(InvalidState)` | nothing | returns the output |
//! | Cancelled | nothing | `Err(InvalidState)` | nothing | returns [`Error::Cancelled`](crate::Error::Cancelled) |
//!
//! What a multipart upload or copy leaves on the server:
//!
//! | How the task ended | Its multipart upload |
//! |---|---|
//! | Success | completed (none left) |
//! | Paused | kept; `restart` resumes it, `cancel` aborts it |
//! | Error after a part failed (retries exhausted) | kept; `restart` resumes it, a later `slice_upload_file` of the same file (another client or process) resumes it too, `cancel` aborts it |
//! | Error in Complete, or a copy whose source changed | aborted |
//! | Cancelled | aborted |
//!
//! An upload kept by a task nobody restarts or cancels stays until aborted:
//! [`Bucket::abort_incomplete_uploads`](crate::Bucket::abort_incomplete_uploads) or a COS
//! lifecycle rule (AbortIncompleteMultipartUpload) clears it.
//!
//! [`TaskHandle::wait_timeout`] is `wait` with a limit: `None` when the task is not finished
//! in time. Only the first `wait` to see a finished task gets its result.
//!
//! ## `slice_upload_file`
//!
//! `slice_upload_file`: resumable multipart upload of a local file, part by part from the file at its offset, CRC-64 checked per part and for the whole object; `upload_file` picks a simple put below SliceSize.
//!
//! A part is streamed: its request body reads the file at the part's offset as the transport
//! sends (no part-sized buffer, so memory stays flat whatever the part size), computing the
//! CRC-64 of the bytes as they go; a retry opens the body again and re-reads the file. Only
//! the unknown-length upload (`upload_stream`), whose source cannot be read twice, buffers parts.
//!
//! Resume needs no local state, as the JS SDK does it: an unfinished upload of the key is looked
//! up (`multipart_list`), its parts listed, and every part whose size matches and whose ETag is
//! the MD5 of the local bytes is kept. So an upload interrupted in one process is finished by
//! the next.
//!
//! A task keeps its upload when it is paused or when a part fails (the task goes to Error);
//! `restart` lists that upload's parts again and sends only the ones the server lacks (a part
//! whose answer was lost is found there and kept), and `cancel` aborts it. The hash progress
//! (`on_hash_progress`) totals the whole file and ends at exactly its size.
//!
//! ## Uploads of unknown length
//!
//! Uploads of unknown length: [`Bucket::upload_reader`](crate::Bucket::upload_reader) sends any `Read` (standard input, a decompressor, another object's `get_object` body) without knowing where it ends.
//!
//! | the stream ends | what is sent |
//! | --- | --- |
//! | within the first part (0 bytes included) | one PUT Object |
//! | later | a multipart upload: parts read into buffers, sent by the part workers |
//! | with a read error, or on cancel | the upload is aborted; the error (or `Cancelled`) returned |
//! | after 10000 parts | refused: the upload is aborted, the error names `part_size` |
//!
//! Memory: at most `async_limit` parts are in flight plus the one being read, each of the part
//! size, so a stream of any length uses `(async_limit + 1) x part_size` bytes of buffers. The
//! part size grows with the stream: parts 1-1000 are `part_size`, 1001-2000 twice that, and so
//! on (doubling every 1000 parts, at most 5 GiB), so the default 1 MiB reaches about 1 TiB
//! within COS's 10000 parts while small streams keep small buffers.
//!
//! Every part is checked against COS's CRC-64 and retried from its buffer (ChunkRetryTimes
//! times); the whole object's CRC-64 is checked after Complete. Progress reports `total` 0 and
//! `percent` 0.0 while the length is unknown, then a last report with the final size at 100%.

mod buffers;
pub(crate) mod cleanup;
pub(crate) mod copy;
pub(crate) mod download;
mod download_journal;
mod local_files;
mod multipart;
mod parts;
mod pool;
pub(crate) mod progress;
pub(crate) mod task;
pub(crate) mod upload;
pub(crate) mod upload_files;
pub(crate) mod upload_stream;

pub use cleanup::*;
pub use copy::*;
pub use download::*;
pub use progress::*;
pub use task::*;
pub use upload::*;
pub use upload_files::*;
pub use upload_stream::*;

use std::sync::{Arc, Mutex};

use crate::client::{Bucket, Client};
use buffers::PartBuffers;
use pool::WorkerPool;
use task::TaskCore;

/// The transfer machinery of one client: file workers, part workers and the task list. Made on
/// first use and dropped (workers joined) with the last clone of the client.
pub(crate) struct Runtime {
    /// One transfer each: FileParallelLimit threads; more tasks wait in the queue.
    pub(crate) file_pool: WorkerPool,
    /// Parts of all transfers.
    pub(crate) part_pool: WorkerPool,
    /// Buffers of the parts in flight, reused by the next parts.
    pub(crate) part_buffers: PartBuffers,
    tasks: Mutex<Vec<Arc<TaskCore>>>,
    queue_size: usize,
}

impl Runtime {
    fn new(client: &Client) -> Self {
        let c = client.config();
        let part_workers =
            (c.chunk_parallel_limit * c.file_parallel_limit).max(c.copy_chunk_parallel_limit).clamp(1, 256);
        Runtime {
            file_pool: WorkerPool::new("cos-file", c.file_parallel_limit, c.upload_queue_size.max(1)),
            part_pool: WorkerPool::new("cos-part", part_workers, part_workers),
            part_buffers: PartBuffers::default(),
            tasks: Mutex::new(Vec::new()),
            queue_size: c.upload_queue_size.max(1),
        }
    }

    /// Registers a task (trimming finished ones beyond UploadQueueSize) and queues it.
    pub(crate) fn queue(&self, client: &Client, task: Arc<TaskCore>) {
        {
            let mut tasks = self.tasks.lock().unwrap_or_else(|p| p.into_inner());
            if !tasks.iter().any(|t| Arc::ptr_eq(t, &task)) {
                if tasks.len() >= self.queue_size {
                    let excess = tasks.len() + 1 - self.queue_size;
                    let mut removed = 0;
                    tasks.retain(|t| {
                        if removed < excess && t.state().is_finished() {
                            removed += 1;
                            false
                        } else {
                            true
                        }
                    });
                }
                tasks.push(task.clone());
            }
        }
        let c = client.clone();
        self.file_pool.submit(move || task.run(c));
    }

    pub(crate) fn tasks(&self) -> Vec<Arc<TaskCore>> {
        self.tasks.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub(crate) fn find(&self, id: &str) -> Option<Arc<TaskCore>> {
        self.tasks.lock().unwrap_or_else(|p| p.into_inner()).iter().find(|t| t.id == id).cloned()
    }
}

/// Which bucket a task works on, without a client: a runner holding a client would keep the
/// runtime (and its workers) alive through the task list.
#[derive(Clone, Debug)]
pub(crate) struct BucketAddress {
    name: String,
    region: Option<String>,
}

impl BucketAddress {
    pub(crate) fn of(bucket: &Bucket) -> Self {
        BucketAddress { name: bucket.name().to_owned(), region: bucket.region().map(str::to_owned) }
    }

    /// The bucket handle on `client`.
    pub(crate) fn on(&self, client: &Client) -> Bucket {
        match &self.region {
            Some(r) => client.bucket_in(self.name.clone(), r.clone()),
            None => client.bucket(self.name.clone()),
        }
    }
}

/// The client's transfer runtime, made on first use.
pub(crate) fn runtime(client: &Client) -> &Runtime {
    client.inner.transfer.get_or_init(|| Runtime::new(client))
}
