//! Object tagging, tagged and encrypted puts, and append (issue 14) without a server: each call
//! replayed against what the node SDK 3.0.0 sent (`tests/data/node_requests_wave2.jsonl`: seq
//! 40-43, 47-52, 55-56), the Go SDK's `later/02-Tagging-ObjectGetTagging` body value by value,
//! 404 NoSuchTagSet read as no tags, the typed outputs, and bad input refused before any request.

use crate::support::common;
use crate::support::shared_fixtures;

use common::{Canned, ScriptedTransport, oracle_client, replay_wave2 as replay};
use serde_json::json;
use tencent_cos::Error;
use tencent_cos::api::{
    AppendObjectInput, CopySource, GetObjectTaggingInput, PutObjectCopyInput, PutObjectInput, PutObjectTaggingInput,
    Tag, TaggingDirective, tagging_header,
};
use tencent_cos::http::Response;
use tencent_cos::operation::Operation;

const KEY: &str = "docs/report 2024 (v2)+final~*.csv";
const VERSION: &str = "MTg0NDUxNzgxMjEzNTU3NTk1Mjk";
const APPEND_KEY: &str = "append/log (1).txt";

fn put_answer() -> Canned {
    Canned::new(200, "").header("ETag", "\"d41d8cd98f00b204e9800998ecf8427e\"")
}

#[test]
fn seq_40_put_object_sse_aes256() {
    replay(40, put_answer().header("x-cos-server-side-encryption", "AES256"), |_, b| {
        let out = b
            .put_object(KEY)
            .header("Content-Type", "text/csv")
            .header("x-cos-server-side-encryption", "AES256")
            .body("id,name,amount\n1,alice,120\n2,bob,250\n3,\"carol, jr.\",99\n")
            .send()
            .unwrap();
        assert_eq!(out.etag.as_deref(), Some("\"d41d8cd98f00b204e9800998ecf8427e\""));
        assert_eq!(out.meta.headers.get("x-cos-server-side-encryption"), Some("AES256"));
    });
}

#[test]
fn seq_41_put_object_with_tagging_header() {
    replay(41, put_answer(), |_, b| {
        b.put_object("tagged/a b&c.txt")
            .tagging([("team", "storage & infra"), ("env", "prod"), ("项目", "甲")])
            .content_type("text/plain")
            .body("tagged object\n")
            .send()
            .unwrap();
    });
}

#[test]
fn seq_42_put_object_sse_kms() {
    replay(42, put_answer(), |_, b| {
        b.put_object("secure/kms object.bin")
            .header("x-cos-server-side-encryption", "cos/kms")
            .header("x-cos-server-side-encryption-cos-kms-key-id", "kms-key-0001-example")
            .header("x-cos-server-side-encryption-context", "eyJwcm9qZWN0Ijoib3JhY2xlIiwiZW52IjoidGVzdCJ9")
            .body("kms protected\n")
            .send()
            .unwrap();
    });
}

#[test]
fn seq_43_put_object_sse_c() {
    replay(43, put_answer(), |_, b| {
        b.put_object("secure/customer key.bin")
            .header("x-cos-server-side-encryption-customer-algorithm", "AES256")
            .header("x-cos-server-side-encryption-customer-key", "8b/3uvhWzLVErCn4xOmUzUDpt/Yab/zTIIEj3Hs7UPw=")
            .header("x-cos-server-side-encryption-customer-key-MD5", "OR41CyxhkKZxmdKO3dfQrg==")
            .body("customer key protected\n")
            .send()
            .unwrap();
    });
}

#[test]
fn seq_47_put_object_tagging() {
    replay(47, Canned::new(200, ""), |_, b| {
        let out = b
            .put_object_tagging(KEY)
            .tag("classification", "internal use")
            .tag("owner/team", "a+b=c:d@e")
            .send()
            .unwrap();
        assert_eq!((out.meta.status, out.version_id), (200, None));
    });
}

#[test]
fn seq_48_put_object_tagging_version_id() {
    replay(48, Canned::new(200, "").header("x-cos-version-id", VERSION), |_, b| {
        let out = b
            .put_object_tagging(KEY)
            .tags([Tag::new("classification", "internal use"), Tag::new("owner/team", "a+b=c:d@e")])
            .version_id(VERSION)
            .send()
            .unwrap();
        assert_eq!(out.version_id.as_deref(), Some(VERSION));
    });
}

const TAGGING: &str =
    "<Tagging><TagSet><Tag><Key>classification</Key><Value>internal use</Value></Tag></TagSet></Tagging>";

#[test]
fn seq_49_get_object_tagging() {
    replay(49, Canned::new(200, TAGGING), |_, b| {
        let out = b.get_object_tagging(KEY).send().unwrap();
        assert_eq!(out.tags, [Tag::new("classification", "internal use")]);
        assert_eq!((out.meta.status, out.version_id), (200, None));
    });
}

#[test]
fn seq_50_get_object_tagging_version_id() {
    replay(50, Canned::new(200, TAGGING).header("x-cos-version-id", VERSION), |_, b| {
        let out = b.get_object_tagging(KEY).version_id(VERSION).send().unwrap();
        assert_eq!(out.tags, [Tag::new("classification", "internal use")]);
        assert_eq!(out.version_id.as_deref(), Some(VERSION));
    });
}

#[test]
fn seq_51_delete_object_tagging() {
    replay(51, Canned::new(204, ""), |_, b| {
        assert_eq!(b.delete_object_tagging(KEY).send().unwrap().meta.status, 204);
    });
}

#[test]
fn seq_52_delete_object_tagging_version_id() {
    replay(52, Canned::new(204, "").header("x-cos-version-id", VERSION), |_, b| {
        let out = b.delete_object_tagging(KEY).version_id(VERSION).send().unwrap();
        assert_eq!(out.version_id.as_deref(), Some(VERSION));
    });
}

#[test]
fn seq_55_append_object_position_0() {
    let answer = Canned::new(200, "")
        .header("ETag", "\"ce4ae8a5e6bcbc5b8d2b3fd4c1e9b12a\"")
        .header("x-cos-next-append-position", "11")
        .header("x-cos-hash-crc64ecma", "5981764153023615706");
    replay(55, answer, |_, b| {
        let out = b.append_object(APPEND_KEY, 0).content_type("text/plain").body("first line\n").send().unwrap();
        assert_eq!(out.next_append_position, Some(11));
        assert_eq!(out.etag.as_deref(), Some("\"ce4ae8a5e6bcbc5b8d2b3fd4c1e9b12a\""));
        assert_eq!(out.crc64, Some(5_981_764_153_023_615_706));
    });
}

#[test]
fn seq_56_append_object_position_11() {
    replay(56, Canned::new(200, "").header("x-cos-next-append-position", "23"), |_, b| {
        let out = b.append_object(APPEND_KEY, 11).body("second line\n").send().unwrap();
        assert_eq!((out.next_append_position, out.etag, out.crc64), (Some(23), None, None));
    });
}

#[test]
fn no_such_tag_set_reads_as_no_tags_and_other_errors_stand() {
    let transport = ScriptedTransport::new();
    transport.answer(Canned::new(
        404,
        "<Error><Code>NoSuchTagSet</Code><Message>none</Message><RequestId>req-404</RequestId></Error>",
    ));
    transport.answer(Canned::new(404, "<Error><Code>NoSuchKey</Code><Message>gone</Message></Error>"));
    let client = oracle_client(transport.clone());
    let b = client.bucket("examplebucket-1250000000");
    let out = b.get_object_tagging(KEY).send().unwrap();
    assert!(out.tags.is_empty());
    assert_eq!(out.meta.status, 404);
    assert_eq!(out.meta.headers.iter().collect::<Vec<_>>(), [("x-cos-request-id", "req-404")]);
    let err = b.get_object_tagging(KEY).send().unwrap_err();
    assert_eq!(err.service().map(|e| (e.status, e.code.as_str())), Some((404, "NoSuchKey")));
    assert_eq!(transport.requests().len(), 2);
}

#[test]
fn go_later_object_tagging_body_parses_to_its_values() {
    let fixtures = shared_fixtures::later_fixtures("object_tagging_wire", "Tagging");
    let Some((_, xml, json)) = fixtures.into_iter().find(|(name, ..)| name == "02-Tagging-ObjectGetTagging") else {
        return;
    };
    let out = GetObjectTaggingInput { key: "k".into(), version_id: None }
        .parse(Response::from_bytes(200, Vec::<(String, String)>::new(), xml))
        .unwrap();
    let got = json!({
        "TagSet": { "Tag": out.tags.iter().map(|t| json!({ "Key": t.key, "Value": t.value })).collect::<Vec<_>>() }
    });
    assert_eq!(got, json["expect"]);
    assert_eq!(out.tags.len(), 2);
}

#[test]
fn head_and_get_read_the_tagging_count() {
    let transport = ScriptedTransport::new();
    transport.answer(Canned::new(200, "").header("x-cos-tagging-count", "2").header("x-cos-object-type", "appendable"));
    transport.answer(Canned::new(200, "abc").header("x-cos-tagging-count", "junk"));
    let client = oracle_client(transport);
    let b = client.bucket("examplebucket-1250000000");
    let head = b.head_object(KEY).send().unwrap();
    assert_eq!(head.properties.tagging_count, Some(2));
    assert_eq!(head.properties.object_type.as_deref(), Some("appendable"));
    assert_eq!(b.get_object(KEY).send().unwrap().properties.tagging_count, None);
}

#[test]
fn tagging_header_on_multipart_init_and_copy_with_its_directive() {
    let transport = ScriptedTransport::new();
    transport.answer(Canned::new(
        200,
        "<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key><UploadId>u1</UploadId></InitiateMultipartUploadResult>",
    ));
    transport.answer(Canned::new(200, "<CopyObjectResult><ETag>\"e\"</ETag></CopyObjectResult>"));
    let client = oracle_client(transport.clone());
    let b = client.bucket("examplebucket-1250000000");
    b.multipart_init("big.bin").tagging([("a b", "c/d")]).send().unwrap();
    b.put_object_copy("copy.bin")
        .copy_source("examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/big.bin")
        .tagging_directive(TaggingDirective::Replaced)
        .tagging([("k", "")])
        .send()
        .unwrap();
    let sent = transport.requests();
    let names = |i: usize| -> Vec<(String, String)> {
        sent[i].headers.iter().filter(|(n, _)| n.starts_with("x-cos-")).cloned().collect()
    };
    assert_eq!(names(0), [("x-cos-tagging".to_string(), "a%20b=c%2Fd".to_string())]);
    assert_eq!(
        names(1),
        [
            ("x-cos-tagging".to_string(), "k=".to_string()),
            (
                "x-cos-copy-source".to_string(),
                "examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/big.bin".to_string()
            ),
            ("x-cos-tagging-directive".to_string(), "Replaced".to_string()),
        ]
    );
    let auth = sent[1].header("Authorization").unwrap();
    assert!(auth.contains("x-cos-tagging;x-cos-tagging-directive"), "{auth}");
}

fn invalid_field(result: tencent_cos::Result<impl std::fmt::Debug>) -> String {
    match result {
        Err(Error::InvalidArgument { field, .. }) => field.to_string(),
        other => panic!("not an invalid argument: {other:?}"),
    }
}

#[test]
fn bad_input_is_refused_before_any_request() {
    let empty = PutObjectTaggingInput { key: "k".into(), tags: vec![], version_id: None };
    assert_eq!(invalid_field(empty.clone().build()), "tags");
    let repeated = PutObjectTaggingInput { tags: vec![Tag::new("a", "1"), Tag::new("a", "2")], ..empty.clone() };
    assert_eq!(invalid_field(repeated.clone().build()), "tags");
    let no_key = PutObjectTaggingInput { key: String::new(), tags: vec![Tag::new("a", "1")], version_id: None };
    assert_eq!(invalid_field(no_key.clone().build()), "key");
    let bad_version = GetObjectTaggingInput { key: "k".into(), version_id: Some(String::new()) };
    assert_eq!(invalid_field(bad_version.clone().build()), "version_id");
    assert_eq!(invalid_field(tagging_header(&[Tag::new("", "v")])), "tagging");
    let mut put = PutObjectInput { key: "k".into(), ..Default::default() };
    put.attributes.tagging = vec![Tag::new("x", "1"), Tag::new("x", "1")];
    assert_eq!(invalid_field(put.build()), "tagging");
    let source = CopySource::object("examplebucket-1250000000", "ap-guangzhou", "a");
    let mut copy = PutObjectCopyInput { key: "k".into(), copy_source: Some(source), ..Default::default() };
    copy.attributes.tagging = vec![Tag::new("", "1")];
    assert_eq!(invalid_field(copy.build()), "tagging");
    let mut append = AppendObjectInput { key: String::new(), ..Default::default() };
    assert_eq!(invalid_field(append.build()), "key");

    // And through the builders: nothing reaches the transport.
    let transport = ScriptedTransport::new();
    let client = oracle_client(transport.clone());
    let b = client.bucket("examplebucket-1250000000");
    assert_eq!(invalid_field(b.put_object_tagging("k").send()), "tags");
    assert_eq!(invalid_field(b.put_object("k").tagging([("", "v")]).body("x").send()), "tagging");
    assert_eq!(invalid_field(b.append_object("", 0).body("x").send()), "key");
    assert!(transport.requests().is_empty());
}
