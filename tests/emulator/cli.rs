//! `cargo run --example cos`, run in-process: the example's `cli::run` with the arguments, an
//! explicit `Env` (never this process's `COS_*` variables), a stdin and two buffers, against one
//! emulator shared by a whole story of commands, and over HTTP through `COS_EMULATOR_URL` and
//! `COS_ENDPOINT`. Exit codes, exact output lines, byte-exact files, usage and configuration
//! errors; sync runs counted with a spy transport.

#[path = "../../examples/cos/main.rs"]
#[allow(dead_code)]
mod cos;
use crate::support::transfer_support;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use cos::cli::{self, Env};
use tencent_cos::emulator::Emulator;
use transfer_support::{MIB, Spy, TempDir, pattern};

const PHOTOS: &str = "photos-1250000000";
const BACKUP: &str = "backup-1250000000";

/// What one command did.
#[derive(Debug)]
struct Outcome {
    code: u8,
    out: String,
    err: String,
}

fn cos(env: &Env, args: &[&str]) -> Outcome {
    let (code, out, err) = cos_raw(env, args, b"");
    Outcome { code, out: String::from_utf8(out).unwrap(), err }
}

/// Runs `args` with `stdin` as standard input: the exit status, stdout's bytes, stderr.
fn cos_raw(env: &Env, args: &[&str], stdin: &[u8]) -> (u8, Vec<u8>, String) {
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = cli::run(&args, env, &mut &stdin[..], &mut out, &mut err);
    (code, out, String::from_utf8(err).unwrap())
}

/// Runs `args`, expecting success, nothing on stderr and exactly `lines` on stdout.
#[track_caller]
fn ok(env: &Env, args: &[&str], lines: &[String]) {
    let o = cos(env, args);
    assert_eq!((o.code, o.err.as_str()), (0, ""), "{args:?}: {o:?}");
    let expected: String = lines.iter().map(|l| format!("{l}\n")).collect();
    assert_eq!(o.out, expected, "{args:?}");
}

/// The commands go to `emulator`; no variable set, no progress bars drawn.
fn env_on(emulator: &Emulator) -> Env {
    Env {
        vars: BTreeMap::new(),
        transport: Some(Arc::new(emulator.clone())),
        progress_bars: false,
        home: None,
        interrupt: None,
    }
}

fn env_with(vars: &[(&str, &str)]) -> Env {
    let vars = vars.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect();
    Env { vars, transport: None, progress_bars: false, home: None, interrupt: None }
}

/// `2023-11-14T22:13:20.000Z`, derived from the HTTP date (not from the emulator's formatter).
fn iso8601(secs: u64) -> String {
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let http = httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs(secs)); // Tue, 14 Nov 2023 22:13:20 GMT
    let f: Vec<&str> = http.split(' ').collect();
    let month = MONTHS.iter().position(|m| *m == f[2]).unwrap() + 1;
    format!("{}-{month:02}-{}T{}.000Z", f[3], f[1], f[4])
}

/// An emulator whose clock stands still a little ahead of ours: every date it writes is known,
/// and the client's signatures (valid from now - 1 s for 15 minutes) stay valid.
fn still_emulator() -> (Emulator, String) {
    let t0 = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() + 300;
    (Emulator::builder().clock(move || t0).build(), iso8601(t0))
}

fn object_line(size: usize, date: &str, key: &str) -> String {
    format!("{size:>12}  {date}  {key}")
}

fn dir_line(prefix: &str) -> String {
    format!("{:>12}  {:24}  {prefix}", "DIR", "")
}

#[test]
fn every_command_on_one_emulator() {
    let (emulator, date) = still_emulator();
    let env = env_on(&emulator);
    let dir = TempDir::new();
    let small = b"hello from the cos example\n".to_vec();
    let big = pattern(3 * MIB + 12_345, 7); // four parts of the default 1 MiB
    let (small_path, big_path) = (dir.join("small.txt"), dir.join("big.bin"));
    std::fs::write(&small_path, &small).unwrap();
    std::fs::write(&big_path, &big).unwrap();
    let (small_file, big_file) = (small_path.to_str().unwrap(), big_path.to_str().unwrap());

    ok(&env, &["mb", "cos://photos-1250000000"], &["created bucket cos://photos-1250000000".into()]);
    ok(&env, &["mb", "cos://backup-1250000000"], &["created bucket cos://backup-1250000000".into()]);
    let bucket_line = |name: &str| format!("{date}  ap-guangzhou      cos://{name}");
    ok(&env, &["ls"], &[bucket_line(BACKUP), bucket_line(PHOTOS)]);

    // A key ending in / takes the file's name; above SliceSize the upload is multipart.
    let uploaded = format!("uploaded {small_file} -> cos://{PHOTOS}/notes/small.txt (27 bytes)");
    ok(&env, &["put", small_file, "cos://photos-1250000000/notes/"], &[uploaded]);
    let uploaded = format!("uploaded {big_file} -> cos://{PHOTOS}/big.bin (3158073 bytes, multipart)");
    ok(&env, &["put", big_file, "cos://photos-1250000000/big.bin"], &[uploaded]);
    assert_eq!(emulator.object_bytes(PHOTOS, "notes/small.txt"), Some(small.clone()));
    assert_eq!(emulator.object_bytes(PHOTOS, "big.bin").as_deref(), Some(&big[..]));
    assert!(emulator.pending_uploads(PHOTOS).is_empty());

    let (big_line, small_line) = (object_line(big.len(), &date, "big.bin"), object_line(27, &date, "notes/small.txt"));
    // One level: objects and DIRs in name order (get_bucket().entries()).
    ok(&env, &["ls", "cos://photos-1250000000"], &[big_line.clone(), dir_line("notes/")]);
    ok(&env, &["ls", "cos://photos-1250000000/notes"], &[dir_line("notes/")]);
    ok(&env, &["ls", "cos://photos-1250000000/notes/"], std::slice::from_ref(&small_line));
    ok(&env, &["ls", "-r", "cos://photos-1250000000"], &[big_line, small_line]);
    ok(&env, &["ls", "cos://photos-1250000000/nothing-here/"], &[]);

    // To a file, and into a directory (the key's path under it), byte for byte.
    let got = dir.join("got.txt");
    let downloaded = format!("downloaded cos://{PHOTOS}/notes/small.txt -> {} (27 bytes)", got.display());
    ok(&env, &["get", "cos://photos-1250000000/notes/small.txt", got.to_str().unwrap()], &[downloaded]);
    assert_eq!(std::fs::read(&got).unwrap(), small);
    let mirror = dir.join("mirror");
    std::fs::create_dir(&mirror).unwrap();
    let downloaded =
        format!("downloaded cos://{PHOTOS}/big.bin -> {} (3158073 bytes)", mirror.join("big.bin").display());
    ok(&env, &["get", "cos://photos-1250000000/big.bin", mirror.to_str().unwrap()], &[downloaded]);
    assert!(std::fs::read(mirror.join("big.bin")).unwrap() == big, "the downloaded file differs");
    let into_new_dir = format!("{}/", dir.join("new").display());
    let downloaded = format!("downloaded cos://{PHOTOS}/notes/small.txt -> {into_new_dir}notes/small.txt (27 bytes)");
    ok(&env, &["get", "cos://photos-1250000000/notes/small.txt", &into_new_dir], &[downloaded]);
    assert_eq!(std::fs::read(dir.join("new/notes/small.txt")).unwrap(), small);

    // Server-side copies: to a "directory" key of another bucket, and to a key of its own.
    let copied = format!("copied cos://{PHOTOS}/big.bin -> cos://{BACKUP}/big.bin (3158073 bytes)");
    ok(&env, &["cp", "cos://photos-1250000000/big.bin", "cos://backup-1250000000"], &[copied]);
    let copied = format!("copied cos://{PHOTOS}/notes/small.txt -> cos://{BACKUP}/old/notes.txt (27 bytes)");
    ok(&env, &["cp", "cos://photos-1250000000/notes/small.txt", "cos://backup-1250000000/old/notes.txt"], &[copied]);
    assert_eq!(emulator.object_bytes(BACKUP, "big.bin").as_deref(), Some(&big[..]));
    assert_eq!(emulator.object_bytes(BACKUP, "old/notes.txt"), Some(small));

    ok(&env, &["rm", "cos://photos-1250000000/big.bin"], &[format!("deleted cos://{PHOTOS}/big.bin")]);
    assert_eq!(emulator.object_keys(PHOTOS), ["notes/small.txt"]);

    // A bucket with objects in it cannot be removed: COS's code and request id are shown.
    let o = cos(&env, &["rb", "cos://photos-1250000000"]);
    assert_eq!((o.code, o.out.as_str()), (1, ""), "{o:?}");
    let lines: Vec<&str> = o.err.lines().collect();
    assert_eq!(lines.len(), 2, "{o:?}");
    assert!(lines[0].starts_with("cos: rb cos://photos-1250000000 failed: COS answered 409 BucketNotEmpty"), "{o:?}");
    assert!(lines[1].starts_with("cos: error code BucketNotEmpty, request id "), "{o:?}");
    assert!(!lines[1].ends_with("request id none"), "{o:?}");

    // rm -r over more than one listing page and more than one delete request (1000 keys each).
    // Put through the example's own client for this Env (the same emulator).
    let connection = cos::target::connect(&env).unwrap_or_else(|e| panic!("{e}"));
    let photos = connection.client.bucket(PHOTOS);
    let keys: Vec<String> = (0..1001).map(|i| format!("many/{i:04}.txt")).collect();
    for key in &keys {
        photos.put_object(key).body("x").send().unwrap();
    }
    let mut deleted: Vec<String> = keys.iter().map(|k| format!("deleted cos://{PHOTOS}/{k}")).collect();
    deleted.push(format!("deleted 1001 object(s) under cos://{PHOTOS}/many/"));
    ok(&env, &["rm", "-r", "cos://photos-1250000000/many/"], &deleted);
    assert_eq!(emulator.object_keys(PHOTOS), ["notes/small.txt"]);
    let deleted =
        [format!("deleted cos://{PHOTOS}/notes/small.txt"), format!("deleted 1 object(s) under cos://{PHOTOS}")];
    ok(&env, &["rm", "--recursive", "cos://photos-1250000000"], &deleted);

    ok(&env, &["rb", "cos://photos-1250000000"], &["removed bucket cos://photos-1250000000".into()]);
    ok(&env, &["ls"], &[bucket_line(BACKUP)]);
}

#[test]
fn a_failed_operation_exits_1_with_the_code_and_request_id() {
    let env = env_on(&Emulator::new());
    ok(&env, &["mb", "cos://photos-1250000000"], &["created bucket cos://photos-1250000000".into()]);
    let dir = TempDir::new();
    let target = dir.join("missing.txt");

    // download_file learns of a missing key from a body-less HEAD: the example asks once more
    // with a GET, so the code is COS's, not just "404".
    let o = cos(&env, &["get", "cos://photos-1250000000/missing.txt", target.to_str().unwrap()]);
    assert_eq!((o.code, o.out.as_str()), (1, ""), "{o:?}");
    let lines: Vec<&str> = o.err.lines().collect();
    assert_eq!(lines.len(), 2, "{o:?}");
    let failed =
        format!("cos: get cos://photos-1250000000/missing.txt {} failed: COS answered 404 NoSuchKey", target.display());
    assert!(lines[0].starts_with(&failed), "{o:?}");
    let request_id = lines[1].strip_prefix("cos: error code NoSuchKey, request id ").unwrap();
    assert!(!request_id.is_empty() && request_id != "none" && lines[0].contains(request_id), "{o:?}");
    assert!(!target.exists());

    let o = cos(&env, &["get", "cos://nosuch-1250000000/a.txt", target.to_str().unwrap()]);
    assert!(o.code == 1 && o.err.contains("404 NoSuchBucket") && o.err.contains("error code NoSuchBucket"), "{o:?}");
    let o = cos(&env, &["cp", "cos://photos-1250000000/missing.txt", "cos://photos-1250000000/b.txt"]);
    assert!(o.code == 1 && o.err.contains("error code NoSuchKey"), "{o:?}");
    let o = cos(&env, &["mb", "cos://photos-1250000000"]);
    assert!(o.code == 1 && o.err.contains("error code BucketAlreadyOwnedByYou"), "{o:?}");

    // Local failures: no COS code line.
    let o = cos(&env, &["put", dir.join("absent.txt").to_str().unwrap(), "cos://photos-1250000000/a"]);
    assert_eq!((o.code, o.err.lines().count()), (1, 1), "{o:?}");
    assert!(o.err.starts_with("cos: put ") && o.err.contains("absent.txt: No such file"), "{o:?}");
    let o = cos(&env, &["put", dir.path.to_str().unwrap(), "cos://photos-1250000000/a"]);
    assert!(o.code == 1 && o.err.contains("is a directory; put -r uploads a directory"), "{o:?}");
}

#[test]
fn get_into_a_directory_refuses_keys_that_would_escape_it() {
    let emulator = Emulator::new();
    let env = env_on(&emulator);
    ok(&env, &["mb", "cos://photos-1250000000"], &["created bucket cos://photos-1250000000".into()]);
    let dir = TempDir::new();
    let inside = dir.join("inside");
    std::fs::create_dir(&inside).unwrap();
    for key in ["../escaped.txt", "a/../../escaped.txt"] {
        let o = cos(&env, &["get", &format!("cos://photos-1250000000/{key}"), inside.to_str().unwrap()]);
        assert_eq!((o.code, o.out.as_str()), (1, ""), "{key}: {o:?}");
        assert!(o.err.contains("invalid argument `key`") && o.err.contains("would not stay in the target directory"));
    }
    // `cos://B//etc/x` is the key `etc/x` (COS drops one leading `/`): inside, and absent here;
    // the failed download leaves no `etc` directory behind.
    let o = cos(&env, &["get", "cos://photos-1250000000//etc/escaped.txt", inside.to_str().unwrap()]);
    assert!(o.code == 1 && o.err.contains("404 NoSuchKey"), "{o:?}");
    let o = cos(&env, &["get", "cos://photos-1250000000///etc/escaped.txt", inside.to_str().unwrap()]);
    let refused = "cos: \"cos://photos-1250000000///etc/escaped.txt\": a key cannot start with / (COS drops one \
                   leading /, not more) (see `cos get --help`)\n";
    assert_eq!((o.code, o.err.as_str()), (2, refused));
    assert_eq!(dir.names(), ["inside"]);
    assert!(std::fs::read_dir(&inside).unwrap().next().is_none());
}

#[test]
fn the_environment_chooses_the_target_and_never_shows_a_secret() {
    // No variable, no emulator given: a fresh one for the command, and a note that it forgets.
    let o = cos(&env_with(&[]), &["-v", "ls"]);
    assert_eq!((o.code, o.out.as_str()), (0, ""), "{o:?}");
    let lines: Vec<&str> = o.err.lines().collect();
    assert_eq!(lines.len(), 2, "{o:?}");
    assert_eq!(lines[0], "cos: target: a new emulator in this process (gone at exit), region ap-guangzhou");
    assert!(lines[1].starts_with("cos: note: ") && lines[1].contains("COS_EMULATOR_URL"), "{o:?}");
    let o = cos(&env_with(&[]), &["get", "cos://photos-1250000000/a.txt", "a.txt"]);
    assert!(o.code == 1 && o.err.contains("cos: note: ") && o.err.contains("NoSuchBucket"), "{o:?}");

    // COS_EMULATOR_URL: state kept between commands, over HTTP.
    let (emulator, date) = still_emulator();
    let server = emulator.serve("127.0.0.1:0").unwrap();
    let url = server.url();
    let env = env_with(&[("COS_EMULATOR_URL", url.as_str()), ("COS_REGION", "ap-beijing")]);
    let o = cos(&env, &["-v", "mb", "cos://photos-1250000000"]);
    assert_eq!(o.code, 0, "{o:?}");
    assert_eq!(o.err, format!("cos: target: the emulator at {url}, region ap-beijing\n"));
    let dir = TempDir::new();
    let file = dir.join("a.txt");
    std::fs::write(&file, "over http").unwrap();
    let uploaded = format!("uploaded {} -> cos://{PHOTOS}/a.txt (9 bytes)", file.display());
    ok(&env, &["put", file.to_str().unwrap(), "cos://photos-1250000000/"], &[uploaded]);
    ok(&env, &["ls", "cos://photos-1250000000"], &[object_line(9, &date, "a.txt")]);
    // A bucket made through a host that names no region is in the emulator's region.
    ok(&env, &["ls"], &[format!("{date}  ap-guangzhou      cos://{PHOTOS}")]);
    assert_eq!(emulator.object_bytes(PHOTOS, "a.txt"), Some(b"over http".to_vec()));
    server.shutdown();

    // Real COS: keys and a region; the description names neither key.
    let secret = [("COS_SECRET_ID", "AKIDsecretid"), ("COS_SECRET_KEY", "very-secret-key")];
    let with = |more: &[(&'static str, &'static str)]| env_with(&[&secret[..], more].concat());
    let connection = cos::target::connect(&with(&[("COS_REGION", "ap-shanghai"), ("COS_SECURITY_TOKEN", "tok")]))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        connection.description,
        "real COS, region ap-shanghai, temporary keys from COS_SECRET_ID/COS_SECRET_KEY"
    );
    assert_eq!((connection.region.as_str(), connection.ephemeral), ("ap-shanghai", false));
    assert_eq!(connection.client.config().progress_interval, Duration::from_millis(100));

    // Configuration errors: exit 2, the reason and the usage, no secret, no request made.
    let refused: [(Env, &str); 6] = [
        (with(&[]), "cos: COS_REGION is not set: real COS needs the region"),
        (with(&[("COS_REGION", "ap-shanghai"), ("COS_EMULATOR_URL", "http://127.0.0.1:1")]), "cos: both COS_SECRET_ID"),
        (env_with(&secret[..1]), "cos: COS_SECRET_ID is set but COS_SECRET_KEY is not ("),
        (env_with(&secret[1..]), "cos: COS_SECRET_KEY is set but COS_SECRET_ID is not ("),
        (env_with(&[("COS_SECURITY_TOKEN", "tok")]), "cos: COS_SECURITY_TOKEN is set without"),
        (env_with(&[("COS_EMULATOR_URL", "127.0.0.1:9000")]), "cos: COS_EMULATOR_URL=\"127.0.0.1:9000\": invalid"),
    ];
    for (env, start) in refused {
        let o = cos(&env, &["-v", "ls"]);
        assert_eq!((o.code, o.out.as_str(), o.err.lines().count()), (2, "", 1), "{o:?}");
        assert!(o.err.starts_with(start) && o.err.ends_with(" (see `cos --help` for the variables)\n"), "{o:?}");
        assert!(!o.err.contains("very-secret-key") && !o.err.contains("AKIDsecretid"), "{o:?}");
    }
    // An empty variable counts as unset.
    let o = cos(&env_with(&[("COS_SECRET_ID", ""), ("COS_EMULATOR_URL", "")]), &["ls"]);
    assert_eq!(o.code, 0, "{o:?}");
}

/// The CLI's way to one emulator: in-process through a spy that counts requests, or over the
/// emulator's HTTP front (`COS_EMULATOR_URL`).
struct Front {
    env: Env,
    spy: Option<Spy>,
    server: Option<tencent_cos::emulator::ServerHandle>,
}

impl Front {
    fn new(emulator: &Emulator, http: bool) -> Front {
        if http {
            let server = emulator.serve("127.0.0.1:0").unwrap();
            let env = env_with(&[("COS_EMULATOR_URL", server.url().as_str())]);
            Front { env, spy: None, server: Some(server) }
        } else {
            let spy = Spy::new(emulator.clone());
            let env = Env {
                vars: BTreeMap::new(),
                transport: Some(Arc::new(spy.clone())),
                progress_bars: false,
                home: None,
                interrupt: None,
            };
            Front { env, spy: Some(spy), server: None }
        }
    }

    /// Forgets the requests seen so far.
    fn reset(&self) {
        if let Some(spy) = &self.spy {
            spy.log.lock().unwrap().clear();
        }
    }

    /// In-process: the requests since `reset`, by method, are `expected`.
    #[track_caller]
    fn sent(&self, expected: &[(&str, usize)]) {
        if let Some(spy) = &self.spy {
            assert_eq!(methods(spy), counts(expected));
        }
    }

    fn shutdown(self) {
        if let Some(server) = self.server {
            server.shutdown();
        }
    }
}

fn made(env: &Env, bucket: &str) {
    ok(env, &["mb", &format!("cos://{bucket}")], &[format!("created bucket cos://{bucket}")]);
}

#[test]
fn usage_errors_are_one_line_with_a_hint_and_exit_2() {
    let env = env_on(&Emulator::new());
    let cases: [(&[&str], &str); 17] = [
        (&[], "no command given (see `cos --help`)"),
        (&["-v"], "no command given (see `cos --help`)"),
        (&["frobnicate"], "unrecognized subcommand 'frobnicate' (see `cos --help`)"),
        (&["ls", "--all"], "unexpected argument '--all' found (see `cos ls --help`)"),
        (&["ls", "-r"], "ls -r needs cos://BUCKET[/PREFIX] (see `cos ls --help`)"),
        (&["mb"], "the following required arguments were not provided: <BUCKET> (see `cos mb --help`)"),
        (
            &["mb", "cos://photos-1250000000/key"],
            "mb takes a bucket, cos://BUCKET, not \"cos://photos-1250000000/key\" (drop the key)",
        ),
        (&["put", "a.txt"], "the following required arguments were not provided: <DEST> (see `cos put --help`)"),
        (
            &["put", "cos://photos-1250000000/a", "b.txt"],
            "put takes a local path where \"cos://photos-1250000000/a\" stands (to download, `cos get \
             cos://photos-1250000000/a b.txt`)",
        ),
        (
            &["cp", "./file.txt", "cos://photos-1250000000/a"],
            "cp copies between cos:// paths; \"./file.txt\" is local (to upload it, `cos put ./file.txt \
             cos://photos-1250000000/a`)",
        ),
        (
            &["cp", "cos://photos-1250000000/a", "./file.txt"],
            "cp copies between cos:// paths; \"./file.txt\" is local (to download, `cos get \
             cos://photos-1250000000/a ./file.txt`)",
        ),
        (
            &["get", "photos/a.txt", "out"],
            "get takes cos://BUCKET/KEY first, not \"photos/a.txt\" (to upload, `cos put photos/a.txt out`)",
        ),
        (
            &["get", "cos://photos-1250000000", "out"],
            "get needs a key: cos://BUCKET/KEY, not \"cos://photos-1250000000\" (see `cos get --help`)",
        ),
        (
            &["rm", "cos://photos-1250000000"],
            "rm needs a key: cos://BUCKET/KEY, not \"cos://photos-1250000000\" (rm -r empties a prefix)",
        ),
        (
            &["put", "-", "cos://photos-1250000000/dir/"],
            "put - needs a full key, not cos://photos-1250000000/dir/ (stdin has no file name)",
        ),
        (&["sync", "a", "b"], "sync needs one cos:// path (to copy local files, use cp(1))"),
        (
            &["abort", "--older-than", "2 weeks", "cos://photos-1250000000"],
            "--older-than \"2 weeks\" is not a duration (a number and s, m, h or d: 90s, 30m, 2h, 7d)",
        ),
    ];
    for (args, reason) in cases {
        let o = cos(&env, args);
        assert_eq!((o.code, o.out.as_str(), o.err.as_str()), (2, "", format!("cos: {reason}\n").as_str()), "{args:?}");
    }
    let o = cos(&env, &["mb", "cos://Photos-1250000000"]);
    assert_eq!((o.code, o.err.lines().count()), (2, 1), "{o:?}");
    assert!(o.err.starts_with("cos: invalid argument `bucket`: \"Photos-1250000000\""), "{o:?}");
    assert!(o.err.ends_with(" (see `cos mb --help`)\n"), "{o:?}");
    // Nothing reached the emulator.
    assert!(Emulator::new().bucket_names().is_empty() && env_on(&Emulator::new()).transport.is_some());
}

#[test]
fn help_and_version_exit_0_on_stdout() {
    let env = env_on(&Emulator::new());
    let o = cos(&env, &["--version"]);
    assert_eq!((o.code, o.out, o.err), (0, format!("cos {}\n", env!("CARGO_PKG_VERSION")), String::new()));
    let o = cos(&env, &["--help"]);
    assert_eq!((o.code, o.err.as_str()), (0, ""), "{o:?}");
    for command in [
        "ls",
        "mb",
        "rb",
        "put",
        "get",
        "cat",
        "cp",
        "rm",
        "sync",
        "signurl",
        "stat",
        "hash",
        "du",
        "lsparts",
        "abort",
        "completions",
    ] {
        let line = o.out.lines().find(|l| l.trim_start().starts_with(&format!("{command} "))).unwrap_or_default();
        assert!(!line.is_empty(), "--help lists {command}: {}", o.out);
        let help = cos(&env, &[command, "--help"]);
        assert_eq!((help.code, help.err.as_str()), (0, ""), "{command} --help");
        assert!(help.out.contains(&format!("Usage: cos {command} ")), "{command}: {}", help.out);
    }
    for fact in [
        "COS_ENDPOINT",
        "COS_EMULATOR_URL",
        "COS_SECRET_ID",
        "0 success, 1 the operation failed, 2 usage or configuration error, 130 interrupted",
    ] {
        assert!(o.out.contains(fact), "{fact}: {}", o.out);
    }
    let o = cos(&env, &["ls", "-h"]);
    assert!(o.code == 0 && o.out.contains("--json") && o.out.contains("One JSON object per line"), "{o:?}");
    let o = cos(&env, &["completions", "bash"]);
    assert_eq!((o.code, o.err.as_str()), (0, ""), "{o:?}");
    assert!(o.out.contains("_cos()") && o.out.contains("lsparts") && o.out.contains("--older-than"), "{}", o.out);
    let o = cos(&env, &["completions", "tcsh"]);
    assert_eq!((o.code, o.out.as_str(), o.err.lines().count()), (2, "", 1), "{o:?}");
    assert!(o.err.starts_with("cos: invalid value 'tcsh' for '<SHELL>'"), "{o:?}");
}

/// `put -` of `data`, then `get KEY -` and `cat`, byte for byte.
fn stdin_stdout_round_trip(env: &Env, emulator: &Emulator, data: &[u8], multipart: bool) {
    let key = format!("stdin/{}.bin", data.len());
    let dest = format!("cos://{PHOTOS}/{key}");
    let (code, out, err) = cos_raw(env, &["put", "-", &dest], data);
    let kind = if multipart { ", multipart" } else { "" };
    assert_eq!(
        (code, out.as_slice(), err),
        (0, &b""[..], format!("uploaded - -> {dest} ({} bytes{kind})\n", data.len()))
    );
    assert!(emulator.object_bytes(PHOTOS, &key).as_deref() == Some(data), "{} bytes stored", data.len());
    for args in [&["get", dest.as_str(), "-"][..], &["cat", dest.as_str()]] {
        let (code, out, err) = cos_raw(env, args, b"");
        assert_eq!((code, err.as_str()), (0, ""), "{args:?}");
        assert!(out == data, "{args:?}: {} bytes out of {}", out.len(), data.len());
    }
}

#[test]
fn stdin_and_stdout_round_trips_in_process_and_over_http() {
    let emulator = Emulator::new();
    let env = env_on(&emulator);
    made(&env, PHOTOS);
    let several_parts = pattern(2 * MIB + 5, 3); // three parts of the default 1 MiB
    for (data, multipart) in [(&b""[..], false), (b"x", false), (&several_parts, true)] {
        stdin_stdout_round_trip(&env, &emulator, data, multipart);
    }
    assert!(emulator.pending_uploads(PHOTOS).is_empty());
    let server = emulator.serve("127.0.0.1:0").unwrap();
    let url = server.url();
    let http = env_with(&[("COS_EMULATOR_URL", url.as_str())]);
    for (data, multipart) in [(&b""[..], false), (b"y", false), (&several_parts[..MIB + 1], true)] {
        stdin_stdout_round_trip(&http, &emulator, data, multipart);
    }
    let (code, out, err) = cos_raw(&http, &["cat", &format!("cos://{PHOTOS}/missing")], b"");
    assert_eq!((code, out.len()), (1, 0), "{err}");
    assert!(err.starts_with(&format!("cos: cat cos://{PHOTOS}/missing failed: COS answered 404 NoSuchKey")), "{err}");
    server.shutdown();
}

/// Writes `files` (relative path, contents) under `root`.
fn write_tree(root: &std::path::Path, files: &[(&str, &[u8])]) {
    for (path, data) in files {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, data).unwrap();
    }
}

/// Requests by method, e.g. `[("GET", 1), ("HEAD", 3)]`, sorted by method.
fn methods(spy: &Spy) -> Vec<(String, usize)> {
    let mut counts = BTreeMap::new();
    for seen in spy.seen() {
        *counts.entry(seen.method).or_insert(0) += 1;
    }
    counts.into_iter().collect()
}

fn counts(pairs: &[(&str, usize)]) -> Vec<(String, usize)> {
    pairs.iter().map(|(m, n)| (m.to_string(), *n)).collect()
}

#[test]
fn sync_up_moves_only_what_differs_and_twice_moves_nothing() {
    for http in [false, true] {
        let emulator = Emulator::new();
        let front = Front::new(&emulator, http);
        sync_up(&emulator, &front);
        front.shutdown();
    }
}

fn sync_up(emulator: &Emulator, front: &Front) {
    let env = &front.env;
    made(env, PHOTOS);
    let dir = TempDir::new();
    let src = dir.join("site");
    let big = pattern(MIB + 100, 9); // multipart
    write_tree(
        &src,
        &[("index.html", b"<h1>hi</h1>"), ("css/a.css", b"a{}"), ("img/big.bin", &big), ("tmp/x.log", b"log")],
    );
    let s = src.display();
    let dest = format!("cos://{PHOTOS}/site");

    let lines = [
        format!("uploaded {s}/css/a.css -> cos://{PHOTOS}/site/css/a.css (3 bytes)"),
        format!("uploaded {s}/img/big.bin -> cos://{PHOTOS}/site/img/big.bin (1048676 bytes)"),
        format!("uploaded {s}/index.html -> cos://{PHOTOS}/site/index.html (11 bytes)"),
        "sync: uploaded 3, skipped 0, deleted 0, 1048690 bytes".to_owned(),
    ];
    ok(env, &["sync", "--exclude", "*.log", src.to_str().unwrap(), &dest], &lines);
    assert_eq!(emulator.object_keys(PHOTOS), ["site/css/a.css", "site/img/big.bin", "site/index.html"]);
    assert!(emulator.object_bytes(PHOTOS, "site/img/big.bin").unwrap() == big);

    // The second run lists once and HEADs each file of equal size: nothing is written.
    front.reset();
    let unchanged = ["sync: uploaded 0, skipped 3, deleted 0, 0 bytes".to_owned()];
    ok(env, &["sync", "--exclude", "*.log", src.to_str().unwrap(), &dest], &unchanged);
    front.sent(&[("GET", 1), ("HEAD", 3)]);

    // Same size, other bytes: the CRC-64 tells; a removed file goes with --delete; an excluded
    // object is never deleted.
    std::fs::write(src.join("css/a.css"), b"b{}").unwrap();
    std::fs::remove_file(src.join("index.html")).unwrap();
    emulator_put(env, "site/keep.log", b"remote only, excluded");
    front.reset();
    let lines = [
        format!("uploaded {s}/css/a.css -> cos://{PHOTOS}/site/css/a.css (3 bytes)"),
        format!("deleted cos://{PHOTOS}/site/index.html"),
        "sync: uploaded 1, skipped 1, deleted 1, 3 bytes".to_owned(),
    ];
    ok(env, &["sync", "--delete", "--exclude", "*.log", src.to_str().unwrap(), &dest], &lines);
    front.sent(&[("GET", 1), ("HEAD", 2), ("POST", 1), ("PUT", 1)]);
    assert_eq!(emulator.object_bytes(PHOTOS, "site/css/a.css"), Some(b"b{}".to_vec()));
    assert_eq!(emulator.object_keys(PHOTOS), ["site/css/a.css", "site/img/big.bin", "site/keep.log"]);

    // --include: only what matches moves (a glob with / matches the whole path).
    let lines = [
        format!("uploaded {s}/tmp/x.log -> cos://{PHOTOS}/site/tmp/x.log (3 bytes)"),
        "sync: uploaded 1, skipped 0, deleted 0, 3 bytes".to_owned(),
    ];
    ok(env, &["sync", "--include", "tmp/**", src.to_str().unwrap(), &dest], &lines);

    // A missing source directory is named.
    let missing = dir.join("nope");
    let o = cos(env, &["sync", missing.to_str().unwrap(), &dest]);
    assert_eq!(o.code, 1, "{o:?}");
    assert!(
        o.err.starts_with(&format!(
            "cos: sync {} {dest} failed: {}: No such file",
            missing.display(),
            missing.display()
        )),
        "{o:?}"
    );
}

fn emulator_put(env: &Env, key: &str, data: &[u8]) {
    let connection = cos::target::connect(env).unwrap_or_else(|e| panic!("{e}"));
    connection.client.bucket(PHOTOS).put_object(key).body(data.to_vec()).send().unwrap();
}

#[test]
fn sync_down_put_r_and_get_r_byte_exact() {
    for http in [false, true] {
        let emulator = Emulator::new();
        let front = Front::new(&emulator, http);
        sync_down(&front);
        front.shutdown();
    }
}

fn sync_down(front: &Front) {
    let env = &front.env;
    made(env, PHOTOS);
    let dir = TempDir::new();
    let (src, copy, mirror) = (dir.join("src"), dir.join("copy"), dir.join("mirror"));
    let two = pattern(2 * MIB + 1, 4);
    write_tree(&src, &[("a.txt", b"alpha"), ("deep/er/b.bin", &two), ("skip.tmp", b"tmp")]);
    let (s, c, m) = (src.display(), copy.display(), mirror.display());

    let lines = [
        format!("uploaded {s}/a.txt -> cos://{PHOTOS}/p/a.txt (5 bytes)"),
        format!("uploaded {s}/deep/er/b.bin -> cos://{PHOTOS}/p/deep/er/b.bin (2097153 bytes)"),
        "put -r: uploaded 2, skipped 0, deleted 0, 2097158 bytes".to_owned(),
    ];
    ok(env, &["put", "-r", "--exclude", "*.tmp", src.to_str().unwrap(), &format!("cos://{PHOTOS}/p/")], &lines);
    // put -r moves everything again (no comparison).
    ok(env, &["put", "-r", "--exclude", "*.tmp", src.to_str().unwrap(), &format!("cos://{PHOTOS}/p/")], &lines);

    let lines = [
        format!("downloaded cos://{PHOTOS}/p/a.txt -> {c}/a.txt (5 bytes)"),
        format!("downloaded cos://{PHOTOS}/p/deep/er/b.bin -> {c}/deep/er/b.bin (2097153 bytes)"),
        "get -r: downloaded 2, skipped 0, deleted 0, 2097158 bytes".to_owned(),
    ];
    ok(env, &["get", "-r", &format!("cos://{PHOTOS}/p"), copy.to_str().unwrap()], &lines);
    assert_eq!(std::fs::read(copy.join("a.txt")).unwrap(), b"alpha");
    assert!(std::fs::read(copy.join("deep/er/b.bin")).unwrap() == two);

    let lines = [
        format!("downloaded cos://{PHOTOS}/p/a.txt -> {m}/a.txt (5 bytes)"),
        "sync: downloaded 1, skipped 0, deleted 0, 5 bytes".to_owned(),
    ];
    ok(env, &["sync", "--include", "*.txt", &format!("cos://{PHOTOS}/p/"), mirror.to_str().unwrap()], &lines);
    let lines = [
        format!("downloaded cos://{PHOTOS}/p/deep/er/b.bin -> {m}/deep/er/b.bin (2097153 bytes)"),
        "sync: downloaded 1, skipped 1, deleted 0, 2097153 bytes".to_owned(),
    ];
    ok(env, &["sync", &format!("cos://{PHOTOS}/p/"), mirror.to_str().unwrap()], &lines);
    front.reset();
    ok(
        env,
        &["sync", &format!("cos://{PHOTOS}/p/"), mirror.to_str().unwrap()],
        &["sync: downloaded 0, skipped 2, deleted 0, 0 bytes".to_owned()],
    );
    front.sent(&[("GET", 1), ("HEAD", 2)]);

    std::fs::write(mirror.join("extra.txt"), b"local only").unwrap();
    let lines = [format!("deleted {m}/extra.txt"), "sync: downloaded 0, skipped 2, deleted 1, 0 bytes".to_owned()];
    ok(env, &["sync", "--delete", &format!("cos://{PHOTOS}/p/"), mirror.to_str().unwrap()], &lines);
    assert!(!mirror.join("extra.txt").exists() && std::fs::read(mirror.join("deep/er/b.bin")).unwrap() == two);
}

#[test]
fn signurl_stat_hash_du_and_ls_json() {
    for http in [false, true] {
        let (emulator, date) = still_emulator();
        let front = Front::new(&emulator, http);
        signurl_stat_hash_du_ls_json(&front, &date);
        front.shutdown();
    }
}

fn signurl_stat_hash_du_ls_json(front: &Front, date: &str) {
    let env = &front.env;
    made(env, PHOTOS);
    let (code, _, err) = cos_raw(env, &["put", "-", &format!("cos://{PHOTOS}/d/check.txt")], b"123456789");
    assert_eq!((code, err), (0, format!("uploaded - -> cos://{PHOTOS}/d/check.txt (9 bytes)\n")));
    let (code, _, _) = cos_raw(env, &["put", "-", &format!("cos://{PHOTOS}/d/sub/two.txt")], b"22");
    assert_eq!(code, 0);

    // signurl: a URL that fetches the object over HTTP without the client.
    let o = cos(env, &["signurl", "--expires", "600", &format!("cos://{PHOTOS}/d/check.txt")]);
    assert_eq!((o.code, o.err.as_str(), o.out.lines().count()), (0, "", 1), "{o:?}");
    let signed = o.out.trim_end();
    if let Some(server) = &front.server {
        let url = server.url();
        assert!(signed.starts_with(&format!("{url}/{PHOTOS}/d/check.txt?q-sign-algorithm=sha1&")), "{signed}");
        let body = ureq::get(signed).call().unwrap().body_mut().read_to_vec().unwrap();
        assert_eq!(body, b"123456789");
    } else {
        let public = format!("https://{PHOTOS}.cos.ap-guangzhou.myqcloud.com/d/check.txt?q-sign-algorithm=sha1&");
        assert!(signed.starts_with(&public), "{signed}");
    }
    let o = cos(env, &["signurl", "--method", "put", &format!("cos://{PHOTOS}/d/check.txt")]);
    assert!(o.code == 0 && o.out.contains("q-sign-time="), "{o:?}");

    // hash: CRC-64/XZ and MD5 check values of "123456789", for a local file and the object.
    let dir = TempDir::new();
    let file = dir.join("check.txt");
    std::fs::write(&file, b"123456789").unwrap();
    const CHECK: &str = "crc64 11051210869376104954  md5 25f9e794323b453885f5181f1b624d0b";
    ok(env, &["hash", file.to_str().unwrap()], &[format!("{CHECK}  {}", file.display())]);
    ok(env, &["hash", &format!("cos://{PHOTOS}/d/check.txt")], &[format!("{CHECK}  cos://{PHOTOS}/d/check.txt")]);
    let o = cos(env, &["hash", dir.join("absent").to_str().unwrap()]);
    assert!(o.code == 1 && o.err.contains(&format!("{}: No such file", dir.join("absent").display())), "{o:?}");

    // stat: every header of the HEAD answer, as `name: value`.
    let o = cos(env, &["stat", &format!("cos://{PHOTOS}/d/check.txt")]);
    assert_eq!((o.code, o.err.as_str()), (0, ""), "{o:?}");
    let lines: Vec<&str> = o.out.lines().collect();
    let header = |name: &str| {
        lines.iter().find_map(|l| l.strip_prefix(&format!("{name}: "))).unwrap_or_else(|| panic!("{name}: {o:?}"))
    };
    assert_eq!(header("content-length"), "9");
    assert_eq!(header("x-cos-hash-crc64ecma"), "11051210869376104954");
    assert_eq!(header("etag"), "\"25f9e794323b453885f5181f1b624d0b\"");
    assert!(header("x-cos-request-id").len() > 4);
    assert!(lines.iter().all(|l| l.split_once(": ").is_some()), "{o:?}");
    let o = cos(env, &["stat", &format!("cos://{PHOTOS}/d/absent.txt")]);
    assert!(o.code == 1 && o.err.contains("404 NoSuchKey"), "{o:?}");

    ok(env, &["du", &format!("cos://{PHOTOS}/d/")], &[format!("11 bytes in 2 object(s) under cos://{PHOTOS}/d/")]);
    ok(env, &["du", &format!("cos://{PHOTOS}/none")], &[format!("0 bytes in 0 object(s) under cos://{PHOTOS}/none/")]);

    let etag = "\\\"25f9e794323b453885f5181f1b624d0b\\\"";
    ok(env, &["ls", "--json"], &[format!(r#"{{"creation_date":"{date}","name":"{PHOTOS}","region":"ap-guangzhou"}}"#)]);
    let check = format!(
        r#"{{"etag":"{etag}","key":"d/check.txt","last_modified":"{date}","size":9,"storage_class":"STANDARD"}}"#
    );
    ok(env, &["ls", "--json", &format!("cos://{PHOTOS}/d/")], &[check.clone(), r#"{"prefix":"d/sub/"}"#.to_owned()]);
    let o = cos(env, &["ls", "-r", "--json", &format!("cos://{PHOTOS}")]);
    let keys: Vec<String> = o
        .out
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["key"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!((o.code, keys), (0, vec!["d/check.txt".to_owned(), "d/sub/two.txt".to_owned()]));
}

#[test]
fn lsparts_shows_ages_and_abort_takes_the_old_ones() {
    for http in [false, true] {
        lsparts_and_abort(http);
    }
}

fn lsparts_and_abort(http: bool) {
    // The uploads are started in the past by the emulator's clock (through a client whose
    // clock agrees with it, so its signatures hold); the CLI then runs on the real clock, the
    // emulator's set back to it: ages come from the library's parse of `Initiated`.
    let real_now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
    let (t_old, t_new) = (real_now - 4390, real_now - 3600);
    let clock = Arc::new(std::sync::atomic::AtomicU64::new(t_old));
    let read = clock.clone();
    let emulator = Emulator::builder().clock(move || read.load(std::sync::atomic::Ordering::SeqCst)).build();
    let back_then = clock.clone();
    let photos = tencent_cos::Client::builder()
        .secret(tencent_cos::emulator::DEFAULT_SECRET_ID, tencent_cos::emulator::DEFAULT_SECRET_KEY)
        .region("ap-guangzhou")
        .transport(emulator.clone())
        .clock(move || back_then.load(std::sync::atomic::Ordering::SeqCst))
        .build()
        .unwrap()
        .bucket(PHOTOS);
    photos.put_bucket().send().unwrap();
    let old = photos.multipart_init("logs/old.bin").send().unwrap().upload_id;
    clock.store(t_new, std::sync::atomic::Ordering::SeqCst);
    let new = photos.multipart_init("logs/new.bin").send().unwrap().upload_id;
    let other = photos.multipart_init("other.bin").send().unwrap().upload_id;
    clock.store(real_now, std::sync::atomic::Ordering::SeqCst);
    let front = Front::new(&emulator, http);
    let env = front.env.clone();

    // Ages are 1h13m10s and 1h0m0s, plus the seconds this test takes (far below a minute).
    let lines = [
        format!("{}  {:>7}  {new}  logs/new.bin", iso8601(t_new), "1h0m"),
        format!("{}  {:>7}  {old}  logs/old.bin", iso8601(t_old), "1h13m"),
    ];
    let o = cos(&env, &["lsparts", &format!("cos://{PHOTOS}/logs/")]);
    assert_eq!((o.code, o.err.as_str()), (0, ""), "{o:?}");
    let mut got: Vec<&str> = o.out.lines().collect();
    got.sort_by_key(|l| l.split("  ").last().unwrap_or_default().to_owned());
    let mut expected: Vec<&str> = lines.iter().map(String::as_str).collect();
    expected.sort_by_key(|l| l.split("  ").last().unwrap_or_default().to_owned());
    assert_eq!(got, expected);

    let aborted = [
        format!("aborted cos://{PHOTOS}/logs/old.bin (upload {old})"),
        format!("aborted 1 upload(s) under cos://{PHOTOS}/logs/"),
    ];
    ok(&env, &["abort", "--older-than", "65m", &format!("cos://{PHOTOS}/logs/")], &aborted);
    let pending: Vec<String> = emulator.pending_uploads(PHOTOS).into_iter().map(|(k, _)| k).collect();
    assert_eq!(pending, ["logs/new.bin", "other.bin"]);
    let aborted = [
        format!("aborted cos://{PHOTOS}/logs/new.bin (upload {new})"),
        format!("aborted 1 upload(s) under cos://{PHOTOS}/logs/"),
    ];
    ok(&env, &["abort", &format!("cos://{PHOTOS}/logs/")], &aborted);
    assert_eq!(emulator.pending_uploads(PHOTOS), [("other.bin".to_owned(), other)]);
    front.shutdown();
}

#[test]
fn errors_name_the_missing_directory_and_the_unreachable_endpoint() {
    let env = env_on(&Emulator::new());
    made(&env, PHOTOS);
    let dir = TempDir::new();
    let missing = dir.join("no/such/dir");
    let o = cos(&env, &["get", &format!("cos://{PHOTOS}/a.txt"), missing.join("a.txt").to_str().unwrap()]);
    let failed = format!(
        "cos: get cos://{PHOTOS}/a.txt {} failed: {}: no such directory\n",
        missing.join("a.txt").display(),
        missing.display()
    );
    assert_eq!((o.code, o.err), (1, failed));
    let o = cos(&env, &["put", "-r", missing.to_str().unwrap(), &format!("cos://{PHOTOS}/p/")]);
    assert!(
        o.code == 1 && o.err.contains(&format!("failed: {}: No such file or directory", missing.display())),
        "{o:?}"
    );

    // Nothing listens on the port of a server just shut down.
    let server = Emulator::new().serve("127.0.0.1:0").unwrap();
    let url = server.url();
    server.shutdown();
    let o = cos(&env_with(&[("COS_EMULATOR_URL", url.as_str())]), &["ls"]);
    assert_eq!(o.code, 1, "{o:?}");
    assert!(o.err.starts_with(&format!("cos: ls failed: cannot reach {url}: ")), "{o:?}");
}

#[test]
fn cos_endpoint_points_real_keys_at_a_custom_endpoint() {
    use tencent_cos::emulator::{DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY};
    let emulator = Emulator::new();
    let server = emulator.serve("127.0.0.1:0").unwrap();
    let url = server.url();
    let keys =
        [("COS_SECRET_ID", DEFAULT_SECRET_ID), ("COS_SECRET_KEY", DEFAULT_SECRET_KEY), ("COS_REGION", "ap-guangzhou")];
    let env = env_with(&[&keys[..], &[("COS_ENDPOINT", url.as_str())]].concat());
    let o = cos(&env, &["-v", "mb", &format!("cos://{PHOTOS}")]);
    assert_eq!(o.code, 0, "{o:?}");
    let said = format!(
        "cos: target: real COS at {url}, region ap-guangzhou, permanent keys from COS_SECRET_ID/COS_SECRET_KEY\n"
    );
    assert_eq!(o.err, said);
    assert!(!o.err.contains(DEFAULT_SECRET_KEY));
    let (code, _, _) = cos_raw(&env, &["put", "-", &format!("cos://{PHOTOS}/k")], b"via COS_ENDPOINT");
    assert_eq!(code, 0);
    assert_eq!(emulator.object_bytes(PHOTOS, "k"), Some(b"via COS_ENDPOINT".to_vec()));
    server.shutdown();

    let template = env_with(&[&keys[..], &[("COS_ENDPOINT", "{Bucket}.cos-internal.{Region}.tencentcos.cn")]].concat());
    let connection = cos::target::connect(&template).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(connection.client.config().domain, "{Bucket}.cos-internal.{Region}.tencentcos.cn");
    let o = cos(&env_with(&[("COS_ENDPOINT", url.as_str())]), &["ls"]);
    assert_eq!(o.code, 2, "{o:?}");
    assert!(o.err.starts_with("cos: COS_ENDPOINT is set without COS_SECRET_ID and COS_SECRET_KEY"), "{o:?}");
    let o = cos(&env_with(&[&keys[..], &[("COS_ENDPOINT", "host/with/path")]].concat()), &["ls"]);
    assert!(o.code == 2 && o.err.starts_with("cos: COS_ENDPOINT=\"host/with/path\": a host template"), "{o:?}");
}

#[test]
fn a_resumed_put_says_how_many_parts_it_reused() {
    let emulator = Emulator::new();
    let env = env_on(&emulator);
    made(&env, PHOTOS);
    let dir = TempDir::new();
    let data = pattern(3 * MIB + 7, 11);
    let file = dir.join("big.bin");
    std::fs::write(&file, &data).unwrap();
    // An earlier, interrupted upload of the same file left parts 1 and 2 (1 MiB each).
    let connection = cos::target::connect(&env).unwrap_or_else(|e| panic!("{e}"));
    let photos = connection.client.bucket(PHOTOS);
    let id = photos.multipart_init("big.bin").send().unwrap().upload_id;
    for part in 1..=2u32 {
        let range = (part as usize - 1) * MIB..part as usize * MIB;
        photos.multipart_upload("big.bin", &id, part, data[range].to_vec()).send().unwrap();
    }
    let uploaded =
        format!("uploaded {} -> cos://{PHOTOS}/big.bin (3145735 bytes, multipart, resumed 2 part(s))", file.display());
    ok(&env, &["put", file.to_str().unwrap(), &format!("cos://{PHOTOS}/big.bin")], &[uploaded]);
    assert!(emulator.object_bytes(PHOTOS, "big.bin").unwrap() == data);
    assert!(emulator.pending_uploads(PHOTOS).is_empty());
}

#[test]
fn globs_match_names_and_paths() {
    use cos::tree::glob_match;
    let cases = [
        ("*.log", "x.log", true),
        ("*.log", "dir/x.log", false),
        ("a?c", "abc", true),
        ("a?c", "a/c", false),
        ("tmp/**", "tmp/x/y.txt", true),
        ("**/*.css", "a.css", true),
        ("**/*.css", "deep/er/a.css", true),
        ("**/*.css", "deep/a.cs", false),
        ("css/*", "css/a/b", false),
        ("", "", true),
        ("exact", "exactly", false),
    ];
    for (pattern, text, expected) in cases {
        assert_eq!(glob_match(pattern, text), expected, "{pattern:?} on {text:?}");
    }
    let options = cli::TreeOptions {
        compare: true,
        delete: false,
        include: vec!["*.txt".into(), "keep/**".into()],
        exclude: vec!["secret*".into()],
    };
    let selected: Vec<&str> = ["a.txt", "d/b.txt", "keep/c.bin", "secret.txt", "d/secret2.txt", "x.bin"]
        .into_iter()
        .filter(|p| cos::tree::selected(&options, p))
        .collect();
    assert_eq!(selected, ["a.txt", "d/b.txt", "keep/c.bin"]);
}

#[test]
fn the_hash_phase_is_its_own_bar_and_position_and_total_move_together() {
    use tencent_cos::transfer::ProgressInfo;
    let info = |loaded, total| ProgressInfo::new(loaded, total, 0.0);
    let bar = cos::progress::Bar::new("put", false);
    assert_eq!(bar.state(), (0, Some(0), true));
    (bar.on_hash_progress())(&info(2 * MIB as u64, 4 * MIB as u64));
    // Hashing moves its own bar, not the transfer's.
    assert_eq!(bar.state(), (0, Some(0), true));
    let on_progress = bar.on_progress();
    on_progress(&info(2 * MIB as u64, 6 * MIB as u64));
    assert_eq!(bar.state(), (2 * MIB as u64, Some(6 * MIB as u64), false));
    // A stream of unknown length reports total 0 until its end: the bar's total is never behind.
    on_progress(&info(7 * MIB as u64, 0));
    assert_eq!(bar.state(), (7 * MIB as u64, Some(7 * MIB as u64), false));
    bar.clear();
}

/// The `cos` process of the child-process tests: this test binary started again with
/// `COS_CLI_CHILD_ARGS` (the arguments, separated by U+001F) runs the example's whole `main`
/// (logger, Ctrl-C handler, process environment) and exits with its status.
#[test]
#[ignore = "run by the child-process tests as the `cos` process"]
fn cos_child_process() {
    let args = std::env::var("COS_CLI_CHILD_ARGS").expect("only started by the child-process tests");
    let code = cos::run_process(args.split('\u{1f}').map(std::ffi::OsString::from).collect());
    std::process::exit(i32::from(code));
}

/// Starts `cos ARGS` as a process (see [`cos_child_process`]) with only `vars` of the `COS_*`
/// variables, HOME an empty directory, stdin `stdin`.
fn spawn_cos(args: &[&str], vars: &[(&str, &str)], home: &std::path::Path) -> std::process::Child {
    cos_command(args, vars, home).spawn().unwrap()
}

/// The command [`spawn_cos`] starts, stdin null, stdout and stderr piped.
fn cos_command(args: &[&str], vars: &[(&str, &str)], home: &std::path::Path) -> std::process::Command {
    let mut command = std::process::Command::new(std::env::current_exe().unwrap());
    command.args(["--ignored", "--exact", "cli::cos_child_process", "--nocapture", "--test-threads=1", "-q"]);
    for name in Env::NAMES {
        command.env_remove(name);
    }
    command.env("COS_CLI_CHILD_ARGS", args.join("\u{1f}")).env("HOME", home).envs(vars.iter().copied());
    command
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    command
}

/// Waits for `child` at most `limit` (killing it after), then its status and stderr.
fn finish_child(child: std::process::Child, limit: Duration) -> (Option<i32>, String) {
    let (code, _, err) = finish_child_output(child, limit);
    (code, err)
}

/// [`finish_child`], with stdout too: status, stdout, stderr.
fn finish_child_output(mut child: std::process::Child, limit: Duration) -> (Option<i32>, String, String) {
    let start = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > limit {
            child.kill().unwrap();
            let out = child.wait_with_output().unwrap();
            panic!("cos did not end within {limit:?}: {}", String::from_utf8_lossy(&out.stderr));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    (out.status.code(), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

#[test]
fn vv_shows_each_request_on_stderr_and_no_secret() {
    let emulator = Emulator::new();
    let server = emulator.serve("127.0.0.1:0").unwrap();
    let url = server.url();
    let home = TempDir::new();
    let keys = [
        ("COS_SECRET_ID", tencent_cos::emulator::DEFAULT_SECRET_ID),
        ("COS_SECRET_KEY", tencent_cos::emulator::DEFAULT_SECRET_KEY),
        ("COS_REGION", "ap-guangzhou"),
        ("COS_ENDPOINT", url.as_str()),
    ];
    let (code, err) =
        finish_child(spawn_cos(&["-vv", "mb", &format!("cos://{PHOTOS}")], &keys, &home.path), Duration::from_secs(60));
    assert_eq!(code, Some(0), "{err}");
    let lines: Vec<&str> = err.lines().collect();
    assert!(lines[0].starts_with("cos: target: real COS at "), "{err}");
    let request = format!("cos: debug: PUT {url}/{PHOTOS}/ -> 200 in ");
    assert!(lines.iter().any(|l| l.starts_with(&request) && l.contains("(request id ")), "{request:?} in {err}");
    assert!(!err.contains(tencent_cos::emulator::DEFAULT_SECRET_KEY), "{err}");
    assert!(!err.contains("q-signature"), "{err}");
    // -v alone: info and above, so no request line.
    let (code, err) = finish_child(spawn_cos(&["-v", "ls"], &keys, &home.path), Duration::from_secs(60));
    assert_eq!(code, Some(0), "{err}");
    assert!(!err.contains("cos: debug:"), "{err}");
    server.shutdown();
}

/// A real `cos -v put` process whose stderr is a pipe: no bar is drawn, stdout has the one
/// result line, and stderr has the target and the library's info line for the resume, nothing
/// else.
#[test]
fn no_bar_when_stderr_is_not_a_terminal_and_v_shows_the_resume() {
    let emulator = Emulator::new();
    let server = emulator.serve("127.0.0.1:0").unwrap();
    let url = server.url();
    let vars = [("COS_EMULATOR_URL", url.as_str())];
    let env = env_with(&vars);
    made(&env, PHOTOS);
    let dir = TempDir::new();
    let data = pattern(3 * MIB + 7, 12);
    let file = dir.join("big.bin");
    std::fs::write(&file, &data).unwrap();
    // An earlier, interrupted upload of the same file left part 1 (1 MiB).
    let connection = cos::target::connect(&env).unwrap_or_else(|e| panic!("{e}"));
    let photos = connection.client.bucket(PHOTOS);
    let id = photos.multipart_init("big.bin").send().unwrap().upload_id;
    photos.multipart_upload("big.bin", &id, 1, data[..MIB].to_vec()).send().unwrap();
    let args = ["-v", "put", file.to_str().unwrap(), "cos://photos-1250000000/big.bin"];
    let (code, out, err) = finish_child_output(spawn_cos(&args, &vars, &dir.path), Duration::from_secs(60));
    assert_eq!(code, Some(0), "{err}");
    let uploaded = format!(
        "uploaded {} -> cos://{PHOTOS}/big.bin (3145735 bytes, multipart, resumed 1 part(s))\n",
        file.display()
    );
    // The test harness of the child process says `running 1 test` first; then cos's own output.
    assert_eq!(out.strip_prefix("\nrunning 1 test\n"), Some(uploaded.as_str()), "{out}");
    let said = format!(
        "cos: target: the emulator at {url}, region ap-guangzhou\n\
         cos: info: resuming upload {id} of {PHOTOS}/big.bin: 1 of 4 part(s) already on COS\n"
    );
    assert_eq!(err, said);
    assert!(emulator.object_bytes(PHOTOS, "big.bin").unwrap() == data);
    server.shutdown();
}

#[cfg(unix)]
#[test]
fn ctrl_c_pauses_a_put_keeps_the_upload_and_exits_130() {
    // The emulator reads its clock for every request: a clock that takes 100 ms makes every
    // answer slow, so the 16-part upload is still running when SIGINT comes.
    let slow = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let is_slow = slow.clone();
    let emulator = Emulator::builder()
        .clock(move || {
            if is_slow.load(std::sync::atomic::Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(100));
            }
            SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()
        })
        .build();
    let server = emulator.serve("127.0.0.1:0").unwrap();
    let url = server.url();
    let vars = [("COS_EMULATOR_URL", url.as_str())];
    made(&env_with(&vars), PHOTOS);
    let dir = TempDir::new();
    let file = dir.join("big.bin");
    let data = pattern(16 * MIB, 5);
    std::fs::write(&file, &data).unwrap();
    let child = spawn_cos(&["put", file.to_str().unwrap(), &format!("cos://{PHOTOS}/big.bin")], &vars, &dir.path);
    // Wait (bounded) until the upload exists and has a part, then interrupt.
    let start = std::time::Instant::now();
    while emulator.pending_uploads(PHOTOS).is_empty() {
        assert!(start.elapsed() < Duration::from_secs(60), "the upload never started");
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(400));
    // SAFETY: kill(2) on the child's pid.
    assert_eq!(unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) }, 0);
    let (code, err) = finish_child(child, Duration::from_secs(60));
    assert_eq!(code, Some(130), "{err}");
    let pending = emulator.pending_uploads(PHOTOS);
    assert_eq!(pending.len(), 1, "{pending:?}");
    let (key, upload_id) = &pending[0];
    assert_eq!(key, "big.bin");
    let said = format!(
        "cos: put {} cos://{PHOTOS}/big.bin interrupted: kept upload {upload_id} of cos://{PHOTOS}/big.bin with ",
        file.display()
    );
    assert!(
        err.lines()
            .last()
            .is_some_and(|l| l.starts_with(&said)
                && l.ends_with(" part(s) done; the same put resumes it, `cos abort` removes it")),
        "{said:?} in {err}"
    );
    slow.store(false, std::sync::atomic::Ordering::SeqCst);
    let o = cos(&env_with(&vars), &["lsparts", &format!("cos://{PHOTOS}")]);
    assert_eq!((o.code, o.out.lines().count()), (0, 1), "{o:?}");
    assert!(o.out.trim_end().ends_with(&format!("  {upload_id}  big.bin")), "{o:?}");
    // The same put resumes it.
    let o = cos(&env_with(&vars), &["put", file.to_str().unwrap(), &format!("cos://{PHOTOS}/big.bin")]);
    assert_eq!(o.code, 0, "{o:?}");
    assert!(o.out.contains("multipart, resumed "), "{o:?}");
    assert!(emulator.object_bytes(PHOTOS, "big.bin").unwrap() == data);
    server.shutdown();
}

/// Any command but a `put` of a file stops at once on Ctrl-C with 130: here `put -` waiting for
/// a stdin that never ends, interrupted once its target line shows the handler is installed.
#[cfg(unix)]
#[test]
fn ctrl_c_stops_other_commands_at_once_with_130() {
    use std::io::BufRead;
    let emulator = Emulator::new();
    let server = emulator.serve("127.0.0.1:0").unwrap();
    let url = server.url();
    let vars = [("COS_EMULATOR_URL", url.as_str())];
    made(&env_with(&vars), PHOTOS);
    let home = TempDir::new();
    let mut command = cos_command(&["-v", "put", "-", &format!("cos://{PHOTOS}/stdin.bin")], &vars, &home.path);
    let mut child = command.stdin(std::process::Stdio::piped()).spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    std::io::Write::write_all(&mut stdin, b"some bytes, and no end").unwrap();
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    stderr.read_line(&mut line).unwrap();
    assert_eq!(line, format!("cos: target: the emulator at {url}, region ap-guangzhou\n"));
    // SAFETY: kill(2) on the child's pid.
    assert_eq!(unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) }, 0);
    let (code, _, _) = finish_child_output(child, Duration::from_secs(30));
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).unwrap();
    assert_eq!((code, rest.as_str()), (Some(130), ""));
    drop(stdin);
    assert!(emulator.pending_uploads(PHOTOS).is_empty() && emulator.object_bytes(PHOTOS, "stdin.bin").is_none());
    server.shutdown();
}

#[test]
fn coscli_yaml_is_read_when_no_variable_is_set_and_the_environment_wins() {
    let home = TempDir::new();
    let yaml = "cos:\n  base:\n    secretid: AKIDfromyaml\n    secretkey: yaml-secret-key\n    sessiontoken: \"\"\n    protocol: https\n  buckets:\n  - name: photos-1250000000\n    alias: photos\n    region: ap-chengdu\n    endpoint: cos.ap-chengdu.myqcloud.com\n  - name: other-1250000000\n    region: ap-beijing\n";
    std::fs::write(home.join(".cos.yaml"), yaml).unwrap();
    let mut env = env_with(&[]);
    env.home = Some(home.path.clone());
    let connection = cos::target::connect(&env).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        connection.description,
        "real COS at {Bucket}.cos.ap-chengdu.myqcloud.com, region ap-chengdu, permanent keys from ~/.cos.yaml"
    );
    assert_eq!(connection.client.config().domain, "{Bucket}.cos.ap-chengdu.myqcloud.com");
    assert!(!connection.description.contains("yaml-secret-key"));
    // Any COS_* variable: the file is not read.
    let mut env = env_with(&[("COS_REGION", "ap-shanghai")]);
    env.home = Some(home.path.clone());
    let connection = cos::target::connect(&env).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        connection.description,
        "an emulator in this process, region ap-shanghai"
            .replace("an emulator", "a new emulator")
            .replace("process,", "process (gone at exit),")
    );
    // A file without keys is no configuration.
    std::fs::write(home.join(".cos.yaml"), "cos:\n  base:\n    protocol: https\n").unwrap();
    let mut env = env_with(&[]);
    env.home = Some(home.path.clone());
    assert!(cos::target::coscli_config(&env).is_none());
}

/// What a user types that the happy paths do not: a bucket's root with and without `/`, keys
/// with spaces, `+`, `%` and non-ASCII letters, an empty file, a directory where a file is
/// expected and the other way round, a prefix that is also the start of other keys, and a
/// download where an object `P` and objects under `P/` both exist.
#[test]
fn hostile_paths_keys_and_shapes() {
    for http in [false, true] {
        let (emulator, date) = still_emulator();
        let front = Front::new(&emulator, http);
        hostile(&front, &emulator, &date);
        front.shutdown();
    }
}

/// Runs `args`, expecting `code`, exactly `out` on stdout and `err` on stderr.
#[track_caller]
fn fails(env: &Env, args: &[&str], code: u8, out: &[String], err: &str) {
    let o = cos(env, args);
    let expected: String = out.iter().map(|l| format!("{l}\n")).collect();
    assert_eq!((o.code, o.out.as_str(), o.err.as_str()), (code, expected.as_str(), err), "{args:?}");
}

fn hostile(front: &Front, emulator: &Emulator, date: &str) {
    let env = &front.env;
    made(env, PHOTOS);
    let dir = TempDir::new();
    let (src, d) = (dir.join("src"), dir.path.display().to_string());
    write_tree(&src, &[("a.txt", b"alpha"), ("sub/b.txt", b"bee")]);
    let s = src.display();

    // A bucket's root, written `cos://B` or `cos://B/`: keys start right after the bucket.
    for root in [format!("cos://{PHOTOS}"), format!("cos://{PHOTOS}/")] {
        let lines = [
            format!("uploaded {s}/a.txt -> cos://{PHOTOS}/a.txt (5 bytes)"),
            format!("uploaded {s}/sub/b.txt -> cos://{PHOTOS}/sub/b.txt (3 bytes)"),
            "put -r: uploaded 2, skipped 0, deleted 0, 8 bytes".to_owned(),
        ];
        ok(env, &["put", "-r", &s.to_string(), &root], &lines);
        ok(env, &["sync", &s.to_string(), &root], &["sync: uploaded 0, skipped 2, deleted 0, 0 bytes".to_owned()]);
    }
    let root_copy = dir.join("root-copy");
    let lines = [
        format!("downloaded cos://{PHOTOS}/a.txt -> {d}/root-copy/a.txt (5 bytes)"),
        format!("downloaded cos://{PHOTOS}/sub/b.txt -> {d}/root-copy/sub/b.txt (3 bytes)"),
        "sync: downloaded 2, skipped 0, deleted 0, 8 bytes".to_owned(),
    ];
    ok(env, &["sync", &format!("cos://{PHOTOS}"), root_copy.to_str().unwrap()], &lines);
    assert_eq!(std::fs::read(root_copy.join("sub/b.txt")).unwrap(), b"bee");

    // Spaces, `+`, `%20` (never decoded) and `ü` in a name, and an empty file.
    let odd = "a b+c%20\u{fc}.txt";
    write_tree(&src, &[(odd, b"x"), ("empty", b"")]);
    let key = format!("k/{odd}");
    let remote = format!("cos://{PHOTOS}/{key}");
    ok(
        env,
        &["put", &format!("{s}/{odd}"), &format!("cos://{PHOTOS}/k/")],
        &[format!("uploaded {s}/{odd} -> {remote} (1 bytes)")],
    );
    ok(
        env,
        &["put", &format!("{s}/empty"), &format!("cos://{PHOTOS}/k/")],
        &[format!("uploaded {s}/empty -> cos://{PHOTOS}/k/empty (0 bytes)")],
    );
    let listed = [object_line(1, date, &key), object_line(0, date, "k/empty")];
    ok(env, &["ls", &format!("cos://{PHOTOS}/k/")], &listed);
    assert_eq!(cos_raw(env, &["cat", &remote], b""), (0, b"x".to_vec(), String::new()));
    let hashed = format!("crc64 727031140999736901  md5 9dd4e461268c8034f5c8564e155c67a6  {remote}");
    ok(env, &["hash", &remote], &[hashed]);
    let got = dir.join("got");
    std::fs::create_dir(&got).unwrap();
    let g = got.display();
    ok(env, &["get", &remote, &g.to_string()], &[format!("downloaded {remote} -> {g}/k/{odd} (1 bytes)")]);
    assert_eq!(std::fs::read(got.join("k").join(odd)).unwrap(), b"x");
    let empty = got.join("empty.out");
    ok(
        env,
        &["get", &format!("cos://{PHOTOS}/k/empty"), empty.to_str().unwrap()],
        &[format!("downloaded cos://{PHOTOS}/k/empty -> {g}/empty.out (0 bytes)")],
    );
    assert_eq!(std::fs::read(&empty).unwrap(), b"");
    // `sync` of these names, twice: the second run finds them equal (the keys round-trip). A
    // symbolic link is skipped, not followed.
    #[cfg(unix)]
    std::os::unix::fs::symlink(src.join("a.txt"), src.join("link.txt")).unwrap();
    let u = format!("cos://{PHOTOS}/u");
    let lines = [
        format!("uploaded {s}/{odd} -> {u}/{odd} (1 bytes)"),
        format!("uploaded {s}/a.txt -> {u}/a.txt (5 bytes)"),
        format!("uploaded {s}/empty -> {u}/empty (0 bytes)"),
        format!("uploaded {s}/sub/b.txt -> {u}/sub/b.txt (3 bytes)"),
        "sync: uploaded 4, skipped 0, deleted 0, 9 bytes".to_owned(),
    ];
    ok(env, &["sync", &s.to_string(), &u], &lines);
    ok(env, &["sync", &s.to_string(), &u], &["sync: uploaded 0, skipped 4, deleted 0, 0 bytes".to_owned()]);
    // Presigned URLs of such a key work without the client, for GET and for PUT.
    if front.server.is_some() {
        let o = cos(env, &["signurl", &remote]);
        let body = ureq::get(o.out.trim_end()).call().unwrap().body_mut().read_to_vec().unwrap();
        assert_eq!(body, b"x");
        let o = cos(env, &["signurl", "--method", "PUT", &format!("cos://{PHOTOS}/k/put {odd}")]);
        ureq::put(o.out.trim_end()).send(&b"via url"[..]).unwrap();
        assert_eq!(emulator.object_bytes(PHOTOS, &format!("k/put {odd}")), Some(b"via url".to_vec()));
    }

    // A key written with a leading `/` is stored without it, and the line says so.
    ok(
        env,
        &["put", &format!("{s}/a.txt"), &format!("cos://{PHOTOS}//lead")],
        &[format!("uploaded {s}/a.txt -> cos://{PHOTOS}/lead (5 bytes)")],
    );
    assert_eq!(emulator.object_bytes(PHOTOS, "lead"), Some(b"alpha".to_vec()));

    // A failed `get` into a directory removes the directories it made for the key (and LOCAL
    // itself when the download made it), never one that was there.
    let nd = dir.join("nd");
    let o = cos(env, &["get", &format!("cos://{PHOTOS}/no/such/key"), &format!("{}/", nd.display())]);
    assert!(o.code == 1 && o.err.contains("404 NoSuchKey"), "{o:?}");
    assert!(!nd.exists());
    let o = cos(env, &["get", &format!("cos://{PHOTOS}/no/such/key"), &g.to_string()]);
    assert!(o.code == 1 && !got.join("no").exists() && got.join("k").is_dir(), "{o:?}");

    // A directory where a file is expected, a file where a directory is.
    let to = format!("cos://{PHOTOS}/x/");
    fails(
        env,
        &["put", &s.to_string(), &to],
        1,
        &[],
        &format!("cos: put {s} {to} failed: {s} is a directory; put -r uploads a directory\n"),
    );
    fails(
        env,
        &["put", "-r", &format!("{s}/a.txt"), &to],
        1,
        &[],
        &format!(
            "cos: put -r {s}/a.txt {to} failed: {s}/a.txt: a file, not a directory (without -r, put uploads one file)\n"
        ),
    );
    let file = empty.display();
    fails(
        env,
        &["get", "-r", &format!("cos://{PHOTOS}/k/"), &file.to_string()],
        1,
        &[],
        &format!(
            "cos: get -r cos://{PHOTOS}/k/ {file} failed: {file}: a file, not a directory (without -r, get downloads \
         one object)\n"
        ),
    );
    fails(
        env,
        &["sync", &format!("{s}/a.txt"), &to],
        1,
        &[],
        &format!("cos: sync {s}/a.txt {to} failed: {s}/a.txt: a file, not a directory (sync takes a directory)\n"),
    );
    fails(
        env,
        &["get", &format!("cos://{PHOTOS}/k/"), "out"],
        2,
        &[],
        &format!(
            "cos: cos://{PHOTOS}/k/ ends in / (a prefix, not an object) (to download what is under it, `cos get -r \
         cos://{PHOTOS}/k/ out`)\n"
        ),
    );
    fails(
        env,
        &["signurl", "--expires", "0", &remote],
        2,
        &[],
        "cos: --expires 0: the URL would be expired when printed (1 or more seconds)\n",
    );

    // `rm -r` and `du` of `cos://B/s` take what is under `s/`, never `s2/...` or `s.txt`.
    for k in ["s/1", "s/2/3", "s2/4", "s.txt"] {
        emulator_put(env, k, b"12");
    }
    ok(env, &["du", &format!("cos://{PHOTOS}/s")], &[format!("4 bytes in 2 object(s) under cos://{PHOTOS}/s/")]);
    let deleted = [
        format!("deleted cos://{PHOTOS}/s/1"),
        format!("deleted cos://{PHOTOS}/s/2/3"),
        format!("deleted 2 object(s) under cos://{PHOTOS}/s/"),
    ];
    ok(env, &["rm", "-r", &format!("cos://{PHOTOS}/s")], &deleted);
    let left: Vec<String> = emulator.object_keys(PHOTOS).into_iter().filter(|k| k.starts_with('s')).collect();
    assert_eq!(left, ["s.txt", "s2/4", "sub/b.txt"]);

    // A key that would leave the directory (`..`) is refused and named; the others arrive.
    for k in ["t3/../../escaped.txt", "t3/ok.txt"] {
        emulator_put(env, k, b"12");
    }
    let jail = dir.join("jail");
    let (j, t3) = (jail.display(), format!("cos://{PHOTOS}/t3"));
    let moved = [
        format!("downloaded {t3}/ok.txt -> {j}/out/ok.txt (2 bytes)"),
        "get -r: downloaded 1, skipped 0, deleted 0, 2 bytes".to_owned(),
    ];
    let why = format!(
        "cos: get -r {t3} {j}/out failed: {t3}/../../escaped.txt -> not downloaded: invalid argument `key`: \
         \"../../escaped.txt\" has a '.' or '..' segment: it would not stay in the target directory\n"
    );
    fails(env, &["get", "-r", &t3, &format!("{j}/out")], 1, &moved, &why);
    assert!(!dir.join("escaped.txt").exists() && !jail.join("escaped.txt").exists());

    // An object `P` and objects under `P/`: `P` cannot be a local file and a directory at once.
    // It is named and left out (whatever order the transfers run in); the others arrive.
    // A folder marker (`t/m/`, as consoles make) is no file: nothing is downloaded for it.
    for k in ["t/f.txt", "t/f.txt/inner", "t/g.txt", "t/m/"] {
        emulator_put(env, k, b"12");
    }
    let down = dir.join("down");
    let (dn, t) = (down.display(), format!("cos://{PHOTOS}/t"));
    let moved = [
        format!("downloaded {t}/f.txt/inner -> {dn}/f.txt/inner (2 bytes)"),
        format!("downloaded {t}/g.txt -> {dn}/g.txt (2 bytes)"),
        "sync: downloaded 2, skipped 0, deleted 0, 4 bytes".to_owned(),
    ];
    let why = format!(
        "cos: sync {t} {dn} failed: {t}/f.txt -> {dn}/f.txt: not downloaded, {dn}/f.txt is the directory of \
         {t}/f.txt/inner\n"
    );
    fails(env, &["sync", &t, &dn.to_string()], 1, &moved, &why);
    assert_eq!(std::fs::read(down.join("f.txt/inner")).unwrap(), b"12");
    assert!(!down.join("m").exists());
    // The second run moves nothing and says the same.
    fails(
        env,
        &["sync", &t, &dn.to_string()],
        1,
        &["sync: downloaded 0, skipped 2, deleted 0, 0 bytes".to_owned()],
        &why,
    );
}
