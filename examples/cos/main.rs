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
//!   body; `du`: `list_objects_iter`; `lsparts` / `abort`: `multipart_list` page by page and
//!   `multipart_abort`, the age from each upload's `Initiated`.
//!
//! `put`, `get` and `cp` draw a progress bar on stderr when it is a terminal ([`progress`]). An
//! interrupted `put` of a big file leaves its parts on COS and the same `put` again reuses them
//! (its line says `resumed N part(s)`); an interrupted `get` leaves `LOCAL.<random>.part` and
//! `LOCAL.cosdownload`, and the same `get` again fetches only what is missing.
//!
//! Where it goes ([`target`]): `COS_SECRET_ID`/`COS_SECRET_KEY`/`COS_REGION` (and
//! `COS_SECURITY_TOKEN`, `COS_ENDPOINT`) for real COS; else `COS_EMULATOR_URL`; else an
//! emulator in this process. Exit statuses are in [`cli`]: 0, 1, 2, 130.
//!
//! The logic lives in [`cli::run`], which takes the arguments, an [`cli::Env`], stdin and two
//! writers, so `tests/cli.rs` runs it in-process against one emulator.

pub mod cli;
pub mod commands;
pub mod progress;
pub mod target;
pub mod tree;

use std::io::IsTerminal;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Result<Vec<String>, _> = std::env::args_os().skip(1).map(|a| a.into_string()).collect();
    let Ok(args) = args else {
        eprintln!("cos: arguments must be valid UTF-8 (see `cos --help`)");
        return ExitCode::from(cli::EXIT_USAGE);
    };
    let env = cli::Env::from_process(std::io::stderr().is_terminal());
    // Unlocked handles: the progress bar draws on stderr from the transfer's worker threads.
    let mut stdin = std::io::stdin().lock();
    let code = cli::run(&args, &env, &mut stdin, &mut std::io::stdout(), &mut std::io::stderr());
    ExitCode::from(code)
}
