//! `x-cos-traffic-limit` on PUT, upload part and GET: checked against 819200..=838860800 bits
//! per second (else 400 InvalidArgument), and when valid the transfer takes at least
//! size * 8 / limit seconds.

use crate::support::emulator_support;

use std::time::{Duration, Instant};

use emulator_support::{BUCKET, Front, Harness, Raw};
use tencent_cos::emulator::Emulator;

const SLOWEST: &str = "819200";

#[test]
fn traffic_limit_is_checked_and_paced() {
    let h = Harness::new(Front::InProcess, Emulator::new());
    h.create_bucket();
    for bad in ["819199", "838860801", "0", "fast", "-1"] {
        let put = h.send(BUCKET, Raw::put().key("k").header("x-cos-traffic-limit", bad).body("x"));
        assert_eq!(put.code(), (400, "InvalidArgument".into()), "PUT {bad}");
        let get = h.send(BUCKET, Raw::get().key("k").header("x-cos-traffic-limit", bad));
        assert_eq!(get.code(), (400, "InvalidArgument".into()), "GET {bad}");
        let part = h.send(
            BUCKET,
            Raw::put()
                .key("k")
                .query("partNumber", "1")
                .query("uploadId", "u")
                .header("x-cos-traffic-limit", bad)
                .body("x"),
        );
        assert_eq!(part.code(), (400, "InvalidArgument".into()), "part {bad}");
    }
    assert_eq!(h.emulator.object_bytes(BUCKET, "k"), None, "a refused PUT stores nothing");

    // 25600 bytes at 819200 bit/s: at least 0.25 s each way.
    let body = vec![7u8; 25_600];
    let least = Duration::from_millis(250);
    let t = Instant::now();
    h.send(BUCKET, Raw::put().key("slow").header("x-cos-traffic-limit", SLOWEST).body(body.clone())).ok();
    assert!(t.elapsed() >= least, "PUT took {:?}", t.elapsed());
    let t = Instant::now();
    let got = h.send(BUCKET, Raw::get().key("slow").header("x-cos-traffic-limit", SLOWEST)).ok();
    assert!(t.elapsed() >= least, "GET took {:?}", t.elapsed());
    assert_eq!(got.body, body);
    let id = h.send(BUCKET, Raw::post().key("mp").query("uploads", "")).ok().text_of("UploadId");
    let t = Instant::now();
    h.send(
        BUCKET,
        Raw::put()
            .key("mp")
            .query("partNumber", "1")
            .query("uploadId", &id)
            .header("x-cos-traffic-limit", SLOWEST)
            .body(body.clone()),
    )
    .ok();
    assert!(t.elapsed() >= least, "part took {:?}", t.elapsed());
    // The fastest valid limit is accepted.
    h.send(BUCKET, Raw::put().key("fast").header("x-cos-traffic-limit", "838860800").body("f")).ok();
}
