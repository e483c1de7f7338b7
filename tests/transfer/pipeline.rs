//! The send pipeline with a scripted transport: retries, clock skew, credentials, validation,
//! redaction, presigned URLs.

use crate::support::common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use common::{Canned, ScriptedTransport};
use tencent_cos::http::{Body, Method};
use tencent_cos::operation::RawRequest;
use tencent_cos::{Client, Credentials, Error, RetryPolicy, SignedAuthorization, TemporaryCredentials};

const NOW: u64 = 1_700_000_000;
const BUCKET: &str = "examplebucket-1250000000";

fn fast_retry() -> RetryPolicy {
    RetryPolicy { max_retries: 3, initial_backoff: Duration::from_millis(1), max_backoff: Duration::from_millis(2) }
}

fn client_with(t: &ScriptedTransport) -> Client {
    Client::builder()
        .secret("AKIDTEST", "secret-key-for-tests")
        .region("ap-guangzhou")
        .clock(|| NOW)
        .retry(fast_retry())
        .transport(t.clone())
        .build()
        .unwrap()
}

fn sign_time(auth: &str) -> &str {
    auth.split('&').find_map(|p| p.strip_prefix("q-sign-time=")).unwrap()
}

#[test]
fn a_503_is_retried_once_then_succeeds() {
    let t = ScriptedTransport::new();
    t.answer(Canned::new(503, "<Error><Code>SlowDown</Code></Error>"));
    t.answer(Canned::new(200, "ok"));
    let out = client_with(&t).bucket(BUCKET).execute(RawRequest::new(Method::Put).key("a.txt").body("hello")).unwrap();
    assert_eq!(out.body, b"ok");
    let reqs = t.requests();
    assert_eq!(reqs.len(), 2);
    assert_eq!(reqs[0].body, b"hello");
    assert_eq!(reqs[1].body, b"hello", "the replayed body is the same bytes");
    assert_eq!(reqs[1].url, reqs[0].url);
}

#[test]
fn retries_stop_at_the_policy_limit_and_return_the_service_error() {
    let t = ScriptedTransport::new();
    for _ in 0..10 {
        t.answer(Canned::new(500, "<Error><Code>InternalError</Code><Message>boom</Message></Error>"));
    }
    let err = client_with(&t).bucket(BUCKET).execute(RawRequest::new(Method::Get).key("a")).unwrap_err();
    assert_eq!(err.code(), Some("InternalError"));
    assert_eq!(err.status(), Some(500));
    assert_eq!(t.requests().len(), 4, "1 attempt + 3 retries");
}

#[test]
fn a_4xx_is_never_retried() {
    let t = ScriptedTransport::new();
    t.answer(Canned::new(404, "<Error><Code>NoSuchKey</Code><Message>m</Message><RequestId>rid-9</RequestId></Error>"));
    let err = client_with(&t).bucket(BUCKET).execute(RawRequest::new(Method::Get).key("a")).unwrap_err();
    assert!(err.is_not_found());
    assert_eq!(err.service().unwrap().request_id.as_deref(), Some("rid-9"));
    assert_eq!(t.requests().len(), 1);
}

#[test]
fn a_one_shot_reader_body_is_not_retried() {
    let t = ScriptedTransport::new();
    t.answer(Canned::new(503, ""));
    let body = Body::Reader { reader: Box::new(std::io::Cursor::new(b"abc".to_vec())), len: 3 };
    let err = client_with(&t).bucket(BUCKET).execute(RawRequest::new(Method::Put).key("a").body(body)).unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(t.requests().len(), 1);
}

#[test]
fn request_time_too_skewed_resigns_with_the_server_clock_and_keeps_the_offset() {
    let t = ScriptedTransport::new();
    let server_date = httpdate::fmt_http_date(std::time::UNIX_EPOCH + Duration::from_secs(NOW + 3600));
    t.answer(
        Canned::new(403, "<Error><Code>RequestTimeTooSkewed</Code><Message>skewed</Message></Error>")
            .header("Date", &server_date),
    );
    t.answer(Canned::new(200, ""));
    t.answer(Canned::new(200, ""));
    let client = client_with(&t);
    let bucket = client.bucket(BUCKET);
    bucket.execute(RawRequest::new(Method::Get).key("a")).unwrap();
    bucket.execute(RawRequest::new(Method::Get).key("b")).unwrap();
    let reqs = t.requests();
    assert_eq!(reqs.len(), 3);
    assert_eq!(sign_time(reqs[0].header("authorization").unwrap()), "1699999999;1700000899");
    assert_eq!(sign_time(reqs[1].header("authorization").unwrap()), "1700003599;1700004499");
    assert_eq!(sign_time(reqs[2].header("authorization").unwrap()), "1700003599;1700004499");
    assert_eq!(client.clock_offset(), 3600);
}

#[test]
fn a_plain_403_is_not_treated_as_skew() {
    let t = ScriptedTransport::new();
    t.answer(
        Canned::new(403, "<Error><Code>AccessDenied</Code><Message>no</Message></Error>")
            .header("Date", "Tue, 14 Nov 2023 22:13:20 GMT"),
    );
    let err = client_with(&t).bucket(BUCKET).execute(RawRequest::new(Method::Get).key("a")).unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"));
    assert_eq!(err.service().unwrap().message, "no");
    assert_eq!(t.requests().len(), 1);
}

#[test]
fn wire_headers_follow_the_node_sdk() {
    let t = ScriptedTransport::new();
    client_with(&t).bucket(BUCKET).execute(RawRequest::new(Method::Delete).key("/dir/a b.txt")).unwrap();
    let r = t.last();
    assert_eq!(r.url, "https://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/dir/a%20b.txt");
    let names: Vec<&str> = r.headers.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["User-Agent", "Content-Length", "Authorization", "Host"]);
    assert_eq!(r.header("content-length"), Some("0"));
    assert_eq!(r.header("host"), Some("examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com"));
    let auth = r.header("authorization").unwrap();
    assert!(auth.contains("&q-header-list=content-length;host&q-url-param-list=&"), "{auth}");
    assert_eq!(r.header("user-agent"), Some(concat!("tencent-cos-rust/", env!("CARGO_PKG_VERSION"))));
}

fn temp(id: &str, expired_time: u64) -> TemporaryCredentials {
    TemporaryCredentials {
        tmp_secret_id: id.into(),
        tmp_secret_key: "tmp-secret".into(),
        security_token: format!("token-{id}"),
        expired_time,
        start_time: None,
    }
}

#[test]
fn temporary_credentials_are_fetched_once_for_eight_threads_and_refreshed_before_expiry() {
    let t = ScriptedTransport::new();
    let calls = Arc::new(AtomicUsize::new(0));
    let clock = Arc::new(AtomicU64::new(NOW));
    let (c, k) = (calls.clone(), clock.clone());
    let client = Client::builder()
        .temporary_credentials(move || {
            let n = c.fetch_add(1, Ordering::SeqCst) + 1;
            std::thread::sleep(Duration::from_millis(50)); // let the other threads pile up
            Ok(temp(&format!("AKIDTMP{n}"), k.load(Ordering::SeqCst) + 1000))
        })
        .region("ap-guangzhou")
        .clock({
            let clock = clock.clone();
            move || clock.load(Ordering::SeqCst)
        })
        .transport(t.clone())
        .build()
        .unwrap();
    let threads: Vec<_> = (0..8)
        .map(|i| {
            let b = client.bucket(BUCKET);
            std::thread::spawn(move || b.execute(RawRequest::new(Method::Get).key(format!("k{i}"))).unwrap())
        })
        .collect();
    for th in threads {
        th.join().unwrap();
    }
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    for r in t.requests() {
        assert!(r.header("authorization").unwrap().contains("q-ak=AKIDTMP1&"));
        assert_eq!(r.header("x-cos-security-token"), Some("token-AKIDTMP1"));
        assert!(!r.header("authorization").unwrap().contains("x-cos-security-token"), "token is not signed");
    }
    // 939 s later the keys have 61 s left: still used. At 941 s, 59 s left: refreshed.
    clock.store(NOW + 939, Ordering::SeqCst);
    client.bucket(BUCKET).execute(RawRequest::new(Method::Get).key("x")).unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    clock.store(NOW + 941, Ordering::SeqCst);
    client.bucket(BUCKET).execute(RawRequest::new(Method::Get).key("y")).unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    assert!(t.last().header("authorization").unwrap().contains("q-ak=AKIDTMP2&"));
}

#[test]
fn a_failing_provider_is_a_credentials_error_and_sends_nothing() {
    let t = ScriptedTransport::new();
    let client = Client::builder()
        .temporary_credentials(|| Err(std::io::Error::other("sts down").into()))
        .region("ap-guangzhou")
        .transport(t.clone())
        .build()
        .unwrap();
    let err = client.bucket(BUCKET).execute(RawRequest::new(Method::Get).key("a")).unwrap_err();
    assert!(matches!(&err, Error::Credentials(m) if m.contains("sts down")), "{err}");
    assert_eq!(t.requests().len(), 0);
}

#[test]
fn an_authorization_callback_gets_the_request_and_its_answer_is_sent() {
    let t = ScriptedTransport::new();
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let s = seen.clone();
    let client = Client::builder()
        .authorization_callback(move |req| {
            s.lock().unwrap().push(format!(
                "{} {} {:?} {:?} {:?} {:?}",
                req.method, req.key, req.query, req.headers, req.bucket, req.region
            ));
            Ok(SignedAuthorization {
                authorization: "server-made-auth".into(),
                security_token: Some("srv-token".into()),
            })
        })
        .region("ap-guangzhou")
        .transport(t.clone())
        .build()
        .unwrap();
    client.bucket(BUCKET).execute(RawRequest::new(Method::Get).key("a.txt").query("acl", "")).unwrap();
    let r = t.last();
    assert_eq!(r.header("authorization"), Some("server-made-auth"));
    assert_eq!(r.header("x-cos-security-token"), Some("srv-token"));
    assert_eq!(
        seen.lock().unwrap()[0],
        r#"GET a.txt [("acl", "")] [("Host", "examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com")] Some("examplebucket-1250000000") Some("ap-guangzhou")"#
    );
}

#[test]
fn invalid_input_is_refused_before_any_request() {
    let t = ScriptedTransport::new();
    let client = client_with(&t);
    type Case<'a> = (&'static str, Box<dyn Fn() -> Result<(), Error> + 'a>);
    let cases: Vec<Case<'_>> = vec![
        ("bucket", Box::new(|| client.bucket("NoAppid").execute(RawRequest::new(Method::Get)).map(drop))),
        ("bucket", Box::new(|| client.bucket("Upper-125").execute(RawRequest::new(Method::Get)).map(drop))),
        ("bucket", Box::new(|| client.bucket("name-12a").execute(RawRequest::new(Method::Get)).map(drop))),
        ("bucket", Box::new(|| client.bucket("-lead-125").execute(RawRequest::new(Method::Get)).map(drop))),
        ("bucket", Box::new(|| client.bucket("evil.com/x-125").execute(RawRequest::new(Method::Get)).map(drop))),
        (
            "bucket",
            Box::new(|| {
                client.bucket(format!("{}-125", "a".repeat(51))).execute(RawRequest::new(Method::Get)).map(drop)
            }),
        ),
        (
            "region",
            Box::new(|| client.bucket_in(BUCKET, "ap-gz.evil.com").execute(RawRequest::new(Method::Get)).map(drop)),
        ),
        ("region", Box::new(|| client.bucket_in(BUCKET, "a/b").execute(RawRequest::new(Method::Get)).map(drop))),
        ("region", Box::new(|| client.bucket_in(BUCKET, "user@host").execute(RawRequest::new(Method::Get)).map(drop))),
        ("region", Box::new(|| client.bucket_in(BUCKET, "host:80").execute(RawRequest::new(Method::Get)).map(drop))),
        ("region", Box::new(|| client.bucket_in(BUCKET, "").execute(RawRequest::new(Method::Get)).map(drop))),
        ("key", Box::new(|| client.bucket(BUCKET).execute(RawRequest::new(Method::Get).key("")).map(drop))),
        ("key", Box::new(|| client.bucket(BUCKET).execute(RawRequest::new(Method::Get).key("/")).map(drop))),
        (
            "headers",
            Box::new(|| {
                client
                    .bucket(BUCKET)
                    .execute(RawRequest::new(Method::Get).key("a").header("x-cos-meta-a", "v\r\nX: y"))
                    .map(drop)
            }),
        ),
        (
            "headers",
            Box::new(|| {
                client
                    .bucket(BUCKET)
                    .execute(RawRequest::new(Method::Get).key("a").header("x-cos-meta-a", "v\n"))
                    .map(drop)
            }),
        ),
        (
            "headers",
            Box::new(|| {
                client
                    .bucket(BUCKET)
                    .execute(RawRequest::new(Method::Get).key("a").header("Bad\r\nName", "v"))
                    .map(drop)
            }),
        ),
        ("chunk_size", Box::new(|| Client::builder().chunk_size(1024 * 1024 - 1).build().map(drop))),
        ("file_parallel_limit", Box::new(|| Client::builder().file_parallel_limit(0).build().map(drop))),
        ("chunk_parallel_limit", Box::new(|| Client::builder().chunk_parallel_limit(0).build().map(drop))),
        ("copy_chunk_parallel_limit", Box::new(|| Client::builder().copy_chunk_parallel_limit(0).build().map(drop))),
        ("region", Box::new(|| Client::builder().region("ap.gz").build().map(drop))),
        ("user_agent", Box::new(|| Client::builder().user_agent("ua\r\n").build().map(drop))),
    ];
    for (i, (field, case)) in cases.iter().enumerate() {
        match case() {
            Err(Error::InvalidArgument { field: f, reason }) => {
                assert_eq!(f, *field, "case {i}: {reason}");
                assert!(!reason.is_empty());
            }
            other => panic!("case {i} ({field}): expected InvalidArgument, got {other:?}"),
        }
    }
    assert_eq!(t.requests().len(), 0);
}

#[test]
fn no_public_type_prints_a_secret() {
    const KEY: &str = "SECRETKEY-1f2e3d4c";
    const TOKEN: &str = "TOKEN-9a8b7c6d";
    let creds = Credentials::new("AKIDVISIBLE", KEY).with_security_token(TOKEN);
    let client = Client::builder().credentials(creds.clone()).region("ap-guangzhou").build().unwrap();
    let tmp = TemporaryCredentials { tmp_secret_key: KEY.into(), security_token: TOKEN.into(), ..temp("AKIDTMP", 1) };
    let signed = SignedAuthorization { authorization: KEY.into(), security_token: Some(TOKEN.into()) };
    let params = tencent_cos::AuthorizationParams { secret_id: "AKIDVISIBLE", secret_key: KEY, ..Default::default() };
    let v4 = tencent_cos::unversioned::signing::V4AuthParams {
        secret_id: "AKIDVISIBLE",
        secret_key: KEY,
        bucket: BUCKET,
        key: "a",
        now: 1,
        expires_at: 2,
        random: 3,
    };
    let auth = client.get_auth(&Default::default()).unwrap();
    let builder = Client::builder().credentials(creds.clone());
    let temp_client = Client::builder().temporary_credentials(move || Ok(temp("AKIDTMP", u64::MAX))).build().unwrap();
    let failing = Client::builder()
        .temporary_credentials(|| Err(std::io::Error::other("refused").into()))
        .region("ap-guangzhou")
        .transport(ScriptedTransport::new())
        .build()
        .unwrap();
    let err = failing.bucket(BUCKET).execute(RawRequest::new(Method::Get).key("a")).unwrap_err();
    let shown = [
        format!("{creds:?}"),
        format!("{client:?}"),
        format!("{:?}", client.bucket(BUCKET)),
        format!("{tmp:?}"),
        format!("{signed:?}"),
        format!("{params:?}"),
        format!("{v4:?}"),
        format!("{auth:?}"),
        format!("{builder:?}"),
        format!("{temp_client:?}"),
        format!("{err:?} {err}"),
    ];
    for s in &shown {
        assert!(!s.contains(KEY) && !s.contains(TOKEN), "secret leaked: {s}");
    }
    assert!(shown[0].contains("AKIDVISIBLE"), "the SecretId is not a secret: {}", shown[0]);
}

#[test]
fn presigned_urls_sign_host_and_carry_the_token() {
    let t = ScriptedTransport::new();
    let client = Client::builder()
        .credentials(Credentials::new("AKIDTEST", "k").with_security_token("tok en"))
        .region("ap-guangzhou")
        .clock(|| NOW)
        .transport(t)
        .build()
        .unwrap();
    let url = client
        .bucket(BUCKET)
        .get_object_url("dir/a b.txt")
        .expires(60)
        .query("response-content-type", "text/plain")
        .build()
        .unwrap();
    let expected_auth = tencent_cos::unversioned::signing::sign_parts(
        "AKIDTEST",
        "k",
        "get",
        "/dir/a b.txt",
        [("response-content-type", "text/plain")].into_iter(),
        [("Host", "examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com")].into_iter(),
        NOW - 1,
        NOW - 1 + 60,
    );
    assert_eq!(
        url,
        format!(
            "https://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/dir/a%20b.txt?{expected_auth}&x-cos-security-token=tok%20en&response-content-type=text%2Fplain"
        )
    );
    assert!(expected_auth.contains("&q-header-list=host&q-url-param-list=response-content-type&"));
}

#[test]
fn clients_and_handles_cross_threads() {
    fn shareable<T: Clone + Send + Sync + 'static>() {}
    shareable::<Client>();
    shareable::<tencent_cos::Bucket>();
    shareable::<tencent_cos::emulator::Emulator>();
    fn sendable<T: Send + 'static>() {}
    sendable::<tencent_cos::transfer::TaskHandle>();
    sendable::<tencent_cos::Error>();
    // Cheap to clone: one reference count.
    assert_eq!(std::mem::size_of::<Client>(), std::mem::size_of::<usize>());
}

#[test]
fn get_object_url_is_plain_when_the_client_cannot_sign_by_itself() {
    let plain = "https://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/dir/a%20b.txt?response-content-type=text%2Fplain";
    let callback = Client::builder()
        .authorization_callback(|_| Ok(SignedAuthorization::new("q-sign-algorithm=sha1&x")))
        .region("ap-guangzhou")
        .transport(ScriptedTransport::new())
        .build()
        .unwrap();
    let anonymous =
        Client::builder().anonymous().region("ap-guangzhou").transport(ScriptedTransport::new()).build().unwrap();
    for client in [callback, anonymous] {
        let bucket = client.bucket(BUCKET);
        let url = bucket.get_object_url("dir/a b.txt").query("response-content-type", "text/plain");
        assert_eq!(url.build().unwrap(), plain);
    }
}

/// The callback's error type is a boxed error: `|_| Ok(..)` needs no annotation, and any error
/// converts with `?`. Its failure stops the call before any request, naming the callback.
#[test]
fn an_authorization_callback_error_converts_with_question_mark_and_stops_the_call() {
    let t = ScriptedTransport::new();
    let client = Client::builder()
        .authorization_callback(|req| {
            let signed = std::fs::read_to_string(format!("/nonexistent/{}", req.key))?;
            Ok(SignedAuthorization::new(signed))
        })
        .region("ap-guangzhou")
        .transport(t.clone())
        .build()
        .unwrap();
    let e = client.bucket(BUCKET).head_object("a.txt").send().unwrap_err();
    match &e {
        Error::Credentials(m) => {
            assert!(m.starts_with("authorization callback failed: "), "{m}");
            assert!(m.contains("No such file or directory"), "{m}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(t.requests().len(), 0);
}
