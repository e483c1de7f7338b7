//! Downloads into a directory another user can write to (issue 12, "Downloads are safe on a
//! shared disk"): links planted at the names a download uses, a symlinked subdirectory under
//! `download_to_dir`, an existing target's permissions, a huge or malformed sidecar, and a
//! forged sidecar when COS sends no CRC-64. Each test plants the hostile files itself in its
//! own temporary directories, and the victim file is byte-exact unchanged afterwards.
#![cfg(unix)]

use crate::support::transfer_support;

use std::alloc::{GlobalAlloc, Layout, System};
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use tencent_cos::checksum::crc64;
use tencent_cos::{Client, Error};
use transfer_support::{BUCKET, Front, MIB, Setup, Spy, TempDir, TempFile, control_task_when, pattern, wait_paused};

/// Records the largest single allocation of this test binary, so a test can show that a
/// huge file was never read into memory.
struct LargestAllocation;

static LARGEST: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for LargestAllocation {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LARGEST.fetch_max(layout.size(), Ordering::SeqCst);
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LARGEST.fetch_max(new_size, Ordering::SeqCst);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: LargestAllocation = LargestAllocation;

const VICTIM: &[u8] = b"another user's file: must never change\n";

/// A victim file in a directory of its own ("elsewhere").
struct Victim {
    dir: TempDir,
    path: PathBuf,
}

impl Victim {
    fn new() -> Self {
        let dir = TempDir::new();
        let path = dir.join("victim.txt");
        std::fs::write(&path, VICTIM).unwrap();
        Victim { dir, path }
    }

    fn assert_unchanged(&self, what: &str) {
        let now = std::fs::read(&self.path).unwrap();
        assert!(now == VICTIM, "{what}: the victim file changed ({} bytes now)", now.len());
        assert_eq!(self.dir.names(), ["victim.txt"], "{what}: something was written next to the victim");
    }
}

fn put(client: &Client, key: &str, data: &[u8]) {
    client.bucket(BUCKET).put_object(key).body(data.to_vec()).send().unwrap();
}

/// The part number (1 MiB parts) a `Range: bytes=a-b` asks for.
fn part_of(range: &str) -> u32 {
    let start: u64 = range.trim_start_matches("bytes=").split('-').next().unwrap().parse().unwrap();
    (start / MIB as u64) as u32 + 1
}

fn parts_fetched(spy: &Spy, key: &str) -> Vec<u32> {
    let mut parts: Vec<u32> = spy.ranged_gets(key).iter().map(|r| part_of(r)).collect();
    parts.sort();
    parts
}

/// The names in `dir` with the random part of data file names shown as `*`, sorted.
fn shapes(dir: &TempDir) -> Vec<String> {
    let shape = |name: String| match name.strip_suffix(".part").and_then(|n| n.rsplit_once('.')) {
        Some((stem, random)) if random.len() == 16 && random.bytes().all(|b| b.is_ascii_hexdigit()) => {
            format!("{stem}.*.part")
        }
        _ => name,
    };
    let mut names: Vec<String> = dir.names().into_iter().map(shape).collect();
    names.sort();
    names
}

fn sidecar_of(target: &Path) -> PathBuf {
    PathBuf::from(format!("{}.cosdownload", target.display()))
}

/// The data file the sidecar of `target` names (`<target>.part` for a sidecar that names
/// none, as before this crate randomised the name: the tests then show the old symptom).
fn data_file_of(target: &Path) -> PathBuf {
    let sidecar = std::fs::read_to_string(sidecar_of(target)).unwrap();
    match sidecar.lines().find_map(|l| l.strip_prefix("data ")) {
        Some(random) => PathBuf::from(format!("{}.{random}.part", target.display())),
        None => PathBuf::from(format!("{}.part", target.display())),
    }
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o7777
}

/// Downloads 8 MiB (8 parts) of `key` to `target` one part at a time, paused once part 4 goes
/// out; the task and client are then dropped, as if the process had died. Parts 1..=4 are in
/// the data file and the sidecar.
fn interrupted(setup: &Setup, key: &'static str, target: &Path) {
    let (client, spy) = setup.spied_client(|b| b.chunk_parallel_limit(1));
    let id = control_task_when(
        &spy,
        &client,
        move |s| s.key == key && s.range.as_deref().map(part_of) == Some(4),
        Client::pause_task,
    );
    let task = client.bucket(BUCKET).download_file(key, target).on_task_ready(id.recorder()).start().unwrap();
    wait_paused(&task);
    assert_eq!(parts_fetched(&spy, key), [1, 2, 3, 4]);
}

#[test]
fn a_symlink_at_the_old_part_name_is_never_written_through() {
    let setup = Setup::new(Front::InProcess);
    let client = setup.client(|b| b);
    let victim = Victim::new();
    // One GET (up to the part size) and ranged parts.
    for (key, size) in [("one", 1000), ("parts", 3 * MIB + 5)] {
        let data = pattern(size, size as u64);
        put(&client, key, &data);
        let dir = TempDir::new();
        let target = dir.join("out.bin");
        symlink(&victim.path, dir.join("out.bin.part")).unwrap();
        let out = client.bucket(BUCKET).download_file(key, &target).send().unwrap();
        assert!(std::fs::read(&target).unwrap() == data, "{key}");
        assert_eq!(out.crc64, Some(crc64(&data)));
        victim.assert_unchanged(key);
        assert_eq!(dir.names(), ["out.bin", "out.bin.part"], "{key}: the planted link is left alone");
        assert_eq!(std::fs::read_link(dir.join("out.bin.part")).unwrap(), victim.path);
    }
}

#[test]
fn symlinks_at_the_sidecar_and_its_old_temp_name_are_never_written_through() {
    let setup = Setup::new(Front::InProcess);
    let victim = Victim::new();
    let data = pattern(8 * MIB, 31);
    put(&setup.client(|b| b), "side", &data);
    let dir = TempDir::new();
    let target = dir.join("out.bin");
    symlink(&victim.path, dir.join("out.bin.cosdownload.tmp")).unwrap();
    symlink(&victim.path, dir.join("out.bin.cosdownload")).unwrap();
    // Paused midway: the sidecar was written (several times) while the links were there.
    interrupted(&setup, "side", &target);
    victim.assert_unchanged("paused");
    let sidecar = sidecar_of(&target);
    assert!(std::fs::symlink_metadata(&sidecar).unwrap().file_type().is_file(), "the link was replaced, not followed");
    assert!(std::fs::read_to_string(&sidecar).unwrap().contains("\npart 4 "));
    assert_eq!(shapes(&dir), ["out.bin.*.part", "out.bin.cosdownload", "out.bin.cosdownload.tmp"]);

    // A new process resumes from that sidecar, still next to the planted temp link.
    let (client, spy) = setup.spied_client(|b| b);
    let out = client.bucket(BUCKET).download_file("side", &target).send().unwrap();
    assert!(std::fs::read(&target).unwrap() == data);
    assert_eq!((out.resumed_parts, parts_fetched(&spy, "side")), (4, vec![5, 6, 7, 8]));
    victim.assert_unchanged("finished");
    assert_eq!(dir.names(), ["out.bin", "out.bin.cosdownload.tmp"]);
}

#[test]
fn a_data_file_swapped_for_a_symlink_or_a_hard_link_is_not_resumed_into() {
    let setup = Setup::new(Front::InProcess);
    let data = pattern(8 * MIB, 32);
    put(&setup.client(|b| b), "swap", &data);
    for how in ["symlink", "hard link"] {
        // The hard link goes to a file of ours (the only kind the test can link): the victim
        // then sits in the download's own directory.
        let dir = TempDir::new();
        let victim = dir.join("victim.txt");
        std::fs::write(&victim, VICTIM).unwrap();
        let target = dir.join("out.bin");
        interrupted(&setup, "swap", &target);
        let data_file = data_file_of(&target);
        std::fs::remove_file(&data_file).unwrap();
        match how {
            "symlink" => symlink(&victim, &data_file).unwrap(),
            _ => std::fs::hard_link(&victim, &data_file).unwrap(),
        }
        let (client, spy) = setup.spied_client(|b| b);
        let out = client.bucket(BUCKET).download_file("swap", &target).send().unwrap();
        assert!(std::fs::read(&target).unwrap() == data, "{how}");
        assert!(std::fs::read(&victim).unwrap() == VICTIM, "{how}: the victim changed");
        assert_eq!((out.resumed_parts, parts_fetched(&spy, "swap")), (0, (1..=8).collect()), "{how}: started over");
        // The planted name was the stale data file's: removed (unlinking never follows).
        assert_eq!(dir.names(), ["out.bin", "victim.txt"], "{how}");
    }
}

#[test]
fn a_data_file_swapped_during_a_pause_is_not_moved_to_the_target() {
    let setup = Setup::new(Front::InProcess);
    let (client, spy) = setup.spied_client(|b| b.chunk_parallel_limit(1));
    let data = pattern(6 * MIB, 33);
    put(&client, "swap", &data);
    let victim = Victim::new();
    let dir = TempDir::new();
    let target = dir.join("out.bin");
    let id = control_task_when(&spy, &client, |s| s.range.as_deref().map(part_of) == Some(3), Client::pause_task);
    let task = client.bucket(BUCKET).download_file("swap", &target).on_task_ready(id.recorder()).start().unwrap();
    wait_paused(&task);
    spy.clear_hook();
    let data_file = data_file_of(&target);
    std::fs::remove_file(&data_file).unwrap();
    symlink(&victim.path, &data_file).unwrap();
    task.restart().unwrap();
    let err = task.wait().unwrap_err();
    assert!(err.to_string().contains("was replaced while the download ran"), "{err}");
    assert!(err.to_string().contains(&data_file.display().to_string()), "{err}");
    victim.assert_unchanged("restart");
    assert!(!target.exists());
}

#[test]
fn download_to_dir_refuses_a_symlinked_directory_below_the_target_directory() {
    let setup = Setup::new(Front::InProcess);
    let (client, spy) = setup.spied_client(|b| b);
    put(&client, "sub/x", b"x");
    put(&client, "sub/deeper/x", b"x");
    put(&client, "file/x", b"x");
    let elsewhere = TempDir::new();
    let dir = TempDir::new();
    symlink(&elsewhere.path, dir.join("sub")).unwrap();
    std::fs::write(dir.join("file"), b"a file, not a directory").unwrap();
    spy.log.lock().unwrap().clear();
    let bucket = client.bucket(BUCKET);
    for (key, at, what) in [
        ("sub/x", "sub", "a symbolic link"),
        ("sub/deeper/x", "sub", "a symbolic link"),
        ("file/x", "file", "not a directory"),
    ] {
        let expected = format!("{} is {what}", dir.join(at).display());
        match bucket.download_to_dir(key, &dir.path).send() {
            Err(Error::InvalidArgument { field: "dir", reason }) => assert!(reason.contains(&expected), "{reason}"),
            other => panic!("{key}: {other:?}"),
        }
    }
    assert!(spy.seen().is_empty(), "refused before any request");
    assert!(elsewhere.names().is_empty(), "nothing written outside the directory");
    assert_eq!(dir.names(), ["file", "sub"]);

    // Directories the download creates are real ones, and a link planted after `start`
    // (while the task waits behind another) is refused by the run too.
    let (slow_client, slow_spy) = setup.spied_client(|b| b.file_parallel_limit(1));
    *slow_spy.delay.lock().unwrap() = std::time::Duration::from_millis(300);
    put(&slow_client, "big", &pattern(MIB, 1));
    let other = TempDir::new();
    let first = slow_client.bucket(BUCKET).download_file("big", other.join("big")).start().unwrap();
    let fresh = TempDir::new();
    let queued = slow_client.bucket(BUCKET).download_to_dir("late/x", &fresh.path).start().unwrap();
    symlink(&elsewhere.path, fresh.join("late")).unwrap();
    first.wait().unwrap();
    match queued.wait() {
        Err(Error::InvalidArgument { field: "dir", reason }) => {
            assert!(reason.contains(&format!("{} is a symbolic link", fresh.join("late").display())), "{reason}")
        }
        other => panic!("{other:?}"),
    }
    assert!(elsewhere.names().is_empty());
    bucket.download_to_dir("a/b/x", &fresh.path).send().unwrap_err(); // no such object: nothing kept
    assert!(std::fs::symlink_metadata(fresh.join("a/b")).unwrap().is_dir());
}

#[test]
fn an_existing_target_keeps_its_permissions_and_a_new_one_gets_the_default() {
    let setup = Setup::new(Front::InProcess);
    let client = setup.client(|b| b);
    let dir = TempDir::new();
    // The mode a new file gets under this process's umask.
    let probe = TempFile::new(b"");
    let default_mode = mode(&probe.path);
    for (key, size) in [("one", 1000), ("parts", 3 * MIB + 5)] {
        let data = pattern(size, 40);
        put(&client, key, &data);
        let private = dir.join(&format!("{key}-private"));
        std::fs::write(&private, b"old").unwrap();
        std::fs::set_permissions(&private, std::fs::Permissions::from_mode(0o600)).unwrap();
        client.bucket(BUCKET).download_file(key, &private).send().unwrap();
        assert!(std::fs::read(&private).unwrap() == data);
        assert_eq!(mode(&private), 0o600, "{key}: an existing 0600 target stays 0600");

        let shared = dir.join(&format!("{key}-shared"));
        std::fs::write(&shared, b"old").unwrap();
        std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o640)).unwrap();
        client.bucket(BUCKET).download_file(key, &shared).send().unwrap();
        assert_eq!(mode(&shared), 0o640, "{key}");

        let new = dir.join(&format!("{key}-new"));
        client.bucket(BUCKET).download_file(key, &new).send().unwrap();
        assert_eq!(mode(&new), default_mode, "{key}: a new file gets the umask's mode");
    }
}

#[test]
fn a_768_mib_sparse_sidecar_is_not_read_into_memory_and_the_download_starts_over() {
    let setup = Setup::new(Front::InProcess);
    let data = pattern(8 * MIB, 50);
    put(&setup.client(|b| b), "sparse", &data);
    let dir = TempDir::new();
    let target = dir.join("out.bin");
    interrupted(&setup, "sparse", &target);
    // The real sidecar, grown to 768 MiB of zeros without writing them.
    let sidecar = std::fs::OpenOptions::new().write(true).open(sidecar_of(&target)).unwrap();
    sidecar.set_len(768 * MIB as u64).unwrap();
    drop(sidecar);
    let (client, spy) = setup.spied_client(|b| b);
    let out = client.bucket(BUCKET).download_file("sparse", &target).send().unwrap();
    assert!(std::fs::read(&target).unwrap() == data);
    assert_eq!((out.resumed_parts, parts_fetched(&spy, "sparse")), (0, (1..=8).collect()));
    let largest = LARGEST.load(Ordering::SeqCst);
    assert!(largest < 64 * MIB, "largest allocation {largest} bytes: the sidecar was read into memory");
    // The data file only the unreadable sidecar named is left: nothing says it is ours.
    assert_eq!(shapes(&dir), ["out.bin", "out.bin.*.part"]);
}

#[test]
fn a_sidecar_with_any_bad_line_is_discarded_and_the_download_starts_over() {
    let setup = Setup::new(Front::InProcess);
    let data = pattern(8 * MIB, 51);
    put(&setup.client(|b| b), "bad", &data);
    let bad_lines = [
        "part 9 1",                    // beyond the last part
        "part 2 1",                    // out of order (after part 4)
        "part 5 99999999999999999999", // beyond u64
        "part 5 +1",
        "part 5 1 1",
        "garbage \u{0} \u{7f}",
        "part 5 1\r",
    ];
    for bad in bad_lines {
        let dir = TempDir::new();
        let target = dir.join("out.bin");
        interrupted(&setup, "bad", &target);
        let mut text = std::fs::read_to_string(sidecar_of(&target)).unwrap();
        text.push_str(bad);
        text.push('\n');
        std::fs::write(sidecar_of(&target), text).unwrap();
        let (client, spy) = setup.spied_client(|b| b);
        let out = client.bucket(BUCKET).download_file("bad", &target).send().unwrap();
        assert!(std::fs::read(&target).unwrap() == data, "{bad:?}");
        assert_eq!((out.resumed_parts, parts_fetched(&spy, "bad")), (0, (1..=8).collect()), "{bad:?}");
        // The header was good: the data file it named is known as stale and removed.
        assert_eq!(dir.names(), ["out.bin"], "{bad:?}");
    }
    // Invalid UTF-8 too.
    let dir = TempDir::new();
    let target = dir.join("out.bin");
    interrupted(&setup, "bad", &target);
    let mut bytes = std::fs::read(sidecar_of(&target)).unwrap();
    bytes.extend_from_slice(b"part 5 \xff\n");
    std::fs::write(sidecar_of(&target), bytes).unwrap();
    let out = setup.client(|b| b).bucket(BUCKET).download_file("bad", &target).send().unwrap();
    assert!(std::fs::read(&target).unwrap() == data);
    assert_eq!(out.resumed_parts, 0);
    assert_eq!(dir.names(), ["out.bin"]);
}

/// A client whose responses lose `x-cos-hash-crc64ecma`, as from a COS that sends none.
fn without_crc64(setup: &Setup) -> (Client, Spy) {
    let (client, spy) = setup.spied_client(|b| b);
    spy.set_response_hook(|resp, _| resp.headers.remove("x-cos-hash-crc64ecma"));
    (client, spy)
}

/// Replaces the bytes of parts 1..=4 in the data file with other bytes, and their records in
/// the sidecar with those bytes' CRC-64: a sidecar that checks out against the disk.
fn forge_parts_1_to_4(target: &Path) {
    let data_file = data_file_of(target);
    let mut bytes = std::fs::read(&data_file).unwrap();
    let forged = pattern(4 * MIB, 666);
    bytes[..4 * MIB].copy_from_slice(&forged);
    std::fs::write(&data_file, bytes).unwrap();
    let sidecar = std::fs::read_to_string(sidecar_of(target)).unwrap();
    let mut text: String = sidecar.lines().filter(|l| !l.starts_with("part ")).map(|l| format!("{l}\n")).collect();
    for n in 1..=4 {
        text.push_str(&format!("part {n} {}\n", crc64(&forged[(n - 1) * MIB..n * MIB])));
    }
    std::fs::write(sidecar_of(target), text).unwrap();
}

#[test]
fn without_a_crc64_from_cos_forged_parts_are_caught_by_the_etag_md5_and_fetched_again() {
    let setup = Setup::new(Front::InProcess);
    let data = pattern(8 * MIB, 60);
    put(&setup.client(|b| b), "forged", &data);
    let dir = TempDir::new();
    let target = dir.join("out.bin");
    interrupted(&setup, "forged", &target);
    forge_parts_1_to_4(&target);
    let (client, spy) = without_crc64(&setup);
    let out = client.bucket(BUCKET).download_file("forged", &target).send().unwrap();
    assert!(std::fs::read(&target).unwrap() == data, "the forged bytes did not survive");
    assert_eq!(out.resumed_parts, 0);
    let ranged: Vec<u32> = spy.ranged_gets("forged").iter().map(|r| part_of(r)).collect();
    let (missing, again) = ranged.split_at(4);
    let mut missing = missing.to_vec();
    missing.sort();
    assert_eq!((missing, again.to_vec()), (vec![5, 6, 7, 8], vec![1, 2, 3, 4]), "{ranged:?}");
    assert_eq!(dir.names(), ["out.bin"]);
}

#[test]
fn without_a_crc64_from_cos_a_genuine_resume_is_vouched_for_by_the_etag_md5() {
    let setup = Setup::new(Front::InProcess);
    let data = pattern(8 * MIB, 61);
    put(&setup.client(|b| b), "genuine", &data);
    let dir = TempDir::new();
    let target = dir.join("out.bin");
    interrupted(&setup, "genuine", &target);
    let (client, spy) = without_crc64(&setup);
    let out = client.bucket(BUCKET).download_file("genuine", &target).send().unwrap();
    assert!(std::fs::read(&target).unwrap() == data);
    assert_eq!((out.resumed_parts, parts_fetched(&spy, "genuine")), (4, vec![5, 6, 7, 8]));
}

#[test]
fn without_a_crc64_or_an_md5_etag_parts_claimed_by_a_sidecar_are_fetched_again() {
    let setup = Setup::new(Front::InProcess);
    let data = pattern(8 * MIB, 62);
    let file = TempFile::new(&data);
    let uploader = setup.client(|b| b);
    let up = uploader.bucket(BUCKET).slice_upload_file("multi", &file.path).send().unwrap();
    assert!(up.etag.contains('-'), "a multipart ETag is no MD5 of the bytes: {}", up.etag);
    let dir = TempDir::new();
    let target = dir.join("out.bin");
    interrupted(&setup, "multi", &target);
    forge_parts_1_to_4(&target);
    let (client, spy) = without_crc64(&setup);
    let out = client.bucket(BUCKET).download_file("multi", &target).send().unwrap();
    assert!(std::fs::read(&target).unwrap() == data, "the forged bytes did not survive");
    assert_eq!((out.resumed_parts, parts_fetched(&spy, "multi")), (0, (1..=8).collect()), "every part fetched once");
    assert_eq!(dir.names(), ["out.bin"]);
}
