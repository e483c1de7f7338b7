//! Tasks: every transfer gets an id when created, a state, and controls (pause, restart,
//! cancel, wait) usable from any thread, as the JS SDK's task list.

use std::fmt;
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use crate::CancelToken;

use crate::client::{Bucket, Client};
use crate::error::{Error, Result};
use crate::http::ResponseMeta;
use crate::transfer::BucketAddress;
use crate::transfer::progress::{ProgressInfo, ProgressTracker};

/// Where a task is in its life, as the JS SDK names the states.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TaskState {
    /// Queued behind FileParallelLimit running tasks.
    Waiting,
    /// Looking for an unfinished upload to resume, hashing local parts.
    Checking,
    /// Transferring.
    Uploading,
    /// Paused: nothing new starts; a multipart upload stays on the server for `restart`.
    Paused,
    /// Cancelled: the multipart upload was aborted ([`Error::Cancelled`] from `wait`). The JS
    /// SDK's name for it, `canceled`, is [`TaskState::as_str`]'s.
    Cancelled,
    /// Failed. A multipart upload or copy whose part failed keeps its upload on the server:
    /// `restart` lists its parts and sends only the ones missing, `cancel` aborts it.
    Error,
    /// Done.
    Success,
}

impl TaskState {
    /// True for `Success`, `Error` and `Cancelled`.
    pub fn is_finished(self) -> bool {
        matches!(self, TaskState::Success | TaskState::Error | TaskState::Cancelled)
    }

    /// The JS SDK's name of the state, as its task list shows it.
    ///
    /// ```
    /// use tencent_cos::transfer::TaskState;
    /// assert_eq!(TaskState::Cancelled.as_str(), "canceled");
    /// assert_eq!(TaskState::Uploading.as_str(), "uploading");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            TaskState::Waiting => "waiting",
            TaskState::Checking => "checking",
            TaskState::Uploading => "uploading",
            TaskState::Paused => "paused",
            TaskState::Cancelled => "canceled",
            TaskState::Error => "error",
            TaskState::Success => "success",
        }
    }
}

/// What a finished transfer produced.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct TransferOutput {
    /// The bucket of the object (for a copy, the destination's).
    pub bucket: String,
    /// The object key.
    pub key: String,
    /// The object's ETag (quoted, as COS returns it).
    pub etag: String,
    /// The object's CRC-64/XZ, checked against the local data.
    pub crc64: Option<u64>,
    /// Bytes transferred in all (object size).
    pub size: u64,
    /// Where the object is, `host[/bucket]/encoded-key` without scheme, as `put_object`
    /// reports it (the JS SDK's `Location`): COS's own for a completed multipart upload, else
    /// built from the client's endpoint. Set on every successful transfer.
    pub location: Option<String>,
    /// The multipart UploadId, when the transfer was multipart.
    pub upload_id: Option<String>,
    /// Parts reused from an earlier, interrupted upload.
    pub resumed_parts: u32,
    /// Status and headers of the final response.
    pub meta: ResponseMeta,
}

/// What a task does.
///
/// ```
/// use tencent_cos::transfer::TaskKind;
/// assert_eq!(TaskKind::Download.as_str(), "download");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TaskKind {
    /// An upload (`upload_file`, `slice_upload_file`, `upload_files`).
    Upload,
    /// A copy (`slice_copy_file`).
    Copy,
    /// A download (`download_file`).
    Download,
}

impl TaskKind {
    /// `upload`, `copy` or `download`.
    pub fn as_str(self) -> &'static str {
        match self {
            TaskKind::Upload => "upload",
            TaskKind::Copy => "copy",
            TaskKind::Download => "download",
        }
    }
}

/// A snapshot of a task for `get_task_list`.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct TaskSnapshot {
    /// The task id.
    pub id: String,
    /// What it does.
    pub kind: TaskKind,
    /// Bucket.
    pub bucket: String,
    /// Object key.
    pub key: String,
    /// Local file, when there is one.
    pub file_path: Option<String>,
    /// State.
    pub state: TaskState,
    /// Progress.
    pub progress: ProgressInfo,
    /// The error message of a failed task.
    pub error: Option<String>,
}

const RUN: u8 = 0;
const PAUSE: u8 = 1;
const CANCEL: u8 = 2;

/// What a run of a task ended with.
pub(crate) enum RunOutcome {
    Done(Result<TransferOutput>),
    Paused,
}

impl From<Result<Option<TransferOutput>>> for RunOutcome {
    /// `Ok(None)` is a pause.
    fn from(result: Result<Option<TransferOutput>>) -> Self {
        match result {
            Ok(Some(out)) => RunOutcome::Done(Ok(out)),
            Ok(None) => RunOutcome::Paused,
            Err(e) => RunOutcome::Done(Err(e)),
        }
    }
}

pub(crate) type Runner = dyn Fn(&Client, &Arc<TaskCore>) -> RunOutcome + Send + Sync;
pub(crate) type CancelCleanup = Box<dyn FnOnce(&Client) + Send>;

/// The shared, type-erased state of one task.
pub(crate) struct TaskCore {
    pub(crate) id: String,
    pub(crate) kind: TaskKind,
    pub(crate) bucket: String,
    pub(crate) key: String,
    pub(crate) file_path: Option<String>,
    state: Mutex<TaskState>,
    changed: Condvar,
    control: AtomicU8,
    pub(crate) progress: Arc<ProgressTracker>,
    result: Mutex<Option<Result<TransferOutput>>>,
    error_text: Mutex<Option<String>>,
    runner: Arc<Runner>,
    /// What cancelling a paused task must undo on the server (abort its multipart upload).
    pub(crate) cancel_cleanup: Mutex<Option<CancelCleanup>>,
    /// Whatever the runner keeps between runs (UploadId, part list) so `restart` resumes.
    pub(crate) resume: Mutex<Option<Box<dyn std::any::Any + Send>>>,
    cancel_token: CancelToken,
}

impl fmt::Debug for TaskCore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Task").field("id", &self.id).field("kind", &self.kind).field("key", &self.key).finish()
    }
}

fn new_task_id() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    format!("{:x}-{:x}-{n}", t, std::process::id())
}

impl TaskCore {
    pub(crate) fn new(
        kind: TaskKind,
        bucket: &str,
        key: &str,
        file_path: Option<String>,
        progress: Arc<ProgressTracker>,
        runner: Arc<Runner>,
    ) -> Arc<Self> {
        Arc::new(TaskCore {
            id: new_task_id(),
            kind,
            bucket: bucket.to_owned(),
            key: key.to_owned(),
            file_path,
            state: Mutex::new(TaskState::Waiting),
            changed: Condvar::new(),
            control: AtomicU8::new(RUN),
            progress,
            result: Mutex::new(None),
            error_text: Mutex::new(None),
            runner,
            cancel_cleanup: Mutex::new(None),
            resume: Mutex::new(None),
            cancel_token: CancelToken::new(),
        })
    }

    pub(crate) fn state(&self) -> TaskState {
        *self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Moves a running task on (Checking to Uploading); a runner never publishes a
    /// finished or paused state this way.
    pub(crate) fn set_state(&self, state: TaskState) {
        let mut current = self.lock_state();
        if matches!(*current, TaskState::Checking | TaskState::Uploading) {
            *current = state;
            self.changed.notify_all();
        }
    }

    /// True once pause or cancel was asked for: the runner starts nothing new.
    pub(crate) fn should_stop(&self) -> bool {
        self.control.load(Ordering::SeqCst) != RUN
    }

    /// True once cancel was asked for.
    pub(crate) fn is_cancelled(&self) -> bool {
        self.control.load(Ordering::SeqCst) == CANCEL
    }

    pub(crate) fn snapshot(&self) -> TaskSnapshot {
        TaskSnapshot {
            id: self.id.clone(),
            kind: self.kind,
            bucket: self.bucket.clone(),
            key: self.key.clone(),
            file_path: self.file_path.clone(),
            state: self.state(),
            progress: self.progress.snapshot(),
            error: self.error_text.lock().unwrap_or_else(|p| p.into_inner()).clone(),
        }
    }

    /// Runs the task on the calling (file worker) thread, unless it was paused or cancelled
    /// while it waited.
    ///
    /// Takes the client by value and lets go of it before the final state is published: a
    /// caller woken by `wait` who then drops the last clone of the client finds the workers
    /// idle and joins them, rather than this worker holding the last clone.
    pub(crate) fn run(self: &Arc<Self>, client: Client) {
        // Check-and-set in one critical section: of two queued jobs for one task (a pause and
        // restart while it waited), only one runs it.
        {
            let mut state = self.lock_state();
            if *state != TaskState::Waiting {
                return;
            }
            match self.control.load(Ordering::SeqCst) {
                PAUSE => {
                    *state = TaskState::Paused;
                    self.changed.notify_all();
                    return;
                }
                CANCEL => {
                    self.run_cancel_cleanup(&client);
                    drop(client);
                    self.finish_locked(&mut state, Err(Error::Cancelled));
                    return;
                }
                _ => {
                    *state = TaskState::Checking;
                    self.changed.notify_all();
                }
            }
        }
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let outcome = (self.runner)(&client, self);
            if let RunOutcome::Done(Ok(_)) = &outcome {
                // The final 100% report runs the user's callback: outside the state lock.
                self.progress.finish();
            }
            outcome
        }))
        .unwrap_or_else(|panic| {
            let message = panic_message(panic.as_ref());
            let callback = if self.progress.callback_panicked() { "on_progress" } else { "transfer" };
            RunOutcome::Done(Err(Error::CallbackPanicked { callback, message }))
        });
        let mut state = self.lock_state();
        let cancelled = self.is_cancelled() && !matches!(outcome, RunOutcome::Done(Ok(_)));
        if cancelled {
            self.run_cancel_cleanup(&client);
        }
        match outcome {
            _ if cancelled => {
                drop(client);
                self.finish_locked(&mut state, Err(Error::Cancelled));
            }
            RunOutcome::Paused if self.control.load(Ordering::SeqCst) == RUN => {
                // Restarted while the pause wound down: run on from what was kept.
                *state = TaskState::Waiting;
                self.changed.notify_all();
                drop(state);
                crate::transfer::runtime(&client).queue(&client, self.clone());
            }
            RunOutcome::Paused => {
                drop(client);
                *state = TaskState::Paused;
                self.changed.notify_all();
            }
            RunOutcome::Done(result) => {
                drop(client);
                self.finish_locked(&mut state, result);
            }
        }
    }

    fn lock_state(&self) -> std::sync::MutexGuard<'_, TaskState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The token `cancel` raises: part requests watch it, so retries and backoff stop at once.
    pub(crate) fn cancel_token(&self) -> CancelToken {
        self.cancel_token.clone()
    }

    /// The upload the task kept cannot be resumed: aborts it and sweeps the uploads of the key
    /// its runs may have made (what a cancel would do), and forgets it.
    pub(crate) fn drop_kept(&self, client: &Client) {
        self.run_cancel_cleanup(client);
    }

    fn run_cancel_cleanup(&self, client: &Client) {
        let cleanup = self.cancel_cleanup.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(cleanup) = cleanup {
            cleanup(client);
        }
    }

    /// Publishes the result; `Success` expects `progress.finish()` to have run.
    fn finish_locked(&self, state: &mut TaskState, result: Result<TransferOutput>) {
        let next = match &result {
            Ok(_) => TaskState::Success,
            Err(Error::Cancelled) => TaskState::Cancelled,
            Err(e) => {
                *self.error_text.lock().unwrap_or_else(|p| p.into_inner()) = Some(e.to_string());
                TaskState::Error
            }
        };
        *self.result.lock().unwrap_or_else(|p| p.into_inner()) = Some(result);
        *state = next;
        self.changed.notify_all();
    }

    /// From Waiting: Paused at once. From Checking or Uploading: parts in flight finish, then
    /// Paused. Otherwise nothing.
    pub(crate) fn pause(&self) {
        let mut state = self.lock_state();
        match *state {
            TaskState::Waiting => {
                let _ = self.control.compare_exchange(RUN, PAUSE, Ordering::SeqCst, Ordering::SeqCst);
                *state = TaskState::Paused;
                self.changed.notify_all();
            }
            TaskState::Checking | TaskState::Uploading => {
                let _ = self.control.compare_exchange(RUN, PAUSE, Ordering::SeqCst, Ordering::SeqCst);
            }
            _ => {}
        }
    }

    /// From Waiting, Paused or Error: Cancelled at once (aborting a kept multipart upload).
    /// From Checking or Uploading: the runner stops, in-flight requests are cancelled, and the
    /// task ends Cancelled. Finished tasks: nothing.
    pub(crate) fn cancel(self: &Arc<Self>, client: &Client) {
        let mut state = self.lock_state();
        match *state {
            TaskState::Success | TaskState::Cancelled => {}
            TaskState::Waiting | TaskState::Paused | TaskState::Error => {
                self.control.store(CANCEL, Ordering::SeqCst);
                self.cancel_token.cancel();
                self.run_cancel_cleanup(client);
                self.finish_locked(&mut state, Err(Error::Cancelled));
            }
            TaskState::Checking | TaskState::Uploading => {
                self.control.store(CANCEL, Ordering::SeqCst);
                self.cancel_token.cancel();
            }
        }
    }

    /// From Paused or Error: queued again, resuming from what the runner kept (also the
    /// upload a failed part left). From a running task with a pause pending: the pause is
    /// withdrawn and the run goes on. From Waiting or a running task: nothing. Success or
    /// Cancelled: an error.
    pub(crate) fn restart(self: &Arc<Self>, client: &Client) -> Result<()> {
        {
            let mut state = self.lock_state();
            match *state {
                TaskState::Paused | TaskState::Error => {
                    *state = TaskState::Waiting;
                    *self.error_text.lock().unwrap_or_else(|p| p.into_inner()) = None;
                    self.result.lock().unwrap_or_else(|p| p.into_inner()).take();
                    self.control.store(RUN, Ordering::SeqCst);
                    self.changed.notify_all();
                }
                TaskState::Waiting | TaskState::Checking | TaskState::Uploading => {
                    let _ = self.control.compare_exchange(PAUSE, RUN, Ordering::SeqCst, Ordering::SeqCst);
                    return Ok(());
                }
                TaskState::Success | TaskState::Cancelled => {
                    return Err(Error::invalid_state("task", format!("a {:?} task cannot be restarted", *state)));
                }
            }
        }
        crate::transfer::runtime(client).queue(client, self.clone());
        Ok(())
    }

    /// Blocks until the task is finished (a paused task waits for a restart or cancel).
    pub(crate) fn wait(&self) -> Result<TransferOutput> {
        let mut state = self.lock_state();
        while !state.is_finished() {
            state = self.changed.wait(state).unwrap_or_else(|p| p.into_inner());
        }
        drop(state);
        self.take_result()
    }

    /// As `wait`, giving up after `timeout`.
    pub(crate) fn wait_timeout(&self, timeout: Duration) -> Option<Result<TransferOutput>> {
        let deadline = std::time::Instant::now() + timeout;
        let mut state = self.lock_state();
        while !state.is_finished() {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                return None;
            }
            state = self.changed.wait_timeout(state, left).unwrap_or_else(|p| p.into_inner()).0;
        }
        drop(state);
        Some(self.take_result())
    }

    fn take_result(&self) -> Result<TransferOutput> {
        self.result
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
            .unwrap_or_else(|| Err(Error::invalid_state("task", "its result was already taken by another wait()")))
    }
}

/// The text of a panic payload.
fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic without a message".to_owned()
    }
}

/// `on_progress` and `on_task_ready` of a transfer builder whose `$field` has them.
macro_rules! task_callback_methods {
    ($builder:ident, $field:ident, $call:literal) => {
        impl $builder<'_> {
            #[doc = "Progress: `{loaded, total, speed, percent}` over the bytes transferred, at most once per"]
            #[doc = "ProgressInterval, never going back, always a final call at 100%."]
            #[doc = ""]
            #[doc = $crate::api::object::builder_doc!($call, "on_progress(|p| eprintln!(\"{:.0}%\", p.fraction * 100.0))")]
            pub fn on_progress(mut self, f: impl Fn(&$crate::transfer::ProgressInfo) + Send + Sync + 'static) -> Self {
                self.$field.on_progress = Some(std::sync::Arc::new(f));
                self
            }

            #[doc = "Called with the task id as soon as the task exists (`onTaskReady`)."]
            #[doc = ""]
            #[doc = $crate::api::object::builder_doc!($call, "on_task_ready(|id| eprintln!(\"task {id}\"))")]
            pub fn on_task_ready(mut self, f: impl Fn(&str) + Send + Sync + 'static) -> Self {
                self.$field.on_task_ready = Some(std::sync::Arc::new(f));
                self
            }
        }
    };
}
pub(crate) use task_callback_methods;

/// Called with a task's id as soon as the task exists (`onTaskReady`).
pub type TaskReadyCallback = Arc<dyn Fn(&str) + Send + Sync>;

/// Creates a task whose runner is `run` (given the bucket on the client that runs it), tells
/// `on_task_ready` its id, then registers and queues it on the client's file workers.
pub(crate) fn queue_task(
    bucket: &Bucket,
    kind: TaskKind,
    key: &str,
    file_path: Option<&std::path::Path>,
    progress: ProgressTracker,
    on_task_ready: Option<&TaskReadyCallback>,
    run: impl Fn(&Bucket, &Arc<TaskCore>) -> RunOutcome + Send + Sync + 'static,
) -> TaskHandle {
    // The runner keeps the bucket's address, not a client: through the task list a client
    // would keep its own runtime alive.
    let address = BucketAddress::of(bucket);
    let runner = Arc::new(move |client: &Client, task: &Arc<TaskCore>| {
        let bucket = address.on(client);
        match run(&bucket, task) {
            RunOutcome::Done(Ok(out)) => RunOutcome::Done(Ok(addressed(&bucket, out))),
            other => other,
        }
    });
    let file_path = file_path.map(|p| p.display().to_string());
    let core = TaskCore::new(kind, bucket.name(), key, file_path, Arc::new(progress), runner);
    if let Some(cb) = on_task_ready {
        cb(&core.id);
    }
    let client = bucket.client().clone();
    crate::transfer::runtime(&client).queue(&client, core.clone());
    TaskHandle { core, client }
}

/// Fills in what every output carries whatever the path that made it: the bucket, and the
/// object's location when COS sent none.
fn addressed(bucket: &Bucket, mut out: TransferOutput) -> TransferOutput {
    out.bucket = bucket.name().to_owned();
    if out.location.is_none() {
        out.location = crate::api::object_put::object_location(bucket, &out.key).ok();
    }
    out
}

/// A handle on a running transfer: pause, restart, cancel or wait for it from any thread.
///
/// ```no_run
/// use tencent_cos::Client;
/// let client = Client::from_env()?;
/// let bucket = client.bucket("examplebucket-1250000000");
/// # let _ = &bucket;
/// for task in client.get_task_list() {
///     println!("{} {:?} {:.0}%", task.id, task.state, task.progress.fraction * 100.0);
///     client.pause_task(&task.id);
/// }
/// # Ok::<(), tencent_cos::Error>(())
/// ```
pub struct TaskHandle {
    pub(crate) core: Arc<TaskCore>,
    pub(crate) client: Client,
}

impl fmt::Debug for TaskHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskHandle").field("id", &self.core.id).field("state", &self.core.state()).finish()
    }
}

impl TaskHandle {
    /// The task id (as `on_task_ready` received it).
    pub fn id(&self) -> &str {
        &self.core.id
    }

    /// The current state.
    pub fn state(&self) -> TaskState {
        self.core.state()
    }

    /// Progress so far.
    pub fn progress(&self) -> ProgressInfo {
        self.core.progress.snapshot()
    }

    /// Parts in flight finish, nothing new starts; the upload stays on the server.
    pub fn pause(&self) {
        self.core.pause();
    }

    /// Picks a paused or failed task up again: it lists the parts of the upload it kept
    /// (ListParts) and sends only the ones the server does not have. On a task still running
    /// it withdraws a pending pause. `Err(InvalidState)` on a finished (Success or Cancelled)
    /// task.
    pub fn restart(&self) -> Result<()> {
        self.core.restart(&self.client)
    }

    /// Stops the task and aborts its multipart upload (also one kept by a paused or failed
    /// task); `wait` then returns [`Error::Cancelled`].
    pub fn cancel(&self) {
        self.core.cancel(&self.client);
    }

    /// Blocks until the task finishes and returns its result. On a Paused task it waits
    /// until the task is restarted (and finishes) or cancelled.
    pub fn wait(self) -> Result<TransferOutput> {
        self.core.wait()
    }

    /// As [`wait`](TaskHandle::wait), but gives up after `timeout`: `None` when the task is
    /// not finished by then (the handle stays usable). Only the first call that sees the
    /// task finished gets its result; later ones get [`Error::InvalidState`].
    pub fn wait_timeout(&self, timeout: Duration) -> Option<Result<TransferOutput>> {
        self.core.wait_timeout(timeout)
    }
}

impl Client {
    /// Snapshots of the transfers this client knows (running, queued, paused, finished), as
    /// the JS SDK's `getTaskList`.
    pub fn get_task_list(&self) -> Vec<TaskSnapshot> {
        crate::transfer::runtime(self).tasks().iter().map(|t| t.snapshot()).collect()
    }

    /// Pauses a task by id (`pauseTask`). Returns false for an unknown id.
    pub fn pause_task(&self, id: &str) -> bool {
        crate::transfer::runtime(self).find(id).map(|t| t.pause()).is_some()
    }

    /// Cancels a task by id (`cancelTask`), aborting its multipart upload.
    pub fn cancel_task(&self, id: &str) -> bool {
        crate::transfer::runtime(self).find(id).map(|t| t.cancel(self)).is_some()
    }

    /// Restarts a paused or failed task by id (`restartTask`).
    pub fn restart_task(&self, id: &str) -> Result<()> {
        let task = crate::transfer::runtime(self)
            .find(id)
            .ok_or_else(|| Error::invalid("task_id", format!("no task {id}")))?;
        task.restart(self)
    }
}
