//! Object tagging and append against the emulator, on both fronts (in-process and HTTP): tags
//! from `x-cos-tagging` counted on HEAD, read, replaced and deleted; tags per version; copy with
//! and without `x-cos-tagging-directive: Replaced`; multipart init tags surviving Complete; COS's
//! tag limits; append positions and its 409s.

use crate::support::emulator_support;

use emulator_support::{BUCKET, Front, Harness};
use tencent_cos::api::{Tag, TaggingDirective, VersioningStatus};
use tencent_cos::emulator::Emulator;
use tencent_cos::{Bucket, Error};

const FRONTS: [Front; 2] = [Front::InProcess, Front::Http];

fn code(e: Error) -> (u16, String) {
    match e {
        Error::Service(s) => (s.status, s.code),
        other => panic!("not a service error: {other:?}"),
    }
}

fn tags(b: &Bucket, key: &str) -> Vec<Tag> {
    b.get_object_tagging(key).send().unwrap().tags
}

fn t(k: &str, v: &str) -> Tag {
    Tag::new(k, v)
}

#[test]
fn put_with_tags_count_read_replace_delete() {
    for front in FRONTS {
        let h = Harness::new(front, Emulator::new());
        h.create_bucket();
        let client = h.client();
        let b = client.bucket(BUCKET);
        b.put_object("t/a b&c.txt").tagging([("team", "storage & infra"), ("项目", "甲")]).body("x").send().unwrap();
        let head = b.head_object("t/a b&c.txt").send().unwrap();
        assert_eq!(head.properties.tagging_count, Some(2), "{front:?}");
        assert_eq!(head.properties.object_type.as_deref(), Some("normal"), "{front:?}");
        assert_eq!(tags(&b, "t/a b&c.txt"), [t("team", "storage & infra"), t("项目", "甲")], "{front:?}");

        let put = b.put_object_tagging("t/a b&c.txt").tag("a+b=c", "<x&y>").send().unwrap();
        assert_eq!((put.meta.status, put.version_id), (200, None), "{front:?}");
        assert_eq!(tags(&b, "t/a b&c.txt"), [t("a+b=c", "<x&y>")], "{front:?}");
        assert_eq!(b.get_object("t/a b&c.txt").send().unwrap().properties.tagging_count, Some(1), "{front:?}");

        assert_eq!(b.delete_object_tagging("t/a b&c.txt").send().unwrap().meta.status, 204, "{front:?}");
        assert_eq!(b.head_object("t/a b&c.txt").send().unwrap().properties.tagging_count, None, "{front:?}");
        let got = b.get_object_tagging("t/a b&c.txt").send().unwrap();
        assert_eq!((got.tags.len(), got.meta.status), (0, 200), "{front:?}");
        assert_eq!(b.get_object("t/a b&c.txt").send().unwrap().bytes().unwrap(), b"x", "{front:?}");

        assert_eq!(code(b.get_object_tagging("missing").send().unwrap_err()), (404, "NoSuchKey".into()));
        assert_eq!(code(b.put_object_tagging("missing").tag("k", "v").send().unwrap_err()), (404, "NoSuchKey".into()));
    }
}

#[test]
fn cos_tag_limits_are_invalid_tag() {
    for front in FRONTS {
        let h = Harness::new(front, Emulator::new());
        h.create_bucket();
        let client = h.client();
        let b = client.bucket(BUCKET);
        b.put_object("k").body("x").send().unwrap();
        let eleven: Vec<Tag> = (0..11).map(|i| t(&format!("k{i}"), "v")).collect();
        let ten: Vec<Tag> = eleven[..10].to_vec();
        assert_eq!(
            code(b.put_object_tagging("k").tags(eleven.clone()).send().unwrap_err()),
            (400, "InvalidTag".into())
        );
        b.put_object_tagging("k").tags(ten.clone()).send().unwrap();
        assert_eq!(tags(&b, "k"), ten, "{front:?}");
        let long_key = "é".repeat(129);
        let err = b.put_object_tagging("k").tag(long_key.as_str(), "v").send().unwrap_err();
        assert_eq!(code(err), (400, "InvalidTag".into()), "{front:?}");
        b.put_object_tagging("k").tag(&long_key[..256], "v".repeat(256)).send().unwrap();
        let err = b.put_object_tagging("k").tag("k", "v".repeat(257)).send().unwrap_err();
        assert_eq!(code(err), (400, "InvalidTag".into()), "{front:?}");
        let err = b.put_object("k2").tagging(eleven).body("x").send().unwrap_err();
        assert_eq!(code(err), (400, "InvalidTag".into()), "{front:?}");
        assert!(b.head_object("k2").send().is_err(), "{front:?}: nothing written");
    }
}

#[test]
fn versioned_bucket_tags_each_version() {
    for front in FRONTS {
        let h = Harness::new(front, Emulator::new());
        h.create_bucket();
        let client = h.client();
        let b = client.bucket(BUCKET);
        b.put_bucket_versioning(VersioningStatus::Enabled).send().unwrap();
        let v1 = b.put_object("k").tagging([("v", "1")]).body("one").send().unwrap().version_id.unwrap();
        let v2 = b.put_object("k").body("two").send().unwrap().version_id.unwrap();
        let put = b.put_object_tagging("k").tag("first", "yes").version_id(&v1).send().unwrap();
        assert_eq!(put.version_id.as_deref(), Some(v1.as_str()), "{front:?}");
        let got = b.get_object_tagging("k").version_id(&v1).send().unwrap();
        assert_eq!((got.tags, got.version_id), (vec![t("first", "yes")], Some(v1.clone())), "{front:?}");
        let latest = b.get_object_tagging("k").send().unwrap();
        assert_eq!((latest.tags.len(), latest.version_id), (0, Some(v2.clone())), "{front:?}");
        b.delete_object_tagging("k").version_id(&v1).send().unwrap();
        assert!(tags_of(&b, &v1).is_empty(), "{front:?}");
        assert_eq!(b.head_object("k").version_id(&v2).send().unwrap().properties.tagging_count, None);
        let err = b.get_object_tagging("k").version_id("bm9zdWNo").send().unwrap_err();
        assert_eq!(code(err), (404, "NoSuchVersion".into()), "{front:?}");
    }
}

fn tags_of(b: &Bucket, version: &str) -> Vec<Tag> {
    b.get_object_tagging("k").version_id(version).send().unwrap().tags
}

#[test]
fn copy_keeps_tags_unless_replaced() {
    for front in FRONTS {
        let h = Harness::new(front, Emulator::new());
        h.create_bucket();
        let client = h.client();
        let b = client.bucket(BUCKET);
        b.put_object("src").tagging([("a", "1"), ("b", "2")]).body("x").send().unwrap();
        let source = format!("{BUCKET}.cos.ap-guangzhou.myqcloud.com/src");
        b.put_object_copy("kept").copy_source(source.as_str()).tagging([("ignored", "x")]).send().unwrap();
        assert_eq!(tags(&b, "kept"), [t("a", "1"), t("b", "2")], "{front:?}");
        b.put_object_copy("replaced")
            .copy_source(source.as_str())
            .tagging_directive(TaggingDirective::Replaced)
            .tagging([("c", "3")])
            .send()
            .unwrap();
        assert_eq!(tags(&b, "replaced"), [t("c", "3")], "{front:?}");
        b.put_object_copy("none")
            .copy_source(source.as_str())
            .tagging_directive(TaggingDirective::Replaced)
            .send()
            .unwrap();
        assert_eq!(b.head_object("none").send().unwrap().properties.tagging_count, None, "{front:?}");
    }
}

#[test]
fn multipart_init_tags_survive_complete() {
    for front in FRONTS {
        let h = Harness::new(front, Emulator::new());
        h.create_bucket();
        let client = h.client();
        let b = client.bucket(BUCKET);
        let init = b.multipart_init("big").tagging([("stage", "raw")]).send().unwrap();
        let part = b.multipart_upload("big", &init.upload_id, 1, "hello").send().unwrap();
        b.multipart_complete("big", &init.upload_id, [(1, part.etag)]).send().unwrap();
        assert_eq!(b.head_object("big").send().unwrap().properties.tagging_count, Some(1), "{front:?}");
        assert_eq!(tags(&b, "big"), [t("stage", "raw")], "{front:?}");
    }
}

#[test]
fn append_positions_and_conflicts() {
    for front in FRONTS {
        let h = Harness::new(front, Emulator::new());
        h.create_bucket();
        let client = h.client();
        let b = client.bucket(BUCKET);
        let key = "append/log (1).txt";
        let first = b.append_object(key, 0).content_type("text/plain").body("first line\n").send().unwrap();
        assert_eq!(first.next_append_position, Some(11), "{front:?}");
        assert_eq!(first.crc64, Some(tencent_cos::checksum::crc64(b"first line\n")), "{front:?}");
        let second = b.append_object(key, 11).body("second line\n").send().unwrap();
        assert_eq!(second.next_append_position, Some(23), "{front:?}");
        assert_eq!(second.crc64, Some(tencent_cos::checksum::crc64(b"first line\nsecond line\n")));
        let head = b.head_object(key).send().unwrap();
        assert_eq!(head.properties.object_type.as_deref(), Some("appendable"), "{front:?}");
        assert_eq!(head.properties.content_type.as_deref(), Some("text/plain"), "{front:?}");
        assert_eq!(head.properties.content_length, Some(23), "{front:?}");
        assert_eq!(b.get_object(key).send().unwrap().bytes().unwrap(), b"first line\nsecond line\n");

        let err = b.append_object(key, 11).body("again").send().unwrap_err();
        assert_eq!(code(err), (409, "PositionNotEqualToLength".into()), "{front:?}");
        let err = b.append_object("new", 5).body("x").send().unwrap_err();
        assert_eq!(code(err), (409, "PositionNotEqualToLength".into()), "{front:?}");
        assert!(b.head_object("new").send().is_err(), "{front:?}");

        b.put_object("normal").body("abc").send().unwrap();
        let err = b.append_object("normal", 3).body("d").send().unwrap_err();
        assert_eq!(code(err), (409, "ObjectNotAppendable".into()), "{front:?}");
        assert_eq!(b.get_object("normal").send().unwrap().bytes().unwrap(), b"abc", "{front:?}");
    }
}

/// COS: appendable objects "do not take part in versioning". The first append is one version;
/// later appends grow it in place, so the listing still shows one version of the key, the
/// latest bytes under the first append's version id.
#[test]
fn appends_on_a_versioned_bucket_keep_one_version() {
    for front in FRONTS {
        let h = Harness::new(front, Emulator::new());
        h.create_bucket();
        let client = h.client();
        let b = client.bucket(BUCKET);
        b.put_bucket_versioning(VersioningStatus::Enabled).send().unwrap();
        let ids = || -> Vec<String> {
            let listing = b.list_object_versions().prefix("log").send().unwrap();
            listing.versions().map(|v| v.version_id.clone()).collect()
        };
        b.append_object("log", 0).body("a").send().unwrap();
        let first = ids();
        assert_eq!(first.len(), 1, "{front:?}: the first append is a version");
        for (position, byte) in [(1, "b"), (2, "c")] {
            b.append_object("log", position).body(byte).send().unwrap();
        }
        assert_eq!(ids(), first, "{front:?}: still the one version");
        let got = b.get_object("log").version_id(&first[0]).send().unwrap().bytes().unwrap();
        assert_eq!(got, b"abc", "{front:?}");
    }
}
