//! `examples/emulator.rs` run as a child process (this test binary re-executed into the example's
//! `run`): `--help` exits 0, the SecretKey comes from the environment or a file and never from
//! argv, and is printed only with `--print-secret`; with `--data-dir`, `kill -9` in the middle of
//! a big PUT leaves the old object or the new one, byte-exact.

use crate::support::emulator_support;
#[path = "../../examples/emulator.rs"]
#[allow(dead_code)]
mod example;

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use emulator_support::{BUCKET, Raw};
use tencent_cos::emulator::DEFAULT_SECRET_ID;
use tencent_cos::{Client, RetryPolicy};

/// The arguments of the child, joined by U+001F; set only in the child.
const CHILD_ARGS: &str = "COS_EMULATOR_EXAMPLE_TEST_ARGS";

/// The child's entry point: with `CHILD_ARGS` set this process is the example; in a normal run
/// it returns at once.
#[test]
fn child_entry() {
    let Ok(joined) = std::env::var(CHILD_ARGS) else { return };
    let args: Vec<String> = joined.split('\u{1f}').filter(|a| !a.is_empty()).map(str::to_owned).collect();
    std::process::exit(i32::from(example::run(&args)));
}

/// The example as a child process, with `args` and only the environment given.
fn spawn(args: &[&str], env: &[(&str, &str)]) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "emulator_example::child_entry", "--nocapture", "--test-threads=1"])
        .env(CHILD_ARGS, args.join("\u{1f}"))
        .env_remove(example::SECRET_KEY_VAR)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn the example")
}

/// Waits (at most 30 s) for `listening on URL` on the child's stdout; returns the URL.
fn listening_url(child: &mut Child) -> String {
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            // libtest's `test child_entry ... ` may precede it on the line.
            if let Some((_, url)) = line.split_once("listening on ") {
                let _ = tx.send(url.to_owned());
            }
        }
    });
    rx.recv_timeout(Duration::from_secs(30)).expect("the example printed `listening on` within 30 s")
}

/// Kills the child and returns what it wrote on stderr.
fn kill_and_stderr(mut child: Child) -> String {
    let _ = child.kill();
    let _ = child.wait();
    let mut err = String::new();
    child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    err
}

/// True when `key` is the SecretKey of the account the emulator at `url` serves.
fn key_works(url: &str, key: &str) -> bool {
    let client = Client::builder()
        .endpoint_url(url)
        .secret(DEFAULT_SECRET_ID, key)
        .region("ap-guangzhou")
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    client.bucket("examplebucket-1250000000").head_bucket().send().map_or_else(|e| e.status() == Some(404), |_| true)
}

/// A fresh directory under the system's temporary directory.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cos-emulator-example-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn help_exits_0_with_the_usage() {
    let out = spawn(&["--help"], &[]).wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains(example::USAGE));
    let out = spawn(&["--bogus"], &[]).wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn the_secret_key_is_refused_on_the_command_line() {
    let out = spawn(&["--addr", "127.0.0.1:0", "--secret-key", "argv-secret-1"], &[]).wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--secret-key is not accepted") && err.contains(example::SECRET_KEY_VAR), "{err}");
    assert!(!err.contains("argv-secret-1"));
}

#[test]
fn the_secret_key_from_the_environment_is_printed_only_when_asked() {
    let secret = "env-secret-4711";
    let mut child = spawn(&["--addr", "127.0.0.1:0"], &[(example::SECRET_KEY_VAR, secret)]);
    let url = listening_url(&mut child);
    assert!(key_works(&url, secret));
    assert!(!key_works(&url, "EmulatorSecretKey0000000000000000"));
    let err = kill_and_stderr(child);
    assert!(!err.contains(secret), "the secret was printed: {err}");
    assert!(err.contains("SecretKey from $COS_EMULATOR_SECRET_KEY (--print-secret shows it)"), "{err}");

    let mut child = spawn(&["--addr", "127.0.0.1:0", "--print-secret"], &[(example::SECRET_KEY_VAR, secret)]);
    listening_url(&mut child);
    let err = kill_and_stderr(child);
    assert!(err.contains(&format!("SecretKey {secret} ")), "{err}");
}

#[test]
fn the_secret_key_from_a_file_wins_over_the_environment() {
    let dir = temp_dir("keyfile");
    let file = dir.join("key");
    std::fs::write(&file, "file-secret-815\n").unwrap();
    let mut child = spawn(
        &["--addr", "127.0.0.1:0", "--secret-key-file", file.to_str().unwrap()],
        &[(example::SECRET_KEY_VAR, "env-secret-4711")],
    );
    let url = listening_url(&mut child);
    assert!(key_works(&url, "file-secret-815"));
    assert!(!key_works(&url, "env-secret-4711"));
    let err = kill_and_stderr(child);
    assert!(!err.contains("file-secret-815"), "{err}");
    let _ = std::fs::remove_dir_all(dir);
}

/// A client of the emulator at `url` with the default account.
fn client(url: &str) -> Client {
    Client::builder()
        .endpoint_url(url)
        .secret(DEFAULT_SECRET_ID, tencent_cos::emulator::DEFAULT_SECRET_KEY)
        .region("ap-guangzhou")
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
}

/// `len` bytes that differ with `seed`.
fn pattern(seed: u8, len: usize) -> Vec<u8> {
    (0..len).map(|i| (i as u32).wrapping_mul(2_654_435_761).to_le_bytes()[2] ^ seed).collect()
}

/// Sends a signed PUT of `key` declaring `declared` bytes and sends `body` (maybe fewer).
fn put_raw(url: &str, key: &str, declared: usize, body: &[u8]) -> std::net::TcpStream {
    use std::io::Write;
    let host = url.trim_start_matches("http://").to_owned();
    let path = format!("/{BUCKET}/{key}");
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let auth = tencent_cos::unversioned::signing::sign_parts(
        DEFAULT_SECRET_ID,
        tencent_cos::emulator::DEFAULT_SECRET_KEY,
        "PUT",
        &path,
        std::iter::empty(),
        [("host", host.as_str())].into_iter(),
        now - 60,
        now + 600,
    );
    let mut s = std::net::TcpStream::connect(&host).unwrap();
    s.set_write_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(s, "PUT {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: {auth}\r\nContent-Length: {declared}\r\n\r\n")
        .unwrap();
    // The peer may die while we write: that is the point.
    let _ = s.write_all(body);
    s
}

fn object(url: &str, key: &str) -> Option<Vec<u8>> {
    let r = client(url).bucket(BUCKET).execute(Raw::get().key(key)).unwrap();
    match r.status {
        200 => Some(r.body),
        404 => None,
        other => panic!("GET {key}: {other} {}", r.text()),
    }
}

/// A small deterministic generator (xorshift64*), seeded per run and printed on failure.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % n
    }
}

#[test]
fn kill_9_during_a_big_put_leaves_the_old_object_or_the_new_one() {
    let seed = std::env::var("COS_TEST_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64 | 1
    });
    let mut rng = Rng(seed);
    let dir = temp_dir("crash");
    let data = dir.join("data");
    let start = || {
        let mut child = spawn(&["--addr", "127.0.0.1:0", "--data-dir", data.to_str().unwrap()], &[]);
        let url = listening_url(&mut child);
        (child, url)
    };

    let (child, url) = start();
    client(&url).bucket(BUCKET).execute(Raw::put()).unwrap().ok();
    let old = pattern(1, 3 << 20);
    client(&url).bucket(BUCKET).execute(Raw::put().key("victim").body(old.clone())).unwrap().ok();

    // Killed with half of a 64 MiB body sent: the old object, byte-exact.
    let new = pattern(2, 64 << 20);
    let conn = put_raw(&url, "victim", new.len(), &new[..32 << 20]);
    let mut child = child;
    child.kill().unwrap();
    child.wait().unwrap();
    drop(conn);
    let (child, url) = start();
    assert!(object(&url, "victim") == Some(old.clone()), "seed {seed}: the old object after a kill mid-body");

    // Killed at a random moment after the whole body was sent: the old object or the new one.
    let mut current = old;
    let mut child = child;
    let mut url = url;
    for round in 0..4u8 {
        let next = pattern(10 + round, (4 << 20) + round as usize);
        let conn = put_raw(&url, "victim", next.len(), &next);
        std::thread::sleep(Duration::from_micros(rng.below(8_000)));
        child.kill().unwrap();
        child.wait().unwrap();
        drop(conn);
        let (c, u) = start();
        (child, url) = (c, u);
        let got = object(&url, "victim").unwrap_or_else(|| panic!("seed {seed} round {round}: the object vanished"));
        assert!(got == current || got == next, "seed {seed} round {round}: neither the old object nor the new one");
        println!("round {round}: {}", if got == next { "new" } else { "old" });
        current = got;
    }
    let _ = child.kill();
    let _ = child.wait();
    // No body cut by a kill is left behind: only the current object's bytes remain.
    let blobs: u64 = std::fs::read_dir(data.join("blobs")).unwrap().map(|e| e.unwrap().metadata().unwrap().len()).sum();
    assert_eq!(blobs, current.len() as u64, "seed {seed}");
    let _ = std::fs::remove_dir_all(dir);
}
