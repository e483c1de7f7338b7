//! Regression tests of the task controls under ordinary timing, against the in-process
//! emulator: restart from a pausing task, one worker per task, wait after a panic, exact
//! progress across restart.
use crate::support::{log_capture, transfer_support};

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tencent_cos::Error;
use tencent_cos::transfer::{ProgressInfo, TaskState};
use transfer_support::{BUCKET, Front, MIB, Setup, TempFile, pattern};

#[test]
fn restart_right_after_pause_withdraws_the_pause_while_parts_are_in_flight() {
    let setup = Setup::new(Front::InProcess);
    let (client, spy) = setup.spied_client(|b| b.chunk_parallel_limit(2));
    *spy.delay.lock().unwrap() = Duration::from_millis(30);
    let data = pattern(6 * MIB, 3);
    let file = TempFile::new(&data);
    let task = client.bucket(BUCKET).slice_upload_file("r.bin", &file.path).start().unwrap();
    while task.state() != TaskState::Uploading {
        assert!(!task.state().is_finished());
        std::thread::sleep(Duration::from_millis(1));
    }
    task.pause();
    task.pause();
    task.restart().expect("restart from a task with a pause pending");
    task.restart().expect("idempotent");
    let out = task.wait_timeout(Duration::from_secs(10)).expect("finishes").unwrap();
    assert_eq!(out.size, data.len() as u64);
    assert_eq!(setup.object("r.bin").as_deref(), Some(&data[..]));
}

#[test]
fn a_panicking_progress_callback_finishes_the_task() {
    let setup = Setup::new(Front::InProcess);
    let client = setup.client(|b| b.progress_interval(Duration::ZERO));
    let data = pattern(3 * MIB, 4);
    let file = TempFile::new(&data);
    let task = client
        .bucket(BUCKET)
        .slice_upload_file("p.bin", &file.path)
        .on_progress(|_| panic!("user callback"))
        .start()
        .unwrap();
    let result = task.wait_timeout(Duration::from_secs(10)).expect("wait returns after a panic");
    match result {
        Err(Error::CallbackPanicked { callback, message }) => {
            assert_eq!(callback, "on_progress");
            assert!(message.contains("user callback"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn wait_timeout_is_none_on_a_paused_task() {
    let setup = Setup::new(Front::InProcess);
    let (client, spy) = setup.spied_client(|b| b.file_parallel_limit(1));
    *spy.delay.lock().unwrap() = Duration::from_millis(20);
    let blocker_data = pattern(3 * MIB, 5);
    let blocker_file = TempFile::new(&blocker_data);
    let blocker = client.bucket(BUCKET).slice_upload_file("b.bin", &blocker_file.path).start().unwrap();
    let data = pattern(2 * MIB, 6);
    let file = TempFile::new(&data);
    let task = client.bucket(BUCKET).slice_upload_file("q.bin", &file.path).start().unwrap();
    task.pause();
    assert_eq!(task.state(), TaskState::Paused);
    assert!(task.wait_timeout(Duration::from_millis(50)).is_none());
    task.restart().unwrap();
    blocker.wait().unwrap();
    task.wait_timeout(Duration::from_secs(10)).expect("finishes").unwrap();
    assert_eq!(setup.object("q.bin").as_deref(), Some(&data[..]));
}

#[test]
fn a_queued_task_paused_and_restarted_many_times_runs_once() {
    let setup = Setup::new(Front::InProcess);
    let (client, spy) = setup.spied_client(|b| b.file_parallel_limit(1));
    *spy.delay.lock().unwrap() = Duration::from_millis(20);
    let blocker_data = pattern(4 * MIB, 7);
    let blocker_file = TempFile::new(&blocker_data);
    let blocker = client.bucket(BUCKET).slice_upload_file("blk.bin", &blocker_file.path).start().unwrap();
    let data = pattern(2 * MIB, 8);
    let file = TempFile::new(&data);
    let task = client.bucket(BUCKET).slice_upload_file("once.bin", &file.path).start().unwrap();
    for _ in 0..50 {
        task.pause();
        task.restart().unwrap();
    }
    blocker.wait().unwrap();
    task.wait_timeout(Duration::from_secs(10)).expect("finishes").unwrap();
    assert_eq!(setup.object("once.bin").as_deref(), Some(&data[..]));
    let lookups =
        spy.seen().iter().filter(|s| s.target.contains("?uploads=&encoding-type=url&prefix=once.bin")).count();
    assert_eq!(lookups, 1, "one run looks for an upload to resume once");
}

#[test]
fn progress_is_exact_across_pause_and_restart() {
    let setup = Setup::new(Front::InProcess);
    let (client, spy) = setup.spied_client(|b| b.chunk_parallel_limit(1).progress_interval(Duration::ZERO));
    let parts = 6u64;
    let data = pattern(parts as usize * MIB, 9);
    let file = TempFile::new(&data);
    let seen: Arc<Mutex<Vec<ProgressInfo>>> = Arc::default();
    let s = seen.clone();
    let id = transfer_support::control_task_when(&spy, &client, |x| x.part_number == Some(3), |c, id| c.pause_task(id));
    let task = client
        .bucket(BUCKET)
        .slice_upload_file("exact.bin", &file.path)
        .on_task_ready(id.recorder())
        .on_progress(move |p| s.lock().unwrap().push(*p))
        .start()
        .unwrap();
    transfer_support::wait_paused(&task);
    spy.clear_hook();
    let at_pause = task.progress().loaded;
    assert_eq!(at_pause, 3 * MIB as u64, "parts 1..=3 confirmed (3 finished in flight)");
    task.restart().unwrap();
    let out = task.wait_timeout(Duration::from_secs(10)).expect("finishes").unwrap();
    assert_eq!(out.resumed_parts, 3);
    let total = parts * MIB as u64;
    let seen = seen.lock().unwrap();
    assert!(seen.iter().all(|p| p.loaded <= total && p.total == total), "{seen:?}");
    assert!(seen.windows(2).all(|w| w[0].loaded <= w[1].loaded), "{seen:?}");
    // One part in flight at most: every report is of whole confirmed parts.
    assert!(seen.iter().all(|p| p.loaded % MIB as u64 == 0), "{seen:?}");
    assert_eq!(seen.last().unwrap().loaded, total);
    assert_eq!(setup.object("exact.bin").as_deref(), Some(&data[..]));
}

/// A client whose part failures end the task at once: no retries of any kind.
fn no_retries(b: tencent_cos::ClientBuilder) -> tencent_cos::ClientBuilder {
    b.chunk_retry_times(0).retry(tencent_cos::RetryPolicy::none()).chunk_parallel_limit(2)
}

/// UploadPart (or UploadPartCopy) requests by part number.
fn puts_by_part(spy: &transfer_support::Spy, parts: u32) -> Vec<usize> {
    (1..=parts).map(|n| spy.part_requests("PUT", n)).collect()
}

/// The upload ids of `key` still on the server.
fn uploads_of(setup: &Setup, key: &str) -> Vec<String> {
    setup.pending_uploads().into_iter().filter(|(k, _)| k == key).map(|(_, id)| id).collect()
}

#[test]
fn a_failed_part_keeps_the_upload_and_restart_sends_only_that_part() {
    let setup = Setup::new(Front::InProcess);
    let (client, spy) = setup.spied_client(no_retries);
    spy.set_refuse(|s| s.part_number == Some(7));
    let data = pattern(12 * MIB, 21);
    let file = TempFile::new(&data);
    let task = client.bucket(BUCKET).slice_upload_file("fail7.bin", &file.path).start().unwrap();
    let err = task.wait_timeout(Duration::from_secs(10)).expect("fails").unwrap_err();
    assert_eq!(err.transport_kind(), Some(tencent_cos::TransportErrorKind::Connect), "{err}");
    assert_eq!(task.state(), TaskState::Error);
    let kept = uploads_of(&setup, "fail7.bin");
    assert_eq!(kept.len(), 1, "the failed task keeps its upload");
    let sent_before = puts_by_part(&spy, 12);
    assert_eq!(sent_before[6], 1, "part 7 tried once");

    spy.clear_refuse();
    task.restart().unwrap();
    let out = task.wait_timeout(Duration::from_secs(10)).expect("finishes").unwrap();
    assert_eq!(setup.object("fail7.bin").as_deref(), Some(&data[..]));
    assert_eq!(out.upload_id.as_deref(), Some(kept[0].as_str()), "the same upload, resumed");
    let sent = puts_by_part(&spy, 12);
    assert_eq!(sent[6], 2, "exactly one more UploadPart for part 7: {sent:?}");
    assert!(sent.iter().enumerate().all(|(i, n)| i == 6 || *n == 1), "every other part once: {sent:?}");
    let confirmed_before = sent_before.iter().enumerate().filter(|(i, n)| *i != 6 && **n == 1).count();
    assert_eq!(out.resumed_parts as usize, confirmed_before);
    assert!(setup.pending_uploads().is_empty());
}

#[test]
fn a_new_client_resumes_the_upload_a_failed_task_kept() {
    let setup = Setup::new(Front::InProcess);
    let data = pattern(12 * MIB, 22);
    let file = TempFile::new(&data);
    let kept = {
        let (client, spy) = setup.spied_client(no_retries);
        spy.set_refuse(|s| s.part_number == Some(7));
        let task = client.bucket(BUCKET).slice_upload_file("later.bin", &file.path).start().unwrap();
        assert!(task.wait_timeout(Duration::from_secs(10)).expect("fails").is_err());
        uploads_of(&setup, "later.bin")
        // The client is dropped without a cancel: the upload stays.
    };
    assert_eq!(kept.len(), 1);
    let on_server = setup.client(|b| b).bucket(BUCKET).multipart_list_part("later.bin", &kept[0]).all_parts().unwrap();
    let (client, spy) = setup.spied_client(|b| b);
    let out = client.bucket(BUCKET).slice_upload_file("later.bin", &file.path).send().unwrap();
    assert_eq!(setup.object("later.bin").as_deref(), Some(&data[..]));
    assert_eq!(out.upload_id.as_deref(), Some(kept[0].as_str()));
    assert_eq!(out.resumed_parts as usize, on_server.len());
    let mut sent: Vec<u32> = spy.part_puts().into_keys().collect();
    sent.sort();
    let missing: Vec<u32> = (1..=12).filter(|n| !on_server.iter().any(|p| p.part_number == *n)).collect();
    assert!(missing.contains(&7));
    assert_eq!(sent, missing, "only the parts the server lacks");
}

#[test]
fn cancel_after_a_failed_part_aborts_the_kept_upload() {
    let setup = Setup::new(Front::InProcess);
    let (client, spy) = setup.spied_client(no_retries);
    spy.set_refuse(|s| s.part_number == Some(3));
    let data = pattern(5 * MIB, 23);
    let file = TempFile::new(&data);
    let task = client.bucket(BUCKET).slice_upload_file("gone.bin", &file.path).start().unwrap();
    assert!(task.wait_timeout(Duration::from_secs(10)).expect("fails").is_err());
    assert_eq!(uploads_of(&setup, "gone.bin").len(), 1);
    task.cancel();
    assert_eq!(task.state(), TaskState::Cancelled);
    assert!(matches!(task.wait_timeout(Duration::from_secs(1)), Some(Err(Error::Cancelled))));
    assert!(setup.pending_uploads().is_empty(), "{:?}", setup.pending_uploads());
    assert_eq!(setup.object("gone.bin"), None);
}

#[test]
fn a_failed_copy_part_keeps_the_upload_and_restart_copies_only_that_part() {
    log_capture::install();
    let setup = Setup::new(Front::InProcess);
    let (client, spy) = setup.spied_client(|b| no_retries(b).copy_slice_size(MIB as u64).copy_chunk_size(MIB as u64));
    let data = pattern(12 * MIB, 24);
    client.bucket(BUCKET).put_object("src.bin").body(data.clone()).send().unwrap();
    spy.set_refuse(|s| s.part_number == Some(7));
    let source = format!("{BUCKET}.cos.ap-guangzhou.myqcloud.com/src.bin");
    let task = client.bucket(BUCKET).slice_copy_file("dst.bin", &source).start().unwrap();
    assert!(task.wait_timeout(Duration::from_secs(10)).expect("fails").is_err());
    assert_eq!(task.state(), TaskState::Error);
    let kept = uploads_of(&setup, "dst.bin");
    assert_eq!(kept.len(), 1, "the failed copy keeps its upload");
    spy.clear_refuse();
    task.restart().unwrap();
    let out = task.wait_timeout(Duration::from_secs(10)).expect("finishes").unwrap();
    assert_eq!(setup.object("dst.bin").as_deref(), Some(&data[..]));
    assert_eq!(out.upload_id.as_deref(), Some(kept[0].as_str()));
    let sent = puts_by_part(&spy, 12);
    assert_eq!(sent[6], 2, "exactly one more UploadPartCopy for part 7: {sent:?}");
    assert!(sent.iter().enumerate().all(|(i, n)| i == 6 || *n == 1), "every other part once: {sent:?}");
    assert_eq!(spy.count("HEAD", "src.bin"), 2, "the source is read again after an error");
    assert!(setup.pending_uploads().is_empty());
    let resumed = format!("resuming copy {} of {BUCKET}/dst.bin: 11 of 12 part(s) already copied", kept[0]);
    assert!(log_capture::records().contains(&(log::Level::Info, resumed.clone())), "no log line {resumed:?}");

    // And cancel after a failure aborts the kept upload.
    spy.set_refuse(|s| s.part_number == Some(2));
    let task = client.bucket(BUCKET).slice_copy_file("dst2.bin", &source).start().unwrap();
    assert!(task.wait_timeout(Duration::from_secs(10)).expect("fails").is_err());
    assert_eq!(uploads_of(&setup, "dst2.bin").len(), 1);
    task.cancel();
    assert!(setup.pending_uploads().is_empty());
}

#[test]
fn hash_progress_totals_the_whole_file() {
    let setup = Setup::new(Front::InProcess);
    let data = pattern(24 * MIB, 25);
    let file = TempFile::new(&data);
    {
        let (client, spy) = setup.spied_client(|b| b.chunk_parallel_limit(1));
        let id =
            transfer_support::control_task_when(&spy, &client, |x| x.part_number == Some(9), |c, id| c.pause_task(id));
        let task = client
            .bucket(BUCKET)
            .slice_upload_file("hash.bin", &file.path)
            .on_task_ready(id.recorder())
            .start()
            .unwrap();
        transfer_support::wait_paused(&task);
        // Dropped paused: parts 1..=9 stay on the server for the next client.
    }
    let client = setup.client(|b| b.progress_interval(Duration::ZERO));
    let hashed: Arc<Mutex<Vec<ProgressInfo>>> = Arc::default();
    let h = hashed.clone();
    let out = client
        .bucket(BUCKET)
        .slice_upload_file("hash.bin", &file.path)
        .on_hash_progress(move |p| h.lock().unwrap().push(*p))
        .send()
        .unwrap();
    assert_eq!(out.resumed_parts, 9);
    let total = 24 * MIB as u64;
    let hashed = hashed.lock().unwrap();
    assert!(hashed.iter().all(|p| p.total == total), "{hashed:?}");
    assert!(hashed.windows(2).all(|w| w[0].loaded <= w[1].loaded), "{hashed:?}");
    let last = hashed.last().unwrap();
    assert_eq!((last.loaded, last.total, last.fraction), (total, total, 1.0));
    assert_eq!(setup.object("hash.bin").as_deref(), Some(&data[..]));
}

#[test]
fn every_transfer_path_reports_its_bucket_and_location() {
    let setup = Setup::new(Front::InProcess);
    let client = setup.client(|b| b.copy_slice_size(MIB as u64).copy_chunk_size(MIB as u64));
    let bucket = client.bucket(BUCKET);
    let location = |key: &str| Some(format!("{BUCKET}.cos.ap-guangzhou.myqcloud.com/{}", tencent_cos::encode_key(key)));
    let check = |path: &str, out: tencent_cos::transfer::TransferOutput, key: &str| {
        assert_eq!(out.bucket, BUCKET, "{path}");
        assert_eq!(out.location, location(key), "{path}");
        assert_eq!(out.key, key, "{path}");
    };
    let empty = TempFile::new(b"");
    check("0-byte upload", bucket.slice_upload_file("empty file", &empty.path).send().unwrap(), "empty file");
    let small = TempFile::new(&pattern(1000, 26));
    check("single-request upload", bucket.upload_file("small/one", &small.path).send().unwrap(), "small/one");
    let big_data = pattern(3 * MIB, 27);
    let big = TempFile::new(&big_data);
    let out = bucket.slice_upload_file("big/multi", &big.path).send().unwrap();
    assert!(out.upload_id.is_some());
    check("multipart upload", out, "big/multi");
    let source = |key: &str| format!("{BUCKET}.cos.ap-guangzhou.myqcloud.com/{}", tencent_cos::encode_key(key));
    let out = bucket.slice_copy_file("copy/one", source("small/one")).send().unwrap();
    assert!(out.upload_id.is_none());
    check("single-request copy", out, "copy/one");
    let out = bucket.slice_copy_file("copy/multi", source("big/multi")).send().unwrap();
    assert!(out.upload_id.is_some());
    check("multipart copy", out, "copy/multi");
    let dir = transfer_support::TempDir::new();
    let out = bucket.download_file("small/one", dir.join("one")).send().unwrap();
    check("single-request download", out, "small/one");
    let out = bucket.download_file("big/multi", dir.join("multi")).chunk_size(MIB as u64).send().unwrap();
    check("multipart download", out, "big/multi");
    assert_eq!(std::fs::read(dir.join("multi")).unwrap(), big_data);
}

#[test]
fn a_kept_upload_known_under_a_garbled_id_is_swept_when_restart_finds_it_gone() {
    let setup = Setup::new(Front::InProcess);
    let (client, spy) = setup.spied_client(|b| b);
    // The Initiate answer arrives with one character of the UploadId changed (the XML still
    // parses), and the task is paused before its first part.
    spy.set_response_hook(|resp, seen| {
        if seen.method == "POST" && seen.target.contains("?uploads") {
            let mut body = String::new();
            std::io::Read::read_to_string(&mut resp.body, &mut body).unwrap();
            let garbled = body.replace("</UploadId>", "x</UploadId>");
            resp.headers.insert("content-length", garbled.len().to_string());
            resp.body = Box::new(std::io::Cursor::new(garbled.into_bytes()));
        }
    });
    let id = transfer_support::control_task_when(
        &spy,
        &client,
        |s| s.method == "POST" && s.target.contains("?uploads"),
        |c, id| c.pause_task(id),
    );
    let data = pattern(3 * MIB, 28);
    let file = TempFile::new(&data);
    let task = client
        .bucket(BUCKET)
        .slice_upload_file("garbled.bin", &file.path)
        .on_task_ready(id.recorder())
        .start()
        .unwrap();
    transfer_support::wait_paused(&task);
    assert_eq!(setup.pending_uploads().len(), 1, "the real upload, known to the task under another id");
    spy.clear_hook();
    spy.clear_response_hook();
    task.restart().unwrap();
    task.wait_timeout(Duration::from_secs(10)).expect("finishes").unwrap();
    assert_eq!(setup.object("garbled.bin").as_deref(), Some(&data[..]));
    assert!(setup.pending_uploads().is_empty(), "{:?}", setup.pending_uploads());
}
