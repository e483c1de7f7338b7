//! The transfer workers: a fixed number per client, reused across transfers, and joined when the
//! last clone of the client is dropped. (A test binary of its own, outside the groups: it
//! counts this process's threads, so no other test may run beside it.)

#[macro_use]
#[path = "support/mod.rs"]
mod support;

use support::transfer_support;

use transfer_support::{BUCKET, Front, MIB, Setup, TempFile, pattern};

/// Names of this process's threads that are transfer workers.
fn worker_threads() -> Vec<String> {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else { return Vec::new() };
    tasks
        .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("comm")).ok())
        .map(|name| name.trim().to_owned())
        .filter(|name| name.starts_with("cos-file") || name.starts_with("cos-part"))
        .collect()
}

#[test]
fn workers_are_fixed_reused_and_joined_with_the_last_client_clone() {
    if !std::path::Path::new("/proc/self/task").exists() {
        eprintln!("skipping: /proc/self/task is not available to count threads");
        return;
    }
    let setup = Setup::new(Front::InProcess);
    let client = setup.client(|b| b.file_parallel_limit(2).chunk_parallel_limit(3).copy_chunk_parallel_limit(4));
    assert!(worker_threads().is_empty(), "no workers before the first transfer");
    let file = TempFile::new(&pattern(5 * MIB, 1));
    let clone = client.clone();
    client.bucket(BUCKET).slice_upload_file("a.bin", &file.path).send().unwrap();
    let after_one = worker_threads();
    // 2 file workers + max(2 x 3, 4) part workers.
    assert_eq!(after_one.len(), 2 + 6, "{after_one:?}");
    for i in 0..3 {
        clone.bucket(BUCKET).slice_upload_file(format!("b{i}.bin"), &file.path).send().unwrap();
    }
    assert_eq!(worker_threads().len(), 8, "reused, not added to");
    drop(client);
    assert_eq!(worker_threads().len(), 8, "a clone still holds them");
    drop(clone);
    assert!(worker_threads().is_empty(), "joined: {:?}", worker_threads());
}
