//! `EmulatorBuilder::data_dir`: buckets, objects (bytes, ETag, CRC-64, headers), ACLs, CORS and
//! unfinished multipart uploads survive a restart on the same directory; bodies stream to disk
//! with the memory bounded. Over the HTTP front, on 127.0.0.1.

use crate::support::emulator_support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use emulator_support::{BUCKET, Front, Harness, Raw, RawResponse};
use md5::{Digest, Md5};
use tencent_cos::emulator::{DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, Emulator};
use tencent_cos::unversioned::signing::sign_parts;

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
        ((seen, bucket_acl, cors, listing, h.emulator.pending_uploads(BUCKET), h.emulator.bucket_names()), id)
        // The server and the emulator are dropped here.
    };

    let h = served(&dir.0);
    let (seen, bucket_acl, cors, listing, uploads, buckets) = before;
    assert_eq!(h.emulator.bucket_names(), buckets);
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
