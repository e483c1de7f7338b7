//! Object versions and restore (issue 14) without a server: each call replayed against what the
//! node SDK 3.0.0 sent (`tests/data/node_requests_wave2.jsonl`: seq 13, 44-46, 53-54, 59), the
//! Go SDK's `later/22-ListVersionsResult` body value by value, paging (markers followed, a cycle
//! refused), URL-decoding, and bad input refused before any request.

use crate::support::common;
use crate::support::shared_fixtures;

use common::{Canned, ScriptedTransport, oracle_client};
use serde_json::{Value, json};
use shared_fixtures::storage_classes_as_written;
use tencent_cos::Error;
use tencent_cos::api::{
    DeleteMarker, ListObjectVersionsInput, ListObjectVersionsOutput, ObjectVersion, RestoreObjectInput,
    VersionListEntry,
};
use tencent_cos::http::Response;
use tencent_cos::operation::Operation;

const BUCKET: &str = "examplebucket-1250000000";
const KEY: &str = "docs/report 2024 (v2)+final~*.csv";
const VERSION: &str = "MTg0NDUxNzgxMjEzNTU3NTk1Mjk";

use common::replay_wave2 as replay;

fn empty_listing() -> Canned {
    Canned::new(200, "<ListVersionsResult><Name>examplebucket-1250000000</Name><IsTruncated>false</IsTruncated></ListVersionsResult>")
        .header("Content-Type", "application/xml")
}

#[test]
fn seq_13_list_object_versions() {
    replay(13, empty_listing(), |_, b| {
        let page = b
            .list_object_versions()
            .prefix("photos/2019 summer/")
            .delimiter("/")
            .key_marker("photos/2019 summer/a+b.jpg")
            .version_id_marker("MTg0NDUxNzgxMjEzNTU3NTk1Mjg")
            .max_keys(2)
            .send()
            .unwrap();
        assert!(page.entries.is_empty() && !page.is_truncated);
    });
}

#[test]
fn seq_44_head_object_version_id() {
    let answer = Canned::new(200, "").header("x-cos-version-id", VERSION).header("Content-Length", "15");
    replay(44, answer, |_, b| {
        let head = b.head_object(KEY).version_id(VERSION).send().unwrap();
        assert_eq!(head.properties.version_id.as_deref(), Some(VERSION));
    });
}

#[test]
fn seq_45_get_object_version_id_and_response_headers() {
    replay(45, Canned::new(200, "a,b\n1,2\n").header("x-cos-version-id", VERSION), |_, b| {
        let got = b
            .get_object(KEY)
            .version_id(VERSION)
            .response_cache_control("no-cache")
            .response_content_disposition("attachment; filename=\"report 2024.csv\"")
            .send()
            .unwrap();
        assert_eq!(got.properties.version_id.as_deref(), Some(VERSION));
        assert_eq!(got.bytes().unwrap(), b"a,b\n1,2\n");
    });
}

#[test]
fn seq_46_get_object_version_id_and_range() {
    let answer = Canned::new(206, "0123456789abcde").header("Content-Range", "bytes 0-14/100");
    replay(46, answer, |_, b| {
        let got = b.get_object(KEY).version_id(VERSION).range(0..=14).send().unwrap();
        assert_eq!(got.bytes().unwrap(), b"0123456789abcde");
    });
}

#[test]
fn seq_53_restore_object() {
    replay(53, Canned::new(202, ""), |_, b| {
        let out = b.restore_object("archive/2019 logs.tar.gz", 3).tier("Standard").send().unwrap();
        assert_eq!(out.meta.status, 202);
    });
}

#[test]
fn seq_54_restore_object_version_id() {
    replay(54, Canned::new(200, ""), |_, b| {
        let out = b.restore_object("archive/2019 logs.tar.gz", 1).tier("Expedited").version_id(VERSION).send().unwrap();
        assert_eq!(out.meta.status, 200, "an existing restored copy had its expiry moved");
    });
}

#[test]
fn seq_59_delete_object_version_id() {
    let answer = Canned::new(204, "").header("x-cos-version-id", VERSION).header("x-cos-delete-marker", "true");
    replay(59, answer, |_, b| {
        let out = b.delete_object(KEY).version_id(VERSION).send().unwrap();
        assert_eq!(out.version_id.as_deref(), Some(VERSION));
        assert!(out.delete_marker, "x-cos-delete-marker: true");
    });
}

fn parse(xml: &[u8]) -> tencent_cos::Result<ListObjectVersionsOutput> {
    let response = Response::from_bytes(200, [("Content-Type", "application/xml")], xml.to_vec());
    ListObjectVersionsInput::default().parse(response)
}

fn owner_value(o: &Option<tencent_cos::api::Owner>) -> Value {
    let o = o.as_ref().expect("an Owner");
    json!({ "ID": o.id, "DisplayName": o.display_name })
}

fn version_value(v: &ObjectVersion) -> Value {
    json!({
        "Key": v.key, "VersionId": v.version_id, "IsLatest": v.is_latest, "LastModified": v.last_modified,
        "ETag": v.etag, "Size": v.size, "StorageClass": v.storage_class.as_str(), "Owner": owner_value(&v.owner),
    })
}

fn marker_value(m: &DeleteMarker) -> Value {
    json!({
        "Key": m.key, "VersionId": m.version_id, "IsLatest": m.is_latest, "LastModified": m.last_modified,
        "Owner": owner_value(&m.owner),
    })
}

#[test]
fn go_later_list_versions_body_parses_to_its_values() {
    let Some((_, xml, json)) = shared_fixtures::later_fixtures("object_versions_wire", "ListVersionsResult").pop()
    else {
        return;
    };
    let expect = &storage_classes_as_written(&json["expect"]);
    let page = parse(&xml).unwrap();
    let got = json!({
        "Name": page.name,
        "Prefix": page.prefix,
        "KeyMarker": page.key_marker,
        "VersionIdMarker": page.version_id_marker,
        "MaxKeys": page.max_keys,
        "IsTruncated": page.is_truncated,
        "Delimiter": page.delimiter,
        "CommonPrefixes": page.common_prefixes.iter().map(|p| json!({ "Prefix": p })).collect::<Vec<_>>(),
        "Version": page.versions().map(version_value).collect::<Vec<_>>(),
        "DeleteMarker": page.delete_markers().map(marker_value).collect::<Vec<_>>(),
    });
    assert_eq!(&got, expect);
    // Document order kept: the version, then the marker of the same key.
    let order: Vec<_> = page.entries.iter().map(|e| matches!(e, VersionListEntry::Version(_))).collect();
    assert_eq!(order, [true, false]);
    assert_eq!((page.next_key_marker, page.next_version_id_marker), (None, None));
}

#[test]
fn url_encoded_keys_prefixes_and_markers_are_decoded() {
    let xml = "<ListVersionsResult><Name>b-1</Name><EncodingType>url</EncodingType><Prefix>a%20b/</Prefix>\
        <KeyMarker>a%20b/%01k</KeyMarker><VersionIdMarker>v0</VersionIdMarker><IsTruncated>true</IsTruncated>\
        <NextKeyMarker>a%20b/%2Bz</NextKeyMarker><NextVersionIdMarker>v9</NextVersionIdMarker>\
        <CommonPrefixes><Prefix>a%20b/%E4%B8%AD/</Prefix></CommonPrefixes>\
        <DeleteMarker><Key>a%20b/%01k</Key><VersionId>v1</VersionId><IsLatest>true</IsLatest></DeleteMarker>\
        <Version><Key>a%20b/%01k</Key><VersionId>null</VersionId><IsLatest>false</IsLatest><Size>3</Size></Version>\
        </ListVersionsResult>";
    let page = parse(xml.as_bytes()).unwrap();
    assert_eq!(page.prefix, "a b/");
    assert_eq!(page.key_marker, "a b/\u{1}k");
    assert_eq!(page.next_key_marker.as_deref(), Some("a b/+z"));
    assert_eq!(page.next_version_id_marker.as_deref(), Some("v9"));
    assert_eq!(page.common_prefixes, ["a b/中/"]);
    let keys: Vec<_> = page.entries.iter().map(|e| (e.key(), e.version_id())).collect();
    assert_eq!(keys, [("a b/\u{1}k", "v1"), ("a b/\u{1}k", "null")]);
    assert!(matches!(&page.entries[0], VersionListEntry::DeleteMarker(m) if m.is_latest));
    assert!(matches!(&page.entries[1], VersionListEntry::Version(v) if v.size == 3 && !v.is_latest));
    // Bad percent-encoding is an Xml error, not a wrong key.
    let bad = "<ListVersionsResult><Version><Key>%zz</Key></Version></ListVersionsResult>";
    assert!(matches!(parse(bad.as_bytes()), Err(Error::Xml(_))));
}

fn page_xml(truncated: bool, next: Option<(&str, &str)>, entries: &[(&str, &str)]) -> Canned {
    let mut xml = format!("<ListVersionsResult><Name>{BUCKET}</Name><IsTruncated>{truncated}</IsTruncated>");
    if let Some((key, id)) = next {
        xml += &format!("<NextKeyMarker>{key}</NextKeyMarker><NextVersionIdMarker>{id}</NextVersionIdMarker>");
    }
    for (key, id) in entries {
        xml += &format!("<Version><Key>{key}</Key><VersionId>{id}</VersionId><IsLatest>false</IsLatest></Version>");
    }
    xml += "</ListVersionsResult>";
    Canned::new(200, xml).header("Content-Type", "application/xml")
}

fn query_of(r: &common::Recorded, name: &str) -> Option<String> {
    let (_, query) = r.target().split_once('?')?;
    query.split('&').find_map(|p| p.strip_prefix(&format!("{name}="))).map(str::to_owned)
}

#[test]
fn entries_follow_next_markers_or_the_last_entry_across_pages() {
    let transport = ScriptedTransport::new();
    transport.answer(page_xml(true, Some(("b", "v2")), &[("a", "v1"), ("b", "v2")]));
    // No Next* markers on this truncated page: the last entry is where the next starts.
    transport.answer(page_xml(true, None, &[("b", "v3")]));
    transport.answer(page_xml(false, None, &[("c", "v4")]));
    let client = oracle_client(transport.clone());
    let bucket = client.bucket(BUCKET);
    let got: Vec<(String, String)> = bucket
        .list_object_versions_iter("")
        .map(|e| e.map(|e| (e.key().to_owned(), e.version_id().to_owned())))
        .collect::<Result<_, _>>()
        .unwrap();
    let want = [("a", "v1"), ("b", "v2"), ("b", "v3"), ("c", "v4")].map(|(k, v)| (k.to_owned(), v.to_owned()));
    assert_eq!(got, want);
    let sent = transport.requests();
    assert_eq!(sent.len(), 3);
    let markers: Vec<_> = sent.iter().map(|r| (query_of(r, "key-marker"), query_of(r, "version-id-marker"))).collect();
    let some = |s: &str| Some(s.to_owned());
    assert_eq!(markers, [(None, None), (some("b"), some("v2")), (some("b"), some("v3"))]);
    assert!(sent.iter().all(|r| query_of(r, "encoding-type").as_deref() == Some("url")), "url encoding asked for");
}

#[test]
fn markers_that_come_back_end_with_an_error_instead_of_looping() {
    let transport = ScriptedTransport::new();
    transport.answer(page_xml(true, Some(("a", "1")), &[("a", "1")]));
    transport.answer(page_xml(true, Some(("b", "2")), &[("b", "2")]));
    transport.answer(page_xml(true, Some(("a", "1")), &[("a", "1")]));
    for _ in 0..5 {
        transport.answer(page_xml(true, Some(("b", "2")), &[("b", "2")]));
    }
    let client = oracle_client(transport.clone());
    let bucket = client.bucket(BUCKET);
    let results: Vec<_> = bucket.list_object_versions().pages().collect();
    assert_eq!(results.len(), 4, "three pages, then the error");
    assert!(results[..3].iter().all(Result::is_ok));
    assert!(matches!(&results[3], Err(Error::Xml(m)) if m.contains("already visited")), "{:?}", results[3]);
    assert_eq!(transport.requests().len(), 3, "the repeated markers are not fetched again");

    // A truncated page whose markers do not move is refused at once.
    let transport = ScriptedTransport::new();
    transport.answer(page_xml(true, Some(("k", "v")), &[]));
    transport.answer(page_xml(true, Some(("k", "v")), &[]));
    let client = oracle_client(transport.clone());
    let bucket = client.bucket(BUCKET);
    let results: Vec<_> = bucket.list_object_versions().key_marker("k").version_id_marker("v").pages().collect();
    assert!(matches!(&results[..], [Err(Error::Xml(_))]), "{results:?}");
}

#[test]
fn bad_input_is_refused_before_any_request() {
    let transport = ScriptedTransport::new();
    let client = oracle_client(transport.clone());
    let b = client.bucket(BUCKET);
    let field = |e: Error| match e {
        Error::InvalidArgument { field, .. } => field,
        other => panic!("not InvalidArgument: {other:?}"),
    };
    assert_eq!(field(b.list_object_versions().max_keys(0).send().unwrap_err()), "max_keys");
    assert_eq!(field(b.list_object_versions().max_keys(1001).send().unwrap_err()), "max_keys");
    assert_eq!(field(b.restore_object("a", 0).send().unwrap_err()), "days");
    assert_eq!(field(b.restore_object("a", 1).tier(" ").send().unwrap_err()), "tier");
    assert_eq!(field(b.restore_object("a", 1).tier("A\u{1}").send().unwrap_err()), "tier");
    assert_eq!(field(b.restore_object("", 1).send().unwrap_err()), "key");
    assert!(transport.requests().is_empty());
}

#[test]
fn acl_calls_send_version_id_after_acl() {
    let transport = ScriptedTransport::new();
    let acl = "<AccessControlPolicy><Owner><ID>o</ID></Owner><AccessControlList/></AccessControlPolicy>";
    transport.answer(Canned::new(200, acl).header("Content-Type", "application/xml"));
    transport.answer(Canned::new(200, ""));
    let client = oracle_client(transport.clone());
    let b = client.bucket(BUCKET);
    b.get_object_acl("a b.txt").version_id("v 1").send().unwrap();
    b.put_object_acl("a b.txt").acl(tencent_cos::api::CannedAcl::Private).version_id("v 1").send().unwrap();
    let targets: Vec<String> = transport.requests().iter().map(|r| r.target().to_owned()).collect();
    assert_eq!(targets, ["/a%20b.txt?acl=&versionId=v%201", "/a%20b.txt?acl=&versionId=v%201"]);
}

#[test]
fn restore_request_without_tier_has_no_job_parameters() {
    let input = RestoreObjectInput { key: "k".into(), days: 7, tier: None, version_id: None };
    assert_eq!(input.restore_request().unwrap(), "<RestoreRequest><Days>7</Days></RestoreRequest>");
}
