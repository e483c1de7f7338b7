//! The command line: the usage, parsing, choosing the target, running one command, and turning
//! the outcome into an exit status and messages.

use std::collections::BTreeMap;
use std::fmt;
use std::io::Write;
use std::path::PathBuf;

use tencent_cos::emulator::Emulator;

use super::commands::{self, Failure};
use super::target;

/// The usage text: `--help` prints it on stdout, a usage error on stderr.
pub const USAGE: &str = "\
usage: cos [-v] COMMAND [ARGS]

commands:
  ls [-r] [cos://BUCKET[/PREFIX]]   list the buckets, or the objects and DIRs under PREFIX
                                    (-r: every object below PREFIX)
  mb cos://BUCKET                   make a bucket
  rb cos://BUCKET                   remove an empty bucket
  put LOCAL cos://BUCKET/KEY        upload a file (a KEY ending in / gets the file's name)
  get cos://BUCKET/KEY LOCAL        download an object (to LOCAL/KEY when LOCAL is a directory
                                    or ends in /)
  cp cos://BUCKET/KEY cos://BUCKET2/KEY2
                                    copy an object server side (KEY2 ending in / keeps the name)
  rm [-r] cos://BUCKET/KEY          delete an object (-r: every object under KEY as a prefix)

BUCKET is NAME-APPID, e.g. examplebucket-1250000000.

options:
  -r, --recursive   for ls and rm, as above
  -v, --verbose     say which target is used
  -h, --help        print this text

target, from the environment:
  COS_SECRET_ID, COS_SECRET_KEY, COS_REGION [, COS_SECURITY_TOKEN]
                    real COS
  COS_EMULATOR_URL  an emulator started with
                    `cargo run --example emulator -- --addr 127.0.0.1:9000`
                    (COS_EMULATOR_URL=http://127.0.0.1:9000); it keeps state between commands
  none of these     an emulator in this process: empty at start, gone at exit

exit status: 0 success, 1 the operation failed, 2 usage or configuration error
";

/// Success.
pub const EXIT_OK: u8 = 0;
/// The operation failed.
pub const EXIT_FAILED: u8 = 1;
/// The command line or the environment is wrong.
pub const EXIT_USAGE: u8 = 2;

/// What `run` takes from outside the arguments: the variables that choose the target, an
/// emulator to use instead of a fresh one, and whether to draw progress bars. Nothing is read
/// from the process environment but through [`Env::from_process`].
#[derive(Clone, Default)]
pub struct Env {
    /// The `COS_*` variables, by name ([`Env::NAMES`]); an empty value counts as unset.
    pub vars: BTreeMap<String, String>,
    /// An emulator that outlives the command, used when no variable chooses another target (a
    /// test runs several commands on one); `None`: a fresh emulator for the one command.
    pub emulator: Option<Emulator>,
    /// Draw progress bars on stderr (when it is a terminal).
    pub progress_bars: bool,
}

impl Env {
    /// The variables `run` reads.
    pub const NAMES: [&str; 5] =
        ["COS_SECRET_ID", "COS_SECRET_KEY", "COS_SECURITY_TOKEN", "COS_REGION", "COS_EMULATOR_URL"];

    /// The [`Env::NAMES`] variables of this process.
    pub fn from_process(progress_bars: bool) -> Env {
        let vars = Self::NAMES.iter().filter_map(|&n| std::env::var(n).ok().map(|v| (n.to_owned(), v))).collect();
        Env { vars, emulator: None, progress_bars }
    }

    /// A variable's value; `None` when unset or empty.
    pub fn var(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(String::as_str).filter(|v| !v.is_empty())
    }
}

/// `cos://BUCKET[/KEY]`: the bucket checked, the key raw (never percent-decoded).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CosPath {
    /// `NAME-APPID`.
    pub bucket: String,
    /// Everything after the first `/` after the bucket; may be empty.
    pub key: String,
}

impl CosPath {
    /// Parses `cos://BUCKET[/KEY]`.
    pub fn parse(arg: &str) -> Result<CosPath, String> {
        let rest = arg.strip_prefix("cos://").ok_or_else(|| format!("{arg:?} is not a cos://BUCKET[/KEY] path"))?;
        let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
        tencent_cos::config::validate_bucket(bucket).map_err(|e| e.to_string())?;
        Ok(CosPath { bucket: bucket.to_owned(), key: key.to_owned() })
    }

    /// The key, or `name` appended when the key is empty or ends in `/` (a "directory").
    pub fn key_or_in_dir(&self, name: &str) -> String {
        if self.key.is_empty() || self.key.ends_with('/') { format!("{}{name}", self.key) } else { self.key.clone() }
    }
}

impl fmt::Display for CosPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.key.is_empty() {
            write!(f, "cos://{}", self.bucket)
        } else {
            write!(f, "cos://{}/{}", self.bucket, self.key)
        }
    }
}

/// One command, its arguments checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// `ls`: buckets (no path), one delimited level, or everything below (`recursive`).
    Ls { path: Option<CosPath>, recursive: bool },
    /// `mb`.
    Mb(CosPath),
    /// `rb`.
    Rb(CosPath),
    /// `put LOCAL cos://...`.
    Put { local: PathBuf, dest: CosPath },
    /// `get cos://... LOCAL`.
    Get { source: CosPath, local: PathBuf },
    /// `cp cos://... cos://...`.
    Cp { source: CosPath, dest: CosPath },
    /// `rm`: one key, or every key under a prefix (`recursive`).
    Rm { path: CosPath, recursive: bool },
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Command::Ls { path: None, .. } => write!(f, "ls"),
            Command::Ls { path: Some(p), .. } => write!(f, "ls {p}"),
            Command::Mb(p) => write!(f, "mb {p}"),
            Command::Rb(p) => write!(f, "rb {p}"),
            Command::Put { local, dest } => write!(f, "put {} {dest}", local.display()),
            Command::Get { source, local } => write!(f, "get {source} {}", local.display()),
            Command::Cp { source, dest } => write!(f, "cp {source} {dest}"),
            Command::Rm { path, .. } => write!(f, "rm {path}"),
        }
    }
}

/// What the command line asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Invocation {
    /// `-h` / `--help`.
    Help,
    /// A command; `verbose` with `-v`.
    Run { command: Command, verbose: bool },
}

/// Parses the arguments (without the program name). Options may stand anywhere before `--`;
/// short ones combine (`-rv`).
pub fn parse(args: &[String]) -> Result<Invocation, String> {
    let (mut recursive, mut verbose, mut only_positional) = (false, false, false);
    let mut words: Vec<&str> = Vec::new();
    for arg in args {
        let arg = arg.as_str();
        if only_positional || arg == "-" || !arg.starts_with('-') {
            words.push(arg);
            continue;
        }
        match arg {
            "--" => only_positional = true,
            "--help" => return Ok(Invocation::Help),
            "--recursive" => recursive = true,
            "--verbose" => verbose = true,
            long if long.starts_with("--") => return Err(format!("unknown option {long}")),
            short => {
                for flag in short.chars().skip(1) {
                    match flag {
                        'h' => return Ok(Invocation::Help),
                        'r' => recursive = true,
                        'v' => verbose = true,
                        _ => return Err(format!("unknown option -{flag}")),
                    }
                }
            }
        }
    }
    let Some((&name, rest)) = words.split_first() else {
        return Err("no command given".into());
    };
    let command = command(name, rest, recursive)?;
    Ok(Invocation::Run { command, verbose })
}

fn command(name: &str, args: &[&str], recursive: bool) -> Result<Command, String> {
    let shape_error = |shape: &str| format!("{name} takes {shape}, got {} argument(s)", args.len());
    if recursive && !matches!(name, "ls" | "rm") {
        return Err(format!("-r is for ls and rm, not {name}"));
    }
    let bucket_only = |arg: &str| {
        let path = CosPath::parse(arg)?;
        if path.key.is_empty() { Ok(path) } else { Err(format!("{name} takes a bucket, cos://BUCKET, not {arg:?}")) }
    };
    let with_key = |arg: &str| {
        let path = CosPath::parse(arg)?;
        if path.key.is_empty() { Err(format!("{name} needs a key: cos://BUCKET/KEY, not {arg:?}")) } else { Ok(path) }
    };
    let local = |arg: &str| {
        if arg.starts_with("cos://") {
            Err(format!("{name} takes a local path where {arg:?} stands; see the usage"))
        } else {
            Ok(PathBuf::from(arg))
        }
    };
    match name {
        "ls" => match args {
            [] if recursive => Err("ls -r needs cos://BUCKET[/PREFIX]".into()),
            [] => Ok(Command::Ls { path: None, recursive }),
            [path] => Ok(Command::Ls { path: Some(CosPath::parse(path)?), recursive }),
            _ => Err(shape_error("at most one cos://BUCKET[/PREFIX]")),
        },
        "mb" | "rb" => match args {
            [bucket] if name == "mb" => Ok(Command::Mb(bucket_only(bucket)?)),
            [bucket] => Ok(Command::Rb(bucket_only(bucket)?)),
            _ => Err(shape_error("cos://BUCKET")),
        },
        "put" => match args {
            [from, to] => Ok(Command::Put { local: local(from)?, dest: CosPath::parse(to)? }),
            _ => Err(shape_error("LOCAL cos://BUCKET/KEY")),
        },
        "get" => match args {
            [from, to] => Ok(Command::Get { source: with_key(from)?, local: local(to)? }),
            _ => Err(shape_error("cos://BUCKET/KEY LOCAL")),
        },
        "cp" => match args {
            [from, to] => Ok(Command::Cp { source: with_key(from)?, dest: CosPath::parse(to)? }),
            _ => Err(shape_error("cos://BUCKET/KEY cos://BUCKET2/KEY2")),
        },
        "rm" => match args {
            [path] if recursive => Ok(Command::Rm { path: CosPath::parse(path)?, recursive }),
            [path] => Ok(Command::Rm { path: with_key(path)?, recursive }),
            _ => Err(shape_error("cos://BUCKET/KEY")),
        },
        _ => Err(format!("unknown command {name:?}")),
    }
}

/// Runs the command line `args` (without the program name): the results on `out`, progress,
/// notes and errors on `err`. Returns the exit status ([`EXIT_OK`], [`EXIT_FAILED`],
/// [`EXIT_USAGE`]). Never panics on what it is given.
pub fn run(args: &[String], env: &Env, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    // Output that cannot be written (a closed pipe) cannot be reported either: ignored.
    let (command, verbose) = match parse(args) {
        Ok(Invocation::Help) => {
            let _ = out.write_all(USAGE.as_bytes());
            return EXIT_OK;
        }
        Ok(Invocation::Run { command, verbose }) => (command, verbose),
        Err(message) => {
            let _ = write!(err, "cos: {message}\n\n{USAGE}");
            return EXIT_USAGE;
        }
    };
    let connection = match target::connect(env) {
        Ok(c) => c,
        Err(message) => {
            let _ = write!(err, "cos: {message}\n\n{USAGE}");
            return EXIT_USAGE;
        }
    };
    if verbose {
        let _ = writeln!(err, "cos: target: {}", connection.description);
    }
    if connection.ephemeral {
        let _ = writeln!(err, "cos: note: {}", target::EPHEMERAL_NOTE);
    }
    match commands::execute(&connection, &command, env.progress_bars, out, err) {
        Ok(()) => EXIT_OK,
        Err(failure) => {
            report(&command, &failure, err);
            EXIT_FAILED
        }
    }
}

/// `cos: <command> failed: <error>`, then for a COS answer its code and request id.
fn report(command: &Command, failure: &Failure, err: &mut dyn Write) {
    let _ = writeln!(err, "cos: {command} failed: {failure}");
    if let Failure::Cos(e) = failure
        && let Some(service) = e.service()
    {
        let request_id = service.request_id.as_deref().unwrap_or("none");
        let _ = writeln!(err, "cos: error code {}, request id {request_id}", service.code);
    }
}
