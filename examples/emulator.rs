//! Serves the in-memory COS emulator over HTTP.
//!
//! ```text
//! cargo run --example emulator -- --addr 127.0.0.1:9000 [--secret-id ID --secret-key KEY --appid N]
//! ```
//!
//! Prints `listening on http://ADDR` on stdout once it accepts connections; the credentials go
//! to stderr. Point a client at it with `Client::builder().endpoint_url("http://ADDR")` (path
//! style) or any S3/COS tool that can sign with the credentials. Ctrl-C ends it: the default
//! SIGINT action terminates the process, which is all a clean exit needs here, since the state
//! lives in memory only (no signal-handling crate is needed).

use std::io::Write;
use std::process::ExitCode;

use tencent_cos::emulator::{Account, DEFAULT_APPID, DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, Emulator};

const USAGE: &str = "usage: emulator [--addr HOST:PORT] [--secret-id ID] [--secret-key KEY] [--appid N]";

struct Options {
    addr: String,
    secret_id: String,
    secret_key: String,
    appid: u64,
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Options, String> {
    let mut o = Options {
        addr: "127.0.0.1:9000".into(),
        secret_id: DEFAULT_SECRET_ID.into(),
        secret_key: DEFAULT_SECRET_KEY.into(),
        appid: DEFAULT_APPID,
    };
    while let Some(flag) = args.next() {
        if flag == "--help" || flag == "-h" {
            return Err(USAGE.into());
        }
        let value = args.next().ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
        match flag.as_str() {
            "--addr" => o.addr = value,
            "--secret-id" => o.secret_id = value,
            "--secret-key" => o.secret_key = value,
            "--appid" => o.appid = value.parse().map_err(|_| format!("--appid must be a number, not {value:?}"))?,
            _ => return Err(format!("unknown option {flag}\n{USAGE}")),
        }
    }
    if o.secret_id.is_empty() || o.secret_key.is_empty() {
        return Err("--secret-id and --secret-key must not be empty".into());
    }
    Ok(o)
}

fn main() -> ExitCode {
    let options = match parse_args(std::env::args().skip(1)) {
        Ok(o) => o,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let emulator =
        Emulator::builder().account(Account::new(&options.secret_id, &options.secret_key, options.appid)).build();
    let server = match emulator.serve(options.addr.as_str()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("cannot listen on {}: {e}", options.addr);
            return ExitCode::FAILURE;
        }
    };
    eprintln!(
        "SecretId {}  SecretKey {}  appid {} (buckets are NAME-{})",
        options.secret_id, options.secret_key, options.appid, options.appid
    );
    println!("listening on {}", server.url());
    let _ = std::io::stdout().flush();
    // Serve until the process is interrupted.
    loop {
        std::thread::park();
    }
}
