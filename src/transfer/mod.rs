//! Managed transfers on a fixed worker pool: resumable multipart upload, copy, ranged download,
//! with tasks, progress, pause, cancel and restart.

mod buffers;
pub mod cleanup;
pub mod copy;
pub mod download;
mod download_journal;
mod local_files;
mod multipart;
mod parts;
mod pool;
pub mod progress;
pub mod task;
pub mod upload;
pub mod upload_files;
pub mod upload_stream;

use std::sync::{Arc, Mutex};

use crate::client::{Bucket, Client};
use buffers::PartBuffers;
use pool::WorkerPool;
use task::TaskCore;

pub use cleanup::{AbortFailure, AbortIncompleteUploads, AbortedUploads};
pub use progress::{ProgressCallback, ProgressInfo};
pub use task::{TaskHandle, TaskKind, TaskSnapshot, TaskState, TransferOutput};

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
