//! Server-side encryption headers kept and answered as COS does (PUT, multipart, copy, GET, HEAD),
//! and an SSE-C object refused without its customer key. On both fronts.

use crate::support::emulator_support;

use base64::Engine;
use emulator_support::{BUCKET, Harness, Raw, RawResponse};
use md5::{Digest, Md5};

const SSE: &str = "x-cos-server-side-encryption";
const ALG: &str = "x-cos-server-side-encryption-customer-algorithm";
const KEY: &str = "x-cos-server-side-encryption-customer-key";
const KEY_MD5: &str = "x-cos-server-side-encryption-customer-key-MD5";
const KMS_ID: &str = "x-cos-server-side-encryption-cos-kms-key-id";

/// A customer key (32 bytes) in base64 and its base64 MD5.
fn customer_key(seed: u8) -> (String, String) {
    let raw = [seed; 32];
    let b64 = base64::engine::general_purpose::STANDARD;
    (b64.encode(raw), b64.encode(Md5::digest(raw)))
}

/// Every `x-cos-server-side-encryption*` header of an answer, names lower-cased, sorted.
fn sse_headers(r: &RawResponse) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = r
        .headers
        .iter()
        .filter(|(n, _)| n.to_ascii_lowercase().starts_with(SSE))
        .map(|(n, v)| (n.to_ascii_lowercase(), v.to_owned()))
        .collect();
    v.sort();
    v
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = list.iter().map(|(n, v)| (n.to_ascii_lowercase(), (*v).to_owned())).collect();
    v.sort();
    v
}

fn with_customer_key(r: Raw, prefix: &str, key: &(String, String)) -> Raw {
    r.header(&format!("{prefix}{ALG}"), "AES256")
        .header(&format!("{prefix}{KEY}"), &key.0)
        .header(&format!("{prefix}{KEY_MD5}"), &key.1)
}

fn managed_sse_kept_on_put_get_head_copy(h: &Harness) {
    h.create_bucket();
    let put = h.send(BUCKET, Raw::put().key("cos.bin").header(SSE, "AES256").body("cos")).ok();
    assert_eq!(sse_headers(&put), pairs(&[(SSE, "AES256")]));
    let put =
        h.send(BUCKET, Raw::put().key("kms.bin").header(SSE, "cos/kms").header(KMS_ID, "kms-key-1").body("kms")).ok();
    let kms = pairs(&[(SSE, "cos/kms"), (KMS_ID, "kms-key-1")]);
    assert_eq!(sse_headers(&put), kms);
    assert_eq!(sse_headers(&h.send(BUCKET, Raw::get().key("cos.bin")).ok()), pairs(&[(SSE, "AES256")]));
    assert_eq!(sse_headers(&h.send(BUCKET, Raw::head().key("kms.bin")).ok()), kms);
    let get = h.send(BUCKET, Raw::get().key("kms.bin")).ok();
    assert_eq!((sse_headers(&get), get.body.as_slice()), (kms.clone(), &b"kms"[..]));
    let plain = h.put("plain.bin", b"plain");
    assert_eq!(sse_headers(&plain), vec![]);
    assert_eq!(sse_headers(&h.send(BUCKET, Raw::head().key("plain.bin")).ok()), vec![]);

    // A copy is encrypted as the copy request asks, not as its source was.
    let source = format!("{BUCKET}.cos.ap-guangzhou.myqcloud.com/kms.bin");
    let copy =
        h.send(BUCKET, Raw::put().key("copy-cos.bin").header("x-cos-copy-source", &source).header(SSE, "AES256")).ok();
    assert_eq!(sse_headers(&copy), pairs(&[(SSE, "AES256")]));
    assert_eq!(sse_headers(&h.send(BUCKET, Raw::head().key("copy-cos.bin")).ok()), pairs(&[(SSE, "AES256")]));
    let copy = h.send(BUCKET, Raw::put().key("copy-plain.bin").header("x-cos-copy-source", &source)).ok();
    assert_eq!(sse_headers(&copy), vec![]);

    let bad = h.send(BUCKET, Raw::put().key("x").header(SSE, "DES").body("x"));
    assert_eq!(bad.code(), (400, "InvalidArgument".to_owned()));
    assert!(h.emulator.object_bytes(BUCKET, "x").is_none());
}

fn customer_key_answered_never_the_key_and_required_to_read(h: &Harness) {
    h.create_bucket();
    let key = customer_key(7);
    let other = customer_key(8);
    let answered = pairs(&[(ALG, "AES256"), (KEY_MD5, &key.1)]);
    let put = h.send(BUCKET, with_customer_key(Raw::put().key("secret.bin"), "", &key).body("secret")).ok();
    assert_eq!(sse_headers(&put), answered);

    let head = h.send(BUCKET, with_customer_key(Raw::head().key("secret.bin"), "", &key)).ok();
    assert_eq!(sse_headers(&head), answered);
    let get = h.send(BUCKET, with_customer_key(Raw::get().key("secret.bin"), "", &key)).ok();
    assert_eq!((sse_headers(&get), get.body.as_slice()), (answered.clone(), &b"secret"[..]));

    // Without the key, or with another: 400 InvalidRequest, no bytes.
    let get = h.send(BUCKET, Raw::get().key("secret.bin"));
    assert_eq!(get.code(), (400, "InvalidRequest".to_owned()));
    assert!(!get.text().contains("secret</"));
    let get = h.send(BUCKET, with_customer_key(Raw::get().key("secret.bin"), "", &other));
    assert_eq!(get.code(), (400, "InvalidRequest".to_owned()));
    assert_eq!(h.send(BUCKET, Raw::head().key("secret.bin")).status, 400);
    // A key whose MD5 header disagrees with it is refused as an argument.
    let lying = Raw::get().key("secret.bin").header(ALG, "AES256").header(KEY, &key.0).header(KEY_MD5, &other.1);
    assert_eq!(h.send(BUCKET, lying).code(), (400, "InvalidArgument".to_owned()));

    // A copy needs the source's key under x-cos-copy-source-.
    let source = format!("{BUCKET}.cos.ap-guangzhou.myqcloud.com/secret.bin");
    let copy = h.send(BUCKET, Raw::put().key("copy.bin").header("x-cos-copy-source", &source));
    assert_eq!(copy.code(), (400, "InvalidRequest".to_owned()));
    let copy = h
        .send(
            BUCKET,
            with_customer_key(
                with_customer_key(
                    Raw::put().key("copy.bin").header("x-cos-copy-source", &source),
                    "x-cos-copy-source-",
                    &key,
                ),
                "",
                &other,
            ),
        )
        .ok();
    assert_eq!(sse_headers(&copy), pairs(&[(ALG, "AES256"), (KEY_MD5, &other.1)]));
    let get = h.send(BUCKET, with_customer_key(Raw::get().key("copy.bin"), "", &other)).ok();
    assert_eq!(get.body, b"secret");
}

fn multipart_carries_the_encryption(h: &Harness) {
    h.create_bucket();
    // SSE-KMS: Initiate carries it; parts and Complete answer it; the object keeps it.
    let init = h
        .send(BUCKET, Raw::post().key("big.bin").query("uploads", "").header(SSE, "cos/kms").header(KMS_ID, "k2"))
        .ok();
    let kms = pairs(&[(SSE, "cos/kms"), (KMS_ID, "k2")]);
    assert_eq!(sse_headers(&init), kms);
    let id = init.text_of("UploadId");
    let part =
        h.send(BUCKET, Raw::put().key("big.bin").query("partNumber", "1").query("uploadId", &id).body("p1")).ok();
    assert_eq!(sse_headers(&part), kms);
    let etag = part.header("etag").unwrap().to_owned();
    let xml = format!(
        "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>{etag}</ETag></Part></CompleteMultipartUpload>"
    );
    let done = h.send(BUCKET, Raw::post().key("big.bin").query("uploadId", &id).xml(&xml)).ok();
    assert_eq!(sse_headers(&done), kms);
    assert_eq!(sse_headers(&h.send(BUCKET, Raw::head().key("big.bin")).ok()), kms);

    // SSE-C: every part needs the key; the object needs it to be read.
    let key = customer_key(9);
    let answered = pairs(&[(ALG, "AES256"), (KEY_MD5, &key.1)]);
    let init = h.send(BUCKET, with_customer_key(Raw::post().key("c.bin").query("uploads", ""), "", &key)).ok();
    assert_eq!(sse_headers(&init), answered);
    let id = init.text_of("UploadId");
    let keyless = Raw::put().key("c.bin").query("partNumber", "1").query("uploadId", &id).body("c1");
    assert_eq!(h.send(BUCKET, keyless).code(), (400, "InvalidRequest".to_owned()));
    let part = h
        .send(
            BUCKET,
            with_customer_key(Raw::put().key("c.bin").query("partNumber", "1").query("uploadId", &id), "", &key)
                .body("c1"),
        )
        .ok();
    assert_eq!(sse_headers(&part), answered);
    let etag = part.header("etag").unwrap().to_owned();
    let xml = format!(
        "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>{etag}</ETag></Part></CompleteMultipartUpload>"
    );
    let done = h.send(BUCKET, Raw::post().key("c.bin").query("uploadId", &id).xml(&xml)).ok();
    assert_eq!(sse_headers(&done), answered);
    assert_eq!(h.send(BUCKET, Raw::get().key("c.bin")).code(), (400, "InvalidRequest".to_owned()));
    assert_eq!(h.send(BUCKET, with_customer_key(Raw::get().key("c.bin"), "", &key)).ok().body, b"c1");
}

on_both_fronts!(
    managed_sse_kept_on_put_get_head_copy,
    customer_key_answered_never_the_key_and_required_to_read,
    multipart_carries_the_encryption,
);
