//! Objects: PUT from every kind of body, HEAD and GET with metadata, ranges, conditions and
//! response overrides, copies, deletes.

use std::collections::BTreeMap;
use std::io::Cursor;
use std::time::{Duration, SystemTime};

use tencent_cos::Error;
use tencent_cos::api::ByteRange;
use tencent_cos::api::MetadataDirective;
use tencent_cos::checksum::crc64;
use tencent_cos::http::Method;

use crate::support::capability_support::{BUCKET, Env, REGION, TempFile, etag_of, failure, pattern};

/// PUT Object from bytes, `&str`, `String`, a file, a reader with its length, and nothing.
pub fn put_object_bodies(env: &Env) {
    let bucket = env.create_bucket();
    let file_data = pattern(70_000, 1);
    let file = TempFile::new(&file_data);
    let reader_data = pattern(12_345, 2);
    let cases: Vec<(&str, Vec<u8>, tencent_cos::Result<_>)> = vec![
        ("bytes.bin", vec![0, 1, 2, 255], bucket.put_object("bytes.bin").body(vec![0u8, 1, 2, 255]).send()),
        ("str.txt", b"hello, COS".to_vec(), bucket.put_object("str.txt").body("hello, COS").send()),
        (
            "string.txt",
            "\u{4f60}\u{597d}".as_bytes().to_vec(),
            bucket.put_object("string.txt").body(String::from("\u{4f60}\u{597d}")).send(),
        ),
        ("file.bin", file_data.clone(), bucket.put_object("file.bin").body_file(file.path.as_path()).send()),
        (
            "reader.bin",
            reader_data.clone(),
            bucket.put_object("reader.bin").body_reader(Cursor::new(reader_data.clone()), 12_345).send(),
        ),
        ("folder/", Vec::new(), bucket.put_object("folder/").send()),
        ("md5.txt", b"checked".to_vec(), bucket.put_object("md5.txt").body("checked").content_md5(true).send()),
        (
            "continue.txt",
            b"after 100".to_vec(),
            bucket.put_object("continue.txt").body("after 100").expect("100-continue").send(),
        ),
    ];
    for (key, data, result) in cases {
        let out = result.unwrap_or_else(|e| panic!("{key}: {e}"));
        assert_eq!(out.meta.status, 200, "{key}");
        assert_eq!(out.etag.as_deref(), Some(etag_of(&data).as_str()), "{key}");
        assert_eq!(out.crc64, Some(crc64(&data)), "{key}");
        assert_eq!(env.emulator.object_bytes(BUCKET, key), Some(data), "{key}");
    }
    assert_eq!(
        bucket.put_object("empty.txt").body("").send().unwrap().etag.as_deref(),
        Some("\"d41d8cd98f00b204e9800998ecf8427e\"")
    );

    let out = bucket.put_object("dir/a b.txt").body("x").send().unwrap();
    let location = match env.server_url() {
        Some(url) => format!("{}/{BUCKET}/dir/a%20b.txt", url.trim_start_matches("http://")),
        None => format!("{BUCKET}.cos.{REGION}.myqcloud.com/dir/a%20b.txt"),
    };
    assert_eq!(out.location, location);
    assert!(out.meta.request_id().is_some());

    // Refused before any request: a length that is not the body's, a file that is not there.
    let wrong_length = bucket.put_object("x").body("four").content_length(5).send();
    assert!(matches!(wrong_length, Err(Error::InvalidArgument { field: "content_length", .. })), "{wrong_length:?}");
    let no_file = bucket.put_object("x").body_file("/nonexistent/tencent-cos-capability").send();
    assert!(matches!(no_file, Err(Error::Io(_))), "{no_file:?}");
    assert_eq!(env.emulator.object_keys(BUCKET).iter().filter(|k| *k == "x").count(), 0);
}

/// Content headers, `x-cos-meta-*` and the storage class come back from HEAD, GET and listings.
pub fn object_metadata(env: &Env) {
    let bucket = env.create_bucket();
    let data = b"name,score\nalice,3\n";
    let put = bucket
        .put_object("report.csv")
        .body(&data[..])
        .content_type("text/csv")
        .cache_control("max-age=60")
        .content_disposition("attachment; filename=\"report.csv\"")
        .content_encoding("identity")
        .expires("Thu, 01 Dec 2094 16:00:00 GMT")
        .meta("Author", "alice")
        .meta("project", "q3 \u{e9}t\u{e9}")
        .storage_class("STANDARD_IA")
        .send()
        .unwrap();

    let head = bucket.head_object("report.csv").send().unwrap();
    assert_eq!(head.meta.status, 200);
    assert!(!head.not_modified);
    let p = &head.properties;
    assert_eq!(p.content_length, Some(data.len() as u64));
    assert_eq!(p.content_type.as_deref(), Some("text/csv"));
    assert_eq!(p.etag, put.etag);
    assert_eq!(p.etag.as_deref(), Some(etag_of(data).as_str()));
    assert_eq!(p.cache_control.as_deref(), Some("max-age=60"));
    assert_eq!(p.content_disposition.as_deref(), Some("attachment; filename=\"report.csv\""));
    assert_eq!(p.content_encoding.as_deref(), Some("identity"));
    assert_eq!(p.expires.as_deref(), Some("Thu, 01 Dec 2094 16:00:00 GMT"));
    let meta: BTreeMap<String, String> =
        [("author", "alice"), ("project", "q3 \u{e9}t\u{e9}")].into_iter().map(|(k, v)| (k.into(), v.into())).collect();
    assert_eq!(p.meta, meta);
    assert_eq!(p.storage_class, "STANDARD_IA");
    assert_eq!(p.crc64, Some(crc64(data)));
    assert_eq!(p.object_type.as_deref(), Some("normal"));
    let modified = p.last_modified_time().expect("Last-Modified is an HTTP date");
    let age = SystemTime::now().duration_since(modified).unwrap_or_default();
    assert!(age < Duration::from_secs(60), "{age:?}");

    let get = bucket.get_object("report.csv").send().unwrap();
    assert_eq!(get.meta.status, 200);
    assert_eq!(get.properties, head.properties);
    assert_eq!(get.bytes().unwrap(), data);

    let listed = bucket.get_bucket().send().unwrap();
    assert_eq!(listed.contents.len(), 1);
    assert_eq!(listed.contents[0].storage_class, "STANDARD_IA");

    // Unknown storage classes are COS's to refuse.
    let bad = bucket.put_object("x").body("x").storage_class("COLDEST").send();
    assert_eq!(failure(bad), (400, "InvalidArgument".into()));
    let missing = bucket.head_object("nothing-here").send().unwrap_err();
    assert_eq!((missing.status(), missing.code()), (Some(404), Some("404")));
}

/// HEAD with If-Modified-Since and If-None-Match: 304, not an error.
pub fn head_object_conditions(env: &Env) {
    let bucket = env.create_bucket();
    let etag = bucket.put_object("a.txt").body("abc").send().unwrap().etag.unwrap();
    let last_modified = bucket.head_object("a.txt").send().unwrap().properties.last_modified.unwrap();
    let hour_ago = SystemTime::now() - Duration::from_secs(3600);

    let same = bucket.head_object("a.txt").if_modified_since(last_modified.as_str()).send().unwrap();
    assert_eq!((same.meta.status, same.not_modified), (304, true));
    assert_eq!(same.properties.etag.as_deref(), Some(etag.as_str()));
    let changed = bucket.head_object("a.txt").if_modified_since(hour_ago).send().unwrap();
    assert_eq!((changed.meta.status, changed.not_modified), (200, false));

    let matching = bucket.head_object("a.txt").if_none_match(etag.as_str()).send().unwrap();
    assert_eq!((matching.meta.status, matching.not_modified), (304, true));
    let other = bucket.head_object("a.txt").if_none_match("\"0123456789abcdef0123456789abcdef\"").send().unwrap();
    assert_eq!((other.meta.status, other.properties.content_length), (200, Some(3)));

    let failed = bucket.head_object("a.txt").if_match("\"0123456789abcdef0123456789abcdef\"").send().unwrap_err();
    assert!(failed.is_precondition_failed(), "{failed}");
    assert_eq!(bucket.head_object("a.txt").if_match(etag.as_str()).send().unwrap().meta.status, 200);
}

/// GET ranges (206 with the bytes, 416 InvalidRange), conditions (304, 412) and `response-*`.
pub fn get_object_ranges_conditions_overrides(env: &Env) {
    let bucket = env.create_bucket();
    let data = b"abcdefghijklmnopqrstuvwxyz";
    let etag = bucket.put_object("abc.txt").body(&data[..]).content_type("text/plain").send().unwrap().etag.unwrap();

    let first = bucket.get_object("abc.txt").range(0..=4).send().unwrap();
    assert_eq!(first.meta.status, 206);
    assert_eq!(first.content_range.as_deref(), Some("bytes 0-4/26"));
    assert_eq!(first.properties.content_length, Some(5));
    assert_eq!(first.properties.etag.as_deref(), Some(etag.as_str()));
    assert_eq!(first.bytes().unwrap(), b"abcde");
    let tail = bucket.get_object("abc.txt").range(20..).send().unwrap();
    assert_eq!((tail.meta.status, tail.content_range.clone()), (206, Some("bytes 20-25/26".into())));
    assert_eq!(tail.bytes().unwrap(), b"uvwxyz");
    let suffix = bucket.get_object("abc.txt").range_header("bytes=-3").send().unwrap();
    assert_eq!(suffix.bytes().unwrap(), b"xyz");
    let clipped = bucket.get_object("abc.txt").range(24..=100).send().unwrap();
    assert_eq!(clipped.content_range.as_deref(), Some("bytes 24-25/26"));
    assert_eq!(clipped.bytes().unwrap(), b"yz");

    let beyond = bucket.get_object("abc.txt").range(26..).send().unwrap_err();
    assert_eq!((beyond.status(), beyond.code()), (Some(416), Some("InvalidRange")));
    assert_eq!(beyond.service().unwrap().message, "The requested range is not satisfiable.");
    assert!(matches!(
        bucket.get_object("abc.txt").range(ByteRange::Inclusive { start: 5, end: 4 }).send(),
        Err(Error::InvalidArgument { field: "range", .. })
    ));

    let cached = bucket.get_object("abc.txt").if_none_match(etag.as_str()).send().unwrap();
    assert_eq!((cached.meta.status, cached.not_modified), (304, true));
    assert_eq!(cached.bytes().unwrap(), b"");
    let hour_ago = SystemTime::now() - Duration::from_secs(3600);
    let stale = bucket.get_object("abc.txt").if_unmodified_since(hour_ago).send().unwrap_err();
    assert_eq!((stale.status(), stale.code()), (Some(412), Some("PreconditionFailed")));
    let wrong = bucket.get_object("abc.txt").if_match("\"0123456789abcdef0123456789abcdef\"").send().unwrap_err();
    assert_eq!((wrong.status(), wrong.code()), (Some(412), Some("PreconditionFailed")));
    let fresh = bucket.get_object("abc.txt").if_match(etag.as_str()).if_modified_since(hour_ago).send().unwrap();
    assert_eq!(fresh.bytes().unwrap(), data);

    let overridden = bucket
        .get_object("abc.txt")
        .response_content_type("text/csv")
        .response_content_language("fr")
        .response_expires("Thu, 01 Dec 2094 16:00:00 GMT")
        .response_cache_control("no-store")
        .response_content_disposition("attachment; filename=\"abc.csv\"")
        .response_content_encoding("identity")
        .send()
        .unwrap();
    let p = &overridden.properties;
    assert_eq!(p.content_type.as_deref(), Some("text/csv"));
    assert_eq!(overridden.meta.header("content-language"), Some("fr"));
    assert_eq!(p.expires.as_deref(), Some("Thu, 01 Dec 2094 16:00:00 GMT"));
    assert_eq!(p.cache_control.as_deref(), Some("no-store"));
    assert_eq!(p.content_disposition.as_deref(), Some("attachment; filename=\"abc.csv\""));
    assert_eq!(p.content_encoding.as_deref(), Some("identity"));
    assert_eq!(overridden.bytes().unwrap(), data);
    // The stored object is unchanged.
    let plain = bucket.head_object("abc.txt").send().unwrap();
    assert_eq!(plain.properties.content_type.as_deref(), Some("text/plain"));
    assert_eq!(plain.properties.content_disposition, None);

    assert_eq!(failure(bucket.get_object("none.txt").send()), (404, "NoSuchKey".into()));
}

/// PUT Object - Copy with the Copy and Replaced directives; onto itself only with Replaced.
pub fn put_object_copy(env: &Env) {
    let bucket = env.create_bucket();
    let data = pattern(4096, 7);
    let etag = bucket
        .put_object("src/a b.bin")
        .body(data.clone())
        .content_type("application/x-demo")
        .meta("origin", "source")
        .send()
        .unwrap()
        .etag
        .unwrap();

    let copied =
        bucket.put_object_copy("dst/copy.bin").copy_source_object(BUCKET, REGION, "src/a b.bin").send().unwrap();
    assert_eq!(copied.meta.status, 200);
    assert_eq!(copied.etag, etag);
    assert_eq!(copied.crc64, Some(crc64(&data)));
    assert!(!copied.last_modified.is_empty());
    assert_eq!(env.emulator.object_bytes(BUCKET, "dst/copy.bin"), Some(data.clone()));
    let head = bucket.head_object("dst/copy.bin").send().unwrap().properties;
    assert_eq!(head.content_type.as_deref(), Some("application/x-demo"));
    assert_eq!(head.meta.get("origin").map(String::as_str), Some("source"));

    let replaced = bucket
        .put_object_copy("dst/replaced.bin")
        .copy_source(format!("{BUCKET}.cos.{REGION}.myqcloud.com/src/a%20b.bin"))
        .metadata_directive(MetadataDirective::Replaced)
        .content_type("text/plain")
        .meta("origin", "replaced")
        .send()
        .unwrap();
    assert_eq!(replaced.etag, etag);
    let head = bucket.head_object("dst/replaced.bin").send().unwrap().properties;
    assert_eq!(head.content_type.as_deref(), Some("text/plain"));
    assert_eq!(head.meta.get("origin").map(String::as_str), Some("replaced"));

    let onto_itself = bucket.put_object_copy("src/a b.bin").copy_source_object(BUCKET, REGION, "src/a b.bin");
    let refused = onto_itself.metadata_directive(MetadataDirective::Copy).send().unwrap_err();
    assert_eq!((refused.status(), refused.code()), (Some(400), Some("InvalidRequest")));
    let in_place = bucket
        .put_object_copy("src/a b.bin")
        .copy_source_object(BUCKET, REGION, "src/a b.bin")
        .metadata_directive(MetadataDirective::Replaced)
        .meta("origin", "rewritten")
        .send()
        .unwrap();
    assert_eq!(in_place.etag, etag);
    let head = bucket.head_object("src/a b.bin").send().unwrap().properties;
    assert_eq!(head.meta.get("origin").map(String::as_str), Some("rewritten"));
    assert_eq!(env.emulator.object_bytes(BUCKET, "src/a b.bin"), Some(data));

    let guarded = bucket
        .put_object_copy("dst/guarded.bin")
        .copy_source_object(BUCKET, REGION, "src/a b.bin")
        .copy_source_if_match("\"0123456789abcdef0123456789abcdef\"")
        .send();
    assert_eq!(failure(guarded), (412, "PreconditionFailed".into()));
    let missing = bucket.put_object_copy("dst/x").copy_source_object(BUCKET, REGION, "no/such.bin").send();
    assert_eq!(failure(missing), (404, "NoSuchKey".into()));
    assert!(matches!(bucket.put_object_copy("dst/x").send(), Err(Error::InvalidArgument { field: "copy_source", .. })));
}

/// DELETE Object and Delete Multiple Objects, verbose and quiet.
pub fn delete_objects(env: &Env) {
    let bucket = env.create_bucket();
    for key in ["a.txt", "b.txt", "c&d.txt", "e.txt", "f.txt"] {
        bucket.put_object(key).body(key).send().unwrap();
    }
    assert_eq!(bucket.delete_object("a.txt").send().unwrap().meta.status, 204);
    // Deleting what is not there succeeds too, as COS does.
    assert_eq!(bucket.delete_object("a.txt").send().unwrap().meta.status, 204);
    assert!(bucket.head_object("a.txt").send().unwrap_err().is_not_found());

    let verbose = bucket.delete_multiple_object(["b.txt", "c&d.txt"]).object("never-there.txt").send().unwrap();
    assert_eq!(verbose.meta.status, 200);
    let deleted: Vec<&str> = verbose.deleted.iter().map(|d| d.key.as_str()).collect();
    assert_eq!(deleted, ["b.txt", "c&d.txt", "never-there.txt"]);
    assert!(verbose.errors.is_empty());

    let quiet = bucket.delete_multiple_object(["e.txt", "f.txt"]).quiet(true).send().unwrap();
    assert_eq!(quiet.meta.status, 200);
    assert!(quiet.deleted.is_empty() && quiet.errors.is_empty(), "{quiet:?}");
    assert!(env.emulator.object_keys(BUCKET).is_empty());

    let none: [&str; 0] = [];
    assert!(matches!(bucket.delete_multiple_object(none).send(), Err(Error::InvalidArgument { .. })));
    let too_many = bucket.delete_multiple_object((0..1001).map(|i| format!("k{i}"))).send();
    assert!(matches!(too_many, Err(Error::InvalidArgument { .. })), "{too_many:?}");
    // Only the owner of the bucket (or a grantee) may delete.
    let denied = env.other().delete_multiple_object(["x"]).send();
    assert_eq!(failure(denied), (403, "AccessDenied".into()));
}

/// Keys that need encoding in a path, a signature, a copy source, XML and a listing.
const TRICKY_KEYS: [&str; 11] = [
    "dir/a+b c&d=e?f#g.txt",
    "\u{4e2d}\u{6587}/\u{6587}\u{4ef6}.txt",
    "~t/(p)'q'!*.txt",
    "double//slash.txt",
    "trailing space ",
    "%41literal.txt",
    "semi;colon,comma:colon@at$dollar.txt",
    "./dot/../x.txt",
    "back\\slash.txt",
    "tab\there.txt",
    "emoji\u{1f600}.txt",
];

/// Every call that names a key, with keys full of characters that need encoding.
pub fn tricky_keys(env: &Env) {
    let bucket = env.create_bucket();
    for key in TRICKY_KEYS {
        let put = bucket.put_object(key).body(key).send().unwrap_or_else(|e| panic!("{key:?}: {e}"));
        assert_eq!(put.etag, Some(etag_of(key.as_bytes())), "{key:?}");
        assert_eq!(bucket.get_object(key).send().unwrap().bytes().unwrap(), key.as_bytes(), "{key:?}");
        assert_eq!(bucket.head_object(key).send().unwrap().properties.content_length, Some(key.len() as u64));
        let copy = bucket.put_object_copy(format!("copy/{key}")).copy_source_object(BUCKET, REGION, key).send();
        assert_eq!(copy.unwrap().etag, etag_of(key.as_bytes()), "{key:?}");
        let url = bucket.get_object_url(key).build().unwrap();
        let fetched = env.fetch(Method::Get, &url, b"");
        assert_eq!((fetched.status, fetched.body.as_slice()), (200, key.as_bytes()), "{key:?} {url}");
        bucket.multipart_init(key).send().unwrap();
    }

    let mut expected: Vec<String> = TRICKY_KEYS.iter().flat_map(|k| [k.to_string(), format!("copy/{k}")]).collect();
    expected.sort();
    assert_eq!(env.emulator.object_keys(BUCKET), expected);
    let listed: Vec<String> = bucket.get_bucket().encoding_type("url").objects().map(|o| o.unwrap().key).collect();
    assert_eq!(listed, expected);
    let root = bucket.get_bucket().encoding_type("url").delimiter("/").send().unwrap();
    let top: Vec<&str> = root.contents.iter().map(|o| o.key.as_str()).collect();
    let mut top_expected: Vec<&str> = TRICKY_KEYS.iter().copied().filter(|k| !k.contains('/')).collect();
    top_expected.sort();
    assert_eq!(top, top_expected);
    assert_eq!(root.common_prefixes, ["./", "copy/", "dir/", "double/", "~t/", "\u{4e2d}\u{6587}/"]);

    let uploads: Vec<String> =
        bucket.multipart_list().encoding_type("url").all_uploads().unwrap().into_iter().map(|u| u.key).collect();
    let mut sorted_keys: Vec<String> = TRICKY_KEYS.iter().map(|k| k.to_string()).collect();
    sorted_keys.sort();
    assert_eq!(uploads, sorted_keys);
    for upload in bucket.multipart_list().all_uploads().unwrap() {
        bucket.multipart_abort(&upload.key, &upload.upload_id).send().unwrap();
    }
    assert!(env.emulator.pending_uploads(BUCKET).is_empty());

    let deleted = bucket.delete_multiple_object(TRICKY_KEYS).send().unwrap();
    let deleted: Vec<&str> = deleted.deleted.iter().map(|d| d.key.as_str()).collect();
    assert_eq!(deleted, TRICKY_KEYS);
    let copies: Vec<String> = TRICKY_KEYS.iter().map(|k| format!("copy/{k}")).collect();
    assert_eq!(bucket.delete_multiple_object(&copies).quiet(true).send().unwrap().errors.len(), 0);
    assert!(env.emulator.object_keys(BUCKET).is_empty());
}
