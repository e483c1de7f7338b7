//! download_file / download_to_dir against the emulator, in-process and over HTTP: sizes,
//! progress, pause/restart, cancel, CRC-caught corruption, resume from the sidecar in a new
//! client, a changing object, keys that would escape the directory.

use crate::support::transfer_support;

use std::io::Read;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tencent_cos::checksum::crc64;
use tencent_cos::transfer::{ProgressInfo, TaskHandle, TaskKind, TaskState};
use tencent_cos::{Client, Error, RetryPolicy};
use transfer_support::{
    BUCKET, Front, MIB, Setup, Spy, TaskId, TempDir, assert_progress_complete, control_task_when, flip_body_byte,
    pattern, replace_with_status, wait_paused,
};

const FRONTS: [Front; 2] = [Front::InProcess, Front::Http];

fn put(client: &Client, key: &str, data: &[u8]) {
    client.bucket(BUCKET).put_object(key).body(data.to_vec()).send().unwrap();
}

/// The part number (1 MiB parts) a `Range: bytes=a-b` asks for.
fn part_of(range: &str) -> u32 {
    let start: u64 = range.trim_start_matches("bytes=").split('-').next().unwrap().parse().unwrap();
    (start / MIB as u64) as u32 + 1
}

/// The parts fetched with ranged GETs of `key`, in order.
fn parts_fetched(spy: &Spy, key: &str) -> Vec<u32> {
    spy.ranged_gets(key).iter().map(|r| part_of(r)).collect()
}

fn sorted(mut v: Vec<u32>) -> Vec<u32> {
    v.sort();
    v
}

/// Pauses or cancels (`action`) the task once the ranged GET of part `at` of `key` goes out.
fn at_part(spy: &Spy, client: &Client, key: &'static str, at: u32, action: fn(&Client, &str) -> bool) -> TaskId {
    control_task_when(spy, client, move |s| s.key == key && s.range.as_deref().map(part_of) == Some(at), action)
}

/// The names in `dir`, with the random part of data file names (`<name>.<16 hex>.part`) shown
/// as `*`.
fn shapes(dir: &TempDir) -> Vec<String> {
    let shape = |name: String| match name.strip_suffix(".part").and_then(|n| n.rsplit_once('.')) {
        Some((stem, random)) if random.len() == 16 && random.bytes().all(|b| b.is_ascii_hexdigit()) => {
            format!("{stem}.*.part")
        }
        _ => name,
    };
    sorted_names(dir.names().into_iter().map(shape).collect())
}

fn sorted_names(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

/// The data file the sidecar of `target` names.
fn data_file_of(target: &std::path::Path) -> std::path::PathBuf {
    let sidecar = std::fs::read_to_string(format!("{}.cosdownload", target.display())).unwrap();
    let random = sidecar.lines().find_map(|l| l.strip_prefix("data ")).unwrap_or_else(|| panic!("{sidecar}"));
    std::path::PathBuf::from(format!("{}.{random}.part", target.display()))
}

fn start(client: &Client, key: &str, path: &std::path::Path, id: &TaskId) -> TaskHandle {
    client.bucket(BUCKET).download_file(key, path).on_task_ready(id.recorder()).start().unwrap()
}

#[test]
fn every_size_arrives_byte_exact_replacing_the_old_file_and_leaving_nothing_else() {
    for front in FRONTS {
        let setup = Setup::new(front);
        let (client, spy) = setup.spied_client(|b| b);
        let dir = TempDir::new();
        for (i, size) in [0, 1, MIB, MIB + 1, 5 * MIB + 123].into_iter().enumerate() {
            let data = pattern(size, 200 + i as u64);
            let key = format!("sizes/{size} b.bin");
            put(&client, &key, &data);
            let path = dir.join("out.bin");
            std::fs::write(&path, vec![7u8; 6 * MIB]).unwrap();
            spy.log.lock().unwrap().clear();
            let out = client.bucket(BUCKET).download_file(&key, &path).send().unwrap();
            assert!(std::fs::read(&path).unwrap() == data, "{front:?} {size}");
            assert_eq!((out.size, out.crc64, out.resumed_parts), (size as u64, Some(crc64(&data)), 0));
            assert_eq!(spy.count("HEAD", &key), 1);
            let ranged = parts_fetched(&spy, &key);
            if size <= MIB {
                assert_eq!((ranged.len(), spy.count("GET", &key)), (0, 1), "{front:?} {size}: one plain GET");
            } else {
                assert_eq!(sorted(ranged), (1..=size.div_ceil(MIB) as u32).collect::<Vec<_>>(), "{front:?} {size}");
            }
            assert_eq!(dir.names(), ["out.bin"], "{front:?} {size}: no .part, no sidecar");
        }
    }
}

#[test]
fn progress_is_monotonic_and_ends_at_exactly_100_percent() {
    for front in FRONTS {
        let setup = Setup::new(front);
        let client = setup.client(|b| b.progress_interval(Duration::ZERO));
        let data = pattern(6 * MIB + 5, 1);
        put(&client, "p", &data);
        let dir = TempDir::new();
        let seen = Arc::new(Mutex::new(Vec::<ProgressInfo>::new()));
        let s = seen.clone();
        client
            .bucket(BUCKET)
            .download_file("p", dir.join("p"))
            .on_progress(move |p| s.lock().unwrap().push(*p))
            .send()
            .unwrap();
        assert_progress_complete(&seen.lock().unwrap(), data.len() as u64);
    }
}

#[test]
fn pause_then_restart_fetches_no_part_twice() {
    for front in FRONTS {
        let setup = Setup::new(front);
        let (client, spy) = setup.spied_client(|b| b.chunk_parallel_limit(2));
        let data = pattern(8 * MIB, 2);
        put(&client, "pause", &data);
        let dir = TempDir::new();
        let path = dir.join("pause.bin");
        let id = at_part(&spy, &client, "pause", 3, Client::pause_task);
        let task = start(&client, "pause", &path, &id);
        wait_paused(&task);
        let fetched = parts_fetched(&spy, "pause");
        assert!(fetched.len() < 8, "{front:?}: paused before the end ({fetched:?})");
        assert_eq!(shapes(&dir), ["pause.bin.*.part", "pause.bin.cosdownload"], "{front:?}: kept while paused");
        let sidecar = std::fs::read_to_string(dir.join("pause.bin.cosdownload")).unwrap();
        assert_eq!(sidecar.lines().filter(|l| l.starts_with("part ")).count(), fetched.len(), "{sidecar}");
        assert_eq!(client.get_task_list()[0].kind, TaskKind::Download);
        spy.clear_hook();
        task.restart().unwrap();
        task.wait().unwrap();
        assert!(std::fs::read(&path).unwrap() == data, "{front:?}");
        assert_eq!(sorted(parts_fetched(&spy, "pause")), (1..=8).collect::<Vec<_>>(), "{front:?}: each part once");
        assert_eq!(spy.count("HEAD", "pause"), 1, "{front:?}: no second HEAD on restart");
        assert_eq!(dir.names(), ["pause.bin"]);
    }
}

#[test]
fn cancel_removes_the_partial_file_and_the_sidecar() {
    for front in FRONTS {
        let setup = Setup::new(front);
        let (client, spy) = setup.spied_client(|b| b.chunk_parallel_limit(1));
        put(&client, "c", &pattern(5 * MIB, 3));
        let dir = TempDir::new();
        let id = at_part(&spy, &client, "c", 2, Client::cancel_task);
        let task = start(&client, "c", &dir.join("c"), &id);
        assert!(matches!(task.wait(), Err(Error::Cancelled)));
        assert_eq!(client.get_task_list()[0].state, TaskState::Cancelled);
        assert!(dir.names().is_empty(), "{front:?}: {:?}", dir.names());

        // Cancelling a paused download removes what the pause kept.
        let id = at_part(&spy, &client, "c", 2, Client::pause_task);
        let task = start(&client, "c", &dir.join("c"), &id);
        wait_paused(&task);
        assert_eq!(dir.names().len(), 2);
        task.cancel();
        assert!(matches!(task.wait(), Err(Error::Cancelled)));
        assert!(dir.names().is_empty(), "{front:?}: {:?}", dir.names());
    }
}

#[test]
fn a_flipped_byte_is_caught_by_crc_and_the_part_fetched_again() {
    for front in FRONTS {
        let setup = Setup::new(front);
        let (client, spy) = setup.spied_client(|b| b);
        let data = pattern(4 * MIB, 4);
        put(&client, "flip", &data);
        put(&client, "small", &data[..1000]);
        let flipped = Arc::new(AtomicBool::new(false));
        let f = flipped.clone();
        spy.set_response_hook(move |resp, seen| {
            let part2 = seen.range.as_deref().map(part_of) == Some(2);
            let small = seen.key == "small" && seen.method == "GET";
            if (part2 || small) && !f.swap(true, Ordering::SeqCst) {
                flip_body_byte(resp, 500);
            }
        });
        let dir = TempDir::new();
        let out = client.bucket(BUCKET).download_file("flip", dir.join("flip")).send().unwrap();
        assert!(flipped.load(Ordering::SeqCst));
        assert!(std::fs::read(dir.join("flip")).unwrap() == data, "{front:?}");
        assert_eq!(out.crc64, Some(crc64(&data)));
        // The whole-object CRC did not match: parts are fetched again in order until it does.
        let fetched = parts_fetched(&spy, "flip");
        assert_eq!(sorted(fetched[..4].to_vec()), [1, 2, 3, 4], "{front:?}");
        assert_eq!(fetched[4..], [1, 2], "{front:?}: the repair stops once part 2 is fixed");

        // A one-GET download is checked whole and fetched again.
        flipped.store(false, Ordering::SeqCst);
        client.bucket(BUCKET).download_file("small", dir.join("small")).send().unwrap();
        assert!(std::fs::read(dir.join("small")).unwrap() == data[..1000], "{front:?}");
        assert_eq!(spy.count("GET", "small"), 2);
    }
}

#[test]
fn a_persistent_corruption_fails_and_leaves_nothing() {
    let setup = Setup::new(Front::InProcess);
    let (client, spy) = setup.spied_client(|b| b.chunk_retry_times(0));
    put(&client, "bad", &pattern(3 * MIB, 5));
    spy.set_response_hook(|resp, seen| {
        if seen.range.as_deref().map(part_of) == Some(3) {
            flip_body_byte(resp, 0);
        }
    });
    let dir = TempDir::new();
    let err = client.bucket(BUCKET).download_file("bad", dir.join("bad")).send().unwrap_err();
    assert!(matches!(&err, Error::Integrity(m) if m.to_string().contains("did not fix it")), "{err}");
    assert!(dir.names().is_empty(), "{:?}", dir.names());
}

/// Downloads 7 MiB + 9 with one part at a time, paused when part 4 goes out; the process
/// "dies" (task and client dropped). Returns the parts fetched.
fn interrupted_by_a_pause(setup: &Setup, dir: &TempDir) -> Vec<u32> {
    let (client, spy) = setup.spied_client(|b| b.chunk_parallel_limit(1));
    let id = at_part(&spy, &client, "resume", 4, Client::pause_task);
    let task = start(&client, "resume", &dir.join("resume"), &id);
    wait_paused(&task);
    parts_fetched(&spy, "resume")
}

#[test]
fn a_new_client_resumes_an_interrupted_download_fetching_only_the_missing_parts() {
    for front in FRONTS {
        let setup = Setup::new(front);
        let data = pattern(7 * MIB + 9, 6);
        put(&setup.client(|b| b), "resume", &data);
        let dir = TempDir::new();
        assert_eq!(interrupted_by_a_pause(&setup, &dir), [1, 2, 3, 4], "{front:?}");
        let (client, spy) = setup.spied_client(|b| b);
        let out = client.bucket(BUCKET).download_file("resume", dir.join("resume")).send().unwrap();
        assert!(std::fs::read(dir.join("resume")).unwrap() == data, "{front:?}");
        assert_eq!(out.resumed_parts, 4);
        assert_eq!(sorted(parts_fetched(&spy, "resume")), [5, 6, 7, 8], "{front:?}: only the missing parts");
        assert_eq!(dir.names(), ["resume"]);
    }
}

#[test]
fn a_download_failed_by_the_network_is_kept_and_resumed() {
    for front in FRONTS {
        let setup = Setup::new(front);
        let data = pattern(5 * MIB, 7);
        put(&setup.client(|b| b), "net", &data);
        let dir = TempDir::new();
        let (client, spy) =
            setup.spied_client(|b| b.chunk_parallel_limit(1).chunk_retry_times(1).retry(RetryPolicy::none()));
        spy.set_response_hook(|resp, seen| {
            if seen.range.as_deref().map(part_of).is_some_and(|p| p >= 3) {
                replace_with_status(resp, 503);
            }
        });
        let err = client.bucket(BUCKET).download_file("net", dir.join("net")).send().unwrap_err();
        assert_eq!(err.status(), Some(503), "{err}");
        assert_eq!(parts_fetched(&spy, "net"), [1, 2, 3, 3], "{front:?}: part 3 tried twice, then given up");
        assert_eq!(client.get_task_list()[0].state, TaskState::Error);
        assert_eq!(shapes(&dir), ["net.*.part", "net.cosdownload"], "{front:?}: kept to resume");
        let sidecar = std::fs::read_to_string(dir.join("net.cosdownload")).unwrap();
        let records: Vec<&str> = sidecar.lines().filter(|l| l.starts_with("part ")).collect();
        assert_eq!(records.len(), 2, "{sidecar}");
        assert!(records[0].starts_with("part 1 ") && records[1].starts_with("part 2 "), "{sidecar}");

        let (client, spy) = setup.spied_client(|b| b);
        let out = client.bucket(BUCKET).download_file("net", dir.join("net")).send().unwrap();
        assert!(std::fs::read(dir.join("net")).unwrap() == data, "{front:?}");
        assert_eq!((out.resumed_parts, sorted(parts_fetched(&spy, "net"))), (2, vec![3, 4, 5]), "{front:?}");
    }
}

#[test]
fn a_part_damaged_on_disk_is_fetched_again_on_resume() {
    let setup = Setup::new(Front::InProcess);
    let data = pattern(7 * MIB + 9, 8);
    put(&setup.client(|b| b), "resume", &data);
    let dir = TempDir::new();
    interrupted_by_a_pause(&setup, &dir);
    let data_file = data_file_of(&dir.join("resume"));
    let mut partial = std::fs::read(&data_file).unwrap();
    partial[MIB + 5] ^= 1;
    std::fs::write(&data_file, partial).unwrap();
    let (client, spy) = setup.spied_client(|b| b);
    let out = client.bucket(BUCKET).download_file("resume", dir.join("resume")).send().unwrap();
    assert!(std::fs::read(dir.join("resume")).unwrap() == data);
    assert_eq!((out.resumed_parts, sorted(parts_fetched(&spy, "resume"))), (3, vec![2, 5, 6, 7, 8]));
}

#[test]
fn a_sidecar_of_another_version_is_ignored() {
    let setup = Setup::new(Front::InProcess);
    let client = setup.client(|b| b);
    put(&client, "resume", &pattern(7 * MIB + 9, 9));
    let dir = TempDir::new();
    interrupted_by_a_pause(&setup, &dir);
    let new = pattern(7 * MIB + 9, 10);
    put(&client, "resume", &new);
    let (client, spy) = setup.spied_client(|b| b);
    let out = client.bucket(BUCKET).download_file("resume", dir.join("resume")).send().unwrap();
    assert!(std::fs::read(dir.join("resume")).unwrap() == new);
    assert_eq!((out.resumed_parts, parts_fetched(&spy, "resume").len()), (0, 8));
}

#[test]
fn an_object_changed_mid_download_is_a_clear_error() {
    for front in FRONTS {
        let setup = Setup::new(front);
        let (client, spy) = setup.spied_client(|b| b.chunk_parallel_limit(1));
        put(&client, "moving", &pattern(4 * MIB, 11));
        let replacer = setup.client(|b| b);
        let replaced = Arc::new(AtomicBool::new(false));
        let r = replaced.clone();
        spy.set_hook(move |_, seen| {
            if seen.range.as_deref().map(part_of) == Some(2) && !r.swap(true, Ordering::SeqCst) {
                put(&replacer, "moving", &pattern(4 * MIB, 12));
            }
        });
        let dir = TempDir::new();
        let err = client.bucket(BUCKET).download_file("moving", dir.join("m")).send().unwrap_err();
        assert!(
            matches!(&err, Error::Integrity(m) if m.to_string().contains("changed while it was being transferred")),
            "{err}"
        );
        assert_eq!(parts_fetched(&spy, "moving"), [1, 2], "{front:?}: a 412 is not retried");
        assert!(dir.names().is_empty(), "{front:?}: {:?}", dir.names());
    }
}

#[test]
fn download_to_dir_maps_keys_under_the_directory_and_refuses_escapes() {
    let setup = Setup::new(Front::InProcess);
    let (client, spy) = setup.spied_client(|b| b);
    put(&client, "a/b/c.bin", b"nested");
    let dir = TempDir::new();
    let bucket = client.bucket(BUCKET);
    bucket.download_to_dir("a/b/c.bin", &dir.path).send().unwrap();
    assert_eq!(std::fs::read(dir.join("a/b/c.bin")).unwrap(), b"nested");
    spy.log.lock().unwrap().clear();
    for key in ["../x", "/etc/passwd", "a/../../b", "a\\..\\..\\b", "a//b", "./a", "a/", ".."] {
        match bucket.download_to_dir(key, &dir.path).start() {
            Err(Error::InvalidArgument { field: "key", reason }) => {
                assert!(reason.contains(&format!("{key:?}")), "{reason}")
            }
            other => panic!("{key}: {other:?}"),
        }
    }
    assert!(spy.seen().is_empty(), "refused before any request");
    assert_eq!(dir.names(), ["a"]);
}

#[test]
fn bad_input_is_refused_before_any_request_and_a_missing_object_leaves_nothing() {
    let setup = Setup::new(Front::InProcess);
    let (client, spy) = setup.spied_client(|b| b);
    let dir = TempDir::new();
    let path = dir.join("x");
    let bucket = client.bucket(BUCKET);
    let field = |r: Result<TaskHandle, Error>| match r.unwrap_err() {
        Error::InvalidArgument { field, .. } => field,
        e => panic!("{e}"),
    };
    assert_eq!(field(bucket.download_file("k", &path).chunk_size(1000).start()), "chunk_size");
    assert_eq!(field(bucket.download_file("k", &path).async_limit(0).start()), "async_limit");
    assert_eq!(field(bucket.download_file("", &path).start()), "key");
    assert_eq!(field(bucket.download_file("a/..", &path).start()), "key");
    assert!(spy.seen().is_empty());
    let err = bucket.download_file("missing", &path).send().unwrap_err();
    assert!(err.is_not_found(), "{err}");
    assert!(dir.names().is_empty());
}

#[test]
fn parts_in_flight_stay_within_the_limits() {
    let setup = Setup::new(Front::InProcess);
    let (client, spy) = setup.spied_client(|b| b.chunk_parallel_limit(3).file_parallel_limit(2));
    *spy.delay.lock().unwrap() = Duration::from_millis(20);
    let objects: Vec<(String, Vec<u8>)> = (0..4).map(|i| (format!("many/{i}"), pattern(4 * MIB, 20 + i))).collect();
    for (key, data) in &objects {
        put(&client, key, data);
    }
    let dir = TempDir::new();
    let bucket = client.bucket(BUCKET);
    let tasks: Vec<TaskHandle> =
        (0..4).map(|i| bucket.download_file(format!("many/{i}"), dir.join(&i.to_string())).start().unwrap()).collect();
    for (i, task) in tasks.into_iter().enumerate() {
        task.wait().unwrap();
        assert!(std::fs::read(dir.join(&i.to_string())).unwrap() == objects[i].1);
    }
    let keys = spy.max_keys_in_flight.load(Ordering::SeqCst);
    let parts = spy.max_parts_in_flight.load(Ordering::SeqCst);
    assert_eq!(keys, 2, "FileParallelLimit 2, and the two file workers overlap");
    assert!((4..=6).contains(&parts), "at most 2 downloads x 3 ranged GETs (each one 128 KiB buffer): {parts}");
}

/// A body that gives 1 KiB every 10 ms: a 1 MiB part takes 10 s.
struct Trickle(Box<dyn Read + Send>);

impl Read for Trickle {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        std::thread::sleep(Duration::from_millis(10));
        let n = buf.len().min(1024);
        self.0.read(&mut buf[..n])
    }
}

/// Polls `done` every 5 ms for at most 10 s.
fn wait_until(what: &str, done: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !done() {
        assert!(Instant::now() < deadline, "waited 10 s for {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Cancels `task` and asserts it ends Cancelled within 2 s, with nothing left in `dir`.
fn cancel_within_bound(task: TaskHandle, dir: &TempDir, what: &str) {
    let cancelled_at = Instant::now();
    task.cancel();
    let result =
        task.wait_timeout(Duration::from_secs(5)).unwrap_or_else(|| panic!("{what}: still running 5 s after cancel"));
    assert!(matches!(result, Err(Error::Cancelled)), "{what}: {result:?}");
    assert!(cancelled_at.elapsed() < Duration::from_secs(2), "{what}: {:?}", cancelled_at.elapsed());
    assert!(dir.names().is_empty(), "{what}: {:?}", dir.names());
}

#[test]
fn cancel_stops_download_part_requests_between_attempts_and_mid_body() {
    let setup = Setup::new(Front::InProcess);
    // Each request would be retried 1000 times, about a second apart.
    let patient =
        RetryPolicy { max_retries: 1000, initial_backoff: Duration::from_secs(2), max_backoff: Duration::from_secs(2) };
    let (client, spy) = setup.spied_client(|b| b.chunk_parallel_limit(2).chunk_retry_times(0).retry(patient));
    put(&client, "failing", &pattern(4 * MIB, 70));
    put(&client, "slow", &pattern(4 * MIB, 71));
    put(&client, "slow-one", &pattern(MIB, 72));
    spy.set_response_hook(|resp, seen| {
        if seen.key == "failing" && seen.range.is_some() {
            replace_with_status(resp, 503);
        } else if seen.key.starts_with("slow") && seen.method == "GET" {
            let body = std::mem::replace(&mut resp.body, Box::new(std::io::empty()));
            resp.body = Box::new(Trickle(body));
        }
    });
    let dir = TempDir::new();

    // Ranged GETs answered 503: cancel ends their retries, no attempt follows.
    let task = client.bucket(BUCKET).download_file("failing", dir.join("failing")).start().unwrap();
    wait_until("two part requests", || spy.ranged_gets("failing").len() >= 2);
    cancel_within_bound(task, &dir, "503s");
    let attempts = spy.ranged_gets("failing").len();
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(spy.ranged_gets("failing").len(), attempts, "no part request after cancel");

    // Bodies that trickle, in ranged parts and in a one-GET download: cancel cuts them.
    let task = client.bucket(BUCKET).download_file("slow", dir.join("slow")).start().unwrap();
    wait_until("a part body", || spy.ranged_gets("slow").len() >= 2);
    std::thread::sleep(Duration::from_millis(100));
    cancel_within_bound(task, &dir, "ranged parts");
    let task = client.bucket(BUCKET).download_file("slow-one", dir.join("slow-one")).start().unwrap();
    wait_until("the body", || spy.count("GET", "slow-one") == 1);
    std::thread::sleep(Duration::from_millis(100));
    cancel_within_bound(task, &dir, "one GET");
}
