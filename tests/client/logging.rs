//! The library logs through the `log` facade: each request at debug (method, URL, status,
//! duration, request id, attempt), a retry at info, and never a secret.

use crate::support::{common, log_capture};

use std::time::Duration;

use common::{Canned, ScriptedTransport};
use tencent_cos::{Client, Credentials, RetryPolicy};

const SECRET_KEY: &str = "SECRETKEYf00dface";
const TOKEN: &str = "TOKENdeadbeef";

#[test]
fn requests_and_retries_are_logged_without_secrets() {
    log_capture::install();
    let transport = ScriptedTransport::new();
    // Every canned answer carries `x-cos-request-id: req-1`.
    transport.answer(Canned::new(503, ""));
    transport.answer(Canned::new(200, ""));
    let client = Client::builder()
        .credentials(Credentials::new("AKIDLOGGED", SECRET_KEY).with_security_token(TOKEN))
        .region("ap-guangzhou")
        .retry(RetryPolicy {
            max_retries: 1,
            initial_backoff: Duration::from_millis(1),
            max_backoff: Duration::from_millis(1),
        })
        .transport(transport.clone())
        .build()
        .unwrap();
    client.bucket("examplebucket-1250000000").put_object("a b.txt").body("hi").send().unwrap();
    let records = log_capture::records();
    let url = "https://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/a%20b.txt";
    let lines: Vec<(log::Level, String)> =
        records.iter().map(|(level, text)| (*level, text.split(" in ").next().unwrap().to_owned())).collect();
    assert_eq!(
        lines,
        vec![
            (log::Level::Debug, format!("PUT {url} -> 503")),
            (log::Level::Info, format!("retrying PUT {url}: status 503")),
            (log::Level::Debug, format!("PUT {url} -> 200")),
        ],
        "{records:?}"
    );
    assert!(records[0].1.ends_with("(request id req-1, attempt 1)"), "{records:?}");
    assert!(records[2].1.ends_with("(request id req-1, attempt 2)"), "{records:?}");
    let signature = transport.last().header("authorization").unwrap().rsplit('=').next().unwrap().to_owned();
    for (_, text) in &records {
        for secret in [SECRET_KEY, TOKEN, signature.as_str()] {
            assert!(!text.contains(secret), "a log line shows {secret}: {text}");
        }
    }
}
