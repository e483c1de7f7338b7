//! Seeded schedules of pause / restart / cancel / wait_timeout at small random delays on a
//! small upload against the in-process emulator. After each: the final wait returns within
//! 10 s, a Success is byte-exact, a Canceled task leaves no multipart upload behind.
mod transfer_support;

use std::time::Duration;

use tencent_cos::Error;
use tencent_cos::transfer::TaskState;
use transfer_support::{BUCKET, Front, MIB, Setup, TempFile, pattern};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn random_schedules_keep_the_task_contract() {
    let seeds: u64 = std::env::var("SCHEDULE_SEEDS").ok().and_then(|s| s.parse().ok()).unwrap_or(200);
    let data = pattern(5 * MIB, 77);
    let file = TempFile::new(&data);
    for seed in 0..seeds {
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        let setup = Setup::new(Front::InProcess);
        let (client, spy) = setup.spied_client(|b| b.chunk_parallel_limit(2));
        *spy.delay.lock().unwrap() = Duration::from_millis(rng.next() % 4);
        let key = format!("s{seed}.bin");
        let task = client.bucket(BUCKET).slice_upload_file(key.as_str(), &file.path).start().unwrap();
        let mut result = None;
        for _ in 0..(rng.next() % 8) {
            std::thread::sleep(Duration::from_micros(rng.next() % 3000));
            match rng.next() % 4 {
                0 => task.pause(),
                1 => {
                    let r = task.restart();
                    if let Err(e) = r {
                        assert!(
                            matches!(task.state(), TaskState::Success | TaskState::Canceled),
                            "seed {seed}: restart failed in {:?}: {e}",
                            task.state()
                        );
                    }
                }
                2 if rng.next().is_multiple_of(3) => task.cancel(),
                _ => {
                    if result.is_none() {
                        result = task.wait_timeout(Duration::from_micros(rng.next() % 2000));
                    }
                }
            }
        }
        // Withdraws a pending pause too, so the task finishes (Success or Canceled only fail).
        let _ = task.restart();
        let result = match result {
            Some(r) => r,
            None => task.wait_timeout(Duration::from_secs(10)).unwrap_or_else(|| panic!("seed {seed}: hung")),
        };
        let result = match result {
            // An Error (not expected here) may be restarted once.
            Err(ref e) if !matches!(e, Error::Cancelled) => panic!("seed {seed}: {e}"),
            r => r,
        };
        match result {
            Ok(out) => {
                assert_eq!(task.state(), TaskState::Success, "seed {seed}");
                assert_eq!(out.size, data.len() as u64, "seed {seed}");
                assert!(setup.object(&key).as_deref() == Some(&data[..]), "seed {seed}: object differs");
            }
            Err(_) => {
                assert_eq!(task.state(), TaskState::Canceled, "seed {seed}");
                assert!(setup.pending_uploads().is_empty(), "seed {seed}: {:?}", setup.pending_uploads());
            }
        }
    }
}
