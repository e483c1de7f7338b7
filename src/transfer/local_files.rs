//! File-system primitives for writing downloads into directories other users can write to:
//! files are created new under unpredictable names, existing files are opened without
//! following symbolic links and checked to be the download's own, directories are created
//! without following links, and small files are read with a size bound.
//!
//! Why: in a shared directory another user can plant a symbolic link (or a hard link, or a
//! FIFO) at any name they can guess. Creating with `O_EXCL` under a random name never opens
//! what is there; opening an existing file checks, on the open handle, that it is the plain
//! file whose name was looked up (same device and inode as `lstat` of the name, one link,
//! owned by this process's user), so a name swapped for a link between the check and the open
//! is refused before a byte is written.

use std::collections::hash_map::RandomState;
use std::fs::{File, OpenOptions};
use std::hash::{BuildHasher, Hasher};
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{Error, Result};

/// How many random names are tried before giving up on creating a file (each try that fails
/// found a file at a 64-bit random name: someone is planting them, or the directory is odd).
const CREATE_ATTEMPTS: usize = 8;

/// 16 lower-case hex digits that differ from call to call and from process to process: std's
/// `RandomState` keys (random per process) hash a counter, the time and the process id.
pub(crate) fn random_suffix() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    hasher.write_u32(std::process::id());
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    hasher.write_u128(nanos);
    format!("{:016x}", hasher.finish())
}

/// True for what [`random_suffix`] makes: exactly 16 lower-case hex digits.
pub(crate) fn is_random_suffix(s: &str) -> bool {
    s.len() == 16 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// `path` with `suffix` appended to its last component (`a.bin` + `.part` = `a.bin.part`).
pub(crate) fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Creates a new file, readable and writable, at `name(suffix)` for a fresh random suffix;
/// never opens an existing file or follows a link (`O_CREAT | O_EXCL`). Returns the file, its
/// path and the suffix.
pub(crate) fn create_unique(name: impl Fn(&str) -> PathBuf) -> io::Result<(File, PathBuf, String)> {
    let mut last = None;
    for _ in 0..CREATE_ATTEMPTS {
        let suffix = random_suffix();
        let path = name(&suffix);
        match OpenOptions::new().read(true).write(true).create_new(true).open(&path) {
            Ok(file) => return Ok((file, path, suffix)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| io::Error::other("no attempt made")))
}

/// Flags that make `open` refuse a symbolic link as the last component and not block on a
/// FIFO, where this crate knows their values (it has no libc dependency); elsewhere 0, and
/// the identity check of [`open_own_file`] still refuses a link.
#[cfg(unix)]
fn no_follow_flags() -> i32 {
    #[cfg(all(
        any(target_os = "linux", target_os = "android"),
        any(target_arch = "arm", target_arch = "aarch64", target_arch = "powerpc", target_arch = "powerpc64")
    ))]
    return 0x8000 | 0x800; // O_NOFOLLOW | O_NONBLOCK
    #[cfg(all(
        any(target_os = "linux", target_os = "android"),
        any(
            target_arch = "x86",
            target_arch = "x86_64",
            target_arch = "riscv64",
            target_arch = "s390x",
            target_arch = "loongarch64"
        )
    ))]
    return 0x20000 | 0x800; // O_NOFOLLOW | O_NONBLOCK
    #[cfg(any(
        target_os = "macos",
        target_os = "ios",
        target_os = "freebsd",
        target_os = "netbsd",
        target_os = "openbsd",
        target_os = "dragonfly"
    ))]
    return 0x100 | 0x4; // O_NOFOLLOW | O_NONBLOCK
    #[allow(unreachable_code)]
    0
}

#[cfg(unix)]
mod sys {
    unsafe extern "C" {
        /// POSIX `geteuid`: always succeeds, touches no memory.
        pub(super) safe fn geteuid() -> u32;
    }
}

/// The two Linux calls a download uses to reach the disk sooner, declared here because the
/// crate has no `libc` dependency (two prototypes do not justify one; `geteuid` above is
/// declared the same way). Both are hints with a safe fallback: the fsync before the final
/// rename is what makes the data durable.
#[cfg(all(target_os = "linux", target_pointer_width = "64"))]
mod linux {
    use std::os::fd::AsRawFd;

    unsafe extern "C" {
        /// `fallocate(2)`; `off_t` is 64-bit on every 64-bit Linux libc (glibc, musl).
        fn fallocate(fd: i32, mode: i32, offset: i64, len: i64) -> i32;
        /// `sync_file_range(2)`.
        fn sync_file_range(fd: i32, offset: i64, nbytes: i64, flags: u32) -> i32;
    }

    /// `SYNC_FILE_RANGE_WRITE`: start write-back of the dirty pages in the range, do not wait.
    const SYNC_FILE_RANGE_WRITE: u32 = 2;

    pub(super) fn allocate(file: &std::fs::File, len: u64) -> bool {
        let Ok(len) = i64::try_from(len) else { return false };
        // SAFETY: the descriptor is open for as long as `file` is borrowed; the call reads no
        // memory of ours.
        len > 0 && unsafe { fallocate(file.as_raw_fd(), 0, 0, len) } == 0
    }

    pub(super) fn start_writeback(file: &std::fs::File, offset: u64, len: u64) {
        let (Ok(offset), Ok(len)) = (i64::try_from(offset), i64::try_from(len)) else { return };
        // SAFETY: as above; the result is ignored on purpose (a hint: an error changes nothing
        // the final fsync does not catch).
        unsafe { sync_file_range(file.as_raw_fd(), offset, len, SYNC_FILE_RANGE_WRITE) };
    }
}

/// Makes `file` (new and empty) `len` bytes long, reserving its blocks up front where the file
/// system can (Linux `fallocate`): a full disk fails here, before any byte is fetched, and the
/// writes that follow find their blocks allocated. Elsewhere, or when the file system cannot,
/// a sparse file of that size (`set_len`).
pub(crate) fn preallocate(file: &File, len: u64) -> io::Result<()> {
    #[cfg(all(target_os = "linux", target_pointer_width = "64"))]
    if linux::allocate(file, len) {
        return Ok(());
    }
    file.set_len(len)
}

/// Asks the kernel to start writing `len` bytes of `file` at `offset` to the disk now (Linux
/// `sync_file_range(SYNC_FILE_RANGE_WRITE)`; elsewhere nothing), so the disk works while the
/// rest of the download arrives and the final fsync finds little left to write. Does not
/// wait, and makes nothing durable by itself.
pub(crate) fn start_writeback(file: &File, offset: u64, len: u64) {
    #[cfg(all(target_os = "linux", target_pointer_width = "64"))]
    linux::start_writeback(file, offset, len);
    #[cfg(not(all(target_os = "linux", target_pointer_width = "64")))]
    let _ = (file, offset, len);
}

/// Why an existing file is not opened as the download's own.
fn not_own(path: &Path, why: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("{}: {why}", path.display()))
}

/// Opens the existing file at `path` (for writing too when `write`) only if it is the
/// download's own: a regular file, not a symbolic link (checked on the name and on the open
/// handle, which must be the same file), with one link, owned by this process's user.
pub(crate) fn open_own_file(path: &Path, write: bool) -> io::Result<File> {
    let named = std::fs::symlink_metadata(path)?;
    if !named.file_type().is_file() {
        return Err(not_own(path, "not a regular file (a link, a directory or a device)"));
    }
    let mut options = OpenOptions::new();
    options.read(true).write(write);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, no_follow_flags());
    let file = options.open(path)?;
    let opened = file.metadata()?;
    if !opened.file_type().is_file() {
        return Err(not_own(path, "not a regular file once opened"));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if (named.dev(), named.ino()) != (opened.dev(), opened.ino()) {
            return Err(not_own(path, "replaced between the check and the open"));
        }
        if opened.nlink() != 1 {
            return Err(not_own(path, "has other hard links"));
        }
        if opened.uid() != sys::geteuid() {
            return Err(not_own(path, "owned by another user"));
        }
    }
    Ok(file)
}

/// True when the name `path` still leads, without following a link, to `file`.
pub(crate) fn is_same_file(path: &Path, file: &File) -> bool {
    let (Ok(named), Ok(opened)) = (std::fs::symlink_metadata(path), file.metadata()) else { return false };
    if !named.file_type().is_file() {
        return false;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        (named.dev(), named.ino()) == (opened.dev(), opened.ino())
    }
    #[cfg(not(unix))]
    {
        named.len() == opened.len()
    }
}

/// Reads all of `file` if it holds at most `limit` bytes; `None` when it is longer (checked on
/// its size first, then while reading, so a huge or sparse file is never read into memory).
pub(crate) fn read_bounded(file: &File, limit: u64) -> io::Result<Option<Vec<u8>>> {
    if file.metadata()?.len() > limit {
        return Ok(None);
    }
    let mut bytes = Vec::new();
    file.take(limit + 1).read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= limit).then_some(bytes))
}

/// Makes sure the directories from `root` down to `target`'s parent are real directories,
/// creating the missing ones when `create`; a symbolic link (or a file) on the way is refused
/// with an `InvalidArgument` naming it, so nothing is written outside `root`. `root` itself is
/// the caller's choice and may be a link; it is created when missing and `create`.
pub(crate) fn ensure_dirs_within(root: &Path, target: &Path, create: bool) -> Result<()> {
    let Some(below) = target.parent().and_then(|p| p.strip_prefix(root).ok()) else { return Ok(()) };
    if create {
        std::fs::create_dir_all(root)?;
    }
    let refuse = |at: &Path, what: &str| {
        Err(Error::invalid(
            "dir",
            format!("{} is {what}: download_to_dir does not follow it below {}", at.display(), root.display()),
        ))
    };
    let mut at = root.to_path_buf();
    for component in below.components() {
        at.push(component);
        let meta = match std::fs::symlink_metadata(&at) {
            Ok(meta) => meta,
            Err(e) if e.kind() == io::ErrorKind::NotFound && !create => return Ok(()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                match std::fs::create_dir(&at) {
                    Ok(()) => {}
                    Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
                    Err(e) => return Err(e.into()),
                }
                // Looked at again: another process may have made it first, as anything.
                std::fs::symlink_metadata(&at)?
            }
            Err(e) => return Err(e.into()),
        };
        if meta.file_type().is_symlink() {
            return refuse(&at, "a symbolic link");
        }
        if !meta.is_dir() {
            return refuse(&at, "not a directory");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A new empty directory under the temp directory, removed on drop.
    struct Scratch(PathBuf);

    impl Scratch {
        fn new(name: &str) -> Self {
            let dir = std::env::temp_dir().join(format!("tencent-cos-local-files-{name}-{}", random_suffix()));
            std::fs::create_dir(&dir).unwrap();
            Scratch(dir)
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    #[cfg(unix)]
    #[test]
    fn only_the_downloads_own_plain_file_is_opened() {
        let scratch = Scratch::new("open");
        let own = scratch.0.join("own");
        std::fs::write(&own, b"mine").unwrap();
        assert!(open_own_file(&own, true).is_ok());
        let link = scratch.0.join("link");
        std::os::unix::fs::symlink(&own, &link).unwrap();
        let err = open_own_file(&link, true).unwrap_err();
        assert!(err.to_string().contains("not a regular file"), "{err}");
        let hard = scratch.0.join("hard");
        std::fs::hard_link(&own, &hard).unwrap();
        let err = open_own_file(&hard, true).unwrap_err();
        assert!(err.to_string().contains("other hard links"), "{err}");
        assert!(open_own_file(&scratch.0, false).is_err(), "a directory");
        assert_eq!(open_own_file(&scratch.0.join("missing"), false).unwrap_err().kind(), io::ErrorKind::NotFound);
        assert_eq!(std::fs::read(&own).unwrap(), b"mine");
    }

    #[test]
    fn created_files_are_new_and_reads_are_bounded() {
        let scratch = Scratch::new("create");
        let (file, path, suffix) = create_unique(|s| scratch.0.join(format!("x.{s}.part"))).unwrap();
        assert_eq!(path, scratch.0.join(format!("x.{suffix}.part")));
        assert!(is_same_file(&path, &file));
        // A name that is always taken: every attempt fails, none opens the existing file.
        std::fs::write(scratch.0.join("taken"), b"keep").unwrap();
        let err = create_unique(|_| scratch.0.join("taken")).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read(scratch.0.join("taken")).unwrap(), b"keep");
        std::fs::write(&path, b"12345").unwrap();
        assert_eq!(read_bounded(&file, 5).unwrap().as_deref(), Some(&b"12345"[..]));
        assert_eq!(read_bounded(&file, 4).unwrap(), None);
        std::fs::remove_file(&path).unwrap();
        assert!(!is_same_file(&path, &file));
    }

    #[cfg(unix)]
    #[test]
    fn directories_are_created_below_the_root_and_links_refused() {
        let scratch = Scratch::new("dirs");
        let root = scratch.0.join("root");
        ensure_dirs_within(&root, &root.join("a/b/c.bin"), false).unwrap();
        assert!(!root.exists(), "nothing created when only checking");
        ensure_dirs_within(&root, &root.join("a/b/c.bin"), true).unwrap();
        assert!(root.join("a/b").is_dir());
        std::os::unix::fs::symlink(&scratch.0, root.join("a/l")).unwrap();
        for create in [false, true] {
            match ensure_dirs_within(&root, &root.join("a/l/x/c.bin"), create) {
                Err(Error::InvalidArgument { field: "dir", reason }) => {
                    assert!(reason.contains(&format!("{} is a symbolic link", root.join("a/l").display())), "{reason}")
                }
                other => panic!("{other:?}"),
            }
        }
        assert!(!scratch.0.join("x").exists());
    }

    #[test]
    fn suffixes_are_16_hex_digits_and_differ() {
        let a = random_suffix();
        let b = random_suffix();
        assert!(is_random_suffix(&a) && is_random_suffix(&b), "{a} {b}");
        assert_ne!(a, b);
        for bad in ["", "0123456789abcde", "0123456789abcdeF", "0123456789abcdef0", "../../../../etc/x"] {
            assert!(!is_random_suffix(bad), "{bad}");
        }
    }
}
