//! slice_upload_file / upload_file / upload_files against the emulator, in-process and over
//! HTTP: sizes, resume, pause/restart, cancel, corruption, progress, concurrency bounds.

use crate::support::transfer_support;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tencent_cos::Error;
use tencent_cos::checksum::crc64;
use tencent_cos::transfer::{ProgressInfo, TaskState};
use transfer_support::{BUCKET, Front, MIB, Setup, TempFile, body_bytes, pattern};

const FRONTS: [Front; 2] = [Front::InProcess, Front::Http];

#[test]
fn every_size_arrives_byte_exact_with_its_crc() {
    for front in FRONTS {
        let setup = Setup::new(front);
        let (client, spy) = setup.spied_client(|b| b);
        let bucket = client.bucket(BUCKET);
        for (i, size) in [0, 1, MIB, MIB + 1, 5 * MIB + 123].into_iter().enumerate() {
            let data = pattern(size, i as u64);
            let file = TempFile::new(&data);
            let key = format!("sizes/{size}.bin");
            let out = bucket.slice_upload_file(&key, &file.path).send().unwrap();
            assert_eq!(setup.object(&key).as_deref(), Some(&data[..]), "{front:?} {size}");
            assert_eq!(out.size, size as u64);
            assert_eq!(out.crc64, Some(crc64(&data)));
            let expected_parts = if size == 0 { 0 } else { size.div_ceil(MIB) };
            let parts = spy.seen().iter().filter(|s| s.key == key && s.part_number.is_some()).count();
            assert_eq!(parts, expected_parts, "{front:?} {size}: one PUT per part");
            if size > 0 {
                assert!(out.etag.ends_with(&format!("-{expected_parts}\"")), "{}", out.etag);
            }
        }
        assert!(setup.pending_uploads().is_empty());
    }
}

#[test]
fn the_request_sequence_is_the_node_sdks() {
    let setup = Setup::new(Front::InProcess);
    let (client, spy) = setup.spied_client(|b| b);
    let data = pattern(3 * MIB, 7);
    let file = TempFile::new(&data);
    // One part at a time, so the parts go out in order as in the recording.
    client
        .bucket(BUCKET)
        .slice_upload_file("slice/3MiB file.bin", &file.path)
        .chunk_size(MIB as u64)
        .async_limit(1)
        .send()
        .unwrap();
    let seen: Vec<String> =
        spy.seen().iter().map(|s| format!("{} {}", s.method, s.target.split("uploadId=").next().unwrap())).collect();
    // The node SDK's sequence (tests/data/node_requests.jsonl seq 29-34). On purpose, our parts
    // carry no Content-MD5: they are checked by CRC-64 instead, which costs nothing extra. And
    // the search for an upload to resume asks for URL-encoded keys (the node SDK does not): an
    // upload of a key with a character XML cannot carry must not break every upload beside it.
    assert_eq!(
        seen,
        [
            "GET /?uploads=&encoding-type=url&prefix=slice%2F3MiB%20file.bin",
            "POST /slice/3MiB%20file.bin?uploads=",
            "PUT /slice/3MiB%20file.bin?partNumber=1&",
            "PUT /slice/3MiB%20file.bin?partNumber=2&",
            "PUT /slice/3MiB%20file.bin?partNumber=3&",
            "POST /slice/3MiB%20file.bin?",
        ]
    );
}

#[test]
fn progress_is_monotonic_and_ends_at_exactly_100_percent() {
    for front in FRONTS {
        let setup = Setup::new(front);
        let client = setup.client(|b| b.progress_interval(Duration::ZERO));
        let data = pattern(6 * MIB + 5, 3);
        let file = TempFile::new(&data);
        let seen = Arc::new(Mutex::new(Vec::<ProgressInfo>::new()));
        let s = seen.clone();
        client
            .bucket(BUCKET)
            .slice_upload_file("p.bin", &file.path)
            .on_progress(move |p| s.lock().unwrap().push(*p))
            .send()
            .unwrap();
        let seen = seen.lock().unwrap();
        assert!(seen.len() >= 2, "{seen:?}");
        assert!(seen.windows(2).all(|w| w[0].loaded <= w[1].loaded), "{seen:?}");
        let last = seen.last().unwrap();
        assert_eq!((last.loaded, last.total, last.fraction), (data.len() as u64, data.len() as u64, 1.0));
        assert_eq!(seen.iter().filter(|p| p.fraction == 1.0).count(), 1, "one final call");
    }
}

#[test]
fn a_flipped_byte_in_a_part_is_caught_by_crc_and_the_part_resent() {
    for front in FRONTS {
        let setup = Setup::new(front);
        let (client, spy) = setup.spied_client(|b| b);
        let flipped = Arc::new(AtomicBool::new(false));
        let f = flipped.clone();
        spy.set_hook(move |req, seen| {
            if seen.part_number == Some(2) && !f.swap(true, Ordering::SeqCst) {
                let mut data = body_bytes(req);
                data[1000] ^= 0xFF;
                req.body = data.into();
            }
        });
        let data = pattern(3 * MIB, 11);
        let file = TempFile::new(&data);
        client.bucket(BUCKET).slice_upload_file("flip.bin", &file.path).send().unwrap();
        assert!(flipped.load(Ordering::SeqCst));
        assert_eq!(setup.object("flip.bin").as_deref(), Some(&data[..]), "{front:?}");
        let puts = spy.part_puts();
        assert_eq!((puts[&1], puts[&2], puts[&3]), (1, 2, 1), "{front:?}: part 2 sent again");
    }
}

#[test]
fn a_persistent_corruption_fails_keeps_the_upload_and_restart_sends_the_part_again() {
    let setup = Setup::new(Front::InProcess);
    let (client, spy) = setup.spied_client(|b| b.chunk_retry_times(1));
    spy.set_hook(|req, seen| {
        if seen.part_number == Some(1) {
            let mut data = body_bytes(req);
            data[0] ^= 1;
            req.body = data.into();
        }
    });
    let data = pattern(2 * MIB, 12);
    let file = TempFile::new(&data);
    let task = client.bucket(BUCKET).slice_upload_file("bad.bin", &file.path).start().unwrap();
    let err = task.wait_timeout(Duration::from_secs(10)).expect("fails").unwrap_err();
    assert!(matches!(err, Error::Integrity(_)), "{err}");
    assert_eq!(spy.part_puts()[&1], 2, "one try and one retry");
    assert_eq!(setup.pending_uploads().len(), 1, "the upload is kept for restart");
    assert_eq!(setup.object("bad.bin"), None);
    // The server holds a damaged part 1 (its ETag is not the local MD5): restart sends it again.
    spy.clear_hook();
    task.restart().unwrap();
    task.wait_timeout(Duration::from_secs(10)).expect("finishes").unwrap();
    assert_eq!(setup.object("bad.bin").as_deref(), Some(&data[..]));
    assert_eq!((spy.part_puts()[&1], spy.part_puts()[&2]), (3, 1));
    assert!(setup.pending_uploads().is_empty());
}

/// Pauses the task when part `at` goes out; returns the task id slot.
fn pause_at_part(spy: &transfer_support::Spy, client: &tencent_cos::Client, at: u32) -> Arc<Mutex<String>> {
    let id = Arc::new(Mutex::new(String::new()));
    let (i, c) = (id.clone(), client.clone());
    spy.set_hook(move |_, seen| {
        if seen.part_number == Some(at) {
            c.pause_task(&i.lock().unwrap());
        }
    });
    id
}

#[test]
fn pause_then_restart_sends_no_part_twice() {
    for front in FRONTS {
        let setup = Setup::new(front);
        let (client, spy) = setup.spied_client(|b| b.chunk_parallel_limit(2));
        let id = pause_at_part(&spy, &client, 3);
        let data = pattern(8 * MIB, 21);
        let file = TempFile::new(&data);
        let i = id.clone();
        let task = client
            .bucket(BUCKET)
            .slice_upload_file("pause.bin", &file.path)
            .on_task_ready(move |t| *i.lock().unwrap() = t.to_owned())
            .start()
            .unwrap();
        while task.state() != TaskState::Paused {
            assert!(!task.state().is_finished(), "{:?}", task.state());
            std::thread::sleep(Duration::from_millis(5));
        }
        let sent_before = spy.part_puts().len();
        assert!(sent_before < 8, "{front:?}: paused before the end ({sent_before} parts)");
        assert_eq!(setup.pending_uploads().len(), 1, "a paused upload stays on the server");
        spy.clear_hook();
        task.restart().unwrap();
        let out = task.wait().unwrap();
        assert_eq!(setup.object("pause.bin").as_deref(), Some(&data[..]));
        let puts = spy.part_puts();
        assert_eq!(puts.len(), 8);
        assert!(puts.values().all(|n| *n == 1), "{front:?}: {puts:?}");
        assert_eq!(out.resumed_parts as usize, sent_before, "{front:?}: parts reused in process count as resumed");
        assert_eq!(spy.seen().iter().filter(|s| s.target.contains("?uploads=&encoding-type=url&prefix=")).count(), 1);
    }
}

#[test]
fn cancel_aborts_the_upload() {
    for front in FRONTS {
        let setup = Setup::new(front);
        let (client, spy) = setup.spied_client(|b| b.chunk_parallel_limit(1));
        let id = Arc::new(Mutex::new(String::new()));
        let (i, c) = (id.clone(), client.clone());
        spy.set_hook(move |_, seen| {
            if seen.part_number == Some(2) {
                c.cancel_task(&i.lock().unwrap());
            }
        });
        let data = pattern(5 * MIB, 31);
        let file = TempFile::new(&data);
        let i = id.clone();
        let task = client
            .bucket(BUCKET)
            .slice_upload_file("cancel.bin", &file.path)
            .on_task_ready(move |t| *i.lock().unwrap() = t.to_owned())
            .start()
            .unwrap();
        assert!(matches!(task.wait(), Err(Error::Cancelled)));
        assert!(client.bucket(BUCKET).multipart_list().send().unwrap().uploads.is_empty(), "{front:?}");
        assert_eq!(client.get_task_list()[0].state, TaskState::Cancelled);
        assert_eq!(setup.object("cancel.bin"), None);
    }
}

#[test]
fn a_new_client_resumes_a_dropped_upload_sending_only_the_missing_parts() {
    for front in FRONTS {
        let setup = Setup::new(front);
        let data = pattern(7 * MIB + 9, 41);
        let file = TempFile::new(&data);
        {
            let (client, spy) = setup.spied_client(|b| b.chunk_parallel_limit(1));
            let id = pause_at_part(&spy, &client, 4);
            let i = id.clone();
            let task = client
                .bucket(BUCKET)
                .slice_upload_file("resume.bin", &file.path)
                .on_task_ready(move |t| *i.lock().unwrap() = t.to_owned())
                .start()
                .unwrap();
            while task.state() != TaskState::Paused {
                std::thread::sleep(Duration::from_millis(5));
            }
            assert_eq!(spy.part_puts().len(), 4);
            // The process "dies": handle and client dropped, the upload stays on the server.
        }
        let (client, spy) = setup.spied_client(|b| b);
        let hashed = Arc::new(Mutex::new(Vec::new()));
        let h = hashed.clone();
        let out = client
            .bucket(BUCKET)
            .slice_upload_file("resume.bin", &file.path)
            .on_hash_progress(move |p| h.lock().unwrap().push(*p))
            .send()
            .unwrap();
        assert_eq!(setup.object("resume.bin").as_deref(), Some(&data[..]));
        assert_eq!(out.resumed_parts, 4, "{front:?}");
        let mut sent: Vec<u32> = spy.part_puts().keys().copied().collect();
        sent.sort();
        assert_eq!(sent, [5, 6, 7, 8], "{front:?}: only the missing parts");
        let last = *hashed.lock().unwrap().last().unwrap();
        assert_eq!((last.loaded, last.total), (data.len() as u64, data.len() as u64), "{front:?}: the whole file");
        assert!(setup.pending_uploads().is_empty());
    }
}

#[test]
fn a_changed_file_is_not_resumed_onto_old_parts() {
    let setup = Setup::new(Front::InProcess);
    let old = pattern(3 * MIB, 51);
    let file = TempFile::new(&old);
    let (client, spy) = setup.spied_client(|b| b.chunk_parallel_limit(1));
    let id = pause_at_part(&spy, &client, 2);
    let i = id.clone();
    let task = client
        .bucket(BUCKET)
        .slice_upload_file("changed.bin", &file.path)
        .on_task_ready(move |t| *i.lock().unwrap() = t.to_owned())
        .start()
        .unwrap();
    while task.state() != TaskState::Paused {
        std::thread::sleep(Duration::from_millis(5));
    }
    drop((task, client));
    let new = pattern(3 * MIB, 52);
    std::fs::write(&file.path, &new).unwrap();
    let (client, spy) = setup.spied_client(|b| b);
    let out = client.bucket(BUCKET).slice_upload_file("changed.bin", &file.path).send().unwrap();
    assert_eq!(setup.object("changed.bin").as_deref(), Some(&new[..]));
    assert_eq!(out.resumed_parts, 0);
    assert_eq!(spy.part_puts().len(), 3);
}

#[test]
fn part_concurrency_and_buffers_stay_within_the_limits() {
    let setup = Setup::new(Front::InProcess);
    let (client, spy) = setup.spied_client(|b| b.chunk_parallel_limit(3).file_parallel_limit(2));
    *spy.delay.lock().unwrap() = Duration::from_millis(20);
    let files: Vec<(String, TempFile)> =
        (0..4).map(|i| (format!("many/{i}.bin"), TempFile::new(&pattern(4 * MIB, 60 + i)))).collect();
    let results = client.bucket(BUCKET).upload_files(files.iter().map(|(k, f)| (k.clone(), f.path.clone()))).send();
    for ((key, result), (_, file)) in results.iter().zip(&files) {
        assert!(result.is_ok(), "{key}: {result:?}");
        assert_eq!(setup.object(key), Some(std::fs::read(&file.path).unwrap()));
    }
    let keys = spy.max_keys_in_flight.load(Ordering::SeqCst);
    let parts = spy.max_parts_in_flight.load(Ordering::SeqCst);
    assert!(keys <= 2, "FileParallelLimit 2, saw {keys} files at once");
    assert!(keys >= 2, "the two file workers did overlap ({keys})");
    assert!(parts <= 6, "part buffers alive at once <= 2 files x 3 parts, saw {parts}");
    assert!(parts >= 4, "parts did run in parallel ({parts})");
}

#[test]
fn upload_file_puts_small_files_in_one_request() {
    let setup = Setup::new(Front::InProcess);
    let (client, spy) = setup.spied_client(|b| b);
    let small = TempFile::new(&pattern(MIB, 70));
    let big = TempFile::new(&pattern(MIB + 1, 71));
    let bucket = client.bucket(BUCKET);
    bucket.upload_file("small.bin", &small.path).send().unwrap();
    assert_eq!(spy.seen().len(), 1, "SliceSize 1 MiB: one put");
    bucket.upload_file("big.bin", &big.path).send().unwrap();
    assert_eq!(spy.seen().iter().filter(|s| s.part_number.is_some()).count(), 2);
    assert_eq!(setup.object("big.bin"), Some(std::fs::read(&big.path).unwrap()));
}

#[test]
fn upload_files_reports_each_file_and_one_aggregated_progress() {
    let setup = Setup::new(Front::InProcess);
    let client = setup.client(|b| b.progress_interval(Duration::ZERO));
    let a = TempFile::new(&pattern(10, 80));
    let b = TempFile::new(&pattern(3 * MIB, 81));
    let missing = std::env::temp_dir().join("tencent-cos-no-such-file");
    let progress = Arc::new(Mutex::new(Vec::<ProgressInfo>::new()));
    let p = progress.clone();
    let results = client
        .bucket(BUCKET)
        .upload_files([("a", a.path.clone()), ("b", b.path.clone())])
        .on_progress(move |i| p.lock().unwrap().push(*i))
        .send();
    assert!(results.iter().all(|(_, r)| r.is_ok()));
    let progress = progress.lock().unwrap();
    let total = 10 + 3 * MIB as u64;
    assert!(progress.iter().all(|p| p.total == total));
    assert_eq!(progress.last().unwrap().loaded, total);
    assert!(progress.windows(2).all(|w| w[0].loaded <= w[1].loaded));
    let results = client.bucket(BUCKET).upload_files([("m", missing)]).send();
    assert!(matches!(&results[0].1, Err(Error::InvalidArgument { field: "file_path", .. })));
}

#[test]
fn bad_options_are_refused_before_any_request() {
    let setup = Setup::new(Front::InProcess);
    let (client, spy) = setup.spied_client(|b| b);
    let f = TempFile::new(b"x");
    let bucket = client.bucket(BUCKET);
    let err = bucket.slice_upload_file("k", &f.path).chunk_size(1000).start().unwrap_err();
    assert!(matches!(err, Error::InvalidArgument { field: "chunk_size", .. }));
    let err = bucket.slice_upload_file("k", &f.path).async_limit(0).start().unwrap_err();
    assert!(matches!(err, Error::InvalidArgument { field: "async_limit", .. }));
    let err = bucket.slice_upload_file("", &f.path).start().unwrap_err();
    assert!(matches!(err, Error::InvalidArgument { field: "key", .. }));
    assert!(spy.seen().is_empty());
}

#[test]
fn abort_incomplete_uploads_pages_through_and_aborts_only_old_ones_under_the_prefix() {
    use std::sync::atomic::AtomicU64;
    use tencent_cos::emulator::{DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, Emulator};

    let now = Arc::new(AtomicU64::new(1_800_000_000));
    let (c1, c2) = (now.clone(), now.clone());
    let emulator = Emulator::builder().clock(move || c1.load(Ordering::SeqCst)).build();
    let spy = transfer_support::Spy::new(emulator.clone());
    let client = tencent_cos::Client::builder()
        .secret(DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY)
        .region("ap-guangzhou")
        .clock(move || c2.load(Ordering::SeqCst))
        .retry(tencent_cos::RetryPolicy::none())
        .transport(spy.clone())
        .build()
        .unwrap();
    let bucket = client.bucket(BUCKET);
    bucket.put_bucket().send().unwrap();
    let init = |key: &str| bucket.multipart_init(key).send().unwrap().upload_id;
    let old: Vec<(String, String)> = ["logs/a", "logs/b", "logs/c"].iter().map(|k| (k.to_string(), init(k))).collect();
    let elsewhere = init("other/old");
    now.fetch_add(7200, Ordering::SeqCst);
    let fresh: Vec<String> = ["logs/d", "logs/e"].iter().map(|k| init(k)).collect();

    // One abort fails: the others are still aborted, and the failure is reported.
    let (stuck_key, stuck_id) = old[1].clone();
    let refused = stuck_id.clone();
    spy.set_refuse(move |s| s.method == "DELETE" && s.target.contains(&refused));
    spy.log.lock().unwrap().clear();
    let done = bucket.abort_incomplete_uploads("logs/", Duration::from_secs(3600)).page_size(2).send().unwrap();
    let listings = spy.seen().iter().filter(|s| s.method == "GET" && s.target.contains("uploads")).count();
    assert_eq!(listings, 3, "five uploads under the prefix, two a page");
    assert_eq!(done.aborted, [old[0].clone(), old[2].clone()]);
    assert_eq!(done.failed.len(), 1);
    assert_eq!(
        (done.failed[0].key.as_str(), done.failed[0].upload_id.as_str()),
        (stuck_key.as_str(), stuck_id.as_str())
    );
    let mut left: Vec<String> = emulator.pending_uploads(BUCKET).into_iter().map(|(_, id)| id).collect();
    left.sort();
    let mut expected = vec![stuck_id.clone(), elsewhere.clone(), fresh[0].clone(), fresh[1].clone()];
    expected.sort();
    assert_eq!(left, expected, "the young ones, the failed one and the one outside the prefix stay");

    spy.clear_refuse();
    let done = bucket.abort_incomplete_uploads("logs/", Duration::ZERO).send().unwrap();
    assert_eq!(done.aborted.len(), 3);
    assert!(done.failed.is_empty());
    assert_eq!(emulator.pending_uploads(BUCKET), [("other/old".to_owned(), elsewhere)]);

    spy.log.lock().unwrap().clear();
    let err = bucket.abort_incomplete_uploads("", Duration::ZERO).page_size(0).send().unwrap_err();
    assert!(matches!(err, Error::InvalidArgument { field: "page_size", .. }), "{err}");
    assert!(spy.seen().is_empty(), "refused before any request");
}
