//! Multipart calls end to end through a scripted transport: exact requests, typed answers
//! (documentation examples from `tests/fixtures/`), paging, COS's refusals, and the inputs
//! refused before any request.
//!
//! Fixture sources (COS API documentation, tencentyun/qcloud-documents): Initiate Multipart
//! Upload (436/7746) example; Complete Multipart Upload (436/7742) case 1; List Parts (436/7747)
//! example (`-doc`) and its response-body sample, truncated after one part (`-doc-truncated`);
//! List Multipart Uploads (436/7736) example; Upload Part - Copy (436/8287, English edition)
//! sample.

use crate::support::common;
use crate::support::object_common;

use common::Canned;
use object_common::{
    HOST, assert_refused, assert_service, bucket_with, error_body, fixture, signed_headers, signed_params, wire_headers,
};
use tencent_cos::Error;
use tencent_cos::api::Owner;
use tencent_cos::api::Part;
use tencent_cos::api::Upload;

const GRANT: &str = r#"id="qcs::cam::uin/100000000001:uin/100000000011""#;

fn owner(id: &str, name: &str) -> Option<Owner> {
    Some(Owner { id: id.into(), display_name: Some(name.into()) })
}

// ---------------------------------------------------------------- multipart_init

#[test]
fn multipart_init_sends_every_parameter_and_parses_the_documented_answer() {
    let (transport, bucket) = bucket_with(vec![Canned::new(200, fixture("InitiateMultipartUploadResult-doc.xml"))]);
    let out = bucket
        .multipart_init("big file.bin")
        .header("x-cos-traffic-limit", "819200")
        .meta("Project", "p")
        .content_type("application/octet-stream")
        .expires("Wed, 21 Oct 2026 07:28:00 GMT")
        .cache_control("no-cache")
        .content_disposition("attachment")
        .content_encoding("gzip")
        .acl(tencent_cos::api::CannedAcl::Private)
        .grant_read(GRANT)
        .grant_write(GRANT)
        .grant_full_control(GRANT)
        .grant_read_acp(GRANT)
        .grant_write_acp(GRANT)
        .storage_class("STANDARD_IA")
        .send()
        .unwrap();
    let r = transport.last();
    assert_eq!((r.method.as_str(), r.target()), ("POST", "/big%20file.bin?uploads="));
    assert_eq!(
        wire_headers(&r),
        vec![
            ("x-cos-traffic-limit", "819200"),
            ("x-cos-meta-Project", "p"),
            ("Content-Type", "application/octet-stream"),
            ("Expires", "Wed, 21 Oct 2026 07:28:00 GMT"),
            ("Cache-Control", "no-cache"),
            ("Content-Disposition", "attachment"),
            ("Content-Encoding", "gzip"),
            ("x-cos-acl", "private"),
            ("x-cos-grant-read", GRANT),
            ("x-cos-grant-write", GRANT),
            ("x-cos-grant-full-control", GRANT),
            ("x-cos-grant-read-acp", GRANT),
            ("x-cos-grant-write-acp", GRANT),
            ("x-cos-storage-class", "STANDARD_IA"),
            ("Content-Length", "0"),
            ("Host", HOST),
        ]
    );
    assert_eq!(signed_params(&r), "uploads");
    assert_eq!(out.bucket, "examplebucket-1250000000");
    assert_eq!(out.key, "exampleobject");
    assert_eq!(out.upload_id, "1484727270323ddb949d528c629235314a9ead80f0ba5d993a3d76b460e6a9cceb9633b08e");
    assert_eq!(out.meta.request_id(), Some("req-1"));
}

#[test]
fn multipart_init_fills_in_empty_cache_control_and_content_type_like_node() {
    let answer =
        || Canned::new(200, "<InitiateMultipartUploadResult><UploadId>u</UploadId></InitiateMultipartUploadResult>");
    let (transport, bucket) = bucket_with(vec![answer(), answer()]);
    bucket.multipart_init("a").cache_control("no-cache").send().unwrap();
    bucket.multipart_init("a").content_type("text/plain").send().unwrap();
    let requests = transport.requests();
    assert_eq!(
        wire_headers(&requests[0]),
        vec![("Cache-Control", "no-cache"), ("Content-Type", ""), ("Content-Length", "0"), ("Host", HOST)]
    );
    assert_eq!(
        wire_headers(&requests[1]),
        vec![("Content-Type", "text/plain"), ("Cache-Control", ""), ("Content-Length", "0"), ("Host", HOST)]
    );
    assert_eq!(signed_headers(&requests[1]), "content-length;content-type;host");
}

#[test]
fn multipart_init_without_upload_id_is_an_xml_error() {
    let (_, bucket) = bucket_with(vec![Canned::new(
        200,
        "<InitiateMultipartUploadResult><Key>a</Key></InitiateMultipartUploadResult>",
    )]);
    assert!(matches!(bucket.multipart_init("a").send(), Err(Error::Xml(_))));
}

// ---------------------------------------------------------------- multipart_upload

#[test]
fn multipart_upload_sends_part_with_md5_and_reads_etag_and_crc() {
    let answer = Canned::new(200, "")
        .header("ETag", "\"5d41402abc4b2a76b9719d911017c592\"")
        .header("x-cos-hash-crc64ecma", "123");
    let (transport, bucket) = bucket_with(vec![answer]);
    let out = bucket
        .multipart_upload("big.bin", "u1", 10_000, "hello")
        .content_length(5)
        .expect("100-continue")
        .content_md5(true)
        .send()
        .unwrap();
    let r = transport.last();
    assert_eq!((r.method.as_str(), r.target()), ("PUT", "/big.bin?partNumber=10000&uploadId=u1"));
    assert_eq!(
        wire_headers(&r),
        vec![
            ("Content-Length", "5"),
            ("Expect", "100-continue"),
            ("Content-MD5", "XUFAKrxLKna5cZ2REBfFkg=="),
            ("Host", HOST),
        ]
    );
    assert_eq!(signed_params(&r), "partnumber;uploadid");
    assert_eq!(r.body, b"hello");
    assert_eq!(out.etag, "\"5d41402abc4b2a76b9719d911017c592\"");
    assert_eq!(out.crc64, Some(123));
}

#[test]
fn multipart_upload_refuses_part_numbers_outside_1_to_10000() {
    let (transport, bucket) = bucket_with(vec![]);
    assert_refused(bucket.multipart_upload("a", "u1", 0, "x").send(), "part_number", &transport);
    assert_refused(bucket.upload_part("a", "u1", 10_001, "x").send(), "part_number", &transport);
    assert_refused(bucket.multipart_upload("a", "", 1, "x").send(), "upload_id", &transport);
    assert_refused(bucket.multipart_upload("a", "u1", 1, "x").content_length(2).send(), "content_length", &transport);
    let reader = bucket.multipart_upload(
        "a",
        "u1",
        1,
        tencent_cos::http::Body::Reader { reader: Box::new(std::io::empty()), len: 0 },
    );
    assert_refused(reader.content_md5(true).send(), "content_md5", &transport);
}

#[test]
fn multipart_upload_sends_a_callers_content_md5_for_a_reader_body() {
    let answer = || Canned::new(200, "").header("ETag", "\"5d41402abc4b2a76b9719d911017c592\"");
    let (transport, bucket) = bucket_with(vec![answer(), answer()]);
    let reader = tencent_cos::http::Body::Reader { reader: Box::new(&b"hello"[..]), len: 5 };
    bucket.multipart_upload("big.bin", "u1", 3, reader).content_md5_value("XUFAKrxLKna5cZ2REBfFkg==").send().unwrap();
    let r = transport.last();
    assert_eq!(
        wire_headers(&r),
        vec![("Content-MD5", "XUFAKrxLKna5cZ2REBfFkg=="), ("Content-Length", "5"), ("Host", HOST)]
    );
    assert_eq!(r.body, b"hello");
    // The caller's value wins over computing one.
    bucket
        .multipart_upload("big.bin", "u1", 4, "other")
        .content_md5(true)
        .content_md5_value("XUFAKrxLKna5cZ2REBfFkg==")
        .send()
        .unwrap();
    assert!(wire_headers(&transport.last()).contains(&("Content-MD5", "XUFAKrxLKna5cZ2REBfFkg==")));
    let (transport, bucket) = bucket_with(vec![]);
    for bad in ["", "not base64!", "aGVsbG8=", "XUFAKrxLKna5cZ2REBfFkg"] {
        assert_refused(
            bucket.multipart_upload("a", "u1", 1, "x").content_md5_value(bad).send(),
            "content_md5_value",
            &transport,
        );
    }
}

#[cfg(feature = "emulator")]
#[test]
fn a_callers_content_md5_is_checked_by_the_emulator() {
    use tencent_cos::emulator::{DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, Emulator};
    let emulator = Emulator::new();
    let client = tencent_cos::Client::builder()
        .secret(DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY)
        .region("ap-guangzhou")
        .transport(emulator)
        .build()
        .unwrap();
    let bucket = client.bucket("examplebucket-1250000000");
    bucket.put_bucket().send().unwrap();
    let id = bucket.multipart_init("m.bin").send().unwrap().upload_id;
    let good = bucket.multipart_upload("m.bin", &id, 1, "hello").content_md5_value("XUFAKrxLKna5cZ2REBfFkg==").send();
    assert!(good.is_ok(), "{good:?}");
    let md5_of_world = "fXkwN6B2AYZXSwKC8vQ15w==";
    let err = bucket.multipart_upload("m.bin", &id, 2, "hello").content_md5_value(md5_of_world).send().unwrap_err();
    assert_eq!(err.code(), Some("BadDigest"), "{err:?}");
    let err = bucket.put_object("p.txt").body("hello").content_md5_value(md5_of_world).send().unwrap_err();
    assert_eq!(err.code(), Some("BadDigest"), "{err:?}");
    bucket.put_object("p.txt").body("hello").content_md5_value("XUFAKrxLKna5cZ2REBfFkg==").send().unwrap();
}

#[test]
fn a_key_with_a_control_character_keeps_its_upload_id_through_init_and_complete() {
    // COS writes such a key raw into the answer (not XML 1.0): the values still come out exact.
    let init = "<?xml version='1.0' encoding='utf-8' ?>\n<InitiateMultipartUploadResult><Bucket>examplebucket-1250000000</Bucket>\
        <Key>bell\u{7}key</Key><UploadId>u-7</UploadId></InitiateMultipartUploadResult>";
    let complete = "<CompleteMultipartUploadResult><Location>examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/bell%07key</Location>\
        <Bucket>examplebucket-1250000000</Bucket><Key>bell\u{7}key</Key><ETag>&quot;abc-1&quot;</ETag></CompleteMultipartUploadResult>";
    let (_, bucket) = bucket_with(vec![Canned::new(200, init), Canned::new(200, complete)]);
    let out = bucket.multipart_init("bell\u{7}key").send().unwrap();
    assert_eq!((out.key.as_str(), out.upload_id.as_str()), ("bell\u{7}key", "u-7"));
    let done = bucket.multipart_complete("bell\u{7}key", "u-7", [(1, "\"e\"")]).send().unwrap();
    assert_eq!((done.key.as_str(), done.etag.as_str()), ("bell\u{7}key", "\"abc-1\""));
}

// ---------------------------------------------------------------- upload_part_copy

#[test]
fn upload_part_copy_sends_source_range_and_conditions() {
    let answer =
        Canned::new(200, fixture("CopyPartResult-doc.xml")).header("x-cos-hash-crc64ecma", "16749565679157681890");
    let (transport, bucket) = bucket_with(vec![answer]);
    let out = bucket
        .upload_part_copy("big.bin", "u1", 2)
        .copy_source("sourcebucket-1250000001.cos.ap-shanghai.myqcloud.com/a%20b.bin")
        .copy_source_range(0..=1_048_575)
        .copy_source_if_modified_since("Wed, 21 Oct 2015 07:28:00 GMT")
        .copy_source_if_unmodified_since("Wed, 21 Oct 2015 07:28:01 GMT")
        .copy_source_if_match("\"a\"")
        .copy_source_if_none_match("\"b\"")
        .send()
        .unwrap();
    let r = transport.last();
    assert_eq!((r.method.as_str(), r.target()), ("PUT", "/big.bin?partNumber=2&uploadId=u1"));
    assert_eq!(
        wire_headers(&r),
        vec![
            ("x-cos-copy-source", "sourcebucket-1250000001.cos.ap-shanghai.myqcloud.com/a%20b.bin"),
            ("x-cos-copy-source-Range", "bytes=0-1048575"),
            ("x-cos-copy-source-If-Modified-Since", "Wed, 21 Oct 2015 07:28:00 GMT"),
            ("x-cos-copy-source-If-Unmodified-Since", "Wed, 21 Oct 2015 07:28:01 GMT"),
            ("x-cos-copy-source-If-Match", "\"a\""),
            ("x-cos-copy-source-If-None-Match", "\"b\""),
            ("Content-Length", "0"),
            ("Host", HOST),
        ]
    );
    assert_eq!(out.etag, "\"ba82b57cfdfda8bd17ad4e5879ebb4fe\"");
    assert_eq!(out.last_modified, "2017-09-04T04:45:45");
    assert_eq!(out.crc64, Some(16_749_565_679_157_681_890));
}

#[test]
fn upload_part_copy_200_with_an_error_body_is_a_service_error() {
    let (_, bucket) = bucket_with(vec![Canned::new(200, error_body("InternalError", "copy failed"))]);
    let result = bucket
        .upload_part_copy("b", "u1", 1)
        .copy_source_object("examplebucket-1250000000", "ap-guangzhou", "a")
        .send();
    assert_service(result, 200, "InternalError");
}

#[test]
fn upload_part_copy_refusals() {
    let (transport, bucket) = bucket_with(vec![]);
    let source = "examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/a";
    let (start, end) = (10, 9);
    assert_refused(bucket.upload_part_copy("b", "u1", 1).send(), "copy_source", &transport);
    assert_refused(
        bucket.upload_part_copy("b", "u1", 1).copy_source(source).copy_source_range(start..=end).send(),
        "copy_source_range",
        &transport,
    );
    assert_refused(bucket.upload_part_copy("b", "u1", 0).copy_source(source).send(), "part_number", &transport);
    assert_refused(bucket.upload_part_copy("b", "u1", 10_001).copy_source(source).send(), "part_number", &transport);
    assert_refused(bucket.upload_part_copy("b", "", 1).copy_source(source).send(), "upload_id", &transport);
}

// ---------------------------------------------------------------- multipart_complete

#[test]
fn multipart_complete_sorts_and_quotes_parts_and_parses_the_documented_answer() {
    let answer = Canned::new(200, fixture("CompleteMultipartUploadResult-doc.xml"))
        .header("x-cos-hash-crc64ecma", "2290339086971918696")
        .header("x-cos-version-id", "MTg0NDUxNTMyMTEwNDU1NDc3OTc");
    let (transport, bucket) = bucket_with(vec![answer]);
    let out = bucket.multipart_complete("big.bin", "u1", [(10, "\"c3\""), (1, "a1")]).part((2, "b2")).send().unwrap();
    let r = transport.last();
    assert_eq!((r.method.as_str(), r.target()), ("POST", "/big.bin?uploadId=u1"));
    assert_eq!(
        String::from_utf8(r.body.clone()).unwrap(),
        "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>&quot;a1&quot;</ETag></Part>\
         <Part><PartNumber>2</PartNumber><ETag>&quot;b2&quot;</ETag></Part>\
         <Part><PartNumber>10</PartNumber><ETag>&quot;c3&quot;</ETag></Part></CompleteMultipartUpload>"
    );
    assert_eq!(
        wire_headers(&r),
        vec![
            ("Content-Type", "application/xml"),
            ("Content-MD5", "A/3TcCNN8mhGX5WMOw6Nrg=="),
            ("Content-Length", "250"),
            ("Host", HOST),
        ]
    );
    assert_eq!(signed_headers(&r), "content-length;content-md5;content-type;host");
    assert_eq!(out.location, "http://examplebucket-1250000000.cos.ap-beijing.myqcloud.com/exampleobject");
    assert_eq!(out.bucket, "examplebucket-1250000000");
    assert_eq!(out.key, "exampleobject");
    assert_eq!(out.etag, "\"aa259a62513358f69e98e72e59856d88-3\"");
    assert_eq!(out.crc64, Some(2_290_339_086_971_918_696));
    assert_eq!(out.version_id.as_deref(), Some("MTg0NDUxNTMyMTEwNDU1NDc3OTc"));
}

#[test]
fn multipart_complete_200_with_an_error_body_is_a_service_error() {
    let body =
        format!("  \n \n<?xml version=\"1.0\" encoding=\"UTF-8\"?>{}", error_body("InternalError", "merge failed"));
    let (_, bucket) = bucket_with(vec![Canned::new(200, body)]);
    assert_service(bucket.multipart_complete("b", "u1", [(1, "a")]).send(), 200, "InternalError");
}

#[test]
fn multipart_complete_200_without_etag_is_an_error() {
    for body in [
        "<CompleteMultipartUploadResult><Location>l</Location><Bucket>b</Bucket><Key>k</Key></CompleteMultipartUploadResult>",
        "<CompleteMultipartUploadResult><ETag></ETag></CompleteMultipartUploadResult>",
        "",
        "Internal Server Error",
    ] {
        let (_, bucket) = bucket_with(vec![Canned::new(200, body)]);
        let result = bucket.multipart_complete("b", "u1", [(1, "a")]).send();
        assert!(matches!(result, Err(Error::Xml(_))), "{body:?}: {result:?}");
    }
}

#[test]
fn multipart_complete_cos_refusals_surface_with_their_codes() {
    let cases = [(400, "EntityTooSmall"), (400, "InvalidPart"), (400, "InvalidPartOrder"), (404, "NoSuchUpload")];
    for (status, code) in cases {
        let (_, bucket) = bucket_with(vec![Canned::new(status, error_body(code, "refused"))]);
        let result = bucket.multipart_complete("b", "u1", [(1, "a")]).send();
        match &result {
            Err(Error::Service(e)) => assert_eq!(e.request_id.as_deref(), Some("rid-1")),
            other => panic!("{other:?}"),
        }
        assert_service(result, status, code);
    }
}

#[test]
fn multipart_complete_refusals() {
    let (transport, bucket) = bucket_with(vec![]);
    assert_refused(bucket.multipart_complete("b", "u1", Vec::<(u32, String)>::new()).send(), "parts", &transport);
    assert_refused(bucket.multipart_complete("b", "u1", [(0, "a")]).send(), "parts", &transport);
    assert_refused(bucket.multipart_complete("b", "u1", [(10_001, "a")]).send(), "parts", &transport);
    assert_refused(bucket.multipart_complete("b", "", [(1, "a")]).send(), "upload_id", &transport);
}

// ---------------------------------------------------------------- multipart_abort

#[test]
fn multipart_abort_request_and_no_such_upload() {
    let (transport, bucket) =
        bucket_with(vec![Canned::new(204, ""), Canned::new(404, error_body("NoSuchUpload", "x"))]);
    let out = bucket.multipart_abort("big file.bin", "u1").send().unwrap();
    let r = transport.last();
    assert_eq!((r.method.as_str(), r.target()), ("DELETE", "/big%20file.bin?uploadId=u1"));
    assert_eq!(wire_headers(&r), vec![("Content-Length", "0"), ("Host", HOST)]);
    assert_eq!(out.meta.status, 204);
    assert_service(bucket.multipart_abort("big file.bin", "u1").send(), 404, "NoSuchUpload");
    assert_refused(bucket.multipart_abort("a", "").send(), "upload_id", &bucket_with(vec![]).0);
}

// ---------------------------------------------------------------- multipart_list_part

#[test]
fn multipart_list_part_sends_parameters_in_node_order() {
    let answer =
        Canned::new(200, "<ListPartsResult><Key>a%20b.bin</Key><EncodingType>url</EncodingType></ListPartsResult>");
    let (transport, bucket) = bucket_with(vec![answer]);
    let out = bucket
        .multipart_list_part("a b.bin", "u1")
        .encoding_type("url")
        .max_parts(2)
        .part_number_marker(3)
        .send()
        .unwrap();
    let r = transport.last();
    assert_eq!(
        (r.method.as_str(), r.target()),
        ("GET", "/a%20b.bin?uploadId=u1&encoding-type=url&max-parts=2&part-number-marker=3")
    );
    assert_eq!(signed_params(&r), "encoding-type;max-parts;part-number-marker;uploadid");
    assert_eq!(out.key, "a b.bin", "decoded with encoding-type=url");
}

#[test]
fn multipart_list_part_parses_every_documented_field() {
    let (_, bucket) = bucket_with(vec![Canned::new(200, fixture("ListPartsResult-doc.xml"))]);
    let out = bucket.multipart_list_part("exampleobject", "u1").send().unwrap();
    assert_eq!(out.bucket, "examplebucket-1250000000");
    assert_eq!(out.encoding_type.as_deref(), Some(""));
    assert_eq!(out.key, "exampleobject");
    assert_eq!(out.upload_id, "1585130821cbb7df1d11846c073ad648e8f33b087cec2381df437acdc833cf654b9ecc6361");
    assert_eq!(out.owner, owner("1250000000", "1250000000"));
    assert_eq!(out.initiator, owner("qcs::cam::uin/100000000001:uin/100000000011", "100000000011"));
    assert_eq!(out.part_number_marker, Some(0));
    assert_eq!(out.next_part_number_marker, None);
    assert_eq!(out.max_parts, Some(1000));
    assert!(!out.is_truncated);
    // COS answers `Standard` here; it is the named class, written `STANDARD`.
    assert_eq!(out.storage_class, Some(tencent_cos::api::StorageClass::Standard));
    let part = |n: u32, t: &str, etag: &str| {
        let mut part = Part::default();
        part.part_number = n;
        part.last_modified = t.into();
        part.etag = format!("\"{etag}\"");
        part.size = 1_048_576;
        part
    };
    assert_eq!(
        out.parts,
        vec![
            part(1, "2020-03-25T10:07:14.000Z", "39270a968a357d24207e9911162507eb"),
            part(2, "2020-03-25T10:07:13.000Z", "d899fbd1e06109ea2e4550f5751c88d6"),
            part(3, "2020-03-25T10:07:13.000Z", "762890d6c9a871b7bd136037cb2260cd"),
        ]
    );
}

#[test]
fn multipart_list_part_pages_follow_next_part_number_marker() {
    let last_page = "<ListPartsResult><Part><PartNumber>2</PartNumber><ETag>\"b\"</ETag><Size>7</Size></Part>\
                     <IsTruncated>false</IsTruncated></ListPartsResult>";
    let (transport, bucket) =
        bucket_with(vec![Canned::new(200, fixture("ListPartsResult-doc-truncated.xml")), Canned::new(200, last_page)]);
    let parts = bucket.list_parts("exampleobject", "u1").max_parts(1).all_parts().unwrap();
    assert_eq!(parts.iter().map(|p| (p.part_number, p.size)).collect::<Vec<_>>(), [(1, 5_242_880), (2, 7)]);
    assert_eq!(parts[0].etag, "\"a1f8e5e4d63ac6970a0062a6277e191fe09a1382\"");
    assert_eq!(parts[0].last_modified, "Tue Jan 17 16:43:37 2017");
    let targets: Vec<String> = transport.requests().iter().map(|r| r.target().to_owned()).collect();
    assert_eq!(
        targets,
        [
            "/exampleobject?uploadId=u1&encoding-type=url&max-parts=1",
            "/exampleobject?uploadId=u1&encoding-type=url&max-parts=1&part-number-marker=1"
        ]
    );
}

#[test]
fn multipart_list_part_pages_stop_with_an_error_when_the_marker_does_not_move() {
    let stuck = "<ListPartsResult><IsTruncated>true</IsTruncated></ListPartsResult>";
    let (transport, bucket) = bucket_with(vec![Canned::new(200, stuck), Canned::new(200, stuck)]);
    let pages: Vec<_> = bucket.multipart_list_part("a", "u1").pages().collect();
    assert_eq!(pages.len(), 1);
    assert!(matches!(pages[0], Err(Error::Xml(_))));
    assert_eq!(transport.requests().len(), 1);
}

#[test]
fn multipart_list_part_bad_numbers_and_page_sizes() {
    let (_, bucket) = bucket_with(vec![Canned::new(
        200,
        "<ListPartsResult><Part><PartNumber>1</PartNumber><ETag>e</ETag><Size>big</Size></Part></ListPartsResult>",
    )]);
    assert!(matches!(bucket.multipart_list_part("a", "u1").send(), Err(Error::Xml(_))));
    let (transport, bucket) = bucket_with(vec![]);
    assert_refused(bucket.multipart_list_part("a", "u1").max_parts(0).send(), "max_parts", &transport);
    assert_refused(bucket.multipart_list_part("a", "u1").max_parts(1001).send(), "max_parts", &transport);
    assert_refused(bucket.multipart_list_part("a", "").send(), "upload_id", &transport);
}

// ---------------------------------------------------------------- multipart_list

#[test]
fn multipart_list_sends_parameters_in_node_order_prefix_always() {
    let empty = || Canned::new(200, "<ListMultipartUploadsResult/>");
    let (transport, bucket) = bucket_with(vec![empty(), empty()]);
    bucket
        .multipart_list()
        .delimiter("/")
        .encoding_type("url")
        .prefix("a/")
        .max_uploads(5)
        .key_marker("a/k")
        .upload_id_marker("u0")
        .send()
        .unwrap();
    bucket.list_multipart_uploads().send().unwrap();
    let r = transport.requests();
    assert_eq!(
        r[0].target(),
        "/?uploads=&delimiter=%2F&encoding-type=url&prefix=a%2F&max-uploads=5&key-marker=a%2Fk&upload-id-marker=u0"
    );
    assert_eq!(signed_params(&r[0]), "delimiter;encoding-type;key-marker;max-uploads;prefix;upload-id-marker;uploads");
    assert_eq!(r[1].target(), "/?uploads=&prefix=");
    assert_eq!(wire_headers(&r[1]), vec![("Host", HOST)]);
}

#[test]
fn multipart_list_parses_every_documented_field() {
    let (_, bucket) = bucket_with(vec![Canned::new(200, fixture("ListMultipartUploadsResult-doc.xml"))]);
    let out = bucket.multipart_list().send().unwrap();
    assert_eq!(out.bucket, "examplebucket-1250000000");
    assert_eq!(out.encoding_type.as_deref(), Some(""));
    assert_eq!((out.key_marker.as_deref(), out.upload_id_marker.as_deref()), (Some(""), Some("")));
    assert_eq!((out.next_key_marker, out.next_upload_id_marker), (None, None));
    assert_eq!(out.max_uploads, Some(1000));
    assert_eq!((out.prefix.as_deref(), out.delimiter.as_deref()), (Some(""), Some("/")));
    assert!(!out.is_truncated);
    assert!(out.common_prefixes.is_empty());
    let root = "qcs::cam::uin/100000000001:uin/100000000001";
    let upload = |key: &str, id: &str, at: &str| {
        let mut upload = Upload::default();
        upload.key = key.into();
        upload.upload_id = id.into();
        upload.storage_class = Some("Standard".into());
        upload.initiator = owner(root, "100000000001");
        upload.owner = owner(root, "100000000001");
        upload.initiated = Some(at.into());
        upload
    };
    assert_eq!(
        out.uploads,
        vec![
            upload(
                "Object",
                "1484726657932bcb5b17f7a98a8cad9fc36a340ff204c79bd2f51e7dddf0b6d1da6220520c",
                "Wed Jan 18 16:04:17 2017"
            ),
            upload(
                "Object",
                "1484727158f2b8034e5407d18cbf28e84f754b791ecab607d25a2e52de9fee641e5f60707c",
                "Wed Jan 18 16:12:38 2017"
            ),
            upload(
                "exampleobject",
                "1484727270323ddb949d528c629235314a9ead80f0ba5d993a3d76b460e6a9cceb9633b08e",
                "Wed Jan 18 16:14:30 2017"
            ),
        ]
    );
}

#[test]
fn multipart_list_pages_follow_next_markers_and_decode_url_keys() {
    let first = "<ListMultipartUploadsResult><Encoding-Type>url</Encoding-Type><IsTruncated>true</IsTruncated>\
                 <NextKeyMarker>a%2Fb%20c</NextKeyMarker><NextUploadIdMarker>u1</NextUploadIdMarker>\
                 <CommonPrefixs><Prefix>a%2Fd%2F</Prefix></CommonPrefixs>\
                 <Upload><Key>a%2Fb%20c</Key><UploadId>u1</UploadId></Upload></ListMultipartUploadsResult>";
    let second = "<ListMultipartUploadsResult><IsTruncated>false</IsTruncated>\
                  <CommonPrefixes><Prefix>a%2Fe%2F</Prefix></CommonPrefixes>\
                  <Upload><Key>a%2Fz%07</Key><UploadId>u2</UploadId></Upload></ListMultipartUploadsResult>";
    let (transport, bucket) = bucket_with(vec![Canned::new(200, first), Canned::new(200, second)]);
    let pages: Vec<_> =
        bucket.multipart_list().prefix("a/").encoding_type("url").pages().collect::<Result<_, _>>().unwrap();
    assert_eq!(pages.len(), 2);
    assert_eq!(pages[0].common_prefixes, ["a/d/"], "read from the misspelled CommonPrefixs too");
    assert_eq!(pages[0].next_key_marker.as_deref(), Some("a/b c"));
    assert_eq!(pages[1].common_prefixes, ["a/e/"]);
    let keys: Vec<&str> = pages.iter().flat_map(|p| p.uploads.iter().map(|u| u.key.as_str())).collect();
    assert_eq!(keys, ["a/b c", "a/z\u{7}"]);
    assert_eq!(
        transport.requests()[1].target(),
        "/?uploads=&encoding-type=url&prefix=a%2F&key-marker=a%2Fb%20c&upload-id-marker=u1"
    );
}

#[test]
fn multipart_list_all_uploads_and_stuck_paging() {
    let stuck = "<ListMultipartUploadsResult><IsTruncated>true</IsTruncated></ListMultipartUploadsResult>";
    let (transport, bucket) = bucket_with(vec![Canned::new(200, stuck)]);
    assert!(matches!(bucket.multipart_list().all_uploads(), Err(Error::Xml(_))));
    assert_eq!(transport.requests().len(), 1);

    let (_, bucket) = bucket_with(vec![Canned::new(200, fixture("ListMultipartUploadsResult-doc.xml"))]);
    assert_eq!(bucket.multipart_list().all_uploads().unwrap().len(), 3);
}

#[test]
fn multipart_list_refusals_and_bad_encoding() {
    let (transport, bucket) = bucket_with(vec![]);
    assert_refused(bucket.multipart_list().max_uploads(0).send(), "max_uploads", &transport);
    assert_refused(bucket.multipart_list().max_uploads(1001).send(), "max_uploads", &transport);
    let bad = "<ListMultipartUploadsResult><Upload><Key>a%zz</Key><UploadId>u</UploadId></Upload></ListMultipartUploadsResult>";
    let (_, bucket) = bucket_with(vec![Canned::new(200, bad)]);
    assert!(matches!(bucket.multipart_list().encoding_type("url").send(), Err(Error::Xml(_))));
}

// ---------------------------------------------------------------- robustness

/// Every parser over every prefix of every documented answer (and a few mangled bytes): an
/// output or an error, never a panic.
#[test]
fn parsers_never_panic_on_truncated_or_mangled_answers() {
    use tencent_cos::api::{
        DeleteMultipleObjectInput, MultipartCompleteInput, MultipartInitInput, MultipartListInput,
        MultipartListPartInput, PutObjectCopyInput, UploadPartCopyInput,
    };
    use tencent_cos::http::Response;
    use tencent_cos::operation::Operation;

    fn run<O: Operation + Default>(body: &[u8]) {
        let _ = O::default().parse(Response::from_bytes(200, [("x-cos-hash-crc64ecma", "x")], body.to_vec()));
    }
    let names = [
        "InitiateMultipartUploadResult-doc.xml",
        "CompleteMultipartUploadResult-doc.xml",
        "ListPartsResult-doc.xml",
        "ListPartsResult-doc-truncated.xml",
        "ListMultipartUploadsResult-doc.xml",
        "CopyObjectResult-doc.xml",
        "CopyPartResult-doc.xml",
        "DeleteResult-doc.xml",
    ];
    for name in names {
        let full = fixture(name);
        let mut bodies: Vec<Vec<u8>> = (0..=full.len()).map(|n| full[..n].to_vec()).collect();
        for (i, b) in [(7usize, 0u8), (20, b'&'), (33, 0xff), (50, b'<')] {
            let mut mangled = full.clone();
            if i < mangled.len() {
                mangled[i] = b;
            }
            bodies.push(mangled);
        }
        for body in &bodies {
            run::<MultipartInitInput>(body);
            run::<MultipartCompleteInput>(body);
            run::<MultipartListPartInput>(body);
            run::<MultipartListInput>(body);
            run::<UploadPartCopyInput>(body);
            run::<PutObjectCopyInput>(body);
            run::<DeleteMultipleObjectInput>(body);
        }
    }
}

#[test]
fn multipart_list_pages_ask_for_url_keys_and_refuse_a_marker_loop() {
    let page = |key: &str, id: &str| {
        Canned::new(
            200,
            format!(
                "<ListMultipartUploadsResult><EncodingType>url</EncodingType><IsTruncated>true</IsTruncated>\
                 <NextKeyMarker>{key}</NextKeyMarker><NextUploadIdMarker>{id}</NextUploadIdMarker>\
                 <Upload><Key>{key}</Key><UploadId>{id}</UploadId></Upload></ListMultipartUploadsResult>"
            ),
        )
    };
    // (a, u1), (b, u2), (a, u1), ...: every page moves, but back to where it had been.
    let (transport, bucket) = bucket_with(vec![page("a", "u1"), page("b", "u2"), page("a", "u1"), page("b", "u2")]);
    let err = bucket.multipart_list().all_uploads().unwrap_err();
    assert_eq!(
        err.to_string(),
        "malformed XML response: the listing came back to markers it had already visited: \"a\\nu1\""
    );
    let targets: Vec<String> = transport.requests().iter().map(|r| r.target().to_owned()).collect();
    assert_eq!(
        targets,
        [
            "/?uploads=&encoding-type=url&prefix=",
            "/?uploads=&encoding-type=url&prefix=&key-marker=a&upload-id-marker=u1",
            "/?uploads=&encoding-type=url&prefix=&key-marker=b&upload-id-marker=u2",
        ]
    );
}
