//! No request input makes the emulator panic or hang: deep XML, hostile in-process requests, and
//! a deterministic storm of random (mostly signed, so they reach the handlers) requests on both
//! fronts, after which the emulator still answers correctly.

use crate::support::emulator_support;

use emulator_support::{BUCKET, Front, Harness, Raw};
use tencent_cos::emulator::Emulator;
use tencent_cos::http::{Body, Headers, Method, Request};
use tencent_cos::transport::Transport;

fn deep_xml(h: &Harness) {
    h.create_bucket();
    let id = h.send(BUCKET, Raw::post().key("k").query("uploads", "")).ok().text_of("UploadId");
    let deep = format!("{}{}", "<a>".repeat(200_000), "</a>".repeat(200_000));
    for (name, op) in [
        ("cors", Raw::put().query("cors", "")),
        ("acl", Raw::put().query("acl", "")),
        ("delete", Raw::post().query("delete", "")),
        ("complete", Raw::post().key("k").query("uploadId", &id)),
        ("object acl", Raw::put().key("k").query("acl", "")),
    ] {
        let r = h.send(BUCKET, op.xml(&deep));
        assert!(matches!(r.code(), (400, ref c) if c == "MalformedXML" || c == "NoSuchKey"), "{name}: {:?}", r.code());
    }
    let wide = format!("<Delete>{}</Delete>", "<Object><Key>k</Key></Object>".repeat(100_000));
    assert_eq!(h.send(BUCKET, Raw::post().query("delete", "").xml(&wide)).code(), (400, "MalformedXML".into()));
}

/// A method, a URL and headers.
type Case<'a> = (Method, String, Vec<(&'a str, &'a str)>);

#[test]
fn hostile_in_process_requests() {
    let emulator = Emulator::new();
    let send = |method: Method, url: &str, headers: &[(&str, &str)], body: &[u8]| {
        emulator.send(Request {
            method,
            url: url.to_owned(),
            headers: headers.iter().map(|(n, v)| (*n, *v)).collect::<Headers>(),
            body: Body::from(body.to_vec()),
        })
    };
    assert!(send(Method::Get, "no-scheme/path", &[], b"").is_err());
    let host = "https://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com";
    let long_md5 = "A".repeat(10_000);
    let long_auth = format!("q-sign-algorithm=sha1&q-ak={}&q-key-time=1;2&q-signature=0", "A".repeat(100_000));
    let cases: Vec<Case<'_>> = vec![
        (Method::Get, "https://".into(), vec![]),
        (Method::Get, "https://?".into(), vec![]),
        (Method::Get, format!("{host}/%"), vec![]),
        (Method::Get, format!("{host}/a?&&==&%"), vec![]),
        (Method::Put, format!("{host}/k"), vec![("x-cos-metaé-ü", "v"), ("é", "ü")]),
        (Method::Put, format!("{host}/k"), vec![("x-cos-meta-ü", "\r\n\0")]),
        (Method::Get, format!("{host}/k"), vec![("Authorization", long_auth.as_str())]),
        (Method::Get, format!("{host}/k"), vec![("Range", "bytes=18446744073709551615-")]),
        (Method::Get, format!("{host}/k"), vec![("Range", "bytes=-18446744073709551615")]),
        (Method::Get, format!("{host}/k"), vec![("If-Modified-Since", "\u{0}\u{ffff}")]),
        (Method::Put, format!("{host}/k"), vec![("Content-MD5", long_md5.as_str())]),
        (Method::Put, format!("{host}/k"), vec![("x-cos-copy-source", "中文.cos.中.文/%E4")]),
        (Method::Put, format!("{host}/k?partNumber=99999999999999999999&uploadId=x"), vec![]),
        (Method::Get, format!("{host}/?max-keys=99999999999999999999999&encoding-type=url"), vec![]),
        (Method::Options, format!("{host}/k"), vec![("Origin", "é"), ("Access-Control-Request-Method", "ü")]),
        (Method::Get, "https://[::1/".into(), vec![]),
        (Method::Get, "https://a.cos..x/".into(), vec![]),
        (Method::Get, "https://.cos.r.x/".into(), vec![]),
    ];
    for (method, url, headers) in cases {
        let r = send(method, &url, &headers, b"body").unwrap_or_else(|e| panic!("{url}: {e}"));
        assert!((200..600).contains(&r.status), "{url}");
        assert!(r.headers.get("x-cos-request-id").is_some(), "{url}");
    }
}

/// A small deterministic generator (xorshift).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

const KEYS: &[&str] = &["a", "dir/b c", "中文/é", "x%2Fy", "~*()!'", "deep/er/key", "k"];
const SUBRESOURCES: &[&str] = &["acl", "cors", "uploads", "delete", "location", "uploadId", "partNumber", "tagging"];
const HEADERS: &[&str] = &[
    "Range",
    "If-Match",
    "If-None-Match",
    "If-Modified-Since",
    "If-Unmodified-Since",
    "x-cos-acl",
    "x-cos-grant-read",
    "x-cos-copy-source",
    "x-cos-copy-source-range",
    "x-cos-metadata-directive",
    "x-cos-storage-class",
    "Content-MD5",
    "Origin",
    "x-cos-meta-x",
    "Content-Type",
];
const VALUES: &[&str] = &[
    "",
    "*",
    "bytes=0-3",
    "bytes=-2",
    "bytes=9-1",
    "\"abc\"",
    "Wed, 21 Oct 2015 07:28:00 GMT",
    "public-read",
    "private",
    "id=\"qcs::cam::uin/1:uin/1\"",
    "examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/a",
    "/examplebucket-1250000000/k",
    "Replaced",
    "STANDARD_IA",
    "1B2M2Y8AsgTpgAmY7PhCfg==",
    "https://www.example.com",
    "中文",
    "1",
    "99999999999999999999",
];
const BODIES: &[&str] = &[
    "",
    "x",
    "<Delete><Object><Key>a</Key></Object></Delete>",
    "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>x</ETag></Part></CompleteMultipartUpload>",
    "<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>",
    "<AccessControlPolicy><AccessControlList/></AccessControlPolicy>",
    "<<<>>>&&&",
];

fn random_op(rng: &mut Rng, upload_id: &str) -> Raw {
    let method = *[Method::Get, Method::Put, Method::Post, Method::Delete, Method::Head, Method::Options]
        .get((rng.next() % 6) as usize)
        .unwrap();
    let mut op = Raw::new(method);
    if rng.chance(70) {
        op = op.key(rng.pick(KEYS));
    }
    for _ in 0..rng.next() % 3 {
        let name = rng.pick(SUBRESOURCES);
        let value = match name {
            "uploadId" if rng.chance(70) => upload_id,
            "partNumber" => rng.pick(&["1", "2", "0", "10001", "x"]),
            _ => rng.pick(VALUES),
        };
        op = op.query(name, value);
    }
    for _ in 0..rng.next() % 4 {
        op = op.header(rng.pick(HEADERS), rng.pick(VALUES));
    }
    if rng.chance(40) {
        op = op.body(rng.pick(BODIES));
    }
    op
}

fn random_storm(h: &Harness) {
    h.create_bucket();
    h.put("k", b"seed");
    let upload_id = h.send(BUCKET, Raw::post().key("k").query("uploads", "")).ok().text_of("UploadId");
    let client = h.client();
    let anonymous = h.anonymous();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for i in 0..1500 {
        let op = random_op(&mut rng, &upload_id);
        let c = if rng.chance(85) { &client } else { &anonymous };
        let bucket = c.bucket(if rng.chance(90) { BUCKET } else { "other-1250000000" });
        let r = bucket.execute(op.clone()).unwrap_or_else(|e| panic!("request {i} {op:?}: {e}"));
        assert!((200..600).contains(&r.status), "request {i}");
        // The client signs what it sends: a signed request is never refused for its signature.
        if std::ptr::eq(c, &client) {
            assert_ne!(r.code().1, "SignatureDoesNotMatch", "request {i} {op:?}: {:?}", r.error().format_string);
        }
        assert!(r.header("x-cos-request-id").is_some(), "request {i} {op:?}");
    }
    // Still consistent afterwards.
    h.put("after-the-storm", b"calm");
    assert_eq!(h.send(BUCKET, Raw::get().key("after-the-storm")).ok().body, b"calm");
}

on_both_fronts!(deep_xml, random_storm);

#[test]
fn random_bytes_over_http_never_take_the_server_down() {
    let h = Harness::new(Front::Http, Emulator::new());
    h.create_bucket();
    let addr = h.server.as_ref().unwrap().addr();
    let mut rng = Rng(42);
    let pieces: &[&[u8]] = &[
        b"GET ",
        b"PUT ",
        b"/examplebucket-1250000000/k",
        b"?acl=",
        b" HTTP/1.1\r\n",
        b"Host: 127.0.0.1\r\n",
        b"Content-Length: 3\r\n",
        b"Transfer-Encoding: chunked\r\n",
        b"\r\n",
        b"abc",
        b"3\r\nabc\r\n0\r\n\r\n",
        b"\xff\xfe\x00",
        b":",
        b" ",
        b"Expect: 100-continue\r\n",
    ];
    for _ in 0..300 {
        let mut raw = Vec::new();
        for _ in 0..(rng.next() % 12) {
            raw.extend_from_slice(pieces[(rng.next() % pieces.len() as u64) as usize]);
        }
        let mut c = emulator_support::Conn::open(addr);
        c.send(&raw);
        let _ = c.shutdown_write();
        while let Some(r) = c.read_response(false) {
            assert!((100..600).contains(&r.status));
        }
    }
    h.put("alive", b"yes");
    assert_eq!(h.send(BUCKET, Raw::get().key("alive")).ok().body, b"yes");
}
