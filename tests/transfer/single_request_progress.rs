//! `put_object(..).on_progress(..)` and `get_object(..).on_progress(..)` (the JS `putObject` /
//! `getObject` `onProgress`): body bytes sent or received, never going back (a retried upload
//! starts its body again), ending with exactly one report at `total`.

use crate::support::transfer_support;

use std::io::Read;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tencent_cos::transfer::ProgressInfo;
use transfer_support::{BUCKET, Front, MIB, Setup, pattern, replace_with_status};

type Seen = Arc<Mutex<Vec<ProgressInfo>>>;

fn recorder() -> (Seen, impl Fn(&ProgressInfo) + Send + Sync + 'static) {
    let seen: Seen = Arc::default();
    let s = seen.clone();
    (seen, move |p: &ProgressInfo| s.lock().unwrap().push(*p))
}

/// Monotonic, every report of `total`, and exactly one (the last) at `total`.
fn assert_complete(seen: &[ProgressInfo], total: u64, what: &str) {
    assert!(seen.len() >= 2, "{what}: reports along the way, then the last: {seen:?}");
    assert!(seen.windows(2).all(|w| w[0].loaded <= w[1].loaded), "{what}: went back: {seen:?}");
    assert!(seen.iter().all(|p| p.total == total), "{what}: total: {seen:?}");
    let last = seen.last().unwrap();
    assert_eq!((last.loaded, last.fraction), (total, 1.0), "{what}");
    assert_eq!(seen.iter().filter(|p| p.loaded == total).count(), 1, "{what}: one final report: {seen:?}");
}

#[test]
fn put_object_reports_body_bytes_sent() {
    for front in [Front::InProcess, Front::Http] {
        let setup = Setup::new(front);
        let client = setup.client(|b| b.progress_interval(Duration::ZERO));
        let data = pattern(5 * MIB + 3, 1);
        let (seen, cb) = recorder();
        client.bucket(BUCKET).put_object("p.bin").body(data.clone()).on_progress(cb).send().unwrap();
        assert_eq!(setup.object("p.bin").as_deref(), Some(&data[..]));
        assert_complete(&seen.lock().unwrap(), data.len() as u64, &format!("{front:?}"));
    }
}

#[test]
fn a_retried_put_does_not_move_progress_back() {
    let setup = Setup::new(Front::InProcess);
    let (client, spy) = setup.spied_client(|b| b.progress_interval(Duration::ZERO));
    let puts = Arc::new(AtomicUsize::new(0));
    let p = puts.clone();
    spy.set_response_hook(move |response, seen| {
        if seen.method == "PUT" && p.fetch_add(1, Ordering::SeqCst) == 0 {
            replace_with_status(response, 503);
        }
    });
    let data = pattern(2 * MIB, 2);
    let (seen, cb) = recorder();
    client.bucket(BUCKET).put_object("r.bin").body(data.clone()).on_progress(cb).send().unwrap();
    assert_eq!(puts.load(Ordering::SeqCst), 2, "sent twice");
    assert_eq!(setup.object("r.bin").as_deref(), Some(&data[..]));
    assert_complete(&seen.lock().unwrap(), data.len() as u64, "retried");
}

#[test]
fn get_object_reports_body_bytes_read_however_it_is_read() {
    for front in [Front::InProcess, Front::Http] {
        let setup = Setup::new(front);
        let client = setup.client(|b| b.progress_interval(Duration::ZERO));
        let bucket = client.bucket(BUCKET);
        let data = pattern(3 * MIB + 1, 3);
        bucket.put_object("g.bin").body(data.clone()).send().unwrap();

        let (seen, cb) = recorder();
        assert_eq!(bucket.get_object("g.bin").on_progress(cb).send().unwrap().bytes().unwrap(), data);
        assert_complete(&seen.lock().unwrap(), data.len() as u64, &format!("{front:?} bytes"));

        let (seen, cb) = recorder();
        let mut out = Vec::new();
        let mut reader = bucket.get_object("g.bin").on_progress(cb).send().unwrap().into_reader();
        let mut buf = [0u8; 7777];
        loop {
            let n = reader.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            out.extend_from_slice(&buf[..n]);
            // With no throttle, every read below the total is reported as it is handed out.
            if out.len() < data.len() {
                assert_eq!(seen.lock().unwrap().last().map(|p| p.loaded), Some(out.len() as u64));
            }
        }
        assert_eq!(out, data);
        assert_complete(&seen.lock().unwrap(), data.len() as u64, &format!("{front:?} reader"));

        let (seen, cb) = recorder();
        let part = bucket.get_object("g.bin").range(MIB as u64..=(2 * MIB as u64) - 1).on_progress(cb).send().unwrap();
        assert_eq!(part.bytes().unwrap(), &data[MIB..2 * MIB]);
        assert_complete(&seen.lock().unwrap(), MIB as u64, &format!("{front:?} range"));
    }
}

#[test]
fn send_with_keeps_progress_adds_the_callers_options_and_cancels_before_sending() {
    use tencent_cos::{BodySent, CallOptions, CancelToken, Error};
    let setup = Setup::new(Front::InProcess);
    let (client, spy) = setup.spied_client(|b| b.progress_interval(Duration::ZERO));
    let bucket = client.bucket(BUCKET);
    let data = pattern(2 * MIB + 5, 4);
    // Both observers of the upload: the progress callback and the caller's BodySent.
    let (seen, cb) = recorder();
    let told: Arc<Mutex<Vec<u64>>> = Arc::default();
    let t = told.clone();
    let options = CallOptions::new().body_sent(BodySent::new(move |n| t.lock().unwrap().push(n)));
    bucket.put_object("w.bin").body(data.clone()).on_progress(cb).send_with(&options).unwrap();
    assert_eq!(setup.object("w.bin").as_deref(), Some(&data[..]));
    assert_complete(&seen.lock().unwrap(), data.len() as u64, "put send_with");
    let told = told.lock().unwrap();
    assert_eq!(told.last(), Some(&(data.len() as u64)), "the caller's BodySent saw every byte go out");
    assert!(told.windows(2).all(|w| w[0] <= w[1]), "{told:?}");

    // A cancelled token ends get_object, put_object and get_service before any request.
    let token = CancelToken::new();
    token.cancel();
    let cancelled = CallOptions::new().cancel(token);
    let requests = spy.seen().len();
    assert!(matches!(bucket.get_object("w.bin").send_with(&cancelled), Err(Error::Cancelled)));
    assert!(matches!(bucket.put_object("x.bin").body("x").send_with(&cancelled), Err(Error::Cancelled)));
    assert!(matches!(client.get_service().send_with(&cancelled), Err(Error::Cancelled)));
    assert_eq!(spy.seen().len(), requests, "nothing sent");
    assert_eq!(setup.object("x.bin"), None);
}
