//! Nothing hangs: a server that accepts and never answers, a body that goes silent midway, a
//! body that trickles below the minimum throughput. Each ends with a transport timeout per
//! request, within the retry budget; a slow reader is not taken for a stall.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tencent_cos::MinThroughput;
use tencent_cos::http::Method;
use tencent_cos::operation::RawRequest;
use tencent_cos::{Client, Error, RetryPolicy, TransportErrorKind};

#[test]
fn a_silent_server_times_out_once_per_attempt() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let connections = Arc::new(AtomicUsize::new(0));
    let seen = connections.clone();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { break };
            seen.fetch_add(1, Ordering::SeqCst);
            // Read the request head, answer nothing, keep the socket open.
            let _ = stream.set_read_timeout(Some(Duration::from_millis(100)));
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf);
            held.push(stream);
        }
    });
    let client = Client::builder()
        .endpoint_url(&format!("http://{addr}"))
        .region("ap-guangzhou")
        .secret("AKIDTEST", "secret-key-for-tests")
        .read_timeout(Some(Duration::from_millis(300)))
        .retry(RetryPolicy {
            max_retries: 1,
            initial_backoff: Duration::from_millis(1),
            max_backoff: Duration::from_millis(2),
        })
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let err = client.bucket("examplebucket-1250000000").execute(RawRequest::new(Method::Get).key("a")).unwrap_err();
    assert!(matches!(err, Error::Transport { kind: TransportErrorKind::Timeout, .. }), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    assert_eq!(connections.load(Ordering::SeqCst), 2);
}

/// Serves every connection: reads the request head, answers `200` (or `206` to a `Range`)
/// with a 1 MiB `Content-Length`, and hands the body to `body`. Counts connections.
fn serve_body(body: impl Fn(&mut TcpStream) + Send + Sync + 'static) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let connections = Arc::new(AtomicUsize::new(0));
    let seen = connections.clone();
    let body = Arc::new(body);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { break };
            seen.fetch_add(1, Ordering::SeqCst);
            let body = body.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut range = None;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line.trim().is_empty() {
                        break;
                    }
                    if let Some(v) = line.to_ascii_lowercase().strip_prefix("range: bytes=") {
                        range = v.trim().trim_end_matches('-').parse::<usize>().ok();
                    }
                }
                let head = match range {
                    None => format!("HTTP/1.1 200 OK\r\nETag: \"e\"\r\nContent-Length: {MIB}\r\n\r\n"),
                    Some(first) => format!(
                        "HTTP/1.1 206 Partial Content\r\nETag: \"e\"\r\nContent-Length: {}\r\nContent-Range: bytes {first}-{}/{MIB}\r\n\r\n",
                        MIB - first,
                        MIB - 1
                    ),
                };
                if stream.write_all(head.as_bytes()).is_ok() {
                    body(&mut stream);
                }
            });
        }
    });
    (addr, connections)
}

const MIB: usize = 1024 * 1024;

fn client_of(addr: &str, max_retries: u32) -> tencent_cos::ClientBuilder {
    Client::builder()
        .endpoint_url(&format!("http://{addr}"))
        .region("ap-guangzhou")
        .secret("AKIDTEST", "secret-key-for-tests")
        .retry(RetryPolicy {
            max_retries,
            initial_backoff: Duration::from_millis(1),
            max_backoff: Duration::from_millis(2),
        })
}

/// 1 KiB of the body, then silence for far longer than any bound below.
fn one_kib_then_silence(stream: &mut TcpStream) {
    let _ = stream.write_all(&[b'x'; 1024]);
    std::thread::sleep(Duration::from_secs(20));
}

#[test]
fn a_body_that_goes_silent_midway_times_out_once_per_request_of_the_budget() {
    let (addr, connections) = serve_body(one_kib_then_silence);
    let client = client_of(&addr, 3).read_timeout(Some(Duration::from_millis(200))).build().unwrap();
    let started = Instant::now();
    // get_object resumes after each stall (from byte 1024, 2048, ...) until the budget is spent.
    let out = client.bucket("examplebucket-1250000000").get_object("a").send().unwrap();
    let err = out.bytes().unwrap_err();
    assert!(matches!(err, Error::Transport { kind: TransportErrorKind::Timeout, .. }), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
    assert_eq!(connections.load(Ordering::SeqCst), 4, "max_retries + 1");

    // A body parsed by the call (RawRequest) is retried whole, within the same budget.
    let (addr, connections) = serve_body(one_kib_then_silence);
    let client = client_of(&addr, 2).read_timeout(Some(Duration::from_millis(200))).build().unwrap();
    let started = Instant::now();
    let err = client.bucket("examplebucket-1250000000").execute(RawRequest::new(Method::Get).key("a")).unwrap_err();
    assert!(matches!(err, Error::Transport { kind: TransportErrorKind::Timeout, .. }), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
    assert_eq!(connections.load(Ordering::SeqCst), 3, "max_retries + 1");
}

#[test]
fn a_trickle_below_the_minimum_throughput_is_a_stall() {
    // 20 bytes a second, never silent long enough for the 10 s read timeout.
    let (addr, connections) = serve_body(|s| {
        while s.write_all(b"x").is_ok() {
            std::thread::sleep(Duration::from_millis(50));
        }
    });
    let client = client_of(&addr, 1)
        .read_timeout(Some(Duration::from_secs(10)))
        .min_throughput(Some(MinThroughput { bytes_per_second: 100, grace_period: Duration::from_millis(400) }))
        .build()
        .unwrap();
    let started = Instant::now();
    let out = client.bucket("examplebucket-1250000000").get_object("a").send().unwrap();
    let err = out.bytes().unwrap_err();
    assert!(matches!(err, Error::Transport { kind: TransportErrorKind::Timeout, .. }), "{err:?}");
    assert!(err.to_string().contains("stalled"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(4), "{:?}", started.elapsed());
    assert_eq!(connections.load(Ordering::SeqCst), 2, "max_retries + 1: the stall is resumed once");
}

#[test]
fn an_xml_answer_kept_alive_with_spaces_is_not_a_stall() {
    // As COS keeps a slow Complete Multipart Upload alive: a space every 100 ms (10 B/s, under
    // the minimum below), then the document.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        let Ok((mut stream, _)) = listener.accept() else { return };
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut line = String::new();
        while reader.read_line(&mut line).unwrap_or(0) > 0 && !line.trim().is_empty() {
            line.clear();
        }
        let document = "<ListBucketResult><Name>examplebucket-1250000000</Name></ListBucketResult>";
        let _ = write!(stream, "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", 10 + document.len());
        for _ in 0..10 {
            let _ = stream.write_all(b" ");
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = stream.write_all(document.as_bytes());
    });
    let client = client_of(&addr, 0)
        .min_throughput(Some(MinThroughput { bytes_per_second: 100, grace_period: Duration::from_millis(300) }))
        .build()
        .unwrap();
    let out = client.bucket("examplebucket-1250000000").execute(RawRequest::new(Method::Get)).unwrap();
    assert_eq!(out.body.len(), 10 + 74, "{:?}", String::from_utf8_lossy(&out.body));
    assert!(out.body.ends_with(b"</ListBucketResult>"));
}

#[test]
fn a_slow_reader_is_not_a_stall() {
    // The whole body at once; the reader takes 2.4 s over its 1 MiB, so any 1 s of wall-clock
    // time sees about 430 KiB, under the minimum, if time between reads counted.
    let (addr, _) = serve_body(|s| {
        let _ = s.write_all(&vec![b'y'; MIB]);
    });
    let client = client_of(&addr, 0)
        .min_throughput(Some(MinThroughput { bytes_per_second: MIB as u64, grace_period: Duration::from_secs(1) }))
        .build()
        .unwrap();
    let mut reader = client.bucket("examplebucket-1250000000").get_object("a").send().unwrap().into_reader();
    let mut got = Vec::new();
    let mut chunk = vec![0u8; 64 * 1024];
    for _ in 0..16 {
        reader.read_exact(&mut chunk).unwrap();
        got.extend_from_slice(&chunk);
        std::thread::sleep(Duration::from_millis(150));
    }
    assert_eq!(reader.read(&mut chunk).unwrap(), 0, "the body ends at 1 MiB");
    assert!(got.iter().all(|&b| b == b'y'));
}

#[test]
fn an_upload_to_a_server_that_stops_reading_times_out() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let connections = Arc::new(AtomicUsize::new(0));
    let seen = connections.clone();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { break };
            seen.fetch_add(1, Ordering::SeqCst);
            // Read a little of the request, then nothing more: the socket buffers fill up.
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf);
            held.push(stream);
        }
    });
    let client = client_of(&addr.to_string(), 1).read_timeout(Some(Duration::from_millis(300))).build().unwrap();
    let started = Instant::now();
    // On a thread, so that a hang fails this test instead of holding the suite.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let body = vec![7u8; 64 * MIB];
        let _ = tx.send(client.bucket("examplebucket-1250000000").put_object("big.bin").body(body).send());
    });
    let result = rx.recv_timeout(Duration::from_secs(30)).expect("the upload hung");
    let err = result.unwrap_err();
    assert!(matches!(err, Error::Transport { kind: TransportErrorKind::Timeout, .. }), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(10), "{:?}", started.elapsed());
    assert_eq!(connections.load(Ordering::SeqCst), 2, "one attempt and one retry, each cut");
}
