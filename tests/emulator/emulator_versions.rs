//! Object versions and restore against the emulator, on both fronts (in-process and HTTP):
//! versions and delete markers on an Enabled bucket, the `null` version of a Suspended one, a
//! never-versioned bucket unchanged, version ids on GET / HEAD / DELETE / copy / ACL / multi-delete,
//! and the restore gate of archived objects.

use crate::support::emulator_support;

use emulator_support::{BUCKET, Front, Harness, Raw, get_bytes};
use tencent_cos::Error;
use tencent_cos::api::{CannedAcl, ListObjectVersionsOutput, ObjectToDelete, VersionListEntry, VersioningStatus};
use tencent_cos::emulator::Emulator;

const FRONTS: [Front; 2] = [Front::InProcess, Front::Http];

/// `(key, version id, is latest, "V" for a version with its size / "M" for a marker)` of a page.
fn listed(page: &ListObjectVersionsOutput) -> Vec<(String, String, bool, String)> {
    page.entries
        .iter()
        .map(|e| match e {
            VersionListEntry::Version(v) => (v.key.clone(), v.version_id.clone(), v.is_latest, format!("V{}", v.size)),
            VersionListEntry::DeleteMarker(m) => (m.key.clone(), m.version_id.clone(), m.is_latest, "M".into()),
        })
        .collect()
}

fn entry(key: &str, id: &str, latest: bool, kind: &str) -> (String, String, bool, String) {
    (key.to_owned(), id.to_owned(), latest, kind.to_owned())
}

fn service_error(e: Error) -> Box<tencent_cos::ServiceError> {
    match e {
        Error::Service(s) => s,
        other => panic!("not a service error: {other:?}"),
    }
}

#[test]
fn put_put_delete_on_a_versioned_bucket() {
    for front in FRONTS {
        let h = Harness::new(front, Emulator::new());
        h.create_bucket();
        let client = h.client();
        let b = client.bucket(BUCKET);
        b.put_bucket_versioning(VersioningStatus::Enabled).send().unwrap();

        let v1 = b.put_object("k e+y.txt").body("one").send().unwrap().version_id.expect("a version id");
        let v2 = b.put_object("k e+y.txt").body("second").send().unwrap().version_id.expect("a version id");
        assert_ne!(v1, v2, "{front:?}: a fresh id per write");
        let deleted = b.delete_object("k e+y.txt").send().unwrap();
        assert!(deleted.delete_marker, "{front:?}: x-cos-delete-marker");
        let marker = deleted.version_id.expect("the marker's id");
        assert!(![&v1, &v2].contains(&&marker), "{front:?}");

        let page = b.list_object_versions().send().unwrap();
        assert_eq!(
            listed(&page),
            [
                entry("k e+y.txt", &marker, true, "M"),
                entry("k e+y.txt", &v2, false, "V6"),
                entry("k e+y.txt", &v1, false, "V3")
            ],
            "{front:?}: 2 versions + 1 marker, newest first"
        );
        assert_eq!((page.versions().count(), page.delete_markers().count()), (2, 1));
        assert_eq!(page.name, BUCKET);
        assert!(!page.is_truncated);

        // Each version by its id, with its id in x-cos-version-id.
        assert_eq!(get_bytes(&b, "k e+y.txt", Some(&v1)).unwrap(), b"one", "{front:?}");
        assert_eq!(get_bytes(&b, "k e+y.txt", Some(&v2)).unwrap(), b"second", "{front:?}");
        let head = b.head_object("k e+y.txt").version_id(&v1).send().unwrap();
        assert_eq!(head.properties.version_id.as_deref(), Some(v1.as_str()));
        assert_eq!(head.properties.content_length, Some(3));

        // Without an id: 404 with the delete-marker header; the marker by id: 405.
        let err = service_error(get_bytes(&b, "k e+y.txt", None).unwrap_err());
        assert_eq!((err.status, err.code.as_str()), (404, "NoSuchKey"), "{front:?}");
        assert_eq!(err.headers.get("x-cos-delete-marker"), Some("true"), "{front:?}");
        assert_eq!(err.headers.get("x-cos-version-id"), Some(marker.as_str()), "{front:?}");
        let head = service_error(b.head_object("k e+y.txt").send().unwrap_err());
        assert_eq!(head.status, 404);
        assert_eq!(head.headers.get("x-cos-delete-marker"), Some("true"), "{front:?}: HEAD too");
        let err = service_error(get_bytes(&b, "k e+y.txt", Some(&marker)).unwrap_err());
        assert_eq!((err.status, err.code.as_str()), (405, "MethodNotAllowed"), "{front:?}");
        let err = service_error(get_bytes(&b, "k e+y.txt", Some("bm9zdWNo")).unwrap_err());
        assert_eq!((err.status, err.code.as_str()), (404, "NoSuchVersion"), "{front:?}");
        assert!(b.get_bucket().send().unwrap().contents.is_empty(), "{front:?}: not in GET Bucket");

        // Deleting the marker brings the object back.
        let undeleted = b.delete_object("k e+y.txt").version_id(&marker).send().unwrap();
        assert!(undeleted.delete_marker && undeleted.version_id.as_deref() == Some(marker.as_str()), "{front:?}");
        let got = b.get_object("k e+y.txt").send().unwrap();
        assert_eq!(got.properties.version_id.as_deref(), Some(v2.as_str()));
        assert_eq!(got.bytes().unwrap(), b"second", "{front:?}");
        assert_eq!(
            listed(&b.list_object_versions().send().unwrap()),
            [entry("k e+y.txt", &v2, true, "V6"), entry("k e+y.txt", &v1, false, "V3")]
        );

        // Deleting the latest version for good: the one below is current.
        let gone = b.delete_object("k e+y.txt").version_id(&v2).send().unwrap();
        assert!(!gone.delete_marker && gone.version_id.as_deref() == Some(v2.as_str()));
        assert_eq!(get_bytes(&b, "k e+y.txt", None).unwrap(), b"one", "{front:?}");
        assert_eq!(b.get_bucket().send().unwrap().contents[0].size, 3);

        // A bucket holding versions or markers is not empty.
        b.delete_object("k e+y.txt").send().unwrap();
        assert!(b.get_bucket().send().unwrap().contents.is_empty());
        let err = service_error(b.delete_bucket().send().unwrap_err());
        assert_eq!((err.status, err.code.as_str()), (409, "BucketNotEmpty"), "{front:?}");
    }
}

#[test]
fn suspended_writes_replace_the_null_version() {
    for front in FRONTS {
        let h = Harness::new(front, Emulator::new());
        h.create_bucket();
        let client = h.client();
        let b = client.bucket(BUCKET);
        // Written before versioning was ever set: version null, no header.
        assert_eq!(b.put_object("a").body("pre").send().unwrap().version_id, None, "{front:?}");
        b.put_bucket_versioning(VersioningStatus::Enabled).send().unwrap();
        let e1 = b.put_object("a").body("enabled").send().unwrap().version_id.unwrap();
        assert_eq!(
            listed(&b.list_object_versions().send().unwrap()),
            [entry("a", &e1, true, "V7"), entry("a", "null", false, "V3")],
            "{front:?}"
        );
        assert_eq!(get_bytes(&b, "a", Some("null")).unwrap(), b"pre", "{front:?}");

        b.put_bucket_versioning(VersioningStatus::Suspended).send().unwrap();
        let s1 = b.put_object("a").body("s1").send().unwrap();
        assert_eq!(s1.version_id.as_deref(), Some("null"), "{front:?}");
        assert_eq!(
            listed(&b.list_object_versions().send().unwrap()),
            [entry("a", "null", true, "V2"), entry("a", &e1, false, "V7")],
            "{front:?}: the old null version replaced"
        );
        b.put_object("a").body("s-22").send().unwrap();
        assert_eq!(
            listed(&b.list_object_versions().send().unwrap()),
            [entry("a", "null", true, "V4"), entry("a", &e1, false, "V7")],
            "{front:?}: replaced again, still two"
        );
        assert_eq!(get_bytes(&b, "a", Some("null")).unwrap(), b"s-22");

        // A delete makes a null marker, replacing the null version.
        let deleted = b.delete_object("a").send().unwrap();
        assert_eq!((deleted.delete_marker, deleted.version_id.as_deref()), (true, Some("null")), "{front:?}");
        assert_eq!(
            listed(&b.list_object_versions().send().unwrap()),
            [entry("a", "null", true, "M"), entry("a", &e1, false, "V7")],
            "{front:?}"
        );
        assert_eq!(get_bytes(&b, "a", Some(&e1)).unwrap(), b"enabled");
    }
}

#[test]
fn a_never_versioned_bucket_behaves_as_before() {
    for front in FRONTS {
        let h = Harness::new(front, Emulator::new());
        h.create_bucket();
        let client = h.client();
        let b = client.bucket(BUCKET);
        let put = b.put_object("x/1").body("1").send().unwrap();
        assert_eq!(put.version_id, None);
        assert!(put.meta.headers.get("x-cos-version-id").is_none(), "{front:?}");
        let got = b.get_object("x/1").send().unwrap();
        assert!(got.meta.headers.get("x-cos-version-id").is_none(), "{front:?}");
        let deleted = b.delete_object("x/1").send().unwrap();
        assert_eq!((deleted.delete_marker, deleted.version_id), (false, None), "{front:?}");
        assert!(h.emulator.object_keys(BUCKET).is_empty(), "{front:?}: gone, no marker");
        assert!(b.list_object_versions().send().unwrap().entries.is_empty());

        // The only version is null: another id deletes nothing, null deletes it.
        b.put_object("x/2").body("22").send().unwrap();
        assert_eq!(listed(&b.list_object_versions().send().unwrap()), [entry("x/2", "null", true, "V2")]);
        b.delete_object("x/2").version_id("b3RoZXI").send().unwrap();
        assert_eq!(h.emulator.object_keys(BUCKET), ["x/2"], "{front:?}");
        b.delete_object("x/2").version_id("null").send().unwrap();
        assert!(h.emulator.object_keys(BUCKET).is_empty(), "{front:?}");
        b.delete_bucket().send().unwrap();
    }
}

#[test]
fn listing_pages_with_markers_prefixes_and_encoded_keys() {
    for front in FRONTS {
        let h = Harness::new(front, Emulator::new());
        h.create_bucket();
        let client = h.client();
        let b = client.bucket(BUCKET);
        b.put_bucket_versioning(VersioningStatus::Enabled).send().unwrap();
        let mut ids = Vec::new();
        for (key, body) in [("a\u{1}", "1"), ("a\u{1}", "22"), ("d/x", "333"), ("d/y", "4444"), ("z", "5")] {
            ids.push(b.put_object(key).body(body).send().unwrap().version_id.unwrap());
        }
        b.delete_object("z").send().unwrap();
        let all: Vec<_> = b.list_object_versions_iter("").collect::<Result<_, _>>().unwrap();
        assert_eq!(all.len(), 6, "{front:?}");
        // One entry per page: the same entries, in the same order, through the markers.
        let paged: Vec<_> = b.list_object_versions().max_keys(1).entries().collect::<Result<Vec<_>, _>>().unwrap();
        assert_eq!(paged, all, "{front:?}");
        let first = b.list_object_versions().max_keys(1).send().unwrap();
        assert!(first.is_truncated);
        assert_eq!(first.next_key_marker.as_deref(), Some("a\u{1}"), "{front:?}: decoded");
        assert_eq!(first.next_version_id_marker.as_deref(), Some(ids[1].as_str()));
        let second =
            b.list_object_versions().key_marker("a\u{1}").version_id_marker(&ids[1]).max_keys(1).send().unwrap();
        assert_eq!(listed(&second), [entry("a\u{1}", &ids[0], false, "V1")], "{front:?}");

        let grouped = b.list_object_versions().delimiter("/").send().unwrap();
        assert_eq!(grouped.common_prefixes, ["d/"], "{front:?}");
        assert_eq!(grouped.entries.len(), 4, "{front:?}: d/ rolled up");
        let under = b.list_object_versions().prefix("d/").send().unwrap();
        assert_eq!(listed(&under), [entry("d/x", &ids[2], true, "V3"), entry("d/y", &ids[3], true, "V4")]);
    }
}

#[test]
fn version_ids_on_copy_acl_and_multi_delete() {
    for front in FRONTS {
        let h = Harness::new(front, Emulator::new());
        h.create_bucket();
        let client = h.client();
        let b = client.bucket(BUCKET);
        b.put_bucket_versioning(VersioningStatus::Enabled).send().unwrap();
        let old = b.put_object("src").body("old bytes").send().unwrap().version_id.unwrap();
        b.put_object("src").body("new").send().unwrap();

        let copied =
            b.put_object_copy("dst").copy_source_object_version(BUCKET, "ap-guangzhou", "src", &old).send().unwrap();
        assert!(copied.version_id.is_some(), "{front:?}: the copy is a new version");
        assert_eq!(copied.meta.headers.get("x-cos-copy-source-version-id"), Some(old.as_str()));
        assert_eq!(get_bytes(&b, "dst", None).unwrap(), b"old bytes", "{front:?}");

        // The ACL of the old version only.
        b.put_object_acl("src").acl(CannedAcl::PublicRead).version_id(&old).send().unwrap();
        let anonymous = h.anonymous();
        let ab = anonymous.bucket(BUCKET);
        assert_eq!(get_bytes(&ab, "src", Some(&old)).unwrap(), b"old bytes", "{front:?}");
        assert_eq!(service_error(get_bytes(&ab, "src", None).unwrap_err()).status, 403, "{front:?}");
        assert_eq!(b.list_object_versions().prefix("src").send().unwrap().entries.len(), 2, "no new version");

        // Multi-delete: a marker for one key, one version of another for good.
        let out = b
            .delete_multiple_object([ObjectToDelete::from("dst"), ObjectToDelete::from(("src", old.as_str()))])
            .send()
            .unwrap();
        assert_eq!(out.deleted.len(), 2, "{front:?}");
        let dst = out.deleted.iter().find(|d| d.key == "dst").unwrap();
        assert!(dst.delete_marker == Some(true) && dst.delete_marker_version_id.is_some(), "{front:?}: {dst:?}");
        let src = out.deleted.iter().find(|d| d.key == "src").unwrap();
        assert_eq!((src.version_id.as_deref(), src.delete_marker), (Some(old.as_str()), None));
        assert_eq!(b.list_object_versions().prefix("src").send().unwrap().entries.len(), 1);
        assert_eq!(get_bytes(&b, "src", None).unwrap(), b"new");
    }
}

#[test]
fn archived_objects_are_readable_only_once_restored() {
    for front in FRONTS {
        let h = Harness::new(front, Emulator::new());
        h.create_bucket();
        let client = h.client();
        let b = client.bucket(BUCKET);
        b.put_object("cold.tar").body("frozen bytes").storage_class("ARCHIVE").send().unwrap();

        let err = service_error(get_bytes(&b, "cold.tar", None).unwrap_err());
        assert_eq!((err.status, err.code.as_str()), (403, "InvalidObjectState"), "{front:?}");
        let head = b.head_object("cold.tar").send().unwrap();
        assert_eq!(head.properties.storage_class, "ARCHIVE");
        assert!(head.meta.headers.get("x-cos-restore").is_none(), "{front:?}");
        // Nor as a copy source.
        let copy = b.put_object_copy("warm.tar").copy_source_object(BUCKET, "ap-guangzhou", "cold.tar").send();
        assert_eq!(service_error(copy.unwrap_err()).code, "InvalidObjectState", "{front:?}");

        let now = h.emulator.now();
        let started = b.restore_object("cold.tar", 2).tier("Expedited").send().unwrap();
        assert_eq!(started.meta.status, 202, "{front:?}");
        assert_eq!(get_bytes(&b, "cold.tar", None).unwrap(), b"frozen bytes", "{front:?}");
        let head = b.head_object("cold.tar").send().unwrap();
        let restore = head.meta.headers.get("x-cos-restore").expect("x-cos-restore").to_owned();
        let expiry = httpdate::fmt_http_date(std::time::UNIX_EPOCH + std::time::Duration::from_secs(now + 2 * 86_400));
        let later =
            httpdate::fmt_http_date(std::time::UNIX_EPOCH + std::time::Duration::from_secs(now + 1 + 2 * 86_400));
        assert!(
            [
                format!("ongoing-request=\"false\", expiry-date=\"{expiry}\""),
                format!("ongoing-request=\"false\", expiry-date=\"{later}\"")
            ]
            .contains(&restore),
            "{front:?}: {restore}"
        );
        assert_eq!(b.restore_object("cold.tar", 5).send().unwrap().meta.status, 200, "{front:?}: in effect: extended");

        // A rewrite ends the restore.
        b.put_object("cold.tar").body("refrozen").storage_class("DEEP_ARCHIVE").send().unwrap();
        assert_eq!(service_error(get_bytes(&b, "cold.tar", None).unwrap_err()).code, "InvalidObjectState");

        // Not archived: refused; bad bodies: MalformedXML; no such key: 404.
        b.put_object("hot").body("h").send().unwrap();
        let err = service_error(b.restore_object("hot", 1).send().unwrap_err());
        assert_eq!((err.status, err.code.as_str()), (403, "InvalidObjectState"), "{front:?}");
        let r = h.send(BUCKET, Raw::post().key("cold.tar").query("restore", "").xml("<RestoreRequest/>"));
        assert_eq!(r.code(), (400, "MalformedXML".to_string()), "{front:?}");
        let err = service_error(b.restore_object("missing", 1).send().unwrap_err());
        assert_eq!((err.status, err.code.as_str()), (404, "NoSuchKey"), "{front:?}");
    }
}

#[test]
fn a_restore_is_of_one_version() {
    for front in FRONTS {
        let h = Harness::new(front, Emulator::new());
        h.create_bucket();
        let client = h.client();
        let b = client.bucket(BUCKET);
        b.put_bucket_versioning(VersioningStatus::Enabled).send().unwrap();
        let v1 = b.put_object("c").body("v1").storage_class("ARCHIVE").send().unwrap().version_id.unwrap();
        let v2 = b.put_object("c").body("v2").storage_class("ARCHIVE").send().unwrap().version_id.unwrap();
        assert_eq!(b.restore_object("c", 1).version_id(&v1).send().unwrap().meta.status, 202);
        assert_eq!(get_bytes(&b, "c", Some(&v1)).unwrap(), b"v1", "{front:?}");
        let err = service_error(get_bytes(&b, "c", Some(&v2)).unwrap_err());
        assert_eq!(err.code, "InvalidObjectState", "{front:?}: the other version is still archived");
        assert_eq!(service_error(get_bytes(&b, "c", None).unwrap_err()).code, "InvalidObjectState");
    }
}

/// A data directory keeps a versioned bucket's history: after a restart the listing is the same
/// entry by entry (ids, ETags, sizes, dates, markers, which is latest), old versions are readable
/// by id, and new versions get ids of their own.
#[test]
fn a_data_directory_keeps_versions_and_delete_markers() {
    for front in FRONTS {
        let dir = std::env::temp_dir().join(format!("cos-emulator-versions-{front:?}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let open = || Emulator::builder().data_dir(&dir).try_build().expect("open the data directory");
        let (before, v1, v2, marker) = {
            let h = Harness::new(front, open());
            h.create_bucket();
            let client = h.client();
            let b = client.bucket(BUCKET);
            b.put_object("plain").body("before versioning").send().unwrap();
            b.put_bucket_versioning(VersioningStatus::Enabled).send().unwrap();
            let v1 = b.put_object("k").body("one").send().unwrap().version_id.unwrap();
            let v2 = b.put_object("k").body("second").send().unwrap().version_id.unwrap();
            let marker = b.delete_object("k").send().unwrap().version_id.unwrap();
            // A version deleted for good stays gone; the one below it is current again.
            let x1 = b.put_object("x").body("x1").send().unwrap().version_id.unwrap();
            let x2 = b.put_object("x").body("x2").send().unwrap().version_id.unwrap();
            b.delete_object("x").version_id(&x2).send().unwrap();
            b.put_object("plain").body("after").send().unwrap();
            let before = b.list_object_versions().send().unwrap();
            assert_eq!(
                listed(&before),
                [
                    entry("k", &marker, true, "M"),
                    entry("k", &v2, false, "V6"),
                    entry("k", &v1, false, "V3"),
                    entry("plain", &listed(&before)[3].1, true, "V5"),
                    entry("plain", "null", false, "V17"),
                    entry("x", &x1, true, "V2"),
                ],
                "{front:?}"
            );
            (before, v1, v2, marker)
        };
        let h = Harness::new(front, open());
        let client = h.client();
        let b = client.bucket(BUCKET);
        let after = b.list_object_versions().send().unwrap();
        assert_eq!(after.entries, before.entries, "{front:?}: the same listing, entry by entry");
        assert_eq!(h.emulator.object_keys(BUCKET), ["plain", "x"], "{front:?}: k's latest is a marker");
        assert_eq!(get_bytes(&b, "k", Some(&v1)).unwrap(), b"one", "{front:?}");
        assert_eq!(get_bytes(&b, "k", Some(&v2)).unwrap(), b"second", "{front:?}");
        assert_eq!(get_bytes(&b, "plain", Some("null")).unwrap(), b"before versioning", "{front:?}");
        assert_eq!(get_bytes(&b, "x", None).unwrap(), b"x1", "{front:?}");
        let e = service_error(get_bytes(&b, "k", None).unwrap_err());
        assert_eq!((e.status, e.code.as_str()), (404, "NoSuchKey"), "{front:?}");
        // Removing the marker after the restart brings v2 back; a new write gets a fresh id.
        b.delete_object("k").version_id(&marker).send().unwrap();
        assert_eq!(get_bytes(&b, "k", None).unwrap(), b"second", "{front:?}");
        let v3 = b.put_object("k").body("third").send().unwrap().version_id.unwrap();
        assert!(![&v1, &v2, &marker].contains(&&v3), "{front:?}: {v3}");
        drop(h);
        let h = Harness::new(front, open());
        let b = h.client().bucket(BUCKET);
        assert_eq!(
            listed(&b.list_object_versions().prefix("k").send().unwrap()),
            [entry("k", &v3, true, "V5"), entry("k", &v2, false, "V6"), entry("k", &v1, false, "V3")],
            "{front:?}: the changes after the restart kept too"
        );
        drop(h);
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[test]
fn a_completed_multipart_upload_is_a_new_version() {
    for front in FRONTS {
        let h = Harness::new(front, Emulator::new());
        h.create_bucket();
        let client = h.client();
        let b = client.bucket(BUCKET);
        b.put_bucket_versioning(VersioningStatus::Enabled).send().unwrap();
        let first = b.put_object("big").body("small first").send().unwrap().version_id.unwrap();
        let upload = b.multipart_init("big").send().unwrap().upload_id;
        let part = b.multipart_upload("big", &upload, 1, "one part").send().unwrap().etag;
        let done = b.multipart_complete("big", &upload, [(1, part.as_str())]).send().unwrap();
        let id = done.version_id.expect("x-cos-version-id on Complete");
        assert_ne!(id, first, "{front:?}");
        assert_eq!(
            listed(&b.list_object_versions().send().unwrap()),
            [entry("big", &id, true, "V8"), entry("big", &first, false, "V11")],
            "{front:?}"
        );
        assert_eq!(get_bytes(&b, "big", Some(&first)).unwrap(), b"small first");
    }
}
