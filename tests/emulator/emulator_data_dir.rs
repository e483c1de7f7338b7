//! `EmulatorBuilder::data_dir`: buckets, objects (bytes, ETag, CRC-64, headers), ACLs, CORS,
//! object tags, restores, retentions, appendable objects and unfinished multipart uploads survive
//! a restart on the same directory, and records of the previous format still load; bodies stream
//! to disk with the memory bounded. Over the HTTP front (the restart tests of one kind of state
//! each: both fronts). Bucket configurations: `emulator_bucket_configs.rs`; versions and delete
//! markers: `emulator_versions.rs`.

use crate::support::emulator_support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use emulator_support::{BUCKET, Front, Harness, Raw, RawResponse, get_bytes, on_clock};
use md5::{Digest, Md5};
use sha1::Sha1;
use tencent_cos::api::{ObjectLockConfiguration, Retention, Tag, VersionListEntry, VersioningStatus};
use tencent_cos::emulator::{DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, Emulator};
use tencent_cos::unversioned::signing::sign_parts;
use tencent_cos::{Bucket, Client, Error};

const MIB: usize = 1 << 20;
/// The memory test measures the whole process: the others wait for it.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// A fresh directory under the system's temporary directory, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("cos-emulator-data-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `len` bytes of a pattern that differs with `seed` and along the object.
fn pattern(seed: u8, len: usize) -> Vec<u8> {
    (0..len).map(|i| (i as u32).wrapping_mul(2_654_435_761).to_le_bytes()[1] ^ seed).collect()
}

fn served(dir: &Path) -> Harness {
    Harness::new(Front::Http, Emulator::builder().data_dir(dir).try_build().expect("open the data directory"))
}

/// The headers that must be identical after a restart (not Date or request ids).
fn kept_headers(r: &RawResponse) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = r
        .headers
        .iter()
        .map(|(n, v)| (n.to_ascii_lowercase(), v.to_owned()))
        .filter(|(n, _)| !matches!(n.as_str(), "date" | "x-cos-request-id" | "x-cos-trace-id" | "server"))
        .collect();
    v.sort();
    v
}

const CORS: &str = "<CORSConfiguration><CORSRule><ID>r1</ID><AllowedOrigin>https://a.example</AllowedOrigin>\
<AllowedMethod>GET</AllowedMethod><AllowedMethod>PUT</AllowedMethod><AllowedHeader>x-cos-*</AllowedHeader>\
<ExposeHeader>ETag</ExposeHeader><MaxAgeSeconds>600</MaxAgeSeconds></CORSRule><ResponseVary>true</ResponseVary>\
</CORSConfiguration>";
const GRANT: &str = "id=\"qcs::cam::uin/100000000002:uin/100000000002\"";

#[test]
fn objects_acls_cors_and_uploads_survive_a_restart() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let dir = TempDir::new("restart");
    let big = pattern(3, 6 * MIB + 123);
    let part1 = pattern(5, MIB + 7);
    let objects = ["small.txt", "big.bin", "copy.bin", "secret.bin", "dir/z"];
    let (before, upload_id) = {
        let h = served(&dir.0);
        h.create_bucket();
        h.send(BUCKET, Raw::put().query("acl", "").header("x-cos-grant-read", GRANT)).ok();
        h.send(BUCKET, Raw::put().query("cors", "").xml(CORS)).ok();
        h.send(
            BUCKET,
            Raw::put()
                .key("small.txt")
                .header("x-cos-meta-Author", "alice")
                .header("Cache-Control", "max-age=60")
                .header("Content-Disposition", "attachment")
                .header("x-cos-storage-class", "STANDARD_IA")
                .header("x-cos-acl", "public-read")
                .body("hello, disk"),
        )
        .ok();
        h.send(BUCKET, Raw::put().key("big.bin").header("Content-Type", "video/mp4").body(big.clone())).ok();
        let source = format!("{BUCKET}.cos.ap-guangzhou.myqcloud.com/big.bin");
        h.send(BUCKET, Raw::put().key("copy.bin").header("x-cos-copy-source", &source)).ok();
        h.send(BUCKET, Raw::put().key("secret.bin").header("x-cos-server-side-encryption", "AES256").body("s")).ok();
        h.put("dir/z", b"");
        h.put("gone.txt", b"deleted before the restart");
        h.send(BUCKET, Raw::delete().key("gone.txt")).ok();
        h.send(BUCKET, Raw::put().key("dir/z").query("acl", "").header("x-cos-grant-write", GRANT)).ok();
        let init = h.send(BUCKET, Raw::post().key("multi.bin").query("uploads", "").header("x-cos-meta-k", "v")).ok();
        let id = init.text_of("UploadId");
        h.send(BUCKET, Raw::put().key("multi.bin").query("partNumber", "1").query("uploadId", &id).body(part1.clone()))
            .ok();
        let aborted = h.send(BUCKET, Raw::post().key("aborted.bin").query("uploads", "")).ok().text_of("UploadId");
        h.send(BUCKET, Raw::delete().key("aborted.bin").query("uploadId", &aborted)).ok();

        let mut seen = Vec::new();
        for key in objects {
            let get = h.send(BUCKET, Raw::get().key(key)).ok();
            let acl = h.send(BUCKET, Raw::get().key(key).query("acl", "")).ok();
            seen.push((key, kept_headers(&get), get.body, acl.body));
        }
        let bucket_acl = h.send(BUCKET, Raw::get().query("acl", "")).ok().body;
        let cors = h.send(BUCKET, Raw::get().query("cors", "")).ok().body;
        let listing = h.send(BUCKET, Raw::get()).ok().texts("Key");
        let service = h.service(&h.client()).ok().text();
        ((seen, bucket_acl, cors, listing, h.emulator.pending_uploads(BUCKET), service), id)
        // The server and the emulator are dropped here.
    };

    let h = served(&dir.0);
    let (seen, bucket_acl, cors, listing, uploads, service) = before;
    assert_eq!(h.emulator.bucket_names(), [BUCKET]);
    assert_eq!(h.service(&h.client()).ok().text(), service, "GET Service: the same owner and CreationDate");
    assert!(service.contains("<CreationDate>"), "{service}");
    assert_eq!(h.send(BUCKET, Raw::get()).ok().texts("Key"), listing);
    assert_eq!(listing, ["big.bin", "copy.bin", "dir/z", "secret.bin", "small.txt"]);
    for (key, headers, body, acl) in seen {
        let get = h.send(BUCKET, Raw::get().key(key)).ok();
        assert_eq!(kept_headers(&get), headers, "{key}");
        assert!(get.body == body, "{key}: bytes differ");
        assert_eq!(h.send(BUCKET, Raw::get().key(key).query("acl", "")).ok().body, acl, "{key} ACL");
    }
    let big_get = h.send(BUCKET, Raw::get().key("big.bin")).ok();
    assert!(big_get.body == big);
    assert_eq!(big_get.header("x-cos-hash-crc64ecma"), Some(tencent_cos::checksum::crc64(&big).to_string().as_str()));
    let small = h.send(BUCKET, Raw::head().key("small.txt")).ok();
    assert_eq!(
        (small.header("x-cos-meta-author"), small.header("x-cos-storage-class"), small.header("cache-control")),
        (Some("alice"), Some("STANDARD_IA"), Some("max-age=60"))
    );
    assert_eq!(h.send(BUCKET, Raw::get().query("acl", "")).ok().body, bucket_acl);
    assert_eq!(h.send(BUCKET, Raw::get().query("cors", "")).ok().body, cors);
    assert!(String::from_utf8_lossy(&cors).contains("<AllowedOrigin>https://a.example</AllowedOrigin>"));
    assert_eq!(h.emulator.object_bytes(BUCKET, "gone.txt"), None);

    // The unfinished upload is listed, and completed after the restart.
    assert_eq!(uploads, [("multi.bin".to_owned(), upload_id.clone())]);
    assert_eq!(h.emulator.pending_uploads(BUCKET), uploads);
    let listed = h.send(BUCKET, Raw::get().query("uploads", "")).ok();
    assert_eq!(listed.texts("UploadId"), std::slice::from_ref(&upload_id));
    let parts = h.send(BUCKET, Raw::get().key("multi.bin").query("uploadId", &upload_id)).ok();
    assert_eq!(parts.texts("Size"), [(MIB + 7).to_string()]);
    let etag1 = parts.text_of("ETag");
    let part2 = pattern(6, 1000);
    let etag2 = h
        .send(
            BUCKET,
            Raw::put().key("multi.bin").query("partNumber", "2").query("uploadId", &upload_id).body(part2.clone()),
        )
        .ok()
        .header("etag")
        .unwrap()
        .to_owned();
    let xml = format!(
        "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>{etag1}</ETag></Part>\
         <Part><PartNumber>2</PartNumber><ETag>{etag2}</ETag></Part></CompleteMultipartUpload>"
    );
    h.send(BUCKET, Raw::post().key("multi.bin").query("uploadId", &upload_id).xml(&xml)).ok();
    let whole = [part1, part2].concat();
    let get = h.send(BUCKET, Raw::get().key("multi.bin")).ok();
    assert!(get.body == whole);
    assert_eq!(get.header("x-cos-meta-k"), Some("v"));
    assert!(h.emulator.pending_uploads(BUCKET).is_empty());

    // And that too survives the next restart; old part files are gone once nothing names them.
    let etag = get.header("etag").unwrap().to_owned();
    drop(h);
    let h = served(&dir.0);
    let get = h.send(BUCKET, Raw::get().key("multi.bin")).ok();
    assert!(get.body == whole);
    assert_eq!(get.header("etag"), Some(etag.as_str()));
    assert!(h.emulator.pending_uploads(BUCKET).is_empty());
    let blob_bytes: u64 =
        std::fs::read_dir(dir.0.join("blobs")).unwrap().map(|e| e.unwrap().metadata().unwrap().len()).sum();
    // big.bin and copy.bin share their blob; multi.bin is its parts' blobs.
    assert_eq!(blob_bytes, (big.len() + "hello, disk".len() + 1 + whole.len()) as u64);

    // Deleting a bucket's objects and the bucket is kept too.
    for key in ["small.txt", "big.bin", "copy.bin", "secret.bin", "dir/z", "multi.bin"] {
        h.send(BUCKET, Raw::delete().key(key)).ok();
    }
    h.send(BUCKET, Raw::delete()).ok();
    drop(h);
    let h = served(&dir.0);
    assert!(h.emulator.bucket_names().is_empty());
    assert_eq!(std::fs::read_dir(dir.0.join("blobs")).unwrap().count(), 0);
}

/// The peak resident memory of this process (VmHWM), in bytes.
fn peak_rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).expect("VmHWM line");
    line.split_whitespace().nth(1).unwrap().parse::<u64>().unwrap() * 1024
}

#[test]
fn a_big_body_streams_to_disk_with_memory_bounded() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let dir = TempDir::new("stream");
    let h = served(&dir.0);
    h.create_bucket();
    let addr = h.server.as_ref().unwrap().addr();
    let size = 256 * MIB;
    let before = peak_rss();

    let path = format!("/{BUCKET}/huge.bin");
    let now = h.emulator.now();
    let host = addr.to_string();
    let sign = |method: &str| {
        sign_parts(
            DEFAULT_SECRET_ID,
            DEFAULT_SECRET_KEY,
            method,
            &path,
            std::iter::empty(),
            [("host", host.as_str())].into_iter(),
            now - 1,
            now + 600,
        )
    };
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    write!(
        s,
        "PUT {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: {}\r\nContent-Length: {size}\r\n\r\n",
        sign("PUT")
    )
    .unwrap();
    let piece = pattern(9, MIB);
    let mut md5 = Md5::new();
    for _ in 0..size / MIB {
        s.write_all(&piece).unwrap();
        md5.update(&piece);
    }
    let mut r = BufReader::new(s.try_clone().unwrap());
    let mut status = String::new();
    r.read_line(&mut status).unwrap();
    assert!(status.starts_with("HTTP/1.1 200"), "{status}");
    let put_growth = peak_rss().saturating_sub(before);
    let etag = format!("\"{}\"", md5.finalize().iter().map(|b| format!("{b:02x}")).collect::<String>());

    // Read back as a stream, hashed on the way.
    let mut line = String::new();
    while r.read_line(&mut line).unwrap() > 2 {
        line.clear();
    }
    write!(s, "GET {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: {}\r\n\r\n", sign("GET")).unwrap();
    let mut length = None;
    let mut got_etag = None;
    loop {
        let mut h = String::new();
        r.read_line(&mut h).unwrap();
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((n, v)) = h.split_once(": ") {
            match n.to_ascii_lowercase().as_str() {
                "content-length" => length = v.parse::<usize>().ok(),
                "etag" => got_etag = Some(v.to_owned()),
                _ => {}
            }
        }
    }
    assert_eq!(length, Some(size));
    assert_eq!(got_etag.as_deref(), Some(etag.as_str()));
    let mut md5 = Md5::new();
    let mut buf = vec![0u8; MIB];
    let mut left = size;
    while left > 0 {
        let n = r.read(&mut buf[..left.min(MIB)]).unwrap();
        assert!(n > 0, "the body ended {left} bytes early");
        md5.update(&buf[..n]);
        left -= n;
    }
    assert_eq!(format!("\"{}\"", md5.finalize().iter().map(|b| format!("{b:02x}")).collect::<String>()), etag);
    let growth = peak_rss().saturating_sub(before);
    println!("peak RSS grew by {put_growth} bytes for a {size}-byte PUT, {growth} with its GET");
    assert!(growth < 64 * MIB as u64, "peak RSS grew by {growth} bytes for a {size}-byte object");
}

// ---- one restart test per kind of state (both fronts, a clock the tests set) ----

const FRONTS: [Front; 2] = [Front::InProcess, Front::Http];
/// Tue, 14 Nov 2023 22:13:20 GMT.
const T0: u64 = 1_700_000_000;
const DAY: u64 = 86_400;
const VBUCKET: &str = "versioned-1250000000";

/// An emulator on `dir` whose clock (and its client's) reads `clock`, on `front`.
fn clocked(front: Front, dir: &Path, clock: &Arc<AtomicU64>) -> (Harness, Client) {
    let h = Harness::new(front, on_clock(clock).data_dir(dir).try_build().expect("open the data directory"));
    let client = h.client_on(clock);
    (h, client)
}

fn raw(client: &Client, bucket: &str, op: Raw) -> RawResponse {
    client.bucket(bucket).execute(op).unwrap()
}

/// `(status, code, message)` of a refused call.
fn refusal<T: std::fmt::Debug>(r: Result<T, Error>) -> (u16, String, String) {
    match r {
        Err(Error::Service(s)) => (s.status, s.code, s.message),
        other => panic!("not a service error: {other:?}"),
    }
}

/// `x-cos-restore` of a HEAD (of `version`, else the latest).
fn restore_header(client: &Client, bucket: &str, key: &str, version: Option<&str>) -> Option<String> {
    let mut head = Raw::head().key(key);
    if let Some(v) = version {
        head = head.query("versionId", v);
    }
    raw(client, bucket, head).ok().header("x-cos-restore").map(str::to_owned)
}

fn restored_until(date: &str) -> Option<String> {
    Some(format!("ongoing-request=\"false\", expiry-date=\"{date}\""))
}

/// A restore (its expiry, per version) is kept: HEAD shows the same `x-cos-restore`, GET serves
/// the bytes until the kept expiry and refuses them after it, a restore ended by an overwrite
/// stays ended, and a restore made after the restart is kept too.
#[test]
fn restores_survive_a_restart() {
    for front in FRONTS {
        let dir = TempDir::new(&format!("restores-{front:?}"));
        let clock = Arc::new(AtomicU64::new(T0));
        let (v1, v2) = {
            let (_h, client) = clocked(front, &dir.0, &clock);
            let b = client.bucket(BUCKET);
            b.put_bucket().send().unwrap();
            b.put_object("cold.bin").body("frozen").storage_class("ARCHIVE").send().unwrap();
            b.put_object("deep.bin").body("deeper").storage_class("DEEP_ARCHIVE").send().unwrap();
            b.put_object("rewritten.bin").body("one").storage_class("ARCHIVE").send().unwrap();
            assert_eq!(b.restore_object("cold.bin", 2).send().unwrap().meta.status, 202);
            assert_eq!(b.restore_object("rewritten.bin", 2).send().unwrap().meta.status, 202);
            b.put_object("rewritten.bin").body("two").storage_class("ARCHIVE").send().unwrap();
            let v = client.bucket(VBUCKET);
            v.put_bucket().send().unwrap();
            v.put_bucket_versioning(VersioningStatus::Enabled).send().unwrap();
            let v1 = v.put_object("k").body("v1").storage_class("ARCHIVE").send().unwrap().version_id.unwrap();
            let v2 = v.put_object("k").body("v2").storage_class("ARCHIVE").send().unwrap().version_id.unwrap();
            assert_eq!(v.restore_object("k", 3).version_id(&v1).send().unwrap().meta.status, 202);
            assert_eq!(
                restore_header(&client, BUCKET, "cold.bin", None),
                restored_until("Thu, 16 Nov 2023 22:13:20 GMT"),
                "{front:?}"
            );
            (v1, v2)
        };

        let (_h, client) = clocked(front, &dir.0, &clock);
        let (b, v) = (client.bucket(BUCKET), client.bucket(VBUCKET));
        assert_eq!(
            restore_header(&client, BUCKET, "cold.bin", None),
            restored_until("Thu, 16 Nov 2023 22:13:20 GMT"),
            "{front:?}: the same expiry"
        );
        assert_eq!(get_bytes(&b, "cold.bin", None).unwrap(), b"frozen", "{front:?}");
        let archived = |r| {
            let (status, code, _) = refusal(r);
            (status, code)
        };
        for key in ["deep.bin", "rewritten.bin"] {
            assert_eq!(
                restore_header(&client, BUCKET, key, None),
                None,
                "{front:?} {key}: never or no longer restored"
            );
            assert_eq!(archived(get_bytes(&b, key, None)), (403, "InvalidObjectState".into()), "{front:?} {key}");
        }
        assert_eq!(
            restore_header(&client, VBUCKET, "k", Some(&v1)),
            restored_until("Fri, 17 Nov 2023 22:13:20 GMT"),
            "{front:?}: the version restored"
        );
        assert_eq!(get_bytes(&v, "k", Some(&v1)).unwrap(), b"v1", "{front:?}");
        assert_eq!(restore_header(&client, VBUCKET, "k", Some(&v2)), None, "{front:?}: the other version");
        assert_eq!(archived(get_bytes(&v, "k", None)), (403, "InvalidObjectState".into()), "{front:?}");

        // The kept expiry is the one that counts: at T0 + 2 days cold.bin is archived again, and a
        // restore then is a new one (202); v1's is still in effect (a second restore is 200).
        clock.store(T0 + 2 * DAY, Ordering::SeqCst);
        assert_eq!(archived(get_bytes(&b, "cold.bin", None)), (403, "InvalidObjectState".into()), "{front:?}");
        assert_eq!(get_bytes(&v, "k", Some(&v1)).unwrap(), b"v1", "{front:?}");
        assert_eq!(v.restore_object("k", 1).version_id(&v1).send().unwrap().meta.status, 200, "{front:?}");
        assert_eq!(b.restore_object("cold.bin", 5).send().unwrap().meta.status, 202, "{front:?}");
        drop(_h);

        let (_h, client) = clocked(front, &dir.0, &clock);
        assert_eq!(
            restore_header(&client, BUCKET, "cold.bin", None),
            restored_until("Tue, 21 Nov 2023 22:13:20 GMT"),
            "{front:?}: the restore made after the restart"
        );
        assert_eq!(
            restore_header(&client, VBUCKET, "k", Some(&v1)),
            restored_until("Fri, 17 Nov 2023 22:13:20 GMT"),
            "{front:?}: the restore extended after the restart"
        );
    }
}

fn tags(pairs: &[(&str, &str)]) -> Vec<Tag> {
    pairs.iter().map(|(k, v)| Tag::new(*k, *v)).collect()
}

/// Object tags are kept in the order given: from `x-cos-tagging`, from PUT ?tagging, per version,
/// on a multipart upload, removed by DELETE ?tagging; HEAD's `x-cos-tagging-count` too.
#[test]
fn object_tags_survive_a_restart() {
    for front in FRONTS {
        let dir = TempDir::new(&format!("tags-{front:?}"));
        let clock = Arc::new(AtomicU64::new(T0));
        let header = tags(&[("b", "2"), ("a", "1"), ("empty", "")]);
        let put = tags(&[("z", "last"), ("team", "a b&c=d"), ("项目", "值")]);
        let (v1, v2, upload) = {
            let (_h, client) = clocked(front, &dir.0, &clock);
            let b = client.bucket(BUCKET);
            b.put_bucket().send().unwrap();
            b.put_object("header.txt").body("h").tagging(header.clone()).send().unwrap();
            b.put_object("put.txt").body("p").send().unwrap();
            b.put_object_tagging("put.txt").tags(put.clone()).send().unwrap();
            b.put_object("cleared.txt").body("c").tagging(tags(&[("x", "y")])).send().unwrap();
            b.delete_object_tagging("cleared.txt").send().unwrap();
            let upload =
                b.multipart_init("multi.bin").tagging(tags(&[("m", "1"), ("a", "2")])).send().unwrap().upload_id;
            let v = client.bucket(VBUCKET);
            v.put_bucket().send().unwrap();
            v.put_bucket_versioning(VersioningStatus::Enabled).send().unwrap();
            let v1 = v.put_object("k").body("1").tagging(tags(&[("v", "one")])).send().unwrap().version_id.unwrap();
            let v2 = v.put_object("k").body("2").send().unwrap().version_id.unwrap();
            v.put_object_tagging("k").version_id(&v2).tags(tags(&[("v", "two"), ("w", "2")])).send().unwrap();
            (v1, v2, upload)
        };

        let (_h, client) = clocked(front, &dir.0, &clock);
        let (b, v) = (client.bucket(BUCKET), client.bucket(VBUCKET));
        assert_eq!(b.get_object_tagging("header.txt").send().unwrap().tags, header, "{front:?}");
        assert_eq!(b.get_object_tagging("put.txt").send().unwrap().tags, put, "{front:?}");
        assert_eq!(b.get_object_tagging("cleared.txt").send().unwrap().tags, [], "{front:?}");
        let count = |key: &str| {
            raw(&client, BUCKET, Raw::head().key(key)).ok().header("x-cos-tagging-count").map(str::to_owned)
        };
        assert_eq!((count("header.txt"), count("put.txt")), (Some("3".into()), Some("3".into())), "{front:?}");
        assert_eq!(v.get_object_tagging("k").version_id(&v1).send().unwrap().tags, tags(&[("v", "one")]));
        let latest = v.get_object_tagging("k").send().unwrap();
        assert_eq!((latest.tags, latest.version_id), (tags(&[("v", "two"), ("w", "2")]), Some(v2)), "{front:?}");
        let part = b.multipart_upload("multi.bin", &upload, 1, "the part").send().unwrap().etag;
        b.multipart_complete("multi.bin", &upload, [(1, part)]).send().unwrap();
        assert_eq!(
            b.get_object_tagging("multi.bin").send().unwrap().tags,
            tags(&[("m", "1"), ("a", "2")]),
            "{front:?}"
        );
    }
}

/// A retention (the bucket's default on a write, or PUT ?retention on a version) is kept: GET
/// ?retention answers the same date, and a retained object or version refuses DELETE and
/// overwrite with the same error until the kept date.
#[test]
fn retentions_survive_a_restart() {
    for front in FRONTS {
        let dir = TempDir::new(&format!("retention-{front:?}"));
        let clock = Arc::new(AtomicU64::new(T0));
        let (v1, refused_before) = {
            let (_h, client) = clocked(front, &dir.0, &clock);
            let b = client.bucket(BUCKET);
            b.put_bucket().send().unwrap();
            b.put_bucket_object_lock(ObjectLockConfiguration::enabled_for_days(2)).send().unwrap();
            b.put_object("locked.txt").body("kept").send().unwrap();
            let v = client.bucket(VBUCKET);
            v.put_bucket().send().unwrap();
            v.put_bucket_versioning(VersioningStatus::Enabled).send().unwrap();
            let lock =
                ObjectLockConfiguration { object_lock_enabled: Some("Enabled".into()), default_retention_days: None };
            v.put_bucket_object_lock(lock).send().unwrap();
            let v1 = v.put_object("k").body("1").send().unwrap().version_id.unwrap();
            v.put_object("k").body("2").send().unwrap();
            v.put_object_retention("k", Retention::compliance_until("2023-11-20T00:00:00Z"))
                .version_id(&v1)
                .send()
                .unwrap();
            let refused = (
                refusal(b.delete_object("locked.txt").send()),
                refusal(b.put_object("locked.txt").body("new").send()),
                refusal(v.delete_object("k").version_id(&v1).send()),
            );
            assert_eq!(refused.0.1, "AccessDenied", "{front:?}");
            (v1, refused)
        };

        let (h, client) = clocked(front, &dir.0, &clock);
        let (b, v) = (client.bucket(BUCKET), client.bucket(VBUCKET));
        let retention = |bucket: &Bucket, key: &str, version: Option<&str>| {
            let mut get = bucket.get_object_retention(key);
            if let Some(id) = version {
                get = get.version_id(id);
            }
            get.send().map(|o| o.retention)
        };
        assert_eq!(retention(&b, "locked.txt", None).unwrap(), Retention::compliance_until("2023-11-16T22:13:20.000Z"));
        assert_eq!(retention(&v, "k", Some(&v1)).unwrap(), Retention::compliance_until("2023-11-20T00:00:00.000Z"));
        assert_eq!(
            refusal(retention(&v, "k", None)).1,
            "NoSuchObjectLockConfiguration",
            "{front:?}: the latest is not"
        );
        let refused_after = (
            refusal(b.delete_object("locked.txt").send()),
            refusal(b.put_object("locked.txt").body("new").send()),
            refusal(v.delete_object("k").version_id(&v1).send()),
        );
        assert_eq!(refused_after, refused_before, "{front:?}: the same refusals, message included");
        assert_eq!(get_bytes(&b, "locked.txt", None).unwrap(), b"kept", "{front:?}");
        let shorter = v.put_object_retention("k", Retention::compliance_until("2023-11-19T00:00:00Z")).version_id(&v1);
        assert_eq!(refusal(shorter.send()).1, "AccessDenied", "{front:?}: still only extended");

        // The kept dates end the locks.
        clock.store(T0 + 2 * DAY, Ordering::SeqCst);
        b.delete_object("locked.txt").send().unwrap();
        clock.store(1_700_438_400, Ordering::SeqCst); // 2023-11-20T00:00:00Z
        v.delete_object("k").version_id(&v1).send().unwrap();
        assert!(h.emulator.object_keys(BUCKET).is_empty(), "{front:?}");
    }
}

/// An unfinished upload keeps every field (storage class, metadata, ACL, tags, parts with their
/// ETags and dates): the listings answer the same bytes, and an upload initiated after the
/// restart gets an id of its own, listed after the kept one.
#[test]
fn unfinished_uploads_survive_a_restart_and_new_ids_stay_new() {
    for front in FRONTS {
        let dir = TempDir::new(&format!("uploads-{front:?}"));
        let clock = Arc::new(AtomicU64::new(T0));
        let (first, listed, parts) = {
            let (_h, client) = clocked(front, &dir.0, &clock);
            let b = client.bucket(BUCKET);
            b.put_bucket().send().unwrap();
            let init = Raw::post()
                .key("k")
                .query("uploads", "")
                .header("x-cos-storage-class", "STANDARD_IA")
                .header("x-cos-meta-Who", "alice")
                .header("Content-Type", "text/csv")
                .header("x-cos-tagging", "t=1")
                .header("x-cos-grant-read", GRANT);
            let first = raw(&client, BUCKET, init).ok().text_of("UploadId");
            clock.store(T0 + 60, Ordering::SeqCst);
            b.multipart_upload("k", &first, 3, "part three").send().unwrap();
            let listed = raw(&client, BUCKET, Raw::get().query("uploads", "")).ok().body;
            let parts = raw(&client, BUCKET, Raw::get().key("k").query("uploadId", &first)).ok().body;
            (first, listed, parts)
        };

        clock.store(T0, Ordering::SeqCst);
        let (h, client) = clocked(front, &dir.0, &clock);
        let b = client.bucket(BUCKET);
        let text = |v: &[u8]| String::from_utf8_lossy(v).into_owned();
        assert_eq!(text(&raw(&client, BUCKET, Raw::get().query("uploads", "")).ok().body), text(&listed), "{front:?}");
        // Same clock, same key, and as many requests before it as the first had (the emulator's
        // counter is in its ids): the id must still be a new one, the kept upload untouched.
        let second = b.multipart_init("k").send().unwrap().upload_id;
        assert_ne!(second, first, "{front:?}");
        let parts_after = raw(&client, BUCKET, Raw::get().key("k").query("uploadId", &first)).ok().body;
        assert_eq!(text(&parts_after), text(&parts), "{front:?}");
        let ids: Vec<String> = b.multipart_list().send().unwrap().uploads.into_iter().map(|u| u.upload_id).collect();
        assert_eq!(ids, [first.clone(), second.clone()], "{front:?}: in the order initiated");
        assert_eq!(h.emulator.pending_uploads(BUCKET), [("k".to_owned(), first.clone()), ("k".to_owned(), second)]);

        let etag = b.list_parts("k", &first).send().unwrap().parts[0].etag.clone();
        b.multipart_complete("k", &first, [(3, etag)]).send().unwrap();
        let head = raw(&client, BUCKET, Raw::head().key("k")).ok();
        let got =
            ["x-cos-storage-class", "x-cos-meta-who", "content-type", "x-cos-tagging-count"].map(|n| head.header(n));
        assert_eq!(got, [Some("STANDARD_IA"), Some("alice"), Some("text/csv"), Some("1")], "{front:?}");
        assert!(raw(&client, BUCKET, Raw::get().key("k").query("acl", "")).ok().text().contains("100000000002"));
        assert_eq!(get_bytes(&b, "k", None).unwrap(), b"part three", "{front:?}");
    }
}

/// An appendable object stays appendable: the next append after a restart goes at its length.
#[test]
fn an_appendable_object_appends_after_a_restart() {
    for front in FRONTS {
        let dir = TempDir::new(&format!("append-{front:?}"));
        let clock = Arc::new(AtomicU64::new(T0));
        {
            let (_h, client) = clocked(front, &dir.0, &clock);
            let b = client.bucket(BUCKET);
            b.put_bucket().send().unwrap();
            b.append_object("log", 0).body("ab").send().unwrap();
            b.put_object("plain").body("p").send().unwrap();
        }
        let (_h, client) = clocked(front, &dir.0, &clock);
        let b = client.bucket(BUCKET);
        let wrong = refusal(b.append_object("log", 1).body("x").send());
        assert_eq!((wrong.0, wrong.1.as_str()), (409, "PositionNotEqualToLength"), "{front:?}");
        assert_eq!(b.append_object("log", 2).body("cd").send().unwrap().next_append_position, Some(4));
        assert_eq!(get_bytes(&b, "log", None).unwrap(), b"abcd", "{front:?}");
        let plain = refusal(b.append_object("plain", 1).body("x").send());
        assert_eq!((plain.0, plain.1.as_str()), (409, "ObjectNotAppendable"), "{front:?}");
    }
}

/// A suspended bucket's history (its `null` version and `null` delete marker) and the ACL of an
/// older version are kept: GET ?versions answers the same bytes, the older version's ACL the same
/// body, and a write after the restart still replaces the `null` version rather than adding one.
#[test]
fn suspended_versions_and_version_acls_survive_a_restart() {
    for front in FRONTS {
        let dir = TempDir::new(&format!("suspended-{front:?}"));
        let clock = Arc::new(AtomicU64::new(T0));
        let versions = |client: &Client| raw(client, BUCKET, Raw::get().query("versions", "")).ok().text();
        let acl_of = |client: &Client, id: &str| {
            raw(client, BUCKET, Raw::get().key("k").query("acl", "").query("versionId", id)).ok().text()
        };
        let (v1, listed, acl) = {
            let (_h, client) = clocked(front, &dir.0, &clock);
            let b = client.bucket(BUCKET);
            b.put_bucket().send().unwrap();
            b.put_bucket_versioning(VersioningStatus::Enabled).send().unwrap();
            let v1 = b.put_object("k").body("one").send().unwrap().version_id.unwrap();
            b.put_bucket_versioning(VersioningStatus::Suspended).send().unwrap();
            clock.store(T0 + 10, Ordering::SeqCst);
            b.put_object("k").body("null one").send().unwrap();
            b.put_object("gone").body("g").send().unwrap();
            b.delete_object("gone").send().unwrap();
            let grant = Raw::put().key("k").query("acl", "").query("versionId", &v1).header("x-cos-grant-read", GRANT);
            raw(&client, BUCKET, grant).ok();
            (v1.clone(), versions(&client), acl_of(&client, &v1))
        };
        assert!(acl.contains("100000000002"), "{front:?}: {acl}");

        let (h, client) = clocked(front, &dir.0, &clock);
        let b = client.bucket(BUCKET);
        assert_eq!(versions(&client), listed, "{front:?}: the same GET ?versions");
        assert_eq!(acl_of(&client, &v1), acl, "{front:?}: the older version's ACL");
        assert_eq!(h.emulator.object_keys(BUCKET), ["k"], "{front:?}: gone's latest is a null marker");
        b.put_object("k").body("null two").send().unwrap();
        let ids: Vec<String> = b
            .list_object_versions()
            .prefix("k")
            .send()
            .unwrap()
            .entries
            .iter()
            .map(|e| match e {
                VersionListEntry::Version(v) => v.version_id.clone(),
                VersionListEntry::DeleteMarker(m) => m.version_id.clone(),
            })
            .collect();
        assert_eq!(ids, ["null".to_owned(), v1.clone()], "{front:?}: the null version replaced, not added");
        assert_eq!(get_bytes(&b, "k", Some("null")).unwrap(), b"null two", "{front:?}");
        assert_eq!(get_bytes(&b, "k", Some(&v1)).unwrap(), b"one", "{front:?}");
    }
}

const SSE: &str = "x-cos-server-side-encryption";
const SSE_C: [&str; 3] = [
    "x-cos-server-side-encryption-customer-algorithm",
    "x-cos-server-side-encryption-customer-key",
    "x-cos-server-side-encryption-customer-key-MD5",
];

/// `r` with the customer key of `seed` (32 bytes, base64, and its base64 MD5).
fn with_customer_key(r: Raw, seed: u8) -> Raw {
    let b64 = base64::engine::general_purpose::STANDARD;
    let key = [seed; 32];
    r.header(SSE_C[0], "AES256").header(SSE_C[1], &b64.encode(key)).header(SSE_C[2], &b64.encode(Md5::digest(key)))
}

/// Every `x-cos-server-side-encryption*` header, names lower-cased, sorted.
fn sse_headers(r: &RawResponse) -> Vec<(String, String)> {
    kept_headers(r).into_iter().filter(|(n, _)| n.starts_with(SSE)).collect()
}

/// The encryption an object or upload was written with is kept: HEAD answers the same headers,
/// an SSE-C object (and a part of an SSE-C upload) still needs its customer key.
#[test]
fn server_side_encryption_survives_a_restart() {
    for front in FRONTS {
        let dir = TempDir::new(&format!("sse-{front:?}"));
        let clock = Arc::new(AtomicU64::new(T0));
        let kms = [SSE, "x-cos-server-side-encryption-cos-kms-key-id"];
        let (heads, upload) = {
            let (_h, client) = clocked(front, &dir.0, &clock);
            client.bucket(BUCKET).put_bucket().send().unwrap();
            raw(&client, BUCKET, Raw::put().key("kms.bin").header(kms[0], "cos/kms").header(kms[1], "k-1").body("k"))
                .ok();
            raw(&client, BUCKET, Raw::put().key("cos.bin").header(SSE, "AES256").body("c")).ok();
            raw(&client, BUCKET, with_customer_key(Raw::put().key("c.bin"), 7).body("customer")).ok();
            let init = with_customer_key(Raw::post().key("u.bin").query("uploads", ""), 9);
            let upload = raw(&client, BUCKET, init).ok().text_of("UploadId");
            let heads: Vec<_> = ["kms.bin", "cos.bin"]
                .into_iter()
                .map(|k| sse_headers(&raw(&client, BUCKET, Raw::head().key(k)).ok()))
                .chain([sse_headers(&raw(&client, BUCKET, with_customer_key(Raw::head().key("c.bin"), 7)).ok())])
                .collect();
            (heads, upload)
        };
        assert_eq!(heads[0], [(kms[0].to_owned(), "cos/kms".to_owned()), (kms[1].to_owned(), "k-1".to_owned())]);
        assert_eq!(heads[2].len(), 2, "{front:?}: the algorithm and the key's MD5: {:?}", heads[2]);

        let (_h, client) = clocked(front, &dir.0, &clock);
        let after: Vec<_> = ["kms.bin", "cos.bin"]
            .into_iter()
            .map(|k| sse_headers(&raw(&client, BUCKET, Raw::head().key(k)).ok()))
            .chain([sse_headers(&raw(&client, BUCKET, with_customer_key(Raw::head().key("c.bin"), 7)).ok())])
            .collect();
        assert_eq!(after, heads, "{front:?}");
        let code = |r: RawResponse| r.code();
        assert_eq!(code(raw(&client, BUCKET, Raw::get().key("c.bin"))), (400, "InvalidRequest".into()), "{front:?}");
        let wrong = raw(&client, BUCKET, with_customer_key(Raw::get().key("c.bin"), 8));
        assert_eq!(code(wrong), (400, "InvalidRequest".into()), "{front:?}: another key");
        assert_eq!(raw(&client, BUCKET, with_customer_key(Raw::get().key("c.bin"), 7)).ok().body, b"customer");
        let part = Raw::put().key("u.bin").query("partNumber", "1").query("uploadId", &upload).body("p");
        assert_eq!(code(raw(&client, BUCKET, part.clone())), (400, "InvalidRequest".into()), "{front:?}: a part too");
        raw(&client, BUCKET, with_customer_key(part, 9)).ok();
    }
}

/// Records as the previous version wrote them (no `restored-until`; the upload counter only in
/// its id) still load: the object, its tags, retention and blob, and the upload; new fields are
/// added when the records are next written.
#[test]
fn records_of_the_previous_format_still_load() {
    let dir = TempDir::new("old-format");
    let root = &dir.0;
    let enc = tencent_cos::encode_component;
    let blob = "18f0000000000000-1-0";
    std::fs::create_dir_all(root.join("blobs")).unwrap();
    std::fs::write(root.join("blobs").join(blob), b"hello, old world").unwrap();
    let bucket_dir = root.join("buckets").join(BUCKET);
    for sub in ["objects", "uploads", "versions"] {
        std::fs::create_dir_all(bucket_dir.join(sub)).unwrap();
    }
    std::fs::write(
        bucket_dir.join("bucket"),
        format!("name {BUCKET}\nregion ap-guangzhou\nowner 1250000000\nappid 1250000000\ncreated {T0}\nacl private\n"),
    )
    .unwrap();
    // Named as disk.rs names them: the hex SHA-1 of the key (of key NUL UploadId for an upload).
    let record_name = |of: &str| Sha1::digest(of.as_bytes()).iter().map(|b| format!("{b:02x}")).collect::<String>();
    let crc = tencent_cos::checksum::crc64(b"hello");
    let etag = enc("\"5d41402abc4b2a76b9719d911017c592\"");
    std::fs::write(
        bucket_dir.join("objects").join(record_name("old dir/cold.txt")),
        format!(
            "key {}\netag {etag}\ncrc64 {crc}\nlast-modified {T0}\nowner 1250000000\nsize 5\nretain-until {}\n\
             content-type {}\nmeta x-cos-meta-who {}\nstorage-class ARCHIVE\ntag team {}\ntag a \nacl default\n\
             blob {blob} 0 5\n",
            enc("old dir/cold.txt"),
            T0 + DAY,
            enc("text/plain"),
            enc("al ice"),
            enc("a b&c"),
        ),
    )
    .unwrap();
    let upload_id = format!("{T0}00000007{}", "0123456789abcdef0123456789abcdef");
    std::fs::write(
        bucket_dir.join("uploads").join(record_name(&format!("up.bin\0{upload_id}"))),
        format!(
            "key up.bin\nupload-id {upload_id}\ninitiated {T0}\ninitiator 1250000000\nstorage-class STANDARD\n\
             acl default\npart 1 {} {} {T0}\npart-blob 1 {blob} 7 16\n",
            enc("\"3cf2b5c7a2bb5a6a11e5a9cae5ffbd44\""),
            "3cf2b5c7a2bb5a6a11e5a9cae5ffbd44",
        ),
    )
    .unwrap();

    for front in FRONTS {
        let clock = Arc::new(AtomicU64::new(T0));
        let (h, client) = clocked(front, root, &clock);
        let b = client.bucket(BUCKET);
        let key = "old dir/cold.txt";
        let head = raw(&client, BUCKET, Raw::head().key(key)).ok();
        let got = ["etag", "x-cos-hash-crc64ecma", "content-type", "x-cos-meta-who", "x-cos-storage-class"]
            .map(|n| head.header(n).map(str::to_owned));
        let want =
            [Some("\"5d41402abc4b2a76b9719d911017c592\"".to_owned()), Some(crc.to_string()), Some("text/plain".into())];
        assert_eq!(got[..3], want, "{front:?}");
        assert_eq!(got[3..], [Some("al ice".to_owned()), Some("ARCHIVE".to_owned())], "{front:?}");
        // The second run reads the record the first rewrote with its restore.
        let restore = (front == Front::Http).then(|| restored_until("Wed, 15 Nov 2023 22:13:20 GMT")).flatten();
        assert_eq!(head.header("x-cos-restore").map(str::to_owned), restore, "{front:?}");
        assert_eq!(b.get_object_tagging(key).send().unwrap().tags, tags(&[("team", "a b&c"), ("a", "")]));
        assert_eq!(
            b.get_object_retention(key).send().unwrap().retention,
            Retention::compliance_until("2023-11-15T22:13:20.000Z")
        );
        let parts = b.list_parts("up.bin", &upload_id).send().unwrap().parts;
        assert_eq!(parts.len(), 1, "{front:?}");
        assert_eq!((parts[0].size, parts[0].etag.as_str()), (9, "\"3cf2b5c7a2bb5a6a11e5a9cae5ffbd44\""));
        if front == Front::InProcess {
            // The restore is written into the old record; a new upload id is past the kept one's.
            assert_eq!(b.restore_object(key, 1).send().unwrap().meta.status, 202);
            let records = std::fs::read_dir(bucket_dir.join("objects")).unwrap().count();
            assert_eq!(records, 1, "the old record rewritten in place");
            let next = b.multipart_init("up.bin").send().unwrap().upload_id;
            let ids: Vec<String> =
                b.multipart_list().send().unwrap().uploads.into_iter().map(|u| u.upload_id).collect();
            assert_eq!(ids, [upload_id.clone(), next], "the new id after the kept one");
        } else {
            assert_eq!(get_bytes(&b, key, None).unwrap(), b"hello");
        }
        drop(h);
    }
}
