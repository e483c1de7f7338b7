//! Hostile clients against the HTTP front (127.0.0.1 only): requests judged from their head
//! (an unsigned 1 GiB PUT answered 403 without its body being read, the server's memory bounded,
//! no `100 Continue` for a refused request), a slow head cut at its deadline, and a flood of idle
//! connections that does not starve a signed request.

use crate::support::emulator_support;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use emulator_support::{BUCKET, Conn, Front, Harness, Raw};
use tencent_cos::emulator::{DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, Emulator};
use tencent_cos::unversioned::signing::sign_parts;

const GIB: u64 = 1 << 30;

fn addr(h: &Harness) -> SocketAddr {
    h.server.as_ref().unwrap().addr()
}

/// An Authorization for `method path` signing only Host, with `key`.
fn authorization(h: &Harness, key: &str, method: &str, path: &str) -> String {
    let now = h.emulator.now();
    let host = addr(h).to_string();
    sign_parts(
        DEFAULT_SECRET_ID,
        key,
        method,
        path,
        std::iter::empty(),
        [("host", host.as_str())].into_iter(),
        now - 1,
        now + 600,
    )
}

/// The peak resident memory of this process (VmHWM), in bytes.
fn peak_rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).expect("VmHWM line");
    let kb: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kb * 1024
}

#[test]
fn unsigned_1_gib_put_is_refused_from_its_head_with_memory_bounded() {
    let h = Harness::new(Front::Http, Emulator::new());
    h.create_bucket();
    let before = peak_rss();

    let mut conn = Conn::open(addr(&h));
    conn.send(
        format!("PUT /{BUCKET}/big.bin HTTP/1.1\r\nHost: {}\r\nContent-Length: {GIB}\r\n\r\n", addr(&h)).as_bytes(),
    );
    // Another thread pushes body bytes until the answer is read (at most 256 MiB): a server
    // that read the body would buffer them, and never answer before the declared GiB.
    let answered = Arc::new(AtomicBool::new(false));
    let sent = Arc::new(AtomicU64::new(0));
    let mut pusher = conn.try_clone_stream();
    let (flag, count) = (answered.clone(), sent.clone());
    let push = std::thread::spawn(move || {
        let chunk = vec![b'x'; 64 * 1024];
        while !flag.load(Ordering::SeqCst) && count.load(Ordering::SeqCst) < 256 << 20 {
            if pusher.write_all(&chunk).is_err() {
                break;
            }
            count.fetch_add(chunk.len() as u64, Ordering::SeqCst);
        }
    });
    let started = Instant::now();
    let response = conn.read_response(false);
    answered.store(true, Ordering::SeqCst);
    let elapsed = started.elapsed();
    push.join().unwrap();
    let response = response.expect("an answer before the body (10 s bound)");
    assert_eq!(response.code(), (403, "AccessDenied".to_owned()), "{}", response.text());
    assert_eq!(response.header("connection"), Some("close"));
    assert!(conn.is_closed(), "the connection is closed after a refusal");
    assert!(elapsed < Duration::from_secs(5), "answered after {elapsed:?}");
    assert!(h.emulator.object_bytes(BUCKET, "big.bin").is_none());
    let grown = peak_rss().saturating_sub(before);
    println!("peak RSS grew by {grown} bytes; the client pushed {} bytes", sent.load(Ordering::SeqCst));
    assert!(grown < 64 << 20, "peak RSS grew by {grown} bytes for a refused 1 GiB PUT");
}

#[test]
fn refused_requests_get_their_answer_never_100_continue() {
    let h = Harness::new(Front::Http, Emulator::new());
    h.create_bucket();
    let path = format!("/{BUCKET}/five-gib.bin");
    let cases = [
        ("unsigned", String::new(), format!("/{BUCKET}/k"), 403, "AccessDenied"),
        (
            "wrong key",
            format!("Authorization: {}\r\n", authorization(&h, "not-the-key", "PUT", &path)),
            path.clone(),
            403,
            "SignatureDoesNotMatch",
        ),
        (
            "no such bucket",
            format!("Authorization: {}\r\n", authorization(&h, DEFAULT_SECRET_KEY, "PUT", "/nobucket-1250000000/k")),
            "/nobucket-1250000000/k".to_owned(),
            404,
            "NoSuchBucket",
        ),
    ];
    for (what, auth, target, status, code) in cases {
        let mut conn = Conn::open(addr(&h));
        conn.send(
            format!(
                "PUT {target} HTTP/1.1\r\nHost: {}\r\n{auth}Content-Length: {}\r\nExpect: 100-continue\r\n\r\n",
                addr(&h),
                5 * GIB
            )
            .as_bytes(),
        );
        let r = conn.read_response(false).unwrap_or_else(|| panic!("{what}: no answer"));
        assert_eq!(r.code(), (status, code.to_owned()), "{what}: {}", r.text());
        assert!(conn.is_closed(), "{what}: closed");
    }
    // A request that will be served gets its 100 Continue, then its answer.
    let mut conn = Conn::open(addr(&h));
    let auth = authorization(&h, DEFAULT_SECRET_KEY, "PUT", &path);
    conn.send(
        format!("PUT {path} HTTP/1.1\r\nHost: {}\r\nAuthorization: {auth}\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n", addr(&h))
            .as_bytes(),
    );
    assert_eq!(conn.read_response(false).unwrap().status, 100);
    conn.send(b"hello");
    assert_eq!(conn.read_response(false).unwrap().status, 200);
    assert_eq!(h.emulator.object_bytes(BUCKET, "five-gib.bin").as_deref(), Some(&b"hello"[..]));
}

#[test]
fn a_head_sent_one_byte_a_second_is_cut_at_the_deadline() {
    let deadline = Duration::from_secs(2);
    let h = Harness::new(Front::Http, Emulator::builder().head_timeout(deadline).build());
    let mut stream = TcpStream::connect(addr(&h)).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let head = format!("GET /{BUCKET}/k HTTP/1.1\r\nHost: {}\r\nX-Slow: {}\r\n\r\n", addr(&h), "z".repeat(64));
    let mut writer = stream.try_clone().unwrap();
    let started = Instant::now();
    let drip = std::thread::spawn(move || {
        for b in head.bytes() {
            if writer.write_all(&[b]).is_err() || started.elapsed() > Duration::from_secs(10) {
                return;
            }
            std::thread::sleep(Duration::from_secs(1));
        }
    });
    let mut answer = Vec::new();
    let read = stream.read_to_end(&mut answer);
    let elapsed = started.elapsed();
    let answer = String::from_utf8_lossy(&answer).into_owned();
    assert!(read.is_ok(), "closed by the server, not by the 10 s bound: {read:?} after {elapsed:?}");
    assert!(answer.starts_with("HTTP/1.1 408 Request Timeout\r\n"), "{answer}");
    assert!(answer.contains("<Code>RequestTimeout</Code>"), "{answer}");
    assert!(elapsed >= deadline && elapsed < deadline + Duration::from_secs(2), "cut after {elapsed:?}");
    drip.join().unwrap();
}

#[test]
fn an_idle_flood_up_to_the_cap_does_not_starve_a_signed_request() {
    let cap = 16;
    let h = Harness::new(Front::Http, Emulator::builder().max_connections(cap).build());
    let server = h.server.as_ref().unwrap();
    // Twice the cap of connections that never send a byte.
    let mut flood = Vec::new();
    for _ in 0..2 * cap {
        let s = TcpStream::connect(addr(&h)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        flood.push(s);
    }
    let started = Instant::now();
    while server.connections_accepted() < 2 * cap as u64 {
        assert!(started.elapsed() < Duration::from_secs(10), "accepted {}", server.connections_accepted());
        std::thread::sleep(Duration::from_millis(5));
    }
    // A signed client on a new connection is served.
    let client = h.client();
    let bucket = client.bucket(BUCKET);
    bucket.execute(Raw::put()).unwrap().ok();
    bucket.execute(Raw::put().key("k").body("served")).unwrap().ok();
    assert_eq!(h.emulator.object_bytes(BUCKET, "k").as_deref(), Some(&b"served"[..]));
    // The oldest idle connections were the ones closed to make room.
    let mut first = [0u8; 1];
    assert_eq!(flood[0].read(&mut first).unwrap_or(0), 0, "the oldest idle connection was closed");
    // None was refused with 503: every closed flood connection ended without an answer.
    for (i, s) in flood.iter_mut().enumerate().take(cap) {
        let mut buf = Vec::new();
        let _ = s.set_read_timeout(Some(Duration::from_millis(50)));
        let _ = s.read_to_end(&mut buf);
        assert!(buf.is_empty(), "connection {i} was answered {}", String::from_utf8_lossy(&buf));
    }
}
