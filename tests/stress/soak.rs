//! Soak: 200 transfers -- uploads, and downloads of what was uploaded -- of sizes from 0 to
//! 40 MiB through `FaultyTransport` at a 20% fault rate over the emulator. Every transfer ends
//! byte-identical (compared in full), or cancelled, or with an error (a download leaving no
//! file). No upload is left behind after a cancel; after an error exactly the task's own upload
//! is left (or none, when it failed before or at Complete), and restarting the task resumes that
//! upload to a byte-exact object. At the end nothing is left on the server. Fixed seed; prints
//! the counts.

use crate::support::transfer_support;

use std::time::{Duration, Instant};

use tencent_cos::Error;
use tencent_cos::emulator::{DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, Emulator};
use tencent_cos::transfer::{TaskHandle, TaskState};
use tencent_cos::transport::{FaultConfig, FaultyTransport};
use tencent_cos::{Client, RetryPolicy};
use transfer_support::{BUCKET, MIB, Rng, TempFile};

const SEED: u64 = 20261126;
/// Uploads; every second one is also downloaded back: 200 transfers in all.
const UPLOADS: usize = 134;

/// Sizes from 0 to 40 MiB, most of them small, as real workloads are: a fifth empty or tiny,
/// most up to a few MiB, a tenth large.
fn size_for(i: usize, rng: &mut Rng) -> usize {
    let r = rng.next();
    match i % 10 {
        0 => (r % 3) as usize,
        1..=5 => (r % (512 * 1024)) as usize,
        6..=8 => MIB + (r % (5 * MIB as u64)) as usize,
        _ => 5 * MIB + (r % (35 * MIB as u64)) as usize,
    }
}

/// Pseudo-random bytes, generated a word at a time (fast in debug builds too).
fn data(len: usize, seed: u64) -> Vec<u8> {
    let mut rng = Rng::new(seed);
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        out.extend_from_slice(&rng.next().to_le_bytes());
    }
    out.truncate(len);
    out
}

/// The upload ids of `key` still on the server.
fn pending_of(emulator: &Emulator, key: &str) -> Vec<String> {
    emulator.pending_uploads(BUCKET).into_iter().filter(|(k, _)| k == key).map(|(_, id)| id).collect()
}

/// Restarts a failed upload until it succeeds (bounded): each restart must resume the upload
/// the last error left (`kept` at first), and the last leave none. Returns how many restarts
/// it took.
fn resume_failed(task: &TaskHandle, key: &str, kept: Option<&str>, emulator: &Emulator) -> u32 {
    let mut kept = kept.map(str::to_owned);
    for attempt in 0..40 {
        assert_eq!(task.state(), TaskState::Error, "{key}");
        task.restart().unwrap();
        match task.wait_timeout(Duration::from_secs(120)).expect("a restarted upload finishes") {
            Ok(out) => {
                if let Some(id) = &kept {
                    assert_eq!(out.upload_id.as_ref(), Some(id), "{key}: restart resumes the kept upload");
                }
                assert!(pending_of(emulator, key).is_empty(), "{key}: nothing left after the resumed upload");
                return attempt + 1;
            }
            Err(e) => {
                let pending = pending_of(emulator, key);
                assert!(pending.len() <= 1, "{key}: failed again ({e}) leaving {pending:?}");
                kept = pending.into_iter().next();
            }
        }
    }
    panic!("{key}: 40 restarts did not finish it");
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
    // Every third upload goes through a client that barely retries, so that parts fail and
    // tasks end in Error keeping their upload, to be resumed by restart.
    let strict = Client::builder()
        .secret(DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY)
        .region("ap-guangzhou")
        .transport(faulty.clone())
        .retry(RetryPolicy {
            max_retries: 1,
            initial_backoff: Duration::from_millis(1),
            max_backoff: Duration::from_millis(1),
        })
        .chunk_retry_times(0)
        .chunk_parallel_limit(4)
        .build()
        .unwrap();
    let strict_bucket = strict.bucket(BUCKET);

    let mut rng = Rng::new(SEED);
    let (mut ok, mut failed, mut bytes) = (0, 0, 0usize);
    let (mut cancelled, mut resumed, mut restarts, mut kept_uploads) = (0, 0, 0, 0);
    let (mut down_ok, mut down_failed) = (0, 0);
    let out_dir = transfer_support::TempDir::new();
    let mut batch = Vec::new();
    for i in 0..UPLOADS {
        let size = size_for(i, &mut rng);
        let content = data(size, i as u64);
        bytes += size;
        let file = TempFile::new(&content);
        let key = format!("soak/{i:03}-{size}.bin");
        let uploader = if i % 3 == 1 { &strict_bucket } else { &bucket };
        let task = uploader.upload_file(&key, &file.path).start().unwrap();
        // Every ninth upload is cancelled a few milliseconds in.
        if i % 9 == 4 {
            std::thread::sleep(Duration::from_millis(rng.below(20)));
            task.cancel();
        }
        batch.push((key, content, file, task));
        // Keep a few transfers in flight so faults hit concurrent uploads, and few files on disk.
        if batch.len() == 6 || i == UPLOADS - 1 {
            let mut downloads = Vec::new();
            for (key, content, _file, task) in batch.drain(..) {
                let result = task.wait_timeout(Duration::from_secs(120)).expect("an upload finishes");
                let result = match result {
                    Err(Error::Cancelled) => {
                        assert_eq!(task.state(), TaskState::Cancelled);
                        assert!(pending_of(&emulator, &key).is_empty(), "{key}: left an upload after a cancel");
                        // A cancel cannot take back a single PUT that reached COS before it (its
                        // body damaged on the way, when the cancel stopped the retry); a multipart
                        // upload leaves nothing.
                        let stored = emulator.object_bytes(BUCKET, &key);
                        let single_put = content.len() <= MIB;
                        assert!(
                            stored.is_none_or(|s| s == content || single_put),
                            "{key}: a cancelled multipart upload left an object"
                        );
                        cancelled += 1;
                        continue;
                    }
                    Err(e) => {
                        failed += 1;
                        let kept = pending_of(&emulator, &key);
                        assert!(kept.len() <= 1, "{key} failed ({e}) and left {kept:?}: more than its own upload");
                        kept_uploads += kept.len();
                        restarts += resume_failed(&task, &key, kept.first().map(String::as_str), &emulator);
                        resumed += 1;
                        let stored = emulator.object_bytes(BUCKET, &key);
                        assert!(stored.as_deref() == Some(&content[..]), "{key}: resumed object differs");
                        continue;
                    }
                    Ok(out) => out,
                };
                let stored = emulator.object_bytes(BUCKET, &key);
                assert!(stored.as_deref() == Some(&content[..]), "{key}: stored object differs");
                assert_eq!(result.size, content.len() as u64);
                ok += 1;
                if ok % 2 == 1 {
                    let path = out_dir.path.join(key.replace('/', "_"));
                    let task = bucket.download_file(&key, &path).chunk_size(MIB as u64).start().unwrap();
                    downloads.push((key, content, path, task));
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
    while ok + failed + cancelled + down_ok + down_failed < TRANSFERS {
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
        "soak: {UPLOADS} uploads ({} MiB): {ok} exact, {cancelled} cancelled leaving nothing, {failed} failed ({kept_uploads} keeping their upload) and {resumed} resumed exact by {restarts} restarts; {} downloads: {down_ok} exact, {down_failed} clean failures; {} requests, {} faults injected, {:.1?}",
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
    assert_eq!(ok + failed + cancelled + down_ok + down_failed, TRANSFERS);
    assert!(cancelled > 0, "some uploads were cancelled");
    assert!(ok > UPLOADS / 2, "retries should carry most uploads through 20% faults ({ok} ok)");
    assert!(down_ok > (down_ok + down_failed) / 2, "and most downloads ({down_ok} ok)");
    assert!(faults.len() > 100, "faults were injected ({})", faults.len());
    assert!(
        emulator.pending_uploads(BUCKET).is_empty(),
        "no upload left at all once failed ones are resumed: {:?}",
        emulator.pending_uploads(BUCKET)
    );
}
