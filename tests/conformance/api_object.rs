//! Object calls end to end through a scripted transport: the exact request each builder sends,
//! the typed output of each answer (documentation examples from `tests/fixtures/`), and the
//! inputs refused before any request.
//!
//! Fixture sources (COS API documentation, tencentyun/qcloud-documents and its English
//! edition): `CopyObjectResult-doc.xml` is PUT Object - Copy (436/10881) case 10 (versioned
//! destination); `DeleteResult-doc.xml` is DELETE Multiple Objects (436/8289) sample 6 (some
//! objects fail).

use crate::support::common;
use crate::support::object_common;

use std::collections::BTreeMap;
use std::io::Read;
use std::time::{Duration, UNIX_EPOCH};

use common::Canned;
use object_common::{
    HOST, assert_refused, assert_service, bucket_with, error_body, fixture, signed_headers, signed_params, wire_headers,
};
use tencent_cos::Error;
use tencent_cos::api::MetadataDirective;
use tencent_cos::api::ObjectProperties;
use tencent_cos::api::{DeleteError, DeletedObject};

const GRANT: &str = r#"id="qcs::cam::uin/100000000001:uin/100000000011""#;

// ---------------------------------------------------------------- head_object

#[test]
fn head_object_sends_conditions_and_version_and_types_every_header() {
    let answer = Canned::new(200, "")
        .header("Content-Length", "26")
        .header("Content-Type", "text/plain")
        .header("ETag", "\"ae6ef61d\"")
        .header("Last-Modified", "Wed, 21 Oct 2015 07:28:00 GMT")
        .header("x-cos-meta-Author", "alice")
        .header("X-COS-META-project", "oracle test")
        .header("x-cos-object-type", "appendable")
        .header("x-cos-storage-class", "STANDARD_IA")
        .header("x-cos-hash-crc64ecma", "15060521397700495958")
        .header("x-cos-version-id", "v1")
        .header("Cache-Control", "max-age=600")
        .header("Content-Disposition", "attachment; filename=a.txt")
        .header("Content-Encoding", "gzip")
        .header("Expires", "Wed, 21 Oct 2026 07:28:00 GMT")
        .header("x-cos-tagging-count", "3");
    let (transport, bucket) = bucket_with(vec![answer]);
    let out = bucket
        .head_object("a b.txt")
        .version_id("v1")
        .if_modified_since("Wed, 21 Oct 2015 07:28:00 GMT")
        .if_unmodified_since(UNIX_EPOCH + Duration::from_secs(1_445_412_480))
        .if_match("\"x\"")
        .if_none_match("\"y\"")
        .send()
        .unwrap();
    let r = transport.last();
    assert_eq!((r.method.as_str(), r.target()), ("HEAD", "/a%20b.txt?versionId=v1"));
    assert_eq!(
        wire_headers(&r),
        vec![
            ("If-Modified-Since", "Wed, 21 Oct 2015 07:28:00 GMT"),
            ("If-Unmodified-Since", "Wed, 21 Oct 2015 07:28:00 GMT"),
            ("If-Match", "\"x\""),
            ("If-None-Match", "\"y\""),
            ("Content-Length", "0"),
            ("Host", HOST),
        ]
    );
    assert_eq!(signed_headers(&r), "content-length;host;if-match;if-modified-since;if-none-match;if-unmodified-since");
    assert_eq!(signed_params(&r), "versionid");
    let meta: BTreeMap<String, String> =
        [("author", "alice"), ("project", "oracle test")].into_iter().map(|(k, v)| (k.into(), v.into())).collect();
    let expected = {
        let mut object_properties = ObjectProperties::default();
        object_properties.content_length = Some(26);
        object_properties.content_type = Some("text/plain".into());
        object_properties.etag = Some("\"ae6ef61d\"".into());
        object_properties.last_modified = Some("Wed, 21 Oct 2015 07:28:00 GMT".into());
        object_properties.meta = meta;
        object_properties.object_type = Some("appendable".into());
        object_properties.storage_class = "STANDARD_IA".into();
        object_properties.crc64 = Some(15_060_521_397_700_495_958);
        object_properties.version_id = Some("v1".into());
        object_properties.cache_control = Some("max-age=600".into());
        object_properties.content_disposition = Some("attachment; filename=a.txt".into());
        object_properties.content_encoding = Some("gzip".into());
        object_properties.expires = Some("Wed, 21 Oct 2026 07:28:00 GMT".into());
        object_properties.tagging_count = Some(3);
        object_properties
    };
    assert_eq!(out.properties, expected);
    assert_eq!(out.properties.last_modified_time(), Some(UNIX_EPOCH + Duration::from_secs(1_445_412_480)));
    assert!(!out.not_modified);
    assert_eq!((out.meta.status, out.meta.request_id()), (200, Some("req-1")));
}

#[test]
fn head_object_304_is_not_modified_and_defaults_hold() {
    let (_, bucket) = bucket_with(vec![Canned::new(304, "").header("x-cos-hash-crc64ecma", "not-a-number")]);
    let out = bucket.head_object("a.txt").if_modified_since("Wed, 21 Oct 2015 07:28:00 GMT").send().unwrap();
    assert!(out.not_modified);
    assert_eq!(out.meta.status, 304);
    assert_eq!(out.properties.crc64, None, "a malformed CRC is None, not a panic");
    assert_eq!(out.properties.storage_class, "STANDARD");
    assert!(out.properties.meta.is_empty());
}

#[test]
fn head_object_404_is_a_not_found_error() {
    let (_, bucket) = bucket_with(vec![Canned::new(404, "")]);
    let err = bucket.head_object("missing.txt").send().unwrap_err();
    assert!(err.is_not_found(), "{err}");
}

// ---------------------------------------------------------------- get_object

#[test]
fn get_object_sends_range_conditions_and_overrides_in_node_order() {
    let (transport, bucket) = bucket_with(vec![Canned::new(206, "hello").header("Content-Length", "5")]);
    bucket
        .get_object("a.txt")
        .range(0..=4)
        .if_modified_since("Wed, 21 Oct 2015 07:28:00 GMT")
        .if_unmodified_since("Wed, 21 Oct 2015 07:28:01 GMT")
        .if_match("\"m\"")
        .if_none_match("\"n\"")
        .response_content_type("text/plain")
        .response_content_language("zh-CN")
        .response_expires("Wed, 21 Oct 2026 07:28:00 GMT")
        .response_cache_control("no-cache")
        .response_content_disposition("attachment; filename=a.txt")
        .response_content_encoding("gzip")
        .version_id("v1")
        .send()
        .unwrap();
    let r = transport.last();
    assert_eq!(r.method, "GET");
    assert_eq!(
        r.target(),
        "/a.txt?response-content-type=text%2Fplain&response-content-language=zh-CN\
         &response-expires=Wed%2C%2021%20Oct%202026%2007%3A28%3A00%20GMT&response-cache-control=no-cache\
         &response-content-disposition=attachment%3B%20filename%3Da.txt&response-content-encoding=gzip&versionId=v1"
    );
    assert_eq!(
        wire_headers(&r),
        vec![
            ("Range", "bytes=0-4"),
            ("If-Modified-Since", "Wed, 21 Oct 2015 07:28:00 GMT"),
            ("If-Unmodified-Since", "Wed, 21 Oct 2015 07:28:01 GMT"),
            ("If-Match", "\"m\""),
            ("If-None-Match", "\"n\""),
            ("Host", HOST),
        ],
        "no Content-Length on a body-less GET, as node"
    );
    assert_eq!(signed_headers(&r), "host;if-match;if-modified-since;if-none-match;if-unmodified-since;range");
    assert_eq!(
        signed_params(&r),
        "response-cache-control;response-content-disposition;response-content-encoding;response-content-language;\
         response-content-type;response-expires;versionid"
    );
}

#[test]
fn get_object_ranges_from_rust_ranges_and_raw() {
    let (transport, bucket) = bucket_with(vec![]);
    bucket.get_object("a").range(10..).send().unwrap();
    bucket.get_object("a").range_header("bytes=-100").send().unwrap();
    let ranges: Vec<String> = transport.requests().iter().map(|r| r.header("range").unwrap().to_owned()).collect();
    assert_eq!(ranges, ["bytes=10-", "bytes=-100"]);
}

#[test]
fn get_object_refuses_an_inverted_range_and_a_root_key_before_sending() {
    let (transport, bucket) = bucket_with(vec![]);
    let (start, end) = (5, 4);
    assert_refused(bucket.get_object("a").range(start..=end).send(), "range", &transport);
    assert_refused(bucket.get_object("a").range_header("").send(), "range", &transport);
    assert_refused(bucket.get_object("./").send(), "key", &transport);
    assert_refused(bucket.get_object("a/..").send(), "key", &transport);
}

#[test]
fn get_object_body_streams_copies_and_reads_with_headers_typed() {
    let answer = || {
        Canned::new(206, "hello")
            .header("Content-Length", "5")
            .header("Content-Range", "bytes 0-4/26")
            .header("ETag", "\"e\"")
            .header("x-cos-meta-author", "alice")
    };
    let (_, bucket) = bucket_with(vec![answer(), answer(), answer()]);
    let out = bucket.get_object("a").range(0..=4).send().unwrap();
    assert_eq!(out.content_range.as_deref(), Some("bytes 0-4/26"));
    assert_eq!(out.properties.etag.as_deref(), Some("\"e\""));
    assert_eq!(out.properties.meta["author"], "alice");
    assert_eq!(out.bytes().unwrap(), b"hello");

    let mut sink = Vec::new();
    assert_eq!(bucket.get_object("a").send().unwrap().copy_to(&mut sink).unwrap(), 5);
    assert_eq!(sink, b"hello");

    let mut read = String::new();
    bucket.get_object("a").send().unwrap().into_reader().read_to_string(&mut read).unwrap();
    assert_eq!(read, "hello");
}

#[test]
fn get_object_returns_gzip_stored_bytes_unchanged() {
    let gz: Vec<u8> =
        vec![0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xcb, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00];
    let answer =
        Canned::new(200, gz.clone()).header("Content-Encoding", "gzip").header("Content-Length", &gz.len().to_string());
    let (_, bucket) = bucket_with(vec![answer]);
    let out = bucket.get_object("a.txt.gz").send().unwrap();
    assert_eq!(out.properties.content_encoding.as_deref(), Some("gzip"));
    assert_eq!(out.bytes().unwrap(), gz);
}

#[test]
fn get_object_304_is_not_modified_with_an_empty_body() {
    let (_, bucket) = bucket_with(vec![Canned::new(304, "")]);
    let out = bucket.get_object("a").if_none_match("\"e\"").send().unwrap();
    assert!(out.not_modified);
    assert_eq!(out.bytes().unwrap(), b"");
}

#[test]
fn get_object_body_shorter_than_content_length_is_an_io_error() {
    let answer = || Canned::new(200, "hello").header("Content-Length", "10");
    let (_, bucket) = bucket_with(vec![answer(), answer()]);
    assert!(matches!(bucket.get_object("a").send().unwrap().bytes(), Err(Error::Io(_))));
    assert!(matches!(bucket.get_object("a").send().unwrap().copy_to(&mut Vec::new()), Err(Error::Io(_))));
}

#[test]
fn get_object_missing_key_is_a_service_error() {
    let (_, bucket) = bucket_with(vec![Canned::new(404, error_body("NoSuchKey", "gone"))]);
    assert_service(bucket.get_object("a").send(), 404, "NoSuchKey");
}

// ---------------------------------------------------------------- put_object

#[test]
fn put_object_sends_every_parameter_in_node_order() {
    let answer = Canned::new(200, "")
        .header("ETag", "\"5d41402abc4b2a76b9719d911017c592\"")
        .header("x-cos-hash-crc64ecma", "18446744073709551615")
        .header("x-cos-version-id", "MTg0NDUx");
    let (transport, bucket) = bucket_with(vec![answer]);
    let out = bucket
        .put_object("folder/a b.txt")
        .body("hello")
        .header("x-cos-server-side-encryption", "AES256")
        .meta("Author", "alice")
        .content_length(5)
        .content_type("text/plain")
        .expect("100-continue")
        .expires("Wed, 21 Oct 2026 07:28:00 GMT")
        .cache_control("max-age=600")
        .content_disposition("attachment; filename=a.txt")
        .content_encoding("identity")
        .acl(tencent_cos::api::CannedAcl::Private)
        .grant_read(GRANT)
        .grant_write(GRANT)
        .grant_full_control(GRANT)
        .grant_read_acp(GRANT)
        .grant_write_acp(GRANT)
        .storage_class("STANDARD_IA")
        .content_md5(true)
        .send()
        .unwrap();
    let r = transport.last();
    assert_eq!((r.method.as_str(), r.target()), ("PUT", "/folder/a%20b.txt"));
    assert_eq!(
        wire_headers(&r),
        vec![
            ("x-cos-server-side-encryption", "AES256"),
            ("x-cos-meta-Author", "alice"),
            ("Content-Length", "5"),
            ("Content-Type", "text/plain"),
            ("Expect", "100-continue"),
            ("Expires", "Wed, 21 Oct 2026 07:28:00 GMT"),
            ("Cache-Control", "max-age=600"),
            ("Content-Disposition", "attachment; filename=a.txt"),
            ("Content-Encoding", "identity"),
            ("x-cos-acl", "private"),
            ("x-cos-grant-read", GRANT),
            ("x-cos-grant-write", GRANT),
            ("x-cos-grant-full-control", GRANT),
            ("x-cos-grant-read-acp", GRANT),
            ("x-cos-grant-write-acp", GRANT),
            ("x-cos-storage-class", "STANDARD_IA"),
            ("Content-MD5", "XUFAKrxLKna5cZ2REBfFkg=="),
            ("Host", HOST),
        ]
    );
    assert_eq!(
        signed_headers(&r),
        "cache-control;content-disposition;content-encoding;content-length;content-md5;content-type;expect;expires;\
         host;x-cos-acl;x-cos-grant-full-control;x-cos-grant-read;x-cos-grant-read-acp;x-cos-grant-write;x-cos-grant-write-acp;\
         x-cos-meta-author;x-cos-server-side-encryption;x-cos-storage-class"
    );
    assert_eq!(r.body, b"hello");
    assert_eq!(out.etag.as_deref(), Some("\"5d41402abc4b2a76b9719d911017c592\""));
    assert_eq!(out.crc64, Some(u64::MAX));
    assert_eq!(out.version_id.as_deref(), Some("MTg0NDUx"));
    assert_eq!(out.location, format!("{HOST}/folder/a%20b.txt"));
    assert_eq!(out.meta.status, 200);
}

#[test]
fn put_object_reports_its_location_however_it_is_sent() {
    let (_, bucket) = bucket_with(vec![Canned::new(200, ""), Canned::new(200, "")]);
    let input = tencent_cos::api::PutObjectInput { key: "dir/a b.txt".into(), body: "x".into(), ..Default::default() };
    let out = bucket.execute(input).unwrap();
    assert_eq!(out.location, format!("{HOST}/dir/a%20b.txt"));
    let out = bucket.put_object("/dir/c.txt").body("y").send().unwrap();
    assert_eq!(out.location, format!("{HOST}/dir/c.txt"));
}

#[test]
fn put_object_minimal_sends_content_length_and_an_empty_cache_control() {
    let (transport, bucket) = bucket_with(vec![]);
    let out = bucket.put_object("a.txt").body(b"xyz".to_vec()).send().unwrap();
    // The node SDK's empty Cache-Control (wave-2 seq 40-43), unsigned.
    assert_eq!(wire_headers(&transport.last()), vec![("Content-Length", "3"), ("Cache-Control", ""), ("Host", HOST)]);
    assert_eq!((out.etag, out.crc64, out.version_id), (None, None, None));
}

#[test]
fn put_object_key_ending_in_slash_with_no_body_makes_a_folder() {
    let (transport, bucket) = bucket_with(vec![]);
    bucket.put_object("photos/2019/").send().unwrap();
    let r = transport.last();
    assert_eq!((r.method.as_str(), r.target()), ("PUT", "/photos/2019/"));
    assert_eq!(r.header("content-length"), Some("0"));
    assert!(r.body.is_empty());
}

#[test]
fn put_object_body_from_a_file_path_an_open_file_and_a_reader() {
    let dir = std::env::temp_dir().join(format!("cos-put-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("data.bin");
    let data: Vec<u8> = (0..70_000u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(&path, &data).unwrap();

    let (transport, bucket) = bucket_with(vec![]);
    bucket.put_object("f1").body_file(&path).send().unwrap();
    bucket.put_object("f2").body_file(std::fs::File::open(&path).unwrap()).send().unwrap();
    bucket.put_object("f3").body_reader(std::io::Cursor::new(data.clone()), data.len() as u64).send().unwrap();
    for r in transport.requests() {
        assert_eq!(r.header("content-length"), Some("70000"));
        assert_eq!(r.body, data);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn put_object_refusals_name_the_field_and_send_nothing() {
    let (transport, bucket) = bucket_with(vec![]);
    assert_refused(bucket.put_object("a").body("hello").content_length(4).send(), "content_length", &transport);
    let reader = bucket.put_object("a").body_reader(std::io::empty(), 0).content_md5(true).send();
    assert_refused(reader, "content_md5", &transport);
    assert_refused(bucket.put_object("a").meta("", "x").send(), "meta", &transport);
    assert_refused(bucket.put_object("a").meta("bad name", "x").send(), "meta", &transport);
    assert_refused(bucket.put_object("a").header("Authorization", "x").send(), "header", &transport);
    assert_refused(bucket.put_object("a").header("Content-Length", "1").send(), "header", &transport);
    assert_refused(bucket.put_object("a").content_type("text/plain\r\nX: y").send(), "content_type", &transport);
    assert_refused(bucket.put_object("").body("x").send(), "key", &transport);
    let missing = bucket.put_object("a").body_file("/nonexistent/cos/file").send();
    assert!(matches!(missing, Err(Error::Io(_))), "{missing:?}");
    assert_eq!(transport.requests().len(), 0);
}

// ---------------------------------------------------------------- delete_object

#[test]
fn delete_object_with_version_and_delete_marker_output() {
    let answer = Canned::new(204, "").header("x-cos-version-id", "dm-1").header("x-cos-delete-marker", "true");
    let (transport, bucket) = bucket_with(vec![answer]);
    let out = bucket.delete_object("a b.txt").version_id("v1").send().unwrap();
    let r = transport.last();
    assert_eq!((r.method.as_str(), r.target()), ("DELETE", "/a%20b.txt?versionId=v1"));
    assert_eq!(wire_headers(&r), vec![("Content-Length", "0"), ("Host", HOST)]);
    assert_eq!((out.meta.status, out.version_id.as_deref(), out.delete_marker), (204, Some("dm-1"), true));
}

#[test]
fn delete_object_refuses_a_key_that_resolves_to_the_bucket() {
    let (transport, bucket) = bucket_with(vec![]);
    assert_refused(bucket.delete_object("a/../").send(), "key", &transport);
}

// ---------------------------------------------------------------- options_object

#[test]
fn options_object_types_the_allow_headers() {
    let answer = Canned::new(200, "")
        .header("Access-Control-Allow-Origin", "https://www.example.com")
        .header("Access-Control-Allow-Methods", "PUT, GET")
        .header("Access-Control-Allow-Headers", "content-type,x-cos-meta-author")
        .header("Access-Control-Expose-Headers", "ETag")
        .header("Access-Control-Max-Age", "3600");
    let (transport, bucket) = bucket_with(vec![answer]);
    let out = bucket
        .options_object("a.txt")
        .origin("https://www.example.com")
        .access_control_request_method("PUT")
        .access_control_request_headers("content-type")
        .send()
        .unwrap();
    assert_eq!(
        wire_headers(&transport.last()),
        vec![
            ("Origin", "https://www.example.com"),
            ("Access-Control-Request-Method", "PUT"),
            ("Access-Control-Request-Headers", "content-type"),
            ("Content-Length", "0"),
            ("Host", HOST),
        ]
    );
    assert_eq!(signed_headers(&transport.last()), "content-length;host;origin");
    assert!(!out.options_forbidden);
    assert_eq!(out.access_control_allow_origin.as_deref(), Some("https://www.example.com"));
    assert_eq!(out.access_control_allow_methods, ["PUT", "GET"]);
    assert_eq!(out.access_control_allow_headers, ["content-type", "x-cos-meta-author"]);
    assert_eq!(out.access_control_expose_headers, ["ETag"]);
    assert_eq!(out.access_control_max_age, Some(3600));
}

#[test]
fn options_object_403_is_options_forbidden() {
    let (_, bucket) = bucket_with(vec![Canned::new(403, error_body("AccessForbidden", "CORS not allowed"))]);
    let out = bucket.options_object("a").origin("https://x").access_control_request_method("GET").send().unwrap();
    assert!(out.options_forbidden);
    assert_eq!(out.meta.status, 403);
    assert!(out.access_control_allow_methods.is_empty() && out.access_control_max_age.is_none());
}

#[test]
fn options_object_requires_origin_and_method() {
    let (transport, bucket) = bucket_with(vec![]);
    assert_refused(bucket.options_object("a").access_control_request_method("GET").send(), "origin", &transport);
    assert_refused(bucket.options_object("a").origin("https://x").send(), "access_control_request_method", &transport);
}

// ---------------------------------------------------------------- delete_multiple_object

#[test]
fn delete_multiple_object_body_versions_quiet_and_md5() {
    let (transport, bucket) = bucket_with(vec![Canned::new(200, "<DeleteResult/>")]);
    let out = bucket.delete_multiple_object(["a.txt"]).object(("b&c.txt", "v2")).quiet(true).send().unwrap();
    let r = transport.last();
    let body = "<Delete><Object><Key>a.txt</Key></Object><Object><Key>b&amp;c.txt</Key><VersionId>v2</VersionId></Object>\
                <Quiet>true</Quiet></Delete>";
    assert_eq!((r.method.as_str(), r.target()), ("POST", "/?delete="));
    assert_eq!(String::from_utf8(r.body.clone()).unwrap(), body);
    assert_eq!(
        wire_headers(&r),
        vec![
            ("Content-Type", "application/xml"),
            ("Content-MD5", "59/dq5e0XJO65NRFOctL9g=="),
            ("Content-Length", "133"),
            ("Host", HOST),
        ]
    );
    assert_eq!(signed_params(&r), "delete");
    assert!(out.deleted.is_empty() && out.errors.is_empty());
}

#[test]
fn delete_multiple_object_parses_the_documented_partial_failure() {
    let (_, bucket) = bucket_with(vec![Canned::new(200, fixture("DeleteResult-doc.xml"))]);
    let out = bucket.delete_multiple_object(["example-object-1.jpg"]).send().unwrap();
    let deleted = |key: &str, version: Option<&str>, marker: Option<bool>, marker_version: Option<&str>| {
        let mut deleted_object = DeletedObject::default();
        deleted_object.key = key.into();
        deleted_object.version_id = version.map(Into::into);
        deleted_object.delete_marker = marker;
        deleted_object.delete_marker_version_id = marker_version.map(Into::into);
        deleted_object
    };
    assert_eq!(
        out.deleted,
        vec![
            deleted("example-object-1.jpg", None, Some(true), Some("MTg0NDUxNzc2ODQ2NjM1NTI2NDY")),
            deleted("example-object-2.jpg", Some("MTg0NDUxNzc2ODQ2NjQ1MjM5MTk"), None, None),
            deleted(
                "example-object-3.jpg",
                Some("MTg0NDUxNzc2ODQ2NjQwMTIwMDI"),
                Some(true),
                Some("MTg0NDUxNzc2ODQ2NjQwMTIwMDI")
            ),
        ]
    );
    assert_eq!(
        out.errors,
        vec![{
            let mut delete_error = DeleteError::default();
            delete_error.key = "example-object-4.jpg".into();
            delete_error.code = "PathConflict".into();
            delete_error.message = "Path conflict.".into();
            delete_error.version_id = Some("MTg0NDUxNzc2ODQ2NjQ0NjI0MDQ".into());
            delete_error
        }]
    );
}

#[test]
fn delete_multiple_object_takes_1000_and_refuses_1001_or_none() {
    let (transport, bucket) = bucket_with(vec![Canned::new(200, "<DeleteResult/>")]);
    let keys: Vec<String> = (0..1001).map(|i| format!("k{i}")).collect();
    assert_refused(bucket.delete_multiple_object(&keys).send(), "objects", &transport);
    assert_refused(bucket.delete_multiple_object(Vec::<String>::new()).send(), "objects", &transport);
    assert_refused(bucket.delete_multiple_object([""]).send(), "objects", &transport);
    assert_refused(bucket.delete_multiple_object(["bell\u{7}"]).send(), "objects", &transport);
    bucket.delete_objects(&keys[..1000]).send().unwrap();
    assert_eq!(transport.requests().len(), 1);
}

#[test]
fn delete_multiple_object_wrong_root_is_an_xml_error() {
    let (_, bucket) = bucket_with(vec![Canned::new(200, "<html>oops</html>")]);
    assert!(matches!(bucket.delete_multiple_object(["a"]).send(), Err(Error::Xml(_))));
}

// ---------------------------------------------------------------- put_object_copy

#[test]
fn put_object_copy_sends_every_parameter_in_node_order() {
    let (transport, bucket) = bucket_with(vec![Canned::new(200, fixture("CopyObjectResult-doc.xml"))]);
    let out = bucket
        .put_object_copy("dst/b c.jpg")
        .copy_source_object("sourcebucket-1250000001", "ap-shanghai", "example-腾讯云.jpg")
        .meta("x", "1")
        .content_type("image/jpeg")
        .expect("100-continue")
        .metadata_directive(MetadataDirective::Replaced)
        .copy_source_if_modified_since("Wed, 21 Oct 2015 07:28:00 GMT")
        .copy_source_if_unmodified_since("Wed, 21 Oct 2015 07:28:01 GMT")
        .copy_source_if_match("\"a\"")
        .copy_source_if_none_match("\"b\"")
        .acl(tencent_cos::api::CannedAcl::Private)
        .grant_write(GRANT)
        .storage_class("ARCHIVE")
        .send()
        .unwrap();
    let r = transport.last();
    assert_eq!((r.method.as_str(), r.target()), ("PUT", "/dst/b%20c.jpg"));
    assert_eq!(
        wire_headers(&r),
        vec![
            ("x-cos-meta-x", "1"),
            ("Content-Type", "image/jpeg"),
            ("Expect", "100-continue"),
            // The key encoded as in the documentation's example of this call.
            (
                "x-cos-copy-source",
                "sourcebucket-1250000001.cos.ap-shanghai.myqcloud.com/example-%E8%85%BE%E8%AE%AF%E4%BA%91.jpg"
            ),
            ("x-cos-metadata-directive", "Replaced"),
            ("x-cos-copy-source-If-Modified-Since", "Wed, 21 Oct 2015 07:28:00 GMT"),
            ("x-cos-copy-source-If-Unmodified-Since", "Wed, 21 Oct 2015 07:28:01 GMT"),
            ("x-cos-copy-source-If-Match", "\"a\""),
            ("x-cos-copy-source-If-None-Match", "\"b\""),
            ("x-cos-acl", "private"),
            ("x-cos-grant-write", GRANT),
            ("x-cos-storage-class", "ARCHIVE"),
            ("Cache-Control", ""),
            ("Content-Length", "0"),
            ("Host", HOST),
        ]
    );
    assert_eq!(
        signed_headers(&r),
        "content-length;content-type;expect;host;x-cos-acl;x-cos-copy-source;x-cos-copy-source-if-match;\
         x-cos-copy-source-if-modified-since;x-cos-copy-source-if-none-match;x-cos-copy-source-if-unmodified-since;\
         x-cos-grant-write;x-cos-meta-x;x-cos-metadata-directive;x-cos-storage-class",
        "the empty Cache-Control is sent but not signed"
    );
    assert_eq!(out.etag, "\"22e024392de860289f0baa7d6cf8a549\"");
    assert_eq!(out.last_modified, "2020-04-11T17:51:56Z");
    assert_eq!(out.crc64, Some(11_596_229_263_574_363_878));
    assert_eq!(out.version_id.as_deref(), Some("MTg0NDUxNTc0NDYxOTI4MzU0MDI"));
    assert_eq!(out.meta.request_id(), Some("req-1"));
}

#[test]
fn put_object_copy_with_cache_control_sends_no_empty_one() {
    let answer = Canned::new(200, "<CopyObjectResult><ETag>\"e\"</ETag></CopyObjectResult>")
        .header("x-cos-hash-crc64ecma", "42")
        .header("x-cos-version-id", "hv");
    let (transport, bucket) = bucket_with(vec![answer]);
    let out = bucket
        .put_object_copy("b")
        .copy_source("examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/a%20b")
        .cache_control("no-cache")
        .send()
        .unwrap();
    let r = transport.last();
    assert_eq!(r.headers.iter().filter(|(n, _)| n.eq_ignore_ascii_case("cache-control")).count(), 1);
    assert_eq!(r.header("cache-control"), Some("no-cache"));
    assert_eq!((out.crc64, out.version_id.as_deref(), out.last_modified.as_str()), (Some(42), Some("hv"), ""));
}

#[test]
fn put_object_copy_200_with_an_error_body_is_a_service_error() {
    // COS streams spaces while copying, then the outcome: here an error inside a 200.
    let body =
        format!("   \n<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{}", error_body("InternalError", "copy failed"));
    let (_, bucket) = bucket_with(vec![Canned::new(200, body)]);
    let result =
        bucket.put_object_copy("b").copy_source("examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/a").send();
    assert_service(result, 200, "InternalError");
}

#[test]
fn put_object_copy_tolerates_keepalive_spaces_before_the_result() {
    let mut body = b"     \n  ".to_vec();
    body.extend(fixture("CopyObjectResult-doc.xml"));
    let (_, bucket) = bucket_with(vec![Canned::new(200, body)]);
    let out =
        bucket.put_object_copy("b").copy_source("examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/a").send();
    assert_eq!(out.unwrap().etag, "\"22e024392de860289f0baa7d6cf8a549\"");
}

#[test]
fn put_object_copy_refuses_bad_sources_before_sending() {
    let (transport, bucket) = bucket_with(vec![]);
    assert_refused(bucket.put_object_copy("b").send(), "copy_source", &transport);
    assert_refused(
        bucket.put_object_copy("b").copy_source("examplebucket.cos.ap-guangzhou.myqcloud.com/a").send(),
        "copy_source",
        &transport,
    );
    assert_refused(
        bucket.put_object_copy("b").copy_source("https://x.example.com/a").send(),
        "copy_source",
        &transport,
    );
    assert_refused(
        bucket.put_object_copy("b").copy_source_object("nobucket", "ap-guangzhou", "a").send(),
        "copy_source",
        &transport,
    );
    assert_refused(
        bucket.put_object_copy("b").copy_source_object("b-1", "AP_GZ", "a").send(),
        "copy_source",
        &transport,
    );
    assert_refused(
        bucket.put_object_copy("b").copy_source_object("b-1", "ap-guangzhou", "/").send(),
        "copy_source",
        &transport,
    );
}
