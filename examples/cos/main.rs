//! `cos`: a command-line client for COS, built on `tencent-cos`, in the manner of `aws s3`,
//! rclone and coscli. Every command with an example is in README.md ("The `cos` command line");
//! `cargo run --example cos -- --help` and `cargo run --example cos -- COMMAND --help` print the
//! usage (clap, a dev-dependency of this example only).
//!
//! What each command calls:
//! - `mb` / `rb`: `put_bucket` / `delete_bucket`;
//! - `ls`: `get_service` without a bucket; with one, `get_bucket` with delimiter `/`, page by
//!   page (objects as size, last modified, key; common prefixes as `DIR`); `-r` lists every
//!   object under the prefix with `list_objects_iter`; `--json` prints one JSON object a line;
//! - `put`: `upload_file` (one `put_object` up to SliceSize, a resumable multipart upload above);
//!   `put -` streams stdin with `upload_reader`;
//! - `get`: `download_file`, or `download_to_dir` when LOCAL is a directory (the key becomes the
//!   path under it; keys that would escape it are refused); `get ... -` and `cat`: `get_object`'s
//!   body to stdout;
//! - `put -r`, `get -r`, `sync`: [`tree`] (listing, CRC-64 compare by HEAD, four files at a time);
//! - `cp`: `slice_copy_file_from` (server side, multipart above CopySliceSize);
//! - `rm`: `delete_object`; `-r` lists the prefix and deletes with `delete_multiple_object`, 1000
//!   keys a request;
//! - `signurl`: `get_object_url`; `stat`: `head_object`; `hash`: CRC-64 and MD5 of a file or a
//!   body; `du`: `list_objects_iter`; `lsparts`: `multipart_list().all_uploads()`, the age from
//!   `Upload::initiated_time`; `abort`: `abort_incomplete_uploads`.
//!
//! `put`, `get` and `cp` draw a progress bar on stderr when it is a terminal ([`progress`]). A
//! `put` of a big file runs as a task: Ctrl-C pauses it, leaving its parts on COS (stderr names
//! the upload id and the parts done, exit 130), and the same `put` again reuses them (its line
//! says `resumed N part(s)`); any other command stops at once on Ctrl-C. An interrupted `get`
//! leaves `LOCAL.<random>.part` and
//! `LOCAL.cosdownload`, and the same `get` again fetches only what is missing.
//!
//! Where it goes ([`target`]): `COS_SECRET_ID`/`COS_SECRET_KEY`/`COS_REGION` (and
//! `COS_SECURITY_TOKEN`, `COS_ENDPOINT`) for real COS; else `COS_EMULATOR_URL`; else an
//! emulator in this process; with no `COS_*` variable at all, coscli's `~/.cos.yaml` when it has
//! keys. Exit statuses are in [`cli`]: 0, 1, 2, 130. `-v` / `-vv` show the library's `log`
//! lines at info / debug on stderr ([`run_process`]).
//!
//! The logic lives in [`cli::run`], which takes the arguments, an [`cli::Env`], stdin and two
//! writers, so `tests/emulator/cli.rs` runs it in-process against one emulator.

pub mod cli;
pub mod commands;
pub mod progress;
pub mod target;
pub mod tree;

use std::ffi::OsString;
use std::io::IsTerminal;
use std::process::ExitCode;

fn main() -> ExitCode {
    ExitCode::from(run_process(std::env::args_os().skip(1).collect()))
}

/// Ctrl-C of this process (see [`cli::Interrupt`]).
static INTERRUPT: cli::Interrupt = cli::Interrupt::new();

/// The whole program but `exit`: the stderr logger of `-v` / `-vv`, the Ctrl-C handler, the
/// process's environment, stdin, stdout and stderr around [`cli::run`]. Returns the exit status.
pub fn run_process(args: Vec<OsString>) -> u8 {
    let args: Result<Vec<String>, _> = args.into_iter().map(|a| a.into_string()).collect();
    let Ok(args) = args else {
        eprintln!("cos: arguments must be valid UTF-8 (see `cos --help`)");
        return cli::EXIT_USAGE;
    };
    if let Ok(cli::Invocation::Run { verbose, .. }) = cli::parse(&args) {
        StderrLog::install(verbose);
    }
    on_ctrl_c::install(&INTERRUPT);
    let env = cli::Env::from_process(std::io::stderr().is_terminal(), Some(&INTERRUPT));
    // Unlocked handles: the progress bar draws on stderr from the transfer's worker threads.
    let mut stdin = std::io::stdin().lock();
    cli::run(&args, &env, &mut stdin, &mut std::io::stdout(), &mut std::io::stderr())
}

/// `-v`: the library's info lines (retries, resumes, clock skew) on stderr; `-vv` its debug
/// lines too (each request: method, redacted URL, status, time, request id). The library
/// never logs a secret; other crates' lines (ureq's) are left out.
struct StderrLog;

impl StderrLog {
    fn install(verbose: u8) {
        let level = match verbose {
            0 => return,
            1 => log::LevelFilter::Info,
            _ => log::LevelFilter::Debug,
        };
        if log::set_logger(&StderrLog).is_ok() {
            log::set_max_level(level);
        }
    }
}

impl log::Log for StderrLog {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.target().starts_with("tencent_cos") && metadata.level() <= log::max_level()
    }

    fn log(&self, record: &log::Record<'_>) {
        if self.enabled(record.metadata()) {
            let level = record.level().as_str().to_ascii_lowercase();
            eprintln!("cos: {level}: {}", record.args());
        }
    }

    fn flush(&self) {}
}

/// SIGINT: counted in an [`cli::Interrupt`]; when no transfer is armed to stop cleanly (or on
/// a second Ctrl-C) the process exits 130 at once, as without a handler.
#[cfg(unix)]
mod on_ctrl_c {
    use std::sync::OnceLock;

    static TARGET: OnceLock<&'static super::cli::Interrupt> = OnceLock::new();

    extern "C" fn handler(_: libc::c_int) {
        // Only atomics and _exit: async-signal-safe.
        if TARGET.get().is_none_or(|interrupt| interrupt.signal()) {
            // SAFETY: _exit is async-signal-safe and ends the process.
            unsafe { libc::_exit(i32::from(super::cli::EXIT_INTERRUPTED)) }
        }
    }

    pub fn install(interrupt: &'static super::cli::Interrupt) {
        let _ = TARGET.set(interrupt);
        // SAFETY: `handler` only touches atomics and calls _exit.
        unsafe {
            libc::signal(libc::SIGINT, handler as extern "C" fn(libc::c_int) as libc::sighandler_t);
        }
    }
}

#[cfg(not(unix))]
mod on_ctrl_c {
    /// Elsewhere Ctrl-C ends the process as usual (the upload stays resumable all the same).
    pub fn install(_: &'static super::cli::Interrupt) {}
}
