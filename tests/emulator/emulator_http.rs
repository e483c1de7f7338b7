//! The HTTP front itself: keep-alive (connections counted on the server), framing (HEAD, 204,
//! 304, chunked, Expect: 100-continue, HTTP/1.0, pipelining), hostile input, big bodies, limits,
//! shutdown. Everything on 127.0.0.1 with ports the OS picks.

use crate::support::emulator_support;

use std::time::{Duration, Instant};

use emulator_support::{BUCKET, Conn, Front, Harness, Raw};
use tencent_cos::emulator::{DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, Emulator};
use tencent_cos::unversioned::signing::sign_parts;

fn http() -> Harness {
    Harness::new(Front::Http, Emulator::new())
}

fn addr(h: &Harness) -> std::net::SocketAddr {
    h.server.as_ref().unwrap().addr()
}

/// An Authorization for `method path` signing only Host.
fn authorization(h: &Harness, method: &str, path: &str) -> String {
    let now = h.emulator.now();
    let host = addr(h).to_string();
    sign_parts(
        DEFAULT_SECRET_ID,
        DEFAULT_SECRET_KEY,
        method,
        path,
        std::iter::empty(),
        [("host", host.as_str())].into_iter(),
        now - 1,
        now + 600,
    )
}

fn request(h: &Harness, method: &str, path: &str, extra: &str, body: &[u8]) -> Vec<u8> {
    let mut r = format!(
        "{method} {path} HTTP/1.1\r\nHost: {}\r\nAuthorization: {}\r\n{extra}\r\n",
        addr(h),
        authorization(h, method, path)
    )
    .into_bytes();
    r.extend_from_slice(body);
    r
}

#[test]
fn keep_alive_reuses_one_connection() {
    let h = http();
    let client = h.client();
    let bucket = client.bucket(BUCKET);
    bucket.execute(Raw::put()).unwrap().ok();
    for i in 0..20 {
        bucket.execute(Raw::put().key(&format!("k{i}")).body(vec![b'x'; 1000])).unwrap().ok();
        bucket.execute(Raw::head().key(&format!("k{i}"))).unwrap().ok();
        bucket.execute(Raw::get().key("missing")).unwrap();
    }
    bucket.execute(Raw::delete().key("k0")).unwrap();
    assert_eq!(h.server.as_ref().unwrap().connections_accepted(), 1);

    // Four threads sharing one client use at most four connections between them.
    std::thread::scope(|s| {
        for t in 0..4 {
            let bucket = bucket.clone();
            s.spawn(move || {
                for i in 0..15 {
                    let key = format!("t{t}/{i}");
                    bucket.execute(Raw::put().key(&key).body(key.clone())).unwrap().ok();
                    assert_eq!(bucket.execute(Raw::get().key(&key)).unwrap().body, key.as_bytes());
                }
            });
        }
    });
    assert!(h.server.as_ref().unwrap().connections_accepted() <= 5);
    assert_eq!(h.emulator.object_keys(BUCKET).len(), 19 + 60);
}

/// The status and code a raw request must get; `None`: the connection closes unanswered.
type Expected = Option<(u16, &'static str)>;

#[test]
fn hostile_requests_get_answers_and_the_server_lives_on() {
    let h = http();
    h.create_bucket();
    let cases: &[(&[u8], Expected)] = &[
        (b"GARBAGE\r\n\r\n", Some((400, "BadRequest"))),
        (b"\x00\x01\x02\xff\r\n\r\n", Some((400, "BadRequest"))),
        (b"GET / HTTP/2.0\r\n\r\n", Some((400, "BadRequest"))),
        (b"GET / HTTP/1.1\r\nNo colon here\r\n\r\n", Some((400, "BadRequest"))),
        (b"GET / HTTP/1.1\r\nBad Name: x\r\n\r\n", Some((400, "BadRequest"))),
        (b"GET / HTTP/1.1\r\nA: b\r\n  folded\r\n\r\n", Some((400, "BadRequest"))),
        (b"GET / HTTP/1.1\r\nContent-Length: abc\r\n\r\n", Some((400, "InvalidRequest"))),
        (b"GET / HTTP/1.1\r\nContent-Length: -5\r\n\r\n", Some((400, "InvalidRequest"))),
        (b"PUT /x HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", Some((400, "InvalidRequest"))),
        (b"PUT /x HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", Some((501, "NotImplemented"))),
        (b"PUT /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n", Some((400, "InvalidRequest"))),
        (b"PATCH /x HTTP/1.1\r\nContent-Length: 0\r\n\r\n", Some((405, "MethodNotAllowed"))),
        (b"OPTIONS * HTTP/1.1\r\n\r\n", Some((400, "InvalidURI"))),
        (b"GET /%zz/a HTTP/1.1\r\n\r\n", Some((400, "InvalidURI"))),
        (b"GET /examplebucket-1250000000/a?prefix=%e4%zz HTTP/1.1\r\n\r\n", Some((400, "InvalidURI"))),
        (b"GET /examplebucket-1250000000/a HTTP/1.1\r\nAuthorization: \xe4\xb8\xad\xe6\x96\x87\r\n\r\n", Some((403, "AccessDenied"))),
        (
            b"GET /examplebucket-1250000000/a HTTP/1.1\r\nAuthorization: q-sign-algorithm=sha1&q-ak=\xff\xfe&q-key-time=1;2&q-signature=00\r\n\r\n",
            Some((403, "InvalidAccessKeyId")),
        ),
        (b"GET http://ghost-1250000000.cos.ap-guangzhou.myqcloud.com/x HTTP/1.1\r\n\r\n", Some((404, "NoSuchBucket"))),
        // Unsigned into a private bucket: refused from the head, before the (malformed) body.
        (b"PUT /examplebucket-1250000000/a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", Some((403, "AccessDenied"))),
        (b"GET / HTTP/1.1\r\nHost: x", None),
        // Unsigned: answered from the head, whatever the body.
        (b"PUT /examplebucket-1250000000/a HTTP/1.1\r\nContent-Length: 10\r\n\r\nshort", Some((403, "AccessDenied"))),
    ];
    for (raw, expected) in cases {
        let mut c = Conn::open(addr(&h));
        c.send(raw);
        // Half-close so truncated requests end instead of waiting for the read timeout.
        let _ = c.shutdown_write();
        let r = c.read_response(false);
        match expected {
            Some((status, code)) => {
                let r = r.unwrap_or_else(|| panic!("no answer to {:?}", String::from_utf8_lossy(raw)));
                assert_eq!(r.code(), (*status, (*code).to_owned()), "{:?}", String::from_utf8_lossy(raw));
                assert!(r.header("x-cos-request-id").is_some());
            }
            None => assert!(r.is_none(), "{:?}", String::from_utf8_lossy(raw)),
        }
    }
    // Signed, a body shorter than its Content-Length is read and the connection dropped unanswered.
    let mut c = Conn::open(addr(&h));
    c.send(&request(&h, "PUT", "/examplebucket-1250000000/a", "Content-Length: 10\r\n", b"short"));
    let _ = c.shutdown_write();
    assert!(c.read_response(false).is_none());
    // Signed, the malformed chunked body is read and refused.
    let mut c = Conn::open(addr(&h));
    c.send(&request(&h, "PUT", "/examplebucket-1250000000/a", "Transfer-Encoding: chunked\r\n", b"zz\r\n"));
    assert_eq!(c.read_response(false).unwrap().code(), (400, "InvalidRequest".into()));
    let huge = format!("GET / HTTP/1.1\r\nX-Big: {}\r\n\r\n", "a".repeat(100_000));
    let mut c = Conn::open(addr(&h));
    c.send(huge.as_bytes());
    assert_eq!(c.read_response(false).unwrap().code(), (431, "RequestHeaderFieldsTooLarge".into()));

    // A huge declared body is refused before any of it is read or allocated.
    let started = Instant::now();
    let mut c = Conn::open(addr(&h));
    c.send(&request(&h, "PUT", "/examplebucket-1250000000/huge", "Content-Length: 999999999999999999\r\n", b""));
    assert_eq!(c.read_response(false).unwrap().code(), (400, "EntityTooLarge".into()));
    assert!(c.is_closed());
    assert!(started.elapsed() < Duration::from_secs(5));

    // Still serving.
    h.put("after", b"alive");
    assert_eq!(h.send(BUCKET, Raw::get().key("after")).ok().body, b"alive");
}

#[test]
fn framing_head_204_304_pipelining() {
    let h = http();
    h.create_bucket();
    h.put("obj", b"0123456789");
    let etag = format!("\"{}\"", tencent_cos::checksum::md5_hex(b"0123456789"));
    let before = h.server.as_ref().unwrap().connections_accepted();
    let mut c = Conn::open(addr(&h));
    // HEAD: Content-Length of the object, no body bytes; the next answer on the same connection
    // starts clean.
    c.send(&request(&h, "HEAD", "/examplebucket-1250000000/obj", "", b""));
    let head = c.read_response(true).unwrap();
    assert_eq!((head.status, head.header("content-length")), (200, Some("10")));
    c.send(&request(&h, "GET", "/examplebucket-1250000000/obj", &format!("If-None-Match: {etag}\r\n"), b""));
    let not_modified = c.read_response(false).unwrap();
    assert_eq!((not_modified.status, not_modified.header("content-length")), (304, None));
    c.send(&request(&h, "DELETE", "/examplebucket-1250000000/other", "Content-Length: 0\r\n", b""));
    let deleted = c.read_response(false).unwrap();
    assert_eq!((deleted.status, deleted.header("content-length")), (204, None));
    // Two requests written at once come back in order.
    let mut two = request(&h, "GET", "/examplebucket-1250000000/obj", "Range: bytes=0-1\r\n", b"");
    two.extend(request(&h, "GET", "/examplebucket-1250000000/obj", "Range: bytes=8-9\r\n", b""));
    c.send(&two);
    assert_eq!(c.read_response(false).unwrap().body, b"01");
    assert_eq!(c.read_response(false).unwrap().body, b"89");
    assert_eq!(h.server.as_ref().unwrap().connections_accepted(), before + 1);
}

#[test]
fn chunked_bodies_and_expect_continue() {
    let h = http();
    h.create_bucket();
    let mut c = Conn::open(addr(&h));
    c.send(&request(
        &h,
        "PUT",
        "/examplebucket-1250000000/chunked.txt",
        "Transfer-Encoding: chunked\r\n",
        b"5;note=x\r\nhello\r\n6\r\n world\r\n0\r\nTrailer: t\r\n\r\n",
    ));
    let r = c.read_response(false).unwrap();
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("etag"), Some(format!("\"{}\"", tencent_cos::checksum::md5_hex(b"hello world")).as_str()));
    assert_eq!(h.emulator.object_bytes(BUCKET, "chunked.txt"), Some(b"hello world".to_vec()));

    c.send(&request(
        &h,
        "PUT",
        "/examplebucket-1250000000/expect.txt",
        "Content-Length: 5\r\nExpect: 100-continue\r\n",
        b"",
    ));
    assert_eq!(c.read_response(false).unwrap().status, 100);
    c.send(b"later");
    assert_eq!(c.read_response(false).unwrap().status, 200);
    assert_eq!(h.emulator.object_bytes(BUCKET, "expect.txt"), Some(b"later".to_vec()));

    // Too large: refused at once, no 100 Continue, connection closed.
    let small = Harness::new(Front::Http, Emulator::builder().max_object_size(4).build());
    small.create_bucket();
    let mut c = Conn::open(addr(&small));
    c.send(&request(
        &small,
        "PUT",
        "/examplebucket-1250000000/x",
        "Content-Length: 5\r\nExpect: 100-continue\r\n",
        b"",
    ));
    assert_eq!(c.read_response(false).unwrap().code(), (400, "EntityTooLarge".into()));
    let mut c = Conn::open(addr(&small));
    c.send(&request(
        &small,
        "PUT",
        "/examplebucket-1250000000/x",
        "Transfer-Encoding: chunked\r\n",
        b"5\r\nhello\r\n0\r\n\r\n",
    ));
    assert_eq!(c.read_response(false).unwrap().code(), (400, "EntityTooLarge".into()));
}

#[test]
fn connection_close_and_http10() {
    let h = http();
    h.create_bucket();
    let mut c = Conn::open(addr(&h));
    c.send(b"GET /examplebucket-1250000000/x HTTP/1.0\r\n\r\n");
    let r = c.read_response(false).unwrap();
    assert_eq!((r.status, r.header("connection")), (403, Some("close")));
    assert!(c.is_closed());

    let mut c = Conn::open(addr(&h));
    c.send(b"GET /examplebucket-1250000000/x HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    assert_eq!(c.read_response(false).unwrap().header("connection"), Some("keep-alive"));
    c.send(b"GET /examplebucket-1250000000/x HTTP/1.1\r\nConnection: close\r\n\r\n");
    assert_eq!(c.read_response(false).unwrap().header("connection"), Some("close"));
    assert!(c.is_closed());
}

#[test]
fn big_objects_stream_both_ways() {
    let h = http();
    h.create_bucket();
    let data: Vec<u8> = (0..24 * 1024 * 1024u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8).collect();
    let put = h.send(BUCKET, Raw::put().key("big.bin").body(data.clone())).ok();
    assert_eq!(put.header("x-cos-hash-crc64ecma"), Some(tencent_cos::checksum::crc64(&data).to_string().as_str()));
    let got = h.send(BUCKET, Raw::get().key("big.bin")).ok();
    assert!(got.body == data, "24 MiB round trip differs");
    let mid = h.send(BUCKET, Raw::get().key("big.bin").header("Range", "bytes=12582910-12582913")).ok();
    assert_eq!(mid.body, data[12_582_910..12_582_914]);
}

#[test]
fn max_object_size_on_both_fronts() {
    for front in [Front::InProcess, Front::Http] {
        let h = Harness::new(front, Emulator::builder().max_object_size(1024).build());
        h.create_bucket();
        assert_eq!(h.send(BUCKET, Raw::put().key("ok").body(vec![1u8; 1024])).status, 200);
        let r = h.send(BUCKET, Raw::put().key("big").body(vec![1u8; 1025]));
        assert_eq!(r.code(), (400, "EntityTooLarge".into()), "{front:?}");
        assert_eq!(h.emulator.object_keys(BUCKET), ["ok"]);
    }
}

#[test]
fn shutdown_closes_idle_connections_and_joins() {
    let h = http();
    h.create_bucket();
    let mut idle = Conn::open(addr(&h));
    idle.send(b"GET /examplebucket-1250000000/x HTTP/1.1\r\n\r\n");
    assert_eq!(idle.read_response(false).unwrap().status, 403);
    let Harness { server, .. } = h;
    let server = server.unwrap();
    let port = server.addr();
    let started = Instant::now();
    server.shutdown();
    assert!(started.elapsed() < Duration::from_secs(5), "shutdown took {:?}", started.elapsed());
    assert!(idle.is_closed());
    assert!(std::net::TcpStream::connect_timeout(&port, Duration::from_millis(500)).is_err());

    // Dropping the handle stops it too.
    let emulator = Emulator::new();
    let server = emulator.serve("127.0.0.1:0").unwrap();
    let port = server.addr();
    let _client = Conn::open(port);
    drop(server);
    assert!(std::net::TcpStream::connect_timeout(&port, Duration::from_millis(500)).is_err());
}
