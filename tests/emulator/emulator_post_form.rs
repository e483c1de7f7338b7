//! POST Object (a browser's form upload) and POST Bucket inventory against the emulator, on
//! both fronts (in-process and the HTTP front over real sockets): a policy that allows stores
//! the file byte for byte with its metadata; each condition kind, an expired policy, a tampered
//! signature and a wrong key refuse with their exact status and code; `${filename}`;
//! `success_action_status` 200 / 201 (exact body) and `success_action_redirect`; garbage forms
//! answer 400 and never bring the emulator down.

use crate::support::emulator_support;

use emulator_support::{BUCKET, Front, Harness, REGION, Raw, RawResponse};
use tencent_cos::api::{InventoryConfiguration, PostCondition, PostForm, PostObjectForm};
use tencent_cos::emulator::{DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, Emulator};
use tencent_cos::http::{Body, Method, Request};
use tencent_cos::transport::{Transport, UreqTransport};
use tencent_cos::{Credentials, encode_component};

const FRONTS: [Front; 2] = [Front::InProcess, Front::Http];

fn harness(front: Front) -> Harness {
    let h = Harness::new(front, Emulator::new());
    h.create_bucket();
    h
}

fn creds() -> Credentials {
    Credentials::new(DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY)
}

/// A form for `key` valid for an hour around the emulator's clock.
fn form(h: &Harness, key: &str) -> PostObjectForm {
    let now = h.emulator.now();
    PostObjectForm::new(BUCKET, REGION, key).key_time(now - 60, now + 3600)
}

/// Posts raw bytes with a Content-Type to the bucket's `/` on this front.
fn post_raw(h: &Harness, content_type: &str, body: Vec<u8>) -> RawResponse {
    let (url, _, _) = h.bucket_url(BUCKET);
    let request = Request {
        method: Method::Post,
        url: format!("{url}/"),
        headers: [("Content-Type", content_type)].into_iter().collect(),
        body: Body::from(body),
    };
    let mut response = match h.front {
        Front::InProcess => h.emulator.send(request).unwrap(),
        Front::Http => UreqTransport::default().send(request).unwrap(),
    };
    let body = response.read_body(1 << 30).unwrap();
    RawResponse { status: response.status, headers: response.headers, body }
}

fn post(h: &Harness, form: &PostForm, file_name: &str, bytes: &[u8]) -> RawResponse {
    let (content_type, body) = form.to_multipart(file_name, "application/x-browser-guess", bytes);
    post_raw(h, &content_type, body)
}

fn message(r: &RawResponse) -> String {
    r.error().message
}

#[test]
fn a_policy_that_allows_stores_the_file_byte_exact_with_its_metadata() {
    for front in FRONTS {
        let h = harness(front);
        let bytes: Vec<u8> = (0..=255u8).cycle().take(5000).collect();
        let signed = form(&h, "uploads/photo.png")
            .condition(PostCondition::eq("key", "uploads/photo.png"))
            .condition(PostCondition::starts_with("Content-Type", "image/"))
            .condition(PostCondition::eq("x-cos-meta-owner", "alice"))
            .condition(PostCondition::content_length_range(1, 10_000))
            .field("Content-Type", "image/png")
            .field("Cache-Control", "max-age=60")
            .field("x-cos-meta-owner", "alice")
            .sign(&creds())
            .unwrap();
        let r = post(&h, &signed, "photo.png", &bytes);
        assert_eq!(r.status, 204, "{front:?}: {}", r.text());
        assert!(r.body.is_empty());
        let etag = format!("\"{}\"", tencent_cos::checksum::md5_hex(&bytes));
        assert_eq!(r.header("ETag"), Some(etag.as_str()));
        assert_eq!(h.emulator.object_bytes(BUCKET, "uploads/photo.png"), Some(bytes.clone()));
        let head = h.send(BUCKET, Raw::head().key("uploads/photo.png")).ok();
        assert_eq!(head.header("Content-Type"), Some("image/png"));
        assert_eq!(head.header("Cache-Control"), Some("max-age=60"));
        assert_eq!(head.header("x-cos-meta-owner"), Some("alice"));
        assert_eq!(head.header("Content-Length"), Some("5000"));
    }
}

#[test]
fn filename_placeholder_is_replaced_and_conditions_see_the_final_key() {
    for front in FRONTS {
        let h = harness(front);
        let signed =
            form(&h, "user/${filename}").condition(PostCondition::starts_with("key", "user/")).sign(&creds()).unwrap();
        assert_eq!(post(&h, &signed, "notes.txt", b"hello").status, 204);
        assert_eq!(h.emulator.object_bytes(BUCKET, "user/notes.txt"), Some(b"hello".to_vec()));
        // Without a Content-Type field the type comes from the key, as for PUT (never the
        // browser's guess of the file part).
        let head = h.send(BUCKET, Raw::head().key("user/notes.txt")).ok();
        assert_eq!(head.header("Content-Type"), Some("text/plain"));
    }
}

#[test]
fn each_condition_kind_refuses_with_access_denied() {
    for front in FRONTS {
        let h = harness(front);
        let cases: Vec<(PostObjectForm, &str)> = vec![
            (
                form(&h, "a.txt").condition(PostCondition::eq("key", "b.txt")),
                "Invalid according to Policy: Policy Condition failed: [\"eq\", \"$key\", \"b.txt\"]",
            ),
            (
                form(&h, "a.txt").condition(PostCondition::starts_with("key", "user/")),
                "Invalid according to Policy: Policy Condition failed: [\"starts-with\", \"$key\", \"user/\"]",
            ),
            (
                form(&h, "a.txt").condition(PostCondition::content_length_range(0, 4)),
                "Invalid according to Policy: Policy Condition failed: [\"content-length-range\", 0, 4]",
            ),
            (
                form(&h, "a.txt").condition(PostCondition::content_length_range(6, 9)),
                "Invalid according to Policy: Policy Condition failed: [\"content-length-range\", 6, 9]",
            ),
            (
                form(&h, "a.txt")
                    .condition(PostCondition::starts_with("Content-Type", "image/"))
                    .field("Content-Type", "text/html"),
                "Invalid according to Policy: Policy Condition failed: [\"starts-with\", \"$Content-Type\", \"image/\"]",
            ),
            (
                form(&h, "a.txt")
                    .condition(PostCondition::eq("x-cos-meta-owner", "alice"))
                    .field("x-cos-meta-owner", "eve"),
                "Invalid according to Policy: Policy Condition failed: [\"eq\", \"$x-cos-meta-owner\", \"alice\"]",
            ),
            (
                form(&h, "a.txt").condition(PostCondition::eq("success_action_status", "201")),
                "Invalid according to Policy: Policy Condition failed: [\"eq\", \"$success_action_status\", \"201\"]",
            ),
            (
                form(&h, "a.txt").condition(PostCondition::eq("acl", "private")).field("x-cos-acl", "public-read"),
                "Invalid according to Policy: Policy Condition failed: [\"eq\", \"$acl\", \"private\"]",
            ),
            (
                form(&h, "a.txt").condition(PostCondition::eq("bucket", "other-1250000000")),
                "Invalid according to Policy: Policy Condition failed: [\"eq\", \"$bucket\", \"other-1250000000\"]",
            ),
        ];
        for (i, (f, expected)) in cases.into_iter().enumerate() {
            let r = post(&h, &f.sign(&creds()).unwrap(), "a.txt", b"12345");
            assert_eq!(r.code(), (403, "AccessDenied".to_owned()), "{front:?} case {i}");
            assert_eq!(message(&r), expected, "{front:?} case {i}");
        }
        assert_eq!(h.emulator.object_keys(BUCKET), Vec::<String>::new());
    }
}

#[test]
fn expired_policy_tampered_signature_and_unknown_key_are_refused() {
    for front in FRONTS {
        let h = harness(front);
        let now = h.emulator.now();
        let expired = form(&h, "a.txt").expiration(now - 1).sign(&creds()).unwrap();
        let r = post(&h, &expired, "a.txt", b"x");
        assert_eq!(r.code(), (403, "AccessDenied".to_owned()));
        assert_eq!(message(&r), "Invalid according to Policy: Policy expired.");

        let mut tampered = form(&h, "a.txt").sign(&creds()).unwrap();
        for (n, v) in &mut tampered.fields {
            if n == "key" {
                *v = "b.txt".into(); // fine on its own: the key is not signed ...
            }
            if n == "q-signature" {
                v.replace_range(0..1, if v.starts_with('0') { "1" } else { "0" });
            }
        }
        let r = post(&h, &tampered, "a.txt", b"x");
        assert_eq!(r.code(), (403, "AccessDenied".to_owned()));
        assert_eq!(message(&r), "The request signature we calculated does not match the signature you provided.");

        let wrong_secret = form(&h, "a.txt").sign(&Credentials::new(DEFAULT_SECRET_ID, "not-the-key")).unwrap();
        assert_eq!(post(&h, &wrong_secret, "a.txt", b"x").code(), (403, "AccessDenied".to_owned()));

        let unknown = form(&h, "a.txt").sign(&Credentials::new("AKIDnobody", "k")).unwrap();
        assert_eq!(post(&h, &unknown, "a.txt", b"x").code(), (403, "InvalidAccessKeyId".to_owned()));

        let late =
            PostObjectForm::new(BUCKET, REGION, "a.txt").key_time(now - 7200, now - 3600).sign(&creds()).unwrap();
        let r = post(&h, &late, "a.txt", b"x");
        assert_eq!((r.code(), message(&r)), ((403, "AccessDenied".to_owned()), "Request has expired".to_owned()));
        assert_eq!(h.emulator.object_keys(BUCKET), Vec::<String>::new());
    }
}

#[test]
fn success_action_status_and_redirect() {
    for front in FRONTS {
        let h = harness(front);
        let r = post(&h, &form(&h, "s200").field("success_action_status", "200").sign(&creds()).unwrap(), "f", b"a");
        assert_eq!((r.status, r.body.len()), (200, 0));

        let r =
            post(&h, &form(&h, "dir/s 201").field("success_action_status", "201").sign(&creds()).unwrap(), "f", b"b");
        assert_eq!(r.status, 201);
        assert_eq!(r.header("Content-Type"), Some("application/xml"));
        let etag = format!("\"{}\"", tencent_cos::checksum::md5_hex(b"b"));
        let (_, host, prefix) = h.bucket_url(BUCKET);
        let expected = format!(
            "<?xml version='1.0' encoding='utf-8' ?>\n<PostResponse><Location>http://{host}{prefix}/dir/s%20201</Location>\
             <Bucket>{BUCKET}</Bucket><Key>dir/s 201</Key><ETag>&quot;{}&quot;</ETag></PostResponse>",
            etag.trim_matches('"')
        );
        assert_eq!(r.text(), expected);

        let r = post(
            &h,
            &form(&h, "r.txt").field("success_action_redirect", "https://example.com/done?x=1").sign(&creds()).unwrap(),
            "f",
            b"c",
        );
        assert_eq!(r.status, 303);
        let etag = format!("\"{}\"", tencent_cos::checksum::md5_hex(b"c"));
        let location =
            format!("https://example.com/done?x=1&bucket={BUCKET}&key=r.txt&etag={}", encode_component(&etag));
        assert_eq!(r.header("Location"), Some(location.as_str()));
        assert_eq!(h.emulator.object_keys(BUCKET), ["dir/s 201", "r.txt", "s200"]);
    }
}

#[test]
fn temporary_keys_need_their_token_in_the_form() {
    for front in FRONTS {
        let h = harness(front);
        let temp = h.emulator.issue_temporary_credentials(DEFAULT_SECRET_ID, 3600).unwrap();
        let c = Credentials::new(temp.tmp_secret_id.clone(), temp.tmp_secret_key.clone())
            .with_security_token(temp.security_token.clone());
        let signed = form(&h, "t.txt").sign(&c).unwrap();
        assert_eq!(signed.field("x-cos-security-token"), Some(temp.security_token.as_str()));
        assert_eq!(post(&h, &signed, "f", b"t").status, 204);
        let mut without = signed.clone();
        without.fields.retain(|(n, _)| n != "x-cos-security-token");
        assert_eq!(post(&h, &without, "f", b"t").code(), (403, "AccessDenied".to_owned()));
    }
}

#[test]
fn anonymous_forms_follow_the_bucket_acl_and_malformed_forms_are_400() {
    for front in FRONTS {
        let h = harness(front);
        let anonymous = PostForm {
            url: String::new(),
            fields: vec![("key".into(), "anon.txt".into())],
            policy_json: String::new(),
        };
        assert_eq!(post(&h, &anonymous, "f", b"x").code(), (403, "AccessDenied".to_owned()));
        h.send(BUCKET, Raw::put().query("acl", "").header("x-cos-acl", "public-read-write")).ok();
        assert_eq!(post(&h, &anonymous, "f", b"x").status, 204);
        assert_eq!(h.emulator.object_bytes(BUCKET, "anon.txt"), Some(b"x".to_vec()));

        let no_key = PostForm { url: String::new(), fields: vec![], policy_json: String::new() };
        assert_eq!(post(&h, &no_key, "f", b"x").code(), (400, "InvalidArgument".to_owned()));
        let r = post_raw(
            &h,
            "multipart/form-data; boundary=zz",
            b"--zz\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nk\r\n--zz--\r\n".to_vec(),
        );
        assert_eq!(
            (r.code(), message(&r)),
            ((400, "InvalidArgument".to_owned()), "POST requires exactly one file upload per request.".to_owned())
        );
        for (content_type, body) in [
            ("text/plain", b"key=a".to_vec()),
            ("multipart/form-data", b"--x\r\n".to_vec()),
            ("multipart/form-data; boundary=x", b"garbage".to_vec()),
            ("multipart/form-data; boundary=x", b"--x\r\nContent-Disposition: form-data\r\n\r\nv\r\n--x--".to_vec()),
        ] {
            let r = post_raw(&h, content_type, body);
            assert_eq!(r.code(), (400, "MalformedPOSTRequest".to_owned()), "{content_type}");
        }
        let mut bad_policy = form(&h, "p.txt").sign(&creds()).unwrap();
        bad_policy.fields[1].1 = "!!!not base64".into();
        assert_eq!(post(&h, &bad_policy, "f", b"x").code(), (400, "InvalidPolicyDocument".to_owned()));
    }
}

/// A small deterministic generator (xorshift64*), so failures replay.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

#[test]
fn garbage_forms_never_crash_the_parser() {
    for front in FRONTS {
        let h = harness(front);
        let valid = form(&h, "g.txt").sign(&creds()).unwrap();
        let (content_type, good) = valid.to_multipart("g.txt", "text/plain", b"payload");
        let mut rng = Rng(0x5EED_1234_ABCD_0001);
        let rounds = if front == Front::Http { 60 } else { 400 };
        for round in 0..rounds {
            let mut body = good.clone();
            match round % 4 {
                // Flip bytes.
                0 => {
                    for _ in 0..1 + rng.next() % 8 {
                        let i = (rng.next() % body.len() as u64) as usize;
                        body[i] = rng.next() as u8;
                    }
                }
                // Cut short.
                1 => body.truncate((rng.next() % body.len() as u64) as usize),
                // Random bytes.
                2 => body = (0..rng.next() % 300).map(|_| rng.next() as u8).collect(),
                // Splice pieces of the valid form in random order.
                _ => {
                    let mut out = Vec::new();
                    for _ in 0..rng.next() % 6 {
                        let a = (rng.next() % good.len() as u64) as usize;
                        let b = a + (rng.next() % (good.len() - a) as u64) as usize;
                        out.extend_from_slice(&good[a..b]);
                    }
                    body = out;
                }
            }
            let r = post_raw(&h, &content_type, body);
            assert!(matches!(r.status, 204 | 400 | 403), "{front:?} round {round}: {} {}", r.status, r.text());
        }
        // Still serving.
        assert_eq!(post(&h, &valid, "g.txt", b"after").status, 204);
        assert_eq!(h.emulator.object_bytes(BUCKET, "g.txt"), Some(b"after".to_vec()));
    }
}

#[test]
fn post_bucket_inventory_is_accepted_and_checked() {
    for front in FRONTS {
        let h = harness(front);
        let bucket = h.client().bucket(BUCKET);
        let config = InventoryConfiguration::new("once", "qcs::cos:ap-guangzhou::reports-1250000000");
        let out = bucket.post_bucket_inventory(config.clone()).send().unwrap();
        assert_eq!(out.meta.status, 200);
        // A one-shot job stores no configuration.
        assert!(bucket.list_bucket_inventory().send().unwrap().configurations.is_empty());
        // The id must be the body's Id.
        let body = String::from_utf8(
            tencent_cos::operation::Operation::build(&mut tencent_cos::api::PostBucketInventoryInput { config })
                .unwrap()
                .body
                .as_bytes()
                .unwrap()
                .to_vec(),
        )
        .unwrap();
        let r = h.send(BUCKET, Raw::post().query("inventory", "").query("id", "other").xml(&body));
        assert_eq!(r.code(), (400, "InvalidArgument".to_owned()));
        let r = h
            .anonymous()
            .bucket(BUCKET)
            .execute(Raw::post().query("inventory", "").query("id", "once").xml(&body))
            .unwrap();
        assert_eq!(r.code(), (403, "AccessDenied".to_owned()));
    }
}
