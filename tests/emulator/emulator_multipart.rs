//! Multipart uploads: initiate, parts (replaced on re-upload), complete and its checks, list
//! parts and uploads with paging, abort, upload-part-copy, on both fronts.

use crate::support::emulator_support;

use emulator_support::{BUCKET, Harness, Raw, RawResponse};
use md5::{Digest, Md5};
use tencent_cos::checksum::{crc64, md5_hex};
use tencent_cos::encode_key;

const MIB: usize = 1024 * 1024;

fn initiate(h: &Harness, key: &str) -> String {
    h.send(BUCKET, Raw::post().key(key).query("uploads", "")).ok().text_of("UploadId")
}

fn upload(h: &Harness, key: &str, id: &str, n: u32, data: &[u8]) -> RawResponse {
    h.send(BUCKET, Raw::put().key(key).query("partNumber", &n.to_string()).query("uploadId", id).body(data.to_vec()))
}

fn complete_xml(parts: &[(u32, &str)]) -> String {
    let mut s = String::from("<CompleteMultipartUpload>");
    for (n, etag) in parts {
        s.push_str(&format!("<Part><PartNumber>{n}</PartNumber><ETag>{}</ETag></Part>", etag.replace('"', "&quot;")));
    }
    s.push_str("</CompleteMultipartUpload>");
    s
}

fn complete(h: &Harness, key: &str, id: &str, parts: &[(u32, &str)]) -> RawResponse {
    h.send(BUCKET, Raw::post().key(key).query("uploadId", id).xml(&complete_xml(parts)))
}

fn multipart_etag(parts: &[&[u8]]) -> String {
    let mut all = Md5::new();
    for p in parts {
        all.update(Md5::digest(p));
    }
    let hex: String = all.finalize().iter().map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}-{}\"", parts.len())
}

fn full_upload(h: &Harness) {
    h.create_bucket();
    let key = "big/file 1.bin";
    let id = h
        .send(
            BUCKET,
            Raw::post()
                .key(key)
                .query("uploads", "")
                .header("Content-Type", "application/x-tar")
                .header("x-cos-meta-origin", "backup"),
        )
        .ok();
    assert_eq!(id.text_of("Bucket"), BUCKET);
    assert_eq!(id.text_of("Key"), key);
    let id = id.text_of("UploadId");
    assert!(id.len() > 10);

    let p1_old = vec![b'a'; MIB];
    let p1 = vec![b'c'; MIB];
    let p2 = vec![b'b'; MIB + 7];
    let p3 = b"the tail".to_vec();
    let r = upload(h, key, &id, 1, &p1_old).ok();
    assert_eq!(r.header("etag"), Some(format!("\"{}\"", md5_hex(&p1_old)).as_str()));
    assert_eq!(r.header("x-cos-hash-crc64ecma"), Some(crc64(&p1_old).to_string().as_str()));
    upload(h, key, &id, 2, &p2).ok();
    upload(h, key, &id, 3, &p3).ok();
    // A re-uploaded part replaces the old one.
    upload(h, key, &id, 1, &p1).ok();
    let parts = h.send(BUCKET, Raw::get().key(key).query("uploadId", &id)).ok();
    assert_eq!(parts.texts("PartNumber"), ["1", "2", "3"]);
    assert_eq!(parts.texts("ETag")[0], format!("\"{}\"", md5_hex(&p1)));
    assert_eq!(parts.texts("Size"), [MIB.to_string(), (MIB + 7).to_string(), "8".into()]);
    assert_eq!(parts.text_of("IsTruncated"), "false");
    assert_eq!(h.emulator.pending_uploads(BUCKET), [(key.to_owned(), id.clone())]);

    let etags: Vec<String> = [&p1, &p2, &p3].iter().map(|p| format!("\"{}\"", md5_hex(p))).collect();
    let done = complete(h, key, &id, &[(1, &etags[0]), (2, &etags[1]), (3, &etags[2])]).ok();
    let whole: Vec<u8> = [p1.clone(), p2.clone(), p3.clone()].concat();
    let expected_etag = multipart_etag(&[&p1, &p2, &p3]);
    assert_eq!(done.text_of("ETag"), expected_etag);
    assert_eq!(done.text_of("Key"), key);
    assert_eq!(done.text_of("Bucket"), BUCKET);
    assert!(done.text_of("Location").ends_with(&format!("/{}", encode_key(key))), "{}", done.text_of("Location"));
    assert_eq!(done.header("x-cos-hash-crc64ecma"), Some(crc64(&whole).to_string().as_str()));
    assert!(h.emulator.pending_uploads(BUCKET).is_empty());

    let got = h.send(BUCKET, Raw::get().key(key)).ok();
    assert_eq!(got.body, whole);
    assert_eq!(got.header("etag"), Some(expected_etag.as_str()));
    assert_eq!(got.header("content-type"), Some("application/x-tar"));
    assert_eq!(got.header("x-cos-meta-origin"), Some("backup"));
    assert_eq!(got.header("x-cos-hash-crc64ecma"), Some(crc64(&whole).to_string().as_str()));
    let ranged = h.send(BUCKET, Raw::get().key(key).header("Range", &format!("bytes={}-{}", MIB - 2, MIB + 1))).ok();
    assert_eq!(ranged.body, b"ccbb");
    let listed = h.send(BUCKET, Raw::get().query("prefix", "big/")).ok();
    assert_eq!(listed.texts("ETag"), [expected_etag]);
}

fn complete_checks(h: &Harness) {
    h.create_bucket();
    let key = "k";
    let id = initiate(h, key);
    let small = b"small".to_vec();
    let big = vec![7u8; MIB];
    let e_small = format!("\"{}\"", md5_hex(&small));
    let e_big = format!("\"{}\"", md5_hex(&big));
    upload(h, key, &id, 1, &small).ok();
    upload(h, key, &id, 2, &big).ok();
    upload(h, key, &id, 4, &small).ok();

    let code = |r: RawResponse| r.code();
    assert_eq!(code(complete(h, key, &id, &[(1, &e_small), (2, &e_big)])), (400, "EntityTooSmall".into()));
    assert_eq!(code(complete(h, key, &id, &[(2, &e_big), (3, &e_small)])), (400, "InvalidPart".into()));
    assert_eq!(
        code(complete(h, key, &id, &[(2, "\"0123456789abcdef0123456789abcdef\"")])),
        (400, "InvalidPart".into())
    );
    assert_eq!(code(complete(h, key, &id, &[(4, &e_small), (2, &e_big)])), (400, "InvalidPartOrder".into()));
    assert_eq!(code(complete(h, key, &id, &[(2, &e_big), (2, &e_big)])), (400, "InvalidPartOrder".into()));
    assert_eq!(code(complete(h, key, &id, &[])), (400, "MalformedXML".into()));
    let not_xml = h.send(BUCKET, Raw::post().key(key).query("uploadId", &id).xml("<CompleteMultipartUpload><Part>"));
    assert_eq!(not_xml.code(), (400, "MalformedXML".into()));
    let bad_number =
        "<CompleteMultipartUpload><Part><PartNumber>x</PartNumber><ETag>a</ETag></Part></CompleteMultipartUpload>";
    assert_eq!(
        h.send(BUCKET, Raw::post().key(key).query("uploadId", &id).xml(bad_number)).code(),
        (400, "MalformedXML".into())
    );
    assert_eq!(code(complete(h, key, "no-such-upload", &[(2, &e_big)])), (404, "NoSuchUpload".into()));
    assert_eq!(code(complete(h, "other-key", &id, &[(2, &e_big)])), (404, "NoSuchUpload".into()));
    // ETags compare without quotes and case; the last part may be small.
    let ok = complete(h, key, &id, &[(2, &e_big.trim_matches('"').to_uppercase()), (4, &e_small)]).ok();
    assert_eq!(ok.text_of("ETag"), multipart_etag(&[&big, &small]));
    assert_eq!(h.emulator.object_bytes(BUCKET, key), Some([big, small].concat()));
    assert_eq!(code(complete(h, key, &id, &[(2, &e_big)])), (404, "NoSuchUpload".into()));
}

fn part_numbers_and_abort(h: &Harness) {
    h.create_bucket();
    let id = initiate(h, "k");
    for n in ["0", "10001", "-1", "one"] {
        let r = h.send(BUCKET, Raw::put().key("k").query("partNumber", n).query("uploadId", &id).body("x"));
        assert_eq!(r.code(), (400, "InvalidArgument".into()), "{n}");
    }
    assert_eq!(upload(h, "k", &id, 10000, b"x").status, 200);
    assert_eq!(upload(h, "k", "nope", 1, b"x").code(), (404, "NoSuchUpload".into()));
    assert_eq!(h.send(BUCKET, Raw::get().key("k").query("uploadId", "nope")).code(), (404, "NoSuchUpload".into()));
    assert_eq!(h.send(BUCKET, Raw::delete().key("k").query("uploadId", &id)).status, 204);
    assert_eq!(h.send(BUCKET, Raw::delete().key("k").query("uploadId", &id)).code(), (404, "NoSuchUpload".into()));
    assert_eq!(upload(h, "k", &id, 1, b"x").code(), (404, "NoSuchUpload".into()));
    assert!(h.emulator.pending_uploads(BUCKET).is_empty());
    assert!(h.emulator.object_keys(BUCKET).is_empty());
    let anon = h.anonymous().bucket(BUCKET);
    assert_eq!(anon.execute(Raw::post().key("k").query("uploads", "")).unwrap().code(), (403, "AccessDenied".into()));
}

fn list_parts_paging(h: &Harness) {
    h.create_bucket();
    let id = initiate(h, "k");
    for n in 1..=5 {
        upload(h, "k", &id, n, format!("part {n}").as_bytes()).ok();
    }
    let page = |query: &[(&str, &str)]| {
        let mut op = Raw::get().key("k").query("uploadId", &id);
        for (n, v) in query {
            op = op.query(n, v);
        }
        h.send(BUCKET, op).ok()
    };
    let p1 = page(&[("max-parts", "2")]);
    assert_eq!(p1.texts("PartNumber"), ["1", "2"]);
    assert_eq!(p1.text_of("IsTruncated"), "true");
    assert_eq!(p1.text_of("NextPartNumberMarker"), "2");
    assert_eq!(p1.text_of("MaxParts"), "2");
    assert_eq!(p1.text_of("PartNumberMarker"), "0");
    assert_eq!(p1.text_of("StorageClass"), "STANDARD");
    assert_eq!(p1.texts("ID"), ["qcs::cam::uin/1250000000:uin/1250000000"; 2]);
    let p2 = page(&[("max-parts", "2"), ("part-number-marker", "2")]);
    assert_eq!(p2.texts("PartNumber"), ["3", "4"]);
    assert_eq!(p2.text_of("NextPartNumberMarker"), "4");
    let p3 = page(&[("max-parts", "2"), ("part-number-marker", "4")]);
    assert_eq!(p3.texts("PartNumber"), ["5"]);
    assert_eq!(p3.text_of("IsTruncated"), "false");
    assert_eq!(page(&[("max-parts", "5000")]).text_of("MaxParts"), "1000");
    assert_eq!(
        h.send(BUCKET, Raw::get().key("k").query("uploadId", &id).query("max-parts", "x")).code(),
        (400, "InvalidArgument".into())
    );
    let encoded = page(&[("encoding-type", "url")]);
    assert_eq!(encoded.text_of("Encoding-type"), "url");
}

fn list_uploads_paging(h: &Harness) {
    h.create_bucket();
    let a1 = initiate(h, "a/1");
    let a1b = initiate(h, "a/1");
    let a2 = initiate(h, "a/2");
    let b = initiate(h, "b");
    let c = initiate(h, "c/d");
    let list = |query: &[(&str, &str)]| {
        let mut op = Raw::get().query("uploads", "");
        for (n, v) in query {
            op = op.query(n, v);
        }
        h.send(BUCKET, op).ok()
    };
    let all = list(&[]);
    assert_eq!(all.texts("Key"), ["a/1", "a/1", "a/2", "b", "c/d"]);
    // Uploads of one key come in the order they were initiated.
    assert_eq!(all.texts("UploadId"), [a1.clone(), a1b.clone(), a2.clone(), b.clone(), c.clone()]);
    assert_eq!(all.text_of("IsTruncated"), "false");
    assert_eq!(all.text_of("MaxUploads"), "1000");
    assert!(all.text_of("Initiated").ends_with(".000Z"));

    let dirs = list(&[("delimiter", "/")]);
    assert_eq!(dirs.texts("Key"), ["b"]);
    assert_eq!(dirs.texts("Prefix")[1..], ["a/", "c/"]);
    assert_eq!(list(&[("prefix", "a/")]).texts("Key"), ["a/1", "a/1", "a/2"]);

    let p1 = list(&[("max-uploads", "2")]);
    assert_eq!(p1.texts("UploadId"), [a1.clone(), a1b.clone()]);
    assert_eq!(p1.text_of("IsTruncated"), "true");
    assert_eq!(p1.text_of("NextKeyMarker"), "a/1");
    assert_eq!(p1.text_of("NextUploadIdMarker"), a1b);
    let p2 = list(&[("max-uploads", "2"), ("key-marker", "a/1"), ("upload-id-marker", &a1)]);
    assert_eq!(p2.texts("UploadId"), [a1b.clone(), a2.clone()]);
    let p3 = list(&[("max-uploads", "2"), ("key-marker", "a/2"), ("upload-id-marker", &a2)]);
    assert_eq!(p3.texts("UploadId"), [b.clone(), c.clone()]);
    assert_eq!(p3.text_of("IsTruncated"), "false");
    // Without an upload-id-marker the key-marker skips the key entirely.
    assert_eq!(list(&[("key-marker", "a/1")]).texts("Key"), ["a/2", "b", "c/d"]);
    let encoded = list(&[("encoding-type", "url"), ("prefix", "c/")]);
    assert_eq!(encoded.text_of("Encoding-Type"), "url");
    assert_eq!(encoded.texts("Key"), ["c/d"]);
}

fn upload_part_copy(h: &Harness) {
    h.create_bucket();
    let source: Vec<u8> = (0..3 * MIB).map(|i| (i % 251) as u8).collect();
    h.put("src.bin", &source);
    let copy_source = format!("{BUCKET}.cos.ap-guangzhou.myqcloud.com/src.bin");
    let id = initiate(h, "dst.bin");
    let part_copy_to = |id: &str, key: &str, n: u32, headers: &[(&str, &str)]| {
        let mut op = Raw::put()
            .key(key)
            .query("partNumber", &n.to_string())
            .query("uploadId", id)
            .header("x-cos-copy-source", &copy_source);
        for (name, value) in headers {
            op = op.header(name, value);
        }
        h.send(BUCKET, op)
    };
    let part_copy = |n: u32, range: Option<&str>| match range {
        Some(r) => part_copy_to(&id, "dst.bin", n, &[("x-cos-copy-source-range", r)]),
        None => part_copy_to(&id, "dst.bin", n, &[]),
    };
    let first = part_copy(1, Some(&format!("bytes=0-{}", MIB - 1))).ok();
    let slice = &source[..MIB];
    assert_eq!(first.text_of("ETag"), format!("\"{}\"", md5_hex(slice)));
    assert!(first.text_of("LastModified").ends_with(".000Z"));
    assert_eq!(first.header("x-cos-hash-crc64ecma"), Some(crc64(slice).to_string().as_str()));
    let rest = part_copy(2, Some(&format!("bytes={}-{}", MIB, 3 * MIB - 1))).ok();
    assert_eq!(part_copy(3, Some(&format!("bytes=0-{}", 3 * MIB))).code(), (400, "InvalidArgument".into()));
    assert_eq!(part_copy(3, Some("bytes=5-1")).code(), (400, "InvalidArgument".into()));
    let e1 = first.text_of("ETag");
    let e2 = rest.text_of("ETag");
    complete(h, "dst.bin", &id, &[(1, &e1), (2, &e2)]).ok();
    assert_eq!(h.emulator.object_bytes(BUCKET, "dst.bin"), Some(source.clone()));

    // Without a range the whole source is the part; conditions apply to the source.
    let id2 = initiate(h, "dst2.bin");
    let refused = part_copy_to(&id2, "dst2.bin", 1, &[("x-cos-copy-source-If-Match", "\"nope\"")]);
    assert_eq!(refused.code(), (412, "PreconditionFailed".into()));
    let whole = part_copy_to(&id2, "dst2.bin", 1, &[]).ok();
    assert_eq!(whole.text_of("ETag"), format!("\"{}\"", md5_hex(&source)));
}

on_both_fronts!(
    full_upload,
    complete_checks,
    part_numbers_and_abort,
    list_parts_paging,
    list_uploads_paging,
    upload_part_copy
);
