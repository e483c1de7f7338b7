//! The POST Object form, pure: the policy document and signature for pinned keys and times
//! (the expected signature computed here from COS's documented formula, and pinned), field order,
//! temporary keys, the multipart body, bad input refused before anything is sent, the policy
//! reader (any garbage is an error, never a panic), and the postBucketInventory request.
//!
//! COS's POST Object "signature protection" steps used below: KeyTime = `start;end`;
//! SignKey = hex HMAC-SHA1(SecretKey, KeyTime); StringToSign = hex SHA1(policy JSON);
//! q-signature = hex HMAC-SHA1(SignKey, StringToSign); the policy's conditions carry
//! `{"q-sign-algorithm":"sha1"}`, `{"q-ak":SecretId}` and `{"q-sign-time":KeyTime}`.

use base64::Engine;
use hmac::{KeyInit, Mac};
use sha1::{Digest, Sha1};
use tencent_cos::api::{
    InventoryConfiguration, PostBucketInventoryInput, PostCondition, PostForm, PostObjectForm, PostPolicy,
    PutBucketInventoryInput, post_signature,
};
use tencent_cos::http::Method;
use tencent_cos::operation::Operation;
use tencent_cos::{Credentials, Error};

const BUCKET: &str = "examplebucket-1250000000";
const REGION: &str = "ap-guangzhou";

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn hmac_sha1_hex(key: &[u8], msg: &[u8]) -> String {
    let mut mac = hmac::Hmac::<Sha1>::new_from_slice(key).unwrap();
    mac.update(msg);
    hex(&mac.finalize().into_bytes())
}

fn pinned() -> PostForm {
    PostObjectForm::new(BUCKET, REGION, "uploads/${filename}")
        .key_time(1_700_000_000, 1_700_003_600)
        .condition(PostCondition::starts_with("key", "uploads/"))
        .condition(PostCondition::content_length_range(1, 1_048_576))
        .condition(PostCondition::eq("Content-Type", "image/png"))
        .field("Content-Type", "image/png")
        .field("success_action_status", "201")
        .sign(&Credentials::new("AKIDexample", "secretexample"))
        .unwrap()
}

const PINNED_POLICY: &str = concat!(
    r#"{"expiration":"2023-11-14T23:13:20.000Z","conditions":["#,
    r#"["starts-with","$key","uploads/"],["content-length-range",1,1048576],{"Content-Type":"image/png"},"#,
    r#"{"q-sign-algorithm":"sha1"},{"q-ak":"AKIDexample"},{"q-sign-time":"1700000000;1700003600"}]}"#
);

#[test]
fn policy_json_and_signature_for_pinned_keys_and_time() {
    let form = pinned();
    assert_eq!(form.policy_json, PINNED_POLICY);
    assert_eq!(form.url, "https://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/");

    // The documented formula, computed here on its own.
    let key_time = "1700000000;1700003600";
    let sign_key = hmac_sha1_hex(b"secretexample", key_time.as_bytes());
    let string_to_sign = hex(&Sha1::digest(PINNED_POLICY.as_bytes()));
    let expected = hmac_sha1_hex(sign_key.as_bytes(), string_to_sign.as_bytes());
    // And pinned (computed once with Python's hmac/hashlib).
    assert_eq!(expected, "c92af9012bab367797fc781fb3f6e0aeea7b1ee1");
    assert_eq!(post_signature("secretexample", key_time, PINNED_POLICY.as_bytes()), expected);

    let policy_b64 = base64::engine::general_purpose::STANDARD.encode(PINNED_POLICY);
    let fields: Vec<(&str, &str)> = form.fields.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    assert_eq!(
        fields,
        [
            ("key", "uploads/${filename}"),
            ("policy", policy_b64.as_str()),
            ("q-sign-algorithm", "sha1"),
            ("q-ak", "AKIDexample"),
            ("q-key-time", key_time),
            ("q-signature", expected.as_str()),
            ("Content-Type", "image/png"),
            ("success_action_status", "201"),
        ]
    );
    // The policy the form carries reads back to the same conditions.
    let read = PostPolicy::parse(PINNED_POLICY.as_bytes()).unwrap();
    assert_eq!(read.expiration, 1_700_003_600);
    assert_eq!(read.conditions.len(), 6);
    assert_eq!(read.to_json(), PINNED_POLICY);
}

#[test]
fn expiration_defaults_to_the_key_time_end_and_can_be_set() {
    let f = PostObjectForm::new(BUCKET, REGION, "k").key_time(0, 86_400).expiration(60);
    let form = f.sign(&Credentials::new("A", "S")).unwrap();
    assert!(form.policy_json.starts_with(r#"{"expiration":"1970-01-01T00:01:00.000Z","#), "{}", form.policy_json);
}

#[test]
fn temporary_keys_add_the_token_field_and_debug_hides_secrets() {
    let c = Credentials::new("AKIDtmp", "secret").with_security_token("tok-123");
    let form = PostObjectForm::new(BUCKET, REGION, "k").key_time(1, 2).sign(&c).unwrap();
    let names: Vec<&str> = form.fields.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        ["key", "policy", "q-sign-algorithm", "q-ak", "q-key-time", "q-signature", "x-cos-security-token"]
    );
    assert_eq!(form.field("x-cos-security-token"), Some("tok-123"));
    let debug = format!("{form:?}");
    assert!(!debug.contains("tok-123"), "{debug}");
    assert!(!debug.contains(form.field("q-signature").unwrap()), "{debug}");
    assert!(debug.contains("<redacted>"));
}

#[test]
fn json_strings_are_escaped() {
    let form = PostObjectForm::new(BUCKET, REGION, "k")
        .key_time(0, 0)
        .condition(PostCondition::eq("x-cos-meta-a", "q\"b\\s\n\u{1}é"))
        .sign(&Credentials::new("A", "S"))
        .unwrap();
    assert!(form.policy_json.contains(r#"{"x-cos-meta-a":"q\"b\\s\n\u0001é"}"#), "{}", form.policy_json);
    let read = PostPolicy::parse(form.policy_json.as_bytes()).unwrap();
    assert_eq!(read.conditions[0], PostCondition::eq("x-cos-meta-a", "q\"b\\s\n\u{1}é"));
}

#[test]
fn multipart_body_is_exact_and_its_boundary_avoids_the_content() {
    let form = PostForm {
        url: String::new(),
        fields: vec![("key".into(), "a\"b".into()), ("x".into(), "1".into())],
        policy_json: String::new(),
    };
    let file = b"----CosFormBoundary0000000000000000 is inside";
    let (content_type, body) = form.to_multipart("f\"n.txt", "text/plain", file);
    assert_eq!(content_type, "multipart/form-data; boundary=----CosFormBoundary0000000000000001");
    let b = "----CosFormBoundary0000000000000001";
    let mut expected = format!(
        "--{b}\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\na\"b\r\n\
         --{b}\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n1\r\n\
         --{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f\\\"n.txt\"\r\nContent-Type: text/plain\r\n\r\n"
    )
    .into_bytes();
    expected.extend_from_slice(file);
    expected.extend_from_slice(format!("\r\n--{b}--\r\n").as_bytes());
    assert_eq!(body, expected);
}

fn refused(f: PostObjectForm, field: &str) {
    match f.sign(&Credentials::new("A", "S")) {
        Err(Error::InvalidArgument { field: got, .. }) => assert_eq!(got, field),
        other => panic!("expected InvalidArgument({field}), got {other:?}"),
    }
}

#[test]
fn bad_input_is_refused_naming_the_field() {
    refused(PostObjectForm::new("nobucket", REGION, "k"), "bucket");
    refused(PostObjectForm::new(BUCKET, "", "k"), "region");
    refused(PostObjectForm::new(BUCKET, REGION, ""), "key");
    refused(PostObjectForm::new(BUCKET, REGION, "k").key_time(5, 4), "key_time");
    refused(PostObjectForm::new(BUCKET, REGION, "k").condition(PostCondition::content_length_range(9, 1)), "condition");
    refused(PostObjectForm::new(BUCKET, REGION, "k").condition(PostCondition::eq("$key", "k")), "condition");
    refused(PostObjectForm::new(BUCKET, REGION, "k").field("file", "x"), "field");
    refused(PostObjectForm::new(BUCKET, REGION, "k").field("Q-Signature", "x"), "field");
}

#[test]
fn policy_reader_accepts_the_documented_forms() {
    let p = PostPolicy::parse(
        br#" { "expiration" : "2023-11-14T22:13:20Z", "other": [1, true, null, {"x": -2.5e3}],
              "conditions": [ {"bucket": "b-1", "$key": "k"}, ["EQ", "$acl", "private"],
                              ["starts-with", "$Content-Type", "image/"], ["content-length-range", 0, "10"],
                              {"q-ak": "\u0041K\ud83d\ude00"} ] } "#,
    )
    .unwrap();
    assert_eq!(p.expiration, 1_700_000_000);
    assert_eq!(
        p.conditions,
        [
            PostCondition::eq("bucket", "b-1"),
            PostCondition::eq("key", "k"),
            PostCondition::eq("acl", "private"),
            PostCondition::starts_with("Content-Type", "image/"),
            PostCondition::content_length_range(0, 10),
            PostCondition::eq("q-ak", "AK\u{1F600}"),
        ]
    );
}

#[test]
fn policy_reader_refuses_bad_documents() {
    for bad in [
        &b""[..],
        b"[]",
        b"{}",
        br#"{"expiration":"tomorrow","conditions":[]}"#,
        br#"{"expiration":"2023-11-14T22:13:20Z","conditions":[["in","$key","a"]]}"#,
        br#"{"expiration":"2023-11-14T22:13:20Z","conditions":[["eq","key","a"]]}"#,
        br#"{"expiration":"2023-11-14T22:13:20Z","conditions":[["content-length-range",-1,2]]}"#,
        br#"{"expiration":"2023-11-14T22:13:20Z","conditions":[{"a":["x"]}]}"#,
        br#"{"expiration":"2023-11-14T22:13:20Z","conditions":[]} trailing"#,
        br#"{"expiration":"2023-11-14T22:13:20Z","conditions":[{"a":"\ud800\u0041"}]}"#,
        br#"{"expiration":"2023-11-14T22:13:20Z","conditions":[{"a":"\x"}]}"#,
        b"\xff\xfe",
    ] {
        match PostPolicy::parse(bad) {
            Err(Error::InvalidArgument { field, .. }) => assert_eq!(field, "policy"),
            other => panic!("{:?} gave {other:?}", String::from_utf8_lossy(bad)),
        }
    }
    let deep = format!(r#"{{"expiration":"2023-11-14T22:13:20Z","x":{}1{}}}"#, "[".repeat(10_000), "]".repeat(10_000));
    assert!(PostPolicy::parse(deep.as_bytes()).is_err());
}

#[test]
fn policy_reader_never_panics_on_garbage() {
    // xorshift64*, seeded: failures replay.
    let mut state = 0x0BAD_5EED_u64;
    let mut next = move || {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        state.wrapping_mul(0x2545_F491_4F6C_DD1D)
    };
    let alphabet = br#"{}[]",:\u0123456789abcdefeE+-.tnrl $ "#;
    for round in 0..20_000 {
        let len = (next() % 80) as usize;
        let mut doc: Vec<u8> = if round % 2 == 0 {
            (0..len).map(|_| alphabet[(next() % alphabet.len() as u64) as usize]).collect()
        } else {
            PINNED_POLICY.as_bytes().to_vec()
        };
        if round % 2 == 1 {
            for _ in 0..1 + next() % 4 {
                let i = (next() % doc.len() as u64) as usize;
                doc[i] = next() as u8;
            }
        }
        let _ = PostPolicy::parse(&doc);
    }
}

#[test]
fn post_bucket_inventory_is_put_with_post() {
    let config = InventoryConfiguration::new("once", "qcs::cos:ap-guangzhou::reports-1250000000");
    let post = PostBucketInventoryInput { config: config.clone() }.build().unwrap();
    let put = PutBucketInventoryInput { config }.build().unwrap();
    assert_eq!(post.method, Method::Post);
    assert_eq!(post.query, [("inventory".to_string(), String::new()), ("id".to_string(), "once".to_string())]);
    assert_eq!(post.body.as_bytes(), put.body.as_bytes());
    let headers = |r: &tencent_cos::operation::OperationRequest| {
        r.headers.iter().map(|(n, v)| (n.to_owned(), v.to_owned())).collect::<Vec<_>>()
    };
    assert_eq!(headers(&post), headers(&put));
    let bad = PostBucketInventoryInput { config: InventoryConfiguration::new("bad id!", "qcs::cos:ap-guangzhou::r-1") }
        .build();
    assert!(matches!(bad, Err(Error::InvalidArgument { .. })), "{bad:?}");
}
