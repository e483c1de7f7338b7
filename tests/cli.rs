//! `cargo run --example cos`, run in-process: the example's `cli::run` with the arguments, an
//! explicit `Env` (never this process's `COS_*` variables) and two buffers, against one emulator
//! shared by a whole story of commands, and over HTTP through `COS_EMULATOR_URL`. Exit codes,
//! exact output lines, byte-exact files, usage and configuration errors.

#[path = "../examples/cos/main.rs"]
#[allow(dead_code)]
mod cos;
mod transfer_support;

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use cos::cli::{self, Env, USAGE};
use tencent_cos::emulator::Emulator;
use transfer_support::{MIB, TempDir, pattern};

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
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = cli::run(&args, env, &mut out, &mut err);
    Outcome { code, out: String::from_utf8(out).unwrap(), err: String::from_utf8(err).unwrap() }
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
    Env { vars: BTreeMap::new(), emulator: Some(emulator.clone()), progress_bars: false }
}

fn env_with(vars: &[(&str, &str)]) -> Env {
    let vars = vars.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect();
    Env { vars, emulator: None, progress_bars: false }
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
    ok(&env, &["ls", "cos://photos-1250000000"], &[dir_line("notes/"), big_line.clone()]);
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
fn usage_errors_exit_2_with_the_usage() {
    let env = env_on(&Emulator::new());
    let cases: [(&[&str], &str); 14] = [
        (&[], "cos: no command given\n"),
        (&["-v"], "cos: no command given\n"),
        (&["frobnicate"], "cos: unknown command \"frobnicate\"\n"),
        (&["ls", "--all"], "cos: unknown option --all\n"),
        (&["ls", "-x"], "cos: unknown option -x\n"),
        (&["ls", "-r"], "cos: ls -r needs cos://BUCKET[/PREFIX]\n"),
        (&["mb"], "cos: mb takes cos://BUCKET, got 0 argument(s)\n"),
        (&["mb", "cos://Photos-1250000000"], "cos: invalid argument `bucket`: \"Photos-1250000000\" may contain"),
        (&["mb", "cos://photos-1250000000/key"], "cos: mb takes a bucket, cos://BUCKET, not \"cos://photos"),
        (&["put", "a.txt"], "cos: put takes LOCAL cos://BUCKET/KEY, got 1 argument(s)\n"),
        (&["put", "cos://photos-1250000000/a", "cos://photos-1250000000/b"], "cos: put takes a local path where"),
        (&["get", "cos://photos-1250000000", "out"], "cos: get needs a key: cos://BUCKET/KEY, not"),
        (&["get", "photos/a.txt", "out"], "cos: \"photos/a.txt\" is not a cos://BUCKET[/KEY] path\n"),
        (&["cp", "-r", "cos://photos-1250000000/a", "cos://photos-1250000000/b"], "cos: -r is for ls and rm, not cp\n"),
    ];
    for (args, start) in cases {
        let o = cos(&env, args);
        assert_eq!((o.code, o.out.as_str()), (2, ""), "{args:?}: {o:?}");
        assert!(o.err.starts_with(start), "{args:?}: {o:?}");
        assert!(o.err.ends_with(&format!("\n\n{USAGE}")), "{args:?}: {o:?}");
    }
    let o = cos(&env, &["rm", "cos://photos-1250000000"]);
    assert_eq!(o.code, 2, "rm of a bucket without -r: {o:?}");

    for help in [&["--help"][..], &["-h"], &["ls", "-h"]] {
        let o = cos(&env, help);
        assert_eq!((o.code, o.out.as_str(), o.err.as_str()), (0, USAGE, ""), "{help:?}");
    }
    for command in
        ["ls [-r] [cos://BUCKET[/PREFIX]]", "mb cos://BUCKET", "rb cos://BUCKET", "put LOCAL cos://BUCKET/KEY"]
    {
        assert!(USAGE.contains(command), "{command}");
    }
    for more in ["get cos://BUCKET/KEY LOCAL", "cp cos://BUCKET/KEY cos://BUCKET2/KEY2", "rm [-r] cos://BUCKET/KEY"] {
        assert!(USAGE.contains(more), "{more}");
    }
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
    assert!(o.code == 1 && o.err.contains("is a directory; put uploads one file"), "{o:?}");
}

#[test]
fn get_into_a_directory_refuses_keys_that_would_escape_it() {
    let emulator = Emulator::new();
    let env = env_on(&emulator);
    ok(&env, &["mb", "cos://photos-1250000000"], &["created bucket cos://photos-1250000000".into()]);
    let dir = TempDir::new();
    let inside = dir.join("inside");
    std::fs::create_dir(&inside).unwrap();
    for key in ["../escaped.txt", "a/../../escaped.txt", "/etc/escaped.txt"] {
        let o = cos(&env, &["get", &format!("cos://photos-1250000000/{key}"), inside.to_str().unwrap()]);
        assert_eq!((o.code, o.out.as_str()), (1, ""), "{key}: {o:?}");
        assert!(o.err.contains("invalid argument `key`") && o.err.contains("would not stay in the target directory"));
    }
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
        (env_with(&secret[..1]), "cos: COS_SECRET_ID is set but COS_SECRET_KEY is not\n"),
        (env_with(&secret[1..]), "cos: COS_SECRET_KEY is set but COS_SECRET_ID is not\n"),
        (env_with(&[("COS_SECURITY_TOKEN", "tok")]), "cos: COS_SECURITY_TOKEN is set without"),
        (env_with(&[("COS_EMULATOR_URL", "127.0.0.1:9000")]), "cos: COS_EMULATOR_URL=\"127.0.0.1:9000\": invalid"),
    ];
    for (env, start) in refused {
        let o = cos(&env, &["-v", "ls"]);
        assert_eq!((o.code, o.out.as_str()), (2, ""), "{o:?}");
        assert!(o.err.starts_with(start) && o.err.ends_with(USAGE), "{o:?}");
        assert!(!o.err.contains("very-secret-key") && !o.err.contains("AKIDsecretid"), "{o:?}");
    }
    // An empty variable counts as unset.
    let o = cos(&env_with(&[("COS_SECRET_ID", ""), ("COS_EMULATOR_URL", "")]), &["ls"]);
    assert_eq!(o.code, 0, "{o:?}");
}
