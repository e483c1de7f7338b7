//! A fixed pool of `std::thread` workers fed by a bounded crossbeam channel.
//!
//! Two pools serve transfers: file workers run one transfer each (FileParallelLimit of them),
//! part workers run the parts of all transfers. A transfer keeps at most its own parallel limit
//! of parts in flight, so one big file cannot starve the others, and memory stays bounded by
//! the number of part workers times the part size.

use std::sync::Mutex;
use std::thread::{self, JoinHandle, ThreadId};

use crossbeam_channel::{Receiver, Sender, bounded};

type Job = Box<dyn FnOnce() + Send + 'static>;

/// A fixed set of worker threads. Dropping the pool closes its queue; workers finish the jobs
/// already queued and are joined.
pub(crate) struct WorkerPool {
    sender: Mutex<Option<Sender<Job>>>,
    workers: Mutex<Vec<JoinHandle<()>>>,
    ids: Vec<ThreadId>,
}

impl WorkerPool {
    /// `size` workers named `{name}-{i}`, with a queue of `queue` jobs beyond the running ones.
    pub(crate) fn new(name: &str, size: usize, queue: usize) -> Self {
        let size = size.max(1);
        let (tx, rx): (Sender<Job>, Receiver<Job>) = bounded(queue);
        let workers: Vec<JoinHandle<()>> = (0..size)
            .map(|i| {
                let rx = rx.clone();
                thread::Builder::new()
                    .name(format!("{name}-{i}"))
                    .spawn(move || {
                        while let Ok(job) = rx.recv() {
                            // A panicking job must not take the worker down with it.
                            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
                        }
                    })
                    .expect("spawning a worker thread")
            })
            .collect();
        let ids = workers.iter().map(|w| w.thread().id()).collect();
        WorkerPool { sender: Mutex::new(Some(tx)), workers: Mutex::new(workers), ids }
    }

    /// Queues a job, blocking while the queue is full. Returns false once the pool is closed.
    pub(crate) fn submit(&self, job: impl FnOnce() + Send + 'static) -> bool {
        let sender = self.sender.lock().unwrap_or_else(|p| p.into_inner()).clone();
        match sender {
            Some(tx) => tx.send(Box::new(job)).is_ok(),
            None => false,
        }
    }

    /// True when called from one of this pool's workers.
    pub(crate) fn is_worker(&self) -> bool {
        self.ids.contains(&thread::current().id())
    }
}

impl Drop for WorkerPool {
    fn drop(&mut self) {
        self.sender.lock().unwrap_or_else(|p| p.into_inner()).take();
        let me = thread::current().id();
        let workers = std::mem::take(&mut *self.workers.lock().unwrap_or_else(|p| p.into_inner()));
        for w in workers {
            // The last client clone may be dropped by a job on a worker: that one cannot join
            // itself; it exits on its own when the queue is closed.
            if w.thread().id() != me {
                let _ = w.join();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn runs_every_job_on_a_fixed_set_of_threads_and_joins_on_drop() {
        let pool = WorkerPool::new("t", 3, 4);
        let done = Arc::new(AtomicUsize::new(0));
        let names = Arc::new(Mutex::new(std::collections::HashSet::new()));
        for _ in 0..100 {
            let (d, n) = (done.clone(), names.clone());
            assert!(pool.submit(move || {
                n.lock().unwrap().insert(thread::current().name().unwrap().to_owned());
                d.fetch_add(1, Ordering::SeqCst);
            }));
        }
        drop(pool);
        assert_eq!(done.load(Ordering::SeqCst), 100);
        assert!(names.lock().unwrap().len() <= 3);
    }

    #[test]
    fn a_panicking_job_does_not_kill_the_worker() {
        let pool = WorkerPool::new("p", 1, 1);
        let done = Arc::new(AtomicUsize::new(0));
        pool.submit(|| panic!("job panics"));
        let d = done.clone();
        pool.submit(move || {
            d.fetch_add(1, Ordering::SeqCst);
        });
        drop(pool);
        assert_eq!(done.load(Ordering::SeqCst), 1);
    }
}
