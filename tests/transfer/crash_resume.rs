//! Crash and resume: an upload (or a download) is cut off after a random number of parts (the
//! transport stops answering, so not even the abort gets through), the client is dropped, and a
//! fresh client resumes it: it sends (fetches) only the missing parts and produces the right
//! object (file).

use crate::support::transfer_support;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use tencent_cos::emulator::{DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, Emulator};
use tencent_cos::http::{Request, Response};
use tencent_cos::transport::Transport;
use tencent_cos::{Client, Error, RetryPolicy, TransportErrorKind};
use transfer_support::{BUCKET, MIB, Spy, TempDir, TempFile, pattern};

/// Passes requests on until `parts_left` part uploads have been answered, then answers nothing.
struct DiesAfterParts {
    inner: Emulator,
    parts_left: AtomicUsize,
    dead: AtomicBool,
}

impl Transport for DiesAfterParts {
    fn send(&self, request: Request) -> tencent_cos::Result<Response> {
        if self.dead.load(Ordering::SeqCst) {
            return Err(Error::transport(TransportErrorKind::Connect, std::io::Error::other("the network is gone")));
        }
        let is_part = request.url.contains("partNumber=");
        let response = self.inner.send(request)?;
        if is_part && self.parts_left.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.dead.store(true, Ordering::SeqCst);
        }
        Ok(response)
    }
}

/// Passes requests on until `ranges_left` ranged GETs have been answered, then answers nothing.
struct DiesAfterRanges {
    inner: Emulator,
    ranges_left: AtomicUsize,
    dead: AtomicBool,
}

impl Transport for DiesAfterRanges {
    fn send(&self, request: Request) -> tencent_cos::Result<Response> {
        if self.dead.load(Ordering::SeqCst) {
            return Err(Error::transport(TransportErrorKind::Connect, std::io::Error::other("the network is gone")));
        }
        let is_range = request.headers.get("range").is_some();
        let response = self.inner.send(request)?;
        if is_range && self.ranges_left.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.dead.store(true, Ordering::SeqCst);
        }
        Ok(response)
    }
}

fn client(transport: impl Transport) -> Client {
    Client::builder()
        .secret(DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY)
        .region("ap-guangzhou")
        .retry(RetryPolicy::none())
        .chunk_retry_times(0)
        .transport(transport)
        .build()
        .unwrap()
}

#[test]
fn a_fresh_client_finishes_an_upload_cut_off_after_a_random_number_of_parts() {
    let mut rng: u64 = 0x5EED_2026;
    for round in 0..6 {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        let total_parts = 9;
        let cut_after = 1 + (rng % (total_parts - 1)) as usize; // 1..=8 parts answered
        let emulator = Emulator::new();
        client(emulator.clone()).bucket(BUCKET).put_bucket().send().unwrap();
        let data = pattern(8 * MIB + 77, round);
        let file = TempFile::new(&data);
        let key = format!("crash/{round}.bin");

        {
            let dying = DiesAfterParts {
                inner: emulator.clone(),
                parts_left: AtomicUsize::new(cut_after),
                dead: AtomicBool::new(false),
            };
            let c = client(dying);
            let err = c.bucket(BUCKET).slice_upload_file(&key, &file.path).send().unwrap_err();
            assert_eq!(err.transport_kind(), Some(TransportErrorKind::Connect), "round {round}: {err}");
        } // the client is dropped: the process "crashed"

        let pending = emulator.pending_uploads(BUCKET);
        assert_eq!(pending.len(), 1, "round {round}: the cut-off upload is still on the server");
        let stored: Vec<u32> = client(emulator.clone())
            .bucket(BUCKET)
            .multipart_list_part(&key, &pending[0].1)
            .all_parts()
            .unwrap()
            .iter()
            .map(|p| p.part_number)
            .collect();
        assert!(stored.len() >= cut_after, "round {round}: {stored:?} after {cut_after} answered parts");

        let spy = Spy::new(emulator.clone());
        let out = client(spy.clone()).bucket(BUCKET).slice_upload_file(&key, &file.path).send().unwrap();
        assert_eq!(emulator.object_bytes(BUCKET, &key).as_deref(), Some(&data[..]), "round {round}");
        assert_eq!(out.resumed_parts as usize, stored.len());
        let mut sent: Vec<u32> = spy.part_puts().into_keys().collect();
        sent.sort();
        let missing: Vec<u32> = (1..=total_parts as u32).filter(|n| !stored.contains(n)).collect();
        assert_eq!(sent, missing, "round {round}: only the missing parts are sent");
        assert!(emulator.pending_uploads(BUCKET).is_empty());
    }
}

#[test]
fn a_fresh_client_finishes_a_download_cut_off_after_a_random_number_of_parts() {
    let mut rng: u64 = 0x00D0_5EED_2026;
    for round in 0..6 {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        let total_parts = 9;
        let cut_after = 1 + (rng % (total_parts - 1)) as usize; // 1..=8 parts answered
        let emulator = Emulator::new();
        let bucket_client = client(emulator.clone());
        bucket_client.bucket(BUCKET).put_bucket().send().unwrap();
        let data = pattern(8 * MIB + 77, 100 + round);
        let key = format!("crash/{round}.bin");
        bucket_client.bucket(BUCKET).put_object(&key).body(data.clone()).send().unwrap();
        let dir = TempDir::new();
        let target = dir.join("out.bin");

        {
            let dying = DiesAfterRanges {
                inner: emulator.clone(),
                ranges_left: AtomicUsize::new(cut_after),
                dead: AtomicBool::new(false),
            };
            let c = Client::builder()
                .secret(DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY)
                .region("ap-guangzhou")
                .retry(RetryPolicy::none())
                .chunk_retry_times(0)
                .chunk_parallel_limit(1)
                .transport(dying)
                .build()
                .unwrap();
            let err = c.bucket(BUCKET).download_file(&key, &target).send().unwrap_err();
            assert_eq!(
                err.transport_kind(),
                Some(TransportErrorKind::Connect),
                "round {round} (cut after {cut_after}): {err}"
            );
        } // the client is dropped: the process "crashed"
        assert_eq!(dir.names().len(), 2, "round {round}: the data file and the sidecar are kept: {:?}", dir.names());

        let spy = Spy::new(emulator.clone());
        let out = client(spy.clone()).bucket(BUCKET).download_file(&key, &target).send().unwrap();
        assert!(std::fs::read(&target).unwrap() == data, "round {round} (cut after {cut_after})");
        assert_eq!(out.resumed_parts as usize, cut_after, "round {round}");
        let mut fetched: Vec<u64> = spy
            .ranged_gets(&key)
            .iter()
            .map(|r| r.trim_start_matches("bytes=").split('-').next().unwrap().parse::<u64>().unwrap() / MIB as u64 + 1)
            .collect();
        fetched.sort();
        let missing: Vec<u64> = (cut_after as u64 + 1..=total_parts).collect();
        assert_eq!(fetched, missing, "round {round}: only the missing parts are fetched");
        assert_eq!(dir.names(), ["out.bin"], "round {round}");
    }
}
