//! slice_copy_file against the emulator, in-process and over HTTP: sizes, metadata carried
//! over, the request sequence, progress, pause/restart, cancel, archived and changing sources.

use crate::support::transfer_support;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tencent_cos::api::MetadataDirective;
use tencent_cos::checksum::crc64;
use tencent_cos::transfer::{ProgressInfo, TaskKind, TaskState};
use tencent_cos::{Client, ClientBuilder, Error};
use transfer_support::{
    BUCKET, Front, MIB, Setup, Spy, TaskId, assert_progress_complete, control_task_when, pattern, wait_paused,
};

const FRONTS: [Front; 2] = [Front::InProcess, Front::Http];

/// Copies of more than 1 MiB go multipart, in 1 MiB parts.
fn small_slices(b: ClientBuilder) -> ClientBuilder {
    b.copy_slice_size(MIB as u64).copy_chunk_size(MIB as u64)
}

fn source(key: &str) -> String {
    format!("{BUCKET}.cos.ap-guangzhou.myqcloud.com/{}", tencent_cos::encode_key(key))
}

fn put(client: &Client, key: &str, data: &[u8]) {
    client.bucket(BUCKET).put_object(key).body(data.to_vec()).send().unwrap();
}

/// Part copies (PUT with partNumber) by part number.
fn part_copies(spy: &Spy) -> Vec<u32> {
    let mut parts: Vec<u32> = spy.seen().iter().filter(|s| s.method == "PUT").filter_map(|s| s.part_number).collect();
    parts.sort();
    parts
}

#[test]
fn every_size_is_copied_byte_exact_with_its_crc() {
    for front in FRONTS {
        let setup = Setup::new(front);
        let (client, spy) = setup.spied_client(small_slices);
        let bucket = client.bucket(BUCKET);
        for (i, size) in [0, 1, MIB, MIB + 1, 5 * MIB + 123].into_iter().enumerate() {
            let data = pattern(size, 100 + i as u64);
            let (from, to) = (format!("src/{size} b.bin"), format!("dst/{size}.bin"));
            put(&client, &from, &data);
            spy.log.lock().unwrap().clear();
            let out = bucket.slice_copy_file(&to, source(&from)).send().unwrap();
            assert_eq!(setup.object(&to).as_deref(), Some(&data[..]), "{front:?} {size}");
            assert_eq!((out.size, out.crc64), (size as u64, Some(crc64(&data))), "{front:?} {size}");
            let seen: Vec<String> = spy.seen().iter().map(|s| s.method.clone()).collect();
            if size <= MIB {
                assert_eq!(seen, ["HEAD", "PUT"], "{front:?} {size}: one put_object_copy");
                assert_eq!(out.upload_id, None);
            } else {
                let parts = size.div_ceil(MIB) as u32;
                assert_eq!(part_copies(&spy), (1..=parts).collect::<Vec<_>>(), "{front:?} {size}");
                assert!(out.etag.ends_with(&format!("-{parts}\"")), "{}", out.etag);
            }
        }
        assert!(setup.pending_uploads().is_empty());
    }
}

#[test]
fn the_multipart_sequence_carries_ranges_and_the_source_etag() {
    let setup = Setup::new(Front::InProcess);
    let (client, spy) = setup.spied_client(small_slices);
    let data = pattern(2 * MIB + 10, 1);
    put(&client, "a b.bin", &data);
    let etag = client.bucket(BUCKET).head_object("a b.bin").send().unwrap().properties.etag.unwrap();
    let requests = Arc::new(Mutex::new(Vec::new()));
    let r = requests.clone();
    spy.set_hook(move |req, _| {
        let h = |n: &str| req.headers.get(n).unwrap_or("-").to_owned();
        r.lock().unwrap().push(format!(
            "{} {} {} {}",
            req.method.as_str(),
            h("x-cos-copy-source"),
            h("x-cos-copy-source-range"),
            h("x-cos-copy-source-if-match")
        ));
    });
    spy.log.lock().unwrap().clear();
    client.bucket(BUCKET).slice_copy_file("c.bin", source("a b.bin")).async_limit(1).send().unwrap();
    let src = format!("{BUCKET}.cos.ap-guangzhou.myqcloud.com/a%20b.bin");
    assert_eq!(
        *requests.lock().unwrap(),
        [
            "HEAD - - -".to_owned(),
            "POST - - -".to_owned(),
            format!("PUT {src} bytes=0-1048575 {etag}"),
            format!("PUT {src} bytes=1048576-2097151 {etag}"),
            format!("PUT {src} bytes=2097152-2097161 {etag}"),
            "POST - - -".to_owned(),
        ]
    );
    let targets: Vec<String> =
        spy.seen().iter().map(|s| s.target.split("uploadId").next().unwrap().to_owned()).collect();
    assert_eq!(targets[..2], ["/a%20b.bin".to_owned(), "/c.bin?uploads=".to_owned()]);
}

#[test]
fn the_sources_metadata_is_carried_over() {
    for front in FRONTS {
        let setup = Setup::new(front);
        let client = setup.client(small_slices);
        let bucket = client.bucket(BUCKET);
        for size in [10, 2 * MIB + 1] {
            let from = format!("meta/{size}");
            bucket
                .put_object(&from)
                .body(pattern(size, 2))
                .content_type("text/x-test")
                .cache_control("max-age=60")
                .content_disposition("attachment; filename=a.txt")
                .content_encoding("identity")
                .expires("Wed, 21 Oct 2026 07:28:00 GMT")
                .meta("Author", "alice")
                .storage_class("STANDARD_IA")
                .send()
                .unwrap();
            let src = bucket.head_object(&from).send().unwrap().properties;
            let to = format!("{from}-copy");
            bucket.slice_copy_file(&to, source(&from)).send().unwrap();
            let mut dst = bucket.head_object(&to).send().unwrap().properties;
            assert_ne!(dst.etag, None);
            dst.etag = src.etag.clone();
            dst.last_modified = src.last_modified.clone();
            dst.crc64 = src.crc64;
            assert_eq!(dst, src, "{front:?} {size}: everything but ETag and dates is the source's");
            assert_eq!(dst.storage_class, "STANDARD_IA");

            // A storage class given with the copy wins; Replaced stores the caller's headers.
            let to = format!("{from}-replaced");
            bucket
                .slice_copy_file(&to, source(&from))
                .metadata_directive(MetadataDirective::Replaced)
                .content_type("image/png")
                .meta("k", "v")
                .storage_class("STANDARD")
                .send()
                .unwrap();
            let dst = bucket.head_object(&to).send().unwrap().properties;
            assert_eq!(dst.content_type.as_deref(), Some("image/png"), "{front:?} {size}");
            assert_eq!((dst.meta.len(), dst.meta["k"].as_str()), (1, "v"));
            assert_eq!((dst.cache_control, dst.storage_class.as_str()), (None, "STANDARD"));
        }
    }
}

#[test]
fn a_source_in_another_bucket_and_region_is_reached() {
    for front in FRONTS {
        let setup = Setup::new(front);
        let (client, spy) = setup.spied_client(small_slices);
        // Path style (the HTTP front) names no region: the emulator keeps such a bucket in its
        // default region, so only the in-process front can show another region.
        let region = match front {
            Front::InProcess => "ap-shanghai",
            Front::Http => "ap-guangzhou",
        };
        let other = client.bucket_in("srcbucket-1250000000", region);
        other.put_bucket().send().unwrap();
        let data = pattern(3 * MIB, 3);
        other.put_object("x/y z.bin").body(data.clone()).send().unwrap();
        let out = client
            .bucket(BUCKET)
            .slice_copy_file_from("copied.bin", "srcbucket-1250000000", region, "x/y z.bin")
            .send()
            .unwrap();
        assert_eq!(setup.object("copied.bin").as_deref(), Some(&data[..]), "{front:?}");
        assert_eq!(out.crc64, Some(crc64(&data)));
        let head = spy.seen().into_iter().find(|s| s.method == "HEAD").unwrap();
        assert!(head.target.ends_with("/x/y%20z.bin"), "{front:?}: {}", head.target);
    }
}

#[test]
fn progress_is_monotonic_and_ends_at_exactly_100_percent() {
    for front in FRONTS {
        let setup = Setup::new(front);
        let client = setup.client(|b| small_slices(b).progress_interval(Duration::ZERO));
        let data = pattern(6 * MIB + 5, 4);
        put(&client, "p", &data);
        let seen = Arc::new(Mutex::new(Vec::<ProgressInfo>::new()));
        let s = seen.clone();
        client
            .bucket(BUCKET)
            .slice_copy_file("p2", source("p"))
            .on_progress(move |p| s.lock().unwrap().push(*p))
            .send()
            .unwrap();
        assert_progress_complete(&seen.lock().unwrap(), data.len() as u64);
    }
}

/// Pauses (or cancels) the task when part `at` goes out.
fn control_at_part(spy: &Spy, client: &Client, at: u32, action: fn(&Client, &str) -> bool) -> TaskId {
    control_task_when(spy, client, move |seen| seen.part_number == Some(at), action)
}

#[test]
fn pause_then_restart_copies_no_part_twice() {
    for front in FRONTS {
        let setup = Setup::new(front);
        let (client, spy) = setup.spied_client(|b| small_slices(b).copy_chunk_parallel_limit(2));
        let data = pattern(8 * MIB, 5);
        put(&client, "big", &data);
        let id = control_at_part(&spy, &client, 3, Client::pause_task);
        let task = client
            .bucket(BUCKET)
            .slice_copy_file("big-copy", source("big"))
            .on_task_ready(id.recorder())
            .start()
            .unwrap();
        wait_paused(&task);
        assert!(part_copies(&spy).len() < 8, "{front:?}: paused before the end");
        assert_eq!(setup.pending_uploads().len(), 1, "a paused copy keeps its upload");
        assert_eq!(client.get_task_list()[0].kind, TaskKind::Copy);
        spy.clear_hook();
        task.restart().unwrap();
        let out = task.wait().unwrap();
        assert_eq!(setup.object("big-copy").as_deref(), Some(&data[..]), "{front:?}");
        assert_eq!(part_copies(&spy), (1..=8).collect::<Vec<_>>(), "{front:?}: each part once");
        assert_eq!(spy.count("HEAD", "big"), 1, "{front:?}: no second HEAD on restart");
        assert_eq!(out.crc64, Some(crc64(&data)));
    }
}

#[test]
fn cancel_aborts_the_upload() {
    for front in FRONTS {
        let setup = Setup::new(front);
        let (client, spy) = setup.spied_client(|b| small_slices(b).copy_chunk_parallel_limit(1));
        put(&client, "c", &pattern(5 * MIB, 6));
        let id = control_at_part(&spy, &client, 2, Client::cancel_task);
        let task =
            client.bucket(BUCKET).slice_copy_file("c2", source("c")).on_task_ready(id.recorder()).start().unwrap();
        assert!(matches!(task.wait(), Err(Error::Cancelled)));
        assert!(client.bucket(BUCKET).multipart_list().send().unwrap().uploads.is_empty(), "{front:?}");
        assert_eq!(client.get_task_list()[0].state, TaskState::Cancelled);
        assert_eq!(setup.object("c2"), None);
    }
}

#[test]
fn cancel_while_paused_aborts_the_kept_upload() {
    let setup = Setup::new(Front::InProcess);
    let (client, spy) = setup.spied_client(|b| small_slices(b).copy_chunk_parallel_limit(1));
    put(&client, "c", &pattern(4 * MIB, 7));
    let id = control_at_part(&spy, &client, 2, Client::pause_task);
    let task = client.bucket(BUCKET).slice_copy_file("c2", source("c")).on_task_ready(id.recorder()).start().unwrap();
    wait_paused(&task);
    assert_eq!(setup.pending_uploads().len(), 1);
    task.cancel();
    assert!(matches!(task.wait(), Err(Error::Cancelled)));
    assert!(setup.pending_uploads().is_empty());
}

#[test]
fn an_unrestored_archive_source_is_refused_and_a_restored_one_copied() {
    for front in FRONTS {
        let setup = Setup::new(front);
        let (client, spy) = setup.spied_client(small_slices);
        let bucket = client.bucket(BUCKET);
        let data = pattern(2 * MIB, 8);
        for class in ["ARCHIVE", "DEEP_ARCHIVE"] {
            bucket.put_object(class).body(data.clone()).storage_class(class).send().unwrap();
            spy.log.lock().unwrap().clear();
            let err = bucket.slice_copy_file("out", source(class)).send().unwrap_err();
            assert!(
                matches!(&err, Error::InvalidArgument { field: "copy_source", reason } if reason.contains("not restored")),
                "{err}"
            );
            assert_eq!(spy.seen().len(), 1, "{front:?}: HEAD only, nothing copied");
        }
        // Still being restored: refused.
        spy.set_response_hook(|resp, seen| {
            if seen.method == "HEAD" {
                resp.headers.insert("x-cos-restore", "ongoing-request=\"true\"");
            }
        });
        assert!(bucket.slice_copy_file("out", source("ARCHIVE")).send().is_err());
        // Restored for real: the emulator serves an archived source only once restored (its HEAD
        // then says `ongoing-request="false", expiry-date=...`).
        spy.clear_response_hook();
        assert_eq!(bucket.restore_object("ARCHIVE", 1).send().unwrap().meta.status, 202);
        bucket.slice_copy_file("out", source("ARCHIVE")).send().unwrap();
        assert_eq!(setup.object("out").as_deref(), Some(&data[..]), "{front:?}");
    }
}

#[test]
fn a_source_changed_mid_copy_is_a_clear_error_and_the_upload_aborted() {
    for front in FRONTS {
        let setup = Setup::new(front);
        let (client, spy) = setup.spied_client(|b| small_slices(b).copy_chunk_parallel_limit(1));
        put(&client, "moving", &pattern(4 * MIB, 9));
        let replacer = setup.client(|b| b);
        let replaced = Arc::new(AtomicBool::new(false));
        let r = replaced.clone();
        spy.set_hook(move |_, seen| {
            if seen.part_number == Some(2) && !r.swap(true, Ordering::SeqCst) {
                put(&replacer, "moving", &pattern(4 * MIB, 10));
            }
        });
        let err = client.bucket(BUCKET).slice_copy_file("moved", source("moving")).send().unwrap_err();
        assert!(
            matches!(&err, Error::Integrity(m) if m.to_string().contains("changed while it was being transferred")),
            "{err}"
        );
        assert_eq!(part_copies(&spy), [1, 2], "{front:?}: a 412 is not retried");
        assert!(setup.pending_uploads().is_empty(), "{front:?}");
        assert_eq!(setup.object("moved"), None);

        // A small copy too.
        replaced.store(false, Ordering::SeqCst);
        let replacer = setup.client(|b| b);
        put(&client, "small", b"one");
        spy.set_hook(move |req, _| {
            if req.headers.contains("x-cos-copy-source") {
                put(&replacer, "small", b"two");
            }
        });
        let err = client.bucket(BUCKET).slice_copy_file("small2", source("small")).send().unwrap_err();
        assert!(matches!(&err, Error::Integrity(m) if m.to_string().contains("changed")), "{front:?}: {err}");
    }
}

#[test]
fn a_failing_part_keeps_the_upload_until_cancel() {
    let setup = Setup::new(Front::InProcess);
    let (client, spy) =
        setup.spied_client(|b| small_slices(b).chunk_retry_times(1).retry(tencent_cos::RetryPolicy::none()));
    put(&client, "f", &pattern(3 * MIB, 11));
    spy.set_response_hook(|resp, seen| {
        if seen.part_number == Some(2) && seen.method == "PUT" {
            transfer_support::replace_with_status(resp, 503);
        }
    });
    let task = client.bucket(BUCKET).slice_copy_file("f2", source("f")).start().unwrap();
    let err = task.wait_timeout(Duration::from_secs(10)).expect("fails").unwrap_err();
    assert_eq!(err.status(), Some(503), "{err}");
    assert_eq!(spy.part_puts()[&2], 2, "one try and one retry");
    assert_eq!(task.state(), TaskState::Error);
    assert_eq!(setup.pending_uploads().len(), 1, "kept for restart");
    task.cancel();
    assert!(setup.pending_uploads().is_empty());
}

#[test]
fn bad_input_is_refused_before_any_request() {
    let setup = Setup::new(Front::InProcess);
    let (client, spy) = setup.spied_client(|b| b);
    let bucket = client.bucket(BUCKET);
    let err = |r: Result<tencent_cos::transfer::TaskHandle, Error>| match r.unwrap_err() {
        Error::InvalidArgument { field, .. } => field,
        e => panic!("{e}"),
    };
    let src = source("a");
    assert_eq!(err(bucket.slice_copy_file("k", &src).copy_chunk_size(1000).start()), "copy_chunk_size");
    assert_eq!(err(bucket.slice_copy_file("k", &src).async_limit(0).start()), "async_limit");
    assert_eq!(err(bucket.slice_copy_file("", &src).start()), "key");
    assert_eq!(err(bucket.slice_copy_file("k", "not-a-source/a").start()), "copy_source");
    assert_eq!(
        err(bucket.slice_copy_file("k", format!("{BUCKET}.cos.ap-guangzhou.myqcloud.com/%zz")).start()),
        "copy_source"
    );
    assert_eq!(err(bucket.slice_copy_file_from("k", "bad", "ap-guangzhou", "a").start()), "copy_source");
    assert_eq!(err(bucket.slice_copy_file("k", &src).content_type("text/plain").start()), "metadata_directive");
    assert_eq!(err(bucket.slice_copy_file("k", &src).meta("a", "b").start()), "metadata_directive");
    assert!(spy.seen().is_empty());
    let err = bucket.slice_copy_file("k", source("missing")).send().unwrap_err();
    assert!(err.is_not_found(), "{err}");
}

#[test]
fn cancel_stops_a_part_copy_before_its_next_attempt() {
    let setup = Setup::new(Front::InProcess);
    let slow_retries = tencent_cos::RetryPolicy {
        max_retries: 3,
        initial_backoff: Duration::from_secs(2),
        max_backoff: Duration::from_secs(2),
    };
    let (client, spy) =
        setup.spied_client(|b| small_slices(b).copy_chunk_parallel_limit(1).chunk_retry_times(0).retry(slow_retries));
    put(&client, "slow", &pattern(4 * MIB, 12));
    let id = TaskId::default();
    let (slot, c) = (id.clone(), client.clone());
    // Part 2 answers 503 and the task is cancelled as that answer arrives: the copy request must
    // not try again (it would, 3 times, with the client's own retries).
    spy.set_response_hook(move |resp, seen| {
        if seen.part_number == Some(2) && seen.method == "PUT" {
            transfer_support::replace_with_status(resp, 503);
            c.cancel_task(&slot.get());
        }
    });
    let started = std::time::Instant::now();
    let task =
        client.bucket(BUCKET).slice_copy_file("slow2", source("slow")).on_task_ready(id.recorder()).start().unwrap();
    let result = task.wait_timeout(Duration::from_secs(10)).expect("cancel ends the copy");
    assert!(matches!(result, Err(Error::Cancelled)), "{result:?}");
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
    assert_eq!(spy.part_requests("PUT", 2), 1, "no attempt after the cancel");
    assert_eq!(spy.part_requests("PUT", 3), 0);
    assert!(setup.pending_uploads().is_empty());
}
