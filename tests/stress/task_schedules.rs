//! Seeded, model-checked schedules of the task controls: pause / restart / cancel /
//! wait_timeout / dropping the client, fired at random moments (before the start, while queued
//! behind another transfer, while checking, with parts in flight, after the end) on uploads,
//! copies and downloads, over a slow transport and over `FaultyTransport`.
//!
//! After every schedule:
//! - every wait after a restart or a cancel returns within its bound;
//! - a Success is byte-exact (object or file), and its last progress report is exactly `total`;
//! - progress never goes back and never exceeds the bytes of the parts whose requests went out
//!   (confirmed plus in flight);
//! - no part the client accepted is sent again within the same multipart upload;
//! - nothing is left on the server (or, for a download, in the directory) after a cancel;
//! - after an Error, at most the task's own upload is on the server, and restart resumes it;
//! - no task runs twice at once: at most one control request per key and at most the parallel
//!   limit of part requests are in flight.
//!
//! 504 schedules by default (all kinds and transports); `SCHEDULE_SEEDS=<n>` runs `n`
//! (from `SCHEDULE_FIRST`, 0 by default). A failure names its seed and shows its requests;
//! `SCHEDULE_SEED=<seed>` runs that one alone.
use crate::support::transfer_support;

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tencent_cos::api::MultipartUploadInput;
use tencent_cos::api::UploadPartCopyInput;
use tencent_cos::emulator::{DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, Emulator};
use tencent_cos::http::{Request, Response};
use tencent_cos::operation::Operation;
use tencent_cos::transfer::{ProgressInfo, TaskHandle, TaskState, TransferOutput};
use tencent_cos::transport::{FaultConfig, FaultyTransport, Transport};
use tencent_cos::{Client, Error, RetryPolicy};
use transfer_support::{BUCKET, MIB, Rng, TempDir, TempFile, pattern};

/// Parts in flight per transfer.
const LIMIT: usize = 2;
/// How long a wait after a restart or a cancel may take before it counts as a hang.
const WAIT_BOUND: Duration = Duration::from_secs(20);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Upload,
    Copy,
    Download,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Net {
    /// Every request delayed by a few milliseconds.
    Slow,
    /// `FaultyTransport` at a 10% fault rate (every kind of fault).
    Faulty,
}

/// What the observer learnt of the requests of one schedule.
#[derive(Default)]
struct Watch {
    /// Bytes of every distinct part (or whole-object request) that went out, by `(key, part)`.
    started: HashMap<(String, String), u64>,
    /// `(upload id, part number)` of part requests the client accepted.
    accepted: HashSet<(String, u32)>,
    /// Broken rules, described.
    violations: Vec<String>,
    control_in_flight: HashMap<String, usize>,
    parts_in_flight: usize,
    /// Every request and answer, in order, shown when a schedule fails.
    log: Vec<String>,
}

/// A transport that watches the requests a transfer makes (between the client and the
/// emulator, faulty or not) and checks the rules that can be seen on the wire.
struct Observer {
    inner: Arc<dyn Transport>,
    delay: Duration,
    /// The object size: what a whole-object request moves.
    size: u64,
    /// CRC-64 of each 1 MiB part of the uploaded file, by part number.
    part_crcs: Vec<u64>,
    watch: Mutex<Watch>,
}

fn query<'a>(url: &'a str, name: &str) -> Option<&'a str> {
    let q = url.split_once('?')?.1;
    q.split('&').find_map(|pair| pair.strip_prefix(name).and_then(|rest| rest.strip_prefix('=')))
}

/// The object key of a request URL (virtual-hosted: the path is the key).
fn key_of(url: &str) -> String {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    let path = rest.find('/').map(|i| &rest[i + 1..]).unwrap_or("");
    let path = path.split('?').next().unwrap_or("");
    tencent_cos::decode_component(path).unwrap_or_default()
}

/// The length of `bytes=a-b`.
fn range_len(range: &str) -> Option<u64> {
    let (a, b) = range.strip_prefix("bytes=")?.split_once('-')?;
    Some(b.parse::<u64>().ok()? - a.parse::<u64>().ok()? + 1)
}

/// A reader that fails the way the buffered body did.
struct Failing(Option<std::io::Error>);

impl Read for Failing {
    fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
        Err(self.0.take().unwrap_or_else(|| std::io::Error::other("body failed")))
    }
}

impl Observer {
    /// Bytes of the distinct parts of `key` whose requests went out.
    fn started_bytes(&self, key: &str) -> u64 {
        self.watch.lock().unwrap().started.iter().filter(|((k, _), _)| k == key).map(|(_, n)| n).sum()
    }

    /// Whether the client accepts a part answer: parsed as the client parses it, and for an
    /// uploaded part the CRC-64 of the local part.
    fn accepts(&self, response: &Response, body: &[u8], copy: bool, part: u32) -> bool {
        let copy_of = || Response {
            status: response.status,
            headers: response.headers.clone(),
            body: Box::new(std::io::Cursor::new(body.to_vec())),
        };
        if response.status != 200 {
            return false;
        }
        if copy {
            UploadPartCopyInput::default().parse(copy_of()).is_ok()
        } else {
            match MultipartUploadInput::default().parse(copy_of()) {
                Ok(out) => {
                    let expected = self.part_crcs.get(part as usize - 1).copied();
                    !out.etag.is_empty() && out.crc64.is_none_or(|c| Some(c) == expected)
                }
                Err(_) => false,
            }
        }
    }
}

impl Transport for Observer {
    fn send(&self, request: Request) -> tencent_cos::Result<Response> {
        let key = key_of(&request.url);
        let method = request.method.as_str().to_owned();
        let part: Option<u32> = query(&request.url, "partNumber").and_then(|n| n.parse().ok());
        let upload_id = query(&request.url, "uploadId").map(str::to_owned);
        let copy = request.headers.get("x-cos-copy-source").is_some();
        let range = request.headers.get("range").map(str::to_owned);
        let is_part = part.is_some() || range.is_some();
        {
            let mut w = self.watch.lock().unwrap();
            let target = request.url.split_once(".com/").map(|(_, t)| t).unwrap_or(&request.url);
            w.log.push(format!("-> {method} {target} {}", range.as_deref().unwrap_or("")));
            match (part, &range) {
                (Some(n), _) => {
                    let len = if copy {
                        request.headers.get("x-cos-copy-source-range").and_then(range_len).unwrap_or(0)
                    } else {
                        request.body.len()
                    };
                    w.started.insert((key.clone(), format!("{}{n}", if copy { "copy" } else { "put" })), len);
                    let id = upload_id.clone().unwrap_or_default();
                    if w.accepted.contains(&(id.clone(), n)) {
                        w.violations.push(format!("part {n} of upload {id} sent again after it was accepted"));
                    }
                }
                (None, Some(r)) => {
                    let at = r.trim_start_matches("bytes=").split('-').next().unwrap_or("").to_owned();
                    w.started.insert((key.clone(), format!("range{at}")), range_len(r).unwrap_or(0));
                }
                (None, None) => {
                    let whole = match method.as_str() {
                        "PUT" if copy => true,
                        "PUT" => request.body.len() == self.size,
                        "GET" => !request.url.contains('?'),
                        _ => false,
                    };
                    if whole {
                        w.started.insert((key.clone(), "whole".into()), self.size);
                    }
                }
            }
            if is_part {
                w.parts_in_flight += 1;
                if w.parts_in_flight > LIMIT {
                    let n = w.parts_in_flight;
                    w.violations.push(format!("{n} part requests in flight, more than the limit {LIMIT}"));
                }
            } else {
                let n = w.control_in_flight.entry(key.clone()).or_insert(0);
                *n += 1;
                if *n > 1 && !key.is_empty() {
                    let n = *n;
                    w.violations.push(format!("{n} control requests for {key:?} in flight: two runs at once"));
                }
            }
        }
        if !self.delay.is_zero() {
            std::thread::sleep(self.delay);
        }
        let mut result = self.inner.send(request);
        // A part answer is read whole here, so it is known whether the client accepts it.
        if let (Some(n), Ok(response)) = (part, result.as_mut())
            && method == "PUT"
        {
            let mut body = Vec::new();
            match response.body.read_to_end(&mut body) {
                Ok(_) => {
                    let accepted = self.accepts(response, &body, copy, n);
                    response.body = Box::new(std::io::Cursor::new(body));
                    let mut w = self.watch.lock().unwrap();
                    w.log.push(format!("   part {n} accepted: {accepted}"));
                    if accepted && let Some(id) = &upload_id {
                        w.accepted.insert((id.clone(), n));
                    }
                }
                Err(e) => response.body = Box::new(Failing(Some(e))),
            }
        }
        let mut w = self.watch.lock().unwrap();
        let answer = match &result {
            Ok(r) => format!("<- {} {method} {key} part {part:?}", r.status),
            Err(e) => format!("<- {e} {method} {key} part {part:?}"),
        };
        w.log.push(answer);
        if is_part {
            w.parts_in_flight -= 1;
        } else if let Some(n) = w.control_in_flight.get_mut(&key) {
            *n -= 1;
        }
        result
    }
}

/// One schedule's transfer, and what it is checked against.
struct Run {
    seed: u64,
    kind: Kind,
    net: Net,
    emulator: Emulator,
    observer: Arc<Observer>,
    data: Vec<u8>,
    key: String,
    dir: TempDir,
    progress: Arc<Mutex<Vec<ProgressInfo>>>,
}

impl Run {
    fn fail(&self, what: impl std::fmt::Display) -> ! {
        let log = self.observer.watch.lock().map(|w| w.log.join("\n")).unwrap_or_default();
        panic!(
            "seed {} ({:?} over {:?}, {} bytes): {what}\nrequests:\n{log}\nrerun with SCHEDULE_SEED={}",
            self.seed,
            self.kind,
            self.net,
            self.data.len(),
            self.seed
        )
    }

    fn pending(&self) -> Vec<String> {
        self.emulator.pending_uploads(BUCKET).into_iter().filter(|(k, _)| *k == self.key).map(|(_, id)| id).collect()
    }

    fn target(&self) -> std::path::PathBuf {
        self.dir.join("out.bin")
    }

    /// Waits for the task after a restart or a cancel: it must finish within the bound.
    fn wait(&self, task: &TaskHandle) -> tencent_cos::Result<TransferOutput> {
        task.wait_timeout(WAIT_BOUND).unwrap_or_else(|| self.fail(format!("hung in {:?}", task.state())))
    }
}

/// A client over `observer`; `retries` per request, and no part retries over faults, so that
/// tasks end in Error and are restarted.
fn client_for(observer: Arc<Observer>, net: Net, retries: u32) -> Client {
    let part_retries = if net == Net::Faulty { 0 } else { 2 };
    Client::builder()
        .secret(DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY)
        .region("ap-guangzhou")
        .transport(observer)
        .retry(RetryPolicy {
            max_retries: retries,
            initial_backoff: Duration::from_millis(1),
            max_backoff: Duration::from_millis(4),
        })
        .chunk_retry_times(part_retries)
        .file_parallel_limit(1)
        .chunk_parallel_limit(LIMIT)
        .copy_chunk_parallel_limit(LIMIT)
        .chunk_size(MIB as u64)
        .copy_chunk_size(MIB as u64)
        .copy_slice_size(MIB as u64)
        .progress_interval(Duration::ZERO)
        .build()
        .unwrap()
}

/// Restarts the task: it fails only on a finished task. A failed task that is restarted runs
/// again, so the error a wait got before is no longer its result.
fn restart(run: &Run, task: &TaskHandle, result: &mut Option<tencent_cos::Result<TransferOutput>>) {
    let was_error = task.state() == TaskState::Error;
    match task.restart() {
        Ok(()) if was_error => *result = None,
        Ok(()) => {}
        Err(e) => {
            if !matches!(task.state(), TaskState::Success | TaskState::Cancelled) {
                run.fail(format!("restart failed in {:?}: {e}", task.state()));
            }
        }
    }
}

/// How a schedule ended: Success or Cancelled, and how many restarts after an error it took.
struct Ended {
    kind: Kind,
    net: Net,
    success: bool,
    errors: u32,
}

fn run_schedule(seed: u64) -> Ended {
    let mut rng = Rng::new(seed);
    let kind = [Kind::Upload, Kind::Copy, Kind::Download][(seed % 3) as usize];
    let net = if (seed / 3).is_multiple_of(2) { Net::Slow } else { Net::Faulty };
    // Mostly 3 parts, a quarter 5 or 6; some single-request transfers, a few empty ones.
    let size = match rng.below(20) {
        0 => 0,
        1 | 2 => 1000 + rng.below(300_000) as usize,
        3..=7 => 4 * MIB + rng.below(2 * MIB as u64) as usize,
        _ => 2 * MIB + rng.below(MIB as u64) as usize,
    };
    let data = pattern(size, seed);
    let emulator = Emulator::new();
    let clean = Client::builder()
        .secret(DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY)
        .region("ap-guangzhou")
        .transport(emulator.clone())
        .build()
        .unwrap();
    clean.bucket(BUCKET).put_bucket().send().unwrap();
    if kind != Kind::Upload {
        clean.bucket(BUCKET).put_object("src.bin").body(data.clone()).send().unwrap();
    }
    let inner: Arc<dyn Transport> = match net {
        Net::Slow => Arc::new(emulator.clone()),
        Net::Faulty => {
            let mut faults = FaultConfig::uniform(seed, 0.1);
            faults.stall_for = Duration::from_millis(2);
            Arc::new(FaultyTransport::new(emulator.clone(), faults))
        }
    };
    let delay = Duration::from_millis(match net {
        Net::Slow => 1 + rng.below(3),
        Net::Faulty => rng.below(2),
    });
    let part_crcs = data.chunks(MIB).map(tencent_cos::checksum::crc64).collect();
    let observer = Arc::new(Observer { inner, delay, size: size as u64, part_crcs, watch: Mutex::default() });
    let run = Run {
        seed,
        kind,
        net,
        emulator,
        observer: observer.clone(),
        data,
        key: if kind == Kind::Download { "src.bin".into() } else { "dst.bin".into() },
        dir: TempDir::new(),
        progress: Arc::default(),
    };
    let retries = if net == Net::Faulty { 1 + rng.below(3) as u32 } else { 3 };
    let mut client = Some(client_for(observer.clone(), net, retries));
    let bucket = client.as_ref().unwrap().bucket(BUCKET);

    // Sometimes another transfer runs first, so the task waits in the queue.
    let blocker_file = TempFile::new(&pattern(MIB + 1, seed ^ 0xB10C));
    let blocker =
        (rng.below(4) == 0).then(|| bucket.slice_upload_file("blocker.bin", &blocker_file.path).start().unwrap());

    let (progress, obs, key) = (run.progress.clone(), observer.clone(), run.key.clone());
    let violations: Arc<Mutex<Vec<String>>> = Arc::default();
    let v = violations.clone();
    let on_progress = move |p: &ProgressInfo| {
        let started = obs.started_bytes(&key);
        if p.loaded > started {
            v.lock().unwrap().push(format!("progress at {} with only {started} bytes requested", p.loaded));
        }
        progress.lock().unwrap().push(*p);
    };
    let file = TempFile::new(&run.data);
    let source = format!("{BUCKET}.cos.ap-guangzhou.myqcloud.com/src.bin");
    let task = match kind {
        Kind::Upload => bucket.slice_upload_file(run.key.as_str(), &file.path).on_progress(on_progress).start(),
        Kind::Copy => bucket.slice_copy_file(run.key.as_str(), &source).on_progress(on_progress).start(),
        Kind::Download => bucket.download_file("src.bin", run.target()).on_progress(on_progress).start(),
    }
    .unwrap();
    drop(bucket);

    let mut result: Option<tencent_cos::Result<TransferOutput>> = None;
    // Progress as a task list shows it must keep within the requested bytes too.
    let check_snapshot = |task: &TaskHandle| {
        let (loaded, started) = (task.progress().loaded, observer.started_bytes(&run.key));
        if loaded > started && task.state() != TaskState::Success {
            run.fail(format!("progress() at {loaded} with only {started} bytes requested"));
        }
    };
    for _ in 0..rng.below(8) {
        std::thread::sleep(Duration::from_micros(rng.below(4000)));
        check_snapshot(&task);
        match rng.below(10) {
            0..=2 => task.pause(),
            3 | 4 => restart(&run, &task, &mut result),
            5 if rng.below(3) == 0 => {
                // Cancelling a failed task turns its error into Cancelled (aborting its upload).
                if task.state() == TaskState::Error {
                    result = None;
                }
                task.cancel();
                if result.is_none() {
                    result = Some(run.wait(&task));
                }
            }
            6 => drop(client.take()),
            _ => {
                if result.is_none() {
                    result = task.wait_timeout(Duration::from_micros(rng.below(3000)));
                }
            }
        }
    }
    // Withdraws a pending pause, resumes a paused or failed task; then it must finish.
    restart(&run, &task, &mut result);
    let mut result = result.unwrap_or_else(|| run.wait(&task));
    // Over faults a task may fail: at most its own upload stays, and restart resumes it.
    let mut kept: Option<String> = None;
    let mut errors = 0;
    for _ in 0..30 {
        match &result {
            Err(e) if !matches!(e, Error::Cancelled) => {
                if run.net == Net::Slow {
                    run.fail(format!("failed without faults: {e}"));
                }
                if task.state() != TaskState::Error {
                    run.fail(format!("failed ({e}) in {:?}", task.state()));
                }
                let pending = run.pending();
                if pending.len() > 1 {
                    run.fail(format!("failed ({e}) leaving {pending:?}"));
                }
                kept = pending.into_iter().next();
                errors += 1;
                task.restart().unwrap_or_else(|e| run.fail(format!("restart after an error: {e}")));
                result = run.wait(&task);
            }
            _ => break,
        }
    }
    if let Some(b) = blocker {
        b.wait_timeout(WAIT_BOUND).unwrap_or_else(|| run.fail("the blocker hung")).ok();
    }

    let success = result.is_ok();
    match result {
        Ok(out) => {
            if task.state() != TaskState::Success {
                run.fail(format!("Ok in {:?}", task.state()));
            }
            if out.size != size as u64 {
                run.fail(format!("size {} reported", out.size));
            }
            let got = match kind {
                Kind::Download => std::fs::read(run.target()).ok(),
                _ => run.emulator.object_bytes(BUCKET, &run.key),
            };
            if got.as_deref() != Some(&run.data[..]) {
                run.fail("the result is not byte-exact");
            }
            if kind != Kind::Download && !run.pending().is_empty() {
                run.fail(format!("uploads left after a success: {:?}", run.pending()));
            }
            if let Some(id) = &kept
                && out.upload_id.as_ref() != Some(id)
            {
                run.fail(format!("restart after an error used {:?}, not the kept upload {id}", out.upload_id));
            }
            let seen = run.progress.lock().unwrap();
            let last = seen.last().copied().unwrap_or_else(|| run.fail("no progress report"));
            if (last.loaded, last.total, last.fraction) != (size as u64, size as u64, 1.0) {
                run.fail(format!("the last report is {last:?}"));
            }
        }
        Err(Error::Cancelled) => {
            if task.state() != TaskState::Cancelled {
                run.fail(format!("Cancelled in {:?}", task.state()));
            }
            if kind == Kind::Download {
                let names = run.dir.names();
                if !names.is_empty() {
                    run.fail(format!("a cancelled download left {names:?}"));
                }
            } else if !run.pending().is_empty() {
                run.fail(format!("a cancelled transfer left {:?}", run.pending()));
            }
        }
        Err(e) => run.fail(format!("still failing after 30 restarts: {e}")),
    }
    let seen = run.progress.lock().unwrap();
    if let Some(w) = seen.windows(2).find(|w| w[1].loaded < w[0].loaded) {
        run.fail(format!("progress went back: {w:?}"));
    }
    if let Some(p) = seen.iter().find(|p| p.total != size as u64 || p.loaded > p.total) {
        run.fail(format!("a report of another total: {p:?}"));
    }
    drop(seen);
    let mut broken = violations.lock().unwrap().clone();
    broken.extend(observer.watch.lock().unwrap().violations.iter().cloned());
    if !broken.is_empty() {
        run.fail(broken.join("; "));
    }
    Ended { kind, net, success, errors }
}

#[test]
fn random_schedules_keep_the_task_contract() {
    if let Some(seed) = std::env::var("SCHEDULE_SEED").ok().and_then(|s| s.parse().ok()) {
        run_schedule(seed);
        return;
    }
    let seeds: u64 = std::env::var("SCHEDULE_SEEDS").ok().and_then(|s| s.parse().ok()).unwrap_or(504);
    let first: u64 = std::env::var("SCHEDULE_FIRST").ok().and_then(|s| s.parse().ok()).unwrap_or(0);
    let started = std::time::Instant::now();
    let mut tally: std::collections::BTreeMap<String, [u32; 3]> = Default::default();
    for seed in first..first + seeds {
        let ended = run_schedule(seed);
        let counts = tally.entry(format!("{:?} over {:?}", ended.kind, ended.net)).or_default();
        counts[if ended.success { 0 } else { 1 }] += 1;
        counts[2] += ended.errors;
    }
    println!("{seeds} schedules in {:.1?}", started.elapsed());
    for (what, [ok, cancelled, errors]) in tally {
        println!("  {what}: {ok} succeeded, {cancelled} cancelled, {errors} errors resumed by restart");
    }
}
