//! The 35 requests the official node SDK sent (`tests/data/node_requests.jsonl`), replayed in
//! order, byte for byte as recorded (method, target, every header, the recorded signatures), at
//! the emulator in-process and over one raw HTTP/1.1 connection. The emulator runs the oracle's
//! account (SecretId `AKIDEXAMPLEORACLE...`, appid 1250000000, uin 100000000001) with its clock
//! pinned at 1700000000, so every recorded `q-key-time` (1699999999;1700000899) is valid and
//! every signature is checked for real.
//!
//! What the recording lacks, and how the replay copes:
//! - **Bodies** were recorded only as length and SHA-256, except the XML bodies, the put-object
//!   text and the last multipart part, which are kept as `body_text` and replayed exactly (so
//!   their `Content-MD5` verifies for real). The other bodies (1 MiB parts) are synthesized at the
//!   recorded length. Signatures cover headers and query only (`Content-Length` is signed), so
//!   they verify whatever the bytes.
//! - **Content-MD5 of synthesized bodies** cannot match, so the emulator runs with
//!   `trust_content_md5(true)`: a `Content-MD5` is taken as the body's MD5 (and ETag) unchecked.
//!   The three sliceUploadFile parts carry one, so their ETags are those the recorded complete
//!   body names. Part 1 of the first upload (seq 21) was sent without one; the replay adds an
//!   unsigned `Content-MD5` equal to the ETag that the recorded complete body (seq 25) names for
//!   it. Unsigned headers are outside `q-header-list`, so the signature still verifies.
//! - **UploadIds** are chosen by the server but appear in later signed queries, so the emulator's
//!   `upload_ids` source hands out the recorded ones, in order.
//! - `multipart/big file.bin` and `slice/3MiB file.bin` are completed, so the final deleteBucket
//!   (seq 35) is answered 409 BucketNotEmpty, which is what COS answers to that sequence; seq 14
//!   (OPTIONS) comes after deleteBucketCors (seq 9) and is answered 403 AccessForbidden.

use crate::support::common;
use crate::support::emulator_support;

use std::collections::VecDeque;
use std::sync::Mutex;

use base64::Engine;
use common::{ORACLE_NOW, ORACLE_SECRET_ID, ORACLE_SECRET_KEY, node_requests};
use emulator_support::{Conn, RawResponse};
use md5::{Digest, Md5};
use tencent_cos::emulator::{Account, Emulator};
use tencent_cos::http::{Body, Headers, Method, Request};
use tencent_cos::transport::Transport;
use tencent_cos::unversioned::xml::{Element, parse_document};

const BUCKET: &str = "examplebucket-1250000000";

/// One recorded request, ready to send.
struct Recorded {
    seq: u64,
    call: String,
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Recorded {
    fn host(&self) -> &str {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case("host")).map(|(_, v)| v.as_str()).unwrap()
    }
}

fn hex_to_bytes(hex: &str) -> Vec<u8> {
    (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap()).collect()
}

/// The ETag the complete body of `seq` names for part `number`, without quotes.
fn completed_part_etag(records: &[serde_json::Value], seq: u64, number: &str) -> String {
    let text = records.iter().find(|r| r["seq"] == seq).unwrap()["body_text"].as_str().unwrap();
    let doc = parse_document(text.as_bytes()).unwrap();
    let root = Element::root(&doc, "CompleteMultipartUpload").unwrap();
    let part = root.children("Part").find(|p| p.opt_text("PartNumber").as_deref() == Some(number)).unwrap();
    part.req_text("ETag").unwrap().trim_matches('"').to_owned()
}

fn recorded() -> Vec<Recorded> {
    let records = node_requests();
    assert_eq!(records.len(), 35);
    let part1_etag = completed_part_etag(&records, 25, "1");
    records
        .iter()
        .map(|r| {
            let seq = r["seq"].as_u64().unwrap();
            let len = r["body_len"].as_u64().unwrap() as usize;
            let body = match r["body_text"].as_str() {
                Some(text) => text.as_bytes().to_vec(),
                None => (0..len).map(|i| (i % 251) as u8).collect(),
            };
            assert_eq!(body.len(), len, "seq {seq}");
            let mut headers: Vec<(String, String)> = r["headers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| (h[0].as_str().unwrap().to_owned(), h[1].as_str().unwrap().to_owned()))
                .collect();
            if seq == 21 {
                let md5 = base64::engine::general_purpose::STANDARD.encode(hex_to_bytes(&part1_etag));
                headers.push(("Content-MD5".into(), md5));
            }
            Recorded {
                seq,
                call: r["call"].as_str().unwrap().to_owned(),
                method: r["method"].as_str().unwrap().to_owned(),
                target: r["target"].as_str().unwrap().to_owned(),
                headers,
                body,
            }
        })
        .collect()
}

/// The recorded UploadIds in the order the uploads were initiated (the order they first appear).
fn recorded_upload_ids(records: &[Recorded]) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for r in records {
        if let Some(id) = r.target.split(['?', '&']).find_map(|p| p.strip_prefix("uploadId="))
            && !ids.iter().any(|i| i == id)
        {
            ids.push(id.to_owned());
        }
    }
    ids
}

fn oracle_emulator(records: &[Recorded], now: u64) -> Emulator {
    let ids = Mutex::new(recorded_upload_ids(records).into_iter().collect::<VecDeque<_>>());
    Emulator::builder()
        .account(Account::new(ORACLE_SECRET_ID, ORACLE_SECRET_KEY, 1_250_000_000).with_uin("100000000001"))
        .clock(move || now)
        .upload_ids(move |_, _| ids.lock().unwrap().pop_front().unwrap_or_default())
        .trust_content_md5(true)
        .build()
}

fn send_in_process(emulator: &Emulator, r: &Recorded) -> RawResponse {
    let request = Request {
        method: Method::parse(&r.method).unwrap(),
        url: format!("https://{}{}", r.host(), r.target),
        headers: r.headers.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect::<Headers>(),
        body: Body::from(r.body.clone()),
    };
    let mut response = emulator.send(request).unwrap();
    let body = response.read_body(1 << 30).unwrap();
    RawResponse { status: response.status, headers: response.headers, body }
}

fn wire_bytes(r: &Recorded) -> Vec<u8> {
    let mut out = format!("{} {} HTTP/1.1\r\n", r.method, r.target);
    for (n, v) in &r.headers {
        out.push_str(&format!("{n}: {v}\r\n"));
    }
    out.push_str("\r\n");
    let mut out = out.into_bytes();
    out.extend_from_slice(&r.body);
    out
}

fn quoted_md5(data: &[u8]) -> String {
    format!("\"{}\"", tencent_cos::checksum::md5_hex(data))
}

fn multipart_etag(part_etags: &[&str]) -> String {
    let mut all = Md5::new();
    for e in part_etags {
        all.update(hex_to_bytes(e.trim_matches('"')));
    }
    let hex: String = all.finalize().iter().map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}-{}\"", part_etags.len())
}

/// What COS answers to each recorded request, checked in detail where the answer carries data.
fn check(records: &[Recorded], r: &Recorded, got: &RawResponse) {
    let ids = recorded_upload_ids(records);
    let expected: (u16, &str) = match r.seq {
        7 => (404, "NoSuchCORSConfiguration"),
        9 | 18 | 27 => (204, ""),
        13 => (206, ""),
        14 => (403, "AccessForbidden"),
        35 => (409, "BucketNotEmpty"),
        _ => (200, ""),
    };
    let what = format!("seq {} {}: {} {}", r.seq, r.call, got.status, got.text());
    assert_eq!(got.status, expected.0, "{what}");
    if !expected.1.is_empty() {
        assert_eq!(got.error().code, expected.1, "{what}");
    }
    assert!(got.header("x-cos-request-id").is_some(), "{what}");
    let body_of = |seq: u64| &records.iter().find(|x| x.seq == seq).unwrap().body;
    match r.seq {
        2 => assert_eq!(got.header("x-cos-bucket-region"), Some("ap-guangzhou")),
        3 => {
            assert_eq!(got.text_of("Prefix"), "photos/2019 summer/");
            assert_eq!(got.text_of("Marker"), "photos/2019 summer/a+b.jpg");
            assert_eq!(got.text_of("MaxKeys"), "10");
            assert_eq!(got.text_of("Delimiter"), "/");
            assert_eq!(got.text_of("IsTruncated"), "false");
        }
        4 => assert_eq!(got.text_of("ID"), "qcs::cam::uin/100000000001:uin/100000000001"),
        10 => assert_eq!(got.text_of("LocationConstraint"), "ap-guangzhou"),
        11 => {
            assert_eq!(got.header("etag"), Some(quoted_md5(body_of(11)).as_str()));
            let crc = tencent_cos::checksum::crc64(body_of(11)).to_string();
            assert_eq!(got.header("x-cos-hash-crc64ecma"), Some(crc.as_str()));
        }
        12 => {
            assert_eq!(got.header("content-length"), Some("26"));
            assert_eq!(got.header("content-type"), Some("text/plain; charset=utf-8"));
            assert_eq!(got.header("cache-control"), Some("max-age=600"));
            assert_eq!(got.header("x-cos-meta-author"), Some("alice"));
            assert_eq!(got.header("x-cos-meta-project"), Some("oracle test"));
        }
        13 => {
            assert_eq!(got.body, b"hello");
            assert_eq!(got.header("content-range"), Some("bytes 0-4/26"));
        }
        15 => assert_eq!(got.header("x-cos-acl"), Some("default")),
        17 => assert_eq!(got.text_of("ETag"), quoted_md5(body_of(11))),
        19 => assert_eq!(got.texts("Key"), ["folder/photo 1+2 (final)~*.jpg", "中文/a&b <c> \"d\" 'e'.txt"]),
        20 => assert_eq!(got.text_of("UploadId"), ids[0]),
        21 => assert_eq!(got.header("etag"), Some("\"d14f14dfc65ee8936fcc3282aa83ebe9\"")),
        22 => assert_eq!(got.header("etag"), Some(quoted_md5(body_of(22)).as_str())),
        23 => {
            assert_eq!(got.texts("PartNumber"), ["1", "2"]);
            assert_eq!(got.texts("Size"), ["1048576", "34"]);
        }
        24 => {
            assert_eq!(got.texts("Key"), ["multipart/big file.bin"]);
            assert_eq!(got.texts("UploadId"), [ids[0].clone()]);
        }
        25 => {
            let part2 = quoted_md5(body_of(22));
            assert_eq!(got.text_of("ETag"), multipart_etag(&["d14f14dfc65ee8936fcc3282aa83ebe9", &part2]));
            assert_eq!(got.text_of("Key"), "multipart/big file.bin");
        }
        26 => assert_eq!(got.text_of("UploadId"), ids[1]),
        28 => assert_eq!(got.texts("Name"), [BUCKET]),
        29 => assert!(got.texts("Upload").is_empty()),
        30 => assert_eq!(got.text_of("UploadId"), ids[2]),
        31..=33 => {
            let md5 = r.headers.iter().find(|(n, _)| n == "Content-MD5").unwrap().1.clone();
            let hex: String = base64::engine::general_purpose::STANDARD
                .decode(md5)
                .unwrap()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            assert_eq!(got.header("etag"), Some(format!("\"{hex}\"").as_str()));
        }
        34 => assert_eq!(
            got.text_of("ETag"),
            multipart_etag(&[
                "8ef828c49ffd7a32bcd14ef2819ce33c",
                "55542d44f83a3335315c92d053045103",
                "561a7962a11debc70c04ba868532141b"
            ])
        ),
        _ => {}
    }
}

fn final_state(emulator: &Emulator) {
    assert_eq!(emulator.bucket_names(), [BUCKET]);
    assert_eq!(emulator.object_keys(BUCKET), ["multipart/big file.bin", "slice/3MiB file.bin"]);
    assert!(emulator.pending_uploads(BUCKET).is_empty());
    assert_eq!(emulator.object_bytes(BUCKET, "slice/3MiB file.bin").map(|b| b.len()), Some(3 * 1024 * 1024));
}

#[test]
fn node_requests_replay_in_process() {
    let records = recorded();
    let emulator = oracle_emulator(&records, ORACLE_NOW);
    for r in &records {
        let got = send_in_process(&emulator, r);
        check(&records, r, &got);
    }
    final_state(&emulator);
}

#[test]
fn node_requests_replay_over_one_http_connection() {
    let records = recorded();
    let emulator = oracle_emulator(&records, ORACLE_NOW);
    let server = emulator.serve("127.0.0.1:0").unwrap();
    let mut conn = Conn::open(server.addr());
    for r in &records {
        conn.send(&wire_bytes(r));
        let got = conn.read_response(r.method == "HEAD").unwrap_or_else(|| panic!("seq {}: connection closed", r.seq));
        check(&records, r, &got);
    }
    final_state(&emulator);
    assert_eq!(server.connections_accepted(), 1, "the node SDK's keep-alive connection is reused throughout");
}

#[test]
fn the_replay_really_checks_signatures() {
    let records = recorded();
    let put_object = records.iter().find(|r| r.seq == 11).unwrap();

    // A signed header changed after signing.
    let emulator = oracle_emulator(&records, ORACLE_NOW);
    let create = records.iter().find(|r| r.seq == 1).unwrap();
    assert_eq!(send_in_process(&emulator, create).status, 200);
    let mut forged = copy_of(put_object);
    for (n, v) in &mut forged.headers {
        if n == "x-cos-meta-author" {
            *v = "mallory".into();
        }
    }
    let r = send_in_process(&emulator, &forged);
    assert_eq!(r.code(), (403, "SignatureDoesNotMatch".into()));
    assert!(r.error().format_string.unwrap().contains("x-cos-meta-author=mallory"));

    // The same recording a little later: the key time has run out.
    let late = oracle_emulator(&records, ORACLE_NOW + 900);
    let r = send_in_process(&late, create);
    assert_eq!(r.code(), (403, "AccessDenied".into()));
    assert_eq!(r.error().message, "Request has expired");
    let early = oracle_emulator(&records, ORACLE_NOW - 10);
    assert_eq!(send_in_process(&early, create).code(), (403, "RequestTimeTooSkewed".into()));

    // Without trust_content_md5 a synthesized part with a recorded Content-MD5 is refused.
    let strict = Emulator::builder()
        .account(Account::new(ORACLE_SECRET_ID, ORACLE_SECRET_KEY, 1_250_000_000))
        .clock(|| ORACLE_NOW)
        .upload_ids({
            let ids = Mutex::new(recorded_upload_ids(&records).into_iter().collect::<VecDeque<_>>());
            move |_, _| ids.lock().unwrap().pop_front().unwrap_or_default()
        })
        .build();
    for seq in [1, 20, 26, 30] {
        send_in_process(&strict, records.iter().find(|r| r.seq == seq).unwrap());
    }
    let part = records.iter().find(|r| r.seq == 31).unwrap();
    assert_eq!(send_in_process(&strict, part).code(), (400, "BadDigest".into()));
}

fn copy_of(r: &Recorded) -> Recorded {
    Recorded {
        seq: r.seq,
        call: r.call.clone(),
        method: r.method.clone(),
        target: r.target.clone(),
        headers: r.headers.clone(),
        body: r.body.clone(),
    }
}
