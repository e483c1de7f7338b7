//! `Bucket::upload_reader`: streams of unknown length, against the emulator in-process and over
//! HTTP -- one PUT or a multipart upload, exact bytes and CRC, bounded buffers, retries from the
//! buffer, and nothing left on the server after a failing reader or a cancel.

use crate::support::transfer_support;

use std::io::{self, Read};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tencent_cos::checksum::crc64;
use tencent_cos::transfer::ProgressInfo;
use tencent_cos::{CancelToken, Error};
use transfer_support::{BUCKET, Front, MIB, Setup, pattern, replace_with_status};

/// A reader that hands out `data` in uneven slices (as a pipe does), counting what it gave.
struct Trickle {
    data: Vec<u8>,
    pos: usize,
    read: Arc<AtomicU64>,
    /// Fails with this message once `pos` reaches the offset.
    fail_at: Option<(usize, &'static str)>,
}

impl Trickle {
    fn new(data: Vec<u8>) -> Self {
        Trickle { data, pos: 0, read: Arc::default(), fail_at: None }
    }
}

impl Read for Trickle {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if let Some((at, message)) = self.fail_at
            && self.pos >= at
        {
            return Err(io::Error::other(message));
        }
        let end = self.fail_at.map_or(self.data.len(), |(at, _)| at.min(self.data.len()));
        let n = buf.len().min(end - self.pos).min(100_000 + self.pos % 7);
        buf[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
        self.pos += n;
        self.read.fetch_add(n as u64, Ordering::SeqCst);
        Ok(n)
    }
}

#[test]
fn every_length_arrives_byte_exact_in_one_put_or_in_parts() {
    for front in [Front::InProcess, Front::Http] {
        let setup = Setup::new(front);
        let (client, spy) = setup.spied_client(|b| b);
        let bucket = client.bucket(BUCKET);
        // (length, parts): ends within the first part -> one PUT; one byte over -> 2 parts.
        for (i, (len, parts)) in [(0, 0), (1, 0), (MIB, 0), (MIB + 1, 2), (50 * MIB, 50)].into_iter().enumerate() {
            let data = pattern(len, i as u64 + 7);
            let key = format!("stream/{len}.bin");
            let out = bucket.upload_reader(&key, Trickle::new(data.clone())).part_size(MIB as u64).send().unwrap();
            assert_eq!(setup.object(&key).as_deref(), Some(&data[..]), "{front:?} {len}");
            assert_eq!((out.size, out.crc64), (len as u64, Some(crc64(&data))), "{front:?} {len}");
            let part_puts = spy.seen().iter().filter(|s| s.key == key && s.part_number.is_some()).count();
            assert_eq!(part_puts, parts, "{front:?} {len}");
            assert_eq!(spy.count("PUT", &key), parts.max(1), "{front:?} {len}: one PUT, or one per part");
            assert_eq!(out.upload_id.is_some(), parts > 0);
            assert_eq!(out.bucket, BUCKET);
            assert!(out.location.as_deref().is_some_and(|l| l.ends_with(&key)), "{:?}", out.location);
        }
        assert!(setup.pending_uploads().is_empty());
    }
}

#[test]
fn attributes_reach_the_object_on_both_paths() {
    let setup = Setup::new(Front::InProcess);
    let bucket = setup.client(|b| b).bucket(BUCKET);
    for len in [10, 3 * MIB] {
        let key = format!("typed/{len}");
        bucket
            .upload_reader(&key, Trickle::new(pattern(len, 1)))
            .part_size(MIB as u64)
            .content_type("text/csv")
            .cache_control("max-age=60")
            .send()
            .unwrap();
        let head = bucket.head_object(&key).send().unwrap();
        assert_eq!(head.meta.headers.get("content-type"), Some("text/csv"), "{len}");
        assert_eq!(head.meta.headers.get("cache-control"), Some("max-age=60"), "{len}");
    }
}

#[test]
fn a_reader_that_fails_midway_aborts_the_upload_and_returns_its_error() {
    let setup = Setup::new(Front::InProcess);
    let (client, spy) = setup.spied_client(|b| b);
    let bucket = client.bucket(BUCKET);
    let mut reader = Trickle::new(pattern(10 * MIB, 3));
    reader.fail_at = Some((3 * MIB + MIB / 2, "disk went away"));
    let err = bucket.upload_reader("broken.bin", reader).part_size(MIB as u64).send().unwrap_err();
    match &err {
        Error::Io(e) => assert_eq!(e.to_string(), "disk went away"),
        other => panic!("expected the reader's error, got {other:?}"),
    }
    assert_eq!(setup.object("broken.bin"), None);
    assert!(setup.pending_uploads().is_empty(), "aborted: {:?}", setup.pending_uploads());
    assert_eq!(spy.count("DELETE", "broken.bin"), 1, "one Abort");
}

#[test]
fn buffers_stay_bounded_by_the_parts_in_flight() {
    let setup = Setup::new(Front::InProcess);
    let (client, spy) = setup.spied_client(|b| b);
    *spy.delay.lock().unwrap() = Duration::from_millis(15);
    let answered = Arc::new(AtomicU64::new(0));
    let a = answered.clone();
    spy.set_response_hook(move |response, seen| {
        if seen.part_number.is_some() && response.status == 200 {
            a.fetch_add(MIB as u64, Ordering::SeqCst);
        }
    });
    // How far the stream was read ahead of the parts COS answered, at every read.
    struct Watched {
        inner: Trickle,
        answered: Arc<AtomicU64>,
        most_ahead: Arc<AtomicU64>,
    }
    impl Read for Watched {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.inner.read(buf)?;
            let ahead = self.inner.pos as u64 - self.answered.load(Ordering::SeqCst);
            self.most_ahead.fetch_max(ahead, Ordering::SeqCst);
            Ok(n)
        }
    }
    let most_ahead = Arc::new(AtomicU64::new(0));
    let data = pattern(24 * MIB, 4);
    let reader = Watched { inner: Trickle::new(data.clone()), answered, most_ahead: most_ahead.clone() };
    let bucket = client.bucket(BUCKET);
    bucket.upload_reader("bounded.bin", reader).part_size(MIB as u64).async_limit(2).send().unwrap();
    assert_eq!(setup.object("bounded.bin").as_deref(), Some(&data[..]));
    assert_eq!(spy.max_parts_in_flight.load(Ordering::SeqCst), 2);
    // Two parts in flight, one being read, and the byte that tells the first part from the end.
    let bound = 3 * MIB as u64 + 1;
    let ahead = most_ahead.load(Ordering::SeqCst);
    assert!(ahead <= bound, "read {ahead} bytes ahead of COS, more than {bound}");
    assert!(ahead > 2 * MIB as u64, "the reader ran ahead of the parts in flight ({ahead})");
}

#[test]
fn a_failed_part_is_sent_again_from_its_buffer() {
    let setup = Setup::new(Front::InProcess);
    let (client, spy) = setup.spied_client(|b| b.chunk_retry_times(2));
    let failed = Arc::new(AtomicUsize::new(0));
    let f = failed.clone();
    spy.set_response_hook(move |response, seen| {
        if seen.part_number == Some(3) && f.fetch_add(1, Ordering::SeqCst) == 0 {
            replace_with_status(response, 503);
        }
    });
    let data = pattern(5 * MIB + 17, 5);
    let out = client.bucket(BUCKET).upload_reader("retried.bin", Trickle::new(data.clone())).send().unwrap();
    assert_eq!(setup.object("retried.bin").as_deref(), Some(&data[..]));
    assert_eq!(out.crc64, Some(crc64(&data)));
    let puts = spy.part_puts();
    assert_eq!((puts[&3], puts.len()), (2, 6), "part 3 twice, every other part once: {puts:?}");
    assert!(puts.iter().all(|(n, c)| *n == 3 || *c == 1));
}

#[test]
fn cancel_stops_the_parts_and_aborts_the_upload() {
    let setup = Setup::new(Front::InProcess);
    let (client, spy) = setup.spied_client(|b| b.progress_interval(Duration::ZERO));
    *spy.delay.lock().unwrap() = Duration::from_millis(5);
    let token = CancelToken::new();
    let t = token.clone();
    let err = client
        .bucket(BUCKET)
        .upload_reader("cancelled.bin", Trickle::new(pattern(40 * MIB, 6)))
        .part_size(MIB as u64)
        .cancel_token(token)
        .on_progress(move |p| {
            if p.loaded >= 3 * MIB as u64 {
                t.cancel();
            }
        })
        .send()
        .unwrap_err();
    assert!(matches!(err, Error::Cancelled), "{err:?}");
    assert_eq!(setup.object("cancelled.bin"), None);
    assert!(setup.pending_uploads().is_empty());
    let parts = spy.part_puts().len();
    assert!(parts < 10, "cancel stopped the stream early: {parts} parts of 40 were sent");
}

#[test]
fn progress_has_no_total_until_the_end_then_ends_at_exactly_the_size() {
    let setup = Setup::new(Front::InProcess);
    let client = setup.client(|b| b.progress_interval(Duration::ZERO));
    let seen: Arc<Mutex<Vec<ProgressInfo>>> = Arc::default();
    let s = seen.clone();
    let len = 6 * MIB + 5;
    client
        .bucket(BUCKET)
        .upload_reader("progress.bin", Trickle::new(pattern(len, 8)))
        .part_size(MIB as u64)
        .on_progress(move |p| s.lock().unwrap().push(*p))
        .send()
        .unwrap();
    let seen = seen.lock().unwrap();
    let (last, during) = seen.split_last().unwrap();
    assert_eq!((last.loaded, last.total, last.fraction), (len as u64, len as u64, 1.0));
    assert!(!during.is_empty());
    for p in during {
        assert_eq!((p.total, p.fraction), (0, 0.0), "{p:?}");
        // Sums of whole parts confirmed (the 5-byte last part may be answered first).
        assert!([0, 5].contains(&(p.loaded % MIB as u64)) && p.loaded <= len as u64, "{p:?}");
    }
    assert!(seen.windows(2).all(|w| w[0].loaded <= w[1].loaded));
}

#[test]
fn another_objects_body_streams_into_a_new_object() {
    let setup = Setup::new(Front::Http);
    let bucket = setup.client(|b| b).bucket(BUCKET);
    let data = pattern(3 * MIB + 3, 9);
    bucket.put_object("source.bin").body(data.clone()).send().unwrap();
    let source = bucket.get_object("source.bin").send().unwrap().into_reader();
    let out = bucket.upload_reader("copy.bin", source).part_size(MIB as u64).send().unwrap();
    assert_eq!(setup.object("copy.bin").as_deref(), Some(&data[..]));
    assert_eq!((out.size, out.crc64), (data.len() as u64, Some(crc64(&data))));
}

#[test]
fn bad_options_are_refused_before_any_request() {
    let setup = Setup::new(Front::InProcess);
    let (client, spy) = setup.spied_client(|b| b);
    let before = spy.seen().len();
    let err = client.bucket(BUCKET).upload_reader("x", io::empty()).part_size(1000).send().unwrap_err();
    assert!(matches!(err, Error::InvalidArgument { field: "part_size", .. }), "{err:?}");
    let err = client.bucket(BUCKET).upload_reader("", io::empty()).send().unwrap_err();
    assert!(matches!(err, Error::InvalidArgument { .. }), "{err:?}");
    assert_eq!(spy.seen().len(), before);
}
