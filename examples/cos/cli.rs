//! The command line: parsing (clap), choosing the target, running one command, and turning the
//! outcome into an exit status and messages.
//!
//! | exit status | when |
//! | --- | --- |
//! | 0 | success; also `--help` and `--version` |
//! | 1 | the operation failed: one `cos: COMMAND failed: REASON` line on stderr (and COS's code and request id when COS answered) |
//! | 2 | a usage or configuration error: one `cos: REASON (HINT)` line on stderr, before any request |
//! | 130 | interrupted (Ctrl-C): the shell's status for SIGINT. A `put` being interrupted pauses: parts in flight finish, the multipart upload stays, stderr says its upload id and parts done, and the same `put` resumes it (`lsparts` lists it, `abort` removes it). Any other command (or a second Ctrl-C) stops at once |

use std::collections::BTreeMap;
use std::fmt;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::Arc;

use clap::{CommandFactory, Parser, Subcommand};
use tencent_cos::transport::Transport;

use super::commands::{self, Failure};
use super::target;

/// What `--help` prints after the commands: the target and the exit statuses.
pub const AFTER_HELP: &str = "\
BUCKET is NAME-APPID, e.g. examplebucket-1250000000. LOCAL `-` is stdin (put) or stdout (get).

target, from the environment:
  COS_SECRET_ID, COS_SECRET_KEY, COS_REGION [, COS_SECURITY_TOKEN]   real COS
  COS_ENDPOINT      with the keys: http(s)://HOST[:PORT] (path style, a private deployment)
                    or a bucket host template such as {Bucket}.cos-internal.{Region}.tencentcos.cn
  COS_EMULATOR_URL  an emulator (`cargo run --example emulator -- --addr 127.0.0.1:9000`)
  none of these     an emulator in this process: empty at start, gone at exit

  ~/.cos.yaml       when no COS_* variable is set: coscli's secretid, secretkey, sessiontoken
                    and the region and endpoint of its first bucket

exit status: 0 success, 1 the operation failed, 2 usage or configuration error, 130 interrupted";

/// `cos`: the arguments as clap sees them.
#[derive(Parser, Debug)]
#[command(name = "cos", version, about = "A command-line client for Tencent COS", after_help = AFTER_HELP)]
#[command(color = clap::ColorChoice::Never, disable_help_subcommand = true)]
pub struct Args {
    /// Say which target is used (never a secret); -v also shows the library's info lines
    /// (retries, resumes), -vv its debug lines (each request: method, URL, status, time).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    #[command(subcommand)]
    pub command: Commands,
}

/// Options of the commands that move many files.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct Filters {
    /// Only paths matching GLOB (`*` within a name, `**` across `/`, `?`); a GLOB without `/`
    /// matches the file name. Repeatable.
    #[arg(long, value_name = "GLOB")]
    pub include: Vec<String>,
    /// Skip paths matching GLOB (as --include); wins over --include. Repeatable.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
}

/// The commands.
#[derive(Subcommand, Debug)]
pub enum Commands {
    /// List the buckets, or the objects and DIRs under PREFIX.
    Ls {
        /// Every object below PREFIX.
        #[arg(short, long)]
        recursive: bool,
        /// One JSON object per line.
        #[arg(long)]
        json: bool,
        /// cos://BUCKET[/PREFIX]
        path: Option<String>,
    },
    /// Make a bucket.
    Mb {
        /// cos://BUCKET
        bucket: String,
    },
    /// Remove an empty bucket.
    Rb {
        /// cos://BUCKET
        bucket: String,
    },
    /// Upload a file (a KEY ending in / gets its name), stdin (`-`), or a directory (-r).
    Put {
        /// Upload every file under the directory LOCAL to the prefix KEY.
        #[arg(short, long)]
        recursive: bool,
        #[command(flatten)]
        filters: Filters,
        /// A file, `-` for stdin, or a directory with -r.
        local: String,
        /// cos://BUCKET/KEY
        dest: String,
    },
    /// Download an object (to LOCAL/KEY when LOCAL is a directory), to stdout (`-`), or a prefix (-r).
    Get {
        /// Download every object under the prefix KEY into the directory LOCAL.
        #[arg(short, long)]
        recursive: bool,
        #[command(flatten)]
        filters: Filters,
        /// cos://BUCKET/KEY
        source: String,
        /// A file, a directory, or `-` for stdout.
        local: String,
    },
    /// Write an object to stdout.
    Cat {
        /// cos://BUCKET/KEY
        source: String,
    },
    /// Copy an object server side (KEY2 ending in / keeps the name).
    Cp {
        /// cos://BUCKET/KEY
        source: String,
        /// cos://BUCKET2/KEY2
        dest: String,
    },
    /// Delete an object, or every object under a prefix (-r).
    Rm {
        /// Every object under KEY/ (never KEY2/... or KEY.txt).
        #[arg(short, long)]
        recursive: bool,
        /// cos://BUCKET/KEY
        path: String,
    },
    /// Make DST like SRC (a directory and a cos:// prefix, either way): only files whose size or
    /// CRC-64 differ move.
    Sync {
        /// Also delete what SRC lacks from DST (only paths the filters select).
        #[arg(long)]
        delete: bool,
        #[command(flatten)]
        filters: Filters,
        /// A directory or cos://BUCKET/PREFIX
        src: String,
        /// A cos://BUCKET/PREFIX or a directory
        dst: String,
    },
    /// Print a presigned URL of an object.
    Signurl {
        /// Validity in seconds.
        #[arg(long, default_value_t = 900, value_name = "S")]
        expires: u64,
        /// The method the URL is for (GET, PUT, HEAD, DELETE, POST).
        #[arg(long, default_value = "GET", value_name = "M")]
        method: String,
        /// cos://BUCKET/KEY
        path: String,
    },
    /// Print every header of an object (HEAD).
    Stat {
        /// cos://BUCKET/KEY
        path: String,
    },
    /// Print the CRC-64 (ECMA-182, as COS) and MD5 of a local file or an object.
    Hash {
        /// LOCAL or cos://BUCKET/KEY
        target: String,
    },
    /// Count the objects and bytes under PREFIX/ (what rm -r would delete).
    Du {
        /// cos://BUCKET[/PREFIX]
        path: String,
    },
    /// List unfinished multipart uploads with their age.
    Lsparts {
        /// cos://BUCKET[/PREFIX]
        path: String,
    },
    /// Print a shell completion script: `cos completions bash > /etc/bash_completion.d/cos`.
    Completions {
        /// bash, zsh, fish, elvish or powershell.
        shell: clap_complete::Shell,
    },
    /// Abort unfinished multipart uploads (all under the prefix, or those older than D).
    Abort {
        /// Only uploads started at least D ago: 90s, 30m, 2h, 7d.
        #[arg(long, value_name = "D")]
        older_than: Option<String>,
        /// cos://BUCKET[/PREFIX]
        path: String,
    },
}

/// Success (also `--help`, `--version`).
pub const EXIT_OK: u8 = 0;
/// The operation failed.
pub const EXIT_FAILED: u8 = 1;
/// The command line or the environment is wrong.
pub const EXIT_USAGE: u8 = 2;
/// Interrupted (Ctrl-C): 128 + SIGINT, as shells report it.
pub const EXIT_INTERRUPTED: u8 = 130;

/// Ctrl-C as the commands see it: set by the SIGINT handler of `main`, read by a transfer that
/// can stop cleanly (`put`), which arms it while it runs.
#[derive(Debug, Default)]
pub struct Interrupt {
    armed: std::sync::atomic::AtomicBool,
    count: std::sync::atomic::AtomicUsize,
}

impl Interrupt {
    /// A new one, never interrupted (`const` for a `static`).
    pub const fn new() -> Interrupt {
        Interrupt { armed: std::sync::atomic::AtomicBool::new(false), count: std::sync::atomic::AtomicUsize::new(0) }
    }

    /// Records a Ctrl-C; true when the process must stop at once (nothing armed, or a second one).
    /// Only atomics: safe in a signal handler.
    pub fn signal(&self) -> bool {
        use std::sync::atomic::Ordering::SeqCst;
        let n = self.count.fetch_add(1, SeqCst) + 1;
        !self.armed.load(SeqCst) || n > 1
    }

    /// A transfer that stops cleanly on Ctrl-C runs between `arm(true)` and `arm(false)`.
    pub fn arm(&self, on: bool) {
        self.armed.store(on, std::sync::atomic::Ordering::SeqCst);
    }

    /// True once Ctrl-C was pressed.
    pub fn is_set(&self) -> bool {
        self.count.load(std::sync::atomic::Ordering::SeqCst) > 0
    }
}

/// What `run` takes from outside the arguments: the variables that choose the target (and
/// coscli's `~/.cos.yaml`), a transport to use instead of a fresh emulator, whether to draw
/// progress bars, and Ctrl-C. Nothing is read from the process environment but through
/// [`Env::from_process`].
#[derive(Clone, Default)]
pub struct Env {
    /// The `COS_*` variables, by name ([`Env::NAMES`]); an empty value counts as unset.
    pub vars: BTreeMap<String, String>,
    /// A transport (an emulator, or a spy around one) that outlives the command, used when no
    /// variable chooses another target; `None`: a fresh emulator for the one command.
    pub transport: Option<Arc<dyn Transport>>,
    /// Draw progress bars on stderr (when it is a terminal).
    pub progress_bars: bool,
    /// The home directory whose `.cos.yaml` (coscli's configuration) is read when no `COS_*`
    /// variable is set; `None`: none is read.
    pub home: Option<PathBuf>,
    /// Ctrl-C, when the process handles it; `None`: never interrupted.
    pub interrupt: Option<&'static Interrupt>,
}

impl Env {
    /// The variables `run` reads.
    pub const NAMES: [&str; 6] =
        ["COS_SECRET_ID", "COS_SECRET_KEY", "COS_SECURITY_TOKEN", "COS_REGION", "COS_ENDPOINT", "COS_EMULATOR_URL"];

    /// The [`Env::NAMES`] variables of this process, and `$HOME`.
    pub fn from_process(progress_bars: bool, interrupt: Option<&'static Interrupt>) -> Env {
        let vars = Self::NAMES.iter().filter_map(|&n| std::env::var(n).ok().map(|v| (n.to_owned(), v))).collect();
        let home = std::env::var_os("HOME").filter(|h| !h.is_empty()).map(PathBuf::from);
        Env { vars, transport: None, progress_bars, home, interrupt }
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
    /// Everything after the first `/` after the bucket, less one more leading `/`; may be empty.
    pub key: String,
}

impl CosPath {
    /// Parses `cos://BUCKET[/KEY]`.
    pub fn parse(arg: &str) -> Result<CosPath, String> {
        let rest = arg.strip_prefix("cos://").ok_or_else(|| format!("{arg:?} is not a cos://BUCKET[/KEY] path"))?;
        let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
        tencent_cos::validate_bucket(bucket).map_err(|e| e.to_string())?;
        // One leading `/` of a key is dropped, as COS and the library store `/a.txt` as `a.txt`:
        // `cos://B//a.txt` is `cos://B/a.txt`, and the lines printed name the key that exists.
        let key = key.strip_prefix('/').unwrap_or(key);
        if key.starts_with('/') {
            return Err(format!("{arg:?}: a key cannot start with / (COS drops one leading /, not more)"));
        }
        Ok(CosPath { bucket: bucket.to_owned(), key: key.to_owned() })
    }

    /// The key, or `name` appended when the key is empty or ends in `/` (a "directory").
    pub fn key_or_in_dir(&self, name: &str) -> String {
        if self.key.is_empty() || self.key.ends_with('/') { format!("{}{name}", self.key) } else { self.key.clone() }
    }

    /// The key as a "directory" prefix: empty, or ending in `/`.
    pub fn dir_prefix(&self) -> String {
        if self.key.is_empty() || self.key.ends_with('/') { self.key.clone() } else { format!("{}/", self.key) }
    }

    /// This path as a "directory": `cos://B/P` is `cos://B/P/`, so `rm -r` and `du` take what
    /// is under `P/` and never `P2/...` or `P.txt`.
    pub fn as_dir(&self) -> CosPath {
        CosPath { bucket: self.bucket.clone(), key: self.dir_prefix() }
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

/// The two ends of `sync`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Direction {
    /// A local directory to a prefix.
    Up { local: PathBuf, remote: CosPath },
    /// A prefix to a local directory.
    Down { remote: CosPath, local: PathBuf },
}

/// How `put -r`, `get -r` and `sync` treat what is already there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TreeOptions {
    /// Compare size and CRC-64 and skip what is the same (`sync`); else move everything.
    pub compare: bool,
    /// Delete what the source lacks (`sync --delete`).
    pub delete: bool,
    /// `--include` globs.
    pub include: Vec<String>,
    /// `--exclude` globs.
    pub exclude: Vec<String>,
}

/// One command, its arguments checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// `ls`: buckets (no path), one delimited level, or everything below (`recursive`).
    Ls { path: Option<CosPath>, recursive: bool, json: bool },
    /// `mb`.
    Mb(CosPath),
    /// `rb`.
    Rb(CosPath),
    /// `put LOCAL cos://...`.
    Put { local: PathBuf, dest: CosPath },
    /// `put - cos://...`: standard input.
    PutStdin { dest: CosPath },
    /// `get cos://... LOCAL`.
    Get { source: CosPath, local: PathBuf },
    /// `get cos://... -` and `cat`: standard output.
    Cat { source: CosPath },
    /// `put -r`, `get -r`, `sync`.
    Tree { name: &'static str, direction: Direction, options: TreeOptions },
    /// `cp cos://... cos://...`.
    Cp { source: CosPath, dest: CosPath },
    /// `rm`: one key, or every key under a prefix (`recursive`).
    Rm { path: CosPath, recursive: bool },
    /// `signurl`.
    Signurl { path: CosPath, expires: u64, method: tencent_cos::http::Method },
    /// `stat`.
    Stat(CosPath),
    /// `hash` of a local file.
    HashLocal(PathBuf),
    /// `hash` of an object.
    HashRemote(CosPath),
    /// `du`.
    Du(CosPath),
    /// `lsparts`.
    Lsparts(CosPath),
    /// `abort`, with the minimum age in seconds.
    Abort { path: CosPath, older_than: Option<u64> },
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Command::Ls { path: None, .. } => write!(f, "ls"),
            Command::Ls { path: Some(p), .. } => write!(f, "ls {p}"),
            Command::Mb(p) => write!(f, "mb {p}"),
            Command::Rb(p) => write!(f, "rb {p}"),
            Command::Put { local, dest } => write!(f, "put {} {dest}", local.display()),
            Command::PutStdin { dest } => write!(f, "put - {dest}"),
            Command::Get { source, local } => write!(f, "get {source} {}", local.display()),
            Command::Cat { source } => write!(f, "cat {source}"),
            Command::Tree { name, direction: Direction::Up { local, remote }, .. } => {
                write!(f, "{name} {} {remote}", local.display())
            }
            Command::Tree { name, direction: Direction::Down { remote, local }, .. } => {
                write!(f, "{name} {remote} {}", local.display())
            }
            Command::Cp { source, dest } => write!(f, "cp {source} {dest}"),
            Command::Rm { path, .. } => write!(f, "rm {path}"),
            Command::Signurl { path, .. } => write!(f, "signurl {path}"),
            Command::Stat(p) => write!(f, "stat {p}"),
            Command::HashLocal(p) => write!(f, "hash {}", p.display()),
            Command::HashRemote(p) => write!(f, "hash {p}"),
            Command::Du(p) => write!(f, "du {p}"),
            Command::Lsparts(p) => write!(f, "lsparts {p}"),
            Command::Abort { path, .. } => write!(f, "abort {path}"),
        }
    }
}

/// What the command line asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Invocation {
    /// `--help` (of `cos` or of a command) or `--version`: the text to print on stdout.
    Print(String),
    /// A command; `verbose`: how many `-v`.
    Run { command: Command, verbose: u8 },
}

/// A usage error: one line, `REASON (HINT)`.
fn usage(reason: impl fmt::Display, hint: &str) -> String {
    format!("{reason} ({hint})")
}

/// Parses the arguments (without the program name).
pub fn parse(args: &[String]) -> Result<Invocation, String> {
    let parsed = Args::try_parse_from(std::iter::once("cos").chain(args.iter().map(String::as_str)));
    let parsed = match parsed {
        Ok(parsed) => parsed,
        Err(e) if matches!(e.kind(), clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion) => {
            return Ok(Invocation::Print(e.render().to_string()));
        }
        Err(e)
            if matches!(
                e.kind(),
                clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
                    | clap::error::ErrorKind::MissingSubcommand
            ) =>
        {
            return Err(usage("no command given", "see `cos --help`"));
        }
        Err(e) => return Err(one_line(&e, args)),
    };
    let verbose = parsed.verbose;
    if let Commands::Completions { shell } = parsed.command {
        let mut script = Vec::new();
        clap_complete::generate(shell, &mut Args::command(), "cos", &mut script);
        return Ok(Invocation::Print(String::from_utf8_lossy(&script).into_owned()));
    }
    let command = command(parsed.command)?;
    Ok(Invocation::Run { command, verbose })
}

/// `completions`: answered by [`parse`] before a [`Command`] is made.
fn completions_are_printed() -> String {
    usage("completions takes a shell", "see `cos completions --help`")
}

/// clap's message on one line: the lines before `Usage:`, tips dropped, and where to read more.
fn one_line(e: &clap::Error, args: &[String]) -> String {
    let rendered = e.render().to_string();
    let reason: Vec<&str> = rendered
        .lines()
        .take_while(|l| !l.starts_with("Usage:"))
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("tip:"))
        .collect();
    let reason = reason.join(" ");
    let reason = reason.strip_prefix("error: ").unwrap_or(&reason);
    let subcommand = args.iter().find(|a| Args::command().find_subcommand(a.as_str()).is_some());
    let hint = match subcommand {
        Some(name) => format!("see `cos {name} --help`"),
        None => "see `cos --help`".to_owned(),
    };
    usage(reason, &hint)
}

fn remote(name: &str, arg: &str) -> Result<CosPath, String> {
    CosPath::parse(arg).map_err(|e| usage(e, &format!("see `cos {name} --help`")))
}

fn with_key(name: &str, arg: &str) -> Result<CosPath, String> {
    let path = remote(name, arg)?;
    if path.key.is_empty() {
        return Err(usage(
            format!("{name} needs a key: cos://BUCKET/KEY, not {arg:?}"),
            &format!("see `cos {name} --help`"),
        ));
    }
    Ok(path)
}

fn bucket_only(name: &str, arg: &str) -> Result<CosPath, String> {
    let path = remote(name, arg)?;
    if !path.key.is_empty() {
        return Err(usage(format!("{name} takes a bucket, cos://BUCKET, not {arg:?}"), "drop the key"));
    }
    Ok(path)
}

fn local(name: &str, arg: &str, suggestion: &str) -> Result<PathBuf, String> {
    if arg.starts_with("cos://") {
        Err(usage(format!("{name} takes a local path where {arg:?} stands"), suggestion))
    } else {
        Ok(PathBuf::from(arg))
    }
}

/// `90s`, `30m`, `2h`, `7d` in seconds.
pub fn parse_age(text: &str) -> Result<u64, String> {
    let bad =
        || usage(format!("--older-than {text:?} is not a duration"), "a number and s, m, h or d: 90s, 30m, 2h, 7d");
    let (number, unit) = text.split_at(text.len().saturating_sub(1));
    let scale = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err(bad()),
    };
    number.parse::<u64>().ok().and_then(|n| n.checked_mul(scale)).ok_or_else(bad)
}

fn tree_options(compare: bool, delete: bool, filters: Filters) -> TreeOptions {
    TreeOptions { compare, delete, include: filters.include, exclude: filters.exclude }
}

fn command(parsed: Commands) -> Result<Command, String> {
    Ok(match parsed {
        Commands::Ls { recursive, json, path } => match path {
            None if recursive => return Err(usage("ls -r needs cos://BUCKET[/PREFIX]", "see `cos ls --help`")),
            None => Command::Ls { path: None, recursive, json },
            Some(path) => Command::Ls { path: Some(remote("ls", &path)?), recursive, json },
        },
        Commands::Mb { bucket } => Command::Mb(bucket_only("mb", &bucket)?),
        Commands::Rb { bucket } => Command::Rb(bucket_only("rb", &bucket)?),
        Commands::Put { recursive, filters, local: from, dest } => {
            let to_get = format!("to download, `cos get {from} {dest}`");
            let from_path = local("put", &from, &to_get)?;
            let dest = remote("put", &dest)?;
            if recursive {
                let direction = Direction::Up { local: from_path, remote: dest };
                Command::Tree { name: "put -r", direction, options: tree_options(false, false, filters) }
            } else if !filters.include.is_empty() || !filters.exclude.is_empty() {
                return Err(usage("--include and --exclude are for put -r", "see `cos put --help`"));
            } else if from == "-" {
                if dest.key.is_empty() || dest.key.ends_with('/') {
                    return Err(usage(format!("put - needs a full key, not {dest}"), "stdin has no file name"));
                }
                Command::PutStdin { dest }
            } else {
                Command::Put { local: from_path, dest }
            }
        }
        Commands::Get { recursive, filters, source, local: to } => {
            let to_put = format!("to upload, `cos put {source} {to}`");
            if !source.starts_with("cos://") {
                return Err(usage(format!("get takes cos://BUCKET/KEY first, not {source:?}"), &to_put));
            }
            let to_path = local("get", &to, "to copy between cos:// paths, `cos cp`")?;
            if recursive {
                let direction = Direction::Down { remote: remote("get", &source)?, local: to_path };
                Command::Tree { name: "get -r", direction, options: tree_options(false, false, filters) }
            } else if !filters.include.is_empty() || !filters.exclude.is_empty() {
                return Err(usage("--include and --exclude are for get -r", "see `cos get --help`"));
            } else if source.ends_with('/') {
                return Err(usage(
                    format!("{source} ends in / (a prefix, not an object)"),
                    &format!("to download what is under it, `cos get -r {source} {to}`"),
                ));
            } else if to == "-" {
                Command::Cat { source: with_key("get", &source)? }
            } else {
                Command::Get { source: with_key("get", &source)?, local: to_path }
            }
        }
        Commands::Cat { source } => Command::Cat { source: with_key("cat", &source)? },
        Commands::Cp { source, dest } => {
            if !source.starts_with("cos://") {
                return Err(usage(
                    format!("cp copies between cos:// paths; {source:?} is local"),
                    &format!("to upload it, `cos put {source} {dest}`"),
                ));
            }
            if !dest.starts_with("cos://") {
                return Err(usage(
                    format!("cp copies between cos:// paths; {dest:?} is local"),
                    &format!("to download, `cos get {source} {dest}`"),
                ));
            }
            Command::Cp { source: with_key("cp", &source)?, dest: remote("cp", &dest)? }
        }
        Commands::Rm { recursive, path } if recursive => Command::Rm { path: remote("rm", &path)?.as_dir(), recursive },
        Commands::Rm { path, .. } => {
            let checked = remote("rm", &path)?;
            if checked.key.is_empty() {
                return Err(usage(format!("rm needs a key: cos://BUCKET/KEY, not {path:?}"), "rm -r empties a prefix"));
            }
            Command::Rm { path: checked, recursive: false }
        }
        Commands::Sync { delete, filters, src, dst } => {
            let direction = match (src.starts_with("cos://"), dst.starts_with("cos://")) {
                (false, true) => Direction::Up { local: PathBuf::from(&src), remote: remote("sync", &dst)? },
                (true, false) => Direction::Down { remote: remote("sync", &src)?, local: PathBuf::from(&dst) },
                (true, true) => return Err(usage("sync needs one local directory", "to copy objects, `cos cp`")),
                (false, false) => return Err(usage("sync needs one cos:// path", "to copy local files, use cp(1)")),
            };
            Command::Tree { name: "sync", direction, options: tree_options(true, delete, filters) }
        }
        Commands::Signurl { expires, method, path } => {
            use tencent_cos::http::Method;
            let method = match method.to_ascii_uppercase().as_str() {
                "GET" => Method::Get,
                "PUT" => Method::Put,
                "POST" => Method::Post,
                "DELETE" => Method::Delete,
                "HEAD" => Method::Head,
                _ => {
                    return Err(usage(
                        format!("--method {method:?} is not one of GET, PUT, POST, DELETE, HEAD"),
                        "see `cos signurl --help`",
                    ));
                }
            };
            if expires == 0 {
                return Err(usage("--expires 0: the URL would be expired when printed", "1 or more seconds"));
            }
            Command::Signurl { path: with_key("signurl", &path)?, expires, method }
        }
        Commands::Stat { path } => Command::Stat(with_key("stat", &path)?),
        Commands::Hash { target } if target.starts_with("cos://") => Command::HashRemote(with_key("hash", &target)?),
        Commands::Hash { target } => Command::HashLocal(PathBuf::from(target)),
        Commands::Du { path } => Command::Du(remote("du", &path)?.as_dir()),
        Commands::Lsparts { path } => Command::Lsparts(remote("lsparts", &path)?),
        Commands::Completions { .. } => return Err(completions_are_printed()),
        Commands::Abort { older_than, path } => {
            let older_than = older_than.as_deref().map(parse_age).transpose()?;
            Command::Abort { path: remote("abort", &path)?, older_than }
        }
    })
}

/// Runs the command line `args` (without the program name): `input` is what `put -` reads,
/// the results go on `out`, progress, notes and errors on `err`. Returns the exit status
/// ([`EXIT_OK`], [`EXIT_FAILED`], [`EXIT_USAGE`], [`EXIT_INTERRUPTED`]). Never panics on
/// what it is given.
pub fn run(args: &[String], env: &Env, input: &mut dyn Read, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    // Output that cannot be written (a closed pipe) cannot be reported either: ignored.
    let (command, verbose) = match parse(args) {
        Ok(Invocation::Print(text)) => {
            let _ = out.write_all(text.as_bytes());
            return EXIT_OK;
        }
        Ok(Invocation::Run { command, verbose }) => (command, verbose),
        Err(message) => {
            let _ = writeln!(err, "cos: {message}");
            return EXIT_USAGE;
        }
    };
    let connection = match target::connect(env) {
        Ok(c) => c,
        Err(message) => {
            let _ = writeln!(err, "cos: {message} (see `cos --help` for the variables)");
            return EXIT_USAGE;
        }
    };
    if verbose > 0 {
        let _ = writeln!(err, "cos: target: {}", connection.description);
    }
    if connection.ephemeral {
        let _ = writeln!(err, "cos: note: {}", target::EPHEMERAL_NOTE);
    }
    match commands::execute(&connection, &command, env, input, out, err) {
        Ok(()) => EXIT_OK,
        Err(Failure::Interrupted(kept)) => {
            let _ = writeln!(err, "cos: {command} interrupted: {kept}");
            EXIT_INTERRUPTED
        }
        Err(failure) => {
            report(&command, &connection, &failure, err);
            EXIT_FAILED
        }
    }
}

/// `cos: <command> failed: <error>`, naming the endpoint when it could not be reached; then for
/// a COS answer its code and request id.
fn report(command: &Command, connection: &target::Connection, failure: &Failure, err: &mut dyn Write) {
    match failure {
        Failure::Cos(e) if e.transport_kind().is_some() => {
            let _ = writeln!(err, "cos: {command} failed: cannot reach {}: {failure}", connection.endpoint);
        }
        _ => {
            let _ = writeln!(err, "cos: {command} failed: {failure}");
        }
    }
    if let Failure::Cos(e) = failure
        && let Some(service) = e.service()
    {
        let request_id = service.request_id.as_deref().unwrap_or("none");
        let _ = writeln!(err, "cos: error code {}, request id {request_id}", service.code);
    }
}
