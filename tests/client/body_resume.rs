//! An object download whose body breaks off resumes with `Range` + `If-Match`, within the
//! call's one retry budget: `bytes()`, `copy_to`, `Read` of `get_object`, and the parts of
//! `download_file`. A loopback server on 127.0.0.1 serves one object and breaks answers as
//! each test scripts it, recording every request.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use tencent_cos::CallOptions;
use tencent_cos::api::GetObjectInput;
use tencent_cos::{CancelToken, Client, Error, RetryPolicy, TransportErrorKind};

const BUCKET: &str = "examplebucket-1250000000";
const SIZE: usize = 1024 * 1024;

fn object() -> Vec<u8> {
    object_of(SIZE)
}

fn object_of(size: usize) -> Vec<u8> {
    (0..size).map(|i| (i * 7 % 251) as u8).collect()
}

/// One request as the server saw it.
#[derive(Clone, Debug)]
struct Seen {
    method: String,
    range: Option<String>,
    if_match: Option<String>,
}

/// How the server breaks the answer to request `n` (0-based), after its headers.
#[derive(Clone, Copy, Debug)]
enum Break {
    /// The whole answer.
    None,
    /// Closes the connection once the body reaches this offset of the object.
    CloseAt(usize),
    /// Goes silent once the body reaches this offset of the object, for longer than the
    /// client's read timeout, then closes.
    StallAt(usize),
}

/// What the server does, request by request.
struct Script {
    /// How request `n` is broken (`Break::None` beyond the list).
    breaks: Vec<Break>,
    /// The ETag of the answer to request `n` (the last one beyond the list).
    etags: Vec<&'static str>,
    /// Honour `If-Match` with a 412 when it differs from the answer's ETag.
    honour_if_match: bool,
    /// Answer every GET with the whole object, ignoring `Range`.
    ignore_range: bool,
}

impl Default for Script {
    fn default() -> Self {
        Script { breaks: Vec::new(), etags: vec!["\"v1\""], honour_if_match: true, ignore_range: false }
    }
}

struct Server {
    addr: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Server {
    /// Serves [`object`].
    fn start(script: Script) -> Server {
        Server::serving(script, object())
    }

    fn serving(script: Script, data: Vec<u8>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (script, log) = (Arc::new(script), seen.clone());
        let data = Arc::new(data);
        thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { return };
                let (script, log, data) = (script.clone(), log.clone(), data.clone());
                thread::spawn(move || answer(stream, &script, &log, &data));
            }
        });
        Server { addr, seen }
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    fn client(&self, max_retries: u32) -> Client {
        Client::builder()
            .endpoint_url(&format!("http://{}", self.addr))
            .region("ap-guangzhou")
            .secret("AKIDTEST", "secret-key-for-tests")
            // Long enough that a loaded machine never times out a read by itself.
            .read_timeout(Some(Duration::from_secs(1)))
            .retry(RetryPolicy {
                max_retries,
                initial_backoff: Duration::from_millis(1),
                max_backoff: Duration::from_millis(2),
            })
            .build()
            .unwrap()
    }
}

/// `bytes=a-b` or `bytes=a-` over an object of `size` bytes: the first and last offsets.
fn parse_range(value: &str, size: usize) -> (usize, usize) {
    let (a, b) = value.strip_prefix("bytes=").unwrap().split_once('-').unwrap();
    let first: usize = a.parse().unwrap();
    let last = if b.is_empty() { size - 1 } else { b.parse::<usize>().unwrap().min(size - 1) };
    (first, last)
}

fn answer(stream: TcpStream, script: &Script, log: &Mutex<Vec<Seen>>, data: &[u8]) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
        return;
    }
    let (mut range, mut if_match) = (None, None);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = line.trim_end().split_once(':') {
            match name.to_ascii_lowercase().as_str() {
                "range" => range = Some(value.trim().to_owned()),
                "if-match" => if_match = Some(value.trim().to_owned()),
                _ => {}
            }
        }
    }
    let method = request_line.split(' ').next().unwrap_or("").to_owned();
    let n = {
        let mut log = log.lock().unwrap();
        log.push(Seen { method: method.clone(), range: range.clone(), if_match: if_match.clone() });
        log.len() - 1
    };
    let etag = script.etags.get(n).or(script.etags.last()).copied().unwrap();
    let mut out = stream;
    if if_match.as_deref().is_some_and(|m| m != etag) && script.honour_if_match {
        let body = "<Error><Code>PreconditionFailed</Code><Message>If-Match</Message></Error>";
        let _ = write!(
            out,
            "HTTP/1.1 412 Precondition Failed\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        return;
    }
    let (status, first, last) = match range.as_deref() {
        Some(r) if !script.ignore_range => {
            let (first, last) = parse_range(r, data.len());
            ("206 Partial Content", first, last)
        }
        _ => ("200 OK", 0, data.len() - 1),
    };
    let mut head =
        format!("HTTP/1.1 {status}\r\nETag: {etag}\r\nContent-Length: {}\r\nConnection: close\r\n", last + 1 - first);
    if status.starts_with("206") {
        head.push_str(&format!("Content-Range: bytes {first}-{last}/{}\r\n", data.len()));
    }
    head.push_str("\r\n");
    if out.write_all(head.as_bytes()).is_err() || method == "HEAD" {
        return;
    }
    let brk = script.breaks.get(n).copied().unwrap_or(Break::None);
    let stop = match brk {
        Break::None => last + 1,
        Break::CloseAt(at) | Break::StallAt(at) => at.clamp(first, last + 1),
    };
    let _ = out.write_all(&data[first..stop]);
    let _ = out.flush();
    if let Break::StallAt(_) = brk {
        thread::sleep(Duration::from_secs(5));
    }
    let _ = out.shutdown(Shutdown::Both);
}

/// Cut three times, at offsets of the object, then served to the end.
const CUTS: [Break; 3] = [Break::CloseAt(100_000), Break::StallAt(300_000), Break::CloseAt(700_000)];

fn three_cuts() -> Server {
    Server::start(Script { breaks: CUTS.to_vec(), ..Script::default() })
}

/// The requests after the first must be resumes from exactly these offsets.
fn assert_resumed_from(seen: &[Seen], first_request_range: Option<&str>, resumes: &[&str]) {
    assert_eq!(seen.len(), resumes.len() + 1, "{seen:?}");
    assert_eq!(seen[0].range.as_deref(), first_request_range, "{seen:?}");
    assert_eq!(seen[0].if_match, None, "{seen:?}");
    for (request, range) in seen[1..].iter().zip(resumes) {
        assert_eq!(request.method, "GET");
        assert_eq!(request.range.as_deref(), Some(*range), "{seen:?}");
        assert_eq!(request.if_match.as_deref(), Some("\"v1\""), "{seen:?}");
    }
}

const RESUMES: [&str; 3] = ["bytes=100000-", "bytes=300000-", "bytes=700000-"];

#[test]
fn bytes_of_a_body_cut_three_times_are_exact_after_four_requests() {
    let server = three_cuts();
    let out = server.client(3).bucket(BUCKET).get_object("k").send().unwrap();
    assert_eq!(out.meta.status, 200);
    let bytes = out.bytes().unwrap();
    assert!(bytes == object(), "the bytes differ from the object");
    assert_resumed_from(&server.seen(), None, &RESUMES);
}

#[test]
fn copy_to_of_a_body_cut_three_times_is_exact() {
    let server = three_cuts();
    let mut file = Vec::new();
    let n = server.client(3).bucket(BUCKET).get_object("k").send().unwrap().copy_to(&mut file).unwrap();
    assert_eq!(n, SIZE as u64);
    assert!(file == object(), "the bytes differ from the object");
    assert_resumed_from(&server.seen(), None, &RESUMES);
}

#[test]
fn small_reads_of_a_body_cut_three_times_never_repeat_or_skip_a_byte() {
    let server = three_cuts();
    let mut reader = server.client(3).bucket(BUCKET).get_object("k").send().unwrap().into_reader();
    // Odd-sized reads, so that cuts fall inside a read.
    let (mut got, mut buf) = (Vec::new(), [0u8; 4093]);
    loop {
        match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) => panic!("read failed after {} bytes: {e}", got.len()),
        }
    }
    assert_eq!(got.len(), SIZE);
    assert!(got == object(), "the bytes differ from the object");
    assert_resumed_from(&server.seen(), None, &RESUMES);
}

#[test]
fn a_ranged_get_resumes_within_its_range() {
    let server = three_cuts();
    let out = server.client(3).bucket(BUCKET).get_object("k").range(1000..=800_999).send().unwrap();
    assert_eq!(out.content_range.as_deref(), Some("bytes 1000-800999/1048576"));
    let bytes = out.bytes().unwrap();
    assert!(bytes == object()[1000..=800_999], "the bytes differ from the range");
    assert_resumed_from(
        &server.seen(),
        Some("bytes=1000-800999"),
        &["bytes=100000-800999", "bytes=300000-800999", "bytes=700000-800999"],
    );
}

#[test]
fn the_budget_ends_resuming_after_max_retries_plus_one_requests() {
    // Every answer breaks off 50 000 bytes after where it starts.
    let breaks = (0..10).map(|n| Break::CloseAt(50_000 * (n + 1))).collect();
    let server = Server::start(Script { breaks, ..Script::default() });
    let err = server.client(2).bucket(BUCKET).get_object("k").send().unwrap().bytes().unwrap_err();
    assert!(matches!(err, Error::Io(_)), "{err:?}");
    assert_resumed_from(&server.seen(), None, &["bytes=50000-", "bytes=100000-"]);

    let server = Server::start(Script { breaks: vec![Break::CloseAt(50_000)], ..Script::default() });
    let err = server.client(0).bucket(BUCKET).get_object("k").send().unwrap().bytes().unwrap_err();
    assert!(matches!(err, Error::Io(_)), "{err:?}");
    assert_eq!(server.seen().len(), 1, "max_retries 0: no resume");
}

#[test]
fn stalls_until_the_budget_is_spent_end_as_a_timeout() {
    let breaks = (0..10).map(|n| Break::StallAt(1024 * (n + 1))).collect();
    let server = Server::start(Script { breaks, ..Script::default() });
    let started = Instant::now();
    let err = server.client(3).bucket(BUCKET).get_object("k").send().unwrap().bytes().unwrap_err();
    assert_eq!(err.transport_kind(), Some(TransportErrorKind::Timeout), "{err:?}");
    // Four reads time out at 1 s each.
    assert!(started.elapsed() < Duration::from_secs(8), "{:?}", started.elapsed());
    assert_resumed_from(&server.seen(), None, &["bytes=1024-", "bytes=2048-", "bytes=3072-"]);
}

#[test]
fn an_object_replaced_midway_is_a_412_on_resume() {
    let server = Server::start(Script {
        breaks: vec![Break::CloseAt(100_000)],
        etags: vec!["\"v1\"", "\"v2\""],
        ..Script::default()
    });
    let err = server.client(3).bucket(BUCKET).get_object("k").send().unwrap().bytes().unwrap_err();
    assert!(err.is_precondition_failed(), "{err:?}");
    assert_resumed_from(&server.seen(), None, &["bytes=100000-"]);
}

#[test]
fn another_etag_on_resume_is_an_integrity_error() {
    // A server that does not honour If-Match answers with the new object.
    let server = Server::start(Script {
        breaks: vec![Break::CloseAt(100_000)],
        etags: vec!["\"v1\"", "\"v2\""],
        honour_if_match: false,
        ..Script::default()
    });
    let err = server.client(3).bucket(BUCKET).get_object("k").send().unwrap().bytes().unwrap_err();
    let Error::Integrity(e) = &err else { panic!("{err:?}") };
    assert_eq!((e.check, e.expected.as_str(), e.actual.as_str()), ("ETag", "\"v1\"", "\"v2\""));
    assert_resumed_from(&server.seen(), None, &["bytes=100000-"]);
}

#[test]
fn a_200_without_the_range_on_resume_is_an_integrity_error() {
    let server =
        Server::start(Script { breaks: vec![Break::CloseAt(100_000)], ignore_range: true, ..Script::default() });
    let err = server.client(3).bucket(BUCKET).get_object("k").send().unwrap().bytes().unwrap_err();
    let Error::Integrity(e) = &err else { panic!("{err:?}") };
    assert_eq!(e.check, "Content-Range");
    assert_eq!(e.expected, "206 with bytes 100000-1048575/1048576");
    assert!(e.actual.starts_with("200"), "{e:?}");
    assert_resumed_from(&server.seen(), None, &["bytes=100000-"]);
}

#[test]
fn a_cancel_is_checked_before_each_resume() {
    let server = three_cuts();
    let token = CancelToken::new();
    let out = server
        .client(3)
        .bucket(BUCKET)
        .execute_with(
            GetObjectInput { key: "k".into(), ..Default::default() },
            &CallOptions::new().cancel(token.clone()),
        )
        .unwrap();
    let mut reader = out.into_reader();
    let mut head = vec![0u8; 50_000];
    reader.read_exact(&mut head).unwrap();
    token.cancel();
    let err = Error::from(reader.read_to_end(&mut Vec::new()).unwrap_err());
    assert!(matches!(err, Error::Cancelled), "{err:?}");
    assert_eq!(server.seen().len(), 1, "no resume once cancelled");
}

#[test]
fn download_file_resumes_a_cut_part_with_one_ranged_request() {
    const MIB: usize = 1024 * 1024;
    let total = 3 * MIB;
    // HEAD, then parts 1, 2, 3 one at a time: part 2 is cut 300 000 bytes in, part 3 twice.
    let breaks = vec![
        Break::None,
        Break::None,
        Break::CloseAt(MIB + 300_000),
        Break::None,
        Break::CloseAt(2 * MIB + 10),
        Break::StallAt(2 * MIB + 500_000),
    ];
    let server = Server::serving(Script { breaks, ..Script::default() }, object_of(total));
    let dir = std::env::temp_dir().join(format!("tencent-cos-body-resume-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("big.bin");
    let bucket = server.client(3).bucket(BUCKET);
    let out = bucket.download_file("big", &path).chunk_size(MIB as u64).async_limit(1).send().unwrap();
    assert_eq!(out.size, total as u64);
    let written = std::fs::read(&path).unwrap();
    assert!(written == object_of(total), "the file differs from the object");
    let seen = server.seen();
    let ranges: Vec<Option<&str>> = seen.iter().map(|s| s.range.as_deref()).collect();
    assert_eq!(
        ranges,
        [
            None,
            Some("bytes=0-1048575"),
            Some("bytes=1048576-2097151"),
            Some("bytes=1348576-2097151"),
            Some("bytes=2097152-3145727"),
            Some("bytes=2097162-3145727"),
            Some("bytes=2597152-3145727"),
        ],
        "{seen:?}"
    );
    assert_eq!(seen[0].method, "HEAD");
    assert!(seen[1..].iter().all(|s| s.if_match.as_deref() == Some("\"v1\"")), "{seen:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}
