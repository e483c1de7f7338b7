//! Authentication as COS does it (every refusal), temporary keys, presigned URLs, clock skew,
//! and anonymous access through ACLs, on the emulator in-process and over HTTP.

use crate::support::emulator_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use emulator_support::{BUCKET, Front, Harness, Raw, sign_request};
use sha1::{Digest, Sha1};
use tencent_cos::emulator::{DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, Emulator};
use tencent_cos::http::Method;
use tencent_cos::unversioned::signing::{V4AuthParams, get_v4_authorization};
use tencent_cos::{
    AuthorizationParams, Credentials, Error, GetV4AuthParams, KeyTime, SignedAuthorization, encode_component,
    encode_key, get_authorization,
};

const BODY: &[u8] = b"signed content";

fn denied() -> (u16, String) {
    (403, "AccessDenied".into())
}

fn garbled_or_missing_authorization(h: &Harness) {
    h.create_bucket();
    h.put("a.txt", BODY);
    let anon = h.anonymous().bucket(BUCKET);
    let none = anon.execute(Raw::get().key("a.txt")).unwrap();
    assert_eq!(none.code(), denied());
    assert_eq!(none.error().message, "Access Denied.");
    for auth in [
        "garbage",
        "q-sign-algorithm=sha1",
        "q-sign-algorithm=md5&q-ak=AKID&q-key-time=1;2&q-signature=ab",
        "q-sign-algorithm=sha1&q-ak=&q-key-time=1;2&q-signature=ab",
        "q-sign-algorithm=sha1&q-ak=AKID&q-key-time=9;1&q-signature=ab",
        "q-sign-algorithm=sha1&q-ak=AKID&q-key-time=;&q-signature=ab",
        "q-sign-algorithm=sha1&q-ak=AKID&q-key-time=18446744073709551616;1&q-signature=ab",
        "q-sign-algorithm=sha1&q-ak=AKID&q-key-time=1;2&q-signature=",
        "&&&===&&&",
    ] {
        let r = anon.execute(Raw::get().key("a.txt").header("Authorization", auth)).unwrap();
        assert_eq!(r.code(), denied(), "{auth}");
        assert!(r.error().message.starts_with("Authorization is malformed"), "{auth}: {}", r.error().message);
    }
}

fn unknown_secret_id(h: &Harness) {
    h.create_bucket();
    let r = h.client_with("AKIDnobodyknowsthis", "whatever").bucket(BUCKET).execute(Raw::get()).unwrap();
    assert_eq!(r.code(), (403, "InvalidAccessKeyId".into()));
}

fn wrong_signature_explains_itself(h: &Harness) {
    h.create_bucket();
    let (start, end) = (h.emulator.now() - 1, h.emulator.now() + 600);
    let client = h.signing_client(move |r| {
        SignedAuthorization::new(sign_request(r, DEFAULT_SECRET_ID, "not-the-key", start, end))
    });
    let r = client.bucket(BUCKET).execute(Raw::get().key("a b.txt")).unwrap();
    assert_eq!(r.code(), (403, "SignatureDoesNotMatch".into()));
    let e = r.error();
    let format_string = match &h.server {
        None => "get\n/a b.txt\n\nhost=examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com\n".to_owned(),
        Some(s) => format!("get\n/examplebucket-1250000000/a b.txt\n\nhost=127.0.0.1%3A{}\n", s.addr().port()),
    };
    assert_eq!(e.format_string.as_deref(), Some(format_string.as_str()));
    let digest: String = Sha1::digest(format_string.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(e.string_to_sign, Some(format!("sha1\n{start};{end}\n{digest}\n")));

    // Signing something else than what is sent: another method, a header that is not there.
    let wrong_method = h.signing_client(move |r| {
        let mut other = r.clone();
        other.method = "PUT";
        SignedAuthorization::new(sign_request(&other, DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, start, end))
    });
    assert_eq!(wrong_method.bucket(BUCKET).execute(Raw::get()).unwrap().code(), (403, "SignatureDoesNotMatch".into()));
    let phantom_header = h.signing_client(move |r| {
        let mut headers = r.headers.to_vec();
        headers.push(("x-cos-meta-phantom".into(), "1".into()));
        let other = tencent_cos::AuthorizationRequest { headers: &headers, ..r.clone() };
        SignedAuthorization::new(sign_request(&other, DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, start, end))
    });
    assert_eq!(
        phantom_header.bucket(BUCKET).execute(Raw::get()).unwrap().code(),
        (403, "SignatureDoesNotMatch".into())
    );

    // The same window with the right key passes; unsigned extra headers do not matter.
    let right = h.signing_client(move |r| {
        SignedAuthorization::new(sign_request(r, DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, start, end))
    });
    let ok = right.bucket(BUCKET).execute(Raw::get().header("X-Unsigned-Extra", "1")).unwrap();
    assert_eq!(ok.status, 200, "{}", ok.text());
}

fn key_time_windows(h: &Harness) {
    h.create_bucket();
    let now = h.emulator.now();
    let window = |start: u64, end: u64| {
        h.signing_client(move |r| {
            SignedAuthorization::new(sign_request(r, DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, start, end))
        })
    };
    let expired = window(now - 1000, now - 10).bucket(BUCKET).execute(Raw::get()).unwrap();
    assert_eq!(expired.code(), denied());
    assert_eq!(expired.error().message, "Request has expired");
    assert!(expired.text().contains("<ServerTime>"));
    assert!(expired.header("date").is_some_and(|d| d.ends_with(" GMT")));
    let early = window(now + 300, now + 900).bucket(BUCKET).execute(Raw::get()).unwrap();
    assert_eq!(early.code(), (403, "RequestTimeTooSkewed".into()));
}

fn clock_skew_is_corrected_by_the_client(h: &Harness) {
    h.create_bucket();
    // The client's clock is an hour behind: its first signature has expired; the client reads the
    // emulator's Date, corrects its offset and signs again.
    let client = h
        .builder()
        .secret(DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY)
        .system_clock_offset(-3600)
        .correct_clock_skew(true)
        // The re-signed request is the call's second: it needs a budget of one retry.
        .retry(tencent_cos::RetryPolicy { max_retries: 1, ..Default::default() })
        .build()
        .unwrap();
    let r = client.bucket(BUCKET).execute(Raw::get()).unwrap();
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(client.clock_offset().abs() <= 5, "offset {}", client.clock_offset());
}

fn temporary_credentials(h: &Harness) {
    h.create_bucket();
    let tmp = h.emulator.issue_temporary_credentials(DEFAULT_SECRET_ID, 1800).unwrap();
    let with = |creds: Credentials| h.builder().credentials(creds).build().unwrap();
    let good = with(Credentials::new(&tmp.tmp_secret_id, &tmp.tmp_secret_key).with_security_token(&tmp.security_token));
    assert_eq!(good.bucket(BUCKET).execute(Raw::put().key("t").body(BODY)).unwrap().status, 200);
    let missing = with(Credentials::new(&tmp.tmp_secret_id, &tmp.tmp_secret_key));
    assert_eq!(missing.bucket(BUCKET).execute(Raw::get().key("t")).unwrap().code(), denied());
    let wrong = with(Credentials::new(&tmp.tmp_secret_id, &tmp.tmp_secret_key).with_security_token("forged"));
    assert_eq!(wrong.bucket(BUCKET).execute(Raw::get().key("t")).unwrap().code(), (403, "InvalidToken".into()));

    // A provider that asks the emulator, as an STS server would be asked.
    let emulator = h.emulator.clone();
    let provided = h
        .builder()
        .temporary_credentials(move || Ok(emulator.issue_temporary_credentials(DEFAULT_SECRET_ID, 900)?))
        .build()
        .unwrap();
    let r = provided.bucket(BUCKET).execute(Raw::get().key("t")).unwrap();
    assert_eq!((r.status, r.body.as_slice()), (200, BODY));
    assert!(h.emulator.issue_temporary_credentials("AKIDnobody", 60).is_err());
}

#[test]
fn expired_temporary_credentials() {
    for front in [Front::InProcess, Front::Http] {
        let skew = Arc::new(AtomicU64::new(0));
        let clock = skew.clone();
        let emulator = Emulator::builder()
            .clock(move || {
                std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()
                    + clock.load(Ordering::Relaxed)
            })
            .build();
        let h = Harness::new(front, emulator);
        h.create_bucket();
        let tmp = h.emulator.issue_temporary_credentials(DEFAULT_SECRET_ID, 60).unwrap();
        let client = h
            .builder()
            .credentials(
                Credentials::new(&tmp.tmp_secret_id, &tmp.tmp_secret_key).with_security_token(&tmp.security_token),
            )
            .build()
            .unwrap();
        assert_eq!(client.bucket(BUCKET).execute(Raw::get()).unwrap().status, 200);
        skew.store(120, Ordering::Relaxed);
        let r = client.bucket(BUCKET).execute(Raw::get()).unwrap();
        assert_eq!(r.code(), (403, "ExpiredToken".into()));
    }
}

fn presign(h: &Harness, key: &str, query: &[(&str, &str)], start: u64, end: u64) -> String {
    let (_, host, _) = h.bucket_url(BUCKET);
    get_authorization(&AuthorizationParams {
        secret_id: DEFAULT_SECRET_ID,
        secret_key: DEFAULT_SECRET_KEY,
        method: "GET",
        key,
        query,
        headers: &[("Host", &host)],
        key_time: KeyTime::Window { start, end },
    })
}

fn presigned_urls(h: &Harness) {
    h.create_bucket();
    let key = "shared/a b+c.txt";
    h.put(key, BODY);
    let (base, _, _) = h.bucket_url(BUCKET);
    let now = h.emulator.now();
    let auth = presign(h, key, &[], now - 1, now + 600);
    let url = format!("{base}/{}?{auth}", encode_key(key));
    let r = h.send_url(Method::Get, &url, &[]);
    assert_eq!((r.status, r.body.as_slice()), (200, BODY), "{}", r.text());

    let compact = format!("{base}/{}?sign={}", encode_key(key), encode_component(&auth));
    assert_eq!(h.send_url(Method::Get, &compact, &[]).status, 200);

    // Extra unsigned parameters are not in q-url-param-list and do not break the signature.
    assert_eq!(h.send_url(Method::Get, &format!("{url}&x-unsigned=1"), &[]).status, 200);

    let tampered = format!("{base}/{}?{auth}", encode_key("shared/other.txt"));
    assert_eq!(h.send_url(Method::Get, &tampered, &[]).code(), (403, "SignatureDoesNotMatch".into()));

    let with_param = presign(h, key, &[("response-content-type", "text/csv")], now - 1, now + 600);
    let url = format!("{base}/{}?response-content-type=text%2Fcsv&{with_param}", encode_key(key));
    let r = h.send_url(Method::Get, &url, &[]);
    assert_eq!((r.status, r.header("content-type")), (200, Some("text/csv")));
    let dropped = format!("{base}/{}?{with_param}", encode_key(key));
    assert_eq!(h.send_url(Method::Get, &dropped, &[]).code(), (403, "SignatureDoesNotMatch".into()));

    let old = presign(h, key, &[], now - 7200, now - 3600);
    let r = h.send_url(Method::Get, &format!("{base}/{}?{old}", encode_key(key)), &[]);
    assert_eq!(r.code(), denied());

    // Temporary keys: the token rides in the query, unsigned, as the node SDK puts it.
    let tmp = h.emulator.issue_temporary_credentials(DEFAULT_SECRET_ID, 600).unwrap();
    let (_, host, _) = h.bucket_url(BUCKET);
    let tmp_auth = get_authorization(&AuthorizationParams {
        secret_id: &tmp.tmp_secret_id,
        secret_key: &tmp.tmp_secret_key,
        method: "GET",
        key,
        query: &[],
        headers: &[("Host", &host)],
        key_time: KeyTime::Window { start: now - 1, end: now + 600 },
    });
    let url = format!("{base}/{}?{tmp_auth}", encode_key(key));
    assert_eq!(h.send_url(Method::Get, &url, &[]).code(), denied());
    let url = format!("{url}&x-cos-security-token={}", encode_component(&tmp.security_token));
    assert_eq!(h.send_url(Method::Get, &url, &[]).status, 200);
}

/// Every printable ASCII character but the space (the official suites sign a parameter named so).
const PRINTABLE: &str =
    "!\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~";

/// Parameters whose names hold the list separator `;` and every other reserved character are
/// checked with the signature: the lists are split before their names are decoded.
/// The node SDK's `getV4Auth` test: a download with `?sign=` and the v4 signature is served,
/// and every way of getting it wrong is refused with COS's codes.
fn v4_signatures(h: &Harness) {
    h.create_bucket();
    let key = "v4/中文 (1)!*'.txt";
    h.put(key, BODY);
    h.put("v4/other.txt", b"other");
    let (base, _, _) = h.bucket_url(BUCKET);
    let url = |key: &str, sign: &str| format!("{base}/{}?sign={}", encode_key(key), encode_component(sign));
    let params = GetV4AuthParams { bucket: BUCKET.into(), key: key.into(), expires: Some(60) };
    let sign = h.client().get_v4_auth(&params).unwrap();

    let got = h.send_url(Method::Get, &url(key, &sign), &[]);
    assert_eq!((got.status, got.body.as_slice()), (200, BODY));
    let head = h.send_url(Method::Head, &url(key, &sign), &[]);
    assert_eq!((head.status, head.header("content-length")), (200, Some("14")));
    // With a leading slash the node SDK signs the same object.
    let slashed = GetV4AuthParams { key: format!("/{key}"), ..params.clone() };
    assert_eq!(h.send_url(Method::Get, &url(key, &h.client().get_v4_auth(&slashed).unwrap()), &[]).status, 200);

    let refused = |url: String, method: Method| {
        let r = h.send_url(method, &url, &[]);
        (r.status, r.error().code, r.error().message)
    };
    let denied = |why: &str| (403, "AccessDenied".to_string(), why.to_string());
    assert_eq!(refused(url("v4/other.txt", &sign), Method::Get), denied("The v4 signature is for another object."));
    assert_eq!(refused(url(key, &sign), Method::Put), denied("A v4 signature (sign=) allows object downloads only."));
    let now = h.emulator.now();
    let signed = |secret_id: &str, secret_key: &str, expires_at: u64| {
        get_v4_authorization(&V4AuthParams { secret_id, secret_key, bucket: BUCKET, key, now, expires_at, random: 1 })
            .unwrap()
    };
    assert_eq!(
        refused(url(key, &signed(DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, now - 1)), Method::Get),
        denied("Request has expired")
    );
    assert_eq!(
        refused(url(key, &signed("AKIDnobody", DEFAULT_SECRET_KEY, now + 60)), Method::Get).1,
        "InvalidAccessKeyId"
    );
    assert_eq!(
        refused(url(key, &signed(DEFAULT_SECRET_ID, "wrong", now + 60)), Method::Get).1,
        "SignatureDoesNotMatch"
    );
    assert_eq!(
        refused(url(key, "bm90IGEgc2lnbmF0dXJl"), Method::Get),
        denied("The v4 signature is not base64 of a MAC and its text.")
    );

    // Keys that cannot make a v4 signature say so before anything is signed.
    let tmp = h.emulator.issue_temporary_credentials(DEFAULT_SECRET_ID, 600).unwrap();
    let temporary = h
        .builder()
        .credentials(Credentials::new(&tmp.tmp_secret_id, &tmp.tmp_secret_key).with_security_token(&tmp.security_token))
        .build()
        .unwrap();
    assert!(matches!(temporary.get_v4_auth(&params), Err(Error::Credentials(m)) if m.contains("security token")));
    assert!(matches!(h.anonymous().get_v4_auth(&params), Err(Error::Credentials(_))));
    let no_appid = GetV4AuthParams { bucket: "examplebucket".into(), ..params };
    assert!(h.client().get_v4_auth(&no_appid).unwrap_err().to_string().contains("bucket"));
}

fn reserved_characters_in_signed_names(h: &Harness) {
    h.create_bucket();
    h.put("k.txt", BODY);
    for name in [PRINTABLE, "a;b", "x,y&z=w"] {
        let r = h.send(BUCKET, Raw::get().key("k.txt").query(name, "v;1").query("plain", "2"));
        assert_eq!((r.status, r.body.as_slice()), (200, BODY), "header form, {name:?}: {}", r.text());
    }
    let (base, host, _) = h.bucket_url(BUCKET);
    let now = h.emulator.now();
    let query = [(PRINTABLE, "v;1"), ("a;b", "2")];
    let auth = get_authorization(&AuthorizationParams {
        secret_id: DEFAULT_SECRET_ID,
        secret_key: DEFAULT_SECRET_KEY,
        method: "GET",
        key: "k.txt",
        query: &query,
        headers: &[("Host", &host)],
        key_time: KeyTime::Window { start: now - 1, end: now + 600 },
    });
    let params: String =
        query.iter().map(|(n, v)| format!("&{}={}", encode_component(n), encode_component(v))).collect();
    let url = format!("{base}/k.txt?{auth}{params}");
    let r = h.send_url(Method::Get, &url, &[]);
    assert_eq!((r.status, r.body.as_slice()), (200, BODY), "presigned, lists with raw `;`: {}", r.text());
    // The same URL with each list escaped once more (node's getObjectUrl callback form: `%3b`).
    let escaped: Vec<String> = auth
        .split('&')
        .map(|p| match p.split_once('=') {
            Some((n @ ("q-url-param-list" | "q-header-list"), v)) => format!("{n}={}", encode_component(v)),
            _ => p.to_owned(),
        })
        .collect();
    let url = format!("{base}/k.txt?{}{params}", escaped.join("&"));
    let r = h.send_url(Method::Get, &url, &[]);
    assert_eq!((r.status, r.body.as_slice()), (200, BODY), "presigned, escaped lists: {}", r.text());
    // Dropping the signed parameter still breaks it.
    let url = format!("{base}/k.txt?{auth}&a%3Bb=2");
    assert_eq!(h.send_url(Method::Get, &url, &[]).code(), (403, "SignatureDoesNotMatch".into()));
}

fn anonymous_access_follows_acls(h: &Harness) {
    h.create_bucket();
    h.put("pub.txt", BODY);
    let anon = h.anonymous().bucket(BUCKET);
    let get = |key: &str| anon.execute(Raw::get().key(key)).unwrap();
    let put = |key: &str| anon.execute(Raw::put().key(key).body(BODY)).unwrap();
    assert_eq!(get("pub.txt").code(), denied());
    assert_eq!(anon.execute(Raw::get()).unwrap().code(), denied());
    assert_eq!(put("new.txt").code(), denied());
    assert_eq!(h.service(&h.anonymous()).code(), denied());

    let set_acl = |acl: &str| h.send(BUCKET, Raw::put().query("acl", "").header("x-cos-acl", acl)).ok();
    set_acl("public-read");
    assert_eq!(get("pub.txt").body, BODY);
    assert_eq!(anon.execute(Raw::head().key("pub.txt")).unwrap().status, 200);
    assert_eq!(anon.execute(Raw::get()).unwrap().status, 200);
    assert_eq!(get("missing").code(), (404, "NoSuchKey".into()));
    assert_eq!(put("new.txt").code(), denied());
    assert_eq!(anon.execute(Raw::delete().key("pub.txt")).unwrap().code(), denied());
    assert_eq!(anon.execute(Raw::get().query("acl", "")).unwrap().code(), denied());

    set_acl("public-read-write");
    assert_eq!(put("new.txt").status, 200);
    assert_eq!(get("new.txt").body, BODY);
    assert_eq!(anon.execute(Raw::post().key("big").query("uploads", "")).unwrap().status, 200);
    assert_eq!(anon.execute(Raw::delete().key("new.txt")).unwrap().status, 204);
    assert_eq!(anon.execute(Raw::put().query("acl", "").header("x-cos-acl", "private")).unwrap().code(), denied());
    assert_eq!(anon.execute(Raw::delete()).unwrap().code(), denied());

    // An object's own ACL wins over the bucket's; `default` inherits it.
    h.send(BUCKET, Raw::put().key("secret.txt").header("x-cos-acl", "private").body(BODY)).ok();
    assert_eq!(get("secret.txt").code(), denied());
    set_acl("private");
    h.send(BUCKET, Raw::put().key("open.txt").header("x-cos-acl", "public-read").body(BODY)).ok();
    assert_eq!(get("open.txt").body, BODY);
    assert_eq!(get("pub.txt").code(), denied());
    assert_eq!(anon.execute(Raw::put().key("open.txt").body(BODY)).unwrap().code(), denied());
}

on_both_fronts!(
    v4_signatures,
    reserved_characters_in_signed_names,
    garbled_or_missing_authorization,
    unknown_secret_id,
    wrong_signature_explains_itself,
    key_time_windows,
    clock_skew_is_corrected_by_the_client,
    temporary_credentials,
    presigned_urls,
    anonymous_access_follows_acls,
);

/// Temporary keys come from a CSPRNG: two emulators on the same pinned clock, issuing for the same
/// account in the same order, mint different keys (a digest of the SecretId, the time and a
/// counter would mint the same), none of them a digest of those public inputs.
#[test]
fn temporary_keys_are_random_not_derived() {
    let issue = || {
        let e = Emulator::builder().clock(|| 1_700_000_000).build();
        e.issue_temporary_credentials(DEFAULT_SECRET_ID, 600).unwrap()
    };
    let (a, b) = (issue(), issue());
    assert_ne!(a.tmp_secret_key, b.tmp_secret_key);
    assert_ne!(a.tmp_secret_id, b.tmp_secret_id);
    assert_ne!(a.security_token, b.security_token);
    let digest = Sha1::digest(format!("key:{DEFAULT_SECRET_ID}:1700000000:0"));
    let derived: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    assert_ne!(a.tmp_secret_key, derived);
    // 24 random bytes in the SecretKey, 21 in the token.
    assert_eq!((a.tmp_secret_key.len(), a.security_token.len()), (32, "emulator-token-".len() + 42));
    assert!(a.tmp_secret_id.starts_with("AKIDTMP") && a.tmp_secret_id.len() == 36);
}
