//! A hostile server on 127.0.0.1: bad Content-Length, bodies that never end, invalid UTF-8
//! in headers, huge documents. Each must give a clear error within the configured timeouts,
//! in bounded memory, and never a panic.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::thread;
use std::time::{Duration, Instant};

use tencent_cos::http::Method;
use tencent_cos::operation::RawRequest;
use tencent_cos::{Client, Error, RetryPolicy, TransportErrorKind};

/// Serves every connection with `answer`, after reading the request head.
fn serve(answer: impl Fn(&mut std::net::TcpStream) + Send + Sync + 'static) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let answer = std::sync::Arc::new(answer);
    thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let answer = answer.clone();
            thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line.trim().is_empty() {
                        break;
                    }
                }
                answer(&mut stream);
            });
        }
    });
    addr
}

fn client(addr: &str, timeout: Duration) -> Client {
    Client::builder()
        .secret("AKIDTEST", "k")
        .region("ap-guangzhou")
        .endpoint_url(&format!("http://{addr}"))
        .timeout(timeout)
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
}

fn get(addr: &str, timeout: Duration) -> Result<Vec<u8>, Error> {
    client(addr, timeout)
        .bucket("examplebucket-1250000000")
        .execute(RawRequest::new(Method::Get).key("k"))
        .map(|r| r.body)
}

#[test]
fn a_negative_content_length_is_an_error() {
    let addr = serve(|s| {
        let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\nhello");
    });
    let err = get(&addr, Duration::from_secs(5)).unwrap_err();
    assert!(matches!(err, Error::Transport { .. } | Error::Io(_)), "{err:?}");
}

#[test]
fn a_content_length_larger_than_the_body_is_an_error_not_a_short_read() {
    let addr = serve(|s| {
        let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly-ten!!");
        let _ = s.shutdown(std::net::Shutdown::Both);
    });
    let err = get(&addr, Duration::from_secs(5)).unwrap_err();
    assert!(matches!(err, Error::Io(_) | Error::Transport { .. }), "{err:?}");
}

#[test]
fn a_content_length_smaller_than_the_body_reads_exactly_content_length() {
    let addr = serve(|s| {
        let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nabcdEXTRA-GARBAGE");
    });
    assert_eq!(get(&addr, Duration::from_secs(5)).unwrap(), b"abcd");
}

#[test]
fn a_body_that_never_ends_stops_at_the_memory_bound() {
    let addr = serve(|s| {
        let _ = s.write_all(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
        let chunk = format!("{:x}\r\n{}\r\n", 65536, "x".repeat(65536));
        while s.write_all(chunk.as_bytes()).is_ok() {}
    });
    let started = Instant::now();
    let err = get(&addr, Duration::from_secs(30)).unwrap_err();
    assert!(err.to_string().contains("larger than"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(30));
}

#[test]
fn a_body_that_trickles_forever_hits_the_timeout() {
    let addr = serve(|s| {
        let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n");
        while s.write_all(b"x").is_ok() {
            thread::sleep(Duration::from_millis(20));
        }
    });
    let started = Instant::now();
    let err = get(&addr, Duration::from_millis(500)).unwrap_err();
    assert!(
        matches!(&err, Error::Io(e) if e.kind() == std::io::ErrorKind::TimedOut)
            || err.transport_kind() == Some(TransportErrorKind::Timeout),
        "{err:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn invalid_utf8_in_a_header_does_not_panic() {
    let addr = serve(|s| {
        let _ = s.write_all(b"HTTP/1.1 404 Not Found\r\nx-cos-request-id: \xff\xfe\xfd\r\nContent-Length: 0\r\n\r\n");
    });
    let err = get(&addr, Duration::from_secs(5)).unwrap_err();
    assert_eq!(err.status(), Some(404));
    assert_eq!(err.code(), Some("404"));
    assert_eq!(err.service().unwrap().request_id.as_deref(), Some("\u{fffd}\u{fffd}\u{fffd}"));
}

#[test]
fn a_garbled_error_body_keeps_the_status() {
    let addr = serve(|s| {
        let body = "<Error><Code>Half";
        let _ = write!(s, "HTTP/1.1 500 Internal\r\nContent-Length: {}\r\n\r\n{body}", body.len());
    });
    let err = get(&addr, Duration::from_secs(5)).unwrap_err();
    assert_eq!((err.status(), err.code()), (Some(500), Some("500")));
}

#[test]
fn a_100_mb_document_of_nested_elements_is_refused_in_bounded_memory() {
    const SIZE: usize = 100 * 1024 * 1024;
    let addr = serve(|s| {
        let _ = write!(s, "HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nContent-Length: {SIZE}\r\n\r\n");
        let chunk = "<ListBucketResult>".repeat(65536 / 18);
        let mut sent = 0;
        while sent < SIZE {
            let n = chunk.len().min(SIZE - sent);
            if s.write_all(&chunk.as_bytes()[..n]).is_err() {
                return;
            }
            sent += n;
        }
    });
    let started = Instant::now();
    let err =
        client(&addr, Duration::from_secs(30)).bucket("examplebucket-1250000000").get_bucket().send().unwrap_err();
    assert!(matches!(&err, Error::Io(_)) && err.to_string().contains("larger than"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(30));
}

#[test]
fn a_small_deeply_nested_document_is_an_xml_error() {
    let addr = serve(|s| {
        let body = format!("{}{}", "<a>".repeat(10_000), "</a>".repeat(10_000));
        let _ = write!(s, "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{body}", body.len());
    });
    let err = client(&addr, Duration::from_secs(5)).bucket("examplebucket-1250000000").get_bucket().send().unwrap_err();
    assert!(matches!(&err, Error::Xml(m) if m.contains("nested")), "{err}");
}

/// A download cut after 10 of 100 bytes, whose resume answer is `resume_answer` (head and
/// body, after the 10 bytes); `get_object("k").bytes()` with retries.
fn cut_then_resumed_with(resume_answer: &[u8]) -> Result<Vec<u8>, Error> {
    let resume_answer = resume_answer.to_vec();
    let requests = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let addr = serve(move |s| {
        if requests.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 {
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\nETag: \"e\"\r\nContent-Length: 100\r\n\r\n0123456789");
            let _ = s.shutdown(std::net::Shutdown::Both);
        } else {
            let _ = s.write_all(&resume_answer);
        }
    });
    let client = Client::builder()
        .secret("AKIDTEST", "k")
        .region("ap-guangzhou")
        .endpoint_url(&format!("http://{addr}"))
        .retry(RetryPolicy { max_retries: 3, initial_backoff: Duration::ZERO, max_backoff: Duration::ZERO })
        .build()
        .unwrap();
    client.bucket("examplebucket-1250000000").get_object("k").send()?.bytes()
}

#[test]
fn a_resume_answer_longer_than_its_range_is_refused_not_appended() {
    let mut answer =
        b"HTTP/1.1 206 Partial Content\r\nETag: \"e\"\r\nContent-Range: bytes 10-99/100\r\nContent-Length: 200\r\n\r\n"
            .to_vec();
    answer.extend_from_slice(&[b'x'; 200]);
    let err = cut_then_resumed_with(&answer).unwrap_err();
    assert!(
        matches!(&err, Error::Io(e) if e.kind() == std::io::ErrorKind::InvalidData && e.to_string().contains("past its end")),
        "{err:?}"
    );
}

#[test]
fn a_resume_answer_about_another_size_is_an_integrity_error() {
    let err = cut_then_resumed_with(
        b"HTTP/1.1 206 Partial Content\r\nETag: \"e\"\r\nContent-Range: bytes 10-199/200\r\nContent-Length: 190\r\n\r\n",
    )
    .unwrap_err();
    let Error::Integrity(e) = &err else { panic!("{err:?}") };
    assert_eq!(e.check, "Content-Range");
    assert_eq!(e.expected, "206 with bytes 10-99/100");
}

#[test]
fn a_resume_answer_with_a_garbled_content_range_is_an_integrity_error() {
    let err = cut_then_resumed_with(
        b"HTTP/1.1 206 Partial Content\r\nETag: \"e\"\r\nContent-Range: bytes ten-99/100\r\nContent-Length: 90\r\n\r\n",
    )
    .unwrap_err();
    assert!(matches!(&err, Error::Integrity(e) if e.check == "Content-Range"), "{err:?}");
}
