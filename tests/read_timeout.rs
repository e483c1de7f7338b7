//! A server that accepts and never answers: the read timeout ends each attempt, within the
//! retry budget.

use std::io::Read;
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

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
        .unwrap()
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
