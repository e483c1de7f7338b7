//! Serves the COS emulator over HTTP.
//!
//! ```text
//! cargo run --example emulator -- [--addr HOST:PORT] [--secret-id ID] [--appid N]
//!                                 [--secret-key-file FILE] [--print-secret] [--data-dir DIR]
//! ```
//!
//! With `--data-dir DIR` buckets, objects, ACLs, CORS and unfinished multipart uploads are kept
//! in DIR and found again at the next start; without it everything lives in memory.
//!
//! The SecretKey never comes from the command line (where `ps` shows it): it is read from the
//! environment variable `COS_EMULATOR_SECRET_KEY`, or from the first line of `--secret-key-file`,
//! else it is the emulator's documented default key. It is printed only with `--print-secret`.
//!
//! Prints `listening on http://ADDR` on stdout once it accepts connections; the account goes to
//! stderr. Point a client at it with `Client::builder().endpoint_url("http://ADDR")` (path style)
//! or any COS SDK that can sign with the credentials. Ctrl-C ends it: the default SIGINT action
//! terminates the process, which is all a clean exit needs here: the state lives in memory, or in
//! a data directory whose every write is atomic, so even `kill -9` leaves it whole (no
//! signal-handling crate is needed). `--help` prints the usage and exits 0.

use std::io::Write;
use std::process::ExitCode;

use tencent_cos::emulator::{Account, DEFAULT_APPID, DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, Emulator};

/// The environment variable the SecretKey is read from.
pub const SECRET_KEY_VAR: &str = "COS_EMULATOR_SECRET_KEY";

pub const USAGE: &str = "\
usage: emulator [--addr HOST:PORT] [--secret-id ID] [--appid N] [--secret-key-file FILE] [--print-secret]
                [--data-dir DIR]

  --addr HOST:PORT        where to listen (default 127.0.0.1:9000)
  --secret-id ID          the account's SecretId (default AKIDEMULATOR0000000000000000000000000)
  --appid N               the account's appid; buckets are NAME-N (default 1250000000)
  --secret-key-file FILE  read the SecretKey from the first line of FILE
  --print-secret          print the SecretKey on stderr at start
  --data-dir DIR          keep buckets and objects in DIR across restarts (default: memory only)
  --help                  this text

The SecretKey comes from --secret-key-file, else from the environment variable
COS_EMULATOR_SECRET_KEY, else it is the documented default key; never from the command line.";

/// What the command line asks for.
#[derive(Debug)]
pub struct Options {
    pub addr: String,
    pub secret_id: String,
    pub secret_key: String,
    /// Where the SecretKey came from, for the start-up line.
    pub key_source: String,
    pub appid: u64,
    pub print_secret: bool,
    pub data_dir: Option<String>,
}

/// `Ok(None)` for `--help`.
pub fn parse_args(args: &[String], env: &dyn Fn(&str) -> Option<String>) -> Result<Option<Options>, String> {
    let mut o = Options {
        addr: "127.0.0.1:9000".into(),
        secret_id: DEFAULT_SECRET_ID.into(),
        secret_key: DEFAULT_SECRET_KEY.into(),
        key_source: "the default key".into(),
        appid: DEFAULT_APPID,
        print_secret: false,
        data_dir: None,
    };
    let mut key_file = None;
    let mut args = args.iter();
    while let Some(flag) = args.next() {
        match flag.as_str() {
            "--help" | "-h" => return Ok(None),
            "--print-secret" => {
                o.print_secret = true;
                continue;
            }
            "--secret-key" => {
                return Err(format!(
                    "--secret-key is not accepted (the command line is visible to every user): \
                     set {SECRET_KEY_VAR} or use --secret-key-file"
                ));
            }
            _ => {}
        }
        let value = args.next().ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
        match flag.as_str() {
            "--addr" => o.addr = value.clone(),
            "--secret-id" => o.secret_id = value.clone(),
            "--secret-key-file" => key_file = Some(value.clone()),
            "--data-dir" => o.data_dir = Some(value.clone()),
            "--appid" => o.appid = value.parse().map_err(|_| format!("--appid must be a number, not {value:?}"))?,
            _ => return Err(format!("unknown option {flag}\n{USAGE}")),
        }
    }
    if let Some(path) = key_file {
        let text = std::fs::read_to_string(&path).map_err(|e| format!("--secret-key-file {path:?}: {e}"))?;
        o.secret_key = text.lines().next().unwrap_or("").trim().to_owned();
        o.key_source = format!("--secret-key-file {path:?}");
    } else if let Some(key) = env(SECRET_KEY_VAR) {
        o.secret_key = key.trim().to_owned();
        o.key_source = format!("${SECRET_KEY_VAR}");
    }
    if o.secret_id.is_empty() {
        return Err("--secret-id must not be empty".into());
    }
    if o.secret_key.is_empty() {
        return Err(format!("the SecretKey from {} is empty", o.key_source));
    }
    Ok(Some(o))
}

/// The whole program, with the process's arguments and environment; returns the exit code
/// once it stops (only on a usage error or a failure to listen: it serves until killed).
pub fn run(args: &[String]) -> u8 {
    let options = match parse_args(args, &|name| std::env::var(name).ok()) {
        Ok(Some(o)) => o,
        Ok(None) => {
            println!("{USAGE}");
            return 0;
        }
        Err(message) => {
            eprintln!("{message}");
            return 2;
        }
    };
    let mut builder = Emulator::builder().account(Account::new(&options.secret_id, &options.secret_key, options.appid));
    if let Some(dir) = &options.data_dir {
        builder = builder.data_dir(dir);
    }
    let emulator = match builder.try_build() {
        Ok(e) => e,
        Err(e) => {
            eprintln!("cannot open --data-dir {:?}: {e}", options.data_dir.as_deref().unwrap_or(""));
            return 1;
        }
    };
    let server = match emulator.serve(options.addr.as_str()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("cannot listen on {}: {e}", options.addr);
            return 1;
        }
    };
    let secret = if options.print_secret {
        format!("SecretKey {}", options.secret_key)
    } else {
        format!("SecretKey from {} (--print-secret shows it)", options.key_source)
    };
    let data = match &options.data_dir {
        Some(dir) => format!("data kept in {dir}"),
        None => "data in memory only".to_owned(),
    };
    eprintln!(
        "SecretId {}  {secret}  appid {} (buckets are NAME-{})  {data}",
        options.secret_id, options.appid, options.appid
    );
    println!("listening on {}", server.url());
    let _ = std::io::stdout().flush();
    // Serve until the process is interrupted.
    loop {
        std::thread::park();
    }
}

#[allow(dead_code)]
fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    ExitCode::from(run(&args))
}
