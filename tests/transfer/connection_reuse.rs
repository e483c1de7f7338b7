//! Keep-alive: put and get of 4 KiB objects through one client, sequential and 8-way, against
//! the emulator's HTTP front, open no connection per request: the server accepts at most as
//! many connections as there are requests in flight.

use tencent_cos::Client;
use tencent_cos::emulator::{DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, Emulator, ServerHandle};

const BUCKET: &str = "examplebucket-1250000000";
const REQUESTS: usize = 200;

/// A fresh emulator on 127.0.0.1 with the bucket created, and a client for it (the default
/// transport: ureq with its connection pool).
fn setup() -> (ServerHandle, Client) {
    let server = Emulator::new().serve("127.0.0.1:0").unwrap();
    let client = Client::builder()
        .endpoint_url(&server.url())
        .secret(DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY)
        .region("ap-guangzhou")
        .build()
        .unwrap();
    client.bucket(BUCKET).put_bucket().send().unwrap();
    (server, client)
}

/// `REQUESTS` puts then `REQUESTS` gets of 4 KiB objects on `threads` threads sharing `client`.
fn put_and_get(client: &Client, threads: usize) {
    let bucket = client.bucket(BUCKET);
    std::thread::scope(|s| {
        for t in 0..threads {
            let bucket = &bucket;
            s.spawn(move || {
                let body = vec![t as u8; 4096];
                for i in 0..REQUESTS / threads {
                    bucket.put_object(format!("t{t}/{i}")).body(&body[..]).send().unwrap();
                }
                for i in 0..REQUESTS / threads {
                    let got = bucket.get_object(format!("t{t}/{i}")).send().unwrap().bytes().unwrap();
                    assert_eq!(got, body);
                }
            });
        }
    });
}

#[test]
fn sequential_requests_share_one_connection() {
    let (server, client) = setup();
    put_and_get(&client, 1);
    // The bucket creation and all 400 requests: one connection.
    assert_eq!(server.connections_accepted(), 1);
}

#[test]
fn eight_way_requests_open_at_most_eight_connections() {
    let (server, client) = setup();
    put_and_get(&client, 8);
    let accepted = server.connections_accepted();
    assert!((1..=8).contains(&accepted), "{accepted} connections for 401 requests, 8 at a time");
}

#[test]
fn an_error_answer_keeps_the_connection() {
    let (server, client) = setup();
    let bucket = client.bucket(BUCKET);
    for i in 0..20 {
        let err = bucket.get_object(format!("missing/{i}")).send().unwrap_err();
        assert!(err.to_string().contains("NoSuchKey"), "{err}");
        bucket.head_object(format!("missing/{i}")).send().unwrap_err();
    }
    assert_eq!(server.connections_accepted(), 1);
}
