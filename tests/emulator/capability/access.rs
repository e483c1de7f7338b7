//! Who may do what, as the client sees it: wrong and unknown keys, skewed clocks, anonymous
//! callers and public ACLs, temporary keys (good, wrong token, expired token, no token),
//! presigned URLs and `get_auth`.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tencent_cos::GetAuthParams;
use tencent_cos::api::CannedAcl;
use tencent_cos::emulator::{DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY};
use tencent_cos::http::{Headers, Method};
use tencent_cos::{Credentials, TemporaryCredentials};

use crate::support::capability_support::{BUCKET, Env, REGION, etag_of, failure};

/// Wrong SecretKey, unknown SecretId, a clock far off (corrected, or not), and the fields of a
/// COS error.
pub fn authentication_errors(env: &Env) {
    let bucket = env.create_bucket();
    bucket.put_object("a.txt").body("abc").send().unwrap();

    let wrong_key = env.client_with(DEFAULT_SECRET_ID, "not-the-secret-key").bucket(BUCKET);
    let err = wrong_key.get_object("a.txt").send().unwrap_err();
    let e = err.service().expect("a service error");
    assert_eq!((e.status, e.code.as_str()), (403, "SignatureDoesNotMatch"));
    let format_string = e.format_string.as_deref().expect("the emulator shows what it signed");
    assert!(format_string.starts_with("get\n/"), "{format_string:?}");
    assert!(format_string.ends_with(&format!("host={}\n", env.bucket_host().replace(':', "%3A"))), "{format_string:?}");
    assert!(e.string_to_sign.as_deref().is_some_and(|s| s.starts_with("sha1\n")));
    assert!(e.request_id.as_deref().is_some_and(|id| !id.is_empty()));
    assert_eq!(e.trace_id, e.request_id);
    assert!(e.resource.as_deref().is_some_and(|r| r.ends_with("a.txt")), "{:?}", e.resource);
    assert_eq!(failure(wrong_key.put_object("b.txt").body("x").send()), (403, "SignatureDoesNotMatch".into()));
    assert_eq!(
        failure(env.client_with(DEFAULT_SECRET_ID, "x").get_service().send()),
        (403, "SignatureDoesNotMatch".into())
    );

    let unknown = env.client_with("AKIDnobodyknowsthis0000000000000000000", DEFAULT_SECRET_KEY).bucket(BUCKET);
    assert_eq!(failure(unknown.head_bucket().send().map(|_| ())), (403, "403".into()));
    assert_eq!(failure(unknown.get_bucket().send()), (403, "InvalidAccessKeyId".into()));
    assert_eq!(env.emulator.object_keys(BUCKET), ["a.txt"]);

    // A clock an hour off: the server's Date corrects it and the request is signed again ...
    for offset in [-3600, 3600] {
        let client = env.builder().secret(DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY).system_clock_offset(offset);
        // The re-signed request is the call's second: it needs a budget of one retry.
        let client = client.retry(tencent_cos::RetryPolicy { max_retries: 1, ..Default::default() }).build().unwrap();
        assert_eq!(client.bucket(BUCKET).get_object("a.txt").send().unwrap().bytes().unwrap(), b"abc");
        assert!(client.clock_offset().abs() <= 5, "offset {offset} corrected to {}", client.clock_offset());
    }
    // ... unless correction is off: expired keys, keys not valid yet.
    for (offset, code) in [(-3600, "AccessDenied"), (3600, "RequestTimeTooSkewed")] {
        let client = env.builder().secret(DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY).system_clock_offset(offset);
        let client = client.correct_clock_skew(false).build().unwrap();
        let err = client.bucket(BUCKET).get_object("a.txt").send().unwrap_err();
        assert_eq!((err.status(), err.code()), (Some(403), Some(code)), "{err}");
    }
}

/// Anonymous callers: refused on a private bucket; public-read lets them read only,
/// public-read-write lets them write too.
pub fn anonymous_access(env: &Env) {
    let bucket = env.create_bucket();
    bucket.put_object("a.txt").body("public?").send().unwrap();
    let anonymous = env.anonymous();
    let denied = || (403, "AccessDenied".to_owned());
    assert_eq!(failure(anonymous.get_object("a.txt").send()), denied());
    assert_eq!(failure(anonymous.get_bucket().send()), denied());
    assert_eq!(failure(anonymous.put_object("b.txt").body("x").send()), denied());
    assert_eq!(failure(anonymous.head_object("a.txt").send()), (403, "403".into()));
    assert_eq!(failure(anonymous.get_bucket_acl().send()), denied());

    // An ACL given when an object is created opens that object only.
    bucket.put_object("open.txt").body("open").acl(tencent_cos::api::CannedAcl::PublicRead).send().unwrap();
    assert_eq!(anonymous.get_object("open.txt").send().unwrap().bytes().unwrap(), b"open");
    let id =
        bucket.multipart_init("open-multi.bin").acl(tencent_cos::api::CannedAcl::PublicRead).send().unwrap().upload_id;
    let part = bucket.multipart_upload("open-multi.bin", &id, 1, "multi").send().unwrap().etag;
    bucket.multipart_complete("open-multi.bin", &id, [(1, part)]).send().unwrap();
    assert_eq!(anonymous.get_object("open-multi.bin").send().unwrap().bytes().unwrap(), b"multi");
    assert_eq!(failure(anonymous.get_object("a.txt").send()), denied());
    // An ACL given when a bucket is created.
    let public = env.client().bucket("public-1250000000");
    public.put_bucket().acl(CannedAcl::PublicRead).send().unwrap();
    public.put_object("p.txt").body("p").send().unwrap();
    let public_anonymous = env.builder().anonymous().build().unwrap().bucket("public-1250000000");
    assert_eq!(public_anonymous.get_bucket().send().unwrap().contents[0].key, "p.txt");
    bucket.delete_multiple_object(["open.txt", "open-multi.bin"]).send().unwrap();

    bucket.put_bucket_acl().acl(CannedAcl::PublicRead).send().unwrap();
    let got = anonymous.get_object("a.txt").send().unwrap();
    assert_eq!(got.meta.status, 200);
    assert_eq!(got.bytes().unwrap(), b"public?");
    assert_eq!(anonymous.head_object("a.txt").send().unwrap().properties.etag, Some(etag_of(b"public?")));
    assert_eq!(anonymous.get_bucket().send().unwrap().contents[0].key, "a.txt");
    assert_eq!(failure(anonymous.put_object("b.txt").body("x").send()), denied());
    assert_eq!(failure(anonymous.delete_object("a.txt").send()), denied());
    assert_eq!(failure(anonymous.multipart_init("big.bin").send()), denied());
    assert_eq!(failure(anonymous.get_bucket_acl().send()), denied());
    assert_eq!(failure(anonymous.put_bucket_acl().acl(CannedAcl::PublicReadWrite).send()), denied());

    bucket.put_bucket_acl().acl(CannedAcl::PublicReadWrite).send().unwrap();
    assert_eq!(anonymous.put_object("b.txt").body("from anyone").send().unwrap().etag, Some(etag_of(b"from anyone")));
    assert_eq!(anonymous.delete_object("a.txt").send().unwrap().meta.status, 204);
    assert_eq!(env.emulator.object_keys(BUCKET), ["b.txt"]);
    // Still no bucket-level control for strangers.
    assert_eq!(failure(anonymous.delete_bucket().send()), denied());
    assert_eq!(failure(anonymous.put_bucket_acl().acl(CannedAcl::Private).send()), denied());
}

/// Temporary keys from a provider (fetched once, token sent), and the token's refusals.
pub fn temporary_credentials(env: &Env) {
    env.create_bucket();
    let calls = Arc::new(AtomicUsize::new(0));
    let (emulator, counter) = (env.emulator.clone(), calls.clone());
    let client = env
        .builder()
        .temporary_credentials(move || {
            counter.fetch_add(1, Ordering::SeqCst);
            Ok(emulator.issue_temporary_credentials(DEFAULT_SECRET_ID, 1800)?)
        })
        .build()
        .unwrap();
    let bucket = client.bucket(BUCKET);
    let put = bucket.put_object("tmp.txt").body("temporary").send().unwrap();
    assert_eq!(put.etag, Some(etag_of(b"temporary")));
    assert_eq!(bucket.get_object("tmp.txt").send().unwrap().bytes().unwrap(), b"temporary");
    assert_eq!(bucket.get_bucket().send().unwrap().contents.len(), 1);
    assert_eq!(calls.load(Ordering::SeqCst), 1, "the keys are cached while valid");
    // A presigned URL made with temporary keys carries the token.
    let url = bucket.get_object_url("tmp.txt").build().unwrap();
    assert!(url.contains("&x-cos-security-token=emulator-token-"), "{url}");
    assert_eq!(env.fetch(Method::Get, &url, b"").body, b"temporary");

    let issued = env.emulator.issue_temporary_credentials(DEFAULT_SECRET_ID, 1800).unwrap();
    let with_token = |token: &str, expired_time: u64| {
        let creds = TemporaryCredentials { security_token: token.to_owned(), expired_time, ..issued.clone() };
        env.builder().temporary_credentials(move || Ok(creds.clone())).build().unwrap()
    };
    let wrong = with_token("not-the-token", issued.expired_time);
    assert_eq!(failure(wrong.bucket(BUCKET).get_object("tmp.txt").send()), (403, "InvalidToken".into()));
    let without = env.builder().credentials(Credentials::new(&issued.tmp_secret_id, &issued.tmp_secret_key));
    let without = without.build().unwrap();
    assert_eq!(failure(without.bucket(BUCKET).get_object("tmp.txt").send()), (403, "AccessDenied".into()));

    // Keys the client still believes in, that the server has seen expire.
    let now = env.emulator.now();
    let expired = TemporaryCredentials {
        expired_time: now - 10,
        ..env.emulator.issue_temporary_credentials(DEFAULT_SECRET_ID, 60).unwrap()
    };
    env.emulator.add_temporary_credentials(DEFAULT_SECRET_ID, &expired).unwrap();
    let stale = env
        .builder()
        .temporary_credentials(move || Ok(TemporaryCredentials { expired_time: now + 3600, ..expired.clone() }))
        .build()
        .unwrap();
    assert_eq!(failure(stale.bucket(BUCKET).get_object("tmp.txt").send()), (403, "ExpiredToken".into()));

    // A provider that fails is the client's error, before any request.
    let failing = env.builder().temporary_credentials(|| Err(std::io::Error::other("sts down").into()));
    let err = failing.build().unwrap().bucket(BUCKET).get_object("tmp.txt").send().unwrap_err();
    assert!(matches!(err, tencent_cos::Error::Credentials(ref m) if m.contains("sts down")), "{err}");
}

/// Presigned URLs fetched by a plain GET: they work until they expire, and only for the method
/// and key they were signed for; plain URLs work where the ACL is public; `get_auth` signs a
/// request someone else sends.
pub fn presigned_urls(env: &Env) {
    let bucket = env.create_bucket();
    bucket.put_object("photos/a b.jpg").body("jpeg bytes").send().unwrap();

    let url = bucket.get_object_url("photos/a b.jpg").expires(60).build().unwrap();
    let base = match env.server_url() {
        Some(server) => format!("{server}/{BUCKET}/photos/a%20b.jpg"),
        None => format!("https://{BUCKET}.cos.{REGION}.myqcloud.com/photos/a%20b.jpg"),
    };
    assert!(url.starts_with(&format!("{base}?q-sign-algorithm=sha1&q-ak={DEFAULT_SECRET_ID}&")), "{url}");
    let got = env.fetch(Method::Get, &url, b"");
    assert_eq!((got.status, got.body.as_slice()), (200, &b"jpeg bytes"[..]));
    assert_eq!(got.headers.get("etag"), Some(etag_of(b"jpeg bytes").as_str()));

    let signed_query = bucket
        .get_object_url("photos/a b.jpg")
        .query("response-content-disposition", "attachment; filename=\"a b.jpg\"")
        .build()
        .unwrap();
    let got = env.fetch(Method::Get, &signed_query, b"");
    assert_eq!(got.status, 200);
    assert_eq!(got.headers.get("content-disposition"), Some("attachment; filename=\"a b.jpg\""));

    // Signed for GET of one key: not a PUT, not another key.
    assert_eq!(env.fetch(Method::Put, &url, b"overwrite").code(), (403, "SignatureDoesNotMatch".into()));
    bucket.put_object("photos/other.jpg").body("other").send().unwrap();
    let other_key = url.replacen("photos/a%20b.jpg", "photos/other.jpg", 1);
    assert_eq!(env.fetch(Method::Get, &other_key, b"").code(), (403, "SignatureDoesNotMatch".into()));
    // Nor can its lifetime be stretched.
    let key_time = url.split('&').find_map(|p| p.strip_prefix("q-key-time=")).expect("q-key-time").to_owned();
    let (start, end) = key_time.split_once(';').expect("start;end");
    let longer = format!("{start};{}", end.parse::<u64>().unwrap() + 3600);
    let stretched = url.replace(&key_time, &longer);
    assert_eq!(stretched.matches(&longer).count(), 2, "q-sign-time and q-key-time: {stretched}");
    assert_eq!(env.fetch(Method::Get, &stretched, b"").code(), (403, "SignatureDoesNotMatch".into()));
    assert_eq!(env.emulator.object_bytes(BUCKET, "photos/a b.jpg"), Some(b"jpeg bytes".to_vec()));

    // Expired: signed by a client whose clock is 20 minutes behind, valid for 15.
    let late = env.builder().secret(DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY).system_clock_offset(-1200).build().unwrap();
    let expired_url = late.bucket(BUCKET).get_object_url("photos/a b.jpg").expires(900).build().unwrap();
    let refused = env.fetch(Method::Get, &expired_url, b"");
    assert_eq!(refused.code(), (403, "AccessDenied".into()));
    assert!(String::from_utf8_lossy(&refused.body).contains("Request has expired"));

    // A URL signed for PUT uploads.
    let put_url = bucket.get_object_url("uploads/new.txt").method(Method::Put).build().unwrap();
    let put = env.fetch(Method::Put, &put_url, b"uploaded through a URL");
    assert_eq!((put.status, put.headers.get("etag")), (200, Some(etag_of(b"uploaded through a URL").as_str())));
    assert_eq!(env.emulator.object_bytes(BUCKET, "uploads/new.txt"), Some(b"uploaded through a URL".to_vec()));

    // Plain URLs: private refuses, public-read serves.
    let plain = bucket.get_object_url("photos/a b.jpg").sign(false).build().unwrap();
    assert_eq!(plain, base);
    assert_eq!(env.fetch(Method::Get, &plain, b"").code(), (403, "AccessDenied".into()));
    bucket.put_object_acl("photos/a b.jpg").acl(CannedAcl::PublicRead).send().unwrap();
    assert_eq!(env.fetch(Method::Get, &plain, b"").body, b"jpeg bytes");

    // get_auth: an Authorization for a request sent by someone else.
    let client = env.client();
    let params = |key: &str| GetAuthParams {
        method: Some(Method::Get),
        key: key.to_owned(),
        bucket: Some((BUCKET.to_owned(), REGION.to_owned())),
        ..Default::default()
    };
    let auth = client.get_auth(&params("photos/other.jpg")).unwrap();
    assert_eq!(auth.security_token, None);
    let headers: Headers = [("Authorization", auth.authorization.as_str())].into_iter().collect();
    let other_url = base.replacen("photos/a%20b.jpg", "photos/other.jpg", 1);
    let got = env.fetch_with(Method::Get, &other_url, headers.clone(), b"");
    assert_eq!((got.status, got.body.as_slice()), (200, &b"other"[..]));
    let wrong_key = base.replacen("photos/a%20b.jpg", "uploads/new.txt", 1);
    assert_eq!(env.fetch_with(Method::Get, &wrong_key, headers, b"").code(), (403, "SignatureDoesNotMatch".into()));
}
