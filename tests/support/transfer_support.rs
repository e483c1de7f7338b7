//! Shared by the transfer tests: an emulator reached in-process or over HTTP, a transport
//! wrapper that counts and can interfere, deterministic file contents.

use std::collections::HashMap;
use std::io::Read;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tencent_cos::emulator::{DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, Emulator, ServerHandle};
use tencent_cos::http::{Body, Request, Response};
use tencent_cos::transport::{Transport, UreqTransport};
use tencent_cos::{Client, ClientBuilder};

pub const BUCKET: &str = "examplebucket-1250000000";
pub const MIB: usize = 1024 * 1024;

/// How the client reaches the emulator.
#[derive(Clone, Copy, Debug)]
pub enum Front {
    InProcess,
    Http,
}

/// A hook run before a request is passed on; it may change the request.
pub type Hook = Arc<dyn Fn(&mut Request, &Seen) + Send + Sync>;

/// A hook run on a response before the client sees it; it may change or replace it.
pub type ResponseHook = Arc<dyn Fn(&mut Response, &Seen) + Send + Sync>;

/// What the spy saw of one request.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    pub target: String,
    pub part_number: Option<u32>,
    pub key: String,
    /// The `Range` header of a GET.
    pub range: Option<String>,
}

/// Counts requests, concurrent requests per key and part uploads, and runs a hook.
#[derive(Clone)]
pub struct Spy {
    inner: Arc<dyn Transport>,
    pub log: Arc<Mutex<Vec<Seen>>>,
    in_flight_by_key: Arc<Mutex<HashMap<String, usize>>>,
    pub max_keys_in_flight: Arc<AtomicUsize>,
    in_flight_parts: Arc<AtomicUsize>,
    pub max_parts_in_flight: Arc<AtomicUsize>,
    hook: Arc<Mutex<Option<Hook>>>,
    response_hook: Arc<Mutex<Option<ResponseHook>>>,
    refuse: Arc<Mutex<Option<Refuse>>>,
    pub delay: Arc<Mutex<Duration>>,
}

/// Which requests fail with a broken connection before they are sent (the server never sees
/// them).
pub type Refuse = Arc<dyn Fn(&Seen) -> bool + Send + Sync>;

fn target_of(url: &str) -> String {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    rest.find('/').map(|i| rest[i..].to_owned()).unwrap_or_else(|| "/".into())
}

impl Spy {
    pub fn new(inner: impl Transport) -> Self {
        Spy {
            inner: Arc::new(inner),
            log: Default::default(),
            in_flight_by_key: Default::default(),
            max_keys_in_flight: Default::default(),
            in_flight_parts: Default::default(),
            max_parts_in_flight: Default::default(),
            hook: Default::default(),
            response_hook: Default::default(),
            refuse: Default::default(),
            delay: Default::default(),
        }
    }

    pub fn set_hook(&self, hook: impl Fn(&mut Request, &Seen) + Send + Sync + 'static) {
        *self.hook.lock().unwrap() = Some(Arc::new(hook));
    }

    pub fn clear_hook(&self) {
        *self.hook.lock().unwrap() = None;
    }

    /// Runs `hook` on every successful response (body interference, status rewrites).
    pub fn set_response_hook(&self, hook: impl Fn(&mut Response, &Seen) + Send + Sync + 'static) {
        *self.response_hook.lock().unwrap() = Some(Arc::new(hook));
    }

    pub fn clear_response_hook(&self) {
        *self.response_hook.lock().unwrap() = None;
    }

    /// Fails every request for which `refuse` holds with a connection error, before it is
    /// sent: the server never sees it (it is still logged).
    pub fn set_refuse(&self, refuse: impl Fn(&Seen) -> bool + Send + Sync + 'static) {
        *self.refuse.lock().unwrap() = Some(Arc::new(refuse));
    }

    pub fn clear_refuse(&self) {
        *self.refuse.lock().unwrap() = None;
    }

    /// How many requests of `method` with `partNumber={part}` went out.
    pub fn part_requests(&self, method: &str, part: u32) -> usize {
        self.seen().iter().filter(|s| s.method == method && s.part_number == Some(part)).count()
    }

    /// The `Range` of every GET of `key` that had one, in order.
    pub fn ranged_gets(&self, key: &str) -> Vec<String> {
        self.seen().into_iter().filter(|s| s.method == "GET" && s.key == key).filter_map(|s| s.range).collect()
    }

    /// How many requests of `method` went to `key`.
    pub fn count(&self, method: &str, key: &str) -> usize {
        self.seen().iter().filter(|s| s.method == method && s.key == key).count()
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.log.lock().unwrap().clone()
    }

    /// How many times each part number was PUT.
    pub fn part_puts(&self) -> HashMap<u32, usize> {
        let mut counts = HashMap::new();
        for s in self.seen() {
            if let Some(n) = s.part_number.filter(|_| s.method == "PUT") {
                *counts.entry(n).or_insert(0) += 1;
            }
        }
        counts
    }
}

impl Transport for Spy {
    fn send(&self, mut request: Request) -> tencent_cos::Result<Response> {
        let target = target_of(&request.url);
        let path = target.split('?').next().unwrap_or("").to_owned();
        // Path style (HTTP front) puts the bucket first; virtual-hosted URLs do not.
        let path = path.trim_start_matches('/');
        let key = path.strip_prefix(&format!("{BUCKET}/")).unwrap_or(path);
        let key = tencent_cos::decode_component(key).unwrap_or_default();
        let part_number =
            target.split(['?', '&']).find_map(|p| p.strip_prefix("partNumber=")).and_then(|n| n.parse().ok());
        let range = request.headers.get("range").map(str::to_owned);
        let seen = Seen { method: request.method.as_str().to_owned(), target, part_number, key: key.clone(), range };
        self.log.lock().unwrap().push(seen.clone());
        let hook = self.hook.lock().unwrap().clone();
        if let Some(h) = hook {
            h(&mut request, &seen);
        }
        let refuse = self.refuse.lock().unwrap().clone();
        if refuse.is_some_and(|r| r(&seen)) {
            return Err(tencent_cos::Error::transport(
                tencent_cos::TransportErrorKind::Connect,
                std::io::Error::other("refused by the test before sending"),
            ));
        }
        {
            let mut map = self.in_flight_by_key.lock().unwrap();
            *map.entry(key.clone()).or_insert(0) += 1;
            let keys = map.values().filter(|n| **n > 0).count();
            self.max_keys_in_flight.fetch_max(keys, Ordering::SeqCst);
        }
        // A part is an upload or copy of a part, or a ranged GET.
        let is_part = part_number.is_some() || seen.range.is_some();
        let parts = if is_part { self.in_flight_parts.fetch_add(1, Ordering::SeqCst) + 1 } else { 0 };
        self.max_parts_in_flight.fetch_max(parts, Ordering::SeqCst);
        let delay = *self.delay.lock().unwrap();
        if !delay.is_zero() {
            std::thread::sleep(delay);
        }
        let mut result = self.inner.send(request);
        let response_hook = self.response_hook.lock().unwrap().clone();
        if let (Some(h), Ok(response)) = (response_hook, result.as_mut()) {
            h(response, &seen);
        }
        if is_part {
            self.in_flight_parts.fetch_sub(1, Ordering::SeqCst);
        }
        *self.in_flight_by_key.lock().unwrap().get_mut(&key).unwrap() -= 1;
        result
    }
}

/// An emulator with the bucket created, and a way to make clients for it.
pub struct Setup {
    pub emulator: Emulator,
    pub front: Front,
    server: Option<ServerHandle>,
}

impl Setup {
    pub fn new(front: Front) -> Self {
        let emulator = Emulator::new();
        let server = match front {
            Front::InProcess => None,
            Front::Http => Some(emulator.serve("127.0.0.1:0").unwrap()),
        };
        let setup = Setup { emulator, front, server };
        setup.client(|b| b).bucket(BUCKET).put_bucket().send().unwrap();
        setup
    }

    /// A transport to the emulator for this front.
    pub fn transport(&self) -> Arc<dyn Transport> {
        match self.front {
            Front::InProcess => Arc::new(self.emulator.clone()),
            Front::Http => Arc::new(UreqTransport::new(Some(Duration::from_secs(5)), Some(Duration::from_secs(60)))),
        }
    }

    fn base(&self) -> ClientBuilder {
        let b = Client::builder().secret(DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY).region("ap-guangzhou");
        match &self.server {
            Some(s) => b.endpoint_url(&s.url()),
            None => b,
        }
    }

    /// A client with the default transport for this front, configured by `f`.
    pub fn client(&self, f: impl FnOnce(ClientBuilder) -> ClientBuilder) -> Client {
        f(self.base().transport(self.transport())).build().unwrap()
    }

    /// A client whose requests go through a [`Spy`].
    pub fn spied_client(&self, f: impl FnOnce(ClientBuilder) -> ClientBuilder) -> (Client, Spy) {
        let spy = Spy::new(self.transport());
        (f(self.base().transport(spy.clone())).build().unwrap(), spy)
    }

    pub fn object(&self, key: &str) -> Option<Vec<u8>> {
        self.emulator.object_bytes(BUCKET, key)
    }

    pub fn pending_uploads(&self) -> Vec<(String, String)> {
        self.emulator.pending_uploads(BUCKET)
    }
}

/// A small xorshift generator: seeded tests draw their schedules, sizes and faults from it.
pub struct Rng(u64);

impl Rng {
    /// A generator for `seed` (any value; it is mixed so that nearby seeds differ at once).
    pub fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// `len` bytes that differ from part to part (so a misplaced part is caught).
pub fn pattern(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// Writes `data` to a new temporary file and returns its path (removed when the guard drops).
pub struct TempFile {
    pub path: std::path::PathBuf,
}

impl TempFile {
    pub fn new(data: &[u8]) -> Self {
        static N: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "tencent-cos-test-{}-{}.bin",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::write(&path, data).unwrap();
        TempFile { path }
    }

    pub fn empty_path() -> Self {
        static N: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "tencent-cos-test-out-{}-{}.bin",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        TempFile { path }
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Reads a request body into memory and puts it back, so a hook can look at or change it.
pub fn body_bytes(request: &mut Request) -> Vec<u8> {
    let body = std::mem::replace(&mut request.body, Body::Empty);
    let mut data = Vec::new();
    body.into_reader().read_to_end(&mut data).unwrap();
    request.body = Body::from(data.clone());
    data
}

/// Flips the bits of byte `at` of a response body as it streams (the length is unchanged).
pub fn flip_body_byte(response: &mut Response, at: usize) {
    let body = std::mem::replace(&mut response.body, Box::new(std::io::empty()));
    response.body = Box::new(FlipByte { inner: body, pos: 0, at });
}

struct FlipByte {
    inner: Box<dyn Read + Send>,
    pos: usize,
    at: usize,
}

impl Read for FlipByte {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if (self.pos..self.pos + n).contains(&self.at) {
            buf[self.at - self.pos] ^= 0xFF;
        }
        self.pos += n;
        Ok(n)
    }
}

/// Replaces a response with a bodiless `status` (a 503 to simulate a failing server).
pub fn replace_with_status(response: &mut Response, status: u16) {
    *response = Response::from_bytes(status, [("x-cos-request-id", "spy")], Vec::new());
}

/// A new empty temporary directory, removed with its contents when the guard drops.
pub struct TempDir {
    pub path: std::path::PathBuf,
}

impl TempDir {
    pub fn new() -> Self {
        static N: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "tencent-cos-test-dir-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::create_dir_all(&path).unwrap();
        TempDir { path }
    }

    pub fn join(&self, name: &str) -> std::path::PathBuf {
        self.path.join(name)
    }

    /// The names of the files in the directory, sorted.
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.path)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// Asserts what the issue asks of progress: monotonic, always of `total`, ending with exactly
/// one report at 100%.
pub fn assert_progress_complete(seen: &[tencent_cos::transfer::ProgressInfo], total: u64) {
    assert!(seen.len() >= 2, "{seen:?}");
    assert!(seen.windows(2).all(|w| w[0].loaded <= w[1].loaded), "{seen:?}");
    assert!(seen.iter().all(|p| p.total == total), "{seen:?}");
    let last = seen.last().unwrap();
    assert_eq!((last.loaded, last.fraction), (total, 1.0));
    assert_eq!(seen.iter().filter(|p| p.fraction == 1.0).count(), 1, "one final call");
}

/// A slot for a task's id, filled by the `on_task_ready` callback [`TaskId::recorder`] gives.
#[derive(Clone, Default)]
pub struct TaskId(Arc<Mutex<String>>);

impl TaskId {
    pub fn recorder(&self) -> impl Fn(&str) + Send + Sync + 'static {
        let slot = self.0.clone();
        move |id| *slot.lock().unwrap() = id.to_owned()
    }

    pub fn get(&self) -> String {
        self.0.lock().unwrap().clone()
    }
}

/// Pauses or cancels (`action`) the task once a request for which `when` holds goes out.
pub fn control_task_when(
    spy: &Spy,
    client: &Client,
    when: impl Fn(&Seen) -> bool + Send + Sync + 'static,
    action: fn(&Client, &str) -> bool,
) -> TaskId {
    let id = TaskId::default();
    let (slot, c) = (id.clone(), client.clone());
    spy.set_hook(move |_, seen| {
        if when(seen) {
            action(&c, &slot.get());
        }
    });
    id
}

/// Waits until the task is paused (failing if it finishes first).
pub fn wait_paused(task: &tencent_cos::transfer::TaskHandle) {
    while task.state() != tencent_cos::transfer::TaskState::Paused {
        assert!(!task.state().is_finished(), "{:?}", task.state());
        std::thread::sleep(Duration::from_millis(5));
    }
}
