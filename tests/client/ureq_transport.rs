//! `UreqTransport` against a hand-written HTTP/1.1 server on 127.0.0.1.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use tencent_cos::http::{Body, Headers, Method, Request};
use tencent_cos::operation::RawRequest;
use tencent_cos::transport::{Transport, UreqTransport};
use tencent_cos::{Client, TransportErrorKind};

/// What the server read: request line, headers, body length and a checksum of the body.
#[derive(Debug)]
struct Seen {
    request_line: String,
    headers: Vec<(String, String)>,
    body_len: u64,
    body_sum: u64,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

fn read_request(stream: &mut BufReader<TcpStream>) -> Option<Seen> {
    let mut line = String::new();
    if stream.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        stream.read_line(&mut h).ok()?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        let (n, v) = h.split_once(':')?;
        headers.push((n.trim().to_owned(), v.trim().to_owned()));
    }
    let len: u64 = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .map(|(_, v)| v.parse().unwrap())
        .unwrap_or(0);
    // Stream the body through a small buffer: the test checks it arrives, not that it fits.
    let mut buf = [0u8; 65536];
    let (mut left, mut sum) = (len, 0u64);
    while left > 0 {
        let n = stream.read(&mut buf[..left.min(65536) as usize]).ok()?;
        if n == 0 {
            return None;
        }
        sum = buf[..n].iter().fold(sum, |s, &b| s.wrapping_mul(31).wrapping_add(b as u64));
        left -= n as u64;
    }
    Some(Seen { request_line: line.trim_end().to_owned(), headers, body_len: len, body_sum: sum })
}

/// Serves `answers` in order on one listener (keep-alive), reporting each request.
fn serve(answers: Vec<Vec<u8>>) -> (String, mpsc::Receiver<Seen>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let mut answers = answers.into_iter();
        while let Ok((stream, _)) = listener.accept() {
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut writer = stream;
            while let Some(seen) = read_request(&mut reader) {
                tx.send(seen).unwrap();
                let Some(a) = answers.next() else { return };
                writer.write_all(&a).unwrap();
            }
        }
    });
    (addr, rx)
}

fn sum_of(data: impl Iterator<Item = u8>) -> u64 {
    data.fold(0u64, |s, b| s.wrapping_mul(31).wrapping_add(b as u64))
}

#[test]
fn body_is_streamed_with_a_signed_content_length_and_a_404_is_a_response() {
    let (addr, rx) = serve(vec![
        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nx-cos-request-id: r1\r\n\r\nok".to_vec(),
        b"HTTP/1.1 404 Not Found\r\nContent-Length: 61\r\n\r\n<Error><Code>NoSuchKey</Code><Message>gone</Message></Error>\n".to_vec(),
    ]);
    let client = Client::builder()
        .secret("AKIDTEST", "k")
        .region("ap-guangzhou")
        .endpoint_url(&format!("http://{addr}"))
        .build()
        .unwrap();
    let bucket = client.bucket("examplebucket-1250000000");

    // 8 MiB from a one-shot reader: never held in memory by the client.
    const LEN: u64 = 8 * 1024 * 1024;
    let bytes = (0..LEN).map(|i| (i * 7 % 251) as u8);
    let reader = GenReader(Box::new(bytes));
    let body = Body::Reader { reader: Box::new(reader), len: LEN };
    let out = bucket.execute(RawRequest::new(Method::Put).key("big file.bin").body(body)).unwrap();
    assert_eq!(out.body, b"ok");
    assert_eq!(out.meta.request_id(), Some("r1"));

    let seen = rx.recv().unwrap();
    assert_eq!(seen.request_line, "PUT /examplebucket-1250000000/big%20file.bin HTTP/1.1");
    assert_eq!(seen.header("content-length"), Some(LEN.to_string().as_str()));
    assert_eq!(seen.header("transfer-encoding"), None, "never chunked");
    assert_eq!(seen.header("host"), Some(addr.as_str()));
    assert!(seen.header("authorization").unwrap().contains("q-header-list=content-length;host&"));
    assert_eq!((seen.body_len, seen.body_sum), (LEN, sum_of((0..LEN).map(|i| (i * 7 % 251) as u8))));

    let err = bucket.execute(RawRequest::new(Method::Get).key("missing")).unwrap_err();
    assert_eq!(err.code(), Some("NoSuchKey"));
    assert_eq!(err.status(), Some(404));
    assert_eq!(rx.recv().unwrap().request_line, "GET /examplebucket-1250000000/missing HTTP/1.1");
}

struct GenReader(Box<dyn Iterator<Item = u8> + Send>);

impl Read for GenReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let mut n = 0;
        for slot in buf.iter_mut() {
            match self.0.next() {
                Some(b) => *slot = b,
                None => break,
            }
            n += 1;
        }
        Ok(n)
    }
}

#[test]
fn a_response_body_streams_and_is_not_decompressed() {
    let gz = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03not really gzip";
    let mut answer =
        format!("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: {}\r\n\r\n", gz.len()).into_bytes();
    answer.extend_from_slice(gz);
    let (addr, _rx) = serve(vec![answer]);
    let t = UreqTransport::default();
    let mut resp = t
        .send(Request {
            method: Method::Get,
            url: format!("http://{addr}/o"),
            headers: Headers::new(),
            body: Body::Empty,
        })
        .unwrap();
    assert_eq!(resp.status, 200);
    assert_eq!(resp.headers.get("content-encoding"), Some("gzip"));
    let mut got = Vec::new();
    resp.body.read_to_end(&mut got).unwrap();
    assert_eq!(got, gz, "byte-exact");
}

#[test]
fn a_refused_connection_is_a_connect_error() {
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    }; // dropped: nothing listens there now
    let t = UreqTransport::new(Some(Duration::from_secs(2)), Some(Duration::from_secs(5)));
    let err = t
        .send(Request {
            method: Method::Get,
            url: format!("http://127.0.0.1:{port}/"),
            headers: Headers::new(),
            body: Body::Empty,
        })
        .unwrap_err();
    assert_eq!(err.transport_kind(), Some(TransportErrorKind::Connect), "{err}");
    assert!(err.is_retryable());
}

#[test]
fn a_server_that_never_answers_is_a_timeout() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let hold = thread::spawn(move || {
        let (s, _) = listener.accept().unwrap();
        thread::sleep(Duration::from_secs(2));
        drop(s);
    });
    let t = UreqTransport::new(Some(Duration::from_secs(2)), Some(Duration::from_millis(300)));
    let started = std::time::Instant::now();
    let err = t
        .send(Request {
            method: Method::Get,
            url: format!("http://{addr}/"),
            headers: Headers::new(),
            body: Body::Empty,
        })
        .unwrap_err();
    assert_eq!(err.transport_kind(), Some(TransportErrorKind::Timeout), "{err}");
    assert!(started.elapsed() < Duration::from_secs(2));
    hold.join().unwrap();
}
