//! End to end through the client with a scripted transport: for each service, bucket, ACL and
//! CORS call, the exact request (method, target, headers, body), the parsed output of a canned
//! answer (COS documentation examples from `tests/fixtures/`, every field asserted), bad input
//! refused before any request, and service errors.

use crate::support::common;

use common::{Canned, Recorded, ScriptedTransport, oracle_client};
use tencent_cos::api::BucketSummary;
use tencent_cos::api::CorsRule;
use tencent_cos::api::Object;
use tencent_cos::api::{AccessControlPolicy, CannedAcl, Grant, Grantee, Owner, Permission};
use tencent_cos::{Bucket, Client, Error};

const BUCKET: &str = "examplebucket-1250000000";
const HOST: &str = "examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com";

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A client answering `answers` in order, and its transport.
fn scripted(answers: Vec<Canned>) -> (ScriptedTransport, Client) {
    let transport = ScriptedTransport::new();
    for a in answers {
        transport.answer(a);
    }
    let client = oracle_client(transport.clone());
    (transport, client)
}

fn bucket_with(answers: Vec<Canned>) -> (ScriptedTransport, Bucket) {
    let (t, c) = scripted(answers);
    (t, c.bucket(BUCKET))
}

fn ok_xml(name: &str) -> Canned {
    Canned::new(200, fixture(name)).header("Content-Type", "application/xml")
}

/// The headers sent, without User-Agent (ours) and Authorization (checked by its lists).
fn plain_headers(r: &Recorded) -> Vec<(&str, &str)> {
    r.headers
        .iter()
        .filter(|(n, _)| n != "User-Agent" && n != "Authorization")
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect()
}

/// `q-header-list` and `q-url-param-list` of the Authorization sent.
fn signed_lists(r: &Recorded) -> (String, String) {
    let auth = r.header("Authorization").expect("signed");
    let field = |name: &str| {
        auth.split('&').find_map(|kv| kv.strip_prefix(name).and_then(|v| v.strip_prefix('='))).unwrap().to_owned()
    };
    (field("q-header-list"), field("q-url-param-list"))
}

fn assert_invalid(result: Result<impl std::fmt::Debug, Error>, field: &str, transport: &ScriptedTransport) {
    match result {
        Err(Error::InvalidArgument { field: f, .. }) => assert_eq!(f, field),
        other => panic!("expected InvalidArgument({field}), got {other:?}"),
    }
    assert_eq!(transport.requests().len(), 0, "nothing may be sent for bad input");
}

fn owner_1250000000() -> Option<Owner> {
    Some(Owner { id: "1250000000".into(), display_name: Some("1250000000".into()) })
}

fn object(key: &str, last_modified: &str, etag: &str, size: u64) -> Object {
    let mut object = Object::default();
    object.key = key.into();
    object.last_modified = last_modified.into();
    object.etag = format!("\"{etag}\"");
    object.size = size;
    object.owner = owner_1250000000();
    object.storage_class = "STANDARD".into();
    object
}

// ---------------------------------------------------------------- service

#[test]
fn get_service_lists_every_bucket() {
    let (t, client) = scripted(vec![ok_xml("ListAllMyBucketsResult-all-buckets.xml")]);
    let out = client.get_service().send().unwrap();

    let r = t.last();
    assert_eq!((r.method.as_str(), r.url.as_str()), ("GET", "https://service.cos.myqcloud.com/"));
    assert_eq!(plain_headers(&r), [("Host", "service.cos.myqcloud.com")]);
    assert_eq!(signed_lists(&r), ("host".into(), String::new()));
    assert!(r.body.is_empty());

    assert_eq!(out.owner.id, "qcs::cam::uin/100000000001:uin/100000000001");
    assert_eq!(out.owner.display_name.as_deref(), Some("100000000001"));
    let bucket = |name: &str, location: &str, date: &str| {
        let mut bucket_summary = BucketSummary::default();
        bucket_summary.name = name.into();
        bucket_summary.location = location.into();
        bucket_summary.creation_date = date.into();
        bucket_summary.bucket_type = None;
        bucket_summary
    };
    assert_eq!(
        out.buckets,
        [
            bucket("examplebucket1-1250000000", "ap-beijing", "2019-05-24T11:49:50Z"),
            bucket("examplebucket2-1250000000", "ap-beijing", "2019-05-24T11:51:50Z"),
            bucket("examplebucket3-1250000000", "eu-frankfurt", "2019-05-24T11:53:50Z"),
            bucket("examplebucket4-1250000000", "eu-frankfurt", "2019-05-24T11:55:50Z"),
        ]
    );
    assert_eq!((out.marker, out.next_marker, out.is_truncated), (None, None, None));
    assert_eq!(out.meta.status, 200);
    assert_eq!(out.meta.request_id(), Some("req-1"));
    assert_eq!(out.meta.header("content-type"), Some("application/xml"));
}

#[test]
fn get_service_in_a_region_with_filters_and_paging() {
    let page = "<ListAllMyBucketsResult><Owner><ID>o</ID></Owner><Marker>a-1</Marker>\
                <NextMarker>b-1</NextMarker><IsTruncated>true</IsTruncated></ListAllMyBucketsResult>";
    let (t, client) = scripted(vec![ok_xml("ListAllMyBucketsResult-tag-filter.xml"), Canned::new(200, page)]);
    let out = client.get_service().region("ap-beijing").tag_key("key1").tag_value("value 1").send().unwrap();
    let r = t.last();
    assert_eq!(r.url, "https://cos.ap-beijing.myqcloud.com/?tagkey=key1&tagvalue=value%201");
    assert_eq!(signed_lists(&r), ("host".into(), "tagkey;tagvalue".into()));
    // The documented answer repeats <Buckets>; both buckets are read, names as printed.
    assert_eq!(out.owner.id, "qcs::cam::uin/100000000001:uin/100000000001");
    assert_eq!(out.owner.display_name.as_deref(), Some("100000000001"));
    let bucket = |name: &str, date: &str| {
        let mut bucket_summary = BucketSummary::default();
        bucket_summary.name = name.into();
        bucket_summary.location = "ap-guangzhou".into();
        bucket_summary.creation_date = date.into();
        bucket_summary.bucket_type = Some("cos".into());
        bucket_summary
    };
    assert_eq!(
        out.buckets,
        [
            bucket("examplebucket-1250000000 ", "2022-04-11T03:01:49Z"),
            bucket("examplebucket1-1250000000 ", "2022-04-12T03:01:49Z"),
        ]
    );
    assert_eq!((out.marker, out.next_marker, out.is_truncated), (None, None, None));

    let out = client.get_service().create_time(1642662645).range("lt").marker("a-1").max_keys(2).send().unwrap();
    assert_eq!(t.last().url, "https://service.cos.myqcloud.com/?create-time=1642662645&range=lt&marker=a-1&max-keys=2");
    assert_eq!(out.owner, Owner::new("o"));
    assert!(out.buckets.is_empty());
    assert_eq!(
        (out.marker.as_deref(), out.next_marker.as_deref(), out.is_truncated),
        (Some("a-1"), Some("b-1"), Some(true))
    );
}

#[test]
fn get_service_refuses_bad_input_before_sending() {
    let (t, client) = scripted(vec![]);
    assert_invalid(client.get_service().range("before").send(), "range", &t);
    assert_invalid(client.get_service().region("ap-beijing.evil.com").send(), "region", &t);
}

// ---------------------------------------------------------------- bucket

#[test]
fn put_bucket_sends_acl_and_grant_headers_in_node_order() {
    let (t, b) = bucket_with(vec![Canned::new(200, "")]);
    let out = b
        .put_bucket()
        .grant_write_acp(r#"id="w""#)
        .grant_full_control(r#"id="f", id="f""#)
        .grant_read(r#"id="r""#)
        .acl(CannedAcl::PublicRead)
        .grant_write(r#"id="x""#)
        .grant_read_acp(r#"id="ra""#)
        .send()
        .unwrap();
    let r = t.last();
    assert_eq!((r.method.as_str(), r.target()), ("PUT", "/"));
    assert_eq!(
        plain_headers(&r),
        [
            ("x-cos-acl", "public-read"),
            ("x-cos-grant-read", r#"id="r""#),
            ("x-cos-grant-write", r#"id="x""#),
            // put_bucket passes grant lists through as given (the SDK de-duplicates only in *Acl calls).
            ("x-cos-grant-full-control", r#"id="f", id="f""#),
            ("x-cos-grant-read-acp", r#"id="ra""#),
            ("x-cos-grant-write-acp", r#"id="w""#),
            ("Content-Length", "0"),
            ("Host", HOST),
        ]
    );
    assert_eq!(
        signed_lists(&r).0,
        "content-length;host;x-cos-acl;x-cos-grant-full-control;x-cos-grant-read;x-cos-grant-read-acp;\
         x-cos-grant-write;x-cos-grant-write-acp"
    );
    assert_eq!(out.meta.status, 200);
}

#[test]
fn put_bucket_refuses_object_only_acls_and_broken_grants() {
    let (t, b) = bucket_with(vec![]);
    assert_invalid(b.put_bucket().acl(CannedAcl::Default).send(), "acl", &t);
    assert_invalid(b.put_bucket().grant_read("id=\"a\"\r\nX-Evil: 1").send(), "grant_read", &t);
    assert_invalid(b.client().bucket("Bad_Bucket").head_bucket().send(), "bucket", &t);
}

#[test]
fn head_bucket_and_its_not_found() {
    let (t, b) = bucket_with(vec![
        Canned::new(200, "").header("x-cos-bucket-region", "ap-guangzhou"),
        Canned { status: 404, headers: vec![("x-cos-request-id".into(), "req-404".into())], body: Vec::new() },
    ]);
    let out = b.head_bucket().send().unwrap();
    let r = t.last();
    assert_eq!((r.method.as_str(), r.target()), ("HEAD", "/"));
    assert_eq!(plain_headers(&r), [("Content-Length", "0"), ("Host", HOST)]);
    assert_eq!(out.bucket_region.as_deref(), Some("ap-guangzhou"));
    assert_eq!(out.meta.header("x-cos-bucket-region"), Some("ap-guangzhou"));

    let err = b.head_bucket().send().unwrap_err();
    assert!(err.is_not_found());
    let e = err.service().unwrap();
    assert_eq!((e.code.as_str(), e.request_id.as_deref()), ("404", Some("req-404")));
}

#[test]
fn no_such_bucket_is_a_service_error_with_code_and_request_id() {
    let (_, b) = bucket_with(vec![Canned::new(404, fixture("Error-NoSuchBucket.xml"))]);
    let err = b.get_bucket().send().unwrap_err();
    let e = err.service().expect("a service error");
    assert_eq!(e.status, 404);
    assert_eq!(e.code, "NoSuchBucket");
    assert_eq!(e.message, "The specified bucket does not exist.");
    assert_eq!(e.resource.as_deref(), Some(HOST));
    assert_eq!(e.request_id.as_deref(), Some("NWNlYmM5NTdfZjI4NWQ2NF81ZmMwX2Q5N2E1****"));
    assert_eq!(e.trace_id.as_deref(), Some("OGVmYzZiMmQzYjA2OWNh****"));
}

#[test]
fn an_error_document_in_a_200_is_an_error() {
    let body = "<Error><Code>InternalError</Code><Message>oops</Message><RequestId>r9</RequestId></Error>";
    let (_, b) = bucket_with(vec![Canned::new(200, body)]);
    let err = b.get_bucket().send().unwrap_err();
    assert_eq!((err.code(), err.status()), (Some("InternalError"), Some(200)));
    assert_eq!(err.service().unwrap().request_id.as_deref(), Some("r9"));
}

#[test]
fn delete_bucket_and_location() {
    let (t, b) = bucket_with(vec![Canned::new(204, ""), ok_xml("LocationConstraint-get-bucket-location.xml")]);
    let out = b.delete_bucket().send().unwrap();
    let r = t.last();
    assert_eq!((r.method.as_str(), r.target()), ("DELETE", "/"));
    assert_eq!(plain_headers(&r), [("Content-Length", "0"), ("Host", HOST)]);
    assert_eq!(out.meta.status, 204);

    let out = b.get_bucket_location().send().unwrap();
    let r = t.last();
    assert_eq!((r.method.as_str(), r.target()), ("GET", "/?location="));
    assert_eq!(plain_headers(&r), [("Host", HOST)]);
    assert_eq!(signed_lists(&r), ("host".into(), "location".into()));
    assert_eq!(out.location_constraint, "cos.ap-beijing");
    assert_eq!(out.meta.request_id(), Some("req-1"));
}

// ---------------------------------------------------------------- listing

#[test]
fn get_bucket_parses_every_field_of_the_documented_listing() {
    let (t, b) = bucket_with(vec![ok_xml("ListBucketResult-basic.xml")]);
    let out = b.get_bucket().send().unwrap();
    let r = t.last();
    assert_eq!((r.method.as_str(), r.target()), ("GET", "/?prefix="));
    assert_eq!(signed_lists(&r), ("host".into(), "prefix".into()));
    assert_eq!(out.name, BUCKET);
    assert_eq!((out.prefix.as_str(), out.marker.as_str()), ("", ""));
    assert_eq!((out.max_keys, out.delimiter.as_deref(), out.is_truncated), (Some(1000), None, false));
    assert_eq!((out.next_marker.as_deref(), out.encoding_type.as_deref()), (None, None));
    assert!(out.common_prefixes.is_empty());
    let t0 = "2019-05-27T11:26:14.000Z";
    assert_eq!(
        out.contents,
        [
            object("example-folder-1/example-object-1.jpg", t0, "f173c1199e3d3b53dd91223cae16fb42", 37),
            object("example-folder-1/sub-folder-1/example-object-1.jpg", t0, "bef7bb344812457ffc72f7bf99dabfdd", 50),
            object("example-object-1.jpg", t0, "0f0cd12c48979d1bf3f95255a36cb861", 20),
            object("example-object-2.jpg", t0, "51370fc64b79d0d3c7c609635be1c41f", 20),
        ]
    );
    assert_eq!(out.next_page_marker().unwrap(), None);
}

#[test]
fn get_bucket_with_prefix_and_delimiter() {
    let (t, b) = bucket_with(vec![ok_xml("ListBucketResult-prefix-delimiter.xml")]);
    let out = b.list_objects().prefix("example-folder-1/").delimiter("/").send().unwrap();
    assert_eq!(t.last().target(), "/?prefix=example-folder-1%2F&delimiter=%2F");
    assert_eq!((out.prefix.as_str(), out.delimiter.as_deref()), ("example-folder-1/", Some("/")));
    assert_eq!(out.common_prefixes, ["example-folder-1/sub-folder-1/", "example-folder-1/sub-folder-2/"]);
    assert_eq!(
        out.contents,
        [
            object(
                "example-folder-1/example-object-1.jpg",
                "2019-05-27T11:26:14.000Z",
                "f173c1199e3d3b53dd91223cae16fb42",
                37
            ),
            object(
                "example-folder-1/example-object-2.jpg",
                "2019-05-27T11:26:15.000Z",
                "c9d28698978bb6fef6c1ed1c439a17d3",
                37
            ),
        ]
    );
}

#[test]
fn get_bucket_refuses_bad_paging_before_sending() {
    let (t, b) = bucket_with(vec![]);
    assert_invalid(b.get_bucket().max_keys(0).send(), "max_keys", &t);
    assert_invalid(b.get_bucket().max_keys(1001).send(), "max_keys", &t);
    assert_invalid(b.get_bucket().encoding_type("base64").send(), "encoding_type", &t);
    let mut objects = b.get_bucket().max_keys(5000).objects();
    assert!(matches!(objects.next(), Some(Err(Error::InvalidArgument { field: "max_keys", .. }))));
    assert!(objects.next().is_none());
    assert_eq!(t.requests().len(), 0);
}

const ENCODED_PAGE: &str = "<ListBucketResult><Name>examplebucket-1250000000</Name>\
    <EncodingType>url</EncodingType><Prefix>%E8%85%BE%E8%AE%AF/</Prefix><Marker>%E8%85%BE%E8%AE%AF/a%20a</Marker>\
    <MaxKeys>2</MaxKeys><Delimiter>%2F</Delimiter><IsTruncated>true</IsTruncated>\
    <NextMarker>%E8%85%BE%E8%AE%AF/b%2Bc%26d</NextMarker>\
    <CommonPrefixes><Prefix>%E8%85%BE%E8%AE%AF/dir%20one/</Prefix></CommonPrefixes>\
    <Contents><Key>%E8%85%BE%E8%AE%AF/b%2Bc%26d</Key><LastModified>2019-05-27T11:26:14.000Z</LastModified>\
    <ETag>&quot;e&quot;</ETag><Size>3</Size><StorageClass>STANDARD_IA</StorageClass></Contents>\
    <Contents><Key>%E8%85%BE%E8%AE%AF/bell%07.txt</Key><Size>0</Size></Contents></ListBucketResult>";

#[test]
fn url_encoding_type_is_sent_and_decoded() {
    let (t, b) = bucket_with(vec![Canned::new(200, ENCODED_PAGE)]);
    let out = b.get_bucket().prefix("腾讯/").delimiter("/").max_keys(2).encoding_type("url").send().unwrap();
    assert_eq!(t.last().target(), "/?prefix=%E8%85%BE%E8%AE%AF%2F&delimiter=%2F&max-keys=2&encoding-type=url");
    assert_eq!(signed_lists(&t.last()).1, "delimiter;encoding-type;max-keys;prefix");
    assert_eq!(out.encoding_type.as_deref(), Some("url"));
    assert_eq!((out.prefix.as_str(), out.marker.as_str()), ("腾讯/", "腾讯/a a"));
    assert_eq!((out.delimiter.as_deref(), out.next_marker.as_deref()), (Some("/"), Some("腾讯/b+c&d")));
    assert_eq!(out.common_prefixes, ["腾讯/dir one/"]);
    let keys: Vec<&str> = out.contents.iter().map(|o| o.key.as_str()).collect();
    // A control character XML cannot carry arrives safely through the encoding.
    assert_eq!(keys, ["腾讯/b+c&d", "腾讯/bell\u{7}.txt"]);
    assert_eq!(out.contents[0], {
        let mut object = Object::default();
        object.key = "腾讯/b+c&d".into();
        object.last_modified = "2019-05-27T11:26:14.000Z".into();
        object.etag = "\"e\"".into();
        object.size = 3;
        object.owner = None;
        object.storage_class = "STANDARD_IA".into();
        object
    });
}

#[test]
fn url_decoding_follows_the_answer_and_refuses_bad_escapes() {
    // COS says EncodingType url even if the caller did not ask: values are decoded anyway.
    let (_, b) = bucket_with(vec![Canned::new(200, ENCODED_PAGE)]);
    assert_eq!(b.get_bucket().send().unwrap().prefix, "腾讯/");

    for (element, bad) in [("Key", "a%zz"), ("Prefix", "%E8%85"), ("NextMarker", "%"), ("Delimiter", "%G1")] {
        let body = format!(
            "<ListBucketResult><EncodingType>url</EncodingType><{element}>{bad}</{element}>\
             <Contents><Key>{}</Key></Contents></ListBucketResult>",
            if element == "Key" { bad } else { "ok" }
        );
        let (_, b) = bucket_with(vec![Canned::new(200, body)]);
        match b.get_bucket().encoding_type("url").send() {
            Err(Error::Xml(msg)) => assert!(msg.contains(&format!("<{element}>")), "{msg}"),
            other => panic!("{element}={bad}: expected an XML error, got {other:?}"),
        }
    }
}

fn page(keys: &[&str], truncated: bool, next_marker: Option<&str>) -> Canned {
    let mut xml = format!("<ListBucketResult><Name>{BUCKET}</Name><IsTruncated>{truncated}</IsTruncated>");
    if let Some(m) = next_marker {
        xml.push_str(&format!("<NextMarker>{m}</NextMarker>"));
    }
    for k in keys {
        xml.push_str(&format!("<Contents><Key>{k}</Key><Size>1</Size></Contents>"));
    }
    xml.push_str("</ListBucketResult>");
    Canned::new(200, xml)
}

fn collect_keys(b: &Bucket, prefix: &str) -> Vec<Result<String, String>> {
    b.list_objects_iter(prefix).map(|o| o.map(|o| o.key).map_err(|e| e.to_string())).collect()
}

#[test]
fn iterator_follows_next_marker_across_three_pages() {
    let (t, b) = bucket_with(vec![
        page(&["logs/1", "logs/2"], true, Some("logs/2")),
        // Asked for encoding-type=url, COS encodes the marker; the pager decodes it.
        page(&["logs/3", "logs/4"], true, Some("logs/4%20b%2B")),
        page(&["logs/5"], false, None),
    ]);
    let keys = collect_keys(&b, "logs/");
    let want: Vec<Result<String, String>> =
        ["logs/1", "logs/2", "logs/3", "logs/4", "logs/5"].map(|k| Ok(k.into())).into();
    assert_eq!(keys, want);
    let targets: Vec<String> = t.requests().iter().map(|r| r.target().to_owned()).collect();
    assert_eq!(
        targets,
        [
            "/?prefix=logs%2F&encoding-type=url",
            "/?prefix=logs%2F&marker=logs%2F2&encoding-type=url",
            "/?prefix=logs%2F&marker=logs%2F4%20b%2B&encoding-type=url"
        ]
    );
}

#[test]
fn iterator_uses_the_last_key_without_next_marker() {
    let (t, b) =
        bucket_with(vec![page(&["a", "b"], true, None), page(&["c", "d"], true, None), page(&["e"], false, None)]);
    let keys: Vec<String> = b.get_bucket().max_keys(2).objects().map(|o| o.unwrap().key).collect();
    assert_eq!(keys, ["a", "b", "c", "d", "e"]);
    let targets: Vec<String> = t.requests().iter().map(|r| r.target().to_owned()).collect();
    assert_eq!(
        targets,
        [
            "/?prefix=&max-keys=2&encoding-type=url",
            "/?prefix=&marker=b&max-keys=2&encoding-type=url",
            "/?prefix=&marker=d&max-keys=2&encoding-type=url"
        ]
    );
}

#[test]
fn iterator_over_the_documented_pages() {
    let (t, b) = bucket_with(vec![ok_xml("ListBucketResult-first-page.xml"), ok_xml("ListBucketResult-next-page.xml")]);
    let keys: Vec<String> = b.list_objects_iter("").map(|o| o.unwrap().key).collect();
    assert_eq!(
        keys,
        [
            "example-object-0001.jpg",
            "example-object-0002.jpg",
            "example-object-1000.jpg",
            "example-object-1001.jpg",
            "example-object-1002.jpg",
            "example-object-1005.jpg"
        ]
    );
    assert_eq!(t.requests()[1].target(), "/?prefix=&marker=example-object-1000.jpg&encoding-type=url");
}

#[test]
fn iterator_stops_on_the_first_error() {
    let (t, b) = bucket_with(vec![
        page(&["a"], true, Some("a")),
        Canned::new(403, "<Error><Code>AccessDenied</Code><Message>no</Message></Error>"),
        page(&["never"], false, None),
    ]);
    let mut it = b.list_objects_iter("");
    assert_eq!(it.next().unwrap().unwrap().key, "a");
    assert_eq!(it.next().unwrap().unwrap_err().code(), Some("AccessDenied"));
    assert!(it.next().is_none());
    assert_eq!(t.requests().len(), 2);
}

#[test]
fn iterator_refuses_a_listing_that_cannot_advance() {
    // Truncated with nothing to continue from.
    let (_, b) = bucket_with(vec![page(&[], true, None)]);
    let items = collect_keys(&b, "");
    assert_eq!(items.len(), 1);
    assert!(items[0].as_ref().unwrap_err().contains("no NextMarker"), "{items:?}");

    // NextMarker equal to the marker just sent: the objects of the page, then an error.
    let (t, b) = bucket_with(vec![page(&["a"], true, Some("a")), page(&["a"], true, Some("a"))]);
    let items = collect_keys(&b, "");
    assert_eq!(items[..2], [Ok("a".to_owned()), Ok("a".to_owned())]);
    assert!(items[2].as_ref().unwrap_err().contains("did not advance"), "{items:?}");
    assert_eq!(items.len(), 3);
    assert_eq!(t.requests().len(), 2);
}

// ---------------------------------------------------------------- ACL

#[test]
fn get_bucket_acl_parses_and_summarises() {
    let (t, b) = bucket_with(vec![ok_xml("AccessControlPolicy-acl-overview.xml")]);
    let out = b.get_bucket_acl().send().unwrap();
    let r = t.last();
    assert_eq!((r.method.as_str(), r.target()), ("GET", "/?acl="));
    assert_eq!(signed_lists(&r), ("host".into(), "acl".into()));
    let root = "qcs::cam::uin/100000000001:uin/100000000001";
    assert_eq!(out.owner, Owner { id: root.into(), display_name: Some(root.into()) });
    assert_eq!(out.grants.len(), 2);
    let g = &out.grants[0];
    assert_eq!(
        g.grantee,
        Grantee {
            grantee_type: Some("RootAccount".into()),
            id: Some(root.into()),
            display_name: Some(root.into()),
            uri: None
        }
    );
    assert_eq!(g.permission, Permission::FullControl);
    let g = &out.grants[1];
    assert_eq!(
        g.grantee,
        Grantee {
            grantee_type: Some("Group".into()),
            uri: Some("http://cam.qcloud.com/groups/global/AllUsers".into()),
            ..Default::default()
        }
    );
    assert_eq!(g.permission, Permission::Read);
    // decodeAcl: AllUsers READ is public-read; the owner is not listed in the grant strings.
    assert_eq!(out.acl, "public-read");
    for s in [&out.grant_read, &out.grant_write, &out.grant_full_control, &out.grant_read_acp, &out.grant_write_acp] {
        assert_eq!(s, "");
    }
    assert_eq!(out.meta.status, 200);
}

#[test]
fn get_object_acl_reads_the_key_and_prefers_the_acl_header() {
    let (t, b) = bucket_with(vec![ok_xml("AccessControlPolicy-get-object-acl.xml").header("x-cos-acl", "default")]);
    let out = b.get_object_acl("/photos/a b.jpg").send().unwrap();
    assert_eq!(t.last().target(), "/photos/a%20b.jpg?acl=");
    assert_eq!(out.acl, "default");
    let root = "qcs::cam::uin/100000000001:uin/100000000001";
    assert_eq!(out.owner, Owner { id: root.into(), display_name: Some(root.into()) });
    assert_eq!(
        out.grants,
        [
            Grant::new(
                Grantee {
                    grantee_type: Some("Group".into()),
                    uri: Some("http://cam.qcloud.com/groups/global/AllUsers".into()),
                    ..Default::default()
                },
                Permission::Read
            ),
            Grant::new(
                Grantee {
                    grantee_type: Some("CanonicalUser".into()),
                    id: Some(root.into()),
                    display_name: Some(root.into()),
                    uri: None
                },
                Permission::FullControl
            ),
        ]
    );
    for s in [&out.grant_read, &out.grant_write, &out.grant_full_control, &out.grant_read_acp, &out.grant_write_acp] {
        assert_eq!(s, "");
    }
}

#[test]
fn acl_summary_lists_other_accounts_and_public_write() {
    let body = "<AccessControlPolicy><Owner><ID>o</ID></Owner><AccessControlList>\
        <Grant><Grantee><ID>qcs::cam::anyone:anyone</ID></Grantee><Permission>READ</Permission></Grant>\
        <Grant><Grantee><ID>qcs::cam::anyone:anyone</ID></Grantee><Permission>WRITE</Permission></Grant>\
        <Grant><Grantee><ID>u1</ID></Grantee><Permission>READ</Permission></Grant>\
        <Grant><Grantee><ID>u2</ID></Grantee><Permission>READ</Permission></Grant>\
        <Grant><Grantee><ID>u3</ID></Grantee><Permission>WRITE_ACP</Permission></Grant>\
        <Grant><Grantee><ID>o</ID></Grantee><Permission>FULL_CONTROL</Permission></Grant>\
        </AccessControlList></AccessControlPolicy>";
    let (_, b) = bucket_with(vec![Canned::new(200, body)]);
    let out = b.get_bucket_acl().send().unwrap();
    assert_eq!(out.acl, "public-read-write");
    assert_eq!(out.grant_read, r#"id="u1",id="u2""#);
    assert_eq!(out.grant_write_acp, r#"id="u3""#);
    assert_eq!((out.grant_write.as_str(), out.grant_full_control.as_str()), ("", ""));

    let (_, b) = bucket_with(vec![Canned::new(
        200,
        "<AccessControlPolicy><AccessControlList><Grant/></AccessControlList></AccessControlPolicy>",
    )]);
    assert!(matches!(b.get_bucket_acl().send(), Err(Error::Xml(_))), "a grant without a permission");
}

#[test]
fn put_bucket_acl_header_form_deduplicates_grants() {
    let (t, b) = bucket_with(vec![Canned::new(200, "")]);
    b.put_bucket_acl()
        .acl(CannedAcl::Private)
        .grant_read(r#"id="qcs::cam::uin/1:uin/1", id="qcs::cam::uin/2:uin/2",id="qcs::cam::uin/1:uin/1""#)
        .send()
        .unwrap();
    let r = t.last();
    assert_eq!((r.method.as_str(), r.target()), ("PUT", "/?acl="));
    assert_eq!(
        plain_headers(&r),
        [
            ("x-cos-acl", "private"),
            ("x-cos-grant-read", r#"id="qcs::cam::uin/1:uin/1",id="qcs::cam::uin/2:uin/2""#),
            ("Content-Length", "0"),
            ("Host", HOST),
        ]
    );
    assert!(r.body.is_empty());
}

#[test]
fn put_bucket_acl_body_form_escapes_and_signs_the_body() {
    let (t, b) = bucket_with(vec![Canned::new(200, "")]);
    let policy = AccessControlPolicy::new(Owner { id: "o&1".into(), display_name: Some("<me>".into()) })
        .grant(Grantee::all_users(), Permission::Read)
        .grant(Grantee::id("u'2").with_display_name("\"two\""), Permission::WriteAcp);
    b.put_bucket_acl().access_control_policy(policy).acl(CannedAcl::PublicRead).send().unwrap();
    let r = t.last();
    let body = "<AccessControlPolicy><Owner><ID>o&amp;1</ID><DisplayName>&lt;me&gt;</DisplayName></Owner>\
        <AccessControlList><Grant><Grantee><URI>http://cam.qcloud.com/groups/global/AllUsers</URI></Grantee>\
        <Permission>READ</Permission></Grant><Grant><Grantee><ID>u&apos;2</ID><DisplayName>&quot;two&quot;</DisplayName>\
        </Grantee><Permission>WRITE_ACP</Permission></Grant></AccessControlList></AccessControlPolicy>";
    assert_eq!(String::from_utf8(r.body.clone()).unwrap(), body);
    assert_eq!(
        plain_headers(&r),
        [
            ("x-cos-acl", "public-read"),
            ("Content-Type", "application/xml"),
            ("Content-MD5", tencent_cos::checksum::content_md5(body.as_bytes()).as_str()),
            ("Content-Length", body.len().to_string().as_str()),
            ("Host", HOST),
        ]
    );
    assert_eq!(signed_lists(&r).0, "content-length;content-md5;content-type;host;x-cos-acl");
}

#[test]
fn put_acl_refuses_bad_input_before_sending() {
    let (t, b) = bucket_with(vec![]);
    assert_invalid(b.put_bucket_acl().send(), "acl", &t);
    assert_invalid(b.put_bucket_acl().acl(CannedAcl::BucketOwnerRead).send(), "acl", &t);
    assert_invalid(b.put_object_acl("k").send(), "acl", &t);
    let no_owner = AccessControlPolicy::default().grant(Grantee::anyone(), Permission::Read);
    assert_invalid(b.put_bucket_acl().access_control_policy(no_owner).send(), "access_control_policy", &t);
    let bad_char = AccessControlPolicy::new(Owner::new("o")).grant(Grantee::id("bell\u{7}"), Permission::Read);
    assert_invalid(b.put_object_acl("k").access_control_policy(bad_char).send(), "access_control_policy", &t);
    assert_invalid(b.put_object_acl("k").grant_write_acp("id=\"a\"\n").send(), "grant_write_acp", &t);
    assert_invalid(b.put_object_acl("/").acl(CannedAcl::Private).send(), "key", &t);
    assert_invalid(b.get_object_acl("").send(), "key", &t);
}

#[test]
fn put_object_acl_sends_the_key_and_object_acls() {
    let (t, b) = bucket_with(vec![Canned::new(200, "")]);
    let out = b.put_object_acl("photos/a+b (1).jpg").acl(CannedAcl::Default).grant_read(r#"id="x""#).send().unwrap();
    let r = t.last();
    assert_eq!((r.method.as_str(), r.target()), ("PUT", "/photos/a%2Bb%20%281%29.jpg?acl="));
    assert_eq!(
        plain_headers(&r),
        [("x-cos-acl", "default"), ("x-cos-grant-read", r#"id="x""#), ("Content-Length", "0"), ("Host", HOST)]
    );
    assert_eq!(signed_lists(&r), ("content-length;host;x-cos-acl;x-cos-grant-read".into(), "acl".into()));
    assert_eq!(out.meta.request_id(), Some("req-1"));
}

// ---------------------------------------------------------------- CORS

#[test]
fn get_bucket_cors_parses_every_rule() {
    let (t, b) = bucket_with(vec![ok_xml("CORSConfiguration-get-bucket-cors.xml")]);
    let out = b.get_bucket_cors().send().unwrap();
    let r = t.last();
    assert_eq!((r.method.as_str(), r.target()), ("GET", "/?cors="));
    assert_eq!(signed_lists(&r), ("host".into(), "cors".into()));
    let expose = ["Content-Length", "ETag", "x-cos-meta-author"];
    assert_eq!(
        out.rules,
        [
            CorsRule::new()
                .allowed_origin("*")
                .allowed_methods(["GET", "HEAD"])
                .allowed_headers([
                    "Range",
                    "x-cos-server-side-encryption-customer-algorithm",
                    "x-cos-server-side-encryption-customer-key",
                    "x-cos-server-side-encryption-customer-key-MD5",
                ])
                .expose_headers(expose)
                .max_age_seconds(600),
            CorsRule::new()
                .id("example-id")
                .allowed_origins(["https://example.com", "https://example-1.com"])
                .allowed_methods(["PUT", "GET", "HEAD"])
                .allowed_header("*")
                .expose_headers(expose)
                .max_age_seconds(600),
        ]
    );
    assert_eq!(out.response_vary, None);
    assert_eq!(out.meta.status, 200);
}

#[test]
fn an_unconfigured_bucket_has_no_cors_rules() {
    let (_, b) = bucket_with(vec![
        Canned::new(404, fixture("Error-NoSuchCORSConfiguration.xml")),
        Canned::new(404, fixture("Error-NoSuchBucket.xml")),
        Canned::new(200, "<CORSConfiguration><ResponseVary>true</ResponseVary></CORSConfiguration>"),
    ]);
    let out = b.get_bucket_cors().send().unwrap();
    assert!(out.rules.is_empty());
    assert_eq!(out.meta.status, 404);
    assert_eq!(out.meta.request_id(), Some("NWYwNmZjNDBfN2ViMTJhMDlfZDNjOV8xYjdk****"));
    // Any other 404 stays an error.
    assert_eq!(b.get_bucket_cors().send().unwrap_err().code(), Some("NoSuchBucket"));
    let out = b.get_bucket_cors().send().unwrap();
    assert_eq!((out.rules.len(), out.response_vary), (0, Some(true)));
}

#[test]
fn put_bucket_cors_writes_one_element_per_value() {
    let (t, b) = bucket_with(vec![Canned::new(200, "")]);
    b.put_bucket_cors()
        .rule(CorsRule::new().id("r&1").allowed_origin("*").allowed_method("DELETE").max_age_seconds(5))
        .rules([CorsRule::new().allowed_origins(["https://a", "https://b"]).allowed_methods(["POST", "GET"])])
        .response_vary(false)
        .send()
        .unwrap();
    let r = t.last();
    let body = "<CORSConfiguration><CORSRule><ID>r&amp;1</ID><AllowedOrigin>*</AllowedOrigin>\
        <AllowedMethod>DELETE</AllowedMethod><MaxAgeSeconds>5</MaxAgeSeconds></CORSRule><CORSRule>\
        <AllowedOrigin>https://a</AllowedOrigin><AllowedOrigin>https://b</AllowedOrigin>\
        <AllowedMethod>POST</AllowedMethod><AllowedMethod>GET</AllowedMethod></CORSRule>\
        <ResponseVary>false</ResponseVary></CORSConfiguration>";
    assert_eq!((r.method.as_str(), r.target()), ("PUT", "/?cors="));
    assert_eq!(String::from_utf8(r.body.clone()).unwrap(), body);
    assert_eq!(
        plain_headers(&r),
        [
            ("Content-Type", "application/xml"),
            ("Content-MD5", tencent_cos::checksum::content_md5(body.as_bytes()).as_str()),
            ("Content-Length", body.len().to_string().as_str()),
            ("Host", HOST),
        ]
    );
}

#[test]
fn put_bucket_cors_without_rules_sends_an_empty_configuration_as_the_reference_allows() {
    let (t, b) = bucket_with(vec![Canned::new(200, "")]);
    b.put_bucket_cors().send().unwrap();
    let r = t.last();
    let body = "<CORSConfiguration></CORSConfiguration>";
    assert_eq!(String::from_utf8(r.body.clone()).unwrap(), body);
    assert_eq!(
        plain_headers(&r),
        [
            ("Content-Type", "application/xml"),
            ("Content-MD5", tencent_cos::checksum::content_md5(body.as_bytes()).as_str()),
            ("Content-Length", body.len().to_string().as_str()),
            ("Host", HOST),
        ]
    );
}

#[test]
fn put_bucket_cors_validates_rules_before_sending() {
    let (t, b) = bucket_with(vec![]);
    let good = || CorsRule::new().allowed_origin("*").allowed_method("GET");
    assert_invalid(b.put_bucket_cors().rule(CorsRule::new().allowed_method("GET")).send(), "cors_rules", &t);
    assert_invalid(b.put_bucket_cors().rule(CorsRule::new().allowed_origin("")).send(), "cors_rules", &t);
    assert_invalid(b.put_bucket_cors().rule(CorsRule::new().allowed_origin("*")).send(), "cors_rules", &t);
    for method in ["PATCH", "get", "OPTIONS"] {
        assert_invalid(b.put_bucket_cors().rule(good()).rule(good().allowed_method(method)).send(), "cors_rules", &t);
    }
    assert_invalid(b.put_bucket_cors().rule(good().expose_header("x\u{0}")).send(), "cors_rules", &t);
}

#[test]
fn delete_bucket_cors_sends_the_sub_resource() {
    let (t, b) = bucket_with(vec![Canned::new(204, "")]);
    let out = b.delete_bucket_cors().send().unwrap();
    let r = t.last();
    assert_eq!((r.method.as_str(), r.target()), ("DELETE", "/?cors="));
    assert_eq!(plain_headers(&r), [("Content-Length", "0"), ("Host", HOST)]);
    assert_eq!(signed_lists(&r), ("content-length;host".into(), "cors".into()));
    assert_eq!(out.meta.status, 204);
}

#[test]
fn iterator_refuses_a_listing_that_loops_between_markers() {
    // a, b, a, b, ... : each page moves, but back to a marker already followed.
    let (t, b) = bucket_with(vec![
        page(&["a"], true, Some("a")),
        page(&["b"], true, Some("b")),
        page(&["a"], true, Some("a")),
        page(&["b"], true, Some("b")),
    ]);
    let items = collect_keys(&b, "");
    assert_eq!(items[..3], [Ok("a".to_owned()), Ok("b".to_owned()), Ok("a".to_owned())]);
    assert_eq!(
        items[3],
        Err("malformed XML response: the listing came back to marker \"a\", which it had already visited".to_owned())
    );
    assert_eq!(items.len(), 4);
    assert_eq!(t.requests().len(), 3);
}

#[test]
fn a_single_page_sends_no_encoding_type_unless_asked_as_the_node_sdk() {
    let (t, b) = bucket_with(vec![page(&["a"], false, None)]);
    b.get_bucket().prefix("p/").send().unwrap();
    assert_eq!(t.requests()[0].target(), "/?prefix=p%2F");
}
