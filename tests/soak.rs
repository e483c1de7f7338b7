//! Soak: 200 transfers -- uploads, and downloads of what was uploaded -- of sizes from 0 to
//! 40 MiB through `FaultyTransport` at a 20% fault rate over the emulator. Every transfer ends
//! byte-identical (compared in full), or with an error and no multipart upload of its key left
//! behind (and, for a download, no file). Fixed seed; prints the counts.

mod transfer_support;

use std::time::{Duration, Instant};

use tencent_cos::emulator::{DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, Emulator};
use tencent_cos::transport::{FaultConfig, FaultyTransport};
use tencent_cos::{Client, RetryPolicy};
use transfer_support::{BUCKET, MIB, TempFile};

const SEED: u64 = 20261126;
/// Uploads; every second one is also downloaded back: 200 transfers in all.
const UPLOADS: usize = 134;

/// Sizes from 0 to 40 MiB, most of them small, as real workloads are: a fifth empty or tiny,
/// most up to a few MiB, a tenth large.
fn size_for(i: usize, rng: &mut u64) -> usize {
    let r = next(rng);
    match i % 10 {
        0 => (r % 3) as usize,
        1..=5 => (r % (512 * 1024)) as usize,
        6..=8 => MIB + (r % (5 * MIB as u64)) as usize,
        _ => 5 * MIB + (r % (35 * MIB as u64)) as usize,
    }
}

fn next(x: &mut u64) -> u64 {
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    *x
}

/// Pseudo-random bytes, generated a word at a time (fast in debug builds too).
fn data(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        out.extend_from_slice(&next(&mut x).to_le_bytes());
    }
    out.truncate(len);
    out
}

#[test]
fn two_hundred_transfers_through_faults_end_exact_or_clean() {
    const TRANSFERS: usize = UPLOADS + UPLOADS.div_ceil(2);
    let started = Instant::now();
    let emulator = Emulator::new();
    let clean = Client::builder()
        .secret(DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY)
        .region("ap-guangzhou")
        .transport(emulator.clone())
        .build()
        .unwrap();
    clean.bucket(BUCKET).put_bucket().send().unwrap();

    let mut config = FaultConfig::uniform(SEED, 0.2);
    config.stall_for = Duration::from_millis(5);
    let faulty = std::sync::Arc::new(FaultyTransport::new(emulator.clone(), config));
    let client = Client::builder()
        .secret(DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY)
        .region("ap-guangzhou")
        .transport(faulty.clone())
        .retry(RetryPolicy {
            max_retries: 3,
            initial_backoff: Duration::from_millis(1),
            max_backoff: Duration::from_millis(10),
        })
        .chunk_parallel_limit(4)
        .file_parallel_limit(3)
        .build()
        .unwrap();
    let bucket = client.bucket(BUCKET);

    let mut rng = SEED | 1;
    let (mut ok, mut failed, mut bytes) = (0, 0, 0usize);
    let (mut down_ok, mut down_failed) = (0, 0);
    let out_dir = transfer_support::TempDir::new();
    let mut batch = Vec::new();
    for i in 0..UPLOADS {
        let size = size_for(i, &mut rng);
        let content = data(size, i as u64);
        bytes += size;
        let file = TempFile::new(&content);
        let key = format!("soak/{i:03}-{size}.bin");
        let task = bucket.upload_file(&key, &file.path).start().unwrap();
        batch.push((key, content, file, task));
        // Keep a few transfers in flight so faults hit concurrent uploads, and few files on disk.
        if batch.len() == 6 || i == UPLOADS - 1 {
            let mut downloads = Vec::new();
            for (key, content, _file, task) in batch.drain(..) {
                match task.wait() {
                    Ok(out) => {
                        let stored = emulator.object_bytes(BUCKET, &key);
                        assert!(stored.as_deref() == Some(&content[..]), "{key}: stored object differs");
                        assert_eq!(out.size, content.len() as u64);
                        ok += 1;
                        if ok % 2 == 1 {
                            let path = out_dir.path.join(key.replace('/', "_"));
                            let task = bucket.download_file(&key, &path).chunk_size(MIB as u64).start().unwrap();
                            downloads.push((key, content, path, task));
                        }
                    }
                    Err(e) => {
                        let left: Vec<_> =
                            emulator.pending_uploads(BUCKET).into_iter().filter(|(k, _)| *k == key).collect();
                        assert!(left.is_empty(), "{key} failed ({e}) and left {left:?}");
                        failed += 1;
                    }
                }
            }
            for (key, content, path, task) in downloads {
                match task.wait() {
                    Ok(_) => {
                        let got = std::fs::read(&path).unwrap();
                        assert!(got == content, "{key}: downloaded file differs");
                        down_ok += 1;
                    }
                    Err(e) => {
                        assert!(!path.exists(), "{key}: download failed ({e}) but left a file");
                        down_failed += 1;
                    }
                }
            }
        }
    }
    // Downloads are only started for objects that were uploaded: top up to 200 transfers with
    // downloads of the first ones again.
    let mut extra = 0;
    while ok + failed + down_ok + down_failed < TRANSFERS {
        let key = emulator.object_keys(BUCKET)[extra].clone();
        let content = emulator.object_bytes(BUCKET, &key).unwrap();
        let path = out_dir.path.join(format!("again-{extra}"));
        match bucket.download_file(&key, &path).chunk_size(MIB as u64).send() {
            Ok(_) => {
                assert!(std::fs::read(&path).unwrap() == content, "{key}: downloaded file differs");
                down_ok += 1;
            }
            Err(e) => {
                assert!(!path.exists(), "{key}: download failed ({e}) but left a file");
                down_failed += 1;
            }
        }
        extra += 1;
    }
    let faults = faulty.log();
    println!(
        "soak: {UPLOADS} uploads ({} MiB): {ok} exact, {failed} clean failures; {} downloads: {down_ok} exact, {down_failed} clean failures; {} requests, {} faults injected, {:.1?}",
        bytes / MIB,
        down_ok + down_failed,
        faulty.requests(),
        faults.len(),
        started.elapsed()
    );
    let mut kinds = std::collections::BTreeMap::new();
    for f in &faults {
        *kinds.entry(format!("{:?}", f.kind)).or_insert(0) += 1;
    }
    println!("soak: faults by kind {kinds:?}");
    assert_eq!(ok + failed + down_ok + down_failed, TRANSFERS);
    assert!(ok > UPLOADS / 2, "retries should carry most uploads through 20% faults ({ok} ok)");
    assert!(down_ok > (down_ok + down_failed) / 2, "and most downloads ({down_ok} ok)");
    assert!(faults.len() > 100, "faults were injected ({})", faults.len());
    assert!(
        emulator.pending_uploads(BUCKET).is_empty(),
        "no upload left at all: {:?}",
        emulator.pending_uploads(BUCKET)
    );
}
