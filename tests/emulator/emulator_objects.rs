//! Objects: metadata, storage class, ranges, conditions, Content-MD5, CRC-64, copies, deletes,
//! on the emulator in-process and over HTTP.

use crate::support::emulator_support;

use emulator_support::{BUCKET, Harness, Raw, RawResponse};
use tencent_cos::checksum::{content_md5, crc64, md5_hex};
use tencent_cos::encode_key;

const BODY: &[u8] = b"hello from the cos emulator";
const PAST: &str = "Wed, 21 Oct 2015 07:28:00 GMT";
const FUTURE: &str = "Fri, 01 Jan 2100 00:00:00 GMT";

fn etag(data: &[u8]) -> String {
    format!("\"{}\"", md5_hex(data))
}

fn header_names(r: &RawResponse) -> Vec<String> {
    r.headers.iter().map(|(n, _)| n.to_owned()).collect()
}

fn put_get_head_metadata(h: &Harness) {
    h.create_bucket();
    let put = h
        .send(
            BUCKET,
            Raw::put()
                .key("docs/report 1.txt")
                .header("Content-Type", "text/plain; charset=utf-8")
                .header("Content-Disposition", "attachment; filename=\"r.txt\"")
                .header("Content-Encoding", "identity")
                .header("Content-Language", "en")
                .header("Cache-Control", "max-age=600")
                .header("Expires", FUTURE)
                .header("x-cos-meta-Author", "alice")
                .header("x-cos-meta-project", "emulator test")
                .header("x-cos-storage-class", "standard_ia")
                .body(BODY),
        )
        .ok();
    assert_eq!(put.status, 200);
    assert_eq!(put.header("etag"), Some(etag(BODY).as_str()));
    assert_eq!(put.header("x-cos-hash-crc64ecma"), Some(crc64(BODY).to_string().as_str()));
    assert!(put.body.is_empty());

    let got = h.send(BUCKET, Raw::get().key("docs/report 1.txt")).ok();
    assert_eq!(got.status, 200);
    assert_eq!(got.body, BODY);
    for (name, value) in [
        ("Content-Type", "text/plain; charset=utf-8"),
        ("Content-Disposition", "attachment; filename=\"r.txt\""),
        ("Content-Encoding", "identity"),
        ("Content-Language", "en"),
        ("Cache-Control", "max-age=600"),
        ("Expires", FUTURE),
        ("x-cos-meta-author", "alice"),
        ("x-cos-meta-project", "emulator test"),
        ("x-cos-storage-class", "STANDARD_IA"),
        ("Content-Length", "27"),
        ("Accept-Ranges", "bytes"),
        ("x-cos-object-type", "normal"),
    ] {
        assert_eq!(got.header(name), Some(value), "{name}");
    }
    assert_eq!(got.header("etag"), Some(etag(BODY).as_str()));
    assert_eq!(got.header("x-cos-hash-crc64ecma"), Some(crc64(BODY).to_string().as_str()));
    assert!(got.header("last-modified").is_some_and(|d| d.ends_with(" GMT")));
    // COS returns user metadata names lower-cased.
    assert!(header_names(&got).contains(&"x-cos-meta-author".to_owned()));

    let head = h.send(BUCKET, Raw::head().key("docs/report 1.txt")).ok();
    assert!(head.body.is_empty());
    assert_eq!(head.header("content-length"), Some("27"));
    assert_eq!(head.header("x-cos-meta-author"), Some("alice"));
    assert_eq!(head.header("x-cos-hash-crc64ecma"), got.header("x-cos-hash-crc64ecma"));

    // Defaults: the key's type, no storage-class header for STANDARD; an overwrite replaces all.
    h.put("docs/report 1.txt", b"v2");
    let plain = h.send(BUCKET, Raw::head().key("docs/report 1.txt")).ok();
    assert_eq!(plain.header("content-type"), Some("text/plain"));
    assert_eq!(plain.header("x-cos-storage-class"), None);
    assert_eq!(plain.header("x-cos-meta-author"), None);
    assert_eq!(plain.header("content-length"), Some("2"));

    let bad = h.send(BUCKET, Raw::put().key("x").header("x-cos-storage-class", "GLACIER").body("x"));
    assert_eq!(bad.code(), (400, "InvalidArgument".into()));
    let big_meta = h.send(BUCKET, Raw::put().key("x").header("x-cos-meta-big", &"m".repeat(3000)).body("x"));
    assert_eq!(big_meta.code(), (400, "MetadataTooLarge".into()));
}

/// Written with no Content-Type (or an empty one), an object takes its key's extension's type;
/// no or an unknown extension gives octet-stream; a type the client sends wins.
fn content_type_from_key(h: &Harness) {
    h.create_bucket();
    let cases = [
        ("a.zip", "application/zip"),
        ("notes.txt", "text/plain"),
        ("dir/PHOTO.JPG", "image/jpeg"),
        ("i.png", "image/png"),
        ("d.json", "application/json"),
        ("index.html", "text/html"),
        ("paper.pdf", "application/pdf"),
        ("clip.mp4", "video/mp4"),
        ("archive.tar.gz", "application/gzip"),
        ("noext", "application/octet-stream"),
        ("dir.txt/noext", "application/octet-stream"),
        ("x.unknownext", "application/octet-stream"),
    ];
    for (key, want) in cases {
        let put = h.send(BUCKET, Raw::put().key(key).body("b"));
        assert_eq!(put.status, 200, "{key}");
        let head = h.send(BUCKET, Raw::head().key(key)).ok();
        assert_eq!(head.header("content-type"), Some(want), "HEAD {key}");
        let get = h.send(BUCKET, Raw::get().key(key)).ok();
        assert_eq!((get.header("content-type"), get.body.as_slice()), (Some(want), &b"b"[..]), "GET {key}");
    }
    // An empty Content-Type counts as none.
    h.send(BUCKET, Raw::put().key("e.png").header("Content-Type", "").body("b")).ok();
    assert_eq!(h.send(BUCKET, Raw::head().key("e.png")).ok().header("content-type"), Some("image/png"));
    // A type the client sends wins.
    h.send(BUCKET, Raw::put().key("s.png").header("Content-Type", "text/x-mine").body("b")).ok();
    assert_eq!(h.send(BUCKET, Raw::head().key("s.png")).ok().header("content-type"), Some("text/x-mine"));

    // Through the typed API too.
    let bucket = h.client().bucket(BUCKET);
    bucket.put_object("typed.pdf").body(b"%PDF".to_vec()).send().unwrap();
    let head = bucket.head_object("typed.pdf").send().unwrap();
    assert_eq!(head.properties.content_type.as_deref(), Some("application/pdf"));

    // Initiate Multipart Upload: the completed object has the key's type, or the one sent.
    for (key, sent, want) in [("m.zip", None, "application/zip"), ("m2.zip", Some("text/x-sent"), "text/x-sent")] {
        let mut init = Raw::post().key(key).query("uploads", "");
        if let Some(t) = sent {
            init = init.header("Content-Type", t);
        }
        let id = h.send(BUCKET, init).ok().text_of("UploadId");
        let part = h.send(BUCKET, Raw::put().key(key).query("partNumber", "1").query("uploadId", &id).body("p")).ok();
        let etag = part.header("etag").unwrap().to_owned();
        let done = format!(
            "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>{etag}</ETag></Part></CompleteMultipartUpload>"
        );
        h.send(BUCKET, Raw::post().key(key).query("uploadId", &id).xml(&done)).ok();
        assert_eq!(h.send(BUCKET, Raw::head().key(key)).ok().header("content-type"), Some(want), "{key}");
    }
}

fn missing_objects(h: &Harness) {
    h.create_bucket();
    let r = h.send(BUCKET, Raw::get().key("nope"));
    assert_eq!(r.code(), (404, "NoSuchKey".into()));
    let e = r.error();
    assert_eq!(e.resource.as_deref().map(|s| s.ends_with("/nope")), Some(true));
    assert_eq!(e.request_id.as_deref(), r.header("x-cos-request-id"));
    assert!(e.trace_id.is_some());
    let head = h.send(BUCKET, Raw::head().key("nope"));
    assert_eq!((head.status, head.body.len()), (404, 0));
    assert_eq!(h.send("ghost-1250000000", Raw::get().key("nope")).code(), (404, "NoSuchBucket".into()));
}

fn ranges(h: &Harness) {
    h.create_bucket();
    h.put("r", BODY);
    let range = |spec: &str| h.send(BUCKET, Raw::get().key("r").header("Range", spec));
    let r = range("bytes=0-4");
    assert_eq!((r.status, r.body.as_slice()), (206, &b"hello"[..]));
    assert_eq!(r.header("content-range"), Some("bytes 0-4/27"));
    assert_eq!(r.header("content-length"), Some("5"));
    assert_eq!(r.header("x-cos-hash-crc64ecma"), Some(crc64(BODY).to_string().as_str()));
    assert_eq!(range("bytes=-8").body, b"emulator");
    assert_eq!(range("bytes=20-").body, b"mulator");
    assert_eq!(range("bytes=20-1000").header("content-range"), Some("bytes 20-26/27"));
    let whole = range("bytes=0-1,3-4");
    assert_eq!((whole.status, whole.body.len()), (200, 27));
    let r = range("bytes=27-");
    assert_eq!(r.code(), (416, "InvalidRange".into()));
    assert_eq!(r.header("content-range"), Some("bytes */27"));
    let head = h.send(BUCKET, Raw::head().key("r").header("Range", "bytes=1-2"));
    assert_eq!((head.status, head.header("content-length"), head.body.len()), (206, Some("2"), 0));
}

fn conditions(h: &Harness) {
    h.create_bucket();
    h.put("c", BODY);
    let tag = etag(BODY);
    let cond = |name: &str, value: &str| h.send(BUCKET, Raw::get().key("c").header(name, value));
    let not_modified = cond("If-None-Match", &tag);
    assert_eq!((not_modified.status, not_modified.body.len()), (304, 0));
    assert_eq!(not_modified.header("etag"), Some(tag.as_str()));
    assert_eq!(h.send(BUCKET, Raw::head().key("c").header("If-None-Match", &tag)).status, 304);
    assert_eq!(cond("If-None-Match", "\"other\"").status, 200);
    assert_eq!(cond("If-Match", &tag).status, 200);
    assert_eq!(cond("If-Match", "*").status, 200);
    assert_eq!(cond("If-Match", "\"other\"").code(), (412, "PreconditionFailed".into()));
    assert_eq!(cond("If-Modified-Since", FUTURE).status, 304);
    assert_eq!(cond("If-Modified-Since", PAST).status, 200);
    assert_eq!(cond("If-Modified-Since", "not a date").status, 200);
    assert_eq!(cond("If-Unmodified-Since", PAST).code(), (412, "PreconditionFailed".into()));
    assert_eq!(cond("If-Unmodified-Since", FUTURE).status, 200);
    // RFC 7232: an ETag condition takes precedence over its date counterpart.
    let both = h.send(BUCKET, Raw::get().key("c").header("If-Match", &tag).header("If-Unmodified-Since", PAST));
    assert_eq!(both.status, 200);
    let both = h.send(BUCKET, Raw::get().key("c").header("If-None-Match", "\"x\"").header("If-Modified-Since", FUTURE));
    assert_eq!(both.status, 200);
}

fn content_md5_checks(h: &Harness) {
    h.create_bucket();
    let ok = h.send(BUCKET, Raw::put().key("m").header("Content-MD5", &content_md5(BODY)).body(BODY));
    assert_eq!(ok.status, 200);
    let wrong = h.send(BUCKET, Raw::put().key("m2").header("Content-MD5", &content_md5(b"other")).body(BODY));
    assert_eq!(wrong.code(), (400, "BadDigest".into()));
    let garbled = h.send(BUCKET, Raw::put().key("m2").header("Content-MD5", "not base64!").body(BODY));
    assert_eq!(garbled.code(), (400, "InvalidDigest".into()));
    let short = h.send(BUCKET, Raw::put().key("m2").header("Content-MD5", "AAAA").body(BODY));
    assert_eq!(short.code(), (400, "InvalidDigest".into()));
    assert_eq!(h.emulator.object_keys(BUCKET), ["m"]);
    // Any request that sends one is checked, whatever the call.
    let init = h.send(BUCKET, Raw::post().key("u").query("uploads", "").header("Content-MD5", &content_md5(b"x")));
    assert_eq!(init.code(), (400, "BadDigest".into()));
    let empty = h.send(BUCKET, Raw::put().key("e").header("Content-MD5", &content_md5(b"")));
    assert_eq!(empty.status, 200);
    assert_eq!(empty.header("etag"), Some(etag(b"").as_str()));
}

fn response_overrides(h: &Harness) {
    h.create_bucket();
    h.put("o", BODY);
    let r = h
        .send(
            BUCKET,
            Raw::get()
                .key("o")
                .query("response-content-type", "text/html")
                .query("response-content-disposition", "inline")
                .query("response-cache-control", "no-cache")
                .query("response-expires", PAST)
                .query("response-content-language", "zh")
                .query("response-content-encoding", "gzip"),
        )
        .ok();
    for (name, value) in [
        ("content-type", "text/html"),
        ("content-disposition", "inline"),
        ("cache-control", "no-cache"),
        ("expires", PAST),
        ("content-language", "zh"),
        ("content-encoding", "gzip"),
    ] {
        assert_eq!(r.header(name), Some(value), "{name}");
    }
}

fn copy_source(key: &str) -> String {
    format!("{BUCKET}.cos.ap-guangzhou.myqcloud.com/{}", encode_key(key))
}

fn copies(h: &Harness) {
    h.create_bucket();
    let src = "folder/photo 1+2 (final)~*.jpg";
    h.send(
        BUCKET,
        Raw::put()
            .key(src)
            .header("Content-Type", "image/jpeg")
            .header("x-cos-meta-author", "alice")
            .header("x-cos-storage-class", "STANDARD_IA")
            .body(BODY),
    )
    .ok();
    let copy = h.send(BUCKET, Raw::put().key("copies/one.jpg").header("x-cos-copy-source", &copy_source(src))).ok();
    assert_eq!(copy.text_of("ETag"), etag(BODY));
    assert_eq!(copy.text_of("CRC64"), crc64(BODY).to_string());
    assert!(copy.text_of("LastModified").ends_with(".000Z"));
    assert_eq!(copy.header("x-cos-hash-crc64ecma"), Some(crc64(BODY).to_string().as_str()));
    let got = h.send(BUCKET, Raw::get().key("copies/one.jpg")).ok();
    assert_eq!(got.body, BODY);
    assert_eq!(got.header("content-type"), Some("image/jpeg"));
    assert_eq!(got.header("x-cos-meta-author"), Some("alice"));
    assert_eq!(got.header("x-cos-storage-class"), Some("STANDARD_IA"));

    // Replaced: metadata from the request only.
    h.send(
        BUCKET,
        Raw::put()
            .key("copies/two.jpg")
            .header("x-cos-copy-source", &copy_source(src))
            .header("x-cos-metadata-directive", "Replaced")
            .header("Content-Type", "image/png")
            .header("x-cos-meta-reviewer", "bob"),
    )
    .ok();
    let two = h.send(BUCKET, Raw::head().key("copies/two.jpg")).ok();
    assert_eq!(two.header("content-type"), Some("image/png"));
    assert_eq!(two.header("x-cos-meta-reviewer"), Some("bob"));
    assert_eq!(two.header("x-cos-meta-author"), None);
    assert_eq!(two.header("x-cos-storage-class"), None);

    // Onto itself: only with Replaced.
    let onto_self = h.send(BUCKET, Raw::put().key(src).header("x-cos-copy-source", &copy_source(src)));
    assert_eq!(onto_self.code(), (400, "InvalidRequest".into()));
    let replaced = h.send(
        BUCKET,
        Raw::put()
            .key(src)
            .header("x-cos-copy-source", &copy_source(src))
            .header("x-cos-metadata-directive", "Replaced")
            .header("x-cos-meta-author", "carol"),
    );
    assert_eq!(replaced.status, 200);
    assert_eq!(h.send(BUCKET, Raw::head().key(src)).ok().header("x-cos-meta-author"), Some("carol"));

    let copy_with = |name: &str, value: &str| {
        h.send(
            BUCKET,
            Raw::put().key("copies/c.jpg").header("x-cos-copy-source", &copy_source(src)).header(name, value),
        )
    };
    let pre = (412, "PreconditionFailed".to_owned());
    assert_eq!(copy_with("x-cos-copy-source-If-Match", "\"nope\"").code(), pre);
    assert_eq!(copy_with("x-cos-copy-source-If-None-Match", &etag(BODY)).code(), pre);
    assert_eq!(copy_with("x-cos-copy-source-If-Modified-Since", FUTURE).code(), pre);
    assert_eq!(copy_with("x-cos-copy-source-If-Unmodified-Since", PAST).code(), pre);
    assert_eq!(copy_with("x-cos-copy-source-If-Match", &etag(BODY)).status, 200);
    assert_eq!(copy_with("x-cos-copy-source-If-Modified-Since", PAST).status, 200);
    assert_eq!(copy_with("x-cos-metadata-directive", "Merge").code(), (400, "InvalidArgument".into()));

    let missing = h.send(BUCKET, Raw::put().key("c2").header("x-cos-copy-source", &copy_source("ghost")));
    assert_eq!(missing.code(), (404, "NoSuchKey".into()));
    let garbled = h.send(BUCKET, Raw::put().key("c2").header("x-cos-copy-source", "no-slash-at-all"));
    assert_eq!(garbled.code(), (400, "InvalidArgument".into()));
    let bad_escape =
        h.send(BUCKET, Raw::put().key("c2").header("x-cos-copy-source", &format!("{}%zz", copy_source("a"))));
    assert_eq!(bad_escape.code(), (400, "InvalidArgument".into()));
}

fn deletes(h: &Harness) {
    h.create_bucket();
    h.put("d1", b"1");
    let weird = "中文/a&b <c> \"d\" 'e'.txt";
    h.put(weird, b"2");
    h.put("d3", b"3");
    assert_eq!(h.send(BUCKET, Raw::delete().key("d3")).status, 204);
    assert_eq!(h.send(BUCKET, Raw::delete().key("d3")).status, 204);

    let xml = |quiet: bool| {
        format!(
            "<Delete><Object><Key>d1</Key></Object><Object><Key>中文/a&amp;b &lt;c&gt; &quot;d&quot; &apos;e&apos;.txt</Key></Object><Object><Key>never</Key></Object><Quiet>{quiet}</Quiet></Delete>"
        )
    };
    let verbose = h.send(BUCKET, Raw::post().query("delete", "").xml(&xml(false))).ok();
    assert_eq!(
        verbose.text(),
        "<?xml version='1.0' encoding='utf-8' ?>\n<DeleteResult><Deleted><Key>d1</Key></Deleted><Deleted><Key>中文/a&amp;b &lt;c&gt; &quot;d&quot; &apos;e&apos;.txt</Key></Deleted><Deleted><Key>never</Key></Deleted></DeleteResult>"
    );
    assert!(h.emulator.object_keys(BUCKET).is_empty());
    h.put("d1", b"1");
    let quiet = h.send(BUCKET, Raw::post().query("delete", "").xml(&xml(true))).ok();
    assert_eq!(quiet.text(), "<?xml version='1.0' encoding='utf-8' ?>\n<DeleteResult></DeleteResult>");
    assert!(h.emulator.object_keys(BUCKET).is_empty());

    let body = xml(false);
    let no_md5 =
        h.send(BUCKET, Raw::post().query("delete", "").header("Content-Type", "application/xml").body(body.clone()));
    assert_eq!(no_md5.code(), (400, "InvalidRequest".into()));
    let wrong_md5 =
        h.send(BUCKET, Raw::post().query("delete", "").header("Content-MD5", &content_md5(b"x")).body(body));
    assert_eq!(wrong_md5.code(), (400, "BadDigest".into()));
    for bad in [
        "<Delete>",
        "<Delete></Delete>",
        "<Remove><Object><Key>a</Key></Object></Remove>",
        "<Delete><Object/></Delete>",
    ] {
        assert_eq!(
            h.send(BUCKET, Raw::post().query("delete", "").xml(bad)).code(),
            (400, "MalformedXML".into()),
            "{bad}"
        );
    }
    let too_many: String = (0..1001).map(|i| format!("<Object><Key>k{i}</Key></Object>")).collect();
    let r = h.send(BUCKET, Raw::post().query("delete", "").xml(&format!("<Delete>{too_many}</Delete>")));
    assert_eq!(r.code(), (400, "MalformedXML".into()));
}

fn unsupported_calls(h: &Harness) {
    h.create_bucket();
    let r = h.send(BUCKET, Raw::get().query("notification", ""));
    assert_eq!(r.code(), (501, "NotImplemented".into()));
    assert_eq!(h.send(BUCKET, Raw::get().key("k").query("symlink", "")).code(), (501, "NotImplemented".into()));
}

on_both_fronts!(
    put_get_head_metadata,
    content_type_from_key,
    missing_objects,
    ranges,
    conditions,
    content_md5_checks,
    response_overrides,
    copies,
    deletes,
    unsupported_calls,
);
