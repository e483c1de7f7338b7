//! Regression tests of the task controls under ordinary timing, against the in-process
//! emulator: restart from a pausing task, one worker per task, wait after a panic, exact
//! progress across restart.
mod transfer_support;

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
