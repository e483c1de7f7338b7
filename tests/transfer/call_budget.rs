//! One retry budget per call, cancellation between attempts, bounded clock-skew correction:
//! a scripted fake transport counts every request.

use std::collections::VecDeque;
use std::io::Read;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tencent_cos::CallOptions;
use tencent_cos::http::{Headers, Method, Request, Response};
use tencent_cos::operation::RawRequest;
use tencent_cos::transport::Transport;
use tencent_cos::{CancelToken, Client, Error, RetryPolicy};

const NOW: u64 = 1_700_000_000;
const BUCKET: &str = "examplebucket-1250000000";

/// A body that yields a few bytes, then breaks off with an error of that kind.
struct BreaksOff(usize, std::io::ErrorKind);

impl Read for BreaksOff {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.0 == 0 {
            return Err(std::io::Error::new(self.1, "the body broke off"));
        }
        self.0 -= 1;
        buf[0] = b'x';
        Ok(1)
    }
}

#[derive(Clone, Copy)]
enum Step {
    Status(u16),
    Broken,
    /// A body whose read times out, as a transport's idle timeout does.
    TimedOut,
    /// An object download (with an ETag, so it may resume) whose body breaks off.
    BrokenObject,
    Skewed(u64),
}

/// Plays `script` in a loop (or `forever` once the script is spent), counting requests.
#[derive(Clone, Default)]
struct Fake {
    script: Arc<Mutex<VecDeque<Step>>>,
    forever: Option<Step>,
    count: Arc<AtomicUsize>,
}

impl Fake {
    fn cycling(steps: &[Step]) -> Self {
        Fake { script: Arc::new(Mutex::new(steps.iter().copied().collect())), ..Fake::default() }
    }
    fn forever(step: Step) -> Self {
        Fake { forever: Some(step), ..Fake::default() }
    }
    fn requests(&self) -> usize {
        self.count.load(Ordering::SeqCst)
    }
}

impl Transport for Fake {
    fn send(&self, _request: Request) -> tencent_cos::Result<Response> {
        self.count.fetch_add(1, Ordering::SeqCst);
        let step = match self.forever {
            Some(s) => s,
            None => {
                let mut script = self.script.lock().unwrap();
                let s = script.pop_front().expect("script not empty");
                script.push_back(s);
                s
            }
        };
        Ok(match step {
            Step::Status(status) => Response::from_bytes(status, [("x-cos-request-id", "r")], Vec::new()),
            Step::Broken => Response {
                status: 200,
                headers: Headers::from_iter([("Content-Length", "100")]),
                body: Box::new(BreaksOff(3, std::io::ErrorKind::ConnectionReset)),
            },
            Step::BrokenObject => Response {
                status: 200,
                headers: Headers::from_iter([("Content-Length", "100"), ("ETag", "\"e\"")]),
                body: Box::new(BreaksOff(3, std::io::ErrorKind::ConnectionReset)),
            },
            Step::TimedOut => Response {
                status: 200,
                headers: Headers::from_iter([("Content-Length", "100")]),
                body: Box::new(BreaksOff(3, std::io::ErrorKind::TimedOut)),
            },
            Step::Skewed(date) => Response::from_bytes(
                403,
                [("Date", httpdate::fmt_http_date(std::time::UNIX_EPOCH + Duration::from_secs(date)).as_str())],
                b"<Error><Code>RequestTimeTooSkewed</Code><Message>skewed</Message></Error>".to_vec(),
            ),
        })
    }
}

fn client(t: &Fake, policy: RetryPolicy) -> Client {
    Client::builder()
        .secret("AKIDTEST", "secret-key-for-tests")
        .region("ap-guangzhou")
        .clock(|| NOW)
        .retry(policy)
        .transport(t.clone())
        .build()
        .unwrap()
}

fn fast(max_retries: u32) -> RetryPolicy {
    RetryPolicy { max_retries, initial_backoff: Duration::from_millis(1), max_backoff: Duration::from_millis(2) }
}

const MIXED: &[Step] = &[Step::Status(503), Step::Status(503), Step::Status(503), Step::Broken];

#[test]
fn mixed_failures_share_one_budget_of_max_retries_plus_one() {
    let t = Fake::cycling(MIXED);
    let err = client(&t, fast(3)).bucket(BUCKET).execute(RawRequest::new(Method::Get).key("a")).unwrap_err();
    assert!(matches!(err, Error::Io(_)), "{err:?}");
    assert_eq!(t.requests(), 4, "three 503s and one broken body: the whole budget");
}

#[test]
fn a_budget_of_zero_retries_is_one_request() {
    let t = Fake::cycling(MIXED);
    let err = client(&t, fast(0)).bucket(BUCKET).execute(RawRequest::new(Method::Get).key("a")).unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(t.requests(), 1);

    let t = Fake::cycling(&[Step::Broken, Step::Status(200)]);
    let err = client(&t, fast(0)).bucket(BUCKET).execute(RawRequest::new(Method::Get).key("a")).unwrap_err();
    assert!(matches!(err, Error::Io(_)), "{err:?}");
    assert_eq!(t.requests(), 1);
}

#[test]
fn broken_bodies_then_503s_also_stop_at_the_budget() {
    let t = Fake::cycling(&[Step::Broken, Step::Status(503), Step::Broken, Step::Status(503), Step::Status(503)]);
    let err = client(&t, fast(3)).bucket(BUCKET).execute(RawRequest::new(Method::Get).key("a")).unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(t.requests(), 4);
}

#[test]
fn a_skew_resign_counts_as_a_request_of_the_budget() {
    let t = Fake::cycling(&[Step::Skewed(NOW + 300), Step::Status(503), Step::Status(503), Step::Status(503)]);
    let c = client(&t, fast(2));
    let err = c.bucket(BUCKET).execute(RawRequest::new(Method::Get).key("a")).unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(t.requests(), 3, "re-sign + 2 more: max_retries + 1");
}

/// One try: a transport answering 503 forever, 10 s backoffs, a cancel after 50 ms. Returns the
/// number of requests made.
fn cancel_after_50ms() -> usize {
    let t = Fake::forever(Step::Status(503));
    let policy =
        RetryPolicy { max_retries: 5, initial_backoff: Duration::from_secs(10), max_backoff: Duration::from_secs(10) };
    let c = client(&t, policy);
    let token = CancelToken::new();
    let other = token.clone();
    let canceller = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(50));
        other.cancel();
    });
    let started = Instant::now();
    let result =
        c.bucket(BUCKET).execute_with(RawRequest::new(Method::Get).key("a"), &CallOptions::new().cancel(token));
    canceller.join().unwrap();
    assert!(matches!(result, Err(Error::Cancelled)), "{result:?}");
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
    t.requests()
}

#[test]
fn a_cancel_during_backoff_returns_at_once() {
    // The backoff is full jitter, uniform in [0, 10 s]: it falls under 50 ms (and a second
    // request goes out before the cancel) about 0.5% of the time, so allow three draws.
    let counts: Vec<usize> = (0..3).map(|_| cancel_after_50ms()).collect();
    assert!(counts.contains(&1), "requests per try: {counts:?}");
}

#[test]
fn a_2099_date_does_not_move_the_clock() {
    let t = Fake::cycling(&[Step::Skewed(4_070_908_800 + 86_400 * 10), Step::Status(200)]);
    let c = client(&t, fast(3));
    let err = c.bucket(BUCKET).execute(RawRequest::new(Method::Get).key("a")).unwrap_err();
    assert_eq!(err.status(), Some(403));
    assert_eq!(err.code(), Some("RequestTimeTooSkewed"));
    assert_eq!(c.clock_offset(), 0);
    assert_eq!(t.requests(), 1);
}

#[test]
fn a_date_300_s_ahead_is_learned_and_the_retry_succeeds() {
    let t = Fake::cycling(&[Step::Skewed(NOW + 300), Step::Status(200)]);
    let c = client(&t, fast(3));
    let out = c.bucket(BUCKET).execute(RawRequest::new(Method::Get).key("a")).unwrap();
    assert_eq!(out.meta.status, 200);
    assert!((c.clock_offset() - 300).abs() <= 2, "{}", c.clock_offset());
    assert_eq!(t.requests(), 2);
}

#[test]
fn request_and_headers_debug_redact_secrets() {
    let request = Request {
        method: Method::Get,
        url: "http://127.0.0.1:1/a".into(),
        headers: Headers::from_iter([
            ("Host", "127.0.0.1"),
            ("AUTHORIZATION", "q-sign-algorithm=sha1&q-signature=SIGNATURE-SECRET-123"),
            ("x-COS-security-token", "TOKEN-SECRET-456"),
        ]),
        body: tencent_cos::http::Body::Empty,
    };
    for printed in [format!("{request:?}"), format!("{:?}", request.headers), format!("{request:#?}")] {
        assert!(!printed.contains("SIGNATURE-SECRET-123"), "{printed}");
        assert!(!printed.contains("TOKEN-SECRET-456"), "{printed}");
        assert_eq!(printed.matches("<redacted>").count(), 2, "{printed}");
        assert!(printed.contains("127.0.0.1"));
    }
}

#[test]
fn a_service_error_keeps_the_response_headers() {
    #[derive(Clone)]
    struct NotFound;
    impl Transport for NotFound {
        fn send(&self, _request: Request) -> tencent_cos::Result<Response> {
            Ok(Response::from_bytes(
                404,
                [("x-cos-request-id", "abc"), ("x-custom", "1")],
                b"<Error><Code>NoSuchKey</Code><Message>gone</Message></Error>".to_vec(),
            ))
        }
    }
    let c = Client::builder()
        .secret("AKIDTEST", "secret-key-for-tests")
        .region("ap-guangzhou")
        .transport(NotFound)
        .build()
        .unwrap();
    let err = c.bucket(BUCKET).execute(RawRequest::new(Method::Get).key("a")).unwrap_err();
    let service = err.service().unwrap();
    assert_eq!(service.headers.get("x-custom"), Some("1"));
    assert_eq!(service.headers.get("x-cos-request-id"), Some("abc"));
    assert_eq!(service.request_id.as_deref(), Some("abc"));
}

#[test]
fn a_parsed_body_that_times_out_is_a_transport_timeout_retried_within_the_budget() {
    let t = Fake::forever(Step::TimedOut);
    let err = client(&t, fast(3)).bucket(BUCKET).execute(RawRequest::new(Method::Get).key("a")).unwrap_err();
    assert_eq!(err.transport_kind(), Some(tencent_cos::TransportErrorKind::Timeout), "{err:?}");
    assert_eq!(t.requests(), 4);
}

#[test]
fn a_post_whose_body_breaks_off_is_not_sent_again() {
    let t = Fake::forever(Step::Broken);
    let err = client(&t, fast(3)).bucket(BUCKET).execute(RawRequest::new(Method::Post).key("a")).unwrap_err();
    assert!(matches!(err, Error::Io(_)), "{err:?}");
    assert_eq!(t.requests(), 1);
}

#[test]
fn by_default_every_wait_is_bounded_but_the_whole_request() {
    let config = tencent_cos::Config::default();
    assert_eq!(config.connect_timeout, Some(Duration::from_secs(10)));
    assert_eq!(config.read_timeout, Some(Duration::from_secs(30)));
    let min = config.min_throughput.expect("stall detection is on by default");
    assert_eq!((min.bytes_per_second, min.grace_period), (1, Duration::from_secs(20)));
    assert_eq!(config.timeout, None);
    assert_eq!(config.retry.max_retries, 3);
}

#[test]
fn a_download_resumes_only_on_what_is_left_of_the_budget() {
    // Three 503s spend three retries of four requests: the body that breaks off after them
    // is not resumed.
    let t = Fake::cycling(&[Step::Status(503), Step::Status(503), Step::Status(503), Step::BrokenObject]);
    let out = client(&t, fast(3)).bucket(BUCKET).get_object("a").send().unwrap();
    let err = out.bytes().unwrap_err();
    assert!(matches!(err, Error::Io(_)), "{err:?}");
    assert_eq!(t.requests(), 4, "max_retries + 1 for the call and its resumes together");
}

#[test]
fn a_builder_sent_with_options_keeps_the_budget_and_the_cancel() {
    // `Call::send_with` runs the pipeline `send` runs: 503 forever with max_retries 2 is 3 requests.
    let t = Fake::forever(Step::Status(503));
    let c = client(&t, fast(2));
    let err = c.bucket(BUCKET).head_object("a").send_with(&CallOptions::new()).unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(t.requests(), 3);
    // A token cancelled before the call: no request at all.
    let token = CancelToken::new();
    token.cancel();
    let result = c.bucket(BUCKET).delete_object("a").send_with(&CallOptions::new().cancel(token));
    assert!(matches!(result, Err(Error::Cancelled)), "{result:?}");
    assert_eq!(t.requests(), 3);
}

#[test]
fn a_builder_hands_over_the_input_its_setters_filled() {
    use tencent_cos::api::{Conditions, HeadObjectInput};
    let t = Fake::forever(Step::Status(200));
    let c = client(&t, fast(0));
    let bucket = c.bucket(BUCKET);
    let call = bucket.head_object("a.txt").if_match("\"e\"").version_id("v1");
    assert_eq!(call.bucket().name(), BUCKET);
    let expected = HeadObjectInput {
        key: "a.txt".into(),
        version_id: Some("v1".into()),
        conditions: Conditions { if_match: Some("\"e\"".into()), ..Conditions::default() },
    };
    assert_eq!(call.input(), &expected);
    let input = call.into_input();
    assert_eq!(input, expected);
    assert_eq!(t.requests(), 0, "building a call sends nothing");
    assert_eq!(bucket.execute(input).unwrap().meta.status, 200);
    assert_eq!(t.requests(), 1);
}
