//! `cos`: a small command-line client for COS, built on `tencent-cos`.
//!
//! ```text
//! cargo run --example cos -- ls [-r] [cos://BUCKET[/PREFIX]]
//! cargo run --example cos -- mb cos://examplebucket-1250000000
//! cargo run --example cos -- put ./photo.jpg cos://examplebucket-1250000000/photos/
//! cargo run --example cos -- get cos://examplebucket-1250000000/photos/photo.jpg ./downloads/
//! cargo run --example cos -- cp cos://examplebucket-1250000000/photos/photo.jpg cos://backup-1250000000/
//! cargo run --example cos -- rm -r cos://examplebucket-1250000000/photos/
//! cargo run --example cos -- rb cos://examplebucket-1250000000
//! ```
//!
//! `cargo run --example cos -- --help` prints the whole usage ([`cli::USAGE`]).
//!
//! What each command calls:
//! - `mb` / `rb`: `put_bucket` / `delete_bucket`;
//! - `ls`: `get_service` without a bucket; with one, `get_bucket` with delimiter `/`, page by
//!   page (objects as size, last modified, key; common prefixes as `DIR`); `-r` lists every
//!   object under the prefix with the paging iterator `list_objects_iter`;
//! - `put`: `upload_file` (one `put_object` up to SliceSize, a resumable multipart upload above);
//! - `get`: `download_file`, or `download_to_dir` when LOCAL is a directory (the key becomes the
//!   path under it; keys that would escape it are refused);
//! - `cp`: `slice_copy_file_from` (server side, multipart above CopySliceSize);
//! - `rm`: `delete_object`; `-r` lists the prefix and deletes with `delete_multiple_object`, 1000
//!   keys a request.
//!
//! `put`, `get` and `cp` draw a progress bar on stderr when it is a terminal, fed by the
//! transfer's `on_progress` every 100 ms. An interrupted `put` of a big file leaves its parts on
//! COS and the same `put` again reuses them; an interrupted `get` leaves `LOCAL.<random>.part` and
//! `LOCAL.cosdownload`, and the same `get` again fetches only what is missing. `cp` reads the
//! source in the target's region.
//!
//! Where it goes, from the environment:
//! - `COS_SECRET_ID`, `COS_SECRET_KEY` and `COS_REGION` (`COS_SECURITY_TOKEN` for temporary
//!   keys): real COS;
//! - else `COS_EMULATOR_URL` (say `http://127.0.0.1:9000` from
//!   `cargo run --example emulator -- --addr 127.0.0.1:9000`): that emulator, with its default
//!   account, so buckets and objects stay between commands;
//! - else an emulator inside this process, empty at start and gone at exit (a note on stderr
//!   says so): fine to try the commands, useless for keeping anything.
//!
//! `-v` says which one is used (never a secret). Exit status: 0 success, 1 the operation
//! failed (the error on stderr, with the COS error code and request id when COS answered),
//! 2 a usage or configuration error (with the usage text).
//!
//! The logic lives in [`cli::run`], which takes the arguments, an [`cli::Env`] and two writers,
//! so `tests/cli.rs` runs it in-process against one emulator.

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
