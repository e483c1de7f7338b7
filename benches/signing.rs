//! Signatures per second on one thread for a typical GET: key `folder/photo 1.jpg`, two query
//! parameters, three headers (Host, Range, x-cos-traffic-limit).

#[path = "harness/mod.rs"]
mod harness;

use std::hint::black_box;
use tencent_cos::{AuthorizationParams, KeyTime, get_authorization};

fn main() {
    let query = [("response-content-type", "image/jpeg"), ("versionId", "MTg0NDUxNTc1NjIzMTQ1MDAwODg")];
    let headers = [
        ("Host", "examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com"),
        ("Range", "bytes=0-1023"),
        ("x-cos-traffic-limit", "819200"),
    ];
    let params = AuthorizationParams {
        secret_id: "AKIDEXAMPLEORACLE0000000000000000000",
        secret_key: "ExampleOracleSecretKey0000000000",
        method: "GET",
        key: "folder/photo 1.jpg",
        query: &query,
        headers: &headers,
        key_time: KeyTime::Window { start: 1_700_000_000, end: 1_700_000_900 },
    };
    const N: usize = 200_000;
    harness::header("Signing, one thread (get_authorization)", "signatures/s");
    let r = harness::rounds(7, || {
        for _ in 0..N {
            black_box(get_authorization(black_box(&params)));
        }
    });
    harness::rate_row("GET, 2 query params, 3 headers", &r, N as f64, 1.0);
}
